"""New scans written beside their destinations as soon as they are checked, so that a run holds
none of them in memory, yet changes nothing until the whole batch is decided.

A ``Writer`` goes to the worker processes: each new scan becomes a temporary file beside its
destination (named after the process that owns the run, so a rerun after a kill recognises
and removes it) and, in a git repository, a blob in the worker's temporary pack file
(``vcs/objects``). ``Pending`` is the owner's record of those files, of the directories the
writes created and of the blobs: the plan seals the packs and renames the files into place
(``migrate/apply``) or, refused or failed, ``discard`` removes them all.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from scanrepo.fs.atomic import SYMLINK_REFUSAL, temp_path, write_temp
from scanrepo.vcs.objects import BlobPacks, Placed, Placements


@dataclass(frozen=True, slots=True)
class Written:
    """What writing one new scan did: whether its temporary file exists, the directories it
    created, where its blob went, and why it could not be written."""

    staged: bool
    created: tuple[str, ...] = ()
    failure: str | None = None
    placed: Placed | None = None


@dataclass(frozen=True)
class Writer:
    """Writes new scans below ``root`` for process ``owner``; sent to worker processes."""

    root: Path
    owner: int
    objects: BlobPacks | None = None
    # directories this writer found to be real directories (its copy in each worker process)
    ready: set[Path] = field(default_factory=set, compare=False, repr=False)

    def write(self, relpath: str, data: bytes, mode: int) -> Written:
        """A temporary file beside ``relpath`` holding ``data``; never through a symlink."""
        destination = self.root / relpath
        created: list[str] = []
        for place in [*directories_of(self.root, relpath), destination]:
            if place in self.ready:
                continue
            try:
                kind = os.lstat(place).st_mode
            except FileNotFoundError:
                if place is not destination:
                    created.append(str(place))
                continue
            except OSError:
                continue  # a file where a directory must be: writing says why it fails
            where = place.relative_to(self.root).as_posix()
            if stat.S_ISLNK(kind):
                message = f"{where} {SYMLINK_REFUSAL}"
                return Written(False, failure=message)
            if place is destination and stat.S_ISDIR(kind):
                return Written(False, failure="is a directory; refusing to replace it")
            if stat.S_ISDIR(kind):
                self.ready.add(place)
        try:
            if created or destination.parent not in self.ready:
                destination.parent.mkdir(parents=True, exist_ok=True)
            write_temp(temp_path(destination, self.owner), data, mode, durable=False)
        except OSError as exc:
            return Written(False, tuple(created), f"cannot write: {exc.strerror or exc}")
        self.ready.update(map(Path, created))
        try:
            placed = self.objects.store(data) if self.objects is not None else None
        except OSError as exc:
            return Written(True, tuple(created), f"cannot write: {exc.strerror or exc}")
        return Written(True, tuple(created), placed=placed)


@dataclass
class Pending:
    """The temporary files of one run's new scans, and the directories their writes created."""

    root: Path
    owner: int = field(default_factory=os.getpid)
    staged: set[str] = field(default_factory=set)  # destinations whose temporary file exists
    created: set[str] = field(default_factory=set)
    objects: BlobPacks | None = None  # where the writers store blobs
    placed: Placements = field(default_factory=Placements)

    def writer(self, objects: BlobPacks | None = None) -> Writer:
        self.objects = objects
        return Writer(self.root, self.owner, objects)

    def temp(self, relpath: str) -> Path:
        return temp_path(self.root / relpath, self.owner)

    def note(self, relpath: str, written: Written) -> Written:
        """Record what a writer did; ``written`` less where its blob went, to keep."""
        if written.staged:
            self.staged.add(relpath)
        self.created.update(written.created)
        if written.placed is None:
            return written
        self.placed.add(written.placed)
        return replace(written, placed=None)

    def seal(self) -> None:
        """Make the blobs stored so far part of the repository (``BlobPacks.seal``)."""
        if self.objects is not None and self.placed:
            self.objects.seal(self.placed)
        self.placed.clear()

    def drop(self, relpath: str) -> None:
        """Remove one temporary file that will not be renamed."""
        if relpath in self.staged:
            self.staged.discard(relpath)
            with contextlib.suppress(OSError):
                self.temp(relpath).unlink()

    def settled(self, relpaths: Iterable[str]) -> None:
        """Their temporary files became the destinations."""
        self.staged.difference_update(relpaths)

    def discard(self) -> None:
        """Remove every temporary file left (the temporary packs too) and each created
        directory left empty."""
        if self.objects is not None:
            self.objects.discard()
        self.placed.clear()
        for relpath in sorted(self.staged):
            self.drop(relpath)
        for directory in sorted(self.created, key=lambda d: d.count(os.sep), reverse=True):
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        self.created.clear()


def symlink_above(root: Path, relpath: str, seen: dict[str, bool]) -> str | None:
    """The first directory above ``relpath`` (below ``root``) that is a symbolic link; ``seen``
    remembers each directory looked at, so a batch looks at each once, not once per scan."""
    parts = relpath.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        directory = "/".join(parts[:depth])
        linked = seen.get(directory)
        if linked is None:
            linked = seen[directory] = (root / directory).is_symlink()
        if linked:
            return directory
    return None


def directories_of(root: Path, relpath: str) -> list[Path]:
    """Each directory from ``scans/`` down to the one holding ``relpath``."""
    parts = Path(relpath).parent.parts
    return [root.joinpath(*parts[: i + 1]) for i in range(len(parts))]
