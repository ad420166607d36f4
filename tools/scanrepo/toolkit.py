"""The schemas and migrations the tools use, and where they find them: beside the tools, never in
scanned data.

The schemas and migrations that judge a revision are those of the checkout the tools run
from, so a pull request's content is read as data and never decides which code runs. A copy
installed without its checkout beside it (as the pre-commit framework installs hooks) uses
``$SCANREPO_HOME``, else the repository it is run in.
"""

from __future__ import annotations

import os
from pathlib import Path

from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import Chain, load_chain


def _tool_root() -> Path:
    beside = Path(__file__).resolve().parents[2]
    if (beside / "schema").is_dir():
        return beside
    if home := os.environ.get("SCANREPO_HOME"):
        return Path(home)
    cwd = Path.cwd()
    for directory in (cwd, *cwd.parents):
        if (directory / "schema").is_dir() and (directory / "migrations").is_dir():
            return directory
    return beside


TOOL_ROOT = _tool_root()
SCHEMA_DIR = TOOL_ROOT / "schema"
MIGRATIONS_DIR = TOOL_ROOT / "migrations"


class Toolkit:
    """The schemas and the migration chain of one checkout: what judges and carries every scan.

    Every tool loads them here. The chain is loaded (its migration files imported) only when a
    tool first needs it: validate runs migration code only to tell whether one of two scans of
    a paper is exactly the migration of the other.
    """

    def __init__(self, schema_dir: Path = SCHEMA_DIR, migrations_dir: Path = MIGRATIONS_DIR):
        self.schema_dir = schema_dir
        self.migrations_dir = migrations_dir
        self.registry = SchemaRegistry(schema_dir)
        self._chain: Chain | None = None

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            self._chain = load_chain(self.migrations_dir, self.registry.versions)
        return self._chain

    @property
    def newest(self) -> int:
        return self.registry.newest
