"""The numbers a rule compared, for the trace: "不满意 8/15 = 53.3% > 50%", not only "veto".

A compiled predicate answers yes or no; a committee reading a veto wants to see what
decided it. :func:`deciding` walks the rule's predicate over the subject as the engine
saw it and says, for each comparison, the value it read and the bound it was held to, for
``any`` the branch that held, for ``not`` what did not, for a streak the history it read.
It is called only when a trace is kept, and never decides anything itself: the engine's
compiled predicates do (``villageeval._predicates``); this module only reads the same state.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from . import _kernel as k
from . import _model as m
from ._catalogue import Join, Said, said
from ._numbers import exact_text, fixed

if TYPE_CHECKING:
    from ._context import State

__all__ = ["deciding", "percent", "why"]

_SIGNS = (("at_least", "≥"), ("above", ">"), ("at_most", "≤"), ("below", "<"), ("equals", "="))


def _bounds(cmp: m.Comparison, shown: Any) -> str:
    return " ".join(f"{sign} {shown(v)}" for key, sign in _SIGNS if (v := getattr(cmp, key)) is not None)


def percent(v: Fraction) -> str:
    """A share as a percentage: exact to a tenth (53.3%), the form a document writes."""
    percent = v * 100
    return f"{exact_text(percent)}%" if (percent * 10).denominator == 1 else f"{fixed(percent, 1)}%"


def why(p: m.Predicate | None, st: State, scheme: m.Scheme) -> Said | str:
    """`` (<the numbers>)`` to append to a rule's step, or nothing."""
    if p is None:
        return ""
    found = deciding(p, st, scheme)
    return said("why.wrap", why=found) if found else ""


def deciding(p: m.Predicate, st: State, scheme: m.Scheme) -> Said | Join | str:
    """What ``p`` read of the subject and compared, as a message (empty when it reads nothing to show)."""
    if isinstance(p, m.ShareTest):
        tallied = st.tallies.get(p.share)
        if tallied is None or tallied[1] == 0:
            return said("why.share_none", instrument=p.share)
        counts, n = tallied
        part = sum(c for label, c in counts.items() if label in p.tiers)
        value = Fraction(part, n)
        return said(
            "why.share",
            tiers=Join(p.tiers, "+", "+"),
            count=f"{part}/{n}",
            value=percent(value),
            bounds=_bounds(p.compare, percent),
        )
    if isinstance(p, m.ScoreTest):
        if p.score == "total":
            v = st.rounded if st.rounded is not None else st.total
            name: str = said("word.total")
        else:
            v, name = st.scores.get(p.score), p.score
        if v is None:
            return said("why.no_score", name=name)
        return said("why.compare", name=name, value=exact_text(v), bounds=_bounds(p.compare, exact_text))
    if isinstance(p, m.FactTest):
        v = st.facts.get(p.fact)
        if p.compare is None:
            return said("why.fact", name=p.fact, value=v is True)
        return said("why.compare", name=p.fact, value=str(v), bounds=_bounds(p.compare, exact_text))
    if isinstance(p, m.RatingIs):
        return said("why.rating", name=p.rating, value=st.tiers.get(p.rating, "—"))
    if isinstance(p, m.GradeIs):
        return said("why.grade", value=st.grade or said("word.no_grade"))
    if isinstance(p, m.Streak):
        calendar, order = scheme.periods.calendar, scheme.periods.order
        previous = k.previous_periods(st.period, st.subject.history, p.periods - 1, calendar, order)
        read = [f"{period} {st.subject.history[period]}" for period in previous or ()]
        return said("why.streak", grade=st.grade or said("word.no_grade"), history=Join(read) if read else "—")
    if isinstance(p, m.OutcomeTest):
        return said("why.outcome", name=p.outcome, value=st.subject.outcomes.get(p.outcome, "—"))
    if isinstance(p, m.Present):
        return said("why.present" if p.present in st.subject.evidence else "why.absent", name=p.present)
    if isinstance(p, m.RankTest):
        placing = st.places.get(p.rank)
        if placing is None:
            return said("why.no_rank", name=p.rank)
        return said("why.rank", name=p.rank, value=placing.place, of=placing.of, bounds=_bounds(p.compare, exact_text))
    if isinstance(p, m.AnyOf):
        from ._predicates import compile_predicate

        for branch in p.any:
            if compile_predicate(branch, scheme, {}, ())(st) if not _named(branch) else False:
                return said("why.any", branch=deciding(branch, st, scheme))
        return Join([deciding(b, st, scheme) for b in p.any], "; ", ";")
    if isinstance(p, m.AllOf):
        return Join([x for x in (deciding(b, st, scheme) for b in p.all) if x], "; ", ";")
    if isinstance(p, m.Not):
        inner = deciding(p.not_, st, scheme)
        return said("why.not", inner=inner) if inner else ""
    return ""  # a role, a named Python rule: nothing to show but the rule itself


def _named(p: m.Predicate) -> bool:
    """Whether a predicate calls a plugin's Python rule, which the explanation never calls again."""
    from ._predicates import leaves

    return any(isinstance(leaf, m.NamedRule) for leaf in leaves(p))
