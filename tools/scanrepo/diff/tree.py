"""The semantic diff between two sides of the repository: changed scans paired by paper key.

A scan that moved (``scans/v3/...`` to ``scans/v4/...``) shows in git as one path deleted and
another added; both carry the same paper key, so they are compared as one paper. A paper whose
key changed (its arXiv id corrected) is removed under one key and added under another; when
the two scans name the same paper (the same title and authors, compared with case and spacing
normalised) and no other scan on either side does, they are compared as one paper, renamed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from scanrepo.diff.changes import DiffResult, PaperDiff
from scanrepo.diff.compare import ScanSide, diff_papers
from scanrepo.diff.comparisons import BlobPair, ComparisonCache, KeptComparison
from scanrepo.diff.revisions import (
    Copy,
    CopyContents,
    Pair,
    PathFilter,
    Range,
    changed_pairs,
    read_copies,
)
from scanrepo.errors import JsonSyntaxError
from scanrepo.format import keys
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import parse_strict
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import check_scan, stray_problem
from scanrepo.vcs.cache_files import cache_directory
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo


@dataclass
class RangeDiff:
    """The papers that differ, and what validation says of the new side of each changed scan."""

    result: DiffResult
    problems: list[Problem]

    @property
    def changed(self) -> bool:
        """Whether anything differs in meaning, or could not be compared (git's exit code 1)."""
        return bool(self.problems) or any(
            paper.status != "unchanged" or paper.problems for paper in self.result.papers
        )


def diff_range(
    repo: GitRepo,
    rng: Range,
    toolkit: Toolkit,
    paths: PathFilter | None = None,
    validate: bool = False,
    cache: bool = True,
) -> RangeDiff:
    """Compare every changed scan between the two sides; with ``validate``, check the new side.
    A paper whose two blobs were compared before (``cache``) is not read again."""
    pairs = _selected(changed_pairs(repo, rng), paths)
    sides = by_paper(pairs)
    directory = cache_directory(repo) if cache else None
    with ComparisonCache(directory, toolkit.fingerprint()) as comparisons:
        blob_pairs = {key: found for key, copies in sides.items() if (found := _blob_pair(*copies))}
        compared = comparisons.get_many(dict.fromkeys(blob_pairs.values()))
        known = {
            key: _known(key, *sides[key], compared[found])
            for key, found in blob_pairs.items()
            if found in compared
        }
        settled = {c for key in known for c in (*sides[key][0], *sides[key][1])}
        # Read in the order compared, so git reads ahead while each paper is compared.
        ordered = [c for olds, news in sides.values() for c in (*olds, *news)]
        ordered += [c for pair in pairs for c in (pair.old, pair.new) if c]
        needed = {pair.new for pair in pairs if pair.new} if validate else set()
        # Problems of the old side name its commit; the new side's are what a reviewer fixes.
        old_label = rng.old.commit[:12] if rng.old.commit else None
        to_read = [c for c in ordered if c not in settled or c in needed]
        with read_copies(repo, to_read) as contents:
            registry, chain = toolkit.registry, toolkit.chain
            papers = diff_pairs(pairs, contents, registry, chain, (old_label, None), known)
            problems = _validate(pairs, contents, registry, papers) if validate else []
        comparisons.put_many(
            (blob_pairs[paper.key], made)
            for paper in papers
            if paper.key in blob_pairs and paper.key not in known and (made := _made(paper))
        )
    result = DiffResult.of(rng.old.label, rng.new.label, papers)
    return RangeDiff(result, problems)


def _blob_pair(olds: list[Copy], news: list[Copy]) -> BlobPair | None:
    """The two blobs of a paper with one scan in git on each side, which a cached comparison
    may stand for."""
    if len(olds) != 1 or len(news) != 1:
        return None
    old, new = olds[0].blob, news[0].blob
    if old is None or new is None or any(_not_a_file(c) for c in (olds[0], news[0])):
        return None
    return old, new


def _not_a_file(copy: Copy) -> bool:
    return copy.unmerged or copy.mode in (SYMLINK_MODE, GITLINK_MODE)


def _known(key: str, olds: list[Copy], news: list[Copy], compared: KeptComparison) -> PaperDiff:
    return PaperDiff(
        key=key,
        status="modified" if compared.changes else "unchanged",
        old_path=olds[0].path,
        new_path=news[0].path,
        old_version=compared.old_version,
        new_version=compared.new_version,
        changes=compared.changes,
        title=compared.title,
    )


def _made(paper: PaperDiff) -> KeptComparison | None:
    """What a comparison made afresh keeps: nothing when it found a problem."""
    if paper.problems or paper.old_version is None or paper.new_version is None:
        return None
    return KeptComparison(paper.old_version, paper.new_version, paper.title, paper.changes)


def by_paper(pairs: list[Pair]) -> dict[str, tuple[list[Copy], list[Copy]]]:
    """Each paper's copies on the old and the new side, by paper key."""
    found: dict[str, tuple[list[Copy], list[Copy]]] = {}
    for pair in pairs:
        where = keys.parse_scan_path(pair.path)
        if where is not None:
            olds, news = found.setdefault(where[2], ([], []))
            olds.extend([pair.old] if pair.old else [])
            news.extend([pair.new] if pair.new else [])
    return found


def paper_sides(
    pairs: list[Pair], contents: CopyContents
) -> dict[str, tuple[list[Copy], list[Copy], str | None]]:
    """Each paper's copies on the old and the new side, and its old key when it was renamed
    (a removed and an added key of the same paper paired as one paper)."""
    found = by_paper(pairs)
    renames = _renames(found, contents)
    for old_key, new_key in renames.items():
        found[new_key] = (found.pop(old_key)[0], found[new_key][1])
    old_keys = {new: old for old, new in renames.items()}
    return {key: (olds, news, old_keys.get(key)) for key, (olds, news) in found.items()}


def diff_pairs(
    pairs: list[Pair],
    contents: CopyContents,
    registry: SchemaRegistry,
    chain: Chain,
    labels: tuple[str | None, str | None] = (None, None),
    known: Mapping[str, PaperDiff] | None = None,
) -> list[PaperDiff]:
    """The diff of each paper the changed ``pairs`` hold (their ``contents`` read), but for
    the papers whose diff is ``known``."""
    known = known or {}
    return [
        known[key]
        if key in known
        else replace(
            paper_diff(key, olds, news, contents, registry, chain, labels),
            old_key=old_key,
        )
        for key, (olds, news, old_key) in paper_sides(pairs, contents).items()
    ]


def _identity(copies: list[Copy], contents: CopyContents) -> tuple[str, tuple[str, ...]] | None:
    """The paper a side's scan names: its normalised title and authors, when it has both."""
    copy = _newest(copies)
    data = contents[copy] if copy is not None else None
    if not isinstance(data, bytes):
        return None
    try:
        paper = keys.paper_of(parse_strict(data))
    except JsonSyntaxError:
        return None
    title, authors = paper.get("title"), paper.get("authors")
    if not isinstance(title, str) or not title.strip() or not isinstance(authors, list):
        return None
    if not authors or not all(isinstance(a, str) for a in authors):
        return None
    return _normalised(title), tuple(_normalised(a) for a in authors)


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _renames(
    by_key: dict[str, tuple[list[Copy], list[Copy]]], contents: CopyContents
) -> dict[str, str]:
    """Old key -> new key of each paper removed under one key and added under another."""
    removed: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    added: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for key, (olds, news) in by_key.items():
        side, copies = (removed, olds) if not news else (added, news) if not olds else (None, [])
        if side is not None and (identity := _identity(copies, contents)) is not None:
            side.setdefault(identity, []).append(key)
    return {
        gone[0]: came[0]
        for identity, gone in removed.items()
        if len(gone) == 1 and len(came := added.get(identity, [])) == 1
    }


def _selected(pairs: list[Pair], paths: PathFilter | None) -> list[Pair]:
    """The pairs ``paths`` selects; a paper is selected whole, whichever of its paths matched."""
    if paths is None:
        return pairs
    chosen = {keys.parse_scan_path(pair.path) for pair in pairs if paths.wants(pair.path)}
    chosen_keys = {where[2] for where in chosen if where}
    return [
        pair
        for pair in pairs
        if paths.wants(pair.path)
        or ((where := keys.parse_scan_path(pair.path)) is not None and where[2] in chosen_keys)
    ]


def _version(copy: Copy | None) -> int | None:
    where = keys.parse_scan_path(copy.path) if copy else None
    return where[0] if where else None


def _newest(copies: list[Copy]) -> Copy | None:
    """The copy in the newest version directory: the one a duplicate's reader would keep."""
    return max(copies, key=lambda c: (_version(c) or 0, c.path), default=None)


def _duplicates(key: str, copies: list[Copy]) -> list[Problem]:
    if len(copies) < 2:
        return []
    paths = ", ".join(c.path for c in copies)
    return [
        Problem(c.path, None, None, "$", f"paper {key} has more than one scan ({paths})", "layout")
        for c in copies
    ]


def paper_diff(
    key: str,
    olds: list[Copy],
    news: list[Copy],
    contents: CopyContents,
    registry: SchemaRegistry,
    chain: Chain,
    labels: tuple[str | None, str | None] = (None, None),
) -> PaperDiff:
    """One paper's diff from its copies on each side (a duplicate keeps the newest version);
    ``labels`` prefix the file names in each side's problems (``HEAD~1:scans/...``)."""
    old, new = _newest(olds), _newest(news)
    unreadable = [
        replace(p, file=f"{label}:{p.file}") if label else p
        for c, label in ((old, labels[0]), (new, labels[1]))
        if c and isinstance(p := contents[c], Problem)
    ]
    if unreadable:
        status: Literal["added", "removed", "modified"] = (
            "added" if old is None else "removed" if new is None else "modified"
        )
        return PaperDiff(
            key=key,
            status=status,
            old_path=old.path if old else None,
            new_path=new.path if new else None,
            old_version=_version(old),
            new_version=_version(new),
            changes=[],
            problems=unreadable + _duplicates(key, news),
        )
    paper = diff_papers(
        key,
        _side(old, contents, labels[0]),
        _side(new, contents, labels[1]),
        registry.newest,
        chain,
        registry,
    )
    duplicates = _duplicates(key, news)
    return replace(paper, problems=[*paper.problems, *duplicates]) if duplicates else paper


def _side(copy: Copy | None, contents: CopyContents, label: str | None) -> ScanSide | None:
    if copy is None:
        return None
    data = contents[copy]
    assert isinstance(data, bytes)
    return ScanSide(copy.path, data, label)


def _validate(
    pairs: list[Pair], contents: CopyContents, registry: SchemaRegistry, papers: list[PaperDiff]
) -> list[Problem]:
    """Validation problems of each changed path's new side not already told by the diff."""
    told = {problem for paper in papers for problem in paper.problems}
    found: list[Problem] = []
    for pair in pairs:
        if pair.new is None:
            continue
        data = contents[pair.new]
        if isinstance(data, Problem):
            found.append(data)
        elif pair.path.endswith(".json"):
            found.extend(check_scan(data, pair.path, pair.path, registry).problems)
        elif stray := stray_problem(pair.path, pair.path):
            found.append(stray)
    return [problem for problem in found if problem not in told]
