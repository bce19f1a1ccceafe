"""Getting the FashionMNIST files, online or offline, and checking them.

``helper_functions.prepare_fashion_mnist`` calls ``fetch_fashion_mnist``; the
details live here because a student never needs them: where the files come from,
their published checksums, and how a download is moved into place only once it
checks out.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import requests

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


def gunzip_verified(gz_path: Path, target: Path, expected_md5: str) -> bool:
    """Decompress ``gz_path`` next to ``target``; move it into place only if its
    checksum matches. Returns whether ``target`` now holds the right file."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(gz_path, "rb") as src:
            shutil.copyfileobj(src, out)
        if md5(tmp) != expected_md5:
            return False
        os.replace(tmp, target)  # atomic: the final path never holds half a file
        return True
    except (OSError, EOFError, gzip.BadGzipFile):
        return False
    finally:
        tmp.unlink(missing_ok=True)


def download_to(url: str, target: Path, timeout: float = 30.0) -> None:
    """Stream ``url`` into ``target``, raising for any HTTP error status."""
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        with open(target, "wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)


def fetch_fashion_mnist(
    raw: Path,
    debian_dir: str | Path = DEBIAN_FASHION_MNIST_DIR,
    mirrors: Sequence[str] = FASHION_MNIST_MIRRORS,
) -> None:
    """Make sure the folder ``raw`` holds the four intact FashionMNIST files.

    Each file is checked against its published MD5; a missing or corrupt one is
    taken from Debian's ``dataset-fashion-mnist`` package if installed, else
    downloaded. Raises ``RuntimeError`` naming both ways if neither works.
    """
    raw.mkdir(parents=True, exist_ok=True)

    def is_intact(name: str) -> bool:
        path = raw / name
        return path.is_file() and md5(path) == FASHION_MNIST_MD5[name]

    needed = [name for name in FASHION_MNIST_MD5 if not is_intact(name)]
    for name in needed:
        if (raw / name).exists():
            print(f"[data] {raw / name} is corrupt or truncated (checksum mismatch): replacing it.")
            (raw / name).unlink()

    problems: list[str] = []
    for name in needed:
        expected = FASHION_MNIST_MD5[name]
        local_gz = Path(debian_dir) / f"{name}.gz"
        if local_gz.is_file():
            if gunzip_verified(local_gz, raw / name, expected):
                continue
            problems.append(f"{local_gz} does not decompress to the published file")
        for mirror in mirrors:
            with tempfile.TemporaryDirectory(dir=raw, prefix=".download-") as tmp:
                gz = Path(tmp) / f"{name}.gz"
                try:
                    download_to(f"{mirror}{name}.gz", gz)
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
