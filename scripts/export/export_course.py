"""Export every course notebook to offline reveal.js slides, a Marp deck and an HTML page.

Instructors run it through ``scripts/export_course.sh`` (which first installs the
pinned npm packages of ``scripts/export/package.json``). It reads the executed
``notebooks/NN_*.ipynb`` files and writes, under the output folder (``build/site``
by default)::

    index.html                     links to everything, in syllabus order (NN prefix)
    assets/                        reveal.js 4.6.0, MathJax 2.7.9 (trimmed), require.js, jQuery
    slides/NAME.slides.html        reveal.js slides (nbconvert, slide metadata of the cells)
    pages/NAME.html                the notebook as one page, images embedded
    marp/NAME/NAME.md              Marp Markdown: code, outputs, figures as files next to it
    marp/NAME/NAME.html            that deck rendered by marp-cli

Nothing in the output refers to a remote script, style, font or image, so it works
with no internet, over file:// or from any static web server
(``tests/test_export_browser.py`` checks this in headless Chromium).

Slide boundaries come from the ``slideshow`` cell metadata written in the ``.py``
files (``# %% [markdown] slideshow={"slide_type": "slide"}``): "slide" starts a new
horizontal slide, "subslide" a new vertical one, "fragment" appears on the next
key press and "skip" cells are left out. The two generated header cells (Colab badge and
setup, see ``scripts/notebook_header.py``) are left out of slides and decks; the
page keeps the badge, drawn locally instead of fetched from Colab.

Speaker notes are not in the notebooks, which students read: they are in
``scripts/export/speaker_notes.md``, per notebook and "## " section, and the export
adds them to the slides (press ``s`` in reveal.js) and decks (Marp's presenter
notes) only, warning about a section without notes. On the slides, code cells and
text outputs wrap to the slide's width instead of running off it
(``templates/reveal_offline/static/code_blocks.css``).

Usage::

    python scripts/export/export_course.py [--out build/site] [NOTEBOOK.ipynb ...]
"""
from __future__ import annotations

import argparse
import base64
import copy
import html
import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Iterable

import nbformat
from nbconvert import HTMLExporter, SlidesExporter
from nbformat import NotebookNode
from traitlets.config import Config

EXPORT_DIR = Path(__file__).resolve().parent
COURSE_ROOT = EXPORT_DIR.parent.parent
NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
DEFAULT_OUT = COURSE_ROOT / "build" / "site"
TEMPLATES = EXPORT_DIR / "templates"  # reveal_offline/, lab_offline/
NODE_MODULES = EXPORT_DIR / "node_modules"  # `npm ci` in scripts/export (package-lock.json)
MARP_BIN = NODE_MODULES / ".bin" / "marp"
MARP_CONFIG = EXPORT_DIR / "marp.config.json"
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"
SPEAKER_NOTES = EXPORT_DIR / "speaker_notes.md"  # the instructor's notes, per notebook and section

sys.path.insert(0, str(COURSE_ROOT / "scripts"))
from notebook_header import BADGE_TAG, SETUP_TAG  # noqa: E402  (one place for the tags)

#: Drawn here so the page needs nothing from colab.research.google.com.
LOCAL_BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img" '
    'aria-label="Open in Colab"><rect width="117" height="20" rx="3" fill="#555"/>'
    '<rect x="56" width="61" height="20" rx="3" fill="#f9ab00"/>'
    '<rect x="56" width="4" height="20" fill="#f9ab00"/>'
    '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
    '<text x="7" y="14">Open in</text><text x="64" y="14" fill="#222">Colab</text></g></svg>'
)
LOCAL_BADGE_URI = "data:image/svg+xml;base64," + base64.b64encode(LOCAL_BADGE_SVG.encode()).decode()


# --------------------------------------------------------------------------- notebooks


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


def for_presentation(nb: NotebookNode, keep_badge: bool = False) -> NotebookNode:
    """A copy of ``nb`` without the generated header cells.

    The setup cell (tag ``colab-setup``) only matters when running the notebook, so
    slides, decks and pages all drop it. The Colab badge (tag ``colab-badge``) stays
    on the page when ``keep_badge`` is true, with its image replaced by a local one.
    """
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = cell_tags(cell)
        if SETUP_TAG in tags or (BADGE_TAG in tags and not keep_badge):
            continue
        if BADGE_TAG in tags:
            cell.source = re.sub(r"(!\[[^\]]*\]\()https?://[^)\s]+", rf"\g<1>{LOCAL_BADGE_URI}", cell.source)
        cells.append(cell)
    nb.cells = cells
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


# --------------------------------------------------------------------------- slides and pages


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
    body, _ = exporter.from_notebook_node(nb, resources=_resources(nb_path))
    out = site / "slides" / f"{nb_path.stem}.slides.html"
    out.write_text(body, encoding="utf-8")
    return out


def export_page(nb: NotebookNode, nb_path: Path, site: Path) -> Path:
    """Write ``site/pages/NAME.html``, the whole notebook with its images embedded."""
    exporter = HTMLExporter(config=nbconvert_config("../assets"), template_name="lab_offline")
    body, _ = exporter.from_notebook_node(nb, resources=_resources(nb_path))
    out = site / "pages" / f"{nb_path.stem}.html"
    out.write_text(body, encoding="utf-8")
    return out


# --------------------------------------------------------------------------- Marp

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
THEMATIC_BREAK = re.compile(r"^\s{0,3}((\*\s*){3,}|(-\s*){3,}|(_\s*){3,})$")
MARKDOWN_IMAGE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)")
MARP_FRONT_MATTER = """---
marp: true
theme: default
paginate: true
size: 16:9
title: {title}
lang: en
style: |
  section {{ font-size: 24px; overflow-y: auto; justify-content: safe center; }}
  pre {{ font-size: 16px; }}
  img {{ max-height: 440px; }}
---
"""


#: Marp shrinks a code block until its longest line fits the page: 113 columns fit at
#: the deck's 16 px. A printed line longer than this (an error message can run to
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


def write_marp_deck(nb: NotebookNode, nb_path: Path, site: Path, title: str) -> Path:
    """Write ``site/marp/NAME/NAME.md`` and its figures; ``nb`` is :func:`for_presentation`'d."""
    deck_dir = site / "marp" / nb_path.stem
    deck_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    for content, notes in marp_slides(nb, _MarpWriter(nb_path, deck_dir)):
        body = "\n\n".join(content)
        for note in notes:  # an HTML comment on a Marp page is a presenter note
            body += "\n\n<!--\n" + note.replace("-->", "-- >") + "\n-->"
        pages.append(body)
    md = MARP_FRONT_MATTER.format(title=json.dumps(title)) + "\n" + "\n\n---\n\n".join(pages) + "\n"
    out = deck_dir / f"{nb_path.stem}.md"
    out.write_text(md, encoding="utf-8")
    return out


def render_marp(site: Path) -> None:
    """Render every ``site/marp/*/*.md`` to HTML next to it, in one marp-cli run."""
    if not MARP_BIN.exists():
        raise SystemExit(f"{MARP_BIN} is missing: run scripts/export_course.sh (it runs `npm ci`)")
    marp_dir = site / "marp"
    done = subprocess.run(
        [str(MARP_BIN), "--no-stdin", "--config-file", str(MARP_CONFIG), "--input-dir", str(marp_dir), "--output", str(marp_dir)],
        capture_output=True, text=True,
    )
    if done.returncode != 0:  # its progress lines are noise unless it failed
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"marp-cli failed with exit status {done.returncode}")


# --------------------------------------------------------------------------- index


def write_index(site: Path, entries: Iterable[tuple[str, str, int]]) -> Path:
    """``site/index.html``: per notebook (stem, title, slides) links to its four outputs."""
    rows = "\n".join(
        f'<li><span class="title">{html.escape(title)}</span>'
        f'<span class="links"><a href="pages/{stem}.html">page</a> · '
        f'<a href="slides/{stem}.slides.html">slides</a> ({n}) · '
        f'<a href="marp/{stem}/{stem}.html">Marp deck</a> '
        f'(<a href="marp/{stem}/{stem}.md">Markdown</a>)</span></li>'
        for stem, title, n in entries
    )
    out = site / "index.html"
    out.write_text(
        f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PyTorch computer vision course</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em; line-height: 1.5; }}
li {{ margin: .6em 0; }}
.title {{ display: block; font-weight: 600; }}
</style>
</head>
<body>
<h1>PyTorch computer vision course</h1>
<p>Each notebook as a web page, as reveal.js slides (arrow keys to move, <kbd>s</kbd> for
speaker notes, <kbd>Esc</kbd> for an overview) and as a Marp deck. Everything here
works offline.</p>
<ol class="notebooks">
{rows}
</ol>
</body>
</html>
""",
        encoding="utf-8",
    )
    return out


# --------------------------------------------------------------------------- main


def export(notebooks: list[Path], site: Path) -> list[tuple[str, str, int]]:
    """Export ``notebooks`` (in this order) into ``site``, replacing an earlier export.

    Returns (stem, title, number of slides) per notebook.
    """
    for owned in ("assets", "slides", "pages", "marp", "index.html"):
        path = site / owned
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for sub in ("slides", "pages", "marp"):
        (site / sub).mkdir(parents=True, exist_ok=True)
    copy_assets(site)
    notes = read_speaker_notes()
    entries = []
    for nb_path in notebooks:
        nb = nbformat.read(nb_path, as_version=4)
        title = notebook_title(nb, nb_path.stem)
        for problem in speaker_notes_problems(nb_path.stem, nb, notes):  # a warning: the slides still work
            print(f"[export] {nb_path.stem}: {problem} ({SPEAKER_NOTES.relative_to(COURSE_ROOT)})")
        slides_nb = with_speaker_notes(for_presentation(nb), notes.get(nb_path.stem, {}))
        export_slides(slides_nb, nb_path, site)
        export_page(for_presentation(nb, keep_badge=True), nb_path, site)
        write_marp_deck(slides_nb, nb_path, site, title)
        entries.append((nb_path.stem, title, slide_counts(slides_nb)[1]))
    render_marp(site)
    write_index(site, entries)
    return entries


def main(argv: list[str] | None = None) -> None:
    """Command line: export the given notebooks, or every course notebook, and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="executed notebooks to export (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/site)")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    if not notebooks:
        raise SystemExit(f"no notebooks/NN_*.ipynb found in {NOTEBOOKS_DIR}")
    if not args.notebooks:
        for py in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py")):
            if not py.with_suffix(".ipynb").exists():
                print(f"[export] skipping {py.name}: not executed yet (scripts/run_course.sh writes its .ipynb)")
    site = args.out.resolve()
    start = time.perf_counter()
    for stem, _, n in export(notebooks, site):
        print(f"[export] {stem}: {n} slides")
    shown = site.relative_to(COURSE_ROOT) if site.is_relative_to(COURSE_ROOT) else site
    print(f"[export] {len(notebooks)} notebooks in {time.perf_counter() - start:.0f} s: open {shown / 'index.html'}")


if __name__ == "__main__":
    main()
