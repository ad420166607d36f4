"""tools/log KEY: every commit that changed one paper's scan, with its semantic changes."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit, use_color
from scanrepo.diff.changes import DiffResult
from scanrepo.diff.textconv import item_summary
from scanrepo.errors import UnknownNameError
from scanrepo.format import keys, model
from scanrepo.history.gitlog import CommitInfo
from scanrepo.history.paper_history import (
    ItemState,
    PaperChange,
    item_history,
    paper_history,
)
from scanrepo.render.diff_text import render_text
from scanrepo.render.inert import json_safe, terminal_safe
from scanrepo.toolkit import Toolkit
from scanrepo.validate.sources import worktree_keys
from scanrepo.vcs.repo import GitRepo

YELLOW, RESET = "\x1b[33m", "\x1b[0m"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/log",
        allow_abbrev=False,
        description="The history of one paper's scan: every commit that changed it (author, "
        "date, subject) with its semantic changes, across version directories. Exit 0 shown, "
        "1 no commit changed the paper, 2 error.",
    )
    parser.add_argument("key", metavar="KEY", help="a paper key (2602.07852) or a scan's path")
    parser.add_argument(
        "rev", nargs="?", default="HEAD", metavar="REV", help="start from this commit (HEAD)"
    )
    parser.add_argument(
        "--item",
        metavar="ITEM",
        help="trace one checklist item's answers: the commits that changed it; ITEM is its "
        "full name (checklist.conflicts_of_interest.funding_disclosed) or its last parts "
        "where one item has them (funding_disclosed)",
    )
    parser.add_argument(
        "--word-diff", action="store_true", help="show edited justifications word by word"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    return parser


def paper_key_argument(arg: str, repo: GitRepo, rev: str, cwd: Path) -> str:
    """A paper key, or the key of a scan named by its path (relative to ``cwd``)."""
    path = cwd / arg
    if path.is_file():
        try:
            where = keys.parse_scan_path(path.resolve().relative_to(repo.root.resolve()).as_posix())
        except ValueError:
            where = None
        if where is not None:
            return where[2]
    key = keys.normalise_key_argument(arg)
    if key is None:
        raise unknown_paper(arg, rev, known_keys(repo, rev))
    return key


def known_keys(repo: GitRepo, rev: str) -> set[str]:
    """The papers of every scan in the history of ``rev`` and in the work tree."""
    return keys.keys_of(repo.paths_in_history(repo.resolve(rev))) | worktree_keys(repo.root)


def unknown_paper(arg: str, rev: str, known: set[str]) -> UnknownNameError:
    return keys.unknown_paper(arg, f"in the history of {rev} or the work tree", known)


def _header(commit: CommitInfo, color: bool) -> list[str]:
    line = f"commit {commit.sha}"
    return [
        f"{YELLOW}{line}{RESET}" if color else line,
        terminal_safe(f"Author: {commit.author} <{commit.email}>"),
        f"Date:   {commit.date}",
        "",
        terminal_safe(f"    {commit.subject}"),
        "",
    ]


def _one_paper(change: PaperChange) -> DiffResult:
    short = change.commit.sha[:12]
    return DiffResult(f"{short}^", short, [change.diff])


def render_changes(changes: list[PaperChange], color: bool, word_diff: bool = False) -> str:
    lines: list[str] = []
    for change in changes:
        lines.extend(_header(change.commit, color))
        body = render_text(_one_paper(change), color, word_diff, totals=False).rstrip("\n")
        lines.extend(f"    {line}" if line else "" for line in body.split("\n"))
        lines.append("")
    return "\n".join(lines)


def describe(value: Any) -> list[str]:
    if value is None:
        return ["(no such item)"]
    if model.is_item(value):
        return [item_summary(value), *str(value[model.JUSTIFICATION]).split("\n")]
    return [json.dumps(value, ensure_ascii=False)]


def render_states(states: list[ItemState], color: bool) -> str:
    lines = []
    for state in states:
        head = f"{state.commit.sha[:12]} {state.commit.date}"
        lines.append(
            (f"{YELLOW}{head}{RESET}" if color else head)
            + terminal_safe(f" {state.commit.author}: {state.commit.subject}")
        )
        shown = [state.note] if state.note else describe(state.value)
        lines.extend(terminal_safe(f"    {line}") for line in shown)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    toolkit = Toolkit()
    registry, chain = toolkit.registry, toolkit.chain
    with GitRepo(Path.cwd()) as repo:
        key = paper_key_argument(args.key, repo, args.rev, Path.cwd())
        changes = paper_history(repo, key, registry, chain, args.rev)
        if not changes and key not in (known := known_keys(repo, args.rev)):
            raise unknown_paper(args.key, args.rev, known)
        if repo.is_shallow():
            emit(
                "note: this is a shallow clone, so the paper's history may begin earlier than "
                "shown (git fetch --unshallow fetches the rest)",
                sys.stderr,
            )
    if not changes:
        emit(f"no commit in the history of {args.rev} changed a scan of paper {key}", sys.stderr)
        return EXIT_PROBLEMS
    color = args.format == "text" and use_color(args.color)
    if args.item is not None:
        where = f"in any scan of paper {key} in the history of {args.rev}"
        item, states = item_history(changes, args.item, chain, registry.newest, where)
        if args.format == "json":
            document: dict[str, Any] = {
                "paper": key,
                "item": item,
                "states": [
                    {**s.commit.to_json(), "value": s.value, "note": s.note} for s in states
                ],
            }
        else:
            sys.stdout.write(render_states(states, color))
            return EXIT_OK
    elif args.format == "json":
        document = {
            "paper": key,
            "commits": [{**c.commit.to_json(), "diff": _one_paper(c).to_json()} for c in changes],
        }
    else:
        sys.stdout.write(render_changes(changes, color, args.word_diff))
        return EXIT_OK
    sys.stdout.write(json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n")
    return EXIT_OK
