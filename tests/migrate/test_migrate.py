"""tools/migrate on real temporary git repositories: moves, history, refusals, interruptions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, V3_FIXTURE, V4_FIXTURE, canonical, fixture_doc, git, put, run_tool
from scanrepo.cli.common import run
from scanrepo.cli.migrate import main as migrate_main
from scanrepo.cli.validate import main as validate_main
from scanrepo.fs.atomic import TMP_MARK
from scanrepo.fs.lock import exclusive
from scanrepo.migrate.migrator import Migrator
from scanrepo.migrate.plan import plan_migration
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR, Toolkit

REAL = "2602.07852"
V3_REAL = f"scans/v3/2602/{REAL}.json"
V4_REAL = f"scans/v4/2602/{REAL}.json"


def v3_path(arxiv: str) -> str:
    return f"scans/v3/{arxiv[:4]}/{arxiv}.json"


def v4_path(arxiv: str) -> str:
    return f"scans/v4/{arxiv[:4]}/{arxiv}.json"


def scan(version: int, arxiv: str, **changes: Any) -> bytes:
    """The real scan as paper ``arxiv``, in v3 or v4 form; v3 changes apply to its paper."""
    doc = fixture_doc(version)
    doc["paper"]["arxiv" if version == 3 else "arxiv_id"] = arxiv
    doc["paper"].update(changes)
    return canonical(doc)


def commit_all(repo: Path, message: str = "scans") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def files_below(repo: Path) -> dict[str, bytes]:
    """Every file below scans/, hidden ones included, with its bytes."""
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted((repo / "scans").rglob("*"))
        if p.is_file()
    }


def migrate(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.chdir(repo)
    return run(migrate_main, list(args))


def validate(repo: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(repo)
    return run(validate_main, [])


def output(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


def status(repo: Path) -> list[str]:
    return git(repo, "status", "--porcelain", "--untracked-files=all").stdout.splitlines()


@pytest.fixture
def corpus(repo: Path) -> Path:
    """The real scan in v3, four more v3 papers committed in two commits, one v4 paper."""
    put(repo, V3_REAL, V3_FIXTURE.read_bytes())
    put(repo, v3_path("2603.00001"), scan(3, "2603.00001"))
    put(repo, v3_path("2603.00002"), scan(3, "2603.00002"))
    commit_all(repo, "first scans")
    put(repo, v3_path("2603.00001"), scan(3, "2603.00001", venue="NeurIPS 2026"))
    put(repo, v3_path("2604.00003"), scan(3, "2604.00003"))
    put(repo, v3_path("2604.00004"), scan(3, "2604.00004"))
    put(repo, v4_path("2605.00005"), scan(4, "2605.00005"))
    commit_all(repo, "more scans")
    return repo


V3_PAPERS = (REAL, "2603.00001", "2603.00002", "2604.00003", "2604.00004")


# --- as a new user would ----------------------------------------------------------------


def test_dry_run_migrate_validate_commit(corpus: Path) -> None:
    before = files_below(corpus)
    dry = run_tool("migrate", "--to", "4", "--dry-run", cwd=corpus)
    assert dry.returncode == 0, dry.stderr
    assert f"would migrate {V3_REAL} -> {V4_REAL} (v3→v4)" in dry.stdout
    assert "5 would be migrated (v3→v4: 5), 1 already at v4, 0 failed" in dry.stdout
    assert files_below(corpus) == before and status(corpus) == []

    done = run_tool("migrate", "--to", "4", cwd=corpus)
    assert done.returncode == 0, done.stderr
    assert "done: 5 migrated (v3→v4: 5), 1 already at v4, 0 failed" in done.stdout
    assert "--commit" in done.stdout  # says how to keep git log --follow working
    after = files_below(corpus)
    assert sorted(after) == sorted(v4_path(p) for p in (*V3_PAPERS, "2605.00005"))
    assert after[V4_REAL] == V4_FIXTURE.read_bytes()  # the golden pair, through the tool
    assert after[v4_path("2605.00005")] == before[v4_path("2605.00005")]
    assert not (corpus / "scans/v3").exists()
    # staged as git mv stages a move: the old path gone from the index, the new one in it
    assert sorted(status(corpus)) == sorted(
        [f"D  {v3_path(p)}" for p in V3_PAPERS if p != REAL]
        + [f"D  {V3_REAL}"]
        + [f"A  {v4_path(p)}" for p in V3_PAPERS]
    )

    validated = run_tool("validate", cwd=corpus)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "6 scans checked (v4: 6): no problems" in validated.stdout
    git(corpus, "commit", "-qm", "migrate")
    assert status(corpus) == []

    again = run_tool("migrate", "--to", "4", "--check", cwd=corpus)
    assert again.returncode == 0
    assert "all 6 scans are at v4" in again.stdout


def test_commit_gives_a_history_plain_git_log_follow_traces(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(corpus, v3_path("2606.00006"), scan(3, "2606.00006"))  # untracked: no history to keep
    assert migrate(corpus, monkeypatch, "--to", "4", "--check") == 1
    assert f"{v3_path('2603.00001')}: at v3, not v4" in output(capsys)

    assert migrate(corpus, monkeypatch, "--to", "4", "--commit") == 0
    out = output(capsys)
    assert "(the pure moves, then the rewrite)" in out
    assert "1 scan not tracked by git: migrated, left untracked" in out
    subjects = git(corpus, "log", "--format=%s").stdout.splitlines()
    assert subjects[:2] == [
        "Migrate 5 scans to v4 (v3→v4, step 2 of 2)",
        "Move 5 scans to scans/v4/ (migration v3→v4, step 1 of 2)",
    ]
    moves = git(corpus, "diff", "--name-status", "-M100%", "HEAD~2", "HEAD~1").stdout
    assert sorted(moves.splitlines()) == sorted(
        f"R100\t{v3_path(p)}\t{v4_path(p)}" for p in V3_PAPERS
    )
    followed = git(
        corpus, "log", "--follow", "--format=%s", "--", v4_path("2603.00001")
    ).stdout.splitlines()
    assert followed == [subjects[0], subjects[1], "more scans", "first scans"]
    assert status(corpus) == [f"?? {v4_path('2606.00006')}"]

    head = git(corpus, "rev-parse", "HEAD").stdout
    assert migrate(corpus, monkeypatch, "--to", "4", "--commit") == 0
    assert "nothing to do: all 7 scans are already at v4" in output(capsys)
    assert git(corpus, "rev-parse", "HEAD").stdout == head
    assert migrate(corpus, monkeypatch, "--to", "4", "--check") == 0
    assert "all 7 scans are at v4" in output(capsys)


def test_commit_after_a_plain_run_still_splits_the_history(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(corpus, monkeypatch, "--to", "4") == 0
    assert migrate(corpus, monkeypatch, "--to", "4") == 0
    assert "(5 staged moves not yet committed)" in output(capsys)
    assert migrate(corpus, monkeypatch, "--to", "4", "--commit") == 0
    followed = git(corpus, "log", "--follow", "--format=%s", "--", V4_REAL).stdout.splitlines()
    assert followed[-1] == "first scans" and len(followed) == 3


def test_a_commit_interrupted_after_the_move_is_finished(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The state a run killed between its two commits leaves: HEAD has the pure move."""
    git(corpus, "mv", "scans/v3/2602", "scans/v4/2602")
    git(corpus, "commit", "-qm", "move by hand")
    put(corpus, V4_REAL, V4_FIXTURE.read_bytes())
    assert migrate(corpus, monkeypatch, "--to", "4", "--commit", REAL) == 0
    assert "(the rewrite)" in output(capsys)
    assert git(corpus, "log", "-1", "--format=%s").stdout.strip() == (
        "Migrate 1 scan to v4 (step 2 of 2)"
    )
    assert git(corpus, "show", f"HEAD:{V4_REAL}").stdout.encode() == V4_FIXTURE.read_bytes()
    assert status(corpus) == []


def test_commit_refuses_when_other_changes_are_staged(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(corpus, "notes.md", "draft\n")
    git(corpus, "add", "notes.md")
    before = files_below(corpus)
    assert migrate(corpus, monkeypatch, "--to", "4", "--commit") == 1
    assert "other changes are staged: notes.md" in output(capsys)
    assert files_below(corpus) == before


def test_uncommitted_edits_are_refused_unless_forced(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = v3_path("2603.00002")
    put(corpus, edited, scan(3, "2603.00002", venue="edited, not committed"))
    before = files_below(corpus)
    assert migrate(corpus, monkeypatch, "--to", "4") == 1
    out = output(capsys)
    assert f"1 scan to migrate has uncommitted changes: {edited}" in out
    assert "--force" in out and "nothing was written" in out
    assert files_below(corpus) == before
    assert migrate(corpus, monkeypatch, "--to", "4", "--force") == 0
    migrated = json.loads((corpus / v4_path("2603.00002")).read_text(encoding="utf-8"))
    assert migrated["paper"]["venue"] == "edited, not committed"


# --- all or nothing ---------------------------------------------------------------------


def test_any_failure_writes_nothing_and_every_failure_is_reported(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(240):  # enough to run in worker processes
        put(repo, v3_path(f"2607.{i:05d}"), scan(3, f"2607.{i:05d}"))
    bad = fixture_doc(3)
    bad["paper"]["arxiv"] = "2607.00010"
    bad["checklist"]["artifacts"]["code_released"]["answer"] = "maybe"
    put(repo, v3_path("2607.00010"), canonical(bad))
    put(repo, v3_path("2607.00020"), scan(3, "2607.00020", type=7))
    before = files_below(repo)
    assert migrate(repo, monkeypatch, "--to", "4", "--jobs", "2") == 1
    lines = output(capsys).splitlines()
    assert any(
        ln.startswith(f"{v3_path('2607.00010')}:")
        and "$.checklist.artifacts.code_released.answer: 'maybe' is not one of" in ln
        for ln in lines
    ), lines
    assert any(
        ln.startswith(f"{v3_path('2607.00020')}:") and "$.paper.type" in ln for ln in lines
    ), lines
    assert (
        lines[-1]
        == "refused: 0 migrated (238 were ready), 0 already at v4, 2 failed; nothing was written"
    )
    assert files_below(repo) == before
    assert os.listdir(repo / ".git/objects/pack") == []  # no temporary pack left either


def test_worker_processes_store_the_new_blobs_in_packs_git_reads(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = 230  # enough to run in worker processes
    for i in range(count):
        put(repo, v3_path(f"2607.{i:05d}"), scan(3, f"2607.{i:05d}"))
    commit_all(repo)
    git(repo, "gc", "-q")  # the committed objects packed: what is loose afterwards is new
    assert "count: 0\n" in git(repo, "count-objects", "-v").stdout

    assert migrate(repo, monkeypatch, "--to", "4", "--jobs", "2") == 0

    counts = git(repo, "count-objects", "-v").stdout
    assert "count: 0\n" in counts  # git update-index found every new blob stored
    packs = [n for n in os.listdir(repo / ".git/objects/pack") if n.endswith(".pack")]
    assert 2 <= len(packs) <= 3  # git gc's, and one or two of the workers'
    assert not [n for n in os.listdir(repo / ".git/objects/pack") if n.startswith("tmp_")]
    staged = git(repo, "ls-files", "--stage", "--", "scans/v4").stdout.splitlines()
    assert len(staged) == count
    new = scan(4, "2607.00007")
    oid = (
        subprocess.run(
            ["git", "hash-object", "--stdin"], cwd=repo, input=new, capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    assert f"{oid} 0\t{v4_path('2607.00007')}" in "\n".join(staged)
    shown = subprocess.run(["git", "cat-file", "blob", oid], cwd=repo, capture_output=True)
    assert shown.stdout == new
    assert git(repo, "fsck", "--strict", "--no-dangling").returncode == 0


def _v3_with_a_section_twice(arxiv: str) -> bytes:
    text = scan(3, arxiv).decode()
    section = '    "artifacts": {'
    return text.replace(section, '    "artifacts": {},\n' + section, 1).encode()


def _v3_with_an_unknown_key(arxiv: str) -> bytes:
    doc = json.loads(scan(3, arxiv))
    doc["checklist"]["artifacts"]["code_released"]["confidence"] = "high"
    return canonical(doc)


def _v3_with_a_bad_answer(arxiv: str) -> bytes:
    doc = json.loads(scan(3, arxiv))
    doc["checklist"]["artifacts"]["code_released"]["answer"] = "partly"
    return canonical(doc)


def _v2_scan(arxiv: str) -> bytes:
    doc = json.loads(scan(3, arxiv))
    doc["scan_version"] = 2
    return canonical(doc)


@pytest.mark.parametrize(
    ("relpath", "make", "expected"),
    [
        (
            v3_path("2608.00001"),
            _v3_with_a_bad_answer,
            "$.checklist.artifacts.code_released.answer: 'partly' is not one of",
        ),
        (
            v3_path("2608.00001"),
            _v3_with_an_unknown_key,
            "$.checklist.artifacts.code_released: Additional properties are not allowed",
        ),
        (v3_path("2608.00001"), _v3_with_a_section_twice, '$.checklist: duplicate key "artifacts"'),
        (
            "scans/v2/2608/2608.00001.json",
            _v2_scan,
            "$.scan_version: unknown scan_version 2: schemas exist for versions 3, 4",
        ),
    ],
)
def test_bad_input_is_refused_with_file_line_and_path(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    relpath: str,
    make: Any,
    expected: str,
) -> None:
    put(repo, V3_REAL, V3_FIXTURE.read_bytes())
    put(repo, relpath, make("2608.00001"))
    before = files_below(repo)
    assert migrate(repo, monkeypatch, "--to", "4") == 1
    first = output(capsys).splitlines()[0]
    assert first.startswith(f"{relpath}:") and expected in first, first
    assert first.split(":")[1].isdigit()  # a line number
    assert files_below(repo) == before


def test_a_v4_item_answered_where_it_does_not_apply_cannot_go_down(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc(4)
    item = doc["type_checklist"]["empirical"]["artifacts"]["code_released"]
    item["applies"], item["answer"] = False, True
    put(repo, V4_REAL, canonical(doc))
    assert migrate(repo, monkeypatch, "--to", "3") == 1
    first = output(capsys).splitlines()[0]
    assert first.startswith(f"{V4_REAL}:")
    assert "$.type_checklist.empirical.artifacts.code_released.answer" in first
    assert (repo / V4_REAL).read_bytes() == canonical(doc)


def test_a_version_with_no_path_to_the_target_is_refused(tmp_path: Path, repo: Path) -> None:
    schemas = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, schemas)
    v2 = json.loads((schemas / "v3.json").read_text(encoding="utf-8"))
    v2["properties"]["scan_version"] = {"const": 2}
    (schemas / "v2.json").write_text(json.dumps(v2), encoding="utf-8")
    put(repo, "scans/v2/2608/2608.00001.json", _v2_scan("2608.00001"))
    plan = plan_migration(repo, Migrator.load(Toolkit(schemas, MIGRATIONS_DIR), 4))
    [problem] = plan.problems
    assert problem.path == "$.scan_version"
    assert "no migration path from v2 to v4: v2 is not in the chain (v3, v4)" in problem.message


def test_a_target_no_schema_defines_is_a_usage_error(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(corpus, monkeypatch, "--to", "7") == 2
    assert (
        "error: no schema defines scan version 7 (there is no schema/v7.json); known versions: 3, 4"
    ) in output(capsys)
    with pytest.raises(SystemExit) as usage:
        migrate(corpus, monkeypatch, "--to", "four")
    assert usage.value.code == 2
    assert "'four' is not a scan version (e.g. 4 or v4)" in output(capsys)


# --- interruptions ----------------------------------------------------------------------


def test_a_failed_write_changes_nothing_and_a_rerun_finishes(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(corpus, "scans/v4/2604", "a file where the shard directory must go")
    before = files_below(corpus)
    assert migrate(corpus, monkeypatch, "--to", "4") == 1
    out = output(capsys)
    assert "failed: scans/v4/2604/2604.00003.json: cannot write" in out
    assert "nothing was changed" in out
    assert files_below(corpus) == before  # every byte, and no temporary file
    assert not (corpus / "scans/v4/2602").exists() and not (corpus / "scans/v4/2603").exists()
    assert status(corpus) == ["?? scans/v4/2604"]

    (corpus / "scans/v4/2604").unlink()
    assert migrate(corpus, monkeypatch, "--to", "4") == 0
    assert "5 migrated" in output(capsys)
    assert validate(corpus, monkeypatch) == 0


def test_a_run_killed_between_writing_and_removing_is_finished(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(corpus, V4_REAL, V4_FIXTURE.read_bytes())  # new written, old not yet removed
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = f"scans/v4/2603/.2603.00001.json{TMP_MARK}{dead.pid}"
    put(corpus, leftover, b'{"scan_version": 4')
    assert validate(corpus, monkeypatch) == 1
    validated = output(capsys)
    assert (
        f"{V3_REAL}: $: two scans of paper {REAL}: {V3_REAL} and {V4_REAL}; {V4_REAL} is exactly "
        "the migration of the other, as an interrupted tools/migrate --to 4 leaves them: run it "
        "again to finish"
    ) in validated
    assert f"{leftover}: $: temporary file left by an interrupted write" in validated

    assert migrate(corpus, monkeypatch, "--to", "4", "--dry-run") == 0
    out = output(capsys)
    assert f"would remove {V3_REAL}: the same scan is already at {V4_REAL}" in out
    assert "would remove" in out and leftover in out
    assert migrate(corpus, monkeypatch, "--to", "4") == 0
    out = output(capsys)
    assert "removed 1 temporary file(s)" in out
    assert "4 migrated (v3→v4: 4), 1 finished, 1 already at v4, 0 failed" in out
    assert not (corpus / leftover).exists() and not (corpus / V3_REAL).exists()
    assert f"A  {V4_REAL}" in status(corpus) and f"D  {V3_REAL}" in status(corpus)
    assert validate(corpus, monkeypatch) == 0


def test_two_different_scans_of_one_paper_are_refused(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc(4)
    doc["key_findings"] = "rescanned"
    put(corpus, V4_REAL, canonical(doc))
    before = files_below(corpus)
    assert migrate(corpus, monkeypatch, "--to", "4") == 1
    out = output(capsys)
    assert f"{V3_REAL}: $: paper {REAL} has more than one scan (also {V4_REAL})" in out
    assert "not the same scan at v4" in out
    assert files_below(corpus) == before


def test_a_second_run_waits_for_the_first(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = corpus / ".git" / "scanrepo-migrate.lock"
    before = files_below(corpus)
    with exclusive(lock, "tools/migrate"):
        assert migrate(corpus, monkeypatch, "--to", "4") == 1
    assert f"refused: another tools/migrate is running (pid {os.getpid()})" in output(capsys)
    assert files_below(corpus) == before
    assert not lock.exists()
    assert migrate(corpus, monkeypatch, "--to", "4") == 0
    assert not lock.exists()


# --- files ------------------------------------------------------------------------------


def test_the_file_mode_is_kept_and_symlinks_are_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(repo, V3_REAL, V3_FIXTURE.read_bytes()).chmod(0o640)
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (repo / "scans/v4").symlink_to(elsewhere)
    assert migrate(repo, monkeypatch, "--to", "4") == 1
    assert "scans/v4 is a symbolic link; refusing to write through it" in output(capsys)
    assert list(elsewhere.iterdir()) == []
    (repo / "scans/v4").unlink()
    assert migrate(repo, monkeypatch, "--to", "4") == 0
    assert (repo / V4_REAL).stat().st_mode & 0o777 == 0o640


def test_only_the_named_papers_move(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(corpus, monkeypatch, "--to", "4", "2603.00001", v3_path("2604.00003")) == 0
    assert "2 migrated (v3→v4: 2), 0 already at v4" in output(capsys)
    assert (corpus / v4_path("2603.00001")).exists() and (corpus / v4_path("2604.00003")).exists()
    assert (corpus / v3_path("2603.00002")).exists() and (corpus / V3_REAL).exists()
    assert migrate(corpus, monkeypatch, "--to", "4", str(V3_FIXTURE)) == 2
    assert "not a scan below scans/" in output(capsys)


def test_down_and_up_again_gives_the_same_bytes_outside_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(tmp_path, V4_REAL, V4_FIXTURE.read_bytes())
    put(tmp_path, v4_path("2605.00005"), scan(4, "2605.00005"))
    before = files_below(tmp_path)
    assert migrate(tmp_path, monkeypatch, "--to", "3") == 0
    assert "not in a git repository: the files were moved, nothing was staged" in output(capsys)
    assert (tmp_path / V3_REAL).read_bytes() == V3_FIXTURE.read_bytes()
    assert migrate(tmp_path, monkeypatch, "--to", "v4") == 0
    assert files_below(tmp_path) == before
    assert migrate(tmp_path, monkeypatch, "--to", "4", "--commit") == 2
    assert "--commit needs a git repository" in output(capsys)


# --- the next version needs a schema and a migration, nothing else -----------------------

TOY_MIGRATION = '''"""Rename hn_data to hacker_news (a toy step, for the tests only)."""

from __future__ import annotations

import copy
from typing import Any

from scanrepo.errors import MigrationError

FROM_VERSION = 4
TO_VERSION = 5


def _renamed(scan: dict[str, Any], old: str, new: str, version: int) -> dict[str, Any]:
    if old not in scan:
        raise MigrationError((old,), "missing")
    out = {new if key == old else key: copy.deepcopy(value) for key, value in scan.items()}
    out["scan_version"] = version
    return out


def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    return _renamed(scan, "hn_data", "hacker_news", 5)


def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    return _renamed(scan, "hacker_news", "hn_data", 4)
'''


def _toy_v5_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / "v4.json").read_text(encoding="utf-8"))
    schema["$id"] = "urn:scanrepo:schema:v5"
    schema["required"] = ["hacker_news" if k == "hn_data" else k for k in schema["required"]]
    schema["properties"] = {
        "hacker_news" if k == "hn_data" else k: v for k, v in schema["properties"].items()
    }
    schema["properties"]["scan_version"] = {"const": 5}
    return schema


def test_a_new_version_needs_only_a_schema_and_a_migration(tmp_path: Path, corpus: Path) -> None:
    tools = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", ".*_cache")
    for folder in ("tools", "schema", "migrations"):
        shutil.copytree(ROOT / folder, tools / folder, ignore=ignore, symlinks=True)
    (tools / "schema/v5.json").write_text(json.dumps(_toy_v5_schema()), encoding="utf-8")
    (tools / "migrations/v4_to_v5.py").write_text(TOY_MIGRATION, encoding="utf-8")

    def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(tools / "tools" / name), *args],
            cwd=corpus,
            capture_output=True,
            text=True,
        )

    done = tool("migrate", "--to", "5", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 migrated (v3→v5: 5, v4→v5: 1), 0 already at v5, 0 failed" in done.stdout
    assert sorted(files_below(corpus)) == sorted(
        f"scans/v5/{p[:4]}/{p}.json" for p in (*V3_PAPERS, "2605.00005")
    )
    upgraded = json.loads((corpus / f"scans/v5/2602/{REAL}.json").read_text(encoding="utf-8"))
    assert upgraded["scan_version"] == 5 and "hacker_news" in upgraded
    validated = tool("validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "6 scans checked (v5: 6): no problems" in validated.stdout
    followed = git(corpus, "log", "--follow", "--format=%s", "--", f"scans/v5/2602/{REAL}.json")
    assert followed.stdout.splitlines()[-1] == "first scans"

    back = tool("migrate", "--to", "3")
    assert back.returncode == 0, back.stdout + back.stderr
    assert (corpus / V3_REAL).read_bytes() == V3_FIXTURE.read_bytes()


def test_a_git_failure_after_writing_is_finished_by_a_rerun(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / ".git/index.lock").write_text("")  # as a crashed git command leaves it
    assert migrate(corpus, monkeypatch, "--to", "4") == 1
    out = output(capsys)
    assert "index.lock" in out
    assert "the scans are migrated in the work tree but git is not up to date" in out
    assert (corpus / V4_REAL).exists() and not (corpus / V3_REAL).exists()
    (corpus / ".git/index.lock").unlink()
    assert migrate(corpus, monkeypatch, "--to", "4") == 0
    assert "staged 5 moves in git" in output(capsys)
    assert f"A  {V4_REAL}" in status(corpus) and f"D  {V3_REAL}" in status(corpus)
