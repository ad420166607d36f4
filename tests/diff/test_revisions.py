"""Revision forms, changed scans between two sides, and their contents, in a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import canonical, git, put
from scanrepo.diff.revisions import (
    Copy,
    changed_pairs,
    parse_range,
    path_filter,
    read_copies,
    split_arguments,
)
from scanrepo.errors import ScanRepoError
from scanrepo.problems import Problem
from scanrepo.vcs.repo import GitRepo
from scanstory import Story, paper_a, paper_b

A_V4 = "scans/v4/2602/2602.07852.json"


def test_forms_name_the_sides_as_git_does(story: Story) -> None:
    c = story.commits
    with GitRepo(story.root) as repo:
        rng = parse_range(repo, [])
        assert (rng.old.kind, rng.old.commit, rng.new.kind) == ("commit", c["c9"], "worktree")
        rng = parse_range(repo, [], staged=True)
        assert (rng.old.commit, rng.new.kind) == (c["c9"], "index")
        rng = parse_range(repo, [c["c3"]])
        assert (rng.old.commit, rng.new.kind) == (c["c3"], "worktree")
        rng = parse_range(repo, [c["c3"]], staged=True)
        assert (rng.old.commit, rng.new.kind) == (c["c3"], "index")
        for revs in ([c["c1"], c["c5"]], [f"{c['c1']}..{c['c5']}"]):
            rng = parse_range(repo, revs)
            assert (rng.old.commit, rng.new.commit) == (c["c1"], c["c5"])
        rng = parse_range(repo, [f"{c['c1']}.."])
        assert (rng.old.commit, rng.new.commit, rng.new.label) == (c["c1"], c["c9"], "HEAD")
        rng = parse_range(repo, ["main...review"])
        assert (rng.old.commit, rng.new.commit) == (c["c8"], c["r1"])
        assert rng.old.label == "merge base of main and review"


@pytest.mark.parametrize(
    "revs",
    [
        ["--output=x"],
        ["-p"],
        ["main..--output=x"],
        ["--output=x...main"],
        ["nosuchrev"],
        ["main", "review", "main"],
        ["main...review", "main"],
    ],
)
def test_bad_revisions_are_refused(story: Story, revs: list[str]) -> None:
    with GitRepo(story.root) as repo, pytest.raises(ScanRepoError):
        parse_range(repo, revs)
    assert not (story.root / "x").exists()


def test_staged_takes_one_commit_at_most(story: Story) -> None:
    with GitRepo(story.root) as repo, pytest.raises(ScanRepoError, match="--staged"):
        parse_range(repo, ["main...review"], staged=True)


def test_unrelated_histories_have_no_merge_base(clone: Path) -> None:
    git(clone, "checkout", "-q", "--orphan", "lonely")
    git(clone, "commit", "-q", "--allow-empty", "-m", "lonely")
    with GitRepo(clone) as repo, pytest.raises(ScanRepoError, match="no common ancestor"):
        parse_range(repo, ["main...lonely"])


def test_arguments_split_into_revisions_then_paths(story: Story) -> None:
    with GitRepo(story.root) as repo:
        assert split_arguments(repo, ["main", "2602.07852"], story.root) == (
            ["main"],
            ["2602.07852"],
        )
        assert split_arguments(repo, ["main..review", "scans"], story.root) == (
            ["main..review"],
            ["scans"],
        )
        with pytest.raises(ScanRepoError, match="neither a revision"):
            split_arguments(repo, ["nosuch"], story.root)
        with pytest.raises(ScanRepoError, match="may not start with '-'"):
            split_arguments(repo, ["main", "--output=x"], story.root)


def test_changed_pairs_between_commits_list_only_what_changed(story: Story) -> None:
    c = story.commits
    with GitRepo(story.root) as repo:
        pairs = changed_pairs(repo, parse_range(repo, [c["c2"], c["c3"]]))
        assert [p.path for p in pairs] == [A_V4]
        assert pairs[0].old and pairs[0].new and pairs[0].old.blob != pairs[0].new.blob
        moved = changed_pairs(repo, parse_range(repo, [c["c1"], c["c2"]]))
        assert len(moved) == 6
        assert {(p.old is None, p.new is None) for p in moved} == {(True, False), (False, True)}


def test_work_tree_index_and_untracked_scans(clone: Path) -> None:
    b = paper_b("2401.04321")
    b["paper"]["venue"] = "Staged venue"
    put(clone, "scans/v4/2401/2401.04321.json", canonical(b))
    git(clone, "add", "scans/v4/2401/2401.04321.json")
    a = paper_a()
    a["paper"]["venue"] = "Work tree venue"
    put(clone, A_V4, canonical(a))
    put(clone, "scans/v4/2604/2604.00001.json", b"{}")
    with GitRepo(clone) as repo:
        worktree = changed_pairs(repo, parse_range(repo, []))
        assert [p.path for p in worktree] == [
            "scans/v4/2401/2401.04321.json",
            A_V4,
            "scans/v4/2604/2604.00001.json",
        ]
        assert all(p.new and p.new.blob is None for p in worktree)
        staged = changed_pairs(repo, parse_range(repo, [], staged=True))
        assert [p.path for p in staged] == ["scans/v4/2401/2401.04321.json"]
        contents = read_copies(repo, [p.new for p in worktree + staged if p.new])
    texts = {c.path + ("@index" if c.blob else ""): data for c, data in contents.items()}
    assert b"Work tree venue" in texts[A_V4]  # type: ignore[operator]
    assert b"Staged venue" in texts["scans/v4/2401/2401.04321.json@index"]  # type: ignore[operator]
    assert texts["scans/v4/2604/2604.00001.json"] == b"{}"


def test_no_commits_yet_compares_with_the_empty_tree(repo: Path) -> None:
    put(repo, A_V4, canonical(paper_a()))
    with GitRepo(repo) as handle:
        rng = parse_range(handle, [])
        assert rng.old.commit is None
        pairs = changed_pairs(handle, rng)
    assert [(p.path, p.old) for p in pairs] == [(A_V4, None)]


def test_symlinks_and_submodules_are_problems_not_content(repo: Path) -> None:
    with GitRepo(repo) as handle:
        contents = read_copies(
            handle,
            [
                Copy("scans/v4/x/a.json", "120000", "0" * 40),
                Copy("scans/v4/x/b.json", "160000", "0" * 40),
            ],
        )
    messages = sorted(p.message for p in contents.values() if isinstance(p, Problem))
    assert messages == [
        "is a submodule, not a scan file",
        "is a symbolic link; a scan must be a regular file",
    ]


def test_path_filter_selects_papers_and_directories(story: Story) -> None:
    with GitRepo(story.root) as repo:
        by_key = path_filter(repo, ["2602.07852"], story.root)
        by_path = path_filter(repo, [A_V4], story.root)
        by_dir = path_filter(repo, ["scans/v3"], story.root)
        assert path_filter(repo, [], story.root) is None
        with pytest.raises(ScanRepoError, match="outside the repository"):
            path_filter(repo, ["/"], story.root)
    assert by_key and by_path and by_dir
    assert by_key.wants("scans/v3/2602/2602.07852.json")
    assert by_path.wants("scans/v3/2602/2602.07852.json")
    assert not by_key.wants("scans/v4/2401/2401.01234.json")
    assert by_dir.wants("scans/v3/2401/2401.01234.json")
    assert not by_dir.wants("scans/v4/2401/2401.01234.json")
