"""The outcome of a validation run, as the CLI renders it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scanrepo.problems import Problem
from scanrepo.validate.checks import ScanResult


@dataclass
class Report:
    results: list[ScanResult] = field(default_factory=list)
    extra: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        found = [p for r in self.results for p in r.problems] + self.extra
        return sorted(found, key=lambda p: (p.file, p.line or 0, p.col or 0, p.path, p.message))

    @property
    def versions(self) -> dict[int, int]:
        counts = Counter(r.version for r in self.results if r.version is not None)
        return dict(sorted(counts.items()))

    @property
    def files_with_problems(self) -> int:
        return len({p.file for p in self.problems})

    def summary(self) -> str:
        n = len(self.results)
        versions = ", ".join(f"v{v}: {c}" for v, c in self.versions.items()) or "none readable"
        checked = f"{n} scan{'s' if n != 1 else ''} checked" + (f" ({versions})" if n else "")
        problems = self.problems
        if not problems:
            return f"{checked}: no problems"
        fixable = sum(p.fixable for p in problems)
        text = (
            f"{checked}: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
            f"in {self.files_with_problems} file{'s' if self.files_with_problems != 1 else ''}"
        )
        if fixable:
            text += f" ({fixable} fixable with --fix-format)"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "scans_checked": len(self.results),
            "versions": {f"v{v}": c for v, c in self.versions.items()},
            "problems": [p.to_json() for p in self.problems],
        }
