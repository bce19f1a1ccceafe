#!/usr/bin/env bash
# Instructor command: export every notebook (notebooks/NN_*.ipynb, with their stored
# outputs, never re-executed) to the course website, reveal.js slides and Marp decks
# (HTML and PDF):
#   build/site/index.html  (serve build/site with any static web server; no internet needed)
# Options go to scripts/export/export_course.py, e.g. --out DIR, --marp-theme CSS,
# --no-pdf, or a list of notebooks.
# The first run installs the pinned npm packages (`npm ci`, needs the npm registry)
# and Debian's chromium for the PDFs; after that it runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/export/setup_export.sh
PYTHON=${PYTHON:-.venv/bin/python}
exec "$PYTHON" scripts/export/export_course.py "$@"
