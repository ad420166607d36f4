"""Strict reading of scan JSON, canonical writing, and locating JSON paths in the text.

Reading has two paths. The fast path is the stdlib C parser with hooks that notice what
JSON allows but scans must not contain (duplicate keys, NaN, overflowing numbers, lone
surrogates, deep nesting). Only when it refuses or notices something does the slow path run:
a pure-Python, iterative parser that tracks line, column and JSON path to explain the problem.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from functools import cache
from itertools import chain
from json.encoder import c_encode_basestring as _c_encode_basestring  # type: ignore[attr-defined]
from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
from typing import Any

import orjson

MAX_BYTES: int = 16 * 1024 * 1024
MAX_DEPTH: int = 64

JsonPath = tuple[str | int, ...]


class JsonSyntaxError(ValueError):
    """A document that is not strict scan JSON: where (1-based line, column in characters, JSON
    path) and a one-line message."""

    def __init__(self, message: str, *, line: int, col: int, path: str = "$") -> None:
        super().__init__(f"{line}:{col}: {path}: {message}")
        self.message = message
        self.line = line
        self.col = col
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.message, self.line, self.col, self.path))


def _rebuild_error(message: str, line: int, col: int, path: str) -> JsonSyntaxError:
    return JsonSyntaxError(message, line=line, col=col, path=path)


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


def canonical_text(doc: Any) -> str:
    """Exactly ``json.dumps(doc, indent=2, ensure_ascii=False)``, about three times faster.

    The stdlib encodes with ``indent`` in pure Python, one generator step per value; here every
    container whose values are all scalars (most of a scan: checklist items, claims, flags) is
    encoded by the C encoder, whose item separator carries that container's indentation.
    """
    if _c_make_encoder is None:
        return _stdlib_canonical(doc)
    parts: list[str] = []
    try:
        _encode(doc, 0, parts)
    except (_Unusual, RecursionError):
        return _stdlib_canonical(doc)  # same text, or the same error, as the definition
    return "".join(parts)


def canonical_bytes(doc: Any, *, plain: bool = False) -> bytes:
    """``canonical_text(doc)`` as UTF-8; ``plain``: the caller knows that ``doc`` is of plain
    JSON values without floats (``read_strict`` says so), which spares checking it.

    A document of plain JSON values without floats (a scan, as a rule) is written by orjson,
    whose indented output is byte for byte the stdlib's for such values (the tests check it)
    and seven times faster: 0.03 ms for a 32 KB scan against 0.2 ms for the stdlib's C encoder
    alone. orjson writes floats differently (``1e16``, NaN as ``null``) and some other types
    where the stdlib refuses them, so anything else takes the definition's path.
    """
    if plain or _plain_without_floats(doc):
        try:
            return orjson.dumps(doc, option=orjson.OPT_INDENT_2)
        except orjson.JSONEncodeError:
            pass  # an integer beyond 64 bits, a lone surrogate, nesting orjson refuses
    return canonical_text(doc).encode("utf-8")


_PLAIN = frozenset((dict, list, str, int, bool, type(None)))
_KEYS = frozenset((str,))


def _plain_without_floats(doc: Any) -> bool:
    """Whether ``doc`` holds only dicts with string keys, lists, strings, ints, bools and None
    (exactly these types, no subclasses); one level at a time, the type checks in C."""
    if type(doc) not in _PLAIN:
        return False
    level = [doc] if type(doc) in _CONTAINERS else []
    while level:
        nested: list[Any] = []
        for node in level:
            if type(node) is dict:
                if not _KEYS.issuperset(map(type, node)):
                    return False
                values = node.values()
            else:
                values = node
            kinds = set(map(type, values))
            if not kinds <= _PLAIN:
                return False
            if dict in kinds or list in kinds:
                nested += [v for v in values if type(v) is dict or type(v) is list]
        level = nested
    return True


def _stdlib_canonical(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


class _Unusual(Exception):
    """A value the fast encoder does not handle alike (a subclass, a tuple, a non-string key)."""


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _not_serializable(value: Any) -> Any:
    raise _Unusual  # the stdlib raises its TypeError for it


@cache
def _leaf_encoder(depth: int) -> Callable[[Any, int], list[str]]:
    """The C encoder for values at ``depth`` whose children, if any, are all scalars."""
    assert _c_make_encoder is not None
    separator = ",\n" + "  " * (depth + 1)
    return _c_make_encoder(  # type: ignore[no-any-return]
        None, _not_serializable, _c_encode_basestring, None, ": ", separator, False, False, True
    )


def _encode(value: Any, depth: int, out: list[str]) -> None:
    kind = type(value)
    if kind is dict or kind is list:
        if not value:
            out.append("{}" if kind is dict else "[]")
            return
        children = value.values() if kind is dict else value
        if _SCALARS.issuperset(map(type, children)):
            # The C encoder writes '{"a": 1,<newline+indent>"b": 2}'; add the outer newlines.
            text = "".join(_leaf_encoder(depth)(value, 0))
            inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
            out.append(text[0] + inner + text[1:-1] + outer + text[-1])
            return
        _encode_nested(value, kind is dict, depth, out)
    elif kind in _SCALARS:
        out.append("".join(_leaf_encoder(depth)(value, 0)))
    else:
        raise _Unusual


def _encode_nested(value: Any, is_dict: bool, depth: int, out: list[str]) -> None:
    inner = "\n" + "  " * (depth + 1)
    out.append("{" if is_dict else "[")
    separator = inner
    if is_dict:
        for key, child in value.items():
            if type(key) is not str:
                raise _Unusual
            out.append(separator)
            out.append(_c_encode_basestring(key))
            out.append(": ")
            _encode(child, depth + 1, out)
            separator = "," + inner
    else:
        for child in value:
            out.append(separator)
            _encode(child, depth + 1, out)
            separator = "," + inner
    out.append("\n" + "  " * depth + ("}" if is_dict else "]"))


# --------------------------------------------------------------------------- fast path


class _Refused(Exception):
    """Raised from inside json.loads hooks; the slow path finds out where and why."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Refused("duplicate key")
    return obj


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not allowed in JSON")


def _finite_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _Refused("number too large")
    return value


_CONTAINERS = (dict, list)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _deeper_than_limit(doc: Any) -> bool:
    """Breadth-first, one level at a time: cheaper than tracking a depth per node."""
    level = [doc] if type(doc) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return True
        children = chain.from_iterable(
            [node.values() if type(node) is dict else node for node in level]
        )
        level = [child for child in children if type(child) in _CONTAINERS]
    return False


def _has_surrogate(doc: Any) -> bool:
    stack = [doc]
    while stack:
        node = stack.pop()
        if type(node) is str:
            if _SURROGATE.search(node):
                return True
        elif type(node) is dict:
            if any(_SURROGATE.search(key) for key in node):
                return True
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
    return False


def parse_strict(data: bytes) -> Any:
    """The document in ``data``, or JsonSyntaxError saying where and why it is not strict JSON."""
    return read_strict(data)[0]


def read_strict(data: bytes) -> tuple[Any, bool]:
    """``parse_strict``, and whether the document holds no float: then it is of plain JSON
    values only (dicts with string keys, lists, strings, ints, bools, None)."""
    floats: list[str] = []

    def finite_float(token: str) -> float:
        floats.append(token)
        return _finite_float(token)

    if len(data) > MAX_BYTES:
        raise JsonSyntaxError(
            f"file is {len(data)} bytes, larger than the limit of {MAX_BYTES} bytes",
            line=1,
            col=1,
        )
    try:
        text = data.decode("utf-8")
        doc = json.loads(
            text,
            object_pairs_hook=_unique_object,
            parse_constant=_refuse_constant,
            parse_float=finite_float,
        )
    except json.JSONDecodeError as exc:
        raise _diagnose(data, exc) from None
    except (ValueError, RecursionError, _Refused) as exc:
        raise _diagnose(data, str(exc)) from None
    if _deeper_than_limit(doc):
        raise _diagnose(data, f"nesting deeper than {MAX_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(data) and _has_surrogate(doc):
        raise _diagnose(data, "lone surrogate escape in a string")
    return doc, not floats


# --------------------------------------------------------------------------- diagnosis


def _position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _error_at(text: str, offset: int, path: Sequence[str | int], message: str) -> JsonSyntaxError:
    line, col = _position(text, offset)
    return JsonSyntaxError(message, line=line, col=col, path=format_json_path(path))


_WIDE_ENCODINGS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian, with byte-order mark FF FE 00 00)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian, with byte-order mark 00 00 FE FF)"),
    (b"\xff\xfe", "UTF-16 (little-endian, with byte-order mark FF FE)"),
    (b"\xfe\xff", "UTF-16 (big-endian, with byte-order mark FE FF)"),
)

# JSON text starts with an ASCII character, so wide encodings show NULs in fixed places.
_WIDE_PATTERNS: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(b"[^\x00]\x00\x00\x00", re.S), "UTF-32 (little-endian"),
    (re.compile(b"\x00\x00\x00[^\x00]", re.S), "UTF-32 (big-endian"),
    (re.compile(b"[^\x00]\x00(?:[^\x00]\x00|\\Z)", re.S), "UTF-16 (little-endian"),
    (re.compile(b"\x00[^\x00](?:\x00[^\x00]|\\Z)", re.S), "UTF-16 (big-endian"),
)


def _encoding_problem(data: bytes) -> JsonSyntaxError | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return JsonSyntaxError(
            "UTF-8 byte-order mark (EF BB BF) at the start of the file is not allowed",
            line=1,
            col=1,
        )
    for bom, name in _WIDE_ENCODINGS:
        if data.startswith(bom):
            return JsonSyntaxError(f"file is encoded as {name}; scans must be UTF-8", line=1, col=1)
    for pattern, name in _WIDE_PATTERNS:
        if pattern.match(data):
            return JsonSyntaxError(
                f"file looks encoded as {name}, no byte-order mark); scans must be UTF-8",
                line=1,
                col=1,
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        lenient = data.decode("utf-8", "surrogateescape")
        return _error_at(
            lenient,
            len(before),
            _path_at(lenient, len(before)),
            f"invalid UTF-8: byte 0x{data[exc.start]:02X} ({exc.reason}); scans must be UTF-8",
        )
    nul = text.find("\x00")
    if nul >= 0:
        return _error_at(text, nul, _path_at(text, nul), "NUL byte (0x00) is not allowed")
    return None


_CONFLICT_MARKER = re.compile(r"^(<<<<<<< |\|\|\|\|\|\|\| |=======|>>>>>>> )", re.M)


def _diagnose(data: bytes, refusal: json.JSONDecodeError | str) -> JsonSyntaxError:
    """The most helpful error for a document the fast path refused (``refusal`` says why)."""
    if not data.strip(b" \t\r\n"):
        return JsonSyntaxError("empty file", line=1, col=1)
    problem = _encoding_problem(data)
    if problem is not None:
        return problem
    text = data.decode("utf-8")
    marker = _CONFLICT_MARKER.search(text)
    if marker is not None:
        return _error_at(
            text,
            marker.start(),
            _path_at(text, marker.start()),
            f"merge conflict marker left in the file (line starts with {marker.group(1).strip()})",
        )
    if isinstance(refusal, str):
        try:
            _SlowParser(text).run()
        except _Problem as found:
            return _error_at(text, found.offset, found.path, found.message)
        return JsonSyntaxError(refusal, line=1, col=1)
    exc = refusal
    path: Sequence[str | int] = ()
    in_object: bool | None = None
    try:
        _SlowParser(text, stop=exc.pos).run()
    except _Problem as found:
        if found.offset < exc.pos:
            return _error_at(text, found.offset, found.path, found.message)
        path = found.path
    except _Stop as stopped:
        path, in_object = stopped.path, stopped.in_object
    return JsonSyntaxError(
        _humanize(exc.msg, text, exc.pos, in_object),
        line=exc.lineno,
        col=exc.colno,
        path=format_json_path(path),
    )


def _humanize(msg: str, text: str, pos: int, in_object: bool | None) -> str:
    at = text[pos : pos + 1]
    before = text[:pos].rstrip(" \t\r\n")[-1:]
    if msg == "Expecting value":
        if at == "]" and before == ",":
            return "trailing comma before ']'"
        human = "expected a JSON value"
    elif msg == "Expecting property name enclosed in double quotes":
        if at == "}" and before == ",":
            return "trailing comma before '}'"
        human = "expected an object key in double quotes"
    elif msg == "Expecting ',' delimiter":
        human = (
            "expected ',' or '}' after object member"
            if in_object
            else "expected ',' or ']' after array element"
        )
    elif msg == "Expecting ':' delimiter":
        human = "expected ':' after object key"
    elif msg == "Extra data":
        return "unexpected data after the JSON document"
    elif msg.startswith("Unterminated string"):
        return "unterminated string (no closing '\"')"
    elif msg.startswith("Invalid control character"):
        return f"raw control character U+{ord(at):04X} in a string (it must be escaped)"
    elif msg == "Invalid \\escape":
        return 'invalid escape in a string (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)'
    elif msg == "Invalid \\uXXXX escape":
        return "invalid \\uXXXX escape (needs four hex digits)"
    else:
        return msg[:1].lower() + msg[1:]
    return f"unexpected end of file: {human}" if pos >= len(text) else human


# --------------------------------------------------------------------------- slow path


class _Problem(Exception):
    def __init__(self, offset: int, path: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.path = tuple(path)
        self.message = message


class _Stop(Exception):
    """The slow parser reached the requested offset; ``path`` is where it was."""

    def __init__(self, path: Sequence[str | int], in_object: bool | None) -> None:
        super().__init__()
        self.path = tuple(path)
        self.in_object = in_object


def _path_at(text: str, offset: int) -> JsonPath:
    try:
        _SlowParser(text, stop=offset).run()
    except _Problem as found:
        return found.path
    except _Stop as stopped:
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


class _SlowParser:
    """Iterative JSON parser that knows the offset and path of everything it reads.

    It raises _Problem at the first problem, _Stop when it reaches ``stop``, and records in
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
            raise _Stop(path, None)

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
                    raise _Stop(path[:-1], frames[-1] is not None)
                raise _Stop(path, None)
            if state is _VALUE:
                target = self.target
                if target is not None and path == target[: len(path)]:
                    self.best = pos
                    if len(path) == len(target):
                        return
                char = text[pos : pos + 1]
                if char in ("{", "["):
                    if len(frames) >= MAX_DEPTH:
                        raise _Problem(pos, path, f"nesting deeper than {MAX_DEPTH} levels")
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
                        raise _Problem(pos, path, "trailing comma before '}'")
                    raise _Problem(pos, path, "expected an object key in double quotes")
                key, end = self._string(pos, path)
                self._check_stop(end, path)
                keys = frames[-1]
                assert keys is not None  # _KEY is only entered inside an object
                if key in keys:
                    shown = json.dumps(key, ensure_ascii=False)
                    raise _Problem(pos, path, f"duplicate key {shown}")
                keys.add(key)
                pos = self._ws(end)
                if not text.startswith(":", pos):
                    raise _Problem(pos, path, "expected ':' after object key")
                pos = self._ws(pos + 1)
                path.append(key)
                state = _VALUE
            else:
                if not frames:
                    if pos < n:
                        raise _Problem(pos, path, "unexpected data after the JSON document")
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
                    raise _Problem(pos, path, message)

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
                    raise _Problem(pos, path, f"number {shown} is too large for a float")
            else:
                digits = len(token.lstrip("-"))
                limit = sys.get_int_max_str_digits()
                if limit and digits > limit:
                    raise _Problem(
                        pos, path, f"integer with {digits} digits is too long (limit {limit})"
                    )
            return number.end()
        for word in _LITERALS:
            if text.startswith(word, pos):
                return pos + len(word)
        for word in _CONSTANTS:
            if text.startswith(word, pos):
                raise _Problem(pos, path, f"{word} is not allowed in JSON")
        if text.startswith("]", pos) and frames and frames[-1] is None:
            raise _Problem(pos, path, "trailing comma before ']'")
        message = "expected a JSON value"
        if pos >= len(text):
            message = f"unexpected end of file: {message}"
        raise _Problem(pos, path, message)

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
                raise _Problem(start, path, "unterminated string (no closing '\"')")
            if char != "\\":
                raise _Problem(
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
                raise _Problem(pos, path, "invalid escape in a string")
            code = self._hex4(pos + 2, path)
            if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", pos + 6):
                low = self._hex4(pos + 8, path)
                if 0xDC00 <= low <= 0xDFFF:
                    parts.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    pos += 12
                    continue
            if 0xD800 <= code <= 0xDFFF:
                raise _Problem(
                    pos,
                    path,
                    f"lone surrogate \\u{code:04X} in a string (not a Unicode character)",
                )
            parts.append(chr(code))
            pos += 6

    def _hex4(self, pos: int, path: list[str | int]) -> int:
        digits = _HEX4.match(self.text, pos)
        if digits is None:
            raise _Problem(pos - 1, path, "invalid \\uXXXX escape (needs four hex digits)")
        return int(digits.group(), 16)


def locate(data: bytes, path: Sequence[str | int]) -> tuple[int, int]:
    """(line, column) of the value at ``path``, or of its deepest existing ancestor."""
    text = data.decode("utf-8", "surrogateescape")
    parser = _SlowParser(text, target=path)
    with contextlib.suppress(_Problem):  # then the deepest ancestor seen before the problem
        parser.run()
    return _position(text, parser.best)
