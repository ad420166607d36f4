"""The schemas and migrations the tools use, where they find them, loaded once.

Where, the first that has both a ``schema/`` and a ``migrations/`` folder:

1. **beside the tools**: the checkout ``tools/`` lives in. The schemas and migrations that
   judge a revision are those of the checkout the tools run from, so a pull request's content
   is read as data and never decides which code runs;
2. ``$SCANREPO_HOME``, when set: a checkout or folder chosen by hand;
3. **the data repository the command runs in**: the current directory or a parent, up to the
   repository's top (the nearest folder holding ``.git`` or ``scans/``). An installed package
   (the pre-commit hook, ``pip install scanrepo``) run in a data repository uses that
   repository's own format;
4. **the package's own**: the schemas and migrations shipped in the package
   (``scanrepo/_data/``), for a repository that holds only scans.

When none has them, the error names every place looked at.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from scanrepo.errors import ScanRepoError
from scanrepo.format.schemas import SchemaRegistry
from scanrepo.migrate.chain import Chain, load_chain

SCHEMA, MIGRATIONS = "schema", "migrations"


@dataclass(frozen=True)
class Location:
    """Where the schemas and migrations are (``root``), found or not, and every place looked."""

    root: Path | None
    source: str
    looked: tuple[str, ...]

    @property
    def schema_dir(self) -> Path:
        return (self.root or BESIDE) / SCHEMA

    @property
    def migrations_dir(self) -> Path:
        return (self.root or BESIDE) / MIGRATIONS

    def require(self) -> Path:
        if self.root is None:
            raise ScanRepoError(
                "no schemas and migrations found (a schema/ and a migrations/ folder); looked "
                + "; ".join(self.looked)
            )
        return self.root


BESIDE = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED = Path(__file__).resolve().parent / "_data"


def _complete(directory: Path) -> bool:
    return (directory / SCHEMA).is_dir() and (directory / MIGRATIONS).is_dir()


def _repository_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if _complete(directory):
            return directory
        if (directory / ".git").exists() or (directory / "scans").is_dir():
            return None
    return None


def locate(cwd: Path | None = None) -> Location:
    """Where the schemas and migrations are, by the rule of the module docstring."""
    looked = [f"beside the tools in {BESIDE}"]
    if _complete(BESIDE):
        return Location(BESIDE, "the tools' checkout", tuple(looked))
    home = os.environ.get("SCANREPO_HOME")
    if home:
        looked.append(f"in $SCANREPO_HOME ({home})")
        if _complete(Path(home)):
            return Location(Path(home).resolve(), "$SCANREPO_HOME", tuple(looked))
    else:
        looked.append("in $SCANREPO_HOME (not set)")
    try:
        start: Path | None = (cwd or Path.cwd()).resolve()
    except OSError:  # the current directory was removed
        start = None
    looked.append(f"in the repository around {start or 'the current directory (gone)'}")
    if start is not None and (found := _repository_root(start)):
        return Location(found, "this repository", tuple(looked))
    looked.append(f"in the package, {PACKAGED}")
    if _complete(PACKAGED):
        return Location(PACKAGED, "the package", tuple(looked))
    return Location(None, "nowhere", tuple(looked))


LOCATION = locate()
TOOL_ROOT = LOCATION.root or BESIDE
SCHEMA_DIR = LOCATION.schema_dir
MIGRATIONS_DIR = LOCATION.migrations_dir


def fingerprint(
    schema_dir: Path = SCHEMA_DIR,
    migrations_dir: Path = MIGRATIONS_DIR,
    package_dir: Path = PACKAGE_DIR,
) -> str:
    """16 hex digits of SHA-256 over the names and bytes of every schema, migration and module
    of the package: what anything the tools work out of a scan depends on besides the scan (the
    textconv text, a comparison), so a cache keyed by it is never read by other tools."""
    files = [
        *(("schema", p) for p in sorted(schema_dir.glob("*.json"))),
        *(("migrations", p) for p in sorted(migrations_dir.glob("*.py"))),
        *(("tools", p) for p in sorted(package_dir.rglob("*.py")) if not _shipped(p, package_dir)),
    ]
    digest = hashlib.sha256()
    for where, path in files:
        name = path.relative_to(package_dir).as_posix() if where == "tools" else path.name
        data = path.read_bytes()
        digest.update(f"{where}/{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def _shipped(path: Path, package_dir: Path) -> bool:
    """Whether a file is the package's copy of the schemas and migrations (links to them in a
    checkout, files in a copy or an installed wheel): they count once, as schemas and
    migrations."""
    return PACKAGED.name in path.relative_to(package_dir).parts


class Toolkit:
    """The schemas and the migration chain of one checkout: what judges and carries every scan.

    Every tool loads them here. The chain is loaded (its migration files imported) only when a
    tool first needs it: validate runs migration code only to tell whether one of two scans of
    a paper is exactly the migration of the other.
    """

    def __init__(self, schema_dir: Path | None = None, migrations_dir: Path | None = None):
        if schema_dir is None:
            LOCATION.require()
        self.schema_dir = SCHEMA_DIR if schema_dir is None else schema_dir
        self.migrations_dir = MIGRATIONS_DIR if migrations_dir is None else migrations_dir
        self.registry = SchemaRegistry(self.schema_dir)
        self._chain: Chain | None = None

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            if self.migrations_dir == MIGRATIONS_DIR:
                LOCATION.require()
            self._chain = load_chain(self.migrations_dir, self.registry.versions)
        return self._chain

    @property
    def newest(self) -> int:
        return self.registry.newest

    def fingerprint(self) -> str:
        """What every result the tools work out of a scan depends on besides the scan."""
        return fingerprint(self.schema_dir, self.migrations_dir)
