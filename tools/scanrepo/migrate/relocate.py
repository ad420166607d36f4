"""Moving misplaced scans to where they belong (``tools/validate --fix-layout``).

A scan belongs at ``scans/v<scan_version>/<shard>/<key>.json``, its key and shard derived from
the scan itself (``format/keys``). A file elsewhere below ``scans/`` (its arXiv id corrected
since the file was named, a wrong shard or version directory, a file dropped into ``scans/``)
is planned as a migration with no version step: a ``Plan`` that ``migrate/apply`` applies
(new file written and synced before the old one is removed) and ``migrate/staging`` stages
as ``git mv`` would. Nothing is planned when any file cannot be read or validated, when two
files belong at one place, or when a place is taken by a different scan, a directory or a
symbolic link: every such problem is listed and nothing moves.
"""

from __future__ import annotations

import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scanrepo.errors import JsonSyntaxError, UnnamedPaperError
from scanrepo.format import keys
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import read_strict
from scanrepo.migrate.pending import Pending
from scanrepo.migrate.plan import PaperPlan, Plan
from scanrepo.migrate.staging import GitPlan, Move, stage
from scanrepo.problems import Problem
from scanrepo.validate.checks import (
    check_parsed,
    read_scan_file,
    stray_problem,
    syntax_problem,
    walk_scans,
)
from scanrepo.vcs.repo import GitRepo

# What a move fixes, or what validate reports anyway: these do not stop a scan from moving.
_MOVABLE_KINDS = ("layout", "format")


@dataclass
class LayoutPlan:
    """Every move, decided before anything changes (the moved scans wait in temporary files
    beside their new places, written only when nothing stops the moves)."""

    plan: Plan
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0

    @property
    def moves(self) -> list[tuple[str, str]]:
        return [(p.sources[0], p.target) for p in self.plan.papers]


@dataclass(frozen=True)
class _Misplaced:
    relpath: str
    key: str
    version: int
    target: str
    data: bytes
    mode: int


def plan_layout(root: Path, registry: SchemaRegistry) -> LayoutPlan:
    """Where every misplaced scan below ``root/scans/`` goes, or every reason none can move."""
    layout = LayoutPlan(Plan(0, Pending(root)))
    wanted: dict[str, list[_Misplaced]] = defaultdict(list)
    for rel, path in walk_scans(root):
        if stray_problem(rel, rel) is not None or not rel.endswith(".json"):
            continue  # not a scan: validate reports it, no move fixes it
        layout.checked += 1
        found = _misplaced(rel, path, registry)
        if isinstance(found, list):
            layout.problems.extend(found)
        elif found is not None:
            wanted[found.target].append(found)
    for target, movers in sorted(wanted.items()):
        problem = _target_problem(root, target, movers)
        if problem is not None:
            layout.problems.extend(
                Problem(m.relpath, None, None, "$", problem, "layout") for m in movers
            )
            continue
        mover = movers[0]
        already = (root / target).exists() and (root / target).read_bytes() == mover.data
        layout.plan.papers.append(
            PaperPlan(mover.key, (mover.relpath,), (mover.version,), target, not already)
        )
    if not layout.problems:
        _write_new_files(layout, {m.target: m for ms in wanted.values() for m in ms})
    return layout


def _write_new_files(layout: LayoutPlan, movers: dict[str, _Misplaced]) -> None:
    """Each moved scan beside its new place, for ``migrate/apply`` to rename."""
    pending = layout.plan.pending
    writer = pending.writer()
    for paper in layout.plan.to_write:
        mover = movers[paper.target]
        written = writer.write(paper.target, mover.data, mover.mode)
        pending.note(paper.target, written)
        if written.failure is not None and layout.plan.failure is None:
            layout.plan.failure = f"{paper.target}: {written.failure}"


def _misplaced(rel: str, path: Path, registry: SchemaRegistry) -> _Misplaced | list[Problem] | None:
    """The move one file needs, None if it is in place, or the problems that stop it."""
    data = read_scan_file(path, rel)
    if isinstance(data, Problem):
        return [data]
    try:
        doc, plain = read_strict(data)
    except JsonSyntaxError as exc:
        return [syntax_problem(rel, exc)]
    result = check_parsed(doc, data, rel, rel, registry, plain=plain)
    blocking = [p for p in result.problems if p.kind not in _MOVABLE_KINDS]
    if blocking or result.version is None:
        return blocking
    try:
        key = keys.paper_key(doc)
    except UnnamedPaperError as exc:
        return [Problem(rel, 1, 1, "$.paper", str(exc), "layout")]
    target = keys.scan_path(doc, result.version).as_posix()
    if target == rel:
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    return _Misplaced(rel, key, result.version, target, data, mode)


def _target_problem(root: Path, target: str, movers: list[_Misplaced]) -> str | None:
    """Why the scans ``movers`` cannot move to ``target``, if they cannot."""
    if len(movers) > 1:
        names = ", ".join(m.relpath for m in movers)
        return f"{names} all belong at {target}: two scans of one paper; keep one"
    destination = root / target
    for place in (*reversed(destination.parents[: len(Path(target).parts) - 1]), destination):
        if place.is_symlink():
            return f"cannot move to {target}: {place.relative_to(root)} is a symbolic link"
    if destination.is_dir():
        return f"cannot move to {target}: it is a directory"
    if destination.exists() and destination.read_bytes() != movers[0].data:
        return f"cannot move to {target}: a different scan is already there; keep one"
    return None


def stage_moves(repo: GitRepo, layout: LayoutPlan) -> int:
    """Stage, as ``git mv`` would, every move whose old file git tracks; how many."""
    index = {e.path for e in repo.index_entries()}
    moves = [
        Move(p.key, p.sources, p.target, None, True)
        for p in layout.plan.papers
        if p.sources[0] in index
    ]
    return stage(repo, GitPlan(moves=moves)) if moves else 0
