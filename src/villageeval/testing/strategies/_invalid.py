"""The defects every kind's invalid evidence is made of, and the codes they give.

A kind's strategies combine these with defects of their own rules; the reason codes
are the engine's (:class:`~villageeval.ReasonCode`), not a second list kept here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ..._cohort import BallotEvidence, MalformedEvidence, PointsEvidence, RatingEvidence, ScoreEvidence
from ..._kinds.item_ballot import ItemBallotEvidence
from ..._kinds.ledger import LedgerEvidence
from ..._kinds.spec import Kind
from ..._result import EVIDENCE_CODES
from ._vocabulary import ALL_TIERS

__all__ = ["BAD_COUNTS", "BAD_NUMBERS", "INVALID_EVIDENCE_CODES", "unknown_tier", "wrong_shapes"]

#: Every reason code that evidence from :func:`invalid_evidence` can produce: the codes
#: an instrument's evidence can get. Which ones an instrument can produce depends on
#: its kind and sampling rules (each kind's strategies declare theirs as ``codes``):
#:
#: - any kind: ``invalid_evidence`` (evidence of another kind's shape, or
#:   evidence whose shape the cohort reader did not recognise);
#: - ballot: ``unknown_tier``, ``invalid_count``, ``too_few_respondents``,
#:   ``below_quorum`` and ``invalid_evidence`` (with a ``quorum``),
#:   ``strata_missing``, ``stratum_out_of_range``, ``strata_mismatch`` and
#:   ``invalid_count`` (with ``per_stratum``);
#: - rating: ``unknown_tier``;
#: - score: ``out_of_range``, ``invalid_evidence`` (a float or a non-number);
#: - points: ``missing_evidence`` (an item without points), ``invalid_evidence``
#:   (an unknown item, a float, a bonus the instrument does not have),
#:   ``out_of_range`` (a negative item or bonus, an award item above its max);
#: - item_ballot: ``unknown_tier``, ``invalid_count`` and ``too_few_respondents``
#:   (for one item), ``invalid_evidence`` (an entry of the wrong shape, an item
#:   without a name, more ballots on an item than ``expected``, an ``expected``
#:   that is no count);
#: - ledger: ``invalid_evidence`` (an entry of the wrong shape, a date that is none,
#:   dates out of order, verified but not closed, entries that are no array);
#: - any kind with ``must_cover``: ``coverage_incomplete`` (a category missing or
#:   not covered enough) and ``invalid_evidence`` (malformed coverage, or more
#:   covered than there are).
INVALID_EVIDENCE_CODES: frozenset[str] = frozenset(code.value for code in EVIDENCE_CODES)

#: Counts that are not whole numbers ≥ 0 (``invalid_count``).
BAD_COUNTS: tuple[Any, ...] = (-1, True, Decimal("2.5"), "3", None, 1.0)
#: Values that are not exact numbers (``invalid_evidence``).
BAD_NUMBERS: tuple[Any, ...] = (85.5, "八十五", None, True, "", [1])

_ONE_ITEM: Any = {"修通村组道路": {"tallies": {"满意": 1}}}
#: Evidence of each built-in shape: given to an instrument of another kind, it is the wrong shape.
_SHAPES: tuple[Any, ...] = (
    BallotEvidence({"好": 1}),
    RatingEvidence("好"),
    ScoreEvidence(1),
    PointsEvidence({"x": 1}),
    ItemBallotEvidence(_ONE_ITEM),
    LedgerEvidence([], "2015-11-20"),
)


def unknown_tier(labels: Sequence[str]) -> SearchStrategy[str]:
    """A tier that is not one of ``labels``."""
    return st.sampled_from([t for t in (*ALL_TIERS, "未评") if t not in labels])


def wrong_shapes(kind: Kind, misspelt: Any) -> SearchStrategy[Any]:
    """Evidence of another kind's shape, or what the kind's own reader makes of ``misspelt``
    (raw JSON with its head key misspelt) and of evidence that is no JSON object."""
    shapes: list[Any] = []
    for raw in (misspelt, ["not", "an", "object"]):
        read = kind.read(raw)
        if isinstance(read, MalformedEvidence):  # what the engine reports as invalid_evidence
            shapes.append(read)
    if not shapes:
        shapes.append(MalformedEvidence(misspelt, "evidence of no shape the cohort reader knows"))
    evidence = kind.declared.evidence
    if evidence is not None:
        shapes += [e for e in _SHAPES if not isinstance(e, evidence)]
    return st.sampled_from(shapes)
