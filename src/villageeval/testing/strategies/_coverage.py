"""Coverage of the categories an instrument ``must_cover``: meeting it, and falling short.

Which counts cover a category is the kernel's rule (:func:`villageeval._kernel.coverage_shortfall`):
the forms offered here are sorted into covering and not covering by that function, so
that a change of the rule changes what is drawn on each side.
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ... import _kernel as kernel

__all__ = ["broken_coverage", "coverage"]

#: Counts offered for a category: none, a few, and more than the kernel's "at least one".
_COUNTS = range(7)

#: Forms that are not coverage at all (the evidence reader says ``invalid_evidence``).
_MALFORMED: tuple[Any, ...] = ({"count": -1}, {"count": "2"}, {"count": 1, "of": 1, "extra": 1}, -1)


def _forms(count: int) -> list[tuple[Any, int, int | None]]:
    """How ``count`` covered may be written: (form, count, size of the category or None)."""
    return [
        (count, count, None),
        ({"count": count}, count, None),
        ({"count": count, "of": count}, count, count),
        ({"count": count, "of": count + 2}, count, count + 2),
        ({"count": count + 1, "of": count}, count + 1, count),  # more covered than there are
    ]


@functools.cache
def _sorted_forms(every_member: bool) -> tuple[tuple[tuple[int, tuple[Any, ...]], ...], tuple[Any, ...]]:
    """(count, the forms that cover the category) for each count some form covers it with,
    and every form that does not cover it, by the kernel's rule."""
    covering: list[tuple[int, tuple[Any, ...]]] = []
    short: list[Any] = []
    for count in _COUNTS:
        ok = []
        for form, n, of in _forms(count):
            if kernel.coverage_shortfall(n, of, every_member) is None:
                ok.append(form)
            else:
                short.append(form)
        if ok:
            covering.append((count, tuple(ok)))
    if not covering:
        raise AssertionError("no coverage meets the kernel's coverage_shortfall: the strategies need new forms")
    return tuple(covering), tuple(short)


def _every_member(config: Any) -> bool:
    return getattr(config, "cover", "at_least_one") == "every_member"


def coverage(config: Any) -> SearchStrategy[dict[str, Any]]:
    """Coverage that meets ``must_cover`` in the instrument's ``cover`` mode
    (``{"count": 0, "of": 0}`` too: a category with no members is fully covered)."""
    return _coverage(tuple(getattr(config, "must_cover", ())), _every_member(config))


@functools.cache
def _coverage(categories: tuple[str, ...], every_member: bool) -> SearchStrategy[dict[str, Any]]:
    # One flat choice among the covering forms: a strategy built per draw costs more than the draw.
    covering, _ = _sorted_forms(every_member)
    form = st.sampled_from([f for _, forms in covering for f in forms])
    return st.fixed_dictionaries(dict.fromkeys(categories, form))


def broken_coverage(config: Any) -> SearchStrategy[dict[str, Any]] | None:
    """Coverage that fails ``must_cover`` for one category (left out, short, or malformed);
    None if the instrument has nothing to cover."""
    required = tuple(getattr(config, "must_cover", ()))
    if not required:
        return None
    _, short = _sorted_forms(_every_member(config))
    return _broken(coverage(config), required, (*_MALFORMED, *short))


@st.composite
def _broken(
    draw: st.DrawFn, valid: SearchStrategy[dict[str, Any]], required: tuple[str, ...], wrong: tuple[Any, ...]
) -> dict[str, Any]:
    covered = dict(draw(valid))
    category = draw(st.sampled_from(required))
    if draw(st.booleans()):
        del covered[category]
    else:
        covered[category] = draw(st.sampled_from(wrong))
    return covered
