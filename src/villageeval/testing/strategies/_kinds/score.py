"""Strategies for ``kind = "score"``: its instruments, a score within ``[min, max]``, and one outside or inexact."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ...._cohort import ScoreEvidence
from ...._kinds.score import DirectScore
from ...._model import Scheme
from ...._result import ReasonCode as RC
from .._coverage import broken_coverage, coverage
from .._dispatch import config_as, kind_of
from .._exact import exact, toml_number
from .._invalid import BAD_NUMBERS, wrong_shapes
from .._protocol import Level
from .._vocabulary import SITES

if TYPE_CHECKING:
    from .._instruments import InstrumentDraw

__all__ = ["SCORE", "ScoreStrategies"]

_LOWS = (Fraction(0), Fraction(0), Fraction(-10), Fraction(60))
_SPANS = (Fraction(10), Fraction(20), Fraction(100), Fraction(15, 2), Fraction(40))


def _score_evidence(ins: DirectScore, level: Level) -> SearchStrategy[ScoreEvidence]:
    if level != "random":
        value = exact(ins.max if level == "best" else ins.min)
    else:
        span = ins.max - ins.min
        value = st.sampled_from((1, 2, 10, 20, 100)).flatmap(
            lambda n: st.one_of(st.sampled_from((0, n)), st.integers(0, n)).flatmap(
                lambda i: exact(ins.min + span * Fraction(i, n))
            )
        )
    return st.builds(ScoreEvidence, value, coverage(ins))


class ScoreStrategies:
    """Directly given scores: ranges below zero, from zero, or from 60."""

    weighable = True
    names: tuple[tuple[str, str], ...] = (
        ("party_committee", "乡镇党委评价"),
        ("daily_work", "日常工作评价"),
        ("township_score", "乡镇考核组评分"),
    )
    codes: frozenset[RC] = frozenset({RC.OUT_OF_RANGE, RC.INVALID_EVIDENCE, RC.COVERAGE_INCOMPLETE})

    def instrument(self, draw: InstrumentDraw) -> None:
        """``min`` and ``max``, now and then who gives it and sites it must cover, and ``out_of``."""
        d = draw.config
        low = draw.pick(_LOWS)
        high = low + draw.pick(_SPANS)
        if low != 0 or draw.one_in(2):
            d["min"] = toml_number(low)
        d["max"] = toml_number(high)
        draw.given_by()
        draw.must_cover(SITES)
        # out_of defaults to max, which must be positive to be a weight's full mark.
        draw.out_of(high - low if high <= 0 else Fraction(100))

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[ScoreEvidence]:
        """A value in ``[min, max]`` (``max`` at best, ``min`` at worst, often a bound at random)
        as an int, Fraction or Decimal, with coverage."""
        return _score_evidence(config_as(scheme, instrument_id, DirectScore), level)

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """A score outside the range, a float or no number, the wrong shape, or coverage short."""
        ins = config_as(scheme, instrument_id, DirectScore)
        span = ins.max - ins.min
        outside = st.integers(1, 100).flatmap(
            lambda k: st.sampled_from((ins.max + span * Fraction(k, 100), ins.min - span * Fraction(k, 100)))
        )
        options: list[SearchStrategy[Any]] = [
            st.builds(ScoreEvidence, outside.flatmap(exact), coverage(ins)),
            st.builds(ScoreEvidence, st.sampled_from(BAD_NUMBERS), coverage(ins)),
            wrong_shapes(kind_of(scheme, instrument_id), {"valeu": 1}),
        ]
        broken = broken_coverage(ins)
        if broken is not None:
            options.append(
                _score_evidence(ins, "random").flatmap(lambda e: broken.map(lambda c: attrs.evolve(e, coverage=c)))
            )
        return st.one_of(options)


SCORE = ScoreStrategies()
