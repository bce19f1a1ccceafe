#!/usr/bin/env bash
# Instructor command: export every notebook (notebooks/NN_*.ipynb, with their stored
# outputs) to offline reveal.js slides, Marp decks and HTML pages, plus an index:
#   build/site/index.html  (open it in a browser; no internet needed)
# Options go to scripts/export/export_course.py, e.g. --out DIR or a list of notebooks.
# The first run installs the pinned npm packages (`npm ci`, needs the npm registry);
# after that it runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/export/setup_export.sh --node-only
PYTHON=${PYTHON:-.venv/bin/python}
exec "$PYTHON" scripts/export/export_course.py "$@"
