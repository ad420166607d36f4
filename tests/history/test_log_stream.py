"""The whole-history log read as a stream (``GitRepo.fields``, ``gitlog.revisions``): the same
fields as git's whole output split at its NULs, whatever the chunks it arrives in, and the
revisions worked out by hand for odd names, a move between version directories and a merge."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import git
from scanrepo.errors import ScanRepoError
from scanrepo.history import gitlog
from scanrepo.history.gitlog import COUNTED, FORMAT, Copy, revisions
from scanrepo.vcs import repo as repo_module
from scanrepo.vcs.repo import GitRepo

OLD = "2601.00001"
SPACES = "key with spaces, \u00fc and \t"  # a tab and a two-byte character
NEWLINE = "new\nline"
LATIN = os.fsdecode(b"caf\xe9")  # a byte that is no UTF-8: read as git's output is decoded
AUTHOR = "Zo\u00eb \u014ctsuka"
SUBJECT = 'Import: \u00fcn\u00efcode \u2603 "quoted" \x01 odd'
LOG = (
    "log",
    *COUNTED,
    "--reverse",
    f"--format={FORMAT}",
    "--raw",
    "-z",
    "--no-renames",
    "--no-abbrev",
    "HEAD",
    "--",
    "scans/",
)


def commit(root: Path, tick: int, message: str, author: str = "Test Author") -> str:
    date = f"2026-03-01T00:{tick:02d}:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    env["GIT_AUTHOR_NAME"] = author
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, env=env, check=True)
    return git(root, "rev-parse", "HEAD").stdout.strip()


def put(root: Path, path: str, text: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Five commits: an import with odd names, a move from v3 to v4, a side branch and main
    changing one scan, and the merge that settles it with a third text."""
    root = tmp_path_factory.mktemp("odd") / "repo"
    root.mkdir()
    git(root, "init", "-q")
    put(root, f"scans/v3/2601/{OLD}.json", "a1")
    put(root, f"scans/v4/odd shard/{SPACES}.json", "b1")
    put(root, f"scans/v4/x/{NEWLINE}.json", "n1")
    put(root, f"scans/v4/x/{LATIN}.json", "l1")
    put(root, "scans/README.md", "not a scan")
    (root / "scans/v4/x/2601.00009.json").symlink_to(f"{NEWLINE}.json")  # no revision
    commits = {"import": commit(root, 1, SUBJECT, AUTHOR)}
    git(root, "rm", "-q", f"scans/v3/2601/{OLD}.json")
    put(root, f"scans/v4/2601/{OLD}.json", "a2")
    commits["move"] = commit(root, 2, "Migrate")
    git(root, "checkout", "-q", "-b", "side")
    put(root, f"scans/v4/odd shard/{SPACES}.json", "b2")
    commits["side"] = commit(root, 3, "Side")
    git(root, "checkout", "-q", "main")
    put(root, f"scans/v4/odd shard/{SPACES}.json", "b3")
    put(root, f"scans/v4/x/{NEWLINE}.json", "n2")
    commits["main"] = commit(root, 4, "Main")
    assert git(root, "merge", "-q", "side", check=False).returncode != 0  # a conflict
    put(root, f"scans/v4/odd shard/{SPACES}.json", "b4")
    commits["merge"] = commit(root, 5, "Merge side")
    return root, commits


@pytest.fixture(params=[1, 5, 1 << 16])
def chunked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """git's output read in chunks of 1 byte, 5 bytes (fields and characters cut anywhere) and
    the usual 64 KB."""
    monkeypatch.setattr(repo_module, "_FIELDS_CHUNK", request.param)


def blob(root: Path, commit: str, path: str) -> str:
    return git(root, "rev-parse", f"{commit}:{path}").stdout.strip()


@pytest.mark.usefixtures("chunked")
def test_the_stream_is_git_s_whole_output_in_fields(odd: tuple[Path, dict[str, str]]) -> None:
    root, _ = odd
    whole = subprocess.run(["git", *LOG], cwd=root, capture_output=True, check=True).stdout
    assert whole.endswith(b"\0")
    with GitRepo(root) as repo:
        assert list(repo.fields(*LOG)) == os.fsdecode(whole[:-1]).split("\0")


@pytest.mark.usefixtures("chunked")
def test_revisions_of_odd_names_a_move_and_a_merge(odd: tuple[Path, dict[str, str]]) -> None:
    root, c = odd
    old_path, new_path = f"scans/v3/2601/{OLD}.json", f"scans/v4/2601/{OLD}.json"
    spaces, newline, latin = (
        f"scans/v4/odd shard/{SPACES}.json",
        f"scans/v4/x/{NEWLINE}.json",
        f"scans/v4/x/{LATIN}.json",
    )

    def at(commit: str, path: str, key: str) -> Copy:
        return Copy(path.rsplit("/", 1)[0], key, bytes.fromhex(blob(root, commit, path)))

    expected = [
        # the import, papers by key; the symbolic link and the README are no revisions
        ("import", OLD, None, at(c["import"], old_path, OLD), ()),
        ("import", LATIN, None, at(c["import"], latin, LATIN), ()),
        ("import", SPACES, None, at(c["import"], spaces, SPACES), ()),
        ("import", NEWLINE, None, at(c["import"], newline, NEWLINE), ()),
        # the move: one revision from the v3 copy to the v4 one
        ("move", OLD, at(c["import"], old_path, OLD), at(c["move"], new_path, OLD), ()),
        ("side", SPACES, at(c["import"], spaces, SPACES), at(c["side"], spaces, SPACES), ()),
        ("main", SPACES, at(c["import"], spaces, SPACES), at(c["main"], spaces, SPACES), ()),
        ("main", NEWLINE, at(c["import"], newline, NEWLINE), at(c["main"], newline, NEWLINE), ()),
        # the merge decided only the scan that differs from both parents; its copy on the
        # side branch comes with it
        (
            "merge",
            SPACES,
            at(c["main"], spaces, SPACES),
            at(c["merge"], spaces, SPACES),
            (at(c["side"], spaces, SPACES),),
        ),
    ]
    names = {sha: name for name, sha in c.items()}
    with GitRepo(root) as repo:
        found = list(revisions(repo, c["merge"]))
    assert [(names[r.commit.sha], r.key, r.old, r.new, r.others) for r in found] == expected
    assert (found[0].commit.author, found[0].commit.subject) == (AUTHOR, SUBJECT)
    assert found[0].new is not None and found[0].new.path == old_path
    assert found[2].new is not None and found[2].new.path == spaces
    # the copy one revision leaves is the very one the next starts from
    assert found[4].old is found[0].new


def test_a_failing_git_log_is_one_clear_error(odd: tuple[Path, dict[str, str]]) -> None:
    root, _ = odd
    with GitRepo(root) as repo, pytest.raises(ScanRepoError, match=r"^git log: fatal: "):
        list(gitlog.raw_log(repo, "no-such-branch", ["scans/"]))
