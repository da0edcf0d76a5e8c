"""Small draws over hypothesis's ``draw``: picking, subsets, cuts, values in a range.

Every part of a generated scheme is drawn through these, so that each part reads as
what it chooses rather than how. The strategies behind them are cached: building a
strategy per draw costs more than the draw itself.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction
from math import ceil, floor
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

__all__ = ["Draws", "index_sets", "ints"]

T = TypeVar("T")


@functools.lru_cache(maxsize=4096)
def ints(lo: int, hi: int) -> SearchStrategy[int]:
    """``st.integers(lo, hi)``, built once per range."""
    return st.integers(lo, hi)


@functools.lru_cache(maxsize=1024)
def index_sets(n: int, min_size: int, max_size: int) -> SearchStrategy[list[int]]:
    """Distinct indices into a sequence of ``n``, built once per shape."""
    return st.lists(st.integers(0, n - 1), unique=True, min_size=min_size, max_size=max_size)


class Draws:
    """The small draws, over one ``draw`` function."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def pick(self, options: Sequence[T]) -> T:
        return options[self.draw(ints(0, len(options) - 1))]

    def one_in(self, n: int) -> bool:
        """True with probability 1/n."""
        return self.draw(ints(0, n - 1)) == 0

    def between(self, lo: int, hi: int) -> int:
        return self.draw(ints(lo, hi))

    def subset(self, items: Sequence[T], min_size: int = 1, max_size: int | None = None) -> list[T]:
        """A subset of ``items``, in their order."""
        top = len(items) if max_size is None else min(max_size, len(items))
        idx = self.draw(index_sets(len(items), min_size, top))
        return [items[i] for i in sorted(idx)]

    def cuts(self, lo: int, hi: int, n: int) -> list[int]:
        """``n`` distinct integers in [lo, hi], ascending."""
        if n == 0:
            return []
        return sorted(self.draw(st.lists(ints(lo, hi), unique=True, min_size=n, max_size=n)))

    def value_in(self, lo: Fraction, hi: Fraction) -> Fraction:
        """A value in [lo, hi]: a whole number when there is room, else a twentieth of the way."""
        if hi - lo >= 2 and self.one_in(2):
            return Fraction(self.between(ceil(lo), floor(hi)))
        return lo + (hi - lo) * Fraction(self.between(0, 20), 20)
