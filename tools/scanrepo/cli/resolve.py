"""tools/resolve: list the scan conflicts of a merge in progress and pick a side per item."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit
from scanrepo.errors import JsonSyntaxError, ScanRepoError
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.keys import normalise_key_argument
from scanrepo.format.strictjson import parse_strict
from scanrepo.fs.atomic import write_files
from scanrepo.merge import record as mergerecord
from scanrepo.merge.paper import digest, merge_docs, merge_paper
from scanrepo.merge.record import MergeRecord
from scanrepo.merge.state import MergeHeads, index_paths_by_key, key_of, unmerged, unpaired
from scanrepo.merge.threeway import SIDES, Side
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Problem
from scanrepo.render.conflicts import conflict_lines
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import check_scan
from scanrepo.vcs.repo import GitRepo

# What git's stages of an unpaired path say happened to the paper.
_UNPAIRED = {
    frozenset({1, 3}): "changed by theirs; ours deleted it or moved it to another version",
    frozenset({1, 2}): "changed by ours; theirs deleted it or moved it to another version",
    frozenset({2, 3}): "added by both sides, so git knows no common version",
}


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/resolve",
        description="List the conflicts the scan merge driver recorded in a merge in progress, "
        "and resolve them by picking a side per item. "
        "Exit 0 nothing left to do (or the choice was applied), 1 conflicts listed or refused, "
        "2 usage or internal error.",
    )
    parser.add_argument(
        "paper", nargs="?", metavar="KEY|PATH", help="the paper (default: list every paper)"
    )
    parser.add_argument(
        "--take",
        choices=SIDES,
        help="resolve the paper's conflicts (or those given with --item) with this side's values",
    )
    parser.add_argument(
        "--item",
        action="append",
        default=[],
        metavar="WHERE",
        help="only this conflict, as listed (or the end of it after a dot: "
        "significance_tests); repeatable",
    )
    parser.add_argument(
        "--add", action="store_true", help="stage the file once no conflict is left (git add)"
    )
    parser.add_argument(
        "--force", action="store_true", help="apply --take even to a file edited since the merge"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="merge, item by item, the papers git could not pair by path (a scan moved to "
        "another version directory on one side and changed on the other, or added on both)",
    )
    return parser


class Session:
    """One run: the repository, the index state and the records still live."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self.state = unmerged(repo)
        self.store = mergerecord.records_dir(repo.root)
        self.records: list[MergeRecord] = []
        stale = 0
        for record in mergerecord.load_all(self.store):
            if any(path in self.state for path in record.files):
                self.records.append(record)
            else:
                mergerecord.forget(self.store, record.path)
                stale += 1
        if stale:
            emit(f"(dropped {stale} record(s) of merges no longer in progress)", sys.stderr)
        self.toolkit = Toolkit()
        self.registry = self.toolkit.registry

    @property
    def chain(self) -> Chain:
        return self.toolkit.chain

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
        raise ScanRepoError(f"{argument}: no recorded scan conflict (run tools/resolve to list)")

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


def show(record: MergeRecord) -> None:
    if record.sides is None:
        emit(f"{record.path}: could not be merged item by item; the file is ours as it was:")
        for problem in record.problems:
            emit(f"  {problem.render()}")
        emit(
            f"  take one side's whole file: tools/resolve {record.key} --take ours|theirs; "
            f"or edit it, check it with tools/validate {record.path} and git add it"
        )
        return
    count = len(record.conflicts)
    emit(f"{record.path}: {count} conflict{'s' * (count != 1)}")
    for conflict in record.conflicts:
        for line in conflict_lines(conflict):
            emit(line)
    emit(f"  pick a side: tools/resolve {record.key} --take ours|theirs [--item WHERE]")


def list_conflicts(session: Session, only: MergeRecord | None) -> int:
    records = [only] if only is not None else session.records
    for record in records:
        show(record)
    loose = [] if only is not None else session.unpaired()
    for path in loose:
        why = _UNPAIRED.get(session.state[path], "git could not merge it")
        emit(f"{path}: {why}")
    if loose:
        emit("  merge these papers item by item, pairing them by paper key: tools/resolve --merge")
    if not records and not loose:
        emit("no scan conflicts")
        return EXIT_OK
    return EXIT_PROBLEMS


def merge_unpaired(session: Session, keep: Side = "ours") -> int:
    repo = session.repo
    loose = sorted({key for path in session.unpaired() if (key := key_of(path))})
    if not loose:
        emit("no papers to pair: every scan conflict has been merged item by item")
        return EXIT_OK
    heads = MergeHeads(repo)
    by_key = index_paths_by_key(repo)
    status = EXIT_OK
    for key in loose:
        paper = heads.paper(key, by_key.get(key, []))
        earlier = session.record_of(key)
        if earlier is not None and not unchanged(repo, earlier):
            emit(f"{earlier.path}: changed since the merge driver wrote it; left as it is")
            status = EXIT_PROBLEMS
            continue
        if paper.ours is None or paper.theirs is None:
            gone = "ours" if paper.ours is None else "theirs"
            emit(f"{key}: deleted by {gone}: keep it with git add, or delete it with git rm")
            status = EXIT_PROBLEMS
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
            merge, key, keep, kept=paper.ours.data, remove=list(paper.remove), by_key=True
        )
        if merge.data is None:
            emit(f"{key}: cannot be merged item by item:")
            for problem in merge.problems:
                emit(f"  {problem.render()}")
            status = EXIT_PROBLEMS
            continue
        write_files({repo.root / paper.path: merge.data})
        if earlier is not None:
            mergerecord.forget(session.store, earlier.path)
        if not merge.conflicts:
            session.stage(record)
            emit(f"merged {paper.path} ({_origin(paper.ours.path, paper.theirs.path)}); staged")
            continue
        mergerecord.save(session.store, record)
        show(record)
        status = EXIT_PROBLEMS
    return status


def _origin(ours: str, theirs: str) -> str:
    return f"ours from {ours}" if ours == theirs else f"ours from {ours}, theirs from {theirs}"


def _match(wanted: Sequence[str], known: Sequence[str]) -> list[str]:
    chosen = []
    for item in wanted:
        if item in known:
            chosen.append(item)
            continue
        ends = [where for where in known if where.split(" (")[0].endswith("." + item)]
        if len(ends) != 1:
            listing = "\n  ".join(known)
            problem = "matches several conflicts" if ends else "is no conflict of this paper"
            raise ScanRepoError(f"--item {item!r} {problem}; the conflicts are:\n  {listing}")
        chosen.append(ends[0])
    return chosen


def take(
    session: Session, record: MergeRecord, side: Side, items: list[str], add: bool, force: bool
) -> int:
    repo = session.repo
    if not unchanged(repo, record) and not force:
        emit(
            f"{record.path}: changed since the merge wrote it; --take would replace your edits "
            "(rerun with --force to do so anyway)",
            sys.stderr,
        )
        return EXIT_PROBLEMS
    if record.sides is None or record.scan_version is None:
        if items:
            raise ScanRepoError(f"{record.path} was not merged item by item: --item cannot apply")
        return take_file(session, record, side, add)
    remaining = [conflict.where for conflict in record.conflicts]
    chosen = _match(items, [*remaining, *record.choices]) if items else remaining
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
        emit(f"{record.path}: the result would not be a valid scan; nothing written:")
        for problem in merge.problems:
            emit(f"  {problem.render()}")
        return EXIT_PROBLEMS
    write_files({repo.root / record.path: merge.data})
    left = [conflict for conflict in merge.conflicts if conflict.where not in choices]
    for where in chosen:
        emit(f"{record.path}: {where}: took {side}")
    if left:
        record.conflicts, record.choices, record.written = left, choices, digest(merge.data)
        mergerecord.save(session.store, record)
        emit(f"{len(left)} conflict(s) left in {record.path}: tools/resolve {record.key}")
        return EXIT_OK
    finish(session, record, add)
    return EXIT_OK


def finish(session: Session, record: MergeRecord, add: bool) -> None:
    mergerecord.forget(session.store, record.path)
    if add:
        session.stage(record)
        emit(f"{record.path}: no conflicts left; valid; staged")
    else:
        emit(f"{record.path}: no conflicts left; valid; stage it: {stage_hint(record)}")


def take_file(session: Session, record: MergeRecord, side: Side, add: bool) -> int:
    """A file that could not be merged item by item: one side's whole version, as git's index
    holds it, checked and written in canonical form."""
    stage = 2 if side == "ours" else 3
    blobs = [e.blob for e in session.repo.index_entries(record.path) if e.stage == stage]
    if not blobs:
        emit(f"{record.path}: git holds no {side} version of it", sys.stderr)
        return EXIT_PROBLEMS
    [(_, data)] = list(session.repo.read_blobs(blobs[:1]))
    name = f"{side}:{record.path}"
    try:
        data = canonical_bytes(parse_strict(data))
    except JsonSyntaxError as exc:
        problems = [Problem(name, exc.line, exc.col, exc.path, exc.message, "syntax")]
    else:
        problems = check_scan(data, name, record.path, session.registry).problems
    if problems:
        emit(f"{record.path}: the {side} version is no valid scan; nothing written:")
        for problem in problems:
            emit(f"  {problem.render()}")
        return EXIT_PROBLEMS
    write_files({session.repo.root / record.path: data})
    emit(f"{record.path}: took the {side} version")
    finish(session, record, add)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.merge and (args.paper or args.take):
        parser.error("--merge goes alone; resolve what it leaves with --take afterwards")
    if (args.item or args.add or args.force) and not args.take:
        parser.error("--item, --add and --force go with --take")
    if args.take and not args.paper and not args.merge:
        parser.error("--take needs the paper: tools/resolve KEY --take ours|theirs")
    with GitRepo(Path.cwd()) as repo:
        session = Session(repo)
        if args.merge:
            return merge_unpaired(session)
        record = session.find(args.paper) if args.paper else None
        if record is None or not args.take:
            return list_conflicts(session, record)
        return take(session, record, args.take, args.item, args.add, args.force)
