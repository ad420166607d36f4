"""What tools/add reads: files, directories (their ``*.json``, recursively) and standard input,
one scan or JSON Lines (one scan per line). Inputs are read one at a time and never modified."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scanrepo.format.strictjson import MAX_BYTES
from scanrepo.problems import Problem
from scanrepo.validate.checks import read_scan_file, too_large

STDIN = "<stdin>"


@dataclass(frozen=True)
class Input:
    """One scan to add: ``name`` names it in problems, ``label`` in the report; ``line`` is the
    line of the stream it starts on (JSON Lines), which problems' lines are counted from."""

    name: str
    label: str
    data: bytes | Problem
    line: int = 1


def _io_problem(name: str, message: str) -> Problem:
    return Problem(name, None, None, "$", message, "io")


def _files(arg: str) -> Iterator[Input]:
    path = Path(arg)
    if path.is_dir() and not path.is_symlink():
        found = sorted(p for p in path.rglob("*.json") if p.is_file() or p.is_symlink())
        if not found:
            yield Input(arg, arg, _io_problem(arg, "a directory with no .json file"))
        for file in found:
            yield Input(str(file), str(file), read_scan_file(file, str(file)))
    elif not path.exists() and not path.is_symlink():
        yield Input(arg, arg, _io_problem(arg, "no such file or directory"))
    else:
        yield Input(arg, arg, read_scan_file(path, arg))


def _is_one_line_scan(line: bytes) -> bool:
    text = line.strip()
    return text.startswith(b"{") and text.endswith(b"}")


def _stdin(stream: BinaryIO) -> Iterator[Input]:
    """One scan, or JSON Lines when the first line is a whole object on its own."""
    first = stream.readline(MAX_BYTES + 1)
    if not _is_one_line_scan(first):
        data = first + stream.read(MAX_BYTES + 1 - len(first))
        yield Input(STDIN, STDIN, too_large(STDIN, len(data)) if len(data) > MAX_BYTES else data)
        return
    number, line = 1, first
    while line:
        if line.strip():
            label = f"{STDIN}:{number}"
            text = line.rstrip(b"\r\n")  # so that a problem at its end stays on its line
            read = text if len(text) <= MAX_BYTES else too_large(label, len(text))
            yield Input(STDIN, label, read, number)
        number += 1
        line = stream.readline(MAX_BYTES + 1)


def read_inputs(args: Sequence[str], stdin: BinaryIO) -> Iterator[Input]:
    """Every input named, in order; ``-`` is standard input."""
    for arg in args:
        yield from _stdin(stdin) if arg == "-" else _files(arg)
