"""tools/scan-textconv: one scan as stable semantic lines, for git's diff driver (textconv)."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, ArgumentParser
from scanrepo.diff.textconv import semantic_text
from scanrepo.errors import ScanRepoError
from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.render.inert import terminal_safe


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="tools/scan-textconv",
        description="Print one scan as stable, line-oriented text after migrating it to the "
        "newest version, so git's line diff of two such texts is a semantic diff. A file that "
        "is no readable scan prints a one-line note and its raw text. Configured by "
        "tools/setup-git as the textconv of git's 'scanrepo' diff driver.",
    )
    parser.add_argument("file", metavar="FILE", help="the scan file (git passes a temporary copy)")
    parser.add_argument(
        "--cache-key",
        metavar="KEY",
        help="set by tools/setup-git: changes the command when the tools change, so git's "
        "textconv cache, valid for one command, is not used for other tools; the text is the same",
    )
    args = parser.parse_args(argv)
    path = Path(args.file)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            sys.stdout.write(too_large_text(path, size))
            return EXIT_OK
        data = path.read_bytes()
    except OSError as exc:
        raise ScanRepoError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    sys.stdout.write(semantic_text(data, path.name))
    return EXIT_OK


def too_large_text(path: Path, size: int) -> str:
    """A note for a file over the size limit, read only to hash it, so two different large
    files still differ in git's eyes."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return (
        f"# scanrepo textconv: {terminal_safe(path.name)}: not shown as a scan (file is {size} "
        f"bytes, over the limit of {MAX_BYTES}; SHA-256 {digest})\n"
    )
