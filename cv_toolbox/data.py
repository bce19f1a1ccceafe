"""Getting the FashionMNIST files, online or offline, and checking them.

``helper_functions.prepare_fashion_mnist`` calls ``fetch_fashion_mnist``; the
details live here because a student never needs them: where the files come from,
their published checksums, and how a download is moved into place only once it
checks out (with ``cv_toolbox.files``: atomically, never deleting a file first).
"""
from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path
from typing import Sequence

import requests

from cv_toolbox.files import WriteError, atomic_write, remove_stale_partials, temporary, write_error

#: MD5 checksums of the four uncompressed FashionMNIST files, as published
#: with the dataset. A file that does not match is never trained on.
FASHION_MNIST_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

#: Where Debian's ``dataset-fashion-mnist`` package installs the ``.gz`` files.
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

#: Where torchvision downloads FashionMNIST from.
FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)


def md5(path: Path, chunk_size: int = 1 << 20) -> str:
    """The MD5 checksum of the file at ``path``, as hex."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _NotThePublishedFile(Exception):
    """A decompressed file whose checksum is not the published one."""


def gunzip_verified(gz_path: Path, target: Path, expected_md5: str) -> bool:
    """Decompress ``gz_path`` into a partial file beside ``target``; move it into
    place only if its checksum matches. ``target`` is replaced in one step
    (``os.replace``) and never deleted first. Returns whether ``target`` now
    holds the right file: False for a damaged ``.gz`` or one that decompresses to
    another file. Raises ``WriteError`` (an ``OSError``) naming ``target`` if the
    disk refuses the write (no space left, a read-only folder)."""

    def decompress(out) -> None:
        with gzip.open(gz_path, "rb") as src:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                out.write(chunk)

    def verify(partial: Path) -> None:
        if md5(partial) != expected_md5:
            raise _NotThePublishedFile

    try:
        atomic_write(target, decompress, check=verify)
    except WriteError:
        raise  # the disk, not the data: say so
    except (_NotThePublishedFile, OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
        return False
    return True


def download_to(url: str, target: Path, timeout: float = 30.0) -> None:
    """Stream ``url`` into ``target``, moved into place only once complete.
    Raises ``requests.HTTPError`` for an HTTP error status, another
    ``requests.RequestException`` if the server cannot be reached, and
    ``WriteError`` (an ``OSError``) naming ``target`` if the disk refuses it."""
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()

        def copy(out) -> None:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)

        atomic_write(target, copy)


def fetch_fashion_mnist(
    raw: Path,
    debian_dir: str | Path = DEBIAN_FASHION_MNIST_DIR,
    mirrors: Sequence[str] = FASHION_MNIST_MIRRORS,
) -> None:
    """Make sure the folder ``raw`` holds the four intact FashionMNIST files.

    Each file is checked against its published MD5; a missing or corrupt one is
    taken from Debian's ``dataset-fashion-mnist`` package if installed, else
    downloaded. Raises ``RuntimeError`` naming both ways if neither works, and
    ``WriteError`` (an ``OSError`` and a ``RuntimeError``) naming the path if the
    disk refuses a file (no space left on device, a read-only folder).

    Safe to run in several processes at once on the same folder: a file found
    corrupt is never deleted, only replaced in one step by a checked copy, so no
    process can lose a good file another one just moved into place.
    """
    try:
        raw.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(error, raw) from error
    for name in FASHION_MNIST_MD5:
        remove_stale_partials(raw / name)  # left by a process killed while writing it

    def is_intact(name: str) -> bool:
        try:
            return md5(raw / name) == FASHION_MNIST_MD5[name]
        except (FileNotFoundError, IsADirectoryError):
            return False

    needed = [name for name in FASHION_MNIST_MD5 if not is_intact(name)]
    for name in needed:
        if (raw / name).exists():
            print(f"[data] {raw / name} is corrupt or truncated (checksum mismatch): replacing it.")

    problems: list[str] = []
    for name in needed:
        expected = FASHION_MNIST_MD5[name]
        local_gz = Path(debian_dir) / f"{name}.gz"
        if local_gz.is_file():
            if gunzip_verified(local_gz, raw / name, expected):
                continue
            problems.append(f"{local_gz} does not decompress to the published file")
        for mirror in mirrors:
            with temporary(raw / name, folder=True) as tmp:
                gz = tmp / f"{name}.gz"
                try:
                    download_to(f"{mirror}{name}.gz", gz)
                except WriteError:
                    raise
                except (requests.RequestException, OSError) as error:
                    problems.append(f"download from {mirror} failed: {error}")
                    continue
                if gunzip_verified(gz, raw / name, expected):
                    break
                problems.append(f"{mirror}{name}.gz is not the published file (checksum mismatch)")

    still_missing = [name for name in FASHION_MNIST_MD5 if not is_intact(name)]
    if still_missing:
        details = "\n  - ".join(problems) or "no source was available"
        raise RuntimeError(
            f"Could not get FashionMNIST file(s) {', '.join(still_missing)} into {raw}.\n"
            f"  - {details}\n"
            "Get the data one of two ways:\n"
            "  1. Online: connect to the internet and run again; torchvision downloads it.\n"
            "  2. Offline (Debian/Ubuntu): sudo apt-get install dataset-fashion-mnist\n"
            f"     (installs the files in {DEBIAN_FASHION_MNIST_DIR}), then run again."
        )
