"""tools/validate on real files and real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import (
    ROOT,
    V4_FIXTURE,
    canonical,
    fixture_doc,
    git,
    position_of,
    put,
    run_tool,
)
from scanrepo.cli.common import run
from scanrepo.cli.validate import main as validate_main

GOOD = "scans/v4/2602/2602.07852.json"


def validate(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.chdir(repo)
    return run(validate_main, list(args))


def lines_of(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = capsys.readouterr()
    return [ln for ln in (out.out + out.err).splitlines() if ln]


def test_repository_itself_validates() -> None:
    result = run_tool("validate", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout
    assert "v4: " in result.stdout


def test_real_scan_is_clean(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(repo, GOOD, V4_FIXTURE.read_bytes())
    assert validate(repo, monkeypatch) == 0
    assert lines_of(capsys) == ["1 scan checked (v4: 1): no problems"]


def test_schema_error_names_file_line_col_and_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = V4_FIXTURE.read_text(encoding="utf-8")
    anchor = '"funding_disclosed": {\n        "applies": true,\n        "answer": '
    assert text.count(anchor) == 1
    broken = text.replace(anchor + "false", anchor + '"yes"')
    put(repo, GOOD, broken)
    assert validate(repo, monkeypatch) == 1
    line, col = position_of(broken, anchor)
    line += 2
    col = len('        "answer": ') + 1
    out = lines_of(capsys)
    assert out[0] == (
        f"{GOOD}:{line}:{col}: $.checklist.conflicts_of_interest.funding_disclosed"
        ".answer: 'yes' is not of type 'boolean'"
    )
    assert out[-1].endswith("1 problem in 1 file")


def test_syntax_error_has_line_and_column(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = V4_FIXTURE.read_text(encoding="utf-8")
    broken = text.replace('"year": 2026,', '"year": 2026,,', 1)
    put(repo, GOOD, broken)
    assert validate(repo, monkeypatch) == 1
    line, col = position_of(broken, ",,")
    first = lines_of(capsys)[0]
    assert first.startswith(f"{GOOD}:{line}:{col + 1}: ")


def test_duplicate_key_from_a_clean_merge_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = V4_FIXTURE.read_text(encoding="utf-8")
    broken = text.replace(
        '"venue": "ICLR 2026",', '"venue": "ICLR 2026",\n    "venue": "arXiv",', 1
    )
    put(repo, GOOD, broken)
    assert validate(repo, monkeypatch) == 1
    line, col = position_of(broken, '"venue"', occurrence=2)
    first = lines_of(capsys)[0]
    assert first.startswith(f"{GOOD}:{line}:{col}: $.paper: ")
    assert 'duplicate key "venue"' in first


def test_every_problem_in_every_file_is_reported(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc()
    doc["engagement_factors"]["fear_safety"]["score"] = 4
    doc["claims"][0]["supported"] = "maybe"
    put(repo, GOOD, canonical(doc))
    other = fixture_doc()
    other["paper"]["arxiv_id"] = "2601.00001"
    put(repo, "scans/v4/2601/2601.00001.json", canonical(other)[:-5])
    assert validate(repo, monkeypatch) == 1
    out = lines_of(capsys)
    assert any("$.claims[0].supported" in ln for ln in out)
    assert any(
        "$.engagement_factors.fear_safety.score" in ln and "4 is greater than" in ln for ln in out
    )
    assert any(ln.startswith("scans/v4/2601/2601.00001.json:") for ln in out)
    assert out[-1].endswith("3 problems in 2 files")


@pytest.mark.parametrize(
    ("relpath", "fragment"),
    [
        ("scans/v3/2602/2602.07852.json", "scan_version is 4 but the file is in scans/v3/"),
        (
            "scans/v4/2602/2602.07853.json",
            "file name says '2602.07853' but the paper key is '2602.07852'",
        ),
        ("scans/v4/2601/2602.07852.json", "shard '2601' is wrong for key '2602.07852'"),
        ("scans/2602.07852.json", "not where a scan belongs"),
    ],
)
def test_layout_problems(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    relpath: str,
    fragment: str,
) -> None:
    put(repo, relpath, V4_FIXTURE.read_bytes())
    assert validate(repo, monkeypatch) == 1
    out = lines_of(capsys)
    assert any(ln.startswith(relpath + ":") and fragment in ln for ln in out), out


V3 = "scans/v3/2602/2602.07852.json"


def test_a_migration_left_half_done_is_named_as_such(repo: Path) -> None:
    """The state a killed tools/migrate leaves: the new scan written, the old one not yet
    removed. Its new scan is exactly the migration of the old one, as the rerun decides."""
    put(repo, V3, (ROOT / "tests/data/fixtures/2602.07852.scan-v3.json").read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "v3")
    assert run_tool("migrate", "--to", "4", cwd=repo).returncode == 0
    put(repo, V3, git(repo, "show", f"HEAD:{V3}").stdout)  # as if killed before the removal
    git(repo, "add", "-A")
    # the work tree, git's index (which reports the staged file only) and a commit
    for args, prefix, named in (
        ((), "", (V3, GOOD)),
        (("--staged",), "", (GOOD,)),
        (("--rev", "HEAD"), "HEAD:", (V3, GOOD)),
    ):
        if prefix:
            git(repo, "commit", "-qm", "half migrated", "--no-verify")
        done = run_tool("validate", *args, cwd=repo)
        assert done.returncode == 1, done.stderr
        message = (
            f"two scans of paper 2602.07852: {prefix}{V3} and {prefix}{GOOD}; {prefix}{GOOD} is "
            "exactly the migration of the other, as an interrupted tools/migrate --to 4 leaves "
            "them: run it again to finish"
        )
        assert done.stdout.splitlines() == [f"{prefix}{name}: $: {message}" for name in named]
    assert run_tool("migrate", "--to", "4", cwd=repo).returncode == 0
    assert run_tool("validate", cwd=repo).returncode == 0


def test_two_different_scans_of_one_paper_are_a_duplicate(repo: Path) -> None:
    """Two scans of one paper that no migration turns into each other: no talk of an
    interrupted migration (a rerun would refuse them), but which two files, and keep one."""
    v3 = fixture_doc(3)
    v3["paper"]["title"] = "Another reading of the same paper"
    put(repo, V3, canonical(v3))
    put(repo, GOOD, V4_FIXTURE.read_bytes())
    put(repo, "scans/v4/2601/2602.07852.json", V4_FIXTURE.read_bytes())  # a wrong shard
    done = run_tool("validate", cwd=repo)
    assert done.returncode == 1
    message = (
        f"three scans of paper 2602.07852: {V3}, scans/v4/2601/2602.07852.json and {GOOD}; keep one"
    )
    for name in (V3, "scans/v4/2601/2602.07852.json", GOOD):
        assert f"{name}: $: {message}" in done.stdout.splitlines(), done.stdout
    assert "interrupted" not in done.stdout
    refused = run_tool("migrate", "--to", "4", cwd=repo)
    assert refused.returncode == 1
    assert "they are not the same scan at v4" in refused.stdout


def test_unknown_version_says_which_exist(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc()
    doc["scan_version"] = 7
    put(repo, "scans/v7/2602/2602.07852.json", canonical(doc))
    assert validate(repo, monkeypatch) == 1
    out = lines_of(capsys)
    assert "unknown scan_version 7: schemas exist for versions 3, 4" in out[0]
    assert out[0].startswith("scans/v7/2602/2602.07852.json:2:19: $.scan_version: ")


def test_type_checklist_must_match_paper_type(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc()
    doc["paper_type"] = "position"
    put(repo, GOOD, canonical(doc))
    assert validate(repo, monkeypatch) == 1
    out = lines_of(capsys)
    assert any("$.type_checklist" in ln for ln in out), out


def test_fix_format_rewrites_only_formatting(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc()
    path = put(repo, GOOD, json.dumps(doc, indent=4) + "\n")
    path.chmod(0o640)
    assert validate(repo, monkeypatch) == 1
    out = lines_of(capsys)
    assert out[0] == f"{GOOD}:2:3: $: not in canonical form (fix: tools/validate --fix-format)"
    assert validate(repo, monkeypatch, "--fix-format") == 0
    assert path.read_bytes() == V4_FIXTURE.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o640
    assert validate(repo, monkeypatch) == 0


def test_fix_format_rewrites_a_named_file_outside_the_repository(
    repo: Path, tmp_path: Path
) -> None:
    """Run from inside a repository on a reviewer's file outside it: the file is rewritten,
    and validate says where the scan belongs, never "no problems" for what it did not do."""
    draft = tmp_path / "review.json"
    draft.write_text(json.dumps(fixture_doc(), indent=4) + "\n", encoding="utf-8")
    done = run_tool("validate", "--fix-format", str(draft), cwd=repo)
    assert draft.read_bytes() == V4_FIXTURE.read_bytes()
    assert "rewrote 1 file in canonical form" in done.stderr
    assert done.stdout.splitlines() == [f"{draft}: $: not in scans/: this scan belongs at {GOOD}"]
    assert done.returncode == 1
    assert "no problems" not in done.stdout + done.stderr


def test_named_paths_outside_scans_or_not_scans(repo: Path) -> None:
    put(repo, "drafts/new.json", V4_FIXTURE.read_bytes())
    put(repo, "README.md", "# not a scan\n")
    done = run_tool("validate", "drafts/new.json", "README.md", cwd=repo)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "README.md:1:1: $: expected a JSON value",
        f"drafts/new.json: $: not in scans/: this scan belongs at {GOOD}",
    ]
    (repo / "notes").mkdir()
    put(repo, "notes/todo.txt", "rescan 2602.07852\n")
    for tool, args in (("validate", ()), ("migrate", ("--to", "4"))):
        nothing = run_tool(tool, *args, "notes", cwd=repo)
        assert nothing.returncode == 2
        assert nothing.stderr == "error: notes: no .json file in this directory\n"


def test_json_output(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    truncated = V4_FIXTURE.read_bytes()[:-3]
    put(repo, GOOD, truncated)
    assert validate(repo, monkeypatch, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["scans_checked"] == 1
    [problem] = report["problems"]
    assert problem["file"] == GOOD and problem["kind"] == "syntax"
    assert problem["line"] == truncated.count(b"\n") + 1


def test_paper_key_argument(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(repo, GOOD, V4_FIXTURE.read_bytes())
    put(repo, "scans/v4/2601/2601.00001.json", "{")
    assert validate(repo, monkeypatch, "2602.07852") == 0
    assert validate(repo, monkeypatch, "2601.00001") == 1
    capsys.readouterr()
    assert validate(repo, monkeypatch, "2609.99999") == 2
    assert "no scan of paper 2609.99999" in capsys.readouterr().err


def test_staged_reads_the_index_not_the_work_tree(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = put(repo, GOOD, V4_FIXTURE.read_bytes()[:-1])
    git(repo, "add", "-A")
    path.write_bytes(V4_FIXTURE.read_bytes())
    assert validate(repo, monkeypatch) == 0
    assert validate(repo, monkeypatch, "--staged") == 1
    git(repo, "add", "-A")
    assert validate(repo, monkeypatch, "--staged") == 0


def test_rev_reads_a_commit_without_checkout(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = put(repo, GOOD, V4_FIXTURE.read_bytes().replace(b'"strong"', b'"very strong"', 1))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bad")
    path.write_bytes(V4_FIXTURE.read_bytes())
    git(repo, "commit", "-qam", "good")
    assert validate(repo, monkeypatch, "--rev", "HEAD") == 0
    capsys.readouterr()
    assert validate(repo, monkeypatch, "--rev", "HEAD~1") == 1
    out = lines_of(capsys)
    assert out[0].startswith(f"HEAD~1:{GOOD}:")
    assert "$.claims[0].supported" in out[0]


def test_revision_that_looks_like_an_option_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    put(repo, GOOD, V4_FIXTURE.read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    assert validate(repo, monkeypatch, "--rev=--output=x") == 2
    assert "may not start with '-'" in capsys.readouterr().err
    assert not (repo / "x").exists()
    assert validate(repo, monkeypatch, "--rev", "nope") == 2


def test_directory_named_like_a_scan_and_leftover_temp(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "scans/v4/2602/2602.00001.json").mkdir(parents=True)
    put(repo, "scans/v4/2602/.2602.07852.json.scanrepo-tmp-123", "{}")
    assert validate(repo, monkeypatch) == 1
    out = "\n".join(lines_of(capsys))
    assert "scans/v4/2602/2602.00001.json: $: is a directory" in out
    assert "temporary file left by an interrupted write" in out


def test_many_files_in_parallel(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = fixture_doc()
    for i in range(240):
        doc["paper"]["arxiv_id"] = f"2603.{i:05d}"
        put(repo, f"scans/v4/2603/2603.{i:05d}.json", canonical(doc))
    put(repo, "scans/v4/2603/2603.00007.json", "[1,]")
    assert validate(repo, monkeypatch, "--jobs", "2") == 1
    out = lines_of(capsys)
    assert out[0].startswith("scans/v4/2603/2603.00007.json:1:4: ")
    assert out[-1] == "240 scans checked (v4: 239): 1 problem in 1 file"
