# %% [markdown] slideshow={"slide_type": "slide"}
# # 06. Comparing the models and making predictions
#
# Notebooks 02 to 05 trained three models on FashionMNIST: a linear baseline,
# the same network with non-linear activations, and a small convolutional network
# (TinyVGG).
#
# Now we put their results side by side, pick the best model **on the validation
# set**, test it once on the test set, and look at what it predicts: on random test
# images first, then on the images it gets wrong. The mistakes teach us as much
# about the data as about the model.
#
# > **Note:** Models trained on another computer end up slightly different, so your
# > accuracies, and a few predictions, may differ a little from those printed here.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/06_compare_and_predict.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/06_compare_and_predict.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F06_compare_and_predict.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/06_compare_and_predict.ipynb)

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
# 1. [Getting the three trained models](#1.-Getting-the-three-trained-models)
# 2. [A table of results, and one test](#2.-A-table-of-results,-and-one-test)
# 3. [Accuracy and training time in a chart](#3.-Accuracy-and-training-time-in-a-chart)
# 4. [Why the CNN wins with fewer parameters](#4.-Why-the-CNN-wins-with-fewer-parameters)
# 5. [Performance versus speed](#5.-Performance-versus-speed)
# 6. [A function that makes predictions](#6.-A-function-that-makes-predictions)
# 7. [Predicting nine random test images](#7.-Predicting-nine-random-test-images)
# 8. [Looking at the wrong predictions](#8.-Looking-at-the-wrong-predictions)
# 9. [Model error or data error?](#9.-Model-error-or-data-error?)
# 10. [Summary](#Summary)
#
# **Going deeper (optional):** [how much of the image one TinyVGG feature sees](#Going-deeper-(optional):-how-much-of-the-image-one-TinyVGG-feature-sees)
# · [what TinyVGG looks at (an occlusion map)](#Going-deeper-(optional):-what-TinyVGG-looks-at-(an-occlusion-map))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Getting the three trained models
#
# This notebook works on its own, even in a fresh Colab session, thanks to
# `load_or_train_course_model` from the course's `cv_course.recipe` module:
#
# - if `models/` holds a trained copy of the model and its results (notebooks 03,
#   04 and 05 save them there), it loads them silently;
# - otherwise it loads the copy that comes with the course, trained by the same
#   recipe (the data, settings and seed of notebooks 03-05);
# - failing both, it trains the model with that recipe and saves it in `models/`:
#   minutes on a laptop CPU.
# Notebook 08 explains how saving and loading works.

# %%
import random

import matplotlib.pyplot as plt
import pandas as pd
import torch
from torchvision import datasets
from torchvision.transforms import ToTensor

from cv_course.recipe import load_or_train_course_model
from helper_functions import eval_model, prepare_fashion_mnist, set_seeds

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

data_root = prepare_fashion_mnist()
test_data = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())
class_names = test_data.classes
print(f"{len(test_data)} test images in {len(class_names)} classes")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Each call returns the trained model and its results record: the dictionary
# `eval_model` made on the **validation** set, plus the training time, the device
# and the number of epochs.

# %%
course_models = {}
records = []
for name in ["model_0", "model_1", "model_2"]:
    model, record = load_or_train_course_model(name, device=device)
    course_models[name] = model
    records.append(record)

print(sorted(records[0]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A table of results, and one test
#
# A list of dictionaries with the same keys makes a
# [pandas](https://pandas.pydata.org/) `DataFrame`: one row per dictionary, one
# column per key, with the model names as row labels.

# %%
compare_results = pd.DataFrame(records, index=list(course_models))
compare_results.index.name = "model"
compare_results = compare_results.rename(columns={"model_loss": "val_loss", "model_acc": "val_acc"})

# Training times change from run to run (and from machine to machine), so we
# show them rounded, with their unit, as text.
compare_results["train_time"] = compare_results["train_time"].map(lambda seconds: f"{seconds:.1f} s")
compare_results

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Note:** Your training times will differ from the ones above (hardware, other
# > work, GPU or not). The losses and accuracies do not change from run to run on
# > the same computer: same seed, same data, same order.
#
# Which model did best on the validation set? `idxmax` returns the row label of
# the highest value in a column.

# %%
best_name = compare_results["val_acc"].idxmax()
best_model = course_models[best_name]
print(f"Most accurate on validation: {best_name} ({compare_results.loc[best_name, 'model_name']}), "
      f"{compare_results.loc[best_name, 'val_acc']:.2f}%")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The choice is made, so now, and only now, the test set gets its turn: one
# evaluation of the chosen model on the 10,000 test images. Its result is the
# number to report, because nothing was chosen on it; a test accuracy used to pick
# the model, its epochs or its settings would flatter it a little.

# %%
test_loader = torch.utils.data.DataLoader(test_data, batch_size=1000)  # evaluation: big batches, no shuffling
best_test_results = eval_model(best_model, test_loader, torch.nn.CrossEntropyLoss(), device=device)
print(f"{best_name}: validation accuracy {compare_results.loc[best_name, 'val_acc']:.2f}%, "
      f"test accuracy {best_test_results['model_acc']:.2f}%")

# %% [markdown]
# The test accuracy is a little lower, but close. Both sets hold images the model
# never trained on, scored the same way; they differ because each is its own sample,
# with its own share of hard images, and samples of 5,000 and 10,000 images easily
# differ by this much. From here on the model is fixed: we study its test
# predictions to understand it, not to change it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Accuracy and training time in a chart
#
# A chart puts each model's accuracy next to its training time (from the records,
# as numbers). Mind the scales: on an axis from 0 to 100%, six or seven points is a
# short step, while TinyVGG's training time stands out.

# %%
train_times = [record["train_time"] for record in records]

fig, (acc_ax, time_ax) = plt.subplots(1, 2, figsize=(10, 3))
acc_ax.barh(compare_results.index, compare_results["val_acc"], color="tab:blue")
acc_ax.set(xlabel="validation accuracy (%)", xlim=(0, 100), title="Accuracy")
time_ax.barh(compare_results.index, train_times, color="tab:orange")
time_ax.set(xlabel="training time (s)", title="Training time")
for ax in (acc_ax, time_ax):
    ax.invert_yaxis()  # model_0 at the top, like the table
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Why the CNN wins with fewer parameters
#
# TinyVGG is the most accurate of the three, yet it is not the biggest. Let's count,
# for each model, its **parameters** (the numbers training adjusts) and its
# **multiply-adds** for one image (the arithmetic of a forward pass). Every output
# value of a layer is one weighted sum, with one multiply-add per weight it uses:
#
# - `nn.Linear`: each of the `out_features` outputs sums over all `in_features` inputs;
# - `nn.Conv2d`: each value of every output channel, at every row and column, sums over
#   a `k x k` window of all `in_channels` input channels.
#
# A **forward hook**, a function PyTorch calls each time a layer runs, gives us each
# layer's output to count.

# %%
from torch import nn


def count_multiply_adds(model: nn.Module) -> list[int]:
    """Multiply-adds of each nn.Linear and nn.Conv2d layer of ``model`` for one 28x28 image."""
    counts = []

    def count(layer, inputs, output):
        # values in one image's output x weights per value (in_features, or in_channels * k * k)
        counts.append(output[0].numel() * layer.weight[0].numel())

    hooks = [layer.register_forward_hook(count) for layer in model.modules()
             if isinstance(layer, (nn.Linear, nn.Conv2d))]
    with torch.inference_mode():
        model(torch.zeros(1, 1, 28, 28, device=device))  # a blank image: only the shapes matter
    for hook in hooks:
        hook.remove()
    return counts


# %% [markdown] slideshow={"slide_type": "subslide"}
# Now a table: parameters and multiply-adds next to section 2's validation accuracy
# and training time.

# %%
sizes = {}
for name, model in course_models.items():
    counts = count_multiply_adds(model)
    print(f"{name}: {' + '.join(f'{count:,}' for count in counts)} = {sum(counts):,} multiply-adds per image")
    sizes[name] = {"parameters": sum(p.numel() for p in model.parameters()), "multiply_adds": sum(counts)}

why_cnn = pd.DataFrame.from_dict(sizes, orient="index")
why_cnn["val_acc"] = compare_results["val_acc"].round(2)
why_cnn["train_time"] = compare_results["train_time"]
print(f"model_2 does {why_cnn.loc['model_2', 'multiply_adds'] / why_cnn.loc['model_1', 'multiply_adds']:.0f} "
      "times the multiply-adds of model_1")
why_cnn

# %% [markdown] slideshow={"slide_type": "subslide"}
# `model_1` and TinyVGG have almost the same number of parameters, 7,960 and 7,740,
# yet TinyVGG does 143 times the arithmetic and reaches 88.50% validation accuracy
# instead of 81.72%. Two ideas likely contribute:
#
# - **Local connections.** Each output value of a convolution looks at a 3x3 window
#   of its input, while a unit of `model_1`'s first layer has a weight for each of
#   the 784 pixels.
# - **Shared weights.** The same kernel slides over every position: the second
#   convolution's 900 weights (10 kernels of 10x3x3) are used at all 28x28
#   positions, for 705,600 multiply-adds.
#
# That suits images: an edge or the end of a sleeve means the same thing wherever
# it appears, so TinyVGG learns it once, while `model_1` must learn it for each
# position. All that arithmetic is why TinyVGG trains slowest in section 3's chart,
# though not 143 times slower: the fully connected models spend most of their time
# fetching images (notebook 03's optional section on where the training time goes
# measures it).
#
# A caveat: this comparison changes several things at once. TinyVGG is also deeper;
# its classifier gets 490 features per image (10 channels x 7 x 7), where `model_1`
# squeezes each image into 10 hidden units; and the `model_1` compared here keeps the
# final ReLU that notebook 04 showed can cost it accuracy. So local, shared weights
# are a likely reason for TinyVGG's lead, not a proven one. The comparison still
# shows that how a network uses its weights can matter more than how many it has.
#
# > **Going deeper:** two optional sections at the end show how far one TinyVGG
# > feature sees and what its decision depends on.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Performance versus speed
#
# The table shows a trade-off you will meet again and again:
#
# - **TinyVGG (`model_2`) is the most accurate and the slowest to train**; a GPU
#   narrows the gap, as convolutions parallelise well.
# - **`model_1` is no better than `model_0`.** Its validation accuracy is even a
#   little lower, 81.72% against 81.96%: practically a tie, so the non-linear
#   activations bought nothing here. Notebook 04 showed that Model 1's final ReLU
#   is not the reason: without it the model lands around the baseline too. With 10
#   hidden units and 3 epochs, a model that sees 784 separate pixel values gets
#   about this far, bent or not.
#
# Which model is "best" depends on what you need: the highest accuracy, the
# fastest training, or the fastest predictions on a small device.
#
# > **Question:** When would the fully connected models' lower accuracy be an
# > acceptable price for being much cheaper to run than TinyVGG?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. A function that makes predictions
#
# To see what the best model does, we need its predictions for a few images, so we
# wrap the steps in a function:
#
# 1. stack the images (each of shape `[1, 28, 28]`) into one batch `[N, 1, 28, 28]`
#    and move it to the model's device;
# 2. run the model in evaluation mode under `torch.inference_mode()`, which gives
#    logits of shape `[N, 10]`;
# 3. turn the logits into prediction probabilities with softmax over
#    `dim=1`, the class dimension, so that each row (one image) sums to 1;
# 4. return them on the CPU, ready for plotting.

# %%
from typing import Iterable

from torch import nn


def make_predictions(
    model: nn.Module,
    data: Iterable[torch.Tensor],
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Prediction probabilities of ``model`` for each image in ``data``, a list
    of [C, H, W] float tensors (or one [N, C, H, W] batch): one row per image,
    one column per class, each row summing to 1. Returned on the CPU.
    ``device`` defaults to where the model's parameters are."""
    images = list(data)
    if not images:
        raise ValueError("data is empty: pass a list of at least one image tensor.")
    if not all(isinstance(image, torch.Tensor) and image.ndim == 3 for image in images):
        raise ValueError("data must hold images of shape [C, H, W], in a list or as one [N, C, H, W] "
                         "batch; for a single image, pass [image].")
    if not images[0].is_floating_point():
        raise ValueError(f"images must be floats in 0-1, as ToTensor makes them, not {images[0].dtype}.")
    device = device or next(model.parameters()).device
    batch = torch.stack(images).to(device)  # [N, C, H, W]: all the images in one batch
    model.eval()
    with torch.inference_mode():
        logits = model(batch)  # [N, n_classes]
    # dim=1 is the class dimension: each row (one image) becomes probabilities.
    return torch.softmax(logits, dim=1).cpu()


# %% [markdown] slideshow={"slide_type": "subslide"}
# The checks at the top catch the most common slips: one image passed on its own
# (pass `[image]`: a `[1, 28, 28]` tensor is not a list of images), and raw `uint8`
# pixels instead of floats in 0-1. Without `device=`, the batch goes to the model's
# device.
#
# > **Note:** Softmax over `dim=0` would also run, but it would normalise each
# > *class* across the images of the batch, and a row would no longer sum to 1.
# > Always check which dimension holds the classes.
#
# The same function lives in `helper_functions.py`; from now on we import it from
# there.

# %%
from helper_functions import make_predictions

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Predicting nine random test images
#
# We seed Python's random generator first, so everyone gets the same nine images.

# %%
set_seeds(42)
sample_indices = random.sample(range(len(test_data)), k=9)
test_samples = [test_data[i][0] for i in sample_indices]
test_labels = [test_data[i][1] for i in sample_indices]
print(f"Test image indices: {sample_indices}")
print(f"First sample shape: {tuple(test_samples[0].shape)}, label: {test_labels[0]} ({class_names[test_labels[0]]})")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The function returns one row of ten probabilities per image; the highest in each
# row is the predicted class, so `argmax(dim=1)` turns probabilities into labels.

# %%
pred_probs = make_predictions(best_model, test_samples, device=device)
pred_classes = pred_probs.argmax(dim=1)

print(f"Prediction probabilities: shape {tuple(pred_probs.shape)}")
print(f"First two rows:\n{pred_probs[:2].round(decimals=3)}")
print(f"Each row sums to 1: {torch.allclose(pred_probs.sum(dim=1), torch.ones(9))}")
print(f"Predicted labels: {pred_classes.tolist()}")
print(f"True labels:      {test_labels}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the picture: each image is titled `prediction | truth`, with ✓ in blue when
# right and ✗ in orange when wrong (the marks do not rely on colour). A small
# function draws such grids, which we need again, and prints the titles, one grid
# row per line.


# %%
def plot_prediction_grid(images, pred_labels, true_labels, probs=None, rows=3, cols=3):
    """Show images in a grid titled '✓/✗ prediction | truth' (with the predicted
    probability, if given), blue when right, orange when wrong; print the titles."""
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.6 * rows))
    titles = []
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(images):
            continue
        ax.imshow(images[i].squeeze().numpy(), cmap="gray")
        pred, truth = class_names[pred_labels[i]], class_names[true_labels[i]]
        mark = "✓" if pred == truth else "✗"
        title = f"{mark} {pred} | {truth}" if probs is None else f"{mark} {pred} ({probs[i]:.1%}) | {truth}"
        ax.set_title(title, fontsize=9, color="tab:blue" if pred == truth else "tab:orange")
        titles.append(title)
    fig.tight_layout()
    plt.show()
    for row in range(0, len(titles), cols):
        print("   ".join(titles[row:row + cols]))


plot_prediction_grid(test_samples, pred_classes.tolist(), test_labels)

# %%
n_right = sum(pred == truth for pred, truth in zip(pred_classes.tolist(), test_labels))
print(f"{n_right} of 9 right")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Looking at the wrong predictions
#
# Seven of nine: the model called trousers a dress (its second row of probabilities
# above shows it was unsure) and a zipped coat a pullover. But nine images are a
# small sample, so we predict the whole test set and keep the images it got wrong.
# All 10,000 test images sit in one `uint8` tensor, `test_data.data`; scaled
# to 0-1 as `ToTensor` does, its rows are a batch for `make_predictions`.

# %%
all_images = test_data.data.unsqueeze(dim=1).float() / 255  # [10000, 1, 28, 28]
all_labels = test_data.targets
all_probs = make_predictions(best_model, all_images, device=device)
all_preds = all_probs.argmax(dim=1)

wrong = (all_preds != all_labels).nonzero().squeeze(dim=1)
print(f"Wrong predictions: {len(wrong)} of {len(all_labels)} "
      f"({len(wrong) / len(all_labels):.2%}), accuracy {1 - len(wrong) / len(all_labels):.2%}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# That is section 2's test accuracy again, counted image by image.
#
# The most instructive mistakes are the most *confident* ones: we sort the wrong
# predictions by the probability of the (wrong) answer and look at the top nine.

# %%
confidence = all_probs.max(dim=1).values
order = confidence[wrong].argsort(descending=True, stable=True)
most_confident_wrong = wrong[order[:9]].tolist()

for i in most_confident_wrong:
    print(f"image {i:4d}: predicted {class_names[all_preds[i]]:<11} ({confidence[i]:.1%}), "
          f"labelled {class_names[all_labels[i]]}")

# %%
plot_prediction_grid(
    [all_images[i] for i in most_confident_wrong],
    [all_preds[i].item() for i in most_confident_wrong],
    [all_labels[i].item() for i in most_confident_wrong],
    probs=[confidence[i].item() for i in most_confident_wrong],
)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9. Model error or data error?
#
# Look at the nine images above. The model was at least 99.7% sure every time.
# Four of its answers are "Dress": for two images labelled T-shirt/top, one
# labelled Trouser and one labelled Coat. Two are "T-shirt/top", for images
# labelled Shirt. The rest: a long, long-sleeved "dress" it calls a pullover, a
# high "sneaker" it calls an ankle boot, and a bag shaped like a toy animal it
# calls a sandal.
#
# Would *you* have given the labels the dataset gives? The two "T-shirts", the
# "trousers" and the "coat" are long, narrow shapes that look very much like
# dresses, and the first "shirt" is a plain top with short sleeves. But the second
# "shirt" has buttons down the front, and the toy animal is no sandal. Mistakes come in
# three kinds:
#
# - **Model errors.** The image clearly shows one thing and the model says another.
#   More training, more data or a better architecture can fix these, in a new
#   model that you would compare on the validation set.
# - **Ambiguous images.** At 28x28 pixels a long top and a short dress, or a high
#   sneaker and a boot, can look almost the same; even a person would hesitate.
# - **Label errors.** The label is wrong, or at least debatable: the model is very
#   confident, and a person looking at the picture agrees with it.
#
# Most of these nine look like the second or third kind, the buttoned shirt and the
# bag like the first: the model is less wrong than its score says, but not
# blameless.
#
# Real datasets contain such mistakes, and a model cannot score 100% on labels
# that contradict each other. The most confident errors are a cheap place to find
# them.
#
# > **Tip:** The next notebook counts the mistakes for every pair of classes with a
# > confusion matrix: *which* classes the model mixes up, not only how often.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A list of results dictionaries becomes a comparison table:
#   `pd.DataFrame(records)`.
# - Choose the model by validation accuracy, then evaluate it once on the test
#   set: that test accuracy is the number to report.
# - TinyVGG is the most accurate of the three and the slowest to train: better
#   performance often costs speed.
# - TinyVGG has fewer parameters than `model_1` but far more multiply-adds. Its 3x3
#   kernels, local and shared, likely suit images, though depth, classifier width
#   and `model_1`'s final ReLU differ too.
# - To predict, stack images into a batch, run the model in evaluation mode under
#   `torch.inference_mode()`, and take the softmax over the class dimension
#   (`dim=1`); `argmax(dim=1)` gives the labels.
# - Study the wrong predictions: some are the model's fault, some come from
#   ambiguous images or wrong labels.
#
# ### Extra-curriculum
#
# - Re-run section 7 with another seed. Does the best model still get most of the
#   nine images right?
# - Sort the wrong predictions by *lowest* confidence instead. How do those
#   mistakes differ from the confident ones?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): how much of the image one TinyVGG feature sees
#
# Read this if you wonder how a network built from 3x3 windows can recognise a whole
# shoe. Each value in block 2's output (ten 7x7 maps) depends on a square of the
# input image, its **receptive field**, and that square grows with every layer.
#
# We can compute it layer by layer with two numbers: `r`, the side of the square one
# value sees, and `j`, the jump, how many input pixels apart two neighbouring values
# are. A pixel sees itself (`r = 1`, `j = 1`). A layer with kernel size `k` and stride
# `s` then gives
#
# - `r_out = r_in + (k - 1) * j_in`: its window spans `k` neighbouring values, which
#   lie `j_in` pixels apart;
# - `j_out = j_in * s`: a stride of 2 puts neighbouring outputs twice as far apart.

# %%
tinyvgg = course_models["model_2"]
r, j = 1, 1
for layer in [*tinyvgg.block_1, *tinyvgg.block_2]:
    if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
        # Conv2d stores its kernel size and stride as pairs, (3, 3); MaxPool2d as numbers, 2
        k = layer.kernel_size[0] if isinstance(layer, nn.Conv2d) else layer.kernel_size
        s = layer.stride[0] if isinstance(layer, nn.Conv2d) else layer.stride
        r, j = r + (k - 1) * j, j * s
        print(f"{type(layer).__name__:<10} k={k} s={s}: receptive field {r}x{r}, jump {j}")

# %% [markdown]
# So one value of block 2's output sees a 16x16 square of the 28x28 image, and
# neighbouring values are 4 pixels apart. ReLU layers do not change either number.
# (Values near the border of the 7x7 map see less of the image: part of their
# square lies in the zero padding around it.)
#
# Let's check it. If we ask autograd for the gradient of one output value with
# respect to the input pixels, every pixel outside its receptive field must get a
# gradient of exactly 0: changing it cannot change that value. We take row 3,
# column 3 (the middle of the 7x7 map) for 100 real test images, in the channel whose
# value there is above 0 for the most images: where it is 0, its last ReLU is off and
# no pixel gets a gradient at all.

# %%
images = all_images[:100].clone().to(device).requires_grad_(True)  # [100, 1, 28, 28]
tinyvgg.eval()
block_2_out = tinyvgg.block_2(tinyvgg.block_1(images))  # [100, 10, 7, 7]
is_active = block_2_out[:, :, 3, 3] > 0  # [100, 10]
channel = is_active.sum(dim=0).argmax().item()  # the channel active for the most images
example = is_active[:, channel].nonzero()[0].item()  # the first test image where it is active
# Images do not mix in the network, so the gradient of the sum gives each image's own gradient.
(pixel_grads,) = torch.autograd.grad(block_2_out[:, channel, 3, 3].sum(), images)
influence = pixel_grads.squeeze(dim=1).cpu() != 0  # [100, 28, 28]: True where a pixel matters


def bounding_box(mask: torch.Tensor) -> tuple[int, int, int, int]:
    """First and last row, first and last column where ``mask`` is True."""
    rows, cols = mask.any(dim=1).nonzero().squeeze(dim=1), mask.any(dim=0).nonzero().squeeze(dim=1)
    return rows[0].item(), rows[-1].item(), cols[0].item(), cols[-1].item()


print(f"Channel {channel}: the value is above 0 for {is_active[:, channel].sum().item()} of the 100 images, "
      f"first for test image {example}")
for label, mask in ((f"test image {example} alone", influence[example]), ("all 100 images", influence.any(dim=0))):
    top, bottom, left, right = bounding_box(mask)
    print(f"{label:<18}: {mask.sum().item():3d} pixels with a nonzero gradient, rows {top}-{bottom}, "
          f"columns {left}-{right}: a {bottom - top + 1}x{right - left + 1} box")

# %% [markdown]
# Over the 100 images, the pixels that matter fill a 16x16 square, exactly as the
# formula said, and not one pixel outside it gets a gradient. For a single image the
# region is smaller: a ReLU that outputs 0 passes no gradient back, and a max pool
# passes it only to the largest value of each 2x2 window, so one image uses only
# some of the paths. Here is the square on that test image:

# %%
top, bottom, left, right = bounding_box(influence.any(dim=0))
fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
axes[0].imshow(all_images[example].squeeze().numpy(), cmap="gray")
axes[0].add_patch(plt.Rectangle((left - 0.5, top - 0.5), right - left + 1, bottom - top + 1,
                                fill=False, edgecolor="tab:orange", linewidth=2))
axes[0].set_title(f"Test image {example} ({class_names[all_labels[example]]})\n"
                  f"and the {bottom - top + 1}x{right - left + 1} receptive field")
shown = axes[1].imshow(pixel_grads[example, 0].abs().cpu().numpy(), cmap="viridis")
fig.colorbar(shown, ax=axes[1], label="|gradient|")
axes[1].set_title(f"|gradient| for test image {example}")
shown = axes[2].imshow(influence.sum(dim=0).numpy(), cmap="viridis", vmin=0, vmax=100)
fig.colorbar(shown, ax=axes[2], label="number of images (of 100)")
axes[2].set_title("Nonzero gradient, over 100 images")
for ax in axes:
    ax.set(xlabel="column (pixel)", ylabel="row (pixel)")
plt.show()

# %% [markdown]
# On the right, no pixel reaches 100: the images whose value is 0 give no pixel a
# gradient, so the count is at most the number of active images printed above. The
# pixels near the border of the square matter in fewer images than those in the
# middle: the gradient reaches them only when the max pools pick values on that side.
#
# The square covers more than half the width of the image, but not all of it: no
# single value of block 2 sees the whole garment. The classifier's `nn.Linear` layer
# is the first to combine all 7x7 positions, and with them the whole image.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Going deeper (optional): what TinyVGG looks at (an occlusion map)
#
# Read this to see which parts of an image TinyVGG's answer depends on, measured
# rather than guessed. The idea: cover one patch of the image, predict again, and
# see how much the probability of the true class drops. Slide the patch over every
# position and the drops form a map.
#
# We choose a 6x6 patch moved in steps of 2 pixels: big enough to hide a part such
# as a heel or a sleeve, small enough to tell the parts apart, and 12 x 12 = 144
# positions per image. The patch is black (0), the colour of the background:
# half the test pixels are exactly that, so where the patch lands on the
# background it changes nothing, and on the garment it turns a part into background
# (its straight edges are new, though: no patch is a perfect eraser).

# %%
print(f"Test pixels that are exactly 0 (black): {(test_data.data == 0).float().mean():.0%}")

patch, stride = 6, 2
starts = range(0, 28 - patch + 1, stride)  # top-left corners: 0, 2, ..., 22
print(f"{len(starts)} x {len(starts)} = {len(starts) ** 2} patch positions per image")


def occlusion_map(model: nn.Module, image: torch.Tensor, label: int) -> tuple[float, torch.Tensor]:
    """Probability of ``label`` for ``image``, and how much it drops with the patch at each position."""
    copies = []
    for top in starts:
        for left in starts:
            copy = image.clone()
            copy[:, top:top + patch, left:left + patch] = 0.0
            copies.append(copy)
    # One forward pass for the image and its 144 covered copies (make_predictions uses inference mode).
    probs = make_predictions(model, [image, *copies], device=device)[:, label]
    return probs[0].item(), (probs[0] - probs[1:]).reshape(len(starts), len(starts))


# %% [markdown]
# We map the first three test images. Each square of a map sits at the centre of
# its patch, so the map lines up with the image beside it; the thin outline is the
# garment's edge. Red means covering that spot lowers the probability of the true
# class, blue that it raises it.

# %%
fig, axes = plt.subplots(2, 3, figsize=(12, 8), layout="constrained")
for index, (image_ax, map_ax) in enumerate(zip(axes[0], axes[1])):
    image, label = all_images[index], all_labels[index].item()
    prob, drop = occlusion_map(tinyvgg, image, label)
    image_ax.imshow(image.squeeze().numpy(), cmap="gray")
    image_ax.set_title(f"Test image {index}: {class_names[label]}\nP({class_names[label]}) = {prob:.1%}")
    # Square (r, c) of the map is the patch whose top-left corner is (stride * r, stride * c).
    centre_first, centre_last = patch / 2 - 0.5, starts[-1] + patch / 2 - 0.5
    extent = (centre_first - stride / 2, centre_last + stride / 2, centre_last + stride / 2, centre_first - stride / 2)
    shown = map_ax.imshow(drop.numpy(), cmap="RdBu_r", vmin=-1, vmax=1, extent=extent)
    map_ax.contour(image.squeeze().numpy(), levels=[0.1], colors="black", linewidths=0.6)
    map_ax.set(xlim=(-0.5, 27.5), ylim=(27.5, -0.5), title="Occlusion map")
    for ax in (image_ax, map_ax):
        ax.set(xlabel="column (pixel)", ylabel="row (pixel)")
    r, c = divmod(drop.argmax().item(), len(starts))
    print(f"Test image {index} ({class_names[label]}): P = {prob:.1%} uncovered; the largest drop, "
          f"{drop.max().item():.3f}, with the patch over rows {stride * r}-{stride * r + patch - 1}, "
          f"columns {stride * c}-{stride * c + patch - 1}")
fig.colorbar(shown, ax=axes[1], label="drop in the probability of the true class")
plt.show()

# %% [markdown]
# Read the maps for what they show:
#
# - **Ankle boot.** The reddest squares form a band down the middle of the boot,
#   where its top rises into the shaft: with the patch over rows 10-15, columns
#   12-17, the probability drops by 0.898. The toe and the back of the heel are red
#   too; the background stays white.
# - **Pullover.** The strongest spot is on the sleeve at the image's right, where it runs along the
#   body (rows 10-15, columns 20-25, a drop of 0.825), with weaker ones on both
#   shoulders and above the hem. The lettering on the chest stays almost white.
# - **Trouser.** No patch lowers the probability by more than 0.047: covering any
#   one small part leaves enough of the trousers for the model to stay sure.
#
# So a white square does not mean "unused": it means the model can do without that
# part once the rest of the image is there. The map shows what the answer depends
# on one patch at a time, not everything the model looks at.
