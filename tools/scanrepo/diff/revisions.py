"""Which two states of the repository a diff compares, and which scans differ between them.

A side is a commit, git's index or the work tree. The old side of a comparison is always a
commit (the empty tree before the first commit); the new side is any of the three, as in
``git diff``. Changed paths come from one ``git diff-tree`` or ``git diff-index`` over
``scans/``, so the cost grows with the number of changed scans, not the size of the corpus,
and their contents are read in one batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scanrepo.errors import ScanRepoError, UnknownRevisionError
from scanrepo.format import keys
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.problems import Problem
from scanrepo.validate.checks import read_scan_file, too_large, walk_scans
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo, check_revision_argument

Kind = Literal["commit", "index", "worktree"]
UNMERGED = "U"
NO_BLOB = re.compile(r"0+")


@dataclass(frozen=True)
class Side:
    """One state of the repository; ``commit`` is None for the empty tree before any commit."""

    kind: Kind
    label: str
    commit: str | None = None


@dataclass(frozen=True)
class Range:
    old: Side
    new: Side

    def __iter__(self) -> Iterator[Side]:
        return iter((self.old, self.new))


@dataclass(frozen=True)
class Copy:
    """One side's copy of a path: its blob, or None where the work tree file holds it."""

    path: str
    mode: str
    blob: str | None
    unmerged: bool = False


@dataclass(frozen=True)
class Pair:
    """A path that differs between the two sides, with each side's copy (None: absent)."""

    path: str
    old: Copy | None
    new: Copy | None


@dataclass(frozen=True)
class PathFilter:
    """What ``-- PATHS`` selects: whole papers by key, and path prefixes."""

    keys: frozenset[str]
    prefixes: tuple[str, ...]

    def wants(self, path: str) -> bool:
        where = keys.parse_scan_path(path)
        if where is not None and where[2] in self.keys:
            return True
        return any(
            not prefix or path == prefix or path.startswith(prefix + "/")
            for prefix in self.prefixes
        )


def split_arguments(repo: GitRepo, args: Sequence[str], cwd: Path) -> tuple[list[str], list[str]]:
    """Revisions, then paths, as git reads ``git diff A B PATH``: the first argument that is no
    revision but a paper key or an existing path starts the paths. Options are never accepted."""
    for i, arg in enumerate(args):
        check_revision_argument(arg)
        if ".." in arg:
            continue
        try:
            repo.resolve(arg)
        except UnknownRevisionError:
            if keys.normalise_key_argument(arg) is None and not (cwd / arg).exists():
                why = repo.missing_history()
                raise ScanRepoError(
                    f"{arg!r} is neither a revision nor a paper key or path "
                    "(separate paths from revisions with '--')" + (f"; {why}" if why else "")
                ) from None
            return list(args[:i]), list(args[i:])
    return list(args), []


def path_filter(repo: GitRepo, args: Sequence[str], cwd: Path) -> PathFilter | None:
    """The filter of ``-- PATHS``: paper keys, or paths (relative to ``cwd``) in the repository.

    A path to a scan selects its paper, so a scan that moved between version directories is
    found on both sides.
    """
    if not args:
        return None
    found_keys: set[str] = set()
    prefixes: list[str] = []
    root = repo.root.resolve()
    for arg in args:
        key = keys.normalise_key_argument(arg)
        if key is not None and not (cwd / arg).exists():
            found_keys.add(key)
            continue
        try:
            rel = (cwd / arg).resolve().relative_to(root).as_posix()
        except ValueError:
            raise ScanRepoError(f"{arg}: outside the repository {root}") from None
        rel = "" if rel == "." else rel
        if where := keys.parse_scan_path(rel):
            found_keys.add(where[2])
        prefixes.append(rel)
    return PathFilter(frozenset(found_keys), tuple(prefixes))


def check_named(
    repo: GitRepo, rng: Range, args: Sequence[str], cwd: Path, changed: Iterable[str]
) -> None:
    """Refuse an argument of ``-- PATH|KEY`` that names no scan in either compared state and
    no path of the work tree (a mistyped paper key), naming the closest paper keys. One that
    names scans without changes is no error. ``changed`` are the paths that differ."""
    changed = list(changed)
    listing: list[str] | None = None
    for arg in args:
        one = path_filter(repo, [arg], cwd)
        if one is None or (cwd / arg).exists() or any(map(one.wants, changed)):
            continue
        if listing is None:
            listing = [*scan_paths(repo, rng.old), *scan_paths(repo, rng.new)]
        if not any(map(one.wants, listing)):
            where = " or ".join(s.label if s.kind == "commit" else f"the {s.label}" for s in rng)
            raise keys.unknown_paper(arg, f"in {where}", keys.keys_of(listing))


def scan_paths(repo: GitRepo, side: Side) -> list[str]:
    """Every path below scans/ in one state of the repository."""
    if side.kind == "worktree":
        return [rel for rel, _ in walk_scans(repo.root)]
    if side.kind == "index":
        return [entry.path for entry in repo.index_entries()]
    return [entry.path for entry in repo.tree_entries(side.commit)] if side.commit else []


def _commit_side(repo: GitRepo, rev: str) -> Side:
    return Side("commit", rev, repo.resolve(rev))


def _head_side(repo: GitRepo) -> Side:
    return _commit_side(repo, "HEAD") if repo.has_commits() else Side("commit", "(no commits)")


def parse_range(repo: GitRepo, revs: Sequence[str], staged: bool = False) -> Range:
    """The two sides named by git's forms: (nothing), REV, A B, A..B and A...B, with --staged."""
    for rev in revs:
        check_revision_argument(rev)
    new_default = Side("index", "index") if staged else Side("worktree", "working tree")
    if not revs:
        return Range(_head_side(repo), new_default)
    if len(revs) == 1 and "..." in revs[0]:
        if staged:
            raise ScanRepoError("--staged compares the index with one commit, not A...B")
        a, b = (part or "HEAD" for part in revs[0].split("...", 1))
        old, new = _commit_side(repo, a), _commit_side(repo, b)
        assert old.commit is not None and new.commit is not None
        base = merge_base(repo, old.commit, new.commit)
        if base is None:
            why = repo.missing_history()
            raise ScanRepoError(
                f"{a} and {b} have no common ancestor" + (f" here; {why}" if why else "")
            )
        return Range(Side("commit", f"merge base of {a} and {b}", base), new)
    if len(revs) == 1 and ".." in revs[0]:
        if staged:
            raise ScanRepoError("--staged compares the index with one commit, not A..B")
        a, b = (part or "HEAD" for part in revs[0].split("..", 1))
        return Range(_commit_side(repo, a), _commit_side(repo, b))
    if len(revs) == 1:
        return Range(_commit_side(repo, revs[0]), new_default)
    if len(revs) == 2 and not staged and not any(".." in rev for rev in revs):
        return Range(_commit_side(repo, revs[0]), _commit_side(repo, revs[1]))
    raise ScanRepoError(
        "give at most two revisions: (none), REV, A B, A..B or A...B (--staged with at most one)"
    )


def merge_base(repo: GitRepo, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None where the histories are unrelated."""
    try:
        out = repo.run("merge-base", a, b).strip()
    except ScanRepoError:
        return None
    return out or None


def _empty_tree(repo: GitRepo) -> str:
    return repo.run("hash-object", "-t", "tree", "/dev/null").strip()


def parse_raw(out: str, new_is_worktree: bool) -> list[Pair]:
    """``--raw -z`` records (``:mode mode blob blob status NUL path NUL``) as pairs."""
    fields = out.split("\0")
    pairs = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(":"):
            continue
        old_mode, new_mode, old_blob, new_blob, status = meta[1:].split(" ")
        pairs.append(_pair(path, old_mode, new_mode, old_blob, new_blob, status, new_is_worktree))
    return pairs


def _pair(
    path: str,
    old_mode: str,
    new_mode: str,
    old_blob: str,
    new_blob: str,
    status: str,
    new_is_worktree: bool,
) -> Pair:
    old = None if NO_BLOB.fullmatch(old_mode) else Copy(path, old_mode, old_blob)
    if status == UNMERGED:
        new: Copy | None = Copy(path, new_mode, None, unmerged=not new_is_worktree)
    elif NO_BLOB.fullmatch(new_mode):
        new = None
    else:
        worktree_copy = new_is_worktree or NO_BLOB.fullmatch(new_blob)
        new = Copy(path, new_mode, None if worktree_copy else new_blob)
    return Pair(path, old, new)


def changed_pairs(repo: GitRepo, rng: Range) -> list[Pair]:
    """Every path below scans/ that differs between the two sides, sorted by path."""
    old = rng.old.commit or _empty_tree(repo)
    common = ("-z", "--no-renames")
    if rng.new.kind == "commit":
        assert rng.new.commit is not None
        out = repo.run("diff-tree", "-r", *common, old, rng.new.commit, "--", keys.SCANS_DIR)
        pairs = parse_raw(out, new_is_worktree=False)
    elif rng.new.kind == "index":
        out = repo.run("diff-index", "--cached", *common, old, "--", keys.SCANS_DIR)
        pairs = parse_raw(out, new_is_worktree=False)
    else:
        out = repo.run("diff-index", *common, old, "--", keys.SCANS_DIR)
        pairs = parse_raw(out, new_is_worktree=True)
        untracked = repo.run(
            "ls-files", "--others", "--exclude-standard", "-z", "--", keys.SCANS_DIR
        )
        pairs += [Pair(p, None, Copy(p, "100644", None)) for p in untracked.split("\0") if p]
    return sorted(pairs, key=lambda pair: pair.path)


# What a diff reads its scans from: each copy's content, or the problem that stops reading it.
CopyContents = Mapping[Copy, "bytes | Problem"]


class Contents(CopyContents):
    """The content of each copy, or the one problem that stops reading it. Blobs come from
    one ``git cat-file --batch``, in the order the copies were given, and are read as they are
    first asked for: git reads ahead while the caller works on those before. ``close`` ends
    git's process (a ``with`` block does)."""

    def __init__(
        self,
        copies: list[Copy],
        known: dict[Copy, bytes | Problem],
        stream: Iterator[tuple[str, bytes]],
    ) -> None:
        self._copies = copies
        self._known = known
        self._stream = stream
        self._blobs: dict[str, bytes] = {}

    def __getitem__(self, copy: Copy) -> bytes | Problem:
        found = self._known.get(copy)
        if found is not None:
            return found
        if copy.blob is None:
            raise KeyError(copy)
        while copy.blob not in self._blobs:
            try:
                blob, data = next(self._stream)
            except StopIteration:
                raise KeyError(copy) from None  # a copy read_copies was not given
            self._blobs[blob] = data
        return self._blobs[copy.blob]

    def __iter__(self) -> Iterator[Copy]:
        return iter(self._copies)

    def __len__(self) -> int:
        return len(self._copies)

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Contents:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_copies(repo: GitRepo, copies: Iterable[Copy]) -> Contents:
    """The content of each copy, or the one problem that stops reading it; blobs in one batch,
    in the order given, those over the size limit refused from their size alone."""
    copies = list(dict.fromkeys(copies))
    known: dict[Copy, bytes | Problem] = {}
    from_git: list[Copy] = []
    for copy in copies:
        if copy.unmerged:
            known[copy] = _problem(copy.path, "unmerged: resolve the merge conflict first")
        elif copy.mode == GITLINK_MODE:
            known[copy] = _problem(copy.path, "is a submodule, not a scan file")
        elif copy.mode == SYMLINK_MODE:
            known[copy] = _problem(copy.path, "is a symbolic link; a scan must be a regular file")
        elif copy.blob is None:
            known[copy] = read_scan_file(repo.root / copy.path, copy.path)
        else:
            from_git.append(copy)
    wanted = list(dict.fromkeys(c.blob for c in from_git if c.blob))
    sizes = repo.blob_sizes(wanted)
    for copy in from_git:
        assert copy.blob is not None
        if sizes[copy.blob] > MAX_BYTES:
            known[copy] = too_large(copy.path, sizes[copy.blob])
    return Contents(copies, known, repo.read_blobs(b for b in wanted if sizes[b] <= MAX_BYTES))


def _problem(path: str, message: str) -> Problem:
    return Problem(path, None, None, "$", message, "io")
