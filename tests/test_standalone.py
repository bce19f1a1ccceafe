"""The notebooks that load saved models (06-08) run on their own, as in a fresh Colab session.

The course is copied into a temporary folder with an empty models/ folder, and
strict nbval runs the notebooks there: where the trained models are missing they
must be trained the course's way, and every output must still match the stored
one (made with the models notebooks 03, 04 and 05 trained step by step). The
order (07, 08, then 06) makes each notebook meet a different state: 07 finds no
models and must train model_2, 08 finds model_2 saved by 07, and 06 must train
model_0 and model_1 but loads model_2. Notebook 04, which loads model_0 the same
way, is left out: its own run costs more than the recipe's Model 0 it would check.

The models the course ships (cv_course/trained/) would spare that training, so the
copy is run without them: its kernels import the copy's cv_course package, from
which they are removed. The three models trained there must then be bit for bit
the shipped ones (the proof for Model 2; tests/test_shipped_models.py trains Model 0
and Model 1 again on its own), wherever the numerics profile holds.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from support import COURSE_ROOT
from course_copy import copy_course
from cv_course.recipe import COURSE_MODELS, SHIPPED_MODELS_DIR
from timeouts import NBVAL_CELL_S, NOTEBOOKS_RUN_S
from helper_functions import prepare_fashion_mnist
from shipped_support import NEEDS_PROFILE, REGENERATE, differing_tensors, shipped_state_dict

pytestmark = pytest.mark.slow  # executes notebooks

NOTEBOOKS = [
    "07_confusion_matrix.ipynb",
    "08_save_and_load.ipynb",
    "06_compare_and_predict.ipynb",
]



@pytest.fixture(scope="module")
def fresh_course(tmp_path_factory) -> Path:
    """A copy of the course with an empty models/ folder, the prepared data, and
    its package without the shipped models."""
    prepare_fashion_mnist(COURSE_ROOT / "data")  # no-op when the data is already there
    course = copy_course(tmp_path_factory.mktemp("fresh_course"))
    # The package as it is on disk (copy_course takes only what git tracks), less the shipped models.
    shutil.copytree(COURSE_ROOT / "cv_course", course / "cv_course", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", SHIPPED_MODELS_DIR.name))
    shutil.rmtree(course / "cv_course" / SHIPPED_MODELS_DIR.name, ignore_errors=True)
    return course


@pytest.fixture(scope="module")
def standalone_run(fresh_course: Path) -> subprocess.CompletedProcess:
    """Strict nbval of the notebooks in the copy, once for the tests below."""
    assert list((fresh_course / "models").iterdir()) == []
    # First on the kernels' path: the copy's package, not the one installed (pip install -e points here).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(fresh_course), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", f"--nbval-cell-timeout={NBVAL_CELL_S}",
            *(f"notebooks/{n}" for n in NOTEBOOKS),
        ],
        cwd=fresh_course,
        env=env,
        capture_output=True,
        text=True,
        timeout=NOTEBOOKS_RUN_S,  # training the three models: see tests/timeouts.py
    )


def test_notebooks_that_load_models_run_without_saved_models(fresh_course: Path, standalone_run):
    result = standalone_run
    assert result.returncode == 0, (
        "strict nbval failed on a fresh copy of the course (no saved models):\n" + result.stdout[-6000:] + result.stderr[-2000:]
    )
    saved = sorted(p.name for p in (fresh_course / "models").iterdir())
    assert saved == sorted(
        [f"model_{i}.{ext}" for i in range(3) for ext in ("json", "pth")] + ["fashion_mnist_tinyvgg.pth"]
    ), f"unexpected files in models/: {saved}"


@NEEDS_PROFILE
@pytest.mark.parametrize("name", list(COURSE_MODELS))
def test_the_models_trained_there_are_the_shipped_ones(fresh_course: Path, standalone_run, name):
    trained = fresh_course / "models" / f"{name}.pth"
    assert trained.is_file(), f"the run above did not train {name}: see its failure"
    problems = differing_tensors(shipped_state_dict(name), torch.load(trained, weights_only=True, map_location="cpu"))
    assert not problems, (f"the shipped {name} is not what the recipe trains under the numerics profile "
                          f"({'; '.join(problems)}): {REGENERATE}")
    # And its record shows the same validation results (the training time is the machine's own).
    record, shipped = (json.loads((folder / f"{name}.json").read_text())
                       for folder in (fresh_course / "models", SHIPPED_MODELS_DIR))
    assert (record["model_loss"], record["model_acc"]) == (shipped["model_loss"], shipped["model_acc"]), REGENERATE
