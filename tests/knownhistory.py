"""A small history built by hand, whose figures the tests work out by hand.

Four ``position`` papers, P1..P4 (arXiv 2601.00001..4), each with the fixture's 15 universal
items and one type item, all ``yes`` by opus unless said otherwise; P4 starts as a v3 file.
F is ``checklist.conflicts_of_interest.funding_disclosed``, K is
``checklist.scope_and_framing.key_terms_defined``; a rating is written ``yes/opus``.

=====  ===============================================================================
C1     add P1 (F yes/opus, K yes/opus), P2 (F no/opus), P3 (K no/opus), P4 (as v3)
C2     P1: F yes/opus -> no/opus, K yes/opus -> yes/haiku
       P2: F no/opus -> no/haiku, K yes/opus -> n/a/opus
       P3: only a justification edited
C3     P4 migrated to v4 and moved (no change in meaning)
       P1: F no/opus -> yes/haiku
C4     P2: F no/haiku -> yes/opus
       P4: F yes/opus -> yes/haiku, K yes/opus -> no/haiku
C5     P3 removed; P1: F yes/haiku -> yes/opus; P5 added as a file that is not JSON
=====  ===============================================================================

At HEAD: P1 (F yes/opus, K yes/haiku), P2 (F yes/opus, K n/a/opus), P4 (F yes/haiku,
K no/haiku); P1 and P2 raise the red flag "No statistical significance tests" (spelt
differently), P4 raises "Causality not established"; venues ICLR 2026, ICLR 2025, arXiv.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from conftest import canonical, fixture_doc, git, put
from scanrepo.survey.corpus import Readers

F = "checklist.conflicts_of_interest.funding_disclosed"
K = "checklist.scope_and_framing.key_terms_defined"
TYPE_ITEM = "type_checklist.position.argument.thesis_stated"
ITEMS_PER_PAPER = 16


def paper(number: int, venue: str, flags: list[str]) -> dict[str, Any]:
    doc = fixture_doc()
    doc["paper_type"] = "position"
    doc["paper"].update(
        title=f"Paper {number}", arxiv_id=f"2601.0000{number}", doi=None, venue=venue
    )
    for section in doc["checklist"].values():
        for item in section.values():
            item.update(applies=True, answer=True, justification="j", source="opus")
    doc["type_checklist"] = {
        "position": {
            "argument": {
                "thesis_stated": {
                    "applies": True,
                    "answer": True,
                    "justification": "j",
                    "source": "opus",
                }
            }
        }
    }
    doc["red_flags"] = [{"flag": flag, "detail": "d"} for flag in flags]
    return doc


def item(doc: dict[str, Any], where: str) -> dict[str, Any]:
    node: Any = doc
    for step in where.split(".")[:-1]:
        node = node[step]
    return node[where.split(".")[-1]]  # type: ignore[no-any-return]


def rate(doc: dict[str, Any], where: str, rating: str, source: str) -> dict[str, Any]:
    """A copy of ``doc`` with the item answered ``rating`` by ``source``."""
    new = copy.deepcopy(doc)
    item(new, where).update(applies=rating != "n/a", answer=rating == "yes", source=source)
    return new


def path(number: int, version: int = 4) -> str:
    return f"scans/v{version}/2601/2601.0000{number}.json"


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def build(repo: Path) -> list[str]:
    """The history in ``repo`` (an empty git repository); its commit ids, C1 first."""
    readers = Readers()
    p1 = paper(1, "ICLR 2026", ["No statistical significance tests"])
    p2 = rate(paper(2, "ICLR 2025", ["no statistical  significance tests."]), F, "no", "opus")
    p3 = rate(paper(3, "NeurIPS 2025", []), K, "no", "opus")
    p4 = paper(4, "arXiv", ["Causality not established"])
    for number, doc in ((1, p1), (2, p2), (3, p3)):
        put(repo, path(number), canonical(doc))
    put(repo, path(4, 3), canonical(readers.chain.migrate(copy.deepcopy(p4), 3)))
    commits = [commit(repo, "C1: add four papers")]

    p1 = rate(rate(p1, F, "no", "opus"), K, "yes", "haiku")
    p2 = rate(rate(p2, F, "no", "haiku"), K, "n/a", "opus")
    p3 = copy.deepcopy(p3)
    item(p3, TYPE_ITEM)["justification"] = "a better reason"
    for number, doc in ((1, p1), (2, p2), (3, p3)):
        put(repo, path(number), canonical(doc))
    commits.append(commit(repo, "C2: rescan P1, P2, P3"))

    git(repo, "mv", path(4, 3), path(4))
    put(repo, path(4), canonical(p4))
    p1 = rate(p1, F, "yes", "haiku")
    put(repo, path(1), canonical(p1))
    commits.append(commit(repo, "C3: migrate P4; rescan P1"))

    p2 = rate(p2, F, "yes", "opus")
    p4 = rate(rate(p4, F, "yes", "haiku"), K, "no", "haiku")
    put(repo, path(2), canonical(p2))
    put(repo, path(4), canonical(p4))
    commits.append(commit(repo, "C4: rescan P2, P4"))

    git(repo, "rm", "-q", path(3))
    p1 = rate(p1, F, "yes", "opus")
    put(repo, path(1), canonical(p1))
    put(repo, path(5), b"{not json")
    commits.append(commit(repo, "C5: remove P3; rescan P1; add a broken P5"))
    return commits
