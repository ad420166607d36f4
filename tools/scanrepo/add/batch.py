"""One tools/add run: every input read and judged, then written and staged, or nothing.

Each input is read strictly, checked against its own version's schema and rules, carried to the
target version along the migration chain (as tools/migrate carries a scan) and kept only as its
compressed canonical bytes in a temporary file (``Spool``), never as a parsed document, so that
memory does not grow with the batch; the files are written in chunks. The batch is then decided
paper by paper against the scans already in ``scans/`` (any version): added, a rescan (which
needs ``rescan``; its semantic diff is rendered as tools/diff shows it), unchanged (equal in
meaning: nothing written) or refused. Writing goes through tools/migrate's ``apply_plan`` (each
new file before any old one is removed) and staging through its ``stage`` (moves as ``git mv``),
so a run killed at any moment is finished by running it again.
"""

from __future__ import annotations

import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from scanrepo.add.inputs import STDIN, Input
from scanrepo.diff.changes import DiffResult
from scanrepo.diff.compare import ScanSide, diff_papers
from scanrepo.errors import JsonSyntaxError, UnnamedPaperError
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.strictjson import parse_strict
from scanrepo.migrate.apply import apply_plan
from scanrepo.migrate.migrator import Migrator
from scanrepo.migrate.plan import PaperPlan, Plan, carry, directories_of, select_files
from scanrepo.migrate.staging import GitPlan, Move, stage
from scanrepo.problems import Problem
from scanrepo.render.diff_text import render_text
from scanrepo.validate.checks import check_parsed, syntax_problem
from scanrepo.vcs.repo import GitRepo

Status = Literal["added", "rescanned", "unchanged", "refused"]
STATUSES: tuple[Status, ...] = ("added", "rescanned", "unchanged", "refused")
Progress = Callable[[int, int], None] | None
CHUNK = 500  # scans held in memory at once while writing
Stored = tuple[int, int]  # offset and length in the spool


class Spool:
    """New scans' compressed canonical bytes, kept in an anonymous temporary file."""

    def __init__(self) -> None:
        # unlinked at once: nothing is left behind, whenever the process ends
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the plan)

    def put(self, data: bytes) -> Stored:
        offset = self.file.seek(0, 2)
        self.file.write(zlib.compress(data, 1))
        return offset, self.file.tell() - offset

    def packed(self, where: Stored) -> bytes:
        self.file.seek(where[0])
        return self.file.read(where[1])

    def get(self, where: Stored) -> bytes:
        return zlib.decompress(self.packed(where))


@dataclass(frozen=True)
class Entry:
    """One input's fate: where it goes, what it replaces, or why it is refused."""

    label: str
    status: Status
    key: str | None = None
    path: str | None = None  # where the scan belongs
    replaces: tuple[str, ...] = ()  # the paper's other files, removed
    stored: Stored | None = None  # the canonical bytes in the spool; None: nothing to write
    problems: tuple[Problem, ...] = ()
    diff: str = ""  # the semantic diff of a rescan
    in_place: bool = False  # the destination already holds exactly this scan


@dataclass
class AddPlan:
    target: int
    spool: Spool = field(default_factory=Spool)
    leftovers: list[Path] = field(default_factory=list)  # abandoned temporary files
    entries: list[Entry] = field(default_factory=list)

    def of(self, status: Status) -> list[Entry]:
        return [e for e in self.entries if e.status == status]

    @property
    def problems(self) -> list[Problem]:
        return [p for e in self.entries for p in e.problems]


# --- one input --------------------------------------------------------------------------


def _shifted(problems: Iterable[Problem], item: Input) -> tuple[Problem, ...]:
    """Problems counted in the stream's lines (JSON Lines: the input starts on ``item.line``)."""
    if item.line == 1:
        return tuple(problems)
    return tuple(
        replace(p, line=item.line + (p.line or 1) - 1, col=p.col if p.line else None)
        for p in problems
    )


def _refused(item: Input, *problems: Problem) -> Entry:
    return Entry(item.label, "refused", problems=_shifted(problems, item))


def prepare(item: Input, migrator: Migrator, spool: Spool) -> Entry:
    """One input read, checked and carried to the target: an entry to be decided, or refused."""
    if isinstance(item.data, Problem):
        return _refused(item, item.data)
    data, name = item.data, item.name
    try:
        doc = parse_strict(data)
    except JsonSyntaxError as exc:
        return _refused(item, syntax_problem(name, exc))
    checked = check_parsed(doc, data, name, None, migrator.registry, canonical_form=False)
    problems = [p for p in checked.problems if p.kind not in ("format", "layout")]
    if problems:
        return _refused(item, *problems)
    carried = carry(doc, data, name, migrator)
    if isinstance(carried, tuple):
        return _refused(item, *carried)
    try:
        target = keys.scan_path(carried, migrator.target)
    except UnnamedPaperError as err:
        message = f"{err}: give $.paper.arxiv_id, $.paper.doi or $.paper.title"
        return _refused(item, Problem(name, None, None, "$.paper", message, "layout"))
    stored = spool.put(canonical_bytes(carried))
    return Entry(item.label, "added", target.stem, target.as_posix(), stored=stored)


# --- the batch --------------------------------------------------------------------------


def existing_scans(root: Path) -> tuple[dict[str, list[str]], list[Path]]:
    """Paper key -> its scan files in ``scans/`` (any version); and the temporary files a
    killed writer left, which the write removes."""
    files, leftovers = select_files(root, None)
    found: dict[str, list[str]] = defaultdict(list)
    for _, rel in files:
        if where := keys.parse_scan_path(rel):
            found[where[2]].append(rel)
    return found, leftovers


def _destination_problem(root: Path, entry: Entry) -> Problem | None:
    assert entry.path is not None
    destination = root / entry.path
    for directory in [*directories_of(root, entry.path), destination]:
        if directory.is_symlink():
            where = directory.relative_to(root).as_posix()
            message = f"{where} is a symbolic link; refusing to write through it"
            return Problem(entry.label, None, None, "$", message, "io")
    if destination.is_dir():
        message = f"{entry.path} is a directory; refusing to replace it"
        return Problem(entry.label, None, None, "$", message, "io")
    return None


def _current(olds: list[str], target: str) -> str:
    """The file of a paper a rescan is compared with: the one at the target path, else the
    newest version's."""
    if target in olds:
        return target
    return max(olds, key=lambda rel: (keys.parse_scan_path(rel) or (0, "", ""))[0])


def _decide(
    root: Path, entry: Entry, olds: list[str], rescan: bool, migrator: Migrator, spool: Spool
) -> Entry:
    """Added, rescanned, unchanged or refused, against the paper's scans already there."""
    assert entry.path is not None and entry.key is not None
    if problem := _destination_problem(root, entry):
        return replace(entry, status="refused", stored=None, problems=(problem,))
    if not olds:
        return entry
    assert entry.stored is not None
    data = spool.get(entry.stored)
    others = tuple(sorted(set(olds) - {entry.path}))
    current = _current(olds, entry.path)
    try:
        old_bytes = (root / current).read_bytes()
    except OSError:
        old_bytes = b""
    if current == entry.path and old_bytes == data:  # written by an interrupted run, or equal
        status: Status = "rescanned" if others else "unchanged"
        return replace(entry, status=status, replaces=others, stored=None, in_place=True)
    newest = migrator.registry.newest
    paper = diff_papers(
        entry.key,
        ScanSide(current, old_bytes),
        ScanSide(entry.path, data),
        newest,
        migrator.chain,
        migrator.registry,
    )
    if paper.status == "unchanged" and not others:
        return replace(entry, status="unchanged", stored=None)
    if not rescan:
        message = (
            f"paper {entry.key} already has a scan ({', '.join(olds)}); pass --rescan to replace it"
        )
        return replace(
            entry,
            status="refused",
            stored=None,
            problems=(Problem(entry.label, None, None, "$", message, "layout"),),
        )
    diff = render_text(DiffResult(current, entry.path, [paper]), totals=False)
    return replace(entry, status="rescanned", replaces=others, diff=diff)


def plan_add(
    root: Path,
    migrator: Migrator,
    inputs: Iterable[Input],
    rescan: bool,
    progress: Progress = None,
) -> AddPlan:
    """Every input judged; nothing is written."""
    plan = AddPlan(migrator.target)
    by_key: dict[str, list[int]] = defaultdict(list)
    scans = (root / keys.SCANS_DIR).resolve()
    for done, item in enumerate(inputs, 1):
        if item.name != STDIN and scans in Path(item.name).resolve().parents:
            message = (
                f"is already in {keys.SCANS_DIR}/: tools/add takes scans from outside it "
                "(tools/migrate moves scans between versions)"
            )
            entry = _refused(item, Problem(item.name, None, None, "$", message, "io"))
        else:
            entry = prepare(item, migrator, plan.spool)
        if entry.key is not None:
            by_key[entry.key].append(len(plan.entries))
        plan.entries.append(entry)
        if progress:
            progress(done, done)
    existing, plan.leftovers = existing_scans(root)
    for key, indexes in by_key.items():
        if len(indexes) > 1:
            labels = [plan.entries[i].label for i in indexes]
            message = f"paper {key} is in more than one input: {', '.join(labels)}; add one"
            for i in indexes:
                problem = Problem(plan.entries[i].label, None, None, "$", message, "layout")
                plan.entries[i] = replace(
                    plan.entries[i], status="refused", stored=None, problems=(problem,)
                )
            continue
        index = indexes[0]
        plan.entries[index] = _decide(
            root, plan.entries[index], existing[key], rescan, migrator, plan.spool
        )
    return plan


# --- writing and staging ----------------------------------------------------------------


def _accepted(plan: AddPlan) -> list[Entry]:
    return [e for e in plan.entries if e.status != "refused"]


def write(root: Path, plan: AddPlan, progress: Progress = None) -> None:
    """Write the accepted entries, a chunk at a time (in each, the new files first, then the
    replaced ones removed); a failure leaves whole files only, which a rerun finishes."""
    todo = [e for e in _accepted(plan) if e.stored is not None or e.replaces]
    for start in range(0, max(len(todo), 1), CHUNK):
        papers = [
            PaperPlan(e.key, e.replaces, (), e.path, _packed(plan.spool, e), 0o644)
            for e in todo[start : start + CHUNK]
            if e.key is not None and e.path is not None
        ]

        def report(count: int, _: int, done: int = start) -> None:
            if progress:
                progress(done + count, len(todo))

        leftovers = plan.leftovers if start == 0 else []
        apply_plan(root, Plan(plan.target, papers=papers, leftovers=leftovers), report)


def _packed(spool: Spool, entry: Entry) -> bytes | None:
    return None if entry.stored is None else spool.packed(entry.stored)


def record(repo: GitRepo, plan: AddPlan) -> int:
    """Stage every accepted scan as ``git mv`` / ``git add`` would; an unchanged scan too, in
    case a killed run wrote it and did not stage it. Returns the number of scans staged."""
    moves = [
        Move(e.key, e.replaces, e.path, None, True)
        for e in _accepted(plan)
        if e.key is not None and e.path is not None and (e.status != "unchanged" or e.in_place)
    ]
    stage(repo, GitPlan(moves=moves))
    return sum(e.status != "unchanged" for e in _accepted(plan))


def ours(plan: AddPlan) -> set[str]:
    """Every path the accepted entries write, remove or stage."""
    return {p for e in _accepted(plan) for p in (*e.replaces, e.path) if p is not None}
