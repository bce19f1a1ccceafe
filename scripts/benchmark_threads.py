"""How much a thread count that fits the CPUs a process may use saves on a loaded machine.

PyTorch sizes its thread pool from the cores it sees. On a shared machine (a JupyterHub
pod with a CPU quota, a lab server) that is more threads than the process gets CPU time
for, and they wait on one another at every step. helper_functions.use_available_cpus()
(every notebook's set-up cell calls it) lowers the count to fit; see cv_toolbox/cpus.py.

This script loads the machine with busy-loop processes (they stop by themselves after
--limit-s seconds, and are killed at the end), then times the same TinyVGG training steps
on real FashionMNIST images twice in one process: with PyTorch's default thread count,
and with the count use_available_cpus() chooses under a simulated CPU quota (fake
cgroup v2 files, --quota CPUs): that one first, so that the busy loops, which end after
--limit-s, can only favour the default. It prints both times and their ratio.

    python scripts/benchmark_threads.py                  # 4 busy processes per CPU, quota 1
    python scripts/benchmark_threads.py --busy 0         # a quiet machine, for comparison
"""
from __future__ import annotations

import os

os.environ.pop("OMP_NUM_THREADS", None)  # before PyTorch loads: a student's default thread pool
os.environ.pop("MKL_NUM_THREADS", None)

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

COURSE_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(COURSE_ROOT))


def busy_loop(until: float) -> None:
    """Keep one CPU busy until the time ``until`` (time.time()), then return."""
    while time.time() < until:
        pass


def time_steps(steps: int, images, labels) -> float:
    """Seconds taken by ``steps`` TinyVGG training steps (after one untimed warm-up step)."""
    import torch
    from helper_functions import FashionMNISTModelV2

    torch.manual_seed(42)
    model = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = len(images) // (steps + 1)
    start = None
    for step in range(steps + 1):
        if step == 1:
            start = time.perf_counter()
        x, y = images[step * batch:(step + 1) * batch], labels[step * batch:(step + 1) * batch]
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def simulated_quota(folder: Path, cpus: float) -> None:
    """Point cv_toolbox.cpus at fake cgroup v2 files that allow ``cpus`` CPUs of time."""
    from cv_toolbox import cpus as cpus_module

    (folder / "course").mkdir(parents=True)
    (folder / "course" / "cpu.max").write_text(f"{int(cpus * 100_000)} 100000\n")
    (folder / "self_cgroup").write_text("0::/course\n")
    cpus_module.CGROUP_ROOT, cpus_module.SELF_CGROUP = folder, folder / "self_cgroup"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=4 * (os.cpu_count() or 1), help="busy-loop processes")
    parser.add_argument("--steps", type=int, default=30, help="TinyVGG training steps timed each way")
    parser.add_argument("--batch", type=int, default=32, help="images per step")
    parser.add_argument("--quota", type=float, default=1.0, help="the simulated CPU quota, in CPUs")
    parser.add_argument("--limit-s", type=float, default=100.0, help="the busy loops stop after this long")
    args = parser.parse_args(argv)

    import torch
    from torchvision.datasets import FashionMNIST

    from helper_functions import prepare_fashion_mnist, use_available_cpus

    data = FashionMNIST(root=prepare_fashion_mnist(), train=True, download=True)
    count = (args.steps + 1) * args.batch
    images = data.data[:count].unsqueeze(1).float() / 255
    labels = data.targets[:count]
    default_threads = torch.get_num_threads()

    loaders = [multiprocessing.Process(target=busy_loop, args=(time.time() + args.limit_s,), daemon=True)
               for _ in range(args.busy)]
    for process in loaders:
        process.start()
    try:
        time.sleep(1 if loaders else 0)  # let the load settle
        with tempfile.TemporaryDirectory() as folder:
            simulated_quota(Path(folder), args.quota)
            fitted_threads = use_available_cpus()
        fitted_s = time_steps(args.steps, images, labels)
        # The default second: should the busy loops end before it does, its time only gets shorter.
        torch.set_num_threads(default_threads)
        default_s = time_steps(args.steps, images, labels)
        loaded_throughout = all(process.is_alive() for process in loaders)
    finally:
        for process in loaders:
            process.kill()
            process.join()
    print(f"{args.busy} busy-loop processes on {os.cpu_count()} CPUs; {args.steps} TinyVGG training steps "
          f"of {args.batch} FashionMNIST images; simulated quota {args.quota:g} CPU(s)")
    print(f"  PyTorch's default, {default_threads} thread(s): {default_s:6.2f} s")
    print(f"  use_available_cpus(), {fitted_threads} thread(s): {fitted_s:6.2f} s")
    print(f"  ratio (default / fitted): {default_s / fitted_s:.1f}x")
    if not loaded_throughout:
        print(f"  (the busy loops ended, after --limit-s={args.limit_s:g} s, before the default's timing did: "
              "its figure is lower than under load throughout)")


if __name__ == "__main__":
    main()
