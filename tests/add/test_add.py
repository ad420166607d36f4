"""tools/add on real temporary git repositories, run as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import (
    DATA,
    TOOLS,
    V3_FIXTURE,
    V4_FIXTURE,
    canonical,
    clone_of_tools,
    fixture_doc,
    git,
    put,
    run_tool,
)
from scanrepo.fs.lock import exclusive
from scanrepo.fs.workers import PARALLEL_THRESHOLD
from scanrepo.migrate.migrator import Migrator
from scanrepo.toolkit import Toolkit

KEY = "2602.07852"
V3_PATH = f"scans/v3/2602/{KEY}.json"
V4_PATH = f"scans/v4/2602/{KEY}.json"
FLIPPED = "answer  checklist.claims_and_evidence.abstract_claims_supported  yes → no"


def add(repo: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """tools/add run in ``repo`` as a separate process, fed ``stdin``."""
    done = subprocess.run(
        [sys.executable, str(TOOLS / "add"), *args],
        cwd=repo,
        input=stdin or b"",
        capture_output=True,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def scan(arxiv: str = KEY, version: int = 4, flip: bool = False) -> dict[str, Any]:
    """The real scan as paper ``arxiv``; ``flip`` turns its first answer from yes to no."""
    doc = fixture_doc(version)
    doc["paper"]["arxiv_id" if version == 4 else "arxiv"] = arxiv
    if flip:
        doc["checklist"]["claims_and_evidence"]["abstract_claims_supported"]["answer"] = False
    return doc


def compact(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def write_input(tmp_path: Path, name: str, data: bytes) -> Path:
    return put(tmp_path / "inputs", name, data)


def staged(repo: Path) -> list[str]:
    out = git(repo, "diff", "--cached", "--name-status", "--no-renames").stdout
    return sorted(out.splitlines())


def scan_files(repo: Path) -> list[str]:
    return sorted(
        p.relative_to(repo).as_posix() for p in (repo / "scans").rglob("*") if p.is_file()
    )


def v4_of_v3_fixture() -> bytes:
    migrated = Migrator.load(Toolkit(), 4).migrated_bytes(V3_FIXTURE.read_bytes())
    assert migrated is not None
    return migrated


def committed(repo: Path, relpath: str, data: bytes) -> None:
    put(repo, relpath, data)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")


# --- inputs ------------------------------------------------------------------------------


def test_a_v3_file_lands_migrated_at_v4_in_canonical_form_and_staged(
    repo: Path, tmp_path: Path
) -> None:
    source = write_input(tmp_path, "reviewer.json", compact(fixture_doc(3)))
    before = (source.read_bytes(), source.stat().st_mtime_ns)

    result = add(repo, str(source))

    assert result.returncode == 0, result.stderr
    assert f"added: {source} -> {V4_PATH}" in result.stdout
    assert (repo / V4_PATH).read_bytes() == v4_of_v3_fixture()
    assert scan_files(repo) == [V4_PATH]
    assert staged(repo) == [f"A\t{V4_PATH}"]
    assert run_tool("validate", cwd=repo).returncode == 0
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before  # the input is untouched


def test_a_directory_adds_its_json_files_recursively(repo: Path, tmp_path: Path) -> None:
    write_input(tmp_path, "a.json", compact(scan("2601.00001")))
    write_input(tmp_path, "deep/er/b.json", canonical(scan("2601.00002", version=3)))
    write_input(tmp_path, "notes.txt", b"not a scan")

    result = add(repo, str(tmp_path / "inputs"))

    assert result.returncode == 0, result.stderr
    assert scan_files(repo) == ["scans/v4/2601/2601.00001.json", "scans/v4/2601/2601.00002.json"]
    assert len(staged(repo)) == 2


def test_standard_input_holds_one_scan_or_json_lines(repo: Path) -> None:
    one = add(repo, "-", stdin=canonical(scan("2601.00001")))
    assert one.returncode == 0, one.stderr
    assert "added: <stdin> -> scans/v4/2601/2601.00001.json" in one.stdout

    lines = b"\n".join(compact(scan(f"2601.0001{i}", version=3 + i % 2)) for i in range(3))
    many = add(repo, "-", stdin=lines + b"\n")
    assert many.returncode == 0, many.stderr
    for i in range(3):
        assert f"added: <stdin>:{i + 1} -> scans/v4/2601/2601.0001{i}.json" in many.stdout
    assert len(scan_files(repo)) == 4
    assert len(staged(repo)) == 4


# --- rescans -----------------------------------------------------------------------------


def test_a_rescan_is_refused_without_rescan_and_replaces_with_it(
    repo: Path, tmp_path: Path
) -> None:
    committed(repo, V3_PATH, V3_FIXTURE.read_bytes())
    source = write_input(tmp_path, "rescan.json", compact(scan(flip=True)))
    before = (source.read_bytes(), source.stat().st_mtime_ns)

    refused = add(repo, str(source))
    assert refused.returncode == 1
    assert f"{source}: $: paper {KEY} already has a scan ({V3_PATH}); pass --rescan" in (
        refused.stdout
    )
    assert scan_files(repo) == [V3_PATH]
    assert staged(repo) == []

    done = add(repo, "--rescan", str(source))
    assert done.returncode == 0, done.stderr
    assert f"rescanned: {source} -> {V4_PATH} (replaces {V3_PATH})" in done.stdout
    assert FLIPPED in done.stdout  # the semantic diff, as tools/diff words it
    assert scan_files(repo) == [V4_PATH]
    assert (repo / V4_PATH).read_bytes() == canonical(scan(flip=True))
    assert staged(repo) == [f"A\t{V4_PATH}", f"D\t{V3_PATH}"]  # what git mv + rewrite stage
    assert (source.read_bytes(), source.stat().st_mtime_ns) == before


def test_a_scan_equal_in_meaning_is_unchanged_and_nothing_is_written(
    repo: Path, tmp_path: Path
) -> None:
    committed(repo, V4_PATH, V4_FIXTURE.read_bytes())
    mtime = (repo / V4_PATH).stat().st_mtime_ns
    source = write_input(tmp_path, "again.json", compact(fixture_doc(3)))  # same, as v3

    result = add(repo, str(source))

    assert result.returncode == 0, result.stderr
    assert f"unchanged: {source}: {V4_PATH} already holds this scan" in result.stdout
    assert (repo / V4_PATH).stat().st_mtime_ns == mtime
    assert staged(repo) == []
    assert git(repo, "status", "--porcelain").stdout == ""


def test_a_rerun_finishes_what_a_killed_rescan_left(repo: Path, tmp_path: Path) -> None:
    committed(repo, V3_PATH, V3_FIXTURE.read_bytes())
    source = write_input(tmp_path, "rescan.json", compact(scan(flip=True)))
    put(repo, V4_PATH, canonical(scan(flip=True)))  # killed after the rename, before the removal

    result = add(repo, "--rescan", str(source))

    assert result.returncode == 0, result.stderr
    assert scan_files(repo) == [V4_PATH]
    assert staged(repo) == [f"A\t{V4_PATH}", f"D\t{V3_PATH}"]
    assert run_tool("validate", cwd=repo).returncode == 0


def test_a_rerun_stages_what_a_killed_add_wrote(repo: Path, tmp_path: Path) -> None:
    source = write_input(tmp_path, "new.json", compact(fixture_doc(4)))
    put(repo, V4_PATH, V4_FIXTURE.read_bytes())  # killed after writing, before staging

    result = add(repo, str(source))

    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout
    assert staged(repo) == [f"A\t{V4_PATH}"]


def test_the_same_paper_twice_in_one_batch_is_refused_naming_both(
    repo: Path, tmp_path: Path
) -> None:
    first = write_input(tmp_path, "one.json", compact(scan()))
    second = write_input(tmp_path, "two.json", compact(scan(version=3)))

    result = add(repo, str(first), str(second))

    assert result.returncode == 1
    assert f"paper {KEY} is in more than one input: {first}, {second}" in result.stdout
    assert scan_files(repo) == []


# --- all or nothing ----------------------------------------------------------------------


def test_all_or_nothing_by_default_and_the_good_ones_with_keep_going(
    repo: Path, tmp_path: Path
) -> None:
    good = write_input(tmp_path, "good.json", compact(scan("2601.00001")))
    bad_doc = scan("2601.00002")
    bad_doc["paper"]["year"] = "2026"
    bad = write_input(tmp_path, "bad.json", canonical(bad_doc))

    refused = add(repo, str(good), str(bad))
    assert refused.returncode == 1
    assert re.search(rf"^{re.escape(str(bad))}:\d+:\d+: \$\.paper\.year: ", refused.stdout, re.M)
    assert refused.stderr == "refused: 1 of 2 inputs (1 was ready); nothing was written\n"
    assert scan_files(repo) == []
    assert staged(repo) == []

    kept = add(repo, "--keep-going", str(good), str(bad))
    assert kept.returncode == 1
    assert f"added: {good} -> scans/v4/2601/2601.00001.json" in kept.stdout
    assert f"{bad}:" in kept.stdout
    assert scan_files(repo) == ["scans/v4/2601/2601.00001.json"]
    assert staged(repo) == ["A\tscans/v4/2601/2601.00001.json"]


def test_dry_run_writes_nothing(repo: Path, tmp_path: Path) -> None:
    source = write_input(tmp_path, "new.json", compact(scan()))

    result = add(repo, "--dry-run", str(source))

    assert result.returncode == 0, result.stderr
    assert f"would add: {source} -> {V4_PATH}" in result.stdout
    assert scan_files(repo) == []
    assert staged(repo) == []


def test_json_report_lists_each_outcome_with_input_and_path(repo: Path, tmp_path: Path) -> None:
    committed(repo, V4_PATH, V4_FIXTURE.read_bytes())
    same = write_input(tmp_path, "same.json", V4_FIXTURE.read_bytes())
    new = write_input(tmp_path, "new.json", compact(scan("2601.00001")))

    result = add(repo, "--format", "json", str(same), str(new))

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] == [{"input": str(new), "path": "scans/v4/2601/2601.00001.json"}]
    assert report["unchanged"] == [{"input": str(same), "path": V4_PATH}]
    assert report["rescanned"] == [] and report["refused"] == []


def test_commit_makes_one_commit_through_the_hook(repo: Path, tmp_path: Path) -> None:
    clone_of_tools(repo)
    assert run_tool("setup-git", cwd=repo).returncode == 0
    git(repo, "add", "tools", "schema", "migrations")
    git(repo, "commit", "-qm", "tools")
    source = write_input(tmp_path, "new.json", compact(scan()))

    result = add(repo, "--commit", "-m", "Add the scan", str(source))

    assert result.returncode == 0, result.stderr
    assert git(repo, "log", "--format=%s").stdout.splitlines() == ["Add the scan", "tools"]
    assert git(repo, "show", "--name-status", "--format=").stdout.split() == ["A", V4_PATH]

    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho hook refused >&2\nexit 1\n")
    other = write_input(tmp_path, "other.json", compact(scan("2601.00001")))
    refused = add(repo, "--commit", "-m", "Another", str(other))
    assert refused.returncode == 1
    assert "hook refused" in refused.stderr
    assert len(git(repo, "log", "--format=%s").stdout.splitlines()) == 2


# --- bad input ---------------------------------------------------------------------------


def test_every_json_test_suite_n_file_is_one_error_with_line_and_column(repo: Path) -> None:
    files = sorted((DATA / "JSONTestSuite" / "test_parsing").glob("n_*.json"))
    assert len(files) > 150

    result = add(repo, *map(str, files))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(files)
    for file, line in zip(files, lines, strict=True):
        assert re.match(rf"{re.escape(str(file))}:\d+:\d+: \$", line), line
    assert scan_files(repo) == []
    assert staged(repo) == []


def test_a_bad_json_lines_line_is_named(repo: Path) -> None:
    stream = compact(scan("2601.00001")) + b'\n{"paper":\n' + compact(scan("2601.00002")) + b"\n"

    result = add(repo, "-", stdin=stream)

    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:2:10: $.paper: unexpected end of file")
    assert scan_files(repo) == []


def test_a_scan_without_a_paper_key_names_the_missing_fields(repo: Path, tmp_path: Path) -> None:
    doc = scan()
    doc["paper"].update(arxiv_id=None, doi=None, title=" ")
    source = write_input(tmp_path, "unnamed.json", compact(doc))

    result = add(repo, str(source))

    assert result.returncode == 1
    assert "$.paper.arxiv_id, $.paper.doi or $.paper.title" in result.stdout
    assert scan_files(repo) == []


def test_a_destination_that_is_a_symlink_or_a_directory_is_refused(
    repo: Path, tmp_path: Path
) -> None:
    source = write_input(tmp_path, "new.json", compact(scan()))
    outside = put(tmp_path, "outside.json", b"keep")
    (repo / V4_PATH).parent.mkdir(parents=True)
    (repo / V4_PATH).symlink_to(outside)

    linked = add(repo, str(source))
    assert linked.returncode == 1
    assert f"{V4_PATH} is a symbolic link; refusing to write through it" in linked.stdout
    assert outside.read_bytes() == b"keep"

    (repo / V4_PATH).unlink()
    (repo / V4_PATH).mkdir()
    directory = add(repo, str(source))
    assert directory.returncode == 1
    assert f"{V4_PATH} is a directory" in directory.stdout
    assert scan_files(repo) == []


def test_a_running_tools_migrate_holding_the_lock_makes_add_refuse(
    repo: Path, tmp_path: Path
) -> None:
    source = write_input(tmp_path, "new.json", compact(scan()))

    with exclusive(repo / ".git" / "scanrepo-migrate.lock", "tools/migrate"):
        result = add(repo, str(source))

    assert result.returncode == 1
    assert "is running" in result.stderr and "nothing was written" in result.stderr
    assert scan_files(repo) == []
    assert add(repo, str(source)).returncode == 0  # released, it runs


def test_usage_errors_exit_2(repo: Path) -> None:
    assert add(repo, "--commit", "x.json").returncode == 2
    assert add(repo, "--to", "99", "x.json").returncode == 2
    assert os.listdir(repo / "scans") == []


def test_a_batch_read_by_worker_processes_is_written_whole_or_not_at_all(repo: Path) -> None:
    count = PARALLEL_THRESHOLD + 1  # enough to go through worker processes
    stream = b"".join(compact(scan(f"2601.{i:05d}")) + b"\n" for i in range(count))

    refused = add(repo, "-", stdin=stream + b'{"scan_version": 4}\n')
    assert refused.returncode == 1
    assert f"refused: 1 of {count + 1} inputs ({count} were ready)" in refused.stderr
    assert list((repo / "scans").iterdir()) == []  # no temporary file, no new directory

    result = add(repo, "-", stdin=stream)

    assert result.returncode == 0, result.stderr
    assert f"done: {count} added" in result.stdout
    files = scan_files(repo)
    assert len(files) == count and len(staged(repo)) == count
    assert (repo / files[-1]).read_bytes() == canonical(scan(f"2601.{count - 1:05d}"))
    assert git(repo, "fsck", "--strict").returncode == 0  # the blobs the workers stored
    assert "count: 0\n" in git(repo, "count-objects", "-v").stdout  # in packs, none loose


def test_a_rescan_batch_in_worker_processes_tells_each_outcome(repo: Path) -> None:
    count = PARALLEL_THRESHOLD + 1
    for i in range(count):
        key = f"2601.{i:05d}"
        version = 3 if i % 3 == 1 else 4
        put(repo, f"scans/v{version}/2601/{key}.json", canonical(scan(key, version)))
    git(repo, "add", "scans")
    git(repo, "commit", "-qm", "corpus")
    # every third paper flipped, every third the same scan again (one third of them kept as
    # v3 files), every third the same in meaning as its v3 file
    stream = b"".join(compact(scan(f"2601.{i:05d}", flip=i % 3 == 0)) + b"\n" for i in range(count))

    result = add(repo, "--rescan", "-", stdin=stream)

    assert result.returncode == 0, result.stderr
    flipped, migrated, same = (len(range(r, count, 3)) for r in (0, 1, 2))
    rescanned = flipped + migrated  # a v3 file replaced by its v4 scan is a rescan too
    assert f"done: 0 added, {rescanned} rescanned, {same} unchanged, 0 refused" in result.stdout
    assert result.stdout.count(FLIPPED) == flipped
    assert "rescanned: <stdin>:2 -> scans/v4/2601/2601.00001.json (replaces " in result.stdout
    assert len(staged(repo)) == flipped + 2 * migrated  # each v3 file: added and removed
    assert (repo / "scans/v4/2601/2601.00000.json").read_bytes() == canonical(
        scan("2601.00000", flip=True)
    )


def test_a_rescan_is_compared_with_a_scan_lying_in_the_wrong_shard(
    repo: Path, tmp_path: Path
) -> None:
    misplaced = f"scans/v4/2601/{KEY}.json"
    committed(repo, misplaced, canonical(scan()))
    source = write_input(tmp_path, "rescan.json", compact(scan(flip=True)))

    result = add(repo, "--rescan", str(source))

    assert result.returncode == 0, result.stderr
    assert f"rescanned: {source} -> {V4_PATH} (replaces {misplaced})" in result.stdout
    assert FLIPPED in result.stdout
    assert scan_files(repo) == [V4_PATH]


def test_a_scan_already_in_scans_is_refused_and_kept(repo: Path) -> None:
    committed(repo, V3_PATH, V3_FIXTURE.read_bytes())

    result = add(repo, "--rescan", V3_PATH)

    assert result.returncode == 1
    assert f"{V3_PATH}: $: is already in scans/: tools/add takes scans from outside it" in (
        result.stdout
    )
    assert scan_files(repo) == [V3_PATH]
    assert (repo / V3_PATH).read_bytes() == V3_FIXTURE.read_bytes()


def test_killed_at_any_moment_a_rerun_finishes_and_nothing_is_half_written(
    repo: Path, tmp_path: Path
) -> None:
    count = 1200
    stream = tmp_path / "batch.jsonl"
    stream.write_bytes(b"".join(compact(scan(f"2601.{i:05d}")) + b"\n" for i in range(count)))
    with stream.open("rb") as stdin:
        running = subprocess.Popen(
            [sys.executable, str(TOOLS / "add"), "-"],
            cwd=repo,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(2.5)  # somewhere in reading, writing or staging
        running.kill()
        running.wait()

    with stream.open("rb") as stdin:
        rerun = add(repo, "-", stdin=stdin.read())

    assert rerun.returncode == 0, rerun.stderr
    assert len(scan_files(repo)) == count
    assert len(staged(repo)) == count
    validated = run_tool("validate", cwd=repo)
    assert validated.returncode == 0, validated.stdout  # no temporary file, every scan whole
