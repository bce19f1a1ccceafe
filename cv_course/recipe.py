"""The course's training recipe for its three models, and their checkpoints.

Notebooks 02 to 05 build and train Model 0, Model 1 and Model 2 step by step.
Notebooks 06 to 08 need those trained models but must also run on their own (in
a fresh Colab session, say), so they call ``load_or_train_course_model``: it
loads ``models/{name}.pth`` when a notebook before saved it with this recipe,
and otherwise trains the model exactly as the notebooks do.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from timeit import default_timer as timer

import torch
from torch import nn
from tqdm import tqdm

from cv_course.files import require_writable
from helper_functions import (
    CheckpointError,
    FashionMNISTModelV0,
    FashionMNISTModelV1,
    FashionMNISTModelV2,
    accuracy_fn,
    atomic_write,
    course_models_dir,
    dataset_to_tensors,
    eval_model,
    load_model,
    make_batch_loader,
    prepare_fashion_mnist,
    save_model,
    set_seeds,
    split_train_validation,
    train,
)

#: The version of the recipe below. Raise it whenever a change alters what
#: training computes (a model, the batches, the loop, the optimizer): models saved
#: under another version are then trained again instead of loaded.
RECIPE_VERSION = 4

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
    channels_last: bool = False,
    bar_desc: str | None = None,
) -> tuple[nn.Module, dict]:
    """Train a course model to exactly the weights the notebooks get: the same
    batches of 32 shuffled with ``seed`` as their ``DataLoader``, SGD with lr
    0.1, ``epochs`` epochs, on the 55,000 training images that
    ``split_train_validation`` leaves (seed 42), evaluated after each epoch on
    its 5,000 validation images; the test set is never used. Faster than the notebooks' loop: FashionMNIST is
    turned into tensors once and evaluated in batches of 1000 (notebook 03's
    optional section shows the weights come out identical). ``channels_last``
    stores a CNN's weights channels-last: faster on many CPUs, but the sums
    round differently, so the model differs from the notebooks' in the end.
    Returns the model and its results record (``eval_model``'s keys, on the
    validation set, plus
    ``train_time`` in seconds, ``device``, ``epochs``). ``progress`` prints
    ``train``'s bar and one line per epoch; ``bar_desc`` instead shows only a
    bar over the epochs, labelled ``bar_desc``."""
    from torchvision import datasets

    root = prepare_fashion_mnist(data_root)
    full_train_data = datasets.FashionMNIST(root, train=True, download=True)
    train_part, val_part = split_train_validation(full_train_data)  # always seed 42: one validation set
    # The same batches, in the same order, as DataLoader(train_part, 32, shuffle=True, generator=seed).
    train_loader = make_batch_loader(dataset_to_tensors(train_part), batch_size=32, shuffle=True, seed=seed)
    val_loader = make_batch_loader(dataset_to_tensors(val_part), batch_size=1000)  # evaluation needs no small batches

    model = build_course_model(name, seed)
    memory_format = torch.channels_last if channels_last else torch.preserve_format
    model = model.to(device, memory_format=memory_format)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    start = timer()
    if bar_desc is None:
        train(model, train_loader, val_loader, loss_fn, optimizer, accuracy_fn, epochs, device, progress)
    else:
        # A plain text bar on stdout: one line that updates in place in any notebook,
        # never shown as error output. One train() call per epoch computes exactly
        # what a single call does: the loaders keep their shuffling state.
        for _ in tqdm(range(epochs), desc=bar_desc, unit="epoch", file=sys.stdout):
            train(model, train_loader, val_loader, loss_fn, optimizer, accuracy_fn, 1, device, progress=False)
    train_time = timer() - start
    record = eval_model(model, val_loader, loss_fn, accuracy_fn, device)
    record.update(train_time=train_time, device=str(device), epochs=epochs)
    return model, record


def save_course_model(name: str, model: nn.Module, record: dict, models_dir: str | Path | None = None) -> Path:
    """Save a trained course model as ``models/{name}.pth`` and its results
    record as ``models/{name}.json`` (both atomically), with the recipe version
    that trained it. Returns the checkpoint's path."""
    models_dir = Path(models_dir) if models_dir is not None else course_models_dir()
    record = {**record, "recipe_version": RECIPE_VERSION}
    model_path = save_model(model, models_dir / f"{name}.pth")
    atomic_write(models_dir / f"{name}.json", lambda f: f.write(json.dumps(record, indent=2).encode()))
    return model_path


def load_course_model(name: str, device: torch.device | str = "cpu", models_dir: str | Path | None = None) -> tuple[nn.Module, dict]:
    """Load a course model and its record saved by ``save_course_model``; raise
    ``CheckpointError`` if either does not load or comes from another recipe version."""
    models_dir = Path(models_dir) if models_dir is not None else course_models_dir()
    record_path = models_dir / f"{name}.json"
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError) as error:
        raise CheckpointError(f"Could not read the record {record_path}: {error}") from error
    version = record.get("recipe_version") if isinstance(record, dict) else None
    if version != RECIPE_VERSION:
        raise CheckpointError(f"{record_path} was made by recipe version {version}, not {RECIPE_VERSION}.")
    model = load_model(build_course_model(name), models_dir / f"{name}.pth", device)
    return model, {key: value for key, value in record.items() if key != "recipe_version"}


def load_or_train_course_model(
    name: str,
    device: torch.device | str = "cpu",
    models_dir: str | Path | None = None,
    data_root: str | Path | None = None,
) -> tuple[nn.Module, dict]:
    """Course model ``name`` trained, and its results record: loaded from
    ``models/`` if a notebook saved it there with the current recipe, otherwise
    trained with ``train_course_model`` and saved there. Loading prints
    nothing; training first says in one line what it trains and why, then shows
    a progress bar. Either way it returns the saved model loaded back, so a
    notebook's other outputs are the same whichever happened. Raises
    ``WriteError`` before training when ``models_dir`` cannot take a new file."""
    models_dir = Path(models_dir) if models_dir is not None else course_models_dir()
    try:
        return load_course_model(name, device, models_dir)
    except (OSError, CheckpointError) as error:
        # Missing, unreadable or from another recipe version: train it again.
        if (models_dir / f"{name}.json").exists():
            reason = f"the saved one cannot be used ({error})"
        else:
            reason = f"{models_dir.name}/ has no saved {name} yet"
    require_writable(models_dir, f"is where the {name} about to be trained (for minutes) would be saved; nothing was trained")
    print(f"Training {name} ({COURSE_MODELS[name][0].__name__}) the course's way, 3 epochs: {reason}.")
    model, record = train_course_model(name, data_root=data_root, device=device, bar_desc=f"Training {name}")
    save_course_model(name, model, record, models_dir)
    # Load it back, exactly as a later run would: the same model object either way.
    return load_course_model(name, device, models_dir)
