"""Autograded assignments with Otter-Grader, end to end with Otter's own command-line tools.

scripts/make_grading.py builds the assignment from notebook 11 with ``otter assign``;
scripts/grade_submissions.py grades submissions with ``otter run`` (Docker is not
needed) and writes Otter's final_grades.csv. These tests run both as an instructor
would, from the command line:

- the whole assignment is built (nothing is executed): its student notebook is
  notebook 10, and each exercise is an Otter question worth its difficulty, with
  hidden tests;
- a subset is built and three submissions are graded at once: the solutions (full
  marks), the untouched student notebook (0, and no cell raises), and a student's
  notebook that holds, exercise by exercise, answers that cv_course/exercise_checks.py
  rejects, a cell that raises, a cell that never ends (stopped by the autograder's time
  limit for one cell), and right answers, which must keep their points.

Grading executes whole notebooks, so CI grades exercises 1, 3, 4, 5, 9, 17 and 20 only
(``SUBSET``). None of them trains a model for long, so each runs in about a second on
a CPU, yet they cover the kinds of answer the checks take: values (1), a model class
and its instance (3, 17), a loss and an optimizer (4), functions the check calls (5, a
training loop; 9 and 20, formulas), and every point value (1, 2 and 3). The other
exercises train models or load the course's trained ones (Exercise 23 trains for up to
five minutes): grading them is the grading server's work, not CI's. Measured with
``time`` on a shared 2-core machine at a load average of 5: this file 1 min 58 s, of
which the subset's build and its three gradings 96 s and the whole build 12 s.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import dill
import jupytext
import nbformat
import pandas as pd
import pytest

from support import COURSE_ROOT
from timeouts import allow

import make_exercises  # noqa: E402
import make_grading  # noqa: E402
import otter_cell_limit  # noqa: E402
from otter.nbmeta_config import NBMetadataConfig  # noqa: E402
from otter.test_files import create_test_file  # noqa: E402

pytestmark = pytest.mark.slow  # executes notebooks (in Otter's kernels)

SUBSET = [1, 3, 4, 5, 9, 17, 20]
#: Seconds one cell may run in CI's gradings: the subset's timed cells take 2 s at most
#: on a loaded 2-core machine (the setup cells, 3 to 8 s there, are not timed).
CELL_TIME_LIMIT = 20
#: Answers that the checks reject, each with words of the ❌ line it gets
#: (the same mistakes as tests/test_exercises.py's cases sizes-swapped, the MSELoss
#: case of check_loss_and_optimizer and conv-off-by-one).
WRONG_ANSWERS = {
    1: ("train_len = len(test_data)\ntest_len = len(train_data)\nimage_shape = train_data[0][0].shape", "swapped"),
    4: ("loss_fn = nn.MSELoss()\noptimizer = torch.optim.SGD(params=baseline_model.parameters(), lr=0.1)", "MSELoss"),
    9: ("def conv_output_size(size, kernel_size, stride=1, padding=0):\n"
        "    return (size + 2 * padding - kernel_size) // stride", "off by one"),
}
RAISING = 3  # its answer misspells class_names: a NameError before model_0 exists
NEVER_ENDING = 20  # its answer starts with a loop whose condition never changes
RIGHT = [n for n in SUBSET if n not in {*WRONG_ANSWERS, RAISING, NEVER_ENDING}]
SUBMISSIONS = ("solutions", "blank", "faulty")


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def exercise_number(cell) -> int | None:
    found = [int(tag[3:]) for tag in tags(cell) if re.fullmatch(r"ex-\d+", tag)]
    return found[0] if found else None


def question(number: int) -> str:
    return f"exercise_{number:02d}"


@pytest.fixture(scope="module")
def exercises() -> dict[int, make_grading.Exercise]:
    _, found, _ = make_grading.split_exercises(make_grading.course_notebook().cells)
    return {exercise.number: exercise for exercise in found}


def points(exercises, numbers) -> int:
    return sum(exercises[n].points for n in numbers)


def make_grading_cli(out_dir: Path, *args: str) -> Path:
    """Run scripts/make_grading.py; the autograder zip it built."""
    result = subprocess.run([sys.executable, str(COURSE_ROOT / "scripts" / "make_grading.py"), "--out", str(out_dir), *args],
                            capture_output=True, text=True, timeout=allow(20))  # 8 s on a loaded 2-core machine
    assert result.returncode == 0, result.stdout + result.stderr
    return make_grading.autograder_zip(out_dir)


# ---------------------------------------------------------------------------
# The whole assignment: built, not run
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_build(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("assignment")
    make_grading_cli(out_dir)
    return out_dir


def without_question_marks(source: str) -> str:
    """A cell's text without the HTML comments with which Otter marks where a manually
    graded question starts and ends (for the PDF of those answers); they do not show."""
    return re.sub(r"<!-- (BEGIN|END) QUESTION -->\n\n", "", source)


def test_the_student_notebook_is_the_exercises_notebook(full_build):
    # All but the launch badges, which would open the published notebook 10 (not gradable).
    expected = [cell for cell in jupytext.reads(make_exercises.exercises_text(), fmt="py:percent").cells
                if "colab-badge" not in tags(cell)]
    student = nbformat.read(full_build / "student" / "exercises.ipynb", as_version=4).cells
    assert [(c.cell_type, c.source) for c in expected] == [(c.cell_type, without_question_marks(c.source)) for c in student]
    for cell in student:
        assert "solution" not in tags(cell), f"a solution cell was handed out: {cell.source[:80]!r}"
        if "exercise" in tags(cell):
            assert cell.metadata.get("editable", True), f"an answer cell students cannot edit: {cell.source[:80]!r}"


def test_each_exercise_is_a_question_worth_its_difficulty_with_hidden_tests(full_build, exercises, tmp_path):
    with zipfile.ZipFile(make_grading.autograder_zip(full_build)) as archive:
        archive.extractall(tmp_path)
    tests = {path.stem: create_test_file(str(path), NBMetadataConfig()) for path in (tmp_path / "tests").glob("*.py")}
    checked = {n: ex for n, ex in exercises.items() if ex.tagged("check")}
    assert set(tests) == {question(n) for n in checked}
    for number, exercise in checked.items():
        test = tests[question(number)]
        assert test.possible == exercise.points > 0, f"Exercise {number}"
        calls = [call for cell in exercise.tagged("check") for call in make_grading.check_calls(cell)]
        assert [case.body.test_func.__doc__ for case in test.test_cases] == calls, f"Exercise {number}"
        assert all(case.hidden for case in test.test_cases), f"Exercise {number} has a public test"
    master = nbformat.read(full_build / "master" / "exercises.ipynb", as_version=4)
    configs = [cell.source for cell in master.cells if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION")]
    written = {n for n in exercises if n not in checked}
    assert written == {10, 11}
    for number in written:
        assert any(f"name: {question(number)}\npoints: {exercises[number].points}\nmanual: true" in c for c in configs)
    student_tests = nbformat.read(full_build / "student" / "exercises.ipynb", as_version=4).metadata["otter"]["tests"]
    assert not any("def test_" in source for source in student_tests.values()), "test code reached the student notebook"


def test_the_time_limit_spares_exactly_the_course_setup_cells(full_build):
    config = json.loads((full_build / "autograder" / "otter_config.json").read_text())
    [limit] = [plugin[otter_cell_limit.PLUGIN_NAME] for plugin in config["plugins"]]
    student = nbformat.read(full_build / "student" / "exercises.ipynb", as_version=4)
    setup = {otter_cell_limit.source_digest(cell.source) for cell in student.cells
             if set(make_grading.UNTIMED_TAGS) & set(tags(cell))}
    assert limit["seconds"] == make_grading.DEFAULT_CELL_TIME_LIMIT
    assert set(limit["exempt_digests"]) == setup and len(setup) > 2


# ---------------------------------------------------------------------------
# A subset, graded
# ---------------------------------------------------------------------------


def solution_code(exercise: make_grading.Exercise) -> str:
    [code] = [cell.source for cell in exercise.tagged("solution") if cell.cell_type == "code"]
    return code


def faulty_answers(exercises) -> dict[int, str]:
    """The answer each exercise of SUBSET gets in the faulty submission."""
    answers = {n: solution_code(exercises[n]) for n in RIGHT}
    answers.update({n: code for n, (code, _) in WRONG_ANSWERS.items()})
    raising = solution_code(exercises[RAISING])
    answers[RAISING] = raising.replace("len(class_names)", "len(class_name)")
    assert answers[RAISING] != raising
    answers[NEVER_ENDING] = ("import time\n\nepoch = 0\nwhile epoch < 3:  # epoch never grows\n    time.sleep(0.1)\n\n"
                             + solution_code(exercises[NEVER_ENDING]))
    return answers


def answered(student: nbformat.NotebookNode, answers: dict[int, str]) -> nbformat.NotebookNode:
    """The student notebook with each exercise's fill-in code cell replaced by its answer."""
    notebook = nbformat.from_dict(json.loads(json.dumps(student)))
    filled = set()
    for cell in notebook.cells:
        if "exercise" in tags(cell) and cell.cell_type == "code" and exercise_number(cell) in answers:
            assert exercise_number(cell) not in filled, "one fill-in cell per exercise in SUBSET"
            cell.source = answers[exercise_number(cell)]
            filled.add(exercise_number(cell))
    assert filled == set(answers)
    return notebook


@dataclass
class Graded:
    """What grading the three submissions left: Otter's results.json of each, its
    results object (with the executed notebook), and the grades' CSV."""

    results_json: dict[str, dict]
    results: dict[str, object]
    grades: pd.DataFrame
    output: str

    def scores(self, submission: str) -> dict[str, float]:
        return {test["name"]: test["score"] for test in self.results_json[submission]["tests"] if "score" in test}

    def message(self, submission: str, number: int) -> str:
        [test] = [t for t in self.results_json[submission]["tests"] if t["name"] == question(number)]
        return test["output"]

    def report(self, submission: str) -> str:
        return self.results_json[submission].get("output", "")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, exercises) -> Graded:
    work = tmp_path_factory.mktemp("grading")
    autograder = make_grading_cli(work / "assignment", "--exercises", *map(str, SUBSET),
                                  "--cell-time-limit", str(CELL_TIME_LIMIT))
    student = nbformat.read(work / "assignment" / "student" / "exercises.ipynb", as_version=4)
    submissions = work / "submissions"
    submissions.mkdir()
    nbformat.write(nbformat.read(work / "assignment" / "autograder" / "exercises.ipynb", as_version=4),
                   submissions / "solutions.ipynb")
    nbformat.write(student, submissions / "blank.ipynb")
    nbformat.write(answered(student, faulty_answers(exercises)), submissions / "faulty.ipynb")
    out_dir = work / "grades"
    # All three at once: the faulty one mostly waits for its never-ending cell's limit.
    command = [sys.executable, str(COURSE_ROOT / "scripts" / "grade_submissions.py"), "--jobs", "3",
               "--timeout", str(allow(60)), "-a", str(autograder), "-o", str(out_dir),
               *(str(submissions / f"{name}.ipynb") for name in SUBMISSIONS)]
    # about 70 s on a loaded 2-core machine; each submission also has --timeout
    result = subprocess.run(command, capture_output=True, text=True, timeout=allow(180))
    runs = out_dir / "runs"
    logs = {name: (runs / name / "otter-run.log").read_text() for name in SUBMISSIONS if (runs / name / "otter-run.log").exists()}
    assert result.returncode == 0, result.stdout + result.stderr + "\n".join(logs.values())
    results_json = {name: json.loads((runs / name / "results.json").read_text()) for name in SUBMISSIONS}
    results = {name: dill.loads((runs / name / "results.pkl").read_bytes()) for name in SUBMISSIONS}
    return Graded(results_json, results, pd.read_csv(out_dir / "final_grades.csv"), result.stdout)


def error_outputs(notebook) -> list[str]:
    return [f"{output['ename']}: {output['evalue']}" for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]


def test_the_solutions_score_full_marks(graded, exercises):
    assert graded.scores("solutions") == {question(n): exercises[n].points for n in SUBSET}
    assert graded.results["solutions"].total == points(exercises, SUBSET)
    assert error_outputs(graded.results["solutions"].notebook) == []


def test_the_untouched_student_notebook_scores_zero_and_raises_no_error(graded):
    assert graded.scores("blank") == {question(n): 0 for n in SUBSET}
    assert error_outputs(graded.results["blank"].notebook) == []
    assert graded.report("blank") == "", "a report on stopped cells, where none stopped"
    visible = [test["name"] for test in graded.results_json["blank"]["tests"] if test.get("visibility") == "visible"]
    assert visible == [], "results a student sees before grades are published (all tests are hidden)"
    for number in SUBSET:  # each check says "not done yet", as in the stored notebook 10
        assert "AssertionError: ⏳ Not done yet" in graded.message("blank", number), f"Exercise {number}"


@pytest.mark.parametrize("number", sorted(WRONG_ANSWERS))
def test_a_known_wrong_answer_loses_its_exercise_points_and_says_why(graded, number):
    assert graded.scores("faulty")[question(number)] == 0
    message = graded.message("faulty", number)
    assert "AssertionError: ❌" in message and WRONG_ANSWERS[number][1] in message, message


def test_right_answers_beside_faulty_cells_keep_their_points(graded, exercises):
    scores = graded.scores("faulty")
    assert {question(n): scores[question(n)] for n in RIGHT} == {question(n): exercises[n].points for n in RIGHT}
    assert graded.results["faulty"].total == points(exercises, RIGHT), "the faulty exercises lose exactly their points"


def test_a_cell_that_raises_costs_its_exercise_and_is_reported(graded):
    assert graded.scores("faulty")[question(RAISING)] == 0
    assert (f"- Exercise {RAISING}, an answer cell: stopped by an error: NameError: name 'class_name' is not defined"
            in graded.report("faulty").splitlines())


def test_a_cell_that_never_ends_is_stopped_graded_around_and_reported(graded):
    assert graded.scores("faulty")[question(NEVER_ENDING)] == 0
    line = (f"- Exercise {NEVER_ENDING}, an answer cell: stopped by the time limit: {otter_cell_limit.TIME_LIMIT_ERROR}: "
            f"this cell ran for more than {CELL_TIME_LIMIT} s, the grader's limit for one cell, and was stopped")
    assert line in graded.report("faulty").splitlines()


def test_the_report_names_only_the_cells_that_stopped(graded):
    stopped = [line for line in graded.report("faulty").splitlines() if line.startswith("- ")]
    # the answer cells, and the check cells after them, which found no answer
    assert {int(re.match(r"- Exercise (\d+),", line).group(1)) for line in stopped} == {RAISING, NEVER_ENDING}, stopped
    assert graded.report("faulty").startswith(f"{len(stopped)} cells of this notebook stopped. The grader went on")


def test_the_grades_come_out_as_a_csv(graded, exercises):
    grades = graded.grades.set_index("file")
    columns = [question(n) for n in SUBSET]
    assert list(grades.columns) == [*columns, "total_points_earned", "percent_correct", "grading_status"]
    assert grades.loc["points-per-question", columns].tolist() == [exercises[n].points for n in SUBSET]
    for name in SUBMISSIONS:
        row = grades.loc[f"{name}.ipynb"]
        assert row["grading_status"] == "Completed"
        assert row[columns].to_dict() == graded.scores(name)
        assert row["total_points_earned"] == sum(graded.scores(name).values())
