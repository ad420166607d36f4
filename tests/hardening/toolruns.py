"""What the hardening tests share: tools run in-process with their output captured, problem
lines taken apart, scans of chosen papers, snapshots of a directory tree."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import canonical, fixture_doc, git
from scanrepo.cli.common import run
from scanrepo.cli.migrate import main as migrate_main
from scanrepo.cli.validate import main as validate_main
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import load_chain
from scanrepo.testing import generate
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR

Main = Callable[[Sequence[str] | None], int]

# file[:line:col]: $.path: message -- the file may itself hold ':' (HEAD:scans/...)
PROBLEM_LINE = re.compile(
    r"^(?P<file>.+?)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<path>\$\S*): (?P<message>.+)$"
)
CRASH_SIGNS = ("Traceback (most recent call last)", "internal error")


@dataclass(frozen=True)
class Outcome:
    """A tool's exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def lines_about(self, name: str) -> list[re.Match[str]]:
        """The problem lines naming file ``name``."""
        found = (PROBLEM_LINE.match(line) for line in self.text.splitlines())
        return [m for m in found if m is not None and m["file"] == name]

    def assert_clean(self, *codes: int) -> None:
        """No traceback, no internal error, and one of the documented exit codes."""
        for sign in CRASH_SIGNS:
            assert sign not in self.text, self.text[-3000:]
        assert self.code in codes, f"exit {self.code}:\n{self.text[-3000:]}"


def run_in(cwd: Path, main: Main, *argv: str) -> Outcome:
    """Run a tool's main as ``tools/<name>`` would, in ``cwd``, capturing its output."""
    out, err = io.StringIO(), io.StringIO()
    saved = Path.cwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = run(main, list(argv))
            except SystemExit as exc:  # argparse's usage errors, as the process would exit
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(saved)
    return Outcome(code, out.getvalue(), err.getvalue())


def validate(cwd: Path, *argv: str) -> Outcome:
    return run_in(cwd, validate_main, *argv)


def migrate(cwd: Path, *argv: str) -> Outcome:
    return run_in(cwd, migrate_main, *argv)


def scan_doc(version: int, key: str) -> dict[str, Any]:
    """The real scan, in v3 or v4 form, as the paper with new-style arXiv key ``key``."""
    doc = fixture_doc(version)
    doc["paper"]["arxiv" if version == 3 else "arxiv_id"] = key
    return doc


def scan_path(version: int, key: str) -> str:
    return f"scans/v{version}/{key[:4]}/{key}.json"


def put_scan(repo: Path, version: int, key: str, data: bytes | None = None) -> Path:
    path = repo / scan_path(version, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canonical(scan_doc(version, key)) if data is None else data)
    return path


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry below ``root``, hidden ones included: file bytes, symlink targets, dirs."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_symlink():
            found[rel] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            found[rel] = "dir"
        else:
            try:
                found[rel] = path.read_bytes()
            except OSError as exc:
                found[rel] = f"unreadable: {exc.strerror}"
    return found


def scans_of(root: Path) -> dict[str, bytes]:
    """Every file below scans/ (temporary files included) with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted((root / "scans").rglob("*"))
        if path.is_file()
    }


def v3_corpus(repo: Path, seed: int, count: int) -> dict[str, bytes]:
    """Generated v3 scans, written and committed in ``repo``; returns what tools/migrate --to 4
    must make of them."""
    registry = SchemaRegistry(SCHEMA_DIR)
    chain = load_chain(MIGRATIONS_DIR, registry.versions)
    expected: dict[str, bytes] = {}
    for doc in generate.corpus(seed, count, 3):
        path = repo / keys.scan_path(doc, 3)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(canonical_bytes(doc))
        migrated = chain.migrate(doc, 4)
        expected[keys.scan_path(migrated, 4).as_posix()] = canonical_bytes(migrated)
    commit_all(repo, "v3 scans")
    return expected


def commit_all(repo: Path, message: str = "scans") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, "--no-verify")
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    (path / "scans").mkdir(exist_ok=True)
    return path
