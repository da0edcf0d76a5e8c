"""``kind = "ledger"``: a ledger of problems, each with a deadline, closed (销号) once verified.

003 五、(二): "逐个建立‘问题清单’，实行‘倒排工期、限时销号’管理"; 五、(五): "对照整顿工作台账 …
验收通过后即可销号". The evidence lists the problems found, each with its deadline, the
date it was closed (if it was) and whether the closure was verified, as the ledger
stood on its date ``as_of``. Each entry then has one status on that date:

- ``closed`` (已销号): closed on or before ``as_of``, and verified;
- ``overdue`` (逾期未销号): not closed and verified, and ``as_of`` is past its deadline;
- ``open`` (未到期): not closed and verified, and its deadline has not passed.

The kind records the entries per status as tallies, so that ``share`` predicates read
them (``{ share = "ledger", tiers = ["overdue"], above = 0 }``: a problem is overdue),
and its sub-score counts the entries ``measure`` names (by default those not closed:
``{ score = "ledger", equals = 0 }`` is "every problem closed").
Problems found later in the year (a weak organisation that joins the list, 二
"及时纳入重点整顿范围") are entries with a later ``found`` date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any, Literal

import attrs
from attrs import field, frozen

from .. import _model as m
from .._annotations import resolve_annotations
from .._catalogue import said
from .._hints import close_hint as hint
from .._hints import known_hint
from .._numbers import exact_text
from .._result import ReasonCode as RC
from .evidence import shown_value as _shown
from .spec import InstrumentKind, QuickScorer, Scoring

__all__ = [
    "LEDGER",
    "MEASURES",
    "STATUSES",
    "Ledger",
    "LedgerEvidence",
    "Measure",
    "Status",
    "entry_status",
    "read_date",
]

#: The status of a ledger entry on the ledger's date.
Status = Literal["closed", "open", "overdue"]

#: Every status, in the order the trace and the tallies give them.
STATUSES: tuple[Status, ...] = ("closed", "open", "overdue")

#: What a ledger's sub-score counts: the entries not closed (open or overdue), those of
#: one status, or every entry.
Measure = Literal["not_closed", "overdue", "open", "closed", "entries"]

#: The statuses each measure counts.
MEASURES: dict[str, frozenset[Status]] = {
    "not_closed": frozenset({"open", "overdue"}),
    "overdue": frozenset({"overdue"}),
    "open": frozenset({"open"}),
    "closed": frozenset({"closed"}),
    "entries": frozenset(STATUSES),
}

#: The keys of one entry, required first.
_REQUIRED = ("problem", "deadline")
_ENTRY_KEYS = (*_REQUIRED, "found", "closed", "verified")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@frozen
class Ledger:
    """A ledger of problems with deadlines, closed once verified; the sub-score counts entries by status."""

    title: str
    clause: str
    kind: Literal["ledger"] = "ledger"
    roles: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    measure: Measure = "not_closed"
    given_by: str = ""
    applies_when: m.Predicate | None = None
    required: bool = True


@frozen
class LedgerEvidence:
    """A ledger as it stood on its date: the problems found, each with its deadline and closure.

    Attributes:
        entries: the problems, in the ledger's order, each an object with ``problem``
            (text), ``deadline`` (a date), and optionally ``found``, ``closed`` (dates)
            and ``verified`` (a boolean). Kept as given; each is checked when the
            subject is graded.
        as_of: the date the ledger is read on (``"2015-11-20"``, the year-end
            acceptance): deadlines are compared with it.
    """

    entries: Any
    as_of: Any


def read_date(value: object) -> date | None:
    """A date as the evidence gives it: ``"YYYY-MM-DD"`` (JSON), or a :class:`datetime.date`
    (Python, a TOML case); None for anything else (a date-time, ``"2015-6-1"``, ``"2015-02-30"``)."""
    if type(value) is date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def entry_status(deadline: date, closed: date | None, verified: bool, as_of: date) -> Status:
    """An entry's status on ``as_of``: closed once closed and verified (销号); else overdue
    the day after its deadline, open until then."""
    if closed is not None and verified and closed <= as_of:
        return "closed"
    return "overdue" if as_of > deadline else "open"


def _share_reads(node: object, iid: str, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """The (key path, tier) of each tier that a ``share`` predicate or ranking key reads from ``iid``."""
    if isinstance(node, (m.ShareTest, m.ShareKey)):
        if node.share == iid:
            for i, tier in enumerate(node.tiers):
                yield (*path, "tiers", i), tier
        return
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _share_reads(value, iid, (*path, str(key)))
    elif isinstance(node, tuple):
        for i, value in enumerate(node):
            yield from _share_reads(value, iid, (*path, i))
    elif attrs.has(type(node)):
        for a in attrs.fields(type(node)):  # type: ignore[arg-type]  # attrs.has narrows no type
            yield from _share_reads(getattr(node, a.name), iid, (*path, a.name.rstrip("_")))


def validate(ins: Ledger, scheme: m.Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
    """Every ``share`` test of this ledger, and every ranking key, counts its statuses."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    # The engine checks a share's tiers against a scale; a ledger's "tiers" are its statuses.
    for where, tier in _share_reads(scheme, iid, ()):
        if tier not in STATUSES:
            out.append((where, f"unknown status {tier!r} of ledger {iid!r}{known_hint(tier, STATUSES)}"))
    return out


def score_range(ins: Ledger, scheme: m.Scheme) -> tuple[Fraction, Fraction] | None:
    """None: the sub-score is a count of entries, which has no maximum, so it is never weighted."""
    return None


class _Entry:
    """One entry, checked."""

    __slots__ = ("closed", "deadline", "found", "problem", "status", "verified")

    def __init__(
        self, problem: str, found: date | None, deadline: date, closed: date | None, verified: bool, status: Status
    ) -> None:
        self.problem = problem
        self.found = found
        self.deadline = deadline
        self.closed = closed
        self.verified = verified
        self.status = status


class BoundLedger:
    """A ledger instrument: the statuses its sub-score counts."""

    def __init__(self, ins: Ledger, scheme: m.Scheme, iid: str) -> None:
        self.ins = ins
        self.counted = MEASURES[ins.measure]

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        """Check every entry against the ledger's date; record the entries per status; count those measured."""
        if not isinstance(ev, LedgerEvidence):
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.shape"))
            return None
        ok = True
        as_of = read_date(ev.as_of)
        if as_of is None:
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.as_of", got=_shown(ev.as_of)))
            ok = False
        raw = ev.entries
        if isinstance(raw, (str, bytes, Mapping)) or not isinstance(raw, Sequence):
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.entries", got=_shown(raw)))
            return None
        entries: list[_Entry] = []
        for n, given in enumerate(raw, start=1):
            entry = self._entry(n, given, as_of, scoring)
            if entry is None:
                ok = False
            else:
                entries.append(entry)
        if not ok or as_of is None:
            return None
        counts: dict[str, int] = {status: sum(1 for e in entries if e.status == status) for status in STATUSES}
        scoring.record_tallies(counts, len(entries))
        value = Fraction(sum(n for status, n in counts.items() if status in self.counted))
        if scoring.tracing:
            for n, e in enumerate(entries, start=1):
                if e.closed is None:
                    state = said("kinds.ledger.state.not_closed")
                elif e.verified:
                    state = said("kinds.ledger.state.verified", closed=e.closed.isoformat())
                else:
                    state = said("kinds.ledger.state.unverified", closed=e.closed.isoformat())
                scoring.explain(
                    said(
                        "kinds.ledger.entry",
                        n=n,
                        problem=e.problem,
                        deadline=e.deadline.isoformat(),
                        state=state,
                        status=said(f"kinds.ledger.status.{e.status}"),
                    )
                )
            scoring.explain(
                said(
                    "kinds.ledger.summary",
                    as_of=as_of.isoformat(),
                    entries=len(entries),
                    closed=counts["closed"],
                    open=counts["open"],
                    overdue=counts["overdue"],
                    measure=said(f"kinds.ledger.measure.{self.ins.measure}"),
                    value=exact_text(value),
                )
            )
        return value

    def _entry(self, n: int, given: Any, as_of: date | None, scoring: Scoring) -> _Entry | None:
        """Entry ``n`` (from 1), every problem with it reported (those against the ledger's
        date only when ``as_of`` could be read)."""
        if not isinstance(given, Mapping):
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.entry_shape", n=n, got=_shown(given)))
            return None
        ok = True
        for key in given:
            if key not in _ENTRY_KEYS:
                scoring.problem(
                    RC.INVALID_EVIDENCE,
                    said("kinds.ledger.entry_key", n=n, key=repr(key), hint=hint(str(key), _ENTRY_KEYS)),
                )
                ok = False
        for key in _REQUIRED:
            if key not in given:
                scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.entry_missing", n=n, key=key))
                ok = False
        problem = given.get("problem")
        if "problem" in given and (not isinstance(problem, str) or not problem.strip()):
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.problem", n=n, got=_shown(problem)))
            ok = False
        dates: dict[str, date | None] = {}
        for key in ("found", "deadline", "closed"):
            value = given.get(key)
            if value is None:  # absent, or null: not found on record, not closed
                dates[key] = None
                continue
            dates[key] = read_date(value)
            if dates[key] is None:
                scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.date", n=n, key=key, got=_shown(value)))
                ok = False
        verified = given.get("verified", False)
        if type(verified) is not bool:
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.verified", n=n, got=_shown(verified)))
            ok = False
        if not ok:
            return None
        found, deadline, closed = dates["found"], dates["deadline"], dates["closed"]
        assert isinstance(problem, str)
        assert deadline is not None
        for key, when in (("found", found), ("closed", closed)):
            if when is not None and as_of is not None and when > as_of:
                scoring.problem(
                    RC.INVALID_EVIDENCE,
                    said("kinds.ledger.after_as_of", n=n, key=key, date=when.isoformat(), as_of=as_of.isoformat()),
                )
                ok = False
        if found is not None:
            for key, when in (("deadline", deadline), ("closed", closed)):
                if when is not None and when < found:
                    scoring.problem(
                        RC.INVALID_EVIDENCE,
                        said("kinds.ledger.before_found", n=n, key=key, date=when.isoformat(), found=found.isoformat()),
                    )
                    ok = False
        if verified and closed is None:
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.ledger.verified_not_closed", n=n))
            ok = False
        if not ok or as_of is None:
            return None
        return _Entry(problem, found, deadline, closed, verified, entry_status(deadline, closed, verified, as_of))

    def quick(self, keep: bool) -> QuickScorer | None:
        """None: ledgers are scored carefully every time (each entry is explained)."""
        return None


LEDGER = InstrumentKind(
    name="ledger",
    config=Ledger,
    score=None,
    score_range=score_range,
    evidence=LedgerEvidence,
    validate=validate,
    records="tallies",
    bind=BoundLedger,
    strategies="villageeval.testing.strategies._kinds:LEDGER",
)

resolve_annotations(globals())  # the converter and the docs' checks read real types
