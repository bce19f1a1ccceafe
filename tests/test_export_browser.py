"""The exported slides and Marp decks, checked in a real browser, offline.

One export of every ``notebooks/NN_*.ipynb`` (``scripts/export_course.sh``) into a
temporary folder, run without network where ``unshare -rn`` is allowed; then headless
Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) opens each file from
an HTTP server on 127.0.0.1 with every other host unreachable. Any request that
leaves the machine, any failed local request and any console error fails the test.
The first slide of every deck is saved to ``build/screenshots/NAME.png``. Every
code block of every reveal.js slide must fit the slide's width at 1280x720 and
1024x768, and every section must carry its speaker notes, hidden from the slide.

The decks are in the instructor's Marp theme (scripts/export/themes/ub.css) with
KaTeX's fonts from the site, and their PDFs have a page per slide with no code line
cut at the right edge. Every reveal.js slide, every deck page and every PDF page names
the course's two licences (code MIT, text, figures and slides CC BY 4.0) with links.
The website itself is tested in ``tests/test_site_browser.py``, which shares this
module's export and browser: the fixtures ``export``, ``site``, ``base_url``, ``browser``
and ``open_page`` are in tests/conftest.py, the constants and helpers both files use in
tests/browser_support.py.

The browser tests (marker ``browser``) are skipped only when Chromium or Node.js is
missing (``scripts/setup.sh`` installs both); set ``COURSE_REQUIRE_BROWSER=1`` to make
that a failure instead (CI). The check of the speaker-notes file against the
notebooks' sections needs neither and always runs.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import jupytext
import nbformat
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
    slide_type,
    speaker_notes,
    wait_for_mathjax,
)
from export_course import section_headings, speaker_notes_problems, without_optional_sections
from support import COURSE_ROOT

#: The instructor's Marp theme that the decks must wear, and its navy (section's top rule).
MARP_THEME = COURSE_ROOT / "scripts" / "export" / "themes" / "ub.css"
MARP_THEME_NAME = re.search(r"@theme\s+([\w-]+)", MARP_THEME.read_text()).group(1)
UB_NAVY = "rgb(11, 37, 69)"
#: The notebooks' sources: they exist even while an .ipynb is being executed again.
SOURCES = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
#: Where an instructor projects the slides: a 16:9 laptop screen and a 4:3 projector.
VIEWPORTS = [(1280, 720), (1024, 768)]


# ----------------------------------------------------------------------------- what to expect


def expected_slides(nb) -> tuple[int, int]:
    """(horizontal, total) slides that reveal.js must report, from the slideshow metadata.

    The first cell that is not "skip" or "notes" opens slide 1; then each "slide" cell
    opens a horizontal slide and each "subslide" cell a vertical one below it.
    Reveal.getTotalSlides() counts both; a Marp deck has that many pages.
    """
    kinds = [slide_type(c) for c in shown_cells(nb)]
    visible = [i for i, kind in enumerate(kinds) if kind not in ("skip", "notes")]
    assert visible, "a notebook with no visible cell cannot become slides"
    after_first = kinds[visible[0] + 1 :]
    horizontal = 1 + after_first.count("slide")
    return horizontal, horizontal + after_first.count("subslide")


def slides_notebook(stem: str):
    """What the slides and decks show of a notebook: its core path, the optional
    "Going deeper" sections left out (export_course.py without --with-optional)."""
    return without_optional_sections(notebook(stem))


# ----------------------------------------------------------------------------- tests


@browser_test
def test_export_covers_every_notebook(export):
    assert STEMS, "no notebooks/NN_*.ipynb to export"
    site = export["site"]
    for stem in STEMS:
        for path in (f"{stem}.html", f"notebooks/{stem}.ipynb", f"slides/{stem}.slides.html",
                     f"marp/{stem}/{stem}.md", f"marp/{stem}/{stem}.html", f"marp/{stem}/{stem}.pdf"):
            assert (site / path).is_file(), path
    print(export["log"])


@browser_test
def test_export_ran_without_network(export):
    if not export["offline"]:
        pytest.skip("`unshare -rn` is not allowed here, so the export ran with the network up")
    assert "notebooks in" in export["log"]


@browser_test
@pytest.mark.parametrize("stem", STEMS)
def test_reveal_slides(open_page, site, stem):
    nb = slides_notebook(stem)
    cells = shown_cells(nb)
    page, problems = open_page(f"slides/{stem}.slides.html")
    page.wait_for_selector(".reveal.ready", timeout=TIMEOUT_MS)
    # reveal.js is an AMD module loaded by require.js: ask require.js for the same instance.
    info = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const css = document.querySelector('link[href$="dist/reveal.css"]').getAttribute('href');
            require([css.replace(/\\.css$/, '.js')], Reveal => resolve({
                ready: Reveal.isReady(),
                total: Reveal.getTotalSlides(),
                horizontal: Reveal.getHorizontalSlides().length,
                notesPlugin: Reveal.hasPlugin('notes'),
                notes: Reveal.getSlides().filter(s => (Reveal.getSlideNotes(s) || '').trim()).length,
                indices: Reveal.getIndices(),
                images: [...document.images].filter(i => i.src.startsWith('data:image/') && i.naturalWidth > 0).length,
            }), reject);
        })"""
    )
    wait_for_mathjax(page)
    page.evaluate("() => document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"))

    assert info["ready"] and info["indices"]["h"] == 0 and info["indices"]["v"] == 0, info
    assert (info["horizontal"], info["total"]) == expected_slides(nb), info
    assert info["notesPlugin"]
    # Speaker notes come from speaker_notes.md, one per section (test_reveal_speaker_notes).
    assert info["notes"] == len(section_headings(nb)), info
    assert info["images"] == image_outputs(cells), info
    if has_math(cells):
        assert page.locator(".reveal .mjx-chtml").count() > 0, "MathJax did not typeset the maths"
    assert "fetch_helper_functions" not in (site / f"slides/{stem}.slides.html").read_text(), "setup cell in slides"
    # The licences stay on screen, in a corner of every slide.
    licence = page.locator("footer.course-licence")
    assert licence.is_visible()
    assert licence_links(licence) == LICENCE_LINKS
    # Step through every slide and fragment, as a lecture would: the slide-change
    # handlers (MathJax re-rendering, scrolling tall slides) must not fail either.
    reached_end = page.evaluate(
        """() => new Promise(resolve => require([document.querySelector('link[href$="dist/reveal.css"]')
                .getAttribute('href').replace(/\\.css$/, '.js')], Reveal => {
            for (let step = 0; step < 5000 && !(Reveal.isLastSlide() && !Reveal.availableFragments().next); step++) {
                Reveal.next();
            }
            resolve(Reveal.isLastSlide());
        }))"""
    )
    wait_for_mathjax(page)
    assert reached_end
    assert problems == []


@browser_test
@pytest.mark.parametrize("stem", STEMS)
def test_marp_deck(open_page, site, stem):
    nb = slides_notebook(stem)
    page, problems = open_page(f"marp/{stem}/{stem}.html")
    page.wait_for_selector("svg[data-marpit-svg]", timeout=TIMEOUT_MS)
    pages = page.locator("svg[data-marpit-svg]").count()
    images = page.evaluate("() => [...document.images].map(i => i.complete && i.naturalWidth > 0)")
    figures = [p for p in (site / "marp" / stem).iterdir() if p.suffix in (".png", ".jpg", ".svg")]
    assert pages == expected_slides(nb)[1]
    assert len(figures) >= image_outputs(shown_cells(nb)) and all(images) and len(images) >= len(figures)
    assert "fetch_helper_functions" not in (site / "marp" / stem / f"{stem}.md").read_text()
    # Presenter notes (an HTML comment in the Markdown): one per section, never on a slide.
    notes = page.locator(".bespoke-marp-note")
    headings = [h for _, h in section_headings(nb)]
    assert notes.count() == len(headings)
    assert not any(notes.nth(i).is_visible() for i in range(notes.count()))
    all_notes = "\n".join(notes.all_text_contents())
    assert [h for h in headings if first_note(stem, h) not in all_notes] == []
    # The instructor's theme (themes/ub.css) styles every page: its name and its navy top rule.
    themes = page.evaluate(
        "() => [...document.querySelectorAll('section[id]')].map(s => [s.dataset.theme, getComputedStyle(s).borderTopColor])"
    )
    assert themes and set(map(tuple, themes)) == {(MARP_THEME_NAME, UB_NAVY)}, themes
    # Every page's footer names the course's licences, with links.
    footers = page.evaluate(
        """() => [...document.querySelectorAll('section[id]')].map(s => {
            const footer = s.querySelector(':scope > footer');
            return footer && Object.fromEntries(
                [...footer.querySelectorAll('a')].map(a => [a.textContent.trim(), a.getAttribute('href')]));
        })"""
    )
    assert len(footers) == pages and all(f == LICENCE_LINKS for f in footers), footers[:3]
    assert page.locator("section[id] > footer").first.is_visible()
    if has_math(shown_cells(nb)):  # KaTeX, with its fonts from the site (a remote font is a problem above)
        assert page.locator("section .katex").count() > 0
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate("() => document.fonts.check('20px KaTeX_Main')")
    assert problems == []


@browser_test
@pytest.mark.parametrize("stem", STEMS)
def test_marp_pdf(site, stem):
    """Each deck's PDF (printed by the system's Chromium) has one page per slide, each
    naming the course's licences, and no text of any page, code lines included, runs
    past its right edge."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextLine

    def lines(item):
        if isinstance(item, LTTextLine):
            yield item
        elif hasattr(item, "__iter__"):
            for child in item:
                yield from lines(child)

    pages = list(extract_pages(site / "marp" / stem / f"{stem}.pdf"))
    assert len(pages) == expected_slides(slides_notebook(stem))[1]
    cut, unlicensed = [], []
    for number, page in enumerate(pages, start=1):
        width = page.bbox[2]
        for line in lines(page):
            if any(isinstance(c, LTChar) and c.x1 > width + 0.5 for c in line):
                cut.append(f"page {number}: {line.get_text().strip()!r}")
        text = " ".join(line.get_text() for line in lines(page))
        if not all(name in text for name in LICENCE_LINKS):
            unlicensed.append(number)
    assert cut == [], f"{stem}.pdf: text past the right edge:\n" + "\n".join(cut[:10])
    assert unlicensed == [], f"{stem}.pdf: pages without the licence notice: {unlicensed}"


@browser_test
def test_pdf_check_sees_a_cut_line(browser, tmp_path):
    """The check above would see a code line that runs off a PDF page."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar

    page = browser.new_page()
    page.set_content("<pre style='margin-left:300px'>" + "x = 1  # " + "long comment " * 40 + "</pre>")
    page.pdf(path=str(tmp_path / "cut.pdf"), width="960px", height="540px")
    page.close()
    (pdf_page,) = extract_pages(tmp_path / "cut.pdf")
    chars = [c for box in pdf_page for line in box for c in line if isinstance(c, LTChar)]
    assert max(c.x1 for c in chars) > pdf_page.bbox[2]


@browser_test
def test_marp_theme_option(tmp_path):
    """``--marp-theme CSS`` puts every deck in that theme: its name in the deck's front
    matter and its rules in the rendered HTML."""
    theme = tmp_path / "probe.css"
    theme.write_text("/* @theme probe-theme */\n@import 'default';\nsection { background: rgb(1, 2, 3); }\n")
    stem = STEMS[-1]
    done = subprocess.run(
        ["bash", "scripts/export_course.sh", "--out", str(tmp_path / "site"), "--no-pdf", "--marp-theme", str(theme),
         str(NOTEBOOKS_DIR / f"{stem}.ipynb")],
        cwd=COURSE_ROOT, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    deck = tmp_path / "site" / "marp" / stem
    assert "\ntheme: probe-theme\n" in (deck / f"{stem}.md").read_text()
    html = (deck / f"{stem}.html").read_text()
    assert 'data-theme="probe-theme"' in html and "rgb(1,2,3)" in html.replace(" ", "")
    assert not (deck / f"{stem}.pdf").exists()


# ----------------------------------------------------------------------------- code that fits

#: Page JS: visit every slide, horizontal and vertical, and list each visible code
#: block (a ``pre``, the input editor around it, an output area) that is wider than
#: its box or reaches past the slide's right edge, with the first line that does not
#: fit (measured on a copy of the block holding that line alone). A wrapper is left
#: out when a block inside it is listed: the innermost block says most.
FIND_OVERFLOWING_CODE = """() => new Promise(resolve => require([document.querySelector('link[href$="dist/reveal.css"]')
        .getAttribute('href').replace(/\\.css$/, '.js')], Reveal => {
    const firstWideLine = block => {
        const pre = block.matches('pre') ? block : block.querySelector('pre');
        if (!pre) return block.textContent.trim().slice(0, 100);
        const lines = pre.textContent.split('\\n');
        const probe = pre.cloneNode(false);
        pre.parentNode.appendChild(probe);
        try {
            for (const line of lines) {
                probe.textContent = line;
                if (probe.scrollWidth > probe.clientWidth + 1) return line;
            }
        } finally { probe.remove(); }
        return lines.reduce((a, b) => b.length > a.length ? b : a);
    };
    const found = [];
    Reveal.getSlides().forEach((slide, index) => {
        const {h, v} = Reveal.getIndices(slide);
        Reveal.slide(h, v);
        const edge = slide.getBoundingClientRect().right;
        const here = [];
        for (const block of slide.querySelectorAll('pre, pre > code, .jp-InputArea-editor, .jp-OutputArea-output')) {
            if (!block.getClientRects().length) continue;  // not rendered, e.g. inside the speaker notes
            const wider = block.scrollWidth - block.clientWidth;
            const past = Math.round(block.getBoundingClientRect().right - edge);
            if (wider > 1 || past > 1) here.push({block, wider, past});
        }
        for (const {block, wider, past} of here) {
            if (here.some(other => other.block !== block && block.contains(other.block))) continue;
            found.push({index, h, v, block: [block.tagName.toLowerCase(), ...block.classList].join('.'),
                        wider, past, line: firstWideLine(block)});
        }
    });
    resolve(found);
}))"""


@browser_test
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
@pytest.mark.parametrize("stem", STEMS)
def test_reveal_code_fits_the_slide(open_page, stem, viewport):
    """No code block or output runs off a slide or needs sideways scrolling: long lines
    wrap (templates/reveal_offline/static/code_blocks.css)."""
    page, problems = open_page(f"slides/{stem}.slides.html", viewport=viewport)
    page.wait_for_selector(".reveal.ready", timeout=TIMEOUT_MS)
    page.evaluate("() => document.fonts.ready")
    found = page.evaluate(FIND_OVERFLOWING_CODE)
    if found:
        first = found[0]
        how = [f"{first['wider']} px wider than its box"] if first["wider"] > 1 else []
        how += [f"{first['past']} px past the slide's right edge"] if first["past"] > 1 else []
        pytest.fail(
            f"{stem} at {viewport[0]}x{viewport[1]}: {len(found)} code blocks do not fit their slide. First: "
            f"slide {first['index'] + 1} (h={first['h']}, v={first['v']}), {first['block']}, "
            f"{' and '.join(how)}; first line that does not fit: {first['line']!r}"
        )
    assert problems == []


# ----------------------------------------------------------------------------- speaker notes


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_speaker_notes_cover_every_section(source):
    """scripts/export/speaker_notes.md has notes for each "## " section of the notebook,
    and none for a heading the notebook does not have (renamed or removed)."""
    problems = speaker_notes_problems(source.stem, jupytext.read(source), speaker_notes())
    assert problems == [], f"{source.name} against scripts/export/speaker_notes.md:\n" + "\n".join(problems)


def test_speaker_notes_are_for_existing_notebooks():
    stale = sorted(set(speaker_notes()) - {p.stem for p in SOURCES})
    assert stale == [], f"scripts/export/speaker_notes.md has notes for notebooks that do not exist: {stale}"


def test_speaker_notes_check_names_missing_and_stale_sections():
    """The check above would see a section without notes and notes for a lost heading."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Contents\n\n1. [One](#1.-One)"),
        nbformat.v4.new_markdown_cell("## 1. One\n\nText."),
        nbformat.v4.new_markdown_cell("```python\n## a comment, not a heading\n```\n\n## Summary"),
    ])
    notes = {"99_probe": {"1. One": "- a note", "2. Two": "- notes for a heading that went away"}}
    assert speaker_notes_problems("99_probe", nb, notes) == [
        "no speaker notes for section 'Summary'",
        "speaker notes for '2. Two', which is not a section of the notebook",
    ]


#: Page JS: per slide, its "## " heading, its speaker notes (the notes' first list
#: item) and whether any of the notes is rendered, on the slide shown as in a lecture.
SLIDE_NOTES = """() => new Promise(resolve => require([document.querySelector('link[href$="dist/reveal.css"]')
        .getAttribute('href').replace(/\\.css$/, '.js')], Reveal => resolve(Reveal.getSlides().map(slide => {
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v);
    const notes = [...slide.querySelectorAll('aside.notes')];
    const firstItem = notes.length && notes[0].querySelector('li');
    return {
        heading: [...slide.querySelectorAll('h2')].map(e => e.textContent.replace('¶', '').trim()),
        notes: firstItem ? firstItem.textContent.replace(/\\s+/g, ' ').trim() : null,
        notesRendered: notes.some(n => n.getClientRects().length > 0),
        text: slide.innerText,
    };
}))))"""


@browser_test
@pytest.mark.parametrize("stem", STEMS)
def test_reveal_speaker_notes(open_page, stem):
    """Each section's slide carries its notes from speaker_notes.md as <aside class="notes">
    (reveal.js's speaker view, key s), and the slide itself does not show them."""
    page, problems = open_page(f"slides/{stem}.slides.html")
    page.wait_for_selector(".reveal.ready", timeout=TIMEOUT_MS)
    slides = page.evaluate(SLIDE_NOTES)
    core = section_headings(without_optional_sections(notebook(stem)))
    for _, heading in core:
        slide = next((s for s in slides if plain(heading) in s["heading"]), None)
        assert slide is not None, f"{stem}: no slide with the heading {heading!r}"
        assert slide["notes"] == plain(first_note(stem, heading)), f"{stem}: notes of {heading!r}: {slide['notes']!r}"
        assert not slide["notesRendered"] and slide["notes"] not in slide["text"], f"{stem}: notes of {heading!r} show"
    # The optional "Going deeper" sections stay off the slides (export_course.py --with-optional keeps them).
    core_headings = {heading for _, heading in core}
    optional = [heading for _, heading in section_headings(notebook(stem)) if heading not in core_headings]
    shown = [h for h in optional if any(plain(h) in s["heading"] for s in slides)]
    assert shown == [], f"{stem}: optional sections on the slides: {shown}"
    assert problems == []


#: What fetches from another host in HTML: an attribute (not a URL's query parameter,
#: as in the Kaggle link's "?src=https://github.com/..."), a stylesheet link, a CSS url(),
#: an import or a require.js module.
REMOTE_FETCH = re.compile(
    r"""(?:(?<![?&;])\b(?:src|srcset|poster|data)\s*=\s*["']?\s*|<link\b[^>]*\bhref\s*=\s*["']?\s*|url\(\s*["']?|"""
    r"""@import\s+["']?|\bimport\s*\(\s*["']|\bfrom\s+["']|\brequire\(\s*\[?\s*["'])(?:https?:)?//""",
    re.I,
)


def test_remote_reference_pattern():
    """The check below sees a remote script, image and style, and not a link whose
    address carries another address as a query parameter."""
    for fetching in ('<script src="https://cdn.example.org/x.js">', "<img src='//cdn.example.org/x.png'>",
                     '<link rel="stylesheet" href="https://cdn.example.org/x.css">',
                     "a { background: url(https://x.org/y.png) }"):
        assert REMOTE_FETCH.search(fetching), fetching
    for linking in ('<a href="https://kaggle.com/kernels/welcome?src=https://github.com/o/r/blob/v1/n.ipynb">',
                    '<a href="https://example.org/view?x=1&amp;src=https://example.org/n.ipynb">'):
        assert not REMOTE_FETCH.search(linking), linking


@browser_test
def test_no_remote_reference_in_html(site):
    """Also what no page load triggers (speaker view, later slides): nothing that fetches remotely."""
    found = {}
    for path in sorted(site.rglob("*.html")):
        if "assets" not in path.relative_to(site).parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            hits = [text[max(0, m.start() - 40) : m.end() + 60] for m in REMOTE_FETCH.finditer(text)]
            if hits:
                found[str(path.relative_to(site))] = hits
    assert found == {}


@browser_test
def test_harness_catches_remote_requests_and_console_errors(open_page, site):
    """The checks above would see a CDN script and a console error."""
    probe = site / "probe_remote.html"
    probe.write_text(
        '<!DOCTYPE html><html><head><script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.7/require.js"></script>'
        '</head><body><script>console.error("boom")</script></body></html>'
    )
    try:
        _, problems = open_page(probe.name)
    finally:
        probe.unlink()
    assert any(p.startswith("remote request: https://cdn.jsdelivr.net/") for p in problems), problems
    assert any("console error: boom" in p for p in problems), problems


@browser_test
def test_mathjax_typesets_offline(open_page, site):
    """The trimmed MathJax copy has every file its TeX configuration loads."""
    probe = site / "probe_mathjax.html"
    probe.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<script src="assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"></script>'
        '<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {inlineMath: [["$", "$"]]}});</script>'
        "</head><body><p>$\\hat{y} = \\mathrm{softmax}(Wx + b)$</p>"
        "<p>$$\\mathcal{L} = -\\sum_{i=1}^{10} y_i \\log \\hat{y}_i$$</p></body></html>"
    )
    try:
        page, problems = open_page(probe.name)
        wait_for_mathjax(page)
        rendered = page.locator(".mjx-math").count()
    finally:
        probe.unlink()
    assert rendered == 2
    assert problems == []
