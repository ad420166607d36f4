"""The resolve workflow: list the scan conflicts of a merge in progress, pick a side per item,
merge the papers git could not pair by path, and stage what is resolved.

tools/resolve parses its arguments and turns the outcome into an exit code; everything it does
is here. Each step returns True when it is done (nothing is left to do, or the choice was
applied) and False when it listed conflicts or refused; what it says goes through the session's
``say`` (standard output) and ``warn`` (standard error).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from scanrepo.errors import JsonSyntaxError, ScanRepoError, UnknownNameError, closest
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.items import resolve_name
from scanrepo.format.keys import normalise_key_argument
from scanrepo.format.strictjson import parse_strict
from scanrepo.fs.atomic import write_files
from scanrepo.merge import record as mergerecord
from scanrepo.merge.paper import digest, merge_docs, merge_paper
from scanrepo.merge.record import MergeRecord
from scanrepo.merge.state import (
    InProgress,
    MergeHeads,
    index_paths_by_key,
    key_of,
    unmerged,
    unpaired,
)
from scanrepo.merge.threeway import Side
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Problem
from scanrepo.render.conflicts import conflict_lines
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import check_scan
from scanrepo.vcs.repo import GitRepo

Say = Callable[[str], None]

# What git's stages of an unpaired path say happened to the paper.
_UNPAIRED = {
    frozenset({1, 3}): "changed by theirs; ours deleted it or moved it to another version",
    frozenset({1, 2}): "changed by ours; theirs deleted it or moved it to another version",
    frozenset({2, 3}): "added by both sides, so git knows no common version",
}


class Session:
    """One run: the repository, the index state and the records still live."""

    def __init__(self, repo: GitRepo, say: Say, warn: Say) -> None:
        self.repo = repo
        self.say, self.warn = say, warn
        self.state = unmerged(repo)
        self.store = mergerecord.records_dir(repo.root)
        self.progress = InProgress.of(repo)
        self.records, stale = mergerecord.load_live(repo, self.progress)
        for record in stale:
            mergerecord.forget(self.store, record.path)
        if stale:
            self.warn(f"(dropped {len(stale)} record(s) of merges no longer in progress)")
        self._sides_told = False
        self.toolkit = Toolkit()
        self.registry = self.toolkit.registry

    @property
    def chain(self) -> Chain:
        return self.toolkit.chain

    def tell_sides(self) -> None:
        """During a rebase, say which side is which (once)."""
        if not self._sides_told and (sides := self.progress.sides(self.repo)):
            self.say(sides)
        self._sides_told = True

    def unpaired(self) -> list[str]:
        """Unpaired paths of papers not yet paired by key (the merge driver may have merged an
        added-on-both-sides file without its base; pairing by key finds the base)."""
        paired = {record.key for record in self.records if record.by_key}
        return [path for path in unpaired(self.state) if key_of(path) not in paired]

    def record_of(self, key: str) -> MergeRecord | None:
        return next((record for record in self.records if record.key == key), None)

    def find(self, argument: str) -> MergeRecord:
        key = normalise_key_argument(argument)
        relpath = _relative(self.repo, argument)
        for record in self.records:
            if record.key == key or relpath in record.files:
                return record
        raise UnknownNameError(
            f"{argument}: no recorded scan conflict (run tools/resolve to list)",
            closest(key or argument, [record.key for record in self.records]),
        )

    def stage(self, record: MergeRecord) -> None:
        if record.remove:
            self.repo.run("rm", "-q", "-f", "--ignore-unmatch", "--", *record.remove)
        self.repo.run("add", "--", record.path)


def _relative(repo: GitRepo, argument: str) -> str | None:
    try:
        return (Path.cwd() / argument).resolve().relative_to(repo.root.resolve()).as_posix()
    except ValueError:
        return None


def unchanged(repo: GitRepo, record: MergeRecord) -> bool:
    """Whether the file still holds what the merge wrote."""
    try:
        return digest((repo.root / record.path).read_bytes()) == record.written
    except FileNotFoundError:
        return False


def stage_hint(record: MergeRecord) -> str:
    removals = "".join(f"git rm {path} && " for path in record.remove)
    return f"{removals}git add {record.path}"


def show(session: Session, record: MergeRecord) -> None:
    if not record.open:
        session.say(f"{record.path}: no conflicts left; stage it: {stage_hint(record)}")
        return
    if record.sides is None:
        session.say(f"{record.path}: could not be merged item by item; the file is ours as it was:")
        for problem in record.problems:
            session.say(f"  {problem.render()}")
        session.say(
            f"  take one side's whole file: tools/resolve {record.key} --take ours|theirs; "
            f"or edit it and accept your edit: tools/resolve {record.key} --accept --add"
        )
        return
    count = len(record.conflicts)
    session.say(f"{record.path}: {count} conflict{'s' * (count != 1)}")
    for conflict in record.conflicts:
        for line in conflict_lines(conflict):
            session.say(line)
    session.say(f"  pick a side: tools/resolve {record.key} --take ours|theirs [--item WHERE]")


def list_conflicts(session: Session, only: MergeRecord | None) -> bool:
    records = [only] if only is not None else session.records
    loose = [] if only is not None else session.unpaired()
    if records or loose:
        session.tell_sides()
    for record in records:
        show(session, record)
    for path in loose:
        why = _UNPAIRED.get(session.state[path], "git could not merge it")
        session.say(f"{path}: {why}")
    if loose:
        session.say(
            "  merge these papers item by item, pairing them by paper key: tools/resolve --merge"
        )
    if not any(record.open for record in records) and not loose:
        if not records:
            session.say("no scan conflicts")
        return True
    return False


def merge_unpaired(session: Session, keep: Side = "ours") -> bool:
    repo = session.repo
    loose = sorted({key for path in session.unpaired() if (key := key_of(path))})
    if not loose:
        session.say("no papers to pair: every scan conflict has been merged item by item")
        return True
    heads = MergeHeads(repo)
    by_key = index_paths_by_key(repo)
    status = True
    for key in loose:
        paper = heads.paper(key, by_key.get(key, []))
        earlier = session.record_of(key)
        if earlier is not None and not unchanged(repo, earlier):
            session.say(f"{earlier.path}: changed since the merge driver wrote it; left as it is")
            status = False
            continue
        if paper.ours is None or paper.theirs is None:
            gone = "ours" if paper.ours is None else "theirs"
            session.say(f"{key}: deleted by {gone}: keep it with git add, or delete it with git rm")
            status = False
            continue
        merge = merge_paper(
            paper.path,
            paper.base.data if paper.base else None,
            paper.ours.data,
            paper.theirs.data,
            session.chain,
            session.registry,
            keep,
        )
        record = MergeRecord.of(
            merge,
            key,
            keep,
            kept=paper.ours.data,
            remove=list(paper.remove),
            by_key=True,
            head=session.progress.head,
        )
        if merge.data is None:
            session.say(f"{key}: cannot be merged item by item:")
            for problem in merge.problems:
                session.say(f"  {problem.render()}")
            status = False
            continue
        write_files({repo.root / paper.path: merge.data})
        if earlier is not None:
            mergerecord.forget(session.store, earlier.path)
        if not merge.conflicts:
            session.stage(record)
            session.say(
                f"merged {paper.path} ({_origin(paper.ours.path, paper.theirs.path)}); staged"
            )
            continue
        mergerecord.save(session.store, record)
        show(session, record)
        status = False
    return status


def _origin(ours: str, theirs: str) -> str:
    return f"ours from {ours}" if ours == theirs else f"ours from {ours}, theirs from {theirs}"


def _match(wanted: Sequence[str], known: Sequence[str], path: str) -> list[str]:
    """The conflicts ``wanted`` name, as listed or in any spelling of ``format.items``."""
    try:
        return [
            resolve_name(item, known, option="--item", where=f"in {path}", what="conflict")
            for item in wanted
        ]
    except ScanRepoError as exc:
        listing = "\n  ".join(known)
        raise ScanRepoError(f"{exc}\nthe conflicts are:\n  {listing}") from None


def take(
    session: Session, record: MergeRecord, side: Side, items: list[str], add: bool, force: bool
) -> bool:
    repo = session.repo
    session.tell_sides()
    if not record.open and not items and unchanged(repo, record):
        finish(session, record, add)  # resolved already: what is left is to stage it
        return True
    if not unchanged(repo, record) and not force:
        session.warn(
            f"{record.path}: changed since the merge wrote it; --take would replace your edits "
            "(rerun with --force to do so anyway)"
        )
        return False
    if record.sides is None or record.scan_version is None:
        if items:
            raise ScanRepoError(f"{record.path} was not merged item by item: --item cannot apply")
        return take_file(session, record, side, add)
    remaining = [conflict.where for conflict in record.conflicts]
    chosen = _match(items, [*remaining, *record.choices], record.path) if items else remaining
    choices = {**record.choices, **dict.fromkeys(chosen, side)}
    merge = merge_docs(
        record.path,
        record.sides,
        record.scan_version,
        session.chain,
        session.registry,
        record.keep,
        choices,
    )
    if merge.data is None:
        session.say(f"{record.path}: the result would not be a valid scan; nothing written:")
        for problem in merge.problems:
            session.say(f"  {problem.render()}")
        return False
    write_files({repo.root / record.path: merge.data})
    left = [conflict for conflict in merge.conflicts if conflict.where not in choices]
    for where in chosen:
        session.say(f"{record.path}: {where}: took {side}")
    if left:
        record.conflicts, record.choices, record.written = left, choices, digest(merge.data)
        mergerecord.save(session.store, record)
        session.say(f"{len(left)} conflict(s) left in {record.path}: tools/resolve {record.key}")
        return True
    record.choices, record.written = choices, digest(merge.data)
    finish(session, record, add)
    return True


def accept(session: Session, record: MergeRecord, add: bool) -> bool:
    """The file as it is now (a hand edit) is the paper's resolution, once it is a valid scan."""
    try:
        data = (session.repo.root / record.path).read_bytes()
    except FileNotFoundError:
        session.warn(f"{record.path}: no such file: nothing to accept")
        return False
    problems = check_scan(data, record.path, record.path, session.registry).problems
    if problems:
        session.say(f"{record.path}: not a valid scan; not accepted:")
        for problem in problems:
            session.say(f"  {problem.render()}")
        return False
    session.say(f"{record.path}: accepted as it is, as the resolution")
    record.written = digest(data)
    finish(session, record, add)
    return True


def finish(session: Session, record: MergeRecord, add: bool) -> None:
    """Staged, the record is done with; not yet, it stays, resolved, for ``--take SIDE --add``
    (and lets the file be committed once staged)."""
    if add:
        mergerecord.forget(session.store, record.path)
        session.stage(record)
        session.say(f"{record.path}: no conflicts left; valid; staged")
    else:
        record.conflicts, record.problems = [], []
        mergerecord.save(session.store, record)
        session.say(f"{record.path}: no conflicts left; valid; stage it: {stage_hint(record)}")


def take_file(session: Session, record: MergeRecord, side: Side, add: bool) -> bool:
    """A file that could not be merged item by item: one side's whole version, as git's index
    holds it, checked and written in canonical form."""
    stage = 2 if side == "ours" else 3
    blobs = [e.blob for e in session.repo.index_entries(record.path) if e.stage == stage]
    rev = session.progress.side_rev(side)
    if not blobs and rev is not None:  # the file was staged already: the side's commit has it
        found = session.repo.run("ls-tree", "-z", rev, "--", record.path).split("\t", 1)[0]
        blobs = found.split()[2:3]
    if not blobs:
        session.warn(f"{record.path}: git holds no {side} version of it")
        return False
    [(_, data)] = list(session.repo.read_blobs(blobs[:1]))
    name = f"{side}:{record.path}"
    try:
        data = canonical_bytes(parse_strict(data))
    except JsonSyntaxError as exc:
        problems = [Problem(name, exc.line, exc.col, exc.path, exc.message, "syntax")]
    else:
        problems = check_scan(data, name, record.path, session.registry).problems
    if problems:
        session.say(f"{record.path}: the {side} version is no valid scan; nothing written:")
        for problem in problems:
            session.say(f"  {problem.render()}")
        return False
    write_files({session.repo.root / record.path: data})
    record.written = digest(data)
    session.say(f"{record.path}: took the {side} version")
    finish(session, record, add)
    return True
