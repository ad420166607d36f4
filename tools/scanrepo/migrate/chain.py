"""The migration chain: one-step migrations between consecutive scan versions, loaded and checked.

The chain is linear, like alembic's revisions without branches: ``migrations/v3_to_v4.py``
carries a scan from v3 to v4 and back, the next file from v4 to v5, and so on. A scan moves one
step at a time, and the caller checks the result against that version's schema after each step.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from scanrepo.errors import ChainError, MigrationError

Direction = Literal["up", "down"]
Migration = Callable[[dict[str, Any]], dict[str, Any]]
Check = Callable[[dict[str, Any], int], object]  # what it returns is not used

MIGRATION_NAME = re.compile(
    r"v(?P<from_version>0|[1-9]\d*)_to_v(?P<to_version>0|[1-9]\d*)\.py", re.ASCII
)
NOT_MIGRATIONS = frozenset({"README.md", "__init__.py", "__pycache__"})


@dataclass(frozen=True)
class Step:
    """One migration file: carries a scan from ``from_version`` to ``to_version`` and back."""

    from_version: int
    to_version: int
    summary: str
    file: Path
    upgrade: Migration
    downgrade: Migration


class Chain:
    """Consecutive steps from the oldest migratable version to the newest schema version."""

    def __init__(self, steps: Sequence[Step], schema_versions: Collection[int]) -> None:
        if not schema_versions:
            raise ChainError("there are no schemas, so no scan version is known")
        newest = max(schema_versions)
        ordered = sorted(steps, key=lambda s: (s.from_version, s.to_version, str(s.file)))
        errors: list[str] = []
        for step in ordered:
            if step.to_version != step.from_version + 1:
                errors.append(
                    f"{step.file}: goes from v{step.from_version} to v{step.to_version}; "
                    f"a step must go from vN to vN+1"
                )
            errors.extend(
                f"{step.file}: there is no schema for v{version}"
                for version in (step.from_version, step.to_version)
                if version not in schema_versions
            )
        for before, after in itertools.pairwise(ordered):
            if after.from_version == before.from_version:
                errors.append(
                    f"{before.file} and {after.file}: both start at v{before.from_version}"
                )
            elif after.from_version != before.to_version:
                errors.append(
                    f"{before.file} ends at v{before.to_version} but the next step, "
                    f"{after.file}, starts at v{after.from_version}"
                )
        if ordered and ordered[-1].to_version != newest:
            errors.append(
                f"{ordered[-1].file}: the last step ends at v{ordered[-1].to_version} "
                f"but the newest schema is v{newest}"
            )
        if errors:
            raise ChainError("broken migration chain:\n" + "\n".join(errors))
        self.steps: tuple[Step, ...] = tuple(ordered)
        self.versions: tuple[int, ...] = (
            (ordered[0].from_version, *(s.to_version for s in ordered)) if ordered else (newest,)
        )

    def route(self, from_version: int, to_version: int) -> list[tuple[Step, Direction]]:
        """The steps, each with its direction, that carry a scan from one version to another."""
        for version in (from_version, to_version):
            if version not in self.versions:
                known = ", ".join(f"v{v}" for v in self.versions)
                raise MigrationError(
                    ("scan_version",),
                    f"no migration path from v{from_version} to v{to_version}: "
                    f"v{version} is not in the chain ({known})",
                )
        if from_version <= to_version:
            return [
                (step, "up")
                for step in self.steps
                if from_version <= step.from_version < to_version
            ]
        return [
            (step, "down")
            for step in reversed(self.steps)
            if to_version <= step.from_version < from_version
        ]

    def migrate(
        self, doc: dict[str, Any], to_version: int, check: Check | None = None
    ) -> dict[str, Any]:
        """``doc`` carried to ``to_version`` one step at a time; ``check`` sees every result.

        ``check(doc, version)`` runs after each step (the caller validates against that version's
        schema there); a document already at ``to_version`` is returned as it is.
        """
        if "scan_version" not in doc:
            raise MigrationError(("scan_version",), "missing scan_version")
        from_version = doc["scan_version"]
        if type(from_version) is not int:
            raise MigrationError(
                ("scan_version",),
                f"scan_version must be an integer, not {json.dumps(from_version, default=str)}",
            )
        for step, direction in self.route(from_version, to_version):
            expected = step.to_version if direction == "up" else step.from_version
            migration = step.upgrade if direction == "up" else step.downgrade
            try:
                doc = migration(doc)
            except MigrationError as err:
                raise MigrationError(
                    err.path, f"{err.message} ({step.file.name}, {direction} to v{expected})"
                ) from err
            if doc.get("scan_version") != expected:
                raise MigrationError(
                    ("scan_version",),
                    f"{step.file.name} ({direction}) gave scan_version "
                    f"{doc.get('scan_version')!r}, expected {expected}",
                )
            if check is not None:
                check(doc, expected)
        return doc


def load_chain(migrations_dir: Path, schema_versions: Collection[int]) -> Chain:
    """The chain of every ``v<N>_to_v<M>.py`` in ``migrations_dir``; anything malformed is refused.

    The folder holds only migrations, ``README.md``, ``__init__.py`` and ``__pycache__``
    (and hidden files, which are ignored); any other entry is taken for a misnamed migration.
    """
    steps: list[Step] = []
    errors: list[str] = []
    for path in sorted(migrations_dir.iterdir()):
        if path.name in NOT_MIGRATIONS or path.name.startswith("."):
            continue
        match = MIGRATION_NAME.fullmatch(path.name)
        if match is None or not path.is_file():
            errors.append(
                f"{path}: not a migration; migrations are files named v<N>_to_v<M>.py "
                f"(e.g. v3_to_v4.py)"
            )
            continue
        try:
            steps.append(_load_step(path, int(match["from_version"]), int(match["to_version"])))
        except ChainError as err:
            errors.append(str(err))
    if errors:
        raise ChainError("broken migration chain:\n" + "\n".join(errors))
    return Chain(steps, schema_versions)


def _import(path: Path) -> ModuleType:
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:12]
    name = f"scanrepo_migration_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ChainError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise ChainError(f"{path}:{err.lineno}:{err.offset}: syntax error: {err.msg}") from err
    except Exception as err:  # foreign code: any failure is reported against its file
        raise ChainError(f"{path}: import failed: {type(err).__name__}: {err}") from err
    return module


def _load_step(path: Path, from_version: int, to_version: int) -> Step:
    module = _import(path)
    problems: list[str] = []
    for constant, expected in (("FROM_VERSION", from_version), ("TO_VERSION", to_version)):
        value = getattr(module, constant, None)
        if type(value) is not int:
            problems.append(f"{constant} must be an integer, not {value!r}")
        elif value != expected:
            problems.append(f"{constant} is {value} but the file name says {expected}")
    doc = (module.__doc__ or "").strip()
    if not doc:
        problems.append("no module docstring; its first line must say what the step does")
    functions: dict[str, Migration] = {}
    for name in ("upgrade", "downgrade"):
        function = getattr(module, name, None)
        if callable(function):
            functions[name] = function
        else:
            problems.append(f"no callable {name}(scan)")
    if problems:
        raise ChainError("\n".join(f"{path}: {problem}" for problem in problems))
    return Step(
        from_version=from_version,
        to_version=to_version,
        summary=doc.splitlines()[0].strip(),
        file=path,
        upgrade=functions["upgrade"],
        downgrade=functions["downgrade"],
    )
