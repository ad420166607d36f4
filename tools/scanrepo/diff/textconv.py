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
from scanrepo.format.keys import paper_key
from scanrepo.format.strictjson import parse_strict
from scanrepo.migrate.chain import Chain
from scanrepo.render.inert import terminal_safe
from scanrepo.toolkit import Toolkit

ITEM_KEYS = frozenset({"applies", "answer", "justification", "source"})
INDENT = "    "
# The schema versions by file name alone: importing the schema registry (and jsonschema) would
# double the start-up time, which git pays once per file it shows.
SCHEMA_FILE = re.compile(r"v(0|[1-9]\d*)\.json", re.ASCII)


def yes_no(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False)


def is_item(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == ITEM_KEYS


def item_summary(item: dict[str, Any]) -> str:
    """``applies yes, answer no, source opus``: a checklist item without its justification."""
    return (
        f"applies {yes_no(item['applies'])}, answer {yes_no(item['answer'])}, "
        f"source {_scalar(item['source'])}"
    )


def _scalar(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _text(head: str, text: Any) -> Iterator[str]:
    """``head: text``, continuation lines of a multi-line text indented."""
    first, *rest = _scalar(text).split("\n")
    yield f"{head}: {first}" if first else f"{head}:"
    yield from (INDENT + line for line in rest)


def _indented(text: Any) -> Iterator[str]:
    yield from (INDENT + line for line in _scalar(text).split("\n"))


def _generic(path: str, value: Any) -> Iterator[str]:
    if is_item(value):
        yield f"{path}: {item_summary(value)}"
        yield from _indented(value["justification"])
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


def _factors(value: Any) -> Iterator[str] | None:
    if not isinstance(value, dict) or not all(
        isinstance(f, dict) and set(f) == {"score", "justification"} for f in value.values()
    ):
        return None
    return (
        line
        for name, factor in value.items()
        for line in (
            f"engagement_factors.{name}: score {_scalar(factor['score'])}",
            *_indented(factor["justification"]),
        )
    )


def _section(name: str, value: Any) -> Iterator[str]:
    special: Iterator[str] | None = None
    if name == "claims":
        special = _records(value, ("claim", "supported", "evidence"), _claim)
    elif name == "red_flags":
        special = _records(value, ("flag", "detail"), _red_flag)
    elif name == "cited_papers":
        special = _records(value, ("title", "relevance"), _cited)
    elif name == "engagement_factors":
        special = _factors(value)
    elif name == "methodology_tags" and isinstance(value, list):
        special = iter([f"{name}: {json.dumps(sorted(map(str, value)), ensure_ascii=False)}"])
    elif name == "key_findings" and isinstance(value, str):
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
        if name != "scan_version":
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
