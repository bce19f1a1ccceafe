"""An Otter-Grader plugin: one cell that never ends, or that raises, costs a submission
only the exercise it belongs to, and the submission's report says which cell and why.

Otter executes a submission with nbclient and ignores cell errors, so a cell that
raises is already graded around; but it has no time limit for one cell (its only
limit, ``otter grade --timeout``, stops the whole Docker container and scores the
submission 0). This plugin, listed under ``plugins`` in the autograder's
``otter_config.json`` (scripts/make_grading.py writes it there), adds both:

- ``before_execution``: a first cell that makes the kernel stop any cell running for
  more than ``seconds`` (a ``CellTimeLimitExceeded`` error in that cell), except cells
  whose source has one of the SHA-256 digests in ``exempt_digests``: the course's own
  setup cells, unchanged, which load data and end on any machine, however slow. Grading
  then goes on with the next cell, as after any other error.
- ``after_grading``: the submission's report (the ``output`` of Otter's results.json,
  shown at the top of a Gradescope result) lists each cell that stopped with an error,
  by exercise, with the error.

Where it must be importable: in the process that runs Otter. The autograder zip holds
this file at its root, beside run_otter.py, which Gradescope and ``otter grade`` run
(so it is on their path); for ``otter run``, put this folder on PYTHONPATH
(scripts/grade_submissions.py does).
"""
from __future__ import annotations

import hashlib

import nbformat
from otter.plugins import AbstractOtterPlugin

#: Where the autograder zip and ``otter_config.json`` name this plugin.
PLUGIN_NAME = f"{__name__}.CellTimeLimit"
#: The error a stopped cell shows; a BaseException, so `except Exception:` in a student's
#: loop cannot swallow it and loop on.
TIME_LIMIT_ERROR = "CellTimeLimitExceeded"

# Runs first in the kernel. IPython's pre_run_cell and post_run_cell events arm and
# disarm a wall-clock alarm (SIGALRM: the kernel runs cells in its main thread), so
# the limit holds for each cell on its own. The handler raises only while a cell runs,
# never in IPython's own code between cells.
KERNEL_CELL = '''\
# Added by the grader ({plugin}): stops a cell that runs for more than {seconds} s.
def _grader_cell_time_limit(seconds, exempt_digests):
    import hashlib, signal
    from IPython import get_ipython

    class {error}(BaseException):
        """A cell ran past the grader's time limit for one cell."""

    running = []

    def stop(signum, frame):
        if running:
            raise {error}(f"this cell ran for more than {{seconds:g}} s, the grader's limit for one cell, and was stopped")

    def arm(info):
        if hashlib.sha256(info.raw_cell.encode()).hexdigest() not in exempt_digests:
            running.append(True)
            signal.setitimer(signal.ITIMER_REAL, seconds)

    def disarm(result):
        running.clear()
        signal.setitimer(signal.ITIMER_REAL, 0)

    signal.signal(signal.SIGALRM, stop)
    get_ipython().events.register("pre_run_cell", arm)
    get_ipython().events.register("post_run_cell", disarm)


_grader_cell_time_limit({seconds}, {exempt!r})
del _grader_cell_time_limit
'''


def source_digest(source: str) -> str:
    """The SHA-256 of a cell's source, as the kernel cell compares it."""
    return hashlib.sha256(source.encode()).hexdigest()


def kernel_cell(seconds: float, exempt_digests: list[str]) -> nbformat.NotebookNode:
    """The code cell that sets the limit in the kernel, sparing the cells whose source
    has one of ``exempt_digests`` (see ``source_digest``)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"{PLUGIN_NAME}: 'seconds' must be a positive number, got {seconds!r}")
    if not all(isinstance(d, str) and len(d) == 64 for d in exempt_digests):
        raise ValueError(f"{PLUGIN_NAME}: 'exempt_digests' must be SHA-256 hex digests, got {exempt_digests!r}")
    exempt = sorted(set(exempt_digests))
    source = KERNEL_CELL.format(plugin=PLUGIN_NAME, seconds=seconds, exempt=exempt, error=TIME_LIMIT_ERROR)
    return nbformat.v4.new_code_cell(source)


def cell_place(cell: nbformat.NotebookNode) -> str:
    """Where a cell is, in the course's words: its exercise and role (from the tags the
    exercises notebook gives its cells), else the first line of its code."""
    tags = cell.get("metadata", {}).get("tags", [])
    exercise = next((tag.removeprefix("ex-") for tag in tags if tag.startswith("ex-")), None)
    role = next((name for tag, name in (("exercise", "an answer cell"), ("solution", "an answer cell"),
                                         ("check", "its check cell"), ("setup", "its setup cell")) if tag in tags), None)
    if exercise and role:
        return f"Exercise {exercise}, {role}"
    if "setup" in tags:
        return "the setup cell at the top"
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "").strip()
    return f'the cell starting "{first_line[:60]}"'


def stopped_cells(notebook: nbformat.NotebookNode) -> list[str]:
    """One line per code cell of an executed notebook that ended with an error."""
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                why = "the time limit" if output["ename"] == TIME_LIMIT_ERROR else "an error"
                lines.append(f"- {cell_place(cell)}: stopped by {why}: {output['ename']}: {output['evalue']}")
    return lines


def report(notebook: nbformat.NotebookNode | None) -> str | None:
    """The submission's report on cells that stopped, or None when every cell ended well."""
    lines = stopped_cells(notebook) if notebook is not None else []
    if not lines:
        return None
    count = f"{len(lines)} cell{'s' * (len(lines) > 1)} of this notebook stopped"
    return (f"{count}. The grader went on with the next cell each time, and graded every exercise "
            "on what its answers had defined by then:\n" + "\n".join(lines))


class CellTimeLimit(AbstractOtterPlugin):
    """Stops a cell after ``seconds`` (config key, default 600) of wall-clock time, except
    the cells whose source has one of ``exempt_digests`` (config key, default none), and
    reports every cell that stopped with an error."""

    def before_execution(self, submission):
        """Put the kernel cell first."""
        if isinstance(submission, str):  # a .py script: no cells to limit one by one
            return submission
        config = self.plugin_config or {}
        submission.cells.insert(0, kernel_cell(config.get("seconds", 600), config.get("exempt_digests", [])))
        return submission

    def after_grading(self, results):
        """Put the report on stopped cells in the results' output (Gradescope shows it on top)."""
        self._report = report(results.notebook)
        if self._report:
            results.set_output(self._report)

    def generate_report(self):
        """The same report, printed by ``otter run`` after the grades."""
        return getattr(self, "_report", None) or ""
