"""Editor settings that map each version directory of scans to its schema.

``.vscode/settings.json`` holds one ``json.schemas`` entry per version,
``{"fileMatch": ["scans/v4/**/*.json"], "url": "./schema/v4.json"}``. Entries for other files
and every other setting are kept as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scanrepo.errors import ScanRepoError
from scanrepo.format.keys import SCANS_DIR
from scanrepo.schema.layout import dumps

SETTINGS = Path(".vscode") / "settings.json"
_OURS = re.compile(rf"{SCANS_DIR}/v(0|[1-9]\d*)/\*\*/\*\.json", re.ASCII)


def _entry(version: int, schema_prefix: str) -> dict[str, Any]:
    return {
        "fileMatch": [f"{SCANS_DIR}/v{version}/**/*.json"],
        "url": f"./{schema_prefix}/v{version}.json",
    }


def _is_ours(entry: Any) -> bool:
    matches = entry.get("fileMatch") if isinstance(entry, dict) else None
    return isinstance(matches, list) and any(
        isinstance(m, str) and _OURS.fullmatch(m) for m in matches
    )


def read_settings(root: Path) -> dict[str, Any]:
    """The settings file as it is (an empty one when there is none)."""
    path = root / SETTINGS
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ScanRepoError(f"{path}: unreadable: {exc.strerror}") from exc
    try:
        settings = json.loads(text)
    except ValueError as exc:
        raise ScanRepoError(
            f"{path}: not plain JSON ({exc}); remove comments and trailing commas, or add the "
            "scan schemas by hand"
        ) from exc
    if not isinstance(settings, dict):
        raise ScanRepoError(f"{path}: settings must be a JSON object")
    return settings


def with_schemas(settings: dict[str, Any], versions: Iterable[int], prefix: str) -> dict[str, Any]:
    """``settings`` with one ``json.schemas`` entry per version, others kept before them."""
    kept = [e for e in settings.get("json.schemas", []) if not _is_ours(e)]
    ours = [_entry(version, prefix) for version in sorted(versions)]
    return {**settings, "json.schemas": [*kept, *ours]}


def settings_text(settings: dict[str, Any]) -> str:
    return dumps(settings)
