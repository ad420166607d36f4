"""Git blobs stored by worker processes in pack files, so that staging a large batch does not
wait for one single-threaded ``git update-index`` to compress every file.

``git update-index --add`` hashes each file and, when the repository already has that object,
skips compressing and writing it. Each worker process that writes new scans appends them as
blobs to a temporary pack file of its own (``objects/pack/tmp_pack_scanrepo_<owner>_<pid>``);
the process that owns the run, once every scan is decided, seals each of those files into a
pack git reads (version 2 pack and index, the pack named by its checksum, index renamed last,
both fsynced as git does by default) or, refused, removes them. One file per process instead
of one loose object per scan: no fan-out directory, temporary file and rename per blob, and no
10,000 loose objects for the next ``git commit`` to pack with ``git gc --auto``.

Blobs are compressed at the level git would write them loose (``core.looseCompression``, else
``core.compression``, else 1), with ISA-L's deflate at git's default level 1: a valid zlib
stream, four times faster than zlib's and a little smaller. Standard library and isal only:
worker processes import this without GitPython.

Where git writes objects in a way this does not reproduce (a shared repository, whose
permissions git adjusts), ``BlobPacks.from_config`` gives None and git stores the objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from isal import isal_zlib

from scanrepo.fs.atomic import fsync_dir, is_gone, write_all, write_temp

DEFAULT_LEVEL = 1  # git's core.looseCompression when neither it nor core.compression is set
OBJECT_FORMATS = ("sha1", "sha256")
TEMP_PREFIX = "tmp_pack_scanrepo_"  # git's own gc removes old tmp_* files of objects/pack
TEMP_INDEX = "tmp_idx_scanrepo_"
BLOB = 3  # the object type in a pack entry's header
HEADER = struct.Struct(">4sII")  # "PACK", version, number of objects
PLACEHOLDER = HEADER.pack(b"PACK", 2, 0)  # the count is written when the pack is sealed
IDX_MAGIC = b"\377tOc"
LARGE_OFFSET = 0x80000000


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a worker appended one blob: what the owner needs to index it."""

    pack: str  # the temporary pack file's name
    oid: bytes  # the blob's id, raw
    offset: int
    crc: int  # CRC-32 of the entry as stored


class Placements:
    """The blobs placed in each temporary pack, as the owner collects them from the workers:
    one packed record a blob (its id, offset and CRC-32), not an object each, so that 100,000
    scans cost a few megabytes."""

    def __init__(self) -> None:
        self._by_pack: dict[str, bytearray] = {}

    def add(self, placed: Placed) -> None:
        records = self._by_pack.setdefault(placed.pack, bytearray())
        records += placed.oid + _RECORD.pack(placed.offset, placed.crc)

    def __bool__(self) -> bool:
        return bool(self._by_pack)

    def clear(self) -> None:
        self._by_pack.clear()

    def packs(self, id_size: int) -> Iterator[tuple[str, list[Placed]]]:
        """Each temporary pack's name and its blobs."""
        size = id_size + _RECORD.size
        for name, records in sorted(self._by_pack.items()):
            yield (
                name,
                [
                    Placed(
                        name,
                        bytes(records[i : i + id_size]),
                        *_RECORD.unpack_from(records, i + id_size),
                    )
                    for i in range(0, len(records), size)
                ],
            )


_RECORD = struct.Struct(">QI")  # after the id: offset, CRC-32


@dataclass
class _Open:
    """This process's temporary pack: its descriptor, its length, the blobs already in it."""

    name: str
    fd: int
    size: int
    seen: set[bytes] = field(default_factory=set)


# each process's temporary pack of each run, by pack directory, owner and process id: one file
# per process, however many copies of a BlobPacks it was sent (a forked worker has its own)
_OPEN: dict[tuple[Path, int, int], _Open] = {}


@dataclass(frozen=True)
class BlobPacks:
    """A repository's pack directory, hash and compression level, for the run of ``owner``."""

    directory: Path  # the objects directory
    algorithm: str
    level: int
    owner: int = field(default_factory=os.getpid)

    @classmethod
    def from_config(
        cls, directory: Path, object_format: str, config: dict[str, str]
    ) -> BlobPacks | None:
        """The store git would write to, given ``git config`` (names lower case); None where
        git must write the objects itself."""
        if object_format not in OBJECT_FORMATS:
            return None
        shared = config.get("core.sharedrepository", "false").lower()
        if shared not in ("false", "umask", "0", "no", "off"):
            return None
        level_text = config.get("core.loosecompression", config.get("core.compression"))
        try:
            level = DEFAULT_LEVEL if level_text is None else int(level_text)
        except ValueError:
            return None
        if not -1 <= level <= 9:
            return None
        return cls(directory, object_format, level)

    @property
    def packs(self) -> Path:
        return self.directory / "pack"

    def blob_id(self, data: bytes) -> str:
        """The id git gives a blob holding ``data``."""
        return self._blob_id(data).hex()

    def _blob_id(self, data: bytes) -> bytes:
        digest = hashlib.new(self.algorithm, b"blob %d\0" % len(data))
        digest.update(data)
        return digest.digest()

    def store(self, data: bytes) -> Placed | None:
        """Append ``data`` as a blob to this process's temporary pack; where it went, or None
        when this process stored the same blob before."""
        pack = _OPEN.get(self._key()) or self._start()
        oid = self._blob_id(data)
        if oid in pack.seen:
            return None
        entry = _entry_header(len(data)) + self._compress(data)
        write_all(pack.fd, entry)
        placed = Placed(pack.name, oid, pack.size, zlib.crc32(entry))
        pack.size += len(entry)
        pack.seen.add(oid)
        return placed

    def _compress(self, data: bytes) -> bytes:
        if self.level == DEFAULT_LEVEL:
            return bytes(isal_zlib.compress(data, 1))
        return zlib.compress(data, self.level)

    def _start(self) -> _Open:
        name = f"{TEMP_PREFIX}{self.owner}_{os.getpid()}"
        path = self.packs / name
        self.packs.mkdir(exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            write_all(fd, PLACEHOLDER)
        except BaseException:
            os.close(fd)
            raise
        pack = _OPEN[self._key()] = _Open(name, fd, len(PLACEHOLDER))
        return pack

    def _key(self) -> tuple[Path, int, int]:
        return self.packs, self.owner, os.getpid()

    def seal(self, placed: Placements) -> list[str]:
        """Make packs git reads of the temporary packs holding ``placed`` (every blob stored
        in them, from every process); the packs' names."""
        self._close()
        id_size = hashlib.new(self.algorithm).digest_size
        return [self._seal(name, entries) for name, entries in placed.packs(id_size)]

    def _seal(self, name: str, entries: list[Placed]) -> str:
        path = self.packs / name
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
        try:
            os.pwrite(fd, HEADER.pack(b"PACK", 2, len(entries)), 0)
            digest = hashlib.new(self.algorithm)
            while chunk := os.read(fd, 1 << 20):
                digest.update(chunk)
            checksum = digest.digest()
            write_all(fd, checksum)
            os.fchmod(fd, 0o444)
            os.fsync(fd)
        finally:
            os.close(fd)
        index = self.packs / f"{TEMP_INDEX}{self.owner}_{name}"
        write_temp(index, self._index(entries, checksum), 0o444, durable=True)
        final = f"pack-{checksum.hex()}"
        os.replace(path, self.packs / f"{final}.pack")
        os.replace(index, self.packs / f"{final}.idx")  # last: git sees the pack from here
        with contextlib.suppress(OSError):
            fsync_dir(self.packs)
        return final

    def _index(self, entries: list[Placed], checksum: bytes) -> bytes:
        """A version 2 pack index of ``entries``."""
        entries = sorted(entries, key=lambda e: e.oid)
        fanout = [0] * 256
        for entry in entries:
            fanout[entry.oid[0]] += 1
        total = 0
        for i, count in enumerate(fanout):
            total += count
            fanout[i] = total
        small: list[int] = []
        large: list[int] = []
        for entry in entries:
            if entry.offset < LARGE_OFFSET:
                small.append(entry.offset)
            else:
                small.append(LARGE_OFFSET | len(large))
                large.append(entry.offset)
        n = len(entries)
        body = b"".join(
            (
                IDX_MAGIC,
                struct.pack(">I", 2),
                struct.pack(">256I", *fanout),
                b"".join(e.oid for e in entries),
                struct.pack(f">{n}I", *(e.crc for e in entries)),
                struct.pack(f">{n}I", *small),
                struct.pack(f">{len(large)}Q", *large),
                checksum,
            )
        )
        return body + hashlib.new(self.algorithm, body).digest()

    def discard(self) -> None:
        """Remove the temporary packs of this run (from every process) and those whose run is
        gone; the sealed packs stay."""
        self._close()
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.packs):
                if not entry.name.startswith((TEMP_PREFIX, TEMP_INDEX)):
                    continue
                owner = entry.name.split("_")[3]
                if owner == str(self.owner) or is_gone(owner):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def _close(self) -> None:
        pack = _OPEN.pop(self._key(), None)
        if pack is not None:
            os.close(pack.fd)


def _entry_header(size: int) -> bytes:
    """A pack entry's header: the type and the size, seven bits a byte after the first four."""
    out = bytearray()
    byte = (BLOB << 4) | (size & 0x0F)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)
