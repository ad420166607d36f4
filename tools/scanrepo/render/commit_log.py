"""The semantic log of a range of commits (``tools/log`` without a key) as text, ``--stat``
counts, Markdown and JSON: per commit its header, one line saying what it did, then its papers
as ``tools/diff`` shows them. A commit that only migrated or moved scans is that one line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scanrepo.history.commit_log import LoggedCommit
from scanrepo.history.gitlog import CommitInfo
from scanrepo.render.describe import ARROW, flips, papers_phrase
from scanrepo.render.diff_markdown import render_markdown
from scanrepo.render.diff_text import render_stat, render_text
from scanrepo.render.inert import json_safe, markdown_inline, terminal_safe

YELLOW, RESET = "\x1b[33m", "\x1b[0m"
FORMAT_NAME = "scanrepo-log"
FORMAT_VERSION = 1
MARKDOWN_LIMIT = 60000


def _scans(count: int) -> str:
    return f"{count:,} scan{'s' if count != 1 else ''}"


def commit_phrase(entry: LoggedCommit) -> str:
    """``migrated 10,000 scans v3→v4, no changes``, ``moved 3 scans, no changes``, or
    ``3 answers flipped in 2 papers (...); 2 papers differ: 2 modified`` (``merge: `` before it
    at a merge)."""
    papers = entry.result.papers
    if entry.migration:
        steps = sorted({(p.old_version or 0, p.new_version or 0) for p in papers})
        versions = ", ".join(f"v{old}{ARROW.strip()}v{new}" for old, new in steps)
        return f"migrated {_scans(len(papers))} {versions}, no changes"
    if entry.move:
        return f"moved {_scans(len(papers))}, no changes"
    head, items = flips(entry.result, limit=3)
    text = f"{head} ({', '.join(items)})" if items else head
    text = f"{text}; {papers_phrase(entry.result)}"
    return f"merge: {text}" if entry.merge else text


def header(commit: CommitInfo, color: bool) -> list[str]:
    """git log's header of a commit: id, author, date, then the subject indented."""
    line = f"commit {commit.sha}"
    return [
        f"{YELLOW}{line}{RESET}" if color else line,
        terminal_safe(f"Author: {commit.author} <{commit.email}>"),
        f"Date:   {commit.date}",
        "",
        terminal_safe(f"    {commit.subject}"),
        "",
    ]


def _indented(text: str) -> list[str]:
    return [f"    {line}" if line else "" for line in text.rstrip("\n").split("\n")]


def render_log_text(
    entries: Sequence[LoggedCommit], color: bool, word_diff: bool = False, stat: bool = False
) -> str:
    lines: list[str] = []
    for entry in entries:
        lines.extend(header(entry.commit, color))
        lines.append(f"    {terminal_safe(commit_phrase(entry))}")
        if not (entry.migration or entry.move):
            if stat:
                body = render_stat(entry.result).rstrip("\n").rsplit("\n", 1)[0]
            else:
                body = render_text(entry.result, color, word_diff, totals=False)
            if body.strip():
                lines.extend(_indented(body))
        lines.append("")
    return "\n".join(lines)


def render_log_markdown(entries: Sequence[LoggedCommit]) -> str:
    """Per commit a heading, its line, then the body of ``tools/diff``'s comment (without its
    own title: the heading names the commit)."""
    limit = max(4000, MARKDOWN_LIMIT // max(1, len(entries)))
    parts = []
    for entry in entries:
        c = entry.commit
        parts += [f"### {markdown_inline(c.sha[:12])} {markdown_inline(c.subject)}", ""]
        if entry.migration or entry.move:
            phrase = markdown_inline(commit_phrase(entry))
            parts += [f"{markdown_inline(c.author)}, {c.date}: {phrase}", ""]
        else:
            parts += [f"{markdown_inline(c.author)}, {c.date}", ""]
            parts.append(render_markdown(entry.result, limit=limit).split("\n", 2)[2])
    return "\n".join(parts).rstrip("\n") + "\n"


def log_document(entries: Sequence[LoggedCommit], revisions: Sequence[str]) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "revisions": list(revisions),
        "commits": [
            {
                **entry.commit.to_json(),
                "merge": entry.merge,
                "migration": entry.migration,
                "move": entry.move,
                "summary": commit_phrase(entry),
                "diff": entry.result.to_json(),
            }
            for entry in entries
        ],
    }


def render_log_json(entries: Sequence[LoggedCommit], revisions: Sequence[str]) -> str:
    text = json.dumps(log_document(entries, revisions), indent=2, ensure_ascii=False)
    return json_safe(text) + "\n"
