"""compare_schemas: each kind of difference, where it lands in a scan, what it asks.

The schemas are small and written here; every expected path, kind and count is worked out from
them by hand.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from conftest import ROOT
from scanrepo.schema.compare import SchemaChange, compare_schemas

ITEM = {
    "type": "object",
    "required": ["answer"],
    "properties": {"answer": {"type": "boolean"}},
    "additionalProperties": False,
}


def base() -> dict[str, Any]:
    """Two sections of two and one item, an array of claims and a map of scores."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["scan_version", "checklist", "claims"],
        "properties": {
            "scan_version": {"const": 1},
            "checklist": {
                "type": "object",
                "properties": {
                    "a": {
                        "type": "object",
                        "properties": {
                            "x": {"$ref": "#/$defs/item"},
                            "y": {"$ref": "#/$defs/item"},
                        },
                    },
                    "b": {"type": "object", "properties": {"z": {"$ref": "#/$defs/item"}}},
                },
            },
            "claims": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"support": {"enum": ["strong", "weak"]}},
                },
            },
            "scores": {"type": "object", "additionalProperties": {"type": "integer", "maximum": 3}},
            "year": {"type": "integer", "minimum": 1900},
            "tag": {"type": "string", "pattern": "^[a-z]+$"},
        },
        "additionalProperties": False,
        "$defs": {"item": copy.deepcopy(ITEM)},
    }


def changes(edit: Any) -> list[tuple[str, str, int]]:
    old = base()
    new = copy.deepcopy(old)
    edit(new)
    return [(c.kind, c.scan_path, c.count) for c in compare_schemas(old, new)]


def test_identical_schemas_and_annotations_only_are_no_change() -> None:
    def annotate(schema: dict[str, Any]) -> None:
        schema["title"] = "new title"
        schema["$defs"]["item"]["description"] = "One question."
        schema["properties"]["year"]["examples"] = [2024]
        schema["$comment"] = "annotations only"

    assert changes(lambda s: None) == []
    assert changes(annotate) == []


def test_a_required_member_added_to_a_definition_is_one_change_at_every_item() -> None:
    def confidence(schema: dict[str, Any]) -> None:
        item = schema["$defs"]["item"]
        item["required"].append("confidence")
        item["properties"]["confidence"] = {"enum": ["low", "high"]}

    [change] = compare_schemas(base(), _edited(confidence))
    assert change.kind == "member added"
    assert change.scan_path == "$.checklist.*.*.confidence"
    assert change.count == 3  # a.x, a.y, b.z
    assert "required member `confidence`" in change.detail
    assert change.migration.startswith("upgrade must produce it in every scan")


def _edited(edit: Any) -> dict[str, Any]:
    schema = base()
    edit(schema)
    return schema


def test_optional_member_removed_member_and_required_changes() -> None:
    def edit(schema: dict[str, Any]) -> None:
        schema["properties"]["claims"]["items"]["properties"]["note"] = {"type": "string"}
        del schema["properties"]["tag"]
        schema["required"].remove("claims")
        schema["required"].append("year")

    assert changes(edit) == [
        ("member optional", "$.claims", 1),
        ("member added", "$.claims[*].note", 1),
        ("member removed", "$.tag", 1),
        ("member required", "$.year", 1),
    ]


def test_a_renamed_member_with_the_same_shape_is_hinted() -> None:
    def rename(schema: dict[str, Any]) -> None:
        claim = schema["properties"]["claims"]["items"]["properties"]
        claim["supported"] = claim.pop("support")

    found = compare_schemas(base(), _edited(rename))
    added = [c for c in found if c.kind == "member added"]
    assert [c.scan_path for c in added] == ["$.claims[*].supported"]
    assert "same shape as removed `support`" in added[0].detail


def test_enum_types_bounds_patterns_and_closed_objects_are_classified() -> None:
    def edit(schema: dict[str, Any]) -> None:
        props = schema["properties"]
        props["claims"]["items"]["properties"]["support"]["enum"] = ["strong"]
        props["scores"]["additionalProperties"]["maximum"] = 5
        props["year"]["type"] = "number"
        props["year"]["minimum"] = 1950
        props["tag"]["pattern"] = "^[a-z]+[0-9]*$"
        schema["additionalProperties"] = True

    assert changes(edit) == [
        ("object opened", "$", 1),
        ("values narrowed", "$.claims[*].support", 1),
        ("bound loosened", "$.scores.*", 1),
        ("pattern changed", "$.tag", 1),
        ("bound tightened", "$.year", 1),
        ("type widened", "$.year", 1),
    ]


def test_the_version_constant_and_a_widened_enum() -> None:
    def edit(schema: dict[str, Any]) -> None:
        schema["properties"]["scan_version"]["const"] = 2
        schema["properties"]["claims"]["items"]["properties"]["support"]["enum"].append("none")

    found = {c.kind: c for c in compare_schemas(base(), _edited(edit))}
    assert set(found) == {"version moved", "values widened"}
    assert found["version moved"].detail == "scan_version 1 -> 2"
    assert (
        found["values widened"].migration
        == 'downgrade must map "none" to an old value or refuse it'
    )


def test_a_moved_definition_and_a_conditional_rule() -> None:
    def edit(schema: dict[str, Any]) -> None:
        schema["$defs"]["question"] = schema["$defs"].pop("item")
        for section in schema["properties"]["checklist"]["properties"].values():
            for item in section["properties"].values():
                item["$ref"] = "#/$defs/question"
        schema["if"] = {"properties": {"year": {"const": 2000}}}
        schema["then"] = {"required": ["tag"]}

    found = compare_schemas(base(), _edited(edit))
    assert [(c.kind, c.scan_path, c.condition) for c in found] == [
        ("rule added", "$", "year = 2000"),
        ("definition moved", "$.checklist.*.*", ""),
    ]
    assert found[1].detail == "#/$defs/item -> #/$defs/question"


def test_v4_to_a_v5_with_confidence_on_every_checklist_item() -> None:
    v4 = json.loads((ROOT / "schema" / "v4.json").read_text("utf-8"))
    v5 = copy.deepcopy(v4)
    v5["properties"]["scan_version"]["const"] = 5
    v5["$defs"]["item"]["required"].append("confidence")
    v5["$defs"]["item"]["properties"]["confidence"] = {"type": "number"}
    found = compare_schemas(v4, v5)
    # the universal sections hold 5, 3, 4 and 3 items; the empirical sections 4 + 5 + 9 + 5 +
    # 4 + 3 + 7 + 2 + 9 = 48, and any other type's items are one more place
    assert [(c.kind, c.scan_path, c.count) for c in found] == [
        ("member added", "$.checklist.*.*.confidence", 15),
        ("version moved", "$.scan_version", 1),
        ("member added", "$.type_checklist.*.*.*.confidence", 49),
    ]
    assert all(isinstance(c, SchemaChange) for c in found)


def test_places_behind_every_applicator_are_located() -> None:
    """patternProperties, prefixItems, allOf and oneOf lead to the places they constrain."""
    old = {
        "type": "object",
        "properties": {
            "tags": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "mixed": {"allOf": [{"properties": {"a": {"type": "string"}}}]},
            "either": {"oneOf": [{"type": "string"}, {"type": "object"}]},
        },
    }

    def edit(schema: dict[str, Any]) -> None:
        props = schema["properties"]
        props["tags"]["patternProperties"]["^x-"]["maxLength"] = 10
        props["pair"]["prefixItems"][1]["minimum"] = 0
        props["mixed"]["allOf"][0]["properties"]["a"]["pattern"] = "^a"
        props["either"]["oneOf"][1]["required"] = ["id"]

    new = copy.deepcopy(old)
    edit(new)
    assert [(c.kind, c.scan_path, c.condition) for c in compare_schemas(old, new)] == [
        ("member added", "$.either.id", "alternative 2 of oneOf"),  # required, unknown before
        ("pattern tightened", "$.mixed.a", ""),
        ("bound tightened", "$.pair[1]", ""),
        ("bound tightened", "$.tags.*", ""),
    ]


def test_a_schema_whose_refs_fan_out_is_refused_not_walked_for_ever() -> None:
    import pytest

    from scanrepo.errors import ScanRepoError

    defs = {
        f"d{i}": {
            "properties": {"a": {"$ref": f"#/$defs/d{i + 1}"}, "b": {"$ref": f"#/$defs/d{i + 1}"}}
        }
        for i in range(40)
    }
    defs["d40"] = {"type": "string"}
    schema = {"$ref": "#/$defs/d0", "$defs": defs}
    with pytest.raises(ScanRepoError, match="too many to compare"):
        compare_schemas(schema, schema)


def test_places_under_other_conditions_are_compared_case_by_case() -> None:
    """v3 holds its checklist under if/then/else on paper.type, v4 holds the universal
    sections unconditionally: the items' own changes still show, where they land."""
    v3 = json.loads((ROOT / "schema" / "v3.json").read_text("utf-8"))
    v4 = json.loads((ROOT / "schema" / "v4.json").read_text("utf-8"))
    found = {(c.kind, c.scan_path, c.count) for c in compare_schemas(v3, v4)}
    assert {
        ("type changed", "$.checklist.*.*.answer", 15),  # "yes"/"no"/"n/a" -> a boolean
        ("member added", "$.checklist.*.*.applies", 15),
        ("member removed", "$.checklist.*.*.model", 15),
        ("member added", "$.checklist.*.*.source", 15),
        ("member removed", "$.checklist.artifacts", 1),  # moved under type_checklist
        ("rule added", "$.checklist.*.*", 15),  # answer false where applies is false
        ("object closed", "$.checklist", 1),
    } <= found


def test_an_if_without_else_leaves_the_other_case_open() -> None:
    """Merged across cases, a then-branch's const does not hold where its if fails."""
    old = {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "allOf": [{"if": {"properties": {"k": {"const": 1}}}, "then": {"required": ["a"]}}],
    }
    new = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    assert [(c.kind, c.scan_path, c.condition) for c in compare_schemas(old, new)] == [
        ("rule removed", "$", "k = 1"),
        ("member required", "$.a", ""),
    ]
