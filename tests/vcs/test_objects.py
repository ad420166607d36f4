"""Blobs stored by the tools as loose objects: git reads them as its own, or the tools leave
storing to git where they would not write what git writes."""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path

import pytest

from conftest import git, put
from scanrepo.vcs.objects import LooseObjects
from scanrepo.vcs.repo import GitRepo

DATA = b'{\n  "scan_version": 4\n}'


def objects_of(path: Path) -> LooseObjects:
    with GitRepo(path) as repo:
        objects = repo.loose_objects()
    assert objects is not None
    return objects


def test_a_stored_blob_is_the_object_git_would_write(repo: Path) -> None:
    objects = objects_of(repo)
    oid = objects.store(DATA)

    hashed = subprocess.run(
        ["git", "hash-object", "--stdin"], cwd=repo, input=DATA, capture_output=True, check=True
    )
    assert oid == hashed.stdout.decode().strip()
    shown = subprocess.run(["git", "cat-file", "blob", oid], cwd=repo, capture_output=True)
    assert shown.stdout == DATA
    assert git(repo, "cat-file", "-t", oid).stdout.strip() == "blob"
    stored = repo / ".git/objects" / oid[:2] / oid[2:]
    assert zlib.decompress(stored.read_bytes()) == b"blob 23\0" + DATA  # level 1 by default
    assert stored.stat().st_mode & 0o777 == 0o444
    assert git(repo, "fsck", "--strict").returncode == 0


def test_git_stages_the_file_without_storing_it_again(repo: Path) -> None:
    objects = objects_of(repo)
    oid = objects.store(DATA)
    stored = repo / ".git/objects" / oid[:2] / oid[2:]
    before = stored.read_bytes()
    put(repo, "scans/v4/2602/2602.07852.json", DATA)

    git(repo, "add", "scans")

    assert git(repo, "ls-files", "--stage").stdout.split()[1] == oid
    assert stored.read_bytes() == before
    assert objects.store(DATA) == oid  # already there: nothing written


def test_a_sha256_repository_gets_sha256_objects(tmp_path: Path) -> None:
    made = git(tmp_path, "init", "-q", "--object-format=sha256", "repo", check=False)
    if made.returncode != 0:
        pytest.skip(f"this git has no sha256 repositories: {made.stderr.strip()}")
    path = tmp_path / "repo"
    oid = objects_of(path).store(DATA)

    assert len(oid) == 64
    shown = subprocess.run(["git", "cat-file", "blob", oid], cwd=path, capture_output=True)
    assert shown.stdout == DATA
    assert git(path, "fsck", "--strict").returncode == 0


def test_the_configured_compression_level_is_used(repo: Path) -> None:
    git(repo, "config", "core.compression", "0")
    assert objects_of(repo).level == 0
    git(repo, "config", "core.looseCompression", "9")  # the loose-object setting wins
    objects = objects_of(repo)
    assert objects.level == 9
    oid = objects.store(DATA)
    stored = (repo / ".git/objects" / oid[:2] / oid[2:]).read_bytes()
    assert stored == zlib.compress(b"blob 23\0" + DATA, 9)


def test_a_shared_repository_leaves_storing_to_git(repo: Path) -> None:
    git(repo, "config", "core.sharedRepository", "group")
    with GitRepo(repo) as handle:
        assert handle.loose_objects() is None
