"""Benchmark corpora: seeded histories built once and cached by what determines their content.

Every corpus is one history of ``scans`` papers: commit 0 imports them at v3, commit 1 migrates
them all to v4, then ordinary commits rescan ``RESCANS`` papers each, and the last commit
rescans ``BIG_COMMIT`` papers at once. The first paper is rescanned in every commit, so it has
a revision per commit. Beside it sits the v3 corpus ``tools/migrate`` starts from: a repository
of commit 0 alone (the same commit), built on its own so that its object store does not
already hold the migrated scans, as a real repository before its migration does not.

The cache key is a hash of the spec and of the source files that generate the content, so a
changed generator never reuses an old corpus; a corpus is built in a temporary directory and
renamed into place when complete, so an interrupted build is never reused either.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from scanrepo.testing.synthetic_history import HistorySpec, build_history
from scanrepo.toolkit import MIGRATIONS_DIR, Toolkit

SEED = 1
BIG_COMMIT = 1000
RESCANS = 25
_PACKAGE = Path(__file__).resolve().parents[1]
_SOURCES = (
    "testing/generate.py",
    "testing/synthetic_history.py",
    "format/keys.py",
    "migrate/chain.py",
)  # the canonical form is fixed
FORMAT = 2  # bump when the layout of a cached corpus changes


@dataclass(frozen=True)
class CorpusSpec:
    scans: int
    commits: int  # after the import; at least 2 (the migration and the big commit)

    @property
    def name(self) -> str:
        return f"{self.scans}-scans-{self.commits}-commits"

    def history(self) -> HistorySpec:
        rescans = min(RESCANS, self.scans)
        return HistorySpec(
            seed=SEED,
            scans=self.scans,
            commits=self.commits,
            start_version=3,
            migrate_at=1,
            big_commit_at=self.commits,
            big_commit_size=min(BIG_COMMIT, self.scans),
            rescans_per_commit=(rescans, rescans),
            hot_papers=1,
        )

    def digest(self) -> str:
        h = hashlib.sha256(f"{FORMAT}:{self.history()!r}".encode())
        for name in _SOURCES:
            h.update((_PACKAGE / name).read_bytes())
        for path in sorted(MIGRATIONS_DIR.glob("*.py")):
            h.update(path.name.encode() + path.read_bytes())
        return h.hexdigest()[:16]


@dataclass(frozen=True)
class Corpus:
    spec: CorpusSpec
    root: Path

    @property
    def repo(self) -> Path:
        """The history, checked out at its last commit: every scan at v4."""
        return self.root / "repo"

    @property
    def v3(self) -> Path:
        """A repository of commit 0 alone: every scan at v3."""
        return self.root / "v3"

    @cached_property
    def _info(self) -> dict[str, Any]:
        info: dict[str, Any] = json.loads((self.root / "info.json").read_text(encoding="utf-8"))
        return info

    @property
    def commits(self) -> list[str]:
        """Commit ids, oldest first: ``commits[n]`` is commit number n."""
        return list(self._info["commits"])

    @property
    def hot_key(self) -> str:
        return str(self._info["hot_key"])

    @property
    def hot_path(self) -> str:
        return str(self._info["hot_path"])

    def scan_files(self, directory: Path) -> list[str]:
        """Every scan below ``directory``/scans, as sorted paths relative to ``directory``."""
        return sorted(
            p.relative_to(directory).as_posix() for p in directory.glob("scans/*/*/*.json")
        )


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout


def _upgrade_to_v4() -> Any:
    chain = Toolkit().chain
    return lambda scan: chain.migrate(scan, 4)


def ensure_corpus(cache: Path, spec: CorpusSpec) -> tuple[Corpus, bool]:
    """The corpus of ``spec`` in ``cache``, built unless already there; and whether it was built."""
    root = cache / f"{spec.name}-{spec.digest()}"
    if (root / "info.json").is_file():
        return Corpus(spec, root), False
    for stale in cache.glob(f".{root.name}.partial-*"):
        if not _alive(int(stale.name.rsplit("-", 1)[1])):
            shutil.rmtree(stale, ignore_errors=True)  # a build that was interrupted
    partial = cache / f".{root.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    info = build_history(partial / "repo", spec.history(), _upgrade_to_v4())
    v3 = build_history(partial / "v3", HistorySpec(SEED, spec.scans, 0, start_version=3))
    assert v3.head == info.commits[0].id, "the v3 corpus is the history's first commit"
    hot = info.hot[0]
    record = {
        "spec": {"scans": spec.scans, "commits": spec.commits},
        "commits": [c.id for c in info.commits],
        "hot_key": hot,
        "hot_path": info.paths[hot],
    }
    (partial / "info.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.rename(partial, root)
    return Corpus(spec, root), True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def linked_copy(source: Path, destination: Path) -> None:
    """A copy of a checkout whose files are hard links, with git's index refreshed.

    Safe for tools/migrate and git: they replace files (write elsewhere, then rename) and never
    write into one, so the source is never changed. Git's stat cache is refreshed because the
    links changed every file's ctime; without it the next git command would re-read them all.
    """
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, symlinks=True, copy_function=os.link)
    git(destination, "update-index", "-q", "--refresh")
