"""Train the course's three models with the course's recipe, under the reference
numerics profile, and save them into the package as the copies it ships
(``cv_course/trained/``), which a lesson opened on its own loads instead of
training (``cv_course.recipe.load_or_train_course_model``).

    .venv/bin/python scripts/train_shipped_models.py                  # all three, minutes
    .venv/bin/python scripts/train_shipped_models.py model_0 model_1  # only these

Run it again whenever ``tests/test_shipped_models.py`` or ``tests/test_standalone.py``
report that the shipped weights are no longer what the recipe trains (after a change
to the recipe, its ``RECIPE_VERSION``, the data pipeline or the PyTorch version).

It applies the profile itself, before PyTorch loads (as ``conftest.py`` does), and
refuses to save anything (exit status 3) where the profile does not hold: no AVX2,
not x86-64, or ``COURSE_NUMERICS=native``. Weights trained elsewhere would not be
the ones every other AVX2 machine trains.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere, installed or not

import numerics_profile  # noqa: E402  (imports no PyTorch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="course models to train (default: model_0 model_1 model_2)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to save into (default: cv_course/trained/, the shipped copies)")
    args = parser.parse_args(argv)

    status = numerics_profile.check(numerics_profile.apply())  # apply before PyTorch is imported
    print(status.line())
    if not status.holds:
        print("[shipped models] not training: weights made here would not be the ones every AVX2 machine "
              "trains under the profile. Run this on an x86-64 machine with AVX2, without COURSE_NUMERICS=native.",
              file=sys.stderr)
        return 3

    import torch

    from cv_course import recipe

    names = args.names or list(recipe.COURSE_MODELS)
    unknown = [name for name in names if name not in recipe.COURSE_MODELS]
    if unknown:
        parser.error(f"unknown course model(s) {unknown}; choose from {list(recipe.COURSE_MODELS)}")
    out = args.out if args.out is not None else recipe.SHIPPED_MODELS_DIR
    print(f"[shipped models] PyTorch {torch.__version__}, recipe version {recipe.RECIPE_VERSION}, saving into {out}")
    for name in names:
        model, record = recipe.train_course_model(name, device="cpu", bar_desc=f"Training {name}")
        path = recipe.save_course_model(name, model, record, out)
        print(f"[shipped models] {name}: val acc {record['model_acc']:.2f}%, val loss {record['model_loss']:.5f}, "
              f"trained in {record['train_time']:.1f} s -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
