"""The corpus as the statistics see it: every scan of the work tree or of a commit, read strictly,
validated and migrated in memory to the newest version, and the checklist items of a scan.

A scan that cannot be read becomes a ``Problem`` and is left out of the figures. When a paper
has two scans (an interrupted ``tools/migrate``), the one of the newer version counts and the
other is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scanrepo import keys
from scanrepo.chain import Chain, load_chain
from scanrepo.gitrepo import GITLINK_MODE, SYMLINK_MODE, GitRepo
from scanrepo.keys import UnnamedPaperError
from scanrepo.problems import Problem
from scanrepo.resources import MIGRATIONS_DIR, SCHEMA_DIR
from scanrepo.schemas import SchemaRegistry
from scanrepo.semdiff import ScanSide, read_scan
from scanrepo.validate import walk_scans

Rating = Literal["yes", "no", "n/a"]
Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class Readers:
    """The schemas and migrations of this checkout, which judge every scan read."""

    registry: SchemaRegistry
    chain: Chain
    migrations_dir: Path

    @classmethod
    def load(cls, schema_dir: Path = SCHEMA_DIR, migrations_dir: Path = MIGRATIONS_DIR) -> Readers:
        registry = SchemaRegistry(schema_dir)
        return cls(registry, load_chain(migrations_dir, registry.versions), migrations_dir)

    @property
    def newest(self) -> int:
        return self.registry.newest

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


@dataclass
class Corpus:
    label: str  # "work tree" or the revision read
    scans: list[Scan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def rating(applies: bool, answer: bool) -> Rating:
    """An item's answer in one word, as v3 wrote it."""
    return "n/a" if not applies else "yes" if answer else "no"


def items(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, item) of every checklist item of a scan at the newest version, in document order;
    ``where`` names it as the semantic diff does: ``checklist.<section>.<item>`` or
    ``type_checklist.<paper type>.<section>.<item>``."""
    for section, entries in doc["checklist"].items():
        for name, item in entries.items():
            yield f"checklist.{section}.{name}", item
    for paper_type, sections in doc["type_checklist"].items():
        for section, entries in sections.items():
            for name, item in entries.items():
                yield f"type_checklist.{paper_type}.{section}.{name}", item


def _key_of(path: str, doc: dict[str, Any]) -> str:
    where = keys.parse_scan_path(path)
    if where is not None:
        return where[2]
    try:
        return keys.paper_key(doc)
    except UnnamedPaperError:
        return path


def _assemble(label: str, read: Iterable[tuple[str, ScanSide]], readers: Readers) -> Corpus:
    corpus = Corpus(label)
    by_key: dict[str, Scan] = {}
    for path, side in read:
        version, doc, problems = readers.read(side)
        if doc is None or version is None:
            corpus.problems.extend(problems)
            continue
        scan = Scan(_key_of(path, doc), path, version, doc)
        kept = by_key.setdefault(scan.key, scan)
        if kept is not scan:
            newer, older = (scan, kept) if scan.version > kept.version else (kept, scan)
            by_key[scan.key] = newer
            corpus.problems.append(
                Problem(
                    older.path if not side.label else f"{side.label}:{older.path}",
                    None,
                    None,
                    "$",
                    f"paper {scan.key} has another scan, {newer.path}, which the figures use",
                    "layout",
                )
            )
    corpus.scans = sorted(by_key.values(), key=lambda s: s.key)
    return corpus


def load_worktree(root: Path, readers: Readers, progress: Progress = None) -> Corpus:
    """Every ``*.json`` file below ``scans/`` in the work tree."""
    files = [(rel, path) for rel, path in walk_scans(root) if rel.endswith(".json")]

    def read() -> Iterator[tuple[str, ScanSide]]:
        for done, (rel, path) in enumerate(files, 1):
            if path.is_file() and not path.is_symlink():
                yield rel, ScanSide(rel, path.read_bytes())
            if progress:
                progress(done, len(files))

    return _assemble("work tree", read(), readers)


def load_commit(repo: GitRepo, rev: str, readers: Readers, progress: Progress = None) -> Corpus:
    """Every ``*.json`` file below ``scans/`` in a commit, read from git in one batch."""
    commit = repo.resolve(rev)
    entries = [
        e
        for e in repo.tree_entries(commit)
        if e.path.endswith(".json") and e.mode not in (SYMLINK_MODE, GITLINK_MODE)
    ]
    blobs = sorted({e.blob for e in entries})

    def read() -> Iterator[tuple[str, ScanSide]]:
        contents = dict(repo.read_blobs(blobs))
        for done, entry in enumerate(entries, 1):
            yield entry.path, ScanSide(entry.path, contents[entry.blob], rev)
            if progress:
                progress(done, len(entries))

    return _assemble(rev, read(), readers)
