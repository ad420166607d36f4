"""Untrusted pull requests. The review workflow never runs the pull request's code and exposes
no secret to its content; the tools read a commit's stored blobs, whatever its .gitattributes
say; the base branch's schemas and migrations judge the pull request's scans, never its own;
an argument that git could read as an option is refused everywhere and writes nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, canonical, git
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from scanrepo.cli.migrate import main as migrate_main
from scanrepo.cli.scan_textconv import main as textconv_main
from scanrepo.cli.validate import main as validate_main
from toolruns import Main, Outcome, commit_all, init_repo, put_scan, run_in, scan_doc, snapshot

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# What a workflow may interpolate: numbers, commit ids and names the base repository controls.
SAFE_EXPRESSIONS = {
    "github.event.pull_request.number",
    "github.event.pull_request.base.sha",
    "github.api_url",
    "github.repository",
    "secrets.GITHUB_TOKEN",
}
PR_CODE = re.compile(
    r"git\s+(checkout|switch|worktree|reset|restore|stash|merge|rebase|cherry-pick|am|apply)\b"
    r"|\bsource\b|\beval\b|\|\s*(ba)?sh\b|refs/scan-review/head\s*:"
)


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def steps(workflow: dict[Any, Any]) -> Iterator[dict[str, Any]]:
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def expressions(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)
    elif isinstance(value, str):
        yield from EXPRESSION.findall(value)


def triggers(workflow: dict[Any, Any]) -> set[str]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    return {on} if isinstance(on, str) else set(on)


@pytest.fixture(params=WORKFLOWS, ids=lambda p: p.name)
def workflow(request: pytest.FixtureRequest) -> dict[Any, Any]:
    return load(request.param)


def test_there_is_a_review_workflow() -> None:
    reviews = [load(p) for p in WORKFLOWS if "pull_request_target" in triggers(load(p))]
    assert reviews, "no pull_request_target workflow"
    runs = [s.get("run", "") for w in reviews for s in steps(w)]
    assert any("tools/diff --format markdown" in run for run in runs)


def test_checkouts_are_of_the_base_and_keep_no_credentials(workflow: dict[Any, Any]) -> None:
    for step in steps(workflow):
        if str(step.get("uses", "")).startswith("actions/checkout"):
            options = step.get("with", {})
            assert options.get("persist-credentials") is False, step
            ref = str(options.get("ref", ""))
            if "pull_request_target" in triggers(workflow):
                assert ref == "${{ github.event.pull_request.base.sha }}", step


def test_no_pull_request_code_is_checked_out_or_run(workflow: dict[Any, Any]) -> None:
    found = list(steps(workflow))
    for step in found:
        run = str(step.get("run", ""))
        assert not PR_CODE.search(run), f"runs or checks out fetched code: {run}"
    # the tools are installed before anything of the pull request is fetched
    order = [str(step.get("run", "")) for step in found]
    installs = [i for i, run in enumerate(order) if "pip install" in run]
    fetches = [i for i, run in enumerate(order) if "git" in run and " fetch" in run]
    assert installs and all(i < min(fetches, default=len(order)) for i in installs)


def test_no_expression_is_pasted_into_a_script(workflow: dict[Any, Any]) -> None:
    """Pull request text in ${{ }} inside run: is script injection; values go through env."""
    for step in steps(workflow):
        assert "${{" not in str(step.get("run", "")), step
    used = set(expressions(workflow))
    assert used <= SAFE_EXPRESSIONS, used - SAFE_EXPRESSIONS


def test_secrets_reach_only_the_steps_that_need_them(workflow: dict[Any, Any]) -> None:
    assert "write-all" not in json.dumps(workflow.get("permissions", {}))
    for job in workflow["jobs"].values():
        assert "secrets." not in json.dumps(job.get("env", {})), "a job-wide secret"
    for step in steps(workflow):
        secret = "secrets." in json.dumps(step.get("env", {})) + json.dumps(step.get("with", {}))
        run = str(step.get("run", ""))
        if secret:
            # the token fetches objects or posts the comment; it never meets the tools that
            # read the pull request's scans
            assert "tools/" not in run, step
            assert "git" in run or ".github/scripts/" in run, step
        if "tools/" in run:
            assert not secret, step
    assert set(re.findall(r"secrets\.(\w+)", json.dumps(workflow))) <= {"GITHUB_TOKEN"}


# --- the base branch judges: pull request code and attributes change nothing ------------------

MARKER = "pwned-by-the-pull-request"


def pull_request_repo(tmp_path: Path) -> tuple[Path, str, str]:
    """A base commit and a pull request commit that adds, besides a rescanned paper, a hostile
    .gitattributes, a migration to v5 that would write a marker file if anything ran it, a v5
    schema and a scan in v5."""
    repo = init_repo(tmp_path / "repo")
    put_scan(repo, 4, "2602.00001")
    base = commit_all(repo, "base")
    rescanned = scan_doc(4, "2602.00001")
    rescanned["key_findings"] = "Rescanned: the findings changed."
    put_scan(repo, 4, "2602.00001", canonical(rescanned))
    put_scan(repo, 4, "2602.00002", canonical(scan_doc(4, "2602.00002")).replace(b"\n", b"\r\n"))
    (repo / "migrations").mkdir()
    (repo / "migrations" / "v4_to_v5.py").write_text(
        f"from pathlib import Path\nPath({str(tmp_path / MARKER)!r}).write_text('ran')\n"
        "FROM_VERSION, TO_VERSION = 4, 5\n"
        "def upgrade(scan): return {**scan, 'scan_version': 5}\n"
        "def downgrade(scan): return {**scan, 'scan_version': 4}\n"
    )
    (repo / "schema").mkdir()
    (repo / "schema" / "v5.json").write_text('{"type": "object"}')
    v5 = {**scan_doc(4, "2602.00003"), "scan_version": 5}
    put_scan(repo, 5, "2602.00003", canonical(v5))
    head = commit_all(repo, "pull request")
    return repo, base, head


HOSTILE_ATTRIBUTES = (
    "* -diff -text\n"
    "scans/** -diff binary filter=evil working-tree-encoding=UTF-16 eol=crlf diff=evil\n"
)


def with_hostile_attributes(repo: Path) -> str:
    """The pull request's .gitattributes, in its commit, in the work tree and in .git/info, with
    a filter and a textconv that would change what git shows if they were applied."""
    (repo / ".gitattributes").write_text(HOSTILE_ATTRIBUTES)
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "pull request: attributes")
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    info = repo / ".git" / "info"
    info.mkdir(exist_ok=True)
    (info / "attributes").write_text(HOSTILE_ATTRIBUTES)
    git(repo, "config", "filter.evil.clean", "sed s/e/E/g")
    git(repo, "config", "filter.evil.smudge", "sed s/e/E/g")
    git(repo, "config", "diff.evil.textconv", "echo hidden")
    return head


def reviews(repo: Path, base: str, head: str) -> dict[str, Outcome]:
    """What the tools report about the pull request, as the review workflow asks them."""
    key = "2602.00001"
    return {
        "validate --rev": run_in(repo, validate_main, "--rev", head, "--format", "json"),
        "diff markdown": run_in(repo, diff_main, "--format", "markdown", f"{base}...{head}"),
        "diff json": run_in(repo, diff_main, "--format", "json", f"{base}...{head}"),
        "log": run_in(repo, log_main, key, head, "--format", "json"),
    }


def test_attributes_in_a_pull_request_change_nothing_the_tools_report(tmp_path: Path) -> None:
    repo, base, head = pull_request_repo(tmp_path)
    git(repo, "branch", "base", base)
    git(repo, "branch", "pr", head)
    before = reviews(repo, "base", "pr")
    assert json.loads(before["diff json"].out)["papers"], "the pull request changes scans"
    git(repo, "branch", "-f", "pr", with_hostile_attributes(repo))
    after = reviews(repo, "base", "pr")
    for name, outcome in after.items():
        outcome.assert_clean(before[name].code)
        assert outcome.out == before[name].out, name
    assert "pr:scans/v4/2602/2602.00002.json" in before["validate --rev"].out  # the CRLF scan


def test_a_pull_requests_migrations_and_schemas_are_never_run(tmp_path: Path) -> None:
    repo, base, head = pull_request_repo(tmp_path)
    for outcome in reviews(repo, base, head).values():
        outcome.assert_clean(0, 1)
    git(repo, "checkout", "-q", head)  # even with the pull request checked out
    for main, args in (
        (validate_main, ()),
        (validate_main, ("--staged",)),
        (migrate_main, ("--to", "4", "--dry-run")),
        (diff_main, (base,)),
    ):
        run_in(repo, main, *args).assert_clean(0, 1, 2)
    assert not (tmp_path / MARKER).exists(), "the pull request's migration was run"
    judged = json.loads(reviews(repo, base, head)["validate --rev"].out)["problems"]
    assert any("unknown scan_version 5" in p["message"] for p in judged), judged


# --- option injection ---------------------------------------------------------------------------

OUTPUT = "injected-output"


def injections() -> Iterator[tuple[str, Main, list[str], tuple[int, ...]]]:
    """(tool, its main, arguments, the exit codes allowed): a usage error; what follows
    ``--`` is a path, as in git, refused as one that names no scan."""
    out = f"--output={OUTPUT}"
    for args in (["--rev", out], [f"--rev={out}"], ["--rev=-p"], ["--staged", out]):
        yield "validate", validate_main, args, (2,)
    for args in (
        [out],
        ["HEAD", out],
        [out, "HEAD"],
        [f"HEAD..{out}"],
        [f"{out}..HEAD"],
        [f"HEAD...{out}"],
        [f"{out}...HEAD"],
        ["--staged", out],
        ["-p", "HEAD"],
        ["--end-of-options", out],
    ):
        yield "diff", diff_main, args, (2,)
    yield "diff", diff_main, ["HEAD~1", "HEAD", "--", out], (2,)  # a path that names no scan
    for args in (
        ["2602.00001", out],
        ["2602.00001", "--", out],
        ["--", out],
        [out],
        ["2602.00001", f"HEAD..{out}"],
        ["--item", out, "2602.00001"],
    ):
        yield "log", log_main, args, (2,)
    for args in (["--to", "4", out], ["--to", "4", "--", out], ["--to", out]):
        yield "migrate", migrate_main, args, (2,)
    yield "textconv", textconv_main, ["--", out], (2,)


@pytest.fixture(scope="module")
def small_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = init_repo(tmp_path_factory.mktemp("injection") / "repo")
    put_scan(repo, 4, "2602.00001")
    commit_all(repo, "first")
    rescanned = scan_doc(4, "2602.00001")
    rescanned["key_findings"] = "changed"
    put_scan(repo, 4, "2602.00001", canonical(rescanned))
    commit_all(repo, "second")
    return repo


@pytest.mark.parametrize(
    ("tool", "main", "args", "codes"),
    [pytest.param(*case, id=f"{case[0]} {' '.join(case[2])}") for case in injections()],
)
def test_an_option_where_a_revision_belongs_is_refused_and_writes_nothing(
    small_history: Path, tool: str, main: Main, args: list[str], codes: tuple[int, ...]
) -> None:
    before = snapshot(small_history)
    outcome = run_in(small_history, main, *args)
    outcome.assert_clean(*codes)
    assert not list(small_history.rglob(f"*{OUTPUT}*"))
    assert not list(Path.cwd().glob(f"*{OUTPUT}*"))
    assert snapshot(small_history) == before


def test_a_refused_revision_says_why(small_history: Path) -> None:
    outcome = run_in(small_history, validate_main, f"--rev=--output={OUTPUT}")
    assert "revisions may not start with '-'" in outcome.err
    outcome = run_in(small_history, diff_main, f"HEAD..--output={OUTPUT}")
    assert "revisions may not start with '-'" in outcome.err
