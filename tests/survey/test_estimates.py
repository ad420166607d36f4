"""Wilson intervals against figures worked out by hand (agreement: ``test_agreement``)."""

from __future__ import annotations

import pytest

from scanrepo.survey.estimates import Proportion, wilson


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
