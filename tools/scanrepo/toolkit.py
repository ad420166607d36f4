"""Where the tools find their schemas and migrations: beside the tools, never in scanned data.

The schemas and migrations that judge a revision are those of the checkout the tools run
from, so a pull request's content is read as data and never decides which code runs. A copy
installed without its checkout beside it (as the pre-commit framework installs hooks) uses
``$SCANREPO_HOME``, else the repository it is run in.
"""

from __future__ import annotations

import os
from pathlib import Path


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
