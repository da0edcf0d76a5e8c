"""Golden tests: broken schemes and the exact problems ``villageeval check`` reports.

Each ``tests/broken/<name>.toml`` is a copy of ``tests/broken/_valid.toml`` broken in
one deliberate way (the ``many_*`` cases in several, to show that every problem of a
phase is reported at once). ``tests/broken/<name>.expected`` holds the stderr lines,
``path:line: key.path: message``, with each line number checked by hand against the
file: the line of the offending key (for a missing key, of the table that should
hold it). The cyclic ``extends`` case lives in ``tests/broken/cycle/{a,b}/scheme.toml``
so that the sibling lookup of ``extends`` finds the other half.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import villageeval as ve
from villageeval._cli import main

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"

#: Cases whose scheme is not ``tests/broken/<name>.toml``.
ENTRY = {"cycle": "tests/broken/cycle/a/scheme.toml"}


def _cases() -> list[str]:
    return sorted(p.stem for p in BROKEN.glob("*.expected"))


def _check(
    path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, list[str]]:
    """Run ``villageeval check path`` from the repository root: exit code, stdout, stderr lines."""
    monkeypatch.chdir(ROOT)
    code = main(["check", path])
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


class TestValidBase:
    """The base every broken case is derived from."""

    def test_check_passes(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        """``check`` exits 0, prints one ok line and nothing on stderr."""
        code, out, err = _check("tests/broken/_valid.toml", monkeypatch, capsys)
        assert (0, []) == (code, err)
        expected = "tests/broken/_valid.toml: ok (broken-base: 1 roles, 2 instruments, 1 vetoes, 1 caps, 1 quotas)\n"
        assert expected == out

    def test_loads(self) -> None:
        """``load_scheme`` returns the scheme with what the file declares."""
        scheme = ve.load_scheme(BROKEN / "_valid.toml")
        assert ("broken-base", ["appraisal", "committee"]) == (scheme.id, list(scheme.instruments))


class TestGoldens:
    """Every broken scheme against its golden stderr."""

    @pytest.mark.parametrize("name", _cases())
    def test_reports_exactly_the_golden_lines(
        self, name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``check`` prints exactly the golden lines on stderr, nothing on stdout, and exits 1."""
        expected = (BROKEN / f"{name}.expected").read_text(encoding="utf-8").splitlines()
        code, out, err = _check(ENTRY.get(name, f"tests/broken/{name}.toml"), monkeypatch, capsys)
        assert expected == err
        assert ("", 1) == (out, code)

    @pytest.mark.parametrize("name", _cases())
    def test_api_raises_the_same_problems(self, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """``load_scheme`` raises one SchemeError whose problems print as the golden lines."""
        monkeypatch.chdir(ROOT)
        expected = (BROKEN / f"{name}.expected").read_text(encoding="utf-8").splitlines()
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(ENTRY.get(name, f"tests/broken/{name}.toml"))
        assert expected == [str(p) for p in info.value.problems]


class TestInventory:
    """The broken directory itself."""

    def test_every_broken_file_has_a_golden(self) -> None:
        """Each ``<name>.toml`` (other than the valid base) has ``<name>.expected``, and the reverse."""
        schemes = {p.stem for p in BROKEN.glob("*.toml") if p.name != "_valid.toml"} | set(ENTRY)
        assert sorted(schemes) == _cases()

    def test_enough_cases(self) -> None:
        """At least 18 broken cases are covered."""
        assert len(_cases()) >= 18

    def test_golden_lines_have_the_compiler_format(self) -> None:
        """Every golden line is ``tests/broken/...:LINE: key.path: message``."""
        shape = re.compile(r"^tests/broken/\S+\.toml:\d+: (\(top level\)|\S+): \S")
        bad = [
            line
            for name in _cases()
            for line in (BROKEN / f"{name}.expected").read_text(encoding="utf-8").splitlines()
            if not shape.match(line)
        ]
        assert [] == bad

    def test_broken_files_keep_the_base_line_numbers(self) -> None:
        """The two-line header of each case replaces the base's, so unedited keys keep their lines."""
        base = (BROKEN / "_valid.toml").read_text(encoding="utf-8").splitlines()
        shifted = [
            p.name for p in BROKEN.glob("*.toml") if p.read_text(encoding="utf-8").splitlines()[2:5] != base[2:5]
        ]
        assert [] == shifted
