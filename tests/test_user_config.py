"""A test run reads none of the user's own matplotlib and IPython settings.

A ``figure.dpi: 72`` in a matplotlibrc (the working folder's, $MATPLOTLIBRC's or
~/.config/matplotlib's), ``c.InlineBackend.rc = {"figure.dpi": 72}`` in an IPython
profile, an IPython startup file or an MPLBACKEND would change what the notebooks
print (``<Figure size 216x216 ...>`` for ``300x300``) and fail strict nbval.
scripts/config_isolation.py points matplotlib and IPython at a course-owned folder
instead; these tests put all of those hostile settings in place.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from support import COURSE_ROOT
import config_isolation
import numerics_profile
from course_copy import copy_course
from timeouts import SUBPROCESS_S

PROBE_NOTEBOOK = "97_user_config_probe.ipynb"
PROBE_CODE = """\
import matplotlib, matplotlib.pyplot as plt
fig = plt.figure(figsize=(3, 3))
print(fig, matplotlib.get_backend(), plt.rcParams["figure.dpi"], plt.rcParams["lines.linewidth"])
print("user startup file ran:", "USER_STARTUP" in globals())
plt.close(fig)"""
#: What matplotlib's and IPython's own defaults print, in a kernel as nbval starts one.
DEFAULT_OUTPUT = ("Figure(300x300) module://matplotlib_inline.backend_inline 100.0 1.5\n"
                  "user startup file ran: False\n")
HOSTILE_RC = "figure.dpi: 72\nlines.linewidth: 4\n"


def hostile_environment(root: Path, local_rc: bool = True) -> dict[str, str]:
    """An environment whose HOME holds a hostile matplotlibrc and IPython profile, with
    $MATPLOTLIBRC and MPLBACKEND set as a user might have them; with ``local_rc``, a hostile
    matplotlibrc in ``root`` and ``root``/notebooks too (the working folders of pytest and of
    its kernels), which matplotlib reads before any other."""
    home = root / "home"
    user_rc = home / ".config" / "matplotlib" / "matplotlibrc"
    user_rc.parent.mkdir(parents=True)
    user_rc.write_text(HOSTILE_RC)
    profile = home / ".ipython" / "profile_default"
    (profile / "startup").mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text('c.InlineBackend.rc = {"figure.dpi": 72}\n')
    (profile / "startup" / "00-user.py").write_text("USER_STARTUP = True\n")
    (root / "rc_dir").mkdir()
    (root / "rc_dir" / "matplotlibrc").write_text(HOSTILE_RC)
    for folder in (root, root / "notebooks") if local_rc else ():
        folder.mkdir(exist_ok=True)
        (folder / "matplotlibrc").write_text(HOSTILE_RC)
    left_out = {"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "IPYTHONDIR", *config_isolation.ISOLATION_ENV}
    env = {k: v for k, v in numerics_profile.native_environment().items() if k not in left_out}
    env.update(HOME=str(home), MATPLOTLIBRC=str(root / "rc_dir"), MPLBACKEND="agg",
               COURSE_NUMERICS=numerics_profile.requested_mode())
    return env


def test_apply_points_matplotlib_and_ipython_at_the_course_folder(tmp_path):
    environ = {"HOME": str(tmp_path), "MPLBACKEND": "agg", "MATPLOTLIBRC": "/home/me/rc",
               "IPYTHONDIR": "/home/me/.ipython", "COURSE_NUMERICS": "native"}
    stray = tmp_path / ".cache/pytorch-cv-course/config-isolation/ipython/profile_default/startup/10-old.py"
    stray.parent.mkdir(parents=True)
    stray.write_text("USER_STARTUP = True\n")
    config_isolation.isolate_config(environ)
    folder = config_isolation.config_isolation_dir(environ)
    assert folder.is_relative_to(tmp_path)
    assert {name: environ[name] for name in config_isolation.ISOLATION_ENV} == {
        name: str(folder / part) for name, part in config_isolation.ISOLATION_ENV.items()}
    assert "MPLBACKEND" not in environ
    assert Path(environ["MATPLOTLIBRC"]).read_text() == ""
    assert list(Path(environ["MPLCONFIGDIR"]).iterdir()) == []
    assert not stray.exists(), "only the course's own startup files may run in the kernels"
    startup = Path(environ["IPYTHONDIR"]) / config_isolation.STARTUP_DIR
    assert sorted(path.name for path in startup.iterdir()) == sorted(config_isolation.KERNEL_STARTUP)


def test_the_shell_form_isolates_command_1_too():
    """scripts/run_course.sh stores outputs under `eval "$(... --shell)"`: the same isolation."""
    result = subprocess.run([sys.executable, str(COURSE_ROOT / "scripts" / "config_isolation.py"), "--shell"], cwd=COURSE_ROOT,
                            capture_output=True, text=True, timeout=SUBPROCESS_S)
    lines = result.stdout.splitlines()
    for name in config_isolation.ISOLATION_ENV:
        assert any(line.startswith(f"export {name}=") for line in lines), result.stdout
    assert "unset MPLBACKEND" in lines


def test_pytest_itself_ignores_a_local_matplotlibrc(tmp_path):
    """What conftest.py does in pytest's own process (whose tests draw figures too), in a
    fresh Python working in a folder with a hostile matplotlibrc."""
    env = {**hostile_environment(tmp_path), "PYTHONPATH": str(COURSE_ROOT / "scripts")}
    code = ("import config_isolation\n"
            "config_isolation.isolate_config(); config_isolation.reset_local_matplotlibrc()\n"
            "import matplotlib; print(matplotlib.rcParams['figure.dpi'], matplotlib.rcParams['lines.linewidth'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=SUBPROCESS_S)
    assert result.stdout == "100.0 1.5\n", result.stdout + result.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("local_rc", [True, False], ids=["with-local-matplotlibrc", "home-and-environment"])
def test_strict_nbval_ignores_the_users_matplotlib_and_ipython_settings(tmp_path, local_rc):
    """A probe notebook under strict nbval, in a copy of the course, with every hostile
    setting in place: it prints matplotlib's and IPython's defaults all the same. Without
    the local matplotlibrc (which matplotlib reads first), $MATPLOTLIBRC's and
    ~/.config/matplotlib's files are the ones that must be ignored."""
    course = copy_course(tmp_path / "course")
    env = hostile_environment(course, local_rc)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PROBE_CODE, execution_count=1)]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=DEFAULT_OUTPUT)]
    nbformat.write(nb, course / "notebooks" / PROBE_NOTEBOOK)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"notebooks/{PROBE_NOTEBOOK}"],
                            cwd=course, env=env, capture_output=True, text=True, timeout=SUBPROCESS_S)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    assert os.environ.get("HOME") != env["HOME"] and (course / "home" / ".cache" / "pytorch-cv-course").is_dir()


@pytest.mark.parametrize("caller, fails", [("matplotlib.cbook", True), ("__main__", True), ("helper_functions", True),
                                           ("jupyter_client.session", False), ("matplotlibx", False)])
def test_the_kernels_treat_the_course_libraries_deprecations_as_errors(caller, fails):
    """The kernels' startup file: a DeprecationWarning or FutureWarning attributed to a library the
    course calls, or to the course's own code, raises; one from Jupyter's machinery does not."""
    import warnings

    with warnings.catch_warnings():
        exec(config_isolation.DEPRECATIONS_ARE_ERRORS, {})
        for category in (DeprecationWarning, FutureWarning):
            try:
                warnings.warn_explicit("old API", category, filename="x.py", lineno=1, module=caller)
                raised = False
            except category:
                raised = True
            assert raised == fails, (caller, category)


def test_a_tensor_passed_to_imshow_is_caught_by_that_rule():
    """The first case found (issue #29): numpy 2 deprecates ``__array__`` without ``copy``, which
    ``plt.imshow(tensor)`` reaches inside matplotlib; the notebooks pass NumPy arrays instead."""
    import inspect
    import warnings

    import matplotlib.pyplot as plt
    import torch

    figure = plt.figure()
    try:
        with warnings.catch_warnings():
            exec(config_isolation.DEPRECATIONS_ARE_ERRORS, {})
            plt.imshow(torch.rand(4, 4).numpy())  # what the notebooks do: no warning
            if "copy" not in inspect.signature(torch.Tensor.__array__).parameters:  # PyTorch 2.14 and older
                with pytest.raises(DeprecationWarning, match="copy keyword"):
                    plt.imshow(torch.rand(4, 4))
    finally:
        plt.close(figure)


def test_pytest_ini_applies_the_same_rule_in_pytest_own_process():
    import configparser

    ini = configparser.ConfigParser()
    ini.read(COURSE_ROOT / "pytest.ini")
    filters = ini["pytest"]["filterwarnings"].split()
    for category in ("DeprecationWarning", "FutureWarning"):
        assert f"error::{category}:{config_isolation.STRICT_WARNINGS_MODULES}" in filters
