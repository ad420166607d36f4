"""``tools/schema new``: the next version in one step, as ``alembic revision`` makes one.

From the newest version N it makes ``schema/v<N+1>.json`` (vN with its ``scan_version``
constant, ``$id`` and title moved on, in the schema files' layout), the migration
``migrations/v<N>_to_v<N+1>.py`` from the template below (the shape ``migrations/README.md``
asks for; ``upgrade`` and ``downgrade`` only move the version) and the editor settings. Right
after, the chain loads and every tool works at v<N+1>; the change itself is the user's to make.
All three files are written or none; an existing file is never overwritten.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanrepo.errors import ScanRepoError
from scanrepo.fs.atomic import write_files
from scanrepo.schema.editors import SETTINGS, read_settings, settings_text, with_schemas
from scanrepo.schema.layout import dumps
from scanrepo.schema.stored import read_schemas, schema_name

TEMPLATE = '''\
"""Nothing changes yet: replace this line with what v{old} -> v{new} does.

Then say, field by field, what upgrade changes and downgrade changes back, and what either
refuses and why (migrations/README.md; tools/schema diff lists what the new schema asks).
"""

from __future__ import annotations

import copy
from typing import Any

from scanrepo.errors import MigrationError

FROM_VERSION = {old}
TO_VERSION = {new}


def upgrade(scan: dict[str, Any]) -> dict[str, Any]:
    """The v{new} form of a v{old} scan."""
    _version(scan, FROM_VERSION)
    return {{**copy.deepcopy(scan), "scan_version": TO_VERSION}}


def downgrade(scan: dict[str, Any]) -> dict[str, Any]:
    """The v{old} form of a v{new} scan."""
    _version(scan, TO_VERSION)
    return {{**copy.deepcopy(scan), "scan_version": FROM_VERSION}}


def _version(scan: dict[str, Any], expected: int) -> None:
    found = scan.get("scan_version")
    if found != expected:
        raise MigrationError(("scan_version",), f"expected {{expected}}, not {{found!r}}")
'''


@dataclass(frozen=True)
class Scaffold:
    old: int
    new: int
    files: dict[Path, bytes]


def next_schema(schema: dict[str, Any], old: int, new: int, where: str) -> dict[str, Any]:
    """``schema`` with its version constant, ``$id`` and title moved from ``old`` to ``new``."""
    version = schema.get("properties", {}).get("scan_version")
    if not isinstance(version, dict) or version.get("const") != old:
        raise ScanRepoError(
            f'{where}: no "scan_version": {{"const": {old}}} under properties to move on'
        )
    moved = copy.deepcopy(schema)
    moved["properties"]["scan_version"]["const"] = new
    for key in ("$id", "title"):
        if isinstance(moved.get(key), str):
            moved[key] = re.sub(rf"(?<![0-9]){old}(?![0-9])", str(new), moved[key], count=1)
    return moved


def plan_new_version(root: Path, schema_dir: Path, migrations_dir: Path) -> Scaffold:
    """The files of the next version, checked, in memory."""
    schemas = read_schemas(schema_dir)
    if not schemas:
        raise ScanRepoError(f"{schema_dir}: no schema v<N>.json to start from")
    old = max(schemas)
    new = old + 1
    schema_path = schema_dir / schema_name(new)
    migration_path = migrations_dir / f"v{old}_to_v{new}.py"
    existing = [str(p) for p in (schema_path, migration_path) if p.exists() or p.is_symlink()]
    if existing:
        raise ScanRepoError(f"refusing to overwrite {' and '.join(existing)}")
    schema = next_schema(schemas[old], old, new, str(schema_dir / schema_name(old)))
    prefix = schema_dir.relative_to(root).as_posix()
    settings = with_schemas(read_settings(root), [*schemas, new], prefix)
    return Scaffold(
        old,
        new,
        {
            schema_path: dumps(schema).encode("utf-8"),
            migration_path: TEMPLATE.format(old=old, new=new).encode("utf-8"),
            root / SETTINGS: settings_text(settings).encode("utf-8"),
        },
    )


def write_scaffold(scaffold: Scaffold) -> None:
    for path in scaffold.files:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_files(scaffold.files)
