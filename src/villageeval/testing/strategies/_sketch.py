"""A scheme being drawn: what its parts declare so far, for the parts drawn after them.

A scheme is drawn in an order that lets each part be valid by construction: roles,
then scales, instruments and weightings (which fix the range of each role's total),
then gradings over that range, then facts, linked assessments and the rules that read
them. Each later part reads what the earlier ones declared from the sketch.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import strategies as st

from ._draws import Draws
from ._vocabulary import RULE_NAMES

__all__ = ["Options", "Sketch"]


@attrs.frozen
class Options:
    """What :func:`schemes` was asked to generate."""

    kinds: tuple[str, ...]
    gradings: tuple[str, ...]
    max_roles: int
    with_quotas: bool
    with_vetoes: bool
    with_caps: bool
    with_facts: bool


class Sketch(Draws):
    """The scheme drawn so far, as plain TOML-shaped data and the numbers behind it."""

    def __init__(self, draw: st.DrawFn, options: Options) -> None:
        super().__init__(draw)
        self.o = options
        self.roles: list[str] = []
        self.scales: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, tuple[str, ...]] = {}
        self.points: dict[str, list[Fraction] | None] = {}
        self.point_scales: list[str] = []
        self.count_scales: list[str] = []
        self.instruments: dict[str, dict[str, Any]] = {}
        self.applies: dict[str, frozenset[str]] = {}
        #: weighable instrument → (lowest sub-score, highest sub-score, out_of), from its kind's spec
        self.ranges: dict[str, tuple[Fraction, Fraction, Fraction]] = {}
        #: instrument that gives a sub-score → (lowest, highest) for rules to compare it with: its
        #: kind's score range, or for a count (no range, never weighted) the counts its evidence gives
        self.scores: dict[str, tuple[Fraction, Fraction]] = {}
        #: instrument whose kind records tallies (for share predicates) → the tiers they count
        #: (its scale's; a ledger's statuses)
        self.tallied: dict[str, tuple[str, ...]] = {}
        #: instrument whose kind records the tier given (for rating predicates) → the tiers of its scale
        self.rated: dict[str, tuple[str, ...]] = {}
        self.conditional: set[str] = set()
        self.dedicated: list[str] = []
        #: role → (lowest total, highest total, weighting total)
        self.span: dict[str, tuple[Fraction, Fraction, Fraction]] = {}
        #: grade scale id → the roles graded on it
        self.scale_groups: dict[str, list[str]] = {}
        self.bool_facts: list[str] = []
        self.number_facts: dict[str, tuple[Fraction, Fraction]] = {}
        self.assessments: list[tuple[str, str]] = []
        self.rule_ids: set[str] = set()
        #: ranking id → the roles it ranks (for rank predicates of consequences)
        self.rankings: dict[str, list[str]] = {}
        #: (grade scale, grade) of quotas, per bound: at_least never targets an at_most grade
        self.quota_grades: dict[str, set[tuple[str, str]]] = {"at_most": set(), "at_least": set()}
        self._clause = itertools.count(1)

    def clause(self) -> str:
        """The next clause of the document: 一、1, 一、2, 一、3, 二、1, ..."""
        n = next(self._clause)
        return f"{'一二三四五六七八九十'[(n - 1) // 3 % 10]}、{(n - 1) % 3 + 1}"

    def roles_key(self, roles: Sequence[str]) -> list[str] | None:
        """What to write as ``roles``: nothing (all roles) or the list."""
        if set(roles) == set(self.roles) and not self.one_in(4):
            return None
        return list(roles)

    def rule_id(self, section: str) -> str:
        """A fresh id for a rule of ``section``."""
        base = self.pick(RULE_NAMES[section])
        rid = base
        while rid in self.rule_ids:
            rid = f"{base}_{len(self.rule_ids)}"
        self.rule_ids.add(rid)
        return rid

    def tallied_for(self, roles: Sequence[str]) -> list[str]:
        """Instruments over some of ``roles`` that record tallies."""
        return [i for i in self.tallied if self.applies[i] & set(roles)]

    def rated_for(self, roles: Sequence[str]) -> list[str]:
        """Instruments over some of ``roles`` that record the tier given."""
        return [i for i in self.rated if self.applies[i] & set(roles)]

    def scored_for(self, roles: Sequence[str]) -> list[str]:
        """Instruments over some of ``roles`` that give a sub-score."""
        return [i for i in self.scores if self.applies[i] & set(roles)]

    def readable_before(self, roles: Sequence[str]) -> bool:
        """Whether an ``applies_when`` over ``roles`` has something to read."""
        return bool(self.bool_facts or self.number_facts or self.tallied_for(roles) or self.rated_for(roles))

    def domain(self, roles: Sequence[str]) -> tuple[Fraction, Fraction]:
        """The totals a grading over ``roles`` must cover: as ``check`` computes them."""
        bottom = min([Fraction(0), *(self.span[r][0] for r in roles)])
        top = max([*(self.span[r][1] for r in roles), *(self.span[r][2] for r in roles)])
        return bottom, top
