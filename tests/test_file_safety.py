"""Nothing lost, nothing left behind, the real cause named (issue #20), for the
FashionMNIST files, checkpoints and the course models' folder.

Faults are injected: a slowed checksum for two processes racing on one folder,
a child process killed while it writes, a disk that says "no space left" after a
few bytes, a folder that refuses new files (we run as root, who ignores mode
bits, so ``os.open`` is patched), a missing GPU (the tests hide it).
"""
from __future__ import annotations

import contextlib
import errno
import gzip
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import helper_functions as hf
from support import COURSE_ROOT, umask
from timeouts import SUBPROCESS_S
from cv_course import recipe
from cv_toolbox import data, files
from cv_course.recipe import build_course_model, load_or_train_course_model, save_course_model

FILES = list(data.FASHION_MNIST_MD5)
LABELS = "train-labels-idx1-ubyte"  # small (60 KB): the file each test breaks
NO_MIRRORS: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def good_raw() -> Path:
    """The course's own verified copy (scripts/setup.sh prepares it)."""
    return hf.prepare_fashion_mnist() / "FashionMNIST" / "raw"


@pytest.fixture
def debian(good_raw, tmp_path) -> Path:
    """A stand-in for Debian's dataset-fashion-mnist folder, holding the labels' .gz."""
    folder = tmp_path / "debian"
    folder.mkdir()
    (folder / f"{LABELS}.gz").write_bytes(gzip.compress((good_raw / LABELS).read_bytes()))
    return folder


def raw_with_corrupt_labels(good_raw: Path, root: Path) -> Path:
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILES:
        shutil.copy(good_raw / name, raw / name)
    labels = bytearray((raw / LABELS).read_bytes())
    labels[100] ^= 0xFF
    (raw / LABELS).write_bytes(bytes(labels))
    return raw


def assert_intact(raw: Path) -> None:
    assert sorted(p.name for p in raw.iterdir()) == sorted(FILES), "unexpected or temporary files left"
    for name, md5 in data.FASHION_MNIST_MD5.items():
        assert data.md5(raw / name) == md5


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def python(code: str, *args: str) -> subprocess.Popen:
    """A child Python running ``code`` from the repository root."""
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=COURSE_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# ----------------------------------------------------------------------------- a race must not delete a good file

RACER = """
import sys, time
from pathlib import Path
from cv_toolbox import data
delay, start_at, raw, debian = float(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
real_md5 = data.md5
def slow_md5(path, *args, **kwargs):  # reads the file at once, then takes its time
    digest = real_md5(path, *args, **kwargs)
    time.sleep(delay)
    return digest
data.md5 = slow_md5
time.sleep(max(0.0, start_at - time.time()))
data.fetch_fashion_mnist(raw, debian_dir=debian, mirrors=())
"""


def test_two_processes_repairing_one_folder_both_succeed(good_raw, debian, tmp_path):
    """The second process finds the labels corrupt, then (its checksums being slow)
    acts only after the first moved a good copy into place: it must not delete it."""
    raw = raw_with_corrupt_labels(good_raw, tmp_path)
    delay = 1.0
    start = time.time() + 3  # both have imported by then
    first = python(RACER, delay, start, raw, debian)
    second = python(RACER, delay, start + 1.5 * delay, raw, debian)
    results = [(p.wait(timeout=SUBPROCESS_S), *p.communicate()) for p in (first, second)]
    for rc, out, err in results:
        assert rc == 0, f"a process preparing the same folder failed:\n{out}\n{err[-3000:]}"
    assert_intact(raw)


def test_a_corrupt_file_is_replaced_in_one_step_never_deleted(good_raw, debian, tmp_path, monkeypatch):
    raw = raw_with_corrupt_labels(good_raw, tmp_path)
    finals = {str(raw / name) for name in FILES}
    deleted = []
    for name in ("unlink", "remove"):
        real = getattr(os, name)

        def spy(path, *args, real=real, **kwargs):
            if kwargs.get("dir_fd") is None and os.fspath(path) in finals:
                deleted.append(os.fspath(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, spy)
    data.fetch_fashion_mnist(raw, debian_dir=debian, mirrors=NO_MIRRORS)
    monkeypatch.undo()
    assert deleted == [], "a final path was deleted: another process may have just put a good file there"
    assert_intact(raw)


# ----------------------------------------------------------------------------- modes follow the umask


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640)])
def test_fashion_mnist_files_follow_the_umask(good_raw, debian, tmp_path, mask, expected):
    """A shared data folder: the group (and others, under umask 022) can read the files."""
    raw = raw_with_corrupt_labels(good_raw, tmp_path)
    with umask(mask):
        data.fetch_fashion_mnist(raw, debian_dir=debian, mirrors=NO_MIRRORS)
    assert oct(mode(raw / LABELS)) == oct(expected)


@pytest.mark.parametrize("mask, expected", [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_checkpoints_and_records_follow_the_umask(tmp_path, mask, expected):
    record = {"model_name": "FashionMNISTModelV0", "model_loss": 0.5, "model_acc": 80.0,
              "train_time": 1.0, "device": "cpu", "epochs": 3}
    with umask(mask):
        path = hf.save_model(build_course_model("model_0"), tmp_path / "m.pth")
        save_course_model("model_0", build_course_model("model_0"), record, models_dir=tmp_path / "models")
    assert oct(mode(path)) == oct(expected)
    assert oct(mode(tmp_path / "models" / "model_0.pth")) == oct(expected)
    assert oct(mode(tmp_path / "models" / "model_0.json")) == oct(expected)


# ----------------------------------------------------------------------------- leftovers of a killed writer

KILLED_SAVE = """
import sys, time, torch
from pathlib import Path
import helper_functions as hf
from cv_course.recipe import build_course_model
def stuck_save(obj, f, *args, **kwargs):
    f.write(b"PK" + bytes(4096))  # part of a checkpoint...
    Path(sys.argv[2]).touch()     # ...then the process is killed
    time.sleep(600)
torch.save = stuck_save
hf.save_model(build_course_model("model_0"), sys.argv[1])
"""

KILLED_PREPARE = """
import sys, time
from pathlib import Path
from cv_toolbox import data
real_md5 = data.md5
def stuck_md5(path, *args, **kwargs):
    if Path(path).name.endswith(".part"):  # the decompressed copy is written: killed while checking it
        Path(sys.argv[3]).touch()
        time.sleep(600)
    return real_md5(path, *args, **kwargs)
data.md5 = stuck_md5
data.fetch_fashion_mnist(Path(sys.argv[1]), debian_dir=sys.argv[2], mirrors=())
"""


def kill_when_ready(child: subprocess.Popen, ready: Path, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not ready.exists():
        assert child.poll() is None, f"the child ended early:\n{child.communicate()}"
        assert time.time() < deadline, "the child never reached the point where it is killed"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()  # reaped: its PID no longer exists


def test_a_save_killed_midway_leaves_nothing_after_the_next_save(tmp_path):
    path = tmp_path / "model.pth"
    kill_when_ready(python(KILLED_SAVE, path, tmp_path / "ready"), tmp_path / "ready")
    (tmp_path / "ready").unlink()
    assert len(hidden(tmp_path)) == 1, "the killed save should have left its partial file (the fault to clean up)"
    hf.save_model(build_course_model("model_0"), path)
    assert hidden(tmp_path) == [], "the next save of the same file must remove the dead writer's partial"
    hf.load_model(build_course_model("model_0"), path)


def test_a_prepare_killed_midway_leaves_nothing_after_the_next_one(good_raw, debian, tmp_path):
    raw = raw_with_corrupt_labels(good_raw, tmp_path / "data")
    ready = tmp_path / "ready"
    kill_when_ready(python(KILLED_PREPARE, raw, debian, ready), ready)
    assert any(name.endswith(".part") for name in hidden(raw)), "the killed run should have left a partial file"
    data.fetch_fashion_mnist(raw, debian_dir=debian, mirrors=NO_MIRRORS)
    assert_intact(raw)


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def age(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_only_partials_of_dead_or_long_silent_writers_are_removed(tmp_path):
    """Cleaning up must be safe against a writer that is still at work."""
    target = tmp_path / "model.pth"
    names = {
        "live writer, fresh": (f".model.pth.{files.HOST}.{os.getpid()}.aaaa1111.part", 0, True),
        "live writer, 2 hours silent": (f".model.pth.{files.HOST}.{os.getpid()}.bbbb2222.part", 7200, True),
        "dead writer, fresh": (f".model.pth.{files.HOST}.{dead_pid()}.cccc3333.part", 0, False),
        "other host, fresh": (".model.pth.elsewhere.12345.dddd4444.part", 0, True),
        "other host, 2 hours silent": (".model.pth.elsewhere.12345.eeee5555.part", 7200, False),
        "older course version, fresh": (".model.pth.k3j_x9a2.part", 0, True),
        "older course version, 2 hours silent": (".model.pth.q8w_e7r6.part", 7200, False),
        "another file's partial": (f".other.pth.{files.HOST}.{dead_pid()}.ffff6666.part", 0, True),
    }
    for name, seconds, _ in names.values():
        (tmp_path / name).write_bytes(b"x")
        age(tmp_path / name, seconds)
    hf.save_model(build_course_model("model_0"), target)
    for what, (name, _, kept) in names.items():
        assert (tmp_path / name).exists() == kept, f"{what}: {'removed' if kept else 'kept'}"


# ----------------------------------------------------------------------------- a full disk is named as such


class FullDiskFile:
    """A file on a disk with ``room`` bytes left: a write that does not fit writes
    what fits (as the kernel does), and the next one fails with ENOSPC."""

    def __init__(self, file, room: int) -> None:
        self._file, self.room = file, room

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        fits = view[: self.room]
        self.room -= len(fits)
        return self._file.write(fits) or len(fits)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def __getattr__(self, name):
        return getattr(self._file, name)


@contextlib.contextmanager
def full_disk(monkeypatch, room: int = 100):
    """Every file opened for writing with os.fdopen (how the course writes) is on a full disk."""
    real_fdopen = os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        file = real_fdopen(fd, mode, *args, **kwargs)
        return FullDiskFile(file, room) if "w" in mode else file

    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen)
        yield


def test_a_full_disk_while_preparing_the_data_says_so(good_raw, debian, tmp_path, monkeypatch):
    raw = raw_with_corrupt_labels(good_raw, tmp_path)
    before = (raw / LABELS).read_bytes()
    with full_disk(monkeypatch), pytest.raises(OSError) as info:
        hf.prepare_fashion_mnist(tmp_path, debian_dir=debian, mirrors=NO_MIRRORS)
    message = str(info.value)
    assert "No space left on device" in message and str(raw / LABELS) in message
    assert "does not decompress" not in message and "Online" not in message, "the data is not to blame"
    assert isinstance(info.value, RuntimeError), "prepare_fashion_mnist's failures are RuntimeErrors"
    assert (raw / LABELS).read_bytes() == before and hidden(raw) == []


def test_a_full_disk_while_saving_a_checkpoint_says_so(tmp_path, monkeypatch):
    path = tmp_path / "model.pth"
    hf.save_model(build_course_model("model_0", seed=0), path)
    before = path.read_bytes()
    with full_disk(monkeypatch, room=700), pytest.raises(OSError) as info:
        hf.save_model(build_course_model("model_0", seed=1), path)
    message = str(info.value)
    assert "No space left on device" in message and str(path) in message
    assert "enforce fail" not in message and "unexpected pos" not in message
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == before and hidden(tmp_path) == []


def test_a_full_disk_while_downloading_the_data_says_so(good_raw, local_server, tmp_path, monkeypatch):
    raw = raw_with_corrupt_labels(good_raw, tmp_path)
    local_server.add(f"/{LABELS}.gz", gzip.compress((good_raw / LABELS).read_bytes()))
    with full_disk(monkeypatch), pytest.raises(OSError, match="No space left on device") as info:
        data.fetch_fashion_mnist(raw, debian_dir=tmp_path / "none", mirrors=(local_server.url + "/",))
    assert "connect to the internet" not in str(info.value)
    assert hidden(raw) == []


# ----------------------------------------------------------------------------- no training thrown away


@pytest.fixture
def fake_training(monkeypatch, tmp_path):
    """Replace the (minutes-long) training by a seeded fresh model and a fixed record,
    and ship no models, so that load_or_train_course_model has to train."""
    monkeypatch.setattr(recipe, "SHIPPED_MODELS_DIR", tmp_path / "nothing-shipped")
    calls = []

    def fake_train_course_model(name, data_root=None, device="cpu", **kwargs):
        calls.append(name)
        record = {"model_name": "x", "model_loss": 0.5, "model_acc": 80.0, "train_time": 1.0,
                  "device": str(device), "epochs": 3}
        return build_course_model(name, seed=len(calls)), record

    monkeypatch.setattr(recipe, "train_course_model", fake_train_course_model)
    return calls


@contextlib.contextmanager
def refusing_new_files(monkeypatch, folder: Path, error: int = errno.EACCES):
    """``folder`` refuses new files, as a read-only folder would for anyone but root."""
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and Path(os.fspath(path)).parent == folder:
            raise OSError(error, os.strerror(error), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", guarded_open)
        yield


@pytest.mark.parametrize("error", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_an_unwritable_models_folder_fails_before_training(tmp_path, fake_training, monkeypatch, error):
    models = tmp_path / "models"
    models.mkdir()
    with refusing_new_files(monkeypatch, models, error), pytest.raises(OSError) as info:
        load_or_train_course_model("model_0", models_dir=models)
    assert fake_training == [], "it trained for minutes, then could not save the model"
    assert str(models) in str(info.value) and os.strerror(error) in str(info.value)
    assert list(models.iterdir()) == []


def test_a_models_folder_inside_a_file_fails_before_training(tmp_path, fake_training):
    (tmp_path / "models").write_text("a file, not a folder")
    with pytest.raises(OSError, match="Cannot write to .*models"):
        load_or_train_course_model("model_0", models_dir=tmp_path / "models" / "course")
    assert fake_training == []


def test_a_read_only_models_folder_still_loads_what_it_holds(tmp_path, fake_training, monkeypatch):
    models = tmp_path / "models"
    load_or_train_course_model("model_0", models_dir=models)
    with refusing_new_files(monkeypatch, models, errno.EROFS):
        load_or_train_course_model("model_0", models_dir=models)
    assert fake_training == ["model_0"]


# ----------------------------------------------------------------------------- checkpoints: the real cause


# (A whole pickled model and other pickled objects, named with the fix: tests/test_checkpoints.py.)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a (visible) GPU")
def test_loading_onto_a_missing_gpu_names_the_gpu(tmp_path):
    path = hf.save_model(build_course_model("model_0"), tmp_path / "m.pth")
    with pytest.raises(RuntimeError) as info:
        hf.load_model(build_course_model("model_0"), path, device="cuda")
    message = str(info.value)
    assert "GPU" in message and "device='cpu'" in message
    assert "corrupt" not in message and not isinstance(info.value, hf.CheckpointError), "the file is fine"


# ----------------------------------------------------------------------------- clutter


@pytest.mark.skipif(shutil.which("git") is None or not (COURSE_ROOT / ".git").exists(), reason="needs git and the repository")
def test_what_the_editable_install_leaves_is_ignored():
    """pip install -e . (scripts/setup.sh) writes pytorch_cv_course.egg-info/ in the repository's root."""
    result = subprocess.run(["git", "check-ignore", "-q", "pytorch_cv_course.egg-info/PKG-INFO"], cwd=COURSE_ROOT)
    assert result.returncode == 0, "add *.egg-info/ to .gitignore"
