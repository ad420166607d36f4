"""Recording a migration in git: moves staged as ``git mv`` would, or committed in two steps.

Everything is computed against HEAD and the index, not remembered from the run, so a run that
was interrupted after the work tree changed (or after the first of its two commits) is finished
by the next one. A paper whose scan HEAD holds at another version's path is a *move*: the old
paths leave the index and the new file enters it. With ``--commit`` the first commit records
each move as a pure rename (the old content at the new path), which plain ``git log --follow``
recognises; the second commit records the rewrite. A paper whose new path HEAD already holds
with its pre-migration content (the first commit was made, the second was not) is a *rewrite*.
All git work goes through a few batched commands, never one process per file.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from scanrepo.errors import ScanRepoError
from scanrepo.format import keys
from scanrepo.migrate.plan import Plan
from scanrepo.vcs.repo import Entry, GitRepo

MigratesTo = Callable[[bytes], bytes | None]


@dataclass(frozen=True)
class Move:
    """One paper's tracked scan moving to ``target``."""

    key: str
    olds: tuple[str, ...]  # its tracked paths at other versions (in HEAD or the index)
    target: str
    rename_from: Entry | None  # HEAD's entry the pure-rename commit places at target
    needs_staging: bool  # the index does not yet hold the move


@dataclass
class GitPlan:
    moves: list[Move] = field(default_factory=list)
    rewrites: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)  # files to rewrite with uncommitted changes
    other_staged: list[str] = field(default_factory=list)  # staged paths the migration is not
    untracked: int = 0  # papers migrated whose old file git does not track
    head: dict[str, Entry] = field(default_factory=dict)

    @property
    def to_stage(self) -> list[Move]:
        return [m for m in self.moves if m.needs_staging]

    @property
    def to_commit(self) -> bool:
        return bool(self.moves or self.rewrites)


def _status(repo: GitRepo) -> dict[str, str]:
    """``XY`` of every tracked path that differs from HEAD or the work tree (git status)."""
    out = repo.run("status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=no")
    return {rec[3:]: rec[:2] for rec in out.split("\0") if rec}


def _is_edited(code: str) -> bool:
    """Changed since the last commit, staged or not; a newly added file is not an edit."""
    index, worktree = code[0], code[1]
    return worktree != " " or index not in " A"


def plan_git(repo: GitRepo, root: Path, plan: Plan, migrates_to: MigratesTo) -> GitPlan:
    """What the index and history need so that git sees every move of ``plan``."""
    head = {e.path: e for e in repo.tree_entries("HEAD")} if repo.has_commits() else {}
    index = {e.path: e for e in repo.index_entries()}
    status = _status(repo)
    tracked_by_key: dict[str, list[str]] = defaultdict(list)  # a list each: 100,000 of them
    for path in itertools.chain(head, (path for path in index if path not in head)):
        if where := keys.parse_scan_path(path):
            tracked_by_key[where[2]].append(path)
    gp = GitPlan(head=head)
    written = {p.key for p in plan.to_write}
    for paper in plan.papers:
        gp.edited.extend(
            s for s in paper.sources if s in status and _is_edited(status[s]) and s in index
        )
    for key, target in sorted(plan.finals.items()):
        olds = tuple(sorted(set(tracked_by_key.get(key, ())) - {target}))
        if olds:
            head_old = next((head[p] for p in olds if p in head), None)
            needs = (
                key in written
                or any(p in index for p in olds)
                or target not in index
                or status.get(target, "  ")[1] != " "
            )
            gp.moves.append(
                Move(key, olds, target, head_old if target not in head else None, needs)
            )
        elif key in written:
            gp.untracked += 1
        elif target in head and target in status:
            gp.rewrites.append(target)
    gp.rewrites = _pending_rewrites(repo, root, gp.rewrites, head, migrates_to)
    ours = {p for m in gp.moves for p in (*m.olds, m.target)} | set(gp.rewrites)
    gp.other_staged = sorted(
        p for p, code in status.items() if code[0] not in " ?" and p not in ours
    )
    gp.edited.sort()
    return gp


def _pending_rewrites(
    repo: GitRepo,
    root: Path,
    candidates: list[str],
    head: dict[str, Entry],
    migrates_to: MigratesTo,
) -> list[str]:
    """The candidates whose work tree file is exactly the migration of HEAD's content."""
    blobs = dict(repo.read_blobs(sorted({head[p].blob for p in candidates})))
    found = []
    for path in candidates:
        try:
            current = (root / path).read_bytes()
        except OSError:
            continue
        old = blobs[head[path].blob]
        if old != current and migrates_to(old) == current:
            found.append(path)
    return found


def stage(repo: GitRepo, gp: GitPlan) -> int:
    """Stage the moves as ``git mv`` would (and pending rewrites) in one git command.

    ``update-index --add --remove`` on the exact paths is ``git add --all`` without pathspec
    matching: the old paths, gone from the work tree, leave the index; the new files enter it.
    """
    index = {e.path for e in repo.index_entries()}
    moves = gp.to_stage
    paths = [p for m in moves for p in m.olds if p in index]
    paths += [m.target for m in moves] + gp.rewrites
    if paths:
        repo.run_with_input(
            b"".join(p.encode() + b"\0" for p in paths),
            "update-index",
            "--add",
            "--remove",
            "-z",
            "--stdin",
        )
    return len(moves) + len(gp.rewrites)


def commit(repo: GitRepo, gp: GitPlan, target: int) -> list[str]:
    """Two commits: the pure renames (no hooks: it is an intermediate state), then the rewrite.

    Returns the new commit ids. The first commit is made from the index alone: each renamed
    scan's old path leaves it and its HEAD content appears at the new path (100% similar);
    every other path the migration touches is set back to HEAD for that commit.
    """
    made: list[str] = []
    renames = [m for m in gp.moves if m.rename_from is not None]
    versions = _versions(gp, target)
    if renames:
        null = "0" * len(next(iter(gp.head.values())).blob)  # the repository's id length

        def as_in_head(path: str) -> str:
            entry = gp.head.get(path)
            return f"{entry.mode} {entry.blob}\t{path}" if entry else f"0 {null}\t{path}"

        records = [as_in_head(p) for p in gp.rewrites]
        for move in gp.moves:
            if move.rename_from is None:
                records += [as_in_head(p) for p in (*move.olds, move.target)]
            else:
                records += [f"0 {null}\t{p}" for p in move.olds]
                records.append(f"{move.rename_from.mode} {move.rename_from.blob}\t{move.target}")
        repo.run_with_input(
            "".join(r + "\0" for r in records).encode(), "update-index", "-z", "--index-info"
        )
        repo.run(
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            f"Move {_scans(len(renames))} to scans/v{target}/ "
            f"(migration {', '.join(versions)}, step 1 of 2)",
            "-m",
            "Pure renames, content unchanged, so that plain `git log --follow` finds each "
            "scan's history across the migration. The next commit rewrites them; this "
            "intermediate commit does not pass tools/validate.",
        )
        made.append(repo.run("rev-parse", "HEAD").strip())
    stage(
        repo,
        GitPlan(moves=[replace(m, needs_staging=True) for m in gp.moves], rewrites=gp.rewrites),
    )
    notes = versions + (["step 2 of 2"] if made or gp.rewrites else [])
    count = len(gp.moves) + len(gp.rewrites)
    subject = f"Migrate {_scans(count)} to v{target}" + (f" ({', '.join(notes)})" if notes else "")
    try:
        repo.run(
            "commit", "--quiet", "-m", subject, "-m", f"Rewritten by tools/migrate --to {target}."
        )
    except ScanRepoError as exc:
        raise ScanRepoError(
            f"{exc}\nthe rewrite is staged but was not committed"
            + (" (the move commit was made)" if made else "")
            + f": fix the cause, then run git commit, or tools/migrate --to {target} --commit"
        ) from exc
    made.append(repo.run("rev-parse", "HEAD").strip())
    return made


def _versions(gp: GitPlan, target: int) -> list[str]:
    sources = {where[0] for m in gp.moves for p in m.olds if (where := keys.parse_scan_path(p))}
    return [f"v{v}→v{target}" for v in sorted(sources)]


def _scans(n: int) -> str:
    return f"{n} scan{'s' if n != 1 else ''}"
