"""The v3 and v4 scan schemas.

Each schema accepts its own fixture and refuses the other; each kind of damage is refused by both
jsonschema and jsonschema_rs (the tools decide pass/fail with the one and explain with the other,
so they must agree), and jsonschema's best match points at the damaged place.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from scanrepo.toolkit import SCHEMA_DIR

FIXTURES = Path(__file__).parents[1] / "data" / "fixtures"
JsonPath = tuple[str | int, ...]
DELETE = object()
"""An edit value meaning: remove the key (or list element) at the path."""

PAPER_KEY = "2602.07852"


@cache
def schema(version: int) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"v{version}.json").read_text("utf-8"))
    return loaded


@cache
def python_validator(version: int) -> Draft202012Validator:
    return Draft202012Validator(schema(version))


@cache
def rust_validator(version: int) -> Any:
    return jsonschema_rs.Draft202012Validator(schema(version))


@cache
def _fixture_text(version: int) -> str:
    return (FIXTURES / f"{PAPER_KEY}.scan-v{version}.json").read_text("utf-8")


def fixture(version: int) -> Any:
    return json.loads(_fixture_text(version))


def best_error(version: int, doc: Any) -> ValidationError:
    error = best_match(python_validator(version).iter_errors(doc))
    assert isinstance(error, ValidationError), "jsonschema accepted the document"
    return error


def item(applies: bool = True, answer: bool = True) -> dict[str, Any]:
    return {"applies": applies, "answer": answer, "justification": "Because.", "source": "opus"}


def v3_item(answer: str = "yes") -> dict[str, Any]:
    return {"answer": answer, "justification": "Because.", "model": "opus"}


@dataclass(frozen=True)
class Case:
    """The fixture of `version` with `edits` applied is refused; the best error is at `path`."""

    id: str
    version: int
    edits: tuple[tuple[JsonPath, Any], ...]
    path: JsonPath

    def document(self) -> Any:
        return edited(fixture(self.version), self.edits)


def edited(doc: Any, edits: tuple[tuple[JsonPath, Any], ...]) -> Any:
    doc = copy.deepcopy(doc)
    for path, value in edits:
        *parents, last = path
        target = doc
        for step in parents:
            target = target[step]
        if value is DELETE:
            del target[last]
        else:
            target[last] = copy.deepcopy(value)
    return doc


ITEM = ("checklist", "claims_and_evidence", "abstract_claims_supported")
NOT_APPLICABLE_ITEM = ("type_checklist", "empirical", "human_studies", "pre_registered")
FACTOR = ("engagement_factors", "fear_safety")
POSITION = (
    (("paper_type",), "position"),
    (("type_checklist",), {"position": {"argument_quality": {"premises_stated": item()}}}),
)
"""Edits that turn the v4 fixture into a valid scan of a non-empirical paper type."""

V4_CASES = [
    Case("missing top-level key", 4, ((("hn_data",), DELETE),), ()),
    Case("unknown top-level key", 4, ((("extra",), 1),), ()),
    Case("scan_version 5", 4, ((("scan_version",), 5),), ("scan_version",)),
    Case("scan_version as string", 4, ((("scan_version",), "4"),), ("scan_version",)),
    Case("paper_type not a string", 4, ((("paper_type",), 5),), ("paper_type",)),
    Case("paper_type not snake_case", 4, ((("paper_type",), "Empirical"),), ("paper_type",)),
    Case("unknown key in paper", 4, ((("paper", "publisher"), "x"),), ("paper",)),
    Case("missing doi", 4, ((("paper", "doi"), DELETE),), ("paper",)),
    Case("v3 arxiv key in paper", 4, ((("paper", "arxiv"), "2602.07852"),), ("paper",)),
    Case("empty title", 4, ((("paper", "title"), ""),), ("paper", "title")),
    Case("author not a string", 4, ((("paper", "authors", 1), 7),), ("paper", "authors", 1)),
    Case("year as string", 4, ((("paper", "year"), "2026"),), ("paper", "year")),
    Case("year before 1900", 4, ((("paper", "year"), 1899),), ("paper", "year")),
    Case("arxiv_id a number", 4, ((("paper", "arxiv_id"), 2602.07852),), ("paper", "arxiv_id")),
    Case(
        "missing universal section",
        4,
        ((("checklist", "scope_and_framing"), DELETE),),
        ("checklist",),
    ),
    Case("extra universal section", 4, ((("checklist", "artifacts"), {}),), ("checklist",)),
    Case("extra universal item", 4, (((*ITEM[:2], "novel_item"), item()),), ITEM[:2]),
    Case("unknown key in item", 4, (((*ITEM, "model"), "opus"),), ITEM),
    Case("missing source", 4, (((*ITEM, "source"), DELETE),), ITEM),
    Case("empty source", 4, (((*ITEM, "source"), ""),), (*ITEM, "source")),
    Case("justification null", 4, (((*ITEM, "justification"), None),), (*ITEM, "justification")),
    Case("answer as string", 4, (((*ITEM, "answer"), "yes"),), (*ITEM, "answer")),
    Case("answer as integer", 4, (((*ITEM, "answer"), 1),), (*ITEM, "answer")),
    Case("applies as string", 4, (((*ITEM, "applies"), "true"),), (*ITEM, "applies")),
    Case(
        "applies false with answer true",
        4,
        (((*NOT_APPLICABLE_ITEM, "answer"), True),),
        (*NOT_APPLICABLE_ITEM, "answer"),
    ),
    Case(
        "type_checklist with two keys",
        4,
        ((("type_checklist", "position"), {}),),
        ("type_checklist",),
    ),
    Case("empty type_checklist", 4, ((("type_checklist",), {}),), ("type_checklist",)),
    Case(
        "empirical paper without empirical checklist",
        4,
        ((("type_checklist",), {"position": {}}),),
        ("type_checklist",),
    ),
    Case(
        "missing empirical section",
        4,
        ((("type_checklist", "empirical", "contamination"), DELETE),),
        ("type_checklist", "empirical"),
    ),
    Case(
        "extra empirical section",
        4,
        ((("type_checklist", "empirical", "novelty"), {}),),
        ("type_checklist", "empirical"),
    ),
    Case(
        "extra empirical item",
        4,
        ((("type_checklist", "empirical", "artifacts", "weights_released"), item()),),
        ("type_checklist", "empirical", "artifacts"),
    ),
    Case(
        "missing empirical item",
        4,
        ((("type_checklist", "empirical", "artifacts", "code_released"), DELETE),),
        ("type_checklist", "empirical", "artifacts"),
    ),
    Case("unknown key in claim", 4, ((("claims", 0, "support"), "strong"),), ("claims", 0)),
    Case(
        "supported maybe", 4, ((("claims", 0, "supported"), "maybe"),), ("claims", 0, "supported")
    ),
    Case("claims not a list", 4, ((("claims",), {}),), ("claims",)),
    Case(
        "tag with capitals", 4, ((("methodology_tags", 1), "Case Study"),), ("methodology_tags", 1)
    ),
    Case("key_findings a list", 4, ((("key_findings",), ["x"]),), ("key_findings",)),
    Case("red flag without detail", 4, ((("red_flags", 0, "detail"), DELETE),), ("red_flags", 0)),
    Case(
        "unknown key in cited paper", 4, ((("cited_papers", 0, "year"), 2025),), ("cited_papers", 0)
    ),
    Case("missing engagement factor", 4, (((*FACTOR[:1], "demo_ability"), DELETE),), FACTOR[:1]),
    Case("extra engagement factor", 4, (((*FACTOR[:1], "virality"), {}),), FACTOR[:1]),
    Case("v3 why in factor", 4, (((*FACTOR, "why"), "x"),), FACTOR),
    Case("score 4", 4, (((*FACTOR, "score"), 4),), (*FACTOR, "score")),
    Case("score -1", 4, (((*FACTOR, "score"), -1),), (*FACTOR, "score")),
    Case("score 1.5", 4, (((*FACTOR, "score"), 1.5),), (*FACTOR, "score")),
    Case("score true", 4, (((*FACTOR, "score"), True),), (*FACTOR, "score")),
    Case("top_points -1", 4, ((("hn_data", "top_points"), -1),), ("hn_data", "top_points")),
    Case(
        "total_points 2**60",
        4,
        ((("hn_data", "total_points"), 2**60),),
        ("hn_data", "total_points"),
    ),
    Case(
        "total_comments 2**53",
        4,
        ((("hn_data", "total_comments"), 2**53),),
        ("hn_data", "total_comments"),
    ),
    Case("thread not an object", 4, ((("hn_data", "threads"), ["x"]),), ("hn_data", "threads", 0)),
    Case("unknown key in hn_data", 4, ((("hn_data", "rank"), 1),), ("hn_data",)),
    Case(
        "non-empirical type_checklist with two keys",
        4,
        (*POSITION, (("type_checklist", "opinion"), {})),
        ("type_checklist",),
    ),
    Case(
        "non-empirical section name not snake_case",
        4,
        (*POSITION, (("type_checklist", "position", "Argument"), {})),
        ("type_checklist", "position"),
    ),
    Case(
        "non-empirical item with unknown key",
        4,
        (
            *POSITION,
            (("type_checklist", "position", "argument_quality", "premises_stated", "x"), 1),
        ),
        ("type_checklist", "position", "argument_quality", "premises_stated"),
    ),
    Case(
        "non-empirical item applies false with answer true",
        4,
        (*POSITION, (("type_checklist", "position", "argument_quality", "x"), item(False, True))),
        ("type_checklist", "position", "argument_quality", "x", "answer"),
    ),
]

V3_ITEM = ("checklist", "artifacts", "code_released")
V3_POSITION = (
    (("paper", "type"), "position"),
    (("checklist", "argument_quality"), {"premises_stated": v3_item()}),
)
V3_CASES = [
    Case("scan_version 4", 3, ((("scan_version",), 4),), ("scan_version",)),
    Case("v4 paper_type at top level", 3, ((("paper_type",), "empirical"),), ()),
    Case("missing paper.type", 3, ((("paper", "type"), DELETE),), ("paper",)),
    Case("v4 arxiv_id in paper", 3, ((("paper", "arxiv_id"), None),), ("paper",)),
    Case("answer maybe", 3, (((*V3_ITEM, "answer"), "maybe"),), (*V3_ITEM, "answer")),
    Case("answer as boolean", 3, (((*V3_ITEM, "answer"), True),), (*V3_ITEM, "answer")),
    Case("v4 source in item", 3, (((*V3_ITEM, "source"), "opus"),), V3_ITEM),
    Case("missing model", 3, (((*V3_ITEM, "model"), DELETE),), V3_ITEM),
    Case(
        "missing universal section",
        3,
        ((("checklist", "scope_and_framing"), DELETE),),
        ("checklist",),
    ),
    Case(
        "missing empirical section", 3, ((("checklist", "contamination"), DELETE),), ("checklist",)
    ),
    Case("unknown section in empirical", 3, ((("checklist", "novelty"), {}),), ("checklist",)),
    Case("extra empirical item", 3, ((("checklist", "artifacts", "x"), v3_item()),), V3_ITEM[:2]),
    Case("v4 supported in claim", 3, ((("claims", 0, "supported"), "strong"),), ("claims", 0)),
    Case("support maybe", 3, ((("claims", 0, "support"), "maybe"),), ("claims", 0, "support")),
    Case(
        "v4 justification in factor",
        3,
        ((("engagement", "fear_safety", "justification"), ""),),
        ("engagement", "fear_safety"),
    ),
    Case(
        "score 4",
        3,
        ((("engagement", "fear_safety", "score"), 4),),
        ("engagement", "fear_safety", "score"),
    ),
    Case(
        "total_points 2**60",
        3,
        ((("hn_data", "total_points"), 2**60),),
        ("hn_data", "total_points"),
    ),
    Case(
        "non-empirical item answer maybe",
        3,
        (*V3_POSITION, (("checklist", "argument_quality", "premises_stated", "answer"), "maybe")),
        ("checklist", "argument_quality", "premises_stated", "answer"),
    ),
]


@pytest.mark.parametrize("version", [3, 4])
def test_schema_is_a_valid_2020_12_schema_with_its_identity(version: int) -> None:
    loaded = schema(version)
    Draft202012Validator.check_schema(loaded)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert loaded["$id"] == f"urn:scanrepo:schema:v{version}"
    assert loaded["title"]
    assert loaded["description"]
    assert loaded["properties"]["scan_version"] == {"const": version}


@pytest.mark.parametrize(("doc_version", "schema_version"), [(3, 3), (3, 4), (4, 3), (4, 4)])
def test_fixture_matches_its_own_version_only(doc_version: int, schema_version: int) -> None:
    doc = fixture(doc_version)
    expected = doc_version == schema_version
    assert python_validator(schema_version).is_valid(doc) is expected
    assert rust_validator(schema_version).is_valid(doc) is expected


@pytest.mark.parametrize("case", V4_CASES + V3_CASES, ids=lambda c: f"v{c.version}-{c.id}")
def test_damage_is_refused_by_both_validators_at_its_path(case: Case) -> None:
    doc = case.document()
    assert not rust_validator(case.version).is_valid(doc)
    error = best_error(case.version, doc)
    assert tuple(error.absolute_path) == case.path, error.message


@pytest.mark.parametrize(("version", "edits"), [(4, POSITION), (3, V3_POSITION)], ids=["v4", "v3"])
def test_non_empirical_paper_type_is_accepted_by_both(
    version: int, edits: tuple[tuple[JsonPath, Any], ...]
) -> None:
    doc = edited(fixture(version), edits)
    assert python_validator(version).is_valid(doc)
    assert rust_validator(version).is_valid(doc)


def test_non_empirical_paper_still_needs_the_universal_sections() -> None:
    doc = edited(fixture(4), (*POSITION, (("checklist", "conflicts_of_interest"), DELETE)))
    assert not rust_validator(4).is_valid(doc)
    error = best_error(4, doc)
    assert tuple(error.absolute_path) == ("checklist",)
    assert error.message == "'conflicts_of_interest' is a required property"


def test_not_applicable_item_answered_true_is_explained() -> None:
    error = best_error(4, edited(fixture(4), (((*NOT_APPLICABLE_ITEM, "answer"), True),)))
    assert error.message == "False was expected"
    assert isinstance(error.schema, dict)
    assert "answer must be false where applies is false" in error.schema["description"]


@pytest.mark.parametrize(
    ("version", "edits", "fragment"),
    [
        (
            4,
            ((("claims", 0, "supported"), "maybe"),),
            "'maybe' is not one of ['strong', 'moderate', 'weak', 'unsupported']",
        ),
        (3, (((*V3_ITEM, "answer"), "maybe"),), "'maybe' is not one of ['yes', 'no', 'n/a']"),
        (4, ((("type_checklist", "position"), {}),), "('position' was unexpected)"),
        (4, ((("paper", "publisher"), "x"),), "('publisher' was unexpected)"),
        (4, (((*FACTOR, "score"), 4),), "4 is greater than the maximum of 3"),
    ],
    ids=["v4-supported", "v3-answer", "two-type-keys", "unknown-key", "score"],
)
def test_best_match_messages_name_the_allowed_values(
    version: int, edits: tuple[tuple[JsonPath, Any], ...], fragment: str
) -> None:
    error = best_error(version, edited(fixture(version), edits))
    assert fragment in error.message
