"""scripts/changed_outputs.py: the notebook loop measures the float-dependent cells again only
when a cell's outputs changed as strict nbval sees them."""
from __future__ import annotations

import copy
import json
import subprocess

import pytest

from changed_outputs import changed_cells, main
from support import COURSE_ROOT

NOTEBOOK = COURSE_ROOT / "notebooks" / "02_model_0_baseline.ipynb"


def stream_cell(text: str) -> dict:
    return {"cell_type": "code", "source": "print()", "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}


def figure_cell(png: str) -> dict:
    data = {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": png}
    return {"cell_type": "code", "source": "plt.show()", "outputs": [{"output_type": "display_data", "data": data, "metadata": {}}]}


def notebook(*cells: dict) -> dict:
    return {"cells": [{"cell_type": "markdown", "source": "# A lesson"}, *cells]}


@pytest.mark.parametrize("after, expected", [
    pytest.param(notebook(stream_cell("Train time on cpu: 31.002 seconds\n"), figure_cell("AAAA")), [], id="timing-only"),
    pytest.param(notebook(stream_cell("Train time on cpu: 25.825 seconds\n"), figure_cell("BBBB")), [], id="image-bytes-only"),
    pytest.param(notebook(stream_cell("val acc: 81.96%\n"), figure_cell("AAAA")), [0], id="a-printed-number"),
    pytest.param(notebook(stream_cell("Train time on cpu: 25.825 seconds\n")), [1], id="a-cell-fewer"),
])
def test_only_what_nbval_compares_counts_as_a_change(after, expected):
    before = notebook(stream_cell("Train time on cpu: 25.825 seconds\n"), figure_cell("AAAA"))
    assert changed_cells(before, after) == expected


def test_a_stored_notebook_is_unchanged_against_itself_and_changed_when_edited(tmp_path, capsys):
    stored = json.loads(NOTEBOOK.read_text())
    assert changed_cells(stored, copy.deepcopy(stored)) == []
    edited = copy.deepcopy(stored)
    cell = next(c for c in edited["cells"] if c["cell_type"] == "code" and c.get("outputs"))
    cell["outputs"] = []
    assert len(changed_cells(stored, edited)) == 1


def test_a_notebook_the_revision_lacks_is_new_and_one_it_holds_is_compared(capsys):
    """Against the first commit, which held no notebook 09 yet; against HEAD, whose outputs
    the working tree's notebook keeps (a change there would be listed, exit status 1)."""
    first = subprocess.run(["git", "rev-list", "--max-parents=0", "HEAD"], cwd=COURSE_ROOT,
                           capture_output=True, text=True, check=True).stdout.split()[0]
    lesson = COURSE_ROOT / "notebooks" / "09_training_well.ipynb"
    assert main([str(lesson), "--rev", first]) == 2
    assert "a new notebook" in capsys.readouterr().out
    assert main([str(lesson), "--rev", "HEAD"]) in (0, 1)
    assert "09_training_well.ipynb:" in capsys.readouterr().out
