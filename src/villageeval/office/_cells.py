"""One cell, read exactly: what a clerk typed, never a binary float.

A workbook holds every number as a double, so 84.5 arrives from openpyxl as the float
84.5 and a formula's ``=0.1+0.2`` as 0.30000000000000004. Excel shows at most 15
significant digits, and a number typed into a cell always comes back from its double at
15 digits or fewer, so a float is read as the shortest decimal of at most 15
significant digits that gives the same double (84.5, 0.1, 86.25). A float that no such
decimal gives is the tail of a computation: if rounding it to 15 significant digits
leaves at most 12 (three trailing zeros, as 0.300000000000000 for 0.1+0.2), it is the
decimal the cell shows, read so (0.3); otherwise (a formula's 1/3, 0.333333333333333)
it is not a decimal anyone typed and is :class:`Inexact`: the reader makes it a
problem naming the cell, never a guess. The number format is not consulted: a cell
formatted ``0.00`` shows 1/3 as 0.33, but holds a third.

Text holds numbers too (a CSV is nothing but text, and Excel keeps a number typed into a
text-formatted cell as text): :func:`number_in_text` reads ``12``, ``-3``, ``84.5`` and
their full-width forms (``８４.５``, brought to ASCII by NFKC), and nothing else:
no thousands separators, no exponents (Excel shows 1.23E+15 for a number whose digits
it no longer shows), no fractions, which the engine reads itself where it takes them.

A date or time cell is :class:`Dated`: Excel turns ``3-5`` typed into a cell into the 5th
of March, and the reader says so, naming the cell.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal
from typing import Union

from attrs import frozen

from .._text import nfc

__all__ = ["Cell", "Dated", "Inexact", "cell_name", "exact_float", "number_in_text", "read_cell", "sheet_cell"]

#: Significant digits Excel shows and keeps of a typed number.
SHOWN_DIGITS = 15
#: A float rounded to :data:`SHOWN_DIGITS` digits that leaves at most this many is the
#: decimal it shows, with the noise of a computation beyond them.
SHORT_DIGITS = 12
#: The longest text read as a number: more is no figure of an assessment.
_LONGEST_NUMBER = 30
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@frozen
class Inexact:
    """A float cell that is no decimal of at most 15 significant digits (a formula's 1/3)."""

    value: float

    def __str__(self) -> str:
        return repr(self.value)


@frozen
class Dated:
    """A date, a time or a duration cell (in ISO form): Excel's reading of what was typed."""

    text: str


#: What a cell holds, read exactly: nothing, text (NFC, stripped), a truth value, an
#: exact number, or what cannot be read as one of them.
Cell = Union[None, str, bool, int, Decimal, Inexact, Dated]


def exact_float(value: float) -> int | Decimal | None:
    """The decimal a float cell holds (module docstring), an int when it is whole, or None."""
    if not math.isfinite(value):
        return None
    for digits in range(1, SHOWN_DIGITS + 1):
        text = f"{value:.{digits}g}"
        if float(text) == value:
            return _exact(Decimal(text))
    shown = Decimal(f"{value:.{SHOWN_DIGITS}g}").normalize()
    if len(shown.as_tuple().digits) <= SHORT_DIGITS:
        return _exact(shown)
    return None


def _exact(value: Decimal) -> int | Decimal:
    """An int for a whole decimal (``2E+1`` → 20, ``12.0`` → 12), else the decimal as it is."""
    return int(value) if value == value.to_integral_value() else value


def number_in_text(text: str) -> int | Decimal | None:
    """The number a text cell holds (``"12"``, ``"８４.５"``), or None when it holds none."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if len(plain) > _LONGEST_NUMBER or not _NUMBER.fullmatch(plain):
        return None
    if "." not in plain:
        return int(plain)
    return _exact(Decimal(plain))


def read_cell(raw: object) -> Cell:
    """What a cell holds, from openpyxl's value or a CSV's text."""
    if raw is None or isinstance(raw, (bool, int)):
        return raw
    if isinstance(raw, float):
        exact = exact_float(raw)
        return Inexact(raw) if exact is None else exact
    if isinstance(raw, datetime.datetime) and raw.time() == datetime.time():
        return Dated(raw.date().isoformat())
    if isinstance(raw, (datetime.date, datetime.time)):
        return Dated(raw.isoformat())
    if isinstance(raw, datetime.timedelta):
        return Dated(str(raw))
    text = nfc(str(raw)).strip()
    return text or None


def cell_name(row: int, column: int) -> str:
    """``D7`` for row 7, column 4 (both from 1)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def sheet_cell(sheet: str, cell: str) -> str:
    """A cell as Excel names it in a formula: ``班子!D7``, ``'村“两委”班子'!D7``."""
    plain = sheet and not sheet[0].isdigit() and all(c.isalnum() or c == "_" for c in sheet)
    return f"{sheet}!{cell}" if plain else "'" + sheet.replace("'", "''") + f"'!{cell}"
