"""Predicates in TOML form that ``check`` accepts where they are drawn, and the comparisons in them."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ._exact import toml_number
from ._intervals import admits, interval_of
from ._sketch import Sketch

__all__ = ["compare", "lower_half", "predicate", "rare"]


def compare(s: Sketch, lo: Fraction, hi: Fraction) -> dict[str, Any]:
    """Comparison keys admitting at least one value in [lo, hi]."""
    form = s.pick(("at_least", "above", "at_most", "below", "range", "equals"))
    v = s.value_in(lo, hi)
    if form == "range":
        w = s.value_in(lo, hi)
        if v != w:
            a, b = min(v, w), max(v, w)
            if s.one_in(2):
                return {"at_least": toml_number(a), "below": toml_number(b)}
            return {"above": toml_number(a), "at_most": toml_number(b)}
        form = "at_least"
    cmp = {form: toml_number(v)}
    if not admits(interval_of(cmp), lo, hi):  # above the top, below the bottom
        middle = {form: toml_number((lo + hi) / 2)}
        cmp = middle if admits(interval_of(middle), lo, hi) else {"at_least": toml_number(v)}
    return cmp


def predicate(s: Sketch, stage: str, roles: Sequence[str], labels: Sequence[str], depth: int = 0) -> dict[str, Any]:
    """A predicate in TOML form that ``check`` accepts at ``stage``.

    Stages: ``facts`` (eligibility: no scores, no grades), ``conditions`` (no
    grade yet), ``grade`` (vetoes, caps) and ``final`` (consequences: streaks).
    """
    kinds: list[str] = []
    if s.bool_facts:
        kinds += ["fact", "fact"]
    if s.number_facts:
        kinds.append("number")
    if s.tallied_for(roles):
        kinds.append("share")
    if s.rated_for(roles):
        kinds.append("rating")
    if stage != "facts":
        kinds.append("total")
        if s.scored_for(roles):
            kinds.append("score")
    if s.assessments:
        kinds.append("outcome")
    if stage in ("grade", "final"):
        kinds.append("grade")
    if stage == "final":
        kinds.append("streak")
    if depth > 0 or not kinds:
        kinds.append("role")
    if depth < 2 and s.one_in(5):
        combinator = s.pick(("all", "any", "not"))
        if combinator == "not":
            return {"not": predicate(s, stage, roles, labels, depth + 1)}
        return {combinator: [predicate(s, stage, roles, labels, depth + 1) for _ in range(s.between(1, 3))]}
    kind = s.pick(kinds)
    if kind == "fact":
        return {"fact": s.pick(s.bool_facts)}
    if kind == "number":
        name = s.pick(sorted(s.number_facts))
        return {"fact": name, **compare(s, *s.number_facts[name])}
    if kind == "share":
        ballot = s.pick(s.tallied_for(roles))
        tiers = s.tallied[ballot]
        counted = s.pick(([tiers[-1]], [tiers[0]], s.subset(tiers)))
        return {"share": ballot, "tiers": counted, **compare(s, Fraction(0), Fraction(1))}
    if kind == "rating":
        rating = s.pick(s.rated_for(roles))
        return {"rating": rating, "in": s.subset(s.rated[rating])}
    if kind == "total":
        return {"score": "total", **compare(s, *s.domain(roles))}
    if kind == "score":
        iid = s.pick(s.scored_for(roles))
        low, high = s.scores[iid]
        return {"score": iid, **compare(s, low, high)}
    if kind == "outcome":
        assessment, sid = s.pick(s.assessments)
        tiers = s.labels[sid]
        if s.one_in(2):
            return {"outcome": assessment, "scale": sid, "worse_than": s.pick(tiers)}
        return {"outcome": assessment, "scale": sid, "in": s.subset(tiers)}
    if kind == "grade":
        grades = s.subset(labels)
        return {"grade": grades[0] if len(grades) == 1 and s.one_in(2) else grades}
    if kind == "streak":
        p: dict[str, Any] = {"streak": s.subset(labels, max_size=2)}
        periods = s.between(1, 3)
        if periods != 2 or s.one_in(2):
            p["periods"] = periods
        return p
    return {"role": s.subset(s.roles)}


def lower_half(s: Sketch, scale: str) -> str:
    """A tier of the lower half: ``worse_than`` it holds for the worst outcomes only."""
    tiers = s.labels[scale]
    return s.pick(tiers[len(tiers) // 2 : -1] or tiers)


def rare(s: Sketch, roles: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """A condition that holds for few subjects, as a veto's or cap's usually does."""
    forms = ["any"]
    if s.bool_facts:
        forms += ["fact", "fact"]
    if s.tallied_for(roles):
        forms.append("majority")
    if s.scored_for(roles):
        forms.append("low")
    if s.assessments:
        forms.append("outcome")
    form = s.pick(forms)
    if form == "fact":
        return {"fact": s.pick(s.bool_facts)}
    if form == "majority":  # 不满意 over half
        ballot = s.pick(s.tallied_for(roles))
        return {"share": ballot, "tiers": [s.tallied[ballot][-1]], "above": toml_number(Fraction(1, 2))}
    if form == "low":
        iid = s.pick(s.scored_for(roles))
        low, high = s.scores[iid]
        return {"score": iid, "below": toml_number(low + (high - low) / 5)}
    if form == "outcome":
        assessment, scale = s.pick(s.assessments)
        return {"outcome": assessment, "scale": scale, "worse_than": lower_half(s, scale)}
    return predicate(s, "grade", roles, labels)
