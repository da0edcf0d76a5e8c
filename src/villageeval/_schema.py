"""JSON Schemas (draft 2020-12) of the interchange, format 1, generated from its definitions.

Nothing here is written twice. The keys of each object and their types come from the
code that reads or writes it: the attrs classes (:class:`~villageeval.Subject`, the
evidence classes of the registered instrument kinds, :class:`~villageeval.Outcome` ...),
their ``Literal`` types and :class:`~villageeval.ReasonCode`, with the key names the
interchange gives them (``subject_id`` is written ``subject``). The description of each
key is the *meaning* cell of its row in the tables of ``docs/interchange.md`` (and of
``docs/scheme-format.md`` for the keys of a scheme a description repeats), which
``tests/test_docs.py`` already holds to the code: a key without a documented row, or a
field the code has and the schema lacks, is an error here, and so a failing test.

Where the code holds a value *as given* (evidence is kept as it was read, typed ``Any``,
and checked when the subject is graded), the JSON type is stated once, in
:data:`EVIDENCE_VALUES`, by the key's name; a new evidence key without one fails too.

The schemas are generated in a source checkout (``scripts/generate_schemas.py``), where
the docs are, and ship in the package (``villageeval/schemas/*-1.schema.json``, also
published in ``docs/schemas/``); ``tests/test_schema.py`` fails when a shipped file
differs from what :func:`generate` gives. A scheme's own cohort schema
(:func:`cohort_schema_for`) is built at run time from the shipped one and the scheme's
compiled plan.
"""

from __future__ import annotations

import collections.abc
import copy
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union

import attrs

from ._model import Share

__all__ = [
    "DIALECT",
    "EVIDENCE_VALUES",
    "SCHEMA_NAMES",
    "cohort_schema_for",
    "doc_tables",
    "generate",
    "schema_file",
    "schema_of",
    "schema_text",
    "shipped",
    "shipped_text",
]

#: The JSON Schema dialect of every schema here.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: The schemas, by the name ``villageeval schema NAME`` takes.
SCHEMA_NAMES = ("cohort", "result", "problem", "describe")

#: The format every schema here describes.
FORMAT = 1

#: The largest count any evidence may give (``_kinds.evidence.MOST_COUNT``).
_MOST_COUNT = 10**12

_ROOT = Path(__file__).resolve().parent.parent.parent

#: What the cohort's evidence keys hold, by key: the evidence classes keep what they are
#: given (typed ``Any``), so the JSON type of each key is said here, once.
EVIDENCE_VALUES: Mapping[str, dict[str, Any]] = {
    "tallies": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Count"}},
    "coverage": {"$ref": "#/$defs/Coverage"},
    "strata": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Count"}},
    "expected": {"$ref": "#/$defs/Count"},
    "tier": {"type": "string"},
    "value": {"$ref": "#/$defs/ExactNumber"},
    "items": {"type": "object", "additionalProperties": {"$ref": "#/$defs/PointsGiven"}},
    "bonus": {"$ref": "#/$defs/PointsGiven"},
    "data": {},
    "votes": {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "tallies": {
                    "description": "Tier label → the item's ballots in that tier.",
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/Count"},
                }
            },
            "required": ["tallies"],
            "additionalProperties": False,
        },
    },
    "entries": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "problem": {"description": "The problem, in words.", "type": "string", "minLength": 1},
                "deadline": {"description": "Its deadline (YYYY-MM-DD).", "type": "string", "format": "date"},
                "found": {
                    "description": "When it joined the ledger (YYYY-MM-DD); optional.",
                    "type": ["string", "null"],
                    "format": "date",
                },
                "closed": {
                    "description": "When it was rectified (YYYY-MM-DD), or null: not yet.",
                    "type": ["string", "null"],
                    "format": "date",
                },
                "verified": {"description": "Whether the closure was verified (default false).", "type": "boolean"},
            },
            "required": ["problem", "deadline"],
            "additionalProperties": False,
        },
    },
    "as_of": {"type": "string", "format": "date"},
}

# --- exact numbers, counts ------------------------------------------------------------------

#: A decimal or a fraction written as text, as the readers take it (``"86.5"``, ``"1690/19"``).
_NUMBER_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$|^[+-]?[0-9]+/[0-9]*[1-9][0-9]*$"
#: What ``_numbers.exact_text`` writes: ``85``, ``84.5``, ``-3``, ``1690/19``.
_EXACT_TEXT = r"^-?[0-9]+(\.[0-9]*[1-9])?$|^-?[0-9]+/[0-9]+$"
#: What ``_numbers.fixed`` writes for people: ``85.28``.
_DECIMAL_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"
_SHA256 = r"^sha256:[0-9a-f]{64}$"
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
_UTC_SECOND = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"


def _or_empty(pattern: str) -> str:
    """``pattern`` (anchored), or the empty text."""
    return f"^$|{pattern}"


def _input_numbers() -> dict[str, Any]:
    """The ``$defs`` of the numbers a cohort gives: exact, and counts."""
    return {
        "Count": {
            "description": 'A count: a JSON integer from 0 to 10^12 (20.0 or "20" is not one).',
            "type": "integer",
            "minimum": 0,
            "maximum": _MOST_COUNT,
        },
        "ExactNumber": {
            "description": (
                "An exact number: a JSON number (read as the decimal written, never as a float) "
                'or a string holding a decimal or a fraction ("86.5", "1690/19").'
            ),
            "oneOf": [{"type": "number"}, {"$ref": "#/$defs/ExactNumberText"}],
        },
        "ExactNumberText": {
            "description": 'A decimal or a fraction as text: "86.5", "-2", "1690/19", "1e2".',
            "type": "string",
            "pattern": _NUMBER_TEXT,
        },
        "PointsGiven": {
            "description": (
                "An item's points (or the bonus): one exact number, or itemised entries, each a number "
                'or {"amount": n, "note": "上访 县"}, summed exactly.'
            ),
            "oneOf": [
                {"$ref": "#/$defs/ExactNumber"},
                {
                    "description": "Itemised entries, summed.",
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"$ref": "#/$defs/ExactNumber"},
                            {
                                "description": "An entry with its note.",
                                "type": "object",
                                "properties": {
                                    "amount": {
                                        "description": "The points of the entry.",
                                        "$ref": "#/$defs/ExactNumber",
                                    },
                                    "note": {"description": "What the entry is for (上访 县).", "type": "string"},
                                },
                                "required": ["amount"],
                                "additionalProperties": False,
                            },
                        ]
                    },
                },
            ],
        },
    }


def _output_numbers() -> dict[str, Any]:
    """The ``$defs`` of the numbers villageeval writes: exact text, and counts."""
    return {
        "Count": {"description": "A count: an integer, 0 or more.", "type": "integer", "minimum": 0},
        "ExactText": {
            "description": (
                'An exact number as text: an integer or a finite decimal ("85", "84.5"), else a fraction '
                '("1690/19"), so that no JSON reader turns it into a float.'
            ),
            "type": "string",
            "pattern": _EXACT_TEXT,
        },
    }


# --- the docs' tables -----------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _plain_markdown(text: str) -> str:
    """A table cell as a description: links as their text."""
    return re.sub(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\([^)]*\)", r"\1", text).strip()


def doc_tables(text: str) -> dict[str, dict[str, str]]:
    """``### heading`` → key → the meaning of the key, from the tables of a docs page.

    A table is one whose first column is ``field`` or ``key`` and whose last is
    ``meaning``; its keys are the backticked first cells. Fenced code is skipped.
    """
    out: dict[str, dict[str, str]] = {}
    heading: str | None = None
    in_table = in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        level = len(line) - len(line.lstrip("#"))
        if 1 <= level <= 3 and line[level : level + 1] == " ":
            heading = line[level:].strip() if level == 3 else None
            in_table = False
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells and cells[0].lower() in ("field", "key") and cells[-1].lower() == "meaning":
            in_table = heading is not None
            if heading is not None:
                out.setdefault(heading, {})
            continue
        if in_table and heading is not None:
            key = re.fullmatch(r"`([^`]+)`", cells[0])
            if key:
                out[heading][key.group(1)] = _plain_markdown(cells[-1])
    return out


class _Docs:
    """The tables of docs/interchange.md and docs/scheme-format.md."""

    def __init__(self, docs: Path) -> None:
        self.interchange = doc_tables((docs / "interchange.md").read_text(encoding="utf-8"))
        self.scheme_format = doc_tables((docs / "scheme-format.md").read_text(encoding="utf-8"))

    def table(self, heading: str) -> dict[str, str]:
        try:
            return self.interchange[heading]
        except KeyError:
            raise SchemaSourceError(f"docs/interchange.md has no table under '### {heading}'") from None

    def heading_matching(self, pattern: str) -> str:
        found = [h for h in self.interchange if re.fullmatch(pattern, h)]
        if len(found) != 1:
            raise SchemaSourceError(f"docs/interchange.md: {len(found)} tables under a heading like {pattern!r}")
        return found[0]

    def scheme_keys(self, cls: type, heading: str | None = None) -> dict[str, str]:
        """The table of docs/scheme-format.md documenting the keys of ``cls``: under
        ``heading``, or the one table whose keys are exactly the class's fields."""
        if heading is not None:
            return self.scheme_format[heading]
        names = {a.name for a in attrs.fields(cls) if a.init and not a.name.startswith("_")}
        found = [table for table in self.scheme_format.values() if set(table) == names]
        if len(found) != 1:
            raise SchemaSourceError(
                f"docs/scheme-format.md: {len(found)} tables list exactly the keys of {cls.__name__}"
            )
        return found[0]


class SchemaSourceError(Exception):
    """The definitions a schema is generated from disagree (a key without a documented
    meaning, a field without a JSON type): fix them, then regenerate."""


# --- types → schemas --------------------------------------------------------------------------


def _resolved_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(cls)
    if any(isinstance(a.type, str) for a in fields):
        attrs.resolve_types(cls)
        fields = attrs.fields(cls)
    return fields


def _summary(cls: type) -> str:
    """The first paragraph of a class's docstring, on one line."""
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(re.sub(r"[`:]+(?:class|func|data):`?|``", "", doc).split())


class _Builder:
    """``$defs`` of one schema, built from attrs classes; ``refs`` names each class's def."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.refs: dict[type, str] = {}
        self.pending: dict[type, Callable[[], dict[str, Any]]] = {}

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{name}"}

    def of_type(self, tp: Any, where: str) -> dict[str, Any]:
        """The schema of a value of the Python type ``tp`` as the interchange writes it."""
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if tp is str:
            return {"type": "string"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return self.ref("Count")
        if tp is Fraction or tp is Share:  # a share is a Fraction, written the same way
            return self.ref("ExactText")
        if origin is Literal:
            kinds = {type(a) for a in args}
            out: dict[str, Any] = {"enum": list(args)}
            if kinds == {str}:
                out = {"type": "string", **out}
            return out
        if origin is Union or (hasattr(types, "UnionType") and isinstance(tp, types.UnionType)):
            nullable = type(None) in args
            parts = [self.of_type(a, where) for a in args if a is not type(None)]
            if nullable:
                parts.append({"type": "null"})
            if len(parts) == 1:
                return parts[0]
            if all(set(p) == {"type"} and isinstance(p["type"], str) for p in parts):
                return {"type": [p["type"] for p in parts]}
            return {"anyOf": parts}
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.of_type(args[0], where)}
        if origin in (collections.abc.Mapping, dict) and args and args[0] is str:
            return {"type": "object", "additionalProperties": self.of_type(args[1], where)}
        if isinstance(tp, type) and attrs.has(tp) and tp in self.refs:
            return self.ref(self.refs[tp])
        raise SchemaSourceError(f"{where}: no JSON type for {tp!r}; say how it is written")

    def obj(
        self,
        cls: type | None,
        described: Mapping[str, str],
        where: str,
        *,
        keys: Mapping[str, str] | None = None,
        skip: Iterable[str] = (),
        given: Mapping[str, dict[str, Any]] | None = None,
        extra: Mapping[str, dict[str, Any]] | None = None,
        output: bool = False,
        optional: Iterable[str] = (),
        required: Iterable[str] | None = None,
        refine: Mapping[str, dict[str, Any]] | None = None,
        description: str | None = None,
        closed: bool | None = None,
    ) -> dict[str, Any]:
        """An object schema: the ``extra`` keys, then a key per field of ``cls`` (its JSON
        name per ``keys``, its JSON type from the field's type or ``given``), each
        described by its row in ``described``.

        Required keys: ``required`` if given; else, for what villageeval writes
        (``output``), every key not ``optional``; for what it reads, every field without
        a default. ``closed`` (by default for what it reads, whose readers refuse an
        unknown key): no other keys. What villageeval writes may gain keys within a
        format, so an older schema still takes a newer result.
        """
        keys = keys or {}
        given = given or {}
        skipped = set(skip)
        props: dict[str, Any] = {}
        defaulted: set[str] = set()
        for name, schema in (extra or {}).items():
            props[name] = dict(schema)
            defaulted.add(name)  # what a reader takes besides the fields: optional
        if cls is not None:
            for a in _resolved_fields(cls):
                if not a.init or (a.name.startswith("_") and a.name not in keys) or a.name in skipped:
                    continue
                key = keys.get(a.name, a.name)
                if a.default is not attrs.NOTHING:
                    defaulted.add(key)
                if key in given:
                    props[key] = dict(given[key])
                elif a.type is Any:
                    raise SchemaSourceError(f"{where}.{key}: typed Any; say which JSON value it holds")
                else:
                    props[key] = self.of_type(a.type, f"{where}.{key}")
        for key, more in (refine or {}).items():
            props[key] = {**props[key], **more}
        for key in props:
            meaning = described.get(key)
            if meaning is None:
                raise SchemaSourceError(f"{where}.{key}: no documented meaning (a row in its docs table)")
            props[key] = {"description": meaning, **props[key]}
        out: dict[str, Any] = {"type": "object"}
        summary = description if description is not None else (_summary(cls) if cls is not None else "")
        if summary:
            out["description"] = summary
        out["properties"] = props
        if required is None:
            left_out = set(optional) if output else defaulted
            required = [k for k in props if k not in left_out]
        required = list(required)
        if required:
            out["required"] = required
        if closed if closed is not None else not output:
            out["additionalProperties"] = False
        return out


def _schema(name: str, title: str, description: str, root: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"urn:villageeval:schema:{name}-{FORMAT}",
        "title": title,
        "description": description,
    }
    out.update(root)
    used = _referenced(root, defs)
    if used:
        out["$defs"] = {name: defs[name] for name in sorted(defs) if name in used}
    return out


def _referenced(root: Any, defs: Mapping[str, Any]) -> set[str]:
    """The names of the ``$defs`` that ``root`` refers to, directly or through others."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in seen:
                    seen.add(name)
                    stack.append(defs[name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


# --- the cohort ---------------------------------------------------------------------------------


def _evidence_def_name(cls: type) -> str:
    return cls.__name__


def _cohort(docs: _Docs) -> dict[str, Any]:
    from ._cohort import COHORT_FORMAT, Cohort, Subject
    from ._kinds.evidence import DISCRIMINATOR
    from ._plugins import builtin_kinds

    defs: dict[str, Any] = _input_numbers()
    b = _Builder(defs)
    kinds = builtin_kinds()
    alternatives = []
    mapping: dict[str, str] = {}
    for name, kind in kinds.items():
        cls = kind.declared.evidence
        if cls is None:  # a built-in kind always says which evidence it reads
            raise SchemaSourceError(f"built-in kind {name!r} has no evidence class")
        heading = docs.heading_matching(rf"evidence: .* \({re.escape(name)}\)")
        def_name = _evidence_def_name(cls)
        values = {a.name: EVIDENCE_VALUES.get(a.name) for a in attrs.fields(cls)}
        unknown = [key for key, value in values.items() if value is None]
        if unknown:
            raise SchemaSourceError(
                f"evidence of kind {name!r}: no JSON type for {', '.join(unknown)} (add it to EVIDENCE_VALUES)"
            )
        defs[def_name] = b.obj(
            cls,
            docs.table(heading),
            f"evidence ({name})",
            given={k: v for k, v in values.items() if v is not None},
            extra={DISCRIMINATOR: {"const": name}},
            description=f"Evidence for an instrument of kind {name!r}: {_summary(cls)}",
        )
        alternatives.append(b.ref(def_name))
        mapping[name] = f"#/$defs/{def_name}"
    plugin_heading = docs.heading_matching(r"evidence: .* \(plugin kind\)")
    defs["PluginEvidence"] = {
        "description": (
            "Evidence for an instrument of a kind a plugin registers: it names its kind, and its other keys "
            "are the kind's (`villageeval schema cohort --scheme SCHEME` gives them)."
        ),
        "type": "object",
        "properties": {
            DISCRIMINATOR: {
                "description": docs.table(plugin_heading)[DISCRIMINATOR],
                "type": "string",
                "not": {"enum": list(kinds)},
            }
        },
        "required": [DISCRIMINATOR],
    }
    alternatives.append(b.ref("PluginEvidence"))
    defs["Evidence"] = {
        "description": (
            "The evidence for one instrument, in the shape of the instrument's kind. The optional "
            f"{DISCRIMINATOR!r} key names the kind (the discriminator); without it the shape alone tells "
            "the kinds apart, since each has a key the others lack."
        ),
        "oneOf": alternatives,
        "discriminator": {"propertyName": DISCRIMINATOR, "mapping": mapping},
    }
    coverage = docs.table("coverage")
    defs["Coverage"] = {
        "description": "Respondent or inspected category → its coverage.",
        "type": "object",
        "additionalProperties": b.ref("CoverageValue"),
    }
    defs["CoverageValue"] = {
        "description": (
            'A category\'s coverage: how many were covered (a count, enough for cover = "at_least_one"), '
            'or {"count": n, "of": m}, required for cover = "every_member".'
        ),
        "oneOf": [b.ref("Count"), b.ref("CoverageCount")],
    }
    defs["CoverageCount"] = b.obj(
        None,
        coverage,
        "coverage",
        extra={"count": b.ref("Count"), "of": b.ref("Count")},
        required=["count"],
        description="How many of a category were covered, out of how many there are.",
    )
    defs["FactValue"] = {
        "description": 'A fact: true or false, or a JSON number (a string "6" is not a number).',
        "type": ["boolean", "number"],
    }
    defs["Subject"] = b.obj(
        Subject,
        docs.table("subjects[]"),
        "subjects[]",
        given={
            "evidence": {"type": "object", "additionalProperties": b.ref("Evidence")},
            "facts": {"type": "object", "additionalProperties": b.ref("FactValue")},
        },
        refine={"id": {"minLength": 1}, "role": {"minLength": 1}},
    )
    b.refs[Subject] = "Subject"
    root = b.obj(
        Cohort,
        docs.table("cohort"),
        "cohort",
        extra={"format": {"const": COHORT_FORMAT}},
        given={"subjects": {"type": "array", "items": b.ref("Subject")}, "scheme": {"type": "string"}},
        required=["subjects"],
    )
    root.pop("description", None)
    return _schema(
        "cohort",
        f"villageeval cohort, format {COHORT_FORMAT}",
        "The subjects of one assessment with their evidence, as villageeval reads them (docs/interchange.md). "
        "Numbers are exact: a JSON number is read as the decimal written, and scores may be strings "
        '("86.5", "1690/19"); counts are integers of 0 or more.',
        root,
        defs,
    )


# --- the result -------------------------------------------------------------------------------------


def _result(docs: _Docs) -> dict[str, Any]:
    from ._interchange import RESULT_FORMAT
    from ._result import (
        Adjustment,
        ConsequenceOutcome,
        FindingOutcome,
        Outcome,
        Placing,
        PluginStamp,
        PopulationUsage,
        Reason,
        ReasonCode,
        Result,
        TraceStep,
    )

    defs: dict[str, Any] = _output_numbers()
    b = _Builder(defs)
    defs["ReasonCode"] = {
        "description": _summary(ReasonCode),
        "type": "string",
        "enum": [c.value for c in ReasonCode],
    }
    # Keys without a value are left out of these, never null: a key left out is a string when given.
    parts: tuple[tuple[type, str, str, tuple[str, ...]], ...] = (
        (Reason, "Reason", "outcomes[].reasons[]", ("instrument", "rule", "clause")),
        (Adjustment, "Adjustment", "outcomes[].adjustments[]", ()),
        (ConsequenceOutcome, "Consequence", "outcomes[].consequences[]", ()),
        (FindingOutcome, "Finding", "outcomes[].findings[]", ("detail",)),
        (TraceStep, "TraceStep", "outcomes[].trace[]", ("rule", "clause")),
        (Placing, "Placing", docs.heading_matching(r"outcomes\[\]\.rank\..*"), ()),
    )
    for cls, name, heading, optional in parts:
        b.refs[cls] = name
        given: dict[str, dict[str, Any]] = {key: {"type": "string"} for key in optional}
        if cls is Reason:
            # A ReasonCode, or a code of a plugin's instrument kind (EvidenceProblem).
            given["code"] = {"anyOf": [b.ref("ReasonCode"), {"type": "string"}]}
        defs[name] = b.obj(
            cls,
            docs.table(heading),
            heading,
            keys={"from_grade": "from", "to_grade": "to"},
            given=given,
            output=True,
            optional=optional,
        )
    b.refs[Outcome] = "Outcome"
    defs["Outcome"] = b.obj(
        Outcome,
        docs.table("outcomes[]"),
        "outcomes[]",
        keys={"subject_id": "subject"},
        given={
            "score_display": {"type": ["string", "null"], "pattern": _DECIMAL_TEXT},
            "proposed_grade": {"type": "string"},
        },
        output=True,
        optional=("trace", "proposed_grade", "rank"),
    )
    b.refs[PopulationUsage] = "Population"
    defs["Population"] = b.obj(
        PopulationUsage, docs.table("populations[]"), "populations[]", output=True, optional=("referred",)
    )
    # The audit stamp: the fields of Result that are not the result's own keys. A result
    # built by hand leaves the stamp of its evaluation empty ("").
    b.refs[PluginStamp] = "Plugin"
    defs["Plugin"] = b.obj(
        PluginStamp,
        docs.table(docs.heading_matching(r"audit\.plugins\[\]")),
        "audit.plugins[]",
        output=True,
        refine={"code_hash": {"pattern": _SHA256}},
    )
    audit = {
        "scheme_id": "scheme",
        "scheme_hash": "scheme_hash",
        "version": "villageeval",
        "_cohort_hash": "cohort_hash",
        "decision_id": "decision_id",
        "evaluated_at": "evaluated_at",
        "plugins": "plugins",
    }
    own = ("period", "outcomes", "populations", "warnings")
    defs["Audit"] = b.obj(
        Result,
        docs.table("audit"),
        "audit",
        keys=audit,
        skip=own,
        given={"cohort_hash": {"type": "string"}},
        output=True,
        required=["scheme", "scheme_hash", "villageeval"],
        refine={
            "scheme_hash": {"pattern": _SHA256},
            "cohort_hash": {"pattern": _or_empty(_SHA256)},
            "decision_id": {"pattern": _or_empty(_UUID)},
            "evaluated_at": {"pattern": _or_empty(_UTC_SECOND)},
        },
        description=_summary(Result),
    )
    root = b.obj(
        Result,
        docs.table("result"),
        "result",
        skip=tuple(audit),
        extra={"format": {"const": RESULT_FORMAT}, "audit": b.ref("Audit")},
        output=True,
    )
    root.pop("description", None)
    return _schema(
        "result",
        f"villageeval result, format {RESULT_FORMAT}",
        "One outcome per subject, quota usage and warnings, as villageeval writes them (docs/interchange.md). "
        'Exact numbers are strings ("85", "84.8", "23453/275").',
        root,
        defs,
    )


# --- problems -----------------------------------------------------------------------------------


def _problem(docs: _Docs) -> dict[str, Any]:
    from ._errors import Problem

    defs: dict[str, Any] = _output_numbers()
    b = _Builder(defs)
    root = b.obj(
        Problem,
        docs.table("problem"),
        "problem",
        given={
            "path": {"type": "string"},
            "line": {"type": ["integer", "null"], "minimum": 1},
            "severity": {"type": "string", "enum": ["error", "warning"]},
        },
        output=True,
    )
    root.pop("description", None)
    return _schema(
        "problem",
        f"villageeval problem, format {FORMAT}",
        "One thing wrong with a scheme, a cohort or a request, where it is and why: what "
        "`--errors json` writes to stderr, one object a line, and the HTTP service answers with.",
        root,
        defs,
    )


# --- the scheme description ---------------------------------------------------------------------


def _describe(docs: _Docs) -> dict[str, Any]:
    from . import _describe as d
    from ._kinds.evidence import DISCRIMINATOR
    from ._plugins import builtin_kinds

    defs: dict[str, Any] = _output_numbers()
    b = _Builder(defs)
    # Classes the description shares with the scheme: their keys are the scheme's.
    from ._model import Periods, Tier

    shared: tuple[tuple[type, str], ...] = ((Tier, "Tier"), (Periods, "Periods"))
    for model, name in shared:
        b.refs[model] = name
        defs[name] = b.obj(model, docs.scheme_keys(model), name, output=True)
    for part in d.SECTIONS:
        b.refs[part] = "Scheme" if part is d.SchemeInfo else part.__name__.removesuffix("Info")
    for part, heading in d.SECTIONS.items():
        if part not in (d.InstrumentInfo, d.SchemeInfo):
            defs[b.refs[part]] = b.obj(part, docs.table(heading), heading, output=True)
    common = docs.table(d.SECTIONS[d.InstrumentInfo])
    alternatives = []
    mapping = {}
    for name, kind in builtin_kinds().items():
        config = kind.config
        own = docs.scheme_keys(config, f'[instruments.<id>] kind = "{name}"')
        nested: dict[str, dict[str, Any]] = {}
        for a in _resolved_fields(config):
            if a.name in d.CONFIG_SKIPPED:
                continue
            for inner in _attrs_classes(a.type):
                if inner not in b.refs:
                    b.refs[inner] = inner.__name__
                    nested[inner.__name__] = b.obj(inner, docs.scheme_keys(inner), inner.__name__, output=True)
        defs.update(nested)
        schema = b.obj(
            d.InstrumentInfo,
            common,
            f"instrument ({name})",
            skip=("config",),
            output=True,
            refine={DISCRIMINATOR: {"const": name}},
            description=f"An instrument of kind {name!r}: {_summary(config)}",
        )
        mine = b.obj(
            config,
            own,
            f"instrument ({name})",
            skip=(*d.CONFIG_SKIPPED, *schema["properties"]),
            output=True,
        )
        schema["properties"].update(mine["properties"])
        schema["required"] = [*schema["required"], *mine.get("required", ())]
        def_name = f"{name.title().replace('_', '')}Instrument"
        defs[def_name] = schema
        alternatives.append(b.ref(def_name))
        mapping[name] = f"#/$defs/{def_name}"
    plugin = b.obj(
        d.InstrumentInfo,
        common,
        "instrument (plugin)",
        skip=("config",),
        output=True,
        refine={DISCRIMINATOR: {"not": {"enum": list(mapping)}}},
        description="An instrument of a kind a plugin registers: the keys above, then the kind's own.",
        closed=False,
    )
    defs["PluginInstrument"] = plugin
    alternatives.append(b.ref("PluginInstrument"))
    defs["Instrument"] = {
        "description": f"An instrument that applies to the role, in the shape of its kind ({DISCRIMINATOR!r}).",
        "oneOf": alternatives,
        "discriminator": {"propertyName": DISCRIMINATOR, "mapping": mapping},
    }
    root = b.obj(
        d.SchemeInfo,
        docs.table(d.SECTIONS[d.SchemeInfo]),
        "describe",
        given={"format": {"const": d.DESCRIBE_FORMAT}},
        refine={"scheme_hash": {"pattern": _SHA256}},
        output=True,
    )
    root.pop("description", None)
    return _schema(
        "describe",
        f"villageeval scheme description, format {d.DESCRIBE_FORMAT}",
        "What a scheme needs as input, per role, as `villageeval describe SCHEME --format json` writes it "
        "and the HTTP service answers `GET /schemes/{id}` with: derived from the compiled scheme, so it says "
        "what the engine checks. Exact numbers are strings.",
        root,
        defs,
    )


def _attrs_classes(tp: Any) -> Iterable[type]:
    if isinstance(tp, type) and attrs.has(tp):
        yield tp
        return
    for arg in typing.get_args(tp):
        yield from _attrs_classes(arg)


# --- generating, shipping ---------------------------------------------------------------------------


def generate(docs: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every schema, by name, generated from the code and the docs' tables.

    Raises:
        SchemaSourceError: a key without a documented meaning, a field without a JSON type.
        FileNotFoundError: no docs (an installed package has the generated files instead:
            :func:`shipped`).
    """
    source = _Docs(docs or _ROOT / "docs")
    builders: dict[str, Callable[[_Docs], dict[str, Any]]] = {
        "cohort": _cohort,
        "result": _result,
        "problem": _problem,
        "describe": _describe,
    }
    return {name: builders[name](source) for name in SCHEMA_NAMES}


def schema_text(schema: Mapping[str, Any]) -> str:
    """A schema as the shipped files hold it: JSON, two-space indents, UTF-8 text unescaped."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def schema_file(name: str) -> str:
    """The file name of a schema: ``cohort-1.schema.json``."""
    return f"{name}-{FORMAT}.schema.json"


def shipped_text(name: str) -> str:
    """The text of a schema as the package ships it."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"no schema {name!r} (known: {', '.join(SCHEMA_NAMES)})")
    return resources.files("villageeval").joinpath("schemas").joinpath(schema_file(name)).read_text(encoding="utf-8")


def shipped(name: str) -> dict[str, Any]:
    """A schema as the package ships it, parsed (a new copy on each call)."""
    data: dict[str, Any] = json.loads(shipped_text(name))
    return data


#: The JSON Schema of ``name`` (cohort, result, problem, describe), as the package ships it.
schema_of = shipped


# --- one scheme's cohort ---------------------------------------------------------------------------


def _period_schema(calendar: str, order: tuple[str, ...]) -> dict[str, Any]:
    """The periods the scheme can place on its time line (``_kernel.period_index``)."""
    if order:
        return {"type": "string", "enum": list(order)}
    if calendar == "months":
        return {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"}
    return {"type": "string", "pattern": r"^[0-9]{4}$"}


def _instrument_evidence(iid: str, config: Any, kind: Any, scheme: Any, generic: Mapping[str, Any]) -> dict[str, Any]:
    """The schema of the evidence of one instrument: its kind's shape, with the scheme's
    tiers, items and bonus (what the kind would report as malformed otherwise)."""
    from ._kinds.evidence import DISCRIMINATOR

    cls = kind.declared.evidence if kind.declared.read_evidence is None else None
    description = f"The evidence of {iid} ({config.title}, {config.clause}), an instrument of kind {kind.name!r}."
    if cls is None or not attrs.has(cls) or cls.__name__ not in generic:
        # A plugin's own evidence: its keys are the class's, what they hold is the kind's.
        out: dict[str, Any] = {"description": description, "type": "object", "properties": {}}
        if cls is not None and attrs.has(cls):
            fields = attrs.fields(cls)
            out["properties"] = {a.name: {} for a in fields}
            out["required"] = [a.name for a in fields if a.default is attrs.NOTHING]
            out["additionalProperties"] = False
        out["properties"][DISCRIMINATOR] = {"const": kind.name}
        return out
    # An evidence class of the built-in kinds (a plugin's kind may read one too).
    out = copy.deepcopy(generic[cls.__name__])
    props = out["properties"]
    props[DISCRIMINATOR] = {**props[DISCRIMINATOR], "const": kind.name}
    out["description"] = description
    scale = scheme.scales.get(getattr(config, "scale", None) or "")
    if scale is not None:
        labels = list(scale.labels)
        if "tallies" in props:
            props["tallies"]["propertyNames"] = {"enum": labels}
        if "tier" in props:
            props["tier"]["enum"] = labels
    items = getattr(config, "items", None)
    if "items" in props and isinstance(items, Mapping):
        props["items"]["propertyNames"] = {"enum": list(items)}
    if "bonus" in props and hasattr(config, "bonus") and config.bonus is None:
        del props["bonus"]
    categories = tuple(getattr(config, "must_cover", ()))
    if "coverage" in props and categories:
        cover = getattr(config, "cover", "at_least_one")
        props["coverage"]["description"] = (
            f"{props['coverage'].get('description', '')} Categories to cover: {', '.join(categories)} "
            f"({cover}).".strip()
        )
    return out


def cohort_schema_for(scheme: Any) -> dict[str, Any]:
    """The cohort schema of one scheme: its roles, each instrument's evidence in its kind's
    shape (tiers and items as enums), its facts with their types, the groups its quotas
    count by, the grades history and linked outcomes may hold.

    Built from the shipped generic schema (:func:`shipped`) and the scheme's compiled
    plan; it checks the shape of a cohort, not what the engine reports per subject
    (too few respondents, coverage, a missing instrument's evidence).

    Raises:
        TypeError: ``scheme`` is not a loaded :class:`~villageeval.Scheme`.
    """
    from urllib.parse import quote

    from ._bound import plan_of
    from ._types import expect_scheme

    expect_scheme(scheme)
    plan = plan_of(scheme)
    kinds = plan.binding.kinds
    out = copy.deepcopy(shipped("cohort"))
    defs: dict[str, Any] = out["$defs"]
    generic = copy.deepcopy(defs)
    out["$id"] = f"{out['$id']}:{quote(scheme.id, safe='')}"
    out["title"] = f"villageeval cohort for {scheme.id}, format {FORMAT}"
    out["description"] = f"{scheme.id} ({scheme.title}): {out['description']}"
    props = out["properties"]
    props["scheme"] = {**props["scheme"], "const": scheme.id}
    periods = scheme.periods
    if any(rp.history is not None for rp in plan.roles.values()):
        props["period"] = {**props["period"], **_period_schema(periods.calendar, periods.order)}
    subject = defs["Subject"]
    sp = subject["properties"]
    sp["role"] = {
        **sp["role"],
        "enum": list(scheme.roles),
        "description": f"{sp['role']['description']} ("
        + ", ".join(f"{rid}: {role.label}" for rid, role in scheme.roles.items())
        + ")",
    }
    evidence = {}
    for iid, config in scheme.instruments.items():
        name = f"Evidence_{iid}"
        defs[name] = _instrument_evidence(iid, config, kinds[config.kind], scheme, generic)
        evidence[iid] = {"$ref": f"#/$defs/{name}"}
    sp["evidence"] = {
        "description": sp["evidence"]["description"],
        "type": "object",
        "properties": evidence,
        "additionalProperties": False,
    }
    sp["facts"] = {
        "description": sp["facts"]["description"],
        "type": "object",
        "properties": {
            name: {
                "description": f"{fact.label} ({fact.clause})" if fact.clause else fact.label,
                "type": "boolean" if fact.type == "bool" else "number",
            }
            for name, fact in scheme.facts.items()
        },
        "additionalProperties": False,
    }
    declared = {kind: {"enum": list(g.values)} for kind, g in scheme.groups.items() if g.values}
    if declared:
        sp["groups"] = {**sp["groups"], "properties": declared}
    rules: list[dict[str, Any]] = []
    for role, rp in plan.roles.items():
        then: dict[str, Any] = {}
        needed = list(rp.counted_by)
        if needed:
            then["required"] = ["groups"]
            then.setdefault("properties", {})["groups"] = {"required": needed}
        if rp.history is not None:
            then.setdefault("properties", {})["history"] = {
                "propertyNames": _period_schema(rp.history.calendar, rp.history.order),
                "additionalProperties": {"enum": list(rp.labels)},
            }
        if rp.linked:
            then.setdefault("properties", {})["outcomes"] = {
                "properties": {a: {"enum": list(tiers)} for a, tiers in rp.linked.items()}
            }
        if then:
            rules.append({"if": {"properties": {"role": {"const": role}}, "required": ["role"]}, "then": then})
    if rules:
        subject["allOf"] = rules
    used = _referenced({k: v for k, v in out.items() if k != "$defs"}, defs)
    out["$defs"] = {name: defs[name] for name in sorted(defs) if name in used}
    return out
