"""Exact numbers as a scheme file and a cohort carry them.

The engine refuses floats, so every number the strategies produce is an ``int``, a
:class:`~fractions.Fraction` or a :class:`~decimal.Decimal`; a cohort may carry any of
the three for one value, and the strategies draw among them so that code reading
cohorts meets each.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ..._convert import unstructure_number

__all__ = ["MOSTLY_FALSE", "exact", "fraction_of", "toml_number"]

#: A boolean fact that is mostly false: vetoes and eligibility rules hold now and then.
MOSTLY_FALSE = st.integers(0, 3).map(lambda n: n == 0)


def toml_number(v: Fraction) -> int | Decimal | str:
    """An exact number as TOML writes it (int, decimal, or ``"a/b"``)."""
    return unstructure_number(v)


def exact(v: Fraction) -> SearchStrategy[Any]:
    """``v`` as one of the exact types a cohort may carry: int, Fraction or Decimal."""
    forms: list[Any] = [v]
    if v.denominator == 1:
        forms.append(int(v))
    written = unstructure_number(v)
    if isinstance(written, Decimal):
        forms.append(written)
    return st.sampled_from(forms)


def fraction_of(top: Fraction, steps: int, most: int) -> SearchStrategy[Any]:
    """``top × i / steps`` for i in [0, most], often 0 or ``top``, as an exact value."""
    i = st.one_of(st.sampled_from((0, steps)), st.integers(0, most))
    return i.flatmap(lambda k: exact(top * Fraction(k, steps)))
