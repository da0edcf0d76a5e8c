"""The semantics of a scheme's numbers, each written once.

Every path that grades a subject (the careful path that explains, the quick path,
the columnar path over arrays), the validator that proves a scheme sound, the
outcome checker and the hypothesis strategies read the rules of a scheme through
these functions: how a total is rounded, which rounded totals a band holds, whether
a value passes a comparison, how a share of a population becomes a count, when
ballots are admissible, and which periods a streak looks back on. They are small,
pure, and over ``int`` and :class:`~fractions.Fraction` only (never a float), so
that a rule changed here changes everywhere at once, and a test of a definition
here tests every path.

The columnar path keeps array forms of some of them (numpy cannot call a Python
function per row at speed); each array form is derived from, and tested against,
the function here that defines it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from math import ceil, floor, gcd
from typing import Literal

__all__ = [
    "ROUNDING_MODES",
    "UNBOUNDED",
    "CountRule",
    "Interval",
    "band_of",
    "count_for_share",
    "coverage_shortfall",
    "grid_range",
    "in_interval",
    "intersect",
    "interval",
    "interval_empty",
    "interval_within",
    "least_ballots",
    "period_index",
    "points_over_common_denominator",
    "previous_periods",
    "quorum_count",
    "quorum_shortfall",
    "round_fraction",
    "round_scaled",
    "rounder",
    "stratum_fits",
    "weighted_total",
]

#: Every rounding mode a scheme may name, in the order the format reference lists them.
ROUNDING_MODES: tuple[str, ...] = ("half_up", "half_even", "half_down", "down", "up", "floor", "ceiling")

# --- rounding ----------------------------------------------------------------------------


def round_scaled(numerator: int, denominator: int, digits: int, mode: str) -> int:
    """``numerator / denominator`` rounded to ``digits`` places by ``mode``, times ``10**digits``.

    Integer arithmetic only (``denominator > 0``). The modes, on ``x = value × 10**digits``:

    - ``half_up``: the nearest integer, a tie away from zero (四舍五入);
    - ``half_down``: the nearest, a tie towards zero;
    - ``half_even``: the nearest, a tie to the even one;
    - ``up``: away from zero; ``down``: towards zero (truncation);
    - ``floor``: towards −∞; ``ceiling``: towards +∞.

    Raises:
        ValueError: for a mode not in :data:`ROUNDING_MODES`.
    """
    power: int = 10**digits
    scaled = numerator * power
    if mode == "half_up" and scaled >= 0:
        # The usual case, and the definition itself for x ≥ 0: floor(x + 1/2).
        return (2 * scaled + denominator) // (2 * denominator)
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
        raise ValueError(f"unknown rounding mode {mode!r} (known: {', '.join(ROUNDING_MODES)})")
    n = whole + 1 if up else whole
    return -n if negative else n


def rounder(digits: int, mode: str) -> Callable[[int, int], int]:
    """:func:`round_scaled` with ``digits`` and ``mode`` fixed, for rounding many totals.

    Raises:
        ValueError: for an unknown mode, here rather than on the first total.
    """
    round_scaled(0, 1, digits, mode)

    def rounded(numerator: int, denominator: int) -> int:
        return round_scaled(numerator, denominator, digits, mode)

    return rounded


def round_fraction(value: Fraction, digits: int, mode: str) -> Fraction:
    """``value`` rounded to ``digits`` decimal places by ``mode``, exactly (see :func:`round_scaled`)."""
    return Fraction(round_scaled(value.numerator, value.denominator, digits, mode), 10**digits)


# --- intervals: comparisons and bands ---------------------------------------------------------

#: ``(low, low included, high, high included)``; ``None`` for an unbounded side.
Interval = tuple[Fraction | None, bool, Fraction | None, bool]

#: The interval of every value.
UNBOUNDED: Interval = (None, True, None, True)


def interval(
    at_least: Fraction | None = None,
    above: Fraction | None = None,
    at_most: Fraction | None = None,
    below: Fraction | None = None,
    equals: Fraction | None = None,
) -> Interval:
    """The values that pass every bound given: 及以上 (``at_least``) and 及以下 (``at_most``)
    include their edge, ``above`` (超过) and ``below`` (不足, 低于) exclude it.

    Several bounds on one side keep the tightest; ``equals`` bounds both sides.
    """
    lo: Fraction | None = None
    lo_in = True
    hi: Fraction | None = None
    hi_in = True
    for v, inclusive in ((at_least, True), (above, False), (equals, True)):
        if v is not None and (lo is None or v > lo or (v == lo and not inclusive)):
            lo, lo_in = v, inclusive
    for v, inclusive in ((at_most, True), (below, False), (equals, True)):
        if v is not None and (hi is None or v < hi or (v == hi and not inclusive)):
            hi, hi_in = v, inclusive
    return lo, lo_in, hi, hi_in


def in_interval(iv: Interval, value: Fraction | int) -> bool:
    """Whether ``value`` lies in ``iv``: the one definition of a comparison and of a band."""
    lo, lo_in, hi, hi_in = iv
    if lo is not None and (value < lo or (value == lo and not lo_in)):
        return False
    return not (hi is not None and (value > hi or (value == hi and not hi_in)))


def intersect(a: Interval, b: Interval) -> Interval:
    """The values in both ``a`` and ``b``: the tighter bound on each side (the exclusive one on a tie)."""
    lo, lo_in, hi, hi_in = a
    b_lo, b_lo_in, b_hi, b_hi_in = b
    if b_lo is not None and (lo is None or b_lo > lo or (b_lo == lo and not b_lo_in)):
        lo, lo_in = b_lo, b_lo_in
    if b_hi is not None and (hi is None or b_hi < hi or (b_hi == hi and not b_hi_in)):
        hi, hi_in = b_hi, b_hi_in
    return lo, lo_in, hi, hi_in


def interval_empty(iv: Interval) -> bool:
    """Whether no value lies in ``iv`` (bounds that exclude each other)."""
    lo, lo_in, hi, hi_in = iv
    if lo is None or hi is None:
        return False
    return lo > hi or (lo == hi and not (lo_in and hi_in))


def interval_within(outer: Interval, inner: Interval) -> bool:
    """Whether every value of ``inner`` lies in ``outer``."""
    olo, olo_in, ohi, ohi_in = outer
    ilo, ilo_in, ihi, ihi_in = inner
    if olo is not None and (ilo is None or ilo < olo or (ilo == olo and ilo_in and not olo_in)):
        return False
    return not (ohi is not None and (ihi is None or ihi > ohi or (ihi == ohi and ihi_in and not ohi_in)))


def grid_range(iv: Interval, digits: int) -> tuple[int | None, int | None]:
    """The totals rounded to ``digits`` places that lie in ``iv``, as an inclusive range of
    integers ``k`` (the total ``k / 10**digits``); ``None`` for an unbounded side.

    A rounded total is a multiple of ``10**-digits``; on that grid ``at_least 85`` starts
    at the first multiple ≥ 85 and ``above 84`` at the first multiple > 84. The range may
    be empty (low > high): no rounded total lies in the band.
    """
    lo, lo_in, hi, hi_in = iv
    power = 10**digits
    low = high = None
    if lo is not None:
        x = lo * power
        low = ceil(x) if lo_in else floor(x) + 1
    if hi is not None:
        x = hi * power
        high = floor(x) if hi_in else ceil(x) - 1
    return low, high


def band_of(grid: Sequence[tuple[int | None, int | None, str]], scaled: int) -> str | None:
    """The label of the first band whose grid range holds the rounded total ``scaled``."""
    for low, high, label in grid:
        if (low is None or low <= scaled) and (high is None or scaled <= high):
            return label
    return None


# --- weighted totals and means ----------------------------------------------------------------


def weighted_total(terms: Iterable[tuple[int, int, int, int]]) -> tuple[int, int]:
    """``Σ (fn / fd) × (n / d)`` as ``(numerator, denominator)``, in integers.

    Each term is an instrument's factor in the total (weight / out_of, as ``fn / fd``)
    and its sub-score (``n / d``). Nothing is reduced on the way: the caller builds one
    Fraction at the end, as exact as the sum of the Fractions.
    """
    num, den = 0, 1
    for fn, fd, n, d in terms:
        td = fd * d
        num, den = num * td + fn * n * den, den * td
    return num, den


def points_over_common_denominator(points: Mapping[str, Fraction | None]) -> tuple[dict[str, int], int]:
    """A scale's tier points as integers over their common denominator (a tier without
    points counts 0), so that the mean of ballots is one integer sum and one Fraction:
    ``Σ ints[tier] × count / (ballots × denominator)``."""
    common = 1
    for p in points.values():
        if p is not None:
            common = common * p.denominator // gcd(common, p.denominator)
    return {label: int((p or 0) * common) for label, p in points.items()}, common


# --- quotas -------------------------------------------------------------------------------

#: How a share of a population becomes a number of subjects: 不得超过 → ``floor``, 不低于 → ``ceil``.
CountRule = Literal["floor", "ceil"]


def count_for_share(share: Fraction, size: int, rule: str) -> int:
    """The number of subjects that ``share`` of ``size`` allows: ``floor`` or ``ceil`` of the product."""
    exact = share * size
    if rule == "floor":
        return floor(exact)
    if rule == "ceil":
        return ceil(exact)
    raise ValueError(f"unknown count rule {rule!r} (known: floor, ceil)")


# --- ballot admissibility ---------------------------------------------------------------------


def least_ballots(min_respondents: int, allow_empty: bool = False) -> int:
    """The fewest ballots an instrument accepts: its ``min_respondents``, and at least one
    unless the scheme says a ballot may be empty (``allow_empty``): no ballots is no
    evidence, and a rule over the shares of an empty ballot would silently never hold."""
    return max(min_respondents, 0 if allow_empty else 1)


def quorum_count(quorum: Fraction, expected: int) -> int:
    """The ballots a quorum needs: ``ceil(quorum × expected)`` (实到不少于应到的三分之二)."""
    return ceil(quorum * expected)


def quorum_shortfall(quorum: Fraction, ballots: int, expected: int | None) -> str | None:
    """What is wrong with ``ballots`` against a quorum of those ``expected``, or None.

    ``no_expected``: the number expected is not a whole number ≥ 1; ``over_expected``:
    more ballots than people expected; ``below_quorum``: fewer than the quorum needs.
    """
    if expected is None or expected < 1:
        return "no_expected"
    if ballots > expected:
        return "over_expected"
    if ballots < quorum_count(quorum, expected):
        return "below_quorum"
    return None


def coverage_shortfall(count: int, of: int | None, every_member: bool, most: int | None = None) -> str | None:
    """What is wrong with the coverage of one respondent category, or None.

    ``count`` were covered of ``of`` in the category (None: not said). ``every_member``
    (应全覆盖): all of them; otherwise at least one. ``most``: how many respondents
    there were (a ballot's ballots), which no category's count can pass. ``over``: more
    covered than there are; ``over_respondents``: more covered than responded;
    ``unknown_size``: every member is required but the size is not given;
    ``incomplete``: too few covered.
    """
    if of is not None and count > of:
        return "over"
    if most is not None and count > most:
        return "over_respondents"
    if every_member:
        if of is None:
            return "unknown_size"
        return "incomplete" if count < of else None
    return "incomplete" if count < 1 else None


def stratum_fits(respondents: int, minimum: int, maximum: int | None) -> bool:
    """Whether one stratum's respondents are within its rule (3–5 households per 自然村)."""
    return minimum <= respondents and (maximum is None or respondents <= maximum)


# --- history --------------------------------------------------------------------------------


def period_index(period: str, calendar: str = "years", order: Sequence[str] = ()) -> int | None:
    """Where ``period`` lies on the scheme's time line, as an integer, or None if it cannot be placed.

    With ``order`` (the periods named oldest first), its position there; else by the
    calendar: ``years`` (``2023``), ``months`` (ISO ``2024-09``, the month number
    counted from year 0). Nothing is compared as text: "2024-10" is after "2024-9" only
    on a calendar that reads both, and "第三次" is after "第二次" only in an order that
    says so.
    """
    if order:
        return order.index(period) if period in order else None
    if calendar == "years":
        return int(period) if len(period) == 4 and period.isascii() and period.isdigit() else None
    if calendar == "months":
        year, dash, month = period.partition("-")
        if (
            dash
            and len(year) == 4
            and year.isascii()
            and year.isdigit()
            and len(month) == 2
            and month.isascii()
            and month.isdigit()
            and 1 <= int(month) <= 12
        ):
            return int(year) * 12 + int(month) - 1
        return None
    raise ValueError(f"unknown calendar {calendar!r} (known: years, months)")


def previous_periods(
    current: str, periods: Iterable[str], n: int, calendar: str = "years", order: Sequence[str] = ()
) -> list[str] | None:
    """The ``n`` periods just before ``current`` that a streak looks back on, most recent
    first, or None when the history does not hold every one of them (or ``current``
    cannot be placed): 连续两年 in 2024 needs 2023, and a history of 2022 alone does not
    reach. Periods of the history that cannot be placed are not counted (the caller
    reports them).
    """
    now = period_index(current, calendar, order)
    if now is None:
        return None
    by_index: dict[int, str] = {}
    for p in periods:
        i = period_index(p, calendar, order)
        if i is not None:
            by_index[i] = p
    wanted = [by_index.get(now - i) for i in range(1, n + 1)]
    return None if any(w is None for w in wanted) else [w for w in wanted if w is not None]
