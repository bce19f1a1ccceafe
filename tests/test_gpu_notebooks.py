"""Everything that needs a GPU, run where one is present (CUDA, or Apple's MPS), with the
GPU visible: the reference profile hides it from every other test, so these run in a
fresh pytest with the machine's own environment.

- Every notebook is executed top to bottom, outputs not compared, any error fails, and
  so does an exercise check of the solutions notebook that prints ❌.
- The GPU tests of the files in GPU_TEST_FILES run, and none of them may be skipped
  for want of a GPU.

Skipped, with the reason, on a machine without a GPU."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from support import COURSE_ROOT
import numerics_profile
from course_copy import copy_course
from timeouts import NBVAL_CELL_S, NOTEBOOKS_RUN_S, SUBPROCESS_S
from helper_functions import prepare_fashion_mnist

pytestmark = pytest.mark.slow  # executes notebooks

#: The files whose GPU tests skip in the profile's run, and the words their skip reasons start with.
GPU_TEST_FILES = [
    "tests/test_predictions.py", "tests/test_checkpoints.py", "tests/test_exercises.py", "tests/test_student_mistakes.py",
]
NEEDS_A_GPU = "needs a GPU"

#: The notebook whose exercise checks must all pass (print ✅, never ❌) on the GPU too.
SOLUTIONS_NOTEBOOK = "11_exercise_solutions.ipynb"

#: Runs pytest with the arguments after the first, and writes every ❌ line that a cell of
#: the solutions notebook printed into the JSON file named by the first: nbval --nbval-lax
#: does not compare outputs, so a check that fails would otherwise pass unseen.
RUN_NOTEBOOKS = f"""
import json, sys
from pathlib import Path
import pytest

class FailedChecks:
    def __init__(self):
        self.lines = []

    def pytest_runtest_makereport(self, item, call):
        if call.when != "call" or Path(str(item.fspath)).name != {SOLUTIONS_NOTEBOOK!r}:
            return
        for output in getattr(item, "test_outputs", None) or []:
            self.lines += [item.name + ": " + line for line in output.get("text", "").splitlines()
                           if line.startswith("\\u274c")]

failed_checks = FailedChecks()
status = pytest.main(sys.argv[2:], plugins=[failed_checks])
Path(sys.argv[1]).write_text(json.dumps(failed_checks.lines))
sys.exit(status)
"""


def gpu_environment() -> dict[str, str]:
    """This process's environment as it was before the profile: GPUs visible, the
    machine's own instruction set and thread count, as a student's run has them."""
    return numerics_profile.native_environment()


def accelerator(env: dict[str, str]) -> str | None:
    """The GPU a fresh Python sees with ``env`` ("cuda: NVIDIA H100", "mps"), or None."""
    probe = ("import torch; a = torch.accelerator\n"
             "kind = a.current_accelerator().type if a.is_available() else ''\n"
             "print(kind + (': ' + torch.cuda.get_device_name(0) if kind == 'cuda' else ''))")
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=SUBPROCESS_S)
    return result.stdout.strip() or None


@pytest.fixture(scope="module")
def gpu() -> str:
    found = accelerator(gpu_environment())
    if found is None:
        pytest.skip("no GPU on this machine (torch.accelerator finds neither CUDA nor MPS): "
                    "the GPU run needs one")
    return found


def run_notebooks(course: Path, env: dict[str, str], *notebooks: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Execute ``notebooks`` in ``course`` under nbval-lax; the run and the ❌ lines of the solutions."""
    failed_checks = course / "failed_checks.json"
    result = subprocess.run(
        [sys.executable, "-c", RUN_NOTEBOOKS, str(failed_checks), "--noconftest", "--nbval-lax", "-q",
         "-p", "no:cacheprovider", f"--nbval-cell-timeout={NBVAL_CELL_S}", *notebooks],
        cwd=course, env=env, capture_output=True, text=True, timeout=NOTEBOOKS_RUN_S,
    )
    return result, json.loads(failed_checks.read_text()) if failed_checks.exists() else ["(no record written)"]


def test_every_notebook_runs_on_the_gpu(tmp_path: Path, gpu: str):
    prepare_fashion_mnist(COURSE_ROOT / "data")
    course = copy_course(tmp_path / "course")  # the GPU-trained models must not land in models/
    result, failed_checks = run_notebooks(course, gpu_environment(), "notebooks/")
    assert result.returncode == 0, f"a notebook failed on the GPU ({gpu}):\n" + result.stdout[-8000:]
    assert not failed_checks, f"exercise checks fail on the GPU ({gpu}):\n" + "\n".join(failed_checks)
    # The models the notebooks trained and saved say where they were trained.
    devices = {p.stem: json.loads(p.read_text())["device"] for p in (course / "models").glob("model_*.json")}
    kind = gpu.split(":")[0]
    assert devices and all(d.startswith(kind) for d in devices.values()), f"not trained on the GPU: {devices}"


def test_gpu_tests_run_on_the_gpu(gpu: str):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "not slow", "-rs", *GPU_TEST_FILES],
        cwd=COURSE_ROOT, env=gpu_environment(), capture_output=True, text=True, timeout=NOTEBOOKS_RUN_S,
    )
    assert result.returncode == 0, f"GPU tests failed ({gpu}):\n" + result.stdout[-8000:]
    skipped = [line for line in result.stdout.splitlines() if NEEDS_A_GPU in line]
    assert not skipped, f"GPU tests skipped on a GPU machine ({gpu}):\n" + "\n".join(skipped)


def test_a_failed_exercise_check_fails_the_gpu_run(tmp_path: Path):
    """On any machine: the record of ❌ lines that the GPU run relies on finds one."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("print('✅ right')\nprint('❌ wrong: a hint')", execution_count=1)]
    nbformat.write(notebook, tmp_path / SOLUTIONS_NOTEBOOK)
    env = {**numerics_profile.native_environment(), "CUDA_VISIBLE_DEVICES": ""}
    result, failed_checks = run_notebooks(tmp_path, env, SOLUTIONS_NOTEBOOK)
    assert result.returncode == 0, result.stdout[-3000:]  # nbval-lax compares nothing
    assert failed_checks == ["Cell 0: ❌ wrong: a hint"]
