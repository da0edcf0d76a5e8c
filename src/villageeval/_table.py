"""Plain-text tables that stay aligned with Chinese text, and cannot be forged.

A CJK character takes two terminal columns; ``str.ljust`` counts it as one,
which is why naive tables of 村“两委”班子 fall apart. Widths here follow
Unicode's East Asian Width property (W and F are two columns).

Every text printed comes from someone's file: an id, a name, a label. A newline in
one would start a row of its own, a carriage return would overwrite the row, and a
terminal escape (ESC ``[``...) could recolour, move the cursor or hide what follows.
So :func:`printable` shows each such character as its escape (``\\n``, ``\\x1b``,
``\\u202e``) before anything is printed; Chinese text, spaces (the full-width space
too) and other printable characters are kept as they are.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["display_width", "printable", "render_table"]

#: Categories shown as escapes: controls (newline, ESC, DEL, C1), format characters
#: (bidirectional overrides that reorder a line, zero-width ones, the BOM), line and
#: paragraph separators, and lone surrogates (which no terminal can print).
_ESCAPED = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))

#: The usual escapes, as Python writes them; any other is ``\xNN``, ``\uNNNN`` or ``\UNNNNNNNN``.
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every character that could forge output shown as its escape.

    A text that is all printable (the usual case) is returned as it is, checked at C
    speed; otherwise each control, format or separator character becomes ``\\n``,
    ``\\x1b``, ``\\u202e``..., and every other character (a full-width space, a private
    use character) is kept.
    """
    if text.isprintable():
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in _ESCAPED else ch for ch in text)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Rows under headers, columns separated by two spaces; ``right`` aligns numbers.

    Every cell is made :func:`printable` first, so a cell holds one line whatever it
    was given, and the widths are those of what is printed.
    """
    shown_headers = [printable(h) for h in headers]
    shown_rows = [[printable(cell) for cell in row] for row in rows]
    widths = [display_width(h) for h in shown_headers]
    for row in shown_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    lines = []
    for row in (shown_headers, ["-" * w for w in widths], *shown_rows):
        cells = [_pad(cell, widths[i], i in right) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
