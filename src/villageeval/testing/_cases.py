"""Scheme cases as data: a cohort in, the outcomes expected out.

A case lives in a scheme directory's ``cases/`` as TOML (the format is in
``docs/testing.md``): ``[[subjects]]`` like the cohort JSON, optional
``[parameters]`` overrides, and ``[expected.<subject id>]`` with only the keys
the case is about. ``villageeval test`` and the pytest plugin both run cases
through :func:`run_case`, so a case fails the same way everywhere: a
per-subject diff of what was expected and what came.

A case is read as strictly as ``villageeval check`` reads a scheme: a misspelt key
or an expectation that cannot come out (a status that does not exist, a grade that
is not a label of the scheme) would otherwise make a case that passes for the wrong
reason or fails for one nobody can see. Every problem of a case file is reported at
once, each with its file and line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from attrs import field, frozen

from .._cohort import Cohort, cohort_from_dict
from .._convert import Invalid, NumberTooLarge, describe, to_fraction
from .._engine import check_cohort, evaluate, plan_of
from .._errors import CohortError, Problem, SchemeError, VillageevalError, format_path
from .._hints import close_hint, known_hint
from .._kinds import BUILTIN_KINDS
from .._load import _parse as parse_toml
from .._load import _Source, load_scheme
from .._locate import line_of, locate_keys
from .._model import Scheme
from .._numbers import exact_text
from .._plugins import Registry
from .._reading import NotText, read_text
from .._result import Outcome, ReasonCode
from .._table import render_table

__all__ = ["Case", "CaseFormatError", "CaseResult", "Mismatch", "find_cases", "load_case", "run_case"]

#: The top-level keys of a case file.
CASE_KEYS = ("description", "period", "parameters", "subjects", "expected")

#: What ``[expected.<id>]`` may say, in the order mismatches are shown.
EXPECTED_KEYS = (
    "status",
    "reasons",
    "score",
    "rounded_score",
    "raw_grade",
    "final_grade",
    "adjustments",
    "consequences",
    "findings",
    "flags",
    "rank",
)

#: The statuses an outcome can have.
STATUSES = ("graded", "insufficient_evidence", "ineligible", "referred")

_NUMBER_KEYS = ("score", "rounded_score")
_GRADE_KEYS = ("raw_grade", "final_grade")
_LIST_KEYS = ("reasons", "adjustments", "consequences", "findings", "flags")
#: A flag's kind → the table of the scheme its id names.
_FLAG_TABLES = {"veto": "vetoes", "cap": "caps", "quota_tie": "quotas", "rank_tie": "rankings"}
#: TOML has no null: this text expects no value (a subject that is not graded).
_NONE = "none"


@frozen
class Case:
    """One case file, parsed."""

    path: Path
    description: str
    cohort: Cohort
    expected: Mapping[str, Mapping[str, Any]]
    parameters: Mapping[str, Any]


@frozen
class Mismatch:
    """One expected value that did not come out."""

    subject: str
    key: str
    expected: str
    actual: str


@frozen
class CaseResult:
    """The outcome of running one case."""

    path: Path
    description: str
    subjects: int
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None

    @property
    def passed(self) -> bool:
        """No mismatch and no error."""
        return not self.mismatches and self.error is None

    def report(self) -> str:
        """The per-subject diff, as a table."""
        if self.error is not None:
            return self.error
        rows = [[m.subject, m.key, m.expected, m.actual] for m in self.mismatches]
        return render_table(["subject", "key", "expected", "actual"], rows)


def _show(problem: Problem) -> str:
    """``file:line: key.path: message``, as ``check`` prints a scheme's problems (no key
    path for a problem with the whole file)."""
    where = (problem.file or "<case>") + (f":{problem.line}" if problem.line is not None else "")
    return f"{where}: {format_path(problem.path)}: {problem.message}" if problem.path else f"{where}: {problem.message}"


def _file_order(problem: Problem) -> tuple[int, list[tuple[int, int | str]]]:
    """By line, then by key path (``reasons[2]`` before ``reasons[10]``)."""
    return problem.line or 0, [(0, part) if isinstance(part, int) else (1, part) for part in problem.path]


class CaseFormatError(VillageevalError, ValueError):
    """A case file is not a valid case; ``problems`` lists every reason, with file and line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(_show(p) for p in self.problems)


# --- reading a case file ------------------------------------------------------------------


class _Reader:
    """One case file being read: its text, where its keys are, the problems found so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        self.text = ""
        self.problems: list[Problem] = []
        self._lines: dict[tuple[str | int, ...], int] | None = None

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of a key path (or of its nearest written parent)."""
        if self._lines is None:
            self._lines = locate_keys(self.text)
        return line_of(self._lines, path) if path else None

    def bad(self, path: Sequence[str | int], message: str, code: str = "invalid_value") -> None:
        self.problems.append(Problem(tuple(path), message, self.file, self.line(path), code=code))

    def adopt(self, problems: Iterable[Problem]) -> None:
        """Problems found by the cohort reader or the engine, placed in this file."""
        for p in problems:
            self.problems.append(Problem(p.path, p.message, self.file, p.line or self.line(p.path), code=p.code))

    def error(self, *more: str) -> str:
        """Every problem, in file order, and any further text (a scheme's problems)."""
        ordered = sorted(self.problems, key=_file_order)
        return "\n".join([str(CaseFormatError(ordered)), *more]) if ordered else "\n".join(more)


@frozen
class _Parts:
    """What a case file says, as far as it could be read (problems are in the reader)."""

    description: str
    parameters: Mapping[str, Any]
    expected: Mapping[str, Mapping[str, Any]]
    roles: Mapping[str, object] = field(factory=dict)  # subject id → role, as written
    cohort: Cohort | None = None


def _toml(reader: _Reader) -> dict[str, Any] | None:
    """The file as TOML data, or None with the problem recorded (not text, not TOML)."""
    try:
        reader.text = read_text(reader.path)
    except NotText as e:
        reader.problems.append(Problem((), e.message, reader.file, e.line, code="not_text"))
        return None
    except OSError as e:
        reader.problems.append(Problem((), f"cannot be read: {e.strerror or e}", reader.file, code="unreadable"))
        return None
    try:
        return parse_toml(_Source(reader.text, reader.file))
    except SchemeError as e:
        reader.problems.extend(e.problems)
        return None


def _read(reader: _Reader) -> _Parts | None:
    """Read and check a case file as far as it goes without its scheme."""
    data = _toml(reader)
    if data is None:
        return None
    for key in data:
        if key not in CASE_KEYS:
            reader.bad((key,), f"unknown case key {key!r}{known_hint(key, CASE_KEYS)}", code="unknown_key")
    description = data.get("description", "")
    if not isinstance(description, str):
        reader.bad(("description",), f"must be a string (got {describe(description)})")
        description = ""
    period = data.get("period", "")
    if not isinstance(period, str):
        written = f'; write period = "{period}"' if isinstance(period, int) and not isinstance(period, bool) else ""
        reader.bad(("period",), f'must be a string such as "2023" (got {describe(period)}){written}')
        period = ""
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        reader.bad(("parameters",), f"must be a table of parameter name = value (got {describe(parameters)})")
        parameters = {}
    raw_subjects = data.get("subjects", [])
    roles = {
        s["id"]: s.get("role")
        for s in (raw_subjects if isinstance(raw_subjects, list) else [])
        if isinstance(s, dict) and isinstance(s.get("id"), str)
    }
    cohort = None
    try:
        cohort = cohort_from_dict({"format": 1, "period": period, "subjects": raw_subjects}, source=reader.file)
    except CohortError as e:
        reader.adopt(e.problems)
    expected = _read_expected(reader, data.get("expected", {}), list(roles))
    return _Parts(description, parameters, expected, roles, cohort)


def _read_expected(reader: _Reader, expected: object, ids: list[str]) -> dict[str, Mapping[str, Any]]:
    """The ``[expected.<id>]`` tables whose shape is right; each wrong one recorded."""
    if not isinstance(expected, dict):
        reader.bad(("expected",), f"must hold one [expected.<subject id>] table per subject (got {describe(expected)})")
        return {}
    out: dict[str, Mapping[str, Any]] = {}
    for sid, want in expected.items():
        path = ("expected", sid)
        if sid not in ids:
            known = known_hint(sid, ids, "the case has no subjects")
            reader.bad(path, f"no subject {sid!r} in the case{known}", code="unknown_subject")
        if not isinstance(want, dict):
            reader.bad(path, f'must be a table of expected values, such as final_grade = "好" (got {describe(want)})')
            continue
        for key, value in want.items():
            _check_value(reader, (*path, key), key, value)
        out[sid] = want
    return out


def _check_value(reader: _Reader, path: tuple[str | int, ...], key: str, value: object) -> None:
    """One expected value: a key that exists, of the type it is compared as."""
    if key not in EXPECTED_KEYS:
        reader.bad(path, f"unknown expected key {key!r}{known_hint(key, EXPECTED_KEYS)}", code="unknown_key")
    elif key == "status":
        if value not in STATUSES:
            options = ", ".join(repr(s) for s in STATUSES)
            hint = close_hint(value, STATUSES) if isinstance(value, str) else ""
            reader.bad(path, f"must be one of {options} (got {describe(value)}){hint}")
    elif key in _NUMBER_KEYS:
        problem = _number_problem(value)
        if problem is not None:
            reader.bad(path, problem)
    elif key in _GRADE_KEYS:
        if not isinstance(value, str):
            reader.bad(path, f'must be a grade label, or "{_NONE}" for no grade (got {describe(value)})')
    elif key == "rank":
        if not isinstance(value, dict):
            reader.bad(
                path, f"must be a table of ranking id → place, such as {{ composite = 2 }} (got {describe(value)})"
            )
            return
        for rid, place in value.items():
            if place != _NONE and (isinstance(place, bool) or not isinstance(place, int) or place < 1):
                reader.bad((*path, rid), f'must be a place (1, 2, …) or "{_NONE}" for no place (got {describe(place)})')
    elif not isinstance(value, list):
        reader.bad(path, f"must be an array of strings (got {describe(value)})")
    else:
        for i, item in enumerate(value):
            if not isinstance(item, str):
                reader.bad((*path, i), f"must be a string (got {describe(item)})")


def _number_problem(value: object) -> str | None:
    """Why an expected score is not one, or None: an exact number, as TOML or as text."""
    if value == _NONE:
        return None
    shape = f'must be an exact number (85, 84.5, "1249/15") or "{_NONE}" for no score (got {describe(value)})'
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        return shape
    try:
        to_fraction(value)
    except NumberTooLarge as e:
        return e.message
    except Invalid:
        return shape
    return None


# --- checks that need the scheme ------------------------------------------------------------


def _labels(scheme: Scheme, role: object) -> list[str]:
    """The grades a subject of ``role`` can get: the labels of its gradings' scales (all of
    the scheme's when the role is not one of it, which is reported on its own)."""
    known_role = isinstance(role, str) and role in scheme.roles
    labels: dict[str, None] = {}
    for grading in scheme.gradings.values():
        if known_role and grading.roles and role not in grading.roles:
            continue
        scale = scheme.scales.get(grading.scale)
        labels.update(dict.fromkeys(scale.labels if scale is not None else ()))
    return list(labels)


def _check_against(reader: _Reader, parts: _Parts, scheme: Scheme) -> None:
    """Expected values that the scheme can never give: grades that are not its labels,
    reason codes that do not exist, consequences, findings and flags it does not declare."""
    builtin = {kind.name for kind in BUILTIN_KINDS}
    own_codes = all(ins.kind in builtin for ins in scheme.instruments.values())  # a plugin kind has its own
    codes = [c.value for c in ReasonCode]
    for sid, want in parts.expected.items():
        path = ("expected", sid)
        role = parts.roles.get(sid)
        for key in _GRADE_KEYS:
            grade = want.get(key)
            labels = _labels(scheme, role)
            if isinstance(grade, str) and grade != _NONE and grade not in labels:
                whose = f" for role {role!r}" if isinstance(role, str) and role in scheme.roles else ""
                hint = known_hint(grade, labels)
                reader.bad((*path, key), f"{grade!r} is not a grade of scheme {scheme.id!r}{whose}{hint}")
        for i, code in _strings(want.get("reasons")):
            if own_codes and code not in codes:
                hint = close_hint(code, codes) or " (the codes are listed in docs/interchange.md)"
                reader.bad((*path, "reasons", i), f"unknown reason code {code!r}{hint}")
        declared: tuple[tuple[str, Mapping[str, object], str], ...] = (
            ("consequences", scheme.consequences, "consequence"),
            ("findings", scheme.findings, "finding"),
        )
        for key, table, noun in declared:
            for i, rule in _strings(want.get(key)):
                if rule not in table:
                    hint = known_hint(rule, table, "it declares none")
                    reader.bad((*path, key, i), f"the scheme has no {noun} {rule!r}{hint}")
        ranks = want.get("rank")
        for rid in ranks if isinstance(ranks, dict) else ():
            if rid not in scheme.rankings:
                hint = known_hint(rid, scheme.rankings, "it declares none")
                reader.bad((*path, "rank", rid), f"the scheme has no ranking {rid!r}{hint}")
        for i, flag in _strings(want.get("flags")):
            problem = _flag_problem(flag, scheme)
            if problem is not None:
                reader.bad((*path, "flags", i), problem)


def _strings(value: object) -> list[tuple[int, str]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def _flag_problem(flag: str, scheme: Scheme) -> str | None:
    """Why ``flag`` can never be raised under ``scheme`` (``veto:<id>``, ``cap:<id>``,
    ``quota_tie:<id>``, each naming a rule the scheme declares), or None."""
    kind, sep, rule = flag.partition(":")
    if not sep or kind not in _FLAG_TABLES:
        return f"unknown flag {flag!r}: a flag is veto:<id>, cap:<id>, quota_tie:<id> or rank_tie:<id>"
    table: Mapping[str, object] = getattr(scheme, _FLAG_TABLES[kind])
    if rule in table:
        return None
    noun = {"veto": "veto", "cap": "cap", "quota_tie": "quota", "rank_tie": "ranking"}[kind]
    return f"the scheme has no {noun} {rule!r}{known_hint(rule, table, 'it declares none')}"


# --- loading and running --------------------------------------------------------------------


def _scheme_dir(case_path: Path) -> Path:
    # Resolved, so that a bare file name given from inside cases/ finds the scheme above it.
    case_path = case_path.resolve()
    return case_path.parent.parent if case_path.parent.name == "cases" else case_path.parent


def load_case(path: str | os.PathLike[str]) -> Case:
    """Parse a case file and check what can be checked without its scheme.

    Raises:
        CaseFormatError: with every problem of the file, each with its line: not UTF-8
            text, not valid TOML, an unknown key (with did-you-mean), a value of the wrong
            type or that does not exist (a status), subjects that are not a valid cohort.
    """
    p = Path(path)
    reader = _Reader(p)
    parts = _read(reader)
    if parts is None or reader.problems or parts.cohort is None:
        raise CaseFormatError(sorted(reader.problems, key=_file_order))
    return Case(p, parts.description, parts.cohort, parts.expected, parts.parameters)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, Fraction):
        return exact_text(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _number(value: Any) -> Fraction | None:
    if value is None:
        return None
    try:
        return to_fraction(value)
    except Invalid:  # NumberTooLarge too: refused when the case was read
        return None


def _compare(sid: str, want: Mapping[str, Any], o: Outcome) -> list[Mismatch]:
    actual: dict[str, Any] = {
        "status": o.status,
        "reasons": sorted({r.code for r in o.reasons}),
        "score": o.score,
        "rounded_score": o.rounded_score,
        "raw_grade": o.raw_grade,
        "final_grade": o.final_grade,
        "adjustments": [a.rule for a in o.adjustments],
        "consequences": sorted(c.rule for c in o.consequences),
        "findings": sorted(f.rule for f in o.findings),
        "flags": sorted(o.flags),
    }
    out = []
    for key in EXPECTED_KEYS:
        if key not in want:
            continue
        w = want[key]
        if key == "rank":
            for rid, place in w.items() if isinstance(w, dict) else ():
                placing = o.rank.get(rid)
                got_place = _NONE if placing is None else placing.place
                if place != got_place:
                    out.append(Mismatch(sid, f"rank.{rid}", _text(place), _text(got_place)))
            continue
        got = actual[key]
        if w == _NONE and key in ("score", "rounded_score", "raw_grade", "final_grade"):
            same = got is None  # TOML has no null: "none" expects no value
        elif key in ("score", "rounded_score"):
            same = _number(w) is not None and _number(w) == got
        elif key in ("reasons", "consequences", "findings", "flags"):
            same = isinstance(w, list) and sorted(map(str, w)) == got
            w = sorted(map(str, w)) if isinstance(w, list) else w
        elif key == "adjustments":
            same = isinstance(w, list) and [str(x) for x in w] == got
        else:
            same = w == got
        if not same:
            out.append(Mismatch(sid, key, _text(w), _text(got)))
    return out


def run_case(
    path: str | os.PathLike[str],
    *,
    scheme: str | os.PathLike[str] | None = None,
    registry: Registry | None = None,
) -> CaseResult:
    """Run one case against its scheme (the directory above ``cases/`` by default).

    Problems with the case or the scheme are reported as the result's ``error``, never
    raised, so a runner can go on to the next case. The case's own problems are all
    listed together, with those only the scheme can tell (a grade that is not one of its
    labels, a consequence it does not declare, a role it does not grade).
    """
    p = Path(path)
    reader = _Reader(p)
    parts = _read(reader)
    if parts is None:
        return CaseResult(p, "", 0, error=reader.error())
    try:
        loaded = load_scheme(scheme or _scheme_dir(p), registry=registry, parameters=parts.parameters)
    except VillageevalError as e:  # SchemeError, UnknownSchemeError: the scheme's own problems
        return CaseResult(p, parts.description, 0, error=reader.error(str(e)))
    _check_against(reader, parts, loaded)
    if parts.cohort is not None and reader.problems:
        try:
            check_cohort(plan_of(loaded), parts.cohort)  # its roles and groups, listed with the rest
        except CohortError as e:
            reader.adopt(e.problems)
    if reader.problems or parts.cohort is None:
        return CaseResult(p, parts.description, 0, error=reader.error())
    try:
        result = evaluate(loaded, parts.cohort)
    except CohortError as e:
        reader.adopt(e.problems)
        return CaseResult(p, parts.description, 0, error=reader.error())
    except VillageevalError as e:
        return CaseResult(p, parts.description, 0, error=str(e))
    mismatches = []
    for sid, want in sorted(parts.expected.items()):
        mismatches.extend(_compare(sid, want, result.outcome(sid)))
    return CaseResult(p, parts.description, len(parts.cohort.subjects), tuple(mismatches))


def find_cases(paths: Iterable[str | os.PathLike[str]], registry: Registry | None = None) -> list[Path]:
    """Case files under the given paths: case files, scheme directories, trees of them, or scheme ids."""
    found: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_file() and p.suffix == ".toml" and p.name != "scheme.toml":
            found.append(p)
        elif p.is_file() and p.name == "scheme.toml":
            found.extend(sorted((p.parent / "cases").glob("*.toml")))
        elif p.is_dir() and p.resolve().name == "cases" and (p.resolve().parent / "scheme.toml").is_file():
            found.extend(sorted(p.glob("*.toml")))
        elif p.is_dir():
            found.extend(sorted(c for c in p.rglob("cases/*.toml") if (c.parent.parent / "scheme.toml").is_file()))
        elif registry is not None and os.fspath(item) in registry.schemes():
            found.extend(sorted((registry.schemes()[os.fspath(item)].parent / "cases").glob("*.toml")))
        else:
            problem = Problem(
                (), "not a case file, a scheme directory or a scheme id", os.fspath(item), code="unreadable"
            )
            raise CaseFormatError([problem])
    return found


def summary(results: Sequence[CaseResult]) -> str:
    """``N passed, M failed`` — the closing line test runners print."""
    passed = sum(1 for r in results if r.passed)
    return f"{passed} passed, {len(results) - passed} failed"
