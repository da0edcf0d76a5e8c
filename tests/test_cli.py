"""The ``villageeval`` command: verbs, output formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import villageeval as ve
from villageeval._cli import main
from villageeval._table import display_width

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
DEMO = HUINING / "demo.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestSchemes:
    def test_lists_bundled_ids_in_first_column(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Each line starts with a scheme id; the bundled huining scheme is there."""
        code, out, _ = run(capsys, "schemes")
        assert 0 == code
        ids = [line.split("\t")[0] for line in out.splitlines()]
        assert "huining-midterm-2023" in ids


class TestCheck:
    def test_bundled_scheme_passes(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A valid scheme, by id or by path, exits 0 and reports nothing on stderr."""
        for name in ("huining-midterm-2023", str(HUINING), str(HUINING / "scheme.toml")):
            code, out, err = run(capsys, "check", name)
            assert (0, "") == (code, err)
            assert "ok" in out

    def test_unknown_scheme_suggests(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown id exits 2 (bad input, not a scheme with problems) and suggests the closest known id."""
        code, _, err = run(capsys, "check", "huining-midterm-2022")
        assert 2 == code
        assert "did you mean 'huining-midterm-2023'?" in err

    def test_problems_in_compiler_format(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """Problems print as path:line: key.path: message, all at once, exit 1."""
        text = (HUINING / "scheme.toml").read_text(encoding="utf-8")
        text = text.replace("min_respondents = 20", "min_respondent = 20", 1)
        bad = tmp_path / "scheme.toml"
        bad.write_text(text, encoding="utf-8")
        line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("min_respondent = 20"))
        code, _, err = run(capsys, "check", str(bad))
        assert 1 == code
        expected = (
            f"{bad}:{line}: instruments.appraisal.min_respondent: "
            "unknown key 'min_respondent'; did you mean 'min_respondents'?"
        )
        assert [expected] == err.splitlines()


class TestEvaluate:
    def test_table_aligns_chinese_columns(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Every row's columns start at the same display column, whatever the Chinese names."""
        code, out, _ = run(capsys, "evaluate", "huining-midterm-2023", str(DEMO))
        assert 0 == code
        lines = out.splitlines()
        header = next(i for i, t in enumerate(lines) if t.startswith("subject"))
        rows = lines[header + 2 : header + 2 + 50]
        role_col = display_width(lines[header][: lines[header].index("role")])
        for row in rows:
            # the role ids are ASCII and come right after the name column
            prefix = row[: row.index("  member") + 2] if "  member" in row else row[: row.index("  team") + 2]
            assert role_col == display_width(prefix), row

    def test_json_carries_audit_stamp(self, capsys: pytest.CaptureFixture[str]) -> None:
        """JSON output has the format version and the scheme's id, hash and villageeval version."""
        code, out, _ = run(capsys, "evaluate", "huining-midterm-2023", str(DEMO), "--format", "json")
        assert 0 == code
        data = json.loads(out)
        scheme = ve.load_scheme(HUINING)
        assert 1 == data["format"]
        assert {"scheme": scheme.id, "scheme_hash": ve.scheme_hash(scheme), "villageeval": ve.__version__} == {
            key: data["audit"][key] for key in ("scheme", "scheme_hash", "villageeval")
        }
        assert 50 == len(data["outcomes"])

    def test_bad_cohort_is_reported(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A malformed cohort exits 2 with every problem on stderr."""
        bad = tmp_path / "cohort.json"
        bad.write_text('{"subjects": [{"id": "a"}, {"id": "a", "role": "team"}]}', encoding="utf-8")
        code, _, err = run(capsys, "evaluate", "huining-midterm-2023", str(bad))
        assert 2 == code
        assert 2 == len(err.splitlines())
        assert "subjects[0].role" in err
        assert "duplicate subject id 'a'" in err


class TestExplain:
    def test_veto_is_cited(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The explanation names the veto rule and its clause (四、6)."""
        code, out, _ = run(capsys, "explain", "huining-midterm-2023", str(DEMO), "xicha-secretary")
        assert 0 == code
        assert "adjusted by veto absentee (四、6): 好 → 差" in out

    def test_unknown_subject(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown subject id exits 2 with a did-you-mean."""
        code, _, err = run(capsys, "explain", "huining-midterm-2023", str(DEMO), "xicha-secretry")
        assert 2 == code
        assert "did you mean 'xicha-secretary'?" in err


class TestInit:
    def test_skeleton_passes_check_and_evaluates(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """init writes a scheme that checks clean and a demo whose grades follow the hand arithmetic."""
        target = tmp_path / "my-county"
        code, _out, _ = run(capsys, "init", str(target))
        assert 0 == code
        assert {"scheme.toml", "demo.json", "cases"} == {p.name for p in target.iterdir()}
        code, _, err = run(capsys, "check", str(target))
        assert (0, "") == (code, err)
        result = ve.evaluate(ve.load_scheme(target), ve.load_cohort(target / "demo.json"))
        finals = {o.subject_id: (o.status, o.final_grade) for o in result.outcomes}
        # Teams: 90.8 → 91, 88.8 → 89, 84.8 → 85 are all 好 by score; floor(40% × 3) = 1
        # 好 allowed among the three teams, so the two lower ones drop to 一般.
        # dongcun-secretary: 90.8 → 好 by score, vetoed to 差; xicun-secretary has 19 raters.
        assert {
            "dongcun-team": ("graded", "好"),
            "xicun-team": ("graded", "一般"),
            "nancun-team": ("graded", "一般"),
            "dongcun-secretary": ("graded", "差"),
            "xicun-secretary": ("insufficient_evidence", None),
        } == finals

    def test_refuses_to_overwrite(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A second init into the same directory exits 2 and keeps the file."""
        run(capsys, "init", str(tmp_path))
        before = (tmp_path / "scheme.toml").read_text(encoding="utf-8")
        code, _, err = run(capsys, "init", str(tmp_path))
        assert 2 == code
        assert "already exists" in err
        assert before == (tmp_path / "scheme.toml").read_text(encoding="utf-8")


def test_python_dash_m() -> None:
    """``python -m villageeval`` is the same command."""
    proc = subprocess.run([sys.executable, "-m", "villageeval", "schemes"], capture_output=True, text=True, check=False)
    assert 0 == proc.returncode
    assert "huining-midterm-2023" in [line.split("\t")[0] for line in proc.stdout.splitlines()]
