"""Strategies for ``kind = "rating"``: its instruments, a tier of the scale, and a tier that is not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ...._cohort import RatingEvidence
from ...._kinds.rating import Rating
from ...._model import Scheme
from ...._result import ReasonCode as RC
from .._coverage import broken_coverage, coverage
from .._dispatch import config_as, kind_of
from .._invalid import unknown_tier, wrong_shapes
from .._protocol import Level
from .._vocabulary import SITES

if TYPE_CHECKING:
    from .._instruments import InstrumentDraw

__all__ = ["RATING", "RatingStrategies"]


class RatingStrategies:
    """Rating instruments (a group's tier, with points or without) and the tier they give."""

    weighable = True
    names: tuple[tuple[str, str], ...] = (("site_inspection", "实地查看"), ("work_check", "工作实绩核查"))
    codes: frozenset[RC] = frozenset({RC.UNKNOWN_TIER, RC.INVALID_EVIDENCE, RC.COVERAGE_INCOMPLETE})

    def instrument(self, draw: InstrumentDraw) -> None:
        """A scale, now and then who gives it and sites it must cover."""
        sid = draw.scale()
        draw.given_by()
        draw.must_cover(SITES)
        points = draw.points(sid)
        if points is not None:
            draw.out_of(max(points))

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[RatingEvidence]:
        """A tier of the scale (the best or the worst at those levels), with coverage."""
        ins = config_as(scheme, instrument_id, Rating)
        labels = scheme.scales[ins.scale].labels
        tier = st.sampled_from(labels) if level == "random" else st.just(labels[0 if level == "best" else -1])
        return st.builds(RatingEvidence, tier, coverage(ins))

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """A tier outside the scale, the wrong shape, or coverage short."""
        ins = config_as(scheme, instrument_id, Rating)
        labels = scheme.scales[ins.scale].labels
        options: list[SearchStrategy[Any]] = [
            st.builds(RatingEvidence, unknown_tier(labels), coverage(ins)),
            wrong_shapes(kind_of(scheme, instrument_id), {"teir": labels[0]}),
        ]
        broken = broken_coverage(ins)
        if broken is not None:
            options.append(st.builds(RatingEvidence, st.sampled_from(labels), broken))
        return st.one_of(options)


RATING = RatingStrategies()
