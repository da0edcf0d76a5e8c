"""What a generated scheme declares before its instruments: how roles group, scales, facts, linked assessments."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from ._dispatch import BUILTIN_KINDS
from ._exact import toml_number
from ._sketch import Sketch
from ._vocabulary import ASSESSMENTS, BALLOT_TIERS, BOOL_FACTS, GIVEN_BY, GRADE_TIERS, NUMBER_FACTS

__all__ = ["assessments", "facts", "grade_scales", "partition", "point_scales", "tiers"]


def partition(s: Sketch) -> list[list[str]]:
    """The roles split into groups (each gets its own weighting or grading)."""
    if len(s.roles) == 1 or s.one_in(2):
        return [list(s.roles)]
    marks = s.draw(st.lists(st.integers(0, len(s.roles) - 1), min_size=len(s.roles), max_size=len(s.roles)))
    groups: dict[int, list[str]] = {}
    for role, mark in zip(s.roles, marks, strict=True):
        groups.setdefault(mark, []).append(role)
    return list(groups.values())


def tiers(s: Sketch, sets: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """The tiers of a scale, best first: one of ``sets``, or two or more of its tiers."""
    chosen = s.pick(sets)
    if len(chosen) > 2 and s.one_in(3):
        return tuple(s.subset(chosen, min_size=2))
    return chosen


def _add_scale(s: Sketch, sid: str, labels: Sequence[str], points: list[Fraction] | None, title: str) -> None:
    written: list[Any]
    if points is not None:
        written = [{"label": t, "points": toml_number(p)} for t, p in zip(labels, points, strict=True)]
    elif s.one_in(4):
        written = [{"label": t} for t in labels]
    else:
        written = list(labels)
    scale: dict[str, Any] = {"tiers": written}
    if s.one_in(2):
        scale["title"] = title
    s.scales[sid] = scale
    s.labels[sid] = tuple(labels)
    s.points[sid] = points


def grade_scales(s: Sketch, groups: list[list[str]]) -> list[tuple[list[str], str]]:
    """A grade scale for each group of roles (shared now and then), as (group, scale id)."""
    out = []
    for i, group in enumerate(groups):
        sid = "grade" if i == 0 or s.one_in(2) else f"grade{i + 1}"
        if sid not in s.scales:
            _add_scale(s, sid, tiers(s, GRADE_TIERS), None, "综合评定等次")
        s.scale_groups.setdefault(sid, []).extend(group)
        out.append((group, sid))
    return out


def _tier_points(s: Sketch, k: int) -> list[Fraction]:
    """Strictly decreasing points for ``k`` tiers, best first."""
    style = s.pick(("classic", "whole", "halves", "thirds"))
    classic = {2: (100, 60), 3: (90, 70, 40), 4: (100, 80, 60, 40)}
    if style == "classic" and k in classic:
        return [Fraction(p) for p in classic[k]]
    values = s.draw(st.lists(st.integers(0, 100), unique=True, min_size=k, max_size=k))
    div = {"halves": 2, "thirds": 3}.get(style, 1)
    return [Fraction(v, div) for v in sorted(values, reverse=True)]


def point_scales(s: Sketch) -> None:
    """One or two scales with points for ballots and ratings, and now and then one without."""
    for i in range(s.between(1, 2)):
        sid = "ballot" if i == 0 else "ballot2"
        labels = tiers(s, BALLOT_TIERS)
        _add_scale(s, sid, labels, _tier_points(s, len(labels)), "测评等次")
        s.point_scales.append(sid)
    # A scale without points, for instruments that count tiers rather than score them.
    if any(BUILTIN_KINDS[kind].records is not None for kind in s.o.kinds) and s.one_in(3):
        _add_scale(s, "counted", tiers(s, BALLOT_TIERS), None, "满意度")
        s.count_scales.append("counted")


def assessments(s: Sketch) -> None:
    """Another assessment's grades that ``outcome`` predicates read, on a declared scale."""
    if not s.one_in(2):
        return
    if s.one_in(2):
        sid = s.pick(sorted(s.scales))
    else:
        sid = "review"
        _add_scale(s, sid, tiers(s, BALLOT_TIERS), None, "述职评议等次")
    s.assessments.append((s.pick(ASSESSMENTS), sid))


def facts(s: Sketch) -> dict[str, Any]:
    """Declared ``bool`` and ``number`` facts, some with a default."""
    out: dict[str, Any] = {}
    for name, label in s.subset(BOOL_FACTS, max_size=3):
        d: dict[str, Any] = {"label": label}
        if s.one_in(3):
            d["type"] = "bool"
        if s.one_in(2):
            d["default"] = s.one_in(4)  # usually false: recorded only when it happened
        if s.one_in(3):
            d["source"] = s.pick(GIVEN_BY)
            d["clause"] = s.clause()
        out[name] = d
        s.bool_facts.append(name)
    for name, label, lo, hi in s.subset(NUMBER_FACTS, min_size=0, max_size=2):
        d = {"label": label, "type": "number"}
        if s.one_in(2):
            d["default"] = s.between(lo, hi)
        out[name] = d
        s.number_facts[name] = (Fraction(lo), Fraction(hi))
    return out
