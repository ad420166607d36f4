"""Wilson intervals and Cohen's kappa against figures worked out by hand."""

from __future__ import annotations

import pytest

from scanrepo.survey.estimates import KAPPA_MIN_PAIRS, Proportion, cohen_kappa, wilson


def test_wilson_of_seven_in_ten() -> None:
    # p = 0.7, z^2 = 3.841459, z^2/n = 0.384146, denominator 1.384146
    # centre = (0.7 + 0.192073) / 1.384146 = 0.644492
    # half = (1.959964 / 1.384146) * sqrt(0.7 * 0.3 / 10 + 3.841459 / 400)
    #      = 1.416010 * sqrt(0.021 + 0.009604) = 1.416010 * 0.174940 = 0.247716
    low, high = wilson(7, 10)  # type: ignore[misc]
    assert low == pytest.approx(0.396776, abs=1e-5)
    assert high == pytest.approx(0.892209, abs=1e-5)


def test_wilson_at_the_edges() -> None:
    # k = n = 3: centre = (1 + 0.640243) / 2.280486 = 0.719252,
    # half = (1.959964 / 2.280486) * sqrt(3.841459 / 36) = 0.859451 * 0.326660 = 0.280749
    low, high = wilson(3, 3)  # type: ignore[misc]
    assert low == pytest.approx(0.438503, abs=1e-5)
    assert high == 1.0
    low, high = wilson(0, 3)  # type: ignore[misc]
    assert low == 0.0
    assert high == pytest.approx(1 - 0.438503, abs=1e-5)
    assert wilson(0, 0) is None
    assert Proportion(0, 0).share is None
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(4, 3)


def test_kappa_of_a_two_by_two_table() -> None:
    #            B yes  B no
    #   A yes      20     5    (25)
    #   A no       10    15    (25)
    #             (30)  (20)   n = 50
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20) / 50^2 = 1250/2500 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    # SE = sqrt(0.7 * 0.3 / (50 * 0.5^2)) = sqrt(0.0168) = 0.129615
    # interval = 0.4 -/+ 1.959964 * 0.129615 = 0.4 -/+ 0.254041
    table = {("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}
    k = cohen_kappa(table)
    assert k.n == 50
    assert k.agreement == pytest.approx(0.7)
    assert k.kappa == pytest.approx(0.4)
    assert k.interval is not None
    assert k.interval[0] == pytest.approx(0.145959, abs=1e-5)
    assert k.interval[1] == pytest.approx(0.654041, abs=1e-5)


def test_kappa_with_three_categories() -> None:
    # A\B    yes  no  n/a
    # yes      4   1   0   (5)
    # no       0   3   1   (4)
    # n/a      0   0   1   (1)
    #         (4) (4) (2)  n = 10
    # p_o = 8/10; p_e = (5*4 + 4*4 + 1*2) / 100 = 0.38; kappa = 0.42 / 0.62 = 0.677419
    table = {
        ("yes", "yes"): 4,
        ("yes", "no"): 1,
        ("no", "no"): 3,
        ("no", "n/a"): 1,
        ("n/a", "n/a"): 1,
    }
    k = cohen_kappa(table)
    assert k.kappa == pytest.approx(0.677419, abs=1e-6)


def test_kappa_undefined_and_small() -> None:
    assert cohen_kappa({}).kappa is None
    same = cohen_kappa({("yes", "yes"): 12})
    assert same.agreement == 1.0
    assert same.kappa is None  # p_e = 1: no chance agreement to correct for
    few = cohen_kappa({("yes", "yes"): 2, ("no", "no"): 1})
    assert few.n < KAPPA_MIN_PAIRS
    assert few.kappa == pytest.approx(1.0)
    assert few.interval is None
