"""The merge of one paper's scan from file contents: read, migrate, merge, write back, validate.

Each side is read strictly, checked against the schema of its own version and carried in memory
to the newest version (so a side that migrated merges with a side that did not); the three are
merged there, and the result is carried to the version the merged file's directory names and
checked as ``tools/validate`` checks a file. Anything that stops this is a ``Problem``, and then
there are no merged bytes: nothing invalid is ever written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanrepo.diff.compare import ScanSide, read_scan
from scanrepo.errors import MigrationError
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.keys import parse_scan_path
from scanrepo.format.rules import check_rules
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.merge.threeway import Conflict, Side, merge_scans
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Problem
from scanrepo.validate.checks import check_scan


@dataclass(frozen=True)
class Sides:
    """The three scans of a merge at the newest version (``base`` is None when there is none)."""

    base: dict[str, Any] | None
    ours: dict[str, Any]
    theirs: dict[str, Any]


@dataclass
class PaperMerge:
    """The merge of one file: its canonical bytes at ``path`` (``version``), or the problems that
    stopped it. ``conflicts`` are every conflict of the merge, including those ``choices``
    decided."""

    path: str
    data: bytes | None
    sides: Sides | None
    version: int | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_sides(
    path: str,
    base: bytes | None,
    ours: bytes,
    theirs: bytes,
    chain: Chain,
    registry: SchemaRegistry,
) -> tuple[Sides | None, dict[str, int], list[Problem]]:
    """The three sides at the newest version, with each side's own version; an empty or absent
    base (both sides added the file) is None. Problems name the side: ``theirs:scans/...``."""
    versions: dict[str, int] = {}
    docs: dict[str, dict[str, Any] | None] = {"base": None}
    problems: list[Problem] = []
    for label, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        if data is None or (label == "base" and not data):
            continue
        read = read_scan(ScanSide(path, data, label), registry.newest, chain, registry)
        problems.extend(read.problems)
        docs[label] = read.doc
        if read.version is not None:
            versions[label] = read.version
    if problems or docs["ours"] is None or docs["theirs"] is None:
        return None, versions, problems
    return Sides(docs["base"], docs["ours"], docs["theirs"]), versions, []


def output_version(path: str, versions: Mapping[str, int], chain: Chain) -> int:
    """The version the merged file is written at: the one its directory names, else ours'."""
    where = parse_scan_path(path)
    if where is not None and where[0] in chain.versions:
        return where[0]
    return versions.get("ours", chain.versions[-1])


def merge_docs(
    path: str,
    sides: Sides,
    version: int,
    chain: Chain,
    registry: SchemaRegistry,
    keep: Side = "ours",
    choices: Mapping[str, Side] | None = None,
) -> PaperMerge:
    """Merge the sides, carry the result to ``version`` and check it as a file at ``path``."""
    result = merge_scans(sides.base, sides.ours, sides.theirs, keep, choices)
    merge = PaperMerge(path, None, sides, version, result.conflicts)

    def check(doc: dict[str, Any], step_version: int) -> None:
        if found := registry.check(doc, step_version) or check_rules(doc):
            first = found[0]
            raise MigrationError(first.path, f"invalid as v{step_version}: {first.message}")

    try:
        doc = chain.migrate(result.merged, version, check)
    except MigrationError as err:
        merge.problems.append(
            Problem(f"merged:{path}", None, None, err.json_path, err.message, "migration")
        )
        return merge
    data = canonical_bytes(doc)
    found = check_scan(data, f"merged:{path}", path, registry).problems
    if found:
        merge.problems.extend(found)
    else:
        merge.data = data
    return merge


def merge_paper(
    path: str,
    base: bytes | None,
    ours: bytes,
    theirs: bytes,
    chain: Chain,
    registry: SchemaRegistry,
    keep: Side = "ours",
) -> PaperMerge:
    """The merge of three versions of the file at ``path`` (``path`` names the merged file)."""
    sides, versions, problems = read_sides(path, base, ours, theirs, chain, registry)
    if sides is None:
        return PaperMerge(path, None, None, problems=problems)
    return merge_docs(path, sides, output_version(path, versions, chain), chain, registry, keep)
