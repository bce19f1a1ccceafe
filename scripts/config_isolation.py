"""Runs of the course (README command 1, every ``pytest`` from the repository) read none
of the user's own matplotlib and IPython settings, and treat a deprecation as an error.

Why: a user's settings change what the notebooks print (a ``figure.dpi`` in a
matplotlibrc turns ``<Figure size 216x216 ...>`` into ``300x300``), so the stored outputs
would not reproduce. ``MPLCONFIGDIR``, ``MATPLOTLIBRC`` and ``IPYTHONDIR`` point into a
course-owned folder (``ISOLATION_ENV``, ``isolate_config``) and ``MPLBACKEND`` is removed.
This holds whatever the numerics profile (scripts/numerics_profile.py) does.

The kernels of such a run start with the course's own startup files only (``KERNEL_STARTUP``):
matplotlib back to its defaults where the notebook's folder holds a ``matplotlibrc``, and
every DeprecationWarning or FutureWarning raised where the course calls one of its libraries
(``STRICT_WARNINGS_MODULES``) turned into an error, so that the run fails with the warning's
text today rather than the notebook breaking in a later release. pytest's own process gets
the same rule from pytest.ini's ``filterwarnings``.

    eval "$(python scripts/config_isolation.py --shell)"   # in a bash script (command 1)
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import MutableMapping

#: The user's own configuration that would change what the notebooks print, and where a run
#: points it instead, inside ``config_isolation_dir()``: matplotlib reads its rc file from
#: ./matplotlibrc, then $MATPLOTLIBRC, then $MPLCONFIGDIR (default ~/.config/matplotlib), and
#: stops at the first it finds; IPython reads its profiles (ipython_kernel_config.py:
#: InlineBackend.rc, startup files) from $IPYTHONDIR (default ~/.ipython).
ISOLATION_ENV: dict[str, str] = {
    "MPLCONFIGDIR": "matplotlib",  # empty but for matplotlib's font cache
    "MATPLOTLIBRC": "matplotlibrc",  # an empty file: matplotlib's own defaults
    "IPYTHONDIR": "ipython",  # the course's startup files, below
}
#: A user's MPLBACKEND (Agg, say) would keep figures from showing in the kernels: without it,
#: ipykernel picks its inline backend, as the stored outputs were made.
REMOVED_ENV = ("MPLBACKEND",)

#: The modules where a deprecation counts as the course's to fix: the libraries the notebooks
#: and the course's code call (a warning is attributed to the module that called the deprecated
#: function, or to the library itself), the course's own modules, and a notebook's cells
#: (``__main__`` in a kernel). Not Jupyter's own machinery (ipykernel, jupyter_client, zmq...).
STRICT_WARNINGS_MODULES = (
    r"(torch|torchvision|torchmetrics|numpy|matplotlib|pandas|mlxtend|PIL|tqdm|requests"
    r"|helper_functions|cv_toolbox|cv_course|__main__)(\.|$)"
)

#: The one source of settings that no variable can move: a ``matplotlibrc`` in the working folder
#: (the notebook's folder, for a kernel) wins over $MATPLOTLIBRC. Where there is one, the kernels
#: go back to the empty rc file (only then do they import matplotlib).
RESET_LOCAL_RC = (
    "import os\n"
    "if os.path.isfile('matplotlibrc'):\n"
    "    import matplotlib\n"
    "    matplotlib.rc_file(os.environ['MATPLOTLIBRC'])  # matplotlib's defaults, not ./matplotlibrc\n"
)
DEPRECATIONS_ARE_ERRORS = (
    "import warnings\n"
    "for category in (DeprecationWarning, FutureWarning):  # fail now, not in a later release\n"
    f"    warnings.filterwarnings('error', category=category, module={STRICT_WARNINGS_MODULES!r})\n"
)
#: What the kernels run at start, by file name in the IPython profile's startup folder.
KERNEL_STARTUP: dict[str, str] = {
    "00-course-ignores-local-matplotlibrc.py": RESET_LOCAL_RC,
    "01-course-deprecations-are-errors.py": DEPRECATIONS_ARE_ERRORS,
}
STARTUP_DIR = Path("profile_default", "startup")


def config_isolation_dir(environ: MutableMapping[str, str] = os.environ) -> Path:
    """The course-owned folder that stands in for the user's matplotlib and IPython settings:
    in the user's cache folder, so that matplotlib's font cache is built once."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME") or Path.home(), ".cache"))
    return Path(cache, "pytorch-cv-course", "config-isolation")


def isolate_config(environ: MutableMapping[str, str] = os.environ) -> Path:
    """Point matplotlib and IPython at the course-owned folder (created or refreshed here), so
    that no matplotlibrc, IPython profile or MPLBACKEND of the user's changes what runs print.
    Call it before the run starts kernels. Returns the folder."""
    folder = config_isolation_dir(environ)
    try:
        (folder / ISOLATION_ENV["MPLCONFIGDIR"]).mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: a fresh folder of our own
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="pytorch-cv-course-config-"))
        (folder / ISOLATION_ENV["MPLCONFIGDIR"]).mkdir()
    startup = folder / ISOLATION_ENV["IPYTHONDIR"] / STARTUP_DIR
    startup.mkdir(parents=True, exist_ok=True)
    for stray in [*startup.iterdir(), *startup.parent.glob("*config.py")]:
        if stray.name not in KERNEL_STARTUP and stray.is_file():
            stray.unlink()  # the folder is the course's: nothing else runs in the kernels
    for name, code in KERNEL_STARTUP.items():
        if not (startup / name).is_file() or (startup / name).read_text() != code:
            (startup / name).write_text(code)
    rc = folder / ISOLATION_ENV["MATPLOTLIBRC"]
    if not rc.is_file() or rc.stat().st_size:
        rc.write_text("")
    environ.update({name: str(folder / part) for name, part in ISOLATION_ENV.items()})
    for name in REMOVED_ENV:
        environ.pop(name, None)
    return folder


def reset_local_matplotlibrc() -> None:
    """In this process (pytest's own, whose tests draw figures too): where the working folder
    holds a matplotlibrc, which wins over $MATPLOTLIBRC, go back to matplotlib's defaults."""
    if Path("matplotlibrc").is_file() and os.environ.get("MATPLOTLIBRC"):
        import matplotlib

        matplotlib.rc_file(os.environ["MATPLOTLIBRC"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shell", action="store_true", help="print `export` and `unset` lines for bash")
    args = parser.parse_args(argv)
    folder = isolate_config()
    if args.shell:
        for name in ISOLATION_ENV:
            print(f"export {name}={shlex.quote(os.environ[name])}")
        for name in REMOVED_ENV:
            print(f"unset {name}")
    else:
        print(f"settings isolated in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
