"""Timing one command as a subprocess: wall time, exit code, and peak memory of its processes.

Memory is the larger of two figures: the peak resident set of the largest single process (from
``os.wait4``, exact) and the peak of the sum over the whole process tree, sampled from /proc
every few milliseconds (worker processes count; pages they share count in each). A command
starts from a small launcher, which times it and reports its ``wait4`` figures.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanrepo.errors import CommandFailedError

SAMPLE_EVERY = 0.05  # seconds; a /proc scan costs about 2 ms, so this takes ~4% of one core
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SHOWN_ARGS = 8
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes there, KiB on Linux


@dataclass(frozen=True)
class Command:
    """One process to run: its arguments, directory, standard input (a file) and environment."""

    argv: tuple[str, ...]
    cwd: Path
    stdin: Path | None = None
    env: Mapping[str, str] | None = None
    ok: tuple[int, ...] = (0,)  # the exit codes of a normal run

    def shell_text(self) -> str:
        """The command as a shell line, with a long list of files shortened."""
        shown = [_quote(a) for a in self.argv[:SHOWN_ARGS]]
        if len(self.argv) > SHOWN_ARGS:
            shown.append(f"... ({len(self.argv) - SHOWN_ARGS} more arguments)")
        return " ".join(shown) + (f" < {self.stdin.name}" if self.stdin else "")


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_./=:~^," for c in arg) else repr(arg)


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_bytes: int
    cpu_seconds: float = 0.0  # user + system time of the command and the processes it waited for


def _tree_rss(root: int) -> int:
    """Resident bytes of the descendants of ``root``, from one pass over /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    try:
        entries = os.scandir("/proc")
    except OSError:
        return 0
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    data = stat.read()
            except OSError:
                continue  # the process ended meanwhile
            # the command name may hold spaces and parentheses: fields start after the last ')'
            fields = data[data.rindex(b")") + 2 :].split()
            pid = int(entry.name)
            children[int(fields[1])].append(pid)
            rss[pid] = int(fields[21]) * _PAGE
    total, stack = 0, list(children.get(root, ()))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


class _TreeSampler(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY):
            self.peak = max(self.peak, _tree_rss(self.root))


# Started by a small interpreter, not by this process: Linux counts the memory of the process
# that forked a command into the command's peak (exec records it), so a command forked from a
# benchmark holding a large corpus in memory would report that corpus as its own peak.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print(seconds, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_command(command: Command) -> Sample:
    """Run ``command`` with its output discarded; refuse an unexpected exit code.

    The time is taken by the launcher around the command alone, not the launcher's start-up.
    """
    env = dict(os.environ if command.env is None else command.env)
    with (
        open(command.stdin or os.devnull, "rb") as stdin,
        tempfile.TemporaryFile() as errors,
    ):
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, *command.argv],
            cwd=command.cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        sampler = _TreeSampler(launcher.pid)
        sampler.start()
        report, _ = launcher.communicate()
        sampler.done.set()
        sampler.join()
        try:
            seconds_text, cpu_text, maxrss, code = report.split()
        except ValueError:
            code = b"?"
        if launcher.returncode != 0 or int(code) not in command.ok:
            errors.seek(0)
            tail = errors.read()[-2000:].decode(errors="replace").strip()
            raise CommandFailedError(
                f"{command.shell_text()} (in {command.cwd}) exited {code.decode()}: {tail}"
            )
    peak = max(sampler.peak, int(maxrss) * _MAXRSS_UNIT)
    return Sample(float(seconds_text), peak, float(cpu_text))


@dataclass(frozen=True)
class Figures:
    """Several repetitions of one measurement: the median and the spread."""

    seconds: tuple[float, ...]
    peaks: tuple[int, ...]
    estimated: bool = False  # scaled up from a sample, not measured at full size
    cpu_seconds: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def low(self) -> float:
        return min(self.seconds)

    @property
    def high(self) -> float:
        return max(self.seconds)

    @property
    def peak(self) -> int:
        return max(self.peaks)

    def to_json(self) -> dict[str, object]:
        return {
            "median_s": round(self.median, 4),
            "min_s": round(self.low, 4),
            "max_s": round(self.high, 4),
            "runs_s": [round(s, 4) for s in self.seconds],
            "cpu_s": [round(s, 3) for s in self.cpu_seconds],
            "peak_rss_bytes": self.peak,
            "estimated": self.estimated,
        }


def linear_estimate(
    base: Sequence[Sample], sample: Sequence[Sample], units: tuple[int, int], full: int
) -> Figures:
    """Per repetition: base time plus the cost per unit (sample minus base) times the units left.

    For anchors too slow to run at full size: ``base`` does ``units[0]`` units of work (its
    start-up and fixed costs), ``sample`` does ``units[1]``; the estimate is for ``full`` units.
    """
    low, high = units
    # On a busy machine the sample can finish sooner than the base: no cost per unit can be
    # told then, and the sample's own time is the estimate (never a negative one).
    seconds = tuple(
        b.seconds + (s.seconds - b.seconds) * (full - low) / (high - low)
        if s.seconds > b.seconds
        else s.seconds
        for b, s in zip(base, sample, strict=True)
    )
    return Figures(seconds, tuple(s.peak_bytes for s in sample), estimated=True)


def figures_of(samples: Sequence[Sample]) -> Figures:
    return Figures(
        tuple(s.seconds for s in samples),
        tuple(s.peak_bytes for s in samples),
        cpu_seconds=tuple(s.cpu_seconds for s in samples),
    )
