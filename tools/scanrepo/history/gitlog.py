"""Which commits changed which papers' scans: the one definition every history tool counts by,
read from ONE ``git log --raw`` pass.

A commit counts for a paper when its diff against its parent changes the paper's scan file.
The history is every commit reachable from the revision, without git's history simplification
(``--full-history``): a side branch whose changes a merge discarded is still history, and a
rescan made on it still counts. A merge counts only for the paths where its result differs from
every parent (git's combined diff, ``--diff-merges=combined``), that is for what was decided
while resolving it; what it took from one side is counted at the commit that made it. Such a
path is compared against the merge's first parent, and carries the other parents' copies.

``changes`` is that log for any paths (``history.paper_history`` reads one paper's for
``tools/log``); ``revisions`` groups it by paper key over the whole of ``scans/`` (``tools/stats
--stability``, ``tools/export --history``, ``tools/report``), so a scan moved between version
directories (``scans/v3/...`` deleted, ``scans/v4/...`` added in one commit) is one revision of
one paper. Paths outside the ``scans/v<N>/<shard>/<key>.json`` layout are left out, and
``revisions`` also leaves out symbolic links and submodules.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from scanrepo.diff import revisions as raw
from scanrepo.errors import ScanRepoError
from scanrepo.format import keys
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo

# A record per commit: \x01, five NUL-terminated fields, separators, then its raw entries
# ":meta\0path\0" (at a merge "::meta\0path\0", a colon per parent).
FORMAT = "%x01%H%x00%an%x00%ae%x00%aI%x00%s%x00"
FIELDS = 5
# git log's options for the commits that count (the module's docstring)
COUNTED = ("--full-history", "--diff-merges=combined")


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    date: str  # the author date, ISO 8601
    subject: str

    def to_json(self) -> dict[str, str]:
        return {
            "commit": self.sha,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
        }


@dataclass(frozen=True)
class PathChange:
    """One scan path a commit changed: its copy in the first parent (None: absent) and in the
    commit; at a merge, also its copy in each other parent."""

    key: str
    path: str
    old: raw.Copy | None
    new: raw.Copy | None
    others: tuple[raw.Copy | None, ...] = ()


Entry = tuple[str, str]  # a raw entry: its meta (":modes blobs status"), its path
Sides = list[tuple[str, str] | None]  # (mode, blob) on each side: each parent's, the commit's


def parse_log(fields: Iterable[str]) -> Iterator[CommitInfo | Entry]:
    """Each commit of a ``git log --format=FORMAT --raw -z`` output split at its NULs, followed
    by its raw entries, as the fields come."""
    rest = iter(fields)
    started = False
    for field in rest:
        # -z puts a NUL and a newline between a commit's header and its entries
        text = field.lstrip("\n")
        if not text:
            continue
        if text[0] == "\x01":
            header = [text[1:], *itertools.islice(rest, FIELDS - 1)]
            if len(header) < FIELDS:
                raise ScanRepoError("git log: the output ends inside a commit's header")
            started = True
            yield CommitInfo(*header)
        elif text[0] == ":" and started:
            path = next(rest, None)
            if path is None:
                raise ScanRepoError("git log: the output ends inside a raw entry")
            yield text, path
        else:
            raise ScanRepoError(f"git log: unexpected output {text[:60]!r}")


def by_commit(records: Iterable[CommitInfo | Entry]) -> Iterator[tuple[CommitInfo, list[Entry]]]:
    """``parse_log``'s records grouped: each commit with its raw entries."""
    info: CommitInfo | None = None
    entries: list[Entry] = []
    for record in records:
        if isinstance(record, CommitInfo):
            if info is not None:
                yield info, entries
            info, entries = record, []
        else:
            entries.append(record)
    if info is not None:
        yield info, entries


def raw_log(
    repo: GitRepo, commit: str, paths: Sequence[str], *options: str
) -> Iterator[CommitInfo | Entry]:
    """``parse_log`` of the ``git log --raw`` of ``paths`` from ``commit``, with ``options``,
    read from git as it writes it."""
    return parse_log(
        repo.fields(
            "log",
            *options,
            f"--format={FORMAT}",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            commit,
            "--",
            *paths,
        )
    )


def _scan_entry(meta: str, path: str) -> tuple[tuple[int, str, str], Sides] | None:
    """(version, shard, key) of a raw entry's scan path, and its sides: ``:old new old-blob
    new-blob status`` for a commit with one parent, ``::`` and a mode and blob per parent, then
    the result's, at a merge (an absent side: None); None for any other path."""
    parents = len(meta) - len(meta.lstrip(":"))
    where = keys.parse_scan_path(path)
    if not parents or where is None:
        return None
    words = meta[parents:].split(" ")
    modes, blobs = words[: parents + 1], words[parents + 1 : 2 * parents + 2]
    sides: Sides = [
        None if raw.NO_BLOB.fullmatch(mode) else (mode, blob)
        for mode, blob in zip(modes, blobs, strict=True)
    ]
    return where, sides


def parse_changes(entries: Iterable[Entry]) -> list[PathChange]:
    """The scan paths among a commit's raw entries."""
    found = []
    for meta, path in entries:
        if (entry := _scan_entry(meta, path)) is None:
            continue
        where, sides = entry
        copies = [None if side is None else raw.Copy(path, *side) for side in sides]
        found.append(PathChange(where[2], path, copies[0], copies[-1], tuple(copies[1:-1])))
    return found


def changes(
    repo: GitRepo, commit: str, paths: Sequence[str], *options: str
) -> Iterator[tuple[CommitInfo, list[PathChange]]]:
    """Every commit reachable from ``commit`` that counts for a scan below ``paths``, newest
    first (``--reverse``: oldest first), with the scan paths it changed."""
    for info, entries in by_commit(raw_log(repo, commit, paths, *COUNTED, *options)):
        if found := parse_changes(entries):
            yield info, found


def first_changes(
    repo: GitRepo, revs: Sequence[str], paths: Sequence[str], limit: int | None, *options: str
) -> list[tuple[CommitInfo, list[PathChange]]]:
    """``changes`` of the revisions ``revs`` (``A``, ``A..B``, ``^A B``, checked by the caller),
    newest first, the first ``limit`` of them only. git is asked for ``limit`` commits, and
    asked again for more when some of those it gave count for nothing (a merge that took one
    side's scan), so the cost grows with the commits shown, not with the history."""
    head, *rest = revs
    asked = limit
    while True:
        bound = () if asked is None else (f"--max-count={asked}",)
        records = list(by_commit(raw_log(repo, head, paths, *COUNTED, *bound, *options, *rest)))
        found = [
            (info, changed) for info, entries in records if (changed := parse_changes(entries))
        ]
        if asked is None or limit is None or len(found) >= limit or len(records) < asked:
            return found[:limit]
        asked *= 4


@dataclass(frozen=True, slots=True)
class Copy:
    """A paper's scan file on one side of a commit, ``<folder>/<key>.json`` (its folder
    ``scans/v<N>/<shard>``), and its blob id as bytes (``raw``): a history holds hundreds of
    thousands, and neither the path nor the id's hex form is kept."""

    folder: str
    key: str
    raw: bytes

    @classmethod
    def at(cls, path: str, key: str, blob: str) -> Copy:
        """The copy at ``path``, a scan path of paper ``key`` (``keys.parse_scan_path``), of
        the blob with the id ``blob``."""
        return cls(_folder(path, key), key, bytes.fromhex(blob))

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.key}.json"

    @property
    def blob(self) -> str:
        return self.raw.hex()


def _folder(path: str, key: str) -> str:
    folder = path[: -len(f"/{key}.json")]
    assert f"{folder}/{key}.json" == path, "a scan path ends in its key"
    return folder


@dataclass(frozen=True, slots=True)
class Revision:
    """What one commit did to one paper's scan: its copy before, in the first parent (None: the
    commit added the scan), and after (None: the commit removed it); at a merge, also its copy
    in each other parent."""

    commit: CommitInfo
    key: str
    old: Copy | None
    new: Copy | None
    others: tuple[Copy | None, ...] = ()


class _Papers:
    """The revisions of one commit at a time, from its scan paths' entries as they come (a
    paper's copy in the newest version directory on each side; a paper normally has one).

    A history holds hundreds of thousands of revisions, so they are kept small: the copy a
    revision leaves is the very object the paper's next revision starts from, and a key or a
    folder that recurs is one string."""

    def __init__(self) -> None:
        self.sides: dict[str, list[Copy | None]] = {}  # key -> its newest copy on each side
        self.latest: dict[str, Copy] = {}  # key -> the last copy made of its scan
        self.names: dict[str, str] = {}  # the keys and folders met so far

    def add(self, where: tuple[int, str, str], path: str, sides: Sides) -> None:
        version, _, key = where
        key = self.names.setdefault(key, key)
        found = self.sides.get(key)
        if found is None:
            found = self.sides[key] = [None] * len(sides)
        for i, side in enumerate(sides):
            if side is None or side[0] in (SYMLINK_MODE, GITLINK_MODE):
                continue
            best = found[i]
            if best is None or version > _version(best.path):
                found[i] = self._copy(key, _folder(path, key), side[1])

    def _copy(self, key: str, folder: str, blob: str) -> Copy:
        """The copy, the very one the paper's last revision has if it is that."""
        raw = bytes.fromhex(blob)
        last = self.latest.get(key)
        if last is not None and last.folder == folder and last.raw == raw:
            return last
        folder = self.names.setdefault(folder, folder)
        copy = self.latest[key] = Copy(folder, key, raw)
        return copy

    def revisions(self, info: CommitInfo) -> Iterator[Revision]:
        """The revision of each paper added since the last call, by key; none for only
        symbolic links or submodules."""
        sides, self.sides = self.sides, {}
        for key in sorted(sides):
            found = sides.pop(key)  # its memory is the next revision's (a commit may have 100,000)
            old, new = found[0], found[-1]
            if old is not None or new is not None:
                yield Revision(info, key, old, new, tuple(found[1:-1]))


def _version(path: str) -> int:
    where = keys.parse_scan_path(path)
    return where[0] if where else -1


def revisions(repo: GitRepo, commit: str) -> Iterator[Revision]:
    """Every revision of every paper reachable from ``commit``, oldest commit first; the papers of
    one commit by key. Read from git as it writes the log, one commit held at a time."""
    papers = _Papers()
    info: CommitInfo | None = None
    for record in raw_log(repo, commit, [keys.SCANS_DIR + "/"], *COUNTED, "--reverse"):
        if isinstance(record, CommitInfo):
            if info is not None:
                yield from papers.revisions(info)
            info = record
        elif (entry := _scan_entry(*record)) is not None:
            papers.add(entry[0], record[1], entry[1])
    if info is not None:
        yield from papers.revisions(info)


def by_paper(info: CommitInfo, found: Sequence[PathChange]) -> Iterator[Revision]:
    """The revision of each paper among one commit's changed paths, by key (a paper's copy in
    the newest version directory on each side); none for only symbolic links or submodules."""
    papers = _Papers()
    for change in found:
        where = keys.parse_scan_path(change.path)
        assert where is not None, "a PathChange is of a scan path"
        copies = (change.old, *change.others, change.new)
        papers.add(
            where,
            change.path,
            [None if c is None or c.blob is None else (c.mode, c.blob) for c in copies],
        )
    yield from papers.revisions(info)
