"""Is a checklist item signal or noise? Its answers across the rescans in the git history.

Definitions (``history.walk`` defines the revisions and their kinds):

rescan
    a revision of kind ``rescan``: a commit that changed a paper's scan in meaning, both sides
    read and compared at the newest version. Adding a scan, a pure migration and a move are no
    rescans. Each rescan of a paper that has the item on both sides is one *observation* of
    the item.
answer flip, applies flip
    an observation whose ``answer`` (resp. ``applies``) differs between the two sides, as the
    semantic diff's ``answer_flipped`` and ``applies_flipped`` changes. The flip rate is flips
    over observations, with a Wilson 95% interval. (An item going from yes to n/a flips both.)
rating pair
    an observation whose two sides were answered by different models (``source``). Its ratings
    are the item's answers in one word (``yes``, ``no``, ``n/a``), rater A being the model whose
    name sorts first: for opus and haiku, A is haiku and B is opus, whichever answered first.
    Raw agreement and Cohen's kappa (``survey.estimates``) come from the table of these pairs, per
    item and overall (every item's pairs pooled), and per pair of models over every item.

Items are ranked from most stable to noisiest: by answer flip rate, then applies flip rate,
then most observations first; items never observed come last.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scanrepo.format.items import names, resolve_name
from scanrepo.history.gitlog import CommitInfo
from scanrepo.history.walk import REVISION_KINDS, History, RevisionKind
from scanrepo.problems import Problem
from scanrepo.survey.corpus import Rating
from scanrepo.survey.estimates import Kappa, Proportion, cohen_kappa

RatingPair = tuple[Rating, Rating]


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


@dataclass
class _Tally:
    observations: int = 0
    answer_flips: int = 0
    applies_flips: int = 0
    papers: set[str] = field(default_factory=set)
    pairs: Counter[RatingPair] = field(default_factory=Counter)


@dataclass(frozen=True)
class ItemStability:
    where: str
    papers: int  # papers with at least one observation
    answer: Proportion  # answer flips of observations
    applies: Proportion  # applies flips of observations
    pairs: dict[RatingPair, int]  # rating pairs where the models differ
    agreement: Kappa

    @property
    def observations(self) -> int:
        return self.answer.n


@dataclass(frozen=True)
class SourcePair:
    a: str
    b: str
    pairs: dict[RatingPair, int]
    agreement: Kappa


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
    agreement: Kappa  # every item's rating pairs pooled
    source_pairs: list[SourcePair]
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


def stability(history: History, evidence_for: str | None = None) -> Stability:
    """The figures of a walk through the history; with ``evidence_for``, every observation of
    the item it names (``format.items``) among the items of every scan read."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    by_models: dict[tuple[str, str], Counter[RatingPair]] = defaultdict(Counter)
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
            tally = tallies[where]
            tally.observations += 1
            tally.papers.add(key)
            (r_old, s_old), (r_new, s_new) = old, new
            if r_old != r_new:
                tally.answer_flips += (r_old == "yes") != (r_new == "yes")
                tally.applies_flips += (r_old == "n/a") != (r_new == "n/a")
            if s_old != s_new:
                models, pair = ((s_old, s_new), (r_old, r_new))
                if s_new < s_old:
                    models, pair = (s_new, s_old), (r_new, r_old)
                tally.pairs[pair] += 1
                by_models[models][pair] += 1
            if evidence_for is not None and names(evidence_for, where):
                evidence[where].append(Observation(step.revision.commit, key, old, new))
    if evidence_for is not None:
        name = resolve_name(evidence_for, known, option="--evidence", where="in the history")
        evidence = {name: evidence[name]}
    items = sorted(
        (
            ItemStability(
                where,
                len(t.papers),
                Proportion(t.answer_flips, t.observations),
                Proportion(t.applies_flips, t.observations),
                dict(t.pairs),
                cohen_kappa(t.pairs),
            )
            for where, t in tallies.items()
        ),
        key=_rank,
    )
    pooled: Counter[RatingPair] = Counter()
    for t in tallies.values():
        pooled.update(t.pairs)
    observations = sum(t.observations for t in tallies.values())
    return Stability(
        commit=history.commit,
        commits=history.commits,
        kinds={kind: kinds[kind] for kind in REVISION_KINDS},
        blobs=history.blobs,
        cached=history.cached,
        items=items,
        answer=Proportion(sum(t.answer_flips for t in tallies.values()), observations),
        applies=Proportion(sum(t.applies_flips for t in tallies.values()), observations),
        agreement=cohen_kappa(pooled),
        source_pairs=[
            SourcePair(a, b, dict(pairs), cohen_kappa(pairs))
            for (a, b), pairs in sorted(by_models.items())
        ],
        problems=problems,
        evidence=dict(evidence),
    )
