"""``kind = "points"``: itemised points with a maximum per item, and a capped bonus (百分制 / 千分制).

``award`` items earn up to their maximum; ``deduct`` items start at their maximum
and lose what the evidence deducts, stopping at zero (扣完为止); the bonus (加分) is
never more than its maximum.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Literal

from attrs import field, frozen

from .. import _model as m
from .._annotations import resolve_annotations
from .._catalogue import Join, Said, said
from .._cohort import PointsEvidence
from .._hints import close_hint as hint
from .._numbers import exact_text
from .._result import ReasonCode as RC
from .evidence import check_coverage, exact_number
from .spec import InstrumentKind, QuickScorer, Scoring

__all__ = ["POINTS", "Bonus", "PointItem", "Points"]


@frozen
class PointItem:
    """One item of an itemised score.

    ``award`` items earn up to ``max``; ``deduct`` items start at ``max`` and
    lose what the evidence deducts, stopping at zero (扣完为止).
    """

    label: str
    max: Fraction
    mode: Literal["award", "deduct"] = "award"


@frozen
class Bonus:
    """Extra points (加分), never more than ``max``."""

    label: str
    max: Fraction


@frozen
class Points:
    """Itemised points with a maximum per item (百分制 / 千分制)."""

    title: str
    clause: str
    items: Mapping[str, PointItem]
    kind: Literal["points"] = "points"
    roles: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    bonus: Bonus | None = None
    out_of: Fraction | None = None
    given_by: str = ""
    must_cover: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    applies_when: m.Predicate | None = None
    required: bool = True
    cover: m.CoverMode = "at_least_one"


def validate(ins: Points, scheme: m.Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
    """At least one item; every maximum above 0."""
    path: tuple[str | int, ...] = ("instruments", iid)
    out: list[tuple[tuple[str | int, ...], str]] = []
    if not ins.items:
        out.append(((*path, "items"), "an itemised score needs at least one item"))
    for item_id, item in ins.items.items():
        if item.max <= 0:
            out.append(((*path, "items", item_id, "max"), "must be greater than 0"))
    if ins.bonus is not None and ins.bonus.max <= 0:
        out.append(((*path, "bonus", "max"), "must be greater than 0"))
    return out


def score_range(ins: Points, scheme: m.Scheme) -> tuple[Fraction, Fraction]:
    """From 0 to every item's maximum and the bonus's."""
    bonus = ins.bonus.max if ins.bonus else Fraction(0)
    return Fraction(0), sum((i.max for i in ins.items.values()), Fraction(0)) + bonus


def out_of(ins: Points) -> Fraction:
    """``out_of`` when given, else the items' maxima: the bonus is extra on top of full marks."""
    if ins.out_of is not None:
        return ins.out_of
    return sum((i.max for i in ins.items.values()), Fraction(0))


class BoundPoints:
    """A points instrument: its items."""

    def __init__(self, ins: Points, scheme: m.Scheme, iid: str) -> None:
        self.ins = ins

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        """Every item given and within its bounds; deductions stop at zero, the bonus is capped."""
        ins = self.ins
        if not isinstance(ev, PointsEvidence):
            scoring.problem(RC.INVALID_EVIDENCE, said("points.shape"))
            return None
        ok = True
        for key in sorted(ev.items):
            if key not in ins.items:
                scoring.problem(
                    RC.INVALID_EVIDENCE, said("points.unknown_item", item=repr(key), hint=hint(key, ins.items))
                )
                ok = False
        total = Fraction(0)
        parts = []
        for item_id, item in ins.items.items():
            if item_id not in ev.items:
                scoring.problem(RC.MISSING_EVIDENCE, said("points.missing_item", item=repr(item_id), label=item.label))
                ok = False
                continue
            claimed = _entries(ev.items[item_id], said("word.item", item=repr(item_id)), scoring)
            if claimed is None:
                ok = False
                continue
            v, shown = claimed
            if v < 0:
                scoring.problem(RC.OUT_OF_RANGE, said("points.negative", item=repr(item_id), value=exact_text(v)))
                ok = False
                continue
            if item.mode == "award":
                if v > item.max:
                    scoring.problem(
                        RC.OUT_OF_RANGE,
                        said("points.over_max", item=repr(item_id), value=exact_text(v), most=exact_text(item.max)),
                    )
                    ok = False
                    continue
                earned = v
                parts.append(said("step.score.points_item", item=item_id, value=shown))
            else:
                earned = max(Fraction(0), item.max - v)  # 扣完为止: deductions stop at zero
                key = "step.score.deducted" if v <= item.max else "step.score.deducted_to_zero"
                most, left = exact_text(item.max), exact_text(earned)
                parts.append(said(key, item=item_id, most=most, deducted=shown, value=left))
            total += earned
        if ev.bonus is not None:
            claimed_bonus = _entries(ev.bonus, said("word.the_bonus"), scoring)
            b, shown_bonus = claimed_bonus if claimed_bonus is not None else (None, "")
            if claimed_bonus is None or (b is not None and b < 0):
                if b is not None:
                    scoring.problem(RC.OUT_OF_RANGE, said("points.bonus_negative", value=exact_text(b)))
                ok = False
            elif ins.bonus is None:
                scoring.problem(RC.INVALID_EVIDENCE, said("points.no_bonus"))
                ok = False
            else:
                assert b is not None
                earned = min(b, ins.bonus.max)
                total += earned
                if b > ins.bonus.max:  # claimed → counted: the cap shown, not only its result
                    most = exact_text(ins.bonus.max)
                    parts.append(
                        said("step.score.bonus_capped", claimed=shown_bonus, value=exact_text(earned), most=most)
                    )
                else:
                    parts.append(said("step.score.bonus", value=shown_bonus, capped=""))
        if ins.must_cover and not check_coverage(ins, ev.coverage, scoring):
            ok = False
        if not ok:
            return None
        scoring.explain(said("step.score.sum", terms=Join(parts, " + ", " + "), value=exact_text(total)))
        return total

    def quick(self, keep: bool) -> QuickScorer | None:
        """None: itemised points are rare enough to be scored carefully every time."""
        return None


def _entries(value: Any, what: str, scoring: Scoring) -> tuple[Fraction, str | Said] | None:
    """An item's (or the bonus's) points: one number, or itemised entries — a list of
    numbers and ``{"amount": n, "note": "上访 县"}`` objects, each kept in the trace — summed
    exactly; None with the problem reported."""
    if not isinstance(value, list):
        v = exact_number(value, what, scoring)
        return None if v is None else (v, exact_text(v))
    total, shown, ok = Fraction(0), [], True
    for i, entry in enumerate(value, 1):
        note = ""
        amount = entry
        if isinstance(entry, Mapping):
            if set(entry) - {"amount", "note"} or "amount" not in entry or not isinstance(entry.get("note", ""), str):
                scoring.problem(RC.INVALID_EVIDENCE, said("points.bad_entry", what=what, n=i, got=repr(entry)))
                ok = False
                continue
            amount, note = entry["amount"], entry.get("note", "")
        v = exact_number(amount, said("points.entry_of", what=what, n=i), scoring)
        if v is None:
            ok = False
            continue
        if v < 0:
            scoring.problem(RC.OUT_OF_RANGE, said("points.negative_entry", what=what, n=i, value=exact_text(v)))
            ok = False
            continue
        total += v
        shown.append(said("points.entry", note=note, amount=exact_text(v)) if note else exact_text(v))
    if not ok:
        return None
    if len(shown) == 1:
        return total, shown[0]
    return total, said("points.entries", entries=Join(shown, " + ", " + "), total=exact_text(total))


POINTS = InstrumentKind(
    name="points",
    config=Points,
    score=None,
    score_range=score_range,
    evidence=PointsEvidence,
    out_of=out_of,
    validate=validate,
    bind=BoundPoints,
    strategies="villageeval.testing.strategies._kinds:POINTS",
)

resolve_annotations(globals())  # the converter and the docs' checks read real types
