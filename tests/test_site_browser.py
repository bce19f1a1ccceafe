"""The course website (MkDocs, Material theme, mkdocs-jupyter), checked in a real browser, offline.

It uses the export of ``tests/test_export_browser.py`` (one ``scripts/export_course.sh``
per test session, its fixtures imported here) and the same headless Chromium, which
reaches nothing but the static server on 127.0.0.1: any other request, failed local
request or console error fails a test. Checked here:

- every lesson page opens, in syllabus order in the navigation, with a link to the
  next lesson (and the previous one), the page's contents beside the text, the
  notebook's numbered headings, a copy button on each code cell, a text alternative
  on each figure, and links to its slides, Marp deck, PDF, notebook and Colab;
- full-text search: "TinyVGG" finds notebook 05, "confusion matrix" finds 07;
- the light and the dark theme (screenshots in ``build/screenshots/site-*.png``);
- no broken link anywhere on the site, anchors included (LinkChecker);
- no serious or critical accessibility violation on the home page and a lesson (axe-core).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_export_browser import (  # noqa: F401  (fixtures: pytest finds them by name)
    COURSE_ROOT,
    NOTEBOOKS_DIR,
    SCREENSHOTS,
    STEMS,
    TIMEOUT_MS,
    _wait_for_mathjax,
    base_url,
    browser,
    browser_test,
    export,
    first_note,
    has_math,
    image_outputs,
    notebook,
    open_page,
    plain,
    section_headings,
    shown_cells,
    site,
    speaker_notes,
)

EXPORT_DIR = COURSE_ROOT / "scripts" / "export"
AXE = EXPORT_DIR / "node_modules" / "axe-core" / "axe.min.js"
LINKCHECKER_CONFIG = EXPORT_DIR / "site" / "linkcheckerrc"
#: The site's pages in syllabus order: the home page, then one per notebook.
PAGES = ["index.html"] + [f"{stem}.html" for stem in STEMS]
#: A lesson for the checks done on one page (screenshots, accessibility).
LESSON = next((s for s in STEMS if s.startswith("05_")), STEMS[0] if STEMS else "")


def _code_cells(nb) -> int:
    return sum(1 for c in shown_cells(nb) if c.cell_type == "code")


def search(page, query: str) -> list[str]:
    """The pages (file names) of the search results for ``query``, best first."""
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.fill("input.md-search__input", query)
    page.wait_for_selector(".md-search-result__item", timeout=TIMEOUT_MS)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__item > .md-search-result__link", "links => links.map(a => a.getAttribute('href'))"
    )
    return [Path(href.split("?")[0].split("#")[0]).name for href in hrefs]


# ----------------------------------------------------------------------------- pages


@browser_test
def test_navigation_is_in_syllabus_order(open_page):
    page, problems = open_page("index.html")
    links = page.eval_on_selector_all(
        ".md-nav--primary .md-nav__item > a.md-nav__link", "links => links.map(a => a.getAttribute('href'))"
    )
    assert [Path(h).name for h in links if not h.startswith("#")] == PAGES  # "#": the page's own contents
    assert problems == []


@browser_test
@pytest.mark.parametrize("index", range(len(PAGES)), ids=lambda i: PAGES[i].removesuffix(".html"))
def test_page_links_to_the_next(open_page, site, index):
    """Each page opens without a problem and its footer links to the previous and next page."""
    page, problems = open_page(PAGES[index])
    footer = page.eval_on_selector_all(
        "a.md-footer__link", "links => links.map(a => [a.classList.contains('md-footer__link--next'), a.getAttribute('href')])"
    )
    following = {("next" if is_next else "previous"): Path(href).name for is_next, href in footer}
    expected = {}
    if index > 0:
        expected["previous"] = PAGES[index - 1]
    if index + 1 < len(PAGES):
        expected["next"] = PAGES[index + 1]
    assert following == expected
    assert page.locator(".md-sidebar--secondary .md-nav__link").count() > 0, "no contents beside the text"
    assert problems == []


@browser_test
@pytest.mark.parametrize("stem", STEMS)
def test_lesson_page(open_page, site, stem):
    """A lesson as the notebook has it: headings, code with copy buttons, figures with
    alt text, maths; plus its links to the slides, deck, PDF, notebook and Colab."""
    nb = notebook(stem)
    page, problems = open_page(f"{stem}.html")
    _wait_for_mathjax(page)
    # The notebook's numbered "## " headings, in its order, and in the contents beside the text.
    headings = [h.replace("`", "") for _, h in section_headings(nb)]
    shown = [t.replace("¶", "").strip() for t in page.locator("article h2").all_inner_texts()]
    assert [h for h in shown if h != "Contents"] == headings
    contents = [t.strip() for t in page.locator(".md-sidebar--secondary .md-nav__link").all_inner_texts()]
    assert [h for h in headings if h not in contents] == []
    # Every code cell has its copy button; every figure its text alternative.
    assert page.locator(".jp-CodeCell clipboard-copy[aria-label]").count() == _code_cells(nb)
    figures = page.eval_on_selector_all(
        "article .jupyter-wrapper img", "imgs => imgs.map(i => [i.getAttribute('alt') || '', i.complete && i.naturalWidth > 0])"
    )
    assert len(figures) >= image_outputs(shown_cells(nb))
    assert all(alt.strip() and loaded for alt, loaded in figures), figures
    if has_math(nb.cells):
        assert page.locator("article .mjx-chtml").count() > 0, "MathJax did not typeset the maths"
    text = page.inner_text("article")
    assert "fetch_helper_functions" not in (site / f"{stem}.html").read_text(), "setup cell on the page"
    notes = speaker_notes().get(stem, {})
    shown_notes = [h for _, h in section_headings(nb) if notes.get(h) and plain(first_note(stem, h)) in text]
    assert shown_notes == [], "speaker notes on the page"
    # The lesson's other forms, each a file of the site; Colab at this release.
    links = dict(page.eval_on_selector_all(
        "nav.lesson-links a", "links => links.map(a => [a.textContent.trim() || a.querySelector('img').alt, a.getAttribute('href')])"
    ))
    assert set(links) == {"Slides", "Marp deck", "PDF", "Download .ipynb", "Open in Colab"}, links
    for name, href in links.items():
        if name != "Open in Colab":
            assert (site / href).is_file(), (name, href)
    assert links["Open in Colab"].startswith("https://colab.research.google.com/github/")
    assert links["Open in Colab"].endswith(f"/notebooks/{stem}.ipynb")
    badge = page.locator("nav.lesson-links img")
    assert badge.evaluate("i => i.complete && i.naturalWidth > 0")
    assert problems == []


@browser_test
def test_notebook_download_is_the_notebook(site):
    """The .ipynb to download is the course notebook as it is, set-up cell and all."""
    for stem in STEMS:
        assert (site / "notebooks" / f"{stem}.ipynb").read_bytes() == (NOTEBOOKS_DIR / f"{stem}.ipynb").read_bytes()


# ----------------------------------------------------------------------------- search and themes


@browser_test
@pytest.mark.parametrize(("query", "stem_prefix"), [("TinyVGG", "05_"), ("confusion matrix", "07_")])
def test_search_finds_the_lesson(open_page, query, stem_prefix):
    page, problems = open_page("index.html")
    found = search(page, query)
    expected = next(f"{s}.html" for s in STEMS if s.startswith(stem_prefix))
    assert expected in found[:3], found
    if query == "TinyVGG":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "site-search.png"))
    assert problems == []


@browser_test
def test_light_and_dark_themes(open_page):
    """The palette switch turns the page dark and back; screenshots of both, and of the home page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, problems = open_page("index.html")
    page.screenshot(path=str(SCREENSHOTS / "site-index.png"))
    page, problems = open_page(f"{LESSON}.html")
    _wait_for_mathjax(page)
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(scheme) == "default"
    light = page.evaluate(background)
    page.screenshot(path=str(SCREENSHOTS / "site-lesson-light.png"))
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"() => ({scheme})() === 'slate'", timeout=TIMEOUT_MS)
    dark = page.evaluate(background)
    page.screenshot(path=str(SCREENSHOTS / "site-lesson-dark.png"))
    assert light != dark
    assert sum(int(v) for v in re.findall(r"\d+", dark)[:3]) < sum(int(v) for v in re.findall(r"\d+", light)[:3])
    assert problems == []


# ----------------------------------------------------------------------------- links and accessibility


@browser_test
def test_no_broken_link(base_url):
    """LinkChecker crawls the whole site from its home page over HTTP: every page, file
    and #anchor that a link of the site points at exists (links to other hosts are not
    followed: the check is offline)."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "linkchecker"), "--config", str(LINKCHECKER_CONFIG), "--no-status",
         "--output", "text", base_url + "index.html"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    checked = re.search(r"(\d+) links? in (\d+) URLs? checked", done.stdout)
    assert checked and int(checked.group(2)) > len(PAGES) * 5, done.stdout[-2000:]


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page (WCAG 2.x A and AA rules)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                    resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


@browser_test
@pytest.mark.parametrize("path", ["index.html", f"{LESSON}.html"])
def test_accessibility(open_page, path):
    page, problems = open_page(path)
    _wait_for_mathjax(page)
    violations = run_axe(page)
    report = COURSE_ROOT / "build" / "screenshots" / f"axe-{Path(path).stem}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(violations, indent=1))
    assert violations == [], json.dumps(violations, indent=1)
    assert problems == []


@browser_test
def test_axe_reports_a_violation(open_page, site):
    """The check above would see an image without a text alternative."""
    probe = site / "probe_axe.html"
    probe.write_text('<!DOCTYPE html><html lang="en"><head><title>probe</title></head>'
                     '<body><main><img src="images/colab-badge.svg"></main></body></html>')
    try:
        page, _ = open_page(probe.name)
        ids = [v["id"] for v in run_axe(page)]
    finally:
        probe.unlink()
    assert "image-alt" in ids
