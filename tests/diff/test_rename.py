"""tools/diff: a paper whose key changed is one paper renamed, not one removed and one added."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import canonical, fixture_doc, git, put, run_main
from scanrepo.cli.diff import main as diff_main
from scanrepo.diff.changes import DiffResult

OLD, NEW = "2602.0785", "2602.07852"
OLD_PATH, NEW_PATH = f"scans/v4/2602/{OLD}.json", f"scans/v4/2602/{NEW}.json"


def scan(arxiv_id: str, **paper: Any) -> dict[str, Any]:
    doc = fixture_doc()
    doc["paper"].update(arxiv_id=arxiv_id, **paper)
    return doc


def commit(repo: Path, files: dict[str, dict[str, Any] | None], message: str) -> None:
    for rel, doc in files.items():
        if doc is None:
            git(repo, "rm", "-q", rel)
        else:
            put(repo, rel, canonical(doc))
            git(repo, "add", rel)
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def renamed(repo: Path) -> Path:
    """HEAD~1 has the scan under a wrong arXiv id; HEAD corrects the id, moves the file (git
    mv), flips an answer, and replaces another paper by a different one of the same title."""
    other = scan("2603.00001", title="Shared Title", authors=["Ada Lovelace"])
    commit(repo, {OLD_PATH: scan(OLD), "scans/v4/2603/2603.00001.json": other}, "add")
    git(repo, "mv", OLD_PATH, NEW_PATH)
    fixed = scan(NEW)
    fixed["checklist"]["conflicts_of_interest"]["funding_disclosed"]["answer"] = True
    namesake = scan("2603.00002", title="Shared  title", authors=["Alan Turing"])
    commit(
        repo,
        {
            NEW_PATH: fixed,
            "scans/v4/2603/2603.00001.json": None,
            "scans/v4/2603/2603.00002.json": namesake,
        },
        "correct the arXiv id; replace 2603.00001",
    )
    return repo


def diff(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> str:
    code, out, err = run_main(diff_main, repo, monkeypatch, capsys, *argv, "HEAD~1", "HEAD")
    assert code == 1, out + err
    return out


def test_same_paper_under_a_new_key_is_one_paper_renamed_with_its_changes(
    renamed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(diff(renamed, monkeypatch, capsys, "--format", "json"))
    papers = {p["key"]: p for p in document["papers"]}
    assert {k: p["status"] for k, p in papers.items()} == {
        NEW: "modified",
        "2603.00001": "removed",  # same title, other authors: another paper
        "2603.00002": "added",
    }
    paper = papers[NEW]
    assert (paper["old_key"], paper["renamed"]) == (OLD, True)
    assert (paper["old_path"], paper["new_path"], paper["moved"]) == (OLD_PATH, NEW_PATH, True)
    assert [(c["kind"], c["where"]) for c in paper["changes"]] == [
        ("metadata_changed", "paper.arxiv_id"),
        ("answer_flipped", "checklist.conflicts_of_interest.funding_disclosed"),
    ]
    assert "renamed" not in papers["2603.00001"] and "old_key" not in papers["2603.00002"]
    summary = document["summary"]
    assert (summary["renamed"], summary["added"], summary["removed"]) == (1, 1, 1)
    again = DiffResult.from_json(document)  # the JSON form reads back
    assert [p.old_key for p in again.papers] == [OLD, None, None]
    assert again.to_json() == {k: v for k, v in document.items() if k != "validation_problems"}


def test_text_stat_and_markdown_say_renamed(
    renamed: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    phrase = f"renamed {OLD} → {NEW}"
    text = diff(renamed, monkeypatch, capsys).splitlines()
    assert text[0] == f"{NEW}  modified, {phrase}, moved  {OLD_PATH} → {NEW_PATH}"
    assert text[1].startswith("  metadata  paper.arxiv_id")
    assert f"{OLD}  removed" not in "\n".join(text)
    assert text[-2] == "3 papers differ: 1 added, 1 removed, 1 modified, 1 renamed, 1 moved"
    stat = diff(renamed, monkeypatch, capsys, "--stat").splitlines()
    assert stat[0].startswith(f"{NEW}  modified, {phrase}, moved  2 changes")
    markdown = diff(renamed, monkeypatch, capsys, "--format", "markdown")
    assert f"modified, {phrase}, moved · 2 changes" in markdown
    assert "| renamed | 1 |" in markdown


def test_a_key_change_without_changes_is_still_reported(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scan whose arXiv id was corrected and nothing else, its file removed and added
    without git mv, is one paper renamed with exactly that metadata change."""
    commit(repo, {OLD_PATH: scan(OLD)}, "add")
    commit(repo, {OLD_PATH: None, NEW_PATH: scan(NEW)}, "correct the id, no git mv")
    out = diff(repo, monkeypatch, capsys, "--stat")
    assert out.splitlines()[0] == (
        f"{NEW}  modified, renamed {OLD} → {NEW}, moved  1 change: 1 metadata field"
    )
