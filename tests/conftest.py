"""Shared fixtures: a throwaway HTTP server on 127.0.0.1, the course paths, and the
browser tests' export, static server and Chromium (tests/test_export_browser.py and
tests/test_site_browser.py; their shared constants and helpers are in tests/browser_support.py)."""
from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import COURSE_ROOT


class LocalServer:
    """Serves ``routes``: path -> (status, body bytes, content type)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, body, content_type = routes.get(self.path, (404, b"<html>Not Found</html>", "text/html"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, path: str, body: bytes, status: int = 200, content_type: str = "application/octet-stream") -> str:
        self.routes[path] = (status, body, content_type)
        return self.url + path


@pytest.fixture
def local_server():
    server = LocalServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture(scope="module")
def one_thread():
    """One CPU thread for a module's tests (``pytestmark = pytest.mark.usefixtures("one_thread")``):
    tiny models gain nothing from a second one, and on a busy machine a second thread
    can make each small operation many times slower."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def course_root() -> Path:
    return COURSE_ROOT


# ----------------------------------------------------------------------------- the browser tests
# Session fixtures, built only when a browser test asks for them: tests/browser_support.py
# (Chromium's path, the notebooks, the CI rule that a missing Chromium fails) is imported
# inside them, so a run without browser tests neither imports it nor exports anything.


@pytest.fixture(scope="session")
def export(tmp_path_factory) -> dict:
    """Run the instructor command once per session, for both browser test files:
    ``scripts/export_course.sh --out SITE``.

    The npm packages are installed first (a no-op when current), so the export
    itself can run in a new network namespace with no network at all.
    """
    from browser_support import NOTEBOOKS, can_unshare_network

    subprocess.run(["bash", "scripts/export/setup_export.sh", "--node-only"], cwd=COURSE_ROOT, check=True)
    site = tmp_path_factory.mktemp("site")
    offline = can_unshare_network()
    command = ["bash", "scripts/export_course.sh", "--out", str(site), *map(str, NOTEBOOKS)]
    done = subprocess.run(
        (["unshare", "-rn"] if offline else []) + command,
        cwd=COURSE_ROOT, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True,
    )
    assert done.returncode == 0, f"export failed:\n{done.stdout}\n{done.stderr}"
    return {"site": site, "offline": offline, "log": done.stdout}


@pytest.fixture(scope="session")
def site(export) -> Path:
    return export["site"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(site) -> Iterator[str]:
    """The exported site, served the way an instructor would: a static server on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    # A client that hangs up early (LinkChecker after a 404 for robots.txt) is no error
    # of the site; what a browser fails to load is reported by the tests themselves.
    server.handle_error = lambda request, client_address: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """The session's one headless Chromium: Playwright's sync API runs one instance at a time."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright  # imported here: skipped tests need no Playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, base_url) -> Iterator[Callable]:
    """``open_page(path, viewport=None)`` -> (page, problems): every remote request,
    failed request, HTTP error, console error or uncaught exception is appended to
    ``problems``. The page is 1280x720 unless ``viewport`` is (width, height)."""
    from browser_support import TIMEOUT_MS, is_local

    context = browser.new_context(viewport={"width": 1280, "height": 720}, service_workers="block")
    problems: list[str] = []

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            problems.append(f"remote request: {r.request.url}")
            r.abort("blockedbyclient")

    context.route("**/*", route)
    context.on("requestfailed", lambda r: is_local(r.url) and problems.append(f"failed: {r.url} ({r.failure})"))
    context.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))

    def _open(path: str, viewport: tuple[int, int] | None = None):
        page = context.new_page()
        if viewport:
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text} at {m.location}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.goto(base_url + path, wait_until="load", timeout=TIMEOUT_MS)
        return page, problems

    yield _open
    context.close()


# ----------------------------------------------------------------------------- collection hooks


def notebook_names(items) -> set[str]:
    return {Path(str(item.fspath)).name for item in items if str(item.fspath).endswith(".ipynb")}


def pytest_deselected(items) -> None:
    """Remember notebooks that -m or -k deselected: they were collected all the same."""
    config = items[0].config if items else None
    if config is not None:
        config.deselected_notebooks = getattr(config, "deselected_notebooks", set()) | notebook_names(items)


def pytest_collection_finish(session) -> None:
    """Remember which notebooks nbval collected, for tests/test_notebooks.py."""
    collected = notebook_names(session.items) | getattr(session.config, "deselected_notebooks", set())
    session.config.collected_notebooks = sorted(collected)
