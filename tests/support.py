"""What several test files share, imported as ``from support import ...`` (pytest.ini puts
tests/ and scripts/ on the import path; no test imports conftest.py or another test file)."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

# What strict nbval compares, after tests/nbval_sanitize.cfg: shared with the notebook loop.
from changed_outputs import SANITIZE_CFG, nbval_sanitize  # noqa: F401

#: The repository's root: the folder holding helper_functions.py, notebooks/ and tests/.
COURSE_ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """This process's umask set to ``mask`` for the ``with`` block."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def build_wheel(tmp_path: Path) -> Path:
    """``pip wheel`` of the course (what ``pip install`` installs), built from a copy of every
    file git tracks so that the build leaves nothing in the repository. Returns the wheel."""
    import subprocess
    import sys

    from course_copy import copy_course
    from timeouts import INSTALL_AND_RUN_S

    source = copy_course(tmp_path / "source")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(tmp_path / "wheel")],
        capture_output=True, text=True, timeout=INSTALL_AND_RUN_S,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    return wheel
