"""The corpus as the statistics see it: every scan of the work tree or of a commit, read strictly,
validated and migrated in memory to the newest version, and the checklist items of a scan.

A scan that cannot be read becomes a ``Problem`` and is left out of the figures. When a paper
has two scans (an interrupted ``tools/migrate``), the one in the newer version directory counts
and the other is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from scanrepo.diff.compare import ScanSide, read_scan
from scanrepo.errors import UnnamedPaperError
from scanrepo.format import keys, model
from scanrepo.format.items import item_name
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import read_scan_file, too_large, walk_scans
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo

Rating = Literal["yes", "no", "n/a"]
Progress = Callable[[int, int], None] | None


class Readers(Toolkit):
    """The schemas and migrations of this checkout, which judge every scan read."""

    def read(self, side: ScanSide) -> tuple[int | None, dict[str, Any] | None, list[Problem]]:
        """(the file's own version, the scan at the newest version, problems)."""
        found = read_scan(side, self.newest, self.chain, self.registry)
        return found.version, found.doc, found.problems


@dataclass(frozen=True)
class Scan:
    key: str
    path: str
    version: int  # the file's own scan_version
    doc: dict[str, Any]  # migrated to the newest version


def rating(applies: bool, answer: bool) -> Rating:
    """An item's answer in one word, as v3 wrote it."""
    return "n/a" if not applies else "yes" if answer else "no"


def items(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, item) of every checklist item of a scan at the newest version, in document order;
    ``where`` is its name (``format.items``): ``checklist.<section>.<item>`` or
    ``type_checklist.<paper type>.<section>.<item>``."""
    for path, item in model.checklist_items(doc):
        yield item_name(path), item


def _path_key(path: str) -> str:
    where = keys.parse_scan_path(path)
    return where[2] if where else path


def _path_version(path: str) -> int:
    where = keys.parse_scan_path(path)
    return where[0] if where else -1


def _key_of(path: str, doc: dict[str, Any]) -> str:
    if keys.parse_scan_path(path) is not None:
        return _path_key(path)
    try:
        return keys.paper_key(doc)
    except UnnamedPaperError:
        return path


# the contents of these paths, or the problem that stops reading one
Load = Callable[[list[str]], Iterator[tuple[str, bytes | Problem]]]


class Corpus:
    """The scans of one state of the repository, read one at a time as they are iterated (a
    corpus of 10,000 parsed scans would take gigabytes), in paper key order.

    Iterating reads every file again; the problems of the last pass are in ``problems``. Of
    two files of one paper (by file name), the one in the newer version directory is read.
    """

    def __init__(self, label: str, paths: list[str], load: Load, name: str = "") -> None:
        self.label = label
        self._load = load
        self._prefix = name
        self.problems: list[Problem] = []
        newest: dict[str, str] = {}
        for path in sorted(paths, key=lambda p: (_path_key(p), -_path_version(p), p)):
            newest.setdefault(_path_key(path), path)
        self.paths = sorted(newest.values(), key=lambda p: (_path_key(p), p))
        kept = set(self.paths)
        self._shadowed = [
            (path, newest[_path_key(path)]) for path in sorted(paths) if path not in kept
        ]

    def __len__(self) -> int:
        return len(self.paths)

    def read(self, readers: Readers, progress: Progress = None) -> Iterator[Scan]:
        self.problems = [
            Problem(
                self._prefix + path,
                None,
                None,
                "$",
                f"paper {_path_key(path)} has another scan, {kept}, which the figures use",
                "layout",
            )
            for path, kept in self._shadowed
        ]
        for done, (path, data) in enumerate(self._load(self.paths), 1):
            if progress:
                progress(done, len(self.paths))
            if isinstance(data, Problem):
                self.problems.append(data)
                continue
            version, doc, problems = readers.read(ScanSide(self._prefix + path, data))
            if doc is None or version is None:
                self.problems.extend(problems)
                continue
            yield Scan(_key_of(path, doc), path, version, doc)


def load_worktree(root: Path) -> Corpus:
    """Every ``*.json`` entry below ``scans/`` in the work tree; a link, a directory, a file too
    large or unreadable is a problem, as tools/validate reports it."""
    files = {rel: path for rel, path in walk_scans(root) if rel.endswith(".json")}

    def load(paths: list[str]) -> Iterator[tuple[str, bytes | Problem]]:
        for rel in paths:
            yield rel, read_scan_file(files[rel], rel)

    return Corpus("work tree", list(files), load)


def load_commit(repo: GitRepo, rev: str) -> Corpus:
    """Every ``*.json`` file below ``scans/`` in a commit, streamed from git's batch reader."""
    commit = repo.resolve(rev)
    entries = {e.path: e for e in repo.tree_entries(commit) if e.path.endswith(".json")}
    blobs = {p: e.blob for p, e in entries.items() if e.mode not in (SYMLINK_MODE, GITLINK_MODE)}
    sizes = repo.blob_sizes(set(blobs.values()))

    def load(paths: list[str]) -> Iterator[tuple[str, bytes | Problem]]:
        readable = [p for p in paths if p in blobs and sizes[blobs[p]] <= MAX_BYTES]
        contents = repo.read_blobs(blobs[p] for p in readable)
        for path in paths:
            name = f"{rev}:{path}"
            if path not in blobs:
                kind = "a symbolic link" if entries[path].mode == SYMLINK_MODE else "a submodule"
                yield path, Problem(name, None, None, "$", f"is {kind}, not a scan file", "io")
            elif sizes[blobs[path]] > MAX_BYTES:
                yield path, too_large(name, sizes[blobs[path]])
            else:
                yield path, next(contents)[1]

    return Corpus(rev, list(entries), load, f"{rev}:")
