"""GitRepo.read_blobs: many blobs from one git process, in order, with clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git, put
from scanrepo.errors import ScanRepoError
from scanrepo.vcs.repo import GitRepo


def blob_of(repo: Path, data: bytes) -> str:
    path = put(repo, "blob.tmp", data)
    return git(repo, "hash-object", "-w", str(path)).stdout.strip()


def test_blobs_come_back_in_the_order_asked_even_far_beyond_a_pipe_buffer(repo: Path) -> None:
    contents = [f"scan {i}\n".encode() * (i % 50) for i in range(400)]  # some empty
    ids = [blob_of(repo, data) for data in contents]
    with GitRepo(repo) as handle:
        got = list(handle.read_blobs(ids + ids[:3]))
        sizes = handle.blob_sizes(ids)
    assert got == list(zip(ids + ids[:3], contents + contents[:3], strict=True))
    assert sizes == {blob: len(data) for blob, data in zip(ids, contents, strict=True)}


def test_a_tree_a_missing_object_and_a_non_id_are_refused(repo: Path) -> None:
    put(repo, "scans/a.json", "{}")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    tree = git(repo, "rev-parse", "HEAD^{tree}").stdout.strip()
    with GitRepo(repo) as handle:
        with pytest.raises(ScanRepoError, match=f"{tree}: is a tree, not a blob"):
            list(handle.read_blobs([tree]))
        with pytest.raises(ScanRepoError, match="no such object"):
            list(handle.read_blobs(["0" * 39 + "1"]))
        with pytest.raises(ScanRepoError, match="no such object"):
            handle.blob_sizes(["0" * 39 + "1"])
        with pytest.raises(ScanRepoError, match="not a blob id: '--batch'"):
            list(handle.read_blobs(["--batch"]))
        assert list(handle.read_blobs([])) == []
        assert handle.blob_sizes([]) == {}
