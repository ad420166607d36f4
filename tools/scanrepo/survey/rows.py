"""The survey as flat tables for pandas, DuckDB or Spark: one row per (paper, item) of the corpus,
or one row per (paper, item, commit) across history, or a table of figures (``render.tables``),
written as CSV or Parquet.

``CORPUS_COLUMNS`` and ``HISTORY_COLUMNS`` name every column with its type; the README's table
is this one. A table of figures brings its own columns (``figure_columns``). Rows are produced
lazily and written in batches, so a long history never sits in memory whole. CSV writes
booleans as ``true``/``false``, nothing for a missing value, and dates as ISO 8601 in UTC;
Parquet (through pyarrow, the optional ``export`` extra) keeps the types.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from scanrepo.errors import ScanRepoError
from scanrepo.format import model
from scanrepo.history.walk import Step
from scanrepo.render.tables import Kind, Table
from scanrepo.survey.corpus import Scan, items, rating

Type = Literal["string", "int64", "float64", "bool", "timestamp"]
Row = tuple[Any, ...]
BATCH = 50_000


@dataclass(frozen=True)
class ExportColumn:
    name: str
    type: Type
    nullable: bool
    meaning: str


def _item_columns() -> tuple[ExportColumn, ...]:
    return (
        ExportColumn(
            "item",
            "string",
            False,
            "the item's full name, e.g. checklist.conflicts_of_interest.funding_disclosed",
        ),
        ExportColumn("scope", "string", False, "universal (checklist) or type (type_checklist)"),
        ExportColumn("section", "string", False, "the item's section"),
        ExportColumn("name", "string", False, "the item's own name, e.g. funding_disclosed"),
        ExportColumn("applies", "bool", False, "whether the item applies to the paper"),
        ExportColumn("answer", "bool", False, "the answer (false where the item does not apply)"),
        ExportColumn("rating", "string", False, "yes, no or n/a: applies and answer in one word"),
        ExportColumn("source", "string", False, "the model that answered, e.g. opus"),
    )


CORPUS_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("key", "string", False, "paper key"),
    ExportColumn("path", "string", False, "the scan file"),
    ExportColumn(
        "scan_version",
        "int64",
        False,
        "the file's own scan_version (figures are read at the newest)",
    ),
    ExportColumn("paper_type", "string", False, "paper_type"),
    ExportColumn("title", "string", False, "paper title"),
    ExportColumn("year", "int64", True, "paper year"),
    ExportColumn("venue", "string", True, "venue as written"),
    *_item_columns(),
    ExportColumn("justification", "string", False, "the reviewer's reason"),
)

HISTORY_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("commit", "string", False, "the commit that wrote this scan"),
    ExportColumn("commit_date", "timestamp", False, "its author date (UTC)"),
    ExportColumn("key", "string", False, "paper key"),
    ExportColumn("path", "string", False, "the scan file in that commit"),
    ExportColumn(
        "change",
        "string",
        False,
        "added, rescan, unchanged (a migration or move) or after_unreadable (the scan "
        "before could not be read)",
    ),
    ExportColumn("paper_type", "string", False, "paper_type"),
    *_item_columns(),
    ExportColumn(
        "previous_rating", "string", True, "the rating before this commit (none: no previous)"
    ),
    ExportColumn("previous_source", "string", True, "the model before this commit"),
    ExportColumn("answer_flipped", "bool", True, "answer differs from before"),
    ExportColumn("applies_flipped", "bool", True, "applies differs from before"),
    ExportColumn("source_changed", "bool", True, "source differs from before"),
)


_FIGURE_TYPES: dict[Kind, Type] = {
    "text": "string",
    "data": "string",
    "item": "string",
    "count": "int64",
    "rate": "float64",
    "kappa": "float64",
    "number": "float64",
}


def figure_columns(table: Table) -> tuple[ExportColumn, ...]:
    """A table's columns as export columns: every figure may be missing (undefined)."""
    return tuple(
        ExportColumn(c.name, _FIGURE_TYPES[c.kind], c.kind not in ("item", "count"), c.header)
        for c in table.columns
    )


def _item_parts(where: str) -> tuple[str, str, str]:
    parts = where.split(".")
    scope = "universal" if parts[0] == model.CHECKLIST else "type"
    return scope, parts[-2], parts[-1]


def corpus_rows(scans: Iterable[Scan]) -> Iterator[Row]:
    for scan in scans:
        paper = scan.doc[model.PAPER]
        year = paper.get("year")
        head = (
            scan.key,
            scan.path,
            scan.version,
            scan.doc[model.PAPER_TYPE],
            paper.get("title"),
            year if isinstance(year, int) and not isinstance(year, bool) else None,
            paper.get("venue"),
        )
        for where, item in items(scan.doc):
            applies, answer = bool(item[model.APPLIES]), bool(item[model.ANSWER])
            yield (
                *head,
                where,
                *_item_parts(where),
                applies,
                answer,
                rating(applies, answer),
                item[model.SOURCE],
                item[model.JUSTIFICATION],
            )


def _utc(date: str) -> dt.datetime:
    return dt.datetime.fromisoformat(date).astimezone(dt.UTC)


def history_rows(steps: Iterable[Step]) -> Iterator[Row]:
    for step in steps:
        after, before, revision = step.after, step.before, step.revision
        if after is None or not after.readable or revision.new is None:
            continue
        if step.kind == "unreadable":
            change, before = "after_unreadable", None
        else:
            change = step.kind
        head = (revision.commit.sha, _utc(revision.commit.date), revision.key, revision.new.path)
        previous = before.answers if before is not None else {}
        for where, (value, source) in after.answers.items():
            old = previous.get(where)
            flips: tuple[Any, ...] = (None, None, None, None, None)
            if old is not None:
                flips = (
                    old[0],
                    old[1],
                    (old[0] == "yes") != (value == "yes"),
                    (old[0] == "n/a") != (value == "n/a"),
                    old[1] != source,
                )
            yield (
                *head,
                change,
                after.paper_type,
                where,
                *_item_parts(where),
                value != "n/a",
                value == "yes",
                value,
                source,
                *flips,
            )


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def write_csv(rows: Iterable[Row], columns: tuple[ExportColumn, ...], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    count = 0
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        count += 1
    return count


def write_parquet(rows: Iterable[Row], columns: tuple[ExportColumn, ...], path: Path) -> int:
    """Rows written in batches of ``BATCH`` row groups; every column typed as declared."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ScanRepoError(
            "Parquet needs pyarrow: install the export extra (.venv/bin/pip install -e '.[export]')"
        ) from exc
    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "timestamp": pa.timestamp("s", tz="UTC"),
    }
    schema = pa.schema([pa.field(c.name, types[c.type], nullable=c.nullable) for c in columns])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, BATCH)):
            data = {c.name: [row[i] for row in batch] for i, c in enumerate(columns)}
            writer.write_table(pa.Table.from_pydict(data, schema=schema))
            count += len(batch)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count
