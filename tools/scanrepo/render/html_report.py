"""The survey report: one self-contained HTML page with inline CSS and inline SVG charts.

Nothing is loaded from elsewhere (no script, font, image or style sheet), so the page opens
from a file without a network. Every text taken from a scan or from git (titles, flags, item
names, commit subjects) goes through ``html.escape``. The page holds no generation time, only
the commit it describes, so the same repository gives the same page.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from scanrepo.diff.changes import ChangeKind, PaperDiff
from scanrepo.history.recent import Timeline
from scanrepo.render.describe import Piece, count_phrase, describe, paper_phrase
from scanrepo.render.svg import Panel, Point, bar_chart, interval_chart, percent, stacked_chart
from scanrepo.survey.agreement import SKEW_HIGH, SKEW_LOW, Agreement, Estimate
from scanrepo.survey.estimates import Proportion
from scanrepo.survey.figures import CorpusStats
from scanrepo.survey.references import REFERENCES
from scanrepo.survey.stability import Comparison, Stability

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #1b1f24; margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.sub, .note { color: #57606a; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.card b { display: block; font-size: 22px; }
figure, .wide { margin: 8px 0; overflow-x: auto; }
figcaption { color: #57606a; margin-top: 4px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: left; }
th, td { vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
code { font-size: 12px; }
ul.changes { margin: 2px 0 10px; padding-left: 20px; }
del { color: #cf222e; } ins { color: #1a7f37; text-decoration: none; }
"""


@dataclass(frozen=True)
class ReportData:
    commit: str | None
    commit_date: str | None
    corpus: CorpusStats
    unreadable: int  # scans of the corpus left out
    stability: Stability | None
    timelines: Sequence[Timeline]
    top_flags: int


def _rate(p: Proportion) -> str:
    return "—" if p.share is None else f"{100 * p.share:.1f}%"


def _interval(interval: tuple[float, float] | None) -> str:
    if interval is None:
        return ""
    return f" (95% CI {100 * interval[0]:.1f} to {100 * interval[1]:.1f}%)"


def _coefficient(e: Estimate) -> str:
    if e.value is None:
        return "—"
    ci = f" [{e.interval[0]:.2f}, {e.interval[1]:.2f}]" if e.interval else ""
    return f"{e.value:.2f}{ci}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _cards(data: ReportData) -> str:
    stats, st = data.corpus, data.stability
    cards = [("papers", str(stats.papers))]
    cards += [(f"{t} papers", str(n)) for t, n in stats.by_type.items()]
    if st is not None:
        cards += [
            ("commits changing scans", str(st.commits)),
            ("rescans", str(st.kinds["rescan"])),
            ("answer flip rate, all items", _rate(st.answer)),
            ("answer flip rate, same model", _rate(st.same.answer)),
            ("answer flip rate, different models", _rate(st.different.answer)),
            ("kappa between models, all items", _coefficient(st.different.agreement.kappa)),
            ("AC1 between models, all items", _coefficient(st.different.agreement.ac1)),
        ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><b>{escape(value)}</b>{escape(label)}</div>'
            for label, value in cards
        )
        + "</div>"
    )


def _yes_chart(stats: CorpusStats) -> str:
    items = stats.items
    labels = [t.where for t in items]
    tips = [
        f"{t.where}: {_rate(t.yes)} answered yes ({t.yes.k} of {t.yes.n} papers where it "
        f"applies){_interval(t.yes.interval)}; applies in {t.applies} of {t.papers}"
        for t in items
    ]
    points = [Point(t.yes.share, *(t.yes.interval or (None, None))) for t in items]
    panel = Panel("share answered yes", (0.0, 1.0), (0, 0.25, 0.5, 0.75, 1), percent, points)
    return interval_chart("chart-yes-rate", "Share answered yes per item", labels, tips, [panel])


def _nice_top(value: float) -> float:
    for top in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0):
        if value <= top:
            return top
    return 1.0


def _agreement_tip(a: Agreement) -> str:
    return (
        f"{a.n} pairs, agreement {_share(a.observed)}, yes {_share(a.prevalence)}"
        f"{' (skewed)' if a.skewed else ''}, kappa {_coefficient(a.kappa)}, "
        f"AC1 {_coefficient(a.ac1)}, PABAK {_coefficient(a.pabak)}"
    )


def _coefficient_panel(label: str, estimates: Sequence[Estimate]) -> Panel:
    lows = [e.interval[0] for e in estimates if e.interval]
    lows += [e.value for e in estimates if e.value is not None]
    bottom = min(0.0, math.floor(2 * min(lows, default=0.0)) / 2)
    return Panel(
        label,
        (bottom, 1.0),
        tuple(bottom + step * 0.5 for step in range(int((1 - bottom) / 0.5) + 1)),
        lambda v: f"{v:.1f}",
        [Point(e.value, *(e.interval or (None, None))) for e in estimates],
    )


def _stability_chart(st: Stability) -> str:
    items = st.items
    labels = [i.where for i in items]
    tips = [
        f"{i.where}: answer flipped in {i.answer.k} of {i.answer.n} rescans ({_rate(i.answer)})"
        f"{_interval(i.answer.interval)}; applies flipped {i.applies.k}; same model: "
        f"{i.same.answer.k} of {i.same.answer.n} flipped; different models: "
        f"{i.different.answer.k} of {i.different.answer.n} flipped, "
        f"{_agreement_tip(i.different.agreement)}"
        for i in items
    ]
    top = _nice_top(max((i.answer.interval[1] for i in items if i.answer.interval), default=0))
    flips = Panel(
        "answer flip rate over rescans",
        (0.0, top),
        tuple(top * step / 4 for step in range(5)),
        percent,
        [Point(i.answer.share, *(i.answer.interval or (None, None))) for i in items],
    )
    agreements = [i.different.agreement for i in items]
    kappas = _coefficient_panel("Cohen's kappa between models", [a.kappa for a in agreements])
    ac1s = _coefficient_panel("Gwet's AC1 between models", [a.ac1 for a in agreements])
    return interval_chart(
        "chart-stability", "Flip rate, kappa and AC1 per item", labels, tips, [flips, kappas, ac1s]
    )


def _agreement_cells(c: Comparison) -> str:
    a = c.agreement
    cells = [
        str(c.observations),
        _rate(c.answer),
        _share(a.observed),
        _share(a.prevalence),
        _coefficient(a.kappa),
        _coefficient(a.ac1),
        _coefficient(a.pabak),
    ]
    note = "skewed" if a.skewed else ""
    return "".join(f'<td class="n nowrap">{escape(cell)}</td>' for cell in cells) + (
        f"<td>{note}</td>"
    )


_AGREEMENT_HEADERS = (
    "<th>rescans</th><th>answer flip rate</th><th>raw agreement</th><th>yes prevalence</th>"
    "<th>Cohen's kappa [95% CI]</th><th>Gwet's AC1 [95% CI]</th><th>PABAK [95% CI]</th>"
    "<th>note</th>"
)


def _agreement_table(st: Stability) -> str:
    rows = [
        ("same model (repeatability)", st.same),
        ("different models (reproducibility)", st.different),
    ]
    rows += [(f"{p.a} vs {p.b}", p.comparison) for p in st.source_pairs]
    body = "".join(f"<tr><td>{escape(name)}</td>{_agreement_cells(c)}</tr>" for name, c in rows)
    return f"<table><tr><th>models</th>{_AGREEMENT_HEADERS}</tr>{body}</table>"


def _items_table(st: Stability) -> str:
    rows = [
        f"<tr><td><code>{escape(i.where)}</code></td><td>{escape(models)}</td>"
        f"{_agreement_cells(c)}</tr>"
        for i in st.items
        for models, c in (("same", i.same), ("different", i.different))
        if c.observations
    ]
    return (
        "<details><summary>Per item: the same model again, and a different model</summary>"
        f'<div class="wide"><table><tr><th>item</th><th>models</th>{_AGREEMENT_HEADERS}</tr>'
        f"{''.join(rows)}</table></div></details>"
    )


def _references() -> str:
    items = "".join(
        f"<li><b>{escape(r.figure)}</b>: {escape(r.measured)}. {escape(r.citation)}, "
        f"<code>{escape(r.identifier)}</code>.</li>"
        for r in REFERENCES
    )
    return (
        '<section id="references"><h3>Published reference points</h3>'
        '<p class="note">Context, not thresholds: these compare a model with human experts '
        "(are the answers right?), ours compare a model with itself or another model on a "
        "rescan (are the answers the same?).</p>"
        f"<ul>{items}</ul></section>"
    )


def _piece(piece: Piece) -> str:
    style, text = piece
    if style in ("old", "del"):
        return f"<del>{escape(text)}</del>"
    if style in ("new", "ins"):
        return f"<ins>{escape(text)}</ins>"
    return escape(text)


def _changes(diff: PaperDiff) -> str:
    lines = [
        f"<li>problem: {escape(p.message)} <code>{escape(p.path)}</code></li>"
        for p in diff.problems
    ]
    for change in diff.changes:
        line = describe(change)
        lines.append(
            f"<li><b>{escape(line.label)}</b> <code>{escape(line.where)}</code> "
            + "".join(map(_piece, line.detail))
            + "</li>"
        )
    return f'<ul class="changes">{"".join(lines)}</ul>' if lines else ""


def _anchor(key: str) -> str:
    return "paper-" + escape(key)


def _recent_table(timelines: Iterable[Timeline]) -> str:
    rows = []
    for timeline in timelines:
        commit, diff = timeline.entries[0]
        counts: Counter[ChangeKind] = Counter(c.kind for c in diff.changes)
        what = paper_phrase(diff) + (f": {count_phrase(counts)}" if counts else "")
        rows.append(
            f'<tr><td><a href="#{_anchor(timeline.key)}">{escape(timeline.key)}</a></td>'
            f"<td>{escape(timeline.title or '')}</td>"
            f"<td class=nowrap>{escape(commit.date[:10])}</td>"
            f"<td><code>{escape(commit.sha[:12])}</code></td><td>{escape(what)}</td>"
            f"<td class=n>{len(timeline.entries)}</td></tr>"
        )
    return (
        "<table><tr><th>paper</th><th>title</th><th>last changed</th><th>commit</th>"
        f"<th>what changed</th><th>commits</th></tr>{''.join(rows)}</table>"
    )


def _histories(timelines: Iterable[Timeline]) -> str:
    parts = []
    for timeline in timelines:
        entries = "".join(
            f"<li><code>{escape(commit.sha[:12])}</code> {escape(commit.date[:10])} "
            f"{escape(commit.subject)} — <i>{escape(paper_phrase(diff))}</i>{_changes(diff)}</li>"
            for commit, diff in timeline.entries
        )
        parts.append(
            f'<section id="{_anchor(timeline.key)}"><h3>{escape(timeline.key)} — '
            f"{escape(timeline.title or '')}</h3><ol>{entries}</ol>"
            f'<p class="note">In a terminal: <code>tools/log {escape(timeline.key)}</code></p>'
            "</section>"
        )
    return "".join(parts)


def render_report(data: ReportData) -> str:
    stats, st = data.corpus, data.stability
    about = (
        f"commit <code>{escape(data.commit[:12])}</code> of {escape(data.commit_date or '')}"
        if data.commit
        else "a work tree without commits"
    )
    left_out = (
        f" {data.unreadable} scans could not be read and are left out "
        "(<code>tools/stats</code> names them)."
        if data.unreadable
        else ""
    )
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Scan survey report</title><style>{CSS}</style></head><body><main>",
        "<h1>Scan survey: signal and noise</h1>",
        f'<p class="sub">Corpus: {escape(stats.label)}; history up to {about}.{left_out}</p>',
        '<section id="overview"><h2>Corpus</h2>',
        _cards(data),
        "</section>",
        '<section id="yes-rate"><h2>Share answered yes, per checklist item</h2>',
        '<p class="note">Of the papers where the item applies; the line is the Wilson 95% '
        "interval. Hover a row for the counts.</p>",
        f"<figure>{_yes_chart(stats)}</figure></section>",
    ]
    if st is not None:
        parts += [
            '<section id="stability"><h2>Stability across rescans</h2>',
            '<p class="note">Items from most stable (top) to noisiest. Flip rate: rescans that '
            "changed the item's answer, of the rescans of papers that have it (Wilson 95% "
            "interval). Kappa and AC1: agreement between two different models answering the "
            "same item in consecutive revisions, corrected for chance (interval from 10 pairs "
            "on).</p>",
            f"<figure>{_stability_chart(st)}</figure>",
            "<h3>Repeatability and reproducibility</h3>",
            '<p class="note">Consecutive answers by the same model (repeatability) and by '
            "different models (reproducibility). Raw agreement: pairs that agree; yes "
            "prevalence: the share of the ratings that are yes. Where fewer than "
            f"{SKEW_LOW:.0%} or more than {SKEW_HIGH:.0%} are yes (skewed), Cohen's kappa can "
            "be low, or undefined (—), however often the answers agree: Gwet's AC1 and PABAK "
            "(kappa as if both answers were balanced) are not pulled down by the skew.</p>",
            _agreement_table(st),
            _items_table(st),
            _references(),
            "</section>",
        ]
    flags = stats.flags[: data.top_flags]
    parts += [
        '<section id="red-flags"><h2>Red flags</h2>',
        f'<p class="note">The {len(flags)} most frequent of {len(stats.flags)} distinct flags '
        "(case and punctuation ignored), by papers raising them.</p><figure>",
        bar_chart(
            "chart-red-flags",
            "papers raising the flag",
            [f.flag for f in flags],
            [f.papers for f in flags],
            [f"{f.flag}: {f.papers} papers" for f in flags],
        ),
        '</figure></section><section id="claims"><h2>Claims and engagement</h2><figure>',
        bar_chart(
            "chart-claims",
            "claims by support level",
            [s.level for s in stats.support],
            [s.claims for s in stats.support],
            [f"{s.level}: {s.claims} claims in {s.papers} papers" for s in stats.support],
        ),
        "</figure><figure>",
        stacked_chart(
            "chart-engagement",
            "engagement scores",
            [e.factor for e in stats.engagement],
            [e.counts for e in stats.engagement],
            ["score 0", "score 1", "score 2", "score 3"],
            [
                f"{e.factor}: mean {e.mean:.2f}; papers per score {list(e.counts)}"
                if e.mean is not None
                else e.factor
                for e in stats.engagement
            ],
        ),
        "</figure></section>",
    ]
    if data.timelines:
        parts += [
            '<section id="recent"><h2>Most recently changed papers</h2>',
            _recent_table(data.timelines),
            "<h2>Their semantic history</h2>",
            _histories(data.timelines),
            "</section>",
        ]
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
