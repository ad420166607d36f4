"""Merge conflicts as terminal text, for the merge driver's report and tools/resolve."""

from __future__ import annotations

import json
from typing import Any, Literal

from scanrepo.merge.threeway import MISSING, Conflict

# A value longer than this that holds objects or lists is shown as indented JSON.
LONG = 240
_SIDES: tuple[Literal["base", "ours", "theirs"], ...] = ("base", "ours", "theirs")


def _differing_fields(values: list[Any]) -> list[str] | None:
    """When every present value is an object: the fields they disagree on, in order."""
    present = [value for value in values if value is not MISSING]
    if not present or not all(isinstance(value, dict) for value in present):
        return None
    names = list(dict.fromkeys(name for value in present for name in value))
    return [name for name in names if len({json.dumps(v.get(name)) for v in present}) > 1]


def _text(value: Any, indent: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= LONG or not isinstance(value, (dict, list)):
        return text
    block = json.dumps(value, indent=2, ensure_ascii=False)
    return "\n" + "\n".join(indent + line for line in block.splitlines())


def conflict_lines(conflict: Conflict, indent: str = "  ") -> list[str]:
    """The location, then one line per side: its value, or for objects (items, entries) only
    the fields the sides disagree on; the side the file holds is marked."""
    values = [conflict.value(side) for side in _SIDES]
    fields = _differing_fields(values)
    lines = [f"{indent}{conflict.where}"]
    for side, value in zip(_SIDES, values, strict=True):
        label = f"{side} (in the file):" if side == conflict.kept else f"{side}:"
        if value is MISSING:
            text = "(absent)"
        elif fields is not None:
            text = _text({name: value[name] for name in fields if name in value}, indent * 3)
        else:
            text = _text(value, indent * 3)
        lines.append(f"{indent * 2}{label:<20}{text}")
    return lines
