"""The migration chain bound to the schemas and a target version: what carries one scan there,
checking it against the schema of every version it passes through.

tools/migrate's plan carries every scan with it; tools/validate asks it whether one of two scans
of a paper is exactly the migration of the other, as an interrupted tools/migrate leaves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanrepo.errors import JsonSyntaxError, MigrationError, ScanRepoError, StepInvalidError
from scanrepo.format.canonical import canonical_bytes, plain_without_floats
from scanrepo.format.rules import check_rules
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.format.strictjson import parse_strict
from scanrepo.migrate.chain import Chain
from scanrepo.toolkit import Toolkit


@dataclass(frozen=True)
class Migrator:
    """The schemas and the chain a migration uses, and the version it goes to."""

    registry: SchemaRegistry
    chain: Chain
    target: int
    migrations_dir: Path

    @classmethod
    def load(cls, toolkit: Toolkit, target: int) -> Migrator:
        """The toolkit's registry and chain; a target no schema or chain knows is refused."""
        registry, chain = toolkit.registry, toolkit.chain
        if target not in registry.versions:
            raise ScanRepoError(
                f"no schema defines scan version {target} (there is no schema/v{target}.json); "
                f"known versions: {registry.describe_versions()}"
            )
        if target not in chain.versions:
            raise ScanRepoError(
                f"v{target} has a schema but no migration reaches it; the chain covers "
                + ", ".join(f"v{v}" for v in chain.versions)
            )
        return cls(registry, chain, target, toolkit.migrations_dir)

    def check_step(self, doc: dict[str, Any], version: int) -> bool:
        """The chain's check after each step: the result must be a valid scan of that version.

        Returns whether ``doc`` is of plain JSON values without floats, found in the one walk
        that both the schema check and ``canonical_bytes(doc, plain=...)`` would otherwise make.
        """
        plain = plain_without_floats(doc)
        violations = self.registry.check(doc, version, plain=plain) or check_rules(doc)
        if violations:
            raise StepInvalidError(version, violations)
        return plain

    def migrated_bytes(self, data: bytes) -> bytes | None:
        """A valid scan of another version carried to the target (canonical), else None."""
        try:
            doc = parse_strict(data)
            version = doc.get("scan_version") if isinstance(doc, dict) else None
            if type(version) is not int or version == self.target:
                return None
            if version not in self.registry.versions:
                return None
            self.check_step(doc, version)
            return canonical_bytes(self.chain.migrate(doc, self.target, self.check_step))
        except (JsonSyntaxError, MigrationError, StepInvalidError):
            return None
