"""Git access for the tools: one repository handle, blobs read in batch, revisions checked.

Everything goes through GitPython. Blob contents come from one persistent ``git cat-file
--batch`` process per handle (GitPython keeps it), never one git process per file, and the
handle closes it on exit so no git process outlives a tool.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from scanrepo.keys import SCANS_DIR
from scanrepo.problems import ScanRepoError

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
HEX_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


@dataclass(frozen=True)
class Entry:
    """A path in a tree or the index: its mode, blob id and (index only) merge stage."""

    path: str
    mode: str
    blob: str
    stage: int = 0


class UnknownRevisionError(ScanRepoError):
    """A revision that names no commit in this repository."""


def check_revision_argument(rev: str) -> None:
    """Refuse what git could read as an option, or anything that is no revision at all."""
    if not rev or rev.startswith("-") or any(c in rev for c in "\n\r\0"):
        raise ScanRepoError(f"invalid revision {rev!r}: revisions may not start with '-'")


def _git_error(exc: GitCommandError) -> str:
    stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr)
    text = stderr.strip()
    # GitPython wraps git's whole stderr as  stderr: '...'  (git's own quotes stay inside)
    if text.startswith("stderr: '") and text.endswith("'"):
        text = text[len("stderr: '") : -1]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # git's own verdict ("fatal: ...", "error: ...") says what failed; hints follow it
    verdicts = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    return verdicts[0] if verdicts else lines[-1] if lines else str(exc)


class GitRepo:
    """The git repository that holds the scans."""

    def __init__(self, path: Path | str = ".") -> None:
        try:
            self.repo = git.Repo(path, search_parent_directories=True)
        except (InvalidGitRepositoryError, NoSuchPathError) as exc:
            raise ScanRepoError(f"{Path(path).resolve()}: not inside a git repository") from exc
        if self.repo.bare or self.repo.working_tree_dir is None:
            raise ScanRepoError(f"{self.repo.git_dir}: a bare repository has no work tree")
        self.root = Path(self.repo.working_tree_dir)

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.repo.close()

    def run(self, *args: str) -> str:
        """A git command's output; its failure becomes one clear error line."""
        try:
            return str(self.repo.git.execute(["git", *args], strip_newline_in_stdout=False))
        except GitCommandError as exc:
            raise ScanRepoError(f"git {args[0]}: {_git_error(exc)}") from exc

    def run_with_input(self, data: bytes, *args: str) -> str:
        """A git command fed ``data`` on its standard input (a path list, index records)."""
        with tempfile.TemporaryFile() as stdin:
            stdin.write(data)
            stdin.seek(0)
            try:
                out = self.repo.git.execute(
                    ["git", *args], istream=stdin, strip_newline_in_stdout=False
                )
            except GitCommandError as exc:
                raise ScanRepoError(f"git {args[0]}: {_git_error(exc)}") from exc
        return str(out)

    def has_commits(self) -> bool:
        try:
            self.repo.git.rev_parse("--verify", "--quiet", "HEAD^{commit}")
        except GitCommandError:
            return False
        return True

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def resolve(self, rev: str) -> str:
        """The commit id a revision names; a revision that is no commit is refused, saying why
        when the repository explains it (no commits yet, a shallow clone, git refusing)."""
        check_revision_argument(rev)
        try:
            out = self.repo.git.rev_parse(
                "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
            )
        except GitCommandError as exc:
            if str(exc.stderr).strip():  # git itself failed (ownership, a broken repository)
                raise ScanRepoError(f"git rev-parse: {_git_error(exc)}") from exc
            why = self.missing_history()
            raise UnknownRevisionError(
                f"unknown revision {rev!r}" + (f": {why}" if why else "")
            ) from exc
        return str(out).strip()

    def missing_history(self) -> str:
        """Why a revision or a merge base may be missing here, if the repository says why."""
        if not self.has_commits():
            return "the repository has no commits yet"
        if self.is_shallow():
            return "this is a shallow clone; if older history is meant, git fetch --unshallow"
        return ""

    def tree_entries(self, commit: str, prefix: str = SCANS_DIR) -> list[Entry]:
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
        return [_tree_entry(rec) for rec in out.split("\0") if rec]

    def index_entries(self, prefix: str = SCANS_DIR) -> list[Entry]:
        out = self.run("ls-files", "--stage", "-z", "--", prefix)
        entries = []
        for rec in filter(None, out.split("\0")):
            meta, path = rec.split("\t", 1)
            mode, blob, stage = meta.split(" ")
            entries.append(Entry(path, mode, blob, int(stage)))
        return entries

    def blob_sizes(self, blobs: Iterable[str]) -> dict[str, int]:
        """The size in bytes of each blob, from its header alone (one persistent
        ``cat-file --batch-check``), so an oversized blob can be refused without reading it."""
        sizes = {}
        for blob in blobs:
            if not HEX_SHA.fullmatch(blob):
                raise ScanRepoError(f"not a blob id: {blob!r}")
            _, _, size = self.repo.git.get_object_header(blob)
            sizes[blob] = int(size)
        return sizes

    def read_blobs(self, blobs: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(blob id, content) for each id, through the one persistent cat-file process."""
        for blob in blobs:
            if not HEX_SHA.fullmatch(blob):
                raise ScanRepoError(f"not a blob id: {blob!r}")
            _, kind, _, data = self.repo.git.get_object_data(blob)
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind != "blob":
                raise ScanRepoError(f"{blob}: is a {kind}, not a blob")
            yield blob, data


def _tree_entry(record: str) -> Entry:
    meta, path = record.split("\t", 1)
    mode, _kind, blob = meta.split(" ")
    return Entry(path, mode, blob)
