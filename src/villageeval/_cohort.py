"""The cohort: subjects and their evidence, from Python or from JSON.

Evidence is held *as given*: a tally of ``-3`` or a tier nobody declared is kept,
not rejected here, because bad evidence must become an explicit per-subject status
(``insufficient_evidence`` with the reason) rather than an exception that loses the
rest of the cohort. A JSON object stays as it was read until the subject is graded,
when the kind of the instrument it is for reads it: only the instrument knows which
shape its evidence has. Only problems that
make the cohort itself unreadable (not JSON, no ids, duplicate ids) raise
:class:`~villageeval.CohortError`, listing all of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Union

import attrs
from attrs import field, frozen

from ._annotations import resolve_annotations
from ._errors import CohortError, Problem
from ._hints import close_matches
from ._reading import NotJson, NotText, json_too_deep, load_json, read_text
from ._text import forbidden_character, nfc
from ._types import (
    expect_cohort,
    expect_cohort_data,
    expect_text,
    subject_decision,
    subject_evidence,
    subject_facts,
    subject_field_error,
    subject_groups,
    subject_history,
    subject_notes,
    subject_outcomes,
    subjects_of,
    type_error,
)

__all__ = [
    "BallotEvidence",
    "Cohort",
    "CustomEvidence",
    "Evidence",
    "MalformedEvidence",
    "PointsEvidence",
    "RatingEvidence",
    "ScoreEvidence",
    "Subject",
    "cohort_from_dict",
    "cohort_to_dict",
    "load_cohort",
    "loads_cohort",
]

COHORT_FORMAT = 1


def _frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@frozen
class BallotEvidence:
    """Ballots tallied by tier label, with the sampling facts that back them.

    Attributes:
        tallies: tier label → number of ballots.
        coverage: respondent category → count, or ``{"count": n, "of": m}``
            when every member of the category must be covered.
        strata: stratum (e.g. natural village) → respondents in it.
        expected: how many were expected to respond, for a quorum.
    """

    tallies: Mapping[str, Any] = field(converter=_frozen_map)
    coverage: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)
    strata: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)
    expected: Any = None


@frozen
class RatingEvidence:
    """One tier given by a group."""

    tier: Any
    coverage: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)


@frozen
class ScoreEvidence:
    """A score given directly (exact: int, Decimal, Fraction or a decimal string)."""

    value: Any
    coverage: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)


@frozen
class PointsEvidence:
    """Points per item (or deductions, for ``deduct`` items) and a bonus."""

    items: Mapping[str, Any] = field(converter=_frozen_map)
    bonus: Any = None
    coverage: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)


@frozen
class CustomEvidence:
    """Evidence for an instrument kind a plugin registers, as given (``{"data": ...}``)."""

    data: Any
    coverage: Mapping[str, Any] = field(factory=dict, converter=_frozen_map)


@frozen
class MalformedEvidence:
    """Evidence whose shape was not recognised; kept so nothing is lost."""

    raw: Any
    problem: str


Evidence = Union[BallotEvidence, RatingEvidence, ScoreEvidence, PointsEvidence, CustomEvidence, MalformedEvidence]


@frozen
class Subject:
    """Someone or something graded: a team, a secretary, a village.

    Attributes:
        id: unique within the cohort.
        role: one of the scheme's role ids.
        name: display name (村“两委”班子, a person's name).
        unit: the village or community it belongs to.
        groups: group kind → group, splitting quota populations
            (``{"township": "…乡"}``).
        evidence: instrument id → evidence: an evidence object (``BallotEvidence``,
            ...) or the JSON object as read, which the instrument's kind reads when the
            subject is graded.
        facts: named facts for predicates (booleans or numbers).
        history: earlier period → final grade, for rules over history.
        outcomes: other assessment id → grade, for caps linking assessments.
        notes: free text carried through to the outcome unchanged, by heading
            (a work group's 运行情况 / 存在问题 / 下一步打算 for the village).
        decision: the committee's decision on the subject's grade, when it has taken one:
            ``grade`` (required), ``reason``, ``by``, ``date`` (texts). The final grade
            follows it, as an adjustment of kind ``decision``, if vetoes and hard quotas
            allow it; empty: no decision.
    """

    id: str
    role: str
    name: str = ""
    unit: str = ""
    groups: Mapping[str, str] = field(factory=dict, converter=subject_groups)
    evidence: Mapping[str, Any] = field(factory=dict, converter=subject_evidence)
    facts: Mapping[str, Any] = field(factory=dict, converter=subject_facts)
    history: Mapping[str, str] = field(factory=dict, converter=subject_history)
    outcomes: Mapping[str, str] = field(factory=dict, converter=subject_outcomes)
    notes: Mapping[str, str] = field(factory=dict, converter=subject_notes)
    decision: Mapping[str, str] = field(factory=dict, converter=subject_decision)

    def __attrs_post_init__(self) -> None:
        # One call and four ``type() is str`` for the texts: subjects are built by the
        # hundred thousand, and a wrong one must fail here, naming the field, not as an
        # AttributeError deep in the engine. The slow path lets str subclasses through.
        if not (
            type(self.id) is str
            and type(self.role) is str
            and type(self.name) is str
            and type(self.unit) is str
            and self.id
            and self.role
        ):
            self._check_texts()

    def _check_texts(self) -> None:
        """Raise for the first text field that is not one (TypeError) or is empty (ValueError)."""
        for name, required in (("id", True), ("role", True), ("name", False), ("unit", False)):
            value = getattr(self, name)
            if not isinstance(value, str) or (required and not value):
                subject_field_error(name, value, required=required)


def _subjects(value: Iterable[Subject]) -> tuple[Subject, ...]:
    # A typed converter: with a bare ``tuple`` type checkers reject Cohort([subject, ...]).
    # A text, a mapping or a path is refused: tuple() would make characters or keys of it.
    return subjects_of(value)


@frozen
class Cohort:
    """The subjects evaluated together (quotas count within them)."""

    subjects: tuple[Subject, ...] = field(converter=_subjects)
    period: str = ""
    scheme: str | None = None

    def __attrs_post_init__(self) -> None:
        if type(self.period) is not str or not (self.scheme is None or type(self.scheme) is str):
            expect_text(self.period, "period", owner="Cohort")
            expect_text(self.scheme, "scheme", optional=True, owner="Cohort")
        if not set(map(type, self.subjects)) <= {Subject}:  # at C speed: 2 ms for 100,000
            self._check_subjects()
        if len({s.id for s in self.subjects}) == len(self.subjects):
            return  # no duplicates: the usual case, checked at C speed
        seen: dict[str, int] = {}
        problems = []
        for i, s in enumerate(self.subjects):
            if s.id in seen:
                problems.append(
                    Problem(
                        ("subjects", i, "id"),
                        f"duplicate subject id {s.id!r} (also subjects[{seen[s.id]}])",
                        code="duplicate_id",
                    )
                )
            else:
                seen[s.id] = i
        if problems:
            raise CohortError(problems)

    def _check_subjects(self) -> None:
        """Raise a TypeError naming the first of ``subjects`` that is not a Subject."""
        for i, s in enumerate(self.subjects):
            if not isinstance(s, Subject):
                hint = "build it with villageeval.Subject(id=..., role=...)"
                if isinstance(s, Mapping):
                    hint = "a subject's JSON form is read by villageeval.cohort_from_dict({'subjects': [...]})"
                raise type_error(f"subjects[{i}]", "a villageeval.Subject", s, hint, owner="Cohort")


_SUBJECT_KEYS = [a.name for a in attrs.fields(Subject)]
#: The keys of a subject's ``decision``: the grade decided, and why, by whom, when.
DECISION_KEYS = ("grade", "reason", "by", "date")


def cohort_from_dict(data: Any, *, source: str | None = None) -> Cohort:
    """Build a :class:`Cohort` from the JSON interchange form (see ``docs/interchange.md``).

    Raises:
        CohortError: listing every problem that makes the cohort unreadable.
    """
    expect_cohort_data(data, source)
    problems: list[Problem] = []

    def bad(path: tuple[str | int, ...], message: str) -> None:
        code = "duplicate_id" if message.startswith("duplicate subject id") else "cohort_format"
        problems.append(Problem(path, message, source, code=code))

    if not isinstance(data, dict):
        raise CohortError(
            [Problem((), "a cohort is a JSON object with a 'subjects' array", source, code="cohort_format")]
        )
    fmt = data.get("format", COHORT_FORMAT)
    if fmt != COHORT_FORMAT:
        bad(("format",), f"unsupported cohort format {fmt!r} (this villageeval reads format {COHORT_FORMAT})")
    for key in data:
        if key not in ("format", "scheme", "period", "subjects"):
            bad((key,), f"unknown cohort key {key!r}")
    raw_subjects = data.get("subjects")
    if not isinstance(raw_subjects, list):
        bad(("subjects",), "must be an array of subjects")
        raw_subjects = []
    subjects: list[Subject] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_subjects):
        path: tuple[str | int, ...] = ("subjects", i)
        if not isinstance(raw, dict):
            bad(path, "a subject is an object with at least 'id' and 'role'")
            continue
        raw = nfc(raw)  # one spelling per text: an id typed here and pasted there is one id
        ok = _names_printable(raw, path, bad)
        for key in raw:
            if key not in _SUBJECT_KEYS:
                close = close_matches(key, _SUBJECT_KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                bad((*path, key), f"unknown subject key {key!r}{hint}")
                ok = False
        for key in ("id", "role"):
            if not isinstance(raw.get(key), str) or not raw.get(key):
                bad((*path, key), f"must be a non-empty string (got {raw.get(key)!r})")
                ok = False
        for key in ("name", "unit"):
            if key in raw and not isinstance(raw[key], str):
                bad((*path, key), "must be a string")
                ok = False
        for key in ("groups", "evidence", "facts", "history", "outcomes", "notes", "decision"):
            if key in raw and not isinstance(raw[key], dict):
                bad((*path, key), "must be an object")
                ok = False
        decision = raw.get("decision")
        if isinstance(decision, dict):
            for key in decision:
                if key not in DECISION_KEYS:
                    close = close_matches(str(key), DECISION_KEYS, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    bad((*path, "decision", key), f"unknown decision key {key!r}{hint}")
                    ok = False
            if "grade" not in decision:
                bad((*path, "decision"), "a decision gives the grade the committee decided on: 'grade' is missing")
                ok = False
        for key in ("groups", "history", "outcomes", "notes", "decision"):
            for k, v in (raw.get(key) or {}).items() if isinstance(raw.get(key), dict) else ():
                if not isinstance(v, str):
                    bad((*path, key, k), f"must be a string (got {v!r})")
                    ok = False
        sid = raw.get("id")
        if isinstance(sid, str):
            if sid in seen:
                bad((*path, "id"), f"duplicate subject id {sid!r} (also subjects[{seen[sid]}])")
                ok = False
            else:
                seen[sid] = i
        if not ok:
            continue
        # Kept as given: each instrument's kind reads its own evidence when the subject is
        # graded, so a shape is never guessed from its keys (docs/interchange.md).
        evidence = dict(raw.get("evidence") or {})
        subjects.append(
            Subject(
                id=raw["id"],
                role=raw["role"],
                name=raw.get("name", ""),
                unit=raw.get("unit", ""),
                groups=raw.get("groups") or {},
                evidence=evidence,
                facts=raw.get("facts") or {},
                history=raw.get("history") or {},
                outcomes=raw.get("outcomes") or {},
                notes=raw.get("notes") or {},
                decision=raw.get("decision") or {},
            )
        )
    period = nfc(data.get("period", ""))
    if not isinstance(period, str):
        bad(("period",), 'must be a string such as "2023"')
        period = ""
    scheme = data.get("scheme")
    if scheme is not None and not isinstance(scheme, str):
        bad(("scheme",), "must be a scheme id")
        scheme = None
    if problems:
        raise CohortError(problems)
    return Cohort(tuple(subjects), period=period, scheme=scheme)


def _names_printable(raw: dict[str, Any], path: tuple[str | int, ...], bad: Any) -> bool:
    """Whether the texts that name things (id, role, name, unit, groups, history, outcomes,
    evidence ids) are free of control characters, which would forge what is printed."""
    ok = True
    named: list[tuple[tuple[str | int, ...], Any]] = [
        ((*path, key), raw.get(key)) for key in ("id", "role", "name", "unit")
    ]
    for key in ("groups", "history", "outcomes", "evidence"):
        part = raw.get(key)
        if isinstance(part, dict):
            for k, v in part.items():
                named.append(((*path, key, k), k))
                if key != "evidence":
                    named.append(((*path, key, k), v))
    for where, text in named:
        if isinstance(text, str):
            char = forbidden_character(text)
            if char is not None:
                bad(where, f"must not hold a control character ({char!r}): it would forge what is printed")
                ok = False
    return ok


def loads_cohort(text: str, *, source: str | None = None) -> Cohort:
    """Parse a cohort from JSON text; numbers are read exactly (as decimals).

    What JSON readers let through silently or crash on is refused here, each with its
    line (``_reading.load_json``): a key given twice in one object (``{"好": 20, "好": 2}``),
    ``NaN`` and ``Infinity``, numbers beyond the bounds (``1e999999999``), nesting deeper
    than the reader can take, or than the cohort's own walk of its texts can follow.
    """
    return _parsed([text], source)


def _parsed(holder: list[str], source: str | None, reread: Callable[[], str] | None = None) -> Cohort:
    """The cohort of a JSON text. With ``reread`` (a file's text, which nobody else holds)
    the text is let go as soon as it is parsed, and read again only to say where a problem
    found later is: for a province it is a quarter of a gigabyte, otherwise alive while
    the subjects are built. ``holder`` holds the text, so that nothing else needs to."""
    try:
        data = load_json(holder[0])
    except NotJson as e:
        raise CohortError([Problem(f.path, f.message, source, f.line, code=f.code) for f in e.problems]) from None
    if reread is not None:
        holder.clear()
    try:
        return cohort_from_dict(data, source=source)
    except RecursionError:  # hundreds of levels, which json.loads took: say where, not crash
        found = json_too_deep(holder[0] if holder else reread() if reread is not None else "")
        raise CohortError([Problem(found.path, found.message, source, found.line, code=found.code)]) from None


def load_cohort(path: str | os.PathLike[str]) -> Cohort:
    """Read a cohort JSON file: UTF-8, with or without a byte order mark.

    Raises:
        CohortError: the file is not UTF-8 text (UTF-16, GBK, binary: said so, with the
            byte offset and line), not JSON the cohort reader takes, or not a cohort.
        OSError: the file cannot be read.
    """
    p = Path(path)
    try:
        holder = [read_text(p)]  # held here only: let go once parsed
    except NotText as e:
        raise CohortError([Problem((), e.message, str(p), e.line, code="not_text")]) from None
    return _parsed(holder, str(p), reread=lambda: read_text(p))


def _plain(value: Any) -> Any:
    from fractions import Fraction

    if isinstance(value, Fraction):
        from ._convert import unstructure_number

        return unstructure_number(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _evidence_to_dict(ev: Any) -> Any:
    if isinstance(ev, MalformedEvidence):
        return _plain(ev.raw)
    if not attrs.has(type(ev)):  # as read from JSON
        return _plain(ev)
    data = attrs.asdict(ev, recurse=False)
    return {k: _plain(v) for k, v in data.items() if v not in (None, {}) or k in ("tallies", "items")}


def cohort_to_dict(cohort: Cohort) -> dict[str, Any]:
    """The JSON interchange form of a cohort (inverse of :func:`cohort_from_dict`)."""
    expect_cohort(cohort)
    subjects = []
    for s in cohort.subjects:
        d: dict[str, Any] = {"id": s.id, "role": s.role}
        if s.name:
            d["name"] = s.name
        if s.unit:
            d["unit"] = s.unit
        for key in ("groups", "facts", "history", "outcomes", "notes", "decision"):
            value = getattr(s, key)
            if value:
                d[key] = _plain(value)
        if s.evidence:
            d["evidence"] = {k: _evidence_to_dict(v) for k, v in s.evidence.items()}
        subjects.append(d)
    out: dict[str, Any] = {"format": COHORT_FORMAT}
    if cohort.scheme:
        out["scheme"] = cohort.scheme
    if cohort.period:
        out["period"] = cohort.period
    out["subjects"] = subjects
    return out


resolve_annotations(globals())  # the converter and the docs' checks read real types
