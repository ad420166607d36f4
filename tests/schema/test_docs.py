"""tools/schema docs: the reference pages and the changelog, written and checked."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, V4_FIXTURE
from schemarepo import checkout, own_tool

__all__ = ["checkout"]  # the fixture


def test_the_repositorys_pages_are_up_to_date() -> None:
    result = own_tool("schema", "docs", "--check", cwd=ROOT)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout == "docs/schema is up to date (3 pages checked)\n"


def test_pages_are_written_then_checked_then_stale_after_a_schema_edit(checkout: Path) -> None:
    missing = own_tool("schema", "docs", "--check", cwd=checkout)
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        "stale: docs/schema/v3.md",
        "stale: docs/schema/v4.md",
        "stale: docs/schema/CHANGELOG.md",
        "run tools/schema docs to regenerate them",
    ]
    wrote = own_tool("schema", "docs", cwd=checkout)
    assert wrote.returncode == 0
    assert wrote.stdout.splitlines() == [
        "wrote docs/schema/v3.md",
        "wrote docs/schema/v4.md",
        "wrote docs/schema/CHANGELOG.md",
    ]
    assert own_tool("schema", "docs", "--check", cwd=checkout).returncode == 0
    again = own_tool("schema", "docs", cwd=checkout)
    assert again.stdout == "docs/schema is up to date (3 pages): nothing written\n"

    schema_path = checkout / "schema" / "v4.json"
    schema = json.loads(schema_path.read_text("utf-8"))
    schema["$defs"]["paper"]["properties"]["venue"]["description"] = "Where it was published."
    schema_path.write_text(json.dumps(schema), "utf-8")
    stale = own_tool("schema", "docs", "--check", cwd=checkout)
    assert stale.returncode == 1
    assert stale.stderr.splitlines()[0] == "stale: docs/schema/v4.md"  # the changelog is not
    assert len(stale.stderr.splitlines()) == 2
    assert own_tool("schema", "docs", cwd=checkout).stdout == "wrote docs/schema/v4.md\n"
    page = (checkout / "docs" / "schema" / "v4.md").read_text("utf-8")
    assert "| Where it was published. |" in page


def test_a_page_lists_members_items_and_examples_from_the_real_scan() -> None:
    page = (ROOT / "docs" / "schema" / "v4.md").read_text("utf-8")
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in page.splitlines()}
    funding = rows["&#36;.checklist.conflicts&#95;of&#95;interest.funding&#95;disclosed"]
    assert "| yes | Are the funding sources disclosed? | {4 members} |" in funding
    year = rows["&#36;.paper.year"]
    assert "| yes | The year of publication. | 2026 |" in year
    fixture = json.loads(V4_FIXTURE.read_text("utf-8"))
    assert fixture["paper"]["year"] == 2026
    # the item's own fields are described once, under "item"
    assert "| .applies | boolean | yes | Whether the question applies to this paper. |" in page
    v3 = (ROOT / "docs" / "schema" / "v3.md").read_text("utf-8")
    # the v3 page's examples are the real v4 scan carried down by the migration
    assert "| .answer | one of “&#34;n/a&#34;”, “&#34;no&#34;”, “&#34;yes&#34;” |" in v3
    changelog = (ROOT / "docs" / "schema" / "CHANGELOG.md").read_text("utf-8")
    assert "## v4 (from v3)" in changelog
    assert "Split the checklist into universal and type sections" in changelog


def test_scan_text_in_an_example_is_inert(checkout: Path, tmp_path: Path) -> None:
    doc = json.loads(V4_FIXTURE.read_text("utf-8"))
    doc["paper"]["venue"] = "<img src=x onerror=alert(1)> @team [link](http://x)"
    example = tmp_path / "example.json"
    example.write_text(json.dumps(doc), "utf-8")
    result = own_tool("schema", "docs", "--example", str(example), cwd=checkout)
    assert result.returncode == 0, result.stderr
    page = (checkout / "docs" / "schema" / "v4.md").read_text("utf-8")
    assert "<img" not in page and "@team" not in page and "](http" not in page
    assert "&#60;img src=x onerror=alert&#40;1&#41;&#62;" in page
