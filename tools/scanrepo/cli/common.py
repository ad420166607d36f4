"""What the commands share: exit codes, error reporting, the repository root, colour, progress."""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from scanrepo.errors import LockedError, ScanRepoError
from scanrepo.format.keys import SCANS_DIR
from scanrepo.fs.lock import exclusive
from scanrepo.render.inert import terminal_safe

if TYPE_CHECKING:  # git's Python package is not needed by every command (textconv)
    from scanrepo.migrate.migrator import Migrator
    from scanrepo.vcs.repo import GitRepo

    Writer = Callable[[Path, GitRepo | None, Migrator], int]

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the usage error exit code 2 and one clean line."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def add_jobs_argument(parser: argparse.ArgumentParser, work: str = "worker processes") -> None:
    """``--jobs N``; ``work`` says what the processes do."""
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=f"{work} (default: one per core)",
    )


def scan_version(text: str) -> int:
    """A scan version argument: ``4`` or ``v4``."""
    if not re.fullmatch(r"v?(0|[1-9]\d{0,5})", text, re.ASCII):
        raise argparse.ArgumentTypeError(f"{text!r} is not a scan version (e.g. 4 or v4)")
    return int(text.removeprefix("v"))


def positive_int(text: str) -> int:
    """A count argument: a whole number, at least 1."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def emit(text: str, stream: TextIO | None = None) -> None:
    print(terminal_safe(text), file=stream or sys.stdout)


def fail(message: str) -> int:
    emit(f"error: {message}", sys.stderr)
    return EXIT_ERROR


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Run a command: library errors become one line and exit 2; never a traceback by default."""
    try:
        return main(argv)
    except ScanRepoError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        emit("interrupted", sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("SCANREPO_DEBUG"):
            traceback.print_exc()
        return fail(
            f"internal error: {type(exc).__name__}: {exc} (set SCANREPO_DEBUG=1 for details)"
        )


class Progress:
    """A one-line counter on stderr when it is a terminal and the job is large; silent otherwise."""

    def __init__(self, label: str, minimum: int = 500) -> None:
        self.label, self.minimum = label, minimum
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total >= self.minimum and sys.stderr.isatty():
            sys.stderr.write(f"\r{self.label}: {done}/{total}")
            sys.stderr.flush()
            self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def written(write: Callable[[Progress], None]) -> bool:
    """Run ``write`` with a "writing" progress line; a failed write is reported (``failed:``)
    and is False."""
    from scanrepo.errors import WriteFailedError

    progress = Progress("writing")
    try:
        write(progress)
    except WriteFailedError as exc:
        emit(f"failed: {exc}", sys.stderr)
        return False
    finally:
        progress.close()
    return True


class StageProgress:
    def __init__(self) -> None:
        self.current: Progress | None = None

    def stage(self, label: str) -> Callable[[int, int], None]:
        """The progress callback of one stage; it ends the previous stage's line."""

        def report(done: int, total: int) -> None:
            if self.current is None or self.current.label != label:
                self.close()
                self.current = Progress(label)
            self.current(done, total)

        return report

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


def find_root(start: Path) -> Path:
    """The repository's top directory: the nearest ancestor holding scans/ or .git."""
    for directory in (start, *start.parents):
        if (directory / SCANS_DIR).is_dir() or (directory / ".git").exists():
            return directory
    return start


def scans_root(start: Path, root: Path | None = None) -> Path:
    """The repository's top directory (``root``, else found from ``start``), which must hold
    scans/: a command that reads every scan refuses to run where there is none, rather than
    report that nothing it checked has a problem."""
    root = find_root(start) if root is None else root
    if not (root / SCANS_DIR).is_dir():
        raise ScanRepoError(
            f"no {SCANS_DIR}/ directory here or above ({start}): run this in a scan repository"
        )
    return root


# The one-writer lock of the commands that write scans (tools/migrate, tools/add,
# tools/validate --fix-layout): in .git/, or beside scans/ outside a git repository.
WRITER_LOCK = "scanrepo-migrate.lock"


def open_repo(start: Path) -> GitRepo | None:
    """The git repository around ``start``, or None outside one."""
    from scanrepo.vcs.repo import GitRepo

    try:
        return GitRepo(start)
    except ScanRepoError:
        return None


def writer_lock_path(root: Path, repo: GitRepo | None) -> Path:
    """The lock file of the tools that write scans: inside git's directory, else in root."""
    if repo is None:
        return root / f".{WRITER_LOCK}"
    return repo.git_path(WRITER_LOCK)


def under_writer_lock(
    root: Path,
    repo: GitRepo | None,
    work: Callable[[], int],
    unchanged: str,
    what: str = "tools/migrate",
) -> int:
    """``work()`` holding the writer lock; refused (exit 1, saying ``unchanged``) while another
    run holds it."""
    try:
        with exclusive(writer_lock_path(root, repo), what):
            return work()
    except LockedError as exc:
        emit(f"refused: {exc}; {unchanged}", sys.stderr)
        return EXIT_PROBLEMS


def as_writer(work: Writer, target: int | None, *, what: str, commit: bool, lock: bool) -> int:
    """Run ``work`` as a tool that writes scans (tools/migrate, tools/add): with the repository
    (None outside git), scans/ found, the migrator to ``target`` (default: the newest) and,
    with ``lock``, the writer lock held; another writer holding it is a refusal (exit 1)."""
    from scanrepo.migrate.migrator import Migrator
    from scanrepo.toolkit import Toolkit

    repo = open_repo(Path.cwd())
    try:
        toolkit = Toolkit()
        migrator = Migrator.load(toolkit, toolkit.newest if target is None else target)
        if commit and repo is None:
            raise ScanRepoError("--commit needs a git repository, and this is not in one")
        root = scans_root(Path.cwd(), repo.root if repo is not None else None)
        if not lock:
            return work(root, repo, migrator)
        return under_writer_lock(
            root, repo, lambda: work(root, repo, migrator), "nothing was written", what
        )
    finally:
        if repo is not None:
            repo.close()


def use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
