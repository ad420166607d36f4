"""Every change git recorded to the scans, paper by paper, from ONE ``git log --raw`` pass.

``git log --reverse --raw -z --no-renames -- scans/`` lists, oldest first, every commit that
changed a file below ``scans/`` together with each changed path's old and new blob ids, as
the commit differs from its parent (read by ``raw_log``, which ``history.paper_history`` shares,
and ``diff.revisions.parse_raw``). Entries are grouped by paper key, so a scan moved between version
directories (``scans/v3/...`` deleted, ``scans/v4/...`` added in one commit) is one revision of
one paper. Merge commits carry no entries (each change is counted at the commit that made it),
and paths outside the ``scans/v<N>/<shard>/<key>.json`` layout, symbolic links and submodules
are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scanrepo.diff import revisions as raw
from scanrepo.errors import ScanRepoError
from scanrepo.format import keys
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo

# A record per commit: \x01, five NUL-terminated fields, separators, then its raw entries
# ":meta\0path\0".
FORMAT = "%x01%H%x00%an%x00%ae%x00%aI%x00%s%x00"
FIELDS = 5


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


@dataclass(frozen=True)
class Copy:
    """A paper's scan file on one side of a commit."""

    path: str
    blob: str


@dataclass(frozen=True)
class Revision:
    """What one commit did to one paper's scan: its copy before (None: the commit added the
    scan) and after (None: the commit removed it)."""

    commit: CommitInfo
    key: str
    old: Copy | None
    new: Copy | None


def _copy(found: raw.Copy | None) -> Copy | None:
    if found is None or found.blob is None or found.mode in (SYMLINK_MODE, GITLINK_MODE):
        return None
    return Copy(found.path, found.blob)


def _newest(copies: list[Copy]) -> Copy | None:
    """The copy in the newest version directory (a paper normally has one)."""
    return max(copies, key=lambda c: _version(c.path), default=None)


def _version(path: str) -> int:
    where = keys.parse_scan_path(path)
    return where[0] if where else -1


def revisions(repo: GitRepo, commit: str) -> Iterator[Revision]:
    """Every revision of every paper reachable from ``commit``, oldest commit first; the papers of
    one commit by key."""
    for info, entries in raw_log(repo, commit, [keys.SCANS_DIR + "/"], "--reverse"):
        olds: dict[str, list[Copy]] = {}
        news: dict[str, list[Copy]] = {}
        for pair in raw.parse_raw(entries, new_is_worktree=False):
            where = keys.parse_scan_path(pair.path)
            if where is None:
                continue
            if old := _copy(pair.old):
                olds.setdefault(where[2], []).append(old)
            if new := _copy(pair.new):
                news.setdefault(where[2], []).append(new)
        for key in sorted(olds.keys() | news.keys()):
            yield Revision(info, key, _newest(olds.get(key, [])), _newest(news.get(key, [])))
