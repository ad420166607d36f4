"""tools/bench: our tools and the tools a user would otherwise use, timed side by side."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from scanrepo.bench.results import describe_machine, scaling_table, table
from scanrepo.bench.run import benchmark
from scanrepo.bench.suite import FULL, OPERATIONS, QUICK, TOOLS
from scanrepo.cli.common import EXIT_OK, ArgumentParser, emit, positive_int, run

RESULTS_DIR = TOOLS.parent / "bench-results"


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/bench",
        description="Time validate, diff, log, migrate and add on generated corpora against the "
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
        "--only",
        action="append",
        choices=OPERATIONS,
        default=[],
        metavar="NAME",
        help="measure only this operation and its scaling series; repeatable "
        f"({', '.join(OPERATIONS)}; default: all). The corpora it needs are built, no others",
    )
    parser.add_argument(
        "--no-scaling",
        action="store_true",
        help="measure the table's rows only, not the scaling series",
    )
    parser.add_argument(
        "--repetitions",
        type=positive_int,
        metavar="N",
        help="timed runs of each command, after an untimed one (default: 3; 1 with --quick)",
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repetitions is not None:
        sizes = replace(sizes, repetitions=args.repetitions)
    outcome = benchmark(sizes, args.cache, _progress, only=args.only, scaling=not args.no_scaling)
    report = {"quick": args.quick, **outcome.report}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    emit(table(outcome.operations, outcome.results))
    emit("")
    if outcome.points:
        emit(scaling_table(outcome.points, outcome.results))
        emit("")
    emit(
        f"{describe_machine(report['machine'])}; {sizes.repetitions} run(s) of each command, "
        f"median (min-max); corpora {report['build_s']:.0f} s, measuring "
        f"{report['measure_s']:.0f} s, total {report['total_s']:.0f} s; figures in {args.output}"
    )
    return EXIT_OK


def entry() -> None:
    raise SystemExit(run(main))
