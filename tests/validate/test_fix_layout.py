"""tools/validate --fix-layout: misplaced scans moved where they belong, staged as git mv would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import canonical, fixture_doc, git, put, run_main, run_tool
from scanrepo.cli.common import writer_lock_path
from scanrepo.cli.validate import main as validate_main
from scanrepo.fs.lock import exclusive
from scanrepo.vcs.repo import GitRepo

GOOD = "scans/v4/2602/2602.07852.json"
WRONG_ID = "scans/v4/2602/2602.0785.json"


def scan(arxiv_id: str = "2602.07852", **paper: Any) -> bytes:
    doc = fixture_doc()
    doc["paper"].update(arxiv_id=arxiv_id, **paper)
    return canonical(doc)


def committed(repo: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        put(repo, rel, data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "scans")


def fix(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    return run_main(validate_main, repo, monkeypatch, capsys, "--fix-layout", *args)


def staged(repo: Path) -> list[str]:
    out = git(repo, "diff", "--cached", "-M", "--name-status").stdout
    return sorted(" ".join(line.split("\t")) for line in out.splitlines())


def files(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "scans").rglob("*.json"))


def test_corrected_arxiv_id_moves_the_file_staged_as_a_rename(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {WRONG_ID: scan("2602.0785")})
    put(repo, WRONG_ID, scan("2602.07852"))  # the id corrected, the file not renamed
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 0, out + err
    assert f"moved {WRONG_ID} -> {GOOD}" in out
    assert "1 moved, 1 staged" in out
    assert "1 scan checked (v4: 1): no problems" in out
    assert files(repo) == [GOOD]
    assert (repo / GOOD).read_bytes() == scan("2602.07852")
    assert [s.split()[0][0] + " " + " ".join(s.split()[1:]) for s in staged(repo)] == [
        f"R {WRONG_ID} {GOOD}"
    ]
    code, out, _ = fix(repo, monkeypatch, capsys)  # idempotent
    assert code == 0
    assert "nothing to fix: all 1 scans are where they belong" in out
    assert run_tool("validate", cwd=repo).returncode == 0


def test_corrected_id_after_git_mv_to_a_wrong_place_finishes_the_move(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {WRONG_ID: scan("2602.0785")})
    git(repo, "mv", WRONG_ID, "scans/2602.07852.json")
    put(repo, "scans/2602.07852.json", scan("2602.07852"))
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 0, out + err
    assert f"moved scans/2602.07852.json -> {GOOD}" in out
    assert files(repo) == [GOOD]
    assert [s.split()[0][0] + " " + " ".join(s.split()[1:]) for s in staged(repo)] == [
        f"R {WRONG_ID} {GOOD}"
    ]


@pytest.mark.parametrize(
    "misplaced",
    [
        "scans/v4/2601/2602.07852.json",  # wrong shard
        "scans/v3/2602/2602.07852.json",  # wrong version directory
        "scans/2602.07852.json",  # dropped into scans/
        "scans/inbox/new.json",  # another wrong folder, another name
    ],
)
def test_misplaced_tracked_scan_is_moved_as_git_mv_would(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], misplaced: str
) -> None:
    committed(repo, {misplaced: scan()})
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 0, out + err
    assert f"moved {misplaced} -> {GOOD}" in out
    assert files(repo) == [GOOD]
    assert staged(repo) == [f"R100 {misplaced} {GOOD}"]
    assert not (repo / misplaced).parent.exists() or (repo / misplaced).parent == repo / "scans"


def test_untracked_scan_is_moved_and_left_untracked(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {"README": b"x"})
    put(repo, "scans/2602.07852.json", scan())
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 0, out + err
    assert "1 moved, 0 staged" in out
    assert files(repo) == [GOOD]
    assert staged(repo) == []
    assert git(repo, "status", "--porcelain", "-uall").stdout.splitlines() == [f"?? {GOOD}"]


def test_identical_scan_already_in_place_just_drops_the_stray_copy(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {GOOD: scan(), "scans/2602.07852.json": scan()})
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 0, out + err
    assert files(repo) == [GOOD]
    assert staged(repo) == ["D scans/2602.07852.json"]


def test_conflicting_target_refuses_every_move(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = scan("2603.00001", title="Another paper")
    before = {
        GOOD: scan(title="Edited"),  # in place, but a different scan of the paper
        "scans/2602.07852.json": scan(),  # belongs at GOOD, which is taken
        "scans/v4/2601/2603.00001.json": other,  # wrong shard: fixable on its own
    }
    committed(repo, before)
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 1
    assert "a different scan is already there" in out
    assert "refused: 1 problem stop --fix-layout; nothing was moved" in err
    assert files(repo) == sorted(before)
    assert all((repo / rel).read_bytes() == data for rel, data in before.items())
    assert staged(repo) == []


def test_two_files_wanting_one_target_are_both_listed_and_nothing_moves(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {"scans/a.json": scan(), "scans/v4/2601/2602.07852.json": scan()})
    code, out, _ = fix(repo, monkeypatch, capsys)
    assert code == 1
    assert out.count(f"all belong at {GOOD}") == 2
    assert files(repo) == ["scans/a.json", "scans/v4/2601/2602.07852.json"]


def test_unreadable_scan_refuses_every_move(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = "scans/v4/2603/2603.00001.json"
    committed(repo, {"scans/2602.07852.json": scan(), broken: b'{"scan_version": 4,'})
    code, out, err = fix(repo, monkeypatch, capsys)
    assert code == 1
    assert out.startswith(broken + ":")
    assert "nothing was moved" in err
    assert files(repo) == ["scans/2602.07852.json", broken]


@pytest.mark.parametrize("link", [GOOD, "scans/v4/2602"])
def test_symlink_target_is_refused(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    link: str,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    committed(repo, {"scans/2602.07852.json": scan()})
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(outside / "x" if link == GOOD else outside)
    code, out, _ = fix(repo, monkeypatch, capsys)
    assert code == 1
    assert f"{link} is a symbolic link" in out
    assert (repo / "scans/2602.07852.json").exists()
    assert list(outside.iterdir()) == []


def test_directory_target_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {"scans/2602.07852.json": scan()})
    (repo / GOOD).mkdir(parents=True)
    (repo / GOOD / "keep").write_text("x")
    code, out, _ = fix(repo, monkeypatch, capsys)
    assert code == 1
    assert "it is a directory" in out
    assert (repo / "scans/2602.07852.json").exists()


def test_refused_while_tools_migrate_holds_the_lock(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {"scans/2602.07852.json": scan()})
    with GitRepo(repo) as handle, exclusive(writer_lock_path(repo, handle), "tools/migrate"):
        code, _, err = fix(repo, monkeypatch, capsys)
    assert code == 1
    assert "another tools/migrate is running" in err
    assert files(repo) == ["scans/2602.07852.json"]


def test_goes_with_fix_format_but_not_with_staged_or_rev(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {"scans/2602.07852.json": json.dumps(fixture_doc()).encode()})
    code, out, err = fix(repo, monkeypatch, capsys, "--fix-format")
    assert code == 0, out + err
    assert files(repo) == [GOOD]
    assert (repo / GOOD).read_bytes() == scan()
    for other in (["--staged"], ["--rev", "HEAD"], [GOOD]):
        code, _, err = fix(repo, monkeypatch, capsys, *other)
        assert code == 2
        assert "--fix-layout" in err


def test_json_report_stays_parseable(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed(repo, {"scans/2602.07852.json": scan()})
    code, out, err = fix(repo, monkeypatch, capsys, "--format", "json")
    assert code == 0
    assert json.loads(out)["problems"] == []
    assert f"moved scans/2602.07852.json -> {GOOD}" in err
