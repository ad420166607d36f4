"""tools/scan-textconv: one scan as stable semantic lines, for git's diff driver (textconv)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, ArgumentParser
from scanrepo.problems import ScanRepoError
from scanrepo.textconv import semantic_text


def main(argv: Sequence[str] | None = None) -> int:
    parser = ArgumentParser(
        prog="tools/scan-textconv",
        description="Print one scan as stable, line-oriented text after migrating it to the "
        "newest version, so git's line diff of two such texts is a semantic diff. A file that "
        "is no readable scan prints a one-line note and its raw text. Configured by "
        "tools/setup-git as the textconv of git's 'scanrepo' diff driver.",
    )
    parser.add_argument("file", metavar="FILE", help="the scan file (git passes a temporary copy)")
    args = parser.parse_args(argv)
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScanRepoError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    sys.stdout.write(semantic_text(data, path.name))
    return EXIT_OK
