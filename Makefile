# The course's loops, one target each (CONTRIBUTING.md says when to use which, and how
# long each took). Every target runs from the repository's root, on Linux with bash.
#
#   make prose NB=05_model_2_tinyvgg      a prose edit: sync the pair, then the prose tests
#   make notebook NB=05_model_2_tinyvgg   a code edit: re-execute it; if its outputs changed,
#                                         measure its float-dependent cells again
#   make from NB=05_model_2_tinyvgg       the same for it and every notebook after it
#   make quick                            unit tests without notebooks or a browser
#   make course / make test               README commands 1 and 2
#   make site, make grading, make shipped-models

PY := .venv/bin/python
NB ?=
PROSE_TESTS := tests/test_notebooks.py tests/test_lessons.py tests/test_quoted_results.py \
	tests/test_reading_load.py tests/test_cross_references.py tests/test_taught_definitions.py
# The exercises' checks only where the exercises' own text changed.
EXERCISE_TESTS = $(if $(filter 10_% 11_%,$(NB)),tests/test_exercises.py)

.PHONY: help setup course test quick prose notebook from floats site grading shipped-models need-nb

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
	$(PY) -m pytest -q -m "not slow and not browser" $(PROSE_TESTS) $(EXERCISE_TESTS)

# Code: execute the notebook again; where its outputs changed (as strict nbval compares
# them, against the last commit), measure which of its cells depend on the floating-point
# numerics (two more runs of it). `make from` does the same for it and every notebook
# after it, for a change the later ones see (a saved model, a toolbox function).
notebook: need-nb
	bash scripts/run_course.sh notebooks/$(NB).py
	$(PY) scripts/changed_outputs.py notebooks/$(NB).ipynb || $(MAKE) floats NB=$(NB)

from: need-nb
	bash scripts/run_course.sh $$(ls notebooks/[0-9][0-9]_*.py | awk '$$0 >= "notebooks/$(NB).py"')
	for nb in $$(ls notebooks/[0-9][0-9]_*.ipynb | awk '$$0 >= "notebooks/$(NB).ipynb"'); do \
		$(PY) scripts/changed_outputs.py $$nb || $(PY) scripts/find_float_dependent_cells.py $$nb || exit 1; \
	done

floats: need-nb
	$(PY) scripts/find_float_dependent_cells.py notebooks/$(NB).ipynb

site: setup
	bash scripts/export_course.sh

grading: setup
	$(PY) scripts/make_grading.py

shipped-models: setup
	$(PY) scripts/train_shipped_models.py
