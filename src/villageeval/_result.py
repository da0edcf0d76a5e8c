"""What an evaluation returns: one outcome per subject, quota usage, warnings.

Everything needed to explain a grade is kept on the outcome: the reasons for a
status, every adjustment with the rule id and clause that made it, the
consequences, and the trace of each step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from fractions import Fraction
from typing import Literal

from attrs import define, field, frozen

from ._annotations import resolve_annotations

__all__ = [
    "EVIDENCE_CODES",
    "Adjustment",
    "ConsequenceOutcome",
    "FindingOutcome",
    "Outcome",
    "Placing",
    "PluginStamp",
    "PopulationUsage",
    "Reason",
    "ReasonCode",
    "Result",
    "Status",
    "TraceStep",
]

Status = Literal["graded", "insufficient_evidence", "ineligible", "referred"]


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
    RULED_INSUFFICIENT = "ruled_insufficient"
    REFERRED = "referred"
    DECISION_CONFLICT = "decision_conflict"

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
    ``message`` is English; the engine's messages remember their catalogue entry, so the
    same reason can be shown in Chinese (:func:`villageeval.render_reason`).
    """

    code: str
    message: str
    instrument: str | None = None
    rule: str | None = None
    clause: str | None = None


@frozen
class Adjustment:
    """A change of grade after banding: by a veto, a cap, a quota, a plugin or the committee's decision."""

    rule: str
    kind: Literal["veto", "cap", "quota", "plugin", "decision"]
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
    """One step of the evaluation of a subject, as the explanation shows it.

    ``step`` is the kind of step (``evidence``, ``score``, ``total``, ``grade``, ``veto``...),
    ``message`` the English text, which for the engine's own steps remembers its catalogue
    entry (:func:`villageeval.render_step` shows it in Chinese); a plugin's own text is
    shown as it is in every language.
    """

    step: str
    message: str
    rule: str | None = None
    clause: str | None = None


@frozen
class Placing:
    """A subject's place in one of the scheme's rankings (``Outcome.rank[<ranking id>]``).

    ``place`` counts from 1, best first; subjects equal on every key of the ranking
    share a place (并列), the next place skipping as many (1, 2, 2, 4), and each lists
    the others in ``tied_with``. ``of`` is how many were ranked in the population,
    ``group`` the population's group when the ranking is per group.
    """

    place: int
    of: int
    group: str | None = None
    tied_with: tuple[str, ...] = ()


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
    proposed_grade: str | None = None
    rank: Mapping[str, Placing] = field(factory=dict)


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
    referred: tuple[str, ...] = ()


@frozen
class PluginStamp:
    """One plugin that took part in an evaluation, as the result's audit lists it.

    Attributes:
        name: the plugin's name in its registry (``villageeval._builtin``,
            ``rules:<scheme id>``, an entry point's name).
        distribution: the distribution that installed it (``villageeval``), or what
            stands for one (``rules.py of <scheme id>``, ``(registered in code)``).
        version: the distribution's version (``-`` for a ``rules.py`` or a plugin
            registered in code).
        code_hash: ``sha256:<hex>`` of the plugin module's source file, when it has
            one (a ``rules.py``, an installed module); None otherwise.
    """

    name: str
    distribution: str
    version: str
    code_hash: str | None = None


class DeferredHash:
    """A hash computed the first time it is read, then kept (see :attr:`Result.cohort_hash`)."""

    __slots__ = ("_compute", "_value")

    def __init__(self, compute: Callable[[], str]) -> None:
        self._compute: Callable[[], str] | None = compute
        self._value: str | None = None

    def get(self) -> str:
        if self._value is None:
            assert self._compute is not None
            self._value = self._compute()
            self._compute = None  # and what it refers to (a cohort) with it
        return self._value


@frozen
class Result:
    """The outcomes of one cohort under one scheme, with its audit stamp.

    ``scheme_hash`` is a content hash of the resolved scheme and ``version``
    villageeval's version, so a stored result can be traced to the exact
    rules that produced it; ``cohort_hash`` identifies the cohort graded (the same
    subjects and evidence give the same hash, however their JSON was written),
    ``decision_id`` (a UUID4) and ``evaluated_at`` (ISO 8601 UTC, to the second) this
    evaluation, and ``plugins`` every plugin that took part, with its version and a
    hash of its code. A result built by hand may leave the audit fields out.

    ``cohort_hash`` of a result from :func:`~villageeval.evaluate` is computed the
    first time it is read (writing the result's JSON reads it), from the cohort the
    result keeps until then: hashing a province's cohort takes about half as long as
    grading it without traces, which callers that never store the result need not pay.
    """

    scheme_id: str
    scheme_hash: str
    version: str
    period: str
    outcomes: tuple[Outcome, ...]
    populations: tuple[PopulationUsage, ...] = ()
    warnings: tuple[str, ...] = ()
    _cohort_hash: str | DeferredHash = field(default="", alias="cohort_hash", eq=False, repr=False)
    decision_id: str = ""
    evaluated_at: str = ""
    plugins: tuple[PluginStamp, ...] = ()
    _index: Mapping[str, Outcome] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {o.subject_id: o for o in self.outcomes})

    @property
    def cohort_hash(self) -> str:
        """``sha256:<hex>`` of the cohort's canonical JSON ("" for a result built without it)."""
        value = self._cohort_hash
        return value if isinstance(value, str) else value.get()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Result)
        return (
            self.scheme_id,
            self.scheme_hash,
            self.version,
            self.period,
            self.outcomes,
            self.populations,
            self.warnings,
            self.cohort_hash,
            self.decision_id,
            self.evaluated_at,
            self.plugins,
        ) == (
            other.scheme_id,
            other.scheme_hash,
            other.version,
            other.period,
            other.outcomes,
            other.populations,
            other.warnings,
            other.cohort_hash,
            other.decision_id,
            other.evaluated_at,
            other.plugins,
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # outcomes are mutable: a result is not hashable

    def outcome(self, subject_id: str) -> Outcome:
        """The outcome of one subject; ``KeyError`` if it is not in the cohort."""
        return self._index[subject_id]

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)


resolve_annotations(globals())  # the converter and the docs' checks read real types
