"""The semantic log of a range of commits: each commit that counts (``history.gitlog``) with
what it changed in meaning, paper by paper, as ``tools/diff`` of the commit against its parent
shows it (scans paired by paper key, migrated in memory, a corrected key told as a rename).

The commits and the scan paths each changed come from one ``git log --raw``; only those blobs
are read, in one batch, so the cost grows with the commits and the scans they changed, not
with the corpus. The papers are compared in worker processes when there are enough of them.

A merge counts only for the papers whose scan differs from every parent's, and is compared with
its first parent, as everywhere. Of that comparison it keeps only what the merge decided: a
change whose result another parent already had (the merge took it from that side) is left out,
as it is shown at the commit on that side that made it (git's ``--cc`` drops such hunks in the
same way). A merge that only joined both sides' changes to a paper shows the paper with none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scanrepo.diff.changes import DiffResult, PaperDiff
from scanrepo.diff.revisions import Copy, Pair, read_copies
from scanrepo.diff.tree import Contents, paper_diff, paper_sides
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.fs.workers import chunked_map
from scanrepo.history.gitlog import CommitInfo, PathChange
from scanrepo.migrate.chain import Chain
from scanrepo.toolkit import Toolkit
from scanrepo.vcs.repo import GitRepo


@dataclass(frozen=True)
class LoggedCommit:
    commit: CommitInfo
    merge: bool
    result: DiffResult  # the papers it changed, by key

    @property
    def migration(self) -> bool:
        """Whether it only migrated scans (moving them too), changing nothing in meaning."""
        papers = self.result.papers
        return bool(papers) and all(p.status == "unchanged" and p.migrated for p in papers)

    @property
    def move(self) -> bool:
        """Whether it only moved scans, without migrating them or changing their meaning."""
        papers = self.result.papers
        return bool(papers) and all(
            p.status == "unchanged" and p.moved and not p.migrated for p in papers
        )


def own_changes(merged: PaperDiff, others: Sequence[PaperDiff]) -> PaperDiff:
    """The merge's diff of a paper against its first parent (``merged``), without the changes
    it took from another parent: those where that parent's scan, readable, already reads as the
    merge's (its diff ``others[i]`` to the merge changes nothing at the same place)."""
    taken = [
        {(c.kind, c.where) for c in other.changes}
        for other in others
        if other.status == "unchanged" or (other.status == "modified" and not other.problems)
    ]
    if not taken:
        return merged
    kept = [c for c in merged.changes if all((c.kind, c.where) in t for t in taken)]
    return dataclasses.replace(merged, changes=kept)


def _copies(change: PathChange) -> list[Copy]:
    return [c for c in (change.old, change.new, *change.others) if c is not None]


@dataclass(frozen=True)
class _Paper:
    """One paper of one commit, with what its diff needs: a unit of work for a worker."""

    key: str
    old_key: str | None
    olds: list[Copy]
    news: list[Copy]
    others: list[list[Copy]]  # its copies in each other parent of a merge
    contents: Contents
    labels: tuple[str | None, str | None]


Context = tuple[SchemaRegistry, Chain]


def _context_of(schema_dir: Path, migrations_dir: Path) -> Context:
    toolkit = Toolkit(schema_dir, migrations_dir)
    return toolkit.registry, toolkit.chain


def _diff(paper: _Paper, context: Context) -> PaperDiff:
    registry, chain = context
    args = (paper.contents, registry, chain)
    diff = paper_diff(paper.key, paper.olds, paper.news, *args, paper.labels)
    diff = dataclasses.replace(diff, old_key=paper.old_key)
    if not paper.others:
        return diff
    others = [paper_diff(paper.key, olds, paper.news, *args) for olds in paper.others if olds]
    return own_changes(diff, others)


def _papers(
    changed: Sequence[PathChange], contents: Contents, labels: tuple[str | None, str | None]
) -> list[_Paper]:
    """The papers one commit changed, each with the contents of its copies."""
    pairs = [Pair(c.path, c.old, c.new) for c in changed]
    parents = max((len(c.others) for c in changed), default=0)
    found = []
    for key, (olds, news, old_key) in sorted(paper_sides(pairs, contents).items()):
        mine = [c for c in changed if c.key == key]
        others = [
            [o for c in mine if i < len(c.others) and (o := c.others[i])] for i in range(parents)
        ]
        if not news:
            others = []
        used = [*olds, *news, *(c for side in others for c in side)]
        found.append(
            _Paper(key, old_key, olds, news, others, {c: contents[c] for c in used}, labels)
        )
    return found


def merged_papers(
    changed: Sequence[PathChange],
    contents: Contents,
    registry: SchemaRegistry,
    chain: Chain,
    labels: tuple[str | None, str | None],
) -> list[PaperDiff]:
    """The diffs of the papers one commit changed; at a merge, only what it decided."""
    return [_diff(paper, (registry, chain)) for paper in _papers(changed, contents, labels)]


def commit_log(
    repo: GitRepo,
    found: Sequence[tuple[CommitInfo, list[PathChange]]],
    toolkit: Toolkit,
    workers: int | None = None,
) -> list[LoggedCommit]:
    """Each commit of ``found`` (``gitlog.first_changes``) with its semantic diff, in order;
    every blob read in one batch, the papers compared in worker processes when there are
    enough of them."""
    contents = read_copies(repo, [c for _, changed in found for ch in changed for c in _copies(ch)])
    units: list[tuple[int, _Paper]] = []
    for index, (info, changed) in enumerate(found):
        short = info.sha[:12]
        units += [(index, p) for p in _papers(changed, contents, (f"{short}^", short))]
    del contents
    diffs = chunked_map(
        _diff,
        [paper for _, paper in units],
        (toolkit.registry, toolkit.chain),
        _context_of,
        (toolkit.schema_dir, toolkit.migrations_dir),
        workers,
    )
    by_commit: list[list[PaperDiff]] = [[] for _ in found]
    for (index, _), diff in zip(units, diffs, strict=True):
        by_commit[index].append(diff)
    return [
        # a commit that counts lists its papers even when they read the same (a pure move)
        LoggedCommit(
            info,
            any(c.others for c in changed),
            DiffResult(f"{info.sha[:12]}^", info.sha[:12], papers),
        )
        for (info, changed), papers in zip(found, by_commit, strict=True)
    ]
