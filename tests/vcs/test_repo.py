"""GitRepo.read_blobs and blob_reader: many blobs from one git process, in order, with clear
refusals."""

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


def test_one_blob_reader_answers_batch_after_batch_beyond_a_pipe_buffer(repo: Path) -> None:
    contents = [f"scan {i}\n".encode() * (i % 50) for i in range(400)]
    ids = [blob_of(repo, data) for data in contents]
    big = blob_of(repo, b"x" * (3 << 20))  # more than git's output pipe holds
    with GitRepo(repo) as handle, handle.blob_reader() as reader:
        process = reader.process
        assert list(reader.read(ids[:300])) == list(zip(ids[:300], contents[:300], strict=True))
        # more ids than git's input pipe holds, after an answer larger than its output pipe
        many = [big, *ids * 5]
        assert list(reader.read(many)) == list(
            zip(many, [b"x" * (3 << 20), *contents * 5], strict=True)
        )
        # a batch whose last blob was taken is done, whether or not its caller asks on
        last = reader.read(ids[:2])
        assert (next(last), next(last)) == ((ids[0], contents[0]), (ids[1], contents[1]))
        last.close()
        assert reader.process is process  # the same git for every batch
        # a batch given up halfway leaves nothing behind for the next one
        first = reader.read(ids)
        assert next(first) == (ids[0], contents[0])
        first.close()
        assert list(reader.read(ids[5:8])) == list(zip(ids[5:8], contents[5:8], strict=True))
        with pytest.raises(ScanRepoError, match="no such object"):
            list(reader.read([ids[0], "0" * 39 + "1", ids[1]]))
        assert list(reader.read(ids[:1])) == [(ids[0], contents[0])]
    assert reader.process is None
