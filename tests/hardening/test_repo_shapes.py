"""Repositories of every shape: no commits yet, a detached HEAD, a shallow clone, a path with
spaces and non-ASCII characters, a linked worktree, a subdirectory, a bare repository, one git
refuses to open. Every tool works, or says why not in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TOOLS, git, run_tool
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from toolruns import (
    Outcome,
    commit_all,
    init_repo,
    migrate,
    put_scan,
    run_in,
    scan_path,
    snapshot,
    validate,
)

ODD = "my scans ünïcödé ✓ 論文"
OLD, NEW = "2602.00001", "2603.00002"


def with_scans(repo: Path) -> Path:
    put_scan(repo, 3, OLD)
    put_scan(repo, 4, NEW)
    return repo


def works(repo: Path) -> None:
    """The ordinary round: validate three ways, migrate (committing), validate the result,
    then look at it with diff and log."""
    validate(repo).assert_clean(0)
    validate(repo, "--staged").assert_clean(0)
    validate(repo, "--rev", "HEAD").assert_clean(0)
    migrated = migrate(repo, "--to", "4", "--commit")
    migrated.assert_clean(0)
    assert "committed" in migrated.out
    assert not (repo / scan_path(3, OLD)).exists() and (repo / scan_path(4, OLD)).exists()
    validate(repo).assert_clean(0)
    validate(repo, "--rev", "HEAD").assert_clean(0)
    assert git(repo, "status", "--porcelain").stdout == ""
    run_in(repo, diff_main).assert_clean(0)  # the work tree is the commit
    migration = run_in(repo, diff_main, "HEAD~2", "HEAD")  # the two migration commits
    migration.assert_clean(0)  # a pure migration changes nothing in meaning
    assert "no changes" in migration.out
    history = run_in(repo, log_main, OLD)
    history.assert_clean(0)
    assert "Migrate 1 scan to v4" in history.out


def refused(outcome: Outcome, reason: str) -> None:
    outcome.assert_clean(2)
    assert reason in outcome.err, outcome.err
    assert len(outcome.err.strip().splitlines()) == 1, outcome.err


def test_no_commits_yet(tmp_path: Path) -> None:
    repo = with_scans(init_repo(tmp_path / "repo"))
    refused(validate(repo, "--rev", "HEAD"), "unknown revision 'HEAD': the repository has no")
    refused(run_in(repo, log_main, OLD), "the repository has no commits yet")
    run_in(repo, diff_main).assert_clean(1)  # everything is new against no commit
    git(repo, "add", "-A")
    validate(repo, "--staged").assert_clean(0)
    migrate(repo, "--to", "4").assert_clean(0)  # moves staged: nothing was ever committed
    validate(repo, "--staged").assert_clean(0)
    assert git(repo, "diff", "--name-only").stdout == ""  # all of it staged
    commit_all(repo, "first commit, migrated")
    validate(repo, "--rev", "HEAD").assert_clean(0)


def test_detached_head(tmp_path: Path) -> None:
    repo = with_scans(init_repo(tmp_path / "repo"))
    commit_all(repo)
    git(repo, "checkout", "-q", "--detach")
    works(repo)
    assert git(repo, "symbolic-ref", "-q", "HEAD", check=False).returncode == 1  # still detached


def test_shallow_clone(tmp_path: Path) -> None:
    origin = with_scans(init_repo(tmp_path / "origin"))
    commit_all(origin, "first")
    (origin / "README").write_text("second commit\n")
    commit_all(origin, "second")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", origin.as_uri(), str(clone))
    refused(validate(clone, "--rev", "HEAD~1"), "this is a shallow clone")
    refused(run_in(clone, diff_main, "HEAD~1", "HEAD"), "this is a shallow clone")
    history = run_in(clone, log_main, OLD)
    history.assert_clean(0)
    assert "note: this is a shallow clone" in history.err
    works(clone)


def test_a_path_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    repo = with_scans(init_repo(tmp_path / ODD / "repo ✓"))
    commit_all(repo)
    as_a_user_would = subprocess.run(
        [sys.executable, str(TOOLS / "validate")], cwd=repo, capture_output=True, text=True
    )
    assert as_a_user_would.returncode == 0, as_a_user_would.stderr
    works(repo)


def test_a_linked_worktree(tmp_path: Path) -> None:
    repo = with_scans(init_repo(tmp_path / "repo"))
    commit_all(repo)
    linked = tmp_path / ODD / "linked"
    git(repo, "worktree", "add", "-q", "-b", "migration", str(linked))
    main_before = snapshot(repo)
    works(linked)
    assert snapshot(repo) == main_before  # the main worktree's files and branch are untouched
    assert git(repo, "rev-parse", "HEAD").stdout != git(linked, "rev-parse", "HEAD").stdout
    works(repo)  # each worktree has its own lock and index


def test_run_from_a_subdirectory(tmp_path: Path) -> None:
    repo = with_scans(init_repo(tmp_path / "repo"))
    commit_all(repo)
    inside = repo / "scans" / "v3"
    validate(inside).assert_clean(0)
    validate(inside, "--rev", "HEAD").assert_clean(0)
    migrate(inside, "--to", "4").assert_clean(0)
    assert (repo / scan_path(4, OLD)).exists()
    validate(inside.parent).assert_clean(0)


def test_not_a_git_repository(tmp_path: Path) -> None:
    plain = with_scans(tmp_path / "plain")
    (plain / "scans").mkdir(exist_ok=True)
    validate(plain).assert_clean(0)
    refused(run_in(plain, diff_main), "not inside a git repository")
    refused(run_in(plain, log_main, OLD), "not inside a git repository")
    refused(validate(plain, "--rev", "HEAD"), "not inside a git repository")
    refused(validate(plain, "--staged"), "not inside a git repository")
    moved = migrate(plain, "--to", "4")
    moved.assert_clean(0)
    assert "not in a git repository: the files were moved, nothing was staged" in moved.out
    refused(migrate(plain, "--to", "4", "--commit"), "--commit needs a git repository")


def test_no_scans_directory_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """In the wrong directory validate and migrate say so and exit 2, instead of finding 0 scans
    with no problem (which turns a CI job run in the wrong place green); an empty scans/ is a
    corpus with no scans yet, and a commit that stages no scan passes the hook."""
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "docs" / "notes.md").write_text("no scans here\n")
    commit_all(repo, "no scans")
    for where in (outside, repo, repo / "docs"):
        refused(validate(where), f"no scans/ directory here or above ({where})")
        refused(migrate(where, "--to", "4"), "run this in a scan repository")
        refused(migrate(where, "--to", "4", "--check"), "run this in a scan repository")
    refused(validate(repo, "--rev", "HEAD"), "HEAD has no scans/ directory")
    (repo / "docs" / "notes.md").write_text("still no scans\n")
    git(repo, "add", "-A")
    validate(repo, "--staged").assert_clean(0)  # what the hook runs on this commit

    (repo / "scans").mkdir()
    empty = validate(repo)
    empty.assert_clean(0)
    assert empty.out == "0 scans checked: no problems\n"
    migrate(repo, "--to", "4", "--check").assert_clean(0)


def test_the_survey_tools_refuse_a_repository_without_scans(tmp_path: Path) -> None:
    """stats, export and report read the work tree's corpus: where there is no scans/ they say
    so and exit 2, rather than print figures of no papers."""
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "docs" / "notes.md").write_text("no scans here\n")
    commit_all(repo, "no scans")
    for argv in (("stats",), ("export", "-o", str(tmp_path / "x.csv")), ("report",)):
        done = run_tool(*argv, cwd=repo / "docs")
        assert done.returncode == 2, (argv, done.stdout, done.stderr)
        assert "no scans/ directory here or above" in done.stderr, (argv, done.stderr)
    assert not (tmp_path / "x.csv").exists()
    assert not (repo / ".git" / "scanrepo-report.html").exists()


def test_a_bare_repository(tmp_path: Path) -> None:
    origin = with_scans(init_repo(tmp_path / "origin"))
    commit_all(origin)
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", origin.as_uri(), str(bare))
    refused(validate(bare, "--rev", "HEAD"), "a bare repository has no work tree")
    refused(migrate(bare, "--to", "4", "--commit"), "--commit needs a git repository")


def test_a_repository_git_refuses_to_open(tmp_path: Path) -> None:
    """Git refuses a repository owned by another user (safe.directory): the tools say so."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    repo = with_scans(init_repo(tmp_path / "repo"))
    commit_all(repo)
    for path in (repo, *repo.rglob("*")):
        os.lchown(path, 65534, 65534)
    before = snapshot(repo)
    validate(repo).assert_clean(0)  # the work tree needs no git
    refused(validate(repo, "--rev", "HEAD"), "detected dubious ownership in repository at")
    refused(validate(repo, "--staged"), "detected dubious ownership")
    refused(migrate(repo, "--to", "4"), "detected dubious ownership")
    refused(run_in(repo, diff_main, "HEAD"), "detected dubious ownership")
    refused(run_in(repo, log_main, OLD), "detected dubious ownership")
    assert snapshot(repo) == before
