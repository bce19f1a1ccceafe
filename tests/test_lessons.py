"""The lessons speak to students: no markdown cell and no printed line talks about
the course's own machinery (its tests, CI, comparing stored outputs, sanitizing,
the benchmark's files and scripts). That belongs in the README."""
from __future__ import annotations

import json
import re

import pytest

from support import COURSE_ROOT

NOTEBOOKS = sorted((COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

MACHINERY = re.compile(
    r"\bnbval\b|\bpytest\b|\bCI\b|continuous integration|stored outputs?|sanitiz|test suite"
    r"|the course's tests|benchmark_results|scripts/|\bprovenance\b|\bpending\b",
    re.IGNORECASE,
)


def student_facing_text(cell: dict) -> list[str]:
    """What a student reads of a cell: markdown, or what a code cell printed."""
    if cell["cell_type"] == "markdown":
        return ["".join(cell["source"])]
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append("".join(output["text"]))
        elif "text/plain" in output.get("data", {}):
            texts.append("".join(output["data"]["text/plain"]))
    return texts


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_lessons_do_not_talk_about_the_course_machinery(ipynb):
    found = []
    for index, cell in enumerate(json.loads(ipynb.read_text())["cells"]):
        for text in student_facing_text(cell):
            for match in MACHINERY.finditer(text):
                context = text[max(0, match.start() - 50): match.end() + 50].replace("\n", " ")
                found.append(f"cell {index}: ...{context}...")
    assert not found, f"{ipynb.name} speaks of the course's machinery:\n" + "\n".join(found)


def test_the_pattern_catches_machinery_talk():
    for sentence in ("The stored outputs come from a 2-core CPU.", "CI re-executes this notebook.",
                     "nbval compares each cell.", "The sanitizer replaces timings.",
                     "see scripts/benchmark_training.py", "GPU: pending"):
        assert MACHINERY.search(sentence), sentence
    for sentence in ("We store the model's weights.", "The test set has 10,000 images.", "Circle"):
        assert not MACHINERY.search(sentence), sentence
