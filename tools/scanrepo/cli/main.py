"""The ``scanrepo`` console command: one subcommand per tool in tools/."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from scanrepo.cli.common import EXIT_ERROR, run

COMMANDS = {
    "validate": "scanrepo.cli.validate",
    "setup-git": "scanrepo.cli.setup_git",
    "migrate": "scanrepo.cli.migrate",
    "add": "scanrepo.cli.add",
    "diff": "scanrepo.cli.diff",
    "log": "scanrepo.cli.log",
    "blame": "scanrepo.cli.blame",
    "textconv": "scanrepo.cli.scan_textconv",
    "stats": "scanrepo.cli.stats",
    "export": "scanrepo.cli.export",
    "report": "scanrepo.cli.report",
    "merge-driver": "scanrepo.cli.merge_driver",
    "resolve": "scanrepo.cli.resolve",
    "bench": "scanrepo.cli.bench",
    "schema": "scanrepo.cli.schema",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        print("usage: scanrepo {" + ",".join(COMMANDS) + "} [options]", file=sys.stderr)
        if args and args[0] not in ("-h", "--help"):
            print(f"scanrepo: unknown command {args[0]!r}", file=sys.stderr)
            return EXIT_ERROR
        return 0 if args else EXIT_ERROR
    module = importlib.import_module(COMMANDS[args[0]])
    return run(module.main, args[1:])


def entry() -> None:
    raise SystemExit(main())
