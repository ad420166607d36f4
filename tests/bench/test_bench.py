"""tools/bench: the benchmark runs end to end on a tiny corpus and reports every figure.

No timing is asserted: these tests prove the benchmark works, not how fast anything is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, git, run_tool
from scanrepo.bench.corpora import CorpusSpec, ensure_corpus, linked_copy
from scanrepo.bench.measure import Command, Sample, linear_estimate, run_command
from scanrepo.bench.run import benchmark
from scanrepo.bench.suite import Runner, Sizes, Subject
from scanrepo.errors import CommandFailedError
from scanrepo.vcs.cache_files import CACHE_DIR

TINY_CORPUS = CorpusSpec(30, 6)
TINY = Sizes(
    main=TINY_CORPUS,
    scaling=(TINY_CORPUS,),
    log_corpus=TINY_CORPUS,
    log_revisions=(3, 6),
    main_log_revisions=6,
    ordinary_diff_commit=3,
    sample_files=10,
    sample_pairs=3,
    repetitions=1,
    large_repetitions=1,
)
OPERATIONS = {
    "validate 30 scans": ["check-jsonschema", "strict parse (floor)"],
    "diff of a 30-scan commit, first view": ["git cat-file --batch (60 blobs, floor)", "DeepDiff"],
    "diff of a 30-scan commit, seen before": ["git cat-file --batch (60 blobs, floor)", "DeepDiff"],
    "git show of a 30-scan commit, first view (the hook renders it on arrival)": [
        "tools/diff A B (first view)"
    ],
    "git show of a 30-scan commit, cached": ["tools/diff A B (seen before)"],
    "git commit of 1 rescanned scan, with the hooks (30 scans)": [
        "Python's start-up (python3 -c pass)"
    ],
    "log of one paper over 6 revisions": ["git log -p --follow"],
    "log of 6 commits (whole repository)": [
        "git log --raw + cat-file --batch of the changed blobs"
    ],
    "blame of one paper over 6 revisions": ["git blame"],
    "migrate 30 v3 scans": ["parse + canonical write (floor)"],
    "add 30 new scans from JSON Lines on stdin": ["parse + canonical write (floor)"],
    "rescan a batch of 30 scans": ["tools/diff A B (first view)"],
    "whole-history statistics (7 commits)": ["git log --raw + each blob once"],
    "whole-history statistics, cached (7 commits)": ["git log --raw + each blob once"],
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    cache = tmp_path_factory.mktemp("bench") / "corpora"
    report = benchmark(TINY, cache, lambda text: None).report
    return json.loads(json.dumps(report))  # as the JSON file holds it


def figures_ok(figures: dict[str, Any] | None) -> bool:
    return (
        figures is not None
        and figures["median_s"] > 0
        and figures["min_s"] <= figures["median_s"] <= figures["max_s"]
        and figures["peak_rss_bytes"] > 1_000_000
        and all(cpu > 0 for cpu in figures["cpu_s"])
        and len(figures["cpu_s"]) == (0 if figures["estimated"] else len(figures["runs_s"]))
    )


def test_every_operation_has_its_anchors_with_figures_and_ratios(outcome: dict[str, Any]) -> None:
    rows = outcome["rows"]
    assert {r["operation"]: [] for r in rows}.keys() == OPERATIONS.keys()
    for operation, anchors in OPERATIONS.items():
        assert [r["anchor"] for r in rows if r["operation"] == operation] == anchors
    for row in rows:
        assert figures_ok(row["anchor_figures"]), row
        assert figures_ok(row["ours_figures"]), row
        assert row["missing"] is None
        assert row["ratio"] > 0 and isinstance(row["met"], bool), row
        assert row["target"].startswith((">=", "<="))


def test_slow_anchors_are_estimated_from_a_sample(outcome: dict[str, Any]) -> None:
    estimated = {r["anchor"] for r in outcome["rows"] if r["anchor_figures"]["estimated"]}
    assert estimated == {"check-jsonschema", "DeepDiff"}


def test_scaling_series_cover_each_tool(outcome: dict[str, Any]) -> None:
    series = [(s["series"], s["work"]) for s in outcome["scaling"]]
    assert series == [
        ("validate", "30 scans"),
        ("migrate", "30 v3 scans"),
        ("diff", "25 changed scans"),
        ("diff", "30 changed scans"),
        ("log", "3 revisions"),
        ("log", "6 revisions"),
        ("stats", "history of 7 commits"),
    ]
    assert all(figures_ok(s["figures"]) for s in outcome["scaling"])


def test_the_cached_v3_corpus_is_untouched_by_the_migrations(outcome: dict[str, Any]) -> None:
    v3 = Path(outcome["corpora"][0]["path"]) / "v3"
    assert git(v3, "status", "--porcelain").stdout == ""
    assert {p.parent.parent.name for p in v3.glob("scans/*/*/*.json")} == {"v3"}
    assert outcome["machine"]["cores"] >= 1


def test_the_cached_statistics_row_reads_the_cache_its_warm_up_filled(
    outcome: dict[str, Any],
) -> None:
    [cold, cached] = [r for r in outcome["rows"] if r["operation"].startswith("whole-history")]
    assert "--no-cache" in cold["ours"] and "--no-cache" not in cached["ours"]
    assert cached["target"] == "<= 1x"
    # the cache went into a clone in the scratch space, not into the shared corpus
    corpus = Path(outcome["corpora"][0]["path"])
    assert not list((corpus / "repo" / ".git" / CACHE_DIR).glob("readings-*"))


def test_every_timed_command_runs_once_untimed_first(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    prepared = tmp_path / "prepared"
    command = Command(python(f"open({str(runs)!r}, 'a').write('run\\n')"), tmp_path)

    def prepare() -> None:
        with prepared.open("a") as stream:
            stream.write("x")

    subject = Subject("counted", "counted", command, prepare=prepare)
    runner = Runner(lambda text: None)
    runner.measure([subject, subject], 2)
    assert runs.read_text().splitlines() == ["run"] * 3  # one warm-up, two timed
    assert prepared.read_text() == "xxx"  # every run, the warm-up too, is prepared
    assert len(runner.figures["counted"].seconds) == 2


def test_no_scaling_prints_no_series_table(tmp_path: Path) -> None:
    done = run_tool(
        "bench",
        "--quick",
        "--only",
        "log",
        "--no-scaling",
        "--cache",
        str(tmp_path / "corpora"),
        "-o",
        str(tmp_path / "bench.json"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "| operation |" in done.stdout
    assert "| series |" not in done.stdout
    assert "\n\n\n" not in done.stdout
    assert json.loads((tmp_path / "bench.json").read_text())["scaling"] == []


def test_a_corpus_is_built_once_and_then_reused(tmp_path: Path) -> None:
    spec = CorpusSpec(5, 2)
    # what a build killed half-way leaves (no process has this pid: it is beyond pid_max)
    stale = tmp_path / f".{spec.name}-{spec.digest()}.partial-99999999"
    (stale / "repo").mkdir(parents=True)
    first, built = ensure_corpus(tmp_path, spec)
    again, built_again = ensure_corpus(tmp_path, spec)
    assert (built, built_again) == (True, False)
    assert again.root == first.root
    assert len(first.commits) == 3
    assert git(first.repo, "rev-parse", "HEAD").stdout.strip() == first.commits[-1]
    assert git(first.v3, "rev-parse", "HEAD").stdout.strip() == first.commits[0]
    assert git(first.v3, "rev-list", "--all").stdout.split() == [first.commits[0]]
    assert first.hot_path in git(first.repo, "show", "--name-only", first.commits[2]).stdout
    other, _ = ensure_corpus(tmp_path, CorpusSpec(5, 3))
    assert other.root != first.root
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.root.name, other.root.name])


def test_a_linked_copy_leaves_its_source_alone(tmp_path: Path) -> None:
    corpus, _ = ensure_corpus(tmp_path / "cache", CorpusSpec(4, 2))
    copy = tmp_path / "copy"
    linked_copy(corpus.v3, copy)
    done = run_tool("migrate", "--to", "4", cwd=copy)
    assert done.returncode == 0, done.stderr
    assert git(corpus.v3, "status", "--porcelain").stdout == ""
    assert len(list(copy.glob("scans/v4/*/*.json"))) == 4
    assert len(list(corpus.v3.glob("scans/v3/*/*.json"))) == 4


def python(code: str) -> tuple[str, ...]:
    return (sys.executable, "-c", code)


def test_a_command_reports_its_own_peak_memory_not_the_benchmarks(tmp_path: Path) -> None:
    held = bytearray(300_000_000)  # this process is large; the small command must not look so
    small = run_command(Command(python("pass"), tmp_path))
    large = run_command(
        Command(python("b = bytearray(150_000_000); b[::4096] = b'x' * len(b[::4096])"), tmp_path)
    )
    assert small.peak_bytes < 100_000_000
    assert large.peak_bytes > 150_000_000
    assert held[0] == 0


def test_worker_processes_count_towards_peak_memory(tmp_path: Path) -> None:
    code = (
        "import subprocess, sys\n"
        'child = \'b = bytearray(120_000_000); b[::4096] = b"x" * len(b[::4096]); '
        "import time; time.sleep(0.5)'\n"
        "ps = [subprocess.Popen([sys.executable, '-c', child]) for _ in range(2)]\n"
        "[p.wait() for p in ps]\n"
    )
    assert run_command(Command(python(code), tmp_path)).peak_bytes > 240_000_000


def test_an_unexpected_exit_code_is_an_error_naming_the_command(tmp_path: Path) -> None:
    command = Command(python("import sys; sys.stderr.write('went wrong'); sys.exit(3)"), tmp_path)
    with pytest.raises(CommandFailedError, match="exited 3: went wrong"):
        run_command(command)
    assert run_command(Command(command.argv, tmp_path, ok=(3,))).seconds > 0


def test_a_linear_estimate_scales_the_per_unit_cost() -> None:
    base = [Sample(1.0, 10), Sample(1.2, 10)]
    sample = [Sample(2.0, 20), Sample(2.2, 30)]
    # 10 units cost 1.0 s more than 1 unit: 1,000 units cost 1.0 + 999 / 9 * 1.0 seconds
    estimate = linear_estimate(base, sample, (1, 10), 1000)
    assert estimate.seconds == pytest.approx((1 + 999 / 9, 1.2 + 999 / 9))
    assert estimate.estimated and estimate.peak == 30


def test_a_sample_faster_than_its_base_estimates_its_own_time_never_a_negative_one() -> None:
    # seen on a busy machine: DeepDiff's 1-pair base run took longer than its sample
    base = [Sample(0.50, 10), Sample(0.30, 10)]
    sample = [Sample(0.45, 20), Sample(0.40, 20)]
    estimate = linear_estimate(base, sample, (1, 10), 1000)
    assert estimate.seconds == pytest.approx((0.45, 0.30 + 0.10 * 999 / 9))


def test_the_quick_run_is_in_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools/bench --quick" in ci


def test_only_measures_the_named_operations_and_builds_only_their_corpora(
    tmp_path: Path,
) -> None:
    other = CorpusSpec(40, 2)  # only the scaling series would need it
    sizes = Sizes(**{**TINY.__dict__, "scaling": (TINY_CORPUS, other)})
    report = benchmark(
        sizes, tmp_path, lambda text: None, only=("validate", "log"), scaling=False
    ).report
    assert [r["operation"] for r in report["rows"]] == [
        "validate 30 scans",
        "validate 30 scans",
        "log of one paper over 6 revisions",
    ]
    assert report["scaling"] == []
    assert [c["scans"] for c in report["corpora"]] == [30]
    assert not list(tmp_path.glob(f"{other.name}-*"))
