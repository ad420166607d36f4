"""Faults: tools/migrate killed with SIGKILL at random moments, a full disk, a failing write.

After a kill, running the same command again finishes the migration, tools/validate passes and
every paper holds exactly the chain's migration of its original scan. A write that fails leaves
every original file as it was. The kill loop runs a few kills by default and a hundred with
--hardening-long.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import TOOLS, canonical, git
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.testing import generate
from toolruns import commit_all, init_repo, migrate, scans_of, snapshot, v3_corpus, validate

CORPUS = 200  # papers: enough for worker processes and a write phase worth hitting
SEED = 20260
QUICK_KILLS, LONG_KILLS = 4, 100


def migrate_command() -> list[str]:
    return [sys.executable, str(TOOLS / "migrate"), "--to", "4"]


@pytest.fixture(scope="module")
def memory_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A directory in memory where there is one (/dev/shm): a killed process is no power cut,
    so fsync buys nothing here, and on a disk it would make up most of each run."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("kill")
        return
    path = Path(tempfile.mkdtemp(prefix="scanrepo-kill-", dir=shm))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def corpus(memory_dir: Path) -> tuple[Path, dict[str, bytes]]:
    """A committed repository of v3 scans, and what tools/migrate --to 4 must make of it."""
    repo = init_repo(memory_dir / "template")
    return repo, v3_corpus(repo, SEED, CORPUS)


def fresh_copy(template: Path, where: Path) -> Path:
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(template, where, symlinks=True)
    return where


def live_members(pgid: int) -> list[int]:
    """The processes of group ``pgid`` that have not exited (zombies have: init reaps them)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            state, _parent, group = stat.rsplit(")", 1)[1].split()[:3]
            if int(group) == pgid and state != "Z":
                found.append(int(entry.name))
    return found


def wait_for_group(pgid: int, timeout: float = 10.0) -> None:
    """Until every process of the killed run's group (workers, git) has exited."""
    deadline = time.monotonic() + timeout
    while survivors := live_members(pgid):
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)  # leave nothing behind, then fail
            raise AssertionError(f"processes outlived the killed run: {survivors}")
        time.sleep(0.01)


def count_files(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    return sum(len(os.listdir(shard)) for shard in directory.iterdir() if shard.is_dir())


Trigger = Callable[[int], bool]  # given the run's process id: kill it now?


def while_reading(repo: Path, rng: random.Random) -> Trigger:
    """While its worker processes read and migrate the scans."""
    return lambda pid: len(live_members(pid)) >= 2


def while_writing(repo: Path, rng: random.Random) -> Trigger:
    """Once a chosen number of new scans (or their temporary files) exist."""
    count = rng.randint(1, CORPUS)
    return lambda pid: count_files(repo / "scans" / "v4") >= count


def while_removing(repo: Path, rng: random.Random) -> Trigger:
    """Once a chosen number of old scans are gone (every new one is written by then)."""
    count = rng.randint(1, CORPUS - 1)
    return lambda pid: count_files(repo / "scans" / "v3") <= CORPUS - count


def while_staging(repo: Path, rng: random.Random) -> Trigger:
    """Once every old scan is gone, when only the git work is left (the killed tool's git
    command is left to finish)."""
    old = repo / "scans" / "v3"
    return lambda pid: not old.exists()


def at_any_moment(repo: Path, rng: random.Random) -> Trigger:
    """After a random delay: reading, migrating, writing, removing or staging."""
    moment = time.monotonic() + rng.uniform(0.05, 2.0)
    return lambda pid: time.monotonic() >= moment


PHASES = (while_reading, while_writing, while_removing, while_staging, at_any_moment)


def kill_during(repo: Path, trigger: Trigger, limit: float = 60) -> bool:
    """Start tools/migrate, SIGKILL it once ``trigger`` holds; whether it was still running."""
    process = subprocess.Popen(
        migrate_command(),
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + limit
    while process.poll() is None and not trigger(process.pid) and time.monotonic() < deadline:
        time.sleep(0.0005)
    alive = process.poll() is None
    if alive:
        process.send_signal(signal.SIGKILL)
    process.wait()
    wait_for_group(process.pid)
    return alive


def assert_finished(repo: Path, expected: dict[str, bytes]) -> None:
    """A rerun finishes; the result validates and is exactly the migration of the originals."""
    rerun = migrate(repo, "--to", "4")
    rerun.assert_clean(0)
    assert scans_of(repo) == expected
    validate(repo, "--jobs", "1").assert_clean(0)
    status = git(repo, "status", "--porcelain", "--no-renames", "--untracked-files=all")
    lines = status.stdout.splitlines()
    assert all(line[1] == " " for line in lines), lines[:5]  # everything staged
    assert len(lines) == 2 * len(expected)  # each paper: its v3 file gone, its v4 file added


def test_kill_9_at_any_moment_then_rerun_finishes(
    corpus: tuple[Path, dict[str, bytes]], memory_dir: Path, hardening_long: bool
) -> None:
    """Each round kills a run in one phase: the quick default once in each of the first four,
    the long mode cycling through all five with other random points. Every round then checks
    that no process of the run lives on and that a rerun finishes the job exactly."""
    template, expected = corpus
    rng = random.Random(SEED)
    kills = LONG_KILLS if hardening_long else QUICK_KILLS
    interrupted = []
    for round_number in range(kills):
        phase = PHASES[round_number % len(PHASES)]
        repo = fresh_copy(template, memory_dir / "repo")
        if kill_during(repo, phase(repo, rng)):
            interrupted.append(phase.__name__)
        assert_finished(repo, expected)
    assert {p.__name__ for p in PHASES[:QUICK_KILLS]} <= set(interrupted), interrupted


# --- failing writes ---------------------------------------------------------------------


def limited_file_size(limit: int) -> Callable[[], None]:
    """For a child process: writes past ``limit`` bytes fail with EFBIG (a real write error)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def small_repo(root: Path, count: int = 12) -> Path:
    repo = init_repo(root)
    v3_corpus(repo, SEED, count)
    return repo


def test_a_failing_write_leaves_every_original_untouched(tmp_path: Path) -> None:
    repo = small_repo(tmp_path / "repo")
    sizes = sorted(len(data) for data in scans_of(repo).values())
    before, index = snapshot(repo), git(repo, "ls-files", "--stage").stdout
    # some scans fit under the limit and are staged before a bigger one fails
    result = subprocess.run(
        migrate_command(),
        cwd=repo,
        capture_output=True,
        text=True,
        preexec_fn=limited_file_size(sizes[len(sizes) // 2]),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot write: File too large; nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before  # no new file, no temporary file, no empty directory
    assert git(repo, "ls-files", "--stage").stdout == index
    migrate(repo, "--to", "4").assert_clean(0)
    validate(repo).assert_clean(0)


def test_fix_format_that_cannot_write_changes_nothing(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    for doc in generate.corpus(SEED, 6, 4):
        path = repo / keys.scan_path(doc, 4)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(canonical(doc).replace(b"\n  ", b"\n    "))  # valid, not canonical
    before = snapshot(repo)
    result = subprocess.run(
        [sys.executable, str(TOOLS / "validate"), "--fix-format"],
        cwd=repo,
        capture_output=True,
        text=True,
        preexec_fn=limited_file_size(1000),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot write: File too large; no file was changed" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert snapshot(repo) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Path:
    """A 2 MiB tmpfs, or a skip where mounting one is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_every_original_untouched(small_disk: Path) -> None:
    repo = init_repo(small_disk / "repo")
    for doc in generate.corpus(SEED, 40, 3):
        path = repo / keys.scan_path(doc, 3)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(canonical_bytes(doc))
    commit_all(repo, "v3 scans")  # about 1.3 MiB of scans and objects: no room for a copy
    before, index = snapshot(repo), git(repo, "ls-files", "--stage").stdout
    outcome = migrate(repo, "--to", "4")
    outcome.assert_clean(1)
    assert "No space left on device; nothing was changed" in outcome.err
    assert snapshot(repo) == before
    assert git(repo, "ls-files", "--stage").stdout == index
