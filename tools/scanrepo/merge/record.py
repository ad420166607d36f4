"""The record of a scan merge that stopped: what conflicts, with all three sides, for tools/resolve.

One JSON file per merged scan in ``$(git rev-parse --git-path scanrepo-conflicts)/`` (inside
``.git``, per work tree, never among the scans), named by a digest of the scan's path. It holds
the three sides at the newest version, so that a choice can be applied by merging again, the
choices made so far, the conflicts still open (for reading), the digest of the bytes written
(to notice hand edits), and, for a merge that failed, the problems instead::

    {"format": "scanrepo-merge", "version": 1,
     "key": "2602.07852", "path": "scans/v4/2602/2602.07852.json", "scan_version": 4,
     "remove": [], "by_key": false,
     "keep": "ours", "choices": {"<where>": "theirs"}, "written": "<sha256>",
     "head": "<HEAD when the record was written>",
     "conflicts": [{"where": ..., "path": [...], "json_path": ..., "kept": "ours",
                    "base": ..., "ours": ..., "theirs": ...}],
     "problems": [], "sides": {"base": {...} | null, "ours": {...}, "theirs": {...}}}

``by_key`` says tools/resolve --merge found the three versions by paper key (git could not pair
them by path); ``remove`` lists other files of the same paper that the merge replaces (a scan
one side moved to another version directory). A record with no conflict and no problem left is
*resolved* (tools/resolve applied every choice; the file awaits ``git add``). A record is live
while git's merge, rebase, cherry-pick or revert is in progress and HEAD is where it was when the
record was written (``state.InProgress``); once that operation is concluded or aborted it is
stale and dropped. While a live record is open, the commit hook refuses to commit its file.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanrepo.errors import JsonSyntaxError, ScanRepoError
from scanrepo.format.strictjson import parse_strict
from scanrepo.fs.atomic import write_files
from scanrepo.merge.paper import PaperMerge, Sides, digest
from scanrepo.merge.state import InProgress
from scanrepo.merge.threeway import SIDES, Conflict, Side
from scanrepo.problems import Problem
from scanrepo.vcs.repo import GitRepo

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
    by_key: bool = False
    head: str | None = None

    @property
    def open(self) -> bool:
        """Whether something is left to resolve (a conflict, or a file not merged at all)."""
        return bool(self.conflicts or self.problems)

    @property
    def unresolved(self) -> str:
        """What is left to resolve, for a message."""
        if self.problems:
            return "the whole file (it could not be merged item by item)"
        return ", ".join(conflict.where for conflict in self.conflicts)

    @classmethod
    def of(
        cls,
        merge: PaperMerge,
        key: str,
        keep: Side,
        kept: bytes,
        remove: list[str] | None = None,
        by_key: bool = False,
        head: str | None = None,
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
            by_key=by_key,
            head=head,
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
            "by_key": self.by_key,
            "keep": self.keep,
            "choices": self.choices,
            "written": self.written,
            "head": self.head,
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
            by_key=bool(data["by_key"]),
            head=data.get("head"),
        )


def records_dir(cwd: Path) -> Path:
    """Where the records of the repository at ``cwd`` live (plain git: the merge driver runs once
    per conflicting file, so it starts no more than it needs)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--git-path", DIRECTORY],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ScanRepoError(f"{cwd}: cannot find the git directory: {exc}") from exc
    return (cwd / done.stdout.strip()).resolve()


def head_of(cwd: Path) -> str | None:
    """HEAD's commit in the repository at ``cwd`` (None: no commit yet), for ``head``."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or None


def record_file(directory: Path, path: str) -> Path:
    name = hashlib.sha256(path.encode("utf-8")).hexdigest()[:20]
    return directory / f"{name}.json"


def save(directory: Path, record: MergeRecord) -> None:
    data = json.dumps(record.to_json(), indent=2, ensure_ascii=False).encode("utf-8")
    write_files({record_file(directory, record.path): data})


def forget(directory: Path, path: str) -> None:
    record_file(directory, path).unlink(missing_ok=True)


def load_all(directory: Path) -> list[MergeRecord]:
    """Every record, by path; one that cannot be read is an error naming its file."""
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


def load_live(repo: GitRepo, progress: InProgress) -> tuple[list[MergeRecord], list[MergeRecord]]:
    """The live records and the stale ones (see the module's docstring)."""
    live: list[MergeRecord] = []
    stale: list[MergeRecord] = []
    for record in load_all(records_dir(repo.root)):
        (live if progress.holds(record.head) else stale).append(record)
    return live, stale


def unresolved_problems(repo: GitRepo, staged: dict[str, str]) -> list[Problem]:
    """One problem for each staged scan (path -> blob) whose live record is still open: git
    took the file as merged, but the merge driver left an answer of theirs out of it."""
    progress = InProgress.of(repo)
    if progress.operation is None:
        return []
    live, _ = load_live(repo, progress)
    found = []
    for record in live:
        blob = staged.get(record.path)
        if blob is None or not record.open:
            continue
        [(_, data)] = list(repo.read_blobs([blob]))
        command = f"tools/resolve {record.key} --take ours|theirs"
        if digest(data) == record.written:
            how = f"resolve with {command}" + (" [--item ...]" if record.conflicts else "")
        else:
            how = (
                f"the file was edited since the merge: if the edit resolves it, "
                f"tools/resolve {record.key} --accept --add; else {command} --force"
            )
        message = f"unresolved scan conflict: {record.unresolved}; {how}"
        found.append(Problem(record.path, None, None, "$", message, "git"))
    return found
