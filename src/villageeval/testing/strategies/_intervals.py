"""Comparisons written as TOML keys, read as the kernel's intervals.

What a comparison admits is the kernel's definition (:func:`villageeval._kernel.interval`
and :func:`~villageeval._kernel.in_interval`), so a generated rule is judged the way
``check`` and the engine judge it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ... import _kernel as kernel

__all__ = ["BOUND_KEYS", "admits", "interval_of"]

#: The keys of a comparison, as a scheme writes them.
BOUND_KEYS = ("at_least", "above", "at_most", "below", "equals")


def interval_of(cmp: Mapping[str, Any]) -> kernel.Interval:
    """The interval a comparison in TOML form (``{"at_least": 85}``) admits."""
    return kernel.interval(**{key: Fraction(cmp[key]) for key in BOUND_KEYS if key in cmp})


def admits(iv: kernel.Interval, lo: Fraction, hi: Fraction) -> bool:
    """Whether some value in [lo, hi] lies in ``iv``.

    If the two meet, they share an end of one of them or, where both ends are open,
    the middle between two ends: those few values are tested with the kernel.
    """
    if kernel.interval_empty(iv):
        return False
    low, _, high, _ = iv
    ends = sorted({lo, hi, *(v for v in (low, high) if v is not None and lo <= v <= hi)})
    middles = [(a + b) / 2 for a, b in itertools.pairwise(ends)]
    return any(kernel.in_interval(iv, v) for v in (*ends, *middles))
