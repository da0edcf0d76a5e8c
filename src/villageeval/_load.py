"""Reading scheme files: TOML → resolved ``extends`` → model → validation.

Every problem, from a TOML syntax error to a band gap, becomes a
:class:`~villageeval.Problem` with the file, the key path and the line of the
key, and all of them are raised together in one :class:`~villageeval.SchemeError`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import tomli

from . import _model as m
from ._convert import RawProblem, flatten, make_converter
from ._errors import Problem, SchemeError, UnknownSchemeError
from ._locate import line_of, locate_keys
from ._predicates import PredicateFunction
from ._validate import validate

__all__ = ["load_scheme", "loads_scheme", "scheme_from_dict", "scheme_hash", "scheme_to_dict"]

SCHEME_FILE = "scheme.toml"

_converter = make_converter()

#: Finds the file of a scheme by id, for ``extends``; None if unknown.
Resolver = Callable[[str], "Path | None"]


class _Source:
    """One TOML document and where its keys are, for reporting lines."""

    def __init__(self, text: str, file: str | None) -> None:
        self.text = text
        self.file = file
        self._lines: dict[tuple[str | int, ...], int] | None = None

    def line(self, path: tuple[str | int, ...]) -> int | None:
        if self._lines is None:
            self._lines = locate_keys(self.text)
        if not path:
            return None
        return line_of(self._lines, path)

    def has(self, path: tuple[str | int, ...]) -> bool:
        if self._lines is None:
            self._lines = locate_keys(self.text)
        return tuple(path) in self._lines


def _parse(src: _Source) -> dict[str, Any]:
    try:
        return tomli.loads(src.text, parse_float=Decimal)
    except tomli.TOMLDecodeError as e:
        msg = getattr(e, "msg", None) or str(e).split(" (at ")[0]
        raise SchemeError([Problem((), f"TOML syntax error: {msg}", src.file, getattr(e, "lineno", None))]) from None


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (arrays too) is replaced whole."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve(
    src: _Source, resolver: Resolver, chain: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[_Source]]:
    data = _parse(src)
    parent_id = data.get("extends")
    if parent_id is None:
        return data, [src]
    if not isinstance(parent_id, str):
        raise SchemeError([Problem(("extends",), "must be a scheme id (a string)", src.file, src.line(("extends",)))])
    own_id = data.get("id")
    here = (*chain, own_id if isinstance(own_id, str) else "?")
    if parent_id in here:
        cycle = " → ".join((*here, parent_id))
        raise SchemeError([Problem(("extends",), f"cyclic extends: {cycle}", src.file, src.line(("extends",)))])
    parent_file = resolver(parent_id)
    if parent_file is None:
        raise SchemeError(
            [Problem(("extends",), f"no scheme {parent_id!r} to extend", src.file, src.line(("extends",)))]
        )
    parent_src = _Source(parent_file.read_text(encoding="utf-8"), str(parent_file))
    parent_data, sources = _resolve(parent_src, resolver, here)
    parent_data.pop("extends", None)
    merged = _merge(parent_data, data)
    return merged, [src, *sources]


def _locate(sources: list[_Source], raw: RawProblem) -> Problem:
    # The child wins: report the key where it is written, else where it is inherited from.
    for src in sources:
        if src.has(raw.path):
            return Problem(raw.path, raw.message, src.file, src.line(raw.path))
    first = sources[0]
    return Problem(raw.path, raw.message, first.file, first.line(raw.path))


def _build(
    text: str,
    file: str | None,
    resolver: Resolver,
    predicates: Mapping[str, PredicateFunction],
) -> m.Scheme:
    src = _Source(text, file)
    data, sources = _resolve(src, resolver)
    try:
        scheme = _converter.structure(data, m.Scheme)
    except Exception as e:  # cattrs raises an ExceptionGroup tree of every problem
        raise SchemeError([_locate(sources, p) for p in flatten(e)]) from None
    problems = validate(scheme, predicates.keys())
    if problems:
        raise SchemeError([_locate(sources, p) for p in problems])
    if file is not None:
        object.__setattr__(scheme, "origin", file)
    object.__setattr__(scheme, "_rules", dict(predicates))
    return scheme


def _default_resolver(near: Path | None) -> Resolver:
    from ._bundled import bundled_schemes

    def resolve(scheme_id: str) -> Path | None:
        if near is not None:
            sibling = near.parent.parent / scheme_id / SCHEME_FILE
            if sibling.is_file():
                return sibling
        return bundled_schemes().get(scheme_id)

    return resolve


def scheme_file(path: str | os.PathLike[str]) -> Path:
    """The ``scheme.toml`` for a path that is either that file or its directory."""
    p = Path(path)
    return p / SCHEME_FILE if p.is_dir() else p


def load_scheme(
    path: str | os.PathLike[str],
    *,
    schemes: Mapping[str, str | os.PathLike[str]] | None = None,
    predicates: Mapping[str, PredicateFunction] | None = None,
) -> m.Scheme:
    """Load and validate a scheme.

    Args:
        path: a ``scheme.toml``, the directory holding one, or the id of a
            bundled or registered scheme.
        schemes: extra scheme files by id, for ``extends`` (a county template).
        predicates: the Python predicates that ``{ rule = "..." }`` may name,
            by name (``"<scheme id>:<name>"`` for one scheme only).

    Raises:
        SchemeError: with every problem found, each with file, key path and line.
        UnknownSchemeError: if ``path`` is neither a file nor a known id.
    """
    from ._bundled import bundled_schemes

    file = scheme_file(path)
    if not file.is_file():
        known = {**bundled_schemes(), **{k: Path(v) for k, v in (schemes or {}).items()}}
        name = os.fspath(path)
        if name in known:
            file = scheme_file(known[name])
        else:
            raise UnknownSchemeError(name, sorted(known))
    base = _default_resolver(file)

    def resolver(scheme_id: str) -> Path | None:
        if schemes and scheme_id in schemes:
            return scheme_file(schemes[scheme_id])
        return base(scheme_id)

    text = file.read_text(encoding="utf-8")
    return _build(text, str(file), resolver, _known_predicates(predicates))


def loads_scheme(
    text: str,
    *,
    schemes: Mapping[str, str | os.PathLike[str]] | None = None,
    predicates: Mapping[str, PredicateFunction] | None = None,
    file: str | None = None,
) -> m.Scheme:
    """Load and validate a scheme from TOML text; see :func:`load_scheme`.

    ``file`` is only used to label problems.
    """
    base = _default_resolver(None)

    def resolver(scheme_id: str) -> Path | None:
        if schemes and scheme_id in schemes:
            return scheme_file(schemes[scheme_id])
        return base(scheme_id)

    return _build(text, file, resolver, _known_predicates(predicates))


def _known_predicates(predicates: Mapping[str, PredicateFunction] | None) -> Mapping[str, PredicateFunction]:
    return predicates if predicates is not None else {}


def scheme_to_dict(scheme: m.Scheme) -> dict[str, Any]:
    """The scheme as plain data (the TOML form, with ``extends`` resolved)."""
    data: dict[str, Any] = _converter.unstructure(scheme)
    return data


def scheme_from_dict(
    data: Mapping[str, Any], *, predicates: Mapping[str, PredicateFunction] | None = None
) -> m.Scheme:
    """Structure and validate plain data (the inverse of :func:`scheme_to_dict`)."""
    try:
        scheme = _converter.structure(dict(data), m.Scheme)
    except Exception as e:
        raise SchemeError([Problem(p.path, p.message) for p in flatten(e)]) from None
    rules = _known_predicates(predicates)
    problems = validate(scheme, rules.keys())
    if problems:
        raise SchemeError([Problem(p.path, p.message) for p in problems])
    object.__setattr__(scheme, "_rules", dict(rules))
    return scheme


def _json_default(value: object) -> object:
    if isinstance(value, (Decimal, Fraction)):
        return str(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def scheme_hash(scheme: m.Scheme) -> str:
    """``sha256:<hex>`` of the resolved scheme, stable across runs and machines.

    Stored with every result so an outcome can be traced to the exact rules
    that produced it, whatever file layout or ``extends`` chain they came from.
    """
    canonical = json.dumps(
        scheme_to_dict(scheme), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
