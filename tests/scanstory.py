"""A data repository with a story, for the diff, log and git-driver tests.

Papers: A = 2602.07852 (the real scan), B = 2401.01234 (later corrected to 2401.04321),
C = a survey without identifiers (a title key), D = 2603.00001 whose text is hostile.

main:   c1 add A, B, C as v3 -> c2 migrate all to v4 -> c3 rescan A (answers flip, a source
        changes) -> c4 reorder B's claims -> c5 edit a justification of B -> c6 correct B's
        arXiv id (its key changes) -> c7 delete C -> c8 add D -> c9 rescan A again
review: branches at c8 -> r1 rescan D (an answer flips, the hostile justification is edited)

Each commit is tagged with its name (c1, ..., r1). Dates are fixed, so commit ids (and golden
outputs) are the same on every run.
"""

from __future__ import annotations

import copy
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import canonical, fixture_doc
from scanrepo.format.keys import paper_key, scan_path
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import load_chain
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR

HOSTILE = "</details><script>alert(1)</script> @someone \x1b[31mred\x1b[0m"
FUNDING = ("checklist", "conflicts_of_interest", "funding_disclosed")


def item(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = doc
    for step in path:
        node = node[step]
    assert isinstance(node, dict)
    return node


def paper_a() -> dict[str, Any]:
    return fixture_doc(4)


def paper_b(arxiv_id: str = "2401.01234") -> dict[str, Any]:
    doc = fixture_doc(4)
    doc["paper"].update(title="A Second Paper on Coding Agents", arxiv_id=arxiv_id, year=2024)
    return doc


def paper_c() -> dict[str, Any]:
    doc = fixture_doc(4)
    doc["paper"].update(title="A Survey Without Identifiers", arxiv_id=None, doi=None, year=2024)
    return doc


def paper_d() -> dict[str, Any]:
    doc = fixture_doc(4)
    doc["paper"].update(title="Hostile <b>text</b> @everyone", arxiv_id="2603.00001")
    item(doc, FUNDING)["justification"] = HOSTILE
    return doc


@dataclass
class Story:
    root: Path
    commits: dict[str, str] = field(default_factory=dict)
    tick: int = 0

    def run(self, *args: str) -> str:
        date = f"2026-01-01T{self.tick // 60:02d}:{self.tick % 60:02d}:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def write(self, doc: dict[str, Any], version: int = 4) -> str:
        rel = str(scan_path(doc, version))
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(canonical(doc))
        return rel

    def remove(self, doc: dict[str, Any], version: int = 4) -> None:
        self.run("rm", "-q", str(scan_path(doc, version)))

    def commit(self, name: str, message: str) -> None:
        """Commit the scans, one minute after the last commit, and tag the commit ``name``."""
        self.tick += 1
        self.run("add", "-A", "scans")
        self.run("commit", "-q", "-m", message)
        self.commits[name] = self.run("rev-parse", "HEAD").strip()
        self.run("tag", name)


def v3(doc: dict[str, Any]) -> dict[str, Any]:
    registry = SchemaRegistry(SCHEMA_DIR)
    return load_chain(MIGRATIONS_DIR, registry.versions).migrate(copy.deepcopy(doc), 3)


def build_story(root: Path) -> Story:
    root.mkdir(parents=True)
    story = Story(root)
    story.run("init", "-q", "-b", "main")
    a, b, c = paper_a(), paper_b(), paper_c()

    for doc in (a, b, c):
        story.write(v3(doc), 3)
    story.commit("c1", "Add three scans (v3)")

    for doc in (a, b, c):
        story.remove(v3(doc), 3)
        story.write(doc)
    story.commit("c2", "Migrate scans to v4")

    funding = item(a, FUNDING)
    funding.update(answer=True, justification="Funding by Open Philanthropy is acknowledged.")
    item(a, ("type_checklist", "empirical", "artifacts", "environment_specified"))["source"] = (
        "haiku"
    )
    scaffolding = ("type_checklist", "empirical", "setup_transparency", "scaffolding_described")
    item(a, scaffolding).update(applies=True, answer=True)
    story.write(a)
    story.commit("c3", "Rescan 2602.07852")

    b["claims"].reverse()
    story.write(b)
    story.commit("c4", "Reorder the claims of 2401.01234")

    abstract = item(b, ("checklist", "claims_and_evidence", "abstract_claims_supported"))
    abstract["justification"] = abstract["justification"].replace(
        "are all supported", "are mostly supported"
    )
    story.write(b)
    story.commit("c5", "Edit a justification of 2401.01234")

    story.remove(b)
    b["paper"]["arxiv_id"] = "2401.04321"
    story.write(b)
    story.commit("c6", "Correct the arXiv id of 2401.01234")

    story.remove(c)
    story.commit("c7", "Delete the survey")

    d = paper_d()
    story.write(d)
    story.commit("c8", "Add 2603.00001")

    story.run("checkout", "-q", "-b", "review")
    item(d, ("checklist", "scope_and_framing", "key_terms_defined"))["answer"] = False
    item(d, FUNDING)["justification"] = "Rechecked: " + HOSTILE
    story.write(d)
    story.commit("r1", "Rescan 2603.00001")
    story.run("checkout", "-q", "main")

    funding.update(answer=False, source="haiku")
    story.write(a)
    story.commit("c9", "Rescan 2602.07852 with haiku")
    assert paper_key(b) == "2401.04321"
    return story
