"""Every notebook runs on a GPU where one is present: executed top to bottom with
CUDA visible (the reference profile hides it from every other test), outputs not
compared, any error fails. Skipped, with the reason, on a machine without one."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COURSE_ROOT
from cv_course import numerics_profile
from cv_course.course_copy import copy_course
from helper_functions import prepare_fashion_mnist

pytestmark = pytest.mark.slow  # executes notebooks

#: Generous: the slowest notebook takes minutes on a CPU.
TIMEOUT_S = 3600


def gpu_environment() -> dict[str, str]:
    """This process's environment as it was before the profile: GPUs visible, the
    machine's own instruction set and thread count, as a student's run has them."""
    return numerics_profile.native_environment()


def cuda_device_name(env: dict[str, str]) -> str | None:
    """The first CUDA GPU's name as a fresh Python sees it with ``env``, or None."""
    probe = "import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
    return result.stdout.strip() or None


def test_every_notebook_runs_on_the_gpu(tmp_path: Path):
    env = gpu_environment()
    gpu = cuda_device_name(env)
    if gpu is None:
        pytest.skip("no CUDA GPU on this machine (torch.cuda.is_available() is False): "
                    "the notebooks' GPU run needs one")
    prepare_fashion_mnist(COURSE_ROOT / "data")
    course = copy_course(tmp_path / "course")  # the GPU-trained models must not land in models/
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         f"--nbval-cell-timeout={TIMEOUT_S}", "notebooks/"],
        cwd=course, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert result.returncode == 0, f"a notebook failed on the GPU ({gpu}):\n" + result.stdout[-8000:]
    # The models the notebooks trained and saved say where they were trained.
    devices = {p.stem: json.loads(p.read_text())["device"] for p in (course / "models").glob("model_*.json")}
    assert devices and all(d.startswith("cuda") for d in devices.values()), f"not trained on the GPU: {devices}"
