"""Every error the tools raise, in one hierarchy.

``ScanRepoError`` is the base: whatever reaches a command's edge as one becomes one line on
stderr and exit code 2 (``cli.common.run``). The errors that describe a scan (``JsonSyntaxError``,
``MigrationError``, ``UnnamedPaperError``, ``StepInvalidError``) are usually caught on the way and
reported as problems of that file instead; they derive from the base all the same, so one that
escapes is still a clean message, never a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanrepo.format.jsonpath import JsonPath, format_json_path

if TYPE_CHECKING:
    from scanrepo.format.schemas import SchemaViolation


class ScanRepoError(Exception):
    """An error a tool turns into one message and exit code 2 (usage or environment)."""


class UnknownNameError(ScanRepoError):
    """A paper key, checklist item or conflict that names nothing that exists; the message ends
    with the closest names that do (``did you mean 2603.01234?``)."""

    def __init__(self, message: str, closest: Sequence[str] = ()) -> None:
        self.closest = list(closest)
        if closest:
            *first, last = closest
            names = f"{', '.join(first)} or {last}" if first else last
            message += f"; did you mean {names}?"
        super().__init__(message)


def closest(word: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` names most like ``word``, the most alike first: those at least 60% alike
    (difflib's ratio), or else those that contain it, or else the nearest there are."""
    matcher = difflib.SequenceMatcher(b=word)
    scores: dict[str, float] = {}
    for name in set(names):
        matcher.set_seq1(name)
        scores[name] = matcher.ratio()
    ranked = sorted(scores, key=lambda name: (-scores[name], name))
    found = [name for name in ranked[:n] if scores[name] >= 0.6]
    found = found or sorted((name for name in ranked if word in name), key=len)[:n]
    return found or ranked[:n]


class JsonSyntaxError(ScanRepoError, ValueError):
    """A document that is not strict scan JSON: where (1-based line, column in characters, JSON
    path) and a one-line message."""

    def __init__(self, message: str, *, line: int, col: int, path: str = "$") -> None:
        super().__init__(f"{line}:{col}: {path}: {message}")
        self.message = message
        self.line = line
        self.col = col
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_syntax_error, (self.message, self.line, self.col, self.path))


def _rebuild_syntax_error(message: str, line: int, col: int, path: str) -> JsonSyntaxError:
    return JsonSyntaxError(message, line=line, col=col, path=path)


class UnnamedPaperError(ScanRepoError, ValueError):
    """A scan whose paper cannot be named (no usable arXiv id, DOI or title)."""


class MigrationError(ScanRepoError):
    """A scan that one migration step cannot carry without loss or guesswork."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(f"{format_json_path(path)}: {message}")
        self.path = path
        self.message = message

    @property
    def json_path(self) -> str:
        return format_json_path(self.path)


class StepInvalidError(ScanRepoError):
    """A migration step produced a scan its version's schema (or rules) rejects."""

    def __init__(self, version: int, violations: Sequence[SchemaViolation]) -> None:
        super().__init__(f"invalid v{version} scan")
        self.version = version
        self.violations = list(violations)


class ChainError(ScanRepoError):
    """A broken chain of migrations (gap, duplicate, misnamed or malformed file)."""


class UnknownRevisionError(ScanRepoError):
    """A revision that names no commit in this repository."""


class LockedError(ScanRepoError):
    """Another run holds the lock."""


class WriteFailedError(ScanRepoError):
    """A write that failed: ``path`` and ``reason`` where one file is to blame, and ``changed``,
    whether any file had already been replaced when it failed."""

    def __init__(
        self, message: str, *, path: Path | None = None, reason: str = "", changed: bool = False
    ) -> None:
        super().__init__(message)
        self.path, self.reason, self.changed = path, reason, changed


class CommandFailedError(ScanRepoError):
    """A command the benchmark timed did not succeed."""
