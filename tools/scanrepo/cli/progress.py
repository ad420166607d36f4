"""Progress of a run in stages: one counter line per stage, on a terminal, for large jobs."""

from __future__ import annotations

from collections.abc import Callable

from scanrepo.cli.common import Progress


class StageProgress:
    def __init__(self) -> None:
        self.current: Progress | None = None

    def stage(self, label: str) -> Callable[[int, int], None]:
        """The progress callback of one stage; it ends the previous stage's line."""

        def report(done: int, total: int) -> None:
            if self.current is None or self.current.label != label:
                self.close()
                self.current = Progress(label)
            self.current(done, total)

        return report

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
