"""The course's data pipeline, training functions and training recipe
(helper_functions.py, sections "Data pipeline for training" to "The course's
training recipe"), on real FashionMNIST data but small slices of it."""
from __future__ import annotations

import json
import math
import re

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from torchvision import datasets
from torchvision.transforms import ToTensor

import helper_functions as hf
from cv_course import recipe
from support import COURSE_ROOT
from timeouts import allow


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def data_root():
    return hf.prepare_fashion_mnist()


@pytest.fixture(scope="module")
def raw_test_set(data_root):
    """The 10,000 test images as torchvision gives them (PIL images, int labels)."""
    return datasets.FashionMNIST(data_root, train=False, download=True)


@pytest.fixture(scope="module")
def test_tensors(raw_test_set):
    return hf.dataset_to_tensors(raw_test_set)


def small_slice(tensors: TensorDataset, n: int) -> TensorDataset:
    images, labels = tensors.tensors
    return TensorDataset(images[:n], labels[:n])


# ---------------------------------------------------------------------------
# dataset_to_tensors and make_batch_loader
# ---------------------------------------------------------------------------


def test_dataset_to_tensors_equals_to_tensor(data_root, test_tensors):
    per_sample = datasets.FashionMNIST(data_root, train=False, download=True, transform=ToTensor())
    images, labels = test_tensors.tensors
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (10_000,) and labels.dtype == torch.int64
    for i in range(0, 10_000, 97):  # about a hundred samples spread over the set
        image, label = per_sample[i]
        assert torch.equal(images[i], image), f"image {i} differs from ToTensor's"
        assert labels[i].item() == label
    assert images.min().item() == 0.0 and images.max().item() == 1.0


def test_make_batch_loader_matches_the_plain_shuffled_dataloader(data_root, test_tensors):
    """Same seed, same batches, epoch after epoch, ragged last batch included."""
    n = 1000  # 31 full batches of 32 and one of 8
    per_sample = Subset(datasets.FashionMNIST(data_root, train=False, download=True, transform=ToTensor()), range(n))
    plain = DataLoader(per_sample, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(42))
    fast = hf.make_batch_loader(small_slice(test_tensors, n), batch_size=32, shuffle=True, seed=42)
    assert len(fast) == len(plain) == math.ceil(n / 32)
    for epoch in range(2):
        pairs = list(zip(plain, fast, strict=True))
        for (X_plain, y_plain), (X_fast, y_fast) in pairs:
            assert torch.equal(X_plain, X_fast) and X_plain.dtype == X_fast.dtype
            assert torch.equal(y_plain, y_fast) and y_plain.dtype == y_fast.dtype
        assert [len(y_fast) for _, (_, y_fast) in pairs][-1] == 8, f"epoch {epoch}: wrong last batch"


def test_make_batch_loader_shapes_and_order(test_tensors):
    data = small_slice(test_tensors, 100)
    batches = list(hf.make_batch_loader(data, batch_size=32))
    assert [tuple(X.shape) for X, _ in batches] == [(32, 1, 28, 28)] * 3 + [(4, 1, 28, 28)]
    assert torch.equal(torch.cat([y for _, y in batches]), data.tensors[1])  # no shuffle: in order
    shuffled = torch.cat([y for _, y in hf.make_batch_loader(data, 32, shuffle=True, seed=0)])
    assert sorted(shuffled.tolist()) == sorted(data.tensors[1].tolist())  # every sample exactly once
    assert not torch.equal(shuffled, data.tensors[1])


# ---------------------------------------------------------------------------
# train_step, test_step, train, eval_model
# ---------------------------------------------------------------------------


def test_train_step_lowers_the_loss_on_real_images(test_tensors):
    data = small_slice(test_tensors, 640)
    loader = hf.make_batch_loader(data, batch_size=32, shuffle=True, seed=0)
    model = recipe.build_course_model("model_0")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = [hf.train_step(model, loader, loss_fn, optimizer)[0] for _ in range(4)]
    assert losses[0] > 1.0  # an untrained model starts near ln(10) = 2.3
    assert all(later < earlier for earlier, later in zip(losses, losses[1:])), losses
    test_loss, test_acc = hf.test_step(model, hf.make_batch_loader(data, 100), loss_fn)
    assert test_acc > 60  # it learned something about the images it trained on


def test_test_step_weights_each_sample_once_with_a_ragged_last_batch(test_tensors):
    data = small_slice(test_tensors, 100)  # batches of 32, 32, 32 and 4
    model = recipe.build_course_model("model_0")
    loss_fn = nn.CrossEntropyLoss()
    images, labels = data.tensors
    with torch.inference_mode():
        logits = model(images)
    whole_loss = loss_fn(logits, labels).item()
    whole_acc = hf.accuracy_fn(labels, logits.argmax(dim=1))

    loss, acc = hf.test_step(model, hf.make_batch_loader(data, batch_size=32), loss_fn)
    assert loss == pytest.approx(whole_loss, rel=1e-5)
    assert acc == pytest.approx(whole_acc)
    # Averaging the four batch means instead would count the last 4 images 8 times too much.
    batch_means = [loss_fn(logits[i : i + 32], labels[i : i + 32]).item() for i in range(0, 100, 32)]
    assert sum(batch_means) / 4 != pytest.approx(whole_loss, rel=1e-5)

    results = hf.eval_model(model, hf.make_batch_loader(data, batch_size=32), loss_fn)
    assert results == {"model_name": "FashionMNISTModelV0", "model_loss": loss, "model_acc": acc}


def test_train_step_averages_per_sample_too(test_tensors):
    """With lr=0 nothing changes, so the training loss must equal the whole-set loss."""
    data = small_slice(test_tensors, 100)
    model = recipe.build_course_model("model_1")
    loss_fn = nn.CrossEntropyLoss()
    with torch.inference_mode():
        whole_loss = loss_fn(model(data.tensors[0]), data.tensors[1]).item()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    loss, _ = hf.train_step(model, hf.make_batch_loader(data, batch_size=32), loss_fn, optimizer)
    assert loss == pytest.approx(whole_loss, rel=1e-5)


def test_train_prints_one_line_per_epoch_unless_silent(test_tensors, capsys):
    data = small_slice(test_tensors, 64)
    loader = hf.make_batch_loader(data, batch_size=32)
    # Other images to validate on: the same loader twice would rightly draw the training doctor's line.
    val_loader = hf.make_batch_loader(TensorDataset(*(t[64:128] for t in test_tensors.tensors)), batch_size=32)
    loss_fn = nn.CrossEntropyLoss()

    model = recipe.build_course_model("model_0")
    results = hf.train(model, loader, val_loader, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1), epochs=2)
    printed = capsys.readouterr()
    # What a notebook shows: each line that a carriage return redraws, as last drawn.
    shown = re.sub(r"^.*\r(?=[^\n])", "", printed.out, flags=re.MULTILINE).splitlines()
    # Numbered from 1, as plot_loss_curves numbers its x axis; the bar ends finished, below them.
    assert [line.split(" |")[0] for line in shown[:2]] == ["Epoch 1/2", "Epoch 2/2"]
    assert len(shown) == 3 and shown[2].startswith("Epochs: 100%|") and "| 2/2 [" in shown[2]
    assert printed.err == ""
    assert set(results) == {"train_loss", "train_acc", "val_loss", "val_acc"}
    assert all(len(values) == 2 for values in results.values())

    model = recipe.build_course_model("model_0")
    hf.train(model, loader, val_loader, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False)
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""


def test_train_returns_what_train_step_and_test_step_give_each_epoch(test_tensors):
    """train's record is the epochs' train_step and test_step results, in order, from the same start."""
    train_data, test_data = small_slice(test_tensors, 100), TensorDataset(*(t[100:180] for t in test_tensors.tensors))
    train_loader, test_loader = hf.make_batch_loader(train_data, batch_size=32), hf.make_batch_loader(test_data, batch_size=32)
    loss_fn = nn.CrossEntropyLoss()
    model = recipe.build_course_model("model_1")
    results = hf.train(model, train_loader, test_loader, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1),
                       epochs=3, progress=False)

    model = recipe.build_course_model("model_1")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    expected = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    for _ in range(3):
        for key, value in zip(expected, (*hf.train_step(model, train_loader, loss_fn, optimizer),
                                         *hf.test_step(model, test_loader, loss_fn))):
            expected[key].append(value)
    assert results == expected
    assert results["train_loss"][-1] < results["train_loss"][0], "three epochs of training lower the loss"


# ---------------------------------------------------------------------------
# The course's models and training recipe
# ---------------------------------------------------------------------------


def first_weights(model: nn.Module) -> torch.Tensor:
    return next(iter(model.state_dict().values()))


@pytest.mark.parametrize("name, n_params", [("model_0", 7960), ("model_1", 7960), ("model_2", 7740)])
def test_build_course_model_is_seeded(name, n_params):
    first, second = recipe.build_course_model(name), recipe.build_course_model(name)
    assert sum(p.numel() for p in first.parameters()) == n_params
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    seeded_0, again_0, seeded_1 = (first_weights(recipe.build_course_model(name, seed=seed)) for seed in (0, 0, 1))
    assert torch.equal(seeded_0, again_0)
    assert not torch.equal(seeded_0, seeded_1), "the seed is ignored"
    assert not torch.equal(seeded_0, first_weights(first)), "seed=0 gives the default seed's weights"
    logits = first(torch.zeros(2, 1, 28, 28))
    assert logits.shape == (2, 10)


def test_build_course_model_rejects_unknown_names():
    with pytest.raises(ValueError, match="model_0"):
        recipe.build_course_model("model_3")


@pytest.mark.slow
def test_train_course_model_is_deterministic(data_root):
    """One epoch of Model 0, twice: the same weights and the same record."""
    model_a, record_a = recipe.train_course_model("model_0", data_root, epochs=1)
    model_b, record_b = recipe.train_course_model("model_0", data_root, epochs=1)
    for a, b in zip(model_a.state_dict().values(), model_b.state_dict().values()):
        assert torch.equal(a, b)
    assert record_a["model_acc"] == record_b["model_acc"] > 75
    assert record_a["model_name"] == "FashionMNISTModelV0"
    assert {"model_loss", "train_time", "device", "epochs"} <= record_a.keys()


# ---------------------------------------------------------------------------
# The benchmark's record
# ---------------------------------------------------------------------------


def test_benchmark_results_have_provenance():
    """Every recorded run says where, when and how it was measured (CPU model, cores,
    torch version, date, numerics profile, recipe version), one run per machine; its
    medians and ratios are what its own per-repetition times give, and each verdict
    follows from its ratio and the target recorded with it, a miss with its reason.
    Runs of the old format are kept only under superseded_runs, each saying why."""
    import statistics

    path = COURSE_ROOT / "scripts" / "benchmark_results.json"
    if not path.is_file():
        pytest.skip("no benchmark has been recorded yet")
    results = json.loads(path.read_text())
    assert results["format"] == 2
    runs = results["runs"]
    if not runs:
        pytest.skip("no run of the current format recorded yet: run scripts/benchmark_training.py on a quiet machine")
    for key, run in runs.items():
        assert {"machine", "device", "device_name", "cpu_model", "cores", "torch_version", "date", "command",
                "numerics", "recipe_version", "epochs", "repeats", "targets", "models", "totals", "verdicts",
                "load_average_before", "load_average_after"} <= run.keys()
        assert run["device"] in ("cpu", "cuda") and key == run["machine"] and key.startswith(run["device"] + ": ")
        assert {"profile_in_force", "capability", "threads"} <= run["numerics"].keys()
        assert run["epochs"] == 3 and run["repeats"] >= 3
        assert set(run["models"]) == set(recipe.COURSE_MODELS)
        limits = {target["ratio"]: target["limit"] for target in run["targets"]}
        assert all(target["reason"] for target in run["targets"])
        rows = {**run["models"], "total": run["totals"]}
        for name, entry in run["models"].items():
            for path_name in ("lesson", "recipe", "reference"):
                assert len(entry["times"][path_name]) == run["repeats"]
            assert entry["lesson_and_recipe_same_model"], f"{key}, {name}: the recipe trained another model"
        for path_name in ("lesson", "recipe", "reference"):
            sums = [sum(run["models"][n]["times"][path_name][r] for n in run["models"]) for r in range(run["repeats"])]
            assert run["totals"]["times"][path_name] == pytest.approx(sums)
        for name, entry in rows.items():
            for path_name, values in entry["times"].items():
                if path_name in ("lesson", "recipe", "reference"):
                    assert entry["median_time"][path_name] == pytest.approx(statistics.median(values))
            for ratio, limit in limits.items():
                numerator, denominator = ratio.split("/")
                expected = statistics.median(n / d for n, d in zip(entry["times"][numerator], entry["times"][denominator]))
                assert entry["ratios"][ratio] == pytest.approx(expected, abs=1e-3), f"{key}, {name}, {ratio}"
        assert len(run["verdicts"]) == len(rows) * len(limits)
        for verdict in run["verdicts"]:
            ratio = rows[verdict["model"]]["ratios"][verdict["target"]]
            assert verdict["limit"] == limits[verdict["target"]]
            assert verdict["met"] == (ratio <= verdict["limit"]), verdict
            assert verdict["met"] or verdict["why"], f"{key}: a missed target without its reason: {verdict}"
            per_repeat = rows[verdict["model"]]["per_repeat_ratios"][verdict["target"]] if verdict["model"] != "total" else None
            if per_repeat is not None:
                agrees = len({value <= verdict["limit"] for value in per_repeat}) == 1
                assert verdict["every_repetition_agrees"] == agrees, verdict
    for key, run in results.get("superseded_runs", {}).items():
        assert key == run["machine"] and run["superseded_because"]


def load_benchmark_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("benchmark_training", COURSE_ROOT / "scripts" / "benchmark_training.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    return benchmark


def test_benchmark_keeps_one_run_per_machine(tmp_path):
    """Recording a run replaces only the earlier run of the same machine."""
    benchmark = load_benchmark_module()
    path = tmp_path / "results.json"
    benchmark.save_run({"machine": "cuda: some GPU", "device": "cuda"}, path)
    benchmark.save_run({"machine": "cpu: CPU A (2 cores, AVX2)", "device": "cpu", "n": 1}, path)
    benchmark.save_run({"machine": "cpu: CPU B (2 cores, AVX-512)", "device": "cpu", "n": 1}, path)
    benchmark.save_run({"machine": "cpu: CPU A (2 cores, AVX2)", "device": "cpu", "n": 2}, path)
    runs = json.loads(path.read_text())["runs"]
    assert runs == {
        "cpu: CPU A (2 cores, AVX2)": {"machine": "cpu: CPU A (2 cores, AVX2)", "device": "cpu", "n": 2},
        "cpu: CPU B (2 cores, AVX-512)": {"machine": "cpu: CPU B (2 cores, AVX-512)", "device": "cpu", "n": 1},
        "cuda: some GPU": {"machine": "cuda: some GPU", "device": "cuda"},
    }


def test_benchmark_machine_key_names_the_vector_instructions():
    benchmark = load_benchmark_module()
    name = benchmark.device_name("cpu")
    assert benchmark.machine_key("cpu", ["avx2", "avx512f"]) == f"cpu: {name[:-1]}, AVX-512)"
    assert benchmark.machine_key("cpu", ["avx2"]).endswith(", AVX2)")
    assert benchmark.machine_key("cpu", []).endswith(", no AVX2)")


ROW = re.compile(r"^(model_\d|total)\s+" + r"\s+".join([r"(\d+\.\d{3})"] * 3)
                 + "".join(r"\s+(\d+\.\d{3})\s+(met|MISSED)" for _ in range(3)) + r"\s*$")


@pytest.mark.slow  # 25 to 50 s on 2 cores: every path of every model, in a fresh process
def test_benchmark_quick_mode_prints_the_whole_table():
    """``--quick`` (a few batches, one repetition) runs every path for every model and
    prints the table: three times per model, and for each of the three ratios its value,
    equal to the quotient of the printed times, and met/MISSED as its value and the
    header's target say, each miss explained on a MISSED line; the total row sums the
    models; the lesson and the recipe train the same model; nothing is recorded."""
    import subprocess
    import sys

    record = COURSE_ROOT / "scripts" / "benchmark_results.json"
    before = record.read_bytes() if record.is_file() else None
    done = subprocess.run([sys.executable, "scripts/benchmark_training.py", "--quick"], cwd=COURSE_ROOT,
                          capture_output=True, text=True, timeout=allow(50))
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "QUICK MODE" in out and "Not recorded" in out
    assert (record.read_bytes() if record.is_file() else None) == before, "--quick changed the record"

    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("model ") and "lesson s" in line)
    assert re.search(r"lesson s\s+recipe s\s+reference s", header)
    targets = re.findall(r"(\w+)/(\w+) \(<= (\d\.\d\d)\)", header)
    assert [f"{n}/{d}" for n, d, _ in targets] == ["recipe/lesson", "lesson/reference", "recipe/reference"]
    rows = {match[1]: match.groups()[1:] for line in lines if (match := ROW.match(line))}
    assert list(rows) == [*recipe.COURSE_MODELS, "total"], out
    columns = {"lesson": 0, "recipe": 1, "reference": 2}
    met = 0
    for name, cells in rows.items():
        seconds = [float(cell) for cell in cells[:3]]
        assert all(value > 0 for value in seconds)
        for i, (numerator, denominator, limit) in enumerate(targets):
            ratio, verdict = float(cells[3 + 2 * i]), cells[4 + 2 * i]
            quotient = seconds[columns[numerator]] / seconds[columns[denominator]]
            assert ratio == pytest.approx(quotient, rel=0.01, abs=0.002), f"{name} {numerator}/{denominator}"
            if ratio != float(limit):  # printed to 3 decimals: at the limit itself either verdict is right
                assert verdict == ("met" if ratio <= float(limit) else "MISSED"), f"{name} {numerator}/{denominator}"
            met += verdict == "met"
            if verdict == "MISSED":
                assert re.search(rf"^MISSED: {name} {numerator}/{denominator} {ratio:.3f} > target {limit}: \S.{{20,}}",
                                 out, re.MULTILINE), f"no reason printed for {name} {numerator}/{denominator}"
    for j in range(3):
        assert float(rows["total"][j]) == pytest.approx(sum(float(rows[n][j]) for n in recipe.COURSE_MODELS), abs=0.003)
    assert f"Targets met: {met} of {len(rows) * len(targets)}" in out
    for name in recipe.COURSE_MODELS:
        assert re.search(rf"^Accuracy, {name}: lesson (\S+)%, recipe \1% .*the same model", out, re.MULTILINE), name
