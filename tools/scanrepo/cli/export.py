"""tools/export: the corpus (or its history) as one row per (paper, item), or the stability
figures per item and model kind, in CSV or Parquet."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, StageProgress, emit
from scanrepo.cli.survey_args import add_history_arguments, add_rev_argument, corpus_of, history_of
from scanrepo.errors import ScanRepoError
from scanrepo.fs.atomic import check_target, replaced_on_success
from scanrepo.history.walk import History, Step
from scanrepo.problems import Problem
from scanrepo.render.figure_tables import stability_tables
from scanrepo.survey.corpus import Readers
from scanrepo.survey.rows import (
    CORPUS_COLUMNS,
    HISTORY_COLUMNS,
    ExportColumn,
    Row,
    corpus_rows,
    figure_columns,
    history_rows,
    write_csv,
    write_parquet,
)
from scanrepo.survey.stability import stability
from scanrepo.vcs.repo import GitRepo


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/export",
        description="Write one row per (paper, checklist item) of the corpus, or with --history "
        "one row per (paper, item, commit) across git history, or with --stability one row "
        "per item (and all items) and kind of rescan (same model, different models) with its "
        "flip rates and agreement, as CSV or Parquet. "
        "Exit 0, or 1 when scans could not be read (they are left out), 2 on a usage error.",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--history",
        action="store_true",
        help="one row per item of every scan each commit wrote, with what changed",
    )
    what.add_argument(
        "--stability",
        action="store_true",
        help="tools/stats --stability's repeatability table: flip rates and agreement (kappa, "
        "AC1, PABAK) of consecutive answers by the same model and by different models",
    )
    add_rev_argument(parser, "--history or --stability")
    parser.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="the file to write (default for csv: standard output; parquet needs a file)",
    )
    add_history_arguments(parser, "--history or --stability")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.format == "parquet" and not args.output:
        parser.error("--format parquet writes a file: give it with -o PATH")
    if args.output:
        check_target(Path(args.output))
    readers = Readers()
    progress = StageProgress()
    problems: list[Problem] = []
    try:
        if args.history:
            count, unreadable = _export_history(args, readers, progress)
        elif args.stability:
            count, unreadable = _export_stability(args, readers, progress)
        else:
            problems, count = _export_corpus(args, readers, progress)
    finally:
        progress.close()
    for problem in problems:
        emit(f"left out: {problem.render()}", sys.stderr)
    if (args.history or args.stability) and unreadable:
        emit(
            f"{unreadable} revisions of scans could not be read; tools/stats --stability "
            "--format json lists them",
            sys.stderr,
        )
    if args.output:
        emit(f"wrote {count} rows to {args.output}", sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def _write(rows: Iterator[Row], columns: tuple[ExportColumn, ...], args: argparse.Namespace) -> int:
    if not args.output:
        return write_csv(rows, columns, sys.stdout)
    with replaced_on_success(Path(args.output)) as tmp:
        if args.format == "parquet":
            return write_parquet(rows, columns, tmp)
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            return write_csv(rows, columns, out)


def _export_corpus(
    args: argparse.Namespace, readers: Readers, progress: StageProgress
) -> tuple[list[Problem], int]:
    with corpus_of(args.rev) as corpus:
        scans = corpus.read(readers, progress.stage("reading scans"))
        count = _write(corpus_rows(scans), CORPUS_COLUMNS, args)
    return corpus.problems, count


@contextlib.contextmanager
def _open_history(
    args: argparse.Namespace, readers: Readers, progress: StageProgress, option: str
) -> Iterator[History]:
    with GitRepo(Path.cwd()) as repo:
        if not repo.has_commits():
            raise ScanRepoError(f"{option} reads git history, and this repository has no commits")
        with history_of(repo, args, readers, progress) as history:
            yield history


def _export_stability(
    args: argparse.Namespace, readers: Readers, progress: StageProgress
) -> tuple[int, int]:
    """(rows written, revisions that could not be read)."""
    with _open_history(args, readers, progress, "--stability") as history:
        st = stability(history)
    [table] = [t for t in stability_tables(st) if t.name == "repeatability"]
    return _write(iter(table.rows), figure_columns(table), args), st.kinds["unreadable"]


def _export_history(
    args: argparse.Namespace, readers: Readers, progress: StageProgress
) -> tuple[int, int]:
    """(rows written, revisions that could not be read)."""
    with _open_history(args, readers, progress, "--history") as history:
        unreadable = 0

        def steps() -> Iterator[Step]:
            nonlocal unreadable
            for step in history.steps():
                unreadable += step.kind == "unreadable"
                yield step

        count = _write(history_rows(steps()), HISTORY_COLUMNS, args)
    return count, unreadable
