"""The result interchange: :class:`~villageeval.Result` ⇄ JSON (``docs/interchange.md``).

Field names here are a contract with integrators: add fields, never rename or
remove them without bumping :data:`RESULT_FORMAT`. Exact numbers travel as
strings (``"84.5"``, or ``"1690/19"`` when not a finite decimal) so no JSON
reader can turn them into floats.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from fractions import Fraction
from json.encoder import encode_basestring
from typing import IO, Any, TypeVar

from ._convert import to_fraction
from ._errors import CohortError, Problem
from ._numbers import exact_text
from ._result import (
    Adjustment,
    ConsequenceOutcome,
    FindingOutcome,
    Outcome,
    Placing,
    PluginStamp,
    PopulationUsage,
    Reason,
    Result,
    TraceStep,
)
from ._types import expect_flag, expect_result, expect_result_data, type_error

__all__ = [
    "OUTCOMES_PER_CHUNK",
    "RESULT_FORMAT",
    "outcome_to_dict",
    "result_from_dict",
    "result_json_chunks",
    "result_to_dict",
    "result_to_json",
    "write_result",
]

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
    if o.proposed_grade is not None:  # only where a rule referred the subject: results stay as they were
        d["proposed_grade"] = o.proposed_grade
    if o.rank:  # only where a ranking placed the subject
        d["rank"] = {
            rid: {"place": p.place, "of": p.of, "group": p.group, "tied_with": list(p.tied_with)}
            for rid, p in o.rank.items()
        }
    if trace:
        d["trace"] = [
            _drop_none({"step": t.step, "message": t.message, "rule": t.rule, "clause": t.clause}) for t in o.trace
        ]
    return d


def outcome_to_dict(outcome: Outcome, *, trace: bool = True) -> dict[str, Any]:
    """One outcome's JSON form, as it stands in a result's ``outcomes``."""
    if not isinstance(outcome, Outcome):
        raise type_error("outcome", "a villageeval.Outcome", outcome, "one of result.outcomes")
    expect_flag(trace, "trace")
    return _outcome(outcome, trace=trace)


def _audit(result: Result) -> dict[str, Any]:
    return {
        "scheme": result.scheme_id,
        "scheme_hash": result.scheme_hash,
        "villageeval": result.version,
        "cohort_hash": result.cohort_hash,
        "decision_id": result.decision_id,
        "evaluated_at": result.evaluated_at,
        "plugins": [
            {"name": p.name, "distribution": p.distribution, "version": p.version, "code_hash": p.code_hash}
            for p in result.plugins
        ],
    }


def result_to_dict(result: Result, *, trace: bool = True) -> dict[str, Any]:
    """The JSON interchange form of a result; ``trace=False`` leaves traces out."""
    expect_result(result)
    expect_flag(trace, "trace")
    return {
        "format": RESULT_FORMAT,
        "audit": _audit(result),
        "period": result.period,
        "outcomes": [_outcome(o, trace=trace) for o in result.outcomes],
        "populations": _populations(result),
        "warnings": list(result.warnings),
    }


def _populations(result: Result) -> list[dict[str, Any]]:
    return [
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
            **({"referred": list(p.referred)} if p.referred else {}),
        }
        for p in result.populations
    ]


def result_to_json(result: Result, *, trace: bool = True, indent: int | None = 2) -> str:
    """The result as JSON text (UTF-8, Chinese labels unescaped)."""
    expect_result(result)
    if indent is not None and type(indent) is not int:
        raise type_error("indent", "a number of spaces (an int) or None", indent)
    return json.dumps(result_to_dict(result, trace=trace), ensure_ascii=False, indent=indent)


#: Outcomes written per piece by :func:`result_json_chunks`.
OUTCOMES_PER_CHUNK = 200

# Where the outcomes go in the text of a result without them (indent 2: a key of the
# top level follows a newline and two spaces; no text holds a raw newline).
_OUTCOMES_SLOT = '\n  "outcomes": []'


def result_json_chunks(result: Result, *, trace: bool = True) -> Iterator[str]:
    """The text of ``result_to_json(result, trace=trace)``, in pieces of a few hundred
    outcomes whose concatenation is that text, character for character (for a service's
    streamed answer, or :func:`write_result`).

    The whole text is never built, nor the dict of every outcome: the memory it takes
    beyond the result is that of one piece, whatever the size of the cohort. Every piece
    but the last holds :data:`OUTCOMES_PER_CHUNK` outcomes (the first, the result's head
    too).
    """
    expect_result(result)
    expect_flag(trace, "trace")
    frame = {
        "format": RESULT_FORMAT,
        "audit": _audit(result),
        "period": result.period,
        "outcomes": [],
        "populations": _populations(result),
        "warnings": list(result.warnings),
    }
    text = json.dumps(frame, ensure_ascii=False, indent=2)
    if not result.outcomes:
        yield text
        return
    cut = text.index(_OUTCOMES_SLOT) + len(_OUTCOMES_SLOT) - 1  # just before its "]"
    parts: list[str] = [text[:cut]]
    for i, o in enumerate(result.outcomes):
        parts.append(",\n    " if i else "\n    ")
        _indented(_outcome(o, trace=trace), "    ", parts)
        if i % OUTCOMES_PER_CHUNK == OUTCOMES_PER_CHUNK - 1:
            yield "".join(parts)
            parts.clear()
    parts.append("\n  ")
    parts.append(text[cut:])
    yield "".join(parts)


def write_result(
    result: Result,
    stream: IO[str] | IO[bytes],
    *,
    trace: bool = True,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Write ``result_to_json(result, trace=trace)`` to ``stream`` as it is made, outcome
    by outcome, without building the whole text (a province's result with its traces is
    hundreds of megabytes).

    ``stream`` is a text stream (written ``str``) or a binary one (written UTF-8 bytes,
    whatever the locale); the bytes are those of ``result_to_json(...).encode("utf-8")``.
    ``progress``, if given, is called with the number of outcomes written after each piece.
    """
    expect_result(result)
    expect_flag(trace, "trace")
    binary = not isinstance(stream, io.TextIOBase) and _takes_bytes(stream)
    sink: Any = stream  # written str or bytes, as it takes them
    left = len(result.outcomes)
    for chunk in result_json_chunks(result, trace=trace):
        if binary:
            # A lone surrogate (read from a "\ud800" escape) is written as that escape again.
            sink.write(chunk.encode("utf-8", "backslashreplace"))
        else:
            sink.write(chunk)
        if progress is not None and left:
            done = min(left, OUTCOMES_PER_CHUNK)
            left -= done
            progress(done)


def _takes_bytes(stream: IO[Any]) -> bool:
    """Whether a stream that is not an ``io`` text stream is written bytes."""
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        return True
    mode = getattr(stream, "mode", None)
    if isinstance(mode, str):
        return "b" in mode
    try:
        stream.write("")
    except TypeError:
        return True
    return False


def _indented(value: Any, indent: str, out: list[str]) -> None:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it nested at
    ``indent``, appended to ``out`` in pieces: the same text, several times faster than
    the json module's own writer with an indent (which has no C form before Python 3.13)."""
    t = type(value)
    if t is str:
        out.append(encode_basestring(value))
    elif t is dict:
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        sep = "{\n" + inner
        for key, item in value.items():
            out.append(sep)
            out.append(encode_basestring(key if type(key) is str else _key_text(key)))
            kind = type(item)
            if kind is str:  # most values: written here, without a call
                out.append(": " + encode_basestring(item))
            elif item is None:
                out.append(": null")
            elif not item and (kind is list or kind is dict):
                out.append(": []" if kind is list else ": {}")
            else:
                out.append(": ")
                _indented(item, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "}")
    elif t is list or t is tuple:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        sep = "[\n" + inner
        for item in value:
            if type(item) is str:
                out.append(sep + encode_basestring(item))
            else:
                out.append(sep)
                _indented(item, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif t is int:
        out.append(int.__repr__(value))
    else:  # anything else (a subclass, a float) as the json module writes it
        text = json.dumps(value, ensure_ascii=False, indent=2)
        out.append(text.replace("\n", "\n" + indent))


def _key_text(key: Any) -> str:
    """A key that is not a text, as the json module turns it into one."""
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None or isinstance(key, float):
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


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
        message = f"not a villageeval result of format {RESULT_FORMAT}{hint}"
        raise CohortError([Problem(("format",), message, code="result_format")])
    problems: list[Problem] = []
    outcomes = _read_all(data, "outcomes", _outcome_from, problems)
    populations = _read_all(data, "populations", _population_from, problems)
    audit = data.get("audit", {})
    if not isinstance(audit, dict):
        problems.append(Problem(("audit",), "must be an object", code="result_format"))
        audit = {}
    texts = {key: audit.get(key, "") for key in _AUDIT_TEXTS}
    for key, value in texts.items():
        if not isinstance(value, str):
            problems.append(Problem(("audit", key), f"must be a string (got {value!r})", code="result_format"))
    plugins = _plugins_from(audit.get("plugins", []), problems)
    if problems:
        raise CohortError(problems)
    return Result(
        scheme_id=texts["scheme"],
        scheme_hash=texts["scheme_hash"],
        version=texts["villageeval"],
        period=data.get("period", ""),
        outcomes=tuple(outcomes),
        populations=tuple(populations),
        warnings=tuple(data.get("warnings", [])),
        cohort_hash=texts["cohort_hash"],
        decision_id=texts["decision_id"],
        evaluated_at=texts["evaluated_at"],
        plugins=plugins,
    )


#: The audit's text fields; a result of format 1 from before the audit record had only
#: the first three, and reads with the others empty.
_AUDIT_TEXTS = ("scheme", "scheme_hash", "villageeval", "cohort_hash", "decision_id", "evaluated_at")


def _plugins_from(items: Any, problems: list[Problem]) -> tuple[PluginStamp, ...]:
    """The audit's plugins; each one of the wrong shape becomes a problem at its path."""
    if not isinstance(items, list):
        problems.append(Problem(("audit", "plugins"), "must be an array", code="result_format"))
        return ()
    out = []
    for i, item in enumerate(items):
        path: tuple[str | int, ...] = ("audit", "plugins", i)
        if not isinstance(item, dict):
            problems.append(Problem(path, "must be an object", code="result_format"))
            continue
        name, distribution, version, code_hash = (item.get(k) for k in ("name", "distribution", "version", "code_hash"))
        if (
            isinstance(name, str)
            and isinstance(distribution, str)
            and isinstance(version, str)
            and (code_hash is None or isinstance(code_hash, str))
        ):
            out.append(PluginStamp(name, distribution, version, code_hash))
        else:
            message = "must have name, distribution and version as strings, and code_hash a string or null"
            problems.append(Problem(path, message, code="result_format"))
    return tuple(out)


def _read_all(data: dict[str, Any], key: str, read: Callable[[Any], _T], problems: list[Problem]) -> list[_T]:
    """Each item of the array ``data[key]`` read by ``read``; an item that lacks a key or
    has a value of the wrong shape becomes a problem at its path, not a KeyError."""
    items = data.get(key, [])
    if not isinstance(items, list):
        problems.append(Problem((key,), "must be an array", code="result_format"))
        return []
    out: list[_T] = []
    for i, item in enumerate(items):
        try:
            out.append(read(item))
        except KeyError as e:
            problems.append(Problem((key, i, str(e.args[0])), "required key is missing", code="result_format"))
        except (TypeError, ValueError, AttributeError, ZeroDivisionError) as e:
            problems.append(Problem((key, i), f"malformed: {e}", code="result_format"))
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
        proposed_grade=o.get("proposed_grade"),
        rank={
            rid: Placing(_whole(p["place"]), _whole(p["of"]), p.get("group"), tuple(p.get("tied_with", [])))
            for rid, p in o.get("rank", {}).items()
        },
    )


def _whole(v: Any) -> int:
    """A place or a count: a JSON integer (a bool, a float or a text is malformed)."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"a place is a whole number (got {v!r})")
    return v


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
        tuple(p.get("referred", ())),
    )
