"""Two runs at once: a second tools/migrate refuses clearly while the first holds the lock,
nothing is interleaved, and the lock never outlives the run that took it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, TOOLS
from scanrepo.errors import LockedError
from scanrepo.fs.lock import exclusive
from toolruns import init_repo, scans_of, v3_corpus, validate

CORPUS = 40
QUICK_ROUNDS, LONG_ROUNDS = 1, 20
REFUSAL = re.compile(r"refused: another tools/migrate is running \(pid (\d+)\)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A committed repository of v3 scans, and what tools/migrate --to 4 makes of it."""
    repo = init_repo(tmp_path_factory.mktemp("concurrency") / "template")
    return repo, v3_corpus(repo, 7, CORPUS)


def test_two_runs_at_once_one_refuses_and_nothing_interleaves(
    corpus: tuple[Path, dict[str, bytes]], tmp_path: Path, hardening_long: bool
) -> None:
    template, expected = corpus
    rounds = LONG_ROUNDS if hardening_long else QUICK_ROUNDS
    for round_number in range(rounds):
        repo = tmp_path / f"round{round_number}"
        shutil.copytree(template, repo, symlinks=True)
        command = [sys.executable, str(TOOLS / "migrate"), "--to", "4", "--jobs", "1"]
        runs = [
            subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        results = [(run.pid, *run.communicate(timeout=120), run.returncode) for run in runs]
        codes = sorted(code for *_, code in results)
        done = [out for _, out, _, code in results if code == 0 and b"done: " in out]
        assert len(done) == 1, results  # exactly one of them migrated
        assert codes in ([0, 0], [0, 1]), results
        for pid, out, err, code in results:
            assert b"Traceback" not in err
            if code == 1:  # refused, naming the run that holds the lock, having written nothing
                refusal = REFUSAL.search(err.decode())
                assert refusal, err
                assert int(refusal[1]) in {other for other, *_ in results if other != pid}
                assert b"nothing was written" in err
            elif b"done: " not in out:
                assert b"nothing to do" in out  # it came after the first had finished
        assert scans_of(repo) == expected
        validate(repo).assert_clean(0)


def test_the_lock_dies_with_its_holder_though_a_forked_child_lives(tmp_path: Path) -> None:
    """The lock taken by a process that forked a child (as the worker pools do) is free the
    moment that process dies, although the child lives on with the open lock file."""
    lock = tmp_path / "scanrepo-migrate.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys, time\n"
            f"sys.path.insert(0, {str(ROOT / 'tools')!r})\n"
            "from scanrepo.fs.lock import exclusive\n"
            f"with exclusive(__import__('pathlib').Path({str(lock)!r}), 'tools/migrate'):\n"
            "    child = os.fork()\n"
            "    if child == 0:\n"
            "        time.sleep(60)\n"
            "        os._exit(0)\n"
            "    print(child, flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        with (
            pytest.raises(LockedError, match=rf"pid {holder.pid}\)"),
            exclusive(lock, "tools/migrate"),
        ):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        os.kill(child, 0)  # the forked child still runs, holding its copy of the file
        deadline = time.monotonic() + 5
        while True:
            try:
                with exclusive(lock, "tools/migrate"):
                    break
            except LockedError:
                assert time.monotonic() < deadline, "the lock outlived its holder"
                time.sleep(0.05)
    finally:
        os.kill(child, signal.SIGKILL)
        holder.kill()
        holder.wait()
        holder.stdout.close()
