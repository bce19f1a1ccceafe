# %% [markdown] slideshow={"slide_type": "slide"}
# # 07. A confusion matrix
#
# Accuracy tells us *how often* a model is wrong. It does not tell us *how* it is
# wrong. Does our best model confuse sandals with sneakers, or shirts with
# T-shirts? A confusion matrix answers that: it counts, for every true class, how
# often the model predicted each class.
#
# In this notebook we predict the whole test set with the best model from
# notebook 06, build a confusion matrix with `torchmetrics`, plot it with
# `mlxtend`, and let code find the classes the model mixes up most.
#
# > **Note:** A model trained on another computer ends up slightly different (processors
# > round long sums differently, and training compounds it), so your counts may differ a
# > little from the ones printed here.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/07_confusion_matrix.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/07_confusion_matrix.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F07_confusion_matrix.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/07_confusion_matrix.ipynb)

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
# 1. [The best model and the test data](#1.-The-best-model-and-the-test-data)
# 2. [Predictions on the whole test set](#2.-Predictions-on-the-whole-test-set)
# 3. [A classic bug: softmax over the wrong dimension](#3.-A-classic-bug:-softmax-over-the-wrong-dimension)
# 4. [What a confusion matrix is](#4.-What-a-confusion-matrix-is)
# 5. [Computing it with torchmetrics](#5.-Computing-it-with-torchmetrics)
# 6. [Plotting it with mlxtend](#6.-Plotting-it-with-mlxtend)
# 7. [Which classes are confused most?](#7.-Which-classes-are-confused-most?)
# 8. [Summary](#Summary)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The best model and the test data
#
# Notebook 06 chose `model_2`, the TinyVGG convolutional network, as the most
# accurate of the three on the validation set, and tested it once. Here we break
# that one test down by class. `load_or_train_course_model` loads it from `models/`,
# or the copy that comes with the course if it is not there (for example in a fresh
# Colab session), so this notebook runs on its own.

# %%
import matplotlib.pyplot as plt
import torch
import torchmetrics
from mlxtend.plotting import plot_confusion_matrix
from torchmetrics import ConfusionMatrix
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

from cv_course.recipe import load_or_train_course_model
from helper_functions import prepare_fashion_mnist

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

data_root = prepare_fashion_mnist()
test_data = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())
class_names = test_data.classes

model_2, model_2_results = load_or_train_course_model("model_2", device=device)
print(f"{model_2_results['model_name']}: {model_2_results['model_acc']:.2f}% validation accuracy")
print(f"torchmetrics version: {torchmetrics.__version__}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Predictions on the whole test set
#
# We need one predicted label for each of the 10,000 test images. A `DataLoader`
# hands them out in batches of 1000 (evaluation updates no weights, so big batches
# are fine and fast). For each batch the model gives logits of shape
# `[batch_size, 10]`:
#
# 1. **logits → probabilities:** `torch.softmax(logits, dim=1)`, across the ten classes of each image;
# 2. **probabilities → labels:** `argmax(dim=1)`, the most probable class of each image.

# %%
test_loader = DataLoader(test_data, batch_size=1000, shuffle=False)

y_preds = []
model_2.eval()
with torch.inference_mode():
    for X, y in test_loader:
        y_logits = model_2(X.to(device))
        y_pred_probs = torch.softmax(y_logits, dim=1)  # dim=1: the class dimension
        y_preds.append(y_pred_probs.argmax(dim=1).cpu())

y_pred_tensor = torch.cat(y_preds)
test_targets = test_data.targets
print(f"Predicted labels: shape {tuple(y_pred_tensor.shape)}, first ten {y_pred_tensor[:10].tolist()}")
print(f"True labels:      shape {tuple(test_targets.shape)}, first ten {test_targets[:10].tolist()}")
print(f"Accuracy: {(y_pred_tensor == test_targets).float().mean().item():.2%}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# That is the 88.07% test accuracy that notebook 06 measured for the best model with
# `eval_model` (the 88.50% printed at the top is the validation accuracy saved with
# the model). The match is a good sign that the loop makes the same predictions (a
# matching score alone cannot prove it; comparing the predictions image by image
# can, as notebook 08 does when it saves and loads a model).
#
# > **Note:** For the labels alone, `y_logits.argmax(dim=1)` gives the same answer:
# > softmax never changes which value in a row is largest. We take the path through
# > the probabilities anyway, to show every step; notebook 06 used them to rank the
# > model's wrong predictions by confidence.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. A classic bug: softmax over the wrong dimension
#
# `torch.softmax(y_logits, dim=0)` runs just as happily, but with `dim=0` each
# *class column* is normalised across the images of the batch. An image's
# "probabilities" then depend on which other images share its batch, and its row no
# longer sums to 1. Watch what it does to the labels:

# %%
X, y = next(iter(test_loader))
with torch.inference_mode():
    y_logits = model_2(X.to(device)).cpu()

right_probs = torch.softmax(y_logits, dim=1)
wrong_probs = torch.softmax(y_logits, dim=0)
print(f"First three row sums with dim=1: {[round(s, 4) for s in right_probs.sum(dim=1)[:3].tolist()]}")
print(f"First three row sums with dim=0: {[round(s, 4) for s in wrong_probs.sum(dim=1)[:3].tolist()]}")
print(f"Accuracy on this batch with dim=1: {(right_probs.argmax(dim=1) == y).float().mean().item():.1%}")
print(f"Accuracy on this batch with dim=0: {(wrong_probs.argmax(dim=1) == y).float().mean().item():.1%}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Same model, same weights, a lower "accuracy", and no error message to warn you.
# Worse, the damage depends on the batch: with other images alongside, the same
# image can get a different label.
#
# > **Tip:** After a softmax, check that `probs.sum(dim=1)` is all ones. For
# > tensors shaped `[batch, classes]` the classes are `dim=1` (or `dim=-1`, the last
# > dimension, which also works for a single image of shape `[classes]`).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. What a confusion matrix is
#
# A confusion matrix for ten classes is a 10x10 table of counts:
#
# - **row** = the true class, **column** = the predicted class;
# - the **diagonal** counts the correct predictions (true class = predicted class);
# - every cell **off the diagonal** counts one kind of mistake: "images of class
#   *row* that the model called class *column*".
#
# Each row sums to the number of test images of that class (1,000 for every class
# in FashionMNIST), and the whole matrix sums to 10,000.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Computing it with torchmetrics
#
# [`torchmetrics`](https://lightning.ai/docs/torchmetrics/stable/) has ready-made,
# tested metrics for PyTorch tensors.
# [`ConfusionMatrix`](https://lightning.ai/docs/torchmetrics/stable/classification/confusion_matrix.html)
# needs the kind of task and the number of classes; calling it with the
# predictions and the targets returns the matrix.
#
# > **Note:** Where `torchmetrics` or `mlxtend` is missing (Colab lacks
# > `torchmetrics`), the set-up cell at the top installs it with the course.

# %%
confmat = ConfusionMatrix(task="multiclass", num_classes=len(class_names))
confmat_tensor = confmat(preds=y_pred_tensor, target=test_targets)
print(confmat_tensor)

# %%
print(f"Sum of each row:  {confmat_tensor.sum(dim=1).tolist()}")
print(f"Correct (diagonal): {confmat_tensor.diag().sum().item()} of {confmat_tensor.sum().item()}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Plotting it with mlxtend
#
# A grid of numbers is hard to read. `mlxtend.plotting.plot_confusion_matrix`
# draws it as a heat map with the class names on the axes. It expects a NumPy
# array, so we convert the tensor first.

# %%
fig, ax = plot_confusion_matrix(
    conf_mat=confmat_tensor.numpy(),
    class_names=class_names,
    figsize=(9, 7),
)
ax.set(xlabel="predicted label", ylabel="true label")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# A good model has a dark diagonal and a pale rest. The darker cells off the
# diagonal are where it goes wrong. Rather than squinting at colours, let code find
# them for us.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Which classes are confused most?
#
# We blank out the diagonal (the correct predictions) and sort the remaining
# cells from largest to smallest. Each cell's position in the flattened 10x10
# matrix gives back its row (true class) and column (predicted class).

# %%
mistakes = confmat_tensor.clone()
mistakes.fill_diagonal_(0)

counts, positions = mistakes.flatten().sort(descending=True, stable=True)
n_classes = len(class_names)
print("Most common mistakes (true -> predicted):")
for count, position in zip(counts[:5].tolist(), positions[:5].tolist()):
    true_class, pred_class = divmod(position, n_classes)
    print(f"  {class_names[true_class]:>11} -> {class_names[pred_class]:<11} {count:4d} images")

# %% [markdown] slideshow={"slide_type": "subslide"}
# Confusion often goes both ways. Adding the matrix to its transpose counts the
# mistakes between two classes in either direction; keeping only the upper
# triangle counts each pair once.

# %%
pair_counts = torch.triu(mistakes + mistakes.T, diagonal=1)
counts, positions = pair_counts.flatten().sort(descending=True, stable=True)
print("Most confused pairs (both directions):")
most_confused = []
for count, position in zip(counts[:3].tolist(), positions[:3].tolist()):
    a, b = divmod(position, n_classes)
    most_confused.append((class_names[a], class_names[b]))
    print(f"  {class_names[a]} and {class_names[b]}: {count} images")

# %% [markdown] slideshow={"slide_type": "subslide"}
# The classes the model mixes up are the ones that look alike even to us: tops with
# sleeves and a neckline. All three pairs above lie among T-shirts, shirts,
# pullovers and coats, and the shirt, which can look like any of the others, is in
# two of them. Classes with a distinctive outline fare far better: the three kinds
# of shoes are sometimes confused with one another but never taken for a garment (the
# shoe rows hold zeros in every clothing column), and trousers and bags are rarely
# mistaken.
#
# This points to where to improve: more capacity or more training helps the model
# tell similar shapes apart, and checking a sample of the confused images (as in
# notebook 06) shows how many of the "mistakes" are really ambiguous pictures or
# debatable labels. Any such change makes a new model, to be compared with this one
# on the validation set: the test score above stays the chosen model's report.
#
# > **Question:** The per-class accuracy is the diagonal divided by each row's sum.
# > Which class has the lowest one? Try `confmat_tensor.diag() / confmat_tensor.sum(dim=1)`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Predict a whole dataset batch by batch: logits → `torch.softmax(..., dim=1)` →
#   `argmax(dim=1)`, then `torch.cat` the batches.
# - Softmax over the wrong dimension gives no error, just wrong numbers: check that
#   each row of probabilities sums to 1.
# - A confusion matrix counts predictions per (true class, predicted class); the
#   diagonal holds the correct ones. `torchmetrics.ConfusionMatrix(task="multiclass",
#   num_classes=...)` computes it and `mlxtend.plotting.plot_confusion_matrix` draws it.
# - Read the largest off-diagonal cells with code, not by eye: they name the classes
#   the model confuses most.
#
# ### Extra-curriculum
#
# - Compute the confusion matrix of `model_0` on the validation set. Does the
#   linear baseline confuse the same classes?
# - Look up `normalize="true"` in the `ConfusionMatrix` documentation. What do the
#   numbers mean then?
