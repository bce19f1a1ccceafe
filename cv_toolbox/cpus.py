"""How many CPUs this process may actually use, which is often fewer than the machine has.

PyTorch sizes its thread pool from the cores it sees (``os.cpu_count()``), not from
the CPU time it is allowed. On a shared machine that is too many: a JupyterHub pod
with a CPU quota, a container, a lab server whose processes are pinned to a few
cores. There its threads wait on one another at every step: on a loaded 2-core
machine 30 TinyVGG training steps took 12.39 s with 2 threads and 0.87 s with 1
(issue #20). ``helper_functions.use_available_cpus()`` uses ``available_cpus()``.

Two limits count: the CPUs the process may run on (``os.sched_getaffinity``) and the
CPU time its control group allows per period (cgroup v2 ``cpu.max``, cgroup v1
``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``), in this process's group or any group
above it.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

#: Where the control groups are mounted, and the file naming this process's groups.
#: Module-level so that tests (and scripts/benchmark_threads.py) can point them at fake files.
CGROUP_ROOT = Path("/sys/fs/cgroup")
SELF_CGROUP = Path("/proc/self/cgroup")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _group_and_parents(mount: Path, group: str) -> list[Path]:
    """``mount``/``group`` and each folder above it up to ``mount``; only ``mount`` itself
    where the group's path is not there (a container sees its own group at the mount)."""
    folder = mount / group.lstrip("/")
    if not folder.is_dir():
        return [mount]
    return [folder, *[parent for parent in folder.parents if parent.is_relative_to(mount)]]


def _v2_quota(folder: Path) -> float | None:
    """``cpu.max`` holds "QUOTA PERIOD" in microseconds, or "max PERIOD" for no limit."""
    fields = (_read(folder / "cpu.max") or "max").split()
    return None if fields[0] == "max" else int(fields[0]) / int(fields[1])


def _v1_quota(folder: Path) -> float | None:
    """``cpu.cfs_quota_us`` is -1 for no limit."""
    quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    return None if quota is None or period is None or int(quota) < 0 else int(quota) / int(period)


def cpu_quota(cgroup_root: Path | None = None, self_cgroup: Path | None = None) -> float | None:
    """The CPU time this process's control groups allow, in CPUs (1.5: one and a half CPUs'
    worth per period); None where no quota is set or no control groups are found."""
    root, lines = cgroup_root or CGROUP_ROOT, (_read(self_cgroup or SELF_CGROUP) or "").splitlines()
    quotas = []
    for line in lines:
        _, controllers, group = line.split(":", 2)
        if controllers == "":  # cgroup v2: one hierarchy, at the root (or at unified/ beside v1)
            for mount in (root, root / "unified"):
                quotas += [_v2_quota(folder) for folder in _group_and_parents(mount, group)]
        elif "cpu" in controllers.split(","):  # cgroup v1: the cpu controller's own hierarchy
            for mount in {root / controllers, root / "cpu", root / "cpu,cpuacct"}:
                quotas += [_v1_quota(folder) for folder in _group_and_parents(mount, group)]
    quotas = [quota for quota in quotas if quota is not None]
    return min(quotas) if quotas else None


def available_cpus(cgroup_root: Path | None = None, self_cgroup: Path | None = None) -> int:
    """How many threads this process can keep busy: the CPUs it may run on, capped by its CPU
    quota rounded down (a quota of 1.5 CPUs cannot keep 2 threads running), at least 1."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota = cpu_quota(cgroup_root, self_cgroup)
    except (ValueError, OSError):  # a control-group file this code cannot read: no quota known
        quota = None
    return max(1, min(cpus, math.floor(quota))) if quota is not None else max(1, cpus)
