"""Real ``git merge`` of scans through the merge driver tools/setup-git configures, and
tools/resolve, in temporary repositories that carry their own copy of the tools."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, clone_of_tools, fixture_doc, git, put, run_tool
from scanrepo.cli.common import run
from scanrepo.cli.merge_driver import main as driver_main
from scanrepo.cli.migrate import main as migrate_main
from scanrepo.cli.resolve import main as resolve_main
from scanrepo.cli.validate import main as validate_main
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.keys import scan_path
from scanrepo.format.strictjson import MAX_BYTES, parse_strict

KEY = "2602.07852"
V4 = str(scan_path(fixture_doc(), 4))
V3 = str(scan_path(fixture_doc(3), 3))
STATS = ("type_checklist", "empirical", "statistical_methodology")
ARTIFACTS = ("type_checklist", "empirical", "artifacts")
FUNDING = ("checklist", "conflicts_of_interest", "funding_disclosed")
Edit = Callable[[dict[str, Any]], None]


def at(doc: dict[str, Any], *path: str) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", message)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with the tools, .gitattributes and tools/setup-git run: one command."""
    root = tmp_path_factory.mktemp("template") / "repo"
    root.mkdir()
    git(root, "init", "-q")
    clone_of_tools(root)
    shutil.copy(ROOT / ".gitattributes", root / ".gitattributes")
    setup = run_tool("setup-git", cwd=root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "installed: merge.scanrepo.driver" in setup.stdout
    commit_all(root, "The tools")
    return root


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    return root


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A repository without the driver: git merges scans as text."""
    root = tmp_path / "plain"
    root.mkdir()
    git(root, "init", "-q")
    return root


def read(root: Path, relpath: str = V4) -> dict[str, Any]:
    doc: dict[str, Any] = parse_strict((root / relpath).read_bytes())
    return doc


def write(root: Path, doc: dict[str, Any], relpath: str = V4) -> None:
    put(root, relpath, canonical_bytes(doc))


def branches(
    root: Path, ours: Edit, theirs: Edit, base: dict[str, Any] | None = None, relpath: str = V4
) -> None:
    """Commit the base scan on main, ``theirs`` on branch 'theirs' and ``ours`` on main."""
    base = base if base is not None else fixture_doc()
    write(root, base, relpath)
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "theirs")
    for edit, branch in ((theirs, "theirs"), (ours, "main")):
        if branch == "main":
            git(root, "checkout", "-q", "main")
        doc = copy.deepcopy(base)
        edit(doc)
        write(root, doc, relpath)
        commit_all(root, branch)


def resolve(monkeypatch: pytest.MonkeyPatch, root: Path, *args: str) -> int:
    monkeypatch.chdir(root)
    return run(resolve_main, list(args))


def valid(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    assert run(validate_main, ["--jobs", "1", "--quiet"]) == 0


def migrate(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tools/migrate --to 4 --commit, in process."""
    monkeypatch.chdir(root)
    assert run(migrate_main, ["--to", "4", "--commit", "--jobs", "1"]) == 0


# --------------------------------------------------------------------------- disjoint edits


def rescan_statistics(doc: dict[str, Any]) -> None:
    """One reviewer rescans statistical_methodology and adds a claim."""
    for item in at(doc, *STATS).values():
        item.update(applies=True, answer=True, source="haiku")
    doc["claims"].append(
        {"claim": "Effects are significant", "evidence": "t-tests", "supported": "weak"}
    )


def fix_artifacts(doc: dict[str, Any]) -> None:
    """The other fixes a justification in artifacts and adds a claim of their own."""
    at(doc, *ARTIFACTS, "code_released")["justification"] = "Code is on GitHub (footnote 2)."
    doc["claims"].append(
        {"claim": "Code is released", "evidence": "footnote 2", "supported": "strong"}
    )


def test_plain_git_conflicts_on_disjoint_edits(plain: Path) -> None:
    branches(plain, rescan_statistics, fix_artifacts)
    merged = git(plain, "merge", "theirs", check=False)
    assert merged.returncode != 0
    assert f"CONFLICT (content): Merge conflict in {V4}" in merged.stdout
    assert b"<<<<<<<" in (plain / V4).read_bytes()


def test_the_driver_merges_disjoint_edits_and_both_claims_survive(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    branches(repo, rescan_statistics, fix_artifacts)
    merged = git(repo / "scans", "merge", "-q", "--no-edit", "theirs", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    doc = read(repo)
    expected = fixture_doc()
    rescan_statistics(expected)
    fix_artifacts(expected)
    assert doc == expected
    assert [c["claim"] for c in doc["claims"][-2:]] == [
        "Effects are significant",
        "Code is released",
    ]
    assert (repo / V4).read_bytes() == canonical_bytes(doc)
    valid(repo, monkeypatch)
    assert git(repo, "status", "--porcelain").stdout == ""


def test_the_same_edit_on_both_sides_merges(repo: Path) -> None:
    def ours(doc: dict[str, Any]) -> None:
        at(doc, *FUNDING)["answer"] = True
        doc["paper"]["venue"] = "ICLR 2026 (oral)"

    def theirs(doc: dict[str, Any]) -> None:
        at(doc, *FUNDING)["answer"] = True
        doc["methodology_tags"].append("ablation")

    branches(repo, ours, theirs)
    merged = git(repo, "merge", "-q", "--no-edit", "theirs", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    doc = read(repo)
    assert at(doc, *FUNDING)["answer"] is True
    assert doc["paper"]["venue"] == "ICLR 2026 (oral)"
    assert doc["methodology_tags"] == ["observational", "case-study", "ablation"]


def with_position_items(doc: dict[str, Any]) -> None:
    item = at(doc, *FUNDING)
    doc["paper_type"] = "position"
    doc["type_checklist"] = {"position": {"argument": {"thesis_stated": item}}}


def test_plain_git_merges_an_item_added_twice_into_duplicate_keys(plain: Path, repo: Path) -> None:
    """Both add the same item to a section, ours at its top and theirs at its end: git's text
    merge is clean and holds the key twice (a JSON reader silently keeps the last); the driver
    reports the conflict and writes valid JSON."""
    base = fixture_doc()
    with_position_items(base)
    added = at(base, *FUNDING) | {"answer": True}

    def ours(doc: dict[str, Any]) -> None:
        section = at(doc, "type_checklist", "position", "argument")
        doc["type_checklist"]["position"]["argument"] = {"evidence_cited": added, **section}

    def theirs(doc: dict[str, Any]) -> None:
        at(doc, "type_checklist", "position", "argument")["evidence_cited"] = added | {
            "source": "haiku"
        }

    branches(plain, ours, theirs, base)
    assert git(plain, "merge", "-q", "--no-edit", "theirs", check=False).returncode == 0
    with pytest.raises(ValueError, match='duplicate key "evidence_cited"'):
        parse_strict((plain / V4).read_bytes())

    branches(repo, ours, theirs, base)
    merged = git(repo, "merge", "theirs", check=False)
    assert merged.returncode == 1
    assert "type_checklist.position.argument.evidence_cited (the file holds ours)" in merged.stderr
    assert at(read(repo), "type_checklist", "position", "argument", "evidence_cited") == added


# --------------------------------------------------------------------------- conflicts


def ours_side(doc: dict[str, Any]) -> None:
    at(doc, *FUNDING)["answer"] = True
    doc["key_findings"] = "Ours: narrow misalignment is hard."
    at(doc, *ARTIFACTS, "data_released")["source"] = "haiku"


def theirs_side(doc: dict[str, Any]) -> None:
    at(doc, *FUNDING)["justification"] = "Funding is stated in the acknowledgments."
    doc["key_findings"] = "Theirs: emergent misalignment is easy."
    doc["red_flags"].append({"flag": "Single model family", "detail": "Only Qwen models."})


def conflicted(root: Path) -> str:
    branches(root, ours_side, theirs_side)
    merged = git(root, "merge", "theirs", check=False)
    assert merged.returncode == 1
    return merged.stdout + merged.stderr


def test_conflicting_edits_stop_the_merge_with_a_clear_list(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = conflicted(repo)
    assert f"CONFLICT (content): Merge conflict in {V4}" in output
    assert f"scanrepo merge: {V4}: 2 conflicts:" in output
    assert "  checklist.conflicts_of_interest.funding_disclosed (the file holds ours)" in output
    assert "  key_findings (the file holds ours)" in output
    assert f"tools/resolve {KEY}" in output
    assert git(repo, "status", "--porcelain", "--", V4).stdout == f"UU {V4}\n"
    # the file is a valid canonical scan: ours where they conflict, both sides elsewhere
    doc = read(repo)
    assert (repo / V4).read_bytes() == canonical_bytes(doc)
    assert at(doc, *FUNDING)["answer"] is True
    assert at(doc, *FUNDING)["justification"] == at(fixture_doc(), *FUNDING)["justification"]
    assert doc["key_findings"].startswith("Ours")
    assert at(doc, *ARTIFACTS, "data_released")["source"] == "haiku"
    assert doc["red_flags"][-1]["flag"] == "Single model family"
    valid(repo, monkeypatch)

    capsys.readouterr()
    assert resolve(monkeypatch, repo) == 1
    listing = capsys.readouterr().out
    assert listing.startswith(
        f"{V4}: 2 conflicts\n  checklist.conflicts_of_interest.funding_disclosed\n"
    )
    assert '    base:               {"answer": false, "justification": "No funding' in listing
    assert '    ours (in the file): {"answer": true, "justification": "No funding' in listing
    assert (
        '    theirs:             {"answer": false, '
        '"justification": "Funding is stated in the acknowledgments."}'
    ) in listing
    assert '    theirs:             "Theirs: emergent misalignment is easy."' in listing


def test_resolving_item_by_item_gives_a_valid_scan_that_commits(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conflicted(repo)
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--item", "funding_disclosed") == 0
    out = capsys.readouterr().out
    assert "checklist.conflicts_of_interest.funding_disclosed: took theirs" in out
    assert f"1 conflict(s) left in {V4}" in out
    doc = read(repo)
    assert at(doc, *FUNDING) == at(fixture_doc(), *FUNDING) | {
        "justification": "Funding is stated in the acknowledgments."
    }
    assert doc["key_findings"].startswith("Ours")
    assert git(repo, "status", "--porcelain", "--", V4).stdout == f"UU {V4}\n"

    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--add") == 0
    assert f"{V4}: no conflicts left; valid; staged" in capsys.readouterr().out
    doc = read(repo)
    assert doc["key_findings"].startswith("Theirs")
    assert at(doc, *ARTIFACTS, "data_released")["source"] == "haiku"
    assert git(repo, "status", "--porcelain", "--", V4).stdout == f"M  {V4}\n"
    assert resolve(monkeypatch, repo) == 0
    assert capsys.readouterr().out == "no scan conflicts\n"
    committed = git(repo, "commit", "-q", "--no-edit", check=False)  # the hook validates
    assert committed.returncode == 0, committed.stdout + committed.stderr


def test_resolve_refuses_to_overwrite_hand_edits_and_unknown_items(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conflicted(repo)
    assert resolve(monkeypatch, repo, KEY, "--take", "ours", "--item", "no_such_item") == 2
    assert "--item 'no_such_item': no conflict of that name in" in capsys.readouterr().err
    doc = read(repo)
    doc["key_findings"] = "edited by hand"
    write(repo, doc)
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs") == 1
    assert "changed since the merge wrote it" in capsys.readouterr().err
    assert read(repo)["key_findings"] == "edited by hand"
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--force") == 0
    assert read(repo)["key_findings"].startswith("Theirs")


def test_resolve_names_the_closest_paper_and_conflict(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conflicted(repo)
    assert resolve(monkeypatch, repo, "2602.07853") == 2
    assert f"did you mean {KEY}?" in capsys.readouterr().err
    assert resolve(monkeypatch, repo, KEY, "--take", "ours", "--item", "fundng_disclosed") == 2
    err = capsys.readouterr().err
    assert "did you mean checklist.conflicts_of_interest.funding_disclosed?" in err
    assert "\n  key_findings" in err  # and the conflicts listed
    assert read(repo)["key_findings"].startswith("Ours")  # nothing taken
    # the spellings every other option accepts
    spelling = "conflicts_of_interest.funding_disclosed"
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--item", spelling) == 0
    assert "checklist.conflicts_of_interest.funding_disclosed: took theirs" in (
        capsys.readouterr().out
    )


def test_records_of_an_aborted_merge_are_dropped(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conflicted(repo)
    records = repo / ".git" / "scanrepo-conflicts"
    assert len(list(records.glob("*.json"))) == 1
    git(repo, "merge", "--abort")
    assert resolve(monkeypatch, repo) == 0
    assert capsys.readouterr().out == "no scan conflicts\n"
    assert list(records.glob("*.json")) == []


def test_keep_theirs_when_the_driver_is_told_so(repo: Path) -> None:
    git(repo, "config", "merge.scanrepo.driver", "tools/merge-driver --keep theirs %O %A %B %P")
    conflicted(repo)
    doc = read(repo)
    assert doc["key_findings"].startswith("Theirs")
    assert at(doc, *ARTIFACTS, "data_released")["source"] == "haiku"


def merge_unmergeable(repo: Path, spoil: Callable[[bytes], bytes]) -> tuple[bytes, str]:
    """Merge a branch whose scan ``spoil`` made unmergeable: ours' bytes and git's stderr."""
    branches(repo, ours_side, theirs_side)
    git(repo, "checkout", "-q", "theirs")
    put(repo, V4, spoil((repo / V4).read_bytes()))
    commit_all(repo, "spoiled")
    git(repo, "checkout", "-q", "main")
    ours = (repo / V4).read_bytes()
    merged = git(repo, "merge", "theirs", check=False)
    assert merged.returncode == 1
    assert f"{V4}: cannot merge it item by item; the file is ours as it was:" in merged.stderr
    assert f"tools/resolve {KEY}" in merged.stderr
    assert (repo / V4).read_bytes() == ours
    return ours, merged.stderr


def test_an_unreadable_side_leaves_ours_untouched_and_says_why(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ours, stderr = merge_unmergeable(
        repo, lambda data: data.replace(b'"year": 2026', b'"year": 2026,', 1)
    )
    assert f"theirs:{V4}:" in stderr
    assert resolve(monkeypatch, repo) == 1
    listing = capsys.readouterr().out
    assert f"{V4}: could not be merged item by item; the file is ours as it was:" in listing
    assert f"  theirs:{V4}:" in listing
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--item", "key_findings") == 2
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs") == 1
    assert f"{V4}: the theirs version is no valid scan; nothing written:" in capsys.readouterr().out
    assert resolve(monkeypatch, repo, V4, "--take", "ours", "--add") == 0
    assert f"{V4}: took the ours version" in capsys.readouterr().out
    assert (repo / V4).read_bytes() == ours
    assert git(repo, "status", "--porcelain", "--", V4).stdout == ""  # resolved, as HEAD has it


def test_the_driver_names_an_input_it_cannot_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    assert run(driver_main, ["gone-base", "gone-ours", "gone-theirs", V4]) == 2
    err = capsys.readouterr().err
    assert "error: gone-base: cannot read: No such file or directory" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- versions


@pytest.fixture(scope="module")
def migrated_template(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Base: the paper at v3. Main migrates the corpus to v4 (tools/migrate --to 4 --commit);
    branch 'rescan' edits the v3 scan."""
    root = tmp_path_factory.mktemp("migrated") / "repo"
    shutil.copytree(template, root, symlinks=True)
    write(root, fixture_doc(3), V3)
    commit_all(root, "base at v3")
    git(root, "checkout", "-q", "-b", "rescan")
    doc = fixture_doc(3)
    doc["checklist"]["statistical_methodology"]["significance_tests"]["answer"] = "yes"
    doc["claims"].append({"claim": "Rescanned", "evidence": "new", "support": "moderate"})
    write(root, doc, V3)
    commit_all(root, "rescan")
    git(root, "checkout", "-q", "main")
    with pytest.MonkeyPatch.context() as monkeypatch:
        migrate(root, monkeypatch)
    return root


@pytest.fixture
def migrated(migrated_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(migrated_template, root, symlinks=True)
    return root


def test_scans_not_yet_migrated_merge_and_stay_at_their_version(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ours(doc: dict[str, Any]) -> None:
        doc["checklist"]["artifacts"]["code_released"]["answer"] = "no"
        doc["claims"].append({"claim": "Ours", "evidence": "o", "support": "weak"})
        doc["key_findings"] = "ours"

    def theirs(doc: dict[str, Any]) -> None:
        doc["checklist"]["artifacts"]["data_released"]["model"] = "haiku"
        doc["claims"].append({"claim": "Theirs", "evidence": "t", "support": "strong"})
        doc["key_findings"] = "theirs"

    branches(repo, ours, theirs, fixture_doc(3), V3)
    assert git(repo, "merge", "theirs", check=False).returncode == 1
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs") == 0
    expected = fixture_doc(3)
    ours(expected)
    theirs(expected)  # claims: ours' then theirs'; key_findings: theirs, as taken
    assert read(repo, V3) == expected
    assert f"stage it: git add {V3}" in capsys.readouterr().out
    valid(repo, monkeypatch)


def rescanned_at_v4() -> dict[str, Any]:
    doc = fixture_doc()
    at(doc, *STATS, "significance_tests")["answer"] = True
    doc["claims"].append({"claim": "Rescanned", "evidence": "new", "supported": "moderate"})
    return doc


def test_a_migrated_branch_merges_with_a_rescanned_branch(
    migrated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = migrated
    merged = git(repo, "merge", "rescan", check=False)
    # git pairs files by text similarity; a migration keeps too little text for it to pair them
    assert f"CONFLICT (modify/delete): {V3} deleted in HEAD and modified in rescan" in merged.stdout
    assert resolve(monkeypatch, repo) == 1
    assert f"{V3}: changed by theirs; ours deleted it or moved it" in capsys.readouterr().out
    assert resolve(monkeypatch, repo, "--merge") == 0
    assert f"merged {V4} (ours from {V4}, theirs from {V3}); staged" in capsys.readouterr().out
    assert read(repo) == rescanned_at_v4()
    assert not (repo / V3).exists()
    assert git(repo, "status", "--porcelain", "--", "scans").stdout == f"M  {V4}\n"
    valid(repo, monkeypatch)


@pytest.mark.parametrize("add", [False, True])
def test_a_paper_paired_by_key_with_conflicts_resolves_into_its_new_directory(
    migrated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], add: bool
) -> None:
    repo = migrated
    doc = read(repo)
    at(doc, *STATS, "significance_tests")["justification"] = "main: none reported"
    write(repo, doc)
    commit_all(repo, "main edits the same item")
    git(repo, "merge", "rescan", check=False)
    capsys.readouterr()
    assert resolve(monkeypatch, repo, "--merge") == 1
    out = capsys.readouterr().out
    assert f"{V4}: 1 conflict\n" in out
    assert "type_checklist.empirical.statistical_methodology.significance_tests" in out
    assert resolve(monkeypatch, repo) == 1
    assert "--merge" not in capsys.readouterr().out  # paired already; only the choice is left
    assert git(repo, "status", "--porcelain", "--", V3).stdout == f"DU {V3}\n"
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", *["--add"] * add) == 0
    assert read(repo) == rescanned_at_v4()
    if not add:
        assert f"stage it: git rm {V3} && git add {V4}" in capsys.readouterr().out
        git(repo, "rm", "-q", "--", V3)
        git(repo, "add", "--", V4)
    assert git(repo, "status", "--porcelain", "--", "scans").stdout == f"M  {V4}\n"


def test_merging_the_migration_into_the_rescanned_branch_gives_v4(
    migrated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = migrated
    git(repo, "checkout", "-q", "rescan")
    git(repo, "merge", "main", check=False)
    assert resolve(monkeypatch, repo, "--merge") == 0
    assert read(repo) == rescanned_at_v4()
    assert git(repo, "status", "--porcelain", "--", "scans").stdout == f"D  {V3}\nA  {V4}\n"


def test_with_rename_detection_git_hands_both_versions_to_the_driver(migrated: Path) -> None:
    repo = migrated
    merged = git(repo, "merge", "-q", "--no-edit", "-X", "find-renames=40%", "rescan", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert read(repo) == rescanned_at_v4()
    assert not (repo / V3).exists()


def test_both_sides_moved_to_v4_are_merged_from_their_v3_base(
    migrated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = migrated
    git(repo, "checkout", "-q", "rescan")
    git(repo, "rm", "-q", V3)
    write(repo, rescanned_at_v4())  # what tools/migrate makes of the rescanned v3 scan
    commit_all(repo, "migrate the rescan")
    git(repo, "checkout", "-q", "main")
    doc = fixture_doc()
    at(doc, *FUNDING)["source"] = "haiku"
    write(repo, doc)
    commit_all(repo, "main edits at v4")
    # both sides added the v4 file: git gives the driver no base, so every difference conflicts
    merged = git(repo, "merge", "rescan", check=False)
    assert f"CONFLICT (add/add): Merge conflict in {V4}" in merged.stdout
    assert "scanrepo merge: " in merged.stderr
    capsys.readouterr()
    assert resolve(monkeypatch, repo) == 1
    listing = capsys.readouterr().out
    assert f"{V4}: added by both sides, so git knows no common version" in listing
    assert "tools/resolve --merge" in listing
    # pairing by key finds the v3 base in the merge base, and the merge is clean
    expected = rescanned_at_v4()
    at(expected, *FUNDING)["source"] = "haiku"
    assert resolve(monkeypatch, repo, "--merge") == 0
    assert read(repo) == expected


def test_setup_git_keeps_a_foreign_driver_unless_forced(repo: Path) -> None:
    again = run_tool("setup-git", cwd=repo)
    assert "unchanged: merge.scanrepo.driver" in again.stdout
    git(repo, "config", "merge.scanrepo.driver", "my-driver %A")
    refused = run_tool("setup-git", cwd=repo)
    assert refused.returncode == 1
    assert "refused: merge.scanrepo.driver in .git/config: it is 'my-driver %A'" in refused.stdout
    assert git(repo, "config", "merge.scanrepo.driver").stdout == "my-driver %A\n"
    forced = run_tool("setup-git", "--force", cwd=repo)
    assert forced.returncode == 0
    assert git(repo, "config", "merge.scanrepo.driver").stdout == "tools/merge-driver %O %A %B %P\n"


# --------------------------------------------------------------------------- no answer lost


BOTH = "checklist.conflicts_of_interest.funding_disclosed, key_findings"
RESOLVE_HINT = f"resolve with tools/resolve {KEY} --take ours|theirs [--item ...]"


def commit(root: Path, *args: str) -> str:
    """git commit of the merge through the pre-commit hook; its output, or '' when it went
    through (the test then goes on)."""
    done = git(root, "commit", "-q", "--no-edit", *args, check=False)
    return "" if done.returncode == 0 else done.stdout + done.stderr + "(refused)"


def staged_check(root: Path) -> tuple[int, str]:
    """tools/validate --staged, as the hook runs it: exit code and output."""
    done = run_tool("validate", "--staged", cwd=root)
    return done.returncode, done.stdout + done.stderr


def test_a_staged_scan_with_an_unresolved_conflict_is_not_committed(repo: Path) -> None:
    conflicted(repo)
    git(repo, "add", V4)  # git now takes the file as merged; it holds ours' answers only
    code, output = staged_check(repo)
    assert code == 1
    assert f"{V4}: $: unresolved scan conflict: {BOTH}; {RESOLVE_HINT}\n" in output
    assert "1 problem in 1 file" in output
    refused = commit(repo)
    assert f"{V4}: $: unresolved scan conflict: {BOTH}; {RESOLVE_HINT}" in refused
    assert git(repo, "rev-parse", "-q", "--verify", "MERGE_HEAD").returncode == 0  # not committed


def test_resolving_then_committing_passes_the_hook(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conflicted(repo)
    git(repo, "add", V4)
    assert "unresolved scan conflict" in commit(repo)
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--item", "key_findings") == 0
    git(repo, "add", V4)
    code, output = staged_check(repo)  # one conflict left: still refused, naming only it
    assert code == 1
    expected = "unresolved scan conflict: checklist.conflicts_of_interest.funding_disclosed;"
    assert expected in output
    assert resolve(monkeypatch, repo, KEY, "--take", "ours") == 0
    git(repo, "add", V4)  # resolved by tools/resolve, staged by hand
    assert commit(repo) == ""
    doc = read(repo)
    assert doc["key_findings"].startswith("Theirs")
    assert at(doc, *FUNDING)["answer"] is True


def test_no_verify_commits_the_conflict_deliberately_and_later_commits_pass(
    repo: Path,
) -> None:
    conflicted(repo)
    git(repo, "add", V4)
    assert "unresolved scan conflict" in commit(repo)
    assert commit(repo, "--no-verify") == ""
    # the record is stale now that the merge is committed: it blocks nothing
    doc = read(repo)
    doc["key_findings"] = "A later rescan."
    write(repo, doc)
    git(repo, "add", V4)
    assert staged_check(repo)[0] == 0
    assert git(repo, "commit", "-q", "-m", "rescan", check=False).returncode == 0


@pytest.mark.parametrize("way_out", ["accept", "take"])
def test_a_hand_edit_of_a_conflicted_scan_is_refused_with_the_ways_out(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], way_out: str
) -> None:
    conflicted(repo)
    doc = read(repo)
    doc["key_findings"] = "Merged by hand from both findings."
    write(repo, doc)
    git(repo, "add", V4)
    refused = commit(repo)
    assert f"{V4}: $: unresolved scan conflict: {BOTH}; the file was edited since the merge: " in (
        refused
    )
    assert f"if the edit resolves it, tools/resolve {KEY} --accept --add; " in refused
    assert f"else tools/resolve {KEY} --take ours|theirs --force\n" in refused
    if way_out == "accept":
        assert resolve(monkeypatch, repo, KEY, "--accept", "--add") == 0
        assert f"{V4}: accepted as it is, as the resolution" in capsys.readouterr().out
        assert read(repo)["key_findings"] == "Merged by hand from both findings."
    else:
        assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--force", "--add") == 0
        assert read(repo)["key_findings"].startswith("Theirs")
    assert commit(repo) == ""


def test_accept_refuses_an_edit_that_is_no_valid_scan(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    conflicted(repo)
    doc = read(repo)
    del doc["key_findings"]
    write(repo, doc)
    assert resolve(monkeypatch, repo, KEY, "--accept", "--add") == 1
    assert f"{V4}: not a valid scan; not accepted:" in capsys.readouterr().out
    assert git(repo, "status", "--porcelain", "--", V4).stdout == f"UU {V4}\n"
    with pytest.raises(SystemExit):
        resolve(monkeypatch, repo, KEY, "--accept", "--take", "ours")
    assert "--accept goes with the paper and --add only" in capsys.readouterr().err


def one_conflict_ours(doc: dict[str, Any]) -> None:
    at(doc, *FUNDING)["answer"] = True
    doc["key_findings"] = "Ours: narrow misalignment is hard."


def one_conflict_theirs(doc: dict[str, Any]) -> None:
    at(doc, *FUNDING)["justification"] = "Funding is stated in the acknowledgments."


@pytest.mark.parametrize("conflicts", [1, 2])
def test_the_readme_recipe_stages_and_commits(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], conflicts: int
) -> None:
    if conflicts == 1:
        branches(repo, one_conflict_ours, one_conflict_theirs)
    else:
        branches(repo, ours_side, theirs_side)
    merged = git(repo, "merge", "theirs", check=False)
    plural = "s" * (conflicts != 1)
    assert f"scanrepo merge: {V4}: {conflicts} conflict{plural}:" in merged.stderr
    # the recipe of README.md "Merge two reviewers' branches"
    assert resolve(monkeypatch, repo) == 1
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--item", "funding_disclosed") == 0
    if conflicts == 1:
        assert f"{V4}: no conflicts left; valid; stage it: git add {V4}" in capsys.readouterr().out
        assert resolve(monkeypatch, repo) == 0  # nothing left to resolve; it says what to stage
        assert capsys.readouterr().out == f"{V4}: no conflicts left; stage it: git add {V4}\n"
    else:
        git(repo, "add", V4)  # staged too early: key_findings is still ours only
        code, output = staged_check(repo)
        assert code == 1
        assert f"unresolved scan conflict: key_findings; {RESOLVE_HINT}" in output
    assert resolve(monkeypatch, repo, KEY, "--take", "ours", "--add") == 0
    assert f"{V4}: no conflicts left; valid; staged" in capsys.readouterr().out
    assert git(repo, "status", "--porcelain", "--", V4).stdout == f"M  {V4}\n"
    assert commit(repo) == ""
    doc = read(repo)
    assert at(doc, *FUNDING) == at(fixture_doc(), *FUNDING) | {
        "justification": "Funding is stated in the acknowledgments."
    }
    assert doc["key_findings"].startswith("Ours")


def test_a_side_over_the_size_limit_leaves_a_record_resolve_lists(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    merge_unmergeable(repo, lambda data: data + b" " * MAX_BYTES)  # whitespace past the limit
    assert resolve(monkeypatch, repo) == 1
    listing = capsys.readouterr().out
    assert f"{V4}: could not be merged item by item; the file is ours as it was:" in listing
    huge = git(repo, "cat-file", "-s", f"theirs:{V4}").stdout.strip()
    assert f"  theirs:{V4}: $: file is {huge} bytes; a scan may have at most {MAX_BYTES}" in (
        listing
    )
    git(repo, "add", V4)
    refused = commit(repo)
    assert "unresolved scan conflict: the whole file (it could not be merged item by item)" in (
        refused
    )
    assert f"or edit it and accept your edit: tools/resolve {KEY} --accept --add" in listing
    assert resolve(monkeypatch, repo, KEY, "--take", "ours") == 0  # from HEAD, once staged
    capsys.readouterr()
    assert resolve(monkeypatch, repo) == 0
    assert capsys.readouterr().out == f"{V4}: no conflicts left; stage it: git add {V4}\n"
    assert resolve(monkeypatch, repo, KEY, "--take", "ours", "--add") == 0
    assert commit(repo) == ""


def test_resolve_during_a_rebase_names_upstream_and_the_replayed_commit(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    branches(repo, ours_side, theirs_side)
    git(repo, "checkout", "-q", "theirs")
    replayed = git(repo, "rev-parse", "--short", "HEAD").stdout.strip()
    rebased = git(repo, "rebase", "main", check=False)
    assert rebased.returncode != 0
    assert f"scanrepo merge: {V4}: 2 conflicts:" in rebased.stderr
    assert resolve(monkeypatch, repo) == 1
    listing = capsys.readouterr().out
    assert listing.startswith(
        "a rebase is in progress: ours is the upstream you are rebasing onto (with the commits "
        f"replayed so far), theirs is the commit being replayed: {replayed} theirs\n"
        f"{V4}: 2 conflicts\n"
    )
    assert resolve(monkeypatch, repo, KEY, "--take", "theirs", "--add") == 0
    assert "theirs is the commit being replayed" in capsys.readouterr().out
    assert read(repo)["key_findings"].startswith("Theirs")


def test_after_merge_abort_the_stale_record_blocks_no_commit(repo: Path) -> None:
    conflicted(repo)
    git(repo, "add", V4)
    assert staged_check(repo)[0] == 1
    git(repo, "merge", "--abort")
    assert list((repo / ".git" / "scanrepo-conflicts").glob("*.json"))  # left behind
    doc = read(repo)
    doc["key_findings"] = "A later rescan."
    write(repo, doc)
    git(repo, "add", V4)
    code, output = staged_check(repo)
    assert code == 0, output
    assert commit(repo, "-m", "rescan") == ""
