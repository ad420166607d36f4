"""Rules of the scan format that JSON Schema cannot state, checked after the schema passes."""

from __future__ import annotations

from typing import Any

from scanrepo.format.schemas import SchemaViolation


def check_rules(doc: Any) -> list[SchemaViolation]:
    """The one key of ``type_checklist`` must be the scan's ``paper_type`` (where both exist)."""
    if not isinstance(doc, dict):
        return []
    paper_type, type_checklist = doc.get("paper_type"), doc.get("type_checklist")
    if isinstance(paper_type, str) and isinstance(type_checklist, dict):
        wrong = [k for k in type_checklist if k != paper_type]
        if wrong:
            return [
                SchemaViolation(
                    ("type_checklist", wrong[0]),
                    f"type_checklist holds {wrong[0]!r} but paper_type is {paper_type!r}",
                )
            ]
    return []
