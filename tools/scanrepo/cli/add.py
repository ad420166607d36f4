"""tools/add: a scanner's output into the repository in one command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.add.batch import STATUSES, AddPlan, Entry, ours, plan_add, record, write
from scanrepo.add.inputs import read_inputs
from scanrepo.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ArgumentParser,
    Progress,
    as_writer,
    emit,
    run,
    scan_version,
    written,
)
from scanrepo.errors import ScanRepoError
from scanrepo.migrate.migrator import Migrator
from scanrepo.vcs.repo import GitRepo


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/add",
        description="Add scans to the repository: each input read strictly, checked against "
        "its own version's schema, migrated to the current version, written in canonical form "
        "at scans/v<N>/<shard>/<key>.json and staged in git; all inputs or none. "
        "Exit 0 all added or unchanged, 1 refused or problems, 2 usage or internal error.",
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="scan files (any formatting, any known scan_version), directories (their *.json, "
        "recursively), or - for standard input: one scan, or JSON Lines (one scan per line)",
    )
    parser.add_argument(
        "--to",
        type=scan_version,
        metavar="N",
        dest="target",
        help="the scan version to write (default: the newest)",
    )
    parser.add_argument(
        "--rescan",
        action="store_true",
        help="replace the scan of a paper that already has one (in any version directory)",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="add the good inputs, list the refused ones and exit 1",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would happen; write nothing"
    )
    parser.add_argument(
        "--commit", action="store_true", help="commit what was added (one commit; the hook runs)"
    )
    parser.add_argument("-m", "--message", metavar="MESSAGE", help="the message of --commit")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="the report as text or JSON"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.commit and not args.message:
        parser.error("--commit needs -m MESSAGE")
    if args.message and not args.commit:
        parser.error("-m MESSAGE goes with --commit")
    if args.commit and args.dry_run:
        parser.error("--commit and --dry-run do not go together")
    if args.inputs.count("-") > 1:
        parser.error("standard input (-) can be named once")

    def work(root: Path, repo: GitRepo | None, migrator: Migrator) -> int:
        return _add(args, root, repo, migrator)

    what = "writer of scans (tools/migrate or tools/add)"
    return as_writer(work, args.target, what=what, commit=args.commit, lock=not args.dry_run)


def _add(args: argparse.Namespace, root: Path, repo: GitRepo | None, migrator: Migrator) -> int:
    writes = not args.dry_run
    progress = Progress("reading scans")
    try:
        plan = plan_add(
            root,
            migrator,
            read_inputs(args.inputs, sys.stdin.buffer),
            args.rescan,
            progress,
            write=writes,
            objects=repo.blob_packs() if repo is not None and writes else None,
        )
    finally:
        progress.close()
    try:
        return _decided(args, root, repo, plan)
    finally:
        plan.pending.discard()  # the new scans of a refused run


def _decided(args: argparse.Namespace, root: Path, repo: GitRepo | None, plan: AddPlan) -> int:
    refused = plan.of("refused")
    if refused and not args.keep_going:
        return _report(args, plan, "refused", "nothing was written")
    if plan.failure is not None:
        plan.pending.discard()
        emit(f"failed: {plan.failure}; nothing was changed", sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run:
        return _report(args, plan, "dry run", "nothing was written")
    if args.commit and repo is not None and (others := _other_staged(repo, plan)):
        emit(
            f"refused: --commit makes its own commit, but other changes are staged: "
            f"{', '.join(others[:10])}; commit or unstage them first; nothing was written",
            sys.stderr,
        )
        return EXIT_PROBLEMS
    if not written(lambda progress: write(root, plan, progress)):
        return EXIT_PROBLEMS
    note = "not in a git repository: nothing was staged"
    if repo is not None:
        try:
            note = _record(args, repo, plan)
        except ScanRepoError as exc:
            emit(
                f"failed: {exc}\nthe scans are written; fix the cause and run the same "
                "command again to finish",
                sys.stderr,
            )
            return EXIT_PROBLEMS
    return _report(args, plan, "done", note)


def _other_staged(repo: GitRepo, plan: AddPlan) -> list[str]:
    staged = repo.run("diff", "--cached", "--name-only", "-z", "--no-renames")
    mine = ours(plan)
    return [p for p in staged.split("\0") if p and p not in mine]


def _record(args: argparse.Namespace, repo: GitRepo, plan: AddPlan) -> str:
    staged = record(repo, plan)
    if not args.commit:
        return f"staged {staged} scan{'s' if staged != 1 else ''} in git"
    if not repo.run("diff", "--cached", "--name-only").strip():
        return "nothing to commit"
    repo.run("commit", "--quiet", "-m", args.message)
    return f"committed {repo.run('rev-parse', 'HEAD').strip()[:12]}"


_VERBS = {"added": "would add", "rescanned": "would rescan", "unchanged": "unchanged"}


def _line(entry: Entry, dry: bool) -> list[str]:
    verb = _VERBS[entry.status] if dry else entry.status
    if entry.status == "unchanged":
        return [f"unchanged: {entry.label}: {entry.path} already holds this scan"]
    replaced = f" (replaces {', '.join(entry.replaces)})" if entry.replaces else ""
    lines = [f"{verb}: {entry.label} -> {entry.path}{replaced}"]
    return lines + entry.diff.splitlines()


def _report(args: argparse.Namespace, plan: AddPlan, outcome: str, note: str) -> int:
    refused = plan.of("refused")
    if args.format == "json":
        print(json.dumps(_as_json(plan, outcome), indent=2, ensure_ascii=False))
    else:
        for entry in plan.entries:
            if entry.status == "refused":
                for problem in entry.problems:
                    emit(problem.render())
            elif outcome != "refused":
                for line in _line(entry, outcome == "dry run"):
                    emit(line)
        if outcome == "refused":
            ready = len(plan.entries) - len(refused)
            emit(
                f"refused: {len(refused)} of {len(plan.entries)} inputs "
                f"({ready} {'was' if ready == 1 else 'were'} ready); {note}",
                sys.stderr,
            )
        else:
            counts = ", ".join(f"{len(plan.of(s))} {s}" for s in STATUSES)
            emit(f"{outcome}: {counts}; {note}")
    return EXIT_PROBLEMS if refused else EXIT_OK


def _as_json(plan: AddPlan, outcome: str) -> dict[str, object]:
    report: dict[str, object] = {"outcome": outcome}
    for status in STATUSES:
        report[status] = [
            {
                "input": e.label,
                "path": e.path,
                **({"replaces": list(e.replaces)} if status == "rescanned" else {}),
                **({"diff": e.diff.splitlines()} if status == "rescanned" else {}),
                **({"problems": [p.to_json() for p in e.problems]} if status == "refused" else {}),
            }
            for e in plan.of(status)
        ]
    return report


def entry() -> None:
    raise SystemExit(run(main))
