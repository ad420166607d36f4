"""Agreement between two ratings of the same subjects: Cohen's kappa, Gwet's AC1 and PABAK.

Input is a contingency table, ``(rating of A, rating of B) -> count`` over ``n`` pairs; ``p_o``
is the share of pairs that agree. The ``q`` categories are those that occur in the table, at
least two (as Gwet's irrCAC does when it is not given the list of categories): ``yes`` and
``no`` for an item that always applies, three where ``n/a`` occurs.

Cohen's kappa (Cohen 1960, Educ Psychol Meas 20:37-46)
    ``(p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k pA_k * pB_k``, the agreement expected from
    each rater's own marginal shares. When one category dominates, ``p_e`` nears ``p_o`` and
    kappa falls towards 0 (or below) however often the raters agree: the *prevalence paradox*
    (Feinstein & Cicchetti 1990, J Clin Epidemiol 43:543-549). Undefined when ``p_e`` is 1
    (both raters always gave the same single category). Interval: Cohen's large-sample
    ``SE = sqrt(p_o (1 - p_o) / (n (1 - p_e)^2))``.
Gwet's AC1 (Gwet 2008, Br J Math Stat Psychol 61:29-48)
    ``(p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)``, ``pi_k`` the
    mean of the two raters' shares of category k. This chance agreement is small when one
    category dominates, so AC1 stays near ``p_o`` on skewed answers; ``p_e <= 1/q``, so AC1 is
    always defined. Interval: Gwet's (2008) variance for two raters (no finite-population
    correction), ``v = (sum_kl p_kl [d_kl - 2 (1 - AC1) t_kl]^2 - (p_o - 2 (1 - AC1) p_e)^2)
    / (n (1 - p_e)^2)``, ``d_kl`` 1 on the diagonal and 0 elsewhere, ``t_kl = (1 - (pi_k +
    pi_l) / 2) / (q - 1)``; the form irrCAC's ``gwet.ac1.table`` computes.
PABAK (Byrt, Bishop & Carlin 1993, J Clin Epidemiol 46:423-429)
    prevalence- and bias-adjusted kappa, kappa of a table with equal marginals: ``2 p_o - 1``
    for two categories, ``(q p_o - 1) / (q - 1)`` for q (Brennan & Prediger 1981, Educ Psychol
    Meas 41:687-699). Interval: the Wilson interval of ``p_o`` (``survey.estimates``), mapped
    through the same straight line.

Kappa and AC1 intervals are ``estimate +/- Z95 * SE``, clipped to [-1, 1], given from
``KAPPA_MIN_PAIRS`` pairs on (with 3 pairs in full agreement they would be [1, 1]); at perfect
agreement they are a point. They treat the pairs as independent, which rescans of one paper are
not quite. PABAK's interval is given from one pair on, as the Wilson interval behaves there.
The sums over categories are exact (``math.fsum``): the categories come from sets, whose order
changes with Python's string hashing from run to run, and the figures must not.

The *prevalence* of yes is the share of yes among the ``2 n`` ratings; outside
[``SKEW_LOW``, ``SKEW_HIGH``] the answers are *skewed* and a low kappa says little.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from scanrepo.survey.estimates import Z95, wilson

Category = TypeVar("Category", bound=Hashable)
Interval = tuple[float, float]
KAPPA_MIN_PAIRS = 10
SKEW_LOW, SKEW_HIGH = 0.1, 0.9


@dataclass(frozen=True)
class Estimate:
    """A coefficient and its 95% interval; None where undefined or not given."""

    value: float | None
    interval: Interval | None


@dataclass(frozen=True)
class Agreement:
    """Every figure of one table of rating pairs."""

    n: int  # pairs
    observed: float | None  # p_o, None without pairs
    prevalence: float | None  # share of yes among the 2n ratings
    kappa: Estimate
    ac1: Estimate
    pabak: Estimate

    @property
    def skewed(self) -> bool:
        p = self.prevalence
        return p is not None and not SKEW_LOW <= p <= SKEW_HIGH


NONE = Estimate(None, None)


@dataclass(frozen=True)
class _Table:
    n: int
    agree: int  # pairs whose two ratings are the same
    cells: dict[tuple[Hashable, Hashable], float]  # p_kl
    first: dict[Hashable, float]  # pA_k
    second: dict[Hashable, float]  # pB_k

    @classmethod
    def of(cls, pairs: Mapping[tuple[Category, Category], int]) -> _Table | None:
        counts = {pair: count for pair, count in pairs.items() if count}
        n = sum(counts.values())
        if n == 0:
            return None
        first: Counter[Hashable] = Counter()
        second: Counter[Hashable] = Counter()
        for (a, b), count in counts.items():
            first[a] += count
            second[b] += count
        return cls(
            n=n,
            agree=sum(count for (a, b), count in counts.items() if a == b),
            cells={pair: count / n for pair, count in counts.items()},
            first={c: k / n for c, k in first.items()},
            second={c: k / n for c, k in second.items()},
        )

    @property
    def p_o(self) -> float:
        return self.agree / self.n

    @property
    def categories(self) -> set[Hashable]:
        return set(self.first) | set(self.second)

    @property
    def q(self) -> int:
        return max(2, len(self.categories))

    def pi(self, category: Hashable) -> float:
        return (self.first.get(category, 0.0) + self.second.get(category, 0.0)) / 2


def _normal(value: float, se: float, n: int, z: float) -> Estimate:
    if n < KAPPA_MIN_PAIRS:
        return Estimate(value, None)
    return Estimate(value, (max(-1.0, value - z * se), min(1.0, value + z * se)))


def cohen_kappa(pairs: Mapping[tuple[Category, Category], int], z: float = Z95) -> Estimate:
    """Cohen's kappa of a contingency table: ``(rating of A, rating of B) -> count``."""
    t = _Table.of(pairs)
    if t is None:
        return NONE
    p_e = math.fsum(share * t.second.get(c, 0.0) for c, share in t.first.items())
    if math.isclose(p_e, 1.0):
        return NONE
    kappa = (t.p_o - p_e) / (1 - p_e)
    se = math.sqrt(t.p_o * (1 - t.p_o) / (t.n * (1 - p_e) ** 2))
    return _normal(kappa, se, t.n, z)


def gwet_ac1(pairs: Mapping[tuple[Category, Category], int], z: float = Z95) -> Estimate:
    """Gwet's AC1 of a contingency table, with Gwet's (2008) variance."""
    t = _Table.of(pairs)
    if t is None:
        return NONE
    pi = {c: t.pi(c) for c in t.categories}
    q = t.q
    p_e = math.fsum(p * (1 - p) for p in pi.values()) / (q - 1)
    ac1 = (t.p_o - p_e) / (1 - p_e)
    spread = 2 * (1 - ac1)
    cells = math.fsum(
        p_kl * ((a == b) - spread * (1 - (pi[a] + pi[b]) / 2) / (q - 1)) ** 2
        for (a, b), p_kl in t.cells.items()
    )
    variance = (cells - (t.p_o - spread * p_e) ** 2) / (t.n * (1 - p_e) ** 2)
    return _normal(ac1, math.sqrt(max(0.0, variance)), t.n, z)


def pabak(pairs: Mapping[tuple[Category, Category], int], z: float = Z95) -> Estimate:
    """PABAK, ``(q p_o - 1) / (q - 1)``, with the Wilson interval of ``p_o`` mapped onto it."""
    t = _Table.of(pairs)
    if t is None:
        return NONE
    interval = wilson(t.agree, t.n, z)
    assert interval is not None  # n > 0
    q = t.q

    def line(p: float) -> float:
        return (q * p - 1) / (q - 1)

    return Estimate(line(t.p_o), (line(interval[0]), line(interval[1])))


def agreement(
    pairs: Mapping[tuple[Category, Category], int], positive: Category, z: float = Z95
) -> Agreement:
    """Every figure of a table; the prevalence is of the category ``positive``."""
    t = _Table.of(pairs)
    if t is None:
        return Agreement(0, None, None, NONE, NONE, NONE)
    return Agreement(
        n=t.n,
        observed=t.p_o,
        prevalence=t.pi(positive),
        kappa=cohen_kappa(pairs, z),
        ac1=gwet_ac1(pairs, z),
        pabak=pabak(pairs, z),
    )
