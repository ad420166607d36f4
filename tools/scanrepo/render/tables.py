"""Tables of figures, rendered as terminal text, Markdown, CSV or JSON.

A table's rows hold raw values (text, counts, shares in [0, 1], kappas, None where a figure is
undefined); each renderer formats them. In text and Markdown, a ``rate`` or ``kappa`` column
``X`` followed by the columns ``X_low`` and ``X_high`` is shown as one cell with its interval,
``62.5% [40.9, 80.3]``; CSV and JSON keep the three columns. Text from scans (kind ``data``) is
made inert for the medium: terminal-safe on one line (cut at ``MAX_DATA_WIDTH``), or
``markdown_inline``. An ``item`` column holds a checklist item's name
(``type_checklist.empirical.artifacts.code_released``, ``format.items``), shown whole. A table's
notes (how to read it) follow it in text and Markdown only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scanrepo.render.inert import json_safe, markdown_inline, terminal_safe

Kind = Literal["text", "data", "item", "count", "rate", "kappa", "number"]
Cell = str | int | float | None
MISSING = "—"
MAX_DATA_WIDTH = 70


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    kind: Kind = "count"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]
    notes: tuple[str, ...] = ()  # the tool's own words, under the table in text and Markdown

    def records(self) -> list[dict[str, Cell]]:
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def _number(value: float, kind: Kind) -> str:
    if kind == "rate":
        return f"{100 * value:.1f}%"
    return f"{value:.2f}"


def _interval(low: Cell, high: Cell, kind: Kind) -> str:
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return ""
    if kind == "rate":
        return f" [{100 * low:.1f}, {100 * high:.1f}]"
    return f" [{low:.2f}, {high:.2f}]"


def _shown(table: Table) -> list[tuple[str, Kind, list[int]]]:
    """(header, kind, indexes of the row values it shows) of each displayed column."""
    names = [c.name for c in table.columns]
    hidden: set[int] = set()
    shown = []
    for index, column in enumerate(table.columns):
        if index in hidden:
            continue
        parts = [index]
        if column.kind in ("rate", "kappa"):
            low, high = f"{column.name}_low", f"{column.name}_high"
            if names[index + 1 : index + 3] == [low, high]:
                parts += [index + 1, index + 2]
                hidden.update(parts[1:])
        shown.append((column.header, column.kind, parts))
    return shown


def _cell(
    row: tuple[Cell, ...], kind: Kind, parts: list[int], safe: Callable[[str, Kind], str]
) -> str:
    value = row[parts[0]]
    if value is None:
        return MISSING
    if kind in ("rate", "kappa", "number") and isinstance(value, int | float):
        text = _number(value, kind)
        if len(parts) == 3:
            text += _interval(row[parts[1]], row[parts[2]], kind)
        return text
    if kind in ("data", "item"):
        return safe(str(value), kind)
    return str(value)


def _one_line(text: str, kind: Kind) -> str:
    flat = terminal_safe(" ".join(text.split()))
    if kind == "item" or len(flat) <= MAX_DATA_WIDTH:
        return flat
    return flat[: MAX_DATA_WIDTH - 1] + "…"


def _markdown(text: str, kind: Kind) -> str:
    return markdown_inline(text)


def _aligned(values: list[str], widths: list[int], right: list[bool]) -> str:
    padded = (
        v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
    )
    return "  ".join(padded).rstrip()


def render_text(tables: Sequence[Table]) -> str:
    out: list[str] = []
    for table in tables:
        shown = _shown(table)
        headers = [header for header, _, _ in shown]
        cells = [
            [_cell(row, kind, parts, _one_line) for _, kind, parts in shown] for row in table.rows
        ]
        widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
        right = [kind not in ("text", "data", "item") for _, kind, _ in shown]
        out.append(table.title)
        out.append(_aligned(headers, widths, right))
        out.extend(_aligned(row, widths, right) for row in cells)
        if not table.rows:
            out.append("(none)")
        out.extend(f"note: {note}" for note in table.notes)
        out.append("")
    return "\n".join(out)


def render_markdown(tables: Sequence[Table]) -> str:
    out: list[str] = []
    for table in tables:
        shown = _shown(table)
        out.append(f"### {table.title}")
        out.append("")
        out.append("| " + " | ".join(header for header, _, _ in shown) + " |")
        out.append(
            "| "
            + " | ".join("---" if k in ("text", "data", "item") else "---:" for _, k, _ in shown)
            + " |"
        )
        for row in table.rows:
            cells = (_cell(row, kind, parts, _markdown) for _, kind, parts in shown)
            out.append("| " + " | ".join(cells) + " |")
        if table.notes:
            out.append("")
            out.extend(f"Note: {note}" for note in table.notes)
        out.append("")
    return "\n".join(out)


def render_csv(table: Table) -> str:
    """One table, every column, raw values (shares as fractions, empty for None)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return buffer.getvalue()


def render_json(tables: Sequence[Table], header: dict[str, Any]) -> str:
    doc = {**header, **{table.name: table.records() for table in tables}}
    return json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
