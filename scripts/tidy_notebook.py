"""Tidy executed notebooks before they are stored: run by scripts/run_course.sh.

    python scripts/tidy_notebook.py notebooks/NN_name.ipynb [...]

- drops the per-cell execution timestamps, which change on every run and say nothing;
- numbers the cell ids (Jupyter makes random ones on every run), so a notebook's
  diff shows only what really changed;
- records jupytext.toml's filters in the notebook too, so that any jupytext command
  (even one writing to stdout) renders it as exactly its header-less .py file;
- folds the optional "## Going deeper" sections in JupyterLab (the heading cell's
  ``jp-MarkdownHeadingCollapsed`` metadata), so the core path reads first. The .py
  files leave that key out (jupytext.toml's filter): it is derived from the heading;
- stores printed text as Jupyter shows it: consecutive pieces of one stream joined,
  and a line that a carriage return redraws (a tqdm progress bar) kept in its final
  state, so GitHub and the website show the finished bar, not every redraw.

Outputs are otherwise left exactly as the execution produced them. (nbval's own
``coalesce_streams`` applies the same carriage-return rule when it compares, but it
also moves text printed after a figure above it, so it is not used here.)
"""
import re
import sys
from pathlib import Path

import nbformat
from jupytext.config import load_jupytext_configuration_file

COURSE_ROOT = Path(__file__).resolve().parent.parent
OPTIONAL_HEADING = "## Going deeper"


def jupytext_filters() -> dict[str, str]:
    """The metadata filters set in the course's jupytext.toml, which
    ``jupytext.read`` and ``jupytext.writes`` do not apply by themselves."""
    config = load_jupytext_configuration_file(str(COURSE_ROOT / "jupytext.toml"))
    return {
        "notebook_metadata_filter": config.notebook_metadata_filter,
        "cell_metadata_filter": config.cell_metadata_filter,
    }


# Text up to a carriage return that starts a redraw of the same line (not "\r\n").
REDRAWN_TEXT = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def as_displayed(outputs: list) -> list:
    """``outputs`` with consecutive stream outputs of the same name (stdout,
    stderr) joined, and each line redrawn by a carriage return kept as last drawn."""
    shown: list = []
    for output in outputs:
        previous = shown[-1] if shown else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            shown.append(output)
    for output in shown:
        if output.output_type == "stream":
            output.text = REDRAWN_TEXT.sub("", output.text)
    return shown


def tidy(path: str) -> None:
    """Rewrite the notebook at ``path`` in place, outputs untouched."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.id = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs = as_displayed(cell.outputs)
        if cell.cell_type == "markdown" and cell.source.startswith(OPTIONAL_HEADING):
            cell.metadata["jp-MarkdownHeadingCollapsed"] = True
    nb.metadata.setdefault("jupytext", {}).update(jupytext_filters())
    nbformat.write(nb, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for notebook_path in sys.argv[1:]:
        tidy(notebook_path)
