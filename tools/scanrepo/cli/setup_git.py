"""tools/setup-git: install this repository's git integration into the current clone."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, emit
from scanrepo.vcs.install import setup
from scanrepo.vcs.repo import GitRepo
from scanrepo.vcs.textconv_cache import NOTES_REF, refresh


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
    parser.add_argument(
        "--refresh-cache",
        nargs="*",
        metavar="REV",
        help="what the installed hooks run: give git's textconv cache of scans a new key if "
        "the tools changed, and render the scans the commits of these revisions show "
        "(commit ids, ^ID to exclude); installs nothing",
    )
    args = parser.parse_args(argv)
    if args.refresh_cache is not None:
        with GitRepo(Path.cwd()) as repo:
            filled = refresh(repo, args.refresh_cache)
        if filled is not None and filled.reset:
            print(
                f"tools/setup-git: the tools changed, so git's textconv cache ({NOTES_REF}) "
                "was started anew; run tools/setup-git to render the history's scans again "
                "(until then git show starts the driver for each scan it has no text for)",
                file=sys.stderr,
            )
        return EXIT_OK
    with GitRepo(Path.cwd()) as repo:
        outcomes = setup(repo, force=args.force)
    for outcome in outcomes:
        emit(
            f"{outcome.status}: {outcome.what}" + (f": {outcome.detail}" if outcome.detail else "")
        )
    return EXIT_PROBLEMS if any(o.status == "refused" for o in outcomes) else EXIT_OK
