"""Strategies for ``kind = "ballot"``: its instruments, tallies that meet its sampling rules, and tallies that do not.

The limits of the rules are the kernel's: the fewest ballots from
:func:`~villageeval._kernel.least_ballots` (and, with a quorum, the fewest a quorum
can accept by :func:`~villageeval._kernel.quorum_shortfall`), the most expected for a
quorum met by :func:`~villageeval._kernel.quorum_count`, the respondents a stratum may
have by :func:`~villageeval._kernel.stratum_fits`. Valid evidence is often exactly at
them and invalid evidence just past them, so a rule changed in the kernel moves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import ceil, floor
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .... import _kernel as kernel
from ...._cohort import BallotEvidence
from ...._kinds.ballot import Ballot, StratumRule
from ...._model import Scheme
from ...._result import ReasonCode as RC
from .._coverage import broken_coverage, coverage
from .._dispatch import config_as, kind_of
from .._draws import ints
from .._exact import toml_number
from .._invalid import BAD_COUNTS, unknown_tier, wrong_shapes
from .._protocol import Level
from .._vocabulary import PEOPLE, STRATUM_LABELS, STRATUM_NAMES

if TYPE_CHECKING:
    from .._instruments import InstrumentDraw

__all__ = ["BALLOT", "BallotStrategies", "least_total", "most_expected", "stratum_edges"]

_QUORUMS = (Fraction(1, 2), Fraction(2, 3), Fraction(4, 5), Fraction(1))
_MIN_RESPONDENTS = (0, 0, 1, 3, 5, 10, 15, 20)
#: Ballots beyond the fewest: often none, so that evidence is exactly at ``min_respondents``.
_EXTRA_BALLOTS = st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 30))


# --- the rules' limits, from the kernel ---------------------------------------------------


def least_total(ins: Ballot, scheme: Scheme) -> int:
    """The fewest ballots valid evidence may have: the kernel's least_ballots, and with a
    quorum the fewest that meet it when exactly that many were expected."""
    need = kernel.least_ballots(ins.min_respondents, ins.allow_empty)
    if ins.quorum is not None:
        for n in range(need, need + 1000):
            if kernel.quorum_shortfall(ins.quorum, n, n) is None:
                return n
        raise AssertionError(f"no number of ballots meets the quorum {ins.quorum} by the kernel's quorum_shortfall")
    return need


def most_expected(quorum: Fraction, ballots: int) -> int:
    """The most people expected to respond for whom ``ballots`` still meet ``quorum``.

    The numbers expected that ``ballots`` meet run from ``ballots`` up to this one
    (the kernel's quorum_count grows with the number expected).
    """
    short = kernel.quorum_shortfall
    most = max(ballots, floor(ballots / quorum))  # where ceil(quorum × expected) passes ballots, about
    while most > ballots and short(quorum, ballots, most) is not None:
        most -= 1
    while short(quorum, ballots, most + 1) is None:
        most += 1
    return most


def stratum_edges(rule: StratumRule) -> tuple[int, int | None, tuple[int, ...]]:
    """The fewest and most respondents a stratum may give (None: no most), and the counts
    just past them that the kernel's stratum_fits refuses."""
    low, high = max(rule.min, 0), rule.max
    fits = kernel.stratum_fits
    if not fits(low, rule.min, rule.max) or (high is not None and not fits(high, rule.min, rule.max)):
        raise AssertionError(f"the kernel's stratum_fits refuses the ends of {rule}")
    past = (low - 1, *(() if high is None else (high + 1,)))
    return low, high, tuple(n for n in past if n >= 0 and not fits(n, rule.min, rule.max))


# --- valid evidence -------------------------------------------------------------------------


def draw_split(draw: st.DrawFn, total: int, labels: Sequence[str], level: Level) -> dict[str, int]:
    """``total`` ballots over ``labels``: all in one tier, spread evenly, or at random."""
    k = len(labels)
    mode = 0 if level != "random" else draw(ints(0, 3))
    if mode == 0:
        counts = [0] * k
        at = {"best": 0, "worst": k - 1}.get(level)
        counts[at if at is not None else draw(ints(0, k - 1))] = total
    elif mode == 1:
        counts = [total // k + (1 if i < total % k else 0) for i in range(k)]
    else:
        cuts = sorted(draw(ints(0, total)) for _ in range(k - 1))
        counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    keep_zeros = draw(st.booleans())
    return {label: n for label, n in zip(labels, counts, strict=True) if n or keep_zeros}


# Composites are defined once, at module level: hypothesis reads a composite's source
# when it is defined, which is slow enough to matter if done per draw.


@st.composite
def _split(draw: st.DrawFn, total: int, labels: tuple[str, ...]) -> dict[str, int]:
    return draw_split(draw, total, labels, "random")


def _stratum_name(i: int) -> str:
    name = STRATUM_NAMES[i % len(STRATUM_NAMES)]
    return name if i < len(STRATUM_NAMES) else f"{name}{i // len(STRATUM_NAMES)}"


def _draw_strata(draw: st.DrawFn, rule: StratumRule, need: int) -> dict[str, int]:
    """Respondents per stratum, each within the rule (often at its ends), adding up to at least ``need``."""
    low, high, _ = stratum_edges(rule)
    soft_high = high if high is not None else low + 4
    k_min = 1 if high is None else max(1, ceil(need / high))
    counts = [
        draw(ints(low, soft_high)) if draw(st.booleans()) else (low, soft_high)[draw(ints(0, 1))]
        for _ in range(draw(ints(k_min, k_min + 3)))
    ]
    deficit, i = need - sum(counts), 0
    while deficit > 0:  # fill up to ``need``, stratum by stratum, never past the most
        add = deficit if high is None else min(high - counts[i], deficit)
        counts[i] += add
        deficit -= add
        i += 1
    return {_stratum_name(i): n for i, n in enumerate(counts)}


@st.composite
def _ballot(
    draw: st.DrawFn,
    labels: tuple[str, ...],
    need: int,
    rule: StratumRule | None,
    quorum: Fraction | None,
    covered: SearchStrategy[dict[str, Any]],
    level: Level,
) -> BallotEvidence:
    # Coverage first: each category's count is of respondents, so the ballots are at
    # least the largest of them (the kernel's coverage_shortfall, with ``most``).
    coverage = draw(covered)
    need = max(need, *(_count_of(form) for form in coverage.values()), 0)
    strata: dict[str, int] = {}
    if rule is not None:
        strata = _draw_strata(draw, rule, need)
        total = sum(strata.values())
    else:
        total = need + draw(_EXTRA_BALLOTS)
    tallies = draw_split(draw, total, labels, level)
    expected = None
    if quorum is not None:
        most = most_expected(quorum, total)
        expected = (total, most, draw(ints(total, most)))[draw(ints(0, 2))]
    return BallotEvidence(tallies, coverage, strata, expected)


def _count_of(form: Any) -> int:
    """How many a coverage form says were covered (a count, or ``{"count": n, ...}``)."""
    return int(form["count"]) if isinstance(form, dict) else int(form)


# --- the strategies object ------------------------------------------------------------------


class BallotStrategies:
    """Ballot instruments with every sampling rule, and their tallies."""

    weighable = True
    names: tuple[tuple[str, str], ...] = (
        ("appraisal", "民主测评"),
        ("interview", "个别谈话"),
        ("household_visit", "入户访谈"),
        ("satisfaction", "群众满意度测评"),
    )
    codes: frozenset[RC] = frozenset(
        {
            RC.UNKNOWN_TIER,
            RC.INVALID_COUNT,
            RC.TOO_FEW_RESPONDENTS,
            RC.TOO_MANY_RESPONDENTS,
            RC.BELOW_QUORUM,
            RC.INVALID_EVIDENCE,
            RC.COVERAGE_INCOMPLETE,
            RC.STRATA_MISSING,
            RC.STRATUM_OUT_OF_RANGE,
            RC.STRATA_MISMATCH,
        }
    )

    def instrument(self, draw: InstrumentDraw) -> None:
        """A scale, ``min_respondents``, now and then a ``quorum``, ``must_cover`` and ``per_stratum``."""
        d = draw.config
        sid = draw.scale()
        min_respondents = draw.pick(_MIN_RESPONDENTS)
        if draw.one_in(3):
            d["quorum"] = toml_number(draw.pick(_QUORUMS))
        draw.must_cover(PEOPLE)
        if draw.one_in(3):
            low = draw.between(0, 3)
            stratum: dict[str, Any] = {"min": low}
            if not draw.one_in(3):
                high = draw.between(max(low, 1), max(low, 1) + 3)
                stratum["max"] = high
                min_respondents = min(min_respondents, 4 * high)  # at most a few strata needed
            label = draw.pick(STRATUM_LABELS)
            if label:
                stratum["label"] = label
            d["per_stratum"] = stratum
        if min_respondents or draw.one_in(4):
            d["min_respondents"] = min_respondents
        points = draw.points(sid)
        if points is not None:
            draw.out_of(max(points))

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[BallotEvidence]:
        """Tallies of at least the fewest ballots (often exactly), strata within the rule
        adding up to them, ``expected`` meeting the quorum (often exactly), coverage."""
        ins = config_as(scheme, instrument_id, Ballot)
        need = least_total(ins, scheme)
        rule = ins.per_stratum
        if rule is not None and need > 0 and stratum_edges(rule)[1] == 0:
            raise InvalidArgument(
                f"instrument {instrument_id!r}: no evidence can meet per_stratum max = 0 with {need} ballots needed"
            )
        return _ballot(scheme.scales[ins.scale].labels, need, rule, ins.quorum, coverage(ins), level)

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """An unknown tier, a bad count, the wrong shape, one ballot too few, a quorum not
        met, coverage short, strata missing, out of range or not adding up."""
        ins = config_as(scheme, instrument_id, Ballot)
        labels = scheme.scales[ins.scale].labels
        valid = self.evidence(scheme, instrument_id, "random")
        need = least_total(ins, scheme)
        options: list[SearchStrategy[Any]] = [
            st.tuples(valid, unknown_tier(labels), st.integers(0, 5)).map(
                lambda t: attrs.evolve(t[0], tallies={**t[0].tallies, t[1]: t[2]})
            ),
            st.tuples(valid, st.sampled_from(labels), st.sampled_from(BAD_COUNTS)).map(
                lambda t: attrs.evolve(t[0], tallies={**t[0].tallies, t[1]: t[2]})
            ),
            wrong_shapes(kind_of(scheme, instrument_id), {"talies": {labels[0]: 1}}),
        ]
        if need > 0:  # one ballot fewer than the fewest
            options.append(st.tuples(valid, _split(need - 1, labels)).map(lambda t: attrs.evolve(t[0], tallies=t[1])))
        quorum = ins.quorum
        if quorum is not None:

            def bad_expected(e: BallotEvidence) -> SearchStrategy[BallotEvidence]:
                total = sum(e.tallies.values())
                # fewer expected than responded, one more than the quorum allows, not a count
                wrong = (None, total - 1, most_expected(quorum, total) + 1, "20", -3)
                return st.sampled_from(wrong).map(lambda x: attrs.evolve(e, expected=x))

            options.append(valid.flatmap(bad_expected))
        broken = broken_coverage(ins)
        if broken is not None:
            options.append(st.tuples(valid, broken).map(lambda t: attrs.evolve(t[0], coverage=t[1])))
        rule = ins.per_stratum
        if rule is not None:
            low, _, past = stratum_edges(rule)
            wrong_counts = (-1, "3", *past)
            fits_one = next((n for n in range(1, low + 2) if kernel.stratum_fits(n, rule.min, rule.max)), 1)

            def bad_strata(e: BallotEvidence) -> SearchStrategy[BallotEvidence]:
                first = next(iter(e.strata))
                return st.sampled_from(
                    (
                        attrs.evolve(e, strata={}),
                        attrs.evolve(e, strata={**e.strata, "外来户": fits_one}),  # no longer adds up
                        *(attrs.evolve(e, strata={**e.strata, first: c}) for c in wrong_counts),
                    )
                )

            options.append(valid.flatmap(bad_strata))
        return st.one_of(options)


BALLOT = BallotStrategies()
