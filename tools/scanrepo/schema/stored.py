"""The schema files of a version directory or of a commit, read as data: strict JSON, never
run, whatever branch they come from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanrepo.errors import JsonSyntaxError, ScanRepoError
from scanrepo.format.schemas import SCHEMA_FILE
from scanrepo.format.strictjson import parse_strict
from scanrepo.vcs.repo import GitRepo

Schemas = dict[int, dict[str, Any]]


def _parsed(data: bytes, where: str) -> dict[str, Any]:
    try:
        schema = parse_strict(data)
    except JsonSyntaxError as exc:
        raise ScanRepoError(f"{where}:{exc}") from exc
    if not isinstance(schema, dict):
        raise ScanRepoError(f"{where}: a schema must be a JSON object")
    return schema


def schema_name(version: int) -> str:
    return f"v{version}.json"


def read_schemas(schema_dir: Path) -> Schemas:
    """Every ``v<N>.json`` of a directory, by version."""
    try:
        names = sorted(path.name for path in schema_dir.iterdir())
    except OSError as exc:
        raise ScanRepoError(f"{schema_dir}: cannot list schemas: {exc.strerror}") from exc
    found: Schemas = {}
    for name in names:
        if match := SCHEMA_FILE.fullmatch(name):
            path = schema_dir / name
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ScanRepoError(f"{path}: unreadable schema: {exc.strerror}") from exc
            found[int(match[1])] = _parsed(data, str(path))
    return found


def schemas_at(repo: GitRepo, commit: str, prefix: str) -> Schemas:
    """Every ``<prefix>/v<N>.json`` of a commit's tree, by version (blobs read, nothing run)."""
    entries = [
        entry
        for entry in repo.tree_entries(commit, prefix)
        if entry.path.count("/") == prefix.count("/") + 1
        and SCHEMA_FILE.fullmatch(entry.path.rsplit("/", 1)[-1])
    ]
    contents = dict(repo.read_blobs(dict.fromkeys(entry.blob for entry in entries)))
    found: Schemas = {}
    for entry in entries:
        version = int(entry.path.rsplit("/v", 1)[-1].removesuffix(".json"))
        found[version] = _parsed(contents[entry.blob], f"{commit[:12]}:{entry.path}")
    return found


def prefix_in(repo: GitRepo, schema_dir: Path) -> str:
    """``schema_dir`` as a path inside the repository, as git names it (``schema``)."""
    try:
        return schema_dir.resolve().relative_to(repo.root.resolve()).as_posix()
    except ValueError:
        raise ScanRepoError(
            f"{schema_dir}: the schemas in use are not in this git repository ({repo.root})"
        ) from None
