"""Text as identity: one spelling per text, and no characters that forge what is printed.

Two ids that look identical must be one id: 乡 typed on one machine and pasted from a
PDF on another may differ in their Unicode composition (NFC against NFD), so every text
read from a cohort or a scheme is brought to NFC. And an id, a role or a label is
printed in tables a committee reads: a newline or a terminal escape in one would forge
a row, so such characters are refused where texts name things.
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["forbidden_character", "nfc"]

# Bidirectional overrides and isolates reorder what is shown around them.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def nfc(value: Any) -> Any:
    """``value`` with every text in it (keys of objects too) in Unicode NFC; other values as they are."""
    if isinstance(value, str):
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value


def forbidden_character(text: str) -> str | None:
    """The first control character (or bidirectional override) in ``text``, escaped, or None."""
    if text.isprintable():
        return None
    for c in text:
        if unicodedata.category(c) == "Cc" or c in _BIDI:
            return repr(c)[1:-1] if c.isascii() else f"\\u{ord(c):04x}"
    return None
