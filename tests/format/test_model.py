"""``format.model`` against the real schema: the structure the model lists is the structure the
newest schema (schema/v4.json) states, read off the schema independently of the model.

``mismatches`` compares the two; it finds nothing for the real schema, and the tests below it
show that it finds each kind of difference a future schema could bring (a new item field, a
factor field dropped, another identifying field, a new section or item, a new top-level member,
a member of another shape, a newer version), so these tests can fail.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache
from typing import Any, get_args

import pytest

from conftest import V4_FIXTURE
from scanrepo.format import model
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.toolkit import SCHEMA_DIR

Schema = dict[str, Any]


@cache
def _registry() -> SchemaRegistry:
    return SchemaRegistry(SCHEMA_DIR)


def newest_schema() -> Schema:
    return copy.deepcopy(_registry().schema(_registry().newest))


# --------------------------------------------------------------------------- reading the schema


def resolve(schema: Schema, node: Any) -> Any:
    """``node`` with its ``$ref`` (``#/$defs/a/$defs/b``) followed, as often as it takes."""
    while isinstance(node, dict) and "$ref" in node:
        steps = node["$ref"].removeprefix("#/").split("/")
        node = schema
        for step in steps:
            node = node[step]
    return node


def _refers_to(node: Any, definition: str) -> bool:
    return isinstance(node, dict) and node.get("$ref") == f"#/$defs/{definition}"


def _sections(schema: Schema, node: Any) -> dict[str, tuple[str, ...]]:
    """The sections of a checklist object, each with its items; every item must be an item."""
    sections = {}
    checklist = resolve(schema, node)
    for section in checklist["required"]:
        items = resolve(schema, checklist["properties"][section])
        assert all(_refers_to(v, "item") for v in items["properties"].values()), section
        sections[section] = tuple(items["required"])
    return sections


def fixed_type_checklists(schema: Schema) -> dict[str, dict[str, tuple[str, ...]]]:
    """The paper types whose sections the schema fixes (``if paper_type is T then
    type_checklist.T is ...``, at the top or in an ``allOf``), with their sections."""
    found = {}
    for rule in [schema, *schema.get("allOf", [])]:
        if "if" not in rule:
            continue
        paper_type = rule["if"]["properties"][model.PAPER_TYPE]["const"]
        typed = rule["then"]["properties"][model.TYPE_CHECKLIST]["properties"][paper_type]
        found[paper_type] = _sections(schema, typed)
    return found


def shape_of(schema: Schema, node: Any) -> model.Shape:
    """The model's shape of a top-level member, judged from its schema alone."""
    node = resolve(schema, node)
    if isinstance(node.get("const"), int):
        return "version"
    if node.get("type") == "array":
        items = resolve(schema, node["items"])
        return "entries" if items.get("type") == "object" else "tags"
    if node.get("type") != "object":
        return "value"
    if node.get("maxProperties") == 1:
        return "type_checklist"
    values = [resolve(schema, v) for v in node["properties"].values()]
    if all(_refers_to(v, "engagement_factor") for v in node["properties"].values()):
        return "factors"
    if all(v.get("type") == "object" and v.get("properties") for v in values):
        return "checklist"
    if any(v.get("type") == "array" and v["items"] == {"type": "object"} for v in values):
        return "open"
    return "record"


def mismatches(schema: Schema) -> list[str]:
    """Every way in which ``format.model`` differs from ``schema``; empty when they agree."""
    found: list[str] = []

    def check(what: str, in_model: Any, in_schema: Any) -> None:
        if in_model != in_schema:
            found.append(f"{what}: the model has {in_model!r}, the schema {in_schema!r}")

    defs = schema["$defs"]
    properties = schema["properties"]
    check("version", model.VERSION, properties[model.SCAN_VERSION]["const"])
    check("members", tuple(model.MEMBERS), tuple(schema["required"]))
    check("member properties", tuple(model.MEMBERS), tuple(properties))
    check(
        "shapes",
        dict(model.MEMBERS),
        {name: shape_of(schema, node) for name, node in properties.items()},
    )
    check("item fields", model.ITEM_FIELDS, tuple(defs["item"]["required"]))
    check("item properties", model.ITEM_FIELDS, tuple(defs["item"]["properties"]))
    check("factor fields", model.FACTOR_FIELDS, tuple(defs["engagement_factor"]["required"]))
    check("factor properties", model.FACTOR_FIELDS, tuple(defs["engagement_factor"]["properties"]))
    factors = resolve(schema, properties.get(model.ENGAGEMENT_FACTORS, {}))
    check("factor names", model.ENGAGEMENT_FACTOR_NAMES, tuple(factors.get("required", ())))
    check(
        "universal sections",
        dict(model.CHECKLIST_SECTIONS),
        _sections(schema, properties[model.CHECKLIST]),
    )
    check(
        "type sections",
        {t: dict(sections) for t, sections in model.TYPE_CHECKLIST_SECTIONS.items()},
        fixed_type_checklists(schema),
    )
    entries = {
        name: resolve(schema, node["items"])
        for name, node in properties.items()
        if shape_of(schema, node) == "entries"
    }
    check("entry lists", set(model.ENTRY_IDS), set(entries))
    check(
        "entry fields",
        dict(model.ENTRY_FIELDS),
        {name: tuple(entry["required"]) for name, entry in entries.items()},
    )
    for name, id_field in model.ENTRY_IDS.items():
        id_schema = entries.get(name, {}).get("properties", {}).get(id_field, {})
        check(f"identifying field of {name}", "string", id_schema.get("type"))
    claim = entries.get(model.CLAIMS, {})
    check("claim support field", True, model.CLAIM_SUPPORT in claim.get("required", ()))
    hn_data = resolve(schema, properties.get(model.HN_DATA, {}))
    threads = hn_data.get("properties", {}).get(model.HN_THREADS, {})
    check("hn_data threads", {"type": "object"}, threads.get("items"))
    return found


# --------------------------------------------------------------------------- the real schema


def test_the_model_describes_the_newest_schema() -> None:
    assert _registry().newest == model.VERSION
    assert mismatches(newest_schema()) == []


def test_every_shape_is_used_and_keyed_shapes_have_levels() -> None:
    assert set(model.MEMBERS.values()) == set(get_args(model.Shape))
    assert set(model.KEY_LEVELS) < set(get_args(model.Shape))
    assert {*model.ENTRY_IDS, model.METHODOLOGY_TAGS} == model.UNORDERED_LISTS
    assert model.members("entries") == (model.CLAIMS, model.RED_FLAGS, model.CITED_PAPERS)


def _fixture() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(V4_FIXTURE.read_text(encoding="utf-8"))
    return doc


def test_the_real_scan_has_the_models_structure() -> None:
    doc = _fixture()
    assert tuple(doc) == tuple(model.MEMBERS)
    assert {n: tuple(s) for n, s in doc[model.CHECKLIST].items()} == model.CHECKLIST_SECTIONS
    typed = doc[model.TYPE_CHECKLIST][doc[model.PAPER_TYPE]]
    fixed = model.TYPE_CHECKLIST_SECTIONS[doc[model.PAPER_TYPE]]
    assert {n: tuple(s) for n, s in typed.items()} == fixed
    assert tuple(doc[model.ENGAGEMENT_FACTORS]) == model.ENGAGEMENT_FACTOR_NAMES
    assert all(map(model.is_factor, doc[model.ENGAGEMENT_FACTORS].values()))
    for name, fields in model.ENTRY_FIELDS.items():
        assert doc[name] and all(tuple(entry) == fields for entry in doc[name]), name


def test_checklist_items_walks_every_item_in_document_order() -> None:
    doc = _fixture()
    found = list(model.checklist_items(doc))
    paper_type = doc[model.PAPER_TYPE]
    expected = [
        (model.CHECKLIST, section, name)
        for section, names in model.CHECKLIST_SECTIONS.items()
        for name in names
    ] + [
        (model.TYPE_CHECKLIST, paper_type, section, name)
        for section, names in model.TYPE_CHECKLIST_SECTIONS[paper_type].items()
        for name in names
    ]
    assert [path for path, _ in found] == expected
    for path, item in found:
        node: Any = doc
        for step in path:
            node = node[step]
        assert node is item
        assert model.is_item(item)
        assert tuple(item) == model.ITEM_FIELDS


def test_is_item_and_is_factor_want_exactly_their_fields() -> None:
    item = dict.fromkeys(model.ITEM_FIELDS, "x")
    factor = dict.fromkeys(model.FACTOR_FIELDS, "x")
    assert model.is_item(item) and model.is_factor(factor)
    assert not model.is_item(factor) and not model.is_factor(item)
    assert not model.is_item({**item, "extra": 1})
    assert not model.is_item({k: v for k, v in item.items() if k != model.SOURCE})
    assert not model.is_item(list(item)) and not model.is_factor(None)


# --------------------------------------------------------------------------- a different schema


def _add(node: dict[str, Any], name: str, value: Any) -> None:
    """A required property added to an object schema."""
    node["required"].append(name)
    node["properties"][name] = value


def _drop(node: dict[str, Any], name: str) -> None:
    """A required property removed from an object schema."""
    node["required"].remove(name)
    del node["properties"][name]


def _defs(schema: Schema, *path: str) -> dict[str, Any]:
    node: dict[str, Any] = schema["$defs"]
    for step in path:
        node = node[step]
    return node


def _another_fixed_type(schema: Schema) -> None:
    rule = {key: copy.deepcopy(schema.pop(key)) for key in ("if", "then", "else")}
    other = copy.deepcopy(rule)
    other["if"]["properties"]["paper_type"]["const"] = "survey"
    typed = other["then"]["properties"]["type_checklist"]
    typed["required"] = ["survey"]
    typed["properties"] = {"survey": typed["properties"].pop("empirical")}
    schema["allOf"] = [rule, other]


def _tags_become_entries(schema: Schema) -> None:
    schema["$defs"]["tag"] = {
        "type": "object",
        "required": ["tag"],
        "properties": {"tag": {"type": "string"}},
    }
    schema["properties"]["methodology_tags"]["items"] = {"$ref": "#/$defs/tag"}


def _claims_renamed(schema: Schema) -> None:
    schema["required"] = [n if n != "claims" else "assertions" for n in schema["required"]]
    schema["properties"] = {
        ("assertions" if n == "claims" else n): v for n, v in schema["properties"].items()
    }


ITEM = {"$ref": "#/$defs/item"}
CHANGES: dict[str, Callable[[Schema], None]] = {
    "item field added": lambda s: _add(_defs(s, "item"), "confidence", {"type": "number"}),
    "factor field dropped": lambda s: _drop(_defs(s, "engagement_factor"), "justification"),
    "factor added": lambda s: _add(
        _defs(s, "engagement_factors"), "novelty", {"$ref": "#/$defs/engagement_factor"}
    ),
    "identifying field no longer text": lambda s: _defs(s, "red_flag", "properties").update(
        flag={"type": "integer"}
    ),
    "entry field added": lambda s: _add(_defs(s, "cited_paper"), "year", {"type": "integer"}),
    "universal item added": lambda s: _add(
        _defs(s, "sections", "$defs", "conflicts_of_interest"), "data_access_disclosed", ITEM
    ),
    "empirical section dropped": lambda s: _drop(_defs(s, "empirical_checklist"), "contamination"),
    "another paper type fixed": _another_fixed_type,
    "member added": lambda s: _add(s, "limitations", {"type": "array", "items": ITEM}),
    "tags become entries": _tags_become_entries,
    "newer version": lambda s: s["properties"]["scan_version"].update(const=5),
    "member renamed": _claims_renamed,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_schema_that_differs_from_the_model_is_caught(change: str) -> None:
    schema = newest_schema()
    CHANGES[change](schema)
    assert schema != newest_schema()
    assert mismatches(schema), f"{change}: the model still matches the changed schema"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ITEM_FIELDS", (*model.ITEM_FIELDS, "confidence")),
        ("FACTOR_FIELDS", model.FACTOR_FIELDS[:1]),
        ("ENTRY_IDS", {**model.ENTRY_IDS, model.RED_FLAGS: "name"}),
        ("CHECKLIST_SECTIONS", {**model.CHECKLIST_SECTIONS, "extra": ("item",)}),
        ("MEMBERS", {**model.MEMBERS, model.KEY_FINDINGS: "record"}),
    ],
)
def test_a_model_that_differs_from_the_schema_is_caught(
    monkeypatch: pytest.MonkeyPatch, name: str, value: Any
) -> None:
    monkeypatch.setattr(model, name, value)
    assert mismatches(newest_schema())
