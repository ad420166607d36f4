"""``tools/blame`` as text: per part its name and answer now, then the commit that last changed
the answer and the one that last changed the justification, each with date, author and model."""

from __future__ import annotations

from collections.abc import Sequence

from scanrepo.history.blame import Blamed, Part
from scanrepo.render.diff_text import one_line

YELLOW, RESET = "\x1b[33m", "\x1b[0m"


def _who(label: str, blamed: Blamed | None, color: bool) -> str:
    if blamed is None:
        return f"  {label:<13}  (before the first commit of this clone's history)"
    c = blamed.commit
    sha = f"{YELLOW}{c.sha[:12]}{RESET}" if color else c.sha[:12]
    model = blamed.model or "-"
    return f"  {label:<13}  {sha}  {c.date}  {one_line(c.author)}  {one_line(model)}  " + one_line(
        c.subject
    )


def render_blame(key: str, rev: str, commit: str, parts: Sequence[Part], color: bool) -> str:
    lines = [one_line(f"{key} at {rev} ({commit[:12]})")]
    for part in parts:
        lines.append(one_line(f"{part.name}  {part.value}"))
        lines.append(_who("answer", part.answer, color))
        lines.append(_who("justification", part.justification, color))
    return "\n".join(lines) + "\n"
