"""Hand-derived examples for the bundled scheme zhen-midterm-2023 (seed 004).

The report (a town's 2023 mid-term analysis of its village/community “两委” teams) gives
procedure, not arithmetic. The scheme reads it as follows (docs/schemes/zhen-midterm-2023.md):

- 一、(四): three tiers 好 / 正常 / 较差. The work group's judgement (一、(三)) is the raw
  grade.
- 一、(一): confirmed records of the 镇纪委 / 镇综治办 / 镇派出所 force 较差. A pending
  petition caps at 正常. An open case defers a member's grade. A member's confirmed record
  caps the team of the same unit at 正常 (rules.py).
- 一、(三) 定性与定量相结合: 好 needs 好 questionnaires > 1/2 and, for a team, 满意 +
  基本满意 ≥ 0.9 of the forms; more than 1/2 较差 questionnaires or 不满意 forms → 较差.
- 一、(二): at least 30 questionnaires and (teams) 50 forms per subject.

Every expected grade below is worked out from those rules and the tallies, never copied
from the program's output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

import villageeval as ve

SCHEME_DIR = Path(__file__).parent.parent / "schemes" / "zhen-midterm-2023"
SCHEME_TOML = SCHEME_DIR / "scheme.toml"
DEMO = SCHEME_DIR / "demo.json"
SEED = Path("/work/shared/seeds/004_8a235f94626774d3.txt")

TEAM_FACTS = (
    "discipline_violation",
    "petition_substantiated",
    "petition_pending",
    "law_violation",
    "criticised_by_superior",
)
MEMBER_FACTS = (
    "discipline_violation",
    "discipline_case_open",
    "petition_substantiated",
    "petition_pending",
    "law_violation",
    "criminal_case_open",
)
METHODS = {"实地调研": 1, "谈心谈话": 8, "查阅资料": 1}


@pytest.fixture(scope="module")
def scheme() -> Any:
    return ve.load_scheme(SCHEME_DIR)


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    return data


def subject(
    sid: str,
    role: str = "team",
    *,
    unit: str = "测试村",
    judgement: str = "好",
    appraisal: tuple[int, int, int] = (24, 5, 1),
    satisfaction: tuple[int, int, int] = (40, 8, 2),
    facts: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """A subject in the cohort JSON shape; by default every number supports 好."""
    evidence: dict[str, Any] = {
        "judgement": {"tier": judgement, "coverage": METHODS},
        "appraisal": {
            "tallies": dict(zip(("好", "正常", "较差"), appraisal, strict=True)),
            "coverage": {"村(居)民小组长": 5, "党员群众代表": sum(appraisal) - 5},
        },
    }
    if role == "team":
        evidence["satisfaction"] = {"tallies": dict(zip(("满意", "基本满意", "不满意"), satisfaction, strict=True))}
    all_facts = dict.fromkeys(TEAM_FACTS if role == "team" else MEMBER_FACTS, False)
    all_facts.update(facts or {})
    return {"id": sid, "role": role, "unit": unit, "evidence": evidence, "facts": all_facts}


def run(scheme: Any, *subjects: dict[str, Any]) -> Any:
    return ve.evaluate(scheme, ve.cohort_from_dict({"format": 1, "period": "2023", "subjects": list(subjects)}))


class TestDocumentNumbers:
    """Every figure and term of the report that a rule rests on is in the scheme, next
    to its clause. Each pair is looked for in one comment-and-key paragraph of scheme.toml
    (lines between blank lines)."""

    WHERE = (
        ("9个分析研判工作组", "一、"),  # the nine work groups
        ("300余份", "一、(二)"),  # questionnaires
        ("460余份", "一、(二)"),  # satisfaction forms
        ("min_questionnaires", "一、(二)"),
        ("min_satisfaction_forms", "一、(二)"),
        ("镇纪委、镇综治办、镇派出所", "一、(一)"),
        ("暂未发现", "一、(一)"),
        ("定性与定量相结合", "一、(三)"),
        ("“好”“正常”“较差”三个档次", "一、(四)"),
        ("做出定性评价", "一、(四)"),
        ("明确整改方向", "一、(四)"),
        ("与年终考核挂钩", "四、(二)"),
        ("每季度分析", "四、(二)"),
        ("素能提升培训", "四、(一)"),
        ("经验交流分享", "四、(一)"),
        ("被市委组织部通报", "三、(六)"),
    )

    @staticmethod
    def paragraphs() -> list[str]:
        return re.split(r"\n\s*\n", SCHEME_TOML.read_text(encoding="utf-8"))

    @pytest.mark.parametrize(("needle", "clause"), WHERE)
    def test_in_scheme_with_clause(self, needle: str, clause: str) -> None:
        assert any(needle in p and clause in p for p in self.paragraphs()), (needle, clause)

    def test_quoted_wording_is_the_reports(self) -> None:
        """The quoted phrases are really in the report (when the seed is at hand)."""
        if not SEED.is_file():
            pytest.skip("seed document not available")
        text = SEED.read_text(encoding="utf-8")
        for needle in ("300余份", "460余份", "9个分析研判工作组", "暂未发现", "定性与定量相结合", "被市委组织部通报"):
            assert needle in text, needle

    def test_tiers_and_sources(self, scheme: Any) -> None:
        """一、(四): the three tiers. 一、(一): each record names its office."""
        assert ("好", "正常", "较差") == scheme.scales["verdict"].labels
        sources = {name: f.source for name, f in scheme.facts.items()}
        assert sources["discipline_violation"] == sources["discipline_case_open"] == "镇纪委"
        assert sources["petition_substantiated"] == sources["petition_pending"] == "镇综治办"
        assert sources["law_violation"] == sources["criminal_case_open"] == "镇派出所"
        # 一、(一): the records are required: nobody is graded before the offices answer.
        assert all(f.default is None for f in scheme.facts.values())

    def test_parameter_defaults(self, scheme: Any) -> None:
        """The figures the report leaves open, with the defaults the docs justify:
        30 × 9 = 270 ≤ 300 and 50 × 9 = 450 ≤ 460 (一、(二)); 1/2 and 90% (一、(三))."""
        values = {name: p.value for name, p in scheme.parameters.items()}
        assert values["min_questionnaires"] == 30
        assert values["min_satisfaction_forms"] == 50
        assert 9 * values["min_questionnaires"] <= 300
        assert 9 * values["min_satisfaction_forms"] <= 460
        assert str(values["good_appraisal_share"]) == "0.5"
        assert str(values["good_satisfaction"]) == "0.9"
        assert str(values["majority"]) == "0.5"


class TestDemo:
    """The demo: the nine units of 二、/三、 in section order, with invented members."""

    # Section order of 二、 and 三、: (一) *社区, (二) *山村, (三)–(九) the other villages.
    UNITS = ("*社区", "*山村", "村3", "村4", "村5", "村6", "村7", "村8", "村9")

    # Per-unit figures of 二、 (and the 2020 record of 三、(八)) that each unit's notes
    # must keep.
    FIGURES: ClassVar[dict[str, tuple[str, ...]]] = {
        "*社区": ("集体+个体", "跨村联建", "2023年“书记项目”"),
        "*山村": ("2019-2021", "4A级", "孙家湾"),
        "村3": ("3公里", "8公里", "38盏"),
        "村4": ("1+2+18+N", "4级"),
        "村5": ("1500余亩", "1400余亩", "12万元", "洪雅县"),
        "村6": ("5人", "9个村民小组", "79人", "4人", "1人", "20余亩", "2400余亩", "800余亩", "被市委组织部通报"),
        "村7": ("1700余亩", "1000余亩", "400余亩"),
        "村8": ("8000余元", "17盏", "10.3公里", "2020年"),
        "村9": ("1.7公里", "200亩", "120亩", "村副主任至今空缺"),
    }

    def teams(self, demo: dict[str, Any]) -> list[dict[str, Any]]:
        return [s for s in demo["subjects"] if s["role"] == "team"]

    def test_nine_units_in_order(self, demo: dict[str, Any]) -> None:
        assert self.UNITS == tuple(t["unit"] for t in self.teams(demo))

    def test_fieldwork_totals(self, demo: dict[str, Any]) -> None:
        """一、(二) "问卷调查表300余份,满意度测评表460余份": the teams' questionnaires and
        forms add up to those totals. Members are rated on the same questionnaires.
        questionnaires 34 + 33 + 35 + 33 + 34 + 33 + 34 + 33 + 33 = 302;
        forms 52 + 51 + 51 + 52 + 51 + 51 + 52 + 51 + 51 = 462."""
        teams = self.teams(demo)
        questionnaires = sum(sum(t["evidence"]["appraisal"]["tallies"].values()) for t in teams)
        forms = sum(sum(t["evidence"]["satisfaction"]["tallies"].values()) for t in teams)
        assert questionnaires == 302
        assert 300 < questionnaires < 400
        assert forms == 462
        assert 460 < forms < 470
        by_unit = {t["unit"]: sum(t["evidence"]["appraisal"]["tallies"].values()) for t in teams}
        for m in demo["subjects"]:
            if m["role"] == "member":
                assert sum(m["evidence"]["appraisal"]["tallies"].values()) <= by_unit[m["unit"]], m["id"]

    def test_notes_hold_the_reports_figures(self, demo: dict[str, Any]) -> None:
        for t in self.teams(demo):
            assert set(t["notes"]) == {"运行情况", "存在问题"}
            text = t["notes"]["运行情况"] + t["notes"]["存在问题"]
            for figure in self.FIGURES[t["unit"]]:
                assert figure in text, (t["unit"], figure)

    def test_no_records_except_the_reported_notice(self, demo: dict[str, Any]) -> None:
        """一、(一) "暂未发现…存在相关问题": no team has an office record. The one record the
        report gives is 村6's 通报 (三、(六)). A member with a record is marked 假设情形
        (counterfactual) in its notes."""
        for s in demo["subjects"]:
            on = {k for k, v in s["facts"].items() if v}
            if s["role"] == "team":
                assert on == ({"criticised_by_superior"} if s["unit"] == "村6" else set()), s["id"]
            elif on:
                assert "假设情形" in s["notes"]["说明"], s["id"]

    def test_outcomes(self, scheme: Any, demo: dict[str, Any]) -> None:
        """Each outcome by hand (judgement; shares; records):
        u1 *社区 好; 好 28/34 > 1/2; (44 + 7)/52 ≈ 0.98 ≥ 0.9 → 好
        u2 *山村 好; 25/33 > 1/2; (42 + 7)/51 ≈ 0.96 → 好
        u3 村3 好; 好 17/35 ≈ 0.486 ≤ 1/2 → appraisal_support: 正常
        u4 村4 正常; 17/33 > 1/2; 48/52 ≈ 0.92 → 正常
        u5 村5 好; 26/34; (41 + 8)/51 ≈ 0.96 → 好
        u6 村6 好; 24/33; 49/51; 通报 (三、(六)) → criticised_by_superior: 正常
        u7 村7 好; 22/34 > 1/2; (33 + 12)/52 ≈ 0.865 < 0.9 → satisfaction_support: 正常
        u8 村8 正常; 18/33; 48/51 → 正常
        u9 村9 好; 26/33; 50/51; member u9-member-3 has a confirmed 镇纪委 record
           → member_on_record: 正常
        u1-secretary 好; 29/34 → 好
        u1-member-2 正常; 18/34 → 正常
        u3-secretary 好; 24/35 → 好
        u4-member-3 open 派出所 case → ineligible
        u6-secretary 好; 23/33 → 好 (the 通报 is the team's, not read for members)
        u7-member-4 20 + 7 + 1 = 28 questionnaires < 30 → insufficient_evidence
        u8-member-2 好; 22/33; petition pending → petition_pending: 正常
        u9-member-3 正常; 好 15/33 ≤ 1/2 (cap, flagged); 较差 2/33; confirmed 镇纪委
           record → discipline_violation: 较差
        u9-secretary 好; 27/33 → 好
        """
        want = {
            "u1-team": ("好", "好", []),
            "u2-team": ("好", "好", []),
            "u3-team": ("好", "正常", ["appraisal_support"]),
            "u4-team": ("正常", "正常", []),
            "u5-team": ("好", "好", []),
            "u6-team": ("好", "正常", ["criticised_by_superior"]),
            "u7-team": ("好", "正常", ["satisfaction_support"]),
            "u8-team": ("正常", "正常", []),
            "u9-team": ("好", "正常", ["member_on_record"]),
            "u1-secretary": ("好", "好", []),
            "u1-member-2": ("正常", "正常", []),
            "u3-secretary": ("好", "好", []),
            "u6-secretary": ("好", "好", []),
            "u8-member-2": ("好", "正常", ["petition_pending"]),
            "u9-member-3": ("正常", "较差", ["discipline_violation"]),
            "u9-secretary": ("好", "好", []),
        }
        result = ve.evaluate(scheme, ve.cohort_from_dict(demo))
        for sid, (raw, final, adjusted) in want.items():
            o = result.outcome(sid)
            assert ("graded", raw, final, adjusted) == (
                o.status,
                o.raw_grade,
                o.final_grade,
                [a.rule for a in o.adjustments],
            ), sid
            assert o.score is None, sid  # no weighting: the report scores nothing
        assert "ineligible" == result.outcome("u4-member-3").status
        assert {"too_few_respondents"} == {r.code for r in result.outcome("u7-member-4").reasons}
        assert "cap:appraisal_support" in result.outcome("u9-member-3").flags

    def test_notes_carried_through(self, scheme: Any, demo: dict[str, Any]) -> None:
        result = ve.evaluate(scheme, ve.cohort_from_dict(demo))
        for s in demo["subjects"]:
            assert s["notes"] == dict(result.outcome(s["id"]).notes), s["id"]


class TestMemberOnRecord:
    """caps.member_on_record (rules.py): a member's confirmed record holds its team at 正常."""

    def test_order_does_not_matter(self, scheme: Any) -> None:
        team = subject("a-team", unit="甲村")
        member = subject("a-member", "member", unit="甲村", facts={"law_violation": True})
        for order in ((team, member), (member, team)):
            o = run(scheme, *order).outcome("a-team")
            # judgement 好, numbers support it; the member's 派出所 record → 正常
            assert ("好", "正常") == (o.raw_grade, o.final_grade)

    def test_only_the_same_unit(self, scheme: Any) -> None:
        team = subject("b-team", unit="乙村")
        member = subject("a-member", "member", unit="甲村", facts={"discipline_violation": True})
        assert "好" == run(scheme, team, member).outcome("b-team").final_grade

    def test_only_confirmed_records(self, scheme: Any) -> None:
        """Pending petitions and open cases are not findings (一、(一))."""
        team = subject("a-team", unit="甲村")
        pending = subject("m1", "member", unit="甲村", facts={"petition_pending": True})
        case = subject("m2", "member", unit="甲村", facts={"discipline_case_open": True, "criminal_case_open": True})
        assert "好" == run(scheme, team, pending, case).outcome("a-team").final_grade

    def test_a_team_without_unit_finds_no_member(self, scheme: Any) -> None:
        """Documented limit: members are found by `unit`; a team without one has none."""
        team = subject("a-team", unit="")
        member = subject("m1", "member", unit="", facts={"petition_substantiated": True})
        assert "好" == run(scheme, team, member).outcome("a-team").final_grade


class TestParameters:
    def test_a_town_sets_its_own_minimum(self) -> None:
        """min_questionnaires = 20: 20 questionnaires (好 14, 正常 5, 较差 1) suffice;
        14/20 = 0.7 > 1/2 → 好. Under the default 30 the member is not graded."""
        member = subject("m", "member", appraisal=(14, 5, 1))
        strict = run(ve.load_scheme(SCHEME_DIR), member).outcome("m")
        assert "insufficient_evidence" == strict.status
        lenient = run(ve.load_scheme(SCHEME_DIR, parameters={"min_questionnaires": 20}), member).outcome("m")
        assert ("graded", "好") == (lenient.status, lenient.final_grade)
