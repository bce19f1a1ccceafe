"""The course's training recipe for its three models, and their checkpoints.

Notebooks 02 to 05 build and train Model 0, Model 1 and Model 2 step by step.
Notebooks 06 to 08 need those trained models but must also run on their own (in
a fresh Colab session, say), so they call ``load_or_train_course_model``: it
loads ``models/{name}.pth`` when a notebook before saved it with this recipe,
else the copy shipped inside the package (``cv_course/trained/``, made by
``scripts/train_shipped_models.py``), and otherwise trains the model exactly as
the notebooks do.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from timeit import default_timer as timer

import torch
from torch import nn
from tqdm import tqdm

from cv_toolbox.files import atomic_write, require_writable
from helper_functions import (
    CheckpointError,
    FashionMNISTModelV0,
    FashionMNISTModelV1,
    FashionMNISTModelV2,
    accuracy_fn,
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

#: The course models shipped inside the package (``model_0.pth`` and ``model_0.json``, and
#: so on), trained by this recipe under the reference numerics profile with
#: ``scripts/train_shipped_models.py``: a lesson opened on its own loads them instead of
#: training. ``tests/test_shipped_models.py`` and ``tests/test_standalone.py`` prove they are
#: bit for bit what the recipe trains.
SHIPPED_MODELS_DIR = Path(__file__).resolve().parent / "trained"

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
    bar over the epochs, labelled ``bar_desc``, and leaves out the training
    doctor's advice (``cv_toolbox.training_doctor``): on the course's own models
    it only repeats a lesson (Model 1's dead outputs are notebook 04's), in a
    notebook that does not teach it."""
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
            # With progress=False only the training doctor prints: set its advice aside
            # (the bar keeps the real stdout it was given above).
            with contextlib.redirect_stdout(io.StringIO()):
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
    shipped_dir: str | Path | None = None,
) -> tuple[nn.Module, dict]:
    """Course model ``name`` trained, and its results record, from the first of:

    1. ``models_dir`` (default ``models/``): what the student's own run of
       notebooks 03 to 05 saved there with the current recipe;
    2. ``shipped_dir`` (default ``SHIPPED_MODELS_DIR``, ``cv_course/trained/``):
       the copy shipped inside the course's package, trained by this recipe
       under the reference numerics profile, so a lesson opened on its own (in
       a fresh Colab session, say) loads it in a second instead of training;
    3. otherwise it trains the model with ``train_course_model`` (minutes on a
       CPU) and saves it in ``models_dir``.

    A copy that is missing, unreadable or from another recipe version is passed
    over. Loading prints nothing and writes nothing; training first says in one
    line what it trains and why neither copy could be used, then shows a
    progress bar. Either way it returns a saved model loaded back (on
    ``device``), so a notebook's other outputs are the same whichever happened.

    Returns ``(model, record)``: the record holds ``eval_model``'s keys on the
    validation set plus ``train_time`` (seconds, on the machine that trained
    it), ``device`` (where it was trained) and ``epochs``. Raises ``WriteError``
    before training when ``models_dir`` cannot take a new file, and
    ``RuntimeError`` when ``device`` names a GPU this machine lacks."""
    if name not in COURSE_MODELS:
        raise ValueError(f"Unknown course model {name!r}; choose one of {sorted(COURSE_MODELS)}.")
    models_dir = Path(models_dir) if models_dir is not None else course_models_dir()
    shipped_dir = Path(shipped_dir) if shipped_dir is not None else SHIPPED_MODELS_DIR
    try:
        return load_course_model(name, device, models_dir)
    except (OSError, CheckpointError) as error:
        if (models_dir / f"{name}.json").exists():
            reason = f"the saved one cannot be used ({error})"
        else:
            reason = f"{models_dir.name}/ has no saved {name} yet"
    try:
        return load_course_model(name, device, shipped_dir)
    except (OSError, CheckpointError) as error:
        # Missing (a package built without it), unreadable or from another recipe version.
        if (shipped_dir / f"{name}.json").exists():
            reason += f", and the copy shipped with the course cannot be used ({error})"
        else:
            reason += f", and the course ships none ({shipped_dir / f'{name}.json'} is missing)"
    require_writable(models_dir, f"is where the {name} about to be trained (for minutes) would be saved; nothing was trained")
    print(f"Training {name} ({COURSE_MODELS[name][0].__name__}) the course's way, 3 epochs: {reason}.")
    model, record = train_course_model(name, data_root=data_root, device=device, bar_desc=f"Training {name}")
    save_course_model(name, model, record, models_dir)
    # Load it back, exactly as a later run would: the same model object either way.
    return load_course_model(name, device, models_dir)
