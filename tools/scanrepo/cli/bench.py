"""tools/bench: our tools and the tools a user would otherwise use, timed side by side."""

from __future__ import annotations

import compileall
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from scanrepo.bench.corpora import Corpus, CorpusSpec, ensure_corpus
from scanrepo.bench.report import Results, describe_machine, machine, scaling_table, table
from scanrepo.bench.suite import FULL, QUICK, TOOLS, Plan, Runner, Workspace, scratch_space
from scanrepo.cli.common import EXIT_OK, ArgumentParser, emit, run

RESULTS_DIR = TOOLS.parent / "bench-results"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/bench",
        description="Time validate, diff, log and migrate on generated corpora against the "
        "tools a user would otherwise use (check-jsonschema, git, DeepDiff) and the least-work "
        "floors, in one run; print the table of ratios and write every figure as JSON. "
        "Exit 0 when the run completed (a missed target is reported, not an error).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tiny corpus and one repetition: proves the benchmark works, in seconds",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=RESULTS_DIR / "bench.json",
        metavar="FILE",
        help="where to write the JSON results (default: bench-results/bench.json)",
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        metavar="N",
        help="runs of each command (default: 3; 1 with --quick)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=RESULTS_DIR / "corpora",
        metavar="DIR",
        help="where generated corpora are kept and reused (default: bench-results/corpora)",
    )
    return parser


def _progress(text: str) -> None:
    emit(text, sys.stderr)
    sys.stderr.flush()


def _build(cache: Path, specs: Sequence[CorpusSpec]) -> tuple[dict[CorpusSpec, Corpus], float]:
    corpora: dict[CorpusSpec, Corpus] = {}
    spent = 0.0
    for spec in specs:
        start = time.perf_counter()
        corpora[spec], built = ensure_corpus(cache, spec)
        took = time.perf_counter() - start
        spent += took
        verb = f"built in {took:.0f} s" if built else "cached"
        _progress(f"corpus {spec.scans:,} scans, {spec.commits} commits: {verb}")
    return corpora, spent


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repetitions is not None:
        if args.repetitions < 1:
            build_parser().error("--repetitions must be at least 1")
        sizes = replace(sizes, repetitions=args.repetitions)
    started = time.perf_counter()
    # as in a normal checkout, our modules are byte-compiled before the first timed run
    compileall.compile_dir(TOOLS / "scanrepo", quiet=1)
    corpora, build_seconds = _build(args.cache, sizes.corpora)
    measure_start = time.perf_counter()
    with scratch_space(args.cache) as scratch:
        plan = Plan(sizes, Workspace(corpora, scratch))
        operations = plan.operations()
        points = plan.points()
        runner = Runner(sizes.repetitions, _progress)
        for op in operations:
            _progress(op.title)
            runner.measure([s for s in (op.ours, *(a.subject for a in op.anchors)) if s])
        _progress("scaling")
        runner.measure([p.subject for p in points if p.subject])
    finished = time.perf_counter()
    results = Results(runner.figures)
    info = machine()
    report = {
        "machine": info,
        "quick": args.quick,
        "repetitions": sizes.repetitions,
        "build_s": round(build_seconds, 1),
        "measure_s": round(finished - measure_start, 1),
        "total_s": round(finished - started, 1),
        "rows": results.rows(operations),
        "scaling": results.series(points),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    emit(table(operations, results))
    emit("")
    emit(scaling_table(points, results))
    emit("")
    emit(
        f"{describe_machine(info)}; {sizes.repetitions} run(s) each, median (min–max); "  # noqa: RUF001
        f"corpora {build_seconds:.0f} s, measuring {finished - measure_start:.0f} s, "
        f"total {finished - started:.0f} s; figures in {args.output}"
    )
    return EXIT_OK


def entry() -> None:
    raise SystemExit(run(main))
