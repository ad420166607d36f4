"""tools/stats: figures of the corpus, and of each checklist item's stability across history."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scanrepo.cli.common import EXIT_OK, EXIT_PROBLEMS, ArgumentParser, StageProgress, emit
from scanrepo.cli.survey_args import add_history_arguments, add_rev_argument, corpus_of, history_of
from scanrepo.errors import ScanRepoError
from scanrepo.problems import Problem
from scanrepo.render.figure_tables import (
    corpus_evidence,
    corpus_tables,
    stability_evidence,
    stability_tables,
)
from scanrepo.render.tables import Table, render_csv, render_json, render_markdown, render_text
from scanrepo.survey.corpus import Readers
from scanrepo.survey.figures import GROUP_BYS, corpus_stats
from scanrepo.survey.stability import stability
from scanrepo.vcs.repo import GitRepo

FORMAT_NAME = "scanrepo-stats"
FORMAT_VERSION = 1
CORPUS_TABLES = ("corpus", "items", "red_flags", "claims", "engagement")
STABILITY_TABLES = ("history", "overall", "stability", "repeatability")
SHOWN_PROBLEMS = 20


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="tools/stats",
        description="Figures of the corpus: per checklist item the share answered yes with a "
        "Wilson 95% interval, red flags, claims by support, engagement scores. With "
        "--stability, each item's flip rate across the rescans in git history, for the same "
        "model answering again and for a different model, and the agreement (raw, Cohen's "
        "kappa, Gwet's AC1, PABAK, with the prevalence of yes). Exit 0, or 1 when scans of "
        "the corpus could not be read (they are left out), 2 on a usage error.",
    )
    parser.add_argument(
        "--stability",
        action="store_true",
        help="figures from the git history of every scan instead of the current corpus",
    )
    add_rev_argument(parser, "--stability")
    parser.add_argument(
        "--by", choices=GROUP_BYS, help="per-item figures for each paper type, venue or year"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "csv", "markdown"),
        default="text",
        help="output format (csv holds one table: see --table)",
    )
    parser.add_argument(
        "--table",
        choices=CORPUS_TABLES + STABILITY_TABLES,
        help="only this table (default: all; for csv, items or, with --stability, stability)",
    )
    parser.add_argument(
        "--top", type=int, default=20, metavar="N", help="red flags to list (default 20)"
    )
    parser.add_argument(
        "--evidence",
        metavar="ITEM",
        help="instead, the papers (with --stability: the rescans and commits) behind one "
        "item's figures; ITEM is its full name as the tables print it "
        "(checklist.conflicts_of_interest.funding_disclosed) or its last parts where one item "
        "has them (funding_disclosed)",
    )
    add_history_arguments(parser, "--stability")
    return parser


def _check(args: argparse.Namespace, parser: ArgumentParser) -> None:
    stable = args.stability
    table = args.table
    if args.by and stable:
        parser.error("--by groups the corpus figures; it does not go with --stability")
    allowed = STABILITY_TABLES if stable else CORPUS_TABLES
    if table and table not in allowed:
        parser.error(
            f"--table {table} is not a table of {'--stability' if stable else 'the corpus'}"
        )
    if table and args.evidence:
        parser.error("--evidence prints one table of its own; it does not go with --table")
    if args.top < 0:
        parser.error("--top must be 0 or more")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check(args, parser)
    readers = Readers()
    progress = StageProgress()
    try:
        if args.stability:
            tables, header, problems = _stability(args, readers, progress)
            code = EXIT_OK
        else:
            tables, header, problems = _corpus(args, readers, progress)
            code = EXIT_PROBLEMS if problems else EXIT_OK
    finally:
        progress.close()
    _print(tables, header, problems, args)
    return code


def _corpus(
    args: argparse.Namespace, readers: Readers, progress: StageProgress
) -> tuple[list[Table], dict[str, object], list[Problem]]:
    with corpus_of(args.rev) as corpus:
        scans = corpus.read(readers, progress.stage("reading scans"))
        if args.evidence:
            tables = [corpus_evidence(scans, args.evidence)]
        else:
            stats = corpus_stats(corpus.label, scans, args.by)
            tables = _select(corpus_tables(stats, args.top), args, "items")
    return tables, {"kind": "corpus", "corpus": corpus.label}, corpus.problems


def _stability(
    args: argparse.Namespace, readers: Readers, progress: StageProgress
) -> tuple[list[Table], dict[str, object], list[Problem]]:
    evidence = args.evidence
    with GitRepo(Path.cwd()) as repo:
        if not repo.has_commits():
            raise ScanRepoError("--stability reads git history, and this repository has no commits")
        with history_of(repo, args, readers, progress) as history:
            st = stability(history, evidence)
    header: dict[str, object] = {"kind": "stability", "commit": st.commit}
    if evidence:
        [(where, observations)] = st.evidence.items()
        return [stability_evidence(where, observations)], header, st.problems
    return _select(stability_tables(st), args, "stability"), header, st.problems


def _select(tables: list[Table], args: argparse.Namespace, csv_default: str) -> list[Table]:
    wanted = args.table
    if wanted is None and args.format == "csv":
        wanted = csv_default
    return [t for t in tables if wanted is None or t.name == wanted]


def _print(
    tables: list[Table],
    header: dict[str, object],
    problems: list[Problem],
    args: argparse.Namespace,
) -> None:
    output = args.format
    if output == "json":
        doc = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            **header,
            "problems": [p.to_json() for p in problems],
        }
        sys.stdout.write(render_json(tables, doc))
        return
    if output == "csv":
        emit(render_csv(tables[0]).rstrip("\n"))
    elif output == "markdown":
        emit(render_markdown(tables).rstrip("\n"))
    else:
        emit(render_text(tables).rstrip("\n"))
    for problem in problems[:SHOWN_PROBLEMS]:
        emit(f"left out: {problem.render()}", sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        emit(
            f"left out: {len(problems) - SHOWN_PROBLEMS} more (--format json lists them all)",
            sys.stderr,
        )
