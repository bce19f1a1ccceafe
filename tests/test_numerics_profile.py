"""The reference numerics profile: in force inside the notebook kernels, reported
in one line, and, where it cannot hold, a run that still executes everything but
compares only the outputs that do not depend on floating-point arithmetic."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel

from support import COURSE_ROOT
import numerics_profile
from course_copy import copy_course
from timeouts import KERNEL_REPLY_S, SUBPROCESS_S

#: What the root conftest.py found when it applied the profile to this process.
STATUS = numerics_profile.check()

KERNEL_PROBE = """
import json, os, torch
print(json.dumps({
    "capability": torch.backends.cpu.get_cpu_capability(),
    "threads": torch.get_num_threads(),
    "cuda": torch.cuda.is_available(),
    "env": {name: os.environ.get(name) for name in %r},
}))
""" % (sorted(numerics_profile.PROFILE_ENV),)


def run_in_kernel(code: str) -> str:
    """Run ``code`` in a kernel started the way nbval starts one; return its stdout."""
    kernel = RunningKernel(CURRENT_ENV_KERNEL_NAME, cwd=str(COURSE_ROOT / "notebooks"))
    try:
        msg_id = kernel.execute_cell_input(code, allow_stdin=False)
        kernel.await_reply(msg_id, timeout=KERNEL_REPLY_S)
        stdout = []
        while True:
            msg = kernel.get_message(stream="iopub", timeout=KERNEL_REPLY_S)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                stdout.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                pytest.fail("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(stdout)
    finally:
        kernel.stop()


@pytest.mark.slow
def test_notebook_kernels_run_under_the_profile():
    if STATUS.mode == "native":
        pytest.skip("COURSE_NUMERICS=native: no profile is applied")
    seen = json.loads(run_in_kernel(KERNEL_PROBE))
    if STATUS.holds:
        assert seen["env"] == numerics_profile.PROFILE_ENV
    else:  # without AVX2, PyTorch is not asked for AVX2 kernels: they would crash
        assert seen["env"] == {**numerics_profile.PROFILE_ENV, "ATEN_CPU_CAPABILITY": None}
    assert seen["threads"] == numerics_profile.THREADS, "a kernel runs another number of intra-op threads"
    assert seen["cuda"] is False, "a kernel sees a GPU: the profile hides GPUs"
    if STATUS.holds:
        assert seen["capability"] == numerics_profile.INSTRUCTION_SET
    else:
        assert seen["capability"] == STATUS.capability


def test_the_status_line_names_what_it_saw():
    status = numerics_profile.Status(holds=False, mode="reference", capability="DEFAULT", threads=2,
                                     reason="this CPU lacks AVX2 (PyTorch can use only DEFAULT)")
    line = status.line()
    assert line.startswith("numerics profile: NOT in force: this CPU lacks AVX2")
    assert "\n" not in line and "not compared" in line
    assert "in force (AVX2, 2 threads" in numerics_profile.Status(True, "reference", "AVX2", 2, "").line()


def test_no_avx2_kernels_are_asked_for_on_a_cpu_without_avx2(monkeypatch):
    """PyTorch trusts ATEN_CPU_CAPABILITY blindly; on a CPU without AVX2 the profile
    must not set it, and must say that it does not hold."""
    monkeypatch.setattr(numerics_profile, "cpu_has_avx2", lambda: False)
    environ = {"ATEN_CPU_CAPABILITY": "avx2", "CUDA_VISIBLE_DEVICES": "0"}
    assert numerics_profile.apply(environ) == "reference"
    assert "ATEN_CPU_CAPABILITY" not in environ
    assert environ["OMP_NUM_THREADS"] == "2" and environ["CUDA_VISIBLE_DEVICES"] == ""
    assert environ[numerics_profile.HIDDEN_GPUS_VARIABLE] == "0"
    status = numerics_profile.check("reference")
    assert not status.holds and status.reason.startswith("this CPU lacks AVX2")


def test_a_bad_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="COURSE_NUMERICS='fast': use 'reference'"):
        numerics_profile.requested_mode({"COURSE_NUMERICS": "fast"})


def test_profile_check_from_the_command_line():
    """The one-line check a maintainer runs, in a fresh Python, where it cannot hold
    (COURSE_NUMERICS=native): exit status 3 with --require, 0 without."""
    env = {**numerics_profile.native_environment(), numerics_profile.MODE_VARIABLE: "native"}
    command = [sys.executable, str(COURSE_ROOT / "scripts" / "numerics_profile.py")]
    required = subprocess.run([*command, "--require"], cwd=COURSE_ROOT, env=env, capture_output=True, text=True,
                              timeout=SUBPROCESS_S)
    assert required.stdout.startswith("numerics profile: NOT in force: COURSE_NUMERICS=native")
    assert required.returncode == 3
    assert subprocess.run(command, cwd=COURSE_ROOT, env=env, capture_output=True, timeout=SUBPROCESS_S).returncode == 0


@pytest.mark.parametrize("holds, exit_status", [(True, 0), (False, 3)])
def test_require_exits_3_only_where_the_profile_does_not_hold(monkeypatch, capsys, holds, exit_status):
    status = numerics_profile.Status(holds, "reference", "AVX2" if holds else "DEFAULT", 2,
                                     "" if holds else "this CPU lacks AVX2 (PyTorch can use only DEFAULT)")
    monkeypatch.setattr(numerics_profile, "apply", lambda: "reference")
    monkeypatch.setattr(numerics_profile, "check", lambda mode: status)
    assert numerics_profile.main(["--require"]) == exit_status
    assert numerics_profile.main([]) == 0
    assert capsys.readouterr().out.startswith("numerics profile: " + ("in force" if holds else "NOT in force"))


# What PyTorch reports in a process where the profile was applied too late, or on another machine:
# (machine, AVX2 there, PyTorch's instruction set, its thread count, the start of the reason).
SEEN_ELSEWHERE = {
    "holds": ("x86_64", True, "AVX2", 2, ""),
    "arm": ("arm64", False, "DEFAULT", 2, "this CPU is arm64, not x86-64"),
    "no-avx2": ("x86_64", False, "DEFAULT", 2, "this CPU lacks AVX2"),
    "wrong-instruction-set": ("x86_64", True, "AVX512", 2, "PyTorch uses AVX512, not AVX2"),
    "wrong-thread-count": ("x86_64", True, "AVX2", 8, "PyTorch runs 8 threads, not 2"),
}


@pytest.mark.parametrize("case", list(SEEN_ELSEWHERE))
def test_check_names_why_the_profile_does_not_hold(monkeypatch, case):
    import torch

    machine, avx2, capability, threads, reason = SEEN_ELSEWHERE[case]
    monkeypatch.setattr(numerics_profile.platform, "machine", lambda: machine)
    monkeypatch.setattr(numerics_profile, "cpu_has_avx2", lambda: avx2)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    monkeypatch.setattr(torch, "get_num_threads", lambda: threads)
    status = numerics_profile.check("reference")
    assert status.holds == (not reason)
    assert status.reason.startswith(reason) and (status.capability, status.threads) == (capability, threads)


def test_a_required_profile_that_does_not_hold_is_a_failure():
    broken = numerics_profile.Status(False, "reference", "AVX512", 2, "PyTorch uses AVX512, not AVX2")
    held = numerics_profile.Status(True, "reference", "AVX2", 2, "")
    required = {numerics_profile.REQUIRE_VARIABLE: "1"}
    failure = numerics_profile.requirement_failure(broken, required)
    assert failure.startswith("COURSE_REQUIRE_PROFILE=1 but the numerics profile does not hold: PyTorch uses AVX512")
    assert numerics_profile.requirement_failure(held, required) is None
    assert numerics_profile.requirement_failure(broken, {}) is None  # an instructor's ARM runner: the fallback
    assert numerics_profile.REQUIRE_VARIABLE not in numerics_profile.native_environment(required)


def test_a_ci_run_fails_where_the_profile_does_not_hold():
    """COURSE_REQUIRE_PROFILE=1 (as .ci/run and the workflow set it) with the profile broken
    (COURSE_NUMERICS=native left in the environment): pytest stops before running anything,
    with the reason in one line."""
    env = {**numerics_profile.native_environment(), numerics_profile.REQUIRE_VARIABLE: "1"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_helpers.py"],
                            cwd=COURSE_ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_S)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout[-2000:]
    reason = [line for line in result.stderr.splitlines() if "COURSE_REQUIRE_PROFILE" in line]
    assert len(reason) == 1 and reason[0].startswith(
        "ERROR: COURSE_REQUIRE_PROFILE=1 but the numerics profile does not hold: COURSE_NUMERICS=native asks"
    ), result.stderr[-2000:]
    assert "passed" not in result.stdout


@pytest.mark.parametrize("ci_file", [".ci/run", ".github/workflows/tests.yml"])
def test_the_course_ci_requires_the_profile(ci_file):
    text = (COURSE_ROOT / ci_file).read_text()
    assert re.search(r"^\s*(?:export )?COURSE_REQUIRE_PROFILE[=:] ?\"?1\"?$", text, re.MULTILINE), (
        f"{ci_file} must set COURSE_REQUIRE_PROFILE=1: its x86-64 runners can hold the profile"
    )


def test_float_dependent_cells_match_the_notebooks():
    """Each recorded cell is still where it was: same number, same first line. After
    changing a notebook's code cells, run scripts/find_float_dependent_cells.py."""
    record = json.loads(numerics_profile.FLOAT_DEPENDENT_CELLS_PATH.read_text())
    notebooks = sorted(p.name for p in (COURSE_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(record["cells"]) == notebooks, "run scripts/find_float_dependent_cells.py"
    for name, entries in record["cells"].items():
        first_lines = numerics_profile.code_cell_first_lines(COURSE_ROOT / "notebooks" / name)
        for entry in entries:
            assert entry["cell"] < len(first_lines), f"{name} has no code cell {entry['cell']}"
            first = first_lines[entry["cell"]]
            assert first == entry["first_line"], (
                f"{name} cell {entry['cell']} now starts {first!r}: run scripts/find_float_dependent_cells.py"
            )


# --- the fallback, on a small notebook in a copy of the course ------------------------

PROBE_NOTEBOOK = "98_probe.ipynb"


def probe_course(tmp_path: Path, stored_sum: str, raises: bool = False) -> Path:
    """A copy of the course with one extra notebook: cell 0 prints a fixed line (never
    float-dependent), cell 1 prints a float sum whose stored output is ``stored_sum``
    and is listed as float-dependent; with ``raises``, cell 1 also raises."""
    course = copy_course(tmp_path / "course")
    nb = nbformat.v4.new_notebook()
    code = "print(sum([0.1] * 10))" + ("\nraise RuntimeError('broken cell')" if raises else "")
    nb.cells = [nbformat.v4.new_code_cell("print('ten tenths')", execution_count=1),
                nbformat.v4.new_code_cell(code, execution_count=2)]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ten tenths\n")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_sum + "\n")]
    nbformat.write(nb, course / "notebooks" / PROBE_NOTEBOOK)
    record_path = course / "tests" / "float_dependent_cells.json"
    record = json.loads(record_path.read_text())
    record["cells"][PROBE_NOTEBOOK] = [{"cell": 1, "first_line": "print(sum([0.1] * 10))"}]
    record_path.write_text(json.dumps(record))
    return course


def run_probe(course: Path, mode: str) -> subprocess.CompletedProcess:
    env = {**numerics_profile.native_environment(), numerics_profile.MODE_VARIABLE: mode}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"notebooks/{PROBE_NOTEBOOK}"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=SUBPROCESS_S)


@pytest.fixture(scope="module")
def data_ready():
    from helper_functions import prepare_fashion_mnist

    prepare_fashion_mnist(COURSE_ROOT / "data")


@pytest.mark.slow
def test_fallback_skips_only_float_dependent_comparisons(tmp_path, data_ready):
    # A stored 1.0 where Python prints 0.9999999999999999: a float-dependent difference.
    course = probe_course(tmp_path, stored_sum="1.0")
    native = run_probe(course, "native")
    assert native.returncode == 0, native.stdout[-3000:]
    assert "numerics profile: NOT in force: COURSE_NUMERICS=native" in native.stdout
    assert "the outputs of 1 of 2 notebook cells are not compared" in native.stdout
    reference = run_probe(course, "reference")
    if STATUS.holds:
        assert reference.returncode == 1 and "Cell 1" in reference.stdout, "strict mode must compare every cell"


@pytest.mark.slow
def test_fallback_still_fails_on_an_error(tmp_path, data_ready):
    course = probe_course(tmp_path, stored_sum="0.9999999999999999", raises=True)
    native = run_probe(course, "native")
    assert native.returncode == 1 and "broken cell" in native.stdout


@pytest.mark.slow
def test_fallback_still_compares_other_cells(tmp_path, data_ready):
    course = probe_course(tmp_path, stored_sum="0.9999999999999999")
    nb_path = course / "notebooks" / PROBE_NOTEBOOK
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].outputs[0]["text"] = "eleven tenths\n"  # not float-dependent: still compared
    nbformat.write(nb, nb_path)
    native = run_probe(course, "native")
    assert native.returncode == 1 and "Cell 0" in native.stdout
