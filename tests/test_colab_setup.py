"""The set-up cell below every notebook's title, the routes its badges open (Colab,
Kaggle, Binder, SageMaker Studio Lab) and Binder's build configuration (binder/).

Where the course is installed the cell does nothing; elsewhere (Colab, Kaggle, a
bare Jupyter) it installs the course with pip from the revision the notebook
belongs to. The unit tests run its source with pip replaced. The slow tests prove
the whole route without Colab: a fresh virtual environment without the course,
the repository served from a local git remote in place of GitHub (git's
``url.<base>.insteadOf``), one notebook alone in an empty folder; the set-up cell
installs the course and strict nbval passes. With the tag missing from the remote,
the student gets pip's error and one line saying what to check.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.parse
import venv
from pathlib import Path

import nbformat
import pytest

from support import COURSE_ROOT
from course_copy import copy_course
from timeouts import INSTALL_AND_RUN_S, NBVAL_CELL_S, SUBPROCESS_S

import notebook_header  # noqa: E402

NOTEBOOK = "01_dataloaders"  # short, and it needs the data and helper_functions


VERSION = notebook_header.PROJECT["version"]


def run_setup_cell(monkeypatch, installed: str | None = VERSION, returncode: int = 0,
                   in_the_way: Path | None = None) -> list[list[str]]:
    """Execute the set-up cell's source; the commands it ran (pip is not really run).
    ``installed``: the version of the course this Python has (None: not installed);
    ``in_the_way``: another helper_functions.py that ``import helper_functions`` would find first."""
    import importlib.machinery
    import importlib.metadata
    import importlib.util
    from types import SimpleNamespace

    real_find_spec, real_distributions = importlib.util.find_spec, importlib.metadata.distributions
    calls: list[list[str]] = []

    def distributions(**kwargs):
        if kwargs.get("name") == notebook_header.PROJECT["name"]:
            return [SimpleNamespace(version=installed)] if installed else []
        return real_distributions(**kwargs)

    def find_spec(name, *args, **kwargs):
        if name == "helper_functions" and in_the_way is not None:
            return importlib.machinery.ModuleSpec(name, None, origin=str(in_the_way))
        return real_find_spec(name, *args, **kwargs)

    def fake_run(command, *args, **kwargs):
        calls.append(list(command))
        return subprocess.CompletedProcess(command, returncode)

    monkeypatch.setattr(importlib.metadata, "distributions", distributions)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(subprocess, "run", fake_run)
    exec(compile(notebook_header.setup_source(), "<set-up cell>", "exec"), {"__name__": "__main__"})
    return calls


PIP_INSTALL = [sys.executable, "-m", "pip", "install", "-q", notebook_header.COURSE_URL]


@pytest.mark.parametrize("notebook", ["00_cv_libraries_and_data", "11_exercise_solutions"])
def test_each_badge_opens_this_notebook_at_this_release(notebook):
    """Four badges under the title, each opening the notebook's own file at the release tag."""
    urls = notebook_header.launch_urls(notebook)
    assert list(urls) == list(notebook_header.LAUNCH_BADGES) == ["Colab", "Kaggle", "Binder", "SageMaker Studio Lab"]
    blob = f"{notebook_header.REPOSITORY}/blob/{notebook_header.REVISION}/notebooks/{notebook}.ipynb"
    assert urls["Colab"] == f"https://colab.research.google.com/github/{blob}"
    assert urls["Kaggle"] == f"https://kaggle.com/kernels/welcome?src=https://github.com/{blob}"
    assert urls["SageMaker Studio Lab"] == f"https://studiolab.sagemaker.aws/import/github/{blob}"
    # Binder builds the repository at the tag, then opens the notebook in JupyterLab.
    binder_url = urllib.parse.urlsplit(urls["Binder"])
    assert binder_url.path == f"/v2/gh/{notebook_header.REPOSITORY}/{notebook_header.REVISION}"
    assert urllib.parse.parse_qs(binder_url.query) == {"labpath": [f"notebooks/{notebook}.ipynb"]}
    assert (COURSE_ROOT / "notebooks" / f"{notebook}.ipynb").is_file()
    badges = notebook_header.badge_source(notebook)
    for service, url in urls.items():
        assert f"[![Open in {service}]({notebook_header.LAUNCH_BADGES[service]})]({url})" in badges


def requirement_lines(path: Path) -> list[str]:
    """The lines of a pip requirements file, without comments and blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_binder_builds_the_course_with_the_locked_versions_and_cpu_pytorch():
    """binder/ is what repo2docker (Binder, a JupyterHub's image builder) reads instead of
    the root: the course itself, every version from the lock, PyTorch's CPU index."""
    binder = COURSE_ROOT / "binder"
    lines = requirement_lines(binder / "requirements.txt")
    assert "." in lines, "binder/requirements.txt must install the course itself (not editable: see its comment)"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    # pip reads -c relative to the file that names it.
    constraints = [line.split(None, 1)[1] for line in lines if line.startswith("-c ")]
    assert [(binder / c).resolve() for c in constraints] == [COURSE_ROOT / "requirements-lock.txt"]
    locked = {line.split("==")[0].lower() for line in requirement_lines(COURSE_ROOT / "requirements-lock.txt")}
    named = [line for line in lines if not line.startswith("-") and line != "."]
    assert named and all(name.lower() in locked for name in named), f"{named} must all be pinned by the lock"
    # The Python Binder builds must be one the lock was compiled for (its first lines say which).
    runtime = (binder / "runtime.txt").read_text().strip()
    lock_python = re.search(r"--python-version (\d+\.\d+)", (COURSE_ROOT / "requirements-lock.txt").read_text()).group(1)
    assert runtime == f"python-{lock_python}", f"binder/runtime.txt says {runtime!r}; the lock is for Python {lock_python}"


def test_the_cell_is_six_lines_folded_in_colab():
    lines = notebook_header.setup_source().splitlines()
    assert len(lines) <= 6
    assert lines[0].startswith("#@title ") and lines[0].endswith('{ display-mode: "form" }')


def test_the_cell_names_the_published_revision_and_version():
    url = f"git+https://github.com/{notebook_header.REPOSITORY}@{notebook_header.REVISION}"
    assert f'COURSE, VERSION = "{url}", "{VERSION}"' in notebook_header.setup_source()
    assert notebook_header.REVISION == f"v{VERSION}"


def test_where_the_course_is_installed_it_does_nothing(monkeypatch):
    assert run_setup_cell(monkeypatch) == []


def test_where_the_course_is_missing_it_installs_it_with_pip(monkeypatch):
    assert run_setup_cell(monkeypatch, installed=None) == [PIP_INSTALL]


def test_where_another_version_is_installed_it_installs_this_one(monkeypatch):
    """A module called helper_functions is not enough: it must be this course, at this version."""
    assert run_setup_cell(monkeypatch, installed="1.0.0") == [PIP_INSTALL]


def test_a_failed_install_stops_with_what_to_check(monkeypatch):
    with pytest.raises(RuntimeError, match=r"check that this computer is online \(on Kaggle: turn on Internet in the notebook's Settings panel\) and that the revision after '@' exists"):
        run_setup_cell(monkeypatch, installed=None, returncode=1)


@pytest.mark.parametrize("installed", [VERSION, None], ids=["installed", "missing"])
def test_another_helper_functions_in_the_way_is_named(monkeypatch, tmp_path, installed):
    """The original course's helper_functions.py in Colab's /content is imported first."""
    other = tmp_path / "content" / "helper_functions.py"
    with pytest.raises(RuntimeError) as info:
        run_setup_cell(monkeypatch, installed=installed, in_the_way=other)
    assert str(info.value).startswith(f"{other} is not this course's helper_functions.py")
    assert "rename or delete it, restart the runtime" in str(info.value)


def run_cell_in(folder: Path) -> subprocess.CompletedProcess:
    """The set-up cell run by this environment's Python (the course installed) in ``folder``,
    which is first on sys.path as a notebook's working folder is."""
    return subprocess.run([sys.executable, "-c", notebook_header.setup_source()], cwd=folder,
                          capture_output=True, text=True, timeout=SUBPROCESS_S)


def test_the_cell_finds_the_course_and_names_a_file_in_the_way(tmp_path):
    """For real: this environment has the course, and an empty folder is fine; the
    same folder with another course's helper_functions.py in it is not."""
    assert run_cell_in(tmp_path).returncode == 0
    (tmp_path / "helper_functions.py").write_text('"""Another course\'s helpers."""\ndef plot_predictions(): pass\n')
    result = run_cell_in(tmp_path)
    assert result.returncode != 0
    assert f"RuntimeError: {tmp_path / 'helper_functions.py'} is not this course's helper_functions.py" in result.stderr


# ----------------------------------------------------------------------------- the Colab route


def site_packages_without_the_course(target: Path) -> Path:
    """A folder linking every package of this environment (installed from the lock)
    except the course itself, so a fresh environment can use them offline."""
    target.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if name.startswith(("pytorch_cv_course", "__editable__", "helper_functions", "cv_course")) or name.endswith(".pth"):
            continue
        (target / entry.name).symlink_to(entry)
    return target


@pytest.fixture
def fresh_python(tmp_path_factory) -> Path:
    """A new virtual environment without the course; the lock's packages are visible to it."""
    root = tmp_path_factory.mktemp("colab_route")
    # No pip or setuptools of its own: those of the lock (pip, and setuptools with its
    # bdist_wheel) come with the other packages, as in Colab where both are recent.
    venv.create(root / "venv", with_pip=False)
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, timeout=SUBPROCESS_S).stdout.strip()
    deps = site_packages_without_the_course(root / "deps")
    (Path(purelib) / "course_dependencies.pth").write_text(f"{deps}\n")
    missing = subprocess.run([python, "-c", "import importlib.util as u; print(u.find_spec('helper_functions'))"],
                             cwd=root, capture_output=True, text=True, check=True, timeout=SUBPROCESS_S).stdout.strip()
    assert missing == "None", "the fresh environment must not have the course yet"
    return python


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=SUBPROCESS_S)


def local_remote(tmp_path: Path, tag: str | None) -> dict[str, str]:
    """The course as it is on disk, committed in a local git repository (tagged
    ``tag`` if given), and the environment that sends GitHub's address there."""
    remote = copy_course(tmp_path / "remote")
    shutil.rmtree(remote / "data")  # the data is not part of the repository
    git("init", "-q", "-b", "main", cwd=remote)
    git("add", "-A", cwd=remote)
    git("-c", "user.name=course", "-c", "user.email=course@localhost", "commit", "-q", "-m", "the course", cwd=remote)
    if tag:
        git("tag", tag, cwd=remote)
    # pip asks for a partial clone (--filter=blob:none); this remote, like a plain
    # file:// one, ignores that and sends everything, which needs nothing more from it.
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(
        f'[url "file://{remote}"]\n\tinsteadOf = https://github.com/{notebook_header.REPOSITORY}\n'
        "[protocol \"file\"]\n\tallow = always\n"
    )
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "PIP_NO_INDEX": "1",  # offline: every dependency must already be there
        "PIP_NO_BUILD_ISOLATION": "0",  # (sic) builds with the setuptools already there, downloads nothing
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_ROOT_USER_ACTION": "ignore",
    }


def notebook_alone(tmp_path: Path) -> Path:
    """One notebook in an otherwise empty folder, with the FashionMNIST files it would fetch."""
    folder = tmp_path / "student"
    (folder / "data").mkdir(parents=True)
    shutil.copy(COURSE_ROOT / "notebooks" / f"{NOTEBOOK}.ipynb", folder)
    (folder / "data" / "FashionMNIST").symlink_to(COURSE_ROOT / "data" / "FashionMNIST", target_is_directory=True)
    return folder


@pytest.mark.slow
def test_colab_route_installs_the_course_and_runs_a_notebook_alone(fresh_python, tmp_path):
    env = local_remote(tmp_path, tag=notebook_header.REVISION)
    folder = notebook_alone(tmp_path)
    result = subprocess.run(
        [fresh_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env", f"--nbval-cell-timeout={NBVAL_CELL_S}",
         f"--nbval-sanitize-with={COURSE_ROOT / 'tests' / 'nbval_sanitize.cfg'}", "--rootdir", str(folder),
         f"{NOTEBOOK}.ipynb"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=INSTALL_AND_RUN_S,
    )
    assert result.returncode == 0, "strict nbval failed on the notebook alone:\n" + result.stdout[-6000:] + result.stderr[-2000:]
    installed = subprocess.run([fresh_python, "-c", "import helper_functions, cv_toolbox.data, cv_course.recipe; print(helper_functions.__file__)"],
                               cwd=folder, env=env, capture_output=True, text=True, check=True,
                               timeout=SUBPROCESS_S).stdout.strip()
    assert Path(installed).parent.name == "site-packages", f"helper_functions came from {installed}, not the install"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["data", f"{NOTEBOOK}.ipynb"])


@pytest.mark.slow
def test_the_cell_installs_the_course_into_a_fresh_python_and_checks_it(fresh_python, tmp_path):
    """In one process, as in a notebook's kernel: pip installs the course, and the
    check after it finds the course it just installed (no stale import caches); with
    another course's helper_functions.py in the working folder, the cell names it."""
    env = local_remote(tmp_path, tag=notebook_header.REVISION)
    folder = tmp_path / "student"
    folder.mkdir()
    check = "\nimport helper_functions, cv_toolbox.data; print(helper_functions.__file__)"
    result = subprocess.run([fresh_python, "-c", notebook_header.setup_source() + check], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=INSTALL_AND_RUN_S)
    assert result.returncode == 0, result.stderr[-4000:]
    assert Path(result.stdout.strip()).parent.name == "site-packages"
    (folder / "helper_functions.py").write_text("def plot_predictions(): pass\n")
    result = subprocess.run([fresh_python, "-c", notebook_header.setup_source()], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=INSTALL_AND_RUN_S)
    assert f"RuntimeError: {folder / 'helper_functions.py'} is not this course's helper_functions.py" in result.stderr


@pytest.mark.slow
def test_a_wrong_revision_gives_a_clear_error(fresh_python, tmp_path):
    """What a student sees when the set-up cell cannot install the course: pip's
    error (naming the revision) in the cell's output, then one line saying what to check."""
    env = local_remote(tmp_path, tag=None)  # the revision the notebooks name was never pushed
    folder = notebook_alone(tmp_path)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(notebook_header.setup_source())])
    nbformat.write(notebook, folder / "setup_only.ipynb")
    # ipykernel shows what subprocesses print (pip's error here) in the cell's output,
    # except when it sees it runs under pytest: hide that from it, as in a student's Jupyter.
    env.pop("PYTEST_CURRENT_TEST", None)
    subprocess.run(
        [fresh_python, "-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
         "--inplace", "setup_only.ipynb"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=INSTALL_AND_RUN_S, check=True,
    )
    outputs = nbformat.read(folder / "setup_only.ipynb", as_version=4).cells[0].outputs
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    errors = [o for o in outputs if o.output_type == "error"]
    assert notebook_header.REVISION in printed, f"pip's error should show in the cell; it printed {printed!r}"
    assert len(errors) == 1 and errors[0].ename == "RuntimeError"
    assert errors[0].evalue == (
        f"Installing the course from {notebook_header.COURSE_URL} failed: check that this computer is online "
        "(on Kaggle: turn on Internet in the notebook's Settings panel) and that the revision after '@' exists "
        "(pip says more above)."
    )
    assert subprocess.run([fresh_python, "-c", "import helper_functions"], cwd=tmp_path, env=env, capture_output=True,
                          timeout=SUBPROCESS_S).returncode != 0
