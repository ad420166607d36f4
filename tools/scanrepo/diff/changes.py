"""The semantic change model: what changed between two revisions of the scans, paper by paper.

Every renderer (text, ``--stat``, Markdown, JSON) and every later feature reads this model; none
of them looks at raw JSON differences.

Papers are identified by their paper key, never by their path. A ``PaperDiff`` says whether the
paper was ``added``, ``removed``, ``modified`` or is ``unchanged`` in content; independently of
that it may have *moved* (its file path differs, e.g. between ``scans/v3/`` and ``scans/v4/``)
and been *migrated* (the two sides hold different ``scan_version``; the older side was carried
to the newer version in memory before comparing, so a commit that only migrates has no
changes), and been *renamed*: its key changed (an arXiv id corrected), the old side's scan
under ``old_key`` and the new side's under ``key`` describing the same paper (the same title
and authors), so it is one paper, compared, rather than one removed and one added. A side
that does not parse, validate or migrate gives ``problems`` instead of changes.

A ``Change`` is one semantic difference inside a modified scan:

``kind``
    what changed (see ``ChangeKind`` below).
``where``
    a stable, human location that is also the identity of the thing that changed:
    ``checklist.<section>.<item>`` and ``type_checklist.<type>.<section>.<item>`` for checklist
    items (sections: the same without the item); ``claims[<claim text>]``, ``red_flags[<flag>]``,
    ``cited_papers[<title>]`` for list entries, which are matched by that identifying text and
    never by position (reordering them is no change); ``engagement_factors.<factor>``;
    ``paper.<field>``; ``paper_type``; ``key_findings``; ``methodology_tags``;
    ``hn_data.<field>``; and the top-level key for anything else.
``path``
    the JSON path of the changed value in the NEW scan (in the OLD scan for removals), as a tuple
    of keys and indices, e.g. ``("checklist", "conflicts_of_interest", "funding_disclosed",
    "answer")`` or ``("claims", 4, "supported")``.
``old``, ``new``
    the values before and after (``None`` where there is none, e.g. ``old`` of an addition).

Change kinds:

======================================  ====================================================
``answer_flipped``                      an item's ``answer`` (old/new: booleans)
``applies_flipped``                     an item's ``applies`` (old/new: booleans)
``source_changed``                      the model that answered an item (old/new: names)
``justification_edited``                an item's justification (old/new: texts)
``item_added`` / ``item_removed``       a checklist item (new/old: the item)
``section_added`` / ``section_removed`` a checklist section (new/old: the section's items)
``entry_added`` / ``entry_removed``     a claim, red flag, cited paper or engagement factor
``entry_changed``                       one field of a matched entry other than ``supported``
                                        (path ends in the field; old/new: the field's values)
``support_changed``                     a claim's ``supported`` level
``score_changed``                       an engagement factor's score
``engagement_justification_edited``     an engagement factor's justification
``paper_type_changed``                  ``paper_type``
``metadata_changed``                    one field of ``paper`` (title, authors, venue, ...)
``key_findings_changed``                ``key_findings``
``tags_changed``                        ``methodology_tags`` as a multiset (order is no change)
``hn_data_changed``                     a field of ``hn_data``; thread lists are compared by a
                                        generic nested diff, one change per difference, with
                                        ``where`` ``hn_data.threads`` and the exact ``path``
``other_changed``                       anything outside the known structure
======================================  ====================================================

Changes come in document order: the new scan's key order, with what only the old scan has after
what both have (entries: the new list's order, then removed entries in the old order).

JSON form (``DiffResult.to_json()``; ``DiffResult.from_json`` reads it back)::

    {
      "format": "scanrepo-semdiff", "version": 1,
      "old": "<old label>", "new": "<new label>",
      "summary": {"papers": 3, "added": 1, "removed": 0, "modified": 1, "unchanged": 1,
                  "moved": 1, "migrated": 1, "changes": 4, "answers_flipped": 2,
                  "problems": 0, "by_kind": {"answer_flipped": 2, ...}},
      "papers": [
        {"key": "2602.07852", "status": "modified", "title": "...",
         "old_path": "scans/v3/2602/2602.07852.json", "new_path": "scans/v4/2602/2602.07852.json",
         "old_version": 3, "new_version": 4, "moved": true, "migrated": true,
         "changes": [{"kind": "answer_flipped",
                      "where": "checklist.conflicts_of_interest.funding_disclosed",
                      "path": ["checklist", "conflicts_of_interest", "funding_disclosed", "answer"],
                      "json_path": "$.checklist.conflicts_of_interest.funding_disclosed.answer",
                      "old": false, "new": true}],
         "problems": [{"file": "...", "line": 3, "col": 5, "path": "$.paper", "message": "...",
                       "kind": "schema", "fixable": false}]}
      ]
    }

``summary`` counts papers by status (``moved`` and ``migrated`` count papers with that property,
whatever their status) and changes by kind; ``json_path`` is ``path`` written as a string.

A renamed paper's object has two more fields, ``"old_key": "2602.0785"`` and ``"renamed":
true``, and ``summary`` then has ``"renamed": <papers renamed>``; without a renamed paper
neither appears, so a document reads as it did before renames were told apart (absent means
not renamed, and ``from_json`` reads both forms).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from scanrepo.format.jsonpath import format_json_path
from scanrepo.problems import Problem

ChangeKind = Literal[
    "answer_flipped",
    "applies_flipped",
    "source_changed",
    "justification_edited",
    "item_added",
    "item_removed",
    "section_added",
    "section_removed",
    "entry_added",
    "entry_removed",
    "entry_changed",
    "support_changed",
    "score_changed",
    "engagement_justification_edited",
    "paper_type_changed",
    "metadata_changed",
    "key_findings_changed",
    "tags_changed",
    "hn_data_changed",
    "other_changed",
]
CHANGE_KINDS: tuple[ChangeKind, ...] = get_args(ChangeKind)

Status = Literal["added", "removed", "modified", "unchanged"]
STATUSES: tuple[Status, ...] = get_args(Status)

# The kinds whose ``where`` is one checklist item.
ITEM_KINDS: frozenset[ChangeKind] = frozenset(
    {
        "answer_flipped",
        "applies_flipped",
        "source_changed",
        "justification_edited",
        "item_added",
        "item_removed",
    }
)

FORMAT_NAME = "scanrepo-semdiff"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Change:
    """One semantic difference inside a scan (see the module docstring). ``old`` and ``new``
    may be lists or objects, so a Change can be compared but not always hashed."""

    kind: ChangeKind
    where: str
    path: tuple[str | int, ...]
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": self.where,
            "path": list(self.path),
            "json_path": format_json_path(self.path),
            "old": self.old,
            "new": self.new,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        kind = data["kind"]
        if kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {kind!r}")
        return cls(kind, data["where"], tuple(data["path"]), data.get("old"), data.get("new"))


@dataclass
class PaperDiff:
    """What happened to one paper between the two revisions."""

    key: str
    status: Status
    old_path: str | None
    new_path: str | None
    old_version: int | None
    new_version: int | None
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str | None = None
    old_key: str | None = None  # the paper's key on the old side, when it differs (renamed)

    @property
    def renamed(self) -> bool:
        return self.old_key is not None and self.old_key != self.key

    @property
    def moved(self) -> bool:
        return (
            self.old_path is not None
            and self.new_path is not None
            and (self.old_path != self.new_path)
        )

    @property
    def migrated(self) -> bool:
        return (
            self.old_version is not None
            and self.new_version is not None
            and self.old_version != self.new_version
        )

    @property
    def differs(self) -> bool:
        """Whether there is anything to report: a change, move, migration, problem or addition."""
        return bool(
            self.status != "unchanged"
            or self.changes
            or self.problems
            or self.moved
            or self.migrated
            or self.renamed
        )

    def to_json(self) -> dict[str, Any]:
        renamed = {"old_key": self.old_key, "renamed": True} if self.renamed else {}
        return {
            "key": self.key,
            **renamed,
            "status": self.status,
            "title": self.title,
            "old_path": self.old_path,
            "new_path": self.new_path,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "moved": self.moved,
            "migrated": self.migrated,
            "changes": [change.to_json() for change in self.changes],
            "problems": [problem.to_json() for problem in self.problems],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaperDiff:
        status = data["status"]
        if status not in STATUSES:
            raise ValueError(f"unknown paper status {status!r}")
        return cls(
            key=data["key"],
            status=status,
            old_path=data["old_path"],
            new_path=data["new_path"],
            old_version=data["old_version"],
            new_version=data["new_version"],
            changes=[Change.from_json(c) for c in data["changes"]],
            problems=[Problem(**p) for p in data["problems"]],
            title=data.get("title"),
            old_key=data.get("old_key"),
        )


@dataclass
class DiffResult:
    """The papers that differ between two revisions, labelled e.g. ``HEAD~1`` and ``HEAD``."""

    old_label: str
    new_label: str
    papers: list[PaperDiff]

    @classmethod
    def of(cls, old_label: str, new_label: str, diffs: Iterable[PaperDiff]) -> DiffResult:
        """Only the papers that differ, ordered by paper key."""
        kept = sorted((d for d in diffs if d.differs), key=lambda d: d.key)
        return cls(old_label, new_label, kept)

    def changes(self) -> Iterator[tuple[PaperDiff, Change]]:
        for paper in self.papers:
            for change in paper.changes:
                yield paper, change

    def problems(self) -> list[Problem]:
        return [problem for paper in self.papers for problem in paper.problems]

    def kind_counts(self) -> Counter[ChangeKind]:
        return Counter(change.kind for _, change in self.changes())

    def status_counts(self) -> Counter[str]:
        """Papers per status, plus ``moved``, ``migrated`` and ``renamed`` (papers with that
        property)."""
        counts: Counter[str] = Counter({status: 0 for status in STATUSES})
        for paper in self.papers:
            counts[paper.status] += 1
            counts["moved"] += paper.moved
            counts["migrated"] += paper.migrated
            counts["renamed"] += paper.renamed
        return counts

    def answers_flipped(self) -> int:
        return self.kind_counts()["answer_flipped"]

    def papers_with(self, kind: ChangeKind) -> int:
        return sum(any(c.kind == kind for c in paper.changes) for paper in self.papers)

    def answer_flips(self) -> Counter[tuple[str, bool, bool]]:
        """How often each item's answer flipped each way: ``(where, old, new) -> count``."""
        return Counter(
            (change.where, bool(change.old), bool(change.new))
            for _, change in self.changes()
            if change.kind == "answer_flipped"
        )

    def item_counts(self) -> dict[str, Counter[ChangeKind]]:
        """Per checklist item (its ``where``), the number of changes of each item kind."""
        counts: dict[str, Counter[ChangeKind]] = {}
        for _, change in self.changes():
            if change.kind in ITEM_KINDS:
                counts.setdefault(change.where, Counter())[change.kind] += 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict[str, Any]:
        statuses = self.status_counts()
        kinds = self.kind_counts()
        return {
            "papers": len(self.papers),
            **{name: statuses[name] for name in (*STATUSES, "moved", "migrated")},
            **({"renamed": statuses["renamed"]} if statuses["renamed"] else {}),
            "changes": sum(kinds.values()),
            "answers_flipped": kinds["answer_flipped"],
            "problems": len(self.problems()),
            "by_kind": {kind: kinds[kind] for kind in CHANGE_KINDS if kinds[kind]},
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "old": self.old_label,
            "new": self.new_label,
            "summary": self.summary(),
            "papers": [paper.to_json() for paper in self.papers],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DiffResult:
        if data.get("format") != FORMAT_NAME or data.get("version") != FORMAT_VERSION:
            raise ValueError(f"not a {FORMAT_NAME} v{FORMAT_VERSION} document")
        return cls(data["old"], data["new"], [PaperDiff.from_json(p) for p in data["papers"]])
