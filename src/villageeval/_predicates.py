"""Predicates: the one mechanism behind eligibility, vetoes, caps and consequences.

A predicate from TOML is compiled once, when a scheme's plan is built, into a
closure over the engine's state of a subject (:class:`villageeval._context.State`);
evaluating a subject then costs a few attribute look-ups, not a walk over the model.
Comparisons are the kernel's intervals (:mod:`villageeval._kernel`). Named predicates
are Python functions that plugins register; TOML only names them, and they see the
subject through a read-only :class:`~villageeval.RuleContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction

from . import _kernel as k
from . import _model as m
from ._context import PredicateFunction, State
from ._errors import PluginError
from ._reading import number_too_large

__all__ = ["Compiled", "compile_predicate", "facts_used", "leaves", "number_of", "outcomes_used"]


#: A compiled predicate: a test of the engine's state of one subject.
Compiled = Callable[[State], bool]


def number_of(value: object) -> Fraction | None:
    """An exact number from a fact value, or None if it is not a number."""
    if isinstance(value, bool):
        return None
    if number_too_large(value) is not None:  # 1e999999999 would hang as a Fraction
        return None
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    if isinstance(value, str) and "/" in value:
        # A rational has no JSON number, so it travels as "16/3"; a plain numeric
        # string ("3") is more likely a spreadsheet slip and stays invalid.
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
    return None


def compile_predicate(
    p: m.Predicate, scheme: m.Scheme, rules: Mapping[str, PredicateFunction], lineage: tuple[str, ...] = ()
) -> Compiled:
    """Turn a predicate into a fast closure; names are resolved here, once.

    ``rules`` are the Python predicates by name; ``lineage`` the ids whose ``rules.py``
    may speak for this scheme (its own, then those of the schemes it extends).
    """
    inside = k.in_interval
    if isinstance(p, m.FactTest):
        name = p.fact
        if p.compare is None:
            return lambda st: st.facts.get(name) is True
        iv = p.compare.interval

        def fact_cmp(st: State) -> bool:
            v = number_of(st.facts.get(name))
            return v is not None and inside(iv, v)

        return fact_cmp
    if isinstance(p, m.ScoreTest):
        iv = p.compare.interval
        if p.score == "total":

            def total_cmp(st: State) -> bool:
                v = st.rounded if st.rounded is not None else st.total
                return v is not None and inside(iv, v)

            return total_cmp
        iid = p.score

        def score_cmp(st: State) -> bool:
            v = st.scores.get(iid)
            return v is not None and inside(iv, v)

        return score_cmp
    if isinstance(p, m.ShareTest):
        iid, tiers, iv = p.share, frozenset(p.tiers), p.compare.interval

        def share_cmp(st: State) -> bool:
            t = st.tallies.get(iid)
            if t is None or t[1] == 0:
                return False
            counts, n = t
            return inside(iv, Fraction(sum(c for label, c in counts.items() if label in tiers), n))

        return share_cmp
    if isinstance(p, m.GradeIs):
        grades = frozenset(p.grade)
        return lambda st: st.grade in grades
    if isinstance(p, m.Streak):
        grades, n = frozenset(p.streak), p.periods - 1
        previous = k.previous_periods
        calendar, order = scheme.periods.calendar, scheme.periods.order

        def streak(st: State) -> bool:
            if st.grade not in grades:
                return False
            if n == 0:
                return True
            history = st.subject.history
            periods = previous(st.period, history, n, calendar, order)
            return periods is not None and all(history[key] in grades for key in periods)

        return streak
    if isinstance(p, m.OutcomeTest):
        labels = scheme.scales[p.scale].labels
        assessment = p.outcome
        if p.worse_than is not None:
            limit = labels.index(p.worse_than)
            return lambda st: (
                (g := st.subject.outcomes.get(assessment)) is not None and g in labels and labels.index(g) > limit
            )
        allowed = frozenset(p.is_in)
        return lambda st: st.subject.outcomes.get(assessment) in allowed
    if isinstance(p, m.RatingIs):
        iid, tiers = p.rating, frozenset(p.is_in)
        return lambda st: st.tiers.get(iid) in tiers
    if isinstance(p, m.Present):
        # Given is valid here: evidence given but wrong makes the subject insufficient_evidence.
        iid = p.present
        return lambda st: iid in st.subject.evidence
    if isinstance(p, m.RankTest):
        rid, iv = p.rank, p.compare.interval

        def rank_cmp(st: State) -> bool:
            placing = st.places.get(rid)
            return placing is not None and inside(iv, placing.place)

        return rank_cmp
    if isinstance(p, m.RoleIs):
        roles = frozenset(p.role)
        return lambda st: st.role in roles
    if isinstance(p, m.NamedRule):
        name = p.rule
        # The same names validation accepts: this scheme's rules.py, the rules.py of
        # the scheme it extends, then unprefixed names from installed plugins.
        scoped = (rules.get(f"{owner}:{name}") for owner in lineage or (scheme.id,))
        fn = next((f for f in scoped if f is not None), None) or rules.get(name)
        if fn is None:
            raise PluginError(f"no plugin provides a predicate named {name!r}")
        return _checked(name, fn)
    if isinstance(p, m.AllOf):
        parts = [compile_predicate(x, scheme, rules, lineage) for x in p.all]
        return lambda st: all(f(st) for f in parts)
    if isinstance(p, m.AnyOf):
        parts = [compile_predicate(x, scheme, rules, lineage) for x in p.any]
        return lambda st: any(f(st) for f in parts)
    inner = compile_predicate(p.not_, scheme, rules, lineage)
    return lambda st: not inner(st)


def _checked(name: str, fn: PredicateFunction) -> Compiled:
    owner = getattr(fn, "__module__", "?")

    def call(st: State) -> bool:
        try:
            value = fn(st.context())
        except Exception as e:
            raise PluginError(
                f"predicate {name!r} (from {owner}) raised {type(e).__name__}: {e} for subject {st.subject.id!r}"
            ) from e
        if not isinstance(value, bool):
            raise PluginError(
                f"predicate {name!r} (from {owner}) returned {value!r}, not a bool, for subject {st.subject.id!r}"
            )
        return value

    return call


def leaves(p: m.Predicate) -> Iterator[m.Predicate]:
    """Every predicate inside ``p`` that is not ``all`` / ``any`` / ``not``."""
    if isinstance(p, m.AllOf):
        for x in p.all:
            yield from leaves(x)
    elif isinstance(p, m.AnyOf):
        for x in p.any:
            yield from leaves(x)
    elif isinstance(p, m.Not):
        yield from leaves(p.not_)
    else:
        yield p


def facts_used(p: m.Predicate, into: dict[str, str]) -> None:
    """Record each fact a predicate reads and whether as ``bool`` or ``number``."""
    for leaf in leaves(p):
        if isinstance(leaf, m.FactTest):
            into.setdefault(leaf.fact, "bool" if leaf.compare is None else "number")


def outcomes_used(p: m.Predicate, into: dict[str, str]) -> None:
    """Record each linked assessment a predicate reads, with the scale it uses."""
    for leaf in leaves(p):
        if isinstance(leaf, m.OutcomeTest):
            into.setdefault(leaf.outcome, leaf.scale)
