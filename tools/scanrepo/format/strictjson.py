"""Strict reading of scan JSON: the document, or a JsonSyntaxError saying where and why not.

Reading has three paths. A document in canonical form (every scan the repository holds), or
on one line as a scanner writes JSON Lines (the stdlib's ``json.dumps`` or orjson's compact
form), is read by orjson, where installed, and accepted when writing it back the same way gives
exactly its bytes (see ``read_canonical`` for why that proves it strict). Anything else takes
the stdlib C parser with hooks that notice what JSON allows but scans must not contain
(duplicate keys, NaN, overflowing numbers, lone surrogates, deep nesting). Only when that
refuses or notices something does the slow path run (``jsonpath.SlowParser``): it tracks line,
column and JSON path to explain the problem.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from scanrepo.errors import JsonSyntaxError
from scanrepo.format.jsonpath import (
    MAX_DEPTH,
    ParseProblem,
    SlowParser,
    StopAt,
    format_json_path,
    path_at,
    position,
)

_orjson: ModuleType | None
try:
    import orjson as _orjson
except ImportError:  # git's textconv driver may run on the standard library alone
    _orjson = None

MAX_BYTES: int = 16 * 1024 * 1024

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


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_float(doc: Any) -> bool:
    """Whether a parsed document holds a float anywhere."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
        elif type(node) is float:
            return True
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


# Indented output puts every member of a non-empty container on a line of its own, 2 spaces
# deeper than the container's own line (strings hold no raw newline). A document nested D
# levels deep has a container at level D - 1 holding one, so a line indented 2 * (D - 1)
# spaces: a text without a line indented 2 * MAX_DEPTH spaces is at most MAX_DEPTH deep (one
# with such a line may be too, then the strict parser decides).
_TOO_DEEP = b"\n" + b" " * (2 * MAX_DEPTH)


def read_canonical(data: bytes) -> tuple[Any, bool] | None:
    """The document in ``data`` and whether it holds no float, if ``data`` is exactly how orjson
    (indented or compact) or the stdlib's ``json.dumps`` (default separators) writes that
    document; else None (the strict parser then decides).

    orjson refuses what JSON does not allow: invalid UTF-8, NaN and Infinity, overflowing
    numbers, lone surrogates, control characters in strings (a pair of surrogate escapes, an
    integer beyond 64 bits, a byte-order mark are accepted or refused, but never written back
    as they were). It keeps the last of duplicate keys, but then the document written back
    cannot equal the input: JSON text has one syntax tree, and the tree of a written document
    has each key of an object once, so equal bytes mean no duplicates. Floats parse to the
    stdlib's values: each float token is the shortest text of orjson's value (what both
    writers write), so that value is the correctly rounded one. The depth is read from the
    indentation, or counted in the document of a one-line text.
    """
    if _orjson is None:
        return None
    indented = data.startswith((b"{\n", b"[\n"))
    if indented and _TOO_DEEP in data:
        return None
    try:
        doc = _orjson.loads(data)
        if indented:
            if _orjson.dumps(doc, option=_orjson.OPT_INDENT_2) != data:
                return None
            return doc, not has_float(doc)
        if b"\n" in data or _written_one_line(doc, data) != data:
            return None
    except (_orjson.JSONDecodeError, _orjson.JSONEncodeError):
        return None
    depth, floats = _shape(doc)
    return (doc, not floats) if depth <= MAX_DEPTH else None


def _written_one_line(doc: Any, data: bytes) -> bytes:
    """``doc`` written on one line the way ``data`` looks written: the stdlib's default (with
    '": ' between key and value, ASCII only when ``data`` is) or orjson's compact form."""
    if b'": ' in data:
        return json.dumps(doc, ensure_ascii=data.isascii()).encode("utf-8")
    return _orjson.dumps(doc) if _orjson is not None else b""


def _shape(doc: Any) -> tuple[int, bool]:
    """How deeply ``doc`` nests (a scalar 0, ``[]`` 1), and whether it holds a float; one level
    at a time, the type checks in C."""
    level = [doc]
    depth = 0
    floats = False
    while level:
        floats = floats or float in set(map(type, level))
        containers = [node for node in level if type(node) is dict or type(node) is list]
        if not containers:
            break
        depth += 1
        level = [
            child
            for node in containers
            for child in (node.values() if type(node) is dict else node)
        ]
    return depth, floats


def deeper_than_limit(doc: Any) -> bool:
    """Whether ``doc`` nests deeper than a strict text may."""
    return _shape(doc)[0] > MAX_DEPTH


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
    fast = read_canonical(data)
    if fast is not None:
        return fast
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
    if deeper_than_limit(doc):
        raise _diagnose(data, f"nesting deeper than {MAX_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(data) and _has_surrogate(doc):
        raise _diagnose(data, "lone surrogate escape in a string")
    return doc, not floats


# --------------------------------------------------------------------------- diagnosis


def _error_at(text: str, offset: int, path: Sequence[str | int], message: str) -> JsonSyntaxError:
    line, col = position(text, offset)
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
            path_at(lenient, len(before)),
            f"invalid UTF-8: byte 0x{data[exc.start]:02X} ({exc.reason}); scans must be UTF-8",
        )
    nul = text.find("\x00")
    if nul >= 0:
        return _error_at(text, nul, path_at(text, nul), "NUL byte (0x00) is not allowed")
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
            path_at(text, marker.start()),
            f"merge conflict marker left in the file (line starts with {marker.group(1).strip()})",
        )
    if isinstance(refusal, str):
        try:
            SlowParser(text).run()
        except ParseProblem as found:
            return _error_at(text, found.offset, found.path, found.message)
        return JsonSyntaxError(refusal, line=1, col=1)
    exc = refusal
    path: Sequence[str | int] = ()
    in_object: bool | None = None
    try:
        SlowParser(text, stop=exc.pos).run()
    except ParseProblem as found:
        if found.offset < exc.pos:
            return _error_at(text, found.offset, found.path, found.message)
        path = found.path
    except StopAt as stopped:
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
