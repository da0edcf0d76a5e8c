"""What an instrument kind is: the declaration plugins register, and its normalised form.

An :class:`InstrumentKind` says everything villageeval needs to know about one way
of turning evidence into a sub-score: the TOML keys of its instruments (``config``),
how its evidence is read from the cohort, how it is scored and within what range,
how its instruments are validated, and what it records for rules to read. The four
built-in kinds (``ballot``, ``rating``, ``score``, ``points``) are declared this way
too, and registered through the same hook as a plugin's, by villageeval's built-in
plugin: there is no branch anywhere that knows a kind by its name.

:class:`Kind` is the form the engine uses: every optional part filled in with its
documented default, so that the engine calls each part the same way for every kind.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs
from attrs import frozen

from .._errors import PluginError

if TYPE_CHECKING:
    from .._context import RuleContext, State
    from .._model import Scheme

__all__ = [
    "MEMO_BOUND",
    "Bound",
    "EvidenceProblem",
    "InstrumentKind",
    "Kind",
    "KindDeprecationWarning",
    "QuickScorer",
    "Records",
    "Scoring",
    "normalise",
]

#: How many sub-scores (or graded totals) a quick scorer keeps, by the integers that
#: give them: a mean of 30 ballots over three tiers takes few values, a total rounded
#: to a whole point about 100.
MEMO_BOUND = 4096

#: What an instrument's scoring records for rules to read: ``tallies`` (ballot counts
#: by tier, for ``share`` predicates and ranking keys) or ``tier`` (the tier a group
#: gave, for ``rating`` predicates).
Records = Literal["tallies", "tier"]

#: Problems a kind's validation finds: (key path from the top of the scheme, message).
KindProblems = Iterable[tuple[Sequence[str | int], str]]


class KindDeprecationWarning(DeprecationWarning):
    """A plugin instrument kind relies on behaviour that goes away in a later release."""


class EvidenceProblem(Exception):
    """Raised by an instrument kind's scorer (or evidence reader) for evidence it cannot score.

    The subject gets ``insufficient_evidence`` with ``code`` and ``message``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: ``quick(evidence, state, instrument id)``: the sub-score of plainly valid evidence as
#: ``(sub-score, numerator, denominator)`` (``(None, 0, 1)``: valid but not scored), or
#: ``None`` when the evidence is not plainly valid (the engine then takes the careful
#: path, which says why). It records into ``state.tallies`` / ``state.tiers`` when built
#: to keep them.
QuickScorer = Callable[[Any, "State", str], "tuple[Fraction | None, int, int] | None"]


class Scoring:
    """What a scorer may do while it scores one instrument of one subject.

    Given to :meth:`Bound.score`: report problems (each one makes the subject
    ``insufficient_evidence``, and every one is listed), explain the numbers for the
    trace, and record what rules read (tallies, the tier given).
    """

    __slots__ = ("clause", "instrument", "state", "title", "tracing")

    def __init__(self, state: State, instrument: str, title: str, clause: str) -> None:
        self.state = state
        self.instrument = instrument
        self.title = title
        self.clause = clause
        #: Whether the subject's trace is kept: build explanations only then.
        self.tracing = state.trace is not None

    @property
    def context(self) -> RuleContext:
        """The read-only view of the subject, for scorers that read more than their evidence."""
        return self.state.context()

    def problem(self, code: str, message: str) -> None:
        """One thing wrong with the evidence: ``code`` (a reason code) and what, in words."""
        from .._catalogue import said
        from .._context import reason

        wrapped = said("evidence.problem", instrument=self.instrument, title=self.title, problem=message)
        reason(self.state, code, wrapped, self.instrument)

    def explain(self, message: str) -> None:
        """A step of the trace: how the sub-score was reached (``message`` after the title)."""
        trace = self.state.trace
        if trace is not None:
            from .._catalogue import step_text
            from .._result import TraceStep

            iid = self.instrument
            explained = step_text("step.score", instrument=iid, title=self.title, detail=message)
            trace.append(TraceStep("score", explained, iid, self.clause))

    def record_tallies(self, counts: Mapping[str, int], ballots: int) -> None:
        """The validated ballot counts by tier, for ``share`` predicates and ranking keys."""
        self.state.tallies[self.instrument] = (counts, ballots)

    def record_tier(self, tier: str) -> None:
        """The tier given, for ``rating`` predicates."""
        self.state.tiers[self.instrument] = tier


class Bound(Protocol):
    """One instrument of a scheme, bound to that scheme: its scorers, ready to call."""

    def score(self, evidence: Any, scoring: Scoring) -> Fraction | None:
        """The sub-score; ``None`` with problems reported, or ``None`` for valid evidence
        that gives no score (a ballot on a scale without points)."""

    def quick(self, keep: bool) -> QuickScorer | None:
        """A scorer of plainly valid evidence for the quick path (``keep``: record tallies
        and tiers), or ``None`` to score every subject with :meth:`score`."""


@frozen
class InstrumentKind:
    """A way to score evidence, registered through ``villageeval_register_instrument_kinds``.

    Attributes:
        name: what a scheme writes as ``kind = "..."``.
        config: an attrs class whose fields are the instrument's TOML keys. It must
            have ``title`` and ``clause`` (str) and a ``kind`` field, and may have
            ``roles`` (tuple of str), ``out_of`` (Fraction), ``applies_when``,
            ``must_cover`` and ``cover`` like the built-in kinds.
        score: ``score(config, evidence, context) -> Fraction``, with ``context`` a
            read-only :class:`~villageeval.RuleContext`; raise
            :class:`EvidenceProblem` for evidence it cannot score.
        score_range: ``score_range(config)`` (or ``score_range(config, scheme)``)
            ``-> (lowest, highest)``: what ``score`` can return, so that ``check`` can
            prove the grade bands cover every possible total; ``None`` when the
            instrument gives no score.
        evidence: the class of its evidence. A cohort's JSON object for an instrument
            of this kind is read into it (its keys are the class's fields, each
            checked; an unknown key is a problem with a did-you-mean). ``None`` (the
            default, deprecated for one release): recognised by its head key among
            the built-in shapes, as it was before kinds chose their evidence.
        read_evidence: ``read_evidence(raw) -> evidence``, replacing the reading by
            ``evidence``; raise :class:`EvidenceProblem` for a malformed one.
        out_of: ``out_of(config) -> Fraction``, the sub-score that earns the full
            weight; by default the config's ``out_of`` field, else 100.
        validate: ``validate(config, scheme, instrument_id)`` → ``(key path, message)``
            pairs, the key path from the top of the scheme, for problems the
            converter cannot see (a scale that must exist, bounds that must agree).
        records: ``"tallies"`` or ``"tier"``: what its scoring records for ``share``
            or ``rating`` predicates (through :class:`Scoring`); ``None`` for neither.
        bind: ``bind(config, scheme, instrument_id) -> Bound``, for kinds that compile
            their scorers once per scheme and explain their numbers (the built-in
            kinds do); replaces ``score``.
        vectorised: ``"module:name"`` of its form over arrays for
            :mod:`villageeval.columnar`, imported only there; ``None``: subjects of
            a role with such an instrument are graded by the pure-Python engine.
        strategies: ``"module:name"`` of its hypothesis strategies for
            :mod:`villageeval.testing.strategies`, imported only there.
    """

    name: str
    config: type
    score: Callable[[Any, Any, Any], Fraction] | None
    score_range: Callable[..., tuple[Fraction, Fraction] | None]
    evidence: type | None = None
    read_evidence: Callable[[Any], Any] | None = None
    out_of: Callable[[Any], Fraction] | None = None
    validate: Callable[[Any, Any, str], KindProblems] | None = None
    records: Records | None = None
    bind: Callable[[Any, Any, str], Bound] | None = None
    vectorised: str | None = None
    strategies: str | None = None


@frozen
class Kind:
    """An :class:`InstrumentKind` with every part in one calling form (what the engine uses).

    Attributes:
        declared: the kind as its plugin registered it.
        plugin: the name of that plugin.
    """

    declared: InstrumentKind
    plugin: str
    read: Callable[[Any], Any]
    score_range: Callable[[Any, Scheme], tuple[Fraction, Fraction] | None]

    @property
    def name(self) -> str:
        return self.declared.name

    @property
    def config(self) -> type:
        return self.declared.config

    @property
    def records(self) -> Records | None:
        return self.declared.records

    def out_of(self, config: Any) -> Fraction:
        """The sub-score that earns the instrument's full weight."""
        if self.declared.out_of is not None:
            return Fraction(self.declared.out_of(config))
        value = getattr(config, "out_of", None)
        return Fraction(100) if value is None else Fraction(value)

    def validate(self, config: Any, scheme: Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
        """The kind's own problems with one instrument (key paths from the top of the scheme)."""
        if self.declared.validate is None:
            return []
        out = []
        for item in self.declared.validate(config, scheme, iid) or ():
            path, message = item
            out.append((tuple(path), message))
        return out

    def bind(self, config: Any, scheme: Scheme, iid: str) -> Bound:
        """The instrument's scorers, compiled once for the scheme."""
        if self.declared.bind is not None:
            return self.declared.bind(config, scheme, iid)
        from .plugin import PluginBound

        return PluginBound(self, config, scheme)


def _arity(fn: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: the documented form
        return 1
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 2
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def normalise(kind: InstrumentKind, plugin: str) -> Kind:
    """Check a registered kind and fill in its defaults.

    Raises:
        PluginError: the config is not an attrs class with ``title``, ``clause`` and
            ``kind``, or neither ``score`` nor ``bind`` is given; the message names
            the plugin.
    """
    from .evidence import legacy_reader, reader_for, with_kind

    names = {a.name for a in attrs.fields(kind.config)} if attrs.has(kind.config) else set()
    missing = {"title", "clause", "kind"} - names
    if missing:
        raise PluginError(
            f"plugin {plugin!r}: instrument kind {kind.name!r} has config {kind.config.__name__}, "
            f"which lacks the field(s) {', '.join(sorted(missing))} "
            "(it must be an attrs class with title, clause, kind)"
        )
    if kind.score is None and kind.bind is None:
        raise PluginError(f"plugin {plugin!r}: instrument kind {kind.name!r} needs a score (or a bind) function")
    # Every reader takes the optional "kind" key of a JSON object and checks it names this kind.
    if kind.read_evidence is not None:
        read = with_kind(kind.read_evidence, kind.name)
    elif kind.evidence is not None:
        read = reader_for(kind.evidence, kind.name)
    else:
        warnings.warn(
            f"plugin {plugin!r}: instrument kind {kind.name!r} does not say which evidence it reads; "
            "its evidence is recognised by its head key, which goes away in a later release: "
            "set InstrumentKind(evidence=...) (for example villageeval.ScoreEvidence) or read_evidence",
            KindDeprecationWarning,
            stacklevel=2,
        )
        read = with_kind(legacy_reader, kind.name)
    declared_range = kind.score_range
    if _arity(declared_range) >= 2:
        score_range = declared_range
    else:

        def score_range(config: Any, scheme: Scheme) -> tuple[Fraction, Fraction] | None:
            return declared_range(config)

    return Kind(kind, plugin, read, score_range)
