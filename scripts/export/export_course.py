"""Export the course for instructors: a website, reveal.js slides, Marp decks and PDFs.

Instructors run it through ``scripts/export_course.sh`` (which first installs the
pinned npm packages of ``scripts/export/package.json``). It reads the executed
``notebooks/NN_*.ipynb`` files, never runs them, and writes, under the output folder
(``build/site`` by default)::

    index.html, NN_name.html       the course website: MkDocs with the Material theme and
                                   mkdocs-jupyter (site/mkdocs.yml), one page per notebook
    instructors.html               the instructor's guide (site/docs/instructors.md with each
                                   lesson's reading time, run time and slide sections filled in)
    search/, assets/               its search index and scripts; assets/ also holds
                                   reveal.js 4.6.0, MathJax 2.7.9 (trimmed), KaTeX's fonts
    notebooks/NAME.ipynb           the notebooks as they are, to download
    slides/NAME.slides.html        reveal.js slides (nbconvert, slide metadata of the cells)
    marp/NAME/NAME.md              Marp Markdown: code, outputs, figures as files next to it
    marp/NAME/NAME.html, .pdf      that deck rendered by marp-cli in the instructor's
                                   theme (themes/ub.css), as HTML and as PDF

Nothing in the output refers to a remote script, style, font or image, so it works
with no internet, from any static web server (and, but for reveal.js's speaker
view, over file://); ``tests/test_export_browser.py`` and ``tests/test_site_browser.py``
check this in headless Chromium.

Slide boundaries come from the ``slideshow`` cell metadata written in the ``.py``
files (``# %% [markdown] slideshow={"slide_type": "slide"}``): "slide" starts a new
horizontal slide, "subslide" a new vertical one, "fragment" appears on the next
key press and "skip" cells are left out. The two generated header cells ("Open in" badges
and setup, see ``scripts/notebook_header.py``) are left out of slides, decks and the
website's pages; each page links to its slides, deck, PDF and notebook instead, and opens
in Colab, Kaggle, Binder and SageMaker Studio Lab through badges drawn here (``badge_svg``).
Every page, slide and deck page names the course's two licences (``LICENCES``).

Speaker notes are not in the notebooks, which students read: they are in
``scripts/export/speaker_notes.md``, per notebook and "## " section, and the export
adds them to the slides (press ``s`` in reveal.js) and decks (Marp's presenter
notes) only, warning about a section without notes. On the slides, code cells and
text outputs wrap to the slide's width instead of running off it
(``templates/reveal_offline/static/code_blocks.css``).

Usage::

    python scripts/export/export_course.py [--out build/site] [--marp-theme THEME.css] [--no-pdf] [NOTEBOOK.ipynb ...]
"""
from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import unquote

import nbformat
from nbconvert import SlidesExporter
from nbformat import NotebookNode
from traitlets.config import Config

EXPORT_DIR = Path(__file__).resolve().parent
COURSE_ROOT = EXPORT_DIR.parent.parent
NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
DEFAULT_OUT = COURSE_ROOT / "build" / "site"
TEMPLATES = EXPORT_DIR / "templates"  # reveal_offline/
NODE_MODULES = EXPORT_DIR / "node_modules"  # `npm ci` in scripts/export (package-lock.json)
MARP_BIN = NODE_MODULES / ".bin" / "marp"
MARP_CONFIG = EXPORT_DIR / "marp.config.json"
MARP_THEME = EXPORT_DIR / "themes" / "ub.css"  # the instructor's Marp theme (--marp-theme)
SITE_DIR = EXPORT_DIR / "site"  # mkdocs.yml, docs/ (static pages and styles), overrides/ (templates)
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"
SPEAKER_NOTES = EXPORT_DIR / "speaker_notes.md"  # the instructor's notes, per notebook and section

sys.path.insert(0, str(COURSE_ROOT / "scripts"))
from notebook_header import (  # noqa: E402  (one place for each)
    BADGE_TAG,
    LAUNCH_BADGES,
    REPOSITORY,
    REVISION,
    SETUP_TAG,
    launch_urls,
)
from reading_time import core_and_optional, reading_minutes  # noqa: E402  (the reading-load test's rule)

#: The colours of each service's "Open in" badge: the background and the text of its name.
BADGE_COLOURS = {
    "Colab": ("#f9ab00", "#222"),
    "Kaggle": ("#20beff", "#10222c"),
    "Binder": ("#579aca", "#10222c"),
    "SageMaker Studio Lab": ("#232f3e", "#ff9900"),
}
BADGE_LEFT = 56  # px of the grey "Open in" part
BADGE_CHAR = 6.3  # px per character of the service's name at 11 px (DejaVu Sans, about)


def badge_svg(service: str) -> tuple[str, int]:
    """An "Open in SERVICE" badge drawn here, and its width: the website needs nothing
    from the services' own sites (notebook_header.LAUNCH_BADGES are remote images).
    The name is stretched to the width it was given (``textLength``) whatever the font."""
    fill, ink = BADGE_COLOURS.get(service, ("#4c6b8a", "#fff"))
    text = round(len(service) * BADGE_CHAR)
    width = BADGE_LEFT + text + 16
    name = service.replace("&", "&amp;").replace("<", "&lt;")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="Open in {name}"><rect width="{width}" height="20" rx="3" fill="#555"/>'
        f'<rect x="{BADGE_LEFT}" width="{width - BADGE_LEFT}" height="20" rx="3" fill="{fill}"/>'
        f'<rect x="{BADGE_LEFT}" width="4" height="20" fill="{fill}"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
        f'<text x="7" y="14">Open in</text><text x="{BADGE_LEFT + 8}" y="14" fill="{ink}" '
        f'textLength="{text}" lengthAdjust="spacingAndGlyphs">{name}</text></g></svg>'
    )
    return svg, width


def badge_file(service: str) -> str:
    """Where the website keeps ``service``'s badge (``images/colab-badge.svg`` for Colab)."""
    return f"images/{re.sub(r'[^a-z0-9]+', '-', service.lower()).strip('-')}-badge.svg"


#: Drawn here so the website needs nothing from colab.research.google.com.
LOCAL_BADGE_SVG = badge_svg("Colab")[0]

#: The course's licences (LICENSE and LICENSE-CC-BY-4.0 at the repository's root): what
#: each covers, the licence's name and where its text is. Every page of the website,
#: every reveal.js slide and every Marp page names both.
LICENCES = [
    ("Code", "MIT License", "https://opensource.org/license/mit"),
    ("text, figures and slides", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
]


def licence_notice(markdown: bool = False) -> str:
    """"Code: MIT License · text, figures and slides: CC BY 4.0", each name a link: HTML,
    or Markdown for a Marp footer."""
    link = (lambda name, url: f"[{name}]({url})") if markdown else (lambda name, url: f'<a href="{url}">{name}</a>')
    return " · ".join(f"{part}: {link(name, url)}" for part, name, url in LICENCES)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


# --------------------------------------------------------------------------- notebooks


#: The heading that starts a lesson's optional sections, kept off the slides by default.
OPTIONAL_HEADING = "## Going deeper"

def course_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The executed course notebooks, ``NN_name.ipynb``, in syllabus order."""
    return sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))


def cell_tags(cell: NotebookNode) -> list[str]:
    """The cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def slide_type(cell: NotebookNode) -> str:
    """The cell's reveal.js slide type, ``"-"`` (continue the current slide) when unset."""
    slideshow = cell.get("metadata", {}).get("slideshow", {})
    return (slideshow.get("slide_type") if isinstance(slideshow, dict) else None) or "-"


def without_optional_sections(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` that ends before its first optional section (a ``## Going
    deeper`` heading: engineering a lesson leaves for the end). Lectures follow the
    core path; ``--with-optional`` keeps these sections on the slides too."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith(OPTIONAL_HEADING):
            nb.cells = nb.cells[:index]
            break
    return nb


def for_presentation(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` without the generated header cells and without widget state.

    The setup cell (tag ``colab-setup``) only matters when running the notebook and
    the "Open in" badges (tag ``colab-badge``) are remote images, so slides, decks and
    the website's pages drop both (a page draws its own badges). A Jupyter widget
    (tqdm's progress bar in JupyterLab) would need its JavaScript from a CDN: its
    output keeps the plain-text form that every output also stores.
    """
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not {SETUP_TAG, BADGE_TAG} & set(cell_tags(cell))]
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
        if cell.get("outputs"):
            cell.outputs = [out for out in cell.outputs if out.get("output_type") not in ("display_data", "execute_result") or out.get("data")]
    return nb


def slide_counts(nb: NotebookNode) -> tuple[int, int]:
    """(horizontal slides, all slides) of the reveal.js deck made from ``nb``.

    ``nb`` is the notebook after :func:`for_presentation`. Same rules as nbconvert:
    the first cell that is neither "skip" nor "notes" opens the first slide; after it
    each "slide" cell opens a horizontal slide and each "subslide" cell a vertical
    one. Marp has no vertical slides, so the Marp deck has "all slides" pages.
    """
    types = [slide_type(c) for c in nb.cells]
    first = next((i for i, t in enumerate(types) if t not in ("skip", "notes")), None)
    if first is None:
        return 0, 0
    rest = types[first + 1 :]
    horizontal = 1 + rest.count("slide")
    return horizontal, horizontal + rest.count("subslide")


def notebook_title(nb: NotebookNode, fallback: str) -> str:
    """The text of the first level-1 heading of a markdown cell, else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and BADGE_TAG not in cell_tags(cell):
            match = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, flags=re.M)
            if match:
                return match.group(1)
    return fallback


# --------------------------------------------------------------------------- speaker notes
#
# Students read the notebooks, so the instructor's notes live apart from them, in
# speaker_notes.md: "# NN_name" per notebook, "## heading" per section (the exact
# text of the notebook's "## " heading) and the notes below it, in Markdown. The
# export copies each section's notes into the slides and decks only, as a "notes"
# cell right after the cell with the heading; the notebook files are not touched.

SECTION_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
NOT_SECTIONS = {"Contents"}


def section_headings(nb: NotebookNode) -> list[tuple[int, str]]:
    """(cell index, text) of every section heading (``## ...``) of the markdown cells.

    The table of contents is not a section; a ``##`` line inside a fenced code
    block is a comment, not a heading.
    """
    found = []
    for idx, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        in_code = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            elif not in_code and (match := SECTION_HEADING.match(line)) and match.group(1) not in NOT_SECTIONS:
                found.append((idx, match.group(1)))
    return found


def read_speaker_notes(path: Path = SPEAKER_NOTES) -> dict[str, dict[str, str]]:
    """``{notebook stem: {section heading: notes}}`` from the notes file.

    Text before the first ``# `` line is an introduction for the reader and is
    ignored. A section named twice, or a section before any notebook, is an error
    (with the line number), since its notes would otherwise be silently lost.
    """
    notes: dict[str, dict[str, list[str]]] = {}
    stem = heading = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("# "):
            stem, heading = line[2:].strip(), None
            if stem in notes:
                raise ValueError(f"{path.name}:{number}: notebook {stem} appears twice")
            notes[stem] = {}
        elif line.startswith("## "):
            heading = line[3:].strip()
            if stem is None:
                raise ValueError(f"{path.name}:{number}: section {heading!r} before any '# NN_name' line")
            if heading in notes[stem]:
                raise ValueError(f"{path.name}:{number}: section {heading!r} of {stem} appears twice")
            notes[stem][heading] = []
        elif heading is not None:
            notes[stem][heading].append(line)
    return {stem: {h: "\n".join(lines).strip() for h, lines in sections.items()} for stem, sections in notes.items()}


def speaker_notes_problems(stem: str, nb: NotebookNode, notes: dict[str, dict[str, str]]) -> list[str]:
    """What the notes file lacks for ``nb``'s sections, and what it has for sections ``nb`` lacks."""
    headings = [heading for _, heading in section_headings(nb)]
    mine = notes.get(stem, {})
    missing = [f"no speaker notes for section {h!r}" for h in headings if not mine.get(h)]
    stale = [f"speaker notes for {h!r}, which is not a section of the notebook" for h in mine if h not in headings]
    return missing + stale


def with_speaker_notes(nb: NotebookNode, notes: dict[str, str]) -> NotebookNode:
    """A copy of ``nb`` with a "notes" cell after each section heading that has notes.

    reveal.js shows such a cell in its speaker view (press ``s``), Marp as the
    presenter note of the page; neither shows it on the slide.
    """
    nb = copy.deepcopy(nb)
    for idx, heading in reversed(section_headings(nb)):  # from the end: indices stay valid
        if notes.get(heading):
            cell = nbformat.v4.new_markdown_cell(notes[heading], metadata={"slideshow": {"slide_type": "notes"}})
            nb.cells.insert(idx + 1, cell)
    return nb


# --------------------------------------------------------------------------- assets


def copy_assets(site: Path) -> None:
    """Copy the pinned npm files the HTML needs into ``site/assets`` (about 11 MB)."""
    if not (NODE_MODULES / "reveal.js" / "dist" / "reveal.js").is_file():
        raise SystemExit(f"{NODE_MODULES} is missing: run scripts/export_course.sh (it runs `npm ci`)")
    assets = site / "assets"
    reveal = NODE_MODULES / "reveal.js"
    shutil.copytree(reveal / "dist", assets / "reveal.js" / "dist", ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    shutil.copytree(reveal / "plugin", assets / "reveal.js" / "plugin")
    shutil.copy(NODE_MODULES / "requirejs" / "require.js", assets / "require.js")
    shutil.copy(NODE_MODULES / "jquery" / "dist" / "jquery.min.js", assets / "jquery.min.js")
    # MathJax 2 is 73 MB; TeX-AMS_CHTML-full with the Safe extension needs about 5 MB.
    mathjax, dst = NODE_MODULES / "mathjax", assets / "mathjax"
    for rel in ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js"]:
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mathjax / rel, dst / rel)
    for rel in ["extensions", "jax/element", "jax/input/TeX", "jax/output/CommonHTML", "fonts/HTML-CSS/TeX/woff", "localization/en"]:
        shutil.copytree(mathjax / rel, dst / rel)
    # The Marp decks typeset maths with KaTeX (marp-core's own copy); its fonts, 1 MB.
    shutil.copytree(NODE_MODULES / "katex" / "dist" / "fonts", assets / "katex" / "fonts",
                    ignore=shutil.ignore_patterns("*.ttf", "*.woff"))


# --------------------------------------------------------------------------- slides


def nbconvert_config(assets_url: str) -> Config:
    """nbconvert settings that point every script and style at ``assets_url`` (relative)."""
    c = Config()
    c.TemplateExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.require_js_url = f"{assets_url}/require.js"
    c.HTMLExporter.jquery_url = f"{assets_url}/jquery.min.js"
    c.HTMLExporter.mathjax_url = f"{assets_url}/mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    c.HTMLExporter.embed_images = True  # markdown ![](figure.png) becomes a data: URI
    c.SlidesExporter.reveal_url_prefix = f"{assets_url}/reveal.js"
    c.SlidesExporter.reveal_theme = "white"  # the default, 'simple', imports Google Fonts
    c.SlidesExporter.reveal_number = "c/t"  # slide number / total, bottom right
    c.SlidesExporter.reveal_scroll = True  # tall slides (long code, big outputs) scroll
    return c


def _resources(nb_path: Path) -> dict:
    return {"metadata": {"name": nb_path.stem, "path": str(nb_path.parent)}}


def export_slides(nb: NotebookNode, nb_path: Path, site: Path) -> Path:
    """Write ``site/slides/NAME.slides.html``; ``nb`` is already :func:`for_presentation`'d."""
    config = nbconvert_config("../assets")
    # The In [n]: prompts would take 110 of the slide's 960 px from the code (see
    # templates/reveal_offline/static/code_blocks.css); the page keeps them.
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    exporter = SlidesExporter(config=config, template_name="reveal_offline")
    resources = {**_resources(nb_path), "course_licence": licence_notice()}  # the template's footer
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    out = site / "slides" / f"{nb_path.stem}.slides.html"
    out.write_text(body, encoding="utf-8")
    return out


# --------------------------------------------------------------------------- Marp

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
THEMATIC_BREAK = re.compile(r"^\s{0,3}((\*\s*){3,}|(-\s*){3,}|(_\s*){3,})$")
MARKDOWN_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)")
#: Every deck's front matter: the instructor's theme (its ``@theme`` name), page
#: numbers, KaTeX for the maths (its fonts from the site's assets/katex/fonts) and
#: the course's licences in every page's footer.
MARP_FRONT_MATTER = """---
marp: true
theme: {theme}
paginate: true
math: katex
size: 16:9
title: {title}
lang: en
footer: {footer}
---
"""


def marp_theme_name(css: Path) -> str:
    """The name a Marp theme file declares in its ``/* @theme NAME */`` comment."""
    match = re.search(r"@theme\s+([\w-]+)", css.read_text(encoding="utf-8"))
    if not match:
        raise SystemExit(f"{css}: not a Marp theme (no '@theme NAME' comment)")
    return match.group(1)


#: Marp shrinks a code block until its longest line fits the page: 113 columns fit at
#: the theme's 16 px (themes/ub.css). A printed line longer than this (an error message can run to
#: 600 characters) would shrink the whole block to an unreadable size, so text
#: outputs are wrapped instead, each continuation row behind a "↪".
MARP_TEXT_COLUMNS = 110


def _wrap_long_lines(text: str, width: int = MARP_TEXT_COLUMNS) -> str:
    """``text`` with every line longer than ``width`` wrapped under its own indentation."""
    lines = []
    for line in text.expandtabs().splitlines():
        indent = " " * (len(line) - len(line.lstrip(" ")))
        if len(line) <= width:
            lines.append(line)
        else:  # break at spaces where possible; a run of non-spaces is cut where it must be
            lines.extend(textwrap.wrap(line, width, subsequent_indent=indent + "↪ "))
    return "\n".join(lines)


def _fence(text: str, lang: str = "") -> str:
    """``text`` as a fenced code block whose fence is longer than any backtick run in it."""
    n = max([3] + [len(run) + 1 for run in re.findall(r"`{3,}", text)])
    return f"{'`' * n}{lang}\n{text.rstrip()}\n{'`' * n}"


def _markdown_for_marp(source: str) -> str:
    """Jupyter markdown for Marp, where a thematic break (``---``) would end the slide."""
    lines, in_code = [], False
    for line in source.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        lines.append("<hr>" if not in_code and THEMATIC_BREAK.match(line) else line)
    return "\n".join(lines)


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


class _MarpWriter:
    """Turns the cells of one notebook into Marp slides, writing figures into ``deck_dir``."""

    def __init__(self, nb_path: Path, deck_dir: Path) -> None:
        self.nb_path, self.deck_dir, self.stem = nb_path, deck_dir, nb_path.stem

    def _file(self, name: str, data: bytes) -> str:
        (self.deck_dir / name).write_bytes(data)
        return name

    def _markdown(self, cell: NotebookNode, idx: int) -> str:
        source = cell.source
        for name, bundle in (cell.get("attachments") or {}).items():  # ![](attachment:x.png)
            for mime, b64 in bundle.items():
                if mime.startswith("image/"):
                    fn = self._file(f"{self.stem}-c{idx}-{name}", base64.b64decode(b64))
                    source = source.replace(f"attachment:{name}", fn)

        def local_image(match: re.Match) -> str:  # ![](images/x.png) next to the notebook
            target = match.group(2)
            path = self.nb_path.parent / target
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, flags=re.I) or not path.is_file():
                return match.group(0)
            return match.group(1) + self._file(f"{self.stem}-c{idx}-{path.name}", path.read_bytes())

        return _markdown_for_marp(MARKDOWN_IMAGE.sub(local_image, source))

    def _outputs(self, cell: NotebookNode, idx: int) -> list[str]:
        blocks = []
        for j, out in enumerate(cell.get("outputs", [])):
            kind = out.get("output_type")
            if kind == "stream":
                blocks.append(_fence(_wrap_long_lines(ANSI.sub("", _text(out.get("text", "")))), "text"))
            elif kind == "error":
                blocks.append(_fence(_wrap_long_lines(ANSI.sub("", "\n".join(out.get("traceback", [])))), "text"))
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if "image/png" in data or "image/jpeg" in data:
                    mime = "image/png" if "image/png" in data else "image/jpeg"
                    fn = self._file(f"{self.stem}-c{idx}-o{j}.{mime[6:].replace('jpeg', 'jpg')}",
                                    base64.b64decode(_text(data[mime])))
                    blocks.append(f"![]({fn})")
                elif "image/svg+xml" in data:
                    fn = self._file(f"{self.stem}-c{idx}-o{j}.svg", _text(data["image/svg+xml"]).encode())
                    blocks.append(f"![]({fn})")
                elif "text/markdown" in data:
                    blocks.append(_markdown_for_marp(_text(data["text/markdown"])))
                elif "text/plain" in data:
                    blocks.append(_fence(_wrap_long_lines(_text(data["text/plain"])), "text"))
        return blocks

    def cell_blocks(self, cell: NotebookNode, idx: int) -> list[str]:
        """Markdown blocks for one cell: its text, or its code and then its outputs."""
        if cell.cell_type == "markdown":
            return [self._markdown(cell, idx)]
        if cell.cell_type == "code":
            code = [_fence(cell.source, "python")] if cell.source.strip() else []
            return code + self._outputs(cell, idx)
        return []  # raw cells are not shown in slides either


def marp_slides(nb: NotebookNode, writer: _MarpWriter | None = None) -> list[tuple[list[str], list[str]]]:
    """The deck as a list of (content blocks, speaker-note blocks), one per Marp page.

    Marp has no vertical slides: "slide" and "subslide" both start a new page, so
    there are as many pages as reveal.js slides in all (:func:`slide_counts`).
    Without a ``writer`` only the page structure is computed (no files written).
    """
    slides: list[tuple[list[str], list[str]]] = []
    pending_notes: list[str] = []
    for idx, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind == "skip" or cell.cell_type == "raw":
            continue
        if kind == "notes":
            note = cell.source if cell.cell_type == "markdown" else _fence(cell.source)
            (slides[-1][1] if slides else pending_notes).append(note)
            continue
        if not slides or kind in ("slide", "subslide"):
            slides.append(([], pending_notes))
            pending_notes = []
        if writer is not None:
            slides[-1][0].extend(writer.cell_blocks(cell, idx))
    return slides


def write_marp_deck(nb: NotebookNode, nb_path: Path, site: Path, title: str, theme: str = "ub") -> Path:
    """Write ``site/marp/NAME/NAME.md`` and its figures; ``nb`` is :func:`for_presentation`'d."""
    deck_dir = site / "marp" / nb_path.stem
    deck_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    for content, notes in marp_slides(nb, _MarpWriter(nb_path, deck_dir)):
        body = "\n\n".join(content)
        for note in notes:  # an HTML comment on a Marp page is a presenter note
            body += "\n\n<!--\n" + note.replace("-->", "-- >") + "\n-->"
        pages.append(body)
    footer = json.dumps(licence_notice(markdown=True), ensure_ascii=False)
    front = MARP_FRONT_MATTER.format(theme=theme, title=json.dumps(title), footer=footer)
    md = front + "\n" + "\n\n---\n\n".join(pages) + "\n"
    out = deck_dir / f"{nb_path.stem}.md"
    out.write_text(md, encoding="utf-8")
    return out


def chromium_path() -> str | None:
    """The Chromium (or Chrome) that renders the PDFs: $CHROME_PATH, else the system's."""
    for candidate in (os.environ.get("CHROME_PATH"), os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("google-chrome")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _marp(marp_dir: Path, theme: Path, font_path: str, extra: list[str]) -> subprocess.Popen:
    """Start one marp-cli run over every ``marp_dir/*/*.md``, KaTeX fonts from ``font_path``."""
    options = json.loads(MARP_CONFIG.read_text(encoding="utf-8"))
    options.setdefault("options", {})["math"] = {"lib": "katex", "katexFontPath": font_path}
    config = marp_dir / f".marp-config-{len(extra)}.json"  # one per run: they run at once
    config.write_text(json.dumps(options), encoding="utf-8")
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [str(MARP_BIN), "--no-stdin", "--config-file", str(config), "--theme-set", str(theme),
         "--input-dir", str(marp_dir), "--output", str(marp_dir), *extra],
        stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    process.log = log  # type: ignore[attr-defined]
    return process


def _wait(process: subprocess.Popen, what: str) -> None:
    if process.wait() != 0:  # its progress lines are noise unless it failed
        process.log.seek(0)  # type: ignore[attr-defined]
        sys.stderr.write(process.log.read())  # type: ignore[attr-defined]
        raise SystemExit(f"marp-cli ({what}) failed with exit status {process.returncode}")


def start_marp(site: Path, theme: Path, pdf: bool) -> list[tuple[subprocess.Popen, str]]:
    """Render every ``site/marp/*/*.md`` next to it in the Marp ``theme``: HTML, and PDF
    with the system's Chromium when ``pdf``. Returns the running marp-cli processes.

    The HTML loads KaTeX's fonts from the site's ``assets/katex/fonts`` (a relative
    URL, for ``site/marp/NAME/NAME.html``); the PDF is printed from a temporary copy
    of the page, so it gets the ``file://`` URL of marp-core's own copy instead.
    """
    if not MARP_BIN.exists():
        raise SystemExit(f"{MARP_BIN} is missing: run scripts/export_course.sh (it runs `npm ci`)")
    marp_dir = site / "marp"
    runs = [(_marp(marp_dir, theme, "../../assets/katex/fonts/", []), "HTML")]
    if pdf:
        chromium = chromium_path()
        if chromium is None:
            raise SystemExit("no Chromium for the PDFs: install Debian's chromium, set CHROME_PATH, or pass --no-pdf")
        fonts = (NODE_MODULES / "katex" / "dist" / "fonts").as_uri() + "/"
        runs.append((_marp(marp_dir, theme, fonts, ["--pdf", "--allow-local-files", "--browser-path", chromium,
                                                     "--browser-timeout", "120"]), "PDF"))
    return runs


def finish_marp(runs: list[tuple[subprocess.Popen, str]], site: Path) -> None:
    for process, what in runs:
        _wait(process, what)
    for config in (site / "marp").glob(".marp-config-*.json"):
        config.unlink()


# --------------------------------------------------------------------------- website
#
# MkDocs with the Material theme builds the site (navigation in syllabus order,
# previous/next links, each page's contents beside it, lunr search, light and dark
# themes); mkdocs-jupyter turns each notebook into a page from its stored outputs.
# The notebooks are staged first, as the slides are: without the header cells and
# widget state, and with a text alternative on every figure.

TITLE_CALL = re.compile(r"""\b(?:suptitle|set_title|title)\(\s*f?(["'])(.+?)\1""")


def figure_alt(cell: NotebookNode, heading: str | None, number: int) -> str:
    """A text alternative for a figure a code cell drew: its section and the titles it sets."""
    titles = [re.sub(r"\{[^}]*\}", "…", m.group(2)) for m in TITLE_CALL.finditer(cell.source)]
    alt = f"Figure {number}" + (f" in section “{heading}”" if heading else "")
    return alt + (": " + "; ".join(dict.fromkeys(titles)) if titles else "")


def with_figure_alt(nb: NotebookNode) -> NotebookNode:
    """``nb`` with each PNG/JPEG output as an ``<img>`` that has an ``alt`` text.

    nbconvert writes figure outputs without one; an HTML output of the same image
    carries it (screen readers, and the accessibility check of the site).
    """
    heading, number = None, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.findall(r"^#{1,3}\s+(.+?)\s*$", cell.source, flags=re.M)
            heading = found[-1] if found else heading
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            mime = next((m for m in ("image/png", "image/jpeg") if m in data), None)
            if mime is None:
                continue
            number += 1
            alt = figure_alt(cell, heading, number)
            escaped = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            src = f"data:{mime};base64,{_text(data[mime]).strip()}"
            out.data = {"text/html": f'<img src="{src}" alt="{escaped}">', "text/plain": alt}
            out.metadata = {}
    return nb


MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", flags=re.M)
IN_PAGE_LINK = re.compile(r"\]\(#((?:[^()\s]|\([^()\s]*\))+)\)")  # one level of (...) inside


def with_site_anchors(nb: NotebookNode) -> NotebookNode:
    """``nb`` with headings and in-page links as the website's pages need them.

    mkdocs-jupyter gives each heading a lower-case slug (``3-stepping-through-nnconv2d``)
    where Jupyter has ``3.-Stepping-through-nn.Conv2d``, so a notebook's own contents
    list is pointed at the slugs. It also drops inline code from the headings of the
    page's contents beside the text, so headings lose their backticks here (the text
    stays the same).
    """
    from mkdocs_jupyter.utils import slugify  # the plugin's own slugs, as on its pages

    targets = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        cell.source = MARKDOWN_HEADING.sub(lambda m: f"{m.group(1)} {m.group(2).replace('`', '')}", cell.source)
        for match in MARKDOWN_HEADING.finditer(cell.source):
            text = match.group(2)
            targets[text.replace(" ", "-")] = slugify(text)

    def retarget(match: re.Match) -> str:
        target = targets.get(unquote(match.group(1)))
        return f"](#{target})" if target else match.group(0)

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = IN_PAGE_LINK.sub(retarget, cell.source)
    return nb


def lesson_links(stem: str, pdf: bool = True) -> dict:
    """Where a lesson's other forms are, relative to the site's root (``extra.lessons``),
    and where it opens to run (``launch``: a service, its URL, badge and badge width each)."""
    urls = launch_urls(stem)
    return {
        "slides": f"slides/{stem}.slides.html",
        "deck": f"marp/{stem}/{stem}.html",
        "pdf": f"marp/{stem}/{stem}.pdf" if pdf else "",
        "notebook": f"notebooks/{stem}.ipynb",
        "launch": [
            {"service": service, "url": urls[service], "badge": badge_file(service), "width": badge_svg(service)[1]}
            for service in LAUNCH_BADGES
        ],
    }


def home_page(entries: list[tuple[str, str, int]], pdf: bool) -> str:
    """The site's ``index.md``: what the course is, then the lessons and their forms."""
    rows = "\n".join(
        f"| {stem[:2]} | [{title}]({stem}.ipynb) | [slides]({stem_links['slides']}) ({n}) "
        f"| [deck]({stem_links['deck']})" + (f" · [PDF]({stem_links['pdf']})" if pdf else "")
        + f" | [.ipynb]({stem_links['notebook']}) |"
        for stem, title, n in entries
        for stem_links in [lesson_links(stem)]
    )
    intro = (SITE_DIR / "docs" / "index.md").read_text(encoding="utf-8")
    return intro.replace("{{ lessons }}", "| # | lesson | reveal.js slides | Marp deck | notebook |\n"
                                           "| --- | --- | --- | --- | --- |\n" + rows)


# --------------------------------------------------------------------------- instructor's guide
#
# docs/instructors.md is written by hand but for what the notebooks and one measured
# file decide: the per-lesson table (reading time by scripts/reading_time.py's rule,
# run time from RUN_TIMES, slides), what each lesson's slides teach (their sections),
# and an example nbgitpuller link for this release. The export fills its {{ ... }}.

RUN_TIMES = SITE_DIR / "lesson_run_times.json"  # written by scripts/record_run_times.py
#: Where the example nbgitpuller link sends students: a hub the instructor replaces.
EXAMPLE_HUB = "https://jupyterhub.example.org"


def read_run_times(path: Path = RUN_TIMES) -> dict:
    """The measured run times: ``seconds`` per notebook stem (``None``: not measured),
    and the processor, CPU count, date and command they were measured with."""
    record = json.loads(path.read_text(encoding="utf-8"))
    for key in ("cpu", "cores", "date", "command", "seconds"):
        if key not in record:
            raise SystemExit(f"{path}: no {key!r} (scripts/record_run_times.py writes the file)")
    return record


def format_seconds(seconds: int | float | None) -> str:
    """``25 s``, ``3 min 05 s``; "not measured yet" for ``None``."""
    if seconds is None:
        return "not measured yet"
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def nbgitpuller_link(stem: str, hub: str = EXAMPLE_HUB) -> str:
    """A JupyterHub link that clones the course at this release into the student's
    home folder (nbgitpuller) and opens notebook ``stem`` in JupyterLab."""
    from urllib.parse import urlencode

    folder = REPOSITORY.rsplit("/", 1)[-1]  # git clone's folder: the repository's name
    query = urlencode({"repo": f"https://github.com/{REPOSITORY}", "branch": REVISION,
                       "urlpath": f"lab/tree/{folder}/notebooks/{stem}.ipynb"})
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def instructors_page(notebooks: list[tuple[Path, NotebookNode, str]], entries: list[tuple[str, str, int]],
                     run_times: dict) -> str:
    """The site's ``instructors.md``: the hand-written guide with the lessons' figures in it."""
    slides = {stem: n for stem, _, n in entries}
    rows, outline = [], []
    for nb_path, nb, title in notebooks:
        stem = nb_path.stem
        core, optional = core_and_optional(nb.cells)
        optional_minutes = f" + {reading_minutes(optional):.0f} min optional" if optional else ""
        rows.append(f"| {stem[:2]} | [{title}]({nb_path.name}) | {reading_minutes(core):.0f} min{optional_minutes} "
                    f"| {format_seconds(run_times['seconds'].get(stem))} | {slides.get(stem, 0)} |")
        taught = [heading for _, heading in section_headings(without_optional_sections(nb))]
        left = [heading for _, heading in section_headings(nb) if heading not in taught]
        line = f"- **{stem[:2]}** ([slides]({lesson_links(stem)['slides']})): " + " · ".join(taught)
        if left:
            line += "  \n  *To read after class:* " + " · ".join(left)
        outline.append(line.replace("`", ""))
    table = ("| # | lesson | reading time (core path) | run time, 2-core CPU | slides |\n"
             "| --- | --- | --- | --- | --- |\n" + "\n".join(rows))
    measured = (f"{run_times['cpu']}, {run_times['cores']} CPUs, measured {run_times['date']} with "
                f"`{run_times['command']}` (numerics profile: {run_times.get('numerics_profile', 'reference')})")
    first = notebooks[0][0].stem if notebooks else "00_cv_libraries_and_data"
    values = {
        "{{ lesson_table }}": table,
        "{{ run_time_machine }}": measured,
        "{{ teaching_outline }}": "\n".join(outline),
        "{{ nbgitpuller_link }}": nbgitpuller_link(first),
        "{{ repository }}": REPOSITORY,
        "{{ revision }}": REVISION,
    }
    page = (SITE_DIR / "docs" / "instructors.md").read_text(encoding="utf-8")
    for placeholder, value in values.items():
        page = page.replace(placeholder, value)
    return page


def build_site(notebooks: list[tuple[Path, NotebookNode, str]], site: Path, entries: list[tuple[str, str, int]],
               pdf: bool) -> None:
    """Build the website into ``site`` (emptied first) with MkDocs, from a staging folder."""
    import yaml
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with tempfile.TemporaryDirectory(prefix="course-site-") as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(SITE_DIR / "docs", docs)
        (docs / "images").mkdir(exist_ok=True)
        for service in LAUNCH_BADGES:
            (docs / badge_file(service)).write_text(badge_svg(service)[0], encoding="utf-8")
        (docs / "index.md").write_text(home_page(entries, pdf), encoding="utf-8")
        (docs / "instructors.md").write_text(instructors_page(notebooks, entries, read_run_times()), encoding="utf-8")
        nav = [{"Home": "index.md"}]
        for nb_path, nb, title in notebooks:
            nbformat.write(with_site_anchors(with_figure_alt(for_presentation(nb))), docs / nb_path.name)
            nav.append({title: nb_path.name})  # the notebook's numbered title, as on its page
        nav.append({"Instructor's guide": "instructors.md"})
        config = yaml.safe_load((SITE_DIR / "mkdocs.yml").read_text(encoding="utf-8"))
        config.update(docs_dir=str(docs), site_dir=str(site), nav=nav, copyright=licence_notice())
        config["theme"]["custom_dir"] = str(SITE_DIR / "overrides")
        config["hooks"] = [str(SITE_DIR / path) for path in config.get("hooks", [])]
        config["extra"]["lessons"] = {nb_path.name: lesson_links(nb_path.stem, pdf) for nb_path, _, _ in notebooks}
        for plugin in config["plugins"]:
            if isinstance(plugin, dict) and "mkdocs-jupyter" in plugin:
                plugin["mkdocs-jupyter"]["cache_dir"] = str(COURSE_ROOT / "build" / ".cache" / "mkdocs-jupyter")
        config_file = Path(tmp) / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        build(load_config(str(config_file)))


# --------------------------------------------------------------------------- main


def export(notebooks: list[Path], site: Path, theme: Path = MARP_THEME, pdf: bool = True,
           with_optional: bool = False) -> list[tuple[str, str, int]]:
    """Export ``notebooks`` (in this order) into ``site``, replacing what was there.
    The website shows every section; the slides and decks leave out the optional
    "Going deeper" sections unless ``with_optional``.

    Marp renders the decks (HTML and PDF, in Chromium) in the background while MkDocs
    builds the website. Returns (stem, title, number of slides) per notebook.
    """
    notes = read_speaker_notes()
    theme_name = marp_theme_name(theme)
    loaded, entries = [], []
    with tempfile.TemporaryDirectory(prefix="course-decks-") as tmp:
        decks = Path(tmp)
        (decks / "marp").mkdir()
        for nb_path in notebooks:
            nb = nbformat.read(nb_path, as_version=4)
            title = notebook_title(nb, nb_path.stem)
            for problem in speaker_notes_problems(nb_path.stem, nb, notes):  # a warning: the slides still work
                print(f"[export] {nb_path.stem}: {problem} ({SPEAKER_NOTES.relative_to(COURSE_ROOT)})")
            shown = nb if with_optional else without_optional_sections(nb)
            slides_nb = with_speaker_notes(for_presentation(shown), notes.get(nb_path.stem, {}))
            write_marp_deck(slides_nb, nb_path, decks, title, theme_name)
            loaded.append((nb_path, nb, title, slides_nb))
            entries.append((nb_path.stem, title, slide_counts(slides_nb)[1]))
        runs = start_marp(decks, theme, pdf)
        try:
            build_site([(p, nb, title) for p, nb, title, _ in loaded], site, entries, pdf)
        except BaseException:
            for process, _ in runs:
                process.kill()
            raise
        copy_assets(site)
        (site / "slides").mkdir()
        (site / "notebooks").mkdir()
        for nb_path, _, _, slides_nb in loaded:
            export_slides(slides_nb, nb_path, site)
            shutil.copy(nb_path, site / "notebooks" / nb_path.name)  # as it is, set-up cell and all
        finish_marp(runs, decks)
        shutil.move(decks / "marp", site / "marp")
    return entries


def main(argv: list[str] | None = None) -> None:
    """Command line: export the given notebooks, or every course notebook, and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="executed notebooks to export (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder, emptied first (default: build/site)")
    parser.add_argument("--marp-theme", type=Path, default=MARP_THEME,
                        help="the Marp theme CSS for every deck (default: scripts/export/themes/ub.css)")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the decks' PDFs (no Chromium needed)")
    parser.add_argument("--with-optional", action="store_true",
                        help="keep the optional 'Going deeper' sections on the slides and decks too")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    if not notebooks:
        raise SystemExit(f"no notebooks/NN_*.ipynb found in {NOTEBOOKS_DIR}")
    if not args.notebooks:
        for py in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py")):
            if not py.with_suffix(".ipynb").exists():
                print(f"[export] skipping {py.name}: not executed yet (scripts/run_course.sh writes its .ipynb)")
    site = args.out.resolve()
    if site == COURSE_ROOT or COURSE_ROOT.is_relative_to(site):
        raise SystemExit(f"--out {args.out}: the output folder is emptied first, so it cannot hold the course")
    start = time.perf_counter()
    for stem, _, n in export(notebooks, site, args.marp_theme.resolve(), args.pdf, args.with_optional):
        print(f"[export] {stem}: {n} slides")
    shown = site.relative_to(COURSE_ROOT) if site.is_relative_to(COURSE_ROOT) else site
    print(f"[export] {len(notebooks)} notebooks in {time.perf_counter() - start:.0f} s: open {shown / 'index.html'}")


if __name__ == "__main__":
    main()
