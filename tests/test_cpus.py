"""PyTorch's CPU threads fit the CPUs a student's process may use (cv_toolbox/cpus.py and
helper_functions.use_available_cpus), on fake control-group files; test runs are left alone."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

import helper_functions
from support import COURSE_ROOT
from cv_toolbox import cpus

import notebook_header  # noqa: E402


def fake_cgroups(tmp_path: Path, self_cgroup: str, files: dict[str, str]) -> tuple[Path, Path]:
    """A fake /sys/fs/cgroup holding ``files`` (path below it: content) and a fake /proc/self/cgroup."""
    root = tmp_path / "cgroup"
    root.mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n")
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text(self_cgroup)
    return root, proc


V1_LINES = "12:memory:/pod\n4:cpu,cpuacct:/kubepods/pod1/box\n0::/\n"

CASES = {
    # name: (/proc/self/cgroup, files, the quota in CPUs)
    "v2 quota": ("0::/user.slice/jupyter\n", {"user.slice/jupyter/cpu.max": "150000 100000"}, 1.5),
    "v2 no quota": ("0::/user.slice/jupyter\n", {"user.slice/jupyter/cpu.max": "max 100000"}, None),
    "v2 quota on a parent group": ("0::/hub/pod/jupyter\n", {"hub/pod/jupyter/cpu.max": "max 100000",
                                                             "hub/cpu.max": "100000 100000"}, 1.0),
    "v2 in a container (own group at the root)": ("0::/kubepods/pod1\n", {"cpu.max": "200000 100000"}, 2.0),
    "v1 quota": (V1_LINES, {"cpu,cpuacct/kubepods/pod1/box/cpu.cfs_quota_us": "50000",
                            "cpu,cpuacct/kubepods/pod1/box/cpu.cfs_period_us": "100000"}, 0.5),
    "v1 no quota": (V1_LINES, {"cpu,cpuacct/cpu.cfs_quota_us": "-1", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, None),
    "no control groups": ("", {}, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_cpu_quota_reads_cgroup_v1_and_v2(tmp_path, case):
    self_cgroup, files, quota = CASES[case]
    assert cpus.cpu_quota(*fake_cgroups(tmp_path, self_cgroup, files)) == quota


@pytest.mark.parametrize("affinity, quota, expected", [(8, "150000 100000", 1), (8, "50000 100000", 1),
                                                       (2, "400000 100000", 2), (4, "max 100000", 4),
                                                       (4, "garbled", 4)])
def test_available_cpus_is_the_smaller_of_affinity_and_quota(tmp_path, monkeypatch, affinity, quota, expected):
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: set(range(affinity)))
    root, proc = fake_cgroups(tmp_path, "0::/pod\n", {"pod/cpu.max": quota})
    assert cpus.available_cpus(root, proc) == expected


@pytest.fixture
def student_machine(monkeypatch, tmp_path):
    """A student's process (no OMP_NUM_THREADS) with 4 PyTorch threads, under a quota of 1 CPU;
    torch.set_num_threads is recorded, not called (it would change this test run's threads)."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    monkeypatch.setattr(cpus.os, "sched_getaffinity", lambda pid: set(range(4)))
    root, proc = fake_cgroups(tmp_path, "0::/pod\n", {"pod/cpu.max": "100000 100000"})
    monkeypatch.setattr(cpus, "CGROUP_ROOT", root)
    monkeypatch.setattr(cpus, "SELF_CGROUP", proc)
    return calls


def test_a_quota_lowers_the_threads_and_says_so_in_one_line(student_machine, capsys):
    assert helper_functions.use_available_cpus() == 1
    assert student_machine == [1]
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and printed.startswith("PyTorch: 1 CPU thread(s), not 4")


def test_without_a_quota_nothing_changes_and_nothing_is_printed(student_machine, monkeypatch, capsys):
    (cpus.CGROUP_ROOT / "pod" / "cpu.max").write_text("max 100000\n")
    assert helper_functions.use_available_cpus() == 4
    assert student_machine == [] and capsys.readouterr().out == ""


def test_an_explicit_omp_num_threads_is_left_alone(student_machine, monkeypatch, capsys):
    """The numerics profile sets OMP_NUM_THREADS: test runs keep their threads and print nothing."""
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert helper_functions.use_available_cpus() == 4
    assert student_machine == [] and capsys.readouterr().out == ""


def test_this_test_run_is_left_as_the_profile_set_it(capsys):
    threads = torch.get_num_threads()
    assert helper_functions.use_available_cpus() == threads == torch.get_num_threads()
    assert capsys.readouterr().out == ""


def test_the_setup_cell_fits_the_threads_without_an_output():
    """Every notebook's set-up cell ends by calling it, assigning the count so that nothing shows."""
    last = notebook_header.setup_source().splitlines()[-1]
    assert last == "from helper_functions import use_available_cpus; cpu_threads = use_available_cpus()"
