"""download_data when something is wrong (issue #20): every failure is one
RuntimeError saying what was wrong, and the data folder is left as it was."""
from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

import helper_functions as hf
from cv_toolbox import files
from support import umask


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones too) with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data folder that already holds a student's files."""
    folder = tmp_path / "data"
    (folder / "FashionMNIST").mkdir(parents=True)
    (folder / "notes.txt").write_text("mine")
    return folder


def refused(data_dir: Path, url: str, match: str, **kwargs) -> str:
    before = snapshot(data_dir)
    with pytest.raises(RuntimeError, match=match) as info:
        hf.download_data(url, "food", data_dir=data_dir, **kwargs)
    assert snapshot(data_dir) == before, "a failed download_data must leave the folder as it was"
    return str(info.value)


def test_a_kept_zip_never_replaces_another_file(local_server, data_dir):
    """The zip is kept under its URL's file name: a different file of that name stays."""
    (data_dir / "notes.txt").write_text("my notes, not a zip")
    url = local_server.add("/notes.txt", make_zip({"train/1.jpg": b"a"}))
    message = refused(data_dir, url, "notes.txt already exists", remove_source=False)
    assert "remove_source=True" in message
    assert (data_dir / "notes.txt").read_text() == "my notes, not a zip"


def test_the_same_zip_kept_again_is_fine(local_server, data_dir):
    archive = make_zip({"train/1.jpg": b"a"})
    (data_dir / "food.zip").write_bytes(archive)  # kept by an earlier run, whose folder was deleted since
    url = local_server.add("/food.zip", archive)
    target = hf.download_data(url, "food", False, data_dir=data_dir)
    assert (target / "train" / "1.jpg").read_bytes() == b"a"
    assert (data_dir / "food.zip").read_bytes() == archive


def test_a_zip_bomb_is_refused_with_how_to_allow_it(local_server, data_dir):
    """305 KB that would unpack to 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("images.bin", "w") as member:
            for _ in range(300):
                member.write(bytes(1_000_000))
    assert len(buffer.getvalue()) < 400_000
    url = local_server.add("/food.zip", buffer.getvalue())
    message = refused(data_dir, url, "would unpack to 300.0 MB")
    assert "max_unpacked_mb" in message


def test_max_unpacked_mb_raises_the_cap(local_server, data_dir):
    url = local_server.add("/food.zip", make_zip({"big.bin": bytes(2_000_000)}))
    refused(data_dir, url, r"2\.0 MB .*max_unpacked_mb=1", max_unpacked_mb=1)
    target = hf.download_data(url, "food", data_dir=data_dir, max_unpacked_mb=3)
    assert (target / "big.bin").stat().st_size == 2_000_000


@pytest.mark.parametrize("members", [{}, {"empty_folder/": b""}], ids=["no-members", "only-folders"])
def test_an_empty_zip_says_so(local_server, data_dir, members):
    url = local_server.add("/food.zip", make_zip(members))
    refused(data_dir, url, "empty zip")


def test_a_damaged_zip_says_so(local_server, data_dir):
    archive = bytearray(make_zip({"train/1.jpg": b"the picture's bytes"}, compression=zipfile.ZIP_STORED))
    at = archive.index(b"the picture's bytes")
    archive[at] ^= 0xFF  # a flipped byte: the CRC no longer matches
    url = local_server.add("/food.zip", bytes(archive))
    message = refused(data_dir, url, "damaged")
    assert "CRC" in message


def test_a_nested_destination_is_unpacked(local_server, data_dir):
    url = local_server.add("/food.zip", make_zip({"train/1.jpg": b"a"}))
    target = hf.download_data(url, "datasets/food", data_dir=data_dir)
    assert target == data_dir / "datasets" / "food"
    assert (target / "train" / "1.jpg").read_bytes() == b"a"
    assert sorted(p.name for p in data_dir.iterdir()) == ["FashionMNIST", "datasets", "notes.txt"]


@pytest.mark.parametrize("destination", ["../food", "/tmp/food", "", "."])
def test_a_destination_outside_the_data_folder_is_refused(local_server, data_dir, destination):
    url = local_server.add("/food.zip", make_zip({"1.jpg": b"a"}))
    before = snapshot(data_dir.parent)
    with pytest.raises(RuntimeError, match="must name a folder inside"):
        hf.download_data(url, destination, data_dir=data_dir)
    assert snapshot(data_dir.parent) == before


def test_a_destination_that_is_a_file_is_refused(local_server, data_dir):
    (data_dir / "food").write_text("a file")
    url = local_server.add("/food.zip", make_zip({"1.jpg": b"a"}))
    refused(data_dir, url, "is a file, not a folder")


def test_a_full_disk_while_unpacking_says_so(local_server, data_dir, monkeypatch):
    url = local_server.add("/food.zip", make_zip({"train/1.jpg": b"a"}))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfileobj", full)  # what zipfile writes each member with
    message = refused(data_dir, url, "No space left on device")
    assert str(data_dir / "food") in message




def test_the_unpacked_folder_follows_the_umask(local_server, data_dir):
    url = local_server.add("/food.zip", make_zip({"train/1.jpg": b"a"}))
    with umask(0o022):
        target = hf.download_data(url, "food", False, data_dir=data_dir)
    for path in (target, target / "train", target / "train" / "1.jpg", data_dir / "food.zip"):
        expected = 0o755 if path.is_dir() else 0o644
        assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(expected), path


def test_what_a_killed_download_left_is_removed_by_the_next_one(local_server, data_dir):
    """A process killed while downloading or unpacking leaves its hidden work folder."""
    child = subprocess.Popen(["true"])
    child.wait()  # a writer that no longer runs
    leftover = data_dir / f".food.{files.HOST}.{child.pid}.0badf00d.part"
    (leftover / "unpacked" / "train").mkdir(parents=True)
    (leftover / "download.zip").write_bytes(b"PK half a zip")
    url = local_server.add("/food.zip", make_zip({"train/1.jpg": b"a"}))
    hf.download_data(url, "food", data_dir=data_dir)
    assert sorted(p.name for p in data_dir.iterdir()) == ["FashionMNIST", "food", "notes.txt"]
