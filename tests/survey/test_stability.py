"""Stability across history, on the hand-built history of ``knownhistory`` (figures worked out
by hand there and below) and on a generated one."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import git, run_tool
from knownhistory import ITEMS_PER_PAPER, TYPE_ITEM, F, K
from scanrepo.cli.common import run
from scanrepo.cli.stats import main as stats_main
from scanrepo.diff.changes import PaperDiff
from scanrepo.diff.compare import ScanSide, diff_papers
from scanrepo.history.cache import CACHE_DIR
from scanrepo.history.walk import History, open_history
from scanrepo.survey.corpus import Readers
from scanrepo.survey.stability import Stability, stability
from scanrepo.testing.synthetic_history import HistorySpec, build_history
from scanrepo.vcs.repo import GitRepo


def figures(repo: Path, evidence: str | None = None, cache: bool = False) -> Stability:
    readers = Readers()
    with GitRepo(repo) as handle, open_history(handle, readers, cache=cache) as history:
        return stability(history, evidence)


def test_revisions_are_classified(known: tuple[Path, list[str]]) -> None:
    st = figures(known[0])
    assert st.commits == 5
    # C1 adds 4; rescans: C2 three, C3 one (P4's migration is unchanged), C4 two, C5 one;
    # C5 removes P3 and adds the unreadable P5
    assert st.kinds == {"added": 4, "removed": 1, "rescan": 7, "unchanged": 1, "unreadable": 1}
    [problem] = st.problems
    assert problem.file == f"{known[1][4][:12]}:scans/v4/2601/2601.00005.json"
    assert problem.kind == "syntax"


def test_flip_rates_by_hand(known: tuple[Path, list[str]]) -> None:
    st = figures(known[0])
    by_item = {i.where: i for i in st.items}
    f, k = by_item[F], by_item[K]
    # F: 7 rescans, answer flipped in C2 P1 (yes->no), C3 P1 (no->yes), C4 P2 (no->yes)
    assert (f.answer.k, f.answer.n, f.applies.k, f.papers) == (3, 7, 0, 4)
    # Wilson of 3/7: p = 0.428571, z^2/n = 0.548780, denominator 1.548780,
    # centre = (0.428571 + 0.274390) / 1.548780 = 0.453878,
    # half = 1.265488 * sqrt(0.244898/7 + 3.841459/196) = 1.265488 * 0.233632 = 0.295660
    low, high = f.answer.interval  # type: ignore[misc]
    assert low == pytest.approx(0.158219, abs=1e-4)
    assert high == pytest.approx(0.749542, abs=1e-4)
    # K: C2 P2 yes -> n/a flips answer and applies; C4 P4 yes -> no flips the answer
    assert (k.answer.k, k.answer.n, k.applies.k) == (2, 7, 1)
    # every other item never flipped, in 7 rescans
    assert by_item[TYPE_ITEM].answer.k == 0
    assert by_item[TYPE_ITEM].observations == 7
    assert len(st.items) == ITEMS_PER_PAPER
    # overall: 7 rescans x 16 items; 3 + 2 answer flips; 1 applies flip
    assert (st.answer.k, st.answer.n, st.applies.k) == (5, 112, 1)


def test_ranking_puts_the_noisiest_last(known: tuple[Path, list[str]]) -> None:
    st = figures(known[0])
    assert [i.where for i in st.items[-2:]] == [K, F]  # 2/7 then 3/7
    assert all(i.answer.k == 0 for i in st.items[:-2])


def test_kappa_by_hand(known: tuple[Path, list[str]]) -> None:
    st = figures(known[0])
    f = next(i for i in st.items if i.where == F)
    # F's rescans where the models differ, rater A = haiku, B = opus (names sorted):
    # C2 P2 no/opus -> no/haiku: (no, no); C3 P1 no/opus -> yes/haiku: (yes, no);
    # C4 P2 no/haiku -> yes/opus: (no, yes); C4 P4 yes/opus -> yes/haiku: (yes, yes);
    # C5 P1 yes/haiku -> yes/opus: (yes, yes)
    assert f.pairs == {("no", "no"): 1, ("yes", "no"): 1, ("no", "yes"): 1, ("yes", "yes"): 2}
    # p_o = 3/5 = 0.6; A yes 3/5, B yes 3/5: p_e = 0.6*0.6 + 0.4*0.4 = 0.52
    # kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08 / 0.48 = 1/6; 5 pairs: no interval
    assert f.agreement.agreement == pytest.approx(0.6)
    assert f.agreement.kappa == pytest.approx(1 / 6)
    assert f.agreement.interval is None
    # pooled with K's pairs (C2 P1 yes/opus -> yes/haiku: (yes, yes);
    # C4 P4 yes/opus -> no/haiku: (no, yes)): (yes,yes) 3, (no,no) 1, (yes,no) 1, (no,yes) 2
    # p_o = 4/7; A yes 4, no 3; B yes 5, no 2; p_e = (4*5 + 3*2)/49 = 26/49
    # kappa = (28/49 - 26/49) / (23/49) = 2/23
    assert st.agreement.n == 7
    assert st.agreement.kappa == pytest.approx(2 / 23)
    [models] = st.source_pairs
    assert (models.a, models.b, models.agreement.n) == ("haiku", "opus", 7)


def test_evidence_names_papers_and_commits(known: tuple[Path, list[str]]) -> None:
    repo, commits = known
    st = figures(repo, evidence="funding_disclosed")
    [(where, observations)] = st.evidence.items()
    assert where == F
    assert len(observations) == 7
    flipped = [(o.commit.sha, o.key) for o in observations if o.answer_flipped]
    assert flipped == [
        (commits[1], "2601.00001"),
        (commits[2], "2601.00001"),
        (commits[3], "2601.00002"),
    ]


def test_cli_stability_json(
    known: tuple[Path, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(known[0])
    assert run(stats_main, ["--stability", "--format", "json", "--no-cache"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["kind"] == "stability"
    [row] = [r for r in doc["stability"] if r["item"] == F]
    assert (row["answer_flips"], row["observations"], row["pairs"]) == (3, 7, 5)
    assert row["kappa"] == pytest.approx(1 / 6)
    assert row["rank"] == ITEMS_PER_PAPER
    [overall] = [r for r in doc["overall"] if r["scope"] == "all items"]
    assert overall["kappa"] == pytest.approx(2 / 23)
    assert len(doc["problems"]) == 1


def test_cli_evidence_as_a_user_runs_it(known: tuple[Path, list[str]]) -> None:
    repo, commits = known
    done = run_tool("stats", "--stability", "--evidence", "funding_disclosed", cwd=repo)
    assert done.returncode == 0, done.stderr
    lines = [ln for ln in done.stdout.splitlines() if commits[2] in ln]
    assert len(lines) == 1
    assert "2601.00001" in lines[0]
    assert "answer flipped, models differ" in lines[0]
    wrong = run_tool("stats", "--stability", "--evidence", "no_such_item", cwd=repo)
    assert wrong.returncode == 2
    assert "--evidence 'no_such_item': no checklist item of that name in the history" in (
        wrong.stderr
    )


def test_cache_gives_the_same_figures(known: tuple[Path, list[str]], tmp_path: Path) -> None:
    repo, _ = known
    copy = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(copy))
    first = figures(copy, cache=True)
    assert first.cached == 0
    assert list((copy / ".git" / CACHE_DIR).glob("readings-*.sqlite"))
    second = figures(copy, cache=True)
    assert second.cached == second.blobs == first.blobs
    assert second.items == first.items
    assert second.agreement == first.agreement


def _diff_flips(repo: Path, history: History) -> Counter[str]:
    """Answer flips per item by the semantic diff itself, over every revision."""
    readers = Readers()
    flips: Counter[str] = Counter()
    with GitRepo(repo) as handle:
        for revision in history.revisions:
            if revision.old is None or revision.new is None:
                continue
            old, new = (
                dict(handle.read_blobs([c.blob]))[c.blob] for c in (revision.old, revision.new)
            )
            diff: PaperDiff = diff_papers(
                revision.key,
                ScanSide(revision.old.path, old),
                ScanSide(revision.new.path, new),
                readers.newest,
                readers.chain,
                readers.registry,
            )
            flips.update(c.where for c in diff.changes if c.kind == "answer_flipped")
    return flips


def test_generated_history_agrees_with_the_semantic_diff(tmp_path: Path) -> None:
    repo = tmp_path / "generated"
    info = build_history(repo, HistorySpec(seed=3, scans=40, commits=10, rescans_per_commit=(3, 8)))
    readers = Readers()
    with GitRepo(repo) as handle, open_history(handle, readers) as history:
        st = stability(history)
        expected = _diff_flips(repo, history)
    assert st.cached == 0
    assert st.commits == len(info.commits) == 11
    rescans = sum(len(c.keys) for c in info.commits[1:])
    assert st.kinds["rescan"] == rescans
    assert st.kinds["added"] == 40
    assert {i.where: i.answer.k for i in st.items if i.answer.k} == dict(expected)
    assert sum(expected.values()) > 0
    again = figures(repo, cache=True)
    assert again.cached == again.blobs
    assert again.items == st.items


@pytest.mark.parametrize("table", ["stability", "overall"])
def test_every_column_header_is_unique_and_says_its_unit(
    known: tuple[Path, list[str]], table: str
) -> None:
    def output(fmt: str) -> str:
        done = run_tool("stats", "--stability", "--table", table, "--format", fmt, cwd=known[0])
        assert done.returncode == 0, done.stderr
        return done.stdout

    text = re.split(r"\s{2,}", output("text").splitlines()[1].strip())
    markdown = [cell.strip() for cell in output("markdown").splitlines()[2].strip("|").split("|")]
    csv_names = output("csv").splitlines()[0].split(",")
    json_names = list(json.loads(output("json"))[table][0])
    for headers in (text, markdown, csv_names, json_names):
        assert len(headers) == len(set(headers)), headers
    counts = ["answer flips (count)", "applies flips (count)"] if table == "stability" else []
    for headers in (text, markdown):
        assert text == markdown
        assert [h for h in headers if "flip" in h] == [
            *counts,
            "answer flip rate (%)",
            "applies flip rate (%)",
        ]
        assert "agreement (%)" in headers
    # CSV and JSON: counts as counts, rates as fractions with their interval
    assert [n for n in csv_names if "flip" in n] == [
        *(["answer_flips", "applies_flips"] if table == "stability" else []),
        *(
            f"{flip}_flip_rate{end}"
            for flip in ("answer", "applies")
            for end in ("", "_low", "_high")
        ),
    ]
    assert json_names == csv_names
