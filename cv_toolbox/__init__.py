"""What the students' toolbox, ``helper_functions.py``, is built from (it imports these;
they import nothing of the course's above them).

- ``data``: getting the FashionMNIST files and checking them against their checksums;
- ``files``: writing files so that nothing half-written is ever left at a final path;
- ``checkpoints``: why a saved model does not load, said in one line;
- ``cpus``: how many CPUs this process may really use;
- ``training_doctor``: what ``helper_functions.train`` says when a run goes wrong.
"""
