"""Figures of the current corpus: per checklist item, how often it applies and is answered yes;
the most frequent red flags; claims by support level; engagement score distributions.

For an item, ``papers`` counts the scans that have it (a type item: the scans of that paper
type), ``applies`` those where it applies, and ``yes`` those of them answered yes; the share
answered yes is ``yes / applies`` with a Wilson 95% interval. Grouped by ``paper_type``,
``venue`` or ``year``, each group gets its own figures. A venue is grouped without a trailing
year ("ICLR 2026" counts as "ICLR"); a missing venue or year is "(none)".

Red flags are counted once per paper under a normalised text (Unicode NFKC, case folded,
whitespace collapsed, surrounding punctuation removed); the spelling shown is the most frequent
one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from scanrepo.corpus import Scan, items
from scanrepo.estimates import Proportion

GroupBy = Literal["paper_type", "venue", "year"]
GROUP_BYS: tuple[GroupBy, ...] = get_args(GroupBy)
NONE_GROUP = "(none)"
SUPPORT_ORDER = ("strong", "moderate", "weak", "unsupported")
SCORES = (0, 1, 2, 3)

_TRAILING_YEAR = re.compile(r"[\s,'-]*(?:19|20)\d\d$")
_EDGE_PUNCTUATION = " \t.,;:!?-\u2013\u2014\"'()[]"


@dataclass(frozen=True)
class ItemTally:
    group: str | None
    where: str
    papers: int
    applies: int
    yes: Proportion  # k: answered yes, n: applies


@dataclass(frozen=True)
class FlagCount:
    flag: str  # the most frequent spelling
    papers: int


@dataclass(frozen=True)
class SupportCount:
    level: str
    claims: int
    papers: int


@dataclass(frozen=True)
class ScoreDistribution:
    factor: str
    counts: tuple[int, ...]  # papers with score 0, 1, 2, 3
    other: int  # scores outside 0..3 (a future scale)
    mean: float | None


@dataclass(frozen=True)
class CorpusStats:
    label: str
    papers: int
    by_type: dict[str, int]
    by_version: dict[int, int]  # the files' own scan versions
    sources: dict[str, int]  # checklist answers per model
    items: list[ItemTally]
    flags: list[FlagCount]  # every distinct normalised flag, most frequent first
    support: list[SupportCount]
    engagement: list[ScoreDistribution]


def venue_name(venue: object) -> str:
    if not isinstance(venue, str) or not venue.strip():
        return NONE_GROUP
    return _TRAILING_YEAR.sub("", venue.strip()) or venue.strip()


def group_of(scan: Scan, by: GroupBy) -> str:
    doc = scan.doc
    if by == "paper_type":
        return str(doc["paper_type"])
    if by == "venue":
        return venue_name(doc["paper"].get("venue"))
    year = doc["paper"].get("year")
    return str(year) if isinstance(year, int) and not isinstance(year, bool) else NONE_GROUP


def _item_order(where: str) -> tuple[int, str]:
    """Universal items first, then type items by paper type; document order within each."""
    parts = where.split(".")
    return (0, "") if parts[0] == "checklist" else (1, parts[1])


def item_tallies(scans: Iterable[Scan], by: GroupBy | None = None) -> list[ItemTally]:
    papers: Counter[tuple[str | None, str]] = Counter()
    applies: Counter[tuple[str | None, str]] = Counter()
    yes: Counter[tuple[str | None, str]] = Counter()
    order: dict[str, int] = {}
    for scan in scans:
        group = group_of(scan, by) if by else None
        for where, item in items(scan.doc):
            order.setdefault(where, len(order))
            papers[group, where] += 1
            applies[group, where] += bool(item["applies"])
            yes[group, where] += bool(item["applies"] and item["answer"])
    ranked = sorted(
        papers,
        key=lambda gw: (gw[0] or "", *_item_order(gw[1]), order[gw[1]]),
    )
    return [
        ItemTally(
            group,
            where,
            papers[group, where],
            applies[group, where],
            Proportion(yes[group, where], applies[group, where]),
        )
        for group, where in ranked
    ]


def normalise_flag(text: str) -> str:
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return folded.strip(_EDGE_PUNCTUATION)


def red_flags(scans: Iterable[Scan]) -> list[FlagCount]:
    """Every normalised flag with the papers raising it, most frequent first."""
    papers: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for scan in scans:
        seen: set[str] = set()
        for entry in scan.doc["red_flags"]:
            flag = entry["flag"]
            norm = normalise_flag(flag)
            spellings[norm][" ".join(flag.split())] += 1
            if norm not in seen:
                seen.add(norm)
                papers[norm] += 1
    ranked = sorted(papers, key=lambda norm: (-papers[norm], norm))
    return [FlagCount(_most_common(spellings[norm]), papers[norm]) for norm in ranked]


def _most_common(spellings: Counter[str]) -> str:
    return min(spellings, key=lambda s: (-spellings[s], s))


def claim_support(scans: Iterable[Scan]) -> list[SupportCount]:
    claims: Counter[str] = Counter()
    papers: Counter[str] = Counter()
    for scan in scans:
        levels = [str(claim["supported"]) for claim in scan.doc["claims"]]
        claims.update(levels)
        papers.update(set(levels))
    known = [level for level in SUPPORT_ORDER if level in claims]
    others = sorted(set(claims) - set(SUPPORT_ORDER))
    return [SupportCount(level, claims[level], papers[level]) for level in known + others]


def engagement(scans: Sequence[Scan]) -> list[ScoreDistribution]:
    scores: dict[str, list[int]] = {}
    for scan in scans:
        for factor, value in scan.doc["engagement_factors"].items():
            scores.setdefault(factor, []).append(int(value["score"]))
    result = []
    for factor, values in scores.items():
        counted = Counter(values)
        result.append(
            ScoreDistribution(
                factor,
                tuple(counted[s] for s in SCORES),
                sum(c for s, c in counted.items() if s not in SCORES),
                sum(values) / len(values) if values else None,
            )
        )
    return result


def corpus_stats(label: str, scans: Sequence[Scan], by: GroupBy | None = None) -> CorpusStats:
    sources: Counter[str] = Counter()
    for scan in scans:
        sources.update(str(item["source"]) for _, item in items(scan.doc))
    return CorpusStats(
        label=label,
        papers=len(scans),
        by_type=dict(sorted(Counter(str(s.doc["paper_type"]) for s in scans).items())),
        by_version=dict(sorted(Counter(s.version for s in scans).items())),
        sources=dict(sources.most_common()),
        items=item_tallies(scans, by),
        flags=red_flags(scans),
        support=claim_support(scans),
        engagement=engagement(scans),
    )
