"""What the course's own machinery needs (scripts, tests), kept out of helper_functions.py,
which holds only what the notebooks teach and call."""
