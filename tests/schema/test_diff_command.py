"""tools/schema diff on real repositories: versions, revisions, frozen released schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import ROOT, git
from schemarepo import checkout, own_tool

__all__ = ["checkout"]  # the fixture


def edit_schema(repo: Path, version: int, edit: Any) -> None:
    path = repo / "schema" / f"v{version}.json"
    schema = json.loads(path.read_text("utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema, indent=2), "utf-8")


def narrow_support(schema: dict[str, Any]) -> None:
    schema["$defs"]["support_level"]["enum"].remove("unsupported")


def test_the_two_newest_versions_by_default(checkout: Path) -> None:
    result = own_tool("schema", "diff", "--format", "json", cwd=checkout)
    assert result.returncode == 1, result.stderr
    [diff] = json.loads(result.stdout)["diffs"]
    assert (diff["old"], diff["new"], diff["status"]) == ("v3", "v4", "changed")
    kinds = {(c["kind"], c["scan_path"]) for c in diff["changes"]}
    assert ("member added", "$.paper_type") in kinds
    assert ("member removed", "$.paper.type") in kinds
    assert ("version moved", "$.scan_version") in kinds
    same = own_tool("schema", "diff", "4", "v4", cwd=checkout)
    assert (same.returncode, same.stdout) == (0, "v4 -> v4: no change\n")


def test_a_change_to_a_released_schema_is_frozen_and_an_annotation_is_none(
    checkout: Path,
) -> None:
    edit_schema(checkout, 4, lambda s: s["$defs"]["paper"].update(description="Annotated."))
    for args in (("--rev", "HEAD", "4"), ("--frozen",)):
        quiet = own_tool("schema", "diff", *args, cwd=checkout)
        assert quiet.returncode == 0, quiet.stdout + quiet.stderr
        assert "FROZEN" not in quiet.stdout
    edit_schema(checkout, 4, narrow_support)
    result = own_tool("schema", "diff", "--rev", "HEAD", cwd=checkout)
    assert result.returncode == 1, result.stderr
    commit = git(checkout, "rev-parse", "HEAD").stdout.strip()
    assert result.stdout.splitlines()[:5] == [
        "schema/v3.json at HEAD -> schema/v3.json in the working tree: no change",
        "schema/v4.json at HEAD -> schema/v4.json in the working tree: 1 change",
        f"  FROZEN: this version was released in {commit[:12]} (scans at it exist in history "
        "since); its schema must not change: make a new version instead",
        "  values narrowed: $.claims[*].supported",
        '      allowed values "moderate", "strong", "unsupported", "weak" -> "moderate", '
        '"strong", "weak" (dropped: "unsupported")',
    ]
    frozen = own_tool("schema", "diff", "--frozen", "--format", "json", cwd=checkout)
    assert frozen.returncode == 1
    [diff] = json.loads(frozen.stdout)["diffs"]
    assert diff["released_in"] == commit
    assert [c["kind"] for c in diff["changes"]] == ["values narrowed"]


def test_an_unreleased_version_may_change(checkout: Path) -> None:
    edit_schema(checkout, 3, narrow_support)
    result = own_tool("schema", "diff", "--frozen", cwd=checkout)
    assert (result.returncode, result.stdout) == (0, "no released schema has changed\n")
    changed = own_tool("schema", "diff", "--rev", "HEAD", "3", "--format", "json", cwd=checkout)
    assert changed.returncode == 1
    [diff] = json.loads(changed.stdout)["diffs"]
    assert (diff["status"], diff["released_in"]) == ("changed", None)


def test_the_release_is_the_first_commit_with_a_scan_at_that_version(checkout: Path) -> None:
    """A schema changed after the release counts from the release, not from HEAD."""
    release = git(checkout, "rev-parse", "HEAD").stdout.strip()
    edit_schema(checkout, 4, narrow_support)
    git(checkout, "commit", "-q", "-am", "narrow after release")
    assert own_tool("schema", "diff", "--rev", "HEAD", cwd=checkout).returncode == 0
    result = own_tool("schema", "diff", "--frozen", "--format", "json", cwd=checkout)
    assert result.returncode == 1
    [diff] = json.loads(result.stdout)["diffs"]
    assert diff["released_in"] == release


def test_markdown_makes_schema_text_inert(checkout: Path) -> None:
    def hostile(schema: dict[str, Any]) -> None:
        schema["$defs"]["paper"]["properties"]["<img src=x>@team"] = {"type": "string"}

    edit_schema(checkout, 4, hostile)
    result = own_tool("schema", "diff", "--rev", "HEAD", "4", "--format", "markdown", cwd=checkout)
    assert result.returncode == 1
    assert "<img" not in result.stdout and "@team" not in result.stdout
    assert "&#60;img src=x&#62;&#64;\u2060team" in result.stdout


def test_errors_name_what_is_wrong(checkout: Path) -> None:
    (checkout / "schema" / "v4.json").write_text('{"type": "object",}', "utf-8")
    broken = own_tool("schema", "diff", cwd=checkout)
    assert broken.returncode == 2
    assert "v4.json:1:19:" in broken.stderr and "Traceback" not in broken.stderr
    unknown = own_tool("schema", "diff", "3", "9", cwd=checkout)
    assert unknown.returncode == 2


def test_the_package_tree_has_the_command() -> None:
    assert (ROOT / "tools" / "schema").stat().st_mode & 0o111
