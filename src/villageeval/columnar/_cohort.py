"""A cohort as a table of columns, and the subject each row stands for."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from attrs import field, frozen, validators

from .._cohort import Cohort, Subject
from .._errors import CohortError, Problem
from .._hints import close_matches

#: Mapping fields of a subject, one column per key: ``facts.<name>``, ``groups.<kind>``...
_MAPPINGS = ("groups", "facts", "history", "outcomes", "notes")


_TEXTS = ("id", "role", "name", "unit")


@frozen(eq=False)  # numpy arrays have no truth value to compare by
class Fixed:
    """A column of exact decimals held as integers: cell ``i`` is ``values[i] / 10**places``.

    How a database's ``DECIMAL(p, s)`` column or Arrow's ``decimal128`` holds them, and
    the columnar form of exact scores: ``Fixed(np.array([8750, 9025]), 2)`` is the
    cells ``Decimal("87.50")`` and ``Decimal("90.25")``, read without a Decimal per row.
    """

    values: Any
    places: int = field(validator=validators.ge(0))

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, row: int) -> Decimal:
        return Decimal(int(self.values[row])).scaleb(-self.places)


@frozen(eq=False)  # numpy arrays have no truth value to compare by
class Ragged:
    """A column of mappings held flat: cell ``i`` maps ``keys[j]`` to ``values[j]`` for its ``sizes[i]`` entries.

    The columnar form of per-stratum counts, as a child table holds them (households
    visited per natural village, one row each): ``Ragged(sizes=[2, 1], values=[4, 3, 5],
    keys=["甲庄", "乙庄", "丙庄"])`` is the cells ``{"甲庄": 4, "乙庄": 3}`` and
    ``{"丙庄": 5}``. Without ``keys``, entries are named ``"1"``, ``"2"``... within a cell.
    """

    sizes: Any
    values: Any
    keys: Sequence[str] | None = None

    def __attrs_post_init__(self) -> None:
        sizes = np.asarray(self.sizes)
        if sizes.dtype.kind not in "iu" or (len(sizes) and int(sizes.min()) < 0):
            raise ValueError(f"Ragged sizes must be whole numbers >= 0 (got {self.sizes!r})")
        if int(sizes.sum()) != len(self.values):
            raise ValueError(f"Ragged sizes add up to {int(sizes.sum())}, but there are {len(self.values)} values")
        if self.keys is not None and len(self.keys) != len(self.values):
            raise ValueError(f"Ragged has {len(self.keys)} keys for {len(self.values)} values")

    def __len__(self) -> int:
        return len(self.sizes)

    def __getitem__(self, row: int) -> dict[str, Any]:
        start = int(np.sum(np.asarray(self.sizes)[:row], dtype=np.int64))
        return self._cell(start, int(self.sizes[row]))

    def _cell(self, start: int, size: int) -> dict[str, Any]:
        values = [v.item() if isinstance(v, np.generic) else v for v in self.values[start : start + size]]
        keys = list(self.keys[start : start + size]) if self.keys is not None else [str(j + 1) for j in range(size)]
        return dict(zip(keys, values, strict=True))

    def cells(self) -> list[dict[str, Any]]:
        """Every cell, in one pass."""
        out, start = [], 0
        for size in np.asarray(self.sizes).tolist():
            out.append(self._cell(start, size))
            start += size
        return out


def cells_of(column: Any) -> list[Any]:
    """A column's cells as Python values (numpy scalars become ints, bools, strs)."""
    if isinstance(column, np.ndarray):
        return list(column.tolist())
    if isinstance(column, Ragged):
        return column.cells()
    if isinstance(column, Fixed):
        return [column[i] for i in range(len(column))]
    return list(column)


@frozen(eq=False)  # numpy arrays have no truth value to compare by
class ColumnarCohort:
    """A cohort as a table: column name → one cell per subject.

    Columns: ``id`` and ``role`` (required), ``name``, ``unit``; ``groups.<kind>``,
    ``facts.<name>``, ``history.<period>``, ``outcomes.<assessment>``,
    ``notes.<heading>``; and per instrument the fields of its evidence,
    ``evidence.<instrument>.tallies.<tier>``, ``.coverage.<category>`` (or
    ``.coverage.<category>.count`` and ``.of``), ``.strata`` (a mapping per cell),
    ``.expected``, ``.tier``, ``.value``. A cell of ``None`` is a key left out, and an
    instrument all of whose cells are ``None`` in a row has no evidence there.

    Columns are lists, tuples or numpy arrays of equal length, or a :class:`Fixed`
    (exact decimals held as integers) or :class:`Ragged` (a mapping per row held
    flat); a numpy array's cells are read as the Python values it holds (``int64`` as
    ``int``). :meth:`from_arrow` and :meth:`from_pandas` build one from an Arrow
    table or a DataFrame. ``docs/columnar.md`` lists every column. Which columns a
    scheme reads is checked by :func:`evaluate_columnar`, which lists every unknown
    column at once.

    Raises:
        CohortError: no ``id`` or ``role`` column, columns of different lengths, a
            column name outside the forms above, ids, roles or other texts that are
            not strings, or duplicate ids; every problem at once.
    """

    columns: Mapping[str, Any] = field(converter=dict)
    period: str = ""

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        for name in ("id", "role"):
            if name not in self.columns:
                problems.append(Problem(("columns", name), f"no {name!r} column: every row needs one"))
        lengths = {name: len(col) for name, col in self.columns.items()}
        if len(set(lengths.values())) > 1:
            n = lengths.get("id", max(lengths.values()))
            for name, length in sorted(lengths.items()):
                if length != n:
                    problems.append(Problem(("columns", name), f"column {name!r} has {length} cells, 'id' has {n}"))
        for name in sorted(self.columns):
            head = name.split(".", 1)[0]
            if name in _TEXTS or (head in _MAPPINGS and "." in name) or (head == "evidence" and name.count(".") >= 2):
                continue
            hint = close_matches(name, [*_TEXTS, *(f"{h}.…" for h in _MAPPINGS), "evidence.…"], n=1)
            known = "id, role, name, unit, groups.…, facts.…, history.…, outcomes.…, notes.…, evidence.<instrument>.…"
            problems.append(
                Problem(
                    ("columns", name),
                    f"column {name!r} is not one of {known}" + (f"; did you mean {hint[0]!r}?" if hint else ""),
                )
            )
        if not problems:
            distinct: dict[str, Any] = {}
            problems += _text_problems(self.columns, distinct)
        if not problems:
            col = self.columns["id"]
            ids = col if type(col) is list else cells_of(col)
            if len(distinct["id"]) != len(ids):  # the set of ids the text check built
                seen: dict[Any, int] = {}
                for i, sid in enumerate(ids):
                    if sid in seen:
                        problems.append(
                            Problem(("columns", "id", i), f"duplicate subject id {sid!r} (also row {seen[sid]})")
                        )
                    else:
                        seen[sid] = i
        if problems:
            raise CohortError(problems)

    @classmethod
    def from_arrow(cls, table: Any, *, period: str = "") -> ColumnarCohort:
        """The table of an Arrow table (or record batch, or anything with ``__arrow_c_stream__``).

        The columns keep their names (``evidence.appraisal.tallies.好``, ``facts.absentee``,
        ``groups.township``...); a struct column is flattened into dotted names. Each
        column is converted by its Arrow type, exactly and without a float: integer
        columns without nulls become numpy arrays over Arrow's own memory (one chunk:
        no copy), booleans numpy arrays, decimals :class:`Fixed` columns (or exact
        ``Decimal`` cells), ``map<string, integer>`` strata :class:`Ragged` columns,
        strings and dictionary-encoded columns lists of ``str``; a null is None, a key
        left out. A float stays a float, which the engine refuses (``invalid_evidence``).
        ``docs/columnar.md`` has the table of types. Needs ``pip install 'villageeval[arrow]'``.

        Raises:
            ImportError: pyarrow is not installed.
            TypeError: ``table`` is not an Arrow table (a pandas DataFrame: use :meth:`from_pandas`).
            CohortError: a column of a type villageeval reads nothing from (a date,
                bytes, a list), two columns of one name, or what the constructor refuses;
                every problem at once.
        """
        from ._frames import arrow_columns

        return cls(arrow_columns(table), period=period)

    @classmethod
    def from_pandas(cls, frame: Any, *, period: str = "") -> ColumnarCohort:
        """The table of a pandas DataFrame, column by column (the index is not read).

        Each column is converted by its dtype, exactly and without a float: ``int64``
        and ``bool`` columns (and nullable ``Int64``/``boolean`` ones without ``NA``)
        become numpy arrays over the frame's own memory, object columns their cells
        (``Decimal``, ``str``, dicts of strata...), string and categorical columns lists
        of ``str``, pyarrow-backed columns what :meth:`from_arrow` makes of them; a
        missing value (None, NaN, ``NA``, ``NaT``) is None, a key left out. A float
        stays a float, which the engine refuses (``invalid_evidence``).
        ``docs/columnar.md`` has the table of dtypes. Needs ``pip install 'villageeval[pandas]'``.

        Raises:
            ImportError: pandas is not installed.
            TypeError: ``frame`` is not a DataFrame.
            CohortError: a column of a dtype villageeval reads nothing from (dates,
                intervals), a column name that is not a string or is given twice, or what
                the constructor refuses; every problem at once.
        """
        from ._frames import pandas_columns

        return cls(pandas_columns(frame), period=period)

    def __len__(self) -> int:
        return len(self.columns["id"])

    def subject(self, row: int) -> Subject:
        """The subject of ``row``, as the pure-Python engine sees it."""

        def cell(name: str) -> Any:
            col = self.columns.get(name)
            if col is None:
                return None
            value = col[row]
            return value.item() if isinstance(value, np.generic) else value

        return _subject(cell, self.columns)

    def to_cohort(self) -> Cohort:
        """The same cohort as :class:`~villageeval.Subject` objects, for :func:`villageeval.evaluate`."""
        cells = {name: cells_of(col) for name, col in self.columns.items()}

        def row(i: int) -> Subject:
            return _subject(lambda name: cells[name][i] if name in cells else None, cells)

        subjects = tuple(row(i) for i in range(len(self)))
        return Cohort(subjects, period=self.period)


def _text_problems(columns: Mapping[str, Any], distinct: dict[str, Any]) -> list[Problem]:
    """Cells that must be text, as the cohort reader requires: ids and roles never empty.

    The types are checked on the distinct values (a few roles, a thousand townships),
    not on every cell; a column with an unhashable cell is read cell by cell. The
    distinct values of each column are left in ``distinct`` (the ids' serve the check
    for duplicates).
    """
    problems: list[Problem] = []
    for name, col in sorted(columns.items()):
        head = name.partition(".")[0]
        if head not in ("id", "role", "name", "unit", "groups", "history", "outcomes", "notes"):
            continue
        cells = col if type(col) is list else cells_of(col)
        required = head in ("id", "role")
        try:
            values: Collection[Any] = set(cells)
        except TypeError:
            values = cells
        distinct[name] = values
        # Checked on the cells themselves when they are all distinct (ids): walking them in
        # their order is quicker than walking the set.
        checked = cells if len(values) == len(cells) else values
        if not (required and "" in values) and _all_texts(checked, none_too=not required):
            continue
        bad = [
            i
            for i, v in enumerate(cells)
            if not ((isinstance(v, str) and (v or not required)) or (v is None and not required))
        ]
        shown = ", ".join(f"row {i}: {cells[i]!r}" for i in bad[:3]) + (
            f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        )
        what = "a non-empty string" if required else "a string, or None for no value"
        problems.append(Problem(("columns", name), f"column {name!r}: every cell must be {what} ({shown})"))
    return problems


def _all_texts(values: Iterable[Any], none_too: bool) -> bool:
    """Whether every value is a ``str`` (as ``isinstance`` says, like the cohort reader), or None if allowed."""
    try:
        "".join(values)  # every value a str: one pass in C, where a distinct id per row makes a type() per value slow
        return True
    except TypeError:
        return all(isinstance(v, str) or (none_too and v is None) for v in values)


def _subject(cell: Callable[[str], Any], names: Iterable[str]) -> Subject:
    """A subject from the cells of one row, by column name."""
    mappings: dict[str, dict[str, Any]] = {h: {} for h in _MAPPINGS}
    fields: dict[str, dict[str, Any]] = {}
    for name in names:
        head, _, rest = name.partition(".")
        if head in _MAPPINGS:
            v = cell(name)
            if v is not None:
                mappings[head][rest] = v
        elif head == "evidence":
            v = cell(name)
            if v is not None:
                iid, _, path = rest.partition(".")
                fields.setdefault(iid, {})[path] = v
    return Subject(
        id=cell("id"),
        role=cell("role"),
        name=cell("name") or "",
        unit=cell("unit") or "",
        evidence={iid: _evidence(given) for iid, given in fields.items()},
        **mappings,
    )


def _evidence(given: Mapping[str, Any]) -> dict[str, Any]:
    """One instrument's evidence from its cells (``tallies.好``, ``coverage.村干部.count``...).

    The cells are put together into the evidence's JSON interchange object, which the
    subject keeps as a cohort file's subject does: the kind of the instrument reads it
    when the subject is graded, so a cell of the wrong shape gives the same malformed
    evidence, with the same words, as it would in a cohort file.
    """
    raw: dict[str, Any] = {}
    for path, v in given.items():
        part, _, key = path.partition(".")
        if part in ("tallies", "coverage") and key:
            category, dot, sub = key.rpartition(".")  # a label may hold a dot; count and of are last
            if part == "coverage" and dot and sub in ("count", "of"):
                raw.setdefault("coverage", {}).setdefault(category, {})[sub] = v
            else:
                raw.setdefault(part, {})[key] = v
        else:
            raw[part] = v
    return raw
