"""How much does a course model's validation accuracy depend on luck?

Trains one course model with ``train_course_model`` several times, changing only
the seed (starting weights and batch order) and, for a CNN, the memory layout
(channels-last or channels-first, which changes nothing but the order of
floating-point operations), and prints the validation accuracy of each run
(the recipe's record; the test set stays untouched).

    python scripts/seed_spread.py                          # Model 2, seeds 42 0 1 2, both layouts
    python scripts/seed_spread.py --course-layout-only     # Model 2, the course's layout (channels-first) only
    python scripts/seed_spread.py --model model_0 --seeds 42 7

Each Model 2 run takes a minute or two on a 2-core CPU.
"""
from __future__ import annotations

import argparse
import statistics
import sys

import torch

from cv_course import recipe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="model_2", choices=list(recipe.COURSE_MODELS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 0, 1, 2])
    parser.add_argument("--course-layout-only", action="store_true",
                        help="for a CNN, train only in the course's layout (the default, channels-first)")
    args = parser.parse_args(argv)

    is_cnn = any(isinstance(m, torch.nn.Conv2d) for m in recipe.build_course_model(args.model).modules())
    layouts = {"channels-first": False, "channels-last": True} if is_cnn else {"default": False}
    if is_cnn and args.course_layout_only:
        layouts = {"channels-first": False}
    print(f"{args.model}, 3 epochs, {torch.get_num_threads()} CPU threads, torch {torch.__version__}")
    accuracies: dict[str, list[float]] = {layout: [] for layout in layouts}
    for seed in args.seeds:
        for layout, channels_last in layouts.items():
            _, record = recipe.train_course_model(args.model, seed=seed, channels_last=channels_last)
            accuracies[layout].append(record["model_acc"])
            print(f"seed {seed:>3}, {layout:<14}: validation accuracy {record['model_acc']:.2f}%", flush=True)
    for layout, values in accuracies.items():
        spread = f", standard deviation {statistics.stdev(values):.2f}" if len(values) > 1 else ""
        print(f"{layout:<14}: mean {statistics.mean(values):.2f}%, "
              f"range {min(values):.2f}-{max(values):.2f}%{spread}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
