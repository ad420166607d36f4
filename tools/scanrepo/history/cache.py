"""What the history figures need of one scan blob, and a cache of it keyed by blob id.

A ``Reading`` is a blob parsed strictly, validated and migrated in memory to the newest version,
reduced to its checklist answers, its paper type, and a digest of its meaning; or the
first problem that stopped it. A *summary* is a reading as a few hundred bytes: what the walk
holds between the revisions that need it, what worker processes send back, and what the cache
stores. Readings are costly (parse, validate, migrate) and are needed again on every run over
the same history, so their summaries are kept in a SQLite file in the repository's git
directory (``.git/scanrepo-cache/``). A blob id names its content, so a stored summary is always
that of the blob, as long as the code that reads it is the same: the cache file's name holds a
fingerprint of the schemas, the migrations and ``READING_FORMAT``, and a cache made with other
ones is never read. Removing the directory clears every cache.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson

from scanrepo.diff.compare import ScanSide
from scanrepo.format import model
from scanrepo.format.canonical import canonical_bytes, plain_without_floats
from scanrepo.format.strictjson import MAX_BYTES, deeper_than_limit
from scanrepo.fs.workers import PARALLEL_THRESHOLD, process_pool
from scanrepo.problems import Problem
from scanrepo.survey.corpus import Rating, Readers, items, rating
from scanrepo.vcs.cache_files import CacheFile

READING_FORMAT = 3
CHUNK = 32

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
            text = b"[" + b",".join(sorted(map(_dump, value))) + b"]"
        elif name == model.HN_DATA and isinstance(value, dict) and value.get(model.HN_THREADS):
            threads = value[model.HN_THREADS]
            text = _dump(
                {**value, model.HN_THREADS: sorted(threads, key=_dump)}
                if isinstance(threads, list)
                else value
            )
        else:
            text = _dump(value)
        digest.update(_dump(name) + b"\0" + text + b"\0")
    return digest.hexdigest()


def _dump(value: Any) -> bytes:
    """Sorted-key JSON of a parsed value: orjson's (ten times the standard library's speed),
    or where orjson refuses the value (an integer beyond 64 bits) the standard library's, marked
    so that the two writings of different values never coincide."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        return b"\x01" + text.encode("utf-8", "surrogatepass")


def read_blob(data: bytes, path: str, readers: Readers) -> Reading:
    return _read(data, path, readers)[0]


def _read(data: bytes, path: str, readers: Readers) -> tuple[Reading, str | None]:
    """The reading of a blob, and the blob id of its scan migrated and written canonically (see
    ``migrated_blob``) if it was migrated."""
    version, doc, problems = readers.read(ScanSide(path, data))
    if doc is None:
        first = problems[0] if problems else Problem(path, None, None, "$", "unreadable")
        return Reading(None, None, {}, first), None
    reading = Reading(
        semantic_digest(doc),
        str(doc[model.PAPER_TYPE]),
        {
            sys.intern(where): _answer(
                rating(item[model.APPLIES], item[model.ANSWER]), item[model.SOURCE]
            )
            for where, item in items(doc)
        },
    )
    return reading, migrated_blob(doc) if version != readers.newest else None


def migrated_blob(doc: dict[str, Any]) -> str | None:
    """The blob id of a migrated scan ``doc`` in canonical form, as ``tools/migrate`` commits it,
    when that blob is sure to read as ``doc`` again (so its reading is the reading of the blob
    ``doc`` was migrated from, and need not be made twice); None when it is not sure.

    It is sure when the canonical text holds no float (plain JSON parses back to the very
    values) and the strict parser's limits (nesting, size) let it through; no other check of
    the reader depends on anything but the document."""
    if not plain_without_floats(doc) or deeper_than_limit(doc):
        return None
    try:
        text = canonical_bytes(doc, plain=True)
    except ValueError:  # a lone surrogate, which the strict parser refuses
        return None
    if len(text) > MAX_BYTES:
        return None
    return hashlib.sha1(b"blob %d\0" % len(text) + text, usedforsecurity=False).hexdigest()


# A summary is a reading as bytes, small enough that a walk can hold one for every paper of a
# large corpus: its item names stand in a *layout*, the names of the items in document order,
# shared by every scan with the same items and named by a hash of them; its ratings are one
# character per item, and so are its sources where they are not all one: each names its place
# in the list of the scan's sources.
Layouts = dict[str, tuple[str, ...]]
_RATING_CODES: dict[str, str] = {"yes": "y", "no": "n", "n/a": "-"}
_RATINGS: dict[str, Rating] = {"y": "yes", "n": "no", "-": "n/a"}
_FIRST_SOURCE = ord("0")


def layout_id(names: tuple[str, ...]) -> str:
    return hashlib.sha1("\n".join(names).encode(), usedforsecurity=False).hexdigest()[:16]


def summarize(reading: Reading, layouts: Layouts) -> bytes:
    """The summary of ``reading``; its layout is added to ``layouts``."""
    if reading.problem is not None:
        p = reading.problem
        return orjson.dumps({"problem": [p.line, p.col, p.path, p.message, p.kind]})
    names = tuple(reading.answers)
    layout = layout_id(names)
    layouts.setdefault(layout, names)
    answers = reading.answers.values()
    sources = list(dict.fromkeys(source for _, source in answers))
    places = {source: chr(_FIRST_SOURCE + i) for i, source in enumerate(sources)}
    return orjson.dumps(
        [
            reading.digest,
            reading.paper_type,
            layout,
            "".join(_RATING_CODES[r] for r, _ in answers),
            sources[0] if len(sources) == 1 else [sources, "".join(places[s] for _, s in answers)],
        ]
    )


def expand(data: bytes, layouts: Layouts) -> Reading:
    """The reading a summary stands for; its layout must be in ``layouts``."""
    body = orjson.loads(data)
    if isinstance(body, dict):
        line, col, path, message, kind = body["problem"]
        return Reading(None, None, {}, Problem("", line, col, path, message, kind))
    digest, paper_type, layout, ratings, sources = body
    names = layouts[layout]
    if isinstance(sources, str):
        sources = [sources] * len(names)
    else:
        listed, places = sources
        named = {chr(_FIRST_SOURCE + i): source for i, source in enumerate(listed)}
        sources = list(map(named.__getitem__, places))
    coded = list(zip(ratings, sources, strict=True))
    try:
        answers = dict(zip(names, map(_CODED.__getitem__, coded), strict=True))
    except KeyError:  # a source not seen before in this process
        answers = {w: _coded_answer(code, s) for w, (code, s) in zip(names, coded, strict=True)}
    return Reading(digest, paper_type, answers)


_CODED: dict[tuple[str, str], Answer] = {}


def _coded_answer(code: str, source: str) -> Answer:
    found = _CODED[code, source] = _answer(_RATINGS[code], source)
    return found


_worker_readers: Readers | None = None


def _init_worker(schema_dir: Path, migrations_dir: Path) -> None:
    global _worker_readers
    _worker_readers = Readers(schema_dir, migrations_dir)


def _ready() -> None:
    """A task that does nothing: submitting it starts every worker of a pool now."""


@dataclass(frozen=True)
class Known:
    """A blob's summary known without reading the blob (``migrated_blob``)."""

    summary: bytes


Content = bytes | Known
# (blob id, summary, blob id of its scan migrated and written canonically, or None)
Row = tuple[str, bytes, str | None]


def _summarize_all(
    chunk: Iterable[tuple[str, str, Content]], readers: Readers, layouts: Layouts
) -> Iterator[Row]:
    for blob, path, data in chunk:
        if isinstance(data, Known):
            yield blob, data.summary, None
        else:
            reading, migrated = _read(data, path, readers)
            yield blob, summarize(reading, layouts), migrated


def _read_chunk(chunk: list[tuple[str, str, Content]]) -> tuple[list[Row], Layouts]:
    assert _worker_readers is not None
    layouts: Layouts = {}
    return list(_summarize_all(chunk, _worker_readers, layouts)), layouts


def reading_pool(readers: Readers, workers: int) -> ProcessPoolExecutor:
    """Worker processes for ``read_all``, started at once: started before the caller holds
    much, they do not carry its memory (a forked worker's resident set counts the pages it
    shares with its parent)."""
    pool = process_pool(
        workers, _init_worker, (readers.registry.schema_dir, readers.migrations_dir)
    )
    pool.submit(_ready)
    return pool


def read_all(
    blobs: Iterable[tuple[str, str, Content]],
    count: int,
    readers: Readers,
    layouts: Layouts,
    pool: ProcessPoolExecutor | None,
) -> Iterator[Row]:
    """A row for each of ``count`` (blob id, path, content), in order, their layouts added to
    ``layouts``; in ``pool``'s worker processes when there are enough, with only a few chunks in
    flight at a time so that memory stays flat however long the history."""
    if pool is None or count < PARALLEL_THRESHOLD:
        yield from _summarize_all(blobs, readers, layouts)
        return
    pending: deque[Future[tuple[list[Row], Layouts]]] = deque()
    iterator = iter(blobs)
    in_flight = 2 * pool._max_workers  # type: ignore[attr-defined]
    while True:
        while len(pending) < in_flight and (chunk := list(itertools.islice(iterator, CHUNK))):
            pending.append(pool.submit(_read_chunk, chunk))
        if not pending:
            return
        rows, found = pending.popleft().result()
        layouts.update(found)
        yield from rows


def fingerprint(readers: Readers) -> str:
    """What a reading depends on besides the blob: the schemas, the migrations, this code."""
    digest = hashlib.sha256(f"reading-format-{READING_FORMAT}\0".encode())
    files = sorted(readers.registry.schema_dir.glob("v*.json")) + sorted(
        step.file for step in readers.chain.steps
    )
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


_TABLES = (
    "readings (blob TEXT PRIMARY KEY, data BLOB NOT NULL)",
    "layouts (id TEXT PRIMARY KEY, names TEXT NOT NULL)",
)


class ReadingCache(CacheFile):
    """Summaries by blob id, and the layouts they name, in
    ``<git dir>/scanrepo-cache/readings-<fingerprint>.sqlite``; ``directory`` None (or one that
    cannot be written): none, every blob is read afresh."""

    def __init__(self, directory: Path | None, fingerprint: str) -> None:
        super().__init__(directory, f"readings-{fingerprint}.sqlite", _TABLES)

    def empty(self) -> bool:
        return (
            self.db is None or self.db.execute("SELECT 1 FROM readings LIMIT 1").fetchone() is None
        )

    def known(self) -> set[str]:
        if self.db is None:
            return set()
        return {row[0] for row in self.db.execute("SELECT blob FROM readings")}

    def layouts(self) -> Layouts:
        if self.db is None:
            return {}
        rows = self.db.execute("SELECT id, names FROM layouts")
        return {layout: tuple(map(sys.intern, json.loads(names))) for layout, names in rows}

    def get(self, blob: str) -> bytes | None:
        if self.db is None:
            return None
        row = self.db.execute("SELECT data FROM readings WHERE blob = ?", (blob,)).fetchone()
        return bytes(row[0]) if row else None

    def put_many(self, rows: Iterable[tuple[str, bytes]], layouts: Layouts) -> None:
        """Summaries and the layouts they name, stored in one transaction: a killed run leaves
        whole rows or none."""
        if self.db is None:
            return
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO layouts (id, names) VALUES (?, ?)",
                ((layout, json.dumps(names)) for layout, names in layouts.items()),
            )
            self.db.executemany("INSERT OR REPLACE INTO readings (blob, data) VALUES (?, ?)", rows)
