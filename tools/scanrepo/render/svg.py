"""Charts as inline SVG text, drawn in Python: no script, no font or file from elsewhere.

Every text that reaches a chart is escaped here (``html.escape``), so callers pass plain text,
including text from scans. Each row carries a ``<title>``, which browsers show on hover, with
the exact figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

ROW = 17
# wide enough for an item's full name (format.items), up to about 85 characters
LABEL_WIDTH = 500
PANEL_WIDTH = 260
GAP = 48
TOP = 46
BOTTOM = 12
FONT = 'font-family="system-ui, sans-serif" font-size="11"'
INK, MUTED, GRID, STRIPE = "#1b1f24", "#57606a", "#d0d7de", "#f6f8fa"
ACCENT, WHISKER = "#0969da", "#8c959f"
SEGMENT_COLOURS = ("#cf222e", "#bf8700", "#1a7f37", "#0969da", "#8250df")


@dataclass(frozen=True)
class Point:
    value: float | None  # None: nothing to draw in this row
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Panel:
    title: str
    domain: tuple[float, float]
    ticks: tuple[float, ...]
    tick_label: Callable[[float], str]
    points: Sequence[Point]


def percent(value: float) -> str:
    """``25%``, ``2.5%``: at most one decimal, none when it is zero."""
    return f"{100 * value:.1f}".rstrip("0").rstrip(".") + "%"


def _svg(chart_id: str, title: str, width: int, height: int, body: list[str]) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="chart" '
        f'role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT}>'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _clip(label: str, limit: int = 84) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _rows(labels: Sequence[str], tooltips: Sequence[str], width: int) -> list[str]:
    """Stripes and labels of every row, each with its tooltip."""
    body = []
    for index, (label, tip) in enumerate(zip(labels, tooltips, strict=True)):
        y = TOP + index * ROW
        fill = STRIPE if index % 2 else "#ffffff"
        body.append(
            f'<g class="row"><title>{escape(tip)}</title>'
            f'<rect x="0" y="{y}" width="{width}" height="{ROW}" fill="{fill}"/>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW - 5}" text-anchor="end" fill="{INK}">'
            f"{escape(_clip(label))}</text></g>"
        )
    return body


def _scale(domain: tuple[float, float], left: float) -> Callable[[float], float]:
    low, high = domain
    span = (high - low) or 1.0
    return lambda v: left + (min(max(v, low), high) - low) / span * PANEL_WIDTH


def interval_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    tooltips: Sequence[str],
    panels: Sequence[Panel],
) -> str:
    """One row per label; in each panel a dot at the value and a whisker over its interval."""
    width = LABEL_WIDTH + len(panels) * (PANEL_WIDTH + GAP)
    height = TOP + len(labels) * ROW + BOTTOM
    body = _rows(labels, tooltips, width)
    for number, panel in enumerate(panels):
        left = LABEL_WIDTH + GAP / 2 + number * (PANEL_WIDTH + GAP)
        x = _scale(panel.domain, left)
        body.append(
            f'<text x="{left}" y="14" fill="{INK}" font-weight="600">{escape(panel.title)}</text>'
        )
        for tick in panel.ticks:
            tx = f"{x(tick):.1f}"
            body.append(
                f'<line x1="{tx}" y1="{TOP - 4}" x2="{tx}" y2="{height - BOTTOM}" '
                f'stroke="{GRID}"/><text x="{tx}" y="{TOP - 8}" text-anchor="middle" '
                f'fill="{MUTED}">{escape(panel.tick_label(tick))}</text>'
            )
        for index, point in enumerate(panel.points):
            if point.value is None:
                continue
            y = TOP + index * ROW + ROW / 2
            if point.low is not None and point.high is not None:
                body.append(
                    f'<line class="interval" x1="{x(point.low):.1f}" y1="{y}" '
                    f'x2="{x(point.high):.1f}" y2="{y}" stroke="{WHISKER}" stroke-width="2"/>'
                )
            body.append(
                f'<circle class="value" cx="{x(point.value):.1f}" cy="{y}" r="3.5" '
                f'fill="{ACCENT}"/>'
            )
    return _svg(chart_id, title, width, height, body)


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    tooltips: Sequence[str],
) -> str:
    """Horizontal bars, one per label, scaled to the largest value, each with its count."""
    width = LABEL_WIDTH + PANEL_WIDTH + 2 * GAP + 40
    height = TOP + len(labels) * ROW + BOTTOM
    body = _rows(labels, tooltips, width)
    top = max(values, default=0) or 1
    left = LABEL_WIDTH + GAP / 2
    body.append(f'<text x="{left}" y="14" fill="{INK}" font-weight="600">{escape(title)}</text>')
    for index, value in enumerate(values):
        y = TOP + index * ROW + 3
        length = value / top * PANEL_WIDTH
        body.append(
            f'<rect class="bar" x="{left}" y="{y}" width="{length:.1f}" height="{ROW - 6}" '
            f'fill="{ACCENT}"/><text x="{left + length + 4:.1f}" y="{y + ROW - 8}" '
            f'fill="{MUTED}">{value}</text>'
        )
    return _svg(chart_id, title, width, height, body)


def stacked_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    segments: Sequence[Sequence[int]],
    legend: Sequence[str],
    tooltips: Sequence[str],
) -> str:
    """One bar per label, split into segments by share of its total, with a legend."""
    width = LABEL_WIDTH + PANEL_WIDTH + 2 * GAP + 40
    height = TOP + len(labels) * ROW + BOTTOM
    body = _rows(labels, tooltips, width)
    left = LABEL_WIDTH + GAP / 2
    for number, name in enumerate(legend):
        colour = SEGMENT_COLOURS[number % len(SEGMENT_COLOURS)]
        lx = left + number * 70
        body.append(
            f'<rect x="{lx}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="15" fill="{INK}">{escape(name)}</text>'
        )
    for index, parts in enumerate(segments):
        total = sum(parts) or 1
        x, y = left, TOP + index * ROW + 3
        for number, part in enumerate(parts):
            length = part / total * PANEL_WIDTH
            colour = SEGMENT_COLOURS[number % len(SEGMENT_COLOURS)]
            body.append(
                f'<rect class="segment" x="{x:.1f}" y="{y}" width="{length:.1f}" '
                f'height="{ROW - 6}" fill="{colour}"/>'
            )
            x += length
    return _svg(chart_id, title, width, height, body)
