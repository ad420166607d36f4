"""Where the tools find their own schemas and migrations: beside the tools, never in scanned data.

The schemas and migrations that judge a revision are always those of the checkout the tools run
from, so a pull request's content is read as data and never decides which code runs.
"""

from __future__ import annotations

from pathlib import Path

TOOL_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = TOOL_ROOT / "schema"
MIGRATIONS_DIR = TOOL_ROOT / "migrations"
