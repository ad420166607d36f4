"""The schema registry: one frozen JSON Schema per scan_version, compiled once.

Pass/fail is decided by jsonschema-rs (fast); the jsonschema package explains the failures,
so its messages and JSON paths are what users read. A test keeps the two in agreement.

JSON Schema counts ``2026.0`` as an integer; scans do not. No scan schema has a non-integer
number, and a float where an integer belongs would change a paper's key and shard (``2026.0``
is no year) and compare equal to a different text (``-0.0 == 0``), so the registry checks
``"type": "integer"`` strictly: a document holding any float is decided by a jsonschema
validator whose integers are Python ints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanrepo.errors import ScanRepoError
from scanrepo.format.jsonpath import JsonPath

if TYPE_CHECKING:  # the validators are imported on first use: reading the schemas and listing
    # their versions (all that git's textconv driver needs) takes only the standard library
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = re.compile(r"v(0|[1-9]\d*)\.json", re.ASCII)


@dataclass(frozen=True)
class SchemaViolation:
    path: JsonPath
    message: str


def _is_int(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _has_float(doc: Any) -> bool:
    stack = [doc]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
        elif type(node) is float:
            return True
    return False


def _leaf(error: ValidationError) -> ValidationError:
    """The most specific error under a combinator (oneOf/anyOf/if-then), as best_match picks it."""
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(error.context)
    return error


def _message(error: ValidationError) -> str:
    """One readable line: never a dump of a whole object, never a flood of quoted text.

    A rule whose own subschema carries a ``description`` (such as "answer must be false where
    applies is false") is explained by it, since jsonschema's message would only say
    "False was expected".
    """
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    if error.validator in ("const", "not") and "description" in schema:
        return str(schema["description"])
    if error.validator in ("maxProperties", "minProperties") and isinstance(instance, dict):
        bound = "at most" if error.validator == "maxProperties" else "at least"
        keys = ", ".join(repr(k) for k in instance)
        return f"has {len(instance)} keys ({keys}); {bound} {error.validator_value} allowed"
    message = error.message
    return message if len(message) <= 200 else message[:197] + "..."


class SchemaRegistry:
    """Every schema/v<N>.json of a directory, by version."""

    def __init__(self, schema_dir: Path) -> None:
        self.schema_dir = schema_dir
        self._schemas: dict[int, dict[str, Any]] = {}
        try:
            names = sorted(p.name for p in schema_dir.iterdir())
        except OSError as exc:
            raise ScanRepoError(f"{schema_dir}: cannot list schemas: {exc.strerror}") from exc
        for name in names:
            if m := SCHEMA_FILE.fullmatch(name):
                path = schema_dir / name
                try:
                    self._schemas[int(m[1])] = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise ScanRepoError(f"{path}: unreadable schema: {exc}") from exc
        if not self._schemas:
            raise ScanRepoError(f"{schema_dir}: no schema files v<N>.json")
        self._fast: dict[int, Any] = {}
        self._detailed: dict[int, jsonschema.protocols.Validator] = {}

    @cached_property
    def versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._schemas))

    @property
    def newest(self) -> int:
        return self.versions[-1]

    def schema(self, version: int) -> dict[str, Any]:
        return self._schemas[version]

    def describe_versions(self) -> str:
        return ", ".join(str(v) for v in self.versions)

    def is_valid(self, doc: Any, version: int, *, plain: bool = False) -> bool:
        """Whether ``doc`` is a valid scan of ``version``; ``plain``: the caller knows it holds
        no float (``read_strict`` says so), which spares looking for one."""
        validator = self._fast.get(version)
        if validator is None:
            import jsonschema_rs

            validator = self._fast[version] = jsonschema_rs.validator_for(self._schemas[version])
        if not validator.is_valid(doc):
            return False
        return plain or not _has_float(doc) or bool(self._validator(version).is_valid(doc))

    def _validator(self, version: int) -> jsonschema.protocols.Validator:
        validator = self._detailed.get(version)
        if validator is None:
            import jsonschema

            base = jsonschema.validators.validator_for(self._schemas[version])
            strict = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
                base, type_checker=base.TYPE_CHECKER.redefine("integer", _is_int)
            )
            validator = self._detailed[version] = strict(self._schemas[version])
        return validator

    def violations(self, doc: Any, version: int) -> list[SchemaViolation]:
        """Every violation, most specific first within each failing location, sorted by path."""
        validator = self._validator(version)
        found = {
            (tuple(leaf.absolute_path), _message(leaf))
            for leaf in map(_leaf, validator.iter_errors(doc))
        }
        return [SchemaViolation(path, msg) for path, msg in sorted(found, key=_sort_key)]

    def check(self, doc: Any, version: int, *, plain: bool = False) -> list[SchemaViolation]:
        return [] if self.is_valid(doc, version, plain=plain) else self.violations(doc, version)


def _sort_key(item: tuple[JsonPath, str]) -> tuple[Iterable[str], str]:
    return [str(p) for p in item[0]], item[1]
