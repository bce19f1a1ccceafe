"""Writing files so that nothing is lost, nothing is left behind, and a failure
names its real cause.

Everything the course writes (the FashionMNIST files, checkpoints, results
records, downloads) goes through here:

- ``atomic_write`` writes a hidden partial file next to the target and moves it
  into place in one step (``os.replace``), only once it is complete and checked:
  the final path holds the old file or the new one, never half of one, and is
  never deleted;
- files and folders are created like a plain ``open()`` would: their mode
  follows the umask, so a shared data folder stays readable to its group;
- each partial is named ``.<target>.<host>.<pid>.<random>.part``: a later write
  of the same target removes partials whose writer is dead (same host, no such
  process) or that nobody touched for ``STALE_AFTER_S`` seconds, and never
  those of a live writer;
- a write the disk refuses (no space left, a read-only folder, no permission)
  raises ``WriteError`` naming the path, even where PyTorch's own writer would
  replace the system's error by an unrelated message of its own.

Reading is here too: ``unpack_zip`` refuses damaged, empty, escaping or
oversized zip files. Why a checkpoint does not load is ``cv_toolbox.checkpoints``'s.
"""
from __future__ import annotations

import contextlib
import errno
import filecmp
import os
import shutil
import socket
import time
import uuid
import zipfile
from pathlib import Path
from typing import Callable, Iterator

#: A partial file or folder whose writer cannot be checked (another host, or an
#: older version of the course) is removed once nothing in it changed for this long.
STALE_AFTER_S = 60 * 60

#: This machine in partial names (no dots, so a name splits unambiguously).
HOST = (socket.gethostname().replace(".", "-") or "host")[:32]


class WriteError(OSError, RuntimeError):
    """A file could not be written: no space left on device, a read-only
    folder, no permission. Its message names the path and what to do; ``errno``
    is the system's. Both an ``OSError`` and a ``RuntimeError``."""


_ADVICE = {
    errno.ENOSPC: "free some space on that disk, or use a folder on another disk, then run again",
    errno.EDQUOT: "your disk quota is used up: free some space, then run again",
    errno.EROFS: "that folder is on a read-only file system: use another folder",
    errno.EACCES: "you may not write there: use a folder you own, or fix its permissions",
    errno.EPERM: "you may not write there: use a folder you own, or fix its permissions",
}


def write_error(error: OSError, path: str | Path) -> WriteError:
    """``error`` (raised while writing ``path``) as a ``WriteError`` naming ``path``."""
    if isinstance(error, WriteError):
        return error
    reason = error.strerror or str(error) or type(error).__name__
    advice = _ADVICE.get(error.errno, "check that folder, then run again")
    return WriteError(error.errno, f"{reason} while writing {path}: {advice}.")


# ----------------------------------------------------------------------------- partial files


def partial_path(target: Path) -> Path:
    """A new name for a partial of ``target``, beside it, naming this process."""
    return target.with_name(f".{target.name}.{HOST}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")


def _writer(middle: str) -> tuple[str, int] | None:
    """(host, pid) from the middle of a partial's name, if it is in this module's format."""
    parts = middle.rsplit(".", 2)
    if len(parts) == 3 and parts[1].isdigit() and "." not in parts[0]:
        return parts[0], int(parts[1])
    return None


def _writer_is_alive(host: str, pid: int) -> bool | None:
    """Whether the process that named a partial still runs; None when this
    machine cannot tell (another host)."""
    if host != HOST:
        return None
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, run by another user
    return True


def _last_change(path: Path) -> float:
    """The newest modification time of ``path`` and, for a folder, of everything in it."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for folder, dirs, names in os.walk(path):
            for name in dirs + names:
                with contextlib.suppress(OSError):
                    newest = max(newest, os.lstat(os.path.join(folder, name)).st_mtime)
    return newest


def _remove(path: Path) -> None:
    """Remove a file or folder tree, as far as possible: one that is already
    gone is fine, and one that cannot be removed is left (it is only clutter)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def remove_stale_partials(target: Path, stale_after_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove the partials of ``target`` left by writers that died (killed,
    crashed, powered off). Returns what was removed. A partial whose writer
    still runs is kept, whatever its age; one whose writer cannot be checked is
    removed only when nothing in it changed for ``stale_after_s`` seconds."""
    prefix, removed = f".{target.name}.", []
    try:
        entries = [entry for entry in target.parent.iterdir() if entry.name.startswith(prefix)]
    except OSError:
        return removed  # no folder yet: nothing left behind
    for entry in entries:
        if not entry.name.endswith(".part"):
            continue
        writer = _writer(entry.name[len(prefix):-len(".part")])
        alive = _writer_is_alive(*writer) if writer else None
        try:
            stale = alive is False or (alive is None and time.time() - _last_change(entry) > stale_after_s)
        except FileNotFoundError:
            continue  # its writer just moved it into place or removed it
        if stale:
            _remove(entry)
            removed.append(entry)
    return removed


@contextlib.contextmanager
def temporary(target: Path, folder: bool = False) -> Iterator[Path]:
    """A new, empty partial file (or ``folder``) beside ``target``, removed on
    leaving the block unless it was moved away. Stale partials of ``target`` go first.
    Raises ``WriteError`` if it cannot be created."""
    remove_stale_partials(target)
    tmp = partial_path(target)
    try:
        if folder:
            os.mkdir(tmp, 0o777)  # the umask applies, as for a plain mkdir
        else:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # and here, as for open()
    except OSError as error:
        raise write_error(error, target) from error
    try:
        yield tmp
    finally:
        _remove(tmp)


class _RecordingFile:
    """The file handed to a writer: every ``write`` writes all its bytes or
    raises, and the first ``OSError`` is remembered (PyTorch's writer turns it
    into "unexpected pos ..." of its own)."""

    def __init__(self, file) -> None:
        self._file = file
        self.error: OSError | None = None

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        try:
            while done < len(view):
                written = self._file.write(view[done:])
                if not written:  # a regular file writes something or raises
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                done += written
        except OSError as error:
            self.error = self.error or error
            raise
        return done

    def __getattr__(self, name: str):
        return getattr(self._file, name)


def atomic_write(path: str | Path, write: Callable, check: Callable[[Path], None] | None = None) -> Path:
    """Call ``write(file)`` on a partial file next to ``path``, then move it to
    ``path`` in one step; with ``check``, call ``check(partial_path)`` first,
    which may raise to refuse the file. If anything fails, ``path`` keeps its old
    contents (or stays absent) and the partial is removed. The new file's mode
    follows the umask, as with ``open()``. Returns ``path``.

    Raises ``WriteError`` (an ``OSError``) naming ``path`` if the disk refuses a
    write (no space left, read-only, no permission); whatever ``write`` or
    ``check`` raise for their own reasons passes through unchanged.
    """
    path = Path(path).expanduser()  # "~/models/x.pth" means the home folder, as in torch.save
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(error, path) from error
    with temporary(path) as tmp:
        # Unbuffered: nothing is left to flush on close, so a full disk shows in write().
        with os.fdopen(os.open(tmp, os.O_WRONLY), "wb", buffering=0) as raw:
            file = _RecordingFile(raw)
            try:
                write(file)
            except BaseException:
                if file.error is not None:
                    raise write_error(file.error, path) from file.error
                raise
            if file.error is not None:  # the writer swallowed it
                raise write_error(file.error, path) from file.error
            try:
                os.fsync(raw.fileno())  # the bytes are on disk before the file gets its real name
            except OSError as error:
                raise write_error(error, path) from error
        if check is not None:
            check(tmp)
        try:
            os.replace(tmp, path)  # atomic: readers see the old file or the new one
        except OSError as error:
            raise write_error(error, path) from error
    return path


def require_writable(folder: str | Path, why: str) -> Path:
    """Create ``folder`` if needed and prove it takes a new file (creating and
    removing a partial: permission bits alone do not tell, for root or on a
    read-only mount). Raises ``WriteError`` naming the folder and ``why`` it
    must be writable."""
    folder = Path(folder)
    probe = folder / "write-test"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(probe)
        tmp = partial_path(probe)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        os.unlink(tmp)
    except OSError as error:
        reason = error.strerror or str(error)
        raise WriteError(error.errno, f"Cannot write to {folder} ({reason}), which {why}: pass a folder you "
                                      "can write to, or fix that folder's permissions or free space.") from error
    return folder


# ----------------------------------------------------------------------------- zip files


def unpack_zip(archive: Path, folder: Path, source: str, max_unpacked_mb: float, target: Path | None = None) -> None:
    """Unpack ``archive`` (downloaded from ``source``) into the new ``folder``,
    a partial of ``target`` (the folder named in messages; default ``folder``).

    Raises ``RuntimeError`` saying what is wrong: not a zip, a damaged zip
    (bad CRC), an empty one, a member that would land outside ``folder``, or more
    than ``max_unpacked_mb`` megabytes once unpacked (a "zip bomb")."""
    if not zipfile.is_zipfile(archive):
        raise RuntimeError(f"{source} did not return a zip file; check the address.")
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if not any(not member.is_dir() for member in members):
                raise RuntimeError(f"{source} is an empty zip file: there is nothing to unpack; check the address.")
            for member in members:
                if not (folder / member.filename).resolve().is_relative_to(folder.resolve()):
                    raise RuntimeError(f"{source} holds '{member.filename}', which would land outside "
                                       f"{target or folder}; not unpacking it.")
            unpacked_mb = sum(member.file_size for member in members) / 1e6
            if unpacked_mb > max_unpacked_mb:
                raise RuntimeError(
                    f"{source} would unpack to {unpacked_mb:,.1f} MB (from a {archive.stat().st_size / 1e6:,.1f} MB "
                    f"zip), more than max_unpacked_mb={max_unpacked_mb:g}; if you expect that much, pass a larger "
                    "max_unpacked_mb."
                )
            os.mkdir(folder, 0o777)
            zf.extractall(folder)  # each member is read back only up to its stated size, and CRC-checked
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as error:
        raise RuntimeError(f"{source} is a damaged or unsupported zip file ({error}); download it again or "
                           "check the address.") from error
    except OSError as error:
        raise write_error(error, target or folder) from error


def same_file_contents(a: Path, b: Path) -> bool:
    """Whether files ``a`` and ``b`` hold the same bytes."""
    return filecmp.cmp(a, b, shallow=False)
