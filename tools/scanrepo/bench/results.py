"""The benchmark's results: the machine, the table of ratios, the scaling series, the JSON file."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from scanrepo.bench.measure import Figures
from scanrepo.bench.suite import Operation, Point, Subject


def machine() -> dict[str, Any]:
    cpu = ""
    memory = 0
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        if m := re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE):
            cpu = m[1].strip()
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        if m := re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE):
            memory = int(m[1]) * 1024
    except OSError:
        pass
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "load_average": _load(),
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory_bytes": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "git": git.removeprefix("git version "),
    }


def _load() -> list[float]:
    """The 1, 5 and 15 minute load averages: other work on the machine shows up here."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except (OSError, ValueError):
        return []


def describe_machine(info: dict[str, Any]) -> str:
    memory = (
        f"{info['memory_bytes'] / 2**30:.0f} GiB RAM" if info["memory_bytes"] else "RAM unknown"
    )
    return (
        f"{info['cores']} cores ({info['cpu'] or 'CPU unknown'}), {memory}, {info['system']}, "
        f"Python {info['python']}, git {info['git']}"
    )


def _seconds(f: Figures) -> str:
    def one(s: float) -> str:
        return f"{s:.3f}" if s < 1 else f"{s:.2f}" if s < 100 else f"{s:.0f}"

    spread = f" ({one(f.low)}–{one(f.high)})" if len(f.seconds) > 1 else ""  # noqa: RUF001
    return f"{one(f.median)} s{spread}{' est.' if f.estimated else ''}"


def _megabytes(f: Figures) -> str:
    return f"{f.peak / 2**20:.0f} MB"


class Results:
    def __init__(self, figures: dict[str, Figures]) -> None:
        self.figures = figures

    def of(self, subject: Subject | None) -> Figures | None:
        return None if subject is None else self.figures.get(subject.key)

    def rows(self, operations: list[Operation]) -> list[dict[str, Any]]:
        rows = []
        for op in operations:
            ours = self.of(op.ours)
            for anchor in op.anchors:
                theirs = self.of(anchor.subject)
                row: dict[str, Any] = {
                    "operation": op.title,
                    "ours": op.ours.command.shell_text(),
                    "ours_figures": ours.to_json() if ours else None,
                    "anchor": anchor.label,
                    "anchor_command": anchor.subject.command.shell_text()
                    if anchor.subject
                    else None,
                    "anchor_figures": theirs.to_json() if theirs else None,
                    "target": anchor.target.describe(),
                    "ratio": None,
                    "met": None,
                    "missing": None if anchor.subject else f"{anchor.label} is not installed",
                }
                if ours and theirs:
                    row["ratio"] = round(anchor.target.ratio(ours.median, theirs.median), 3)
                    row["met"] = anchor.target.met(ours.median, theirs.median)
                rows.append(row)
        return rows

    def series(self, points: list[Point]) -> list[dict[str, Any]]:
        out = []
        for point in points:
            f = self.of(point.subject)
            out.append(
                {
                    "series": point.series,
                    "work": point.work,
                    "corpus_scans": point.corpus_scans,
                    "command": point.subject.command.shell_text(),
                    "figures": f.to_json() if f else None,
                }
            )
        return out


def table(operations: list[Operation], results: Results) -> str:
    lines = [
        "| operation | ours | peak | anchor | anchor time | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for op in operations:
        ours = results.of(op.ours)
        for i, anchor in enumerate(op.anchors):
            theirs = results.of(anchor.subject)
            first = i == 0
            cells = [
                op.title if first else "",
                _seconds(ours) if ours and first else "",
                _megabytes(ours) if ours and first else "",
                anchor.label,
                _seconds(theirs) if theirs else "not installed",
                "",
                anchor.target.describe(),
                "",
            ]
            if ours and theirs:
                ratio = anchor.target.ratio(ours.median, theirs.median)
                cells[5] = (
                    f"{ratio:.1f}x faster" if anchor.target.kind == "faster" else f"{ratio:.2f}x"
                )
                cells[7] = "yes" if anchor.target.met(ours.median, theirs.median) else "**no**"
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def scaling_table(points: list[Point], results: Results) -> str:
    lines = [
        "| series | work | corpus | time | peak | runs |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for point in points:
        f = results.of(point.subject)
        lines.append(
            f"| {point.series} | {point.work} | {point.corpus_scans:,} scans | "
            f"{_seconds(f) if f else 'pending'} | {_megabytes(f) if f else ''} | "
            f"{len(f.seconds) if f else ''} |"
        )
    return "\n".join(lines)
