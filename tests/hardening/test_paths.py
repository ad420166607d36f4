"""Where scans are read and written: a paper key never leaves scans/, whatever the scan says;
symbolic links are reported, never followed for writing; two scans of one paper are named."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import canonical, git
from scanrepo.format import keys
from toolruns import (
    commit_all,
    init_repo,
    migrate,
    put_scan,
    scan_doc,
    scan_path,
    snapshot,
    validate,
)

HOSTILE_IDS = (
    "../../../outside/pwn",
    "/tmp/pwn",
    "..",
    ".",
    ".hidden",
    "CON",
    "nul",
    "COM1",
    "LPT9.json",
    "aux.txt",
    "a\\..\\..\\b",
    "C:\\Windows\\evil",
    "2602.07852/../../x",
    "2602.07852\x00",
    "\uff12\uff16\uff10\uff12.\uff10\uff17\uff18\uff15\uff12",  # fullwidth digits
    "\u0662\u0666\u0660\u0662.\u0660\u0667\u0668\u0665\u0662",  # Arabic-Indic digits
    "cs/0112017",  # a real old-style id: the '/' becomes '_'
    "math.GT/0309136v1",
)
SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


def hostile_paper(version: int, index: int, ident: str) -> dict[str, Any]:
    doc = scan_doc(version, "2602.00001")
    paper = doc["paper"]
    paper["arxiv" if version == 3 else "arxiv_id"] = ident
    paper["doi"] = ident if index % 2 else None
    paper["title"] = ident if index % 3 == 0 else f"{ident} {index}"
    return doc


@pytest.mark.parametrize("ident", HOSTILE_IDS)
def test_every_key_is_a_safe_file_name(ident: str) -> None:
    for index in range(3):
        key = keys.paper_key(hostile_paper(4, index, ident))
        assert SAFE_KEY.fullmatch(key), key
        assert not WINDOWS_RESERVED.fullmatch(key), key
        where = keys.scan_path(hostile_paper(4, index, ident), 4)
        assert where.parts[:2] == ("scans", "v4") and len(where.parts) == 4, where
        assert SAFE_KEY.fullmatch(where.parts[2]), where


def test_migrating_hostile_papers_writes_only_inside_scans(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (tmp_path / "outside").mkdir()
    for index, ident in enumerate(HOSTILE_IDS):
        doc = hostile_paper(3, index, ident)
        path = repo / keys.scan_path(doc, 3)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(canonical(doc))
    commit_all(repo)
    assert validate(repo).code == 0
    around = sorted(p.name for p in tmp_path.iterdir())

    migrated = migrate(repo, "--to", "4")
    migrated.assert_clean(0)
    assert f"{len(HOSTILE_IDS)} migrated" in migrated.out
    assert sorted(p.name for p in tmp_path.iterdir()) == around
    assert not any((tmp_path / "outside").iterdir())
    assert sorted(p.name for p in repo.iterdir()) == [".git", "scans"]
    for path in (repo / "scans").rglob("*"):
        assert path.is_dir() or SAFE_KEY.fullmatch(path.name), path
    validate(repo).assert_clean(0)


@pytest.mark.parametrize(
    "argument", ["../outside/2602.00001.json", "scans/../../outside", "/etc/passwd"]
)
def test_migrate_takes_no_path_outside_scans(tmp_path: Path, argument: str) -> None:
    repo = init_repo(tmp_path / "repo")
    put_scan(repo, 3, "2602.00001")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "2602.00001.json").write_bytes(canonical(scan_doc(3, "2602.00001")))
    before = snapshot(tmp_path)
    outcome = migrate(repo, "--to", "4", argument)
    outcome.assert_clean(1, 2)
    assert "not a scan below scans/" in outcome.err
    assert snapshot(tmp_path) == before


def test_a_symlinked_scans_directory_is_never_written_through(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    outside = tmp_path / "elsewhere"
    put_scan(outside.parent, 3, "2602.00001")  # tmp_path/scans/v3/...
    (repo / "scans").rmdir()
    (repo / "scans").symlink_to(tmp_path / "scans")
    commit_all(repo)
    before = snapshot(tmp_path)
    outcome = migrate(repo, "--to", "4")
    outcome.assert_clean(1)
    assert "scans is a symbolic link; refusing to write through it" in outcome.text
    assert snapshot(tmp_path) == before
    committed = validate(repo, "--rev", "HEAD")
    committed.assert_clean(1)
    (problem,) = committed.lines_about("HEAD:scans")
    assert "symbolic link" in problem["message"]


def test_a_symlinked_version_directory_is_never_written_through(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    put_scan(repo, 3, "2602.00001")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "scans" / "v4").symlink_to(elsewhere)
    before = snapshot(tmp_path)
    outcome = migrate(repo, "--to", "4")
    outcome.assert_clean(1)
    assert "scans/v4 is a symbolic link; refusing to write through it" in outcome.text
    assert snapshot(tmp_path) == before
    assert not any(elsewhere.iterdir())


def test_a_symlink_to_a_file_outside_is_reported_and_left_alone(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    target = tmp_path / "secret.json"
    target.write_bytes(canonical(scan_doc(3, "2602.00001")))
    link = repo / scan_path(3, "2602.00001")
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    before = snapshot(tmp_path)
    for outcome in (validate(repo), migrate(repo, "--to", "4")):
        outcome.assert_clean(1)
        (problem,) = outcome.lines_about(scan_path(3, "2602.00001"))
        assert "is a symbolic link" in problem["message"]
    assert snapshot(tmp_path) == before
    assert os.readlink(link) == str(target)


def test_two_scans_of_one_paper_are_named_everywhere(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    key = "2602.00001"
    put_scan(repo, 3, key)
    rescanned = scan_doc(4, key)
    rescanned["key_findings"] = "a different review"
    put_scan(repo, 4, key, canonical(rescanned))
    commit_all(repo)
    names = [scan_path(3, key), scan_path(4, key)]
    for outcome, prefix in ((validate(repo), ""), (validate(repo, "--rev", "HEAD"), "HEAD:")):
        outcome.assert_clean(1)
        for name in names:
            (problem,) = outcome.lines_about(prefix + name)
            assert problem["message"] == (
                f"two scans of paper {key}: {prefix}{names[0]} and {prefix}{names[1]}; keep one"
            )
    before = snapshot(repo)
    refused = migrate(repo, "--to", "4")
    refused.assert_clean(1)
    assert "not the same scan at v4" in refused.out
    assert snapshot(repo) == before


def test_a_second_scan_in_another_shard_is_named(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    key = "2602.00001"
    put_scan(repo, 4, key)
    stray = repo / "scans/v4/2699" / f"{key}.json"
    stray.parent.mkdir()
    stray.write_bytes(canonical(scan_doc(4, key)))
    git(repo, "add", "-A")
    outcome = validate(repo)
    outcome.assert_clean(1)
    messages = [m["message"] for m in outcome.lines_about("scans/v4/2699/2602.00001.json")]
    assert any("shard '2699' is wrong" in m for m in messages), messages
    assert any(m.startswith(f"two scans of paper {key}: ") for m in messages), messages
