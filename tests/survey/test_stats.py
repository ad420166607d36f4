"""Corpus figures (tools/stats without --stability) on the hand-built corpus of ``knownhistory``:
at HEAD, P1 (F yes/opus, K yes/haiku), P2 (F yes/opus, K n/a), P4 (F yes/haiku, K no/haiku),
and P5, which is not JSON."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import canonical, fixture_doc, put, run_tool
from knownhistory import F, K
from scanrepo.cli.common import run
from scanrepo.cli.stats import main as stats_main
from scanrepo.survey.corpus import Readers
from scanrepo.survey.figures import normalise_flag, venue_name


@pytest.fixture
def known_repo(known: tuple[Path, list[str]]) -> Path:
    return known[0]


def stats_json(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, object]]:
    monkeypatch.chdir(repo)
    code = run(stats_main, ["--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def rows(doc: dict[str, object], table: str) -> list[dict[str, object]]:
    found = doc[table]
    assert isinstance(found, list)
    return found


def test_item_shares_by_hand(
    known_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = stats_json(known_repo, monkeypatch, capsys)
    assert code == 1  # P5 cannot be read: left out, and said so
    [problem] = rows(doc, "problems")
    assert problem["file"] == "scans/v4/2601/2601.00005.json"  # type: ignore[index]
    items = {r["item"]: r for r in rows(doc, "items")}
    f, k = items[F], items[K]
    assert (f["papers"], f["applies"], f["yes"], f["yes_share"]) == (3, 3, 3, 1.0)
    # Wilson of 3/3: centre 0.719252, half 0.280749 (see test_estimates)
    assert f["yes_share_low"] == pytest.approx(0.438503, abs=1e-5)
    assert (k["papers"], k["applies"], k["yes"], k["yes_share"]) == (3, 2, 1, 0.5)
    # Wilson of 1/2: p = 0.5, z^2/n = 1.920729, denominator 2.920729, centre 0.5,
    # half = 0.671054 * sqrt(0.125 + 0.240091) = 0.671054 * 0.604228 = 0.405469
    assert k["yes_share_low"] == pytest.approx(0.094531, abs=1e-5)
    assert k["yes_share_high"] == pytest.approx(0.905469, abs=1e-5)
    corpus = {r["figure"]: r["count"] for r in rows(doc, "corpus")}
    assert corpus["papers"] == 3
    assert corpus["paper type position"] == 3
    # 16 items x 3 papers: K twice by haiku and F once
    assert (corpus["answers by opus"], corpus["answers by haiku"]) == (45, 3)


def test_grouped_by_venue(
    known_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, doc = stats_json(known_repo, monkeypatch, capsys, "--by", "venue")
    k = {r["group"]: r for r in rows(doc, "items") if r["item"] == K}
    # ICLR: P1 (yes) and P2 (n/a); arXiv: P4 (no)
    assert (k["ICLR"]["papers"], k["ICLR"]["applies"], k["ICLR"]["yes"]) == (2, 1, 1)
    assert (k["arXiv"]["papers"], k["arXiv"]["applies"], k["arXiv"]["yes"]) == (1, 1, 0)
    assert set(k) == {"ICLR", "arXiv"}


def test_red_flags_claims_engagement(
    known_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, doc = stats_json(known_repo, monkeypatch, capsys, "--top", "5")
    flags = rows(doc, "red_flags")
    # P1 and P2 spell one flag two ways; P4 raises another
    assert [(f["flag"], f["papers"]) for f in flags] == [
        ("No statistical significance tests", 2),
        ("Causality not established", 1),
    ]
    claims = {r["supported"]: r["claims"] for r in rows(doc, "claims")}
    fixture_claims = json.loads(
        (Path(__file__).parents[1] / "data/fixtures/2602.07852.scan-v4.json").read_text()
    )["claims"]
    for level in claims:
        per_paper = sum(c["supported"] == level for c in fixture_claims)
        assert claims[level] == 3 * per_paper
    [practical] = [r for r in rows(doc, "engagement") if r["factor"] == "practical_relevance"]
    assert practical["mean"] == 2.0  # the fixture's score, in all three papers
    assert practical["score_2"] == 3


def test_normalised_texts() -> None:
    assert normalise_flag("  No statistical\tsignificance TESTS. ") == (
        "no statistical significance tests"
    )
    assert venue_name("ICLR 2026") == "ICLR"
    assert venue_name("NeurIPS") == "NeurIPS"
    assert venue_name("") == "(none)"


def test_formats_as_a_user_runs_them(known_repo: Path) -> None:
    text = run_tool("stats", cwd=known_repo)
    assert text.returncode == 1
    assert "left out: scans/v4/2601/2601.00005.json" in text.stderr
    line = next(
        ln for ln in text.stdout.splitlines() if ln.startswith("checklist.scope_and_framing.key_")
    )
    assert line.split()[1:] == ["3", "2", "1", "50.0%", "[9.5,", "90.5]"]
    table = run_tool("stats", "--format", "csv", cwd=known_repo)
    records = list(csv.DictReader(io.StringIO(table.stdout)))
    assert {r["item"] for r in records} >= {F, K}
    assert "yes_share_high" in records[0]
    markdown = run_tool("stats", "--format", "markdown", "--table", "red_flags", cwd=known_repo)
    assert "| No statistical significance tests | 2 | 66.7% |" in markdown.stdout
    evidence = run_tool("stats", "--evidence", "key_terms_defined", cwd=known_repo)
    answers = [ln.split()[3:5] for ln in evidence.stdout.splitlines()[2:]]
    assert answers == [["yes", "haiku"], ["n/a", "opus"], ["no", "haiku"]]


def test_corpus_of_a_commit(known_repo: Path) -> None:
    first = run_tool("stats", "--rev", "HEAD~4", "--format", "json", cwd=known_repo)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    corpus = {r["figure"]: r["count"] for r in doc["corpus"]}
    assert corpus["papers"] == 4
    assert corpus["scan version v3"] == 1  # P4 was still a v3 file, read at v4


def test_usage_errors(known_repo: Path) -> None:
    both = run_tool("stats", "--stability", "--by", "venue", cwd=known_repo)
    assert both.returncode == 2
    assert "does not go with --stability" in both.stderr
    wrong = run_tool("stats", "--table", "overall", cwd=known_repo)
    assert wrong.returncode == 2


def test_a_paper_with_two_scans_counts_once(repo: Path) -> None:
    v4 = fixture_doc()
    older = readers_chain_v3(v4)
    item = v4["checklist"]["conflicts_of_interest"]["funding_disclosed"]
    item.update(applies=True, answer=True)  # the v3 file says no
    put(repo, "scans/v4/2602/2602.07852.json", canonical(v4))
    put(repo, "scans/v3/2602/2602.07852.json", canonical(older))
    done = run_tool("stats", "--format", "json", "--table", "items", cwd=repo)
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    [problem] = doc["problems"]
    assert problem["file"] == "scans/v3/2602/2602.07852.json"
    assert "which the figures use" in problem["message"]
    [f] = [r for r in doc["items"] if r["item"] == F]
    assert (f["papers"], f["yes"]) == (1, 1)


def readers_chain_v3(doc: dict[str, Any]) -> dict[str, Any]:
    return Readers().chain.migrate(copy.deepcopy(doc), 3)
