"""Scheme cases as data: a cohort in, the outcomes expected out.

A case lives in a scheme directory's ``cases/`` as TOML (the format is in
``docs/testing.md``): ``[[subjects]]`` like the cohort JSON, optional
``[parameters]`` overrides, and ``[expected.<subject id>]`` with only the keys
the case is about. ``villageeval test`` and the pytest plugin both run cases
through :func:`run_case`, so a case fails the same way everywhere: a
per-subject diff of what was expected and what came.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import tomli
from attrs import frozen

from .._cohort import Cohort, cohort_from_dict
from .._engine import evaluate
from .._errors import CohortError, SchemeError, VillageevalError
from .._load import load_scheme
from .._numbers import exact_text
from .._plugins import Registry
from .._result import Outcome
from .._table import render_table

__all__ = ["Case", "CaseResult", "Mismatch", "find_cases", "load_case", "run_case"]

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
)


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


class CaseFormatError(VillageevalError, ValueError):
    """A case file is not a valid case."""


def _scheme_dir(case_path: Path) -> Path:
    # Resolved, so that a bare file name given from inside cases/ finds the scheme above it.
    case_path = case_path.resolve()
    return case_path.parent.parent if case_path.parent.name == "cases" else case_path.parent


def load_case(path: str | os.PathLike[str]) -> Case:
    """Parse a case file.

    Raises:
        CaseFormatError: the file is not valid TOML or has unknown keys.
        CohortError: its subjects are not a valid cohort.
    """
    p = Path(path)
    try:
        data = tomli.loads(p.read_text(encoding="utf-8"), parse_float=Decimal)
    except tomli.TOMLDecodeError as e:
        raise CaseFormatError(f"{p}: not valid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise CaseFormatError(f"{p}: not UTF-8 text: {e}") from None
    except OSError as e:
        raise CaseFormatError(f"{p}: cannot be read: {e.strerror or e}") from None
    unknown = set(data) - {"description", "period", "parameters", "subjects", "expected"}
    if unknown:
        raise CaseFormatError(f"{p}: unknown case key(s) {', '.join(sorted(unknown))}")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise CaseFormatError(f"{p}: [parameters] must be a table of parameter name = value")
    expected = data.get("expected", {})
    if not isinstance(expected, dict):
        raise CaseFormatError(f"{p}: [expected.<subject id>] tables are required")
    for sid, keys in expected.items():
        bad = set(keys) - set(EXPECTED_KEYS) if isinstance(keys, dict) else {"(not a table)"}
        if bad:
            raise CaseFormatError(
                f"{p}: expected.{sid}: unknown key(s) {', '.join(sorted(bad))} (known: {', '.join(EXPECTED_KEYS)})"
            )
    cohort = cohort_from_dict(
        {"format": 1, "period": str(data.get("period", "")), "subjects": data.get("subjects", [])}, source=str(p)
    )
    ids = {s.id for s in cohort.subjects}
    missing = sorted(set(expected) - ids)
    if missing:
        raise CaseFormatError(f"{p}: expected outcomes for subjects not in the case: {', '.join(missing)}")
    return Case(
        path=p,
        description=str(data.get("description", "")),
        cohort=cohort,
        expected=expected,
        parameters=parameters,
    )


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
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
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
        got = actual[key]
        if w == "none" and key in ("score", "rounded_score", "raw_grade", "final_grade"):
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

    Problems with the case or the scheme are reported as the result's
    ``error``, never raised, so a runner can go on to the next case.
    """
    p = Path(path)
    try:
        case = load_case(p)
        loaded = load_scheme(scheme or _scheme_dir(p), registry=registry, parameters=case.parameters)
        result = evaluate(loaded, case.cohort)
    except (SchemeError, CohortError) as e:
        return CaseResult(p, "", 0, error=str(e))
    except VillageevalError as e:
        return CaseResult(p, "", 0, error=str(e))
    mismatches = []
    for sid, want in sorted(case.expected.items()):
        mismatches.extend(_compare(sid, want, result.outcome(sid)))
    return CaseResult(p, case.description, len(case.cohort.subjects), tuple(mismatches))


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
            raise CaseFormatError(f"{item}: not a case file, a scheme directory or a scheme id")
    return found


def summary(results: Sequence[CaseResult]) -> str:
    """``N passed, M failed`` — the closing line test runners print."""
    passed = sum(1 for r in results if r.passed)
    return f"{passed} passed, {len(results) - passed} failed"
