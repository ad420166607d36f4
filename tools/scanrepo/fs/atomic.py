"""All-or-nothing file writes: temporary file, fsync, rename; never through a symlink.

Scans are written in batches (``write_files``, or staged and committed by the migration), and a
command's output file (a report, an export) is replaced only when it was written whole
(``replaced_on_success``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from scanrepo.errors import ScanRepoError, WriteFailedError

TMP_MARK = ".scanrepo-tmp-"
# From this many files (or directories) on, one flush of every file system is cheaper than an
# fsync each: 10,000 fsyncs took 12-45 s on a virtual disk, one sync() under a second. Only on
# Linux does sync() wait until the data is written, as fsync() does.
BATCH_SYNC = 64


def is_leftover_temp(name: str) -> bool:
    return name.startswith(".") and TMP_MARK in name


def is_abandoned_temp(name: str) -> bool:
    """A temporary file whose writer is gone: deleting it loses nothing (it was never renamed)."""
    if not is_leftover_temp(name):
        return False
    return is_gone(name.rsplit(TMP_MARK, 1)[1])


def is_gone(pid_text: str) -> bool:
    """Whether the process ``pid_text`` names (another than this one) no longer exists."""
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


SYMLINK_REFUSAL = "is a symbolic link; refusing to write through it"


def temp_path(path: Path, owner: int | None = None) -> Path:
    """The temporary file beside ``path`` of process ``owner`` (default: this one)."""
    return path.with_name(f".{path.name}{TMP_MARK}{owner or os.getpid()}")


def _refuse_symlink(path: Path) -> None:
    if path.is_symlink():
        raise ScanRepoError(f"{path}: {SYMLINK_REFUSAL}")


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_batch(count: int) -> bool:
    return count >= BATCH_SYNC and sys.platform.startswith("linux")


def sync_files(paths: Collection[Path]) -> None:
    """Make files written with ``stage_file`` durable."""
    if _sync_batch(len(paths)):
        os.sync()
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_directories(directories: Collection[Path]) -> None:
    """Make renames and removals in ``directories`` durable."""
    if _sync_batch(len(directories)):
        os.sync()
        return
    for directory in directories:
        fsync_dir(directory)


def stage_file(path: Path, data: bytes) -> Path:
    """Write data to a temporary file beside path, keeping path's mode; return it. The caller
    calls ``sync_files`` for all the files it staged before renaming any of them."""
    _refuse_symlink(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    write_temp(tmp, data, mode, durable=False)
    return tmp


def write_temp(tmp: Path, data: bytes, mode: int, *, durable: bool) -> None:
    """``data`` in the temporary file ``tmp`` (created, or emptied if a killed run left it;
    never through a symlink), with ``mode``; gone again if writing fails. The caller checked
    the destination and made its directory. One open, write, chmod and close: no buffered
    file object, no path looked up twice."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        try:
            write_all(fd, data)
            os.fchmod(fd, mode)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd`` (``os.write`` may write less than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def commit_staged(
    staged: Collection[tuple[Path, Path]],
    progress: Callable[[int, int], None] | None = None,
    *,
    durable: bool = True,
) -> None:
    """Rename each staged temporary file over its target, then (``durable``) sync the
    directories."""
    directories: set[Path] = set()
    for done, (tmp, path) in enumerate(staged, 1):
        _refuse_symlink(path)
        os.replace(tmp, path)
        directories.add(path.parent)
        if progress:
            progress(done, len(staged))
    if durable:
        sync_directories(directories)


def discard_staged(staged: Iterable[tuple[Path, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _write_failed(path: Path, exc: OSError, *, changed: bool) -> WriteFailedError:
    reason = exc.strerror or str(exc)
    return WriteFailedError(
        f"{path}: cannot write: {reason}", path=path, reason=reason, changed=changed
    )


def write_files(files: dict[Path, bytes]) -> None:
    """Write several files so that either all are staged and renamed, or none is touched.

    Every new content is written to a temporary file and all of them are synced first; only
    when all of that succeeded are they renamed into place. A failure while staging (full
    disk, permissions) leaves every original file as it was and raises WriteFailedError
    naming the file.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            try:
                staged.append((stage_file(path, data), path))
            except OSError as exc:
                raise _write_failed(path, exc, changed=False) from exc
        try:
            sync_files([tmp for tmp, _ in staged])
        except OSError as exc:
            raise _write_failed(staged[0][1], exc, changed=False) from exc
    except BaseException:
        discard_staged(staged)
        raise
    try:
        commit_staged(staged)
    except OSError as exc:
        discard_staged(staged)
        where = Path(exc.filename) if exc.filename else staged[0][1]
        raise _write_failed(where, exc, changed=True) from exc


# --- output files: a report or an export written whole or not at all


def check_target(path: Path) -> None:
    """Refuse, before any work is done, a path that could not be written."""
    if path.is_symlink():
        raise ScanRepoError(f"{path}: {SYMLINK_REFUSAL}")
    if path.is_dir():
        raise ScanRepoError(f"{path}: is a directory; name the file to write")
    if not path.parent.is_dir():
        raise ScanRepoError(f"{path.parent}: no such directory")


@contextlib.contextmanager
def replaced_on_success(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that becomes ``path`` only if the block succeeds."""
    check_target(path)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        yield tmp
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
