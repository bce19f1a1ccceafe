"""The training doctor (cv_toolbox/training_doctor.py, called by helper_functions.train):
each test makes a real mistake on real FashionMNIST images and reads the diagnosis
that train() prints; healthy runs of the course's models print nothing more."""
from __future__ import annotations

import nbformat
import pytest
import torch
from torch import nn
from torch.utils.data import Subset, TensorDataset
from torchvision import datasets

import helper_functions as hf
from support import COURSE_ROOT
from cv_toolbox.training_doctor import diagnose_epoch


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def images():
    """2,000 training and 1,000 validation images, cut from FashionMNIST's test file."""
    tensors = hf.dataset_to_tensors(datasets.FashionMNIST(hf.prepare_fashion_mnist(), train=False))
    X, y = tensors.tensors
    return TensorDataset(X[:2000], y[:2000]), TensorDataset(X[2000:3000], y[2000:3000])


def train_and_read(capsys, model, optimizer, train_set, val_set, epochs=2, batch_size=32):
    """Train quietly; return what train() printed."""
    train_loader = hf.make_batch_loader(train_set, batch_size, shuffle=True, seed=0)
    val_loader = hf.make_batch_loader(val_set, 256)
    capsys.readouterr()
    hf.train(model, train_loader, val_loader, nn.CrossEntropyLoss(), optimizer, epochs=epochs, progress=False)
    return capsys.readouterr().out


def model_0():
    hf.set_seeds(0)
    return hf.FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)


def test_a_learning_rate_too_high_is_named_divergence(capsys, images):
    model = model_0()
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=10), *images)
    assert "training diverged" in out and "learning rate too high" in out and "10 times smaller" in out
    assert "collapsed onto one class" in out


def test_an_optimizer_over_another_models_parameters_is_not_learning(capsys, images):
    model, other = model_0(), model_0()
    out = train_and_read(capsys, model, torch.optim.SGD(other.parameters(), lr=0.1), *images)
    assert "no parameter of the model changed" in out and "another model's parameters" in out
    assert out.count("\n") == 1, f"one line for one problem, named once: {out!r}"


def test_a_learning_rate_of_zero_is_not_learning(capsys, images):
    model = model_0()
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=0.0), *images)
    assert "the model is not learning" in out and "learning rate of 0" in out


def test_softmax_before_cross_entropy_is_named(capsys, images):
    model = nn.Sequential(model_0(), nn.Softmax(dim=1))
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=0.1), *images)
    assert "returns probabilities" in out and "remove the softmax" in out


def test_labels_of_one_class_collapse_the_predictions(capsys, images):
    train_set, val_set = images
    X, y = train_set.tensors
    only_t_shirts = TensorDataset(X[y == 0], y[y == 0])
    model = model_0()
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=0.1), only_t_shirts, val_set)
    assert "100% of validation predictions are class 0" in out and "check the labels" in out


def test_a_relu_after_the_last_layer_that_switched_a_unit_off_is_named(capsys, images):
    hf.set_seeds(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.ReLU())
    with torch.no_grad():
        model[1].bias[3] = -100.0  # what one large step can do to a unit behind a final ReLU
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=0.1), *images)
    named = out.split("the output for ", 1)[-1].split(" stays stuck")[0]
    assert "class 3" in named.split(" and ") and "ReLU after the last layer" in out, out


def test_validation_images_that_are_training_images_are_named(capsys, images):
    tensors, _ = images
    train_part, val_part = Subset(tensors, range(0, 600)), Subset(tensors, range(500, 800))
    model = model_0()
    train_loader = torch.utils.data.DataLoader(train_part, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    val_loader = torch.utils.data.DataLoader(val_part, batch_size=100)
    capsys.readouterr()
    hf.train(model, train_loader, val_loader, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), epochs=1, progress=False)
    out = capsys.readouterr().out
    assert "100 validation images are also training images" in out


def test_memorised_images_used_for_validation_are_too_good_to_be_true(capsys, images):
    train_set, _ = images
    X, y = train_set.tensors
    hundred = TensorDataset(X[:100], y[:100])
    copy_of_them = TensorDataset(X[:100].clone(), y[:100].clone())  # leaked: same images, another object
    model = model_0()
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=0.1), hundred, copy_of_them, epochs=30, batch_size=10)
    assert "too good to be true" in out and "datasets.MNIST" in out


@pytest.mark.parametrize("model_class, input_shape", [(hf.FashionMNISTModelV0, 784), (hf.FashionMNISTModelV2, 1)])
def test_healthy_models_train_without_a_diagnosis(capsys, images, model_class, input_shape):
    """The course's recipe (SGD, lr 0.1, batches of 32), two epochs on 2,000 images. (Model 1
    keeps its final ReLU, so on so few images it may lose a class: the next tests.)"""
    hf.set_seeds(42)
    model = model_class(input_shape=input_shape, hidden_units=10, output_shape=10)
    out = train_and_read(capsys, model, torch.optim.SGD(model.parameters(), lr=0.1), *images)
    assert out == "", f"a healthy run printed: {out}"


def test_a_healthy_epoch_gets_no_advice():
    results = {"train_loss": [0.6], "train_acc": [78.0], "val_loss": [0.5], "val_acc": [82.0]}
    logits = torch.eye(10).repeat(10, 1) * 3  # every class predicted, outputs vary
    assert diagnose_epoch(hf.FashionMNISTModelV0(784, 10, 10), results, [logits]) == []


def stored_outputs(notebook: str, first_line: str) -> str:
    """The text a code cell of a stored notebook printed, found by its first line."""
    cells = [c for c in nbformat.read(COURSE_ROOT / "notebooks" / notebook, as_version=4).cells
             if c.cell_type == "code" and first_line in c.source]
    assert len(cells) == 1, f"{notebook}: no single code cell holds {first_line!r}"
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")


@pytest.mark.parametrize("notebook, first_line", [
    ("03_training_functions_and_gpu.ipynb", "model_0_history = train("),
    ("04_model_1_non_linearity.ipynb", "model_1_history = train("),
    ("05_model_2_tinyvgg.ipynb", "model_2_history = train("),
])
def test_the_course_models_trained_the_course_way_get_no_diagnosis(notebook, first_line):
    """Each course model's training run, as the lessons store it (re-executed by nbval)."""
    out = stored_outputs(notebook, first_line)
    assert "Epoch 3/3" in out and "Training doctor" not in out, out


def test_notebook_04s_collapsed_runs_show_the_diagnosis():
    """Notebook 04 trains Model 1 with its final ReLU on other batch orders on purpose:
    the runs that never predict some classes get the doctor's line about the final ReLU."""
    out = stored_outputs("04_model_1_non_linearity.ipynb", "variants = {}")
    assert "never predicts" in out and "ReLU after the last layer" in out, out
