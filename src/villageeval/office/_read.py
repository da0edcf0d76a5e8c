"""Reading a filled 汇总表 back: an .xlsx workbook or a CSV of one sheet, into a cohort.

The reader goes by the row of keys the template writes (hidden, under the headers:
:mod:`._layout`), looked for in the first rows of every sheet; a sheet without one (the
cover, a clerk's own notes) is not read. Each row under it with anything in it is a
subject, and the subject's cohort JSON is built from its cells and handed to
:func:`villageeval.cohort_from_dict`, so that a workbook is read exactly as the same
cohort in JSON would be: one semantics, the engine's, for every reading. Columns without
a key (a clerk's own remarks, to the right) are not read.

Cells are read exactly (:mod:`._cells`). What the reader does with each:

- an empty cell is a key left out: an instrument whose cells are all empty has no
  evidence (``missing_evidence``), an empty fact is not given (the scheme's default, or
  ``missing_fact``), an empty coverage ``of`` is not given (``coverage_incomplete``);
- a ballot with some tiers filled and others empty is not read as if the empty ones were
  0 (a cell forgotten is not a tier nobody chose): the instrument is ``invalid_evidence``,
  naming the empty cells. Stratum pairs are read in order; a name without a count, a
  count without a name or a name given twice is ``invalid_evidence`` naming the cells;
- a list sheet's rows (:mod:`._layout`: an item ballot's items, a ledger's entries) go to
  the subject their ``id`` names, in their order, whatever its role sheet; an id no role
  sheet has is an error. A subject with no rows and the instrument's cells of its role
  sheet (``expected``, ``as_of``) empty has no evidence for it (``missing_evidence``);
  an ``as_of`` without rows is a ledger of no entries. A row with an id and nothing else
  is not read. An item with a tier left empty, ballots with no item, or an item given
  twice for one subject makes the instrument ``invalid_evidence``, naming the cells; an
  empty ``found``, ``closed`` or ``verified`` of an entry is left out (not found on
  record, not closed, not verified);
- a date cell in a date column is its ISO date (``2015-06-30``); a text there is given
  as it is, and the kind says whether it is a date; a number or a truth value there is
  given as it is, with a warning;
- a number in a text column (an id typed as 101) is its text; a text holding a number in
  a number column (a CSV's, or a text-formatted cell: ``12``, ``８４.５``) is that number;
  a whole number in a count column is an integer (20.0 is 20);
- a yes/no fact reads 是/否, TRUE/FALSE, yes/no and 1/0;
- what does not fit its column (a text in a count, a count that is not whole, a date Excel
  made of ``3-5``, a truth value where a number goes) is given to the engine as it is,
  which says what is wrong in the subject's reasons, and listed in ``warnings`` with its
  cell, so that the clerk finds it;
- a float cell that cannot be read exactly (a formula's 1/3) makes its instrument
  ``invalid_evidence`` with the cell in the reason (and a warning); in a number fact it
  is given as the float, which the engine refuses (``invalid_fact``).

What keeps a row from being a subject is an error for the workbook, all of them at once
in one :class:`~villageeval.CohortError`: a key the scheme has no column for (with a
did-you-mean) or given twice, a sheet's row of keys without ``id`` or ``role``, a row with
values but no id, an id given twice, a role the scheme does not have, a text column
whose cell cannot be read exactly, and whatever :func:`~villageeval.cohort_from_dict`
refuses (a control character in a name). Every problem and warning names its place in
its ``path``, a single element: the cell as Excel names it in a formula (``班子!D7``,
``'村“两委”班子'!D7``); a CSV's sheet is named after its file, as Excel names it on
opening it (``成员.csv`` → ``成员!D7``).

A CSV holds one sheet, so a list sheet's CSV cannot be read alone (its ids name
subjects of the role sheets): read the workbook. A CSV is read with the standard library:
UTF-8 with or without a byte order mark, or GBK, which Excel on a Chinese system writes
by default (GB18030 when GBK cannot read it);
the encoding found is :attr:`SheetsRead.encoding`. A file that is neither, a workbook
openpyxl cannot open (not one, or cut short) and any other suffix are a ``CohortError``;
a file that cannot be read at all is the ``OSError`` reading it raised.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
import warnings
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from attrs import frozen

from .._catalogue import LANGS, text
from .._cohort import Cohort, MalformedEvidence, cohort_from_dict
from .._errors import CohortError, Problem
from .._hints import close_matches
from .._kinds.item_ballot import ItemBallot
from .._kinds.ledger import Ledger
from .._model import Scheme
from .._reading import NotText, decode_text
from .._types import expect_scheme
from ._cells import Cell, Dated, Inexact, cell_name, number_in_text, read_cell, sheet_cell
from ._layout import Field, key_reader, role_of, role_texts

__all__ = ["SEARCH_ROWS", "SheetsRead", "read_sheets"]

#: The row of keys is looked for in this many rows at the top of each sheet.
SEARCH_ROWS = 10
_YES = frozenset({"是", "true", "yes", "1"})
_NO = frozenset({"否", "false", "no", "0"})
_FRACTION = re.compile(r"[+-]?[0-9]+/[0-9]+")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@frozen
class SheetsRead:
    """A filled 汇总表, read.

    Attributes:
        cohort: its subjects, for :func:`villageeval.evaluate`.
        encoding: the encoding a CSV was read in (``"utf-8"``, ``"utf-8-sig"``, ``"gbk"``,
            ``"gb18030"``); None for a workbook.
        warnings: cells that do not fit their column and were given to the engine as they
            are, each naming its cell (severity ``warning``).
    """

    cohort: Cohort
    encoding: str | None
    warnings: tuple[Problem, ...]


def read_sheets(scheme: Scheme, path: str | os.PathLike[str]) -> SheetsRead:
    """Read a filled 汇总表 (.xlsx, .xlsm or .csv) into a cohort for ``scheme`` (see the module docstring).

    The cohort names the scheme and no period (the scheme's applies); its subjects are in
    the order of the sheets and rows.

    Raises:
        TypeError: ``scheme`` is not a loaded scheme.
        CohortError: every problem that keeps the file, or a row of it, from being read,
            each naming its cell.
        OSError: the file cannot be read.
    """
    expect_scheme(scheme)
    file = os.fspath(path)
    suffix = Path(file).suffix.lower()
    encoding: str | None = None
    if suffix in (".xlsx", ".xlsm"):
        sheets = _workbook(file)
    elif suffix == ".csv":
        rows, encoding = _csv(file)
        sheets = [(Path(file).stem, rows)]
    else:
        old = "; an .xls workbook (Excel 97-2003) must be saved as .xlsx first" if suffix == ".xls" else ""
        message = f"a 汇总表 is an .xlsx or .xlsm workbook or a .csv file, not {suffix or 'a file without a suffix'}"
        raise CohortError([Problem((), message + old, file, code="unreadable")])
    reader = _Reader(scheme, file)
    for name, sheet_rows in sheets:
        reader.sheet(name, sheet_rows)
    return SheetsRead(reader.cohort(), encoding, tuple(reader.warnings))


# --- files -----------------------------------------------------------------------------------------


def _unreadable(file: str, what: str, error: Exception) -> CohortError:
    detail = str(error) or type(error).__name__
    return CohortError([Problem((), f"{what} ({detail})", file, code="unreadable")])


def _workbook(file: str) -> list[tuple[str, list[Sequence[object]]]]:
    """Each sheet's name and rows of values, as the file holds them (cached values of formulas)."""
    import openpyxl

    # openpyxl warns of what it drops on reading (extensions, styles), never of a value.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except OSError:
            raise
        except Exception as e:  # openpyxl's and zipfile's many ways of saying "not a workbook"
            raise _unreadable(file, "not a workbook that can be read: an .xlsx file saved by Excel or WPS", e) from None
        try:
            return [(ws.title, list(ws.iter_rows(values_only=True))) for ws in book.worksheets]
        except Exception as e:  # a workbook cut short fails while its sheets are read
            raise _unreadable(file, "the workbook is damaged or cut short", e) from None
        finally:
            book.close()


def _decode(data: bytes, file: str) -> tuple[str, str]:
    """The text of a CSV and its encoding: UTF-8 (with or without BOM), else GBK or GB18030."""
    try:
        return decode_text(data), "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except NotText as e:
        failed = e
    # UTF-16, binary, or UTF-8 Chinese with a stray byte (its valid start holds Chinese) is
    # no GBK file, whatever a GBK decoder makes of it.
    if b"\x00" not in data and not _CJK.search(data[: failed.offset].decode("utf-8", errors="replace")):
        for codec in ("gbk", "gb18030"):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                continue
    raise CohortError([Problem((), failed.message, file, failed.line, code="not_text")])


def _csv(file: str) -> tuple[list[Sequence[object]], str]:
    text_, encoding = _decode(Path(file).read_bytes(), file)
    reader = csv.reader(io.StringIO(text_, newline=""))
    try:
        return list(reader), encoding
    except csv.Error as e:
        message = f"not a CSV file that can be read ({e})"
        raise CohortError([Problem((), message, file, reader.line_num, code="unreadable")]) from None


# --- cells -----------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """A cell that cannot be read exactly where only an exact value will do."""


def _inexact(cell: Inexact) -> str:
    return f"the cell holds {cell}, which is no decimal of at most 15 digits: type the number itself"


def _as_text(cell: Cell, note: list[str]) -> str | None:
    """A text column's value; ``note`` gets what the clerk should know about the cell."""
    if cell is None or isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, (int, Decimal)):
        return str(cell)
    if isinstance(cell, Dated):
        note.append(f"Excel made a date or time of this cell ({cell.text}): format the cell as text and type it again")
        return cell.text
    raise _Unreadable(_inexact(cell))


def _as_number(cell: Cell, kind: str, note: list[str]) -> Any:
    """A count's, a score's or a number fact's value, as it is when it does not fit (with a note)."""
    if isinstance(cell, str):
        number = number_in_text(cell)
        if number is None:
            if not (kind == "score" and _FRACTION.fullmatch(cell)):
                note.append(f"{cell!r} is not a number")
            return cell
        cell = number
    if isinstance(cell, bool):
        note.append(f"{cell} is a truth value, not a number")
        return cell
    if isinstance(cell, Dated):
        note.append(f"Excel made a date or time of this cell ({cell.text}): format the cell as a number")
        return cell.text
    if isinstance(cell, Inexact):
        if kind != "number":
            raise _Unreadable(_inexact(cell))
        note.append(_inexact(cell))
        return cell.value  # a float fact, which the engine refuses (invalid_fact)
    if kind == "count" and isinstance(cell, Decimal):
        note.append(f"{cell} is not a whole number")
    return cell


def _as_bool(cell: Cell, note: list[str]) -> Any:
    """A yes/no fact's value, as it is when it is neither (with a note)."""
    if cell is None or isinstance(cell, bool):
        return cell
    word = unicodedata.normalize("NFKC", str(cell)).strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    shown = cell.value if isinstance(cell, Inexact) else cell.text if isinstance(cell, Dated) else cell
    note.append(f"{shown!r} is not one of 是/否 (TRUE/FALSE, yes/no, 1/0)")
    return shown


def _as_date(cell: Cell, note: list[str]) -> Any:
    """A date's value: a date cell's ISO text, a text as it is (the kind checks it), anything else
    as it is (with a note)."""
    if cell is None or isinstance(cell, str):
        return cell
    if isinstance(cell, Dated):
        return cell.text
    if isinstance(cell, Inexact):
        raise _Unreadable(_inexact(cell))
    note.append(f"{cell} is not a date: format the cell as a date and type it (2015-06-30)")
    return cell


def _value(field: Field, cell: Cell, note: list[str]) -> Any:
    """The JSON value of a cell in a column of ``field``'s kind (None: the key is left out)."""
    if field.kind in ("text", "role"):
        return _as_text(cell, note)
    if field.kind == "bool":
        return _as_bool(cell, note)
    if field.kind == "date":
        return _as_date(cell, note)
    return None if cell is None else _as_number(cell, field.kind, note)


# --- rows ------------------------------------------------------------------------------------------


def _put(data: dict[str, Any], path: Sequence[str], value: Any) -> None:
    """``value`` at ``path`` in a subject's JSON, making the objects on the way."""
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def _strata(slots: dict[int, dict[str, tuple[Any, str]]], broken: list[str]) -> dict[str, Any]:
    """The strata of a row's pairs of stratum columns, in order; what is wrong with them in ``broken``."""
    out: dict[str, Any] = {}
    where: dict[str, str] = {}
    for n in sorted(slots):
        name, name_cell = slots[n].get("name", (None, ""))
        count, count_cell = slots[n].get("count", (None, ""))
        if name is None and count is None:
            continue
        if name is None:
            broken.append(f"{count_cell}: a count with no name beside it")
        elif count is None:
            broken.append(f"{name_cell}: {name!r} has no count beside it")
        elif name in where:
            broken.append(f"{name_cell}: {name!r} is given twice (also {where[name]})")
        else:
            out[name], where[name] = count, name_cell
    return out


class _Row:
    """One subject as its cells give it, with where each of its values came from."""

    def __init__(self, sheet: str, row: int) -> None:
        self.sheet, self.row = sheet, row
        self.data: dict[str, Any] = {}
        self.cells: dict[tuple[str, ...], str] = {}  # a value's path in the subject → its cell
        self.broken: dict[str, list[str]] = {}  # instrument → what makes its evidence unreadable
        self.empty_tiers: dict[str, list[tuple[str, str]]] = {}  # ballot → (tier, cell) left empty
        self.strata: dict[str, dict[int, dict[str, tuple[Any, str]]]] = {}

    def ref(self, column: int) -> str:
        return sheet_cell(self.sheet, cell_name(self.row, column))


class _ListRow:
    """One row of a list sheet: an item or an entry of a subject's evidence, with its cells."""

    def __init__(self, sheet: str, row: int, iid: str) -> None:
        self.sheet, self.row, self.iid = sheet, row, iid
        self.sid: str | None = None
        self.id_cell = ""
        self.values: dict[tuple[str, ...], tuple[Any, str]] = {}  # part → (value, cell); None: empty
        self.broken: list[str] = []

    def ref(self, column: int) -> str:
        return sheet_cell(self.sheet, cell_name(self.row, column))


def _votes(rows: Sequence[_ListRow], broken: list[str], cells: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """The votes of a subject's rows of an item ballot's sheet; what is wrong with them in ``broken``."""
    votes: dict[str, Any] = {}
    where: dict[str, str] = {}
    for lr in rows:
        broken += lr.broken
        item, item_cell = lr.values[("item",)]
        tallies = {part[1]: value for part, (value, _) in lr.values.items() if part[0] == "tallies"}
        empty = [(part[1], cell) for part, (value, cell) in lr.values.items() if part[0] == "tallies" and value is None]
        if item is None and len(empty) == len(tallies):
            continue  # nothing but cells that cannot be read (in broken)
        if item is None:
            broken.append(f"{item_cell}: ballots with no item beside them")
            continue
        if item in where:
            broken.append(f"{item_cell}: {item!r} is given twice (also {where[item]})")
            continue
        where[item] = item_cell
        if empty:
            tiers = "、".join(tier for tier, _ in empty)
            broken.append(
                f"{', '.join(c for _, c in empty)}: no ballots written for {tiers} of {item!r}; "
                "write 0 where no ballot was cast"
            )
            continue
        votes[item] = {"tallies": tallies}
        cells[("votes", item)] = item_cell
    return votes


def _entries(rows: Sequence[_ListRow], broken: list[str], cells: dict[tuple[str, ...], str]) -> list[Any]:
    """The entries of a subject's rows of a ledger's sheet (empty cells left out)."""
    entries: list[Any] = []
    for lr in rows:
        broken += lr.broken
        entry = {part[0]: value for part, (value, _) in lr.values.items() if value is not None}
        if not entry and not lr.broken:
            continue
        first = next((cell for value, cell in lr.values.values() if value is not None), lr.id_cell)
        cells[("entries", str(len(entries)))] = first
        entries.append(entry)
    return entries


class _Reader:
    """Rows of every sheet, into subjects; problems and warnings, each with its cell."""

    def __init__(self, scheme: Scheme, file: str) -> None:
        self.scheme, self.file = scheme, file
        self.field_of = key_reader(scheme)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.rows: list[_Row] = []
        self.lists: list[_ListRow] = []
        self.keyed = False
        self.covers = {text("sheets.cover.sheet", lang) for lang in LANGS}

    def problem(self, where: str, message: str, code: str) -> None:
        self.problems.append(Problem((where,), message, self.file, code=code))

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(Problem((where,), message, self.file, severity="warning", code="invalid_value"))

    def sheet(self, name: str, rows: Sequence[Sequence[object]]) -> None:
        found = next(
            (i for i, row in enumerate(rows[:SEARCH_ROWS]) if any(read_cell(v) == "id" for v in row)),
            None,
        )
        if found is None:
            if name not in self.covers and any(read_cell(v) is not None for row in rows for v in row):
                self.warn(name, f"sheet {name!r} has no row of column keys (id, role...) in its first rows: not read")
            return
        self.keyed = True
        read = self.keys(name, found + 1, rows[found])
        if read is None:
            return
        columns, listed = read
        for number, row in enumerate(rows[found + 1 :], start=found + 2):
            if listed:
                self.list_row(name, number, row, columns, listed)
            else:
                self.row(name, number, row, columns)

    def keys(self, sheet: str, row: int, cells: Sequence[object]) -> tuple[dict[int, tuple[str, Field]], str] | None:
        """Column (from 1) → key and field, and the instrument of a list sheet (or ``""``), or
        None when the sheet's rows cannot be read."""
        columns: dict[int, tuple[str, Field]] = {}
        seen: dict[str, str] = {}
        for j, raw in enumerate(cells, start=1):
            cell = read_cell(raw)
            if cell is None:
                continue
            key = str(cell.value if isinstance(cell, Inexact) else cell.text if isinstance(cell, Dated) else cell)
            where = sheet_cell(sheet, cell_name(row, j))
            if key in seen:
                self.problem(where, f"column {key!r} is given twice (also {seen[key]})", "cohort_format")
                continue
            seen[key] = where
            field = self.field_of(key)
            if isinstance(field, str):
                self.problem(where, field, "unknown_key")
            else:
                columns[j] = (key, field)
        where = sheet_cell(sheet, f"{row}:{row}")
        listed = list(dict.fromkeys(f.instrument for _, f in columns.values() if f.part is not None))
        if listed:
            others = [key for key, f in columns.values() if f.part is None and key != "id"]
            if len(listed) > 1 or others:
                extra = [f"the list columns of {i!r}" for i in listed[1:]] + [repr(k) for k in others]
                message = (
                    f"a sheet of {listed[0]!r}'s list holds 'id' and its list columns only, "
                    f"not {', '.join(extra)}: keep them in their own sheets"
                )
                self.problem(where, message, "cohort_format")
                return None
            if "id" not in seen:
                self.problem(where, "the row of keys has no 'id' column", "cohort_format")
                return None
            return columns, listed[0] or ""
        missing = [key for key in ("id", "role") if key not in seen]
        if missing:
            self.problem(where, f"the row of keys has no {' or '.join(map(repr, missing))} column", "cohort_format")
            return None
        return columns, ""

    def list_row(
        self, sheet: str, number: int, values: Sequence[object], columns: dict[int, tuple[str, Field]], iid: str
    ) -> None:
        cells = {j: read_cell(values[j - 1]) if j <= len(values) else None for j in columns}
        if all(cell is None for j, cell in cells.items() if columns[j][1].part is not None):
            return  # empty, or an id and nothing else
        lr = _ListRow(sheet, number, iid)
        for j, (key, field) in columns.items():
            where = lr.ref(j)
            note: list[str] = []
            if field.part is None:  # the id
                lr.id_cell = where
                try:
                    lr.sid = _as_text(cells[j], note)
                except _Unreadable as e:
                    self.problem(where, f"{key}: {e}", "cohort_format")
                    return
            else:
                try:
                    lr.values[field.part] = (_value(field, cells[j], note), where)
                except _Unreadable as e:
                    lr.values[field.part] = (None, where)
                    lr.broken.append(f"{where}: {e}")
                    self.warn(where, f"{key}: {e}")
            for message in note:
                self.warn(where, f"{key}: {message}")
        if lr.sid is None:
            self.problem(lr.id_cell, "this row has values but no id of the subject it belongs to", "cohort_format")
            return
        self.lists.append(lr)

    def row(self, sheet: str, number: int, values: Sequence[object], columns: dict[int, tuple[str, Field]]) -> None:
        cells = {j: read_cell(values[j - 1]) if j <= len(values) else None for j in columns}
        if all(cell is None for j, cell in cells.items() if columns[j][0] != "role"):
            return  # an empty row (its role filled in by the template)
        row = _Row(sheet, number)
        for j, (key, field) in columns.items():
            self.cell(row, j, key, field, cells[j])
        at = {key: j for j, (key, _) in columns.items()}
        if cells[at["id"]] is None:
            self.problem(row.ref(at["id"]), "this row has values but no id: every subject needs one", "cohort_format")
        elif cells[at["role"]] is None:
            self.problem(row.ref(at["role"]), f"subject {row.data.get('id')!r} has no role", "cohort_format")
        elif "id" in row.data and "role" in row.data:  # else the cell's problem is reported
            self.rows.append(row)

    def cell(self, row: _Row, j: int, key: str, field: Field, cell: Cell) -> None:
        where = row.ref(j)
        iid = field.instrument
        note: list[str] = []
        try:
            value = _value(field, cell, note)
        except _Unreadable as e:
            if iid is None:
                self.problem(where, f"{key}: {e}", "cohort_format")
            else:
                row.broken.setdefault(iid, []).append(f"{where}: {e}")
                self.warn(where, f"{key}: {e}")
            return
        for message in note:
            self.warn(where, f"{key}: {message}")
        if field.slot is not None:
            n, part = field.slot
            row.strata.setdefault(field.path[1], {}).setdefault(n, {})[part] = (value, where)
        elif value is None:
            if field.path[2:3] == ("tallies",):
                row.empty_tiers.setdefault(field.path[1], []).append((field.path[3], where))
        elif field.kind == "role":
            self.role(row, where, value)
        else:
            _put(row.data, field.path, value)
            row.cells[field.path] = where

    def role(self, row: _Row, where: str, written: str) -> None:
        role = role_of(self.scheme, written)
        if role is None:
            known = list(role_texts(self.scheme).values())
            close = close_matches(written, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (one of {', '.join(map(repr, known))})"
            self.problem(where, f"{written!r} is not a role of scheme {self.scheme.id!r}{hint}", "unknown_role")
            return
        row.data["role"] = role
        row.cells[("role",)] = where

    def listed(self, row: _Row, iid: str, rows: Sequence[_ListRow]) -> None:
        """The items or entries a list sheet gives a subject, into its evidence."""
        config = self.scheme.instruments[iid]
        broken = row.broken.setdefault(iid, [])
        cells: dict[tuple[str, ...], str] = {}
        ev = row.data.setdefault("evidence", {}).setdefault(iid, {})
        if isinstance(config, ItemBallot):
            ev["votes"] = _votes(rows, broken, cells)
        elif isinstance(config, Ledger):
            ev["entries"] = _entries(rows, broken, cells)
        for path, cell in cells.items():
            place = ("evidence", iid, *path)
            row.cells[place] = cell

    def finish(self, row: _Row) -> None:
        """The row's strata, its partly filled ballots, and the evidence that cannot be read."""
        evidence = row.data.setdefault("evidence", {})
        for iid, ev in evidence.items():  # an expected or an as_of, and no rows: an empty list
            config = self.scheme.instruments.get(iid)
            if isinstance(config, ItemBallot):
                ev.setdefault("votes", {})
            elif isinstance(config, Ledger):
                ev.setdefault("entries", [])
        for iid, slots in row.strata.items():
            strata = _strata(slots, row.broken.setdefault(iid, []))
            if strata:
                evidence.setdefault(iid, {})["strata"] = strata
        for iid, empty in row.empty_tiers.items():
            if "tallies" in evidence.get(iid, {}):
                tiers = "、".join(tier for tier, _ in empty)
                cells = ", ".join(cell for _, cell in empty)
                row.broken.setdefault(iid, []).append(
                    f"{cells}: no ballots written for {tiers}; write 0 where no ballot was cast"
                )
        for iid, broken in row.broken.items():
            if broken:
                evidence[iid] = MalformedEvidence(evidence.get(iid, {}), "; ".join(broken))
        if not evidence:
            del row.data["evidence"]

    def cohort(self) -> Cohort:
        """The cohort of every row read, or every problem found."""
        if not self.keyed and not self.problems:
            message = "no sheet has a row of column keys (id, role...): fill in a template of `villageeval template`"
            self.problems.append(Problem((), message, self.file, code="cohort_format"))
        subjects: list[dict[str, Any]] = []
        rows: list[_Row] = []
        seen: dict[str, str] = {}
        for row in self.rows:
            sid, where = row.data["id"], row.cells[("id",)]
            if sid in seen:  # ids are NFC, as read_cell reads every text
                self.problem(where, f"id {sid!r} is given twice (also {seen[sid]})", "duplicate_id")
                continue
            seen[sid] = where
            subjects.append(row.data)
            rows.append(row)
        by_id = {row.data["id"]: row for row in rows}
        grouped: dict[tuple[str, str], list[_ListRow]] = {}
        for lr in self.lists:
            assert lr.sid is not None
            if lr.sid not in by_id:
                close = close_matches(lr.sid, list(by_id), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(lr.id_cell, f"no role sheet has a subject {lr.sid!r}{hint}", "cohort_format")
                continue
            grouped.setdefault((lr.sid, lr.iid), []).append(lr)
        for (sid, iid), listed in grouped.items():
            self.listed(by_id[sid], iid, listed)
        for row in rows:
            self.finish(row)
        problems = list(self.problems)
        try:
            cohort = cohort_from_dict({"format": 1, "scheme": self.scheme.id, "subjects": subjects}, source=self.file)
        except CohortError as e:
            problems += [self.placed(p, rows) for p in e.problems]
        if problems:
            raise CohortError(problems)
        return cohort

    def placed(self, problem: Problem, rows: Sequence[_Row]) -> Problem:
        """A problem of the cohort's JSON (``subjects[3].name``) at the cell its value came from."""
        path = problem.path
        if len(path) < 2 or path[0] != "subjects" or not isinstance(path[1], int):
            return Problem(path, problem.message, self.file, code=problem.code)
        row = rows[path[1]]
        rest = tuple(str(p) for p in path[2:])
        for end in range(len(rest), 0, -1):
            if rest[:end] in row.cells:
                return Problem((row.cells[rest[:end]],), problem.message, self.file, code=problem.code)
        return Problem((row.cells[("id",)],), problem.message, self.file, code=problem.code)
