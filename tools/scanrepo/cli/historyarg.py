"""The history a command reads: its ``--rev``, ``--no-cache`` and ``--jobs`` options."""

from __future__ import annotations

import argparse
from contextlib import AbstractContextManager

from scanrepo.cli.common import add_jobs_argument
from scanrepo.cli.progress import StageProgress
from scanrepo.history.walk import History, open_history
from scanrepo.survey.corpus import Readers
from scanrepo.vcs.repo import GitRepo


def add_rev_argument(parser: argparse.ArgumentParser, history_option: str) -> None:
    """``--rev`` of a command that reads the corpus, or with ``history_option`` its history."""
    parser.add_argument(
        "--rev",
        metavar="REV",
        help="the corpus of this commit (default: the work tree); with "
        f"{history_option}, the history up to this commit (default: HEAD)",
    )


def add_history_arguments(
    parser: argparse.ArgumentParser, history_option: str | None = None
) -> None:
    """``--no-cache`` and ``--jobs``; ``history_option`` is the option that makes the command
    read history, for one that does not always."""
    when = f"with {history_option}, n" if history_option else "n"
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help=f"{when}either read nor write the cache in .git/scanrepo-cache/",
    )
    add_jobs_argument(parser, "worker processes for reading scans from history")


def history_of(
    repo: GitRepo, args: argparse.Namespace, readers: Readers, progress: StageProgress
) -> AbstractContextManager[History]:
    """The history up to ``--rev`` (default HEAD), as ``--no-cache`` and ``--jobs`` ask."""
    return open_history(
        repo,
        readers,
        args.rev or "HEAD",
        cache=not args.no_cache,
        progress=progress.stage("reading scans from history"),
        workers=args.jobs,
    )
