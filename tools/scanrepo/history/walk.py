"""A walk through the history of every scan: each revision of each paper with the readings of
its two sides, oldest commit first.

The revisions come from one ``git log`` (``history.gitlog``). Each distinct blob is read once:
those not in the reading cache are fetched through ``git cat-file --batch``, in the order the
walk first needs them, read in worker processes (parse, validate, migrate to the
newest version, summarize) while the walk goes on, and stored in the cache as they come. The
walk keeps a blob's summary (``history.cache``) only while a later revision still needs it.

A revision is of one of these kinds:

``added``       the commit added the paper's scan (its first scan, or a scan after a removal)
``removed``     the commit removed it
``rescan``      both sides read, and they differ after migration to the newest version
``unchanged``   both sides read, and mean the same: a pure migration, a move, a reordering
``unreadable``  a side exists but cannot be read (syntax, schema or migration problem)

A revision's sides are the scan in the commit's first parent and in the commit. A merge has a
revision only where its scan differs from every parent's (``history.gitlog``); it is a rescan
where it also differs in meaning from every parent's, and an item counts as changed at it only
where its rating and source are no parent's: an item the merge took from another side is
counted at the commit that made it, so in the merge's ``before`` it already holds its new value.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Literal

from scanrepo.fs.workers import PARALLEL_THRESHOLD
from scanrepo.history.cache import (
    Content,
    Known,
    Layouts,
    Reading,
    ReadingCache,
    expand,
    fingerprint,
    read_all,
    reading_pool,
)
from scanrepo.history.gitlog import Copy, Revision, revisions
from scanrepo.problems import Problem
from scanrepo.survey.corpus import Readers
from scanrepo.vcs.cache_files import cache_directory
from scanrepo.vcs.repo import BlobReader, GitRepo

RevisionKind = Literal["added", "removed", "rescan", "unchanged", "unreadable"]
REVISION_KINDS: tuple[RevisionKind, ...] = (
    "added",
    "removed",
    "rescan",
    "unchanged",
    "unreadable",
)
Progress = Callable[[int, int], None] | None
_BATCH = 500
_SEGMENT = 1000


@dataclass(frozen=True)
class Step:
    revision: Revision
    kind: RevisionKind
    before: Reading | None
    after: Reading | None

    def problems(self) -> list[Problem]:
        """The problems of its unreadable sides, named ``<commit>:<path>``."""
        found = []
        for copy, reading in ((self.revision.old, self.before), (self.revision.new, self.after)):
            if copy is not None and reading is not None and reading.problem is not None:
                name = f"{self.revision.commit.sha[:12]}:{copy.path}"
                found.append(dataclasses.replace(reading.problem, file=name))
        return found


def kind_of(before: Reading | None, after: Reading | None) -> RevisionKind:
    if after is None:
        return "removed"
    if not after.readable or (before is not None and not before.readable):
        return "unreadable"
    if before is None:
        return "added"
    return "unchanged" if before.digest == after.digest else "rescan"


def merge_step(
    before: Reading, after: Reading, others: Sequence[Reading | None]
) -> tuple[RevisionKind, Reading]:
    """What a merge itself changed in a rescan of a paper against its first parent's reading
    ``before``, given the other parents' readings: the kind, and ``before`` with every item
    whose rating and source another parent had taken as merged (set to its value ``after``)."""
    sides = [r for r in others if r is not None and r.readable]
    if any(r.digest == after.digest for r in sides):
        return "unchanged", before
    answers = dict(before.answers)
    for where, new in after.answers.items():
        if where in answers and any(r.answers.get(where) == new for r in sides):
            answers[where] = new
    return "rescan", dataclasses.replace(before, answers=answers)


class History:
    """The revisions reachable from a commit, ready to walk; the blobs the cache lacks are read
    while walking."""

    def __init__(
        self,
        repo: GitRepo,
        readers: Readers,
        cache: ReadingCache,
        blobs: BlobReader,
        rev: str = "HEAD",
        progress: Progress = None,
        pool: ProcessPoolExecutor | None = None,
    ) -> None:
        self.repo = repo
        self.blob_reader = blobs
        self.readers = readers
        self.commit = repo.resolve(rev)
        self.cache = cache
        self.progress = progress
        self.pool = pool
        self.revisions = list(revisions(repo, self.commit))
        # for each revision, which of its copies (bit 0: old, 1: new, 2...: the others) are the
        # last use of their blob: the walk drops the blob's summary there
        self.last_uses: list[int] = []
        last: dict[bytes, Copy] = {}  # blob -> the copy of its last use
        for revision in reversed(self.revisions):
            mask = 0
            copies = _copies(revision)
            for i in range(len(copies) - 1, -1, -1):
                copy = copies[i]
                if copy is not None and copy.raw not in last:
                    last[copy.raw] = copy
                    mask |= 1 << i
            self.last_uses.append(mask)
        self.last_uses.reverse()
        self.blobs = len(last)
        # the blobs the cache lacks, in the order the walk first needs them, each with the path
        # of its last use
        cached = cache.known()
        self.missing: list[Copy] = []
        for revision in self.revisions:
            for copy in filter(None, _copies(revision)):
                found = last.pop(copy.raw, None)  # at the blob's first use
                if found is not None and copy.blob not in cached:
                    self.missing.append(found)
        self.cached = self.blobs - len(self.missing)

    @property
    def commits(self) -> int:
        return len({r.commit.sha for r in self.revisions})

    def _read_missing(
        self, layouts: Layouts, live: dict[bytes, bytes]
    ) -> Iterator[tuple[str, bytes]]:
        """(blob id, summary) of each blob the cache lacks, in the order the walk first needs
        them, stored in the cache as they come. A blob that a migration wrote is not read when
        the blob it was migrated from was read first (``cache.migrated_blob``): its summary
        waits in the walk's ``live`` summaries, where its first use finds it anyway."""
        ahead = _Ahead([copy.raw for copy in self.missing])

        def contents() -> Iterator[tuple[str, str, Content]]:
            # git is asked for a segment at a time, so that it is not asked for the blobs
            # already known by then
            for start in range(0, len(self.missing), _SEGMENT):
                segment = self.missing[start : start + _SEGMENT]
                for copy in segment:
                    ahead.hand(copy.raw)
                skipped = {c.raw: live[c.raw] for c in segment if c.raw in live}
                fetched = self.blob_reader.read(c.blob for c in segment if c.raw not in skipped)
                for copy in segment:
                    if copy.raw in skipped:
                        yield copy.blob, copy.path, Known(skipped[copy.raw])
                    else:
                        found, data = next(fetched)
                        assert found == copy.blob, "git answers in the order asked"
                        yield copy.blob, copy.path, data

        batch: list[tuple[str, bytes]] = []
        total = len(self.missing)
        rows = read_all(contents(), total, self.readers, layouts, self.pool)
        for done, (blob, summary, migrated) in enumerate(rows, 1):
            if migrated is not None and (upcoming := ahead.find(bytes.fromhex(migrated))):
                live[upcoming] = summary  # keyed by the history's own copy of the id
            batch.append((blob, summary))
            if len(batch) == _BATCH:
                self.cache.put_many(batch, layouts)
                batch = []
            if self.progress:
                self.progress(done, total)
            yield blob, summary
        self.cache.put_many(batch, layouts)

    def steps(self) -> Iterator[Step]:
        """Every revision, oldest commit first, with its readings.

        A blob's summary is kept only while a later revision still needs it, so memory holds
        about one summary per paper; the blobs the cache lacks are read (in worker processes)
        as the walk first needs them, in that order."""
        live: dict[bytes, bytes] = {}  # blob -> its summary
        layouts = self.cache.layouts()
        fresh = self._read_missing(layouts, live)
        missing = self.missing
        upcoming = 0  # where in ``missing`` the next blob read is

        def take(copy: Copy | None, last: bool) -> Reading | None:
            nonlocal upcoming
            if copy is None:
                return None
            raw = copy.raw
            data = live.get(raw)
            if upcoming < len(missing) and missing[upcoming].raw == raw:  # its first use
                upcoming += 1
                found, data = next(fresh)
                assert found == copy.blob, "blobs are read in the order the walk needs them"
            elif data is None:  # its first use, and the cache has it
                data = self.cache.get(copy.blob)
                assert data is not None, "a cached blob stays cached"
            if last:
                live.pop(raw, None)
            else:
                live[raw] = data
            return expand(data, layouts)

        for revision, last_uses in zip(self.revisions, self.last_uses, strict=True):
            before, after, *others = (
                take(copy, bool(last_uses >> i & 1)) for i, copy in enumerate(_copies(revision))
            )
            kind = kind_of(before, after)
            if others and kind == "rescan":
                assert before is not None and after is not None
                kind, before = merge_step(before, after, others)
            yield Step(revision, kind, before, after)
        for _ in fresh:  # none left; stores the last batch in the cache
            pass


class _Ahead:
    """The blobs to read that are not handed to the readers yet: sorted, with a mark for each
    one handed, a fifth of the memory of a set of them (a history has hundreds of thousands)."""

    def __init__(self, blobs: list[bytes]) -> None:
        self.blobs = sorted(blobs)
        self.handed = bytearray(len(self.blobs))

    def _index(self, blob: bytes) -> int | None:
        i = bisect.bisect_left(self.blobs, blob)
        return i if i < len(self.blobs) and self.blobs[i] == blob else None

    def hand(self, blob: bytes) -> None:
        i = self._index(blob)
        assert i is not None, "only a blob to read is handed"
        self.handed[i] = 1

    def find(self, blob: bytes) -> bytes | None:
        """The id, the very object the history holds, if the blob is still ahead."""
        i = self._index(blob)
        return None if i is None or self.handed[i] else self.blobs[i]


def _copies(revision: Revision) -> tuple[Copy | None, ...]:
    """Its copies in the order the walk reads them."""
    return (revision.old, revision.new, *revision.others)


@contextlib.contextmanager
def open_history(
    repo: GitRepo,
    readers: Readers,
    rev: str = "HEAD",
    *,
    cache: bool = True,
    progress: Progress = None,
    workers: int | None = None,
) -> Iterator[History]:
    """The history of ``rev``, its readings cached in the repository's git directory (shared by
    its worktrees), or for this run only when ``cache`` is False; walk it inside the block.

    With an empty cache every blob is to be read, and the worker processes start before the
    history is listed (while this process is small); otherwise only if enough blobs are new.
    The ``git cat-file`` that reads the blobs starts before the listing too."""
    workers = workers or os.cpu_count() or 1
    directory = cache_directory(repo) if cache else None
    with ReadingCache(directory, fingerprint(readers)) as readings, contextlib.ExitStack() as stack:
        pool = None
        if workers > 1 and readings.empty():
            pool = stack.enter_context(reading_pool(readers, workers))
        blobs = stack.enter_context(repo.blob_reader())
        history = History(repo, readers, readings, blobs, rev, progress, pool)
        if pool is None and workers > 1 and len(history.missing) >= PARALLEL_THRESHOLD:
            history.pool = stack.enter_context(reading_pool(readers, workers))
        yield history
