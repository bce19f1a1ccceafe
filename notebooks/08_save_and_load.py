# %% [markdown] slideshow={"slide_type": "slide"}
# # 08. Saving and loading the best model
#
# Training TinyVGG took minutes. We do not want to repeat that every time we need
# the model: to make predictions tomorrow, to put it in an app, or to share it with
# a colleague. So we save what the model learned to a file and load it back later.
#
# In this notebook we save the best model's `state_dict`, load it into a fresh
# model, prove that the loaded model predicts exactly like the original, and see
# why `weights_only=True` matters. Finally we put the loaded model to work on an
# image file of our own, a real photo, and see what goes wrong.
#
# Two optional sections follow: the course's safer helpers, which never leave a
# half-written file and explain clearly what is wrong with a file that does not
# load, and where to go next, with pretrained models.
#
# > **Note:** A model trained on another computer ends up slightly different (processors
# > round long sums differently, and training compounds it), so the numbers you see may
# > differ a little from the ones printed here; the comparisons hold all the same.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/08_save_and_load.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/08_save_and_load.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F08_save_and_load.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/08_save_and_load.ipynb)

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
# 1. [The model to save](#1.-The-model-to-save)
# 2. [What a state_dict holds](#2.-What-a-state_dict-holds)
# 3. [Saving the state_dict](#3.-Saving-the-state_dict)
# 4. [Loading it into a fresh model](#4.-Loading-it-into-a-fresh-model)
# 5. [Does the loaded model predict the same?](#5.-Does-the-loaded-model-predict-the-same?)
# 6. [Why weights_only=True matters](#6.-Why-weights_only=True-matters)
# 7. [Classifying your own image](#7.-Classifying-your-own-image)
# 8. [Summary](#Summary)
#
# **Going deeper (optional):** [safer helpers: save_model and load_model](#Going-deeper-(optional):-safer-helpers:-save_model-and-load_model)
# · [where next](#Going-deeper-(optional):-where-next)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The model to save
#
# Notebook 06 chose `model_2` (TinyVGG), the most accurate of our three models on
# the validation set. `load_or_train_course_model` gives it to us whether or not
# the earlier notebooks ran in this session.

# %%
import os
import pickle
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

from cv_course.recipe import load_or_train_course_model
from helper_functions import (
    FashionMNISTModelV0,
    FashionMNISTModelV2,
    accuracy_fn,
    eval_model,
    find_course_root,
    prepare_fashion_mnist,
)

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

data_root = prepare_fashion_mnist()
test_data = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())

model_2, model_2_results = load_or_train_course_model("model_2", device=device)
print(model_2)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. What a state_dict holds
#
# PyTorch offers two ways to save a model:
#
# | What you save | How | Loading needs |
# |---|---|---|
# | the **`state_dict`** (recommended) | `torch.save(model.state_dict(), path)` | the model's class, to build a fresh model to load into |
# | the **whole model object** | `torch.save(model, path)` | the class *and* the exact code layout it was saved from; unsafe to load from others |
#
# A `state_dict` is an ordered dictionary from each parameter's name to its tensor
# (and, in models that have them, buffers such as batch normalisation's running
# statistics, which it updates during training; section 5 of notebook 09 explains
# them): numbers only, no code.

# %%
state_dict = model_2.state_dict()
for name, tensor in state_dict.items():
    print(f"{name:<22} {tuple(tensor.shape)}")
print(f"{sum(t.numel() for t in state_dict.values())} numbers in total")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Saving the state_dict
#
# Trained models go in the course's top-level `models/` folder, beside the saved
# course models, under a name of their own. We build the path with `pathlib`,
# relative to this notebook's folder so it prints the same on every machine, and
# create the folder if it does not exist yet.
#
# > **Note:** PyTorch files conventionally end in `.pt` or `.pth`.

# %%
MODEL_PATH = Path(os.path.relpath(find_course_root() / "models"))
MODEL_PATH.mkdir(parents=True, exist_ok=True)

MODEL_SAVE_PATH = MODEL_PATH / "fashion_mnist_tinyvgg.pth"
print(f"Saving the model's state_dict to: {MODEL_SAVE_PATH.as_posix()}")
torch.save(obj=model_2.state_dict(), f=MODEL_SAVE_PATH)
print(f"File size: {MODEL_SAVE_PATH.stat().st_size / 1024:.0f} KB")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Loading it into a fresh model
#
# A `state_dict` is only numbers, so first we need a model of the same
# architecture to pour them into: a new `FashionMNISTModelV2` with the same
# arguments. Its weights start out random; `load_state_dict` replaces them.
#
# Two arguments of `torch.load` deserve attention:
#
# - **`weights_only=True`** allows only tensors and plain containers in the file
#   (section 6 shows why);
# - **`map_location=device`** puts every tensor straight onto `device`. A file saved
#   from a GPU stores its tensors as CUDA tensors; without `map_location`, loading
#   it on a machine without a GPU fails. With it, the same file loads anywhere.

# %%
loaded_model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)
loaded_state_dict = torch.load(f=MODEL_SAVE_PATH, weights_only=True, map_location=device)
print(loaded_model_2.load_state_dict(loaded_state_dict))
loaded_model_2 = loaded_model_2.to(device)
print(f"Loaded tensors are on: {next(iter(loaded_state_dict.values())).device.type}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# `<All keys matched successfully>` means that every parameter of the fresh model
# found a tensor of the same name in the file, and the file held nothing else.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Does the loaded model predict the same?
#
# A quick check compares the test loss and accuracy of both models with
# `eval_model`. Equal scores are reassuring, but two different models could score
# the same. The real test is whether the loaded model makes *the same prediction
# for every test image*.

# %%
test_loader = DataLoader(test_data, batch_size=1000, shuffle=False)
loss_fn = nn.CrossEntropyLoss()

original_results = eval_model(model_2, test_loader, loss_fn, accuracy_fn, device)
loaded_results = eval_model(loaded_model_2, test_loader, loss_fn, accuracy_fn, device)
print(f"original: loss {original_results['model_loss']:.5f}, accuracy {original_results['model_acc']:.2f}%")
print(f"loaded:   loss {loaded_results['model_loss']:.5f}, accuracy {loaded_results['model_acc']:.2f}%")


# %%
def all_logits(model: nn.Module) -> torch.Tensor:
    """The model's logits for every test image, in order, on the CPU."""
    model.eval()
    with torch.inference_mode():
        return torch.cat([model(X.to(device)).cpu() for X, _ in test_loader])


original_logits, loaded_logits = all_logits(model_2), all_logits(loaded_model_2)
same_labels = torch.equal(original_logits.argmax(dim=1), loaded_logits.argmax(dim=1))
print(f"Predictions for {len(original_logits)} test images: {tuple(original_logits.shape)} logits each way")
print(f"Same predicted label for every image: {same_labels}")
print(f"Identical logits, bit for bit: {torch.equal(original_logits, loaded_logits)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Same weights, same inputs, same device: the outputs are identical, not merely
# close. (Both models score 88.07%, the test accuracy notebook 06 reported.)
#
# > **Note:** On a *different* device (say, saved on a GPU and loaded on a CPU)
# > the predicted labels almost always agree, but the logits can differ in the last
# > decimal places, because the two devices add numbers in different orders. Compare
# > with `torch.allclose` then.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Why weights_only=True matters
#
# A `.pth` file is a zip archive holding a [pickle](https://docs.python.org/3/library/pickle.html),
# Python's format for saving objects. Unpickling can *call functions*: a pickle
# may say "to rebuild this object, call this function with these arguments". So a
# malicious checkpoint can run any code on your computer the moment you load it,
# for example deleting files or stealing passwords.
#
# `weights_only=True` (the default since PyTorch 2.6, but write it anyway: older
# versions, which you will still meet, default to `False`) restricts unpickling to
# tensors, numbers, strings and plain containers. Let's build a harmless "malicious"
# file whose only payload is a call to `print`:


# %%
class Payload:
    """Unpickling this object calls print(...): a stand-in for any code at all."""

    def __reduce__(self):
        return (print, ("If you can read this, loading the file ran code!",))


EVIL_PATH = MODEL_PATH / "untrusted_checkpoint.pth"
torch.save({"block_1.0.weight": Payload()}, EVIL_PATH)

try:
    torch.load(EVIL_PATH, weights_only=True, map_location=device)
except pickle.UnpicklingError as error:
    print(f"weights_only=True refused to load the file ({type(error).__name__}); nothing ran.")
EVIL_PATH.unlink()

# %% [markdown] slideshow={"slide_type": "subslide"}
# With `weights_only=False`, loading would have run the payload and printed its
# line ("If you can read this, ..."), and a real attacker would not be that polite.
#
# > **Note:** Only load a checkpoint with `weights_only=False` (for example a whole
# > pickled model) if you made it yourself or fully trust where it came from. Saving
# > `state_dict`s avoids the question, because they load with `weights_only=True`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Classifying your own image
#
# Now let's put the loaded TinyVGG to work: a function that classifies any image
# file, a photo from your phone for example.
#
# The model takes only what it learned from: a `[1, 1, 28, 28]` tensor (batch,
# channel, height, width) of values from 0 to 1, a light garment on black. So the
# function:
#
# 1. opens the file with PIL and converts it to grayscale (`"L"`: one channel,
#    0 to 255);
# 2. inverts it (255 minus each pixel) if its background is light, as in most
#    photos. The border is mostly background, so we invert when the border is
#    brighter than the whole picture on average; `invert=True` or `invert=False`
#    overrides the guess;
# 3. pads it to a square with black, the FashionMNIST background, and shrinks it
#    to 28x28 (`ImageOps.pad` does both): stretching would squash the garment, and
#    cropping could cut part of it off;
# 4. scales it to [0, 1] with `ToTensor`, which adds the channel dimension, and
#    adds the batch dimension with `unsqueeze(0)`.

# %%
import tempfile

import matplotlib.pyplot as plt
from matplotlib import cbook
from PIL import Image, ImageOps, UnidentifiedImageError

class_names = test_data.classes


def image_file_to_input(path: str | Path, invert: bool | None = None) -> tuple[torch.Tensor, bool]:
    """Turn an image file into TinyVGG's input, a [1, 1, 28, 28] tensor in [0, 1].

    invert=None decides from the border's brightness. Returns the input and whether it was inverted."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file at {path}: check the path (in Colab, upload the file first).")
    try:
        with Image.open(path) as image:
            gray = ImageOps.exif_transpose(image).convert("L")  # upright: phones store the rotation apart
    except UnidentifiedImageError:
        raise ValueError(f"{path} is not an image file PIL can read: give a photo, e.g. a .jpg or .png file.") from None
    pixels = ToTensor()(gray)[0]  # [height, width], values 0-1
    border = torch.cat([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if invert is None:
        invert = bool(border.mean() > pixels.mean())
    if invert:
        gray = ImageOps.invert(gray)
    small = ImageOps.pad(gray, size=(28, 28), color=0)  # longer side to 28, black around it
    return ToTensor()(small).unsqueeze(0), invert


# %% [markdown] slideshow={"slide_type": "subslide"}
# Predicting is then what notebook 06 did for test images: the model in evaluation
# mode, `torch.inference_mode()`, and softmax to turn the ten logits into
# probabilities that add up to 1.


# %%
def predict_image_file(
    path: str | Path, model: nn.Module, class_names: list[str], device: str, invert: bool | None = None
) -> tuple[str, torch.Tensor]:
    """Classify one image file; return the predicted class and the ten probabilities (on the CPU)."""
    model_input, _ = image_file_to_input(path, invert)
    model.eval()
    with torch.inference_mode():
        probabilities = torch.softmax(model(model_input.to(device)), dim=1)[0].cpu()
    return class_names[probabilities.argmax()], probabilities


# %% [markdown] slideshow={"slide_type": "subslide"}
# A wrong path, or a file that is not an image (here, the checkpoint we saved in
# section 3), gives an error that says what is wrong and what to do:

# %%
for wrong_path in [Path("my_photo.jpg"), MODEL_SAVE_PATH]:
    try:
        predict_image_file(wrong_path, loaded_model_2, class_names, device)
    except (FileNotFoundError, ValueError) as error:
        print(f"{type(error).__name__}: {error}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# To see what happens, `show_prediction` prints the top three classes and plots
# the file, the 28x28 input the model receives, and the ten probabilities.


# %%
def show_prediction(path: str | Path, title: str, model: nn.Module) -> None:
    """Print the model's top three classes for an image file, and plot its prediction."""
    label, probabilities = predict_image_file(path, model, class_names, device)
    model_input, inverted = image_file_to_input(path)  # the same steps again, to show the input
    top = probabilities.topk(3)
    print(f"{title} -> " + ", ".join(f"{class_names[i]} {p:.3f}" for p, i in zip(*top)) + f" (inverted: {inverted})")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), width_ratios=[1, 1.2, 1.5], layout="constrained")
    with Image.open(path) as opened:
        original = ImageOps.exif_transpose(opened)  # upright, as the model gets it
        axes[0].imshow(original, cmap="gray", vmin=0, vmax=255)
        axes[0].set_title(f"{title}: {original.width}x{original.height} pixels")
    shown = axes[1].imshow(model_input[0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
    fig.colorbar(shown, ax=axes[1], label="pixel value")
    axes[1].set_title("What the model sees: 28x28" + (", inverted" if inverted else ""))
    axes[2].barh(class_names, probabilities.numpy(), color=["tab:orange" if c == label else "tab:blue" for c in class_names])
    axes[2].invert_yaxis()  # first class at the top
    axes[2].set(xlim=(0, 1), xlabel="probability", ylabel="class", title=f"Prediction: {label}")
    for ax in axes[:2]:
        ax.axis("off")
    plt.show()


# %% [markdown] slideshow={"slide_type": "subslide"}
# Our first real photo: the portrait of Grace Hopper in uniform that ships with
# matplotlib (notebook 00 turned it into a tensor).

# %%
photo_path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)  # the file's path
# Your own image: photo_path = "my_photo.jpg" (in Colab, upload it first with the folder icon on the left)
show_prediction(photo_path, "Grace Hopper", loaded_model_2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Shirt**, with a probability of only 0.346, ahead of **Trouser** (0.232) and
# **T-shirt/top** (0.217): the model spreads its bets. The middle panel
# shows why no answer can be right: a face, a cap and a flag, gray on gray, nothing
# like a garment. (It was not inverted: its border, flag, sky and dark uniform, is
# slightly darker than the picture on average.) A portrait is none of the ten
# classes, yet the model must pick one.
#
# What if we show it only the clothes? We crop the jacket from the shoulders down,
# save the crop in a temporary folder and classify that file.

# %%
with tempfile.TemporaryDirectory() as folder:
    with Image.open(photo_path) as photo:
        jacket = photo.crop((0, 300, 512, 600))  # (left, top, right, bottom)
    jacket_path = Path(folder) / "jacket.png"
    jacket.save(jacket_path)
    show_prediction(jacket_path, "The jacket", loaded_model_2)

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Bag** with probability 1.000 (rounded to three decimals), and wrong. The border (flag, sky and collar) is
# brighter than the dark jacket, so the crop was inverted: light on dark, as in
# FashionMNIST. But padding the wide crop to a square added black bands above and
# below, and a wide, light, boxy shape on black is what a FashionMNIST bag
# typically looks like.
#
# For contrast, a file that does look like the training data: the first coat of
# the test set, saved as a PNG file.

# %%
with tempfile.TemporaryDirectory() as folder:
    coat_index = test_data.targets.tolist().index(class_names.index("Coat"))
    coat_path = Path(folder) / "test_coat.png"
    Image.fromarray(test_data.data[coat_index].numpy()).save(coat_path)
    show_prediction(coat_path, f"Test image {coat_index}", loaded_model_2)
    print(f"Same input as the test set's tensor: {torch.equal(image_file_to_input(coat_path)[0][0], test_data[coat_index][0])}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Coat** with probability 0.939, from exactly the test set's tensor (`True`
# above). So the function works; the photos are the problem. This is
# **distribution shift**: the images we ask about differ from those the model
# learned from.
#
# - The model has only ever seen FashionMNIST: one centred garment, light on
#   black. It has never seen a face, a flag or a background.
# - Softmax always shares all of the probability among the ten classes, however
#   unlike clothing the input is: there is no "none of these" answer.
# - So a high probability is no proof: the jacket got 1.000, more than the real
#   coat's 0.939.
#
# **Try your own image:** set `photo_path` in the portrait's cell to your file and
# run that cell again (in Colab, upload the file first). One garment on a plain
# background, filling the picture, has the best chance. To do better on photos,
# see [where next](#Going-deeper-(optional):-where-next).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Save a model's `state_dict` (`torch.save(model.state_dict(), path)`), not the
#   whole object; load it into a fresh model of the same class with
#   `model.load_state_dict(torch.load(path, weights_only=True, map_location=device))`.
# - `map_location` lets a file saved on a GPU load on a CPU.
# - Check a loaded model by comparing its predictions with the original's on the
#   whole test set, not only its loss.
# - A checkpoint is a pickle and loading one can run code: always pass
#   `weights_only=True`, and never load untrusted files without it.
# - To classify your own image file, turn it into what the model learned from
#   (grayscale, light on black, 28x28, values 0 to 1, a batch dimension).
# - On images unlike its training data (distribution shift) the model still picks
#   one of its ten classes, sometimes almost certain: confidence is no proof.
#
# ### Extra-curriculum
#
# - Read PyTorch's tutorial [Saving and loading models](https://pytorch.org/tutorials/beginner/saving_loading_models.html),
#   including how to save a checkpoint that also holds the optimizer's state to
#   resume training.
# - Find out what makes `os.replace` atomic within one file system, and what it does
#   when the target is on another disk.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): safer helpers: save_model and load_model
#
# This section is about robust files, not about vision: skip it on a first
# reading.
#
# Plain `torch.save` and `torch.load` have two weak spots:
#
# - **An interrupted save** (full disk, a crash, Ctrl+C, a Colab session that times
#   out) leaves a truncated file at the final path, and the good model that was
#   there before is gone.
# - **A file that does not load** fails with an error that does not say which file
#   it came from, deep inside the zip or pickle reader when the file is truncated.
#   And with `weights_only=False` (the default before PyTorch 2.6), loading runs
#   whatever the file contains.
#
# `helper_functions.py` has two small functions that deal with both:
#
# - `save_model(model, path)` writes the `state_dict` to a temporary file in the same
#   folder, makes sure it is on disk, and only then renames it to `path`. A rename
#   within a folder is atomic: anyone reading `path` sees the old file or the new
#   one, never half of one. If the save fails, the temporary file is removed and
#   `path` is untouched.
# - `load_model(model, path, device)` loads with `weights_only=True` and
#   `map_location=device`, then checks the file against the model, and raises an
#   error naming the file and what does not match.

# %%
from helper_functions import CheckpointError, load_model, save_model

saved_path = save_model(model_2, MODEL_SAVE_PATH)
fresh_model = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)
fresh_model = load_model(fresh_model, saved_path, device=device)
print(f"Loaded {saved_path.name}; same logits as the original: {torch.equal(all_logits(fresh_model), original_logits)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now three files that do *not* load. First, a path with no file:

# %%
try:
    load_model(FashionMNISTModelV2(1, 10, 10), MODEL_PATH / "no_such_model.pth", device=device)
except FileNotFoundError as error:
    print(f"FileNotFoundError: {error}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Second, a truncated file, as a plain `torch.save` interrupted halfway would
# leave:

# %%
TRUNCATED_PATH = MODEL_PATH / "truncated_demo.pth"
TRUNCATED_PATH.write_bytes(MODEL_SAVE_PATH.read_bytes()[:20_000])
try:
    load_model(FashionMNISTModelV2(1, 10, 10), TRUNCATED_PATH, device=device)
except CheckpointError as error:
    print(f"CheckpointError: {error}")
TRUNCATED_PATH.unlink()

# %% [markdown] slideshow={"slide_type": "subslide"}
# Third, the right file for the wrong model: TinyVGG's weights loaded into the
# baseline `FashionMNISTModelV0`. Plain `load_state_dict` already says what does not
# fit: the parameters the model expected but the file lacks ("missing"), and those
# the file has but the model does not ("unexpected"):

# %%
try:
    FashionMNISTModelV0(784, 10, 10).load_state_dict(torch.load(MODEL_SAVE_PATH, weights_only=True, map_location=device))
except RuntimeError as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# `load_model` says the same, in one line, and adds the file it read: when a
# notebook loads several checkpoints, you know at once which one is wrong.

# %%
try:
    load_model(FashionMNISTModelV0(784, 10, 10), MODEL_SAVE_PATH, device=device)
except CheckpointError as error:
    print(f"CheckpointError: {error}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# And the same architecture with a different size (20 hidden units instead of 10)
# names each tensor whose shape differs:

# %%
try:
    load_model(FashionMNISTModelV2(input_shape=1, hidden_units=20, output_shape=10), MODEL_SAVE_PATH, device=device)
except CheckpointError as error:
    print(f"CheckpointError: {error}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Tip:** `load_or_train_course_model`, used at the top of this notebook, is
# > built from these helpers: it tries `load_model` on `models/model_2.pth`, then on
# > the copy that comes with the course, and if neither loads, trains the model again
# > and saves it with `save_model`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): where next
#
# Read this if you want a model that does better than one trained from scratch,
# especially on real photos.
#
# TinyVGG learned everything it knows from FashionMNIST's small gray images. The
# usual way to classify real photos well is **transfer learning**: start from a
# large model that someone already trained on over a million photos (ImageNet),
# replace its last layer with one for your own classes, and train that.
#
# torchvision ships many such pretrained models. Each set of weights comes with a
# description: its classes and the preprocessing its inputs need. Reading that
# description downloads nothing.

# %%
from torchvision.models import get_model_weights, resnet18

weights = get_model_weights("resnet18").DEFAULT  # a description only: no download
print(f"Weights: {weights}, trained on {len(weights.meta['categories'])} ImageNet classes, e.g. {weights.meta['categories'][:3]}")
preprocess = weights.transforms()
print(preprocess)

# %% [markdown] slideshow={"slide_type": "subslide"}
# So a pretrained ResNet-18 expects colour photos (3 channels), with the shorter
# side resized to 256 pixels, cropped to 224x224 in the centre, and normalised
# channel by channel with ImageNet's mean and standard deviation.
#
# Mind the crop: it keeps the middle 224 of the 256 pixels, so a band of 16 pixels
# is lost on every side. On a photo with room around its subject that does little
# harm, but a FashionMNIST garment often fills its frame, and the crop cuts off its
# edges: the ends of sleeves, a hem, the toe of a shoe. For these images you may
# prefer to resize straight to 224 and skip the crop.
#
# FashionMNIST gives 28x28 grayscale images in [0, 1]. To bridge the gap we repeat
# the gray channel three times and let the transform do the rest:

# %%
image = test_data[0][0]
imagenet_style = preprocess(image.repeat(3, 1, 1))  # gray -> 3 identical channels
print(f"FashionMNIST image: {tuple(image.shape)}, values {image.min():.1f} to {image.max():.1f}")
print(f"After preprocess:   {tuple(imagenet_style.shape)}, values {imagenet_style.min():.2f} to {imagenet_style.max():.2f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The model's last layer, `fc`, maps 512 features to ImageNet's 1000 classes. For
# FashionMNIST we replace it with a new `nn.Linear` with 10 outputs. Here we build
# ResNet-18 with `weights=None` (random weights, nothing to download) just to see
# the shapes; for real transfer learning you would pass `weights=weights`, which
# downloads the trained weights the first time.

# %%
torch.manual_seed(42)
resnet = resnet18(weights=None)
print(f"Original head: {resnet.fc}")
resnet.fc = nn.Linear(resnet.fc.in_features, len(class_names))
print(f"New head:      {resnet.fc}")
print(f"Parameters: ResNet-18 {sum(p.numel() for p in resnet.parameters()):,}, TinyVGG {sum(p.numel() for p in loaded_model_2.parameters()):,}")

resnet.eval()
with torch.inference_mode():
    print(f"Output for one image: {tuple(resnet(imagenet_style.unsqueeze(0)).shape)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# With pretrained weights, a common recipe is to freeze everything but the new head
# (`requires_grad_(False)` on the other parameters, and the frozen BatchNorm layers
# kept in `eval()` mode, or training updates their running statistics: section 5 of
# notebook 09 shows both modes), train it for a few epochs with the `train` function
# from notebook 03, and then, if you like, unfreeze the rest and train it all with
# a small learning rate. Two things change from this course: the conversion above
# goes into the datasets' `transform`, so every image arrives as a 3x224x224 tensor,
# and each image then costs over a thousand times TinyVGG's arithmetic: a job for a
# GPU, not a laptop CPU.
#
# - PyTorch's tutorial [Transfer learning for computer vision](https://pytorch.org/tutorials/beginner/transfer_learning_tutorial.html)
#   walks through both ways on a small dataset of ants and bees.
# - torchvision's [models page](https://pytorch.org/vision/stable/models.html) lists
#   every pretrained model with its accuracy, size and speed.
