"""The notebooks as files: pairs in sync, every cell executed, headers generated,
and every notebook collected by nbval in a full run."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jupytext
import pytest
from nbval.plugin import find_comment_markers, find_metadata_tags

from support import COURSE_ROOT

NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
IPYNBS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
PYS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))

import notebook_header  # noqa: E402
import tidy_notebook  # noqa: E402


def test_the_notebooks_are_the_ones_the_readme_lists():
    """README's table of contents links every notebook, numbered 00, 01, ... without a gap."""
    table_rows = r"^\| \d{2} \| \[[^\]]*\]\(notebooks/(\d{2}_\w+)\.ipynb\)"
    listed = re.findall(table_rows, (COURSE_ROOT / "README.md").read_text(), re.MULTILINE)
    assert listed, "README.md links no notebook"
    assert [stem[:2] for stem in listed] == [f"{n:02d}" for n in range(len(listed))], f"README lists {listed}"
    assert [p.stem for p in IPYNBS] == listed, f"notebooks/ holds {[p.stem for p in IPYNBS]}, README lists {listed}"


def test_every_notebook_is_a_pair():
    ipynb_stems = {p.stem for p in IPYNBS}
    py_stems = {p.stem for p in PYS}
    assert ipynb_stems == py_stems, f"unpaired: {sorted(ipynb_stems ^ py_stems)}"


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_pair_has_identical_inputs(ipynb: Path):
    """Render the .ipynb as a percent script and compare it with the .py file:
    no reliance on file timestamps, unlike ``jupytext --sync``."""
    notebook = jupytext.read(ipynb)
    # The filters of jupytext.toml, which jupytext.writes does not read by itself.
    notebook.metadata["jupytext"] = tidy_notebook.jupytext_filters()
    rendered = jupytext.writes(notebook, fmt="py:percent")
    on_disk = ipynb.with_suffix(".py").read_text()
    assert rendered == on_disk, (
        f"{ipynb.name} and {ipynb.with_suffix('.py').name} differ: edit the .py, then run the course "
        "(README command 1) to re-execute the notebook"
    )


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_every_code_cell_was_executed_in_order(ipynb: Path):
    """nbval compares nothing in a cell without an execution count, and counts
    1, 2, 3, ... show one top-to-bottom run in a fresh kernel."""
    cells = json.loads(ipynb.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{ipynb.name}: execution counts {counts}"
    for cell in code:
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        tags = cell["metadata"].get("tags", [])
        assert not errors or "raises-exception" in tags, f"{ipynb.name}: unexpected error output {errors}"


#: The markers with which nbval skips a cell or does not compare its outputs.
NBVAL_OPT_OUTS = {("skip", True), ("check", False)}


def nbval_opt_outs(cells: list[dict]) -> list[str]:
    """The start of each code cell that nbval would skip or not compare, read with nbval's
    own parsers: tags (``nbval-skip``) and comments (``# NBVAL_IGNORE_OUTPUT``)."""
    return [
        "".join(cell["source"])[:60]
        for cell in cells
        if cell["cell_type"] == "code"
        and NBVAL_OPT_OUTS & {*find_metadata_tags(cell["metadata"]), *find_comment_markers("".join(cell["source"]))}
    ]


@pytest.mark.parametrize("ipynb", IPYNBS, ids=lambda p: p.stem)
def test_no_cell_is_skipped_by_nbval(ipynb: Path):
    """What varies between runs is replaced by tests/nbval_sanitize.cfg, and what depends on
    floating-point arithmetic is listed in tests/float_dependent_cells.json: nbval runs and
    compares every cell."""
    opted_out = nbval_opt_outs(json.loads(ipynb.read_text())["cells"])
    assert not opted_out, f"{ipynb.name}: nbval skips or ignores the outputs of {opted_out}"


def test_an_nbval_opt_out_is_found_as_a_tag_or_a_comment():
    def cell(source: str, tags: list[str] = ()) -> dict:
        return {"cell_type": "code", "source": [source], "metadata": {"tags": list(tags)}}

    cells = [cell("x = 1", ["nbval-skip"]), cell("y = 2\n# NBVAL_IGNORE_OUTPUT\nprint(y)"),
             cell("#NBVAL_SKIP\nz = 3"), cell("print('NBVAL_SKIP is only a string here')"),
             cell("w = 4", ["raises-exception"]), cell("# PYTEST_VALIDATE_IGNORE_OUTPUT\nv = 5")]
    assert nbval_opt_outs(cells) == ["x = 1", "y = 2\n# NBVAL_IGNORE_OUTPUT\nprint(y)", "#NBVAL_SKIP\nz = 3",
                                     "# PYTEST_VALIDATE_IGNORE_OUTPUT\nv = 5"]


@pytest.mark.parametrize("py", PYS, ids=lambda p: p.stem)
def test_header_cells_come_from_notebook_header(py: Path):
    """The Colab badge and set-up cell sit right below the title, generated from
    pyproject.toml's repository and version."""
    cells = jupytext.read(py).cells
    below_title = notebook_header.title_index(cells) + 1
    expected = notebook_header.header_cells(py.stem)
    assert below_title == 1, f"{py.name}: the title must be the first cell"
    assert [c.source for c in cells[below_title:below_title + 2]] == [c.source for c in expected], (
        f"{py.name}: run `python scripts/notebook_header.py` to regenerate its header cells"
    )
    assert sum(notebook_header.is_header_cell(c) for c in cells) == 2, f"{py.name}: header cells appear twice"


def test_every_notebook_was_collected(request):
    """A full run (pytest with no paths, or with notebooks/) must collect every notebook."""
    args = [Path(a.split("::")[0]).resolve() for a in request.config.args]
    if not any(a == NOTEBOOKS_DIR or NOTEBOOKS_DIR.is_relative_to(a) for a in args):
        pytest.skip("notebooks/ was not selected in this run")
    collected = getattr(request.config, "collected_notebooks", [])
    missing = sorted({p.name for p in IPYNBS} - set(collected))
    assert not missing, f"nbval did not collect {missing}: is --nbval in pytest.ini's addopts?"


@pytest.mark.parametrize("py", PYS, ids=lambda p: p.stem)
def test_notebooks_import_the_installed_course(py: Path):
    """The course is installed (pip install -e . locally, the set-up cell elsewhere):
    no notebook reaches for it by editing sys.path."""
    assert "sys.path" not in py.read_text(), f"{py.name} edits sys.path"
