"""Bad input, tool by tool: every damaged scan gets a clear error naming the file, the JSON path
and, for syntax, line and column; no traceback, no write, exit 1.

One repository holds every case at once (one file per case, each its own paper), and each tool
runs over it once: tools/validate on the work tree, on git's index (--staged) and on a commit
(--rev), and tools/migrate, which must refuse the whole migration and write nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import TOOLS, canonical, git
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.export import main as export_main
from scanrepo.cli.log import main as log_main
from scanrepo.cli.merge_driver import main as merge_driver_main
from scanrepo.cli.report import main as report_main
from scanrepo.cli.scan_textconv import main as textconv_main
from scanrepo.cli.stats import main as stats_main
from scanrepo.format.strictjson import MAX_BYTES
from toolruns import (
    PROBLEM_LINE,
    Outcome,
    commit_all,
    init_repo,
    migrate,
    put_scan,
    run_in,
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
class Found:
    """One problem a tool reported about a file."""

    line: int | None
    col: int | None
    path: str
    message: str


@dataclass
class Surface:
    """What one tool said about the repository of bad inputs, by the file names it uses."""

    version: int  # the version of the scans it was given
    name: Callable[[str], str]  # a scan's path -> the name the tool gives it
    from_git: bool
    outcomes: list[Outcome] = field(default_factory=list)
    found: dict[str, list[Found]] = field(default_factory=dict)
    applies: Callable[[str], bool] = lambda case_id: True

    def add(self, file: str, line: Any, col: Any, path: str, message: str) -> None:
        self.found.setdefault(file, []).append(Found(line, col, path, message))

    def add_json(self, problems: list[dict[str, Any]]) -> None:
        for p in problems:
            self.add(p["file"], p["line"], p["col"], p["path"], p["message"])

    def add_lines(self, outcome: Outcome) -> None:
        for line in outcome.text.splitlines():
            if m := PROBLEM_LINE.match(line.strip().removeprefix("left out: ")):
                line_no = int(m["line"]) if m["line"] else None
                col = int(m["col"]) if m["col"] else None
                self.add(m["file"], line_no, col, m["path"], m["message"])


def as_is(path: str) -> str:
    return path


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


TEXTCONV_NOTE = re.compile(
    r"^# scanrepo textconv: (?P<file>\S+): not shown as a scan \(line (?P<line>\d+) column "
    r"(?P<col>\d+): (?P<path>\$\S*): (?P<message>.*)\); the raw text follows$"
)
# What a tool does not judge: the history of one paper's content (log) leaves where a scan lies
# to validate; the textconv driver shows any scan it can read, valid or not.
LAYOUT = {"wrong-version-directory", "file-name-not-paper-key"}  # where a scan lies
LABELS = ("base", "ours", "theirs")  # the merge driver's arguments, as git passes them
NOT_JUDGED = {
    "log": {"wrong-version-directory", "file-name-not-paper-key", "directory"},
    "textconv": {case.id for case in SCHEMA},
    **{tool: LAYOUT for tool in ("stats", "export", "report")},
    "merge-driver": {
        "wrong-version-directory",
        "file-name-not-paper-key",
        "directory",
        "symlink-outside",
    },
}


def v4_surfaces(base: Path, outside: Path) -> dict[str, Surface]:
    """validate (three ways), diff, log and the textconv driver over v4 scans."""
    found: dict[str, Surface] = {}
    repo = init_repo(base / "v4")
    (repo / "README").write_text("before the scans\n")
    commit_all(repo, "base")
    place_cases(repo, 4)
    place_fs_cases(repo, 4, outside, MAX_BYTES + 1)
    git(repo, "add", "-A")

    staged = found["validate --staged"] = Surface(4, as_is, True)
    outcome = validate(repo, "--staged", "--format", "json")
    staged.outcomes.append(outcome)
    staged.add_json(json.loads(outcome.out)["problems"])
    commit_all(repo, "every bad input")

    rev = found["validate --rev"] = Surface(4, lambda p: f"HEAD:{p}", True)
    outcome = validate(repo, "--rev", "HEAD", "--format", "json")
    rev.outcomes.append(outcome)
    rev.add_json(json.loads(outcome.out)["problems"])

    diff = found["diff"] = Surface(4, as_is, True)
    outcome = run_in(repo, diff_main, "--format", "json", "HEAD~1", "HEAD")
    diff.outcomes.append(outcome)
    document = json.loads(outcome.out)
    diff.add_json(document["validation_problems"])
    for paper in document["papers"]:
        diff.add_json(paper["problems"])
    for form in (("--format", "markdown"), ("--stat",), ("--word-diff",)):
        diff.outcomes.append(run_in(repo, diff_main, *form, "HEAD~1", "HEAD"))

    sha = git(repo, "rev-parse", "--short=12", "HEAD").stdout.strip()
    log = found["log"] = Surface(4, lambda p: f"{sha}:{p}", True)
    for case_id in [c.id for c in CASES] + list(FS_CASES):
        if case_id not in NOT_JUDGED["log"]:
            outcome = run_in(repo, log_main, key_of(case_id), "--format", "json")
            log.outcomes.append(outcome)
            for commit in json.loads(outcome.out)["commits"]:
                for paper in commit["diff"]["papers"]:
                    log.add_json(paper["problems"])
    for case_id in (SYNTAX[0].id, SCHEMA[0].id, BIG, SYMLINK):  # the text form, in brief
        log.outcomes.append(run_in(repo, log_main, key_of(case_id)))

    # the driver as git runs it: on a copy of each file (git passes a temporary file)
    textconv = found["textconv"] = Surface(4, lambda p: Path(p).name, False)
    for case in CASES:
        outcome = run_in(repo, textconv_main, scan_path(4, key_of(case.id)))
        textconv.outcomes.append(outcome)
        if m := TEXTCONV_NOTE.match(outcome.out.split("\n", 1)[0]):
            textconv.add(m["file"], int(m["line"]), int(m["col"]), m["path"], m["message"])

    # the merge driver as git runs it: base, ours and theirs in temporary files, theirs broken
    merge = found["merge-driver"] = Surface(4, lambda p: f"theirs:{p}", False)
    sides = base / "merge-sides"
    sides.mkdir()
    for case_id in [c.id for c in CASES] + [BIG]:
        if case_id in NOT_JUDGED["merge-driver"]:
            continue
        path = scan_path(4, key_of(case_id))
        good = canonical(scan_doc(4, key_of(case_id)))
        (sides / "base").write_bytes(good)
        (sides / "ours").write_bytes(good)
        shutil.copyfile(repo / path, sides / "theirs")
        outcome = run_in(repo, merge_driver_main, *(str(sides / s) for s in LABELS), path)
        merge.outcomes.append(outcome)
        merge.add_lines(outcome)
        assert (sides / "ours").read_bytes() == good, f"{case_id}: ours was changed"

    worktree = found["validate"] = Surface(4, as_is, False)
    put_scan(repo, 4, key_of(BIG), b"")
    with (repo / scan_path(4, key_of(BIG))).open("r+b") as handle:
        handle.truncate(100 * 1024 * 1024)
    outcome = validate(repo, "--format", "json")
    worktree.outcomes.append(outcome)
    worktree.add_json(json.loads(outcome.out)["problems"])

    # the corpus tools read the work tree too, and leave out (naming) what they cannot read
    stats = found["stats"] = Surface(4, as_is, False)
    stats.outcomes.append(run_in(repo, stats_main, "--format", "json"))
    stats.add_json(json.loads(stats.outcomes[-1].out)["problems"])
    for name, main, args in (
        ("export", export_main, ("-o", str(base / "export.csv"))),
        ("report", report_main, ("-o", str(base / "report.html"))),
    ):
        surface = found[name] = Surface(4, as_is, False)
        surface.outcomes.append(run_in(repo, main, *args))
        surface.add_lines(surface.outcomes[-1])
    return found


def migrate_surface(base: Path, outside: Path) -> Surface:
    """tools/migrate over v3 scans: it refuses the whole migration and writes nothing."""
    repo = init_repo(base / "v3")
    place_cases(repo, 3)
    place_fs_cases(repo, 3, outside, 100 * 1024 * 1024)
    put_scan(repo, 3, "2603.00001")  # a healthy scan, which must not move either
    git(repo, "add", "-A", ":!" + scan_path(3, key_of(BIG)))
    git(repo, "commit", "-qm", "v3 scans")
    before, index = snapshot(repo), git(repo, "ls-files", "--stage").stdout
    outside_before = snapshot(outside)
    surface = Surface(3, as_is, False)
    outcome = migrate(repo, "--to", "4")
    surface.outcomes.append(outcome)
    surface.add_lines(outcome)
    assert "nothing was written" in outcome.err
    assert snapshot(repo) == before, "tools/migrate wrote despite bad input"
    assert git(repo, "ls-files", "--stage").stdout == index
    assert snapshot(outside) == outside_before, "a file outside the repository changed"
    return surface


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Surface]:
    base = tmp_path_factory.mktemp("bad-input")
    for name in ("outside-v4", "outside-v3"):
        (base / name).mkdir()
    found = v4_surfaces(base, base / "outside-v4")
    found["migrate"] = migrate_surface(base, base / "outside-v3")
    return found


TOOL_NAMES = [
    "validate",
    "validate --staged",
    "validate --rev",
    "migrate",
    "diff",
    "log",
    "merge-driver",
    "stats",
    "export",
    "report",
]
EXIT_CODES = {"log": (0,), "textconv": (0,)}  # log shows the history; textconv never fails


@pytest.mark.parametrize("tool", [*TOOL_NAMES, "textconv"])
def test_each_tool_ends_cleanly_with_its_documented_code(
    tool: str, surfaces: dict[str, Surface]
) -> None:
    for outcome in surfaces[tool].outcomes:
        outcome.assert_clean(*EXIT_CODES.get(tool, (1,)))


def judged(tools: list[str], cases: list[Any]) -> list[Any]:
    return [
        pytest.param(case, tool, id=f"{getattr(case, 'id', case)}-{tool}")
        for tool in tools
        for case in cases
        if getattr(case, "id", case) not in NOT_JUDGED.get(tool, ())
    ]


@pytest.mark.parametrize(("case", "tool"), judged([*TOOL_NAMES, "textconv"], CASES))
def test_bad_scan_gets_one_clear_error(case: Bad, tool: str, surfaces: dict[str, Surface]) -> None:
    surface = surfaces[tool]
    name = surface.name(scan_path(surface.version, key_of(case.id)))
    found = surface.found.get(name, [])
    assert found, f"{name} not reported; reported: {sorted(surface.found)[:8]}"
    messages = [f.message for f in found]
    assert any(case.message in message for message in messages), messages
    if case.located:
        assert len(found) == 1, messages
        assert found[0].line and found[0].col, found[0]
        assert found[0].path.startswith("$"), found[0]


FS_EXPECTED = {
    # case: (message in the work tree, message from git, suffix of the file git names)
    BIG: (f"at most {MAX_BYTES}", f"at most {MAX_BYTES}", ""),
    DIRECTORY: ("is a directory, not a scan file", "not a scan file", "/inner"),
    SYMLINK: ("is a symbolic link", "is a symbolic link", ""),
}


@pytest.mark.parametrize(("case", "tool"), judged(TOOL_NAMES, list(FS_CASES)))
def test_file_system_oddities_are_named(case: str, tool: str, surfaces: dict[str, Surface]) -> None:
    surface = surfaces[tool]
    worktree_message, git_message, suffix = FS_EXPECTED[case]
    path = scan_path(surface.version, key_of(case))
    name = surface.name(path + suffix if surface.from_git else path)
    found = surface.found.get(name, [])
    assert len(found) == 1, f"{name}: {found}; reported: {sorted(surface.found)[:8]}"
    assert (git_message if surface.from_git else worktree_message) in found[0].message


def test_the_git_driver_shows_broken_and_huge_scans(tmp_path: Path) -> None:
    """git log -p through the configured textconv driver, as a user sees it."""
    repo = init_repo(tmp_path / "repo")
    (repo / ".gitattributes").write_text("scans/**/*.json diff=scanrepo\n")
    git(repo, "config", "diff.scanrepo.textconv", str(TOOLS / "scan-textconv"))
    put_scan(repo, 4, "2602.00001", SYNTAX[0].make(4, "2602.00001"))
    big = put_scan(repo, 4, "2602.00002", b"")
    with big.open("r+b") as handle:
        handle.truncate(MAX_BYTES + 1)
    commit_all(repo, "broken and huge")
    shown = git(repo, "log", "-p")
    assert shown.returncode == 0, shown.stderr
    assert 'line 3 column 3: $: duplicate key \\"scan_version\\"' in shown.stdout.replace(
        '"', '\\"'
    )
    assert f"file is {MAX_BYTES + 1} bytes, over the limit" in shown.stdout
    assert len(shown.stdout) < 100_000  # the huge file is named, not printed


def as_nobody() -> list[str]:
    """The command prefix that runs a program as the unprivileged user, or a skip."""
    runner = shutil.which("setpriv")
    if runner is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run the tools as another user")
    return [runner, "--reuid=65534", "--regid=65534", "--clear-groups"]


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
        if validated.returncode not in (0, 1):  # the user cannot run this checkout's Python
            pytest.skip(f"the unprivileged user cannot run the tools: {validated.stderr[-300:]}")
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
