"""Validation of scans: strict parse, schema of the scan's own version, layout, canonical form.

``check_scan`` judges one file's bytes on its own and is what worker processes run; the
functions after it gather inputs (work tree, index, a commit) and add the checks that need
the whole set, such as one scan per paper.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanrepo.errors import JsonSyntaxError, ScanRepoError, UnnamedPaperError
from scanrepo.format import keys
from scanrepo.format.canonical import canonical_bytes
from scanrepo.format.jsonpath import format_json_path, locate
from scanrepo.format.rules import check_rules
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import MAX_BYTES, read_strict
from scanrepo.fs.atomic import is_leftover_temp
from scanrepo.fs.workers import chunked_map
from scanrepo.migrate.migrator import Migrator
from scanrepo.problems import Problem
from scanrepo.toolkit import Toolkit


@dataclass
class ScanResult:
    """What checking one file found."""

    name: str
    relpath: str | None
    version: int | None = None
    key: str | None = None
    problems: list[Problem] = field(default_factory=list)
    canonical: bytes | None = None  # set when the file parses but is not in canonical form
    fs_path: str | None = None  # the work tree file read, where there is one


def line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset."""
    head = data[:offset]
    line = head.count(b"\n") + 1
    start = head.rfind(b"\n") + 1
    return line, len(head[start:].decode("utf-8", "replace")) + 1


def _first_difference(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def version_of(doc: Any, registry: SchemaRegistry) -> tuple[int | None, str | None]:
    """The scan_version of a parsed scan, or None and why it has none a schema knows."""
    if not isinstance(doc, dict):
        return None, f"a scan is a JSON object, not {type(doc).__name__}"
    if "scan_version" not in doc:
        return None, f"missing scan_version (known versions: {registry.describe_versions()})"
    version = doc["scan_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        return None, f"scan_version must be an integer, not {version!r}"
    if version not in registry.versions:
        return None, (
            f"unknown scan_version {version}: "
            f"schemas exist for versions {registry.describe_versions()}"
        )
    return version, None


def syntax_problem(name: str, exc: JsonSyntaxError) -> Problem:
    return Problem(name, exc.line, exc.col, exc.path, exc.message, "syntax")


def check_scan(data: bytes, name: str, relpath: str | None, registry: SchemaRegistry) -> ScanResult:
    """Every problem of one scan file's content, on its own."""
    try:
        doc, plain = read_strict(data)
    except JsonSyntaxError as exc:
        return ScanResult(name, relpath, problems=[syntax_problem(name, exc)])
    return check_parsed(doc, data, name, relpath, registry, plain=plain)


def check_parsed(
    doc: Any,
    data: bytes,
    name: str,
    relpath: str | None,
    registry: SchemaRegistry,
    *,
    canonical_form: bool = True,
    plain: bool = False,
) -> ScanResult:
    """``check_scan`` after parsing ``data`` into ``doc``; without ``canonical_form``, the
    canonical form is not checked (for a caller that rewrites the file anyway). ``plain`` is
    what ``read_strict`` said of ``doc``."""
    result = ScanResult(name, relpath)
    problems = result.problems

    def at(path: tuple[str | int, ...], message: str, kind: Any = "schema") -> Problem:
        line, col = locate(data, path)
        return Problem(name, line, col, format_json_path(path), message, kind)

    version, error = version_of(doc, registry)
    result.version = version
    if error:
        path: tuple[str | int, ...] = ("scan_version",) if isinstance(doc, dict) else ()
        problems.append(at(path, error))
    else:
        assert version is not None
        for v in registry.check(doc, version, plain=plain) or check_rules(doc):
            problems.append(at(v.path, v.message))

    canonical = canonical_bytes(doc, plain=plain) if canonical_form else data
    if canonical != data:
        offset = _first_difference(data, canonical)
        line, col = line_col(data, offset)
        problems.append(
            Problem(
                name,
                line,
                col,
                "$",
                "not in canonical form (fix: tools/validate --fix-format)",
                "format",
                fixable=True,
            )
        )
        result.canonical = canonical

    if relpath is not None and relpath.startswith(keys.SCANS_DIR + "/"):
        problems.extend(_layout_problems(doc, data, name, relpath, version, result))
    elif version is not None:
        problems.extend(_placement_problems(doc, name, version))
    return result


def _placement_problems(doc: Any, name: str, version: int) -> Iterator[Problem]:
    """A scan outside scans/ (a file named on the command line) is not in the repository's
    corpus yet: say where it belongs."""
    try:
        expected = keys.scan_path(doc, version)
    except UnnamedPaperError as exc:
        yield Problem(name, 1, 1, "$.paper", str(exc), "layout")
        return
    yield Problem(
        name,
        None,
        None,
        "$",
        f"not in {keys.SCANS_DIR}/: this scan belongs at {expected}",
        "layout",
    )


def _layout_problems(
    doc: Any, data: bytes, name: str, relpath: str, version: int | None, result: ScanResult
) -> Iterator[Problem]:
    where = keys.parse_scan_path(relpath)
    if where is None:
        yield Problem(
            name,
            None,
            None,
            "$",
            "not where a scan belongs: scans/v<N>/<shard>/<paper-key>.json",
            "layout",
        )
        return
    dir_version, shard, file_key = where
    result.key = file_key
    if version is not None and dir_version != version:
        line, col = locate(data, ("scan_version",))
        yield Problem(
            name,
            line,
            col,
            "$.scan_version",
            f"scan_version is {version} but the file is in scans/v{dir_version}/",
            "layout",
        )
    try:
        key = keys.paper_key(doc)
    except UnnamedPaperError as exc:
        yield Problem(name, 1, 1, "$.paper", str(exc), "layout")
        return
    result.key = key
    expected = keys.scan_path(doc, version if version is not None else dir_version)
    if file_key != key:
        line, col = locate(data, ("paper",))
        yield Problem(
            name,
            line,
            col,
            "$.paper",
            f"file name says {file_key!r} but the paper key is {key!r} (expected {expected})",
            "layout",
        )
    elif shard != expected.parent.name:
        yield Problem(
            name,
            None,
            None,
            "$",
            f"shard {shard!r} is wrong for key {key!r} (expected {expected})",
            "layout",
        )


# --- gathering inputs -------------------------------------------------------------------


def _registry_of(schema_dir: Path) -> SchemaRegistry:
    return Toolkit(schema_dir).registry


@dataclass(frozen=True)
class Job:
    """One file to check: its bytes, or where to read them in the work tree."""

    name: str
    relpath: str | None
    data: bytes | None = None
    fs_path: str | None = None


def too_large(name: str, size: int) -> Problem:
    """The problem of a file refused by its size, before its content is read."""
    return Problem(
        name, None, None, "$", f"file is {size} bytes; a scan may have at most {MAX_BYTES}", "io"
    )


def read_scan_file(path: Path, name: str) -> bytes | Problem:
    """A scan file's bytes, or the one problem that stops reading it."""
    try:
        if path.is_symlink():
            return Problem(
                name, None, None, "$", "is a symbolic link; a scan must be a regular file", "io"
            )
        if path.is_dir():
            return Problem(name, None, None, "$", "is a directory, not a scan file", "io")
        size = path.stat().st_size
        if size > MAX_BYTES:
            return too_large(name, size)
        return path.read_bytes()
    except OSError as exc:
        return Problem(name, None, None, "$", f"cannot read: {exc.strerror or exc}", "io")


def _run_job(job: Job, registry: SchemaRegistry) -> ScanResult:
    data = job.data
    if data is None:
        assert job.fs_path is not None
        read = read_scan_file(Path(job.fs_path), job.name)
        if isinstance(read, Problem):
            return ScanResult(job.name, job.relpath, problems=[read])
        data = read
    result = check_scan(data, job.name, job.relpath, registry)
    result.fs_path = job.fs_path
    return result


def run_jobs(
    jobs: Sequence[Job],
    registry: SchemaRegistry,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ScanResult]:
    """Check every job, in worker processes when there are enough to pay for them."""
    return chunked_map(
        _run_job, jobs, registry, _registry_of, (registry.schema_dir,), workers, progress
    )


Read = Callable[[Sequence[str]], Mapping[str, bytes]]


def duplicate_problems(
    paths: Iterable[tuple[str, str]], toolkit: Toolkit, read: Read
) -> list[Problem]:
    """One scan per paper: (display name, repo-relative path) pairs grouped by file-name key.

    ``read`` gives the bytes of the repo-relative paths it can read. Two or more scans of one
    paper are what an interrupted tools/migrate leaves only when one of them is exactly the
    migration of each other one (its rerun's test, ``Migrator.migrated_bytes``); otherwise
    they are a duplicate, and a rerun of tools/migrate would refuse them.
    """
    by_key: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for name, relpath in paths:
        if where := keys.parse_scan_path(relpath):
            by_key[where[2]].append((name, relpath, where[0]))
    groups = {key: sorted(group) for key, group in by_key.items() if len(group) > 1}
    if not groups:
        return []
    data = read(sorted({relpath for group in groups.values() for _, relpath, _ in group}))
    problems: list[Problem] = []
    for key, group in sorted(groups.items()):
        names = [name for name, _, _ in group]
        listed = f"{_count(len(names))} scans of paper {key}: {_joined(names)}"
        leftover = _migrated_into(group, data, toolkit)
        if leftover is None:
            message = f"{listed}; keep one"
        else:
            name, version = leftover
            message = (
                f"{listed}; {name} is exactly the migration of the other"
                f"{'s' if len(names) > 2 else ''}, as an interrupted tools/migrate --to "
                f"{version} leaves them: run it again to finish"
            )
        problems.extend(Problem(name, None, None, "$", message, "layout") for name in names)
    return problems


def _migrated_into(
    group: list[tuple[str, str, int]], data: Mapping[str, bytes], toolkit: Toolkit
) -> tuple[str, int] | None:
    """(name, version) of the scan of ``group`` that each other one migrates to exactly; the
    newest such, as a migration that loses nothing is exact both ways."""
    for name, relpath, version in sorted(group, key=lambda g: -g[2]):
        others = [(r, v) for _, r, v in group if r != relpath]
        if relpath not in data or any(v == version or r not in data for r, v in others):
            continue
        try:
            migrator = Migrator.load(toolkit, version)
        except ScanRepoError:  # no schema or no migration for this directory's version
            continue
        if all(migrator.migrated_bytes(data[r]) == data[relpath] for r, _ in others):
            return name, version
    return None


def _count(n: int) -> str:
    return {2: "two", 3: "three"}.get(n, str(n))


def _joined(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def walk_scans(root: Path) -> Iterator[tuple[str, Path]]:
    """(repo-relative path, path) of every entry below scans/ that is not a directory.

    Directories are walked; a directory named like a scan file is reported as an entry so
    its check can say what it is. Symbolic links are reported, never followed.
    """
    base = root / keys.SCANS_DIR
    if not base.is_dir():
        return
    prefix = len(str(base)) - len(keys.SCANS_DIR)  # entries' paths start with base's
    stack = [base]
    while stack:
        directory = stack.pop()
        with os.scandir(directory) as it:
            for entry in sorted(it, key=lambda e: e.name):
                path = Path(entry.path)
                if entry.is_dir(follow_symlinks=False) and not entry.name.endswith(".json"):
                    stack.append(path)
                else:
                    yield entry.path[prefix:].replace(os.sep, "/"), path


def stray_problem(name: str, relpath: str) -> Problem | None:
    """Why an entry below scans/ that is not a scan file does not belong there, if it does not."""
    base = relpath.rsplit("/", 1)[-1]
    if base == ".gitkeep":
        return None
    if is_leftover_temp(base):
        return Problem(
            name,
            None,
            None,
            "$",
            "temporary file left by an interrupted write; run the interrupted tool "
            "again (e.g. tools/migrate) to finish, then delete it",
            "layout",
        )
    if not base.endswith(".json"):
        return Problem(
            name, None, None, "$", "not a scan file (scans/ holds only <key>.json)", "layout"
        )
    return None
