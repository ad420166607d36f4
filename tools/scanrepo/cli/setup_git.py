"""tools/setup-git: install this repository's git integration into the current clone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit
from scanrepo.vcs.install import setup
from scanrepo.vcs.repo import GitRepo


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="tools/setup-git",
        description="Install the git integration for scans into this clone (idempotent); a "
        "pre-commit hook someone else wrote is kept, and the drivers installed beside it. "
        "Exit 0 done, 1 a different git setting was kept (refused), 2 error.",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a hook or git setting that tools/setup-git did not write "
        "(an old hook is kept as a backup)",
    )
    args = parser.parse_args(argv)
    with GitRepo(Path.cwd()) as repo:
        outcomes = setup(repo, force=args.force)
    for outcome in outcomes:
        emit(
            f"{outcome.status}: {outcome.what}" + (f": {outcome.detail}" if outcome.detail else "")
        )
    return EXIT_PROBLEMS if any(o.status == "refused" for o in outcomes) else EXIT_OK
