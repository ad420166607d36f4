"""Text from scans is data. A pull request controls every string in the scans it changes, and
their file names: nothing of it may become active in the review comment (HTML, links, images,
mentions, issue references, code, comment closers) or in a terminal (control characters,
escape sequences, bidi overrides).

The Markdown is rendered by cmark-gfm (GitHub's own parser) and the HTML inspected, so the test
does not trust the renderer's idea of what is inert.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from conftest import canonical, git
from scanrepo.cli.blame import main as blame_main
from scanrepo.cli.diff import main as diff_main
from scanrepo.cli.log import main as log_main
from scanrepo.cli.scan_textconv import main as textconv_main
from scanrepo.diff.changes import DiffResult
from scanrepo.diff.compare import ScanSide, diff_papers
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import load_chain
from scanrepo.render.diff_json import render_json
from scanrepo.render.diff_markdown import render_markdown
from scanrepo.render.diff_text import render_stat, render_text
from scanrepo.toolkit import MIGRATIONS_DIR, SCHEMA_DIR
from toolruns import (
    commit_all,
    init_repo,
    migrate,
    put_scan,
    run_in,
    scan_doc,
    scan_path,
    validate,
)

PAYLOADS = (
    "</details></summary><script>alert(1)</script><img src=x onerror=alert(2)>",
    "[click](https://evil.example/x) ![pixel](https://evil.example/p.png) <https://evil.example>",
    "@octocat @org/team #123 GH-45 org/repo#67 deadbeefcafe0123456789",
    "`code` ```fence``` *em* **strong** _u_ ~~s~~ $x^2$ | table | cell |",
    "<!-- hidden --> --> <!-- ]]> <details open>",
    "\x1b[2J\x1b[31mred\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\x9b31m",
    "bidi \u202eevil\u202c \u2066iso\u2069 \u200fmark \u061cletter\r\nnext\rline\x00\x07\x08",
    "www.evil.example mailto:a@b.example",
)
HOSTILE = " ".join(PAYLOADS)
# What a terminal acts on: C0 and C1 controls (but tab and newline), DEL, bidi controls.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
KEY = "2602.00001"


def hostile(doc: dict[str, Any], version: int) -> dict[str, Any]:
    """Every free-text field of a scan carrying the payloads."""
    paper = doc["paper"]
    paper["title"], paper["venue"], paper["authors"] = HOSTILE, HOSTILE, [HOSTILE, "@octocat"]
    sections = list(doc["checklist"].values())
    if version == 4:
        sections += doc["type_checklist"][doc["paper_type"]].values()
    for section in sections:
        for item in section.values():
            item["justification"] = HOSTILE
            item["source" if version == 4 else "model"] = PAYLOADS[2]
    for claim in doc["claims"]:
        claim["claim"], claim["evidence"] = HOSTILE, HOSTILE
    doc["red_flags"] = [{"flag": HOSTILE, "detail": HOSTILE}]
    doc["cited_papers"] = [{"title": HOSTILE, "relevance": HOSTILE}]
    doc["key_findings"] = HOSTILE
    doc["hn_data"]["threads"] = [{"title": HOSTILE, "url": "https://evil.example", HOSTILE: 1}]
    return doc


def assert_terminal_safe(text: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in TERMINAL_UNSAFE.findall(text)})
    assert not found, f"characters a terminal acts on: {found}"


# --- the terminal: validate and migrate ---------------------------------------------------


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    """Scans whose names, keys and values are hostile, each wrong in a way that is reported."""
    repo = init_repo(tmp_path / "repo")
    bad_answer = scan_doc(4, KEY)
    hostile(bad_answer, 4)
    next(iter(bad_answer["checklist"]["claims_and_evidence"].values()))["answer"] = HOSTILE
    bad_answer[HOSTILE] = HOSTILE  # an unknown top-level key named by the payload
    put_scan(repo, 4, KEY, canonical(bad_answer))
    put_scan(repo, 3, "2603.00002", canonical(hostile(scan_doc(3, "2603.00002"), 3)))
    name = "\x1b[31m\u202eevil\x07.json"
    (repo / "scans/v4/2602" / name).write_bytes(canonical(hostile(scan_doc(4, KEY), 4)))
    key = '"\\u001b[31m\\u202e"'  # a key with an escape sequence and a bidi override
    put_scan(repo, 4, "2602.00003", f'{{"scan_version": 4, {key}: 1, {key}: 2}}'.encode())
    commit_all(repo)
    return repo


@pytest.mark.parametrize(
    "args",
    [(), ("--format", "json"), ("--rev", "HEAD"), ("--rev", "HEAD", "--format", "json")],
    ids=["text", "json", "rev-text", "rev-json"],
)
def test_validate_output_is_terminal_safe(hostile_repo: Path, args: tuple[str, ...]) -> None:
    outcome = validate(hostile_repo, *args)
    outcome.assert_clean(1)
    assert "evil" in outcome.text  # the hostile names and values are reported, escaped
    assert_terminal_safe(outcome.text)
    if "json" in args:
        json.loads(outcome.out)


def test_migrate_output_is_terminal_safe(hostile_repo: Path) -> None:
    for args in (("--dry-run",), ()):
        outcome = migrate(hostile_repo, "--to", "4", *args)
        outcome.assert_clean(0, 1)
        assert_terminal_safe(outcome.text)


# --- the review comment: Markdown -----------------------------------------------------------

# Tags the review comment may contain: its own structure. Anything else came from a scan.
OWN_TAGS = {
    "p", "h3", "h4", "strong", "em", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "details", "summary", "del", "ins", "br", "hr", "blockquote",
}  # fmt: skip


def rendered(markdown: str) -> str:
    """The HTML GitHub's parser makes of ``markdown`` with raw HTML let through."""
    return str(
        cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    )


def visible_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", page))


def assert_markdown_inert(markdown: str) -> None:
    page = rendered(markdown)
    tags = {m.lower() for m in re.findall(r"</?([A-Za-z][A-Za-z0-9-]*)", page)}
    assert tags <= OWN_TAGS, f"tags from scan text: {tags - OWN_TAGS}"
    assert "<!--" not in page and "-->" not in markdown.replace("&#45;", "")
    text = visible_text(page)
    # GitHub links these in displayed text; a joiner (or anything) must break each one
    for pattern in (r"@[A-Za-z0-9]", r"#\d", r"GH-\d", r"https?://", r"www\."):
        assert not re.search(pattern, text), f"{pattern} would be linked: {text[:300]}"
    assert not re.search(r"[0-9a-f]{7,}", text), "a commit-like hash would be linked"
    assert_terminal_safe(markdown.replace("\n", ""))


@pytest.fixture(scope="module")
def hostile_diff() -> DiffResult:
    registry = SchemaRegistry(SCHEMA_DIR)
    chain = load_chain(MIGRATIONS_DIR, registry.versions)
    old = ScanSide(scan_path(3, KEY), canonical(scan_doc(3, KEY)), "HEAD~1")
    new = ScanSide(scan_path(4, KEY), canonical(hostile(scan_doc(4, KEY), 4)), "HEAD")
    broken = hostile(scan_doc(4, "2602.00002"), 4)
    broken[HOSTILE] = HOSTILE
    invalid = ScanSide(scan_path(4, "2602.00002"), canonical(broken), "HEAD")
    papers = [
        diff_papers(KEY, old, new, 4, chain, registry),
        diff_papers("2602.00002", None, invalid, 4, chain, registry),
    ]
    result = DiffResult.of("HEAD~1", "HEAD", papers)
    assert result.papers[0].changes and result.problems()  # the payloads were read
    return result


def test_review_comment_is_inert(hostile_diff: DiffResult) -> None:
    assert_markdown_inert(render_markdown(hostile_diff))


def test_review_comment_labels_are_inert(hostile_diff: DiffResult) -> None:
    labelled = DiffResult(HOSTILE, PAYLOADS[0], hostile_diff.papers)
    assert_markdown_inert(render_markdown(labelled))


def test_terminal_renderings_are_inert(hostile_diff: DiffResult) -> None:
    for text in (
        render_text(hostile_diff, word_diff=True),
        render_stat(hostile_diff),
        render_json(hostile_diff),
    ):
        assert_terminal_safe(text.replace("\n", "").replace("\t", ""))
    coloured = render_text(hostile_diff, color=True)
    assert_terminal_safe(re.sub(r"\x1b\[[0-9;]*m", "", coloured))  # only its own colours


# --- the same through the commands, from real commits -----------------------------------------


@pytest.fixture(scope="module")
def hostile_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A paper rescanned with hostile text by a commit whose author and subject are hostile."""
    repo = init_repo(tmp_path_factory.mktemp("hostile-history") / "repo")
    put_scan(repo, 4, KEY)
    commit_all(repo, "base")
    put_scan(repo, 4, KEY, canonical(hostile(scan_doc(4, KEY), 4)))
    broken = hostile(scan_doc(4, "2602.00002"), 4)
    broken[HOSTILE] = HOSTILE
    put_scan(repo, 4, "2602.00002", canonical(broken))
    git(repo, "add", "-A")
    message = HOSTILE.replace("\x00", "")  # the one character git keeps out of a commit
    author = re.sub("[<>\r\n]", "", PAYLOADS[5] + PAYLOADS[6].replace("\x00", ""))
    subprocess.run(
        ["git", "commit", "-q", "--no-verify", "-F", "-", f"--author={author} <a@b.example>"],
        cwd=repo,
        input=f"{message}\n\n{message}",
        text=True,
        check=True,
    )
    return repo


def test_the_markdown_log_is_inert(hostile_history: Path) -> None:
    outcome = run_in(hostile_history, log_main, "--format", "markdown")
    outcome.assert_clean(0)
    assert "evil" in outcome.out
    assert_markdown_inert(outcome.out)


def test_the_review_comment_from_tools_diff_is_inert(hostile_history: Path) -> None:
    outcome = run_in(hostile_history, diff_main, "--format", "markdown", "HEAD~1", "HEAD")
    outcome.assert_clean(1)
    assert "Validation problems" in outcome.out
    assert_markdown_inert(outcome.out)


@pytest.mark.parametrize(
    "args",
    [
        ("diff",),
        ("diff", "--word-diff"),
        ("diff", "--stat"),
        ("diff", "--format", "json"),
        ("diff", "--color", "always", "--word-diff"),
        ("log",),
        ("log", "--word-diff", "--color", "always"),
        ("log", "--format", "json"),
        ("log", "--item", "checklist.claims_and_evidence.abstract_claims_supported"),
        ("log-range",),
        ("log-range", "--stat", "--color", "always"),
        ("log-range", "--format", "json"),
        ("blame",),
        ("blame", "--format", "json"),
        ("textconv",),
    ],
    ids=" ".join,
)
def test_terminal_output_of_every_command_is_inert(
    hostile_history: Path, args: tuple[str, ...]
) -> None:
    command, *options = args
    if command == "diff":
        outcome = run_in(hostile_history, diff_main, *options, "HEAD~1", "HEAD")
    elif command == "log":
        outcome = run_in(hostile_history, log_main, KEY, *options)
    elif command == "log-range":
        outcome = run_in(hostile_history, log_main, *options)
    elif command == "blame":
        outcome = run_in(hostile_history, blame_main, KEY, *options)
    else:
        outcome = run_in(hostile_history, textconv_main, scan_path(4, KEY))
    outcome.assert_clean(0, 1)
    assert "evil" in outcome.out or "--stat" in options  # the hostile text is shown, escaped
    own_colours = re.sub(r"\x1b\[[0-9;]*m", "", outcome.text)  # what --color adds, only that
    assert_terminal_safe(own_colours.replace("\t", ""))
    if "json" in options:
        json.loads(outcome.out)
