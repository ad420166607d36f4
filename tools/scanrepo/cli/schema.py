"""tools/schema: the lifecycle of the scan format's versions, one subcommand each.

Each subcommand is a pair in ``SUBCOMMANDS``: a function adding its arguments and one running
it; the work is done in ``scanrepo.schema``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit, scan_version
from scanrepo.errors import ScanRepoError
from scanrepo.toolkit import SCHEMA_DIR

Arguments = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "versions",
        nargs="*",
        type=scan_version,
        metavar="VERSION",
        help="two versions A B (default: the two newest); with --rev, the versions to compare "
        "(default: all)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--rev",
        metavar="REV",
        help="compare each version's file at REV with the working tree (or A..B, A...B as "
        "git reads them); a released version's changed schema is marked frozen",
    )
    mode.add_argument(
        "--frozen",
        action="store_true",
        help="compare each released version's schema with its state when released",
    )
    parser.add_argument("--format", choices=["text", "markdown", "json"], default="text")


def _diff(args: argparse.Namespace) -> int:
    from scanrepo.render.schema_diff import render_json, render_markdown, render_text
    from scanrepo.schema import revisions
    from scanrepo.schema.stored import read_schemas
    from scanrepo.vcs.repo import GitRepo

    if args.rev is not None or args.frozen:
        with GitRepo(Path.cwd()) as repo:
            if args.frozen:
                if args.versions:
                    raise ScanRepoError("--frozen takes no versions")
                diffs = revisions.against_release(repo, SCHEMA_DIR)
            else:
                diffs = revisions.between_revisions(repo, SCHEMA_DIR, args.rev, args.versions)
    else:
        diffs = [revisions.between_versions(read_schemas(SCHEMA_DIR), args.versions)]
    render = {"text": render_text, "markdown": render_markdown, "json": render_json}
    sys.stdout.write(render[args.format](diffs))
    if args.frozen and not diffs and args.format == "text":
        emit("no released schema has changed")
    return EXIT_PROBLEMS if any(d.status != "unchanged" for d in diffs) else EXIT_OK


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "step",
        nargs="?",
        type=scan_version,
        metavar="N",
        help="check only the step from vN to vN+1 (default: every step)",
    )
    parser.add_argument(
        "--examples",
        type=_positive,
        metavar="N",
        help="scans generated each way, each step (default: 100; 25 with --quick)",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="S",
        help="the seed of the generated scans: the same seed, the same scans (default: 0)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer generated scans, for CI (see --examples)"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")


def _check(args: argparse.Namespace) -> int:
    from scanrepo.cli.common import find_root
    from scanrepo.render.schema_check import render_json, render_text
    from scanrepo.schema.check import EXAMPLES, QUICK_EXAMPLES, check_step
    from scanrepo.toolkit import Toolkit

    toolkit = Toolkit()
    chain = toolkit.chain
    known = " → ".join(f"v{v}" for v in chain.versions)
    steps = [s for s in chain.steps if args.step in (None, s.from_version)]
    if not chain.steps:
        raise ScanRepoError(f"no migration step to check: the chain is {known} alone")
    if not steps:
        raise ScanRepoError(f"no step from v{args.step}: the chain is {known}")
    examples = args.examples or (QUICK_EXAMPLES if args.quick else EXAMPLES)
    root = find_root(Path.cwd())
    results = [check_step(s, toolkit.registry, root, examples, args.seed) for s in steps]
    if args.format == "json":
        sys.stdout.write(render_json(results))
    else:
        emit(render_text(results).rstrip("\n"))
    return EXIT_OK if all(r.proven for r in results) else EXIT_PROBLEMS


SUBCOMMANDS: dict[str, tuple[str, Arguments, Run]] = {
    "diff": (
        "every difference between two schemas, where it lands in a scan and what it asks of "
        "the migration; exit 0 no change, 1 changes, 2 error",
        _diff_arguments,
        _diff,
    ),
    "check": (
        "prove each migration step vN -> vN+1 against its two schemas, with scans generated "
        "from them (shrunk to a minimal counterexample) and every vN scan in the work tree and "
        "history: upgrade gives a valid vN+1 scan that downgrade gives back; downgrade of a "
        "generated vN+1 scan refuses it or gives a valid vN scan that upgrade gives back; "
        "neither mutates its input nor gives two results for one; every schema change no "
        "generated scan exercised is reported. Runs the migrations in this process. Exit 0 "
        "every step proven, 1 a counterexample or an unexercised change, 2 error",
        _check_arguments,
        _check,
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="tools/schema",
        description="The lifecycle of the scan format's versions (see README.md, 'Schema "
        "lifecycle').",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, arguments, _) in SUBCOMMANDS.items():
        arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    return SUBCOMMANDS[args.command][2](args)
