"""Git access for the tools: one repository handle, blobs read in batch, revisions checked.

Commands go through GitPython. Blob contents come from one ``git cat-file --batch`` process per
batch of ids, all requested at once, never one git process per file; the process is gone when
the batch has been read (or abandoned), so no git process outlives a tool.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from scanrepo.errors import ScanRepoError, UnknownRevisionError
from scanrepo.format.keys import SCANS_DIR
from scanrepo.vcs.objects import BlobPacks

SYMLINK_MODE = "120000"
GITLINK_MODE = "160000"
PIPE_BYTES = 1 << 20  # the most an unprivileged process may ask for, by default
HEX_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


@dataclass(frozen=True, slots=True)
class Entry:
    """A path in a tree or the index: its mode, blob id and (index only) merge stage."""

    path: str
    mode: str
    blob: str
    stage: int = 0


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
    return _verdict(text) or str(exc)


def _verdict(stderr: str) -> str:
    """The line of git's error output that says what failed ("" when it wrote none)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    # git's own verdict ("fatal: ...", "error: ...") says what failed; hints follow it
    verdicts = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    return verdicts[0] if verdicts else lines[-1] if lines else ""


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

    def fields(self, *args: str) -> Iterator[str]:
        """The NUL-terminated fields of a git command's ``-z`` output, read as git writes them,
        so that a long output (the raw log of a whole history) is never held at once; its
        failure becomes one clear error line once its output has been read. Decoded and run as
        ``run`` does (GitPython: the file system's encoding, C locale)."""
        env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}
        with tempfile.TemporaryFile() as errors:
            process = _git_reading(self.root, args, subprocess.DEVNULL, errors, env)
            assert process.stdout is not None
            try:
                rest = b""
                while chunk := os.read(process.stdout.fileno(), _FIELDS_CHUNK):
                    # a field may end in the next chunk, and a character span two
                    head, nul, rest = (rest + chunk).rpartition(b"\0")
                    if nul:
                        yield from os.fsdecode(head).split("\0")
                if rest:
                    yield os.fsdecode(rest)
                if process.wait():
                    errors.seek(0)
                    why = _verdict(os.fsdecode(errors.read()))
                    raise ScanRepoError(f"git {args[0]}: {why or 'failed'}")
            finally:
                process.stdout.close()
                process.kill()
                process.wait()

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

    def git_path(self, name: str) -> Path:
        """Where git keeps ``name`` for this work tree (``git rev-parse --git-path``): inside
        git's own directory, which git never tracks."""
        path = Path(self.run("rev-parse", "--git-path", name).strip())
        return path if path.is_absolute() else self.root / path

    def blob_packs(self) -> BlobPacks | None:
        """Where worker processes may store blobs as git would (see ``vcs/objects``), or None
        where git must store them itself."""
        out = self.run("rev-parse", "--show-object-format", "--git-path", "objects").split("\n")
        directory = Path(out[1])
        config: dict[str, str] = {}
        for record in self.run("config", "--list", "-z").split("\0"):
            name, _, value = record.partition("\n")
            config[name] = value
        return BlobPacks.from_config(
            directory if directory.is_absolute() else self.root / directory, out[0], config
        )

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
        records = self.fields("ls-tree", "-r", "-z", "--full-tree", commit, "--", prefix)
        return [_tree_entry(rec) for rec in records if rec]

    def paths_in_history(self, commit: str, prefix: str = SCANS_DIR) -> set[str]:
        """Every path below ``prefix`` that a commit reachable from ``commit`` added, changed
        or removed."""
        out = self.run(
            "log", "--format=", "--name-only", "-z", "--no-renames", commit, "--", prefix
        )
        return {path.lstrip("\n") for path in out.split("\0") if path.strip("\n")}

    def index_entries(self, prefix: str = SCANS_DIR) -> list[Entry]:
        entries = []
        for rec in filter(None, self.fields("ls-files", "--stage", "-z", "--", prefix)):
            meta, path = rec.split("\t", 1)
            mode, blob, stage = meta.split(" ")
            entries.append(Entry(sys.intern(path), sys.intern(mode), blob, int(stage)))
        return entries

    def blob_sizes(self, blobs: Iterable[str]) -> dict[str, int]:
        """The size in bytes of each blob, from its header alone (one ``cat-file
        --batch-check``), so an oversized blob can be refused without reading it."""
        ids = _checked_ids(blobs)
        sizes: dict[str, int] = {}
        if not ids:
            return sizes
        with self._cat_file("--batch-check", ids) as out:
            for blob in ids:
                _kind, size = _header(out, blob)
                sizes[blob] = size
        return sizes

    def read_blobs(self, blobs: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(blob id, content) for each id, in order, from one ``git cat-file --batch``; read
        lazily, so a caller may stream a whole corpus one blob at a time."""
        ids = _checked_ids(blobs)
        if not ids:
            return
        with self._cat_file("--batch", ids) as out:
            yield from _contents(out, ids)

    @contextmanager
    def blob_reader(self) -> Iterator[BlobReader]:
        """One ``git cat-file --batch`` for batch after batch of blobs, started now. A process
        started later by this one is a copy of it until it runs git: one started by a tool that
        holds a large history briefly counts that memory twice, and every ``read_blobs``
        starts one."""
        reader = BlobReader(self.root)
        try:
            yield reader
        finally:
            reader.close()

    @contextmanager
    def _cat_file(self, mode: str, ids: list[str]) -> Iterator[IO[bytes]]:
        """The output of one ``git cat-file`` asked for every id at once.

        Asking one id at a time and waiting for each answer (as GitPython's persistent
        process does) cost 0.1-0.2 ms a blob, several times git's own work. The ids come from
        a file, not a pipe: git answers while it reads, and two full pipes would wait on each
        other. The process is gone when the caller is done, or gives up, with its output.
        """
        with tempfile.TemporaryFile() as requests:
            requests.write("".join(blob + "\n" for blob in ids).encode())
            requests.seek(0)
            process = _git_reading(self.root, ("cat-file", mode), requests)
        assert process.stdout is not None
        try:
            yield process.stdout
        finally:
            process.stdout.close()
            process.kill()
            process.wait()


class BlobReader:
    """A ``git cat-file --batch`` that reads the blobs of one batch after another
    (``GitRepo.blob_reader``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        return _git_reading(self.root, ("cat-file", "--batch"), subprocess.PIPE)

    def read(self, blobs: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(blob id, content) for each id, in order, as ``GitRepo.read_blobs`` gives them. The
        ids are written by a thread while the contents are read (two full pipes would wait on
        each other); a batch given up halfway ends the process, a next one starts another."""
        ids = _checked_ids(blobs)
        if not ids:
            return
        process = self.process = self.process or self._start()
        assert process.stdin is not None and process.stdout is not None
        writer = threading.Thread(target=_ask, args=(process.stdin, ids), daemon=True)
        writer.start()
        done = False
        try:
            for count, answer in enumerate(_contents(process.stdout, ids), 1):
                done = count == len(ids)  # every answer read: the caller may stop here
                yield answer
        finally:
            if not done:  # its answers left unread would answer the next batch
                self.close()
            writer.join()

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        with suppress(OSError):
            process.stdin.close()
        process.stdout.close()
        process.kill()
        process.wait()


def _git_reading(
    root: Path,
    args: Sequence[str],
    stdin: int | IO[bytes],
    stderr: int | IO[bytes] = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """git ``args`` with small pack windows, its output a pipe we read as it writes: on Linux a
    wide one, so that git works ahead of a slow reader."""
    process = subprocess.Popen(
        ["git", *_LEAN_PACK_WINDOWS, *args],
        cwd=root,
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    assert process.stdout is not None
    with suppress(AttributeError, OSError):
        fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return process


def _ask(stdin: IO[bytes], ids: list[str]) -> None:
    with suppress(OSError):  # git ended: the reader finds its output short
        stdin.write("".join(blob + "\n" for blob in ids).encode())
        stdin.flush()


def _contents(out: IO[bytes], ids: list[str]) -> Iterator[tuple[str, bytes]]:
    """(blob id, content) of each of ``ids`` from ``cat-file --batch`` output."""
    for blob in ids:
        kind, size = _header(out, blob)
        data = out.read(size)
        out.read(1)  # the newline after each object
        if kind != "blob":
            raise ScanRepoError(f"{blob}: is a {kind}, not a blob")
        yield blob, data


# git maps its pack files into memory in windows of up to 1 GiB, and keeps 8 GiB of them: a
# cat-file that reads every blob of a history holds the whole pack resident (250 MB for 10,000
# scans and 200 commits), and a log of the whole history 150 MB of 100,000 scans'. Small windows
# read as fast and keep them to about 30 and 77 MB.
_LEAN_PACK_WINDOWS = ("-c", "core.packedGitWindowSize=16m", "-c", "core.packedGitLimit=32m")
_FIELDS_CHUNK = 1 << 16


def _checked_ids(blobs: Iterable[str]) -> list[str]:
    ids = list(blobs)
    for blob in ids:
        if not HEX_SHA.fullmatch(blob):
            raise ScanRepoError(f"not a blob id: {blob!r}")
    return ids


def _header(out: IO[bytes], blob: str) -> tuple[str, int]:
    """The type and size ``cat-file`` reports for ``blob``."""
    header = out.readline().decode(errors="replace").split()
    if len(header) != 3 or header[0] != blob:
        raise ScanRepoError(f"{blob}: no such object in this repository")
    return header[1], int(header[2])


def _tree_entry(record: str) -> Entry:
    """One record of ``ls-tree``; the path and mode interned, as a corpus's listings of its
    tree and its index name the same paths (100,000 of them) with a handful of modes."""
    meta, path = record.split("\t", 1)
    mode, _kind, blob = meta.split(" ")
    return Entry(sys.intern(path), sys.intern(mode), blob)
