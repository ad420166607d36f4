"""What stats, export and report read: the corpus of the work tree or of a commit (``--rev``), or
its history (``--rev``, ``--no-cache``, ``--jobs``)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from scanrepo.cli.common import StageProgress, add_jobs_argument, scans_root
from scanrepo.history.walk import History, open_history
from scanrepo.survey.corpus import Corpus, Readers, load_commit, load_worktree
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


@contextlib.contextmanager
def corpus_of(rev: str | None) -> Iterator[Corpus]:
    """Read it inside the block: a commit's scans stream from git while the block runs."""
    if rev:
        with GitRepo(Path.cwd()) as repo:
            yield load_commit(repo, rev)
    else:
        yield load_worktree(scans_root(Path.cwd()))
