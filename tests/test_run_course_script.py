"""scripts/run_course.sh (README command 1) when the numerics profile cannot be
applied: each cause gets its own message (issue #20). The script runs in a copy
of the repository's layout with a set-up that does nothing and one stand-in notebook."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import COURSE_ROOT
from timeouts import SUBPROCESS_S


@pytest.fixture
def course_copy(tmp_path) -> Path:
    root = tmp_path / "course"
    (root / "scripts").mkdir(parents=True)
    for script in ("run_course.sh", "numerics_profile.py", "config_isolation.py"):
        shutil.copy(COURSE_ROOT / "scripts" / script, root / "scripts")
    (root / "scripts" / "setup.sh").write_text("#!/usr/bin/env bash\ntrue\n")  # already set up
    (root / "notebooks").mkdir()
    (root / "notebooks" / "00_stand_in.py").write_text("# %%\nprint('never executed here')\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    python = root / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return root


def run_course(root: Path, numerics: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSE_NUMERICS": numerics}
    return subprocess.run(["bash", "scripts/run_course.sh"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=SUBPROCESS_S)


def test_a_typo_in_course_numerics_gets_no_advice_about_the_machine(course_copy):
    result = run_course(course_copy, "refrence")
    assert result.returncode != 0
    assert "COURSE_NUMERICS='refrence': use 'reference' (the default) or 'native'." in result.stderr
    assert "could not apply the numerics profile" in result.stderr
    assert "AVX2" not in result.stderr and "x86-64" not in result.stderr, "advice for another problem"
    assert "executing" not in result.stdout


def test_a_profile_that_does_not_hold_still_stops_with_the_advice(course_copy):
    result = run_course(course_copy, "native")  # the profile is then not in force: outputs would not reproduce
    assert result.returncode == 3
    assert "not storing outputs made here" in result.stderr and "AVX2" in result.stderr
    assert "executing" not in result.stdout
