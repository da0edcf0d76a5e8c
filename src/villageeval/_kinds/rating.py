"""``kind = "rating"``: one tier given by a group (the work group's site inspection, 实地查看).

The sub-score is the tier's points, if the scale has them; either way the tier is
recorded for ``rating`` predicates (a qualitative 好 / 正常 / 较差 graded by conditions).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from attrs import field, frozen

from .. import _model as m
from .._annotations import resolve_annotations
from .._catalogue import said
from .._cohort import RatingEvidence
from .._hints import close_hint as hint
from .._hints import known_hint
from .._numbers import exact_text
from .._result import ReasonCode as RC
from .evidence import check_coverage, quick_coverage
from .spec import InstrumentKind, QuickScorer, Scoring

if TYPE_CHECKING:
    from .._context import State

__all__ = ["RATING", "Rating"]


@frozen
class Rating:
    """One tier given by a group (the work group's site inspection)."""

    title: str
    clause: str
    scale: str
    kind: Literal["rating"] = "rating"
    roles: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    out_of: Fraction = Fraction(100)
    given_by: str = ""
    must_cover: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    applies_when: m.Predicate | None = None
    required: bool = True
    cover: m.CoverMode = "at_least_one"


def validate(ins: Rating, scheme: m.Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
    """The scale exists."""
    if ins.scale not in scheme.scales:
        return [(("instruments", iid, "scale"), f"unknown scale {ins.scale!r}{known_hint(ins.scale, scheme.scales)}")]
    return []


def score_range(ins: Rating, scheme: m.Scheme) -> tuple[Fraction, Fraction] | None:
    """From the worst tier's points to the best's; None on a scale without points."""
    scale = scheme.scales.get(ins.scale)
    points = [t.points for t in scale.tiers] if scale else []
    if not points or any(p is None for p in points):
        return None
    known = [p for p in points if p is not None]
    return min(known), max(known)


class BoundRating:
    """A rating instrument compiled for its scheme: each tier's points."""

    def __init__(self, ins: Rating, scheme: m.Scheme, iid: str) -> None:
        self.ins = ins
        scale = scheme.scales[ins.scale]
        self.labels = scale.labels
        self.points = {t.label: t.points for t in scale.tiers}

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        """The tier given must be one of the scale's, and what must be covered, covered."""
        ins = self.ins
        if not isinstance(ev, RatingEvidence):
            scoring.problem(RC.INVALID_EVIDENCE, said("rating.shape"))
            return None
        if not isinstance(ev.tier, str) or ev.tier not in self.points:  # a list or an object is no tier either
            scoring.problem(
                RC.UNKNOWN_TIER,
                said(
                    "rating.unknown_tier", tier=repr(ev.tier), hint=hint(str(ev.tier), self.labels), labels=self.labels
                ),
            )
            return None
        if ins.must_cover and not check_coverage(ins, ev.coverage, scoring):
            return None
        value = self.points[ev.tier]
        scoring.record_tier(ev.tier)
        scoring.explain(ev.tier if value is None else said("step.score.tier", tier=ev.tier, value=exact_text(value)))
        return value

    def quick(self, keep: bool) -> QuickScorer | None:
        """The quick scorer: a tier of the scale, coverage in its plain form."""
        scored = {
            label: (None, 0, 1) if p is None else (p, p.numerator, p.denominator) for label, p in self.points.items()
        }
        covered = quick_coverage(self.ins)

        def quick(ev: Any, state: State, iid: str) -> tuple[Fraction | None, int, int] | None:
            if type(ev) is not RatingEvidence:
                return None
            tier = ev.tier
            if type(tier) is not str or tier not in scored:
                return None
            if covered is not None and not covered(ev.coverage, None):
                return None
            if keep:
                state.tiers[iid] = tier
            return scored[tier]

        return quick


RATING = InstrumentKind(
    name="rating",
    config=Rating,
    score=None,
    score_range=score_range,
    evidence=RatingEvidence,
    validate=validate,
    records="tier",
    bind=BoundRating,
    vectorised="villageeval.columnar._kinds:RATING",
    strategies="villageeval.testing.strategies._kinds:RATING",
)

resolve_annotations(globals())  # the converter and the docs' checks read real types
