"""tools/report: corpus figures, stability across history and recent changes as one HTML page."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ArgumentParser,
    StageProgress,
    emit,
    scans_root,
)
from scanrepo.cli.survey_args import add_history_arguments, history_of
from scanrepo.fs.atomic import check_target, replaced_on_success
from scanrepo.history.recent import Timeline, recent_keys, timelines
from scanrepo.render.html_report import ReportData, render_report
from scanrepo.survey.corpus import Readers, load_commit, load_worktree
from scanrepo.survey.figures import corpus_stats
from scanrepo.survey.stability import Stability, stability
from scanrepo.vcs.repo import GitRepo

# inside .git, as git rev-parse --git-path places it: a report never shows in git status
DEFAULT_NAME = "scanrepo-report.html"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/report",
        description="Write a self-contained HTML page (no network needed to view it): corpus "
        "overview, per-item share answered yes with intervals, stability across rescans (flip "
        "rate, kappa, AC1 and PABAK, for the same model and for different models, beside "
        "published reference points), red flags, claims, engagement, and the most recently "
        "changed papers with their semantic history. Exit 0, or 1 when scans of the corpus "
        "could not be read (they are left out), 2 on a usage error.",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help=f"the page to write (default: {DEFAULT_NAME} in git's own directory, "
        f".git/{DEFAULT_NAME} in a plain clone, where git never tracks it)",
    )
    parser.add_argument(
        "--rev",
        metavar="REV",
        help="the corpus and history of this commit (default: the work tree and HEAD)",
    )
    parser.add_argument(
        "--recent", type=int, default=20, metavar="N", help="recently changed papers (default 20)"
    )
    parser.add_argument(
        "--top", type=int, default=20, metavar="N", help="red flags to chart (default 20)"
    )
    add_history_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.recent < 0 or args.top < 0:
        parser.error("--recent and --top must be 0 or more")
    readers = Readers()
    progress = StageProgress()
    with GitRepo(Path.cwd()) as repo:
        output = Path(args.output) if args.output else repo.git_path(DEFAULT_NAME)
        check_target(output)
        try:
            data = _gather(args, repo, readers, progress)
        finally:
            progress.close()
    with replaced_on_success(output) as tmp:
        tmp.write_text(render_report(data), encoding="utf-8")
    emit(f"wrote {output}", sys.stderr)
    return EXIT_PROBLEMS if data.unreadable else EXIT_OK


def _gather(
    args: argparse.Namespace, repo: GitRepo, readers: Readers, progress: StageProgress
) -> ReportData:
    corpus = (
        load_commit(repo, args.rev)
        if args.rev
        else load_worktree(scans_root(Path.cwd(), repo.root))
    )
    stats = corpus_stats(corpus.label, corpus.read(readers, progress.stage("reading scans")))
    commit = date = None
    st: Stability | None = None
    recent: list[Timeline] = []
    if repo.has_commits():
        with history_of(repo, args, readers, progress) as history:
            st = stability(history)
            keys = recent_keys(history.revisions, args.recent)
            recent = timelines(repo, history.revisions, keys, readers)
        commit = st.commit
        date = repo.run("show", "-s", "--format=%aI", commit).strip()
    for problem in corpus.problems:
        emit(f"left out: {problem.render()}", sys.stderr)
    return ReportData(
        commit=commit,
        commit_date=date,
        corpus=stats,
        unreadable=len(corpus.problems),
        stability=st,
        timelines=recent,
        top_flags=args.top,
    )
