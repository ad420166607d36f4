"""A stable, line-oriented text of one scan, for git's textconv: its line diff reads as a semantic
diff.

The scan is first migrated in memory to the newest version, so a pure v3->v4 migration gives
the same text on both sides. Each checklist item is one line (``applies``, ``answer``,
``source``) with its justification on an indented line below; claims, red flags and cited
papers are sorted, so reordering them changes nothing. A file that is no readable scan gives a
one-line note and its raw text, so git still shows something.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from scanrepo.errors import ChainError, JsonSyntaxError, MigrationError, UnnamedPaperError
from scanrepo.format import model
from scanrepo.format.keys import paper_key
from scanrepo.format.strictjson import parse_strict
from scanrepo.migrate.chain import Chain
from scanrepo.render.inert import terminal_safe
from scanrepo.toolkit import Toolkit

INDENT = "    "
# The schema versions by file name alone: importing the schema registry (and jsonschema) would
# double the start-up time, which git pays once per file it shows.
SCHEMA_FILE = re.compile(r"v(0|[1-9]\d*)\.json", re.ASCII)


def yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False)


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# How the one line of a checklist item and of an engagement factor shows each field, in that
# order; the justification follows on lines of its own. The tests check that these cover the
# model's fields.
ITEM_LINE: dict[str, Callable[[Any], str]] = {
    model.APPLIES: yes_no,
    model.ANSWER: yes_no,
    model.SOURCE: _scalar,
}
FACTOR_LINE: dict[str, Callable[[Any], str]] = {model.SCORE: _scalar}


def _summary(value: dict[str, Any], shown: dict[str, Callable[[Any], str]]) -> str:
    return ", ".join(f"{name} {show(value[name])}" for name, show in shown.items())


def item_summary(item: dict[str, Any]) -> str:
    """``applies yes, answer no, source opus``: a checklist item without its justification."""
    return _summary(item, ITEM_LINE)


def _text(head: str, text: Any) -> Iterator[str]:
    """``head: text``, continuation lines of a multi-line text indented."""
    first, *rest = _scalar(text).split("\n")
    yield f"{head}: {first}" if first else f"{head}:"
    yield from (INDENT + line for line in rest)


def _indented(text: Any) -> Iterator[str]:
    yield from (INDENT + line for line in _scalar(text).split("\n"))


def _generic(path: str, value: Any) -> Iterator[str]:
    if model.is_item(value):
        yield f"{path}: {item_summary(value)}"
        yield from _indented(value[model.JUSTIFICATION])
    elif isinstance(value, dict) and value:
        for name, child in value.items():
            yield from _generic(f"{path}.{name}", child)
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for child in value:
            yield f"{path}[]: {json.dumps(child, ensure_ascii=False, sort_keys=True)}"
    elif isinstance(value, list | dict):
        yield f"{path}: {json.dumps(value, ensure_ascii=False)}"
    else:
        yield from _text(path, value)


def _records(
    value: Any, fields: tuple[str, ...], render: Callable[[dict[str, Any]], Iterator[str]]
) -> Iterator[str] | None:
    """Records of a known shape, sorted by their fields; None where the shape is not that."""
    if not isinstance(value, list) or not all(
        isinstance(r, dict) and set(r) == set(fields) for r in value
    ):
        return None
    ordered = sorted(value, key=lambda r: [json.dumps(r[f], ensure_ascii=False) for f in fields])
    return (line for record in ordered for line in render(record))


def _claim(record: dict[str, Any]) -> Iterator[str]:
    yield from _text(f"claim [{_scalar(record['supported'])}]", record["claim"])
    yield from _text(INDENT + "evidence", record["evidence"])


def _red_flag(record: dict[str, Any]) -> Iterator[str]:
    yield from _text("red flag", record["flag"])
    yield from _indented(record["detail"])


def _cited(record: dict[str, Any]) -> Iterator[str]:
    yield from _text("cited", record["title"])
    yield from _indented(record["relevance"])


def _factors(member: str, value: Any) -> Iterator[str] | None:
    if not isinstance(value, dict) or not all(map(model.is_factor, value.values())):
        return None
    return (
        line
        for name, factor in value.items()
        for line in (
            f"{member}.{name}: {_summary(factor, FACTOR_LINE)}",
            *_indented(factor[model.JUSTIFICATION]),
        )
    )


# How the records of each entry list are shown: the fields they are sorted by, in that order (so
# reordering them changes nothing), and the lines of one record. The tests check that these
# cover the model's entry lists and their fields.
ENTRY_RECORDS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], Iterator[str]]]] = {
    model.CLAIMS: (("claim", "supported", "evidence"), _claim),
    model.RED_FLAGS: (("flag", "detail"), _red_flag),
    model.CITED_PAPERS: (("title", "relevance"), _cited),
}


def _section(name: str, value: Any) -> Iterator[str]:
    special: Iterator[str] | None = None
    shape = model.MEMBERS.get(name)
    if name in ENTRY_RECORDS:
        special = _records(value, *ENTRY_RECORDS[name])
    elif shape == "factors":
        special = _factors(name, value)
    elif shape == "tags" and isinstance(value, list):
        special = iter([f"{name}: {json.dumps(sorted(map(str, value)), ensure_ascii=False)}"])
    elif name == model.KEY_FINDINGS and isinstance(value, str):
        special = iter([f"{name}:", *_indented(value)])
    return special if special is not None else _generic(name, value)


def semantic_lines(doc: dict[str, Any]) -> list[str]:
    """The lines of a scan already in the newest format (scan_version is left out)."""
    try:
        title = paper_key(doc)
    except UnnamedPaperError:
        title = "(no key)"
    lines = [f"# scan of paper {title}"]
    for name, value in doc.items():
        if name != model.SCAN_VERSION:
            lines.append("")
            lines.extend(_section(name, value))
    return lines


def _raw(data: bytes, name: str, reason: str) -> str:
    note = f"# scanrepo textconv: {name}: not shown as a scan ({reason}); the raw text follows"
    return terminal_safe(note + "\n" + data.decode("utf-8", errors="replace"))


def semantic_text(data: bytes, name: str, chain: Chain | None = None) -> str:
    """The text of one scan file's bytes; never fails: an unreadable file gives its raw text."""
    try:
        doc = parse_strict(data)
    except JsonSyntaxError as exc:
        return _raw(data, name, f"line {exc.line} column {exc.col}: {exc.path}: {exc.message}")
    if not isinstance(doc, dict):
        return _raw(data, name, "not a JSON object")
    try:
        if chain is None:
            chain = Toolkit().chain
        doc = chain.migrate(doc, chain.versions[-1])
    except MigrationError as exc:
        return _raw(data, name, f"cannot migrate: {exc}")
    except (ChainError, OSError) as exc:
        return _raw(data, name, f"the tools cannot migrate: {exc}".replace("\n", " "))
    try:
        return terminal_safe("\n".join(semantic_lines(doc)) + "\n")
    except Exception as exc:  # git diff must still show the file, whatever went wrong here
        return _raw(data, name, f"internal error: {type(exc).__name__}: {exc}")
