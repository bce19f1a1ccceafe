"""helper_functions.py: metrics, timing, seeds, plots and folders."""
from __future__ import annotations

import random

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
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
    results = {"train_loss": [1.0, 0.5], "test_loss": [1.1, 0.6], "train_acc": [50, 70], "test_acc": [45, 65]}
    fig = hf.plot_loss_curves(results)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert list(loss_ax.lines[0].get_ydata()) == [1.0, 0.5]
    assert list(acc_ax.lines[1].get_ydata()) == [45, 65]


def test_plot_loss_curves_names_missing_metrics():
    with pytest.raises(ValueError, match="test_acc"):
        hf.plot_loss_curves({"train_loss": [1], "test_loss": [1], "train_acc": [1]})


def test_plot_predictions_plots_each_series():
    x = torch.arange(10, dtype=torch.float32)
    ax = hf.plot_predictions(x[:8], x[:8] * 2, x[8:], x[8:] * 2, predictions=x[8:] * 2.1)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Training data", "Testing data", "Predictions"]
    with pytest.raises(ValueError, match="predictions has 1 values"):
        hf.plot_predictions(x[:8], x[:8], x[8:], x[8:], predictions=x[:1])


def test_plot_decision_boundary_separates_two_classes():
    # A fixed model: class 1 exactly where x > 0.
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[-1.0, 0.0], [1.0, 0.0]]))
        model.bias.zero_()
    X = torch.tensor([[-1.0, 0.0], [1.0, 0.5], [-0.5, 1.0], [0.5, -1.0]])
    y = torch.tensor([0, 1, 0, 1])
    ax = hf.plot_decision_boundary(model, X, y)
    assert len(ax.collections) >= 2  # the filled regions and the points
    with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
        hf.plot_decision_boundary(model, torch.zeros(3, 3), y[:3])


def test_pred_and_plot_image_predicts_the_only_possible_class(tmp_path):
    image_path = tmp_path / "square.png"
    Image.fromarray(np.full((28, 28), 200, dtype=np.uint8)).save(image_path)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 3))
    with torch.no_grad():
        model[1].weight.zero_()
        model[1].bias.copy_(torch.tensor([0.0, 5.0, 0.0]))  # always class 1
    name, prob = hf.pred_and_plot_image(model, image_path, ["a", "b", "c"])
    assert name == "b"
    assert prob == pytest.approx(torch.softmax(torch.tensor([0.0, 5.0, 0.0]), 0)[1].item())
    assert plt.gca().get_title() == f"Pred: b | Prob: {prob:.3f}"
    with pytest.raises(FileNotFoundError, match="missing.png"):
        hf.pred_and_plot_image(model, tmp_path / "missing.png", ["a", "b", "c"])


# folders -------------------------------------------------------------------------

def test_walk_through_dir_counts_folders_and_images(tmp_path, capsys):
    for cls, n in (("pizza", 2), ("steak", 1)):
        (tmp_path / "train" / cls).mkdir(parents=True)
        for i in range(n):
            (tmp_path / "train" / cls / f"{i}.jpg").write_bytes(b"x")
    (tmp_path / "train" / "notes.txt").write_text("not an image")
    rows = hf.walk_through_dir(tmp_path)
    counts = {p.relative_to(tmp_path).as_posix(): (d, n) for p, d, n in rows}
    assert counts == {".": (1, 0), "train": (2, 0), "train/pizza": (0, 2), "train/steak": (0, 1)}
    assert "There are 0 directories and 2 images in" in capsys.readouterr().out
    with pytest.raises(NotADirectoryError):
        hf.walk_through_dir(tmp_path / "nope")


def test_find_course_root_from_notebooks_and_elsewhere(course_root, tmp_path):
    assert hf.find_course_root(course_root / "notebooks") == course_root
    assert hf.course_data_dir(course_root / "notebooks") == course_root / "data"
    assert hf.find_course_root(tmp_path) == tmp_path  # e.g. /content in Colab
