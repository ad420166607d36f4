"""A toy v5 in which every checklist item gains a ``confidence``, its right migration and four
wrong ones, written into a copy of the schemas and migrations (for tools/schema check's tests)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

from conftest import ROOT

SUMMARY = "Every checklist item gains a confidence (a toy step, for the tests only)."
HEAD = f'''"""{SUMMARY}"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from scanrepo.errors import MigrationError

FROM_VERSION = 4
TO_VERSION = 5


def _items(scan: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for name, section in scan["checklist"].items():
        for item_name, item in section.items():
            yield ("checklist", name, item_name), item
    for paper_type, sections in scan["type_checklist"].items():
        for name, section in sections.items():
            for item_name, item in section.items():
                yield ("type_checklist", paper_type, name, item_name), item

'''

RIGHT_UP = """
def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(scan)
    out["scan_version"] = 5
    for _, item in _items(out):
        item["confidence"] = None
    return out
"""

RIGHT_DOWN = """
def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(scan)
    out["scan_version"] = 4
    for path, item in _items(out):
        if item.pop("confidence") is not None:
            raise MigrationError((*path, "confidence"), "v4 has no confidence")
    return out
"""

# upgrade forgets the required member
FORGETS = """
def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(scan)
    out["scan_version"] = 5
    return out
"""

# downgrade refuses a confidence it cannot carry in type_checklist, but drops it in checklist
LOSES = """
def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(scan)
    out["scan_version"] = 4
    for path, item in _items(out):
        if item.pop("confidence") is not None and path[0] == "type_checklist":
            raise MigrationError((*path, "confidence"), "v4 has no confidence")
    return out
"""

# upgrade writes into the scan it was given
MUTATES = """
def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    for _, item in _items(scan):
        item["confidence"] = None
    out = copy.deepcopy(scan)
    out["scan_version"] = 5
    return out
"""

# downgrade takes every paper for an empirical one
KEY_ERROR = """
def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    types = scan["type_checklist"]
    sections = types["empirical"]
    out = copy.deepcopy(scan)
    out["scan_version"] = 4
    out["type_checklist"] = {"empirical": copy.deepcopy(sections)}
    for path, item in _items(out):
        if item.pop("confidence") is not None:
            raise MigrationError((*path, "confidence"), "v4 has no confidence")
    return out
"""

# upgrade fails one call in five, whatever the scan
UNSTABLE = """
_CALLS = [0]


def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    _CALLS[0] += 1
    if _CALLS[0] % 5 == 0:
        raise ValueError("every fifth call")
    out = copy.deepcopy(scan)
    out["scan_version"] = 5
    for _, item in _items(out):
        item["confidence"] = None
    return out
"""

WRONG = {
    "forgets": FORGETS + RIGHT_DOWN,
    "loses": RIGHT_UP + LOSES,
    "mutates": MUTATES + RIGHT_DOWN,
    "key error": RIGHT_UP + KEY_ERROR,
    "unstable": UNSTABLE + RIGHT_DOWN,
}


def v5_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / "schema/v4.json").read_text(encoding="utf-8"))
    schema = copy.deepcopy(schema)
    schema["$id"] = "urn:scanrepo:schema:v5"
    schema["properties"]["scan_version"] = {"const": 5}
    item = schema["$defs"]["item"]
    item["required"].append("confidence")
    item["properties"]["confidence"] = {"enum": [None, "low", "medium", "high"]}
    return schema


def checkout(where: Path, migration: str = RIGHT_UP + RIGHT_DOWN, tools: bool = False) -> Path:
    """A copy of the schemas and migrations (and ``tools``: of the tools) with the toy v5 and
    ``migration`` added."""
    ignore = shutil.ignore_patterns("__pycache__", ".*_cache")
    for folder in ("tools", "schema", "migrations") if tools else ("schema", "migrations"):
        shutil.copytree(ROOT / folder, where / folder, ignore=ignore, symlinks=True)
    (where / "schema/v5.json").write_text(json.dumps(v5_schema(), indent=2), encoding="utf-8")
    (where / "migrations/v4_to_v5.py").write_text(HEAD + migration, encoding="utf-8")
    return where
