"""tools/merge-driver: git's merge driver for scans (``merge=scanrepo`` in .gitattributes).

git runs ``tools/merge-driver %O %A %B %P`` from the top of the work tree with the common
ancestor, ours and theirs in temporary files; the merged scan replaces the content of %A.
Exit 0 merged, 1 conflicts (the file holds a valid scan with the kept side's values; the
conflicts are recorded for tools/resolve), 2 error (the file is left as ours was). The driver's
logic is ``merge.driver``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit
from scanrepo.merge.driver import DriverFiles, drive
from scanrepo.merge.threeway import SIDES


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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    files = DriverFiles(Path(args.base), Path(args.ours), Path(args.theirs), args.path)
    merged = drive(files, args.keep, Path.cwd(), lambda text: emit(text, sys.stderr))
    return EXIT_OK if merged else EXIT_PROBLEMS
