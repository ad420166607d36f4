"""Where the scans to validate come from: the work tree, git's index, or a commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from scanrepo.errors import ScanRepoError
from scanrepo.format import keys
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.merge.record import unresolved_problems
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit
from scanrepo.validate.checks import (
    Job,
    Read,
    ScanResult,
    duplicate_problems,
    read_scan_file,
    run_jobs,
    stray_problem,
    too_large,
    walk_scans,
)
from scanrepo.validate.outcome import Report
from scanrepo.vcs.repo import GITLINK_MODE, SYMLINK_MODE, Entry, GitRepo

Progress = Callable[[int, int], None] | None
_NOT_FILES = (SYMLINK_MODE, GITLINK_MODE)


def _relative(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def resolve_scan_argument(root: Path, arg: str) -> list[Path]:
    """A path (file or directory) or a bare paper key, as the files it names."""
    path = Path(arg)
    if path.exists() or path.is_symlink():
        if path.is_dir() and not path.name.endswith(".json"):
            found = sorted(path.rglob("*.json"))
            if not found:
                raise ScanRepoError(f"{arg}: no .json file in this directory")
            return found
        return [path]
    key = keys.normalise_key_argument(arg)
    if key is not None:
        found = sorted((root / keys.SCANS_DIR).glob(f"v*/*/{key}.json"))
        if found:
            return found
    raise keys.unknown_paper(arg, f"in {keys.SCANS_DIR}/", worktree_keys(root))


def worktree_keys(root: Path) -> set[str]:
    """The paper keys of the scans in the work tree."""
    return keys.keys_of(rel for rel, _ in walk_scans(root))


def validate_worktree(
    root: Path,
    toolkit: Toolkit,
    args: list[str] | None = None,
    workers: int | None = None,
    progress: Progress = None,
) -> Report:
    report = Report()
    jobs: list[Job] = []
    listed: list[tuple[str, str]] = []
    if not args:
        for rel, path in walk_scans(root):
            stray = stray_problem(rel, rel)
            if stray:
                report.extra.append(stray)
            elif rel.endswith(".json"):
                jobs.append(Job(rel, rel, fs_path=str(path)))
                listed.append((rel, rel))
    else:
        for arg in args:
            for path in resolve_scan_argument(root, arg):
                relpath = _relative(root, path)
                name = relpath if relpath is not None else str(path)
                jobs.append(Job(name, relpath, fs_path=str(path)))
                if relpath is not None and (where := keys.parse_scan_path(relpath)):
                    listed.extend(
                        (p.relative_to(root).as_posix(), p.relative_to(root).as_posix())
                        for p in (root / keys.SCANS_DIR).glob(f"v*/*/{where[2]}.json")
                    )
    report.results = run_jobs(jobs, toolkit.registry, workers, progress)
    report.extra.extend(duplicate_problems(sorted(set(listed)), toolkit, _file_reader(root)))
    return report


def _file_reader(root: Path) -> Read:
    def read(relpaths: Sequence[str]) -> dict[str, bytes]:
        found = {rel: read_scan_file(root / rel, rel) for rel in relpaths}
        return {rel: data for rel, data in found.items() if isinstance(data, bytes)}

    return read


def _blob_reader(repo: GitRepo, entries: list[Entry]) -> Read:
    by_path = {e.path: e.blob for e in entries if e.stage == 0 and e.mode not in _NOT_FILES}

    def read(relpaths: Sequence[str]) -> dict[str, bytes]:
        wanted = {rel: by_path[rel] for rel in relpaths if rel in by_path}
        sizes = repo.blob_sizes(sorted(set(wanted.values())))
        small = sorted({blob for blob in wanted.values() if sizes[blob] <= MAX_BYTES})
        blobs = dict(repo.read_blobs(small))
        return {rel: blobs[blob] for rel, blob in wanted.items() if blob in blobs}

    return read


def _entry_problem(entry: Entry, name: str) -> Problem | None:
    if entry.stage:
        return Problem(name, None, None, "$", "unmerged: resolve the merge conflict first", "git")
    if entry.mode == SYMLINK_MODE:
        return Problem(
            name, None, None, "$", "is a symbolic link; a scan must be a regular file", "io"
        )
    if entry.mode == GITLINK_MODE:
        return Problem(name, None, None, "$", "is a submodule, not a scan file", "io")
    return stray_problem(name, entry.path)


def _validate_entries(
    repo: GitRepo,
    entries: list[Entry],
    to_check: set[str] | None,
    toolkit: Toolkit,
    label: Callable[[str], str],
    workers: int | None,
    progress: Progress,
) -> Report:
    report = Report()
    wanted: list[Entry] = []
    for entry in entries:
        if to_check is not None and entry.path not in to_check:
            continue
        problem = _entry_problem(entry, label(entry.path))
        if problem:
            report.extra.append(problem)
        elif entry.path.endswith(".json"):
            wanted.append(entry)
    sizes = repo.blob_sizes(sorted({e.blob for e in wanted}))
    readable = [e for e in wanted if sizes[e.blob] <= MAX_BYTES]
    blobs = dict(repo.read_blobs(sorted({e.blob for e in readable})))
    jobs = [Job(label(e.path), e.path, data=blobs[e.blob]) for e in readable]
    report.results = run_jobs(jobs, toolkit.registry, workers, progress)
    report.results += [
        ScanResult(label(e.path), e.path, problems=[too_large(label(e.path), sizes[e.blob])])
        for e in wanted
        if sizes[e.blob] > MAX_BYTES
    ]
    stage0 = [(label(e.path), e.path) for e in entries if e.stage == 0]
    dups = duplicate_problems(stage0, toolkit, _blob_reader(repo, entries))
    if to_check is not None:
        dups = [p for p in dups if any(p.file == label(path) for path in to_check)]
    report.extra.extend(dups)
    report.extra = list(dict.fromkeys(report.extra))  # an unmerged path has up to three stages
    return report


def validate_index(
    repo: GitRepo, toolkit: Toolkit, workers: int | None = None, progress: Progress = None
) -> Report:
    """The staged scans that differ from HEAD, as git's index holds them, and those a merge in
    progress left with a semantic conflict unresolved (``merge.record``)."""
    entries = repo.index_entries()
    to_check: set[str] | None = None
    if repo.has_commits():
        out = repo.run(
            "diff-index",
            "--cached",
            "-z",
            "--no-renames",
            "--name-only",
            "HEAD",
            "--",
            keys.SCANS_DIR,
        )
        to_check = set(filter(None, out.split("\0")))
    report = _validate_entries(repo, entries, to_check, toolkit, lambda p: p, workers, progress)
    # even a scan staged as HEAD has it: a merge that kept ours whole is still a conflict
    staged = {e.path: e.blob for e in entries if e.stage == 0 and e.mode not in _NOT_FILES}
    report.extra.extend(unresolved_problems(repo, staged))
    return report


def validate_commit(
    repo: GitRepo,
    rev: str,
    toolkit: Toolkit,
    workers: int | None = None,
    progress: Progress = None,
) -> Report:
    """Every scan in a commit's tree, read from git without checking it out."""
    commit = repo.resolve(rev)
    entries = repo.tree_entries(commit)
    if not entries:
        raise ScanRepoError(f"{rev} has no {keys.SCANS_DIR}/ directory: it holds no scan to check")
    return _validate_entries(
        repo, entries, None, toolkit, lambda p: f"{rev}:{p}", workers, progress
    )
