"""Write the exercises notebook (10) from the solutions notebook (11).

    python scripts/make_exercises.py          # rewrites notebooks/10_exercises.py
    python scripts/make_exercises.py --check  # exits 1 if notebooks/10_exercises.py is stale

Notebook 11 is the one source of the exercises. Each exercise there has its task,
its setup cell, the fill-in cell a student starts from (tagged ``exercise``), the
solution (tagged ``solution``), the check cell and a note on the solution (also
tagged ``solution``). Notebook 10 is notebook 11 without the ``solution`` cells,
with its own title, "How this notebook works" and summary (below), and its own
header cells. Edit notebook 11, run this script, then re-execute notebook 10
(README, "Changing a notebook").
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext

from notebook_header import with_header
from tidy_notebook import jupytext_filters

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTIONS = NOTEBOOKS_DIR / "11_exercise_solutions.py"
EXERCISES = NOTEBOOKS_DIR / "10_exercises.py"

TITLE = """\
# 10. Exercises

Time to practise. These twenty-three exercises walk through the whole chapter: the
data, the baseline model and its training loop, TinyVGG, comparing models, convolution
shapes, and the questions every computer vision project meets: overfitting, GPUs,
confusion matrices and wrong predictions. Exercise 12 takes TinyVGG to a new dataset,
handwritten digits; 16 and 17 have you build Model 1 and TinyVGG yourself; 18 to 21
open the models up by hand: softmax and cross-entropy, one convolution output, the
receptive field and average pooling. The last two train the way notebook 09 does:
choose on a validation set, and call a gain real only beyond the noise.

Most exercises check themselves: run the check cell after your answer and it tells
you what is right or what is wrong. The solutions are in notebook 11; try first!"""

HOW_IT_WORKS = """\
## How this notebook works

Each exercise has up to four parts:

1. **The task** (a markdown cell).
2. **A setup cell**, if the exercise needs one. Run it: it makes every exercise
   independent of the others, so you can skip one you are stuck on.
3. **Your answer**: a code cell with `# TODO` comments. Its placeholders (`None`, or a
   `raise NotImplementedError` line) let the notebook run from top to bottom before
   you have answered anything. Replace them with your code.
4. **A check cell**. Run it after your answer. It prints one line:
   - ✅ the answer is right (and the cell shows `True`),
   - ❌ something is wrong: what, and a hint,
   - ⏳ not done yet: your answer cell still holds its placeholders.

Run your answer cell before its check cell: the check reads the names your answer
defines. Exercises 10, 11 and the end of 15 ask for written answers; double-click
their markdown cells to write.

> **Tip:** Several exercises train models. Most use subsets of the data and few
> epochs, so they train in seconds to a minute on a laptop CPU; the challenge (23)
> allows five minutes."""

SUMMARY = """\
## Summary

You practised the whole path from images to evaluated models:

- the data: sizes, shapes and random samples (1, 2),
- a model, its loss and optimizer, the five-step training loop and its loss curve (3-6),
- a CNN's outputs: logits → probabilities → labels, and the accuracy/speed trade-off (7, 8),
- how kernel size, stride and padding set a convolution's output size (9),
- computer vision in industry and overfitting (10, 11),
- a new dataset, device-agnostic timing, a confusion matrix and the model's mistakes (12-15),
- Model 1 and TinyVGG, written by you from their descriptions (16, 17),
- what happens inside: softmax and cross-entropy, one convolution output, the
  receptive field, and average pooling in place of max-pooling (18-21),
- choosing on a validation set and testing once (22), and beating the course's
  TinyVGG beyond the noise, each change judged over several seeds (23).

Compare your answers with notebook 11."""

#: Markdown cells of notebook 11 (by their first line) -> their text in notebook 10.
REPLACED = {
    "# 11. Exercise solutions": TITLE,
    "## How to use the solutions": HOW_IT_WORKS,
    "## Summary": SUMMARY,
}
#: The contents entry that names the replaced section.
CONTENTS_ENTRY = (
    "[How to use the solutions](#How-to-use-the-solutions)",
    "[How this notebook works](#How-this-notebook-works)",
)


def exercises_text() -> str:
    """The percent-format source of notebook 10, generated from notebook 11."""
    notebook = jupytext.read(SOLUTIONS, fmt="py:percent")
    missing = set(REPLACED) - {c.source.split("\n", 1)[0] for c in notebook.cells if c.cell_type == "markdown"}
    if missing:
        raise SystemExit(f"{SOLUTIONS.name} has no markdown cell starting with {sorted(missing)}")
    cells = []
    for cell in notebook.cells:
        if "solution" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            first_line = cell.source.split("\n", 1)[0]
            if first_line in REPLACED:
                cell.source = REPLACED[first_line]
            elif first_line == "## Contents":
                cell.source = cell.source.replace(*CONTENTS_ENTRY)
        cells.append(cell)
    notebook.cells = cells
    notebook = with_header(notebook, EXERCISES.stem)
    notebook.metadata["jupytext"].update(jupytext_filters())
    return jupytext.writes(notebook, fmt="py:percent")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether notebooks/10_exercises.py is up to date")
    args = parser.parse_args(argv)
    text = exercises_text()
    if args.check:
        fresh = EXERCISES.read_text() == text
        print(f"{EXERCISES.name} is {'up to date' if fresh else 'stale: run python scripts/make_exercises.py'}")
        return 0 if fresh else 1
    changed = not EXERCISES.exists() or EXERCISES.read_text() != text
    if changed:  # an untouched file: Jupytext may be executing notebook 10 right now
        EXERCISES.write_text(text)
    print(f"{'wrote' if changed else 'unchanged'}: {EXERCISES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
