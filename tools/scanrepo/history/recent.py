"""The papers changed most recently, each with its semantic history: every commit that changed
its scan, compared by the semantic diff (``diff_papers``), newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanrepo.diff.changes import PaperDiff
from scanrepo.diff.compare import ScanSide, diff_papers
from scanrepo.history.gitlog import CommitInfo, Revision
from scanrepo.survey.corpus import Readers
from scanrepo.vcs.repo import GitRepo


@dataclass(frozen=True)
class Timeline:
    key: str
    title: str | None
    entries: list[tuple[CommitInfo, PaperDiff]]  # newest first


def recent_keys(revisions: Sequence[Revision], count: int) -> list[str]:
    """The keys of the ``count`` papers whose last revision is latest, latest first (the papers
    of one commit by key)."""
    commit_order: dict[str, int] = {}
    last: dict[str, int] = {}
    for revision in revisions:
        last[revision.key] = commit_order.setdefault(revision.commit.sha, len(commit_order))
    return sorted(last, key=lambda key: (-last[key], key))[:count]


def timelines(
    repo: GitRepo, revisions: Sequence[Revision], keys: Sequence[str], readers: Readers
) -> list[Timeline]:
    """The semantic history of each paper of ``keys``; their blobs are read in one batch."""
    wanted = set(keys)
    chosen = [r for r in revisions if r.key in wanted]
    blobs = {c.blob for r in chosen for c in (r.old, r.new) if c is not None}
    contents = dict(repo.read_blobs(sorted(blobs)))
    entries: dict[str, list[tuple[CommitInfo, PaperDiff]]] = {key: [] for key in keys}
    for revision in chosen:
        label = revision.commit.sha[:12]
        sides = [
            ScanSide(c.path, contents[c.blob], label) if c is not None else None
            for c in (revision.old, revision.new)
        ]
        diff = diff_papers(
            revision.key, sides[0], sides[1], readers.newest, readers.chain, readers.registry
        )
        entries[revision.key].append((revision.commit, diff))
    return [
        Timeline(
            key,
            next((d.title for _, d in reversed(entries[key]) if d.title), None),
            entries[key][::-1],
        )
        for key in keys
    ]
