# %% [markdown] slideshow={"slide_type": "slide"}
# # 05. Model 2: a convolutional neural network (TinyVGG)
#
# Models 0 and 1 flattened every image into 784 separate numbers, throwing away
# which pixel sits next to which. A **convolutional neural network** (CNN) keeps
# the picture as a picture: it slides small filters over it and learns which local
# patterns (edges, corners, textures) matter.
#
# We build **TinyVGG**, the small CNN that the
# [CNN Explainer](https://poloclub.github.io/cnn-explainer/) website takes apart
# layer by layer, one layer type at a time, and train it with the course's recipe.
#
# > **Note:** Train it on your own computer and the accuracy may land a fraction of a
# > point away from the one printed here: how a processor rounds a long sum depends on
# > its vector instructions and thread count, and thousands of training steps compound
# > those tiny differences.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/05_model_2_tinyvgg.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/05_model_2_tinyvgg.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F05_model_2_tinyvgg.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/05_model_2_tinyvgg.ipynb)

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
# 1. [Setup and data](#1.-Setup-and-data)
# 2. [The TinyVGG architecture](#2.-The-TinyVGG-architecture)
# 3. [Stepping through nn.Conv2d](#3.-Stepping-through-nn.Conv2d)
# 4. [Stepping through nn.MaxPool2d](#4.-Stepping-through-nn.MaxPool2d)
# 5. [Building Model 2](#5.-Building-Model-2)
# 6. [Finding the classifier's in_features](#6.-Finding-the-classifier's-in_features)
# 7. [Training Model 2](#7.-Training-Model-2)
# 8. [Evaluating and saving Model 2](#8.-Evaluating-and-saving-Model-2)
# 9. [Summary](#Summary)
#
# **Going deeper (optional):** [one convolution by hand](#Going-deeper-(optional):-one-convolution-by-hand)
# · [a kernel that learns to find edges](#Going-deeper-(optional):-a-kernel-that-learns-to-find-edges)
# · [inside the trained TinyVGG](#Going-deeper-(optional):-inside-the-trained-TinyVGG)
# · [channels-last memory layout](#Going-deeper-(optional):-channels-last-memory-layout)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Setup and data
#
# Device-agnostic code and the DataLoaders of notebook 03: the same 55,000 training
# and 5,000 validation images, batches of 32, the training batches shuffled by their
# own generator seeded with 42. We load the test images too, only to show the first
# one: no model is evaluated on them here.

# %%
from timeit import default_timer as timer

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

from helper_functions import (
    accuracy_fn,
    eval_model,
    plot_loss_curves,
    prepare_fashion_mnist,
    print_train_time,
    set_seeds,
    split_train_validation,
    train,
)

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using device: {device}")

data_root = prepare_fashion_mnist()
full_train_data = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
train_data, val_data = split_train_validation(full_train_data)  # 55,000 and 5,000, seed 42
# The test set: only its first image is used, as a picture; no model is evaluated on it here
test_data = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())
class_names = full_train_data.classes

BATCH_SIZE = 32
train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True, generator=torch.Generator().manual_seed(42))
val_loader = DataLoader(val_data, batch_size=BATCH_SIZE, shuffle=False)
print(f"{len(train_loader):,} training batches, {len(val_loader)} validation batches of up to {BATCH_SIZE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. The TinyVGG architecture
#
# TinyVGG follows the classic pattern of convolutional networks:
#
# `input -> [convolution -> ReLU -> convolution -> ReLU -> max pooling] x 2 -> flatten -> linear -> output`
#
# | Part | What it does | Shape of one image after it |
# |---|---|---|
# | input | a grayscale image | `[1, 28, 28]` |
# | block 1 | two 3x3 convolutions with ReLU, then 2x2 max pooling | `[10, 14, 14]` |
# | block 2 | the same again | `[10, 7, 7]` |
# | classifier | flatten, then one linear layer | `[10]`: one logit per class |
#
# The **convolutions** find patterns; each of their 10 output channels (feature
# maps) answers "where in the image is my pattern?". The **pooling** layers keep the
# strongest response in each 2x2 area, halving the height and width. The
# **classifier** turns the final feature maps into class scores.


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Stepping through `nn.Conv2d`
#
# Before building the model, let's look at each new layer on its own. We use toy
# data shaped like the images on CNN Explainer: a batch of 32 colour images of
# 64x64 pixels, filled with random numbers. (The "2d" in `Conv2d` means the filter
# slides in two dimensions, height and width; `Conv1d` and `Conv3d` exist for
# sequences and volumes.)

# %%
set_seeds(42)
toy_images = torch.randn(size=(32, 3, 64, 64))  # [batch_size, colour_channels, height, width]
toy_image = toy_images[0]
print(f"Batch of images: {toy_images.shape} -> [batch_size, colour_channels, height, width]")
print(f"One image:       {toy_image.shape} -> [colour_channels, height, width]")

# %% [markdown] slideshow={"slide_type": "subslide"}
# `nn.Conv2d` takes:
#
# - `in_channels`: the colour channels (or feature maps) coming in: 3 here.
# - `out_channels`: how many filters, so how many feature maps come out.
# - `kernel_size`: the height and width of each filter (3 means 3x3).
# - `stride`: how many pixels the filter moves per step (default 1).
# - `padding`: how many pixels of zeros are added around the border (default 0).

# %%
set_seeds(42)
conv_layer = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=3, stride=1, padding=0)
print(f"Batch in:  {toy_images.shape}")
print(f"Batch out: {conv_layer(toy_images).shape}")

# %% [markdown]
# Ten feature maps per image, as we asked. But 62x62, not 64x64: a 3x3 filter
# that must stay inside the image fits in only 62 positions along each side.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Kernel size, stride and padding
#
# Along each side, the output size is
#
# $$\text{out} = \left\lfloor \frac{\text{in} + 2 \cdot \text{padding} - \text{kernel\_size}}{\text{stride}} \right\rfloor + 1$$
#
# Let's check the formula against real layers:

# %%
for kernel_size, stride, padding in [(3, 1, 0), (3, 1, 1), (5, 1, 0), (5, 1, 2), (3, 2, 1), (5, 2, 0)]:
    layer = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=kernel_size, stride=stride, padding=padding)
    side = layer(toy_images[:1]).shape[-1]
    formula = (64 + 2 * padding - kernel_size) // stride + 1
    print(f"kernel_size={kernel_size}, stride={stride}, padding={padding}: 64x64 -> {side}x{side} (formula: {formula})")

# %% [markdown]
# - **Kernel size** shrinks the output by `kernel_size - 1` pixels (at stride 1, without padding).
# - **Padding** of `(kernel_size - 1) / 2` (1 for a 3x3 kernel) keeps the size at
#   stride 1, which is what `padding="same"` computes. The course's TinyVGG passes
#   `padding=1`; CNN Explainer's
#   original uses no padding, so there every convolution shrinks the maps by 2.
# - **Stride 2** roughly halves each side: the filter skips every other position.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A single image needs a batch dimension
#
# Layers are written for batches `[N, C, H, W]`. Given one image `[C, H, W]`,
# `nn.Conv2d` guesses that you meant one unbatched image and returns `[10, 62, 62]`:

# %%
print(f"Unbatched image in: {toy_image.shape} -> out: {conv_layer(toy_image).shape}")

# %% [markdown]
# That guess does not carry through a whole model. `nn.Flatten()` keeps the first
# dimension, because it expects it to be the batch; without a batch, it would keep
# the 10 feature maps apart and the classifier would get the wrong shape. Add the
# batch dimension yourself with `unsqueeze(dim=0)`, and everything downstream sees
# the shape it expects:

# %%
print(f"With a batch dimension: {toy_image.unsqueeze(dim=0).shape} -> "
      f"out: {conv_layer(toy_image.unsqueeze(dim=0)).shape}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What's inside a convolutional layer
#
# Like a linear layer, a convolutional layer has a **weight** and a **bias**, both
# learned. Take a layer with 5x5 filters and stride 2:

# %%
set_seeds(42)
conv_layer_2 = nn.Conv2d(in_channels=3, out_channels=10, kernel_size=(5, 5), stride=2, padding=0)
print(f"Output shape: {conv_layer_2(toy_image.unsqueeze(dim=0)).shape}")
print(f"Weight shape: {conv_layer_2.weight.shape} -> [out_channels, in_channels, kernel_height, kernel_width]")
print(f"Bias shape:   {conv_layer_2.bias.shape} -> [out_channels]")
print(f"Parameters:   {sum(p.numel() for p in conv_layer_2.parameters())} = 10 * 3 * 5 * 5 + 10")

# %% [markdown]
# Each of the 10 filters has one 5x5 grid of weights **per input channel**, and one
# bias, all random at first, like every freshly created layer. Training turns them
# into useful pattern detectors.
#
# A filter does not give one output per input channel. At each position, it
# multiplies each input channel's window by that channel's kernel, adds up the
# products over **all** input channels, and adds its one bias: one output value.
# So each of TinyVGG's three `nn.Conv2d(in_channels=10, out_channels=10, kernel_size=3)`
# layers has 10 x 10 x 3 x 3 = 900 weights plus 10 biases, 910 parameters, as
# section 5 prints. The optional section [one convolution by hand](#Going-deeper-(optional):-one-convolution-by-hand)
# at the end works out single outputs of such a layer, a sum over three
# colour channels included.

# %% [markdown]
# > **Question:** what values should kernel size, stride and padding have? They are
# > **hyperparameters**: you choose them. Experiment, or, as we do here, start from
# > an architecture that is known to work on a similar problem.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Stepping through `nn.MaxPool2d`
#
# Max pooling slides a window over each feature map and keeps only the largest
# value in it. It has no weights. With `kernel_size=2` the window is 2x2 and, by
# default, moves 2 pixels at a time, so the height and width are halved. A small
# example makes it concrete:

# %%
grid = torch.tensor([[1.0, 3.0, 2.0, 0.0],
                     [5.0, 4.0, 1.0, 1.0],
                     [0.0, 2.0, 9.0, 7.0],
                     [3.0, 1.0, 6.0, 8.0]]).reshape(1, 1, 4, 4)
max_pool_layer = nn.MaxPool2d(kernel_size=2)
print(f"Input, {grid.shape}:\n{grid[0, 0]}")
print(f"After max pooling, {max_pool_layer(grid).shape}:\n{max_pool_layer(grid)[0, 0]}")

# %% [markdown]
# Each output value is the maximum of one 2x2 corner of the input: 5 (top left),
# 2 (top right), 3 (bottom left) and 9 (bottom right). On one toy image after our
# convolution:

# %%
conv_output = conv_layer(toy_image.unsqueeze(dim=0))
print(f"After conv_layer:   {conv_output.shape}")
print(f"After max pooling:  {max_pool_layer(conv_output).shape}")

# %% [markdown]
# Pooling compresses the feature maps: the strongest responses survive, three
# quarters of the numbers do not. Every later layer then has less to process, and
# each of its filters covers a larger part of the original image.
# (Average pooling, which keeps each window's mean instead, is set beside max pooling
# in [one convolution by hand](#Going-deeper-(optional):-one-convolution-by-hand).)
#
# What does that do to a picture? TinyVGG pools twice. Here is the first test image
# as it is, pooled once and pooled twice:

# %%
test_image, test_label = test_data[0]  # [1, 28, 28]
pooled_once = max_pool_layer(test_image)  # [1, 14, 14]
pooled_twice = max_pool_layer(pooled_once)  # [1, 7, 7]

fig, axes = plt.subplots(1, 3, figsize=(9, 3.4))
for ax, picture in zip(axes, (test_image, pooled_once, pooled_twice)):
    ax.imshow(picture.squeeze().numpy(), cmap="gray")
    ax.set_title(f"{picture.shape[1]}x{picture.shape[2]}")
    ax.axis("off")
fig.suptitle(f"Max pooling, twice: {class_names[test_label]}")
plt.show()

# %% [markdown]
# At 14x14 the garment is still easy to recognise; at 7x7 only its rough shape and
# its brightest parts are left. TinyVGG does not pool the picture itself, though: it
# pools the feature maps its convolutions compute, so what survives is where each
# learned pattern responded most strongly.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Building Model 2
#
# Now the whole TinyVGG, for our 28x28 grayscale images: `input_shape=1` colour
# channel, `hidden_units=10` filters in every convolution, `output_shape=10` classes.
# Every convolution uses 3x3 kernels with padding 1, so only the pooling layers
# change the height and width.

# %%
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


# %% [markdown]
# > **Note:** `FashionMNISTModelV2` now lives in `helper_functions.py`, exactly as
# > written above. From here on we import it from there:

# %%
from helper_functions import FashionMNISTModelV2

set_seeds(42)
model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=len(class_names))
model_2

# %% [markdown]
# Remember the batch dimension from section 3? Here is what happens without it.
# One image, `[1, 28, 28]`, goes through both blocks as an unbatched image and
# leaves as `[10, 7, 7]`; `nn.Flatten()` then treats the 10 feature maps as 10
# samples of 49 numbers, and the linear layer, which wants 490, refuses:

# %%
one_image = full_train_data[0][0]
try:
    model_2(one_image)
except RuntimeError as error:
    print(f"{tuple(one_image.shape)}: RuntimeError: {error}")
print(f"{tuple(one_image.unsqueeze(dim=0).shape)}: logits of shape {tuple(model_2(one_image.unsqueeze(dim=0)).shape)}")

# %% [markdown]
# Our biggest model yet in layers, but not in parameters:

# %%
for name, param in model_2.named_parameters():
    print(f"{name:<22} {str(list(param.shape)):<16} {param.numel():>5}")
print(f"Total: {sum(p.numel() for p in model_2.parameters())} parameters (Model 0 has 7960)")

# %% [markdown]
# The classifier holds most of them. The convolutions need few weights because
# every filter is reused at every position of the image; that is also why they
# cost much more **computation** than their parameter count suggests.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Finding the classifier's `in_features`
#
# The classifier's linear layer needs to know how many numbers arrive per image,
# `in_features`. Where does `hidden_units * 7 * 7` come from? Rather than guess,
# send one dummy image (with its batch dimension) through the layers and print the
# shape after each:

# %%
x = torch.zeros(1, 1, 28, 28)  # one image: [batch_size, colour_channels, height, width]
print(f"{'input':<28} {x.shape}")
for block_name in ("block_1", "block_2", "classifier"):
    for layer in getattr(model_2, block_name):
        x = layer(x)
        print(f"{block_name + ': ' + layer.__class__.__name__:<28} {x.shape}")

# %% [markdown]
# The two pooling layers take 28x28 to 14x14 to 7x7; the convolutions, with
# padding 1, keep the size. So 10 feature maps of 7x7 arrive at `nn.Flatten()`,
# which turns them into 10 x 7 x 7 = **490** numbers per image: `in_features` must
# be `hidden_units * 7 * 7`.
#
# A wrong guess fails at the first forward pass, with an error that names both
# shapes. Here, a classifier that expects 10 features:

# %%
wrong_classifier = nn.Sequential(nn.Flatten(), nn.Linear(in_features=10, out_features=10))
try:
    wrong_classifier(model_2.block_2(model_2.block_1(torch.zeros(1, 1, 28, 28))))
except RuntimeError as error:
    print(f"RuntimeError: {error}")

# %% [markdown]
# `mat1` is the data, 1 image of 490 features; `mat2` is the layer's weight as it
# is multiplied (transposed: 10 inputs x 10 outputs). 490 features met a layer
# built for 10. The first number you need, 490, is in the message.
#
# > **Tip:** the same shape trace finds bugs in any model: print `x.shape` after
# > each layer (or inside `forward`) until the shapes stop being what you expect.
# > PyTorch also has `nn.LazyLinear(out_features)`, which works out `in_features`
# > itself at the first forward pass.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Training Model 2
#
# The same training as Models 0 and 1: cross-entropy loss, SGD with learning rate
# 0.1, batches of 32, 3 epochs, `train` from notebook 03, the model seeded with 42.
# A convolutional network does far more arithmetic per image than the fully
# connected Models 0 and 1 (every input wired to every unit), so this takes a few
# minutes on a laptop CPU. A GPU is faster, though the DataLoader still spends time
# every epoch turning each image into a tensor.
#
# This is also exactly the recipe behind `load_or_train_course_model("model_2")`,
# so later notebooks that need Model 2 get this very model.

# %%
set_seeds(42)
model_2 = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=len(class_names)).to(device)

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(params=model_2.parameters(), lr=0.1)

train_time_start = timer()
model_2_history = train(
    model=model_2,
    train_loader=train_loader,
    val_loader=val_loader,
    loss_fn=loss_fn,
    optimizer=optimizer,
    accuracy_fn=accuracy_fn,
    epochs=3,
    device=device,
)
train_time_end = timer()
total_train_time_model_2 = print_train_time(start=train_time_start, end=train_time_end, device=device)

# %% [markdown]
# `train` returned the loss and accuracy of every epoch in `model_2_history`:

# %%
plot_loss_curves(model_2_history)
plt.show()

# %% [markdown]
# The first epoch does most of the work: after it, Model 2 already gets 85.74% of the
# validation images right. Epoch 2 adds little (86.26%), epoch 3 more (88.50%), and the
# validation loss falls by similar amounts in both: the model is still improving when
# training stops.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Evaluating and saving Model 2

# %%
model_2_results = eval_model(model=model_2, data_loader=val_loader, loss_fn=loss_fn, device=device)
model_2_results

# %% [markdown]
# Model 2 beats both fully connected models after the same three epochs: 88.50%
# validation accuracy against about 82% for Model 0 (notebook 02) and Model 1
# (notebook 04). A likely reason: its convolutions look at neighbouring pixels
# together instead of one long row of numbers; notebook 06 tests that when comparing
# the models. After a single epoch Model 2 was already ahead of where they ended.
#
# > **Note:** the original version of this course reports about 88% test accuracy for
# > this recipe, trained on all 60,000 training images. Runs that differ only in the
# > seed or in floating-point details (number of CPU threads, GPU or CPU) end a little
# > apart: the exact figure is partly luck, the gap to the fully connected models is
# > not. Try it: train again with `set_seeds(0)` instead of `set_seeds(42)`, and
# > compare.

# %% [markdown]
# We save Model 2 and its results in `models/`, next to Models 0 and 1 from
# notebooks 03 and 04, so the notebooks that follow can load it instead of training it again.

# %%
from cv_course.recipe import save_course_model

model_2_record = {**model_2_results, "train_time": total_train_time_model_2, "device": str(device), "epochs": 3}
saved_path = save_course_model("model_2", model_2, model_2_record)
print(f"Saved model_2 to models/{saved_path.name}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A **CNN** keeps images as images: convolutions learn local patterns, pooling
#   shrinks the feature maps, a linear classifier turns them into class scores.
# - `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding)`: each side
#   becomes `(in + 2*padding - kernel_size) // stride + 1`; the weight has shape
#   `[out_channels, in_channels, kernel_size, kernel_size]`, the bias `[out_channels]`.
# - `nn.MaxPool2d(kernel_size=2)` keeps the largest value of each 2x2 window,
#   halving height and width. It learns nothing.
# - Models expect a batch dimension: `image.unsqueeze(dim=0)` for a single image.
# - Find a linear layer's `in_features` by tracing a dummy image's shape through
#   the layers before it: for TinyVGG on 28x28 images, `hidden_units * 7 * 7`.
# - `FashionMNISTModelV2` now lives in `helper_functions.py`.
# - Model 2 and its results are saved in `models/`, ready for the notebooks that follow.
# - After 3 epochs Model 2 reaches about 88% validation accuracy, well ahead of the
#   fully connected models (about 82% in notebooks 02 and 04), at the cost of a much
#   longer training time.
#
# **Next:** notebook 06 compares the three models side by side and looks at their
# predictions.

# %% [markdown]
# ### Extra-curriculum
#
# - Explore TinyVGG on [CNN Explainer](https://poloclub.github.io/cnn-explainer/):
#   click a layer to see its filters at work.
# - Change `hidden_units` to 20 and find the new `in_features` with the shape trace
#   from section 6 before building the classifier.
# - What happens to the shapes with `kernel_size=5` and `padding=0` in every
#   convolution? Does the model still work on 28x28 images?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): one convolution by hand
#
# Read this if `nn.Conv2d` still feels like magic: we work out single outputs of a
# convolution with nothing but multiplications and additions, and check each one
# against PyTorch.
#
# ### One output pixel
#
# One output pixel of a convolution looks at one 3x3 window of the input. It
# multiplies each of the 9 pixels by the kernel weight lying on it, adds up the 9
# products and adds the bias. Our input is the first test image, the boot; our kernel
# is Sobel x from notebook 00's section on convolution kernels, which responds where
# the brightness rises from left to right. We place the window on the left edge of the
# boot's shaft and give the kernel a bias of -0.5 (in a layer, the bias is learned
# like the weights).

# %%
import torch.nn.functional as F
from matplotlib.patches import Rectangle

sobel_x = torch.tensor([[-1.0, 0.0, 1.0],
                        [-2.0, 0.0, 2.0],
                        [-1.0, 0.0, 1.0]])
bias = -0.5
row, col = 9, 14  # the window's top-left pixel
window = test_image[0, row:row + 3, col:col + 3]  # [3, 3]
products = window * sobel_x  # elementwise: 9 products
by_hand = products.sum() + bias

edge_map = F.conv2d(test_image.unsqueeze(0), sobel_x.view(1, 1, 3, 3), bias=torch.tensor([bias]))
print(f"Sum of the 9 products: {products.sum().item():.4f}, plus the bias {bias}: {by_hand.item():.4f}")
print(f"F.conv2d at output row {row}, column {col}: {edge_map[0, 0, row, col].item():.4f}"
      f"   (whole output: {tuple(edge_map.shape)})")

# %% [markdown]
# The same number both ways. Here are the window, the kernel and the 9 products
# (rounded to two decimals), with the window's place in the image:

# %%
def draw_numbers(ax, values, cmap, vmin, vmax, decimals=2):
    """An annotated heatmap: each cell coloured by its value, with the value written in it."""
    shown = ax.imshow(values.numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            shade = (values[i, j].item() - vmin) / (vmax - vmin)  # 0 to 1 along the colour map
            dark = shade < 0.5 if cmap == "gray" else abs(shade - 0.5) > 0.3
            ax.text(j, i, f"{values[i, j].item() + 0.0:.{decimals}f}", ha="center", va="center",
                    color="white" if dark else "black")  # + 0.0 prints -0.0 as 0.00
    return shown


fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
axes[0].imshow(test_image[0].numpy(), cmap="gray")
axes[0].add_patch(Rectangle((col - 0.5, row - 0.5), 3, 3, fill=False, edgecolor="red", linewidth=2))
axes[0].set_title("the window (red) in the image")
draw_numbers(axes[1], window, "gray", 0, 1)
axes[1].set_title("window: pixels")
draw_numbers(axes[2], sobel_x, "coolwarm", -2, 2, decimals=0)
axes[2].set_title("kernel: Sobel x")
draw_numbers(axes[3], products, "coolwarm", -2, 2)
axes[3].set_title("window x kernel, cell by cell")
for ax, first_row, first_col in ((axes[1], row, col), (axes[2], 0, 0), (axes[3], row, col)):
    ax.set_xticks(range(3), [first_col + j for j in range(3)])
    ax.set_yticks(range(3), [first_row + i for i in range(3)])
for ax in axes:
    ax.set_xlabel("column")
    ax.set_ylabel("row")
fig.tight_layout()
plt.show()

# %% [markdown]
# The kernel's middle column is 0, so the middle pixels do not count; its left column
# subtracts, its right column adds, the middle row twice. What is left is "right side
# minus left side": large where the picture gets brighter from left to right, as here,
# where the dark background meets the boot. Every one of the 26 x 26 outputs is this
# same computation with the window moved.
#
# ### Several input channels: one sum over all of them
#
# A colour image has 3 channels, so a kernel for it has one 3x3 grid of weights per
# channel: weight shape `[1, 3, 3, 3]` for a single filter. The output is still **one**
# number per position: each channel's multiply-and-sum with its own grid, added up over
# the 3 channels, plus one bias. We check it on a 32x32 crop of the photo of Grace
# Hopper (notebook 00's colour photo), over the rim of her glasses, with a seeded
# `nn.Conv2d(in_channels=3, out_channels=1, kernel_size=3)`.

# %%
from matplotlib import cbook
from PIL import Image

# asfileobj=False asks for the file's path, which every matplotlib version returns
with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as picture:
    photo = ToTensor()(picture.convert("RGB"))  # [3, 600, 512], values 0-1
crop = photo[:, 190:222, 180:212].unsqueeze(0)  # [1, 3, 32, 32]

set_seeds(42)
colour_conv = nn.Conv2d(in_channels=3, out_channels=1, kernel_size=3)
print(f"Weight {tuple(colour_conv.weight.shape)}, bias {tuple(colour_conv.bias.shape)}")

r, c = 10, 10  # one output position
with torch.inference_mode():
    weight, colour_bias = colour_conv.weight[0], colour_conv.bias.item()  # [3, 3, 3], a number
    per_channel = [(weight[channel] * crop[0, channel, r:r + 3, c:c + 3]).sum().item() for channel in range(3)]
    from_pytorch = F.conv2d(crop, colour_conv.weight, colour_conv.bias)
for name, value in zip(("red", "green", "blue"), per_channel):
    print(f"{name:<5} channel: multiply-and-sum {value:+.4f}")
print(f"Sum over the 3 channels {sum(per_channel):+.4f}, plus the bias {colour_bias:+.4f}: "
      f"{sum(per_channel) + colour_bias:+.4f}")
print(f"F.conv2d at row {r}, column {c}: {from_pytorch[0, 0, r, c].item():+.4f}   "
      f"(whole output: {tuple(from_pytorch.shape)})")

# %% [markdown]
# Three channels, three multiply-and-sums, **one** output. That is why each filter of
# TinyVGG's second convolution, which receives 10 feature maps, has 10 x 3 x 3 = 90
# weights and still makes a single feature map.
#
# ### Padding and stride, on a 5x5 grid
#
# Padding and stride only change *where* the window goes. We take a 5x5 input (a crop
# of the boot) and a 3x3 kernel, in four settings. First the output sizes, from
# `F.conv2d` and from the formula of section 3:

# %%
small = test_image[:, 10:15, 10:15].unsqueeze(0)  # [1, 1, 5, 5]
settings = [(0, 1), (1, 1), (0, 2), (1, 2)]  # (padding, stride)
for padding, stride in settings:
    side = F.conv2d(small, sobel_x.view(1, 1, 3, 3), padding=padding, stride=stride).shape[-1]
    formula = (5 + 2 * padding - 3) // stride + 1
    print(f"padding={padding}, stride={stride}: F.conv2d gives {side}x{side}; "
          f"formula (5 + 2*{padding} - 3) // {stride} + 1 = {formula}")

# %% [markdown]
# In the pictures, each blue dot is where the kernel's centre lands for one output
# pixel, so the dots count the outputs. The red square is the window of the first
# output, the dashed orange one the window of the next output to its right. Hatched
# cells are the zeros that padding adds around the input (rows and columns -1 and 5).

# %%
fig, axes = plt.subplots(1, 4, figsize=(14, 3.9))
for ax, (padding, stride) in zip(axes, settings):
    size = 5 + 2 * padding  # the side of the padded input
    out_side = (size - 3) // stride + 1
    for i in range(size):
        for j in range(size):
            inside = padding <= i < padding + 5 and padding <= j < padding + 5
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white" if inside else "lightgray",
                                   edgecolor="gray", hatch=None if inside else "//"))
    centres = [(stride * a + 1, stride * b + 1) for a in range(out_side) for b in range(out_side)]
    ax.scatter([x for _, x in centres], [y for y, _ in centres], color="tab:blue", zorder=3)
    ax.add_patch(Rectangle((-0.5, -0.5), 3, 3, fill=False, edgecolor="tab:red", linewidth=2.5))
    ax.add_patch(Rectangle((stride - 0.5, -0.5), 3, 3, fill=False, edgecolor="tab:orange",
                           linewidth=2, linestyle="--"))
    ax.set_xlim(-0.6, size - 0.4)
    ax.set_ylim(size - 0.4, -0.6)
    ax.set_xticks(range(size), [j - padding for j in range(size)])
    ax.set_yticks(range(size), [i - padding for i in range(size)])
    ax.set_xlabel("input column")
    ax.set_ylabel("input row")
    ax.set_title(f"padding={padding}, stride={stride}: {out_side}x{out_side} outputs")
fig.suptitle("Where a 3x3 kernel goes on a 5x5 input")
fig.tight_layout()
plt.show()

# %% [markdown]
# - **Padding 0, stride 1:** the window must stay inside the input, which leaves 3
#   positions per side: 3x3 outputs.
# - **Padding 1, stride 1:** the ring of zeros lets the kernel's centre visit every
#   input pixel: 5x5, the input's own size. This is TinyVGG's setting.
# - **Stride 2:** the window jumps 2 pixels, so neighbouring windows share one column
#   instead of two and only every other position is used: 2x2 without padding, 3x3
#   with.
#
# ### PyTorch's "convolution" does not flip the kernel
#
# Above, weight `[a, b]` of the kernel met pixel `[a, b]` of the window. Mathematicians
# call that **cross-correlation**. Their **convolution** first turns the kernel upside
# down and left to right, so weight `[2 - a, 2 - b]` meets pixel `[a, b]`. Notebook
# 00's section on convolution kernels mentioned this in passing; here is the check.
# `torch.flip` over both spatial dimensions turns one operation into the other:

# %%
flipped = torch.flip(sobel_x, dims=(0, 1))  # upside down and left to right
print(f"Sobel x flipped:\n{flipped}")

# The mathematical convolution at our window, from its definition
by_definition = sum(window[a, b] * sobel_x[2 - a, 2 - b] for a in range(3) for b in range(3))
with_flipped = F.conv2d(test_image.unsqueeze(0), flipped.view(1, 1, 3, 3))[0, 0, row, col]
print(f"Convolution by its definition:     {by_definition.item():+.4f}")
print(f"F.conv2d with the flipped kernel:  {with_flipped.item():+.4f}")
as_it_is = F.conv2d(test_image.unsqueeze(0), sobel_x.view(1, 1, 3, 3))[0, 0, row, col]  # no bias
print(f"F.conv2d with the kernel as it is: {as_it_is.item():+.4f}")

# %% [markdown]
# Flipping Sobel x swaps its negative column with its positive one: the flipped kernel
# is the original's negative, so the mathematical convolution gives -1.8235 where
# PyTorch gives +1.8235, and this dark-to-light edge comes out negative. A symmetric
# kernel, such as a blur, is its own flip: there the two operations agree.
#
# For *learned* kernels the difference does not matter. Flipping only reorders the 9
# weights: whatever one operation computes with a kernel, the other computes with the
# flipped kernel. A network built on true convolutions, started from the flipped random
# weights, would receive the flipped gradients at every step, end with the flipped
# kernels and compute the same outputs. So deep learning libraries skip the flip and
# keep the name.
#
# ### Average pooling beside max pooling
#
# `nn.AvgPool2d(kernel_size=2)` slides the same 2x2 window as `nn.MaxPool2d` but keeps
# the **mean** of the 4 values instead of the largest. We pool a real feature map: what
# our Sobel kernel (bias included) makes of the boot, after a ReLU, as in a TinyVGG
# block. One window first, by hand and by the two layers:

# %%
feature_map = torch.relu(edge_map)  # [1, 1, 26, 26]: convolution, then ReLU
max_pooled = nn.MaxPool2d(kernel_size=2)(feature_map)  # [1, 1, 13, 13]
avg_pooled = nn.AvgPool2d(kernel_size=2)(feature_map)  # [1, 1, 13, 13]

pooled_row, pooled_col = 6, 6  # this output pools rows 12-13 and columns 12-13
block = feature_map[0, 0, 2 * pooled_row:2 * pooled_row + 2, 2 * pooled_col:2 * pooled_col + 2]
print(f"The 2x2 window, row by row: {[round(value, 4) for value in block.flatten().tolist()]}")
print(f"By hand:    max {block.max().item():.4f}, mean {block.mean().item():.4f}")
print(f"The layers: max {max_pooled[0, 0, pooled_row, pooled_col].item():.4f}, "
      f"mean {avg_pooled[0, 0, pooled_row, pooled_col].item():.4f}")

# %% [markdown]
# One strong response and three weak ones: max pooling keeps the strong one, 1.0882;
# average pooling gives (1.0882 + 0.1157 + 0 + 0) / 4 = 0.3010. Over the whole map, on
# one colour scale:

# %%
brightest = feature_map.max().item()  # one colour scale for all three
fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
for ax, (title, picture) in zip(axes, (("feature map, 26x26", feature_map),
                                       ("nn.MaxPool2d(2): 13x13", max_pooled),
                                       ("nn.AvgPool2d(2): 13x13", avg_pooled))):
    shown = ax.imshow(picture[0, 0].numpy(), cmap="viridis", vmin=0, vmax=brightest)
    ax.set_title(title)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
fig.colorbar(shown, ax=axes, shrink=0.8, label="value")
plt.show()

# %% [markdown]
# The max-pooled map keeps each edge as bright as its strongest pixel. The
# average-pooled map is dimmer wherever an edge is thinner than the window: the zeros
# beside it pull the mean down. Max pooling asks "did the pattern occur somewhere in
# this window?", average pooling "how much of the window shows it?". TinyVGG uses max
# pooling, like the VGG networks it is named after.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): a kernel that learns to find edges
#
# Read this to watch, on one kernel, what training does to every kernel of TinyVGG:
# they start as random numbers, and gradient descent shapes them into pattern
# detectors. It uses `F`, `sobel_x` and `draw_numbers` from the section before, so run
# that one first.
#
# We give a single 3x3 kernel, a seeded `nn.Conv2d(1, 1, kernel_size=3, bias=False)`,
# a task whose answer we know: on 64 real training images, its output should match
# what Sobel x makes of them. The loss is the mean squared error between the two
# outputs, and the kernel's 9 weights are the only parameters. Plain SGD with learning
# rate 0.5, the same 64 images at every step, 500 steps:

# %%
edge_images = torch.stack([full_train_data[i][0] for i in range(64)])  # [64, 1, 28, 28]
edge_targets = F.conv2d(edge_images, sobel_x.view(1, 1, 3, 3))  # [64, 1, 26, 26]: the answers

set_seeds(42)
learner = nn.Conv2d(in_channels=1, out_channels=1, kernel_size=3, bias=False)
learner_optimizer = torch.optim.SGD(learner.parameters(), lr=0.5)
total_steps, snapshot_steps = 500, [0, 10, 25, 100, 500]
snapshots, losses = {}, []
for step_number in range(total_steps + 1):
    mse = F.mse_loss(learner(edge_images), edge_targets)  # of the kernel after step_number updates
    losses.append(mse.item())
    if step_number in snapshot_steps:
        snapshots[step_number] = learner.weight.detach()[0, 0].clone()
        print(f"step {step_number:>3}: loss {mse.item():.6f}")
    if step_number == total_steps:
        break
    learner_optimizer.zero_grad()
    mse.backward()
    learner_optimizer.step()

# %% [markdown]
# The kernel's 9 weights at those steps, next to the target, on one colour scale:

# %%
limit = max(kernel.abs().max().item() for kernel in [*snapshots.values(), sobel_x])
panels = [(f"step {s}", kernel) for s, kernel in snapshots.items()] + [("target: Sobel x", sobel_x)]
fig, axes = plt.subplots(1, len(panels), figsize=(16, 3.2), layout="constrained")
for ax, (title, kernel) in zip(axes, panels):
    shown = draw_numbers(ax, kernel, "coolwarm", -limit, limit)
    ax.set_title(title)
    ax.set_xticks(range(3))
    ax.set_yticks(range(3))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
fig.colorbar(shown, ax=axes, shrink=0.9, label="weight")
plt.show()

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(range(total_steps + 1), losses, label="loss")
ax.scatter(snapshot_steps, [losses[s] for s in snapshot_steps], color="tab:red", zorder=3, label="snapshots above")
ax.set_yscale("log")
ax.set_xlabel("step (weight updates)")
ax.set_ylabel("MSE loss (log scale)")
ax.set_title("One kernel learning Sobel x")
ax.legend()
plt.show()

# %%
learned = snapshots[total_steps]
print(f"{'row':<5}{f'learned (step {total_steps})':<22}target (Sobel x)")
for i in range(3):
    learned_row = " ".join(f"{value:+.2f}" for value in learned[i].tolist())
    target_row = " ".join(f"{value:+.2f}" for value in sobel_x[i].tolist())
    print(f"{i:<5}{learned_row:<22}{target_row}")
print(f"Largest difference: {(learned - sobel_x).abs().max().item():.2f}")

# %% [markdown]
# Within 25 steps the kernel has the shape of an edge detector: negative on the
# left, positive on the right, near 0 in the middle. Getting the middle row to weigh
# twice as much as the outer rows takes hundreds of steps more: after step 25 the loss
# curve bends into a much shallower line. The reason is in the images: neighbouring
# rows of a picture are much alike, so moving weight from the outer rows to the middle
# row changes the output, and the loss, only a little. The gradient in that direction
# is small, and so are the steps. After 500 steps the largest difference from Sobel x,
# rounded, is 0.05.
#
# TinyVGG's training is this for all of its kernels at once, with one difference:
# nobody gives it target kernels. The only signal is the classification loss, and the
# kernels become whatever patterns help to tell the classes apart. The next section
# shows the ten that its first layer learned.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): inside the trained TinyVGG
#
# A trained network is not a black box: its weights and its intermediate results are
# tensors we can look at. The first convolution has ten 3x3 kernels, the patterns it
# learned to look for:

# %%
kernels = model_2.block_1[0].weight.detach().cpu()  # [10, 1, 3, 3]
limit = kernels.abs().max().item()  # one colour scale for all ten, centred on 0
fig, axes = plt.subplots(1, 10, figsize=(12, 1.9))
for index, (ax, kernel) in enumerate(zip(axes, kernels)):
    shown = ax.imshow(kernel.squeeze().numpy(), cmap="coolwarm", vmin=-limit, vmax=limit)
    ax.set_title(f"kernel {index}", fontsize=8)
    ax.axis("off")
fig.colorbar(shown, ax=axes, shrink=0.8, label="weight")
plt.show()

# %% [markdown]
# Red cells are positive weights, blue ones negative, pale ones about 0, on one scale
# for all ten. Several kernels are red on one side and blue on the other: like the
# Sobel kernels of notebook 00, they respond where the image changes from dark to
# light in one direction.
#
# Now let's follow one test image through the network. `model_2.block_1` and
# `model_2.block_2` are modules, so we can call them one after the other:

# %%
model_2.eval()
with torch.inference_mode():
    batch = test_image.unsqueeze(dim=0).to(device)  # [1, 1, 28, 28]
    after_block_1 = model_2.block_1(batch)
    after_block_2 = model_2.block_2(after_block_1)
print(f"image {tuple(batch.shape)} -> block_1 {tuple(after_block_1.shape)} -> block_2 {tuple(after_block_2.shape)}")

fig, axes = plt.subplots(2, 10, figsize=(12, 3))
for row, (name, maps) in enumerate((("block_1", after_block_1), ("block_2", after_block_2))):
    top = maps.max().item()  # one colour scale per row: 0 is dark in every map
    for index, ax in enumerate(axes[row]):
        ax.imshow(maps[0, index].cpu().numpy(), cmap="viridis", vmin=0, vmax=top)
        ax.set_title(f"{name}[{index}]", fontsize=7)
        ax.axis("off")
plt.show()
for name, maps in (("block_1", after_block_1), ("block_2", after_block_2)):
    silent = [index for index in range(maps.shape[1]) if maps[0, index].max() == 0]
    print(f"{name}: maps that are 0 everywhere for this image: {silent}")

# %% [markdown]
# The first row shows the ten 14x14 feature maps after block 1. Most still show the
# boot, each with other parts lit up: its outline, its sole, one of its sides (a few
# as a negative, the background bright and the boot dark).
# A few, such as `block_1[1]`, are dark almost everywhere: their filter found little
# of its pattern in this boot. None is 0 everywhere, though: the lists under the
# figure are empty. After block 2
# the maps are 7x7 and no longer look like a picture: each says roughly *where* a
# more complex pattern was found. The classifier flattens these 10 x 7 x 7 = 490
# numbers into its decision.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): channels-last memory layout
#
# This section is about speed, not about vision.
#
#
# A batch of shape `[N, C, H, W]` can be laid out in memory in two ways, without
# changing its shape or its values:
#
# - **channels-first** (PyTorch's default): all of channel 0's pixels, then all of
#   channel 1's, ...
# - **channels-last**: the values of all channels for pixel 1, then for pixel 2, ...
#
# The convolution libraries behind PyTorch (oneDNN on CPUs, cuDNN on NVIDIA GPUs)
# have faster kernels for channels-last: the numbers a filter combines at one
# position sit next to each other. `model.to(memory_format=torch.channels_last)`
# stores the 4-D convolution weights that way; each layer's output follows. The
# usual recipe converts the images too, `images.to(memory_format=torch.channels_last)`;
# with a single channel they are laid out the same either way. Let's time 100
# training steps in each layout, after a few steps of warm-up:

# %%
X_batch = torch.stack([full_train_data[i][0] for i in range(32)])
y_batch = full_train_data.targets[:32]
for memory_format in (torch.contiguous_format, torch.channels_last):
    set_seeds(42)
    timing_model = FashionMNISTModelV2(1, 10, 10).to(device, memory_format=memory_format)
    timing_optimizer = torch.optim.SGD(timing_model.parameters(), lr=0.1)
    X_device, y_device = X_batch.to(device), y_batch.to(device)

    def step() -> torch.Tensor:
        loss = nn.functional.cross_entropy(timing_model(X_device), y_device)
        timing_optimizer.zero_grad()
        loss.backward()
        timing_optimizer.step()
        return loss

    for _ in range(5):  # warm-up, as in notebook 03
        step()
    start = timer()
    for _ in range(100):
        loss = step()
    _ = loss.item()  # wait for the last step to finish (matters on a GPU)
    step_seconds = timer() - start
    print(f"{str(memory_format).removeprefix('torch.'):<20} 100 training steps took {step_seconds:.2f} s")

# %% [markdown]
# Same model, same batch, same number of steps: compare the two times above. How
# much channels-last saves depends on the processor, and the figures vary from run
# to run, so time it on yours. The course trains in the default layout: in
# channels-last the same products are added up in another order, the last bits of
# the sums round differently, and over thousands of steps that becomes a slightly
# different model.
