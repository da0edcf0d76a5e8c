"""One subject being graded: the engine's working state, and the read-only view rules get.

The engine owns :class:`State` and is the only code that writes it. Everything a
scheme's author or a plugin supplies (Python predicates, outcome adjusters, the
scorers of plugin instrument kinds) sees the subject through a
:class:`RuleContext`, a view that cannot be written: a rule that could change a
sub-score, or another rule's grade, would make outcomes depend on the order rules
run in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ._catalogue import code_name, step_text
from ._result import Reason, TraceStep

if TYPE_CHECKING:
    from ._cohort import Subject
    from ._model import Scheme

__all__ = ["NO_PLACES", "PredicateFunction", "RuleContext", "State", "reason", "step"]

#: The places of a subject that no ranking ranks (shared: most subjects have none).
NO_PLACES: Mapping[str, Any] = MappingProxyType({})


class State:
    """The engine's working state for one subject (private: rules read a :class:`RuleContext`).

    Built-in rules are compiled to closures over a ``State`` and read its slots
    directly: they are the engine's own code, and this is the hot path.
    """

    __slots__ = (
        "adjustments",
        "ceiling",
        "cohort",
        "display",
        "facts",
        "flags",
        "grade",
        "period",
        "places",
        "raw_grade",
        "reasons",
        "role",
        "rounded",
        "scheme",
        "scores",
        "status",
        "subject",
        "tallies",
        "tiers",
        "total",
        "trace",
        "view",
    )

    def __init__(
        self,
        subject: Subject,
        scheme: Scheme,
        period: str,
        trace: bool,
        cohort: tuple[Subject, ...] = (),
    ) -> None:
        self.subject = subject
        self.facts: Mapping[str, Any] = subject.facts
        self.role = subject.role
        self.scheme = scheme
        self.period = period
        self.scores: dict[str, Fraction] = {}
        self.tallies: dict[str, tuple[Mapping[str, int], int]] = {}
        self.tiers: dict[str, str] = {}
        self.cohort = cohort
        self.total: Fraction | None = None
        self.rounded: Fraction | None = None
        self.display: str | None = None
        self.grade: str | None = None
        self.raw_grade: str | None = None
        self.ceiling = 0
        self.status = "graded"
        # Tuples, grown by concatenation: most subjects never have any, and an
        # outcome takes them as they are.
        self.reasons: tuple[Any, ...] = ()
        self.adjustments: tuple[Any, ...] = ()
        self.flags: tuple[str, ...] = ()
        self.trace: list[Any] | None = [] if trace else None
        self.view: RuleContext | None = None
        # Ranking id → the subject's Placing, once the rankings have run (_rankings).
        self.places: Mapping[str, Any] = NO_PLACES

    def context(self) -> RuleContext:
        """The read-only view of this subject, built once, when a plugin first needs it."""
        view = self.view
        if view is None:
            view = self.view = RuleContext(self)
        return view


def reason(state: State, code: str, message: str, instrument: str | None = None) -> None:
    """Record why a subject cannot be graded (and say so in its trace, when it is kept).

    ``code`` is a :class:`~villageeval.ReasonCode` (stored as its plain text) or a
    plugin kind's own code; ``message`` is English, a :class:`~villageeval._catalogue.Said`
    for the engine's own messages so that it can be shown in Chinese too.
    """
    code = str(code)
    state.reasons += (Reason(code, message, instrument),)
    if state.trace is not None:
        state.trace.append(
            TraceStep("evidence", step_text("step.reason", code=code_name(code), message=message), instrument)
        )


def step(
    state: State, kind: str, key: str, rule: str | None = None, clause: str | None = None, /, **params: Any
) -> None:
    """One step of a subject's trace, when its trace is kept: the catalogue's entry ``key``
    with ``params`` (rendered only then)."""
    if state.trace is not None:
        state.trace.append(TraceStep(kind, step_text(key, **params), rule, clause))


class RuleContext:
    """What a predicate, a plugin's scorer or an outcome adjuster sees of one subject.

    Read-only: every attribute is a value or a read-only mapping, and setting one is
    an ``AttributeError``.

    Attributes:
        subject: the :class:`~villageeval.Subject` as given.
        facts: its facts, with the scheme's declared defaults filled in.
        role: its role id.
        scheme: the scheme being applied.
        period: the cohort's period (or the scheme's).
        scores: instrument id → exact sub-score, for instruments scored so far.
        tallies: ballot instrument id → (validated ballot counts by tier label, ballots).
        tiers: rating instrument id → the tier given.
        cohort: every subject of the cohort, sorted by id, for rules that
            compare subjects (a secretary's pledges against the director's).
        total: the exact weighted total, once computed.
        rounded: the total after the scheme's rounding, once computed.
        display: the total as people see it (decimal text), once computed.
        grade: the current grade (raw, then adjusted, then final).
        places: ranking id → the subject's place, once the rankings have run.
    """

    __slots__ = ("_state",)
    _state: State

    def __init__(self, state: State) -> None:
        object.__setattr__(self, "_state", state)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RuleContext is read-only: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RuleContext is read-only: cannot delete {name!r}")

    def __repr__(self) -> str:
        s = self._state
        return f"RuleContext(subject={s.subject.id!r}, role={s.role!r}, grade={s.grade!r})"

    @property
    def subject(self) -> Subject:
        return self._state.subject

    @property
    def facts(self) -> Mapping[str, Any]:
        return MappingProxyType(dict(self._state.facts))

    @property
    def role(self) -> str:
        return self._state.role

    @property
    def scheme(self) -> Scheme:
        return self._state.scheme

    @property
    def period(self) -> str:
        return self._state.period

    @property
    def scores(self) -> Mapping[str, Fraction]:
        return MappingProxyType(self._state.scores)

    @property
    def tallies(self) -> Mapping[str, tuple[Mapping[str, int], int]]:
        return MappingProxyType(self._state.tallies)

    @property
    def tiers(self) -> Mapping[str, str]:
        return MappingProxyType(self._state.tiers)

    @property
    def cohort(self) -> tuple[Subject, ...]:
        return self._state.cohort

    @property
    def total(self) -> Fraction | None:
        return self._state.total

    @property
    def rounded(self) -> Fraction | None:
        return self._state.rounded

    @property
    def display(self) -> str | None:
        return self._state.display

    @property
    def grade(self) -> str | None:
        return self._state.grade

    @property
    def places(self) -> Mapping[str, Any]:
        """Ranking id → the subject's :class:`~villageeval.Placing`, once the rankings have
        run: for predicates of findings and consequences (an adjuster runs before them)."""
        return MappingProxyType(dict(self._state.places))


#: A Python predicate: ``(context) -> bool``. It must return a real bool.
PredicateFunction = Callable[[RuleContext], bool]
