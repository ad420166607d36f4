"""Planning a migration: every scan read, checked and carried to the target version in memory.

Nothing here writes. Each scan outside ``scans/v<target>/`` is checked as tools/validate checks
it (strict JSON, the schema of its own version, layout), then carried along the chain one step
at a time, each step's result checked against that version's schema and rules. The files are
then grouped by paper: the plan says, for each paper, which files go and what the one file at
the target version holds. A paper with a scan at the target version *and* an older one is what
an interrupted run leaves; when both are the same scan the plan just removes the older one.
Any problem anywhere is collected, and a plan with problems must not be applied.
"""

from __future__ import annotations

import hashlib
import stat
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scanrepo.errors import (
    JsonSyntaxError,
    MigrationError,
    ScanRepoError,
    StepInvalidError,
    UnnamedPaperError,
)
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.jsonpath import format_json_path, locate
from scanrepo.format.strictjson import read_strict
from scanrepo.fs.atomic import SYMLINK_REFUSAL, is_abandoned_temp, is_leftover_temp
from scanrepo.fs.workers import chunked_imap
from scanrepo.migrate.migrator import Migrator
from scanrepo.migrate.pending import Pending, Writer, Written, symlink_above
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import check_parsed, read_scan_file, syntax_problem, walk_scans
from scanrepo.validate.sources import resolve_scan_argument
from scanrepo.vcs.objects import BlobPacks

Progress = Callable[[int, int], None] | None


@dataclass(frozen=True, slots=True)
class Prepared:
    """One file read, checked and, unless already at the target version, migrated (and, in a
    run that writes, its new form written beside its destination)."""

    relpath: str
    key: str | None  # the paper key its file name gives
    current: bool  # it lies in scans/v<target>/ and so is not migrated
    version: int | None = None  # its scan_version, once it is readable
    problems: tuple[Problem, ...] = ()
    target: str | None = None  # where the scan belongs at the target version
    digest: bytes | None = None  # of its canonical form at the target version
    written: Written | None = None  # for a file that moves, in a run that writes


@dataclass(frozen=True, slots=True)
class PaperPlan:
    """What happens to one paper: its old files go, ``target`` holds it at the new version."""

    key: str
    sources: tuple[str, ...]
    from_versions: tuple[int, ...]
    target: str
    write: bool  # False: the target already holds this scan (an interrupted run)


@dataclass
class Plan:
    """The whole migration, decided before anything changes: the new files wait in temporary
    files (``pending``) until it is applied."""

    target: int
    pending: Pending
    papers: list[PaperPlan] = field(default_factory=list)
    finals: dict[str, str] = field(default_factory=dict)  # paper key -> its file afterwards
    current: int = 0
    current_with_problems: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed_files: set[str] = field(default_factory=set)
    leftovers: list[Path] = field(default_factory=list)
    failure: str | None = None  # why a new file could not be written
    # directories below root, as relative paths, found to be symbolic links or not
    symlinked: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def to_write(self) -> list[PaperPlan]:
        return [p for p in self.papers if p.write]

    @property
    def to_finish(self) -> list[PaperPlan]:
        return [p for p in self.papers if not p.write]

    def routes(self) -> dict[int, int]:
        """How many scans come from each version."""
        counts = Counter(v for p in self.to_write for v in p.from_versions[:1])
        return dict(sorted(counts.items()))

    def describe_routes(self) -> str:
        return ", ".join(f"v{v}→v{self.target}: {n}" for v, n in self.routes().items())


# --- one file ---------------------------------------------------------------------------


def prepare_file(
    path: Path, relpath: str, migrator: Migrator, writer: Writer | None = None
) -> Prepared:
    """Read, check and migrate one file, and with ``writer`` write its new form beside its
    destination; every problem that stops it is in the result."""
    where = keys.parse_scan_path(relpath)
    key = where[2] if where else None
    current = where is not None and where[0] == migrator.target
    read = read_scan_file(path, relpath)
    if isinstance(read, Problem):
        return Prepared(relpath, key, current, problems=(read,))
    try:
        doc, plain = read_strict(read)
    except JsonSyntaxError as exc:
        return Prepared(relpath, key, current, problems=(syntax_problem(relpath, exc),))
    # format problems do not stop a migration (the scan is written anew): skip that check
    checked = check_parsed(
        doc, read, relpath, relpath, migrator.registry, canonical_form=False, plain=plain
    )
    base = Prepared(relpath, key, current, checked.version)
    problems = tuple(p for p in checked.problems if p.kind != "format")
    if problems:
        return replace(base, problems=problems)
    if current:
        return replace(base, target=relpath, digest=_digest(canonical_bytes(doc, plain=plain)))
    carried = carry(doc, read, relpath, migrator, plain)
    if isinstance(carried, tuple):
        return replace(base, problems=carried)
    try:
        target = keys.scan_path(carried.doc, migrator.target)
    except UnnamedPaperError as err:
        return replace(base, problems=(_paper_problem(relpath, f"after migrating: {err}"),))
    if target.stem != key:
        message = f"migrating would change the paper key from {key} to {target.stem}"
        return replace(base, problems=(_paper_problem(relpath, message),))
    data = canonical_bytes(carried.doc, plain=carried.plain)
    mode = stat.S_IMODE(path.lstat().st_mode)
    written = writer.write(target.as_posix(), data, mode) if writer is not None else None
    return replace(base, target=target.as_posix(), digest=_digest(data), written=written)


@dataclass(frozen=True, slots=True)
class Carried:
    """A scan carried to the target version."""

    doc: dict[str, Any]
    plain: bool  # of plain JSON values without floats: ``canonical_bytes``'s ``plain``


def carry(
    doc: dict[str, Any], data: bytes, relpath: str, migrator: Migrator, plain: bool = False
) -> Carried | tuple[Problem, ...]:
    """The scan at the target version, or the problems of the step that refused it; ``plain``
    is what ``read_strict`` said of ``doc``."""
    reached = [doc["scan_version"]]
    last = Carried(doc, plain)

    def check(step_doc: dict[str, Any], version: int) -> None:
        nonlocal last
        last = Carried(step_doc, migrator.check_step(step_doc, version))
        reached.append(version)

    try:
        carried = migrator.chain.migrate(doc, migrator.target, check)
        return last if carried is last.doc else Carried(carried, False)
    except MigrationError as err:
        return (_migration_problem(relpath, data, err, reached),)
    except StepInvalidError as err:
        return tuple(
            Problem(
                relpath,
                None,
                None,
                format_json_path(v.path),
                f"after migrating to v{err.version}: {v.message}",
                "migration",
            )
            for v in err.violations
        )


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _paper_problem(relpath: str, message: str) -> Problem:
    return Problem(relpath, None, None, "$.paper", message, "migration")


def _migration_problem(
    relpath: str, data: bytes, err: MigrationError, reached: list[int]
) -> Problem:
    """The refusal of a step: located in the file when the step read the file's own version."""
    if len(reached) == 1:
        line, col = locate(data, err.path)
        return Problem(relpath, line, col, err.json_path, err.message, "migration")
    return Problem(
        relpath,
        None,
        None,
        err.json_path,
        f"{err.message} (in the scan's v{reached[-1]} form)",
        "migration",
    )


# --- every file -------------------------------------------------------------------------


Context = tuple[Migrator, Writer | None]


def _context_of(
    schema_dir: Path, migrations_dir: Path, target: int, writer: Writer | None
) -> Context:
    return Migrator.load(Toolkit(schema_dir, migrations_dir), target), writer


def _prepare(file: tuple[str, str], context: Context) -> Prepared:
    path, rel = file
    return prepare_file(Path(path), rel, *context)


def prepare_files(
    files: Iterable[tuple[str, str]],
    migrator: Migrator,
    writer: Writer | None = None,
    workers: int | None = None,
    progress: Progress = None,
) -> Iterator[Prepared]:
    """Every (path, repo-relative path) prepared, in worker processes when there are many."""
    init = (migrator.registry.schema_dir, migrator.migrations_dir, migrator.target, writer)
    return chunked_imap(_prepare, files, (migrator, writer), _context_of, init, workers, progress)


def select_files(
    root: Path, args: Sequence[str] | None
) -> tuple[Iterator[tuple[str, str]], list[Path]]:
    """The scan files in scope as (path, repo-relative path), and abandoned temporary files.

    Without ``args`` the files come as the walk finds them, so a run's worker processes start
    before the whole tree is listed (and without a copy of that list); the list of abandoned
    temporary files is complete once every file is taken. Named files bring every other file
    of their paper along (any version), since migrating a paper means deciding about all its
    files at once.
    """
    leftovers: list[Path] = []
    found = _scan_files(root, leftovers)
    if not args:
        return ((str(path), rel) for rel, path in found), leftovers
    entries = dict(found)
    wanted: set[str] = set()
    for arg in args:
        for path in resolve_scan_argument(root, arg):
            inside = _inside(root, path)
            if inside is None or inside not in entries:
                raise ScanRepoError(
                    f"{arg}: not a scan below {keys.SCANS_DIR}/; tools/migrate moves scans "
                    f"within {keys.SCANS_DIR}/ only"
                )
            wanted.add(inside)
    by_key: dict[str, set[str]] = defaultdict(set)
    for rel in entries:
        if where := keys.parse_scan_path(rel):
            by_key[where[2]].add(rel)
    for rel in list(wanted):
        if where := keys.parse_scan_path(rel):
            wanted |= by_key[where[2]]
    return iter([(str(entries[rel]), rel) for rel in sorted(wanted)]), leftovers


def _scan_files(root: Path, leftovers: list[Path]) -> Iterator[tuple[str, Path]]:
    """(repo-relative path, path) of each scan file; abandoned temporary files to
    ``leftovers``."""
    for rel, path in walk_scans(root):
        name = rel.rsplit("/", 1)[-1]
        if is_leftover_temp(name):
            if is_abandoned_temp(name):
                leftovers.append(path)
        elif name.endswith(".json"):
            yield rel, path


def _inside(root: Path, path: Path) -> str | None:
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def plan_migration(
    root: Path,
    migrator: Migrator,
    args: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Progress = None,
    *,
    write: bool = False,
    objects: BlobPacks | None = None,
) -> Plan:
    """The migration of the scans below ``root`` (or those named) to ``migrator.target``.

    With ``write``, each new scan is written beside its destination as it is checked (with
    ``objects``, stored in git too), and a plan with problems has removed them all again.
    """
    files, leftovers = select_files(root, args)
    plan = Plan(migrator.target, Pending(root), leftovers=leftovers)
    writer = plan.pending.writer(objects) if write else None
    try:
        by_key: dict[str, list[Prepared]] = defaultdict(list)
        for item in prepare_files(files, migrator, writer, workers, progress):
            if item.target is not None and item.written is not None:
                item = replace(item, written=plan.pending.note(item.target, item.written))
            if item.key is None:
                plan.problems.extend(item.problems)
                plan.failed_files.add(item.relpath)
            else:
                by_key[item.key].append(item)
        for key, group in sorted(by_key.items()):
            _plan_paper(plan, root, key, group)
        if plan.problems:
            plan.pending.discard()
    except BaseException:
        plan.pending.discard()
        raise
    plan.problems.sort(key=lambda p: (p.file, p.line or 0, p.col or 0, p.path, p.message))
    return plan


def _plan_paper(plan: Plan, root: Path, key: str, group: list[Prepared]) -> None:
    movers = [p for p in group if not p.current]
    currents = [p for p in group if p.current]
    if not movers:
        plan.current += len(currents)
        plan.current_with_problems.extend(p.relpath for p in currents if p.problems)
        if len(currents) == 1:
            plan.finals[key] = currents[0].relpath
        return
    paper = _plan_movers(plan, root, key, movers, currents)
    kept = paper.target if paper is not None and paper.write else None
    for target in {p.target for p in movers if p.target is not None} - {kept}:
        plan.pending.drop(target)  # written, but not to be renamed into place
    if paper is None:
        return
    failure = next((p.written.failure for p in movers if p.written and p.written.failure), None)
    if paper.write and failure is not None and plan.failure is None:
        plan.failure = f"{paper.target}: {failure}"
    plan.finals[key] = paper.target
    plan.papers.append(paper)


def _plan_movers(
    plan: Plan, root: Path, key: str, movers: list[Prepared], currents: list[Prepared]
) -> PaperPlan | None:
    """The plan of a paper with files to move, or None when a problem stops it."""
    blocked = [p for p in movers if p.problems]
    if blocked:
        for item in blocked:
            plan.problems.extend(item.problems)
            plan.failed_files.add(item.relpath)
        return None
    group = movers + currents
    if len({p.digest for p in group}) > 1 or len({p.target for p in group}) > 1:
        names = sorted(p.relpath for p in group)
        for name in names:
            others = ", ".join(n for n in names if n != name)
            plan.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "$",
                    f"paper {key} has more than one scan (also {others}) and they are not the "
                    f"same scan at v{plan.target}; keep the right one, delete the others, rerun",
                    "layout",
                )
            )
            plan.failed_files.add(name)
        return None
    target = movers[0].target
    assert target is not None
    if (symlink := symlink_above(root, target, plan.symlinked)) is not None:
        plan.problems.append(
            Problem(
                movers[0].relpath,
                None,
                None,
                "$",
                f"{symlink} {SYMLINK_REFUSAL}",
                "io",
            )
        )
        plan.failed_files.add(movers[0].relpath)
        return None
    return PaperPlan(
        key=key,
        sources=tuple(p.relpath for p in movers),
        from_versions=tuple(p.version for p in movers if p.version is not None),
        target=target,
        write=not currents,
    )
