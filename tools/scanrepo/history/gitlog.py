"""Every change git recorded to the scans, paper by paper, from ONE ``git log --raw`` pass.

``git log --reverse --raw -z --no-renames -- scans/`` lists, oldest first, every commit that
changed a file below ``scans/`` together with each changed path's old and new blob ids, as
the commit differs from its parent (read by ``history.paper_history.raw_log`` and
``diff.revisions.parse_raw``). Entries are grouped by paper key, so a scan moved between version
directories (``scans/v3/...`` deleted, ``scans/v4/...`` added in one commit) is one revision of
one paper. Merge commits carry no entries (each change is counted at the commit that made it),
and paths outside the ``scans/v<N>/<shard>/<key>.json`` layout, symbolic links and submodules
are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scanrepo.diff import revisions as raw
from scanrepo.format import keys
from scanrepo.history.paper_history import CommitInfo, raw_log
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo


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
