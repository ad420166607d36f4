"""Comparisons of two scan blobs, kept by the two blob ids so that no pair is read twice.

Reading a scan (strict parse, schema, migration) costs far more than git takes to hand over its
bytes, and a pull request's commits are diffed again and again while it is reviewed. A blob id
names its content, so the comparison of two blobs is the same every time the same tools make
it: each comparison both of whose scans read cleanly is kept, as its versions, title and
changes, in ``<git dir>/scanrepo-cache/comparisons-<fingerprint>.sqlite``, where the
fingerprint covers the schemas, the migrations and the package's code
(``toolkit.fingerprint``). A comparison that found a problem is not kept: its messages name
files and revisions, and it is made again each time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import orjson

from scanrepo.diff.changes import Change, ChangeKind
from scanrepo.vcs.cache_files import CacheFile

COMPARISONS = "comparisons"  # the cache file's name, before its fingerprint
BlobPair = tuple[str, str]  # (old blob id, new blob id)
_KINDS = frozenset(get_args(ChangeKind))
_TABLES = ("comparisons (old TEXT, new TEXT, data BLOB NOT NULL, PRIMARY KEY (old, new))",)


@dataclass(frozen=True)
class KeptComparison:
    """What comparing two scans that both read cleanly found, as it is kept."""

    old_version: int
    new_version: int
    title: str | None
    changes: list[Change]


def encode(compared: KeptComparison) -> bytes | None:
    """``compared`` as JSON, or None when a value has no exact JSON form in orjson (an integer
    beyond 64 bits): such a comparison is simply made again."""
    changes = [[c.kind, c.where, c.path, c.old, c.new] for c in compared.changes]
    try:
        return orjson.dumps([compared.old_version, compared.new_version, compared.title, changes])
    except orjson.JSONEncodeError:
        return None


def decode(data: bytes) -> KeptComparison | None:
    """The comparison ``data`` holds, or None when it is not one (a damaged row)."""
    try:
        old_version, new_version, title, changes = orjson.loads(data)
        found = [
            Change(kind, where, tuple(path), old, new) for kind, where, path, old, new in changes
        ]
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
    well_formed = (
        type(old_version) is int
        and type(new_version) is int
        and (title is None or isinstance(title, str))
        and all(c.kind in _KINDS and isinstance(c.where, str) and _is_path(c.path) for c in found)
    )
    return KeptComparison(old_version, new_version, title, found) if well_formed else None


def _is_path(path: tuple[Any, ...]) -> bool:
    return all(isinstance(step, str) or type(step) is int for step in path)


class ComparisonCache(CacheFile):
    """Comparisons by blob pair; ``directory`` None (or one that cannot be written): none kept."""

    def __init__(self, directory: Path | None, fingerprint: str) -> None:
        super().__init__(directory, f"{COMPARISONS}-{fingerprint}.sqlite", _TABLES)

    def get_many(self, pairs: Iterable[BlobPair]) -> dict[BlobPair, KeptComparison]:
        if self.db is None:
            return {}
        found: dict[BlobPair, KeptComparison] = {}
        query = "SELECT data FROM comparisons WHERE old = ? AND new = ?"
        try:
            for pair in pairs:
                row = self.db.execute(query, pair).fetchone()
                if row is not None and (compared := decode(row[0])) is not None:
                    found[pair] = compared
        except sqlite3.Error:  # a damaged file: compare afresh
            return {}
        return found

    def put_many(self, rows: Iterable[tuple[BlobPair, KeptComparison]]) -> None:
        """Stored in one transaction: a killed run leaves whole rows or none."""
        if self.db is None:
            return
        encoded = [(old, new, data) for (old, new), c in rows if (data := encode(c)) is not None]
        try:
            with self.db:
                self.db.executemany(
                    "INSERT OR REPLACE INTO comparisons (old, new, data) VALUES (?, ?, ?)", encoded
                )
        except sqlite3.Error:  # read-only or damaged: the next run compares afresh
            pass
