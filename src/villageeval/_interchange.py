"""The result interchange: :class:`~villageeval.Result` ⇄ JSON (``docs/interchange.md``).

Field names here are a contract with integrators: add fields, never rename or
remove them without bumping :data:`RESULT_FORMAT`. Exact numbers travel as
strings (``"84.5"``, or ``"1690/19"`` when not a finite decimal) so no JSON
reader can turn them into floats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar

from ._convert import to_fraction
from ._errors import CohortError, Problem
from ._numbers import exact_text
from ._result import (
    Adjustment,
    ConsequenceOutcome,
    FindingOutcome,
    Outcome,
    PopulationUsage,
    Reason,
    Result,
    TraceStep,
)
from ._types import expect_flag, expect_result, expect_result_data, type_error

__all__ = ["RESULT_FORMAT", "result_from_dict", "result_to_dict", "result_to_json"]

#: Version of the result JSON layout.
RESULT_FORMAT = 1

_T = TypeVar("_T")


def _num(v: Fraction | None) -> str | None:
    return None if v is None else exact_text(v)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _outcome(o: Outcome, *, trace: bool) -> dict[str, Any]:
    d: dict[str, Any] = {
        "subject": o.subject_id,
        "name": o.name,
        "unit": o.unit,
        "role": o.role,
        "status": o.status,
        "reasons": [
            _drop_none(
                {"code": r.code, "message": r.message, "instrument": r.instrument, "rule": r.rule, "clause": r.clause}
            )
            for r in o.reasons
        ],
        "score": _num(o.score),
        "rounded_score": _num(o.rounded_score),
        "score_display": o.score_display,
        "instrument_scores": {k: exact_text(v) for k, v in o.instrument_scores.items()},
        "raw_grade": o.raw_grade,
        "final_grade": o.final_grade,
        "adjustments": [
            {"rule": a.rule, "kind": a.kind, "clause": a.clause, "from": a.from_grade, "to": a.to_grade, "note": a.note}
            for a in o.adjustments
        ],
        "consequences": [{"rule": c.rule, "clause": c.clause, "text": c.text} for c in o.consequences],
        "findings": [
            _drop_none({"rule": f.rule, "clause": f.clause, "text": f.text, "detail": f.detail or None})
            for f in o.findings
        ],
        "notes": dict(o.notes),
        "flags": list(o.flags),
    }
    if trace:
        d["trace"] = [
            _drop_none({"step": t.step, "message": t.message, "rule": t.rule, "clause": t.clause}) for t in o.trace
        ]
    return d


def result_to_dict(result: Result, *, trace: bool = True) -> dict[str, Any]:
    """The JSON interchange form of a result; ``trace=False`` leaves traces out."""
    expect_result(result)
    expect_flag(trace, "trace")
    return {
        "format": RESULT_FORMAT,
        "audit": {"scheme": result.scheme_id, "scheme_hash": result.scheme_hash, "villageeval": result.version},
        "period": result.period,
        "outcomes": [_outcome(o, trace=trace) for o in result.outcomes],
        "populations": [
            {
                "quota": p.quota,
                "clause": p.clause,
                "grade": p.grade,
                "bound": p.bound,
                "enforce": p.enforce,
                "group": p.group,
                "size": p.size,
                "limit": p.limit,
                "holders_before": p.holders_before,
                "holders_after": p.holders_after,
                "moved": list(p.moved),
                "ties": list(p.ties),
                "status": p.status,
            }
            for p in result.populations
        ],
        "warnings": list(result.warnings),
    }


def result_to_json(result: Result, *, trace: bool = True, indent: int | None = 2) -> str:
    """The result as JSON text (UTF-8, Chinese labels unescaped)."""
    expect_result(result)
    if indent is not None and type(indent) is not int:
        raise type_error("indent", "a number of spaces (an int) or None", indent)
    return json.dumps(result_to_dict(result, trace=trace), ensure_ascii=False, indent=indent)


def _frac(v: Any) -> Fraction | None:
    # Through the bounded reader of exact numbers: "1e999999999" would hang as a Fraction.
    return None if v is None else to_fraction(v)


def result_from_dict(data: Any) -> Result:
    """Read a result back from its JSON form (for checking outcomes produced elsewhere).

    Raises:
        CohortError: the data is not a result of this format, or one of its outcomes or
            populations lacks a key or has a value of the wrong shape (each is named).
        TypeError: ``data`` is bytes, a path or a result rather than parsed JSON.
    """
    expect_result_data(data)
    if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
        # A text is a JSON value too, but more likely the JSON itself, not parsed.
        hint = "; a text? parse it first: result_from_dict(json.loads(text))" if isinstance(data, str) else ""
        raise CohortError([Problem(("format",), f"not a villageeval result of format {RESULT_FORMAT}{hint}")])
    problems: list[Problem] = []
    outcomes = _read_all(data, "outcomes", _outcome_from, problems)
    populations = _read_all(data, "populations", _population_from, problems)
    audit = data.get("audit", {})
    if not isinstance(audit, dict):
        problems.append(Problem(("audit",), "must be an object"))
        audit = {}
    if problems:
        raise CohortError(problems)
    return Result(
        scheme_id=audit.get("scheme", ""),
        scheme_hash=audit.get("scheme_hash", ""),
        version=audit.get("villageeval", ""),
        period=data.get("period", ""),
        outcomes=tuple(outcomes),
        populations=tuple(populations),
        warnings=tuple(data.get("warnings", [])),
    )


def _read_all(data: dict[str, Any], key: str, read: Callable[[Any], _T], problems: list[Problem]) -> list[_T]:
    """Each item of the array ``data[key]`` read by ``read``; an item that lacks a key or
    has a value of the wrong shape becomes a problem at its path, not a KeyError."""
    items = data.get(key, [])
    if not isinstance(items, list):
        problems.append(Problem((key,), "must be an array"))
        return []
    out: list[_T] = []
    for i, item in enumerate(items):
        try:
            out.append(read(item))
        except KeyError as e:
            problems.append(Problem((key, i, str(e.args[0])), "required key is missing"))
        except (TypeError, ValueError, AttributeError, ZeroDivisionError) as e:
            problems.append(Problem((key, i), f"malformed: {e}"))
    return out


def _outcome_from(o: Any) -> Outcome:
    """One outcome from its JSON form."""
    return Outcome(
        subject_id=o["subject"],
        role=o["role"],
        status=o["status"],
        name=o.get("name", ""),
        unit=o.get("unit", ""),
        reasons=tuple(
            Reason(r["code"], r["message"], r.get("instrument"), r.get("rule"), r.get("clause"))
            for r in o.get("reasons", [])
        ),
        score=_frac(o.get("score")),
        rounded_score=_frac(o.get("rounded_score")),
        score_display=o.get("score_display"),
        instrument_scores={k: Fraction(v) for k, v in o.get("instrument_scores", {}).items()},
        raw_grade=o.get("raw_grade"),
        final_grade=o.get("final_grade"),
        adjustments=tuple(
            Adjustment(a["rule"], a["kind"], a["clause"], a["from"], a["to"], a.get("note", ""))
            for a in o.get("adjustments", [])
        ),
        consequences=tuple(ConsequenceOutcome(c["rule"], c["clause"], c["text"]) for c in o.get("consequences", [])),
        findings=tuple(
            FindingOutcome(f["rule"], f["clause"], f["text"], f.get("detail", "")) for f in o.get("findings", [])
        ),
        notes=dict(o.get("notes", {})),
        flags=tuple(o.get("flags", [])),
        trace=tuple(TraceStep(t["step"], t["message"], t.get("rule"), t.get("clause")) for t in o.get("trace", [])),
    )


def _population_from(p: Any) -> PopulationUsage:
    """One quota's population from its JSON form."""
    return PopulationUsage(
        p["quota"],
        p["clause"],
        p["grade"],
        p["bound"],
        p["enforce"],
        p.get("group"),
        p["size"],
        p["limit"],
        p["holders_before"],
        p["holders_after"],
        tuple(p.get("moved", ())),
        tuple(p.get("ties", ())),
        p.get("status", "ok"),
    )
