"""The schema lifecycle of the README, end to end in a clone with real git: v5, where every
checklist item gains a ``confidence``, made with tools/schema new, edited, diffed, documented,
proved by tools/schema check (a wrong migration refuted, the right one passing), the corpus
migrated, the result reviewed."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import git
from schemarepo import add_v3_scan, checkout, own_tool

__all__ = ["checkout"]  # the fixture

CONFIDENCE = {
    "description": "How sure the reviewer is of the answer; unknown for answers given before v5.",
    "enum": ["low", "medium", "high", "unknown"],
}

MIGRATION = '''\
"""Every checklist item gains a confidence: unknown for answers given before v5.

upgrade adds ``confidence: "unknown"`` to every item of ``checklist`` and ``type_checklist``;
downgrade removes it, and refuses an item whose confidence is known (v4 cannot hold it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from scanrepo.errors import MigrationError

FROM_VERSION = 4
TO_VERSION = 5

Item = Callable[[dict[str, Any], tuple[str, ...]], dict[str, Any]]


def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    """The v5 form of a v4 scan."""
    return _items(scan, FROM_VERSION, TO_VERSION, lambda item, _: {**item, "confidence": "unknown"})


def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    """The v4 form of a v5 scan."""

    def drop(item: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        if item.get("confidence") != "unknown":
            raise MigrationError((*path, "confidence"), "a known confidence cannot go to v4")
        return {key: value for key, value in item.items() if key != "confidence"}

    return _items(scan, TO_VERSION, FROM_VERSION, drop)


def _items(scan: dict[str, Any], expected: int, version: int, change: Item) -> dict[str, Any]:
    if scan.get("scan_version") != expected:
        raise MigrationError(("scan_version",), f"expected {expected}")
    new = {**copy.deepcopy(scan), "scan_version": version}
    new["checklist"] = _sections(new["checklist"], ("checklist",), change)
    new["type_checklist"] = {
        kind: _sections(sections, ("type_checklist", kind), change)
        for kind, sections in new["type_checklist"].items()
    }
    return new


def _sections(sections: Any, path: tuple[str, ...], change: Item) -> dict[str, Any]:
    return {
        name: {key: change(item, (*path, name, key)) for key, item in section.items()}
        for name, section in sections.items()
    }
'''


def items(scan: dict[str, object]) -> list[dict[str, object]]:
    found = []
    for root in (scan["checklist"], *scan["type_checklist"].values()):  # type: ignore[attr-defined]
        for section in root.values():
            found.extend(section.values())
    return found


def test_v5_with_a_confidence_on_every_checklist_item(checkout: Path) -> None:
    add_v3_scan(checkout)
    assert own_tool("schema", "docs", cwd=checkout).returncode == 0
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "docs")

    # 1. the next version
    assert own_tool("schema", "new", cwd=checkout).returncode == 0

    # 2. the change: the schema and the migration
    v5_path = checkout / "schema" / "v5.json"
    v5 = json.loads(v5_path.read_text("utf-8"))
    v5["$defs"]["item"]["required"].append("confidence")
    v5["$defs"]["item"]["properties"]["confidence"] = CONFIDENCE
    v5_path.write_text(json.dumps(v5, indent=2) + "\n", "utf-8")
    (checkout / "migrations" / "v4_to_v5.py").write_text(MIGRATION, "utf-8")

    # 3. what changed, and what it asks of the migration
    diff = own_tool("schema", "diff", "--format", "json", cwd=checkout)
    assert diff.returncode == 1, diff.stderr
    [versions] = json.loads(diff.stdout)["diffs"]
    assert (versions["old"], versions["new"]) == ("v4", "v5")
    found = {(c["kind"], c["scan_path"], c["count"]) for c in versions["changes"]}
    assert found == {
        ("member added", "$.checklist.*.*.confidence", 15),
        ("member added", "$.type_checklist.*.*.*.confidence", 49),
        ("version moved", "$.scan_version", 1),
    }
    added = [c for c in versions["changes"] if c["kind"] == "member added"]
    assert all(c["migration"].startswith("upgrade must produce it") for c in added)

    # 3b. the migration proved against both schemas: a wrong one refuted, the right one passes
    wrong = MIGRATION.replace('{**item, "confidence": "unknown"}', "item")
    (checkout / "migrations" / "v4_to_v5.py").write_text(wrong, "utf-8")
    refuted = own_tool("schema", "check", "4", "--examples", "3", cwd=checkout)
    assert refuted.returncode == 1, refuted.stderr
    assert (
        "  counterexample (invalid): $.checklist.claims_and_evidence.abstract_claims_supported: "
        "upgrade's result is not a valid v5 scan: 'confidence' is a required property"
    ) in refuted.stdout.splitlines()
    (checkout / "migrations" / "v4_to_v5.py").write_text(MIGRATION, "utf-8")
    proven = own_tool("schema", "check", "4", "--examples", "3", cwd=checkout)
    assert proven.returncode == 0, proven.stdout + proven.stderr
    assert proven.stdout.splitlines()[-1] == "proven: 1 step (v4 → v5)"

    # 4. the docs
    stale = own_tool("schema", "docs", "--check", cwd=checkout)
    assert stale.returncode == 1
    assert "stale: docs/schema/v5.md" in stale.stderr
    assert own_tool("schema", "docs", cwd=checkout).returncode == 0
    changelog = (checkout / "docs" / "schema" / "CHANGELOG.md").read_text("utf-8")
    assert "## v5 (from v4)" in changelog
    assert "Every checklist item gains a confidence" in changelog
    page = (checkout / "docs" / "schema" / "v5.md").read_text("utf-8")
    assert "| .confidence |" in page and "How sure the reviewer is of the answer" in page

    # 5. the corpus migrated, as a commit to review
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "v5: a confidence on every checklist item")
    git(checkout, "checkout", "-q", "-b", "v5-corpus")
    moved = own_tool("migrate", "--to", "5", "--commit", cwd=checkout)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert own_tool("validate", cwd=checkout).returncode == 0
    scans = sorted(checkout.glob("scans/*/*/*.json"))
    assert [p.parent.parent.name for p in scans] == ["v5", "v5"]
    for path in scans:
        confidences = {item["confidence"] for item in items(json.loads(path.read_text("utf-8")))}
        assert confidences == {"unknown"}

    # 6. the review: no change in meaning; the schema change as the review comment shows it
    review = own_tool("diff", "main...v5-corpus", cwd=checkout)
    assert (review.returncode, review.stderr) == (0, ""), review.stdout
    comment = own_tool(
        "schema", "diff", "--rev", "main~1...v5-corpus", "--format", "markdown", cwd=checkout
    )
    assert comment.returncode == 1
    assert "&#36;.checklist.&#42;.&#42;.confidence" in comment.stdout
    assert "[!WARNING]" not in comment.stdout  # v5 was not released before
    assert own_tool("schema", "diff", "--frozen", cwd=checkout).returncode == 0

    # 7. now released, v5's schema is frozen
    v5["$defs"]["item"]["properties"]["confidence"]["enum"].remove("low")
    v5_path.write_text(json.dumps(v5, indent=2) + "\n", "utf-8")
    frozen = own_tool("schema", "diff", "--frozen", cwd=checkout)
    assert frozen.returncode == 1
    assert "FROZEN" in frozen.stdout and "values narrowed" in frozen.stdout
