"""The merge driver's logic: git hands it three versions of one scan in temporary files; it
merges them item by item, writes the result over ours, and records any conflict for
tools/resolve. A side over the size limit is refused from its size alone, never read.
"""

from __future__ import annotations

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


def report(merge: PaperMerge, key: str, warn: Say) -> None:
    path = merge.path
    if merge.problems:
        warn(f"{PREFIX}: {path}: cannot merge it item by item; the file is ours as it was:")
        for problem in merge.problems:
            warn(f"  {problem.render()}")
    else:
        count = len(merge.conflicts)
        warn(f"{PREFIX}: {path}: {count} conflict{'s' * (count != 1)}:")
        for conflict in merge.conflicts:
            warn(f"  {conflict.where} (the file holds {conflict.kept})")
    warn(f"  see and resolve: tools/resolve {key}")


def drive(files: DriverFiles, keep: Side, root: Path, warn: Say) -> bool:
    """Merge, write the result over ours and keep the conflict record in ``root``'s git
    directory; True when the scan merged cleanly, False when git must stop."""
    if oversized := _too_large(files):
        warn(f"{PREFIX}: {files.path}: cannot merge it item by item; the file is ours as it was:")
        for problem in oversized:
            warn(f"  {problem.render()}")
        return False
    base, ours, theirs = _read(files.base), _read(files.ours), _read(files.theirs)
    toolkit = Toolkit()
    merge = merge_paper(files.path, base, ours, theirs, toolkit.chain, toolkit.registry, keep=keep)
    if merge.data is not None:
        write_files({files.ours: merge.data})
    records = mergerecord.records_dir(root)
    if not merge.conflicts and not merge.problems:
        mergerecord.forget(records, files.path)
        return True
    where = parse_scan_path(files.path)
    key = where[2] if where else files.path
    mergerecord.save(records, MergeRecord.of(merge, key, keep, kept=ours))
    report(merge, key, warn)
    return False
