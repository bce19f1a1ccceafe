"""The checklist of CONTRIBUTING.md's "Adding a lesson", one function per step.

    python scripts/lesson_checklist.py NN_name     # one lesson (or notebooks/NN_name.py)
    python scripts/lesson_checklist.py             # every notebook of the course

prints each problem, starting with the step's number and name as CONTRIBUTING.md names
them ("step 5, speaker notes: no '# 10_x' section in scripts/export/speaker_notes.md"),
or "all steps done"; it exits with 1 when anything is missing. Each step takes the
course's root and the lesson's stem, so it checks a copy of the course as well
(tests/test_lesson_checklist.py adds a lesson to one, once per step skipped).

The rules are the course's own, taken from where they live: the reading time from
scripts/reading_time.py, the header cells from scripts/notebook_header.py, the speaker
notes, section headings, titles, in-page links, the site's list of lessons and the run
times from scripts/export/export_course.py, the float-dependent cells' first lines from
scripts/numerics_profile.py, the records' paths from the modules that write them, and
the search weight of the exercise pages by calling scripts/export/site/hooks.py. Two
values that test files hold, ``TAUGHT`` (tests/test_taught_definitions.py) and
``CORE_MINUTES`` (tests/test_reading_load.py), are read as data from the checked
course's copy of the file. What the tests hold inline or in their own modules is
restated here in a few lines each, since the command line cannot import test modules
(they need pytest's import path): the README's row, the pair rendered through jupytext
and the execution counts (tests/test_notebooks.py), the folded optional sections
(tests/test_reading_load.py), finding and comparing definitions
(tests/test_taught_definitions.py).
"""
from __future__ import annotations

import argparse
import ast
import functools
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import jupytext
import nbformat

import notebook_header
import numerics_profile
import record_run_times
import tidy_notebook
from export import export_course  # scripts/export/export_course.py (scripts/ is on the path here and in pytest)
from reading_time import OPTIONAL_HEADING, core_and_optional, reading_minutes

COURSE_ROOT = Path(__file__).resolve().parent.parent

#: Where each record lives, relative to the course's root, as the module that uses it says.
README = Path("README.md")
SPEAKER_NOTES = export_course.SPEAKER_NOTES.relative_to(export_course.COURSE_ROOT)
RUN_TIMES = record_run_times.RUN_TIMES.relative_to(record_run_times.COURSE_ROOT)
FLOAT_CELLS = numerics_profile.FLOAT_DEPENDENT_CELLS_PATH.relative_to(COURSE_ROOT)
TAUGHT_FILE = Path("tests/test_taught_definitions.py")
READING_TEST = Path("tests/test_reading_load.py")
SITE_HOOKS = (export_course.SITE_DIR / "hooks.py").relative_to(export_course.COURSE_ROOT)
HELPERS = Path("helper_functions.py")

STEM = re.compile(r"\d\d_[a-z0-9_]+")
#: A row of the README's table of notebooks (tests/test_notebooks.py's pattern, with the row's number).
README_ROW = re.compile(r"^\| (\d{2}) \| \[[^\]]*\]\(notebooks/(\d{2}_\w+)\.ipynb\)", re.M)
#: A link to a heading of the same notebook, "[text](#anchor)" (export_course.py's in-page link).
CONTENTS_LINK = re.compile(r"\[([^\]]*)" + export_course.IN_PAGE_LINK.pattern)
OPTIONAL_PREFIX = "Going deeper (optional): "
#: A notebook's name in a file: two digits, an underscore, a name.
NAMED_NOTEBOOK = re.compile(r"\b(\d\d)_(\w+)")
#: What the scan for stale notebook names leaves out: generated, installed or downloaded.
NOT_SCANNED = {".git", ".venv", "venv", "build", "node_modules", "__pycache__", ".pytest_cache",
               ".ipynb_checkpoints", "data", "models"}


def is_exercise_notebook(stem: str) -> bool:
    """The exercises and their solutions: last in the course, generated from each other,
    writing definitions out on purpose (tests/test_taught_definitions.py's rule)."""
    return "exercise" in stem


# --------------------------------------------------------------------------- reading the course


@functools.lru_cache(maxsize=64)
def _read(path: Path, stamp: tuple[int, int], as_ipynb: bool):
    return nbformat.read(path, as_version=4) if as_ipynb else jupytext.read(path)


def read_notebook(path: Path):
    """``path`` as jupytext (a .py) or nbformat (an .ipynb) reads it; None if it is missing."""
    if not path.is_file():
        return None
    stat = path.stat()
    return _read(path, (stat.st_mtime_ns, stat.st_size), path.suffix == ".ipynb")


def lesson_source(root: Path, stem: str):
    return read_notebook(root / "notebooks" / f"{stem}.py")


def course_stems(root: Path, suffix: str = ".py") -> list[str]:
    """The course's notebooks, ``NN_name``, in syllabus order."""
    return sorted(path.stem for path in (root / "notebooks").glob(f"[0-9][0-9]_*{suffix}"))


def headings(cells) -> list[str]:
    """The text of each "## " section heading of ``cells`` (export_course.py's reading of them)."""
    return [text for _, text in export_course.section_headings(nbformat.v4.new_notebook(cells=list(cells)))]


def jupyter_anchor(heading: str) -> str:
    """Where a "## heading" is in Jupyter: its text, code marks dropped, spaces as dashes."""
    return heading.replace("`", "").replace(" ", "-")


def module_constant(path: Path, name: str):
    """The literal value assigned to ``name`` at the top of the Python file ``path``."""
    for node in ast.parse(path.read_text()).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path.name} assigns no {name}")


def top_level_definitions(source: str) -> dict[str, list[ast.AST]]:
    """Every module-level ``def``/``class`` of ``source``, by name."""
    found: dict[str, list[ast.AST]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.setdefault(node.name, []).append(node)
    return found


def definition_source(source: str, node: ast.AST) -> str:
    """The text of a definition, its decorators included."""
    first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
    lines = source.splitlines()[first - 1:node.end_lineno]
    return "\n".join(lines)


def helper_imports(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` of each ``from helper_functions import name``."""
    return [(node.lineno, alias.name) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and node.module == "helper_functions" for alias in node.names]


def course_text_files(root: Path, notebooks: bool = False):
    """The course's own text files (what ``grep -r`` finds), without the .ipynb files
    unless ``notebooks``: not what is installed, built, downloaded or cached."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SCANNED and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder) / name
            if (path.suffix == ".ipynb" and not notebooks) or path.is_symlink() or path.stat().st_size > 2_000_000:
                continue
            try:
                yield path, path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue


def load_site_hooks(root: Path):
    """The website's MkDocs hooks (scripts/export/site/hooks.py) of the course at ``root``."""
    spec = importlib.util.spec_from_file_location(f"course_site_hooks_{abs(hash(root))}", root / SITE_HOOKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gets_exercise_search_weight(hooks, stem: str) -> bool:
    """Whether the site's hooks give ``stem``'s page the exercise pages' lower search weight."""
    page = SimpleNamespace(file=SimpleNamespace(name=stem, url=f"{stem}.html"), meta={})
    hooks.on_page_content("", page, None, None)
    return (page.meta.get("search") or {}).get("boost", 1) != 1


# --------------------------------------------------------------------------- the steps

Step = Callable[[Path, str], list]
#: (number, name, function) of each step, in CONTRIBUTING.md's order.
STEPS: list[tuple[int, str, Step]] = []


def step(name: str):
    """Register a check as the next step of the checklist: its problems start with
    "step N, name: "."""
    def register(check: Step) -> Step:
        number = len(STEPS) + 1

        @functools.wraps(check)
        def named(root: Path, stem: str) -> list[str]:
            return [f"step {number}, {name}: {problem}" for problem in check(Path(root), stem)]

        STEPS.append((number, name, named))
        return named
    return register


@step("lesson file")
def lesson_file(root: Path, stem: str) -> list[str]:
    """notebooks/NN_name.py: its title first, a contents list of its sections, numbered
    sections, a summary, the optional sections last."""
    if not STEM.fullmatch(stem):
        return [f"{stem!r} is no lesson's name: two digits, an underscore, lower-case words (05_model_2_tinyvgg)"]
    nb = lesson_source(root, stem)
    if nb is None:
        return [f"no notebooks/{stem}.py"]
    problems = []
    cells = nb.cells
    if not (cells and cells[0].cell_type == "markdown" and re.match(rf"# {stem[:2]}\. \S", cells[0].source)):
        problems.append(f"its first cell is not its title, '# {stem[:2]}. Title'")
    core_cells, optional_cells = core_and_optional(cells)
    core, optional = headings(core_cells), headings(optional_cells)
    not_optional = [h for h in optional if not h.startswith(OPTIONAL_PREFIX)]
    if not_optional:
        problems.append(f"after its first optional section come others that are not '## {OPTIONAL_PREFIX}...': {not_optional}")
    if not core or core[-1] != "Summary":
        problems.append("its core path does not end with a '## Summary' section")
    sections = core[:-1] if core and core[-1] == "Summary" else core
    if not is_exercise_notebook(stem):
        unnumbered = [h for number, h in enumerate(sections, 1) if not h.startswith(f"{number}. ")]
        if not sections or unnumbered:
            problems.append(f"its sections before the summary are not numbered '## 1. ...', '## 2. ...': {sections}")
    contents = [c for c in cells if c.cell_type == "markdown" and re.match(r"##\s+Contents\s*$", c.source.split("\n")[0])]
    if len(contents) != 1:
        problems.append("no '## Contents' cell listing its sections" if not contents
                        else f"{len(contents)} '## Contents' cells, not one")
        return problems
    text = contents[0].source
    listed, _, optional_line = text.partition(f"**{OPTIONAL_PREFIX.rstrip(': ')}:**")
    items = [(int(n), link) for n, link in re.findall(r"^\s*(\d+)\.\s+(.+?)\s*$", listed, re.M)]
    found = [(n, *m.groups()) for n, item in items if (m := CONTENTS_LINK.fullmatch(item))]
    expected = [(n, re.sub(r"^\d+\. ", "", h), jupyter_anchor(h)) for n, h in enumerate(core, 1)]
    if [(n, t.replace("`", ""), a) for n, t, a in found] != [(n, t.replace("`", ""), a) for n, t, a in expected]:
        problems.append(f"its contents list {[f'{n}. [{t}](#{a})' for n, t, a in found]}, "
                        f"its sections are {[f'{n}. [{t}](#{a})' for n, t, a in expected]}")
    found_optional = [(t.replace("`", ""), a) for t, a in CONTENTS_LINK.findall(optional_line)]
    expected_optional = [(h.removeprefix(OPTIONAL_PREFIX).replace("`", ""), jupyter_anchor(h)) for h in optional]
    if found_optional != expected_optional:
        problems.append(f"its contents' '**Going deeper (optional):**' line links {found_optional}, "
                        f"its optional sections are {expected_optional}")
    return problems


@step("reading time")
def reading_time(root: Path, stem: str) -> list[str]:
    """The core path, up to the first "## Going deeper", reads in CORE_MINUTES at most."""
    nb = lesson_source(root, stem)
    if nb is None or is_exercise_notebook(stem):
        return []
    limit = module_constant(root / READING_TEST, "CORE_MINUTES")
    core, _ = core_and_optional(nb.cells)
    minutes = reading_minutes(core)
    if minutes > limit:
        return [f"its core path takes {minutes:.1f} min to read, more than {limit}: move what is not core "
                f"into a '## {OPTIONAL_PREFIX}...' section at the end (python scripts/reading_time.py)"]
    return []


@step("renumbering")
def renumbering(root: Path, stem: str) -> list[str]:
    """The course as a whole after the lesson went in: notebooks numbered 00, 01, ...
    once each, the exercises last, and no record, file or site hook naming a notebook
    by its number before the renumbering."""
    problems = []
    stems = course_stems(root)
    numbers = [s[:2] for s in stems]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"two notebooks numbered {number}: {[s for s in stems if s[:2] == number]}")
    if sorted(set(numbers)) != [f"{n:02d}" for n in range(len(set(numbers)))]:
        problems.append(f"the notebooks are not numbered 00, 01, ... without a gap: {stems}")
    exercises = [s for s in stems if is_exercise_notebook(s)]
    if exercises and stems[-len(exercises):] != exercises:
        after = [s for s in stems[stems.index(exercises[0]):] if not is_exercise_notebook(s)]
        problems.append(f"the exercise notebooks {exercises} are not the last ones: {after} come after them")
    unpaired = sorted(set(course_stems(root, ".ipynb")) - set(stems))
    if unpaired:
        problems.append(f"notebooks without their .py: {[f'{s}.ipynb' for s in unpaired]} (move both files)")
    existing, names = set(stems), {s[3:]: s for s in stems}

    def stale(where: str, named: list[str]) -> None:
        gone = [s for s in named if s not in existing]
        if gone:
            problems.append(f"{where} names notebooks that do not exist: {gone}")

    readme = (root / README).read_text()
    rows = README_ROW.findall(readme)
    stale(f"{README}'s table", [s for _, s in rows])
    misnumbered = [f"| {n} | {s}" for n, s in rows if n != s[:2]]
    if misnumbered:
        problems.append(f"{README}'s table numbers rows apart from their notebooks: {misnumbered}")
    try:
        stale(str(SPEAKER_NOTES), list(export_course.read_speaker_notes(root / SPEAKER_NOTES)))
    except ValueError as error:  # the speaker-notes step reports it
        del error
    stale(str(RUN_TIMES), list(json.loads((root / RUN_TIMES).read_text()).get("seconds", {})))
    stale(str(FLOAT_CELLS), [name.removesuffix(".ipynb") for name in json.loads((root / FLOAT_CELLS).read_text())["cells"]])
    stale(f"TAUGHT in {TAUGHT_FILE}", list(module_constant(root / TAUGHT_FILE, "TAUGHT")))
    for path, text in course_text_files(root):  # what `grep -rn OLD_NAME` finds
        lines: dict[str, list[str]] = {}
        for line_number, line in enumerate(text.splitlines(), 1):
            for old in {m.group(0) for m in NAMED_NOTEBOOK.finditer(line) if m.group(0) not in existing and m.group(2) in names}:
                lines.setdefault(old, []).append(str(line_number))
        for old, numbers in lines.items():
            where = f"line{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}"
            problems.append(f"{path.relative_to(root)} names {old} ({where}), which is now {names[old[3:]]}")
    hooks = load_site_hooks(root)
    weights = {s: gets_exercise_search_weight(hooks, s) for s in stems}
    lessons = [s for s in stems if weights[s] and not is_exercise_notebook(s)]
    exercises = [s for s in stems if not weights[s] and is_exercise_notebook(s)]
    if lessons or exercises:
        problems.append(f"{SITE_HOOKS} names the exercise pages by their numbers, and now gives their lower search "
                        f"weight to {lessons or 'no lesson'} and not to {exercises or 'every exercise page'}")
    return problems


@step("README")
def readme_row(root: Path, stem: str) -> list[str]:
    """A row of the README's table of notebooks, in its place."""
    rows = README_ROW.findall((root / README).read_text())
    listed = [s for _, s in rows]
    if stem not in listed:
        return [f"no row '| {stem[:2]} | [Title](notebooks/{stem}.ipynb) | syllabus |' in {README}'s table of notebooks"]
    problems = []
    number, _ = rows[listed.index(stem)]
    if number != stem[:2]:
        problems.append(f"its row in {README} is numbered {number}, not {stem[:2]}")
    previous = [s for s in course_stems(root) if s[:2] == f"{int(stem[:2]) - 1:02d}"]
    if stem[:2] == "00" and listed[0] != stem:
        problems.append(f"its row is not the first of {README}'s table")
    elif len(previous) == 1 and previous[0] in listed and listed.index(stem) != listed.index(previous[0]) + 1:
        problems.append(f"its row in {README} does not come right after {previous[0]}'s")
    return problems


@step("speaker notes")
def speaker_notes(root: Path, stem: str) -> list[str]:
    """Its notes in scripts/export/speaker_notes.md: '# NN_name', then a '## ' block per section."""
    try:
        notes = export_course.read_speaker_notes(root / SPEAKER_NOTES)
    except ValueError as error:
        return [str(error)]
    if stem not in notes:
        return [f"no '# {stem}' section in {SPEAKER_NOTES}"]
    nb = lesson_source(root, stem)
    return [] if nb is None else [f"{p} in {SPEAKER_NOTES}" for p in export_course.speaker_notes_problems(stem, nb, notes)]


@step("taught definitions")
def taught_definitions(root: Path, stem: str) -> list[str]:
    """What the lesson defines that the toolbox has too: the toolbox's very text, listed
    in TAUGHT and in the toolbox's docstring, imported from the toolbox afterwards."""
    if not (root / "notebooks" / f"{stem}.py").is_file():
        return []
    source = (root / "notebooks" / f"{stem}.py").read_text()
    helpers_source = (root / HELPERS).read_text()
    helpers = top_level_definitions(helpers_source)
    docstring = ast.get_docstring(ast.parse(helpers_source)) or ""
    taught_table = module_constant(root / TAUGHT_FILE, "TAUGHT")
    taught = taught_table.get(stem, [])
    taught_elsewhere = {name: other for other, names in taught_table.items() if other != stem for name in names}
    defined = top_level_definitions(source)
    imported = helper_imports(source)
    problems = []
    if not is_exercise_notebook(stem):
        for name in sorted(set(defined) - set(taught)):
            if name in taught_elsewhere:
                problems.append(f"it defines {name}, which {taught_elsewhere[name]} teaches: import it from helper_functions")
            elif name in helpers:
                problems.append(f"it defines {name}, which {HELPERS} defines too: add it to TAUGHT['{stem}'] "
                                f"in {TAUGHT_FILE} and to the toolbox's docstring, or import it")
            elif any(imported_name == name for _, imported_name in imported):
                problems.append(f"it teaches {name} and imports it from helper_functions, which does not define it: "
                                f"add it to {HELPERS} identically, to TAUGHT['{stem}'] in {TAUGHT_FILE} and to the toolbox's docstring")
    for name in taught:
        if len(defined.get(name, [])) != 1:
            problems.append(f"TAUGHT['{stem}'] lists {name}, which it defines {len(defined.get(name, []))} times, not once")
            continue
        if name not in helpers:
            problems.append(f"TAUGHT['{stem}'] lists {name}, which {HELPERS} does not define")
        elif definition_source(source, defined[name][0]) != definition_source(helpers_source, helpers[name][0]):
            problems.append(f"its {name} differs from the one in {HELPERS}: make them identical")
        if not any(line > defined[name][0].lineno for line, imported_name in imported if imported_name == name):
            problems.append(f"it never imports {name} from helper_functions after defining it")
        if name not in docstring:
            problems.append(f"{HELPERS}'s docstring does not name {name}")
    return problems


@step("header cells and outputs")
def header_cells_and_outputs(root: Path, stem: str) -> list[str]:
    """What running the course writes: the header cells below the title (from
    scripts/notebook_header.py), and the executed, tidied .ipynb paired with the .py."""
    nb = lesson_source(root, stem)
    if nb is None:
        return []
    problems = []
    expected = [cell.source for cell in notebook_header.header_cells(stem)]
    if [cell.source for cell in nb.cells[1:3]] != expected or sum(map(notebook_header.is_header_cell, nb.cells)) != 2:
        problems.append("its header cells (badges, set-up) are not right below its title as "
                        "scripts/notebook_header.py writes them")
    ipynb_path = root / "notebooks" / f"{stem}.ipynb"
    ipynb = read_notebook(ipynb_path)
    if ipynb is None:
        return problems + [f"no notebooks/{stem}.ipynb: run the course (bash scripts/run_course.sh notebooks/{stem}.py)"]
    rendered = jupytext.read(ipynb_path)
    rendered.metadata["jupytext"] = tidy_notebook.jupytext_filters()
    if jupytext.writes(rendered, fmt="py:percent") != (root / "notebooks" / f"{stem}.py").read_text():
        problems.append(f"notebooks/{stem}.ipynb and its .py differ: run the course again")
    code = [cell for cell in ipynb.cells if cell.cell_type == "code" and cell.source.strip()]
    counts = [cell.get("execution_count") for cell in code]
    if counts != list(range(1, len(code) + 1)):
        problems.append(f"notebooks/{stem}.ipynb was not executed top to bottom: execution counts {counts}")
    errors = [cell.source.split("\n")[0] for cell in code if "raises-exception" not in cell.metadata.get("tags", [])
              and any(output.get("output_type") == "error" for output in cell.get("outputs", []))]
    if errors:
        problems.append(f"cells of notebooks/{stem}.ipynb raised errors: {errors}")
    unfolded = [cell.source.split("\n")[0] for cell in ipynb.cells if cell.cell_type == "markdown"
                and OPTIONAL_HEADING.match(cell.source) and not cell.metadata.get("jp-MarkdownHeadingCollapsed")]
    if unfolded:
        problems.append(f"its optional sections are not folded (scripts/tidy_notebook.py): {unfolded}")
    return problems


@step("website")
def website(root: Path, stem: str) -> list[str]:
    """On the website: in the navigation (every executed notebook, by its title) and in
    the instructor's guide with its run time (scripts/record_run_times.py)."""
    problems = []
    ipynb_path = root / "notebooks" / f"{stem}.ipynb"
    if ipynb_path.is_file():  # the step before reports a missing .ipynb, the first step a missing title
        if ipynb_path not in export_course.course_notebooks(root / "notebooks"):
            problems.append(f"the website's navigation does not list notebooks/{stem}.ipynb")
    try:
        seconds = export_course.read_run_times(root / RUN_TIMES)["seconds"]
    except SystemExit as error:
        return problems + [str(error)]
    if seconds.get(stem) is None:
        problems.append(f"{RUN_TIMES} has no run time for it: pipe the course's run into scripts/record_run_times.py")
    return problems


@step("float-dependent cells")
def float_dependent_cells(root: Path, stem: str) -> list[str]:
    """Its entry in tests/float_dependent_cells.json, matching its code cells."""
    cells = json.loads((root / FLOAT_CELLS).read_text())["cells"]
    name = f"{stem}.ipynb"
    if name not in cells:
        return [f"no entry for {name} in {FLOAT_CELLS}: run scripts/find_float_dependent_cells.py notebooks/{name}"]
    ipynb_path = root / "notebooks" / name
    if not ipynb_path.is_file():
        return []
    first_lines = numerics_profile.code_cell_first_lines(ipynb_path)
    return [f"{FLOAT_CELLS} records cell {entry['cell']} as {entry['first_line']!r}, which notebooks/{name} no longer "
            f"has there: run scripts/find_float_dependent_cells.py notebooks/{name}"
            for entry in cells[name]
            if entry["cell"] >= len(first_lines) or first_lines[entry["cell"]] != entry["first_line"]]


def check_lesson(root: Path, stem: str) -> list[str]:
    """Every step's problems for the lesson ``stem`` of the course at ``root``."""
    return [problem for _, _, check in STEPS for problem in check(Path(root), stem)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="NN_name or notebooks/NN_name.py (default: every notebook)")
    parser.add_argument("--root", type=Path, default=COURSE_ROOT, help="the course's folder (default: this one)")
    args = parser.parse_args(argv)
    stems = [Path(lesson).stem if lesson.endswith((".py", ".ipynb")) else lesson for lesson in args.lessons]
    problems = []
    for stem in stems or course_stems(args.root):  # named before each problem when there are several
        problems += [problem if len(stems) == 1 else f"{stem}: {problem}" for problem in check_lesson(args.root, stem)]
    print("\n".join(problems) if problems else "all steps done")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
