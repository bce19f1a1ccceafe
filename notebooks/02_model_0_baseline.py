# %% [markdown] slideshow={"slide_type": "slide"}
# # 02. Model 0: a baseline
#
# With the data in mini-batches, we can finally train something. We start with the
# simplest model that could possibly work: flatten each picture into a row of 784
# numbers and feed it through two linear layers.
#
# That model is our **baseline**. Every model that comes later has to beat its
# score to justify being more complicated. Along the way we write the training and
# evaluation loop that all later models reuse, and we time it.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/02_model_0_baseline.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/02_model_0_baseline.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F02_model_0_baseline.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/02_model_0_baseline.ipynb)

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
# 1. [The data and the DataLoaders](#1.-The-data-and-the-DataLoaders)
# 2. [Flattening an image with nn.Flatten](#2.-Flattening-an-image-with-nn.Flatten)
# 3. [Building Model 0](#3.-Building-Model-0)
# 4. [Loss function, optimizer and accuracy](#4.-Loss-function,-optimizer-and-accuracy)
# 5. [Timing an experiment](#5.-Timing-an-experiment)
# 6. [The training and validation loop, step by step](#6.-The-training-and-validation-loop,-step-by-step)
# 7. [Training Model 0 for 3 epochs](#7.-Training-Model-0-for-3-epochs)
# 8. [Training accuracy against validation accuracy](#8.-Training-accuracy-against-validation-accuracy)
# 9. [Summary](#Summary)
#
# **Going deeper (optional):** [what cross-entropy computes, on one image](#Going-deeper-(optional):-what-cross-entropy-computes,-on-one-image)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The data and the DataLoaders
#
# Each notebook runs on its own, so we load FashionMNIST again, split off the same
# 5,000 validation images as notebook 01, and rebuild its DataLoaders: batches of
# 32, the training batches shuffled, the validation batches in a fixed order. The
# test set waits until notebook 06 has compared the models and chosen one.
#
# The training DataLoader gets **its own random generator**, seeded with 42, so its
# shuffled order depends on nothing else in the notebook: every run sees the same
# batches and, on the same computer, prints the same numbers.
#
# > **Note:** On another computer the last digits of the losses and accuracies can
# > differ slightly: the order in which a processor adds up numbers (its vector
# > instructions, how many threads share a sum) changes how they round, and training
# > compounds those tiny differences over thousands of steps.

# %%
import sys
from timeit import default_timer as timer

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor
from tqdm import tqdm  # progress bars

import matplotlib.pyplot as plt

from helper_functions import plot_loss_curves, prepare_fashion_mnist, set_seeds, split_train_validation

data_root = prepare_fashion_mnist()
full_train_data = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
train_data, val_data = split_train_validation(full_train_data)  # 55,000 and 5,000, seed 42
class_names = full_train_data.classes

BATCH_SIZE = 32
train_dataloader = DataLoader(
    train_data,
    batch_size=BATCH_SIZE,
    shuffle=True,
    generator=torch.Generator().manual_seed(42),  # the same shuffled order on every run
)
val_dataloader = DataLoader(val_data, batch_size=BATCH_SIZE, shuffle=False)

print(f"Training:   {len(train_data):,} images in {len(train_dataloader):,} batches of {BATCH_SIZE}")
print(f"Validation: {len(val_data):,} images in {len(val_dataloader)} batches")
print(f"Classes:    {class_names}")

# %% [markdown]
# Neither 55,000 nor 5,000 divides evenly by 32, so each set ends with a smaller
# batch, which matters when we average the loss in section 6.

# %%
print(f"Last training batch:   {len(train_data) - (len(train_dataloader) - 1) * BATCH_SIZE} images")
print(f"Last validation batch: {len(val_data) - (len(val_dataloader) - 1) * BATCH_SIZE} images")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Flattening an image with `nn.Flatten`
#
# A linear layer (`nn.Linear`) takes a **vector** of features per sample. Our
# images are grids of shape `[1, 28, 28]` (colour channels, height, width).
# `nn.Flatten()` unrolls everything after the first dimension into one long row.
#
# Like every layer in `torch.nn`, it is a module: call it on a tensor and it returns
# the transformed tensor. Here it is on one image.

# %%
flatten_model = nn.Flatten()

image, label = train_data[0]  # one sample: [colour_channels, height, width]
flattened = flatten_model(image)

print(f"Before flattening: {image.shape} -> [colour_channels, height, width]")
print(f"After flattening:  {flattened.shape} -> [colour_channels, height * width]")

# %% [markdown]
# `nn.Flatten()` keeps the first dimension and merges the rest (`start_dim=1`). For
# a single image that first dimension is the colour channel. In training, the
# first dimension is the **batch**, so a batch of 32 images becomes 32 rows of 784
# pixel values, one row per image:

# %%
image_batch, label_batch = next(iter(val_dataloader))  # the validation loader: no shuffling involved
print(f"Batch before: {image_batch.shape}")
print(f"Batch after:  {flatten_model(image_batch).shape}")

# %% [markdown]
# > **Note:** flattening throws away the information of which pixel sits next to
# > which. The model sees 784 separate numbers; a pixel's neighbours are just other
# > columns. Notebook 05 brings a convolutional model that looks at neighbourhoods of
# > pixels.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Building Model 0
#
# Model 0 is a subclass of `nn.Module` with three layers in an `nn.Sequential`:
#
# 1. `nn.Flatten()`: `[N, 1, 28, 28]` to `[N, 784]`
# 2. `nn.Linear(784, hidden_units)`: 784 pixel values in, `hidden_units` numbers out
# 3. `nn.Linear(hidden_units, 10)`: one output (a **logit**) per class
#
# The three sizes are constructor arguments, so one design can be built in several
# sizes.

# %%
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


# %% [markdown]
# > **Note:** `FashionMNISTModelV0` now lives in `helper_functions.py`, exactly as
# > written above. From here on we import it from there instead of defining it
# > again, starting now:

# %%
from helper_functions import FashionMNISTModelV0

# %% [markdown] slideshow={"slide_type": "subslide"}
# The arguments we pick:
#
# - `input_shape=784`: one input feature per pixel (28 x 28).
# - `hidden_units=10`: a small hidden layer keeps the model fast; try other values later.
# - `output_shape=len(class_names)`: ten classes, so ten logits.
#
# The layers start with random weights, so we seed the random generators right
# before building the model: the same seed gives you this notebook's starting weights.
#
# We keep Model 0 on the **CPU** for now; notebook 03 measures the CPU against a
# GPU, when there is one.

# %%
set_seeds(42)
model_0 = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names)).to("cpu")
model_0

# %% [markdown]
# How many numbers does the model learn? Each linear layer has a weight matrix and
# a bias vector:

# %%
for name, param in model_0.named_parameters():
    print(f"{name:<22} {str(list(param.shape)):<10} {param.numel():>5} values")
print(f"Total: {sum(p.numel() for p in model_0.parameters())} parameters")

# %% [markdown]
# A quick check that the shapes line up: one batch in, one row of ten logits per
# image out. An untrained model's logits mean nothing yet.

# %%
with torch.inference_mode():
    batch_logits = model_0(image_batch)
print(f"Input {image_batch.shape} -> output {batch_logits.shape}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Loss function, optimizer and accuracy
#
# Model 0's ten logits $z_j$ are raw scores of any sign. **Softmax** turns them into
# probabilities, $p_i = e^{z_i} / \sum_j e^{z_j}$: all positive, adding up to 1, the
# largest logit getting the largest probability. An image's loss is then $-\ln p$,
# with $p$ the probability of its true class: 0 when certain and right, larger the
# less the model believes the truth. The optional section
# [what cross-entropy computes, on one image](#Going-deeper-(optional):-what-cross-entropy-computes,-on-one-image)
# works an example by hand.
#
# Ten classes make this **multi-class classification**:
#
# - **Loss function:** `nn.CrossEntropyLoss()`. It takes the raw logits and the
#   true labels; it applies softmax internally, so the model needs no softmax layer.
# - **Optimizer:** `torch.optim.SGD` (stochastic gradient descent) over the model's
#   parameters, with a learning rate of `0.1`.
# - **Metric:** accuracy, the percentage of predicted labels that equal the true
#   labels. We write `accuracy_fn(y_true, y_pred)` for it below.
#
# The loss is what the optimizer minimises; accuracy is what we humans read.

# %%
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.1)

# %% [markdown]
# Accuracy compares predicted **labels** with true labels: `torch.eq` marks the
# matches, `.sum().item()` counts them as a Python number. A common slip is to pass
# the logits instead of the labels, so our `accuracy_fn` checks its inputs and says
# what to do rather than return a meaningless number.

# %%
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


# %% [markdown]
# The label a model predicts is the index of its largest logit, `argmax(dim=1)`:

# %%
batch_preds = batch_logits.argmax(dim=1)
print(f"First predicted labels: {batch_preds[:8].tolist()}")
print(f"First true labels:      {label_batch[:8].tolist()}")
print(f"Accuracy of the untrained model on this batch: {accuracy_fn(label_batch, batch_preds):.2f}%")

# %% [markdown]
# An untrained model guesses: right about one time in ten on average, though one
# batch of 32 can be luckier (18.75% here). Its loss tells the same story: for a model that spreads its belief
# evenly over ten classes, cross-entropy is ln(10), about 2.30.

# %%
print(f"Loss of the untrained model on this batch: {loss_fn(batch_logits, label_batch).item():.4f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Timing an experiment
#
# How long training takes decides how many experiments you can run in a day, so we
# measure it too, with `timeit.default_timer` (Python's `time.perf_counter`, the clock
# meant for durations): read it before and after, and subtract.
# `print_train_time(start, end, device)` prints the seconds between them and the
# device that did the work, and returns them for later comparisons; it refuses an
# `end` before `start`, the sign of swapped arguments.

# %%
def print_train_time(start: float, end: float, device: torch.device | str | None = None) -> float:
    """Print and return the seconds between ``start`` and ``end`` (from ``timeit.default_timer``)."""
    if end < start:
        raise ValueError(f"end ({end:.3f}) is before start ({start:.3f}): call print_train_time(start, end).")
    total_time = end - start
    print(f"Train time on {device}: {total_time:.3f} seconds")
    return total_time


# %% [markdown]
# > **Note:** `accuracy_fn` and `print_train_time` now live in `helper_functions.py`,
# > exactly as written above. From here on the course imports them from there,
# > starting now:

# %%
from helper_functions import accuracy_fn, print_train_time

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The training and validation loop, step by step
#
# This is PyTorch's usual training loop (forward pass, loss, zero the gradients,
# backward pass, optimizer step), run for every batch.
#
# **For each epoch:**
#
# 1. **Train.** Put the model in training mode (`model.train()`). For each batch `X, y`:
#    1. forward pass: `y_logits = model(X)`
#    2. loss for this batch: `loss = loss_fn(y_logits, y)`
#    3. clear old gradients: `optimizer.zero_grad()`
#    4. backpropagation: `loss.backward()`
#    5. update the weights: `optimizer.step()`
#    6. add this batch's loss and accuracy to the epoch's totals
# 2. **Validate.** Put the model in evaluation mode (`model.eval()`) and, inside
#    `torch.inference_mode()`, do the forward pass and add up loss and accuracy for
#    each validation batch. No gradients, no optimizer.
# 3. **Report** the epoch's average loss and accuracy.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why the optimizer steps once per batch
#
# This is **mini-batch gradient descent**. Each batch gives a gradient computed
# from 32 images: a noisy but cheap estimate of the gradient over the whole
# training set. Stepping after every batch means 1,719 small weight updates per
# epoch instead of one big update after all 55,000 images, and no step needs the
# whole dataset in memory.
#
# What does a step do? `loss.backward()` adds to each parameter's `.grad` the
# gradient of the loss: how fast the loss rises as that number grows.
# `optimizer.step()` moves every parameter `w` the other way: plain SGD replaces it by
# `w - lr * w.grad`, `lr` being the learning rate. `optimizer.zero_grad()` empties
# `.grad` first, because PyTorch **adds** new gradients to the stored ones: without
# it, each step would also apply every earlier batch's gradients. Notebook 09 checks
# one training step by hand in its section 1.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why the loss is averaged per sample
#
# `nn.CrossEntropyLoss()` returns the **mean** loss over a batch's images (its
# default `reduction="mean"`), which keeps the size of each step independent of the
# batch size. For **one** loss per epoch we want the mean over all its images. A
# batch's mean covers `len(y)` images, so we multiply it by `len(y)` before adding
# it to the total, and divide the total by the number of images at the end; averaging
# the batch means would give the last validation batch (8 images) the weight of a
# full batch of 32. Accuracy is averaged the same way.
#
# Two more details in the loop below:
#
# - `loss.item()` turns the one-number loss tensor into a Python float. Adding the
#   tensor itself (`train_loss += loss`) would keep every batch's computation graph
#   in memory until the epoch ends.
# - Wrapping the epoch range in `tqdm(...)` shows a progress bar, on standard output
#   (`file=sys.stdout`) rather than the red-tinted error stream; `tqdm.write` prints a
#   line above the bar.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Training Model 0 for 3 epochs
#
# Three epochs is a short run: enough to see the model learn, and quick on a laptop
# CPU. Here is the whole loop, timed.

# %%
epochs = 3
model_0_history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}

train_time_start_on_cpu = timer()
for epoch in tqdm(range(1, epochs + 1), desc="Epochs", file=sys.stdout):  # epochs 1, 2, 3
    ### Training
    model_0.train()
    train_loss, train_acc, n_train = 0.0, 0.0, 0
    for X, y in train_dataloader:
        # 1. Forward pass
        y_logits = model_0(X)
        # 2. Loss of this batch (the mean over its images)
        loss = loss_fn(y_logits, y)
        # 3. Clear the gradients of the previous step
        optimizer.zero_grad()
        # 4. Backpropagation: compute the gradients
        loss.backward()
        # 5. Update the weights, once per batch
        optimizer.step()
        # 6. Add to the epoch's totals, weighting the batch by its size
        train_loss += loss.item() * len(y)
        train_acc += accuracy_fn(y, y_logits.argmax(dim=1)) * len(y)
        n_train += len(y)
    train_loss /= n_train
    train_acc /= n_train

    ### Validation
    model_0.eval()
    val_loss, val_acc, n_val = 0.0, 0.0, 0
    with torch.inference_mode():
        for X, y in val_dataloader:
            val_logits = model_0(X)
            val_loss += loss_fn(val_logits, y).item() * len(y)
            val_acc += accuracy_fn(y, val_logits.argmax(dim=1)) * len(y)
            n_val += len(y)
    val_loss /= n_val
    val_acc /= n_val

    tqdm.write(
        f"Epoch {epoch}/{epochs} | train loss: {train_loss:.5f}, train acc: {train_acc:.2f}% "
        f"| val loss: {val_loss:.5f}, val acc: {val_acc:.2f}%"
    )
    for key, value in zip(model_0_history, (train_loss, train_acc, val_loss, val_acc)):
        model_0_history[key].append(value)
train_time_end_on_cpu = timer()

total_train_time_model_0 = print_train_time(
    start=train_time_start_on_cpu,
    end=train_time_end_on_cpu,
    device=str(next(model_0.parameters()).device),
)

# %% [markdown]
# The training loss falls every epoch, and after three epochs the model labels
# about 82% of the validation images correctly: not bad for fewer than 8,000
# parameters and images it has never trained on.
#
# The training time printed above includes the validation after each epoch and
# depends on your computer. Notebook 03 trains the same model with reusable functions.
#
# `plot_loss_curves` from `helper_functions.py` draws the numbers the loop kept in
# `model_0_history`: loss on the left, accuracy on the right, training and
# validation, the epochs numbered as the loop printed them.

# %%
plot_loss_curves(model_0_history)
plt.show()

# %% [markdown]
# The training loss falls every epoch; the validation loss is lowest after epoch
# 1, then rises a little. The validation accuracy dips in epoch 2, from 82.68% to
# 81.04%, and partly recovers in epoch 3, to 81.96%. Is the model memorising its
# training images (**overfitting**)? Three epochs cannot tell: with a fixed learning
# rate of 0.1, SGD takes large steps to the last batch, so any single epoch's
# validation numbers wobble by chance.
# Overfitting shows as a gap between training and validation that keeps **widening
# over several epochs**; section 8 and notebook 04 measure the gap the fair way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Training accuracy against validation accuracy
#
# In epoch 1 the validation accuracy came out far *higher* than the training
# accuracy (82.68% against 78.97%). Is the model better on images it has never
# seen? No: the two numbers are not measured the same way.
#
# - The **training** accuracy is a running average over the epoch. Its first
#   batches were scored by the weights of the start of the epoch, its last batches
#   by the weights of the end, so it mixes all the weights of the epoch. In
#   epoch 1, the first of them were random.
# - The **validation** accuracy is measured after the epoch, entirely with its
#   final weights.
#
# To compare like with like, score the training images with the final weights too,
# in evaluation mode and without gradients, as the validation images were. Order
# does not matter for a score, so an unshuffled DataLoader will do:

# %%
model_0.eval()
with torch.inference_mode():
    train_correct = sum((model_0(X).argmax(dim=1) == y).sum().item() for X, y in DataLoader(train_data, batch_size=1000))

print(f"Training accuracy, running average over epoch 3:   {model_0_history['train_acc'][-1]:.2f}%")
print(f"Training accuracy with the weights after epoch 3:  {train_correct / len(train_data) * 100:.2f}%")
print(f"Validation accuracy with the weights after epoch 3: {model_0_history['val_acc'][-1]:.2f}%")

# %% [markdown]
# Measured the same way, the model scores higher on the images it learned from
# than on new ones (82.79% against 81.96%), but by less than a point: Model 0 has
# memorised very little.
#
# The running average can also err the other way: in epoch 3 it reads 84.00%,
# above what the final weights score on the same images. The weights wobble, and
# the last steps left them a little worse than their average over the epoch. The
# running average is still the usual thing to print, as it costs nothing extra.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **A baseline first.** Model 0 flattens each image into 784 numbers and passes
#   them through two linear layers (784 → 10 → 10): simple, fast, and the measure of
#   every later model.
# - `nn.Flatten()` merges every dimension after the batch dimension into one.
# - Multi-class classification: `nn.CrossEntropyLoss()` on raw logits (softmax, then
#   `-ln p` of the true class), `torch.optim.SGD(lr=0.1)` (`w - lr * w.grad`), and
#   `accuracy_fn` on `logits.argmax(dim=1)`.
# - The loop has an inner loop over batches: forward, loss, `zero_grad`,
#   `backward`, `step` for **every batch** (mini-batch gradient descent).
# - Each batch's loss is a mean over its images; for an epoch's loss, weight each
#   batch by its size and divide by the number of images. Use `loss.item()` for
#   the running total.
# - Time experiments with `timeit.default_timer` and `print_train_time`; it,
#   `accuracy_fn` and `FashionMNISTModelV0` now live in `helper_functions.py`.
# - The training accuracy printed per epoch is a running average while the weights
#   change; the validation accuracy uses the epoch's final weights. Compare them with
#   that in mind, and judge overfitting over several epochs.
#
# **Next:** notebook 03 turns the loop into functions and runs the code on a GPU
# when there is one; notebook 04 adds non-linearity (Model 1).

# %% [markdown]
# ### Extra-curriculum
#
# - Change `hidden_units` to 5 and to 100 and retrain. How do the validation accuracy and the
#   training time change?
# - Train for 5 epochs instead of 3. Does the validation accuracy rise, or keep wobbling?
# - Read the PyTorch documentation of
#   [`nn.CrossEntropyLoss`](https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html):
#   what do its `reduction` options do?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): what cross-entropy computes, on one image
#
# Read this if `nn.CrossEntropyLoss` still feels like a black box: we work out its
# number by hand for a single picture, and see why an untrained model starts with a
# loss near ln(10).
#
# We take the ankle boot of section 2 (`train_data[0]`) and a fresh, untrained copy
# of Model 0: the same class and the same seed as in section 3, so it starts from
# exactly the weights `model_0` had before training. Its outputs on the validation
# batch of section 2 confirm it.

# %%
image, label = train_data[0]  # the ankle boot of section 2
set_seeds(42)  # as in section 3: the starting weights of model_0
untrained_model_0 = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=len(class_names)).to("cpu")
untrained_model_0.eval()
with torch.inference_mode():
    same_start = torch.equal(untrained_model_0(image_batch), batch_logits)
    logits = untrained_model_0(image.unsqueeze(dim=0))[0]  # a batch of one image in, its 10 logits out

print(f"Same outputs as model_0 before training: {same_start}")
print(f"True label: {label} ({class_names[label]})")
print(f"Logits: {[round(value, 3) for value in logits.tolist()]}")

# %% [markdown]
# Logits are raw scores: any real numbers, and they add up to nothing in
# particular. **Softmax** turns them into probabilities in two steps:
#
# 1. `exp` of every logit makes each one positive, and keeps the order: a larger
#    logit gives a larger number.
# 2. Dividing each by the sum of all ten makes them add up to 1.
#
# By hand, checked against `torch.softmax`, and drawn as a bar chart with the true
# class in orange:

# %%
exps = torch.exp(logits)
probs = exps / exps.sum()  # softmax by hand
print(f"Same as torch.softmax: {torch.allclose(probs, torch.softmax(logits, dim=0))}")  # one image: classes on dim 0
print(f"Sum of the probabilities: {probs.sum().item():.4f}")
print(f"Smallest and largest: {probs.min().item():.4f} and {probs.max().item():.4f}")


def plot_class_probabilities(ax, probs, true_label, title):
    """Bar chart of the ten class probabilities, the true class in orange."""
    colours = ["tab:orange" if i == true_label else "tab:blue" for i in range(len(class_names))]
    ax.bar(class_names, probs.numpy(), color=colours)
    ax.axhline(1 / len(class_names), color="gray", linestyle="--", label="an even guess: 1/10")
    ax.set(ylim=(0, 1), xlabel="class", ylabel="probability (softmax)", title=title)
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend()


fig, (ax_image, ax_probs) = plt.subplots(1, 2, figsize=(12, 4), width_ratios=[1, 3])
ax_image.imshow(image.squeeze().numpy(), cmap="gray")
ax_image.set_title(f"train_data[0]: {class_names[label]}")
ax_image.axis("off")
plot_class_probabilities(ax_probs, probs, label, "Untrained Model 0: softmax of its logits")
fig.tight_layout()
plt.show()

# %% [markdown]
# The untrained model spreads its belief almost evenly: every bar lies between
# 0.0664 and 0.1327, close to the dashed line of an even guess, and nothing singles
# out the ankle boot: its bar is below that line.
#
# **Cross-entropy** looks at only one of the ten bars: the probability `p` the model
# gives the **true** class. The loss is `-log(p)`, with the natural logarithm
# (`torch.log`, base e): a certain right answer, p = 1, costs 0.
#
# Note what we hand `nn.CrossEntropyLoss`: the raw **logits**, not `probs`. It runs
# softmax and the log itself, as one step (log-softmax), so a model trained with it
# must not end in a softmax. It also expects a batch, so we give it a batch of one:
# logits of shape `[1, 10]` and a label of shape `[1]`.
#
# > **Note:** Compute it by hand only to see what it does. In your own code use
# > `nn.CrossEntropyLoss` (or `torch.log_softmax`): `torch.exp` of a large logit
# > overflows to `inf`, and a tiny probability rounds to 0, whose log is `-inf`; those
# > functions subtract the largest logit first and never form the probabilities.

# %%
loss_by_hand = -torch.log(probs[label])
loss_by_pytorch = loss_fn(logits.unsqueeze(dim=0), torch.tensor([label]))  # loss_fn of section 4
print(f"p of the true class:   {probs[label].item():.4f}")
print(f"-log(p), by hand:      {loss_by_hand.item():.4f}")
print(f"nn.CrossEntropyLoss(): {loss_by_pytorch.item():.4f}")
print(f"Equal: {torch.allclose(loss_by_hand, loss_by_pytorch)}")

# %% [markdown]
# Why does an untrained model start near 2.30? Its random weights are small, so
# the ten logits come out close together (here from -0.206 to 0.486). Close logits
# give close probabilities, each near 1/10, and a probability of 1/10 for the true
# class costs -log(1/10) = ln(10):

# %%
import math

print(f"ln(10) = -log(1/10) = {math.log(10):.4f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# For this image the true class got 0.0790, a little less than 1/10, so its loss,
# 2.5379, lies a little above ln(10). Over many images such ups and downs even out:
# on the 32 images of the validation batch of section 2, the untrained model's loss was
# 2.2464, close to 2.3026. (Section 7 prints a much lower training loss for epoch
# 1, 0.59414, because that is an average over all 1,719 batches while the model
# was already learning.)
#
# Now the same image through `model_0`, trained for 3 epochs in section 7. We also
# make the classic mistake on purpose: give `nn.CrossEntropyLoss` the softmax
# probabilities instead of the logits. It runs log-softmax on whatever it
# receives, so the probabilities get squashed by softmax a second time.

# %%
with torch.inference_mode():
    trained_logits = model_0(image.unsqueeze(dim=0))[0]
trained_probs = torch.softmax(trained_logits, dim=0)
target = torch.tensor([label])
print(f"p of the true class:                {trained_probs[label].item():.4f}")
print(f"Loss on the logits (right):         {loss_fn(trained_logits.unsqueeze(dim=0), target).item():.4f}")
print(f"Loss on the probabilities (wrong):  {loss_fn(trained_probs.unsqueeze(dim=0), target).item():.4f}")
certain = torch.zeros(1, len(class_names))
certain[0, label] = 1.0  # probability 1 on the true class
print(f"Wrong way, even when certain and right: {loss_fn(certain, target).item():.4f}")

fig, ax = plt.subplots(figsize=(9, 4))
plot_class_probabilities(ax, trained_probs, label, "Model 0 after 3 epochs: softmax of its logits")
fig.tight_layout()
plt.show()

# %% [markdown]
# After training, the model puts 0.9984 on the ankle boot (it has seen this
# training image once in each of the 3 epochs), and the loss falls to 0.0016.
#
# Fed the probabilities instead, the loss reads 1.4625, and even a model that is
# certain and right would get 1.4612 that way: the loss can hardly tell a good
# answer from a perfect one. So Model 0 ends in a plain linear layer, with no
# softmax. Use softmax only when you want to read probabilities, as the prediction
# function of notebook 06 does.
#
# Last, the shape of `-log(p)` itself, with our two points on it:

# %%
p_grid = torch.linspace(0.001, 1, 500)
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(p_grid.numpy(), -torch.log(p_grid).numpy(), label="loss = -log(p)")
ax.plot([0.1, 0.1, 0], [0, math.log(10), math.log(10)], color="gray", linestyle=":", label="an even guess: p = 1/10, loss = ln(10)")
for name, p, offset in [("untrained", probs[label].item(), (10, 10)), ("after training", trained_probs[label].item(), (-150, 15))]:
    ax.scatter(p, -math.log(p), s=60, zorder=3)
    ax.annotate(f"{name}: p = {p:.4f}", (p, -math.log(p)), xytext=offset, textcoords="offset points")
ax.set(xlabel="p, the probability the model gives the true class", ylabel="cross-entropy loss",
       title="Cross-entropy for one image: -log(p)")
ax.legend()
plt.show()

for p in [0.9, 0.5, 0.1, 0.01, 0.001]:
    print(f"p = {p:<5} -> loss {-math.log(p):.2f}")

# %% [markdown]
# The curve is all there is to cross-entropy. Probability 0.9 for the true class
# costs 0.11, and 0.5 costs 0.69; the even guess, 0.1, costs 2.30. Below that the
# curve shoots up: 0.01 costs 4.61, 0.001 costs 6.91, and the loss grows without
# limit as p goes to 0. So a model that is confident and wrong, giving nearly all its
# probability to another class, pays far more than one that is merely unsure.
