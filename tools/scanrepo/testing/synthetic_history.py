"""A seeded git history of generated scans, written by one ``git fast-import`` run.

The history is linear on ``main``: an import commit of every scan, then rescan commits, and
optionally one migration commit (every scan rewritten by an ``upgrade`` callable and moved to
its new version's directory) and one big rescan commit. The first ``hot_papers`` papers of the
corpus are rescanned in every rescan commit, big or not, which gives ``tools/log`` a paper with
as many revisions as the history has commits. Authors, dates and messages are fixed,
so the same spec always gives the same commit ids.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from scanrepo.errors import ScanRepoError
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.keys import paper_key, scan_path
from scanrepo.testing.generate import corpus, rescan

BRANCH = "main"
IDENTITY = b"Survey Bot <bot@example.org>"
_FAST_IMPORT = ("fast-import", "--quiet", "--done", "--depth=0")
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z; commit i is dated i hours later

CommitKind = Literal["import", "rescan", "migrate", "big"]
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class HistorySpec:
    """What history to build; ``migrate_at`` and ``big_commit_at`` number commits from 1."""

    seed: int
    scans: int
    commits: int
    start_version: int = 4
    migrate_at: int | None = None
    big_commit_at: int | None = None
    big_commit_size: int = 1000
    rescans_per_commit: tuple[int, int] = (1, 50)
    hot_papers: int = 0

    def __post_init__(self) -> None:
        if self.scans < 1 or self.commits < 0:
            raise ValueError("a history needs at least one scan and a non-negative commit count")
        for name, at in (("migrate_at", self.migrate_at), ("big_commit_at", self.big_commit_at)):
            if at is not None and not 1 <= at <= self.commits:
                raise ValueError(f"{name}={at} is not a commit number in 1..{self.commits}")
        if self.migrate_at is not None and self.migrate_at == self.big_commit_at:
            raise ValueError("the migration and the big commit must be different commits")
        if self.big_commit_at is not None and not 1 <= self.big_commit_size <= self.scans:
            raise ValueError(f"big_commit_size={self.big_commit_size} is not in 1..{self.scans}")
        low, high = self.rescans_per_commit
        if not 1 <= low <= high:
            raise ValueError(f"rescans_per_commit={self.rescans_per_commit} is not a range")
        if not 0 <= self.hot_papers <= min(low, self.scans):
            raise ValueError(
                f"hot_papers={self.hot_papers} is not in 0..{min(low, self.scans)}: hot papers "
                "count towards each commit's rescans"
            )
        if self.big_commit_at is not None and self.big_commit_size < self.hot_papers:
            raise ValueError(f"big_commit_size={self.big_commit_size} is below hot_papers")

    def kind_of(self, number: int) -> CommitKind:
        if number == 0:
            return "import"
        if number == self.migrate_at:
            return "migrate"
        return "big" if number == self.big_commit_at else "rescan"


@dataclass(frozen=True)
class CommitInfo:
    id: str
    kind: CommitKind
    keys: tuple[str, ...]  # paper keys of the scans the commit wrote, sorted


@dataclass(frozen=True)
class HistoryInfo:
    commits: tuple[CommitInfo, ...]  # oldest first
    paths: Mapping[str, str]  # paper key -> path of its scan at the last commit
    hot: tuple[str, ...] = ()  # paper keys of the hot papers, in corpus order

    @property
    def head(self) -> str:
        return self.commits[-1].id


@dataclass(frozen=True)
class _Scan:
    path: str
    content: bytes


def _git_env() -> dict[str, str]:
    # Without GIT_DIR and friends (set inside hooks), git acts on the repository it is given.
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def _git(repo: Path, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], env=_git_env(), check=True, **kwargs)


def _write_commit(
    stream: IO[bytes], number: int, message: str, files: Iterable[_Scan], deleted: Iterable[str]
) -> None:
    when = b"%d +0000" % (EPOCH + number * 3600)
    text = message.encode()
    stream.write(b"commit refs/heads/%s\n" % BRANCH.encode())
    stream.write(b"author %s %s\ncommitter %s %s\n" % (IDENTITY, when, IDENTITY, when))
    stream.write(b"data %d\n%s\n" % (len(text), text))
    for scan in files:
        stream.write(b"M 100644 inline %s\n" % scan.path.encode())
        stream.write(b"data %d\n%s\n" % (len(scan.content), scan.content))
    for path in deleted:  # never a path written above, so the order does not matter
        stream.write(b"D %s\n" % path.encode())
    stream.write(b"\n")


class _Builder:
    """The current scans and the stream of commits that changes them."""

    def __init__(self, stream: IO[bytes], spec: HistorySpec, upgrade: Upgrade | None) -> None:
        self.stream = stream
        self.spec = spec
        self.upgrade = upgrade
        self.rng = random.Random(f"history:{spec.seed}")
        self.scans: dict[str, _Scan] = {}
        self.hot: list[str] = []
        self.touched: list[tuple[CommitKind, tuple[str, ...]]] = []

    def run(self) -> None:
        spec = self.spec
        imported = (
            (
                paper_key(scan),
                _Scan(scan_path(scan, spec.start_version).as_posix(), canonical_bytes(scan)),
            )
            for scan in corpus(spec.seed, spec.scans, spec.start_version)
        )
        self._commit(0, "import", f"Import {spec.scans} scans", imported)
        for number in range(1, spec.commits + 1):
            kind = spec.kind_of(number)
            if kind == "migrate":
                self._migrate(number)
            else:
                self._rescan(number, kind)

    def _commit(
        self,
        number: int,
        kind: CommitKind,
        message: str,
        changes: Iterable[tuple[str, _Scan]],
        deleted: Iterable[str] = (),
    ) -> None:
        keys: list[str] = []

        def files() -> Iterator[_Scan]:
            # Lazily, so git compresses the import while later scans are generated.
            for key, scan in changes:
                keys.append(key)
                if kind == "import" and len(self.hot) < self.spec.hot_papers:
                    self.hot.append(key)
                self.scans[key] = scan
                yield scan

        _write_commit(self.stream, number, message, files(), deleted)
        self.touched.append((kind, tuple(sorted(keys))))

    def _rescan(self, number: int, kind: CommitKind) -> None:
        if kind == "big":
            count = self.spec.big_commit_size
        else:
            count = min(self.rng.randint(*self.spec.rescans_per_commit), len(self.scans))
        changes = []
        hot = set(self.hot)
        others = [key for key in sorted(self.scans) if key not in hot]
        for key in self.hot + self.rng.sample(others, count - len(self.hot)):
            old = self.scans[key]
            new = rescan(self.rng, json.loads(old.content))
            changes.append((key, _Scan(old.path, canonical_bytes(new))))
        verb = "Rescan in one batch" if kind == "big" else "Rescan"
        self._commit(number, kind, f"{verb} {count} papers", changes)

    def _migrate(self, number: int) -> None:
        assert self.upgrade is not None, "build_history checks this"
        changes, deleted = [], []
        for key, old in self.scans.items():
            new = self.upgrade(json.loads(old.content))
            path = scan_path(new, new["scan_version"]).as_posix()
            changes.append((key, _Scan(path, canonical_bytes(new))))
            if path != old.path:
                deleted.append(old.path)
        self._commit(number, "migrate", f"Migrate {len(changes)} scans", changes, deleted)


def build_history(repo_dir: Path, spec: HistorySpec, upgrade: Upgrade | None = None) -> HistoryInfo:
    """Create a git repository in ``repo_dir`` (absent or empty) holding the history of ``spec``.

    The work tree is left checked out at the last commit.
    """
    if spec.migrate_at is not None and upgrade is None:
        raise ValueError("a history with a migration commit needs an upgrade function")
    if repo_dir.exists() and any(repo_dir.iterdir()):
        raise ScanRepoError(f"{repo_dir}: not empty; a history is built in a new directory")
    repo_dir.mkdir(parents=True, exist_ok=True)
    _git(repo_dir, "init", "--quiet", f"--initial-branch={BRANCH}")
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            # Fast zlib and no deltas: half the time of git's defaults; `git gc` can pack later.
            ["git", "-C", str(repo_dir), "-c", "core.compression=1", *_FAST_IMPORT],
            stdin=subprocess.PIPE,
            stderr=errors,
            env=_git_env(),
        )
        assert process.stdin is not None
        builder = _Builder(process.stdin, spec, upgrade)
        try:
            builder.run()
            process.stdin.write(b"done\n")
        except BrokenPipeError:
            pass  # git stopped reading; its own message is reported below
        finally:
            # Without "done", git discards the import, also when building failed half-way.
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise ScanRepoError(f"{repo_dir}: git fast-import failed: {message}")
    _git(repo_dir, "reset", "--quiet", "--hard", BRANCH)
    listed = _git(repo_dir, "rev-list", "--reverse", BRANCH, capture_output=True)
    ids = listed.stdout.decode().split()
    commits = tuple(
        CommitInfo(id, kind, keys) for id, (kind, keys) in zip(ids, builder.touched, strict=True)
    )
    paths = {key: scan.path for key, scan in sorted(builder.scans.items())}
    return HistoryInfo(commits, paths, tuple(builder.hot))
