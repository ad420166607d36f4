"""Output files written whole or not at all: an interrupted tool never leaves half a file under
the name asked for."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from scanrepo.errors import ScanRepoError
from scanrepo.fs.atomic import TMP_MARK, fsync_dir


def check_target(path: Path) -> None:
    """Refuse, before any work is done, a path that could not be written."""
    if path.is_symlink():
        raise ScanRepoError(f"{path}: is a symbolic link; refusing to write through it")
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
