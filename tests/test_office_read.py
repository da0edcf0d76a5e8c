"""Reading a filled 汇总表 back: exact cells, empty cells, CSV encodings, every problem at once, bad files.

The workbooks are the template of huining-midterm-2023, filled in here with openpyxl by
the hidden row of keys. Cells are named by hand from the layout (no groups without a
cohort): A id, B name, C role, D unit, E–G 述职测评, H–J 个别谈话's tallies, K–P its
coverage, Q–S 入户访谈, T–AI its eight pairs of 自然村 columns, AJ 实地查看's tier, AK–AM
its coverage, AN 乡镇党委评价, AO–AU the seven facts. The team row below is the demo's
beiguan-team, whose outcome docs/interchange.md works out: 23453/275, 好.
"""

from __future__ import annotations

import csv
import datetime
import functools
import tempfile
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import villageeval as ve
from villageeval.office import SheetsRead, read_sheets, write_template
from villageeval.office._cells import exact_float

SCHEME = ve.load_scheme("huining-midterm-2023")
TEAM = "村“两委”班子"
MEMBER = "班子成员"
T = "'村“两委”班子'!"  # how Excel names a cell of the team sheet (its name has “”)
FACTS = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee", "serious_problems")

BEIGUAN: dict[str, Any] = {
    "id": "beiguan-team",
    "name": "北关村“两委”班子",
    "unit": "北关村",
    **dict(zip((f"evidence.appraisal.tallies.{t}" for t in ("好", "一般", "差")), (20, 4, 1), strict=True)),
    **dict(zip((f"evidence.interview.tallies.{t}" for t in ("好", "一般", "差")), (12, 3, 0), strict=True)),
    **{
        f"evidence.interview.coverage.{c}.{k}": n
        for c, n in (("包村干部", 2), ("村干部", 5), ("驻村工作队员", 3))
        for k in ("count", "of")
    },
    **dict(zip((f"evidence.household_visit.tallies.{t}" for t in ("好", "一般", "差")), (8, 2, 1), strict=True)),
    "evidence.household_visit.strata.1.name": "上庄",
    "evidence.household_visit.strata.1.count": 4,
    "evidence.household_visit.strata.2.name": "下庄",
    "evidence.household_visit.strata.2.count": 3,
    "evidence.household_visit.strata.3.name": "中庄",
    "evidence.household_visit.strata.3.count": 4,
    "evidence.site_inspection.tier": "好",
    **{f"evidence.site_inspection.coverage.{c}": 1 for c in ("乡村建设项目", "人居环境整治", "集体经济项目")},
    "evidence.party_committee.value": 88,
    **{f"facts.{name}": "否" for name in FACTS},
}


def team(**changes: Any) -> dict[str, Any]:
    """beiguan-team's row with ``changes`` (``None`` empties a cell); keys with dots as ``__``."""
    row = dict(BEIGUAN)
    row.update({key.replace("__", "."): value for key, value in changes.items()})
    return row


@functools.cache
def template() -> bytes:
    """The template of huining-midterm-2023, written once for the module."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(SCHEME, path)
        return path.read_bytes()


def fill(tmp_path: Path, sheets: dict[str, list[dict[str, Any]]], name: str = "filled.xlsx") -> Path:
    """The template with each sheet's rows written from row 4, cell by cell, by the keys of row 3."""
    path = tmp_path / name
    path.write_bytes(template())
    book = openpyxl.load_workbook(path)
    for sheet, rows in sheets.items():
        ws = book[sheet]
        at = {ws.cell(row=3, column=c).value: c for c in range(1, ws.max_column + 1)}
        for i, values in enumerate(rows):
            for key, value in values.items():
                ws.cell(row=4 + i, column=at[key]).value = value
    book.save(path)
    return path


def evaluated(read: SheetsRead, subject: str = "beiguan-team") -> ve.Outcome:
    return ve.evaluate(SCHEME, read.cohort).outcome(subject)


def evidence(read: SheetsRead, instrument: str, subject: str = "beiguan-team") -> Any:
    [found] = [s for s in read.cohort.subjects if s.id == subject]
    return found.evidence[instrument]


class TestAFilledRow:
    def test_reads_as_the_demo(self, tmp_path: Path) -> None:
        """beiguan-team from its cells: 述职测评 (20·90+4·70+1·40)/25 = 84.8 … total 23453/275, 好.

        (The total is worked out in docs/interchange.md's result example.)
        """
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team()]}))
        outcome = evaluated(read)
        assert ("graded", Fraction(23453, 275), "好") == (outcome.status, outcome.score, outcome.final_grade)
        assert (None, ()) == (read.encoding, read.warnings)
        [subject] = read.cohort.subjects
        assert ("team", "北关村“两委”班子", "北关村") == (subject.role, subject.name, subject.unit)
        assert {"上庄": 4, "下庄": 3, "中庄": 4} == subject.evidence["household_visit"]["strata"]
        assert dict.fromkeys(FACTS, False) == dict(subject.facts)
        assert ("huining-midterm-2023", "") == (read.cohort.scheme, read.cohort.period)

    def test_the_role_by_its_id(self, tmp_path: Path) -> None:
        """A role cell may hold the role's id as well as its label."""
        read = read_sheets(SCHEME, fill(tmp_path, {MEMBER: [team(role="team")]}))
        assert "team" == read.cohort.subjects[0].role

    def test_an_id_typed_as_a_number(self, tmp_path: Path) -> None:
        """An id Excel holds as the number 101 is the id "101"."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(id=101)]}))
        assert ["101"] == [s.id for s in read.cohort.subjects]


class TestExactCells:
    def test_a_float_is_the_decimal_typed(self, tmp_path: Path) -> None:
        """84.5 comes from the file as a double; it is read as the decimal 84.5."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__party_committee__value=84.5)]}))
        value = evidence(read, "party_committee")["value"]
        assert (Decimal, Decimal("84.5")) == (type(value), value)

    def test_a_computations_tail_is_the_decimal_shown(self, tmp_path: Path) -> None:
        """0.1 + 0.2 = 0.30000000000000004 as a double; the cell shows 0.3, and 0.3 is read."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__party_committee__value=0.1 + 0.2)]}))
        assert Decimal("0.3") == evidence(read, "party_committee")["value"]

    def test_a_float_that_is_no_decimal_is_a_problem_at_its_cell(self, tmp_path: Path) -> None:
        """A third (0.333…, 16 digits) is no number anyone typed: invalid_evidence naming AN4, and a warning."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__party_committee__value=1 / 3)]}))
        outcome = evaluated(read)
        [reason] = outcome.reasons
        assert ("insufficient_evidence", "invalid_evidence", "party_committee") == (
            outcome.status,
            reason.code,
            reason.instrument,
        )
        assert reason.message.startswith(f"party_committee: {T}AN4: the cell holds 0.3333333333333333")
        [warning] = read.warnings
        assert ((f"{T}AN4",), "warning") == (warning.path, warning.severity)

    def test_whole_floats_and_texts_holding_numbers(self, tmp_path: Path) -> None:
        """20.0 is the count 20; the texts "12" and full-width "８４.５" are 12 and 84.5."""
        row = team(evidence__appraisal__tallies__好=20.0, evidence__interview__tallies__好="12")
        row["evidence.party_committee.value"] = "８４.５"
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [row]}))
        tallies = evidence(read, "appraisal")["tallies"]
        assert (int, 20) == (type(tallies["好"]), tallies["好"])
        assert 12 == evidence(read, "interview")["tallies"]["好"]
        assert Decimal("84.5") == evidence(read, "party_committee")["value"]
        assert () == read.warnings

    @pytest.mark.parametrize(
        ("cell", "exact"),
        [
            (84.5, Decimal("84.5")),
            (86.25, Decimal("86.25")),
            (0.1 + 0.2, Decimal("0.3")),
            (84.45000000000002, Decimal("84.45")),  # a sum's tail beyond 15 digits
            (123456789012345.0, 123456789012345),  # 15 digits: as typed
            (20.0, 20),
            (1 / 3, None),
            (200 / 3, None),
            (1 / 11, None),
            (float("nan"), None),
        ],
    )
    def test_exact_float(self, cell: float, exact: int | Decimal | None) -> None:
        """The decimal a float cell holds, by the rule of _cells' docstring, worked out by hand."""
        assert exact == exact_float(cell)
        assert type(exact) is type(exact_float(cell))

    def test_a_count_that_is_no_whole_number(self, tmp_path: Path) -> None:
        """20.5 ballots: given to the engine as it is (invalid_count), and a warning names E4."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__appraisal__tallies__好=20.5)]}))
        assert ["invalid_count"] == [r.code for r in evaluated(read).reasons]
        [warning] = read.warnings
        assert (f"{T}E4",) == warning.path
        assert "20.5 is not a whole number" in warning.message

    def test_a_date_excel_made(self, tmp_path: Path) -> None:
        """Excel makes a date of 3-5 typed into a count: a warning names the cell, the engine refuses it."""
        import datetime

        row = team(evidence__household_visit__strata__1__count=datetime.datetime(2023, 3, 5))
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [row]}))
        [warning] = read.warnings
        assert (f"{T}U4",) == warning.path  # T is 自然村1, U its count
        assert "Excel made a date or time of this cell (2023-03-05)" in warning.message
        assert "insufficient_evidence" == evaluated(read).status


class TestEmptyCells:
    def test_an_empty_instrument_has_no_evidence(self, tmp_path: Path) -> None:
        """Every cell of 实地查看 empty: missing_evidence, the engine's own reason."""
        row = team(evidence__site_inspection__tier=None)
        row.update(
            {f"evidence.site_inspection.coverage.{c}": None for c in ("乡村建设项目", "人居环境整治", "集体经济项目")}
        )
        outcome = evaluated(read_sheets(SCHEME, fill(tmp_path, {TEAM: [row]})))
        assert [("missing_evidence", "site_inspection")] == [(r.code, r.instrument) for r in outcome.reasons]

    def test_an_empty_tier_of_a_filled_ballot_is_not_0(self, tmp_path: Path) -> None:
        """述职测评 with 差 (G4) empty: invalid_evidence naming G4, never a silent 0."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__appraisal__tallies__差=None)]}))
        [reason] = evaluated(read).reasons
        assert (
            "invalid_evidence",
            f"appraisal: {T}G4: no ballots written for 差; write 0 where no ballot was cast",
        ) == (
            reason.code,
            reason.message,
        )

    def test_an_empty_fact_is_not_given(self, tmp_path: Path) -> None:
        """huining's facts have no default: an empty one is missing_fact."""
        outcome = evaluated(read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(facts__absentee=None)]})))
        assert ["missing_fact"] == [r.code for r in outcome.reasons]

    def test_an_empty_fact_takes_the_schemes_default(self, tmp_path: Path) -> None:
        """yugong's overlapping_items defaults to 0: left empty, it is not in the subject, and the default applies."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        path = fill_scheme(tmp_path, scheme, {YUGONG_SECRETARY: [secretary()], PLEDGES: pledges("s", 3)})
        read = read_sheets(scheme, path)
        assert "overlapping_items" not in read.cohort.subjects[0].facts
        # (80·100 + 10·60 + 10·0)/100 = 86; 86·30% + 90·30% + 85·40% = 86.8 ≥ 60: 合格 (三、(二)).
        outcome = ve.evaluate(scheme, read.cohort).outcome("s")
        assert ("graded", "合格") == (outcome.status, outcome.final_grade)


YUGONG_SECRETARY = "村党支部书记"
PLEDGES = "承诺事项逐项表决"  # pledge_vote's list sheet, named after its title
P = f"{PLEDGES}!"
VILLAGE = "村级组织(村党组织、村委会等)"
LEDGER = "整顿工作台账(问题清单)"  # ledger's list sheet
L = "'整顿工作台账(问题清单)'!"


def fill_scheme(tmp_path: Path, scheme: ve.Scheme, sheets: dict[str, list[dict[str, Any]]]) -> Path:
    """The scheme's template with each sheet's rows written from row 4 by the keys of row 3."""
    path = tmp_path / f"{scheme.id}.xlsx"
    write_template(scheme, path)
    book = openpyxl.load_workbook(path)
    for sheet, rows in sheets.items():
        ws = book[sheet]
        at = {ws.cell(row=3, column=c).value: c for c in range(1, ws.max_column + 1)}
        for i, values in enumerate(rows):
            for key, value in values.items():
                ws.cell(row=4 + i, column=at[key]).value = value
    book.save(path)
    return path


def secretary(sid: str = "s", **changes: Any) -> dict[str, Any]:
    """A yugong secretary's row (overlapping_items left empty: its default, 0); keys with dots as ``__``."""
    row = {
        "id": sid,
        "evidence.village_vote.tallies.满意": 80,
        "evidence.village_vote.tallies.基本满意": 10,
        "evidence.village_vote.tallies.不满意": 10,
        "evidence.jury.value": 90,
        "evidence.inspection.items.progress": 40,
        "evidence.inspection.items.recognition": 45,
        "facts.discipline_case_open": "否",
        "facts.judicial_case_open": "否",
    }
    row.update({key.replace("__", "."): value for key, value in changes.items()})
    return row


def pledges(sid: str, n: int) -> list[dict[str, Any]]:
    """``n`` items of ``sid``'s pledge, each confirmed (30/8/2)."""
    tiers = ("满意", "基本满意", "不满意")
    return [
        {"id": sid, "evidence.pledge_vote.votes[].item": f"事项{i}"}
        | {f"evidence.pledge_vote.votes[].tallies.{t}": c for t, c in zip(tiers, (30, 8, 2), strict=True)}
        for i in range(1, n + 1)
    ]


def entry(sid: str = "qingliu", **changes: Any) -> dict[str, Any]:
    """A ledger entry's row of tianxing's ledger sheet, closed and verified; keys with dots as ``__``."""
    row: dict[str, Any] = {
        "id": sid,
        "evidence.ledger.entries[].problem": "支委缺额2人:补齐支部委员会",
        "evidence.ledger.entries[].found": datetime.date(2015, 4, 28),
        "evidence.ledger.entries[].deadline": datetime.date(2015, 6, 10),
        "evidence.ledger.entries[].closed": datetime.date(2015, 6, 5),
        "evidence.ledger.entries[].verified": "是",
    }
    row.update({f"evidence.ledger.entries[].{key}": value for key, value in changes.items()})
    return row


class TestListSheets:
    def test_items_go_to_their_subject_in_order(self, tmp_path: Path) -> None:
        """Rows of the pledge sheet for two subjects, interleaved: each gets its own, in row order."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        rows = pledges("a", 2) + pledges("b", 1) + pledges("a", 3)[2:]
        read = read_sheets(
            scheme, fill_scheme(tmp_path, scheme, {YUGONG_SECRETARY: [secretary("a"), secretary("b")], PLEDGES: rows})
        )
        assert () == read.warnings
        votes = {s.id: dict(s.evidence["pledge_vote"])["votes"] for s in read.cohort.subjects}
        assert ["事项1", "事项2", "事项3"] == list(votes["a"])
        assert {"tallies": {"满意": 30, "基本满意": 8, "不满意": 2}} == votes["b"]["事项1"]

    def test_expected_is_in_the_role_sheet(self, tmp_path: Path) -> None:
        """The number who could vote is once per subject (the role sheet); an item with more ballots fails."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        path = fill_scheme(
            tmp_path,
            scheme,
            {YUGONG_SECRETARY: [secretary(evidence__pledge_vote__expected=39)], PLEDGES: pledges("s", 3)},
        )
        read = read_sheets(scheme, path)
        assert 39 == dict(evidence(read, "pledge_vote", "s"))["expected"]
        outcome = ve.evaluate(scheme, read.cohort).outcome("s")
        assert [("invalid_evidence", "pledge_vote")] * 3 == [(r.code, r.instrument) for r in outcome.reasons]

    def test_no_rows_is_no_evidence(self, tmp_path: Path) -> None:
        """A subject with no rows in the list sheet and no expected: missing_evidence, as for the other kinds."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        only_ids = [{"id": "s"}, {"id": "s"}]  # rows with an id and nothing else are not read
        path = fill_scheme(tmp_path, scheme, {YUGONG_SECRETARY: [secretary()], PLEDGES: only_ids})
        read = read_sheets(scheme, path)
        assert "pledge_vote" not in read.cohort.subjects[0].evidence
        outcome = ve.evaluate(scheme, read.cohort).outcome("s")
        assert [("missing_evidence", "pledge_vote")] == [(r.code, r.instrument) for r in outcome.reasons]

    def test_an_empty_tier_a_missing_item_and_an_item_twice(self, tmp_path: Path) -> None:
        """Each is invalid_evidence for the subject, naming its cells in the list sheet."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        rows = pledges("s", 3)
        rows[0]["evidence.pledge_vote.votes[].tallies.不满意"] = None
        rows[1]["evidence.pledge_vote.votes[].item"] = None
        rows[2]["evidence.pledge_vote.votes[].item"] = "事项1"
        read = read_sheets(scheme, fill_scheme(tmp_path, scheme, {YUGONG_SECRETARY: [secretary()], PLEDGES: rows}))
        [reason] = ve.evaluate(scheme, read.cohort).outcome("s").reasons
        assert ("invalid_evidence", "pledge_vote") == (reason.code, reason.instrument)
        assert f"{P}E4: no ballots written for 不满意 of '事项1'; write 0 where no ballot was cast" in reason.message
        assert f"{P}B5: ballots with no item beside them" in reason.message
        assert f"{P}B6: '事项1' is given twice (also {P}B4)" in reason.message

    def test_an_id_no_role_sheet_has(self, tmp_path: Path) -> None:
        """A row of the list sheet for a subject that is in no role sheet: an error at its id cell."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        path = fill_scheme(tmp_path, scheme, {YUGONG_SECRETARY: [secretary("dongling")], PLEDGES: pledges("dongli", 1)})
        with pytest.raises(ve.CohortError) as caught:
            read_sheets(scheme, path)
        [problem] = caught.value.problems
        assert ((f"{P}A4",), "no role sheet has a subject 'dongli'; did you mean 'dongling'?") == (
            problem.path,
            problem.message,
        )

    def test_a_list_sheet_holds_one_list(self, tmp_path: Path) -> None:
        """A list sheet's row of keys with a role sheet's key in it: an error naming the row."""
        scheme = ve.load_scheme("yugong-pledge-2023")
        path = fill_scheme(tmp_path, scheme, {})
        book = openpyxl.load_workbook(path)
        book[PLEDGES]["F3"] = "facts.overlapping_items"
        book.save(path)
        with pytest.raises(ve.CohortError) as caught:
            read_sheets(scheme, path)
        [problem] = caught.value.problems
        assert (f"{P}3:3",) == problem.path
        assert "not 'facts.overlapping_items'" in problem.message

    def test_ledger_dates_and_yes_no(self, tmp_path: Path) -> None:
        """Date cells are ISO dates, 是/否 a truth value; an empty closed or verified is left out."""
        scheme = ve.load_scheme("tianxing-rectification-2015")
        rows = [entry(), entry(problem="村务不公开", closed=None, verified=None)]
        village = {"id": "qingliu", "evidence.ledger.as_of": datetime.date(2015, 11, 20)}
        read = read_sheets(scheme, fill_scheme(tmp_path, scheme, {VILLAGE: [village], LEDGER: rows}))
        assert () == read.warnings
        assert {
            "as_of": "2015-11-20",
            "entries": [
                {
                    "problem": "支委缺额2人:补齐支部委员会",
                    "found": "2015-04-28",
                    "deadline": "2015-06-10",
                    "closed": "2015-06-05",
                    "verified": True,
                },
                {"problem": "村务不公开", "found": "2015-04-28", "deadline": "2015-06-10"},
            ],
        } == dict(evidence(read, "ledger", "qingliu"))

    def test_a_text_date_is_given_as_it_is(self, tmp_path: Path) -> None:
        """A date typed as text is the engine's to judge: 2015-6-1 is no ISO date (invalid_evidence)."""
        scheme = ve.load_scheme("tianxing-rectification-2015")
        village = {"id": "qingliu", "evidence.ledger.as_of": "2015-11-20"}
        path = fill_scheme(tmp_path, scheme, {VILLAGE: [village], LEDGER: [entry(deadline="2015-6-1")]})
        read = read_sheets(scheme, path)
        [given] = dict(evidence(read, "ledger", "qingliu"))["entries"]
        assert ("2015-6-1", "2015-11-20") == (given["deadline"], dict(evidence(read, "ledger", "qingliu"))["as_of"])
        reasons = ve.evaluate(scheme, read.cohort).outcome("qingliu").reasons
        assert ("invalid_evidence", "ledger") in [(r.code, r.instrument) for r in reasons]

    def test_a_number_in_a_date_column_is_told(self, tmp_path: Path) -> None:
        """A number where a date goes is given as it is, with a warning naming its cell."""
        scheme = ve.load_scheme("tianxing-rectification-2015")
        village = {"id": "qingliu", "evidence.ledger.as_of": "2015-11-20"}
        path = fill_scheme(tmp_path, scheme, {VILLAGE: [village], LEDGER: [entry(closed=20150605)]})
        read = read_sheets(scheme, path)
        [warning] = read.warnings
        assert (f"{L}E4",) == warning.path
        assert "20150605 is not a date" in warning.message

    def test_an_as_of_without_rows_is_a_ledger_of_no_entries(self, tmp_path: Path) -> None:
        """A village with its ledger's date and no problems listed: entries [] (nothing to close)."""
        scheme = ve.load_scheme("tianxing-rectification-2015")
        village = {"id": "taohua", "evidence.ledger.as_of": datetime.date(2015, 11, 20)}
        read = read_sheets(scheme, fill_scheme(tmp_path, scheme, {VILLAGE: [village]}))
        assert {"as_of": "2015-11-20", "entries": []} == dict(evidence(read, "ledger", "taohua"))


class TestFacts:
    @pytest.mark.parametrize(("cell", "fact"), [("是", True), ("否", False), ("TRUE", True), ("no", False), (1, True)])
    def test_yes_and_no(self, tmp_path: Path, cell: object, fact: bool) -> None:
        """是/否, TRUE/FALSE, yes/no and 1/0 are the fact's truth value."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(facts__absentee=cell)]}))
        assert fact is read.cohort.subjects[0].facts["absentee"]

    def test_anything_else_is_told(self, tmp_path: Path) -> None:
        """ "不清楚" is given as it is (invalid_fact) and a warning names AT4 (absentee, the sixth fact)."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(facts__absentee="不清楚")]}))
        assert ["invalid_fact"] == [r.code for r in evaluated(read).reasons]
        assert [(f"{T}AT4",)] == [w.path for w in read.warnings]


class TestStrata:
    def test_a_name_without_its_count(self, tmp_path: Path) -> None:
        """中庄 (X4) without its count (Y4): invalid_evidence naming X4."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__household_visit__strata__3__count=None)]}))
        [reason] = evaluated(read).reasons
        assert ("invalid_evidence", f"household_visit: {T}X4: '中庄' has no count beside it") == (
            reason.code,
            reason.message,
        )

    def test_a_name_given_twice(self, tmp_path: Path) -> None:
        """上庄 in pairs 1 (T4) and 3 (X4): invalid_evidence naming both."""
        read = read_sheets(SCHEME, fill(tmp_path, {TEAM: [team(evidence__household_visit__strata__3__name="上庄")]}))
        [reason] = evaluated(read).reasons
        assert f"household_visit: {T}X4: '上庄' is given twice (also {T}T4)" == reason.message


def as_csv(path: Path, sheet: str, target: Path, encoding: str) -> Path:
    """A sheet saved as CSV, as Excel does it: every row, hidden ones too, each cell as shown."""
    ws = openpyxl.load_workbook(path)[sheet]
    with target.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        for row in ws.iter_rows(values_only=True):
            writer.writerow(["" if v is None else v for v in row])
    return target


class TestCsv:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
    def test_encodings(self, tmp_path: Path, encoding: str) -> None:
        """UTF-8, UTF-8 with a BOM and GBK (Chinese Excel's default) read alike, and say which they were."""
        book = fill(tmp_path, {TEAM: [team(evidence__party_committee__value=84.5)]})
        read = read_sheets(SCHEME, as_csv(book, TEAM, tmp_path / "班子.csv", encoding))
        assert encoding == read.encoding
        assert read_sheets(SCHEME, book).cohort.subjects == read.cohort.subjects
        assert Decimal("84.5") == evidence(read, "party_committee")["value"]

    def test_gb18030(self, tmp_path: Path) -> None:
        """A character GBK lacks (𠀀, U+20000) in a GB18030 file: read as GB18030."""
        book = fill(tmp_path, {TEAM: [team(name="𠀀村“两委”班子")]})
        read = read_sheets(SCHEME, as_csv(book, TEAM, tmp_path / "班子.csv", "gb18030"))
        assert ("gb18030", "𠀀村“两委”班子") == (read.encoding, read.cohort.subjects[0].name)

    def test_cells_named_after_the_file(self, tmp_path: Path) -> None:
        """A CSV's cells are named as Excel names them on opening it: after the file."""
        book = fill(tmp_path, {TEAM: [team(evidence__party_committee__value="八十")]})
        read = read_sheets(SCHEME, as_csv(book, TEAM, tmp_path / "班子.csv", "utf-8"))
        assert [("班子!AN4",)] == [w.path for w in read.warnings]

    def test_utf16_is_refused(self, tmp_path: Path) -> None:
        """UTF-16 (Excel's "Unicode text") is said to be so."""
        path = as_csv(fill(tmp_path, {TEAM: [team()]}), TEAM, tmp_path / "t.csv", "utf-16")
        with pytest.raises(ve.CohortError) as e:
            read_sheets(SCHEME, path)
        [problem] = e.value.problems
        assert "not_text" == problem.code
        assert "UTF-16 (little-endian)" in problem.message

    def test_a_control_character_is_placed_at_its_cell(self, tmp_path: Path) -> None:
        """cohort_from_dict refuses an escape in a name; the problem names the cell it came from (B4)."""
        path = as_csv(fill(tmp_path, {TEAM: [team()]}), TEAM, tmp_path / "t.csv", "utf-8")
        path.write_text(path.read_text(encoding="utf-8").replace("北关村“两委”班子", "北关\x1b[31m"), encoding="utf-8")
        with pytest.raises(ve.CohortError) as e:
            read_sheets(SCHEME, path)
        [problem] = e.value.problems
        assert (("t!B4",), "cohort_format") == (problem.path, problem.code)
        assert "control character" in problem.message


class TestEveryProblemAtOnce:
    def test_keys_ids_roles_and_rows(self, tmp_path: Path) -> None:
        """A misspelt key, an id twice (across sheets too), an unknown role, a row without id: all, each at its cell."""
        path = fill(
            tmp_path,
            {
                TEAM: [team(), team(), team(id="b", role="村委会"), team(id=None)],
                MEMBER: [team(role="班子成员")],
            },
        )
        book = openpyxl.load_workbook(path)
        book[TEAM]["E3"] = "evidence.apraisal.tallies.好"
        book.save(path)
        with pytest.raises(ve.CohortError) as e:
            read_sheets(SCHEME, path)
        found = {(p.path, p.code) for p in e.value.problems}
        assert {
            ((f"{T}E3",), "unknown_key"),
            ((f"{T}C6",), "unknown_role"),
            ((f"{T}A7",), "cohort_format"),
            ((f"{T}A5",), "duplicate_id"),
            (("班子成员!A4",), "duplicate_id"),
        } == found
        messages = {p.path[0]: p.message for p in e.value.problems}
        assert "did you mean 'evidence.appraisal.tallies.好'?" in messages[f"{T}E3"]
        assert f"id 'beiguan-team' is given twice (also {T}A4)" == messages[f"{T}A5"]
        assert "'村委会' is not a role of scheme 'huining-midterm-2023'" in messages[f"{T}C6"]
        assert all(str(path) == p.file for p in e.value.problems)

    def test_a_column_twice_and_a_role_emptied(self, tmp_path: Path) -> None:
        """A key copied to another column (AV3), and a row whose role (C4) was cleared."""
        path = fill(tmp_path, {TEAM: [team(role=None)]})
        book = openpyxl.load_workbook(path)
        book[TEAM]["AV3"] = "unit"
        book.save(path)
        with pytest.raises(ve.CohortError) as e:
            read_sheets(SCHEME, path)
        assert [
            ((f"{T}AV3",), f"column 'unit' is given twice (also {T}D3)"),
            ((f"{T}C4",), "subject 'beiguan-team' has no role"),
        ] == [(p.path, p.message) for p in e.value.problems]

    def test_a_key_row_without_role(self, tmp_path: Path) -> None:
        """Without a role column the sheet's rows cannot be read: said at its row of keys."""
        path = fill(tmp_path, {TEAM: [team()]})
        book = openpyxl.load_workbook(path)
        book[TEAM]["C3"] = None
        book.save(path)
        with pytest.raises(ve.CohortError) as e:
            read_sheets(SCHEME, path)
        assert [((f"{T}3:3",), "the row of keys has no 'role' column")] == [
            (p.path, p.message) for p in e.value.problems
        ]

    def test_a_sheet_without_keys_is_not_read(self, tmp_path: Path) -> None:
        """A clerk's own sheet is left alone, with a warning; the cover is not warned about."""
        path = fill(tmp_path, {TEAM: [team()]})
        book = openpyxl.load_workbook(path)
        book.create_sheet("备注")["A1"] = "北关村另有说明"
        book.save(path)
        read = read_sheets(SCHEME, path)
        assert [("备注",)] == [w.path for w in read.warnings]
        assert 1 == len(read.cohort.subjects)


class TestBadFiles:
    def problem(self, path: Path) -> ve.Problem:
        with pytest.raises(ve.CohortError) as e:
            read_sheets(SCHEME, path)
        [problem] = e.value.problems
        return problem

    def test_not_a_workbook(self, tmp_path: Path) -> None:
        """Text named .xlsx is not a workbook: a CohortError, no traceback."""
        path = tmp_path / "t.xlsx"
        path.write_text("id,role\n", encoding="utf-8")
        problem = self.problem(path)
        assert ("unreadable", str(path)) == (problem.code, problem.file)
        assert problem.message.startswith("not a workbook that can be read")

    def test_cut_short(self, tmp_path: Path) -> None:
        """The first half of a real workbook: a CohortError."""
        whole = fill(tmp_path, {TEAM: [team()]})
        data = whole.read_bytes()
        path = tmp_path / "cut.xlsx"
        path.write_bytes(data[: len(data) // 2])
        assert "unreadable" == self.problem(path).code

    def test_a_damaged_sheet(self, tmp_path: Path) -> None:
        """A workbook whose sheet's XML is cut short fails while its rows are read: a CohortError."""
        whole = fill(tmp_path, {TEAM: [team()]})
        path = tmp_path / "damaged.xlsx"
        with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                target.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet2.xml" else data)
        assert "unreadable" == self.problem(path).code

    def test_other_suffixes(self, tmp_path: Path) -> None:
        """.xls (Excel 97-2003) and .txt are not read; .xls is told to be saved as .xlsx."""
        for suffix in (".xls", ".txt"):
            path = tmp_path / f"t{suffix}"
            path.write_bytes(b"")
            assert "unreadable" == self.problem(path).code
        assert "saved as .xlsx first" in self.problem(tmp_path / "t.xls").message

    def test_utf8_with_a_stray_byte(self, tmp_path: Path) -> None:
        """UTF-8 Chinese, then a byte that is not UTF-8: not read as GBK, but said to be a stray byte."""
        path = tmp_path / "t.csv"
        path.write_bytes("id,role,name\nb,team,北关村\n".encode() + b"\xff\n")
        problem = self.problem(path)
        assert ("not_text", 3) == (problem.code, problem.line)

    def test_binary_csv(self, tmp_path: Path) -> None:
        """Binary bytes named .csv: not text."""
        path = tmp_path / "t.csv"
        path.write_bytes(bytes(range(256)))
        assert "not_text" == self.problem(path).code

    def test_a_csv_field_past_the_limit(self, tmp_path: Path) -> None:
        """A field longer than the csv module takes (131,072 characters): a CohortError with its line."""
        path = tmp_path / "t.csv"
        path.write_text("id,role\n" + "x" * 200_000 + ",team\n", encoding="utf-8")
        problem = self.problem(path)
        assert ("unreadable", 2) == (problem.code, problem.line)

    def test_no_keys_anywhere(self, tmp_path: Path) -> None:
        """A workbook that is no template: said so."""
        path = tmp_path / "other.xlsx"
        book = openpyxl.Workbook()
        book.active["A1"] = "编号"
        book.save(path)
        assert "no sheet has a row of column keys" in self.problem(path).message

    def test_a_missing_file(self, tmp_path: Path) -> None:
        """A file that is not there is the OSError reading it raises, as for a cohort JSON."""
        with pytest.raises(FileNotFoundError):
            read_sheets(SCHEME, tmp_path / "none.csv")
