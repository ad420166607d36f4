"""tools/validate: check scans against their schema, the layout and the canonical form."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from scanrepo.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ArgumentParser,
    Progress,
    add_jobs_argument,
    emit,
    find_root,
    open_repo,
    run,
    scans_root,
    under_writer_lock,
)
from scanrepo.errors import ScanRepoError, WriteFailedError
from scanrepo.fs.atomic import write_files
from scanrepo.migrate.apply import apply_plan
from scanrepo.migrate.relocate import plan_layout, stage_moves
from scanrepo.render.inert import json_safe
from scanrepo.toolkit import Toolkit
from scanrepo.validate.outcome import Report
from scanrepo.validate.sources import validate_commit, validate_index, validate_worktree
from scanrepo.vcs.repo import GitRepo


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/validate",
        description="Validate scans: strict JSON, the schema of each scan's scan_version, "
        "directory and file name, one scan per paper, canonical form. "
        "Exit 0 clean, 1 problems, 2 usage or internal error.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH|KEY",
        help="scan files, directories or paper keys (default: every scan in scans/)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--staged",
        action="store_true",
        help="check the scans staged for commit, as git's index holds them",
    )
    source.add_argument(
        "--rev", metavar="REV", help="check every scan of a commit, without checkout"
    )
    parser.add_argument(
        "--fix-format",
        action="store_true",
        help="rewrite scans that parse but are not in canonical form (all or nothing)",
    )
    parser.add_argument(
        "--fix-layout",
        action="store_true",
        help="move every scan in scans/ that is not at scans/v<scan_version>/<shard>/<key>.json "
        "there, staged in git as git mv would (all or nothing); then validate",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print problems only, no summary"
    )
    add_jobs_argument(parser)
    return parser


def fix_format(report: Report) -> int:
    """Rewrite every work tree file the report found not canonical, wherever it is."""
    files = {
        Path(r.fs_path): r.canonical
        for r in report.results
        if r.canonical is not None and r.fs_path is not None
    }
    write_files(files)
    for r in report.results:
        if r.canonical is not None and r.fs_path is not None:
            r.problems = [p for p in r.problems if not p.fixable]
    return len(files)


def fix_layout(toolkit: Toolkit, out: TextIO) -> int:
    """Move every misplaced scan where it belongs, under tools/migrate's lock: EXIT_OK, or
    EXIT_PROBLEMS when refused (nothing was moved) or a write failed. What moved goes to
    ``out`` (stderr when stdout carries the JSON report)."""
    repo = open_repo(Path.cwd())
    try:
        root = scans_root(Path.cwd(), repo.root if repo is not None else None)
        return under_writer_lock(
            root, repo, lambda: _fix_layout(toolkit, root, repo, out), "nothing was moved"
        )
    finally:
        if repo is not None:
            repo.close()


def _fix_layout(toolkit: Toolkit, root: Path, repo: GitRepo | None, out: TextIO) -> int:
    layout = plan_layout(root, toolkit.registry)
    if layout.problems:
        for problem in sorted(layout.problems, key=lambda p: (p.file, p.line or 0, p.message)):
            emit(problem.render(), out)
        count = len(layout.problems)
        emit(
            f"refused: {count} problem{'s' if count != 1 else ''} stop --fix-layout; "
            "nothing was moved",
            sys.stderr,
        )
        return EXIT_PROBLEMS
    if not layout.moves:
        emit(f"nothing to fix: all {layout.checked} scans are where they belong", out)
        return EXIT_OK
    try:
        apply_plan(root, layout.plan)
    except WriteFailedError as exc:
        emit(f"failed: {exc}", sys.stderr)
        return EXIT_PROBLEMS
    for source, target in layout.moves:
        emit(f"moved {source} -> {target}", out)
    staged = stage_moves(repo, layout) if repo is not None else 0
    moved = len(layout.moves)
    emit(f"fixed the layout: {moved} moved, {staged} staged in git as git mv would", out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for option, given in (("--fix-format", args.fix_format), ("--fix-layout", args.fix_layout)):
        if given and (args.staged or args.rev):
            raise ScanRepoError(
                f"{option} changes work tree files; it cannot go with --staged or --rev"
            )
    if args.fix_layout and args.paths:
        raise ScanRepoError("--fix-layout moves every misplaced scan in scans/; give no paths")
    if (args.staged or args.rev) and args.paths:
        raise ScanRepoError("--staged and --rev check git's copy of the scans; give no paths")
    toolkit = Toolkit()
    if (
        args.fix_layout
        and fix_layout(toolkit, sys.stderr if args.format == "json" else sys.stdout) != EXIT_OK
    ):
        return EXIT_PROBLEMS
    progress = Progress("validating")
    fixed = 0
    if args.staged or args.rev:
        with GitRepo(Path.cwd()) as repo:
            if args.staged:
                report = validate_index(repo, toolkit, args.jobs, progress)
            else:
                report = validate_commit(repo, args.rev, toolkit, args.jobs, progress)
    else:
        # the scans/ of the repository, or the files named, wherever they are
        root = find_root(Path.cwd()) if args.paths else scans_root(Path.cwd())
        report = validate_worktree(root, toolkit, args.paths, args.jobs, progress)
        if args.fix_format:
            try:
                fixed = fix_format(report)
            except WriteFailedError as exc:
                progress.close()
                emit(f"failed: {_write_failure(exc, root)}", sys.stderr)
                return EXIT_PROBLEMS
    progress.close()
    if args.format == "json":
        print(json_safe(json.dumps(report.to_json(), indent=2, ensure_ascii=False)))
    else:
        for problem in report.problems:
            emit(problem.render())
        if not args.quiet:
            if args.fix_format:
                emit(
                    f"rewrote {fixed} file{'s' if fixed != 1 else ''} in canonical form", sys.stderr
                )
            emit(report.summary(), sys.stderr if report.problems else sys.stdout)
    return EXIT_PROBLEMS if report.problems else EXIT_OK


def _write_failure(exc: WriteFailedError, root: Path) -> str:
    if exc.path is None:
        return str(exc)
    try:
        path = exc.path.relative_to(root).as_posix()
    except ValueError:
        path = str(exc.path)
    if exc.changed:
        outcome = "some files were rewritten, others not: run the same command again"
    else:
        outcome = "no file was changed"
    return f"{path}: cannot write: {exc.reason}; {outcome}"


def entry() -> None:
    raise SystemExit(run(main))
