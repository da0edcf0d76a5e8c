"""What valid subjects of a scheme need, read once per scheme from its compiled plan.

The plan (:func:`villageeval._bound.plan_of`) is what the engine grades with: for each
role its instruments with their kinds, the declared facts its rules read (a quota's
``fact`` ranking keys too), the linked assessments with the tiers they may give, and
its grade scale. Reading them there rather than walking the scheme again means a
subject is drawn with exactly what the engine will ask of it. What the plan does not
keep (how long a streak the role's rules look back on, the numbers facts are compared
with) is read from the rules' predicates with :func:`villageeval._predicates.leaves`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ... import _model as m
from ..._bound import plan_of
from ..._plan import RolePlan
from ..._predicates import leaves
from ._evidence import valid_evidence
from ._exact import MOSTLY_FALSE, exact
from ._protocol import LEVELS, Level, PluginEvidence

__all__ = ["RoleNeeds", "SchemeNeeds"]


@attrs.frozen
class RoleNeeds:
    """What a valid subject of one role needs."""

    label: str
    instruments: tuple[tuple[str, Mapping[Level, SearchStrategy[Any]]], ...]  # valid evidence by level
    facts: frozenset[str]  # declared facts the role's rules read
    outcomes: Mapping[str, tuple[str, ...]]  # linked assessment → the grades it may give
    streak: int  # the longest streak a rule of the role reads
    streak_grades: tuple[str, ...]
    grades: tuple[str, ...]


def _role_predicates(scheme: m.Scheme, role: str, rp: RolePlan) -> Iterator[m.Predicate]:
    """The predicates of the rules the plan applies to ``role``."""
    for ins in rp.instruments:
        condition = getattr(ins.config, "applies_when", None)
        if condition is not None:
            yield condition
    if isinstance(rp.grading, m.ConditionGrading):
        yield from (r.when for r in rp.grading.rules)
    sections: list[Mapping[str, m.Eligibility | m.Veto | m.Cap | m.Finding | m.Consequence]] = [
        scheme.eligibility,
        scheme.vetoes,
        scheme.caps,
        scheme.findings,
        scheme.consequences,
    ]
    for rules in sections:
        yield from (r.when for r in rules.values() if role in scheme.role_ids(r.roles))


class SchemeNeeds:
    """What valid subjects of a scheme need, computed once per scheme."""

    def __init__(self, scheme: m.Scheme, plugin_evidence: PluginEvidence | None) -> None:
        self.scheme = scheme
        plan = plan_of(scheme)
        # The group kinds quotas and rankings count by: every subject is given each.
        self.per_keys = tuple(sorted({per for rp in plan.roles.values() for per in rp.counted_by}))
        edges: dict[str, set[Fraction]] = {}
        self.outcomes: dict[str, tuple[str, ...]] = {}
        self.roles: dict[str, RoleNeeds] = {}
        for role, spec in scheme.roles.items():
            rp = plan.roles[role]
            streak = 0
            streak_grades: set[str] = set()
            for leaf in (x for p in _role_predicates(scheme, role, rp) for x in leaves(p)):
                if isinstance(leaf, m.FactTest) and leaf.compare is not None:
                    lo, _, hi, _ = leaf.compare.interval
                    edges.setdefault(leaf.fact, set()).update(v for v in (lo, hi) if v is not None)
                elif isinstance(leaf, m.Streak):
                    streak = max(streak, leaf.periods)
                    streak_grades.update(leaf.streak)
            for assessment, labels in rp.linked.items():
                self.outcomes.setdefault(assessment, labels)
            instruments = tuple(
                (ins.id, {level: valid_evidence(scheme, ins.id, plugin_evidence, level) for level in LEVELS})
                for ins in rp.instruments
            )
            self.roles[role] = RoleNeeds(
                spec.label,
                instruments,
                frozenset(rp.facts),
                dict(rp.linked),
                streak,
                tuple(sorted(g for g in streak_grades if g in rp.labels)),
                rp.labels,
            )
        self.fact_values: dict[str, SearchStrategy[Any]] = {}
        for name, fact in scheme.facts.items():
            if fact.type == "bool":
                self.fact_values[name] = MOSTLY_FALSE
            else:
                # At, and just either side of, the numbers the rules compare the fact with.
                near = sorted({e + d for e in edges.get(name, ()) for d in (-1, 0, Fraction(1, 2), 1)} | {Fraction(0)})
                self.fact_values[name] = st.one_of(st.sampled_from(near), st.integers(0, 40).map(Fraction)).flatmap(
                    exact
                )
