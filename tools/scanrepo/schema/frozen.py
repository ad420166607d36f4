"""A released version's schema is frozen: what the scans of that version were written against.

**The rule.** Version N is *released* from the oldest commit in the history of a revision
(``HEAD`` unless told) that adds a file under ``scans/vN/``: from then on scans at vN exist in
history, and every one of them must stay valid. Its schema is frozen as ``schema/vN.json``
stood in that commit (or, had the scan come first, as the file was first committed). A change
is any difference ``compare_schemas`` finds between that file and the current one: annotations
(``description``, ``title``, ``examples``, ``$comment``, ``default``, ...) and layout are no
change, so a released schema may still be documented. A released schema that is gone is a
change too. An unreleased version (no scan at vN in history yet, as after ``tools/schema new``)
may change freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanrepo.format.keys import SCANS_DIR
from scanrepo.schema.compare import SchemaChange, compare_schemas
from scanrepo.schema.stored import Schemas, schemas_at
from scanrepo.vcs.repo import GitRepo


@dataclass(frozen=True)
class FrozenChange:
    """Changes to the schema of a released version since ``released_in``."""

    version: int
    released_in: str
    changes: tuple[SchemaChange, ...]


def _oldest(repo: GitRepo, rev: str, path: str) -> str | None:
    out = repo.run(
        "log", "--format=%H", "--reverse", "--diff-filter=A", "--no-renames", rev, "--", path
    )
    return out.split("\n", 1)[0].strip() or None


def released_in(repo: GitRepo, version: int, rev: str = "HEAD") -> str | None:
    """The commit that released ``version`` (the oldest adding a scan at it), or None."""
    return _oldest(repo, rev, f"{SCANS_DIR}/v{version}/")


def released_schema(repo: GitRepo, version: int, commit: str, prefix: str) -> dict[str, Any] | None:
    """``<prefix>/v<version>.json`` as the release commit held it, else as first committed."""
    found = schemas_at(repo, commit, prefix)
    if version in found:
        return found[version]
    first = _oldest(repo, "--all", f"{prefix}/v{version}.json")
    return None if first is None else schemas_at(repo, first, prefix).get(version)


def frozen_changes(
    repo: GitRepo, current: Mapping[int, Mapping[str, Any]], prefix: str, rev: str = "HEAD"
) -> list[FrozenChange]:
    """Each released version whose schema in ``current`` differs from its frozen one.

    ``current`` holds the schemas being judged (the work tree's, or a commit's from
    ``schemas_at``); ``prefix`` is where the schema files are in the repository (``schema``);
    the versions released are those of ``rev``'s history.
    """
    if not repo.has_commits():
        return []
    frozen: list[FrozenChange] = []
    versions = sorted(set(current) | set(schemas_at(repo, repo.resolve(rev), prefix)))
    for version in versions:
        commit = released_in(repo, version, rev)
        if commit is None:
            continue
        before = released_schema(repo, version, commit, prefix)
        if before is None:
            continue
        if version not in current:
            gone = SchemaChange(
                "schema removed",
                "$",
                f"{prefix}/v{version}.json is gone, yet scans at v{version} exist in history",
                "restore it: those scans can no longer be read or migrated",
            )
            frozen.append(FrozenChange(version, commit, (gone,)))
            continue
        changes = compare_schemas(before, current[version])
        if changes:
            frozen.append(FrozenChange(version, commit, tuple(changes)))
    return frozen


def released_versions(repo: GitRepo, schemas: Schemas, rev: str = "HEAD") -> dict[int, str]:
    """The versions among ``schemas`` released in ``rev``'s history, with their release commit."""
    if not repo.has_commits():
        return {}
    found = {v: released_in(repo, v, rev) for v in schemas}
    return {v: c for v, c in found.items() if c is not None}
