"""download_data against a local HTTP server: success and each way it can fail."""
from __future__ import annotations

import io
import multiprocessing
import zipfile

import pytest

import helper_functions as hf
from timeouts import SUBPROCESS_S


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_downloads_and_unpacks(local_server, tmp_path):
    url = local_server.add("/food.zip", make_zip({"train/pizza/1.jpg": b"a", "test/pizza/2.jpg": b"b"}))
    target = hf.download_data(url, "food", data_dir=tmp_path)
    assert target == tmp_path / "food"
    assert (target / "train" / "pizza" / "1.jpg").read_bytes() == b"a"
    assert leftovers(tmp_path) == ["food"]  # no temporary files left


def test_keeps_the_zip_when_asked(local_server, tmp_path):
    """The original course's signature: download_data(source, destination, remove_source)."""
    url = local_server.add("/food.zip?raw=true", make_zip({"train/pizza/1.jpg": b"a"}))
    target = hf.download_data(url, "food", False, data_dir=tmp_path)
    assert (target / "train" / "pizza" / "1.jpg").read_bytes() == b"a"
    assert leftovers(tmp_path) == ["food", "food.zip"]
    assert zipfile.is_zipfile(tmp_path / "food.zip")


def test_skips_an_existing_folder(local_server, tmp_path, capsys):
    (tmp_path / "food").mkdir()
    kept = tmp_path / "food" / "keep.txt"
    kept.write_text("already here")
    before = kept.stat().st_mtime_ns
    target = hf.download_data(local_server.url + "/never-requested.zip", "food", data_dir=tmp_path)
    assert "skipping download" in capsys.readouterr().out
    assert target == tmp_path / "food"
    assert kept.read_text() == "already here" and kept.stat().st_mtime_ns == before, "the existing file was touched"
    assert leftovers(tmp_path) == ["food"] and leftovers(target) == ["keep.txt"]


def test_http_error_status_raises_and_leaves_nothing(local_server, tmp_path):
    with pytest.raises(RuntimeError, match="HTTP status 404"):
        hf.download_data(local_server.url + "/missing.zip", "food", data_dir=tmp_path)
    assert leftovers(tmp_path) == []


def test_a_file_that_is_not_a_zip_raises_and_leaves_nothing(local_server, tmp_path):
    url = local_server.add("/page.zip", b"<html>Sign in to continue</html>", content_type="text/html")
    with pytest.raises(RuntimeError, match="did not return a zip file"):
        hf.download_data(url, "food", data_dir=tmp_path)
    assert leftovers(tmp_path) == []


def test_a_zip_escaping_its_folder_is_refused(local_server, tmp_path):
    data_dir = tmp_path / "data"
    url = local_server.add("/evil.zip", make_zip({"ok.txt": b"fine", "../../escaped.txt": b"gotcha"}))
    with pytest.raises(RuntimeError, match=r"'\.\./\.\./escaped\.txt'.*outside"):
        hf.download_data(url, "food", data_dir=data_dir)
    assert leftovers(data_dir) == []
    assert not (tmp_path / "escaped.txt").exists()


def test_unreachable_server_raises_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="failed"):
        hf.download_data("http://127.0.0.1:9/food.zip", "food", data_dir=tmp_path)
    assert leftovers(tmp_path) == []


def download_after_both_have_unpacked(url: str, data_dir, barrier) -> str:
    """One racer (run in its own process): download and unpack, wait until the other racer
    has unpacked too, then both move their copy into place at once."""
    real_unpack = hf.unpack_zip

    def unpack_then_wait(*args, **kwargs):
        real_unpack(*args, **kwargs)
        barrier.wait(timeout=SUBPROCESS_S)

    hf.unpack_zip = unpack_then_wait
    return str(hf.download_data(url, "food", data_dir=data_dir))


def test_two_processes_racing_for_one_folder_both_get_it(local_server, tmp_path):
    """Two notebooks fetching the same data at once: one moves its copy into place, the other
    finds the folder complete and returns it, with no error and nothing left behind."""
    url = local_server.add("/food.zip", make_zip({"train/pizza/1.jpg": b"a", "test/pizza/2.jpg": b"b"}))
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Manager().Barrier(2)
    with spawn.Pool(2) as pool:
        racers = [pool.apply_async(download_after_both_have_unpacked, (url, tmp_path, barrier)) for _ in range(2)]
        targets = [racer.get(timeout=SUBPROCESS_S) for racer in racers]
    assert targets == [str(tmp_path / "food")] * 2
    assert (tmp_path / "food" / "train" / "pizza" / "1.jpg").read_bytes() == b"a"
    assert leftovers(tmp_path) == ["food"] and leftovers(tmp_path / "food") == ["test", "train"]
