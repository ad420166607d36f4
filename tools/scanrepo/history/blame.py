"""Blame for the parts of one paper's scan: for each checklist item, claim and red flag, the
commit that last changed its answer (and ``applies``), and the one that last changed its
justification, as ``git blame`` names the commit that last changed each line.

The commits are those every history tool counts (``history.gitlog``), from one ``git log
--raw`` over the paper's path in every version directory, so the scan is followed across them;
each blob is read once, in one batch, and carried to the newest version by the migration chain.
The walk starts from the paper's scan at the revision. A part's blame passes from a commit to
the parent whose scan reads the same for that part (the first parent first): a commit that only
migrated or moved the scan changes no part, and one a merge took from a side stays with the
commit on that side that made it. It stops at the commit whose scan first reads as it does.
A parent's scan is found by its blob among the commits git lists (children before parents):
the nearest older commit that wrote that exact file.

The parts are named as ``tools/diff`` names them: an item by its name
(``checklist.<section>.<item>``), a claim as ``claims[<claim text>]`` and a red flag as
``red_flags[<flag>]`` (entries are identified by that text, ``format.model.ENTRY_IDS``). For a
claim the answer is its support level and the justification its evidence; for a red flag the
answer is the flag being raised and the justification its detail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scanrepo.diff.compare import ScanSide, read_scan
from scanrepo.diff.revisions import Copy as RawCopy
from scanrepo.diff.revisions import read_copies
from scanrepo.errors import ScanRepoError
from scanrepo.format import keys, model
from scanrepo.format.items import item_name
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.history.gitlog import CommitInfo, Copy, Revision, by_paper, first_changes
from scanrepo.history.paper_history import pathspecs
from scanrepo.migrate.chain import Chain
from scanrepo.survey.corpus import rating
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, GitRepo

PartKind = Literal["item", "claim", "red_flag"]
Doc = dict[str, Any]
Getter = Callable[[Doc], Any]
_ABSENT = object()


@dataclass(frozen=True)
class Blamed:
    """The commit a part's blame rests with, and the model that answered the part there."""

    commit: CommitInfo
    model: str | None

    def to_json(self) -> dict[str, Any]:
        return {**self.commit.to_json(), "model": self.model}


@dataclass(frozen=True)
class Part:
    name: str
    kind: PartKind
    value: str  # the answer now: yes / no / n/a, a support level, "raised"
    answer: Blamed | None  # None: the history given ends before it (a shallow clone)
    justification: Blamed | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "value": self.value,
            "answer": self.answer.to_json() if self.answer else None,
            "justification": self.justification.to_json() if self.justification else None,
        }


@dataclass(frozen=True)
class _Spec:
    """How to read one part from a scan: its answer, its justification, its model."""

    name: str
    kind: PartKind
    answer: Getter
    text: Getter
    model: Getter


def _node(doc: Doc, path: Sequence[str]) -> Any:
    node: Any = doc
    for step in path:
        node = node.get(step, _ABSENT) if isinstance(node, dict) else _ABSENT
    return node


def _item_spec(path: model.ItemPath) -> _Spec:
    def field(name: str) -> Getter:
        return lambda doc: (
            item.get(name, _ABSENT) if isinstance(item := _node(doc, path), dict) else _ABSENT
        )

    applies, answer = field(model.APPLIES), field(model.ANSWER)
    return _Spec(
        item_name(path),
        "item",
        lambda doc: (applies(doc), answer(doc)),
        field(model.JUSTIFICATION),
        field(model.SOURCE),
    )


def _entry(doc: Doc, member: str, text: str) -> Any:
    entries = doc.get(member)
    id_field = model.ENTRY_IDS[member]
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and entry.get(id_field) == text:
                return entry
    return _ABSENT


def _entry_spec(member: str, text: str, value_field: str | None, text_field: str) -> _Spec:
    kind: PartKind = "claim" if member == model.CLAIMS else "red_flag"

    def get(name: str | None) -> Getter:
        def read(doc: Doc) -> Any:
            entry = _entry(doc, member, text)
            if entry is _ABSENT or name is None:
                return entry is not _ABSENT
            return entry.get(name, _ABSENT)

        return read

    return _Spec(f"{member}[{text}]", kind, get(value_field), get(text_field), lambda _: None)


def parts_of(doc: Doc) -> list[_Spec]:
    """Every item, claim and red flag of a scan (at the newest version), in document order."""
    specs = [_item_spec(path) for path, _ in model.checklist_items(doc)]
    seen: set[tuple[str, Any]] = set()
    for member, value_field, text_field in (
        (model.CLAIMS, model.CLAIM_SUPPORT, "evidence"),
        (model.RED_FLAGS, None, "detail"),
    ):
        for entry in doc.get(member) or []:
            text = entry[model.ENTRY_IDS[member]]
            if (member, text) not in seen:
                seen.add((member, text))
                specs.append(_entry_spec(member, text, value_field, text_field))
    return specs


def _shown(spec: _Spec, doc: Doc) -> str:
    value = spec.answer(doc)
    if spec.kind == "item":
        applies, answer = value
        return rating(bool(applies), bool(answer))
    if spec.kind == "claim":
        return str(value)
    return "raised"


def blob_at(repo: GitRepo, commit: str, key: str, versions: Sequence[int]) -> Copy | None:
    """The paper's scan in ``commit`` (in the newest version directory that has one)."""
    literal = [s for s in pathspecs(key, versions) if not s.startswith(":(")]
    if literal:
        entries = [e for path in literal for e in repo.tree_entries(commit, path)]
    else:
        entries = repo.tree_entries(commit)
    found = [
        (where[0], Copy.at(e.path, key, e.blob))
        for e in entries
        if (where := keys.parse_scan_path(e.path))
        and where[2] == key
        and e.mode not in (SYMLINK_MODE, GITLINK_MODE)
    ]
    return max(found, key=lambda pair: pair[0])[1] if found else None


class PaperBlame:
    """One paper's counted revisions from a commit, each blob read once at the newest version."""

    def __init__(
        self,
        repo: GitRepo,
        key: str,
        commit: str,
        start: Copy,
        registry: SchemaRegistry,
        chain: Chain,
    ) -> None:
        """``start`` is the paper's scan in ``commit`` (``blob_at``)."""
        self.key = key
        self.start = start
        found = first_changes(
            repo, [commit], pathspecs(key, registry.versions), None, "--topo-order"
        )
        self.revisions: list[Revision] = [
            r for info, changed in found for r in by_paper(info, changed) if r.key == key
        ]
        copies = {self.start.blob: self.start}
        for r in self.revisions:
            for c in (r.old, r.new, *r.others):
                if c is not None:
                    copies.setdefault(c.blob, c)
        raw = {blob: RawCopy(c.path, "100644", blob) for blob, c in copies.items()}
        self.docs: dict[str, Doc | None] = {}
        with read_copies(repo, raw.values()) as contents:
            for blob, copy in raw.items():
                data = contents[copy]
                self.docs[blob] = (
                    read_scan(ScanSide(copy.path, data), registry.newest, chain, registry).doc
                    if isinstance(data, bytes)
                    else None
                )
        doc = self.docs[self.start.blob]
        if doc is None:
            raise ScanRepoError(f"{commit[:12]}:{self.start.path}: the scan cannot be read")
        self.doc: Doc = doc

    def _blame(self, get: Getter, model_of: Getter) -> Blamed | None:
        blob, pos = self.start.blob, 0
        while True:
            at = next((i for i in range(pos, len(self.revisions)) if self._wrote(i, blob)), None)
            if at is None:
                return None
            revision = self.revisions[at]
            doc = self.docs[blob]
            assert doc is not None
            value = get(doc)
            parent = next(
                (
                    c.blob
                    for c in (revision.old, *revision.others)
                    if c is not None
                    and (before := self.docs.get(c.blob)) is not None
                    and get(before) == value
                ),
                None,
            )
            if parent is None:
                found = model_of(doc)
                return Blamed(revision.commit, found if isinstance(found, str) else None)
            blob, pos = parent, at + 1

    def _wrote(self, index: int, blob: str) -> bool:
        new = self.revisions[index].new
        return new is not None and new.blob == blob

    def parts(self, only: str | None = None) -> list[Part]:
        return [
            Part(
                spec.name,
                spec.kind,
                _shown(spec, self.doc),
                self._blame(spec.answer, spec.model),
                self._blame(spec.text, spec.model),
            )
            for spec in parts_of(self.doc)
            if only is None or spec.name == only
        ]

    def names(self) -> list[str]:
        return [spec.name for spec in parts_of(self.doc)]
