"""Build the autograded assignment (Otter-Grader) from the solutions notebook (11).

    python scripts/make_grading.py                          # all exercises -> build/grading/
    python scripts/make_grading.py --exercises 1 3 4        # only these (the test suite's subset)
    python scripts/make_grading.py --cell-time-limit 900    # seconds one cell may run when graded

It writes Otter's master notebook, build/grading/master/exercises.ipynb, and runs
``otter assign`` on it, which writes:

- build/grading/student/exercises.ipynb: the notebook to hand out. It is notebook 10
  (the same cells: prompts, setup, fill-in and self-check cells, without solutions),
  with Otter's metadata in its cells;
- build/grading/autograder/exercises.ipynb: the same with the solutions;
- build/grading/autograder/exercises-autograder_*.zip: the autograder, for Gradescope,
  ``otter grade`` or ``otter run`` (scripts/grade_submissions.py).

Each exercise with self-checks is an Otter question worth its difficulty (★☆☆ 1 point,
★★☆ 2, ★★★ 3). Its hidden tests are its check cells: each calls the course's check
function (cv_course.exercise_checks) on the names the student's notebook defines, and
fails unless the check says ✅; its failure message is the check's ❌ or ⏳ line.
Exercises 10 and 11 (written answers) are manually graded questions. The written
verdict of Exercise 15 is not graded; its code is.

The question of an exercise spans its cells, from its heading to the next. Notebook
11 tags them: ``exercise`` (the fill-in cell a student starts from), ``solution``
(solutions and their notes, dropped from the student's notebook), ``check`` and
``setup``. Otter runs an exercise's tests right after its last cell, so that a later
exercise's names cannot change what they see.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

import otter_cell_limit
from make_exercises import CONTENTS_ENTRY, EXERCISES, REPLACED, SOLUTIONS
from notebook_header import with_header

SCRIPTS_DIR = Path(__file__).resolve().parent
COURSE_ROOT = SCRIPTS_DIR.parent
BUILD_DIR = COURSE_ROOT / "build" / "grading"
#: Otter checks that a submission names the assignment it was handed out for.
ASSIGNMENT_NAME = "pytorch-cv-exercises"
#: The notebook's name in student/ and autograder/ (what students submit).
NOTEBOOK_NAME = "exercises"
#: Seconds one cell may run while graded. Exercise 23 trains for at most five minutes on
#: a laptop's CPU; a grading server may be slower.
DEFAULT_CELL_TIME_LIMIT = 900
#: Points for each star of an exercise's "**Difficulty:** ★★☆" line.
POINTS_PER_STAR = 1
HEADING = re.compile(r"^## Exercise (\d+): ", re.MULTILINE)
DIFFICULTY = re.compile(r"\*\*Difficulty:\*\* ([★☆]{3})")


@dataclass
class Exercise:
    """One exercise of notebook 11: its number and its cells, heading first."""

    number: int
    cells: list = field(default_factory=list)

    @property
    def question(self) -> str:
        """Otter's name for it, which sorts in order in the grades' CSV."""
        return f"exercise_{self.number:02d}"

    @property
    def points(self) -> int:
        found = DIFFICULTY.search(self.cells[0].source)
        if not found:
            raise SystemExit(f"Exercise {self.number} has no '**Difficulty:** ★..' line to take its points from")
        return found.group(1).count("★") * POINTS_PER_STAR

    def tagged(self, tag: str) -> list:
        return [cell for cell in self.cells if tag in tags(cell)]


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


# ---------------------------------------------------------------------------
# Notebook 11, as notebook 10 presents it
# ---------------------------------------------------------------------------


def course_notebook() -> nbformat.NotebookNode:
    """Notebook 11 with notebook 10's title, introduction, contents, summary and header
    cells (as scripts/make_exercises.py writes them), its solution cells kept."""
    notebook = jupytext.read(SOLUTIONS, fmt="py:percent")
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        first_line = cell.source.split("\n", 1)[0]
        if first_line in REPLACED:
            cell.source = REPLACED[first_line]
        elif first_line == "## Contents":
            cell.source = cell.source.replace(*CONTENTS_ENTRY)
    return with_header(notebook, EXERCISES.stem)


def split_exercises(cells: list) -> tuple[list, list[Exercise], list]:
    """The cells before the first exercise, the exercises, and the cells after the last
    (from the first heading after it that is no exercise's, such as "## Summary")."""
    before, exercises, after = [], [], []
    part = before
    for cell in cells:
        is_markdown = cell.cell_type == "markdown"
        heading = HEADING.match(cell.source) if is_markdown else None
        if heading and part is not after:
            exercises.append(Exercise(int(heading.group(1))))
            part = exercises[-1].cells
        elif exercises and is_markdown and cell.source.startswith("## "):
            part = after
        part.append(cell)
    numbers = [exercise.number for exercise in exercises]
    if numbers != list(range(1, len(numbers) + 1)):
        raise SystemExit(f"{SOLUTIONS.name}: the exercises are numbered {numbers}, not 1, 2, 3, ...")
    return before, exercises, after


# ---------------------------------------------------------------------------
# The master notebook
# ---------------------------------------------------------------------------


def raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def check_calls(cell) -> list[str]:
    """The calls of a check cell, each as one line of Python: ``check_x(a, b, ...)``."""
    calls = []
    for statement in ast.parse(cell.source).body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id.startswith("check_")):
            raise SystemExit(f"A check cell holds more than calls of check_ functions:\n{cell.source}")
        calls.append(ast.unparse(call))
    return calls


def test_cell(number: int, call: str, time_limit: float) -> nbformat.NotebookNode:
    """The ``number``-th hidden Otter test of a question: it makes ``call`` with the
    course's own check function (a notebook cannot replace it) on the notebook's names,
    and fails unless the check passes. Its own time limit stops a student's function
    that never returns. (Otter collects a test file's tests by their names, so each has
    its number in its name: a check may be called twice.)"""
    function, limit = call.split("(", 1)[0], f"{time_limit:g}"
    source = f'''\
        # HIDDEN
        def test_{number}_{function}(env):
            """{call}"""
            import contextlib, io, signal
            from cv_course import exercise_checks

            def stop(signum, frame):
                raise TimeoutError("the check ran for more than {limit} s: does every loop in your answer end?")

            names = {{**env, {function!r}: exercise_checks.{function}}}
            printed = io.StringIO()
            previous = signal.signal(signal.SIGALRM, stop)
            signal.setitimer(signal.ITIMER_REAL, {limit})
            try:
                with contextlib.redirect_stdout(printed):
                    passed = eval({call!r}, names)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            assert passed is True, printed.getvalue().strip() or "the check did not pass"
        '''
    return nbformat.v4.new_code_cell(textwrap.dedent(source))


def solution_block(cells: list) -> list:
    """Solution cells as Otter's solution block: Otter drops the markdown ones from the
    student's notebook and empties the code ones (make_grading removes those)."""
    marked = []
    for cell in cells:
        cell = nbformat.from_dict(cell)
        if cell.cell_type == "code":
            cell.source = f"# BEGIN SOLUTION NO PROMPT\n{cell.source}\n# END SOLUTION"
        marked.append(cell)
    return [raw("# BEGIN SOLUTION"), *marked, raw("# END SOLUTION")]


def with_solutions_inside(cells: list) -> list:
    """The exercise's cells, solutions moved before the last cell the student keeps:
    Otter gives the question's last cell the metadata that runs its tests there."""
    kept = [i for i, cell in enumerate(cells) if "solution" not in tags(cell)]
    last = kept[-1]
    trailing = cells[last + 1:]
    return cells[:last] + trailing + [cells[last]]


def question_cells(exercise: Exercise, time_limit: float) -> list:
    """The exercise as one Otter question: its cells, solutions in solution blocks,
    its check calls as hidden tests."""
    checks = [call for cell in exercise.tagged("check") for call in check_calls(cell)]
    config = {"name": exercise.question, "points": exercise.points}
    if checks:
        config["check_cell"] = False  # the notebook's own check cells stay; Otter adds none
    else:
        config["manual"] = True  # a written answer: graded by hand
    cells = [raw("# BEGIN QUESTION\n" + yaml.safe_dump(config, sort_keys=False).strip())]
    group = []
    # A manual question has no tests to run, and Otter wants its prompt before its solution.
    for cell in with_solutions_inside(exercise.cells) if checks else exercise.cells:
        if "solution" in tags(cell):
            group.append(cell)
            continue
        if group:
            cells += solution_block(group)
            group = []
        if not checks and "exercise" in tags(cell):
            cells += [raw("# BEGIN PROMPT"), cell, raw("# END PROMPT")]  # a manual question's answer cell
        else:
            cells.append(cell)
    if group:
        cells += solution_block(group)
    if checks:
        cells += [raw("# BEGIN TESTS"), *(test_cell(i, call, time_limit) for i, call in enumerate(checks, 1)), raw("# END TESTS")]
    return cells + [raw("# END QUESTION")]


#: Cells of the course's own that load data or models: the grader does not time them,
#: so that a slow grading server cannot stop them (scripts/otter_cell_limit.py).
UNTIMED_TAGS = ("setup", "colab-setup")


def assignment_config(time_limit: float, untimed: list) -> nbformat.NotebookNode:
    """Otter Assign's configuration cell; ``untimed``: the cells the time limit spares."""
    limit = {"seconds": time_limit, "exempt_digests": sorted({otter_cell_limit.source_digest(cell.source) for cell in untimed})}
    config = {
        "name": ASSIGNMENT_NAME,
        "requirements": "requirements.txt",
        "python_version": "3.11",  # the course's lock file pins for 3.11
        # The student's notebook stays the course's: no Otter cells to run or install.
        "init_cell": False,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,  # tests/test_grading.py grades the solutions with `otter run`
        "tests": {"ok_format": False},  # Python test functions (the default, doctests, would not call them)
        "generate": {
            "show_hidden": True,  # students see each exercise's result once grades are published
            # With every test hidden, Otter's summary of the public ones would say "All test
            # cases passed!" to every student before grades are out.
            "force_public_test_summary": False,
            "plugins": [{otter_cell_limit.PLUGIN_NAME: limit}],
        },
    }
    return raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False).strip())


def master_notebook(numbers: list[int] | None = None, time_limit: float = DEFAULT_CELL_TIME_LIMIT) -> nbformat.NotebookNode:
    """Otter's master notebook for the exercises ``numbers`` (all when None)."""
    notebook = course_notebook()
    before, exercises, after = split_exercises(notebook.cells)
    known = [exercise.number for exercise in exercises]
    unknown = sorted(set(numbers or []) - set(known))
    if unknown:
        raise SystemExit(f"No exercise {unknown} in {SOLUTIONS.name}: it has exercises {known[0]} to {known[-1]}")
    cells = [*before]
    for exercise in exercises:
        if numbers is None or exercise.number in numbers:
            cells += question_cells(exercise, time_limit)
    cells += after
    untimed = [cell for cell in cells if cell.cell_type == "code" and set(UNTIMED_TAGS) & set(tags(cell))]
    notebook.cells = [assignment_config(time_limit, untimed), *cells]
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}
    return notebook


def requirements_text() -> str:
    """What the grading image installs beside Otter: the course at this release."""
    project = tomllib.loads((COURSE_ROOT / "pyproject.toml").read_text())["project"]
    repository = project["urls"]["Repository"].rstrip("/")
    return f"pytorch-cv-course @ git+{repository}@v{project['version']}\n"


# ---------------------------------------------------------------------------
# Otter Assign, and what its output still needs
# ---------------------------------------------------------------------------


def run_otter_assign(master: Path, out_dir: Path) -> None:
    """``otter assign`` (its command-line tool), with this folder importable: Otter
    loads the plugin named in the configuration."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SCRIPTS_DIR), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-m", "otter", "assign", "--no-pdfs", master.name, str(out_dir)],
                            cwd=master.parent, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"otter assign failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def tidy_student_notebook(path: Path) -> None:
    """Make Otter's student notebook the course's exercises notebook again: drop the code
    cells that held only a solution (Otter leaves them empty), and let students edit
    their answer cells (Otter locks the cells of a question that are in no block). The
    launch badges go too: they open the published notebook 10, which Otter cannot grade
    (it lacks this assignment's name in its metadata)."""
    notebook = nbformat.read(path, as_version=4)
    leaked = [cell.source for cell in notebook.cells if "solution" in tags(cell) and cell.source.strip()]
    if leaked:
        raise SystemExit(f"otter assign left solution code in the student notebook {path}:\n{leaked[0]}")
    notebook.cells = [cell for cell in notebook.cells if not {"solution", "colab-badge"} & set(tags(cell))]
    for cell in notebook.cells:
        if "exercise" in tags(cell):
            cell.metadata.pop("editable", None)
            cell.metadata.pop("deletable", None)
    nbformat.write(notebook, path)


def autograder_zip(out_dir: Path) -> Path:
    """The zip ``otter assign`` wrote (its name holds the time it was made)."""
    zips = sorted((out_dir / "autograder").glob(f"{NOTEBOOK_NAME}-autograder_*.zip"))
    if len(zips) != 1:
        raise SystemExit(f"expected one autograder zip in {out_dir / 'autograder'}, found {[z.name for z in zips]}")
    return zips[0]


def add_plugin_to_zip(zip_path: Path) -> None:
    """Put the plugin at the zip's root, beside run_otter.py, where the grader imports it
    (Otter's `files` would land in files/, which is not on its path)."""
    with zipfile.ZipFile(zip_path, "a") as archive:
        archive.write(Path(otter_cell_limit.__file__), arcname=Path(otter_cell_limit.__file__).name)


def build(out_dir: Path = BUILD_DIR, numbers: list[int] | None = None,
          time_limit: float = DEFAULT_CELL_TIME_LIMIT) -> Path:
    """Write the master notebook into ``out_dir`` and run Otter Assign there. Returns the
    autograder zip."""
    if not time_limit > 0:
        raise SystemExit(f"--cell-time-limit must be a positive number of seconds, got {time_limit:g}")
    notebook = master_notebook(numbers, time_limit)  # first: it rejects unknown exercises
    if out_dir.exists():
        shutil.rmtree(out_dir)  # what an earlier build wrote, other exercises included
    master = out_dir / "master" / f"{NOTEBOOK_NAME}.ipynb"  # Otter names what it writes after it
    master.parent.mkdir(parents=True)
    nbformat.write(notebook, master)
    (master.parent / "requirements.txt").write_text(requirements_text())
    run_otter_assign(master, out_dir)
    tidy_student_notebook(out_dir / "student" / f"{NOTEBOOK_NAME}.ipynb")
    zip_path = autograder_zip(out_dir)
    add_plugin_to_zip(zip_path)
    return zip_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercises", type=int, nargs="+", metavar="N", help="only these exercises (default: all)")
    parser.add_argument("--out", type=Path, default=BUILD_DIR, help=f"output folder (default: {BUILD_DIR.relative_to(COURSE_ROOT)})")
    parser.add_argument("--cell-time-limit", type=float, default=DEFAULT_CELL_TIME_LIMIT, metavar="SECONDS",
                        help=f"stop a cell of a graded notebook after this long (default: {DEFAULT_CELL_TIME_LIMIT})")
    args = parser.parse_args(argv)
    zip_path = build(args.out.resolve(), args.exercises, args.cell_time_limit)
    print(f"student notebook: {args.out / 'student' / (NOTEBOOK_NAME + '.ipynb')}")
    print(f"autograder:       {zip_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
