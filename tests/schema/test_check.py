"""tools/schema check: the real v3 -> v4 step is proven; wrong toy v4 -> v5 steps (every
checklist item gains a ``confidence``) each give a minimal counterexample and the path where it
goes wrong; real scans from the work tree and history are inputs too."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import toyv5
from conftest import ROOT, V4_FIXTURE, clone_of_tools, git
from scanrepo.render.schema_check import render_text
from scanrepo.schema.check import (
    StepProof,
    StepResult,
    check_step,
    covers,
    differences,
    parse_scan_path,
)
from scanrepo.schema.compare import SchemaChange
from scanrepo.toolkit import Toolkit


def toy_step(
    where: Path, migration: str, root: Path | None = None, examples: int = 8
) -> StepResult:
    checkout = toyv5.checkout(where, migration)
    toolkit = Toolkit(checkout / "schema", checkout / "migrations")
    [step] = [s for s in toolkit.chain.steps if s.from_version == 4]
    return check_step(step, toolkit.registry, root, examples, seed=0)


def only(result: StepResult, direction: str) -> Any:
    [found] = [c for c in result.counterexamples if c.direction == direction]
    return found


def at(doc: Any, path: str) -> Any:
    for step in parse_scan_path(path):
        doc = doc[step]
    return doc


def test_the_right_toy_step_is_proven_and_its_refusals_counted(tmp_path: Path) -> None:
    result = toy_step(tmp_path, toyv5.RIGHT_UP + toyv5.RIGHT_DOWN)
    assert result.proven, [c.message for c in result.counterexamples]
    # a v5 scan whose confidences are not all null cannot go down: most generated ones
    assert 0 < result.refused <= 8


def test_an_upgrade_that_forgets_a_required_member_shrinks_to_a_minimal_scan(
    tmp_path: Path,
) -> None:
    found = only(toy_step(tmp_path, toyv5.WRONG["forgets"]), "up")
    assert (found.check, found.source) == ("invalid", "generated")
    # the first item in path order of the first universal section
    assert found.path == "$.checklist.claims_and_evidence.abstract_claims_supported"
    assert "'confidence' is a required property" in found.message
    # Worked out by hand from schema/v4.json: every string at its least ("" or one character,
    # which hypothesis shrinks to "0"), arrays empty, numbers at their least, the else branch
    # of each if (a paper type other than empirical, the least name "a", with no sections;
    # items where applies is not false, so true, and answer false).
    item = {"applies": True, "answer": False, "justification": "", "source": "0"}
    factor = {"score": 0, "justification": ""}
    template = toyv5.v5_schema()["$defs"]
    universal = {
        section: {name: item for name in template["sections"]["$defs"][section]["required"]}
        for section in template["universal_checklist"]["required"]
    }
    assert found.scan == {
        "scan_version": 4,
        "paper_type": "a",
        "paper": {
            "title": "0",
            "authors": [],
            "year": 1900,
            "venue": "",
            "arxiv_id": None,
            "doi": None,
        },
        "checklist": universal,
        "type_checklist": {"a": {}},
        "claims": [],
        "methodology_tags": [],
        "key_findings": "",
        "red_flags": [],
        "cited_papers": [],
        "engagement_factors": {name: factor for name in template["engagement_factors"]["required"]},
        "hn_data": {"threads": [], "top_points": 0, "total_points": 0, "total_comments": 0},
    }
    assert sum(len(items) for items in universal.values()) == 15


def test_a_downgrade_that_loses_data_is_caught_on_the_way_back(tmp_path: Path) -> None:
    # few generated v5 scans have every type_checklist confidence null: 15 find one
    found = only(toy_step(tmp_path, toyv5.WRONG["loses"], examples=15), "down")
    assert found.check == "round trip"
    assert "upgrade(downgrade(scan)) is not the scan" in found.message
    assert re.fullmatch(r"\$\.checklist\.[a-z_]+\.[a-z_]+\.confidence", found.path)
    # shrunk: the one confidence that downgrade lost is the only one that is not null
    assert at(found.scan, found.path) == "low"
    assert sorted(confidences(found.scan), key=str) == [None] * (items(found.scan) - 1) + ["low"]


def confidences(scan: dict[str, Any]) -> list[Any]:
    sections = [*scan["checklist"].values()]
    sections += [s for t in scan["type_checklist"].values() for s in t.values()]
    return [item["confidence"] for section in sections for item in section.values()]


def items(scan: dict[str, Any]) -> int:
    return len(confidences(scan))


def test_an_upgrade_that_mutates_its_input(tmp_path: Path) -> None:
    found = only(toy_step(tmp_path, toyv5.WRONG["mutates"]), "up")
    assert found.check == "mutated"
    assert found.path == "$.checklist.claims_and_evidence.abstract_claims_supported.confidence"
    assert found.message == "upgrade changed its input here"
    # the scan shown is the input as it was given
    assert "confidence" not in at(
        found.scan, "$.checklist.claims_and_evidence.abstract_claims_supported"
    )


def test_a_downgrade_that_raises_key_error_names_the_part_it_looked_in(tmp_path: Path) -> None:
    found = only(toy_step(tmp_path, toyv5.WRONG["key error"]), "down")
    assert found.check == "raised"
    assert found.message == "downgrade raised KeyError: 'empirical'"
    assert found.path == "$.type_checklist.empirical"
    assert found.scan["paper_type"] != "empirical"


def test_a_step_that_gives_two_verdicts_for_one_scan_is_reported_unshrunk(
    tmp_path: Path,
) -> None:
    found = only(toy_step(tmp_path, toyv5.WRONG["unstable"]), "up")
    assert found.check in ("raised", "unstable")  # which call fails depends on the count
    assert found.message.startswith("upgrade raised ValueError")
    assert found.message.endswith(
        "(not shrunk: the step gave another verdict for the same scan another time)"
    )


def test_a_change_no_generated_scan_exercised_is_reported(tmp_path: Path) -> None:
    """v5 also asks methodology_tags to be unique and the migration ignores it: the few
    generated scans never had a repeated tag, so nothing showed the change."""
    checkout = toyv5.checkout(tmp_path, toyv5.RIGHT_UP + toyv5.RIGHT_DOWN)
    schema_file = checkout / "schema/v5.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["methodology_tags"]["uniqueItems"] = True
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    toolkit = Toolkit(checkout / "schema", checkout / "migrations")
    result = check_step(toolkit.chain.steps[-1], toolkit.registry, None, 5, seed=0)
    assert result.counterexamples == []
    assert [(c.kind, c.scan_path) for c in result.unexercised] == [
        ("keyword changed", "$.methodology_tags")
    ]
    assert not result.proven


def test_coverage_is_by_scan_path_at_or_below_the_change() -> None:
    pattern = parse_scan_path("$.checklist.*.*.confidence")
    assert covers(pattern, ("checklist", "a", "b", "confidence"))
    assert covers(pattern, ("checklist", "a", "b", "confidence", "x"))
    assert not covers(pattern, ("checklist", "a", "b"))
    assert not covers(pattern, ("type_checklist", "a", "b", "confidence"))
    assert parse_scan_path("$.claims[*].supported")[0] == "claims"
    assert covers(parse_scan_path("$.claims[*].supported"), ("claims", 3, "supported"))
    assert parse_scan_path("$['odd key'][2]") == ("odd key", 2)
    # differences: values, one-sided members and everything below them, key order
    a = {"x": 1, "y": {"z": [True]}}
    b = {"y": {"z": [1]}, "x": 1, "w": {"v": None}}
    assert list(differences(a, b)) == [("y", "z", 0), ("w",), ("w", "v")]
    assert list(differences({"x": 1, "y": 2}, {"y": 2, "x": 1})) == [()]


def test_a_step_refusing_at_the_changed_path_exercises_it(tmp_path: Path) -> None:
    checkout = toyv5.checkout(tmp_path, toyv5.RIGHT_UP + toyv5.RIGHT_DOWN)
    toolkit = Toolkit(checkout / "schema", checkout / "migrations")
    change = SchemaChange("member added", "$.checklist.*.*.confidence", "", "")
    proof = StepProof(toolkit.chain.steps[-1], toolkit.registry, [change])
    scan = toolkit.chain.migrate(json.loads(V4_FIXTURE.read_text(encoding="utf-8")), 5)
    scan["checklist"]["scope_and_framing"]["key_terms_defined"]["confidence"] = "high"
    assert proof.down(scan) is None
    assert (proof.refused, proof.pending) == (1, {})


# --- real scans -------------------------------------------------------------------------

# upgrade refuses one real paper: only the real scans of it can show the bug
REFUSES_A_PAPER = (
    toyv5.RIGHT_UP.replace(
        "    out = copy.deepcopy(scan)\n",
        '    if scan["paper"]["arxiv_id"] == "2602.07852":\n'
        '        raise MigrationError(("paper", "arxiv_id"), "this paper is refused")\n'
        "    out = copy.deepcopy(scan)\n",
        1,
    )
    + toyv5.RIGHT_DOWN
)


@pytest.fixture
def data_repo(tmp_path: Path) -> Path:
    """Scans of 2602.07852 at v4: two commits in history, an edit in the work tree, and a
    file below scans/v4/ that is no valid v4 scan."""
    repo = tmp_path / "repo"
    scan = repo / "scans/v4/2602/2602.07852.json"
    scan.parent.mkdir(parents=True)
    git(repo, "init", "-q")
    doc = json.loads(V4_FIXTURE.read_text(encoding="utf-8"))
    for venue in ("first", "second", "work tree"):
        doc["paper"]["venue"] = venue
        scan.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        if venue != "work tree":
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", venue)
    (repo / "scans/v4/2602/2602.99999.json").write_text('{"scan_version": 4}', encoding="utf-8")
    return repo


def test_real_scans_of_the_work_tree_and_history_are_inputs(
    tmp_path: Path, data_repo: Path
) -> None:
    result = toy_step(tmp_path / "checkout", REFUSES_A_PAPER, root=data_repo, examples=3)
    assert (result.real, result.real_skipped) == (3, 1)
    assert all(c.source != "generated" for c in result.counterexamples)
    sources = sorted(c.source for c in result.counterexamples)
    first, second = git(data_repo, "rev-list", "--reverse", "HEAD").stdout.split()
    assert sources == sorted(
        [
            "scans/v4/2602/2602.07852.json",
            f"scans/v4/2602/2602.07852.json at {first[:12]}",
            f"scans/v4/2602/2602.07852.json at {second[:12]}",
        ]
    )
    found = result.counterexamples[0]
    assert (found.check, found.path) == ("refused", "$.paper.arxiv_id")
    assert found.message == "upgrade refused a valid v4 scan: this paper is refused"
    lines = render_text([result]).splitlines()
    assert lines[0] == f"v4 → v5 (v4_to_v5.py): {toyv5.SUMMARY}"
    assert "  real: 3 v4 scans from the work tree and history, 1 skipped (not valid at v4)" in lines
    assert (
        "  counterexample (refused): scans/v4/2602/2602.07852.json: $.paper.arxiv_id: "
        "upgrade refused a valid v4 scan: this paper is refused"
    ) in lines
    assert lines[-1] == "not proven: 1 of 1 step (v4 → v5)"


# --- the command ------------------------------------------------------------------------


def tool(checkout: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(checkout / "tools/schema"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_the_command_proves_v3_to_v4_quickly() -> None:
    done = tool(ROOT, "check", "--quick", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("v3 → v4 (v3_to_v4.py): Split the checklist")
    assert "  generated: 25 v3 scans upgraded and back, 25 v4 scans downgraded and back" in lines
    assert any(re.fullmatch(r"  schema changes: [1-9]\d*, every one exercised", x) for x in lines)
    assert lines[-1] == "proven: 1 step (v3 → v4)"


def test_the_command_reports_a_counterexample_as_json(tmp_path: Path, data_repo: Path) -> None:
    checkout = toyv5.checkout(tmp_path / "checkout", REFUSES_A_PAPER, tools=True)
    done = tool(checkout, "check", "v4", "--examples", "2", "--format", "json", cwd=data_repo)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    [step] = report["steps"]
    assert (report["proven"], step["from"], step["to"], step["real_scans"]) == (False, 4, 5, 3)
    assert step["generated"] == {"up": 2, "down": 2}
    assert {c["path"] for c in step["counterexamples"]} == {"$.paper.arxiv_id"}
    venues = {c["scan"]["paper"]["venue"] for c in step["counterexamples"]}
    assert venues == {"first", "second", "work tree"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "7"), "error: no step from v7: the chain is v3 → v4\n"),
        (("check", "--examples", "0"), "'0' is not a positive whole number"),
        (("check", "--seed", "x"), "'x' is not a whole number"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    done = tool(ROOT, *args, cwd=ROOT)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_no_step_to_check_is_an_error_not_a_success(tmp_path: Path) -> None:
    for folder in ("tools", "schema", "migrations"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "schema/v3.json").unlink()
    (tmp_path / "migrations/v3_to_v4.py").unlink()
    done = tool(tmp_path, "check", cwd=tmp_path)
    assert done.returncode == 2
    assert "error: no migration step to check: the chain is v4 alone" in done.stderr


def test_no_workflow_that_holds_a_token_for_pull_requests_runs_migrations() -> None:
    """tools/schema check imports the migrations of the checkout it runs in: never where a pull
    request's commits are at hand with a token (pull_request_target)."""
    workflows = sorted((ROOT / ".github/workflows").glob("*.yml"))
    privileged = [w for w in workflows if "pull_request_target" in w.read_text(encoding="utf-8")]
    assert privileged
    for workflow in privileged:
        text = workflow.read_text(encoding="utf-8")
        assert not re.search(r"schema\s+check|scanrepo\s+schema", text), workflow.name


def test_a_released_schema_that_changed_is_reported(tmp_path: Path) -> None:
    """v4 is released by its first committed scan; a later bound on key_findings changes it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    clone_of_tools(repo)
    scan = repo / "scans/v4/2602/2602.07852.json"
    scan.parent.mkdir(parents=True)
    shutil.copy(V4_FIXTURE, scan)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v4 scan")
    release = git(repo, "rev-parse", "HEAD").stdout.strip()
    schema_file = repo / "schema/v4.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["key_findings"]["maxLength"] = 100000
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")

    done = tool(repo, "check", "--examples", "2", "--format", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    [step] = json.loads(done.stdout)["steps"]
    [frozen] = step["frozen"]
    assert (frozen["version"], frozen["released_in"]) == (4, release)
    assert [(c["kind"], c["scan_path"]) for c in frozen["changes"]] == [
        ("bound tightened", "$.key_findings")
    ]
    assert step["real_scans"] == 0  # the v4 scan is no input of the step from v3
    # hypothesis's own files went to the tools' cache in .git, not into the work tree
    assert not (repo / ".hypothesis").exists()
    assert (repo / ".git/scanrepo-cache/hypothesis").is_dir()
