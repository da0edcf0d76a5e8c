"""``kind = "score"``: a score given directly, within ``[min, max]`` (乡镇党委评价, a jury's score)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from attrs import field, frozen

from .. import _model as m
from .._annotations import resolve_annotations
from .._catalogue import said
from .._cohort import ScoreEvidence
from .._numbers import exact_text
from .._reading import number_too_large
from .._result import ReasonCode as RC
from .evidence import check_coverage, exact_number, quick_coverage
from .spec import MEMO_BOUND, InstrumentKind, QuickScorer, Scoring

if TYPE_CHECKING:
    from .._context import State

__all__ = ["SCORE", "DirectScore"]


@frozen
class DirectScore:
    """A score given directly, within ``[min, max]``."""

    title: str
    clause: str
    max: Fraction
    kind: Literal["score"] = "score"
    roles: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    min: Fraction = Fraction(0)
    out_of: Fraction | None = None
    given_by: str = ""
    must_cover: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    applies_when: m.Predicate | None = None
    required: bool = True
    cover: m.CoverMode = "at_least_one"


def validate(ins: DirectScore, scheme: m.Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
    """The range is not empty."""
    if ins.max <= ins.min:
        return [(("instruments", iid, "max"), f"max {m.fmt(ins.max)} must exceed min {m.fmt(ins.min)}")]
    return []


def score_range(ins: DirectScore, scheme: m.Scheme) -> tuple[Fraction, Fraction]:
    """``[min, max]``."""
    return ins.min, ins.max


def out_of(ins: DirectScore) -> Fraction:
    """``out_of`` when given, else ``max``: a score of max earns the full weight."""
    return ins.out_of if ins.out_of is not None else ins.max


class BoundScore:
    """A score instrument: its range."""

    def __init__(self, ins: DirectScore, scheme: m.Scheme, iid: str) -> None:
        self.ins = ins

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        """An exact number within the range."""
        ins = self.ins
        if not isinstance(ev, ScoreEvidence):
            scoring.problem(RC.INVALID_EVIDENCE, said("score.shape"))
            return None
        value = exact_number(ev.value, said("word.the_score"), scoring)
        if value is None:
            return None
        if not (ins.min <= value <= ins.max):
            scoring.problem(
                RC.OUT_OF_RANGE,
                said(
                    "score.out_of_range", value=exact_text(value), least=exact_text(ins.min), most=exact_text(ins.max)
                ),
            )
            return None
        if ins.must_cover and not check_coverage(ins, ev.coverage, scoring):
            return None
        scoring.explain(exact_text(value))
        return value

    def quick(self, keep: bool) -> QuickScorer | None:
        """The quick scorer: an int, Fraction or finite Decimal within the range."""
        low, high = self.ins.min, self.ins.max
        covered = quick_coverage(self.ins)
        # Valid scores seen so far, by value: int, Decimal and Fraction keys that are
        # equal hash alike and stand for the same number, so one entry serves them all.
        memo: dict[Any, tuple[Fraction | None, int, int]] = {}

        def quick(ev: Any, state: State, iid: str) -> tuple[Fraction | None, int, int] | None:
            if type(ev) is not ScoreEvidence:
                return None
            v = ev.value
            t = type(v)
            if t is not int and t is not Fraction and not (t is Decimal and v.is_finite()):
                return None  # strings, floats, bools, NaN: the careful path says why
            scored = memo.get(v)
            if scored is None:
                if number_too_large(v) is not None:
                    return None  # the careful path says it is too large
                value = Fraction(v)
                if not low <= value <= high:
                    return None
                scored = (value, value.numerator, value.denominator)
                if len(memo) < MEMO_BOUND:
                    memo[v] = scored
            if covered is not None and not covered(ev.coverage, None):
                return None
            return scored

        return quick


SCORE = InstrumentKind(
    name="score",
    config=DirectScore,
    score=None,
    score_range=score_range,
    evidence=ScoreEvidence,
    out_of=out_of,
    validate=validate,
    bind=BoundScore,
    vectorised="villageeval.columnar._kinds:SCORE",
    strategies="villageeval.testing.strategies._kinds:SCORE",
)

resolve_annotations(globals())  # the converter and the docs' checks read real types
