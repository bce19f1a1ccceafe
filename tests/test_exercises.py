"""The exercise notebooks, 10 (exercises) and 11 (solutions), and their self-checks.

- Every exercise has an answer cell in both notebooks (a fill-in cell in 10, a
  solution in 11), and every coding exercise a check cell after each answer cell;
  written exercises have a markdown answer instead.
- Notebook 10 is generated from notebook 11 (scripts/make_exercises.py), and the
  stored outputs show the checks failing gracefully in 10 (not done yet) and
  passing in 11.
- Each check function returns True for a right answer and, for a wrong one,
  returns False and says what is wrong; every wrong-answer branch of
  cv_course/exercise_checks.py has a case (measured with coverage's branch mode).
"""
from __future__ import annotations

import functools
import inspect
import json
import re
import sys
from pathlib import Path
from timeit import default_timer as timer

import jupytext
import nbformat
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

import helper_functions as hf
from cv_course import exercise_checks as checks
from support import COURSE_ROOT

import make_exercises  # noqa: E402

NOTEBOOKS_DIR = COURSE_ROOT / "notebooks"
EXERCISES = NOTEBOOKS_DIR / "10_exercises.py"
SOLUTIONS = NOTEBOOKS_DIR / "11_exercise_solutions.py"
HEADING = re.compile(r"^## Exercise (\d+): (.+)$", re.MULTILINE)

# ---------------------------------------------------------------------------
# The notebooks' structure
# ---------------------------------------------------------------------------


def read_cells(path: Path) -> list:
    return jupytext.read(path).cells


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def exercise_id(cell) -> str | None:
    ids = [tag for tag in tags(cell) if re.fullmatch(r"ex-\d+", tag)]
    return ids[0] if ids else None


def headings(cells) -> list[tuple[int, str]]:
    return [
        (int(number), title)
        for cell in cells
        if cell.cell_type == "markdown"
        for number, title in HEADING.findall(cell.source)
    ]


EXERCISE_CELLS = read_cells(EXERCISES)
SOLUTION_CELLS = read_cells(SOLUTIONS)
EXERCISE_IDS = [f"ex-{number}" for number, _ in headings(EXERCISE_CELLS)]
NOTEBOOK_ROLES = [
    pytest.param(EXERCISE_CELLS, "exercise", id="10_exercises"),
    pytest.param(SOLUTION_CELLS, "solution", id="11_exercise_solutions"),
]


def test_exercises_are_numbered_alike_in_both_notebooks():
    numbers = [number for number, _ in headings(EXERCISE_CELLS)]
    assert numbers == list(range(1, len(numbers) + 1)), f"exercise numbers in 10: {numbers}"
    assert len(numbers) >= 15, "the chapter's exercises are missing"
    assert headings(EXERCISE_CELLS) == headings(SOLUTION_CELLS), "10 and 11 list different exercises"


def test_tagged_cells_belong_to_a_listed_exercise():
    for cells in (EXERCISE_CELLS, SOLUTION_CELLS):
        used = {exercise_id(cell) for cell in cells} - {None}
        assert used <= set(EXERCISE_IDS), f"cells tagged for exercises that have no heading: {used - set(EXERCISE_IDS)}"


@pytest.mark.parametrize("cells, role", NOTEBOOK_ROLES)
@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_every_exercise_has_an_answer_and_a_check(cells, role, ex_id):
    """A fill-in cell (10) or solution cell (11) for every exercise. Each code
    answer is followed by a check cell of the same exercise before the next
    answer; an exercise without code answers is a written one."""
    own = [cell for cell in cells if exercise_id(cell) == ex_id]
    answers = [cell for cell in own if role in tags(cell)]
    assert answers, f"{ex_id} has no {role} cell (tag it {role!r} and {ex_id!r})"
    code_answers = [cell for cell in answers if cell.cell_type == "code"]
    if not code_answers:  # a written exercise
        assert not any("check" in tags(cell) for cell in own), f"{ex_id} is written but has a check cell"
        if role == "solution":
            assert all(len(cell.source) > 300 for cell in answers), f"{ex_id}'s written solution is too short"
        return
    waiting_for_check = False
    for cell in own:
        if role in tags(cell) and cell.cell_type == "code":
            assert not waiting_for_check, f"{ex_id}: a {role} cell has no check cell after it"
            waiting_for_check = True
        elif "check" in tags(cell):
            waiting_for_check = False
    assert not waiting_for_check, f"{ex_id}: its last {role} cell has no check cell after it"


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_exercise_and_solution_cells_correspond(ex_id):
    """The same kinds of answer cell (code or markdown), in the same order."""
    kinds = [
        [cell.cell_type for cell in cells if exercise_id(cell) == ex_id and role in tags(cell)]
        for cells, role in ((EXERCISE_CELLS, "exercise"), (SOLUTION_CELLS, "solution"))
    ]
    assert kinds[0] == kinds[1], f"{ex_id}: answer cells in 10 {kinds[0]} vs 11 {kinds[1]}"


def test_fill_in_cells_are_marked_and_run_by_nbval():
    """A fill-in cell is valid Python that nbval runs like any other: its
    untouched template must run without errors and print nothing."""
    stored = {cell.source: cell for cell in nbformat.read(EXERCISES.with_suffix(".ipynb"), as_version=4).cells}
    fill_ins = [cell for cell in EXERCISE_CELLS if "exercise" in tags(cell) and cell.cell_type == "code"]
    assert fill_ins
    for cell in fill_ins:
        assert "TODO" in cell.source, f"{exercise_id(cell)}: a fill-in cell without a TODO marker"
        compile(cell.source, exercise_id(cell), "exec")  # valid Python, so the whole notebook runs
        executed = stored[cell.source]
        assert executed.execution_count, f"{exercise_id(cell)}: a fill-in cell stored unexecuted"
        assert executed.outputs == [], f"{exercise_id(cell)}: an untouched template should print nothing"


def test_the_exercises_notebook_is_generated_from_the_solutions():
    assert EXERCISES.read_text() == make_exercises.exercises_text(), (
        "notebooks/10_exercises.py differs from what scripts/make_exercises.py writes from notebook 11: "
        "edit notebook 11, run the script, then re-execute notebook 10"
    )


def test_each_solution_follows_the_cell_it_fills_in():
    """In notebook 11 a solution comes right after the fill-in cell of notebook 10 it completes."""
    for before, cell in zip(SOLUTION_CELLS, SOLUTION_CELLS[1:]):
        if "solution" in tags(cell) and exercise_id(cell):
            assert "exercise" in tags(before) and exercise_id(before) == exercise_id(cell), (
                f"{exercise_id(cell)}: its solution does not follow its fill-in cell"
            )


def test_check_cells_call_check_functions_that_exist():
    check_cells = [cell for cell in EXERCISE_CELLS if "check" in tags(cell)]
    assert check_cells
    for cell in check_cells:
        names = re.findall(r"\b(check_\w+)\(", cell.source)
        assert names, f"{exercise_id(cell)}: its check cell calls no check_ function"
        for name in names:
            assert callable(getattr(checks, name, None)), f"cv_course.exercise_checks has no {name}"


def stored_check_outputs(ipynb: Path) -> list[tuple[str, str]]:
    """(exercise id, printed text) of each check cell in an executed notebook."""
    cells = json.loads(ipynb.read_text())["cells"]
    outputs = []
    for cell in cells:
        if "check" in cell["metadata"].get("tags", []):
            text = "".join("".join(o.get("text", "")) for o in cell["outputs"] if o["output_type"] == "stream")
            outputs.append((exercise_id_from_tags(cell["metadata"]["tags"]), text))
    return outputs


def exercise_id_from_tags(cell_tags: list[str]) -> str | None:
    ids = [tag for tag in cell_tags if re.fullmatch(r"ex-\d+", tag)]
    return ids[0] if ids else None


def test_stored_checks_say_not_done_in_the_exercises():
    outputs = stored_check_outputs(EXERCISES.with_suffix(".ipynb"))
    assert outputs
    for ex_id, text in outputs:
        lines = text.strip().splitlines()
        assert lines and all(line.startswith("⏳ Not done yet") for line in lines), f"{ex_id}: {text!r}"


def test_stored_checks_pass_in_the_solutions():
    outputs = stored_check_outputs(SOLUTIONS.with_suffix(".ipynb"))
    assert outputs
    for ex_id, text in outputs:
        lines = text.strip().splitlines()
        assert lines and all(line.startswith("✅") for line in lines), f"{ex_id}: {text!r}"


# ---------------------------------------------------------------------------
# The check functions: right answers pass, wrong ones fail and say why
# ---------------------------------------------------------------------------


class LookupModel(nn.Module):
    """A 'trained' classifier for tests: returns a one-hot logit for the label
    stored with the nearest known image."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, n_classes: int = 10):
        super().__init__()
        self.register_buffer("known", images.flatten(1).float())
        self.register_buffer("labels", labels)
        self.n_classes = n_classes
        self.dummy = nn.Parameter(torch.zeros(()))  # the checks look up the model's device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nearest = torch.cdist(x.flatten(1).float(), self.known).argmin(dim=1)
        return nn.functional.one_hot(self.labels[nearest], self.n_classes).float() + self.dummy


class ConstantModel(nn.Module):
    """Predicts class 0 for everything: an untrained model's accuracy."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = torch.zeros(len(x), 10)
        logits[:, 0] = 1
        return logits + self.dummy


def make_images(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=generator), torch.arange(n) % 10


# The small "dataset" and "test set" the checks are tried on.
DATASET_IMAGES, DATASET_LABELS = make_images(100)
DATASET = [(image, int(label)) for image, label in zip(DATASET_IMAGES, DATASET_LABELS)]
RANDOM_IDXS = torch.randperm(100, generator=torch.Generator().manual_seed(1))[:16]
TEST_IMAGES, TEST_LABELS = make_images(200, seed=2)
NOISY_LABELS = TEST_LABELS.clone()
NOISY_LABELS[::7] = (NOISY_LABELS[::7] + 3) % 10  # the model gets every 7th image wrong
ORACLE = LookupModel(TEST_IMAGES, TEST_LABELS)
PREDS = TEST_LABELS  # what ORACLE predicts for each test image
WRONG = torch.where(PREDS != NOISY_LABELS)[0]
DIGITS_X = np.random.default_rng(0).integers(0, 256, size=(20, 784)).astype(np.float64)
DIGITS_Y = np.arange(20) % 10
DIGIT_IMAGES = torch.from_numpy(DIGITS_X).float().reshape(-1, 1, 28, 28) / 255
#: The device that device-agnostic code picks here: "cuda" or "mps" where PyTorch finds one (in the
#: reference profile's runs the GPUs are hidden; tests/test_gpu_notebooks.py runs this file with them).
DEVICE = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"


def confusion(preds, target, **kwargs):
    from torchmetrics import ConfusionMatrix

    return ConfusionMatrix(task="multiclass", num_classes=10, **kwargs)(preds, target)


def sgd(model, lr=0.1):
    return torch.optim.SGD(model.parameters(), lr=lr)


def loop(zero_grad=True, step=True, use_item=True, summary="per sample", give_back="both"):
    """Exercise 5's training loop with one of the usual mistakes switched on: ``summary``
    says how the batches' values are summed up ("per sample" is right), ``give_back``
    what is returned ("both" is right)."""

    def train_one_epoch(model, data_loader, loss_fn, optimizer, device):
        model.train()
        total_loss, total_acc, n_samples, n_batches = 0.0, 0.0, 0, 0
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            y_logits = model(X)
            loss = loss_fn(y_logits, y)
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            if step:
                optimizer.step()
            weight = len(y) if summary in ("per sample", "weighted sum") else 1
            total_loss += (loss.item() if use_item else loss) * weight
            total_acc += hf.accuracy_fn(y, y_logits.argmax(dim=1)) * weight
            n_samples, n_batches = n_samples + len(y), n_batches + 1
        divisor = {"per sample": n_samples, "mean of batches": n_batches}.get(summary, 1)
        loss, acc = total_loss / divisor, total_acc / divisor
        return {"both": (loss, acc), "loss only": loss, "none": None, "swapped": (acc, loss),
                "fraction": (loss, acc / 100), "list": [loss, acc]}[give_back]

    return train_one_epoch


def shifted_result(train_one_epoch, loss: float = 0.0, acc: float = 0.0):
    """``train_one_epoch`` with its returned loss and accuracy off by ``loss`` and ``acc``."""

    def shifted(*args):
        right_loss, right_acc = train_one_epoch(*args)
        return right_loss + loss, right_acc + acc

    return shifted


def raises_multi_line(*args, **kwargs):
    raise ValueError("first line\nsecond line")


def not_implemented(*args, **kwargs):
    raise NotImplementedError


def baseline():
    torch.manual_seed(0)
    return hf.FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)


BASELINE = baseline()


@functools.lru_cache(maxsize=None)
def curve_data() -> TensorDataset:
    """500 real FashionMNIST test images: the data Exercise 6's check trains on again."""
    from torchvision import datasets

    test_set = datasets.FashionMNIST(hf.prepare_fashion_mnist(), train=False, download=True)
    images, labels = hf.dataset_to_tensors(test_set).tensors
    return TensorDataset(images[:500], labels[:500])


def student_curve(data: TensorDataset, epochs: int) -> list[float]:
    """A right answer to Exercise 6: the setup cell, then one train_step per epoch."""
    hf.set_seeds(42)
    model = hf.FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = hf.make_batch_loader(data, batch_size=32, shuffle=True, seed=42)
    return [hf.train_step(model, loader, nn.CrossEntropyLoss(), optimizer)[0] for _ in range(epochs)]


def honest_timer(device) -> float:
    """A right time_one_epoch: it times real work and returns the seconds it took."""
    weights = torch.randn(256, 256)
    start = timer()
    for _ in range(200):
        weights = torch.tanh(weights @ weights)
    return timer() - start
class NonLinearModel(nn.Module):
    """Exercise 16's answer, with one of the usual mistakes switched on (``mistake``)."""

    mistake: str | None = None

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        mistake = self.mistake
        layers = [nn.Flatten(), nn.Linear(input_shape, hidden_units), nn.ReLU(), nn.Linear(hidden_units, output_shape)]
        if mistake == "relu-first":  # the ReLU before the first linear layer bends nothing: pixels are >= 0
            layers = [nn.Flatten(), nn.ReLU(), nn.Linear(input_shape, hidden_units), nn.Linear(hidden_units, output_shape)]
        elif mistake == "final-relu":
            layers.append(nn.ReLU())
        elif mistake == "extra-linear":
            layers.insert(3, nn.Linear(hidden_units, hidden_units))
        elif mistake == "wrong-input":
            layers[1] = nn.Linear(28, hidden_units)
        elif mistake == "wrong-output":
            layers[3] = nn.Linear(hidden_units, output_shape + 1)
        self.layer_stack = nn.Sequential(*layers)
        self.unused = mistake == "relu-unused"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.unused:  # defined the ReLU but forgot to call it
            return self.layer_stack[3](self.layer_stack[1](self.layer_stack[0](x)))
        return self.layer_stack(x)


def non_linear(mistake: str | None = None) -> type:
    return type("NonLinearModel", (NonLinearModel,), {"mistake": mistake})


class TinyVGG(nn.Module):
    """Exercise 17 answered from its description, written out here: the check compares a
    student's class with helper_functions.FashionMNISTModelV2, so passing it that very class
    would test nothing."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.block_1 = self.block(input_shape, hidden_units)
        self.block_2 = self.block(hidden_units, hidden_units)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(hidden_units * 7 * 7, output_shape))

    @staticmethod
    def block(in_channels: int, hidden_units: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(in_channels, hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.block_2(self.block_1(x)))


def tiny_vgg(mistake: str) -> type:
    """TinyVGG with one mistake in its layers."""

    class WrongTinyVGG(TinyVGG):
        def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
            super().__init__(input_shape, hidden_units, output_shape)
            if mistake == "in-features":
                self.classifier[1] = nn.Linear(hidden_units * 14 * 14, output_shape)
            elif mistake == "no-padding":
                self.block_2[0].padding = (0, 0)
            elif mistake == "pool-first":
                self.block_1 = nn.Sequential(self.block_1[4], *self.block_1[:4])
            elif mistake == "three-convs":
                self.block_2 = nn.Sequential(*self.block_2[2:])
            elif mistake == "three-relus":
                self.block_1 = nn.Sequential(*self.block_1[:1], *self.block_1[2:])
            elif mistake == "avg-pool":
                self.block_2[4] = nn.AvgPool2d(kernel_size=2)
            elif mistake == "two-linears":
                self.classifier.append(nn.Linear(output_shape, output_shape))
            elif mistake == "wide-conv":
                self.block_2[0] = nn.Conv2d(hidden_units, hidden_units * 2, kernel_size=3, padding=1)
            elif mistake == "no-flatten":
                self.classifier = nn.Sequential(self.classifier[1])

    return WrongTinyVGG


# Exercise 12, Part C: a "trained" model that reads every digit as the next one.
def shifted_model() -> nn.Module:
    return LookupModel(DIGIT_IMAGES, torch.from_numpy((DIGITS_Y + 1) % 10))


OK, WRONG_ANSWER, TODO = "✅", "❌", "⏳ Not done yet"

# (check function, arguments made lazily, expected result, start of the message, words in it)
CASES = {
    # Exercise 1
    "sizes-right": (checks.check_dataset_sizes, lambda: (60_000, 10_000, torch.Size([1, 28, 28])), True, OK, "60,000"),
    "sizes-todo": (checks.check_dataset_sizes, lambda: (None, None, None), False, TODO, "len()"),
    "sizes-dataset-not-len": (checks.check_dataset_sizes, lambda: (DATASET, 10_000, (1, 28, 28)), False, WRONG_ANSWER, "should be an int"),
    "sizes-swapped": (checks.check_dataset_sizes, lambda: (10_000, 60_000, (1, 28, 28)), False, WRONG_ANSWER, "swapped"),
    "sizes-wrong-count": (checks.check_dataset_sizes, lambda: (50_000, 10_000, (1, 28, 28)), False, WRONG_ANSWER, "expected 60,000"),
    "sizes-no-channel": (checks.check_dataset_sizes, lambda: (60_000, 10_000, (28, 28)), False, WRONG_ANSWER, "channel"),
    # Exercise 2
    "samples-right": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS], DATASET_LABELS[RANDOM_IDXS], DATASET),
        True, OK, "16 distinct",
    ),
    "samples-todo": (checks.check_random_samples, lambda: (None, None, None, DATASET), False, TODO, "randperm"),
    "samples-out-of-range": (
        checks.check_random_samples,
        lambda: (torch.cat([RANDOM_IDXS[:15], torch.tensor([100])]), DATASET_IMAGES[:16], DATASET_LABELS[:16], DATASET),
        False, WRONG_ANSWER, "index 100 is out of range",
    ),
    "samples-repeated": (
        checks.check_random_samples,
        lambda: (torch.cat([RANDOM_IDXS[:15], RANDOM_IDXS[:1]]), DATASET_IMAGES[:16], DATASET_LABELS[:16], DATASET),
        False, WRONG_ANSWER, "more than once",
    ),
    "samples-not-random": (
        checks.check_random_samples,
        lambda: (torch.arange(16), DATASET_IMAGES[:16], DATASET_LABELS[:16], DATASET),
        False, WRONG_ANSWER, "first 16 samples",
    ),
    "samples-squeezed": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS].squeeze(1), DATASET_LABELS[RANDOM_IDXS], DATASET),
        False, WRONG_ANSWER, "channel dimension",
    ),
    "samples-list-of-images": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, list(DATASET_IMAGES[RANDOM_IDXS]), DATASET_LABELS[RANDOM_IDXS], DATASET),
        False, WRONG_ANSWER, "torch.stack",
    ),
    "samples-wrong-order": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS.flip(0)], DATASET_LABELS[RANDOM_IDXS], DATASET),
        False, WRONG_ANSWER, "not the image at index",
    ),
    # Exercise 3
    "baseline-right": (checks.check_baseline_model, lambda: (baseline(),), True, OK, "7,960 parameters"),
    "baseline-todo": (checks.check_baseline_model, lambda: (None,), False, TODO, "nn.Flatten()"),
    "baseline-class-not-instance": (checks.check_baseline_model, lambda: (hf.FashionMNISTModelV0,), False, WRONG_ANSWER, "instance"),
    "baseline-empty": (checks.check_baseline_model, lambda: (nn.Sequential(),), False, WRONG_ANSWER, "no parameters"),
    "baseline-relu": (
        checks.check_baseline_model, lambda: (hf.FashionMNISTModelV1(784, 10, 10),), False, WRONG_ANSWER, "ReLU",
    ),
    "baseline-no-flatten": (
        checks.check_baseline_model, lambda: (nn.Sequential(nn.Linear(784, 10), nn.Linear(10, 10)),),
        False, WRONG_ANSWER, "nn.Flatten()",
    ),
    "baseline-one-linear": (
        checks.check_baseline_model, lambda: (nn.Sequential(nn.Flatten(), nn.Linear(784, 10)),),
        False, WRONG_ANSWER, "1 nn.Linear layers, expected 2",
    ),
    "baseline-wrong-input-shape": (
        checks.check_baseline_model, lambda: (nn.Sequential(nn.Flatten(), nn.Linear(28, 10), nn.Linear(10, 10)),),
        False, WRONG_ANSWER, "failed",
    ),
    "baseline-wrong-output": (
        checks.check_baseline_model, lambda: (nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Linear(10, 5)),),
        False, WRONG_ANSWER, "expected [2, 10]",
    ),
    # Exercise 4
    "optimizer-right": (
        checks.check_loss_and_optimizer, lambda: (nn.CrossEntropyLoss(), sgd(BASELINE), BASELINE), True, OK, "lr=0.1",
    ),
    "optimizer-todo": (checks.check_loss_and_optimizer, lambda: (None, None, BASELINE), False, TODO, "SGD"),
    "optimizer-loss-class": (
        checks.check_loss_and_optimizer, lambda: (nn.CrossEntropyLoss, sgd(BASELINE), BASELINE),
        False, WRONG_ANSWER, "nn.CrossEntropyLoss()",
    ),
    "optimizer-mse": (
        checks.check_loss_and_optimizer, lambda: (nn.MSELoss(), sgd(BASELINE), BASELINE), False, WRONG_ANSWER, "MSELoss",
    ),
    "optimizer-adam": (
        checks.check_loss_and_optimizer, lambda: (nn.CrossEntropyLoss(), torch.optim.Adam(BASELINE.parameters()), BASELINE),
        False, WRONG_ANSWER, "Adam",
    ),
    "optimizer-lr": (
        checks.check_loss_and_optimizer, lambda: (nn.CrossEntropyLoss(), sgd(BASELINE, lr=0.01), BASELINE),
        False, WRONG_ANSWER, "0.01",
    ),
    "optimizer-other-model": (
        checks.check_loss_and_optimizer, lambda: (nn.CrossEntropyLoss(), sgd(baseline()), BASELINE),
        False, WRONG_ANSWER, "parameters",
    ),
    # Exercise 5
    "loop-right": (checks.check_training_loop, lambda: (loop(), DEVICE), True, OK, "per sample"),
    "loop-list-right": (checks.check_training_loop, lambda: (loop(give_back="list"), DEVICE), True, OK, "per sample"),
    "loop-todo": (checks.check_training_loop, lambda: (None, DEVICE), False, TODO, "train_one_epoch"),
    "loop-template": (checks.check_training_loop, lambda: (not_implemented, DEVICE), False, TODO, "(loss, accuracy)"),
    "loop-not-a-function": (checks.check_training_loop, lambda: (2.3, DEVICE), False, WRONG_ANSWER, "should be a function"),
    "loop-no-step": (checks.check_training_loop, lambda: (loop(step=False), DEVICE), False, WRONG_ANSWER, "optimizer.step()"),
    "loop-no-zero-grad": (checks.check_training_loop, lambda: (loop(zero_grad=False), DEVICE), False, WRONG_ANSWER, "zero_grad"),
    "loop-tensor": (checks.check_training_loop, lambda: (loop(use_item=False), DEVICE), False, WRONG_ANSWER, "loss.item()"),
    "loop-mean-of-batches": (
        checks.check_training_loop, lambda: (loop(summary="mean of batches"), DEVICE), False, WRONG_ANSWER,
        "weight each batch by its size",
    ),
    "loop-sum-of-batches": (
        checks.check_training_loop, lambda: (loop(summary="sum of batches"), DEVICE), False, WRONG_ANSWER, "sum of the per-batch",
    ),
    "loop-weighted-sum": (
        checks.check_training_loop, lambda: (loop(summary="weighted sum"), DEVICE), False, WRONG_ANSWER, "sum over the samples",
    ),
    "loop-fraction": (checks.check_training_loop, lambda: (loop(give_back="fraction"), DEVICE), False, WRONG_ANSWER, "percent"),
    "loop-swapped": (checks.check_training_loop, lambda: (loop(give_back="swapped"), DEVICE), False, WRONG_ANSWER, "loss first"),
    "loop-loss-only": (
        checks.check_training_loop, lambda: (loop(give_back="loss only"), DEVICE), False, WRONG_ANSWER, "(loss, accuracy)",
    ),
    "loop-no-return": (checks.check_training_loop, lambda: (loop(give_back="none"), DEVICE), False, WRONG_ANSWER, "None"),
    "loop-other-loss": (
        checks.check_training_loop, lambda: (shifted_result(loop(), loss=0.5), DEVICE), False, WRONG_ANSWER, "mean loss per sample",
    ),
    "loop-other-accuracy": (
        checks.check_training_loop, lambda: (shifted_result(loop(), acc=7.0), DEVICE), False, WRONG_ANSWER, "accuracy per sample",
    ),
    "loop-crashes": (
        checks.check_training_loop, lambda: (lambda *args: 1 / 0, DEVICE), False, WRONG_ANSWER, "ZeroDivisionError",
    ),
    # Exercise 6
    "curve-right": (checks.check_loss_curve, lambda: (student_curve(curve_data(), 5), 5, curve_data()), True, OK, "falling"),
    "curve-made-up": (
        checks.check_loss_curve, lambda: ([5.0, 4.0, 3.0, 2.0, 1.0], 5, curve_data()), False, WRONG_ANSWER, "not the losses",
    ),
    "curve-other-training": (
        checks.check_loss_curve, lambda: ([1.2, 0.8, 0.7, 0.65, 0.6], 5, curve_data()), False, WRONG_ANSWER, "curve_model",
    ),
    "curve-todo": (checks.check_loss_curve, lambda: (None, 5, curve_data()), False, TODO, "loss_values = []"),
    "curve-tensors": (
        checks.check_loss_curve, lambda: ([torch.tensor(1.0, requires_grad=True)] * 5, 5, curve_data()), False, WRONG_ANSWER, "loss.item()",
    ),
    "curve-per-batch": (checks.check_loss_curve, lambda: ([1.0 - i / 100 for i in range(50)], 5, curve_data()), False, WRONG_ANSWER, "per batch"),
    "curve-list-in-loop": (checks.check_loss_curve, lambda: ([0.6], 5, curve_data()), False, WRONG_ANSWER, "before the loop"),
    "curve-going-up": (checks.check_loss_curve, lambda: ([0.6, 0.7, 0.8, 0.9, 1.0], 5, curve_data()), False, WRONG_ANSWER, "not down"),
    "curve-nan": (checks.check_loss_curve, lambda: ([1.0, float("nan"), 1, 1, 1], 5, curve_data()), False, WRONG_ANSWER, "NaN"),
    # Exercise 7
    "probs-right": (
        checks.check_logits_to_labels,
        lambda: (LOGITS, LOGITS.softmax(dim=1), LOGITS.softmax(dim=1).argmax(dim=1)), True, OK, "sums to 1",
    ),
    "probs-todo": (checks.check_logits_to_labels, lambda: (LOGITS, None, None), False, TODO, "softmax"),
    "probs-softmax-dim-0": (
        checks.check_logits_to_labels,
        lambda: (LOGITS, LOGITS.softmax(dim=0), LOGITS.softmax(dim=0).argmax(dim=1)), False, WRONG_ANSWER, "dim=1",
    ),
    "probs-sigmoid": (
        checks.check_logits_to_labels,
        lambda: (LOGITS, LOGITS.sigmoid(), LOGITS.sigmoid().argmax(dim=1)), False, WRONG_ANSWER, "softmax",
    ),
    "labels-argmax-dim-0": (
        checks.check_logits_to_labels,
        lambda: (LOGITS, LOGITS.softmax(dim=1), LOGITS.softmax(dim=1).argmax(dim=0)), False, WRONG_ANSWER, "dim=1",
    ),
    "labels-not-argmax": (
        checks.check_logits_to_labels,
        lambda: (LOGITS, LOGITS.softmax(dim=1), LOGITS.softmax(dim=1).argmin(dim=1)), False, WRONG_ANSWER, "argmax",
    ),
    "labels-floats": (
        checks.check_logits_to_labels,
        lambda: (LOGITS, LOGITS.softmax(dim=1), LOGITS.softmax(dim=1).argmax(dim=1).float()),
        False, WRONG_ANSWER, "floats",
    ),
    "accuracy-right": (checks.check_model_accuracy, lambda: (ORACLE, TEST_IMAGES, TEST_LABELS, 90), True, OK, "100.0%"),
    "accuracy-todo": (checks.check_model_accuracy, lambda: (None, TEST_IMAGES, TEST_LABELS, 90), False, TODO, "train"),
    "accuracy-untrained": (
        checks.check_model_accuracy, lambda: (ConstantModel(), TEST_IMAGES, TEST_LABELS, 60), False, WRONG_ANSWER, "chance",
    ),
    "accuracy-below-target": (
        checks.check_model_accuracy, lambda: (ORACLE, TEST_IMAGES, NOISY_LABELS, 90), False, WRONG_ANSWER, "below the 90%",
    ),
    "accuracy-model-fails": (
        checks.check_model_accuracy, lambda: (nn.Linear(3, 10), TEST_IMAGES, TEST_LABELS, 60), False, WRONG_ANSWER, "failed",
    ),
    # Exercise 8
    "compare-right": (checks.check_compare_results, lambda: (RESULTS(),), True, OK, "FashionMNISTModelV2"),
    "compare-untrained": (
        checks.check_compare_results, lambda: (RESULTS().assign(model_acc=[10.0, 9.8, 11.2]),), False, WRONG_ANSWER, "guessing",
    ),
    "compare-todo": (checks.check_compare_results, lambda: (None,), False, TODO, "DataFrame"),
    "compare-list": (checks.check_compare_results, lambda: (RESULTS().to_dict("records"),), False, WRONG_ANSWER, "DataFrame"),
    "compare-no-time": (
        checks.check_compare_results, lambda: (RESULTS().drop(columns="train_time"),), False, WRONG_ANSWER, "train_time",
    ),
    "compare-two-models": (checks.check_compare_results, lambda: (RESULTS().iloc[:2],), False, WRONG_ANSWER, "expected 3"),
    "compare-fractions": (
        checks.check_compare_results, lambda: (RESULTS().assign(model_acc=[0.8, 0.7, 0.9]),), False, WRONG_ANSWER, "fractions",
    ),
    "compare-bad-times": (
        checks.check_compare_results, lambda: (RESULTS().assign(train_time=[0.0, 1.0, 2.0]),), False, WRONG_ANSWER, "seconds",
    ),
    # Exercise 9
    "conv-right": (
        checks.check_conv_output_size, lambda: (lambda n, k, s=1, p=0: (n + 2 * p - k) // s + 1,), True, OK, "matches",
    ),
    "conv-todo": (checks.check_conv_output_size, lambda: (None,), False, TODO, "conv_output_size"),
    "conv-template": (checks.check_conv_output_size, lambda: (not_implemented,), False, TODO, "conv_output_size"),
    "conv-no-plus-one": (
        checks.check_conv_output_size, lambda: (lambda n, k, s=1, p=0: (n + 2 * p - k) // s,), False, WRONG_ANSWER, "off by one",
    ),
    "conv-true-division": (
        checks.check_conv_output_size, lambda: (lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1,), False, WRONG_ANSWER, "//",
    ),
    "conv-no-padding": (
        checks.check_conv_output_size, lambda: (lambda n, k, s=1, p=0: (n - k) // s + 1,), False, WRONG_ANSWER, "padding=1",
    ),
    "conv-no-return": (checks.check_conv_output_size, lambda: (lambda n, k, s=1, p=0: None,), False, WRONG_ANSWER, "return"),
    # Exercise 12
    "digits-right": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES, torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y), True, OK, "float32",
    ),
    "digits-todo": (checks.check_mnist_tensors, lambda: (None, None, DIGITS_X, DIGITS_Y), False, TODO, "tensors"),
    "digits-numpy": (
        checks.check_mnist_tensors, lambda: (DIGITS_X / 255, torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "torch.from_numpy()",
    ),
    "digits-flat": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES.flatten(1), torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "reshape",
    ),
    "digits-no-channel": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES.squeeze(1), torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "colour channel",
    ),
    "digits-not-scaled": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES * 255, torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "divide by 255",
    ),
    "digits-float64": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES.double(), torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "float32",
    ),
    "digits-transposed": (
        checks.check_mnist_tensors,
        lambda: (DIGIT_IMAGES.transpose(2, 3), torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "without transposing",
    ),
    "digits-test-split-shuffled": (
        checks.check_mnist_tensors,
        lambda: (DIGIT_IMAGES, torch.from_numpy(DIGITS_Y[::-1].copy()), DIGITS_X, DIGITS_Y, "test"),
        False, WRONG_ANSWER, "mnist_test_labels should hold the test labels",
    ),
    "digits-test-split-todo": (
        checks.check_mnist_tensors, lambda: (None, None, DIGITS_X, DIGITS_Y, "test"), False, TODO, "mnist_test_images",
    ),
    "digits-int32-labels": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES, torch.from_numpy(DIGITS_Y).int(), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "int64",
    ),
    "mnist-model-right": (
        checks.check_mnist_model,
        lambda: (LookupModel(DIGIT_IMAGES, torch.from_numpy(DIGITS_Y)), DIGITS_X, DIGITS_Y, 90), True, OK, "above the 90%",
    ),
    "mnist-model-todo": (checks.check_mnist_model, lambda: (None, DIGITS_X, DIGITS_Y, 90), False, TODO, "mnist_model"),
    "mnist-model-untrained": (
        checks.check_mnist_model, lambda: (ConstantModel(), DIGITS_X, DIGITS_Y, 90), False, WRONG_ANSWER, "below the 90%",
    ),
    # Exercise 12, Part C
    "mnist-preds-right": (
        checks.check_mnist_predictions, lambda: (torch.from_numpy((DIGITS_Y[:16] + 1) % 10), shifted_model(), DIGITS_X, DIGITS_Y),
        True, OK, "0 of 16 match",
    ),
    "mnist-preds-todo": (checks.check_mnist_predictions, lambda: (None, shifted_model(), DIGITS_X, DIGITS_Y), False, TODO, "first 16"),
    "mnist-preds-no-model": (checks.check_mnist_predictions, lambda: (None, None, DIGITS_X, DIGITS_Y), False, TODO, "Part B"),
    "mnist-preds-true-labels": (
        checks.check_mnist_predictions, lambda: (torch.from_numpy(DIGITS_Y[:16]), shifted_model(), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "true labels",
    ),
    "mnist-preds-all-digits": (
        checks.check_mnist_predictions, lambda: (torch.from_numpy((DIGITS_Y + 1) % 10), shifted_model(), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "expected [16]",
    ),
    "mnist-preds-probabilities": (
        checks.check_mnist_predictions, lambda: (torch.rand(16), shifted_model(), DIGITS_X, DIGITS_Y), False, WRONG_ANSWER, "argmax",
    ),
    # Exercise 16
    "non-linear-right": (checks.check_non_linear_model, lambda: (non_linear(),), True, OK, "Linear -> ReLU -> Linear"),
    "non-linear-todo": (checks.check_non_linear_model, lambda: (None,), False, TODO, "NonLinearModel"),
    "non-linear-model-1": (checks.check_non_linear_model, lambda: (hf.FashionMNISTModelV1,), False, WRONG_ANSWER, "go negative"),
    "non-linear-final-relu": (checks.check_non_linear_model, lambda: (non_linear("final-relu"),), False, WRONG_ANSWER, "0 or more"),
    "non-linear-relu-first": (checks.check_non_linear_model, lambda: (non_linear("relu-first"),), False, WRONG_ANSWER, "linear function"),
    "non-linear-relu-unused": (checks.check_non_linear_model, lambda: (non_linear("relu-unused"),), False, WRONG_ANSWER, "forward() uses it"),
    "non-linear-extra-layer": (checks.check_non_linear_model, lambda: (non_linear("extra-linear"),), False, WRONG_ANSWER, "3 nn.Linear"),
    "non-linear-instance": (
        checks.check_non_linear_model, lambda: (non_linear()(784, 10, 10),), False, WRONG_ANSWER, "should be a class",
    ),
    # Exercise 17
    "tiny-vgg-right": (checks.check_tiny_vgg, lambda: (TinyVGG,), True, OK, "same outputs"),
    "tiny-vgg-todo": (checks.check_tiny_vgg, lambda: (None,), False, TODO, "block_1, block_2"),
    "tiny-vgg-in-features": (checks.check_tiny_vgg, lambda: (tiny_vgg("in-features"),), False, WRONG_ANSWER, "= 490"),
    "tiny-vgg-no-padding": (checks.check_tiny_vgg, lambda: (tiny_vgg("no-padding"),), False, WRONG_ANSWER, "padding=1"),
    "tiny-vgg-pool-first": (checks.check_tiny_vgg, lambda: (tiny_vgg("pool-first"),), False, WRONG_ANSWER, "order of the layers"),
    "tiny-vgg-three-convs": (checks.check_tiny_vgg, lambda: (tiny_vgg("three-convs"),), False, WRONG_ANSWER, "3 nn.Conv2d"),
    # Exercise 13
    "timing-right": (
        checks.check_device_timing, lambda: (DEVICE, honest_timer, 1.5, 0.5 if DEVICE != "cpu" else None), True, OK,
        "device-agnostic",
    ),
    "timing-todo": (checks.check_device_timing, lambda: (None, not_implemented, None, None), False, TODO, "timing_device"),
    "timing-function-todo": (
        checks.check_device_timing, lambda: (DEVICE, not_implemented, 1.5, None), False, TODO, "time_one_epoch(device)",
    ),
    "timing-constant": (
        checks.check_device_timing, lambda: (DEVICE, lambda device: 1.0, 1.5, None), False, WRONG_ANSWER, "the call took",
    ),
    "timing-not-a-function": (
        checks.check_device_timing, lambda: (DEVICE, 1.5, 1.5, None), False, WRONG_ANSWER, "should be a function",
    ),
    "timing-function-fails": (
        checks.check_device_timing, lambda: (DEVICE, lambda device: 1 / 0, 1.5, None), False, WRONG_ANSWER, "ZeroDivisionError",
    ),
    "timing-function-fails-multi-line": (
        checks.check_device_timing, lambda: (DEVICE, raises_multi_line, 1.5, None), False, WRONG_ANSWER,
        "raised ValueError: first line",
    ),
    "timing-tensor-time": (
        checks.check_device_timing, lambda: (DEVICE, honest_timer, torch.tensor(1.5), None), False, WRONG_ANSWER,
        "positive number",
    ),
    "timing-not-a-device": (
        checks.check_device_timing, lambda: ("gpu", honest_timer, 1.5, None), False, WRONG_ANSWER, "'cuda', 'mps' or 'cpu'",
    ),
    # Exercise 14
    "confmat-right": (
        checks.check_confusion_matrix, lambda: (confusion(PREDS, NOISY_LABELS), ORACLE, TEST_IMAGES, NOISY_LABELS),
        True, OK, "on the diagonal",
    ),
    "confmat-numpy-right": (
        checks.check_confusion_matrix, lambda: (confusion(PREDS, NOISY_LABELS).numpy(), ORACLE, TEST_IMAGES, NOISY_LABELS),
        True, OK, "on the diagonal",
    ),
    "confmat-todo": (checks.check_confusion_matrix, lambda: (None, ORACLE, TEST_IMAGES, NOISY_LABELS), False, TODO, "ConfusionMatrix"),
    "confmat-swapped": (
        checks.check_confusion_matrix, lambda: (confusion(NOISY_LABELS, PREDS), ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "swapped",
    ),
    "confmat-normalised": (
        checks.check_confusion_matrix,
        lambda: (confusion(PREDS, NOISY_LABELS, normalize="true"), ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "normalised",
    ),
    "confmat-some-images": (
        checks.check_confusion_matrix,
        lambda: (confusion(PREDS[:100], NOISY_LABELS[:100]), ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "every one of them",
    ),
    "confmat-wrong-shape": (
        checks.check_confusion_matrix, lambda: (torch.zeros(9, 9), ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "[10, 10]",
    ),
    # Exercise 15
    "wrong-preds-right": (
        checks.check_wrong_predictions, lambda: (WRONG, ORACLE, TEST_IMAGES, NOISY_LABELS), True, OK, "predicted wrongly",
    ),
    "wrong-preds-list": (
        checks.check_wrong_predictions, lambda: (WRONG.tolist(), ORACLE, TEST_IMAGES, NOISY_LABELS), True, OK, "predicted wrongly",
    ),
    "wrong-preds-todo": (checks.check_wrong_predictions, lambda: (None, ORACLE, TEST_IMAGES, NOISY_LABELS), False, TODO, "indices"),
    "wrong-preds-mask": (
        checks.check_wrong_predictions, lambda: (PREDS != NOISY_LABELS, ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "torch.where(mask)[0]",
    ),
    "wrong-preds-nonzero-column": (
        checks.check_wrong_predictions, lambda: ((PREDS != NOISY_LABELS).nonzero(), ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "squeeze",
    ),
    "wrong-preds-right-ones": (
        checks.check_wrong_predictions,
        lambda: (torch.where(PREDS == NOISY_LABELS)[0], ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "gets right",
    ),
    "wrong-preds-some": (
        checks.check_wrong_predictions, lambda: (WRONG[:3], ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER, "3 of the",
    ),
    "wrong-preds-extra": (
        checks.check_wrong_predictions,
        lambda: (torch.cat([WRONG, torch.tensor([1])]), ORACLE, TEST_IMAGES, NOISY_LABELS),
        False, WRONG_ANSWER, "test image 1 right",
    ),
}
LOGITS = torch.randn(8, 10, generator=torch.Generator().manual_seed(3))


class NeedsOtherArguments(nn.Module):
    """A model class whose __init__ does not take the exercise's three arguments."""

    def __init__(self, in_channels: int):
        super().__init__()


# Wrong answers that reach the rest of the checks' branches (found by measuring branch coverage:
# `coverage run --branch --include=cv_course/exercise_checks.py -m pytest tests/test_exercises.py`).
CASES.update({
    # Exercise 1
    "sizes-wrong-test-count": (checks.check_dataset_sizes, lambda: (60_000, 9_000, (1, 28, 28)), False, WRONG_ANSWER, "expected 10,000"),
    "sizes-shape-not-a-shape": (checks.check_dataset_sizes, lambda: (60_000, 10_000, "1x28x28"), False, WRONG_ANSWER, "image.shape"),
    "sizes-channels-last": (checks.check_dataset_sizes, lambda: (60_000, 10_000, (28, 28, 1)), False, WRONG_ANSWER, "channels last"),
    "sizes-other-shape": (checks.check_dataset_sizes, lambda: (60_000, 10_000, (3, 28, 28)), False, WRONG_ANSWER, "expected [1, 28, 28]"),
    # Exercise 2
    "samples-idxs-not-numbers": (
        checks.check_random_samples, lambda: ("random", DATASET_IMAGES[:16], DATASET_LABELS[:16], DATASET),
        False, WRONG_ANSWER, "sample_idxs should be a tensor",
    ),
    "samples-idxs-floats": (
        checks.check_random_samples, lambda: (RANDOM_IDXS.float(), DATASET_IMAGES[:16], DATASET_LABELS[:16], DATASET),
        False, WRONG_ANSWER, "holds floats",
    ),
    "samples-too-few-idxs": (
        checks.check_random_samples, lambda: (RANDOM_IDXS[:8], DATASET_IMAGES[:8], DATASET_LABELS[:8], DATASET),
        False, WRONG_ANSWER, "should hold 16 indices",
    ),
    "samples-images-wrong-shape": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS].flatten(1), DATASET_LABELS[RANDOM_IDXS], DATASET),
        False, WRONG_ANSWER, "expected [16, 1, 28, 28].",
    ),
    "samples-labels-floats": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS], DATASET_LABELS[RANDOM_IDXS].float(), DATASET),
        False, WRONG_ANSWER, "sample_labels holds floats",
    ),
    "samples-labels-wrong-shape": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS], DATASET_LABELS[RANDOM_IDXS][:, None], DATASET),
        False, WRONG_ANSWER, "one label per image",
    ),
    "samples-labels-wrong-order": (
        checks.check_random_samples,
        lambda: (RANDOM_IDXS, DATASET_IMAGES[RANDOM_IDXS], DATASET_LABELS[RANDOM_IDXS.flip(0)], DATASET),
        False, WRONG_ANSWER, "but the label at index",
    ),
    # Exercise 3
    "baseline-hidden-units": (
        checks.check_baseline_model, lambda: (nn.Sequential(nn.Flatten(), nn.Linear(784, 20), nn.Linear(20, 10)),),
        False, WRONG_ANSWER, "expected hidden_units=10",
    ),
    # Exercise 4
    "optimizer-not-an-optimizer": (
        checks.check_loss_and_optimizer, lambda: (nn.CrossEntropyLoss(), "SGD", BASELINE), False, WRONG_ANSWER, "torch.optim optimizer",
    ),
    # Exercise 6
    "curve-not-a-list": (checks.check_loss_curve, lambda: (0.6, 5, curve_data()), False, WRONG_ANSWER, "should be a list"),
    "curve-strings": (checks.check_loss_curve, lambda: (["0.9"] * 5, 5, curve_data()), False, WRONG_ANSWER, "should hold numbers"),
    "curve-empty": (checks.check_loss_curve, lambda: ([], 5, curve_data()), False, WRONG_ANSWER, "is empty"),
    # Exercise 7
    "probs-not-tensors": (
        checks.check_logits_to_labels, lambda: (LOGITS.tolist(), LOGITS.softmax(dim=1), LOGITS.argmax(dim=1)),
        False, WRONG_ANSWER, "test_logits should be a tensor",
    ),
    "probs-one-image": (
        checks.check_logits_to_labels, lambda: (LOGITS[0], LOGITS[0].softmax(dim=0), LOGITS[0].argmax()),
        False, WRONG_ANSWER, "[n_images, n_classes]",
    ),
    "probs-other-shape": (
        checks.check_logits_to_labels, lambda: (LOGITS, LOGITS.softmax(dim=1)[:4], LOGITS.argmax(dim=1)),
        False, WRONG_ANSWER, "softmax keeps the shape",
    ),
    "probs-not-summing-to-one": (
        checks.check_logits_to_labels, lambda: (LOGITS, LOGITS.abs() / 100, LOGITS.argmax(dim=1)),
        False, WRONG_ANSWER, "should sum to 1.",
    ),
    "probs-other-softmax": (
        checks.check_logits_to_labels, lambda: (LOGITS, (LOGITS * 2).softmax(dim=1), LOGITS.argmax(dim=1)),
        False, WRONG_ANSWER, "is not torch.softmax(test_logits, dim=1)",
    ),
    "accuracy-not-a-model": (
        checks.check_model_accuracy, lambda: ("model_0", TEST_IMAGES, TEST_LABELS, 60), False, WRONG_ANSWER, "trained nn.Module",
    ),
    "accuracy-one-prediction-per-batch": (
        checks.check_model_accuracy,
        lambda: (nn.Sequential(nn.Flatten(), nn.Linear(784, 20), nn.Unflatten(1, (10, 2))), TEST_IMAGES, TEST_LABELS, 60),
        False, WRONG_ANSWER, "[n_images, n_classes] logits",
    ),
    # Exercise 8
    "compare-same-model-twice": (
        checks.check_compare_results, lambda: (RESULTS().assign(model_name=["A", "A", "B"]),), False, WRONG_ANSWER, "twice",
    ),
    "compare-acc-over-100": (
        checks.check_compare_results, lambda: (RESULTS().assign(model_acc=[8340.0, 7500.0, 8840.0]),), False, WRONG_ANSWER,
        "between 0 and 100",
    ),
    # Exercise 9
    "conv-not-a-function": (checks.check_conv_output_size, lambda: (26,), False, WRONG_ANSWER, "should be a function"),
    "conv-crashes-multi-line": (
        checks.check_conv_output_size, lambda: (raises_multi_line,), False, WRONG_ANSWER, "raised ValueError: first line",
    ),
    "conv-crashes": (
        checks.check_conv_output_size, lambda: (lambda n, k, s=1, p=0: n // 0,), False, WRONG_ANSWER, "ZeroDivisionError",
    ),
    # Exercise 12
    "digits-channels-last": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES.reshape(-1, 28, 28, 1), torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "channels last",
    ),
    "digits-other-shape": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES[:10], torch.from_numpy(DIGITS_Y), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "expected [20, 1, 28, 28]",
    ),
    "digits-numpy-labels": (
        checks.check_mnist_tensors, lambda: (DIGIT_IMAGES, DIGITS_Y, DIGITS_X, DIGITS_Y), False, WRONG_ANSWER,
        "mnist_train_labels should be a tensor",
    ),
    "mnist-preds-other-model": (
        checks.check_mnist_predictions, lambda: (torch.zeros(16, dtype=torch.long), shifted_model(), DIGITS_X, DIGITS_Y),
        False, WRONG_ANSWER, "differs from mnist_model's predictions",
    ),
    # Exercise 16
    "non-linear-bad-arguments": (
        checks.check_non_linear_model, lambda: (NeedsOtherArguments,), False, WRONG_ANSWER, "keep those three arguments",
    ),
    "non-linear-wrong-input": (checks.check_non_linear_model, lambda: (non_linear("wrong-input"),), False, WRONG_ANSWER, "(28 * 28)"),
    "non-linear-wrong-output": (
        checks.check_non_linear_model, lambda: (non_linear("wrong-output"),), False, WRONG_ANSWER, "expected [64, 10]",
    ),
    # Exercise 17
    "tiny-vgg-bad-arguments": (checks.check_tiny_vgg, lambda: (NeedsOtherArguments,), False, WRONG_ANSWER, "keep those three"),
    "tiny-vgg-wide-conv": (checks.check_tiny_vgg, lambda: (tiny_vgg("wide-conv"),), False, WRONG_ANSWER, "convolution 3 maps 10 to 20"),
    "tiny-vgg-three-relus": (checks.check_tiny_vgg, lambda: (tiny_vgg("three-relus"),), False, WRONG_ANSWER, "4 nn.ReLU()"),
    "tiny-vgg-avg-pool": (checks.check_tiny_vgg, lambda: (tiny_vgg("avg-pool"),), False, WRONG_ANSWER, "2 nn.MaxPool2d"),
    "tiny-vgg-two-linears": (checks.check_tiny_vgg, lambda: (tiny_vgg("two-linears"),), False, WRONG_ANSWER, "2 nn.Linear layers"),
    "tiny-vgg-no-flatten": (checks.check_tiny_vgg, lambda: (tiny_vgg("no-flatten"),), False, WRONG_ANSWER, "nn.Flatten() first"),
    # Exercise 13
    "timing-returns-nothing": (
        checks.check_device_timing, lambda: (DEVICE, lambda device: None, 1.5, 0.5 if DEVICE != "cpu" else None),
        False, WRONG_ANSWER, "should return the seconds",
    ),
    # Exercise 14
    "confmat-float-counts-right": (
        checks.check_confusion_matrix,
        lambda: (confusion(PREDS, NOISY_LABELS).float(), ORACLE, TEST_IMAGES, NOISY_LABELS), True, OK, "on the diagonal",
    ),
    "confmat-not-a-matrix": (
        checks.check_confusion_matrix, lambda: ("matrix", ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER,
        "tensor or NumPy array",
    ),
    "confmat-fractions": (
        checks.check_confusion_matrix,
        lambda: (confusion(PREDS, NOISY_LABELS).float() / 7, ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER, "fractions",
    ),
    "confmat-other-counts": (
        checks.check_confusion_matrix,
        lambda: (confusion(NOISY_LABELS, NOISY_LABELS), ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER,
        "don't match the model's predictions",
    ),
    # Exercise 15
    "wrong-preds-not-indices": (
        checks.check_wrong_predictions, lambda: ("all", ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER, "tensor (or list)",
    ),
    "wrong-preds-floats": (
        checks.check_wrong_predictions, lambda: (WRONG.float(), ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER, "floats",
    ),
    "wrong-preds-2d": (
        checks.check_wrong_predictions, lambda: (WRONG.reshape(1, -1), ORACLE, TEST_IMAGES, NOISY_LABELS), False, WRONG_ANSWER,
        "flat list",
    ),
})


# ---------------------------------------------------------------------------
# Exercises 18-21: the models opened up by hand
# ---------------------------------------------------------------------------

# Exercise 18: logits of 6 images; the model's guess (argmax) is wrong for images 1 and 4.
CE_LOGITS = torch.randn(6, 10, generator=torch.Generator().manual_seed(4)) * 3
CE_LABELS = CE_LOGITS.argmax(dim=1)
CE_LABELS[[1, 4]] = (CE_LABELS[[1, 4]] + 3) % 10
CE_ROWS = torch.arange(len(CE_LABELS))


def ce_probs(logits=CE_LOGITS, dim=1):
    exp = logits.exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def ce_answer(probs=None, losses=None, torch_loss=None):
    """Exercise 18's right answer, with any part replaced."""
    right_probs = ce_probs()
    return (
        right_probs if probs is None else probs,
        -right_probs[CE_ROWS, CE_LABELS].log() if losses is None else losses,
        nn.CrossEntropyLoss()(CE_LOGITS, CE_LABELS) if torch_loss is None else torch_loss,
        CE_LOGITS,
        CE_LABELS,
    )


@functools.lru_cache(maxsize=None)
def conv_setup() -> tuple[torch.Tensor, nn.Conv2d, torch.Tensor, nn.Conv2d]:
    """Exercise 19's setup: a real test image, two seeded layers and the feature maps between them."""
    torch.manual_seed(42)
    conv_1, conv_2 = nn.Conv2d(1, 10, kernel_size=3), nn.Conv2d(10, 10, kernel_size=3)
    image = curve_data().tensors[0][0]  # [1, 28, 28]
    with torch.no_grad():
        return image, conv_1, torch.relu(conv_1(image)), conv_2


def conv_by_hand(mistake: str | None = None):
    """Exercise 19's conv_output_at, with one of the usual mistakes switched on."""

    def conv_output_at(image, kernel, bias, i, j):
        if mistake == "centred":
            i, j = i - 1, j - 1
        elif mistake == "shifted":
            i, j = i + 1, j + 1
        elif mistake == "swapped":
            i, j = j, i
        elif mistake == "flipped":
            kernel = kernel.flip(-2, -1)
        elif mistake == "one channel":
            image, kernel = image[:1], kernel[:1]
        window = image[:, i : i + 3, j : j + 3]
        if mistake == "no sum":
            return window * kernel + bias
        if mistake == "bias per product":
            return (window * kernel + bias).sum()
        if mistake == "mean":
            return (window * kernel).mean() + bias
        if mistake == "no bias":
            return (window * kernel).sum()
        if mistake == "float":
            return ((window * kernel).sum() + bias).item()
        if mistake == "zero at the edge" and i == 0:
            return 0.0
        if mistake == "one too much":
            return (window * kernel).sum() + bias + 1
        return (window * kernel).sum() + bias

    return conv_output_at


def conv_args(function):
    return lambda: (function, *conv_setup())


def field(mistake: str | None = None):
    """Exercise 20's receptive_field: right, or one of the check's wrong formulas."""
    if mistake is None:
        def receptive_field(layers):
            size, jump = 1, 1
            for kernel_size, stride in layers:
                size, jump = size + (kernel_size - 1) * jump, jump * stride
            return size

        return receptive_field
    return checks._FIELD_MISTAKES[mistake][0]


TINY_VGG_PAIRS = [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)]


class AvgPoolTinyVGG(hf.FashionMNISTModelV2):
    """Exercise 21's answer: the course's TinyVGG with its pools swapped, and the usual mistakes."""

    mistake: str | None = None

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__(input_shape, hidden_units, output_shape)
        mistake = self.mistake
        self.block_1[4] = nn.AvgPool2d(kernel_size=3 if mistake == "big-pool" else 2)
        if mistake != "one-max-pool":
            self.block_2[4] = nn.AvgPool2d(kernel_size=2, stride=1 if mistake == "stride-1" else None)
        if mistake == "no-second-pool":
            self.block_2 = nn.Sequential(*self.block_2[:4])
        elif mistake == "third-pool":
            self.block_2.append(nn.AvgPool2d(kernel_size=1))
        elif mistake == "final-relu":
            self.classifier.append(nn.ReLU())
        elif mistake == "no-linear":
            self.classifier = nn.Sequential(nn.Flatten())
        elif mistake == "dropout":
            self.classifier.insert(1, nn.Dropout(0.2))
        elif mistake == "inplace-relu":
            self.block_1[1] = nn.ReLU(inplace=True)
        elif mistake == "extra-parameter":
            self.scale = nn.Parameter(torch.ones(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.block_2(self.block_1(x))
        if self.mistake == "no-classifier":
            return features
        if self.mistake == "skip-block-2":
            return self.classifier(self.block_1(x))
        logits = self.classifier(features)
        return logits.softmax(dim=1) if self.mistake == "softmax" else logits


def avg_pool(mistake: str | None = None) -> type:
    return type("AvgPoolTinyVGG", (AvgPoolTinyVGG,), {"mistake": mistake})


class AvgPoolTinyVGGFromScratch(TinyVGG):
    """Exercise 21 answered by writing TinyVGG out again with average pools."""

    @staticmethod
    def block(in_channels: int, hidden_units: int) -> nn.Sequential:
        return nn.Sequential(*TinyVGG.block(in_channels, hidden_units)[:4], nn.AvgPool2d(2))


def pool_images() -> torch.Tensor:
    return curve_data().tensors[0][:8]


CASES.update({
    # Exercise 18
    "softmax-right": (checks.check_softmax_by_hand, lambda: ce_answer(), True, OK, "nn.CrossEntropyLoss() gives"),
    "softmax-float-loss-right": (
        checks.check_softmax_by_hand, lambda: ce_answer(torch_loss=nn.CrossEntropyLoss()(CE_LOGITS, CE_LABELS).item()),
        True, OK, "sum to 1 per image",
    ),
    "softmax-todo": (checks.check_softmax_by_hand, lambda: (None, None, None, CE_LOGITS, CE_LABELS), False, TODO, "torch.exp"),
    "softmax-probs-list": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=ce_probs().tolist()), False, WRONG_ANSWER, "ce_probs should be a tensor",
    ),
    "softmax-losses-list": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=[0.5] * 6), False, WRONG_ANSWER, "ce_losses should be a tensor",
    ),
    "softmax-probs-one-row": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=ce_probs()[0]), False, WRONG_ANSWER, "one probability per logit",
    ),
    "softmax-dim-0": (checks.check_softmax_by_hand, lambda: ce_answer(probs=ce_probs(dim=0)), False, WRONG_ANSWER, "dim=0"),
    "softmax-not-divided": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=CE_LOGITS.exp()), False, WRONG_ANSWER, "exp(logit) itself",
    ),
    "softmax-whole-batch-sum": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=CE_LOGITS.exp() / CE_LOGITS.exp().sum()),
        False, WRONG_ANSWER, "over the whole batch",
    ),
    "softmax-no-exp": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=CE_LOGITS / CE_LOGITS.sum(dim=1, keepdim=True)),
        False, WRONG_ANSWER, "without taking exp first",
    ),
    "softmax-rows-not-one": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=ce_probs() / 2), False, WRONG_ANSWER, "don't sum to 1",
    ),
    "softmax-other-softmax": (
        checks.check_softmax_by_hand, lambda: ce_answer(probs=ce_probs(CE_LOGITS * 2)), False, WRONG_ANSWER,
        "not the softmax of ce_logits",
    ),
    "loss-mean-only": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[CE_ROWS, CE_LABELS].log().mean()),
        False, WRONG_ANSWER, "single number",
    ),
    "loss-all-columns": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[:, CE_LABELS].log()),
        False, WRONG_ANSWER, "probs[:, labels]",
    ),
    "loss-column": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[CE_ROWS, CE_LABELS, None].log()),
        False, WRONG_ANSWER, "expected [6]",
    ),
    "loss-no-minus": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=ce_probs()[CE_ROWS, CE_LABELS].log()),
        False, WRONG_ANSWER, "minus that log",
    ),
    "loss-log10": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[CE_ROWS, CE_LABELS].log10()),
        False, WRONG_ANSWER, "base-10",
    ),
    "loss-log2": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[CE_ROWS, CE_LABELS].log2()),
        False, WRONG_ANSWER, "base-2",
    ),
    "loss-predicted-class": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs().max(dim=1).values.log()),
        False, WRONG_ANSWER, "predicted class",
    ),
    "loss-logit": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-CE_LOGITS[CE_ROWS, CE_LABELS]), False, WRONG_ANSWER,
        "logit of the true class",
    ),
    "loss-one-minus-p": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=1 - ce_probs()[CE_ROWS, CE_LABELS]), False, WRONG_ANSWER,
        "1 - p[label]",
    ),
    "loss-other-class": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[CE_ROWS, (CE_LABELS + 1) % 10].log()),
        False, WRONG_ANSWER, "other classes",
    ),
    "loss-off": (
        checks.check_softmax_by_hand, lambda: ce_answer(losses=-ce_probs()[CE_ROWS, CE_LABELS].log() + 0.5),
        False, WRONG_ANSWER, "but -ln p[label] for that image is",
    ),
    "torch-loss-per-image": (
        checks.check_softmax_by_hand,
        lambda: ce_answer(torch_loss=nn.CrossEntropyLoss(reduction="none")(CE_LOGITS, CE_LABELS)),
        False, WRONG_ANSWER, "gives one number",
    ),
    "torch-loss-text": (checks.check_softmax_by_hand, lambda: ce_answer(torch_loss="0.5"), False, WRONG_ANSWER, "should be a number"),
    "torch-loss-double-softmax": (
        checks.check_softmax_by_hand, lambda: ce_answer(torch_loss=nn.CrossEntropyLoss()(ce_probs(), CE_LABELS)),
        False, WRONG_ANSWER, "given the probabilities",
    ),
    "torch-loss-sum": (
        checks.check_softmax_by_hand,
        lambda: ce_answer(torch_loss=nn.CrossEntropyLoss(reduction="sum")(CE_LOGITS, CE_LABELS)),
        False, WRONG_ANSWER, "sum of the losses",
    ),
    "torch-loss-other": (checks.check_softmax_by_hand, lambda: ce_answer(torch_loss=1.0), False, WRONG_ANSWER, "logits first"),
    # Exercise 19
    "conv-by-hand-right": (checks.check_conv_by_hand, conv_args(conv_by_hand()), True, OK, "10-channel feature maps"),
    "conv-by-hand-float-right": (checks.check_conv_by_hand, conv_args(conv_by_hand("float")), True, OK, "matches F.conv2d"),
    "conv-by-hand-todo": (checks.check_conv_by_hand, conv_args(None), False, TODO, "conv_output_at"),
    "conv-by-hand-template": (checks.check_conv_by_hand, conv_args(not_implemented), False, TODO, "multiply the 3x3 window"),
    "conv-by-hand-not-a-function": (checks.check_conv_by_hand, conv_args(0.6), False, WRONG_ANSWER, "should be a function"),
    "conv-by-hand-crashes": (checks.check_conv_by_hand, conv_args(lambda *args: 1 / 0), False, WRONG_ANSWER, "ZeroDivisionError"),
    "conv-by-hand-no-return": (checks.check_conv_by_hand, conv_args(lambda *args: None), False, WRONG_ANSWER, "return"),
    "conv-by-hand-text": (checks.check_conv_by_hand, conv_args(lambda *args: "0.6"), False, WRONG_ANSWER, "one number"),
    "conv-by-hand-no-sum": (checks.check_conv_by_hand, conv_args(conv_by_hand("no sum")), False, WRONG_ANSWER, ".sum()"),
    "conv-by-hand-flipped": (checks.check_conv_by_hand, conv_args(conv_by_hand("flipped")), False, WRONG_ANSWER, "flips the kernel"),
    "conv-by-hand-no-bias": (checks.check_conv_by_hand, conv_args(conv_by_hand("no bias")), False, WRONG_ANSWER, "forgets the bias"),
    "conv-by-hand-bias-per-product": (
        checks.check_conv_by_hand, conv_args(conv_by_hand("bias per product")), False, WRONG_ANSWER, "to every product",
    ),
    "conv-by-hand-mean": (checks.check_conv_by_hand, conv_args(conv_by_hand("mean")), False, WRONG_ANSWER, "averages the products"),
    "conv-by-hand-swapped": (checks.check_conv_by_hand, conv_args(conv_by_hand("swapped")), False, WRONG_ANSWER, "swaps rows"),
    "conv-by-hand-one-channel": (
        checks.check_conv_by_hand, conv_args(conv_by_hand("one channel")), False, WRONG_ANSWER, "only the first input channel",
    ),
    "conv-by-hand-centred": (checks.check_conv_by_hand, conv_args(conv_by_hand("centred")), False, WRONG_ANSWER, "centres the window"),
    "conv-by-hand-shifted": (
        checks.check_conv_by_hand, conv_args(conv_by_hand("shifted")), False, WRONG_ANSWER, "shifted by +1 row(s) and +1 column(s)",
    ),
    "conv-by-hand-one-too-much": (
        checks.check_conv_by_hand, conv_args(conv_by_hand("one too much")), False, WRONG_ANSWER, "but F.conv2d gives",
    ),
    "conv-by-hand-wrong-at-the-edge": (
        checks.check_conv_by_hand, conv_args(conv_by_hand("zero at the edge")), False, WRONG_ANSWER, "i=0, j=0) gives 0.0000",
    ),
    # Exercise 20
    "field-right": (checks.check_receptive_field, lambda: (field(), TINY_VGG_PAIRS, 16), True, OK, "16x16 pixels"),
    "field-relus-listed-right": (
        checks.check_receptive_field, lambda: (field(), [(3, 1), (1, 1), *TINY_VGG_PAIRS[1:]], 16), True, OK, "all 8 stacks",
    ),
    "field-todo": (checks.check_receptive_field, lambda: (None, None, None), False, TODO, "receptive_field(layers)"),
    "field-template": (checks.check_receptive_field, lambda: (not_implemented, None, None), False, TODO, "the jump"),
    "field-not-a-function": (checks.check_receptive_field, lambda: (16, TINY_VGG_PAIRS, 16), False, WRONG_ANSWER, "should be a function"),
    "field-crashes": (
        checks.check_receptive_field, lambda: (lambda layers: layers[0][0], TINY_VGG_PAIRS, 16), False, WRONG_ANSWER, "IndexError",
    ),
    "field-no-return": (checks.check_receptive_field, lambda: (lambda layers: None, TINY_VGG_PAIRS, 16), False, WRONG_ANSWER, "return"),
    "field-float": (
        checks.check_receptive_field, lambda: (lambda layers: float(field()(layers)), TINY_VGG_PAIRS, 16), False, WRONG_ANSWER,
        "whole number",
    ),
    "field-no-jump": (checks.check_receptive_field, lambda: (field("no jump"), TINY_VGG_PAIRS, 11), False, WRONG_ANSWER, "(the jump)"),
    "field-sum-of-kernels": (
        checks.check_receptive_field, lambda: (field("sum of kernels"), TINY_VGG_PAIRS, 16), False, WRONG_ANSWER, "windows overlap",
    ),
    "field-jump-too-early": (
        checks.check_receptive_field, lambda: (field("jump too early"), TINY_VGG_PAIRS, 19), False, WRONG_ANSWER, "before adding",
    ),
    "field-own-stride": (
        checks.check_receptive_field, lambda: (field("own stride"), TINY_VGG_PAIRS, 13), False, WRONG_ANSWER, "layer's own stride",
    ),
    "field-pool-adds-nothing": (
        checks.check_receptive_field, lambda: (field("pool adds nothing"), TINY_VGG_PAIRS, 13), False, WRONG_ANSWER,
        "only multiply the jump",
    ),
    "field-pool-skipped": (
        checks.check_receptive_field, lambda: (field("pool skipped"), TINY_VGG_PAIRS, 9), False, WRONG_ANSWER, "leaves out the strided",
    ),
    "field-reversed": (checks.check_receptive_field, lambda: (field("reversed"), TINY_VGG_PAIRS, 28), False, WRONG_ANSWER, "wrong order"),
    "field-start-at-0": (checks.check_receptive_field, lambda: (field("start at 0"), TINY_VGG_PAIRS, 15), False, WRONG_ANSWER, "1 too small"),
    "field-constant": (
        checks.check_receptive_field, lambda: (lambda layers: 16, TINY_VGG_PAIRS, 16), False, WRONG_ANSWER,
        "for no layers, [], receptive_field gives 16, but the receptive field is 1 pixels",
    ),
    "field-layers-todo": (checks.check_receptive_field, lambda: (field(), None, None), False, TODO, "list TinyVGG's layers"),
    "field-layers-not-pairs": (
        checks.check_receptive_field, lambda: (field(), ["conv", "pool"], 16), False, WRONG_ANSWER, "(kernel_size, stride) pairs",
    ),
    "field-layers-no-pools": (
        checks.check_receptive_field, lambda: (field(), [(3, 1)] * 4, 9), False, WRONG_ANSWER, "leaves out the two max-pools",
    ),
    "field-layers-pool-stride-1": (
        checks.check_receptive_field, lambda: (field(), [(2, 1) if k == 2 else (k, s) for k, s in TINY_VGG_PAIRS], 9),
        False, WRONG_ANSWER, "stride 1",
    ),
    "field-layers-other": (
        checks.check_receptive_field, lambda: (field(), TINY_VGG_PAIRS[:3], 6), False, WRONG_ANSWER, "two blocks",
    ),
    "field-tinyvgg-wrong": (checks.check_receptive_field, lambda: (field(), TINY_VGG_PAIRS, 15), False, WRONG_ANSWER, "tinyvgg_field is 15"),
    # Exercise 21
    "avg-pool-right": (checks.check_avg_pool_tiny_vgg, lambda: (avg_pool(), False, pool_images()), True, OK, "7,740 parameters"),
    "avg-pool-from-scratch-right": (
        checks.check_avg_pool_tiny_vgg, lambda: (AvgPoolTinyVGGFromScratch, False, pool_images()), True, OK, "pooling has none",
    ),
    "avg-pool-inplace-relu-right": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("inplace-relu"), False, pool_images()), True, OK, "output [8, 10]",
    ),
    "avg-pool-todo": (checks.check_avg_pool_tiny_vgg, lambda: (None, None, pool_images()), False, TODO, "AvgPoolTinyVGG"),
    "avg-pool-instance": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool()(1, 10, 10), False, pool_images()), False, WRONG_ANSWER, "should be a class",
    ),
    "avg-pool-bad-arguments": (
        checks.check_avg_pool_tiny_vgg, lambda: (NeedsOtherArguments, False, pool_images()), False, WRONG_ANSWER, "keep those three",
    ),
    "avg-pool-max-pools": (
        checks.check_avg_pool_tiny_vgg, lambda: (hf.FashionMNISTModelV2, False, pool_images()), False, WRONG_ANSWER,
        "still has 2 nn.MaxPool2d",
    ),
    "avg-pool-one-max-pool-left": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("one-max-pool"), False, pool_images()), False, WRONG_ANSWER,
        "still has 1 nn.MaxPool2d",
    ),
    "avg-pool-one-pool": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("no-second-pool"), False, pool_images()), False, WRONG_ANSWER,
        "has 1 nn.AvgPool2d layers",
    ),
    "avg-pool-three-pools": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("third-pool"), False, pool_images()), False, WRONG_ANSWER,
        "has 3 nn.AvgPool2d layers",
    ),
    "avg-pool-big-pool": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("big-pool"), False, pool_images()), False, WRONG_ANSWER, "kernel_size=3",
    ),
    "avg-pool-stride-1": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("stride-1"), False, pool_images()), False, WRONG_ANSWER, "stride is also 2",
    ),
    "avg-pool-dropout": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("dropout"), False, pool_images()), False, WRONG_ANSWER,
        "layer 12 of AvgPoolTinyVGG is Dropout",
    ),
    "avg-pool-final-relu": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("final-relu"), False, pool_images()), False, WRONG_ANSWER,
        "adds ReLU() after TinyVGG's last layer",
    ),
    "avg-pool-no-linear": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("no-linear"), False, pool_images()), False, WRONG_ANSWER,
        "stops after 11 layers, but TinyVGG goes on with Linear",
    ),
    "avg-pool-extra-parameter": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("extra-parameter"), False, pool_images()), False, WRONG_ANSWER,
        "7,741 parameters",
    ),
    "avg-pool-skips-block-2": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("skip-block-2"), False, pool_images()), False, WRONG_ANSWER,
        "block_1, block_2, then the classifier",
    ),
    "avg-pool-no-classifier": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("no-classifier"), False, pool_images()), False, WRONG_ANSWER,
        "expected [8, 10]",
    ),
    "avg-pool-softmax": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool("softmax"), False, pool_images()), False, WRONG_ANSWER, "logits as they are",
    ),
    "avg-pool-prediction-todo": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool(), None, pool_images()), False, TODO, "params_change",
    ),
    "avg-pool-prediction-text": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool(), "no", pool_images()), False, WRONG_ANSWER, "True or False",
    ),
    "avg-pool-prediction-wrong": (
        checks.check_avg_pool_tiny_vgg, lambda: (avg_pool(), True, pool_images()), False, WRONG_ANSWER, "no weights",
    ),
})


@functools.lru_cache(maxsize=None)
def validation_setup() -> dict:
    """Exercise 22 in small: 300 real images split 250 / 50, 200 more as the test images,
    and three 'trained' models whose accuracies differ on the three sets."""
    images, labels = curve_data().tensors
    practice = TensorDataset(images[:300], labels[:300])
    train_part, val_part = torch.utils.data.random_split(practice, [250, 50], generator=torch.Generator().manual_seed(0))
    train_index = torch.tensor(train_part.indices)
    models = {0.01: ConstantModel(), 0.1: LookupModel(images[train_index], labels[train_index]),
              0.5: LookupModel(images[train_index[:40]], labels[train_index[:40]])}
    return {"practice": practice, "train": train_part, "val": val_part, "models": models,
            "test_images": images[300:], "test_labels": labels[300:]}


def accuracy_on(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.inference_mode():
        return hf.accuracy_fn(labels, model(images).argmax(dim=1))


def validation_args(measure_on: str = "val", best: str = "val", split=None, **overrides) -> tuple:
    """Arguments for check_validation_choice: accuracies measured on ``measure_on``, the
    learning rate chosen by ``best`` ("val", "test" or "worst"), any answer overridden."""
    setup = validation_setup()
    images, labels = setup["practice"].tensors
    sets = {name: (images[torch.tensor(part.indices)], labels[torch.tensor(part.indices)])
            for name, part in (("val", setup["val"]), ("train", setup["train"]))}
    sets["test"] = (setup["test_images"], setup["test_labels"])
    accuracies = {name: {lr: accuracy_on(model, *data) for lr, model in setup["models"].items()} for name, data in sets.items()}
    val_acc_by_lr = dict(accuracies[measure_on])
    if best == "worst":
        best_lr = min(accuracies["val"], key=accuracies["val"].get)
    else:
        best_lr = max(accuracies[best], key=accuracies[best].get)
    train_part, val_part = split or (setup["train"], setup["val"])
    answers = {"train_part": train_part, "val_part": val_part, "models_by_lr": dict(setup["models"]),
               "val_acc_by_lr": val_acc_by_lr, "best_lr": best_lr, "chosen_test_acc": accuracies["test"][best_lr]} | overrides
    return (setup["practice"], answers["train_part"], answers["val_part"], answers["models_by_lr"], answers["val_acc_by_lr"],
            answers["best_lr"], answers["chosen_test_acc"], setup["test_images"], setup["test_labels"], (250, 50))


def overlapping_split() -> tuple:
    practice = validation_setup()["practice"]
    return torch.utils.data.Subset(practice, list(range(250))), torch.utils.data.Subset(practice, list(range(200, 250)))


CASES.update({
    # Exercise 22
    "validation-right": (checks.check_validation_choice, lambda: validation_args(), True, OK, "tested once"),
    "validation-todo": (checks.check_validation_choice, lambda: validation_args(train_part=None, val_part=None), False, TODO,
                        "random_split"),
    "validation-not-a-subset": (checks.check_validation_choice,
                                lambda: validation_args(train_part=validation_setup()["practice"]), False, WRONG_ANSWER, "Subset"),
    "validation-wrong-sizes": (checks.check_validation_choice, lambda: validation_args(split=tuple(
        torch.utils.data.random_split(validation_setup()["practice"], [200, 100], generator=torch.Generator().manual_seed(0)))),
        False, WRONG_ANSWER, "into 250 and 50"),
    "validation-overlap": (checks.check_validation_choice, lambda: validation_args(split=overlapping_split()), False,
                           WRONG_ANSWER, "in both parts"),
    "validation-measured-on-test": (checks.check_validation_choice, lambda: validation_args(measure_on="test"), False,
                                    WRONG_ANSWER, "accuracy on the test images"),
    "validation-measured-on-train": (checks.check_validation_choice, lambda: validation_args(measure_on="train"), False,
                                     WRONG_ANSWER, "accuracy on the training part"),
    "validation-fraction": (checks.check_validation_choice, lambda: validation_args(
        val_acc_by_lr={lr: acc / 100 for lr, acc in validation_args()[4].items()}), False, WRONG_ANSWER, "fraction"),
    "validation-worst-chosen": (checks.check_validation_choice, lambda: validation_args(best="worst"), False, WRONG_ANSWER,
                                "highest validation accuracy"),
    "validation-wrong-test-acc": (checks.check_validation_choice, lambda: validation_args(chosen_test_acc=99.0), False,
                                  WRONG_ANSWER, "on the test images"),
    "validation-one-candidate": (checks.check_validation_choice, lambda: validation_args(
        models_by_lr={0.1: validation_setup()["models"][0.1]}, val_acc_by_lr={0.1: validation_args()[4][0.1]}, best_lr=0.1),
        False, WRONG_ANSWER, "at least two"),
})


def challenge_args(model=None, seconds=120.0, course_acc=None) -> tuple:
    """Arguments for check_challenge on 200 real images: by default a model that knows
    them all (100%) against a course accuracy of 88%. On 200 images an accuracy of 88%
    has a standard error of 2.30 points, so the bar is 92.60%."""
    images, labels = curve_data().tensors
    model = model if model is not None else LookupModel(images[:200], labels[:200])
    return model, seconds, images[:200], labels[:200], 88.0 if course_acc is None else course_acc


def knows_all_but(n_wrong: int) -> nn.Module:
    """A model that knows challenge_args' 200 images but gets the first ``n_wrong`` wrong."""
    images, labels = curve_data().tensors
    remembered = labels[:200].clone()
    remembered[:n_wrong] = (remembered[:n_wrong] + 1) % 10
    return LookupModel(images[:200], remembered)


class TwoScores(nn.Module):
    """A classifier with the wrong number of outputs."""

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(784, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x.flatten(1))


CASES.update({
    # Exercise 23
    "challenge-right": (checks.check_challenge, lambda: challenge_args(), True, OK, "the one to report"),
    "challenge-todo": (checks.check_challenge, lambda: (None, None, *challenge_args()[2:]), False, TODO, "challenge_train_seconds"),
    "challenge-not-a-model": (checks.check_challenge, lambda: challenge_args(model="TinyVGG"), False, WRONG_ANSWER, "nn.Module"),
    "challenge-too-slow": (checks.check_challenge, lambda: challenge_args(seconds=400.0), False, WRONG_ANSWER, "allows 5"),
    "challenge-bad-seconds": (checks.check_challenge, lambda: challenge_args(seconds="2 min"), False, WRONG_ANSWER, "default_timer"),
    "challenge-two-outputs": (checks.check_challenge, lambda: challenge_args(model=TwoScores()), False, WRONG_ANSWER, "one score per class"),
    "challenge-crashes": (checks.check_challenge, lambda: challenge_args(model=nn.Linear(3, 10)), False, WRONG_ANSWER, "failed"),
    "challenge-not-beaten": (checks.check_challenge, lambda: challenge_args(model=ConstantModel()), False, WRONG_ANSWER,
                             "not beaten yet"),
    "challenge-tie-is-not-a-win": (checks.check_challenge, lambda: challenge_args(course_acc=100.0), False, WRONG_ANSWER,
                                   "not beaten yet"),
    # 90% beats 88% but stays below the bar of 92.60%: within the noise of 200 images
    "challenge-within-the-noise": (checks.check_challenge, lambda: challenge_args(model=knows_all_but(20)), False,
                                   WRONG_ANSWER, "within the noise"),
    "challenge-just-below-the-bar": (checks.check_challenge, lambda: challenge_args(model=knows_all_but(15)), False,
                                     WRONG_ANSWER, "a win needs 92.60%"),
    "challenge-just-above-the-bar": (checks.check_challenge, lambda: challenge_args(model=knows_all_but(14)), True, OK,
                                     "beyond the noise"),
})


def RESULTS() -> pd.DataFrame:  # noqa: N802 (reads like the constant it stands for)
    return pd.DataFrame(
        {
            "model_name": ["FashionMNISTModelV0", "FashionMNISTModelV1", "FashionMNISTModelV2"],
            "model_loss": [0.5, 0.7, 0.35],
            "model_acc": [83.4, 75.0, 88.4],
            "train_time": [30.5, 35.1, 60.2],
        }
    )


@pytest.mark.parametrize("case", list(CASES))
def test_check_function(case, capsys):
    check, make_args, expected, prefix, words = CASES[case]
    result = check(*make_args())
    printed = capsys.readouterr().out
    assert result is expected, f"{check.__name__} returned {result}, printing {printed!r}"
    assert printed.startswith(prefix), printed
    assert words in printed, f"expected {words!r} in {printed!r}"
    assert printed.count("\n") == 1, f"a check prints one line, got {printed!r}"


# Exercise 13 on each kind of machine: (accelerator PyTorch reports, timing_device, gpu_time,
# expected result, start of the message, words in it).
TIMING_ON_MACHINES = {
    "cpu-only-right": (None, "cpu", None, True, OK, "only the CPU was timed"),
    "cpu-only-cuda": (None, "cuda", None, False, WRONG_ANSWER, "no 'cuda' accelerator"),
    "cpu-only-mps": (None, "mps", None, False, WRONG_ANSWER, "no 'mps' accelerator"),
    "cpu-only-gpu-time": (None, "cpu", 0.5, False, WRONG_ANSWER, "stay None"),
    "cuda-right": ("cuda", "cuda", 0.5, True, OK, "on 'cuda'"),
    "cuda-indexed-right": ("cuda", "cuda:0", 0.5, True, OK, "on 'cuda'"),
    "cuda-cpu-chosen": ("cuda", "cpu", 0.5, False, WRONG_ANSWER, "accelerator is 'cuda'"),
    "cuda-no-gpu-time": ("cuda", "cuda", None, False, WRONG_ANSWER, "gpu_time"),
    "mps-right": ("mps", "mps", 0.5, True, OK, "on 'mps'"),
    "mps-cuda-chosen": ("mps", "cuda", 0.5, False, WRONG_ANSWER, "accelerator is 'mps'"),
    "mps-cpu-chosen": ("mps", "cpu", 0.5, False, WRONG_ANSWER, "accelerator is 'mps'"),
    "mps-no-gpu-time": ("mps", "mps", None, False, WRONG_ANSWER, "'mps' accelerator: time the same training"),
}


@pytest.mark.parametrize("case", list(TIMING_ON_MACHINES))
def test_device_timing_on_each_machine(case, monkeypatch, capsys):
    """What PyTorch reports decides the expected device: "cuda", "mps" or "cpu"."""
    accelerator, device, gpu_time, expected, prefix, words = TIMING_ON_MACHINES[case]
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: accelerator is not None)
    monkeypatch.setattr(torch.accelerator, "current_accelerator",
                        lambda *args, **kwargs: torch.device(accelerator) if accelerator else None)
    result = checks.check_device_timing(device, honest_timer, 1.5, gpu_time)
    printed = capsys.readouterr().out
    assert result is expected and printed.startswith(prefix), printed
    assert words in printed and printed.count("\n") == 1, printed


def test_every_check_function_is_tested():
    names = {name for name, _ in inspect.getmembers(checks, inspect.isfunction) if name.startswith("check_")}
    tested = {check.__name__ for check, *_ in CASES.values()}
    assert names == tested, f"check functions without tests: {sorted(names - tested)}"


def test_every_check_function_has_a_wrong_answer_and_a_not_done_case():
    for name in {check.__name__ for check, *_ in CASES.values()}:
        prefixes = {prefix for check, _, _, prefix, _ in CASES.values() if check.__name__ == name}
        assert {OK, WRONG_ANSWER, TODO} <= prefixes, f"{name} lacks a right, wrong or not-done case"


def test_checks_leave_a_model_in_train_mode():
    model = LookupModel(TEST_IMAGES, TEST_LABELS)
    model.train()
    checks.check_model_accuracy(model, TEST_IMAGES, TEST_LABELS, threshold=50)
    assert model.training


def test_check_training_loop_leaves_the_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    checks.check_training_loop(loop(), DEVICE)
    assert torch.equal(torch.rand(3), expected)


# Whole check cells, as a student runs them, fed wrong answers.
WRONG_ANSWERS_IN_CELLS = {
    "ex-1": ({"train_len": 10_000, "test_len": 60_000, "image_shape": (1, 28, 28)}, "swapped"),
    "ex-3": ({"model_0": hf.FashionMNISTModelV1(784, 10, 10)}, "ReLU"),
    "ex-5": ({"train_one_epoch": loop(zero_grad=False), "device": DEVICE}, "zero_grad"),
    "ex-6": ({"loss_values": [5.0, 4.0, 3.0, 2.0, 1.0]}, "not the losses"),
    "ex-9": ({"conv_output_size": lambda n, k, s=1, p=0: (n - k) // s}, "off by one"),
    "ex-16": ({"NonLinearModel": hf.FashionMNISTModelV1}, "go negative"),
    "ex-17": ({"TinyVGG": tiny_vgg("in-features")}, "= 490"),
    "ex-18": (dict(zip(["ce_probs", "ce_losses", "torch_loss"], ce_answer(torch_loss=nn.CrossEntropyLoss()(ce_probs(), CE_LABELS)))),
              "given the probabilities"),
    "ex-19": ({"conv_output_at": conv_by_hand("centred")}, "centres the window"),
    "ex-20": ({"receptive_field": field("no jump"), "tinyvgg_layers": TINY_VGG_PAIRS, "tinyvgg_field": 11}, "(the jump)"),
    "ex-21": ({"AvgPoolTinyVGG": hf.FashionMNISTModelV2, "params_change": False}, "nn.MaxPool2d"),
}


def check_cell_namespace() -> dict:
    """What a check cell finds before its exercise is answered: the checks and the setup."""
    checks_by_name = {name: getattr(checks, name) for name in dir(checks) if name.startswith("check_")}
    conv_image, conv_1, feature_maps, conv_2 = conv_setup()
    return checks_by_name | {
        "device": DEVICE, "curve_data": curve_data(), "test_images": curve_data().tensors[0],
        "ce_logits": CE_LOGITS, "ce_labels": CE_LABELS,
        "conv_image": conv_image, "conv_1": conv_1, "feature_maps": feature_maps, "conv_2": conv_2,
    }


def first_check_cell(ex_id: str) -> tuple[list, object]:
    """The fill-in cells of exercise ``ex_id`` up to its first check cell, and that check cell."""
    fill_ins = []
    for cell in EXERCISE_CELLS:
        if exercise_id(cell) != ex_id:
            continue
        if "check" in tags(cell):
            return fill_ins, cell
        if "exercise" in tags(cell) and cell.cell_type == "code":
            fill_ins.append(cell)
    raise AssertionError(f"{ex_id} has no check cell")


@pytest.mark.parametrize("ex_id", list(WRONG_ANSWERS_IN_CELLS))
def test_a_check_cell_fed_a_wrong_answer_says_what_is_wrong(ex_id, capsys):
    answers, words = WRONG_ANSWERS_IN_CELLS[ex_id]
    _, cell = first_check_cell(ex_id)
    namespace = check_cell_namespace() | answers
    exec(compile(cell.source, f"{ex_id} check cell", "exec"), namespace)
    printed = capsys.readouterr().out
    assert printed.startswith("❌") and words in printed, printed


@pytest.mark.parametrize("ex_id", list(WRONG_ANSWERS_IN_CELLS))
def test_a_check_cell_after_the_untouched_template_says_not_done(ex_id, capsys):
    fill_ins, cell = first_check_cell(ex_id)
    namespace = check_cell_namespace() | {"nn": nn, "torch": torch, "set_seeds": hf.set_seeds, "hf": hf}
    for fill_in in fill_ins:  # the template as the student finds it: placeholders only
        exec(compile(fill_in.source, f"{ex_id} fill-in cell", "exec"), namespace)
    capsys.readouterr()
    exec(compile(cell.source, f"{ex_id} check cell", "exec"), namespace)
    assert capsys.readouterr().out.startswith("⏳ Not done yet")
