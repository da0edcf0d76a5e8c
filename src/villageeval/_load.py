"""Reading scheme files: TOML → resolved ``extends`` → model → validation.

Every problem, from a TOML syntax error to a band gap, becomes a
:class:`~villageeval.Problem` with the file, the key path and the line of the
key, and all of them are raised together in one :class:`~villageeval.SchemeError`.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import functools
import hashlib
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import cattrs
import tomli
from attrs import evolve

from . import _model as m
from ._bound import Binding, bind, binding_of
from ._context import PredicateFunction
from ._convert import RawProblem, describe, flatten, make_converter, rank_key_from_string
from ._errors import Problem, SchemeDeprecationWarning, SchemeError, UnknownSchemeError, format_path
from ._hints import close_matches
from ._kinds.spec import Kind
from ._locate import KeyPath, Scanner, ScanStop, line_of, locate_keys
from ._plugins import Registry, builtin_kinds, default_registry
from ._reading import (
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_NESTING,
    NotText,
    NumberTooLong,
    read_text,
    toml_decimal,
    toml_deep_line,
    toml_long_integer,
    too_deep,
)
from ._text import nfc
from ._validate import validate

__all__ = ["load_scheme", "loads_scheme", "scheme_from_dict", "scheme_hash", "scheme_to_dict"]

SCHEME_FILE = "scheme.toml"


class _Host:
    """What loading needs from the plugins: predicates, instrument kinds, checks."""

    def __init__(
        self,
        registry: Registry | None,
        predicates: Mapping[str, PredicateFunction] | None,
        schemes: Mapping[str, str | os.PathLike[str]] | None,
    ) -> None:
        self.registry = registry
        self.parameters: Mapping[str, object] = {}
        rules: dict[str, PredicateFunction] = dict(registry.predicates()) if registry is not None else {}
        rules.update(predicates or {})
        self.predicates = rules
        self.kinds: dict[str, Kind] = registry.kinds() if registry is not None else builtin_kinds()
        self.converter = converter_for(self.kinds)
        self.schemes: dict[str, Path] = dict(registry.schemes()) if registry is not None else {}
        self.schemes.update({k: scheme_file(v) for k, v in (schemes or {}).items()})

    def resolver(self, near: Path | None) -> Resolver:
        def resolve(scheme_id: str) -> Path | None:
            if scheme_id in self.schemes:
                return self.schemes[scheme_id]
            if near is not None:
                sibling = near.parent.parent / scheme_id / SCHEME_FILE
                if sibling.is_file():
                    return sibling
            return None

        return resolve


def converter_for(kinds: Mapping[str, Kind]) -> cattrs.Converter:
    """The converter for schemes that may use ``kinds`` (built once per set of kinds), which
    lists them in the order they were registered: the built-in kinds first."""
    return _converter_for(tuple((name, kind.config) for name, kind in kinds.items()))


@functools.lru_cache(maxsize=8)
def _converter_for(kinds: tuple[tuple[str, type], ...]) -> cattrs.Converter:
    return make_converter(dict(kinds))


#: Finds the file of a scheme by id, for ``extends``; None if unknown.
Resolver = Callable[[str], "Path | None"]


class _Source:
    """One TOML document and where its keys are, for reporting lines."""

    def __init__(self, text: str, file: str | None) -> None:
        self.text = text
        self.file = file
        self.scheme_id: str | None = None
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

    def depth(self, path: tuple[str | int, ...]) -> int:
        """How many leading parts of ``path`` this document writes (0: none)."""
        if self._lines is None:
            self._lines = locate_keys(self.text)
        return next((n for n in range(len(path), 0, -1) if path[:n] in self._lines), 0)


class _FirstRepeat(Scanner):
    """Finds the first key set twice: tomli reports the line where its value *ends*."""

    repeat: tuple[KeyPath, int, int] | None = None  # path, its line, line of the first

    def keyval(self, table: KeyPath) -> None:
        start, line = self.pos, self.line()
        path = (*table, *self.key())
        self.pos = start
        if path in self.found:
            self.repeat = (path, line, self.found[path])
            raise ScanStop
        super().keyval(table)


def _syntax_problem(src: _Source, msg: str, line: int | None) -> Problem:
    path: tuple[str | int, ...] = ()
    code = "toml_syntax"
    if msg in (f"Illegal character {chr(10)!r}", f"Illegal character {chr(13)!r}"):
        # tomli's only error on a newline: a one-line string is not closed.
        msg = "a string is not closed on this line (expected a closing quote, found the end of the line)"
    elif msg == "Cannot overwrite a value" or msg.startswith("Duplicate inline table key"):
        finder = _FirstRepeat(src.text)
        with contextlib.suppress(ScanStop, RecursionError):
            finder.run()
        if finder.repeat is not None and (line is None or finder.repeat[1] <= line):
            path, line, first = finder.repeat
            msg = f"duplicate key {path[-1]!r} (first set on line {first})"
            code = "duplicate_key"
    elif msg.startswith("Cannot declare (") and msg.endswith(") twice"):
        try:
            key = ast.literal_eval(msg[len("Cannot declare ") : -len(" twice")])
        except (ValueError, SyntaxError):
            key = None
        if isinstance(key, tuple) and all(isinstance(k, str) for k in key):
            path = key
            msg = f"table [{format_path(key)}] is declared twice"
            code = "duplicate_key"
    return Problem(path, f"TOML syntax error: {msg}", src.file, line, code=code)


def _parse(src: _Source) -> dict[str, Any]:
    """The TOML document as data, or a SchemeError with the line for whatever tomli refused
    (bad syntax, nesting past its depth, an integer past Python's digit limit, an exponent
    past a Decimal's) and for nesting past ``MAX_NESTING``, which tomli reads but the
    recursive walks of a scheme's data after it need not survive."""
    try:
        data = tomli.loads(src.text, parse_float=toml_decimal)
    except tomli.TOMLDecodeError as e:
        msg = getattr(e, "msg", None) or str(e).split(" (at ")[0]
        raise SchemeError([_syntax_problem(src, msg, getattr(e, "lineno", None))]) from None
    except RecursionError as e:
        raise SchemeError([_nesting_problem(src, str(e))]) from None
    except NumberTooLong as e:  # tomli hands the float as written: find it to name its line
        at = src.text.find(e.token)
        line = src.text.count("\n", 0, at) + 1 if at >= 0 else None
        raise SchemeError([Problem(_key_on(src, line), e.message, src.file, line, code="too_large")]) from None
    except ValueError as e:  # TOMLDecodeError is one too, and is caught above
        raise SchemeError([_value_problem(src, e)]) from None
    deep = too_deep(data, MAX_NESTING)
    if deep is not None:
        line = src.line(deep)
        message = f"tables and arrays are nested more than {MAX_NESTING} levels deep (a scheme needs fewer than 10)"
        raise SchemeError([Problem(_key_on(src, line) if line else deep[:1], message, src.file, line, code="too_deep")])
    return data


def _nesting_problem(src: _Source, message: str) -> Problem:
    """Nesting tomli gave up on, at the line where it passes tomli's depth."""
    found = re.search(r"more than the allowed (\d+) levels", message)
    limit = int(found.group(1)) if found else None
    line = toml_deep_line(src.text, limit if limit is not None else 100)
    most = f"more than {limit} levels deep, the most the TOML reader takes" if limit else "deeper than TOML is read"
    text = f"arrays and inline tables are nested {most} (a scheme needs fewer than 10)"
    return Problem(_key_on(src, line), text, src.file, line, code="too_deep")


def _value_problem(src: _Source, error: ValueError) -> Problem:
    """A value tomli could not build: an integer past Python's digit limit (4300)."""
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    found = toml_long_integer(src.text, limit) if limit else None
    if found is None:
        return Problem((), f"a value cannot be read: {error}", src.file, None, code="invalid_value")
    line, digits = found
    message = (
        f"number too large to read exactly: an integer of {digits} digits (more than the {limit} Python reads); "
        f"a number may have at most {MAX_DIGITS} digits and lie within 10^±{MAX_EXPONENT}"
    )
    return Problem(_key_on(src, line), message, src.file, line, code="too_large")


def _key_on(src: _Source, line: int | None) -> tuple[str | int, ...]:
    """The key written first on ``line`` (its shortest located path, without the array
    indexes that follow it: ``x``, not ``x[0][0]…``), or the top level."""
    if line is None:
        return ()
    on_line = [path for path, at in locate_keys(src.text).items() if at == line]
    path = min(on_line, key=len) if on_line else ()
    while path and isinstance(path[-1], int):
        path = path[:-1]
    return path


def _read_scheme(file: Path) -> str:
    """A scheme file's text, or a SchemeError saying what the file is if not UTF-8 text."""
    try:
        return read_text(file)
    except NotText as e:
        raise SchemeError([Problem((), e.message, str(file), e.line, code="not_text")]) from None


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value (arrays too) is replaced whole.

    A table that changes its ``kind`` (an instrument that was a ballot and is a
    rating in the township) replaces the parent's table whole: the keys of the
    old kind would not fit the new one.
    """
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and value.get("kind", old.get("kind")) == old.get("kind"):
            out[key] = _merge(old, value)
        else:
            out[key] = value
    return out


def _remove(src: _Source, data: dict[str, Any], paths: object) -> None:
    """Apply ``remove = ["vetoes.absentee", ...]``: drop inherited parts by dotted path."""

    def problem(message: str, index: int | None = None) -> SchemeError:
        path: tuple[str | int, ...] = ("remove",) if index is None else ("remove", index)
        return SchemeError([Problem(path, message, src.file, src.line(path), code="invalid_value")])

    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise problem(f'must be an array of dotted key paths such as "vetoes.absentee" (got {describe(paths)})')
    for i, dotted in enumerate(paths):
        parts = dotted.split(".")
        parent: Any = data
        for part in parts[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or parts[-1] not in parent:
            raise problem(f"nothing to remove at {dotted!r}: the extended scheme has no such key", i)
        del parent[parts[-1]]


def _same_file(file: str | None) -> str | None:
    return None if file is None else os.path.realpath(file)


def _resolve(
    src: _Source, resolver: Resolver, chain: tuple[tuple[str, str | None], ...] = ()
) -> tuple[dict[str, Any], list[_Source]]:
    data = _parse(src)
    src.scheme_id = data["id"] if isinstance(data.get("id"), str) else None
    parent_id = data.get("extends")
    removals = data.pop("remove", None)
    if parent_id is None:
        if removals is not None:
            raise SchemeError(
                [
                    Problem(
                        ("remove",),
                        "remove only applies to a scheme that extends another",
                        src.file,
                        src.line(("remove",)),
                        code="invalid_value",
                    )
                ]
            )
        return data, [src]
    if not isinstance(parent_id, str):
        message = f"must be a scheme id (got {describe(parent_id)})"
        raise SchemeError([Problem(("extends",), message, src.file, src.line(("extends",)), code="wrong_type")])
    own_id = data.get("id")
    # The chain holds (id, file) of every scheme being extended: a cycle shows
    # by id, or by file when a file's id differs from the name it is found by.
    here = (*chain, (own_id if isinstance(own_id, str) else "?", _same_file(src.file)))
    names = tuple(name for name, _ in here)
    parent_file = None if parent_id in names else resolver(parent_id)
    if parent_id in names or (parent_file is not None and _same_file(str(parent_file)) in {f for _, f in here}):
        cycle = " → ".join((*names, parent_id))
        again = f" ({parent_file} is already being loaded)" if parent_id not in names else ""
        where = src.line(("extends",))
        message = f"cyclic extends: {cycle}{again}"
        raise SchemeError([Problem(("extends",), message, src.file, where, code="invalid_value")])
    if parent_file is None:
        raise SchemeError(
            [
                Problem(
                    ("extends",),
                    f"no scheme {parent_id!r} to extend",
                    src.file,
                    src.line(("extends",)),
                    code="unknown_scheme",
                )
            ]
        )
    parent_src = _Source(_read_scheme(parent_file), str(parent_file))
    parent_data, sources = _resolve(parent_src, resolver, here)
    parent_data.pop("extends", None)
    if removals is not None:
        _remove(src, parent_data, removals)
    merged = _merge(parent_data, data)
    return merged, [src, *sources]


def _in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems as an editor lists them: by file, then line (stable for the rest)."""
    return sorted(problems, key=lambda p: (p.file or "", p.line or 0))


def _locate(sources: list[_Source], raw: RawProblem) -> Problem:
    # Report the key in the file that writes the most of its path (a key missing
    # from an inherited table is reported at that table, in the parent); on a tie
    # the child wins, as it does when merging.
    best = max(sources, key=lambda src: src.depth(raw.path))
    return Problem(raw.path, raw.message, best.file, best.line(raw.path), code=raw.code)


def _build(text: str, file: str | None, host: _Host) -> m.Scheme:
    src = _Source(text, file)
    data, sources = _resolve(src, host.resolver(Path(file) if file else None))
    data, param_problems = _apply_parameters(data, host.parameters)
    data = nfc(data)  # one spelling per label, as a cohort's texts are read
    if param_problems:
        raise SchemeError(_in_file_order(_locate(sources, p) for p in param_problems))
    for old in _migrate(data):
        where = _locate(sources, old)
        warnings.warn(SchemeDeprecationWarning(evolve(where, severity="warning")), stacklevel=3)
    try:
        scheme = host.converter.structure(data, m.Scheme)
    except Exception as e:  # cattrs raises an ExceptionGroup tree of every problem
        found = flatten(e)
        found += _problems_behind(data, found, host)
        raise SchemeError(_in_file_order(_locate(sources, p) for p in found)) from None
    # The scheme and every scheme it extends, nearest first: a rules.py of any of
    # them speaks for this scheme too.
    lineage = tuple(x.scheme_id for x in sources if x.scheme_id)
    bind(scheme, Binding(host.registry, host.predicates, host.kinds, lineage, file))
    problems = validate(scheme, host.predicates.keys(), host.kinds, lineage)
    if not problems and host.registry is not None:
        problems = [RawProblem(path, message, code="plugin_check") for path, message in host.registry.validate(scheme)]
    registered = host.registry is not None and scheme.id in host.registry.rules_schemes()
    if file is not None and (Path(file).parent / "rules.py").is_file() and not registered:
        problems = [_hint_rules(p, Path(file).parent) for p in problems]
    if problems:
        raise SchemeError(_in_file_order(_locate(sources, p) for p in problems))
    return scheme


def _migrate(data: dict[str, Any]) -> list[RawProblem]:
    """Rewrite forms that are read for one more release into the current ones, in place.

    Returns a note for each, at its key path, for a warning: ranking keys written as one
    string (``{ key = "fact:rank_2014" }``) become structured ones (``{ fact = "rank_2014" }``).
    """
    notes: list[RawProblem] = []
    quotas = data.get("quotas")
    for qid, quota in quotas.items() if isinstance(quotas, dict) else ():
        rank_by = quota.get("rank_by") if isinstance(quota, dict) else None
        if not isinstance(rank_by, list):
            continue
        for i, key in enumerate(rank_by):
            if isinstance(key, dict) and isinstance(key.get("key"), str) and not set(key) - {"key", "better"}:
                new = rank_key_from_string(key["key"], key.get("better", "higher"))
                rank_by[i] = new
                written = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in new.items())
                notes.append(
                    RawProblem(
                        ("quotas", qid, "rank_by", i, "key"),
                        f"a ranking key written as one string ({key['key']!r}) is read for one more release; "
                        f"write {{ {written} }}",
                        code="deprecated",
                    )
                )
    return notes


def _param_value_ok(value: object) -> bool:
    return isinstance(value, (bool, int, str, Decimal, Fraction))


def _apply_parameters(data: dict[str, Any], overrides: Mapping[str, object]) -> tuple[dict[str, Any], list[RawProblem]]:
    """Put each ``[parameters.<name>]`` value (or its override) where ``"$name"`` is written.

    Outside ``[parameters]``, a text that starts with ``$$`` is the text with one ``$``
    (``"$$5 a head"`` is ``$5 a head``): without that escape no text could start with
    ``$``. Inside ``[parameters]`` nothing is a reference and every text is as written
    (a ``value`` of ``"$5"`` is ``$5``), as an override is: a value is used as it is,
    never read again.
    """
    problems: list[RawProblem] = []
    declared = data.get("parameters")
    if not isinstance(declared, dict):
        declared = {}
    values: dict[str, object] = {}
    for name, entry in declared.items():
        if isinstance(entry, dict) and "value" in entry:
            values[name] = entry["value"]
    for name, value in overrides.items():
        if name not in declared:
            close = close_matches(name, list(declared), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(RawProblem(("parameters",), f"cannot override unknown parameter {name!r}{hint}"))
            continue
        old = values.get(name)
        if not _param_value_ok(value) or isinstance(value, bool) != isinstance(old, bool):
            problems.append(
                RawProblem(("parameters", name, "value"), f"override {value!r} does not fit parameter {name!r}")
            )
            continue
        values[name] = Decimal(str(value)) if isinstance(value, Fraction) and value.denominator == 1 else value
        if isinstance(value, Fraction) and value.denominator != 1:
            values[name] = f"{value.numerator}/{value.denominator}"
        declared[name] = {**declared[name], "value": values[name]}

    def walk(node: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str) and node.startswith("$"):
            if path[:1] == ("parameters",):
                return node  # values and labels are as written there
            if node.startswith("$$"):
                return node[1:]  # the escape: a text that starts with a literal $
            name = node[1:]
            if name in values:
                return values[name]
            close = close_matches(name, list(values), n=1)
            hint = f"; did you mean '${close[0]}'?" if close else " (declare it under [parameters])"
            literal = f"; a text that starts with a literal $ is written with $$ ({'$' + node!r})"
            problems.append(RawProblem(path, f"unknown parameter {node!r}{hint}{literal}"))
        return node

    return walk(data, ()), problems


def _hint_rules(problem: RawProblem, directory: Path) -> RawProblem:
    """Point at the ``rules.py`` beside a scheme when a named predicate is missing."""
    if not problem.message.startswith("no plugin provides a predicate"):
        return problem
    hint = (
        f"; {directory / 'rules.py'} is not imported unless the directory is registered on purpose "
        f"(villageeval --with-rules {directory} ..., or Registry.add_scheme_directory)"
    )
    return RawProblem(problem.path, problem.message + hint, code=problem.code)


def _problems_behind(data: dict[str, Any], found: list[RawProblem], host: _Host) -> list[RawProblem]:
    """Meaning problems hidden behind misspelt keys, so one ``check`` shows them all.

    When every structural problem is an unknown key (a typo, or a key that
    does not exist), we drop those keys — renaming each to its did-you-mean
    where that key is not written — on a scratch copy, and if the copy then
    structures, we validate it too. Anything else (a wrong type, a missing
    key) stops here: guessing a value could report problems that are not there.
    """
    if not found or any(not p.message.startswith("unknown key ") or not p.path for p in found):
        return []
    scratch = copy.deepcopy(data)
    for p in found:
        parent: Any = scratch
        for part in p.path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return []
        key = p.path[-1]
        if not isinstance(parent, dict) or key not in parent:
            return []
        value = parent.pop(key)
        if p.rename_to is not None and p.rename_to not in parent:
            parent[p.rename_to] = value
    try:
        repaired = host.converter.structure(scratch, m.Scheme)
    except Exception:
        return []
    return validate(repaired, host.predicates.keys(), host.kinds, ())


def scheme_file(path: str | os.PathLike[str]) -> Path:
    """The ``scheme.toml`` for a path that is either that file or its directory."""
    p = Path(path)
    return p / SCHEME_FILE if p.is_dir() else p


def load_scheme(
    path: str | os.PathLike[str],
    *,
    registry: Registry | None = None,
    schemes: Mapping[str, str | os.PathLike[str]] | None = None,
    predicates: Mapping[str, PredicateFunction] | None = None,
    parameters: Mapping[str, object] | None = None,
) -> m.Scheme:
    """Load and validate a scheme.

    Args:
        path: a ``scheme.toml``, the directory holding one, or the id of a
            scheme that a plugin registers (the bundled ones included).
        registry: the plugins to use (schemes, predicates, instrument kinds,
            checks); by default :func:`villageeval.default_registry`.
        schemes: extra scheme files by id, for ``extends`` (a county template).
        predicates: more Python predicates that ``{ rule = "..." }`` may name,
            by name (``"<scheme id>:<name>"`` for one scheme only).
        parameters: values replacing the defaults of ``[parameters.<name>]``
            (a case's overrides, or a township's choice for a masked figure).

    Raises:
        SchemeError: with every problem found, each with file, key path and line.
        UnknownSchemeError: if ``path`` is neither a file nor a known id.
    """
    from ._types import expect_load_options, expect_path

    expect_path(path)
    expect_load_options(registry, schemes, predicates, parameters)
    host = _Host(registry if registry is not None else default_registry(), predicates, schemes)
    host.parameters = parameters or {}
    file = scheme_file(path)
    if not file.is_file():
        name = os.fspath(path)
        if name not in host.schemes:
            raise UnknownSchemeError(name, sorted(host.schemes))
        file = host.schemes[name]
    text = _read_scheme(file)
    return _build(text, str(file), host)


def loads_scheme(
    text: str,
    *,
    registry: Registry | None = None,
    schemes: Mapping[str, str | os.PathLike[str]] | None = None,
    predicates: Mapping[str, PredicateFunction] | None = None,
    parameters: Mapping[str, object] | None = None,
    file: str | None = None,
) -> m.Scheme:
    """Load and validate a scheme from TOML text; see :func:`load_scheme`.

    ``file`` is only used to label problems.
    """
    from ._types import expect_load_options, expect_text, expect_toml_text

    expect_toml_text(text)
    expect_load_options(registry, schemes, predicates, parameters)
    expect_text(file, "file", optional=True)
    host = _Host(registry if registry is not None else default_registry(), predicates, schemes)
    host.parameters = parameters or {}
    return _build(text, file, host)


def scheme_to_dict(scheme: m.Scheme) -> dict[str, Any]:
    """The scheme as plain data (the TOML form, with ``extends`` resolved)."""
    from ._types import expect_scheme

    expect_scheme(scheme)
    data: dict[str, Any] = converter_for(binding_of(scheme).kinds).unstructure(scheme)
    return data


def scheme_from_dict(
    data: Mapping[str, Any],
    *,
    registry: Registry | None = None,
    predicates: Mapping[str, PredicateFunction] | None = None,
) -> m.Scheme:
    """Structure and validate plain data (the inverse of :func:`scheme_to_dict`)."""
    from ._types import expect_load_options, expect_scheme_data

    expect_scheme_data(data)
    expect_load_options(registry, None, predicates, None)
    host = _Host(registry if registry is not None else default_registry(), predicates, None)
    plain: dict[str, Any] = nfc(copy.deepcopy(dict(data)))
    for old in _migrate(plain):
        old_form = Problem(old.path, old.message, severity="warning", code=old.code)
        warnings.warn(SchemeDeprecationWarning(old_form), stacklevel=2)
    try:
        scheme = host.converter.structure(plain, m.Scheme)
    except Exception as e:
        raise SchemeError([Problem(p.path, p.message, code=p.code) for p in flatten(e)]) from None
    lineage = (scheme.id, *((scheme.extends,) if scheme.extends else ()))
    bind(scheme, Binding(host.registry, host.predicates, host.kinds, lineage))
    problems = validate(scheme, host.predicates.keys(), host.kinds, lineage)
    if not problems and host.registry is not None:  # as _build does: the plugins' checks too
        problems = [RawProblem(path, message, code="plugin_check") for path, message in host.registry.validate(scheme)]
    if problems:
        raise SchemeError([Problem(p.path, p.message, code=p.code) for p in problems])
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
    from ._types import expect_scheme

    expect_scheme(scheme)
    canonical = json.dumps(
        scheme_to_dict(scheme), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
