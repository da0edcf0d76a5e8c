"""TOML data ⇄ scheme model, with every structural problem reported at once.

We build our own cattrs converter (never the global one) with
``forbid_extra_keys`` so that a misspelt key is an error, strict hooks so that a
number is never silently taken for a string (numbers may be written as
strings on purpose — ``"1690/19"`` is how an exact rational is spelt), and
hand-written hooks for the two places where TOML reads better than a class
tree: instrument and grading kinds, and predicates (``{ fact = "x" }``).
Failures are flattened to ``(path, message)`` pairs; the loader adds files and
lines.
"""

from __future__ import annotations

import collections.abc
import types
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
from ._hints import close_matches
from ._reading import int_text, number_too_large

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
    if isinstance(value, int):
        return f"{int_text(value)} (a number)"
    if isinstance(value, Decimal):
        return f"{value} (a number)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    return f"{value!r} (a {type(value).__name__})"


# --- scalar hooks --------------------------------------------------------------


class NumberTooLarge(Invalid):
    """A number beyond the bounds of :mod:`villageeval._reading` (``1e999999999``): a hook
    that words its own "must be a number" should let this one through, as it says why."""


def _bounded(value: object) -> None:
    """Raise :class:`NumberTooLarge` for a number beyond the bounds (cheap for any other)."""
    message = number_too_large(value)
    if message is not None:
        raise NumberTooLarge(message)


def to_fraction(value: object) -> Fraction:
    """Exact number from TOML/JSON: int, Decimal, or a string like ``"1690/19"``.

    Every number is bounded first (``_reading.number_too_large``: at most 1000 digits,
    within 10^±1000): the exact value of ``1e999999999`` is a billion-digit integer,
    which would take hours to build. A number beyond raises :class:`NumberTooLarge`.
    """
    if isinstance(value, bool):
        raise Invalid(f"must be a number (got {describe(value)})")
    if isinstance(value, int):
        _bounded(value)
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise Invalid(f"must be a finite number (got {value})")
        _bounded(value)
        return Fraction(value)
    if isinstance(value, Fraction):
        _bounded(value)
        return value
    if isinstance(value, str):
        _bounded(value)
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            pass
    if isinstance(value, float):
        raise Invalid("must be an exact number, not a float")
    raise Invalid(f"must be a number (got {describe(value)})")


def to_share(value: object) -> Fraction:
    """A share: an exact number, or a percent literal as documents write it (``"40%"``,
    ``"62.5%"``, ``"40 %"``), which is the number over 100."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("%", "％")):
            number = text[:-1].strip()
            try:
                share = to_fraction(Decimal(number)) / 100
            except (ArithmeticError, ValueError):
                raise Invalid(f"a percent literal is a decimal number followed by % (got {value!r})") from None
            if not 0 <= share <= 1:
                raise Invalid(f"a share is between 0% and 100% (got {value!r})")
            return share
    return to_fraction(value)


def _structure_share(value: object, _: type) -> Fraction:
    return to_share(value)


def _structure_fraction(value: object, _: type) -> Fraction:
    return to_fraction(value)


def _structure_fact_value(value: object, _: type) -> bool | Fraction | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        raise Invalid(f"must be true, false or a number (got {describe(value)}); write it without quotes")
    try:
        return to_fraction(value)
    except NumberTooLarge:
        raise
    except Invalid:
        raise Invalid(f"must be true, false or a number (got {describe(value)})") from None


def _structure_parameter_value(value: object, _: type) -> object:
    if isinstance(value, (bool, int, str, Decimal)):
        return value
    raise Invalid(f"must be a number, a string or true/false (got {describe(value)})")


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be a string (got {describe(value)})")
    return value


def _structure_int(value: object, _: type) -> int:
    """An integer, within the bounds of every number (``int(Decimal("1e999999999"))``,
    for the hint below, would hang as surely as its Fraction)."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        _bounded(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        # 20.0 is a TOML float: say how to write the integer rather than guess.
        raise Invalid(f"must be an integer (got {describe(value)}); write {int(value)}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"must be an integer (got {describe(value)})")
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
            close = close_matches(value, [str(a) for a in allowed], n=1) if isinstance(value, str) else []
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise Invalid(f"must be one of {options} (got {describe(value)}){hint}")
        return value

    return hook


def _is_literal(tp: Any) -> bool:
    return typing.get_origin(tp) is Literal


# --- containers --------------------------------------------------------------------
# Left to itself cattrs takes a string for an array (one element per character:
# tiers = "好一般差" would be four tiers) and fails on a non-table given for a
# table with a bare AttributeError. These hooks check the container first.


def _is_array(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] is not str


def _is_mapping(tp: Any) -> bool:
    return typing.get_origin(tp) is collections.abc.Mapping


def _array_factory(c: cattrs.Converter) -> Callable[[Any], Callable[[object, type], object]]:
    def factory(tp: Any) -> Callable[[object, type], object]:
        as_list: Any = types.GenericAlias(list, typing.get_args(tp))

        def hook(value: object, _: type) -> object:
            if not isinstance(value, list):
                raise Invalid(f"must be an array (got {describe(value)})")
            return tuple(c.structure(value, as_list))

        return hook

    return factory


def _mapping_factory(c: cattrs.Converter) -> Callable[[Any], Callable[[object, type], object]]:
    def factory(tp: Any) -> Callable[[object, type], object]:
        as_dict: Any = types.GenericAlias(dict, typing.get_args(tp))

        def hook(value: object, _: type) -> object:
            if not isinstance(value, dict):
                raise Invalid(f"must be a table (got {describe(value)})")
            return c.structure(value, as_dict)

        return hook

    return factory


def _table_factory(c: cattrs.Converter) -> Callable[[Any], Callable[[object, type], object]]:
    def factory(cl: Any) -> Callable[[object, type], object]:
        inner = cattrs.gen.make_dict_structure_fn(cl, c)

        def hook(value: object, _: type) -> object:
            if not isinstance(value, dict):
                raise Invalid(f"must be a table (got {describe(value)})")
            return inner(value, cl)

        return hook

    return factory


def expected(tp: Any) -> str:
    """How a missing value of type ``tp`` is described: ``a string``, ``a table``."""
    if tp is str:
        return "a string"
    if tp is Fraction:
        return "a number"
    if tp is int:
        return "an integer"
    if tp is bool:
        return "true or false"
    if tp == m.Predicate:
        return 'a predicate table such as { fact = "..." }'
    if _is_literal(tp):
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) is tuple:
        return "an array"
    if _is_mapping(tp) or tp in (m.Instrument, m.Grading) or attrs.has(tp):
        return "a table"
    return getattr(tp, "__name__", None) or str(tp)


def share_problem(v: Fraction) -> str:
    """The message for a share outside [0, 1], guessing a percentage (30 for 30%)."""
    msg = f"a share is between 0 and 1 (got {_show(v)})"
    if 1 < v <= 100:
        msg += f'; for {_show(v)}% write {_show(v / 100)} or "{_show(v)}%"'

    return msg


# --- kinds -------------------------------------------------------------------------

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
            hint = close_matches(str(kind), list(kinds), n=1)
            extra = f"; did you mean {hint[0]!r}?" if hint else ""
            raise Invalid(f"unknown {what} kind {kind!r}{extra} (known: {', '.join(kinds)})", ("kind",))
        data = dict(value)
        data.setdefault("kind", kind)
        return converter.structure(data, kinds[kind])

    return hook


# --- predicates --------------------------------------------------------------------

#: The longest streak a scheme may ask for (连续N年): documents speak of two or three.
MOST_PERIODS = 100

_COMPARE_KEYS = ("at_least", "above", "at_most", "below", "equals")
_PREDICATE_KEYS = {
    "fact": {"fact", *_COMPARE_KEYS},
    "score": {"score", *_COMPARE_KEYS},
    "share": {"share", "tiers", *_COMPARE_KEYS},
    "grade": {"grade"},
    "streak": {"streak", "periods", "required"},
    "outcome": {"outcome", "scale", "worse_than", "in"},
    "rating": {"rating", "in"},
    "present": {"present"},
    "rank": {"rank", *_COMPARE_KEYS},
    "role": {"role"},
    "rule": {"rule"},
    "all": {"all"},
    "any": {"any"},
    "not": {"not"},
}


def structure_predicate(value: object) -> m.Predicate:
    """Parse the TOML form of a predicate, collecting every problem in it."""
    if not isinstance(value, dict):
        raise Invalid(f'must be a predicate table such as {{ fact = "..." }} (got {describe(value)})')
    heads = [k for k in value if k in _PREDICATE_KEYS]
    if len(heads) != 1:
        if not heads:
            keys = ", ".join(map(repr, value)) or "nothing"
            close = [c for k in value for c in close_matches(str(k), list(_PREDICATE_KEYS), 1)]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise Invalid(
                f"unknown predicate: it has {keys}{hint} (a predicate has one of: {', '.join(_PREDICATE_KEYS)})"
            )
        raise Invalid(f"a predicate has exactly one of {', '.join(heads)}; split it with all = [...]")
    head = heads[0]
    problems: list[Invalid] = []
    allowed = _PREDICATE_KEYS[head]
    for k in value:
        if k not in allowed:
            close = close_matches(str(k), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Invalid(f"unknown key {k!r} in a {head!r} predicate{hint}", (k,)))

    def text(key: str) -> str:
        v = value.get(key)
        if v is None:
            problems.append(Invalid(f"required key {key!r} is missing (expected a string)", (key,)))
            return ""
        if not isinstance(v, str):
            problems.append(Invalid(f"must be a string (got {describe(v)})", (key,)))
            return ""
        return v

    def labels(key: str, *, required: bool = True) -> tuple[str, ...]:
        v = value.get(key)
        if v is None and not required:
            return ()
        if v is None:
            problems.append(
                Invalid(f"required key {key!r} is missing (expected a label or an array of labels)", (key,))
            )
            return ()
        if isinstance(v, str):
            return (v,)
        if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
            return tuple(v)
        problems.append(Invalid(f"must be a label or an array of labels (got {describe(v)})", (key,)))
        return ()

    def compare(*, required: bool, share: bool = False) -> m.Comparison | None:
        bounds: dict[str, Fraction] = {}
        number = to_share if share else to_fraction
        for k in _COMPARE_KEYS:
            if k in value:
                try:
                    bounds[k] = number(value[k])
                except Invalid as e:
                    problems.append(Invalid(e.message, (k,)))
        if not bounds:
            # A bound given but unreadable has been reported: not also "needs a comparison".
            if required and not any(k in value for k in _COMPARE_KEYS):
                problems.append(Invalid(f"needs a comparison: one of {', '.join(_COMPARE_KEYS)}"))
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
        cmp = compare(required=True, share=True) or m.Comparison()
        for k, v in vars_of(cmp):
            if v is not None and not (0 <= v <= 1):
                problems.append(Invalid(share_problem(v), (k,)))
        result = m.ShareTest(text("share"), labels("tiers"), cmp)
    elif head == "grade":
        result = m.GradeIs(labels("grade"))
    elif head == "streak":
        periods = value.get("periods", 2)
        if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= MOST_PERIODS:
            problems.append(
                Invalid(
                    f"must be a whole number of periods from 1 to {MOST_PERIODS} (got {describe(periods)})",
                    ("periods",),
                )
            )
            periods = 2
        required = value.get("required", False)
        if not isinstance(required, bool):
            problems.append(Invalid(f"must be true or false (got {describe(required)})", ("required",)))
            required = False
        result = m.Streak(labels("streak"), periods, required)
    elif head == "outcome":
        worse = value.get("worse_than")
        if worse is not None and not isinstance(worse, str):
            problems.append(Invalid(f"must be a grade label (got {describe(worse)})", ("worse_than",)))
            worse = None
        is_in = labels("in", required=False)
        if worse is None and not is_in:
            problems.append(Invalid('an outcome predicate needs worse_than = "<grade>" or in = [...]'))
        elif worse is not None and is_in:
            problems.append(Invalid("an outcome predicate takes worse_than or in, not both; split it with all = [...]"))
        result = m.OutcomeTest(text("outcome"), text("scale"), worse, is_in)
    elif head == "rating":
        result = m.RatingIs(text("rating"), labels("in"))
    elif head == "present":
        result = m.Present(text("present"))
    elif head == "rank":
        result = m.RankTest(text("rank"), compare(required=True) or m.Comparison())
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
    return m.fmt(v)


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
        d_: dict[str, Any] = {"streak": list(p.streak), "periods": p.periods}
        if p.required:
            d_["required"] = True
        return d_
    if isinstance(p, m.OutcomeTest):
        d: dict[str, Any] = {"outcome": p.outcome, "scale": p.scale}
        if p.worse_than is not None:
            d["worse_than"] = p.worse_than
        if p.is_in:
            d["in"] = list(p.is_in)
        return d
    if isinstance(p, m.RatingIs):
        return {"rating": p.rating, "in": list(p.is_in)}
    if isinstance(p, m.Present):
        return {"present": p.present}
    if isinstance(p, m.RankTest):
        return {"rank": p.rank, **_unstructure_cmp(p.compare)}
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


def make_converter(kinds: Mapping[str, type]) -> cattrs.Converter:
    """A converter for the scheme model: strict scalars, kinds, predicates, ranking keys.

    ``kinds`` are the instrument kinds a scheme may use (name → config class): the
    built-in ones and those of the plugins of the registry it is loaded through.
    """
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True, omit_if_default=True)
    # Registered first: the more specific hooks below take precedence over these.
    c.register_structure_hook_factory(attrs.has, _table_factory(c))
    c.register_structure_hook_factory(_is_array, _array_factory(c))
    c.register_structure_hook_factory(_is_mapping, _mapping_factory(c))
    c.register_structure_hook(Fraction, _structure_fraction)
    c.register_structure_hook(m.Share, _structure_share)
    c.register_structure_hook_func(lambda t: t == (bool | Fraction | None), _structure_fact_value)
    c.register_structure_hook_func(lambda t: t is Any, _structure_parameter_value)
    c.register_structure_hook(str, _structure_str)
    c.register_structure_hook(int, _structure_int)
    c.register_structure_hook(bool, _structure_bool)
    c.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_str_tuple)
    c.register_structure_hook_factory(_is_literal, _literal_hook)
    c.register_structure_hook_func(lambda t: t is m.InstrumentConfig, _kind_hook(c, kinds, "instrument", None))
    c.register_structure_hook_func(lambda t: t == m.Grading, _kind_hook(c, GRADING_KINDS, "grading", "bands"))
    c.register_structure_hook_func(lambda t: t == m.Predicate, lambda v, _: structure_predicate(v))
    c.register_structure_hook_func(lambda t: t == (m.Predicate | None), lambda v, _: structure_predicate(v))
    c.register_structure_hook_func(lambda t: t == m.RankKey, _rank_key_hook(c))
    c.register_structure_hook(m.Comparison, lambda v, _: _comparison(v))
    tier_from_dict = cattrs.gen.make_dict_structure_fn(m.Tier, c)
    c.register_structure_hook(m.Tier, lambda v, _: _tier(tier_from_dict, v))

    c.register_unstructure_hook(Fraction, unstructure_number)
    for cls in typing.get_args(m.Predicate):
        c.register_unstructure_hook(cls, unstructure_predicate)
    for cls in typing.get_args(m.RankKey):
        c.register_unstructure_hook(cls, unstructure_rank_key)
    for cls in (*kinds.values(), *GRADING_KINDS.values()):
        c.register_unstructure_hook(cls, _with_kind(c, cls))
    c.register_unstructure_hook_func(lambda t: t is m.InstrumentConfig, lambda obj: c.unstructure(obj, type(obj)))
    return c


# --- ranking keys ----------------------------------------------------------------------

#: A ranking key's head (which one it is) → its class; like predicates, one head each.
RANK_KEY_HEADS: dict[str, type] = {"score": m.ScoreKey, "share": m.ShareKey, "fact": m.FactKey}


def _rank_key_hook(c: cattrs.Converter) -> Callable[[object, type], object]:
    def hook(value: object, _: type) -> object:
        if not isinstance(value, dict):
            raise Invalid(f'must be a ranking key such as {{ score = "total" }} (got {describe(value)})')
        heads = [k for k in RANK_KEY_HEADS if k in value]
        if len(heads) != 1:
            if heads:
                raise Invalid(f"a ranking key has exactly one of {', '.join(heads)}; give one key per table")
            close = [x for key in value for x in close_matches(str(key), list(RANK_KEY_HEADS), n=1)]
            more = f"; did you mean {close[0]!r}?" if close else ""
            raise Invalid(
                'a ranking key is { score = "total" }, { score = "<instrument>" }, '
                '{ share = "<ballot>", tiers = [...] } or { fact = "<number fact>" }'
                f" (got {', '.join(map(repr, value)) or 'an empty table'}){more}"
            )
        return c.structure(value, RANK_KEY_HEADS[heads[0]])

    return hook


def unstructure_rank_key(key: m.RankKey) -> dict[str, Any]:
    """The TOML form of a ranking key, its head always written (``{ score = "total" }``)."""
    d: dict[str, Any]
    if isinstance(key, m.ScoreKey):
        d = {"score": key.score}
    elif isinstance(key, m.ShareKey):
        d = {"share": key.share, "tiers": list(key.tiers)}
    else:
        d = {"fact": key.fact}
    if key.better != "higher":
        d["better"] = key.better
    return d


def rank_key_from_string(text: str, better: object = "higher") -> dict[str, Any]:
    """The structured form of an old string ranking key: ``total``, ``<instrument>``,
    ``fact:<name>``, ``share:<ballot>:<tier>|<tier>`` (read for one release, with a warning)."""
    d: dict[str, Any]
    if text.startswith("fact:"):
        d = {"fact": text[5:]}
    elif text.startswith("share:"):
        iid, _, tiers = text[6:].partition(":")
        d = {"share": iid, "tiers": tiers.split("|") if tiers else []}
    else:
        d = {"score": text}
    if better != "higher":
        d["better"] = better
    return d


def _with_kind(c: cattrs.Converter, cls: type) -> Callable[[Any], dict[str, Any]]:
    base: Callable[[Any], dict[str, Any]] = cattrs.gen.make_dict_unstructure_fn(cls, c, _cattrs_omit_if_default=True)

    def hook(obj: Any) -> dict[str, Any]:
        d = base(obj)
        d["kind"] = obj.kind
        return d

    return hook


def _tier(from_dict: Callable[[Any, Any], m.Tier], value: object) -> m.Tier:
    # A tier may be written as just its label: tiers = ["满意", "基本满意", "不满意"].
    # A table goes through the generated hook, which rejects unknown keys (point = 90).
    if isinstance(value, str):
        return m.Tier(value)
    return from_dict(value, m.Tier) if isinstance(value, dict) else _bad_tier(value)


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
    """A problem before files and lines are known.

    ``rename_to`` is the did-you-mean of an unknown key: the loader may rename
    the key on a scratch copy to look for further problems. ``code`` is the
    :class:`~villageeval.Problem` code it becomes (the validator's are all
    ``invalid_value``).
    """

    path: Path
    message: str
    rename_to: str | None = None
    code: str = "invalid_value"


# "must be an integer (got '20' (a string))", "must be a table (got 5 (a number))": the
# converters' own words for a value of the wrong type; "must be one of ..." and the rest
# are about the value.
def _invalid_code(message: str) -> str:
    """The problem code of a converter's message: ``wrong_type`` or ``invalid_value``."""
    typed = message.startswith(("must be a ", "must be an ", "must be true")) and not message.startswith(
        "must be a finite"
    )
    return "wrong_type" if typed and "(got " in message else "invalid_value"


def flatten(exc: BaseException, path: Path = ()) -> list[RawProblem]:
    """Every leaf problem in a cattrs validation tree, with did-you-mean merged in."""
    leaves: list[tuple[Path, BaseException, Any]] = []
    _walk(exc, path, leaves, None)
    missing = {p for p, e, _ in leaves if isinstance(e, KeyError)}
    used_missing: set[Path] = set()
    out: list[RawProblem] = []
    for p, e, _cls in leaves:
        if isinstance(e, ForbiddenExtraKeysError):
            # Only keys a scheme author can write: fields set by ``__init__`` without a
            # leading underscore (internal ones would be offered for a key that was never
            # allowed: "unknown key 'origin'; did you mean 'origin'?"), and never the key
            # that was written itself.
            names = (
                [a.name for a in attrs.fields(e.cl) if a.init and not a.name.startswith("_")] if attrs.has(e.cl) else []
            )
            for key in sorted(e.extra_fields):
                close = close_matches(key, [n for n in names if n != key], n=1, cutoff=0.6)
                rename = close[0] if close else None
                if close and ((*p, close[0])) in missing:
                    used_missing.add((*p, close[0]))
                    msg = f"unknown key {key!r}; did you mean {close[0]!r}?"
                elif close:
                    msg = f"unknown key {key!r}; did you mean {close[0]!r}?"
                else:
                    msg = f"unknown key {key!r} (allowed: {', '.join(names) or 'none'})"
                out.append(RawProblem((*p, key), msg, rename, code="unknown_key"))
    for p, e, cls in leaves:
        if isinstance(e, ForbiddenExtraKeysError):
            continue
        if isinstance(e, KeyError):
            if p not in used_missing:
                name = f"key {p[-1]!r}" if p and isinstance(p[-1], str) else "key"
                what = f" (expected {expected(cls)})" if cls is not None else ""
                out.append(RawProblem(p, f"required {name} is missing{what}", code="missing_key"))
        elif isinstance(e, Invalid):
            out.append(RawProblem(p + e.rel_path, e.message, code=_invalid_code(e.message)))
        elif isinstance(e, InvalidMany):
            out.extend(RawProblem(p + i.rel_path, i.message, code=_invalid_code(i.message)) for i in e.problems)
        elif isinstance(e, AttributeError) and "items" in str(e):
            out.append(RawProblem(p, "must be a table", code="wrong_type"))
        elif isinstance(e, TypeError) and cls is not None:
            out.append(RawProblem(p, f"has the wrong type (expected {_type_name(cls)})", code="wrong_type"))
        else:
            out.append(RawProblem(p, str(e) or type(e).__name__, code="invalid_value"))
    return out


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)


def _walk(exc: BaseException, path: Path, out: list[tuple[Path, BaseException, Any]], tp: Any) -> None:
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            _walk(sub, (*path, note.index), out, note.type)
        for sub in without:
            _walk(sub, path, out, None)
    elif isinstance(exc, ClassValidationError):
        with_notes2, without2 = exc.group_exceptions()
        for sub, note2 in with_notes2:
            _walk(sub, (*path, note2.name), out, note2.type)
        for sub in without2:
            _walk(sub, path, out, None)
    else:
        out.append((path, exc, tp))
