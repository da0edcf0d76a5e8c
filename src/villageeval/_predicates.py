"""Predicates: the one mechanism behind eligibility, vetoes, caps and consequences.

A predicate from TOML is compiled once, when a scheme's plan is built, into a
closure over a :class:`RuleContext`; evaluating a subject then costs a few
attribute look-ups, not a walk over the model. Named predicates are Python
functions that plugins register; TOML only names them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from . import _model as m
from ._errors import PluginError

if TYPE_CHECKING:
    from ._cohort import Subject

__all__ = ["PredicateFunction", "RuleContext", "compile_predicate", "number_of"]


class RuleContext:
    """What a predicate sees of one subject while it is being evaluated.

    Attributes (read them, do not change them):
        subject: the :class:`~villageeval.Subject` as given.
        facts: its facts, with the scheme's declared defaults filled in.
        role: its role id.
        scheme: the scheme being applied.
        period: the cohort's period (or the scheme's).
        scores: instrument id → exact sub-score, for instruments scored so far.
        tallies: instrument id → validated ballot counts by tier label.
        tiers: rating instrument id → the tier given.
        cohort: every subject of the cohort, sorted by id, for rules that
            compare subjects (a secretary's pledges against the director's).
        total: the exact weighted total, once computed.
        rounded: the total after the scheme's rounding, once computed.
        display: the total as people see it (decimal text), once computed.
        grade: the current grade (raw, then adjusted, then final).
    """

    __slots__ = (
        "adjustments",
        "ceiling",
        "cohort",
        "display",
        "facts",
        "flags",
        "grade",
        "period",
        "raw_grade",
        "reasons",
        "role",
        "rounded",
        "scheme",
        "scores",
        "status",
        "subject",
        "tallies",
        "tiers",
        "total",
        "trace",
    )

    def __init__(
        self,
        subject: Subject,
        scheme: m.Scheme,
        period: str,
        trace: bool,
        cohort: tuple[Subject, ...] = (),
    ) -> None:
        self.subject = subject
        self.facts: Mapping[str, Any] = subject.facts
        self.role = subject.role
        self.scheme = scheme
        self.period = period
        self.scores: dict[str, Fraction] = {}
        self.tallies: dict[str, tuple[Mapping[str, int], int]] = {}
        self.tiers: dict[str, str] = {}
        self.cohort = cohort
        self.total: Fraction | None = None
        self.rounded: Fraction | None = None
        self.display: str | None = None
        self.grade: str | None = None
        self.raw_grade: str | None = None
        self.ceiling = 0
        self.status = "graded"
        # Tuples, grown by concatenation: most subjects never have any, and an
        # outcome takes them as they are.
        self.reasons: tuple[Any, ...] = ()
        self.adjustments: tuple[Any, ...] = ()
        self.flags: tuple[str, ...] = ()
        self.trace: list[Any] | None = [] if trace else None


#: A Python predicate: ``(context) -> bool``. It must return a real bool.
PredicateFunction = Callable[[RuleContext], bool]

Compiled = Callable[[RuleContext], bool]


def number_of(value: object) -> Fraction | None:
    """An exact number from a fact value, or None if it is not a number."""
    if isinstance(value, bool):
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


def _streak_periods(ctx: RuleContext, n: int) -> list[str] | None:
    """The ``n`` periods before the current one, most recent first, or None."""
    history = ctx.subject.history
    current = ctx.period
    if current.isdigit() and all(k.isdigit() for k in history):
        year = int(current)
        wanted = [str(year - i) for i in range(1, n + 1)]
        return wanted if all(w in history for w in wanted) else None
    earlier = sorted((k for k in history if not current or k < current), reverse=True)
    return earlier[:n] if len(earlier) >= n else None


def compile_predicate(p: m.Predicate, scheme: m.Scheme, rules: Mapping[str, PredicateFunction]) -> Compiled:
    """Turn a predicate into a fast closure; names are resolved here, once."""
    if isinstance(p, m.FactTest):
        name = p.fact
        if p.compare is None:
            return lambda ctx: ctx.facts.get(name) is True
        test = p.compare.test

        def fact_cmp(ctx: RuleContext) -> bool:
            v = number_of(ctx.facts.get(name))
            return v is not None and test(v)

        return fact_cmp
    if isinstance(p, m.ScoreTest):
        test = p.compare.test
        if p.score == "total":

            def total_cmp(ctx: RuleContext) -> bool:
                v = ctx.rounded if ctx.rounded is not None else ctx.total
                return v is not None and test(v)

            return total_cmp
        iid = p.score

        def score_cmp(ctx: RuleContext) -> bool:
            v = ctx.scores.get(iid)
            return v is not None and test(v)

        return score_cmp
    if isinstance(p, m.ShareTest):
        iid, tiers, test = p.share, frozenset(p.tiers), p.compare.test

        def share_cmp(ctx: RuleContext) -> bool:
            t = ctx.tallies.get(iid)
            if t is None or t[1] == 0:
                return False
            counts, n = t
            return test(Fraction(sum(c for label, c in counts.items() if label in tiers), n))

        return share_cmp
    if isinstance(p, m.GradeIs):
        grades = frozenset(p.grade)
        return lambda ctx: ctx.grade in grades
    if isinstance(p, m.Streak):
        grades, n = frozenset(p.streak), p.periods - 1

        def streak(ctx: RuleContext) -> bool:
            if ctx.grade not in grades:
                return False
            if n == 0:
                return True
            periods = _streak_periods(ctx, n)
            return periods is not None and all(ctx.subject.history[k] in grades for k in periods)

        return streak
    if isinstance(p, m.OutcomeTest):
        labels = scheme.scales[p.scale].labels
        assessment = p.outcome
        if p.worse_than is not None:
            limit = labels.index(p.worse_than)
            return lambda ctx: (
                (g := ctx.subject.outcomes.get(assessment)) is not None and g in labels and labels.index(g) > limit
            )
        allowed = frozenset(p.is_in)
        return lambda ctx: ctx.subject.outcomes.get(assessment) in allowed
    if isinstance(p, m.RatingIs):
        iid, tiers = p.rating, frozenset(p.is_in)
        return lambda ctx: ctx.tiers.get(iid) in tiers
    if isinstance(p, m.RoleIs):
        roles = frozenset(p.role)
        return lambda ctx: ctx.role in roles
    if isinstance(p, m.NamedRule):
        name = p.rule
        # The same names validation accepts: this scheme's rules.py, the rules.py of
        # the scheme it extends, then unprefixed names from installed plugins.
        scoped = (rules.get(f"{owner}:{name}") for owner in scheme.lineage)
        fn = next((f for f in scoped if f is not None), None) or rules.get(name)
        if fn is None:
            raise PluginError(f"no plugin provides a predicate named {name!r}")
        return _checked(name, fn)
    if isinstance(p, m.AllOf):
        parts = [compile_predicate(x, scheme, rules) for x in p.all]
        return lambda ctx: all(f(ctx) for f in parts)
    if isinstance(p, m.AnyOf):
        parts = [compile_predicate(x, scheme, rules) for x in p.any]
        return lambda ctx: any(f(ctx) for f in parts)
    inner = compile_predicate(p.not_, scheme, rules)
    return lambda ctx: not inner(ctx)


def _checked(name: str, fn: PredicateFunction) -> Compiled:
    owner = getattr(fn, "__module__", "?")

    def call(ctx: RuleContext) -> bool:
        try:
            value = fn(ctx)
        except Exception as e:
            raise PluginError(
                f"predicate {name!r} (from {owner}) raised {type(e).__name__}: {e} for subject {ctx.subject.id!r}"
            ) from e
        if not isinstance(value, bool):
            raise PluginError(
                f"predicate {name!r} (from {owner}) returned {value!r}, not a bool, for subject {ctx.subject.id!r}"
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
