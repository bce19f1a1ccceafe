"""The reference numerics profile: the settings under which the notebooks' stored
outputs were computed, so that re-running them gives the same numbers on any
x86-64 machine with AVX2.

Why it is needed: the order in which a CPU adds up floating-point numbers depends
on the vector instructions PyTorch, oneDNN and MKL choose (AVX2 or AVX-512) and on
how many threads split each sum. Different orders round differently in the last
bits; a few thousand training steps turn that into a different accuracy. Pinning
both makes every such machine compute bit for bit the same.

What it pins (in the environment, before PyTorch loads, so kernels inherit it):

- ``ATEN_CPU_CAPABILITY=avx2``: PyTorch's own vectorised kernels;
- ``ONEDNN_MAX_CPU_ISA=AVX2``: oneDNN (convolutions, pooling);
- ``MKL_CBWR=COMPATIBLE``: MKL (the matrix products of Linear layers, ``exp``) in
  its mode that computes the same on every x86-64 CPU: left to itself, MKL picks
  other code on Intel than on AMD processors with the same instructions;
- ``OMP_NUM_THREADS=2`` and ``MKL_NUM_THREADS=2``: two intra-op threads;
- ``CUDA_VISIBLE_DEVICES=`` (empty): GPUs are hidden, so every notebook takes its
  CPU path.

Every run that applies it also isolates the notebooks from the user's own matplotlib and
IPython settings, in either mode: that is scripts/config_isolation.py's job.

Who applies it: README command 1 (``scripts/run_course.sh``, which stores outputs)
and every ``pytest`` run from the repository (``conftest.py``). A student's own run
applies nothing and uses all the machine has.

Where it cannot hold (no AVX2, or not x86-64: Apple Silicon, ARM runners), the tests
still execute every notebook and fail on any error, but compare only the outputs
that do not depend on floating-point arithmetic (``tests/float_dependent_cells.json``,
written by ``scripts/find_float_dependent_cells.py``). ``COURSE_NUMERICS=native``
asks for that mode on purpose: nothing is pinned, nothing float-dependent compared.
``COURSE_REQUIRE_PROFILE=1`` (set by the course's CI) turns that fallback into a
failure with the reason: there the profile must hold.

    python scripts/numerics_profile.py           # does the profile hold here? (one line)
    eval "$(python scripts/numerics_profile.py --shell)"   # apply it in a bash script
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import MutableMapping

THREADS = 2
INSTRUCTION_SET = "AVX2"  # as torch.backends.cpu.get_cpu_capability() names it

PROFILE_ENV: dict[str, str] = {
    "ATEN_CPU_CAPABILITY": INSTRUCTION_SET.lower(),
    "ONEDNN_MAX_CPU_ISA": INSTRUCTION_SET,
    "MKL_CBWR": "COMPATIBLE",
    "OMP_NUM_THREADS": str(THREADS),
    "MKL_NUM_THREADS": str(THREADS),
    "CUDA_VISIBLE_DEVICES": "",
}

#: ``reference`` (the default) applies the profile; ``native`` applies nothing.
MODE_VARIABLE = "COURSE_NUMERICS"
#: ``1`` makes a test run fail, with the reason, where the profile does not hold: set by the
#: course's CI (.ci/run and .github/workflows/tests.yml), whose x86-64 runners can hold it.
REQUIRE_VARIABLE = "COURSE_REQUIRE_PROFILE"
#: What CUDA_VISIBLE_DEVICES was before the profile hid the GPUs ("unset" if it was),
#: for the test that runs the notebooks on a GPU.
HIDDEN_GPUS_VARIABLE = "COURSE_CUDA_VISIBLE_DEVICES_BEFORE_PROFILE"


#: The cells whose outputs depend on floating-point arithmetic, found by measurement.
FLOAT_DEPENDENT_CELLS_PATH = Path(__file__).resolve().parent.parent / "tests" / "float_dependent_cells.json"


def code_cell_first_lines(notebook: Path) -> list[str]:
    """The first non-blank line of each code cell of ``notebook``, in nbval's numbering
    ("Cell N"): what tests/float_dependent_cells.json records beside each number."""
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    return [next((line for line in cell.source.splitlines() if line.strip()), "")
            for cell in cells if cell.cell_type == "code"]


def float_dependent_cells(path: Path = FLOAT_DEPENDENT_CELLS_PATH) -> set[tuple[str, int]]:
    """(notebook file name, code cell number in nbval's count) of each cell whose
    outputs changed when the notebooks ran with other floating-point numerics."""
    record = json.loads(path.read_text())
    return {(notebook, entry["cell"]) for notebook, entries in record["cells"].items() for entry in entries}


@dataclass(frozen=True)
class Status:
    """Whether the profile holds on this machine, and what was seen."""

    holds: bool
    mode: str  # "reference" or "native"
    capability: str  # the instruction set PyTorch uses, e.g. "AVX2"
    threads: int
    reason: str  # why it does not hold; "" when it does

    def line(self) -> str:
        """One line for the start of a test run or a script's output."""
        seen = f"{self.capability}, {self.threads} threads, {platform.machine()}"
        if self.holds:
            return (f"numerics profile: in force ({seen}); every output is compared "
                    "with the stored one")
        return (f"numerics profile: NOT in force: {self.reason} ({seen}); every notebook still runs "
                "and any error fails, but outputs that depend on floating-point arithmetic "
                "are not compared")


def requested_mode(environ: MutableMapping[str, str] = os.environ) -> str:
    """The mode asked for with COURSE_NUMERICS: ``reference`` or ``native``."""
    mode = environ.get(MODE_VARIABLE, "reference").strip().lower() or "reference"
    if mode not in ("reference", "native"):
        raise ValueError(f"{MODE_VARIABLE}={environ[MODE_VARIABLE]!r}: use 'reference' (the default) or 'native'.")
    return mode


def cpu_has_avx2() -> bool:
    """Whether this is an x86-64 CPU with AVX2, as PyTorch's CPU-feature detection
    (CPUID) finds it. Importing PyTorch does not yet fix which kernels it runs."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    import torch

    is_avx2_supported = getattr(torch.cpu, "_is_avx2_supported", None)
    return bool(is_avx2_supported()) if is_avx2_supported else True


def apply(environ: MutableMapping[str, str] = os.environ) -> str:
    """Put the profile into ``environ`` (unless COURSE_NUMERICS=native) and return the mode.
    Call it before PyTorch is imported: every kernel and subprocess started afterwards
    inherits it."""
    mode = requested_mode(environ)
    if mode == "reference":
        environ.setdefault(HIDDEN_GPUS_VARIABLE, environ.get("CUDA_VISIBLE_DEVICES", "unset"))
        # The thread counts first: OpenMP reads them when PyTorch loads.
        environ.update({name: value for name, value in PROFILE_ENV.items() if name != "ATEN_CPU_CAPABILITY"})
        # PyTorch trusts ATEN_CPU_CAPABILITY without checking the CPU: on a CPU without
        # AVX2 it would run AVX2 kernels and crash, so ask only where AVX2 is there.
        if cpu_has_avx2():
            environ["ATEN_CPU_CAPABILITY"] = PROFILE_ENV["ATEN_CPU_CAPABILITY"]
        else:
            environ.pop("ATEN_CPU_CAPABILITY", None)
    return mode


def native_environment(environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """A copy of ``environ`` as it was before ``apply``: none of the profile's variables,
    the GPUs visible again, and COURSE_NUMERICS=native so a child's conftest.py leaves it so
    (and does not require the profile: the child runs natively on purpose)."""
    left_out = {*PROFILE_ENV, HIDDEN_GPUS_VARIABLE, REQUIRE_VARIABLE}
    env = {k: v for k, v in environ.items() if k not in left_out}
    before = environ.get(HIDDEN_GPUS_VARIABLE, "unset")
    if before != "unset":
        env["CUDA_VISIBLE_DEVICES"] = before
    env[MODE_VARIABLE] = "native"
    return env


def check(mode: str | None = None) -> Status:
    """Whether the profile holds in this process, as PyTorch sees it. The profile must
    have been applied before PyTorch was imported (see ``apply``)."""
    mode = mode or requested_mode()
    import torch  # only now: the profile's variables must be in place first

    capability = torch.backends.cpu.get_cpu_capability()
    threads = torch.get_num_threads()
    machine = platform.machine().lower()
    if mode == "native":
        reason = f"{MODE_VARIABLE}=native asks for this machine's own numerics"
    elif machine not in ("x86_64", "amd64"):
        reason = f"this CPU is {platform.machine()}, not x86-64"
    elif not cpu_has_avx2():
        reason = f"this CPU lacks {INSTRUCTION_SET} (PyTorch can use only {capability})"
    elif capability != INSTRUCTION_SET:
        reason = f"PyTorch uses {capability}, not {INSTRUCTION_SET} (was it imported before the profile was applied?)"
    elif threads != THREADS:
        reason = f"PyTorch runs {threads} threads, not {THREADS} (was it imported before the profile was applied?)"
    else:
        reason = ""
    return Status(holds=not reason, mode=mode, capability=capability, threads=threads, reason=reason)


def requirement_failure(status: Status, environ: MutableMapping[str, str] = os.environ) -> str | None:
    """Why a run must stop here: COURSE_REQUIRE_PROFILE=1 (the course's CI) and the profile
    does not hold. None when it holds or is not required."""
    if environ.get(REQUIRE_VARIABLE, "").strip() != "1" or status.holds:
        return None
    return (f"{REQUIRE_VARIABLE}=1 but the numerics profile does not hold: {status.reason} "
            f"({status.capability}, {status.threads} threads, {platform.machine()})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Apply or check the course's reference numerics profile.")
    parser.add_argument("--shell", action="store_true",
                        help="print `export` lines for bash (the status line goes to stderr)")
    parser.add_argument("--require", action="store_true",
                        help="exit with status 3 when the profile does not hold here")
    args = parser.parse_args(argv)
    mode = apply()
    status = check(mode)
    if args.shell:
        for name in PROFILE_ENV if mode == "reference" else ():
            if name in os.environ:
                print(f"export {name}={shlex.quote(os.environ[name])}")
        print(status.line(), file=sys.stderr)
    else:
        print(status.line())
    return 3 if args.require and not status.holds else 0


if __name__ == "__main__":
    sys.exit(main())
