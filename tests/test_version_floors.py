"""The lower bounds of pyproject.toml's dependencies ("floors") and scripts/floor_requirements.py,
which pins them for the scheduled floors job of .github/workflows/tests.yml.

Each dependency has one lower bound with its reason in a comment beside it, and no upper
bound; torchvision's floor is the release paired with torch's; the lock satisfies every
floor; the script turns the floors into exact pins and knows when they are installed.
"""
from __future__ import annotations

import re
import tomllib

import pytest

import floor_requirements
from support import COURSE_ROOT

PYPROJECT = COURSE_ROOT / "pyproject.toml"
PROJECT = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]


def release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"\d+(?:\.\d+)*", version).group().split("."))


def test_every_dependency_has_one_lower_bound_and_no_upper_bound():
    for requirement in PROJECT["dependencies"]:
        name, version = floor_requirements.floor(requirement)
        assert requirement == f"{name}>={version}", f"{requirement!r}: only a lower bound (no upper bound, no marker)"


def test_every_floor_has_its_reason_beside_it():
    """The comment lines just above each dependency say why its floor is that release."""
    lines = PYPROJECT.read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies = [")
    for requirement in PROJECT["dependencies"]:
        at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(f'"{requirement}"'))
        above = []
        for line in reversed(lines[start + 1:at]):
            if not line.strip().startswith("#"):
                break
            above.append(line)
        name, version = floor_requirements.floor(requirement)
        assert above, f"{requirement}: no comment above it giving the reason for its floor"
        # The reason names a release: the floor itself or the one that introduced what the course calls.
        assert re.search(r"\b\d+\.\d+", " ".join(above)), f"{requirement}: the comment names no version"


def test_torchvisions_floor_is_the_release_paired_with_torchs():
    """torchvision 0.N is built for torch 2.(N - 15): 0.21 needs torch 2.6, 0.29 torch 2.14."""
    floors = floor_requirements.floors()
    torch, torchvision = release(floors["torch"]), release(floors["torchvision"])
    assert torch[0] == 2 and torchvision[:2] == (0, torch[1] + 15), floors
    locked = dict(re.findall(r"^(torch|torchvision)==(\S+)", (COURSE_ROOT / "requirements-lock.txt").read_text(), re.M))
    assert release(locked["torchvision"])[1] == release(locked["torch"])[1] + 15, locked


def test_the_lock_satisfies_every_floor():
    locked = {name.lower(): version for name, version in
              re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", (COURSE_ROOT / "requirements-lock.txt").read_text(), re.M)}
    for name, version in floor_requirements.floors().items():
        assert release(locked[name.lower()]) >= release(version), f"the lock has {name} {locked[name.lower()]}, below its floor {version}"


def test_the_pins_are_the_floors_then_the_companions():
    text = floor_requirements.requirements_text()
    requirements = [line for line in text.splitlines() if line and not line.startswith("#")]
    pins = [f"{name}=={version}" for name, version in floor_requirements.floors().items()]
    assert requirements[:len(pins)] == pins
    assert requirements[len(pins):] == [f"{name}{spec}" for name, (spec, _) in floor_requirements.COMPANIONS.items()]
    assert not set(floor_requirements.COMPANIONS) & {name.lower() for name in floor_requirements.floors()}, \
        "a companion is a package the course does not depend on directly"


@pytest.mark.parametrize("requirement, expected", [
    ("torch>=2.6", ("torch", "2.6")),
    ("otter-grader>=7.0,<8", ("otter-grader", "7.0")),
    ("pdfminer.six >= 20231228", ("pdfminer.six", "20231228")),
])
def test_a_floor_is_read_from_a_requirement(requirement, expected):
    assert floor_requirements.floor(requirement) == expected


@pytest.mark.parametrize("requirement", ["playwright", "torch<3", "torch>=2.6; python_version < '3.12'", "torch==2.6"])
def test_a_dependency_without_a_floor_is_refused(requirement):
    with pytest.raises(ValueError):
        floor_requirements.floor(requirement)


def test_check_accepts_the_floors_as_installed_and_nothing_else(monkeypatch, capsys):
    """torch's CPU build is "2.6.0+cpu" for the floor "2.6": that is the floor; 2.6.1 is not."""
    installed = {name: version for name, version in floor_requirements.floors().items()}
    installed["torch"] = installed["torch"] + ".0+cpu"
    monkeypatch.setattr(floor_requirements.importlib.metadata, "version", lambda name: installed[name])
    assert floor_requirements.main(["--check"]) == 0
    installed["torch"] = installed["torch"].replace(".0+cpu", ".1+cpu")
    assert floor_requirements.main(["--check"]) == 1
    assert "not at their floors: torch" in capsys.readouterr().err
