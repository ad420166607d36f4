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


def conform(doc: Any) -> Any:
    """``doc`` changed as little as possible to meet these rules, for scans generated from a
    schema alone: the one key of ``type_checklist`` renamed to ``paper_type``. Keep it beside
    ``check_rules``: a new rule needs its way to be met here, or generated scans that break it
    are only filtered out."""
    if not isinstance(doc, dict):
        return doc
    paper_type, type_checklist = doc.get("paper_type"), doc.get("type_checklist")
    if (
        isinstance(paper_type, str)
        and isinstance(type_checklist, dict)
        and len(type_checklist) == 1
    ):
        (sections,) = type_checklist.values()
        return {**doc, "type_checklist": {paper_type: sections}}
    return doc
