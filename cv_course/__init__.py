"""The course's machinery, beside the student's toolbox ``helper_functions.py``.

- ``data``: getting the FashionMNIST files and checking them against their checksums;
- ``files``: writing files so that nothing half-written is ever left at a final path;
- ``recipe``: the course's three models trained the notebooks' way, saved and loaded back;
- ``training_doctor``: what ``helper_functions.train`` says when a run goes wrong;
- ``exercise_checks``: the self-checks of the exercises;
- ``benchmark``: the training times the course's benchmark recorded;
- ``numerics_profile`` and ``course_copy``: what the tests and scripts need to
  compute the same outputs on every machine.
"""
