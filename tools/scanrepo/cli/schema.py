"""tools/schema: the lifecycle of the scan format's versions, one subcommand each.

Each subcommand is a pair in ``SUBCOMMANDS``: a function adding its arguments and one running
it; the work is done in ``scanrepo.schema``.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scanrepo.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ArgumentParser,
    emit,
    positive_int,
    scan_version,
)
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
    parser.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="text for a terminal; markdown for a pull-request comment; json for programs",
    )


def _diff(args: argparse.Namespace) -> int:
    from scanrepo.render.schema_diff import render_json, render_markdown, render_text
    from scanrepo.schema import revisions
    from scanrepo.schema.stored import read_schemas
    from scanrepo.toolkit import LOCATION
    from scanrepo.vcs.repo import GitRepo

    LOCATION.require()
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


def _new_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: the next version is the newest plus one


def _new(args: argparse.Namespace) -> int:
    from scanrepo.schema.scaffold import plan_new_version, write_scaffold
    from scanrepo.toolkit import LOCATION

    root = LOCATION.require()
    if LOCATION.source == "the package":
        raise ScanRepoError(
            f"the schemas in use are the package's own ({LOCATION.schema_dir}); tools/schema "
            "new writes a repository's schema/ and migrations/: copy them into it first"
        )
    scaffold = plan_new_version(root, LOCATION.schema_dir, LOCATION.migrations_dir)
    write_scaffold(scaffold)
    old, new = scaffold.old, scaffold.new
    for path in scaffold.files:
        emit(f"wrote {path.relative_to(root)}")
    emit(
        f"""
v{new} is the newest version; the chain loads and every tool works at it. Next:
  1. edit schema/v{new}.json: the change v{new} makes (add a description to what you add)
  2. edit migrations/v{old}_to_v{new}.py: its docstring, upgrade and downgrade
     (migrations/README.md says how)
  3. tools/schema diff          what changed from v{old}, and what each change asks of it
  4. tools/schema check {old}       the migration proved against both schemas
  5. tools/schema docs          the reference pages and the changelog in docs/schema/
  6. tests in tests/migrate/ (migrations/README.md, "Testing it"), then commit
  7. tools/migrate --to {new} --dry-run, then tools/migrate --to {new} --commit"""
    )
    return EXIT_OK


def _docs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a page in docs/schema/ is missing or stale",
    )
    parser.add_argument(
        "--example",
        type=Path,
        metavar="SCAN",
        help="the real scan the examples come from (default: the tests' fixture, else the "
        "first scan in scans/)",
    )


def _docs(args: argparse.Namespace) -> int:
    from scanrepo.errors import MigrationError, StepInvalidError
    from scanrepo.fs.atomic import write_files
    from scanrepo.schema import docs
    from scanrepo.schema.stored import read_schemas
    from scanrepo.toolkit import LOCATION, Toolkit

    root = LOCATION.require()
    toolkit = Toolkit()
    example_path = args.example or docs.default_example(root)
    example = None if example_path is None else docs.read_example(example_path)
    source = "" if example_path is None else _shown(example_path, root)

    def migrate(doc: Any, version: int) -> Any:
        try:
            return toolkit.chain.migrate(copy.deepcopy(doc), version)
        except (MigrationError, StepInvalidError):
            return None

    pages = docs.render_docs(
        read_schemas(LOCATION.schema_dir), LOCATION.migrations_dir, example, source, migrate
    )
    docs_dir = root / docs.DOCS_DIR
    stale = docs.stale(docs_dir, pages)
    if args.check:
        for name in stale:
            emit(f"stale: {docs.DOCS_DIR / name}", sys.stderr)
        if stale:
            emit("run tools/schema docs to regenerate them", sys.stderr)
            return EXIT_PROBLEMS
        emit(f"{docs.DOCS_DIR} is up to date ({len(pages)} pages checked)")
        return EXIT_OK
    if not stale:
        emit(f"{docs.DOCS_DIR} is up to date ({len(pages)} pages): nothing written")
        return EXIT_OK
    docs_dir.mkdir(parents=True, exist_ok=True)
    write_files({docs_dir / n: pages[n].encode("utf-8") for n in stale if n in pages})
    for name in stale:
        if name not in pages:
            (docs_dir / name).unlink()
            emit(f"removed {docs.DOCS_DIR / name} (no such version)")
        else:
            emit(f"wrote {docs.DOCS_DIR / name}")
    return EXIT_OK


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


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
        type=positive_int,
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
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text for a terminal (default), json for programs",
    )


def _check(args: argparse.Namespace) -> int:
    from scanrepo.cli.common import find_root
    from scanrepo.render.schema_check import render_json, render_text
    from scanrepo.schema.check import (
        EXAMPLES,
        QUICK_EXAMPLES,
        check_step,
        frozen_since_release,
        hypothesis_home,
    )
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
    frozen = frozen_since_release(root, toolkit.schema_dir)
    with hypothesis_home(root):
        results = [
            check_step(s, toolkit.registry, root, examples, args.seed, frozen) for s in steps
        ]
    if args.format == "json":
        sys.stdout.write(render_json(results))
    else:
        emit(render_text(results).rstrip("\n"))
    return EXIT_OK if all(r.proven for r in results) else EXIT_PROBLEMS


SUBCOMMANDS: dict[str, tuple[str, Arguments, Run]] = {
    "new": (
        "scaffold the next version: its schema, its migration and the editor settings",
        _new_arguments,
        _new,
    ),
    "diff": (
        "every difference between two schemas, where it lands in a scan and what it asks of "
        "the migration; exit 0 no change, 1 changes, 2 error",
        _diff_arguments,
        _diff,
    ),
    "check": (
        "prove each migration step against its two schemas with generated scans (a failure "
        "shrunk to a minimal scan) and every scan of its version in the work tree and history; "
        "runs the migrations in this process; exit 0 proven, 1 a counterexample or a schema "
        "change no generated scan exercised, 2 error",
        _check_arguments,
        _check,
    ),
    "docs": (
        "write the reference page of every version and the changelog in docs/schema/",
        _docs_arguments,
        _docs,
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="tools/schema",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The lifecycle of the scan format's versions (see README.md, 'Schema "
        "lifecycle').",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    usages = []
    for name, (help_text, arguments, _) in SUBCOMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        arguments(command)
        usages.append(command.format_usage().removeprefix("usage: ").strip())
    parser.epilog = "subcommands:\n" + "\n".join(f"  {usage}" for usage in usages)
    args = parser.parse_args(argv)
    return SUBCOMMANDS[args.command][2](args)
