"""tools/resolve: list the scan conflicts of a merge in progress and pick a side per item.

The workflow is ``merge.resolve``; this module parses the arguments and sets the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit
from scanrepo.merge.resolve import Session, accept, list_conflicts, merge_unpaired, take
from scanrepo.merge.threeway import SIDES
from scanrepo.vcs.repo import GitRepo


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
        help="only this conflict, as listed, or its last parts where one conflict has them "
        "(significance_tests); repeatable",
    )
    parser.add_argument(
        "--accept",
        action="store_true",
        help="take the file as it is now (your hand edit) as the paper's resolution, once it is "
        "a valid scan",
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.merge and (args.paper or args.take):
        parser.error("--merge goes alone; resolve what it leaves with --take afterwards")
    if args.accept and (args.take or args.item or args.force or args.merge or not args.paper):
        parser.error("--accept goes with the paper and --add only: tools/resolve KEY --accept")
    if (args.item or args.force or (args.add and not args.accept)) and not args.take:
        parser.error("--item, --add and --force go with --take (--add also with --accept)")
    if args.take and not args.paper and not args.merge:
        parser.error("--take needs the paper: tools/resolve KEY --take ours|theirs")
    with GitRepo(Path.cwd()) as repo:
        session = Session(repo, emit, lambda text: emit(text, sys.stderr))
        if args.merge:
            done = merge_unpaired(session)
        else:
            record = session.find(args.paper) if args.paper else None
            if record is not None and args.accept:
                done = accept(session, record, args.add)
            elif record is None or not args.take:
                done = list_conflicts(session, record)
            else:
                done = take(session, record, args.take, args.item, args.add, args.force)
        return EXIT_OK if done else EXIT_PROBLEMS
