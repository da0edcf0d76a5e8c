"""The built-in instrument kinds over arrays: ``BALLOT``, ``RATING`` and ``SCORE``.

A kind's spec names its form over arrays (``InstrumentKind(vectorised=
"villageeval.columnar._kinds:BALLOT")``); the generic columnar code imports the form
by that name and knows no kind otherwise. A form says which columns its evidence
takes, prepares one instrument once per plan from the instrument as the engine bound
it (the same points, counts and bounds its quick scorer uses), and scores a block of
rows: the sub-scores of the rows whose cells are plainly valid, as the quick scorer
accepts them. A row it turns down goes to the pure-Python engine, which says why.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from .._kinds.ballot import BoundBallot, StratumRule
from .._kinds.evidence import MOST_COUNT
from .._kinds.rating import BoundRating
from .._kinds.score import BoundScore
from ._read import SAFE, Arrays

if TYPE_CHECKING:
    from .. import _model as m
    from .._plan import PlannedInstrument
    from ._grade import Block

__all__ = ["BALLOT", "RATING", "SCORE", "NotVectorised", "VectorisedKind"]


class NotVectorised(Exception):
    """Raised by a form's ``prepare`` for an instrument its arrays cannot score (the message says why)."""


@frozen
class VectorisedKind:
    """An instrument kind's form over arrays, as :mod:`villageeval.columnar` uses it.

    Attributes:
        columns: ``columns(config, scheme)``: the columns its evidence takes, each
            after ``evidence.<instrument>.`` (``tallies.好``, ``coverage.村干部``...).
        prepare: ``prepare(instrument)``: what ``score`` needs of one planned
            instrument, built once per plan; raises :class:`NotVectorised`.
        score: ``score(arrays, prepared, block)`` → ``(numerators, denominators)``
            of the block's sub-scores (a denominator of 0: no sub-score). It narrows
            ``block.ok`` to the rows whose cells are plainly valid, and records what
            rules read: ``block.tallies[id]`` for a kind whose spec records tallies,
            ``block.tiers[id]`` for one that records tiers.
    """

    columns: Callable[[Any, m.Scheme], list[str]]
    prepare: Callable[[PlannedInstrument], Any]
    score: Callable[[Arrays, Any, Block], tuple[Any, Any]]


# --- coverage, which every built-in kind checks alike --------------------------------------


#: The categories an instrument must cover, and whether every member of each (``every_member``).
Coverage = tuple[tuple[str, ...], bool]


def _coverage(config: Any) -> Coverage:
    return tuple(getattr(config, "must_cover", ())), getattr(config, "cover", "at_least_one") == "every_member"


def _coverage_columns(config: Any) -> list[str]:
    """``coverage.<category>``, or its ``.count`` and ``.of`` where every member must be covered."""
    categories, every = _coverage(config)
    if every:
        return [f"coverage.{cat}.{part}" for cat in categories for part in ("count", "of")]
    return [f"coverage.{cat}" for cat in categories]


def _covered(a: Arrays, pre: str, coverage: Coverage, b: Block, most: Any = None) -> Any:
    """Rows whose coverage is plainly complete: the forms ``quick_coverage`` accepts, which
    ``kernel.coverage_shortfall`` finds nothing wrong with (all of them: count == of ≥ 0;
    at least one: a count ≥ 1; and no count above ``most``, a ballot's ballots per row)."""
    take = b.take
    ok = np.ones(len(b.rows), bool)
    categories, every = coverage
    for cat in categories:
        if every:
            c, c_int, _ = a.ints(f"{pre}coverage.{cat}.count")
            o, o_int, _ = a.ints(f"{pre}coverage.{cat}.of")
            c = c[take]
            ok &= (c >= 0) & (c == o[take]) & (c <= MOST_COUNT)
            if most is not None:
                ok &= c <= most
            if not (c_int is o_int is a.everywhere):
                ok &= (c_int & o_int)[take]
        else:
            c, c_int, _ = a.ints(f"{pre}coverage.{cat}")
            ok &= (c[take] >= 1) & (c[take] <= MOST_COUNT)
            if most is not None:
                ok &= c[take] <= most
            if c_int is not a.everywhere:
                ok &= c_int[take]
    return ok


# --- ballot -------------------------------------------------------------------------------


def _quorum_counts(quorum: Fraction, expected: Any) -> Any:
    """:func:`villageeval._kernel.quorum_count` over an array: ``ceil(quorum × expected)``,
    as ``−((−n × expected) // d)`` in integers (the caller bounds ``n × expected``)."""
    return -((-quorum.numerator * expected) // quorum.denominator)


class _Ballot:
    """A ballot instrument, prepared: its tiers' points over one denominator and its sampling rules."""

    __slots__ = ("cap", "coverage", "iid", "least", "most", "pre", "quorum", "scale_den", "stratum", "weights")

    def __init__(self, pi: PlannedInstrument) -> None:
        bound = pi.bound
        if not isinstance(bound, BoundBallot):  # a plugin's kind that borrowed this form
            raise NotVectorised(f"instrument {pi.id} of kind {pi.kind.name!r} is not bound as a ballot")
        if not bound.scored:
            raise NotVectorised(f"ballot {pi.id} is on a scale without points")
        self.iid = pi.id
        self.pre = f"evidence.{pi.id}."
        # kernel.points_over_common_denominator, as the engine's scorers use them
        self.weights: dict[str, int] = bound.int_points
        self.scale_den: int = bound.scale_den
        self.least: int = bound.least  # kernel.least_ballots
        self.quorum: Fraction | None = bound.ins.quorum
        self.most: int | None = bound.ins.max_respondents
        self.stratum: StratumRule | None = bound.ins.per_stratum
        self.coverage = _coverage(bound.ins)
        # A row whose counts could take the sums past 64 bits goes to the pure-Python engine,
        # and so does one with a count no evidence may give (evidence.MOST_COUNT).
        self.cap = min(
            SAFE // (len(self.weights) * max(self.scale_den, *map(abs, self.weights.values()), 1)), MOST_COUNT + 1
        )


def _ballot_columns(config: Any, scheme: m.Scheme) -> list[str]:
    labels = scheme.scales[config.scale].labels
    return [*(f"tallies.{label}" for label in labels), *_coverage_columns(config), "strata", "expected"]


def _ballot_score(a: Arrays, p: _Ballot, b: Block) -> tuple[Any, Any]:
    """The mean of the tiers' points over the ballots, as ``(Σ points × count, ballots × denominator)``."""
    pre = p.pre
    rows, take, ok = b.rows, b.take, b.ok  # ``ok`` is narrowed in place
    cap = p.cap
    counts: dict[str, Any] = {}
    total = np.zeros(len(rows), np.int64)
    acc = np.zeros(len(rows), np.int64)
    for label in p.weights:
        v, is_int, cell_given = a.ints(f"{pre}tallies.{label}")
        v = v[take]
        if is_int is cell_given is a.everywhere:  # an integer array: every cell given, and an int
            ok &= (v >= 0) & (v < cap)
        else:
            ok &= ~cell_given[take] | (is_int[take] & (v >= 0) & (v < cap))  # a tier left out counts 0
        counts[label] = v
    for label, weight in p.weights.items():
        v = counts[label] = np.where(ok, counts[label], 0)
        total += v
        acc += weight * v
    ok &= total >= p.least
    ok &= _covered(a, pre, p.coverage, b, total)
    if p.most is not None:
        ok &= total <= p.most
    if p.quorum is None:
        # without a quorum, an ``expected`` given still bounds the ballots (and must be whole)
        e, e_int, e_given = a.ints(f"{pre}expected")
        ok &= ~e_given[take] | (e_int[take] & (e[take] >= 0) & (total <= e[take]))
    if p.quorum is not None:
        # kernel.quorum_shortfall finds nothing: a whole number expected ≥ 1, no more
        # ballots than expected, and at least the quorum's count of them.
        e, e_int, _ = a.ints(f"{pre}expected")
        e = e[take]
        ok &= e_int[take] & (e >= 1) & (e < SAFE // max(p.quorum.numerator, 1)) & (total <= e)
        ok &= total >= _quorum_counts(p.quorum, np.where(ok, e, 0))
    st = p.stratum
    if st is not None:
        # kernel.stratum_fits for every stratum: for the fewest and the most respondents.
        k, lo, hi, sm, shape = a.strata(f"{pre}strata")
        ok &= shape[take] & (k[take] > 0) & (lo[take] >= st.min) & (sm[take] == total)
        if st.max is not None:
            ok &= hi[take] <= st.max
    b.tallies[p.iid] = (counts, total)
    return acc, total * p.scale_den


BALLOT = VectorisedKind(columns=_ballot_columns, prepare=_Ballot, score=_ballot_score)


# --- rating -------------------------------------------------------------------------------


class _Rating:
    """A rating instrument, prepared: each tier's points as numerators and denominators (0: no points)."""

    __slots__ = ("coverage", "denominators", "iid", "labels", "numerators", "pre")

    def __init__(self, pi: PlannedInstrument) -> None:
        bound = pi.bound
        if not isinstance(bound, BoundRating):
            raise NotVectorised(f"instrument {pi.id} of kind {pi.kind.name!r} is not bound as a rating")
        self.iid = pi.id
        self.pre = f"evidence.{pi.id}."
        self.labels: tuple[str, ...] = tuple(bound.labels)
        points = [bound.points[label] for label in self.labels]
        self.numerators = np.array([p.numerator if p is not None else 0 for p in points], dtype=np.int64)
        self.denominators = np.array([p.denominator if p is not None else 0 for p in points], dtype=np.int64)
        self.coverage = _coverage(bound.ins)


def _rating_columns(config: Any, scheme: m.Scheme) -> list[str]:
    return ["tier", *_coverage_columns(config)]


def _rating_score(a: Arrays, p: _Rating, b: Block) -> tuple[Any, Any]:
    """The points of the tier given; a tier without points gives no sub-score (denominator 0)."""
    b.ok &= _covered(a, p.pre, p.coverage, b)
    codes = a.codes(f"{p.pre}tier", p.labels)[b.take]
    b.ok &= codes >= 0
    codes = np.where(b.ok, codes, 0)
    b.tiers[p.iid] = (codes, p.labels)
    return p.numerators[codes], p.denominators[codes]


RATING = VectorisedKind(columns=_rating_columns, prepare=_Rating, score=_rating_score)


# --- score --------------------------------------------------------------------------------


class _Score:
    """A score instrument, prepared: its range."""

    __slots__ = ("cap", "coverage", "high", "low", "pre")

    def __init__(self, pi: PlannedInstrument) -> None:
        bound = pi.bound
        if not isinstance(bound, BoundScore):
            raise NotVectorised(f"instrument {pi.id} of kind {pi.kind.name!r} is not bound as a score")
        self.pre = f"evidence.{pi.id}."
        self.low: Fraction = bound.ins.min
        self.high: Fraction = bound.ins.max
        low, high = self.low, self.high
        # low ≤ n/d ≤ high in integers (d > 0); a row whose products could pass 64 bits
        # goes to the pure-Python engine.
        self.cap = SAFE // (2 * max(abs(low.numerator), low.denominator, abs(high.numerator), high.denominator, 1))
        self.coverage = _coverage(bound.ins)


def _score_columns(config: Any, scheme: m.Scheme) -> list[str]:
    return ["value", *_coverage_columns(config)]


def _score_score(a: Arrays, p: _Score, b: Block) -> tuple[Any, Any]:
    """The exact score given, within the instrument's range."""
    b.ok &= _covered(a, p.pre, p.coverage, b)
    vn, vd, exact = a.exacts(f"{p.pre}value")
    low, high, cap = p.low, p.high, p.cap
    n, d = vn[b.take], vd[b.take]
    b.ok &= exact[b.take] & (np.abs(n) < cap) & (d < cap)
    n, d = np.where(b.ok, n, 0), np.where(b.ok, d, 1)
    b.ok &= (n * low.denominator >= low.numerator * d) & (n * high.denominator <= high.numerator * d)
    return n, d


SCORE = VectorisedKind(columns=_score_columns, prepare=_Score, score=_score_score)
