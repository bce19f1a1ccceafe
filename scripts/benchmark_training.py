"""Time what students run, and the course's recipe, against the loop as first taught.

Three paths train each course model with the same batch size (32), optimizer (SGD,
lr 0.1), seed (42) and number of epochs (3), each timed from building its datasets
to its final evaluation:

- lesson: what the lessons' own training cells run (notebooks 02 to 05): the
  ``ToTensor`` FashionMNIST dataset split by ``split_train_validation`` (55,000
  training and 5,000 validation images), a plain ``torch.utils.data.DataLoader``
  over each (training batches shuffled with a generator seeded 42, validation in
  batches of 32), ``helper_functions.train`` (``train_step`` and ``test_step`` every
  epoch, the training doctor after each) and then ``eval_model`` on the validation
  loader;
- recipe: ``cv_course.recipe.train_course_model``, what ``load_or_train_course_model``
  trains: the same images and the same batches, turned into tensors once
  (``dataset_to_tensors`` + ``make_batch_loader``), evaluated in batches of 1000, the
  CNN channels-first as in the notebooks, so the weights are the lesson's;
- reference: the loop of the original course that this one follows, as first
  taught: a DataLoader over the ``ToTensor`` dataset, all 60,000 training images, the
  loss accumulated as a tensor (``train_loss += loss``), testing on the 10,000 test
  images in batches of 32 after each epoch and once more at the end. It does about
  9% more work than the two others (60,000 against 55,000 training images) by design:
  it is the loop the course set out to improve on.

The paths run in this one process, interleaved: every repetition trains each model
by each path (in a rotated order), so a change in the machine's load touches all of
them alike. Each ratio is taken within a repetition and the median over the
repetitions is reported, with the median times. Each ratio has a target, with its
reason (``TARGETS``); the script prints, for every model and the total, the three
times, the ratios, the targets and whether each is met, and one line saying why for
each target missed, and warns where the repetitions disagree (UNSETTLED: ratios on both
sides of a target) or a path's time moved with the machine's load (NOISY).

It measures what a student's notebook gets: the machine's own instruction set and
thread count (fitted to the usable CPUs by ``use_available_cpus``, as the notebooks
do). ``--with-profile`` also times the recipe, in the same repetitions, in a child
process under the reference numerics profile (scripts/numerics_profile.py; it must be
in place before PyTorch loads) and reports what the profile costs.
``--channels-last`` also times the recipe training the CNN channels-last, the layout
the course gave up to keep the notebooks' weights.

A full run (3 epochs, every model, at least 3 repetitions) is recorded, with where,
when and how it was measured, in ``scripts/benchmark_results.json`` under the
machine's key (its CPU model, core count and widest vector instructions, or its GPU's
name), keeping the runs of other machines: one record per machine.

    python scripts/benchmark_training.py                  # CPU, the full measurement (15 min on 2 idle cores, hours on busy ones)
    python scripts/benchmark_training.py --with-profile --channels-last   # ... and the profile's and layout's cost
    python scripts/benchmark_training.py --device cuda    # on a GPU
    python scripts/benchmark_training.py --quick          # a few batches: checks the script, measures nothing
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
from pathlib import Path
from timeit import default_timer as timer
from typing import NamedTuple

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

COURSE_ROOT = Path(__file__).resolve().parent.parent
import helper_functions as hf  # noqa: E402
from cv_course import recipe  # noqa: E402

RESULTS_PATH = COURSE_ROOT / "scripts" / "benchmark_results.json"
RESULTS_FORMAT = 2  # 2: lesson, recipe and reference paths, interleaved repetitions, median ratios
COURSE_EPOCHS = 3  # only runs with the course's settings are recorded
MIN_RECORDED_REPEATS = 3  # a median of fewer says little on a shared machine
PATHS = ("lesson", "recipe", "reference")
#: --quick: one epoch, one repetition, these many training batches of 32 and validation
#: (or test) images per path. It checks the script; its times measure nothing.
QUICK_TRAIN_BATCHES = 10
QUICK_EVAL_IMAGES = 320
#: A path whose slowest repetition took this many times its fastest was disturbed by other work.
NOISY_SPREAD = 1.5

#: Where the reason for Model 2's layout is written down.
LAYOUT_SEE = ("cv_course/recipe.py (train_course_model, channels_last) and notebook 05's "
              "'Going deeper (optional): channels-last memory layout' section")


class Target(NamedTuple):
    """A ratio of two paths' times, at most ``limit``, for every model and for the total."""

    numerator: str
    denominator: str
    limit: float
    reason: str

    @property
    def name(self) -> str:
        return f"{self.numerator}/{self.denominator}"


TARGETS: tuple[Target, ...] = (
    Target("recipe", "lesson", 1.00,
           "the recipe does the lesson's arithmetic on the same batches and only drops the DataLoader's "
           "per-image ToTensor work (its docstring: faster than the notebooks' loop): it must never be slower"),
    Target("lesson", "reference", 1.00,
           "what the lessons added to the loop first taught (a validation split, per-sample averages, "
           "the training doctor) must not make students wait longer than that loop"),
    Target("recipe", "reference", 0.40,
           "the goal this benchmark was written with (its first version, commit 87d1bc0; no reason "
           "was recorded for 0.40): kept, not loosened, so that a miss stays visible"),
)


def synchronize(device: str) -> None:
    """Wait for queued GPU work, so a timer reads the time the work really took."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


class Limited:
    """``loader`` cut after ``max_images`` samples (the last batch shortened): --quick's
    few batches. Other attributes (``dataset``, which the training doctor reads) are
    the loader's."""

    def __init__(self, loader, max_images: int):
        self.loader, self.max_images = loader, max_images

    def __iter__(self):
        seen = 0
        for X, y in self.loader:
            take = min(len(y), self.max_images - seen)
            yield X[:take], y[:take]
            seen += take
            if seen >= self.max_images:
                return

    def __len__(self) -> int:
        return min(len(self.loader), math.ceil(self.max_images / self.loader.batch_size))

    def __getattr__(self, name: str):
        return getattr(self.loader, name)


def limit(loader, max_images: int | None):
    return loader if max_images is None else Limited(loader, max_images)


@contextlib.contextmanager
def recipe_limited(quick: bool):
    """Under --quick, the recipe's loaders cut as the other paths' are (its shuffled
    loader is the training one); otherwise the recipe exactly as it is."""
    if not quick:
        yield
        return
    original = recipe.make_batch_loader

    def make_limited(dataset, batch_size=32, shuffle=False, seed=None):
        loader = original(dataset, batch_size=batch_size, shuffle=shuffle, seed=seed)
        return Limited(loader, QUICK_TRAIN_BATCHES * 32 if shuffle else QUICK_EVAL_IMAGES)

    recipe.make_batch_loader = make_limited
    try:
        yield
    finally:
        recipe.make_batch_loader = original


def lesson_run(name: str, data_root: Path, device: str, epochs: int, quick: bool = False, seed: int = 42) -> dict:
    """Train and evaluate ``name`` as the lessons' training cells do (notebooks 02 to 05)."""
    max_train, max_eval = (QUICK_TRAIN_BATCHES * 32, QUICK_EVAL_IMAGES) if quick else (None, None)
    start = timer()
    full_train_data = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
    train_data, val_data = hf.split_train_validation(full_train_data)  # 55,000 and 5,000, seed 42
    train_loader = limit(DataLoader(train_data, batch_size=32, shuffle=True,
                                    generator=torch.Generator().manual_seed(seed)), max_train)
    val_loader = limit(DataLoader(val_data, batch_size=32, shuffle=False), max_eval)
    model = recipe.build_course_model(name, seed).to(device)  # set_seeds(42), then the model
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=0.1)
    with contextlib.redirect_stdout(io.StringIO()):  # train's bar and epoch lines, as a notebook shows them
        hf.train(model, train_loader, val_loader, loss_fn, optimizer, hf.accuracy_fn, epochs, device)
    results = hf.eval_model(model, val_loader, loss_fn, device=device)
    synchronize(device)
    return {"train_time": timer() - start, "model_loss": results["model_loss"], "model_acc": results["model_acc"],
            "eval_images": max_eval or len(val_data)}


def recipe_run(name: str, data_root: Path, device: str, epochs: int, quick: bool = False,
               channels_last: bool = False, seed: int = 42) -> dict:
    """Train and evaluate ``name`` with the course's recipe, data preparation included."""
    start = timer()
    with recipe_limited(quick), contextlib.redirect_stdout(io.StringIO()):  # the training doctor's advice
        _, record = recipe.train_course_model(name, data_root, device=device, epochs=epochs, seed=seed,
                                              channels_last=channels_last)
    synchronize(device)
    return {"train_time": timer() - start, "model_loss": record["model_loss"], "model_acc": record["model_acc"],
            "eval_images": QUICK_EVAL_IMAGES if quick else 5000}


def reference_run(name: str, data_root: Path, device: str, epochs: int, quick: bool = False, seed: int = 42) -> dict:
    """Train and evaluate ``name`` with the loop as first taught; return its record."""
    max_train, max_eval = (QUICK_TRAIN_BATCHES * 32, QUICK_EVAL_IMAGES) if quick else (None, None)
    start = timer()
    train_data = datasets.FashionMNIST(data_root, train=True, download=True, transform=ToTensor())
    test_data = datasets.FashionMNIST(data_root, train=False, download=True, transform=ToTensor())
    train_loader = limit(DataLoader(train_data, batch_size=32, shuffle=True,
                                    generator=torch.Generator().manual_seed(seed)), max_train)
    test_loader = limit(DataLoader(test_data, batch_size=32, shuffle=False), max_eval)
    model = recipe.build_course_model(name, seed).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def evaluate() -> tuple[float, float]:
        test_loss, test_acc = 0, 0
        model.eval()
        with torch.inference_mode():
            for X, y in test_loader:
                X, y = X.to(device), y.to(device)
                test_pred = model(X)
                test_loss += loss_fn(test_pred, y)  # a tensor, as first taught
                test_acc += hf.accuracy_fn(y, test_pred.argmax(dim=1))
        return (test_loss / len(test_loader)).item(), test_acc / len(test_loader)

    for _ in range(epochs):
        train_loss = 0
        model.train()
        for X, y in train_loader:
            X, y = X.to(device), y.to(device)
            y_pred = model(X)
            loss = loss_fn(y_pred, y)
            train_loss += loss  # a tensor, as first taught
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        train_loss /= len(train_loader)
        evaluate()
    model_loss, model_acc = evaluate()  # the final evaluation (eval_model in the course)
    synchronize(device)
    return {"train_time": timer() - start, "model_loss": model_loss, "model_acc": model_acc,
            "eval_images": max_eval or len(test_data)}


RUNNERS = {"lesson": lesson_run, "recipe": recipe_run, "reference": reference_run}


def recipe_under_profile(name: str, epochs: int, quick: bool) -> dict:
    """One recipe run of ``name`` in a child process under the reference numerics profile."""
    import numerics_profile

    env = dict(os.environ)
    env[numerics_profile.MODE_VARIABLE] = "reference"
    numerics_profile.apply(env)
    command = [sys.executable, __file__, "--recipe-child", "--epochs", str(epochs), "--models", name]
    child = subprocess.run(command + (["--quick"] if quick else []), env=env, capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def numerics_status() -> dict:
    """Whether the reference numerics profile holds in this process, as PyTorch sees it."""
    import numerics_profile

    status = numerics_profile.check("reference")
    return {"profile_in_force": status.holds, "capability": status.capability, "threads": status.threads,
            "why_not": status.reason or None, "profile_env": numerics_profile.PROFILE_ENV}


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device: str) -> str:
    """The GPU's name, or the CPU's model name from /proc/cpuinfo and its core count."""
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(device)
    return f"{cpu_model()} ({os.cpu_count()} cores)"


#: The vector-instruction flags of /proc/cpuinfo that decide which kernels run.
SIMD_FLAGS = ("sse4_2", "avx", "fma", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
              "avx512_bf16", "amx_tile", "asimd", "sve")


def cpu_flags() -> list[str]:
    """The CPU's vector-instruction flags that matter to PyTorch (Linux; [] elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                present = set(line.split(":", 1)[1].split())
                return [flag for flag in SIMD_FLAGS if flag in present]
    except OSError:
        pass
    return []


def machine_key(device: str, flags: list[str]) -> str:
    """One key per machine: the GPU's name, or the CPU's model, cores and widest
    vector instructions (two "AMD EPYC" machines may differ in exactly that)."""
    if device.startswith("cuda"):
        return f"cuda: {device_name(device)}"
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
    return f"cpu: {device_name(device)[:-1]}, {widest})"


def save_run(run: dict, path: Path = RESULTS_PATH) -> None:
    """Store ``run`` under its machine's key, keeping every other machine's run."""
    results = json.loads(path.read_text()) if path.is_file() else {}
    results["about"] = (
        "Training times (seconds, 3 epochs with evaluation, from building the datasets to the final "
        "evaluation) of the lessons' DataLoader path, the course's recipe and the reference loop, "
        "interleaved in one process; medians over the repetitions, ratios taken within each. "
        "Written by scripts/benchmark_training.py. One run per machine."
    )
    results["format"] = RESULTS_FORMAT
    results.setdefault("runs", {})[run["machine"]] = run
    results["runs"] = dict(sorted(results["runs"].items()))
    path.write_text(json.dumps(results, indent=2) + "\n")


def median_ratio(times: dict[str, list[float]], numerator: str, denominator: str) -> tuple[float, list[float]]:
    """The median over repetitions of ``numerator``'s time over ``denominator``'s, and each repetition's."""
    per_repeat = [n / d for n, d in zip(times[numerator], times[denominator])]
    return statistics.median(per_repeat), per_repeat


def why_missed(target: Target, model: str, ratios: dict[str, dict[str, float]], medians: dict[str, dict[str, float]],
               channels_last: dict[str, float]) -> str:
    """Why ``model`` (or "total") misses ``target``, from what this run measured."""
    if target.name == "recipe/reference":
        if model == "total":
            reference = {name: m["reference"] for name, m in medians.items() if name != "total"}
            slowest = max(reference, key=reference.get)
            return (f"{slowest} takes {reference[slowest] / sum(reference.values()):.0%} of the reference's time "
                    f"and has recipe/reference {ratios[slowest]['recipe/reference']:.3f}: see its line")
        saved = 1 - ratios[model]["recipe/lesson"]
        if saved <= 0:
            return (f"here the recipe saved nothing over the lessons' DataLoader path (recipe/lesson "
                    f"{ratios[model]['recipe/lesson']:.3f}): see that line")
        reason = (f"the recipe removes only the DataLoader's per-image work, {saved:.0%} of the lesson's time "
                  f"(recipe/lesson {ratios[model]['recipe/lesson']:.3f}); the rest is the model's own arithmetic, "
                  f"the same in every path")
        if recipe.COURSE_MODELS[model][0] is hf.FashionMNISTModelV2:
            reason += (f": {model}'s convolutions, which the recipe trains channels-first as the notebooks do, so that "
                       f"its weights are bit for bit the lesson's (see {LAYOUT_SEE})")
            if model in channels_last:
                cl = channels_last[model]
                reason += (f"; trained channels-last its recipe/reference would be {cl:.3f} on this machine "
                           f"({'within' if cl <= target.limit else 'still above'} the target)")
        return reason
    if target.name == "recipe/lesson":
        return ("the recipe is slower than the lessons' DataLoader path it exists to beat: a regression in "
                "cv_course/recipe.py or helper_functions.make_batch_loader/dataset_to_tensors; this benchmark "
                "does not say which")
    return ("the lessons' loop costs more per image than the loop first taught although it trains on 55,000 "
            "images, not 60,000: its per-batch loss.item() and accuracy_fn calls or the training doctor in "
            "helper_functions.train cost more than they save; this benchmark does not say which")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--epochs", type=int, default=COURSE_EPOCHS, help="epochs per model (default: 3)")
    parser.add_argument("--repeats", type=int, default=None, help="interleaved repetitions (default: 3; 1 with --quick)")
    parser.add_argument("--models", nargs="+", default=list(recipe.COURSE_MODELS), choices=list(recipe.COURSE_MODELS))
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads for every path")
    parser.add_argument("--quick", action="store_true",
                        help=f"1 epoch, 1 repetition, {QUICK_TRAIN_BATCHES} training batches and {QUICK_EVAL_IMAGES} "
                             "evaluation images per path: checks the script, measures nothing, never recorded")
    parser.add_argument("--no-save", action="store_true", help="print the results but do not record them")
    parser.add_argument("--with-profile", action="store_true",
                        help="also time the recipe under the reference numerics profile (CPU, a child process)")
    parser.add_argument("--channels-last", action="store_true",
                        help="also time the recipe training the CNN channels-last (not the course's layout)")
    parser.add_argument("--recipe-child", action="store_true", help=argparse.SUPPRESS)  # the child of --with-profile
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = 1
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3

    if args.recipe_child:  # one recipe run per model, as JSON, for --with-profile
        data_root = hf.prepare_fashion_mnist()
        print(json.dumps({name: recipe_run(name, data_root, "cpu", args.epochs, args.quick) for name in args.models}))
        return 0

    device = "cuda" if args.device.startswith("cuda") else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda was asked for, but PyTorch sees no CUDA GPU here")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.threads:
        torch.set_num_threads(args.threads)
    else:
        hf.use_available_cpus()  # as every lesson's first cell does
    data_root = hf.prepare_fashion_mnist()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    numerics = numerics_status()
    cnn_models = [name for name in args.models if recipe.COURSE_MODELS[name][0] is hf.FashionMNISTModelV2]

    print(f"Device: {device} ({device_name(device)}), torch {torch.__version__}, {torch.get_num_threads()} threads "
          f"(OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}), numerics: "
          + ("the reference profile" if numerics["profile_in_force"]
             else f"this machine's own ({numerics['capability']}; the reference profile is not in force)"))
    print(f"{args.epochs} epoch(s), {args.repeats} repetition(s) interleaved; times are medians, each ratio the "
          "median of its per-repetition ratios" + (f"; load average before: {load_before[0]:.2f}" if load_before else ""))
    if args.quick:
        print(f"QUICK MODE: {QUICK_TRAIN_BATCHES} training batches and {QUICK_EVAL_IMAGES} evaluation images per path; "
              "the times below check the script and measure nothing.")

    times = {name: {path: [] for path in PATHS} for name in args.models}
    records = {name: {path: [] for path in PATHS} for name in args.models}
    extra_times: dict[str, dict[str, list[float]]] = {name: {} for name in args.models}
    for repeat in range(args.repeats):
        order = PATHS[repeat % len(PATHS):] + PATHS[:repeat % len(PATHS)]  # each path first in turn
        for name in args.models:
            for path in order:
                record = RUNNERS[path](name, data_root, device, args.epochs, args.quick)
                times[name][path].append(record["train_time"])
                records[name][path].append(record)
            if args.channels_last and name in cnn_models:
                record = recipe_run(name, data_root, device, args.epochs, args.quick, channels_last=True)
                extra_times[name].setdefault("recipe_channels_last", []).append(record["train_time"])
            if args.with_profile and device == "cpu":
                record = recipe_under_profile(name, args.epochs, args.quick)[name]
                extra_times[name].setdefault("recipe_under_profile", []).append(record["train_time"])
            print(f"  repetition {repeat + 1}/{args.repeats}, {name}: "
                  + ", ".join(f"{path} {times[name][path][-1]:.1f} s" for path in PATHS)
                  + "".join(f", {key} {value[-1]:.1f} s" for key, value in extra_times[name].items()), flush=True)

    totals = {path: [sum(times[name][path][r] for name in args.models) for r in range(args.repeats)] for path in PATHS}
    rows = {**{name: times[name] for name in args.models}, "total": totals}
    medians = {row: {path: statistics.median(values[path]) for path in PATHS} for row, values in rows.items()}
    ratios, per_repeat = {}, {}
    for row, row_times in rows.items():
        ratios[row], per_repeat[row] = {}, {}
        for target in TARGETS:
            ratios[row][target.name], per_repeat[row][target.name] = median_ratio(row_times, target.numerator,
                                                                                  target.denominator)
    channels_last = {name: median_ratio({**extra_times[name], **times[name]}, "recipe_channels_last", "reference")[0]
                     for name in cnn_models if "recipe_channels_last" in extra_times[name]}

    header = (f"{'model':<8} {'lesson s':>9} {'recipe s':>9} {'reference s':>12}  "
              + "  ".join(f"{t.name + ' (<= ' + format(t.limit, '.2f') + ')':>25}" for t in TARGETS))
    print()
    print(header)
    verdicts = []
    for row in rows:
        cells = []
        for target in TARGETS:
            met = ratios[row][target.name] <= target.limit
            settled = len({value <= target.limit for value in per_repeat[row][target.name]}) == 1
            verdicts.append({"model": row, "target": target.name, "ratio": round(ratios[row][target.name], 4),
                             "limit": target.limit, "met": met, "every_repetition_agrees": settled})
            cells.append(f"{ratios[row][target.name]:>12.3f} {'met' if met else 'MISSED':>12}")
        print(f"{row:<8} {medians[row]['lesson']:>9.3f} {medians[row]['recipe']:>9.3f} {medians[row]['reference']:>12.3f}  "
              + "  ".join(cells))
    print()
    print("Targets:")
    for target in TARGETS:
        print(f"  {target.name} <= {target.limit:.2f}: {target.reason}.")
    for name in args.models:
        if args.repeats > 1:
            print(f"Per repetition, {name}: " + "; ".join(
                f"{t.name} " + " ".join(f"{v:.3f}" for v in per_repeat[name][t.name]) for t in TARGETS))
    missed = [v for v in verdicts if not v["met"]]
    for verdict in missed:
        target = next(t for t in TARGETS if t.name == verdict["target"])
        verdict["why"] = why_missed(target, verdict["model"], ratios, medians, channels_last)
        print(f"MISSED: {verdict['model']} {target.name} {ratios[verdict['model']][target.name]:.3f} > target "
              f"{target.limit:.2f}: {verdict['why']}.")
    print(f"Targets met: {len(verdicts) - len(missed)} of {len(verdicts)}"
          + (f"; missed: {', '.join(v['model'] + ' ' + v['target'] for v in missed)}" if missed else "") + ".")
    for verdict in verdicts:  # a median verdict that some repetitions contradict says more about the load
        if not verdict["every_repetition_agrees"]:
            values = per_repeat[verdict["model"]][verdict["target"]]
            print(f"UNSETTLED: {verdict['model']} {verdict['target']}: the repetitions' ratios "
                  f"({', '.join(f'{v:.3f}' for v in values)}) lie on both sides of {verdict['limit']:.2f}; "
                  "the verdict above is their median's")
    for name in args.models:  # how far the load moved each path's time
        for path in PATHS:
            spread = max(times[name][path]) / min(times[name][path])
            if spread > NOISY_SPREAD:
                print(f"NOISY: {name} {path} took from {min(times[name][path]):.1f} to {max(times[name][path]):.1f} s "
                      f"across the repetitions ({spread:.1f}x): the machine's load changed; its ratios are uncertain")

    accuracy = {}
    for name in args.models:
        lesson, fast, reference = (records[name][path][-1] for path in PATHS)
        one_image = 100 / lesson["eval_images"]  # a prediction flipped by other rounding in batches of 1000
        same = abs(lesson["model_acc"] - fast["model_acc"]) <= one_image + 1e-9
        accuracy[name] = same
        print(f"Accuracy, {name}: lesson {lesson['model_acc']:.2f}%, recipe {fast['model_acc']:.2f}% "
              f"(validation, {lesson['eval_images']:,} images: {'the same model' if same else 'DIFFERENT models'}); "
              f"reference {reference['model_acc']:.2f}% (test, {reference['eval_images']:,} images)")

    profile_cost = None
    for name in args.models:
        for key, values in extra_times[name].items():
            ratio = median_ratio({**extra_times[name], **times[name]}, key, "recipe")[0]
            what = "under the reference numerics profile" if key == "recipe_under_profile" else "trained channels-last"
            print(f"Recipe {what}, {name}: {statistics.median(values):.3f} s, {ratio:.3f}x the recipe's own time"
                  + (f" (recipe/reference {channels_last[name]:.3f})" if key == "recipe_channels_last" else ""))
    if args.with_profile and device == "cpu":
        profile_totals = [sum(extra_times[n]["recipe_under_profile"][r] for n in args.models) for r in range(args.repeats)]
        profile_cost = {
            "env": numerics["profile_env"],
            "recipe_total": statistics.median(profile_totals),
            "ratio_to_native": round(statistics.median(p / n for p, n in zip(profile_totals, totals["recipe"])), 4),
            "per_model_ratio": {n: round(median_ratio({**extra_times[n], **times[n]}, "recipe_under_profile", "recipe")[0], 4)
                                for n in args.models},
            "times": {n: extra_times[n]["recipe_under_profile"] for n in args.models},
        }
        print(f"Recipe under the reference numerics profile, total: {profile_cost['ratio_to_native']:.3f}x the time "
              "with this machine's own numerics.")

    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load_after:
        print(f"Load average after: {load_after[0]:.2f}")
    is_course_run = (not args.quick and args.epochs == COURSE_EPOCHS and args.repeats >= MIN_RECORDED_REPEATS
                     and set(args.models) == set(recipe.COURSE_MODELS))
    if args.no_save or not is_course_run:
        print(f"Not recorded (a record needs all models, {COURSE_EPOCHS} epochs, at least {MIN_RECORDED_REPEATS} "
              "repetitions, no --quick and no --no-save).")
        return 0
    command = "python scripts/benchmark_training.py" + "".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:]))
    flags = cpu_flags()
    run = {
        "machine": machine_key(device, flags),
        "device": device,
        "device_name": device_name(device),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "cpu_flags": flags,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "numerics": {key: value for key, value in numerics.items() if key != "profile_env"},
        "torch_version": torch.__version__.split("+")[0],
        "python_version": platform.python_version(),
        "recipe_version": recipe.RECIPE_VERSION,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "date": datetime.date.today().isoformat(),
        "command": command,
        "epochs": args.epochs,
        "repeats": args.repeats,
        "load_average_before": list(load_before) if load_before else None,
        "load_average_after": list(load_after) if load_after else None,
        "targets": [{"ratio": t.name, "limit": t.limit, "reason": t.reason} for t in TARGETS],
        "models": {
            name: {
                "times": times[name],
                "median_time": medians[name],
                "ratios": {k: round(v, 4) for k, v in ratios[name].items()},
                "per_repeat_ratios": {k: [round(x, 4) for x in v] for k, v in per_repeat[name].items()},
                "accuracy": {path: records[name][path][-1]["model_acc"] for path in PATHS},
                "loss": {path: records[name][path][-1]["model_loss"] for path in PATHS},
                "lesson_and_recipe_same_model": accuracy[name],
                **({"extra_times": extra_times[name]} if extra_times[name] else {}),
            }
            for name in args.models
        },
        "totals": {"times": totals, "median_time": medians["total"],
                   "ratios": {k: round(v, 4) for k, v in ratios["total"].items()}},
        "verdicts": verdicts,
    }
    if channels_last:
        run["channels_last_recipe_to_reference"] = {k: round(v, 4) for k, v in channels_last.items()}
    if profile_cost:
        run["reference_profile"] = profile_cost
    save_run(run)
    print(f"Recorded in {RESULTS_PATH.relative_to(COURSE_ROOT)} under '{run['machine']}'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
