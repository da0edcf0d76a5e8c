"""A result as a workbook for the township committee, or its outcomes as a CSV.

The committee works in Excel and reads Chinese, so the workbook is Chinese by default
(``lang="en"`` for English): its sheet names, headers and statuses come from the message
catalogue (:mod:`villageeval._catalogue.results`), every reason, trace step and warning is
rendered in the language asked for, and what the scheme writes (tier labels, role titles,
clauses, the texts of findings and consequences) is shown as the scheme writes it.

Sheets: the outcomes (结果, with an autofilter), quota usage per population (名额), what the
committee must confirm (提请研究: the result's warnings, then every flag of an outcome: a
veto or cap that held, a tie at a quota's cut settled by id), each subject's explanation
step by step (说明), the distribution of final grades per role with a native Excel bar
chart of it (统计), and the audit stamp (审计).

Numbers stay exact. A score is shown as the engine's ``score_display`` (and the rounded
score at the scheme's digits); such a cell is a number, so that a clerk can sort and sum,
only when the number the file holds is exactly that decimal — checked against what openpyxl
writes, which goes through a double — and text otherwise. The exact score sits beside it
as text (``87.44``, ``23453/275``), since a total is often not a finite decimal.

Every text comes from someone's file, so none may become something else in Excel: a text
cell is always written as a string, never as a formula (openpyxl makes ``"=..."`` one) or an
error value (``"#N/A"``), and one starting with ``= + - @`` carries Excel's quote prefix, so
that editing the cell keeps it text. In the CSV, where no cell type exists, such a text gets
a leading apostrophe (the usual defence against CSV injection). Control and
bidirectional characters are shown as escapes, as the command line shows them
(:func:`villageeval._table.printable`).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TextIO, Union

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .._catalogue import check_lang, render_reason, render_step, render_text, text
from .._catalogue.results import MESSAGES
from .._model import Grading, Scheme
from .._numbers import exact_text, fixed
from .._result import Adjustment, FindingOutcome, Outcome, Result
from .._table import display_width, printable

__all__ = ["write_result_csv", "write_result_workbook"]

#: A cell: text (one line), lines (one cell, a line each), an exact decimal or a count.
Value = Union[str, tuple[str, ...], Decimal, int]

#: What Excel (or a CSV reader) would take for the start of a formula.
_FORMULA_START = ("=", "+", "-", "@")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
#: Widths in Excel's units, about one per Latin character and two per Chinese one.
_MAX_WIDTH = 60
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)
#: Rows from one role's table of counts to the next, so that its chart (7 cm high) fits.
_BLOCK_ROWS = 18

_OUTCOME_HEADERS = (
    "subject",
    "name",
    "unit",
    "role",
    "status",
    "score",
    "exact_score",
    "rounded",
    "raw_grade",
    "final_grade",
    "adjustments",
    "consequences",
    "findings",
    "reasons",
    "flags",
)
_QUOTA_HEADERS = (
    "quota",
    "clause",
    "grade",
    "bound",
    "enforce",
    "group",
    "size",
    "limit",
    "holders_before",
    "holders_after",
    "moved",
    "ties",
    "quota_status",
    "quota_text",
)
_COMMITTEE_HEADERS = ("kind", "subject", "name", "details")
_EXPLANATION_HEADERS = ("subject", "name", "step_no", "step", "explanation", "rule", "clause")


def write_result_workbook(result: Result, scheme: Scheme, path: str | os.PathLike[str], *, lang: str = "zh") -> None:
    """Write ``result`` as a workbook (``.xlsx``) for the committee, in ``lang`` (Chinese by default).

    Args:
        result: what :func:`villageeval.evaluate` returned for a cohort under ``scheme``.
        scheme: the scheme evaluated: its role titles, scales (for the order of grades)
            and quota texts label the sheets.
        path: the file to write; it is replaced if it exists.
        lang: ``"zh"`` or ``"en"``.

    Raises:
        ValueError: ``lang`` is not a language of the catalogue.
    """
    language = check_lang(lang)
    book = Workbook()
    outcomes = book.active
    outcomes.title = text("results.sheet.outcomes", language)
    _fill(outcomes, _outcome_headers(scheme, language), _outcome_rows(result, scheme, language))
    outcomes.auto_filter.ref = outcomes.dimensions
    _fill(
        book.create_sheet(text("results.sheet.quotas", language)),
        _headers(_QUOTA_HEADERS, language),
        _quota_rows(result, scheme, language),
    )
    _fill(
        book.create_sheet(text("results.sheet.committee", language)),
        _headers(_COMMITTEE_HEADERS, language),
        _committee_rows(result, language),
    )
    _fill(
        book.create_sheet(text("results.sheet.explanation", language)),
        _headers(_EXPLANATION_HEADERS, language),
        _explanation_rows(result, language),
    )
    _distribution(book.create_sheet(text("results.sheet.distribution", language)), result, scheme, language)
    _fill(
        book.create_sheet(text("results.sheet.audit", language)),
        _headers(("field", "value"), language),
        _audit_rows(result, scheme, language),
    )
    book.save(os.fspath(path))


def write_result_csv(result: Result, scheme: Scheme, out: str | os.PathLike[str] | TextIO, *, lang: str = "zh") -> None:
    """Write the outcomes of ``result`` as CSV: the columns of the workbook's outcomes sheet.

    One header row, then one row per outcome in the result's order, ``\\r\\n`` line ends.
    The text is UTF-8 with a byte order mark, which is what makes Excel in a Chinese
    locale open it as UTF-8 instead of GBK; the BOM is written to a stream too, as its
    first character (open a stream with ``newline=""``, as the csv module asks). Scores
    are the engine's decimal text; a text that starts like a formula gets a leading
    apostrophe.

    Args:
        result: what :func:`villageeval.evaluate` returned for a cohort under ``scheme``.
        scheme: the scheme evaluated (its role titles).
        out: a file to write (replaced if it exists), or a text stream.
        lang: ``"zh"`` or ``"en"``.

    Raises:
        ValueError: ``lang`` is not a language of the catalogue.
    """
    language = check_lang(lang)
    rows = [_outcome_headers(scheme, language), *_outcome_rows(result, scheme, language)]
    if isinstance(out, (str, os.PathLike)):
        with open(out, "w", encoding="utf-8-sig", newline="") as stream:
            _write_csv(stream, rows)
    else:
        out.write("\ufeff")
        _write_csv(out, rows)


def _write_csv(stream: TextIO, rows: Iterable[Sequence[Value]]) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])


def _csv_text(value: Value) -> str:
    if isinstance(value, (Decimal, int)):
        return str(value)
    shown = _shown(value)
    return "'" + shown if shown.startswith(_FORMULA_START) else shown


def _shown(value: str | tuple[str, ...]) -> str:
    """The text of a cell: each line made printable, so that a line stays a line."""
    if isinstance(value, str):
        return printable(value)
    return "\n".join(printable(line) for line in value)


# --- what the sheets hold ---------------------------------------------------------------


def _headers(keys: Sequence[str], lang: str) -> list[Value]:
    return [text(f"results.header.{key}", lang) for key in keys]


#: Where the outcomes sheet puts a column per ranking of the scheme: after the final grade.
_RANK_AT = _OUTCOME_HEADERS.index("final_grade") + 1


def _outcome_headers(scheme: Scheme, lang: str) -> list[Value]:
    """The outcomes sheet's headers, with a 名次 column per ranking of the scheme (its wording)."""
    headers = _headers(_OUTCOME_HEADERS, lang)
    ranks = [text("results.header.rank", lang, text=r.text) for r in scheme.rankings.values()]
    return [*headers[:_RANK_AT], *ranks, *headers[_RANK_AT:]]


def _place(o: Outcome, ranking: str, lang: str) -> Value:
    """A place as a number, "4(并列)" when shared, nothing when the ranking did not place the subject."""
    placing = o.rank.get(ranking)
    if placing is None:
        return ""
    return text("results.rank.shared", lang, place=placing.place) if placing.tied_with else placing.place


def _grading(scheme: Scheme, role: str) -> Grading:
    """The grading of a role, the first that applies to it (as the engine's plan takes it).

    Validation gives every role a grading.
    """
    return next(g for g in scheme.gradings.values() if role in scheme.role_ids(g.roles))


def _number(shown: str) -> Decimal | str:
    """A decimal text as a number cell if the file will hold exactly that number, else the text.

    openpyxl writes a number as ``"%.16g"`` of its double: the cell is a number only when
    that gives back the same decimal (a score of a few digits always does).
    """
    if _DECIMAL.fullmatch(shown):
        value = Decimal(shown)
        if Decimal(safe_string(value)) == value:
            return value
    return shown


def _cite(what: str, clause: str | None, lang: str) -> str:
    return text("results.cite", lang, what=what, clause=clause) if clause else what


def _adjustment(a: Adjustment, lang: str) -> str:
    return text(
        "results.adjustment",
        lang,
        kind=text(f"results.adjustment.{a.kind}", lang),
        cited=_cite(a.rule, a.clause, lang),
        from_grade=a.from_grade,
        to_grade=a.to_grade,
    )


def _finding(f: FindingOutcome, lang: str) -> str:
    cited = _cite(f.text, f.clause, lang)
    return text("results.finding", lang, cited=cited, detail=f.detail) if f.detail else cited


def _flag(flag: str, lang: str) -> str:
    """A flag (``veto:<id>``, ``cap:<id>``, ``quota_tie:<id>``) in words; another as it is."""
    kind, _, rule = flag.partition(":")
    key = f"results.flag.{kind}"
    return text(key, lang, rule=rule) if key in MESSAGES else flag


def _outcome_rows(result: Result, scheme: Scheme, lang: str) -> Iterator[list[Value]]:
    """The outcomes' rows, in the result's order; a rounded score at its grading's digits."""
    digits: dict[str, int] = {}
    for role in scheme.roles:
        rounding = _grading(scheme, role).round
        if rounding is not None:
            digits[role] = rounding.digits
    for o in result.outcomes:
        rounded: Value = ""
        if o.rounded_score is not None and o.role in digits:
            rounded = _number(fixed(o.rounded_score, digits[o.role]))
        yield _outcome_row(o, scheme, rounded, lang)


def _outcome_row(o: Outcome, scheme: Scheme, rounded: Value, lang: str) -> list[Value]:
    row = _common_row(o, scheme, rounded, lang)
    return [*row[:_RANK_AT], *(_place(o, rid, lang) for rid in scheme.rankings), *row[_RANK_AT:]]


def _common_row(o: Outcome, scheme: Scheme, rounded: Value, lang: str) -> list[Value]:
    return [
        o.subject_id,
        o.name,
        o.unit,
        scheme.roles[o.role].label,
        text(f"results.status.{o.status}", lang),
        "" if o.score_display is None else _number(o.score_display),
        "" if o.score is None else exact_text(o.score),
        rounded,
        o.raw_grade or "",
        o.final_grade or "",
        tuple(_adjustment(a, lang) for a in o.adjustments),
        tuple(_cite(c.text, c.clause, lang) for c in o.consequences),
        tuple(_finding(f, lang) for f in o.findings),
        tuple(_cite(render_reason(r, lang), r.clause, lang) for r in o.reasons),
        tuple(_flag(f, lang) for f in o.flags),
    ]


def _quota_rows(result: Result, scheme: Scheme, lang: str) -> list[list[Value]]:
    return [
        [
            p.quota,
            p.clause,
            p.grade,
            text(f"results.bound.{p.bound}", lang),
            text(f"results.enforce.{p.enforce}", lang),
            p.group if p.group is not None else text("results.group.all", lang),
            p.size,
            p.limit,
            p.holders_before,
            p.holders_after,
            p.moved,
            p.ties,
            text(f"results.quota.{p.status}", lang),
            scheme.quotas[p.quota].text,
        ]
        for p in result.populations
    ]


def _committee_rows(result: Result, lang: str) -> list[list[Value]]:
    warning = text("results.kind.warning", lang)
    rows: list[list[Value]] = [[warning, "", "", render_text(w, lang)] for w in result.warnings]
    flag = text("results.kind.flag", lang)
    for o in result.outcomes:
        rows += [[flag, o.subject_id, o.name, _flag(f, lang)] for f in o.flags]
    return rows


def _step_kind(step: str, lang: str) -> str:
    key = f"results.step.{step}"
    return text(key, lang) if key in MESSAGES else step  # a plugin's own kind of step


def _explanation_rows(result: Result, lang: str) -> Iterator[list[Value]]:
    """One row per step of each outcome's trace (none for a result graded without traces)."""
    for o in result.outcomes:
        for i, t in enumerate(o.trace, 1):
            yield [
                o.subject_id,
                o.name,
                i,
                _step_kind(t.step, lang),
                render_step(t, lang),
                t.rule or "",
                t.clause or "",
            ]


def _audit_rows(result: Result, scheme: Scheme, lang: str) -> list[list[Value]]:
    source = " ".join(part for part in (scheme.source.document, scheme.source.title) if part)
    rows: list[list[Value]] = [
        [text(f"results.audit.{key}", lang), value]
        for key, value in (
            ("scheme_id", result.scheme_id),
            ("scheme_title", scheme.title),
            ("source", source),
            ("period", result.period),
            ("scheme_hash", result.scheme_hash),
            ("cohort_hash", result.cohort_hash),
            ("decision_id", result.decision_id),
            ("evaluated_at", result.evaluated_at),
            ("version", result.version),
        )
    ]
    for p in result.plugins:
        stamp = " ".join(part for part in (p.distribution, p.version, p.code_hash) if part)
        rows.append([text("results.audit.plugin", lang, name=p.name), stamp])
    return rows


# --- writing a sheet -----------------------------------------------------------------------


def _put(sheet: Worksheet, row: int, column: int, value: Value) -> int:
    """Write one cell; return the width its longest line takes (0 for an empty cell).

    A text is a string cell whatever it holds (see the module's docstring); a decimal a
    number shown with its own places.
    """
    if value == "" or value == ():
        return 0
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, (Decimal, int)):
        cell.value = value
        if isinstance(value, Decimal):
            places = -int(value.as_tuple().exponent)
            cell.number_format = "0." + "0" * places if places > 0 else "0"
        return len(str(value))
    shown = _shown(value)
    cell.value = shown
    cell.data_type = "s"
    if shown.startswith(_FORMULA_START):
        cell.quotePrefix = True
    if "\n" in shown:
        cell.alignment = _WRAP
    return max(display_width(line) for line in shown.split("\n"))


def _fill(sheet: Worksheet, headers: Sequence[Value], rows: Iterable[Sequence[Value]]) -> None:
    """Headers in bold and frozen, the rows under them, each column as wide as its text.

    A column wider than :data:`_MAX_WIDTH` is capped and its long cells wrap.
    """
    widths = [_put(sheet, 1, c, h) for c, h in enumerate(headers, 1)]
    for c in range(1, len(headers) + 1):
        sheet.cell(row=1, column=c).font = _BOLD
    long: list[tuple[int, int]] = []
    for r, row in enumerate(rows, 2):
        for c, value in enumerate(row, 1):
            width = _put(sheet, r, c, value)
            widths[c - 1] = max(widths[c - 1], width)
            if width > _MAX_WIDTH:
                long.append((r, c))
    for r, c in long:
        sheet.cell(row=r, column=c).alignment = _WRAP
    for c, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(c)].width = min(width, _MAX_WIDTH) + 2
    sheet.freeze_panes = "A2"


def _distribution(sheet: Worksheet, result: Result, scheme: Scheme, lang: str) -> None:
    """Per role (in the scheme's order, those with outcomes): a table of counts and its chart.

    Each table lists the final grades in the order of the role's scale, best first, then
    the subjects not graded, by status; the chart shows the grades.
    """
    counts: dict[str, dict[str, int]] = {}
    for o in result.outcomes:
        key = o.final_grade if o.status == "graded" and o.final_grade is not None else o.status
        per_role = counts.setdefault(o.role, {})
        per_role[key] = per_role.get(key, 0) + 1
    start = 1
    widths = [0, 0]
    for role, label in ((r, scheme.roles[r].label) for r in scheme.roles if r in counts):
        grades = scheme.scales[_grading(scheme, role).scale].labels
        statuses = ("insufficient_evidence", "ineligible", "referred")
        rows: list[tuple[Value, Value]] = [(label, text("results.header.count", lang))]
        rows += [(g, counts[role].get(g, 0)) for g in grades]
        rows += [(text(f"results.status.{s}", lang), counts[role].get(s, 0)) for s in statuses]
        for r, row in enumerate(rows, start):
            for c, value in enumerate(row, 1):
                widths[c - 1] = max(widths[c - 1], _put(sheet, r, c, value))
        sheet.cell(row=start, column=1).font = _BOLD
        sheet.cell(row=start, column=2).font = _BOLD
        sheet.add_chart(
            _chart(sheet, role_label=label, first=start + 1, last=start + len(grades), lang=lang), f"D{start}"
        )
        start += max(len(rows) + 2, _BLOCK_ROWS)
    for c, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(c)].width = min(width, _MAX_WIDTH) + 2


def _chart(sheet: Worksheet, *, role_label: str, first: int, last: int, lang: str) -> BarChart:
    """A column chart of the counts in B``first``:B``last``, by the grades beside them."""
    chart = BarChart()
    chart.type = "col"
    chart.title = printable(text("results.chart.title", lang, role=role_label))
    chart.y_axis.title = text("results.header.count", lang)
    chart.x_axis.title = text("results.header.final_grade", lang)
    chart.y_axis.scaling.min = 0
    # Excel since 2016 hides an axis that does not say it is kept (openpyxl 3.1 leaves it out).
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=2, min_row=first, max_row=last), titles_from_data=False)
    # Grade labels are text: a string reference (set_categories would make a numeric one).
    categories = Reference(sheet, min_col=1, min_row=first, max_row=last)
    chart.series[0].cat = AxDataSource(strRef=StrRef(f=str(categories)))
    # Each bar labelled with its count alone (a viewer may otherwise add the names).
    chart.dataLabels = DataLabelList(
        showVal=True, showCatName=False, showSerName=False, showLegendKey=False, showPercent=False
    )
    chart.height = 7
    chart.width = 14
    return chart
