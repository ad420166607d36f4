"""Three-way merge of scans at the level of checklist items and list entries.

``merge_scans`` takes three scans of one paper already carried to one (the newest) version: the
common ancestor ``base`` (``None`` when there is none, as when both sides added the file) and the
two sides ``ours`` and ``theirs``. Every value is merged by the same rule: what only one side
changed comes from that side; what both changed the same way merges; what both changed
differently is a conflict, recorded with the three values, and the merged scan keeps one side's
value (ours unless told otherwise, or the side ``choices`` names for that conflict).

That rule applies first to the whole scan and then, where both sides changed something, one
level down, until it reaches the units of the merge:

* each checklist item (``checklist.<section>.<item>``, ``type_checklist.<type>.<section>.<item>``);
  a section added or removed on one side and changed on the other is one conflict;
* each claim, red flag and cited paper, matched by its identifying text as ``diff.compare`` matches
  them (``claims[<claim>]``); entries added on both sides all survive, in ours' order followed by
  theirs' additions; an entry removed on one side and unchanged on the other is removed;
* each engagement factor, each field of ``paper``;
* ``paper_type``, ``key_findings``, ``hn_data`` and any key outside the known structure, whole;
* ``methodology_tags`` as a set: both sides' additions and removals apply, never a conflict.

``paper_type`` and ``type_checklist`` go together: when one side changed the paper type, the
other side's changes to ``type_checklist`` cannot apply to the new type's sections, so unless
that side left ``type_checklist`` alone, the whole ``type_checklist`` is one conflict, and the
``paper_type`` follows the side whose ``type_checklist`` the merge keeps.

Each conflict's ``where`` is unique within one merge (a repeated location gets `` (2)``,
`` (3)``...), so a choice made for one conflict applies to it when the same three scans are
merged again; that is how ``tools/resolve`` applies a user's choices.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from scanrepo.diff.compare import is_entry_list, pair_entries
from scanrepo.format import model
from scanrepo.format.jsonpath import JsonPath, format_json_path

Side = Literal["ours", "theirs"]
SIDES: tuple[Side, ...] = get_args(Side)


class _Missing:
    """The value of a side that does not have the thing at all (distinct from JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# How the members of each shape of the model merge: key by key down to their units (a record's
# fields, checklist items, factors), as entry lists, as tag sets, together with ``paper_type``,
# or whole.
MergeRule = Literal["nested", "entries", "tags", "typed", "unit"]
SHAPE_RULES: dict[model.Shape, MergeRule] = {
    "version": "unit",
    "value": "unit",
    "record": "nested",
    "checklist": "nested",
    "type_checklist": "typed",
    "entries": "entries",
    "tags": "tags",
    "factors": "nested",
    "open": "unit",
}
_RULES = {name: SHAPE_RULES[shape] for name, shape in model.MEMBERS.items()}


@dataclass(frozen=True)
class Conflict:
    """One unit both sides changed differently: where it is (a ``diff.compare``-style location,
    unique within its merge), its JSON path in the merged scan, the three values (``MISSING``
    where a side does not have it) and the side whose value the merged scan holds."""

    where: str
    path: JsonPath
    base: Any
    ours: Any
    theirs: Any
    kept: Side = "ours"

    def value(self, side: Side | Literal["base"]) -> Any:
        return {"base": self.base, "ours": self.ours, "theirs": self.theirs}[side]

    def to_json(self) -> dict[str, Any]:
        """A side that is ``MISSING`` is left out."""
        data: dict[str, Any] = {
            "where": self.where,
            "path": list(self.path),
            "json_path": format_json_path(self.path),
            "kept": self.kept,
        }
        for name in ("base", "ours", "theirs"):
            if (value := getattr(self, name)) is not MISSING:
                data[name] = value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Conflict:
        kept = data.get("kept")
        if kept not in SIDES:
            raise ValueError(f"unknown side {kept!r}")
        return cls(
            data["where"],
            tuple(data["path"]),
            data.get("base", MISSING),
            data.get("ours", MISSING),
            data.get("theirs", MISSING),
            kept,
        )


@dataclass
class MergeResult:
    merged: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)


def _keys(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Ours' keys in order, then the keys only theirs has."""
    return [*ours, *(key for key in theirs if key not in ours)]


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key, MISSING) if isinstance(mapping, dict) else MISSING


class _Merge:
    """One merge: collects the conflicts, decides each with ``choices`` or ``keep``."""

    def __init__(self, keep: Side, choices: Mapping[str, Side]) -> None:
        self.keep = keep
        self.choices = choices
        self.conflicts: list[Conflict] = []
        self._seen: Counter[str] = Counter()

    def conflict(self, where: str, path: JsonPath, base: Any, ours: Any, theirs: Any) -> Side:
        """Record a conflict and say which side's value the merged scan takes."""
        self._seen[where] += 1
        if self._seen[where] > 1:
            where = f"{where} ({self._seen[where]})"
        side = self.choices.get(where, self.keep)
        self.conflicts.append(Conflict(where, path, base, ours, theirs, side))
        return side

    def unit(self, where: str, path: JsonPath, base: Any, ours: Any, theirs: Any) -> Any:
        """The merged value of a unit (``MISSING`` when the merge removes it)."""
        if ours == theirs or theirs == base:
            return ours
        if ours == base:
            return theirs
        side = self.conflict(where, path, base, ours, theirs)
        return ours if side == "ours" else theirs

    def scan(self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> Any:
        if ours == theirs or theirs == base:
            return ours
        if ours == base:
            return theirs
        merged: dict[str, Any] = {}
        typed: tuple[Any, Any] | None = None
        for key in _keys(ours, theirs):
            b, o, t = base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING)
            if key == model.PAPER_TYPE:
                value = None  # a place in the key order, filled in with type_checklist
            elif (rule := _RULES.get(key, "unit")) == "typed":
                typed = self.typed(base, ours, theirs)
                value = typed[1]
            elif o is MISSING or t is MISSING:
                value = self.unit(key, (key,), b, o, t)
            elif rule == "nested":
                value = self.nested(key, (key,), b, o, t, model.KEY_LEVELS[model.MEMBERS[key]])
            elif rule == "entries":
                value = self.entries(key, b, o, t)
            elif rule == "tags":
                value = self.tags(key, b, o, t)
            else:
                value = self.unit(key, (key,), b, o, t)
            if value is not MISSING:
                merged[key] = value
        if model.PAPER_TYPE in merged:
            paper_type = (typed or self.typed(base, ours, theirs))[0]
            if paper_type is MISSING:
                del merged[model.PAPER_TYPE]
            else:
                merged[model.PAPER_TYPE] = paper_type
        return merged

    def nested(self, where: str, path: JsonPath, b: Any, o: Any, t: Any, depth: int) -> Any:
        """Mappings merged key by key down to ``depth`` levels, then unit by unit."""
        if depth == 0 or not all(isinstance(v, dict) for v in (o, t)):
            return self.unit(where, path, b, o, t)
        if o == t or t == b:
            return o
        if o == b:
            return t
        if b is not MISSING and not isinstance(b, dict):
            return self.unit(where, path, b, o, t)
        merged: dict[str, Any] = {}
        for key in _keys(o, t):
            b_value, o_value, t_value = _get(b, key), _get(o, key), _get(t, key)
            value = self.nested(
                f"{where}.{key}", (*path, key), b_value, o_value, t_value, depth - 1
            )
            if value is not MISSING:
                merged[key] = value
        return merged

    def typed(
        self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
    ) -> tuple[Any, Any]:
        """``paper_type`` and ``type_checklist``, merged together (see the module docstring)."""
        key = model.TYPE_CHECKLIST
        b_type, o_type, t_type = (_get(doc, model.PAPER_TYPE) for doc in (base, ours, theirs))
        b_list, o_list, t_list = (_get(doc, key) for doc in (base, ours, theirs))
        if o_type == t_type:
            depth = model.KEY_LEVELS["type_checklist"]
            return o_type, self.nested(key, (key,), b_list, o_list, t_list, depth)
        if (o_type, o_list) == (b_type, b_list):
            return t_type, t_list
        if (t_type, t_list) == (b_type, b_list):
            return o_type, o_list
        side = self.conflict(key, (key,), b_list, o_list, t_list)
        return (o_type, o_list) if side == "ours" else (t_type, t_list)

    def entries(self, name: str, b: Any, o: Any, t: Any) -> Any:
        id_field = model.ENTRY_IDS[name]
        if o == t or t == b:
            return o
        if o == b:
            return t
        base = [] if b is MISSING else b
        if not all(is_entry_list(v, id_field) for v in (base, o, t)):
            return self.unit(name, (name,), b, o, t)

        def where(entry: dict[str, Any]) -> str:
            return f"{name}[{entry[id_field]}]"

        ours_from = pair_entries(base, o, id_field)  # ours index -> base index
        theirs_from = pair_entries(base, t, id_field)
        theirs_of = {b_index: t_index for t_index, b_index in theirs_from.items()}
        ours_added = [i for i in range(len(o)) if i not in ours_from]
        theirs_added = [i for i in range(len(t)) if i not in theirs_from]
        # an entry both sides added: the same one (equal or sharing its text) is merged as one
        added_pairs = pair_entries(
            [o[i] for i in ours_added], [t[i] for i in theirs_added], id_field
        )
        partner = {ours_added[o_at]: theirs_added[t_at] for t_at, o_at in added_pairs.items()}
        merged: list[Any] = []

        def add(value: Any) -> None:
            if value is not MISSING:
                merged.append(value)

        for index, entry in enumerate(o):
            path = (name, len(merged))
            if index in ours_from:
                b_index = ours_from[index]
                t_index = theirs_of.get(b_index)
                theirs_entry = t[t_index] if t_index is not None else MISSING
                add(self.unit(where(entry), path, base[b_index], entry, theirs_entry))
            elif index in partner:
                add(self.unit(where(entry), path, MISSING, entry, t[partner[index]]))
            else:
                merged.append(entry)
        ours_kept = set(ours_from.values())
        partnered = set(partner.values())
        for index, entry in enumerate(t):
            path = (name, len(merged))
            if index in theirs_from:
                b_index = theirs_from[index]
                if b_index not in ours_kept:  # ours removed it
                    add(self.unit(where(entry), path, base[b_index], MISSING, entry))
            elif index not in partnered:
                merged.append(entry)
        return merged

    def tags(self, name: str, b: Any, o: Any, t: Any) -> Any:
        if o == t or t == b:
            return o
        if o == b:
            return t
        base = [] if b is MISSING else b
        if not all(isinstance(v, list) for v in (base, o, t)):
            return self.unit(name, (name,), b, o, t)
        merged = [tag for tag in o if not (tag in base and tag not in t)]
        for tag in t:
            if tag not in base and tag not in merged:
                merged.append(tag)
        return merged


def merge_scans(
    base: dict[str, Any] | None,
    ours: dict[str, Any],
    theirs: dict[str, Any],
    keep: Side = "ours",
    choices: Mapping[str, Side] | None = None,
) -> MergeResult:
    """The three-way merge of ``ours`` and ``theirs`` from ``base`` (``None``: no common
    ancestor, so every difference between the sides is a conflict and entries of either side
    survive). All three are scans of the newest version. On a conflict the merged scan holds
    ``choices[where]``'s value if given, else ``keep``'s. The inputs are not modified, and the
    merged scan shares nothing with them."""
    merge = _Merge(keep, choices or {})
    merged = merge.scan(base if base is not None else {}, ours, theirs)
    return MergeResult(copy.deepcopy(merged), merge.conflicts)
