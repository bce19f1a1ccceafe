"""The reference numerics profile: in force inside the notebook kernels, reported
in one line, and, where it cannot hold, a run that still executes everything but
compares only the outputs that do not depend on floating-point arithmetic."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel

from conftest import COURSE_ROOT
from cv_course import numerics_profile
from cv_course.course_copy import copy_course

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
        kernel.await_reply(msg_id, timeout=120)
        stdout = []
        while True:
            msg = kernel.get_message(stream="iopub", timeout=30)
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
    """The one-line check a maintainer runs, and its exit status with --require."""
    result = subprocess.run([sys.executable, "-m", "cv_course.numerics_profile", "--require"],
                            cwd=COURSE_ROOT, capture_output=True, text=True)
    assert result.stdout.startswith("numerics profile: ")
    assert result.returncode == (0 if STATUS.holds else 3)


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
                          cwd=course, env=env, capture_output=True, text=True, timeout=300)


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
