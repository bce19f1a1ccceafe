"""prepare_fashion_mnist with the real FashionMNIST files: each source, a corrupt
copy, and no source at all. Nothing half-written may be left behind."""
from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
import torch
from torchvision import datasets

import helper_functions as hf
from cv_toolbox import data

FILES = list(data.FASHION_MNIST_MD5)
UNREACHABLE = ("http://127.0.0.1:9/",)  # nothing listens on the discard port
NO_DEBIAN = Path("/nonexistent/fashion-mnist")


@pytest.fixture(scope="module")
def good_raw() -> Path:
    """The course's own verified copy (scripts/setup.sh prepares it)."""
    return hf.prepare_fashion_mnist() / "FashionMNIST" / "raw"


def in_ci() -> bool:
    """Whether this is a CI run, where every source of the data must be tested: CI is set (as
    GitHub Actions and most CI services set it) or COURSE_REQUIRE_BROWSER=1 (.ci/run)."""
    return (os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
            or os.environ.get("COURSE_REQUIRE_BROWSER") == "1")


@pytest.fixture
def debian_package() -> Path:
    """Debian's dataset-fashion-mnist: skipped without it, but in CI its absence fails."""
    if not data.DEBIAN_FASHION_MNIST_DIR.is_dir():
        reason = "Debian's dataset-fashion-mnist is not installed (scripts/setup.sh installs it)"
        if in_ci():
            pytest.fail(f"in CI the offline source must be tested, but {reason}")
        pytest.skip(reason)
    return data.DEBIAN_FASHION_MNIST_DIR


def raw_of(root: Path) -> Path:
    return root / "FashionMNIST" / "raw"


def copy_good(good_raw: Path, root: Path, names=FILES) -> Path:
    raw = raw_of(root)
    raw.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(good_raw / name, raw / name)
    return raw


def assert_intact(raw: Path) -> None:
    assert sorted(p.name for p in raw.iterdir()) == sorted(FILES), "unexpected or temporary files left"
    for name, md5 in data.FASHION_MNIST_MD5.items():
        assert data.md5(raw / name) == md5


def test_offline_from_debian_package(tmp_path, debian_package):
    root = hf.prepare_fashion_mnist(tmp_path, mirrors=UNREACHABLE)
    assert root == tmp_path
    assert_intact(raw_of(tmp_path))
    train = datasets.FashionMNIST(tmp_path, train=True, download=True)  # downloads nothing
    test = datasets.FashionMNIST(tmp_path, train=False, download=True)
    assert (len(train), len(test)) == (60000, 10000)
    assert train.classes[0] == "T-shirt/top" and train.targets.dtype == torch.int64


def test_intact_files_are_left_alone(good_raw, tmp_path):
    raw = copy_good(good_raw, tmp_path)
    before = {name: (raw / name).stat().st_mtime_ns for name in FILES}
    hf.prepare_fashion_mnist(tmp_path, debian_dir=NO_DEBIAN, mirrors=UNREACHABLE)
    assert before == {name: (raw / name).stat().st_mtime_ns for name in FILES}


def test_corrupt_and_truncated_files_are_replaced(good_raw, tmp_path, capsys, debian_package):
    raw = copy_good(good_raw, tmp_path)
    labels = raw / "train-labels-idx1-ubyte"
    data = bytearray(labels.read_bytes())
    data[100] ^= 0xFF  # one flipped byte: same size, wrong label
    labels.write_bytes(bytes(data))
    images = raw / "t10k-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[: 1_000_000])  # truncated
    hf.prepare_fashion_mnist(tmp_path, mirrors=UNREACHABLE)
    out = capsys.readouterr().out
    assert "train-labels-idx1-ubyte is corrupt or truncated" in out
    assert "t10k-images-idx3-ubyte is corrupt or truncated" in out
    assert_intact(raw)


def test_downloads_when_offline_source_is_missing(good_raw, local_server, tmp_path):
    raw = copy_good(good_raw, tmp_path, names=FILES[:1] + FILES[2:])  # labels of train set missing
    missing = FILES[1]
    local_server.add(f"/{missing}.gz", gzip.compress((good_raw / missing).read_bytes()))
    hf.prepare_fashion_mnist(tmp_path, debian_dir=NO_DEBIAN, mirrors=(local_server.url + "/",))
    assert_intact(raw)


def test_a_mirror_serving_wrong_data_is_rejected_cleanly(good_raw, local_server, tmp_path):
    raw = copy_good(good_raw, tmp_path, names=FILES[:1] + FILES[2:])
    missing = FILES[1]
    local_server.add(f"/{missing}.gz", gzip.compress(b"not the labels"))
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        hf.prepare_fashion_mnist(tmp_path, debian_dir=NO_DEBIAN, mirrors=(local_server.url + "/",))
    assert not (raw / missing).exists()
    assert sorted(p.name for p in raw.iterdir()) == sorted(FILES[:1] + FILES[2:]), "partial files left behind"


def test_no_source_at_all_names_both_ways(tmp_path):
    with pytest.raises(RuntimeError) as error:
        hf.prepare_fashion_mnist(tmp_path, debian_dir=NO_DEBIAN, mirrors=UNREACHABLE)
    message = str(error.value)
    assert "Online" in message and "torchvision downloads it" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert list(raw_of(tmp_path).iterdir()) == []
