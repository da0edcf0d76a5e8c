"""Instruments of a generated scheme, drawn by their kinds' strategies, and the weightings over them.

What is common to every instrument (id, title, clause, roles, ``applies_when``) is
drawn here; the kind's strategies object fills in its own keys through an
:class:`InstrumentDraw`. What the builder then needs to know of the instrument (the
range of its sub-score, what earns its full weight, what it records for rules) is
asked of the kind's spec, on the instrument as the converter reads it: the numbers a
generated grading is built on are those ``check`` computes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import cattrs

from ... import _model as m
from ..._convert import make_converter
from ..._kinds.spec import Kind
from ._dispatch import BUILTIN_KINDS, generating
from ._draws import Draws
from ._exact import toml_number
from ._predicates import predicate
from ._sketch import Sketch
from ._vocabulary import GIVEN_BY

__all__ = ["InstrumentDraw", "instruments", "weighable_kinds", "weightings"]


@functools.cache
def _converter() -> cattrs.Converter:
    return make_converter({name: kind.config for name, kind in BUILTIN_KINDS.items()})


class InstrumentDraw(Draws):
    """What a kind's strategies get to draw one instrument of a generated scheme.

    Attributes:
        config: the instrument's TOML table: ``kind``, ``title``, ``clause`` and
            perhaps ``roles`` and ``applies_when`` are in it; the kind adds its own keys.
        weighted: whether a weighting will weigh it (then it must give a sub-score).
        recorded: for a kind that records tallies or a tier, what they are of when not
            the tiers of the instrument's ``scale`` (a ledger's statuses); set by the kind.
        reach: for a kind whose spec gives no score range but whose sub-score is a count
            (an item ballot's items, a ledger's entries), the lowest and highest count
            its evidence strategies give: what generated rules compare the sub-score
            with. Set by the kind; such an instrument is never weighted.
    """

    def __init__(self, sketch: Sketch, kind: Kind, config: dict[str, Any], weighted: bool) -> None:
        super().__init__(sketch.draw)
        self.sketch = sketch
        self.kind = kind
        self.config = config
        self.weighted = weighted
        self.recorded: tuple[str, ...] | None = None
        self.reach: tuple[Fraction, Fraction] | None = None

    def scale(self) -> str:
        """A scale for the instrument's tiers, written as its ``scale``: one with points when
        weighted (a weighted instrument gives a sub-score), else now and then one without."""
        s = self.sketch
        scored = self.weighted or not s.count_scales or self.one_in(2)
        sid = self.pick(s.point_scales if scored else s.count_scales)
        self.config["scale"] = sid
        return sid

    def labels(self, scale: str) -> tuple[str, ...]:
        """The tiers of a scale, best first."""
        return self.sketch.labels[scale]

    def points(self, scale: str) -> list[Fraction] | None:
        """The points of a scale's tiers, best first; None for a scale without points."""
        return self.sketch.points[scale]

    def out_of(self, other: Fraction) -> None:
        """Leave ``out_of`` at the kind's default, write the default, or write ``other``
        (always ``other`` when the default is not positive). Draw it last: the default
        is the kind's, for the instrument as drawn."""
        default = self.kind.out_of(_converter().structure(self.config, self.kind.config))
        choice = 2 if default <= 0 else self.between(0, 2)
        if choice == 1:
            self.config["out_of"] = toml_number(default)
        elif choice == 2 and other > 0:
            self.config["out_of"] = toml_number(other)

    def must_cover(self, pool: Sequence[str]) -> None:
        """Now and then, categories that must be covered, in either ``cover`` mode."""
        if self.one_in(3):
            self.config["must_cover"] = self.subset(pool, max_size=3)
            cover = self.pick((None, "every_member", "at_least_one"))
            if cover is not None:
                self.config["cover"] = cover

    def given_by(self) -> None:
        """Now and then, who gives the instrument."""
        if self.one_in(2):
            self.config["given_by"] = self.pick(GIVEN_BY)


def weighable_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    """Those of ``kinds`` whose strategies draw instruments a weighting can weigh."""
    return tuple(name for name in kinds if generating(name).weighable)


def instruments(s: Sketch, weight_groups: list[list[str]]) -> None:
    """Each weighting gets one instrument that applies to all of its roles and can be
    weighted (of a weighable kind); then a few more of any kind, for any roles, weighted or not."""
    weighable = weighable_kinds(s.o.kinds)
    for group in weight_groups:
        s.dedicated.append(_instrument(s, s.pick(weighable), group, weighted=True))
    for _ in range(s.between(0, 3)):
        roles = s.roles if s.one_in(2) else s.subset(s.roles)
        _instrument(s, s.pick(s.o.kinds), roles, weighted=False)


def _scales_so_far(s: Sketch) -> m.Scheme:
    """The scheme as far as a kind's ``score_range`` reads it: its scales, as the converter reads them."""
    scales = {sid: _converter().structure(scale, m.Scale) for sid, scale in s.scales.items()}
    return m.Scheme(id="sketch", title="", locality=m.Locality(""), roles={}, scales=scales, gradings={})


def _instrument(s: Sketch, name: str, roles: Sequence[str], weighted: bool) -> str:
    strategies = generating(name)
    kind = BUILTIN_KINDS[name]
    free = [x for x in strategies.names if x[0] not in s.instruments]
    if free:
        iid, title = s.pick(free)
    else:
        base, title = s.pick(strategies.names)
        iid = f"{base}_{len(s.instruments)}"
    d: dict[str, Any] = {"kind": name, "title": title, "clause": s.clause()}
    key = s.roles_key(roles)
    if key is not None:
        d["roles"] = key
    if not weighted and s.one_in(4) and s.readable_before(roles):
        # Read before this instrument is registered: it may only read instruments above it.
        d["applies_when"] = predicate(s, "facts", roles, ())
        s.conditional.add(iid)  # never weighted: a subject it skips would have no total
    s.applies[iid] = frozenset(roles)
    drawn = InstrumentDraw(s, kind, d, weighted)
    strategies.instrument(drawn)
    config: Any = _converter().structure(d, kind.config)
    span = kind.score_range(config, _scales_so_far(s))
    if span is not None:
        s.ranges[iid] = (span[0], span[1], kind.out_of(config))
        s.scores[iid] = (span[0], span[1])
    elif weighted:
        raise AssertionError(f"the strategies of kind {name!r} drew a weighted instrument that gives no score: {d}")
    elif drawn.reach is not None:
        s.scores[iid] = drawn.reach  # a count: read by rules, never weighted
    if kind.records is not None:
        recorded = drawn.recorded if drawn.recorded is not None else s.labels[config.scale]
        (s.tallied if kind.records == "tallies" else s.rated)[iid] = recorded
    s.instruments[iid] = d
    return iid


def _weights(s: Sketch, n: int) -> tuple[list[int], int]:
    total = s.pick((100, 100, 10, 1000, 0))
    if total >= n and s.one_in(2):
        cuts = s.cuts(1, total - 1, n - 1)
        return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)], total
    weights = [s.between(1, 50) for _ in range(n)]
    return weights, sum(weights)


def weightings(s: Sketch, groups: list[list[str]]) -> dict[str, Any]:
    """One weighting per group: its dedicated instrument and some of the others that apply to
    all of its roles, positive integer weights adding up to the declared total."""
    out: dict[str, Any] = {}
    for i, (group, first) in enumerate(zip(groups, s.dedicated, strict=True)):
        others = [iid for iid in s.ranges if iid != first and iid not in s.conditional and set(group) <= s.applies[iid]]
        chosen = [first, *(iid for iid in others if s.one_in(2))]
        weights, total = _weights(s, len(chosen))
        d: dict[str, Any] = {"clause": s.clause(), "total": total, "weights": dict(zip(chosen, weights, strict=True))}
        key = s.roles_key(group)
        if key is not None:
            d["roles"] = key
        out["main" if i == 0 else f"main{i + 1}"] = d
        terms = [(w, *s.ranges[iid]) for iid, w in zip(chosen, weights, strict=True)]
        low = sum((w * lo / out_of for w, lo, _, out_of in terms), Fraction(0))
        high = sum((w * hi / out_of for w, _, hi, out_of in terms), Fraction(0))
        for role in group:
            s.span[role] = (low, high, Fraction(total))
    return out
