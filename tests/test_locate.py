"""Tests for villageeval._locate: key paths of a TOML text mapped to lines."""

from __future__ import annotations

import re
import textwrap
from typing import TypeAlias

import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from villageeval._locate import KeyPath, line_of, locate_keys

Value: TypeAlias = int | str | list["Value"] | dict[str, "Value"]


def _locate(source: str) -> dict[KeyPath, int]:
    """Locate keys in a dedented snippet whose first line is line 1."""
    return locate_keys(textwrap.dedent(source).lstrip("\n"))


class TestHeaders:
    """Table headers and arrays of tables."""

    def test_table_header_and_keys_under_it(self) -> None:
        """A header maps to its line and its keys sit under its path."""
        found = _locate("""
            [instruments.appraisal]
            weight = 2
        """)
        assert found[("instruments",)] == 1
        assert found[("instruments", "appraisal")] == 1
        assert found[("instruments", "appraisal", "weight")] == 2

    def test_quoted_header_parts(self) -> None:
        """Quoted header parts may hold dots, spaces and Chinese."""
        found = _locate("""
            [ a . b ."quoted.key 好" . 'lit' ]
            x = 1
        """)
        assert found[("a", "b", "quoted.key 好", "lit")] == 1
        assert found[("a", "b", "quoted.key 好", "lit", "x")] == 2

    def test_root_keys_before_any_header(self) -> None:
        """Keys before the first header live at the root."""
        found = _locate("""
            name = "scheme"
            [t]
            name = "inner"
        """)
        assert found[("name",)] == 1
        assert found[("t", "name")] == 3

    def test_explicit_header_after_implicit_prefix(self) -> None:
        """An explicit `[a]` header wins over the `[a.b]` that implied it."""
        found = _locate("""
            [a.b]
            [a]
        """)
        assert found[("a", "b")] == 1
        assert found[("a",)] == 2

    def test_array_of_tables_indices(self) -> None:
        """Each `[[vetoes]]` gets the next index and its own keys."""
        found = _locate("""
            [[vetoes]]
            id = "a"

            [[vetoes]]
            id = "b"
        """)
        assert found[("vetoes",)] == 1
        assert found[("vetoes", 0)] == 1
        assert found[("vetoes", 0, "id")] == 2
        assert found[("vetoes", 1)] == 4
        assert found[("vetoes", 1, "id")] == 5

    def test_nested_array_of_tables_resolves_latest_element(self) -> None:
        """`[[a.b]]` and `[a.c]` attach to the latest `[[a]]` element."""
        found = _locate("""
            [[a]]
            [[a.b]]
            [[a]]
            [[a.b]]
            [[a.b]]
            [a.c]
            k = 1
        """)
        assert found[("a", 0, "b", 0)] == 2
        assert found[("a", 1, "b", 0)] == 4
        assert found[("a", 1, "b", 1)] == 5
        assert found[("a", 1, "c", "k")] == 7

    def test_header_with_trailing_comment(self) -> None:
        """A comment after a header does not end the scan."""
        found = _locate("""
            [t]  # the [table] = {x}
            k = 1
        """)
        assert found[("t", "k")] == 2


class TestKeys:
    """Key/value lines and the spellings of keys."""

    def test_dotted_keys_record_prefixes_first_wins(self) -> None:
        """Dotted keys record every prefix at its first occurrence."""
        found = _locate("""
            a.b = 1
            a . c = 2
        """)
        assert found[("a",)] == 1
        assert found[("a", "b")] == 1
        assert found[("a", "c")] == 2

    def test_bare_basic_and_literal_keys(self) -> None:
        """Bare, "basic" and 'literal' keys give their plain text."""
        found = _locate("""
            bare-key_1 = 1
            "basic key" = 2
            'lit\\n' = 3
            "" = 4
        """)
        assert found[("bare-key_1",)] == 1
        assert found[("basic key",)] == 2
        assert found[("lit\\n",)] == 3
        assert found[("",)] == 4

    def test_basic_key_escapes_are_decoded(self) -> None:
        """Escapes in basic-string keys are decoded like tomli does."""
        source = r'"a\"b\\c\u597d\U0001F600\t" = 1' + "\n"
        found = locate_keys(source)
        key = next(iter(tomli.loads(source)))
        assert key == 'a"b\\c好\U0001f600\t'
        assert found[(key,)] == 1

    def test_chinese_keys_and_values(self) -> None:
        """Chinese text in keys, values and comments is harmless."""
        found = _locate("""
            [等级]  # 注释 [x]
            "优秀" = "好 [{=#"
            '合格' = '及格'
        """)
        assert found[("等级", "优秀")] == 2
        assert found[("等级", "合格")] == 3

    def test_crlf_line_endings(self) -> None:
        """CRLF files count lines like LF files."""
        found = locate_keys("[t]\r\na = 1\r\nb = [\r\n  1,\r\n]\r\n")
        assert found == {("t",): 1, ("t", "a"): 2, ("t", "b"): 3, ("t", "b", 0): 4}

    def test_scalars_of_every_kind(self) -> None:
        """Dates, floats and booleans are skipped without losing the line."""
        found = _locate("""
            d = 1979-05-27 07:32:00Z  # a date with a space
            f = -1.5e3
            b = true
            last = inf
        """)
        assert found[("d",)] == 1
        assert found[("last",)] == 4


class TestInlineTables:
    """Inline tables, alone and inside arrays."""

    def test_keys_inside_inline_table(self) -> None:
        """Keys in an inline table get paths under the owning key."""
        found = _locate("""
            [gradings.main]
            top = { label = "好", points = 90, sub = { x.y = 1 } }
        """)
        base = ("gradings", "main", "top")
        assert found[base] == 2
        assert found[(*base, "label")] == 2
        assert found[(*base, "points")] == 2
        assert found[(*base, "sub", "x", "y")] == 2

    def test_empty_inline_table(self) -> None:
        """An empty inline table is recorded and the scan continues."""
        found = _locate("""
            a = {}
            b = 1
        """)
        assert found == {("a",): 1, ("b",): 2}


class TestArrays:
    """Arrays: elements are located where they start."""

    def test_multiline_array_of_inline_tables(self) -> None:
        """Each element and its keys are found on their own line."""
        found = _locate("""
            [gradings.main]
            bands = [
              { label = "优", at_least = 90 },  # 最好 ]
              # a comment line { = [
              { label = "良",
                at_least = 75 },
              { label = "差", at_least = 0 },
            ]
            after = 1
        """)
        bands = ("gradings", "main", "bands")
        assert found[bands] == 2
        assert found[(*bands, 0)] == 3
        assert found[(*bands, 0, "at_least")] == 3
        assert found[(*bands, 1)] == 5
        assert found[(*bands, 1, "at_least")] == 6
        assert found[(*bands, 2, "at_least")] == 7
        assert (*bands, 3) not in found
        assert found[("gradings", "main", "after")] == 9

    def test_nested_arrays(self) -> None:
        """Elements of nested arrays get one index per level."""
        found = _locate("""
            m = [
              [1, 2],
              [
                3,
                [4],
              ],
            ]
        """)
        assert found[("m", 0)] == 2
        assert found[("m", 0, 1)] == 2
        assert found[("m", 1)] == 3
        assert found[("m", 1, 0)] == 4
        assert found[("m", 1, 1)] == 5
        assert found[("m", 1, 1, 0)] == 5

    def test_empty_array_and_trailing_comma(self) -> None:
        """Empty arrays have no elements; a trailing comma adds none."""
        found = _locate("""
            e = [ ]
            t = [1, 2,]
        """)
        assert ("e", 0) not in found
        assert found[("t", 1)] == 2
        assert ("t", 2) not in found


class TestStrings:
    """Strings must not confuse the scanner or its line count."""

    def test_multiline_basic_string_counts_lines(self) -> None:
        """Lines inside a triple-quoted basic string are counted."""
        found = _locate('''
            a = """
            [not.a.header]
            b = 1 # \\""" still inside
            """
            c = 2
        ''')
        assert found == {("a",): 1, ("c",): 5}

    def test_multiline_literal_string_counts_lines(self) -> None:
        """Lines inside a triple-quoted literal string are counted."""
        found = _locate("""
            a = '''
            x = { [ \\'
            '''
            c = 2
        """)
        assert found == {("a",): 1, ("c",): 4}

    def test_multiline_string_with_extra_closing_quotes(self) -> None:
        """Up to two quotes may precede the closing triple quote."""
        source = "a = \"\"\"x\"\"\"\"\nb = '''y'''''\nc = 1\n"
        assert tomli.loads(source) == {"a": 'x"', "b": "y''", "c": 1}
        assert locate_keys(source) == {("a",): 1, ("b",): 2, ("c",): 3}

    def test_brackets_braces_equals_hash_in_strings(self) -> None:
        """`[`, `{`, `=` and `#` inside strings are just text."""
        found = _locate("""
            a = "[x] {y} = # z"
            b = '[x] {y} = # z'
            c = ["]", '[', "#", "{"]
            d = { k = "}", l = '=' }
            e = 1
        """)
        assert found[("c", 3)] == 3
        assert found[("d", "l")] == 4
        assert ("d", "k", "x") not in found
        assert found[("e",)] == 5

    def test_escaped_quotes_in_basic_strings(self) -> None:
        """An escaped quote does not end a basic string."""
        found = _locate(r"""
            a = "say \"[hi]\" \\"
            b = ["\"", "\\"]
            c = 1
        """)
        assert found[("b", 1)] == 2
        assert found[("c",)] == 3


class TestMalformed:
    """Garbage never raises; what came before it is kept."""

    def test_keeps_keys_before_the_garbage(self) -> None:
        """Keys before the malformed line are returned."""
        found = _locate("""
            [t]
            ok = 1
            this is not toml
            later = 2
        """)
        assert found == {("t",): 1, ("t", "ok"): 2}

    def test_assorted_garbage(self) -> None:
        """A sample of broken documents returns a dict without raising."""
        samples = [
            "",
            "[",
            "[[",
            "[a",
            "a =",
            "a = ",
            "= 1",
            'a = "open',
            "a = '''open",
            'a = """open',
            "a = [1, 2",
            "a = {b = 1",
            "a = {b}",
            '"""k""" = 1',
            "a = [1 2]",
            "[a]]",
            'a = "\\u',
            '"\\UFFFFFFFF" = 1',
            "a.=1",
            "\ufeffa = 1",
            "a = [" * 5000,
            "a = {b = " * 5000,
        ]
        for sample in samples:
            assert isinstance(locate_keys(sample), dict)

    @given(st.text())
    def test_arbitrary_text_never_raises(self, text: str) -> None:
        """Any text at all yields a dict."""
        assert isinstance(locate_keys(text), dict)

    @given(st.text(alphabet="[]{}=,.#\"'\\\n ab1好"))
    def test_toml_like_noise_never_raises(self, text: str) -> None:
        """Dense TOML punctuation yields a dict."""
        assert isinstance(locate_keys(text), dict)


_LINES: dict[KeyPath, int] = {("a",): 1, ("a", "b"): 2, ("a", "b", 0): 3}


class TestLineOf:
    """Falling back to the longest located prefix."""

    def test_exact_path(self) -> None:
        """A located path gives its own line."""
        assert line_of(_LINES, ("a", "b", 0)) == 3

    def test_longest_prefix(self) -> None:
        """A missing path gives the line of its longest located prefix."""
        assert line_of(_LINES, ["a", "b", 0, "x"]) == 3
        assert line_of(_LINES, ["a", "b", 7]) == 2
        assert line_of(_LINES, ["a", "missing"]) == 1

    def test_nothing_matches(self) -> None:
        """No located prefix (or an empty path) gives None."""
        assert line_of(_LINES, ("z", "b")) is None
        assert line_of(_LINES, ()) is None


# --- property test: a tiny honest TOML emitter ---------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_CHARS = st.sampled_from(list("aZ09_-. \t\n[]{}=#,\"'\\好评中文\x7f\x01")) | st.characters(
    codec="utf-8",
)
_KEYS = st.text(_CHARS, max_size=5)
_SCALARS = st.integers(-(2**63), 2**63 - 1) | st.text(_CHARS, max_size=10)


def _values(children: st.SearchStrategy[Value]) -> st.SearchStrategy[Value]:
    """Lists, inline tables and arrays of inline tables of `children`."""
    tables = st.dictionaries(_KEYS, children, max_size=3)
    return st.lists(children, max_size=3) | tables | st.lists(tables, min_size=1, max_size=3)


_VALUES: st.SearchStrategy[Value] = st.recursive(_SCALARS, _values, max_leaves=12)
_DOCUMENTS = st.dictionaries(_KEYS, _VALUES | st.dictionaries(_KEYS, _VALUES, max_size=4), max_size=4)


def _escape(text: str, *, keep_newlines: bool = False) -> str:
    """Escape `text` for a basic string, optionally leaving newlines raw."""
    named = {
        '"': '\\"',
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\n" if keep_newlines else "\\n",
    }
    return "".join(
        named.get(char) or (f"\\u{ord(char):04X}" if ord(char) < 0x20 or char == "\x7f" else char) for char in text
    )


def _is_literal_safe(text: str, extra: str = "") -> bool:
    """Whether `text` can be written as a literal string verbatim."""
    return "'" not in text and all(char in "\t" + extra or not (ord(char) < 0x20 or char == "\x7f") for char in text)


def _key(key: str) -> str:
    """Spell a key bare, 'literal' or "basic", whichever fits."""
    if _BARE.fullmatch(key):
        return key
    if '"' in key and _is_literal_safe(key):
        return f"'{key}'"
    return f'"{_escape(key)}"'


def _string(text: str) -> str:
    """Spell a string, multi-line when it holds newlines, to stress line counts."""
    if "\n" in text:
        if len(text) % 2 and _is_literal_safe(text, "\n"):
            return f"'''\n{text}'''"
        return f'"""\n{_escape(text, keep_newlines=True)}"""'
    if "\\" in text and _is_literal_safe(text):
        return f"'{text}'"
    return f'"{_escape(text)}"'


def _is_array_of_tables(value: Value) -> bool:
    """Whether `value` is a non-empty list holding only tables."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


class _Emitter:
    """Writes TOML, remembering the line on which each path was written."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.line = 1
        self.expected: dict[KeyPath, int] = {}

    def write(self, text: str) -> None:
        """Append text, keeping the current line number."""
        self.parts.append(text)
        self.line += text.count("\n")

    def mark(self, path: KeyPath) -> None:
        """Record `path` as written on the current line (first time wins)."""
        self.expected.setdefault(path, self.line)

    def table(self, path: KeyPath, names: tuple[str, ...], table: dict[str, Value]) -> None:
        """Write a table's keys, then its sub-tables under headers."""
        later: list[tuple[str, Value]] = []
        for key, value in table.items():
            if (isinstance(value, dict) and (not path or len(key) % 2 == 0)) or (
                _is_array_of_tables(value) and len(key) % 3 == 0
            ):
                later.append((key, value))
                continue
            self.mark((*path, key))
            self.write(f"{_key(key)} = ")
            self.value((*path, key), value, multiline=True)
            self.write("  # = [x] {y}\n" if len(key) % 2 else "\n")
        for key, value in later:
            header = ".".join((*names, _key(key)))
            if isinstance(value, dict):
                self.mark((*path, key))
                self.write(f"[{header}]\n")
                self.table((*path, key), (*names, _key(key)), value)
                continue
            assert isinstance(value, list)
            for index, element in enumerate(value):
                assert isinstance(element, dict)
                self.mark((*path, key))
                self.mark((*path, key, index))
                self.write(f"[[{header}]]  # [[x]] = {{y}}\n")
                self.table((*path, key, index), (*names, _key(key)), element)

    def value(self, path: KeyPath, value: Value, *, multiline: bool = False) -> None:
        """Write one value; the top array of a key gets one element per line."""
        if isinstance(value, int):
            self.write(str(value))
        elif isinstance(value, str):
            self.write(_string(value))
        elif isinstance(value, dict):
            self.write("{")
            for number, (key, item) in enumerate(value.items()):
                self.write(", " if number else " ")
                self.mark((*path, key))
                self.write(f"{_key(key)} = ")
                self.value((*path, key), item)
            self.write(" }" if value else "}")
        elif multiline and value:
            self.write("[\n")
            for index, item in enumerate(value):
                self.write("  ")
                self.mark((*path, index))
                self.value((*path, index), item)
                self.write(",  # ] } [ {\n")
            self.write("]")
        else:
            self.write("[")
            for index, item in enumerate(value):
                self.write(", " if index else "")
                self.mark((*path, index))
                self.value((*path, index), item)
            self.write("]")


class TestRoundTrip:
    """Documents written by a small emitter are located line for line."""

    @settings(max_examples=300, deadline=None)
    @given(_DOCUMENTS)
    def test_emitted_paths_are_located_on_their_lines(self, document: dict[str, Value]) -> None:
        """Every path the emitter wrote is found on the line it was written."""
        emitter = _Emitter()
        emitter.table((), (), document)
        text = "".join(emitter.parts)
        assert tomli.loads(text) == document, text
        assert locate_keys(text) == emitter.expected, text
