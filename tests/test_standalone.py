"""The notebooks that load saved models (06-08) run on their own, as in a fresh Colab session.

The course is copied into a temporary folder with an empty models/ folder, and
strict nbval runs the notebooks there: where the trained models are missing they
must be trained the course's way, and every output must still match the stored
one (made with the models notebooks 03, 04 and 05 trained step by step). The
order (07, 08, then 06) makes each notebook meet a different state: 07 finds no
models and must train model_2, 08 finds model_2 saved by 07, and 06 must train
model_0 and model_1 but loads model_2. Notebook 04, which loads model_0 the same
way, is left out: its own run costs more than the recipe's Model 0 it would check.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COURSE_ROOT
from cv_course.course_copy import copy_course
from cv_course.timeouts import NBVAL_CELL_S, NOTEBOOKS_RUN_S
from helper_functions import prepare_fashion_mnist

pytestmark = pytest.mark.slow  # executes notebooks

NOTEBOOKS = [
    "07_confusion_matrix.ipynb",
    "08_save_and_load.ipynb",
    "06_compare_and_predict.ipynb",
]



@pytest.fixture(scope="module")
def fresh_course(tmp_path_factory) -> Path:
    """A copy of the course with an empty models/ folder and the prepared data."""
    prepare_fashion_mnist(COURSE_ROOT / "data")  # no-op when the data is already there
    return copy_course(tmp_path_factory.mktemp("fresh_course"))


def test_notebooks_that_load_models_run_without_saved_models(fresh_course: Path):
    assert list((fresh_course / "models").iterdir()) == []
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", f"--nbval-cell-timeout={NBVAL_CELL_S}",
            *(f"notebooks/{n}" for n in NOTEBOOKS),
        ],
        cwd=fresh_course,
        capture_output=True,
        text=True,
        timeout=NOTEBOOKS_RUN_S,  # training the three models: see cv_course/timeouts.py
    )
    assert result.returncode == 0, (
        "strict nbval failed on a fresh copy of the course (no saved models):\n" + result.stdout[-6000:] + result.stderr[-2000:]
    )
    saved = sorted(p.name for p in (fresh_course / "models").iterdir())
    assert saved == sorted(
        [f"model_{i}.{ext}" for i in range(3) for ext in ("json", "pth")] + ["fashion_mnist_tinyvgg.pth"]
    ), f"unexpected files in models/: {saved}"
