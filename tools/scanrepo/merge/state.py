"""The state of a merge in progress, as git's index and the merged commits hold it.

Git merges a file with the merge driver only when it finds the file's three versions at one
path, following renames it detects by text similarity (50% by default). A scan migrated to
another version directory on one side keeps about 42% of its text, so when the other side
changed the scan, git sees one side delete ``scans/v3/...`` and add ``scans/v4/...``, and stops
with a modify/delete conflict; when both sides added the new file, the base is missing
(add/add). Such a paper is *unpaired*: some stage of an unmerged path is missing. Pairing its
versions by paper key across the commits being merged gives the three-way merge back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scanrepo.errors import ScanRepoError
from scanrepo.format.keys import SCANS_DIR, parse_scan_path
from scanrepo.vcs.repo import GitRepo

ALL_STAGES = frozenset({1, 2, 3})

# What git keeps in its directory while each operation that can stop on a conflict is under
# way, in the order checked (a rebase picks commits, so its marker goes before cherry-pick's).
_MARKERS = (
    ("rebase", "rebase-merge"),
    ("rebase", "rebase-apply"),
    ("merge", "MERGE_HEAD"),
    ("cherry-pick", "CHERRY_PICK_HEAD"),
    ("revert", "REVERT_HEAD"),
)

_THEIRS = {"merge": "MERGE_HEAD", "rebase": "REBASE_HEAD", "cherry-pick": "CHERRY_PICK_HEAD"}


@dataclass(frozen=True)
class InProgress:
    """The operation git is in the middle of (None: none), and HEAD (None: no commit yet).

    A conflict record is *live* while an operation is under way and HEAD is still where it was
    when the record was written: committing the merge (or continuing the rebase) moves HEAD,
    aborting it ends the operation, and either makes the record stale."""

    operation: str | None
    head: str | None

    @classmethod
    def of(cls, repo: GitRepo) -> InProgress:
        names = [name for _, name in _MARKERS]
        args = [arg for name in names for arg in ("--git-path", name)]
        found = repo.run("rev-parse", *args).splitlines()
        markers = zip(_MARKERS, found, strict=True)
        operation = next((op for (op, _), path in markers if (repo.root / path).exists()), None)
        head = repo.resolve("HEAD") if repo.has_commits() else None
        return cls(operation, head)

    def side_rev(self, side: str) -> str | None:
        """The commit git took a side from (the index keeps it only while the file is
        unmerged): ours is HEAD; theirs the commit merged, picked or replayed."""
        if side == "ours":
            return "HEAD"
        return _THEIRS.get(self.operation or "")

    def holds(self, head: str | None) -> bool:
        """Whether a record written with HEAD at ``head`` is live."""
        return self.operation is not None and head == self.head

    def sides(self, repo: GitRepo) -> str | None:
        """During a rebase git swaps the sides; what ours and theirs are then."""
        if self.operation != "rebase":
            return None
        try:
            replayed = repo.run("log", "-1", "--format=%h %s", "REBASE_HEAD", "--").strip()
        except ScanRepoError:
            replayed = "the commit being replayed"
        return (
            "a rebase is in progress: ours is the upstream you are rebasing onto (with the "
            f"commits replayed so far), theirs is the commit being replayed: {replayed}"
        )


def unmerged(repo: GitRepo) -> dict[str, frozenset[int]]:
    """Each unmerged path under scans/ and the stages the index holds for it."""
    stages: dict[str, set[int]] = defaultdict(set)
    for entry in repo.index_entries(SCANS_DIR):
        if entry.stage:
            stages[entry.path].add(entry.stage)
    return {path: frozenset(found) for path, found in stages.items()}


def unpaired(state: dict[str, frozenset[int]]) -> list[str]:
    """The unmerged scans git could not find all three versions of at one path."""
    return sorted(path for path, stages in state.items() if stages != ALL_STAGES)


def key_of(path: str) -> str | None:
    where = parse_scan_path(path)
    return where[2] if where else None


@dataclass(frozen=True)
class Version:
    path: str
    data: bytes

    @property
    def version(self) -> int:
        where = parse_scan_path(self.path)
        assert where is not None
        return where[0]


@dataclass(frozen=True)
class KeyedMerge:
    """One paper's three versions found by its key in the merged commits; ``path`` is where the
    merged scan goes (the newer directory of the two sides) and ``remove`` the paper's other
    files in the index."""

    key: str
    path: str
    base: Version | None
    ours: Version | None
    theirs: Version | None
    remove: tuple[str, ...]


class MergeHeads:
    """HEAD, MERGE_HEAD and their merge base, with the scans of each found by paper key."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        merge_head = repo.run("rev-parse", "--git-path", "MERGE_HEAD").strip()
        try:
            heads = (repo.root / merge_head).read_text(encoding="ascii").split()
        except FileNotFoundError:
            raise ScanRepoError(
                "no merge in progress: pairing papers by key needs the commits of a git merge"
            ) from None
        if len(heads) != 1:
            raise ScanRepoError("an octopus merge: merge the branches one at a time")
        self.ours = repo.resolve("HEAD")
        self.theirs = repo.resolve(heads[0])
        bases = repo.run("merge-base", "--all", self.ours, self.theirs).split()
        self.bases = bases
        self._files: dict[str, dict[str, list[tuple[str, str]]]] = {}

    def files(self, commit: str) -> dict[str, list[tuple[str, str]]]:
        """Paper key -> [(path, blob)] of the scans in ``commit``."""
        if commit not in self._files:
            found: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for entry in self.repo.tree_entries(commit):
                if (key := key_of(entry.path)) is not None:
                    found[key].append((entry.path, entry.blob))
            self._files[commit] = found
        return self._files[commit]

    def version_in(self, commit: str, key: str, label: str) -> Version | None:
        files = self.files(commit).get(key, [])
        if not files:
            return None
        if len(files) > 1:
            paths = ", ".join(path for path, _ in files)
            raise ScanRepoError(f"{label} holds several scans of paper {key}: {paths}")
        path, blob = files[0]
        [(_, data)] = list(self.repo.read_blobs([blob]))
        return Version(path, data)

    def base_of(self, key: str) -> Version | None:
        found = {self.version_in(base, key, "the merge base") for base in self.bases}
        if len(found) > 1:
            raise ScanRepoError(
                f"paper {key}: the merge bases of this criss-cross merge disagree; merge it by hand"
            )
        return found.pop() if found else None

    def paper(self, key: str, index_paths: list[str]) -> KeyedMerge:
        ours = self.version_in(self.ours, key, "HEAD (ours)")
        theirs = self.version_in(self.theirs, key, "MERGE_HEAD (theirs)")
        present = [side for side in (ours, theirs) if side is not None]
        path = max(present, key=lambda side: side.version).path if present else index_paths[0]
        remove = tuple(sorted({p for p in index_paths if p != path}))
        return KeyedMerge(key, path, self.base_of(key), ours, theirs, remove)


def index_paths_by_key(repo: GitRepo) -> dict[str, list[str]]:
    """Paper key -> the scan paths the index holds for it (any stage)."""
    found: dict[str, set[str]] = defaultdict(set)
    for entry in repo.index_entries(SCANS_DIR):
        if (key := key_of(entry.path)) is not None:
            found[key].add(entry.path)
    return {key: sorted(paths) for key, paths in found.items()}
