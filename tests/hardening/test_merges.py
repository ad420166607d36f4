"""What git merges leave in scans: a clean text merge that duplicates a key, and conflict
markers that were committed or are still unresolved. Every tool names the file and the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import canonical, git, position_of
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from toolruns import (
    PROBLEM_LINE,
    commit_all,
    init_repo,
    migrate,
    run_in,
    scan_doc,
    scan_path,
    snapshot,
    validate,
)

KEY = "2602.00001"


def edit_line(path: Path, after: str, line: str) -> None:
    """Insert ``line`` after the first line holding ``after``."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after)
    end = text.index("\n", start) + 1
    path.write_text(text[:end] + line + "\n" + text[end:], encoding="utf-8")


def branch_edit(repo: Path, branch: str, path: Path, after: str, line: str) -> None:
    git(repo, "checkout", "-q", "-b", branch, "main")
    edit_line(path, after, line)
    commit_all(repo, f"edit on {branch}")


def merged_repo(tmp_path: Path, version: int) -> tuple[Path, Path]:
    """Two branches each add a "note" to the paper, far enough apart for a clean merge."""
    repo = init_repo(tmp_path / "repo")
    path = repo / scan_path(version, KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(canonical(scan_doc(version, KEY)))
    commit_all(repo, "base")
    branch_edit(repo, "a", path, '"title": ', '    "note": "from a",')
    branch_edit(repo, "b", path, '"year": ', '    "note": "from b",')
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-edit", "a")
    merge = git(repo, "merge", "--no-edit", "b", check=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr  # git saw no conflict
    return repo, path


@pytest.mark.parametrize("tool", ["validate", "validate --rev", "diff", "log"])
def test_a_clean_merge_that_duplicates_a_key_is_caught(tmp_path: Path, tool: str) -> None:
    repo, path = merged_repo(tmp_path, 4)
    line, col = position_of(path.read_text(encoding="utf-8"), '"note"', occurrence=2)
    name = scan_path(4, KEY)
    sha = git(repo, "rev-parse", "--short=12", "HEAD").stdout.strip()
    outcome, name = {
        "validate": lambda: (validate(repo), name),
        "validate --rev": lambda: (validate(repo, "--rev", "HEAD"), f"HEAD:{name}"),
        "diff": lambda: (run_in(repo, diff_main, "HEAD^1", "HEAD"), name),
        "log": lambda: (run_in(repo, log_main, KEY), f"{sha}:{name}"),
    }[tool]()
    outcome.assert_clean(0 if tool == "log" else 1)
    lines = [ln.strip().removeprefix("problem").strip() for ln in outcome.text.splitlines()]
    problems = [m for m in map(PROBLEM_LINE.match, lines) if m and m["file"] == name]
    assert len(problems) == 1, outcome.text
    assert (problems[0]["line"], problems[0]["col"]) == (str(line), str(col))
    assert problems[0]["path"] == "$.paper"
    assert problems[0]["message"] == 'duplicate key "note"'


def test_migrate_refuses_a_scan_a_clean_merge_broke(tmp_path: Path) -> None:
    repo, _ = merged_repo(tmp_path, 3)
    before = snapshot(repo)
    outcome = migrate(repo, "--to", "4")
    outcome.assert_clean(1)
    (problem,) = outcome.lines_about(scan_path(3, KEY))
    assert problem["message"] == 'duplicate key "note"'
    assert snapshot(repo) == before


def conflicted_repo(tmp_path: Path, version: int) -> Path:
    repo = init_repo(tmp_path / "repo")
    path = repo / scan_path(version, KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(canonical(scan_doc(version, KEY)))
    commit_all(repo, "base")
    for branch, title in (("a", "Ours"), ("b", "Theirs")):
        git(repo, "checkout", "-q", "-b", branch, "main")
        doc = scan_doc(version, KEY)
        doc["paper"]["title"] = title
        path.write_bytes(canonical(doc))
        commit_all(repo, f"retitle on {branch}")
    git(repo, "checkout", "-q", "a")
    assert git(repo, "merge", "--no-edit", "b", check=False).returncode == 1
    return repo


def test_an_unresolved_conflict_is_named_by_every_tool(tmp_path: Path) -> None:
    repo = conflicted_repo(tmp_path, 4)
    name = scan_path(4, KEY)
    staged = validate(repo, "--staged")
    staged.assert_clean(1)
    (problem,) = staged.lines_about(name)
    assert "unmerged: resolve the merge conflict first" in problem["message"]
    worktree = validate(repo)
    worktree.assert_clean(1)
    (problem,) = worktree.lines_about(name)
    assert problem["line"] and "merge conflict marker" in problem["message"]


def test_committed_conflict_markers_are_named_in_history(tmp_path: Path) -> None:
    repo = conflicted_repo(tmp_path, 4)
    commit_all(repo, "merge, markers and all")
    outcome = validate(repo, "--rev", "HEAD")
    outcome.assert_clean(1)
    (problem,) = outcome.lines_about(f"HEAD:{scan_path(4, KEY)}")
    text = (repo / scan_path(4, KEY)).read_text(encoding="utf-8")
    line, col = position_of(text, "<<<<<<< ")
    assert (problem["line"], problem["col"]) == (str(line), str(col))
    assert problem["message"].startswith("merge conflict marker left in the file")


def test_migrate_refuses_during_a_conflict_and_writes_nothing(tmp_path: Path) -> None:
    repo = conflicted_repo(tmp_path, 3)
    before = snapshot(repo)
    outcome = migrate(repo, "--to", "4")
    outcome.assert_clean(1)
    (problem,) = outcome.lines_about(scan_path(3, KEY))
    assert "merge conflict marker" in problem["message"]
    assert snapshot(repo) == before
