"""The 汇总表 template: sheets, headers, keys, checks, panes, widths and the cover, read with openpyxl.

Every expectation is read off the scheme files by hand (schemes/*/scheme.toml: role labels,
instrument titles and clauses, tiers, items, facts, the [source] table) or counted from
the layout the module docstrings describe (A id, B name, C role, D unit, then each
instrument's columns in the scheme's order).
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

import villageeval as ve
from villageeval.office import write_template

ROOT = Path(__file__).resolve().parent.parent
HUINING_TEAM = "村“两委”班子"
HUINING_MEMBER = "班子成员"


def written(tmp_path: Path, scheme_id: str, lang: str = "zh", cohort: ve.Cohort | None = None) -> Any:
    path = tmp_path / f"{scheme_id}-{lang}.xlsx"
    write_template(ve.load_scheme(scheme_id), path, lang=lang, cohort=cohort)
    return openpyxl.load_workbook(path)


Books = Callable[..., Any]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Books:
    """The template of a scheme in a language, written and opened once for the module's tests."""
    made: dict[tuple[str, str], Any] = {}

    def get(scheme_id: str, lang: str = "zh") -> Any:
        if (scheme_id, lang) not in made:
            made[scheme_id, lang] = written(tmp_path_factory.mktemp("template"), scheme_id, lang)
        return made[scheme_id, lang]

    return get


def row(sheet: Worksheet, number: int, last: int | None = None) -> list[Any]:
    return [c.value for c in sheet[number]][:last]


def validation_of(sheet: Worksheet, cell: str) -> Any:
    """The one data validation whose ranges hold ``cell``."""
    [found] = [dv for dv in sheet.data_validations.dataValidation if cell in dv.sqref]
    return found


def cover_rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [tuple(v for v in r if v is not None) for r in sheet.iter_rows(values_only=True)]


class TestSheets:
    def test_a_cover_then_a_sheet_per_role(self, book: Books) -> None:
        """说明 first, then one sheet per role named by its label, in the scheme's order, then a
        list sheet per item ballot or ledger, named by its title."""
        assert ["说明", HUINING_TEAM, HUINING_MEMBER] == book("huining-midterm-2023").sheetnames
        assert [
            "说明",
            "村党支部书记",
            "村委会主任",
            "村党支部书记兼村委会主任(“一人兼”)",
            "承诺事项逐项表决",
        ] == book("yugong-pledge-2023").sheetnames
        assert ["说明", "村级组织(村党组织、村委会等)", "整顿工作台账(问题清单)"] == book(
            "tianxing-rectification-2015"
        ).sheetnames

    def test_english_names_its_own_sheet_only(self, book: Books) -> None:
        """lang="en": the cover is "About"; the role sheets keep the scheme's labels."""
        assert ["About", HUINING_TEAM, HUINING_MEMBER] == book("huining-midterm-2023", "en").sheetnames

    def test_unknown_language(self, tmp_path: Path) -> None:
        """A language the catalogue does not have is a ValueError naming the ones it has."""
        with pytest.raises(ValueError, match="unknown language 'fr'"):
            write_template(ve.load_scheme("huining-midterm-2023"), tmp_path / "x.xlsx", lang="fr")

    def test_wrong_arguments(self, tmp_path: Path) -> None:
        """A scheme id or a cohort's path is a TypeError, not a half-written file."""
        with pytest.raises(TypeError):
            write_template("huining-midterm-2023", tmp_path / "x.xlsx")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            write_template(ve.load_scheme("huining-midterm-2023"), tmp_path / "x.xlsx", cohort="demo.json")  # type: ignore[arg-type]
        assert not (tmp_path / "x.xlsx").exists()


class TestHeaders:
    def test_three_header_rows_of_the_team_sheet(self, book: Books) -> None:
        """Row 1: the instrument's title and clause; row 2: tiers and categories; row 3: the keys."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        # 四、2 述职测评 (three tiers), then 四、3 个别谈话: three tiers and every_member coverage of 3 categories.
        assert ["基本信息", None, None, None, "述职测评(四、2)", None, None, "个别谈话(四、3)"] == row(sheet, 1, 8)
        assert [
            "编号(不得重复)",
            "姓名(名称)",
            "考核对象类别",
            "所在村(社区)",
            "好",
            "一般",
            "差",
            "好",
            "一般",
            "差",
            "包村干部(已覆盖)",
            "包村干部(总人数)",
        ] == row(sheet, 2, 12)
        assert [
            "id",
            "name",
            "role",
            "unit",
            "evidence.appraisal.tallies.好",
            "evidence.appraisal.tallies.一般",
            "evidence.appraisal.tallies.差",
            "evidence.interview.tallies.好",
            "evidence.interview.tallies.一般",
            "evidence.interview.tallies.差",
            "evidence.interview.coverage.包村干部.count",
            "evidence.interview.coverage.包村干部.of",
        ] == row(sheet, 3, 12)

    def test_every_column_of_the_member_sheet(self, book: Books) -> None:
        """The keys, instrument by instrument: strata in pairs, a tier, at_least_one coverage, a score, facts."""
        keys = row(book("huining-midterm-2023")[HUINING_MEMBER], 3)
        strata = [f"evidence.household_visit.strata.{n}.{part}" for n in range(1, 9) for part in ("name", "count")]
        facts = ["clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee"]
        assert [
            "id",
            "name",
            "role",
            "unit",
            *(f"evidence.appraisal.tallies.{t}" for t in ("好", "一般", "差")),
            *(f"evidence.interview.tallies.{t}" for t in ("好", "一般", "差")),
            *(
                f"evidence.interview.coverage.{c}.{k}"
                for c in ("包村干部", "村干部", "驻村工作队员")
                for k in ("count", "of")
            ),
            *(f"evidence.household_visit.tallies.{t}" for t in ("好", "一般", "差")),
            *strata,
            "evidence.site_inspection.tier",
            *(f"evidence.site_inspection.coverage.{c}" for c in ("乡村建设项目", "人居环境整治", "集体经济项目")),
            "evidence.party_committee.value",
            *(f"facts.{name}" for name in [*facts, "serious_problems"]),
        ] == keys

    def test_titles_merged_over_their_columns(self, book: Books) -> None:
        """Each instrument's title is one merged cell over its columns (A–D: who; E–G 述职测评; H–P 个别谈话)."""
        merged = {str(r) for r in book("huining-midterm-2023")[HUINING_TEAM].merged_cells.ranges}
        assert {"A1:D1", "E1:G1", "H1:P1"} <= merged

    def test_keys_tell_two_instruments_with_one_title_apart(self, book: Books, tmp_path: Path) -> None:
        """Two instruments titled alike get the same headers but their own keys and merged cells."""
        scheme = ve.loads_scheme(TWO_TITLES)
        write_template(scheme, tmp_path / "t.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["村书记"]
        assert ["民主测评(一)", None, "民主测评(一)", None] == row(sheet, 1)[4:8]
        assert ["合格", "不合格", "合格", "不合格"] == row(sheet, 2)[4:8]
        assert [
            "evidence.party.tallies.合格",
            "evidence.party.tallies.不合格",
            "evidence.villagers.tallies.合格",
            "evidence.villagers.tallies.不合格",
        ] == row(sheet, 3)[4:8]
        assert {"E1:F1", "G1:H1"} <= {str(r) for r in sheet.merged_cells.ranges}

    def test_strata_without_a_label(self, tmp_path: Path) -> None:
        """A ballot counted per stratum with no label: the catalogue's word (抽样分层) names the pairs."""
        scheme = ve.loads_scheme(
            TWO_TITLES.replace(
                'scale = "grade"\n[weightings', 'scale = "grade"\nper_stratum = { min = 1 }\n[weightings'
            )
        )
        write_template(scheme, tmp_path / "t.xlsx")
        book = openpyxl.load_workbook(tmp_path / "t.xlsx")
        sheet = book["村书记"]
        assert ["抽样分层1", "抽样分层1人数"] == row(sheet, 2)[8:10]
        assert ["evidence.villagers.strata.1.name", "evidence.villagers.strata.1.count"] == row(sheet, 3)[8:10]
        assert any("按抽样分层统计的" in str(r) for r in cover_rows(book["说明"]))

    def test_points_history_and_defaults(self, book: Books) -> None:
        """yugong: items with their maxima, facts with their defaults, the year before 2023 for 连续两年."""
        sheet = book("yugong-pledge-2023")["村党支部书记"]
        keys, labels = row(sheet, 3), row(sheet, 2)
        assert "进展情况(满分50分)" == labels[keys.index("evidence.inspection.items.progress")]
        assert "群众认可程度(满分50分)" == labels[keys.index("evidence.inspection.items.recognition")]
        assert (
            "与本村另一名承诺主体(书记或主任)承诺事项交叉的件数(空白按“0”)"
            == labels[keys.index("facts.overlapping_items")]
        )
        assert "2022" == labels[keys.index("history.2022")]
        assert "往期评定等次" == row(sheet, 1)[keys.index("history.2022")]

    def test_english_headers(self, book: Books) -> None:
        """lang="en": the workbook's own words in English, the scheme's as the scheme writes them."""
        sheet = book("huining-midterm-2023", "en")[HUINING_TEAM]
        assert ["Subject", None, None, None, "述职测评 (四、2)"] == row(sheet, 1, 5)
        assert ["ID (unique)", "Name", "Role", "Village", "好"] == row(sheet, 2, 5)
        assert "包村干部: covered" == sheet["K2"].value

    def test_the_key_row_is_hidden_and_the_headers_frozen(self, book: Books) -> None:
        """Row 3 is hidden; panes are frozen below row 3 and right of column B (ID and name)."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        assert sheet.row_dimensions[3].hidden
        assert not sheet.row_dimensions[2].hidden
        assert "C4" == sheet.freeze_panes


class TestChecks:
    def test_counts_are_whole_numbers_of_zero_or_more(self, book: Books) -> None:
        """Tallies (E) and coverage (K) accept whole numbers ≥ 0, on every row offered."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        for cell in ("E4", "K4", "E103"):
            check = validation_of(sheet, cell)
            assert ("whole", "greaterThanOrEqual", "0") == (check.type, check.operator, check.formula1)
            assert "请填写不小于0的整数。" == check.error

    def test_tiers_from_the_scale(self, book: Books) -> None:
        """实地查看 (AJ: after 35 columns of who, ballots and strata) is a drop-down of 好, 一般, 差."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        assert "evidence.site_inspection.tier" == sheet["AJ3"].value
        check = validation_of(sheet, "AJ4")
        assert ("list", '"好,一般,差"') == (check.type, check.formula1)

    def test_a_score_within_its_range(self, book: Books) -> None:
        """乡镇党委评价 (AN) takes a number from 0 to 100 (its min and max)."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        assert "evidence.party_committee.value" == sheet["AN3"].value
        check = validation_of(sheet, "AN4")
        assert ("decimal", "between", "0", "100") == (check.type, check.operator, check.formula1, check.formula2)

    def test_yes_no_facts(self, book: Books) -> None:
        """A yes/no fact is a 是/否 drop-down (yes/no in English)."""
        zh = book("huining-midterm-2023")[HUINING_TEAM]
        assert "facts.clan_interference" == zh["AO3"].value
        assert ("list", '"是,否"') == (validation_of(zh, "AO4").type, validation_of(zh, "AO4").formula1)
        en = book("huining-midterm-2023", "en")[HUINING_TEAM]
        assert '"yes,no"' == validation_of(en, "AO4").formula1

    def test_the_role_column(self, book: Books) -> None:
        """The role column is filled in with the role's label and offers only it."""
        sheet = book("huining-midterm-2023")[HUINING_MEMBER]
        assert [HUINING_MEMBER] * 100 == [sheet.cell(row=r, column=3).value for r in range(4, 104)]
        assert '"班子成员"' == validation_of(sheet, "C4").formula1

    def test_items_number_facts_and_history(self, book: Books) -> None:
        """yugong: an item from 0 to its max of 50, a number fact, and an earlier grade from the role's grades."""
        sheet = book("yugong-pledge-2023")["村党支部书记"]
        at = {key: i for i, key in enumerate(row(sheet, 3), start=1)}

        def check(key: str) -> Any:
            return validation_of(sheet, sheet.cell(row=4, column=at[key]).coordinate)

        item = check("evidence.inspection.items.progress")
        assert ("decimal", "between", "0", "50") == (item.type, item.operator, item.formula1, item.formula2)
        facts = check("facts.overlapping_items")
        assert ("decimal", "between") == (facts.type, facts.operator)
        assert ("list", '"合格,不合格"') == (check("history.2022").type, check("history.2022").formula1)


class TestListSheets:
    def test_an_item_ballots_sheet(self, book: Books) -> None:
        """yugong's 承诺事项逐项表决: the subject's id, the item, a column per tier; expected in the role sheets."""
        sheet = book("yugong-pledge-2023")["承诺事项逐项表决"]
        assert ["基本信息", "承诺事项逐项表决(三、(一)3)", None, None, None] == row(sheet, 1)
        assert ["考核对象编号", "承诺事项(原文)", "满意", "基本满意", "不满意"] == row(sheet, 2)
        assert [
            "id",
            "evidence.pledge_vote.votes[].item",
            *(f"evidence.pledge_vote.votes[].tallies.{t}" for t in ("满意", "基本满意", "不满意")),
        ] == row(sheet, 3)
        assert {"B1:E1"} <= {str(r) for r in sheet.merged_cells.ranges}
        assert sheet.row_dimensions[3].hidden
        for cell in ("C4", "E103"):
            check = validation_of(sheet, cell)
            assert ("whole", "greaterThanOrEqual", "0") == (check.type, check.operator, check.formula1)
        secretary = book("yugong-pledge-2023")["村党支部书记"]
        keys, labels = row(secretary, 3), row(secretary, 2)
        assert "应到人数" == labels[keys.index("evidence.pledge_vote.expected")]
        assert not [k for k in keys if "[]" in k]

    def test_a_ledgers_sheet(self, book: Books) -> None:
        """tianxing's 整顿工作台账: a row per problem, dates checked as dates, 是/否; as_of in the role sheet."""
        sheet = book("tianxing-rectification-2015")["整顿工作台账(问题清单)"]
        assert ["考核对象编号", "问题", "发现日期", "整改时限", "销号日期", "是否验收通过"] == row(sheet, 2)
        assert [
            "id",
            *(f"evidence.ledger.entries[].{k}" for k in ("problem", "found", "deadline", "closed", "verified")),
        ] == row(sheet, 3)
        for cell in ("C4", "D4", "E103"):
            check = validation_of(sheet, cell)
            assert ("date", "请填写日期(如2015-06-30)。") == (check.type, check.error)
        assert ("list", '"是,否"') == (validation_of(sheet, "F4").type, validation_of(sheet, "F4").formula1)
        assert "yyyy-mm-dd" == sheet.column_dimensions["C"].number_format
        village = book("tianxing-rectification-2015")["村级组织(村党组织、村委会等)"]
        keys, labels = row(village, 3), row(village, 2)
        at = keys.index("evidence.ledger.as_of")
        assert "台账截止日期" == labels[at]
        assert "date" == validation_of(village, village.cell(row=4, column=at + 1).coordinate).type

    def test_english(self, book: Books) -> None:
        """lang="en": the list sheet's own headers in English."""
        sheet = book("tianxing-rectification-2015", "en")["整顿工作台账(问题清单)"]
        assert ["ID of the subject", "Problem", "Found on", "Deadline", "Closed on", "Closure verified"] == row(
            sheet, 2
        )

    def test_the_cover_names_the_list_sheets(self, book: Books) -> None:
        """The sheet is listed, the instrument says where it goes, and an instruction says how."""
        rows = cover_rows(book("tianxing-rectification-2015")["说明"])
        assert ("整顿工作台账(问题清单)", "整顿工作台账(问题清单)") in rows
        assert (
            "整顿工作台账(问题清单)",
            "五、(二)",
            "在“整顿工作台账(问题清单)”表中每个问题填写一行",
            "村级组织(村党组织、村委会等)",
        ) in rows
        assert any("整顿工作台账(问题清单)另设工作表" in str(r) for r in rows)
        yugong = cover_rows(book("yugong-pledge-2023")["说明"])
        assert any(
            r[:3] == ("承诺事项逐项表决", "三、(一)3", "在“承诺事项逐项表决”表中逐项填写各等次票数") for r in yugong
        )

    def test_rows_from_a_cohort(self, tmp_path: Path) -> None:
        """The demo's ledgers written in: a row per entry, dates as dates, verified as 是/否, as_of in
        the role sheet."""
        cohort = ve.load_cohort(ROOT / "schemes" / "tianxing-rectification-2015" / "demo-acceptance.json")
        workbook = written(tmp_path, "tianxing-rectification-2015", cohort=cohort)
        sheet = workbook["整顿工作台账(问题清单)"]
        rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
        assert ["qingliu"] * 5 + ["shazhou"] * 2 == [r[0] for r in rows]  # taohua's ledger has no entries
        first = rows[0]
        assert ("支委缺额2人:补齐支部委员会", datetime.datetime(2015, 4, 28), "是") == (first[1], first[2], first[5])
        assert (datetime.datetime(2015, 7, 30), "否") == rows[2][4:6]  # closed, not verified
        assert (None, None) == rows[-1][4:6]  # closed null, verified not given
        village = workbook["村级组织(村党组织、村委会等)"]
        keys = row(village, 3)
        as_of = {
            r[0]: r[keys.index("evidence.ledger.as_of")] for r in village.iter_rows(min_row=4, values_only=True) if r[0]
        }
        assert {"qingliu", "shazhou", "taohua"} <= set(as_of)
        assert datetime.datetime(2015, 11, 20) == as_of["taohua"]


class TestWidths:
    def test_chinese_takes_two_units_a_character(self, book: Books) -> None:
        """编号(不得重复): 4 characters × 2 + 2 brackets = 14, and a margin of 2; 所在村(社区): 12 + 2."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        assert 16 == sheet.column_dimensions["A"].width
        assert 14 == sheet.column_dimensions["D"].width

    def test_long_headers_wrap_at_a_limit(self, book: Books) -> None:
        """A fact's long label (22 characters, 44 units) stops at 24 units and wraps, on a taller row."""
        sheet = book("huining-midterm-2023")[HUINING_TEAM]
        assert 24 == sheet.column_dimensions["AO"].width
        assert sheet["AO2"].alignment.wrap_text
        assert 15 < sheet.row_dimensions[2].height


class TestCover:
    def test_huining(self, book: Books) -> None:
        """The title, the source document as [source] records it, the instructions, each instrument with its clause."""
        sheet = book("huining-midterm-2023")["说明"]
        assert "村“两委”班子届中履职分析(2023)" == sheet["A1"].value
        rows = cover_rows(sheet)
        for expected in (
            ("考核方案", "huining-midterm-2023"),
            ("考核期间", "2023"),
            ("实施地区", "会宁县 (620422)"),
            ("依据文件", "会组发〔2023〕60号"),
            ("文件标题", "关于开展村“两委”班子届中履职分析的通知"),
            ("发文单位", "乡党委(乡名未载明)"),
            ("发文日期", "2023-06-14"),
            ("填表说明",),
            ("测评项目", "条款", "填写方式", "适用对象"),
            ("述职测评", "四、2", "按等次填写票数", "村“两委”班子、班子成员"),
            ("实地查看", "四、4", "选择一个等次", "村“两委”班子、班子成员"),
            ("乡镇党委评价", "四、6", "填写0至100分", "村“两委”班子、班子成员"),
            ("发现问题严重，需组织处理并移交执法部门", "四、7", "研判工作组"),
        ):
            assert expected in rows
        instructions = [r[1] for r in rows if len(r) == 2 and str(r[0]).endswith(".")]
        assert any("按自然村统计的" in line for line in instructions)  # 四、5 counts households per 自然村
        assert any("第3行(已隐藏)" in line for line in instructions)

    def test_yugong(self, book: Books) -> None:
        """A source without a document number has no such row; its title and issuer are there."""
        rows = cover_rows(book("yugong-pledge-2023")["说明"])
        assert ("文件标题", "2023年乡“村官承诺考评”活动工作方案") in rows
        assert ("发文单位", "愚公乡党委、乡政府") in rows
        assert not [r for r in rows if r[:1] == ("依据文件",)]
        assert (
            "考察组打分",
            "三、(二)2",
            "分项填写得分",
            "村党支部书记、村委会主任、村党支部书记兼村委会主任(“一人兼”)",
        ) in rows
        assert not any("自然村" in str(r) for r in rows)  # no ballot here is counted per stratum

    def test_english(self, book: Books) -> None:
        """The cover's own words in English."""
        sheet = book("yugong-pledge-2023", "en")["About"]
        assert "村官承诺考评(2023)" == sheet["A1"].value
        rows = cover_rows(sheet)
        assert ("Title of the document", "2023年乡“村官承诺考评”活动工作方案") in rows
        assert ("How to fill in this workbook",) in rows
        assert (
            "村民主测评(不计名投票)",
            "三、(二)1",
            "ballots per tier",
            "村党支部书记, 村委会主任, 村党支部书记兼村委会主任(“一人兼”)",
        ) in rows


class TestCohortWrittenIn:
    def test_rows_from_the_demo(self, tmp_path: Path) -> None:
        """The demo's first team (beiguan-team: 20/4/1 in 述职测评) and hongxian-team, whose 差 is left out: 0."""
        cohort = ve.load_cohort(ROOT / "schemes" / "huining-midterm-2023" / "demo.json")
        workbook = written(tmp_path, "huining-midterm-2023", cohort=cohort)
        sheet = workbook[HUINING_TEAM]
        keys = row(sheet, 3)
        rows = {r[0]: dict(zip(keys, r, strict=True)) for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
        beiguan = rows["beiguan-team"]
        assert ("北关村“两委”班子", HUINING_TEAM, "北关村") == (beiguan["name"], beiguan["role"], beiguan["unit"])
        assert (20, 4, 1) == tuple(beiguan[f"evidence.appraisal.tallies.{t}"] for t in ("好", "一般", "差"))
        assert ("上庄", 4, "下庄", 3) == tuple(
            beiguan[f"evidence.household_visit.strata.{n}.{p}"] for n in (1, 2) for p in ("name", "count")
        )
        assert ("否", 88, "demo-township") == (
            beiguan["facts.absentee"],
            beiguan["evidence.party_committee.value"],
            beiguan["groups.township"],
        )
        members = workbook[HUINING_MEMBER]
        keys = row(members, 3)
        [xinbao] = [r for r in members.iter_rows(min_row=4, values_only=True) if r[0] == "xinbao-secretary"]
        assert 80.5 == xinbao[keys.index("evidence.party_committee.value")]  # the demo's 80.5, an exact double

    def test_a_tier_left_out_is_written_0(self, tmp_path: Path) -> None:
        """In the cohort JSON a tier left out of tallies counts 0: the sheet says 0 (an empty cell would not)."""
        cohort = ve.cohort_from_dict(
            {"subjects": [{"id": "a", "role": "team", "evidence": {"appraisal": {"tallies": {"好": 18, "一般": 3}}}}]}
        )
        sheet = written(tmp_path, "huining-midterm-2023", cohort=cohort)[HUINING_TEAM]
        assert [18, 3, 0, None] == [sheet.cell(row=4, column=c).value for c in range(5, 9)]  # E–G, then H (个别谈话)

    def test_texts_stay_texts(self, tmp_path: Path) -> None:
        """A name that looks like a formula is written as text, never evaluated."""
        cohort = ve.cohort_from_dict({"subjects": [{"id": "a", "role": "member", "name": "=1+1"}]})
        sheet = written(tmp_path, "huining-midterm-2023", cohort=cohort)[HUINING_MEMBER]
        assert ("=1+1", "s") == (sheet["B4"].value, sheet["B4"].data_type)


class TestKindsAWorkbookCannotHold:
    def test_a_plugins_kind_is_refused(self, tmp_path: Path) -> None:
        """An instrument of a plugin's kind has no columns: the template says so instead of leaving it out."""
        import types

        import attrs

        @attrs.frozen
        class Attendance:
            title: str
            clause: str
            kind: str = "attendance"

        kind = ve.InstrumentKind("attendance", Attendance, lambda c, e, x: 100, lambda c: (0, 100), ve.ScoreEvidence)
        plugin = types.ModuleType("county_a")
        plugin.villageeval_register_instrument_kinds = ve.hookimpl(lambda: [kind])  # type: ignore[attr-defined]
        registry = ve.Registry(ve.make_plugin_manager(autoload=False, plugins=[plugin]))
        scheme = ve.loads_scheme(
            TWO_TITLES.replace(
                'kind = "ballot"\ntitle = "民主测评"\nclause = "一"\nscale = "grade"',
                'kind = "attendance"\ntitle = "出勤"\nclause = "一"',
                1,
            ),
            registry=registry,
        )
        with pytest.raises(
            ValueError, match="instrument 'party' is of kind 'attendance', which a workbook cannot hold"
        ):
            write_template(scheme, tmp_path / "t.xlsx")


def test_import_villageeval_needs_no_openpyxl() -> None:
    """``import villageeval`` does not import openpyxl (the excel extra is optional)."""
    code = "import sys, villageeval; print('openpyxl' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "False" == done.stdout.strip()


TWO_TITLES = """
id = "two-titles"
title = "两项同名测评"
locality = { name = "某乡" }
[roles.secretary]
label = "村书记"
[scales.grade]
tiers = [{ label = "合格", points = 100 }, { label = "不合格", points = 0 }]
[instruments.party]
kind = "ballot"
title = "民主测评"
clause = "一"
scale = "grade"
[instruments.villagers]
kind = "ballot"
title = "民主测评"
clause = "一"
scale = "grade"
[weightings.main]
clause = "二"
total = 100
weights = { party = 50, villagers = 50 }
[gradings.main]
clause = "二"
scale = "grade"
round = { digits = 0 }
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
"""
