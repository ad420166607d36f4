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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

from scanrepo.format import model
from scanrepo.survey.corpus import Scan, items
from scanrepo.survey.estimates import Proportion

GroupBy = Literal["paper_type", "venue", "year"]
GROUP_BYS: tuple[GroupBy, ...] = get_args(GroupBy)
NONE_GROUP = "(none)"
SUPPORT_ORDER = ("strong", "moderate", "weak", "unsupported")
SCORES = (0, 1, 2, 3)

_FLAG = model.ENTRY_IDS[model.RED_FLAGS]  # a red flag's text
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
    mean: float


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
        return str(doc[model.PAPER_TYPE])
    if by == "venue":
        return venue_name(doc[model.PAPER].get("venue"))
    year = doc[model.PAPER].get("year")
    return str(year) if isinstance(year, int) and not isinstance(year, bool) else NONE_GROUP


def _item_order(where: str) -> tuple[int, str]:
    """Universal items first, then type items by paper type; document order within each."""
    parts = where.split(".")
    return (0, "") if parts[0] == model.CHECKLIST else (1, parts[1])


def normalise_flag(text: str) -> str:
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return folded.strip(_EDGE_PUNCTUATION)


def _most_common(spellings: Counter[str]) -> str:
    return min(spellings, key=lambda s: (-spellings[s], s))


class CorpusTally:
    """Every figure of the corpus, counted one scan at a time."""

    def __init__(self, by: GroupBy | None = None) -> None:
        self.by = by
        self.papers = 0
        self.by_type: Counter[str] = Counter()
        self.by_version: Counter[int] = Counter()
        self.sources: Counter[str] = Counter()
        self.item_papers: Counter[tuple[str | None, str]] = Counter()
        self.item_applies: Counter[tuple[str | None, str]] = Counter()
        self.item_yes: Counter[tuple[str | None, str]] = Counter()
        self.order: dict[str, int] = {}
        self.flag_papers: Counter[str] = Counter()
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self.claims: Counter[str] = Counter()
        self.claim_papers: Counter[str] = Counter()
        self.scores: dict[str, list[int]] = {}

    def add(self, scan: Scan) -> None:
        doc = scan.doc
        self.papers += 1
        self.by_type[str(doc[model.PAPER_TYPE])] += 1
        self.by_version[scan.version] += 1
        group = group_of(scan, self.by) if self.by else None
        for where, item in items(doc):
            self.order.setdefault(where, len(self.order))
            self.sources[str(item[model.SOURCE])] += 1
            self.item_papers[group, where] += 1
            self.item_applies[group, where] += bool(item[model.APPLIES])
            self.item_yes[group, where] += bool(item[model.APPLIES] and item[model.ANSWER])
        seen: set[str] = set()
        for entry in doc[model.RED_FLAGS]:
            text = entry[_FLAG]
            norm = normalise_flag(text)
            self.spellings[norm][" ".join(text.split())] += 1
            if norm not in seen:
                seen.add(norm)
                self.flag_papers[norm] += 1
        levels = [str(claim[model.CLAIM_SUPPORT]) for claim in doc[model.CLAIMS]]
        self.claims.update(levels)
        self.claim_papers.update(set(levels))
        for factor, value in doc[model.ENGAGEMENT_FACTORS].items():
            self.scores.setdefault(factor, []).append(int(value[model.SCORE]))

    def items(self) -> list[ItemTally]:
        ranked = sorted(
            self.item_papers,
            key=lambda gw: (gw[0] or "", *_item_order(gw[1]), self.order[gw[1]]),
        )
        return [
            ItemTally(
                group,
                where,
                self.item_papers[group, where],
                self.item_applies[group, where],
                Proportion(self.item_yes[group, where], self.item_applies[group, where]),
            )
            for group, where in ranked
        ]

    def flags(self) -> list[FlagCount]:
        """Every normalised flag with the papers raising it, most frequent first."""
        ranked = sorted(self.flag_papers, key=lambda norm: (-self.flag_papers[norm], norm))
        return [FlagCount(_most_common(self.spellings[n]), self.flag_papers[n]) for n in ranked]

    def support(self) -> list[SupportCount]:
        known = [level for level in SUPPORT_ORDER if level in self.claims]
        others = sorted(set(self.claims) - set(SUPPORT_ORDER))
        return [
            SupportCount(level, self.claims[level], self.claim_papers[level])
            for level in known + others
        ]

    def engagement(self) -> list[ScoreDistribution]:
        result = []
        for factor, values in self.scores.items():
            counted = Counter(values)
            result.append(
                ScoreDistribution(
                    factor,
                    tuple(counted[s] for s in SCORES),
                    sum(c for s, c in counted.items() if s not in SCORES),
                    sum(values) / len(values),
                )
            )
        return result

    def result(self, label: str) -> CorpusStats:
        return CorpusStats(
            label=label,
            papers=self.papers,
            by_type=dict(sorted(self.by_type.items())),
            by_version=dict(sorted(self.by_version.items())),
            sources=dict(self.sources.most_common()),
            items=self.items(),
            flags=self.flags(),
            support=self.support(),
            engagement=self.engagement(),
        )


def corpus_stats(label: str, scans: Iterable[Scan], by: GroupBy | None = None) -> CorpusStats:
    """The figures of ``scans``, read once, one at a time."""
    tally = CorpusTally(by)
    for scan in scans:
        tally.add(scan)
    return tally.result(label)
