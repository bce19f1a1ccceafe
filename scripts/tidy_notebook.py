"""Tidy executed notebooks before they are stored: run by scripts/run_course.sh.

    python scripts/tidy_notebook.py notebooks/NN_name.ipynb [...]

- drops the per-cell execution timestamps, which change on every run and say nothing;
- numbers the cell ids (Jupyter makes random ones on every run), so a notebook's
  diff shows only what really changed;
- records jupytext.toml's filters in the notebook too, so that any jupytext command
  (even one writing to stdout) renders it as exactly its header-less .py file.

Outputs are left exactly as the execution produced them.
"""
import sys

import nbformat


def tidy(path: str) -> None:
    """Rewrite the notebook at ``path`` in place, outputs untouched."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.id = f"cell-{index}"
    nb.metadata.setdefault("jupytext", {}).update(
        notebook_metadata_filter="-all", cell_metadata_filter="tags,slideshow,-all"
    )
    nbformat.write(nb, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for notebook_path in sys.argv[1:]:
        tidy(notebook_path)
