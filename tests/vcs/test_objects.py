"""Blobs stored by the tools in pack files of their own: git reads every one as its own object
once the owner seals the packs, or the tools leave storing to git where they would not write
what git writes."""

from __future__ import annotations

import os
import struct
import subprocess
import zlib
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from conftest import git, put
from scanrepo.vcs.objects import BlobPacks, Placed, Placements
from scanrepo.vcs.repo import GitRepo

DATA = b'{\n  "scan_version": 4\n}'
# a blob whose size needs three bytes in an entry's header, and which compresses well
BIG = b'{\n  "justification": "' + b"the method section is sound. " * 5000 + b'"\n}'
BLOBS = [DATA, BIG, b"", b"x" * 15, b"y" * 16]


def packs_of(path: Path) -> BlobPacks:
    with GitRepo(path) as repo:
        packs = repo.blob_packs()
    assert packs is not None
    return packs


def seal(packs: BlobPacks, placed: Iterable[Placed | None]) -> list[str]:
    """``packs.seal`` of the blobs placed (as the owner collects them)."""
    placements = Placements()
    for item in placed:
        if item is not None:
            placements.add(item)
    return packs.seal(placements)


def hashed(repo: Path, data: bytes) -> str:
    out = subprocess.run(
        ["git", "hash-object", "--stdin"], cwd=repo, input=data, capture_output=True, check=True
    )
    return out.stdout.decode().strip()


def blob(repo: Path, oid: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "blob", oid], cwd=repo, capture_output=True, check=True
    ).stdout


def pack_dir(repo: Path) -> list[str]:
    return sorted(os.listdir(repo / ".git/objects/pack"))


def test_sealed_blobs_are_objects_git_reads_and_checks(repo: Path) -> None:
    packs = packs_of(repo)
    placed = [packs.store(data) for data in BLOBS]
    assert packs.store(DATA) is None  # this process stored it already: not twice in its pack
    assert not any(name.startswith("pack-") for name in pack_dir(repo))  # nothing git sees yet

    names = seal(packs, placed)

    assert len(names) == 1
    assert pack_dir(repo) == [f"{names[0]}.idx", f"{names[0]}.pack"]  # no temporary file left
    for data in BLOBS:
        oid = packs.blob_id(data)
        assert oid == hashed(repo, data)
        assert blob(repo, oid) == data
        assert git(repo, "cat-file", "-t", oid).stdout.strip() == "blob"
    listed = git(repo, "verify-pack", "-v", f".git/objects/pack/{names[0]}.idx").stdout
    assert f"{packs.blob_id(BIG)} blob   {len(BIG)} " in listed
    assert "non delta: 5 objects" in listed
    assert git(repo, "fsck", "--strict", "--no-dangling").returncode == 0
    for name in pack_dir(repo):
        assert (repo / ".git/objects/pack" / name).stat().st_mode & 0o777 == 0o444
    counts = git(repo, "count-objects", "-v").stdout
    assert "count: 0\n" in counts and "in-pack: 5\n" in counts and "garbage: 0\n" in counts


def _store(packs: BlobPacks, data: bytes) -> Placed | None:
    return packs.store(data)


def test_each_worker_process_fills_a_pack_of_its_own(repo: Path) -> None:
    packs = packs_of(repo)
    datas = [b'{"n": %d}' % i for i in range(40)]
    with ProcessPoolExecutor(2) as pool:
        placed = list(pool.map(_store, [packs] * len(datas), datas))
    workers = {p.pack for p in placed if p is not None}
    assert 1 <= len(workers) <= 2

    names = seal(packs, placed)

    assert len(names) == len(workers)
    for data in datas:
        assert blob(repo, packs.blob_id(data)) == data
    assert git(repo, "fsck", "--strict", "--no-dangling").returncode == 0


def test_git_stages_the_file_without_storing_it_again(repo: Path) -> None:
    packs = packs_of(repo)
    placed = packs.store(DATA)
    assert placed is not None
    seal(packs, [placed])
    put(repo, "scans/v4/2602/2602.07852.json", DATA)

    git(repo, "add", "scans")

    assert git(repo, "ls-files", "--stage").stdout.split()[1] == packs.blob_id(DATA)
    assert "count: 0\n" in git(repo, "count-objects", "-v").stdout  # no loose object


def test_discard_removes_the_temporary_packs_of_this_run_and_of_dead_runs(repo: Path) -> None:
    sealed = packs_of(repo)
    kept = sealed.store(DATA)
    assert kept is not None
    (name,) = seal(sealed, [kept])
    directory = repo / ".git/objects/pack"
    gone = subprocess.Popen(["true"])  # a process id that no longer runs
    gone.wait()
    (directory / f"tmp_pack_scanrepo_{gone.pid}_{gone.pid}").write_bytes(b"PACK")
    (directory / f"tmp_pack_scanrepo_{os.getppid()}_1").write_bytes(b"PACK")  # a live run's
    (directory / "tmp_pack_git").write_bytes(b"PACK")  # git's own
    packs = packs_of(repo)
    assert packs.store(BIG) is not None

    packs.discard()

    assert pack_dir(repo) == sorted(
        [f"{name}.idx", f"{name}.pack", f"tmp_pack_scanrepo_{os.getppid()}_1", "tmp_pack_git"]
    )
    assert blob(repo, sealed.blob_id(DATA)) == DATA


def test_a_sha256_repository_gets_sha256_packs(tmp_path: Path) -> None:
    made = git(tmp_path, "init", "-q", "--object-format=sha256", "repo", check=False)
    if made.returncode != 0:
        pytest.skip(f"this git has no sha256 repositories: {made.stderr.strip()}")
    path = tmp_path / "repo"
    packs = packs_of(path)
    placed = [packs.store(data) for data in BLOBS]

    (name,) = seal(packs, placed)

    assert len(name) == len("pack-") + 64
    for data in BLOBS:
        oid = packs.blob_id(data)
        assert len(oid) == 64 and oid == hashed(path, data)
        assert blob(path, oid) == data
    assert git(path, "verify-pack", f".git/objects/pack/{name}.idx").returncode == 0
    assert git(path, "fsck", "--strict", "--no-dangling").returncode == 0


def test_the_configured_compression_level_is_used(repo: Path) -> None:
    git(repo, "config", "core.compression", "0")
    stored = packs_of(repo)
    assert stored.level == 0
    placed = stored.store(DATA)
    assert placed is not None
    (name,) = seal(stored, [placed])
    assert DATA in (repo / f".git/objects/pack/{name}.pack").read_bytes()  # not compressed
    assert blob(repo, stored.blob_id(DATA)) == DATA

    git(repo, "config", "core.looseCompression", "9")  # the loose-object setting wins
    assert packs_of(repo).level == 9
    git(repo, "config", "--unset", "core.compression")
    git(repo, "config", "--unset", "core.looseCompression")
    default = packs_of(repo)
    assert default.level == 1
    placed = default.store(BIG + b" ")
    assert placed is not None
    (name,) = seal(default, [placed])
    assert (repo / f".git/objects/pack/{name}.pack").stat().st_size < len(BIG) // 10


def test_an_offset_past_2_gib_goes_to_the_large_offset_table(repo: Path) -> None:
    packs = packs_of(repo)
    entries = [
        Placed("p", bytes([0xAB]) + bytes(19), 12, 7),
        Placed("p", bytes([0x01]) + bytes(19), 0x80000000 + 5, 9),
    ]
    index = packs._index(entries, b"\x11" * 20)

    assert index[:8] == b"\377tOc\0\0\0\2"
    fanout = struct.unpack(">256I", index[8 : 8 + 1024])
    assert fanout[0] == 0 and fanout[0x01] == 1 and fanout[0xAA] == 1 and fanout[0xAB] == 2
    rest = index[8 + 1024 :]
    assert rest[:40] == bytes([0x01]) + bytes(19) + bytes([0xAB]) + bytes(19)  # sorted
    assert struct.unpack(">2I", rest[40:48]) == (9, 7)  # CRCs, in the same order
    assert struct.unpack(">2I", rest[48:56]) == (0x80000000, 12)  # the first: large entry 0
    assert struct.unpack(">Q", rest[56:64]) == (0x80000005,)
    assert rest[64:84] == b"\x11" * 20
    assert len(rest) == 84 + 20  # then the index's own checksum


def test_a_shared_repository_leaves_storing_to_git(repo: Path) -> None:
    git(repo, "config", "core.sharedRepository", "group")
    with GitRepo(repo) as handle:
        assert handle.blob_packs() is None


def test_an_entry_is_the_type_and_size_then_the_compressed_blob(repo: Path) -> None:
    packs = packs_of(repo)
    placed = packs.store(b"z" * 300)
    assert placed is not None
    written = (repo / ".git/objects/pack" / placed.pack).read_bytes()

    assert written[:12] == b"PACK\0\0\0\2\0\0\0\0"  # the count comes when it is sealed
    assert placed.offset == 12
    # 300 = 0b1_0010_1100: "more" bit, type 3 (blob), the low four bits; then 0b1_0010
    assert written[12:14] == bytes([0b1011_1100, 0b0001_0010])
    assert zlib.decompress(written[14:]) == b"z" * 300
    assert placed.crc == zlib.crc32(written[12:])
    packs.discard()
    assert pack_dir(repo) == []
