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
from scanrepo.history.walk import History, open_history
from scanrepo.survey.corpus import Readers
from scanrepo.survey.stability import Stability, stability
from scanrepo.testing.synthetic_history import HistorySpec, build_history
from scanrepo.vcs.cache_files import CACHE_DIR
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


def test_agreement_between_models_by_hand(known: tuple[Path, list[str]]) -> None:
    st = figures(known[0])
    f = next(i for i in st.items if i.where == F).different
    # F's rescans where the models differ, rater A = haiku, B = opus (names sorted):
    # C2 P2 no/opus -> no/haiku: (no, no); C3 P1 no/opus -> yes/haiku: (yes, no);
    # C4 P2 no/haiku -> yes/opus: (no, yes); C4 P4 yes/opus -> yes/haiku: (yes, yes);
    # C5 P1 yes/haiku -> yes/opus: (yes, yes)
    assert f.pairs == {("no", "no"): 1, ("yes", "no"): 1, ("no", "yes"): 1, ("yes", "yes"): 2}
    a = f.agreement
    # p_o = 3/5 = 0.6; A yes 3/5, B yes 3/5: p_e = 0.6*0.6 + 0.4*0.4 = 0.52
    # kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08 / 0.48 = 1/6; 5 pairs: no interval
    assert a.observed == pytest.approx(0.6)
    assert a.kappa.value == pytest.approx(1 / 6)
    assert a.kappa.interval is None
    # prevalence of yes (3 + 3) / 10 = 0.6; AC1: p_e = 2 * 0.6 * 0.4 = 0.48,
    # AC1 = 0.12 / 0.52 = 0.230769; PABAK = 2 * 0.6 - 1 = 0.2, from the Wilson interval of
    # 3/5: denominator 1.768292, centre = (0.6 + 0.384146) / 1.768292 = 0.556552,
    # half = 1.108393 * sqrt(0.048 + 0.038415) = 0.325827: [0.230724, 0.882379] -> 2p - 1
    assert a.prevalence == pytest.approx(0.6)
    assert a.ac1.value == pytest.approx(0.230769, abs=1e-6)
    assert a.ac1.interval is None
    assert a.pabak.value == pytest.approx(0.2)
    assert a.pabak.interval == pytest.approx((-0.538551, 0.764758), abs=1e-5)
    # pooled with K's pairs (C2 P1 yes/opus -> yes/haiku: (yes, yes);
    # C4 P4 yes/opus -> no/haiku: (no, yes)): (yes,yes) 3, (no,no) 1, (yes,no) 1, (no,yes) 2
    # p_o = 4/7; A yes 4, no 3; B yes 5, no 2; p_e = (4*5 + 3*2)/49 = 26/49
    # kappa = (28/49 - 26/49) / (23/49) = 2/23
    # AC1: pi_yes = 9/14, p_e = 2 * 9/14 * 5/14 = 90/196, AC1 = (112 - 90) / (196 - 90) = 22/106
    # PABAK = 2 * 4/7 - 1 = 1/7
    pooled = st.different.agreement
    assert pooled.n == 7
    assert pooled.kappa.value == pytest.approx(2 / 23)
    assert pooled.ac1.value == pytest.approx(22 / 106)
    assert pooled.pabak.value == pytest.approx(1 / 7)
    assert [(p.a, p.b, p.comparison.observations) for p in st.source_pairs] == [
        ("haiku", "opus", 7),
        # P1's K, answered by haiku since C2, rescanned by haiku in C3 and C5
        ("haiku", "haiku", 2),
        ("opus", "opus", 103),
    ]


def test_repeatability_and_reproducibility_by_hand(known: tuple[Path, list[str]]) -> None:
    st = figures(known[0])
    by_item = {i.where: i for i in st.items}
    f, k = by_item[F], by_item[K]
    # F, same model: C2 P1 yes/opus -> no/opus (flip), C2 P3 yes/opus -> yes/opus;
    # different models: the five pairs above, two of them flips (C3 P1, C4 P2)
    assert (f.same.observations, f.same.answer.k) == (2, 1)
    assert (f.different.observations, f.different.answer.k) == (5, 2)
    # K, same model: C2 P2 yes -> n/a by opus (answer and applies flip), C2 P3 no -> no,
    # C3 P1 and C5 P1 yes -> yes by haiku, C4 P2 n/a -> n/a by opus;
    # different models: C2 P1 yes/opus -> yes/haiku, C4 P4 yes/opus -> no/haiku (flip)
    assert (k.same.observations, k.same.answer.k, k.same.applies.k) == (5, 1, 1)
    assert (k.different.observations, k.different.answer.k, k.different.applies.k) == (2, 1, 0)
    # every other item: 7 rescans by opus again, no flip
    assert by_item[TYPE_ITEM].same.observations == 7
    assert by_item[TYPE_ITEM].different.observations == 0
    # overall: 2 + 5 + 14 * 7 = 105 by the same model with 2 answer flips (F C2 P1, K C2 P2);
    # 7 by different models with 3 (F C3 P1, F C4 P2, K C4 P4)
    assert (st.same.observations, st.same.answer.k, st.same.applies.k) == (105, 2, 1)
    assert (st.different.observations, st.different.answer.k) == (7, 3)
    # same-model pairs (earlier, later): (yes,yes) 1 + 2 + 98 = 101, (yes,no) 1, (yes,n/a) 1,
    # (no,no) 1, (n/a,n/a) 1; p_o = 103/105. Three categories occur: q = 3.
    # kappa: A yes 103, no 1, n/a 1; B yes 101, no 2, n/a 2;
    #   p_e = (103*101 + 1*2 + 1*2) / 105^2 = 10407/11025; kappa = (10815 - 10407) / (11025 -
    #   10407) = 408/618
    # prevalence of yes = (103 + 101) / 210 = 0.971429: skewed, kappa low, AC1 and PABAK high
    # AC1: pi = 204/210, 3/210, 3/210; p_e = (0.971429 * 0.028571 + 2 * 0.014286 * 0.985714) / 2
    #   = (0.027755 + 0.028163) / 2 = 0.027959; AC1 = (0.980952 - 0.027959) / 0.972041 = 0.980404
    # PABAK = (3 * 103/105 - 1) / 2 = 0.971429
    a = st.same.agreement
    assert (a.n, a.skewed) == (105, True)
    assert a.prevalence == pytest.approx(204 / 210)
    assert a.kappa.value == pytest.approx(408 / 618)
    assert a.ac1.value == pytest.approx(0.980404, abs=1e-5)
    assert a.pabak.value == pytest.approx(0.971429, abs=1e-6)


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
    assert row["ac1"] == pytest.approx(0.230769, abs=1e-6)
    assert (row["pabak"], row["yes_prevalence"], row["note"]) == (pytest.approx(0.2), 0.6, None)
    overall = {r["scope"]: r for r in doc["overall"]}
    assert overall["all items"]["kappa"] == pytest.approx(2 / 23)
    assert overall["same model"]["observations"] == 105
    assert overall["same model"]["note"] == "skewed"
    assert overall["opus vs opus"]["observations"] == 103
    split = {(r["item"], r["models"]): r for r in doc["repeatability"]}
    assert split[F, "same"]["answer_flips"] == 1
    assert split[F, "different"]["answer_flips"] == 2
    assert split["all items", "same"]["kappa"] == pytest.approx(408 / 618)
    # an item never answered by two models has no "different" row; kappa undefined is null
    assert (TYPE_ITEM, "different") not in split
    assert split[TYPE_ITEM, "same"]["kappa"] is None
    assert split[TYPE_ITEM, "same"]["ac1"] == 1.0
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
    assert (second.same, second.different) == (first.same, first.different)


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


@pytest.mark.parametrize("table", ["stability", "overall", "repeatability"])
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
    counts = {
        "stability": ["answer flips (count)", "applies flips (count)"],
        "repeatability": ["answer flips (count)"],
    }.get(table, [])
    for headers in (text, markdown):
        assert text == markdown
        assert [h for h in headers if "flip" in h] == [
            *counts,
            "answer flip rate (%)",
            "applies flip rate (%)",
        ]
        for header in ("agreement (%)", "yes prevalence (%)", "kappa", "AC1", "PABAK"):
            assert header in headers
    # CSV and JSON: counts as counts, rates as fractions with their interval
    assert [n for n in csv_names if "flip" in n] == [
        *(name.split(" ")[0] + "_flips" for name in counts),
        *(
            f"{flip}_flip_rate{end}"
            for flip in ("answer", "applies")
            for end in ("", "_low", "_high")
        ),
    ]
    assert json_names == csv_names


def test_text_says_why_a_skewed_kappa_is_low(known: tuple[Path, list[str]]) -> None:
    done = run_tool("stats", "--stability", "--table", "overall", cwd=known[0])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # same model: 97.1% of the ratings yes, kappa 0.66 [0.19, 1.00] beside AC1 0.98
    [same] = [line for line in lines if line.startswith("same model")]
    assert "97.1%" in same
    assert "0.66 [0.19, 1.00]" in same
    assert "0.98 [0.95, 1.00]" in same
    assert same.endswith("skewed")
    [note] = [line for line in lines if line.startswith("note: ")]
    assert "more than 90% of the ratings are yes" in note
    assert "prevalence paradox" in note
    markdown = run_tool(
        "stats", "--stability", "--table", "overall", "--format", "markdown", cwd=known[0]
    )
    assert "\nNote: skewed: fewer than 10% or more than 90%" in markdown.stdout
    plain = run_tool("stats", "--stability", "--table", "history", cwd=known[0])
    assert "note:" not in plain.stdout  # no agreement figures, no note
