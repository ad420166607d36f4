"""What a schema asks of each place in a scan: the schema walked into facts by scan path.

A scan path is where a value sits in a scan, written as JSON paths are, with ``*`` for any
member of an object (``additionalProperties``, ``patternProperties``) and ``[*]`` for any
element of an array (``items``): ``$.type_checklist.*.*.*.answer``. The walk follows local
``$ref``s (``#/$defs/...``), ``properties``, ``patternProperties``, ``additionalProperties``,
``unevaluatedProperties``, ``items``, ``prefixItems``, ``allOf``, ``anyOf``/``oneOf`` and
``if``/``then``/``else``. What a branch asks holds only where its condition does, so facts are
kept by scan path *and* condition (``paper_type = "empirical"``; ``not (...)`` for ``else``;
``alternative 2 of oneOf``): the same rule under the same condition is the same rule.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from scanrepo.errors import ScanRepoError
from scanrepo.format.jsonpath import format_json_path

ANY_KEY = "*"
ANY_INDEX = -1
Segment = str | int
ScanPath = tuple[Segment, ...]
Condition = tuple[str, ...]
Key = tuple[ScanPath, Condition]

# Keywords that describe and never decide whether a scan is valid.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
# Keywords the walk reads itself; any other is compared as written (``Facts.others``).
_WALKED = frozenset(
    {
        "$ref",
        "$defs",
        "type",
        "enum",
        "const",
        "required",
        "properties",
        "patternProperties",
        "additionalProperties",
        "unevaluatedProperties",
        "items",
        "prefixItems",
        "pattern",
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
        *LOWER_BOUNDS,
        *UPPER_BOUNDS,
    }
)
MAX_DEPTH = 64
# A schema whose $refs fan out (each definition using the next twice, thirty deep) would take
# billions of steps to walk; the scan schemas take a few thousand.
MAX_STEPS = 200_000


def render_path(path: ScanPath) -> str:
    """``$.checklist.*.*.confidence``, ``$.claims[*].supported``."""
    text = "$"
    for segment in path:
        if segment == ANY_KEY:
            text += ".*"
        elif segment == ANY_INDEX:
            text += "[*]"
        else:
            text += format_json_path((segment,))[1:]
    return text


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class Facts:
    """Everything the schema asks of one place in a scan, under one condition."""

    types: frozenset[str] | None = None
    values: frozenset[str] | None = None  # enum or const, each as JSON text
    required: set[str] = field(default_factory=set)
    members: list[str] = field(default_factory=list)  # named properties, in schema order
    closed: bool = False
    bounds: dict[str, float] = field(default_factory=dict)
    patterns: set[str] = field(default_factory=set)
    others: dict[str, str] = field(default_factory=dict)  # keyword -> JSON text
    description: str | None = None
    definitions: set[str] = field(default_factory=set)  # the $defs reached here

    def add(self, schema: Mapping[str, Any], definition: str | None) -> None:
        if definition is not None:
            self.definitions.add(definition)
        if self.description is None and isinstance(schema.get("description"), str):
            self.description = schema["description"]
        if "type" in schema:
            declared = schema["type"]
            types = frozenset([declared] if isinstance(declared, str) else map(str, declared))
            self.types = types if self.types is None else self.types & types
        for keyword in ("enum", "const"):
            if keyword in schema:
                raw = schema[keyword]
                values = frozenset(map(_json, raw if keyword == "enum" else [raw]))
                self.values = values if self.values is None else self.values & values
        self.required.update(schema.get("required", ()))
        for name in schema.get("properties", {}):
            if name not in self.members:
                self.members.append(name)
        if schema.get("additionalProperties") is False:
            self.closed = True
        if schema.get("unevaluatedProperties") is False:
            self.closed = True
        for keyword in LOWER_BOUNDS + UPPER_BOUNDS:
            if isinstance(schema.get(keyword), int | float):
                value = float(schema[keyword])
                tighter = max if keyword in LOWER_BOUNDS else min
                known = self.bounds.get(keyword)
                self.bounds[keyword] = value if known is None else tighter(known, value)
        if isinstance(schema.get("pattern"), str):
            self.patterns.add(schema["pattern"])
        for keyword, value in schema.items():
            if keyword not in _WALKED and keyword not in ANNOTATIONS:
                text = _json(value)
                known_text = self.others.get(keyword)
                self.others[keyword] = (
                    text if known_text in (None, text) else f"{known_text} & {text}"
                )

    def signature(self) -> str:
        """Everything that decides validity, as text: equal signatures ask the same."""
        return _json(
            {
                "types": sorted(self.types) if self.types is not None else None,
                "values": sorted(self.values) if self.values is not None else None,
                "required": sorted(self.required),
                "members": sorted(self.members),
                "closed": self.closed,
                "bounds": self.bounds,
                "patterns": sorted(self.patterns),
                "others": self.others,
            }
        )


def _sibling(condition: Condition) -> Condition:
    """The other branch of a condition's last ``if``: ``X`` and ``not (X)``."""
    last = condition[-1]
    other = last[5:-1] if last.startswith("not (") and last.endswith(")") else f"not ({last})"
    return (*condition[:-1], other)


def both(a: Facts, b: Facts) -> Facts:
    """What ``a`` and ``b`` ask together (both apply to the value)."""
    types = b.types if a.types is None else a.types if b.types is None else a.types & b.types
    values = b.values if a.values is None else a.values if b.values is None else a.values & b.values
    bounds = dict(a.bounds)
    for keyword, value in b.bounds.items():
        tighter = max if keyword in LOWER_BOUNDS else min
        bounds[keyword] = tighter(bounds[keyword], value) if keyword in bounds else value
    return Facts(
        types=types,
        values=values,
        required=a.required | b.required,
        members=list(dict.fromkeys([*a.members, *b.members])),
        closed=a.closed or b.closed,
        bounds=bounds,
        patterns=a.patterns | b.patterns,
        others={**b.others, **a.others},
        description=a.description or b.description,
        definitions=a.definitions | b.definitions,
    )


def either(a: Facts, b: Facts) -> Facts:
    """What is asked of a value that meets ``a`` or ``b`` (one of two cases)."""
    looser = {
        keyword: (min if keyword in LOWER_BOUNDS else max)(value, b.bounds[keyword])
        for keyword, value in a.bounds.items()
        if keyword in b.bounds
    }
    return Facts(
        types=None if a.types is None or b.types is None else a.types | b.types,
        values=None if a.values is None or b.values is None else a.values | b.values,
        required=a.required & b.required,
        members=list(dict.fromkeys([*a.members, *b.members])),
        closed=a.closed and b.closed,
        bounds=looser,
        patterns=a.patterns & b.patterns,
        others={k: v for k, v in a.others.items() if b.others.get(k) == v},
        description=a.description or b.description,
        definitions=a.definitions | b.definitions,
    )


class Shape:
    """A schema as facts by (scan path, condition), and its definitions by name."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.facts: dict[Key, Facts] = {}
        self.definitions: dict[str, Any] = dict(_definitions(schema))
        self._steps = 0
        self._walk(schema, (), (), None, (), 0)

    def at(self, path: ScanPath, condition: Condition = ()) -> Facts | None:
        return self.facts.get((path, condition))

    def paths(self) -> list[ScanPath]:
        """Every scan path, each once, in the order the walk met them."""
        return list(dict.fromkeys(path for path, _ in self.facts))

    def conditions(self, path: ScanPath) -> list[Condition]:
        return [condition for (p, condition) in self.facts if p == path]

    def merged(self, path: ScanPath) -> Facts:
        """What a value at ``path`` meets in whichever case it is: each condition's facts with
        those of the conditions it lies under, and the unconditional ones alone unless the
        conditions cover every case (an ``if`` with its ``else``) or there are none."""
        conditions = self.conditions(path)
        leaves = [c for c in conditions if not any(o[: len(c)] == c != o for o in conditions)]
        covered = all(bool(c) and _sibling(c) in conditions for c in leaves)
        # a place only branches speak of is described by them (outside them it is unconstrained,
        # and usually not allowed by its object at all)
        cases = leaves if covered or () not in conditions else [*leaves, ()]
        result: Facts | None = None
        for case in dict.fromkeys(cases):
            facts = Facts()
            for length in range(len(case) + 1):
                if (path, case[:length]) in self.facts:
                    facts = both(facts, self.facts[(path, case[:length])])
            result = facts if result is None else either(result, facts)
        return result or Facts()

    def _facts(self, path: ScanPath, condition: Condition) -> Facts:
        return self.facts.setdefault((path, condition), Facts())

    def _resolve(self, ref: str) -> tuple[str, Any] | None:
        """The definition a local ``$ref`` names, as (its name, its schema), or None."""
        if not ref.startswith("#"):
            return None
        node: Any = self.schema
        pointer = ref[1:]
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        for part in parts:
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        name = "/".join(p for p in parts if p != "$defs") if parts else "#"
        return name, node

    def _walk(
        self,
        schema: Any,
        path: ScanPath,
        condition: Condition,
        definition: str | None,
        refs: tuple[str, ...],
        depth: int,
    ) -> None:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise ScanRepoError(
                f"the schema reaches more than {MAX_STEPS:,} places through its $refs; "
                "too many to compare"
            )
        facts = self._facts(path, condition)
        if schema is False:
            facts.others["false"] = "true"
            return
        if not isinstance(schema, Mapping) or depth > MAX_DEPTH:
            return
        facts.add(schema, definition)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = self._resolve(ref)
            if target is None:
                facts.others["$ref"] = _json(ref)
            elif ref in refs:
                facts.others["recursive $ref"] = _json(ref)
            else:
                self._walk(target[1], path, condition, target[0], (*refs, ref), depth + 1)

        def child(sub: Any, sub_path: ScanPath, sub_condition: Condition = condition) -> None:
            self._walk(sub, sub_path, sub_condition, None, refs, depth + 1)

        for name, sub in schema.get("properties", {}).items():
            child(sub, (*path, name))
        for sub in schema.get("patternProperties", {}).values():
            child(sub, (*path, ANY_KEY))
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if isinstance(schema.get(keyword), Mapping):
                child(schema[keyword], (*path, ANY_KEY))
        for index, sub in enumerate(schema.get("prefixItems", ())):
            child(sub, (*path, index))
        if isinstance(schema.get("items"), Mapping):
            child(schema["items"], (*path, ANY_INDEX))
        for sub in schema.get("allOf", ()):
            child(sub, path)
        for keyword in ("anyOf", "oneOf"):
            for number, sub in enumerate(schema.get(keyword, ()), 1):
                child(sub, path, (*condition, f"alternative {number} of {keyword}"))
        if "if" in schema:
            test = self._describe(schema["if"])
            if "then" in schema:
                child(schema["then"], path, (*condition, test))
            if "else" in schema:
                child(schema["else"], path, (*condition, f"not ({test})"))

    def _describe(self, test: Any, prefix: str = "") -> str:
        """An ``if`` schema in words: ``paper_type = "empirical"``, else its JSON."""
        if isinstance(test, Mapping):
            parts: list[str] = []
            for name, sub in test.get("properties", {}).items():
                if isinstance(sub, Mapping) and "const" in sub:
                    parts.append(f"{prefix}{name} = {_json(sub['const'])}")
                elif isinstance(sub, Mapping) and "enum" in sub:
                    parts.append(f"{prefix}{name} in {_json(sub['enum'])}")
                elif isinstance(sub, Mapping) and "properties" in sub:
                    parts.append(self._describe(sub, f"{prefix}{name}."))
                else:
                    parts.append(f"{prefix}{name} matches {_json(sub)}")
            rest = {k: v for k, v in test.items() if k not in ("properties", "required")}
            if parts and not rest:
                return " and ".join(parts)
        return f"{prefix}matches {_json(test)}"


def _definitions(schema: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every definition, nested ones named by their path: ``sections/artifacts``."""
    for name, sub in schema.get("$defs", {}).items():
        yield f"{prefix}{name}", sub
        if isinstance(sub, Mapping):
            yield from _definitions(sub, f"{prefix}{name}/")


def decisive(value: Any) -> Any:
    """``value`` without its annotations (description, title, ...): what decides validity.

    Under ``properties``, ``patternProperties`` and ``$defs`` the keys are names, not keywords,
    so a member called ``title`` is kept.
    """
    if isinstance(value, Mapping):
        return {
            key: (
                {name: decisive(sub) for name, sub in child.items()}
                if key in ("properties", "patternProperties", "$defs", "dependentSchemas")
                and isinstance(child, Mapping)
                else decisive(child)
            )
            for key, child in value.items()
            if key not in ANNOTATIONS
        }
    if isinstance(value, list):
        return [decisive(item) for item in value]
    return value


def number_text(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and value == int(value) else str(value)
