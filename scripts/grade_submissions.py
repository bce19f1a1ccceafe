"""Grade submitted notebooks with Otter-Grader on this machine, without Docker, and
write the grades as a CSV.

    python scripts/grade_submissions.py submissions/*.ipynb
    python scripts/grade_submissions.py -a build/grading/autograder/exercises-autograder_*.zip \\
        -o build/grading/grades --jobs 2 submissions/*.ipynb

Each submission is graded by Otter's own command-line tool, ``otter run``, in this
Python environment (which must have the course installed, as scripts/setup.sh does),
with the autograder zip that scripts/make_grading.py built. Written to the output
folder (default build/grading/grades/):

- final_grades.csv: one row per submission, one column per exercise, with the total,
  the percentage and a grading status, the first row the points possible: the file
  ``otter grade`` writes, made by Otter's own code;
- runs/<submission>/results.json: Otter's full results for one submission (each
  test's message, and the report on cells that stopped), as Gradescope shows them;
- runs/<submission>/otter-run.log: what ``otter run`` printed.

Use ``otter grade`` instead where Docker is available; it isolates submissions from
each other and from this machine. Exits 1 when a submission could not be graded at
all (its row then says why).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dill
import pandas as pd
from otter.grade.utils import merge_scores_to_df
from otter.test_files import GradingResults

SCRIPTS_DIR = Path(__file__).resolve().parent
COURSE_ROOT = SCRIPTS_DIR.parent
GRADING_DIR = COURSE_ROOT / "build" / "grading"
GRADES_CSV = "final_grades.csv"  # the name `otter grade` gives it


def default_autograder() -> Path:
    """The autograder zip of the last ``scripts/make_grading.py`` build."""
    zips = sorted((GRADING_DIR / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise SystemExit(f"found {len(zips)} autograder zips in {GRADING_DIR / 'autograder'}: "
                         "run scripts/make_grading.py first, or name one with --autograder")
    return zips[0]


def otter_run(submission: Path, autograder: Path, run_dir: Path, timeout: float | None) -> GradingResults:
    """Grade one submission with ``otter run``; its results, or results that say why
    there are none. The plugin named in the autograder is imported from this folder."""
    run_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SCRIPTS_DIR), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "--pickle-results", "-a", str(autograder), "-o", str(run_dir), str(submission)]
    log = run_dir / "otter-run.log"
    try:
        # --pickle-results writes results.pkl into the working folder
        result = subprocess.run(command, cwd=run_dir, env=env, capture_output=True, text=True, timeout=timeout)
        log.write_text(result.stdout + result.stderr)
        failure = f"otter run exited with {result.returncode}: see {log}" if result.returncode else None
    except subprocess.TimeoutExpired as stopped:
        log.write_text(f"{stopped.stdout or ''}{stopped.stderr or ''}")
        failure = f"otter run took more than {timeout:g} s and was stopped: see {log}"
    pickle = run_dir / "results.pkl"
    if failure or not pickle.exists():
        results = GradingResults.without_results(RuntimeError(failure or f"otter run wrote no results: see {log}"))
    else:
        with pickle.open("rb") as f:
            results = dill.load(f)
    results.file = submission.name
    return results


def grade(submissions: list[Path], autograder: Path, out_dir: Path, jobs: int = 1,
          timeout: float | None = None) -> pd.DataFrame:
    """Grade ``submissions``; write ``out_dir``/final_grades.csv and return its table."""
    missing = [str(path) for path in submissions if not path.is_file()]
    if missing:
        raise SystemExit(f"no such submission: {', '.join(missing)}")
    if not autograder.is_file():
        raise SystemExit(f"no such autograder zip: {autograder}")
    names = [path.stem for path in submissions]
    if len(set(names)) != len(names):
        raise SystemExit("two submissions have the same name; each gets its own folder in runs/ named after it")
    if jobs < 1:
        raise SystemExit(f"--jobs must be at least 1, got {jobs}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(
            lambda path: otter_run(path.resolve(), autograder.resolve(), out_dir / "runs" / path.stem, timeout),
            submissions))
    grades = merge_scores_to_df(results)
    grades.to_csv(out_dir / GRADES_CSV, index=False)
    return grades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, nargs="+", help="submitted notebooks (.ipynb)")
    parser.add_argument("-a", "--autograder", type=Path, help="autograder zip (default: the one in build/grading/autograder)")
    parser.add_argument("-o", "--output-dir", type=Path, default=GRADING_DIR / "grades",
                        help="where final_grades.csv and runs/ go (default: build/grading/grades)")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default: 1)")
    parser.add_argument("--timeout", type=float, help="stop grading one submission after this many seconds "
                        "(its cells already have a time limit each, set by make_grading.py)")
    args = parser.parse_args(argv)
    grades = grade(args.submissions, args.autograder or default_autograder(), args.output_dir, args.jobs, args.timeout)
    print(grades.to_string(index=False))
    print(f"\ngrades: {args.output_dir / GRADES_CSV}")
    return 0 if (grades["grading_status"].isin(["Completed", "--"])).all() else 1


if __name__ == "__main__":
    sys.exit(main())
