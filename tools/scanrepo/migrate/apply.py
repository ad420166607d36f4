"""Applying a migration plan to the work tree, so that no interruption loses a paper's scan.

Order: every new file already waits, whole, in a temporary file beside its destination (written
while the plan was made, ``migrate/pending``), and its blob in a temporary pack, which is sealed
first; a failure up to there removes the temporary files and leaves the tree as it was. Then the
new files are renamed into place, and only then are the old files removed. A run killed after a
rename but before the removal leaves a paper with its old and its new scan: both are the same
scan, which the next run recognises and finishes by removing the old one.

The promise is about a run that is killed or fails, not about the machine losing power: a
killed process loses nothing it wrote, so no file is flushed to disk here (no fsync, no sync),
as git flushes neither the work tree nor the index by default. The sealed packs are flushed, as
git flushes its packs: after a power cut the staged blobs are there, and HEAD's scans too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from scanrepo.errors import ScanRepoError, WriteFailedError
from scanrepo.format import keys
from scanrepo.fs.atomic import commit_staged
from scanrepo.migrate.pending import Pending
from scanrepo.migrate.plan import Plan

Progress = Callable[[int, int], None] | None


def apply_plan(root: Path, plan: Plan, progress: Progress = None) -> None:
    """Put every new scan in place, then remove the old files and abandoned temporary files."""
    if plan.problems:
        raise ScanRepoError("a plan with problems cannot be applied")
    pending = plan.pending
    staged = _Renames(root, pending, [p.target for p in plan.to_write])
    try:
        if plan.failure is not None:
            raise WriteFailedError(f"{plan.failure}; nothing was changed")
        missing = [p.target for p in plan.to_write if p.target not in pending.staged]
        if missing:
            raise ScanRepoError(f"{missing[0]}: the new scan was not written")
        try:
            pending.seal()
        except OSError as exc:
            raise WriteFailedError(
                f"cannot store the new scans in git: {exc}; nothing was changed"
            ) from exc
    except BaseException:
        pending.discard()
        raise
    try:
        commit_staged(staged, progress, durable=False)
    except OSError as exc:
        pending.discard()
        raise WriteFailedError(
            f"moving the new scans into place failed: {exc}; some papers now have their old "
            "and their new scan: run the same tools/migrate command again to finish"
        ) from exc
    pending.settled(p.target for p in plan.to_write)
    pending.discard()  # nothing is left but the directories, each holding a new scan
    directories: set[Path] = set()
    for paper in plan.papers:
        for source in paper.sources:
            path = root / source
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            directories.add(path.parent)
    for leftover in plan.leftovers:
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    _remove_empty(
        sorted(directories, key=lambda d: len(d.parts), reverse=True), root / keys.SCANS_DIR
    )


@dataclass(frozen=True)
class _Renames(Collection[tuple[Path, Path]]):
    """Each new scan's temporary file and destination, made as they are renamed: 100,000 pairs
    of ``Path`` objects held at once took about 80 MB."""

    root: Path
    pending: Pending
    targets: list[str]

    def __len__(self) -> int:
        return len(self.targets)

    def __iter__(self) -> Iterator[tuple[Path, Path]]:
        return ((self.pending.temp(t), self.root / t) for t in self.targets)

    def __contains__(self, pair: object) -> bool:
        return any(pair == mine for mine in self)


def _remove_empty(directories: list[Path], stop: Path | None = None) -> None:
    """Remove each directory if empty; with ``stop``, its emptied parents too, up to ``stop``."""
    for directory in directories:
        current = directory
        while True:
            try:
                os.rmdir(current)
            except OSError:
                break
            current = current.parent
            if stop is None or current == stop or stop not in current.parents:
                break
