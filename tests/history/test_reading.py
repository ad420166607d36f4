"""What the history walk keeps of each blob (a summary), how it tells two scans apart (the
semantic digest), and that reading in worker processes, streamed as the walk needs the blobs,
gives the figures one process gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from conftest import canonical, fixture_doc, git
from scanrepo.format import model
from scanrepo.history.cache import (
    Layouts,
    Reading,
    expand,
    layout_id,
    migrated_blob,
    read_blob,
    semantic_digest,
    summarize,
)
from scanrepo.history.walk import open_history
from scanrepo.problems import Problem
from scanrepo.survey.corpus import Readers
from scanrepo.survey.stability import Stability, stability
from scanrepo.testing.synthetic_history import HistorySpec, build_history
from scanrepo.toolkit import Toolkit
from scanrepo.vcs.cache_files import CACHE_DIR
from scanrepo.vcs.repo import GitRepo


def test_a_summary_stands_for_its_reading() -> None:
    doc = fixture_doc()
    first = next(iter(doc[model.CHECKLIST].values()))
    next(iter(first.values()))[model.SOURCE] = "another-model"  # two sources in one scan
    reading = read_blob(canonical(doc), "scans/v4/2602/2602.07852.json", Readers())
    assert reading.problem is None and len(reading.answers) > 10
    assert {source for _, source in reading.answers.values()} >= {"another-model"}
    layouts: Layouts = {}
    data = summarize(reading, layouts)
    assert layouts == {layout_id(tuple(reading.answers)): tuple(reading.answers)}
    assert expand(data, layouts) == reading
    # each source is written once, however many items it answered
    assert data.count(b'"another-model"') == 1
    assert data.count(b'"opus"') == 1
    # one source for every item is written once
    single = Reading("d", "position", {"a.b": ("yes", "m"), "c.d": ("n/a", "m")})
    assert expand(summarize(single, layouts), layouts) == single
    assert summarize(single, layouts).count(b'"m"') == 1


def test_a_summary_of_an_unreadable_blob_keeps_its_problem() -> None:
    reading = read_blob(b'{"scan_version": 4,', "scans/v4/2602/2602.07852.json", Readers())
    assert reading.problem is not None and reading.problem.kind == "syntax"
    back = expand(summarize(reading, {}), {})
    assert back.problem == Problem(
        "", reading.problem.line, reading.problem.col, "$", reading.problem.message, "syntax"
    )
    assert back.answers == {} and back.digest is None


def _reordered(doc: dict[str, Any]) -> dict[str, Any]:
    """The same scan with every key order reversed and the unordered lists reversed."""

    def flip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: flip(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [flip(v) for v in value]
        return value

    out = flip(doc)
    for name in model.UNORDERED_LISTS:
        out[name] = out[name][::-1]
    return out


def test_the_digest_ignores_key_order_and_the_order_of_unordered_lists() -> None:
    doc = fixture_doc()
    assert len(doc[model.CLAIMS]) > 1
    assert semantic_digest(_reordered(doc)) == semantic_digest(doc)
    changed = copy.deepcopy(doc)
    changed[model.CLAIMS][0] = {**changed[model.CLAIMS][0], "extra": 1}
    assert semantic_digest(changed) != semantic_digest(doc)
    swapped = copy.deepcopy(doc)
    swapped[model.KEY_FINDINGS] = swapped[model.KEY_FINDINGS] + " "
    assert semantic_digest(swapped) != semantic_digest(doc)


def test_the_digest_takes_integers_beyond_64_bits() -> None:
    doc = fixture_doc()
    big, bigger = copy.deepcopy(doc), copy.deepcopy(doc)
    big[model.HN_DATA]["total_points"] = 2**70
    bigger[model.HN_DATA]["total_points"] = 2**70 + 1
    assert len({semantic_digest(d) for d in (doc, big, bigger)}) == 3
    assert semantic_digest(big) == semantic_digest(_reordered(big))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A history of 150 v3 scans, migrated to v4, then rescanned: 300 blobs and more, enough
    for worker processes; and its rescan count."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    chain = Toolkit().chain
    spec = HistorySpec(
        seed=7, scans=150, commits=4, start_version=3, migrate_at=1, rescans_per_commit=(8, 12)
    )
    info = build_history(repo, spec, lambda scan: chain.migrate(scan, 4))
    return repo, sum(len(c.keys) for c in info.commits[2:])


def _figures(repo: Path, *, workers: int, cache: bool) -> Stability:
    readers = Readers()
    with (
        GitRepo(repo) as handle,
        open_history(handle, readers, cache=cache, workers=workers) as history,
    ):
        return stability(history)


def test_worker_processes_and_the_cache_give_the_figures_one_process_gives(
    generated: tuple[Path, int],
) -> None:
    repo, rescans = generated
    alone = _figures(repo, workers=1, cache=False)
    assert alone.blobs >= 300
    # commit 0 adds the 150 papers, commit 1 migrates each (no change in meaning)
    assert alone.kinds == {
        "added": 150,
        "removed": 0,
        "rescan": rescans,
        "unchanged": 150,
        "unreadable": 0,
    }
    assert alone.answer.n > 0 and alone.items
    parallel = _figures(repo, workers=2, cache=False)
    filling = _figures(repo, workers=2, cache=True)
    cached = _figures(repo, workers=2, cache=True)
    assert (filling.cached, cached.cached) == (0, alone.blobs)
    assert list((repo / ".git" / CACHE_DIR).glob("readings-*.sqlite"))
    for other in (parallel, filling, cached):
        assert other.kinds == alone.kinds
        assert other.items == alone.items
        assert other.source_pairs == alone.source_pairs


def test_a_migrated_scan_names_the_blob_of_its_canonical_form(tmp_path: Path) -> None:
    doc = fixture_doc()
    written = tmp_path / "scan.json"
    written.write_bytes(canonical(doc))  # the standard library's writing of the canonical form
    expected = git(tmp_path, "hash-object", str(written)).stdout.strip()
    assert migrated_blob(doc) == expected


def test_no_blob_is_named_where_its_reading_could_differ() -> None:
    with_float = fixture_doc()
    with_float[model.HN_DATA]["total_points"] = 1.5
    assert migrated_blob(with_float) is None
    deep = fixture_doc()
    nested: dict[str, Any] = {}
    deep[model.HN_DATA]["extra"] = nested
    for _ in range(70):  # beyond the strict parser's nesting limit
        nested["x"] = {}
        nested = nested["x"]
    assert migrated_blob(deep) is None
    surrogate = fixture_doc()
    surrogate[model.KEY_FINDINGS] = "\ud800"
    assert migrated_blob(surrogate) is None
