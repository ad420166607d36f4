"""Repeatability (same model) and reproducibility (different models) on a history with a branch,
a merge, a migration and rescans by two models, counted by hand; tools/stats, tools/export and
tools/report give the same figures.

Two ``position`` papers of ``knownhistory`` (16 items, all yes/opus); F is funding_disclosed,
K key_terms_defined.

=====  =====================================================================================
C1     add P1 (as a v3 file) and P2
C2     migrate P1 to v4 (no change in meaning: no rescan)
B1     on branch b: rescan P2: F yes/opus -> no/haiku, K yes/opus -> yes/haiku
M1     on the main line: rescan P1: F yes/opus -> no/opus
merge  b into the main line, cleanly (each side changed another paper: no rescan)
M2     rescan P2: F no/haiku -> yes/haiku (K stays yes/haiku)
=====  =====================================================================================

Rescans: B1, M1, M2; 3 x 16 = 48 observations. By different models: B1's F (a flip) and K,
rater A being haiku: (no, yes) and (yes, yes). By the same model: the other 46 pairs, (earlier,
later): F at M1 (yes, no) and at M2 (no, yes), both flips, and 44 (yes, yes): 14 at B1, 15 at
M1, 14 by opus and K by haiku at M2.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import canonical, git, put, run_tool
from knownhistory import F, K, commit, paper, path, rate
from scanrepo.survey.corpus import Readers


@pytest.fixture(scope="module")
def branched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repeatability") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    p1, p2 = paper(1, "ICLR 2026", []), paper(2, "ICLR 2026", [])
    put(repo, path(1, 3), canonical(Readers().chain.migrate(copy.deepcopy(p1), 3)))
    put(repo, path(2), canonical(p2))
    commit(repo, "C1: add P1 (v3) and P2")
    git(repo, "mv", path(1, 3), path(1))
    put(repo, path(1), canonical(p1))
    commit(repo, "C2: migrate P1")
    git(repo, "switch", "-q", "-c", "b")
    p2 = rate(rate(p2, F, "no", "haiku"), K, "yes", "haiku")
    put(repo, path(2), canonical(p2))
    commit(repo, "B1: rescan P2 by haiku")
    git(repo, "switch", "-q", "-")
    put(repo, path(1), canonical(rate(p1, F, "no", "opus")))
    commit(repo, "M1: rescan P1 by opus")
    git(repo, "merge", "-q", "--no-edit", "b")
    put(repo, path(2), canonical(rate(p2, F, "yes", "haiku")))
    commit(repo, "M2: rescan P2 by haiku again")
    return repo


# same-model pairs: (yes, yes) 44, (yes, no) 1, (no, yes) 1; p_o = 44/46; q = 2
# yes prevalence = (45 + 45) / 92 = 0.978261: skewed
# kappa: each rater yes 45/46, no 1/46: p_e = (45^2 + 1) / 46^2 = 2026/2116;
#   kappa = (2024 - 2026) / (2116 - 2026) = -2/90 = -0.022222
# AC1: pi_yes = 45/46: p_e = 2 * 45/46 * 1/46 = 90/2116; AC1 = (2024 - 90) / (2116 - 90)
#   = 1934/2026 = 0.954590
# PABAK = 2 * 44/46 - 1 = 42/46 = 0.913043
SAME = {"observations": 46, "answer_flips": 2, "kappa": -2 / 90, "ac1": 1934 / 2026}
# different models: (no, yes), (yes, yes): p_o = 1/2, PABAK = 0; A yes 1/2, B yes 1:
# p_e = 0.5 * 1 + 0.5 * 0 = 0.5, kappa = 0; AC1: pi_yes = 3/4, p_e = 2 * 3/4 * 1/4 = 3/8,
# AC1 = (1/2 - 3/8) / (5/8) = 0.2
DIFFERENT = {"observations": 2, "answer_flips": 1, "kappa": 0.0, "ac1": 0.2}


def test_stats_counts_by_hand(branched: Path) -> None:
    done = run_tool("stats", "--stability", "--format", "json", cwd=branched)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    history = {r["figure"]: r["value"] for r in doc["history"]}
    assert history["revisions: rescan"] == "3"
    assert history["revisions: unchanged"] == "1"  # the migration
    rows = {(r["item"], r["models"]): r for r in doc["repeatability"]}
    for models, expected in (("same", SAME), ("different", DIFFERENT)):
        row = rows["all items", models]
        assert row["observations"] == expected["observations"]
        assert row["answer_flips"] == expected["answer_flips"]
        assert row["kappa"] == pytest.approx(expected["kappa"])
        assert row["ac1"] == pytest.approx(expected["ac1"])
    assert rows["all items", "same"]["pabak"] == pytest.approx(42 / 46)
    assert rows["all items", "same"]["yes_prevalence"] == pytest.approx(90 / 92)
    assert rows["all items", "same"]["note"] == "skewed"
    assert rows["all items", "different"]["pabak"] == pytest.approx(0.0)
    # F: the same model at M1 and M2, both flips; different models at B1, a flip
    assert (rows[F, "same"]["observations"], rows[F, "same"]["answer_flips"]) == (2, 2)
    assert (rows[F, "different"]["observations"], rows[F, "different"]["answer_flips"]) == (1, 1)
    # K: the same model at M1 (P1, opus) and M2 (P2, haiku); different models at B1
    assert (rows[K, "same"]["observations"], rows[K, "different"]["observations"]) == (2, 1)
    overall = {r["scope"]: r["observations"] for r in doc["overall"]}
    # opus with itself: 14 at B1, 16 at M1, 14 at M2; haiku with itself: F and K at M2
    assert overall["haiku vs opus"] == 2
    assert overall["haiku vs haiku"] == 2
    assert overall["opus vs opus"] == 44


def test_export_and_report_agree_with_stats(branched: Path) -> None:
    done = run_tool("export", "--stability", cwd=branched)
    assert done.returncode == 0, done.stderr
    rows = {(r["item"], r["models"]): r for r in csv.DictReader(io.StringIO(done.stdout))}
    for models, expected in (("same", SAME), ("different", DIFFERENT)):
        row = rows["all items", models]
        assert int(row["observations"]) == expected["observations"]
        assert int(row["answer_flips"]) == expected["answer_flips"]
        assert float(row["kappa"]) == pytest.approx(expected["kappa"])
        assert float(row["ac1"]) == pytest.approx(expected["ac1"])
    report = run_tool("report", "-o", "page.html", cwd=branched)
    assert report.returncode == 0, report.stderr
    html = (branched / "page.html").read_text(encoding="utf-8")
    row = html.split("<tr><td>same model (repeatability)</td>", 1)[1].split("</tr>", 1)[0]
    # rescans, flip rate 2/46, raw agreement 44/46, yes 90/92, then:
    # kappa: SE = sqrt(0.956522 * 0.043478 / (46 * 0.042533^2)) = sqrt(0.041588 / 0.083218)
    #   = 0.706932: -0.022 -/+ 1.385572, clipped to [-1, 1]
    # AC1: 2 (1 - AC1) = 0.090819; t_yy = 1 - 45/46 = 0.021739, t_yn = 0.5;
    #   sum = 0.956522 * (1 - 0.090819 * 0.021739)^2 + 2 * (1/46) * (0.090819 * 0.5)^2
    #       = 0.952749 + 0.000090 = 0.952839; (0.956522 - 0.090819 * 0.042533)^2 = 0.907559;
    #   v = (0.952839 - 0.907559) / (46 * 0.957467^2) = 0.045280 / 42.170 = 0.0010737,
    #   SE = 0.032768: 0.954590 -/+ 0.064225 = [0.890365, 1] (clipped)
    # PABAK: Wilson of 44/46: z^2/n = 0.083510, centre = (0.956522 + 0.041755) / 1.083510
    #   = 0.921336, half = 1.808905 * sqrt(0.000904 + 0.000454) = 0.066659:
    #   [0.854677, 0.987995] -> 2p - 1 = [0.709355, 0.975989]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == [
        "46",
        "4.3%",
        "95.7%",
        "97.8%",
        "-0.02 [-1.00, 1.00]",
        "0.95 [0.89, 1.00]",
        "0.91 [0.71, 0.98]",
        "skewed",
    ]
