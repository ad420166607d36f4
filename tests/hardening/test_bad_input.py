"""Bad input, tool by tool: every damaged scan gets a clear error naming the file, the JSON path
and, for syntax, line and column; no traceback, no write, exit 1.

One repository holds every case at once (one file per case, each its own paper), and each tool
runs over it once: tools/validate on the work tree, on git's index (--staged) and on a commit
(--rev), and tools/migrate, which must refuse the whole migration and write nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import TOOLS, canonical, git
from scanrepo.jsonio import MAX_BYTES
from toolruns import (
    Outcome,
    commit_all,
    init_repo,
    migrate,
    put_scan,
    scan_doc,
    scan_path,
    snapshot,
    validate,
)

Make = Callable[[int, str], bytes]  # (scan version, paper key) -> the file's bytes


@dataclass(frozen=True)
class Bad:
    id: str
    message: str  # what every tool says about it
    make: Make
    located: bool = True  # a syntax error: exactly one problem, with line and column


def text_edit(pattern: bytes, replacement: bytes) -> Make:
    """The scan's canonical bytes with the first match of ``pattern`` replaced."""

    def make(version: int, key: str) -> bytes:
        data = canonical(scan_doc(version, key))
        edited, count = re.subn(pattern, lambda _: replacement, data, count=1)
        assert count == 1, pattern
        return edited

    return make


def whole(transform: Callable[[bytes], bytes]) -> Make:
    return lambda version, key: transform(canonical(scan_doc(version, key)))


def doc_edit(edit: Callable[[dict[str, Any]], Any]) -> Make:
    """The scan edited as a document, then written canonically (so only the edit is wrong)."""

    def make(version: int, key: str) -> bytes:
        doc = scan_doc(version, key)
        result = edit(doc)
        return canonical(doc if result is None else result)

    return make


def first_score(doc: dict[str, Any]) -> dict[str, Any]:
    factors = doc.get("engagement_factors", doc.get("engagement"))
    assert isinstance(factors, dict)
    factor: dict[str, Any] = next(iter(factors.values()))
    return factor


def set_score(value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: first_score(doc).__setitem__("score", value)


def set_paper(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc["paper"].__setitem__(field, value)


def set_version(value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.__setitem__("scan_version", value)


def other_version(version: int, key: str) -> bytes:
    return canonical(scan_doc(7 - version, key))


def other_paper(version: int, key: str) -> bytes:
    return canonical(scan_doc(version, "2699.99999"))


CONFLICT = b'<<<<<<< HEAD\n    "title": "Ours",\n=======\n    "title": "Theirs",\n>>>>>>> rescan\n'

SYNTAX = [
    Bad(
        "duplicate-key",
        'duplicate key "scan_version"',
        text_edit(b"^{\n", b'{\n  "scan_version": 1,\n'),
    ),
    Bad(
        "duplicate-key-deep",
        'duplicate key "justification"',
        text_edit(rb'"justification": ', b'"justification": "x",\n      "justification": '),
    ),
    Bad("nan", "NaN is not allowed", text_edit(rb'"year": \d+', b'"year": NaN')),
    Bad("infinity", "Infinity is not allowed", text_edit(rb'"score": \d', b'"score": Infinity')),
    Bad(
        "minus-infinity",
        "-Infinity is not allowed",
        text_edit(rb'"score": \d', b'"score": -Infinity'),
    ),
    Bad("float-overflow", "too large for a float", text_edit(rb'"score": \d', b'"score": 1e400')),
    Bad(
        "int-digits",
        "5000 digits is too long",
        text_edit(rb'"year": \d+', b'"year": ' + b"9" * 5000),
    ),
    Bad("bom", "byte-order mark", whole(lambda d: b"\xef\xbb\xbf" + d)),
    Bad("utf16", "UTF-16", whole(lambda d: d.decode().encode("utf-16"))),
    Bad("utf16-no-bom", "UTF-16 (big-endian", whole(lambda d: d.decode().encode("utf-16-be"))),
    Bad("utf32", "UTF-32", whole(lambda d: d.decode().encode("utf-32"))),
    Bad("invalid-utf8", "invalid UTF-8", text_edit(b'"title": "', b'"title": "\xc3\x28')),
    Bad("lone-surrogate", "lone surrogate", text_edit(b'"title": "', b'"title": "\\udc00')),
    Bad("nul", "NUL byte", text_edit(b'"title": "', b'"title": "\x00')),
    Bad("control-char", "raw control character", text_edit(b'"title": "', b'"title": "\x1b[2J')),
    Bad("nesting", "nesting deeper than", lambda v, k: b"[" * 100_000 + b"]" * 100_000),
    Bad("empty", "empty file", lambda v, k: b""),
    Bad("blank", "empty file", lambda v, k: b" \n\t\r\n"),
    Bad(
        "conflict-markers", "merge conflict marker", text_edit(rb'    "title": [^\n]*\n', CONFLICT)
    ),
    Bad("truncated", "unexpected end of file", whole(lambda d: d[: d.index(b"\n", len(d) // 2)])),
    Bad("trailing-data", "unexpected data after the JSON document", whole(lambda d: d + b"\n{}")),
]
SCHEMA = [
    Bad("not-an-object", "a scan is a JSON object, not list", doc_edit(lambda d: [d]), False),
    Bad(
        "version-missing",
        "missing scan_version",
        doc_edit(lambda d: d.__delitem__("scan_version")),
        False,
    ),
    Bad(
        "version-string",
        "scan_version must be an integer, not '4'",
        doc_edit(set_version("4")),
        False,
    ),
    Bad(
        "version-float",
        "scan_version must be an integer, not 4.0",
        doc_edit(set_version(4.0)),
        False,
    ),
    Bad(
        "version-bool",
        "scan_version must be an integer, not True",
        doc_edit(set_version(True)),
        False,
    ),
    Bad("version-newer", "unknown scan_version 99", doc_edit(set_version(99)), False),
    Bad("version-2^64", f"unknown scan_version {2**64}", doc_edit(set_version(2**64)), False),
    Bad(
        "year-float", "2026.0 is not of type 'integer'", doc_edit(set_paper("year", 2026.0)), False
    ),
    Bad(
        "year-minus-zero",
        "0 is less than the minimum of 1900",
        text_edit(rb'"year": \d+', b'"year": -0'),
        False,
    ),
    Bad(
        "year-2^53",
        f"{2**53 + 1} is greater than the maximum of 2100",
        doc_edit(set_paper("year", 2**53 + 1)),
        False,
    ),
    Bad(
        "score-minus-zero-float", "-0.0 is not of type 'integer'", doc_edit(set_score(-0.0)), False
    ),
    Bad(
        "score-2^53",
        f"{2**53 + 1} is greater than the maximum of 3",
        doc_edit(set_score(2**53 + 1)),
        False,
    ),
    Bad("wrong-version-directory", "but the file is in scans/v", other_version, False),
    Bad("file-name-not-paper-key", "file name says", other_paper, False),
]
CASES = SYNTAX + SCHEMA
# Cases that live in the file system rather than in the bytes: what each tool names and says.
BIG, DIRECTORY, SYMLINK = "too-large", "directory", "symlink-outside"
FS_CASES = (BIG, DIRECTORY, SYMLINK)


def key_of(case_id: str) -> str:
    ids = [c.id for c in CASES] + list(FS_CASES)
    return f"2602.1{ids.index(case_id):04d}"


@dataclass(frozen=True)
class Surface:
    """One tool's run over the repository of bad inputs."""

    outcome: Outcome
    version: int  # the version of the scans it was given
    prefix: str = ""  # how it names a file: "" or "HEAD:"
    from_git: bool = False


def place_cases(repo: Path, version: int) -> None:
    for case in CASES:
        put_scan(repo, version, key_of(case.id), case.make(version, key_of(case.id)))


def place_fs_cases(repo: Path, version: int, outside: Path, big: int) -> None:
    big_path = put_scan(repo, version, key_of(BIG), b"")
    with big_path.open("r+b") as handle:
        handle.truncate(big)  # sparse: instant, and a tool that read it all would be slow
    directory = repo / scan_path(version, key_of(DIRECTORY))
    directory.mkdir()
    (directory / "inner").write_bytes(b"{}")
    target = outside / f"{key_of(SYMLINK)}.json"
    target.write_bytes(canonical(scan_doc(version, key_of(SYMLINK))))
    link = repo / scan_path(version, key_of(SYMLINK))
    link.symlink_to(target)


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Surface]:
    base = tmp_path_factory.mktemp("bad-input")
    outside = base / "outside"
    outside.mkdir()
    found: dict[str, Surface] = {}

    v4 = init_repo(base / "v4")
    place_cases(v4, 4)
    place_fs_cases(v4, 4, outside, MAX_BYTES + 1)
    git(v4, "add", "-A")
    found["validate --staged"] = Surface(validate(v4, "--staged"), 4, from_git=True)
    commit_all(v4, "every bad input")
    found["validate --rev"] = Surface(validate(v4, "--rev", "HEAD"), 4, "HEAD:", True)
    put_scan(v4, 4, key_of(BIG), b"")
    with (v4 / scan_path(4, key_of(BIG))).open("r+b") as handle:
        handle.truncate(100 * 1024 * 1024)
    found["validate"] = Surface(validate(v4), 4)

    v3 = init_repo(base / "v3")
    place_cases(v3, 3)
    place_fs_cases(v3, 3, outside, 100 * 1024 * 1024)
    put_scan(v3, 3, "2603.00001")  # a healthy scan, which must not move either
    git(v3, "add", "-A", ":!" + scan_path(3, key_of(BIG)))
    git(v3, "commit", "-qm", "v3 scans")
    before, index = snapshot(v3), git(v3, "ls-files", "--stage").stdout
    found["migrate"] = Surface(migrate(v3, "--to", "4"), 3)
    assert snapshot(v3) == before, "tools/migrate wrote despite bad input"
    assert git(v3, "ls-files", "--stage").stdout == index
    assert snapshot(outside) == {p.name: p.read_bytes() for p in outside.iterdir()}, (
        "a file outside the repository changed"
    )
    return found


TOOL_NAMES = ["validate", "validate --staged", "validate --rev", "migrate"]


@pytest.mark.parametrize("tool", TOOL_NAMES)
def test_each_tool_exits_1_without_a_traceback(tool: str, surfaces: dict[str, Surface]) -> None:
    surface = surfaces[tool]
    surface.outcome.assert_clean(1)
    if tool == "migrate":
        assert "nothing was written" in surface.outcome.err


@pytest.mark.parametrize("tool", TOOL_NAMES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_scan_gets_one_clear_error(case: Bad, tool: str, surfaces: dict[str, Surface]) -> None:
    surface = surfaces[tool]
    name = surface.prefix + scan_path(surface.version, key_of(case.id))
    lines = surface.outcome.lines_about(name)
    assert lines, f"{name} not reported:\n{surface.outcome.text[-2000:]}"
    messages = [m["message"] for m in lines]
    assert any(case.message in message for message in messages), messages
    if case.located:
        assert len(lines) == 1, messages
        assert lines[0]["line"] and lines[0]["col"], lines[0].group()
        assert lines[0]["path"].startswith("$")


FS_EXPECTED = {
    # case: (message in the work tree, message from git, file git names)
    BIG: (f"at most {MAX_BYTES}", f"at most {MAX_BYTES}", ""),
    DIRECTORY: ("is a directory, not a scan file", "not a scan file", "/inner"),
    SYMLINK: ("is a symbolic link", "is a symbolic link", ""),
}


@pytest.mark.parametrize("tool", TOOL_NAMES)
@pytest.mark.parametrize("case", FS_CASES)
def test_file_system_oddities_are_named(case: str, tool: str, surfaces: dict[str, Surface]) -> None:
    surface = surfaces[tool]
    worktree_message, git_message, suffix = FS_EXPECTED[case]
    name = surface.prefix + scan_path(surface.version, key_of(case))
    if surface.from_git:
        name += suffix
    lines = surface.outcome.lines_about(name)
    assert len(lines) == 1, surface.outcome.text[-2000:]
    assert (git_message if surface.from_git else worktree_message) in lines[0]["message"]


def as_nobody() -> list[str]:
    """The command prefix that runs a program as the unprivileged user, or a skip."""
    runner = shutil.which("setpriv")
    if runner is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run the tools as another user")
    prefix = [runner, "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, str(TOOLS / "validate"), "--help"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("the unprivileged user cannot run the tools from this checkout")
    return prefix


def test_a_file_without_read_permission_is_named() -> None:
    """Root reads any file, so the tools run as an unprivileged user for this one, in a
    repository that user owns (pytest's own temp directories are closed to other users)."""
    prefix = as_nobody()
    base = Path(tempfile.mkdtemp(prefix="scanrepo-unreadable-"))
    try:
        repo = init_repo(base / "repo")
        new, old = put_scan(repo, 4, "2602.00001"), put_scan(repo, 3, "2602.00002")
        commit_all(repo)
        for path in (base, *base.rglob("*")):
            os.lchown(path, 65534, 65534)
        new.chmod(0)
        old.chmod(0)
        before = snapshot(repo)
        env = {**os.environ, "HOME": str(base)}

        def tool(*args: str) -> subprocess.CompletedProcess[str]:
            command = [*prefix, sys.executable, *args]
            return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)

        validated = tool(str(TOOLS / "validate"))
        assert validated.returncode == 1, validated.stderr
        assert (
            f"{scan_path(4, '2602.00001')}: $: cannot read: Permission denied" in validated.stdout
        )
        migrated = tool(str(TOOLS / "migrate"), "--to", "4")
        assert migrated.returncode == 1, migrated.stderr
        assert f"{scan_path(3, '2602.00002')}: $: cannot read: Permission denied" in migrated.stdout
        assert "nothing was written" in migrated.stderr
        for result in (validated, migrated):
            assert "Traceback" not in result.stderr
        assert snapshot(repo) == before
    finally:
        shutil.rmtree(base)
