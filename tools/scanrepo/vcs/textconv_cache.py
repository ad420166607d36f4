"""Git's textconv cache of the scan diff driver: keyed by the tools that render, filled in bulk.

git runs a textconv driver once per blob and side it shows, as a new process each time, so a
commit of 1,000 scans costs 2,000 starts of Python. With ``diff.scanrepo.cachetextconv`` git
keeps each blob's text as a note under ``refs/notes/textconv/scanrepo`` and runs the driver
only for blobs without one. A note commit is valid while its message is exactly the configured
textconv command (git's notes-cache.c); git discards the whole cache when it is not.

The command tools/setup-git configures carries a cache key (``tools/scan-textconv --cache-key
KEY``): a fingerprint of everything the text depends on (the schemas, the migrations and the
package's code) and a random part of this clone. So the cache is ignored once the tools change
(``refresh`` puts the new key in the command), and notes fetched from elsewhere never validate.
The hooks fill the cache in bulk, in one process, for the commits each ref update brings.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanrepo.diff.textconv import semantic_text
from scanrepo.errors import ScanRepoError
from scanrepo.format.keys import SCANS_DIR
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.fs.workers import chunked_map
from scanrepo.migrate.chain import Chain
from scanrepo.toolkit import Toolkit, fingerprint
from scanrepo.vcs.repo import HEX_SHA, GitRepo

DRIVER = "scanrepo"
TEXTCONV = "tools/scan-textconv"
KEY_OPTION = "--cache-key"
NOTES_REF = f"refs/notes/textconv/{DRIVER}"
TEXTCONV_SETTING = f"diff.{DRIVER}.textconv"
CACHE_SETTING = f"diff.{DRIVER}.cachetextconv"
_KEY = re.compile(r"([0-9a-f]{16})-([0-9a-f]{16})")
_REVISION = re.compile(r"\^?[0-9a-f]{40}(?:[0-9a-f]{24})?")
_NO_BLOB = re.compile(r"0+")
BATCH = 1024  # blobs read and rendered at a time: bounds memory, whatever the history


def command(key: str) -> str:
    """The textconv command that names cache key ``key``."""
    return f"{TEXTCONV} {KEY_OPTION} {key}"


def is_ours(configured: str) -> bool:
    """Whether a configured textconv command is one tools/setup-git wrote (any key, or none as
    before the cache)."""
    return configured == TEXTCONV or _key_of(configured) is not None


def _key_of(configured: str) -> re.Match[str] | None:
    prefix = f"{TEXTCONV} {KEY_OPTION} "
    return _KEY.fullmatch(configured[len(prefix) :]) if configured.startswith(prefix) else None


def current_command(configured: str) -> str:
    """The command for the tools as they are now: the clone's random part is kept, the
    fingerprint brought up to date (a new random part where there was none)."""
    found = _key_of(configured)
    clone_part = found[2] if found else secrets.token_hex(8)
    return command(f"{fingerprint()}-{clone_part}")


@dataclass(frozen=True)
class Filled:
    rendered: int  # notes written
    reset: bool  # the cache was started anew (from fill: no valid cache; from refresh: the
    # tools changed)


def configured_command(repo: GitRepo) -> str:
    return repo.run("config", "--default", "", "--get", TEXTCONV_SETTING).strip()


def refresh(repo: GitRepo, revisions: Sequence[str] = ()) -> Filled | None:
    """Bring the cache up to date (what the hooks run): a new key in the configured command
    when the tools changed (git then ignores every note made before), and the scans the commits
    of ``revisions`` show rendered. The rest of the history is rendered again only by
    ``fill()`` without revisions (tools/setup-git): not inside a git command, where it would
    take minutes, nor at each switch between work trees of different tools. None when the
    textconv command or the cache is not ours to keep."""
    configured = configured_command(repo)
    caching = repo.run("config", "--type=bool", "--default=false", "--get", CACHE_SETTING)
    if not is_ours(configured) or caching.strip() != "true":
        return None
    wanted = current_command(configured)
    if wanted != configured:
        repo.run("config", "--local", TEXTCONV_SETTING, wanted)
    rendered = fill(repo, revisions).rendered if revisions else 0
    return Filled(rendered, wanted != configured)


def fill(repo: GitRepo, revisions: Sequence[str] = ()) -> Filled:
    """Write the text of every scan blob that the commits of ``revisions`` (git's ``A ^B``
    form; none: of every branch, tag and HEAD) show and that has no valid note yet, as one
    note commit whose message is the configured command (a cache made for other tools is
    dropped)."""
    for rev in revisions:
        if not _REVISION.fullmatch(rev):
            raise ScanRepoError(f"invalid revision {rev!r}: give commit ids, ^ for exclusion")
    validity = configured_command(repo)
    base = _valid_notes(repo, validity)
    noted = _noted(repo, base) if base else set()
    selection = list(revisions) or ["--exclude=refs/notes/*", "--all"]
    if all(rev.startswith("^") for rev in selection):
        return Filled(0, base is None)
    names = {blob: name for blob, name in _shown_blobs(repo, selection) if blob not in noted}
    sizes = repo.blob_sizes(sorted(names))
    todo = [blob for blob in sorted(names) if sizes[blob] <= MAX_BYTES]
    if not todo:
        return Filled(0, base is None)
    chain = _chain()
    with _FastImport(repo.root) as notes:
        notes.start(validity, base)
        for start in range(0, len(todo), BATCH):
            batch = list(repo.read_blobs(todo[start : start + BATCH]))
            items = [(names[blob], data) for blob, data in batch]
            texts = chunked_map(_render, items, chain, _chain, ())
            for (blob, _), text in zip(batch, texts, strict=True):
                notes.note(blob, text)
    return Filled(len(todo), base is None)


def _chain() -> Chain:
    return Toolkit().chain


def _render(item: tuple[str, bytes], chain: Chain) -> bytes:
    name, data = item
    return semantic_text(data, name, chain).encode("utf-8")


def _valid_notes(repo: GitRepo, validity: str) -> str | None:
    """The note commit git would use: the ref's commit when its message is ``validity``."""
    out = repo.run("for-each-ref", "--format=%(objectname) %(contents:subject)", NOTES_REF)
    commit, _, subject = out.strip().partition(" ")
    return commit if commit and subject.strip() == validity else None


def _noted(repo: GitRepo, commit: str) -> set[str]:
    """The blobs that have a note (note paths may be fanned out: ``ab/cdef...``)."""
    out = repo.run("ls-tree", "-r", "-z", "--name-only", commit)
    return {path.replace("/", "") for path in out.split("\0") if path}


def _shown_blobs(repo: GitRepo, selection: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(blob, file name) of both sides of every scan each selected commit changes (a merge
    against each of its parents)."""
    out = repo.run(
        "log", "--raw", "-m", "--root", "--no-renames", "--no-abbrev", "--format=", "-z",
        *selection, "--", SCANS_DIR,
    )  # fmt: skip
    fields = iter(out.split("\0"))
    for field in fields:
        meta = field.lstrip("\n")
        if not meta.startswith(":"):
            continue  # what separates commits
        path = next(fields, "")
        if not path.endswith(".json"):
            continue
        old_mode, new_mode, old_blob, new_blob, _ = meta[1:].split(" ")
        name = path.rsplit("/", 1)[-1]
        for mode, blob in ((old_mode, old_blob), (new_mode, new_blob)):
            if mode.startswith("100") and not _NO_BLOB.fullmatch(blob) and HEX_SHA.fullmatch(blob):
                yield blob, name


class _FastImport:
    """One ``git fast-import`` writing a note commit: each note a file named by the blob it
    annotates (git reads notes at any fanout), the message the cache's validity."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--force", "--date-format=raw", "--depth=0"],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdin is not None
        self.stream = self.process.stdin

    def __enter__(self) -> _FastImport:
        return self

    def start(self, message: str, parent: str | None) -> None:
        self.stream.write(f"commit {NOTES_REF}\ncommitter scanrepo <scanrepo> 0 +0000\n".encode())
        self._data(message.encode())
        if parent:
            self.stream.write(f"from {parent}\n".encode())

    def note(self, blob: str, text: bytes) -> None:
        self.stream.write(f"M 100644 inline {blob}\n".encode())
        self._data(text)

    def _data(self, data: bytes) -> None:
        self.stream.write(b"data %d\n" % len(data) + data + b"\n")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self.process.kill()
            self.process.wait()
            return
        _, errors = self.process.communicate(b"done\n")
        if self.process.returncode != 0:
            raise ScanRepoError(f"git fast-import: {errors.decode(errors='replace').strip()}")
