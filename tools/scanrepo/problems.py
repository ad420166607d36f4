"""The one vocabulary every tool uses to report what is wrong with a scan."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Kind = Literal["syntax", "schema", "layout", "format", "io", "migration", "git"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file: rendered as ``file:line:col: $.path: message``."""

    file: str
    line: int | None
    col: int | None
    path: str
    message: str
    kind: Kind = "schema"
    fixable: bool = False

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.col if self.col is not None else 1}"
        return f"{where}: {self.path}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)
