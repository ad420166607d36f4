"""The history of one paper's scan: every commit that changed it, with its semantic changes.

The commits are those every history tool counts (``history.gitlog``; a merge only where its
result differs from every parent, shown against its first parent). One ``git log --raw`` names
the paper's path in every version directory the schemas know (``scans/v3/<shard>/<key>.json``,
``scans/v4/<shard>/<key>.json``, ...), so the history follows the scan across version
directories without ``git log --follow`` (which measured 12x slower across a whole-corpus
move). The blobs are then read in one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanrepo.diff.changes import PaperDiff
from scanrepo.diff.revisions import read_copies
from scanrepo.errors import JsonSyntaxError, MigrationError
from scanrepo.format import keys, model
from scanrepo.format.items import item_name, item_path, resolve_name
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import parse_strict
from scanrepo.history.commit_log import merged_papers
from scanrepo.history.gitlog import CommitInfo, first_changes
from scanrepo.migrate.chain import Chain
from scanrepo.problems import Problem
from scanrepo.vcs.repo import GitRepo


@dataclass(frozen=True)
class PaperChange:
    """One commit's change to the paper: what it means, and the scan as the commit left it."""

    commit: CommitInfo
    diff: PaperDiff
    after: bytes | Problem | None  # None: the commit removed the scan


@dataclass(frozen=True)
class ItemState:
    """A checklist item as a commit left it (None: no such item), or why it could not be read."""

    commit: CommitInfo
    value: Any
    note: str | None = None


def pathspecs(key: str, versions: Sequence[int]) -> list[str]:
    """The paper's possible paths in every version directory: literal where the key tells the
    shard (arXiv keys), else a glob over one directory level (a slug key's shard is the
    paper's year, which the key does not tell)."""
    if keys.NEW_KEY.fullmatch(key) or keys.OLD_KEY.fullmatch(key):
        shard = keys.shard_of(key)
        return [f"{keys.SCANS_DIR}/v{v}/{shard}/{key}.json" for v in versions]
    return [f":(glob){keys.SCANS_DIR}/v{v}/*/{key}.json" for v in versions]


def paper_history(
    repo: GitRepo,
    key: str,
    registry: SchemaRegistry,
    chain: Chain,
    rev: str = "HEAD",
    limit: int | None = None,
    options: Sequence[str] = (),
) -> list[PaperChange]:
    """Every commit reachable from ``rev`` that counts for the paper's scan, newest first (the
    first ``limit``, of those git's ``options`` select); a merge with only what it decided
    (``history.commit_log``)."""
    commit = repo.resolve(rev)
    found = []
    for info, changed in first_changes(
        repo, [commit], pathspecs(key, registry.versions), limit, *options
    ):
        mine = [c for c in changed if c.key == key]
        if mine:
            found.append((info, mine))
    copies = [c for _, mine in found for ch in mine for c in (ch.old, ch.new, *ch.others) if c]
    history = []
    with read_copies(repo, copies) as contents:
        for info, mine in found:
            labels = (f"{info.sha[:12]}^", info.sha[:12])
            [diff] = merged_papers(mine, contents, registry, chain, labels)
            after = next((contents[c.new] for c in mine if c.new and c.path == diff.new_path), None)
            history.append(PaperChange(info, diff, after))
    return history


def find_item(doc: dict[str, Any], parts: tuple[str, ...]) -> Any:
    """The value at a dotted path; a type section named under ``checklist`` (as in v3, where
    one checklist held every section) or under ``type_checklist`` without the paper type is
    found under ``type_checklist[paper_type]``."""
    candidates = [parts]
    paper_type = doc.get(model.PAPER_TYPE)
    if isinstance(paper_type, str) and parts[0] in (model.CHECKLIST, model.TYPE_CHECKLIST):
        candidates.append((model.TYPE_CHECKLIST, paper_type, *parts[1:]))
    for candidate in candidates:
        node: Any = doc
        for step in candidate:
            node = node.get(step) if isinstance(node, dict) else None
        if node is not None:
            return node
    return None


def _read(change: PaperChange, chain: Chain, newest: int) -> tuple[dict[str, Any] | None, str]:
    """The scan as the commit left it, at the newest version, or why there is none."""
    after = change.after
    if after is None:
        return None, "scan removed"
    if isinstance(after, Problem):
        return None, after.message
    try:
        doc = parse_strict(after)
        if not isinstance(doc, dict):
            return None, "unreadable: not a JSON object"
        return chain.migrate(doc, newest), ""
    except JsonSyntaxError as exc:
        return None, f"unreadable: {exc.line}:{exc.col}: {exc.message}"
    except MigrationError as exc:
        return None, f"cannot migrate: {exc}"


def _item_names(doc: dict[str, Any]) -> set[str]:
    try:
        return {item_name(path) for path, _ in model.checklist_items(doc)}
    except (AttributeError, KeyError, TypeError):  # no valid scan: it has no items to name
        return set()


def item_history(
    changes: Sequence[PaperChange], spelling: str, chain: Chain, newest: int, where: str
) -> tuple[str, list[ItemState]]:
    """The item ``spelling`` names (``format.items``) among the items of the paper's scans
    (``where`` says which, for the message when it names none), and that item after each
    commit that changed it (or made it unreadable), newest first."""
    readings = [(change, *_read(change, chain, newest)) for change in reversed(changes)]
    known = {name for _, doc, _ in readings if doc is not None for name in _item_names(doc)}
    name = resolve_name(spelling, known, option="--item", where=where)
    parts = item_path(name)
    states: list[ItemState] = []
    for change, doc, note in readings:
        if doc is None:
            state = ItemState(change.commit, None, note)
        else:
            state = ItemState(change.commit, find_item(doc, parts))
        if not states or (state.value, state.note) != (states[-1].value, states[-1].note):
            states.append(state)
    return name, states[::-1]
