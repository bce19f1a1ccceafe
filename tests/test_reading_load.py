"""Each lesson (00-09) has a core path a student can read in 25 minutes.

Reading time is counted the way the lessons issue defined it: markdown at 200 words
a minute, code at 10 non-blank, non-comment lines a minute, the set-up cell left
out, up to the first optional "Going deeper" section. What lies after that heading
is optional, and nothing but optional sections may follow it. The rule lives in
scripts/reading_time.py, which the instructor's guide on the website uses too
(``python scripts/reading_time.py`` prints every lesson's minutes).
"""
from __future__ import annotations

import jupytext
import nbformat
import pytest

from support import COURSE_ROOT
from reading_time import OPTIONAL_HEADING, core_and_optional, lesson_paths, reading_minutes

LESSONS = lesson_paths(COURSE_ROOT)
CORE_MINUTES = 25


def split_core_optional(path):
    return core_and_optional(jupytext.read(path).cells)


def test_every_lesson_is_measured():
    assert [p.name[:2] for p in LESSONS] == [f"{n:02d}" for n in range(10)]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_core_path_reads_in_25_minutes(path):
    core, optional = split_core_optional(path)
    minutes = reading_minutes(core)
    assert minutes <= CORE_MINUTES, (
        f"{path.name}: the core path takes {minutes:.1f} min to read (limit {CORE_MINUTES}); "
        "move engineering into a '## Going deeper (optional): ...' section at the end"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_optional_sections_come_last(path):
    _, optional = split_core_optional(path)
    headings = [
        line for cell in optional if cell.cell_type == "markdown"
        for line in cell.source.splitlines() if line.startswith("## ")
    ]
    assert all(OPTIONAL_HEADING.match(h) for h in headings), (
        f"{path.name}: after the first optional section only optional sections may follow, got {headings}"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_optional_sections_are_folded_in_jupyterlab(path):
    notebook = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    headings = [cell for cell in notebook.cells if cell.cell_type == "markdown" and OPTIONAL_HEADING.match(cell.source)]
    unfolded = [cell.source.splitlines()[0] for cell in headings if not cell.metadata.get("jp-MarkdownHeadingCollapsed")]
    assert not unfolded, f"{path.name}: run scripts/tidy_notebook.py; these optional sections are not folded: {unfolded}"


def test_reading_minutes_counts_words_and_code():
    markdown = jupytext.reads("# %% [markdown]\n# " + "word " * 400 + "\n\n# %%\n" + "x = 1\n" * 10 + "# a comment\n", fmt="py:percent")
    assert reading_minutes(markdown.cells) == pytest.approx(2 + 1)
