"""Every n_ file of JSONTestSuite (JSON a parser must reject) placed as a scan: in the work tree,
in git's index and inside a commit, each gets exactly one syntax error with line and column,
and tools/migrate refuses the lot without writing anything."""

from __future__ import annotations

import json

import pytest

from conftest import DATA, git
from toolruns import Outcome, commit_all, init_repo, migrate, scan_path, snapshot, validate

SUITE = sorted((DATA / "JSONTestSuite" / "test_parsing").glob("n_*.json"))


def v4_key(index: int) -> str:
    return f"2601.{index:05d}"


def v3_key(index: int) -> str:
    return f"2603.{index:05d}"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    repo = init_repo(tmp_path_factory.mktemp("json-test-suite") / "repo")
    for index, source in enumerate(SUITE):
        for key, version in ((v4_key(index), 4), (v3_key(index), 3)):
            path = repo / scan_path(version, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.read_bytes())
    git(repo, "add", "-A")
    found = {"validate --staged": validate(repo, "--staged", "--format", "json", "--jobs", "1")}
    commit_all(repo, "JSONTestSuite n_ files as scans")
    found["validate"] = validate(repo, "--format", "json")  # in worker processes: > 200 files
    found["validate --rev"] = validate(repo, "--rev", "HEAD", "--format", "json", "--jobs", "1")
    before = snapshot(repo)
    found["migrate"] = migrate(repo, "--to", "4", "--jobs", "1")
    assert snapshot(repo) == before, "tools/migrate wrote despite invalid JSON"
    return found


def test_the_suite_is_there() -> None:
    assert len(SUITE) > 180


@pytest.mark.parametrize("tool", ["validate", "validate --staged", "validate --rev"])
def test_validate_gives_each_file_one_located_syntax_error(
    tool: str, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[tool]
    outcome.assert_clean(1)
    prefix = "HEAD:" if tool == "validate --rev" else ""
    by_file: dict[str, list[dict[str, object]]] = {}
    for problem in json.loads(outcome.out)["problems"]:
        by_file.setdefault(problem["file"], []).append(problem)
    wrong = []
    for index, source in enumerate(SUITE):
        for key, version in ((v4_key(index), 4), (v3_key(index), 3)):
            problems = by_file.pop(prefix + scan_path(version, key), [])
            if not (
                len(problems) == 1
                and problems[0]["kind"] == "syntax"
                and isinstance(problems[0]["line"], int)
                and isinstance(problems[0]["col"], int)
                and str(problems[0]["path"]).startswith("$")
            ):
                wrong.append(f"{source.name} as {key}: {problems}")
    assert not wrong, "\n".join(wrong[:10])
    assert not by_file, f"problems about other files: {list(by_file)[:5]}"


def test_migrate_refuses_every_file_with_its_position(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["migrate"]
    outcome.assert_clean(1)
    assert f"{len(SUITE)} failed; nothing was written" in outcome.err
    missing = []
    for index, source in enumerate(SUITE):
        lines = outcome.lines_about(scan_path(3, v3_key(index)))
        if len(lines) != 1 or not lines[0]["line"]:
            missing.append(f"{source.name}: {[m.group() for m in lines]}")
    assert not missing, "\n".join(missing[:10])
