"""Find the line on which each key of a TOML document is written.

tomli turns a scheme into plain dicts and lists and forgets where anything
came from, so a validation error only knows a key path such as
``("gradings", "main", "bands", 2, "at_least")``. To report it as
``file:line`` we re-read the raw text once with this small, lenient scanner.
It is not a parser: tomli has already judged the document, so here we never
raise and simply stop at the first thing we do not understand, keeping what
was found up to that point.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence

KeyPath = tuple[str | int, ...]

_WS = " \t\r"  # "\r" so that CRLF files scan like LF files
_BARE_STOP = frozenset(" \t\r\n=.[]{},#\"'")
_SCALAR_STOP = frozenset(",]}\n#")  # dates may hold spaces, so scan to these
_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    '"': '"',
    "\\": "\\",
}
_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|[\s\S])")
# A multi-line string may end in up to two extra quotes (`"""a""""` is 'a"'),
# hence the closing runs of three to five quote characters.
_STRINGS = {
    '"""': re.compile(r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"{3,5}'),
    "'''": re.compile(r"'''(?:[^']|'(?!''))*'{3,5}"),
    '"': re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    "'": re.compile(r"'[^'\n]*'"),
}


class ScanStop(Exception):
    """Raised when the text stops making sense; caught by `locate_keys`."""


def _unescape(match: re.Match[str]) -> str:
    """Decode one basic-string escape, keeping anything unknown verbatim."""
    escape = match[0]
    kind, digits = escape[1], escape[2:]
    if kind in "uUx":
        code = int(digits, 16)
        return chr(code) if code <= 0x10FFFF else escape
    return _ESCAPES.get(kind, escape)


class Scanner:
    """Single pass over the text; positions become lines only when recorded."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith("\ufeff") else 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.found: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}  # [[header]] path -> count so far

    def line(self) -> int:
        """1-based line of the current position."""
        return bisect_left(self.newlines, self.pos) + 1

    def peek(self) -> str:
        """Current character, or "" at the end (so callers need no bounds)."""
        return self.text[self.pos : self.pos + 1]

    def skip(self, chars: str) -> None:
        """Advance over any run of `chars`."""
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def skip_comment(self) -> None:
        """Advance to the newline ending a `#` comment (or to the end)."""
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def skip_blank(self) -> None:
        """Advance over whitespace, newlines and comments."""
        while True:
            self.skip(_WS + "\n")
            if self.peek() != "#":
                return
            self.skip_comment()

    def expect(self, token: str) -> None:
        """Consume `token`, or give up on the document."""
        if not self.text.startswith(token, self.pos):
            raise ScanStop
        self.pos += len(token)

    def string(self) -> str:
        """Consume a string of any of the four kinds and return its body."""
        quote = self.text[self.pos : self.pos + 3]
        if quote not in _STRINGS:
            quote = quote[0]
        match = _STRINGS[quote].match(self.text, self.pos)
        if match is None:
            raise ScanStop
        self.pos = match.end()
        body = match[0][1:-1]
        return _ESCAPE.sub(_unescape, body) if quote == '"' else body

    def key(self) -> list[str]:
        """Consume a possibly dotted, possibly quoted key; return its parts."""
        parts: list[str] = []
        while True:
            self.skip(_WS)
            if self.text.startswith(('"""', "'''"), self.pos):
                raise ScanStop  # multi-line strings cannot be keys
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] not in _BARE_STOP:
                    self.pos += 1
                if self.pos == start:
                    raise ScanStop
                parts.append(self.text[start : self.pos])
            self.skip(_WS)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def run(self) -> None:
        """Scan the whole document: headers and key/value lines."""
        table: KeyPath = ()
        while True:
            self.skip_blank()
            if self.pos >= len(self.text):
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.keyval(table)
            self.skip(_WS)
            if self.peek() == "#":
                self.skip_comment()
            if self.peek() not in ("", "\n"):
                raise ScanStop

    def header(self) -> KeyPath:
        """Consume `[a.b]` or `[[a.b]]`; return the table path it opens.

        Earlier `[[...]]` prefixes resolve to their latest element, as in TOML.
        """
        line = self.line()
        many = self.text.startswith("[[", self.pos)
        self.pos += 2 if many else 1
        keys = self.key()
        self.expect("]]" if many else "]")
        path: KeyPath = ()
        for depth, key in enumerate(keys, 1):
            path += (key,)
            if depth < len(keys):
                self.found.setdefault(path, line)
                if path in self.arrays:
                    path += (self.arrays[path] - 1,)
            elif many:
                self.found.setdefault(path, line)
                index = self.arrays.get(path, 0)
                self.arrays[path] = index + 1
                path += (index,)
        self.found[path] = line
        return path

    def keyval(self, table: KeyPath) -> None:
        """Consume `key = value`, recording every prefix of a dotted key."""
        line = self.line()
        keys = self.key()
        self.expect("=")
        path = table
        for key in keys:
            path += (key,)
            self.found.setdefault(path, line)
        self.skip(_WS)
        self.value(path)

    def value(self, path: KeyPath) -> None:
        """Consume one value; arrays and inline tables record their insides."""
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_STOP:
                self.pos += 1
            if not self.text[start : self.pos].strip():
                raise ScanStop

    def array(self, path: KeyPath) -> None:
        """Consume `[...]`; element i is recorded where it starts."""
        self.pos += 1
        index = 0
        while True:
            self.skip_blank()
            if self.peek() == "]":
                self.pos += 1
                return
            element = (*path, index)
            self.found[element] = self.line()
            self.value(element)
            self.skip_blank()
            if self.peek() == ",":
                self.pos += 1
                index += 1
            elif self.peek() != "]":
                raise ScanStop

    def inline_table(self, path: KeyPath) -> None:
        """Consume `{...}`, leniently allowing newlines (as TOML 1.1 does)."""
        self.pos += 1
        while True:
            self.skip_blank()
            if self.peek() == "}":
                self.pos += 1
                return
            self.keyval(path)
            self.skip_blank()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise ScanStop


def locate_keys(text: str) -> dict[KeyPath, int]:
    """Return {path: line} for every key and array element in TOML `text`.

    Never raises: on malformed text the paths found before the trouble are
    returned, which is the most a caller reporting an error can use.
    """
    scanner = Scanner(text)
    with contextlib.suppress(ScanStop, RecursionError):
        scanner.run()
    return scanner.found


def line_of(lines: Mapping[KeyPath, int], path: Sequence[str | int]) -> int | None:
    """Line of `path`, or of its longest located prefix; None if nothing matches.

    Falling back to a prefix lets an error about a key that is missing (so was
    never written) point at the table that should have held it.
    """
    key = tuple(path)
    for end in range(len(key), 0, -1):
        found = lines.get(key[:end])
        if found is not None:
            return found
    return None
