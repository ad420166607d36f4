"""Schema differences (``tools/schema diff``) as text, Markdown and JSON.

Schemas under review are a pull request's data: every name, pattern and value they bring is
made inert (``render.inert``) wherever it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from scanrepo.render.inert import json_safe, markdown_inline, terminal_safe
from scanrepo.schema.revisions import VersionDiff

# The Markdown goes below tools/diff's comment (at most 60,000 characters) within the forge's
# 65,536.
MARKDOWN_LIMIT = 5000


def _heading(diff: VersionDiff) -> str:
    what = {
        "changed": f"{len(diff.changes)} change{'s' if len(diff.changes) != 1 else ''}",
        "unchanged": "no change",
        "added": "a new version",
        "removed": "removed",
    }[diff.status]
    return f"{diff.old} -> {diff.new}: {what}"


def _frozen(diff: VersionDiff) -> str | None:
    if diff.released_in is None:
        return None
    return (
        f"FROZEN: this version was released in {diff.released_in[:12]} (scans at it exist in "
        "history since); its schema must not change: make a new version instead"
    )


def _places(count: int) -> str:
    return f" ({count} places)" if count > 1 else ""


def render_text(diffs: Sequence[VersionDiff]) -> str:
    if not diffs:
        return ""
    lines: list[str] = []
    for diff in diffs:
        lines.append(_heading(diff))
        if frozen := _frozen(diff):
            lines.append(f"  {frozen}")
        for change in diff.changes:
            where = f" where {change.condition}" if change.condition else ""
            lines.append(f"  {change.kind}: {change.scan_path}{_places(change.count)}{where}")
            lines.append(f"      {change.detail}")
            lines.append(f"      migration: {change.migration}")
    return terminal_safe("\n".join(lines)) + "\n"


def render_markdown(diffs: Sequence[VersionDiff], limit: int = MARKDOWN_LIMIT) -> str:
    parts = ["### Schema changes", ""]
    left_out = 0
    for diff in diffs:
        if diff.status == "unchanged":
            continue
        parts.append(f"**{markdown_inline(_heading(diff))}**")
        parts.append("")
        if frozen := _frozen(diff):
            parts += [f"> [!WARNING]\n> {markdown_inline(frozen)}", ""]
        if not diff.changes:
            continue
        parts += ["| change | in a scan | what | the migration must |", "| --- | --- | --- | --- |"]
        said: set[str] = set()  # what the migration must do, said once
        for change in diff.changes:
            where = f" where {change.condition}" if change.condition else ""
            must = "(as above)" if change.migration in said else change.migration
            row = (
                f"| {markdown_inline(change.kind)} "
                f"| {markdown_inline(change.scan_path + _places(change.count) + where)} "
                f"| {markdown_inline(change.detail)} | {markdown_inline(must)} |"
            )
            if sum(map(len, parts)) + len(row) > limit:
                left_out += 1
                continue
            parts.append(row)
            said.add(change.migration)
        parts.append("")
    if all(diff.status == "unchanged" for diff in diffs):
        parts.append("No schema changes.")
    if left_out:
        parts.append(f"{left_out} more changes not shown: run `tools/schema diff` to see them all.")
    return "\n".join(parts).rstrip("\n") + "\n"


def render_json(diffs: Sequence[VersionDiff]) -> str:
    document = {"diffs": [diff.as_json() for diff in diffs]}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
