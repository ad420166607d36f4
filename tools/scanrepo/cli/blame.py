"""tools/blame KEY [REV]: for each checklist item, claim and red flag of a paper's scan, the
commit that last changed its answer and the one that last changed its justification."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, ArgumentParser, use_color
from scanrepo.cli.log import known_keys, paper_key_argument, unknown_paper
from scanrepo.errors import ScanRepoError
from scanrepo.format.items import resolve_name
from scanrepo.history.blame import PaperBlame, blob_at
from scanrepo.render.blame import render_blame
from scanrepo.render.inert import json_safe
from scanrepo.toolkit import Toolkit
from scanrepo.vcs.repo import GitRepo


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/blame",
        allow_abbrev=False,
        description="Who set each answer of a paper's scan, when and with which model: for "
        "each checklist item, claim and red flag, the commit that last changed its answer "
        "(and applies) and, apart, the one that last changed its justification; migrations "
        "and moves are no change. Exit 0 shown, 2 error.",
    )
    parser.add_argument("key", metavar="KEY", help="a paper key (2602.07852) or a scan's path")
    parser.add_argument(
        "rev", nargs="?", default="HEAD", metavar="REV", help="start from this commit (HEAD)"
    )
    parser.add_argument(
        "--item",
        metavar="ITEM",
        help="only this item (its name or a short one, as tools/log --item), claim "
        "(claims[<claim text>]) or red flag (red_flags[<flag>])",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_intermixed_args(argv)
    toolkit = Toolkit()
    cwd = Path.cwd()
    with GitRepo(cwd) as repo:
        commit = repo.resolve(args.rev)
        key = paper_key_argument(args.key, repo, args.rev, cwd)
        start = blob_at(repo, commit, key, toolkit.registry.versions)
        if start is None:
            if key not in (known := known_keys(repo, args.rev)):
                raise unknown_paper(args.key, args.rev, known)
            raise ScanRepoError(f"paper {key} has no scan in {args.rev} ({commit[:12]})")
        blame = PaperBlame(repo, key, commit, start, toolkit.registry, toolkit.chain)
        only = None
        if args.item is not None:
            where = f"in the scan of paper {key} at {args.rev}"
            only = resolve_name(args.item, blame.names(), option="--item", where=where)
        parts = blame.parts(only)
    if args.format == "json":
        document = {
            "paper": key,
            "revision": args.rev,
            "commit": commit,
            "path": blame.start.path,
            "parts": [part.to_json() for part in parts],
        }
        sys.stdout.write(json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n")
    else:
        sys.stdout.write(render_blame(key, args.rev, commit, parts, use_color(args.color)))
    return EXIT_OK
