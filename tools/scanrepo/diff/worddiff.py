"""Word-level differences between two texts, as git's ``--word-diff`` shows them.

Words are runs of non-whitespace; whitespace only separates them, so a change of spacing alone
is no word change.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

Op = Literal["equal", "delete", "insert"]

_WORD = re.compile(r"\S+")


def word_diff(old: str, new: str) -> list[tuple[Op, str]]:
    """The texts as segments of words (joined by single spaces) kept, deleted or inserted."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    segments: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", " ".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            segments.append(("delete", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", " ".join(b[j1:j2])))
    return segments


def word_counts(old: str, new: str) -> tuple[int, int]:
    """(words added, words removed)."""
    added = removed = 0
    for op, text in word_diff(old, new):
        if op == "insert":
            added += len(text.split(" "))
        elif op == "delete":
            removed += len(text.split(" "))
    return added, removed
