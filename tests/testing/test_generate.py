"""The seeded scan generator and the git history built on it."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scanrepo.errors import ScanRepoError
from scanrepo.format.keys import paper_key, parse_scan_path, scan_path
from scanrepo.testing import generate
from scanrepo.testing.generate import corpus, make_scan_v3, make_scan_v4, rescan
from scanrepo.testing.synthetic_history import EPOCH, HistoryInfo, HistorySpec, build_history

FIXTURES = Path(__file__).parents[1] / "data" / "fixtures"
FIXTURE_V4 = json.loads((FIXTURES / "2602.07852.scan-v4.json").read_text(encoding="utf-8"))
V3_TOP = [
    "scan_version",
    "paper",
    "checklist",
    "claims",
    "methodology_tags",
    "key_findings",
    "red_flags",
    "cited_papers",
    "engagement",
    "hn_data",
]
V3_PAPER = ["title", "authors", "year", "venue", "type", "arxiv", "doi"]
NAME = re.compile(r"[a-z][a-z0-9_]*")


def shape(sections: dict[str, Any]) -> dict[str, list[str]]:
    return {section: list(items) for section, items in sections.items()}


def all_items(scan: dict[str, Any]) -> list[dict[str, Any]]:
    sections = [*scan["checklist"].values(), *scan["type_checklist"][scan["paper_type"]].values()]
    return [item for section in sections for item in section.values()]


def canonical(scan: dict[str, Any]) -> bytes:
    return json.dumps(scan, indent=2, ensure_ascii=False).encode()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


# --- scans -----------------------------------------------------------------------------------


def test_same_seed_gives_the_same_corpus_and_another_seed_does_not() -> None:
    first = [canonical(s) for s in corpus(7, 20)]
    assert first == [canonical(s) for s in corpus(7, 20)]
    assert first != [canonical(s) for s in corpus(8, 20)]


def test_v4_scans_have_the_fixture_shape() -> None:
    empirical = FIXTURE_V4["type_checklist"]["empirical"]
    for scan in corpus(1, 300):
        assert list(scan) == list(FIXTURE_V4)
        assert list(scan["paper"]) == list(FIXTURE_V4["paper"])
        assert shape(scan["checklist"]) == shape(FIXTURE_V4["checklist"])
        assert list(scan["type_checklist"]) == [scan["paper_type"]]
        sections = scan["type_checklist"][scan["paper_type"]]
        if scan["paper_type"] == "empirical":
            assert shape(sections) == shape(empirical)
        else:
            assert 2 <= len(sections) <= 4
            for section, items in sections.items():
                assert NAME.fullmatch(section)
                assert 2 <= len(items) <= 6
                assert all(NAME.fullmatch(name) for name in items)
        for item in all_items(scan):
            assert list(item) == ["applies", "answer", "justification", "source"]
            assert item["applies"] or not item["answer"]
            assert 40 <= len(item["justification"]) <= 600
            assert item["source"] in {"opus", "haiku", "sonnet"}
        assert 2 <= len(scan["claims"]) <= 10
        for claim in scan["claims"]:
            assert list(claim) == list(FIXTURE_V4["claims"][0])
            assert claim["supported"] in {"strong", "moderate", "weak", "unsupported"}
        assert len(scan["red_flags"]) <= 8
        assert all(list(f) == ["flag", "detail"] for f in scan["red_flags"])
        assert len(scan["cited_papers"]) <= 12
        assert all(list(c) == ["title", "relevance"] for c in scan["cited_papers"])
        tags = scan["methodology_tags"]
        assert 1 <= len(tags) <= 3
        assert len(set(tags)) == len(tags)
        assert isinstance(scan["key_findings"], str)
        assert scan["key_findings"]
        assert list(scan["engagement_factors"]) == list(FIXTURE_V4["engagement_factors"])
        for factor in scan["engagement_factors"].values():
            assert list(factor) == ["score", "justification"]
            assert factor["score"] in range(4)
        hn = scan["hn_data"]
        assert list(hn) == list(FIXTURE_V4["hn_data"])
        assert hn["total_points"] == sum(t["points"] for t in hn["threads"])
        assert hn["top_points"] <= hn["total_points"]


def test_a_corpus_mixes_types_sources_answers_and_kinds_of_paper_id() -> None:
    scans = list(corpus(2, 400))
    types = Counter(s["paper_type"] for s in scans)
    assert set(types) == {"empirical", "position", "survey", "benchmark"}
    assert types["empirical"] > 0.6 * len(scans)
    sources = Counter(item["source"] for s in scans for item in all_items(s))
    assert sources["opus"] > 0.6 * sum(sources.values())
    assert sources["haiku"] > 0
    assert sources["sonnet"] > 0
    # Each item keeps a character: some mostly yes, some mostly no, some often not applicable.
    answers: dict[str, Counter[str]] = {}
    for s in scans:
        for section in s["checklist"].values():
            for name, item in section.items():
                kind = "yes" if item["answer"] else "no" if item["applies"] else "n/a"
                answers.setdefault(name, Counter())[kind] += 1
    share = {
        name: {k: c[k] / c.total() for k in ("yes", "no", "n/a")} for name, c in answers.items()
    }
    assert any(s["yes"] > 0.7 for s in share.values())
    assert any(s["no"] > 0.5 for s in share.values())
    assert any(s["n/a"] > 0.4 for s in share.values())
    ids = [s["paper"]["arxiv_id"] for s in scans]
    assert sum(1 for i in ids if i and re.fullmatch(r"2[3-6](0[1-9]|1[0-2])\.\d{5}", i)) > 350
    assert any(i is None for i in ids)
    assert any(i and "/" in i for i in ids)
    assert all(s["paper"]["doi"] for s in scans if s["paper"]["arxiv_id"] is None)
    assert len({paper_key(s) for s in scans}) == len(scans)
    assert any(b > 0x7F for s in scans[:5] for b in canonical(s))


def test_paper_keys_stay_distinct_far_beyond_benchmark_sizes() -> None:
    rng = random.Random(0)
    keys = [paper_key({"paper": generate._paper(rng, i)}) for i in range(0, 4_000_000, 797)]
    assert len(set(keys)) == len(keys)


def test_v3_form_of_the_fixture_is_the_v3_fixture() -> None:
    v3 = (FIXTURES / "2602.07852.scan-v3.json").read_bytes()
    assert canonical(generate._to_v3(FIXTURE_V4)) == v3


def test_v3_scans_are_the_v4_scans_in_legacy_form() -> None:
    for v3, v4 in zip(corpus(4, 50, 3), corpus(4, 50), strict=True):
        assert list(v3) == V3_TOP
        assert list(v3["paper"]) == V3_PAPER
        assert v3 == generate._to_v3(v4)
        assert paper_key(v3) == paper_key(v4)
        assert v3["paper"]["type"] == v4["paper_type"]
        answers = [
            item["answer"] for section in v3["checklist"].values() for item in section.values()
        ]
        assert answers == [
            "yes" if i["answer"] else "no" if i["applies"] else "n/a" for i in all_items(v4)
        ]


def test_make_scan_v3_draws_like_make_scan_v4() -> None:
    v3 = make_scan_v3(random.Random(11), 5)
    assert v3 == generate._to_v3(make_scan_v4(random.Random(11), 5))


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="not 5"):
        corpus(1, 1, 5)


# --- rescans ---------------------------------------------------------------------------------


def changes(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Which kinds of change turn ``old`` into ``new`` (v4 scans)."""
    found = set()
    for a, b in zip(all_items(old), all_items(new), strict=True):
        if (a["applies"], a["answer"]) != (b["applies"], b["answer"]):
            found.add("answer")
        if a["source"] != b["source"]:
            found.add("source")
        if a["justification"] != b["justification"]:
            found.add("justification")
    if len(new["claims"]) > len(old["claims"]):
        found.add("claim added")
    if len(new["red_flags"]) > len(old["red_flags"]):
        found.add("red flag added")
    if any(
        a["supported"] != b["supported"] for a, b in zip(old["claims"], new["claims"], strict=False)
    ):
        found.add("supported")
    if any(
        a["score"] != b["score"]
        for a, b in zip(
            old["engagement_factors"].values(), new["engagement_factors"].values(), strict=True
        )
    ):
        found.add("score")
    return found


def test_rescan_changes_something_and_keeps_the_structure() -> None:
    rng = random.Random(3)
    seen: set[str] = set()
    for scan in corpus(3, 150):
        before = canonical(scan)
        new = rescan(rng, scan)
        assert canonical(scan) == before, "the original is left alone"
        assert new != scan
        assert list(new) == list(scan)
        assert new["paper"] == scan["paper"]
        assert scan_path(new, 4) == scan_path(scan, 4)
        assert shape(new["checklist"]) == shape(scan["checklist"])
        assert shape(new["type_checklist"][new["paper_type"]]) == shape(
            scan["type_checklist"][scan["paper_type"]]
        )
        for item in all_items(new):
            assert list(item) == ["applies", "answer", "justification", "source"]
            assert item["applies"] or not item["answer"]
        assert all(list(c) == ["claim", "evidence", "supported"] for c in new["claims"])
        assert all(list(f) == ["flag", "detail"] for f in new["red_flags"])
        assert all(f["score"] in range(4) for f in new["engagement_factors"].values())
        found = changes(scan, new)
        assert found
        seen |= found
    assert seen == {
        "answer",
        "source",
        "justification",
        "claim added",
        "red flag added",
        "supported",
        "score",
    }


def test_rescan_of_a_v3_scan_stays_v3() -> None:
    rng = random.Random(4)
    for scan in corpus(5, 60, 3):
        new = rescan(rng, scan)
        assert new != scan
        assert list(new) == V3_TOP
        assert shape(new["checklist"]) == shape(scan["checklist"])
        for section in new["checklist"].values():
            for item in section.values():
                assert list(item) == ["answer", "justification", "model"]
                assert item["answer"] in {"yes", "no", "n/a"}
        assert all(list(c) == ["claim", "evidence", "support"] for c in new["claims"])
        assert all(list(f) == ["score", "why"] for f in new["engagement"].values())


# --- history ---------------------------------------------------------------------------------

SMALL = HistorySpec(
    seed=9, scans=30, commits=8, big_commit_at=5, big_commit_size=12, rescans_per_commit=(1, 5)
)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, HistoryInfo]:
    repo = tmp_path_factory.mktemp("history") / "repo"
    return repo, build_history(repo, SMALL)


def changed_paths(repo: Path, commit: str) -> list[str]:
    return git(repo, "diff-tree", "--root", "--no-commit-id", "--name-only", "-r", commit).split()


def test_same_spec_gives_the_same_commits_and_another_seed_does_not(
    small: tuple[Path, HistoryInfo], tmp_path: Path
) -> None:
    _, info = small
    again = build_history(tmp_path / "again", SMALL)
    assert [c.id for c in again.commits] == [c.id for c in info.commits]
    other = build_history(tmp_path / "other", HistorySpec(seed=10, scans=30, commits=8))
    assert other.head != info.head


def test_history_has_the_commits_it_reports(small: tuple[Path, HistoryInfo]) -> None:
    repo, info = small
    log = git(repo, "log", "--oneline").splitlines()
    assert len(log) == len(info.commits) == 1 + SMALL.commits
    assert git(repo, "rev-parse", "HEAD").strip() == info.head
    assert git(repo, "rev-list", "--reverse", "main").split() == [c.id for c in info.commits]
    assert [c.kind for c in info.commits] == ["import"] + ["rescan"] * 4 + ["big"] + ["rescan"] * 3
    dates = git(repo, "log", "--reverse", "--format=%an <%ae>|%cn <%ce>|%at|%ct").splitlines()
    for number, line in enumerate(dates):
        stamp = str(EPOCH + number * 3600)
        assert line.split("|") == ["Survey Bot <bot@example.org>"] * 2 + [stamp, stamp]
    for commit in info.commits:
        assert sorted(changed_paths(repo, commit.id)) == sorted(info.paths[k] for k in commit.keys)
    assert len(info.commits[0].keys) == SMALL.scans
    assert all(1 <= len(c.keys) <= 5 for c in info.commits if c.kind == "rescan")


def test_the_big_commit_touches_the_requested_number_of_files(
    small: tuple[Path, HistoryInfo],
) -> None:
    repo, info = small
    big = info.commits[SMALL.big_commit_at or 0]
    assert big.kind == "big"
    stat = git(repo, "show", "--stat", "--format=", big.id).splitlines()
    assert stat[-1].strip().startswith(f"{SMALL.big_commit_size} files changed")


def test_hot_papers_are_rescanned_in_every_commit(tmp_path: Path) -> None:
    spec = HistorySpec(
        seed=4,
        scans=25,
        commits=6,
        big_commit_at=4,
        big_commit_size=5,
        hot_papers=2,
        rescans_per_commit=(3, 6),
    )
    repo = tmp_path / "repo"
    info = build_history(repo, spec)
    first_two = [paper_key(scan) for scan in corpus(4, 2)]
    assert list(info.hot) == first_two
    for commit in info.commits:
        assert set(info.hot) <= set(commit.keys)
    touching = git(repo, "log", "--format=%H", "--", info.paths[info.hot[0]]).split()
    assert touching == [c.id for c in reversed(info.commits)]
    assert all(3 <= len(c.keys) <= 6 for c in info.commits if c.kind == "rescan")
    assert len(info.commits[4].keys) == 5
    assert build_history(tmp_path / "cold", SMALL).hot == ()


def test_work_tree_holds_the_last_state_at_the_canonical_paths(
    small: tuple[Path, HistoryInfo],
) -> None:
    repo, info = small
    assert git(repo, "status", "--porcelain") == ""
    files = sorted(p for p in (repo / "scans").rglob("*") if p.is_file())
    assert sorted(p.relative_to(repo).as_posix() for p in files) == sorted(info.paths.values())
    for path in files:
        data = path.read_bytes()
        scan = json.loads(data)
        assert data == canonical(scan)
        assert not data.endswith(b"\n")
        assert path.relative_to(repo).as_posix() == scan_path(scan, 4).as_posix()
        assert info.paths[paper_key(scan)] == scan_path(scan, 4).as_posix()
        assert list(scan) == list(FIXTURE_V4)


def relabel(scan: dict[str, Any]) -> dict[str, Any]:
    """A stand-in upgrade: enough to see the migration commit move every file."""
    return {**scan, "scan_version": 4}


def test_a_v3_history_migrates_every_scan_into_v4(tmp_path: Path) -> None:
    spec = HistorySpec(
        seed=2, scans=20, commits=5, start_version=3, migrate_at=3, rescans_per_commit=(2, 4)
    )
    repo = tmp_path / "repo"
    info = build_history(repo, spec, relabel)
    kinds = [c.kind for c in info.commits]
    assert kinds == ["import", "rescan", "rescan", "migrate", "rescan", "rescan"]

    def versions_at(commit: str) -> set[int]:
        paths = git(repo, "ls-tree", "-r", "--name-only", commit).split()
        assert len(paths) == spec.scans
        return {parsed[0] for p in paths if (parsed := parse_scan_path(p))}

    assert versions_at(info.commits[2].id) == {3}
    assert versions_at(info.commits[3].id) == {4}
    moved = git(
        repo, "show", "--no-renames", "--name-status", "--format=", info.commits[3].id
    ).splitlines()
    assert sum(line.startswith("D\tscans/v3/") for line in moved) == spec.scans
    assert sum(line.startswith("A\tscans/v4/") for line in moved) == spec.scans
    assert all(path.startswith("scans/v4/") for path in info.paths.values())
    for key, path in info.paths.items():
        scan = json.loads((repo / path).read_bytes())
        assert scan["scan_version"] == 4
        assert "engagement" in scan, "the stand-in upgrade kept the v3 body"
        assert path == scan_path(scan, 4).as_posix()
        assert paper_key(scan) == key


def test_a_migration_needs_an_upgrade(tmp_path: Path) -> None:
    spec = HistorySpec(seed=1, scans=3, commits=2, start_version=3, migrate_at=1)
    with pytest.raises(ValueError, match="upgrade"):
        build_history(tmp_path / "repo", spec)
    assert not (tmp_path / "repo").exists()


def test_a_failing_upgrade_leaves_no_branch(tmp_path: Path) -> None:
    def broken(scan: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("cannot upgrade")

    spec = HistorySpec(seed=1, scans=3, commits=2, start_version=3, migrate_at=2)
    with pytest.raises(RuntimeError, match="cannot upgrade"):
        build_history(tmp_path / "repo", spec, broken)
    assert git(tmp_path / "repo", "for-each-ref") == ""


def test_a_history_is_built_only_in_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ScanRepoError, match="not empty"):
        build_history(tmp_path, HistorySpec(seed=1, scans=2, commits=1))
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"migrate_at": 9}, "migrate_at=9"),
        ({"big_commit_at": 0}, "big_commit_at=0"),
        ({"migrate_at": 2, "big_commit_at": 2}, "different commits"),
        ({"big_commit_at": 1, "big_commit_size": 11}, "big_commit_size=11"),
        ({"rescans_per_commit": (3, 2)}, "rescans_per_commit"),
        ({"scans": 0}, "at least one scan"),
        ({"hot_papers": 2, "rescans_per_commit": (1, 5)}, "hot_papers=2"),
        (
            {
                "hot_papers": 3,
                "rescans_per_commit": (5, 5),
                "big_commit_at": 1,
                "big_commit_size": 2,
            },
            "below hot_papers",
        ),
    ],
)
def test_impossible_specs_are_refused(fields: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {"seed": 1, "scans": 10, "commits": 4}
    with pytest.raises(ValueError, match=message):
        HistorySpec(**(base | fields))
