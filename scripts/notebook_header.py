"""The two cells below every notebook's title: "Open in" badges (Colab, Kaggle, Binder,
SageMaker Studio Lab) and the set-up cell.

Both name the repository and the revision the notebook belongs to. They come from
one place, pyproject.toml: the repository under [project.urls], the revision
"v" + [project] version (the release's tag). Run ``python scripts/notebook_header.py``
after changing either (or after adding a notebook) to rewrite those cells in every
``notebooks/*.py``; then run the course (README, command 1) so the paired ``.ipynb``
files are re-executed.
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import jupytext
from nbformat.v4 import new_code_cell, new_markdown_cell
from tidy_notebook import jupytext_filters

COURSE_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
BADGE_TAG = "colab-badge"
SETUP_TAG = "colab-setup"


PROJECT = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]
#: GitHub "owner/name" of the published course, and the tag its notebooks install
#: the course from (pyproject.toml holds both; see the module docstring).
REPOSITORY = PROJECT["urls"]["Repository"].removeprefix("https://github.com/").rstrip("/")
REVISION = "v" + PROJECT["version"]
#: What pip installs where the course is missing.
COURSE_URL = f"git+https://github.com/{REPOSITORY}@{REVISION}"

# At most six lines, folded away in Colab (#@title ... "form"). It looks for THIS
# course at this notebook's version (the installed distribution's name and version),
# not for any module called helper_functions: where it is installed (pip install -e .,
# or a run before) it installs nothing; elsewhere, or where another version is
# installed, it installs the course from the revision this notebook belongs to. Then
# it checks that ``import helper_functions`` finds the course's own file (beside its
# cv_course package), not another course's helper_functions.py in the working folder
# (Colab's /content, first on sys.path), and names that file if it is in the way. Last,
# it fits PyTorch's CPU threads to the CPUs this process may use (a shared server's
# quota; helper_functions.use_available_cpus, which leaves a test run's threads alone),
# assigning the count it returns so that it does not show as the cell's output (a ";"
# does not hide it from nbval's kernel).
SETUP_TEMPLATE = '''\
#@title Set-up: installs the course's code if this Python lacks it { display-mode: "form" }
import importlib.metadata as meta, importlib.util as util, pathlib, subprocess, sys
COURSE, VERSION = "{course_url}", "{version}"
if VERSION not in [d.version for d in meta.distributions(name="{distribution}")] and subprocess.run([sys.executable, "-m", "pip", "install", "-q", COURSE]).returncode: raise RuntimeError(f"Installing the course from {COURSE} failed: check that this computer is online (on Kaggle: turn on Internet in the notebook's Settings panel) and that the revision after '@' exists (pip says more above).")
if (h := util.find_spec("helper_functions")) and pathlib.Path(h.origin or ".").parent != pathlib.Path(util.find_spec("cv_course").origin).parent.parent: raise RuntimeError(f"{h.origin} is not this course's helper_functions.py (another course's?) and is imported first: rename or delete it, restart the runtime, then run this cell again.")
from helper_functions import use_available_cpus; cpu_threads = use_available_cpus()'''


#: The services a lesson opens in, each with the badge image it publishes for such links.
LAUNCH_BADGES = {
    "Colab": "https://colab.research.google.com/assets/colab-badge.svg",
    "Kaggle": "https://kaggle.com/static/images/open-in-kaggle.svg",
    "Binder": "https://mybinder.org/badge_logo.svg",
    "SageMaker Studio Lab": "https://studiolab.sagemaker.aws/studiolab.svg",
}


def launch_urls(notebook_name: str) -> dict[str, str]:
    """Where ``notebooks/<notebook_name>.ipynb`` opens, at this release, in each
    service of ``LAUNCH_BADGES``: Colab, Kaggle and SageMaker Studio Lab import
    the notebook file from GitHub; Binder builds the whole repository (binder/)."""
    path = f"notebooks/{notebook_name}.ipynb"
    on_github = f"https://github.com/{REPOSITORY}/blob/{REVISION}/{path}"
    return {
        "Colab": f"https://colab.research.google.com/github/{REPOSITORY}/blob/{REVISION}/{path}",
        "Kaggle": f"https://kaggle.com/kernels/welcome?src={on_github}",
        "Binder": f"https://mybinder.org/v2/gh/{REPOSITORY}/{REVISION}?labpath={path.replace('/', '%2F')}",
        "SageMaker Studio Lab": f"https://studiolab.sagemaker.aws/import/github/{REPOSITORY}/blob/{REVISION}/{path}",
    }


def badge_source(notebook_name: str) -> str:
    """Markdown for the "Open in ..." badges of ``notebooks/<notebook_name>.ipynb``."""
    urls = launch_urls(notebook_name)
    return " ".join(f"[![Open in {service}]({LAUNCH_BADGES[service]})]({urls[service]})" for service in LAUNCH_BADGES)


def setup_source() -> str:
    """Source of the set-up cell of every notebook."""
    values = {"{course_url}": COURSE_URL, "{version}": PROJECT["version"], "{distribution}": PROJECT["name"]}
    source = SETUP_TEMPLATE
    for placeholder, value in values.items():
        source = source.replace(placeholder, value)
    return source


def header_cells(notebook_name: str) -> list:
    """The two header cells, tagged so they can be found and rewritten."""
    badge = new_markdown_cell(badge_source(notebook_name), metadata={"tags": [BADGE_TAG]})
    setup = new_code_cell(setup_source(), metadata={"tags": [SETUP_TAG]})
    return [badge, setup]


def is_header_cell(cell) -> bool:
    """Whether ``cell`` is one of the generated header cells."""
    tags = cell.get("metadata", {}).get("tags", [])
    return BADGE_TAG in tags or SETUP_TAG in tags


def title_index(cells) -> int:
    """The position of the notebook's title: its first markdown cell starting with "# "."""
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return index
    raise ValueError("the notebook has no title cell (a markdown cell starting with '# ')")


def with_header(notebook, notebook_name: str):
    """``notebook`` with freshly generated header cells right below its title."""
    body = [cell for cell in notebook.cells if not is_header_cell(cell)]
    below_title = title_index(body) + 1
    notebook.cells = body[:below_title] + header_cells(notebook_name) + body[below_title:]
    # jupytext.read infers which cell metadata to keep from the file itself (it
    # does not read jupytext.toml): keep the tags that mark the header cells.
    notebook.metadata.setdefault("jupytext", {})["cell_metadata_filter"] = jupytext_filters()["cell_metadata_filter"]
    return notebook


def stamp(py_path: Path) -> bool:
    """Rewrite the header cells of one percent-format notebook. Returns whether it changed."""
    notebook = with_header(jupytext.read(py_path, fmt="py:percent"), py_path.stem)
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
