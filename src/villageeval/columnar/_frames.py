"""Arrow tables and pandas DataFrames as the columns of a :class:`ColumnarCohort`.

Each column is converted by its type alone, never by what a scheme reads it as, and
never through a float:

- integers and booleans without nulls become numpy arrays, without a copy where the
  memory allows (an Arrow integer array of one chunk, a pandas ``int64`` or ``bool``
  column, a nullable ``Int64`` column without ``NA``); Arrow's booleans are bit-packed,
  so they are unpacked into one byte per cell;
- decimals without nulls become :class:`Fixed` columns over the same integers
  (Arrow's ``decimal32``/``decimal64`` without a copy, ``decimal128`` as a strided
  view of its low words where every value fits 64 bits), otherwise ``Decimal`` cells;
- ``map<string, integer>`` columns (the strata) become :class:`Ragged` columns;
- columns with nulls, texts, dictionary-encoded (categorical) columns and pandas
  ``object`` columns become lists of Python values (``int``, ``bool``, ``str``,
  ``Decimal``...), with None for a null: a key left out;
- floats stay floats (a numpy array, or float cells with None for a null): the engine
  refuses a float where it reads a number (``invalid_evidence``), as it refuses a float
  cell in any other column;
- a type villageeval reads nothing from (dates, binary, lists...) is a problem named by
  its column, all of them at once in a :class:`~villageeval.CohortError`.

pyarrow and pandas are imported here, when a table is converted, and never by
``import villageeval.columnar``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, overload

import numpy as np

from .._errors import CohortError, Problem
from ._cohort import Fixed, Ragged

__all__ = ["arrow_columns", "pandas_columns"]

#: A table's columns, or the problems found on the way.
_Columns = dict[str, Any]


class _Refused(Exception):
    """A column villageeval cannot read: the message says why, the caller names the column."""


def _import(module: str, extra: str, what: str) -> Any:
    """The module, or an ImportError that names the extra to install (mypy sees ``Any``: no stubs)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"{what} needs {module}: pip install 'villageeval[{extra}]'") from e


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise CohortError(problems)


def _named(names: list[Any], problems: list[Problem]) -> None:
    """Column names are texts, each once (a dict of columns would silently keep one of two)."""
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            problems.append(
                Problem(
                    ("columns", str(name)),
                    f"column name {name!r} is not a string"
                    + ("; join the levels of a MultiIndex with '.'" if isinstance(name, tuple) else ""),
                    code="wrong_type",
                )
            )
        elif name in seen:
            problems.append(Problem(("columns", name), f"two columns are named {name!r}"))
        seen.add(str(name))


def _object_array(cells: list[Any]) -> Any:
    """A numpy object array holding exactly these cells (np.array would unpack list and dict cells)."""
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return out


def _decoded(values: list[Any], codes: Any) -> list[Any]:
    """Cells of a dictionary-encoded column: ``values[code]``, None where the code is ``len(values)``."""
    return list(_object_array([*values, None])[codes].tolist())


# --- Arrow ----------------------------------------------------------------------------------


def arrow_columns(table: Any) -> _Columns:
    """The columns of an Arrow table, a record batch, or anything with ``__arrow_c_stream__``.

    Struct columns are flattened into dotted names (a struct ``evidence`` with a field
    ``appraisal``... gives ``evidence.appraisal.…``), as ``pyarrow.Table.flatten`` names them.
    """
    pa = _import("pyarrow", "arrow", "ColumnarCohort.from_arrow")
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    elif not isinstance(table, pa.Table):
        if type(table).__module__.partition(".")[0] == "pandas":
            raise TypeError("'table' is a pandas object: use ColumnarCohort.from_pandas(frame)")
        if not hasattr(table, "__arrow_c_stream__"):
            raise TypeError(
                "'table' must be a pyarrow.Table, a pyarrow.RecordBatch or an object with __arrow_c_stream__ "
                f"(got a {type(table).__name__})"
            )
        table = pa.table(table)
    problems: list[Problem] = []
    while any(pa.types.is_struct(f.type) for f in table.schema):
        for f in table.schema:
            if pa.types.is_struct(f.type) and f.name.rpartition(".")[2] == "strata":
                problems.append(
                    Problem(
                        ("columns", f.name),
                        f"column {f.name!r} is a struct (what pyarrow makes of dict cells): give strata as "
                        "a map<string, int64>, pa.map_(pa.string(), pa.int64())",
                        code="wrong_type",
                    )
                )
        _raise(problems)
        table = table.flatten()
    _named(table.column_names, problems)
    _raise(problems)
    columns: _Columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            columns[name] = _arrow_column(pa, column)
        except _Refused as e:
            problems.append(Problem(("columns", name), f"column {name!r}: {e}", code="wrong_type"))
    _raise(problems)
    return columns


def _arrow_column(pa: Any, column: Any) -> Any:
    """One column (a ChunkedArray) as a ColumnarCohort column."""
    t, types = column.type, pa.types
    if types.is_null(t):
        return [None] * len(column)
    if types.is_dictionary(t):
        return _arrow_dictionary(pa, column)
    if types.is_integer(t) or types.is_floating(t):
        return _arrow_numbers(column) if column.null_count == 0 else column.to_pylist()
    if types.is_boolean(t):
        # Arrow packs booleans 8 to a byte: numpy's one byte per cell takes one pass to unpack.
        return column.to_numpy() if column.null_count == 0 else column.to_pylist()
    if types.is_decimal(t):
        return _arrow_decimals(pa, column)
    if types.is_string(t) or types.is_large_string(t) or (hasattr(types, "is_string_view") and types.is_string_view(t)):
        return column.to_pylist()
    if types.is_map(t):
        return _arrow_map(pa, column)
    raise _Refused(
        f"Arrow type {t} holds nothing villageeval reads: give integers, booleans, decimals, strings "
        "(or dictionaries of them), and a map<string, int64> for strata"
    )


def _arrow_numbers(column: Any) -> Any:
    """Integers or floats without nulls as a numpy array: the Arrow buffer itself when it is one chunk."""
    if column.num_chunks == 1:
        return column.chunk(0).to_numpy(zero_copy_only=True)
    return column.to_numpy()  # several chunks (or none): joined, in one copy


def _arrow_dictionary(pa: Any, column: Any) -> list[Any]:
    """A dictionary-encoded column, decoded: each distinct value converted once."""
    out: list[Any] = []
    for chunk in column.chunks:
        values = _cells(_arrow_column(pa, pa.chunked_array([chunk.dictionary])))
        codes = chunk.indices.cast(pa.int64()).fill_null(len(values)).to_numpy()
        out += _decoded(values, codes)
    return out


def _cells(column: Any) -> list[Any]:
    """A converted column's cells as Python values."""
    if isinstance(column, np.ndarray):
        return list(column.tolist())
    if isinstance(column, Fixed | Ragged):
        return [column[i] for i in range(len(column))]
    return list(column)


def _arrow_decimals(pa: Any, column: Any) -> Any:
    """Decimals: a Fixed column over the unscaled integers where they fit 64 bits, else exact Decimals."""
    t = column.type
    width = t.byte_width
    if column.null_count or t.scale < 0 or width not in (4, 8, 16) or sys.byteorder != "little":
        return column.to_pylist()  # decimal.Decimal cells, exactly (None for a null)
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    n, offset = len(array), array.offset
    buffer = array.buffers()[1]
    if buffer is None or not n:
        return Fixed(np.zeros(0, np.int64), t.scale)
    if width in (4, 8):
        values = np.frombuffer(buffer, dtype=f"<i{width}")[offset : offset + n]
    else:
        # decimal128: two little-endian words per value. Where every high word is the sign
        # of its low word, the low words are the values (a strided view, no copy).
        words = np.frombuffer(buffer, dtype="<i8")[2 * offset : 2 * (offset + n)]
        values, high = words[0::2], words[1::2]
        if not np.array_equal(high, values >> 63):
            return column.to_pylist()
    # −2**63 has no absolute value in int64 (numpy's wraps around): such a column, which
    # no DECIMAL(18, s) holds, is read as Decimals instead.
    if width != 4 and values.min() == np.iinfo(np.int64).min:
        return column.to_pylist()
    return Fixed(values, t.scale)


def _arrow_map(pa: Any, column: Any) -> Any:
    """A map<string, integer> column: a Ragged column where no cell is null, else a dict per cell."""
    t = column.type
    if not (pa.types.is_string(t.key_type) or pa.types.is_large_string(t.key_type)):
        raise _Refused(f"Arrow type {t}: the keys of a map (the strata's names) must be strings")
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if array.null_count == 0 and pa.types.is_integer(t.item_type):
        offsets = array.offsets.to_numpy()
        start, end = int(offsets[0]), int(offsets[-1])
        items = array.items.slice(start, end - start)
        if items.null_count == 0:
            keys = array.keys.slice(start, end - start)
            sizes = np.diff(offsets).astype(np.int64)
            codes = keys.dictionary_encode()
            twice = _repeated(codes.indices.to_numpy().astype(np.int64), sizes)
            if twice is not None:
                raise _Refused(f"row {twice[0]} names the key {codes.dictionary[twice[1]].as_py()!r} twice")
            return Ragged(sizes, items.to_numpy(zero_copy_only=True), _Texts(keys))
    cells: list[Any] = []
    for row, pairs in enumerate(array.to_pylist()):
        cell = None if pairs is None else dict(pairs)
        if cell is not None and len(cell) != len(pairs):
            key = next(k for i, (k, _) in enumerate(pairs) if any(k == other for other, _ in pairs[:i]))
            raise _Refused(f"row {row} names the key {key!r} twice")
        cells.append(cell)
    return cells


def _repeated(codes: Any, sizes: Any) -> tuple[int, int] | None:
    """The first (row, key code) whose key a row names twice, or None: a JSON object may not either."""
    row = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    most = int(sizes.max()) if len(sizes) else 0
    if most > 16:  # long rows: one sort of every (row, key) pair, rather than a pass per distance
        pairs = row * (int(codes.max()) + 1) + codes
        order = np.argsort(pairs, kind="stable")
        same = np.flatnonzero(pairs[order][1:] == pairs[order][:-1])
        if not len(same):
            return None
        at = int(order[same[0] + 1])
        return int(row[at]), int(codes[at])
    # Strata are a handful per row: compare each entry with the next few in its row.
    for gap in range(1, most):
        same = np.flatnonzero((row[gap:] == row[:-gap]) & (codes[gap:] == codes[:-gap]))
        if len(same):
            return int(row[same[0]]), int(codes[same[0]])
    return None


class _Texts(Sequence[str]):
    """The strata's names in an Arrow string array, turned into ``str`` only when a row is read.

    Grading reads the counts alone; the names are read by ``subject(i)`` and ``to_cohort()``.
    """

    def __init__(self, array: Any) -> None:
        self._array = array
        self._texts: list[str] | None = None

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if self._texts is None:
            self._texts = self._array.to_pylist()
        return self._texts[index]


# --- pandas ---------------------------------------------------------------------------------


def pandas_columns(frame: Any) -> _Columns:
    """The columns of a pandas DataFrame, by position (the index is not read)."""
    pd = _import("pandas", "pandas", "ColumnarCohort.from_pandas")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"'frame' must be a pandas.DataFrame (got a {type(frame).__name__})")
    problems: list[Problem] = []
    names = list(frame.columns)
    _named(names, problems)
    _raise(problems)
    columns: _Columns = {}
    for i, name in enumerate(names):
        try:
            columns[name] = _pandas_column(pd, frame.iloc[:, i])
        except _Refused as e:
            problems.append(Problem(("columns", name), f"column {name!r}: {e}", code="wrong_type"))
    _raise(problems)
    return columns


def _pandas_column(pd: Any, series: Any) -> Any:
    """One column (a Series) as a ColumnarCohort column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = _cells(_pandas_column(pd, pd.Series(dtype.categories)))
        codes = series.cat.codes.to_numpy().astype(np.int64)
        return _decoded(values, np.where(codes < 0, len(values), codes))
    if isinstance(dtype, pd.ArrowDtype):
        pa = _import("pyarrow", "arrow", "a pyarrow-backed pandas column")
        array = pa.array(series.array)  # the column's own Arrow array (the __arrow_array__ protocol)
        return _arrow_column(pa, array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array]))
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iub":
            return series.to_numpy()  # the frame's own memory (read-only under copy-on-write)
        if dtype.kind == "f":
            values = series.to_numpy()
            if not np.isnan(values).any():
                return values
            return [None if v != v else v for v in values.tolist()]  # NaN: pandas' missing value
        if dtype.kind == "O":
            return _objects(pd, series.to_numpy())
    elif isinstance(dtype, pd.StringDtype):
        return series.to_numpy(dtype=object, na_value=None).tolist()
    elif isinstance(series.array, pd.arrays.IntegerArray | pd.arrays.BooleanArray | pd.arrays.FloatingArray):
        # the nullable dtypes (Int64, boolean, Float64): values and a mask
        if not series.isna().any():
            return series.to_numpy(dtype=dtype.numpy_dtype)  # the array's own values, without a copy
        return series.to_numpy(dtype=object, na_value=None).tolist()
    raise _Refused(
        f"pandas dtype {dtype} holds nothing villageeval reads: give integers, booleans, Decimals, strings "
        "(or categories of them), and a dict per cell for strata"
    )


def _objects(pd: Any, values: Any) -> list[Any]:
    """An object column's cells: missing values (None, NaN, NA, NaT) are None, numpy scalars Python ones.

    Every other cell (a ``Decimal``, a ``Fraction``, a dict of strata, a list) is passed on
    as it is, for the engine to read as it reads a cohort's cells.
    """
    cells: list[Any] = values.tolist()
    odd = (type(None), type(pd.NA), type(pd.NaT))
    if not any(issubclass(t, (float, np.generic, *odd)) for t in set(map(type, cells))):
        return cells
    return list(map(_object_cell(pd), cells))


def _object_cell(pd: Any) -> Callable[[Any], Any]:
    na, nat = pd.NA, pd.NaT

    def cell(v: Any) -> Any:
        if v is None or v is na or v is nat or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, np.generic):
            v = v.item()
            return None if isinstance(v, float) and v != v else v
        return v

    return cell
