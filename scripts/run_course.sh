#!/usr/bin/env bash
# README command 1: set up, get the data, then execute every notebook top to
# bottom in a fresh kernel, refreshing the outputs stored in notebooks/*.ipynb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for py in notebooks/[0-9][0-9]_*.py; do
  echo "[course] executing ${py%.py}.ipynb"
  start=$SECONDS
  # Inputs come from the .py file; the .ipynb is rewritten with fresh outputs.
  .venv/bin/jupytext --quiet --to ipynb --set-kernel python3 --execute "$py"
  # Drop per-cell execution timestamps: they change on every run and say nothing.
  .venv/bin/python - "${py%.py}.ipynb" <<'PY'
import sys, nbformat
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
for cell in nb.cells:
    cell.metadata.pop("execution", None)
# Record jupytext.toml's filters in the notebook too, so that any jupytext command
# (even one writing to stdout) renders it as exactly its header-less .py file.
nb.metadata.setdefault("jupytext", {}).update(
    notebook_metadata_filter="-all", cell_metadata_filter="tags,slideshow,-all"
)
nbformat.write(nb, path)
PY
  echo "[course]   done in $((SECONDS - start)) s"
done
echo "[course] all notebooks executed"
