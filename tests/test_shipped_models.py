"""The trained course models shipped inside the package (cv_course/trained/).

A lesson opened on its own (notebooks 06 to 08, the exercises, in a fresh Colab
session) loads them in a second instead of training for minutes. They must be
exactly what the course's recipe trains, bit for bit under the reference numerics
profile, so that such a lesson shows the very outputs stored in it:

- here, Model 0 and Model 1 are trained again (seconds each) and compared;
- tests/test_standalone.py runs notebooks 06 to 08 without any saved or shipped
  model, so that they train all three, and compares those with the shipped ones
  (Model 2 takes minutes: that run trains it anyway).

When a comparison fails after a deliberate change to the recipe (raise
RECIPE_VERSION), the data or PyTorch, train them again with
``.venv/bin/python scripts/train_shipped_models.py``.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import torch

from shipped_support import NEEDS_PROFILE, REGENERATE, differing_tensors, shipped_state_dict
from support import COURSE_ROOT, build_wheel
from cv_course import recipe
from timeouts import INSTALL_AND_RUN_S, SUBPROCESS_S
from cv_course.recipe import SHIPPED_MODELS_DIR, build_course_model, load_course_model, load_or_train_course_model, save_course_model
from helper_functions import save_model

NAMES = list(recipe.COURSE_MODELS)
def same_weights(model: torch.nn.Module, state_dict: dict[str, torch.Tensor]) -> bool:
    return differing_tensors(state_dict, model.state_dict()) == []


# --------------------------------------------------------------------------- what is shipped


@pytest.mark.parametrize("name", NAMES)
def test_each_course_model_is_shipped_for_the_current_recipe(name):
    """Both files are there, load with the current RECIPE_VERSION, and the record
    has exactly the keys a record trained on a student's machine has."""
    model, record = load_course_model(name, "cpu", SHIPPED_MODELS_DIR)  # CheckpointError says what is wrong
    assert type(model) is recipe.COURSE_MODELS[name][0]
    assert sorted(record) == ["device", "epochs", "model_acc", "model_loss", "model_name", "train_time"], (
        f"{SHIPPED_MODELS_DIR / name}.json has other keys than a record of train_course_model: {REGENERATE}")
    assert (record["model_name"], record["device"], record["epochs"]) == (type(model).__name__, "cpu", 3)
    assert record["model_acc"] > 75 and record["train_time"] > 0


@NEEDS_PROFILE
@pytest.mark.slow  # trains two models: about 15 s for both on two idle cores
@pytest.mark.parametrize("name", ["model_0", "model_1"])  # model_2: tests/test_standalone.py
def test_shipped_weights_are_what_the_recipe_trains(name):
    model, record = recipe.train_course_model(name, device="cpu")
    problems = differing_tensors(shipped_state_dict(name), model.state_dict())
    assert not problems, (f"the shipped {name} is not what the recipe trains under the numerics profile "
                          f"({'; '.join(problems)}): {REGENERATE}")
    shipped_record = json.loads((SHIPPED_MODELS_DIR / f"{name}.json").read_text())
    assert (record["model_loss"], record["model_acc"]) == (shipped_record["model_loss"], shipped_record["model_acc"])


def test_a_changed_weight_is_found():
    """The comparison above sees a change in the last bit of a single weight."""
    shipped = shipped_state_dict("model_0")
    changed = {key: value.clone() for key, value in shipped.items()}
    first = next(iter(changed))
    changed[first].view(-1)[0] = torch.nextafter(changed[first].view(-1)[0], torch.tensor(1.0))
    (problem,) = differing_tensors(shipped, changed)
    assert problem.startswith(f"{first}: differs by up to ")
    assert differing_tensors(shipped, shipped) == []


# --------------------------------------------------------------------------- loading them


@pytest.fixture
def no_training(monkeypatch):
    """Make any training fail the test at once."""

    def refuse(name, *args, **kwargs):
        raise AssertionError(f"{name} was trained, but it should have been loaded")

    monkeypatch.setattr(recipe, "train_course_model", refuse)


@pytest.fixture
def fake_training(monkeypatch):
    """Replace the (minutes-long) training by a seeded fresh model and a fixed record."""
    calls = []

    def fake_train_course_model(name, data_root=None, device="cpu", **kwargs):
        calls.append(name)
        model = build_course_model(name, seed=100 + len(calls)).to(device)
        record = {"model_name": type(model).__name__, "model_loss": 0.5, "model_acc": 80.0,
                  "train_time": 1.25, "device": str(device), "epochs": 3}
        return model, record

    monkeypatch.setattr(recipe, "train_course_model", fake_train_course_model)
    return calls


def test_a_lesson_opened_alone_loads_the_shipped_models_in_seconds(tmp_path):
    """As a fresh Colab session opens notebook 06: in a folder with no course in it
    (so models/ is an empty folder there), with the default paths, in a new process.
    Nothing is printed, nothing written, nothing trained."""
    script = textwrap.dedent("""
        import sys, time
        from cv_course.recipe import load_or_train_course_model
        start = time.perf_counter()
        for name in ["model_0", "model_1", "model_2"]:
            load_or_train_course_model(name)
        print(f"{time.perf_counter() - start:.3f}", file=sys.stderr)
    """)
    (tmp_path / "models").mkdir()
    try:
        result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=SUBPROCESS_S)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"still running after 120 s: it trains instead of loading ({error.stdout!r})")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == "", f"loading prints nothing, but it printed:\n{result.stdout}"
    assert float(result.stderr.strip().splitlines()[-1]) < 10, "loading three shipped models took more than 10 s"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["models"], "loading must not write anything"


def test_the_shipped_copy_is_loaded_when_models_is_empty(tmp_path, no_training, capsys):
    models_dir = tmp_path / "models"
    for name in NAMES:
        model, record = load_or_train_course_model(name, models_dir=models_dir)
        assert same_weights(model, shipped_state_dict(name))
        assert record == load_course_model(name, "cpu", SHIPPED_MODELS_DIR)[1]
    assert capsys.readouterr().out == ""
    assert not models_dir.exists(), "loading the shipped copy writes nothing to models/"


def test_the_students_own_model_comes_first(tmp_path, no_training):
    """What notebooks 03 to 05 saved in models/ (on a GPU, say) wins over the shipped copy."""
    own = build_course_model("model_2", seed=7)
    record = {"model_name": "FashionMNISTModelV2", "model_loss": 0.3, "model_acc": 89.0,
              "train_time": 20.0, "device": "cuda", "epochs": 3}
    save_course_model("model_2", own, record, tmp_path)
    loaded, loaded_record = load_or_train_course_model("model_2", models_dir=tmp_path)
    assert loaded_record == record and same_weights(loaded, own.state_dict())
    assert not same_weights(loaded, shipped_state_dict("model_2"))


def test_an_unusable_saved_model_gives_way_to_the_shipped_copy(tmp_path, no_training, capsys):
    (tmp_path / "model_1.pth").write_bytes(b"corrupt")
    (tmp_path / "model_1.json").write_text("{not json")
    model, _ = load_or_train_course_model("model_1", models_dir=tmp_path)
    assert same_weights(model, shipped_state_dict("model_1")) and capsys.readouterr().out == ""
    assert (tmp_path / "model_1.pth").read_bytes() == b"corrupt", "the student's files are left as they are"


def older_recipe(folder: Path) -> None:
    path = folder / "model_0.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "recipe_version": recipe.RECIPE_VERSION - 1}))


@pytest.mark.parametrize(
    "damage, reason",
    [
        pytest.param(lambda d: shutil.rmtree(d), "the course ships none ({shipped}/model_0.json is missing)",
                     id="no-shipped-folder"),
        pytest.param(lambda d: (d / "model_0.json").unlink(), "the course ships none ({shipped}/model_0.json is missing)",
                     id="record-missing"),
        pytest.param(lambda d: (d / "model_0.pth").unlink(), "the copy shipped with the course cannot be used (No checkpoint at",
                     id="checkpoint-missing"),
        pytest.param(older_recipe, "the copy shipped with the course cannot be used ({shipped}/model_0.json was made by "
                     f"recipe version {recipe.RECIPE_VERSION - 1}, not {recipe.RECIPE_VERSION}.)", id="older-recipe"),
        pytest.param(lambda d: (d / "model_0.pth").write_bytes((d / "model_0.pth").read_bytes()[:5000]),
                     "the copy shipped with the course cannot be used (Could not load {shipped}/model_0.pth", id="truncated"),
        pytest.param(lambda d: save_model(build_course_model("model_1"), d / "model_0.pth"),
                     "the copy shipped with the course cannot be used ({shipped}/model_0.pth was saved from a different "
                     "architecture", id="other-architecture"),
    ],
)
def test_an_unusable_shipped_copy_falls_back_to_training(tmp_path, fake_training, capsys, damage, reason):
    shipped = shutil.copytree(SHIPPED_MODELS_DIR, tmp_path / "trained")
    damage(shipped)
    models_dir = tmp_path / "models"
    model, record = load_or_train_course_model("model_0", models_dir=models_dir, shipped_dir=shipped)
    assert fake_training == ["model_0"]
    printed = capsys.readouterr().out
    expected = ("Training model_0 (FashionMNISTModelV0) the course's way, 3 epochs: models/ has no saved model_0 "
                "yet, and " + reason.format(shipped=shipped))
    assert printed.startswith(expected), printed
    assert printed.count("\n") == 1, "one line, which the notebooks' sanitizer removes"
    assert record["train_time"] == 1.25 and sorted(p.name for p in models_dir.iterdir()) == ["model_0.json", "model_0.pth"]
    # Trained once, then loaded from models/ like any model a notebook saved.
    load_or_train_course_model("model_0", models_dir=models_dir, shipped_dir=shipped)
    assert fake_training == ["model_0"]


def test_an_unknown_name_is_refused_before_anything_is_read(tmp_path, no_training):
    with pytest.raises(ValueError, match="'model_3'.*model_0"):
        load_or_train_course_model("model_3", models_dir=tmp_path)


# --------------------------------------------------------------------------- in the package


@pytest.mark.slow  # builds a wheel (seconds)
def test_the_wheel_ships_the_trained_models(tmp_path):
    """``pip wheel`` of the course (what ``pip install`` installs) holds every shipped
    file, byte for byte. Built from a copy of the package's sources, so that the
    build leaves nothing in the repository."""
    wheel = build_wheel(tmp_path)
    expected = sorted(f"cv_course/trained/{name}.{ext}" for name in NAMES for ext in ("json", "pth"))
    with zipfile.ZipFile(wheel) as zf:
        shipped = sorted(n for n in zf.namelist() if n.startswith("cv_course/trained/"))
        assert shipped == expected, f"{wheel.name} ships {shipped}: check [tool.setuptools.package-data] in pyproject.toml"
        for member in expected:
            assert zf.read(member) == (COURSE_ROOT / member).read_bytes(), f"{member} in the wheel differs"


# --------------------------------------------------------------------------- training the course's way


def test_training_for_a_lesson_shows_one_bar_and_no_doctors_advice(monkeypatch, capsys):
    """What load_or_train_course_model prints while it trains is one line and a bar,
    which the notebooks' sanitizer removes: not the training doctor's advice, which
    Model 1 (with its dead outputs) would otherwise get in notebooks 06 to 08."""
    from tqdm import tqdm

    def train_with_advice(model, *args, **kwargs):
        tqdm.write("Training doctor (epoch 1): the output for class 3 stays stuck (0, or one number, ...")
        print("Training doctor (epoch 1): the model's parameters did not change")
        return {}

    monkeypatch.setattr(recipe, "train", train_with_advice)
    recipe.train_course_model("model_1", device="cpu", epochs=2, bar_desc="Training model_1")
    captured = capsys.readouterr()
    assert "Training doctor" not in captured.out
    shown = re.sub(r"^.*\r(?=[^\n])", "", captured.out, flags=re.MULTILINE)  # as a notebook shows it
    assert shown.startswith("Training model_1: 100%|") and shown.count("\n") == 1 and captured.err == ""
