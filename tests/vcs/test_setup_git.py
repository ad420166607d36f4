"""tools/setup-git and the pre-commit hook, with real git commits."""

from __future__ import annotations

from pathlib import Path

from conftest import V4_FIXTURE, clone_of_tools, git, put, run_tool


def test_hook_refuses_an_invalid_commit_and_accepts_a_valid_one(repo: Path) -> None:
    clone_of_tools(repo)
    setup = run_tool("setup-git", cwd=repo)
    assert setup.returncode == 0, setup.stderr
    assert setup.stdout.startswith("installed: pre-commit hook")

    bad = V4_FIXTURE.read_bytes().replace(b'"score": 3', b'"score": 9', 1)
    put(repo, "scans/v4/2602/2602.07852.json", bad)
    git(repo, "add", "-A")
    refused = git(repo, "commit", "-qm", "bad scan", check=False)
    assert refused.returncode != 0
    assert "scans/v4/2602/2602.07852.json:" in refused.stdout + refused.stderr
    assert "9 is greater than the maximum of 3" in refused.stdout + refused.stderr
    assert git(repo, "rev-list", "--all").stdout == ""

    put(repo, "scans/v4/2602/2602.07852.json", V4_FIXTURE.read_bytes())
    git(repo, "add", "-A")
    accepted = git(repo, "commit", "-qm", "good scan", check=False)
    assert accepted.returncode == 0, accepted.stderr
    assert git(repo, "log", "--format=%s").stdout.strip() == "good scan"


def test_setup_is_idempotent_and_keeps_foreign_hooks(repo: Path) -> None:
    clone_of_tools(repo)
    assert run_tool("setup-git", cwd=repo).returncode == 0
    again = run_tool("setup-git", cwd=repo)
    assert again.returncode == 0
    assert again.stdout.startswith("unchanged: pre-commit hook")

    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    refused = run_tool("setup-git", cwd=repo)
    assert refused.returncode == 1
    assert "refused: pre-commit hook" in refused.stdout
    assert hook.read_text() == "#!/bin/sh\necho mine\n"

    forced = run_tool("setup-git", "--force", cwd=repo)
    assert forced.returncode == 0
    assert (hook.parent / "pre-commit.scanrepo-backup").read_text() == "#!/bin/sh\necho mine\n"
    assert "tools/validate" in hook.read_text()


def test_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    result = run_tool("setup-git", cwd=tmp_path)
    assert result.returncode == 2
    assert "not inside a git repository" in result.stderr
    assert "Traceback" not in result.stderr
