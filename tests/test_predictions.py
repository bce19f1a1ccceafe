"""make_predictions (notebook 06): prediction probabilities, one row per image.

Its errors for the wrong input (empty data, one image not in a list, uint8 pixels) are
among the student's mistakes, in tests/test_student_mistakes.py."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from cv_course.recipe import build_course_model
from helper_functions import make_predictions


@pytest.fixture(scope="module")
def model() -> nn.Module:
    return build_course_model("model_2", seed=0)


@pytest.fixture(scope="module")
def images() -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return [torch.rand(1, 28, 28, generator=generator) for _ in range(6)]


def test_one_row_of_probabilities_per_image(model, images):
    probs = make_predictions(model, images)
    assert probs.shape == (6, 10)
    assert probs.dtype == torch.float32 and probs.device.type == "cpu"
    assert (probs >= 0).all() and (probs <= 1).all()
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(6))


def test_softmax_is_over_the_class_dimension(model, images):
    model.eval()
    with torch.inference_mode():
        logits = model(torch.stack(images))
    torch.testing.assert_close(make_predictions(model, images), torch.softmax(logits, dim=1))
    assert torch.equal(make_predictions(model, images).argmax(dim=1), logits.argmax(dim=1))


def test_an_image_gets_the_same_probabilities_alone_or_in_a_batch(model, images):
    """The wrong-dimension bug (softmax over dim=0) makes each row depend on the
    other images in the batch; the right one does not."""
    together = make_predictions(model, images)
    for i, image in enumerate(images):
        torch.testing.assert_close(make_predictions(model, [image])[0], together[i])


def test_takes_a_list_or_a_batch(model, images):
    """A list of [C, H, W] images and the same images as one [N, C, H, W] tensor give the
    very same probabilities (a single [C, H, W] image is refused: tests/test_student_mistakes.py)."""
    batch = torch.stack(images)
    from_batch, from_list = make_predictions(model, batch), make_predictions(model, images)
    assert from_batch.shape == (6, 10) and torch.equal(from_batch, from_list)
    assert torch.allclose(from_batch.sum(dim=1), torch.ones(6))


def test_puts_the_model_in_eval_mode_and_tracks_no_gradients(model, images):
    model.train()
    probs = make_predictions(model, images)
    assert not model.training
    assert not probs.requires_grad


def test_works_for_the_linear_models(images):
    for name in ("model_0", "model_1"):
        assert make_predictions(build_course_model(name), images).shape == (6, 10)


#: "cuda" or "mps" where PyTorch finds a GPU. The profile hides GPUs from the test run, so
#: tests/test_gpu_notebooks.py runs this file again with them visible.
ACCELERATOR = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else None


@pytest.mark.skipif(ACCELERATOR is None, reason="needs a GPU (CUDA or MPS): tests/test_gpu_notebooks.py runs it on one")
def test_returns_cpu_tensors_for_a_gpu_model(images):
    gpu_model = build_course_model("model_2").to(ACCELERATOR)
    probs = make_predictions(gpu_model, images, device=ACCELERATOR)
    assert probs.device.type == "cpu" and probs.shape == (6, 10)
    torch.testing.assert_close(probs, make_predictions(build_course_model("model_2"), images), atol=1e-4, rtol=1e-4)
