"""Strategies for ``kind = "points"``: its instruments, points for every item, and points that break an item's rule."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ...._cohort import PointsEvidence
from ...._kinds.points import PointItem, Points
from ...._model import Scheme
from ...._result import ReasonCode as RC
from .._coverage import broken_coverage, coverage
from .._dispatch import config_as, kind_of
from .._exact import exact, fraction_of, toml_number
from .._invalid import wrong_shapes
from .._protocol import Level
from .._vocabulary import ITEMS, SITES

if TYPE_CHECKING:
    from .._instruments import InstrumentDraw

__all__ = ["POINTS", "PointsStrategies"]

_ITEM_MAXIMA = (Fraction(5), Fraction(10), Fraction(15), Fraction(20), Fraction(40), Fraction(15, 2))
_BONUS_MAXIMA = (Fraction(1), Fraction(3), Fraction(5), Fraction(1, 2))


def _points_evidence(ins: Points, level: Level) -> SearchStrategy[PointsEvidence]:
    def item(it: PointItem) -> SearchStrategy[Any]:
        if level == "random":
            return fraction_of(it.max, 20, 20 if it.mode == "award" else 30)  # deductions may pass max
        full = (level == "best") == (it.mode == "award")
        return exact(it.max) if full else exact(Fraction(0))

    items = st.fixed_dictionaries({item_id: item(it) for item_id, it in ins.items.items()})
    if ins.bonus is None:
        bonus: SearchStrategy[Any] = st.none()
    elif level == "random":
        bonus = st.one_of(st.none(), fraction_of(ins.bonus.max, 10, 15))  # above max is capped
    else:
        bonus = exact(ins.bonus.max) if level == "best" else st.sampled_from((None, 0))
    return st.builds(PointsEvidence, items, bonus, coverage(ins))


class PointsStrategies:
    """Itemised points: ``award`` and ``deduct`` items, and a capped bonus."""

    weighable = True
    names: tuple[tuple[str, str], ...] = (
        ("targets", "目标责任考核"),
        ("duties", "履职尽责考核"),
        ("tasks", "重点任务考核"),
    )
    codes: frozenset[RC] = frozenset(
        {RC.MISSING_EVIDENCE, RC.INVALID_EVIDENCE, RC.OUT_OF_RANGE, RC.COVERAGE_INCOMPLETE}
    )

    def instrument(self, draw: InstrumentDraw) -> None:
        """One to four items, now and then a bonus, who gives it and sites it must cover, and ``out_of``."""
        d = draw.config
        items: dict[str, Any] = {}
        full = Fraction(0)
        for item_id, label in draw.subset(ITEMS, max_size=4):
            top = draw.pick(_ITEM_MAXIMA)
            item: dict[str, Any] = {"label": label, "max": toml_number(top)}
            mode = draw.pick(("award", "deduct"))
            if mode == "deduct" or draw.one_in(3):
                item["mode"] = mode
            items[item_id] = item
            full += top
        d["items"] = items
        bonus = Fraction(0)
        if draw.one_in(3):
            bonus = draw.pick(_BONUS_MAXIMA)
            d["bonus"] = {"label": "创新工作加分", "max": toml_number(bonus)}
        draw.given_by()
        draw.must_cover(SITES)
        # The default out_of leaves the bonus out (it comes on top of full marks); some
        # documents count it inside them instead.
        draw.out_of(draw.pick((full + bonus, Fraction(100))) if bonus else Fraction(100))

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[PointsEvidence]:
        """Every item within its maximum (deductions sometimes past it: they stop at zero;
        full marks at best, none at worst), a bonus only if there is one, coverage."""
        return _points_evidence(config_as(scheme, instrument_id, Points), level)

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """An item left out, an unknown item, a negative or inexact item, a negative bonus,
        an award above its maximum, a bonus the instrument does not have, the wrong shape,
        or coverage short."""
        ins = config_as(scheme, instrument_id, Points)
        valid = _points_evidence(ins, "random")
        ids = sorted(ins.items)
        options: list[SearchStrategy[Any]] = [
            st.tuples(valid, st.sampled_from(ids)).map(
                lambda t: attrs.evolve(t[0], items={k: v for k, v in t[0].items.items() if k != t[1]})
            ),
            valid.map(lambda e: attrs.evolve(e, items={**e.items, "not_an_item": 1})),
            st.tuples(valid, st.sampled_from(ids), st.sampled_from((-1, Fraction(-1, 2), 1.5, "五", None))).map(
                lambda t: attrs.evolve(t[0], items={**t[0].items, t[1]: t[2]})
            ),
            valid.map(lambda e: attrs.evolve(e, bonus=-1)),
            wrong_shapes(kind_of(scheme, instrument_id), {"itmes": {ids[0]: 1}}),
        ]
        award = [k for k in ids if ins.items[k].mode == "award"]
        if award:
            options.append(
                st.tuples(valid, st.sampled_from(award), st.integers(1, 10)).map(
                    lambda t: attrs.evolve(t[0], items={**t[0].items, t[1]: ins.items[t[1]].max + t[2]})
                )
            )
        if ins.bonus is None:
            options.append(valid.map(lambda e: attrs.evolve(e, bonus=1)))
        broken = broken_coverage(ins)
        if broken is not None:
            options.append(st.tuples(valid, broken).map(lambda t: attrs.evolve(t[0], coverage=t[1])))
        return st.one_of(options)


POINTS = PointsStrategies()
