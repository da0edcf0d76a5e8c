"""Gradings over the range of a role's totals: bands that partition it, or condition rules.

Band edges are the kernel's: the ends of the grid of rounded totals come from
:func:`villageeval._kernel.round_scaled`, and an edge is written in one of several
forms only if :func:`~villageeval._kernel.grid_range` (with rounding) or
:func:`~villageeval._kernel.in_interval` (without) says the two bands it separates
meet exactly there. Condition rules are kept reachable with the kernel's intervals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import ceil, floor
from typing import Any

from ... import _kernel as kernel
from ... import _model as m
from ..._convert import structure_predicate
from ._exact import toml_number
from ._intervals import interval_of
from ._predicates import compare, predicate
from ._sketch import Sketch

__all__ = ["gradings"]

#: A band edge: (the upper bound of the band below, the lower bound of the band above).
Edge = tuple[dict[str, Fraction], dict[str, Fraction]]


def gradings(s: Sketch, groups: list[tuple[list[str], str]]) -> dict[str, Any]:
    """One grading per group of roles, on the group's grade scale."""
    out: dict[str, Any] = {}
    for i, (group, sid) in enumerate(groups):
        kind = s.pick(s.o.gradings)
        d: dict[str, Any] = {"clause": s.clause(), "scale": sid}
        if kind == "conditions" or s.one_in(3):
            d["kind"] = kind
        key = s.roles_key(group)
        if key is not None:
            d["roles"] = key
        rounding: tuple[int, str] | None = None
        if s.one_in(3) if kind == "conditions" else not s.one_in(3):
            rounding = (s.between(0, 2), s.pick(kernel.ROUNDING_MODES))
            written: dict[str, Any] = {}
            if rounding[0] or s.one_in(2):
                written["digits"] = rounding[0]
            if rounding[1] != "half_up" or s.one_in(2):
                written["mode"] = rounding[1]
            d["round"] = written
        if s.one_in(4):
            d["display_digits"] = s.between(0, 3)
        bottom, top = s.domain(group)
        labels = s.labels[sid]
        if kind == "bands":
            d["bands"] = _bands(s, labels, bottom, top, rounding)
        else:
            d["rules"], d["fallback"] = _conditions(s, group, labels, bottom, top)
        out["main" if i == 0 else f"main{i + 1}"] = d
    return out


def _grades(s: Sketch, labels: Sequence[str], k: int) -> list[str]:
    """``k`` grades, best first; usually with the best grade at the top, as documents have it."""
    if s.one_in(4):
        return s.subset(labels, min_size=k, max_size=k)
    return [labels[0], *s.subset(labels[1:], min_size=k - 1, max_size=k - 1)] if k > 1 else [labels[0]]


def _band_count(s: Sketch, most: int) -> int:
    """How many bands: one band (every total the same grade) only now and then."""
    return s.between(1, most) if most < 2 or s.one_in(6) else s.between(2, most)


def _on_grid(digits: int, cut: int) -> Iterable[Edge]:
    """The edges at grid point ``cut`` (the rounded total ``cut × 10**-digits`` starts the band
    above) that the kernel's grid agrees with: the band below ends at ``cut - 1``."""
    step = Fraction(1, 10**digits)
    v = cut * step
    forms: tuple[Edge, ...] = (
        ({"below": v}, {"at_least": v}),  # 不足 v / v 及以上
        ({"at_most": v - step}, {"at_least": v}),  # 66-84 next to 85 at whole points
        ({"at_most": v - step}, {"above": v - step}),
        ({"below": v - step / 2}, {"at_least": v - step / 2}),  # edges between grid points
        ({"at_most": v - step / 2}, {"above": v - step / 2}),
    )
    for upper, lower in forms:
        if kernel.grid_range(kernel.interval(**upper), digits) == (None, cut - 1) and kernel.grid_range(
            kernel.interval(**lower), digits
        ) == (cut, None):
            yield upper, lower


def _exactly_at(edge: Fraction, quantum: int) -> Iterable[Edge]:
    """The edges at ``edge`` that the kernel's comparison agrees with: values just below it
    in the band below only, values just above in the band above only, ``edge`` in one of them."""
    near = Fraction(1, 2 * quantum)
    for upper, lower in (({"below": edge}, {"at_least": edge}), ({"at_most": edge}, {"above": edge})):
        below, above = kernel.interval(**upper), kernel.interval(**lower)
        inside = kernel.in_interval
        if (
            inside(below, edge - near)
            and not inside(above, edge - near)
            and inside(above, edge + near)
            and not inside(below, edge + near)
            and inside(below, edge) != inside(above, edge)
        ):
            yield upper, lower


def _choose(s: Sketch, edges: Iterable[Edge], where: str) -> Edge:
    found = list(edges)
    if not found:
        raise AssertionError(f"no band edge at {where} agrees with the kernel: the strategies need new forms")
    return s.pick(found)


def _bands(
    s: Sketch, labels: Sequence[str], bottom: Fraction, top: Fraction, rounding: tuple[int, str] | None
) -> list[dict[str, Any]]:
    """Bands that partition every total in [bottom, top] (after rounding, if any)."""
    lower: list[dict[str, Fraction]] = []  # lower bound of each band, lowest band first
    upper: list[dict[str, Fraction]] = []
    if rounding is not None:
        digits, mode = rounding
        step = Fraction(1, 10**digits)
        # The rounded totals are the grid points first..last (scaled by 10**digits).
        first = kernel.round_scaled(bottom.numerator, bottom.denominator, digits, mode)
        last = kernel.round_scaled(top.numerator, top.denominator, digits, mode)
        k = _band_count(s, min(len(labels), last - first + 1))
        lower.append({"at_least": first * step} if s.one_in(4) else {})
        for cut in s.cuts(first + 1, last, k - 1):
            below, above = _choose(s, _on_grid(digits, cut), f"the rounded total {cut * step}")
            upper.append(below)
            lower.append(above)
        upper.append({"at_most": last * step} if s.one_in(4) else {})
    else:
        q = s.pick((1, 2, 4, 10, 3))
        lo_n, hi_n = floor(bottom * q) + 1, ceil(top * q) - 1  # edges strictly inside
        k = _band_count(s, min(len(labels), max(0, hi_n - lo_n + 1) + 1))
        lower.append({"at_least": bottom} if s.one_in(4) else {})
        for c in s.cuts(lo_n, hi_n, k - 1):
            edge = Fraction(c, q)
            below, above = _choose(s, _exactly_at(edge, q), f"the total {edge}")
            upper.append(below)
            lower.append(above)
        upper.append({"at_most": top} if s.one_in(4) else {})
    grades = _grades(s, labels, k)
    bands = [
        {"grade": grades[k - 1 - j], **{key: toml_number(v) for key, v in (*lower[j].items(), *upper[j].items())}}
        for j in range(k)
    ]
    return bands if s.one_in(3) else bands[::-1]


def _conditions(
    s: Sketch, roles: Sequence[str], labels: Sequence[str], bottom: Fraction, top: Fraction
) -> tuple[list[dict[str, Any]], str]:
    """Ordered rules, none of which ``check`` reports as unreachable, and a fallback."""
    rules: list[dict[str, Any]] = []
    seen: list[m.Predicate] = []
    totals: list[kernel.Interval] = []
    thresholds = sorted({s.value_in(bottom, top) for _ in range(s.between(1, len(labels)))}, reverse=True)
    for i in range(s.between(1, len(labels) + 1)):
        grade = labels[i] if i < len(labels) else s.pick(labels)
        form = s.pick(("threshold", "threshold", "combined", "any"))
        when: dict[str, Any]
        if form == "threshold" and i < len(thresholds):
            when = {"score": "total", "at_least": toml_number(thresholds[i])}
        elif form == "combined" and i < len(thresholds) and s.tallied_for(roles):
            ballot = s.pick(s.tallied_for(roles))
            share = {"share": ballot, "tiers": [s.tallied[ballot][0]], **compare(s, Fraction(0), Fraction(1))}
            when = {"all": [{"score": "total", "at_least": toml_number(thresholds[i])}, share]}
        else:
            when = predicate(s, "conditions", roles, labels)
        p = structure_predicate(when)
        if p in seen:
            continue
        if isinstance(p, m.ScoreTest) and p.score == "total":
            iv = interval_of(when)
            if any(kernel.interval_within(earlier, iv) for earlier in totals):
                continue  # an earlier rule catches every total this one tests
            totals.append(iv)
        seen.append(p)
        rule: dict[str, Any] = {"grade": grade, "when": when}
        if s.one_in(4):
            rule["clause"] = s.clause()
        rules.append(rule)
    return rules, labels[-1] if s.one_in(2) else s.pick(labels)
