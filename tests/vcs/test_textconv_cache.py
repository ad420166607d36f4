"""git's textconv cache of scans: filled by tools/setup-git and its hooks, keyed by the tools."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, canonical, clone_of_tools, git, run_tool
from scanrepo.toolkit import fingerprint
from scanstory import FUNDING, Story, item, paper_a

NOTES = "refs/notes/textconv/scanrepo"
KEYED = re.compile(r"tools/scan-textconv --cache-key ([0-9a-f]{16})-([0-9a-f]{16})")
LINE = "checklist.conflicts_of_interest.funding_disclosed: applies yes, answer {}, source opus"
BROKEN_DRIVER = "#!/bin/sh\necho 'the driver ran' >&2\nexit 3\n"


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> Story:
    """Paper A added, then rescanned (one answer flips), in a repository with its own tools;
    tools/setup-git ran after the commits, so it filled the cache for both."""
    root = tmp_path_factory.mktemp("cached") / "repo"
    story = Story(root)
    root.mkdir()
    story.run("init", "-q", "-b", "main")
    clone_of_tools(root)
    shutil.copy(ROOT / ".gitattributes", root / ".gitattributes")
    (root / ".gitignore").write_text("tools/\nschema/\nmigrations/\n")
    a = paper_a()
    story.write(a)
    story.commit("add", "Add 2602.07852")
    item(a, FUNDING)["answer"] = True
    story.write(a)
    story.commit("rescan", "Rescan 2602.07852")
    setup = run_tool("setup-git", cwd=root)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "filled: textconv cache (refs/notes/textconv/scanrepo): 2 scan texts rendered" in (
        setup.stdout.splitlines()
    )
    return story


@pytest.fixture
def copy(cached: Story, tmp_path: Path) -> Path:
    """The cached repository, hooks, configuration and notes included, to change."""
    path = tmp_path / "repo"
    shutil.copytree(cached.root, path, symlinks=True)
    return path


def blob_of(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}:scans/v4/2602/2602.07852.json").stdout.strip()


def note(repo: Path, blob: str) -> str | None:
    done = git(repo, "notes", "--ref", NOTES, "show", blob, check=False)
    return done.stdout if done.returncode == 0 else None


def driver_text(repo: Path, blob: str, tmp_path: Path) -> str:
    """What tools/scan-textconv prints for the blob, as git would run it."""
    scan = tmp_path / "2602.07852.json"
    scan.write_bytes(subprocess.run(["git", "cat-file", "blob", blob], cwd=repo,
                                    capture_output=True, check=True).stdout)  # fmt: skip
    return run_tool("scan-textconv", str(scan), cwd=repo).stdout


def break_driver(repo: Path) -> None:
    """From now on, git shows a scan's text only from the cache: the driver fails."""
    (repo / "tools" / "scan-textconv").write_text(BROKEN_DRIVER)


def test_setup_keys_the_command_and_fills_the_cache_with_the_drivers_text(
    cached: Story, tmp_path: Path
) -> None:
    repo = cached.root
    command = git(repo, "config", "diff.scanrepo.textconv").stdout.strip()
    assert (found := KEYED.fullmatch(command)) is not None
    assert found[1] == fingerprint(repo / "schema", repo / "migrations", repo / "tools/scanrepo")
    assert git(repo, "config", "diff.scanrepo.cachetextconv").stdout.strip() == "true"
    assert git(repo, "log", "-1", "--format=%s", NOTES).stdout.strip() == command
    for rev in ("add", "rescan"):
        blob = blob_of(repo, rev)
        assert note(repo, blob) == driver_text(repo, blob, tmp_path)
    again = run_tool("setup-git", cwd=repo)
    assert "unchanged: diff.scanrepo.textconv in .git/config" in again.stdout.splitlines()
    assert (
        "unchanged: textconv cache (refs/notes/textconv/scanrepo): every scan of the history "
        "has its text" in again.stdout.splitlines()
    )


def test_git_show_and_log_p_read_the_cache_and_never_start_the_driver(copy: Path) -> None:
    uncached = git(copy, "-c", "diff.scanrepo.cachetextconv=false", "show", "rescan").stdout
    break_driver(copy)
    show = git(copy, "show", "rescan")
    assert show.stdout == uncached
    assert "the driver ran" not in show.stderr
    assert "-" + LINE.format("no") in show.stdout.splitlines()
    assert "+" + LINE.format("yes") in show.stdout.splitlines()
    log = git(copy, "log", "-p", "--format=%s").stdout
    assert log.count("+# scan of paper 2602.07852") == 1


def test_a_commit_is_rendered_into_the_cache_by_the_hook(copy: Path) -> None:
    scan = copy / "scans/v4/2602/2602.07852.json"
    doc = json.loads(scan.read_bytes())
    item(doc, FUNDING)["answer"] = False
    scan.write_bytes(canonical(doc))
    git(copy, "commit", "-qam", "Rescan again")
    assert note(copy, blob_of(copy, "HEAD")) is not None
    break_driver(copy)
    show = git(copy, "show", "HEAD").stdout.splitlines()
    assert "-" + LINE.format("yes") in show
    assert "+" + LINE.format("no") in show


def test_changed_tools_give_a_new_key_so_no_stale_text_is_shown(copy: Path) -> None:
    before = KEYED.fullmatch(git(copy, "config", "diff.scanrepo.textconv").stdout.strip())
    assert before is not None
    renderer = copy / "tools/scanrepo/diff/textconv.py"
    renderer.write_text(renderer.read_text().replace('"# scan of paper ', '"# SCAN OF PAPER '))
    # the tools change with a commit (here of the tools themselves): the hook sees it
    git(copy, "add", "-f", "tools/scanrepo/diff/textconv.py")
    committed = git(copy, "commit", "-qm", "New heading")
    assert "the tools changed, so git's textconv cache" in committed.stderr
    after = KEYED.fullmatch(git(copy, "config", "diff.scanrepo.textconv").stdout.strip())
    assert after is not None
    assert after[1] != before[1] and after[2] == before[2]  # new fingerprint, same clone part
    show = git(copy, "show", "add").stdout  # the old notes are ignored: the driver renders
    assert "+# SCAN OF PAPER 2602.07852" in show.splitlines()
    assert "# scan of paper" not in show
    # its own tools render the history again
    setup = subprocess.run([sys.executable, str(copy / "tools/setup-git")], cwd=copy, check=False)
    assert setup.returncode == 0
    assert git(copy, "log", "-1", "--format=%s", NOTES).stdout.strip() == after[0]
    break_driver(copy)
    show = git(copy, "show", "add").stdout
    assert "+# SCAN OF PAPER 2602.07852" in show.splitlines()
    assert "# scan of paper" not in show


def test_a_checkout_that_changes_a_migration_gives_a_new_key(copy: Path) -> None:
    before = git(copy, "config", "diff.scanrepo.textconv").stdout.strip()
    migration = next((copy / "migrations").glob("v3_to_v4.py"))
    migration.write_text(migration.read_text() + "\n# changed\n")
    checkout = git(copy, "checkout", "-q", "add")
    assert "the tools changed" in checkout.stderr
    after = git(copy, "config", "diff.scanrepo.textconv").stdout.strip()
    assert after != before
    assert git(copy, "log", "-1", "--format=%s", NOTES).stdout.strip() == before  # now ignored


def test_notes_fetched_from_another_clone_are_never_shown(copy: Path, tmp_path: Path) -> None:
    """Another clone's cache (its own key) holding a forged text is fetched over ours: git
    ignores it, as its message is not our command, and the driver renders the scan."""
    forger = tmp_path / "forger"
    shutil.copytree(copy, forger, symlinks=True)
    git(forger, "config", "diff.scanrepo.textconv", "tools/scan-textconv")
    assert run_tool("setup-git", cwd=forger).returncode == 0  # a new clone part
    forged = forger / "forged.txt"
    forged.write_text("# scan of paper 2602.07852\nFORGED: nothing changed\n")
    blob = blob_of(forger, "rescan")
    git(forger, "notes", "--ref", NOTES, "add", "-f", "-F", str(forged), blob)
    git(copy, "fetch", "-q", str(forger), f"+{NOTES}:{NOTES}")
    assert note(copy, blob) == forged.read_text()  # the forged note is there
    show = git(copy, "show", "rescan").stdout
    assert "FORGED" not in show
    assert "+" + LINE.format("yes") in show.splitlines()


def test_fingerprint_follows_schemas_migrations_and_code(tmp_path: Path) -> None:
    for name in ("schema", "migrations", "tools"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    dirs = (tmp_path / "schema", tmp_path / "migrations", tmp_path / "tools/scanrepo")
    first = fingerprint(*dirs)
    assert fingerprint(*dirs) == first
    (tmp_path / "tools/scanrepo/notes.txt").write_text("not code")
    assert fingerprint(*dirs) == first
    seen = {first}
    for changed in ("schema/v4.json", "migrations/v3_to_v4.py", "tools/scanrepo/render/inert.py"):
        path = tmp_path / changed
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        seen.add(fingerprint(*dirs))
        path.write_bytes(original)
    assert len(seen) == 4
    assert fingerprint(*dirs) == first


def test_a_fetched_commit_is_rendered_on_arrival(copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(copy), str(other))  # no hooks, no cache
    scan = other / "scans/v4/2602/2602.07852.json"
    doc = json.loads(scan.read_bytes())
    item(doc, FUNDING)["answer"] = False
    scan.write_bytes(canonical(doc))
    git(other, "commit", "-qam", "Rescan elsewhere")
    git(copy, "fetch", "-q", str(other), "main:refs/remotes/other/main")
    assert note(copy, blob_of(copy, "refs/remotes/other/main")) is not None
    break_driver(copy)
    show = git(copy, "show", "refs/remotes/other/main").stdout.splitlines()
    assert "+" + LINE.format("no") in show


def test_a_copy_of_the_tools_has_the_fingerprint_of_the_original(tmp_path: Path) -> None:
    # a copy turns the package's links to schema/ and migrations/ into files; they count once
    clone_of_tools(tmp_path)
    copied = tmp_path / "tools/scanrepo/_data/migrations"
    assert copied.is_dir() and not copied.is_symlink()
    original = fingerprint(ROOT / "schema", ROOT / "migrations", ROOT / "tools/scanrepo")
    copy = fingerprint(tmp_path / "schema", tmp_path / "migrations", tmp_path / "tools/scanrepo")
    assert copy == original
