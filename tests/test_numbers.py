"""Exact rounding: every mode, by hand on the documents' edges and against an independent oracle.

Schemes round a total once, where they say (会宁县 四、6: half-up to a whole point, so
84.5 is 85 and 好, 84.49 is 84 and 一般). ``round_scaled`` does it on integers;
``rounder`` is the same with the digits and the mode fixed, as the engine uses it for
every total. The oracle below is written from the definitions of the modes with
``Fraction`` and ``math``, not from the code under test.

The number of examples comes from the hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from villageeval._kernel import round_fraction, round_scaled, rounder
from villageeval._numbers import fixed

MODES = ("half_up", "half_down", "half_even", "up", "down", "floor", "ceiling")


def oracle(value: Fraction, digits: int, mode: str) -> int:
    """``value × 10**digits`` rounded to an integer by ``mode``, from the modes' definitions."""
    x = value * 10**digits
    sign = -1 if x < 0 else 1
    magnitude = abs(x)
    if mode == "floor":
        return math.floor(x)
    if mode == "ceiling":
        return math.ceil(x)
    if mode == "down":  # towards zero
        return sign * math.floor(magnitude)
    if mode == "up":  # away from zero
        return sign * math.ceil(magnitude)
    if mode == "half_up":  # nearest, ties away from zero
        return sign * math.floor(magnitude + Fraction(1, 2))
    if mode == "half_down":  # nearest, ties towards zero
        return sign * math.ceil(magnitude - Fraction(1, 2))
    assert mode == "half_even"
    return round(x)  # Fraction.__round__ is exact and sends ties to even


# (total, digits, mode, expected × 10**digits), by hand.
EXAMPLES = [
    # 会宁县 四、6: half-up to a whole point; the band edges 85 and 65/66
    (Fraction(169, 2), 0, "half_up", 85),  # 84.5 → 85 (好)
    (Fraction(8449, 100), 0, "half_up", 84),  # 84.49 → 84 (一般)
    (Fraction(131, 2), 0, "half_up", 66),  # 65.5 → 66 (一般)
    (Fraction(1690, 19), 0, "half_up", 89),  # 88.947… → 89
    # the other modes on the same tie, and on the next one up
    (Fraction(169, 2), 0, "half_down", 84),
    (Fraction(169, 2), 0, "half_even", 84),  # 84 is even
    (Fraction(171, 2), 0, "half_even", 86),  # 85.5: 86 is even
    (Fraction(169, 2), 0, "up", 85),
    (Fraction(169, 2), 0, "down", 84),
    (Fraction(169, 2), 0, "floor", 84),
    (Fraction(169, 2), 0, "ceiling", 85),
    # negative totals (a deduction can go below zero): ties away from / towards zero
    (Fraction(-169, 2), 0, "half_up", -85),
    (Fraction(-169, 2), 0, "half_down", -84),
    (Fraction(-169, 2), 0, "floor", -85),
    (Fraction(-169, 2), 0, "ceiling", -84),
    (Fraction(-169, 2), 0, "down", -84),
    (Fraction(-169, 2), 0, "up", -85),
    # two digits: 3639/40 = 90.975 shows as 90.98 (a float shows 90.97)
    (Fraction(3639, 40), 2, "half_up", 9098),
    (Fraction(3639, 40), 2, "half_even", 9098),  # 9098 is even
    (Fraction(2347, 40), 2, "half_even", 5868),  # 58.675: 5868 is even
    (Fraction(0), 2, "half_up", 0),
]


@pytest.mark.parametrize(("value", "digits", "mode", "expected"), EXAMPLES)
def test_by_hand(value: Fraction, digits: int, mode: str, expected: int) -> None:
    assert round_scaled(value.numerator, value.denominator, digits, mode) == expected
    assert rounder(digits, mode)(value.numerator, value.denominator) == expected
    assert round_fraction(value, digits, mode) == Fraction(expected, 10**digits)


def test_fixed_shows_exact_decimals() -> None:
    assert fixed(Fraction(3639, 40), 2) == "90.98"
    assert fixed(Fraction(-1, 200), 2) == "-0.01"  # -0.005, half-up away from zero
    assert fixed(Fraction(85), 2) == "85.00"
    assert fixed(Fraction(1690, 19), 0) == "89"


def test_unknown_mode_fails_when_the_rounder_is_made() -> None:
    with pytest.raises(ValueError, match="unknown rounding mode 'nearest'"):
        rounder(0, "nearest")


rationals = st.builds(
    Fraction,
    st.integers(-(10**12), 10**12),
    st.integers(1, 10**6),
)


@given(rationals, st.integers(0, 4), st.sampled_from(MODES))
def test_every_mode_matches_the_oracle(value: Fraction, digits: int, mode: str) -> None:
    assert round_scaled(value.numerator, value.denominator, digits, mode) == oracle(value, digits, mode)


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6), st.integers(0, 4), st.sampled_from(MODES))
def test_rounder_on_unreduced_fractions(numerator: int, denominator: int, digits: int, mode: str) -> None:
    # The engine rounds totals kept over a common denominator, never reduced.
    assert rounder(digits, mode)(numerator, denominator) == round_scaled(numerator, denominator, digits, mode)
    assert round_scaled(numerator, denominator, digits, mode) == oracle(Fraction(numerator, denominator), digits, mode)
