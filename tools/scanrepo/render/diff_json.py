"""A DiffResult as JSON (``tools/diff --format json``): the change model's own form."""

from __future__ import annotations

import json
from collections.abc import Sequence

from scanrepo.diff.changes import DiffResult
from scanrepo.problems import Problem
from scanrepo.render.inert import json_safe


def render_json(result: DiffResult, problems: Sequence[Problem] | None = None) -> str:
    """``result.to_json()`` as indented JSON, safe to print to a terminal; with ``problems``,
    the validation problems of the new side too (``validation_problems``)."""
    document = result.to_json()
    if problems is not None:
        document = {**document, "validation_problems": [p.to_json() for p in problems]}
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
