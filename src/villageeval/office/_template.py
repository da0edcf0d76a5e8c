"""The 汇总表 template: a workbook made from a scheme, for a township clerk to fill in.

A cover sheet (说明) with the scheme's title, its source document as the scheme records
it, the instructions, the sheets, and each instrument and fact with the clause it comes
from; then a sheet per role and a list sheet per item ballot or ledger, laid out by
:mod:`._layout`: two rows of headers (the instrument's title and clause merged over its
columns, then the tier, category or item), the hidden row of keys the reader goes by, and
a row per subject (per item or entry, in a list sheet).

What Excel can check, it checks as the clerk types: counts are whole numbers of 0 or more,
tiers, grades and groups come from drop-down lists of the scheme's labels, yes/no facts
from a 是/否 list, scores from the instrument's range. The headers stay in view (panes
frozen below them and right of the ID and name), and columns are as wide as their
Chinese headers (two units a character), up to a limit past which headers wrap.

A cohort given to :func:`write_template` is written into the rows: ids, roles, names,
units, groups, evidence, facts, history, linked grades and notes, as its JSON has them —
with one difference: a tier a tallies object leaves out is written 0, which is what the
cohort JSON means by it (the reader does not take an empty tier of a filled ballot for 0).
The items of an item ballot and the entries of a ledger are written into the
instrument's list sheet, a row each, in the order the cohort gives them (see
:mod:`._layout`); a ledger's dates are written as date cells (a date that is no ISO date
stays text, as it is), its ``verified`` as 是/否. Every text is written as text: one
starting with ``= + - @`` is never made a formula, and control characters are written as
their escapes.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .._catalogue import check_lang, show, text
from .._cohort import Cohort, cohort_to_dict
from .._kinds.ballot import Ballot
from .._kinds.item_ballot import ItemBallot
from .._kinds.ledger import Ledger, read_date
from .._kinds.rating import Rating
from .._kinds.score import DirectScore
from .._model import Scheme
from .._numbers import exact_text
from .._table import display_width, printable
from .._types import expect_cohort, expect_scheme
from ._layout import FIRST_ROW, KEY_ROW, Column, Field, SheetLayout, sheet_layouts, stratum_label

__all__ = ["BLANK_ROWS", "SPARE_ROWS", "write_template"]

#: Rows a role sheet offers at least (its role column filled in, its checks in place).
BLANK_ROWS = 100
#: Empty rows after the subjects of a cohort written into the sheet.
SPARE_ROWS = 20
#: Column widths, in Excel's units (about one a Latin character, two a Chinese one).
_MIN_WIDTH = 6
_MAX_WIDTH = 24
_LINE_HEIGHT = 15
_MAX_LINES = 8
#: Numbers an xlsx cell holds exactly (openpyxl writes a number through a double, at 16 digits).
_NUMBER_DIGITS = 15
_NUMBER_LIMIT = 10**15
_FORMULA_START = ("=", "+", "-", "@")
#: A number fact has no range the scheme states; the check only keeps text out.
_ANY_NUMBER = ("-1000000000000000", "1000000000000000")
#: Any date Excel has (1900-01-01 to 9999-12-31, as its serial numbers).
_ANY_DATE = ("1", "2958465")

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=16)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_template(
    scheme: Scheme, path: str | os.PathLike[str], *, lang: str = "zh", cohort: Cohort | None = None
) -> None:
    """Write the scheme's 汇总表 as an .xlsx workbook to fill in (see the module docstring).

    Args:
        scheme: the scheme whose evidence the workbook collects.
        path: the file to write.
        lang: ``"zh"`` (the default) or ``"en"``, for the workbook's own labels; what the
            scheme writes is shown as it writes it.
        cohort: subjects to write into the rows (a county's list of villages, or a whole
            cohort), optional.

    Raises:
        TypeError: ``scheme`` or ``cohort`` is not one.
        ValueError: ``lang`` is not one of the catalogue's languages, or a role needs an
            instrument of a kind a workbook cannot hold (a plugin's).
        OSError: the file cannot be written.
    """
    expect_scheme(scheme)
    if cohort is not None:
        expect_cohort(cohort)
    check_lang(lang)
    subjects: list[dict[str, Any]] = cohort_to_dict(cohort)["subjects"] if cohort is not None else []
    period = cohort.period if cohort is not None and cohort.period else scheme.period
    layouts = sheet_layouts(scheme, lang, subjects, period)
    book = Workbook()
    default = book.sheetnames[0]
    cover = book.create_sheet(text("sheets.cover.sheet", lang), 0)
    del book[default]
    _write_cover(cover, scheme, layouts, period, lang)
    for layout in layouts:
        if layout.listed:
            _write_list_sheet(book.create_sheet(layout.name), layout, subjects, lang)
        else:
            mine = [s for s in subjects if s.get("role") == layout.role]
            _write_role_sheet(book.create_sheet(layout.name), layout, mine, lang)
    book.save(os.fspath(path))


# --- cells --------------------------------------------------------------------------------------


def _exact_number(value: Any) -> bool:
    """Whether the file holds ``value`` as it is: nothing, a truth value, or a number of at most 15 digits."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < _NUMBER_LIMIT
    return isinstance(value, Decimal) and value.is_finite() and len(value.as_tuple().digits) <= _NUMBER_DIGITS


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write ``value`` exactly: a number as a number when the file holds it exactly, else text."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, datetime.date) or _exact_number(value):
        cell.value = value
    else:
        shown = printable(str(value))
        cell.value = shown
        cell.data_type = "s"  # never a formula or an error value, whatever it starts with
        if shown.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return cell


def _cell_value(subject: Mapping[str, Any], column: Column, layout: SheetLayout, lang: str) -> Any:
    """What a subject's cohort JSON gives for a column (None: the cell stays empty)."""
    field = column.field
    if field.kind == "role":
        return layout.role_text
    value: Any = subject
    for key in field.path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if field.slot is not None:
        n, part = field.slot
        pairs = list(value.items()) if isinstance(value, Mapping) else []
        return None if n > len(pairs) else pairs[n - 1][0 if part == "name" else 1]
    if value is None and field.path[2:3] == ("tallies",):
        given = subject.get("evidence", {}).get(field.path[1])
        tallies = given.get("tallies") if isinstance(given, Mapping) else None
        return 0 if isinstance(tallies, Mapping) else None  # a tier left out of tallies counts 0
    return _shown(field, value, lang)


def _shown(field: Field, value: Any, lang: str) -> Any:
    """A JSON value as its cell holds it: a yes/no as 是/否, an ISO date as a date."""
    if field.kind == "bool" and isinstance(value, bool):
        return text("sheets.value.yes" if value else "sheets.value.no", lang)
    if field.kind == "date" and isinstance(value, str):
        return read_date(value) or value
    return value


def _list_rows(layout: SheetLayout, subjects: Sequence[Mapping[str, Any]], lang: str) -> list[list[Any]]:
    """The cells of a list sheet's rows: each item or entry the subjects give, in their order
    (evidence of another shape is left out: the cohort JSON holds it, the sheet cannot)."""
    iid = layout.listed
    out: list[list[Any]] = []
    for subject in subjects:
        given = (subject.get("evidence") or {}).get(iid)
        if not isinstance(given, Mapping):
            continue
        if isinstance(given.get("votes"), Mapping):
            for item, entry in given["votes"].items():
                tallies = entry.get("tallies") if isinstance(entry, Mapping) else None
                record = {"item": item, "tallies": tallies if isinstance(tallies, Mapping) else {}}
                out.append(_list_row(layout, subject, record, lang))
        elif isinstance(given.get("entries"), Sequence) and not isinstance(given["entries"], str):
            for entry in given["entries"]:
                if isinstance(entry, Mapping):
                    out.append(_list_row(layout, subject, entry, lang))
    return out


def _list_row(layout: SheetLayout, subject: Mapping[str, Any], record: Mapping[str, Any], lang: str) -> list[Any]:
    cells: list[Any] = []
    for column in layout.columns:
        part = column.field.part
        if part is None:
            cells.append(subject.get("id"))
            continue
        value: Any = record
        for key in part:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None and part[0] == "tallies":
            value = 0  # a tier left out of tallies counts 0
        cells.append(_shown(column.field, value, lang))
    return cells


def _write_list_sheet(sheet: Worksheet, layout: SheetLayout, subjects: list[dict[str, Any]], lang: str) -> None:
    _write_sheet(sheet, layout, _list_rows(layout, subjects, lang), [None] * len(layout.columns), lang)


# --- a role's sheet -----------------------------------------------------------------------------


def _write_role_sheet(sheet: Worksheet, layout: SheetLayout, subjects: list[dict[str, Any]], lang: str) -> None:
    cells = [[_cell_value(s, column, layout, lang) for column in layout.columns] for s in subjects]
    blank = [layout.role_text if column.field.kind == "role" else None for column in layout.columns]
    _write_sheet(sheet, layout, cells, blank, lang)


def _write_sheet(sheet: Worksheet, layout: SheetLayout, cells: list[list[Any]], blank: list[Any], lang: str) -> None:
    """Headers, keys, ``cells`` row by row, then rows of ``blank`` up to the rows offered, and the checks."""
    columns = layout.columns
    rows = max(BLANK_ROWS, len(cells) + SPARE_ROWS)
    runs = _runs(columns)
    for start, end in runs:
        if end - start > 1:  # merged before it is styled: openpyxl re-styles a merge's cells, slowly
            sheet.merge_cells(start_row=KEY_ROW - 2, start_column=start + 1, end_row=KEY_ROW - 2, end_column=end)
        _header(_put(sheet, KEY_ROW - 2, start + 1, columns[start].heading))
    widths = [display_width(c.label) for c in columns]
    for i, column in enumerate(columns, start=1):
        _header(_put(sheet, KEY_ROW - 1, i, column.label))
        _put(sheet, KEY_ROW, i, column.key)
        sheet.column_dimensions[get_column_letter(i)].number_format = _number_format(column.field)
        for offset in range(rows):
            value = cells[offset][i - 1] if offset < len(cells) else blank[i - 1]
            if value is not None:
                cell = _put(sheet, FIRST_ROW + offset, i, value)
                cell.number_format = _number_format(column.field)
                widths[i - 1] = max(widths[i - 1], display_width(str(cell.value)))
    _widen(columns, runs, widths)
    _validate(sheet, columns, FIRST_ROW + rows - 1, lang)
    lines = 1
    for i, width in enumerate(widths, start=1):
        shown = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(i)].width = shown
        lines = max(lines, -(-display_width(columns[i - 1].label) // (shown - 1)))
    sheet.row_dimensions[KEY_ROW - 1].height = _LINE_HEIGHT * min(lines, _MAX_LINES)
    sheet.row_dimensions[KEY_ROW].hidden = True
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3).coordinate  # below the headers, right of ID and name


def _header(cell: Any) -> None:
    cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _HEADER_ALIGN, _BOX


def _number_format(field: Field) -> str:
    return {"count": "0", "score": "General", "number": "General", "date": "yyyy-mm-dd"}.get(field.kind, "@")


def _runs(columns: Sequence[Column]) -> list[tuple[int, int]]:
    """(first, past the last) of each run of one section's columns: the cells of the first header row."""
    runs: list[tuple[int, int]] = []
    for i, column in enumerate(columns):
        if runs and columns[runs[-1][0]].section == column.section:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _widen(columns: Sequence[Column], runs: Sequence[tuple[int, int]], widths: list[int]) -> None:
    """Widen each run's columns, evenly, until together they hold its heading."""
    for start, end in runs:
        span = end - start
        short = display_width(columns[start].heading) - sum(widths[start:end]) - 2 * (span - 1)
        for i in range(start, end):
            widths[i] += max(0, -(-short // span))


def _list_formula(choices: Sequence[str]) -> str | None:
    """A drop-down list of ``choices``, or None when Excel cannot hold it inline (a comma, 255 characters)."""
    formula = '"' + ",".join(choices) + '"'
    if not choices or any("," in c or '"' in c for c in choices) or len(formula) > 255:
        return None
    return formula


#: A data validation: type, operator, formula1, formula2 and its message.
_Rule = tuple[
    Literal["whole", "decimal", "list", "date"], Literal["between", "greaterThanOrEqual"] | None, str, str | None, str
]


def _rule(field: Field, lang: str) -> _Rule | None:
    """(type, operator, formula1, formula2, message) of a column's check, or None for free text."""
    if field.kind == "count":
        return ("whole", "greaterThanOrEqual", "0", None, text("sheets.check.count", lang))
    if field.kind == "bool":
        yes_no = (text("sheets.value.yes", lang), text("sheets.value.no", lang))
        return ("list", None, f'"{",".join(yes_no)}"', None, text("sheets.check.choice", lang))
    if field.kind == "number":
        return ("decimal", "between", *_ANY_NUMBER, text("sheets.check.number", lang))
    if field.kind == "date":
        return ("date", "between", *_ANY_DATE, text("sheets.check.date", lang))
    if field.kind == "score" and field.low is not None and field.high is not None:
        low, high = exact_text(field.low), exact_text(field.high)
        return ("decimal", "between", low, high, text("sheets.check.range", lang, low=low, high=high))
    if field.kind == "score" and field.low is not None:
        low = exact_text(field.low)
        return ("decimal", "greaterThanOrEqual", low, None, text("sheets.check.at_least", lang, low=low))
    formula = _list_formula(field.choices)
    if formula is None:
        return None
    return ("list", None, formula, None, text("sheets.check.choice", lang))


def _validate(sheet: Worksheet, columns: Sequence[Column], last: int, lang: str) -> None:
    """The data validations of the sheet's rows: one per distinct check, over every column it applies to."""
    checks: dict[_Rule, DataValidation] = {}
    for i, column in enumerate(columns, start=1):
        rule = _rule(column.field, lang)
        if rule is None:
            continue
        if rule not in checks:
            kind, operator, formula1, formula2, message = rule
            checks[rule] = DataValidation(
                type=kind,
                operator=operator,
                formula1=formula1,
                formula2=formula2,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=text("sheets.check.title", lang),
                error=message,
                showInputMessage=True,
                prompt=message,
            )
            sheet.add_data_validation(checks[rule])
        letter = get_column_letter(i)
        checks[rule].add(f"{letter}{FIRST_ROW}:{letter}{last}")


# --- the cover ------------------------------------------------------------------------------------


def _kind_label(scheme: Scheme, iid: str, layouts: Sequence[SheetLayout], lang: str) -> str:
    config = scheme.instruments[iid]
    lists = [layout.name for layout in layouts if layout.listed == iid]
    if isinstance(config, ItemBallot):
        return text("sheets.kind.item_ballot", lang, sheet=lists[0] if lists else iid)
    if isinstance(config, Ledger):
        return text("sheets.kind.ledger", lang, sheet=lists[0] if lists else iid)
    if isinstance(config, Ballot):
        return text("sheets.kind.ballot", lang)
    if isinstance(config, Rating):
        return text("sheets.kind.rating", lang)
    if isinstance(config, DirectScore):
        return text("sheets.kind.score", lang, low=config.min, high=config.max)
    return text("sheets.kind.points", lang)  # the layouts hold no other kind


#: A row of the cover, and how it is shown: a heading, a row whose first cell is a label, or plain.
_CoverRow = tuple[tuple[Any, ...], Literal["heading", "label", "plain"]]


def _cover_rows(scheme: Scheme, layouts: Sequence[SheetLayout], period: str, lang: str) -> list[_CoverRow]:
    """The scheme, its source, the instructions, the sheets, and each instrument and fact with its clause."""
    locality = scheme.locality.name + (f" ({scheme.locality.code})" if scheme.locality.code else "")
    source = scheme.source
    about = (
        ("sheets.cover.scheme", scheme.id),
        ("sheets.cover.period", period),
        ("sheets.cover.locality", locality),
        ("sheets.cover.document", source.document),
        ("sheets.cover.title", source.title),
        ("sheets.cover.issuer", source.issuer),
        ("sheets.cover.date", source.date),
        ("sheets.cover.section", source.section),
    )
    rows: list[_CoverRow] = [((text(key, lang), value), "label") for key, value in about if value]
    steps = [text(f"sheets.cover.step.{step}", lang) for step in ("sheets", "id", "counts", "choices")]
    strata = [stratum_label(c, lang) for c in scheme.instruments.values() if isinstance(c, Ballot) and c.per_stratum]
    if strata:
        steps.append(text("sheets.cover.step.strata", lang, strata=list(dict.fromkeys(strata))))
    lists = [layout.name for layout in layouts if layout.listed]
    if lists:
        steps.append(text("sheets.cover.step.lists", lang, lists=lists))
    steps += [text("sheets.cover.step.keys", lang), text("sheets.cover.step.csv", lang)]
    rows += [((), "plain"), ((text("sheets.cover.how", lang),), "heading")]
    rows += [((f"{n}.", step), "plain") for n, step in enumerate(steps, start=1)]
    rows += [((), "plain"), ((text("sheets.cover.sheets", lang),), "heading")]
    rows += [
        ((layout.name, scheme.instruments[layout.listed].title or layout.listed), "label")
        if layout.listed
        else ((layout.name, scheme.roles[layout.role].label), "label")
        for layout in layouts
    ]
    rows += [((), "plain"), ((text("sheets.cover.instruments", lang),), "heading")]
    names = ("instrument", "clause", "kind", "roles")
    rows.append((tuple(text(f"sheets.cover.column.{k}", lang) for k in names), "heading"))
    for iid, config in scheme.instruments.items():
        roles = [
            scheme.roles[s.role].label
            for s in layouts
            if not s.listed and any(c.section == f"evidence.{iid}" for c in s.columns)
        ]
        if roles:
            rows.append(((config.title or iid, config.clause, _kind_label(scheme, iid, layouts, lang), roles), "plain"))
    read = {c.key for s in layouts for c in s.columns if c.field.path[0] == "facts"}
    if read:
        rows += [((), "plain"), ((text("sheets.cover.facts", lang),), "heading")]
        rows.append((tuple(text(f"sheets.cover.column.{k}", lang) for k in ("fact", "clause", "source")), "heading"))
        rows += [((f.label or n, f.clause, f.source), "plain") for n, f in scheme.facts.items() if f"facts.{n}" in read]
    return rows


def _write_cover(sheet: Worksheet, scheme: Scheme, layouts: Sequence[SheetLayout], period: str, lang: str) -> None:
    """The cover sheet: the scheme's title, then :func:`_cover_rows`, lists joined as the language joins them."""
    language = check_lang(lang)
    _put(sheet, 1, 1, scheme.title).font = _TITLE
    for r, (cells, style) in enumerate(_cover_rows(scheme, layouts, period, lang), start=3):
        for c, value in enumerate(cells, start=1):
            cell = _put(sheet, r, c, show(value, language) if isinstance(value, list) else value)
            cell.alignment = _WRAP
            if style == "heading" or (style == "label" and c == 1):
                cell.font = _BOLD
    for letter, width in zip("ABCD", (22, 70, 24, 36), strict=True):
        sheet.column_dimensions[letter].width = width
