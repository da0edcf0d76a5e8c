"""Reading and checking evidence, for every kind: shapes, coverage, exact numbers.

Evidence is read by the kind of the instrument it is for, never guessed from its keys:
a JSON object given for a ballot instrument is read as ballot tallies, and if it is
not one the subject is told so (``invalid_evidence``), with a did-you-mean for a
misspelt key. What cannot be read is kept, as :class:`~villageeval.MalformedEvidence`,
so that nothing the clerk typed is lost.
"""

from __future__ import annotations

import collections.abc
import typing
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from .. import _kernel as k
from .._catalogue import said
from .._catalogue import said as said_  # where a parameter is called ``said``
from .._cohort import (
    BallotEvidence,
    CustomEvidence,
    MalformedEvidence,
    PointsEvidence,
    RatingEvidence,
    ScoreEvidence,
)
from .._convert import Invalid, to_fraction
from .._hints import close_hint as hint
from .._hints import close_matches
from .._result import ReasonCode as RC
from .spec import Scoring

__all__ = [
    "DISCRIMINATOR",
    "MOST_COUNT",
    "check_coverage",
    "exact_number",
    "kind_mismatch",
    "legacy_reader",
    "quick_coverage",
    "reader_for",
    "shown_value",
    "whole_count",
    "with_kind",
]

#: How each built-in evidence class is written, for messages.
_SHAPES: dict[type, str] = {
    BallotEvidence: 'ballot tallies {"tallies": {...}}',
    RatingEvidence: 'a rating {"tier": ...}',
    ScoreEvidence: 'a score {"value": ...}',
    PointsEvidence: 'itemised points {"items": {...}}',
    CustomEvidence: '{"data": ...}',
}


def _is_mapping_field(a: attrs.Attribute[Any]) -> bool:
    tp = a.type
    origin = typing.get_origin(tp) if not isinstance(tp, str) else None
    return origin is collections.abc.Mapping or (isinstance(tp, str) and tp.startswith("Mapping["))


#: The optional key of an evidence object that names the kind of its instrument
#: (``{"kind": "ballot", "tallies": {...}}``): the discriminator of the cohort's JSON Schema
#: (``villageeval schema cohort``), so that generated classes can tell the shapes apart.
#: The readers check it against the instrument's kind and read the rest as without it.
DISCRIMINATOR = "kind"


def kind_mismatch(said: object, kind: str) -> str:
    """The problem of evidence whose ``kind`` key names another kind than its instrument's."""
    return said_("evidence.kind_mismatch", said=repr(said), kind=repr(kind))


def reader_for(cls: type, kind: str | None = None) -> Callable[[Any], Any]:
    """The reader of an attrs evidence class: an instance as it is; a JSON object whose
    keys are the class's fields (those without a default required, mappings checked to
    be objects) into one; anything else kept as :class:`MalformedEvidence`.

    ``kind``: the instrument kind the evidence is read for. A JSON object may then say
    so in its optional ``"kind"`` key (:data:`DISCRIMINATOR`); naming another kind is a
    problem saying both. A class with a field of that name reads the key itself.
    """
    fields = attrs.fields(cls)
    names = [a.name for a in fields]
    required = [a.name for a in fields if a.default is attrs.NOTHING]
    mappings = [a.name for a in fields if _is_mapping_field(a)]
    shape = _SHAPES.get(cls, f"{cls.__name__} {{{', '.join(repr(n) for n in names)}}}")
    discriminated = kind is not None and DISCRIMINATOR not in names
    known = [*names, DISCRIMINATOR] if discriminated else names

    def read(raw: Any) -> Any:
        if isinstance(raw, (cls, MalformedEvidence)):
            return raw
        if not isinstance(raw, Mapping):
            if attrs.has(type(raw)):
                return MalformedEvidence(raw, said("evidence.wrong_class", shape=shape, type=type(raw).__name__))
            return MalformedEvidence(raw, said("evidence.not_object", shape=shape))
        body = raw
        if discriminated and DISCRIMINATOR in raw:
            named = raw[DISCRIMINATOR]
            if named != kind or type(named) is not str:
                assert kind is not None
                return MalformedEvidence(raw, kind_mismatch(named, kind))
            body = {key: value for key, value in raw.items() if key != DISCRIMINATOR}
        absent = [n for n in required if n not in body]
        if absent:
            given: str = ", ".join(repr(key) for key in raw) or said("word.nothing")
            close = [c for key in raw if key not in known for c in close_matches(str(key), absent, n=1)]
            more = said("hint.did_you_mean", close=repr(close[0])) if close else ""
            return MalformedEvidence(raw, said("evidence.absent_keys", shape=shape, given=given, more=more))
        for key in body:
            if key not in names:
                return MalformedEvidence(raw, said("evidence.unknown_key", key=repr(key), hint=hint(str(key), known)))
        for key in mappings:
            if key in body and not isinstance(body[key], Mapping):
                return MalformedEvidence(raw, said("evidence.not_mapping", key=repr(key)))
        return cls(**body)

    return read


def with_kind(read: Callable[[Any], Any], kind: str) -> Callable[[Any], Any]:
    """A reader that checks and removes the optional ``"kind"`` key, then reads the rest
    with ``read`` (a plugin's own ``read_evidence``, or the reader by head key)."""

    def read_kind(raw: Any) -> Any:
        if isinstance(raw, Mapping) and DISCRIMINATOR in raw:
            said = raw[DISCRIMINATOR]
            if said != kind or type(said) is not str:
                return MalformedEvidence(raw, kind_mismatch(said, kind))
            return read({key: value for key, value in raw.items() if key != DISCRIMINATOR})
        return read(raw)

    return read_kind


# The shapes recognised by their head key, for plugin kinds that do not say which
# evidence they read (deprecated; see InstrumentKind.evidence).
_HEADS: dict[str, type] = {
    "tallies": BallotEvidence,
    "tier": RatingEvidence,
    "value": ScoreEvidence,
    "items": PointsEvidence,
    "data": CustomEvidence,
}
_HEAD_READERS = {head: reader_for(cls) for head, cls in _HEADS.items()}


def legacy_reader(raw: Any) -> Any:
    """Evidence recognised by its one head key (tallies, tier, value, items, data)."""
    if attrs.has(type(raw)):
        return raw
    if not isinstance(raw, Mapping):
        return MalformedEvidence(raw, said("evidence.legacy_not_object"))
    heads = [key for key in _HEADS if key in raw]
    if len(heads) != 1:
        what: str = said("word.none") if not heads else " and ".join(heads)
        more: str = ""
        if not heads:
            close = [c for key in raw for c in close_matches(str(key), list(_HEADS), n=1)]
            more = said("hint.did_you_mean", close=repr(close[0])) if close else ""
        return MalformedEvidence(raw, said("evidence.legacy_heads", heads=list(_HEADS), found=what, hint=more))
    return _HEAD_READERS[heads[0]](raw)


# --- numbers ----------------------------------------------------------------------------


#: The largest count of people any evidence may give: no meeting, village or province
#: comes near it, and a count past it is a slip (or an attack) that would print as a
#: number Python refuses to write out.
MOST_COUNT = 10**12


def shown_value(value: object) -> str:
    """A value as quoted in a message (``repr``), an enormous integer by its size."""
    from .._reading import int_text

    return int_text(value) if isinstance(value, int) and not isinstance(value, bool) else repr(value)


def whole_count(value: object) -> int | None:
    """A count as given: a whole number from 0 to :data:`MOST_COUNT` (not a bool, not 20.0), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST_COUNT:
        return None
    return value


def exact_number(value: object, what: str, scoring: Scoring) -> Fraction | None:
    """An exact number from evidence (int, Decimal, Fraction, ``"86.5"``, ``"1690/19"``),
    or None with the problem reported (a float is refused: it is not what was typed)."""
    if isinstance(value, float):
        scoring.problem(RC.INVALID_EVIDENCE, said("evidence.float", what=what))
        return None
    try:
        return to_fraction(value)
    except Invalid as e:
        scoring.problem(RC.INVALID_EVIDENCE, said("evidence.number", what=what, problem=e.message))
        return None


# --- coverage -----------------------------------------------------------------------------


def _every_member(config: Any) -> bool:
    return getattr(config, "cover", "at_least_one") == "every_member"


def check_coverage(config: Any, coverage: Mapping[str, Any], scoring: Scoring, most: int | None = None) -> bool:
    """Whether every category the instrument ``must_cover`` was covered; each shortfall reported.

    ``most``: the respondents there were (a ballot's ballots), which no count may pass.
    """
    categories: tuple[str, ...] = getattr(config, "must_cover", ())
    every = _every_member(config)
    ok = True
    for category in categories:
        raw = coverage.get(category)
        if raw is None:
            unknown = sorted(key for key in coverage if key not in categories)
            scoring.problem(
                RC.COVERAGE_INCOMPLETE,
                said("coverage.none_of", category=category, categories=categories, hint=hint(category, unknown)),
            )
            ok = False
            continue
        if isinstance(raw, Mapping):
            count, of = whole_count(raw.get("count")), raw.get("of")
            size = whole_count(of) if of is not None else None
            if count is None or (of is not None and size is None) or set(raw) - {"count", "of"}:
                scoring.problem(RC.INVALID_EVIDENCE, said("coverage.bad_pair", category=category, got=repr(raw)))
                ok = False
                continue
        else:
            count, size = whole_count(raw), None
            if count is None:
                scoring.problem(
                    RC.INVALID_EVIDENCE, said("coverage.bad_count", category=category, got=shown_value(raw))
                )
                ok = False
                continue
        short = k.coverage_shortfall(count, size, every, most)
        if short is None:
            continue
        ok = False
        if short == "over":
            scoring.problem(RC.INVALID_EVIDENCE, said("coverage.over_size", count=count, category=category, size=size))
        elif short == "over_respondents":
            scoring.problem(
                RC.INVALID_EVIDENCE, said("coverage.over_respondents", count=count, category=category, most=most)
            )
        elif short == "unknown_size":
            scoring.problem(RC.COVERAGE_INCOMPLETE, said("coverage.unknown_size", category=category))
        elif every:
            scoring.problem(RC.COVERAGE_INCOMPLETE, said("coverage.short", count=count, size=size, category=category))
        else:
            scoring.problem(RC.COVERAGE_INCOMPLETE, said("coverage.none", category=category))
    return ok


def quick_coverage(config: Any) -> Callable[[Mapping[str, Any], int | None], bool] | None:
    """Whether coverage in its plain form is complete, for the quick path (None: nothing to cover).

    The plain forms are ``{"count": n, "of": n}`` for ``every_member`` and a count for
    ``at_least_one``; anything else takes the careful path, which says what is wrong.
    The tests are :func:`villageeval._kernel.coverage_shortfall` solved for the plain
    forms (none: ``count == of``, or ``count ≥ 1``; and no more than ``most``, the
    ballots, when given, nor than :data:`MOST_COUNT`, past which the careful path says a
    count is not one), written out because this runs for every category of every
    subject; ``tests/test_kernel.py`` holds them to the kernel.
    """
    categories: tuple[str, ...] = getattr(config, "must_cover", ())
    if not categories:
        return None

    if _every_member(config):

        def every_member(coverage: Mapping[str, Any], most: int | None) -> bool:
            for category in categories:
                raw = coverage.get(category)
                if type(raw) is not dict or len(raw) != 2:
                    return False
                count, of = raw.get("count"), raw.get("of")
                if type(count) is not int or type(of) is not int or count < 0 or count != of or count > MOST_COUNT:
                    return False
                if most is not None and count > most:
                    return False
            return True

        return every_member

    def at_least_one(coverage: Mapping[str, Any], most: int | None) -> bool:
        for category in categories:
            raw = coverage.get(category)
            if type(raw) is not int or raw < 1 or raw > MOST_COUNT or (most is not None and raw > most):
                return False
        return True

    return at_least_one
