"""Git blobs stored by worker processes, so that staging a large batch does not wait for one
single-threaded ``git update-index`` to compress every file.

``git update-index --add`` hashes each file and, when the repository already has that object,
skips compressing and writing it. Worker processes that write new scans also store them here
as loose objects, exactly as git writes them (``<type> <size>\\0<content>``, zlib-compressed at
the repository's loose-object level, named by its hash), so the one git command left only
hashes. Standard library only: worker processes import this without GitPython.

Where git writes objects in a way this does not reproduce (a shared repository, whose
permissions git adjusts), ``LooseObjects.of`` gives None and git stores the objects itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LEVEL = 1  # git's core.looseCompression when neither it nor core.compression is set
OBJECT_FORMATS = ("sha1", "sha256")


@dataclass(frozen=True)
class LooseObjects:
    """A repository's loose-object store: its directory, hash and compression level."""

    directory: Path
    algorithm: str
    level: int
    made: set[str] = field(default_factory=set, compare=False, repr=False)  # fan-out dirs

    @classmethod
    def from_config(
        cls, directory: Path, object_format: str, config: dict[str, str]
    ) -> LooseObjects | None:
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

    def blob_id(self, data: bytes) -> str:
        """The id git gives a blob holding ``data``."""
        digest = hashlib.new(self.algorithm, b"blob %d\0" % len(data))
        digest.update(data)
        return digest.hexdigest()

    def store(self, data: bytes) -> str:
        """Store ``data`` as a blob unless it is already a loose object; its id.

        Written to a temporary file in the object's directory, then renamed, as git does, so
        no reader ever sees a partial object under its name (git's own ``git prune`` removes
        such a ``tmp_obj_`` file a killed writer left).
        """
        oid = self.blob_id(data)
        path = self.directory / oid[:2] / oid[2:]
        if os.path.exists(path):
            return oid
        if oid[:2] not in self.made:
            path.parent.mkdir(exist_ok=True)
            self.made.add(oid[:2])
        compressor = zlib.compressobj(self.level)
        packed = compressor.compress(b"blob %d\0" % len(data))
        packed += compressor.compress(data) + compressor.flush()
        tmp = path.parent / f"tmp_obj_scanrepo_{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # a killed run's, whose process id this one was given again
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(packed)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        return oid
