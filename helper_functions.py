"""Shared helpers for the PyTorch Computer Vision course.

Each function here is first written and explained in a notebook, then imported
from this file by the notebooks that follow.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import random
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import requests
import torch
from torch import nn

# ---------------------------------------------------------------------------
# Where things live
# ---------------------------------------------------------------------------

#: MD5 checksums of the four uncompressed FashionMNIST files, as published
#: with the dataset. A file that does not match is never trained on.
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

#: Where Debian's ``dataset-fashion-mnist`` package installs the ``.gz`` files.
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

#: Where torchvision downloads FashionMNIST from.
FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)


def find_course_root(start: str | Path | None = None) -> Path:
    """Return the course folder: the first of ``start`` and its parents holding
    ``helper_functions.py``, or ``start`` itself (for example ``/content`` in Colab)."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "helper_functions.py").is_file():
            return folder
    return start


def course_data_dir(start: str | Path | None = None) -> Path:
    """Return the top-level ``data/`` folder, wherever a notebook runs from."""
    return find_course_root(start) / "data"


# ---------------------------------------------------------------------------
# Getting FashionMNIST, online or offline, and checking it
# ---------------------------------------------------------------------------


def _md5(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _gunzip_verified(gz_path: Path, target: Path, expected_md5: str) -> bool:
    """Decompress ``gz_path`` next to ``target``; move it into place only if its
    checksum matches. Returns whether ``target`` now holds the right file."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(gz_path, "rb") as src:
            shutil.copyfileobj(src, out)
        if _md5(tmp) != expected_md5:
            return False
        os.replace(tmp, target)  # atomic: the final path never holds half a file
        return True
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _download_to(url: str, target: Path, timeout: float = 30.0) -> None:
    """Stream ``url`` into ``target``, raising for any HTTP error status."""
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        with open(target, "wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)


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
    downloaded. Raises ``RuntimeError`` naming both ways if neither works.
    """
    root = Path(root) if root is not None else course_data_dir()
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)

    def is_intact(name: str) -> bool:
        path = raw / name
        return path.is_file() and _md5(path) == FASHION_MNIST_MD5[name]

    needed = [name for name in FASHION_MNIST_MD5 if not is_intact(name)]
    for name in needed:
        if (raw / name).exists():
            print(f"[data] {raw / name} is corrupt or truncated (checksum mismatch): replacing it.")
            (raw / name).unlink()

    problems: list[str] = []
    for name in needed:
        expected = FASHION_MNIST_MD5[name]
        local_gz = Path(debian_dir) / f"{name}.gz"
        if local_gz.is_file():
            if _gunzip_verified(local_gz, raw / name, expected):
                continue
            problems.append(f"{local_gz} does not decompress to the published file")
        for mirror in mirrors:
            with tempfile.TemporaryDirectory(dir=raw, prefix=".download-") as tmp:
                gz = Path(tmp) / f"{name}.gz"
                try:
                    _download_to(f"{mirror}{name}.gz", gz)
                except (requests.RequestException, OSError) as error:
                    problems.append(f"download from {mirror} failed: {error}")
                    continue
                if _gunzip_verified(gz, raw / name, expected):
                    break
                problems.append(f"{mirror}{name}.gz is not the published file (checksum mismatch)")

    still_missing = [name for name in FASHION_MNIST_MD5 if not is_intact(name)]
    if still_missing:
        details = "\n  - ".join(problems) or "no source was available"
        raise RuntimeError(
            f"Could not get FashionMNIST file(s) {', '.join(still_missing)} into {raw}.\n"
            f"  - {details}\n"
            "Get the data one of two ways:\n"
            "  1. Online: connect to the internet and run again; torchvision downloads it.\n"
            "  2. Offline (Debian/Ubuntu): sudo apt-get install dataset-fashion-mnist\n"
            f"     (installs the files in {DEBIAN_FASHION_MNIST_DIR}), then run again."
        )
    return root


# ---------------------------------------------------------------------------
# Reproducibility, timing and metrics
# ---------------------------------------------------------------------------


def set_seeds(seed: int = 42) -> None:
    """Seed Python's, NumPy's and PyTorch's (CPU and CUDA) random generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


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
    total_time = end - start
    print(f"Train time on {device}: {total_time:.3f} seconds")
    return total_time


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------


def plot_loss_curves(results: dict[str, list[float]]) -> plt.Figure:
    """Plot training and test loss and accuracy per epoch.

    ``results`` holds the lists ``train_loss``, ``train_acc``, ``test_loss`` and
    ``test_acc``, one value per epoch (as returned by the course's ``train``).
    """
    missing = {"train_loss", "train_acc", "test_loss", "test_acc"} - results.keys()
    if missing:
        raise ValueError(f"results is missing {sorted(missing)}; expected one list per metric.")
    epochs = range(1, len(results["train_loss"]) + 1)
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(12, 4))
    loss_ax.plot(epochs, results["train_loss"], label="train_loss")
    loss_ax.plot(epochs, results["test_loss"], label="test_loss")
    loss_ax.set(title="Loss", xlabel="Epochs")
    loss_ax.legend()
    acc_ax.plot(epochs, results["train_acc"], label="train_accuracy")
    acc_ax.plot(epochs, results["test_acc"], label="test_accuracy")
    acc_ax.set(title="Accuracy", xlabel="Epochs")
    acc_ax.legend()
    return fig


def plot_predictions(
    train_data: torch.Tensor,
    train_labels: torch.Tensor,
    test_data: torch.Tensor,
    test_labels: torch.Tensor,
    predictions: torch.Tensor | None = None,
) -> plt.Axes:
    """Scatter training data, test data and (optionally) predictions of a 1-D regression."""
    fig, ax = plt.subplots(figsize=(10, 7))
    ax.scatter(train_data, train_labels, c="b", s=4, label="Training data")
    ax.scatter(test_data, test_labels, c="g", s=4, label="Testing data")
    if predictions is not None:
        if len(predictions) != len(test_data):
            raise ValueError(
                f"predictions has {len(predictions)} values but test_data has {len(test_data)}."
            )
        ax.scatter(test_data, predictions, c="r", s=4, label="Predictions")
    ax.legend(prop={"size": 14})
    return ax


def plot_decision_boundary(model: nn.Module, X: torch.Tensor, y: torch.Tensor, resolution: int = 101) -> plt.Axes:
    """Colour the plane by ``model``'s predicted class and scatter the 2-D points ``X``."""
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2), got {tuple(X.shape)}.")
    model = model.to("cpu")
    X, y = X.cpu(), y.cpu()
    x_min, x_max = X[:, 0].min().item() - 0.1, X[:, 0].max().item() + 0.1
    y_min, y_max = X[:, 1].min().item() - 0.1, X[:, 1].max().item() + 0.1
    xx, yy = torch.meshgrid(
        torch.linspace(x_min, x_max, resolution), torch.linspace(y_min, y_max, resolution), indexing="xy"
    )
    grid = torch.stack((xx.ravel(), yy.ravel()), dim=1)
    model.eval()
    with torch.inference_mode():
        logits = model(grid)
    if logits.ndim == 2 and logits.shape[1] > 1:  # multi-class: one logit per class
        labels = logits.argmax(dim=1)
    else:  # binary: one logit per sample
        labels = (torch.sigmoid(logits.squeeze()) > 0.5).long()
    fig, ax = plt.subplots()
    ax.contourf(xx, yy, labels.reshape(xx.shape), cmap=plt.cm.RdYlBu, alpha=0.7)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.RdYlBu)
    ax.set(xlim=(x_min, x_max), ylim=(y_min, y_max))
    return ax


def pred_and_plot_image(
    model: nn.Module,
    image_path: str | Path,
    class_names: Sequence[str],
    transform=None,
    device: torch.device | str = "cpu",
) -> tuple[str, float]:
    """Predict the class of the image at ``image_path`` and show it titled with
    the prediction and its probability. Returns ``(class_name, probability)``.

    ``transform`` turns the PIL image into the tensor the model expects
    (default: ``ToTensor``).
    """
    from PIL import Image
    from torchvision import transforms

    image_path = Path(image_path)
    if not image_path.is_file():
        raise FileNotFoundError(f"No image at {image_path}.")
    image = Image.open(image_path)
    transform = transform or transforms.ToTensor()
    tensor = transform(image)
    model = model.to(device)
    model.eval()
    with torch.inference_mode():
        logits = model(tensor.unsqueeze(dim=0).to(device))  # add a batch dimension
    probs = torch.softmax(logits, dim=1)
    label = probs.argmax(dim=1).item()
    if label >= len(class_names):
        raise ValueError(f"The model predicted class {label} but only {len(class_names)} class names were given.")
    probability = probs.max().item()
    fig, ax = plt.subplots()
    ax.imshow(image, cmap="gray" if image.mode == "L" else None)
    ax.set_title(f"Pred: {class_names[label]} | Prob: {probability:.3f}")
    ax.axis("off")
    return class_names[label], probability


# ---------------------------------------------------------------------------
# Files and folders
# ---------------------------------------------------------------------------

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def walk_through_dir(dir_path: str | Path) -> list[tuple[Path, int, int]]:
    """Print, for ``dir_path`` and each folder below it, how many sub-folders
    and images it holds. Returns the rows as ``(folder, n_dirs, n_images)``."""
    dir_path = Path(dir_path)
    if not dir_path.is_dir():
        raise NotADirectoryError(f"{dir_path} is not a folder.")
    rows = []
    for folder, dirnames, filenames in sorted(os.walk(dir_path)):
        dirnames.sort()
        n_images = sum(Path(name).suffix.lower() in IMAGE_SUFFIXES for name in filenames)
        rows.append((Path(folder), len(dirnames), n_images))
        print(f"There are {len(dirnames)} directories and {n_images} images in '{folder}'.")
    return rows


def download_data(
    source: str,
    destination: str,
    data_dir: str | Path | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download the zip file at ``source`` and unpack it into ``data_dir/destination``.

    Skips the download if that folder already has files. Raises ``RuntimeError``
    for a failed download, a file that is not a zip, or a zip with members that
    would land outside the folder; in every such case no folder is left behind.
    """
    data_dir = Path(data_dir) if data_dir is not None else course_data_dir()
    target = data_dir / destination
    if target.is_dir() and any(target.iterdir()):
        print(f"[download_data] {target} already exists, skipping download.")
        return target
    data_dir.mkdir(parents=True, exist_ok=True)
    # Work in a hidden temporary folder next to the target and move it into
    # place only when everything succeeded.
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=f".{destination}.") as tmp:
        archive = Path(tmp) / "download.zip"
        try:
            _download_to(source, archive, timeout=timeout)
        except requests.HTTPError as error:
            raise RuntimeError(f"Downloading {source} failed with HTTP status {error.response.status_code}.") from error
        except requests.RequestException as error:
            raise RuntimeError(f"Downloading {source} failed: {error}") from error
        if not zipfile.is_zipfile(archive):
            raise RuntimeError(f"{source} did not return a zip file; check the address.")
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                resolved = (unpacked / member).resolve()
                if not resolved.is_relative_to(unpacked.resolve()):
                    raise RuntimeError(
                        f"{source} holds '{member}', which would be written outside {target}; refusing to unpack it."
                    )
            zf.extractall(unpacked)
        if target.exists():
            target.rmdir()  # an empty leftover folder
        os.replace(unpacked, target)
    print(f"[download_data] Unpacked {source} into {target}")
    return target


# ---------------------------------------------------------------------------
# Data pipeline for training (notebook 03)
# ---------------------------------------------------------------------------


def dataset_to_tensors(dataset) -> torch.utils.data.TensorDataset:
    """Convert a torchvision MNIST-style dataset (``.data`` uint8 N x H x W,
    ``.targets``) into float images in [0, 1] of shape N x 1 x H x W, once.

    The values are exactly what ``transforms.ToTensor()`` gives per sample.
    """
    images = dataset.data.unsqueeze(dim=1).float().div(255)
    return torch.utils.data.TensorDataset(images, torch.as_tensor(dataset.targets))


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
    device: torch.device | str = "cpu",
) -> tuple[float, float]:
    """Train ``model`` for one epoch; return its mean loss and accuracy (%) per sample."""
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
    return total_loss / n_samples, total_acc / n_samples


def test_step(
    model: nn.Module,
    data_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    accuracy_fn=accuracy_fn,
    device: torch.device | str = "cpu",
) -> tuple[float, float]:
    """Evaluate ``model`` on every batch; return its mean loss and accuracy (%) per sample."""
    model.eval()
    total_loss, total_acc, n_samples = 0.0, 0.0, 0
    with torch.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            y_logits = model(X)
            total_loss += loss_fn(y_logits, y).item() * len(y)
            total_acc += accuracy_fn(y, y_logits.argmax(dim=1)) * len(y)
            n_samples += len(y)
    return total_loss / n_samples, total_acc / n_samples


# Tell pytest that test_step is not a test, although its name starts with "test".
test_step.__test__ = False


def train(
    model: nn.Module,
    train_loader: torch.utils.data.DataLoader,
    test_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    accuracy_fn=accuracy_fn,
    epochs: int = 3,
    device: torch.device | str = "cpu",
    progress: bool = True,
) -> dict[str, list[float]]:
    """Run ``train_step`` and ``test_step`` for ``epochs`` epochs, showing a
    progress bar and one line per epoch unless ``progress`` is False. Returns
    the per-epoch ``train_loss``, ``train_acc``, ``test_loss`` and ``test_acc``
    (the input of ``plot_loss_curves``)."""
    from tqdm import tqdm

    results: dict[str, list[float]] = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    for epoch in tqdm(range(epochs), desc="Epochs", disable=not progress):
        train_loss, train_acc = train_step(model, train_loader, loss_fn, optimizer, accuracy_fn, device)
        test_loss, test_acc = test_step(model, test_loader, loss_fn, accuracy_fn, device)
        if progress:
            print(
                f"Epoch {epoch} | train loss: {train_loss:.5f}, train acc: {train_acc:.2f}% "
                f"| test loss: {test_loss:.5f}, test acc: {test_acc:.2f}%"
            )
        for key, value in zip(results, (train_loss, train_acc, test_loss, test_acc)):
            results[key].append(value)
    return results


def eval_model(
    model: nn.Module,
    data_loader: torch.utils.data.DataLoader,
    loss_fn: nn.Module,
    accuracy_fn=accuracy_fn,
    device: torch.device | str = "cpu",
) -> dict[str, str | float]:
    """Evaluate ``model`` on every batch of ``data_loader``: its class name,
    mean loss and accuracy (%) per sample."""
    model.eval()
    total_loss, total_acc, n_samples = 0.0, 0.0, 0
    with torch.inference_mode():
        for X, y in data_loader:
            X, y = X.to(device), y.to(device)
            y_logits = model(X)
            # Weight each batch by its size: the last batch may be smaller.
            total_loss += loss_fn(y_logits, y).item() * len(y)
            total_acc += accuracy_fn(y, y_logits.argmax(dim=1)) * len(y)
            n_samples += len(y)
    return {
        "model_name": model.__class__.__name__,  # the class the model was built from
        "model_loss": total_loss / n_samples,
        "model_acc": total_acc / n_samples,
    }


# ---------------------------------------------------------------------------
# The course's three models (notebooks 02, 03 and 04)
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
    """Model 1: the baseline with a ReLU after each linear layer."""

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
# The course's training recipe, in one place (notebooks 02-07, the benchmark)
# ---------------------------------------------------------------------------

#: How each course model is built: its class and constructor arguments.
COURSE_MODELS: dict[str, tuple[type[nn.Module], dict[str, int]]] = {
    "model_0": (FashionMNISTModelV0, {"input_shape": 784, "hidden_units": 10, "output_shape": 10}),
    "model_1": (FashionMNISTModelV1, {"input_shape": 784, "hidden_units": 10, "output_shape": 10}),
    "model_2": (FashionMNISTModelV2, {"input_shape": 1, "hidden_units": 10, "output_shape": 10}),
}


def build_course_model(name: str, seed: int = 42) -> nn.Module:
    """A freshly initialised course model (``model_0``, ``model_1`` or ``model_2``), seeded."""
    if name not in COURSE_MODELS:
        raise ValueError(f"Unknown course model {name!r}; choose one of {sorted(COURSE_MODELS)}.")
    model_class, kwargs = COURSE_MODELS[name]
    set_seeds(seed)
    return model_class(**kwargs)


def train_course_model(
    name: str,
    data_root: str | Path | None = None,
    device: torch.device | str = "cpu",
    epochs: int = 3,
    seed: int = 42,
    progress: bool = False,
    channels_last: bool | None = None,
) -> tuple[nn.Module, dict]:
    """Train a course model exactly as the notebooks do: FashionMNIST as
    tensors prepared once, batches of 32 shuffled with ``seed``, SGD with
    lr 0.1, ``epochs`` epochs, evaluation in batches of 1000. A CNN's weights
    are stored channels-last unless ``channels_last`` is False. Returns the
    model and its results record (``eval_model``'s keys plus ``train_time`` in
    seconds, ``device``, ``epochs``)."""
    from timeit import default_timer as timer

    from torchvision import datasets

    root = prepare_fashion_mnist(data_root)
    train_data = dataset_to_tensors(datasets.FashionMNIST(root, train=True, download=True))
    test_data = dataset_to_tensors(datasets.FashionMNIST(root, train=False, download=True))
    train_loader = make_batch_loader(train_data, batch_size=32, shuffle=True, seed=seed)
    test_loader = make_batch_loader(test_data, batch_size=1000)  # evaluation needs no small batches

    model = build_course_model(name, seed)
    if channels_last is None:  # the course's choice: channels-last for convolutional models
        channels_last = any(isinstance(module, nn.Conv2d) for module in model.modules())
    memory_format = torch.channels_last if channels_last else torch.preserve_format
    model = model.to(device, memory_format=memory_format)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    start = timer()
    train(model, train_loader, test_loader, loss_fn, optimizer, accuracy_fn, epochs, device, progress)
    train_time = timer() - start
    record = eval_model(model, test_loader, loss_fn, accuracy_fn, device)
    record.update(train_time=train_time, device=str(device), epochs=epochs)
    return model, record


# ---------------------------------------------------------------------------
# Predictions, saving and loading (notebooks 05-07)
# ---------------------------------------------------------------------------


def make_predictions(
    model: nn.Module,
    data: Iterable[torch.Tensor],
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Prediction probabilities of ``model`` (already on ``device``) for each
    image in ``data``, a list of C x H x W tensors: one row per image, one
    column per class, each row summing to 1. Returned on the CPU."""
    images = list(data)
    if not images:
        raise ValueError("data is empty: pass a list of at least one image tensor.")
    batch = torch.stack(images).to(device)  # [N, C, H, W]: all the images in one batch
    model.eval()
    with torch.inference_mode():
        logits = model(batch)  # [N, n_classes]
    # dim=1 is the class dimension: each row (one image) becomes probabilities.
    return torch.softmax(logits, dim=1).cpu()


class CheckpointError(RuntimeError):
    """A checkpoint file exists but cannot be loaded into the given model."""


def course_models_dir(start: str | Path | None = None) -> Path:
    """Return the top-level ``models/`` folder, wherever a notebook runs from."""
    return find_course_root(start) / "models"


def _atomic_write(path: str | Path, write) -> Path:
    """Call ``write(file)`` on a temporary file next to ``path``, then move it
    to ``path`` in one step. If anything fails, ``path`` keeps its old contents
    (or stays absent) and the temporary file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the file gets its real name
        os.chmod(tmp, 0o644)  # mkstemp creates files only their owner can read
        os.replace(tmp, path)  # atomic: readers see the old file or the new one, never half of one
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save_model(model: nn.Module, path: str | Path) -> Path:
    """Save ``model.state_dict()`` to ``path`` atomically: an interrupted save
    leaves whatever was at ``path`` before, never a truncated file."""
    return _atomic_write(path, lambda f: torch.save(model.state_dict(), f))


def _shape(value) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def load_model(model: nn.Module, path: str | Path, device: torch.device | str = "cpu") -> nn.Module:
    """Load the state_dict saved at ``path`` into ``model`` and move it to
    ``device``. Tensors are mapped straight to ``device`` (a file saved on a GPU
    loads on a CPU) and ``weights_only=True`` refuses anything but tensors and
    plain containers, so a file cannot run code while loading.

    Raises ``FileNotFoundError`` if there is no file at ``path`` and
    ``CheckpointError`` (a ``RuntimeError``) naming the file if it is corrupt,
    is not a state_dict, or was saved from a different architecture.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}: save one first with save_model(model, path).")
    try:
        state_dict = torch.load(path, weights_only=True, map_location=device)
    except Exception as error:  # a truncated zip, random bytes and pickled objects all fail differently
        raise CheckpointError(
            f"Could not load {path} as a weights-only PyTorch checkpoint: it is truncated or corrupt, "
            f"not a PyTorch file, or holds objects other than tensors "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no details'})."
        ) from error
    if not isinstance(state_dict, dict) or not all(isinstance(key, str) for key in state_dict):
        raise CheckpointError(
            f"{path} holds a {type(state_dict).__name__}, not a state_dict (a dict of parameter names "
            "to tensors); save checkpoints with save_model(model, path)."
        )
    expected = model.state_dict()
    missing = [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    mismatched = [
        f"{key}: file {_shape(state_dict[key])} vs model {_shape(expected[key])}"
        for key in expected
        if key in state_dict and _shape(state_dict[key]) != _shape(expected[key])
    ]
    if missing or unexpected or mismatched:
        problems = [
            f"{label}: {', '.join(items)}"
            for label, items in (
                ("missing keys", missing),
                ("unexpected keys", unexpected),
                ("shape mismatches", mismatched),
            )
            if items
        ]
        raise CheckpointError(
            f"{path} was saved from a different architecture than {type(model).__name__}; "
            + "; ".join(problems)
            + "."
        )
    model.load_state_dict(state_dict)
    return model.to(device)


def _code_without_docs(source: str) -> str:
    """The syntax tree of Python ``source`` without docstrings: comments,
    docstrings and formatting do not change it, code does."""
    import ast
    import textwrap

    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _recipe_fingerprint(name: str) -> str:
    """A short hash of the code that trains course model ``name``: when the
    recipe's code changes (not merely its comments), checkpoints made with the
    old one no longer count."""
    import inspect

    model_class, kwargs = COURSE_MODELS[name]
    parts = [repr(sorted(kwargs.items()))]
    recipe = ("build_course_model", "train_course_model", "train", "train_step", "test_step",
              "eval_model", "make_batch_loader", "dataset_to_tensors", "set_seeds", "accuracy_fn")
    for obj in (model_class, *(globals().get(function_name) for function_name in recipe)):
        try:
            parts.append(_code_without_docs(inspect.getsource(obj)))
        except (OSError, TypeError, SyntaxError):  # no source to read: fall back to the name
            parts.append(getattr(obj, "__qualname__", repr(obj)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


#: Fingerprints of the recipe this module was imported with (read now: the file
#: on disk may change later, while the code that runs does not).
_RECIPE_FINGERPRINTS = {name: _recipe_fingerprint(name) for name in COURSE_MODELS}


def save_course_model(name: str, model: nn.Module, record: dict, models_dir: str | Path | None = None) -> Path:
    """Save a trained course model as ``models/{name}.pth`` and its results
    record as ``models/{name}.json`` (both atomically), tagged with the recipe
    that trained it. Returns the checkpoint's path."""
    import json

    models_dir = Path(models_dir) if models_dir is not None else course_models_dir()
    record = {**record, "recipe": _RECIPE_FINGERPRINTS[name]}
    model_path = save_model(model, models_dir / f"{name}.pth")
    _atomic_write(models_dir / f"{name}.json", lambda f: f.write(json.dumps(record, indent=2).encode()))
    return model_path


def _load_course_model(name: str, device: torch.device | str, models_dir: Path) -> tuple[nn.Module, dict]:
    """Load a course model and its record saved by ``save_course_model``;
    raise if either is missing, does not load, or comes from another recipe."""
    import json

    record = json.loads((models_dir / f"{name}.json").read_text())
    if not isinstance(record, dict) or record.get("recipe") != _RECIPE_FINGERPRINTS[name]:
        raise CheckpointError(f"{models_dir / name}.json was made by a different training recipe.")
    model = load_model(build_course_model(name), models_dir / f"{name}.pth", device)
    return model, {key: value for key, value in record.items() if key != "recipe"}


def load_or_train_course_model(
    name: str,
    device: torch.device | str = "cpu",
    models_dir: str | Path | None = None,
    data_root: str | Path | None = None,
) -> tuple[nn.Module, dict]:
    """Course model ``name`` trained, and its results record: loaded from
    ``models/{name}.pth`` and ``models/{name}.json`` if both are there, load
    and were made with the current recipe; otherwise trained with
    ``train_course_model`` and saved there. Prints nothing either way, and
    returns the saved model loaded back in both cases, so a notebook shows the
    same outputs whichever happened."""
    models_dir = Path(models_dir) if models_dir is not None else course_models_dir()
    try:
        return _load_course_model(name, device, models_dir)
    except (OSError, ValueError, CheckpointError):
        pass  # missing, unreadable or stale: train it again
    model, record = train_course_model(name, data_root=data_root, device=device, progress=False)
    save_course_model(name, model, record, models_dir)
    # Load it back, exactly as a later run would: the same model object either way.
    return _load_course_model(name, device, models_dir)


# ---------------------------------------------------------------------------
# Exercise self-checks (notebooks 08 and 09)
# ---------------------------------------------------------------------------
# Each check_* function looks at a student's answer, prints one line and returns
# True only when the answer is right:
#   ✅ what is right   |   ❌ what is wrong, and a hint   |   ⏳ not done yet, and a hint
# An answer that is None or ``...`` (or a function that still raises
# NotImplementedError) counts as "not done yet", so a check cell runs without
# errors before its exercise is solved, and prints the same line whether the
# answer cell held the untouched template or never ran at all.


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
    batch = torch.zeros(2, 1, 28, 28, device=_model_device(model))
    try:
        with torch.no_grad():
            output = model(batch)
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return _check_wrong(
            f"calling model_0 on a batch of shape [2, 1, 28, 28] failed ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}). Is input_shape {input_shape} (28 * 28)?"
        )
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


def _reference_train_one_epoch(model, data_loader, loss_fn, optimizer, device) -> float:
    model.train()
    total_loss = 0.0
    for X, y in data_loader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        total_loss += loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return total_loss / len(data_loader)


def check_training_loop(train_one_epoch, device: torch.device | str = "cpu") -> bool:
    """Exercise 5: ``train_one_epoch(model, data_loader, loss_fn, optimizer, device)`` runs
    one epoch of the five training steps and returns the mean batch loss (a float).

    It is run on a small made-up problem next to a reference loop, from the same
    starting weights; both must end with the same weights."""
    import copy

    TODO_HINT = "write train_one_epoch(model, data_loader, loss_fn, optimizer, device): the five steps per batch."
    if _missing(train_one_epoch):
        return _check_todo(TODO_HINT)
    if not callable(train_one_epoch):
        return _check_wrong(f"train_one_epoch should be a function, got {type(train_one_epoch).__name__}.")
    with torch.random.fork_rng(devices=[]):  # leave the student's random state alone
        torch.manual_seed(0)
        X = torch.rand(96, 1, 28, 28)
        y = torch.randint(0, 10, (96,))
        start_model = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10).to(device)
    loader = make_batch_loader(torch.utils.data.TensorDataset(X, y), batch_size=32)

    def run(fn):
        model = copy.deepcopy(start_model)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        return model, fn(model, loader, nn.CrossEntropyLoss(), optimizer, device)

    try:
        with torch.random.fork_rng(devices=[]):  # iterating a DataLoader draws from the random state
            reference_model, reference_loss = run(_reference_train_one_epoch)
            model, result = run(train_one_epoch)
    except NotImplementedError:
        return _check_todo(TODO_HINT)
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return _check_wrong(
            f"train_one_epoch raised {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        )
    unchanged = all(torch.equal(p, q) for p, q in zip(model.parameters(), start_model.parameters()))
    if unchanged:
        return _check_wrong(
            "the weights did not change: every batch needs loss.backward() and then optimizer.step()."
        )
    same_weights = all(
        torch.allclose(p, q, atol=1e-6) for p, q in zip(model.parameters(), reference_model.parameters())
    )
    if not same_weights:
        return _check_wrong(
            "the weights changed, but not as a standard training loop changes them: per batch, do the "
            "forward pass, the loss, optimizer.zero_grad() (or gradients pile up), loss.backward(), optimizer.step()."
        )
    if result is None:
        return _check_wrong("train_one_epoch returned None: return the mean loss, total_loss / len(data_loader).")
    if isinstance(result, torch.Tensor):
        return _check_wrong(
            "train_one_epoch returned a tensor: add up loss.item() (a Python float), not the loss tensor."
        )
    if not _is_number(result):
        return _check_wrong(f"train_one_epoch returned a {type(result).__name__}; return the mean loss as a float.")
    if abs(result - reference_loss * len(loader)) < 1e-4:
        return _check_wrong("train_one_epoch returned the sum of the batch losses: divide it by len(data_loader).")
    if abs(result - reference_loss) > 1e-4:
        return _check_wrong(
            f"train_one_epoch returned {result:.4f}, but the mean batch loss was {reference_loss:.4f}: add up "
            "each batch's loss.item() and divide by len(data_loader)."
        )
    return _check_ok("train_one_epoch updates the weights exactly like a standard loop and returns the mean batch loss.")


def check_loss_curve(loss_values, epochs: int) -> bool:
    """Exercise 6: one float training loss per epoch, lower at the end than at the start."""
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
    return _check_ok(f"{epochs} epoch losses, falling from {loss_values[0]:.4f} to {loss_values[-1]:.4f}.")


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
    """Exercises 7 and 12: ``model``'s accuracy on ``images``/``labels`` beats ``threshold`` (%)."""
    if _missing(model):
        return _check_todo(f"build and train {name} first.")
    if not isinstance(model, nn.Module):
        return _check_wrong(f"{name} should be a trained nn.Module, got {type(model).__name__}.")
    try:
        preds = _predict_labels(model, images)
    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
        return _check_wrong(
            f"calling {name} on images of shape {_shape_text(images.shape)} failed ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''})."
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


def check_compare_results(compare_results, n_models: int = 3) -> bool:
    """Exercise 8: a DataFrame with one row per model: name, accuracy (%) and training time (s)."""
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
    best = compare_results.loc[accs.idxmax()]
    return _check_ok(
        f"{n_models} models compared; the most accurate is {best['model_name']} ({best['model_acc']:.1f}%)."
    )


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
                    try:
                        result = conv_output_size(size, kernel_size, stride, padding)
                    except NotImplementedError:
                        return _check_todo(TODO_HINT)
                    except Exception as error:  # noqa: BLE001 (any failure is reported to the student)
                        return _check_wrong(f"conv_output_size({case}) raised {type(error).__name__}: {error}")
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


def check_mnist_tensors(images, labels, source_X, source_y) -> bool:
    """Exercise 12: rows of 784 pixels (0-255) -> float32 images [N, 1, 28, 28] in [0, 1],
    and labels -> int64 [N]."""
    if _missing(images, labels):
        return _check_todo("turn the NumPy pixels and labels into mnist_train_images and mnist_train_labels tensors.")
    n = len(source_y)
    if not isinstance(images, torch.Tensor):
        return _check_wrong(
            f"mnist_train_images should be a tensor, got {type(images).__name__}: torch.from_numpy() or torch.tensor()."
        )
    shape = tuple(images.shape)
    if shape == (n, 784):
        return _check_wrong("mnist_train_images is still rows of 784 pixels: reshape to [-1, 1, 28, 28].")
    if shape == (n, 28, 28):
        return _check_wrong("mnist_train_images is [N, 28, 28]: add the colour channel, [N, 1, 28, 28].")
    if shape == (n, 28, 28, 1):
        return _check_wrong("mnist_train_images is channels last, [N, 28, 28, 1]: PyTorch wants [N, 1, 28, 28].")
    if shape != (n, 1, 28, 28):
        return _check_wrong(f"mnist_train_images has shape {_shape_text(shape)}, expected [{n}, 1, 28, 28].")
    if images.dtype != torch.float32:
        return _check_wrong(
            f"mnist_train_images is {images.dtype}: the model's weights are float32, so use .float() "
            "(or dtype=torch.float32)."
        )
    if images.max() > 1 or images.min() < 0:
        return _check_wrong(
            f"pixel values run from {images.min().item():g} to {images.max().item():g}: divide by 255 to get 0-1, "
            "like ToTensor() does for FashionMNIST."
        )
    expected = torch.as_tensor(source_X, dtype=torch.float32).reshape(-1, 1, 28, 28) / 255
    if not torch.allclose(images.cpu(), expected, atol=1e-5):
        return _check_wrong(
            "mnist_train_images doesn't hold the digits of the training rows in order: reshape each row of "
            "784 pixels to [1, 28, 28] without transposing or shuffling."
        )
    if not isinstance(labels, torch.Tensor):
        return _check_wrong(f"mnist_train_labels should be a tensor, got {type(labels).__name__}.")
    if labels.dtype != torch.int64:
        return _check_wrong(f"mnist_train_labels is {labels.dtype}: nn.CrossEntropyLoss wants int64 (torch.long) labels.")
    if tuple(labels.shape) != (n,) or not torch.equal(labels.cpu(), torch.as_tensor(source_y, dtype=torch.int64)):
        return _check_wrong("mnist_train_labels should hold the training labels, in the same order as the images.")
    return _check_ok(f"images [{n}, 1, 28, 28] float32 in [0, 1] and labels [{n}] int64, in order.")


def check_mnist_model(model, test_X, test_y, threshold: float = 90) -> bool:
    """Exercise 12: a model trained on the MNIST digits beats ``threshold`` (%) on
    the held-out rows ``test_X`` (784 pixels each, 0-255) and labels ``test_y``."""
    images = torch.as_tensor(test_X, dtype=torch.float32).reshape(-1, 1, 28, 28) / 255
    labels = torch.as_tensor(test_y, dtype=torch.int64)
    return check_model_accuracy(model, images, labels, threshold, name="mnist_model")


def check_device_timing(device, cpu_time, gpu_time=None) -> bool:
    """Exercise 13: device-agnostic code, and training timed on the CPU (and on the
    GPU only when there is one)."""
    if _missing(device, cpu_time):
        return _check_todo("set timing_device device-agnostically and time one epoch on the CPU (cpu_time).")
    try:
        device_type = torch.device(device).type
    except (TypeError, RuntimeError):
        return _check_wrong(f"timing_device should be 'cuda' or 'cpu', got {device!r}.")
    has_gpu = torch.cuda.is_available()
    expected = "cuda" if has_gpu else "cpu"
    if device_type != expected:
        if device_type == "cuda":
            return _check_wrong(
                "timing_device is 'cuda', but this machine has no GPU: write device-agnostic code, "
                '"cuda" if torch.cuda.is_available() else "cpu".'
            )
        if has_gpu:
            return _check_wrong("a GPU is available but timing_device is not 'cuda': use torch.cuda.is_available().")
        return _check_wrong(f"timing_device is {device!r}, expected {expected!r}.")
    if not _is_number(cpu_time) or not cpu_time > 0:
        return _check_wrong(
            f"cpu_time should be a positive number of seconds (what print_train_time returns), got {cpu_time!r}."
        )
    if has_gpu and (not _is_number(gpu_time) or not gpu_time > 0):
        return _check_wrong("there is a GPU: time the same training on it too and store the seconds in gpu_time.")
    if not has_gpu and gpu_time is not None:
        return _check_wrong("there is no GPU here, so gpu_time should stay None.")
    if has_gpu:
        return _check_ok("device-agnostic code, with the training timed on the CPU and on the GPU.")
    return _check_ok("device-agnostic code; there is no GPU here, so only the CPU was timed.")


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
