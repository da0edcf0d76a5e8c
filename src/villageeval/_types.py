"""Checking what the public functions are handed, before it is used.

A wrong argument to a public function (``evaluate("id", "file.json")``, the scheme and
the cohort swapped, a dict where a ``Subject`` goes) must fail at once with a
``TypeError`` that names the parameter, what was expected and what came, in the style
of attrs' validators::

    'cohort' must be a villageeval.Cohort (got 'file.json' that is a str); load it with villageeval.load_cohort(path)

and not with an ``AttributeError`` three calls deep. The checks are ``type(x) is C``
first, falling back to ``isinstance`` only when that fails, so that a call that is
right pays next to nothing: ``Subject`` is built by the hundred thousand.

Classes are imported when a check first needs them: ``_cohort`` imports this module.
"""

from __future__ import annotations

import os
import reprlib
from collections.abc import Mapping
from typing import Any, NoReturn

__all__ = [
    "describe_value",
    "expect_claims",
    "expect_cohort",
    "expect_cohort_data",
    "expect_flag",
    "expect_load_options",
    "expect_mapping",
    "expect_path",
    "expect_registry",
    "expect_result",
    "expect_result_data",
    "expect_scheme",
    "expect_scheme_data",
    "expect_table",
    "expect_text",
    "expect_toml_text",
    "subject_evidence",
    "subject_facts",
    "subject_field_error",
    "subject_groups",
    "subject_history",
    "subject_notes",
    "subject_outcomes",
    "subjects_of",
    "type_error",
]

#: Longest repr of a value shown in a message; a cohort's worth of text would bury it.
_SHOWN = 60


def _short_repr() -> reprlib.Repr:
    """A ``repr`` that stops early: a dict of 100,000 subjects is not written out to be cut."""
    short = reprlib.Repr()
    short.maxstring = short.maxother = _SHOWN
    short.maxlevel, short.maxdict, short.maxlist, short.maxtuple = 3, 4, 4, 4
    return short


_REPR = _short_repr()


def _article(name: str) -> str:
    """``a str``, ``an int``: the type name with its article, for a message."""
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _type_name(value: object) -> str:
    """The name of a value's type as a user of villageeval knows it (``villageeval.Cohort``)."""
    cls = type(value)
    module = cls.__module__
    if module.startswith("villageeval.columnar"):
        return f"villageeval.columnar.{cls.__qualname__}"
    if module.startswith("villageeval"):
        return f"villageeval.{cls.__qualname__}"
    if module in ("builtins", "pathlib", "collections"):
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


def _sized(value: object) -> str | None:
    """A scheme, a cohort, a table or a result by what it holds (its repr could be a
    province's worth of text), or None for any other value."""
    name = type(value).__name__
    if not type(value).__module__.startswith("villageeval"):
        return None
    if name == "Scheme":
        return f"the {_type_name(value)} {getattr(value, 'id', '?')!r}"
    count = {"Cohort": "subjects", "Result": "outcomes"}.get(name)
    if count is not None:
        n = len(getattr(value, count, ()))
        return f"{_article(_type_name(value))} of {n} {count if n != 1 else count[:-1]}"
    if name == "ColumnarCohort":
        n = len(value)  # type: ignore[arg-type]
        return f"{_article(_type_name(value))} of {n} row{'s' if n != 1 else ''}"
    return None


def describe_value(value: object) -> str:
    """``'file.json' that is a str``, ``None``, ``a villageeval.Cohort of 50 subjects``:
    what came, for a message, never more than a line."""
    if value is None:
        return "None"
    sized = _sized(value)
    if sized is not None:
        return sized
    try:
        shown = _REPR.repr(value)
    except Exception:  # a repr that fails must not hide the TypeError being raised
        shown = f"<{type(value).__qualname__} object>"
    if len(shown) > _SHOWN:
        shown = shown[: _SHOWN - 1] + "…"
    return f"{shown} that is {_article(_type_name(value))}"


def type_error(parameter: str, expected: str, value: object, hint: str = "", owner: str = "") -> TypeError:
    """The ``TypeError`` for ``parameter`` (of ``owner``, a class, when it is a field):
    what it must be, what it got, what to do instead."""
    message = f"{owner + ' ' if owner else ''}{parameter!r} must be {expected} (got {describe_value(value)})"
    return TypeError(message + (f"; {hint}" if hint else ""))


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _class_named(value: object, name: str) -> bool:
    """Whether ``value`` is one of villageeval's ``name`` without importing its module
    (``villageeval.columnar`` needs numpy)."""
    cls = type(value)
    return cls.__name__ == name and cls.__module__.startswith("villageeval")


# --- the scheme, the cohort, a result ------------------------------------------------------

_SWAPPED = "the arguments look swapped: the scheme comes first, then the cohort"


def _scheme_hint(value: object) -> str:
    """What to do with what came instead of a scheme."""
    if _is_path(value):
        return "load it with villageeval.load_scheme(path or scheme id)"
    if _class_named(value, "Cohort") or _class_named(value, "ColumnarCohort"):
        return _SWAPPED
    if isinstance(value, Mapping):
        return "build it with villageeval.scheme_from_dict(data)"
    return ""


def expect_scheme(value: object, parameter: str = "scheme") -> None:
    """``value`` is a loaded :class:`~villageeval.Scheme`."""
    from ._model import Scheme

    if type(value) is not Scheme and not isinstance(value, Scheme):
        raise type_error(parameter, "a villageeval.Scheme", value, _scheme_hint(value))


def _cohort_hint(value: object) -> str:
    """What to do with what came instead of a cohort."""
    if _is_path(value):
        return "load it with villageeval.load_cohort(path)"
    if _class_named(value, "Scheme"):
        return _SWAPPED
    if _class_named(value, "Subject"):
        return "wrap it: villageeval.Cohort([subject])"
    if _class_named(value, "ColumnarCohort"):
        return "grade a table with villageeval.columnar.evaluate_columnar, or pass table.to_cohort()"
    if isinstance(value, Mapping):
        return "build it with villageeval.cohort_from_dict(data)"
    if isinstance(value, (list, tuple)):
        return "wrap the subjects: villageeval.Cohort(subjects)"
    return ""


def expect_cohort(value: object, parameter: str = "cohort") -> None:
    """``value`` is a :class:`~villageeval.Cohort`."""
    from ._cohort import Cohort

    if type(value) is not Cohort and not isinstance(value, Cohort):
        raise type_error(parameter, "a villageeval.Cohort", value, _cohort_hint(value))


def _parsed_data(value: object, parameter: str, what: str, reader: str, file_hint: str) -> None:
    """Data read from JSON must not be what JSON never gives: bytes, a path, an object
    already built; those are mistakes of the caller. Any JSON value (a text too: a file
    may hold just ``"2024"``) that is not an object is a problem of the data, reported
    by the reader as such. ``file_hint`` says how a file is read."""
    hint = ""
    if isinstance(value, (bytes, bytearray)):
        hint = f"parse it first: {reader}(json.loads(data))"
    elif isinstance(value, os.PathLike):
        hint = file_hint
    elif _class_named(value, what):
        hint = f"it is already a villageeval.{what}"
    if hint:
        raise type_error(parameter, "the data read from JSON (a dict)", value, hint)


def expect_cohort_data(data: object, source: object) -> None:
    """The arguments of ``cohort_from_dict``: parsed JSON, and a label or None.

    A JSON value that is not an object stays a :class:`~villageeval.CohortError` (it is
    the data that is wrong); bytes, a path or a built cohort is the caller's mistake.
    """
    if type(data) is not dict:
        _parsed_data(
            data, "data", "Cohort", "villageeval.cohort_from_dict", "read a file with villageeval.load_cohort(path)"
        )
    expect_text(source, "source", optional=True)


def expect_result(value: object, parameter: str = "result") -> None:
    """``value`` is a :class:`~villageeval.Result`."""
    from ._result import Result

    if type(value) is not Result and not isinstance(value, Result):
        hint = ""
        if isinstance(value, Mapping):
            hint = "read it with villageeval.result_from_dict(data)"
        elif isinstance(value, str):
            hint = "read it with villageeval.result_from_dict(json.loads(text))"
        elif _class_named(value, "Outcome"):
            hint = "pass the whole result; an outcome is one of result.outcomes"
        raise type_error(parameter, "a villageeval.Result", value, hint)


def expect_claims(scheme: object, cohort: object, claimed: object) -> None:
    """The arguments of ``check_outcomes`` and ``assert_outcomes``: the claims are a
    mapping of subject id → grade, or a whole result."""
    expect_scheme(scheme)
    expect_cohort(cohort)
    if type(claimed) is dict or isinstance(claimed, Mapping) or _class_named(claimed, "Result"):
        return
    hint = ""
    if isinstance(claimed, (list, tuple)):
        hint = "give the grades by subject id: {outcome.subject_id: outcome.final_grade for outcome in ...}"
    expected = "a mapping of subject id → grade label (or None), or a villageeval.Result"
    raise type_error("claimed", expected, claimed, hint)


def expect_table(value: object, table_class: type) -> None:
    """The table of ``evaluate_columnar``: a ``ColumnarCohort`` (its class is passed in:
    it lives in ``villageeval.columnar``, which needs numpy)."""
    if type(value) is table_class or isinstance(value, table_class):
        return
    hint = ""
    if _class_named(value, "Cohort"):
        hint = "grade a Cohort with villageeval.evaluate(scheme, cohort)"
    elif _class_named(value, "Scheme"):
        hint = _SWAPPED.replace("the cohort", "the table")
    elif isinstance(value, Mapping):
        hint = "wrap the columns: villageeval.columnar.ColumnarCohort(columns)"
    elif _is_path(value):
        hint = "read the file into columns first, then villageeval.columnar.ColumnarCohort(columns)"
    raise type_error("table", "a villageeval.columnar.ColumnarCohort", value, hint)


def expect_result_data(data: object) -> None:
    """The argument of ``result_from_dict``: parsed JSON, not bytes, a path or a result."""
    if type(data) is not dict:
        file_hint = "read a file with villageeval.result_from_dict(json.loads(path.read_text(encoding='utf-8')))"
        _parsed_data(data, "data", "Result", "villageeval.result_from_dict", file_hint)


# --- plain values ---------------------------------------------------------------------------


def expect_text(value: object, parameter: str, *, optional: bool = False, owner: str = "") -> None:
    """``value`` is a ``str`` (or None, when ``optional``)."""
    if type(value) is str or (optional and value is None) or isinstance(value, str):
        return
    raise type_error(parameter, "a string or None" if optional else "a string", value, owner=owner)


def expect_flag(value: object, parameter: str) -> None:
    """``value`` is True or False: ``trace="no"`` would otherwise mean yes."""
    if value is not True and value is not False:
        raise type_error(parameter, "True or False", value)


def expect_mapping(value: object, parameter: str, what: str, *, optional: bool = True) -> None:
    """``value`` is a mapping (``what`` says of what), or None when ``optional``."""
    if type(value) is dict or (optional and value is None) or isinstance(value, Mapping):
        return
    raise type_error(parameter, f"a mapping of {what}" + (" or None" if optional else ""), value)


def expect_path(value: object, parameter: str = "path") -> None:
    """``value`` is a path (``str`` or ``os.PathLike``) or a scheme id."""
    if type(value) is str or isinstance(value, (str, os.PathLike)):
        return
    hint = "it is already loaded" if _class_named(value, "Scheme") else ""
    raise type_error(parameter, "a path (a str or os.PathLike) or a scheme id", value, hint)


def expect_registry(value: object) -> None:
    """``registry`` is a :class:`~villageeval.Registry` or None (the default registry)."""
    if value is None:
        return
    from ._plugins import Registry

    if not isinstance(value, Registry):
        raise type_error("registry", "a villageeval.Registry or None", value)


def expect_load_options(registry: object, schemes: object, predicates: object, parameters: object) -> None:
    """The keyword arguments the scheme loaders share, each None or of its type."""
    expect_registry(registry)
    expect_mapping(schemes, "schemes", "scheme id → path")
    expect_mapping(predicates, "predicates", "predicate name → function")
    expect_mapping(parameters, "parameters", "parameter name → value")


def expect_toml_text(value: object) -> None:
    """The text of ``loads_scheme``: a ``str``, not bytes or a path."""
    if type(value) is str or isinstance(value, str):
        return
    hint = ""
    if isinstance(value, (bytes, bytearray)):
        hint = "decode it first: villageeval.loads_scheme(data.decode('utf-8'))"
    elif isinstance(value, os.PathLike):
        hint = "read a file with villageeval.load_scheme(path)"
    raise type_error("text", "the TOML text of a scheme (a str)", value, hint)


def expect_scheme_data(value: object) -> None:
    """The data of ``scheme_from_dict``: a mapping (the form ``scheme_to_dict`` gives)."""
    if type(value) is dict or isinstance(value, Mapping):
        return
    hint = ""
    if _class_named(value, "Scheme"):
        hint = "it is already a villageeval.Scheme"
    elif isinstance(value, str):
        hint = "TOML text is read by villageeval.loads_scheme(text), a file by villageeval.load_scheme(path)"
    elif isinstance(value, os.PathLike):
        hint = "read a file with villageeval.load_scheme(path)"
    raise type_error("data", "a mapping (the form scheme_to_dict gives)", value, hint)


# --- the fields of Subject and Cohort ---------------------------------------------------------


def subject_field_error(field: str, value: object, *, required: bool) -> NoReturn:
    """Raise for a text field of a ``Subject``: ``TypeError`` for a wrong type,
    ``ValueError`` for an empty id or role."""
    expected = "a non-empty string" if required else "a string"
    if field == "role":
        expected += " (one of the scheme's role ids)"
    message = f"Subject {field!r} must be {expected} (got {describe_value(value)})"
    if isinstance(value, str):
        raise ValueError(message)
    raise TypeError(message)


def _mapping(value: Any, field: str) -> dict[Any, Any]:
    """The slow path of a ``Subject``'s mapping field: any mapping is copied, None is
    empty, anything else is a ``TypeError`` naming the field (``dict("abc")`` would
    otherwise say something else, and a list of pairs would pass unnoticed)."""
    if isinstance(value, Mapping):
        return dict(value)
    if value is None:
        return {}
    raise TypeError(f"Subject {field!r} must be a mapping (a dict) or None (got {describe_value(value)})")


# The converters of a Subject's mapping fields, one named function each (the attrs plugin
# of mypy reads only named converters); a dict, the usual case, is copied at once.


def subject_groups(value: Any) -> dict[Any, Any]:
    """``Subject.groups`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "groups")


def subject_evidence(value: Any) -> dict[Any, Any]:
    """``Subject.evidence`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "evidence")


def subject_facts(value: Any) -> dict[Any, Any]:
    """``Subject.facts`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "facts")


def subject_history(value: Any) -> dict[Any, Any]:
    """``Subject.history`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "history")


def subject_outcomes(value: Any) -> dict[Any, Any]:
    """``Subject.outcomes`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "outcomes")


def subject_notes(value: Any) -> dict[Any, Any]:
    """``Subject.notes`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "notes")


def subject_decision(value: Any) -> dict[Any, Any]:
    """``Subject.decision`` as a dict."""
    return dict(value) if type(value) is dict else _mapping(value, "decision")


def subjects_of(value: Any) -> tuple[Any, ...]:
    """The ``subjects`` of a ``Cohort`` as a tuple, refusing what would iterate into
    nonsense: a text (its characters), a mapping (its keys), a path."""
    if type(value) is tuple or type(value) is list:
        return tuple(value)
    expected = "an iterable of villageeval.Subject"
    if isinstance(value, (str, bytes, os.PathLike)):
        raise type_error("subjects", expected, value, "load a cohort file with villageeval.load_cohort(path)", "Cohort")
    if isinstance(value, Mapping):
        hint = "build a cohort from its JSON form with villageeval.cohort_from_dict(data)"
        raise type_error("subjects", expected, value, hint, "Cohort")
    try:
        return tuple(value)
    except TypeError:
        raise type_error("subjects", expected, value, owner="Cohort") from None
