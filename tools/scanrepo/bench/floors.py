"""The least-work passes our tools are measured against, each run as its own process.

``python -m scanrepo.bench.floors NAME ...``:

- ``parse LIST JOBS``: read and strictly parse every file named in LIST (one path a line), in
  JOBS processes: what any validator must do before it checks anything.
- ``rewrite LIST OUT JOBS``: parse every file and write its canonical form under OUT, in JOBS
  processes: what any migration must do besides the migration itself.
- ``rewrite-lines OUT JOBS``: the same for JSON Lines on standard input (one scan a line), each
  written at its place in the scan layout under OUT: what adding a scanner's output must do.
- ``deepdiff REPO A B SAMPLE``: read the scans commit B changed since A (one ``git cat-file
  --batch``), parse both sides, and compare SAMPLE pairs with DeepDiff.
- ``range-blobs REPO RANGE``: one ``git log --raw`` of the commits of RANGE over scans/ and
  the blobs on both sides of what they changed, each read once by one ``git cat-file --batch``:
  the least work of a semantic log of those commits.
- ``history-blobs REPO``: one ``git log --raw`` over scans/ and every distinct blob it names
  read once, by one ``git cat-file --batch``: the least work of whole-history statistics.

Only the standard library and scanrepo.format's strict parser, canonical form and paper keys
are imported up front, so start-up costs what a small tool's start-up costs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.keys import scan_path
from scanrepo.format.strictjson import parse_strict

CHUNK = 64
T = TypeVar("T")


def _chunks(items: Sequence[T]) -> list[Sequence[T]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _parse_chunk(paths: Sequence[str]) -> int:
    for path in paths:
        parse_strict(Path(path).read_bytes())
    return len(paths)


def _write_canonical(target: Path, scan: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(canonical_bytes(scan))


def _rewrite_chunk(job: tuple[str, Sequence[str]]) -> int:
    out, paths = job
    for path in paths:
        _write_canonical(Path(out, path), parse_strict(Path(path).read_bytes()))
    return len(paths)


def _rewrite_lines_chunk(job: tuple[str, Sequence[bytes]]) -> int:
    out, lines = job
    for line in lines:
        scan = parse_strict(line)
        _write_canonical(Path(out, scan_path(scan, scan["scan_version"])), scan)
    return len(lines)


def _listed(list_file: str) -> list[str]:
    return Path(list_file).read_text(encoding="utf-8").split("\n")[:-1]


def parse(list_file: str, jobs: str) -> None:
    paths = _listed(list_file)
    with ProcessPoolExecutor(int(jobs)) as pool:
        assert sum(pool.map(_parse_chunk, _chunks(paths))) == len(paths)


def rewrite(list_file: str, out: str, jobs: str) -> None:
    paths = _listed(list_file)
    with ProcessPoolExecutor(int(jobs)) as pool:
        done = pool.map(_rewrite_chunk, [(out, chunk) for chunk in _chunks(paths)])
        assert sum(done) == len(paths)


def rewrite_lines(out: str, jobs: str) -> None:
    lines = [line for line in sys.stdin.buffer.read().splitlines() if line.strip()]
    with ProcessPoolExecutor(int(jobs)) as pool:
        done = pool.map(_rewrite_lines_chunk, [(out, chunk) for chunk in _chunks(lines)])
        assert sum(done) == len(lines)


def _git(repo: str, *args: str) -> bytes:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True).stdout


def _read_blobs(repo: str, ids: Sequence[str]) -> Iterator[bytes]:
    """The contents of ``ids``, in order, from one ``git cat-file --batch``."""
    with tempfile.TemporaryFile() as requests:
        # from a file, not a pipe: git answers while it reads, and both pipes could fill up
        requests.write("".join(f"{i}\n" for i in ids).encode())
        requests.seek(0)
        process = subprocess.Popen(
            ["git", "-C", repo, "cat-file", "--batch"], stdin=requests, stdout=subprocess.PIPE
        )
        assert process.stdout is not None
        for _ in ids:
            size = int(process.stdout.readline().split()[2])
            yield process.stdout.read(size)
            process.stdout.read(1)
        process.stdout.close()
        if process.wait() != 0:
            raise SystemExit(f"git cat-file --batch failed in {repo}")


def _modified_pairs(repo: str, old: str, new: str) -> list[tuple[str, str]]:
    records = _git(repo, "diff-tree", "-r", "--no-renames", old, new, "--", "scans/").decode()
    pairs = []
    for line in records.splitlines():
        meta = line.split("\t", 1)[0].split()
        if meta[4] == "M":
            pairs.append((meta[2], meta[3]))
    return pairs


def deepdiff(repo: str, old: str, new: str, sample: str) -> None:
    import json

    from deepdiff import DeepDiff

    pairs = _modified_pairs(repo, old, new)
    blobs = list(_read_blobs(repo, [blob for pair in pairs for blob in pair]))
    docs = [json.loads(blob) for blob in blobs]
    for i in range(int(sample)):
        DeepDiff(docs[2 * i], docs[2 * i + 1])


def history_blobs(repo: str) -> None:
    log = _git(repo, "log", "--raw", "--no-abbrev", "--no-renames", "--format=", "--", "scans/")
    seen: dict[str, None] = {}
    for line in log.decode().splitlines():
        blob = line.split("\t", 1)[0].split()[3]
        if blob.strip("0"):
            seen[blob] = None
    total = sum(len(data) for data in _read_blobs(repo, list(seen)))
    print(f"{len(seen)} blobs, {total} bytes")


def range_blobs(repo: str, span: str) -> None:
    log = _git(
        repo, "log", "--raw", "--no-abbrev", "--no-renames", "--format=", span, "--", "scans/"
    )
    seen: dict[str, None] = {}
    for line in log.decode().splitlines():
        for blob in line.split("\t", 1)[0].split()[2:4]:
            if blob.strip("0"):
                seen[blob] = None
    total = sum(len(data) for data in _read_blobs(repo, list(seen)))
    print(f"{len(seen)} blobs, {total} bytes")


COMMANDS: dict[str, Callable[..., None]] = {
    "parse": parse,
    "rewrite": rewrite,
    "rewrite-lines": rewrite_lines,
    "deepdiff": deepdiff,
    "history-blobs": history_blobs,
    "range-blobs": range_blobs,
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(
            f"usage: python -m scanrepo.bench.floors {{{','.join(COMMANDS)}}} ...", file=sys.stderr
        )
        return 2
    COMMANDS[argv[0]](*argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
