"""The figures of ``survey.figures`` and ``survey.stability`` as tables (``render.tables``).

One table per kind of figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanrepo.format import model
from scanrepo.format.items import names, resolve_name
from scanrepo.render.tables import Cell, Column, Table
from scanrepo.survey.agreement import SKEW_HIGH, SKEW_LOW, Agreement, Estimate
from scanrepo.survey.corpus import Scan, items, rating
from scanrepo.survey.estimates import Proportion
from scanrepo.survey.figures import CorpusStats
from scanrepo.survey.stability import Comparison, Observation, Stability

SKEWED = "skewed"
SKEW_NOTE = (
    f"{SKEWED}: fewer than {SKEW_LOW:.0%} or more than {SKEW_HIGH:.0%} of the ratings are yes. "
    "There Cohen's kappa can be low, or undefined (—), however often the answers agree (the "
    "prevalence paradox); AC1 and PABAK, beside it, are not pulled down by the skew"
)


def _rate(name: str, header: str) -> tuple[Column, Column, Column]:
    return (
        Column(name, header, "rate"),
        Column(f"{name}_low", f"{header} low", "rate"),
        Column(f"{name}_high", f"{header} high", "rate"),
    )


def _share(p: Proportion) -> tuple[Cell, Cell, Cell]:
    interval = p.interval
    return (p.share, *(interval if interval else (None, None)))


def _estimate(e: Estimate) -> tuple[Cell, Cell, Cell]:
    return (e.value, *(e.interval if e.interval else (None, None)))


def _agreement(a: Agreement) -> tuple[Cell, ...]:
    return (
        a.observed,
        a.prevalence,
        *_estimate(a.kappa),
        *_estimate(a.ac1),
        *_estimate(a.pabak),
        SKEWED if a.skewed else None,
    )


def _coefficient(name: str, header: str) -> tuple[Column, Column, Column]:
    return (
        Column(name, header, "kappa"),
        Column(f"{name}_low", f"{header} low", "kappa"),
        Column(f"{name}_high", f"{header} high", "kappa"),
    )


_AGREEMENT_COLUMNS = (
    Column("agreement", "agreement (%)", "rate"),
    Column("yes_prevalence", "yes prevalence (%)", "rate"),
    *_coefficient("kappa", "kappa"),
    *_coefficient("ac1", "AC1"),
    *_coefficient("pabak", "PABAK"),
    Column("note", "note", "text"),
)


def _notes(rows: list[tuple[Cell, ...]]) -> tuple[str, ...]:
    return (SKEW_NOTE,) if any(row[-1] == SKEWED for row in rows) else ()


def _flip_cells(c: Comparison) -> tuple[Cell, ...]:
    return (c.observations, c.answer.k, *_share(c.answer), *_share(c.applies))


def corpus_tables(stats: CorpusStats, top: int) -> list[Table]:
    overview: list[tuple[Cell, ...]] = [("papers", stats.papers, None)]
    papers = stats.papers or 1
    overview += [(f"paper type {t}", n, n / papers) for t, n in stats.by_type.items()]
    overview += [(f"scan version v{v}", n, n / papers) for v, n in stats.by_version.items()]
    answers = sum(stats.sources.values()) or 1
    overview += [(f"answers by {s}", n, n / answers) for s, n in stats.sources.items()]
    grouped = any(t.group is not None for t in stats.items)
    group_column = (Column("group", "group", "data"),) if grouped else ()
    item_rows = [
        (
            *((t.group,) if grouped else ()),
            t.where,
            t.papers,
            t.applies,
            t.yes.k,
            *_share(t.yes),
        )
        for t in stats.items
    ]
    return [
        Table(
            "corpus",
            f"Corpus ({stats.label})",
            (
                Column("figure", "figure", "data"),
                Column("count", "count"),
                Column("share", "share", "rate"),
            ),
            overview,
        ),
        Table(
            "items",
            "Checklist items: share answered yes where the item applies (Wilson 95% CI)",
            (
                *group_column,
                Column("item", "item", "item"),
                Column("papers", "papers"),
                Column("applies", "applies"),
                Column("yes", "yes"),
                *_rate("yes_share", "yes share"),
            ),
            item_rows,
        ),
        Table(
            "red_flags",
            f"Red flags: the {min(top, len(stats.flags))} most frequent of {len(stats.flags)}",
            (
                Column("flag", "flag", "data"),
                Column("papers", "papers"),
                Column("share", "share of papers", "rate"),
            ),
            [(f.flag, f.papers, f.papers / papers) for f in stats.flags[:top]],
        ),
        Table(
            "claims",
            "Claims by support level",
            (
                Column("supported", "supported", "data"),
                Column("claims", "claims"),
                Column("share", "share of claims", "rate"),
                Column("papers", "papers"),
            ),
            [
                (
                    s.level,
                    s.claims,
                    s.claims / (sum(x.claims for x in stats.support) or 1),
                    s.papers,
                )
                for s in stats.support
            ],
        ),
        Table(
            "engagement",
            "Engagement scores: papers per score",
            (
                Column("factor", "factor", "data"),
                Column("mean", "mean", "number"),
                *(Column(f"score_{s}", f"score {s}") for s in range(4)),
                Column("other", "other"),
            ),
            [(e.factor, e.mean, *e.counts, e.other) for e in stats.engagement],
        ),
    ]


def corpus_evidence(scans: Iterable[Scan], spelling: str) -> Table:
    """Every paper's answer to the item ``spelling`` names (``format.items``)."""
    rows: list[tuple[Cell, ...]] = []
    known: set[str] = set()
    for scan in scans:
        for where, item in items(scan.doc):
            known.add(where)
            if names(spelling, where):
                value = rating(item[model.APPLIES], item[model.ANSWER])
                rows.append((where, scan.key, scan.path, value, item[model.SOURCE]))
    name = resolve_name(spelling, known, option="--evidence", where="in the corpus")
    return Table(
        "evidence",
        f"Evidence: every paper's answer to {name}",
        (
            Column("item", "item", "item"),
            Column("key", "paper", "data"),
            Column("path", "file", "data"),
            Column("answer", "answer", "text"),
            Column("source", "source", "data"),
        ),
        [row for row in rows if row[0] == name],
    )


def stability_tables(st: Stability) -> list[Table]:
    history: list[tuple[Cell, ...]] = [
        ("commit", st.commit),
        ("commits changing scans", st.commits),
        *((f"revisions: {kind}", count) for kind, count in st.kinds.items()),
        ("scan blobs", st.blobs),
        ("of them cached", st.cached),
    ]
    scopes: list[tuple[str, Proportion, Proportion, Comparison]] = [
        ("all items", st.answer, st.applies, st.different),
        ("same model", st.same.answer, st.same.applies, st.same),
        ("different models", st.different.answer, st.different.applies, st.different),
        *(
            (f"{p.a} vs {p.b}", p.comparison.answer, p.comparison.applies, p.comparison)
            for p in st.source_pairs
        ),
    ]
    overall = [
        (
            scope,
            answer.n,
            *_share(answer),
            *_share(applies),
            agreed.agreement.n,
            *_agreement(agreed.agreement),
        )
        for scope, answer, applies, agreed in scopes
    ]
    flips = (
        *_rate("answer_flip_rate", "answer flip rate (%)"),
        *_rate("applies_flip_rate", "applies flip rate (%)"),
        Column("pairs", "model pairs"),
        *_AGREEMENT_COLUMNS,
    )
    items = [
        (
            rank,
            i.where,
            i.papers,
            i.observations,
            i.answer.k,
            i.applies.k,
            *_share(i.answer),
            *_share(i.applies),
            i.different.agreement.n,
            *_agreement(i.different.agreement),
        )
        for rank, i in enumerate(st.items, 1)
    ]
    by_models = [
        (
            scope,
            models,
            *_flip_cells(c),
            *_agreement(c.agreement),
        )
        for scope, comparisons in [
            ("all items", (st.same, st.different)),
            *((i.where, (i.same, i.different)) for i in st.items),
        ]
        for models, c in zip(("same", "different"), comparisons, strict=True)
        if c.observations or scope == "all items"
    ]
    return [
        Table(
            "history",
            "History",
            (Column("figure", "figure", "text"), Column("value", "value", "text")),
            [(name, str(value)) for name, value in history],
        ),
        Table(
            "overall",
            "Overall: flips over rescans; agreement of the model pairs (all items: between "
            "models; a model with itself: its repeatability)",
            (Column("scope", "scope", "data"), Column("observations", "rescans"), *flips),
            overall,
            _notes(overall),
        ),
        Table(
            "stability",
            "Items from most stable to noisiest (flip rate over rescans, Wilson 95% CI; "
            "agreement between models: Cohen's kappa, Gwet's AC1, PABAK, 95% CI)",
            (
                Column("rank", "rank"),
                Column("item", "item", "item"),
                Column("papers", "papers"),
                Column("observations", "rescans"),
                Column("answer_flips", "answer flips (count)"),
                Column("applies_flips", "applies flips (count)"),
                *flips,
            ),
            items,
            _notes(items),
        ),
        Table(
            "repeatability",
            "Repeatability (the same model answered again) and reproducibility (a different "
            "model answered), per item in the order above where observed",
            (
                Column("item", "item", "item"),
                Column("models", "models", "text"),
                Column("observations", "rescans"),
                Column("answer_flips", "answer flips (count)"),
                *_rate("answer_flip_rate", "answer flip rate (%)"),
                *_rate("applies_flip_rate", "applies flip rate (%)"),
                *_AGREEMENT_COLUMNS,
            ),
            by_models,
            _notes(by_models),
        ),
    ]


def stability_evidence(where: str, observations: Sequence[Observation]) -> Table:
    def flags(o: Observation) -> str:
        found = [
            label
            for label, flag in (
                ("answer flipped", o.answer_flipped),
                ("applies flipped", o.applies_flipped),
                ("models differ", o.sources_differ),
            )
            if flag
        ]
        return ", ".join(found)

    return Table(
        "evidence",
        f"Evidence: every rescan of {where}",
        (
            Column("commit", "commit", "text"),
            Column("date", "date", "text"),
            Column("key", "paper", "data"),
            Column("before", "before", "text"),
            Column("before_source", "by", "data"),
            Column("after", "after", "text"),
            Column("after_source", "by", "data"),
            Column("flags", "flags", "text"),
        ),
        [
            (
                o.commit.sha,
                o.commit.date,
                o.key,
                o.before[0],
                o.before[1],
                o.after[0],
                o.after[1],
                flags(o),
            )
            for o in observations
        ],
    )
