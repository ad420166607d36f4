"""Where the tools keep what they worked out once: ``<git dir>/scanrepo-cache/``, shared by the
repository's worktrees and never in the work tree. Each cache is an SQLite file whose name holds
a fingerprint of what its contents depend on, so a cache made by other tools is never read.
Removing the directory clears every cache; one that cannot be written means working without.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from scanrepo.vcs.repo import GitRepo

CACHE_DIR = "scanrepo-cache"


def cache_directory(repo: GitRepo) -> Path:
    return Path(repo.repo.common_dir).resolve() / CACHE_DIR


def open_cache(
    directory: Path | None, name: str, tables: Sequence[str]
) -> sqlite3.Connection | None:
    """The cache file ``name`` in ``directory``, its ``tables`` created; a file that is no
    database (damaged) is started anew. None without a directory or where it cannot be opened or
    written (a read-only git directory)."""
    if directory is None:
        return None
    path = directory / name
    for attempt in range(2):
        db: sqlite3.Connection | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(path), timeout=60)
            with db:
                for table in tables:
                    db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
            return db
        except (OSError, sqlite3.Error) as err:
            if db is not None:
                db.close()
            # "file is not a database" is exactly DatabaseError; a locked file is a subclass
            if type(err) is not sqlite3.DatabaseError or attempt:
                return None
            try:
                path.unlink()
            except OSError:
                return None
    return None


class CacheFile:
    """One cache file (``open_cache``; ``db`` None: working without), closed when the ``with``
    block that holds it ends."""

    def __init__(self, directory: Path | None, name: str, tables: Sequence[str]) -> None:
        self.db = open_cache(directory, name, tables)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.db is not None:
            self.db.close()
