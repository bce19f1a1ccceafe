"""Find the notebook cells whose outputs depend on floating-point arithmetic.

Where the reference numerics profile cannot hold (a CPU without AVX2, an ARM
machine), the tests compare only the outputs that do not depend on how a CPU
rounds. This script finds the others by measurement: it runs every notebook under
strict nbval in a copy of the course, once per deliberately different set of
numerics (other instruction sets, other thread counts), and records each cell whose
outputs differed in any of them in ``tests/float_dependent_cells.json``.

    python scripts/find_float_dependent_cells.py              # all notebooks, ~25 min on 2 cores
    python scripts/find_float_dependent_cells.py notebooks/02_model_0_baseline.ipynb

Run it after changing what a notebook computes; tests/test_numerics_profile.py fails
when a recorded cell no longer matches its notebook.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
from course_copy import copy_course  # noqa: E402
from numerics_profile import code_cell_first_lines, native_environment  # noqa: E402

RESULT_PATH = COURSE_ROOT / "tests" / "float_dependent_cells.json"

#: Numerics unlike the profile's: each changes the order or width of floating-point
#: operations. Variables not named here are left unset (the machine's own choice).
PERTURBATIONS: dict[str, dict[str, str]] = {
    "this machine's own instruction set, 2 threads": {"OMP_NUM_THREADS": "2"},
    "no vector instructions beyond SSE4, 1 thread": {
        "ATEN_CPU_CAPABILITY": "default",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "OMP_NUM_THREADS": "1",
    },
}


def differing_cells(notebooks: list[str], extra_env: dict[str, str], workdir: Path) -> tuple[set, set]:
    """Run strict nbval on ``notebooks`` in a fresh copy of the course under ``extra_env``;
    return the (notebook, cell) pairs whose outputs differed, and those that raised."""
    course = workdir / "course"
    shutil.rmtree(course, ignore_errors=True)
    copy_course(course)
    env = {**native_environment(), **extra_env, "CUDA_VISIBLE_DEVICES": ""}
    report = workdir / "report.xml"
    # --noconftest: the course's conftest.py would apply the reference profile.
    subprocess.run(
        [sys.executable, "-m", "pytest", "--noconftest", "-q", "-p", "no:cacheprovider",
         f"--junitxml={report}", *notebooks],
        cwd=course, env=env, check=False,
    )
    cases = list(ElementTree.parse(report).iter("testcase")) if report.is_file() else []
    # A notebook nbval never collected (a missing file, a collection error) would look
    # like one with no float-dependent cells: stop instead of recording that.
    not_run = [n for n in notebooks if not any(Path(n).stem in case.get("classname", "") for case in cases)]
    if not_run:
        raise SystemExit(f"[float cells] nbval ran no cells of {not_run} in the copy of the course: are they committed or added to git?")
    differed, raised = set(), set()
    for case in cases:
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        name = case.get("name", "")
        if not name.startswith("Cell "):
            continue
        # nbval's test ids: classname "notebooks.02_model_0_baseline.ipynb", name "Cell 12"
        notebook = next(n for n in notebooks if Path(n).stem in case.get("classname", ""))
        key = (Path(notebook).name, int(name.split()[1]))
        text = (problem.get("message") or "") + (problem.text or "")
        (differed if "Cell outputs differ" in text else raised).add(key)
    return differed, raised


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all of notebooks/)")
    parser.add_argument("--workdir", help="keep the course copies and nbval's reports here (default: a temporary folder)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(str(p.relative_to(COURSE_ROOT)) for p in (COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

    found: set[tuple[str, int]] = set()
    with tempfile.TemporaryDirectory(prefix="float-cells-") as tmp:
        tmp = args.workdir or tmp
        for run, (label, extra_env) in enumerate(PERTURBATIONS.items()):
            print(f"[float cells] running {len(notebooks)} notebooks with {label}", flush=True)
            differed, raised = differing_cells(notebooks, extra_env, Path(tmp) / f"run-{run}")
            if raised:
                print(f"[float cells] these cells raised an error with {label}: {sorted(raised)}", file=sys.stderr)
                return 1
            print(f"[float cells]   {len(differed)} cells differed", flush=True)
            found |= differed

    # Keep the record of notebooks not run this time.
    record = json.loads(RESULT_PATH.read_text()) if RESULT_PATH.is_file() else {}
    cells: dict[str, list] = record.get("cells", {})
    for notebook in notebooks:
        name = Path(notebook).name
        first_lines = code_cell_first_lines(COURSE_ROOT / "notebooks" / name)
        cells[name] = [{"cell": i, "first_line": first_lines[i]} for i in sorted(i for n, i in found if n == name)]
    record = {
        "about": "Code cells (nbval's numbering) whose outputs changed when the notebooks ran with other "
                 "floating-point numerics; where the reference profile cannot hold, their outputs are not "
                 "compared. Written by scripts/find_float_dependent_cells.py.",
        "perturbations": list(PERTURBATIONS),
        "cells": dict(sorted(cells.items())),
    }
    RESULT_PATH.write_text(json.dumps(record, indent=1) + "\n")
    total = sum(len(v) for v in cells.values())
    print(f"[float cells] {total} float-dependent cells recorded in {RESULT_PATH.relative_to(COURSE_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
