"""Strict scan JSON reading, canonical writing and JSON-path location (scanrepo.format)."""

from __future__ import annotations

import json
import pickle
import subprocess
from collections.abc import Iterator
from enum import IntFlag as _IntFlag
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanrepo.errors import JsonSyntaxError
from scanrepo.format import canonical, strictjson
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.jsonpath import (
    MAX_DEPTH,
    JsonPath,
    ParseProblem,
    SlowParser,
    format_json_path,
    locate,
)
from scanrepo.format.strictjson import MAX_BYTES, parse_strict, read_strict

DATA = Path(__file__).parents[1] / "data"
SUITE = DATA / "JSONTestSuite" / "test_parsing"
V4 = DATA / "fixtures" / "2602.07852.scan-v4.json"
V3 = DATA / "fixtures" / "2602.07852.scan-v3.json"


def suite_files(prefix: str) -> list[Path]:
    files = sorted(SUITE.glob(f"{prefix}_*.json"))
    assert files, f"no {prefix}_*.json files in {SUITE}"
    return files


def refused(data: bytes) -> JsonSyntaxError:
    with pytest.raises(JsonSyntaxError) as info:
        parse_strict(data)
    return info.value


def assert_error(data: bytes, line: int, col: int, path: str, *fragments: str) -> JsonSyntaxError:
    error = refused(data)
    assert (error.line, error.col, error.path) == (line, col, path), error
    for fragment in fragments:
        assert fragment in error.message, error
    assert "\n" not in error.message
    return error


# --------------------------------------------------------------------------- JSONTestSuite


@pytest.mark.parametrize("path", suite_files("n"), ids=lambda p: p.name)
def test_suite_must_reject(path: Path) -> None:
    error = refused(path.read_bytes())
    assert error.line >= 1
    assert error.col >= 1
    assert error.path.startswith("$")
    assert error.message.strip()
    assert "\n" not in error.message
    assert not error.message.startswith("Expecting"), "json's wording should be humanized"


@pytest.mark.parametrize("path", suite_files("y"), ids=lambda p: p.name)
def test_suite_must_accept(path: Path) -> None:
    data = path.read_bytes()
    if path.name.startswith("y_object_duplicated_key"):
        assert_error(data, 1, 10, "$", 'duplicate key "a"')
    else:
        assert parse_strict(data) == json.loads(data)


@pytest.mark.parametrize("path", suite_files("i"), ids=lambda p: p.name)
def test_suite_implementation_defined_only_raises_json_syntax_error(path: Path) -> None:
    try:
        parse_strict(path.read_bytes())
    except JsonSyntaxError as error:
        assert error.line >= 1
        assert error.col >= 1
        assert "\n" not in error.message


@pytest.mark.parametrize("path", sorted(SUITE.glob("*.json")), ids=lambda p: p.name)
def test_slow_parser_agrees_with_fast_path(path: Path) -> None:
    # The slow parser explains what the fast path refuses; if they disagreed on what is valid,
    # errors would point at the wrong place.
    data = path.read_bytes()
    try:
        parse_strict(data)
        accepted = True
    except JsonSyntaxError:
        accepted = False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        assert not accepted
        return
    try:
        SlowParser(text).run()
        slow_accepts = True
    except ParseProblem:
        slow_accepts = False
    assert slow_accepts == accepted


class Text(str):
    pass


class IntFlag(_IntFlag):
    A = 1


# --------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("path", [V4, V3], ids=lambda p: p.name)
def test_fixture_round_trips_byte_for_byte(path: Path) -> None:
    data = path.read_bytes()
    doc = parse_strict(data)
    assert canonical_bytes(doc) == data
    assert not canonical_bytes(doc).endswith(b"\n")


def test_canonical_form_keeps_non_ascii_and_indents_by_two() -> None:
    assert canonical_bytes({"a": ["ü", 1]}) == '{\n  "a": [\n    "ü",\n    1\n  ]\n}'.encode()
    assert canonical_bytes({"a": "→"}) == '{\n  "a": "→"\n}'.encode()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=30,
)


def stdlib_canonical(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


PLAIN_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too, which orjson refuses
    | st.text(st.characters(codec="utf-8"), max_size=8)
    | st.sampled_from(['\x00\x1f\x7f\u2028\\"/', "\ud800", "é→😀\ufeff"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=30,
)


def stdlib_bytes(doc: Any) -> bytes:
    return stdlib_canonical(doc).encode("utf-8")


@settings(max_examples=300)
@given(st.one_of(PLAIN_VALUES, JSON_VALUES))
def test_canonical_bytes_is_the_stdlib_definition(doc: Any) -> None:
    try:
        expected = stdlib_bytes(doc)
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form
        with pytest.raises(UnicodeEncodeError):
            canonical_bytes(doc)
        return
    assert canonical_bytes(doc) == expected


@settings(max_examples=200)
@given(st.one_of(PLAIN_VALUES, JSON_VALUES))
def test_what_read_strict_calls_plain_takes_the_fast_path_rightly(doc: Any) -> None:
    try:
        data = json.dumps(doc, allow_nan=False).encode("utf-8")
        parsed, plain = read_strict(data)
    except (ValueError, UnicodeEncodeError, JsonSyntaxError):
        return  # NaN, a lone surrogate, nesting: not strict JSON
    assert plain == all(type(v) is not float for v in _values(parsed))
    assert canonical_bytes(parsed, plain=plain) == stdlib_bytes(parsed)


def _values(doc: Any) -> list[Any]:
    found, stack = [], [doc]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
    return found


@pytest.mark.parametrize(
    ("doc", "fast"),
    [
        (json.loads(V4.read_bytes()), True),
        (json.loads(V3.read_bytes()), True),
        ({"a": [1, {"b": None}]}, True),
        ({"a": [1, {"b": 1.5}]}, False),
        ({"a": {1: "x"}}, False),
        ({"a": (1, 2)}, False),
        ({"a": [Text("x")]}, False),
        (1.0, False),
    ],
)
def test_scans_take_the_fast_path_and_floats_and_other_types_do_not(doc: Any, fast: bool) -> None:
    assert canonical.plain_without_floats(doc) is fast
    assert canonical_bytes(doc) == stdlib_bytes(doc)


# --------------------------------------------------------------------------- hand-written


def test_duplicate_key_nested_three_deep() -> None:
    data = b"""{
  "checklist": {
    "conflicts_of_interest": {
      "funding_disclosed": {
        "answer": true,
        "answer": false
      }
    }
  }
}"""
    assert_error(
        data,
        6,
        9,
        "$.checklist.conflicts_of_interest.funding_disclosed",
        'duplicate key "answer"',
    )


def git_merge_file(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[int, bytes]:
    """Three-way merge with real git; returns (number of conflicts, merged bytes)."""
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs"]
        + [str(tmp_path / f"{name}.json") for name in ("ours", "base", "theirs")],
        capture_output=True,
        check=False,
    )
    assert result.returncode >= 0, result.stderr
    return result.returncode, result.stdout


MERGE_BASE = """{
  "item": {
    "applies": true,
    "justification": "j",
    "source": "opus",
    "note": "n"
  }
}"""


def test_duplicate_key_from_clean_git_merge(tmp_path: Path) -> None:
    ours = MERGE_BASE.replace('"applies": true,', '"applies": true,\n    "answer": true,')
    theirs = MERGE_BASE.replace('"source": "opus",', '"source": "opus",\n    "answer": false,')
    conflicts, merged = git_merge_file(tmp_path, MERGE_BASE, ours, theirs)
    assert conflicts == 0
    assert merged.splitlines()[3:7] == [
        b'    "answer": true,',
        b'    "justification": "j",',
        b'    "source": "opus",',
        b'    "answer": false,',
    ]
    assert_error(merged, 7, 5, "$.item", 'duplicate key "answer"')


def test_merge_conflict_markers_from_git(tmp_path: Path) -> None:
    ours = MERGE_BASE.replace('"justification": "j"', '"justification": "mine"')
    theirs = MERGE_BASE.replace('"justification": "j"', '"justification": "yours"')
    conflicts, merged = git_merge_file(tmp_path, MERGE_BASE, ours, theirs)
    assert conflicts == 1
    assert merged.splitlines()[3] == b"<<<<<<< ours"
    assert_error(merged, 4, 1, "$.item", "merge conflict marker left in the file", "<<<<<<<")


@pytest.mark.parametrize("marker", ["=======", ">>>>>>> theirs"])
def test_merge_conflict_marker_of_any_kind(marker: str) -> None:
    data = f'{{\n  "a": 1,\n{marker}\n  "b": 2\n}}'.encode()
    assert_error(data, 3, 1, "$", "merge conflict marker left in the file")


def test_nan_and_infinities_refused_where_they_are() -> None:
    data = b'{\n  "engagement_factors": {\n    "novelty": {"score": NaN}\n  }\n}'
    assert_error(data, 3, 26, "$.engagement_factors.novelty.score", "NaN is not allowed")
    assert_error(b"[1, -Infinity]", 1, 5, "$[1]", "-Infinity is not allowed")
    assert_error(b'{"x": Infinity}', 1, 7, "$.x", "Infinity is not allowed")


def test_number_overflowing_a_float_refused() -> None:
    assert_error(b'{"a": [0.5, 1e400]}', 1, 13, "$.a[1]", "1e400", "too large")
    assert parse_strict(b"[1e-400, 1.5e308]") == [0.0, 1.5e308]


def test_integer_too_long_for_python_refused() -> None:
    assert_error(b"[" + b"7" * 5000 + b"]", 1, 2, "$[0]", "5000 digits")


def test_lone_surrogate_escape_refused_valid_pair_accepted() -> None:
    assert_error(b'{"title": "x\\ud800y"}', 1, 13, "$.title", "lone surrogate", "D800")
    assert_error(b'["ok", "\\uDC00"]', 1, 9, "$[1]", "lone surrogate")
    assert_error(b'{"k\\udfff": 1}', 1, 4, "$", "lone surrogate")
    assert parse_strict(b'["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]


def test_utf8_byte_order_mark_refused() -> None:
    assert_error(b'\xef\xbb\xbf{"a": 1}', 1, 1, "$", "byte-order mark", "not allowed")


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_wide_encodings_refused(encoding: str, name: str) -> None:
    assert_error('{"a": "é"}'.encode(encoding), 1, 1, "$", name, "must be UTF-8")


def test_invalid_utf8_in_the_middle_of_line_three() -> None:
    data = '{\n  "a": "ok",\n  "é": "ü'.encode() + b'\xff"\n}'
    assert_error(data, 3, 10, "$['é']", "invalid UTF-8", "0xFF")


def test_nul_byte_refused() -> None:
    assert_error(b'{"a":\x00 1}', 1, 6, "$.a", "NUL byte")


def test_truncated_files() -> None:
    assert_error(b'{\n  "a": [1, 2\n', 3, 1, "$.a", "unexpected end of file", "',' or ']'")
    data = V4.read_bytes()[:-1]
    lines = data.count(b"\n")
    assert_error(data, lines + 1, 1, "$", "unexpected end of file", "',' or '}'")
    assert_error(b'{"a": "unfinished', 1, 7, "$.a", "unterminated string")


def test_trailing_garbage() -> None:
    assert_error(b'{"a": 1}\n}', 2, 1, "$", "unexpected data after the JSON document")
    assert_error(b"[1] [2]", 1, 5, "$", "unexpected data after the JSON document")


def test_syntax_errors_keep_json_positions_with_human_messages() -> None:
    assert_error(b'{"a": 1 "b": 2}', 1, 9, "$", "expected ',' or '}' after object member")
    assert_error(b"[1 2]", 1, 4, "$", "expected ',' or ']' after array element")
    assert_error(b'{"a" 1}', 1, 6, "$", "expected ':' after object key")
    assert_error(b'{"a": [1,]}', 1, 10, "$.a[1]", "trailing comma before ']'")
    assert_error(b'{"a": 1,}', 1, 9, "$", "trailing comma before '}'")
    assert_error(b'{"a": "x\ty"}', 1, 9, "$.a", "raw control character U+0009")
    assert_error(b'["\\x"]', 1, 3, "$[0]", "invalid escape")


def test_duplicate_key_in_unclosed_object_reported_first() -> None:
    assert_error(b'{"a": 1, "a": 2', 1, 10, "$", 'duplicate key "a"')


def test_duplicate_key_message_stays_on_one_line() -> None:
    assert_error(b'{"x": {"a\\nb": 1, "a\\nb": 2}}', 1, 19, "$.x", 'duplicate key "a\\nb"')


def test_non_ascii_before_the_error_counts_characters() -> None:
    data = '{"naïve — ok": "→", x}'.encode()
    assert_error(data, 1, 21, "$", "expected an object key in double quotes")
    assert_error('["été", "→" "x"]'.encode(), 1, 13, "$", "expected ',' or ']'")


def test_hundred_thousand_nested_arrays_refused_without_recursion_error() -> None:
    assert_error(b"[" * 100_000, 1, 65, "$" + "[0]" * 64, "nesting deeper than 64")
    assert_error(b"[" * 100_000 + b"]" * 100_000, 1, 65, "$" + "[0]" * 64, "nesting")
    assert_error(b'{"a":' * 100_000, 1, 5 * 64 + 1, "$" + ".a" * 64, "nesting")


def test_nesting_limit_is_exactly_max_depth() -> None:
    assert MAX_DEPTH == 64
    deepest = parse_strict(b"[" * 64 + b"]" * 64)
    for _ in range(63):
        deepest = deepest[0]
    assert deepest == []
    assert_error(b"[" * 65 + b"]" * 65, 1, 65, "$" + "[0]" * 64, "nesting deeper than 64")
    objects = b'{"k": ' * 63 + b"{}" + b"}" * 63
    assert parse_strict(objects) is not None
    deep = b'{"k": ' * 64 + b"{}" + b"}" * 64
    assert_error(deep, 1, 6 * 64 + 1, "$" + ".k" * 64, "nesting deeper than 64")


def test_empty_file() -> None:
    assert_error(b"", 1, 1, "$", "empty file")
    assert_error(b" \n\t\r\n", 1, 1, "$", "empty file")


def test_files_over_the_size_limit_refused() -> None:
    assert MAX_BYTES == 16 * 1024 * 1024
    assert_error(b" " * (MAX_BYTES + 1), 1, 1, "$", "larger than the limit")
    assert parse_strict(b"[" + b" " * (MAX_BYTES - 2) + b"]") == []


def test_error_survives_pickling() -> None:
    error = refused(b'{"a": NaN}')
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, JsonSyntaxError)
    assert (copy.message, copy.line, copy.col, copy.path) == (
        error.message,
        error.line,
        error.col,
        error.path,
    )
    assert str(copy) == str(error) == "1:7: $.a: NaN is not allowed in JSON"


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "$"),
        (("a", 0, "b c"), "$.a[0]['b c']"),
        (("_x1", "1a", ""), "$._x1['1a']['']"),
        (("it's",), "$['it\\'s']"),
        (('a"b\\c',), "$['a\"b\\\\c']"),
        (("x\n",), "$['x\\n']"),
        (("é",), "$['é']"),
    ],
)
def test_format_json_path(path: JsonPath, text: str) -> None:
    assert format_json_path(path) == text


def text_at(data: bytes, line: int, col: int) -> str:
    return data.decode("utf-8").split("\n")[line - 1][col - 1 :]


@pytest.mark.parametrize(
    ("path", "line", "col", "starts"),
    [
        (("checklist", "conflicts_of_interest", "funding_disclosed", "answer"), 73, 19, "false,"),
        (("claims", 2, "supported"), 441, 20, '"strong"'),
        (("claims", 2), 438, 5, "{"),
        (("paper", "authors", 3), 10, 7, '"Neel Nanda"'),
        ((), 1, 1, "{"),
        # missing key: the object that lacks it; missing index: the array
        (("checklist", "conflicts_of_interest", "no_such_item", "answer"), 70, 30, "{"),
        (("claims", 99, "supported"), 427, 13, "["),
        (("claims", "supported"), 427, 13, "["),
    ],
)
def test_locate_in_v4_fixture(path: JsonPath, line: int, col: int, starts: str) -> None:
    data = V4.read_bytes()
    assert locate(data, path) == (line, col)
    assert text_at(data, line, col).startswith(starts)


def all_paths(doc: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    yield path, doc
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from all_paths(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from all_paths(value, (*path, index))


def test_locate_finds_every_value_of_the_fixture() -> None:
    data = V4.read_bytes()
    text = data.decode("utf-8")
    line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()
    for path, value in all_paths(parse_strict(data)):
        line, col = locate(data, path)
        found, _ = decoder.raw_decode(text, line_starts[line - 1] + col - 1)
        assert found == value, format_json_path(path)


def test_locate_counts_characters_and_tolerates_broken_documents() -> None:
    data = '{"é→": ["ü", {"k": true}]}'.encode()
    assert locate(data, ("é→", 1, "k")) == (1, 20)
    assert locate(b'{"a": {"b": [1, 2', ("a", "b", 5)) == (1, 13)
    assert locate(b'{"a": {"b": [1, 2', ("a", "b", 1)) == (1, 17)


# --------------------------------------------------------------------------- canonical path


def indented(doc: Any) -> bytes:
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def test_a_scan_in_canonical_form_is_read_by_the_canonical_path() -> None:
    data = V4.read_bytes()
    assert strictjson.read_canonical(data) == (json.loads(data), True)
    assert read_strict(data) == (json.loads(data), True)


def test_a_text_not_in_canonical_form_is_left_to_the_strict_parser() -> None:
    doc = json.loads(V4.read_bytes())
    layouts = (
        json.dumps(doc, indent=1).encode(),
        json.dumps(doc, separators=(",", ": ")).encode(),
        json.dumps(doc, separators=(",", ":"), ensure_ascii=True).encode(),
        indented(doc) + b"\n",
        b" " + indented(doc),
        json.dumps(doc).encode() + b"\n",
    )
    assert not V4.read_bytes().isascii()  # so the ASCII-only compact layout is not orjson's
    for data in layouts:
        assert strictjson.read_canonical(data) is None
        assert read_strict(data) == (doc, True)


def test_duplicate_key_in_canonical_layout_refused_as_before() -> None:
    # orjson alone would keep the second answer: the text it writes back has one "answer"
    data = indented({"item": {"answer": True, "source": "opus"}}).replace(
        b'"source": "opus"', b'"answer": false'
    )
    assert data == b'{\n  "item": {\n    "answer": true,\n    "answer": false\n  }\n}'
    assert strictjson.read_canonical(data) is None
    assert_error(data, 4, 5, "$.item", 'duplicate key "answer"')


def test_nesting_in_canonical_layout_allowed_to_the_limit_refused_beyond() -> None:
    empty_at_limit = indented(json.loads("[" * 64 + "]" * 64))
    assert strictjson.read_canonical(empty_at_limit) is not None
    assert parse_strict(empty_at_limit) == json.loads(empty_at_limit)
    # its innermost member is indented as deep as a 65th level would be: the strict parser
    # decides, and accepts it
    at_limit = indented(json.loads("[" * 63 + "[1]" + "]" * 63))
    assert strictjson.read_canonical(at_limit) is None
    assert parse_strict(at_limit) == json.loads(at_limit)
    beyond = indented(json.loads("[" * 64 + "[1]" + "]" * 64))
    assert strictjson.read_canonical(beyond) is None
    error = refused(beyond)
    assert (error.line, error.path) == (65, "$" + "[0]" * 64), error
    assert "nesting deeper than 64" in error.message


def test_floats_in_canonical_layout_are_reported_not_plain() -> None:
    for doc in ({"year": 2026.0}, {"a": [1, 2.5]}, {"a": [1e16]}, 1.5, {"a": [[-0.0]]}):
        data = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
        parsed, plain = read_strict(data)
        assert parsed == doc and plain is False, data
        assert [type(v) for v in _values(parsed)] == [type(v) for v in _values(doc)]


def one_line_layouts(doc: Any) -> list[bytes]:
    """How a scanner writes a scan on one line: the stdlib's default (ASCII or not), orjson's."""
    return [
        json.dumps(doc).encode(),
        json.dumps(doc, ensure_ascii=False).encode("utf-8"),
        orjson.dumps(doc),
    ]


def test_one_line_layouts_of_a_scan_are_read_by_the_fast_path() -> None:
    doc = json.loads(V4.read_bytes())
    for data in one_line_layouts(doc):
        assert strictjson.read_canonical(data) == (doc, True), data[:40]
        assert read_strict(data) == (doc, True)


def test_one_line_layouts_report_floats() -> None:
    for doc in ({"year": 2026.0}, {"a": [1, 2.5]}, [[1e16]], 1.5, {"a": [[-0.0]]}, 0.1):
        for data in one_line_layouts(doc):
            assert strictjson.read_canonical(data) == (doc, False), data
            assert [type(v) for v in _values(read_strict(data)[0])] == [
                type(v) for v in _values(doc)
            ]


def test_one_line_duplicate_keys_surrogates_and_big_numbers_go_to_the_strict_parser() -> None:
    duplicate = b'{"item": {"answer": true, "answer": false}}'
    assert strictjson.read_canonical(duplicate) is None
    assert_error(duplicate, 1, 27, "$.item", 'duplicate key "answer"')
    compact = b'{"a":1,"a":2}'
    assert strictjson.read_canonical(compact) is None
    assert_error(compact, 1, 8, "$", 'duplicate key "a"')
    surrogate = b'{"title": "x\\ud800y"}'
    assert strictjson.read_canonical(surrogate) is None
    assert_error(surrogate, 1, 13, "$.title", "lone surrogate")
    big = b'{"year": 18446744073709551616}'
    assert strictjson.read_canonical(big) is None
    assert parse_strict(big) == {"year": 18446744073709551616}
    assert strictjson.read_canonical(b'{"a": NaN}') is None


def test_one_line_nesting_allowed_to_the_limit_refused_beyond() -> None:
    at_limit = b"[" * 64 + b"]" * 64
    assert strictjson.read_canonical(at_limit) == (json.loads(at_limit), True)
    beyond = b"[" * 65 + b"]" * 65
    assert strictjson.read_canonical(beyond) is None
    error = refused(beyond)
    assert (error.line, error.col) == (1, 65), error
    assert "nesting deeper than 64" in error.message


def test_what_orjson_cannot_write_back_is_judged_by_the_strict_parser() -> None:
    big = b'{\n  "year": 18446744073709551616\n}'  # orjson reads it as a float
    assert strictjson.read_canonical(big) is None
    assert parse_strict(big) == {"year": 18446744073709551616}
    surrogate = b'{\n  "title": "x\\ud800y"\n}'
    assert strictjson.read_canonical(surrogate) is None
    assert_error(surrogate, 2, 14, "$.title", "lone surrogate")
    pair = b'{\n  "title": "\\ud83d\\ude00"\n}'
    assert parse_strict(pair) == {"title": "\U0001f600"}
    assert_error(b"\xef\xbb\xbf" + indented({"a": 1}), 1, 1, "$", "byte-order mark")
    assert_error(b'{\n  "a": NaN\n}', 2, 8, "$.a", "NaN is not allowed")


@settings(max_examples=200)
@given(st.one_of(PLAIN_VALUES, JSON_VALUES))
def test_indented_documents_read_as_the_stdlib_reads_them(doc: Any) -> None:
    try:
        data = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False).encode("utf-8")
        expected = json.loads(data)
    except (ValueError, UnicodeEncodeError, RecursionError):
        return  # NaN, a lone surrogate: not strict JSON
    try:
        parsed, plain = read_strict(data)
    except JsonSyntaxError as error:
        assert "nesting" in error.message  # the only refusal left for such a document
        return
    assert parsed == expected
    assert [type(v) for v in _values(parsed)] == [type(v) for v in _values(expected)]
    assert plain == all(type(v) is not float for v in _values(parsed))
