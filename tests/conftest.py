"""Shared fixtures: a throwaway HTTP server on 127.0.0.1 and the course paths."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
