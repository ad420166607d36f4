"""tools/log over a range (every paper) and tools/blame, on ``knownhistory`` carried further
with a migration by tools/migrate, branches and merges, and rescans by two models; both tools
agree with each other and with hand-counted expectations.

After ``knownhistory``'s C1..C5 (P4 migrated and moved by hand at C3), on main unless said:

=====  ======================================================================================
E1     remove the broken P5; add P6 (every item yes/opus) as a v3 scan
E2     tools/migrate --to 4 --commit, its first commit: P6 moved to scans/v4/, content as is
E3     its second commit: P6 rewritten as v4 (no change in meaning)
S1     branch side: P6 F -> no/haiku
T1     P6 K -> no/opus
T2     P1 K -> no/opus
M1     merge side: clean; P6 joins S1's F and T1's K, so it differs from both parents, but
       decided nothing of its own
X1     branch fix: P2 F -> no/haiku
Y1     P2 F -> n/a/opus
M2     merge fix: conflict on P2, resolved as F yes/haiku, which neither side had
=====  ======================================================================================

F is funding_disclosed, K key_terms_defined; the commits are tagged with these names.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import TOOLS, canonical, git, put
from knownhistory import TYPE_ITEM, F, K, paper, path, rate
from scanrepo.survey.corpus import Readers

P1, P2, P3, P4, P5, P6 = (f"2601.0000{n}" for n in range(1, 7))
ITEM_CHANGES = {"answer_flipped", "applies_flipped", "item_added"}
TEXT_CHANGES = {"justification_edited", "item_added"}


def tool(repo: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOLS / name), *args], cwd=repo, capture_output=True, text=True
    )


def commit(repo: Path, name: str, *docs: tuple[int, dict[str, Any]]) -> None:
    for number, doc in docs:
        put(repo, path(number), canonical(doc))
    git(repo, "add", "-A", "scans")
    git(repo, "commit", "-q", "-m", name)
    git(repo, "tag", name)


def build(repo: Path, known: list[str]) -> None:
    for number, sha in enumerate(known, 1):
        git(repo, "tag", f"C{number}", sha)
    git(repo, "rm", "-q", path(5))
    p6 = paper(6, "arXiv", ["Small sample"])
    put(repo, path(6, 3), canonical(Readers().chain.migrate(copy.deepcopy(p6), 3)))
    commit(repo, "E1")
    migrated = tool(repo, "migrate", "--to", "4", "--commit")
    assert migrated.returncode == 0, migrated.stderr
    git(repo, "tag", "E2", "HEAD^")
    git(repo, "tag", "E3", "HEAD")

    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, "S1", (6, rate(p6, F, "no", "haiku")))
    git(repo, "checkout", "-q", "main")
    commit(repo, "T1", (6, rate(p6, K, "no", "opus")))
    p1 = json.loads((repo / path(1)).read_text(encoding="utf-8"))
    commit(repo, "T2", (1, rate(p1, K, "no", "opus")))
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "side")
    git(repo, "tag", "M1")
    assert json.loads((repo / path(6)).read_text(encoding="utf-8")) == rate(
        rate(p6, F, "no", "haiku"), K, "no", "opus"
    )

    p2 = json.loads((repo / path(2)).read_text(encoding="utf-8"))
    git(repo, "checkout", "-q", "-b", "fix")
    commit(repo, "X1", (2, rate(p2, F, "no", "haiku")))
    git(repo, "checkout", "-q", "main")
    commit(repo, "Y1", (2, rate(p2, F, "n/a", "opus")))
    merged = git(repo, "merge", "-q", "--no-edit", "fix", check=False)
    assert merged.returncode != 0, "the two edits of P2's F conflict"
    commit(repo, "M2", (2, rate(p2, F, "yes", "haiku")))


@pytest.fixture(scope="module")
def history(known: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    source, commits = known
    repo = tmp_path_factory.mktemp("carried") / "repo"
    shutil.copytree(source, repo)
    build(repo, commits)
    return repo


def names(repo: Path) -> dict[str, str]:
    out = git(repo, "show-ref", "--tags").stdout
    return {
        line.split()[0]: line.split()[1].removeprefix("refs/tags/") for line in out.splitlines()
    }


def rev_of(repo: Path, name: str) -> str:
    return git(repo, "rev-parse", name).stdout.strip()


def log_json(repo: Path, *args: str) -> list[dict[str, Any]]:
    done = tool(repo, "log", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["commits"])


def blame_json(repo: Path, key: str, *args: str) -> dict[str, dict[str, Any]]:
    done = tool(repo, "blame", key, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return {part["name"]: part for part in json.loads(done.stdout)["parts"]}


# Every commit that counts, newest first where the graph orders them, and what each did
COUNTED = {
    "C1": {P1, P2, P3, P4},
    "C2": {P1, P2, P3},
    "C3": {P1, P4},
    "C4": {P2, P4},
    "C5": {P1, P3, P5},
    "E1": {P5, P6},
    "E2": {P6},
    "E3": {P6},
    "S1": {P6},
    "T1": {P6},
    "T2": {P1},
    "M1": {P6},
    "X1": {P2},
    "Y1": {P2},
    "M2": {P2},
}


def test_the_range_log_lists_every_counted_commit_with_its_papers(history: Path) -> None:
    tags = names(history)
    commits = log_json(history)
    assert {tags[c["commit"]]: {p["key"] for p in c["diff"]["papers"]} for c in commits} == COUNTED
    order = [tags[c["commit"]] for c in commits]
    assert order[0] == "M2" and order[-1] == "C1"
    for older, newer in (("C1", "C5"), ("E1", "E3"), ("E3", "S1"), ("T2", "M1"), ("X1", "M2")):
        assert order.index(newer) < order.index(older)
    by_name = {tags[c["commit"]]: c for c in commits}
    assert by_name["E2"]["summary"] == "moved 1 scan, no changes"
    assert by_name["E2"]["move"] and not by_name["E2"]["migration"]
    assert by_name["E3"]["summary"] == "migrated 1 scan v3→v4, no changes"
    # M1 joined S1's and T1's edits to P6: counted, but nothing of its own
    assert by_name["M1"]["merge"] and by_name["M1"]["diff"]["papers"][0]["changes"] == []
    # M2 decided P2's F: yes/haiku against Y1's n/a/opus; applies and the source came from
    # X1 (no/haiku), so only the answer is the merge's own
    m2 = [(c["kind"], c["where"]) for c in by_name["M2"]["diff"]["papers"][0]["changes"]]
    assert m2 == [("answer_flipped", F)]
    c3 = by_name["C3"]
    assert c3["summary"].startswith("1 answer flipped in 1 paper (funding_disclosed no→yes)")


def test_text_stat_markdown_and_filters(history: Path) -> None:
    tags = names(history)
    text = tool(history, "log", "-n", "3").stdout
    shas = [line.split()[1] for line in text.splitlines() if line.startswith("commit ")]
    assert [tags[s] for s in shas] == [tags[c["commit"]] for c in log_json(history)][:3]
    assert "    migrated 1 scan v3→v4, no changes" in tool(history, "log", "E3^..E3").stdout
    stat = tool(history, "log", "--stat", "M2^..M2").stdout
    assert "    2601.00002  modified  1 change: 1 answer" in stat.splitlines()
    markdown = tool(history, "log", "--format", "markdown", "-n", "1").stdout
    sha = rev_of(history, "M2")
    assert markdown.startswith(f"### {sha[:6]}\u2060{sha[6:12]} M2\n")
    assert "**1 paper differs&#58; 1 modified**" in markdown
    assert log_json(history, "--author=Test Author", "-n", "2")
    assert not tool(history, "log", "--since=2090-01-01").stdout
    assert log_json(history, "--until=2090-01-01", "-n", "1")[0]["commit"] == rev_of(history, "M2")
    none = tool(history, "log", "--author=nobody")
    assert (none.returncode, none.stdout) == (1, "")
    assert "no commit in HEAD changed a scan" in none.stderr
    # the range and -- KEY: only that paper's commits, the same as tools/log KEY lists
    mine = [tags[c["commit"]] for c in log_json(history, "T1..", "--", P6)]
    assert mine == ["M1", "S1"] or mine == ["M1", "S1"][::-1] or set(mine) == {"M1", "S1"}
    keyed = json.loads(tool(history, "log", P2, "--format", "json").stdout)["commits"]
    ranged = log_json(history, "--", P2)
    assert [c["commit"] for c in keyed] == [c["commit"] for c in ranged]
    assert [c["diff"]["papers"] for c in keyed] == [c["diff"]["papers"] for c in ranged]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mian"], "'mian' is neither a revision nor a paper key or path; did you mean main?"),
        (["--", "2601.00009"], "did you mean 2601.00001"),
        (["2601.00001", "nosuchrev"], "unknown revision 'nosuchrev'"),
        (["HEAD", "--item", F], "--item traces one paper's item"),
        (["--stat", "--format", "json"], "--stat is a text format"),
    ],
)
def test_log_errors(history: Path, args: list[str], message: str) -> None:
    done = tool(history, "log", *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert message in done.stderr


def test_a_key_that_is_also_a_revision_is_ambiguous(history: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(history), str(repo))
    git(repo, "tag", P1, "C2")
    done = tool(repo, "log", P1)
    assert done.returncode == 2
    assert f"'{P1}' is both a revision and a paper key or path" in done.stderr
    tags = names(repo)
    assert [tags[c["commit"]] for c in log_json(repo, P1, "--", P1)] == ["C2", "C1"]
    assert {tags[c["commit"]] for c in log_json(repo, "--", P1)} == {"T2", "C5", "C3", "C2", "C1"}


# Hand-counted blame at HEAD (M2): (answer commit, its model, justification commit)
BLAME = {
    (P1, F): ("C3", "haiku", "C1"),  # C3 set yes (haiku); C5 changed only the model
    (P1, K): ("T2", "opus", "C1"),  # C2 changed only the model; T2 set no
    (P2, F): ("M2", "haiku", "C1"),  # decided at the merge
    (P2, K): ("C2", "opus", "C1"),  # yes -> n/a
    (P4, F): ("C1", "opus", "C1"),  # through C3's migration and move; C4 changed the model
    (P4, K): ("C4", "haiku", "C1"),
    (P6, F): ("S1", "haiku", "E1"),  # via the merge M1, to the branch; through E2, E3
    (P6, K): ("T1", "opus", "E1"),
    (P6, TYPE_ITEM): ("E1", "opus", "E1"),
}


def test_blame_names_the_commits_counted_by_hand(history: Path) -> None:
    tags = names(history)
    for (key, item), (answer, model, text) in BLAME.items():
        part = blame_json(history, key)[item]
        got = (tags[part["answer"]["commit"]], part["answer"]["model"])
        assert (*got, tags[part["justification"]["commit"]]) == (answer, model, text), (key, item)
    p6 = blame_json(history, P6)
    assert tags[p6["red_flags[Small sample]"]["answer"]["commit"]] == "E1"
    assert p6[F]["value"] == "no" and p6[K]["value"] == "no"
    # from an older revision, and a justification edited apart from the answer
    p3 = blame_json(history, P3, "C4")[TYPE_ITEM]
    assert (tags[p3["answer"]["commit"]], tags[p3["justification"]["commit"]]) == ("C1", "C2")


def test_blame_agrees_with_the_range_log(history: Path) -> None:
    """For every part of every paper at HEAD: the commit blame names is the newest commit in
    ``tools/log -- KEY`` that changed it (or added the paper)."""
    for key in (P1, P2, P4, P6):
        commits = log_json(history, "--", key)

        def newest(where: str, kinds: set[str], commits: list[dict[str, Any]] = commits) -> str:
            for c in commits:
                [paper] = c["diff"]["papers"]
                if paper["status"] == "added" or any(
                    ch["where"] == where and ch["kind"] in kinds for ch in paper["changes"]
                ):
                    return str(c["commit"])
            raise AssertionError(f"no commit changed {where}")

        parts = blame_json(history, key)
        assert len(parts) > 16
        for name, part in parts.items():
            if part["kind"] != "item":
                continue
            assert part["answer"]["commit"] == newest(name, ITEM_CHANGES), (key, name)
            assert part["justification"]["commit"] == newest(name, TEXT_CHANGES), (key, name)


def test_blame_text_and_one_item(history: Path) -> None:
    done = tool(history, "blame", P6, "--item", "funding_disclosed")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    s1 = rev_of(history, "S1")[:12]
    e1 = rev_of(history, "E1")[:12]
    assert lines[1] == f"{F}  no"
    assert lines[2].split()[:2] == ["answer", s1] and "  Test Author  haiku  S1" in lines[2]
    assert lines[3].split()[:2] == ["justification", e1]
    assert len(lines) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2601.00009"], "no scan of paper 2601.00009 in the history of HEAD"),
        ([P6, "--item", "funding_disclosd"], f"did you mean {F}"),
        ([P3], f"paper {P3} has no scan in"),
        ([P5, "C5"], "cannot be read"),
        ([P1, "nosuchrev"], "unknown revision 'nosuchrev'"),
    ],
)
def test_blame_errors(history: Path, args: list[str], message: str) -> None:
    done = tool(history, "blame", *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert message in done.stderr
