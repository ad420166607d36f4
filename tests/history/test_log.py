"""tools/log KEY: one paper's history across version directories, and one item's answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import canonical, git, put, run_main
from scanrepo.cli.log import main as log_main
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.history.gitlog import by_commit, parse_log
from scanrepo.history.paper_history import (
    find_item,
    item_history,
    paper_history,
    pathspecs,
)
from scanrepo.migrate.chain import load_chain
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR
from scanrepo.vcs.repo import GitRepo
from scanstory import Story

A, B, C = "2602.07852", "2401.01234", "title-a-survey-without-identifiers-2024-0275b916"
FUNDING = "checklist.conflicts_of_interest.funding_disclosed"
REGISTRY = SchemaRegistry(SCHEMA_DIR)
CHAIN = load_chain(MIGRATIONS_DIR, REGISTRY.versions)


def tool(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    return run_main(log_main, cwd, monkeypatch, capsys, *argv)


def history(story: Story, key: str, rev: str = "HEAD") -> list[tuple[str, str]]:
    """(commit name in the story, status) for each commit that changed the paper."""
    names = {sha: name for name, sha in story.commits.items()}
    with GitRepo(story.root) as repo:
        changes = paper_history(repo, key, REGISTRY, CHAIN, rev)
    return [(names[c.commit.sha], c.diff.status) for c in changes]


def test_history_follows_the_scan_across_the_v3_to_v4_move(story: Story) -> None:
    assert history(story, A) == [
        ("c9", "modified"),
        ("c3", "modified"),
        ("c2", "unchanged"),
        ("c1", "added"),
    ]
    with GitRepo(story.root) as repo:
        moved = paper_history(repo, A, REGISTRY, CHAIN)[2]
    assert moved.commit.subject == "Migrate scans to v4"
    assert moved.commit.author == "Test Author"
    assert moved.commit.date == "2026-01-01T00:02:00+00:00"
    assert (moved.diff.old_path, moved.diff.new_path) == (
        f"scans/v3/2602/{A}.json",
        f"scans/v4/2602/{A}.json",
    )


def test_history_of_a_renamed_key_a_slug_key_and_a_branch(story: Story) -> None:
    assert history(story, B) == [
        ("c6", "removed"),
        ("c5", "modified"),
        ("c4", "unchanged"),
        ("c2", "unchanged"),
        ("c1", "added"),
    ]
    assert history(story, "2401.04321") == [("c6", "added")]
    assert history(story, C) == [("c7", "removed"), ("c2", "unchanged"), ("c1", "added")]
    assert history(story, "2603.00001", "review") == [("r1", "modified"), ("c8", "added")]
    assert history(story, "2603.00001") == [("c8", "added")]


def test_pathspecs_name_every_version_directory() -> None:
    assert pathspecs(A, (3, 4)) == [f"scans/v3/2602/{A}.json", f"scans/v4/2602/{A}.json"]
    assert pathspecs("cs_0112017", (4,)) == ["scans/v4/0112/cs_0112017.json"]
    assert pathspecs(C, (4,)) == [f":(glob)scans/v4/*/{C}.json"]


def test_parse_log_reads_fields_and_entries_exactly() -> None:
    meta = ":100644 100644 " + "a" * 40 + " " + "b" * 40 + " M"
    out = (
        "\x01"
        + "1" * 40
        + "\0Ann \x01 Lee\0a@b\0"
        + "2026-01-01T00:00:00+00:00\0odd \x01 subject\0"
        f"\0\n{meta}\0scans/v4/x\x01y.json\0"
        "\x01" + "2" * 40 + "\0B\0b@c\0" + "2026-01-02T00:00:00+00:00\0merge\0\0\n"
    )
    records = list(by_commit(parse_log(out.split("\0"))))
    assert [(c.sha[0], c.author, c.subject) for c, _ in records] == [
        ("1", "Ann \x01 Lee", "odd \x01 subject"),
        ("2", "B", "merge"),
    ]
    assert records[0][1] == [(meta, "scans/v4/x\x01y.json")]
    assert records[1][1] == []


def test_item_trace_shows_each_change_of_answer(story: Story) -> None:
    names = {sha: name for name, sha in story.commits.items()}
    with GitRepo(story.root) as repo:
        changes = paper_history(repo, A, REGISTRY, CHAIN)
    item, states = item_history(changes, FUNDING, CHAIN, REGISTRY.newest, "here")
    assert item == FUNDING
    assert [(names[s.commit.sha], s.value["answer"], s.value["source"]) for s in states] == [
        ("c9", False, "haiku"),
        ("c3", True, "opus"),
        ("c1", False, "opus"),
    ]
    # a type section named under checklist, as v3 had it, is found under type_checklist
    spelling = "checklist.setup_transparency.scaffolding_described"
    item, states = item_history(changes, spelling, CHAIN, REGISTRY.newest, "here")
    assert item == "type_checklist.empirical.setup_transparency.scaffolding_described"
    assert [(names[s.commit.sha], s.value["applies"]) for s in states] == [
        ("c3", True),
        ("c1", False),
    ]


def test_find_item_paths() -> None:
    doc = {
        "paper_type": "t",
        "checklist": {"s": {"i": 1}},
        "type_checklist": {"t": {"u": {"j": 2}}},
    }
    assert find_item(doc, ("checklist", "s", "i")) == 1
    assert find_item(doc, ("checklist", "u", "j")) == 2
    assert find_item(doc, ("type_checklist", "u", "j")) == 2
    assert find_item(doc, ("type_checklist", "t", "u", "j")) == 2
    assert find_item(doc, ("checklist", "nope", "j")) is None


def test_text_output_lists_every_commit(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = tool(story.root, monkeypatch, capsys, A)
    assert code == 0
    commits = [ln.split()[1] for ln in out.splitlines() if ln.startswith("commit ")]
    assert commits == [story.commits[n] for n in ("c9", "c3", "c2", "c1")]
    assert "Author: Test Author <author@example.org>" in out
    assert "    Migrate scans to v4" in out.splitlines()
    code, by_path, _ = tool(story.root / "scans", monkeypatch, capsys, f"v4/2602/{A}.json")
    assert (code, by_path) == (0, out)


def test_item_text_output(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = tool(story.root, monkeypatch, capsys, A, "--item", FUNDING)
    assert code == 0
    lines = out.splitlines()
    c9 = story.commits["c9"][:12]
    assert lines[0] == f"{c9} 2026-01-01T00:10:00+00:00 Test Author: Rescan 2602.07852 with haiku"
    assert lines[1:3] == [
        "    applies yes, answer no, source haiku",
        "    Funding by Open Philanthropy is acknowledged.",
    ]
    assert len([ln for ln in lines if not ln.startswith(" ")]) == 3
    code, out, _ = tool(story.root, monkeypatch, capsys, C, "--item", FUNDING)
    assert "    scan removed" in out.splitlines()


def test_json_formats_parse(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = tool(story.root, monkeypatch, capsys, A, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["paper"] == A
    assert [c["subject"] for c in document["commits"]][-1] == "Add three scans (v3)"
    assert all(c["diff"]["papers"][0]["key"] == A for c in document["commits"])
    code, out, _ = tool(story.root, monkeypatch, capsys, A, "--item", FUNDING, "--format", "json")
    states = json.loads(out)["states"]
    assert [s["value"]["answer"] for s in states] == [False, True, False]
    assert states[0]["commit"] == story.commits["c9"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["2609.99999"], 2, "no scan of paper 2609.99999 in the history of HEAD or the work"),
        (["../etc"], 2, "../etc: no such file, directory or paper key"),
        ([A, "--item", "funding"], 2, f"did you mean {FUNDING}?"),
        ([A, "--output=x"], 2, "unrecognized arguments"),
        ([A, "-x"], 2, "unrecognized arguments"),
        ([A, "nosuchrev"], 2, "unknown revision 'nosuchrev'"),
    ],
)
def test_errors(
    story: Story,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    message: str,
) -> None:
    got, out, err = tool(story.root, monkeypatch, capsys, *argv)
    assert (got, out) == (code, "")
    assert message in err
    assert not (story.root / "x").exists()
    assert git(story.root, "status", "--porcelain").stdout == ""


def test_a_paper_never_committed_has_no_history(
    clone: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scan only in the work tree is no typo: exit 1, no commit changed it."""
    doc = json.loads((clone / f"scans/v4/2602/{A}.json").read_text(encoding="utf-8"))
    doc["paper"]["arxiv_id"] = "2609.99999"
    put(clone, "scans/v4/2609/2609.99999.json", canonical(doc))
    code, out, err = tool(clone, monkeypatch, capsys, "2609.99999")
    assert (code, out) == (1, "")
    assert "no commit in the history of HEAD changed a scan of paper 2609.99999" in err
