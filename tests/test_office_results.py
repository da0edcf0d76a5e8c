"""Results out for township offices: the workbook (villageeval.office.write_result_workbook) and the CSV.

Expectations are worked out from the documents, not from the writer's output:

- huining-midterm-2023's demo: the README prints the totals 一般 28, 好 10, 差 7,
  insufficient_evidence 5, and gives xicha-secretary as 2186/25 (87.44), 87 rounded,
  raw 好 and final 差 by the veto ``absentee`` (四、6); beiguan-team is 23453/275 ≈ 85.28
  (worked by hand in tests/test_huining.py). By role (docs/schemes/huining-midterm-2023.md,
  "The demo cohort"): 差 are the teams of 杨庄 and 何湾 and five members, insufficient are
  红岘's team and three members and tuanzhuang-member-3; of the other nine teams, four are
  好 (北关, 东坪, 李家河, 团庄: each ≥ 85 in the demo's table of the README command), so teams
  are 好 4, 一般 4, 差 2 and members 好 6, 一般 24, 差 5.
- dazehu-annual-2021's demo: docs/schemes/dazehu-annual-2021.md, "The demo cohort", works
  out every quota (limits by floor: 4 of 8 villages, 3 of 8 secretaries, 4 of 16 cadres, 2
  of 5 work teams), the ties, the caps, the three warnings and the totals per role.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import openpyxl
import pytest

import villageeval as ve
from villageeval._catalogue import render_reason, render_step, render_text
from villageeval.office import write_result_csv, write_result_workbook

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"
HUINING = SCHEMES / "huining-midterm-2023"
DAZEHU = SCHEMES / "dazehu-annual-2021"

ZH_SHEETS = ["结果", "名额", "提请研究", "说明", "统计", "审计"]
EN_SHEETS = ["Outcomes", "Quotas", "For the committee", "Explanation", "Distribution", "Audit"]
ZH_OUTCOME_HEADERS = [
    "编号",
    "名称",
    "所在单位",
    "类别",
    "状态",
    "得分",
    "精确得分",
    "修约后得分",
    "初定等次",
    "最终等次",
    "等次调整",
    "结果运用",
    "发现问题",
    "未评定原因",
    "提示",
]
EN_OUTCOME_HEADERS = [
    "Subject id",
    "Name",
    "Unit",
    "Role",
    "Status",
    "Score",
    "Exact score",
    "Rounded score",
    "Grade by score",
    "Final grade",
    "Adjustments",
    "Consequences",
    "Findings",
    "Reasons not graded",
    "Flags",
]
#: Column numbers (1-based) of the outcomes sheet.
COL = {key: i for i, key in enumerate(EN_OUTCOME_HEADERS, 1)}


@pytest.fixture(scope="module")
def huining() -> tuple[Any, Any]:
    scheme = ve.load_scheme(HUINING)
    return scheme, ve.evaluate(scheme, ve.load_cohort(HUINING / "demo.json"))


@pytest.fixture(scope="module")
def dazehu() -> tuple[Any, Any]:
    scheme = ve.load_scheme(DAZEHU)
    return scheme, ve.evaluate(scheme, ve.load_cohort(DAZEHU / "demo.json"))


@pytest.fixture(scope="module")
def huining_xlsx(huining: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("huining") / "result.xlsx"
    write_result_workbook(huining[1], huining[0], path)  # Chinese by default
    return path


@pytest.fixture(scope="module")
def huining_book(huining_xlsx: Path) -> Any:
    return openpyxl.load_workbook(huining_xlsx)


@pytest.fixture(scope="module")
def dazehu_book(dazehu: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("dazehu") / "result.xlsx"
    write_result_workbook(dazehu[1], dazehu[0], path, lang="zh")
    return openpyxl.load_workbook(path)


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def _row_of(sheet: Any, subject_id: str) -> int:
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == subject_id:
            return int(row[0].row)
    raise AssertionError(f"no row for {subject_id}")


def _cell(sheet: Any, subject_id: str, column: str) -> Any:
    return sheet.cell(row=_row_of(sheet, subject_id), column=COL[column])


def _sheet_xml(path: Path, index: int) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def _cells(sheet: Any, ref: str) -> list[Any]:
    """The values of a chart's reference such as ``'统计'!$B$2:$B$4``."""
    _, _, cells = ref.partition("!")
    return [row[0].value for row in sheet[cells.replace("$", "")]]


class TestSheets:
    def test_chinese_by_default(self, huining_book: Any) -> None:
        """Sheet names are the catalogue's Chinese ones, in the documented order."""
        assert ZH_SHEETS == huining_book.sheetnames

    def test_english(self, huining: tuple[Any, Any], tmp_path: Path) -> None:
        """lang="en": English sheet names and headers."""
        path = tmp_path / "en.xlsx"
        write_result_workbook(huining[1], huining[0], path, lang="en")
        book = openpyxl.load_workbook(path)
        assert EN_SHEETS == book.sheetnames
        assert EN_OUTCOME_HEADERS == list(_rows(book["Outcomes"])[0])
        assert "graded" == _cell(book["Outcomes"], "beiguan-team", "Status").value

    def test_unknown_language(self, huining: tuple[Any, Any], tmp_path: Path) -> None:
        """A language the catalogue does not have is a ValueError naming the ones it has."""
        with pytest.raises(ValueError, match="en, zh"):
            write_result_workbook(huining[1], huining[0], tmp_path / "x.xlsx", lang="fr")
        with pytest.raises(ValueError, match="en, zh"):
            write_result_csv(huining[1], huining[0], tmp_path / "x.csv", lang="fr")


class TestOutcomesSheet:
    def test_headers(self, huining_book: Any) -> None:
        """The Chinese headers, frozen, with an autofilter over the whole table."""
        sheet = huining_book["结果"]
        assert ZH_OUTCOME_HEADERS == list(_rows(sheet)[0])
        assert "A2" == sheet.freeze_panes
        assert "A1:O51" == sheet.auto_filter.ref  # 15 columns, a header and 50 subjects

    def test_one_row_per_outcome_in_order(self, huining_book: Any) -> None:
        """One row per subject of the demo, sorted by id as the result orders them."""
        subjects = json.loads((HUINING / "demo.json").read_text(encoding="utf-8"))["subjects"]
        assert sorted(s["id"] for s in subjects) == [row[0] for row in _rows(huining_book["结果"])[1:]]

    def test_xicha_secretary(self, huining_book: Any) -> None:
        """87.44, rounded 87, 好 by score, 差 by the veto absentee (四、6), then 集中整顿 (四、7)."""
        sheet = huining_book["结果"]
        row = [c.value for c in sheet[_row_of(sheet, "xicha-secretary")]]
        assert ["xicha-secretary", "牛某(西岔村党支部书记、村委会主任)", "西岔村", "班子成员", "已评定"] == row[:5]
        assert (Decimal("87.44"), "87.44", 87, "好", "差") == (Decimal(str(row[5])), *row[6:10])
        assert "否决 absentee(四、6): 好→差" == row[COL["Adjustments"] - 1]
        assert "乡党委采取调整、改选、撤换、责令辞职等方式逐一集中整顿(四、7)" == row[COL["Consequences"] - 1]
        assert "absentee" in row[COL["Flags"] - 1]

    def test_scores_are_exact_numbers(self, huining_book: Any, huining_xlsx: Path) -> None:
        """The score cell holds the engine's decimal as written (87.44), formatted to its two places."""
        sheet = huining_book["结果"]
        score = _cell(sheet, "xicha-secretary", "Score")
        assert ("n", "0.00") == (score.data_type, score.number_format)
        assert "0" == _cell(sheet, "xicha-secretary", "Rounded score").number_format
        xml = _sheet_xml(huining_xlsx, 1)
        assert re.search(rf'<c r="F{score.row}"[^>]*><v>87.44</v></c>', xml)

    def test_exact_score_as_text(self, huining_book: Any) -> None:
        """beiguan-team is 23453/275 exactly: not a finite decimal, so kept as a fraction beside 85.28."""
        sheet = huining_book["结果"]
        assert "23453/275" == _cell(sheet, "beiguan-team", "Exact score").value
        assert Decimal("85.28") == Decimal(str(_cell(sheet, "beiguan-team", "Score").value))

    def test_insufficient_evidence(self, huining: tuple[Any, Any], huining_book: Any) -> None:
        """红岘's team: not graded, no score, its reason rendered in Chinese by the catalogue."""
        sheet = huining_book["结果"]
        row = [c.value for c in sheet[_row_of(sheet, "hongxian-team")]]
        assert "依据不足,未评定" == row[COL["Status"] - 1]
        assert [None] * 5 == row[COL["Score"] - 1 : COL["Final grade"]]
        reasons = huining[1].outcome("hongxian-team").reasons
        assert "\n".join(render_reason(r, "zh") for r in reasons) == row[COL["Reasons not graded"] - 1]

    def test_columns_fit_chinese(self, huining_book: Any) -> None:
        """The name column is at least as wide as its longest name, at two units a Chinese character."""
        sheet = huining_book["结果"]
        names = [row[1] for row in _rows(sheet)[1:]]
        needed = max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in name) for name in names)
        assert sheet.column_dimensions["B"].width >= needed

    def test_unrepresentable_score_is_text(self, huining: tuple[Any, Any], tmp_path: Path) -> None:
        """A score display with more digits than a double holds is written as text, exactly."""
        scheme, result = huining
        long = "87.4400000000000000001"
        outcomes = tuple(
            attrs.evolve(o, score_display=long) if o.subject_id == "xicha-secretary" else o for o in result.outcomes
        )
        path = tmp_path / "long.xlsx"
        write_result_workbook(attrs.evolve(result, outcomes=outcomes), scheme, path)
        cell = _cell(openpyxl.load_workbook(path)["结果"], "xicha-secretary", "Score")
        assert ("s", long) == (cell.data_type, cell.value)


def _forged_result(scheme: Any) -> Any:
    """The demo's beiguan-team, renamed to texts that Excel would read as a formula or an error."""
    demo = json.loads((HUINING / "demo.json").read_text(encoding="utf-8"))
    subject = next(s for s in demo["subjects"] if s["id"] == "beiguan-team")
    subject = {**subject, "name": '=HYPERLINK("http://example.com","点我")', "unit": "@SUM(A1:A9)"}
    second = {**subject, "id": "beiguan-team-2", "name": "#N/A", "unit": "+1"}
    return ve.evaluate(scheme, ve.cohort_from_dict({**demo, "subjects": [subject, second]}))


class TestFormulaLookingText:
    def test_workbook_keeps_it_text(self, huining: tuple[Any, Any], tmp_path: Path) -> None:
        """A name starting with = is a string cell with Excel's quote prefix, never a formula."""
        scheme = huining[0]
        path = tmp_path / "forged.xlsx"
        write_result_workbook(_forged_result(scheme), scheme, path)
        sheet = openpyxl.load_workbook(path)["结果"]
        name, unit = sheet["B2"], sheet["C2"]
        assert ("s", '=HYPERLINK("http://example.com","点我")', True) == (
            name.data_type,
            name.value,
            name.quotePrefix,
        )
        assert ("s", "@SUM(A1:A9)", True) == (unit.data_type, unit.value, unit.quotePrefix)
        assert ("s", "#N/A") == (sheet["B3"].data_type, sheet["B3"].value)  # not an error value
        assert "<f>" not in _sheet_xml(path, 1)

    def test_csv_escapes_it(self, huining: tuple[Any, Any]) -> None:
        """In the CSV a text starting with = + - @ gets a leading apostrophe; scores do not."""
        scheme = huining[0]
        out = io.StringIO(newline="")
        write_result_csv(_forged_result(scheme), scheme, out)
        rows = list(csv.reader(io.StringIO(out.getvalue().removeprefix("\ufeff"), newline="")))
        assert ['\'=HYPERLINK("http://example.com","点我")', "'@SUM(A1:A9)"] == rows[1][1:3]
        assert ["#N/A", "'+1"] == rows[2][1:3]
        assert "85.28" == rows[1][COL["Score"] - 1]


class TestQuotaSheet:
    def test_usage_per_population(self, dazehu_book: Any) -> None:
        """Each quota of dazehu's demo as docs/schemes/dazehu-annual-2021.md works it out."""
        rows = _rows(dazehu_book["名额"])
        assert (
            "名额规则",
            "条款",
            "等次",
            "限制",
            "执行方式",
            "范围",
            "总数",
            "名额数",
            "调整前数量",
            "调整后数量",
            "调整对象",
            "临界并列",
            "状态",
            "条款原文",
        ) == rows[0]
        # quota, grade, bound, enforcement, group, size, limit, before, after, moved, ties, status
        assert [
            ("village_first_class", "一类", "不超过", "刚性", "全体", 8, 4, 5, 4, "xitang-village",
             "dongma-village\nxitang-village", "已降等"),
            ("secretary_excellent", "优秀", "不超过", "刚性", "全体", 8, 3, 4, 3, "taoyuan-secretary", None, "已降等"),
            ("cadre_excellent", "优秀", "不超过", "原则上", "全体", 16, 4, 6, 6, None, None, "仅提示"),
            ("work_team_excellent", "优秀", "不超过", "刚性", "全体", 5, 2, 3, 2, "taoyuan-work-team",
             "nantang-work-team\ntaoyuan-work-team", "已降等"),
        ] == [(r[0], *r[2:13]) for r in rows[1:]]  # fmt: skip
        assert {"三、(一)2(3)"} == {r[1] for r in rows[1:]}
        assert rows[1][13].startswith("村(社区):由街道党工委确定考核等次,评定为“一类”的个数不得超过")

    def test_no_quota(self, huining_book: Any) -> None:
        """huining's scheme has no quota: the headers alone."""
        assert 1 == len(_rows(huining_book["名额"]))


class TestCommitteeSheet:
    def test_warnings_and_flags(self, dazehu: tuple[Any, Any], dazehu_book: Any) -> None:
        """The three warnings, then every flagged subject: four tied at a cut, three capped."""
        rows = _rows(dazehu_book["提请研究"])
        assert ("类型", "编号", "名称", "内容") == rows[0]
        warnings = [r for r in rows[1:] if r[0] == "警告"]
        assert [render_text(w, "zh") for w in dazehu[1].warnings] == [r[3] for r in warnings]
        assert 3 == len(warnings)
        flagged = {(r[1], r[3].split(" ")[0]) for r in rows[1:] if r[0] == "标记"}
        assert {
            ("dongma-village", "名额"),
            ("xitang-village", "名额"),
            ("nantang-work-team", "名额"),
            ("taoyuan-work-team", "名额"),
            ("baihe-secretary", "限定情形"),
            ("qingshan-secretary", "限定情形"),
            ("xitang-secretary", "限定情形"),
        } == flagged
        assert 10 == len(rows) - 1
        tie = next(r for r in rows if r[1] == "xitang-village")
        assert "village_first_class" in tie[3]
        assert "临界并列" in tie[3]


class TestExplanationSheet:
    def test_xicha_secretary_steps(self, huining: tuple[Any, Any], huining_book: Any) -> None:
        """Five sub-scores, the total, rounding, the band, the veto, 集中整顿 and the final grade."""
        rows = [r for r in _rows(huining_book["说明"]) if r[0] == "xicha-secretary"]
        assert ["得分"] * 5 + ["总分", "修约", "定等", "否决", "结果运用", "最终等次"] == [r[3] for r in rows]
        assert list(range(1, 12)) == [r[2] for r in rows]
        veto = rows[8]
        assert ("absentee", "四、6") == (veto[5], veto[6])
        trace = huining[1].outcome("xicha-secretary").trace
        assert [render_step(t, "zh") for t in trace] == [r[4] for r in rows]

    def test_one_row_per_step(self, huining: tuple[Any, Any], huining_book: Any) -> None:
        """Every step of every outcome, under one header row."""
        rows = _rows(huining_book["说明"])
        assert ("编号", "名称", "序号", "步骤", "说明", "规则", "条款") == rows[0]
        assert sum(len(o.trace) for o in huining[1].outcomes) == len(rows) - 1


class TestDistribution:
    def _charts(self, book: Any) -> list[tuple[list[Any], list[Any]]]:
        sheet = book["统计"]
        charts = sheet._charts
        assert all(isinstance(c, openpyxl.chart.BarChart) and c.type == "col" for c in charts)
        return [(_cells(sheet, c.series[0].cat.strRef.f), _cells(sheet, c.series[0].val.numRef.f)) for c in charts]

    def test_huining(self, huining_book: Any) -> None:
        """One chart per role, in the scheme's order; grades in the scale's order (好, 一般, 差)."""
        charts = self._charts(huining_book)
        assert [(["好", "一般", "差"], [4, 4, 2]), (["好", "一般", "差"], [6, 24, 5])] == charts
        assert [10, 28, 7] == [a + b for a, b in zip(charts[0][1], charts[1][1], strict=True)]  # the README's totals

    def test_not_graded_counted_beside(self, huining_book: Any) -> None:
        """Below each role's grades, the subjects not graded: 1 team and 4 members insufficient."""
        rows = _rows(huining_book["统计"])
        assert [1, 4] == [r[1] for r in rows if r[0] == "依据不足,未评定"]
        assert ("村“两委”班子", "数量") == rows[0][:2]

    def test_dazehu_scales(self, dazehu_book: Any) -> None:
        """Each role on its own scale: villages 一类…三类, people 优秀…不称职."""
        person = ["优秀", "称职", "基本称职", "不称职"]
        assert [
            (["一类", "二类", "三类"], [4, 3, 1]),
            (person, [3, 4, 1, 0]),
            (person, [6, 7, 1, 1]),
            (person, [2, 3, 0, 0]),
        ] == self._charts(dazehu_book)


class TestAuditSheet:
    def test_stamp(self, huining: tuple[Any, Any], huining_book: Any) -> None:
        """Scheme, hashes, decision id, time, version and the built-in plugin, as the result stamps them."""
        result = huining[1]
        rows = dict(_rows(huining_book["审计"])[1:])
        assert "huining-midterm-2023" == rows["方案编号"]
        assert "村“两委”班子届中履职分析(2023)" == rows["方案名称"]
        assert rows["依据文件"].startswith("会组发〔2023〕60号")
        assert "2023" == rows["考核期"]
        assert (result.scheme_hash, result.cohort_hash) == (rows["方案哈希"], rows["数据哈希"])
        assert rows["方案哈希"].startswith("sha256:")
        assert rows["数据哈希"].startswith("sha256:")
        assert (result.decision_id, result.evaluated_at) == (rows["评定编号"], rows["评定时间(UTC)"])
        assert ve.__version__ == rows["villageeval 版本"]
        assert rows["插件 villageeval._builtin"].startswith(f"villageeval {ve.__version__} sha256:")


class TestCsv:
    def test_file(self, huining: tuple[Any, Any], tmp_path: Path) -> None:
        """UTF-8 with a BOM, \\r\\n lines, the outcomes sheet's columns, one row per outcome."""
        path = tmp_path / "result.csv"
        write_result_csv(huining[1], huining[0], path)
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert 51 == data.count(b"\r\n")  # a header and 50 records; a line break inside a cell is a bare \n
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert ZH_OUTCOME_HEADERS == rows[0]
        assert 51 == len(rows)
        xicha = next(r for r in rows if r[0] == "xicha-secretary")
        assert ["87.44", "87.44", "87", "好", "差", "否决 absentee(四、6): 好→差"] == xicha[5:11]
        hongxian = next(r for r in rows if r[0] == "hongxian-team")
        assert ("依据不足,未评定", "") == (hongxian[4], hongxian[5])
        yangzhuang = next(r for r in rows if r[0] == "yangzhuang-secretary")  # 差 with serious problems
        assert [
            "乡党委采取调整、改选、撤换、责令辞职等方式逐一集中整顿(四、7)",
            "问题严重的,及时组织处理,并移交相关执法部门调查处理(四、7)",
        ] == yangzhuang[COL["Consequences"] - 1].split("\n")

    def test_stream_in_english(self, huining: tuple[Any, Any]) -> None:
        """A stream gets the BOM as its first character; lang="en" gives English headers."""
        out = io.StringIO(newline="")
        write_result_csv(huining[1], huining[0], out, lang="en")
        assert out.getvalue().startswith("\ufeffSubject id,Name,")
        rows = list(csv.reader(io.StringIO(out.getvalue()[1:], newline="")))
        assert EN_OUTCOME_HEADERS == rows[0]
        assert "veto absentee (四、6): 好 → 差" == next(r for r in rows if r[0] == "xicha-secretary")[10]


class TestRankColumns:
    """A 名次 column per ranking, after the final grade: yugong-pledge-2023's 综合排名 (三、(二)2).

    The demo's places are worked out by hand in tests/test_scheme_yugong.py
    (TestDemo.test_ranking): 王庄's 一人兼 first with 277/3, the two barred subjects and
    the ineligible one without a place. ranking.toml's r-c1 and r-c2 share place 4.
    """

    def _book(self, tmp_path: Path, cohort: Path) -> Any:
        scheme = ve.load_scheme(SCHEMES / "yugong-pledge-2023")
        result = ve.evaluate(scheme, ve.load_cohort(cohort) if cohort.suffix == ".json" else _case_cohort(cohort))
        path = tmp_path / "out.xlsx"
        write_result_workbook(result, scheme, path)
        return openpyxl.load_workbook(path)["结果"]

    def test_demo(self, tmp_path: Path) -> None:
        sheet = self._book(tmp_path, SCHEMES / "yugong-pledge-2023" / "demo.json")
        headers = [c.value for c in sheet[1]]
        assert headers[9:12] == ["最终等次", "名次:对村干部考评情况进行综合排名", "等次调整"]
        places = {row[0]: row[10] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert places["wangzhuang-both"] == 1
        assert places["beishan-secretary"] == 10
        assert places["shiqiao-both"] is None  # barred: no total, no place (an empty cell)
        assert places["liugou-secretary"] is None  # ineligible

    def test_shared_place(self, tmp_path: Path) -> None:
        sheet = self._book(tmp_path, SCHEMES / "yugong-pledge-2023" / "cases" / "ranking.toml")
        places = {row[0]: row[10] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert (places["r-c1"], places["r-c2"], places["r-d"]) == ("4(并列)", "4(并列)", 6)


def _case_cohort(path: Path) -> ve.Cohort:
    """The cohort of a case file, as villageeval test reads it."""
    from villageeval.testing._cases import load_case

    return load_case(path).cohort
