"""Exact rounding and display of rational scores.

Scores are :class:`fractions.Fraction`; they are rounded exactly once, where
the scheme says, and turned into decimal text only for display. Nothing here
ever goes through a float.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

__all__ = ["exact_text", "fixed", "round_fraction", "round_scaled", "rounder"]


def round_scaled(numerator: int, denominator: int, digits: int, mode: str) -> int:
    """``numerator / denominator`` rounded to ``digits`` places by ``mode``, times ``10**digits``.

    Integer arithmetic only (``denominator > 0``): the engine rounds every total
    this way, so it never builds intermediate fractions. Modes: ``half_up`` and
    ``half_down`` (ties away from / towards zero), ``half_even``, ``up`` (away
    from zero), ``down`` (towards zero), ``floor`` and ``ceiling``.
    """
    power: int = 10**digits
    scaled = numerator * power
    if mode == "floor":
        return scaled // denominator
    if mode == "ceiling":
        return -(-scaled // denominator)
    negative = scaled < 0
    whole, rest = divmod(-scaled if negative else scaled, denominator)
    if mode == "down":
        up = False
    elif mode == "up":
        up = rest > 0
    elif mode == "half_up":
        up = 2 * rest >= denominator
    elif mode == "half_down":
        up = 2 * rest > denominator
    elif mode == "half_even":
        up = 2 * rest > denominator or (2 * rest == denominator and whole % 2 == 1)
    else:
        raise ValueError(f"unknown rounding mode {mode!r}")
    n = whole + 1 if up else whole
    return -n if negative else n


def rounder(digits: int, mode: str) -> Callable[[int, int], int]:
    """:func:`round_scaled` with ``digits`` and ``mode`` fixed, for rounding many totals.

    Half-up, the mode most schemes use, gets an inlined form for totals that are not
    negative (one floor division); everything else goes through :func:`round_scaled`.
    """
    power: int = 10**digits
    if mode == "half_up":

        def half_up(numerator: int, denominator: int) -> int:
            if numerator >= 0:
                return (2 * numerator * power + denominator) // (2 * denominator)
            return round_scaled(numerator, denominator, digits, mode)

        return half_up
    round_scaled(0, 1, digits, mode)  # an unknown mode fails here, not on the first total
    return lambda numerator, denominator: round_scaled(numerator, denominator, digits, mode)


def round_fraction(value: Fraction, digits: int, mode: str) -> Fraction:
    """``value`` rounded to ``digits`` decimal places by ``mode``, exactly (see :func:`round_scaled`)."""
    return Fraction(round_scaled(value.numerator, value.denominator, digits, mode), 10**digits)


def _decimal_text(numerator: int, places: int) -> str:
    """``numerator / 10**places`` as decimal text with exactly ``places`` places."""
    sign = "-" if numerator < 0 else ""
    digits = str(abs(numerator)).rjust(places + 1, "0")
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def fixed(value: Fraction, digits: int) -> str:
    """Decimal text with exactly ``digits`` places, rounded half-up (display only)."""
    return _decimal_text(round_scaled(value.numerator, value.denominator, digits, "half_up"), digits)


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
