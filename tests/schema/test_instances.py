"""The scan generator: every keyword our schemas use is one it knows, and what it draws is valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from conftest import ROOT
from scanrepo.errors import ScanRepoError
from scanrepo.schema.instances import ANNOTATIONS, SUPPORTED, instances, keywords
from scanrepo.toolkit import Toolkit

SCHEMAS = sorted((ROOT / "schema").glob("v*.json"))

# One small schema per keyword the generator knows beyond annotations, each drawn and validated.
KEYWORD_SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
    {"type": "object", "additionalProperties": False, "patternProperties": {"^x[0-9]$": {}}},
    {"type": "object", "propertyNames": {"pattern": "^[a-c]+$"}, "minProperties": 2},
    {"type": "object", "maxProperties": 1, "additionalProperties": {"type": "boolean"}},
    {"type": "object", "properties": {"a": {}, "b": {}}, "dependentRequired": {"a": ["b"]}},
    {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": False},
    {"type": "array", "prefixItems": [{"const": 1}], "items": {"type": "string"}},
    {
        "type": "array",
        "minItems": 2,
        "maxItems": 3,
        "uniqueItems": True,
        "items": {"enum": [1, 2, 3]},
    },
    {"type": "integer", "minimum": -3, "exclusiveMaximum": 9, "multipleOf": 3},
    {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
    {"type": "string", "minLength": 2, "maxLength": 4},
    {"type": "string", "pattern": "^[a-z]+$", "maxLength": 3},
    {"$defs": {"n": {"type": "null"}}, "anyOf": [{"$ref": "#/$defs/n"}, {"type": "boolean"}]},
    {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "integer", "maximum": 5}]},
    {"allOf": [{"type": "string"}, {"not": {"const": "a"}}], "maxLength": 1},
    {
        "type": "object",
        "required": ["kind", "value"],
        "properties": {"kind": {"enum": ["n", "s"]}},
        "if": {"properties": {"kind": {"const": "n"}}},
        "then": {"properties": {"value": {"type": "integer"}}},
        "else": {"properties": {"value": {"type": "string"}}},
    },
]


def test_our_schemas_use_only_keywords_the_generator_knows() -> None:
    """A schema with a new keyword fails here, loudly, until the generator learns it."""
    assert SCHEMAS
    for path in SCHEMAS:
        used = {k for k, _ in keywords(json.loads(path.read_text(encoding="utf-8")))}
        assert used <= SUPPORTED, f"{path.name}: {sorted(used - SUPPORTED)}"
        assert {"$ref", "if", "then", "else", "propertyNames", "additionalProperties"} <= used


def test_keywords_are_read_where_schemas_are_not_where_names_are() -> None:
    schema = {
        "properties": {"minimum": {"type": "string"}},
        "$defs": {"if": {"contains": {}}},
        "items": {"prefixItems": [{"format": "date"}]},
    }
    found = set(keywords(schema))
    assert ("minimum", "#") not in found and ("type", "#/properties/minimum") in found
    assert ("contains", "#/$defs/if") in found
    assert ("format", "#/items/prefixItems/0") in found


def test_a_keyword_it_does_not_know_is_refused_with_where_it_stands() -> None:
    with pytest.raises(ScanRepoError, match=r"'contains' at #/properties/tags"):
        instances({"properties": {"tags": {"type": "array", "contains": {"const": 1}}}})


def test_every_keyword_it_knows_is_drawn_for_here() -> None:
    used = {k for schema in KEYWORD_SCHEMAS for k, _ in keywords(schema)}
    assert used >= SUPPORTED - ANNOTATIONS


@pytest.mark.parametrize("schema", KEYWORD_SCHEMAS, ids=lambda s: ",".join(sorted(s)))
def test_what_it_draws_is_valid(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    drawn: list[Any] = []

    @settings(max_examples=40, database=None, suppress_health_check=list(HealthCheck))
    @given(instances(schema))
    def valid(value: Any) -> None:
        assert validator.is_valid(value), value
        drawn.append(value)

    valid()
    assert len({json.dumps(v, sort_keys=True) for v in drawn}) > 1  # not one value again


def test_both_branches_of_an_if_are_drawn() -> None:
    """The if/then/else schema above: kind "n" with an integer, "s" with a string."""
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=40, database=None)
    @given(instances(KEYWORD_SCHEMAS[-1]))
    def record(value: dict[str, Any]) -> None:
        seen.add((value["kind"], type(value["value"]).__name__))

    record()
    assert seen == {("n", "int"), ("s", "str")}


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.stem)
def test_every_scan_drawn_from_our_schemas_is_valid(path: Path) -> None:
    registry = Toolkit().registry
    version = int(path.stem[1:])
    types: set[bool] = set()

    @settings(max_examples=25, database=None, suppress_health_check=list(HealthCheck))
    @given(instances(registry.schema(version)))
    def valid(scan: dict[str, Any]) -> None:
        assert registry.check(scan, version) == []
        paper_type = scan.get("paper_type", scan["paper"].get("type"))
        types.add(paper_type == "empirical")

    valid()
    assert types == {True, False}  # both branches of the schema's if
