"""Every change git recorded to the scans, paper by paper, from ONE ``git log --raw`` pass.

``git log --reverse --raw -z --no-renames -- scans/`` lists, oldest first, every commit that
changed a file below ``scans/`` together with each changed path's old and new blob ids, as
the commit differs from its parent. Entries are grouped by paper key, so a scan moved between
version directories (``scans/v3/...`` deleted, ``scans/v4/...`` added in one commit) is one
revision of one paper. Merge commits carry no entries (each change is counted at the commit that
made it), and paths outside the ``scans/v<N>/<shard>/<key>.json`` layout, symbolic links and
submodules are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scanrepo import keys
from scanrepo.gitrepo import GITLINK_MODE, SYMLINK_MODE, GitRepo
from scanrepo.problems import ScanRepoError

# Per commit: \x01, three NUL-terminated fields, then its raw entries ":meta\0path\0".
LOG_FORMAT = "%x01%H%x00%cI%x00%s%x00"
_FIELDS = 3
_NO_BLOB = "0" * 40


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # the committer date, ISO 8601
    subject: str


@dataclass(frozen=True)
class Copy:
    """A paper's scan file on one side of a commit."""

    path: str
    blob: str


@dataclass(frozen=True)
class Revision:
    """What one commit did to one paper's scan: its copy before (None: the commit added the
    scan) and after (None: the commit removed it)."""

    commit: Commit
    key: str
    old: Copy | None
    new: Copy | None


def _entries(raw: str) -> Iterator[tuple[str, str, str, str, str]]:
    """(old mode, new mode, old blob, new blob, path) of each ``:meta\\0path\\0`` entry."""
    parts = raw.split("\0")
    for meta, path in zip(parts[0::2], parts[1::2], strict=False):
        if not meta.startswith(":"):
            raise ScanRepoError(f"git log: unexpected raw entry {meta[:60]!r}")
        old_mode, new_mode, old_blob, new_blob, _status = meta[1:].split(" ")
        yield old_mode, new_mode, old_blob, new_blob, path


def _copy(mode: str, blob: str, path: str) -> Copy | None:
    if blob == _NO_BLOB or mode in (SYMLINK_MODE, GITLINK_MODE) or not blob:
        return None
    return Copy(path, blob)


def _newest(copies: list[Copy]) -> Copy | None:
    """The copy in the newest version directory (a paper normally has one)."""
    return max(copies, key=lambda c: _version(c.path), default=None)


def _version(path: str) -> int:
    where = keys.parse_scan_path(path)
    return where[0] if where else -1


def parse_log(out: str) -> Iterator[tuple[Commit, str]]:
    """(commit, its raw entries as ``--raw -z`` prints them) for each record of the output."""
    pos = 0
    while pos < len(out):
        if out[pos] != "\x01":
            raise ScanRepoError(f"git log: unexpected output at character {pos}")
        fields = []
        for _ in range(_FIELDS):
            end = out.find("\0", pos + 1)
            if end < 0:
                raise ScanRepoError("git log: truncated output")
            fields.append(out[pos + 1 : end])
            pos = end
        pos = _skip_separators(out, pos + 1)
        start = pos
        while out.startswith(":", pos):
            pos = out.index("\0", out.index("\0", pos) + 1) + 1
        yield Commit(*fields), out[start:pos]
        pos = _skip_separators(out, pos)


def _skip_separators(out: str, pos: int) -> int:
    """Past the NULs and newlines ``-z`` puts between a commit's header and its entries."""
    while pos < len(out) and out[pos] in "\0\n":
        pos += 1
    return pos


def revisions(repo: GitRepo, commit: str) -> Iterator[Revision]:
    """Every revision of every paper reachable from ``commit``, oldest commit first; the papers of
    one commit by key."""
    out = repo.run(
        "log",
        "--reverse",
        f"--format={LOG_FORMAT}",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        commit,
        "--",
        keys.SCANS_DIR + "/",
    )
    for info, raw in parse_log(out):
        olds: dict[str, list[Copy]] = {}
        news: dict[str, list[Copy]] = {}
        for old_mode, new_mode, old_blob, new_blob, path in _entries(raw) if raw else ():
            where = keys.parse_scan_path(path)
            if where is None:
                continue
            if old := _copy(old_mode, old_blob, path):
                olds.setdefault(where[2], []).append(old)
            if new := _copy(new_mode, new_blob, path):
                news.setdefault(where[2], []).append(new)
        for key in sorted(olds.keys() | news.keys()):
            yield Revision(info, key, _newest(olds.get(key, [])), _newest(news.get(key, [])))
