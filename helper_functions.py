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
    dataset: torch.utils.data.Dataset,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
) -> torch.utils.data.DataLoader:
    """A DataLoader that fetches each batch with one indexing operation
    (``dataset[list_of_indices]``) instead of one call per sample.

    With the same ``seed`` it yields exactly the batches of
    ``DataLoader(dataset, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))``.
    """
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    if shuffle:
        sampler = torch.utils.data.RandomSampler(dataset, generator=generator)
    else:
        sampler = torch.utils.data.SequentialSampler(dataset)
    batches = torch.utils.data.BatchSampler(sampler, batch_size=batch_size, drop_last=False)
    # batch_size=None: each item the sampler yields is already a whole batch.
    return torch.utils.data.DataLoader(dataset, sampler=batches, batch_size=None, generator=generator)


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
    """Evaluate ``model`` on ``data_loader``: its class name, mean loss and accuracy (%)."""
    loss, acc = test_step(model, data_loader, loss_fn, accuracy_fn, device)
    return {"model_name": model.__class__.__name__, "model_loss": loss, "model_acc": acc}


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
) -> tuple[nn.Module, dict]:
    """Train a course model exactly as the notebooks do: FashionMNIST as
    tensors prepared once, batches of 32 shuffled with ``seed``, SGD with
    lr 0.1, ``epochs`` epochs. Returns the model and its results record
    (``eval_model``'s keys plus ``train_time`` in seconds, ``device``, ``epochs``)."""
    from timeit import default_timer as timer

    from torchvision import datasets

    root = prepare_fashion_mnist(data_root)
    train_data = dataset_to_tensors(datasets.FashionMNIST(root, train=True, download=True))
    test_data = dataset_to_tensors(datasets.FashionMNIST(root, train=False, download=True))
    train_loader = make_batch_loader(train_data, batch_size=32, shuffle=True, seed=seed)
    test_loader = make_batch_loader(test_data, batch_size=1000)  # evaluation needs no small batches

    model = build_course_model(name, seed).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    start = timer()
    train(model, train_loader, test_loader, loss_fn, optimizer, accuracy_fn, epochs, device, progress)
    train_time = timer() - start
    record = eval_model(model, test_loader, loss_fn, accuracy_fn, device)
    record.update(train_time=train_time, device=str(device), epochs=epochs)
    return model, record
