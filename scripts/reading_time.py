"""How long a lesson takes to read: the one rule, shared by the course's reading-load
test (tests/test_reading_load.py) and the instructor's guide on the website
(scripts/export/export_course.py).

- Markdown counts at 200 words a minute, a link or image as the words of its text.
- Code counts at 10 lines a minute, blank lines and comment lines left out.
- The generated header cells are not read: the launch badges (tag ``colab-badge``)
  are navigation, and the set-up cell (tag ``colab-setup``) runs folded away.
- A lesson's core path is every cell before its first "## Going deeper" heading;
  what follows is optional.

It works on cells as nbformat and jupytext both give them (``cell_type``, ``source``,
``metadata``), so it reads a ``.py`` notebook and an executed ``.ipynb`` alike.
``python scripts/reading_time.py`` prints the minutes of every lesson.
"""
from __future__ import annotations

import re
from pathlib import Path

WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 10
#: The heading of a lesson's first optional section (and of every one after it).
OPTIONAL_HEADING = re.compile(r"^## Going deeper", re.M)
#: The tags of the header cells that scripts/notebook_header.py writes into every notebook.
HEADER_TAGS = {"colab-badge", "colab-setup"}
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def reading_minutes(cells) -> float:
    """Minutes to read ``cells``: their words and their code lines, at the rates above."""
    words = code_lines = 0
    for cell in cells:
        if HEADER_TAGS & set(cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            words += len(LINK.sub(r"\1", cell.source).split())  # a link reads as its text
        elif cell.cell_type == "code":
            code_lines += sum(
                1 for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")
            )
    return words / WORDS_PER_MINUTE + code_lines / CODE_LINES_PER_MINUTE


def core_and_optional(cells) -> tuple[list, list]:
    """``cells`` split before the first markdown cell with a "## Going deeper" heading:
    (core path, optional sections); the second is empty in a lesson without any."""
    cells = list(cells)
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and OPTIONAL_HEADING.search(cell.source):
            return cells[:index], cells[index:]
    return cells, []


def lesson_paths(root: Path = Path(__file__).resolve().parent.parent) -> list[Path]:
    """Every lesson's .py, in order: the numbered notebooks but the exercises and their solutions."""
    return [path for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")) if "exercise" not in path.stem]


def main() -> None:
    """A table for notes: every lesson's core path and optional sections, in minutes."""
    import jupytext

    for path in lesson_paths():
        core, optional = core_and_optional(jupytext.read(path).cells)
        print(f"{path.stem:38} core {reading_minutes(core):5.1f} min   optional {reading_minutes(optional):5.1f} min")


if __name__ == "__main__":
    main()
