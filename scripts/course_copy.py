"""A throwaway copy of the course, for runs that must not touch the working tree:
notebooks that train and save models, or run with other settings."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent


def copy_course(target: Path, root: Path = COURSE_ROOT) -> Path:
    """Copy the files git tracks in ``root`` (as they are on disk) into ``target``,
    with an empty ``models/`` folder and ``data/FashionMNIST`` linked, not copied
    (call ``helper_functions.prepare_fashion_mnist()`` first). Returns ``target``."""
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    for name in listing.stdout.decode().split("\0"):
        if name and (root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
    shutil.rmtree(target / "models", ignore_errors=True)
    (target / "models").mkdir(parents=True)
    (target / "data").mkdir(exist_ok=True)
    (target / "data" / "FashionMNIST").symlink_to(root / "data" / "FashionMNIST", target_is_directory=True)
    return target
