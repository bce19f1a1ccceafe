"""Time the course's training path against the loop as first taught.

Both run in this one process, model after model, with the same batch size (32),
optimizer (SGD, lr 0.1), seed (42) and number of epochs (3):

- reference: a DataLoader over the ToTensor dataset (one PIL-to-tensor conversion
  per image, every epoch), the loss accumulated as a tensor (``train_loss += loss``),
  loss and accuracy averaged per batch, testing in batches of 32, then a final
  evaluation the same way;
- course: ``cv_course.recipe.train_course_model`` (tensors prepared once, one
  indexing operation per batch, ``loss.item()``, evaluation in batches of 1000),
  data preparation and final evaluation included. Runs recorded before recipe
  version 3 trained the CNN channels-last.

It prints each model's times and test accuracies, the totals and their ratio, and
records the run, with where, when and how it was measured, in
``scripts/benchmark_results.json`` under the machine's key (its CPU model, core
count and widest vector instructions, or its GPU's name), keeping the runs of
other machines: one record per machine.

It measures what a student's notebook gets: the machine's own instruction set and
thread count. ``--with-profile`` also times the course path under the reference
numerics profile (scripts/numerics_profile.py, in a child process, since the
profile must be in place before PyTorch loads) and prints what the profile costs.

    python scripts/benchmark_training.py                  # CPU, the full measurement
    python scripts/benchmark_training.py --with-profile   # ... and the profile's cost
    python scripts/benchmark_training.py --device cuda    # on a GPU
    python scripts/benchmark_training.py --epochs 1       # a quick check, not recorded
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path
from timeit import default_timer as timer

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

COURSE_ROOT = Path(__file__).resolve().parent.parent
import helper_functions as hf
from cv_course import recipe  # noqa: E402

RESULTS_PATH = COURSE_ROOT / "scripts" / "benchmark_results.json"
COURSE_EPOCHS = 3  # only runs with the course's settings are recorded
TARGET_RATIO = 0.40  # the course path may take at most 40% of the reference's time
ACCURACY_TOLERANCE = 1.0  # percentage points, for Model 0 and Model 2


def synchronize(device: str) -> None:
    """Wait for queued GPU work, so a timer reads the time the work really took."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def reference_run(name: str, data_root: Path, device: str, epochs: int, seed: int = 42) -> dict:
    """Train and evaluate ``name`` with the loop as first taught; return its record."""
    train_data = datasets.FashionMNIST(data_root, train=True, download=True, transform=ToTensor())
    test_data = datasets.FashionMNIST(data_root, train=False, download=True, transform=ToTensor())
    train_loader = DataLoader(train_data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(seed))
    test_loader = DataLoader(test_data, batch_size=32, shuffle=False)
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

    start = timer()
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
    return {"train_time": timer() - start, "model_loss": model_loss, "model_acc": model_acc}


def course_run(name: str, data_root: Path, device: str, epochs: int, seed: int = 42) -> dict:
    """Train and evaluate ``name`` with the course's recipe, data preparation included."""
    start = timer()
    _, record = recipe.train_course_model(name, data_root, device=device, epochs=epochs, seed=seed)
    synchronize(device)
    return {"train_time": timer() - start, "model_loss": record["model_loss"], "model_acc": record["model_acc"]}


def time_under_profile(native: dict[str, dict], epochs: int) -> dict:
    """Time the course path again in a child process under the reference numerics
    profile; compare it with ``native``, this process's course records (the
    machine's own numerics)."""
    import numerics_profile

    env = dict(os.environ)
    numerics_profile.apply(env)
    child = subprocess.run(
        [sys.executable, __file__, "--course-only", "--epochs", str(epochs), "--models", *native],
        env=env, capture_output=True, text=True, check=True,
    )
    records = json.loads(child.stdout.strip().splitlines()[-1])
    total = sum(r["train_time"] for r in records.values())
    native_total = sum(n["train_time"] for n in native.values())
    return {
        "env": numerics_profile.PROFILE_ENV,
        "course_total": total,
        "ratio_to_native": round(total / native_total, 4),
        "per_model_ratio": {n: round(records[n]["train_time"] / native[n]["train_time"], 4) for n in native},
        "models": records,
    }


def device_name(device: str) -> str:
    """The GPU's name, or the CPU's model name from /proc/cpuinfo and its core count."""
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} ({os.cpu_count()} cores)"


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
        "Training times (seconds, 3 epochs with evaluation) of the reference loop and of "
        "the course's path, written by scripts/benchmark_training.py. One run per machine."
    )
    results.setdefault("runs", {})[run["machine"]] = run
    results["runs"] = dict(sorted(results["runs"].items()))
    path.write_text(json.dumps(results, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--epochs", type=int, default=COURSE_EPOCHS, help="epochs per model (default: 3)")
    parser.add_argument("--models", nargs="+", default=list(recipe.COURSE_MODELS), choices=list(recipe.COURSE_MODELS))
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads for both paths")
    parser.add_argument("--no-save", action="store_true", help="print the results but do not record them")
    parser.add_argument("--with-profile", action="store_true",
                        help="also time the course path under the reference numerics profile (CPU)")
    parser.add_argument("--course-only", action="store_true", help=argparse.SUPPRESS)  # the child of --with-profile
    args = parser.parse_args(argv)

    if args.course_only:  # print the course path's records as JSON, for --with-profile
        data_root = hf.prepare_fashion_mnist()
        print(json.dumps({name: course_run(name, data_root, "cpu", args.epochs) for name in args.models}))
        return 0

    device = "cuda" if args.device.startswith("cuda") else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda was asked for, but PyTorch sees no CUDA GPU here")
    if args.threads:
        torch.set_num_threads(args.threads)
    data_root = hf.prepare_fashion_mnist()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None

    print(f"Device: {device} ({device_name(device)}), torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}), "
          f"{args.epochs} epochs")
    models: dict[str, dict] = {}
    for name in args.models:
        reference = reference_run(name, data_root, device, args.epochs)
        course = course_run(name, data_root, device, args.epochs)
        models[name] = {"reference": reference, "course": course}
        print(f"{name}: reference {reference['train_time']:7.1f} s, {reference['model_acc']:.2f}% | "
              f"course {course['train_time']:6.1f} s, {course['model_acc']:.2f}% | "
              f"{course['train_time'] / reference['train_time']:.2f}x the time", flush=True)

    total_reference = sum(m["reference"]["train_time"] for m in models.values())
    total_course = sum(m["course"]["train_time"] for m in models.values())
    ratio = total_course / total_reference
    print(f"Total: reference {total_reference:.1f} s, course {total_course:.1f} s")
    print(f"Ratio course / reference: {ratio:.2f} (target: at most {TARGET_RATIO:.2f})")
    accuracy_ok = all(
        abs(models[name]["course"]["model_acc"] - models[name]["reference"]["model_acc"]) <= ACCURACY_TOLERANCE
        for name in ("model_0", "model_2")
        if name in models
    )
    print(f"Model 0 and Model 2 accuracy within {ACCURACY_TOLERANCE:g} point of the reference: "
          f"{'yes' if accuracy_ok else 'NO'}")

    profile_cost = None
    if args.with_profile and device == "cpu":
        profile_cost = time_under_profile({name: m["course"] for name, m in models.items()}, args.epochs)
        print(f"Course path under the reference numerics profile: {profile_cost['course_total']:.1f} s "
              f"({profile_cost['ratio_to_native']:.2f}x the time with this machine's own numerics; "
              f"{', '.join(f'{n} {r:.2f}x' for n, r in profile_cost['per_model_ratio'].items())})")

    is_course_run = args.epochs == COURSE_EPOCHS and set(args.models) == set(recipe.COURSE_MODELS)
    if args.no_save or not is_course_run:
        print("Not recorded (use all models, 3 epochs, and no --no-save to record a run).")
        return 0
    command = "python scripts/benchmark_training.py" + "".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:]))
    flags = cpu_flags()
    run = {
        "machine": machine_key(device, flags),
        "device": device,
        "device_name": device_name(device),
        "cpu_flags": flags,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_version": torch.__version__.split("+")[0],
        "python_version": platform.python_version(),
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
        "date": datetime.date.today().isoformat(),
        "command": command,
        "epochs": args.epochs,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "models": models,
        "totals": {"reference": total_reference, "course": total_course, "ratio": round(ratio, 4)},
    }
    if profile_cost:
        run["reference_profile"] = profile_cost
    save_run(run)
    print(f"Recorded in {RESULTS_PATH.relative_to(COURSE_ROOT)} under '{run['machine']}'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
