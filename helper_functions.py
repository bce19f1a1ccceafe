"""The toolbox of the PyTorch Computer Vision course: what its notebooks call.

Several of these a notebook teaches by writing them out, exactly as they are
here, and imports them from this file afterwards: split_train_validation
(notebook 01); FashionMNISTModelV0, accuracy_fn and print_train_time (notebook
02); train_step, test_step, train, eval_model, dataset_to_tensors and
make_batch_loader (notebook 03); FashionMNISTModelV1 (notebook 04);
FashionMNISTModelV2 (notebook 05); make_predictions (notebook 06). The others
are tools the notebooks use along the way.

The course's own machinery lives in the ``cv_course`` package beside this file:
checking the downloaded data (``cv_toolbox.data``), the training doctor that
``train`` calls (``cv_toolbox.training_doctor``), the course models' training
recipe and checkpoints (``cv_course.recipe``) and the exercises' self-checks
(``cv_course.exercise_checks``).
"""
from __future__ import annotations

import os
import sys
import random
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import requests
import torch
from torch import nn

from cv_toolbox.data import DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_MIRRORS, download_to, fetch_fashion_mnist
from cv_toolbox.checkpoints import CheckpointError, check_device, check_state_dict, checkpoint_load_problem, plain_module
from cv_toolbox.files import atomic_write, same_file_contents, temporary, unpack_zip, write_error
from cv_toolbox.training_doctor import diagnose_epoch, recording_outputs

# ---------------------------------------------------------------------------
# Where things live, and the data
# ---------------------------------------------------------------------------


def find_course_root(start: str | Path | None = None) -> Path:
    """Return the course folder: the first of ``start`` and its parents holding
    ``helper_functions.py``, or ``start`` itself (for example ``/content`` in Colab)."""
    start = Path(start or Path.cwd()).expanduser().resolve()
    for folder in (start, *start.parents):
        if (folder / "helper_functions.py").is_file():
            return folder
    return start


def course_data_dir(start: str | Path | None = None) -> Path:
    """Return the top-level ``data/`` folder, wherever a notebook runs from."""
    return find_course_root(start) / "data"


def course_models_dir(start: str | Path | None = None) -> Path:
    """Return the top-level ``models/`` folder, wherever a notebook runs from."""
    return find_course_root(start) / "models"


def prepare_fashion_mnist(
    root: str | Path | None = None,
    debian_dir: str | Path = DEBIAN_FASHION_MNIST_DIR,
    mirrors: Sequence[str] = FASHION_MNIST_MIRRORS,
) -> Path:
    """Make sure ``root/FashionMNIST/raw`` holds the four intact FashionMNIST
    files, so ``torchvision.datasets.FashionMNIST(root, download=True)`` needs
    no network. Returns ``root`` (default: the course's ``data/`` folder).

    Each file is checked against its published MD5; a missing or corrupt one is
    taken from Debian's ``dataset-fashion-mnist`` package if installed, else
    downloaded. Raises ``RuntimeError`` naming both ways if neither works, and
    ``cv_toolbox.files.WriteError`` (a ``RuntimeError`` and an ``OSError``) naming
    the file if the disk refuses it (no space left on device, a read-only folder).
    """
    root = Path(root).expanduser() if root is not None else course_data_dir()  # "~/data" as torchvision reads it
    fetch_fashion_mnist(root / "FashionMNIST" / "raw", Path(debian_dir).expanduser(), mirrors)
    return root


def split_train_validation(
    dataset: torch.utils.data.Dataset, val_size: int = 5000, seed: int = 42
) -> list[torch.utils.data.Subset]:
    """Split ``dataset`` at random into a training part and a validation part of
    ``val_size`` samples, the same split for the same ``seed`` on every run.
    Raises ``TypeError`` unless ``val_size`` is a whole number, ``ValueError``
    unless 0 < ``val_size`` < ``len(dataset)``."""
    if not isinstance(val_size, int) or isinstance(val_size, bool):
        raise TypeError(f"val_size must be a whole number of samples, got {val_size!r}: for a fraction f, pass round(f * len(dataset)).")
    if len(dataset) < 2:
        raise ValueError(f"A split needs at least 2 samples; the dataset has {len(dataset)}.")
    if not 0 < val_size < len(dataset):
        raise ValueError(f"val_size is {val_size}, but a dataset of {len(dataset)} samples needs 0 < val_size < {len(dataset)}.")
    generator = torch.Generator().manual_seed(seed)  # its own generator: the global seed does not move the split
    return torch.utils.data.random_split(dataset, [len(dataset) - val_size, val_size], generator=generator)


# ---------------------------------------------------------------------------
# Reproducibility, timing and metrics
# ---------------------------------------------------------------------------


def set_seeds(seed: int = 42) -> None:
    """Seed Python's, NumPy's and PyTorch's (CPU and CUDA) random generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def use_available_cpus() -> int:
    """Fit PyTorch's CPU threads to the CPUs this process may use (its CPU affinity and any
    cgroup CPU quota, as on a shared server); returns the thread count in use. Prints one line
    only when it lowers the count; does nothing where OMP_NUM_THREADS is set (as the tests do)."""
    from cv_toolbox.cpus import available_cpus

    threads = torch.get_num_threads()
    if os.environ.get("OMP_NUM_THREADS") or (usable := available_cpus()) >= threads:
        return threads
    torch.set_num_threads(usable)
    print(f"PyTorch: {usable} CPU thread(s), not {threads}: this process may use only {usable} CPU(s) here.")
    return usable


def accuracy_fn(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Percentage of ``y_pred`` labels equal to ``y_true`` labels (0-100).

    Both must be 1-D tensors of class labels of the same length; pass
    ``logits.argmax(dim=1)``, not the logits themselves.
    """
    for name, tensor in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{name} must be a torch.Tensor of class labels, got {type(tensor).__name__}.")
        if tensor.ndim != 1 or tensor.is_floating_point():
            raise ValueError(
                f"{name} must be a 1-D tensor of integer class labels, got shape "
                f"{tuple(tensor.shape)} and dtype {tensor.dtype}. If these are logits or "
                "probabilities, turn them into labels first: logits.argmax(dim=1)."
            )
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}."
        )
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty: there is nothing to score.")
    correct = torch.eq(y_true, y_pred).sum().item()
    return correct / len(y_pred) * 100


def print_train_time(start: float, end: float, device: torch.device | str | None = None) -> float:
    """Print and return the seconds between ``start`` and ``end`` (from ``timeit.default_timer``)."""
    if end < start:
        raise ValueError(f"end ({end:.3f}) is before start ({start:.3f}): call print_train_time(start, end).")
    total_time = end - start
    print(f"Train time on {device}: {total_time:.3f} seconds")
    return total_time


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------


def plot_loss_curves(results: dict[str, list[float]]) -> plt.Figure:
    """Plot training and validation loss and accuracy per epoch.

    ``results`` holds the lists ``train_loss``, ``train_acc``, ``val_loss`` and
    ``val_acc``, one value per epoch (as returned by the course's ``train``).
    """
    metrics = ("train_loss", "train_acc", "val_loss", "val_acc")
    if missing := [key for key in metrics if key not in results]:
        raise ValueError(f"results is missing {missing}; expected one list per metric.")
    if len({len(results[key]) for key in metrics}) > 1:  # e.g. a val_loss list from another run
        lengths = ", ".join(f"{key}: {len(results[key])}" for key in metrics)
        raise ValueError(f"results' lists differ in length ({lengths}); each metric needs one value per epoch.")
    epochs = range(1, len(results["train_loss"]) + 1)  # numbered as train() prints them
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(12, 4))
    loss_ax.plot(epochs, results["train_loss"], "o-", label="train (running average over the epoch)")
    loss_ax.plot(epochs, results["val_loss"], "s--", label="validation (weights at the end of the epoch)")
    loss_ax.set(title="Loss", xlabel="Epoch", ylabel="mean cross-entropy loss per image")
    acc_ax.plot(epochs, results["train_acc"], "o-", label="train (running average over the epoch)")
    acc_ax.plot(epochs, results["val_acc"], "s--", label="validation (weights at the end of the epoch)")
    acc_ax.set(title="Accuracy", xlabel="Epoch", ylabel="accuracy (%)")
    for ax in (loss_ax, acc_ax):
        ax.set_xticks(list(epochs))  # whole epochs only
        ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------------------
# Other datasets
# ---------------------------------------------------------------------------


def download_data(
    source: str,
    destination: str,
    remove_source: bool = True,
    data_dir: str | Path | None = None,
    max_unpacked_mb: float = 200,
) -> Path:
    """Download the zip file at ``source`` and unpack it into ``data/destination``
    (``data_dir`` picks another folder than the course's ``data/``). Keeps the zip
    next to that folder unless ``remove_source``. Skips it all if the folder has files.

    Raises ``RuntimeError`` saying what was wrong, leaving the data folder as it
    was: a failed download; a file that is not a zip, or a damaged or empty zip;
    members that would land outside the folder; more than ``max_unpacked_mb``
    megabytes once unpacked (pass a larger value if you expect that much); a kept
    zip that would replace another file of the same name; or a disk that refuses
    the files (``cv_toolbox.files.WriteError``, a ``RuntimeError``).
    """
    data_dir = Path(data_dir).expanduser() if data_dir is not None else course_data_dir()
    target, parts = data_dir / destination, Path(destination).parts
    if not parts or Path(destination).is_absolute() or ".." in parts:
        raise RuntimeError(f"destination={destination!r} must name a folder inside {data_dir}, such as 'pizza_steak_sushi'.")
    if target.is_dir() and any(target.iterdir()):
        print(f"[download_data] {target} already exists, skipping download.")
        return target
    if target.exists() and not target.is_dir():
        raise RuntimeError(f"{target} is a file, not a folder: pass another destination, or move that file away.")
    zip_name = Path(source.split("?")[0]).name
    kept_zip = None if remove_source else data_dir / (zip_name if zip_name not in ("", parts[0]) else f"{parts[0]}.zip")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(error, data_dir) from error
    # Work in a hidden folder beside the target, removed whatever happens; move
    # things into place only when everything succeeded.
    with temporary(data_dir / target.name, folder=True) as work:
        archive, unpacked = work / "download.zip", work / "unpacked"
        try:
            download_to(source, archive)
        except requests.HTTPError as error:
            raise RuntimeError(f"Downloading {source} failed with HTTP status {error.response.status_code}.") from error
        except requests.RequestException as error:
            raise RuntimeError(f"Downloading {source} failed: {error}") from error
        unpack_zip(archive, unpacked, source, max_unpacked_mb, target)
        if kept_zip is not None and kept_zip.exists() and not (kept_zip.is_file() and same_file_contents(kept_zip, archive)):
            raise RuntimeError(f"{kept_zip} already exists and is not the zip just downloaded from {source}: not "
                               "replacing it. Move or rename it, or pass remove_source=True.")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.rmdir()  # an empty leftover folder
            os.replace(unpacked, target)
            if kept_zip is not None:
                os.replace(archive, kept_zip)
        except OSError as error:
            if target.is_dir() and any(target.iterdir()):  # another call unpacked it first: use theirs
                print(f"[download_data] {target} was unpacked meanwhile by another download, skipping.")
                return target
            raise write_error(error, target) from error
    print(f"[download_data] Unpacked {source} into {target}")
    return target


# ---------------------------------------------------------------------------
# Data pipeline for training (notebook 03)
# ---------------------------------------------------------------------------


def dataset_to_tensors(dataset) -> torch.utils.data.TensorDataset:
    """Convert a torchvision MNIST-style dataset (``.data`` uint8 N x H x W,
    ``.targets``), or a ``Subset`` of one, into float images in [0, 1] of shape
    N x 1 x H x W, once.

    The values are exactly what ``transforms.ToTensor()`` gives per sample.
    """
    indices = slice(None)  # every sample
    if isinstance(dataset, torch.utils.data.Subset):  # a part from split_train_validation
        dataset, indices = dataset.dataset, dataset.indices
    images = dataset.data[indices].unsqueeze(dim=1).float().div(255)
    return torch.utils.data.TensorDataset(images, torch.as_tensor(dataset.targets)[indices])


def make_batch_loader(
    dataset: torch.utils.data.TensorDataset,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
) -> torch.utils.data.DataLoader:
    """A DataLoader over a ``TensorDataset`` that fetches each batch with one
    ``index_select`` per tensor instead of one call per sample.

    With the same ``seed`` it yields exactly the batches of
    ``DataLoader(dataset, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))``.
    """
    generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def gather(indices: list[int]) -> tuple[torch.Tensor, ...]:
        index = torch.tensor(indices)
        return tuple(tensor.index_select(0, index) for tensor in dataset.tensors)

    # The DataLoader shuffles and batches the positions 0, 1, ..., N-1 exactly as
    # it would shuffle and batch the samples; gather turns positions into a batch.
    positions = range(len(dataset))
    return torch.utils.data.DataLoader(
        positions, batch_size=batch_size, shuffle=shuffle, generator=generator, collate_fn=gather
    )


# ---------------------------------------------------------------------------
# Training and evaluation (written in notebook 03, used from then on)
# ---------------------------------------------------------------------------


def train_step(
    model: nn.Module,
    data_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    accuracy_fn=accuracy_fn,
    device: torch.device | str | None = None,
) -> tuple[float, float]:
    """Train ``model`` for one epoch; return its mean loss and accuracy (%) per sample.
    ``device`` defaults to where the model's parameters are."""
    device = device or next(model.parameters()).device  # the data must go where the model is
    model.train()
    total_loss, total_acc, n_samples = 0.0, 0.0, 0
    for X, y in data_loader:
        X, y = X.to(device), y.to(device)
        y_logits = model(X)
        loss = loss_fn(y_logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        # Weight each batch by its size: the last batch is usually smaller.
        total_loss += loss.item() * len(y)
        total_acc += accuracy_fn(y, y_logits.argmax(dim=1)) * len(y)
        n_samples += len(y)
    if n_samples == 0:
        raise ValueError("data_loader gave no batches: its dataset is empty.")
    return total_loss / n_samples, total_acc / n_samples


def test_step(
    model: nn.Module,
    data_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    accuracy_fn=accuracy_fn,
    device: torch.device | str | None = None,
) -> tuple[float, float]:
    """Evaluate ``model`` on every batch; return its mean loss and accuracy (%) per sample.
    ``device`` defaults to where the model's parameters are."""
    device = device or next(model.parameters()).device
    model.eval()
    total_loss, total_acc, n_samples = 0.0, 0.0, 0
    with torch.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            y_logits = model(X)
            total_loss += loss_fn(y_logits, y).item() * len(y)
            total_acc += accuracy_fn(y, y_logits.argmax(dim=1)) * len(y)
            n_samples += len(y)
    if n_samples == 0:
        raise ValueError("data_loader gave no batches: its dataset is empty.")
    return total_loss / n_samples, total_acc / n_samples


# Its name starts with "test", so tell test runners such as pytest that it is not a test.
test_step.__test__ = False


def train(
    model: nn.Module,
    train_loader: torch.utils.data.DataLoader,
    val_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    accuracy_fn=accuracy_fn,
    epochs: int = 3,
    device: torch.device | str | None = None,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Run ``train_step`` on ``train_loader`` and ``test_step`` on ``val_loader``
    (usually the validation set) for ``epochs`` epochs, showing a
    progress bar and one line per epoch unless ``progress`` is False. Returns
    the per-epoch ``train_loss``, ``train_acc``, ``val_loss`` and ``val_acc``
    (the input of ``plot_loss_curves``). ``device`` defaults to the model's."""
    # After each epoch the training doctor (cv_toolbox.training_doctor, notebook 09)
    # prints one line per failure it recognises, even with progress=False.
    from tqdm import tqdm  # drawn as text on stdout: redrawn in place, saved in its final state

    results: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    doctor_notes: dict = {"epochs": epochs}  # what the training doctor remembers between epochs
    for epoch in tqdm(range(1, epochs + 1), desc="Epochs", file=sys.stdout, disable=not progress):
        train_loss, train_acc = train_step(model, train_loader, loss_fn, optimizer, accuracy_fn, device)
        with recording_outputs(model) as val_outputs:  # the doctor reads the validation logits
            val_loss, val_acc = test_step(model, val_loader, loss_fn, accuracy_fn, device)
        if progress:  # tqdm.write prints above the bar without breaking it
            tqdm.write(
                f"Epoch {epoch}/{epochs} | train loss: {train_loss:.5f}, train acc: {train_acc:.2f}% "
                f"| val loss: {val_loss:.5f}, val acc: {val_acc:.2f}%"
            )
        for key, value in zip(results, (train_loss, train_acc, val_loss, val_acc)):
            results[key].append(value)
        # Copied outside the course? Delete the doctor's lines (from cv_toolbox.training_doctor).
        for advice in diagnose_epoch(model, results, val_outputs, train_loader, val_loader, doctor_notes):
            tqdm.write(advice)  # one line per problem found, none on a healthy epoch
    return results


def eval_model(
    model: nn.Module,
    data_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    accuracy_fn=accuracy_fn,
    device: torch.device | str | None = None,
) -> dict[str, str | float]:
    """Evaluate ``model`` on every batch of ``data_loader``: its class name,
    mean loss and accuracy (%) per sample, in one dictionary. ``device``
    defaults to the model's."""
    loss, acc = test_step(model, data_loader, loss_fn, accuracy_fn, device)
    return {
        "model_name": model.__class__.__name__,  # the class the model was built from
        "model_loss": loss,
        "model_acc": acc,
    }


# ---------------------------------------------------------------------------
# The course's three models (notebooks 02, 04 and 05)
# ---------------------------------------------------------------------------


class FashionMNISTModelV0(nn.Module):
    """Model 0, the baseline: flatten the image, then two linear layers."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),  # [N, 1, 28, 28] -> [N, 784]
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_stack(x)


class FashionMNISTModelV1(nn.Module):
    """Model 1: the baseline with a ReLU after each linear layer. The last ReLU is
    a mistake kept on purpose (notebook 04): a classifier should output raw logits."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
            nn.ReLU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_stack(x)


class FashionMNISTModelV2(nn.Module):
    """Model 2, TinyVGG from CNN Explainer: two convolutional blocks, then a linear classifier."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.block_1 = nn.Sequential(
            nn.Conv2d(in_channels=input_shape, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),  # 28x28 -> 14x14
        )
        self.block_2 = nn.Sequential(
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=hidden_units, out_channels=hidden_units, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),  # 14x14 -> 7x7
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            # Each 28x28 image leaves block_2 as hidden_units feature maps of 7x7.
            nn.Linear(in_features=hidden_units * 7 * 7, out_features=output_shape),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.block_2(self.block_1(x)))


# ---------------------------------------------------------------------------
# Predictions, saving and loading (notebooks 06-08)
# ---------------------------------------------------------------------------


def make_predictions(
    model: nn.Module,
    data: Iterable[torch.Tensor],
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Prediction probabilities of ``model`` for each image in ``data``, a list
    of [C, H, W] float tensors (or one [N, C, H, W] batch): one row per image,
    one column per class, each row summing to 1. Returned on the CPU.
    ``device`` defaults to where the model's parameters are."""
    images = list(data)
    if not images:
        raise ValueError("data is empty: pass a list of at least one image tensor.")
    if not all(isinstance(image, torch.Tensor) and image.ndim == 3 for image in images):
        raise ValueError("data must hold images of shape [C, H, W], in a list or as one [N, C, H, W] "
                         "batch; for a single image, pass [image].")
    if not images[0].is_floating_point():
        raise ValueError(f"images must be floats in 0-1, as ToTensor makes them, not {images[0].dtype}.")
    device = device or next(model.parameters()).device
    batch = torch.stack(images).to(device)  # [N, C, H, W]: all the images in one batch
    model.eval()
    with torch.inference_mode():
        logits = model(batch)  # [N, n_classes]
    # dim=1 is the class dimension: each row (one image) becomes probabilities.
    return torch.softmax(logits, dim=1).cpu()


def save_model(model: nn.Module, path: str | Path) -> Path:
    """Save ``model.state_dict()`` to ``path`` atomically: an interrupted save
    leaves whatever was at ``path`` before, never a truncated file. Raises
    ``cv_toolbox.files.WriteError`` (an ``OSError``) naming ``path`` if the disk
    refuses it (no space left on device, a read-only folder). A model wrapped by
    ``torch.compile`` is saved as the plain model, so either loads the file."""
    return atomic_write(path, lambda f: torch.save(plain_module(model).state_dict(), f))


def load_model(model: nn.Module, path: str | Path, device: torch.device | str = "cpu") -> nn.Module:
    """Load the state_dict saved at ``path`` into ``model`` and move it to
    ``device``. Tensors are mapped straight to ``device`` (a file saved on a GPU
    loads on a CPU) and ``weights_only=True`` refuses anything but tensors and
    plain containers, so a file cannot run code while loading.

    Raises ``FileNotFoundError`` if there is no file at ``path``, ``RuntimeError``
    if ``device`` is a GPU this machine lacks, ``PermissionError`` if the file
    cannot be read, and ``CheckpointError`` (a ``RuntimeError``) naming the file and the
    cause if it is corrupt, holds a whole pickled model or other objects instead
    of a state_dict, or was saved from a different architecture. ``model`` and the
    file may each come from ``torch.compile`` or not.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}: save one first with save_model(model, path).")
    check_device(device)
    try:
        state_dict = torch.load(path, weights_only=True, map_location=device)
    except PermissionError:
        raise  # the file is fine, but not readable for this user: its message names it
    except Exception as error:  # a truncated zip, random bytes and pickled objects all fail differently
        raise CheckpointError(checkpoint_load_problem(path, error)) from error
    check_state_dict(plain_module(model), state_dict, path)  # raises CheckpointError naming what differs
    plain_module(model).load_state_dict(state_dict)
    return model.to(device)
