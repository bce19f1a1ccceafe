# %% [markdown] slideshow={"slide_type": "slide"}
# # 03. Training functions and the GPU
#
# In notebook 02 we wrote the training and validation loop inline, for Model 0. Two
# more models are coming, so before building them we turn that loop into
# functions we can call for any model, and make the code run on a GPU (or another
# accelerator) when there is one. Then we measure when a GPU actually helps.
#
# > **Note:** On your computer the last digits of the losses, and the accuracies by a
# > fraction of a point, may differ from the ones printed here: how a processor rounds
# > a long sum depends on its vector instructions and thread count, and training
# > compounds those tiny differences.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/03_training_functions_and_gpu.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/03_training_functions_and_gpu.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F03_training_functions_and_gpu.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/03_training_functions_and_gpu.ipynb)

# %% tags=["colab-setup"]
#@title Set-up: installs the course's code if this Python lacks it { display-mode: "form" }
import importlib.metadata as meta, importlib.util as util, pathlib, subprocess, sys
COURSE, VERSION = "git+https://github.com/pytorch-cv-course/pytorch-computer-vision@v1.4.0", "1.4.0"
if VERSION not in [d.version for d in meta.distributions(name="pytorch-cv-course")] and subprocess.run([sys.executable, "-m", "pip", "install", "-q", COURSE]).returncode: raise RuntimeError(f"Installing the course from {COURSE} failed: check that this computer is online (on Kaggle: turn on Internet in the notebook's Settings panel) and that the revision after '@' exists (pip says more above).")
if (h := util.find_spec("helper_functions")) and pathlib.Path(h.origin or ".").parent != pathlib.Path(util.find_spec("cv_course").origin).parent.parent: raise RuntimeError(f"{h.origin} is not this course's helper_functions.py (another course's?) and is imported first: rename or delete it, restart the runtime, then run this cell again.")
from helper_functions import use_available_cpus; cpu_threads = use_available_cpus()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Contents
#
# 1. [Device-agnostic code](#1.-Device-agnostic-code)
# 2. [The data](#2.-The-data)
# 3. [Turning the loops into functions](#3.-Turning-the-loops-into-functions)
# 4. [Training Model 0 with `train`](#4.-Training-Model-0-with-train)
# 5. [CPU versus GPU](#5.-CPU-versus-GPU)
# 6. [Summary](#Summary)
#
# **Going deeper (optional):** [where the training time goes](#Going-deeper-(optional):-where-the-training-time-goes)
# · [a faster path to the same model](#Going-deeper-(optional):-a-faster-path-to-the-same-model)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Device-agnostic code
#
# PyTorch runs the same code on a CPU or on an **accelerator**: an NVIDIA GPU
# (through CUDA), the GPU of an Apple silicon Mac (through MPS), and others. We pick
# the device once, at the top, and send models and data to it with `.to(device)`.
# The notebook then works unchanged on a laptop, on a GPU server, or in Google
# Colab with a GPU runtime (*Runtime > Change runtime type > GPU*).
#
# `torch.accelerator` (PyTorch 2.6 or newer) asks PyTorch which accelerator this
# machine has, whatever its kind. You will also meet the older, NVIDIA-only form,
# `"cuda" if torch.cuda.is_available() else "cpu"`; on a Mac the same check is
# `torch.backends.mps.is_available()`.

# %%
import sys
from timeit import default_timer as timer

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

from cv_toolbox.training_doctor import diagnose_epoch, recording_outputs
from helper_functions import (
    FashionMNISTModelV0,
    accuracy_fn,
    prepare_fashion_mnist,
    print_train_time,
    set_seeds,
    split_train_validation,
)

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using device: {device}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The data
#
# The same data and DataLoaders as in notebook 02: the `ToTensor` datasets, the
# same 55,000 training and 5,000 validation images, batches of 32, the training
# batches shuffled by their own generator seeded with 42.

# %%
data_root = prepare_fashion_mnist()
full_train_data = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
train_data, val_data = split_train_validation(full_train_data)  # 55,000 and 5,000, seed 42
class_names = full_train_data.classes

BATCH_SIZE = 32
train_dataloader = DataLoader(
    train_data, batch_size=BATCH_SIZE, shuffle=True, generator=torch.Generator().manual_seed(42)
)
val_dataloader = DataLoader(val_data, batch_size=BATCH_SIZE, shuffle=False)
print(f"{len(train_dataloader):,} training batches, {len(val_dataloader)} validation batches of up to {BATCH_SIZE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Turning the loops into functions
#
# Models 1 and 2 need notebook 02's loop too. Copying it invites mistakes, so we
# turn it into functions:
#
# - `train_step`: one epoch of training over a DataLoader; returns the epoch's mean
#   loss and accuracy per sample.
# - `test_step`: one pass over a DataLoader in evaluation mode, no gradients;
#   returns the same two numbers.
# - `train`: calls both for a number of epochs, prints one line per epoch, and
#   returns every epoch's numbers in a dictionary.
# - `eval_model`: `test_step` with the model's name, in a dictionary, to compare
#   models side by side.
#
# The bodies are notebook 02's loop, plus `X.to(device), y.to(device)`: the data
# goes where the model is (by default, the device of its parameters). An empty
# DataLoader raises a clear error, not a division by zero.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `train_step`

# %%
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


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `test_step`
#
# `model.eval()` switches layers such as dropout and batch normalisation to their
# evaluation behaviour (notebook 09 shows what changes), and
# `torch.inference_mode()` turns off gradient tracking, saving memory and time.

# %%
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


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `train` and `eval_model`
#
# `train` ties the steps together for any model, DataLoaders, loss function and
# optimizer. It numbers epochs from 1, as the plots do, and shows a `tqdm` progress
# bar; `progress=False` turns off the bar and the per-epoch lines. After each epoch a
# *training doctor* checks the losses and validation outputs: silent on a healthy
# run, it names what went wrong otherwise (notebook 09).

# %%
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


# %% [markdown]
# > **Note:** `train_step`, `test_step`, `train` and `eval_model` now live in
# > `helper_functions.py`, exactly as written above. From here on the course
# > imports them from there:

# %%
from helper_functions import eval_model, test_step, train, train_step

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Training Model 0 with `train`
#
# Model 0 with notebook 02's seed, learning rate and batches should come out of
# `train` exactly as from the inline loop: same arithmetic, same order.

# %%
set_seeds(42)
model_0 = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names)).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.1)

train_time_start = timer()
model_0_history = train(
    model=model_0,
    train_loader=train_dataloader,
    val_loader=val_dataloader,
    loss_fn=loss_fn,
    optimizer=optimizer,
    accuracy_fn=accuracy_fn,
    epochs=3,
    device=device,
)
train_time_end = timer()
total_train_time_model_0 = print_train_time(start=train_time_start, end=train_time_end, device=device)

# %%
model_0_results = eval_model(model=model_0, data_loader=val_dataloader, loss_fn=loss_fn, device=device)
model_0_results

# %% [markdown]
# The same three epochs as in notebook 02, line for line, ending at the same
# validation accuracy, 81.96%. From now on, training a model is one call to
# `train`, and the history it returns is ready for `plot_loss_curves`.
#
# Later notebooks compare other models with Model 0, so `save_course_model` saves it
# in `models/`: `model_0.pth` (the weights) and `model_0.json` (its results).
# Notebook 08 shows how saving and loading work.

# %%
from cv_course.recipe import save_course_model

model_0_record = {**model_0_results, "train_time": total_train_time_model_0, "device": str(device), "epochs": 3}
saved_path = save_course_model("model_0", model_0, model_0_record)
print(f"Saved model_0 to models/{saved_path.name}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. CPU versus GPU
#
# A GPU has thousands of simple cores that run one operation on a lot of data at
# once. Whether that speeds up training depends on the work in each step. Let's time one training step of Model 0 on real training
# images, for a small and a large batch, on every device this machine has.
#
# Two details make such a measurement honest:
#
# - **Warm-up.** The first steps on a device allocate memory and choose kernels;
#   we run a few before starting the clock.
# - **Synchronising.** An accelerator works *asynchronously*: PyTorch queues the
#   work and returns at once. `torch.accelerator.synchronize()` waits until the
#   queued work is done, so the clock measures the work, not the queueing.

# %%
def seconds_per_step(model: nn.Module, batch_size: int, device: str, steps: int = 50) -> float:
    """Mean seconds of one training step of ``model`` on one batch of
    ``batch_size`` training images, kept on ``device``, after a warm-up."""
    images = full_train_data.data[:batch_size].unsqueeze(dim=1).float().div(255).to(device)
    labels = full_train_data.targets[:batch_size].to(device)
    model = model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def step() -> None:
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(5):  # warm-up
        step()
    if device != "cpu":
        torch.accelerator.synchronize()
    start = timer()
    for _ in range(steps):
        step()
    if device != "cpu":
        torch.accelerator.synchronize()  # wait for the queued work before stopping the clock
    return (timer() - start) / steps


devices = ["cpu"] + ([device] if device != "cpu" else [])
per_image = {}  # (device, batch size) -> microseconds per image
for run_device in devices:
    for batch_size in (32, 1024):
        set_seeds(42)
        timing_model = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names))
        seconds = seconds_per_step(timing_model, batch_size, run_device)
        per_image[run_device, batch_size] = seconds / batch_size * 1e6
        print(f"{run_device:>4}, batches of {batch_size:>4}: {seconds * 1e3:.3f} ms per step, "
              f"{seconds / batch_size * 1e6:.2f} µs per image")
if device == "cpu":
    print("No accelerator on this machine: only the CPU was measured.")

fig, ax = plt.subplots(figsize=(7, 0.6 + 0.5 * len(per_image)))
ax.barh([f"{d}, batches of {b}" for d, b in per_image], list(per_image.values()), color="tab:blue")
ax.invert_yaxis()
ax.set_xlabel("microseconds of training per image (shorter is faster)")
plt.show()

# %% [markdown]
# Compare the bars: on the CPU, a batch of 1024 images costs far less **per image**
# than a batch of 32. Every step has a fixed cost (calling each layer, allocating its outputs)
# that a bigger batch shares among more images.
#
# On a GPU that fixed cost is larger. Each step launches dozens of small kernels,
# each launch costs microseconds whatever the work inside, and Model 0 on 32 images
# is two tiny matrix multiplications. So with Model 0 and batches of 32, expect a
# GPU to be hardly faster than the CPU, and sometimes slower. With batches of
# 1024, and with a convolutional network like notebook 05's, each kernel has real
# work to do, and a GPU finishes it many times faster than a CPU.
#
# If section 1 printed `cuda` or `mps`, compare the rows: this runs live.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What makes a GPU pay off
#
# - **Enough work per step:** bigger models (convolutions) and bigger batches. For
#   training, a bigger batch also changes the optimisation, so the learning rate
#   may need retuning; for evaluation it changes nothing but the speed.
# - **Data that keeps up:** `DataLoader(..., num_workers=4, pin_memory=True)`
#   prepares batches in 4 background processes while the GPU computes, and pins
#   them in memory that copies to the GPU faster.
# - **No needless waiting:** `loss.item()` copies a number back to the CPU, so the
#   CPU waits for the GPU to finish that step. Once per step is fine for our small
#   models; in a tight loop, add up `loss.detach()` on the device and call
#   `.item()` once per epoch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Device-agnostic code:** `device = torch.accelerator.current_accelerator().type
#   if torch.accelerator.is_available() else "cpu"` (CUDA, MPS or others), then
#   `model.to(device)` and `X.to(device), y.to(device)` for every batch.
# - **Functions:** `train_step`, `test_step`, `train` and `eval_model` do what
#   notebook 02's loop did, for any model, on any device; they now live in
#   `helper_functions.py`. `train` returns the history that `plot_loss_curves` draws.
# - **Timing an accelerator:** warm up first, and call
#   `torch.accelerator.synchronize()` before reading the clock.
# - **GPUs** pay off when each step has enough work: big batches, convolutions,
#   and data that does not have to be rebuilt and copied for every batch.
# - Model 0 is saved in `models/` for the notebooks after this one.
#
# **Next:** notebook 04 builds Model 1, which adds non-linearity to Model 0.

# %% [markdown]
# ### Extra-curriculum
#
# - On a machine with a GPU (for example Colab), run this notebook and compare the
#   rows of section 5.
# - Try `BATCH_SIZE = 128` for the training DataLoader. What happens to the time
#   per epoch, and to the accuracy after 3 epochs?
# - Read the PyTorch documentation of
#   [`torch.accelerator`](https://pytorch.org/docs/stable/accelerator.html) and
#   [`torch.inference_mode`](https://pytorch.org/docs/stable/generated/torch.inference_mode.html).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): where the training time goes
#
# This section and the next are about speed, not about vision: skip them on a
# first reading. Notebook 04 uses their result to train seven small models quickly.
#
# Each epoch does two kinds of work: **preparing batches** (the DataLoader opens
# each image, converts it with `ToTensor` and stacks 32 of them) and **computing**
# (forward pass, backward pass, optimizer step). Let's time them apart. First, one
# pass over a fresh copy of the training DataLoader with no model at all. We keep
# the batches, to compare them with another loader in a moment.

# %%
plain_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True, generator=torch.Generator().manual_seed(42))

start = timer()
plain_batches = [(X, y) for X, y in plain_loader]
loading_seconds = timer() - start
print(f"Preparing {len(plain_batches)} batches with the ToTensor DataLoader took {loading_seconds:.2f} s")

# %% [markdown]
# Second, the same number of training steps with no loading: a copy of Model 0
# trains on one batch that is already prepared, over and over.

# %%
set_seeds(42)
timing_model = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names)).to(device)
timing_optimizer = torch.optim.SGD(timing_model.parameters(), lr=0.1)
X_ready, y_ready = plain_batches[0][0].to(device), plain_batches[0][1].to(device)

start = timer()
for _ in range(len(plain_batches)):
    loss = loss_fn(timing_model(X_ready), y_ready)
    timing_optimizer.zero_grad()
    loss.backward()
    timing_optimizer.step()
    loss.item()
computing_seconds = timer() - start
print(f"{len(plain_batches)} training steps on a prepared batch took {computing_seconds:.2f} s")

fig, ax = plt.subplots(figsize=(7, 1.8))
ax.barh(["learning from them", "preparing the batches"], [computing_seconds, loading_seconds], color=["tab:blue", "tab:orange"])
ax.set_xlabel(f"seconds for one epoch of {len(plain_batches):,} batches")
plt.show()

# %% [markdown]
# Compare the two bars: for a model this small, preparing the batches is a large
# part of the work, and it is repeated every epoch for the same 55,000 images.
# (Timings depend on your machine and on what else runs on it.) Evaluation has the
# same problem: 5,000 validation images are converted one by one after every
# epoch, although they never change.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): a faster path to the same model
#
# Nothing about the model or the optimizer has to change. We remove work that
# produces nothing new.
#
# > **When this does not apply:** the trick below keeps the whole dataset in memory
# > as one tensor and converts it once. That suits FashionMNIST (its 55,000 training
# > images take about 172 MB as floats). It does not suit data that does not fit
# > in memory, nor random augmentation that must change the images every epoch.
# > There, keep the `DataLoader` and give it `num_workers`: that many background
# > processes prepare the next batches while the model trains on the current one.
# > (`make_batch_loader` needs no workers: its batches are cut from tensors already
# > in memory.)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Speed-up 1: convert the images to tensors once
#
# The dataset object already holds every image as one `uint8` tensor,
# `full_train_data.data`, of shape `[60000, 28, 28]`; a `Subset` such as
# `train_data` holds the list of its images' positions in it, `.indices`. One
# vectorised operation does for all of them what `ToTensor` does for one image:
# add the colour-channel dimension, convert to `float32`, divide by 255.

# %%
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


# %%
train_tensors = dataset_to_tensors(train_data)
val_tensors = dataset_to_tensors(val_data)
images, labels = train_tensors.tensors
print(f"Images: {images.shape}, {images.dtype}, {images.numel() * images.element_size() / 1e6:.0f} MB")
print(f"Labels: {labels.shape}, {labels.dtype}")

# %% [markdown]
# Exactly the same numbers and labels as the `ToTensor` dataset gives? Let's check
# every validation image, bit for bit:

# %%
same_as_to_tensor = all(
    torch.equal(val_tensors[i][0], val_data[i][0]) and val_tensors[i][1] == val_data[i][1] for i in range(len(val_data))
)
print(f"All {len(val_data):,} validation images identical to ToTensor's: {same_as_to_tensor}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Speed-up 2: fetch a whole batch at once
#
# A standard `DataLoader` fetches samples one at a time, 32 times per batch, and
# then calls its `collate_fn` to stack them into a batch. With all images in one
# tensor we can fetch a whole batch in one operation instead:
# `images.index_select(0, index)` copies the 32 images whose positions are in
# `index`.
#
# `make_batch_loader` keeps the `DataLoader` for what it does well: shuffling with
# our seeded generator and cutting the order into batches. We give it the
# **positions** `0, 1, ..., 54999` (a `range`) as its "dataset", so it shuffles and
# batches the positions exactly as it would the images, and a `collate_fn` named
# `gather` that turns each list of 32 positions into a batch of images and labels.

# %%
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


# %%
fast_loader = make_batch_loader(train_tensors, batch_size=BATCH_SIZE, shuffle=True, seed=42)

start = timer()
fast_batches = [(X, y) for X, y in fast_loader]
fast_seconds = timer() - start
print(f"Preparing {len(fast_batches)} batches with make_batch_loader took {fast_seconds:.2f} s")
print(f"That is {loading_seconds / fast_seconds:.1f}x faster")

same_batches = all(
    torch.equal(X_plain, X_fast) and torch.equal(y_plain, y_fast)
    for (X_plain, y_plain), (X_fast, y_fast) in zip(plain_batches, fast_batches, strict=True)
)
print(f"Every batch identical to the ToTensor DataLoader's, in the same order: {same_batches}")
del plain_batches, fast_batches  # about 350 MB we no longer need

# %% [markdown]
# > **Note:** `dataset_to_tensors` and `make_batch_loader` now live in
# > `helper_functions.py`, exactly as written above. From here on we import them:

# %%
from helper_functions import dataset_to_tensors, make_batch_loader

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Speed-up 3: bigger batches for evaluation
#
# The batch size of 32 is a **training** hyperparameter: it decides how many
# images each weight update sees. Evaluation updates nothing, so its batch size
# changes only how many images are processed per call, not the result. Larger
# batches mean fewer calls and less overhead per image, as section 5 measured.

# %%
val_loader_32 = make_batch_loader(val_tensors, batch_size=32)
val_loader_1000 = make_batch_loader(val_tensors, batch_size=1000)

for eval_batch_size, loader in ((32, val_loader_32), (1000, val_loader_1000)):
    start = timer()
    results = eval_model(model_0, loader, loss_fn, device=device)
    eval_seconds = timer() - start
    print(f"Batches of {eval_batch_size:>4}: accuracy {results['model_acc']:.2f}%, evaluation took {eval_seconds:.2f} s")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### All together: `train_course_model`
#
# `train_course_model(name)` in `cv_course.recipe` is the course's training
# recipe in one function, used whenever a later notebook needs a trained course
# model it cannot find in `models/`. It does exactly what section 4 did, with the
# speed-ups:
#
# 1. `split_train_validation`, `dataset_to_tensors` for both parts and
#    `make_batch_loader` with batches of 32, shuffled with seed 42; validation
#    batches of 1000
# 2. `set_seeds(42)`, then the model
# 3. `nn.CrossEntropyLoss()`, SGD with lr 0.1, `train` for 3 epochs
# 4. `eval_model` on the validation set
#
# If the batches and the starting weights are the same, the trained model must be
# the same. Let's check with Model 0:

# %%
from cv_course.recipe import train_course_model

fast_model_0, fast_model_0_record = train_course_model("model_0", data_root, device=device, progress=True)

same_weights = all(
    torch.equal(a, b) for a, b in zip(model_0.state_dict().values(), fast_model_0.state_dict().values())
)
print(f"Same weights as model_0 trained in section 4: {same_weights}")
print(f"Validation accuracy: {fast_model_0_record['model_acc']:.2f}% (section 4: {model_0_results['model_acc']:.2f}%)")
_ = print_train_time(0, total_train_time_model_0, device=f"{device}, section 4 (ToTensor DataLoader)")
_ = print_train_time(0, fast_model_0_record["train_time"], device=f"{device}, train_course_model")
print(f"The faster path is {total_train_time_model_0 / fast_model_0_record['train_time']:.1f}x faster")

# %% [markdown]
# The same starting weights and the same batches give the same model, weight for
# weight; only the time is different.
