#!/usr/bin/env bash
# README command 1: set up, get the data, then execute every notebook top to
# bottom in a fresh kernel, refreshing the outputs stored in notebooks/*.ipynb.
# Name notebooks to execute only those, in the order given:
#   bash scripts/run_course.sh notebooks/05_model_2_tinyvgg.py notebooks/06_compare_and_predict.py
set -euo pipefail
cd "$(dirname "$0")/.."
notebooks=("$@")
if [ ${#notebooks[@]} -eq 0 ]; then
  notebooks=(notebooks/[0-9][0-9]_*.py)
fi
for py in "${notebooks[@]}"; do
  py="${py%.ipynb}"; py="${py%.py}.py"  # accept NN_name.py or NN_name.ipynb
  if [ ! -f "$py" ]; then
    echo "[course] no such notebook: $py (expected notebooks/NN_name.py)" >&2
    exit 2
  fi
done
bash scripts/setup.sh
# The reference numerics profile (scripts/numerics_profile.py): the outputs stored
# here must come out the same on any x86-64 machine with AVX2, so the notebooks run
# with its instruction-set caps, two threads and no GPU. Where it cannot hold, the
# outputs would not reproduce elsewhere: stop instead of storing them. Exit status 3
# means exactly that (--require); any other failure (a typo in COURSE_NUMERICS, say)
# has printed its own error, which must not be followed by advice about the machine.
status=0
profile=$(.venv/bin/python scripts/numerics_profile.py --shell --require) || status=$?
if [ "$status" -eq 3 ]; then
  echo "[course] not storing outputs made here: they would not reproduce on other machines." >&2
  echo "[course] Re-execute the notebooks on an x86-64 machine with AVX2, or open them in Jupyter to run them for yourself." >&2
  exit 3
elif [ "$status" -ne 0 ]; then
  echo "[course] could not apply the numerics profile: see the error above (COURSE_NUMERICS takes 'reference' or 'native')." >&2
  exit "$status"
fi
eval "$profile"
# None of your own matplotlib and IPython settings, and deprecations as errors, in the
# kernels (scripts/config_isolation.py): what the tests compare under the same rule.
eval "$(.venv/bin/python scripts/config_isolation.py --shell)"
# The generated parts of the notebooks first: the header cells (from pyproject.toml)
# and notebook 10 (from notebook 11).
.venv/bin/python scripts/notebook_header.py >/dev/null
.venv/bin/python scripts/make_exercises.py >/dev/null
for py in "${notebooks[@]}"; do
  py="${py%.ipynb}"; py="${py%.py}.py"
  echo "[course] executing ${py%.py}.ipynb"
  start=$SECONDS
  # Inputs come from the .py file; the .ipynb is rewritten with fresh outputs.
  .venv/bin/jupytext --quiet --to ipynb --set-kernel python3 --execute "$py"
  # Tidy the stored notebook: no timestamps, stable cell ids, jupytext's filters.
  .venv/bin/python scripts/tidy_notebook.py "${py%.py}.ipynb"
  echo "[course]   done in $((SECONDS - start)) s"
done
echo "[course] all notebooks executed"
