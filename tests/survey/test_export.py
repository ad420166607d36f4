"""tools/export on the hand-built history of ``knownhistory``: the rows, their columns and types,
in CSV and Parquet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, canonical, fixture_doc, put, run_tool
from knownhistory import ITEMS_PER_PAPER, TYPE_ITEM, F, K
from scanrepo.format import model
from scanrepo.survey.rows import CORPUS_COLUMNS, HISTORY_COLUMNS


def exported(repo: Path, *args: str) -> list[dict[str, str]]:
    done = run_tool("export", *args, cwd=repo)
    assert done.returncode in (0, 1), done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_corpus_rows(known: tuple[Path, list[str]]) -> None:
    repo, _ = known
    rows = exported(repo)
    assert list(rows[0]) == [c.name for c in CORPUS_COLUMNS]
    assert len(rows) == 3 * ITEMS_PER_PAPER  # P1, P2, P4; P5 is not JSON
    [p4] = [r for r in rows if r["key"] == "2601.00004" and r["item"] == F]
    assert p4 == {
        **p4,
        "scan_version": "4",
        "scope": "universal",
        "section": "conflicts_of_interest",
        "name": "funding_disclosed",
        "applies": "true",
        "answer": "true",
        "rating": "yes",
        "source": "haiku",
        "venue": "arXiv",
        "year": "2026",
    }


def test_history_rows(known: tuple[Path, list[str]]) -> None:
    repo, commits = known
    rows = exported(repo, "--history")
    assert list(rows[0]) == [c.name for c in HISTORY_COLUMNS]
    # scans each commit wrote and could read: C1 4, C2 3, C3 2, C4 2, C5 1 (P5 unreadable)
    assert len(rows) == (4 + 3 + 2 + 2 + 1) * ITEMS_PER_PAPER
    p1 = [r for r in rows if r["key"] == "2601.00001" and r["item"] == F]
    assert [(r["commit"], r["change"], r["rating"], r["source"]) for r in p1] == [
        (commits[0], "added", "yes", "opus"),
        (commits[1], "rescan", "no", "opus"),
        (commits[2], "rescan", "yes", "haiku"),
        (commits[4], "rescan", "yes", "opus"),
    ]
    assert [r["answer_flipped"] for r in p1] == ["", "true", "true", "false"]
    assert [r["source_changed"] for r in p1] == ["", "false", "true", "true"]
    assert p1[1]["previous_rating"] == "yes"
    assert p1[0]["commit_date"].endswith("Z")
    [migrated] = [r for r in rows if r["key"] == "2601.00004" and r["commit"] == commits[2]][:1]
    assert migrated["change"] == "unchanged"
    assert migrated["path"] == "scans/v4/2601/2601.00004.json"


STABILITY_COLUMNS = [
    "item",
    "models",
    "observations",
    "answer_flips",
    *(f"{flip}_flip_rate{end}" for flip in ("answer", "applies") for end in ("", "_low", "_high")),
    "agreement",
    "yes_prevalence",
    *(f"{c}{end}" for c in ("kappa", "ac1", "pabak") for end in ("", "_low", "_high")),
    "note",
]


def test_stability_rows(known: tuple[Path, list[str]]) -> None:
    rows = exported(known[0], "--stability")
    assert list(rows[0]) == STABILITY_COLUMNS
    # all items twice; F and K both ways; the 14 other items only by the same model
    assert len(rows) == 2 + 2 + 2 + 14
    by = {(r["item"], r["models"]): r for r in rows}
    # knownhistory, by hand: F same model C2 P1 (flip), C2 P3; different models 5, 2 flips;
    # K same model 5 with 1 answer and 1 applies flip, different models 2 with 1 flip;
    # pooled 105 by the same model (2 flips), 7 by different models (3 flips)
    counts = {key: (r["observations"], r["answer_flips"]) for key, r in by.items()}
    assert counts[F, "same"] == ("2", "1")
    assert counts[F, "different"] == ("5", "2")
    assert counts[K, "same"] == ("5", "1")
    assert counts[K, "different"] == ("2", "1")
    assert counts["all items", "same"] == ("105", "2")
    assert counts["all items", "different"] == ("7", "3")
    assert (TYPE_ITEM, "different") not in by
    # 7 answers yes/opus -> yes/opus: kappa undefined (empty), AC1 = PABAK = 1, skewed
    same = by[TYPE_ITEM, "same"]
    assert (same["kappa"], same["ac1"], same["pabak"], same["note"]) == ("", "1.0", "1.0", "skewed")
    assert float(by["all items", "same"]["kappa"]) == pytest.approx(408 / 618)


def test_parquet_keeps_the_types(known: tuple[Path, list[str]], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow (the export extra) is absent")
    repo, _ = known
    target = tmp_path / "out.parquet"
    done = run_tool("export", "--stability", "--format", "parquet", "-o", str(target), cwd=repo)
    assert done.returncode == 0, done.stderr
    figures = pq.read_table(target)
    assert figures.column_names == STABILITY_COLUMNS
    types = {f.name: str(f.type) for f in figures.schema}
    assert (types["observations"], types["kappa"], types["note"]) == ("int64", "double", "string")
    undefined = [r for r in figures.to_pylist() if r["item"] == TYPE_ITEM]
    assert [(r["kappa"], r["ac1"]) for r in undefined] == [(None, 1.0)]  # null, not NaN
    for args, columns in (([], CORPUS_COLUMNS), (["--history"], HISTORY_COLUMNS)):
        done = run_tool("export", *args, "--format", "parquet", "-o", str(target), cwd=repo)
        assert done.returncode in (0, 1), done.stderr
        table = pq.read_table(target)
        assert table.column_names == [c.name for c in columns]
        types = {f.name: str(f.type) for f in table.schema}
        for column in columns:
            expected = {"string": "string", "int64": "int64", "bool": "bool"}.get(column.type)
            if expected:
                assert types[column.name] == expected, column.name
            else:
                assert types[column.name].startswith("timestamp") and "UTC" in types[column.name]
        csv_rows = exported(repo, *args)
        assert table.num_rows == len(csv_rows)
        first = table.slice(0, 1).to_pylist()[0]
        assert first["key"] == csv_rows[0]["key"]
        assert first["applies"] is (csv_rows[0]["applies"] == "true")
        assert sorted(tmp_path.iterdir()) == [target]  # no temporary file left


def test_usage_and_write_errors(known: tuple[Path, list[str]], tmp_path: Path) -> None:
    repo, _ = known
    no_file = run_tool("export", "--format", "parquet", cwd=repo)
    assert no_file.returncode == 2
    assert "-o PATH" in no_file.stderr
    missing = run_tool("export", "-o", str(tmp_path / "no" / "such" / "x.csv"), cwd=repo)
    assert missing.returncode == 2
    assert "no such directory" in missing.stderr
    assert not (tmp_path / "no").exists()
    both = run_tool("export", "--history", "--stability", cwd=repo)
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr


def readme_reading_calls() -> dict[str, str]:
    """The README's code that reads an export's CSV, by library."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Reading the CSV.**", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    return {block.split()[1]: block for block in blocks}


def test_the_readme_way_reads_keys_as_text_and_an_empty_venue_as_missing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandas and DuckDB read ``2605.10000`` as the number 2605.1 unless told it is text."""
    import pandas as pd

    for key, venue in (("2605.10000", ""), ("2605.00200", "ICLR 2026")):
        doc = fixture_doc()
        doc["paper"].update(arxiv_id=key, venue=venue)
        put(repo, f"scans/v4/2605/{key}.json", canonical(doc))
    done = run_tool("export", "-o", "survey.csv", cwd=repo)
    assert done.returncode == 0, done.stderr
    monkeypatch.chdir(repo)
    calls = readme_reading_calls()
    assert sorted(calls) == ["duckdb", "pandas"]

    found: dict[str, Any] = {}
    exec(calls["pandas"], found)
    frame = found["rows"]
    assert sorted(set(frame["key"])) == ["2605.00200", "2605.10000"]
    venues = dict(zip(frame["key"], frame["venue"], strict=True))
    assert venues["2605.00200"] == "ICLR 2026" and pd.isna(venues["2605.10000"])
    assert frame["applies"].dtype == bool

    found = {}
    exec(calls["duckdb"], found)
    relation = found["rows"]
    rows = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
    assert sorted({r["key"] for r in rows}) == ["2605.00200", "2605.10000"]
    assert {r["key"]: r["venue"] for r in rows} == {"2605.00200": "ICLR 2026", "2605.10000": None}
    assert {type(r["applies"]) for r in rows} == {bool}


def test_readme_documents_every_column() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    types = {"string": "string", "int64": "int64", "bool": "bool", "timestamp": "timestamp (UTC)"}
    for column in (*CORPUS_COLUMNS, *HISTORY_COLUMNS):
        documented = f"| `{column.name}` | {types[column.type]}"
        documented += ", nullable |" if column.nullable else " |"
        assert documented in readme, column.name


def test_every_field_of_an_item_is_a_corpus_column() -> None:
    """A field added to the model's items is exported, or this test says it is not."""
    assert set(model.ITEM_FIELDS) <= {column.name for column in CORPUS_COLUMNS}
