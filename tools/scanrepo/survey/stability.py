"""Is a checklist item signal or noise? Its answers across the rescans in the git history.

Definitions (``history.walk`` defines the revisions and their kinds):

rescan
    a revision of kind ``rescan``: a commit that changed a paper's scan in meaning, both sides
    read and compared at the newest version. Adding a scan, a pure migration and a move are no
    rescans. Each rescan of a paper that has the item on both sides is one *observation* of
    the item: a pair of consecutive answers.
answer flip, applies flip
    an observation whose ``answer`` (resp. ``applies``) differs between the two sides, as the
    semantic diff's ``answer_flipped`` and ``applies_flipped`` changes. The flip rate is flips
    over observations, with a Wilson 95% interval. (An item going from yes to n/a flips both.)
same model, different models
    an observation whose two sides were answered by the same model (``source``) measures
    *repeatability*; one by different models, *reproducibility*. Each kind has its own flip
    rates and agreement.
rating pair
    an observation's two answers in one word each (``yes``, ``no``, ``n/a``). Where the models
    differ, rater A is the model whose name sorts first (for opus and haiku, A is haiku and B
    is opus, whichever answered first); where they are the same, A is the earlier answer.
    Agreement (``survey.agreement``: raw agreement, prevalence of yes, Cohen's kappa, Gwet's
    AC1, PABAK) comes from the table of these pairs, for each kind, per item and overall
    (every item's pairs pooled), and per pair of models over every item (a model with itself:
    its repeatability).

Items are ranked from most stable to noisiest: by answer flip rate, then applies flip rate,
then most observations first; items never observed come last.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from scanrepo.format.items import names, resolve_name
from scanrepo.history.gitlog import CommitInfo
from scanrepo.history.walk import REVISION_KINDS, History, RevisionKind
from scanrepo.problems import Problem
from scanrepo.survey.agreement import Agreement, agreement
from scanrepo.survey.corpus import Rating
from scanrepo.survey.estimates import Proportion

RatingPair = tuple[Rating, Rating]
YES: Rating = "yes"


@dataclass(frozen=True)
class Observation:
    """One rescan of one paper as one item saw it: the evidence behind the item's figures."""

    commit: CommitInfo
    key: str
    before: tuple[Rating, str]  # (rating, source)
    after: tuple[Rating, str]

    @property
    def answer_flipped(self) -> bool:
        return (self.before[0] == "yes") != (self.after[0] == "yes")

    @property
    def applies_flipped(self) -> bool:
        return (self.before[0] == "n/a") != (self.after[0] == "n/a")

    @property
    def sources_differ(self) -> bool:
        return self.before[1] != self.after[1]


@dataclass(frozen=True)
class Comparison:
    """The observations of one kind (same model, different models): flips and agreement."""

    answer: Proportion  # answer flips of observations
    applies: Proportion  # applies flips of observations
    pairs: dict[RatingPair, int]  # (rater A, rater B) -> observations
    agreement: Agreement

    @property
    def observations(self) -> int:
        return self.answer.n


@dataclass(frozen=True)
class ItemStability:
    where: str
    papers: int  # papers with at least one observation
    answer: Proportion  # answer flips of all observations
    applies: Proportion  # applies flips of all observations
    same: Comparison  # observations by the same model: repeatability
    different: Comparison  # by different models: reproducibility

    @property
    def observations(self) -> int:
        return self.answer.n


@dataclass(frozen=True)
class SourcePair:
    a: str
    b: str  # the same as a: the model's own repeatability
    comparison: Comparison  # every item's observations by these models


@dataclass(frozen=True)
class Stability:
    commit: str  # the commit whose history this is
    commits: int  # commits that changed a scan
    kinds: dict[RevisionKind, int]  # revisions per kind
    blobs: int  # distinct scan blobs in the history
    cached: int  # of them, found in the reading cache
    items: list[ItemStability]  # most stable first
    answer: Proportion  # every item's observations pooled
    applies: Proportion
    same: Comparison  # every item's observations of each kind pooled
    different: Comparison
    source_pairs: list[SourcePair]  # different models first, then each model with itself
    problems: list[Problem]  # of the unreadable revisions
    evidence: dict[str, list[Observation]]  # where -> observations, for the items asked


def _rank(item: ItemStability) -> tuple[bool, float, float, int, str]:
    return (
        item.answer.n == 0,
        item.answer.share or 0.0,
        item.applies.share or 0.0,
        -item.answer.n,
        item.where,
    )


def _comparison(pairs: Counter[RatingPair]) -> Comparison:
    n = sum(pairs.values())
    answer = sum(c for (a, b), c in pairs.items() if (a == "yes") != (b == "yes"))
    applies = sum(c for (a, b), c in pairs.items() if (a == "n/a") != (b == "n/a"))
    return Comparison(
        Proportion(answer, n), Proportion(applies, n), dict(pairs), agreement(pairs, YES)
    )


def _both(same: Comparison, different: Comparison) -> tuple[Proportion, Proportion]:
    """Answer and applies flips of every observation."""
    n = same.observations + different.observations
    return (
        Proportion(same.answer.k + different.answer.k, n),
        Proportion(same.applies.k + different.applies.k, n),
    )


def _item(
    where: str, papers: int, same: Counter[RatingPair], different: Counter[RatingPair]
) -> ItemStability:
    s, d = _comparison(same), _comparison(different)
    return ItemStability(where, papers, *_both(s, d), s, d)


def stability(history: History, evidence_for: str | None = None) -> Stability:
    """The figures of a walk through the history; with ``evidence_for``, every observation of
    the item it names (``format.items``) among the items of every scan read."""
    # item -> ((rating, source) before, after) -> observations: one count per observation, the
    # rest worked out once per distinct pair
    counts: dict[str, dict[tuple[tuple[Rating, str], tuple[Rating, str]], int]] = defaultdict(dict)
    papers: dict[str, set[str]] = defaultdict(set)
    kinds: Counter[RevisionKind] = Counter()
    problems: list[Problem] = []
    evidence: dict[str, list[Observation]] = defaultdict(list)
    known: set[str] = set()
    for step in history.steps():
        kinds[step.kind] += 1
        if evidence_for is not None:
            known.update(*(side.answers for side in (step.before, step.after) if side))
        if step.kind == "unreadable":
            problems.extend(step.problems())
        if step.kind != "rescan":
            continue
        assert step.before is not None and step.after is not None
        key = step.revision.key
        after = step.after.answers
        for where, old in step.before.answers.items():
            new = after.get(where)
            if new is None:
                continue
            seen = counts[where]
            seen[old, new] = seen.get((old, new), 0) + 1
            papers[where].add(key)
            if evidence_for is not None and names(evidence_for, where):
                evidence[where].append(Observation(step.revision.commit, key, old, new))
    if evidence_for is not None:
        name = resolve_name(evidence_for, known, option="--evidence", where="in the history")
        evidence = {name: evidence[name]}
    # pairs per item and kind (same model: True), and per pair of models
    by_item: dict[tuple[str, bool], Counter[RatingPair]] = defaultdict(Counter)
    by_models: dict[tuple[str, str], Counter[RatingPair]] = defaultdict(Counter)
    pooled: dict[bool, Counter[RatingPair]] = {True: Counter(), False: Counter()}
    for where, seen in counts.items():
        for ((r_old, s_old), (r_new, s_new)), count in seen.items():
            models, pair = (s_old, s_new), (r_old, r_new)
            if s_new < s_old:
                models, pair = (s_new, s_old), (r_new, r_old)
            by_item[where, s_old == s_new][pair] += count
            by_models[models][pair] += count
            pooled[s_old == s_new][pair] += count
    items = sorted(
        (_item(w, len(p), by_item[w, True], by_item[w, False]) for w, p in papers.items()),
        key=_rank,
    )
    same, different = _comparison(pooled[True]), _comparison(pooled[False])
    answer, applies = _both(same, different)
    return Stability(
        commit=history.commit,
        commits=history.commits,
        kinds={kind: kinds[kind] for kind in REVISION_KINDS},
        blobs=history.blobs,
        cached=history.cached,
        items=items,
        answer=answer,
        applies=applies,
        same=same,
        different=different,
        source_pairs=[
            SourcePair(a, b, _comparison(pairs))
            for (a, b), pairs in sorted(by_models.items(), key=lambda m: (m[0][0] == m[0][1], m[0]))
        ],
        problems=problems,
        evidence=dict(evidence),
    )
