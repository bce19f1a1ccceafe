"""Every "notebook NN" in a lesson's prose points at the notebook that teaches what
the sentence talks about.

What a notebook teaches is read from the notebook itself: its title and its section
headings. A sentence that names notebook NN must mention at least one of the course's
key terms (CONCEPTS) that appears in NN's title or headings, or in the few extra
topics listed for it in ALSO_TAUGHT (with the reason). A sentence that names a
notebook but mentions no key term at all fails too: the reader cannot tell what to
look for there.
"""
from __future__ import annotations

import re

import jupytext
import pytest

from support import COURSE_ROOT

NOTEBOOKS = {path.name[:2]: path for path in sorted((COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))}

#: The course's key terms, lower case, each matching the words that start with it
#: ("compar" matches compare, compares, comparing and comparison).
CONCEPTS = [
    "accelerat", "accura", "baseline", "batch", "checkpoint", "confusion matri", "conv2d", "convolution",
    "cnn", "dataloader", "dataset", "device", "edge", "epoch", "exercise", "fashionmnist", "feature map",
    "function", "gpu", "kernel", "load", "loop", "maxpool2d", "model 0", "model 1", "model 2", "non-linear",
    "overfit", "pool", "predict", "relu", "running average", "sav", "solution", "state_dict", "tensor",
    "tinyvgg", "train", "compar", "image", "best", "mini-batch",
]

#: Topics a notebook teaches that its headings do not name, with the reason.
ALSO_TAUGHT = {
    "03": {"sav": "section 4 saves Model 0 in models/"},
    "04": {"sav": "section 3 saves Model 1 in models/"},
    "05": {"cnn": "TinyVGG, in its title, is the course's convolutional network", "sav": "section 8 saves Model 2"},
    "06": {"best": "section 2 picks the most accurate model"},
}

REFERENCE = re.compile(r"\b[Nn]otebooks? (\d\d)((?:(?:,| and| to|-| or) ?\d\d)*)")


def key_terms(text: str) -> set[str]:
    lowered = text.lower().replace("`", "")
    return {term for term in CONCEPTS if re.search(rf"(?<![\w-]){re.escape(term)}", lowered)}


def taught_in(number: str) -> set[str]:
    cells = jupytext.read(NOTEBOOKS[number]).cells
    headings = "\n".join(
        line for cell in cells if cell.cell_type == "markdown"
        for line in cell.source.splitlines() if line.startswith("#")
    )
    return key_terms(headings) | set(ALSO_TAUGHT.get(number, {}))


def named_notebooks(match: re.Match) -> list[str]:
    first, rest = match.group(1), match.group(2)
    numbers = [first, *re.findall(r"\d\d", rest)]
    if re.search(r"\bto\b|-", rest) and len(numbers) == 2:  # a range: notebooks 02 to 05
        numbers = [f"{n:02d}" for n in range(int(numbers[0]), int(numbers[1]) + 1)]
    return numbers


def sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", re.sub(r"(?m)^[>#|*-]+ ?", "", text))
    return re.split(r"(?<=[.!?:;])\s+(?=[A-Z*`(])", text)


def cross_references(path) -> list[tuple[str, list[str]]]:
    found = []
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "markdown" or "colab-badge" in cell.metadata.get("tags", []):
            continue
        for sentence in sentences(cell.source):
            for match in REFERENCE.finditer(sentence):
                found.append((sentence, named_notebooks(match)))
    return found


def wrong_references(path) -> list[str]:
    problems = []
    for sentence, numbers in cross_references(path):
        terms = key_terms(sentence)
        for number in numbers:
            if number not in NOTEBOOKS:
                problems.append(f"notebook {number} does not exist: {sentence!r}")
            elif not terms:
                problems.append(f"says nothing about what notebook {number} teaches: {sentence!r}")
            elif not terms & taught_in(number):
                problems.append(
                    f"notebook {number} does not teach {sorted(terms)} (its headings: "
                    f"{sorted(taught_in(number))}): {sentence!r}"
                )
    return problems


@pytest.mark.parametrize("path", list(NOTEBOOKS.values()), ids=lambda p: p.stem)
def test_cross_references_name_the_notebook_that_teaches_it(path):
    problems = wrong_references(path)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_a_wrong_cross_reference_is_caught(tmp_path):
    wrong = tmp_path / "99_probe.py"
    wrong.write_text(
        "# %% [markdown]\n# # 99. Probe\n#\n"
        "# We build our CNN in notebook 04.\n#\n# We build our CNN in notebook 05.\n"
    )
    problems = wrong_references(wrong)
    assert len(problems) == 1 and "notebook 04" in problems[0] and "'cnn'" in problems[0]


def test_ranges_and_lists_name_every_notebook():
    matches = list(REFERENCE.finditer("notebooks 02 to 05, notebooks 02 and 04, notebook 07"))
    assert [named_notebooks(m) for m in matches] == [["02", "03", "04", "05"], ["02", "04"], ["07"]]
