"""What an evaluation returns: one outcome per subject, quota usage, warnings.

Everything needed to explain a grade is kept on the outcome: the reasons for a
status, every adjustment with the rule id and clause that made it, the
consequences, and the trace of each step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import Enum
from fractions import Fraction
from typing import Literal

import attrs
from attrs import define, field, frozen

__all__ = [
    "EVIDENCE_CODES",
    "Adjustment",
    "ConsequenceOutcome",
    "FindingOutcome",
    "Outcome",
    "PopulationUsage",
    "Reason",
    "ReasonCode",
    "Result",
    "Status",
    "TraceStep",
]

Status = Literal["graded", "insufficient_evidence", "ineligible"]


class ReasonCode(str, Enum):
    """Every reason villageeval gives for a subject it does not grade (``Reason.code``).

    The values are the stable codes of the result interchange (``docs/interchange.md``
    lists each, and a test holds the two together). A plugin's instrument kind may give
    codes of its own (:class:`~villageeval.EvidenceProblem`); they are not members.
    """

    MISSING_EVIDENCE = "missing_evidence"
    INVALID_EVIDENCE = "invalid_evidence"
    UNKNOWN_TIER = "unknown_tier"
    INVALID_COUNT = "invalid_count"
    TOO_FEW_RESPONDENTS = "too_few_respondents"
    TOO_MANY_RESPONDENTS = "too_many_respondents"
    BELOW_QUORUM = "below_quorum"
    COVERAGE_INCOMPLETE = "coverage_incomplete"
    STRATA_MISSING = "strata_missing"
    STRATUM_OUT_OF_RANGE = "stratum_out_of_range"
    STRATA_MISMATCH = "strata_mismatch"
    OUT_OF_RANGE = "out_of_range"
    MISSING_FACT = "missing_fact"
    INVALID_FACT = "invalid_fact"
    UNKNOWN_FACT = "unknown_fact"
    INVALID_HISTORY = "invalid_history"
    MISSING_HISTORY = "missing_history"
    NO_TOTAL = "no_total"
    MISSING_OUTCOME = "missing_outcome"
    INVALID_OUTCOME = "invalid_outcome"
    INELIGIBLE = "ineligible"

    def __str__(self) -> str:
        return self.value


#: The codes an instrument's evidence can get (the rest are about facts, linked
#: outcomes, totals and eligibility).
EVIDENCE_CODES: frozenset[ReasonCode] = frozenset(
    {
        ReasonCode.MISSING_EVIDENCE,
        ReasonCode.INVALID_EVIDENCE,
        ReasonCode.UNKNOWN_TIER,
        ReasonCode.INVALID_COUNT,
        ReasonCode.TOO_FEW_RESPONDENTS,
        ReasonCode.TOO_MANY_RESPONDENTS,
        ReasonCode.BELOW_QUORUM,
        ReasonCode.COVERAGE_INCOMPLETE,
        ReasonCode.STRATA_MISSING,
        ReasonCode.STRATUM_OUT_OF_RANGE,
        ReasonCode.STRATA_MISMATCH,
        ReasonCode.OUT_OF_RANGE,
    }
)


@frozen
class Reason:
    """Why a subject is not graded: a stable ``code`` and an English message.

    ``code`` is a :class:`ReasonCode` value (as plain text), or a plugin kind's own code.
    """

    code: str
    message: str
    instrument: str | None = None
    rule: str | None = None
    clause: str | None = None


@frozen
class Adjustment:
    """A change of grade after banding: by a veto, a cap, a quota or a plugin."""

    rule: str
    kind: Literal["veto", "cap", "quota", "plugin"]
    clause: str
    from_grade: str
    to_grade: str
    note: str = ""


@frozen
class ConsequenceOutcome:
    """What follows from the outcome, per the scheme's consequence rules."""

    rule: str
    clause: str
    text: str


@frozen
class FindingOutcome:
    """Something the scheme's findings record about the subject (a problem type found).

    ``detail`` is the text of the subject's note the finding names, if any.
    """

    rule: str
    clause: str
    text: str
    detail: str = ""


@frozen
class TraceStep:
    """One step of the evaluation of a subject, as the explanation shows it."""

    step: str
    message: str
    rule: str | None = None
    clause: str | None = None


@define
class Outcome:
    """The outcome for one subject.

    ``score`` is the exact weighted total; ``rounded_score`` what the grading
    used after the scheme's rounding; ``score_display`` the decimal shown to
    people. ``raw_grade`` is what the score (or conditions) gave, ``final_grade``
    what stands after vetoes, caps, quotas and plugins.

    Treat an outcome as read-only (use :func:`attrs.evolve` for a changed copy).
    Unlike the other result classes it is not frozen: one is built for every
    subject of a cohort, and a frozen attrs class with this many fields takes
    about five times as long to build (see ``docs/performance.md``).
    """

    subject_id: str
    role: str
    status: Status
    name: str = ""
    unit: str = ""
    reasons: tuple[Reason, ...] = ()
    score: Fraction | None = None
    rounded_score: Fraction | None = None
    score_display: str | None = None
    instrument_scores: Mapping[str, Fraction] = field(factory=dict)
    raw_grade: str | None = None
    final_grade: str | None = None
    adjustments: tuple[Adjustment, ...] = ()
    consequences: tuple[ConsequenceOutcome, ...] = ()
    findings: tuple[FindingOutcome, ...] = ()
    notes: Mapping[str, str] = field(factory=dict)
    flags: tuple[str, ...] = ()
    trace: tuple[TraceStep, ...] = ()


@frozen
class PopulationUsage:
    """How one quota stood in one population (e.g. one township's secretaries)."""

    quota: str
    clause: str
    grade: str
    bound: Literal["at_most", "at_least"]
    enforce: Literal["hard", "soft"]
    group: str | None
    size: int
    limit: int
    holders_before: int
    holders_after: int
    moved: tuple[str, ...] = ()
    ties: tuple[str, ...] = ()
    status: Literal["ok", "demoted", "promoted", "warned", "unmet"] = "ok"


@frozen
class Result:
    """The outcomes of one cohort under one scheme, with its audit stamp.

    ``scheme_hash`` is a content hash of the resolved scheme and ``version``
    villageeval's version, so a stored result can be traced to the exact
    rules that produced it.
    """

    scheme_id: str
    scheme_hash: str
    version: str
    period: str
    outcomes: tuple[Outcome, ...]
    populations: tuple[PopulationUsage, ...] = ()
    warnings: tuple[str, ...] = ()
    _index: Mapping[str, Outcome] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {o.subject_id: o for o in self.outcomes})

    def outcome(self, subject_id: str) -> Outcome:
        """The outcome of one subject; ``KeyError`` if it is not in the cohort."""
        return self._index[subject_id]

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)


for _cls in list(globals().values()):
    if isinstance(_cls, type) and attrs.has(_cls) and _cls.__module__ == __name__:
        attrs.resolve_types(_cls, globals())
del _cls
