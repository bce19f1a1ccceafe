"""The course's dependencies pinned at their lower bounds, for the scheduled "floors" job
of .github/workflows/tests.yml, which installs exactly them and runs the tests.

Every requirement of pyproject.toml's [project] dependencies must have a lower bound
(``>=X``); it becomes ``NAME==X`` (an upper bound such as ``<8`` is dropped: the pin is
below it). pip then chooses the packages the course does not depend on directly, except
those in ``COMPANIONS`` below, which the floors need held back.

    python scripts/floor_requirements.py > floors.txt    # the pins, for pip install -r
    python scripts/floor_requirements.py --check         # after installing: exactly the floors?
    python scripts/floor_requirements.py --report        # each dependency: floor and installed

Runs on Python 3.10 (the course's oldest) with tomli installed, else on 3.11+ with tomllib.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip install tomli
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

#: Packages the course does not depend on, held back in the floors job, with the reason.
#: Each is a constraint on what pip may choose beside the floors, not a floor itself.
COMPANIONS: dict[str, tuple[str, str]] = {
    "pyparsing": (
        "<3.3",
        "pyparsing 3.3 deprecates the camelCase names that matplotlib before 3.10.8 calls "
        "on import (setParseAction, parseString, oneOf); the course's strict-warnings rule "
        "(pytest.ini, scripts/config_isolation.py) makes that DeprecationWarning an error",
    ),
}

# NAME, optional [extras], then the version specifiers; an environment marker is not allowed.
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)$")


def dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    """The requirement strings of [project] dependencies."""
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]


def floor(requirement: str) -> tuple[str, str]:
    """(name, lower bound) of a requirement such as ``"torch>=2.6"`` or ``"x>=7.0,<8"``.
    Raises ValueError if it has no lower bound (``>=``), or a marker."""
    match = _REQUIREMENT.match(requirement)
    if not match:
        raise ValueError(f"{requirement!r}: not NAME followed by version specifiers (no markers)")
    name, _, specifiers = match.groups()
    lower = [s.strip()[2:].strip() for s in specifiers.split(",") if s.strip().startswith(">=")]
    if len(lower) != 1 or not lower[0]:
        raise ValueError(f"{requirement!r}: every dependency needs one lower bound (>=X), its floor")
    return name, lower[0]


def floors(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """{name: lower bound} for every dependency, in pyproject.toml's order."""
    return dict(floor(requirement) for requirement in dependencies(pyproject))


def requirements_text(pyproject: Path = PYPROJECT) -> str:
    """A pip requirements file: the pins, then the companions' constraints with their reasons."""
    lines = [f"# The lower bounds of {pyproject.name}'s [project] dependencies (scripts/floor_requirements.py)."]
    lines += [f"{name}=={version}" for name, version in floors(pyproject).items()]
    for name, (specifier, reason) in COMPANIONS.items():
        lines += [f"# {reason}", f"{name}{specifier}"]
    return "\n".join(lines) + "\n"


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version, zeros dropped from the end: "2.6.0+cpu" -> (2, 6)."""
    numbers = [int(part) for part in re.match(r"\d+(?:\.\d+)*", version).group().split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def installed_versions(pyproject: Path = PYPROJECT) -> list[tuple[str, str, str | None]]:
    """(name, floor, installed version or None) for every dependency."""
    rows = []
    for name, version in floors(pyproject).items():
        try:
            rows.append((name, version, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((name, version, None))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true",
                      help="exit 1 unless every dependency is installed at exactly its floor")
    what.add_argument("--report", action="store_true", help="print each dependency's floor and installed version")
    args = parser.parse_args(argv)
    if not (args.check or args.report):
        sys.stdout.write(requirements_text())
        return 0
    rows = installed_versions()
    wrong = []
    for name, version, installed in rows:
        at_floor = installed is not None and _release(installed) == _release(version)
        print(f"{name:<14} floor {version:<8} installed {installed or '(missing)'}")
        if not at_floor:
            wrong.append(name)
    if args.check and wrong:
        print(f"not at their floors: {', '.join(wrong)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
