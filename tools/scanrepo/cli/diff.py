"""tools/diff: what changed in meaning between two states of the scans, in git's forms."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, use_color
from scanrepo.diff.revisions import check_named, parse_range, path_filter, split_arguments
from scanrepo.diff.tree import RangeDiff, diff_range
from scanrepo.errors import ScanRepoError
from scanrepo.render.diff_json import render_json
from scanrepo.render.diff_markdown import render_markdown
from scanrepo.render.diff_text import render_stat, render_text
from scanrepo.toolkit import Toolkit
from scanrepo.vcs.repo import GitRepo

USAGE = "tools/diff [options] [--staged] [REV | A B | A..B | A...B] [[--] PATH|KEY ...]"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/diff",
        usage=USAGE,
        allow_abbrev=False,
        description="The semantic difference of the scans between two states, in git diff's "
        "forms: (nothing) the work tree against HEAD; --staged the index against HEAD; REV "
        "the work tree against REV; A B or A..B commit A against commit B; A...B B against "
        "its merge base with A (what a pull request changes). Exit 0 no semantic change, "
        "1 changes, 2 error.",
    )
    parser.add_argument("revisions", nargs="*", metavar="REV", help="revisions, then paths")
    parser.add_argument(
        "--staged",
        "--cached",
        action="store_true",
        help="compare git's index (what the next commit holds) instead of the work tree",
    )
    parser.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="text for a terminal; markdown for a pull-request comment (with the validation "
        "problems of the changed scans); json for programs",
    )
    parser.add_argument(
        "--stat", action="store_true", help="counts of changes per paper and checklist item"
    )
    parser.add_argument(
        "--word-diff", action="store_true", help="show edited justifications word by word"
    )
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text format (auto: when writing to a terminal)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor keep the comparisons in .git/scanrepo-cache/ (each pair of scans "
        "compared is kept there, so that it is not read again)",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing; only the exit code tells"
    )
    return parser


def render(diff: RangeDiff, fmt: str, stat: bool, color: bool, word_diff: bool) -> str:
    if fmt == "markdown":
        return render_markdown(diff.result, problems=diff.problems)
    if fmt == "json":
        return render_json(diff.result, diff.problems)
    if stat:
        return render_stat(diff.result)
    return render_text(diff.result, color=color, word_diff=word_diff)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after "--" is a path, as in git; argparse must never see it as an option.
    split = argv.index("--") if "--" in argv else len(argv)
    args = build_parser().parse_intermixed_args(argv[:split])
    if args.stat and args.format != "text":
        raise ScanRepoError("--stat is a text format; it cannot go with --format " + args.format)
    toolkit = Toolkit()
    cwd = Path.cwd()
    with GitRepo(cwd) as repo:
        revs, paths = split_arguments(repo, args.revisions, cwd)
        rng = parse_range(repo, revs, staged=args.staged)
        named = paths + argv[split + 1 :]
        limit = path_filter(repo, named, cwd)
        validate = args.format in ("markdown", "json")
        diff = diff_range(repo, rng, toolkit, limit, validate, cache=not args.no_cache)
        changed = (p for paper in diff.result.papers for p in (paper.old_path, paper.new_path))
        check_named(repo, rng, named, cwd, filter(None, changed))
    if not args.quiet:
        sys.stdout.write(
            render(diff, args.format, args.stat, use_color(args.color), args.word_diff)
        )
    return EXIT_PROBLEMS if diff.changed else EXIT_OK
