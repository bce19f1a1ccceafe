"""The self-checks of the exercises (notebooks 10 and 11).

Each ``check_*`` function looks at a student's answer, prints one line and
returns True only when the answer is right:

    ✅ what is right   |   ❌ what is wrong, and a hint   |   ⏳ not done yet, and a hint

An answer that is None or ``...`` (the placeholders of the fill-in cells), or a
function that still raises NotImplementedError, counts as "not done yet", so a
check cell runs without errors before its exercise is solved. A function the
student wrote that raises any other exception gets a ❌ line too, naming the
exception's type and its message's first line: a check never prints a traceback.

The module follows notebook 10: first the helpers that several checks share, then
one section per exercise, in the order of the exercises, each holding its checks
after the helpers only they use. (Exercises 10 and 11 ask for written answers and
have no check.)
"""
from __future__ import annotations

import contextlib
import io
import random
from timeit import default_timer as timer

import numpy as np
import torch
from torch import nn

from helper_functions import FashionMNISTModelV0, FashionMNISTModelV2, accuracy_fn, make_batch_loader, train_step


# --- Helpers shared by several exercises' checks ---

def _check_ok(message: str) -> bool:
    print(f"✅ {message}")
    return True


def _check_wrong(message: str) -> bool:
    print(f"❌ {message}")
    return False


def _check_todo(hint: str) -> bool:
    print(f"⏳ Not done yet: {hint}")
    return False


def _missing(*answers) -> bool:
    """Whether any answer is still a placeholder (None or ...)."""
    return any(answer is None or answer is Ellipsis for answer in answers)


def _shape_text(shape) -> str:
    return "[" + ", ".join(str(int(n)) for n in shape) + "]"


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _as_label_tensor(value, name: str) -> tuple[torch.Tensor | None, str | None]:
    """``value`` (tensor, NumPy array or list of ints) as a 1-D int64 CPU tensor,
    or None and the reason it isn't one."""
    try:
        tensor = torch.as_tensor(value).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        return None, f"{name} should be a tensor (or list) of integers, got {type(value).__name__}."
    if tensor.is_floating_point():
        return None, f"{name} holds floats ({tensor.dtype}); it should hold integers (torch.long)."
    return tensor, None


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _predict_labels(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """``model``'s predicted label for each image, in batches, on the CPU. Leaves
    the model in the train/eval mode it was in."""
    device = _model_device(model)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            batches = [
                model(images[i : i + batch_size].to(device)).argmax(dim=1).cpu()
                for i in range(0, len(images), batch_size)
            ]
    finally:
        model.train(was_training)
    return torch.cat(batches)


def _error_text(error: Exception) -> str:
    """An exception as the student needs it: its type and its message's first line."""
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def _call_student(fn, *args, call: str, todo: str, **kwargs) -> tuple[object, bool | None]:
    """Call ``fn``, a function the student wrote (or one that calls it): ``(its result, None)``
    when it returns; when it raises, ``(None, False)``, False being the verdict the check
    then returns, after printing the check's one line: ⏳ ``todo`` for NotImplementedError
    (what the untouched template raises), else ❌ "``call`` raised ValueError: ..." with the
    message's first line only, since a message can span several lines."""
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, _check_todo(todo)
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return None, _check_wrong(f"{call} raised {_error_text(error)}")


def _call(model: nn.Module, batch: torch.Tensor, class_name: str) -> tuple[torch.Tensor | None, str | None]:
    """``model(batch)`` without gradients, or None and why it failed. (Unlike in
    ``_call_student``, a NotImplementedError is a mistake here: it is what calling a
    model without a forward() raises.)"""
    try:
        with torch.no_grad():
            return model(batch), None
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return None, f"calling {class_name} on a batch of shape {_shape_text(batch.shape)} failed ({_error_text(error)})."


def _create(model_class, class_name: str, **kwargs) -> tuple[nn.Module | None, str | None]:
    """An instance of the student's model class, built without touching their
    random state, or None and what went wrong."""
    if not (isinstance(model_class, type) and issubclass(model_class, nn.Module)):
        return None, f"{class_name} should be a class that subclasses nn.Module, got {type(model_class).__name__}."
    arguments = ", ".join(f"{key}={value}" for key, value in kwargs.items())
    try:
        with torch.random.fork_rng(devices=[]):
            return model_class(**kwargs), None
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return None, f"{class_name}({arguments}) failed ({_error_text(error)}): keep those three arguments."


def _layer_text(layer: nn.Module) -> str:
    return repr(layer).replace("\n", " ")


# --- Exercise 1: Dataset sizes ---

def check_dataset_sizes(train_len, test_len, image_shape) -> bool:
    """Exercise 1: the number of training and test samples and one image's shape."""
    if _missing(train_len, test_len, image_shape):
        return _check_todo("set train_len and test_len with len() on each split, and image_shape to one image's .shape.")
    for name, value in (("train_len", train_len), ("test_len", test_len)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            return _check_wrong(
                f"{name} should be an int, got {type(value).__name__}: count the samples with len(dataset)."
            )
    if (train_len, test_len) == (10_000, 60_000):
        return _check_wrong("train_len and test_len are swapped: the training split is the big one.")
    if train_len != 60_000:
        return _check_wrong(f"train_len is {train_len:,}, expected 60,000: use len(train_data) on the train=True split.")
    if test_len != 10_000:
        return _check_wrong(f"test_len is {test_len:,}, expected 10,000: use len(test_data) on the train=False split.")
    try:
        shape = tuple(int(n) for n in image_shape)
    except (TypeError, ValueError):
        return _check_wrong(f"image_shape should be a shape such as image.shape, got {type(image_shape).__name__}.")
    if shape == (28, 28):
        return _check_wrong(
            "image_shape is [28, 28]: the colour channel dimension is missing. Take the shape of the "
            "tensor ToTensor() gives, before any squeeze()."
        )
    if shape == (28, 28, 1):
        return _check_wrong("image_shape is [28, 28, 1], channels last: PyTorch puts the channels first.")
    if shape != (1, 28, 28):
        return _check_wrong(f"image_shape is {_shape_text(shape)}, expected [1, 28, 28] (channels, height, width).")
    return _check_ok("60,000 training and 10,000 test samples; each image is [1, 28, 28] (channels, height, width).")


# --- Exercise 2: Random samples ---

def check_random_samples(sample_idxs, sample_images, sample_labels, dataset, n: int = 16) -> bool:
    """Exercise 2: ``n`` distinct random indices into ``dataset``, and their images
    stacked into one ``[n, C, H, W]`` tensor and labels into an ``[n]`` tensor."""
    if _missing(sample_idxs, sample_images, sample_labels):
        return _check_todo(
            f"pick {n} distinct random indices (torch.randperm), then stack their images and labels into tensors."
        )
    idxs, problem = _as_label_tensor(sample_idxs, "sample_idxs")
    if problem:
        return _check_wrong(problem)
    if idxs.ndim != 1 or len(idxs) != n:
        return _check_wrong(f"sample_idxs should hold {n} indices in a row, got shape {_shape_text(idxs.shape)}.")
    out_of_range = [i for i in idxs.tolist() if not 0 <= i < len(dataset)]
    if out_of_range:
        return _check_wrong(
            f"index {out_of_range[0]} is out of range: the dataset's indices run from 0 to {len(dataset) - 1}. "
            "(random.randint(a, b) can return b itself.)"
        )
    if len(set(idxs.tolist())) < n:
        repeated = next(i for i in idxs.tolist() if idxs.tolist().count(i) > 1)
        return _check_wrong(
            f"index {repeated} appears more than once: torch.randperm(len(dataset))[:{n}] picks distinct indices."
        )
    if idxs.tolist() == list(range(n)):
        return _check_wrong(f"these are the first {n} samples, not random ones.")
    first_image = dataset[0][0]
    expected_shape = (n, *first_image.shape)
    if not isinstance(sample_images, torch.Tensor):
        return _check_wrong(
            f"sample_images should be one tensor, got {type(sample_images).__name__}: use torch.stack(list_of_images)."
        )
    if tuple(sample_images.shape) != expected_shape:
        hint = ""
        if tuple(sample_images.shape) == (n, *first_image.shape[1:]):
            hint = " Did you squeeze() out the channel dimension? Keep it; squeeze only for plotting."
        return _check_wrong(
            f"sample_images has shape {_shape_text(sample_images.shape)}, expected {_shape_text(expected_shape)}.{hint}"
        )
    labels, problem = _as_label_tensor(sample_labels, "sample_labels")
    if problem:
        return _check_wrong(problem)
    if tuple(labels.shape) != (n,):
        return _check_wrong(f"sample_labels has shape {_shape_text(labels.shape)}, expected [{n}]: one label per image.")
    for position, index in enumerate(idxs.tolist()):
        image, label = dataset[index]
        if not torch.equal(sample_images[position].cpu(), image):
            return _check_wrong(
                f"sample_images[{position}] is not the image at index {index}: keep the images in "
                "the order of sample_idxs."
            )
        if int(labels[position]) != int(label):
            return _check_wrong(
                f"sample_labels[{position}] is {int(labels[position])}, but the label at index {index} is {int(label)}."
            )
    return _check_ok(
        f"{n} distinct random samples: images {_shape_text(expected_shape)}, labels [{n}], all matching the dataset."
    )


# --- Exercise 3: The baseline model ---

def check_baseline_model(model, input_shape: int = 784, hidden_units: int = 10, output_shape: int = 10) -> bool:
    """Exercise 3: Flatten -> Linear -> Linear and no activation functions."""
    if _missing(model):
        return _check_todo("fill layer_stack with nn.Flatten() and two nn.Linear layers, then create model_0.")
    if not isinstance(model, nn.Module):
        return _check_wrong(f"model_0 should be an nn.Module, got {type(model).__name__}: create an instance of your class.")
    if next(model.parameters(), None) is None:
        return _check_wrong("model_0 has no parameters: layer_stack needs nn.Flatten() and two nn.Linear layers.")
    activations = [type(m).__name__ for m in model.modules() if type(m).__module__ == "torch.nn.modules.activation"]
    if activations:
        return _check_wrong(
            f"model_0 contains {', '.join(activations)}: the baseline is purely linear "
            "(non-linear activations come with Model 1)."
        )
    if not any(isinstance(m, nn.Flatten) for m in model.modules()):
        return _check_wrong("model_0 has no nn.Flatten(): each [1, 28, 28] image must become 784 numbers first.")
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 2:
        return _check_wrong(f"model_0 has {len(linears)} nn.Linear layers, expected 2.")
    output, problem = _call(model, torch.zeros(2, 1, 28, 28, device=_model_device(model)), "model_0")
    if problem:
        return _check_wrong(problem + f" Is input_shape {input_shape} (28 * 28)?")
    if tuple(output.shape) != (2, output_shape):
        return _check_wrong(
            f"model_0 turns a batch of 2 images into shape {_shape_text(output.shape)}, expected [2, {output_shape}]: "
            "one logit per class."
        )
    if linears[0].out_features != hidden_units:
        return _check_wrong(f"the hidden layer has {linears[0].out_features} units, expected hidden_units={hidden_units}.")
    n_params = sum(p.numel() for p in model.parameters())
    return _check_ok(
        f"Flatten -> Linear({input_shape}, {hidden_units}) -> Linear({hidden_units}, {output_shape}), "
        f"{n_params:,} parameters, output [2, {output_shape}] for 2 images."
    )


# --- Exercise 4: Loss function and optimizer ---

def check_loss_and_optimizer(loss_fn, optimizer, model, lr: float = 0.1) -> bool:
    """Exercise 4: cross-entropy loss and SGD with learning rate ``lr`` on ``model``'s parameters."""
    if _missing(loss_fn, optimizer):
        return _check_todo("create loss_fn and optimizer (SGD, lr=0.1, on baseline_model's parameters).")
    if loss_fn is nn.CrossEntropyLoss:
        return _check_wrong("loss_fn is the class nn.CrossEntropyLoss itself: create one with nn.CrossEntropyLoss().")
    if not isinstance(loss_fn, nn.CrossEntropyLoss):
        return _check_wrong(
            f"loss_fn is {type(loss_fn).__name__}: for picking one of 10 classes use nn.CrossEntropyLoss()."
        )
    if not isinstance(optimizer, torch.optim.Optimizer):
        return _check_wrong(
            f"optimizer should be a torch.optim optimizer, got {type(optimizer).__name__}: "
            "create one with torch.optim.SGD(params=..., lr=...)."
        )
    if not isinstance(optimizer, torch.optim.SGD):
        return _check_wrong(f"optimizer is {type(optimizer).__name__}: the exercise asks for torch.optim.SGD.")
    learning_rates = {group["lr"] for group in optimizer.param_groups}
    if learning_rates != {lr}:
        return _check_wrong(f"the learning rate is {', '.join(map(str, sorted(learning_rates)))}, expected lr={lr}.")
    optimised = {id(p) for group in optimizer.param_groups for p in group["params"]}
    wanted = {id(p) for p in model.parameters()}
    if optimised != wanted:
        return _check_wrong(
            "the optimizer does not hold exactly baseline_model's parameters: pass baseline_model.parameters()."
        )
    return _check_ok(f"nn.CrossEntropyLoss() and SGD with lr={lr} over all {len(wanted)} parameter tensors of the model.")


# --- Exercise 5: The training loop ---

def _reference_batches(model, data_loader, loss_fn, optimizer, device) -> list[tuple[float, float, int]]:
    """The reference loop (helper_functions.train_step's steps): one epoch, and per batch
    its loss, its accuracy (%) and its number of samples, for telling mistakes apart."""
    model.train()
    batches = []
    for X, y in data_loader:
        X, y = X.to(device), y.to(device)
        y_logits = model(X)
        loss = loss_fn(y_logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        batches.append((loss.item(), accuracy_fn(y, y_logits.argmax(dim=1)), len(y)))
    return batches


def _epoch_summaries(batches: list[tuple[float, float, int]]) -> dict[str, tuple[float, float]]:
    """(loss, accuracy) of an epoch, summed up the right way ("per sample": each batch
    weighted by its size) and in the usual wrong ways."""
    n_samples = sum(size for _, _, size in batches)
    losses, accs = [loss for loss, _, _ in batches], [acc for _, acc, _ in batches]
    return {
        "per sample": (sum(loss * size for loss, _, size in batches) / n_samples,
                       sum(acc * size for _, acc, size in batches) / n_samples),
        "mean of batches": (sum(losses) / len(batches), sum(accs) / len(batches)),
        "sum of batches": (sum(losses), sum(accs)),
        "weighted sum": (sum(loss * size for loss, _, size in batches), sum(acc * size for _, acc, size in batches)),
    }


def _training_loop_problem(device) -> tuple[nn.Module, torch.utils.data.DataLoader]:
    """Exercise 5's made-up problem: 100 random images in batches of 32, so the last
    batch holds 4 and a mean over batches differs from a mean over samples."""
    with torch.random.fork_rng(devices=[]):  # leave the student's random state alone
        torch.manual_seed(0)
        X = torch.rand(100, 1, 28, 28)
        y = torch.randint(0, 10, (100,))
        start_model = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10).to(device)
    return start_model, make_batch_loader(torch.utils.data.TensorDataset(X, y), batch_size=32)


def _weights_problem(model, start_model, reference_model) -> str | None:
    """What is wrong with the weights after the student's epoch, or None."""
    if all(torch.equal(p, q) for p, q in zip(model.parameters(), start_model.parameters())):
        return "the weights did not change: every batch needs loss.backward() and then optimizer.step()."
    if not all(torch.allclose(p, q, atol=1e-6) for p, q in zip(model.parameters(), reference_model.parameters())):
        return ("the weights changed, but not as a standard training loop changes them: per batch, do the "
                "forward pass, the loss, optimizer.zero_grad() (or gradients pile up), loss.backward(), optimizer.step().")
    return None


def _close(value, expected: float, tolerance: float) -> bool:
    return _is_number(value) and abs(value - expected) <= tolerance


def _result_problem(result, summaries: dict[str, tuple[float, float]]) -> str | None:
    """What is wrong with the (loss, accuracy) the student's epoch returned, or None."""
    if result is None:
        return "train_one_epoch returned None: return (total_loss / n_samples, total_acc / n_samples)."
    values = result if isinstance(result, (tuple, list)) else (result,)
    if any(isinstance(value, torch.Tensor) for value in values):
        return ("train_one_epoch returned a tensor: add up loss.item() (a Python float), not the loss tensor, "
                "so no batch's computation graph is kept alive.")
    if len(values) != 2 or not all(_is_number(value) for value in values):
        return (f"train_one_epoch returned {result!r}: return a tuple of two numbers, (loss, accuracy), "
                "as train_step does.")
    loss, acc = values
    right_loss, right_acc = summaries["per sample"]
    if _close(loss, right_acc, 1e-3) and _close(acc, right_loss, 1e-4):
        return "train_one_epoch returned (accuracy, loss): return the loss first, (loss, accuracy)."
    for way, (wrong_loss, wrong_acc) in summaries.items():
        # A value counts as this mistake only where the mistake gives another value than the right way.
        wrong_way_loss = _close(loss, wrong_loss, 1e-4) and not _close(loss, right_loss, 1e-4)
        wrong_way_acc = _close(acc, wrong_acc, 1e-3) and not _close(acc, right_acc, 1e-3)
        if way != "per sample" and (wrong_way_loss or wrong_way_acc):
            return _SUMMARY_MISTAKES[way]
    if _close(acc, right_acc / 100, 1e-5):
        return ("train_one_epoch returned the accuracy as a fraction between 0 and 1: return it in percent "
                "(0-100), as accuracy_fn gives it.")
    if not _close(loss, right_loss, 1e-4):
        return (f"train_one_epoch returned a loss of {loss:.4f}, but the epoch's mean loss per sample was "
                f"{right_loss:.4f}: add up loss.item() * len(y) per batch and divide by the number of samples.")
    if not _close(acc, right_acc, 1e-3):
        return (f"train_one_epoch returned an accuracy of {acc:.2f}%, but the epoch's accuracy per sample was "
                f"{right_acc:.2f}%: add up accuracy_fn(y, y_logits.argmax(dim=1)) * len(y) per batch, using the "
                "logits of the forward pass, and divide by the number of samples.")
    return None


_SUMMARY_MISTAKES = {
    "mean of batches": (
        "train_one_epoch returned the mean of the per-batch values, so the small last batch counts as much as a "
        "full one: weight each batch by its size, total_loss += loss.item() * len(y) (the same for the accuracy), "
        "then divide by the number of samples."
    ),
    "sum of batches": (
        "train_one_epoch returned the sum of the per-batch values: weight each batch by its size, "
        "total_loss += loss.item() * len(y), then divide by the number of samples."
    ),
    "weighted sum": (
        "train_one_epoch returned the sum over the samples: divide it by the number of samples "
        "(len(data_loader.dataset), or count len(y) per batch)."
    ),
}


TRAINING_LOOP_TODO = (
    "write train_one_epoch(model, data_loader, loss_fn, optimizer, device): the five steps per batch, "
    "returning the epoch's (loss, accuracy) per sample."
)


def check_training_loop(train_one_epoch, device: torch.device | str = "cpu") -> bool:
    """Exercise 5: ``train_one_epoch(model, data_loader, loss_fn, optimizer, device)`` runs
    one epoch of the five training steps and returns ``(loss, accuracy)``: the epoch's mean
    loss and accuracy (%) per sample, each batch weighted by its size, as ``train_step`` does.

    It is run on a small made-up problem next to a reference loop, from the same
    starting weights; both must end with the same weights and the same results."""
    import copy

    if _missing(train_one_epoch):
        return _check_todo(TRAINING_LOOP_TODO)
    if not callable(train_one_epoch):
        return _check_wrong(f"train_one_epoch should be a function, got {type(train_one_epoch).__name__}.")
    start_model, loader = _training_loop_problem(device)

    def run(fn):
        model = copy.deepcopy(start_model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        return model, fn(model, loader, nn.CrossEntropyLoss(), optimizer, device)

    with torch.random.fork_rng(devices=[]):  # iterating a DataLoader draws from the random state
        reference_model, batches = run(_reference_batches)
        ran, verdict = _call_student(run, train_one_epoch, call="train_one_epoch", todo=TRAINING_LOOP_TODO)
    if verdict is not None:
        return verdict
    model, result = ran
    problem = _weights_problem(model, start_model, reference_model) or _result_problem(result, _epoch_summaries(batches))
    if problem:
        return _check_wrong(problem)
    loss, acc = result
    return _check_ok(
        f"train_one_epoch updates the weights exactly like a standard loop and returns the epoch's loss ({loss:.4f}) "
        f"and accuracy ({acc:.2f}%) per sample, each batch weighted by its size."
    )


# --- Exercise 6: A loss curve ---

def _curve_losses(data, epochs: int) -> list[float]:
    """The epoch losses of Exercise 6's setup (Model 0 seeded with 42, SGD lr 0.1,
    batches of 32 shuffled with seed 42) trained again on ``data``, on the CPU."""
    with torch.random.fork_rng(devices=[]):  # leave the student's random state alone
        torch.manual_seed(42)
        model = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        loader = make_batch_loader(data, batch_size=32, shuffle=True, seed=42)
        return [train_step(model, loader, nn.CrossEntropyLoss(), optimizer)[0] for _ in range(epochs)]


def check_loss_curve(loss_values, epochs: int, data) -> bool:
    """Exercise 6: one float training loss per epoch, the losses of training the setup
    cell's model on ``data`` (its TensorDataset) for ``epochs`` epochs."""
    if _missing(loss_values):
        return _check_todo("start with loss_values = [] and append each epoch's training loss.")
    if not isinstance(loss_values, (list, tuple)):
        return _check_wrong(f"loss_values should be a list, got {type(loss_values).__name__}.")
    if any(isinstance(value, torch.Tensor) for value in loss_values):
        return _check_wrong(
            "loss_values holds tensors: append plain floats (loss.item(), or the loss train_step returns) "
            "so the list doesn't keep every batch's computation graph alive."
        )
    if not all(_is_number(value) for value in loss_values):
        return _check_wrong("loss_values should hold numbers (the loss of each epoch).")
    if len(loss_values) == 0:
        return _check_wrong("loss_values is empty: append the loss inside the epoch loop.")
    if len(loss_values) > epochs:
        return _check_wrong(
            f"loss_values has {len(loss_values)} values for {epochs} epochs: append once per epoch, not per batch."
        )
    if len(loss_values) < epochs:
        return _check_wrong(
            f"loss_values has {len(loss_values)} values for {epochs} epochs: create the list once, before the "
            "loop, and append every epoch."
        )
    if not all(np.isfinite(value) for value in loss_values):
        return _check_wrong("loss_values contains NaN or infinity: the training diverged; try a smaller lr.")
    if loss_values[-1] >= loss_values[0]:
        return _check_wrong(
            f"the loss went from {loss_values[0]:.4f} to {loss_values[-1]:.4f}, not down: is optimizer.step() "
            "called, and is the model trained (not re-created) every epoch?"
        )
    expected = _curve_losses(data, epochs)
    if not np.allclose(loss_values, expected, rtol=0.02):
        return _check_wrong(
            f"these are not the losses of training curve_model from the setup cell: expected about "
            f"{', '.join(f'{value:.3f}' for value in expected)}. Train curve_model itself (run the setup cell "
            "again first), one train_step per epoch, and append the loss it returns."
        )
    return _check_ok(f"{epochs} epoch losses, falling from {loss_values[0]:.4f} to {loss_values[-1]:.4f}.")


# --- Exercise 7: Train and evaluate the CNN ---

def check_logits_to_labels(logits, pred_probs, pred_labels) -> bool:
    """Exercise 7: logits -> probabilities (softmax over classes) -> labels (argmax)."""
    if _missing(logits, pred_probs, pred_labels):
        return _check_todo("get test_logits from the model, then test_pred_probs with softmax, then test_pred_labels.")
    for name, value in (("test_logits", logits), ("test_pred_probs", pred_probs), ("test_pred_labels", pred_labels)):
        if not isinstance(value, torch.Tensor):
            return _check_wrong(f"{name} should be a tensor, got {type(value).__name__}.")
    logits, pred_probs, pred_labels = logits.detach().cpu(), pred_probs.detach().cpu(), pred_labels.detach().cpu()
    if logits.ndim != 2:
        return _check_wrong(
            f"test_logits has shape {_shape_text(logits.shape)}; a batch gives [n_images, n_classes]."
        )
    if pred_probs.shape != logits.shape:
        return _check_wrong(
            f"test_pred_probs has shape {_shape_text(pred_probs.shape)} but test_logits {_shape_text(logits.shape)}: "
            "softmax keeps the shape."
        )
    if torch.allclose(pred_probs, logits.sigmoid(), atol=1e-6):
        return _check_wrong("test_pred_probs is a sigmoid: for one of many classes use torch.softmax(logits, dim=1).")
    if not torch.allclose(pred_probs.sum(dim=1), torch.ones(len(pred_probs)), atol=1e-4):
        hint = ""
        if torch.allclose(pred_probs, torch.softmax(logits, dim=0), atol=1e-6):
            hint = " You took softmax over dim=0 (the images); take it over dim=1 (the classes)."
        return _check_wrong(f"each row of test_pred_probs should sum to 1.{hint}")
    if not torch.allclose(pred_probs, torch.softmax(logits, dim=1), atol=1e-6):
        return _check_wrong("test_pred_probs is not torch.softmax(test_logits, dim=1).")
    n_images = len(logits)
    if pred_labels.shape != (n_images,):
        hint = " Take argmax over dim=1 (the classes)." if pred_labels.shape == (logits.shape[1],) else ""
        return _check_wrong(
            f"test_pred_labels has shape {_shape_text(pred_labels.shape)}, expected [{n_images}]: "
            f"one label per image.{hint}"
        )
    if pred_labels.is_floating_point():
        return _check_wrong("test_pred_labels holds floats: labels are argmax indices, integers.")
    if not torch.equal(pred_labels, pred_probs.argmax(dim=1)):
        return _check_wrong("test_pred_labels is not test_pred_probs.argmax(dim=1): the most likely class per image.")
    return _check_ok(
        f"logits {_shape_text(logits.shape)} -> probabilities (each row sums to 1) -> {n_images} labels."
    )


def check_model_accuracy(model, images, labels, threshold: float, name: str = "the model") -> bool:
    """Exercises 7, 12 (through check_mnist_model) and 16: ``model``'s accuracy on
    ``images``/``labels`` beats ``threshold`` (%)."""
    if _missing(model):
        return _check_todo(f"build and train {name} first.")
    if not isinstance(model, nn.Module):
        return _check_wrong(f"{name} should be a trained nn.Module, got {type(model).__name__}.")
    try:
        preds = _predict_labels(model, images)
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return _check_wrong(
            f"calling {name} on images of shape {_shape_text(images.shape)} failed ({_error_text(error)})."
        )
    if preds.shape != labels.shape:
        return _check_wrong(
            f"{name} gave {_shape_text(preds.shape)} predictions for {len(labels)} images: it should output "
            "[n_images, n_classes] logits."
        )
    acc = accuracy_fn(labels.cpu(), preds)
    if acc < threshold:
        chance = " That is about chance level: was the model trained at all?" if acc <= 15 else ""
        return _check_wrong(
            f"{name} gets {acc:.1f}% of the {len(labels):,} test images right, below the {threshold:g}% target. "
            f"Train longer or on more images, and make sure every batch calls optimizer.step().{chance}"
        )
    return _check_ok(f"{name} gets {acc:.1f}% of the {len(labels):,} test images right, above the {threshold:g}% target.")


# --- Exercise 8: Compare accuracy and training time ---

def check_compare_results(compare_results, n_models: int = 3) -> bool:
    """Exercise 8: a DataFrame with one row per model: name, validation accuracy (%) and training time (s)."""
    import pandas as pd

    if _missing(compare_results):
        return _check_todo("collect each model's results and training time in a pandas DataFrame, compare_results.")
    if not isinstance(compare_results, pd.DataFrame):
        return _check_wrong(
            f"compare_results should be a pandas DataFrame, got {type(compare_results).__name__}: "
            "pd.DataFrame(list_of_result_dicts)."
        )
    missing = {"model_name", "model_acc", "train_time"} - set(compare_results.columns)
    if missing:
        return _check_wrong(f"compare_results has no column {', '.join(sorted(missing))}.")
    if len(compare_results) != n_models:
        return _check_wrong(f"compare_results has {len(compare_results)} rows, expected {n_models}: one per model.")
    if compare_results["model_name"].nunique() != n_models:
        return _check_wrong("some models appear twice in model_name: compare three different models.")
    accs = compare_results["model_acc"]
    if not all(_is_number(a) and 0 <= a <= 100 for a in accs):
        return _check_wrong("model_acc should hold accuracies in percent, between 0 and 100.")
    if accs.max() <= 1:
        return _check_wrong("model_acc looks like fractions (at most 1): accuracy_fn gives percentages; keep them.")
    times = compare_results["train_time"]
    if not all(_is_number(t) and t > 0 for t in times):
        return _check_wrong(
            "train_time should hold each model's training time in seconds (> 0), e.g. what print_train_time returns."
        )
    untrained = compare_results[accs < 25]
    if len(untrained):
        row = untrained.iloc[0]
        return _check_wrong(
            f"{row['model_name']} scored {row['model_acc']:.1f}%, about what guessing among 10 classes gets: "
            "train each model (one epoch) before evaluating it."
        )
    best = compare_results.loc[accs.idxmax()]
    return _check_ok(
        f"{n_models} models compared; the most accurate is {best['model_name']} ({best['model_acc']:.1f}%)."
    )


# --- Exercise 9: Kernel size and stride ---

def check_conv_output_size(conv_output_size) -> bool:
    """Exercise 9: ``conv_output_size(size, kernel_size, stride=1, padding=0)`` gives
    the height (or width) ``nn.Conv2d`` outputs, for many sizes, kernels, strides and paddings."""
    import torch.nn.functional as F

    TODO_HINT = "write conv_output_size(size, kernel_size, stride=1, padding=0) to return the output size."
    if _missing(conv_output_size):
        return _check_todo(TODO_HINT)
    if not callable(conv_output_size):
        return _check_wrong(f"conv_output_size should be a function, got {type(conv_output_size).__name__}.")
    n_cases = 0
    for size in (7, 28, 64):
        for kernel_size in (1, 2, 3, 5, 7):
            for stride in (1, 2, 3):
                for padding in (0, 1, 2):
                    if kernel_size > size + 2 * padding:
                        continue  # the kernel doesn't fit: nn.Conv2d refuses this
                    expected = F.conv2d(
                        torch.zeros(1, 1, size, size), torch.zeros(1, 1, kernel_size, kernel_size),
                        stride=stride, padding=padding,
                    ).shape[-1]
                    case = f"size={size}, kernel_size={kernel_size}, stride={stride}, padding={padding}"
                    result, verdict = _call_student(
                        conv_output_size, size, kernel_size, stride, padding,
                        call=f"conv_output_size({case})", todo=TODO_HINT,
                    )
                    if verdict is not None:
                        return verdict
                    if result is None:
                        return _check_wrong("conv_output_size returned None: did you forget the return?")
                    if not isinstance(result, (int, np.integer)) or isinstance(result, bool):
                        return _check_wrong(
                            f"conv_output_size({case}) returned {result!r}, a {type(result).__name__}: a size is "
                            "a whole number of pixels; round down with // instead of /."
                        )
                    if result != expected:
                        hint = " (off by one: count the kernel's first position too)" if abs(result - expected) == 1 else ""
                        return _check_wrong(
                            f"for {case} your function gives {result}, but nn.Conv2d outputs {expected}{hint}."
                        )
                    n_cases += 1
    return _check_ok(f"conv_output_size matches nn.Conv2d in all {n_cases} cases tried (sizes 7-64, kernels 1-7, strides 1-3).")


# --- Exercise 12: TinyVGG on MNIST ---

def _digit_images(rows) -> torch.Tensor:
    """MNIST rows of 784 pixels (0-255) as float images [N, 1, 28, 28] in [0, 1]."""
    return torch.as_tensor(rows, dtype=torch.float32).reshape(-1, 1, 28, 28) / 255


def check_mnist_tensors(images, labels, source_X, source_y, split: str = "train") -> bool:
    """Exercise 12: rows of 784 pixels (0-255) -> float32 images [N, 1, 28, 28] in [0, 1],
    and labels -> int64 [N], for the ``split`` ("train" or "test") made from ``source_X`` and ``source_y``."""
    images_name, labels_name = f"mnist_{split}_images", f"mnist_{split}_labels"
    if _missing(images, labels):
        return _check_todo(f"turn the NumPy pixels and labels into {images_name} and {labels_name} tensors.")
    n = len(source_y)
    if not isinstance(images, torch.Tensor):
        return _check_wrong(
            f"{images_name} should be a tensor, got {type(images).__name__}: torch.from_numpy() or torch.tensor()."
        )
    shape = tuple(images.shape)
    if shape == (n, 784):
        return _check_wrong(f"{images_name} is still rows of 784 pixels: reshape to [-1, 1, 28, 28].")
    if shape == (n, 28, 28):
        return _check_wrong(f"{images_name} is [N, 28, 28]: add the colour channel, [N, 1, 28, 28].")
    if shape == (n, 28, 28, 1):
        return _check_wrong(f"{images_name} is channels last, [N, 28, 28, 1]: PyTorch wants [N, 1, 28, 28].")
    if shape != (n, 1, 28, 28):
        return _check_wrong(f"{images_name} has shape {_shape_text(shape)}, expected [{n}, 1, 28, 28].")
    if images.dtype != torch.float32:
        return _check_wrong(
            f"{images_name} is {images.dtype}: the model's weights are float32, so use .float() "
            "(or dtype=torch.float32)."
        )
    if images.max() > 1 or images.min() < 0:
        return _check_wrong(
            f"pixel values run from {images.min().item():g} to {images.max().item():g}: divide by 255 to get 0-1, "
            "like ToTensor() does for FashionMNIST."
        )
    expected = _digit_images(source_X)
    if not torch.allclose(images.cpu(), expected, atol=1e-5):
        return _check_wrong(
            f"{images_name} doesn't hold the digits of the {split} rows in order: reshape each row of "
            "784 pixels to [1, 28, 28] without transposing or shuffling."
        )
    if not isinstance(labels, torch.Tensor):
        return _check_wrong(f"{labels_name} should be a tensor, got {type(labels).__name__}.")
    if labels.dtype != torch.int64:
        return _check_wrong(f"{labels_name} is {labels.dtype}: nn.CrossEntropyLoss wants int64 (torch.long) labels.")
    if tuple(labels.shape) != (n,) or not torch.equal(labels.cpu(), torch.as_tensor(source_y, dtype=torch.int64)):
        return _check_wrong(f"{labels_name} should hold the {split} labels, in the same order as the images.")
    return _check_ok(f"images [{n}, 1, 28, 28] float32 in [0, 1] and labels [{n}] int64, in order.")


def check_mnist_model(model, test_X, test_y, threshold: float = 90) -> bool:
    """Exercise 12: a model trained on the MNIST digits beats ``threshold`` (%) on
    the held-out rows ``test_X`` (784 pixels each, 0-255) and labels ``test_y``."""
    images = _digit_images(test_X)
    labels = torch.as_tensor(test_y, dtype=torch.int64)
    return check_model_accuracy(model, images, labels, threshold, name="mnist_model")


def check_mnist_predictions(pred_labels, model, test_X, test_y, n: int = 16) -> bool:
    """Exercise 12: ``model``'s predicted labels for the first ``n`` test digits
    (rows of ``test_X``), to plot against the true labels ``test_y``."""
    if _missing(model):
        return _check_todo("train mnist_model in Part B first.")
    if _missing(pred_labels):
        return _check_todo(f"predict the labels of the first {n} test digits with mnist_model.")
    labels, problem = _as_label_tensor(pred_labels, "mnist_pred_labels")
    if problem:
        return _check_wrong(problem + " Take argmax(dim=1) of the logits.")
    if tuple(labels.shape) != (n,):
        return _check_wrong(f"mnist_pred_labels has shape {_shape_text(labels.shape)}, expected [{n}]: one label per digit.")
    images = _digit_images(test_X[:n])
    targets = torch.as_tensor(test_y[:n], dtype=torch.int64)
    expected = _predict_labels(model, images)
    if torch.equal(labels, expected):
        right = int((labels == targets).sum())
        return _check_ok(f"mnist_model's labels for the first {n} test digits: {right} of {n} match the true ones.")
    if torch.equal(labels, targets):
        return _check_wrong("mnist_pred_labels holds the true labels: put mnist_model's predictions there.")
    return _check_wrong(
        f"mnist_pred_labels differs from mnist_model's predictions for the first {n} test digits in "
        f"{int((labels != expected).sum())} places: use the test digits in order, eval mode and argmax(dim=1)."
    )


# --- Exercise 13: CPU vs GPU timing ---

def _time_the_timer(time_one_epoch) -> tuple[float, float]:
    """Call the student's ``time_one_epoch("cpu")`` quietly, leaving every random
    state as it was; return what it returned and the seconds the call really took."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]), contextlib.redirect_stdout(io.StringIO()):
            start = timer()
            seconds = time_one_epoch("cpu")
            return seconds, timer() - start
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _accelerator() -> str:
    """The device type that device-agnostic code picks on this machine: the accelerator
    PyTorch finds ("cuda" for an NVIDIA GPU, "mps" for Apple's), else "cpu"."""
    accelerator = getattr(torch, "accelerator", None)  # PyTorch 2.6 and later
    if accelerator is not None and accelerator.is_available():
        return accelerator.current_accelerator().type
    return "cpu"


def _device_problem(device_type: str, device, expected: str) -> str | None:
    """Why ``device`` is not the device that device-agnostic code picks here, or None."""
    if device_type == expected:
        return None
    agnostic = 'torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"'
    if expected == "cpu":
        return (f"timing_device is {device_type!r}, but this machine has no {device_type!r} accelerator: "
                f"write device-agnostic code, {agnostic}.")
    return (f"this machine's accelerator is {expected!r}, but timing_device is {device!r}: "
            f"pick it device-agnostically ({agnostic}).")


def check_device_timing(device, time_one_epoch, cpu_time, gpu_time=None) -> bool:
    """Exercise 13: device-agnostic code, a ``time_one_epoch(device)`` that returns the
    seconds its training took (the check calls it on the CPU), and training timed on
    the CPU (and on the accelerator, "cuda" or "mps", only when there is one)."""
    if _missing(device, cpu_time):
        return _check_todo("set timing_device device-agnostically and time one epoch on the CPU (cpu_time).")
    try:
        device_type = torch.device(device).type
    except (TypeError, RuntimeError):
        return _check_wrong(f"timing_device should be 'cuda', 'mps' or 'cpu', got {device!r}.")
    expected = _accelerator()
    has_accelerator = expected != "cpu"
    problem = _device_problem(device_type, device, expected)
    if problem:
        return _check_wrong(problem)
    if not _is_number(cpu_time) or not cpu_time > 0:
        return _check_wrong(
            f"cpu_time should be a positive number of seconds (what print_train_time returns), got {cpu_time!r}."
        )
    if has_accelerator and (not _is_number(gpu_time) or not gpu_time > 0):
        return _check_wrong(
            f"there is a {expected!r} accelerator: time the same training on it too and store the seconds in gpu_time."
        )
    if not has_accelerator and gpu_time is not None:
        return _check_wrong("there is no GPU here, so gpu_time should stay None.")
    if not callable(time_one_epoch):
        return _check_wrong("time_one_epoch should be a function: def time_one_epoch(device) -> float.")
    timed, verdict = _call_student(
        _time_the_timer, time_one_epoch, call="time_one_epoch('cpu')",
        todo="write time_one_epoch(device) so that it trains and returns the seconds it took.",
    )
    if verdict is not None:
        return verdict
    seconds, elapsed = timed
    if not _is_number(seconds) or not seconds > 0:
        return _check_wrong(f"time_one_epoch('cpu') should return the seconds it took, got {seconds!r}.")
    if not 0.5 * elapsed <= seconds <= elapsed + 0.01:
        return _check_wrong(
            f"time_one_epoch('cpu') returned {seconds:.3f} s, but the call took {elapsed:.3f} s: start the timer "
            "just before training, stop it right after, and return end - start."
        )
    if has_accelerator:
        return _check_ok(f"device-agnostic code, with the training timed on the CPU and on {expected!r}.")
    return _check_ok("device-agnostic code; there is no GPU here, so only the CPU was timed.")


# --- Exercise 14: A confusion matrix ---

def check_confusion_matrix(confmat, model, images, labels, n_classes: int = 10) -> bool:
    """Exercise 14: the confusion matrix of ``model``'s predictions on ``images``,
    true classes on the rows and predicted classes on the columns."""
    if _missing(confmat):
        return _check_todo("predict a label for every test image, then build the matrix with torchmetrics' ConfusionMatrix.")
    try:
        matrix = torch.as_tensor(np.asarray(confmat.cpu() if isinstance(confmat, torch.Tensor) else confmat))
    except (TypeError, ValueError, RuntimeError, AttributeError):
        return _check_wrong(f"the confusion matrix should be a tensor or NumPy array, got {type(confmat).__name__}.")
    preds = _predict_labels(model, images)
    labels = labels.cpu()
    if tuple(matrix.shape) != (n_classes, n_classes):
        return _check_wrong(
            f"the matrix has shape {_shape_text(matrix.shape)}, expected [{n_classes}, {n_classes}]: one row and "
            "one column per class (num_classes=len(class_names))."
        )
    reference = torch.bincount(labels * n_classes + preds, minlength=n_classes**2).reshape(n_classes, n_classes)
    if matrix.is_floating_point():
        if torch.allclose(matrix.sum(dim=1), torch.ones(n_classes), atol=1e-3):
            return _check_wrong("the matrix is normalised (rows sum to 1): this exercise wants the counts.")
        if not torch.equal(matrix, matrix.round()):
            return _check_wrong("the matrix holds fractions: it should count predictions.")
        matrix = matrix.round().long()
    matrix = matrix.long()
    if torch.equal(matrix, reference):
        right = int(reference.diagonal().sum())
        return _check_ok(
            f"{len(labels):,} predictions, true classes on the rows and predicted on the columns; "
            f"{right:,} on the diagonal ({right / len(labels) * 100:.1f}% right)."
        )
    if torch.equal(matrix, reference.T):
        return _check_wrong(
            "rows and columns are swapped: ConfusionMatrix is called as confmat(preds, target), "
            "predictions first, so the true classes end up on the rows."
        )
    if int(matrix.sum()) != len(labels):
        return _check_wrong(
            f"the counts add up to {int(matrix.sum()):,}, but there are {len(labels):,} test images: predict "
            "on every one of them."
        )
    return _check_wrong(
        "the counts don't match the model's predictions: use this model, every test image, and "
        "logits.argmax(dim=1) as the predicted labels."
    )


# --- Exercise 15: Wrong predictions: model error or data error? ---

def check_wrong_predictions(wrong_idxs, model, images, labels) -> bool:
    """Exercise 15: the indices of every test image ``model`` gets wrong."""
    if _missing(wrong_idxs):
        return _check_todo("compare the predicted labels with the true ones and keep the indices where they differ.")
    labels = labels.cpu()
    try:
        idxs = torch.as_tensor(wrong_idxs).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        return _check_wrong(f"wrong_idxs should be a tensor (or list) of indices, got {type(wrong_idxs).__name__}.")
    if idxs.dtype == torch.bool:
        return _check_wrong(
            "wrong_idxs is a True/False mask: turn it into indices with torch.where(mask)[0]."
        )
    if idxs.is_floating_point():
        return _check_wrong("wrong_idxs holds floats: indices are integers.")
    if idxs.ndim == 2 and idxs.shape[1] == 1:
        return _check_wrong(
            f"wrong_idxs has shape {_shape_text(idxs.shape)}: mask.nonzero() gives a column; "
            "use torch.where(mask)[0] or .squeeze(1)."
        )
    if idxs.ndim != 1:
        return _check_wrong(f"wrong_idxs should be a flat list of indices, got shape {_shape_text(idxs.shape)}.")
    preds = _predict_labels(model, images)
    expected = set(torch.where(preds != labels)[0].tolist())
    found = set(idxs.tolist())
    if found == expected:
        return _check_ok(
            f"{len(expected):,} of the {len(labels):,} test images are predicted wrongly "
            f"({(1 - len(expected) / len(labels)) * 100:.1f}% right)."
        )
    right = set(torch.where(preds == labels)[0].tolist())
    if found == right:
        return _check_wrong("these are the images the model gets right: keep the ones where prediction != label.")
    if found - expected:
        index = min(found - expected)
        return _check_wrong(f"the model gets test image {index} right, but it is in wrong_idxs.")
    return _check_wrong(
        f"wrong_idxs has {len(found):,} of the {len(expected):,} wrong predictions: look at every test image."
    )


# --- Exercise 16: From Model 0 to Model 1 ---

def check_non_linear_model(model_class, input_shape: int = 784, hidden_units: int = 10, output_shape: int = 10) -> bool:
    """Exercise 16: Model 0 with a ReLU between its linear layers, and raw logits out."""
    if _missing(model_class):
        return _check_todo("write the NonLinearModel class: Model 0's layers plus one nn.ReLU(); where it goes is the exercise.")
    model, problem = _create(
        model_class, "NonLinearModel", input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape
    )
    if problem:
        return _check_wrong(problem)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 2:
        return _check_wrong(f"NonLinearModel has {len(linears)} nn.Linear layers; Model 0 (and Model 1) have 2.")
    batch = torch.rand(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    output, problem = _call(model, batch, "NonLinearModel")
    if problem:
        return _check_wrong(problem + f" Is input_shape {input_shape} (28 * 28), with nn.Flatten() first?")
    if tuple(output.shape) != (64, output_shape):
        return _check_wrong(
            f"NonLinearModel turns 64 images into shape {_shape_text(output.shape)}, expected [64, {output_shape}]."
        )
    if (output >= 0).all():
        return _check_wrong(
            "every output of NonLinearModel is 0 or more: an activation follows the last layer. Logits must be "
            "able to go negative, so end with the nn.Linear layer (notebook 04 shows what the last ReLU costs)."
        )
    # A linear function f satisfies f(a + b) = f(a) + f(b) - f(0); a ReLU that bends anything breaks that.
    first, second = batch[:32], batch[32:]
    zero = torch.zeros_like(first)
    with torch.no_grad():
        gap = model(first + second) - (model(first) + model(second) - model(zero))
    if gap.abs().max() < 1e-4:
        return _check_wrong(
            "NonLinearModel still computes a linear function: put the nn.ReLU() between the two linear layers "
            "(after the first one, where values can be negative), and make sure forward() uses it."
        )
    n_params = sum(p.numel() for p in model.parameters())
    return _check_ok(
        f"Linear -> ReLU -> Linear with raw logits out, {n_params:,} parameters: "
        "Model 0's layers, bent by a non-linearity."
    )


# --- Exercise 17: TinyVGG from its description ---

def check_tiny_vgg(model_class, input_shape: int = 1, hidden_units: int = 10, output_shape: int = 10) -> bool:
    """Exercise 17: TinyVGG written from its description computes what
    ``FashionMNISTModelV2`` computes, given the same weights."""
    if _missing(model_class):
        return _check_todo("write the TinyVGG class from the description: block_1, block_2 and classifier.")
    model, problem = _create(
        model_class, "TinyVGG", input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape
    )
    if problem:
        return _check_wrong(problem)
    layers = [m for m in model.modules() if not list(m.children())]  # the leaves, in the order they were created
    convs = [m for m in layers if isinstance(m, nn.Conv2d)]
    if len(convs) != 4:
        return _check_wrong(f"TinyVGG has {len(convs)} nn.Conv2d layers; the description has 4, two in each block.")
    for number, conv in enumerate(convs, start=1):
        in_channels = input_shape if number == 1 else hidden_units
        if (conv.in_channels, conv.out_channels) != (in_channels, hidden_units):
            return _check_wrong(
                f"convolution {number} maps {conv.in_channels} to {conv.out_channels} channels, expected "
                f"{in_channels} to {hidden_units}: the first takes the image's channels (input_shape), "
                "every other one hidden_units."
            )
        if conv.kernel_size != (3, 3) or conv.stride != (1, 1) or conv.padding != (1, 1):
            return _check_wrong(
                f"convolution {number} is {_layer_text(conv)}: every convolution has kernel_size=3, stride=1 "
                "and padding=1, which keeps the height and width unchanged."
            )
    if sum(isinstance(m, nn.ReLU) for m in layers) != 4:
        return _check_wrong("TinyVGG needs 4 nn.ReLU() layers: one after each convolution.")
    pools = [m for m in layers if isinstance(m, nn.MaxPool2d)]
    if len(pools) != 2 or any(pool.kernel_size not in (2, (2, 2)) for pool in pools):
        return _check_wrong("TinyVGG needs 2 nn.MaxPool2d(kernel_size=2) layers, one at the end of each block.")
    linears = [m for m in layers if isinstance(m, nn.Linear)]
    features = hidden_units * 7 * 7
    if len(linears) != 1:
        return _check_wrong(f"TinyVGG's classifier has {len(linears)} nn.Linear layers, expected 1.")
    if (linears[0].in_features, linears[0].out_features) != (features, output_shape):
        return _check_wrong(
            f"the classifier's layer is {_layer_text(linears[0])}: after two poolings a 28x28 image is 7x7, so "
            f"it receives hidden_units * 7 * 7 = {features} features and gives {output_shape} logits."
        )
    batch = torch.rand(8, input_shape, 28, 28, generator=torch.Generator().manual_seed(0))
    output, problem = _call(model, batch, "TinyVGG")
    if problem:
        return _check_wrong(problem + " Does forward() run block_1, block_2, then the classifier, with nn.Flatten() first?")
    with torch.random.fork_rng(devices=[]):
        reference = FashionMNISTModelV2(input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape)
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), reference.parameters()):
            mine.copy_(theirs)  # the same shapes in the same order, checked above
        same = torch.allclose(model(batch), reference(batch), atol=1e-5)
    if not same:
        return _check_wrong(
            "given FashionMNISTModelV2's weights, TinyVGG computes other outputs: check the order of the layers "
            "(convolution, ReLU, convolution, ReLU, max-pool in each block) and that forward() uses every block once."
        )
    n_params = sum(p.numel() for p in model.parameters())
    return _check_ok(
        f"two blocks of (3x3 convolution -> ReLU) x 2 -> max-pool, then Flatten -> Linear({features}, {output_shape}); "
        f"{n_params:,} parameters, and the same outputs as FashionMNISTModelV2 with the same weights."
    )


# --- Exercise 18: Softmax and cross-entropy by hand ---

def _same(a: torch.Tensor, b: torch.Tensor, atol: float = 1e-5) -> bool:
    """Whether two tensors have the same shape and values (to ``atol``, relative 1e-4)."""
    return a.shape == b.shape and torch.allclose(a.double(), b.double(), rtol=1e-4, atol=atol)


def _probs_problem(probs: torch.Tensor, logits: torch.Tensor) -> str | None:
    """What is wrong with probabilities computed by hand from ``logits`` [N, C], or None."""
    if tuple(probs.shape) != tuple(logits.shape):
        return (f"ce_probs has shape {_shape_text(probs.shape)}, but ce_logits {_shape_text(logits.shape)}: "
                "softmax gives one probability per logit.")
    exp = logits.double().exp()
    if _same(probs, torch.softmax(logits.double(), dim=1), atol=1e-6):
        return None
    if _same(probs, torch.softmax(logits.double(), dim=0), atol=1e-6):
        return ("each column of ce_probs sums to 1, not each row: you divided by the sum over dim=0 (the images). "
                "Sum over dim=1, the classes, with keepdim=True.")
    if _same(probs, exp, atol=1e-6):
        return ("ce_probs holds exp(logit) itself, and its rows don't sum to 1: divide each row by its own sum, "
                "exp.sum(dim=1, keepdim=True).")
    if _same(probs, exp / exp.sum(), atol=1e-6):
        return ("ce_probs sums to 1 over the whole batch, not per image: divide each row by its own sum, "
                "exp.sum(dim=1, keepdim=True), not by exp.sum().")
    if _same(probs, logits.double() / logits.double().sum(dim=1, keepdim=True), atol=1e-6):
        return ("ce_probs divides the logits by their sum without taking exp first: logits can be negative, "
                "probabilities cannot. Exponentiate, then divide by the row's sum.")
    if not torch.allclose(probs.double().sum(dim=1), torch.ones(len(probs), dtype=torch.float64), atol=1e-4):
        return "the rows of ce_probs don't sum to 1: each image's probabilities are exp(logit) / sum of exp(logits)."
    return "ce_probs is not the softmax of ce_logits: exp(logit) divided by the sum of exp over that image's logits."


def _losses_problem(losses: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor) -> str | None:
    """What is wrong with the per-image losses computed by hand, or None."""
    n = len(labels)
    if losses.ndim == 0 or tuple(losses.shape) == (1,):
        return ("ce_losses holds a single number: keep one loss per image (shape "
                f"[{n}]); the batch's loss, their mean, is what nn.CrossEntropyLoss gives.")
    if tuple(losses.shape) == (n, n):
        return (f"ce_losses has shape [{n}, {n}]: probs[:, labels] picks {n} columns for every image. "
                "Pick one probability per row: probs[torch.arange(n), labels].")
    if tuple(losses.shape) != (n,):
        return f"ce_losses has shape {_shape_text(losses.shape)}, expected [{n}]: one loss per image."
    log_probs = torch.log_softmax(logits.double(), dim=1)
    rows = torch.arange(n)
    right = -log_probs[rows, labels]
    if _same(losses, right, atol=1e-4):
        return None
    predicted = logits.argmax(dim=1)
    # Each mistake counts only where it gives other values than the right way does.
    mistakes = [
        (-right, "ce_losses is negative: the log of a probability is at most 0, and the loss is minus that log, "
                 "-ln p[label], so that a better guess costs less."),
        (right / np.log(10), "ce_losses uses the base-10 logarithm: cross-entropy uses the natural log, "
                             "torch.log (ln), as nn.CrossEntropyLoss does."),
        (right / np.log(2), "ce_losses uses the base-2 logarithm: cross-entropy uses the natural log, torch.log (ln)."),
        (-log_probs[rows, predicted], "ce_losses takes the probability of the predicted class (argmax): the loss "
                                      "looks at the probability the model gave the true label, ce_labels."),
        (-logits.double()[rows, labels], "ce_losses uses the logit of the true class: the loss needs its "
                                         "probability, -ln(ce_probs[label]), after the softmax."),
        (1 - log_probs.exp()[rows, labels], "ce_losses is 1 - p[label]: cross-entropy is -ln p[label], which "
                                            "grows without limit as the probability of the right class nears 0."),
    ]
    for wrong, message in mistakes:
        if _same(losses, wrong, atol=1e-4) and not _same(wrong, right, atol=1e-4):
            return message
    per_class = -log_probs  # [n, classes]: the loss each class's probability would give
    if all(torch.isclose(per_class[i], losses[i].double(), atol=1e-4).any() for i in range(n)):
        return ("ce_losses takes the probabilities of other classes than the true ones: for image k use "
                "ce_probs[k, ce_labels[k]], e.g. ce_probs[torch.arange(n), ce_labels].")
    k = int((losses.double() - right).abs().argmax())
    return (f"ce_losses[{k}] is {float(losses[k]):.4f}, but -ln p[label] for that image is {float(right[k]):.4f}: "
            "take minus the natural log of the probability of its true label.")


def check_softmax_by_hand(probs, losses, torch_loss, logits, labels) -> bool:
    """Exercise 18: softmax and cross-entropy by hand for a batch of logits [N, C]
    and labels [N]: ``probs`` (softmax over the classes), ``losses`` (-ln p[label]
    per image) and ``torch_loss`` (``nn.CrossEntropyLoss()`` on the logits)."""
    if _missing(probs, losses, torch_loss):
        return _check_todo("compute ce_probs with torch.exp and .sum, ce_losses as -ln p[label], "
                           "then torch_loss with nn.CrossEntropyLoss().")
    logits, labels = logits.detach().cpu(), labels.cpu()
    for name, value in (("ce_probs", probs), ("ce_losses", losses)):
        if not isinstance(value, torch.Tensor):
            return _check_wrong(f"{name} should be a tensor, got {type(value).__name__}.")
    problem = _probs_problem(probs.detach().cpu(), logits) or _losses_problem(losses.detach().cpu(), logits, labels)
    if problem:
        return _check_wrong(problem)
    if isinstance(torch_loss, torch.Tensor):
        if torch_loss.numel() != 1:
            return _check_wrong(
                f"torch_loss has shape {_shape_text(torch_loss.shape)}: nn.CrossEntropyLoss() gives one number, "
                "the mean over the batch (leave its reduction at 'mean')."
            )
        torch_loss = torch_loss.item()
    if not _is_number(torch_loss):
        return _check_wrong(f"torch_loss should be a number or a one-number tensor, got {type(torch_loss).__name__}.")
    right = float(nn.functional.cross_entropy(logits.double(), labels))
    if abs(torch_loss - right) <= 1e-4:
        return _check_ok(
            f"probabilities that sum to 1 per image, and losses -ln p[label] whose mean, {right:.4f}, is what "
            "nn.CrossEntropyLoss() gives."
        )
    if abs(torch_loss - float(nn.functional.cross_entropy(torch.softmax(logits.double(), dim=1), labels))) <= 1e-4:
        return _check_wrong(
            "torch_loss was given the probabilities: nn.CrossEntropyLoss applies softmax itself, so it wants the "
            "raw logits. Softmax twice squeezes the probabilities towards an even 0.1 each, so the loss hardly "
            "depends on what the model predicts."
        )
    if abs(torch_loss - right * len(labels)) <= 1e-3:
        return _check_wrong("torch_loss is the sum of the losses: nn.CrossEntropyLoss() averages them (reduction='mean').")
    return _check_wrong(
        f"torch_loss is {torch_loss:.4f}, but nn.CrossEntropyLoss()(ce_logits, ce_labels) is {right:.4f}: "
        "pass the logits first, then the labels."
    )


# --- Exercise 19: One convolution output by hand ---

def _conv_by_hand_variants(image: torch.Tensor, kernel: torch.Tensor, bias: float, i: int, j: int) -> dict[str, float]:
    """The output of one convolution at (i, j), computed right and in the usual wrong ways;
    ``image`` is [C, H, W] and ``kernel`` [C, 3, 3]."""
    k = kernel.shape[-1]

    def window(di: int = 0, dj: int = 0) -> torch.Tensor:
        return image[:, i + di : i + di + k, j + dj : j + dj + k]

    products = window() * kernel
    variants = {
        "right": float(products.sum()) + bias,
        "flipped": float((window() * kernel.flip(-2, -1)).sum()) + bias,
        "no bias": float(products.sum()),
        "bias per product": float((products + bias).sum()),
        "mean": float(products.mean()) + bias,
        "swapped": float((image[:, j : j + k, i : i + k] * kernel).sum()) + bias,
        "one channel": float(products[0].sum()) + bias,
    }
    for di in (-2, -1, 0, 1, 2):
        for dj in (-2, -1, 0, 1, 2):
            if (di, dj) != (0, 0):
                variants[f"shift {di} {dj}"] = float((window(di, dj) * kernel).sum()) + bias
    return variants


_CONV_MISTAKES = {
    "flipped": (
        "conv_output_at flips the kernel (a convolution as mathematics defines it): nn.Conv2d multiplies each pixel "
        "of the window by the kernel value at the same place, kernel[:, 0, 0] with the window's top-left pixel."
    ),
    "no bias": "conv_output_at forgets the bias: add it once, after summing the products.",
    "bias per product": (
        "conv_output_at adds the bias to every product: add it once, after the sum, (window * kernel).sum() + bias."
    ),
    "mean": "conv_output_at averages the products: a convolution adds them up, (window * kernel).sum() + bias.",
    "swapped": "conv_output_at swaps rows and columns: i picks the row (dim 1 of the image), j the column (dim 2).",
    "one channel": (
        "conv_output_at uses only the first input channel: a kernel has one 3x3 slice per input channel, and the "
        "output adds up the products over all of them, (image[:, i:i+3, j:j+3] * kernel).sum() + bias."
    ),
    "shift -1 -1": (
        "conv_output_at centres the window on (i, j): without padding, output (i, j) comes from the window whose "
        "top-left pixel is (i, j), image[:, i:i+3, j:j+3]."
    ),
}


def _call_conv_by_hand(conv_output_at, inputs, name, kernel, bias, positions,
                       todo: str) -> tuple[list[float] | None, bool | None]:
    """The student's ``conv_output_at`` at each (i, j) of ``positions``, as floats, and None;
    or, as from ``_call_student``, None and the check's verdict, its line already printed
    (⏳ ``todo`` for the untouched template)."""
    found = []
    for i, j in positions:
        call = f"conv_output_at({name}, kernel, bias, i={i}, j={j})"
        result, verdict = _call_student(conv_output_at, inputs, kernel, bias, i, j, call=call, todo=todo)
        if verdict is not None:
            return None, verdict
        if result is None:
            return None, _check_wrong("conv_output_at returned None: did you forget the return?")
        if isinstance(result, torch.Tensor):
            if result.numel() != 1:
                return None, _check_wrong(f"{call} returned a tensor of shape {_shape_text(result.shape)}: add the "
                                          "products up with .sum() to get one number.")
            result = result.item()
        if not _is_number(result):
            return None, _check_wrong(f"{call} returned {type(result).__name__}: it should return one number.")
        found.append(float(result))
    return found, None


def _conv_mistake(found: list[float], expected: list[float], variants: list[dict[str, float]]) -> str | None:
    """Which of the usual mistakes gives the values ``found`` (where it differs from the right values)."""
    def matches(a, b) -> bool:
        return np.allclose(a, b, rtol=1e-4, atol=1e-5)

    for mistake in variants[0]:
        wrong = [v[mistake] for v in variants]
        if mistake == "right" or not matches(found, wrong) or matches(wrong, expected):
            continue
        if mistake in _CONV_MISTAKES:
            return _CONV_MISTAKES[mistake]
        di, dj = (int(n) for n in mistake.split()[1:])  # the other mistakes are windows shifted by (di, dj)
        return (f"conv_output_at reads a window shifted by {di:+d} row(s) and {dj:+d} column(s): without "
                "padding, output (i, j) comes from image[:, i:i+3, j:j+3].")
    return None


def check_conv_by_hand(conv_output_at, image, conv_1, feature_maps, conv_2) -> bool:
    """Exercise 19: ``conv_output_at(image, kernel, bias, i, j)`` computes the output of one
    kernel at row i, column j (stride 1, no padding) as a multiply-and-sum over the window
    and the input channels; compared with ``F.conv2d`` on a one-channel image (``conv_1``)
    and on many-channel feature maps (``conv_2``)."""
    import torch.nn.functional as F

    TODO_HINT = "write conv_output_at(image, kernel, bias, i, j): multiply the 3x3 window by the kernel, sum, add the bias."
    if _missing(conv_output_at):
        return _check_todo(TODO_HINT)
    if not callable(conv_output_at):
        return _check_wrong(f"conv_output_at should be a function, got {type(conv_output_at).__name__}.")
    for name, inputs, layer in (("conv_image", image, conv_1), ("feature_maps", feature_maps, conv_2)):
        inputs = inputs.detach().cpu().float()
        size = inputs.shape[-1] - layer.kernel_size[0] + 1  # the output's height and width
        rows = [int(n) for n in np.linspace(2, size - 3, 5).round()]
        inside = list(zip(rows, reversed(rows)))  # positions where every window shifted by up to 2 pixels fits
        edges = [(0, 0), (0, size - 1), (size - 1, 0), (size - 1, size - 1)]
        for channel in range(min(3, layer.out_channels)):
            kernel = layer.weight[channel].detach().cpu().float()
            bias = layer.bias[channel].detach().cpu().float()  # a 0-d tensor, as conv_1.bias[0] is
            reference = F.conv2d(inputs[None], kernel[None], bias[None])[0, 0]
            for positions in (inside, edges):  # the inside first: a wrong window may not fit at the edges
                expected = [float(reference[i, j]) for i, j in positions]
                with torch.no_grad():
                    found, verdict = _call_conv_by_hand(conv_output_at, inputs, name, kernel, bias, positions, TODO_HINT)
                if verdict is not None:
                    return verdict
                if np.allclose(found, expected, rtol=1e-4, atol=1e-5):
                    continue
                if positions is inside:
                    variants = [_conv_by_hand_variants(inputs, kernel, float(bias), i, j) for i, j in inside]
                    problem = _conv_mistake(found, expected, variants)
                    if problem:
                        return _check_wrong(problem)
                k = int(np.argmax(np.abs(np.subtract(found, expected))))
                i, j = positions[k]
                return _check_wrong(
                    f"conv_output_at({name}, kernel {channel}, i={i}, j={j}) gives {found[k]:.4f}, but F.conv2d gives "
                    f"{expected[k]:.4f}: multiply the window image[:, i:i+3, j:j+3] by the kernel, sum, add the bias."
                )
    return _check_ok(
        f"conv_output_at matches F.conv2d at every position tried, on the 1-channel image and on the "
        f"{feature_maps.shape[0]}-channel feature maps: a multiply-and-sum over the window and the channels, plus the bias."
    )


# --- Exercise 20: The receptive field ---

#: Stacks of (kernel_size, stride) layers the receptive-field check tries, with their names.
RECEPTIVE_FIELD_STACKS = {
    "no layers": [],
    "one 3x3 convolution": [(3, 1)],
    "two 3x3 convolutions": [(3, 1), (3, 1)],
    "a 2x2 max-pool, then a 3x3 convolution": [(2, 2), (3, 1)],
    "three 3x3 convolutions with stride 2": [(3, 2), (3, 2), (3, 2)],
    "a 7x7 convolution with stride 2, then a 3x3 max-pool with stride 2": [(7, 2), (3, 2)],
    "5x5 convolutions and 2x2 max-pools, alternating": [(5, 1), (2, 2), (5, 1), (2, 2)],
    "TinyVGG": [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)],
}


TINY_VGG_LAYERS = RECEPTIVE_FIELD_STACKS["TinyVGG"]


def _field(layers, add, start: int = 1) -> int:
    """A receptive field walked from the input: ``add(size, jump, kernel, stride)`` gives the
    (size, jump) after each layer."""
    size, jump = start, 1
    for kernel, stride in layers:
        size, jump = add(size, jump, kernel, stride)
    return size


def _right_field(layers) -> int:
    return _field(layers, lambda r, j, k, s: (r + (k - 1) * j, j * s))


#: The usual wrong formulas, each with what the check says about it.
_FIELD_MISTAKES = {
    "no jump": (
        lambda layers: _field(layers, lambda r, j, k, s: (r + (k - 1), j * s)),
        "receptive_field adds kernel_size - 1 per layer whatever came before: after a layer with stride 2, "
        "neighbouring outputs are 2 input pixels apart, so each later layer adds (kernel_size - 1) times the "
        "product of the strides before it (the jump).",
    ),
    "sum of kernels": (
        lambda layers: sum(k for k, _ in layers),
        "receptive_field adds up the kernel sizes: two stacked 3x3 convolutions see 5 pixels, not 6, because their "
        "windows overlap. Start at 1 pixel and add (kernel_size - 1) times the jump per layer.",
    ),
    "jump too early": (
        lambda layers: _field(layers, lambda r, j, k, s: (r + (k - 1) * j * s, j * s)),
        "receptive_field multiplies by a layer's own stride before adding its kernel: a layer's stride only "
        "spreads out the layers after it. Add (kernel_size - 1) * jump first, then multiply the jump by the stride.",
    ),
    "own stride": (
        lambda layers: _field(layers, lambda r, j, k, s: (r + (k - 1) * s, j)),
        "receptive_field multiplies (kernel_size - 1) by the layer's own stride: it should be the product of the "
        "strides of all the layers before it (the jump).",
    ),
    "pool adds nothing": (
        lambda layers: _field(layers, lambda r, j, k, s: (r + (k - 1) * j if s == 1 else r, j * s)),
        "receptive_field lets the strided layers (the poolings) only multiply the jump: a 2x2 max-pool looks at "
        "2 pixels in each direction, so it also adds (kernel_size - 1) * jump.",
    ),
    "pool skipped": (
        lambda layers: _field(layers, lambda r, j, k, s: (r + (k - 1) * j if s == 1 else r, j)),
        "receptive_field leaves out the strided layers (the poolings): they enlarge the field like any window, "
        "and their stride multiplies the jump of every layer after them.",
    ),
    "reversed": (
        lambda layers: _right_field(list(reversed(layers))),
        "receptive_field walks the layers in the wrong order: going from the input, each layer adds "
        "(kernel_size - 1) * jump, where the jump is the product of the strides of the layers before it.",
    ),
    "start at 0": (
        lambda layers: _field(layers, lambda r, j, k, s: (r + (k - 1) * j, j * s), start=0),
        "receptive_field is 1 too small: start from 1 pixel (with no layers, an output sees only its own pixel).",
    ),
}


def check_receptive_field(receptive_field, tinyvgg_layers, tinyvgg_field) -> bool:
    """Exercise 20: ``receptive_field(layers)`` gives the receptive field (in pixels, along one
    side) of a stack of (kernel_size, stride) layers, and TinyVGG's is 16."""
    TODO_HINT = "write receptive_field(layers): walk the layers from the input, keeping the field's size and the jump."
    if _missing(receptive_field):
        return _check_todo(TODO_HINT)
    if not callable(receptive_field):
        return _check_wrong(f"receptive_field should be a function, got {type(receptive_field).__name__}.")
    found = {}
    for name, layers in RECEPTIVE_FIELD_STACKS.items():
        result, verdict = _call_student(receptive_field, list(layers), call=f"receptive_field({layers})", todo=TODO_HINT)
        if verdict is not None:
            return verdict
        if result is None:
            return _check_wrong("receptive_field returned None: did you forget the return?")
        if not isinstance(result, (int, np.integer)) or isinstance(result, bool):
            return _check_wrong(
                f"receptive_field({layers}) returned {result!r}, a {type(result).__name__}: a receptive field is a "
                "whole number of pixels."
            )
        found[name] = int(result)
    expected = {name: _right_field(layers) for name, layers in RECEPTIVE_FIELD_STACKS.items()}
    if found != expected:
        for formula, message in _FIELD_MISTAKES.values():
            if found == {name: formula(layers) for name, layers in RECEPTIVE_FIELD_STACKS.items()}:
                return _check_wrong(message)
        name = next(name for name in expected if found[name] != expected[name])
        return _check_wrong(
            f"for {name}, {RECEPTIVE_FIELD_STACKS[name]}, receptive_field gives {found[name]}, but the receptive "
            f"field is {expected[name]} pixels."
        )
    if _missing(tinyvgg_layers, tinyvgg_field):
        return _check_todo("list TinyVGG's layers as (kernel_size, stride) pairs and apply receptive_field to them.")
    try:
        layers = [(int(k), int(s)) for k, s in tinyvgg_layers]
    except (TypeError, ValueError):
        return _check_wrong("tinyvgg_layers should be a list of (kernel_size, stride) pairs, such as [(3, 1), ...].")
    layers = [layer for layer in layers if layer != (1, 1)]  # a ReLU as (1, 1) changes nothing
    if layers != TINY_VGG_LAYERS:
        convs, pools = [layer for layer in layers if layer == (3, 1)], [layer for layer in layers if layer[0] == 2]
        if len(convs) == 4 and not pools:
            return _check_wrong(
                "tinyvgg_layers leaves out the two max-pools: list every layer that looks at a window, "
                "the four convolutions and the two nn.MaxPool2d(2) layers, in order."
            )
        if len(convs) == 4 and pools == [(2, 1), (2, 1)]:
            return _check_wrong(
                "the max-pools in tinyvgg_layers have stride 1: nn.MaxPool2d(kernel_size=2)'s stride defaults to its "
                "kernel size, 2 (that is how it halves the image)."
            )
        return _check_wrong(
            f"tinyvgg_layers is {layers}: TinyVGG is two blocks of 3x3 convolution (stride 1), 3x3 convolution, "
            "2x2 max-pool (stride 2); ReLUs, the flatten and the linear layer don't slide a window."
        )
    if not isinstance(tinyvgg_field, (int, np.integer)) or tinyvgg_field != expected["TinyVGG"]:
        return _check_wrong(
            f"tinyvgg_field is {tinyvgg_field!r}: it should be receptive_field(tinyvgg_layers), "
            f"{expected['TinyVGG']}."
        )
    return _check_ok(
        f"receptive_field is right on all {len(RECEPTIVE_FIELD_STACKS)} stacks tried (strides early and late), and "
        f"each of TinyVGG's final outputs sees {tinyvgg_field}x{tinyvgg_field} pixels of the 28x28 image."
    )


# --- Exercise 21: Average pooling in TinyVGG ---

def _avg_pool_reference(input_shape: int, hidden_units: int, output_shape: int) -> nn.Module:
    """The course's TinyVGG with its two max-pools swapped for 2x2 average pools."""
    with torch.random.fork_rng(devices=[]):
        model = FashionMNISTModelV2(input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape)
    for block in (model.block_1, model.block_2):
        for index, layer in enumerate(block):
            if isinstance(layer, nn.MaxPool2d):
                block[index] = nn.AvgPool2d(kernel_size=2)
    return model


def check_avg_pool_tiny_vgg(model_class, params_change, images, input_shape: int = 1, hidden_units: int = 10,
                            output_shape: int = 10) -> bool:
    """Exercise 21: TinyVGG with ``nn.AvgPool2d(2)`` in place of its two ``nn.MaxPool2d(2)``
    and nothing else changed, and the prediction ``params_change`` (False: pooling has no
    parameters). ``images`` is a batch of real images [N, 1, 28, 28]."""
    if _missing(model_class):
        return _check_todo("write AvgPoolTinyVGG: TinyVGG with nn.AvgPool2d where it has nn.MaxPool2d.")
    model, problem = _create(
        model_class, "AvgPoolTinyVGG", input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape
    )
    if problem:
        return _check_wrong(problem)
    layers = [m for m in model.modules() if not list(m.children())]
    max_pools = [m for m in layers if isinstance(m, nn.MaxPool2d)]
    if max_pools:
        return _check_wrong(
            f"AvgPoolTinyVGG still has {len(max_pools)} nn.MaxPool2d layer(s): replace each with nn.AvgPool2d."
        )
    avg_pools = [m for m in layers if isinstance(m, nn.AvgPool2d)]
    if len(avg_pools) != 2:
        return _check_wrong(
            f"AvgPoolTinyVGG has {len(avg_pools)} nn.AvgPool2d layers: TinyVGG pools twice, once at the end of each block."
        )
    for pool in avg_pools:
        if pool.kernel_size not in (2, (2, 2)) or pool.stride not in (2, (2, 2)):
            return _check_wrong(
                f"one pool is {_layer_text(pool)}: keep the size of TinyVGG's pools, nn.AvgPool2d(kernel_size=2), "
                "whose stride is also 2, so that 28x28 still becomes 14x14 and then 7x7."
            )
    reference = _avg_pool_reference(input_shape, hidden_units, output_shape)
    expected = [m for m in reference.modules() if not list(m.children())]
    def text(layer: nn.Module) -> str:
        return "ReLU()" if isinstance(layer, nn.ReLU) else _layer_text(layer)  # ReLU(inplace=True) computes the same

    mine, theirs = [text(m) for m in layers], [text(m) for m in expected]
    if mine != theirs:
        position = next((k for k, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
        if position == len(mine):
            return _check_wrong(
                f"AvgPoolTinyVGG stops after {len(mine)} layers, but TinyVGG goes on with {theirs[position]}: "
                "change only the pools."
            )
        if position == len(theirs):
            return _check_wrong(
                f"AvgPoolTinyVGG adds {mine[position]} after TinyVGG's last layer: change only the pools."
            )
        return _check_wrong(
            f"layer {position + 1} of AvgPoolTinyVGG is {mine[position]}, but TinyVGG's is {theirs[position]}: "
            "change only the pools."
        )
    n_params = sum(p.numel() for p in model.parameters())
    n_expected = sum(p.numel() for p in reference.parameters())
    if n_params != n_expected:
        return _check_wrong(
            f"AvgPoolTinyVGG has {n_params:,} parameters, FashionMNISTModelV2 {n_expected:,}: the layers with "
            "weights must stay as they are."
        )
    batch = images.detach().cpu().float()
    output, problem = _call(model, batch, "AvgPoolTinyVGG")
    if problem:
        return _check_wrong(problem + " Does forward() run block_1, block_2, then the classifier?")
    if tuple(output.shape) != (len(batch), output_shape):
        return _check_wrong(
            f"AvgPoolTinyVGG turns {len(batch)} images into shape {_shape_text(output.shape)}, expected "
            f"[{len(batch)}, {output_shape}]."
        )
    with torch.no_grad():
        for p, q in zip(model.parameters(), reference.parameters()):
            p.copy_(q)  # the same shapes in the same order, checked above
        if not torch.allclose(model(batch), reference(batch), atol=1e-5):
            return _check_wrong(
                "given the same weights, AvgPoolTinyVGG computes other outputs than TinyVGG with average pools: "
                "does forward() use every block once, in order, and return the classifier's logits as they are?"
            )
    if _missing(params_change):
        return _check_todo("the model is right; now set params_change to your prediction, True or False.")
    if not isinstance(params_change, (bool, np.bool_)):
        return _check_wrong(f"params_change should be True or False, got {params_change!r}.")
    if params_change:
        return _check_wrong(
            f"the model is right, but the prediction is not: both models have {n_params:,} parameters. A pooling "
            "layer has no weights: it only takes the maximum or the mean of each 2x2 window."
        )
    return _check_ok(
        f"two 2x2 average pools in place of the max-pools, everything else unchanged: output "
        f"{_shape_text(output.shape)} for {len(batch)} images, and the same {n_params:,} parameters, since "
        "pooling has none."
    )


# --- Exercise 22: Choosing on a validation set ---

def _split_problem(dataset, train_part, val_part, sizes: tuple[int, int]) -> str | None:
    """Why ``train_part`` and ``val_part`` are not a split of ``dataset`` into ``sizes``, or None."""
    for name, part in (("practice_train", train_part), ("practice_val", val_part)):
        if not isinstance(part, torch.utils.data.Subset) or part.dataset is not dataset:
            return (f"{name} should be a Subset of practice_data, as torch.utils.data.random_split returns, "
                    f"got {type(part).__name__}.")
    found = (len(train_part), len(val_part))
    if found != sizes:
        return f"the parts hold {found[0]:,} and {found[1]:,} images; split practice_data into {sizes[0]:,} and {sizes[1]:,}."
    shared = set(map(int, train_part.indices)) & set(map(int, val_part.indices))
    if shared:
        return (f"{len(shared)} images are in both parts: a validation image the model trained on says nothing "
                "about new images. Split once, with random_split, and use both parts it returns.")
    return None


def check_validation_choice(dataset, train_part, val_part, models_by_lr, val_acc_by_lr, best_lr, chosen_test_acc,
                            test_images, test_labels, sizes: tuple[int, int] = (5000, 1000)) -> bool:
    """Exercise 22: ``dataset`` split into ``train_part`` and ``val_part`` of ``sizes``;
    one trained model per learning rate (``models_by_lr``), each model's accuracy (%) on
    ``val_part`` (``val_acc_by_lr``), the learning rate chosen on it (``best_lr``) and the
    chosen model's accuracy on the test images, measured once (``chosen_test_acc``)."""
    if _missing(train_part, val_part, best_lr, chosen_test_acc) or not models_by_lr or not val_acc_by_lr:
        return _check_todo("split practice_data with random_split, train one model per learning rate, score each "
                           "on practice_val, pick best_lr, then test that one model once.")
    problem = _split_problem(dataset, train_part, val_part, sizes)
    if problem:
        return _check_wrong(problem)
    if not isinstance(models_by_lr, dict) or not isinstance(val_acc_by_lr, dict) or set(models_by_lr) != set(val_acc_by_lr):
        return _check_wrong("models_by_lr and val_acc_by_lr should be dictionaries with the same keys: the learning rates.")
    if len(models_by_lr) < 2:
        return _check_wrong("train at least two learning rates: a choice needs candidates.")
    images, labels = dataset.tensors

    def accuracy(model, index) -> float:
        index = torch.as_tensor(list(index))
        return accuracy_fn(labels[index], _predict_labels(model, images[index]))

    measured = {}
    for lr, model in models_by_lr.items():
        if not isinstance(model, nn.Module):
            return _check_wrong(f"models_by_lr[{lr}] should be a trained model, got {type(model).__name__}.")
        reported = val_acc_by_lr[lr]
        if not _is_number(reported):
            return _check_wrong(f"val_acc_by_lr[{lr}] should be a number (an accuracy in %), got {type(reported).__name__}.")
        on_val = accuracy(model, val_part.indices)
        if abs(reported - on_val) > 0.01:
            on_test = accuracy_fn(test_labels.cpu(), _predict_labels(model, test_images))
            if abs(reported - on_test) <= 0.01:
                return _check_wrong(f"val_acc_by_lr[{lr}] is the accuracy on the test images: measure it on practice_val. "
                                    "The test set is for the one model you choose, after choosing.")
            if abs(reported - accuracy(model, train_part.indices)) <= 0.01:
                return _check_wrong(f"val_acc_by_lr[{lr}] is the accuracy on the training part: measure it on practice_val, "
                                    "images the model never trained on.")
            if abs(reported - on_val / 100) <= 1e-4:
                return _check_wrong(f"val_acc_by_lr[{lr}] looks like a fraction; give accuracies in %, as accuracy_fn does.")
            return _check_wrong(f"val_acc_by_lr[{lr}] is {reported:.2f}%, but that model scores {on_val:.2f}% on practice_val.")
        measured[lr] = on_val
    best = max(measured, key=measured.get)
    if best_lr not in measured or measured[best_lr] < measured[best]:
        return _check_wrong(f"best_lr is {best_lr!r}, but the highest validation accuracy, {measured[best]:.2f}%, "
                            f"belongs to lr={best}.")
    if not _is_number(chosen_test_acc):
        return _check_wrong(f"chosen_test_acc should be a number (an accuracy in %), got {type(chosen_test_acc).__name__}.")
    tested = accuracy_fn(test_labels.cpu(), _predict_labels(models_by_lr[best_lr], test_images))
    if abs(chosen_test_acc - tested) > 0.01:
        return _check_wrong(f"chosen_test_acc is {chosen_test_acc:.2f}%, but the model of lr={best_lr} scores "
                            f"{tested:.2f}% on the test images.")
    return _check_ok(f"split {sizes[0]:,} / {sizes[1]:,} with no image in both, lr={best_lr} chosen on validation "
                     f"({measured[best_lr]:.2f}%), then tested once: {tested:.2f}%.")


# --- Exercise 23: Challenge: beat the course's TinyVGG ---

def check_challenge(model, train_seconds, val_images, val_labels, course_acc: float, minutes: float = 5) -> bool:
    """Exercise 23: ``model`` (trained on the training part only) must beat the course's
    TinyVGG, ``course_acc`` (% on the validation images), beyond the noise: by at least two
    standard errors of an accuracy on those images, sqrt(p(1-p)/n) at p = ``course_acc``
    (notebook 09, section 6); and it must have trained in at most ``minutes`` minutes
    (``train_seconds``, measured by the student). Scores the model on ``val_images``
    [N, 1, 28, 28] and ``val_labels`` [N]; trains nothing."""
    if _missing(model, train_seconds):
        return _check_todo("train challenge_model on challenge_train, timing it, and set challenge_train_seconds.")
    if not isinstance(model, nn.Module):
        return _check_wrong(f"challenge_model should be a trained nn.Module, got {type(model).__name__}.")
    if not _is_number(train_seconds) or train_seconds <= 0:
        return _check_wrong(f"challenge_train_seconds should be a positive number of seconds, got {train_seconds!r}: "
                            "read timeit's default_timer() before and after training and subtract.")
    if train_seconds > minutes * 60:
        return _check_wrong(f"training took {train_seconds / 60:.1f} minutes; the challenge allows {minutes:g}. "
                            "Fewer epochs, a smaller model or channels-last weights bring it down.")
    batch = val_images[:8].to(_model_device(model))
    was_training = model.training
    model.eval()
    try:
        output, problem = _call(model, batch, type(model).__name__)
    finally:
        model.train(was_training)
    if problem:
        return _check_wrong(problem)
    if tuple(output.shape) != (len(batch), 10):
        return _check_wrong(f"challenge_model turns {len(batch)} images into shape {_shape_text(output.shape)}, "
                            f"expected [{len(batch)}, 10]: one score per class.")
    accuracy = accuracy_fn(val_labels.cpu(), _predict_labels(model, val_images))
    if accuracy <= course_acc:
        return _check_wrong(f"{accuracy:.2f}% on the validation images, the course's TinyVGG has {course_acc:.2f}%: "
                            "not beaten yet. Change one thing at a time and keep what helps.")
    p, n = course_acc / 100, len(val_labels)
    standard_error = 100 * (p * (1 - p) / n) ** 0.5
    bar = course_acc + 2 * standard_error
    if accuracy < bar:
        return _check_wrong(f"{accuracy:.2f}% on the validation images, above the course TinyVGG's {course_acc:.2f}% but "
                            f"within the noise: an accuracy on {n:,} images has a standard error of "
                            f"{standard_error:.2f} points, so a win needs {bar:.2f}% (two standard errors more). "
                            "Keep only changes whose gain stands out over several seeds.")
    return _check_ok(f"{accuracy:.2f}% on the validation images, beyond the noise: at least the course TinyVGG's "
                     f"{course_acc:.2f}% plus two standard errors ({bar:.2f}%), trained within {minutes:g} minutes. "
                     "Chosen on validation, its test accuracy is the one to report.")
