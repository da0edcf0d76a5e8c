"""The command line for township offices: template, workbooks and CSVs in and out, report, --lang.

What the verbs add on top of ``villageeval.office`` and ``villageeval.report`` (tested in
their own modules): the file is written whole or not at all, a workbook needs ``-o``, a
cohort is read from ``.xlsx`` and ``.csv`` as from JSON, and Chinese is the default
where a township reads the output (report, template, xlsx and csv), English elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("jinja2")

from villageeval._cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"
SCHEME = "huining-midterm-2023"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _json_outcomes(capsys: pytest.CaptureFixture[str], cohort: str | Path) -> dict[str, tuple[str, str | None]]:
    code, out, err = run(capsys, "evaluate", SCHEME, str(cohort), "--format", "json", "--no-trace")
    assert 0 == code, err
    return {o["subject"]: (o["status"], o.get("final_grade")) for o in json.loads(out)["outcomes"]}


class TestTemplate:
    def test_writes_a_workbook_with_the_permissions_of_a_new_file(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        target = tmp_path / "汇总表.xlsx"
        code, out, err = run(capsys, "template", SCHEME, "-o", str(target))
        assert (0, "", "") == (code, out, err)
        book = openpyxl.load_workbook(target)
        assert len(book.sheetnames) >= 2  # a cover sheet and the roles' sheets
        umask = os.umask(0)
        os.umask(umask)
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
        assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left

    def test_needs_an_output_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, "template", SCHEME)
        assert 2 == code
        assert "give -o FILE.xlsx" in err
        assert "" == out

    def test_an_unknown_scheme_leaves_no_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        code, _, err = run(capsys, "template", "no-such-scheme", "-o", str(tmp_path / "t.xlsx"))
        assert 2 == code
        assert "no-such-scheme" in err
        assert list(tmp_path.iterdir()) == []


class TestEvaluateWorkbooks:
    def test_xlsx_needs_an_output_file(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, "evaluate", SCHEME, str(DEMO), "--format", "xlsx")
        assert 2 == code
        assert "give -o FILE.xlsx" in err
        assert "" == out

    def test_xlsx_is_a_workbook_with_a_row_per_outcome(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """The huining demo has 50 subjects; the outcomes sheet holds one row for each."""
        target = tmp_path / "结果.xlsx"
        code, out, err = run(capsys, "evaluate", SCHEME, str(DEMO), "--format", "xlsx", "-o", str(target))
        assert (0, "") == (code, out), err
        book = openpyxl.load_workbook(target)
        ids = {c.value for row in book.worksheets[0].iter_rows() for c in row[:1]}
        subjects = {s["id"] for s in json.loads(DEMO.read_text(encoding="utf-8"))["subjects"]}
        assert subjects <= ids

    def test_csv_is_the_outcomes_in_chinese_by_default(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The README's totals for the demo: 一般 28, 好 10, 差 7, insufficient_evidence 5."""
        code, out, err = run(capsys, "evaluate", SCHEME, str(DEMO), "--format", "csv")
        assert 0 == code, err
        rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
        header, body = rows[0], rows[1:]
        assert "最终等次" in header
        assert 50 == len(body)
        final = header.index("最终等次")
        finals = [r[final] for r in body if r[final]]
        assert (28, 10, 7) == (finals.count("一般"), finals.count("好"), finals.count("差"))

    def test_csv_in_english(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "evaluate", SCHEME, str(DEMO), "--format", "csv", "--lang", "en")
        assert 0 == code
        header = next(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(header))


class TestCohortFromSheets:
    def test_a_filled_template_grades_as_the_json(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """The template filled from the demo by the library (pre-filled with cohort=) and read
        back by the command gives every subject the status and grade of the JSON."""
        import villageeval as ve
        from villageeval.office import write_template

        scheme = ve.load_scheme(SCHEME)
        book = tmp_path / "filled.xlsx"
        write_template(scheme, book, cohort=ve.load_cohort(DEMO))
        assert _json_outcomes(capsys, book) == _json_outcomes(capsys, DEMO)

    def test_not_a_workbook_is_bad_input(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"not a zip file at all")
        code, out, err = run(capsys, "evaluate", SCHEME, str(bad))
        assert 2 == code
        assert "Traceback" not in err
        assert "" == out


class TestReport:
    def test_report_is_one_html_file_in_chinese(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        target = tmp_path / "report.html"
        code, out, err = run(capsys, "report", SCHEME, str(DEMO), "-o", str(target))
        assert (0, "", "") == (code, out, err)
        html = target.read_text(encoding="utf-8")
        assert 'lang="zh' in html
        assert "hongxian-team" in html or "红岘村" in html

    def test_report_in_english(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "report", SCHEME, str(DEMO), "--lang", "en")
        assert 0 == code
        assert 'lang="en"' in out


class TestLang:
    def test_explain_in_chinese(self, capsys: pytest.CaptureFixture[str]) -> None:
        """hongxian-team's interview covered 2 of 3 驻村工作队员 (demo.json); 四、3 wants all."""
        code, out, _ = run(capsys, "explain", SCHEME, str(DEMO), "hongxian-team", "--lang", "zh")
        assert 0 == code
        assert "个别谈话:驻村工作队员应全部参与,实际 2/3" in out
        assert "状态:证据不足" in out

    def test_the_table_in_chinese(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "evaluate", SCHEME, str(DEMO), "--lang", "zh")
        assert 0 == code
        assert "合计:好 10、一般 28、差 7、证据不足 5" in out  # in the scale's order

    def test_english_is_the_default_of_the_table_and_explain(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "evaluate", SCHEME, str(DEMO))
        assert "totals: 好 10, 一般 28, 差 7, insufficient_evidence 5" in out
        assert 0 == code
        code, out, _ = run(capsys, "explain", SCHEME, str(DEMO), "hongxian-team")
        assert 0 == code
        assert "interview: only 2 of 3 驻村工作队员 covered; every one must be" in out

    def test_an_unknown_language_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(capsys, "evaluate", SCHEME, str(DEMO), "--lang", "fr")
        assert 2 == code
        assert "fr" in err


class TestOfficesDoc:
    """docs/offices.md's commands, run as a clerk would, on the demo filled into a template."""

    def test_every_command_of_the_page_runs(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import shlex

        import villageeval as ve
        from villageeval.office import write_template

        page = (ROOT / "docs" / "offices.md").read_text(encoding="utf-8")
        blocks = [b.split("```", 1)[0] for b in page.split("```sh\n")[1:]]
        commands = [line for b in blocks for line in b.splitlines() if line.startswith("villageeval ")]
        assert len(commands) >= 5
        monkeypatch.chdir(tmp_path)
        template = [c for c in commands if c.split()[1] == "template"]
        for command in template:
            assert 0 == run(capsys, *shlex.split(command)[1:])[0]
        assert openpyxl.load_workbook(tmp_path / "汇总表.xlsx").sheetnames[0] == "说明"
        # the clerk fills it in: here, the template written again with the demo's numbers
        write_template(ve.load_scheme(SCHEME), tmp_path / "汇总表.xlsx", cohort=ve.load_cohort(DEMO))
        # 班子成员.csv: the members' sheet saved as CSV in GBK, as Chinese Excel saves it
        sheet = openpyxl.load_workbook(tmp_path / "汇总表.xlsx")["班子成员"]
        with open(tmp_path / "班子成员.csv", "w", encoding="gbk", newline="") as f:
            csv.writer(f).writerows(
                [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
            )
        outputs = {}
        for command in (c for c in commands if c not in template):
            code, out, err = run(capsys, *shlex.split(command)[1:])
            assert 0 == code, (command, err)
            outputs[command] = (out, err)
        explain = next(out for command, (out, _) in outputs.items() if command.split()[1] == "explain")
        shown = page.split("```text\n", 1)[1].split("```", 1)[0].strip()
        assert shown in explain
        gbk = next(err for command, (_, err) in outputs.items() if command.endswith(".csv --lang zh"))
        assert "GBK" in gbk
        for name in ("评定结果.xlsx", "评定报告.html"):
            assert (tmp_path / name).stat().st_size > 0
