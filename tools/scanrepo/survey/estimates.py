"""Proportions with Wilson intervals, and Cohen's kappa with a large-sample interval.

Both give 95% intervals (``Z95``). The Wilson score interval is used for shares (share answered
yes, flip rate) because it stays inside [0, 1] and behaves at 0/n and n/n, where the normal
approximation collapses to a point.

Cohen's kappa compares two raters over the same subjects:
``kappa = (p_o - p_e) / (1 - p_e)``, with ``p_o`` the share of agreeing pairs and ``p_e`` the
agreement expected by chance from the two raters' marginal shares. Its interval is
``kappa +/- Z95 * SE`` with Cohen's (1960) large-sample standard error
``SE = sqrt(p_o * (1 - p_o) / (n * (1 - p_e) ** 2))``, clipped to [-1, 1]. It needs many pairs
(with 3 pairs in full agreement it would be [1, 1]), so it is given only from
``KAPPA_MIN_PAIRS`` pairs on. Kappa is undefined when ``p_e`` is 1 (both raters always gave the
same single category); the agreement is still reported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

Category = TypeVar("Category", bound=Hashable)
Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
KAPPA_MIN_PAIRS = 10


@dataclass(frozen=True)
class Proportion:
    """``k`` of ``n``, its share and the Wilson 95% interval (all None when ``n`` is 0)."""

    k: int
    n: int

    @property
    def share(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``k`` successes in ``n`` trials; None when ``n`` is 0."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, not k={k}, n={n}")
    if n == 0:
        return None
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Kappa:
    """Agreement between two raters over ``n`` pairs."""

    n: int
    agreement: float | None  # p_o
    kappa: float | None
    interval: tuple[float, float] | None


def cohen_kappa(pairs: Mapping[tuple[Category, Category], int], z: float = Z95) -> Kappa:
    """Cohen's kappa of a contingency table: ``(rating of A, rating of B) -> count``."""
    n = sum(pairs.values())
    if n == 0:
        return Kappa(0, None, None, None)
    agree = sum(count for (a, b), count in pairs.items() if a == b)
    first: Counter[Category] = Counter()
    second: Counter[Category] = Counter()
    for (a, b), count in pairs.items():
        first[a] += count
        second[b] += count
    p_o = agree / n
    p_e = sum(first[c] * second[c] for c in first) / (n * n)
    if math.isclose(p_e, 1.0):
        return Kappa(n, p_o, None, None)
    kappa = (p_o - p_e) / (1 - p_e)
    if n < KAPPA_MIN_PAIRS:
        return Kappa(n, p_o, kappa, None)
    se = math.sqrt(p_o * (1 - p_o) / (n * (1 - p_e) ** 2))
    return Kappa(n, p_o, kappa, (max(-1.0, kappa - z * se), min(1.0, kappa + z * se)))
