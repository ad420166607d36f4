"""Cohen's kappa, Gwet's AC1 and PABAK against figures worked out by hand (z = 1.959964,
z^2 = 3.841459), and AC1 against the value Gwet's irrCAC documents."""

from __future__ import annotations

import json

import pytest

from scanrepo.survey.agreement import (
    KAPPA_MIN_PAIRS,
    agreement,
    cohen_kappa,
    gwet_ac1,
    pabak,
)

SKEWED = {("yes", "yes"): 90, ("yes", "no"): 5, ("no", "yes"): 5}


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
    assert k.value == pytest.approx(0.4)
    assert k.interval is not None
    assert k.interval[0] == pytest.approx(0.145959, abs=1e-5)
    assert k.interval[1] == pytest.approx(0.654041, abs=1e-5)
    assert agreement(table, "yes").observed == pytest.approx(0.7)


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
    assert cohen_kappa(table).value == pytest.approx(0.677419, abs=1e-6)
    # three categories occur: q = 3
    # AC1: pi_yes = (5 + 4) / 20 = 0.45, pi_no = (4 + 4) / 20 = 0.4, pi_na = (1 + 2) / 20 = 0.15
    # p_e = (0.45*0.55 + 0.4*0.6 + 0.15*0.85) / 2 = (0.2475 + 0.24 + 0.1275) / 2 = 0.3075
    # AC1 = (0.8 - 0.3075) / 0.6925 = 0.4925 / 0.6925 = 0.711191
    assert gwet_ac1(table).value == pytest.approx(0.711191, abs=1e-6)
    # PABAK = (3 * 0.8 - 1) / 2 = 0.7
    assert pabak(table).value == pytest.approx(0.7)


def test_a_skewed_table_low_kappa_high_ac1() -> None:
    #            B yes  B no
    #   A yes      90     5    (95)
    #   A no        5     0     (5)
    #             (95)   (5)   n = 100
    # p_o = 0.90; yes prevalence = (95 + 95) / 200 = 0.95
    # kappa: p_e = 0.95^2 + 0.05^2 = 0.905; kappa = (0.90 - 0.905) / 0.095 = -0.052632
    #   SE = sqrt(0.9 * 0.1 / (100 * 0.095^2)) = sqrt(0.09 / 0.9025) = 0.315789
    #   interval = -0.052632 -/+ 1.959964 * 0.315789 = -0.052632 -/+ 0.618936
    # AC1: pi_yes = 0.95, pi_no = 0.05; p_e = 0.95 * 0.05 + 0.05 * 0.95 = 0.095 (q - 1 = 1)
    #   AC1 = (0.90 - 0.095) / 0.905 = 0.889503
    #   variance: 2 (1 - AC1) = 0.220994; t_kl = 1 - (pi_k + pi_l) / 2: t_yy = 0.05, t_yn = 0.5
    #   yes/yes: 0.9 * (1 - 0.220994 * 0.05)^2 = 0.9 * 0.988950^2 = 0.880220
    #   yes/no, no/yes: 0.05 * (0 - 0.220994 * 0.5)^2 = 0.05 * 0.012210 = 0.000610 each
    #   sum = 0.881441; (p_o - 2 (1 - AC1) p_e)^2 = (0.9 - 0.020994)^2 = 0.879006^2 = 0.772651
    #   v = (0.881441 - 0.772651) / (100 * 0.905^2) = 0.108791 / 81.9025 = 0.00132829
    #   SE = 0.036446; interval = 0.889503 -/+ 0.071432
    # PABAK = 2 * 0.9 - 1 = 0.8; Wilson of 90/100: denominator 1 + 0.038415 = 1.038415,
    #   centre = (0.9 + 0.019207) / 1.038415 = 0.885203,
    #   half = 1.959964 / 1.038415 * sqrt(0.0009 + 3.841459 / 40000) = 1.887457 * 0.031560
    #        = 0.059568 -> p_o in [0.825634, 0.944771] -> PABAK in [0.651269, 0.889542]
    a = agreement(SKEWED, "yes")
    assert (a.n, a.observed, a.prevalence) == (100, 0.9, 0.95)
    assert a.skewed
    assert a.kappa.value == pytest.approx(-0.052632, abs=1e-6)
    assert a.kappa.interval == pytest.approx((-0.671568, 0.566304), abs=1e-5)
    assert a.ac1.value == pytest.approx(0.889503, abs=1e-6)
    assert a.ac1.interval == pytest.approx((0.818071, 0.960935), abs=1e-5)
    assert a.pabak.value == pytest.approx(0.8)
    assert a.pabak.interval == pytest.approx((0.651269, 0.889542), abs=1e-5)


def test_perfect_agreement() -> None:
    # 30 yes/yes, 20 no/no: p_o = 1; prevalence (30 + 30) / 100 = 0.6, not skewed
    # kappa: p_e = 0.6^2 + 0.4^2 = 0.52, kappa = 0.48 / 0.48 = 1, SE = 0: the point [1, 1]
    # AC1: p_e = 2 * 0.6 * 0.4 = 0.48, AC1 = 1; 1 - AC1 = 0, so
    #   v = (sum of p_kk * 1^2 - 1^2) / ... = 0: the point [1, 1]
    # PABAK = 1; Wilson of 50/50: z^2/n = 0.076829, z^2/2n = 0.038415,
    #   centre = (1 + 0.038415) / 1.076829 = 0.964326,
    #   half = 1.959964 / 1.076829 * sqrt(3.841459 / 10000) = 1.820128 * 0.019600 = 0.035674
    #   p_o >= 0.928652 -> PABAK >= 0.857304
    a = agreement({("yes", "yes"): 30, ("no", "no"): 20}, "yes")
    assert not a.skewed
    assert a.prevalence == pytest.approx(0.6)
    assert (a.kappa.value, a.kappa.interval) == (pytest.approx(1.0), (1.0, 1.0))
    assert (a.ac1.value, a.ac1.interval) == (pytest.approx(1.0), (1.0, 1.0))
    assert a.pabak.value == 1.0
    assert a.pabak.interval == pytest.approx((0.857304, 1.0), abs=1e-5)


def test_all_yes_kappa_undefined_not_a_crash() -> None:
    # 12 yes/yes: p_e (kappa) = 1 * 1 = 1, kappa = 0/0: undefined
    # AC1: q = 2 (at least yes and no), pi_yes = 1, pi_no = 0: p_e = 0, AC1 = 1, v = 0
    # PABAK = 1; Wilson of 12/12: z^2/n = 0.320122, centre = 1.160061 / 1.320122 = 0.878753,
    #   half = 1.959964 / 1.320122 * sqrt(3.841459 / 576) = 1.484683 * 0.081665 = 0.121247
    #   p_o >= 0.757506 -> PABAK >= 0.515012
    a = agreement({("yes", "yes"): 12}, "yes")
    assert (a.observed, a.prevalence, a.skewed) == (1.0, 1.0, True)
    assert a.kappa.value is None and a.kappa.interval is None
    assert (a.ac1.value, a.ac1.interval) == (1.0, (1.0, 1.0))
    assert a.pabak.interval == pytest.approx((0.515012, 1.0), abs=1e-5)
    # a category listed with no pairs is no category: the same figures
    assert agreement({("yes", "yes"): 12, ("n/a", "n/a"): 0}, "yes") == a
    # no NaN reaches JSON: undefined is null
    text = json.dumps([a.kappa.value, a.ac1.value, a.pabak.value], allow_nan=False)
    assert text == "[null, 1.0, 1.0]"


def test_no_pairs_and_few_pairs() -> None:
    empty = agreement({}, "yes")
    assert (empty.n, empty.observed, empty.prevalence, empty.skewed) == (0, None, None, False)
    assert empty.kappa.value is empty.ac1.value is empty.pabak.value is None
    # 2 yes/yes, 1 no/no: kappa = AC1 = 1 but no normal interval under 10 pairs
    few = agreement({("yes", "yes"): 2, ("no", "no"): 1}, "yes")
    assert few.n < KAPPA_MIN_PAIRS
    assert few.kappa.value == pytest.approx(1.0)
    assert few.kappa.interval is None and few.ac1.interval is None
    assert few.pabak.interval is not None  # Wilson behaves at any n


def test_ac1_standard_error_as_irrcac_documents() -> None:
    # irrCAC (Gwet's own package) documents, for its cont3x3abstractors table
    #   13  0  0 / 0 20  7 / 0  4 56  (n = 100)
    # AC1 = 0.84933 with the 95% interval (0.76358, 0.93508), a t interval on n - 1 = 99
    # degrees of freedom (t = 1.984217): SE = (0.93508 - 0.76358) / 2 / 1.984217 = 0.043216.
    # Ours is a normal interval: 0.84933 -/+ 1.959964 * 0.043216 = 0.84933 -/+ 0.084702
    table = {
        ("E", "E"): 13,
        ("A", "A"): 20,
        ("A", "N"): 7,
        ("N", "A"): 4,
        ("N", "N"): 56,
    }
    ac1 = gwet_ac1(table)
    assert ac1.value == pytest.approx(0.84933, abs=1e-5)
    assert ac1.interval == pytest.approx((0.764628, 0.934032), abs=1e-4)


def test_estimates_do_not_depend_on_the_order_of_the_table() -> None:
    # The categories come from sets, whose order follows Python's string hashing: the figures
    # must be the same in every run. This table's AC1 took two values over its orderings when
    # the sums were added in order.
    table = {
        ("yes", "yes"): 8,
        ("yes", "no"): 36,
        ("yes", "n/a"): 4,
        ("no", "yes"): 16,
        ("no", "no"): 7,
        ("no", "n/a"): 31,
        ("n/a", "yes"): 28,
        ("n/a", "no"): 30,
        ("n/a", "n/a"): 24,
    }
    items = list(table.items())
    orders = [items, items[::-1], items[3:] + items[:3], sorted(items, key=lambda kv: kv[1])]
    for estimate in (cohen_kappa, gwet_ac1, pabak):
        assert len({estimate(dict(order)) for order in orders}) == 1, estimate.__name__
