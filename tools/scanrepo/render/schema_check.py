"""What ``tools/schema check`` found, as text or JSON; scans are shown as JSON made inert."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from scanrepo.render.inert import json_safe
from scanrepo.schema.check import LISTED, StepResult


def _scans(n: int, what: str) -> str:
    return f"{n} {what} scan{'s' if n != 1 else ''}"


def _scan_json(scan: Any) -> str:
    return json_safe(json.dumps(scan, indent=2, ensure_ascii=False))


def _arrow(result: StepResult) -> str:
    return f"v{result.step.from_version} → v{result.step.to_version}"


def render_text(results: Sequence[StepResult]) -> str:
    lines: list[str] = []
    for result in results:
        old, new = result.step.from_version, result.step.to_version
        lines.append(f"{_arrow(result)} ({result.step.file.name}): {result.step.summary}")
        refused = f" ({result.refused} refused)" if result.refused else ""
        lines.append(
            f"  generated: {_scans(result.generated['up'], f'v{old}')} upgraded and back, "
            f"{_scans(result.generated['down'], f'v{new}')} downgraded{refused} and back"
        )
        skipped = f", {result.real_skipped} skipped (not valid at v{old})"
        lines.append(
            f"  real: {_scans(result.real, f'v{old}')} from the work tree and history"
            + (skipped if result.real_skipped else "")
        )
        if not result.coverage_judged:
            lines.append(
                f"  schema changes: {len(result.changes)}, coverage not judged (the search "
                "stopped at a counterexample)"
            )
        elif result.unexercised:
            lines.append(
                f"  schema changes: {len(result.changes)}, {len(result.unexercised)} that no "
                "generated scan exercised:"
            )
            lines.extend(
                f"    {c.scan_path}: {c.kind}: {c.detail} (the migration: {c.migration})"
                for c in result.unexercised
            )
        else:
            every = "every one" if len(result.changes) != 1 else "it"
            lines.append(f"  schema changes: {len(result.changes)}, {every} exercised")
        for direction in ("up", "down"):
            if result.generated[direction] == 0:
                version = old if direction == "up" else new
                lines.append(
                    f"  no valid v{version} scan could be generated from its schema: nothing "
                    "was checked this way"
                )
        lines.extend(
            f"  frozen: schema/v{f.version}.json changed since v{f.version} was released in "
            f"{f.released_in[:12]} ({len(f.changes)} change{'s' if len(f.changes) != 1 else ''};"
            " tools/schema diff --frozen shows them): scans at that version exist in history"
            for f in result.frozen
        )
        generated = [c for c in result.counterexamples if c.source == "generated"]
        real = [c for c in result.counterexamples if c.source != "generated"]
        for found in generated:
            version = old if found.direction == "up" else new
            lines.append(f"  counterexample ({found.check}): {found.path}: {found.message}")
            lines.append(f"    the minimal v{version} scan:")
            lines.extend(f"    {line}" for line in _scan_json(found.scan).splitlines())
        for found in real[:LISTED]:
            lines.append(
                f"  counterexample ({found.check}): {found.source}: {found.path}: {found.message}"
            )
        if len(real) > LISTED:
            lines.append(f"  and {len(real) - LISTED} more real scans")
    failed = [r for r in results if not r.proven]
    steps = f"{len(results)} step{'s' if len(results) != 1 else ''}"
    if failed:
        lines.append(
            f"not proven: {len(failed)} of {steps} ({', '.join(_arrow(r) for r in failed)})"
        )
    else:
        lines.append(f"proven: {steps} ({', '.join(_arrow(r) for r in results)})")
    return "\n".join(lines) + "\n"


def render_json(results: Sequence[StepResult]) -> str:
    document = {
        "proven": all(r.proven for r in results),
        "steps": [r.to_json() for r in results],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
