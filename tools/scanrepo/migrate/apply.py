"""Applying a migration plan to the work tree, so that no interruption loses a paper's scan.

Order: every new file is staged beside its destination (temporary file) and all of them are
synced before anything changes; a failure there removes the temporary files and leaves the tree
as it was. Then the new files are renamed into place, and only then are the old files removed.
A run killed after a rename but before the removal leaves a paper with its old and its new
scan: both are the same scan, which the next run recognises and finishes by removing the old
one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from scanrepo.errors import ScanRepoError, WriteFailedError
from scanrepo.format import keys
from scanrepo.fs.atomic import (
    commit_staged,
    discard_staged,
    stage_file,
    sync_directories,
    sync_files,
)
from scanrepo.migrate.plan import Plan

Progress = Callable[[int, int], None] | None


def apply_plan(root: Path, plan: Plan, progress: Progress = None) -> None:
    """Write every new scan, then remove the old files and abandoned temporary files."""
    if plan.problems:
        raise ScanRepoError("a plan with problems cannot be applied")
    to_write = plan.to_write
    created = [d for d in _new_directories(root, [p.target for p in to_write]) if not d.exists()]
    staged: list[tuple[Path, Path]] = []
    try:
        for paper in to_write:
            destination = root / paper.target
            data = paper.data
            assert data is not None
            try:
                tmp = stage_file(destination, data, paper.mode, durable=False)
            except OSError as exc:
                raise WriteFailedError(
                    f"{paper.target}: cannot write: {exc.strerror or exc}; nothing was changed"
                ) from exc
            staged.append((tmp, destination))
            if progress:
                progress(len(staged), len(to_write))
        try:
            sync_files([tmp for tmp, _ in staged])
        except OSError as exc:
            raise WriteFailedError(
                f"cannot sync the new scans: {exc}; nothing was changed"
            ) from exc
    except BaseException:
        discard_staged(staged)
        _remove_empty(sorted(created, reverse=True))
        raise
    try:
        commit_staged(staged)
    except OSError as exc:
        discard_staged(staged)
        raise WriteFailedError(
            f"moving the new scans into place failed: {exc}; some papers now have their old "
            "and their new scan: run the same tools/migrate command again to finish"
        ) from exc
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
    with contextlib.suppress(OSError):
        sync_directories(directories)
    _remove_empty(
        sorted(directories, key=lambda d: len(d.parts), reverse=True), root / keys.SCANS_DIR
    )


def _new_directories(root: Path, targets: list[str]) -> list[Path]:
    found: set[Path] = set()
    for target in targets:
        parts = Path(target).parent.parts
        found.update(root.joinpath(*parts[: i + 1]) for i in range(1, len(parts)))
    return sorted(found, key=lambda d: len(d.parts))


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
