"""The training times recorded by ``scripts/benchmark_training.py``, shipped with
the course so that notebook 03 shows them wherever it runs."""
from __future__ import annotations

import json
from importlib import resources

RESULTS_FILE = "benchmark_results.json"


def recorded_runs() -> dict[str, dict]:
    """The recorded benchmark runs, one per machine (its description -> the run)."""
    text = resources.files("cv_course").joinpath(RESULTS_FILE).read_text(encoding="utf-8")
    return json.loads(text)["runs"]
