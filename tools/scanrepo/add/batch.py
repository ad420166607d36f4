"""One tools/add run: every input read and judged, then written and staged, or nothing.

Inputs stream through worker processes (``fs/workers``) a chunk at a time: each is read
strictly, checked against its own version's schema and rules, carried to the target version
along the migration chain (as tools/migrate carries a scan) and written in canonical form to a
temporary file beside its destination (``migrate/pending``; a dry run writes them to a scratch
directory), so memory does not grow with the batch; a worker that finds a scan of the paper in
its place compares the new scan with it there, while the new one is in hand. The batch is then
decided paper by paper against the scans already in ``scans/`` (any version): added, a rescan
(which needs ``rescan``; its semantic diff is rendered as tools/diff shows it), unchanged (equal
in meaning: nothing written) or refused; what is not added loses its temporary file. Putting
the files in place goes through tools/migrate's ``apply_plan`` (each new file before any old
one is removed) and staging through its ``stage`` (moves as ``git mv``), so a run killed at
any moment is finished by running it again.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from scanrepo.add.inputs import STDIN, Input
from scanrepo.diff.changes import DiffResult
from scanrepo.diff.compare import ScanRead, ScanSide, diff_papers
from scanrepo.errors import JsonSyntaxError, UnnamedPaperError
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.strictjson import read_strict
from scanrepo.fs.atomic import SYMLINK_REFUSAL
from scanrepo.fs.workers import chunked_imap
from scanrepo.migrate.apply import apply_plan
from scanrepo.migrate.migrator import Migrator
from scanrepo.migrate.pending import Pending, Writer, Written, symlink_above
from scanrepo.migrate.plan import PaperPlan, Plan, carry, select_files
from scanrepo.migrate.staging import GitPlan, Move, stage
from scanrepo.problems import Problem
from scanrepo.render.diff_text import render_text
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import check_parsed, syntax_problem
from scanrepo.vcs.objects import BlobPacks
from scanrepo.vcs.repo import GitRepo

Status = Literal["added", "rescanned", "unchanged", "refused"]
STATUSES: tuple[Status, ...] = ("added", "rescanned", "unchanged", "refused")
Progress = Callable[[int, int], None] | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One input's fate: where it goes, what it replaces, or why it is refused."""

    label: str
    status: Status
    key: str | None = None
    path: str | None = None  # where the scan belongs
    replaces: tuple[str, ...] = ()  # the paper's other files, removed
    new: bool = False  # its temporary file is to be put in place
    problems: tuple[Problem, ...] = ()
    diff: str = ""  # the semantic diff of a rescan
    in_place: bool = False  # the destination already holds exactly this scan
    written: Written | None = None  # what writing its temporary file did
    compared: Compared | None = None  # the new scan against the paper's scan found beside it


@dataclass(frozen=True, slots=True)
class Compared:
    """A new scan compared with a scan of its paper already there."""

    current: str  # the file compared with
    identical: bool  # byte for byte: written by an interrupted run, or the very same scan
    unchanged: bool  # equal in meaning
    diff: str  # the semantic diff, as tools/diff shows it


@dataclass
class AddPlan:
    target: int
    pending: Pending
    leftovers: list[Path] = field(default_factory=list)  # abandoned temporary files
    entries: list[Entry] = field(default_factory=list)
    failure: str | None = None  # why a new scan could not be written
    symlinked: dict[str, bool] = field(default_factory=dict, repr=False)  # directory -> is one

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


def prepare(item: Input, migrator: Migrator, writer: Writer, root: Path) -> Entry:
    """One input read, checked, carried to the target and written beside its destination: an
    entry to be decided (compared with its paper's scan when there is one), or refused."""
    if isinstance(item.data, Problem):
        return _refused(item, item.data)
    data, name = item.data, item.name
    try:
        doc, plain = read_strict(data)
    except JsonSyntaxError as exc:
        return _refused(item, syntax_problem(name, exc))
    registry = migrator.registry
    checked = check_parsed(doc, data, name, None, registry, canonical_form=False, plain=plain)
    problems = [p for p in checked.problems if p.kind not in ("format", "layout")]
    if problems:
        return _refused(item, *problems)
    carried = carry(doc, data, name, migrator, plain)
    if isinstance(carried, tuple):
        return _refused(item, *carried)
    try:
        target = keys.scan_path(carried.doc, migrator.target)
    except UnnamedPaperError as err:
        message = f"{err}: give $.paper.arxiv_id, $.paper.doi or $.paper.title"
        return _refused(item, Problem(name, None, None, "$.paper", message, "layout"))
    path = target.as_posix()
    text = canonical_bytes(carried.doc, plain=carried.plain)
    written = writer.write(path, text, 0o644)
    entry = Entry(item.label, "added", target.stem, path, new=True, written=written)
    if written.failure or not (present := _present(root, target, migrator)):
        return entry
    newest = migrator.registry.newest
    known = ScanRead(migrator.target, carried.doc, []) if migrator.target == newest else None
    compared = _compare(root, entry, _current(present, path), text, migrator, known)
    return replace(entry, compared=compared)


def _present(root: Path, target: PurePosixPath, migrator: Migrator) -> list[str]:
    """The scans of ``target``'s paper at their places in each version's directory: what the
    listing of ``scans/`` finds for the paper, unless a scan of it lies elsewhere."""
    shard, name = target.parent.name, target.name
    places = (f"{keys.SCANS_DIR}/v{v}/{shard}/{name}" for v in migrator.registry.versions)
    return [rel for rel in places if (root / rel).is_file()]


def _compare(
    root: Path,
    entry: Entry,
    current: str,
    data: bytes,
    migrator: Migrator,
    known: ScanRead | None = None,
) -> Compared:
    """The new scan ``data`` of ``entry`` against the paper's ``current`` file."""
    assert entry.key is not None and entry.path is not None
    try:
        old_bytes = (root / current).read_bytes()
    except OSError:
        old_bytes = b""
    if current == entry.path and old_bytes == data:
        return Compared(current, True, True, "")
    paper = diff_papers(
        entry.key,
        ScanSide(current, old_bytes),
        ScanSide(entry.path, data, known=known),
        migrator.registry.newest,
        migrator.chain,
        migrator.registry,
    )
    if paper.status == "unchanged":
        return Compared(current, False, True, "")
    diff = render_text(DiffResult(current, entry.path, [paper]), totals=False)
    return Compared(current, False, False, diff)


Context = tuple[Migrator, Writer, Path, Path]


def _context_of(
    schema_dir: Path, migrations_dir: Path, target: int, writer: Writer, scans: Path, root: Path
) -> Context:
    return Migrator.load(Toolkit(schema_dir, migrations_dir), target), writer, scans, root


def _prepare(item: Input, context: Context) -> Entry:
    migrator, writer, scans, root = context
    if item.name != STDIN and scans in Path(item.name).resolve().parents:
        message = (
            f"is already in {keys.SCANS_DIR}/: tools/add takes scans from outside it "
            "(tools/migrate moves scans between versions)"
        )
        return _refused(item, Problem(item.name, None, None, "$", message, "io"))
    return prepare(item, migrator, writer, root)


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


def _destination_problem(root: Path, entry: Entry, seen: dict[str, bool]) -> Problem | None:
    """Why the entry's scan cannot be written where it belongs (``seen``: the directories
    already looked at for a symbolic link), or None."""
    assert entry.path is not None
    destination = root / entry.path
    where = symlink_above(root, entry.path, seen)
    if where is None and destination.is_symlink():
        where = entry.path
    if where is not None:
        message = f"{where} {SYMLINK_REFUSAL}"
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
    plan: AddPlan,
    index: int,
    existing: dict[str, list[str]],
    root: Path,
    rescan: bool,
    migrator: Migrator,
) -> Entry:
    """Added, rescanned, unchanged or refused, against the paper's scans already there."""
    entry = plan.entries[index]
    assert entry.path is not None and entry.key is not None
    if problem := _destination_problem(root, entry, plan.symlinked):
        return replace(entry, status="refused", new=False, problems=(problem,))
    olds = existing[entry.key]
    if not olds or entry.path not in plan.pending.staged:
        return entry  # new, or not written (a failed write stops the batch)
    others = tuple(sorted(set(olds) - {entry.path}))
    current = _current(olds, entry.path)
    compared = entry.compared
    if compared is None or compared.current != current:  # a scan of it lay elsewhere
        data = plan.pending.temp(entry.path).read_bytes()
        compared = _compare(root, entry, current, data, migrator)
    if compared.identical:
        status: Status = "rescanned" if others else "unchanged"
        return replace(entry, status=status, replaces=others, new=False, in_place=True)
    if compared.unchanged and not others:
        return replace(entry, status="unchanged", new=False)
    if not rescan:
        message = (
            f"paper {entry.key} already has a scan ({', '.join(olds)}); pass --rescan to replace it"
        )
        return replace(
            entry,
            status="refused",
            new=False,
            problems=(Problem(entry.label, None, None, "$", message, "layout"),),
        )
    return replace(entry, status="rescanned", replaces=others, diff=compared.diff)


@contextlib.contextmanager
def _where_to_write(root: Path, write: bool) -> Iterator[Path]:
    """``root``; for a run that writes nothing, a scratch directory removed afterwards."""
    if write:
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="scanrepo-add-") as scratch:
        yield Path(scratch)


def plan_add(
    root: Path,
    migrator: Migrator,
    inputs: Iterable[Input],
    rescan: bool,
    progress: Progress = None,
    *,
    write: bool = True,
    objects: BlobPacks | None = None,
    workers: int | None = None,
) -> AddPlan:
    """Every input judged; each new scan that is added waits in its temporary file (in a
    scratch directory without ``write``; with ``objects``, stored in git too)."""
    with _where_to_write(root, write) as where:
        plan = AddPlan(migrator.target, Pending(where))
        try:
            _judge(plan, root, migrator, inputs, rescan, progress, objects, workers)
        except BaseException:
            plan.pending.discard()
            raise
        if not write:
            plan.pending.discard()
    return plan


def _judge(
    plan: AddPlan,
    root: Path,
    migrator: Migrator,
    inputs: Iterable[Input],
    rescan: bool,
    progress: Progress,
    objects: BlobPacks | None,
    workers: int | None,
) -> None:
    writer = plan.pending.writer(objects)
    scans = (root / keys.SCANS_DIR).resolve()
    init = (
        migrator.registry.schema_dir,
        migrator.migrations_dir,
        migrator.target,
        writer,
        scans,
        root,
    )
    by_key: dict[str, list[int]] = defaultdict(list)
    context = (migrator, writer, scans, root)
    with ThreadPoolExecutor(max_workers=1) as lister:
        listing: Future[tuple[dict[str, list[str]], list[Path]]] | None = None
        prepared = chunked_imap(_prepare, inputs, context, _context_of, init, workers, progress)
        for entry in prepared:
            if listing is None:
                # the worker processes exist by the first result (forked at the first chunk):
                # listed now, the existing scans are not copied into them, and the listing
                # overlaps their work
                listing = lister.submit(existing_scans, root)
            if entry.key is not None:
                by_key[entry.key].append(len(plan.entries))
            if entry.path is not None and entry.written is not None:
                entry = replace(entry, written=plan.pending.note(entry.path, entry.written))
            plan.entries.append(entry)
        existing, plan.leftovers = (listing or lister.submit(existing_scans, root)).result()
    single: list[int] = []
    for key, indexes in by_key.items():
        if len(indexes) > 1:
            labels = [plan.entries[i].label for i in indexes]
            message = f"paper {key} is in more than one input: {', '.join(labels)}; add one"
            for i in indexes:
                problem = Problem(plan.entries[i].label, None, None, "$", message, "layout")
                plan.entries[i] = replace(
                    plan.entries[i], status="refused", new=False, problems=(problem,)
                )
        else:
            single.extend(indexes)
    for index in single:
        plan.entries[index] = _decide(plan, index, existing, root, rescan, migrator)
    for entry in plan.entries:
        if entry.path is not None and not entry.new:
            plan.pending.drop(entry.path)
        elif entry.written is not None and entry.written.failure and plan.failure is None:
            plan.failure = f"{entry.path}: {entry.written.failure}"


# --- writing and staging ----------------------------------------------------------------


def _accepted(plan: AddPlan) -> list[Entry]:
    return [e for e in plan.entries if e.status != "refused"]


def write(root: Path, plan: AddPlan, progress: Progress = None) -> None:
    """Put the accepted entries in place: the new files first, then the replaced ones
    removed; a failure leaves whole files only, which a rerun finishes."""
    papers = [
        PaperPlan(e.key, e.replaces, (), e.path, e.new)
        for e in _accepted(plan)
        if e.key is not None and e.path is not None and (e.new or e.replaces)
    ]
    migration = Plan(plan.target, plan.pending, papers=papers, leftovers=plan.leftovers)
    migration.failure = plan.failure
    apply_plan(root, migration, progress)


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
