"""The training doctor: after each epoch, ``helper_functions.train`` asks it whether
the run shows one of the failures students meet most, and prints its one-line
advice. A healthy run gets no advice, so it prints nothing more.

What it recognises (notebook 09, section 7, shows three of them):

- ``diverged``: a loss that is not a number, infinite, or above twice the loss of an
  even guess (ln of the number of classes);
- ``not_learning``: no parameter changed during an epoch (seen from the second on);
- ``probabilities``: the model's outputs are probabilities (each row sums to 1), so a
  softmax runs before ``CrossEntropyLoss``, which applies its own;
- ``collapsed``: nine in ten validation predictions are one class, from a model that
  diverged or is confident (a healthy model still on its first plateau, with a loss
  near ln(classes), guesses one class for a while);
- ``dead_network``: every output is the same for every image;
- ``dead_outputs``: after the last epoch, a class's output is the same number for
  every image, or exactly 0 for most images and never the largest: what a ReLU after
  the last layer does to a unit it switched off (notebook 04);
- ``overlap``: the validation loader serves training images;
- ``too_good``: a validation accuracy no model of this course's size reaches on
  FashionMNIST (97% or more; the best published models reach about 96-97%, the
  course's TinyVGG about 88%), the mark of MNIST loaded by mistake or of leaked images.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import torch
from torch import nn

#: Validation accuracy (%) from which a FashionMNIST result is too good to be true.
TOO_GOOD_ACCURACY = 97.0


@contextlib.contextmanager
def recording_outputs(model: nn.Module) -> Iterator[list[torch.Tensor]]:
    """Inside the ``with`` block, append every output of ``model(...)`` (a tensor of
    shape batch x classes, detached) to the list it yields; nothing else changes."""
    outputs: list[torch.Tensor] = []

    def record(module, inputs, output):
        if isinstance(output, torch.Tensor) and output.dim() == 2:
            outputs.append(output.detach())

    handle = model.register_forward_hook(record)
    try:
        yield outputs
    finally:
        handle.remove()


def _base_dataset(loader):
    """The dataset under ``loader`` and the indices it uses (``None``: all of them)."""
    dataset = getattr(loader, "dataset", None)
    if isinstance(dataset, torch.utils.data.Subset):
        return dataset.dataset, dataset.indices
    return dataset, None


def _class_name(loader, index: int) -> str:
    classes = getattr(_base_dataset(loader)[0], "classes", None)
    if isinstance(classes, (list, tuple)) and index < len(classes):
        return f"'{classes[index]}'"
    return f"class {index}"


def _overlap(train_loader, val_loader) -> int | None:
    """How many validation samples are also training samples, where the loaders say."""
    train_data, train_indices = _base_dataset(train_loader)
    val_data, val_indices = _base_dataset(val_loader)
    if train_data is None or train_data is not val_data:
        return None
    if train_indices is None or val_indices is None:  # one of them serves the whole dataset
        return len(val_indices if val_indices is not None else val_data)
    return len(set(map(int, train_indices)) & set(map(int, val_indices)))


def diagnose_epoch(
    model: nn.Module,
    results: dict[str, list[float]],
    val_outputs: list[torch.Tensor],
    train_loader=None,
    val_loader=None,
    notes: dict | None = None,
) -> list[str]:
    """Look at the epochs so far (``results`` as ``train`` builds it: lists of
    ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc``, accuracies in %), at the
    last epoch's validation outputs (batches of logits, batch x classes) and at
    whether ``model``'s parameters moved since the epoch before.

    ``notes`` is the doctor's memory between epochs (pass the same dict each epoch:
    it keeps a fingerprint of the parameters and the problems already named); its
    ``"epochs"``, where given, is the number of epochs the run will train.
    Returns one line of advice for each problem found and not named before (the
    problems are listed in the module's docstring); empty for a healthy epoch."""
    notes = {} if notes is None else notes
    found = _problems(model, results, val_outputs, train_loader, val_loader, notes)
    reported = notes.setdefault("reported", set())
    advice = [line for problem, line in found.items() if problem not in reported]
    reported.update(found)
    return advice


def _fingerprint(model: nn.Module) -> list[float]:
    """One number per parameter tensor: changes whenever an optimizer step moves it."""
    with torch.no_grad():
        return [float(p.double().sum()) + float(p.double().abs().sum()) for p in model.parameters()]


def _problems(model, results, val_outputs, train_loader, val_loader, notes) -> dict[str, str]:
    found: dict[str, str] = {}
    epoch = len(results["train_loss"])
    train_loss, val_loss, val_acc = results["train_loss"][-1], results["val_loss"][-1], results["val_acc"][-1]
    outputs = torch.cat([o.float().cpu() for o in val_outputs]) if val_outputs else None
    n_classes = outputs.shape[1] if outputs is not None and outputs.shape[1] > 1 else 10
    guess_loss = math.log(n_classes)  # the loss of an even guess over the classes
    where = f"Training doctor (epoch {epoch}):"

    if not (math.isfinite(train_loss) and math.isfinite(val_loss)) or train_loss > 2 * guess_loss:
        worse = "not a number" if math.isnan(train_loss) else f"{train_loss:.4g}, far above an even guess's {guess_loss:.2f}"
        found["diverged"] = (
            f"{where} the training loss is {worse}: training diverged. Likely cause: a learning rate too high. Fix: re-create the model and "
            "try a rate 10 times smaller (notebook 09, sections 2 and 3)."
        )
    fingerprint, before = _fingerprint(model), notes.get("fingerprint")
    notes["fingerprint"] = fingerprint
    if before is not None and fingerprint == before:
        found["not_learning"] = (
            f"{where} no parameter of the model changed during this epoch (loss {train_loss:.2f}, "
            f"validation accuracy {val_acc:.1f}%): the model is not learning. Likely causes: "
            "no optimizer.step() or loss.backward() in the loop, an optimizer built on another model's "
            "parameters, a learning rate of 0. Fix: check those three, then train a fresh model."
        )
    if outputs is not None and len(outputs) > 1:
        row_sums = outputs.sum(dim=1)
        if outputs.min() >= 0 and outputs.max() <= 1 and torch.allclose(row_sums, torch.ones_like(row_sums), atol=1e-3):
            found["probabilities"] = (
                f"{where} every output row sums to 1: the model returns probabilities, but "
                "CrossEntropyLoss expects logits (it applies softmax itself), so the loss cannot "
                "fall below 1.46 and learning crawls. Fix: remove the softmax from forward(); apply it "
                "only when you want probabilities."
            )
        predictions = outputs.argmax(dim=1)
        top_class = int(predictions.mode().values)
        share = 100 * float((predictions == top_class).float().mean())
        # A model still on its first plateau (loss near ln(classes)) guesses one class
        # for a while before it learns: only a confident model has collapsed.
        if share >= 90 and ("diverged" in found or abs(train_loss - guess_loss) > 0.25):
            found["collapsed"] = (
                f"{where} {share:.0f}% of validation predictions are {_class_name(val_loader, top_class)}: "
                "the predictions have collapsed onto one class. Likely causes: a learning rate too high, "
                "a loss that diverged, or labels that are all one class. Fix: check the labels, then try "
                "a learning rate 10 times smaller."
            )
        constant = outputs.max(dim=0).values == outputs.min(dim=0).values
        # Only a ReLU (or a clamp) after the last layer makes a logit exactly 0, and a unit it
        # switched off is 0 for most images: such a class that never wins is dead.
        stuck = (outputs == 0).float().mean(dim=0) >= 0.5
        never_predicted = torch.bincount(predictions, minlength=n_classes)[:n_classes] == 0
        # A class can sit out the first epochs and come back (notebook 04's Model 1 never
        # predicts Dress in its first two): only the trained model's dead classes count.
        last_epoch = epoch == notes.get("epochs", epoch)
        dead = (constant | (stuck & never_predicted)).nonzero().flatten().tolist() if last_epoch else []
        if constant.all():
            found["dead_network"] = (
                f"{where} the model gives the same output for every image: its units have stopped "
                "responding (ReLUs that output 0 whatever the input), usually after a learning rate too "
                "high. Fix: re-create the model and try a rate 10 times smaller."
            )
        elif dead and "probabilities" not in found:
            names = " and ".join(_class_name(val_loader, index) for index in dead)
            them = "them" if len(dead) > 1 else "it"
            found["dead_outputs"] = (
                f"{where} the output for {names} stays stuck (0, or one number, for most images) and "
                f"never wins: the trained model never predicts {them}. Likely cause: a ReLU after the last "
                "layer switched that unit off (notebook 04). Fix: end the model with the Linear layer, no "
                "activation after it."
            )
    if epoch == 1 and train_loader is not None and val_loader is not None:
        shared = _overlap(train_loader, val_loader)
        if shared:
            found["overlap"] = (
                f"{where} {shared:,} validation images are also training images, so validation accuracy "
                "flatters the model. Fix: split once with split_train_validation (notebook 01) and give "
                "train() the training part and the validation part."
            )
    if val_acc >= TOO_GOOD_ACCURACY and "overlap" not in found:
        found["too_good"] = (
            f"{where} validation accuracy {val_acc:.2f}% is too good to be true for FashionMNIST (the "
            "course's TinyVGG reaches about 88%). If you meant FashionMNIST: check that you loaded "
            "datasets.FashionMNIST, not datasets.MNIST (digits), and that no validation image is also "
            "a training image."
        )
    return found
