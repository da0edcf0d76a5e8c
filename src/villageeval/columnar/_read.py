"""Reading a table's columns into arrays, and which columns a scheme reads.

Each reader gives the values and which cells are plainly valid; a cell that is not
(a bool for a count, a float for a score, an int beyond 64 bits) only marks its row,
which then goes to the pure-Python engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import chain
from typing import Any

import numpy as np

from .. import _model as m
from .._errors import CohortError, Problem
from .._hints import close_matches
from .._reading import number_too_large
from ._cohort import ColumnarCohort, Fixed, Ragged, cells_of

# Totals and keys stay in int64 while every intermediate value is below this bound.
SAFE = 2**62


def _given(cells: list[Any], n: int) -> Any:
    """Which cells are given (not None)."""
    return np.array([v is not None for v in cells], dtype=bool)


def _ints(cells: list[Any] | None, n: int) -> tuple[Any, Any, Any]:
    """(values, is an int, is given) of a column of whole numbers; 0 where not an int.

    Bools are not ints here (a tally of ``True`` is invalid), nor are ints beyond 64
    bits: their rows go to the pure-Python engine, which handles any int exactly.
    """
    if cells is None:
        return np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool)
    types = set(map(type, cells))
    try:
        if types == {int}:
            return np.array(cells, dtype=np.int64), np.ones(n, bool), np.ones(n, bool)
        if types == {int, type(None)}:
            given = _given(cells, n)
            return np.array([v or 0 for v in cells], dtype=np.int64), given, given
    except OverflowError:
        pass
    ok = [type(v) is int and -SAFE < v < SAFE for v in cells]
    values = np.array([v if good else 0 for v, good in zip(cells, ok, strict=True)], dtype=np.int64)
    return values, np.array(ok, dtype=bool), _given(cells, n)


def _exacts(cells: list[Any] | None, n: int) -> tuple[Any, Any, Any]:
    if cells is None:
        return np.zeros(n, np.int64), np.ones(n, np.int64), np.zeros(n, bool)
    if set(map(type, cells)) <= {int, type(None)}:
        values, is_int, _ = _ints(cells, n)
        return values, np.ones(n, np.int64), is_int
    # Only decimals of a sane size are turned into ratios at once: as_integer_ratio of
    # 1e999999999 builds a billion-digit integer (the cell-by-cell path below refuses it).
    if set(map(type, cells)) == {Decimal} and all(-19 <= v.adjusted() <= 19 for v in cells):
        # The usual exact score column (a database's NUMERIC): one call per cell.
        try:
            ratios = [v.as_integer_ratio() for v in cells]
            return (
                np.array([r[0] for r in ratios], np.int64),
                np.array([r[1] for r in ratios], np.int64),
                np.ones(n, bool),
            )
        except (ValueError, OverflowError):  # NaN, infinity, or beyond 64 bits: a cell at a time
            pass
    nums, dens, oks = [], [], []
    for v in cells:
        pair = _exact(v)
        if pair is None or not (-SAFE < pair[0] < SAFE and pair[1] < SAFE):
            pair = None
        nums.append(pair[0] if pair else 0)
        dens.append(pair[1] if pair else 1)
        oks.append(pair is not None)
    return np.array(nums, np.int64), np.array(dens, np.int64), np.array(oks, bool)


def _bools(cells: list[Any] | None, n: int) -> tuple[Any, Any]:
    """(values, is a bool) of a column of facts."""
    if cells is None:
        return np.zeros(n, bool), np.zeros(n, bool)
    if set(map(type, cells)) == {bool}:
        return np.array(cells, dtype=bool), np.ones(n, bool)
    ok = np.array([type(v) is bool for v in cells], dtype=bool)
    return np.array([v is True for v in cells], dtype=bool), ok


def _exact(v: Any) -> tuple[int, int] | None:
    """An exact score cell as (numerator, denominator), as the quick scorer accepts it."""
    t = type(v)
    if t is int:
        return v, 1
    if t is Fraction:
        return v.numerator, v.denominator
    if t is Decimal and v.is_finite():
        if number_too_large(v) is not None:
            return None  # the engine refuses it, saying why
        n, d = v.as_integer_ratio()
        return n, d
    return None


def check_columns(scheme: m.Scheme, table: ColumnarCohort, evidence: Mapping[str, Sequence[str] | None]) -> None:
    """Every column the table has is one the scheme reads: all problems at once.

    ``evidence``: per instrument, the columns its evidence takes, or None when its kind
    has no form over arrays.
    """
    known: dict[str, str] = {}  # column → instrument
    no_columns: dict[str, str] = {}
    for iid, names in evidence.items():
        if names is None:
            no_columns[iid] = scheme.instruments[iid].kind
        else:
            known.update(dict.fromkeys(names, iid))
    problems: list[Problem] = []
    for name in sorted(table.columns):
        if name.startswith("evidence."):
            iid = name.split(".")[1]
            if iid in no_columns:
                problems.append(
                    Problem(
                        ("columns", name),
                        f"instrument {iid!r} is of kind {no_columns[iid]!r}, which has no columns; "
                        "give such evidence as Subjects to villageeval.evaluate",
                    )
                )
            elif name not in known:
                hint = close_matches(name, list(known), n=1)
                problems.append(
                    Problem(
                        ("columns", name),
                        f"column {name!r} is not evidence the scheme reads"
                        + (f"; did you mean {hint[0]!r}?" if hint else ""),
                    )
                )
        elif name.startswith("facts.") and name[6:] not in scheme.facts:
            hint = close_matches(name[6:], list(scheme.facts), n=1)
            problems.append(
                Problem(
                    ("columns", name),
                    f"column {name!r}: the scheme declares no fact {name[6:]!r}"
                    + (f"; did you mean 'facts.{hint[0]}'?" if hint else ""),
                )
            )
    if problems:
        raise CohortError(problems)


class Arrays:
    """Readers of the table's columns into arrays, each column read once."""

    def __init__(self, table: ColumnarCohort) -> None:
        self.table = table
        self.ids: list[str] = cells_of(table.columns["id"])
        self.n = len(self.ids)
        self._read: dict[tuple[str, str], Any] = {}
        self.everywhere = np.ones(self.n, bool)  # every row: read only, shared
        self.everywhere.flags.writeable = False

    def _once(self, kind: str, name: str, read: Callable[[list[Any] | None], Any]) -> Any:
        key = (kind, name)
        if key not in self._read:
            self._read[key] = read(self.cells(name))
        return self._read[key]

    def cells(self, name: str) -> list[Any] | None:
        """The column's cells as Python values, or None if the table lacks it."""
        key = ("cells", name)
        if key not in self._read:
            col = self.table.columns.get(name)
            self._read[key] = None if col is None else col if type(col) is list else cells_of(col)
        return self._read[key]  # type: ignore[no-any-return]

    def ints(self, name: str) -> tuple[Any, Any, Any]:
        """(values, is an int, is given); an integer numpy array is taken as it is."""
        got = self._read.get(("ints", name))
        if got is None:
            col = self.table.columns.get(name)
            # Signed integers are taken as they are (what is computed from them is bounded
            # where it is computed); unsigned ones only if they fit, since int64 would wrap them.
            if isinstance(col, np.ndarray) and (
                col.dtype.kind == "i" or (col.dtype.kind == "u" and (not self.n or col.max() < SAFE))
            ):
                got = (col.astype(np.int64, copy=False), self.everywhere, self.everywhere)
            else:
                got = _ints(self.cells(name), self.n)
            self._read["ints", name] = got
        return got

    def bools(self, name: str) -> tuple[Any, Any]:
        """(values, is a bool); a boolean numpy array is taken as it is."""
        col = self.table.columns.get(name)
        if isinstance(col, np.ndarray) and col.dtype == bool:
            return col, self.everywhere
        return self._once("bools", name, lambda cells: _bools(cells, self.n))  # type: ignore[no-any-return]

    def texts(self, name: str) -> tuple[dict[Any, int], Any]:
        """A column of texts (or None) as codes: each distinct cell's code, and each row's.

        The cells must be hashable (the table checked that texts are ``str`` or None);
        a column the table lacks is None in every row.
        """

        def read(cells: list[Any] | None) -> tuple[dict[Any, int], Any]:
            cells = cells or [None] * self.n
            index = {g: k for k, g in enumerate(dict.fromkeys(cells))}
            return index, np.fromiter(map(index.__getitem__, cells), np.int64, self.n)

        return self._once("texts", name, read)  # type: ignore[no-any-return]

    def groups(self, kind: str) -> tuple[dict[Any, int], Any]:
        """The groups of a kind, each with a code, and each row's code."""
        return self.texts(f"groups.{kind}")

    def codes(self, name: str, labels: Sequence[str]) -> Any:
        """Each cell's index in ``labels``, −1 if it is not one of them."""
        index = {label: i for i, label in enumerate(labels)}

        def read(cells: list[Any] | None) -> Any:
            if cells is None:
                return np.full(self.n, -1, np.int64)
            try:
                distinct = dict.fromkeys(cells)
            except TypeError:  # an unhashable cell (a list) is no tier: read cell by cell
                return np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in cells], dtype=np.int64)
            # Each distinct cell's code once; a cell that is not text, or not a tier of the scale, is −1.
            code_of = {v: index.get(v, -1) if isinstance(v, str) else -1 for v in distinct}
            return np.fromiter(map(code_of.__getitem__, cells), np.int64, self.n)

        return self._once("codes", name, read)

    def exacts(self, name: str) -> tuple[Any, Any, Any]:
        """(numerator, denominator, exact) of a column of scores (ints, Fractions, Decimals, Fixed)."""
        col = self.table.columns.get(name)
        if isinstance(col, Fixed):
            values = np.asarray(col.values)
            if values.dtype.kind in "iu" and col.places < 18 and (not len(values) or np.abs(values).max() < SAFE):
                return values.astype(np.int64), np.full(self.n, 10**col.places, np.int64), np.ones(self.n, bool)
        return self._once("exacts", name, lambda cells: _exacts(cells, self.n))  # type: ignore[no-any-return]

    def strata(self, name: str) -> tuple[Any, Any, Any, Any, Any]:
        """(strata, fewest, most, sum, plainly valid) of a column of mappings per cell."""
        col = self.table.columns.get(name)
        if isinstance(col, Ragged):
            sizes, values = np.asarray(col.sizes), np.asarray(col.values)
            if (
                sizes.dtype.kind in "iu"
                and values.dtype.kind in "iu"
                and len(values) == int(sizes.sum())
                and (not len(values) or np.abs(values).max() < SAFE // max(len(values), 1))
            ):
                return _flat_strata(sizes.astype(np.int64), values.astype(np.int64), self.n)
        return self._once("strata", name, lambda cells: _strata(cells, self.n))  # type: ignore[no-any-return]


def _strata(cells: list[Any] | None, n: int) -> tuple[Any, Any, Any, Any, Any]:
    zeros = np.zeros(n, np.int64)
    if cells is None:
        return zeros, zeros, zeros, zeros, np.zeros(n, bool)
    flat: list[Any] = []
    if set(map(type, cells)) == {dict}:
        flat = list(chain.from_iterable(map(dict.values, cells)))
    if flat and set(map(type, flat)) == {int}:
        try:
            values = np.array(flat, dtype=np.int64)
        except OverflowError:
            values = None
        if values is not None:
            return _flat_strata(np.fromiter(map(len, cells), np.int64, n), values, n)
    # Anything else, a row at a time: a row that is not a dict of ints is not plainly valid.
    counts, lo, hi, total, ok = zeros.copy(), zeros.copy(), zeros.copy(), zeros.copy(), np.zeros(n, bool)
    for i, cell in enumerate(cells):
        if type(cell) is dict and cell:
            vs = list(cell.values())
            if all(type(v) is int and -SAFE < v < SAFE for v in vs) and -SAFE < sum(vs) < SAFE:
                counts[i], lo[i], hi[i], total[i], ok[i] = len(vs), min(vs), max(vs), sum(vs), True
    return counts, lo, hi, total, ok


def _flat_strata(counts: Any, values: Any, n: int) -> tuple[Any, Any, Any, Any, Any]:
    """(strata, fewest, most, sum, has strata) per row, from every row's counts one after another."""
    full = counts > 0
    starts = (np.cumsum(counts) - counts)[full]
    lo, hi, total = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    if len(values):
        lo[full] = np.minimum.reduceat(values, starts)
        hi[full] = np.maximum.reduceat(values, starts)
        total[full] = np.add.reduceat(values, starts)
    return counts, lo, hi, total, full
