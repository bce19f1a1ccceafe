"""CONTRIBUTING.md's "Adding a lesson" is kept honest by scripts/lesson_checklist.py:
every notebook of the course passes its steps; a lesson added to a copy of the course
as the checklist says passes them too; and the same lesson with one step skipped fails,
every problem naming that step. Nothing is executed: the new lesson's .ipynb is made
with jupytext and numbered as a run would number it."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import jupytext
import pytest

import lesson_checklist
import notebook_header
import tidy_notebook
from course_copy import copy_course
from lesson_checklist import (
    FLOAT_CELLS, README, RUN_TIMES, SPEAKER_NOTES, STEPS, TAUGHT_FILE, check_lesson, course_stems,
    course_text_files, is_exercise_notebook,
)
from support import COURSE_ROOT
from timeouts import SUBPROCESS_S

STEP_NAMES = {name: number for number, name, _ in STEPS}

#: The definition the new lesson teaches, as it goes into helper_functions.py too.
TAUGHT_CODE = '''\
def count_parameters(model: nn.Module) -> int:
    """How many numbers training can change in ``model``."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)'''

#: Each way to skip a step: (the step's name, what is left out or done wrong).
SKIPS = {
    "lesson-file-no-contents": ("lesson file", "the '## Contents' cell left out"),
    "lesson-file-unnumbered": ("lesson file", "sections not numbered"),
    "reading-time": ("reading time", "a core path over 25 minutes"),
    "renumbering": ("renumbering", "the exercises keep their numbers"),
    "renumbering-references": ("renumbering", "the exercises' files moved, nothing that names them renamed"),
    "readme": ("README", "no row in the README"),
    "speaker-notes": ("speaker notes", "no notes"),
    "speaker-notes-one-section": ("speaker notes", "one section without notes"),
    "taught-nothing": ("taught definitions", "neither in helper_functions.py nor in TAUGHT"),
    "taught-not-registered": ("taught definitions", "in helper_functions.py, not in TAUGHT"),
    "taught-not-identical": ("taught definitions", "helper_functions.py's copy differs"),
    "not-run": ("header cells and outputs", "the course not run: no header cells, no .ipynb"),
    "edited-after-run": ("header cells and outputs", "the .py edited after the run"),
    "run-time": ("website", "no run time recorded"),
    "float-cells": ("float-dependent cells", "no entry in the record"),
}


def lesson_source(number: str, skip: str | None) -> str:
    """A short lesson in percent format, as step 1 says (without the header cells, which
    running the course writes), and with ``skip``'s defect where it is one of step 1's or 2's."""
    numbered = skip != "lesson-file-unnumbered"
    first, second = (("1. Counting parameters", "2. Three models side by side") if numbered
                     else ("Counting parameters", "Three models side by side"))
    contents = "" if skip == "lesson-file-no-contents" else f"""
# %% [markdown]
# ## Contents
#
# 1. [{first.removeprefix("1. ")}](#{first.replace(" ", "-")})
# 2. [{second.removeprefix("2. ")}](#{second.replace(" ", "-")})
# 3. [Summary](#Summary)
#
# **Going deeper (optional):** [where TinyVGG keeps its parameters](#Going-deeper-(optional):-where-TinyVGG-keeps-its-parameters)
"""
    long_read = "\n# %% [markdown]\n# " + "word " * 5200 + "\n" if skip == "reading-time" else ""
    return f"""\
# %% [markdown]
# # {number}. Model sizes
#
# How many numbers does each of the course's three models learn? We count them.
{contents}
# %%
from torch import nn

from helper_functions import FashionMNISTModelV0, FashionMNISTModelV1, FashionMNISTModelV2

# %% [markdown]
# ## {first}
#
# A model's parameters are the tensors that training changes: we add up their sizes.
{long_read}
# %%
{TAUGHT_CODE}

# %% [markdown]
# ## {second}
#
# From here on the course imports `count_parameters` from the toolbox.

# %%
from helper_functions import count_parameters

models = {{"Model 0": FashionMNISTModelV0(784, 10, 10), "Model 1": FashionMNISTModelV1(784, 10, 10),
          "Model 2": FashionMNISTModelV2(1, 10, 10)}}
for name, model in models.items():
    print(f"{{name}}: {{count_parameters(model):,}} parameters")

# %% [markdown]
# ## Summary
#
# - A convolutional network can learn more with fewer parameters than a linear one.

# %% [markdown]
# ## Going deeper (optional): where TinyVGG keeps its parameters

# %%
for name, parameter in models["Model 2"].named_parameters():
    print(name, tuple(parameter.shape))
"""


def renumber(course, moves: dict[str, str], references: bool = True) -> None:
    """Step 3 as CONTRIBUTING.md says: move both files of each notebook, then rename every
    reference to it (grep -rln OLD_NAME), its title's number wherever it is written, the
    README's row numbers, every "notebook NN" of the prose, and the numbers by which
    scripts/export/site/hooks.py and the Makefile name the exercise pages. (ALSO_TAUGHT
    names no moved notebook; the reading-load pattern, which no check reads, stays.)"""
    titles = {}  # "# 10. Exercises" -> "# 11. Exercises", wherever it is written
    for old, new in moves.items():
        title = (course / "notebooks" / f"{old}.py").read_text().split("\n# # ", 1)[1].split("\n", 1)[0]
        titles[f"# {title}"] = f"# {new[:2]}{title[2:]}"
        for suffix in (".py", ".ipynb"):
            (course / "notebooks" / f"{old}{suffix}").rename(course / "notebooks" / f"{new}{suffix}")
    if not references:
        return
    replacements = {**moves, **titles}
    names = re.compile("|".join(map(re.escape, replacements)))  # as grep finds them, in URLs too
    numbers = {old[:2]: new[:2] for old, new in moves.items()}

    def new_number(match: re.Match) -> str:
        return numbers.get(match.group(0), match.group(0))

    moved = {f"{new}.ipynb" for new in moves.values()}
    for path, text in list(course_text_files(course, notebooks=True)):
        if path.suffix == ".ipynb" and path.name not in moved and not names.search(text):
            continue  # the other lessons' .ipynb (a run of the course rewrites them from their .py)
        changed = names.sub(lambda match: replacements[match.group(0)], text)
        changed = re.sub(r"\b[Nn]otebooks? \d\d(?:(?:,| and| to|-| or) ?\d\d)*",
                         lambda match: re.sub(r"\d\d", new_number, match.group(0)), changed)
        if path == course / README:  # the table's "| NN |" follows the link's new number
            changed = re.sub(r"^\| \d\d (?=\| \[[^\]]*\]\(notebooks/(\d\d)_)", lambda match: f"| {match.group(1)} ",
                             changed, flags=re.M)
        if path.name == "hooks.py":
            changed = re.sub(r'(?<=")\d\d(?=_")', new_number, changed)
        if path.name == "Makefile":
            changed = re.sub(r"\b\d\d(?=_%)", new_number, changed)
        if changed != text:
            path.write_text(changed)


def insert_after_line(path, marker: str, text: str) -> None:
    """``text`` (whole lines) after the first line holding ``marker``."""
    lines = path.read_text().splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if marker in line][:1]
    path.write_text("".join(lines[:index + 1]) + text + "".join(lines[index + 1:]))


def add_lesson(course, skip: str | None = None) -> str:
    """Add a lesson to the copy of the course at ``course``, following CONTRIBUTING.md's
    checklist step by step but for ``skip``. Returns the lesson's stem."""
    lessons = [s for s in course_stems(course) if not is_exercise_notebook(s)]
    exercises = [s for s in course_stems(course) if is_exercise_notebook(s)]
    number = f"{int(lessons[-1][:2]) + 1:02d}"
    stem = f"{number}_model_sizes"
    notebooks = course / "notebooks"
    # 1, 2. The lesson's .py, its core path short.
    py = notebooks / f"{stem}.py"
    py.write_text(lesson_source(number, skip))
    # 3. The exercises move up by one, and every reference with them.
    if skip != "renumbering":
        renumber(course, {old: f"{int(old[:2]) + 1:02d}{old[2:]}" for old in exercises},
                 references=skip != "renumbering-references")
    # 4. Its row in the README's table, after the lesson before it.
    if skip != "readme":
        insert_after_line(course / README, f"(notebooks/{lessons[-1]}.ipynb)",
                          f"| {number} | [Model sizes](notebooks/{stem}.ipynb) | counting a model's parameters |\n")
    # 5. Its speaker notes, a block per section (before the exercises' notes).
    if skip != "speaker-notes":
        sections = [h for _, h in lesson_checklist.export_course.section_headings(jupytext.read(py))]
        if skip == "speaker-notes-one-section":
            sections = sections[1:]
        block = f"# {stem}\n\n" + "".join(f"## {heading}\n- A note for the instructor.\n\n" for heading in sections)
        notes = course / SPEAKER_NOTES
        text = notes.read_text()
        first_exercise = re.search(r"^# \d\d_\w*exercise", text, re.M).start()
        notes.write_text(text[:first_exercise] + block + text[first_exercise:])
    # 6. What it teaches: into helper_functions.py identically, into TAUGHT and the toolbox's docstring.
    if skip != "taught-nothing":
        helpers = course / "helper_functions.py"
        code = TAUGHT_CODE.replace("How many", "The number of") if skip == "taught-not-identical" else TAUGHT_CODE
        text = helpers.read_text().replace('\n"""\n', f"\nNotebook {number} teaches count_parameters.\n\"\"\"\n", 1)
        helpers.write_text(text + f"\n\n{code}\n")
    if skip not in ("taught-nothing", "taught-not-registered"):
        taught = course / TAUGHT_FILE
        text = taught.read_text()
        (node,) = [n for n in ast.parse(text).body if isinstance(n, ast.Assign) and n.targets[0].id == "TAUGHT"]
        lines = text.splitlines(keepends=True)
        assert lines[node.value.end_lineno - 1] == "}\n", "TAUGHT no longer ends with a '}' line"
        lines.insert(node.value.end_lineno - 1, f'    "{stem}": ["count_parameters"],\n')
        taught.write_text("".join(lines))
    # 7. Running the course: the header cells, then the executed, tidied .ipynb.
    if skip != "not-run":
        notebook_header.stamp(py)
        nb = jupytext.read(py)
        for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 1):
            cell.execution_count, cell.outputs = count, []
        jupytext.write(nb, notebooks / f"{stem}.ipynb")
        tidy_notebook.tidy(str(notebooks / f"{stem}.ipynb"))
    if skip == "edited-after-run":
        py.write_text(py.read_text().replace("we add up their sizes.", "we add up their sizes, layer by layer."))
    # 8. Its run time, for the instructor's guide (scripts/record_run_times.py's file).
    if skip != "run-time":
        record = json.loads((course / RUN_TIMES).read_text())
        record["seconds"] = dict(sorted({**record["seconds"], stem: 4}.items()))
        (course / RUN_TIMES).write_text(json.dumps(record, indent=2) + "\n")
    # 9. Its float-dependent cells (it prints counts and shapes: none).
    if skip != "float-cells":
        record = json.loads((course / FLOAT_CELLS).read_text())
        record["cells"] = dict(sorted({**record["cells"], f"{stem}.ipynb": []}.items()))
        (course / FLOAT_CELLS).write_text(json.dumps(record, indent=1) + "\n")
    return stem


@pytest.mark.parametrize("stem", course_stems(COURSE_ROOT))
def test_every_notebook_of_the_course_passes(stem):
    assert check_lesson(COURSE_ROOT, stem) == []


def test_a_lesson_added_per_the_checklist_passes(tmp_path):
    course = copy_course(tmp_path / "course")
    stem = add_lesson(course)
    assert check_lesson(course, stem) == []
    # The renumbered exercises pass too, and the course still has a lesson per number.
    stems = course_stems(course)
    assert [s[:2] for s in stems] == [f"{n:02d}" for n in range(len(stems))]
    for exercise in (s for s in stems if is_exercise_notebook(s)):
        assert check_lesson(course, exercise) == []


@pytest.mark.parametrize("skip", list(SKIPS))
def test_a_skipped_step_fails_with_its_name(tmp_path, skip):
    name, _ = SKIPS[skip]
    course = copy_course(tmp_path / "course")
    stem = add_lesson(course, skip)
    problems = check_lesson(course, stem)
    assert problems, f"skipping {SKIPS[skip]} went unnoticed"
    assert all(p.startswith(f"step {STEP_NAMES[name]}, {name}: ") for p in problems), problems


def test_every_step_is_skipped_once_at_least():
    assert {name for name, _ in SKIPS.values()} == set(STEP_NAMES)


def test_contributing_names_the_checklists_steps():
    """CONTRIBUTING.md's "Adding a lesson" numbers the steps as the checker does, by the same names."""
    text = (COURSE_ROOT / "CONTRIBUTING.md").read_text()
    section = text.split("\n## Adding a lesson\n", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^(\d+)\. \*\*(.+?)\*\*", section, re.M) == [(str(n), name) for n, name, _ in STEPS]
    assert "python scripts/lesson_checklist.py NN_name" in section


def test_the_command_line_names_the_skipped_step(tmp_path, capsys):
    """``python scripts/lesson_checklist.py`` runs without pytest's import path, prints the
    problems and exits with 1; on the course as it is, it prints "all steps done"."""
    course = copy_course(tmp_path / "course")
    stem = add_lesson(course, "speaker-notes")
    command = [sys.executable, str(COURSE_ROOT / "scripts" / "lesson_checklist.py"), "--root", str(course)]
    result = subprocess.run([*command, f"notebooks/{stem}.py"], capture_output=True, text=True, timeout=SUBPROCESS_S)
    assert result.returncode == 1, result.stderr
    number = STEP_NAMES["speaker notes"]
    assert result.stdout.splitlines() == [f"step {number}, speaker notes: no '# {stem}' section in {SPEAKER_NOTES}"]
    assert lesson_checklist.main([course_stems(COURSE_ROOT)[0]]) == 0
    assert capsys.readouterr().out == "all steps done\n"
