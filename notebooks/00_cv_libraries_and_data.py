# %% [markdown] slideshow={"slide_type": "slide"}
# # 00. Computer vision libraries and data
#
# This course teaches a computer to tell a sneaker from a sandal. Before any model
# exists, we need to know our tools and our data.
#
# In this notebook we meet PyTorch's computer vision libraries, load the
# FashionMNIST dataset, and look closely at what an image *is* to PyTorch: a
# tensor of numbers. We finish by sliding small grids of numbers (kernels) over a
# photo, which is exactly what the convolutional networks later in the course do.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/00_cv_libraries_and_data.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/00_cv_libraries_and_data.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F00_cv_libraries_and_data.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/00_cv_libraries_and_data.ipynb)

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
# 1. [What is computer vision](#1.-What-is-computer-vision)
# 2. [Computer vision libraries in PyTorch](#2.-Computer-vision-libraries-in-PyTorch)
# 3. [Getting a dataset: FashionMNIST](#3.-Getting-a-dataset:-FashionMNIST)
# 4. [Input shapes: CHW and NCHW](#4.-Input-shapes:-CHW-and-NCHW)
# 5. [How much data, and which classes](#5.-How-much-data,-and-which-classes)
# 6. [Visualising the data](#6.-Visualising-the-data)
# 7. [Images as tensors: a colour photo](#7.-Images-as-tensors:-a-colour-photo)
# 8. [Convolution kernels on a photo](#8.-Convolution-kernels-on-a-photo)
# 9. [Summary](#Summary)
#
# **Going deeper (optional):** [memory layout and channels-last](#Going-deeper-(optional):-memory-layout-and-channels-last)
# · [the random filters of an `nn.Conv2d` layer](#Going-deeper-(optional):-the-random-filters-of-an-nn.Conv2d-layer)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. What is computer vision
#
# Computer vision is about getting a computer to make sense of pictures and video.
# The same raw input, a grid of pixel values, can be asked very different questions:
#
# | Problem | Question it answers | Example |
# |---|---|---|
# | **Binary classification** | Which of *two* classes is this image? | Is this X-ray healthy or not? |
# | **Multi-class classification** | Which of *many* classes is this image? | Is this a shirt, a coat or a bag? |
# | **Object detection** | *Where* are the objects, and what are they? | Boxes around every car in a video frame |
# | **Segmentation** | Which *pixels* belong to which object or class? | Outline the road, the pavement and each pedestrian |
#
# This course solves a **multi-class classification** problem: ten kinds of clothing.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where computer vision is used
#
# - **Phones:** the camera app finds faces to focus on and sorts your photos by what is in them.
# - **Cars:** driver assistance keeps the car between lane markings and spots other vehicles.
# - **Factories:** cameras on a production line reject parts with scratches or cracks.
# - **Medicine:** models flag suspicious regions in scans for a doctor to review.
# - **Security:** cameras raise an alert when a person enters a restricted area.
#
# If a problem can be photographed, it can probably be framed as a computer vision problem.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Computer vision libraries in PyTorch
#
# | Module | What it gives you |
# |---|---|
# | [`torchvision`](https://pytorch.org/vision/stable/index.html) | PyTorch's companion library for images and video |
# | [`torchvision.datasets`](https://pytorch.org/vision/stable/datasets.html) | Ready-made datasets (FashionMNIST, CIFAR-10, ImageNet, ...) and base classes for your own |
# | [`torchvision.models`](https://pytorch.org/vision/stable/models.html) | Well-known model architectures, many with pretrained weights |
# | [`torchvision.transforms`](https://pytorch.org/vision/stable/transforms.html) | Functions that turn images into tensors, resize, crop, flip, normalise, ... |
# | [`torch.utils.data.Dataset`](https://pytorch.org/docs/stable/data.html#torch.utils.data.Dataset) | The base class every dataset follows: `len(dataset)` and `dataset[i]` |
# | [`torch.utils.data.DataLoader`](https://pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader) | Wraps a `Dataset` into an iterable of mini-batches (notebook 01) |
#
# > **Note:** `Dataset` and `DataLoader` live in `torch`, not `torchvision`: they
# > work for any kind of data, such as text, audio or tables.

# %% [markdown] slideshow={"slide_type": "subslide"}
# Let's import what this notebook needs. We print the library versions so you can
# compare them with yours; the local build tag (such as `+cu130` or `+cpu`) is cut
# off because it only says which wheel was installed.

# %%
import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from matplotlib import cbook
from PIL import Image
from torch import nn
from torchvision import datasets
from torchvision.transforms import ToTensor
from torchvision.transforms.v2.functional import pil_to_tensor

from helper_functions import prepare_fashion_mnist, set_seeds


def short_version(version: str) -> str:
    """Drop the local build tag: '2.5.1+cu124' -> '2.5.1'."""
    return version.split("+")[0]


print(f"torch version:       {short_version(torch.__version__)}")
print(f"torchvision version: {short_version(torchvision.__version__)}")
print(f"matplotlib version:  {short_version(matplotlib.__version__)}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Getting a dataset: FashionMNIST
#
# [FashionMNIST](https://github.com/zalandoresearch/fashion-mnist) was released by
# Zalando Research as a drop-in replacement for MNIST, the classic dataset of
# handwritten digits. It has the same format, 28x28 grayscale pictures in ten
# classes, but shows clothing instead of digits, which is harder to classify.
#
# `torchvision.datasets.FashionMNIST` takes these arguments:
#
# - `root`: the folder the data lives in (or is downloaded to)
# - `train`: `True` for the 60,000 training images, `False` for the 10,000 test images
# - `download`: fetch the files if they are not in `root` yet
# - `transform`: what to do to each image; `ToTensor()` turns it into a float tensor
# - `target_transform`: what to do to each label; `None` keeps the integer class index

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Note:** `prepare_fashion_mnist()` from `helper_functions.py` makes sure the
# > four data files are in the course's `data/` folder *before* torchvision looks
# > for them, downloaded if need be and checked against their published checksums,
# > so `download=True` then finds them in place. It prints nothing when the data is
# > already there.

# %%
data_root = prepare_fashion_mnist()

train_data = datasets.FashionMNIST(
    root=data_root,  # where the data lives
    train=True,  # the training split
    download=True,  # fetch it only if it's missing
    transform=ToTensor(),  # PIL image -> float tensor with values 0-1
    target_transform=None,  # keep labels as plain integers
)

test_data = datasets.FashionMNIST(
    root=data_root,
    train=False,  # the test split
    download=True,
    transform=ToTensor(),
)

print(f"Data folder: {data_root.name}/")

# %% [markdown] slideshow={"slide_type": "subslide"}
# A dataset behaves like a list: index it and you get one `(image, label)` pair.

# %%
image, label = train_data[0]
print(f"Image type:  {type(image).__name__}, dtype {image.dtype}")
print(f"Image shape: {image.shape}")
print(f"Pixel range: {image.min().item():.1f} to {image.max().item():.1f}")
print(f"Label:       {label} ({train_data.classes[label]})")

# %% [markdown]
# `ToTensor()` did three things: it turned the picture into a `float32` tensor, put
# the colour channel first (`[1, 28, 28]`, see section 4), and divided every pixel
# (originally an integer 0-255) by 255, so the values lie between 0 and 1. Here is a 6x6 patch near the bottom of the boot, rounded to two digits:

# %%
print(image[0, 20:26, 8:14].round(decimals=2))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Input shapes: CHW and NCHW
#
# The image has shape `[1, 28, 28]`:
#
# ```
# [colour_channels=1, height=28, width=28]
# ```
#
# One colour channel means grayscale. A colour image has three (red, green, blue).
# Putting the channels first is called **CHW**; libraries such as matplotlib,
# NumPy and PIL usually put them last, **HWC** (`[28, 28, 1]`).
#
# Models work on a *batch* of images at once, so a fourth dimension comes first:
# **NCHW**, where N is the number of images. A batch of 32 FashionMNIST images has
# shape `[32, 1, 28, 28]`. `unsqueeze(0)` turns a single image into a batch of one.

# %%
batch_of_one = image.unsqueeze(0)
print(f"Single image (CHW): {image.shape}")
print(f"Batch of one (NCHW): {batch_of_one.shape}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. How much data, and which classes

# %%
print(f"Training images: {len(train_data)}, training labels: {len(train_data.targets)}")
print(f"Test images:     {len(test_data)}, test labels:     {len(test_data.targets)}")

# %% [markdown]
# The dataset also knows its class names (`.classes`) and the mapping from name to
# label index (`.class_to_idx`). We'll use `class_names` to turn predicted numbers
# back into words.

# %%
class_names = train_data.classes
print(class_names)

# %%
train_data.class_to_idx

# %% [markdown] slideshow={"slide_type": "subslide"}
# How many images of each class are there? `torch.bincount` counts how often each
# label occurs.

# %%
print(f"Training images per class: {torch.bincount(train_data.targets).tolist()}")
print(f"Test images per class:     {torch.bincount(test_data.targets).tolist()}")

# %% [markdown]
# Ten classes with 6,000 training and 1,000 test images each: a balanced
# **multi-class classification** problem. Because every class is equally common,
# accuracy is a fair first metric; a model that always guesses one class would
# score only 10%.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Visualising the data
#
# matplotlib's `imshow` expects `[height, width]` for a grayscale picture (or
# `[height, width, channels]` for colour), so we `squeeze()` away the channel
# dimension of size 1.

# %%
print(f"Image shape before squeeze: {image.shape}, after: {image.squeeze().shape}")

fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(image.squeeze().numpy(), cmap="gray")  # matplotlib draws NumPy arrays; .numpy() gives it one without copying
ax.set_title(class_names[label])
ax.axis("off")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# One boot tells us little. Let's draw 16 random training images. Seeding first
# makes "random" repeatable: you'll see the same 16 images every time.

# %%
set_seeds(42)
random_indices = torch.randint(0, len(train_data), size=(16,))
print(f"Random indices: {random_indices.tolist()}")

fig, axes = plt.subplots(4, 4, figsize=(7, 7.5))
for ax, idx in zip(axes.flat, random_indices.tolist()):
    img, lbl = train_data[idx]
    ax.imshow(img.squeeze().numpy(), cmap="gray")
    ax.set_title(class_names[lbl], fontsize=10)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# > **Question:** Shirt, T-shirt/top, Pullover and Coat look alike at 28x28 pixels.
# > Which classes do you expect a model to confuse most? Keep your guess; we'll
# > check it with a confusion matrix in notebook 07.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Images as tensors: a colour photo
#
# FashionMNIST is small and gray. Real photos have three colour channels and
# hundreds of pixels per side. matplotlib ships a sample photo of the computer
# scientist Grace Hopper that we can use without any download.
#
# `cbook.get_sample_data` returns an open file in recent matplotlib versions and a
# path in some older ones, so we handle both and keep the raw JPEG bytes.

# %%
sample = cbook.get_sample_data("grace_hopper.jpg")
if isinstance(sample, (str, Path)):
    jpeg_bytes = Path(sample).read_bytes()
else:  # an open binary file
    with sample:
        jpeg_bytes = sample.read()

print(f"JPEG file size: {len(jpeg_bytes)} bytes")

# %% [markdown] slideshow={"slide_type": "subslide"}
# PIL decodes the bytes; NumPy sees the image as an **HWC** array, and torchvision's
# `pil_to_tensor` as a **CHW** tensor. Both hold integers 0-255 (`uint8`).

# %%
photo_pil = Image.open(io.BytesIO(jpeg_bytes))
photo_array = np.array(photo_pil)  # HWC
print(f"PIL size (width, height): {photo_pil.size}, mode: {photo_pil.mode}")
print(f"NumPy array:  shape {photo_array.shape}, dtype {photo_array.dtype}")

photo_uint8 = pil_to_tensor(photo_pil)  # CHW
print(f"torch tensor: shape {tuple(photo_uint8.shape)}, dtype {photo_uint8.dtype}")
print(f"Same pixels? {torch.equal(photo_uint8.permute(1, 2, 0), torch.from_numpy(photo_array))}")

# %% [markdown]
# `permute(1, 2, 0)` reorders the dimensions from CHW to HWC, and the pixels match.
# Neural networks want floats, usually scaled to 0-1, which is what `ToTensor()`
# did for FashionMNIST. We do it by hand:

# %%
print(f"Top-left pixel (R, G, B) as uint8: {photo_uint8[:, 0, 0].tolist()}")

photo = photo_uint8.float() / 255  # CHW, float32, 0-1
print(f"Top-left pixel (R, G, B) as float: {[round(v, 3) for v in photo[:, 0, 0].tolist()]}")
print(f"photo: shape {tuple(photo.shape)}, dtype {photo.dtype}, "
      f"range {photo.min().item():.1f} to {photo.max().item():.1f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### One channel at a time
#
# Each channel is a grayscale picture of how much red, green or blue light each
# pixel has. Bright means a lot of that colour. Note `permute` again for the full
# colour plot: matplotlib wants HWC.

# %%
fig, axes = plt.subplots(1, 4, figsize=(12, 3.6))
axes[0].imshow(photo.permute(1, 2, 0).numpy())
axes[0].set_title("RGB photo")
for ax, channel, name in zip(axes[1:], photo, ["Red", "Green", "Blue"]):
    ax.imshow(channel.numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{name} channel")
for ax in axes:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# Look at the flag behind her: its red stripes are bright in the red channel and
# dark in the blue one, while the blue field with the stars is the other way round.
# Her white collar is bright in all three channels.
#
# > **Tip:** Try it yourself: plot `photo[0] - photo[2]` (red minus blue) with
# > `cmap="coolwarm"`. Where is it positive, where negative?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Convolution kernels on a photo
#
# A **kernel** (or filter) is a small grid of numbers, usually 3x3 or 5x5. A
# convolution slides it over the image; at every position it multiplies the kernel
# with the pixels underneath and adds up the products. The sum becomes one pixel
# of the output. Different numbers in the kernel pick out different things.
# (Strictly, what PyTorch computes is a *cross-correlation*: the kernel is laid
# on the image as it is, not flipped as in the mathematical convolution. For a
# learned kernel that makes no difference; for a hand-made one such as Sobel
# below, it decides which side of an edge comes out positive.)
#
# To keep things simple we work on one channel. We convert the photo to grayscale
# with the usual weighted sum (green looks brightest to the eye, so it weighs
# most) and crop the face so the effects are easy to see.

# %%
luminance_weights = torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)
gray_photo = (photo * luminance_weights).sum(dim=0, keepdim=True)  # [1, 600, 512]
face = gray_photo[:, 130:330, 150:350].unsqueeze(0)  # [N=1, C=1, H=200, W=200]

print(f"Grayscale photo: {tuple(gray_photo.shape)}")
print(f"Face crop (NCHW): {tuple(face.shape)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Four hand-made kernels
#
# - **Blur** (Gaussian): positive weights that add up to 1, largest in the middle.
#   Each output pixel is a weighted average of its neighbourhood, so fine detail is
#   smoothed away.
# - **Sharpen:** the centre pixel counts 5 times, its four neighbours -1 each (sum
#   1). Where a pixel differs from its neighbours, the difference is amplified.
# - **Sobel x / Sobel y:** negative weights on one side, positive on the other (sum
#   0). Flat regions give 0; a change in brightness from left to right (x) or top
#   to bottom (y), an **edge**, gives a large positive or negative value.

# %%
def gaussian_kernel(size: int, sigma: float) -> torch.Tensor:
    """A size x size Gaussian blur kernel whose weights sum to 1."""
    offsets = torch.arange(size, dtype=torch.float32) - size // 2
    bell = torch.exp(-(offsets**2) / (2 * sigma**2))
    kernel = torch.outer(bell, bell)
    return kernel / kernel.sum()


kernels = {
    "Blur (Gaussian 7x7)": gaussian_kernel(7, sigma=2.0),
    "Sharpen": torch.tensor([[0.0, -1.0, 0.0],
                             [-1.0, 5.0, -1.0],
                             [0.0, -1.0, 0.0]]),
    "Sobel x (vertical edges)": torch.tensor([[-1.0, 0.0, 1.0],
                                              [-2.0, 0.0, 2.0],
                                              [-1.0, 0.0, 1.0]]),
}
kernels["Sobel y (horizontal edges)"] = kernels["Sobel x (vertical edges)"].T

for name, kernel in kernels.items():
    print(f"{name}: shape {tuple(kernel.shape)}, weights sum to {kernel.sum().item():.0f}")
print(kernels["Sobel x (vertical edges)"])

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Applying them with `F.conv2d`
#
# `torch.nn.functional.conv2d(input, weight)` expects
#
# - `input` of shape `[N, C_in, H, W]`, and
# - `weight` of shape `[C_out, C_in, kH, kW]`: here one output and one input channel.
#
# Without padding the kernel only visits positions where it fits completely inside
# the image, so the output shrinks: a `k x k` kernel removes `k - 1` rows and
# columns. Padding adds a border of zeros; for an odd `k`, `padding = k // 2` keeps the size.
# In general, with stride 1: `output = input + 2 * padding - kernel_size + 1`.

# %%
def apply_kernel(images: torch.Tensor, kernel: torch.Tensor, padding: int = 0) -> torch.Tensor:
    """Convolve a batch of 1-channel images [N, 1, H, W] with one 2-D kernel."""
    weight = kernel.view(1, 1, *kernel.shape)  # [C_out=1, C_in=1, kH, kW]
    return F.conv2d(images, weight, padding=padding)


for name, kernel in kernels.items():
    size = kernel.shape[-1]
    no_pad = apply_kernel(face, kernel)
    padded = apply_kernel(face, kernel, padding=size // 2)
    print(f"{name:27} no padding: {tuple(no_pad.shape)}   padding={size // 2}: {tuple(padded.shape)}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the results side by side, all with padding so they match the original's
# size. The Sobel outputs are signed: mid-gray is 0, dark is negative, bright is
# positive. Combining both as `sqrt(x**2 + y**2)` gives the **edge strength**
# regardless of direction.

# %%
filtered = {name: apply_kernel(face, k, padding=k.shape[-1] // 2)[0, 0] for name, k in kernels.items()}
sobel_x = filtered["Sobel x (vertical edges)"]
sobel_y = filtered["Sobel y (horizontal edges)"]
edge_strength = torch.sqrt(sobel_x**2 + sobel_y**2)

panels = [
    ("Original", face[0, 0], dict(vmin=0, vmax=1)),
    ("Blur (Gaussian 7x7)", filtered["Blur (Gaussian 7x7)"], dict(vmin=0, vmax=1)),
    ("Sharpen", filtered["Sharpen"].clamp(0, 1), dict(vmin=0, vmax=1)),
    ("Sobel x (vertical edges)", sobel_x, dict(vmin=-2, vmax=2)),
    ("Sobel y (horizontal edges)", sobel_y, dict(vmin=-2, vmax=2)),
    ("Edge strength", edge_strength, dict(vmin=0, vmax=2)),
]
fig, axes = plt.subplots(2, 3, figsize=(10, 7))
for ax, (title, picture, scale) in zip(axes.flat, panels):
    ax.imshow(picture.numpy(), cmap="gray", **scale)
    ax.set_title(title)
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# The blur softens the wrinkles, the sharpen makes every line crisper (and the
# noise too). Sobel x lights up the vertical lines such as the sides of the face
# and the rims of the glasses; Sobel y the horizontal ones such as the mouth and the
# tops of the glasses. The edge strength picture looks like a pencil sketch. The thin line
# along the border of the edge pictures is an effect of the padding: the zeros
# outside the image look like a sudden drop to black.
#
# > **Tip:** Try a Laplacian kernel, `[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`. It
# > responds to edges in every direction at once. What happens if you blur first?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Computer vision covers **classification** (binary and multi-class),
#   **detection** and **segmentation**; we tackle multi-class classification.
# - `torchvision` provides `datasets`, `models` and `transforms`;
#   `torch.utils.data` provides `Dataset` and `DataLoader`.
# - FashionMNIST: 60,000 training and 10,000 test images, 28x28 grayscale, 10
#   balanced classes. `ToTensor()` gives `float32` images of shape `[1, 28, 28]` in 0-1.
# - PyTorch uses **CHW** per image and **NCHW** per batch; NumPy, PIL and matplotlib
#   use **HWC**, so `permute(1, 2, 0)` or `squeeze()` before plotting.
# - A photo decodes to `uint8` values 0-255; divide by 255 for floats in 0-1.
# - A **convolution** slides a small kernel over the image. Hand-made kernels blur,
#   sharpen or find edges; without padding the output shrinks by `kernel_size - 1`.
# - In a CNN, an `nn.Conv2d` layer holds a stack of such kernels as parameters,
#   initialised randomly and learned during training (notebook 05).
#
# **Next:** notebook 01 turns the datasets into mini-batches with a `DataLoader`.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Extra-curriculum
#
# - The [torchvision documentation](https://pytorch.org/vision/stable/index.html): browse the datasets and transforms.
# - [(Beta) Channels Last Memory Format in PyTorch](https://pytorch.org/tutorials/intermediate/memory_format_tutorial.html): the official tutorial on NHWC.
# - [Image Kernels explained visually](https://setosa.io/ev/image-kernels/): try kernels on a picture in your browser.
# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): memory layout and channels-last
#
# This section is about speed, not about vision: skip it on a first reading.
#
# The *shape* says how we index a tensor; the *memory format* says in which order
# the numbers sit in memory. `.stride()` tells how many elements to skip in memory
# to move one step along each dimension.
#
# PyTorch can keep an NCHW-shaped tensor in **channels-last** (NHWC) memory order.
# The shape stays `[N, C, H, W]` and all your code keeps working; only the strides
# change. To see the difference we need more than one channel, so take a tiny
# "RGB image" of 2x2 pixels whose values are numbered 0-11: red is 0-3, green 4-7
# and blue 8-11.

# %%
tiny_rgb = torch.arange(12).reshape(3, 2, 2)  # CHW: 3 channels of 2x2 pixels
nchw = tiny_rgb.unsqueeze(0)  # [N=1, C=3, H=2, W=2], default memory format
nhwc = tiny_rgb.unsqueeze(0).to(memory_format=torch.channels_last)

print(f"Default:       shape {tuple(nchw.shape)}, stride {nchw.stride()}")
print(f"Channels-last: shape {tuple(nhwc.shape)}, stride {nhwc.stride()}")
print(f"Same values? {torch.equal(nchw, nhwc)}")

# %% [markdown]
# Same shape, same values, different strides. In the default layout, one step
# along C skips a whole 2x2 plane (4 elements); in channels-last it skips just 1.
# `as_strided` with a stride of 1 reads the numbers in the order they are stored:

# %%
for name, tensor in [("NCHW (default)", nchw), ("NHWC (channels-last)", nhwc)]:
    memory_order = tensor.as_strided((tensor.numel(),), (1,))
    print(f"{name:21} memory: {memory_order.tolist()}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# In NCHW, memory holds the whole red plane, then the whole green plane, then blue.
# In channels-last, the red, green and blue values of each pixel sit next to each
# other: `0, 4, 8` is pixel (0, 0).
#
# Why care? A convolution combines *all* channels of a small neighbourhood of
# pixels. When those channels are adjacent in memory they can be loaded in one go
# and multiplied with vector instructions. The convolution kernels behind NVIDIA's
# Tensor Cores (cuDNN) and behind PyTorch on CPUs (oneDNN) work best with this
# layout, so convolutional networks, especially in mixed precision on a GPU, often
# run faster in channels-last. You'd convert both the model and the inputs:
# `model.to(memory_format=torch.channels_last)` and
# `images.to(memory_format=torch.channels_last)`.
#
# With a single channel, as in FashionMNIST, there is nothing to interleave: the
# pixels are stored in the same order either way, and PyTorch counts the tensor
# as contiguous in *both* formats:

# %%
print(f"Contiguous in NCHW?          {batch_of_one.is_contiguous()}")
print(f"Contiguous in channels-last? {batch_of_one.is_contiguous(memory_format=torch.channels_last)}")

# %% [markdown]
# > **Note:** The course keeps PyTorch's default layout throughout. Channels-last is
# > a speed-up to try on a convolutional network once it works; the shapes you read
# > and write stay NCHW either way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): the random filters of an `nn.Conv2d` layer
#
# In a convolutional neural network nobody chooses the kernels by hand. An
# `nn.Conv2d` layer holds `out_channels` kernels as **learnable parameters**,
# starts them at random values and lets training adjust them. Each kernel spans
# *all* input channels, so for a colour image a 3x3 kernel is really 3x3x3.
#
# Let's make such a layer, with a seed so its random weights are reproducible.

# %%
set_seeds(42)
conv_layer = nn.Conv2d(in_channels=3, out_channels=8, kernel_size=3, padding=1)

print(conv_layer)
print(f"Weight shape [C_out, C_in, kH, kW]: {tuple(conv_layer.weight.shape)}")
print(f"Bias shape [C_out]: {tuple(conv_layer.bias.shape)}")
print(f"Learnable parameters: {sum(p.numel() for p in conv_layer.parameters())}")
print(f"Filter 0, red channel:\n{conv_layer.weight[0, 0].detach()}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# We feed it the colour crop of the face, as a batch of one image. The layer needs
# no gradients here, so we run it under `torch.inference_mode()`.

# %%
face_rgb = photo[:, 130:330, 150:350].unsqueeze(0)  # [1, 3, 200, 200]
with torch.inference_mode():
    feature_maps = conv_layer(face_rgb)

print(f"Input:  {tuple(face_rgb.shape)}  (N, C_in, H, W)")
print(f"Output: {tuple(feature_maps.shape)}  (N, C_out, H, W): one feature map per filter")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Top row: each filter's 3x3x3 weights drawn as a tiny colour image (rescaled to
# 0-1 so they can be shown). Bottom row: what that filter makes of the face.

# %%
weights = conv_layer.weight.detach()
fig, axes = plt.subplots(2, 8, figsize=(16, 4.6))
for i in range(8):
    w = weights[i]
    axes[0, i].imshow(((w - w.min()) / (w.max() - w.min())).permute(1, 2, 0).numpy())
    axes[0, i].set_title(f"Filter {i}")
    axes[1, i].imshow(feature_maps[0, i].numpy(), cmap="gray")
    axes[1, i].set_title(f"Output {i}")
for ax in axes.flat:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# Even random filters do something recognisable: some give a slightly blurred
# copy of the face, some a negative (bright and dark swapped), some bring out
# faint edges. Training turns these
# random numbers into filters that are useful for the task, such as detectors for
# collars, soles or straps in FashionMNIST, and deeper layers combine them into
# detectors for whole shapes.
#
# > **Note:** CNNs usually follow convolutions with **pooling**, which shrinks each
# > feature map by keeping, for example, the largest value of every 2x2 block. We
# > meet `nn.MaxPool2d` when we build our CNN in notebook 05.

