"""Renderings of a DiffResult: terminal text, ``--stat`` counts, a Markdown review comment, JSON."""

from __future__ import annotations

import json

from scanrepo.diff.changes import DiffResult
from scanrepo.render.diff_markdown import render_markdown
from scanrepo.render.diff_text import render_stat, render_text
from scanrepo.render.inert import json_safe


def render_json(result: DiffResult) -> str:
    """``result.to_json()`` as indented JSON, safe to print to a terminal."""
    return json_safe(json.dumps(result.to_json(), indent=2, ensure_ascii=False)) + "\n"


__all__ = ["render_json", "render_markdown", "render_stat", "render_text"]
