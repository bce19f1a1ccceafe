"""Saving and loading models (notebook 08's helpers): atomic saves, clear
errors for missing, corrupt and mismatched checkpoints, and the course's
load-or-train shortcut that notebooks 06-08 use to run on their own."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import torch
from torch import nn

from cv_course import recipe
from support import nbval_sanitize
from cv_course.recipe import build_course_model, load_or_train_course_model, save_course_model
from helper_functions import (
    CheckpointError,
    FashionMNISTModelV0,
    FashionMNISTModelV1,
    FashionMNISTModelV2,
    load_model,
    save_model,
)


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary files a save may have left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa)


# --------------------------------------------------------------------------- saving


def test_save_then_load_round_trip(tmp_path):
    model = build_course_model("model_2", seed=0)
    path = save_model(model, tmp_path / "model_2.pth")
    assert path == tmp_path / "model_2.pth" and path.is_file()
    assert leftovers(tmp_path) == []
    fresh = build_course_model("model_2", seed=1)
    assert not same_weights(model, fresh)
    loaded = load_model(fresh, path, device="cpu")
    assert loaded is fresh and same_weights(model, loaded)


def test_a_compiled_model_saves_and_loads_like_the_plain_one(tmp_path):
    """torch.compile wraps a model, whose state_dict keys then start with "_orig_mod.":
    save_model writes the plain names, and load_model takes either kind of file into
    either kind of model (nothing is compiled: that happens at a wrapped model's first call)."""
    plain = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)
    compiled = torch.compile(plain)
    assert all(key.startswith("_orig_mod.") for key in compiled.state_dict())
    saved = save_model(compiled, tmp_path / "compiled.pth")
    assert list(torch.load(saved, weights_only=True)) == list(plain.state_dict())
    assert same_weights(load_model(FashionMNISTModelV0(784, 10, 10), saved), plain)

    torch.save(compiled.state_dict(), tmp_path / "by_hand.pth")  # the prefixed names
    for target in (FashionMNISTModelV0(784, 10, 10), torch.compile(FashionMNISTModelV0(784, 10, 10))):
        loaded = load_model(target, tmp_path / "by_hand.pth")
        assert loaded is target and same_weights(getattr(loaded, "_orig_mod", loaded), plain)


def test_save_creates_the_folder(tmp_path):
    path = save_model(build_course_model("model_0"), tmp_path / "new" / "folder" / "m.pth")
    assert path.is_file()


def test_saved_file_is_a_plain_state_dict(tmp_path):
    """A checkpoint made by save_model loads with plain torch.load too."""
    model = build_course_model("model_1")
    save_model(model, tmp_path / "m.pth")
    state_dict = torch.load(tmp_path / "m.pth", weights_only=True)
    assert list(state_dict) == list(model.state_dict())


def _interrupted_torch_save(obj, f, *args, **kwargs):
    """Write part of a real checkpoint, then fail as a full disk or Ctrl+C would."""
    f.write(b"PK\x03\x04 half a checkpoint")
    raise OSError(28, "No space left on device")


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.pth"
    old = build_course_model("model_0", seed=0)
    save_model(old, path)
    before = path.read_bytes()

    monkeypatch.setattr(torch, "save", _interrupted_torch_save)
    with pytest.raises(OSError, match="No space left"):
        save_model(build_course_model("model_0", seed=1), path)
    monkeypatch.undo()

    assert path.read_bytes() == before, "an interrupted save must not touch the file at the final path"
    assert leftovers(tmp_path) == [], "an interrupted save must not leave its temporary file behind"
    assert same_weights(old, load_model(build_course_model("model_0", seed=2), path))


def test_interrupted_first_save_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(torch, "save", _interrupted_torch_save)
    with pytest.raises(OSError):
        save_model(build_course_model("model_0"), tmp_path / "model.pth")
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_during_save_cleans_up(tmp_path, monkeypatch):
    def interrupted(obj, f, *args, **kwargs):
        f.write(b"partial")
        raise KeyboardInterrupt

    path = tmp_path / "model.pth"
    path.write_bytes(b"previous")
    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(build_course_model("model_0"), path)
    assert path.read_bytes() == b"previous"
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- loading: clear errors


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.pth"
    with pytest.raises(FileNotFoundError, match="nowhere.pth"):
        load_model(build_course_model("model_0"), path)


def test_a_folder_is_not_a_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match=tmp_path.name):
        load_model(build_course_model("model_0"), tmp_path)


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda good: good[: len(good) // 2], id="truncated"),
        pytest.param(lambda good: good[:100], id="truncated-header"),
        pytest.param(lambda good: b"", id="empty"),
        pytest.param(lambda good: b"this is not a checkpoint\n" * 10, id="text"),
        pytest.param(lambda good: bytes(range(256)) * 4, id="random-bytes"),
    ],
)
def test_corrupt_checkpoint_raises_clear_error(tmp_path, corrupt):
    good = tmp_path / "good.pth"
    save_model(build_course_model("model_2"), good)
    bad = tmp_path / "bad.pth"
    bad.write_bytes(corrupt(good.read_bytes()))
    with pytest.raises(CheckpointError, match=r"bad\.pth.*truncated or corrupt"):
        load_model(build_course_model("model_2"), bad)


def test_corrupt_checkpoint_is_a_runtime_error(tmp_path):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"garbage")
    with pytest.raises(RuntimeError):
        load_model(build_course_model("model_0"), bad)


class Payload:
    """An arbitrary object: what weights_only=True refuses to unpickle."""

    def __reduce__(self):
        return (print, ("this ran while loading",))


def test_pickled_code_is_refused(tmp_path, capsys):
    """weights_only=True: a file that would call a function while unpickling is refused, not run,
    and the error names the file and what it holds."""
    path = tmp_path / "evil.pth"
    with open(path, "wb") as f:
        pickle.dump({"layer.weight": Payload()}, f, protocol=2)
    with pytest.raises(CheckpointError, match=r"evil\.pth holds objects other than tensors \(print\)"):
        load_model(build_course_model("model_0"), path)
    assert "this ran while loading" not in capsys.readouterr().out


def test_a_whole_pickled_model_is_refused_and_named_with_the_fix(tmp_path):
    path = tmp_path / "whole_model.pth"
    torch.save(build_course_model("model_0"), path)  # the whole object, not its state_dict
    with pytest.raises(CheckpointError, match=r"whole_model\.pth.*objects other than tensors") as info:
        load_model(build_course_model("model_0"), path)
    message = str(info.value)
    assert "\x1b" not in message, "raw terminal colour codes"
    assert str(path) in message and "whole pickled model" in message and "torch.save(model)" in message
    assert "state_dict" in message and "save_model(" in message
    assert "truncated or corrupt" not in message
    assert message.endswith("."), "cut mid-sentence"


@pytest.mark.parametrize("content", [[1, 2, 3], torch.zeros(3)], ids=["list", "tensor"])
def test_not_a_state_dict(tmp_path, content):
    path = tmp_path / "other.pth"
    torch.save(content, path)
    with pytest.raises(CheckpointError, match="other.pth.*not a state_dict"):
        load_model(build_course_model("model_0"), path)


def test_different_architecture_lists_the_keys(tmp_path):
    path = save_model(build_course_model("model_2"), tmp_path / "tinyvgg.pth")
    with pytest.raises(CheckpointError) as info:
        load_model(build_course_model("model_0"), path)
    message = str(info.value)
    assert "tinyvgg.pth" in message and "FashionMNISTModelV0" in message
    assert "missing keys: layer_stack.1.weight, layer_stack.1.bias" in message
    assert "unexpected keys: block_1.0.weight" in message


def test_similar_architecture_names_the_differing_layers(tmp_path):
    """Model 0 and model 1 have the same sizes but ReLUs shift the layer indices."""
    path = save_model(build_course_model("model_0"), tmp_path / "model_0.pth")
    with pytest.raises(CheckpointError) as info:
        load_model(build_course_model("model_1"), path)
    message = str(info.value)
    assert "missing keys: layer_stack.3.weight, layer_stack.3.bias" in message
    assert "unexpected keys: layer_stack.2.weight, layer_stack.2.bias" in message


def test_different_sizes_list_the_shapes(tmp_path):
    wide = FashionMNISTModelV2(input_shape=1, hidden_units=16, output_shape=10)
    path = save_model(wide, tmp_path / "wide.pth")
    narrow = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)
    before = {k: v.clone() for k, v in narrow.state_dict().items()}
    with pytest.raises(CheckpointError) as info:
        load_model(narrow, path)
    message = str(info.value)
    assert "wide.pth" in message and "shape mismatches" in message
    assert "block_1.0.weight: file (16, 1, 3, 3) vs model (10, 1, 3, 3)" in message
    assert "classifier.1.weight: file (10, 784) vs model (10, 490)" in message
    assert "missing keys" not in message
    # Nothing was half-loaded into the model.
    assert all(torch.equal(before[k], v) for k, v in narrow.state_dict().items())


def test_map_location_loads_onto_the_cpu(tmp_path, monkeypatch):
    """load_model passes weights_only=True and the device as map_location, so a
    checkpoint saved on a GPU loads on a CPU-only machine."""
    path = save_model(FashionMNISTModelV1(784, 10, 10), tmp_path / "m.pth")
    calls = []
    real_load = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    load_model(FashionMNISTModelV1(784, 10, 10), path, device="cpu")
    assert calls == [{"weights_only": True, "map_location": "cpu"}]


#: "cuda" or "mps" where PyTorch finds a GPU. The profile hides GPUs from the test run, so
#: tests/test_gpu_notebooks.py runs this file again with them visible.
ACCELERATOR = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else None


@pytest.mark.skipif(ACCELERATOR is None,
                    reason="needs a GPU (CUDA or MPS) to save a GPU checkpoint: tests/test_gpu_notebooks.py runs it on one")
def test_gpu_checkpoint_loads_on_cpu(tmp_path):
    model = FashionMNISTModelV0(784, 10, 10).to(ACCELERATOR)
    path = save_model(model, tmp_path / "gpu.pth")
    saved = torch.load(path, weights_only=True)  # as saved: on the GPU
    assert {tensor.device.type for tensor in saved.values()} == {ACCELERATOR}
    loaded = load_model(FashionMNISTModelV0(784, 10, 10), path, device="cpu")
    assert all(p.device.type == "cpu" for p in loaded.parameters())
    assert same_weights(model, loaded)


# --------------------------------------------------------------------------- load or train


@pytest.fixture
def fake_training(monkeypatch, tmp_path):
    """Replace the (minutes-long) training by a seeded fresh model and a fixed record,
    and ship no models (tests/test_shipped_models.py tests the shipped ones)."""
    monkeypatch.setattr(recipe, "SHIPPED_MODELS_DIR", tmp_path / "nothing-shipped")
    calls = []

    def fake_train_course_model(name, data_root=None, device="cpu", progress=False, **kwargs):
        calls.append(name)
        model = build_course_model(name, seed=len(calls)).to(device)
        model.fresh_from_training = True
        record = {"model_name": type(model).__name__, "model_loss": 0.5, "model_acc": 80.0,
                  "train_time": 1.25, "device": str(device), "epochs": 3}
        return model, record

    monkeypatch.setattr(recipe, "train_course_model", fake_train_course_model)
    return calls


def test_load_or_train_trains_once_then_loads(tmp_path, fake_training, capsys):
    model, record = load_or_train_course_model("model_0", models_dir=tmp_path)
    assert fake_training == ["model_0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_0.json", "model_0.pth"]
    # Even right after training, what comes back is the saved model loaded again,
    # so later runs (which only load) get the very same object state.
    assert not hasattr(model, "fresh_from_training")
    assert record["model_acc"] == 80.0 and "recipe_version" not in record
    assert json.loads((tmp_path / "model_0.json").read_text())["recipe_version"] == recipe.RECIPE_VERSION
    trained_output = capsys.readouterr().out
    assert trained_output == (
        f"Training model_0 (FashionMNISTModelV0) the course's way, 3 epochs: {tmp_path.name}/ has no saved model_0 yet, "
        f"and the course ships none ({tmp_path / 'nothing-shipped' / 'model_0.json'} is missing).\n"
    )

    again, record_again = load_or_train_course_model("model_0", models_dir=tmp_path)
    assert fake_training == ["model_0"], "a saved model must be loaded, not trained again"
    assert record_again == record
    assert isinstance(again, FashionMNISTModelV0) and same_weights(model, again)
    assert capsys.readouterr().out == "", "loading prints nothing"
    # A notebook run on its own trains where the stored run loaded: the notebooks'
    # sanitizer removes exactly what training adds, so both compare equal.
    assert nbval_sanitize(trained_output) == ""


def test_load_or_train_says_why_it_retrains_a_model_from_another_recipe(tmp_path, fake_training, capsys):
    load_or_train_course_model("model_0", models_dir=tmp_path)
    record_path = tmp_path / "model_0.json"
    record_path.write_text(json.dumps({**json.loads(record_path.read_text()), "recipe_version": recipe.RECIPE_VERSION - 1}))
    capsys.readouterr()
    load_or_train_course_model("model_0", models_dir=tmp_path)
    printed = capsys.readouterr().out
    assert printed.startswith("Training model_0 (FashionMNISTModelV0) the course's way, 3 epochs: the saved one cannot be used (")
    assert f"recipe version {recipe.RECIPE_VERSION - 1}, not {recipe.RECIPE_VERSION}" in printed


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: (d / "model_0.pth").unlink(), id="checkpoint-missing"),
        pytest.param(lambda d: (d / "model_0.json").unlink(), id="record-missing"),
        pytest.param(lambda d: (d / "model_0.pth").write_bytes(b"corrupt"), id="checkpoint-corrupt"),
        pytest.param(lambda d: (d / "model_0.json").write_text("{not json"), id="record-corrupt"),
        pytest.param(lambda d: (d / "model_0.json").write_text("[1, 2]"), id="record-not-a-dict"),
        pytest.param(
            lambda d: save_model(build_course_model("model_2"), d / "model_0.pth"), id="checkpoint-other-model"
        ),
        pytest.param(
            lambda d: (d / "model_0.json").write_text(
                json.dumps({**json.loads((d / "model_0.json").read_text()), "recipe_version": recipe.RECIPE_VERSION - 1})
            ),
            id="record-older-recipe-version",
        ),
    ],
)
def test_load_or_train_retrains_what_does_not_load(tmp_path, fake_training, damage):
    load_or_train_course_model("model_0", models_dir=tmp_path)
    damage(tmp_path)
    model, record = load_or_train_course_model("model_0", models_dir=tmp_path)
    assert fake_training == ["model_0", "model_0"]
    assert isinstance(model, FashionMNISTModelV0)
    # The retrained model replaced what was broken, and now loads.
    again, record_again = load_or_train_course_model("model_0", models_dir=tmp_path)
    assert fake_training == ["model_0", "model_0"]
    assert same_weights(model, again) and record_again == record
    assert leftovers(tmp_path) == []


def test_save_course_model_is_what_load_or_train_reads(tmp_path, fake_training):
    """A notebook that trained a course model itself can store it for the later notebooks."""
    model = build_course_model("model_1", seed=7)
    record = {"model_name": "FashionMNISTModelV1", "model_loss": 0.7, "model_acc": 75.0,
              "train_time": 3.0, "device": "cpu", "epochs": 3}
    save_course_model("model_1", model, record, models_dir=tmp_path)
    loaded, loaded_record = load_or_train_course_model("model_1", models_dir=tmp_path)
    assert fake_training == []
    assert loaded_record == record and same_weights(model, loaded)
