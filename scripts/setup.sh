#!/usr/bin/env bash
# Set up the course on this machine: a virtual environment in .venv with the
# pinned packages, and FashionMNIST in data/. Safe to run again: it only does
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# The pinned versions need Python 3.11.5 or newer (soupsieve 4.1.2 asks for 3.11.5;
# numpy, pandas, scipy, matplotlib and others for 3.11). Check the interpreter
# that will install them: .venv's when it exists, else $PYTHON.
python=.venv/bin/python
[ -x "$python" ] || python=$PYTHON
if ! version=$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null); then
  echo "[setup] error: cannot run '$python'; set PYTHON to a Python 3.11.5 or newer" >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))'; then
  echo "[setup] error: $python is Python $version; requirements-lock.txt needs 3.11.5 or newer (PYTHON=python3.11 bash scripts/setup.sh, or remove an old .venv)" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi

# Reinstall only when requirements-lock.txt changed since the last install.
# The lock is complete (uv pip compile), so --no-deps installs exactly what it
# pins, nothing pip would pick on its own; pip check then proves nothing is missing.
lock_hash=$(sha256sum requirements-lock.txt | cut -d' ' -f1)
if [ "$(cat .venv/.installed-lock 2>/dev/null)" != "$lock_hash" ]; then
  echo "[setup] installing requirements-lock.txt (torch is large: this takes a few minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-lock.txt
  if ! missing=$(.venv/bin/python -m pip check --disable-pip-version-check 2>&1); then
    echo "$missing" >&2
    echo "[setup] error: requirements-lock.txt is incomplete; regenerate it (see its first lines)" >&2
    exit 1
  fi
  echo "$lock_hash" > .venv/.installed-lock
else
  echo "[setup] packages already installed"
fi

# The course itself (helper_functions.py, cv_toolbox/ and cv_course/), editable: the notebooks,
# scripts and tests import it from this folder. Its dependencies are in the lock.
course_hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat .venv/.installed-course 2>/dev/null)" != "$course_hash" ]; then
  echo "[setup] installing the course (pip install -e .)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  if ! missing=$(.venv/bin/python -m pip check --disable-pip-version-check 2>&1); then
    echo "$missing" >&2
    echo "[setup] error: the course needs packages requirements-lock.txt lacks; regenerate the lock (see its first lines)" >&2
    exit 1
  fi
  echo "$course_hash" > .venv/.installed-course
fi

# Offline source of FashionMNIST: Debian's dataset-fashion-mnist package.
# Online, torchvision downloads the data instead, so a failure here is not fatal.
if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  echo "[setup] installing Debian's dataset-fashion-mnist"
  { $sudo apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 ||
    { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1; }; } ||
    echo "[setup] could not install dataset-fashion-mnist; FashionMNIST will be downloaded instead"
fi

.venv/bin/python -c "import helper_functions as h; print('[setup] FashionMNIST ready in', h.prepare_fashion_mnist())"

# Slides, Marp decks and course pages: pinned node packages and a headless
# Chromium for the browser tests (scripts/export/setup_export.sh).
bash scripts/export/setup_export.sh
