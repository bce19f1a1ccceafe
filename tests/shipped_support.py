"""What the tests of the shipped models share (tests/test_shipped_models.py,
tests/test_standalone.py): the comparison of weights, bit for bit, and when it applies."""
from __future__ import annotations

import pytest
import torch

import numerics_profile
from cv_course.recipe import SHIPPED_MODELS_DIR

PROFILE = numerics_profile.check()
#: Training reproduces the shipped weights bit for bit only where the profile holds.
NEEDS_PROFILE = pytest.mark.skipif(
    not PROFILE.holds,
    reason=f"the numerics profile is not in force ({PROFILE.reason}): training here need not reproduce "
           "the shipped weights bit for bit",
)
REGENERATE = "train them again with .venv/bin/python scripts/train_shipped_models.py"


def shipped_state_dict(name: str) -> dict[str, torch.Tensor]:
    return torch.load(SHIPPED_MODELS_DIR / f"{name}.pth", weights_only=True, map_location="cpu")


def differing_tensors(expected: dict[str, torch.Tensor], actual: dict[str, torch.Tensor]) -> list[str]:
    """The entries of two state_dicts that are not bit for bit equal, each with
    its largest absolute difference: [] when they are the same."""
    problems = [f"{key}: missing" for key in expected if key not in actual]
    problems += [f"{key}: unexpected" for key in actual if key not in expected]
    for key in expected.keys() & actual.keys():
        a, b = expected[key].cpu(), actual[key].cpu()
        if a.shape != b.shape or a.dtype != b.dtype:
            problems.append(f"{key}: {tuple(a.shape)} {a.dtype} vs {tuple(b.shape)} {b.dtype}")
        elif not torch.equal(a, b):
            problems.append(f"{key}: differs by up to {(a.double() - b.double()).abs().max().item():.3g}")
    return sorted(problems)
