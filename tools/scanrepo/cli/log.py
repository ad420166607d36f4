"""tools/log: every commit that changed a scan, with its semantic changes; tools/log KEY: one
paper's."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanrepo.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ArgumentParser,
    emit,
    positive_int,
    use_color,
)
from scanrepo.diff.changes import DiffResult
from scanrepo.diff.revisions import path_filter
from scanrepo.diff.textconv import item_summary
from scanrepo.errors import ScanRepoError, UnknownNameError, UnknownRevisionError, closest
from scanrepo.format import keys, model
from scanrepo.history.commit_log import commit_log
from scanrepo.history.gitlog import PathChange, first_changes
from scanrepo.history.paper_history import (
    ItemState,
    PaperChange,
    item_history,
    paper_history,
    pathspecs,
)
from scanrepo.render.commit_log import (
    RESET,
    YELLOW,
    header,
    render_log_json,
    render_log_markdown,
    render_log_text,
)
from scanrepo.render.diff_text import render_text
from scanrepo.render.inert import json_safe, terminal_safe
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import walk_scans
from scanrepo.validate.sources import worktree_keys
from scanrepo.vcs.repo import GitRepo, check_revision_argument

USAGE = (
    "tools/log [options] [REV | A..B | A...B ...] [-- KEY|PATH ...]\n"
    "       tools/log [options] KEY [REV]"
)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/log",
        usage=USAGE,
        allow_abbrev=False,
        description="The semantic history of the scans: every commit that changed a scan "
        "(author, date, subject) with what it changed in meaning, newest first. With a KEY, "
        "one paper's history across version directories. Exit 0 shown, 1 no commit changed "
        "a scan, 2 error.",
    )
    parser.add_argument(
        "arguments",
        nargs="*",
        metavar="ARG",
        help="revisions (REV, A..B, A...B, ^A; default HEAD), then paper keys or paths; or a "
        "KEY and an optional REV",
    )
    parser.add_argument(
        "--item",
        metavar="ITEM",
        help="with a KEY: trace one checklist item's answers: the commits that changed it; "
        "ITEM is its full name (checklist.conflicts_of_interest.funding_disclosed) or its last "
        "parts where one item has them (funding_disclosed)",
    )
    parser.add_argument(
        "-n", "--max-count", type=positive_int, metavar="N", help="only the newest N commits shown"
    )
    parser.add_argument("--since", metavar="DATE", help="only commits after DATE (as git log)")
    parser.add_argument("--until", metavar="DATE", help="only commits before DATE (as git log)")
    parser.add_argument(
        "--author", metavar="PATTERN", help="only commits whose author matches (as git log)"
    )
    parser.add_argument(
        "--stat", action="store_true", help="per commit, counts of changes per paper and item"
    )
    parser.add_argument(
        "--word-diff", action="store_true", help="show edited justifications word by word"
    )
    parser.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    return parser


def git_options(args: argparse.Namespace) -> list[str]:
    """git log's own commit filters, each as one ``--name=value`` word (never an option)."""
    return [
        f"--{name}={value}"
        for name, value in (("since", args.since), ("until", args.until), ("author", args.author))
        if value is not None
    ]


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


def _one_paper(change: PaperChange) -> DiffResult:
    short = change.commit.sha[:12]
    return DiffResult(f"{short}^", short, [change.diff])


def render_changes(changes: list[PaperChange], color: bool, word_diff: bool = False) -> str:
    lines: list[str] = []
    for change in changes:
        lines.extend(header(change.commit, color))
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


def _revision(repo: GitRepo, arg: str) -> bool:
    """Whether ``arg`` names commits as git log reads it: REV, ^REV, A..B or A...B."""
    check_revision_argument(arg)
    sides = re.split(r"\.\.\.?", arg.removeprefix("^"), maxsplit=1)
    try:
        for side in sides:
            if side or len(sides) == 1:
                repo.resolve(side)
    except UnknownRevisionError:
        return False
    return True


def _names_paper(arg: str, cwd: Path) -> bool:
    return keys.normalise_key_argument(arg) is not None or (cwd / arg).exists()


def _written_as_path(arg: str) -> bool:
    return "/" in arg or arg.endswith(".json")


def split_arguments(repo: GitRepo, args: Sequence[str], cwd: Path) -> tuple[list[str], list[str]]:
    """Revisions, then paper keys or paths, as git log reads them: the first argument that is
    no revision starts the papers. One that is both is ambiguous; one that is neither, an error
    naming the closest branches and tags."""
    for i, arg in enumerate(args):
        revision, paper = _revision(repo, arg), _names_paper(arg, cwd)
        if revision and paper:
            raise ScanRepoError(
                f"{arg!r} is both a revision and a paper key or path: write "
                f"'tools/log {arg} --' for the revision, 'tools/log -- {arg}' for the paper"
            )
        if paper or (not revision and _written_as_path(arg)):
            return list(args[:i]), list(args[i:])
        if not revision:
            refs = repo.run("for-each-ref", "--format=%(refname:short)").split()
            why = repo.missing_history()
            raise UnknownNameError(
                f"{arg!r} is neither a revision nor a paper key or path"
                + (f" ({why})" if why else ""),
                closest(arg, [*refs, "HEAD"]) if refs else [],
            )
    return list(args), []


def _tip(revs: Sequence[str]) -> str:
    """The revision whose history names the papers a range can show."""
    positive = [r for r in revs if not r.startswith("^")]
    last = positive[-1] if positive else "HEAD"
    return re.split(r"\.\.\.?", last)[-1] or "HEAD"


def _pathspecs(
    repo: GitRepo, named: Sequence[str], cwd: Path, versions: Sequence[int]
) -> list[str]:
    """git's pathspecs for ``-- KEY|PATH ...``: a paper by its path in every version
    directory, so a moved scan stays one paper."""
    limit = path_filter(repo, named, cwd)
    if limit is None:
        return [keys.SCANS_DIR + "/"]
    specs = [spec for key in sorted(limit.keys) for spec in pathspecs(key, versions)]
    return specs + [p or "." for p in limit.prefixes if keys.parse_scan_path(p) is None]


def check_named(
    repo: GitRepo, named: Sequence[str], cwd: Path, tip: str, changed: Sequence[PathChange]
) -> None:
    """Refuse a ``-- KEY|PATH`` that names no scan in the history of ``tip`` and no path of
    the work tree (a mistyped key), naming the closest paper keys; ``changed`` are the paths
    shown, which need no look at the whole history."""
    history: set[str] | None = None
    for arg in named:
        one = path_filter(repo, [arg], cwd)
        if one is None or (cwd / arg).exists() or any(one.wants(c.path) for c in changed):
            continue
        if history is None:
            history = repo.paths_in_history(repo.resolve(tip))
            history |= {rel for rel, _ in walk_scans(repo.root)}
        if not any(map(one.wants, history)):
            raise unknown_paper(arg, tip, keys.keys_of(history))


def log_range(
    repo: GitRepo, args: argparse.Namespace, revs: list[str], named: list[str], cwd: Path
) -> int:
    toolkit = Toolkit()
    specs = _pathspecs(repo, named, cwd, toolkit.registry.versions)
    found = first_changes(repo, revs, specs, args.max_count, *git_options(args))
    entries = commit_log(repo, found, toolkit)
    check_named(repo, named, cwd, _tip(revs), [c for _, changed in found for c in changed])
    if repo.is_shallow():
        emit("note: this is a shallow clone, so history may begin earlier than shown", sys.stderr)
    where = " ".join(revs)
    if not entries:
        emit(
            f"no commit in {where} changed a scan" + (" of those named" if named else ""),
            sys.stderr,
        )
        return EXIT_PROBLEMS
    if args.format == "json":
        sys.stdout.write(render_log_json(entries, revs))
    elif args.format == "markdown":
        sys.stdout.write(render_log_markdown(entries))
    else:
        color = use_color(args.color)
        sys.stdout.write(render_log_text(entries, color, args.word_diff, args.stat))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after "--" is a paper or path, as in git; argparse never sees it as an option.
    split = argv.index("--") if "--" in argv else len(argv)
    args = build_parser().parse_intermixed_args(argv[:split])
    if args.stat and args.format != "text":
        raise ScanRepoError("--stat is a text format; it cannot go with --format " + args.format)
    cwd = Path.cwd()
    with GitRepo(cwd) as repo:
        dashed = split < len(argv)
        if dashed:  # before "--" only revisions, as in git
            revs, named = list(args.arguments), list[str]()
            for rev in revs:
                if not _revision(repo, rev):
                    repo.resolve(rev)  # says why it is no revision
        else:
            revs, named = split_arguments(repo, args.arguments, cwd)
        two_papers = len(named) == 2 and _names_paper(named[1], cwd)
        if not revs and len(named) in (1, 2) and not dashed and not two_papers:
            key_mode = not (args.stat or args.format == "markdown")
            rev = named[1] if len(named) == 2 else "HEAD"
            if not _revision(repo, rev):
                repo.resolve(rev)  # says why it is no revision
            if key_mode:
                return log_paper(repo, args, named[0], rev, cwd)
            return log_range(repo, args, [rev], [named[0]], cwd)
        if args.item is not None:
            raise ScanRepoError("--item traces one paper's item: tools/log KEY --item ITEM [REV]")
        return log_range(repo, args, revs or ["HEAD"], named + argv[split + 1 :], cwd)


def log_paper(repo: GitRepo, args: argparse.Namespace, arg: str, rev: str, cwd: Path) -> int:
    """tools/log KEY [REV]: one paper's history, or one item's (``--item``)."""
    toolkit = Toolkit()
    registry, chain = toolkit.registry, toolkit.chain
    key = paper_key_argument(arg, repo, rev, cwd)
    changes = paper_history(repo, key, registry, chain, rev, args.max_count, git_options(args))
    if not changes and key not in (known := known_keys(repo, rev)):
        raise unknown_paper(arg, rev, known)
    if repo.is_shallow():
        emit(
            "note: this is a shallow clone, so the paper's history may begin earlier than "
            "shown (git fetch --unshallow fetches the rest)",
            sys.stderr,
        )
    if not changes:
        emit(f"no commit in the history of {rev} changed a scan of paper {key}", sys.stderr)
        return EXIT_PROBLEMS
    color = args.format == "text" and use_color(args.color)
    if args.item is not None:
        where = f"in any scan of paper {key} in the history of {rev}"
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
