"""TOML data ⇄ scheme model, with every structural problem reported at once.

We build our own cattrs converter (never the global one) with
``forbid_extra_keys`` so that a misspelt key is an error, strict hooks so that a
string is never silently taken for a number (or a number for a string), and
hand-written hooks for the two places where TOML reads better than a class
tree: instrument and grading kinds, and predicates (``{ fact = "x" }``).
Failures are flattened to ``(path, message)`` pairs; the loader adds files and
lines.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from . import _model as m

Path = tuple[str | int, ...]

T = TypeVar("T")


class Invalid(ValueError):
    """A value is wrong; ``rel_path`` locates it below the value being structured."""

    def __init__(self, message: str, rel_path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.rel_path = rel_path


class InvalidMany(ValueError):
    """Several :class:`Invalid` found while structuring one value."""

    def __init__(self, problems: list[Invalid]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def describe(value: object) -> str:
    """``'1'`` that is a str — how a wrong value is quoted in messages."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, Decimal)):
        return f"{value} (a number)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    return f"{value!r} (a {type(value).__name__})"


# --- scalar hooks --------------------------------------------------------------


def to_fraction(value: object) -> Fraction:
    """Exact number from TOML/JSON: int, Decimal, or a string like ``"1690/19"``."""
    if isinstance(value, bool):
        raise Invalid(f"must be a number (got {describe(value)})")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise Invalid(f"must be a finite number (got {value})")
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            pass
    if isinstance(value, float):
        raise Invalid("must be an exact number, not a float")
    raise Invalid(f"must be a number (got {describe(value)})")


def _structure_fraction(value: object, _: type) -> Fraction:
    return to_fraction(value)


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a string (got {describe(value)})")
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise Invalid(f"must be an integer (got {describe(value)})")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise Invalid(f"must be an integer (got {value})")
        return int(value)
    return value


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false (got {describe(value)})")
    return value


def _structure_str_tuple(value: object, _: type) -> tuple[str, ...]:
    if isinstance(value, str):
        raise Invalid(f"must be an array of strings (got {describe(value)}); write [{value!r}]")
    if not isinstance(value, list):
        raise Invalid(f"must be an array of strings (got {describe(value)})")
    problems = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            problems.append(Invalid(f"must be a string (got {describe(item)})", (i,)))
    if problems:
        raise InvalidMany(problems)
    return tuple(value)


def _literal_hook(tp: Any) -> Callable[[object, type], object]:
    allowed = typing.get_args(tp)

    def hook(value: object, _: type) -> object:
        if value not in allowed or isinstance(value, bool):
            options = ", ".join(repr(a) for a in allowed)
            raise Invalid(f"must be one of {options} (got {describe(value)})")
        return value

    return hook


def _is_literal(tp: Any) -> bool:
    return typing.get_origin(tp) is Literal


# --- kinds -------------------------------------------------------------------------

INSTRUMENT_KINDS: dict[str, type] = {
    "ballot": m.Ballot,
    "rating": m.Rating,
    "score": m.DirectScore,
    "points": m.Points,
}
GRADING_KINDS: dict[str, type] = {"bands": m.BandGrading, "conditions": m.ConditionGrading}


def _kind_hook(
    converter: cattrs.Converter, kinds: Mapping[str, type], what: str, default: str | None
) -> Callable[[object, type], object]:
    def hook(value: object, _: type) -> object:
        if not isinstance(value, dict):
            raise Invalid(f"must be a table (got {describe(value)})")
        kind = value.get("kind", default)
        if kind is None:
            raise Invalid(
                f"missing key 'kind': which kind of {what} ({', '.join(map(repr, kinds))})",
                ("kind",),
            )
        if kind not in kinds:
            hint = difflib.get_close_matches(str(kind), list(kinds), n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise Invalid(
                f"unknown {what} kind {kind!r}{extra} (known: {', '.join(kinds)})", ("kind",)
            )
        data = dict(value)
        data.setdefault("kind", kind)
        return converter.structure(data, kinds[kind])

    return hook


# --- predicates --------------------------------------------------------------------

_COMPARE_KEYS = ("at_least", "above", "at_most", "below", "equals")
_PREDICATE_KEYS = {
    "fact": {"fact", *_COMPARE_KEYS},
    "score": {"score", *_COMPARE_KEYS},
    "share": {"share", "tiers", *_COMPARE_KEYS},
    "grade": {"grade"},
    "streak": {"streak", "periods"},
    "outcome": {"outcome", "scale", "worse_than", "in"},
    "role": {"role"},
    "rule": {"rule"},
    "all": {"all"},
    "any": {"any"},
    "not": {"not"},
}


def structure_predicate(value: object) -> m.Predicate:
    """Parse the TOML form of a predicate, collecting every problem in it."""
    if not isinstance(value, dict):
        raise Invalid(
            f"must be a predicate table such as {{ fact = \"...\" }} (got {describe(value)})"
        )
    heads = [k for k in value if k in _PREDICATE_KEYS]
    if len(heads) != 1:
        if not heads:
            keys = ", ".join(map(repr, value)) or "nothing"
            close = [
                c for k in value for c in difflib.get_close_matches(str(k), list(_PREDICATE_KEYS), 1)
            ]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise Invalid(
                f"unknown predicate: it has {keys}{hint} "
                f"(a predicate has one of: {', '.join(_PREDICATE_KEYS)})"
            )
        raise Invalid(f"a predicate has exactly one of {', '.join(heads)}; split it with all = [...]")
    head = heads[0]
    problems: list[Invalid] = []
    allowed = _PREDICATE_KEYS[head]
    for k in value:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Invalid(f"unknown key {k!r} in a {head!r} predicate{hint}", (k,)))

    def text(key: str) -> str:
        v = value.get(key)
        if not isinstance(v, str):
            problems.append(Invalid(f"must be a string (got {describe(v)})", (key,)))
            return ""
        return v

    def labels(key: str, *, required: bool = True) -> tuple[str, ...]:
        v = value.get(key)
        if v is None and not required:
            return ()
        if isinstance(v, str):
            return (v,)
        if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
            return tuple(v)
        problems.append(Invalid(f"must be a label or an array of labels (got {describe(v)})", (key,)))
        return ()

    def compare(*, required: bool) -> m.Comparison | None:
        bounds: dict[str, Fraction] = {}
        for k in _COMPARE_KEYS:
            if k in value:
                try:
                    bounds[k] = to_fraction(value[k])
                except Invalid as e:
                    problems.append(Invalid(e.message, (k,)))
        if not bounds:
            if required:
                problems.append(
                    Invalid(f"needs a comparison: one of {', '.join(_COMPARE_KEYS)}")
                )
            return None
        return m.Comparison(**bounds)

    def sub(key: str) -> list[m.Predicate]:
        v = value.get(key)
        items = [v] if key == "not" else v
        if key != "not" and (not isinstance(v, list) or not v):
            problems.append(Invalid(f"must be a non-empty array of predicates (got {describe(v)})", (key,)))
            return []
        out: list[m.Predicate] = []
        for i, item in enumerate(items or []):
            where: Path = (key,) if key == "not" else (key, i)
            try:
                out.append(structure_predicate(item))
            except Invalid as e:
                problems.append(Invalid(e.message, where + e.rel_path))
            except InvalidMany as many:
                problems.extend(Invalid(e.message, where + e.rel_path) for e in many.problems)
        return out

    result: m.Predicate
    if head == "fact":
        result = m.FactTest(text("fact"), compare(required=False))
    elif head == "score":
        result = m.ScoreTest(text("score"), compare(required=True) or m.Comparison())
    elif head == "share":
        cmp = compare(required=True) or m.Comparison()
        for k, v in vars_of(cmp):
            if v is not None and not (0 <= v <= 1):
                problems.append(Invalid(f"a share is between 0 and 1 (got {_show(v)})", (k,)))
        result = m.ShareTest(text("share"), labels("tiers"), cmp)
    elif head == "grade":
        result = m.GradeIs(labels("grade"))
    elif head == "streak":
        periods = value.get("periods", 2)
        if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
            problems.append(Invalid(f"must be a whole number of periods >= 1 (got {describe(periods)})", ("periods",)))
            periods = 2
        result = m.Streak(labels("streak"), periods)
    elif head == "outcome":
        worse = value.get("worse_than")
        if worse is not None and not isinstance(worse, str):
            problems.append(Invalid(f"must be a grade label (got {describe(worse)})", ("worse_than",)))
            worse = None
        is_in = labels("in", required=False)
        if worse is None and not is_in:
            problems.append(Invalid("an outcome predicate needs worse_than = \"<grade>\" or in = [...]"))
        result = m.OutcomeTest(text("outcome"), text("scale"), worse, is_in)
    elif head == "role":
        result = m.RoleIs(labels("role"))
    elif head == "rule":
        result = m.NamedRule(text("rule"))
    elif head == "all":
        result = m.AllOf(sub("all"))
    elif head == "any":
        result = m.AnyOf(sub("any"))
    else:
        subs = sub("not")
        result = m.Not(subs[0]) if subs else m.Not(m.AllOf(()))
    if problems:
        raise InvalidMany(problems)
    return result


def vars_of(cmp: m.Comparison) -> Iterator[tuple[str, Fraction | None]]:
    """The bounds of a comparison by name."""
    for k in _COMPARE_KEYS:
        yield k, getattr(cmp, k)


def _show(v: Fraction) -> str:
    return m._fmt(v)


def unstructure_predicate(p: m.Predicate) -> dict[str, Any]:
    """The TOML form of a predicate (inverse of :func:`structure_predicate`)."""
    if isinstance(p, m.FactTest):
        return {"fact": p.fact, **(_unstructure_cmp(p.compare) if p.compare else {})}
    if isinstance(p, m.ScoreTest):
        return {"score": p.score, **_unstructure_cmp(p.compare)}
    if isinstance(p, m.ShareTest):
        return {"share": p.share, "tiers": list(p.tiers), **_unstructure_cmp(p.compare)}
    if isinstance(p, m.GradeIs):
        return {"grade": list(p.grade)}
    if isinstance(p, m.Streak):
        return {"streak": list(p.streak), "periods": p.periods}
    if isinstance(p, m.OutcomeTest):
        d: dict[str, Any] = {"outcome": p.outcome, "scale": p.scale}
        if p.worse_than is not None:
            d["worse_than"] = p.worse_than
        if p.is_in:
            d["in"] = list(p.is_in)
        return d
    if isinstance(p, m.RoleIs):
        return {"role": list(p.role)}
    if isinstance(p, m.NamedRule):
        return {"rule": p.rule}
    if isinstance(p, m.AllOf):
        return {"all": [unstructure_predicate(x) for x in p.all]}
    if isinstance(p, m.AnyOf):
        return {"any": [unstructure_predicate(x) for x in p.any]}
    return {"not": unstructure_predicate(p.not_)}


def _unstructure_cmp(c: m.Comparison) -> dict[str, Any]:
    return {k: unstructure_number(v) for k, v in vars_of(c) if v is not None}


def unstructure_number(v: Fraction) -> int | Decimal | str:
    """An exact number in the most readable exact form: int, decimal, or ``"a/b"``."""
    if v.denominator == 1:
        return v.numerator
    d = Decimal(v.numerator) / Decimal(v.denominator)
    if Fraction(d) == v:
        return d
    return f"{v.numerator}/{v.denominator}"


# --- the converter ------------------------------------------------------------------


def make_converter() -> cattrs.Converter:
    """A converter for the scheme model: strict scalars, kinds, predicates."""
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True, omit_if_default=True)
    c.register_structure_hook(Fraction, _structure_fraction)
    c.register_structure_hook(str, _structure_str)
    c.register_structure_hook(int, _structure_int)
    c.register_structure_hook(bool, _structure_bool)
    c.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_str_tuple)
    c.register_structure_hook_factory(_is_literal, _literal_hook)
    c.register_structure_hook_func(
        lambda t: t == m.Instrument, _kind_hook(c, INSTRUMENT_KINDS, "instrument", None)
    )
    c.register_structure_hook_func(
        lambda t: t == m.Grading, _kind_hook(c, GRADING_KINDS, "grading", "bands")
    )
    c.register_structure_hook_func(
        lambda t: t == m.Predicate, lambda v, _: structure_predicate(v)
    )
    c.register_structure_hook(m.Comparison, lambda v, _: _comparison(v))
    c.register_structure_hook(m.Tier, lambda v, _: _tier(c, v))

    c.register_unstructure_hook(Fraction, unstructure_number)
    for cls in typing.get_args(m.Predicate):
        c.register_unstructure_hook(cls, unstructure_predicate)
    for cls in (*INSTRUMENT_KINDS.values(), *GRADING_KINDS.values()):
        c.register_unstructure_hook(cls, _with_kind(c, cls))
    return c


def _with_kind(c: cattrs.Converter, cls: type) -> Callable[[Any], dict[str, Any]]:
    base = cattrs.gen.make_dict_unstructure_fn(cls, c, _cattrs_omit_if_default=True)

    def hook(obj: Any) -> dict[str, Any]:
        d = base(obj)
        d["kind"] = obj.kind
        return d

    return hook


def _tier(c: cattrs.Converter, value: object) -> m.Tier:
    # A tier may be written as just its label: tiers = ["满意", "基本满意", "不满意"].
    if isinstance(value, str):
        return m.Tier(value)
    return c.structure_attrs_fromdict(value, m.Tier) if isinstance(value, dict) else _bad_tier(value)  # type: ignore[arg-type]


def _bad_tier(value: object) -> m.Tier:
    raise Invalid(f"must be a label or a table {{ label = ..., points = ... }} (got {describe(value)})")


def _comparison(value: object) -> m.Comparison:
    if not isinstance(value, dict):
        raise Invalid(f"must be a table of bounds (got {describe(value)})")
    p = structure_predicate({"score": "total", **value})
    assert isinstance(p, m.ScoreTest)
    return p.compare


# --- flattening cattrs' exception tree ---------------------------------------------------


@attrs.frozen
class RawProblem:
    """A problem before files and lines are known."""

    path: Path
    message: str


def flatten(exc: BaseException, path: Path = ()) -> list[RawProblem]:
    """Every leaf problem in a cattrs validation tree, with did-you-mean merged in."""
    leaves: list[tuple[Path, BaseException, Any]] = []
    _walk(exc, path, leaves, None)
    missing = {p for p, e, _ in leaves if isinstance(e, KeyError)}
    used_missing: set[Path] = set()
    out: list[RawProblem] = []
    for p, e, cls in leaves:
        if isinstance(e, ForbiddenExtraKeysError):
            names = [a.name for a in attrs.fields(e.cl)] if attrs.has(e.cl) else []
            for key in sorted(e.extra_fields):
                close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
                if close and (p + (close[0],)) in missing:
                    used_missing.add(p + (close[0],))
                    msg = f"unknown key {key!r}; did you mean {close[0]!r}?"
                elif close:
                    msg = f"unknown key {key!r}; did you mean {close[0]!r}?"
                else:
                    msg = f"unknown key {key!r} (allowed: {', '.join(names)})"
                out.append(RawProblem(p + (key,), msg))
    for p, e, cls in leaves:
        if isinstance(e, ForbiddenExtraKeysError):
            continue
        if isinstance(e, KeyError):
            if p not in used_missing:
                out.append(RawProblem(p, "required key is missing"))
        elif isinstance(e, Invalid):
            out.append(RawProblem(p + e.rel_path, e.message))
        elif isinstance(e, InvalidMany):
            out.extend(RawProblem(p + i.rel_path, i.message) for i in e.problems)
        elif isinstance(e, AttributeError) and "items" in str(e):
            out.append(RawProblem(p, "must be a table"))
        elif isinstance(e, TypeError) and cls is not None:
            out.append(RawProblem(p, f"has the wrong type (expected {_type_name(cls)})"))
        else:
            out.append(RawProblem(p, str(e) or type(e).__name__))
    return out


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)


def _walk(exc: BaseException, path: Path, out: list[tuple[Path, BaseException, Any]], tp: Any) -> None:
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            _walk(sub, path + (note.index,), out, note.type)
        for sub in without:
            _walk(sub, path, out, None)
    elif isinstance(exc, ClassValidationError):
        with_notes2, without2 = exc.group_exceptions()
        for sub, note2 in with_notes2:
            _walk(sub, path + (note2.name,), out, note2.type)
        for sub in without2:
            _walk(sub, path, out, None)
    else:
        out.append((path, exc, tp))
