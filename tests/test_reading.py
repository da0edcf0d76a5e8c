"""Hostile input to the readers: never a traceback, never a hang.

Each class of input that a clerk, an editor or an attacker can produce is read here
from a file in ``tmp_path`` and must give one exact error naming the file, the line
(and for bytes that are not UTF-8, the byte offset): text that is not UTF-8 (UTF-16 and
UTF-32 with and without a byte order mark, GBK, a stray byte, binary files), JSON with a
key given twice, nesting deeper than the readers take, numbers whose exact value would
take hours to build (``1e999999999``) or that Python refuses to read (an integer of
10,000 digits), and case files with misspelt keys or expectations that cannot come out.

Every expected offset, line and message is worked out by hand in a comment beside it.
Nothing is timed; the inputs are sized so that anything worse than linear, or building
the number ``10**999999999``, would not finish.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from tests.test_cases import MINI, SUBJECT_B

import villageeval as ve
from villageeval._cli import main
from villageeval._convert import Invalid, NumberTooLarge, to_fraction
from villageeval._reading import MAX_DIGITS, NotText, decode_text, number_too_large
from villageeval.testing._cases import CaseFormatError, load_case, run_case

SAVE = "save it as UTF-8"
BOUNDS = "a number may have at most 1000 digits and lie within 10^±1000"


def only(problems: tuple[ve.Problem, ...]) -> ve.Problem:
    assert 1 == len(problems), problems
    return problems[0]


def scheme_problem(path: Path) -> ve.Problem:
    with pytest.raises(ve.SchemeError) as e:
        ve.load_scheme(path)
    return only(e.value.problems)


def cohort_problem(path: Path) -> ve.Problem:
    with pytest.raises(ve.CohortError) as e:
        ve.load_cohort(path)
    return only(e.value.problems)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def line_of(text: str, line: str) -> int:
    """The 1-based line of ``line`` in ``text`` (my input, not the tool's output)."""
    return text.splitlines().index(line) + 1


# --- bytes that are not UTF-8 text ------------------------------------------------------------

TEXT = 'id = "x"\ntitle = "村委会"\n'  # 9 bytes of line 1 (offsets 0-8), then line 2 from offset 9


class TestNotUtf8:
    def test_utf16_with_bom(self, tmp_path: Path) -> None:
        path = write(tmp_path / "scheme.toml", b"\xff\xfe" + TEXT.encode("utf-16-le"))
        p = scheme_problem(path)
        assert (str(path), 1, ()) == (p.file, p.line, p.path)
        assert (
            f"the file is UTF-16 (little-endian) text (byte order mark FF FE at byte offset 0), not UTF-8; {SAVE}"
            == p.message
        )

    def test_utf16_big_endian_with_bom(self, tmp_path: Path) -> None:
        path = write(tmp_path / "scheme.toml", b"\xfe\xff" + TEXT.encode("utf-16-be"))
        assert scheme_problem(path).message.startswith("the file is UTF-16 (big-endian) text (byte order mark FE FF at")

    def test_utf16_without_bom(self, tmp_path: Path) -> None:
        # "i" is 69 00 in UTF-16LE: the first NUL is byte 1, on line 1
        path = write(tmp_path / "scheme.toml", TEXT.encode("utf-16-le"))
        p = scheme_problem(path)
        assert (str(path), 1) == (p.file, p.line)
        assert (
            "the file is UTF-16 (little-endian) text without a byte order mark (NUL bytes between its characters, "
            f"the first at byte offset 1), not UTF-8; {SAVE}"
        ) == p.message

    def test_utf16_big_endian_without_bom_after_a_newline(self, tmp_path: Path) -> None:
        # "\n" is 00 0A in UTF-16BE: the first NUL is byte 0, the high byte of the newline ending line 1
        path = write(tmp_path / "scheme.toml", ("\n" + TEXT).encode("utf-16-be"))
        p = scheme_problem(path)
        assert 1 == p.line
        assert "the file is UTF-16 (big-endian) text without a byte order mark" in p.message
        assert "the first at byte offset 0)" in p.message

    def test_utf32(self, tmp_path: Path) -> None:
        with_bom = write(tmp_path / "a" / "scheme.toml", b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"))
        assert (
            f"the file is UTF-32 (little-endian) text (byte order mark FF FE 00 00 at byte offset 0), not UTF-8; {SAVE}"
        ) == scheme_problem(with_bom).message
        # "i" is 69 00 00 00: the first NUL is byte 1
        bare = write(tmp_path / "b" / "scheme.toml", TEXT.encode("utf-32-le"))
        assert scheme_problem(bare).message.startswith(
            "the file is UTF-32 (little-endian) text without a byte order mark (NUL bytes between its characters, "
            "the first at byte offset 1)"
        )

    def test_gbk_scheme(self, tmp_path: Path) -> None:
        # line 2 starts at offset 9; 'title = "' is 9 bytes, so 村 (GBK B4 E5) starts at offset 18
        path = write(tmp_path / "scheme.toml", TEXT.encode("gbk"))
        p = scheme_problem(path)
        assert (str(path), 2, ()) == (p.file, p.line, p.path)
        assert (
            "the file is GBK text, not UTF-8 (byte 0xB4 at byte offset 18 is not UTF-8; the file reads as GBK: "
            f"'村委会'); Chinese offices save GBK by default: {SAVE}"
        ) == p.message

    def test_gbk_cohort(self, tmp_path: Path) -> None:
        # '{"subjects": [{"id": "' is 22 bytes, so 好 (GBK BA C3) starts at offset 22, on line 1
        text = '{"subjects": [{"id": "好", "role": "team"}]}'
        path = write(tmp_path / "cohort.json", text.encode("gbk"))
        p = cohort_problem(path)
        assert (str(path), 1, ()) == (p.file, p.line, p.path)
        assert (
            "the file is GBK text, not UTF-8 (byte 0xBA at byte offset 22 is not UTF-8; the file reads as GBK: "
            f"'好'); Chinese offices save GBK by default: {SAVE}"
        ) == p.message

    def test_utf16_cohort(self, tmp_path: Path) -> None:
        path = write(tmp_path / "cohort.json", b"\xff\xfe" + '{"subjects": []}'.encode("utf-16-le"))
        p = cohort_problem(path)
        assert (str(path), 1) == (p.file, p.line)
        assert p.message.startswith("the file is UTF-16 (little-endian) text (byte order mark FF FE at byte offset 0)")

    def test_stray_byte_in_utf8_chinese(self, tmp_path: Path) -> None:
        # line 1: 9 bytes (0-8); line 2: 'title = "' (9-17), 村 in UTF-8 (18-20), '"' 21, newline 22;
        # line 3: 'period = "' (23-32), "2" 33, "0" 34, the stray 0xFF at 35. The UTF-8 Chinese before
        # it says this is UTF-8 with a bad byte, not GBK.
        data = 'id = "x"\ntitle = "村"\nperiod = "20'.encode() + b"\xff" + b'24"\n'
        path = write(tmp_path / "scheme.toml", data)
        p = scheme_problem(path)
        assert (str(path), 3) == (p.file, p.line)
        assert (
            f"byte 0xFF at byte offset 35 is not UTF-8 (invalid start byte): the file must be UTF-8 text; {SAVE}"
            == p.message
        )

    def test_truncated_utf8(self, tmp_path: Path) -> None:
        # 'x = "' is 5 bytes; the first two of the three bytes of 村 (E6 9D) end the file at offset 5
        path = write(tmp_path / "scheme.toml", b'x = "' + "村".encode()[:2])
        p = scheme_problem(path)
        assert (
            f"byte 0xE6 at byte offset 5 is not UTF-8 (unexpected end of data): the file must be UTF-8 text; {SAVE}"
            == p.message
        )

    def test_binary_with_nul(self, tmp_path: Path) -> None:
        # 'id = 1\n' is 7 bytes: the NUL is at offset 7, on line 2
        path = write(tmp_path / "scheme.toml", b"id = 1\n\x00\x01\x02\x03")
        p = scheme_problem(path)
        assert (2, "the file is binary, not text (a NUL byte at byte offset 7)") == (p.line, p.message)

    def test_binary_image(self, tmp_path: Path) -> None:
        # a PNG starts 89 'PNG' 0D 0A 1A 0A 00 ...: 0x89 at offset 0 is not UTF-8, before the first NUL (8)
        path = write(tmp_path / "cohort.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
        p = cohort_problem(path)
        assert (1, "the file is binary, not text (byte 0x89 at byte offset 0 is not UTF-8)") == (p.line, p.message)

    def test_binary_without_nul(self, tmp_path: Path) -> None:
        # bytes 80-FF: 0x80 is never the first byte of a UTF-8 character, and nothing after decodes either
        path = write(tmp_path / "scheme.toml", bytes(range(0x80, 0x100)) * 8)
        p = scheme_problem(path)
        assert (1, "the file is binary, not text (byte 0x80 at byte offset 0 is not UTF-8, nor are many after it)") == (
            p.line,
            p.message,
        )

    def test_utf8_with_bom_is_read(self, tmp_path: Path) -> None:
        path = write(tmp_path / "scheme.toml", b"\xef\xbb\xbf" + MINI.encode())
        assert "mini" == ve.load_scheme(path).id
        cohort = write(tmp_path / "cohort.json", b"\xef\xbb\xbf" + b'{"subjects": []}')
        assert () == ve.load_cohort(cohort).subjects
        assert "" == decode_text(b"\xef\xbb\xbf")

    def test_decode_text_raises_not_text(self) -> None:
        with pytest.raises(NotText) as e:
            decode_text(b"a\nb\n\xc3(")  # C3 needs a continuation byte; "(" is not one: offset 4, line 3
        assert (4, 3) == (e.value.offset, e.value.line)
        assert "byte 0xC3 at byte offset 4 is not UTF-8 (invalid continuation byte)" in e.value.message

    def test_extended_scheme_not_utf8(self, tmp_path: Path) -> None:
        """The parent of ``extends`` is read the same way; the problem is in the parent's file."""
        child = write(tmp_path / "child" / "scheme.toml", b'id = "child"\nextends = "parent"\n')
        parent = write(tmp_path / "parent" / "scheme.toml", b"\xff\xfe" + TEXT.encode("utf-16-le"))
        p = scheme_problem(child)
        assert (str(parent), 1) == (p.file, p.line)
        assert p.message.startswith("the file is UTF-16 (little-endian) text")

    def test_scheme_id_of_a_directory(self, tmp_path: Path) -> None:
        """Registering a directory reads the scheme's id: a PluginError naming the file and the problem."""
        path = write(tmp_path / "d" / "scheme.toml", TEXT.encode("gbk"))
        with pytest.raises(ve.PluginError) as e:
            ve.Registry().add_scheme_directory(path.parent)
        assert str(e.value).startswith(f"cannot read the scheme id of {path}: line 2: the file is GBK text, not UTF-8")

    def test_case_file(self, tmp_path: Path) -> None:
        # 'description = "' is 15 bytes: 村 starts at offset 15
        d = tmp_path / "mini"
        write(d / "scheme.toml", MINI.encode())
        case = write(d / "cases" / "gbk.toml", 'description = "村"\n'.encode("gbk"))
        result = run_case(case)
        assert (
            f"{case}:1: the file is GBK text, not UTF-8 (byte 0xB4 at byte offset 15 is not UTF-8; the file reads as "
            f"GBK: '村'); Chinese offices save GBK by default: {SAVE}"
        ) == result.error


# --- JSON -----------------------------------------------------------------------------------------

DEEP_JSON = (
    "objects and arrays are nested too deeply to read (the nesting passes 100 levels on this line; "
    "a cohort needs fewer than 10)"
)

DUPLICATE = """{
  "subjects": [
    {
      "id": "a",
      "role": "team",
      "evidence": {"appraisal": {"tallies": {"好": 20,
                                             "好": 2}}}
    }
  ]
}
"""


class TestJson:
    def test_duplicate_key_with_its_line(self, tmp_path: Path) -> None:
        path = write(tmp_path / "cohort.json", DUPLICATE.encode())
        p = cohort_problem(path)
        assert (str(path), 7) == (p.file, p.line)
        assert ("subjects", 0, "evidence", "appraisal", "tallies", "好") == p.path
        assert (
            "duplicate key '好' (first on line 6): a key may appear once in an object "
            "(a JSON reader keeps only the last value, silently)"
        ) == p.message

    def test_every_duplicate_at_once_even_spelt_with_escapes(self) -> None:
        # "\u597d" is 好: the same key to a JSON reader. Line 2 repeats it in the tallies, line 3 repeats "id".
        text = (
            '{"subjects": [\n'
            '{"id": "a", "role": "team", "evidence": {"x": {"tallies": {"好": 1, "\\u597d": 2}}},\n'
            '"id": "b"}]}'
        )
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort(text, source="c.json")
        assert [
            (("subjects", 0, "evidence", "x", "tallies", "好"), 2, "duplicate key '好' (first on line 2)"),
            (("subjects", 0, "id"), 3, "duplicate key 'id' (first on line 2)"),
        ] == [(p.path, p.line, p.message.split(":")[0]) for p in e.value.problems]

    def test_many_duplicates_are_counted(self) -> None:
        # 10,000 objects {"a": 1, "a": 2}: 100 listed, then one line for the other 9,900
        text = '{"subjects": [' + ", ".join(['{"a": 1, "a": 2}'] * 10_000) + "]}"
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort(text)
        assert 101 == len(e.value.problems)
        assert "and 9900 more problems of these kinds" == e.value.problems[-1].message

    def test_deep_nesting(self, tmp_path: Path) -> None:
        # "{" on line 1 is depth 1; the k-th "[" is on line 2 + k at depth 1 + k: depth 101 on line 102
        text = '{\n"subjects":\n' + "[\n" * 100_000 + "]" * 100_000 + "\n}"
        path = write(tmp_path / "cohort.json", text.encode())
        p = cohort_problem(path)
        assert (str(path), 102) == (p.file, p.line)
        assert DEEP_JSON == p.message

    @pytest.mark.parametrize("depth", [500, 900])
    def test_nesting_the_reader_takes_but_a_walk_may_not(self, depth: int) -> None:
        """json.loads takes nearly 1000 levels; a recursive walk of the cohort's data (its
        texts, read to NFC) may take fewer. Read, or this error: never a RecursionError."""
        # '{"subjects": [' is depths 1 and 2, the subject 3, "evidence" 4, "c" 5, and the k-th "["
        # of its tallies is depth 5 + k: depth 101 at k = 96, all on line 2
        deep = "[" * depth + "]" * depth
        text = '{"subjects": [\n{"id": "a", "role": "team", "evidence": {"c": {"tallies": ' + deep + "}}}]}"
        try:
            cohort = ve.loads_cohort(text)
        except ve.CohortError as e:
            p = only(e.problems)
            assert (2, DEEP_JSON) == (p.line, p.message)
        else:
            assert ["c"] == list(cohort.subjects[0].evidence)

    @pytest.mark.parametrize(
        ("number", "why"),
        [
            ("1e999999999", "the power of ten of its first digit is 999999999"),
            ("-1E+999999999", "the power of ten of its first digit is 999999999"),
            ("1e-999999999", "the power of ten of its first digit is -999999999"),
            ("12.5e1000", "the power of ten of its first digit is 1001"),  # 1.25e1001
            # an exponent of 30 digits: past what even a Decimal holds (18 digits)
            ("1e" + "9" * 30, "its exponent has 30 digits"),
        ],
    )
    def test_huge_exponent(self, number: str, why: str) -> None:
        text = '{"subjects": [{"id": "a", "role": "team",\n "evidence": {"c": {"value": ' + number + "}}}]}"
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort(text, source="c.json")
        p = only(e.value.problems)
        assert (("subjects", 0, "evidence", "c", "value"), 2) == (p.path, p.line)
        assert f"number too large to read exactly: {number} ({why}); {BOUNDS}" == p.message

    def test_exponent_at_the_bound_is_read(self) -> None:
        text = '{"subjects": [{"id": "a", "role": "team", "facts": {"x": 9.5e1000, "y": 1e-1000, "z": 0e-99999}}]}'
        facts = ve.loads_cohort(text).subjects[0].facts
        assert (Decimal("9.5e1000"), Decimal("1e-1000")) == (facts["x"], facts["y"])
        assert 0 == to_fraction(facts["z"])  # zero whatever its exponent: no 10**99999 built

    def test_ten_thousand_digit_integer(self) -> None:
        # Python refuses to read it (4300 digits at most): the reader finds it and says so
        digits = "7" * 10_000
        text = '{"subjects": [{"id": "a", "role": "team",\n"facts": {"n": ' + digits + "}}]}"
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort(text)
        p = only(e.value.problems)
        assert (("subjects", 0, "facts", "n"), 2) == (p.path, p.line)
        assert f"number too large to read exactly: {'7' * 20}…(10000 characters) (10000 digits); {BOUNDS}" == p.message

    def test_decimal_of_too_many_digits(self) -> None:
        number = "0." + "3" * 1500  # 1500 digits after the point
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort('{"subjects": [], "x": ' + number + "}")
        assert f"number too large to read exactly: 0.333333333333333333…(1502 characters) (1500 digits); {BOUNDS}" == (
            only(e.value.problems).message
        )

    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_nan_and_infinity(self, constant: str) -> None:
        text = '{"subjects": [{"id": "a", "role": "team", "evidence": {"c": {"value": ' + constant + "}}}]}"
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort(text)
        p = only(e.value.problems)
        assert ("subjects", 0, "evidence", "c", "value") == p.path
        assert f"{constant} is not a number villageeval reads (scores and counts are exact): write a finite number" == (
            p.message
        )

    def test_syntax_error_keeps_line_and_column(self) -> None:
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort('{"subjects": [\n  {"id": "a",}\n]}')
        p = only(e.value.problems)
        # the "}" after "a", is not a key: line 2, column 14
        assert (2, "not valid JSON: Expecting property name enclosed in double quotes (column 14)") == (
            p.line,
            p.message,
        )

    def test_valid_cohort_reads_exactly(self) -> None:
        subject = ve.loads_cohort('{"subjects": [{"id": "a", "role": "team", "facts": {"x": 84.50}}]}').subjects[0]
        assert Decimal("84.50") == subject.facts["x"]
        assert "84.50" == str(subject.facts["x"])


# --- TOML -----------------------------------------------------------------------------------------

MAX_LINE = line_of(MINI, "max = 100")
ROUND_LINE = line_of(MINI, 'round = { digits = 0, mode = "half_up" }')


def mini_with(tmp_path: Path, old: str, new: str) -> Path:
    assert 1 == MINI.count(old)
    return write(tmp_path / "scheme.toml", MINI.replace(old, new).encode())


class TestToml:
    def test_deep_nesting(self, tmp_path: Path) -> None:
        # tomli reads 400 levels of arrays at most: "x = [" is depth 1 on line 2, the k-th "[" after it is
        # on line 2 + k at depth 1 + k, so depth 401 is on line 402
        path = write(tmp_path / "scheme.toml", b'id = "x"\nx = [\n' + b"[\n" * 1000 + b"]" * 1001)
        p = scheme_problem(path)
        assert (str(path), 402, ("x",)) == (p.file, p.line, p.path)
        assert (
            "arrays and inline tables are nested more than 400 levels deep, the most the TOML reader takes "
            "(a scheme needs fewer than 10)"
        ) == p.message

    def test_nesting_tomli_takes_but_a_scheme_never_needs(self, tmp_path: Path) -> None:
        # the document is depth 1, [instruments] 2, .committee 3; x = [[[... adds one per "[":
        # 98 of them reach depth 101, past the 100 any walk of a scheme's data can count on
        path = mini_with(tmp_path, "max = 100", "max = 100\nx = " + "[" * 98 + "]" * 98)
        p = scheme_problem(path)
        assert (MAX_LINE + 1, ("instruments", "committee", "x")) == (p.line, p.path)
        assert "tables and arrays are nested more than 100 levels deep (a scheme needs fewer than 10)" == p.message
        # one less is read (and refused for the unknown key x it is)
        fine = mini_with(tmp_path, "max = 100", "max = 100\nx = " + "[" * 97 + "]" * 97)
        assert scheme_problem(fine).message.startswith("unknown key 'x'")

    def test_deep_inline_tables(self, tmp_path: Path) -> None:
        path = mini_with(tmp_path, "max = 100", "max = " + "{ a = " * 1000 + "1" + " }" * 1000)
        p = scheme_problem(path)
        assert (MAX_LINE, ("instruments", "committee", "max")) == (p.line, p.path)
        assert p.message.startswith("arrays and inline tables are nested more than 400 levels deep")

    @pytest.mark.parametrize(
        ("written", "shown", "why"),
        [
            ("1e999999999", "1E+999999999", "the power of ten of its first digit is 999999999"),
            ("-1e999999999", "-1E+999999999", "the power of ten of its first digit is 999999999"),
            ("1e-999999999", "1E-999999999", "the power of ten of its first digit is -999999999"),
            ('"1e999999999"', "1e999999999", "the power of ten of its first digit is 999999999"),
            ("1." + "0" * 1000, "1.000000000000000000…(1002 characters)", "1001 digits"),
            # past what even a Decimal holds: tomli hands it over as written, and the reader finds its line
            ("1e" + "9" * 30, "1e" + "9" * 30, "its exponent has 30 digits"),
            ('"1e' + "9" * 3000 + '"', "1e999999999999999999…(3002 characters)", "its exponent has 3000 digits"),
        ],
    )
    def test_huge_number(self, tmp_path: Path, written: str, shown: str, why: str) -> None:
        p = scheme_problem(mini_with(tmp_path, "max = 100", f"max = {written}"))
        assert (MAX_LINE, ("instruments", "committee", "max")) == (p.line, p.path)
        assert f"number too large to read exactly: {shown} ({why}); {BOUNDS}" == p.message

    def test_huge_integer_field(self, tmp_path: Path) -> None:
        """``digits`` is an integer field: the hint that would print int(1e999999999) must not be built."""
        path = mini_with(tmp_path, "digits = 0", "digits = 1e999999999")
        p = scheme_problem(path)
        assert (ROUND_LINE, ("gradings", "main", "round", "digits")) == (p.line, p.path)
        assert (
            "number too large to read exactly: 1E+999999999 (the power of ten of its first digit is 999999999); "
            + BOUNDS
        ) == p.message

    def test_ten_thousand_digit_integer(self, tmp_path: Path) -> None:
        limit = sys.get_int_max_str_digits()  # 4300 unless the interpreter was told otherwise
        p = scheme_problem(mini_with(tmp_path, "max = 100", "max = " + "1" * 10_000))
        assert (MAX_LINE, ("instruments", "committee", "max")) == (p.line, p.path)
        assert (
            f"number too large to read exactly: an integer of 10000 digits (more than the {limit} Python reads); "
            + BOUNDS
        ) == p.message

    def test_two_thousand_digit_integer(self, tmp_path: Path) -> None:
        """Python reads it (fewer than 4300 digits); the bound of every number refuses it."""
        p = scheme_problem(mini_with(tmp_path, "max = 100", "max = " + "1" * 2000))
        assert (MAX_LINE, ("instruments", "committee", "max")) == (p.line, p.path)
        assert f"number too large to read exactly: {'1' * 20}…(2000 characters) (more than 1000 digits); {BOUNDS}" == (
            p.message
        )

    def test_check_reports_it(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = mini_with(tmp_path, "max = 100", "max = 1e999999999")
        assert 1 == main(["check", str(path)])
        assert capsys.readouterr().err.startswith(f"{path}:{MAX_LINE}: instruments.committee.max: number too large")


# --- the bounds themselves ------------------------------------------------------------------------


class TestBounds:
    @pytest.mark.parametrize(
        "value",
        [
            10**MAX_DIGITS - 1,  # 1000 nines
            -(10**MAX_DIGITS - 1),
            Decimal("9.99e1000"),
            Decimal("1e-1000"),
            Decimal("0e-999999999"),
            Fraction(1, 10**1999),  # 1e-1999 as a fraction: a denominator of 2000 digits
            "1690/19",
            "1e1000",
            "not a number",  # refused by the caller in its own words
        ],
    )
    def test_within(self, value: object) -> None:
        assert number_too_large(value) is None

    @pytest.mark.parametrize(
        ("value", "why"),
        [
            (10**MAX_DIGITS, "more than 1000 digits"),  # a 1 and 1000 zeros: 1001 digits
            (Decimal("1e1001"), "the power of ten of its first digit is 1001"),
            (Decimal("1e-1001"), "the power of ten of its first digit is -1001"),
            (Fraction(1, 10**2000), "its numerator or denominator has more than 2000 digits"),
            ("1/" + "3" * 2001, "2001 digits in its denominator, more than 2000"),
            (" 1e1001 ", "the power of ten of its first digit is 1001"),
            ("1e" + "9" * 2000, "its exponent has 2000 digits"),  # Fraction() would build 10**(10**2000)
        ],
    )
    def test_beyond(self, value: object, why: str) -> None:
        message = number_too_large(value)
        assert message is not None
        assert f"({why}); {BOUNDS}" in message
        with pytest.raises(NumberTooLarge):
            to_fraction(value)

    def test_huge_python_integer_is_described_without_printing_it(self) -> None:
        # 2**100000 has floor(100000 × log10 2) + 1 = 30102 + 1 = 30103 digits: Python would refuse to print it
        message = number_too_large(2**100_000)
        assert (
            f"number too large to read exactly: an integer of about 30103 digits (more than 1000 digits); {BOUNDS}"
            == message
        )

    def test_too_large_is_invalid(self) -> None:
        assert issubclass(NumberTooLarge, Invalid)


# --- case files -------------------------------------------------------------------------------------


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    d = tmp_path / "mini"
    write(d / "scheme.toml", MINI.encode())
    (d / "cases").mkdir()
    return d


# SUBJECT_B is lines 1-6 (a blank line, [[subjects]] on line 2, ...); then line 7 is blank,
# [expected.b] is line 8 and the keys under it lines 9, 10, ...
TYPO = SUBJECT_B + '\n[expected.b]\nfnial_grade = "一般"\nstatus = "grade"\n'


class TestCases:
    def test_misspelt_key_and_impossible_status(self, mini: Path) -> None:
        case = write(mini / "cases" / "typo.toml", TYPO.encode())
        result = run_case(case)
        assert not result.passed
        assert (
            f"{case}:9: expected.b.fnial_grade: unknown expected key 'fnial_grade'; did you mean 'final_grade'?\n"
            f"{case}:10: expected.b.status: must be one of 'graded', 'insufficient_evidence', 'ineligible', 'referred' "
            "(got 'grade' (a string)); did you mean 'graded'?"
        ) == result.error

    def test_the_page_shows_it(
        self, mini: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """docs/testing.md shows this very case failing, as ``villageeval test`` prints it."""
        write(mini / "cases" / "typo.toml", TYPO.encode())
        monkeypatch.chdir(mini.parent)
        assert 1 == main(["test", "mini/cases/typo.toml"])
        printed = capsys.readouterr().out
        page = (Path(__file__).resolve().parent.parent / "docs" / "testing.md").read_text(encoding="utf-8")
        shown = page.split("```\nFAIL mini/cases/typo.toml\n", 1)[1].split("```", 1)[0]
        assert f"FAIL mini/cases/typo.toml\n{shown}0 passed, 1 failed\n" == printed

    def test_every_problem_at_once(self, mini: Path) -> None:
        text = (
            'descripton = "x"\n'  # 1
            "period = 2024\n"  # 2
            "[[subjects]]\n"  # 3
            'id = "b"\n'  # 4
            'role = "team"\n'  # 5
            'evidnce.appraisal.tallies = { "好" = 3 }\n'  # 6
            "[expected.b]\n"  # 7
            'final_grade = "好 "\n'  # 8: a trailing space
            'raw_grade = "优秀"\n'  # 9: not a label of 好/一般/差
            'reasons = ["too_few_respondent", 3]\n'  # 10
            "score = true\n"  # 11
            'consequences = ["talks"]\n'  # 12
            'flags = ["veto:sof", "capped:absent"]\n'  # 13
            "[expected.z]\n"  # 14
        )
        case = write(mini / "cases" / "many.toml", text.encode())
        result = run_case(case)
        assert [
            f"{case}:1: descripton: unknown case key 'descripton'; did you mean 'description'?",
            f'{case}:2: period: must be a string such as "2023" (got 2024 (a number)); write period = "2024"',
            f"{case}:6: subjects[0].evidnce: unknown subject key 'evidnce'; did you mean 'evidence'?",
            f"{case}:8: expected.b.final_grade: '好 ' is not a grade of scheme 'mini' for role 'team'; "
            "did you mean '好'?",
            f"{case}:9: expected.b.raw_grade: '优秀' is not a grade of scheme 'mini' for role 'team' "
            "(known: 好, 一般, 差)",
            f"{case}:10: expected.b.reasons[0]: unknown reason code 'too_few_respondent'; "
            "did you mean 'too_few_respondents'?",
            f"{case}:10: expected.b.reasons[1]: must be a string (got 3 (a number))",
            f'{case}:11: expected.b.score: must be an exact number (85, 84.5, "1249/15") or "none" for no score '
            "(got true (a boolean))",
            f"{case}:12: expected.b.consequences[0]: the scheme has no consequence 'talks'; did you mean 'talk'?",
            f"{case}:13: expected.b.flags[0]: the scheme has no veto 'sof'; did you mean 'soft'?",
            f"{case}:13: expected.b.flags[1]: unknown flag 'capped:absent': "
            "a flag is veto:<id>, cap:<id>, quota_tie:<id> or rank_tie:<id>",
            f"{case}:14: expected.z: no subject 'z' in the case (known: b)",
        ] == (result.error or "").splitlines()

    def test_unknown_role_with_the_rest(self, mini: Path) -> None:
        text = '[[subjects]]\nid = "b"\nrole = "teem"\n[expected.b]\nstatus = "graded "\n'
        case = write(mini / "cases" / "role.toml", text.encode())
        assert [
            f"{case}:3: subjects[0].role: subject 'b' has unknown role 'teem'; did you mean 'team'?",
            f"{case}:5: expected.b.status: must be one of 'graded', 'insufficient_evidence', 'ineligible', 'referred' "
            "(got 'graded ' (a string)); did you mean 'graded'?",
        ] == (run_case(case).error or "").splitlines()

    def test_huge_expected_score(self, mini: Path) -> None:
        case = write(mini / "cases" / "huge.toml", (SUBJECT_B + '\n[expected.b]\nscore = "1e999999999"\n').encode())
        assert (
            f"{case}:9: expected.b.score: number too large to read exactly: 1e999999999 "
            f"(the power of ten of its first digit is 999999999); {BOUNDS}"
        ) == run_case(case).error

    def test_load_case_lists_the_problems(self, mini: Path) -> None:
        case = write(mini / "cases" / "typo.toml", TYPO.encode())
        with pytest.raises(CaseFormatError) as e:
            load_case(case)
        assert [(9, ("expected", "b", "fnial_grade")), (10, ("expected", "b", "status"))] == [
            (p.line, p.path) for p in e.value.problems
        ]

    def test_right_values_still_pass(self, mini: Path) -> None:
        # SUBJECT_B: total 245/3 ≈ 81.67 → 82 → 一般, consequence talk (see tests/test_cases.py)
        text = SUBJECT_B + '\n[expected.b]\nstatus = "graded"\nscore = "245/3"\nrounded_score = 82\n'
        text += 'final_grade = "一般"\nraw_grade = "一般"\nconsequences = ["talk"]\nflags = []\nreasons = []\n'
        result = run_case(write(mini / "cases" / "ok.toml", text.encode()))
        assert result.passed, result.report()
