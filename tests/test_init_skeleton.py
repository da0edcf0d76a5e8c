"""``villageeval init``: what it writes from the command line is written safely, and its
demo names villages whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli

import villageeval as ve
from villageeval._init import SchemeIdError, demo_cohort, toml_string, write_skeleton


@pytest.mark.parametrize(
    "text",
    [
        'a"b',
        "a\\b",
        "a\\nb",
        "line\nbreak",
        "tab\there",
        "nul\x00",
        "del\x7f",
        "esc\x1b[2J",
        "北关村“两委”",
        "\u2028",
        "",
    ],
)
def test_toml_string_reads_back_as_written(text: str) -> None:
    """Quotes, backslashes and every control character are escaped; TOML reads the same text."""
    written = f"key = {toml_string(text)}\n"
    assert 1 == len(written.splitlines()) or "\u2028" in text
    assert {"key": text} == tomli.loads(written)


@pytest.mark.parametrize(
    "scheme_id",
    ['my"county', "my\\county", "My-County", "", "-lead", "a b", "会宁", "a\nb", "a.b"],
)
def test_an_id_that_is_not_a_slug_is_refused(tmp_path: Path, scheme_id: str) -> None:
    """The id check requires is required here, before anything is written."""
    with pytest.raises(SchemeIdError, match="is not a lowercase slug"):
        write_skeleton(tmp_path / "county", scheme_id=scheme_id)
    assert not (tmp_path / "county").exists()


def test_the_id_given_is_the_id_read(tmp_path: Path) -> None:
    """A slug id is written as a TOML string and checks clean."""
    write_skeleton(tmp_path, scheme_id="dongxiang-annual-2024")
    assert "dongxiang-annual-2024" == ve.load_scheme(tmp_path).id
    assert "dongxiang-annual-2024" == json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))["scheme"]


def test_a_directory_name_with_quotes_and_a_newline(tmp_path: Path) -> None:
    """The directory is named in a comment: its newline cannot end the comment, its quote
    cannot end a string, and the default id is its slug."""
    target = tmp_path / 'my "county"\\\nx'
    write_skeleton(target)
    text = (target / "scheme.toml").read_text(encoding="utf-8")
    scheme = ve.load_scheme(target)
    assert "my-county-x" == scheme.id
    assert "villageeval check /" in text
    assert '"county"\\\\nx' in text  # the newline shown as \n in the comment


def test_demo_names_villages_whole() -> None:
    """Each subject's unit is its village, not the first three characters of its name."""
    subjects = demo_cohort("x")["subjects"]
    assert isinstance(subjects, list)
    units = {s["id"]: s["unit"] for s in subjects}
    assert {
        "dongcun-team": "东村",
        "xicun-team": "西村",
        "nancun-team": "南村",
        "dongcun-secretary": "东村",
        "xicun-secretary": "西村",
    } == units
    for s in subjects:
        assert s["name"].startswith(s["unit"])
        assert not any(mark in s["unit"] for mark in '“”"')
