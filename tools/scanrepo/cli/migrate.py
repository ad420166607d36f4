"""tools/migrate: move every scan to one scan version through the migration chain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ArgumentParser,
    Progress,
    add_jobs_argument,
    as_writer,
    emit,
    run,
    scan_version,
    written,
)
from scanrepo.errors import ScanRepoError
from scanrepo.migrate.apply import apply_plan
from scanrepo.migrate.migrator import Migrator
from scanrepo.migrate.plan import Plan, plan_migration
from scanrepo.migrate.staging import GitPlan, commit, plan_git, stage
from scanrepo.vcs.repo import GitRepo

LISTED = 10  # files named in a refusal before "and N more"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/migrate",
        description="Move every scan to scan version N through the migration chain, one step "
        "at a time, each step validated; all scans or none. A scan that moves goes from "
        "scans/v<M>/ to scans/v<N>/, staged in git as a rename. "
        "Exit 0 done (or nothing to do), 1 refused or (--check) scans not at N, "
        "2 usage or internal error.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH|KEY",
        help="scan files, directories or paper keys (default: every scan in scans/)",
    )
    parser.add_argument(
        "--to", required=True, type=scan_version, metavar="N", dest="target", help="target version"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="say what would change; write nothing")
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if any scan is not at N (for CI)"
    )
    mode.add_argument(
        "--commit",
        action="store_true",
        help="commit the migration as two commits, the pure moves then the rewrite, so that "
        "plain git log --follow finds each scan's history",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="migrate scans even if they have uncommitted changes",
    )
    add_jobs_argument(parser)
    return parser


def _scans(n: int) -> str:
    return f"{n} scan{'s' if n != 1 else ''}"


def _listed(paths: Sequence[str]) -> str:
    text = ", ".join(paths[:LISTED])
    return text + (f" and {len(paths) - LISTED} more" if len(paths) > LISTED else "")


def _counts(plan: Plan, migrated_label: str = "migrated") -> str:
    migrated = len(plan.to_write)
    routes = f" ({plan.describe_routes()})" if migrated else ""
    finished = f", {len(plan.to_finish)} finished" if plan.to_finish else ""
    return (
        f"{migrated} {migrated_label}{routes}{finished}, "
        f"{plan.current} already at v{plan.target}, {len(plan.failed_files)} failed"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def work(root: Path, repo: GitRepo | None, migrator: Migrator) -> int:
        return _migrate(args, root, repo, migrator)

    read_only = args.dry_run or args.check
    return as_writer(
        work, args.target, what="tools/migrate", commit=args.commit, lock=not read_only
    )


def _migrate(args: argparse.Namespace, root: Path, repo: GitRepo | None, migrator: Migrator) -> int:
    writes = not (args.dry_run or args.check)
    objects = repo.blob_packs() if repo is not None and writes else None
    progress = Progress("reading scans")
    try:
        plan = plan_migration(
            root, migrator, args.paths, args.jobs, progress, write=writes, objects=objects
        )
    finally:
        progress.close()
    try:
        return _finish(args, root, repo, migrator, plan)
    finally:
        plan.pending.discard()  # the new scans of a run refused after planning


def _finish(
    args: argparse.Namespace, root: Path, repo: GitRepo | None, migrator: Migrator, plan: Plan
) -> int:
    if plan.problems:
        for problem in plan.problems:
            emit(problem.render())
        ready = len(plan.papers)
        emit(
            f"refused: 0 migrated{f' ({ready} were ready)' if ready else ''}, "
            f"{plan.current} already at v{plan.target}, {len(plan.failed_files)} failed; "
            "nothing was written",
            sys.stderr,
        )
        return EXIT_PROBLEMS
    if args.check:
        return _check(plan)
    if plan.failure is not None:  # before git runs: a full disk would stop it first
        plan.pending.discard()
        emit(f"failed: {plan.failure}; nothing was changed", sys.stderr)
        return EXIT_PROBLEMS
    gp = plan_git(repo, root, plan, migrator.migrated_bytes) if repo is not None else None
    if gp is not None and (refusal := _refusal(args, gp)):
        emit(refusal, sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run:
        _preview(args, plan, gp)
        return EXIT_OK
    if plan.papers or plan.leftovers:
        if not written(lambda progress: apply_plan(root, plan, progress)):
            return EXIT_PROBLEMS
        if plan.leftovers:
            emit(f"removed {len(plan.leftovers)} temporary file(s) left by an interrupted write")
    try:
        recorded = _record(args, plan, gp, repo)
    except ScanRepoError as exc:
        emit(
            f"failed: {exc}\nthe scans are migrated in the work tree but git is not up to date; "
            "fix the cause and run the same command again to finish",
            sys.stderr,
        )
        return EXIT_PROBLEMS
    _summary(plan, gp, recorded)
    return EXIT_OK


def _refusal(args: argparse.Namespace, gp: GitPlan) -> str | None:
    if gp.edited and not args.force:
        verb = "has" if len(gp.edited) == 1 else "have"
        return (
            f"refused: {_scans(len(gp.edited))} to migrate {verb}"
            f" uncommitted changes: {_listed(gp.edited)}; commit or stash them, or rerun with "
            "--force to migrate them as they are; nothing was written"
        )
    if args.commit and gp.other_staged:
        return (
            f"refused: --commit makes its own commits, but other changes are staged: "
            f"{_listed(gp.other_staged)}; commit them or unstage them (git restore --staged "
            "PATH) first; nothing was written"
        )
    return None


def _check(plan: Plan) -> int:
    for paper in plan.papers:
        for source, version in zip(paper.sources, paper.from_versions, strict=True):
            emit(f"{source}: at v{version}, not v{plan.target}")
    if plan.papers:
        emit(
            f"{_scans(len(plan.papers))} not at v{plan.target} "
            f"({plan.describe_routes() or 'interrupted migration'}); "
            f"run tools/migrate --to {plan.target}",
            sys.stderr,
        )
        return EXIT_PROBLEMS
    emit(f"all {_scans(plan.current)} are at v{plan.target}")
    return EXIT_OK


def _preview(args: argparse.Namespace, plan: Plan, gp: GitPlan | None) -> None:
    for paper in plan.papers:
        if paper.write:
            for source, version in zip(paper.sources, paper.from_versions, strict=True):
                emit(f"would migrate {source} -> {paper.target} (v{version}→v{plan.target})")
        else:
            for source in paper.sources:
                emit(
                    f"would remove {source}: the same scan is already at {paper.target} "
                    "(an interrupted migration)"
                )
    for leftover in plan.leftovers:
        emit(f"would remove {leftover}: temporary file of an interrupted write")
    git_work = False
    if gp is not None:
        if args.commit and gp.to_commit:
            renames = sum(m.rename_from is not None for m in gp.moves)
            emit(
                f"would commit {renames} pure renames, then the rewrite of "
                f"{_scans(len(gp.moves) + len(gp.rewrites))}"
            )
            git_work = True
        elif gp.to_stage or gp.rewrites:
            emit(f"would stage {len(gp.to_stage) + len(gp.rewrites)} moves in git")
            git_work = True
    if not plan.papers and not plan.leftovers and not git_work:
        emit(f"nothing to do: all {_scans(plan.current)} are at v{plan.target}")
    emit(f"dry run: {_counts(plan, 'would be migrated')}; nothing was written")


def _record(args: argparse.Namespace, plan: Plan, gp: GitPlan | None, repo: GitRepo | None) -> bool:
    """Stage or commit what git is missing; whether anything was done."""
    if repo is None or gp is None:
        if plan.papers:
            emit("not in a git repository: the files were moved, nothing was staged")
        return False
    if args.commit and gp.to_commit:
        made = commit(repo, gp, plan.target)
        emit("committed " + " and ".join(sha[:12] for sha in made) + _commit_note(len(made)))
        return True
    if gp.to_stage or gp.rewrites:
        staged = stage(repo, gp)
        emit(
            f"staged {staged} move{'s' if staged != 1 else ''} in git as git mv would. "
            f"Commit them with tools/migrate --to {plan.target} --commit to keep each scan's "
            "history visible to plain git log --follow (a plain git commit works, but git "
            "then sees a deleted and an added file)"
        )
        return True
    return False


def _summary(plan: Plan, gp: GitPlan | None, recorded: bool) -> None:
    if gp is not None and gp.untracked:
        emit(f"{_scans(gp.untracked)} not tracked by git: migrated, left untracked")
    if plan.papers or plan.leftovers or recorded:
        emit(f"done: {_counts(plan)}")
    else:
        pending = len(gp.moves) + len(gp.rewrites) if gp is not None else 0
        note = f" ({pending} staged moves not yet committed)" if pending else ""
        emit(f"nothing to do: all {_scans(plan.current)} are already at v{plan.target}{note}")
    if plan.current_with_problems:
        emit(
            f"note: {_scans(len(plan.current_with_problems))} at v{plan.target} "
            "have problems tools/migrate does not fix; run tools/validate",
            sys.stderr,
        )


def _commit_note(count: int) -> str:
    if count == 2:
        return " (the pure moves, then the rewrite)"
    return " (the rewrite)"


def entry() -> None:
    raise SystemExit(run(main))
