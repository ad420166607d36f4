"""A data repository carrying its own tools, schemas and migrations, as a clone does (for the
tests of tools/schema)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import V3_FIXTURE, V4_FIXTURE, clone_of_tools, git


def own_tool(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The repository's own tools/<name>: its schemas and migrations are the ones it uses."""
    return subprocess.run(
        [sys.executable, str(cwd / "tools" / name), *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The repository's tools, schemas and migrations with a v4 scan committed: v4 is
    released, v3 never was (no v3 scan in its history)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    clone_of_tools(repo)
    scan = repo / "scans" / "v4" / "2602" / "2602.07852.json"
    scan.parent.mkdir(parents=True)
    shutil.copy(V4_FIXTURE, scan)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v4 scan")
    return repo


def add_v3_scan(repo: Path) -> str:
    """A second paper's scan at v3 (the fixture with another arXiv id), committed."""
    text = V3_FIXTURE.read_text("utf-8").replace('"2602.07852', '"2602.07853')
    path = "scans/v3/2602/2602.07853.json"
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, "utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", "v3 scan")
    return path
