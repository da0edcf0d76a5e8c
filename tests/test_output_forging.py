"""Printed output cannot be forged: an id, name or label holding a newline, a carriage
return or a terminal escape is printed with it escaped, so it cannot start a row of its
own, overwrite one or take over the terminal; Chinese text keeps its display width.

The subjects are built in Python, which no cohort reader checks: the printing must be
safe by itself.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import villageeval as ve
from villageeval._cli import _table, explain_outcome, main
from villageeval._table import display_width, printable, render_table

EVIL_ID = "evil\nhuining-fake  伪造  team  graded  99.00  99  好  好"
EVIL_NAME = "\x1b[2J\x1b[1;1H北关村\r“两委”\u202e班子"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("a\tb", "a\\tb"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("del\x7f", "del\\x7f"),
        ("csi\x9b", "csi\\x9b"),
        ("nul\x00", "nul\\x00"),
        ("rtl\u202eexe.txt", "rtl\\u202eexe.txt"),
        ("line\u2028sep", "line\\u2028sep"),
        ("para\u2029sep", "para\\u2029sep"),
        ("\ufeffbom", "\\ufeffbom"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\ud800", "lone\\ud800"),
    ],
)
def test_printable_escapes_what_could_forge(text: str, shown: str) -> None:
    """Controls, format characters, separators and lone surrogates become escapes."""
    assert shown == printable(text)


@pytest.mark.parametrize(
    "text",
    ["北关村“两委”班子", "张\u3000三", "a b", "e\u0301", "（一）", "😀", "私\ue000", ""],
    ids=["chinese", "ideographic space", "space", "combining", "full-width", "emoji", "private use", "empty"],
)
def test_printable_keeps_what_is_printed_as_it_is(text: str) -> None:
    """Chinese text, spaces (the full-width one too), combining marks, emoji stay."""
    assert text == printable(text)


def test_printable_output_has_no_control_character() -> None:
    """Whatever goes in, nothing that a terminal acts on comes out."""
    every = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp"))
    shown = printable(every)
    assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Cs") for ch in shown)


def test_a_cell_cannot_add_a_row() -> None:
    """A cell with a newline stays one row; the widths are those of what is printed."""
    table = render_table(["id", "name", "role"], [[EVIL_ID, EVIL_NAME, "team"], ["b", "北关村", "team"]])
    lines = table.split("\n")
    assert 4 == len(lines)  # header, rule, two rows
    role_at = {display_width(line[: line.rindex("team")]) for line in lines[2:]}
    assert 1 == len(role_at), table
    assert "\x1b" not in table
    assert "\r" not in table


def test_headers_are_escaped_too() -> None:
    table = render_table(["a\nb"], [["1"]])
    assert ["a\\nb", "----", "1"] == table.split("\n")


@pytest.fixture(scope="module")
def evil() -> tuple[ve.Scheme, ve.Result]:
    scheme = ve.load_scheme("huining-midterm-2023")
    cohort = ve.Cohort(
        [
            ve.Subject(id=EVIL_ID, role="team", name=EVIL_NAME, unit="北关\n村"),
            ve.Subject(id="beiguan-team", role="team", name="北关村“两委”班子"),
        ]
    )
    return scheme, ve.evaluate(scheme, cohort)


def _no_controls(text: str) -> None:
    body = text[:-1] if text.endswith("\n") else text
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\n" for ch in body)


def test_the_evaluate_table_cannot_be_forged(evil: tuple[ve.Scheme, ve.Result]) -> None:
    """The rows are the subjects, one each, aligned, with the escapes visible."""
    scheme, result = evil
    text = _table(result, scheme)
    _no_controls(text)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("subject"))
    rows = lines[header + 2 : header + 4]
    assert [] == [line for line in lines if line.startswith("huining-fake")]
    assert rows[1].startswith(printable(EVIL_ID))
    assert "\\x1b[2J\\x1b[1;1H北关村\\r“两委”\\u202e班子" in rows[1]
    column = lines[header].index("role")
    assert {display_width(lines[header][:column])} == {
        display_width(row[: row.index("  team  insufficient") + 2]) for row in rows
    }


def test_explain_cannot_be_forged(evil: tuple[ve.Scheme, ve.Result]) -> None:
    """explain's head line holds the escaped id and name; no line is added by them."""
    scheme, result = evil
    text = explain_outcome(result.outcome(EVIL_ID), scheme)
    _no_controls(text)
    lines = text.splitlines()
    assert f"{printable(EVIL_ID)} {printable(EVIL_NAME)}" == lines[0]
    assert lines[1].startswith("  role: team")
    clean = explain_outcome(result.outcome("beiguan-team"), scheme)
    assert len(clean.splitlines()) == len(lines)


def test_check_problems_stay_one_line_each(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A key holding a newline and an escape is one problem line on stderr."""
    text = (Path(__file__).resolve().parent.parent / "schemes" / "huining-midterm-2023" / "scheme.toml").read_text(
        encoding="utf-8"
    )
    bad = tmp_path / "scheme.toml"
    bad.write_text('"fake\\nscheme.toml:1: ok\\u001b[2K" = 1\n' + text, encoding="utf-8")
    code = main(["check", str(bad)])
    _, err = capsys.readouterr()
    assert 1 == code
    _no_controls(err)
    assert 1 == len(err.splitlines()), err
    assert "fake\\nscheme.toml:1: ok\\x1b[2K" in err
