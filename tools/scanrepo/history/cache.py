"""What the history figures need of one scan blob, and a cache of it keyed by blob id.

A ``Reading`` is a blob parsed strictly, validated and migrated in memory to the newest version,
reduced to its checklist answers, its paper type and title, and a digest of its meaning; or the
first problem that stopped it. Readings are costly (parse, validate, migrate) and are needed
again on every run over the same history, so they are kept in a SQLite file in the repository's
git directory (``.git/scanrepo-cache/``). A blob id names its content, so a stored reading is
always the reading of that blob, as long as the code that reads it is the same: the cache file's
name holds a fingerprint of the schemas, the migrations and ``READING_FORMAT``, and a cache made
with other ones is never read. Removing the directory clears every cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import sqlite3
import sys
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from scanrepo.diff.compare import ScanSide
from scanrepo.format import model
from scanrepo.fs.workers import PARALLEL_THRESHOLD, process_pool
from scanrepo.problems import Problem
from scanrepo.survey.corpus import Rating, Readers, items, rating

READING_FORMAT = 1
CHUNK = 32
CACHE_DIR = "scanrepo-cache"

Answer = tuple[Rating, str]  # (rating, source)
_ANSWERS: dict[tuple[str, str], Answer] = {}


def _answer(value: str, source: str) -> Answer:
    """One shared tuple per (rating, source): a history holds millions of answers."""
    found = _ANSWERS.get((value, source))
    if found is None:
        found = _ANSWERS[value, source] = (cast(Rating, value), sys.intern(source))
    return found


@dataclass(frozen=True)
class Reading:
    digest: str | None  # equal digests: no semantic change
    paper_type: str | None
    title: str | None
    answers: dict[str, Answer]  # where -> (rating, source)
    problem: Problem | None = None  # its file is filled in by whoever reports it

    @property
    def readable(self) -> bool:
        return self.problem is None


def semantic_digest(doc: dict[str, Any]) -> str:
    """A digest equal for two scans exactly when ``compare_scans`` finds no change: key order
    and the order of list entries matched by content do not count. Each top-level value is
    written once as sorted-key JSON (NUL never occurs in JSON text, so the parts cannot run
    into each other)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for name in sorted(doc):
        value = doc[name]
        if name in model.UNORDERED_LISTS and isinstance(value, list):
            text = "[" + ",".join(sorted(map(_dump, value))) + "]"
        elif name == model.HN_DATA and isinstance(value, dict) and value.get(model.HN_THREADS):
            threads = value[model.HN_THREADS]
            text = _dump(
                {**value, model.HN_THREADS: sorted(threads, key=_dump)}
                if isinstance(threads, list)
                else value
            )
        else:
            text = _dump(value)
        digest.update(f"{_dump(name)}\0{text}\0".encode())
    return digest.hexdigest()


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def read_blob(data: bytes, path: str, readers: Readers) -> Reading:
    _version, doc, problems = readers.read(ScanSide(path, data))
    if doc is None:
        first = problems[0] if problems else Problem(path, None, None, "$", "unreadable")
        return Reading(None, None, None, {}, first)
    title = doc[model.PAPER].get("title")
    return Reading(
        semantic_digest(doc),
        str(doc[model.PAPER_TYPE]),
        title if isinstance(title, str) else None,
        {
            sys.intern(where): _answer(
                rating(item[model.APPLIES], item[model.ANSWER]), item[model.SOURCE]
            )
            for where, item in items(doc)
        },
    )


_worker_readers: Readers | None = None


def _init_worker(schema_dir: Path, migrations_dir: Path) -> None:
    global _worker_readers
    _worker_readers = Readers(schema_dir, migrations_dir)


def _read_chunk(chunk: list[tuple[str, str, bytes]]) -> list[tuple[str, bytes]]:
    assert _worker_readers is not None
    return [(blob, encode(read_blob(data, path, _worker_readers))) for blob, path, data in chunk]


def read_all(
    blobs: Iterable[tuple[str, str, bytes]], count: int, readers: Readers, workers: int
) -> Iterator[tuple[str, bytes]]:
    """(blob id, encoded reading) of each of ``count`` (blob id, path, content), in order; in
    worker processes when there are enough, with only a few chunks in flight at a time so
    that memory stays flat however long the history."""
    if workers <= 1 or count < PARALLEL_THRESHOLD:
        for blob, path, data in blobs:
            yield blob, encode(read_blob(data, path, readers))
        return
    args = (readers.registry.schema_dir, readers.migrations_dir)
    with process_pool(workers, _init_worker, args) as pool:
        pending: deque[Future[list[tuple[str, bytes]]]] = deque()
        iterator = iter(blobs)
        while chunk := list(itertools.islice(iterator, CHUNK)):
            pending.append(pool.submit(_read_chunk, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def encode(reading: Reading) -> bytes:
    if reading.problem is not None:
        p = reading.problem
        body: dict[str, Any] = {"problem": [p.line, p.col, p.path, p.message, p.kind]}
    else:
        body = {
            "digest": reading.digest,
            "type": reading.paper_type,
            "title": reading.title,
            "answers": {where: list(answer) for where, answer in reading.answers.items()},
        }
    return zlib.compress(json.dumps(body, ensure_ascii=False).encode("utf-8"), 1)


def decode(data: bytes) -> Reading:
    body = json.loads(zlib.decompress(data))
    if "problem" in body:
        line, col, path, message, kind = body["problem"]
        return Reading(None, None, None, {}, Problem("", line, col, path, message, kind))
    return Reading(
        body["digest"],
        body["type"],
        body["title"],
        {sys.intern(w): _answer(r, s) for w, (r, s) in body["answers"].items()},
    )


def fingerprint(readers: Readers) -> str:
    """What a reading depends on besides the blob: the schemas, the migrations, this code."""
    digest = hashlib.sha256(f"reading-format-{READING_FORMAT}\0".encode())
    files = sorted(readers.registry.schema_dir.glob("v*.json")) + sorted(
        step.file for step in readers.chain.steps
    )
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


class ReadingCache:
    """Encoded readings by blob id, in ``<git dir>/scanrepo-cache/readings-<fingerprint>.sqlite``
    (``directory`` None: in memory only, for this run)."""

    def __init__(self, directory: Path | None, fingerprint: str) -> None:
        self.path: Path | None = None
        if directory is not None:
            with contextlib.suppress(OSError):
                directory.mkdir(parents=True, exist_ok=True)
                self.path = directory / f"readings-{fingerprint}.sqlite"
        try:
            self.db = sqlite3.connect(str(self.path) if self.path else ":memory:", timeout=60)
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS readings (blob TEXT PRIMARY KEY, data BLOB NOT NULL)"
            )
        except sqlite3.Error:  # an unwritable git directory: work without a lasting cache
            self.path = None
            self.db = sqlite3.connect(":memory:")
            self.db.execute("CREATE TABLE readings (blob TEXT PRIMARY KEY, data BLOB NOT NULL)")

    def __enter__(self) -> ReadingCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.db.close()

    def known(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT blob FROM readings")}

    def get(self, blob: str) -> Reading | None:
        row = self.db.execute("SELECT data FROM readings WHERE blob = ?", (blob,)).fetchone()
        return decode(row[0]) if row else None

    def put_many(self, rows: Iterable[tuple[str, bytes]]) -> None:
        """Encoded readings, stored in one transaction: a killed run leaves whole rows or none."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO readings (blob, data) VALUES (?, ?)", rows)
