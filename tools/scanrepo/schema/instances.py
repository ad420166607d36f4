"""Documents valid against a JSON Schema (draft 2020-12), drawn by hypothesis so that a failing one
shrinks to a minimal one: optional members left out, arrays and strings shorter, numbers nearer
zero, the first branch of an ``anyOf``, ``oneOf`` or ``if``.

hypothesis-jsonschema, the usual tool, knows drafts 4 to 7: it does not read 2020-12's
``$defs``, ``prefixItems``, ``dependentRequired`` or ``unevaluatedProperties``. This generator
knows every keyword in ``SUPPORTED`` and refuses a schema that uses any other, naming the keyword
and where it stands, rather than honour it by halves.

A value is drawn for a conjunction: every subschema that applies at its place (``$ref`` targets
and ``allOf`` members join it; ``anyOf``, ``oneOf`` and ``if`` draw a branch and add it) and the
subschemas it must *not* satisfy (``not``, the other branches of a ``oneOf``, the ``if`` of an
``else``). A negated object condition is pushed into a member (an object that must not have
``type: "empirical"`` gets a ``type`` that is not ``"empirical"``); a finite domain (``const``,
``enum``, booleans, null) is drawn among the values every subschema allows; anything else is
built from the keywords, checked where they do not make it valid by construction, and drawn
again a few times before the example is rejected.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any
from urllib.parse import unquote

from hypothesis import reject
from hypothesis import strategies as st

from scanrepo.errors import ScanRepoError

ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
SUPPORTED = ANNOTATIONS | {
    "type",
    "enum",
    "const",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "properties",
    "required",
    "additionalProperties",
    "unevaluatedProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
}
# Where a keyword's value holds subschemas: one, a list of them, or a map of names to them.
_ONE = frozenset(
    {"additionalProperties", "unevaluatedProperties", "propertyNames", "items", "not", "if"}
    | {"then", "else"}
)
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_MAP = frozenset({"properties", "patternProperties", "$defs"})

TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
EXTRA = 3  # members or items beyond the least a schema asks for
TEXT = 8  # characters beyond the least a schema asks for
RETRIES = 5  # draws of one value before the example is rejected
MAX_DEPTH = 32  # nesting of drawn values
MAX_EXPANSION = 1000  # subschemas one value may gather ($ref cycles that never descend)

ALPHABET = st.characters(codec="utf-8")  # no lone surrogates: a scan is UTF-8
STRING = {"type": "string"}  # a fixed object: verdicts are cached by the identity of schemas
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(ALPHABET, max_size=TEXT)
)
FREE = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=EXTRA)
        | st.dictionaries(st.text(ALPHABET, max_size=TEXT), inner, max_size=EXTRA)
    ),
    max_leaves=2 * EXTRA,
)  # any JSON value, for a place no keyword constrains


def keywords(schema: Any, pointer: str = "#") -> Iterator[tuple[str, str]]:
    """(keyword, JSON pointer of the schema that uses it) for every keyword anywhere in
    ``schema``, subschemas included; names of properties and definitions are not keywords."""
    if not isinstance(schema, dict):
        return
    for keyword, value in schema.items():
        yield keyword, pointer
        here = f"{pointer}/{_escape(keyword)}"
        if keyword in _ONE:
            yield from keywords(value, here)
        elif keyword in _LIST and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from keywords(sub, f"{here}/{i}")
        elif keyword in _MAP and isinstance(value, dict):
            for name, sub in value.items():
                yield from keywords(sub, f"{here}/{_escape(name)}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unsupported(schema: Any) -> list[tuple[str, str]]:
    """(keyword, pointer) of each use of a keyword this generator does not know."""
    return [(k, at) for k, at in keywords(schema) if k not in SUPPORTED]


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """An ECMA-262 pattern as Python reads it: ``$`` only at the very end, ``\\d`` only ASCII."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        out.append("\\Z" if char == "$" and not in_class else char)
        i += 1
    return re.compile("".join(out), re.ASCII)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class Instances:
    """The instances of one schema; ``strategy`` draws them.

    What can be worked out once is: the subschemas a schema brings in through ``$ref`` and
    ``allOf``, and for each conjunction met, its finite domain, types and object members (keyed
    by the identity of its subschemas, which the schema keeps alive).
    """

    def __init__(self, schema: Any) -> None:
        found = unsupported(schema)
        if found:
            uses = ", ".join(f"{k!r} at {at}" for k, at in found[:5])
            plural = "s" if len(found) > 1 else ""
            raise ScanRepoError(
                f"the scan generator does not know the schema keyword{plural} {uses}"
                f"{' and more' if len(found) > 5 else ''}; it knows "
                + ", ".join(sorted(SUPPORTED - ANNOTATIONS))
            )
        import jsonschema

        self.root = schema
        self._validator = jsonschema.validators.validator_for(schema)(schema)
        self._verdicts: dict[tuple[int, str], bool] = {}
        self._closures: dict[int, list[Any]] = {}
        self._plans: dict[tuple[tuple[int, ...], tuple[int, ...]], _Plan] = {}
        self.strategy: st.SearchStrategy[Any] = st.composite(
            lambda draw: self._value(draw, [schema], [], 0)
        )()

    # --- schemas -------------------------------------------------------------------------

    def valid(self, value: Any, schema: Any) -> bool:
        """Whether ``value`` satisfies ``schema``, a subschema of this one (verdicts on
        scalars are kept)."""
        if isinstance(schema, bool):
            return schema
        scalar = not isinstance(value, dict | list)
        key = (id(schema), _key(value)) if scalar else None
        if key is not None and key in self._verdicts:
            return self._verdicts[key]
        verdict = bool(self._validator.evolve(schema=schema).is_valid(value))
        if key is not None:
            self._verdicts[key] = verdict
        return verdict

    def allows(self, members: list[Any], none: list[Any], value: Any) -> bool:
        return all(self.valid(value, m) for m in members) and not any(
            self.valid(value, n) for n in none
        )

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise ScanRepoError(
                f"$ref {ref!r}: the scan generator follows only references inside the schema"
            )
        node = self.root
        for token in ref[1:].split("/")[1:]:
            token = unquote(token).replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise ScanRepoError(f"$ref {ref!r} points to nothing in the schema") from None
        return node

    def _closure(self, schema: Any) -> list[Any]:
        """``schema`` and what its ``$ref`` and ``allOf`` bring in, depth first (``False``
        kept, as it makes the conjunction impossible)."""
        found = self._closures.get(id(schema))
        if found is None:
            found, todo = [], [schema]
            while todo:
                sub = todo.pop(0)
                if sub is False or isinstance(sub, dict):
                    found.append(sub)
                if len(found) > MAX_EXPANSION:
                    raise ScanRepoError("the schema's $ref never descends: a cycle of references")
                if isinstance(sub, dict):
                    refs = [self._resolve(sub["$ref"])] if "$ref" in sub else []
                    todo[:0] = [*refs, *sub.get("allOf", ())]
            self._closures[id(schema)] = found
        return found

    def _expand(self, draw: st.DrawFn, schema: Any, members: list[Any], none: list[Any]) -> None:
        """Add to ``members`` every subschema that applies with ``schema``: one branch of each
        ``anyOf``, ``oneOf`` and ``if`` drawn; what must not hold is added to ``none``."""
        for sub in self._closure(schema):
            if sub is False:
                reject()
            members.append(sub)
            if len(members) > MAX_EXPANSION:
                raise ScanRepoError("the schema's $ref never descends: a cycle of references")
            if "anyOf" in sub:
                chosen = _count(draw, 0, len(sub["anyOf"]) - 1)
                self._expand(draw, sub["anyOf"][chosen], members, none)
            if "oneOf" in sub:
                chosen = _count(draw, 0, len(sub["oneOf"]) - 1)
                none.extend(s for i, s in enumerate(sub["oneOf"]) if i != chosen)
                self._expand(draw, sub["oneOf"][chosen], members, none)
            if "if" in sub and ("then" in sub or "else" in sub):
                if draw(st.booleans()):
                    self._expand(draw, sub["if"], members, none)
                    self._expand(draw, sub.get("then", True), members, none)
                else:
                    none.append(sub["if"])
                    self._expand(draw, sub.get("else", True), members, none)
            if "not" in sub:
                none.append(sub["not"])

    def _plan(self, members: list[Any], none: list[Any]) -> _Plan:
        key = (tuple(map(id, members)), tuple(map(id, none)))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _Plan(self, members, none)
        return plan

    # --- values --------------------------------------------------------------------------

    def _value(
        self, draw: st.DrawFn, schemas: Sequence[Any], none: Sequence[Any], depth: int
    ) -> Any:
        if depth > MAX_DEPTH:
            reject()
        members: list[Any] = []
        negated = list(none)
        for schema in schemas:
            self._expand(draw, schema, members, negated)
        plan = self._plan(members, negated)
        if plan.free:
            return draw(FREE)
        kind = _pick(draw, plan.kinds)
        if kind in plan.finite:
            return _pick(draw, plan.finite[kind])
        for _ in range(RETRIES):
            value = self._typed(draw, kind, plan, depth)
            if value is not _AGAIN and not any(self.valid(value, n) for n in plan.checked(kind)):
                return value
        reject()

    def _typed(self, draw: st.DrawFn, kind: str, plan: _Plan, depth: int) -> Any:
        if kind == "object":
            return self._object(draw, plan, depth)
        if kind == "array":
            return self._array(draw, plan, depth)
        if kind == "string":
            text = draw(plan.string)
            return text if plan.string_ok(text) else _AGAIN
        return draw(plan.number(kind))

    def _array(self, draw: st.DrawFn, plan: _Plan, depth: int) -> Any:
        if plan.item_count is None:
            reject()
        unique = any(m.get("uniqueItems") is True for m in plan.members)
        items: list[Any] = []
        seen: set[str] = set()
        for i in range(_count(draw, *plan.item_count)):
            schemas = [s for m in plan.members if (s := _item_schema(m, i)) is not None]
            for _ in range(RETRIES):
                item = self._value(draw, schemas, [], depth + 1)
                if not unique or _key(item) not in seen:
                    break
            else:
                reject()
            seen.add(_key(item))
            items.append(item)
        return items

    def _object(self, draw: st.DrawFn, plan: _Plan, depth: int) -> Any:
        required = dict.fromkeys(plan.required)
        absent: set[str] = set()
        negated: dict[str, list[Any]] = {}
        for options in plan.negations:  # each negated condition fails in one member, drawn
            how, name, schema = _pick(draw, options)
            if how == "absent":
                absent.add(name)
            else:
                required[name] = None
                negated.setdefault(name, []).append(schema)
        if absent & required.keys():
            reject()
        names = [
            name
            for name in plan.declared
            if name not in absent and (name in required or draw(st.booleans()))
        ]
        for name in required:
            if name not in names:
                if not plan.may_hold(name):
                    reject()
                names.append(name)
        for name in names:  # grows while it is read: dependents of dependents are added too
            for needed in plan.dependents.get(name, ()):
                if needed not in names:
                    if needed in absent:
                        reject()
                    names.append(needed)
        least, most = plan.member_count
        low, high = max(0, least - len(names)), min(most - len(names), least + EXTRA)
        if plan.closed and plan.patterns is None:
            high = 0
        if low > high:
            reject()
        for i in range(_count(draw, low, int(high))):
            name = self._new_name(draw, plan, names, absent, depth)
            if name is None:
                if i < low:
                    reject()
                break
            names.append(name)
        return {
            name: self._value(draw, plan.member_schemas(name), negated.get(name, ()), depth + 1)
            for name in names
        }

    def _new_name(
        self, draw: st.DrawFn, plan: _Plan, taken: list[str], absent: set[str], depth: int
    ) -> str | None:
        """A name for one more member, beyond the declared ones, or None if none may be added."""
        if plan.closed and plan.patterns is None:
            return None
        for _ in range(RETRIES):
            if plan.patterns is not None:
                name = draw(plan.patterns)
            elif plan.naming:
                name = self._value(draw, [STRING, *plan.naming], [], depth + 1)
            else:
                name = draw(_text(0, TEXT))
            if name not in taken and name not in absent and plan.may_add(name):
                return str(name)
        return None


@cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def _count(draw: st.DrawFn, low: int, high: int) -> int:
    """A number from ``low`` to ``high``, drawn only where there is a choice: every draw is one
    more choice for the shrinker to try."""
    return low if low == high else draw(_integers(low, high))


def _pick(draw: st.DrawFn, options: Sequence[Any]) -> Any:
    """One of ``options``, drawn only where there is a choice (an empty list rejects)."""
    if not options:
        reject()
    return options[_count(draw, 0, len(options) - 1)]


@cache
def _text(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(ALPHABET, min_size=low, max_size=high)


@cache
def _matching(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(_regex(pattern), alphabet=ALPHABET)


class _Plan:
    """What one conjunction (members that hold, ``none`` that must not) asks of a value, worked
    out once."""

    def __init__(self, owner: Instances, members: list[Any], none: list[Any]) -> None:
        self.owner, self.members, self.none = owner, members, none
        self.free = not none and all(set(m) <= ANNOTATIONS for m in members)
        self._kinds(members, none)
        # objects
        self.required = list(dict.fromkeys(k for m in members for k in m.get("required", ())))
        self.naming = [m["propertyNames"] for m in members if "propertyNames" in m]
        self._schemas: dict[str, list[Any]] = {}
        self._pushed = [n for n in none if _pushable(n)]
        self.negations = [self._options(n) for n in self._pushed]
        self.declared = [
            name
            for name in dict.fromkeys(k for m in members for k in m.get("properties", {}))
            if self.may_hold(name)
        ]
        self.dependents: dict[str, list[str]] = {}
        for m in members:
            for name, needed in m.get("dependentRequired", {}).items():
                self.dependents.setdefault(name, []).extend(needed)
        self.closed = any(m.get("additionalProperties") is False for m in members)
        patterns = [
            _matching(p)
            for m in members
            if m.get("additionalProperties") is False
            for p in m.get("patternProperties", {})
        ]  # a closed object's new members are named by its patterns
        self.patterns = st.one_of(patterns) if patterns else None
        least = max((m.get("minProperties", 0) for m in members), default=0)
        most = min((m["maxProperties"] for m in members if "maxProperties" in m), default=math.inf)
        self.member_count = (least, most)
        # arrays
        low = max((m.get("minItems", 0) for m in members), default=0)
        high = min((m["maxItems"] for m in members if "maxItems" in m), default=math.inf)
        for m in members:
            if m.get("items") is False:
                high = min(high, len(m.get("prefixItems", ())))
        self.item_count = (low, int(min(high, low + EXTRA))) if low <= high else None
        # strings
        self._patterns = [m["pattern"] for m in members if "pattern" in m]
        low = max((m.get("minLength", 0) for m in members), default=0)
        high = min((m["maxLength"] for m in members if "maxLength" in m), default=low + TEXT)
        self._lengths = (low, high)
        self.string: st.SearchStrategy[str] = (
            _matching(self._patterns[0])
            if self._patterns
            else _text(low, high)
            if low <= high
            else st.nothing()
        )
        self._numbers: dict[str, st.SearchStrategy[Any]] = {}

    def _kinds(self, members: list[Any], none: list[Any]) -> None:
        """The types a value may take, and the values of each finite one that every member
        allows and none of ``none``."""
        values = _finite(members)
        kinds = (
            _types(members)
            if values is None
            else sorted({_type_of(v) for v in values}, key=TYPES.index)
        )
        self.finite: dict[str, list[Any]] = {}
        for kind in kinds:
            pool = values if values is not None else _FINITE_TYPES.get(kind)
            if pool is not None:
                allowed = [
                    v for v in pool if _type_of(v) == kind and self.owner.allows(members, none, v)
                ]
                if allowed:
                    self.finite[kind] = allowed
        kinds = [
            k for k in kinds if k in self.finite or (values is None and k not in _FINITE_TYPES)
        ]
        self.kinds = kinds

    def _options(self, condition: dict[str, Any]) -> list[tuple[str, str, Any]]:
        options: list[tuple[str, str, Any]] = [
            ("absent", k, None) for k in condition.get("required", ()) if k not in self.required
        ]
        options += [("differs", k, s) for k, s in condition.get("properties", {}).items()]
        return options

    def checked(self, kind: str) -> list[Any]:
        """What must not hold and is checked after drawing (an object's negated conditions
        on its members are not: they are drawn to fail)."""
        if kind != "object":
            return self.none
        return [n for n in self.none if not any(n is p for p in self._pushed)]

    def string_ok(self, text: str) -> bool:
        low, high = self._lengths
        if not self._patterns:
            return True
        return low <= len(text) <= high and all(_regex(p).search(text) for p in self._patterns[1:])

    def number(self, kind: str) -> st.SearchStrategy[Any]:
        found = self._numbers.get(kind)
        if found is None:
            found = self._numbers[kind] = _number(self.members, kind)
        return found

    def member_schemas(self, name: str) -> list[Any]:
        """Every subschema a member named ``name`` must satisfy."""
        found = self._schemas.get(name)
        if found is not None:
            return found
        schemas: list[Any] = []
        evaluated = False
        for m in self.members:
            declared = m.get("properties", {})
            matched = [
                s for p, s in m.get("patternProperties", {}).items() if _regex(p).search(name)
            ]
            if name in declared:
                schemas.append(declared[name])
            schemas.extend(matched)
            if name not in declared and not matched and "additionalProperties" in m:
                schemas.append(m["additionalProperties"])
            evaluated = evaluated or name in declared or bool(matched)
            evaluated = evaluated or "additionalProperties" in m
        if not evaluated:
            schemas.extend(
                m["unevaluatedProperties"] for m in self.members if "unevaluatedProperties" in m
            )
        if len(self._schemas) < MAX_EXPANSION:
            self._schemas[name] = schemas
        return schemas

    def may_hold(self, name: str) -> bool:
        """Whether an object may have a member ``name`` at all (closed objects, propertyNames)."""
        return all(self.owner.valid(name, n) for n in self.naming) and all(
            s is not False for s in self.member_schemas(name)
        )

    def may_add(self, name: str) -> bool:
        """Whether ``name`` may be added beyond the declared members."""
        declared = any(name in m.get("properties", {}) for m in self.members)
        return not declared and self.may_hold(name)


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


_FINITE_TYPES: dict[str, tuple[Any, ...]] = {"null": (None,), "boolean": (False, True)}
_AGAIN = object()  # a drawn value that broke a keyword checked after drawing: draw again


def _finite(members: list[Any]) -> list[Any] | None:
    """The values a const, an enum or the types null and boolean leave, if they are finite."""
    values: list[Any] | None = None
    for m in members:
        for allowed in ([m["const"]] if "const" in m else None, m.get("enum")):
            if allowed is not None:
                values = list(allowed) if values is None else [v for v in values if v in allowed]
    if values is not None:
        return values
    kinds = _types(members)
    if set(kinds) <= _FINITE_TYPES.keys():
        return [v for kind in kinds for v in _FINITE_TYPES[kind]]
    return None


def _types(members: list[Any]) -> list[str]:
    allowed = set(TYPES)
    for m in members:
        if "type" in m:
            named = {m["type"]} if isinstance(m["type"], str) else set(m["type"])
            allowed &= named | ({"integer"} if "number" in named else set())
    return [kind for kind in TYPES if kind in allowed]


def _pushable(condition: Any) -> bool:
    """Whether a negated condition says only which members an object has and what they hold."""
    return (
        isinstance(condition, dict)
        and bool(condition.keys() & {"required", "properties"})
        and condition.keys() <= ANNOTATIONS | {"required", "properties"}
    )


def _item_schema(member: dict[str, Any], index: int) -> Any:
    prefix = member.get("prefixItems", ())
    return prefix[index] if index < len(prefix) else member.get("items")


def _number(members: list[Any], kind: str) -> st.SearchStrategy[Any]:
    low, high = -math.inf, math.inf
    for m in members:
        low = max(low, m.get("minimum", low))
        high = min(high, m.get("maximum", high))
        if "exclusiveMinimum" in m:
            low = max(
                low,
                math.floor(m["exclusiveMinimum"]) + 1
                if kind == "integer"
                else m["exclusiveMinimum"],
            )
        if "exclusiveMaximum" in m:
            high = min(
                high,
                math.ceil(m["exclusiveMaximum"]) - 1
                if kind == "integer"
                else m["exclusiveMaximum"],
            )
    steps = [m["multipleOf"] for m in members if "multipleOf" in m]
    if kind == "integer" or steps:
        step = (
            math.lcm(*(int(s) for s in steps))
            if all(float(s).is_integer() for s in steps)
            else None
        )
        if step is None:
            reject()
        lo = None if low == -math.inf else math.ceil(low / step)
        hi = None if high == math.inf else math.floor(high / step)
        if lo is not None and hi is not None and lo > hi:
            reject()
        return st.integers(lo, hi).map(lambda k: k * step)
    exclusive_low = any("exclusiveMinimum" in m and m["exclusiveMinimum"] >= low for m in members)
    exclusive_high = any("exclusiveMaximum" in m and m["exclusiveMaximum"] <= high for m in members)
    return st.floats(
        None if low == -math.inf else low,
        None if high == math.inf else high,
        allow_nan=False,
        allow_infinity=False,
        exclude_min=exclusive_low and low != -math.inf,
        exclude_max=exclusive_high and high != math.inf,
    )


def instances(schema: Any) -> st.SearchStrategy[Any]:
    """The strategy of the documents valid against ``schema``."""
    return Instances(schema).strategy
