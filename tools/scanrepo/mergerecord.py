"""The record of a scan merge that stopped: what conflicts, with all three sides, for tools/resolve.

One JSON file per merged scan in ``$(git rev-parse --git-path scanrepo-conflicts)/`` (inside
``.git``, per work tree, never among the scans), named by a digest of the scan's path. It holds
the three sides at the newest version, so that a choice can be applied by merging again, the
choices made so far, the conflicts still open (for reading), the digest of the bytes written
(to notice hand edits), and, for a merge that failed, the problems instead::

    {"format": "scanrepo-merge", "version": 1,
     "key": "2602.07852", "path": "scans/v4/2602/2602.07852.json", "scan_version": 4,
     "remove": [],
     "keep": "ours", "choices": {"<where>": "theirs"}, "written": "<sha256>",
     "conflicts": [{"where": ..., "path": [...], "json_path": ..., "kept": "ours",
                    "base": ..., "ours": ..., "theirs": ...}],
     "problems": [], "sides": {"base": {...} | null, "ours": {...}, "theirs": {...}}}

``remove`` lists other files of the same paper that the merge replaces (a scan one side moved
to another version directory). A record is live while any of its files is unmerged in git's
index; once the merge is concluded or aborted it is stale and dropped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanrepo.atomic import write_files
from scanrepo.gitrepo import GitRepo
from scanrepo.jsonio import JsonSyntaxError, parse_strict
from scanrepo.merge3 import SIDES, Conflict, Side
from scanrepo.mergepaper import PaperMerge, Sides, digest
from scanrepo.problems import Problem, ScanRepoError

FORMAT_NAME = "scanrepo-merge"
FORMAT_VERSION = 1
DIRECTORY = "scanrepo-conflicts"


@dataclass
class MergeRecord:
    key: str
    path: str
    written: str
    scan_version: int | None = None
    keep: Side = "ours"
    sides: Sides | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    choices: dict[str, Side] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls, merge: PaperMerge, key: str, keep: Side, kept: bytes, remove: list[str] | None = None
    ) -> MergeRecord:
        """The record of a merge that stopped; ``kept`` is what the file holds if the merge
        wrote nothing."""
        merged = merge.data is not None
        return cls(
            key=key,
            path=merge.path,
            written=digest(merge.data if merge.data is not None else kept),
            scan_version=merge.version,
            keep=keep,
            sides=merge.sides if merged else None,
            conflicts=merge.conflicts if merged else [],
            problems=merge.problems,
            remove=remove or [],
        )

    @property
    def files(self) -> list[str]:
        return [self.path, *self.remove]

    def to_json(self) -> dict[str, Any]:
        sides = self.sides
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "key": self.key,
            "path": self.path,
            "scan_version": self.scan_version,
            "remove": self.remove,
            "keep": self.keep,
            "choices": self.choices,
            "written": self.written,
            "conflicts": [conflict.to_json() for conflict in self.conflicts],
            "problems": [problem.to_json() for problem in self.problems],
            "sides": None
            if sides is None
            else {"base": sides.base, "ours": sides.ours, "theirs": sides.theirs},
        }

    @classmethod
    def from_json(cls, data: Any) -> MergeRecord:
        if not isinstance(data, dict) or (data.get("format"), data.get("version")) != (
            FORMAT_NAME,
            FORMAT_VERSION,
        ):
            raise ValueError(f"not a {FORMAT_NAME} v{FORMAT_VERSION} record")
        sides = data["sides"]
        keep = data["keep"]
        choices = data["choices"]
        if keep not in SIDES or any(side not in SIDES for side in choices.values()):
            raise ValueError("unknown side")
        return cls(
            key=data["key"],
            path=data["path"],
            written=data["written"],
            scan_version=data["scan_version"],
            keep=keep,
            sides=None if sides is None else Sides(sides["base"], sides["ours"], sides["theirs"]),
            conflicts=[Conflict.from_json(c) for c in data["conflicts"]],
            choices=dict(choices),
            problems=[Problem(**p) for p in data["problems"]],
            remove=list(data["remove"]),
        )


def records_dir(repo: GitRepo) -> Path:
    return (repo.root / repo.run("rev-parse", "--git-path", DIRECTORY).strip()).resolve()


def record_file(repo: GitRepo, path: str) -> Path:
    name = hashlib.sha256(path.encode("utf-8")).hexdigest()[:20]
    return records_dir(repo) / f"{name}.json"


def save(repo: GitRepo, record: MergeRecord) -> None:
    data = json.dumps(record.to_json(), indent=2, ensure_ascii=False).encode("utf-8")
    write_files({record_file(repo, record.path): data})


def forget(repo: GitRepo, path: str) -> None:
    record_file(repo, path).unlink(missing_ok=True)


def load_all(repo: GitRepo) -> list[MergeRecord]:
    """Every record, by path; one that cannot be read is an error naming its file."""
    directory = records_dir(repo)
    if not directory.is_dir():
        return []
    records = []
    for file in sorted(directory.glob("*.json")):
        try:
            records.append(MergeRecord.from_json(parse_strict(file.read_bytes())))
        except (OSError, JsonSyntaxError, ValueError, KeyError, TypeError) as exc:
            raise ScanRepoError(
                f"{file}: unreadable merge record ({exc}); delete it if no merge is in progress"
            ) from exc
    return sorted(records, key=lambda record: record.path)
