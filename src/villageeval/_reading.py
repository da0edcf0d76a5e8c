"""Reading input files: bytes → text → JSON, within the limits villageeval sets.

Schemes, cohorts and case files are read from their bytes here, so that every way a
file can fail to be UTF-8 text — saved as UTF-16 by an editor, as GBK by an office
suite on a Chinese system (its default), a stray byte, a binary file picked by
mistake — becomes one sentence naming the byte offset and the line, never a
``UnicodeDecodeError``. The caller turns :class:`NotText` into its own error
(``SchemeError``, ``CohortError``, the case runner's), since only it knows what the
file was meant to be.

Numbers are bounded here too (:func:`number_too_large`): an exact reading of
``1e999999999`` is a billion-digit integer, which would hang ``check`` and
``evaluate`` for hours, and no scheme or cohort needs a number anywhere near the
bounds. JSON is read by :func:`load_json`, which also refuses duplicate keys (a
JSON reader silently keeps the last value) and nesting deeper than the reader can
take, each with its line; the scans that find those lines run only when something
is wrong, so a valid cohort costs one ``json.loads`` (with a hook on each object that
compares two lengths). A scheme, small, is also held to :data:`MAX_NESTING` after it
is parsed (:func:`too_deep`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_FRACTION_DIGITS",
    "MAX_NESTING",
    "Found",
    "NotJson",
    "NotText",
    "NumberTooLong",
    "decode_text",
    "int_text",
    "json_too_deep",
    "load_json",
    "number_too_large",
    "read_text",
    "toml_decimal",
    "toml_deep_line",
    "toml_long_integer",
    "too_deep",
]

# --- limits ---------------------------------------------------------------------------

#: At most this many digits in a number as written (``84.5`` has 3). Scores are near
#: 100 and tallies near a thousand; 1000 digits is far beyond any real figure, and
#: keeps every exact value printable (Python refuses to print integers of more than
#: 4300 digits).
MAX_DIGITS = 1000

#: The power of ten of a number's first digit (``1.5e7`` → 7, ``0.004`` → -3) must lie
#: within ± this. ``1e999999999`` is refused here, before it becomes an integer.
MAX_EXPONENT = 1000

#: A fraction (``"1690/19"``, or a ``Fraction`` from Python) may have this many digits
#: in its numerator and in its denominator: enough for any decimal within the two
#: bounds above written as a fraction (``1.5e-1000`` is ``3/2·10^1000``).
MAX_FRACTION_DIGITS = 2 * MAX_DIGITS

_INT_LIMIT = 10**MAX_DIGITS  # an integer below this has at most MAX_DIGITS digits
_PART_LIMIT = 10**MAX_FRACTION_DIGITS

#: Tables and arrays nested in each other: a scheme nests at most this deep (the bundled
#: ones 8), so that no walk of its data, recursive as most are, can run out of stack. JSON
#: is not walked for it (a cohort is read at one ``json.loads`` per file): nesting the
#: JSON reader gives up on (near the interpreter's recursion limit) is reported at the
#: line where it passes this depth.
MAX_NESTING = 100


def _shown(text: str) -> str:
    """A number as it is quoted in a message: whole if short, else its head and length."""
    if len(text) <= 40:
        return text
    return f"{text[:20]}…({len(text)} characters)"


def _too_large(shown: str, why: str) -> str:
    return (
        f"number too large to read exactly: {shown} ({why}); a number may have at most {MAX_DIGITS} digits "
        f"and lie within 10^±{MAX_EXPONENT}"
    )


def number_too_large(value: object) -> str | None:
    """Why ``value`` is beyond the bounds (the message), or None when it is within them.

    Checks ints, Decimals, Fractions and the strings an exact number may be written as
    (``"86.5"``, ``"1690/19"``, ``"1e5"``) without building the number first: a string
    that is not a number at all is None here, for the caller to refuse in its words.
    Zero is within bounds whatever its exponent (``0e-99999`` is exactly 0).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -_INT_LIMIT < value < _INT_LIMIT:
            return None
        return _too_large(int_text(value), f"more than {MAX_DIGITS} digits")
    if isinstance(value, Decimal):
        return _decimal_too_large(value)
    if isinstance(value, Fraction):
        if -_PART_LIMIT < value.numerator < _PART_LIMIT and value.denominator < _PART_LIMIT:
            return None
        return _too_large("a fraction", f"its numerator or denominator has more than {MAX_FRACTION_DIGITS} digits")
    if isinstance(value, str):
        return _text_too_large(value.strip())
    return None


def int_text(value: int) -> str:
    """An integer as quoted in a message: whole if short, else its head and length, and
    never by printing one of more than 4300 digits, which Python refuses to do (a
    ``ValueError`` in the middle of reporting another problem)."""
    size = abs(value).bit_length()
    if size > 14_000:  # 2^14000 has 4215 digits
        return f"an integer of about {int(size * 0.30103)} digits"
    return _shown(str(value))


def _decimal_too_large(value: Decimal, written: str | None = None) -> str | None:
    """The bounds for a Decimal; ``written`` is how it was written, to quote it so."""
    if not value.is_finite() or value.is_zero():
        return None  # NaN and infinities are refused by the caller as not finite
    digits = len(value.as_tuple().digits)
    exponent = value.adjusted()
    if digits <= MAX_DIGITS and -MAX_EXPONENT <= exponent <= MAX_EXPONENT:
        return None
    shown = _shown(str(value) if written is None else written)
    if digits > MAX_DIGITS:
        return _too_large(shown, f"{digits} digits")
    return _too_large(shown, f"the power of ten of its first digit is {exponent}")


def _text_too_large(text: str) -> str | None:
    """The bounds for a number written as a string: a fraction ``n/d`` or a decimal."""
    if "/" in text:
        for name, part in zip(("numerator", "denominator"), text.split("/", 1), strict=False):
            digits = len(part.strip().lstrip("+-").replace("_", ""))
            if digits > MAX_FRACTION_DIGITS:
                return _too_large(_shown(text), f"{digits} digits in its {name}, more than {MAX_FRACTION_DIGITS}")
        return None
    try:
        return _decimal_too_large(Decimal(text), text)
    except InvalidOperation:
        return _exponent_too_large(text)


_WITH_EXPONENT = re.compile(r"[+-]?(?:\d[\d_]*)?(?:\.[\d_]*)?[eE]([+-]?[\d_]+)")


def _exponent_too_large(text: str) -> str | None:
    """A decimal whose exponent is too long for even a Decimal (more than 18 digits), or
    None for text that is not a number at all."""
    found = _WITH_EXPONENT.fullmatch(text.strip())
    if found is None:
        return None
    digits = len(found.group(1).lstrip("+-").replace("_", ""))
    return _too_large(_shown(text.strip()), f"its exponent has {digits} digits")


class NumberTooLong(ValueError):
    """Raised by :func:`toml_decimal` for a float whose exponent not even a Decimal holds."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token
        self.message = _exponent_too_large(token) or _too_large(_shown(token), "it cannot be read")


def toml_decimal(token: str) -> Decimal:
    """tomli's ``parse_float``: the exact Decimal, or :class:`NumberTooLong` where
    ``Decimal()`` itself gives up (``1e`` and a 5000-digit exponent). Any other number,
    however large, is bounded where it is used, which knows its key."""
    try:
        return Decimal(token)
    except InvalidOperation:
        raise NumberTooLong(token) from None


# --- bytes → text ---------------------------------------------------------------------


class NotText(Exception):
    """A file is not UTF-8 text; ``message`` says what it is, at ``offset`` (``line``)."""

    def __init__(self, message: str, offset: int, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.line = line


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)
_WIDE = (
    ("utf-32-le", "UTF-32 (little-endian)", 4),
    ("utf-32-be", "UTF-32 (big-endian)", 4),
    ("utf-16-le", "UTF-16 (little-endian)", 2),
    ("utf-16-be", "UTF-16 (big-endian)", 2),
)
_SAMPLE = 4096  # bytes looked at to tell what a file is
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SAVE = "save it as UTF-8"


def read_text(path: str | Path) -> str:
    """The text of a file in UTF-8, with or without a byte order mark.

    Raises:
        NotText: the file is something else (UTF-16, GBK, binary, a stray byte).
        OSError: the file cannot be read, as :meth:`pathlib.Path.read_bytes` raises it.
    """
    return decode_text(Path(path).read_bytes())


def decode_text(data: bytes) -> str:
    """``data`` as UTF-8 text (a leading byte order mark dropped), or :class:`NotText`.

    A NUL byte is never in a scheme, a cohort or a case, but it is valid UTF-8: UTF-16
    text of plain ASCII decodes "successfully" as UTF-8 with a NUL after every letter.
    So NUL bytes are looked for first, at C speed.
    """
    if b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise _diagnose(data, e) from None
    raise _diagnose(data, None)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _diagnose(data: bytes, error: UnicodeDecodeError | None) -> NotText:
    """What a file that is not UTF-8 text is, in the order that tells them apart."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            message = f"the file is {name} text (byte order mark {bom.hex(' ').upper()} at byte offset 0), not UTF-8"
            return NotText(f"{message}; {_SAVE}", 0, 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        return _with_nul(data, nul)
    assert error is not None  # no NUL byte: the UTF-8 decoder failed
    offset = error.start
    line = _line_at(data, offset)
    byte = f"byte 0x{data[offset]:02X} at byte offset {offset}"
    # A file cut short in a UTF-8 character ends in a lead byte and its continuations, which
    # can read as one GBK character too: that is a truncated UTF-8 file.
    gbk = _gbk(data, offset) if error.reason != "unexpected end of data" else None
    if gbk is not None:
        name, sample = gbk
        return NotText(
            f"the file is {name} text, not UTF-8 ({byte} is not UTF-8; the file reads as {name}: {sample!r}); "
            f"Chinese offices save {name} by default: {_SAVE}",
            offset,
            line,
        )
    if _looks_binary(data):
        return NotText(f"the file is binary, not text ({byte} is not UTF-8, nor are many after it)", offset, line)
    return NotText(f"{byte} is not UTF-8 ({error.reason}): the file must be UTF-8 text; {_SAVE}", offset, line)


def _with_nul(data: bytes, nul: int) -> NotText:
    """A file holding NUL bytes: UTF-16 or UTF-32 without a byte order mark, or binary."""
    wide = _wide_encoding(data)
    if wide is not None:
        codec, name, unit = wide
        # Lines counted in the file's own encoding: the NUL after a UTF-16 newline is on its line.
        line = data[: nul - nul % unit].decode(codec, errors="replace").count("\n") + 1
        return NotText(
            f"the file is {name} text without a byte order mark (NUL bytes between its characters, the first at "
            f"byte offset {nul}), not UTF-8; {_SAVE}",
            nul,
            line,
        )
    try:
        data[:nul].decode("utf-8")
    except UnicodeDecodeError as e:  # a byte before the NUL is not UTF-8 either: name the first
        message = f"the file is binary, not text (byte 0x{data[e.start]:02X} at byte offset {e.start} is not UTF-8)"
        return NotText(message, e.start, _line_at(data, e.start))
    return NotText(f"the file is binary, not text (a NUL byte at byte offset {nul})", nul, _line_at(data, nul))


def _wide_encoding(data: bytes) -> tuple[str, str, int] | None:
    """``(codec, name, bytes per unit)`` of the UTF-32 or UTF-16 byte order in which the
    sample reads as plausible text, if any."""
    sample = data[:_SAMPLE]
    for codec, name, unit in _WIDE:
        text = sample[: len(sample) // unit * unit].decode(codec, errors="replace")
        if text and _plausible(text):
            return codec, name, unit
    return None


def _plausible(text: str) -> bool:
    """Whether decoded text looks like a TOML or JSON file: no controls, a good share of
    ASCII (keys, brackets, quotes), at most one undecodable unit (a pair cut at the end)."""
    if _CONTROLS.search(text) or text.count("\ufffd") > 1:
        return False
    ascii_chars = sum(1 for c in text if " " <= c <= "~" or c in "\t\r\n")
    return ascii_chars * 4 >= len(text)


def _gbk(data: bytes, offset: int) -> tuple[str, str] | None:
    """``(codec name, a sample of its Chinese)`` when the file is GBK or GB18030 text.

    UTF-8 Chinese with one bad byte often decodes as GBK too (as mojibake), so a file
    whose valid UTF-8 start already holds Chinese characters is UTF-8 with a stray byte.
    """
    if _CJK.search(data[:offset].decode("utf-8")):
        return None
    for codec, name in (("gbk", "GBK"), ("gb18030", "GB18030")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        found = _CJK.search(text)
        if found is not None and not _CONTROLS.search(text):
            return name, found.group()[:12]
    return None


def _looks_binary(data: bytes) -> bool:
    """Many undecodable bytes or controls in the sample: not text with a stray byte."""
    text = data[:_SAMPLE].decode("utf-8", errors="replace")
    bad = text.count("\ufffd") + len(_CONTROLS.findall(text))
    return bad >= 4 and bad * 10 >= len(text)


# --- JSON -----------------------------------------------------------------------------


class Found(NamedTuple):
    """One problem found in a JSON text: the key path, the 1-based line, the message,
    and its :class:`~villageeval.Problem` code."""

    path: tuple[str | int, ...]
    line: int | None
    message: str
    code: str = "invalid_value"


class NotJson(Exception):
    """A JSON text villageeval does not read; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Found]) -> None:
        super().__init__(problems)
        self.problems = problems


#: At most this many problems are listed from one text; the rest are counted.
_MAX_LISTED = 100


def load_json(text: str) -> Any:
    """Parse JSON with exact numbers (``parse_float=Decimal``), refusing what would be
    read wrong or not at all: duplicate keys, ``NaN`` and ``Infinity``, numbers beyond
    the bounds, nesting deeper than the reader can take.

    The checks that run on every object and number are one comparison each; only when
    one of them trips is the text scanned again to find the lines.

    Raises:
        NotJson: with the line of each problem (every one found, up to a hundred).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    tripped: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(items)
        if len(d) != len(items):
            tripped.append(True)
        return d

    def decimal(token: str) -> Decimal:
        try:
            d = Decimal(token)
        except InvalidOperation:  # an exponent too long for even a Decimal
            tripped.append(True)
            return Decimal(0)
        if (len(token) > MAX_DIGITS or not -MAX_EXPONENT <= d.adjusted() <= MAX_EXPONENT) and number_too_large(d):
            tripped.append(True)
        return d

    def constant(token: str) -> None:
        tripped.append(True)

    try:
        data = json.loads(text, parse_float=decimal, parse_constant=constant, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        message = f"not valid JSON: {e.msg} (column {e.colno})"
        raise NotJson([Found((), e.lineno, message, code="json_syntax")]) from None
    except RecursionError:
        raise NotJson([json_too_deep(text)]) from None
    except ValueError as e:  # an integer past Python's digit limit: int() refused it
        unread = Found((), None, f"a number cannot be read: {e}", code="too_large")
        raise NotJson(_json_problems(text) or [unread]) from None
    if tripped:
        problems = _json_problems(text)
        if problems:
            raise NotJson(problems)
    return data


# Strings (skipped whole, so brackets inside them do not count), structural
# characters, and anything number-like or a bare constant.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\[\s\S])*"|[{}\[\],]|-?Infinity|NaN|-?\d[\d.eE+-]*')


class _Frame:
    """One open object or array while scanning: its keys so far, or its index."""

    __slots__ = ("expect_key", "index", "key", "keys", "repeats")

    def __init__(self, is_object: bool) -> None:
        self.keys: dict[str, int] | None = {} if is_object else None
        self.key: str | int = 0
        self.index = 0
        self.expect_key = is_object
        self.repeats: list[tuple[str, int, int]] = []  # key, its offset, offset of the first

    def part(self) -> str | int:
        return self.key if self.keys is not None else self.index


class _Lines:
    """Line numbers of offsets, counted once however many are asked for."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines: list[int] | None = None

    def __call__(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect_right(self._newlines, offset - 1) + 1


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    for m in _JSON_TOKEN.finditer(text):
        yield m.start(), m.group()


def _json_problems(text: str) -> list[Found]:
    """Every duplicate key, non-finite constant and out-of-bounds number, in text order.

    A duplicate is reported when its object closes (the order the JSON reader meets
    them), at the line of the second key, naming the line of the first.
    """
    lines = _Lines(text)
    found: list[tuple[int, Found]] = []
    stack: list[_Frame] = []
    for pos, token in _tokens(text):
        head = token[0]
        frame = stack[-1] if stack else None
        if head == '"':
            if frame is not None and frame.keys is not None and frame.expect_key:
                key = json.loads(token)
                frame.key, frame.expect_key = key, False
                if key in frame.keys:
                    frame.repeats.append((key, pos, frame.keys[key]))
                else:
                    frame.keys[key] = pos
        elif head in "{[":
            stack.append(_Frame(head == "{"))
        elif head in "}]":
            if frame is None:
                break
            stack.pop()
            for key, at, first in frame.repeats:
                path = (*_path(stack), key)
                message = (
                    f"duplicate key {key!r} (first on line {lines(first)}): a key may appear once in an object "
                    "(a JSON reader keeps only the last value, silently)"
                )
                found.append((at, Found(path, lines(at), message, code="duplicate_key")))
        elif head == ",":
            if frame is not None:
                if frame.keys is not None:
                    frame.expect_key = True
                else:
                    frame.index += 1
        else:
            problem = _json_number_problem(token)
            if problem is not None:
                found.append((pos, Found(_path(stack), lines(pos), problem, code="too_large")))
    found.sort(key=lambda item: item[0])
    problems = [f for _, f in found[:_MAX_LISTED]]
    if len(found) > _MAX_LISTED:
        more = f"and {len(found) - _MAX_LISTED} more problems of these kinds"
        problems.append(Found((), None, more, code=found[_MAX_LISTED][1].code))
    return problems


def _path(stack: list[_Frame]) -> tuple[str | int, ...]:
    return tuple(f.part() for f in stack)


def _json_number_problem(token: str) -> str | None:
    """Why a number token (or a bare ``NaN``/``Infinity``) is not read, or None."""
    if token in ("NaN", "Infinity", "-Infinity"):
        return f"{token} is not a number villageeval reads (scores and counts are exact): write a finite number"
    if not any(c in token for c in ".eE"):
        digits = len(token.lstrip("-"))
        if digits > MAX_DIGITS:
            return _too_large(_shown(token), f"{digits} digits")
        return None
    try:
        return _decimal_too_large(Decimal(token), token)
    except InvalidOperation:
        return _exponent_too_large(token)


def json_too_deep(text: str) -> Found:
    """Where the nesting of a JSON text passes ``MAX_NESTING`` levels, for nesting that the
    reader gave up on (near the interpreter's recursion limit, about 1000 levels) or that
    a later walk of the data could not follow (hundreds of levels)."""
    depth = 0
    for pos, token in _tokens(text):
        if token in ("{", "["):
            depth += 1
            if depth > MAX_NESTING:
                message = (
                    f"objects and arrays are nested too deeply to read (the nesting passes {MAX_NESTING} levels "
                    "on this line; a cohort needs fewer than 10)"
                )
                return Found((), _Lines(text)(pos), message, code="too_deep")
        elif token in ("}", "]"):
            depth -= 1
    return Found((), None, "objects and arrays are nested too deeply to read", code="too_deep")


def too_deep(data: Any, limit: int = MAX_NESTING) -> tuple[str | int, ...] | None:
    """The key path at which parsed data nests more than ``limit`` tables and arrays deep,
    or None. Walked without recursion, so any depth the parser built is safe to look at."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= limit:
            return path
        if isinstance(node, dict):
            stack.extend((v, (*path, k)) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))
    return None


# --- TOML: where tomli gave up --------------------------------------------------------

# Strings of the four kinds and comments (skipped whole), brackets, and runs of digits.
_TOML_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}'
    r"|'''[\s\S]*?'{3,5}"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}]"
    r"|(?<![\w.])[+-]?\d[\d_]*"
)


def toml_deep_line(text: str, limit: int) -> int | None:
    """The line where arrays and inline tables first nest more than ``limit`` deep.

    Table headers (``[a]``, ``[[a]]``) open and close on their line, so they never
    add up.
    """
    depth = 0
    for m in _TOML_TOKEN.finditer(text):
        token = m.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return text.count("\n", 0, m.start()) + 1
        elif token in ("]", "}"):
            depth -= 1
    return None


def toml_long_integer(text: str, digits: int) -> tuple[int, int] | None:
    """``(line, digit count)`` of the first integer of more than ``digits`` digits."""
    for m in _TOML_TOKEN.finditer(text):
        token = m.group()
        if token[-1].isdigit() and token[0] not in "\"'#":
            count = len(token.lstrip("+-").replace("_", ""))
            if count > digits:
                return text.count("\n", 0, m.start()) + 1, count
    return None
