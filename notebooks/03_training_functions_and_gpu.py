# %% [markdown] slideshow={"slide_type": "slide"}
# # 03. Training functions, faster training and the GPU
#
# In notebook 02 we wrote the training and testing loop inline, for Model 0. Two
# more models are coming, so before building them we turn that loop into
# functions we can call for any model, and make the code run on a GPU when there
# is one.
#
# Then we ask where the training time really goes, and make training several
# times faster without changing a single weight of the trained model. Notebook 04
# and every notebook after it train their models this way.
#
# > **Note:** On your computer the last digits of the losses, and the accuracies by a
# > fraction of a point, may differ from the ones printed here: how a processor rounds
# > a long sum depends on its vector instructions and thread count, and training
# > compounds those tiny differences.

# %% [markdown] tags=["colab-badge"]
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.2.0/notebooks/03_training_functions_and_gpu.ipynb)

# %% tags=["colab-setup"]
#@title Set-up: installs the course's code if this Python lacks it { display-mode: "form" }
import importlib.util, subprocess, sys
COURSE = "git+https://github.com/pytorch-cv-course/pytorch-computer-vision@v1.2.0"
if importlib.util.find_spec("helper_functions") is None and subprocess.run([sys.executable, "-m", "pip", "install", "-q", COURSE]).returncode:
    raise RuntimeError(f"Installing the course from {COURSE} failed: check that this computer is online and that the revision after '@' exists (pip says more above).")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Contents
#
# 1. [Device-agnostic code](#1.-Device-agnostic-code)
# 2. [The data](#2.-The-data)
# 3. [Turning the loops into functions](#3.-Turning-the-loops-into-functions)
# 4. [Training Model 0 with `train`](#4.-Training-Model-0-with-train)
# 5. [Where does the training time go?](#5.-Where-does-the-training-time-go?)
# 6. [A faster path to the same model](#6.-A-faster-path-to-the-same-model)
# 7. [CPU versus GPU](#7.-CPU-versus-GPU)
# 8. [Summary](#Summary)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Device-agnostic code
#
# PyTorch runs the same code on a CPU or on an NVIDIA GPU (through CUDA). We pick
# the device once, at the top, and send models and data to it with `.to(device)`.
# The notebook then works unchanged on a laptop, on a GPU server, or in Google
# Colab with a GPU runtime (*Runtime > Change runtime type > GPU*).

# %%
from timeit import default_timer as timer

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

from helper_functions import (
    FashionMNISTModelV0,
    accuracy_fn,
    eval_model,
    plot_loss_curves,
    prepare_fashion_mnist,
    print_train_time,
    set_seeds,
)

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using device: {device}")

# %% [markdown]
# > **Note:** if the line above says `cpu`, everything below runs on the CPU.
# > Section 7 then shows figures that were measured on other machines, GPUs
# > included where one was really used.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The data
#
# The same data and DataLoaders as in notebook 02: the `ToTensor` datasets,
# batches of 32, the training batches shuffled by their own generator seeded with 42.

# %%
data_root = prepare_fashion_mnist()
train_data = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
test_data = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())
class_names = train_data.classes

BATCH_SIZE = 32
train_dataloader = DataLoader(
    train_data, batch_size=BATCH_SIZE, shuffle=True, generator=torch.Generator().manual_seed(42)
)
test_dataloader = DataLoader(test_data, batch_size=BATCH_SIZE, shuffle=False)
print(f"{len(train_dataloader)} training batches, {len(test_dataloader)} test batches of up to {BATCH_SIZE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Turning the loops into functions
#
# We wrote the training and testing loop once, for Model 0, inline. Models 1 and 2
# need it too. Copying it each time invites mistakes, so we turn it into three
# functions:
#
# - `train_step`: one epoch of training over a DataLoader; returns the epoch's mean
#   loss and accuracy per sample.
# - `test_step`: one pass over a DataLoader in evaluation mode, no gradients;
#   returns the same two numbers.
# - `train`: calls both for a number of epochs, prints one line per epoch, and
#   returns every epoch's numbers in a dictionary.
#
# The bodies are the loop from notebook 02, plus `X.to(device), y.to(device)`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `train_step`

# %%
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


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `test_step`
#
# `model.eval()` switches layers such as dropout and batch normalisation to their
# evaluation behaviour (our models have none yet, but the habit protects you
# later), and `torch.inference_mode()` turns off gradient tracking, which saves
# memory and time.

# %%
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


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### `train`
#
# `train` ties them together. It takes the DataLoaders, loss function and
# optimizer as arguments, so the same function trains any model. `progress=False`
# turns off the progress bar and the per-epoch lines, for when another function
# trains a model quietly.

# %%
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


# %% [markdown]
# > **Note:** `train_step`, `test_step` and `train` now live in `helper_functions.py`,
# > exactly as written above. From here on the course imports them from there:

# %%
from helper_functions import test_step, train, train_step


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Training Model 0 with `train`
#
# Let's put the functions to work on the model we already know. Model 0 with the
# same seed, the same learning rate and the same batches as in notebook 02 should
# come out of `train` exactly as it came out of the inline loop: the functions do
# the same arithmetic in the same order.

# %%
set_seeds(42)
model_0 = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names)).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.1)

train_time_start = timer()
model_0_history = train(
    model=model_0,
    train_loader=train_dataloader,
    test_loader=test_dataloader,
    loss_fn=loss_fn,
    optimizer=optimizer,
    accuracy_fn=accuracy_fn,
    epochs=3,
    device=device,
)
train_time_end = timer()
total_train_time_model_0 = print_train_time(start=train_time_start, end=train_time_end, device=device)

# %%
model_0_results = eval_model(model=model_0, data_loader=test_dataloader, loss_fn=loss_fn, device=device)
model_0_results

# %% [markdown]
# The same three epochs as in notebook 02, ending at the same test accuracy,
# 82.93%. From now on, training a model is one call to `train`, and its
# history is ready for `plot_loss_curves`:

# %%
plot_loss_curves(model_0_history)
plt.show()

# %% [markdown]
# These are notebook 02's curves: the training loss falls in every epoch, while the
# test accuracy peaks after the second epoch (83.56%) and slips back in the third.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Where does the training time go?
#
# Each epoch does two kinds of work: **preparing batches** (the DataLoader opens
# each image, converts it with `ToTensor` and stacks 32 of them) and **computing**
# (forward pass, backward pass, optimizer step). Let's time them apart.
#
# First, one pass over a fresh copy of the training DataLoader with no model at
# all. We keep the batches, to compare them with another loader in a moment.

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
# For a model this small, preparing the batches takes longer than learning from
# them: converting 60,000 images one at a time, every epoch, is a large part of
# the work. (Timings depend on your machine and on what else runs on it; on a
# busy machine both numbers grow, and they can grow very unevenly.)
#
# Evaluation has the same problem: 10,000 test images are converted one by one
# after every epoch, although the test set never changes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. A faster path to the same model
#
# Nothing about the model or the optimizer has to change. We remove work that
# produces nothing new, one speed-up at a time.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Speed-up 1: convert the images to tensors once
#
# FashionMNIST is small: all 60,000 training images as `float32` take
# 60,000 x 784 x 4 bytes, about 188 MB. The dataset object already holds every
# image as one `uint8` tensor, `train_data.data`, of shape `[60000, 28, 28]`. One
# vectorised operation does for all of them what `ToTensor` does for one image:
# add the colour-channel dimension, convert to `float32`, divide by 255.

# %%
def dataset_to_tensors(dataset) -> torch.utils.data.TensorDataset:
    """Convert a torchvision MNIST-style dataset (``.data`` uint8 N x H x W,
    ``.targets``) into float images in [0, 1] of shape N x 1 x H x W, once.

    The values are exactly what ``transforms.ToTensor()`` gives per sample.
    """
    images = dataset.data.unsqueeze(dim=1).float().div(255)
    return torch.utils.data.TensorDataset(images, torch.as_tensor(dataset.targets))


# %%
train_tensors = dataset_to_tensors(train_data)
test_tensors = dataset_to_tensors(test_data)
images, labels = train_tensors.tensors
print(f"Images: {images.shape}, {images.dtype}, {images.numel() * images.element_size() / 1e6:.0f} MB")
print(f"Labels: {labels.shape}, {labels.dtype}")

# %% [markdown]
# Exactly the same numbers as `ToTensor`? Let's check every test image, bit for bit:

# %%
same_as_to_tensor = all(
    torch.equal(test_tensors[i][0], test_data[i][0]) for i in range(len(test_data))
)
print(f"All {len(test_data)} test images identical to ToTensor's: {same_as_to_tensor}")

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
# **positions** `0, 1, ..., 59999` (a `range`) as its "dataset", so it shuffles and
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
del plain_batches, fast_batches  # about 400 MB we no longer need

# %% [markdown]
# > **Note:** `dataset_to_tensors` and `make_batch_loader` now live in
# > `helper_functions.py`, exactly as written above. From here on we import them:

# %%
from helper_functions import dataset_to_tensors, make_batch_loader

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Speed-up 3: `loss.item()` and `torch.inference_mode()`
#
# Our loops have used both since notebook 02; here is what they save.
#
# - Many first versions of this loop add up the loss tensor itself:
#   `train_loss += loss`. That result is part of the autograd graph, so every
#   addition records another operation, and the graph of all 1,875 batches stays
#   alive until the end of the epoch. `loss.item()` copies out the one number and
#   lets each batch's graph be freed straight away.
# - `torch.inference_mode()` tells PyTorch that nothing computed inside will ever
#   need a gradient, so it records no graph at all while testing.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Speed-up 4: bigger batches for evaluation
#
# The batch size of 32 is a **training** hyperparameter: it decides how many
# images each weight update sees. Evaluation updates nothing, so its batch size
# changes only how many images are processed per call, not the result. Larger
# batches mean fewer calls and less overhead per image.

# %%
test_loader_32 = make_batch_loader(test_tensors, batch_size=32)
test_loader_1000 = make_batch_loader(test_tensors, batch_size=1000)

for eval_batch_size, loader in ((32, test_loader_32), (1000, test_loader_1000)):
    start = timer()
    results = eval_model(model_0, loader, loss_fn, device=device)
    eval_seconds = timer() - start
    print(f"Batches of {eval_batch_size:>4}: accuracy {results['model_acc']:.2f}%, evaluation took {eval_seconds:.2f} s")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### All together: `train_course_model`
#
# `train_course_model(name)` in `cv_course.recipe` is the course's training
# recipe in one function, used from here on whenever a notebook needs a trained
# course model. It does exactly what we did by hand, with the speed-ups:
#
# 1. `dataset_to_tensors` for both splits and `make_batch_loader` with batches of
#    32, shuffled with seed 42; evaluation batches of 1000
# 2. `set_seeds(42)`, then the model from `COURSE_MODELS`
# 3. `nn.CrossEntropyLoss()`, SGD with lr 0.1, `train` for 3 epochs
# 4. `eval_model` on the test set
#
# It returns the model and a record: `eval_model`'s dictionary plus the training
# time, device and number of epochs. If the batches and the starting weights are
# the same, the trained model must be the same. Let's check with Model 0:

# %%
from cv_course.recipe import train_course_model

fast_model_0, fast_model_0_record = train_course_model("model_0", data_root, device=device, progress=True)

same_weights = all(
    torch.equal(a, b) for a, b in zip(model_0.state_dict().values(), fast_model_0.state_dict().values())
)
print(f"Same weights as model_0 trained in section 4: {same_weights}")
print(f"Test accuracy: {fast_model_0_record['model_acc']:.2f}% (section 4: {model_0_results['model_acc']:.2f}%)")
_ = print_train_time(0, total_train_time_model_0, device=f"{device}, section 4 (ToTensor DataLoader)")
_ = print_train_time(0, fast_model_0_record["train_time"], device=f"{device}, train_course_model")
print(f"The faster path is {total_train_time_model_0 / fast_model_0_record['train_time']:.1f}x faster")

# %% [markdown]
# The same starting weights and the same batches give the same model, weight for
# weight; only the time is different.
#
# The notebooks after this one need a trained Model 0 to compare with. Instead of
# training it again there, we save it now, with its results, in the course's
# `models/` folder. `save_course_model` writes `models/model_0.pth` (the weights)
# and `models/model_0.json` (the results record); notebook 08 shows how saving and
# loading work.

# %%
from cv_course.recipe import save_course_model

saved_path = save_course_model("model_0", fast_model_0, fast_model_0_record)
print(f"Saved model_0 to models/{saved_path.name}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. CPU versus GPU
#
# A GPU has thousands of simple cores and is built to run the same operation on a
# lot of data at once. Whether that makes training faster depends on how much work
# each step gives it.

# %%
if torch.cuda.is_available():
    print(f"GPU found: {torch.cuda.get_device_name(0)}. Training Model 0 on the CPU and on the GPU:")
    for run_device in ("cpu", "cuda"):
        _, record = train_course_model("model_0", data_root, device=run_device)
        _ = print_train_time(0, record["train_time"], device=f"{run_device}, train_course_model")
else:
    print("No GPU was found on this machine: nothing in this notebook ran on a GPU.")
    print("Below are figures measured on other machines.")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Recorded figures
#
# Here all three course models were trained and evaluated twice, one after the
# other on the same machine: with the loop as first taught (the `ToTensor`
# DataLoader, the loss added up as a tensor, testing in batches of 32), the
# "reference" rows, and with `train_course_model`, the "course" rows. Only machines
# that were really measured appear below, each named by its processor.

# %%
from cv_course.benchmark import recorded_runs

recorded = recorded_runs()

print(f"{'':<10} {'Model 0':>16} {'Model 1':>16} {'Model 2':>16} {'all three':>16}")
for machine, run in recorded.items():
    print(machine)
    for path in ("reference", "course"):
        times = [run["models"][name][path]["train_time"] for name in ("model_0", "model_1", "model_2")]
        accs = [run["models"][name][path]["model_acc"] for name in ("model_0", "model_1", "model_2")]
        cells = [f"{t:6.1f} s {a:5.1f}%" for t, a in zip(times, accs)]
        print(f"{path:<10} {cells[0]:>16} {cells[1]:>16} {cells[2]:>16} {sum(times):>14.1f} s")
    print(f"{'ratio':<10} {'':>16} {'':>16} {'':>16} {run['totals']['ratio']:>16.2f}")
print()
for machine, run in recorded.items():
    print(f"{machine}: measured on {run['date']} with torch {run['torch_version']} on {run['threads']} threads")

# %% [markdown]
# Each cell shows the seconds for 3 epochs with evaluation and the final test
# accuracy. "ratio" is the course path's total time divided by the reference's.
# The linear models gain the most: their time went into preparing batches, which
# the course's path no longer repeats. Model 2 gains less: most of its time is the
# convolutions themselves, and channels-last is what speeds those up. That is also
# why Model 2's two accuracies differ: channels-last adds up the same products in
# another order, the last bits of the sums round differently, and over thousands of
# training steps that becomes a different model (notebook 05 says how much such
# details move the result).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why a small model with batches of 32 may not train faster on a GPU
#
# How much arithmetic does one training step of Model 0 need? Count its parameters:

# %%
print(f"Model 0 has {sum(p.numel() for p in model_0.parameters()):,} parameters")

# %% [markdown]
# One training step on a batch of 32 images is two tiny matrix multiplications
# forward and a few more backward: far too little work to keep a GPU busy. What
# costs time is everything around the arithmetic:
#
# - **Launching work.** Each step launches dozens of small GPU kernels, and each
#   launch costs a few microseconds, whatever the amount of work inside.
# - **Moving data.** With the `ToTensor` DataLoader, every batch is built on the CPU
#   one image at a time, then copied to the GPU (`X.to(device)`). The GPU waits
#   for the CPU.
# - **Waiting for results.** `loss.item()` copies a number back to the CPU, so the
#   CPU must wait for the GPU to finish each step before it can continue.
#
# With so little arithmetic per step, the GPU is idle most of the time, and the
# training can even be slower than on the CPU.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What makes the GPU pay off
#
# - **A fast input pipeline.** Section 5 showed that preparing batches per image
#   can take longer than the training itself. Prepare the tensors once.
# - **Data kept on the device.** FashionMNIST as tensors is about 190 MB: it fits in
#   GPU memory whole. Moved there once, no batch has to cross from the CPU again.
# - **Bigger batches.** More images per step means more work per kernel launch.
#   (For training this changes the optimisation, so the learning rate may need
#   retuning; for evaluation it changes nothing but the speed.)
# - **Bigger models.** Convolutional networks like Model 2 in notebook 05 do far
#   more arithmetic per image: that is where a GPU shines.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Device-agnostic code:** `device = "cuda" if torch.cuda.is_available() else "cpu"`,
#   then `model.to(device)` and `X.to(device), y.to(device)` for every batch.
# - **Functions:** `train_step`, `test_step` and `train` do what notebook 02's loop
#   did, for any model, on any device; they now live in `helper_functions.py`.
#   `train` returns the history that `plot_loss_curves` draws.
# - **Where the time goes:** for a small model, preparing the batches image by
#   image costs more than learning from them.
# - **Speed:** converting the data to tensors once (`dataset_to_tensors`),
#   fetching each batch with one indexing operation (`make_batch_loader`),
#   `loss.item()`, `inference_mode` and evaluation batches of 1000 train **the same
#   model**, weight for weight, several times faster. `train_course_model` is that
#   recipe in one function; Model 0 is saved in `models/` for the notebooks after this one.
# - **GPUs** pay off when each step has enough work and the data does not have to
#   be rebuilt and copied for every batch.
#
# **Next:** notebook 04 builds Model 1, which adds non-linearity to Model 0, and
# trains it the fast way.

# %% [markdown]
# ### Extra-curriculum
#
# - On a machine with a GPU (for example Colab), run this notebook and compare the
#   times of section 4 with those of section 6.
# - Try `BATCH_SIZE = 128` for the training DataLoader. What happens to the time
#   per epoch, and to the accuracy after 3 epochs?
# - Read the PyTorch documentation of
#   [`torch.inference_mode`](https://pytorch.org/docs/stable/generated/torch.inference_mode.html).
