"""Paper keys, shards and the canonical path of a scan.

A paper key names one paper, whatever the scan's version:

* new-style arXiv ids (``2602.07852``, ``2602.07852v2``) give the id without its version suffix;
  their shard is the ``yymm`` prefix (``2602``);
* old-style arXiv ids (``cs/0112017``, ``math.GT/0309136v1``) give the id with ``/`` replaced by
  ``_`` (``cs_0112017``); their shard is the ``yymm`` of the number (``0112``);
* papers without an arXiv id get ``doi-<slug>-<hash>`` from their DOI, else
  ``title-<slug>-<hash>`` from title and year; the hash is the first 8 hex digits of SHA-256 of
  the identifying text, so two different DOIs or titles never share a key; their shard is
  ``y<year>``.

Every key is a safe file name: ASCII letters, digits, ``.``, ``_`` and ``-``, never starting
with a dot, never a reserved device name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from scanrepo.errors import UnknownNameError, UnnamedPaperError, closest

SCANS_DIR = "scans"

# re.ASCII throughout: ``\d`` would otherwise match the digits of any script (fullwidth,
# Arabic-Indic, ...), and keys are file names that must stay ASCII.
NEW_ARXIV = re.compile(r"(?P<yymm>\d{4})\.(?P<num>\d{4,5})(?:v\d+)?", re.ASCII)
OLD_ARXIV = re.compile(
    r"(?P<archive>[a-z][a-z-]*(?:\.[A-Z]{2})?)/(?P<yymm>\d{4})(?P<num>\d{3})(?:v\d+)?", re.ASCII
)
NEW_KEY = re.compile(r"\d{4}\.\d{4,5}", re.ASCII)
OLD_KEY = re.compile(r"[a-z][a-z-]*(?:\.[A-Z]{2})?_\d{7}", re.ASCII)
SLUG_KEY = re.compile(r"(?:doi|title)-[a-z0-9-]{0,60}-[0-9a-f]{8}")
SCAN_PATH = re.compile(
    r"scans/v(?P<version>0|[1-9]\d*)/(?P<shard>[^/]+)/(?P<key>[^/]+)\.json", re.ASCII
)

SLUG_LENGTH = 60


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_LENGTH].rstrip("-")


def _hashed(prefix: str, ident: str) -> str:
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}-{_slug(ident)}-{digest}"


def key_from_arxiv_id(arxiv_id: str) -> str | None:
    """The key of an arXiv id, or None if it is not a well-formed arXiv id."""
    arxiv_id = arxiv_id.strip()
    if m := NEW_ARXIV.fullmatch(arxiv_id):
        return f"{m['yymm']}.{m['num']}"
    if m := OLD_ARXIV.fullmatch(arxiv_id):
        return f"{m['archive']}_{m['yymm']}{m['num']}"
    return None


def paper_of(scan: Any) -> dict[str, Any]:
    paper = scan.get("paper") if isinstance(scan, dict) else None
    return paper if isinstance(paper, dict) else {}


def paper_key(scan: Any) -> str:
    """The deterministic key of the paper a scan (of any version) reviews."""
    paper = paper_of(scan)
    arxiv = paper.get("arxiv_id", paper.get("arxiv"))
    if isinstance(arxiv, str) and (key := key_from_arxiv_id(arxiv)):
        return key
    doi = paper.get("doi")
    if isinstance(doi, str) and doi.strip():
        return _hashed("doi", doi.strip().lower())
    title = paper.get("title")
    if isinstance(title, str) and title.strip():
        return _hashed("title", f"{' '.join(title.split())} ({paper.get('year')})")
    raise UnnamedPaperError("the scan names no arXiv id, DOI or title, so its paper has no key")


def shard_of(key: str, scan: Any = None) -> str:
    """The shard directory of a key; slug keys need the scan's year."""
    if NEW_KEY.fullmatch(key):
        return key[:4]
    if OLD_KEY.fullmatch(key):
        return key.split("_", 1)[1][:4]
    year = paper_of(scan).get("year")
    return f"y{year}" if isinstance(year, int) and not isinstance(year, bool) else "y0000"


def is_key(text: str) -> bool:
    return bool(NEW_KEY.fullmatch(text) or OLD_KEY.fullmatch(text) or SLUG_KEY.fullmatch(text))


def scan_path(scan: Any, version: int) -> PurePosixPath:
    """Where a scan belongs, relative to the repository root."""
    key = paper_key(scan)
    return PurePosixPath(SCANS_DIR, f"v{version}", shard_of(key, scan), f"{key}.json")


def parse_scan_path(path: str) -> tuple[int, str, str] | None:
    """(version, shard, key) of a repository-relative path in the scan layout, else None."""
    m = SCAN_PATH.fullmatch(path)
    if not m:
        return None
    return int(m["version"]), m["shard"], m["key"]


def normalise_key_argument(arg: str) -> str | None:
    """A command-line argument read as a paper key (``2602.07852``, ``cs/0112017``), or None."""
    if is_key(arg):
        return arg
    return key_from_arxiv_id(arg)


def keys_of(paths: Iterable[str]) -> set[str]:
    """The paper keys of the paths in the scan layout among ``paths``."""
    return {where[2] for path in paths if (where := parse_scan_path(path))}


def unknown_paper(argument: str, where: str, known: Iterable[str]) -> UnknownNameError:
    """The error for an argument that names no scan ``where`` (``in scans/``): a paper key, or
    a path, compared by its file name with the keys ``known``."""
    key = normalise_key_argument(argument)
    what = f"no scan of paper {key}" if key else "no such file, directory or paper key"
    like = key or PurePosixPath(argument).name.removesuffix(".json")
    return UnknownNameError(f"{argument}: {what} {where}", closest(like, known))
