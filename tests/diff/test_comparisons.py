"""The comparisons tools/diff keeps by blob pair: read instead of the blobs, never trusted
beyond the tools that made them, never kept when a side had a problem."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import CountingRepo, canonical, fixture_doc, git, put, run_main
from scanrepo.cli.diff import main as diff_main
from scanrepo.diff.comparisons import COMPARISONS
from scanrepo.diff.revisions import parse_range
from scanrepo.diff.tree import RangeDiff, diff_range
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR, Toolkit
from scanrepo.vcs.cache_files import CACHE_DIR

KEY = "2602.07852"
PATH = f"scans/v4/2602/{KEY}.json"
SECTION, ITEM = "claims_and_evidence", "abstract_claims_supported"


def _rescanned(repo: Path, edit: dict[str, object] | None = None) -> None:
    """Two commits of one paper: its scan, then a rescan that flips an answer, edits its
    justification and sets ``edit``'s top-level members."""
    put(repo, PATH, canonical(fixture_doc()))
    git(repo, "add", "scans")
    git(repo, "commit", "-qm", "scan")
    doc = fixture_doc()
    item = doc["checklist"][SECTION][ITEM]
    item["answer"] = not item["answer"]
    item["justification"] = "Rescanned: the claims outrun the experiments."
    doc.update(edit or {})
    put(repo, PATH, canonical(doc))
    git(repo, "commit", "-qam", "rescan")


def _diff(root: Path, toolkit: Toolkit | None = None, cache: bool = True) -> tuple[RangeDiff, int]:
    """tools/diff HEAD~1 HEAD's result, and how many blobs it read from git."""
    with CountingRepo(root) as repo:
        toolkit = toolkit or Toolkit(SCHEMA_DIR, MIGRATIONS_DIR)
        result = diff_range(repo, parse_range(repo, ["HEAD~1", "HEAD"]), toolkit, cache=cache)
        return result, len(getattr(repo, "read", []))


def _kept(root: Path) -> list[tuple[str, str]]:
    found = []
    for path in (root / ".git" / CACHE_DIR).glob(f"{COMPARISONS}-*.sqlite"):
        with sqlite3.connect(path) as db:
            found += db.execute("SELECT old, new FROM comparisons").fetchall()
    return found


def _blob(root: Path, rev: str) -> str:
    return git(root, "rev-parse", f"{rev}:{PATH}").stdout.strip()


def test_a_second_diff_reads_no_blob_and_says_the_same(repo: Path) -> None:
    _rescanned(repo)
    first, read_first = _diff(repo)
    assert read_first == 2
    assert _kept(repo) == [(_blob(repo, "HEAD~1"), _blob(repo, "HEAD"))]
    again, read_again = _diff(repo)
    assert read_again == 0
    assert again.result.to_json() == first.result.to_json()
    paper = again.result.papers[0]
    kinds = {change.kind: (change.old, change.new) for change in paper.changes}
    assert kinds["answer_flipped"] == (True, False)  # checked by hand against _rescanned
    assert kinds["justification_edited"][1] == "Rescanned: the claims outrun the experiments."
    assert (paper.status, paper.old_version, paper.new_version) == ("modified", 4, 4)
    assert paper.title == fixture_doc()["paper"]["title"]


def test_the_command_keeps_and_reads_them_and_no_cache_does_neither(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _rescanned(repo)
    code, fresh, _ = run_main(diff_main, repo, monkeypatch, capsys, "--no-cache", "HEAD~1", "HEAD")
    assert code == 1 and "abstract_claims_supported" in fresh
    assert _kept(repo) == []
    assert run_main(diff_main, repo, monkeypatch, capsys, "HEAD~1", "HEAD")[1] == fresh
    assert len(_kept(repo)) == 1
    assert run_main(diff_main, repo, monkeypatch, capsys, "HEAD~1", "HEAD")[1] == fresh


def test_other_schemas_or_migrations_do_not_read_them(repo: Path, tmp_path: Path) -> None:
    _rescanned(repo)
    _diff(repo)
    other = tmp_path / "tools"
    shutil.copytree(SCHEMA_DIR, other / "schema")
    shutil.copytree(MIGRATIONS_DIR, other / "migrations")
    schema = next((other / "schema").glob("v4*.json"))
    schema.write_bytes(schema.read_bytes() + b"\n")
    _, read = _diff(repo, Toolkit(other / "schema", other / "migrations"))
    assert read == 2


def test_a_damaged_cache_is_compared_afresh(repo: Path) -> None:
    _rescanned(repo)
    first, _ = _diff(repo)
    (cached,) = (repo / ".git" / CACHE_DIR).glob(f"{COMPARISONS}-*.sqlite")
    with sqlite3.connect(cached) as db:
        db.execute("UPDATE comparisons SET data = ?", (b'[4, 4, null, [["nonsense"]]]',))
    again, read = _diff(repo)
    assert read == 2 and again.result.to_json() == first.result.to_json()
    cached.write_bytes(b"not a database at all" * 100)
    again, read = _diff(repo)
    assert read == 2 and again.result.to_json() == first.result.to_json()
    assert len(_kept(repo)) == 1  # started anew
    assert _diff(repo)[1] == 0


def test_a_comparison_with_a_problem_is_not_kept(repo: Path) -> None:
    _rescanned(repo, {"paper_type": 7})  # the new side breaks its schema
    first, _ = _diff(repo)
    assert first.result.papers[0].problems
    assert _kept(repo) == []
    again, read = _diff(repo)
    assert read == 2 and again.result.papers[0].problems == first.result.papers[0].problems


def test_a_value_json_cannot_keep_exactly_is_compared_again(repo: Path) -> None:
    huge = 2**70  # beyond the 64 bits orjson writes; thread lists have no fixed shape
    _rescanned(repo, {"hn_data": {**fixture_doc()["hn_data"], "threads": [{"score": huge}]}})
    first, _ = _diff(repo)
    assert any(change.new == {"score": huge} for change in first.result.papers[0].changes)
    assert _kept(repo) == []
    again, read = _diff(repo)
    assert read == 2 and again.result.to_json() == first.result.to_json()


def test_the_work_tree_side_is_never_kept(repo: Path) -> None:
    _rescanned(repo)
    put(repo, PATH, canonical(fixture_doc()))
    with CountingRepo(repo) as counting:
        toolkit = Toolkit(SCHEMA_DIR, MIGRATIONS_DIR)
        result = diff_range(counting, parse_range(counting, ["HEAD"]), toolkit)
    assert [p.status for p in result.result.papers] == ["modified"]
    assert _kept(repo) == []


def test_the_tools_fingerprint_names_the_file(repo: Path) -> None:
    _rescanned(repo)
    _diff(repo)
    names = [p.name for p in (repo / ".git" / CACHE_DIR).glob(f"{COMPARISONS}-*.sqlite")]
    assert names == [f"{COMPARISONS}-{Toolkit(SCHEMA_DIR, MIGRATIONS_DIR).fingerprint()}.sqlite"]
