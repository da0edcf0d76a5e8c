"""The result interchange: :class:`~villageeval.Result` ⇄ JSON (``docs/interchange.md``).

Field names here are a contract with integrators: add fields, never rename or
remove them without bumping :data:`RESULT_FORMAT`. Exact numbers travel as
strings (``"84.5"``, or ``"1690/19"`` when not a finite decimal) so no JSON
reader can turn them into floats.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

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

__all__ = ["RESULT_FORMAT", "result_from_dict", "result_to_dict", "result_to_json"]

#: Version of the result JSON layout.
RESULT_FORMAT = 1


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
    return json.dumps(result_to_dict(result, trace=trace), ensure_ascii=False, indent=indent)


def _frac(v: Any) -> Fraction | None:
    return None if v is None else Fraction(v)


def result_from_dict(data: Any) -> Result:
    """Read a result back from its JSON form (for checking outcomes produced elsewhere)."""
    if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
        raise CohortError([Problem(("format",), f"not a villageeval result of format {RESULT_FORMAT}")])
    outcomes = []
    for o in data.get("outcomes", []):
        outcomes.append(
            Outcome(
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
                consequences=tuple(
                    ConsequenceOutcome(c["rule"], c["clause"], c["text"]) for c in o.get("consequences", [])
                ),
                findings=tuple(
                    FindingOutcome(f["rule"], f["clause"], f["text"], f.get("detail", ""))
                    for f in o.get("findings", [])
                ),
                notes=dict(o.get("notes", {})),
                flags=tuple(o.get("flags", [])),
                trace=tuple(
                    TraceStep(t["step"], t["message"], t.get("rule"), t.get("clause")) for t in o.get("trace", [])
                ),
            )
        )
    audit = data.get("audit", {})
    return Result(
        scheme_id=audit.get("scheme", ""),
        scheme_hash=audit.get("scheme_hash", ""),
        version=audit.get("villageeval", ""),
        period=data.get("period", ""),
        outcomes=tuple(outcomes),
        populations=tuple(
            PopulationUsage(
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
            for p in data.get("populations", [])
        ),
        warnings=tuple(data.get("warnings", [])),
    )
