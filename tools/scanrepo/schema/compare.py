"""Every difference between two schemas, classified, where it lands in a scan, and what it asks
of the migration between them.

Both schemas are walked into facts by scan path and condition (``shape``) and compared place by
place: condition by condition where both put the same ``if``/``then``/``else`` conditions on a
place, else with each side's cases merged (what a value there meets in whichever case), so
moving a section out of a branch still shows what changed inside it; a branch only one side has
is a ``rule added`` or ``rule removed`` where it starts. A change that lands in many places
the same way (a member added to ``$defs/item``, which every checklist item uses) is one
``SchemaChange`` whose path has ``*`` where the places differ (``$.checklist.*.*.confidence``),
with ``count`` the number of places. Annotations
(``description``, ``title``, ``examples``, ``$comment``, ...) never decide validity and are no
change here.

Kinds, and what each asks of ``upgrade`` (old -> new) and ``downgrade`` (new -> old):

==========================  =====================================================================
``member added``            required: upgrade must produce it; downgrade must drop it, refusing
                            what it cannot carry back. Optional: downgrade must drop it.
``member removed``          upgrade must drop or move it, refusing what it cannot carry;
                            downgrade must restore it where it was required.
``member required``         upgrade must produce it where old scans lack it.
``member optional``         downgrade must produce it where new scans lack it.
``type narrowed``           upgrade must convert or refuse values of the types dropped.
``type widened``            downgrade must convert or refuse values of the types added.
``type changed``            both directions convert or refuse.
``values narrowed``         enum/const: upgrade must map or refuse the values dropped.
``values widened``          downgrade must map or refuse the values added.
``values changed``          both.
``version moved``           ``$.scan_version``: upgrade and downgrade set it (the chain checks).
``bound tightened``         upgrade must bring values within the bound or refuse them.
``bound loosened``          downgrade must bring values within the old bound or refuse them.
``pattern tightened``       upgrade must make strings match or refuse them (likewise
``pattern loosened``        downgrade); a pattern replaced is ``pattern changed``: both.
``object closed``           upgrade must remove or move members the new schema does not list.
``object opened``           downgrade must remove or refuse members the old schema does not list.
``rule added``              a place or condition only the new schema constrains: upgrade must
                            satisfy it. ``rule removed``: downgrade must satisfy the old one.
``keyword changed``         any other keyword (``format``, ``propertyNames``, ``uniqueItems``,
                            ...): check both directions against it.
``definition moved``        a ``$defs`` entry renamed or moved, unchanged: nothing for scans.
==========================  =====================================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scanrepo.schema.shape import (
    ANY_KEY,
    LOWER_BOUNDS,
    Condition,
    Facts,
    Key,
    ScanPath,
    Shape,
    decisive,
    number_text,
    render_path,
)


@dataclass(frozen=True)
class SchemaChange:
    """One classified difference between two schemas.

    ``scan_path`` is where it lands in a scan (``$.checklist.*.*.confidence``); ``detail`` says
    what changed; ``migration`` what it asks of the migration; ``condition`` where it holds only
    under an ``if``/``then``/``else`` or ``anyOf``/``oneOf`` branch (empty: always); ``count`` the
    number of places in the schema's tree that ``scan_path`` stands for.
    """

    kind: str
    scan_path: str
    detail: str
    migration: str
    condition: str = ""
    count: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scan_path": self.scan_path,
            "detail": self.detail,
            "migration": self.migration,
            "condition": self.condition,
            "count": self.count,
        }


@dataclass(frozen=True)
class _Found:
    kind: str
    path: ScanPath
    detail: str
    migration: str
    condition: Condition


def compare_schemas(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SchemaChange]:
    """Every difference between ``old`` and ``new`` that decides validity, sorted by scan path."""
    before, after = Shape(old), Shape(new)
    found: list[_Found] = []
    for path in dict.fromkeys([*before.paths(), *after.paths()]):
        found.extend(_compare_path(before, after, path))
    changes = _collapse(found)
    changes.extend(_moved_definitions(before, after))
    return sorted(changes, key=lambda c: (c.scan_path, c.condition, c.kind, c.detail))


def _code(name: str) -> str:
    return f"`{name}`"


def _values(texts: Iterable[str]) -> str:
    return ", ".join(sorted(texts))


def _compare_path(before: Shape, after: Shape, path: ScanPath) -> Iterable[_Found]:
    """One place: condition by condition where both schemas put the same conditions on it;
    else each case merged (``Shape.merged``), besides the branches only one side has."""
    old_conditions, new_conditions = before.conditions(path), after.conditions(path)
    if old_conditions and set(old_conditions) == set(new_conditions):
        for condition in old_conditions:
            key = (path, condition)
            yield from _compare_facts(before.facts[key], after.facts[key], key, before, after)
        return
    for condition in old_conditions:
        if condition not in new_conditions:
            yield from _one_sided(before, after, (path, condition), False)
    for condition in new_conditions:
        if condition not in old_conditions:
            yield from _one_sided(after, before, (path, condition), True)
    if old_conditions and new_conditions:
        yield from _compare_facts(
            before.merged(path), after.merged(path), (path, ()), before, after
        )


def _compare_facts(
    old: Facts, new: Facts, key: Key, before: Shape, after: Shape
) -> Iterable[_Found]:
    path, condition = key

    def found(kind: str, detail: str, migration: str) -> _Found:
        return _Found(kind, path, detail, migration, condition)

    yield from _members(old, new, path, condition, before, after)
    yield from _types(old, new, found)
    yield from _enum(old, new, path, found)
    yield from _bounds(old, new, found)
    yield from _patterns(old, new, found)
    if old.closed != new.closed:
        if new.closed:
            yield found(
                "object closed",
                "no members beyond those listed",
                "upgrade must remove or move every member the new schema does not list",
            )
        else:
            yield found(
                "object opened",
                "members beyond those listed are allowed",
                "downgrade must remove or refuse members the old schema does not list",
            )
    for keyword in sorted(set(old.others) | set(new.others)):
        was, now = old.others.get(keyword, "(none)"), new.others.get(keyword, "(none)")
        if was != now:
            yield found(
                "keyword changed",
                f"{_code(keyword)}: {was} -> {now}",
                f"upgrade must satisfy the new {_code(keyword)}, downgrade the old one",
            )


def _one_sided(shape: Shape, other: Shape, key: Key, is_new: bool) -> Iterable[_Found]:
    """A place (or a condition on it) only one schema has: reported where it starts."""
    path, condition = key
    parent = (path[:-1], condition)
    if path and parent in shape.facts and parent not in other.facts:
        return  # inside a place only this side has: reported there
    if path and parent in shape.facts and path[-1] in shape.facts[parent].members:
        return  # a member added or removed: its object reports it
    if is_new:
        yield _Found(
            "rule added",
            path,
            "rules only the new schema has",
            "upgrade must produce values that satisfy it",
            condition,
        )
    else:
        yield _Found(
            "rule removed",
            path,
            "rules only the old schema had",
            "downgrade must produce values that satisfy the old rule",
            condition,
        )


def _subtree(shape: Shape, path: ScanPath) -> str:
    return json.dumps(
        sorted(
            (str(p[len(path) :]), list(c), facts.signature())
            for (p, c), facts in shape.facts.items()
            if p[: len(path)] == path
        )
    )


def _members(
    old: Facts, new: Facts, path: ScanPath, condition: Condition, before: Shape, after: Shape
) -> Iterable[_Found]:
    old_names = set(old.members) | old.required
    new_names = set(new.members) | new.required
    added = [n for n in [*new.members, *sorted(new.required)] if n not in old_names]
    removed = [n for n in [*old.members, *sorted(old.required)] if n not in new_names]
    shapes_removed = {n: _subtree(before, (*path, n)) for n in removed}
    for name in dict.fromkeys(added):
        same = [r for r, s in shapes_removed.items() if s == _subtree(after, (*path, name))]
        hint = f" (same shape as removed {_code(same[0])}: a rename?)" if same else ""
        if name in new.required:
            yield _Found(
                "member added",
                (*path, name),
                f"required member {_code(name)} added{hint}",
                "upgrade must produce it in every scan; downgrade must drop it, refusing "
                "a value that upgrade could not produce again",
                condition,
            )
        else:
            yield _Found(
                "member added",
                (*path, name),
                f"optional member {_code(name)} added{hint}",
                "downgrade must drop it, refusing a value that upgrade could not produce again"
                + (
                    "" if old.closed else "; old scans may already hold it (the old object is open)"
                ),
                condition,
            )
    for name in dict.fromkeys(removed):
        was = "required" if name in old.required else "optional"
        yield _Found(
            "member removed",
            (*path, name),
            f"{was} member {_code(name)} removed",
            "upgrade must drop or move it, refusing a value it cannot carry; downgrade must "
            + ("restore it" if was == "required" else "restore it where it can"),
            condition,
        )
    for name in sorted(old_names & new_names):
        if name in new.required and name not in old.required:
            yield _Found(
                "member required",
                (*path, name),
                f"member {_code(name)} becomes required",
                "upgrade must produce it where an old scan lacks it",
                condition,
            )
        elif name in old.required and name not in new.required:
            yield _Found(
                "member optional",
                (*path, name),
                f"member {_code(name)} becomes optional",
                "downgrade must produce it where a new scan lacks it",
                condition,
            )


# A change at the place being compared, from (kind, detail, migration).
Found = Callable[[str, str, str], _Found]


def _covers(types: frozenset[str] | None, other: frozenset[str] | None) -> bool:
    """Whether every value of the types ``other`` is of the types ``types`` (None: any type)."""
    if types is None:
        return True
    if other is None:
        return False
    return all(t in types or (t == "integer" and "number" in types) for t in other)


def _type_names(types: frozenset[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types))


def _json_type(text: str) -> str:
    value = json.loads(text)
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "null")


def _effective_types(facts: Facts) -> frozenset[str] | None:
    """The declared types, else those of the allowed values (an enum of strings is strings)."""
    if facts.types is None and facts.values is not None:
        return frozenset(map(_json_type, facts.values))
    return facts.types


def _types(old: Facts, new: Facts, found: Found) -> Iterable[_Found]:
    old_types, new_types = _effective_types(old), _effective_types(new)
    if old_types == new_types:
        return
    detail = f"type {_type_names(old_types)} -> {_type_names(new_types)}"
    wider, narrower = _covers(new_types, old_types), _covers(old_types, new_types)
    if wider and not narrower:
        yield found(
            "type widened", detail, "downgrade must convert or refuse values of the types added"
        )
    elif narrower and not wider:
        yield found(
            "type narrowed", detail, "upgrade must convert or refuse values of the types dropped"
        )
    elif not (wider and narrower):
        yield found(
            "type changed",
            detail,
            "upgrade must convert or refuse the old types, downgrade the new ones",
        )


def _enum(old: Facts, new: Facts, path: ScanPath, found: Found) -> Iterable[_Found]:
    if old.values == new.values:
        return
    old_types, new_types = _effective_types(old), _effective_types(new)
    if old_types is not None and new_types is not None and not old_types & new_types:
        return  # a change of type, reported as such
    was = "any" if old.values is None else _values(old.values)
    now = "any" if new.values is None else _values(new.values)
    if path == ("scan_version",):
        yield found(
            "version moved",
            f"scan_version {was} -> {now}",
            "upgrade sets the new scan_version and downgrade the old one (the chain checks it)",
        )
        return
    if new.values is None or (old.values is not None and old.values <= new.values):
        added = "any value" if new.values is None else _values(new.values - (old.values or set()))
        yield found(
            "values widened",
            f"allowed values {was} -> {now} (added: {added})",
            f"downgrade must map {added} to an old value or refuse it",
        )
    elif old.values is None or new.values <= old.values:
        dropped = "any other value" if old.values is None else _values(old.values - new.values)
        yield found(
            "values narrowed",
            f"allowed values {was} -> {now} (dropped: {dropped})",
            f"upgrade must map {dropped} to a new value or refuse it",
        )
    else:
        yield found(
            "values changed",
            f"allowed values {was} -> {now}",
            f"upgrade must map or refuse {_values(old.values - new.values)}; downgrade must map "
            f"or refuse {_values(new.values - old.values)}",
        )


def _bounds(old: Facts, new: Facts, found: Found) -> Iterable[_Found]:
    for keyword in sorted(set(old.bounds) | set(new.bounds)):
        was, now = old.bounds.get(keyword), new.bounds.get(keyword)
        if was == now:
            continue
        if was is None or now is None:
            tighter = was is None
        else:
            tighter = now > was if keyword in LOWER_BOUNDS else now < was
        shown = [("none" if v is None else number_text(v)) for v in (was, now)]
        detail = f"{_code(keyword)} {shown[0]} -> {shown[1]}"
        if tighter:
            yield found(
                "bound tightened",
                detail,
                "upgrade must bring values within the new bound or refuse them",
            )
        else:
            yield found(
                "bound loosened",
                detail,
                "downgrade must bring values within the old bound or refuse them",
            )


def _patterns(old: Facts, new: Facts, found: Found) -> Iterable[_Found]:
    if old.patterns == new.patterns:
        return
    was = _values(map(_code, old.patterns)) or "none"
    now = _values(map(_code, new.patterns)) or "none"
    detail = f"pattern {was} -> {now}"
    if old.patterns <= new.patterns:
        yield found("pattern tightened", detail, "upgrade must make strings match or refuse them")
    elif new.patterns <= old.patterns:
        yield found(
            "pattern loosened",
            detail,
            "downgrade must make strings match the old pattern or refuse them",
        )
    else:
        yield found(
            "pattern changed",
            detail,
            "upgrade must make strings match the new pattern and downgrade the old one, or "
            "refuse them",
        )


def _collapse(found: list[_Found]) -> list[SchemaChange]:
    """Changes that land in many places the same way as one each, ``*`` where places differ."""
    groups: dict[tuple[str, str, str, int, Any, Condition], list[_Found]] = {}
    for change in found:
        head = change.path[0] if change.path else None
        # a rule of a branch is that branch's: never merged with another condition's
        branch = change.condition if change.kind.startswith("rule ") else ()
        key = (change.kind, change.detail, change.migration, len(change.path), head, branch)
        groups.setdefault(key, []).append(change)
    changes = []
    for members in groups.values():
        paths = list(dict.fromkeys(m.path for m in members))
        merged = tuple(
            segments[0] if len(set(segments)) == 1 else ANY_KEY
            for segments in zip(*paths, strict=True)
        )
        conditions = {m.condition for m in members}
        condition = " and ".join(next(iter(conditions))) if len(conditions) == 1 else ""
        first = members[0]
        changes.append(
            SchemaChange(
                first.kind,
                render_path(merged),
                first.detail,
                first.migration,
                condition,
                len(paths),
            )
        )
    return changes


def _moved_definitions(before: Shape, after: Shape) -> list[SchemaChange]:
    """A ``$defs`` entry found under another name, unchanged (annotations aside)."""
    gone = {n: s for n, s in before.definitions.items() if n not in after.definitions}
    new = {n: s for n, s in after.definitions.items() if n not in before.definitions}
    changes = []
    for old_name, old_schema in gone.items():
        text = json.dumps(decisive(old_schema), sort_keys=True)
        for new_name, new_schema in new.items():
            if json.dumps(decisive(new_schema), sort_keys=True) == text:
                paths = [p for (p, _), f in after.facts.items() if new_name in f.definitions]
                changes.append(
                    SchemaChange(
                        "definition moved",
                        _merged(paths),
                        f"#/$defs/{old_name} -> #/$defs/{new_name}",
                        "nothing: scans do not change",
                        count=len(set(paths)),
                    )
                )
                break
    return changes


def _merged(paths: list[ScanPath]) -> str:
    """One scan path for places of one definition: ``*`` where they differ (``$`` if none)."""
    unique = list(dict.fromkeys(paths))
    if not unique:
        return "$ (not used)"
    if len({len(p) for p in unique}) > 1:
        return ", ".join(render_path(p) for p in unique[:3]) + (", ..." if len(unique) > 3 else "")
    return render_path(
        tuple(s[0] if len(set(s)) == 1 else ANY_KEY for s in zip(*unique, strict=True))
    )
