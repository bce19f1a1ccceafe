"""Record how long each notebook took to execute, from the log of ``scripts/run_course.sh``,
in ``scripts/export/site/lesson_run_times.json`` (the instructor's guide on the website
shows those figures). Nobody types a run time by hand::

    bash scripts/run_course.sh 2>&1 | .venv/bin/python scripts/record_run_times.py
    .venv/bin/python scripts/record_run_times.py < run_course.log

Lines pass through to the screen as they come. For each ``[course] executing
notebooks/NN_name.ipynb`` that is followed by ``[course]   done in N s`` the notebook's
seconds are replaced; a notebook that failed (no "done" line) keeps its figure. The file
also says where the figures come from: this computer's processor and the CPUs this
process may use, today's date, the command and the numerics profile. If the processor
or the CPU count differ from the file's, the figures measured elsewhere are set to
``null`` (not measured), so that the file never mixes two machines.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
RUN_TIMES = COURSE_ROOT / "scripts" / "export" / "site" / "lesson_run_times.json"
COMMAND = "bash scripts/run_course.sh"
EXECUTING = re.compile(r"^\[course\] executing (?:\S*/)?(\d\d_\w+)\.ipynb\s*$")
DONE = re.compile(r"^\[course\]\s+done in (\d+) s\s*$")


def parse_log(lines) -> dict[str, int]:
    """``{notebook stem: seconds}`` for every notebook the log shows finishing."""
    seconds, current = {}, None
    for line in lines:
        if match := EXECUTING.match(line):
            current = match.group(1)
        elif (match := DONE.match(line)) and current:
            seconds[current] = int(match.group(1))
            current = None
    return seconds


def _cpuinfo() -> dict[str, str]:
    info = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())  # the first processor's
    except OSError:
        pass
    return info


def this_cpu() -> str:
    """This computer's processor as a person would name it, with its hypervisor if any."""
    info = _cpuinfo()
    name = info.get("model name") or os.uname().machine
    if "cpu family" in info and "model" in info:
        name += f" (family {info['cpu family']}, model {info['model']})"
    if shutil.which("lscpu"):
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        if match := re.search(r"^Hypervisor vendor:\s*(.+)$", out, flags=re.M):
            name += f", {match.group(1).strip()}"
    return name


def this_cores() -> int:
    """The CPUs this process may use (a container's or a batch job's share, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def updated(record: dict, measured: dict[str, int], cpu: str, cores: int, today: str, profile: str) -> dict:
    """``record`` (the JSON file's content) with ``measured`` in it, described as measured here."""
    record = dict(record)
    seconds = dict(record.get("seconds", {}))
    if (record.get("cpu"), record.get("cores")) != (cpu, cores):
        stale = sorted(stem for stem, value in seconds.items() if value is not None and stem not in measured)
        if stale:
            print(f"[run times] measured on another machine, now null: {', '.join(stale)}", file=sys.stderr)
        seconds = {stem: None for stem in seconds}
    seconds.update(measured)
    record.update(cpu=cpu, cores=cores, date=today, command=COMMAND, numerics_profile=profile,
                  seconds=dict(sorted(seconds.items())))
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=RUN_TIMES, help="the JSON file to update (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not repeat the log's lines")
    args = parser.parse_args(argv)
    lines = []
    for line in sys.stdin:
        lines.append(line.rstrip("\n"))
        if not args.quiet:
            sys.stdout.write(line)
            sys.stdout.flush()
    measured = parse_log(lines)
    if not measured:
        print("[run times] no '[course] executing ...' / 'done in N s' pair in the log: nothing recorded",
              file=sys.stderr)
        return 1
    record = json.loads(args.file.read_text(encoding="utf-8")) if args.file.exists() else {}
    profile = os.environ.get("COURSE_NUMERICS") or "reference"  # what run_course.sh applies unless told
    record = updated(record, measured, this_cpu(), this_cores(), datetime.date.today().isoformat(), profile)
    args.file.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    shown = args.file.relative_to(COURSE_ROOT) if args.file.is_relative_to(COURSE_ROOT) else args.file
    print(f"[run times] {len(measured)} notebooks recorded in {shown}: "
          + ", ".join(f"{stem} {value} s" for stem, value in measured.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
