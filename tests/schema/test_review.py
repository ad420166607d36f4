"""The pull-request review shows schema changes, read as data: the workflow's command run by the
base branch's tools on a pull request that changes a released schema and brings a migration."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from conftest import ROOT, git
from schemarepo import checkout, own_tool

__all__ = ["checkout"]  # the fixture

MARKER = "migration-was-run"


def test_the_review_workflow_adds_the_schema_diff() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "scan-review.yml").read_text())
    runs = [str(step.get("run", "")) for job in workflow["jobs"].values() for step in job["steps"]]
    [review] = [run for run in runs if "tools/diff --format markdown" in run]
    assert 'tools/schema diff --rev "$BASE_SHA...$head" --format markdown' in review


def test_a_pull_requests_schema_change_is_shown_and_its_migration_never_run(
    checkout: Path, tmp_path: Path
) -> None:
    git(checkout, "checkout", "-q", "-b", "pr")
    v4 = checkout / "schema" / "v4.json"
    schema = json.loads(v4.read_text("utf-8"))
    schema["$defs"]["support_level"]["enum"].remove("unsupported")
    v4.write_text(json.dumps(schema), "utf-8")
    v5 = dict(schema, **{"$id": "urn:scanrepo:schema:v5"})
    v5["properties"] = dict(schema["properties"], scan_version={"const": 5})
    (checkout / "schema" / "v5.json").write_text(json.dumps(v5), "utf-8")
    marker = tmp_path / MARKER
    (checkout / "migrations" / "v4_to_v5.py").write_text(
        f'"""Hostile."""\nfrom pathlib import Path\nPath({str(marker)!r}).touch()\n'
        "FROM_VERSION = 4\nTO_VERSION = 5\n"
        "def upgrade(s):\n    return s\ndef downgrade(s):\n    return s\n",
        "utf-8",
    )
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "pull request")
    head = git(checkout, "rev-parse", "HEAD").stdout.strip()
    git(checkout, "checkout", "-q", "main")  # the review runs the base branch's tools

    result = own_tool(
        "schema", "diff", "--rev", f"main...{head}", "--format", "markdown", cwd=checkout
    )
    assert result.returncode == 1, result.stderr
    assert not marker.exists(), "the pull request's migration was run"
    text = result.stdout
    assert text.startswith("### Schema changes\n")
    assert "> [!WARNING]" in text  # v4 is released: its schema is frozen
    assert "values narrowed" in text and "&#34;unsupported&#34;" in text
    assert "a new version" in text  # v5, compared with the pull request's v4
    assert "version moved" in text


def run_review_step(repo: Path, base: str, head: str, tmp_path: Path) -> tuple[str, str]:
    """The workflow's review step, as the runner runs it (bash -eo pipefail) in the base
    checkout: (the comment's body, what it sets in GITHUB_ENV)."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "scan-review.yml").read_text())
    [step] = [
        s for s in workflow["jobs"]["review"]["steps"] if "tools/schema diff" in s.get("run", "")
    ]
    git(repo, "update-ref", "refs/scan-review/head", head)
    temp = tmp_path / "runner"
    temp.mkdir(parents=True)
    env_file = tmp_path / "github-env"
    env_file.write_text("")
    env = {**os.environ, "BASE_SHA": base, "RUNNER_TEMP": str(temp), "GITHUB_ENV": str(env_file)}
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return (temp / "review.md").read_text("utf-8"), env_file.read_text("utf-8")


def test_the_review_step_appends_schema_changes_and_survives_a_broken_schema(
    checkout: Path, tmp_path: Path
) -> None:
    base = git(checkout, "rev-parse", "HEAD").stdout.strip()
    git(checkout, "checkout", "-q", "-b", "pr")
    v4 = checkout / "schema" / "v4.json"
    schema = json.loads(v4.read_text("utf-8"))
    schema["$defs"]["support_level"]["enum"].remove("unsupported")
    v4.write_text(json.dumps(schema), "utf-8")
    git(checkout, "commit", "-q", "-am", "narrow a released schema")
    narrowed = git(checkout, "rev-parse", "HEAD").stdout.strip()
    v4.write_text("{not json", "utf-8")
    git(checkout, "commit", "-q", "-am", "break it")
    broken = git(checkout, "rev-parse", "HEAD").stdout.strip()
    git(checkout, "checkout", "-q", "main")

    body, env = run_review_step(checkout, base, narrowed, tmp_path / "narrowed")
    assert env == "CHANGED=1\n"  # no scan changed, the schema did
    assert "### Schema changes" in body and "values narrowed" in body and "[!WARNING]" in body
    body, env = run_review_step(checkout, base, broken, tmp_path / "broken")
    assert env == "CHANGED=1\n"
    assert body.endswith(
        "### Schema changes\n\nThe schemas could not be compared; the review job's log says why.\n"
    )
