"""The course's own layer, above the students' toolbox ``helper_functions.py`` (which it
imports, with ``cv_toolbox`` below it; nothing there imports this package).

- ``recipe``: the course's three models trained the notebooks' way, saved and loaded back;
- ``trained/``: those three models as the recipe trains them, for lessons opened alone;
- ``exercise_checks``: the self-checks of the exercises.
"""
