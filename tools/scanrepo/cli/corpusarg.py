"""The corpus a command reads: the work tree, or with ``--rev`` a commit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from scanrepo.cli.validate import find_root
from scanrepo.survey.corpus import Corpus, load_commit, load_worktree
from scanrepo.vcs.repo import GitRepo


@contextlib.contextmanager
def corpus_of(rev: str | None) -> Iterator[Corpus]:
    """Read it inside the block: a commit's scans stream from git while the block runs."""
    if rev:
        with GitRepo(Path.cwd()) as repo:
            yield load_commit(repo, rev)
    else:
        yield load_worktree(find_root(Path.cwd()))
