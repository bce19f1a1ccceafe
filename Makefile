# The course's loops, one target each (CONTRIBUTING.md says when to use which, and how
# long each took). Every target runs from the repository's root, on Linux with bash.
#
#   make prose NB=05_model_2_tinyvgg      a prose edit: sync the pair, then the prose tests
#   make notebook NB=05_model_2_tinyvgg   a code edit: re-execute it, measure its float cells
#   make quick                            unit tests without notebooks or a browser
#   make course / make test               README commands 1 and 2
#   make site, make grading, make shipped-models

PY := .venv/bin/python
NB ?=
PROSE_TESTS := tests/test_notebooks.py tests/test_lessons.py tests/test_quoted_results.py \
	tests/test_reading_load.py tests/test_cross_references.py tests/test_taught_definitions.py \
	tests/test_exercises.py

.PHONY: help setup course test quick prose notebook floats site grading shipped-models need-nb

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

setup:
	bash scripts/setup.sh

course:  # README command 1
	bash scripts/run_course.sh

test:  # README command 2
	bash scripts/run_tests.sh

quick: setup
	$(PY) -m pytest -m "not slow and not browser"

need-nb:
	@test -n "$(NB)" || { echo "name the notebook: make $(MAKECMDGOALS) NB=05_model_2_tinyvgg" >&2; exit 2; }
	@test -f notebooks/$(NB).py || { echo "no notebooks/$(NB).py" >&2; exit 2; }

# Markdown only: the .ipynb keeps its outputs, its text follows the .py.
prose: need-nb setup
	$(PY) scripts/make_exercises.py >/dev/null
	.venv/bin/jupytext --quiet --update --to ipynb notebooks/$(NB).py
	$(PY) scripts/tidy_notebook.py notebooks/$(NB).ipynb
	$(PY) -m pytest -q -m "not slow and not browser" $(PROSE_TESTS)

# Code: execute the notebook again, then measure which of its cells depend on the
# floating-point numerics. Run the notebooks after it too when they load what it saves.
notebook: need-nb
	bash scripts/run_course.sh notebooks/$(NB).py
	$(MAKE) floats NB=$(NB)

floats: need-nb
	$(PY) scripts/find_float_dependent_cells.py notebooks/$(NB).ipynb

site: setup
	bash scripts/export_course.sh

grading: setup
	$(PY) scripts/make_grading.py

shipped-models: setup
	$(PY) scripts/train_shipped_models.py
