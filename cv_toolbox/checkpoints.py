"""Checkpoints: what ``helper_functions.load_model`` checks before loading a
state_dict, and what it tells a student when a file does not load.

- ``checkpoint_load_problem``: why ``torch.load(path, weights_only=True)`` failed (a
  whole pickled model, other objects, a truncated or foreign file), and the fix;
- ``check_device``: a GPU named that this machine lacks;
- ``plain_module`` and ``check_state_dict``: a model wrapped by ``torch.compile``
  saves and loads as the plain model (its state_dict's keys start with
  ``_orig_mod.``), and a state_dict of another architecture is refused with its
  missing, unexpected and mis-shaped keys named.
"""
from __future__ import annotations

import contextlib
import re
from pathlib import Path

import torch
from torch import nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present


class CheckpointError(RuntimeError):
    """A checkpoint file exists but cannot be loaded into the given model."""


_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;]*m")


def checkpoint_load_problem(path: Path, error: Exception) -> str:
    """What to tell a student whose ``torch.load(path, weights_only=True)``
    raised ``error``: the real cause, in a sentence, and how to fix it."""
    text = _TERMINAL_CODES.sub("", str(error)).strip()
    refused = re.findall(r"GLOBAL ([\w.]+) was not an allowed global", text)
    if refused:
        with contextlib.suppress(Exception):  # lists every object, where PyTorch (2.5 and newer) can
            refused = torch.serialization.get_unsafe_globals_in_checkpoint(path) or refused
        fix = ("Save checkpoints with save_model(model, path): it saves only model.state_dict(). If you trust "
               "the file, convert it once: save_model(torch.load(path, weights_only=False), path).")
        if any(name.startswith("torch.nn.modules.") for name in refused):
            return (f"{path} holds a whole pickled model (saved with torch.save(model)), not a state_dict: "
                    f"load_model refuses objects other than tensors, since unpickling them can run code. {fix}")
        return (f"{path} holds objects other than tensors ({', '.join(refused)}), which load_model refuses: "
                f"unpickling them can run code. {fix}")
    first_line = text.splitlines()[0] if text else "no details"
    return (f"Could not load {path} as a PyTorch checkpoint: it is truncated or corrupt, or not a PyTorch file "
            f"({type(error).__name__}: {first_line}). Save it again with save_model(model, path), or copy it again.")


def check_device(device) -> None:
    """Raise ``RuntimeError`` if ``device`` names a GPU this machine does not have."""
    device = torch.device(device)
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (device.index or 0) >= count:
            found = f"only {count} CUDA GPU(s)" if count else "no CUDA GPU (torch.cuda.is_available() is False)"
            raise RuntimeError(f"device={str(device)!r} asks for a GPU, but PyTorch finds {found} here. Use "
                               "device='cpu', or device = 'cuda' if torch.cuda.is_available() else 'cpu'.")
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise RuntimeError("device='mps' asks for an Apple GPU, but PyTorch finds none here. Use device='cpu', "
                           "or device = 'mps' if torch.backends.mps.is_available() else 'cpu'.")


#: What ``torch.compile`` puts before every key of the state_dict of the model it wraps.
COMPILED_PREFIX = "_orig_mod."


def plain_module(model: nn.Module) -> nn.Module:
    """The module a ``torch.compile``'d ``model`` wraps (its ``_orig_mod``), else ``model``:
    the two share their parameters, and only the plain one has the plain key names."""
    return getattr(model, "_orig_mod", model)


def _shape(value) -> tuple[int, ...] | None:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def check_state_dict(model: nn.Module, state_dict: dict, path: Path) -> None:
    """Make ``state_dict`` (loaded from ``path``) fit ``model``, a plain module: keys
    saved from a compiled model lose their ``_orig_mod.`` prefix, in place. Raises
    ``CheckpointError`` if it is not a dict of names to tensors, or if keys are
    missing, unexpected or of another shape than ``model``'s (another architecture)."""
    if not isinstance(state_dict, dict) or not all(isinstance(key, str) for key in state_dict):
        raise CheckpointError(
            f"{path} holds a {type(state_dict).__name__}, not a state_dict (a dict of parameter names "
            "to tensors); save checkpoints with save_model(model, path)."
        )
    consume_prefix_in_state_dict_if_present(state_dict, COMPILED_PREFIX)
    expected = model.state_dict()
    problems = {
        "missing keys": [key for key in expected if key not in state_dict],
        "unexpected keys": [key for key in state_dict if key not in expected],
        "shape mismatches": [
            f"{key}: file {_shape(state_dict[key])} vs model {_shape(expected[key])}"
            for key in expected
            if key in state_dict and _shape(state_dict[key]) != _shape(expected[key])
        ],
    }
    if any(problems.values()):
        details = "; ".join(f"{label}: {', '.join(items)}" for label, items in problems.items() if items)
        raise CheckpointError(f"{path} was saved from a different architecture than {type(model).__name__}; {details}.")
