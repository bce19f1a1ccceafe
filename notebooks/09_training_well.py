# %% [markdown] slideshow={"slide_type": "slide"}
# # 09. Training well: how training works and how to judge a change
#
# You can train three models. Now: make one *better*, and know that it got better.
# We open up `optimizer.step()`, choose a learning rate, watch a model overfit, meet
# BatchNorm, Dropout and Adam, and tell a real gain from one lucky run. Last, a
# *training doctor* names what went wrong when a model does not learn.
#
# For speed we train on **10,000 of the 55,000 training images**, held as one tensor
# (notebook 03's fast data path): accuracies are lower than the course's models reach.
#
# > **Note:** Your last digits may differ: processors round long sums differently.

# %% [markdown] tags=["colab-badge"]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/09_training_well.ipynb) [![Open in Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src=https://github.com/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/09_training_well.ipynb) [![Open in Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/pytorch-cv-course/pytorch-computer-vision/v1.4.0?labpath=notebooks%2F09_training_well.ipynb) [![Open in SageMaker Studio Lab](https://studiolab.sagemaker.aws/studiolab.svg)](https://studiolab.sagemaker.aws/import/github/pytorch-cv-course/pytorch-computer-vision/blob/v1.4.0/notebooks/09_training_well.ipynb)

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
# 1. [Gradient descent, one step at a time](#1.-Gradient-descent,-one-step-at-a-time)
# 2. [Learning rates: too small, right, too large](#2.-Learning-rates:-too-small,-right,-too-large)
# 3. [Finding a learning rate: the range test](#3.-Finding-a-learning-rate:-the-range-test)
# 4. [Overfitting you can see, and keeping the best epoch](#4.-Overfitting-you-can-see,-and-keeping-the-best-epoch)
# 5. [BatchNorm, Dropout and Adam on small tensors](#5.-BatchNorm,-Dropout-and-Adam-on-small-tensors)
# 6. [Noise or signal? Judging a change](#6.-Noise-or-signal?-Judging-a-change)
# 7. [The training doctor](#7.-The-training-doctor)
# 8. [Summary](#Summary)

# %%
import copy
import math

import pandas as pd
import torch
from torch import nn
from torch.utils.data import TensorDataset
from torchvision import datasets
from torchvision.transforms import v2

from helper_functions import FashionMNISTModelV0, dataset_to_tensors, make_batch_loader, prepare_fashion_mnist
from helper_functions import set_seeds, split_train_validation, test_step, train, train_step

data_root = prepare_fashion_mnist()
train_part, val_part = split_train_validation(datasets.FashionMNIST(root=data_root, train=True))
train_images, train_labels = dataset_to_tensors(train_part).tensors
small_train = TensorDataset(train_images[:10_000], train_labels[:10_000])
val_data = dataset_to_tensors(val_part)
val_loader = make_batch_loader(val_data, batch_size=1000)
loss_fn = nn.CrossEntropyLoss()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Gradient descent, one step at a time
#
# Each training step: `optimizer.zero_grad()` empties every `.grad`,
# `loss.backward()` adds the slope of the loss to it, and `optimizer.step()` moves
# each parameter a little *downhill*. For plain SGD, "a little downhill" is:
#
# $$w \leftarrow w - \text{lr} \times \frac{\partial\,\text{loss}}{\partial w}$$
#
# Checked on a real weight of Model 0, with one real batch:

# %%
set_seeds(42)
model = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
X, y = next(iter(make_batch_loader(small_train, batch_size=32)))

loss = loss_fn(model(X), y)
optimizer.zero_grad()
loss.backward()
weight = model.layer_stack[1].weight  # the first Linear layer: 10 x 784
before, grad = weight[0, 400].item(), weight.grad[0, 400].item()
by_hand = weight.detach() - 0.1 * weight.grad  # every weight, the SGD rule
optimizer.step()
print(f"weight[0, 400]: {before:.6f} - 0.1 x ({grad:.6f}) = {before - 0.1 * grad:.6f}; after step(): {weight[0, 400].item():.6f}")
print(f"the rule gives step()'s result for all 7,840 weights: {torch.allclose(weight, by_hand)}")

# %% [markdown]
# That is all SGD's `optimizer.step()` does: the gradient says which way is uphill,
# the learning rate how far to step the other way.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Learning rates: too small, right, too large
#
# Model 0, one pass at each of 0.001, 0.1 (the course's) and 0.5, loss per batch:

# %%
def batch_losses(model: nn.Module, loader, lr: float) -> list[float]:
    """Train `model` for one pass over `loader` with SGD; return the loss of every batch."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for X, y in loader:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


lr_models, lr_losses = {}, {}
for lr in [0.001, 0.1, 0.5]:
    set_seeds(42)
    lr_models[lr] = FashionMNISTModelV0(input_shape=784, hidden_units=10, output_shape=10)
    lr_losses[f"lr = {lr}"] = batch_losses(lr_models[lr], make_batch_loader(small_train, 32, shuffle=True, seed=42), lr)
    print(f"lr {lr:<5}: validation accuracy {test_step(lr_models[lr], val_loader, loss_fn)[1]:.2f}%")

first_nan = next(i for i, loss in enumerate(lr_losses["lr = 0.5"]) if math.isnan(loss))
print(f"lr 0.5: first losses {[round(loss, 1) for loss in lr_losses['lr = 0.5'][:4]]}, nan from batch {first_nan}")
ax = pd.DataFrame(lr_losses).plot(logy=True, xlabel="batch", ylabel="training loss (log scale)", figsize=(8, 4),
                                  title="One pass of Model 0 at three learning rates")

# %% [markdown]
# - **Too small (0.001):** tiny steps; the loss barely leaves ln 10 = 2.30, an even
#   guess's loss.
# - **Right (0.1):** the loss falls quickly, then settles.
# - **Too large (0.5):** each step overshoots the bottom of the valley and lands
#   higher on the far side, where a steeper gradient throws it further still. Weights
#   and logits grow until they overflow to `inf`, and `inf - inf` is `nan` ("not a
#   number"): the loss and every weight turn `nan`, and the line ends.
#
# A model full of `nan` predicts index 0 (`argmax` of a row of `nan`), "T-shirt/top",
# for every image, so its accuracy is the share of T-shirts among the images:

# %%
with torch.inference_mode():
    predictions = lr_models[0.5](val_data.tensors[0]).argmax(dim=1)
share_of_t_shirts = (val_data.tensors[1] == 0).float().mean().item() * 100
print(f"classes predicted: {predictions.unique().tolist()} | T-shirts among validation images: {share_of_t_shirts:.2f}%")

# %% [markdown]
# A `nan` loss with an accuracy near one in ten is the signature of a learning rate
# that blew up.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Finding a learning rate: the range test
#
# The **learning-rate range test** tries every rate in one pass: start tiny, multiply
# the rate by the same factor after every batch (`ExponentialLR` does that), and
# record the loss. Too small, the loss stays flat; useful, it falls; too large, it
# shoots up, and we stop.

# %%
def lr_range_test(model: nn.Module, loader, start: float = 1e-4, end: float = 10.0) -> tuple[list[float], list[float]]:
    """One pass over `loader`, the learning rate growing exponentially from `start` to `end`;
    returns the rates and the losses (it stops once the loss explodes)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=start)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=(end / start) ** (1 / len(loader)))
    rates, losses = [], []
    for X, y in loader:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        rates.append(scheduler.get_last_lr()[0])
        losses.append(loss.item())
        if not math.isfinite(losses[-1]) or losses[-1] > 4 * min(losses):
            break  # the loss exploded: larger rates are useless
        scheduler.step()
    return rates, losses


set_seeds(42)
rates, losses = lr_range_test(FashionMNISTModelV0(784, 10, 10), make_batch_loader(small_train, 32, shuffle=True, seed=42))
curve = pd.DataFrame({"loss of each batch": losses}, index=pd.Index(rates, name="learning rate"))
# one batch's loss is noisy: smooth it with a running average that weighs recent batches most
curve["smoothed"] = curve["loss of each batch"].ewm(alpha=0.1).mean()
chosen_lr = curve["smoothed"].idxmin() / 10
print(f"lowest smoothed loss at lr {curve['smoothed'].idxmin():.3f} -> choose lr = {chosen_lr:.3f}")
chosen_line = curve.plot(logx=True, ylim=(0, 3), ylabel="training loss", figsize=(8, 4)).axvline(chosen_lr, color="black", ls="--")

# %% [markdown]
# Left to right: flat, falling, blow-up. The rule of thumb takes a rate **ten times
# smaller than where the smoothed loss is lowest**: still fast, with a margin below
# the rates that diverge. One pass with it:

# %%
set_seeds(42)
model = FashionMNISTModelV0(784, 10, 10)
batch_losses(model, make_batch_loader(small_train, 32, shuffle=True, seed=42), chosen_lr)
print(f"lr {chosen_lr:.3f}: validation accuracy after one pass {test_step(model, val_loader, loss_fn)[1]:.2f}% (lr 0.1 above)")

# %% [markdown]
# The range test picks 0.023, a quarter of the course's 0.1; both score about the same.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Overfitting you can see, and keeping the best epoch
#
# A model **overfits** when it learns the training images themselves instead of what
# makes a coat a coat. To see it, we give a roomy model (two hidden layers of 256
# units) only **1,000** training images and 40 epochs, measure it on the validation
# set after each epoch, and keep a copy of the weights of the best epoch.

# %%
set_seeds(42)
big_model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
optimizer = torch.optim.Adam(big_model.parameters(), lr=0.001)  # section 5 explains Adam: it fits fast
tiny_loader = make_batch_loader(TensorDataset(train_images[:1000], train_labels[:1000]), 32, shuffle=True, seed=42)
history, best = [], {"val_loss": float("inf")}
for epoch in range(1, 41):
    train_loss, train_acc = train_step(big_model, tiny_loader, loss_fn, optimizer)
    val_loss, val_acc = test_step(big_model, val_loader, loss_fn)
    history.append({"training loss": train_loss, "validation loss": val_loss})
    if val_loss < best["val_loss"]:  # the best epoch so far: keep a copy of its weights
        # deepcopy: state_dict() holds the live tensors, which the next epochs keep changing
        best = {"epoch": epoch, "val_loss": val_loss, "val_acc": val_acc, "state_dict": copy.deepcopy(big_model.state_dict())}

print(f"best epoch {best['epoch']}: validation loss {best['val_loss']:.4f}, accuracy {best['val_acc']:.2f}%")
print(f"epoch 40: validation loss {val_loss:.4f}, accuracy {val_acc:.2f}% | training loss {train_loss:.4f}, accuracy {train_acc:.2f}%")
history = pd.DataFrame(history, index=pd.RangeIndex(1, 41, name="epoch"))
best_line = history.plot(figsize=(8, 4), ylabel="loss", title="1,000 training images, a roomy model").axvline(best["epoch"], color="black", ls="--")

# %% [markdown]
# The training loss keeps falling: the model learns its 1,000 images ever better.
# The validation loss falls to its lowest point, then **turns up**: overfitting. The
# validation accuracy barely moves (79.10% at the best epoch, 80.36% at the last):
# the model grows overconfident, so its mistakes cost ever more loss.
#
# Keep **the best epoch's weights** (`state_dict`, notebook 08); stopping once the
# validation loss stops improving is **early stopping**. More data, augmentation,
# Dropout or a smaller model overfit less.

# %%
big_model.load_state_dict(best["state_dict"])
print(f"restored: validation accuracy {test_step(big_model, val_loader, loss_fn)[1]:.2f}% (epoch {best['epoch']})")

# %% [markdown]
# > **Note:** The validation set chooses the best epoch, as it chooses the best model
# > in notebook 06; the test set stays out.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. BatchNorm, Dropout and Adam on small tensors
#
# ### BatchNorm
#
# `nn.BatchNorm2d(C)` standardises each of the C channels: in training it subtracts
# the **batch's** mean of that channel and divides by the batch's standard
# deviation, then applies a learned scale (`weight`, starting at 1) and shift
# (`bias`, at 0). Steady inputs to every layer let a network learn faster.

# %%
torch.manual_seed(0)
x = torch.randn(8, 2, 3, 3) * 4 + 10  # a batch of 8, 2 channels of 3x3, far from 0
bn = nn.BatchNorm2d(num_features=2)

mean = x.mean(dim=(0, 2, 3), keepdim=True)  # one mean per channel, over the batch and positions
var = x.var(dim=(0, 2, 3), keepdim=True, correction=0)  # the batch's variance, divided by n
by_hand = (x - mean) / torch.sqrt(var + bn.eps) * bn.weight.view(1, 2, 1, 1) + bn.bias.view(1, 2, 1, 1)

out_train = bn(x)  # a new module is in training mode
print(f"train mode equals the batch statistics by hand: {torch.allclose(out_train, by_hand, atol=1e-5)}")
print(f"running mean after one batch: {bn.running_mean.tolist()} = 0.9 x 0 + 0.1 x {mean.flatten().tolist()}")

bn.eval()
out_eval = bn(x)
print(f"same input, train vs eval output: {out_train[0, 0, 0, 0].item():.4f} vs {out_eval[0, 0, 0, 0].item():.4f}")

# %% [markdown]
# Each training batch also nudges a **running** mean and variance a tenth of the way
# (`momentum=0.1`). In `eval()` BatchNorm uses those running statistics instead of
# the batch's, so an image's answer does not depend on its batch. After one batch
# they are still mostly their starting values (mean 0, variance 1): hence two outputs
# for one input above. Forget `model.eval()` and predictions depend on the batch.
#
# ### Dropout
#
# `nn.Dropout(p)` fights overfitting: in training it sets each value to 0 with
# probability p and multiplies the rest by 1/(1-p), keeping the average on average;
# in `eval()` it does nothing.

# %%
torch.manual_seed(0)
dropout = nn.Dropout(p=0.5)
print(f"train: {dropout.train()(torch.ones(10)).tolist()}\neval:  {dropout.eval()(torch.ones(10)).tolist()}")

# %% [markdown]
# No unit can rely on a neighbour, so knowledge spreads over many units.
#
# ### Adam
#
# SGD moves a parameter by lr × gradient, so one with tiny gradients barely moves.
# **Adam** adds *momentum* (it steps along a running average of past gradients, `m`,
# smoothing noisy batches) and a *step size per parameter* (it divides by the root
# of a running average of squared gradients, `v`). One step, for two gradients
# 10,000-fold apart:

# %%
grad = torch.tensor([100.0, 0.01])
w_sgd, w_adam = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
for w, optimizer in [(w_sgd, torch.optim.SGD([w_sgd], lr=0.001)), (w_adam, torch.optim.Adam([w_adam], lr=0.001))]:
    w.grad = grad.clone()  # as if loss.backward() had computed it
    optimizer.step()

beta1, beta2, eps = 0.9, 0.999, 1e-8  # Adam's defaults
m, v = (1 - beta1) * grad, (1 - beta2) * grad**2  # the running averages after one step
m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)  # corrected for starting at 0
adam_by_hand = -0.001 * m_hat / (v_hat.sqrt() + eps)
print(f"SGD moves:  {w_sgd.tolist()}")
print(f"Adam moves: {w_adam.tolist()} (by hand: {adam_by_hand.tolist()})")

# %% [markdown]
# SGD's moves differ 10,000-fold; Adam moves both by about the learning rate, each
# gradient divided by its own typical size (on this first step exactly; later, the
# averages remember earlier steps). Hence Adam's usual rate, 0.001.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Noise or signal? Judging a change
#
# ### The noise in one accuracy
#
# An accuracy on n images is uncertain: a fixed model would score a little
# differently on other images. Its **standard error** is √(p(1−p)/n) for an
# accuracy p; for the course's TinyVGG, 88.50% on 5,000 validation images
# (notebook 05):

# %%
p, n = 0.885, 5000
standard_error = 100 * math.sqrt(p * (1 - p) / n)
print(f"{100 * p:.2f}% on {n:,} images: standard error {standard_error:.2f} points, two of them {2 * standard_error:.2f}")

# %% [markdown]
# Other images would usually give 88.50 ± 0.45, sometimes ± 0.90: a 0.3-point "gain"
# from one run lies well inside that.
#
# The **seed** adds noise too (starting weights, batch order), so each arm (a recipe)
# trains with **three seeds**: mean ± spread (standard deviation across seeds).
#
# The arms: the course's TinyVGG recipe (SGD, lr 0.1, batches of 32), then one change
# each: BatchNorm after each convolution, Dropout (p = 0.2) before the classifier,
# Adam (lr 0.001), notebook 01's augmentation. Each run: two epochs.

# %%
def tiny_vgg(batch_norm: bool = False, dropout: float = 0.0) -> nn.Sequential:
    """TinyVGG (notebook 05) with optional BatchNorm after each convolution and Dropout before the classifier."""
    def conv(in_channels: int) -> list[nn.Module]:
        return [nn.Conv2d(in_channels, 10, kernel_size=3, padding=1)] + ([nn.BatchNorm2d(10)] if batch_norm else []) + [nn.ReLU()]
    return nn.Sequential(*conv(1), *conv(10), nn.MaxPool2d(2), *conv(10), *conv(10), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(dropout), nn.Linear(10 * 7 * 7, 10))


augment = v2.Compose([v2.RandomRotation(degrees=10), v2.RandomResizedCrop(size=28, scale=(0.8, 1.0))])

arms = {"course recipe": {}, "+ BatchNorm": {"batch_norm": True}, "+ Dropout 0.2": {"dropout": 0.2},
        "Adam (lr 0.001)": {"adam": True}, "+ augmentation": {"augment_images": True}}


def run_arm(seed: int, batch_norm=False, dropout=0.0, adam=False, augment_images=False) -> tuple[nn.Module, float]:
    """Train one arm from `seed` for two epochs on `small_train`; return the model and its validation accuracy (%)."""
    set_seeds(seed)
    model = tiny_vgg(batch_norm, dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001) if adam else torch.optim.SGD(model.parameters(), lr=0.1)
    loader = make_batch_loader(small_train, batch_size=32, shuffle=True, seed=seed)
    for epoch in range(2):
        # augmentation: each image of each batch rotated and cropped afresh (on tensors, after batching)
        batches = ((torch.stack([augment(image) for image in X]), y) for X, y in loader) if augment_images else loader
        train_step(model, batches, loss_fn, optimizer)
    return model, test_step(model, val_loader, loss_fn)[1]


runs = {arm: [run_arm(seed, **options) for seed in (0, 1, 2)] for arm, options in arms.items()}
accuracies = pd.DataFrame({arm: [acc for _, acc in r] for arm, r in runs.items()}, index=["seed 0", "seed 1", "seed 2"]).T
accuracies["mean"] = accuracies.mean(axis=1)
accuracies["spread (sd)"] = accuracies.iloc[:, :3].std(axis=1)
accuracies.round(2)

# %% [markdown]
# The course recipe's own row, same code and three seeds, spans 64.06 to 81.62.
#
# A seed gives every arm the same starting weights and batches, so compare **seed by
# seed**: an arm's gain is its accuracy minus the course recipe's with the same seed.
# Three gains give a mean and a standard error (their spread / √3). With so few
# seeds, a gain counts as real only beyond **4.30 standard errors**; beyond 2, it is
# promising.

# %%
gains = accuracies.iloc[1:, :3] - accuracies.iloc[0, :3]  # each arm minus the course recipe, seed by seed
verdict = pd.DataFrame({"mean gain": gains.mean(axis=1), "standard error": gains.std(axis=1) / math.sqrt(3)})
verdict["gain / SE"] = verdict["mean gain"] / verdict["standard error"]
# with 3 seeds, a gain / SE of 4.30 is the usual 95% bar (Student's t, 2 degrees of freedom)
verdict["verdict"] = ["real gain" if r > 4.30 else "promising: try more seeds" if r > 2 else "can't tell" for r in verdict["gain / SE"]]
verdict.round(2)

# %% [markdown]
# Only BatchNorm looks promising: it beat the course recipe with every seed, by 6.94
# points on average, 2.57 standard errors; not yet proof. Adam's mean gain comes from
# one seed, where the course recipe scored 64.06; otherwise they nearly tie. Dropout
# and augmentation fight overfitting, which section 4 needed many epochs to show.
# "Can't tell" is honest: more seeds or longer runs would settle it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Choose on validation, test once
#
# The arm with the best mean validation accuracy wins, with its best seed's model
# (a best of three, so its validation score flatters it). The test set, once:

# %%
chosen_arm = accuracies["mean"].idxmax()
chosen_seed = int(accuracies.loc[chosen_arm].iloc[:3].argmax())
chosen_model, chosen_val_acc = runs[chosen_arm][chosen_seed]
test_data = dataset_to_tensors(datasets.FashionMNIST(root=data_root, train=False))
_, test_acc = test_step(chosen_model, make_batch_loader(test_data, batch_size=1000), loss_fn)
print(f"chosen: {chosen_arm}, seed {chosen_seed} | validation {chosen_val_acc:.2f}% | test (once) {test_acc:.2f}%")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. The training doctor
#
# A model that does not learn often looks the same whatever the cause: loss near 2.30,
# accuracy near chance. Since notebook 03, `train()` runs a **training doctor** after
# every epoch; on a healthy run it is silent. Three classic mistakes:

# %%
set_seeds(42)
diverging, softmax_model, new_model, old_model = (FashionMNISTModelV0(784, 10, 10) for _ in range(4))
mistakes = {
    "1. A learning rate far too large": (diverging, torch.optim.SGD(diverging.parameters(), lr=0.5)),
    "2. A softmax at the end of the model": (nn.Sequential(softmax_model, nn.Softmax(dim=1)), torch.optim.SGD(softmax_model.parameters(), lr=0.1)),
    "3. An optimizer built on another model's parameters": (new_model, torch.optim.SGD(old_model.parameters(), lr=0.1)),
}
for mistake, (patient, its_optimizer) in mistakes.items():
    print(mistake)  # then train() prints only what the doctor finds (progress=False)
    train(patient, make_batch_loader(small_train, 32, shuffle=True, seed=42), val_loader, loss_fn, its_optimizer, epochs=2, progress=False)

# %% [markdown]
# Each line names the symptom, causes and fix, once per run (unchanged weights show
# from epoch 2). It also spots a class never predicted (notebook 04's final ReLU),
# validation images that are training images, and an accuracy too good for
# FashionMNIST (MNIST loaded by mistake).
#
# > **Question:** Mistake 3 follows re-running a model's cell after building its
# > optimizer. Why?

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - `optimizer.step()` moves each parameter against its gradient (`w - lr * w.grad`
#   for SGD). Too small a rate crawls; too large diverges to `nan`.
# - The range test finds a rate in one pass: a tenth of the best smoothed loss's rate.
# - Overfitting: the validation loss turns up while the training loss falls. Keep the
#   best epoch's `state_dict`.
# - BatchNorm and Dropout act differently in `train()` and `eval()`; Adam adds
#   momentum and a step size per parameter.
# - An accuracy on n images has a standard error of √(p(1−p)/n), and a seed is one
#   draw: compare over several seeds, seed by seed, then test the chosen model once.
# - When training fails, read the doctor's line first.
#
# ### Extra-curriculum
#
# - Run section 6 with five seeds. Which verdicts change?
# - [Cyclical Learning Rates for Training Neural Networks](https://arxiv.org/abs/1506.01186)
#   (Leslie Smith) introduced the range test.
