"""Strategies for ``kind = "ledger"``: its instruments, ledgers of problems on their date, and ledgers it refuses.

An entry's status on the ledger's date is the kind's own rule
(:func:`villageeval._kinds.ledger.entry_status`): every entry drawn for a status is
checked against it, so valid evidence sits on the edges the rule draws (the deadline
day itself, a closure on the ledger's date, a closure not yet verified) with the
status the engine gives it. Every date of an entry is on or before the ledger's
``as_of`` and on or after the day the problem was ``found``, as the kind requires.

The sub-score is a count of entries (``measure``: those not closed by default), which
has no maximum: a ledger is never weighted, but generated rules compare its count
within the counts drawn here (``0`` to :data:`MOST_ENTRIES`), and its statuses are
the tiers ``share`` predicates read (``{ share = "ledger", tiers = ["overdue"], above = 0 }``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ...._kinds.ledger import MEASURES, STATUSES, Ledger, LedgerEvidence, Status, entry_status
from ...._model import Scheme
from ...._result import ReasonCode as RC
from .._dispatch import config_as, kind_of
from .._draws import ints
from .._invalid import wrong_shapes
from .._protocol import Level
from .._vocabulary import PROBLEMS

if TYPE_CHECKING:
    from .._instruments import InstrumentDraw

__all__ = ["LEDGER", "MOST_ENTRIES", "LedgerStrategies"]

#: The most entries valid evidence has (the count at ``best``).
MOST_ENTRIES = 5

#: The dates ledgers are read on: a year-end acceptance, a year's end, a half-year's end.
_AS_OF = (date(2015, 11, 20), date(2024, 12, 31), date(2023, 6, 30))
#: Days between two dates of an entry: often none or one (the edges of the rule), now and then many.
_DAYS = st.one_of(st.sampled_from((0, 1)), st.integers(0, 10), st.integers(0, 200))
_MEASURES = ("not_closed", "not_closed", "overdue", "open", "closed", "entries")

#: Dates written as no date the kind reads (another spelling, no such day, a time of day, a number).
_BAD_DATES: tuple[Any, ...] = ("2015-6-10", "2015-02-30", "2015年6月10日", "20150610", 20150610, datetime(2015, 6, 10))
#: Problems that are not a problem in words.
_BAD_PROBLEMS: tuple[Any, ...] = ("", " ", 3, None, ["清理三资"])
#: Entries that are no object.
_BAD_ENTRIES: tuple[Any, ...] = ("清理三资", 3, None, ["清理三资", "2015-06-10"])
#: Entries that are no array.
_BAD_LISTS: tuple[Any, ...] = ({"problem": "清理三资", "deadline": "2015-06-10"}, "清理三资", None, 3)


def _written(draw: st.DrawFn, day: date) -> Any:
    """A date as evidence gives it: ``"YYYY-MM-DD"`` (JSON) mostly, now and then a :class:`datetime.date`."""
    return day if draw(ints(0, 3)) == 0 else day.isoformat()


def _day(draw: st.DrawFn, start: date, sign: int) -> date:
    """A day on or after (``sign = 1``) or on or before (``-1``) ``start``."""
    return start + timedelta(days=sign * draw(_DAYS))


# Composites are defined once, at module level: hypothesis reads a composite's source
# when it is defined, which is slow enough to matter if done per draw.


@st.composite
def _entry(draw: st.DrawFn, as_of: date, status: Status) -> dict[str, Any]:
    """One entry with ``status`` on ``as_of`` (the kind's entry_status says so), its dates consistent."""
    closed: date | None
    if status == "closed":  # closed and verified by as_of, early or late against its deadline
        closed = _day(draw, as_of, -1)
        deadline = closed + timedelta(days=draw(st.integers(-60, 60)))
        verified = True
    else:
        # Overdue the day after its deadline, open until then; closed now and then, not yet verified.
        deadline = _day(draw, as_of - timedelta(days=1), -1) if status == "overdue" else _day(draw, as_of, 1)
        closed = _day(draw, as_of, -1) if draw(ints(0, 2)) == 0 else None
        verified = False
    found: date | None = None
    if draw(st.booleans()):
        found = _day(draw, min(as_of, deadline, *([closed] if closed else [])), -1)
    if entry_status(deadline, closed, verified, as_of) != status:
        raise AssertionError(f"the kind's entry_status does not give {status!r} to {deadline, closed, verified, as_of}")
    entry: dict[str, Any] = {"problem": draw(st.sampled_from(PROBLEMS))}
    if found is not None:
        entry["found"] = _written(draw, found)
    entry["deadline"] = _written(draw, deadline)
    if closed is not None:
        entry["closed"] = _written(draw, closed)
    elif draw(ints(0, 3)) == 0:
        entry["closed"] = None  # null: not closed
    if verified or draw(ints(0, 2)) == 0:
        entry["verified"] = verified
    return entry


@st.composite
def _ledger(draw: st.DrawFn, counted: frozenset[Status], level: Level) -> LedgerEvidence:
    """Entries on a drawn date: ``MOST_ENTRIES`` all of a counted status at best, a few of
    the others at worst (none when every status counts), any mix at random."""
    as_of = draw(st.sampled_from(_AS_OF))
    if level == "best":
        statuses = [draw(st.sampled_from(sorted(counted))) for _ in range(MOST_ENTRIES)]
    elif level == "worst":
        others = [s for s in STATUSES if s not in counted]
        statuses = [draw(st.sampled_from(others)) for _ in range(draw(ints(0, 3)))] if others else []
    else:
        statuses = [draw(st.sampled_from(STATUSES)) for _ in range(draw(ints(0, MOST_ENTRIES)))]
    entries = [draw(_entry(as_of, status)) for status in statuses]
    return LedgerEvidence(entries, _written(draw, as_of))


def _as_of(ev: LedgerEvidence) -> date:
    return ev.as_of if isinstance(ev.as_of, date) else date.fromisoformat(ev.as_of)


@st.composite
def _broken_entry(draw: st.DrawFn, valid: SearchStrategy[LedgerEvidence], how: str) -> LedgerEvidence:
    """Valid entries and one more, broken ``how``, at a drawn place among them."""
    ev = draw(valid)
    as_of = _as_of(ev)
    entry: Any = dict(draw(_entry(as_of, draw(st.sampled_from(STATUSES)))))
    if how == "shape":
        entry = draw(st.sampled_from(_BAD_ENTRIES))
    elif how == "key":
        entry[draw(st.sampled_from(("deadlne", "note", "status", "as_of")))] = "2015-06-10"
    elif how == "missing":
        del entry[draw(st.sampled_from(("problem", "deadline")))]
    elif how == "problem":
        entry["problem"] = draw(st.sampled_from(_BAD_PROBLEMS))
    elif how == "date":
        entry[draw(st.sampled_from(("found", "deadline", "closed")))] = draw(st.sampled_from(_BAD_DATES))
    elif how == "verified":
        entry["verified"] = draw(st.sampled_from(("是", 1, 0, None, "true")))
    elif how == "after_as_of":  # found, or closed, after the ledger's date
        entry[draw(st.sampled_from(("found", "closed")))] = _written(draw, as_of + timedelta(days=draw(ints(1, 30))))
    elif how == "before_found":  # the deadline, or the closure, before the problem was found
        key = "closed" if "closed" in entry and entry["closed"] is not None and draw(st.booleans()) else "deadline"
        given = entry[key]
        entry["found"] = _written(
            draw, (given if isinstance(given, date) else date.fromisoformat(given)) + timedelta(1)
        )
    elif how == "verified_not_closed":
        entry.pop("closed", None)
        entry["verified"] = True
    entries = list(ev.entries)
    entries.insert(draw(ints(0, len(entries))), entry)
    return LedgerEvidence(entries, ev.as_of)


_HOWS = ("shape", "key", "missing", "problem", "date", "verified", "after_as_of", "before_found", "verified_not_closed")


class LedgerStrategies:
    """Rectification ledgers: problems with deadlines, closed (销号) once verified, on the ledger's date."""

    weighable = False
    names: tuple[tuple[str, str], ...] = (("ledger", "整顿工作台账"), ("problem_list", "问题清单"))
    codes: frozenset[RC] = frozenset({RC.INVALID_EVIDENCE})

    def instrument(self, draw: InstrumentDraw) -> None:
        """Now and then a ``measure`` other than the default, who keeps it, ``required = false``;
        its statuses are the tiers ``share`` predicates read."""
        d = draw.config
        measure = draw.pick(_MEASURES)
        if measure != "not_closed" or draw.one_in(3):
            d["measure"] = measure
        draw.given_by()
        if not draw.weighted and draw.one_in(5):
            d["required"] = False
        draw.recorded = STATUSES
        draw.reach = (Fraction(0), Fraction(MOST_ENTRIES))

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[LedgerEvidence]:
        """Up to ``MOST_ENTRIES`` entries on a drawn ``as_of``, each closed, open or overdue,
        often at the edge of its status (due that very day, overdue by one, closed that day,
        closed but not verified); at best ``MOST_ENTRIES`` entries of statuses ``measure``
        counts, at worst a few of the others. Dates as text, now and then as dates."""
        ins = config_as(scheme, instrument_id, Ledger)
        return _ledger(MEASURES[ins.measure], level)

    def invalid_cases(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[tuple[Any, str]]:
        """Invalid evidence with the one reason code the kind gives for it, ``invalid_evidence``
        for each: an entry that is no object, with an unknown key, without its problem or
        deadline, with a problem not in words, a date that is none, ``verified`` that is no
        boolean, a date after the ledger's, a deadline or closure before the problem was
        found, verified but not closed; a ledger date that is none, entries that are no
        array; or the wrong shape."""
        ins = config_as(scheme, instrument_id, Ledger)
        valid = _ledger(MEASURES[ins.measure], "random")
        options: list[SearchStrategy[Any]] = [_broken_entry(valid, how) for how in _HOWS]
        options += [
            st.tuples(valid, st.sampled_from((*_BAD_DATES, None, "2015-11-31"))).map(
                lambda t: attrs.evolve(t[0], as_of=t[1])
            ),
            st.tuples(valid, st.sampled_from(_BAD_LISTS)).map(lambda t: attrs.evolve(t[0], entries=t[1])),
            wrong_shapes(kind_of(scheme, instrument_id), {"as_of": "2015-11-20", "entires": []}),
        ]
        return st.one_of(options).map(lambda e: (e, RC.INVALID_EVIDENCE))

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """The evidence of :meth:`invalid_cases`, each with one defect."""
        return self.invalid_cases(scheme, instrument_id).map(lambda case: case[0])


LEDGER = LedgerStrategies()
