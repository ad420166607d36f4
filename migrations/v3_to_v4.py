"""Split the checklist into universal and type sections; answers become applies/answer booleans.

v3 -> v4, field by field:

* ``paper.type`` becomes the top-level ``paper_type`` (right after ``scan_version``);
  ``paper.arxiv`` becomes ``paper.arxiv_id``;
* the four universal sections stay in ``checklist``; every other section moves, in order,
  under ``type_checklist[paper_type]``;
* an item ``{answer, justification, model}`` becomes ``{applies, answer, justification, source}``
  with ``"yes"`` = (true, true), ``"no"`` = (true, false), ``"n/a"`` = (false, false);
* a claim's ``support`` becomes ``supported``;
* ``engagement`` becomes ``engagement_factors`` and each factor's ``why`` its ``justification``.

Every object the formats describe is rebuilt in the formats' key order, so key order in the input
carries no information. Anything that cannot be carried without loss or guesswork (an unknown
key, a missing key, an answer outside yes/no/n/a, applies false with answer true, a type section
named like a universal one) raises MigrationError with its JSON path; nothing is half-converted.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from scanrepo.errors import MigrationError
from scanrepo.format.jsonpath import JsonPath

FROM_VERSION = 3
TO_VERSION = 4

UNIVERSAL_SECTIONS = (
    "claims_and_evidence",
    "limitations_and_scope",
    "conflicts_of_interest",
    "scope_and_framing",
)
V3_KEYS = (
    "scan_version",
    "paper",
    "checklist",
    "claims",
    "methodology_tags",
    "key_findings",
    "red_flags",
    "cited_papers",
    "engagement",
    "hn_data",
)
V4_KEYS = (
    "scan_version",
    "paper_type",
    "paper",
    "checklist",
    "type_checklist",
    "claims",
    "methodology_tags",
    "key_findings",
    "red_flags",
    "cited_papers",
    "engagement_factors",
    "hn_data",
)
V3_PAPER = ("title", "authors", "year", "venue", "type", "arxiv", "doi")
V4_PAPER = ("title", "authors", "year", "venue", "arxiv_id", "doi")
V3_ITEM = ("answer", "justification", "model")
V4_ITEM = ("applies", "answer", "justification", "source")

# Renamings of the records both versions have, v3 key -> v4 key, in the formats' key order.
CLAIM = {"claim": "claim", "evidence": "evidence", "support": "supported"}
FACTOR = {"score": "score", "why": "justification"}
RED_FLAG = {"flag": "flag", "detail": "detail"}
CITED_PAPER = {"title": "title", "relevance": "relevance"}
HN_DATA = {name: name for name in ("threads", "top_points", "total_points", "total_comments")}

ANSWERS = {"yes": (True, True), "no": (True, False), "n/a": (False, False)}
V3_ANSWERS = {pair: answer for answer, pair in ANSWERS.items()}


def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    """The v4 form of a v3 scan."""
    _version(scan, 3)
    top = _object(scan, (), V3_KEYS)
    paper = _object(top["paper"], ("paper",), V3_PAPER)
    paper_type = _string(paper["type"], ("paper", "type"))
    checklist = _mapping(top["checklist"], ("checklist",))
    _require(checklist, ("checklist",), UNIVERSAL_SECTIONS, "universal section")
    sections = _sections(checklist, ("checklist",), _item_up)
    return {
        "scan_version": TO_VERSION,
        "paper_type": paper_type,
        "paper": {
            "title": _copy(paper["title"]),
            "authors": _copy(paper["authors"]),
            "year": _copy(paper["year"]),
            "venue": _copy(paper["venue"]),
            "arxiv_id": _copy(paper["arxiv"]),
            "doi": _copy(paper["doi"]),
        },
        "checklist": {name: s for name, s in sections.items() if name in UNIVERSAL_SECTIONS},
        "type_checklist": {
            paper_type: {name: s for name, s in sections.items() if name not in UNIVERSAL_SECTIONS}
        },
        "claims": _records(top["claims"], ("claims",), CLAIM),
        "methodology_tags": _copy(top["methodology_tags"]),
        "key_findings": _copy(top["key_findings"]),
        "red_flags": _records(top["red_flags"], ("red_flags",), RED_FLAG),
        "cited_papers": _records(top["cited_papers"], ("cited_papers",), CITED_PAPER),
        "engagement_factors": {
            name: _renamed(factor, ("engagement", name), FACTOR)
            for name, factor in _mapping(top["engagement"], ("engagement",)).items()
        },
        "hn_data": _renamed(top["hn_data"], ("hn_data",), HN_DATA),
    }


def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    """The v3 form of a v4 scan."""
    _version(scan, 4)
    top = _object(scan, (), V4_KEYS)
    paper_type = _string(top["paper_type"], ("paper_type",))
    paper = _object(top["paper"], ("paper",), V4_PAPER)
    checklist = _mapping(top["checklist"], ("checklist",))
    for name in checklist:
        if name not in UNIVERSAL_SECTIONS:
            raise MigrationError(
                ("checklist", name),
                f"{name!r} is not a universal section; it belongs under type_checklist",
            )
    _require(checklist, ("checklist",), UNIVERSAL_SECTIONS, "universal section")
    type_checklist = _mapping(top["type_checklist"], ("type_checklist",))
    for name in type_checklist:
        if name != paper_type:
            raise MigrationError(
                ("type_checklist", name),
                f"type_checklist may only hold the paper_type {paper_type!r}",
            )
    _require(type_checklist, ("type_checklist",), (paper_type,), "paper_type's checklist")
    type_sections = _mapping(type_checklist[paper_type], ("type_checklist", paper_type))
    for name in type_sections:
        if name in UNIVERSAL_SECTIONS:
            raise MigrationError(
                ("type_checklist", paper_type, name),
                f"type section {name!r} has the name of a universal section; "
                "v3's single checklist cannot hold both",
            )
    factors = {
        name: _renamed(factor, ("engagement_factors", name), _inverse(FACTOR))
        for name, factor in _mapping(top["engagement_factors"], ("engagement_factors",)).items()
    }
    return {
        "scan_version": FROM_VERSION,
        "paper": {
            "title": _copy(paper["title"]),
            "authors": _copy(paper["authors"]),
            "year": _copy(paper["year"]),
            "venue": _copy(paper["venue"]),
            "type": paper_type,
            "arxiv": _copy(paper["arxiv_id"]),
            "doi": _copy(paper["doi"]),
        },
        "checklist": {
            **_sections(checklist, ("checklist",), _item_down),
            **_sections(type_sections, ("type_checklist", paper_type), _item_down),
        },
        "claims": _records(top["claims"], ("claims",), _inverse(CLAIM)),
        "methodology_tags": _copy(top["methodology_tags"]),
        "key_findings": _copy(top["key_findings"]),
        "red_flags": _records(top["red_flags"], ("red_flags",), RED_FLAG),
        "cited_papers": _records(top["cited_papers"], ("cited_papers",), CITED_PAPER),
        "engagement": factors,
        "hn_data": _renamed(top["hn_data"], ("hn_data",), HN_DATA),
    }


def _item_up(item: Any, path: JsonPath) -> dict[str, Any]:
    item = _object(item, path, V3_ITEM)
    answer = item["answer"]
    if not isinstance(answer, str) or answer not in ANSWERS:
        raise MigrationError(
            (*path, "answer"), f'answer must be "yes", "no" or "n/a", not {_show(answer)}'
        )
    applies, value = ANSWERS[answer]
    return {
        "applies": applies,
        "answer": value,
        "justification": _copy(item["justification"]),
        "source": _copy(item["model"]),
    }


def _item_down(item: Any, path: JsonPath) -> dict[str, Any]:
    item = _object(item, path, V4_ITEM)
    for key in ("applies", "answer"):
        if type(item[key]) is not bool:
            raise MigrationError(
                (*path, key), f"{key} must be true or false, not {_show(item[key])}"
            )
    pair = (item["applies"], item["answer"])
    if pair not in V3_ANSWERS:
        raise MigrationError(
            (*path, "answer"), "answer is true where applies is false; v3 has no such answer"
        )
    return {
        "answer": V3_ANSWERS[pair],
        "justification": _copy(item["justification"]),
        "model": _copy(item["source"]),
    }


def _sections(
    sections: dict[str, Any], path: JsonPath, convert: Callable[[Any, JsonPath], dict[str, Any]]
) -> dict[str, Any]:
    return {
        name: {
            item_name: convert(item, (*path, name, item_name))
            for item_name, item in _mapping(section, (*path, name)).items()
        }
        for name, section in sections.items()
    }


def _records(value: Any, path: JsonPath, renaming: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise MigrationError(path, f"expected an array, not {_kind(value)}")
    return [_renamed(record, (*path, i), renaming) for i, record in enumerate(value)]


def _renamed(value: Any, path: JsonPath, renaming: dict[str, str]) -> dict[str, Any]:
    record = _object(value, path, tuple(renaming))
    return {new: _copy(record[old]) for old, new in renaming.items()}


def _inverse(renaming: dict[str, str]) -> dict[str, str]:
    return {new: old for old, new in renaming.items()}


def _copy(value: Any) -> Any:
    """``copy.deepcopy`` for parsed JSON, without its bookkeeping: strings, numbers, booleans
    and null are immutable and shared; other types still go through ``copy.deepcopy``."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is list:
        return [_copy(item) for item in value]
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    return copy.deepcopy(value)


def _version(scan: Any, expected: int) -> None:
    _mapping(scan, ())
    if "scan_version" not in scan:
        raise MigrationError(("scan_version",), "missing")
    version = scan["scan_version"]
    if type(version) is not int or version != expected:
        raise MigrationError(("scan_version",), f"expected {expected}, not {_show(version)}")


def _object(value: Any, path: JsonPath, keys: tuple[str, ...]) -> dict[str, Any]:
    """``value`` as an object with exactly ``keys`` (in any order)."""
    record = _mapping(value, path)
    if len(record) == len(keys) and all(map(record.__contains__, keys)):
        return record  # the usual case, decided without a loop in Python
    for key in record:
        if key not in keys:
            raise MigrationError((*path, key), f"unknown key; expected only {', '.join(keys)}")
    _require(record, path, keys, "key")
    return record


def _require(record: dict[str, Any], path: JsonPath, keys: tuple[str, ...], what: str) -> None:
    for key in keys:
        if key not in record:
            raise MigrationError((*path, key), f"missing {what}")


def _mapping(value: Any, path: JsonPath) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MigrationError(path, f"expected an object, not {_kind(value)}")
    return value


def _string(value: Any, path: JsonPath) -> str:
    if not isinstance(value, str):
        raise MigrationError(path, f"expected a string, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _show(value: Any) -> str:
    """A short rendering of a scalar for a message; never echoes a whole structure."""
    if not (value is None or isinstance(value, str | int | float)):
        return _kind(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
