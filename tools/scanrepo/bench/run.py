"""One benchmark run: build or reuse the corpora, measure every operation and series."""

from __future__ import annotations

import compileall
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanrepo.bench.results import Results, machine
from scanrepo.bench.suite import (
    TOOLS,
    Operation,
    Plan,
    Point,
    Runner,
    Sizes,
    Workspace,
    scratch_space,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    operations: list[Operation]
    points: list[Point]
    results: Results
    report: dict[str, Any]  # everything, for the JSON file


def benchmark(
    sizes: Sizes,
    cache: Path,
    progress: Progress,
    *,
    only: Collection[str] = (),
    scaling: bool = True,
) -> Outcome:
    """Measure every operation (or those named in ``only``) and, with ``scaling``, their
    scaling series."""
    started = time.perf_counter()
    load_before = machine()["load_average"]
    # as in a normal checkout, our modules are byte-compiled before the first timed run
    compileall.compile_dir(TOOLS / "scanrepo", quiet=1)
    with scratch_space(cache) as scratch:
        space = Workspace(cache, scratch, progress)
        plan = Plan(sizes, space)
        operations = plan.operations(only)
        points = plan.points(only) if scaling else []
        runner = Runner(progress)
        for op in operations:
            progress(op.title)
            subjects = [op.ours, *(a.subject for a in op.anchors if a.subject)]
            runner.measure(subjects, sizes.repetitions)
        progress("scaling")
        for large in (False, True):
            runner.measure(
                [p.subject for p in points if (p.corpus_scans > sizes.main.scans) == large],
                sizes.large_repetitions if large else sizes.repetitions,
            )
    finished = time.perf_counter()
    corpora = space.corpora
    build_seconds = space.build_seconds
    results = Results(runner.figures)
    report = {
        "machine": machine(),
        "load_average_before": load_before,
        "repetitions": sizes.repetitions,
        "large_corpus_repetitions": sizes.large_repetitions,
        "corpora": [
            {"scans": s.scans, "commits": s.commits, "path": str(corpora[s].root)}
            for s in sizes.corpora
            if s in corpora
        ],
        "build_s": round(build_seconds, 1),
        "measure_s": round(finished - started - build_seconds, 1),
        "total_s": round(finished - started, 1),
        "rows": results.rows(operations),
        "scaling": results.series(points),
    }
    return Outcome(operations, points, results, report)
