"""Exact rounding and display of rational scores.

Scores are :class:`fractions.Fraction`; they are rounded exactly once, where
the scheme says, and turned into decimal text only for display. Nothing here
ever goes through a float.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

__all__ = ["exact_text", "fixed", "round_fraction"]


def round_fraction(value: Fraction, digits: int, mode: str) -> Fraction:
    """``value`` rounded to ``digits`` decimal places by ``mode``, exactly.

    Modes: ``half_up`` and ``half_down`` (ties away from / towards zero),
    ``half_even``, ``up`` (away from zero), ``down`` (towards zero),
    ``floor`` and ``ceiling``.
    """
    scale = 10**digits
    scaled = value * scale
    negative = scaled < 0
    magnitude = -scaled if negative else scaled
    whole = floor(magnitude)
    rest = magnitude - whole
    if mode == "floor":
        n = floor(scaled)
        return Fraction(n, scale)
    if mode == "ceiling":
        n = -floor(-scaled)
        return Fraction(n, scale)
    if mode == "down":
        up = False
    elif mode == "up":
        up = rest > 0
    elif mode == "half_up":
        up = rest >= Fraction(1, 2)
    elif mode == "half_down":
        up = rest > Fraction(1, 2)
    elif mode == "half_even":
        up = rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1)
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    n = whole + 1 if up else whole
    return Fraction(-n if negative else n, scale)


def _decimal_text(numerator: int, places: int) -> str:
    """``numerator / 10**places`` as decimal text with exactly ``places`` places."""
    sign = "-" if numerator < 0 else ""
    digits = str(abs(numerator)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def fixed(value: Fraction, digits: int) -> str:
    """Decimal text with exactly ``digits`` places, rounded half-up (display only)."""
    r = round_fraction(value, digits, "half_up")
    return _decimal_text(r.numerator * (10**digits // r.denominator), digits)


def exact_text(value: Fraction) -> str:
    """The exact value as text: ``85``, ``84.5``, or ``1690/19`` when not a finite decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    text = _decimal_text(value.numerator * 10**places // value.denominator, places)
    return text.rstrip("0").rstrip(".")
