"""The first two cells of every notebook: an "Open in Colab" badge and a setup cell.

The repository address and the pinned revision live here and nowhere else.
Run ``python scripts/notebook_header.py`` after changing them (or after adding a
notebook) to rewrite those cells in every ``notebooks/*.py``; then run the
course (README, command 1) so the paired ``.ipynb`` files are re-executed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import jupytext
from nbformat.v4 import new_code_cell, new_markdown_cell
from tidy_notebook import jupytext_filters

#: GitHub "owner/name" of the published course, and the tag or commit that
#: Colab users fetch helper_functions.py from. Change these when you publish a fork.
REPOSITORY = "pytorch-cv-course/pytorch-computer-vision"
REVISION = "v1.0"

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
BADGE_TAG = "colab-badge"
SETUP_TAG = "colab-setup"

SETUP_TEMPLATE = '''\
# Setup: makes helper_functions.py importable. Only inside Google Colab, it first
# installs what Colab lacks and downloads helper_functions.py from the course.
import subprocess
import sys
import urllib.request
from pathlib import Path

HELPERS_URL = "https://raw.githubusercontent.com/{repository}/{revision}/helper_functions.py"


def fetch_helper_functions(url: str, dest: Path = Path("helper_functions.py")) -> Path:
    """Download helper_functions.py, refusing anything that is not that Python file."""
    with urllib.request.urlopen(url, timeout=30) as response:  # raises HTTPError on a 404
        text = response.read().decode("utf-8", errors="replace")
    if text.lstrip().startswith("<") or "def accuracy_fn" not in text:
        raise RuntimeError(f"{{url}} did not return the course's helper_functions.py; it starts with {{text[:80]!r}}")
    compile(text, str(dest), "exec")  # a truncated download fails here, not at import
    partial = dest.with_suffix(".part")
    partial.write_text(text)
    partial.replace(dest)  # never leave half a file at the real path
    return dest


if "google.colab" in sys.modules and not Path("helper_functions.py").exists():
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "mlxtend>=0.19", "torchmetrics"], check=True)
    fetch_helper_functions(HELPERS_URL)

# Locally the notebooks run from notebooks/, one folder below helper_functions.py.
for folder in (Path.cwd(), Path.cwd().parent):
    if (folder / "helper_functions.py").is_file():
        sys.path.insert(0, str(folder))
        break'''


def badge_source(notebook_name: str) -> str:
    """Markdown for the "Open in Colab" badge of ``notebooks/<notebook_name>.ipynb``."""
    url = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{REVISION}/notebooks/{notebook_name}.ipynb"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


def setup_source() -> str:
    """Source of the setup cell that starts every notebook."""
    return SETUP_TEMPLATE.format(repository=REPOSITORY, revision=REVISION)


def header_cells(notebook_name: str) -> list:
    """The two header cells, tagged so they can be found and rewritten."""
    badge = new_markdown_cell(badge_source(notebook_name), metadata={"tags": [BADGE_TAG]})
    setup = new_code_cell(setup_source(), metadata={"tags": [SETUP_TAG]})
    return [badge, setup]


def is_header_cell(cell) -> bool:
    """Whether ``cell`` is one of the generated header cells."""
    tags = cell.get("metadata", {}).get("tags", [])
    return BADGE_TAG in tags or SETUP_TAG in tags


def stamp(py_path: Path) -> bool:
    """Rewrite the header cells of one percent-format notebook. Returns whether it changed."""
    notebook = jupytext.read(py_path, fmt="py:percent")
    body = [cell for cell in notebook.cells if not is_header_cell(cell)]
    notebook.cells = header_cells(py_path.stem) + body
    # jupytext.read infers which cell metadata to keep from the file itself (it
    # does not read jupytext.toml): keep the tags that mark the header cells.
    notebook.metadata.setdefault("jupytext", {})["cell_metadata_filter"] = jupytext_filters()["cell_metadata_filter"]
    new_text = jupytext.writes(notebook, fmt="py:percent")
    if new_text == py_path.read_text():
        return False
    py_path.write_text(new_text)
    return True


def main(paths: list[str]) -> None:
    targets = [Path(p) for p in paths] or sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
    for path in targets:
        print(f"{'updated' if stamp(path) else 'unchanged'}: {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
