"""Evidence for one instrument, valid or not, drawn by its kind's strategies."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ... import _model as m
from ..._cohort import Evidence, MalformedEvidence
from ._dispatch import config_of, kind_of, strategies_of
from ._protocol import Level, PluginEvidence

__all__ = ["evidence", "invalid_evidence", "valid_evidence"]


def valid_evidence(
    scheme: m.Scheme, instrument_id: str, plugin_evidence: PluginEvidence | None, level: Level = "random"
) -> SearchStrategy[Any]:
    """Valid evidence for one instrument at ``level``: from ``plugin_evidence`` for its kind
    if given there, else from its kind's strategies.

    Raises:
        InvalidArgument: no such instrument, or a kind with no strategies and none in ``plugin_evidence``.
    """
    name = config_of(scheme, instrument_id).kind
    if plugin_evidence and isinstance(name, str) and name in plugin_evidence:
        return plugin_evidence[name](scheme.instruments[instrument_id])
    strategies = strategies_of(kind_of(scheme, instrument_id))
    if strategies is None:
        raise InvalidArgument(
            f"instrument {instrument_id!r} is of the kind {name!r}, whose spec names no strategies: "
            f"pass plugin_evidence={{{name!r}: ...}} with a strategy of valid evidence for it (CustomEvidence, say), "
            'or give the kind InstrumentKind(strategies="pkg.module:NAME")'
        )
    return strategies.evidence(scheme, instrument_id, level)


def evidence(
    scheme: m.Scheme, instrument_id: str, *, plugin_evidence: PluginEvidence | None = None
) -> SearchStrategy[Evidence]:
    """Valid evidence for one instrument of ``scheme``: it never makes a subject insufficient.

    Why: the building block of :func:`subjects` and :func:`cohorts`, and what to
    draw when testing code that collects or checks one kind of evidence.

    - ballot: tallies over the scale's tiers (all in one tier, spread evenly, or
      at random, zero tiers sometimes written out) with at least
      ``min_respondents`` ballots (often exactly that many) and at least one on
      a scale with points; ``strata`` within ``per_stratum``'s ``min`` and
      ``max`` (often at them) adding up to the tallies; ``expected`` that meets
      the ``quorum`` (often exactly); ``coverage`` of every ``must_cover``
      category in the ``cover`` mode;
    - rating: a tier of the scale, with coverage;
    - score: a value in ``[min, max]`` (often at a bound) as ``int``,
      :class:`~fractions.Fraction` or :class:`~decimal.Decimal`, with coverage;
    - points: every item within its maximum (deductions sometimes beyond it:
      they stop at zero), a bonus only if the instrument has one (sometimes
      above its cap, which is capped), with coverage;
    - item_ballot: up to five items, each with at least the fewest ballots,
      confirmed or rejected (often exactly at the ``reject_when`` bound), and
      now and then ``expected``, at least any item's ballots;
    - ledger: up to five entries on a drawn ``as_of``, each closed, open or
      overdue (often due that very day, or closed that day), dates in order;
    - any other kind: what the strategies object its spec names draws
      (``InstrumentKind(strategies="pkg.module:NAME")``), or what
      ``plugin_evidence[kind](instrument)`` draws; ``plugin_evidence`` takes
      precedence, and a kind with neither is an error naming it.

    Example::

        @given(evidence(huining, "household_visit"))
        def test_collector_accepts(ev):
            assert sum(ev.strata.values()) == sum(ev.tallies.values())
    """
    return valid_evidence(scheme, instrument_id, plugin_evidence)


def invalid_evidence(scheme: m.Scheme, instrument_id: str) -> SearchStrategy[Evidence]:
    """Evidence for one instrument that makes a subject ``insufficient_evidence``.

    Why: to test that code never grades a subject on thin or broken evidence,
    and handles the explicit status instead. Each value has at least one defect,
    chosen among those the instrument's rules make possible (a ``quorum``
    defect only for an instrument with a quorum, and so on); the rest is valid.
    The reason codes it can produce are :data:`INVALID_EVIDENCE_CODES` (the list
    there says which for each kind; each kind's strategies declare theirs as
    ``codes``); every defect gives at least one of them. For a kind whose spec
    names no strategies, only evidence its reader cannot read is drawn.

    A subject is ``ineligible`` rather than insufficient when an eligibility
    rule holds for it, whatever its evidence: test this on subjects no
    eligibility rule applies to.

    Example::

        @given(subjects(huining, role="team"), invalid_evidence(huining, "appraisal"))
        def test_never_graded(subject, broken):
            subject = attrs.evolve(subject, evidence={**subject.evidence, "appraisal": broken})
            outcome = ve.evaluate(huining, ve.Cohort([subject])).outcome(subject.id)
            assert outcome.status == "insufficient_evidence"
            assert {r.code for r in outcome.reasons} <= INVALID_EVIDENCE_CODES
    """
    kind = kind_of(scheme, instrument_id)
    strategies = strategies_of(kind)
    if strategies is not None:
        return strategies.invalid_evidence(scheme, instrument_id)
    # Without strategies only an unreadable shape is sure to fail, whatever the kind accepts.
    return st.just(MalformedEvidence(["not", "an", "object"], "evidence of no shape the cohort reader knows"))
