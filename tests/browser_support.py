"""What the two browser test files share, imported as ``from browser_support import ...``:
tests/test_export_browser.py (slides, Marp decks, PDFs) and tests/test_site_browser.py
(the website). Their fixtures (the session's one export, the static server on 127.0.0.1,
the one headless Chromium, ``open_page``) are in tests/conftest.py, which imports this
module only inside them, when a browser test runs.

The browser tests (marker ``browser``, see ``browser_test``) are skipped only when
Chromium or Node.js is missing (``scripts/setup.sh`` installs both); set
``COURSE_REQUIRE_BROWSER=1`` to make that a failure instead (CI).
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from export_course import read_speaker_notes
from notebook_header import BADGE_TAG, SETUP_TAG
from support import COURSE_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: No host name resolves except localhost, and the only proxy is a closed port:
#: even a request that slipped past the route filter could not leave the machine.
CHROMIUM_ARGS = [
    "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--disable-features=MediaRouter,OptimizationHints",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost",
]
SCREENSHOTS = COURSE_ROOT / "build" / "screenshots"
#: The course's licences, as every slide, deck page and website page must link them.
LICENCE_LINKS = {"MIT License": "https://opensource.org/license/mit",
                 "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/"}
#: The course notebooks; COURSE_NOTEBOOKS=DIR tests the notebooks of another folder.
NOTEBOOKS_DIR = Path(os.environ.get("COURSE_NOTEBOOKS", COURSE_ROOT / "notebooks")).resolve()
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
STEMS = [p.stem for p in NOTEBOOKS]
TIMEOUT_MS = 30_000


def _missing_tools() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (scripts/setup.sh installs Debian's chromium)"
    if not shutil.which("node") or not shutil.which("npm"):
        return "Node.js/npm not found (scripts/setup.sh installs them)"
    return None


_MISSING = _missing_tools()
# In CI (CI set, as GitHub Actions and most CI services set it, or COURSE_REQUIRE_BROWSER=1
# as .ci/run sets it) the browser tests must run: a missing tool fails instead of skipping.
_REQUIRED_BY = ("COURSE_REQUIRE_BROWSER=1" if os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
                else "CI is set" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false") else None)
if _MISSING and _REQUIRED_BY:
    raise RuntimeError(f"{_REQUIRED_BY} but {_MISSING}")


def browser_test(test):
    """Mark ``test`` as one that needs the export and Chromium: marker ``browser``,
    skipped when the tools are missing."""
    return pytest.mark.browser(pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")(test))


# ----------------------------------------------------------------------------- what to expect


def slide_type(cell) -> str:
    slideshow = cell.get("metadata", {}).get("slideshow", {})
    return (slideshow.get("slide_type") if isinstance(slideshow, dict) else None) or "-"


def shown_cells(nb) -> list:
    """The cells of slides and decks: all but the generated Colab header cells."""
    return [c for c in nb.cells if not {BADGE_TAG, SETUP_TAG} & set(c.get("metadata", {}).get("tags", []))]


def image_outputs(cells) -> int:
    """PNG/JPEG outputs of code cells that are not skipped (nbconvert shows them as <img>)."""
    return sum(
        1
        for c in cells
        if c.cell_type == "code" and slide_type(c) != "skip"
        for out in c.get("outputs", [])
        if {"image/png", "image/jpeg"} & set(out.get("data", {}))
    )


def has_math(cells) -> bool:
    return any(c.cell_type == "markdown" and re.search(r"\$[^$\s][^$\n]*\$", c.source) for c in cells)


@functools.cache
def notebook(stem: str):
    return nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)


def plain(markdown: str) -> str:
    """Markdown text roughly as the browser shows it: no code marks, single spaces."""
    return " ".join(markdown.replace("`", "").split())


@functools.cache
def speaker_notes() -> dict[str, dict[str, str]]:
    return read_speaker_notes()


def first_note(stem: str, heading: str) -> str:
    """The first line of a section's speaker notes, without its bullet: text to look for."""
    return speaker_notes()[stem][heading].splitlines()[0].removeprefix("- ")


# ----------------------------------------------------------------------------- the harness


def can_unshare_network() -> bool:
    """Whether ``unshare -rn`` may run a command in a new network namespace (no network)."""
    try:
        return subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def is_local(url: str) -> bool:
    """A URL the page may load: the static server on 127.0.0.1, or no host at all."""
    u = urlparse(url)
    return u.scheme in ("data", "blob", "about") or (u.scheme in ("http", "ws") and u.hostname == "127.0.0.1")


def wait_for_mathjax(page) -> None:
    page.wait_for_function(
        "() => !window.MathJax || (MathJax.Hub && MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0)",
        timeout=TIMEOUT_MS,
    )


def licence_links(element) -> dict[str, str]:
    """``{link text: href}`` of the links inside a Playwright locator (the licence notice)."""
    return dict(element.evaluate("e => [...e.querySelectorAll('a')].map(a => [a.textContent.trim(), a.getAttribute('href')])"))
