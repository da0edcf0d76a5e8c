"""Exact scores as text: for display only.

Scores are :class:`fractions.Fraction`; they are rounded exactly once, where the
scheme says, by :func:`villageeval._kernel.round_scaled`, and turned into decimal
text only for display. Nothing here ever goes through a float.
"""

from __future__ import annotations

from fractions import Fraction

from ._kernel import round_scaled

__all__ = ["decimal_text", "exact_text", "fixed", "show"]


def decimal_text(numerator: int, places: int) -> str:
    """``numerator / 10**places`` as decimal text with exactly ``places`` places."""
    sign = "-" if numerator < 0 else ""
    digits = str(abs(numerator)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def fixed(value: Fraction, digits: int) -> str:
    """Decimal text with exactly ``digits`` places, rounded half-up (display only)."""
    return decimal_text(round_scaled(value.numerator, value.denominator, digits, "half_up"), digits)


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
    text = decimal_text(value.numerator * 10**places // value.denominator, places)
    return text.rstrip("0").rstrip(".")


def show(value: Fraction) -> str:
    """Exact text, with a rounded reading when it is not a finite decimal (1690/19 ≈ 88.95)."""
    text = exact_text(value)
    return f"{text} (≈ {fixed(value, 2)})" if "/" in text else text
