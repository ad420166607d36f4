"""The merge driver's logic: git hands it three versions of one scan in temporary files; it
merges them item by item, writes the result over ours, and records any conflict for
tools/resolve. A side over the size limit is refused from its size alone, never parsed (ours is
only hashed, for the record to notice later edits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scanrepo.errors import ScanRepoError
from scanrepo.format.keys import parse_scan_path
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.fs.atomic import write_files
from scanrepo.merge import record as mergerecord
from scanrepo.merge.paper import PaperMerge, merge_paper
from scanrepo.merge.record import MergeRecord
from scanrepo.merge.threeway import Side
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import too_large

PREFIX = "scanrepo merge"

Say = Callable[[str], None]


@dataclass(frozen=True)
class DriverFiles:
    """What git passes: the common ancestor (%O), ours (%A, which receives the result), theirs
    (%B), and the path of the merged scan in the repository (%P)."""

    base: Path
    ours: Path
    theirs: Path
    path: str


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ScanRepoError(f"{path}: cannot read: {exc.strerror}") from exc


def _too_large(files: DriverFiles) -> list[Problem]:
    """The sides over the size limit, found from their size alone (never read)."""
    found = []
    for label in ("base", "ours", "theirs"):
        path: Path = getattr(files, label)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ScanRepoError(f"{path}: cannot read: {exc.strerror}") from exc
        if size > MAX_BYTES:
            found.append(too_large(f"{label}:{files.path}", size))
    return found


def _file_digest(path: Path) -> str:
    """The digest of a file of any size, read in chunks."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise ScanRepoError(f"{path}: cannot read: {exc.strerror}") from exc


def _unmerged(warn: Say, path: str, problems: list[Problem]) -> None:
    warn(f"{PREFIX}: {path}: cannot merge it item by item; the file is ours as it was:")
    for problem in problems:
        warn(f"  {problem.render()}")


def _key(path: str) -> str:
    where = parse_scan_path(path)
    return where[2] if where else path


def report(merge: PaperMerge, key: str, warn: Say) -> None:
    path = merge.path
    if merge.problems:
        _unmerged(warn, path, merge.problems)
    else:
        count = len(merge.conflicts)
        warn(f"{PREFIX}: {path}: {count} conflict{'s' * (count != 1)}:")
        for conflict in merge.conflicts:
            warn(f"  {conflict.where} (the file holds {conflict.kept})")
    warn(f"  see and resolve: tools/resolve {key}")


def drive(files: DriverFiles, keep: Side, root: Path, warn: Say) -> bool:
    """Merge, write the result over ours and keep the conflict record in ``root``'s git
    directory; True when the scan merged cleanly, False when git must stop."""
    records = mergerecord.records_dir(root)
    head = mergerecord.head_of(root)
    if oversized := _too_large(files):
        key = _key(files.path)
        written = _file_digest(files.ours)
        record = MergeRecord(key, files.path, written, keep=keep, problems=oversized, head=head)
        mergerecord.save(records, record)
        _unmerged(warn, files.path, oversized)
        warn(f"  see and resolve: tools/resolve {key}")
        return False
    base, ours, theirs = _read(files.base), _read(files.ours), _read(files.theirs)
    toolkit = Toolkit()
    merge = merge_paper(files.path, base, ours, theirs, toolkit.chain, toolkit.registry, keep=keep)
    if merge.data is not None:
        write_files({files.ours: merge.data})
    if not merge.conflicts and not merge.problems:
        mergerecord.forget(records, files.path)
        return True
    key = _key(files.path)
    mergerecord.save(records, MergeRecord.of(merge, key, keep, kept=ours, head=head))
    report(merge, key, warn)
    return False
