"""The mistakes students make most with the toolbox get an error that names them.

Each case failed before the toolbox checked for it: a model moved to a GPU and
trained without ``device=`` (the data stayed on the CPU), one image passed where a
list of images was expected, an empty DataLoader (a ZeroDivisionError), and
print_train_time's arguments swapped (a negative time).
"""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import helper_functions as hf


class MovedTo:
    """A stand-in tensor that records the device it is sent to, then becomes ``tensor``."""

    def __init__(self, tensor: torch.Tensor, log: list):
        self.tensor, self.log = tensor, log

    def to(self, device):
        self.log.append(device)
        return self.tensor


def recording_loader(log: list, n: int = 8):
    torch.manual_seed(0)
    X, y = torch.rand(n, 1, 28, 28), torch.randint(0, 10, (n,))
    return [(MovedTo(X, log), MovedTo(y, log))]


#: The toolbox's functions that run a model over a DataLoader, called with defaults.
LOOP_FUNCTIONS = [
    pytest.param(lambda m, dl: hf.train_step(m, dl, nn.CrossEntropyLoss(), torch.optim.SGD(m.parameters(), lr=0.1)), id="train_step"),
    pytest.param(lambda m, dl: hf.test_step(m, dl, nn.CrossEntropyLoss()), id="test_step"),
    pytest.param(lambda m, dl: hf.eval_model(m, dl, nn.CrossEntropyLoss()), id="eval_model"),
    pytest.param(lambda m, dl: hf.train(m, dl, dl, nn.CrossEntropyLoss(), torch.optim.SGD(m.parameters(), lr=0.1),
                                        epochs=1, progress=False), id="train"),
]


def small_model() -> nn.Module:
    torch.manual_seed(0)
    return hf.FashionMNISTModelV0(input_shape=784, hidden_units=4, output_shape=10)


@pytest.mark.parametrize("call", LOOP_FUNCTIONS)
def test_the_data_goes_where_the_model_is_by_default(call):
    model, log = small_model(), []
    call(model, recording_loader(log))
    model_device = next(model.parameters()).device
    assert log and all(isinstance(d, torch.device) and d == model_device for d in log), (
        f"without device=, batches must go to the model's device {model_device}, went to {log}"
    )


@pytest.mark.skipif(not torch.accelerator.is_available(), reason="needs a GPU (CUDA or MPS): tests/test_gpu_notebooks.py runs it on one")
def test_a_model_on_the_gpu_trains_without_naming_the_device():
    accelerator = torch.accelerator.current_accelerator()
    model = small_model().to(accelerator)
    data = DataLoader(TensorDataset(torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,))), batch_size=8)
    loss, acc = hf.train_step(model, data, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert loss > 0 and 0 <= acc <= 100
    assert hf.make_predictions(model, [torch.rand(1, 28, 28)]).shape == (1, 10)


@pytest.mark.parametrize("call", LOOP_FUNCTIONS)
def test_an_empty_data_loader_is_named(call):
    empty = DataLoader(TensorDataset(torch.empty(0, 1, 28, 28), torch.empty(0, dtype=torch.long)), batch_size=8)
    with pytest.raises(ValueError, match="data_loader gave no batches: its dataset is empty"):
        call(small_model(), empty)


@pytest.mark.parametrize("data, message", [
    pytest.param(torch.rand(3, 28, 28), r"shape \[C, H, W\]", id="one-rgb-image-not-in-a-list"),
    pytest.param(torch.rand(1, 28, 28), r"for a single image, pass \[image\]", id="one-gray-image-not-in-a-list"),
    pytest.param([torch.rand(28, 28)], r"shape \[C, H, W\]", id="images-without-a-channel"),
    pytest.param([torch.randint(0, 256, (1, 28, 28), dtype=torch.uint8)], r"floats in 0-1.*torch.uint8", id="uint8-pixels"),
    pytest.param([], "data is empty", id="empty"),
])
def test_make_predictions_names_the_shape_it_expected(data, message):
    """What it takes instead (a list of images or one batch): tests/test_predictions.py."""
    torch.manual_seed(0)
    tiny_vgg = hf.FashionMNISTModelV2(input_shape=1, hidden_units=4, output_shape=10)
    with pytest.raises(ValueError, match=message):
        hf.make_predictions(tiny_vgg, data)


def test_print_train_time_refuses_swapped_arguments(capsys):
    with pytest.raises(ValueError, match=r"end \(5.000\) is before start \(10.000\): call print_train_time\(start, end\)"):
        hf.print_train_time(10.0, 5.0)
    assert capsys.readouterr().out == "", "nothing printed: no negative time"
    assert hf.print_train_time(5.0, 10.0, device="cpu") == 5.0
