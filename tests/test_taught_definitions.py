"""One definition in the shipped code: a function or class that a notebook teaches
by writing it out must be character-identical to the one in helper_functions.py,
and from the next cell on the course imports it from there."""
from __future__ import annotations

import ast
import inspect

import pytest

import helper_functions as hf
from lesson_checklist import top_level_definitions
from support import COURSE_ROOT

NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"

#: notebook (stem) -> the helper_functions definitions it teaches.
TAUGHT = {
    "01_dataloaders": ["split_train_validation"],
    "02_model_0_baseline": ["FashionMNISTModelV0", "accuracy_fn", "print_train_time"],
    "03_training_functions_and_gpu": [
        "train_step",
        "test_step",
        "train",
        "eval_model",
        "dataset_to_tensors",
        "make_batch_loader",
    ],
    "04_model_1_non_linearity": ["FashionMNISTModelV1"],
    "05_model_2_tinyvgg": ["FashionMNISTModelV2"],
    "06_compare_and_predict": ["make_predictions"],
}

#: The main course's notebooks (00, 01, ...: all but the exercises and their solutions,
#: which write definitions out on purpose), where nothing taught may be defined a second time.
COURSE_NOTEBOOKS = [path for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py")) if "exercise" not in path.stem]

CASES = [(stem, name) for stem, names in TAUGHT.items() for name in names]



def imports_from_helpers(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` for each name imported with ``from helper_functions import ...``."""
    return [
        (node.lineno, alias.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module == "helper_functions"
        for alias in node.names
    ]


def notebook_source(stem: str) -> str:
    path = NOTEBOOKS_DIR / f"{stem}.py"
    assert path.is_file(), f"{path.name}, named in TAUGHT, does not exist: was the notebook renamed?"
    return path.read_text()


def test_taught_lists_notebooks_of_the_course():
    stems = [path.stem for path in COURSE_NOTEBOOKS]
    assert [stem[:2] for stem in stems] == [f"{n:02d}" for n in range(len(stems))], f"course notebooks: {stems}"
    assert not set(TAUGHT) - set(stems), f"TAUGHT names notebooks that do not exist: {sorted(set(TAUGHT) - set(stems))}"


@pytest.mark.parametrize("stem, name", CASES, ids=[f"{s[:2]}-{n}" for s, n in CASES])
def test_taught_definition_equals_the_helper(stem: str, name: str):
    source = notebook_source(stem)
    definitions = top_level_definitions(source).get(name, [])
    assert len(definitions) == 1, f"{stem}.py should define {name} exactly once, found {len(definitions)}"
    taught = ast.get_source_segment(source, definitions[0])
    shipped = inspect.getsource(getattr(hf, name)).rstrip("\n")
    assert taught == shipped, (
        f"{name} in {stem}.py differs from helper_functions.py: the notebook teaches the code "
        "that ships, so make them identical"
    )


@pytest.mark.parametrize("stem, name", CASES, ids=[f"{s[:2]}-{n}" for s, n in CASES])
def test_taught_definition_is_imported_afterwards(stem: str, name: str):
    """After teaching it, the notebook imports the helper's version for the rest of the course."""
    source = notebook_source(stem)
    (definition,) = top_level_definitions(source)[name]
    later_imports = [line for line, imported in imports_from_helpers(source) if imported == name]
    assert any(line > definition.lineno for line in later_imports), (
        f"{stem}.py defines {name} but never imports it from helper_functions afterwards"
    )


def test_nothing_taught_is_defined_twice_in_the_course():
    """Once a definition lives in helper_functions.py, later notebooks import it."""
    taught_in = {name: stem for stem, names in TAUGHT.items() for name in names}
    offenders = []
    for path in COURSE_NOTEBOOKS:
        for name in top_level_definitions(path.read_text()):
            if name in taught_in and taught_in[name] != path.stem:
                offenders.append(f"{path.name} defines {name} (taught in {taught_in[name]})")
    assert not offenders, "; ".join(offenders)


def test_the_toolbox_stays_short_and_its_docstring_true():
    """helper_functions.py is what a student reads: about 555 lines, and its opening
    docstring names every definition the notebooks teach."""
    source = inspect.getsource(hf)
    assert len(source.splitlines()) <= 560, "helper_functions.py grew past about 560 lines: move machinery to cv_course/"
    missing = [name for _, name in CASES if name not in hf.__doc__]
    assert not missing, f"helper_functions' docstring does not mention {missing}"
