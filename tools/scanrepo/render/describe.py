"""What each renderer says about a change, as styled pieces it escapes for its own medium.

A piece's style says where its text comes from: ``plain`` text is ours; every other style holds
text taken from a scan, which the renderer must make inert (``terminal_safe`` for terminals,
``markdown_inline`` for Markdown) before showing it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from scanrepo.diff.changes import Change, ChangeKind, DiffResult, PaperDiff
from scanrepo.diff.worddiff import word_counts, word_diff
from scanrepo.format import model

Style = Literal["plain", "data", "old", "new", "del", "ins"]
Piece = tuple[Style, str]

ARROW = " → "
MINUS = "\u2212"
TIMES = "\u00d7"
MAX_VALUE = 100
MAX_WHERE = 100

LABELS: dict[ChangeKind, str] = {
    "answer_flipped": "answer",
    "applies_flipped": "applies",
    "source_changed": "source",
    "justification_edited": "justification edited",
    "item_added": "item added",
    "item_removed": "item removed",
    "section_added": "section added",
    "section_removed": "section removed",
    "entry_added": "entry added",
    "entry_removed": "entry removed",
    "entry_changed": "entry changed",
    "support_changed": "supported",
    "score_changed": "score",
    "engagement_justification_edited": "justification edited",
    "paper_type_changed": "paper type",
    "metadata_changed": "metadata",
    "key_findings_changed": "key findings edited",
    "tags_changed": "tags",
    "hn_data_changed": "hn_data",
    "other_changed": "changed",
}

# (singular, plural) for counts such as "2 answers, 1 source".
NOUNS: dict[ChangeKind, tuple[str, str]] = {
    "answer_flipped": ("answer", "answers"),
    "applies_flipped": ("applies", "applies"),
    "source_changed": ("source", "sources"),
    "justification_edited": ("justification", "justifications"),
    "item_added": ("item added", "items added"),
    "item_removed": ("item removed", "items removed"),
    "section_added": ("section added", "sections added"),
    "section_removed": ("section removed", "sections removed"),
    "entry_added": ("entry added", "entries added"),
    "entry_removed": ("entry removed", "entries removed"),
    "entry_changed": ("entry edit", "entry edits"),
    "support_changed": ("support level", "support levels"),
    "score_changed": ("score", "scores"),
    "engagement_justification_edited": ("engagement justification", "engagement justifications"),
    "paper_type_changed": ("paper type", "paper types"),
    "metadata_changed": ("metadata field", "metadata fields"),
    "key_findings_changed": ("key findings", "key findings"),
    "tags_changed": ("tags", "tags"),
    "hn_data_changed": ("hn_data change", "hn_data changes"),
    "other_changed": ("other change", "other changes"),
}

_TEXT_KINDS: frozenset[ChangeKind] = frozenset(
    {
        "justification_edited",
        "engagement_justification_edited",
        "key_findings_changed",
        "entry_changed",
    }
)
_BARE_KINDS: frozenset[ChangeKind] = frozenset(
    {"source_changed", "support_changed", "score_changed", "paper_type_changed"}
)


@dataclass(frozen=True)
class Line:
    """One change: a label (ours), where (from the scan), details and an optional word diff."""

    label: str
    where: str
    detail: tuple[Piece, ...]
    words: tuple[Piece, ...] = ()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def count_phrase(counts: Counter[ChangeKind]) -> str:
    """``2 answers, 1 source`` in the order of the change kinds."""
    return ", ".join(
        plural(counts[kind], *NOUNS[kind]) for kind in LABELS if counts.get(kind, 0) > 0
    )


def yes_no(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return compact(value)


def compact(value: Any) -> str:
    """A JSON value on one line, cut at MAX_VALUE characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_where(where: str) -> str:
    """Long identifying texts (claims, titles) are cut; the JSON output keeps them whole."""
    if len(where) <= MAX_WHERE:
        return where
    closing = "]" if where.endswith("]") else ""
    return where[: MAX_WHERE - 1 - len(closing)] + "…" + closing


def _bare(value: Any) -> str:
    return value if isinstance(value, str) else compact(value)


def _item(value: Any) -> str:
    """A checklist item as answer and source: ``yes, opus`` (``n/a`` where it does not apply)."""
    if not isinstance(value, dict):
        return compact(value)
    answer = "n/a" if value.get(model.APPLIES) is False else yes_no(value.get(model.ANSWER))
    return f"{answer}, {_bare(value.get(model.SOURCE))}"


def _trimmed(text: str, context: int | None, first: bool, last: bool) -> str:
    """An unchanged run of words, cut to ``context`` words next to each change."""
    words = text.split(" ")
    if context is None or len(words) <= 2 * context + 1:
        return text
    before = [] if first else words[:context]
    after = [] if last else words[-context:]
    return " ".join([*before, "…", *after])


def _word_pieces(old: str, new: str, context: int | None) -> tuple[Piece, ...]:
    """Segments separated by spaces, except a deletion and the insertion replacing it, which
    touch as in git's word diff: ``[-found.-]{+was found+}``."""
    styles: dict[str, Style] = {"equal": "data", "delete": "del", "insert": "ins"}
    segments = word_diff(old, new)
    pieces: list[Piece] = []
    for index, (op, text) in enumerate(segments):
        style = styles[op]
        if pieces and not (pieces[-1][0] == "del" and style == "ins"):
            pieces.append(("plain", " "))
        if op == "equal":
            text = _trimmed(text, context, index == 0, index == len(segments) - 1)
        pieces.append((style, text))
    return tuple(pieces)


def _counted(old: str, new: str) -> str:
    added, removed = word_counts(old, new)
    if not added and not removed:
        return "(whitespace only)"
    return f"(+{added} {MINUS}{removed} words)"


def _entry_detail(change: Change) -> tuple[Piece, ...]:
    value = change.new if change.kind == "entry_added" else change.old
    if isinstance(value, dict) and isinstance(value.get(model.CLAIM_SUPPORT), str):
        return (("data", value[model.CLAIM_SUPPORT]),)
    if isinstance(value, dict) and model.SCORE in value:
        return (("plain", "score "), ("data", compact(value[model.SCORE])))
    return ()


def _tags(old: Any, new: Any) -> tuple[Piece, ...]:
    """``+ablation \u2212case-study``: tags are a multiset, so only counts matter."""
    if not (isinstance(old, list) and isinstance(new, list)):
        return (("old", compact(old)), ("plain", ARROW), ("new", compact(new)))
    before, after = Counter(map(_bare, old)), Counter(map(_bare, new))
    marked: list[Piece] = [("new", "+" + tag) for tag in (after - before).elements()]
    marked += [("old", MINUS + tag) for tag in (before - after).elements()]
    pieces: list[Piece] = []
    for piece in marked:
        pieces += [("plain", " "), piece] if pieces else [piece]
    return tuple(pieces)


def describe(change: Change, word_diff: bool = False, context: int | None = None) -> Line:
    """The line a renderer shows for ``change``; ``word_diff`` adds the edited words, with
    unchanged runs cut to ``context`` words around each edit (all of them when None)."""
    kind, old, new = change.kind, change.old, change.new
    where = short_where(change.where)
    detail: tuple[Piece, ...]
    words: tuple[Piece, ...] = ()
    if kind in ("answer_flipped", "applies_flipped"):
        detail = (("old", yes_no(old)), ("plain", ARROW), ("new", yes_no(new)))
    elif kind in _TEXT_KINDS and isinstance(old, str) and isinstance(new, str):
        detail = (("plain", _counted(old, new)),)
        if kind == "entry_changed":
            detail = (("data", str(change.path[-1])), ("plain", " "), *detail)
        if word_diff:
            words = _word_pieces(old, new, context)
    elif kind in _BARE_KINDS:
        detail = (("old", _bare(old)), ("plain", ARROW), ("new", _bare(new)))
    elif kind == "item_added":
        detail = (("new", _item(new)),)
    elif kind == "item_removed":
        detail = (("plain", "was "), ("old", _item(old)))
    elif kind in ("section_added", "section_removed"):
        section = new if kind == "section_added" else old
        size = len(section) if isinstance(section, dict) else 0
        detail = (("plain", f"({plural(size, 'item')})"),)
    elif kind in ("entry_added", "entry_removed"):
        detail = _entry_detail(change)
    elif kind == "tags_changed":
        detail = _tags(old, new)
    else:
        if kind == "hn_data_changed" and len(change.path) > 2:
            where = "hn_data." + "".join(
                f"[{step}]" if isinstance(step, int) else f".{step}" for step in change.path[1:]
            ).lstrip(".")
        detail = (("old", compact(old)), ("plain", ARROW), ("new", compact(new)))
    return Line(LABELS[kind], where, detail, words)


def paper_phrase(paper: PaperDiff) -> str:
    """``added``, ``modified, renamed 2602.0785 → 2602.07852, moved`` or ``migrated v3→v4,
    no changes``."""
    if paper.status in ("added", "removed"):
        return paper.status
    bits = ["modified"] if paper.status == "modified" else []
    if paper.renamed:
        bits.append(f"renamed {paper.old_key}{ARROW}{paper.key}")
    if paper.migrated:
        bits.append(f"migrated v{paper.old_version}→v{paper.new_version}")
    if paper.moved:
        bits.append("moved")
    if paper.status == "unchanged":
        bits.append("no changes")
    return ", ".join(bits)


def paper_location(paper: PaperDiff) -> str:
    if paper.moved:
        return f"{paper.old_path}{ARROW}{paper.new_path}"
    return str(paper.new_path or paper.old_path or "")


def papers_phrase(result: DiffResult) -> str:
    """``3 papers differ: 1 added, 2 modified, 1 migrated``."""
    counts = result.status_counts()
    parts = [
        f"{counts[name]} {name}"
        for name in ("added", "removed", "modified", "renamed", "migrated", "moved")
        if counts[name]
    ]
    head = plural(len(result.papers), "paper")
    verb = "differs" if len(result.papers) == 1 else "differ"
    return f"{head} {verb}" + (": " + ", ".join(parts) if parts else "")


def flips(result: DiffResult, limit: int = 8) -> tuple[str, list[str]]:
    """(``3 answers flipped in 2 papers``, [``funding_disclosed no→yes \u00d72``, ...])."""
    counts = result.answer_flips()
    total = sum(counts.values())
    if not total:
        return "no answers flipped", []
    papers = result.papers_with("answer_flipped")
    head = f"{plural(total, 'answer')} flipped in {plural(papers, 'paper')}"
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    items = [
        f"{where.rsplit('.', 1)[-1]} {yes_no(old)}→{yes_no(new)}"
        + (f" {TIMES}{n}" if n > 1 else "")
        for (where, old, new), n in ordered[:limit]
    ]
    if len(ordered) > limit:
        items.append(f"{len(ordered) - limit} more")
    return head, items
