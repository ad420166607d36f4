"""Which commits the history tools count, on a history with branches and merges (the README's
"Which commits count"): every tool counts the same commits, a rescan wherever it was made, and a
merge only for what was decided while resolving it.

Four ``position`` papers P1..P4 of ``knownhistory``, every item yes/opus; F is funding_disclosed,
K key_terms_defined. Each merge is made on main (its first parent), merging the branch:

=====  ==========================================================================================
C0     main: add P1..P4
A1     branch a: P1 F -> no/haiku            (a reviewer sets an answer)
B1     main: P1 F -> yes/sonnet              (another edits the same item differently)
M1     merge a: conflict on P1, resolved by taking main's file: A1's answer is lost
C1     branch c: P2 F -> no/haiku
D1     main: P2 F -> yes/sonnet
M2     merge c: conflict on P2, resolved to F n/a/opus, which neither side had
E1     branch e: P3 K -> no/haiku
M3     merge e: clean, P3 as E1 left it
H1     branch h: P4 F -> no/haiku
I1     main: P4 K -> no/sonnet
M4     merge h: clean, P4 joins both sides' edits (F from H1, K from I1)
=====  ==========================================================================================
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import canonical, put, run_main, run_tool
from knownhistory import ITEMS_PER_PAPER, F, K, paper, path, rate
from scanrepo.cli.log import main as log_main
from scanrepo.diff.revisions import Copy as RawCopy
from scanrepo.history.cache import Reading
from scanrepo.history.gitlog import parse_changes
from scanrepo.history.walk import merge_step, open_history
from scanrepo.problems import Problem
from scanrepo.survey.corpus import Rating, Readers
from scanrepo.survey.stability import stability
from scanrepo.vcs.repo import GitRepo

P1, P2, P3, P4 = (f"2601.0000{n}" for n in range(1, 5))


@dataclass
class Branchy:
    root: Path
    commits: dict[str, str] = field(default_factory=dict)
    tick: int = 0

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        self.tick += 1
        date = f"2026-02-01T00:{self.tick:02d}:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        return subprocess.run(
            ["git", *args], cwd=self.root, env=env, check=check, capture_output=True, text=True
        )

    def commit(self, name: str, *docs: tuple[int, dict[str, Any]]) -> None:
        for number, doc in docs:
            put(self.root, path(number), canonical(doc))
        self.git("add", "-A")
        self.git("commit", "-q", "-m", name)
        self.commits[name] = self.git("rev-parse", "HEAD").stdout.strip()

    def merge(self, branch: str, name: str, *resolved: tuple[int, dict[str, Any]]) -> None:
        """Merge ``branch`` into main; with ``resolved``, the merge conflicts and these scans
        resolve it."""
        done = self.git("merge", "-q", "--no-ff", "--no-edit", branch, check=False)
        assert (done.returncode != 0) == bool(resolved), done.stdout + done.stderr
        if resolved:
            self.commit(name, *resolved)
        else:
            self.git("commit", "--amend", "-q", "-m", name)
            self.commits[name] = self.git("rev-parse", "HEAD").stdout.strip()


def build(root: Path) -> Branchy:
    root.mkdir()
    story = Branchy(root)
    story.git("init", "-q")
    p = {n: paper(n, "arXiv", []) for n in range(1, 5)}
    story.commit("C0", *p.items())

    story.git("checkout", "-q", "-b", "a")
    story.commit("A1", (1, rate(p[1], F, "no", "haiku")))
    story.git("checkout", "-q", "main")
    story.commit("B1", (1, rate(p[1], F, "yes", "sonnet")))
    story.merge("a", "M1", (1, rate(p[1], F, "yes", "sonnet")))

    story.git("checkout", "-q", "-b", "c")
    story.commit("C1", (2, rate(p[2], F, "no", "haiku")))
    story.git("checkout", "-q", "main")
    story.commit("D1", (2, rate(p[2], F, "yes", "sonnet")))
    story.merge("c", "M2", (2, rate(p[2], F, "n/a", "opus")))

    story.git("checkout", "-q", "-b", "e")
    story.commit("E1", (3, rate(p[3], K, "no", "haiku")))
    story.git("checkout", "-q", "main")
    story.merge("e", "M3")

    story.git("checkout", "-q", "-b", "h")
    story.commit("H1", (4, rate(p[4], F, "no", "haiku")))
    story.git("checkout", "-q", "main")
    story.commit("I1", (4, rate(p[4], K, "no", "sonnet")))
    story.merge("h", "M4")
    assert (root / path(4)).read_bytes() == canonical(
        rate(rate(p[4], F, "no", "haiku"), K, "no", "sonnet")
    )
    return story


@pytest.fixture(scope="module")
def branchy(tmp_path_factory: pytest.TempPathFactory) -> Branchy:
    return build(tmp_path_factory.mktemp("branchy") / "repo")


# Every commit that changed each paper, by the README's definition.
EXPECTED = {
    P1: {"C0", "A1", "B1"},  # M1 took main's scan: nothing decided at it
    P2: {"C0", "C1", "D1", "M2"},  # M2 decided a rating neither side had
    P3: {"C0", "E1"},  # M3 merged E1 cleanly: E1 counts once
    P4: {"C0", "H1", "I1", "M4"},  # M4's scan is neither side's
}
RESCANS = {"A1", "B1", "C1", "D1", "M2", "E1", "H1", "I1", "M4"}


def names(story: Branchy) -> dict[str, str]:
    return {sha: name for name, sha in story.commits.items()}


def walked(story: Branchy) -> dict[str, set[str]]:
    """The commits the whole-history walk (stats, export, report) counts, by paper."""
    found: dict[str, set[str]] = defaultdict(set)
    with GitRepo(story.root) as repo, open_history(repo, Readers(), cache=False) as history:
        for step in history.steps():
            found[step.revision.key].add(names(story)[step.revision.commit.sha])
    return dict(found)


def logged(
    story: Branchy, key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> set[str]:
    """The commits ``tools/log KEY`` lists."""
    code, out, err = run_main(log_main, story.root, monkeypatch, capsys, key, "--format", "json")
    assert code == 0, err
    return {names(story)[c["commit"]] for c in json.loads(out)["commits"]}


def test_the_walk_counts_every_rescan_and_only_what_a_merge_decided(branchy: Branchy) -> None:
    assert walked(branchy) == EXPECTED


def test_log_lists_the_commits_the_walk_counts(
    branchy: Branchy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    walk = walked(branchy)
    for key in (P1, P2, P3, P4):
        assert logged(branchy, key, monkeypatch, capsys) == walk[key] == EXPECTED[key], key


def test_stability_counts_the_lost_rescan_and_the_merge_decision(branchy: Branchy) -> None:
    done = run_tool("stats", "--stability", "--format", "json", "--no-cache", cwd=branchy.root)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    figures = {row["figure"]: row["value"] for row in doc["history"]}
    assert figures["commits changing scans"] == str(len(set().union(*EXPECTED.values())))
    assert figures["revisions: rescan"] == str(len(RESCANS))
    [f] = [row for row in doc["stability"] if row["item"] == F]
    # flips of F: A1 (yes -> no), C1 (yes -> no), M2 (yes -> n/a: answer and applies), H1;
    # M4 took F from H1 and K from I1, so it flips nothing: H1's flip is counted once
    assert (f["answer_flips"], f["applies_flips"], f["observations"]) == (4, 1, len(RESCANS))
    [k] = [row for row in doc["stability"] if row["item"] == K]
    assert (k["answer_flips"], k["observations"]) == (2, len(RESCANS))  # E1, I1


def test_stability_evidence_names_each_rescan_once(branchy: Branchy) -> None:
    with GitRepo(branchy.root) as repo, open_history(repo, Readers(), cache=False) as history:
        st = stability(history, F)
    seen = st.evidence[F]
    flips = [(names(branchy)[o.commit.sha], o.key) for o in seen if o.answer_flipped]
    assert sorted(flips) == [("A1", P1), ("C1", P2), ("H1", P4), ("M2", P2)]
    [m2] = [o for o in seen if names(branchy)[o.commit.sha] == "M2"]
    assert (m2.before, m2.after) == (("yes", "sonnet"), ("n/a", "opus"))  # against main's D1


def test_export_history_has_a_row_for_every_counted_commit(branchy: Branchy) -> None:
    done = run_tool("export", "--history", "--no-cache", cwd=branchy.root)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    by_commit: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_commit[row["key"]].add(names(branchy)[row["commit"]])
    assert by_commit == EXPECTED
    assert len(rows) == sum(map(len, EXPECTED.values())) * ITEMS_PER_PAPER
    f = {(names(branchy)[r["commit"]], r["key"]): r for r in rows if r["item"] == F}
    a1 = f["A1", P1]
    assert (a1["change"], a1["previous_rating"], a1["rating"], a1["source"]) == (
        "rescan",
        "yes",
        "no",
        "haiku",
    )
    m2 = f["M2", P2]
    assert (m2["previous_rating"], m2["rating"], m2["answer_flipped"]) == ("yes", "n/a", "true")
    m4 = f["M4", P4]  # F came from H1: the merge did not flip it
    assert (m4["change"], m4["previous_rating"], m4["answer_flipped"]) == ("rescan", "no", "false")


def test_report_lists_the_lost_rescan(branchy: Branchy, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = run_tool("report", "--no-cache", "-o", str(out), cwd=branchy.root)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    cards = re.findall(r"<b>([^<]*)</b>([^<]*)</div>", html)
    assert (str(len(set().union(*EXPECTED.values()))), "commits changing scans") in cards
    assert (str(len(RESCANS)), "rescans") in cards
    for key, expected in EXPECTED.items():
        section = html.split(f'<section id="paper-{key}">', 1)[1].split("</section>", 1)[0]
        listed = re.findall(r"<li><code>([0-9a-f]{12})</code>", section)
        assert {n for n, sha in branchy.commits.items() if sha[:12] in listed} == expected, key


def test_parse_changes_reads_a_line_per_path_and_a_copy_per_parent() -> None:
    a, b, c, d, zero = "a" * 40, "b" * 40, "c" * 40, "d" * 40, "0" * 40
    one, two, three = (path(n) for n in (1, 2, 3))
    entries = [
        (f":100644 100644 {a} {b} M", one),
        (f"::100644 100644 000000 {a} {b} {zero} DD", two),
        (f":::000000 100644 120000 100644 {zero} {a} {b} {c} AMM", three),
        (f":100644 100644 {c} {d} M", "scans/README.md"),
    ]
    found = parse_changes(entries)
    assert [(ch.key, ch.path) for ch in found] == [(P1, one), (P2, two), (P3, three)]
    assert (found[0].old, found[0].new, found[0].others) == (
        RawCopy(one, "100644", a),
        RawCopy(one, "100644", b),
        (),
    )
    assert (found[1].old, found[1].new) == (RawCopy(two, "100644", a), None)
    assert found[1].others == (RawCopy(two, "100644", b),)
    assert (found[2].old, found[2].new) == (None, RawCopy(three, "100644", c))
    assert found[2].others == (RawCopy(three, "100644", a), RawCopy(three, "120000", b))


def reading(digest: str, **answers: tuple[Rating, str]) -> Reading:
    return Reading(digest, "position", dict(answers))


def test_a_merge_changes_only_what_no_parent_had() -> None:
    first = reading("1", f=("yes", "opus"), k=("yes", "opus"), t=("yes", "opus"))
    other = reading("2", f=("no", "haiku"), k=("yes", "opus"), t=("yes", "opus"))
    after = reading("3", f=("no", "haiku"), k=("n/a", "opus"), t=("yes", "opus"))
    kind, before = merge_step(first, after, [other])
    # f came from the other side (counted where it was made), k is the merge's own
    assert (kind, before.answers) == (
        "rescan",
        {"f": ("no", "haiku"), "k": ("yes", "opus"), "t": ("yes", "opus")},
    )
    assert before.digest == first.digest
    # the other side's scan in other words (another order of its claims) is no rescan
    assert merge_step(first, reading("2"), [other]) == ("unchanged", first)
    unreadable = Reading(None, None, {}, Problem("x", None, None, "$", "bad"))
    assert merge_step(first, after, [unreadable, None])[1] == first


def test_log_n_counts_only_commits_that_count(
    branchy: Branchy, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """M1 took main's scan: git lists it, but it counts for nothing, so -n goes past it."""
    m1 = branchy.commits["M1"]
    for count, expected in (("1", ["B1"]), ("2", ["B1", "A1"]), ("9", ["B1", "A1", "C0"])):
        code, out, err = run_main(
            log_main, branchy.root, monkeypatch, capsys, "-n", count, "--format", "json", m1
        )
        assert code == 0, err
        assert [names(branchy)[c["commit"]] for c in json.loads(out)["commits"]] == expected
