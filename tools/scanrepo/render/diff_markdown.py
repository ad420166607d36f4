"""A DiffResult as a pull-request review comment in GitHub Markdown.

Every text that comes from a scan (or a revision label) goes through ``markdown_inline``, so it
renders as the same characters and never as HTML, formatting, a link or a mention. The comment
stays under ``limit`` characters: each paper's section has a budget, papers that do not fit are
counted instead of shown, and the comment says what it left out.
"""

from __future__ import annotations

from collections.abc import Callable

from scanrepo.diff.changes import ChangeKind, DiffResult, PaperDiff
from scanrepo.problems import Problem
from scanrepo.render.describe import (
    ARROW,
    Line,
    Piece,
    describe,
    flips,
    paper_phrase,
    papers_phrase,
    plural,
    short,
)
from scanrepo.render.inert import markdown_inline

MAX_TITLE = 100
# Kept free for the closing lines ("… N more papers not shown").
FOOTER_RESERVE = 200
# Unchanged words shown on each side of an edit in a justification's word diff.
WORD_CONTEXT = 8

_ITEM_COLUMNS: tuple[tuple[str, tuple[ChangeKind, ...]], ...] = (
    ("answers flipped", ("answer_flipped",)),
    ("applies flipped", ("applies_flipped",)),
    ("sources changed", ("source_changed",)),
    ("justifications edited", ("justification_edited",)),
    ("added / removed", ("item_added", "item_removed")),
)


def _piece(piece: Piece) -> str:
    style, text = piece
    if style == "plain":
        return text
    if style == "del":
        return f"<del>{markdown_inline(text)}</del>"
    if style == "ins":
        return f"<ins>{markdown_inline(text)}</ins>"
    return markdown_inline(text)


def _change(line: Line) -> str:
    text = f"- **{line.label}** {markdown_inline(line.where)}"
    detail = "".join(map(_piece, line.detail))
    if detail:
        text += f": {detail}"
    if line.words:
        text += " — " + "".join(map(_piece, line.words))
    return text


def _fit(lines: list[str], budget: int, more: Callable[[int], str]) -> list[str]:
    """As many of ``lines`` as fit in ``budget`` characters, then ``more(number left out)``."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        used += len(line) + 1
        if used > budget:
            return [*kept, more(len(lines) - index)]
        kept.append(line)
    return kept


def _problems(problems: list[Problem], budget: int) -> list[str]:
    if not problems:
        return []
    lines = [f"- {markdown_inline(p.render())}" for p in problems]
    return [
        f"#### Validation problems ({len(problems)})",
        "",
        *_fit(lines, budget, lambda n: f"- … {n} more problems not shown"),
        "",
    ]


def _summary_table(result: DiffResult) -> list[str]:
    counts = result.status_counts()
    rows = [("papers changed", len(result.papers))]
    names = ("added", "removed", "modified", *(("renamed",) if counts["renamed"] else ()))
    rows += [(name, counts[name]) for name in (*names, "moved", "migrated")]
    rows += [("answers flipped", result.answers_flipped())]
    rows += [("changes", sum(len(p.changes) for p in result.papers))]
    lines = ["| | count |", "| --- | ---: |"]
    lines += [f"| {name} | {count} |" for name, count in rows]
    return [*lines, ""]


def _item_table(result: DiffResult, budget: int) -> list[str]:
    """Per checklist item, how many papers changed it and how (answers: which way)."""
    items = result.item_counts()
    if not items:
        return []
    flip_ways: dict[str, list[str]] = {}
    for (where, old, new), n in sorted(result.answer_flips().items()):
        flip_ways.setdefault(where, []).append(
            f"{'yes' if old else 'no'}→{'yes' if new else 'no'} {n}"
        )
    ordered = sorted(items.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    lines = [
        "| checklist item | " + " | ".join(name for name, _ in _ITEM_COLUMNS) + " |",
        "| --- |" + " ---: |" * len(_ITEM_COLUMNS),
    ]
    rows = []
    for where, counts in ordered:
        cells = []
        for _, kinds in _ITEM_COLUMNS:
            count = sum(counts[kind] for kind in kinds)
            cell = str(count) if count else ""
            if count and kinds == ("answer_flipped",):
                cell += f" ({', '.join(flip_ways[where])})"
            cells.append(cell)
        rows.append(f"| {markdown_inline(where)} | " + " | ".join(cells) + " |")
    more = f"| … {{}} more checklist items not shown |{' |' * len(_ITEM_COLUMNS)}"
    return [*lines, *_fit(rows, budget, more.format), ""]


def _summary(paper: PaperDiff) -> str:
    parts = [markdown_inline(paper.key), markdown_inline(paper_phrase(paper))]
    if paper.changes:
        parts.append(plural(len(paper.changes), "change"))
    if paper.problems:
        parts.append(plural(len(paper.problems), "problem"))
    if paper.title:
        parts.append(markdown_inline(short(paper.title, MAX_TITLE)))
    return " · ".join(parts)


def _paper(paper: PaperDiff, budget: int) -> str:
    """The paper's collapsible section (one line when there is nothing to list), cut to about
    ``budget`` characters."""
    if paper.moved:
        location = f"moved: {paper.old_path}{ARROW}{paper.new_path}"
    else:
        location = f"file: {paper.new_path or paper.old_path}"
    lines = [f"- ⚠ {markdown_inline(p.render())}" for p in paper.problems]
    lines += [_change(describe(c, word_diff=True, context=WORD_CONTEXT)) for c in paper.changes]
    if not lines:
        return f"- {_summary(paper)} · {markdown_inline(location)}\n"
    head = [f"<details><summary>{_summary(paper)}</summary>", "", markdown_inline(location), ""]
    tail = ["", "</details>", ""]
    frame = sum(len(line) + 1 for line in (*head, *tail))
    key = markdown_inline(paper.key)
    shown = _fit(
        lines, budget - frame, lambda n: f"- … {plural(n, 'more change')} of {key} not shown"
    )
    return "\n".join([*head, *shown, *tail])


def render_markdown(
    result: DiffResult, problems: list[Problem] | None = None, limit: int = 60000
) -> str:
    """The review comment: problems, summary tables, then one collapsible section per paper."""
    title = f"### Scan changes: {markdown_inline(result.old_label)}{ARROW}"
    title += markdown_inline(result.new_label)
    all_problems = list(dict.fromkeys([*(problems or []), *result.problems()]))
    head, items = flips(result)
    overview = f"**{markdown_inline(papers_phrase(result)) if result.papers else 'no changes'}**"
    if result.papers:
        overview += f"; {head}"
        if items:
            overview += " (" + ", ".join(map(markdown_inline, items)) + ")"
    parts = [title, "", overview, "", *_problems(all_problems, limit // 4)]
    if result.papers:
        parts += [*_summary_table(result), *_item_table(result, limit // 4)]
    text = "\n".join(parts) + "\n"
    for index, paper in enumerate(result.papers):
        room = limit - len(text) - FOOTER_RESERVE
        # an equal share of what is left, but never less than an eighth of the whole
        share = max(limit // 8, room // (len(result.papers) - index))
        section = _paper(paper, min(share, room))
        if len(section) + 1 > room:
            left = len(result.papers) - index
            text += f"\n… {plural(left, 'more paper')} not shown (the JSON output lists all)\n"
            break
        text += "\n" + section
    return text
