"""Semantic comparison of two scans of one paper, producing the change model of ``diff.changes``.

``compare_scans`` walks the structure of a scan in the newest format (v4), as ``format.model``
describes it, by key: checklist items by section and item name, claims, red flags and cited
papers by their identifying text, engagement factors by name. It compares each subtree with
``==`` before descending, so equal parts cost one C-level comparison; only ``hn_data`` thread
lists, whose shape the format leaves open, go through DeepDiff.

``diff_papers`` reads both sides of one paper from bytes, validates each against the schema of
its own version, migrates them in memory to a common version and compares them; anything that
stops it becomes a ``Problem`` in the result, never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanrepo.diff.changes import Change, ChangeKind, PaperDiff, Status
from scanrepo.errors import JsonSyntaxError, MigrationError
from scanrepo.format import model
from scanrepo.format.jsonpath import JsonPath, format_json_path, locate
from scanrepo.format.rules import check_rules
from scanrepo.format.schemas import SchemaRegistry, SchemaViolation
from scanrepo.format.strictjson import read_strict
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Kind, Problem
from scanrepo.validate.checks import version_of

_ABSENT: Any = object()

# The kind of change each field of a checklist item, of an engagement factor and of an entry
# makes (a field of an entry not named here: ``entry_changed``). Keyed by the model's names;
# the tests check that every item and factor field has its kind.
ITEM_FIELD_KINDS: dict[str, ChangeKind] = {
    model.APPLIES: "applies_flipped",
    model.ANSWER: "answer_flipped",
    model.SOURCE: "source_changed",
    model.JUSTIFICATION: "justification_edited",
}
FACTOR_FIELD_KINDS: dict[str, ChangeKind] = {
    model.SCORE: "score_changed",
    model.JUSTIFICATION: "engagement_justification_edited",
}
_ENTRY_FIELD_KINDS: dict[str, dict[str, ChangeKind]] = {
    model.CLAIMS: {model.CLAIM_SUPPORT: "support_changed"}
}


def _value(value: Any) -> Any:
    return None if value is _ABSENT else value


def _union(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The keys of ``new`` in order, then those only ``old`` has."""
    return [*new, *(key for key in old if key not in new)]


class _Walk:
    """One comparison: collects the changes of a pair of scans."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def add(self, kind: ChangeKind, where: str, path: JsonPath, old: Any, new: Any) -> None:
        self.changes.append(Change(kind, where, path, _value(old), _value(new)))

    def scan(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key in _union(old, new):
            a, b = old.get(key, _ABSENT), new.get(key, _ABSENT)
            if a == b:
                continue
            compare = _TOP_LEVEL.get(key)
            if compare is None or a is _ABSENT or b is _ABSENT or not compare(self, key, a, b):
                self.add(_WHOLE_VALUE_KINDS.get(key, "other_changed"), key, (key,), a, b)

    # Each method below compares the top-level member ``member`` of one shape of the model; it
    # returns False when the values do not have that shape, and the caller then reports the
    # whole value as changed.

    def record(self, member: str, old: Any, new: Any) -> bool:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return False
        for name in _union(old, new):
            a, b = old.get(name, _ABSENT), new.get(name, _ABSENT)
            if a != b:
                self.add("metadata_changed", f"{member}.{name}", (member, name), a, b)
        return True

    def checklist(self, member: str, old: Any, new: Any) -> bool:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return False
        self.sections(old, new, (member,))
        return True

    def type_checklist(self, member: str, old: Any, new: Any) -> bool:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return False
        if not all(isinstance(v, dict) for v in (*old.values(), *new.values())):
            return False
        for paper_type in _union(old, new):
            a, b = old.get(paper_type, {}), new.get(paper_type, {})
            if a != b:
                self.sections(a, b, (member, paper_type))
        return True

    def keyed(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        base: JsonPath,
        added: ChangeKind,
        removed: ChangeKind,
        both: Callable[[dict[str, Any], dict[str, Any], JsonPath, str], None],
    ) -> None:
        """Objects by name: added, removed, or (both sides objects) compared by ``both``."""
        for name in _union(old, new):
            a, b = old.get(name, _ABSENT), new.get(name, _ABSENT)
            if a == b:
                continue
            path = (*base, name)
            where = ".".join(map(str, path))
            if a is _ABSENT:
                self.add(added, where, path, a, b)
            elif b is _ABSENT:
                self.add(removed, where, path, a, b)
            elif isinstance(a, dict) and isinstance(b, dict):
                both(a, b, path, where)
            else:
                self.add("other_changed", where, path, a, b)

    def sections(self, old: dict[str, Any], new: dict[str, Any], base: JsonPath) -> None:
        self.keyed(old, new, base, "section_added", "section_removed", self.items)

    def items(self, old: dict[str, Any], new: dict[str, Any], base: JsonPath, _: str) -> None:
        self.keyed(old, new, base, "item_added", "item_removed", self.item)

    def item(self, old: dict[str, Any], new: dict[str, Any], base: JsonPath, where: str) -> None:
        self.fields(old, new, base, where, ITEM_FIELD_KINDS)

    def fields(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        base: JsonPath,
        where: str,
        kinds: dict[str, ChangeKind],
    ) -> None:
        for name in _union(old, new):
            a, b = old.get(name, _ABSENT), new.get(name, _ABSENT)
            if a != b:
                self.add(kinds.get(name, "other_changed"), where, (*base, name), a, b)

    def factors(self, member: str, old: Any, new: Any) -> bool:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return False
        self.keyed(old, new, (member,), "entry_added", "entry_removed", self.factor)
        return True

    def factor(self, old: dict[str, Any], new: dict[str, Any], base: JsonPath, where: str) -> None:
        self.fields(old, new, base, where, FACTOR_FIELD_KINDS)

    def entries(self, name: str, old: Any, new: Any) -> bool:
        """Entries matched by their identifying text; equal entries pair first, so reordering
        (even of entries sharing a text) is no change."""
        id_field = model.ENTRY_IDS[name]
        if not (is_entry_list(old, id_field) and is_entry_list(new, id_field)):
            return False
        pairs = pair_entries(old, new, id_field)
        paired = set(pairs.values())
        kinds = _ENTRY_FIELD_KINDS.get(name, {})
        for index, entry in enumerate(new):
            where = f"{name}[{entry[id_field]}]"
            if index not in pairs:
                self.add("entry_added", where, (name, index), _ABSENT, entry)
                continue
            before = old[pairs[index]]
            if before != entry:
                for field_name in _union(before, entry):
                    a, b = before.get(field_name, _ABSENT), entry.get(field_name, _ABSENT)
                    if a != b:
                        kind = kinds.get(field_name, "entry_changed")
                        self.add(kind, where, (name, index, field_name), a, b)
        for old_index in (i for i in range(len(old)) if i not in paired):
            entry = old[old_index]
            self.add(
                "entry_removed", f"{name}[{entry[id_field]}]", (name, old_index), entry, _ABSENT
            )
        return True

    def tags(self, member: str, old: Any, new: Any) -> bool:
        if not (isinstance(old, list) and isinstance(new, list)):
            return False
        if _multiset(old) != _multiset(new):
            self.add("tags_changed", member, (member,), old, new)
        return True

    def open_fields(self, member: str, old: Any, new: Any) -> bool:
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return False
        for name in _union(old, new):
            a, b = old.get(name, _ABSENT), new.get(name, _ABSENT)
            if a == b:
                continue
            if name == model.HN_THREADS and isinstance(a, list) and isinstance(b, list):
                self.threads((member, name), a, b)
            else:
                self.add("hn_data_changed", f"{member}.{name}", (member, name), a, b)
        return True

    def threads(self, base: tuple[str, str], old: list[Any], new: list[Any]) -> None:
        """Threads have no fixed shape, so no identifying field: equal threads pair first
        (reordering is no change), then each remaining new thread pairs with the remaining old
        thread sharing the most top-level fields, and DeepDiff compares each pair."""
        from deepdiff import DeepDiff  # slow to import, and only thread lists need it

        where = ".".join(base)
        pairs = _pair_equal(old, new)
        left = [index for index in range(len(old)) if index not in pairs.values()]
        for index, thread in enumerate(new):
            if index not in pairs and left:
                best = max(left, key=lambda i: _shared_fields(old[i], thread))
                if _shared_fields(old[best], thread):
                    pairs[index] = best
                    left.remove(best)
        for index, thread in enumerate(new):
            if index not in pairs:
                self.add("hn_data_changed", where, (*base, index), _ABSENT, thread)
            elif old[pairs[index]] != thread:
                nested = DeepDiff(
                    old[pairs[index]], thread, view="tree", ignore_private_variables=False
                )
                for report, levels in nested.items():
                    removal = report.endswith("_removed")
                    for level in levels:
                        steps = level.path(output_format="list", use_t2=not removal)
                        path = (*base, pairs[index] if removal else index, *steps)
                        old_value, new_value = _present(level.t1), _present(level.t2)
                        self.add("hn_data_changed", where, path, old_value, new_value)
        for index in left:
            self.add("hn_data_changed", where, (*base, index), old[index], _ABSENT)


def _pair_equal(old: list[Any], new: list[Any]) -> dict[int, int]:
    """new index -> old index of an equal value, each old value used once."""
    unused = list(range(len(old)))
    pairs: dict[int, int] = {}
    for index, value in enumerate(new):
        for position, old_index in enumerate(unused):
            if old[old_index] == value:
                pairs[index] = unused.pop(position)
                break
    return pairs


def pair_entries(old: list[Any], new: list[Any], id_field: str) -> dict[int, int]:
    """new index -> old index of the same entry: equal entries pair first, then entries sharing
    their identifying text ``id_field``, in order (so reordering, even of entries sharing a
    text, is no change). Entries left unpaired were added (new) or removed (old)."""
    pairs = _pair_equal(old, new)
    paired = set(pairs.values())
    unmatched: dict[str, list[int]] = {}
    for index, entry in enumerate(old):
        if index not in paired:
            unmatched.setdefault(entry[id_field], []).append(index)
    for index, entry in enumerate(new):
        rest = unmatched.get(entry[id_field])
        if index not in pairs and rest:
            pairs[index] = rest.pop(0)
    return pairs


def _shared_fields(old: Any, new: Any) -> int:
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return 0
    return sum(1 for key, value in new.items() if key in old and old[key] == value)


def _present(value: Any) -> Any:
    """DeepDiff's marker for a side that has no value becomes None."""
    return None if type(value).__name__ == "NotPresent" else value


def is_entry_list(value: Any, id_field: str) -> bool:
    """A list of objects that each have a string ``id_field`` (what ``pair_entries`` needs)."""
    return isinstance(value, list) and all(
        isinstance(entry, dict) and isinstance(entry.get(id_field), str) for entry in value
    )


def _multiset(values: list[Any]) -> list[str]:
    return sorted(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values)


# How a top-level member of each shape of the model is compared below its top; members of the
# shapes not named here are compared whole.
SHAPE_WALKS: dict[model.Shape, Callable[[_Walk, str, Any, Any], bool]] = {
    "record": _Walk.record,
    "checklist": _Walk.checklist,
    "type_checklist": _Walk.type_checklist,
    "entries": _Walk.entries,
    "factors": _Walk.factors,
    "tags": _Walk.tags,
    "open": _Walk.open_fields,
}
WHOLE_SHAPES: frozenset[model.Shape] = frozenset({"version", "value"})
_TOP_LEVEL = {
    name: SHAPE_WALKS[shape] for name, shape in model.MEMBERS.items() if shape in SHAPE_WALKS
}
# The kind of change of a top-level value reported whole (a plain value, or one whose shape the
# walk does not know).
_WHOLE_VALUE_KINDS: dict[str, ChangeKind] = {
    model.PAPER_TYPE: "paper_type_changed",
    model.KEY_FINDINGS: "key_findings_changed",
    model.METHODOLOGY_TAGS: "tags_changed",
    model.PAPER: "metadata_changed",
    model.HN_DATA: "hn_data_changed",
}


def compare_scans(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The semantic changes from ``old`` to ``new``, two scans of the same (newest) version."""
    if old == new:
        return []
    walk = _Walk()
    walk.scan(old, new)
    return walk.changes


# --------------------------------------------------------------------------- one paper


@dataclass(frozen=True)
class ScanSide:
    """One side of a paper: its repository path and file bytes (``label``, e.g. a revision,
    prefixes the file name in problems: ``HEAD~1:scans/...``)."""

    path: str
    data: bytes
    label: str | None = None
    known: ScanRead | None = None  # ``data`` already read, checked and carried to the newest

    @property
    def name(self) -> str:
        return f"{self.label}:{self.path}" if self.label else self.path


@dataclass
class ScanRead:
    """A scan read, validated and migrated, or the problems that stopped it."""

    version: int | None
    doc: dict[str, Any] | None
    problems: list[Problem]


class _Invalid(Exception):
    def __init__(self, version: int, violations: list[SchemaViolation]) -> None:
        super().__init__(f"invalid as v{version}")
        self.version = version
        self.violations = violations


def _violations(
    registry: SchemaRegistry, doc: dict[str, Any], version: int, plain: bool = False
) -> list[SchemaViolation]:
    return registry.check(doc, version, plain=plain) or check_rules(doc)


def read_scan(side: ScanSide, to_version: int, chain: Chain, registry: SchemaRegistry) -> ScanRead:
    """One scan's bytes parsed strictly, validated against its own version's schema and
    migrated to ``to_version`` (checked at every step); what stops it becomes problems."""
    if side.known is not None and to_version == registry.newest:
        return side.known
    name = side.name

    def at(path: JsonPath, message: str, kind: Kind) -> Problem:
        line, col = locate(side.data, path)
        return Problem(name, line, col, format_json_path(path), message, kind)

    try:
        doc, plain = read_strict(side.data)
    except JsonSyntaxError as exc:
        return ScanRead(
            None, None, [Problem(name, exc.line, exc.col, exc.path, exc.message, "syntax")]
        )
    version, error = version_of(doc, registry)
    if error is not None:  # in tools/validate's words
        path: JsonPath = ("scan_version",) if isinstance(doc, dict) else ()
        return ScanRead(None, None, [at(path, error, "schema")])
    assert version is not None
    found = _violations(registry, doc, version, plain)
    if found:
        return ScanRead(version, None, [at(v.path, v.message, "schema") for v in found])

    def check(migrated: dict[str, Any], step_version: int) -> None:
        if violations := _violations(registry, migrated, step_version):
            raise _Invalid(step_version, violations)

    try:
        doc = chain.migrate(doc, to_version, check)
    except MigrationError as err:
        return ScanRead(version, None, [at(err.path, err.message, "migration")])
    except _Invalid as err:
        return ScanRead(
            version,
            None,
            [
                Problem(
                    name,
                    None,
                    None,
                    format_json_path(v.path),
                    f"after migration to v{err.version}: {v.message}",
                    "migration",
                )
                for v in err.violations
            ],
        )
    return ScanRead(version, doc, [])


def _title(*docs: dict[str, Any] | None) -> str | None:
    for doc in docs:
        paper = doc.get(model.PAPER) if doc is not None else None
        if isinstance(paper, dict) and isinstance(paper.get("title"), str):
            return str(paper["title"])
    return None


def diff_papers(
    key: str,
    old: ScanSide | None,
    new: ScanSide | None,
    to_version: int,
    chain: Chain,
    registry: SchemaRegistry,
) -> PaperDiff:
    """What happened to paper ``key``; both sides are carried to ``to_version`` (the newest
    version, whose shape ``compare_scans`` knows) before comparing."""
    if old is None and new is None:
        raise ValueError(f"paper {key}: neither side exists")
    absent = ScanRead(None, None, [])
    before = read_scan(old, to_version, chain, registry) if old is not None else absent
    after = read_scan(new, to_version, chain, registry) if new is not None else absent
    changes: list[Change] = []
    status: Status
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    elif before.doc is not None and after.doc is not None:
        changes = compare_scans(before.doc, after.doc)
        status = "modified" if changes else "unchanged"
    else:
        status = "unchanged" if old.data == new.data else "modified"
    return PaperDiff(
        key=key,
        status=status,
        old_path=old.path if old is not None else None,
        new_path=new.path if new is not None else None,
        old_version=before.version,
        new_version=after.version,
        changes=changes,
        problems=list(dict.fromkeys([*before.problems, *after.problems])),
        title=_title(after.doc, before.doc),
    )
