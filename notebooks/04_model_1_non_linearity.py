# %% [markdown] slideshow={"slide_type": "slide"}
# # 04. Model 1: adding non-linearity
#
# Model 0 drew straight lines through 784-dimensional space. Model 1 adds
# **non-linearity**, which should let it learn more complicated patterns. Should.
# More flexibility is not automatically better, and one misplaced layer can hurt.
#
# We train it with notebook 03's functions, compare it with Model 0, then test the
# final ReLU.
#
# > **Note:** On your computer the last digits of the losses, and the accuracies by a
# > fraction of a point, may differ from the ones printed here: how a processor rounds
# > a long sum depends on its vector instructions and thread count, and training
# > compounds those tiny differences.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/04_model_1_non_linearity.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/04_model_1_non_linearity.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F04_model_1_non_linearity.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/04_model_1_non_linearity.ipynb)

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
# 1. [Device and data](#1.-Device-and-data)
# 2. [Model 1: adding non-linearity](#2.-Model-1:-adding-non-linearity)
# 3. [Training Model 1](#3.-Training-Model-1)
# 4. [Model 1 against the baseline](#4.-Model-1-against-the-baseline)
# 5. [Is Model 1 overfitting?](#5.-Is-Model-1-overfitting?)
# 6. [The ReLU after the last layer](#6.-The-ReLU-after-the-last-layer)
# 7. [The experiment: with and without the last ReLU](#7.-The-experiment:-with-and-without-the-last-ReLU)
# 8. [Summary](#Summary)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Device and data
#
# Device-agnostic code, as in notebook 03: an accelerator if there is one, else
# the CPU. The data and DataLoaders are notebook 02's: batches of 32, the training
# batches shuffled by their own generator seeded with 42.

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
class_names = full_train_data.classes

BATCH_SIZE = 32
train_loader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True, generator=torch.Generator().manual_seed(42))
val_loader = DataLoader(val_data, batch_size=BATCH_SIZE, shuffle=False)
print(f"{len(train_loader):,} training batches, {len(val_loader)} validation batches of up to {BATCH_SIZE}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Model 1: adding non-linearity
#
# Model 0 stacked two linear layers. A stack of linear layers is still a linear
# function of its input, however many you stack. A **non-linear activation** such
# as ReLU (`max(0, x)`, applied to every number) between them breaks that, and lets
# the model bend its decision boundaries.
#
# Model 1 is Model 0 with an `nn.ReLU()` after **each** linear layer, the last one
# included. Hold on to that detail; section 6 comes back to it.

# %%
class FashionMNISTModelV1(nn.Module):
    """Model 1: the baseline with a ReLU after each linear layer. The last ReLU is
    a mistake kept on purpose (notebook 04): a classifier should output raw logits."""

    def __init__(self, input_shape: int, hidden_units: int, output_shape: int):
        super().__init__()
        self.layer_stack = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features=input_shape, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=output_shape),
            nn.ReLU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer_stack(x)


# %% [markdown]
# > **Note:** `FashionMNISTModelV1` now lives in `helper_functions.py`, exactly as
# > written above. From here on we import it from there:

# %%
from helper_functions import FashionMNISTModelV1

set_seeds(42)
model_1 = FashionMNISTModelV1(input_shape=784, hidden_units=10, output_shape=len(class_names)).to(device)
model_1

# %% [markdown]
# `model.to(device)` moves every parameter to the device. The data must be on the
# same device as the model, so the training code moves each batch with
# `X.to(device)`; a CPU tensor fed to a GPU model is an error.

# %%
print(f"Model 1's parameters are on: {next(model_1.parameters()).device}")

# %%
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(params=model_1.parameters(), lr=0.1)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Training Model 1
#
# Three epochs, the same hyperparameters as Model 0, timed.

# %%
train_time_start = timer()
model_1_history = train(
    model=model_1,
    train_loader=train_loader,
    val_loader=val_loader,
    loss_fn=loss_fn,
    optimizer=optimizer,
    accuracy_fn=accuracy_fn,
    epochs=3,
    device=device,
)
train_time_end = timer()
total_train_time_model_1 = print_train_time(start=train_time_start, end=train_time_end, device=device)

# %%
model_1_results = eval_model(model=model_1, data_loader=val_loader, loss_fn=loss_fn, device=device)
model_1_results

# %% [markdown]
# Model 1 ends at 81.72% validation accuracy. But look at the epochs: after epochs 1
# and 2 its validation accuracy was only 74.78% and 73.14%, and epoch 3 alone added
# about 9 points. The training accuracy of epoch 3, 80.33%, is below the validation
# accuracy because it is a running average over the epoch (notebook 02, section
# 8): many of its batches were scored before the jump. The curves show it:

# %%
plot_loss_curves(model_1_history)
plt.show()

# %% [markdown]
# Model 0 in notebook 02 reached 82.68% in its first epoch and then only wobbled.
# Model 1's validation accuracy and loss stall for two epochs, then both improve
# at once in epoch 3. The rest of this notebook examines two usual suspects, and
# finds that one of them can do far worse.
#
# First we save Model 1 and its results in `models/`, as notebook 03 did for
# Model 0, so that later notebooks can load it instead of training it again. The
# record has the same fields that the course's training recipe returns, and this
# is exactly its recipe, so the model is the same either way.

# %%
from cv_course.recipe import save_course_model

model_1_record = {**model_1_results, "train_time": total_train_time_model_1, "device": str(device), "epochs": 3}
saved_path = save_course_model("model_1", model_1, model_1_record)
print(f"Saved model_1 to models/{saved_path.name}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Model 1 against the baseline
#
# Notebook 03 saved the trained Model 0 in `models/`. `load_or_train_course_model`
# loads it from there, or, if this notebook runs on its own and there is no saved
# copy, says so and trains it the course's way first. Either way we get the same model.

# %%
from cv_course.recipe import load_or_train_course_model

model_0, model_0_results = load_or_train_course_model("model_0", device=device)
for results in (model_0_results, model_1_results):
    print(f"{results['model_name']}: validation loss {results['model_loss']:.4f}, validation accuracy {results['model_acc']:.2f}%")

# %% [markdown]
# Nearly a tie: Model 1 is a quarter of a point behind in accuracy, a little
# ahead in loss. In the original version of this course, Model 1 did clearly
# *worse* than the baseline (about 75% against about 83% test accuracy, trained
# on all 60,000 images), and its first two
# epochs here were far behind too. A non-linearity should have helped, so
# what is going on? There are two suspects: overfitting, and the ReLU after the
# last layer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Is Model 1 overfitting?
#
# **Overfitting** means a model learns its training data well but does not carry
# what it learned over to new data: high training accuracy, clearly lower validation
# accuracy. It is the usual suspect when a more flexible model does worse on the validation set.
# The way to find out is to measure both with the final weights (notebook 02
# showed why the running training average will not do). Evaluation updates no
# weights, so we can use batches of 1000 images here: fewer, bigger batches.

# %%
train_loader_1000 = DataLoader(train_data, batch_size=1000)
val_loader_1000 = DataLoader(val_data, batch_size=1000)
for name, model in (("Model 0", model_0.to(device)), ("Model 1", model_1)):
    on_train = eval_model(model, train_loader_1000, loss_fn, device=device)
    on_val = eval_model(model, val_loader_1000, loss_fn, device=device)
    print(f"{name}: train accuracy {on_train['model_acc']:.2f}%, validation accuracy {on_val['model_acc']:.2f}%, "
          f"gap {on_train['model_acc'] - on_val['model_acc']:.2f} points")

# %% [markdown]
# No sign of overfitting: both models score about as well on new images as
# on the images they trained on, with gaps of 0.83 and 0.80 points, and Model 1's
# gap is not larger than Model 0's. With 10 hidden units and 3 epochs, the model is
# too small and trained too briefly to memorise its training images.
#
# Overfitting is a real danger with bigger models and longer training (the usual
# remedies: more data, a smaller or different model, regularisation), and it is
# the first thing to check when a model does worse on the validation set. Here it is
# not the culprit.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. The ReLU after the last layer
#
# The last layer produces the **logits**: one score per class, where the largest
# wins and cross-entropy turns the scores into probabilities. Model 1 passes them
# through a ReLU, which turns every negative score into exactly 0. Scores that are
# never negative could still express any probabilities (softmax only cares about
# the differences between scores); the harm is done to **learning**:
#
# 1. A score clipped to 0 gets **no gradient** through the ReLU, so for that image
#    training cannot push it up, even when it belongs to the right class.
# 2. If a class's score is clipped for almost every image, that class almost never
#    wins (except class 0, which wins all-zero ties, as we will see), and its last-layer weights
#    learn nothing from those images; only a change in the hidden layer can revive
#    it, and often none does.
#
# How much of Model 1's output is clipped?

# %%
from helper_functions import dataset_to_tensors, make_batch_loader

val_images, val_labels = dataset_to_tensors(val_data).tensors  # all 5,000 at once, as ToTensor scales them
model_1.eval()
with torch.inference_mode():
    val_logits = model_1(val_images.to(device)).cpu()

clipped = val_logits == 0
true_class_clipped = clipped[torch.arange(len(val_labels)), val_labels]
print(f"Validation logits that are exactly 0:          {clipped.float().mean().item() * 100:.1f}%")
print(f"Validation images whose true class scores 0:   {true_class_clipped.sum().item()} of {len(val_labels)}")

# %% [markdown]
# Almost half of all the scores (47.4%) are clipped to 0, and for 20 validation
# images the score of the right class is stuck at 0. Our Model 1 still predicts
# every class; whether a model does depends on how training happens to go.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. The experiment: with and without the last ReLU
#
# To test the explanation we change one thing at a time. The function below seeds
# and builds Model 1, optionally removes the last layer of its `layer_stack` (the
# final ReLU has no weights, so the starting weights stay identical), and trains it
# with the same recipe as in section 3. Only the **shuffle seed** of the training
# batches varies, so we see how much the result depends on the order of the
# batches. For each trained model we print its validation accuracy and the classes it
# never predicts.
#
# > **Note:** seven models train here. To keep the wait short they get their
# > batches from `make_batch_loader` in `helper_functions.py`: exactly the batches
# > of a `DataLoader` shuffled with the same seed, cut from the images converted to
# > one tensor in advance (notebook 03's optional section shows how).

# %%
train_tensors = dataset_to_tensors(train_data)
fast_val_loader = make_batch_loader(dataset_to_tensors(val_data), batch_size=1000)


def predictions_per_class(model: nn.Module) -> torch.Tensor:
    """How many of the 5,000 validation images ``model`` predicts as each class."""
    model.eval()
    with torch.inference_mode():
        predicted = model(val_images.to(device)).argmax(dim=1).cpu()
    return torch.bincount(predicted, minlength=len(class_names))


def classes_never_predicted(model: nn.Module) -> list[str]:
    """The classes that ``model`` predicts for none of the validation images."""
    return [name for name, count in zip(class_names, predictions_per_class(model)) if count == 0]


def train_model_1_variant(shuffle_seed: int, final_relu: bool) -> nn.Module:
    """Model 1 (optionally without its final ReLU) trained for 3 epochs on
    batches shuffled with ``shuffle_seed``."""
    set_seeds(42)
    model = FashionMNISTModelV1(input_shape=784, hidden_units=10, output_shape=len(class_names))
    if not final_relu:
        model.layer_stack = model.layer_stack[:-1]  # drop the final nn.ReLU()
    model.to(device)
    shuffled_loader = make_batch_loader(train_tensors, batch_size=BATCH_SIZE, shuffle=True, seed=shuffle_seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train(model, shuffled_loader, fast_val_loader, loss_fn, optimizer, epochs=3, device=device, progress=False)
    return model


# %%
variants = {}  # (shuffle seed, final ReLU?) -> trained model
print(f"{'shuffle seed':<13} {'with the final ReLU':<42} {'without it':<12}")
for shuffle_seed in (42, 0, 1, 2):
    cells = []
    for final_relu in (True, False):
        if shuffle_seed == 42 and final_relu:
            model = model_1  # trained in section 3 with exactly this recipe
        else:
            model = train_model_1_variant(shuffle_seed, final_relu)
        variants[shuffle_seed, final_relu] = model
        accuracy = eval_model(model, fast_val_loader, loss_fn, device=device)["model_acc"]
        never_predicted = classes_never_predicted(model)
        missing = f" (never predicts {', '.join(never_predicted)})" if never_predicted else ""
        cells.append(f"{accuracy:.2f}%{missing}")
    print(f"{shuffle_seed:<13} {cells[0]:<42} {cells[1]:<12}")

# %% [markdown]
# The lines between the rows come from the training doctor that `train()` runs after
# each epoch (notebook 09): it named the dead classes of seeds 0, 1 and 2 by number
# (3 is Dress, 9 is Ankle boot) and blamed the final ReLU.
#
# The pattern is clear. **With** the final ReLU, the result depends on the
# order of the batches: with our seed 42, Model 1 nearly ties the baseline, but
# with the other orders it ended at 73.40%, 66.68% and 63.08%, never predicting
# Ankle boot, or Dress and Ankle boot. A class never predicted costs up to about 10
# points (a tenth of the images). That is the trap described above: a score clipped
# to 0 for nearly every image gets almost no gradient, and here it stayed dead. **Without** the final ReLU, the same
# model ends between 80.44% and 82.60% with every order: every class is predicted,
# and the result lands around the baseline's 81.96%, above it for two orders,
# below for two. So the final ReLU explains the collapses, not the near
# tie: with seed 42, removing it lifts the score from Model 1's 81.72% to 82.60%,
# but the batch order alone moves the models without it further than that. The
# roughly 75% that Model 1 scored in the original version of this course looks like
# one of the unlucky runs.
#
# > **Lesson:** don't put an activation after the last layer of a classifier.
# > `nn.CrossEntropyLoss` expects raw logits, positive and negative. We keep
# > `FashionMNISTModelV1` as it is: it is the model the course compares in
# > notebook 06, mistake included.
#
# Why doesn't the non-linearity help more? With 10 hidden units and 3 epochs, the
# bent model gets about as far as the straight one. Notebook 05's convolutional
# network changes what the model sees, not just how it bends.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Predictions per class
#
# What does a dead class look like? Each bar below counts how many of the 5,000
# validation images a model assigns to a class; a perfect model would reach the
# black mark, the class's true count (about 500), for every class. Three models from the table: Model 1 from
# section 3, and the two models trained on the batch order of shuffle seed 0.

# %%
shown = {
    "Model 1 (seed 42, final ReLU)": variants[42, True],
    "seed 0, final ReLU": variants[0, True],
    "seed 0, no final ReLU": variants[0, False],
}
positions = torch.arange(len(class_names))
bar_width = 0.27
fig, ax = plt.subplots(figsize=(11, 4))
for offset, (label, model) in zip((-1, 0, 1), shown.items()):
    ax.bar((positions + offset * bar_width).numpy(), predictions_per_class(model).numpy(), width=bar_width, label=label)
ax.scatter(positions.numpy(), val_labels.bincount(minlength=len(class_names)).numpy(), marker="_", s=600, color="black", label="validation images per class")
ax.set_xticks(positions, class_names, rotation=30, ha="right")
ax.set_ylabel("validation images predicted as the class")
ax.legend(fontsize=8)
plt.show()

for label, model in shown.items():
    print(f"{label:<30} {predictions_per_class(model).tolist()}")

# %% [markdown]
# The left bars, Model 1 from section 3, are not perfect (too many T-shirts/tops,
# too few Coats), but every class is predicted.
# The middle bars, the model with the final ReLU trained on seed 0's batch order,
# are empty for Ankle boot: that class never wins, and the T-shirt/top bar rises to
# 917, far above its mark. The right bars come from
# the same batches and the same starting weights without the final ReLU, and
# every class is predicted again.
#
# Why T-shirt/top? Look at the images for which that model clips **all ten**
# logits to 0:

# %%
dead_model = variants[0, True]
dead_model.eval()
with torch.inference_mode():
    dead_logits = dead_model(val_images.to(device)).cpu()
all_zero = (dead_logits == 0).all(dim=1)
print(f"Validation images with all ten logits exactly 0: {all_zero.sum().item()}")
print(f"Predicted class of those images: {sorted({class_names[i] for i in dead_logits[all_zero].argmax(dim=1).tolist()})}")
zero_rows_per_class = torch.bincount(val_labels[all_zero], minlength=len(class_names))
print(f"Their true classes: {dict(zip(class_names, zero_rows_per_class.tolist()))}")

# %% [markdown]
# For those images every score is 0, a ten-way tie, and `argmax` returns the first
# of equal values: index 0, T-shirt/top. Nearly all are Ankle boots, the dead class
# (the rest are Sandals and Sneakers); without these 406 ties, the T-shirt/top bar
# would sit near its mark. Their loss is exactly ln 10 (all ten classes equally
# likely), and no gradient flows back through a ReLU output of 0: these images
# teach the model nothing, however wrong it is about them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - **Model 1** adds ReLU activations between Model 0's linear layers, and one
#   after the last layer. With our batch order it nearly ties the baseline (81.72%
#   against 81.96%) after a slow start; the final ReLU is not why it ties.
# - It is not **overfitting**: its training and validation accuracies are close. Compare
#   both whenever a bigger model does worse on the validation set.
# - The **ReLU after the last layer** clips negative logits to 0, and a clipped
#   score gets no gradient. With other batch orders whole classes die: the model
#   never predicts them and loses up to about 10 points per dead class; an image whose ten
#   scores are all 0 is a tie that `argmax` breaks as class 0.
# - **Without that last ReLU** the model lands around the baseline (80.44% to 82.60%)
#   with every order we tried. A classifier's last layer outputs raw logits.
# - `FashionMNISTModelV1` now lives in `helper_functions.py`, and Model 1 is saved
#   in `models/` for the notebooks that compare the models.
#
# **Next:** notebook 05 builds a convolutional network, which looks at pixels
# together with their neighbours instead of one long row of numbers.
