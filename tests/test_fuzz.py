"""Fuzzing the loaders: whatever comes in, a result or villageeval's own error, never a traceback.

- any bytes as a ``scheme.toml`` → a ``Scheme`` or a ``SchemeError``;
- any bytes as a cohort file, and any JSON value as a cohort → a ``Cohort`` or a
  ``CohortError``, and a cohort always evaluates to per-subject statuses;
- structured mutations of the bundled files (a key dropped, duplicated, retyped or
  misspelt; a number perturbed; a line deleted or doubled) → the same.

The number of examples comes from the hypothesis profile (``tests/conftest.py``): in ``ci``
a bounded, derandomised run.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import villageeval as ve

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
SCHEME_TEXT = (HUINING / "scheme.toml").read_text(encoding="utf-8")
DEMO = json.loads((HUINING / "demo.json").read_text(encoding="utf-8"))

# Each example writes a file; hypothesis' function-scoped-fixture check does not apply.
_FILES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _either(fn: Callable[[], Any], *allowed: type[Exception]) -> Any:
    """What ``fn`` returns, or the exception of the ``allowed`` kinds it raises; anything else
    propagates (and fails the test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a mutated old form may be read with a deprecation warning
        try:
            return fn()
        except allowed as e:
            return e


def _load_scheme(path: Path) -> None:
    got = _either(lambda: ve.load_scheme(path), ve.SchemeError)
    if isinstance(got, ve.SchemeError):
        assert got.problems, "a SchemeError lists at least one problem"
        assert all(str(p) for p in got.problems)


def _evaluate(scheme: ve.Scheme, cohort: ve.Cohort) -> None:
    result = ve.evaluate(scheme, cohort, trace=True)
    assert {o.status for o in result} <= {"graded", "insufficient_evidence", "ineligible"}
    ve.result_to_json(result)  # and it serialises


# --- bytes -----------------------------------------------------------------------------------

_SCHEME_BYTES = SCHEME_TEXT.encode("utf-8")


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few bytes replaced, inserted or deleted (often in a number or a string)."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw(st.integers(0, 255))
        if op == "replace" and at < len(data):
            data[at] = byte
        elif op == "insert":
            data.insert(at, byte)
        elif at < len(data):
            del data[at]
    return bytes(data)


class TestBytes:
    @_FILES
    @given(st.one_of(st.binary(max_size=400), mutated_bytes(_SCHEME_BYTES)))
    def test_any_bytes_as_a_scheme(self, tmp_path: Path, data: bytes) -> None:
        """Any bytes in scheme.toml: a scheme or a SchemeError."""
        path = tmp_path / "scheme.toml"
        path.write_bytes(data)
        _load_scheme(path)

    @_FILES
    @given(
        st.one_of(
            st.binary(max_size=400),
            mutated_bytes(json.dumps(DEMO["subjects"][:2] and {"subjects": DEMO["subjects"][:2]}).encode()),
        )
    )
    def test_any_bytes_as_a_cohort(self, huining: ve.Scheme, tmp_path: Path, data: bytes) -> None:
        """Any bytes in a cohort file: a cohort (which evaluates) or a CohortError."""
        path = tmp_path / "cohort.json"
        path.write_bytes(data)
        cohort = _either(lambda: ve.load_cohort(path), ve.CohortError)
        if isinstance(cohort, ve.CohortError):
            assert cohort.problems
        else:
            _either(lambda: _evaluate(huining, cohort), ve.CohortError)  # a role the scheme does not grade


# --- JSON values -----------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**40), 10**40),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(max_size=8),
    st.sampled_from(["好", "一般", "差", "team", "member", "appraisal", "tallies", "value", "tier"]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


class TestJson:
    @given(_JSON)
    def test_any_json_as_a_cohort(self, huining: ve.Scheme, data: Any) -> None:
        """Any JSON text as a cohort: a Cohort that evaluates, or a CohortError."""
        cohort = _either(lambda: ve.loads_cohort(json.dumps(data, ensure_ascii=False, default=str)), ve.CohortError)
        if not isinstance(cohort, ve.CohortError):
            _either(lambda: _evaluate(huining, cohort), ve.CohortError)

    @given(st.data())
    def test_any_json_as_evidence(self, huining: ve.Scheme, data: st.DataObject) -> None:
        """A demo subject whose evidence, facts, history or groups are any JSON: per-subject statuses."""
        subject = copy.deepcopy(DEMO["subjects"][0])
        part = data.draw(st.sampled_from(["evidence", "facts", "history", "groups", "outcomes", "notes"]))
        if part == "evidence":
            subject["evidence"][data.draw(st.sampled_from(sorted(subject["evidence"])))] = data.draw(_JSON)
        else:
            subject[part] = data.draw(st.dictionaries(st.text(max_size=8), _JSON, max_size=3))
        cohort = _either(lambda: ve.cohort_from_dict({"subjects": [subject]}), ve.CohortError)
        if not isinstance(cohort, ve.CohortError):
            _evaluate(huining, cohort)


# --- structured mutations --------------------------------------------------------------------


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """``original`` with one to three of: a key dropped, a value retyped, a key misspelt or
    doubled under another spelling, a number perturbed."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        op = draw(st.sampled_from(["drop", "retype", "misspell", "perturb"]))
        if op == "drop":
            del parent[key]
        elif op == "retype":
            parent[key] = draw(_SCALARS)
        elif op == "misspell" and isinstance(parent, dict) and isinstance(key, str):
            parent[key + draw(st.sampled_from(["s", "_", "x"]))] = parent.pop(key)
        elif op == "perturb" and isinstance(parent[key], (int, Decimal)) and not isinstance(parent[key], bool):
            parent[key] = parent[key] + draw(st.sampled_from([-1, 1, 10**6, -(10**6)]))
    return data


class TestMutations:
    @given(mutated(tomli.loads(SCHEME_TEXT, parse_float=Decimal)))
    def test_mutated_scheme_data(self, data: Any) -> None:
        """The huining scheme's data with keys dropped, retyped, misspelt or numbers perturbed."""
        got = _either(lambda: ve.scheme_from_dict(data), ve.SchemeError)
        assert not isinstance(got, ve.SchemeError) or got.problems

    @_FILES
    @given(st.data())
    def test_mutated_scheme_lines(self, tmp_path: Path, data: st.DataObject) -> None:
        """The huining scheme with a line deleted or doubled: a scheme or a SchemeError, with lines."""
        lines = SCHEME_TEXT.splitlines()
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(0, len(lines) - 1))
            if data.draw(st.booleans()):
                del lines[at]
            else:
                lines.insert(at, lines[at])
        path = tmp_path / "scheme.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        _load_scheme(path)

    @given(mutated({"subjects": DEMO["subjects"][:3]}))
    def test_mutated_cohort(self, huining: ve.Scheme, data: Any) -> None:
        """The demo cohort's first subjects, mutated: a CohortError or per-subject statuses."""
        cohort = _either(lambda: ve.cohort_from_dict(data), ve.CohortError)
        if not isinstance(cohort, ve.CohortError):
            _either(lambda: _evaluate(huining, cohort), ve.CohortError)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_demo_subjects_still_grade(huining: ve.Scheme, size: int) -> None:
    """The unmutated inputs the fuzzers start from are valid: the demo's first subjects are graded."""
    result = ve.evaluate(huining, ve.cohort_from_dict({"subjects": DEMO["subjects"][:size]}))
    assert {"graded"} == {o.status for o in result}
