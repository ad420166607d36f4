"""Every n_ file of JSONTestSuite (JSON a parser must reject) placed as a scan, in the work
tree, in git's index and inside a commit: each gets exactly one syntax error with line, column
and JSON path from every tool that reads scans, and tools/migrate refuses the lot without
writing anything. One repository holds them all, and each tool reads it once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, git
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from scanrepo.cli.scan_textconv import main as textconv_main
from toolruns import (
    PROBLEM_LINE,
    Outcome,
    commit_all,
    init_repo,
    migrate,
    run_in,
    scan_path,
    snapshot,
    validate,
)

SUITE = sorted((DATA / "JSONTestSuite" / "test_parsing").glob("n_*.json"))
LOG_SAMPLE = 12  # tools/log runs once per paper: every n-th file is enough beside tools/diff


def v4_key(index: int) -> str:
    return f"2601.{index:05d}"


def v3_key(index: int) -> str:
    return f"2603.{index:05d}"


def every_scan() -> Iterator[tuple[str, str]]:
    """(suite file name, repository path) of each copy."""
    for index, source in enumerate(SUITE):
        yield source.name, scan_path(4, v4_key(index))
        yield source.name, scan_path(3, v3_key(index))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = init_repo(tmp_path_factory.mktemp("json-test-suite") / "repo")
    (repo / "README").write_text("before the scans\n")
    commit_all(repo, "base")
    for name, path in every_scan():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((DATA / "JSONTestSuite" / "test_parsing" / name).read_bytes())
    return repo


@pytest.fixture(scope="module")
def outcomes(repo: Path) -> dict[str, Outcome]:
    git(repo, "add", "-A")
    found = {"validate --staged": validate(repo, "--staged", "--format", "json", "--jobs", "1")}
    commit_all(repo, "JSONTestSuite n_ files as scans")
    found["validate"] = validate(repo, "--format", "json")  # in worker processes: > 200 files
    found["validate --rev"] = validate(repo, "--rev", "HEAD", "--format", "json", "--jobs", "1")
    found["diff"] = run_in(repo, diff_main, "--format", "json", "HEAD~1", "HEAD")
    before = snapshot(repo)
    found["migrate"] = migrate(repo, "--to", "4", "--jobs", "1")
    assert snapshot(repo) == before, "tools/migrate wrote despite invalid JSON"
    return found


def test_the_suite_is_there() -> None:
    assert len(SUITE) > 180


def by_file(problems: list[dict[str, Any]], prefix: str = "") -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for problem in problems:
        found.setdefault(problem["file"].removeprefix(prefix), []).append(problem)
    return found


def one_located_syntax_error(problems: list[dict[str, Any]]) -> bool:
    return (
        len(problems) == 1
        and problems[0].get("kind", "syntax") == "syntax"
        and isinstance(problems[0]["line"], int)
        and isinstance(problems[0]["col"], int)
        and str(problems[0]["path"]).startswith("$")
    )


def assert_each_once(found: dict[str, list[dict[str, Any]]], scans: list[tuple[str, str]]) -> None:
    wrong = [
        f"{name} as {path}: {found.get(path)}"
        for name, path in scans
        if not one_located_syntax_error(found.pop(path, []))
    ]
    assert not wrong, "\n".join(wrong[:10])
    assert not found, f"problems about other files: {list(found)[:5]}"


@pytest.mark.parametrize("tool", ["validate", "validate --staged", "validate --rev"])
def test_validate_gives_each_file_one_located_syntax_error(
    tool: str, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[tool]
    outcome.assert_clean(1)
    prefix = "HEAD:" if tool == "validate --rev" else ""
    assert_each_once(by_file(json.loads(outcome.out)["problems"], prefix), list(every_scan()))


def test_diff_gives_each_new_scan_one_located_syntax_error(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["diff"]
    outcome.assert_clean(1)
    document = json.loads(outcome.out)
    problems = [p for paper in document["papers"] for p in paper["problems"]]
    assert_each_once(by_file(problems + document["validation_problems"]), list(every_scan()))


def test_migrate_refuses_every_file_with_its_position(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["migrate"]
    outcome.assert_clean(1)
    assert f"{len(SUITE)} failed; nothing was written" in outcome.err
    lines = [m.groupdict() for m in map(PROBLEM_LINE.match, outcome.out.splitlines()) if m]
    for line in lines:
        line["line"] = int(line["line"]) if line["line"] else None
        line["col"] = int(line["col"]) if line["col"] else None
    v3_scans = [(name, path) for name, path in every_scan() if path.startswith("scans/v3/")]
    assert_each_once(by_file(lines), v3_scans)


def test_log_names_each_sampled_scan_once(repo: Path, outcomes: dict[str, Outcome]) -> None:
    sha = git(repo, "rev-parse", "--short=12", "HEAD").stdout.strip()
    for index in range(0, len(SUITE), LOG_SAMPLE):
        outcome = run_in(repo, log_main, v4_key(index), "--format", "json")
        outcome.assert_clean(0)
        (commit,) = json.loads(outcome.out)["commits"]
        problems = [p for paper in commit["diff"]["papers"] for p in paper["problems"]]
        assert_each_once(
            by_file(problems, f"{sha}:"), [(SUITE[index].name, scan_path(4, v4_key(index)))]
        )


def test_the_textconv_driver_notes_each_file_and_never_fails(repo: Path) -> None:
    wrong = []
    for index, source in enumerate(SUITE):
        outcome = run_in(repo, textconv_main, scan_path(4, v4_key(index)))
        outcome.assert_clean(0)
        first = outcome.out.split("\n", 1)[0]
        if not (
            first.startswith(f"# scanrepo textconv: {v4_key(index)}.json: not shown as a scan ")
            and " column " in first
            and ": $" in first
        ):
            wrong.append(f"{source.name}: {first[:200]}")
    assert not wrong, "\n".join(wrong[:10])
