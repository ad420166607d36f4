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


def parse_log(out: str) -> Iterator[tuple[CommitInfo, str]]:
    """(commit, its raw entries as ``--raw -z`` prints them) for each record of the output."""
    pos = 0
    while pos < len(out):
        if out[pos] != "\x01":
            raise ScanRepoError(f"git log: unexpected output at byte {pos}")
        pos += 1
        fields = []
        for _ in range(FIELDS):
            end = out.index("\0", pos)
            fields.append(out[pos:end])
            pos = end + 1
        pos = _skip_separators(out, pos)
        start = pos
        while out.startswith(":", pos):
            pos = out.index("\0", out.index("\0", pos) + 1) + 1
        yield CommitInfo(*fields), out[start:pos]
        pos = _skip_separators(out, pos)


def _skip_separators(out: str, pos: int) -> int:
    """Past the NUL and newline that ``-z`` puts between a commit's header and its entries."""
    while pos < len(out) and out[pos] in "\0\n":
        pos += 1
    return pos


def raw_log(
    repo: GitRepo, commit: str, paths: Sequence[str], *options: str
) -> Iterator[tuple[CommitInfo, str]]:
    """``parse_log`` of the ``git log --raw`` of ``paths`` from ``commit``, with ``options``."""
    out = repo.run(
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
    return parse_log(out)


def parse_changes(entries: str) -> list[PathChange]:
    """The scan paths of a commit's raw entries: ``:old new old-blob new-blob status`` for a
    commit with one parent, ``::`` and a mode and blob per parent, then the result's, at a
    merge."""
    fields = entries.split("\0")
    found = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        parents = len(meta) - len(meta.lstrip(":"))
        where = keys.parse_scan_path(path)
        if not parents or where is None:
            continue
        words = meta[parents:].split(" ")
        modes, blobs = words[: parents + 1], words[parents + 1 : 2 * parents + 2]
        copies = [
            None if raw.NO_BLOB.fullmatch(mode) else raw.Copy(path, mode, blob)
            for mode, blob in zip(modes, blobs, strict=True)
        ]
        found.append(PathChange(where[2], path, copies[0], copies[-1], tuple(copies[1:-1])))
    return found


def changes(
    repo: GitRepo, commit: str, paths: Sequence[str], *options: str
) -> Iterator[tuple[CommitInfo, list[PathChange]]]:
    """Every commit reachable from ``commit`` that counts for a scan below ``paths``, newest
    first (``--reverse``: oldest first), with the scan paths it changed."""
    for info, entries in raw_log(repo, commit, paths, *COUNTED, *options):
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
        records = list(raw_log(repo, head, paths, *COUNTED, *bound, *options, *rest))
        found = [
            (info, changed) for info, entries in records if (changed := parse_changes(entries))
        ]
        if asked is None or limit is None or len(found) >= limit or len(records) < asked:
            return found[:limit]
        asked *= 4


@dataclass(frozen=True)
class Copy:
    """A paper's scan file on one side of a commit."""

    path: str
    blob: str


@dataclass(frozen=True)
class Revision:
    """What one commit did to one paper's scan: its copy before, in the first parent (None: the
    commit added the scan), and after (None: the commit removed it); at a merge, also its copy
    in each other parent."""

    commit: CommitInfo
    key: str
    old: Copy | None
    new: Copy | None
    others: tuple[Copy | None, ...] = ()


def _newest(found: Iterable[raw.Copy | None]) -> Copy | None:
    """The regular file in the newest version directory (a paper normally has one)."""
    copies = [
        Copy(c.path, c.blob)
        for c in found
        if c is not None and c.blob is not None and c.mode not in (SYMLINK_MODE, GITLINK_MODE)
    ]
    return max(copies, key=lambda c: _version(c.path), default=None)


def _version(path: str) -> int:
    where = keys.parse_scan_path(path)
    return where[0] if where else -1


def revisions(repo: GitRepo, commit: str) -> Iterator[Revision]:
    """Every revision of every paper reachable from ``commit``, oldest commit first; the papers of
    one commit by key."""
    for info, found in changes(repo, commit, [keys.SCANS_DIR + "/"], "--reverse"):
        yield from by_paper(info, found)


def by_paper(info: CommitInfo, found: Sequence[PathChange]) -> Iterator[Revision]:
    """The revision of each paper among one commit's changed paths, by key (a paper's copy in
    the newest version directory on each side); none for only symbolic links or submodules."""
    by_key: dict[str, list[PathChange]] = {}
    for change in found:
        by_key.setdefault(change.key, []).append(change)
    for key in sorted(by_key):
        group = by_key[key]
        old, new = _newest(c.old for c in group), _newest(c.new for c in group)
        if old is None and new is None:
            continue
        others = tuple(_newest(c.others[i] for c in group) for i in range(len(group[0].others)))
        yield Revision(info, key, old, new, others)
