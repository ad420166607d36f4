"""An exclusive lock between runs of one tool, released by the kernel if its holder dies.

``flock`` on a lock file: a run killed mid-way leaves no stale lock behind, and the file names
the holder's process id so a refusal can say who holds it. The file is removed on release; the
inode check after locking makes that safe against a run that opened the file just before.

An flock belongs to the open file, which a forked child (a worker process) shares: a worker
outliving its killed parent would keep the lock, and every later run would be refused. Forked
children therefore close their copy of every held lock at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from scanrepo.errors import LockedError, ScanRepoError

_held: set[int] = set()  # descriptors of the locks this process holds


def _forget_in_child() -> None:
    for fd in _held:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


HOLDER_WAITS = 50

os.register_at_fork(after_in_child=_forget_in_child)


def _holder(fd: int) -> str:
    """The pid in the lock file; the holder writes it just after locking, so wait a moment."""
    for _ in range(HOLDER_WAITS):
        try:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            return "unknown"
        if text.isdigit():
            return text
        time.sleep(0.01)
    return "unknown"


def _acquire(path: Path, what: str) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise LockedError(
                f"another {what} is running (pid {holder}); wait for it to finish"
            ) from None
        try:
            current = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            current = None
        if current is not None and current.st_ino == os.fstat(fd).st_ino:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return fd
        os.close(fd)  # the holder we waited for removed the file: lock the new one


@contextlib.contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """Hold the lock at ``path`` for the block; ``what`` names the tool in a refusal."""
    try:
        fd = _acquire(path, what)
    except OSError as exc:
        raise ScanRepoError(f"{path}: cannot take the lock: {exc.strerror or exc}") from exc
    _held.add(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        _held.discard(fd)
        os.close(fd)
