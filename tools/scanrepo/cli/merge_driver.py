"""tools/merge-driver: git's merge driver for scans (``merge=scanrepo`` in .gitattributes).

git runs ``tools/merge-driver %O %A %B %P`` from the top of the work tree with the common
ancestor, ours and theirs in temporary files; the merged scan replaces the content of %A.
Exit 0 merged, 1 conflicts (the file holds a valid scan with the kept side's values; the
conflicts are recorded for tools/resolve), 2 error (the file is left as ours was).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit
from scanrepo.errors import ScanRepoError
from scanrepo.format.keys import parse_scan_path
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.fs.atomic import write_files
from scanrepo.merge import record as mergerecord
from scanrepo.merge.paper import PaperMerge, merge_paper
from scanrepo.merge.record import MergeRecord
from scanrepo.merge.threeway import SIDES
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import too_large

PREFIX = "scanrepo merge"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/merge-driver",
        description="Merge three versions of a scan item by item (git runs this as the "
        "'scanrepo' merge driver that tools/setup-git configures). "
        "Exit 0 merged, 1 conflicts or unmergeable input, 2 error.",
    )
    parser.add_argument("base", metavar="BASE", help="the common ancestor (git's %%O)")
    parser.add_argument("ours", metavar="OURS", help="our version; receives the result (%%A)")
    parser.add_argument("theirs", metavar="THEIRS", help="their version (%%B)")
    parser.add_argument("path", metavar="PATH", help="the path of the merged scan (%%P)")
    parser.add_argument(
        "--keep",
        choices=SIDES,
        default="ours",
        help="whose value a conflicting item keeps in the file (default: ours)",
    )
    return parser


def _read(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise ScanRepoError(f"{name}: cannot read: {exc.strerror}") from exc


def report(merge: PaperMerge, key: str) -> None:
    path = merge.path
    if merge.problems:
        emit(
            f"{PREFIX}: {path}: cannot merge it item by item; the file is ours as it was:",
            sys.stderr,
        )
        for problem in merge.problems:
            emit(f"  {problem.render()}", sys.stderr)
    else:
        count = len(merge.conflicts)
        emit(f"{PREFIX}: {path}: {count} conflict{'s' * (count != 1)}:", sys.stderr)
        for conflict in merge.conflicts:
            emit(f"  {conflict.where} (the file holds {conflict.kept})", sys.stderr)
    emit(f"  see and resolve: tools/resolve {key}", sys.stderr)


def _too_large(args: argparse.Namespace) -> list[Problem]:
    """The sides over the size limit, found from their size alone (never read)."""
    found = []
    for label in ("base", "ours", "theirs"):
        name = getattr(args, label)
        try:
            size = Path(name).stat().st_size
        except OSError as exc:
            raise ScanRepoError(f"{name}: cannot read: {exc.strerror}") from exc
        if size > MAX_BYTES:
            found.append(too_large(f"{label}:{args.path}", size))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if oversized := _too_large(args):
        emit(
            f"{PREFIX}: {args.path}: cannot merge it item by item; the file is ours as it was:",
            sys.stderr,
        )
        for problem in oversized:
            emit(f"  {problem.render()}", sys.stderr)
        return EXIT_PROBLEMS
    base, ours, theirs = _read(args.base), _read(args.ours), _read(args.theirs)
    toolkit = Toolkit()
    registry, chain = toolkit.registry, toolkit.chain
    merge = merge_paper(args.path, base, ours, theirs, chain, registry, keep=args.keep)
    if merge.data is not None:
        write_files({Path(args.ours): merge.data})
    records = mergerecord.records_dir(Path.cwd())
    if not merge.conflicts and not merge.problems:
        mergerecord.forget(records, args.path)
        return EXIT_OK
    where = parse_scan_path(args.path)
    key = where[2] if where else args.path
    mergerecord.save(records, MergeRecord.of(merge, key, args.keep, kept=ours))
    report(merge, key)
    return EXIT_PROBLEMS
