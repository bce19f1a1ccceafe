"""The course website (MkDocs, Material theme, mkdocs-jupyter), checked in a real browser, offline.

It uses the export of ``tests/test_export_browser.py`` (one ``scripts/export_course.sh``
per test session: the fixtures are in tests/conftest.py, the constants and helpers the
two files share in tests/browser_support.py) and the same headless Chromium, which
reaches nothing but the static server on 127.0.0.1: any other request, failed local
request or console error fails a test. Checked here:

- every page opens, in syllabus order in the navigation (the instructor's guide last),
  with a link to the next page (and the previous one), the page's contents beside the
  text, and the course's two licences, linked, in its footer;
- every lesson page has the notebook's numbered headings, a copy button on each code
  cell, a text alternative on each figure, links to its slides, Marp deck, PDF and
  notebook, and "Open in" badges for Colab, Kaggle, Binder and SageMaker Studio Lab,
  drawn by the site itself, each linking where scripts/notebook_header.py's
  ``launch_urls`` says;
- a line of code or of printed output that is longer than its box wraps between words,
  never inside one (a word is cut only when it is longer than a whole line), at a
  laptop's width and a phone's;
- the instructor's guide: in the navigation and linked from the home page, a row per
  notebook with its reading time (scripts/reading_time.py's rule) and its measured run
  time (scripts/export/site/lesson_run_times.json), every lesson link working;
- full-text search: "TinyVGG" finds notebook 05, "confusion matrix" finds 07;
- the light and the dark theme (screenshots in ``build/screenshots/site-*.png``);
- no broken link anywhere on the site, anchors included (LinkChecker);
- no serious or critical accessibility violation on the home page, a lesson and the
  instructor's guide (axe-core).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import (
    LICENCE_LINKS,
    NOTEBOOKS_DIR,
    SCREENSHOTS,
    STEMS,
    TIMEOUT_MS,
    browser_test,
    first_note,
    has_math,
    image_outputs,
    licence_links,
    notebook,
    plain,
    shown_cells,
    speaker_notes,
    wait_for_mathjax,
)
from export_course import section_headings
from notebook_header import launch_urls  # pytest.ini puts scripts/ on the import path
from reading_time import core_and_optional, reading_minutes
from support import COURSE_ROOT


EXPORT_DIR = COURSE_ROOT / "scripts" / "export"
AXE = EXPORT_DIR / "node_modules" / "axe-core" / "axe.min.js"
LINKCHECKER_CONFIG = EXPORT_DIR / "site" / "linkcheckerrc"
#: The site's pages in syllabus order: the home page, one per notebook, the instructor's guide.
GUIDE = "instructors.html"
PAGES = ["index.html"] + [f"{stem}.html" for stem in STEMS] + [GUIDE]
RUN_TIMES = EXPORT_DIR / "site" / "lesson_run_times.json"
#: A laptop's window and a phone's, for the lines that must wrap between words.
WRAP_VIEWPORTS = [(1280, 720), (412, 915)]
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
    licence = page.locator("footer .md-copyright__highlight")
    assert licence.is_visible() and licence_links(licence) == LICENCE_LINKS
    assert problems == []


@browser_test
@pytest.mark.parametrize("stem", STEMS)
def test_lesson_page(open_page, site, stem):
    """A lesson as the notebook has it: headings, code with copy buttons, figures with
    alt text, maths; plus its links to the slides, deck, PDF, notebook, and to the four
    services it opens in."""
    nb = notebook(stem)
    page, problems = open_page(f"{stem}.html")
    wait_for_mathjax(page)
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
    # The lesson's other forms, each a file of the site; the services it opens in, at this
    # release, each behind a badge that the site draws itself (a remote image is a problem).
    links = dict(page.eval_on_selector_all(
        "nav.lesson-links a", "links => links.map(a => [a.textContent.trim() || a.querySelector('img').alt, a.getAttribute('href')])"
    ))
    launch = {f"Open in {service}": url for service, url in launch_urls(stem).items()}
    assert {"Open in Colab", "Open in Kaggle", "Open in Binder", "Open in SageMaker Studio Lab"} <= set(launch)
    assert set(links) == {"Slides", "Marp deck", "PDF", "Download .ipynb", *launch}, links
    for name, href in links.items():
        if name in launch:
            assert href == launch[name], (name, href)
        else:
            assert (site / href).is_file(), (name, href)
    badges = page.eval_on_selector_all(
        "nav.lesson-links img",
        "imgs => imgs.map(i => [i.alt, i.complete && i.naturalWidth > 0, new URL(i.src).host === location.host])",
    )
    assert sorted(alt for alt, _, _ in badges) == sorted(launch) and all(ok and here for _, ok, here in badges), badges
    assert problems == []


@browser_test
def test_notebook_download_is_the_notebook(site):
    """The .ipynb to download is the course notebook as it is, set-up cell and all."""
    for stem in STEMS:
        assert (site / "notebooks" / f"{stem}.ipynb").read_bytes() == (NOTEBOOKS_DIR / f"{stem}.ipynb").read_bytes()


# ----------------------------------------------------------------------------- long lines

#: Page JS: every place where the browser wrapped a line of code or printed output (a
#: break that is not a newline of the text) between two letters or digits, unless the
#: word there (the run of characters between spaces) is wider than the whole box, the
#: one case where cutting it is the only way to show it. Also every such box that hides
#: what does not fit instead of letting it scroll sideways.
FIND_WORDS_CUT_AT_THE_EDGE = """() => {
    const found = [];
    let softBreaks = 0;
    const range = document.createRange();
    const isSpace = c => /\\s/.test(c);
    const inWord = c => /[\\p{L}\\p{N}_]/u.test(c);
    for (const pre of document.querySelectorAll('article .jp-OutputArea-output pre, article .highlight-ipynb pre')) {
        if (!pre.getClientRects().length) continue;
        const style = getComputedStyle(pre);
        const lineHeight = parseFloat(style.lineHeight) || 1.3 * parseFloat(style.fontSize);
        const contentWidth = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        if (pre.scrollWidth > pre.clientWidth + 1 && !['auto', 'scroll'].includes(style.overflowX)) {
            found.push({kind: 'clipped', line: pre.textContent.split('\\n').find(l => l.length) || ''});
        }
        const text = [];  // [text node, offset, character], every character of the box
        const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.data.length; i++) text.push([node, i, node.data[i]]);
        }
        if (pre.getBoundingClientRect().height < (text.filter(t => t[2] === '\\n').length + 1.5) * lineHeight) continue;
        const probe = document.createElement('span');
        probe.style.whiteSpace = 'pre';
        let previousTop = null;
        for (let k = 0; k < text.length; k++) {
            const [node, i, ch] = text[k];
            if (ch === '\\n') { previousTop = null; continue; }
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            if (previousTop !== null && rect.top > previousTop + lineHeight / 2) {
                softBreaks++;
                if (inWord(ch) && inWord(text[k - 1][2])) {
                    let a = k, b = k;
                    while (a > 0 && !isSpace(text[a - 1][2])) a--;
                    while (b < text.length && !isSpace(text[b][2])) b++;
                    probe.textContent = text.slice(a, b).map(t => t[2]).join('');
                    pre.appendChild(probe);
                    const tooLong = probe.getBoundingClientRect().width > contentWidth;
                    probe.remove();
                    if (!tooLong) {
                        let start = k, end = k;
                        while (start > 0 && text[start - 1][2] !== '\\n') start--;
                        while (end < text.length && text[end][2] !== '\\n') end++;
                        const line = text.slice(start, end).map(t => t[2]).join('');
                        found.push({kind: 'cut', line, at: line.slice(0, k - start) + ' ⏎ ' + line.slice(k - start)});
                    }
                }
            }
            previousTop = rect.top;
        }
    }
    return {found, softBreaks};
}"""


def words_cut_at_the_edge(page) -> dict:
    page.evaluate("() => document.fonts.ready")
    return page.evaluate(FIND_WORDS_CUT_AT_THE_EDGE)


@browser_test
@pytest.mark.parametrize("viewport", WRAP_VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
@pytest.mark.parametrize("stem", STEMS)
def test_long_lines_wrap_between_words(open_page, stem, viewport):
    """A printed line wider than its box ("Epoch 1/3 | train loss: ... | val acc: ...") and
    a long line of code wrap at a space (course.css), instead of cutting a word at the
    box's edge as mkdocs-jupyter's "word-break: break-all" did ("| v" / "al acc")."""
    page, problems = open_page(f"{stem}.html", viewport=viewport)
    result = words_cut_at_the_edge(page)
    found = result["found"]
    assert found == [], (
        f"{stem} at {viewport[0]}x{viewport[1]}: {len(found)} lines cut inside a word "
        f"(⏎ where the line breaks); first: {found[0]['kind']}: {found[0].get('at', found[0]['line'])!r}"
    )
    assert problems == []


@browser_test
def test_wrap_check_sees_a_word_cut_at_the_edge(open_page):
    """The check above fails on the old behaviour: with mkdocs-jupyter's own rule for
    text outputs put back, the training log's lines are cut inside a word."""
    stem = next((s for s in STEMS if any("val acc:" in out.get("text", "") for c in notebook(s).cells
                                         for out in c.get("outputs", []))), None)
    if stem is None:
        pytest.skip("no notebook prints a training log")
    page, _ = open_page(f"{stem}.html", viewport=WRAP_VIEWPORTS[0])
    assert words_cut_at_the_edge(page)["found"] == []
    page.add_style_tag(content=".jupyter-wrapper .jp-OutputArea-output pre { word-break: break-all !important; }")
    cut = words_cut_at_the_edge(page)["found"]
    assert any(c["line"].startswith("Epoch ") and "val acc:" in c["line"] for c in cut), cut[:3]


# ----------------------------------------------------------------------------- the instructor's guide


def _seconds(shown: str) -> int | None:
    """``25 s`` or ``3 min 05 s`` as seconds; None for "not measured yet"."""
    if match := re.fullmatch(r"(?:(\d+) min )?(\d+) s", shown.strip()):
        return int(match.group(1) or 0) * 60 + int(match.group(2))
    assert shown.strip() == "not measured yet", shown
    return None


@browser_test
def test_instructors_guide(open_page, base_url):
    """The guide is in the navigation and linked from the home page; its table has a row
    per notebook, each with the reading time of the notebook's core path and the run time
    measured for it; it says that no GPU was timed; every link to a lesson or its slides
    opens."""
    page, problems = open_page("index.html")
    nav = dict(page.eval_on_selector_all(
        ".md-nav--primary .md-nav__item > a.md-nav__link",
        "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])",
    ))
    assert Path(nav.get("Instructor's guide", "")).name == GUIDE, nav
    assert page.locator(f"article a[href='{GUIDE}']").count() > 0, "the home page does not link to the guide"

    page, problems = open_page(GUIDE)
    run_times = json.loads(RUN_TIMES.read_text())
    rows = page.evaluate(
        """() => [...document.querySelector('article table').tBodies[0].rows]
            .map(r => [...r.cells].map(c => [c.innerText.trim(), c.querySelector('a')?.getAttribute('href')]))"""
    )
    assert [cells[0][0] for cells in rows] == [stem[:2] for stem in STEMS]
    for stem, (number, lesson, reading, run_time, slides) in zip(STEMS, rows):
        assert lesson[1] == f"{stem}.html", lesson
        core, _ = core_and_optional(notebook(stem).cells)
        assert re.match(rf"{reading_minutes(core):.0f} min\b", reading[0]), (stem, reading[0])
        assert _seconds(run_time[0]) == run_times["seconds"].get(stem), (stem, run_time[0])
    text = " ".join(page.inner_text("article").split())
    assert "No run on a GPU has been timed" in text
    assert f"{run_times['cpu']}, {run_times['cores']} CPUs, measured {run_times['date']}" in text
    hrefs = set(page.eval_on_selector_all("article a[href]", "links => links.map(a => a.getAttribute('href'))"))
    lessons = {h for h in hrefs if re.fullmatch(r"(slides/)?\d\d_\w+(\.slides)?\.html", h)}
    assert lessons >= {f"{stem}.html" for stem in STEMS} | {f"slides/{stem}.slides.html" for stem in STEMS}
    for href in sorted(lessons):
        assert page.request.get(base_url + href).status == 200, href
    assert problems == []


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
    wait_for_mathjax(page)
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
@pytest.mark.parametrize("path", ["index.html", f"{LESSON}.html", GUIDE])
def test_accessibility(open_page, path):
    page, problems = open_page(path)
    wait_for_mathjax(page)
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
