"""JSON paths: their written form (``$.checklist.funding_disclosed``) and where a path, or a
problem, stands in a document's text (line and column).

``SlowParser`` is a pure-Python, iterative parser that knows the offset and path of everything
it reads; strict reading runs it only to explain a document the fast path refused.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from collections.abc import Sequence

MAX_DEPTH: int = 64

JsonPath = tuple[str | int, ...]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def format_json_path(path: Sequence[str | int]) -> str:
    parts = ["$"]
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _IDENTIFIER.fullmatch(step):
            parts.append(f".{step}")
        else:
            quoted = json.dumps(step, ensure_ascii=False)[1:-1].replace('\\"', '"')
            parts.append("['" + quoted.replace("'", "\\'") + "']")
    return "".join(parts)


def position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


class ParseProblem(Exception):
    """The first problem the parser met: where (offset and path) and what."""

    def __init__(self, offset: int, path: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.path = tuple(path)
        self.message = message


class StopAt(Exception):
    """The slow parser reached the requested offset; ``path`` is where it was."""

    def __init__(self, path: Sequence[str | int], in_object: bool | None) -> None:
        super().__init__()
        self.path = tuple(path)
        self.in_object = in_object


def path_at(text: str, offset: int) -> JsonPath:
    try:
        SlowParser(text, stop=offset).run()
    except ParseProblem as found:
        return found.path
    except StopAt as stopped:
        return stopped.path
    return ()


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_PLAIN_CHARS = re.compile(r'[^"\\\x00-\x1f]*')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS = ("true", "false", "null")
_CONSTANTS = ("NaN", "Infinity", "-Infinity")

_VALUE, _KEY, _AFTER = "value", "key", "after"


class SlowParser:
    """Iterative JSON parser that knows the offset and path of everything it reads.

    It raises ParseProblem at the first problem, StopAt when it reaches ``stop``, and records in
    ``best`` the offset of the deepest value on the way to ``target``.
    """

    def __init__(
        self, text: str, stop: int | None = None, target: Sequence[str | int] | None = None
    ) -> None:
        self.text = text
        self.stop = stop
        self.target = list(target) if target is not None else None
        self.best = 0

    def _ws(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def _check_stop(self, end: int, path: Sequence[str | int]) -> None:
        if self.stop is not None and self.stop < end:
            raise StopAt(path, None)

    def run(self) -> None:
        text, n = self.text, len(self.text)
        path: list[str | int] = []
        # One entry per open container: the keys seen so far for an object, None for an array.
        frames: list[set[str] | None] = []
        state = _VALUE
        pos = self._ws(0)
        while True:
            if self.stop is not None and pos >= self.stop:
                if state is _AFTER and frames:
                    raise StopAt(path[:-1], frames[-1] is not None)
                raise StopAt(path, None)
            if state is _VALUE:
                target = self.target
                if target is not None and path == target[: len(path)]:
                    self.best = pos
                    if len(path) == len(target):
                        return
                char = text[pos : pos + 1]
                if char in ("{", "["):
                    if len(frames) >= MAX_DEPTH:
                        raise ParseProblem(pos, path, f"nesting deeper than {MAX_DEPTH} levels")
                    close = "}" if char == "{" else "]"
                    frames.append(set() if char == "{" else None)
                    pos = self._ws(pos + 1)
                    if text.startswith(close, pos):
                        frames.pop()
                        pos = self._ws(pos + 1)
                        state = _AFTER
                    elif char == "{":
                        state = _KEY
                    else:
                        path.append(0)
                    continue
                end = self._scalar(pos, path, frames)
                self._check_stop(end, path)
                pos = self._ws(end)
                state = _AFTER
            elif state is _KEY:
                if not text.startswith('"', pos):
                    if text.startswith("}", pos):
                        raise ParseProblem(pos, path, "trailing comma before '}'")
                    raise ParseProblem(pos, path, "expected an object key in double quotes")
                key, end = self._string(pos, path)
                self._check_stop(end, path)
                keys = frames[-1]
                assert keys is not None  # _KEY is only entered inside an object
                if key in keys:
                    shown = json.dumps(key, ensure_ascii=False)
                    raise ParseProblem(pos, path, f"duplicate key {shown}")
                keys.add(key)
                pos = self._ws(end)
                if not text.startswith(":", pos):
                    raise ParseProblem(pos, path, "expected ':' after object key")
                pos = self._ws(pos + 1)
                path.append(key)
                state = _VALUE
            else:
                if not frames:
                    if pos < n:
                        raise ParseProblem(pos, path, "unexpected data after the JSON document")
                    return
                last = path.pop()
                char = text[pos : pos + 1]
                in_object = frames[-1] is not None
                if char == ",":
                    pos = self._ws(pos + 1)
                    if in_object:
                        state = _KEY
                    else:
                        assert isinstance(last, int)
                        path.append(last + 1)
                        state = _VALUE
                elif char == ("}" if in_object else "]"):
                    frames.pop()
                    pos = self._ws(pos + 1)
                else:
                    expected = "'}' after object member" if in_object else "']' after array element"
                    message = f"expected ',' or {expected}"
                    if pos >= n:
                        message = f"unexpected end of file: {message}"
                    raise ParseProblem(pos, path, message)

    def _scalar(self, pos: int, path: list[str | int], frames: list[set[str] | None]) -> int:
        """Read the string, number or literal at ``pos``; return where it ends."""
        text = self.text
        if text.startswith('"', pos):
            return self._string(pos, path)[1]
        number = _NUMBER.match(text, pos)
        if number is not None:
            token = number.group()
            if number.group(1) or number.group(2):
                if math.isinf(float(token)):
                    shown = token if len(token) <= 40 else token[:37] + "..."
                    raise ParseProblem(pos, path, f"number {shown} is too large for a float")
            else:
                digits = len(token.lstrip("-"))
                limit = sys.get_int_max_str_digits()
                if limit and digits > limit:
                    raise ParseProblem(
                        pos, path, f"integer with {digits} digits is too long (limit {limit})"
                    )
            return number.end()
        for word in _LITERALS:
            if text.startswith(word, pos):
                return pos + len(word)
        for word in _CONSTANTS:
            if text.startswith(word, pos):
                raise ParseProblem(pos, path, f"{word} is not allowed in JSON")
        if text.startswith("]", pos) and frames and frames[-1] is None:
            raise ParseProblem(pos, path, "trailing comma before ']'")
        message = "expected a JSON value"
        if pos >= len(text):
            message = f"unexpected end of file: {message}"
        raise ParseProblem(pos, path, message)

    def _string(self, start: int, path: list[str | int]) -> tuple[str, int]:
        """Read the string starting at the quote at ``start``: (its value, offset after it)."""
        text = self.text
        parts: list[str] = []
        pos = start + 1
        while True:
            plain = _PLAIN_CHARS.match(text, pos)
            assert plain is not None  # the pattern matches the empty string
            parts.append(plain.group())
            pos = plain.end()
            char = text[pos : pos + 1]
            if char == '"':
                return "".join(parts), pos + 1
            if not char:
                raise ParseProblem(start, path, "unterminated string (no closing '\"')")
            if char != "\\":
                raise ParseProblem(
                    pos,
                    path,
                    f"raw control character U+{ord(char):04X} in a string (it must be escaped)",
                )
            escape = text[pos + 1 : pos + 2]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                pos += 2
                continue
            if escape != "u":
                raise ParseProblem(pos, path, "invalid escape in a string")
            code = self._hex4(pos + 2, path)
            if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", pos + 6):
                low = self._hex4(pos + 8, path)
                if 0xDC00 <= low <= 0xDFFF:
                    parts.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    pos += 12
                    continue
            if 0xD800 <= code <= 0xDFFF:
                raise ParseProblem(
                    pos,
                    path,
                    f"lone surrogate \\u{code:04X} in a string (not a Unicode character)",
                )
            parts.append(chr(code))
            pos += 6

    def _hex4(self, pos: int, path: list[str | int]) -> int:
        digits = _HEX4.match(self.text, pos)
        if digits is None:
            raise ParseProblem(pos - 1, path, "invalid \\uXXXX escape (needs four hex digits)")
        return int(digits.group(), 16)


def locate(data: bytes, path: Sequence[str | int]) -> tuple[int, int]:
    """(line, column) of the value at ``path``, or of its deepest existing ancestor."""
    text = data.decode("utf-8", "surrogateescape")
    parser = SlowParser(text, target=path)
    with contextlib.suppress(ParseProblem):  # then the deepest ancestor seen before the problem
        parser.run()
    return position(text, parser.best)
