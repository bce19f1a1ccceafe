"""helper_functions.py: metrics, timing, seeds, plots and the course folders."""
from __future__ import annotations

import random
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import helper_functions as hf  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# accuracy_fn ------------------------------------------------------------------

def test_accuracy_fn_counts_matches_as_a_percentage():
    y_true = torch.tensor([0, 1, 2, 3])
    assert hf.accuracy_fn(y_true, torch.tensor([0, 1, 2, 3])) == 100.0
    assert hf.accuracy_fn(y_true, torch.tensor([0, 1, 0, 0])) == 50.0
    assert hf.accuracy_fn(y_true, torch.tensor([3, 3, 3, 0])) == 0.0


def test_accuracy_fn_rejects_logits_with_a_hint():
    logits = torch.randn(4, 10)
    with pytest.raises(ValueError, match=r"argmax\(dim=1\)"):
        hf.accuracy_fn(torch.tensor([0, 1, 2, 3]), logits)


def test_accuracy_fn_rejects_float_probabilities():
    with pytest.raises(ValueError, match="integer class labels"):
        hf.accuracy_fn(torch.tensor([0, 1]), torch.tensor([0.9, 0.2]))


def test_accuracy_fn_rejects_different_lengths():
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        hf.accuracy_fn(torch.tensor([0, 1, 2]), torch.tensor([0, 1]))


def test_accuracy_fn_rejects_non_tensors_and_empty():
    with pytest.raises(ValueError, match="torch.Tensor"):
        hf.accuracy_fn([0, 1], torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="empty"):
        hf.accuracy_fn(torch.tensor([], dtype=torch.long), torch.tensor([], dtype=torch.long))


# timing and seeds ------------------------------------------------------------

def test_print_train_time_prints_and_returns_seconds(capsys):
    assert hf.print_train_time(1.0, 3.5, device="cpu") == pytest.approx(2.5)
    assert capsys.readouterr().out == "Train time on cpu: 2.500 seconds\n"


def test_set_seeds_makes_every_generator_repeat():
    hf.set_seeds(42)
    first = (random.random(), np.random.rand(), torch.rand(3))
    hf.set_seeds(42)
    second = (random.random(), np.random.rand(), torch.rand(3))
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2])
    hf.set_seeds(7)
    assert not torch.equal(torch.rand(3), first[2])


# plots -------------------------------------------------------------------------

def test_plot_loss_curves_draws_both_panels():
    results = {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "train_acc": [50, 70], "val_acc": [45, 65]}
    fig = hf.plot_loss_curves(results)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    # All four curves, train before validation in each panel, over epochs 1 and 2.
    assert [list(line.get_ydata()) for line in loss_ax.lines] == [[1.0, 0.5], [1.1, 0.6]]
    assert [list(line.get_ydata()) for line in acc_ax.lines] == [[50, 70], [45, 65]]
    assert [list(line.get_xdata()) for line in loss_ax.lines + acc_ax.lines] == [[1, 2]] * 4
    for ax in (loss_ax, acc_ax):  # a legend tells the two curves apart
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert len(set(labels)) == 2 and labels[0].startswith("train") and labels[1].startswith("validation"), labels


def test_plot_loss_curves_names_missing_metrics():
    with pytest.raises(ValueError, match="val_acc"):
        hf.plot_loss_curves({"train_loss": [1], "val_loss": [1], "train_acc": [1]})


def test_plot_loss_curves_names_the_list_of_another_length():
    """Histories of different lengths (a val_loss from another run) stop before matplotlib does."""
    results = {"train_loss": [1.0, 0.9, 0.8], "train_acc": [50, 60, 70], "val_loss": [1.0, 0.9], "val_acc": [50, 60, 70]}
    open_figures = plt.get_fignums()
    with pytest.raises(ValueError, match=r"differ in length \(train_loss: 3, train_acc: 3, val_loss: 2, val_acc: 3\)"):
        hf.plot_loss_curves(results)
    assert plt.get_fignums() == open_figures, "no half-drawn figure is left open"


def test_paths_starting_with_a_tilde_mean_the_home_folder(tmp_path, monkeypatch):
    """As torchvision reads root="~/data": no folder literally named "~" appears anywhere."""
    home, elsewhere = tmp_path / "home", tmp_path / "work"
    home.mkdir(), elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    fetched = []
    monkeypatch.setattr(hf, "fetch_fashion_mnist", lambda raw_dir, debian_dir, mirrors: fetched.append(raw_dir))
    assert hf.prepare_fashion_mnist("~/data") == home / "data"
    assert fetched == [home / "data" / "FashionMNIST" / "raw"]

    model = nn.Linear(2, 1)
    assert hf.save_model(model, "~/models/linear.pth") == home / "models" / "linear.pth"
    loaded = hf.load_model(nn.Linear(2, 1), "~/models/linear.pth")
    assert torch.equal(loaded.weight, model.weight)

    (home / "datasets" / "pizza").mkdir(parents=True)
    (home / "datasets" / "pizza" / "image.jpg").write_bytes(b"already here")
    assert hf.download_data("https://example.invalid/pizza.zip", "pizza", data_dir="~/datasets") == home / "datasets" / "pizza"
    assert hf.find_course_root("~") == home
    assert not list(elsewhere.iterdir()) and not (tmp_path / "~").exists()


def test_find_course_root_from_notebooks_and_elsewhere(course_root, tmp_path):
    assert hf.find_course_root(course_root / "notebooks") == course_root
    assert hf.course_data_dir(course_root / "notebooks") == course_root / "data"
    assert hf.find_course_root(tmp_path) == tmp_path  # e.g. /content in Colab


# the validation split ---------------------------------------------------------

def test_split_train_validation_is_seeded_disjoint_and_complete():
    data = list(range(100))
    train_part, val_part = hf.split_train_validation(data, val_size=20)
    assert (len(train_part), len(val_part)) == (80, 20)
    assert sorted(train_part.indices + val_part.indices) == data
    torch.manual_seed(123)  # the global generator does not move the split
    again = hf.split_train_validation(data, val_size=20)
    assert again[1].indices == val_part.indices
    assert hf.split_train_validation(data, val_size=20, seed=0)[1].indices != val_part.indices


@pytest.mark.parametrize("val_size, error, words", [
    (0, ValueError, "0 < val_size < 10"), (10, ValueError, "0 < val_size < 10"), (-3, ValueError, "0 < val_size"),
    (0.2, TypeError, "round(f * len(dataset))"), (2.0, TypeError, "whole number"), (True, TypeError, "whole number"),
    ("2", TypeError, "whole number"), (None, TypeError, "whole number"),
])
def test_split_train_validation_rejects_a_bad_val_size(val_size, error, words):
    with pytest.raises(error, match=re.escape(words)):
        hf.split_train_validation(list(range(10)), val_size=val_size)


@pytest.mark.parametrize("size", [0, 1])
def test_split_train_validation_needs_two_samples(size):
    with pytest.raises(ValueError, match="at least 2 samples"):
        hf.split_train_validation(list(range(size)), val_size=1)
