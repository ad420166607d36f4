"""Which schemas ``tools/schema diff`` compares: two versions of one state, each version's
file in two states of the repository (git's forms ``REV``, ``A..B``, ``A...B``), or each
released version against its frozen state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from scanrepo.diff.revisions import Side, parse_range
from scanrepo.errors import ScanRepoError
from scanrepo.schema.compare import SchemaChange, compare_schemas
from scanrepo.schema.frozen import frozen_changes, released_versions
from scanrepo.schema.stored import Schemas, prefix_in, read_schemas, schemas_at
from scanrepo.vcs.repo import GitRepo

Status = Literal["changed", "unchanged", "added", "removed"]


@dataclass(frozen=True)
class VersionDiff:
    """What changed from ``old`` to ``new`` (labels such as ``v4`` or ``schema/v4.json at
    main``); ``released_in`` is the commit that released the old version when its schema is
    frozen (a change to it breaks scans in history)."""

    old: str
    new: str
    status: Status
    changes: tuple[SchemaChange, ...]
    released_in: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "status": self.status,
            "released_in": self.released_in,
            "changes": [change.as_json() for change in self.changes],
        }


def _diff(
    old_label: str, new_label: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> VersionDiff:
    changes = tuple(compare_schemas(old, new))
    return VersionDiff(old_label, new_label, "changed" if changes else "unchanged", changes)


def between_versions(schemas: Schemas, versions: Sequence[int]) -> VersionDiff:
    """Version A against version B of one state (default: the two newest)."""
    if not versions:
        if len(schemas) < 2:
            raise ScanRepoError("there is only one schema version: nothing to compare")
        versions = sorted(schemas)[-2:]
    if len(versions) != 2:
        raise ScanRepoError("give two versions (A B), or none for the two newest")
    for version in versions:
        if version not in schemas:
            known = ", ".join(f"v{v}" for v in sorted(schemas))
            raise ScanRepoError(f"there is no schema v{version} (known: {known})")
    a, b = versions
    return _diff(f"v{a}", f"v{b}", schemas[a], schemas[b])


def _state(repo: GitRepo, side: Side, schema_dir: Path, prefix: str) -> Schemas:
    if side.commit is None:
        return read_schemas(schema_dir) if side.kind == "worktree" else {}
    return schemas_at(repo, side.commit, prefix)


def between_revisions(
    repo: GitRepo, schema_dir: Path, rev: str, versions: Sequence[int]
) -> list[VersionDiff]:
    """Each version's file in two states (``REV``: at REV against the work tree; ``A..B``,
    ``A...B`` as git reads them), restricted to ``versions`` if any; a version released in the
    old state's history is marked frozen."""
    prefix = prefix_in(repo, schema_dir)
    rng = parse_range(repo, [rev])
    old, new = _state(repo, rng.old, schema_dir, prefix), _state(repo, rng.new, schema_dir, prefix)
    released = released_versions(repo, old, rng.old.commit) if rng.old.commit is not None else {}
    chosen = sorted(versions or set(old) | set(new))
    diffs = []
    for version in chosen:
        name = f"{prefix}/v{version}.json"
        before, after = f"{name} at {rng.old.label}", f"{name} in the {rng.new.label}"
        if rng.new.kind == "commit":
            after = f"{name} at {rng.new.label}"
        if version not in old and version not in new:
            raise ScanRepoError(f"there is no {name} in either state")
        if version not in old:
            # a new version: what it changes from the one before it
            base = new.get(version - 1)
            diff = (
                _diff(f"v{version - 1} {after}", after, base, new[version])
                if base is not None
                else VersionDiff(before, after, "added", ())
            )
            diffs.append(VersionDiff(diff.old, diff.new, "added", diff.changes))
        elif version not in new:
            diffs.append(VersionDiff(before, after, "removed", (), released.get(version)))
        else:
            diff = _diff(before, after, old[version], new[version])
            frozen = released.get(version) if diff.changes else None
            diffs.append(VersionDiff(before, after, diff.status, diff.changes, frozen))
    return diffs


def against_release(repo: GitRepo, schema_dir: Path) -> list[VersionDiff]:
    """Each released version's schema in the work tree against its frozen state."""
    prefix = prefix_in(repo, schema_dir)
    return [
        VersionDiff(
            f"{prefix}/v{found.version}.json as released in {found.released_in[:12]}",
            f"{prefix}/v{found.version}.json in the working tree",
            "changed",
            found.changes,
            found.released_in,
        )
        for found in frozen_changes(repo, read_schemas(schema_dir), prefix)
    ]
