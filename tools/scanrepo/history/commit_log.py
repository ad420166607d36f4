"""The semantic log of a range of commits: each commit that counts (``history.gitlog``) with
what it changed in meaning, paper by paper, as ``tools/diff`` of the commit against its parent
shows it (scans paired by paper key, migrated in memory, a corrected key told as a rename).

The commits and the scan paths each changed come from one ``git log --raw``; only those blobs
are read, in one batch, so the cost grows with the commits and the scans they changed, not
with the corpus.

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

from scanrepo.diff.changes import DiffResult, PaperDiff
from scanrepo.diff.revisions import Copy, Pair, read_copies
from scanrepo.diff.tree import Contents, diff_pairs, paper_diff
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.history.gitlog import CommitInfo, PathChange
from scanrepo.migrate.chain import Chain
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


def merged_papers(
    changed: Sequence[PathChange],
    contents: Contents,
    registry: SchemaRegistry,
    chain: Chain,
    labels: tuple[str | None, str | None],
) -> list[PaperDiff]:
    """The diffs of the papers one commit changed; at a merge, only what it decided."""
    papers = diff_pairs(
        [Pair(c.path, c.old, c.new) for c in changed], contents, registry, chain, labels
    )
    parents = max((len(c.others) for c in changed), default=0)
    if not parents:
        return papers
    found = []
    for paper in papers:
        mine = [c for c in changed if c.key == paper.key]
        news = [c.new for c in mine if c.new]
        others = []
        for i in range(parents):
            olds = [o for c in mine if i < len(c.others) and (o := c.others[i])]
            if olds and news:
                others.append(paper_diff(paper.key, olds, news, contents, registry, chain))
        found.append(own_changes(paper, others))
    return found


def commit_log(
    repo: GitRepo,
    found: Sequence[tuple[CommitInfo, list[PathChange]]],
    registry: SchemaRegistry,
    chain: Chain,
) -> list[LoggedCommit]:
    """Each commit of ``found`` (``gitlog.first_changes``) with its semantic diff, in order;
    every blob read in one batch."""
    contents = read_copies(repo, [c for _, changed in found for ch in changed for c in _copies(ch)])
    logged = []
    for info, changed in found:
        short = info.sha[:12]
        papers = merged_papers(changed, contents, registry, chain, (f"{short}^", short))
        merge = any(c.others for c in changed)
        # a commit that counts lists its papers even when they read the same (a pure move)
        result = DiffResult(f"{short}^", short, sorted(papers, key=lambda p: p.key))
        logged.append(LoggedCommit(info, merge, result))
    return logged
