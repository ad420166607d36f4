"""Plain git diff, git show and git log -p print scans semantically once tools/setup-git ran."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, clone_of_tools, git, run_tool
from scanrepo.vcs.install import TEXTCONV, configure
from scanrepo.vcs.repo import GitRepo
from scanstory import FUNDING, Story, item, paper_a, v3

LINE = "checklist.conflicts_of_interest.funding_disclosed: applies yes, answer {}, source opus"


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """A repository with its own copy of the tools, set up with tools/setup-git: A added as v3,
    migrated to v4, then rescanned (one answer flips); the work tree flips it back."""
    root = tmp_path_factory.mktemp("driven") / "repo"
    story = Story(root)
    root.mkdir()
    story.run("init", "-q", "-b", "main")
    clone_of_tools(root)
    shutil.copy(ROOT / ".gitattributes", root / ".gitattributes")
    setup = run_tool("setup-git", cwd=root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    story.run("add", "-A")
    story.run("commit", "-q", "--no-verify", "-m", "The tools")
    a = paper_a()
    story.write(v3(a), 3)
    story.commit("add", "Add 2602.07852 (v3)")
    story.remove(v3(a), 3)
    story.write(a)
    story.commit("migrate", "Migrate 2602.07852 to v4")
    item(a, FUNDING)["answer"] = True
    story.write(a)
    story.commit("rescan", "Rescan 2602.07852")
    item(a, FUNDING)["answer"] = False
    story.write(a)
    return story


def test_git_diff_shows_the_work_tree_change_as_semantic_lines(driven: Story) -> None:
    out = git(driven.root, "diff").stdout
    assert "-" + LINE.format("yes") in out.splitlines()
    assert "+" + LINE.format("no") in out.splitlines()
    assert '"answer"' not in out
    in_subdirectory = git(driven.root / "scans", "diff").stdout
    assert in_subdirectory == out


def test_git_show_and_log_p_show_semantic_lines(driven: Story) -> None:
    show = git(driven.root, "show", "HEAD").stdout.splitlines()
    assert "-" + LINE.format("no") in show
    assert "+" + LINE.format("yes") in show
    log = git(driven.root, "log", "-p", "--format=commit %s", "--", "scans").stdout
    assert log.count("+# scan of paper 2602.07852") == 2  # added as v3, re-added as v4
    assert "+" + LINE.format("yes") in log.splitlines()


def test_a_pure_migration_shows_no_line_change(driven: Story) -> None:
    # git pairs a rename by its raw bytes, which a migration changes a lot; allowed to pair it,
    # the semantic texts of both sides are the same, so there is no hunk.
    out = git(driven.root, "show", "-M10%", "--format=", driven.commits["migrate"]).stdout
    assert "rename from scans/v3/2602/2602.07852.json" in out
    assert "@@" not in out


def test_word_diff_works_on_the_semantic_text(driven: Story) -> None:
    out = git(driven.root, "diff", "--word-diff=plain").stdout
    assert "answer [-yes,-]{+no,+} source opus" in out


def test_setup_configures_the_driver_once_and_keeps_a_foreign_one(
    driven: Story, tmp_path: Path
) -> None:
    config = git(driven.root, "config", "diff.scanrepo.textconv").stdout.strip()
    assert config.startswith("tools/scan-textconv --cache-key ")
    again = run_tool("setup-git", cwd=driven.root)
    assert again.returncode == 0
    assert "unchanged: diff.scanrepo.textconv" in again.stdout

    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(driven.root), str(other))
    git(other, "config", "diff.scanrepo.textconv", "cat")
    with GitRepo(other) as repo:
        refused = configure(repo, "diff.scanrepo.textconv", TEXTCONV)
        assert (refused.status, "'cat'" in refused.detail) == ("refused", True)
        assert git(other, "config", "diff.scanrepo.textconv").stdout.strip() == "cat"
        forced = configure(repo, "diff.scanrepo.textconv", TEXTCONV, force=True)
        assert (forced.status, forced.detail) == ("updated", "was 'cat'")
    assert git(other, "config", "diff.scanrepo.textconv").stdout.strip() == TEXTCONV


def test_a_broken_scan_still_diffs(driven: Story, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(driven.root), str(other))
    git(other, "config", "diff.scanrepo.textconv", TEXTCONV)
    scan = other / "scans/v4/2602/2602.07852.json"
    scan.write_text('{"scan_version": 4,\n  "paper": oops}')
    done = git(other, "diff", check=False)
    assert done.returncode == 0, done.stderr
    assert "+# scanrepo textconv: 2602.07852.json: not shown as a scan (line 2" in done.stdout
    assert '+  "paper": oops}' in done.stdout
