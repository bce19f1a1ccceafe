"""The installed course is three layers, and imports only go down (CONTRIBUTING.md, "Layers"):

    cv_course          the course's own layer: recipe, exercise checks, the shipped models
    helper_functions   the students' toolbox
    cv_toolbox         what the toolbox is built from: data, files, checkpoints, cpus, training doctor

Tooling (scripts/, tests/, conftest.py) sits outside the installed package, above all three:
nothing installed imports it or reads tests/. The wheel holds the three layers and nothing else.
"""
from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest

from support import COURSE_ROOT, build_wheel

#: Each installed top-level module or package, by layer: an import may go to the same layer
#: or a lower one, never up.
LAYERS = {"cv_toolbox": 0, "helper_functions": 1, "cv_course": 2}
#: Modules that only the scripts and tests use (importable there through pytest.ini's pythonpath).
TOOLING = {path.stem for folder in ("scripts", "scripts/export", "tests") for path in (COURSE_ROOT / folder).glob("*.py")}
TOOLING |= {"conftest", "scripts", "tests"}


def installed_modules(root: Path = COURSE_ROOT) -> dict[str, Path]:
    """Dotted name -> file of every module the wheel installs."""
    modules = {"helper_functions": root / "helper_functions.py"}
    for package in ("cv_toolbox", "cv_course"):
        for path in sorted((root / package).glob("*.py")):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return modules


def imported_names(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in ``path``, wherever it is (function bodies too),
    relative imports resolved against ``module``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.rsplit(".", node.level if path.stem != "__init__" else node.level - 1)[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module
            # `from package import name`: name may be a module of the package
            found += [(node.lineno, base)] + [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def layer_violations(modules: dict[str, Path]) -> list[str]:
    """Every import that goes up a layer or into the tooling, as 'file:line: what'."""
    problems = []
    for module, path in modules.items():
        own = LAYERS[module.split(".")[0]]
        lines_seen = set()
        for line, name in imported_names(path, module):
            top = name.split(".")[0]
            if line in lines_seen:
                continue  # one report per import statement
            where = f"{path.relative_to(path.parent.parent) if path.parent.name in LAYERS else path.name}:{line}"
            if top in TOOLING and top not in LAYERS:
                problems.append(f"{where}: {module} imports {name}, which is tooling (scripts/ or tests/)")
                lines_seen.add(line)
            elif top in LAYERS and LAYERS[top] > own:
                problems.append(f"{where}: {module} imports {name}, a layer above it")
                lines_seen.add(line)
    return problems


def package_cycles(modules: dict[str, Path]) -> list[list[str]]:
    """Cycles among the installed modules' imports (a module importing one that imports it back)."""
    graph = {module: {name for _, name in imported_names(path, module) if name in modules and name != module}
             for module, path in modules.items()}
    cycles, state = [], {}

    def visit(module: str, stack: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_imports_only_go_down_the_layers():
    assert layer_violations(installed_modules()) == []


def test_no_installed_module_imports_another_in_a_cycle():
    assert package_cycles(installed_modules()) == []


def folder_strings(path: Path) -> list[str]:
    """The string constants in ``path``'s code (not its docstrings or comments) that name the
    tests/ or scripts/ folder: a path an installed copy would not have."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and node.value.strip("/").split("/")[0] in ("tests", "scripts")]


def test_nothing_installed_reads_the_tests_or_scripts_folders():
    found = {path.name: folder_strings(path) for path in installed_modules().values()}
    assert {name: strings for name, strings in found.items() if strings} == {}


def test_the_folder_check_catches_a_path_into_tests(tmp_path):
    path = tmp_path / "made_up.py"
    path.write_text('"""Reads tests/x.json."""\nRECORD = Path(__file__).parent.parent / "tests" / "x.json"\n')
    assert folder_strings(path) == ["tests"]


@pytest.mark.parametrize("package, source, expected", [
    ("cv_toolbox", "import helper_functions\n", "a layer above it"),
    ("cv_toolbox", "from cv_course.recipe import train_course_model\n", "a layer above it"),
    ("helper_functions", "def f():\n    from cv_course import recipe\n", "a layer above it"),
    ("cv_course", "import numerics_profile\n", "which is tooling"),
    ("cv_course", "from . import recipe\nfrom helper_functions import train\nfrom cv_toolbox.files import atomic_write\n", None),
])
def test_the_layer_check_catches_an_import_against_the_direction(tmp_path, package, source, expected):
    """The check itself, on a made-up module: it must name each kind of wrong import."""
    path = tmp_path / ("helper_functions.py" if package == "helper_functions" else f"{package}/made_up.py")
    path.parent.mkdir(exist_ok=True)
    path.write_text(source)
    module = package if package == "helper_functions" else f"{package}.made_up"
    problems = layer_violations({module: path})
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems


def test_the_cycle_check_catches_a_cycle(tmp_path):
    (tmp_path / "a.py").write_text("from cv_toolbox import b\n")
    (tmp_path / "b.py").write_text("import cv_toolbox.a\n")
    modules = {"cv_toolbox.a": tmp_path / "a.py", "cv_toolbox.b": tmp_path / "b.py"}
    assert package_cycles(modules) == [["cv_toolbox.a", "cv_toolbox.b", "cv_toolbox.a"]]


@pytest.mark.slow  # builds a wheel (seconds)
def test_the_wheel_holds_the_three_layers_and_no_tooling(tmp_path):
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert tops == {"helper_functions.py", "cv_toolbox", "cv_course"}, f"{wheel.name} installs {sorted(tops)}"
    shipped_modules = {Path(name).stem for name in names if name.endswith(".py")}
    assert not shipped_modules & (TOOLING - {"__init__"}), f"tooling in the wheel: {sorted(shipped_modules & TOOLING)}"
    expected = {f"{package}/{path.relative_to(COURSE_ROOT / package).as_posix()}"
                for package in ("cv_toolbox", "cv_course") for path in (COURSE_ROOT / package).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts}
    assert {name for name in names if name.split("/")[0] in ("cv_toolbox", "cv_course")} == expected
