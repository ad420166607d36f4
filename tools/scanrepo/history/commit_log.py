"""The semantic log of a range of commits: each commit that counts (``history.gitlog``) with
what it changed in meaning, paper by paper, as ``tools/diff`` of the commit against its parent
shows it (scans paired by paper key, migrated in memory, a corrected key told as a rename).

The commits and the scan paths each changed come from one ``git log --raw``; only those blobs
are read, by one ``git cat-file --batch``, so the cost grows with the commits and the scans they
changed, not with the corpus. Each blob is read when its commit comes and dropped after its last
use, and the papers are compared in worker processes as they come (when there are enough of
them), so memory holds the scans of a few commits.

A merge counts only for the papers whose scan differs from every parent's, and is compared with
its first parent, as everywhere. Of that comparison it keeps only what the merge decided: a
change whose result another parent already had (the merge took it from that side) is left out,
as it is shown at the commit on that side that made it (git's ``--cc`` drops such hunks in the
same way). A merge that only joined both sides' changes to a paper shows the paper with none.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanrepo.diff.changes import DiffResult, PaperDiff
from scanrepo.diff.revisions import Copy, CopyContents, Pair, read_copies
from scanrepo.diff.tree import paper_diff, paper_sides
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.fs.workers import chunked_imap
from scanrepo.history.gitlog import CommitInfo, PathChange
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import too_large
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo


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
    contents: CopyContents
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


def _diff_of(unit: tuple[int, _Paper], context: Context) -> tuple[int, PaperDiff]:
    return unit[0], _diff(unit[1], context)


def _papers(
    changed: Sequence[PathChange], contents: CopyContents, labels: tuple[str | None, str | None]
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
    contents: CopyContents,
    registry: SchemaRegistry,
    chain: Chain,
    labels: tuple[str | None, str | None],
) -> list[PaperDiff]:
    """The diffs of the papers one commit changed; at a merge, only what it decided."""
    return [_diff(paper, (registry, chain)) for paper in _papers(changed, contents, labels)]


class _Blobs:
    """The contents of the copies of a run of commits from one ``git cat-file --batch``,
    each blob read when first needed and dropped after its last use, so that memory holds the
    scans of a few commits, not of the whole range."""

    def __init__(self, repo: GitRepo, copies: Sequence[Copy]) -> None:
        special = {c for c in copies if c.mode in (SYMLINK_MODE, GITLINK_MODE)}
        regular = [c for c in copies if c not in special]
        self.special = read_copies(repo, special)
        self.uses = Counter(c.blob for c in regular)
        order = list(dict.fromkeys(c.blob for c in regular if c.blob))
        self.sizes = repo.blob_sizes(order)
        self.stream = repo.read_blobs([b for b in order if self.sizes[b] <= MAX_BYTES])
        self.live: dict[str, bytes] = {}

    def contents(self, copies: Sequence[Copy]) -> CopyContents:
        found: dict[Copy, bytes | Problem] = {}
        for copy in copies:
            if copy in self.special:
                found[copy] = self.special[copy]
            elif copy.blob is None or self.sizes[copy.blob] > MAX_BYTES:
                found[copy] = too_large(copy.path, self.sizes.get(copy.blob or "", 0))
            else:
                while copy.blob not in self.live:
                    blob, data = next(self.stream)
                    self.live[blob] = data
                found[copy] = self.live[copy.blob]
        return found

    def done(self, copies: Sequence[Copy]) -> None:
        for copy in copies:
            if copy.blob in self.live:
                self.uses[copy.blob] -= 1
                if not self.uses[copy.blob]:
                    del self.live[copy.blob]


def commit_log(
    repo: GitRepo,
    found: Sequence[tuple[CommitInfo, list[PathChange]]],
    toolkit: Toolkit,
    workers: int | None = None,
) -> list[LoggedCommit]:
    """Each commit of ``found`` (``gitlog.first_changes``) with its semantic diff, in order;
    every blob read once, by one ``git cat-file --batch``, as the commits need them, the papers
    compared in worker processes when there are enough of them."""
    copies = [[c for ch in changed for c in _copies(ch)] for _, changed in found]
    blobs = _Blobs(repo, [c for mine in copies for c in mine])

    def papers() -> Iterator[tuple[int, _Paper]]:
        for index, ((info, changed), mine) in enumerate(zip(found, copies, strict=True)):
            short = info.sha[:12]
            for paper in _papers(changed, blobs.contents(mine), (f"{short}^", short)):
                yield index, paper
            blobs.done(mine)

    by_commit: list[list[PaperDiff]] = [[] for _ in found]
    for index, diff in chunked_imap(
        _diff_of,
        papers(),
        (toolkit.registry, toolkit.chain),
        _context_of,
        (toolkit.schema_dir, toolkit.migrations_dir),
        workers,
    ):
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
