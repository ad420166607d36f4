"""The layout of the schema files: JSON indented by two, each object or array on one line when
it fits in 100 columns, a newline at the end.

``dumps(json.loads(text)) == text`` for every ``schema/v<N>.json``, so a schema the tools
write (``tools/schema new``) reads like the hand-written ones and diffs only where it changed.
"""

from __future__ import annotations

import json
from typing import Any

WIDTH = 100


def dumps(value: Any) -> str:
    return _dump(value, 0, "") + "\n"


def _inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _dump(value: Any, indent: int, prefix: str) -> str:
    """``value`` at ``indent``, on a line that starts with ``prefix`` (a key) and may end in ','."""
    flat = _inline(value)
    if not isinstance(value, dict | list) or not value or indent + len(prefix) + len(flat) <= WIDTH:
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        lines = [
            f"{inner}{_inline(key)}: {_dump(child, indent + 2, _inline(key) + ': ')}"
            for key, child in value.items()
        ]
        opening, closing = "{", "}"
    else:
        lines = [f"{inner}{_dump(child, indent + 2, '')}" for child in value]
        opening, closing = "[", "]"
    return opening + "\n" + ",\n".join(lines) + "\n" + " " * indent + closing
