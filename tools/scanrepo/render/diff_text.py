"""The terminal renderings of a DiffResult: one line per change, and ``--stat`` counts."""

from __future__ import annotations

from collections import Counter

from scanrepo.diff.changes import ChangeKind, DiffResult, PaperDiff
from scanrepo.render.describe import (
    Line,
    Piece,
    count_phrase,
    describe,
    flips,
    paper_location,
    paper_phrase,
    papers_phrase,
    plural,
)
from scanrepo.render.inert import terminal_safe

BOLD, RED, GREEN, RESET = "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[0m"


def one_line(text: str) -> str:
    """Scan text made safe for a terminal and kept on one line."""
    return terminal_safe(text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ↵ "))


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def paint(self, code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text

    def piece(self, piece: Piece) -> str:
        style, text = piece
        shown = text if style == "plain" else one_line(text)
        if style == "old":
            return self.paint(RED, shown)
        if style == "new":
            return self.paint(GREEN, shown)
        if style == "del":
            return self.paint(RED, f"[-{shown}-]")
        if style == "ins":
            return self.paint(GREEN, "{+" + shown + "+}")
        return shown

    def pieces(self, pieces: tuple[Piece, ...]) -> str:
        return "".join(self.piece(p) for p in pieces)


def header(paper: PaperDiff) -> str:
    """``2602.07852  modified  scans/v4/2602/2602.07852.json`` (without colour)."""
    return one_line(f"{paper.key}  {paper_phrase(paper)}  {paper_location(paper)}")


def _change_lines(line: Line, painter: _Painter) -> list[str]:
    text = f"  {line.label}  {one_line(line.where)}  {painter.pieces(line.detail)}".rstrip()
    if not line.words:
        return [text]
    return [text, "      " + painter.pieces(line.words)]


def summary(result: DiffResult) -> list[str]:
    if not result.papers:
        return ["no changes"]
    head, items = flips(result)
    flipped = f"{head} ({', '.join(items)})" if items else head
    problems = result.problems()
    lines = [papers_phrase(result), one_line(flipped)]
    if problems:
        lines.append(plural(len(problems), "problem") + " (see above)")
    return lines


def render_text(
    result: DiffResult, color: bool = False, word_diff: bool = False, totals: bool = True
) -> str:
    """Per paper a header line and one line per change (and per problem), then (``totals``) a
    summary."""
    painter = _Painter(color)
    lines: list[str] = []
    for paper in result.papers:
        lines.append(painter.paint(BOLD, header(paper)))
        lines += [f"  problem  {one_line(problem.render())}" for problem in paper.problems]
        for change in paper.changes:
            lines += _change_lines(describe(change, word_diff), painter)
    if totals:
        lines += summary(result)
    return "\n".join(lines) + "\n"


def render_stat(result: DiffResult) -> str:
    """Counts of changes per paper and per checklist item, then a summary."""
    lines: list[str] = []
    width = max((len(paper.key) for paper in result.papers), default=0)
    for paper in result.papers:
        counts: Counter[ChangeKind] = Counter(change.kind for change in paper.changes)
        detail = paper_phrase(paper)
        if paper.changes:
            detail += f"  {plural(len(paper.changes), 'change')}: {count_phrase(counts)}"
        if paper.problems:
            detail += f"  {plural(len(paper.problems), 'problem')}"
        lines.append(one_line(f"{paper.key.ljust(width)}  {detail}"))
    items = result.item_counts()
    if items:
        lines.append("checklist items:")
        item_width = max(map(len, items))
        for where, item_counts in items.items():
            lines.append(one_line(f"  {where.ljust(item_width)}  {count_phrase(item_counts)}"))
    total = sum(len(paper.changes) for paper in result.papers)
    if result.papers:
        lines.append(f"{papers_phrase(result)}; {plural(total, 'change')}; {flips(result)[0]}")
    else:
        lines.append("no changes")
    return "\n".join(lines) + "\n"
