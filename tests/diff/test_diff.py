"""tools/diff on a repository with a story: forms, statuses, formats, exit codes, safety."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import CountingRepo, canonical, fixture_doc, git, put, run_main
from scanrepo.cli.common import run
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from scanrepo.diff.revisions import parse_range
from scanrepo.diff.tree import RangeDiff, diff_range
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import load_chain
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR, Toolkit
from scanrepo.vcs.repo import GitRepo
from scanstory import Story, paper_a, paper_b

A, B, B2 = "2602.07852", "2401.01234", "2401.04321"
C, D = "title-a-survey-without-identifiers-2024-0275b916", "2603.00001"
REGISTRY = SchemaRegistry(SCHEMA_DIR)
CHAIN = load_chain(MIGRATIONS_DIR, REGISTRY.versions)
TOOLKIT = Toolkit(SCHEMA_DIR, MIGRATIONS_DIR)


def diff(root: Path, *revs: str, staged: bool = False, validate: bool = False) -> RangeDiff:
    with GitRepo(root) as repo:
        return diff_range(repo, parse_range(repo, revs, staged), TOOLKIT, validate=validate)


def statuses(result: RangeDiff) -> dict[str, str]:
    return {paper.key: paper.status for paper in result.result.papers}


def tool(
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
) -> tuple[int, str, str]:
    return run_main(diff_main, cwd, monkeypatch, capsys, *argv)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("c1", "c2", {A: "unchanged", B: "unchanged", C: "unchanged"}),  # v3 -> v4 move
        ("c2", "c3", {A: "modified"}),  # answers flip, a source changes
        ("c3", "c4", {}),  # claims reordered: no change at all
        ("c4", "c5", {B: "modified"}),  # a justification edited
        ("c5", "c6", {B2: "modified"}),  # the key changed: one paper, renamed
        ("c6", "c7", {C: "removed"}),
        ("c7", "c8", {D: "added"}),
        ("c1", "c9", {A: "modified", B2: "modified", C: "removed", D: "added"}),
    ],
)
def test_each_step_of_the_story(story: Story, old: str, new: str, expected: dict[str, str]) -> None:
    result = diff(story.root, f"{story.commits[old]}..{story.commits[new]}")
    assert statuses(result) == expected
    assert result.changed == any(s != "unchanged" for s in expected.values())


def test_a_migration_pairs_the_moved_scans_by_key(story: Story) -> None:
    result = diff(story.root, story.commits["c1"], story.commits["c2"]).result
    paper = next(p for p in result.papers if p.key == A)
    assert (paper.old_path, paper.new_path) == (
        f"scans/v3/2602/{A}.json",
        f"scans/v4/2602/{A}.json",
    )
    assert (paper.old_version, paper.new_version) == (3, 4)
    assert paper.moved and paper.migrated and not paper.changes


def test_three_dots_show_what_a_branch_changes(story: Story) -> None:
    assert statuses(diff(story.root, "main...review")) == {D: "modified"}
    assert statuses(diff(story.root, "main..review")) == {A: "modified", D: "modified"}
    assert statuses(diff(story.root, "review...main")) == {A: "modified"}


def test_exit_codes_and_labels(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    c = story.commits
    assert tool(story.root, monkeypatch, capsys, f"{c['c1']}..{c['c2']}")[0] == 0
    code, out, _ = tool(story.root, monkeypatch, capsys, "-q", c["c2"], c["c3"])
    assert (code, out) == (1, "")
    assert tool(story.root, monkeypatch, capsys)[0] == 0  # a clean work tree


@pytest.mark.parametrize(
    "argv",
    [
        ["--output=x"],
        ["main", "--output=x"],
        ["main..--output=x"],
        ["-p"],
        ["--staged", "main", "review"],
        ["nosuchrev"],
        ["--stat", "--format", "json"],
        ["--form", "json"],
    ],
)
def test_bad_arguments_are_refused_and_write_nothing(
    story: Story,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    code, out, err = tool(story.root, monkeypatch, capsys, *argv)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert not (story.root / "x").exists()
    assert git(story.root, "status", "--porcelain").stdout == ""


def test_work_tree_index_and_untracked(
    clone: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a = paper_a()
    a["checklist"]["conflicts_of_interest"]["funding_disclosed"]["answer"] = True
    put(clone, f"scans/v4/2602/{A}.json", canonical(a))
    b = paper_b(B2)
    b["paper"]["venue"] = "Staged"
    put(clone, f"scans/v4/2401/{B2}.json", canonical(b))
    git(clone, "add", "scans")
    new = fixture_doc()
    new["paper"]["arxiv_id"] = "2605.00001"
    put(clone, "scans/v4/2605/2605.00001.json", canonical(new))
    assert statuses(diff(clone)) == {
        B2: "modified",
        A: "modified",
        "2605.00001": "added",
    }
    assert statuses(diff(clone, staged=True)) == {B2: "modified", A: "modified"}
    git(clone, "reset", "-q", "scans/v4/2602")
    assert statuses(diff(clone, staged=True)) == {B2: "modified"}
    assert statuses(diff(clone, "HEAD~2")) == {
        A: "modified",
        B2: "modified",
        D: "added",
        "2605.00001": "added",
    }
    code, out, _ = tool(clone, monkeypatch, capsys, "--format", "json", "--", A)
    assert code == 1
    assert [p["key"] for p in json.loads(out)["papers"]] == [A]
    code, out, _ = tool(clone / "scans", monkeypatch, capsys, "--format", "json", "v4/2605")
    assert [p["key"] for p in json.loads(out)["papers"]] == ["2605.00001"]


def test_a_path_selects_a_moved_paper_whole(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    c = story.commits
    code, out, _ = tool(
        story.root, monkeypatch, capsys, "--format", "json", c["c1"], c["c2"], "--", "scans/v4/2602"
    )
    assert code == 0
    papers = json.loads(out)["papers"]
    assert [(p["key"], p["status"]) for p in papers] == [(A, "unchanged")]


def test_validation_problems_of_the_new_side(
    clone: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(clone, "checkout", "-q", "-b", "bad")
    path = clone / f"scans/v4/2602/{A}.json"
    path.write_bytes(path.read_bytes().replace(b'"score": 3', b'"score": 9', 1))
    put(clone, "scans/v4/2401/misplaced.json", canonical(paper_b(B2)))
    git(clone, "add", "scans")
    git(clone, "commit", "-q", "-m", "break things")
    result = diff(clone, "main...bad", validate=True)
    # the diff itself reports what keeps a side from being compared (here the schema) ...
    told = [p.message for p in result.result.problems()]
    assert any("9 is greater than the maximum of 3" in m for m in told)
    # ... and validation adds what it does not check, never twice
    messages = [p.message for p in result.problems]
    assert any(
        "file name says 'misplaced' but the paper key is '2401.04321'" in m for m in messages
    )
    assert not set(result.problems) & set(result.result.problems())
    assert result.changed
    code, out, _ = tool(clone, monkeypatch, capsys, "--format", "markdown", "main...bad")
    assert code == 1
    assert "9 is greater than the maximum of 3" in out
    code, out, _ = tool(clone, monkeypatch, capsys, "--format", "json", "main...bad")
    document = json.loads(out)
    assert [p["file"] for p in document["validation_problems"]] == ["scans/v4/2401/misplaced.json"]
    assert {p["file"] for paper in document["papers"] for p in paper["problems"]} == {
        f"scans/v4/2602/{A}.json"
    }


def test_json_parses_for_every_step(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    c = story.commits
    for old, new in (("c1", "c2"), ("c1", "c9"), ("c7", "c8")):
        code, out, _ = tool(story.root, monkeypatch, capsys, "--format", "json", c[old], c[new])
        document = json.loads(out)
        assert code == (0 if old == "c1" and new == "c2" else 1)
        assert document["validation_problems"] == []
        assert document["papers"]


def test_cost_grows_with_the_changed_scans_not_the_corpus(repo: Path) -> None:
    for n in range(150):
        doc = fixture_doc()
        doc["paper"]["arxiv_id"] = f"2601.{n:05d}"
        put(repo, f"scans/v4/2601/2601.{n:05d}.json", canonical(doc))
    git(repo, "add", "scans")
    git(repo, "commit", "-q", "-m", "many")
    doc = fixture_doc()
    doc["paper"]["arxiv_id"] = "2601.00007"
    doc["paper"]["venue"] = "Changed"
    put(repo, "scans/v4/2601/2601.00007.json", canonical(doc))
    git(repo, "commit", "-qam", "one")
    with CountingRepo(repo) as counting:
        result = diff_range(counting, parse_range(counting, ["HEAD~1"]), TOOLKIT)
        assert [p.key for p in result.result.papers] == ["2601.00007"]
        assert len(counting.read) == 1  # the old blob; the new side is the work tree


def _git_children() -> set[int]:
    """Running git processes whose parent is this test process (a batch process GitPython keeps
    open is one); a zombie has no command line, so it does not count."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and cmdline[0].endswith(b"git"):
            found.add(int(entry.name))
    return found


def test_no_git_process_is_left_behind(
    story: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _git_children()
    c = story.commits
    assert tool(story.root, monkeypatch, capsys, c["c1"], c["c9"])[0] == 1
    assert tool(story.root, monkeypatch, capsys, "--format", "markdown", "main...review")[0] == 1
    assert run(log_main, [A, "--item", "checklist.conflicts_of_interest.funding_disclosed"]) == 0
    left = _git_children() - before
    assert not left, [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left]
    blob = git(story.root, "rev-parse", f"HEAD:scans/v4/2602/{A}.json").stdout.strip()
    with GitRepo(story.root) as repo:  # the check does see a batch process while one is open
        assert list(repo.read_blobs([blob]))
        assert _git_children() == before, "read_blobs leaves no process behind"
        repo.repo.git.get_object_data(blob)  # GitPython's own batch process stays open
        assert _git_children() - before
    assert _git_children() == before
