# %% [markdown] slideshow={"slide_type": "slide"}
# # 01. DataLoaders: feeding data in mini-batches
#
# In notebook 00 we loaded FashionMNIST as two `Dataset`s: 60,000 training and
# 10,000 test images that we can index one at a time. This notebook first sets
# 5,000 of the training images aside as a **validation set**, then wraps each
# dataset in a `torch.utils.data.DataLoader`, which cuts it into mini-batches,
# shuffles it and hands the batches to the training loop.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/01_dataloaders.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/01_dataloaders.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F01_dataloaders.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/01_dataloaders.ipynb)

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
# 1. [Why mini-batches](#1.-Why-mini-batches)
# 2. [Loading the datasets](#2.-Loading-the-datasets)
# 3. [A validation set: train, choose, test once](#3.-A-validation-set:-train,-choose,-test-once)
# 4. [Creating the DataLoaders](#4.-Creating-the-DataLoaders)
# 5. [How many batches](#5.-How-many-batches)
# 6. [Inside a batch](#6.-Inside-a-batch)
# 7. [Shuffling and reproducibility](#7.-Shuffling-and-reproducibility)
# 8. [One sample from a batch](#8.-One-sample-from-a-batch)
# 9. [Transforms: from image to tensor, normalising](#9.-Transforms:-from-image-to-tensor,-normalising)
# 10. [Summary](#Summary)
#
# **Going deeper (optional):** [augmenting the training images](#Going-deeper-(optional):-augmenting-the-training-images)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why mini-batches
#
# Gradient descent could in principle look at *all* 60,000 images, compute one
# gradient and take one step. In practice we use small **mini-batches** instead:
#
# - **Memory.** The whole training set as `float32` is about 188 MB, before the
#   model stores any intermediate results (activations) for the backward pass.
#   With bigger images or models that no longer fits on a GPU; a batch can be made
#   small enough to fit.
# - **More updates.** One pass over the data (an **epoch**) with batches of 32
#   gives well over a thousand small gradient steps instead of a single big one. Each step uses a
#   noisy estimate of the gradient, but many cheap, slightly noisy steps usually
#   beat one exact step.
#
# The **batch size** is a hyperparameter. 32 is a good default to start from;
# powers of two (32, 64, 128, ...) are common because they suit hardware well.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Loading the datasets
#
# Every notebook in this course runs on its own, so we load the data again exactly
# as in notebook 00.

# %%
import matplotlib.pyplot as plt
import torch
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

from helper_functions import prepare_fashion_mnist, set_seeds

data_root = prepare_fashion_mnist()  # makes sure the files are in data/ (offline or online)

full_train_data = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
test_data = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())
class_names = full_train_data.classes

print(f"Training images: {len(full_train_data)}, test images: {len(test_data)}")
print(f"Classes: {class_names}")

# %% [markdown]
# How big would the whole training set be as one tensor, compared with one batch?

# %%
bytes_per_image = 1 * 28 * 28 * 4  # channels * height * width * 4 bytes per float32
print(f"All training images: {len(full_train_data) * bytes_per_image / 1e6:.1f} MB")
print(f"One batch of 32:     {32 * bytes_per_image / 1e3:.1f} kB")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A validation set: train, choose, test once
#
# In the coming notebooks we will build three models, train each for a few
# epochs and pick the best. If we picked by test accuracy, the test set would
# become part of the design: every choice fits the model a little more to those
# 10,000 images, and their accuracy would no longer say how the model does on
# images it has never met. So we give each job its own data:
#
# | set | images | used for |
# | --- | --- | --- |
# | training | 55,000 | the gradient steps |
# | validation | 5,000 | choosing: which model, how many epochs, which settings |
# | test | 10,000 | once, at the very end, for the model we chose |
#
# "Once" means one score for the chosen model, measured after the choice. Looking
# at that model's test predictions afterwards, to understand its mistakes, is fine
# (notebooks 06 and 07 do); changing the model because of them is not.
#
# The validation images are taken at random from the training file, with a
# seeded generator so that every run, and every notebook, gets the same split:

# %%
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


train_data, val_data = split_train_validation(full_train_data)
overlap = set(train_data.indices) & set(val_data.indices)
print(f"Training: {len(train_data):,} images, validation: {len(val_data):,}, in both: {len(overlap)}")
print(f"The first validation images are numbers {val_data.indices[:5]} of the training file")

# %% [markdown]
# `random_split` returns two `Subset`s: views that hold a list of indices into
# the original dataset and copy no images. A random split of 5,000 keeps the ten
# classes roughly balanced, about 500 images each, as a count of the validation
# labels shows:

# %%
val_labels = full_train_data.targets[val_data.indices]
print({name: count for name, count in zip(class_names, val_labels.bincount(minlength=len(class_names)).tolist())})

# %% [markdown]
# > **Note:** From here on the course trains on `train_data` (55,000 images),
# > compares models on `val_data`, and touches `test_data` only once the choice is
# > made, in notebook 06.
# > `split_train_validation` now lives in `helper_functions.py`, exactly as written
# > above, so every notebook gets the same split. We import it from there:

# %%
from helper_functions import split_train_validation

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Creating the DataLoaders
#
# A `DataLoader` takes a `Dataset` and a few options:
#
# - `batch_size`: how many samples go into each batch.
# - `shuffle`: whether to visit the samples in a new random order every epoch.

# %%
BATCH_SIZE = 32

train_dataloader = DataLoader(
    train_data,
    batch_size=BATCH_SIZE,
    shuffle=True,  # a new random order every epoch
)
val_dataloader = DataLoader(val_data, batch_size=BATCH_SIZE, shuffle=False)  # always the same order
test_dataloader = DataLoader(test_data, batch_size=BATCH_SIZE, shuffle=False)

for name, loader in [("train", train_dataloader), ("val", val_dataloader), ("test", test_dataloader)]:
    print(f"{name + '_dataloader:':18} batches of {loader.batch_size} from {len(loader.dataset):,} images")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why shuffle the training data but not the validation and test data?
#
# - **Training:** if the samples came in a fixed order, say all sneakers first, a
#   batch would hold just one class and each step would drag the model towards
#   that class. Even in a well-mixed file, a fixed order means the same 32 images
#   share a batch in every epoch. Shuffling gives every epoch new, varied batches,
#   so the gradient steps are more representative of the whole dataset.
# - **Validation and testing:** the model does not learn from these batches, so
#   their order cannot change the result: accuracy over all the images is the
#   same in any order.
#   A fixed order makes runs reproducible and comparable: prediction number `i`
#   always belongs to `test_data[i]`, which we rely on later for the confusion
#   matrix.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. How many batches
#
# `len()` of a DataLoader is the number of batches per epoch.

# %%
print(f"Length of train_dataloader: {len(train_dataloader):,} batches of {BATCH_SIZE}")
print(f"Length of val_dataloader:   {len(val_dataloader)} batches of {BATCH_SIZE}")
print(f"Length of test_dataloader:  {len(test_dataloader)} batches of {BATCH_SIZE}")
print(f"Images in the last training batch: {len(train_data) - (len(train_dataloader) - 1) * BATCH_SIZE}")

# %% [markdown]
# - Training: 55,000 / 32 = 1,718.75, so 1,718 full batches and a last one of 24.
# - Validation: 5,000 / 32 = 156.25: 156 full batches and a last one of 8.
# - Test: 10,000 / 32 = 312.5. The DataLoader rounds **up**,
#   `ceil(10000 / 32) = 313`: 312 full batches plus a last one with the
#   remaining 10,000 - 312 * 32 = 16 images.
#
# Let's check by running through the whole test DataLoader and looking at the
# final batch:

# %%
batch_sizes = [images.shape[0] for images, labels in test_dataloader]

print(f"Batches seen: {len(batch_sizes)}")
print(f"Full batches of {BATCH_SIZE}: {batch_sizes.count(BATCH_SIZE)}")
print(f"Size of the last batch: {batch_sizes[-1]}")
print(f"Images seen in total: {sum(batch_sizes)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# With `drop_last=True` the DataLoader throws away an incomplete last batch:

# %%
test_dataloader_drop_last = DataLoader(test_data, batch_size=BATCH_SIZE, shuffle=False, drop_last=True)
print(f"With drop_last=True: {len(test_dataloader_drop_last)} batches, "
      f"{len(test_dataloader_drop_last) * BATCH_SIZE} of {len(test_data)} images used")

# %% [markdown]
# > **Note:** Never drop validation or test images: every one of them should
# > count towards the score. `drop_last=True` is occasionally useful for *training*, for example when
# > a layer such as batch normalisation, which computes statistics over each training
# > batch (notebook 09, section 5), misbehaves on a tiny last batch.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Inside a batch
#
# A DataLoader is an *iterable*: a `for` loop over it yields one batch per step,
# as a pair `(images, labels)`. To look at just one batch, we make an iterator with
# `iter()` and take its first item with `next()`.
#
# Because the training DataLoader shuffles, which images come first is random. We
# seed right before `iter()` (section 7 explains why exactly there), so every run
# shows the same batch.

# %%
set_seeds(42)
train_features_batch, train_labels_batch = next(iter(train_dataloader))

print(f"Images: shape {train_features_batch.shape}, dtype {train_features_batch.dtype}")
print(f"Labels: shape {train_labels_batch.shape}, dtype {train_labels_batch.dtype}")

# %% [markdown]
# - Images `[32, 1, 28, 28]`: **NCHW**, 32 images of 1 channel and 28x28 pixels.
#   The DataLoader stacked 32 of the `[1, 28, 28]` tensors from the dataset.
# - Labels `[32]`: one integer class index (`int64`) per image.
#
# The labels of this batch are a mix of classes, as shuffling promised:

# %%
print(train_labels_batch.tolist())
print([class_names[i] for i in train_labels_batch[:6]])

# %% [markdown] slideshow={"slide_type": "subslide"}
# All 32 images of the batch:

# %%
fig, axes = plt.subplots(4, 8, figsize=(12, 6.8))
for ax, img, lbl in zip(axes.flat, train_features_batch, train_labels_batch):
    ax.imshow(img.squeeze().numpy(), cmap="gray")
    ax.set_title(class_names[lbl], fontsize=9)
    ax.axis("off")
fig.suptitle("The first training batch (seed 42)")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Shuffling and reproducibility
#
# Each time you call `iter()` on the training DataLoader, a new epoch starts with a
# fresh random order. Without a seed, two epochs begin with different batches:

# %%
first_epoch_labels = next(iter(train_dataloader))[1]
second_epoch_labels = next(iter(train_dataloader))[1]
print(f"Epoch A starts with labels {first_epoch_labels[:10].tolist()}")
print(f"Epoch B starts with labels {second_epoch_labels[:10].tolist()}")

# %% [markdown]
# (These two are reproducible too, but only because we seeded once in section 6
# and ran exactly the same code since.)
#
# Where does the random order come from? When no `generator` is passed, the
# DataLoader draws the seed for each epoch's order from **PyTorch's global random
# number generator** when the epoch starts, that is, when you call `iter()` and
# ask for the first batch. Anything else that uses
# that generator in between (creating a model, `torch.rand`, a dropout layer, ...)
# changes which order you get. So seed *right before* `iter()`:

# %%
set_seeds(42)
labels_run_1 = next(iter(train_dataloader))[1]

set_seeds(42)
_ = torch.rand(3)  # any other use of the global generator...
labels_run_2 = next(iter(train_dataloader))[1]

set_seeds(42)
labels_run_3 = next(iter(train_dataloader))[1]

for name, labels in [("1: seed, iter()", labels_run_1),
                     ("2: seed, torch.rand, iter()", labels_run_2),
                     ("3: seed, iter()", labels_run_3)]:
    print(f"Run {name:28} {labels[:10].tolist()}")
print(f"Run 1 == run 3? {torch.equal(labels_run_1, labels_run_3)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Giving the DataLoader its own generator
#
# The more robust way is to hand the DataLoader its own seeded
# `torch.Generator`. Its shuffling then no longer depends on the global
# generator, so other random calls cannot disturb it:

# %%
loader_a = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True,
                      generator=torch.Generator().manual_seed(42))
loader_b = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True,
                      generator=torch.Generator().manual_seed(42))

labels_a = next(iter(loader_a))[1]
_ = torch.rand(3)  # uses the global generator, not loader_b's
labels_b = next(iter(loader_b))[1]

print(f"loader_a starts with {labels_a[:10].tolist()}")
print(f"loader_b starts with {labels_b[:10].tolist()}")
print(f"Identical batches? {torch.equal(labels_a, labels_b)}")

# %% [markdown]
# Each loader still shuffles differently from epoch to epoch: its generator moves
# on every time `iter()` is called, in the same sequence in every run.
#
# The test DataLoader needs no seed at all: with `shuffle=False` its first batch
# is always the first 32 test images.

# %%
test_labels_batch = next(iter(test_dataloader))[1]
print(f"First test batch labels: {test_labels_batch[:10].tolist()}")
print(f"test_data.targets[:10]:  {test_data.targets[:10].tolist()}")
print(f"Same order as the dataset? {torch.equal(test_labels_batch, test_data.targets[:BATCH_SIZE])}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. One sample from a batch
#
# Inside a batch, each sample is still the image and label we know from the
# dataset. Let's pick one at random from the batch of section 6 (seeded, so it is
# the same one every time) and check that nothing changed along the way.

# %%
set_seeds(42)
random_idx = torch.randint(0, len(train_features_batch), size=(1,)).item()
img, label = train_features_batch[random_idx], train_labels_batch[random_idx]

print(f"Picked sample {random_idx} of the batch")
print(f"Image shape: {img.shape}")
print(f"Label: {label.item()} ({class_names[label]}), label shape: {label.shape}")

fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(img.squeeze().numpy(), cmap="gray")
ax.set_title(class_names[label])
ax.axis("off")
plt.show()

# %% [markdown]
# The image is `[1, 28, 28]` again, and the label is a 0-dimensional tensor (a
# single number; `label.item()` turns it into a plain Python `int`).
#
# > **Tip:** `DataLoader` has more options you'll meet in bigger projects:
# > `num_workers` loads batches in background processes while the model trains,
# > and `pin_memory=True` speeds up copying batches to a GPU. For FashionMNIST on a
# > laptop the defaults are fine.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Transforms: from image to tensor, normalising
#
# Every dataset so far was created with `transform=ToTensor()`. A **transform** is
# a function the `Dataset` applies to a sample each time you index it: the place
# to turn an image into a tensor, rescale its values and, for training only, vary
# it at random. torchvision's current API for this is `torchvision.transforms.v2`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### From image to tensor
#
# Without a transform, FashionMNIST hands out PIL images (the format of the Pillow
# library). In `v2` the conversion takes two explicit steps: `v2.ToImage()` makes
# a `uint8` tensor `[C, H, W]` with values 0 to 255, and
# `v2.ToDtype(torch.float32, scale=True)` turns it into `float32`, scaled to 0-1.
# We convert the first 1,000 images of the training file both ways:

# %%
from torchvision.transforms import v2

to_float_image = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])

pil_data = datasets.FashionMNIST(root=data_root, train=True, download=True)  # no transform: PIL images
old = torch.stack([ToTensor()(pil_data[i][0]) for i in range(1000)])
new = torch.stack([to_float_image(pil_data[i][0]) for i in range(1000)])
differ = old != new
one_step = torch.equal(torch.nextafter(old, new)[differ], new[differ])  # the next float32 towards `new`

print(f"ToTensor():  shape {list(old.shape)}, {old.dtype}, values {old.min():.1f} to {old.max():.1f}")
print(f"v2 pipeline: shape {list(new.shape)}, {new.dtype}, values {new.min():.1f} to {new.max():.1f}")
print(f"Pixels that differ: {differ.sum().item():,} of {differ.numel():,} ({differ.float().mean():.1%})")
print(f"Largest difference: {(old - new).abs().max():.1e}")
print(f"Each exactly one float32 step away? {one_step}")

# %% [markdown]
# Same shape, dtype and range, yet about a quarter of the pixels differ, each by
# the smallest step a `float32` can take. torchvision's code shows why:
# `ToTensor()` divides by 255, while `v2.ToDtype` multiplies by 1/255, a fraction
# binary floats cannot store exactly, so the product sometimes rounds to the
# neighbour of the exact quotient. For training a model, a difference that small
# does not matter.
#
# > **Note:** The course's other notebooks keep `ToTensor()`: their trained models
# > and printed results come from it. For your own work both are fine; `v2` is the
# > API torchvision recommends.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Normalising: centre 0, spread 1
#
# Pixels in [0, 1] are never negative, and about half of them are exactly 0 (the
# black background).
# `v2.Normalize(mean, std)` computes `(x - mean) / std` for each channel; with the
# data's own mean and standard deviation, the values end up centred on 0 with a
# spread of about 1. We compute both over the 55,000 training images; their raw
# `uint8` pixels are in the training file's `.data`, at `train_data.indices`:

# %%
pixels = full_train_data.data[train_data.indices].float() / 255  # [55000, 28, 28], values 0-1
mean, std = pixels.mean().item(), pixels.std().item()
print(f"Training-set pixels: mean {mean:.4f}, std {std:.4f}")

# %% [markdown]
# These statistics come from the **training images only**. The validation and
# test images stand in for images the model has never seen, so they get the same
# transform with the *training* statistics, as a new photo would later.
#
# Now the training file with a transform that ends with `Normalize`, on the same
# 1,000 images:

# %%
normalize = v2.Normalize(mean=[mean], std=[std])  # one value per channel: FashionMNIST has 1
file_normalized = datasets.FashionMNIST(root=data_root, train=True, download=True,
                                              transform=v2.Compose([to_float_image, normalize]))
after = torch.stack([file_normalized[i][0] for i in range(1000)])
print(f"Before: mean {old.mean():.4f}, std {old.std():.4f}")
print(f"After:  mean {after.mean():.4f}, std {after.std():.4f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for ax, values, title in [(axes[0], old, "Before: ToTensor()"), (axes[1], after, "After: Normalize")]:
    ax.hist(values.flatten().numpy(), bins=50, log=True)
    ax.set(title=f"{title}, first 1,000 images of the file", xlabel="pixel value", ylabel="number of pixels (log scale)")
fig.tight_layout()
plt.show()

# %% [markdown]
# The histogram keeps its shape; `Normalize` only shifts and stretches it (the
# y-axis is logarithmic, or the bar of black pixels would hide the rest). Mean and
# std come out close to 0 and 1, not exact: 1,000 images are a sample, and the
# statistics came from the 55,000 training images.
#
# Why bother? For one image, a neuron's gradient for the weight of pixel `i` is
# that pixel's value times a factor shared by all its weights. With pixels that are
# never negative, all those gradients share one sign: that image pushes all the
# weights up together, or all down. A batch averages images whose factors differ in
# sign, which loosens this, but centred inputs remove it at the source, and a spread
# near 1 keeps the weighted sums and the steps in a sensible range.
#
# The course's models are trained **without** `Normalize`, on [0, 1], already a
# small range. It matters more for raw 0-255 values or unevenly bright colour
# channels.
#
# > **Going deeper:** random variations of the training images, and why they must
# > never reach the validation and test images: [augmenting the training
# > images](#Going-deeper-(optional):-augmenting-the-training-images), at the end.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A `DataLoader` turns a `Dataset` into an iterable of **mini-batches**: less
#   memory per step and many more gradient updates per epoch.
# - Three sets, three jobs: train on 55,000 images, choose on a seeded validation
#   set of 5,000 (`split_train_validation`), test once at the end on 10,000.
# - `BATCH_SIZE = 32`: **1,719** training batches, the last holding 24 images;
#   ceil(10,000 / 32) = **313** test batches, the last holding 16 (`drop_last=True`
#   would drop it).
# - A batch is a pair: images `[32, 1, 28, 28]` (NCHW) and labels `[32]`.
# - `shuffle=True` for training, so every epoch sees new, mixed batches;
#   `shuffle=False` for validation and testing, so results are reproducible and
#   line up with the dataset.
# - Shuffling uses PyTorch's global random generator when `iter()` is called:
#   call `set_seeds(42)` right before it, or pass the DataLoader its own
#   `generator=torch.Generator().manual_seed(42)`.
# - A **transform** runs on every sample as it is indexed.
#   `v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])` is the
#   modern `ToTensor()` (equal to within one `float32` step); `v2.Normalize` with
#   the training images' mean 0.2856 and std 0.3527 centres the pixels on 0;
#   random augmentation goes into the training transform only, never the validation
#   or test one.
#
# **Next:** notebook 02 builds a first model and trains it batch by batch with
# these DataLoaders.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Extra-curriculum
#
# - [`torch.utils.data` documentation](https://pytorch.org/docs/stable/data.html): samplers, `collate_fn`, workers.
# - [Reproducibility in PyTorch](https://pytorch.org/docs/stable/notes/randomness.html): what to seed, including DataLoader workers.
# - [Transforming and augmenting images](https://pytorch.org/vision/stable/transforms.html): the `v2` transforms, and which to use for what.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): augmenting the training images
#
# Read this when a model you train starts to overfit: augmentation is the first
# remedy practitioners reach for, and it is built from the transforms of section 9.
#
# A model that has seen a T-shirt in one exact position may stumble on the same
# T-shirt shifted or turned a little. **Data augmentation** makes random
# variations of each training image that keep its label: turned a little,
# cropped. The model sees more variety without a single new photo. The random
# steps go into the training pipeline only:

# %%
train_transform = v2.Compose([
    v2.RandomRotation(degrees=10),  # turn by up to 10 degrees either way
    # keep 80-100% of the area, in a shape between 3:4 and 4:3 (the default), back to 28x28
    v2.RandomResizedCrop(size=28, scale=(0.8, 1.0)),
    to_float_image, normalize,                        # then the fixed steps
])
eval_transform = v2.Compose([to_float_image, normalize])  # fixed steps only: validation and test

# Two views of the training file, one per transform, each cut to its part of the split
augmented_file = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=train_transform)
plain_file = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=eval_transform)
train_data_augmented = torch.utils.data.Subset(augmented_file, train_data.indices)
val_data_plain = torch.utils.data.Subset(plain_file, val_data.indices)

torch.manual_seed(42)
print(f"Training image 0 indexed twice, same tensor?   {torch.equal(train_data_augmented[0][0], train_data_augmented[0][0])}")
print(f"Validation image 0 indexed twice, same tensor? {torch.equal(val_data_plain[0][0], val_data_plain[0][0])}")

# %% [markdown]
# The transform runs every time a sample is indexed, and the DataLoader indexes
# every training image once per epoch, so each epoch sees a new variant of every
# image. Four training images and five draws of each:

# %%
torch.manual_seed(42)
fig, axes = plt.subplots(4, 6, figsize=(9, 6.6))
for row, idx in enumerate([0, 1, 3, 6]):  # images of the training file, all four in train_data
    position = train_data.indices.index(idx)  # where the Subset keeps that image
    versions = [full_train_data[idx][0]] + [train_data_augmented[position][0] for _ in range(5)]
    for col, (ax, img) in enumerate(zip(axes[row], versions)):
        ax.imshow(img.squeeze().numpy(), cmap="gray")
        ax.set_title(class_names[full_train_data[idx][1]] if col == 0 else f"augmented {col}", fontsize=9)
        ax.axis("off")
fig.suptitle("Original (left) and five random augmentations of each (seed 42)")
fig.tight_layout()
plt.show()

# %% [markdown]
# The validation and test images are never augmented: they measure how well the
# model does on images *as they are*, and random changes would measure something
# else, and differently on every run. As training and validation images share one
# file, the code above opens it twice, once per transform, and cuts each copy with
# the split's indices: augmented training images, plain validation images.
#
# Choose augmentations that make pictures the model could really meet. A vertical
# flip would be a bad one: every FashionMNIST item is photographed upright, so an
# upside-down boot never occurs, and the model would waste effort learning it. Even
# the most common augmentation, a horizontal flip (`v2.RandomHorizontalFlip()`), is
# doubtful here: a mirrored T-shirt is still a plausible T-shirt, but the shoes in
# the figures above all point their toes to the left, and a mirrored boot would
# point the other way.
