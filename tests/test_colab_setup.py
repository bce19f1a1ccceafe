"""The setup cell at the top of every notebook (scripts/notebook_header.py).

Its source is executed here as a notebook would run it. Outside Colab it only puts
the course folder on sys.path. Its fetch_helper_functions() is tested against a
local HTTP server on 127.0.0.1: the real helper_functions.py arrives intact; an
HTML page (what a wrong or rate-limited URL returns with status 200), a 404 and a
truncated file are refused without writing anything. Then the Colab branch runs
with Colab faked: pip is asked for mlxtend>=0.19 and torchmetrics, and the file
comes from the pinned revision.
"""
from __future__ import annotations

import subprocess
import sys
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest

COURSE_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(COURSE_ROOT / "scripts"))
import notebook_header  # noqa: E402

HELPERS = (COURSE_ROOT / "helper_functions.py").read_bytes()


@pytest.fixture
def restore_sys_path():
    saved = list(sys.path)
    yield
    sys.path[:] = saved


def run_setup_cell(cwd: Path, monkeypatch) -> dict:
    """Execute the setup cell's source with ``cwd`` as the working folder; its namespace."""
    monkeypatch.chdir(cwd)
    namespace: dict = {"__name__": "__main__"}
    exec(compile(notebook_header.setup_source(), "<setup cell>", "exec"), namespace)
    return namespace


@pytest.fixture
def fetch(tmp_path, monkeypatch, restore_sys_path):
    """fetch_helper_functions as defined by the setup cell (run outside Colab)."""
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    return run_setup_cell(tmp_path, monkeypatch)["fetch_helper_functions"]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ----------------------------------------------------------------------------- outside Colab


def test_outside_colab_only_puts_the_course_on_sys_path(monkeypatch, restore_sys_path):
    def no_install(*args, **kwargs):
        raise AssertionError(f"the setup cell ran {args} outside Colab")

    def no_download(*args, **kwargs):
        raise AssertionError("the setup cell downloaded something outside Colab")

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", no_install)
    monkeypatch.setattr(urllib.request, "urlopen", no_download)
    before = list(sys.path)
    run_setup_cell(COURSE_ROOT / "notebooks", monkeypatch)  # where the notebooks run
    assert sys.path == [str(COURSE_ROOT)] + before


def test_helpers_url_is_the_pinned_revision(fetch, tmp_path, monkeypatch):
    namespace = run_setup_cell(tmp_path, monkeypatch)
    assert namespace["HELPERS_URL"] == (
        f"https://raw.githubusercontent.com/{notebook_header.REPOSITORY}/{notebook_header.REVISION}/helper_functions.py"
    )


# ----------------------------------------------------------------------------- the fetch


def test_fetches_the_real_file(fetch, local_server, tmp_path):
    url = local_server.add("/v1.0/helper_functions.py", HELPERS, content_type="text/plain; charset=utf-8")
    dest = tmp_path / "helper_functions.py"
    assert fetch(url, dest) == dest
    assert dest.read_bytes() == HELPERS
    compile(dest.read_text(), str(dest), "exec")
    assert files_in(tmp_path) == ["helper_functions.py"]  # no .part file left behind


def test_refuses_an_html_page(fetch, local_server, tmp_path):
    page = b"<!DOCTYPE html>\n<html><head><title>Rate limit</title></head><body>Too many requests</body></html>"
    url = local_server.add("/v1.0/helper_functions.py", page, content_type="text/html; charset=utf-8")
    with pytest.raises(RuntimeError, match="did not return the course's helper_functions.py"):
        fetch(url, tmp_path / "helper_functions.py")
    assert files_in(tmp_path) == []


def test_refuses_an_html_page_that_shows_the_code(fetch, local_server, tmp_path):
    """A github.com/.../blob/... address: an HTML page with the source inside it."""
    page = b"\n  <!DOCTYPE html><html><body><table>" + HELPERS.replace(b"<", b"&lt;") + b"</table></body></html>"
    url = local_server.add("/blob/v1.0/helper_functions.py", page, content_type="text/html; charset=utf-8")
    with pytest.raises(RuntimeError, match="did not return the course's helper_functions.py"):
        fetch(url, tmp_path / "helper_functions.py")
    assert files_in(tmp_path) == []


def test_refuses_a_404(fetch, local_server, tmp_path):
    with pytest.raises(urllib.error.HTTPError) as raised:
        fetch(local_server.url + "/no-such-tag/helper_functions.py", tmp_path / "helper_functions.py")
    assert raised.value.code == 404
    assert files_in(tmp_path) == []


def test_refuses_a_truncated_file(fetch, local_server, tmp_path):
    cut = HELPERS.index(b"def accuracy_fn(") + len(b"def accuracy_fn(")  # mid-signature
    url = local_server.add("/v1.0/helper_functions.py", HELPERS[:cut], content_type="text/plain")
    with pytest.raises(SyntaxError):
        fetch(url, tmp_path / "helper_functions.py")
    assert files_in(tmp_path) == []


def test_a_failed_fetch_keeps_an_earlier_good_file(fetch, local_server, tmp_path):
    dest = tmp_path / "helper_functions.py"
    dest.write_bytes(HELPERS)
    url = local_server.add("/v1.0/helper_functions.py", b"<html>Oops</html>", content_type="text/html")
    with pytest.raises(RuntimeError):
        fetch(url, dest)
    assert dest.read_bytes() == HELPERS
    assert files_in(tmp_path) == ["helper_functions.py"]


# ----------------------------------------------------------------------------- inside Colab (faked)


def test_in_colab_installs_and_fetches_from_the_pinned_revision(local_server, tmp_path, monkeypatch, restore_sys_path):
    """With google.colab imported and no helper_functions.py yet, the cell installs and downloads."""
    pinned = f"/{notebook_header.REPOSITORY}/{notebook_header.REVISION}/helper_functions.py"
    local_server.add(pinned, HELPERS, content_type="text/plain; charset=utf-8")
    real_urlopen = urllib.request.urlopen
    requested, installed = [], []

    def urlopen_via_local_server(url, *args, **kwargs):  # raw.githubusercontent.com -> 127.0.0.1
        requested.append(url)
        return real_urlopen(url.replace("https://raw.githubusercontent.com", local_server.url), *args, **kwargs)

    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(urllib.request, "urlopen", urlopen_via_local_server)
    monkeypatch.setattr(subprocess, "run", lambda args, **kwargs: installed.append(args))
    run_setup_cell(tmp_path, monkeypatch)

    assert len(installed) == 1 and installed[0][1:4] == ["-m", "pip", "install"]
    assert {"mlxtend>=0.19", "torchmetrics"} <= set(installed[0])
    assert requested == [f"https://raw.githubusercontent.com{pinned}"]
    assert (tmp_path / "helper_functions.py").read_bytes() == HELPERS
    assert files_in(tmp_path) == ["helper_functions.py"]
    assert sys.path[0] == str(tmp_path)  # so `import helper_functions` finds the download
