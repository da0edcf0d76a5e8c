"""Hand-derived examples for the bundled schemes dazehu-annual-2021 and dazehu-review-2021
(document 001, 大泽湖街道's 2021 annual assessment and "下述下评").

Every expected value below is worked out by hand from the plan's numbers, never copied
from the program's output:

- 三、(一)2(3): 一类 ≤ 50% of the villages/communities; secretaries 优秀 ≤ 40%; cadres
  优秀 原则上 ≤ 30% (soft); work teams 优秀 ≤ 40%; "不得超过" → floor of share × total.
- 三、(二)3: a 述职评议 below 好 caps the annual grade at 称职.
- 三、(一)1(1): reports "不过2000字" → more than 2000 characters is a finding.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import villageeval as ve
from villageeval.testing import check_outcomes

ROOT = Path(__file__).parent.parent
ANNUAL_DIR = ROOT / "schemes" / "dazehu-annual-2021"
REVIEW_DIR = ROOT / "schemes" / "dazehu-review-2021"
SEED = ROOT.parent / "shared" / "seeds" / "001_ae96329aa13756b1.txt"


@pytest.fixture(scope="module")
def annual() -> Any:
    return ve.load_scheme(ANNUAL_DIR)


@pytest.fixture(scope="module")
def review() -> Any:
    return ve.load_scheme(REVIEW_DIR)


@pytest.fixture(scope="module")
def annual_demo(annual: Any) -> Any:
    return ve.evaluate(annual, ve.load_cohort(ANNUAL_DIR / "demo.json"))


@pytest.fixture(scope="module")
def review_demo(review: Any) -> Any:
    return ve.evaluate(review, ve.load_cohort(REVIEW_DIR / "demo.json"))


# --- every number of the document, where it must be found --------------------------------


def test_quota_numbers_of_the_plan(annual: Any) -> None:
    # 三、(一)2(3): (role, grade, share, hard/soft), each "不得超过" → floor, at most.
    expected = {
        "village_first_class": ("village", "一类", Fraction(1, 2), "hard"),  # 50%
        "secretary_excellent": ("secretary", "优秀", Fraction(2, 5), "hard"),  # 40%
        "cadre_excellent": ("cadre", "优秀", Fraction(3, 10), "soft"),  # 原则上 30%
        "work_team_excellent": ("work_team", "优秀", Fraction(2, 5), "hard"),  # 40%
    }
    assert set(annual.quotas) == set(expected)
    for qid, (role, grade, share, enforce) in expected.items():
        q = annual.quotas[qid]
        assert tuple(q.roles) == (role,), qid
        assert (q.grade, Fraction(q.share), q.enforce) == (grade, share, enforce), qid
        assert (q.bound, q.count, q.base, q.per) == ("at_most", "floor", "all", None), qid
        assert q.clause == "三、(一)2(3)", qid


def test_report_limit_and_cap_numbers(annual: Any, review: Any) -> None:
    # 三、(一)1(1) "不过2000字"
    p = annual.parameters["report_max_chars"]
    assert (p.value, p.clause) == (2000, "三、(一)1(1)")
    assert annual.findings["report_too_long"].clause == "三、(一)1(1)"
    # 三、(二)3: the four tiers, the same in both schemes; the cap below 好 → at most 称职
    assert review.scales["four"].labels == ("好", "较好", "一般", "差")
    assert annual.scales["review_tiers"].labels == review.scales["four"].labels
    cap = annual.caps["review_below_good"]
    assert (cap.at_most, cap.clause) == ("称职", "三、(二)3")
    # the grade next below 优秀 on the annual scale is the cap's ceiling
    person = annual.scales["person_grade"].labels
    assert person[person.index("优秀") + 1] == cap.at_most
    # period and date of the plan
    assert annual.period == review.period == "2021"
    assert annual.source.date == review.source.date == "2022-01-08"


def test_numbers_not_encoded_are_documented() -> None:
    # The timetable (一, 四、2–3) and the meeting's length (三、(一)2(1)) are not rules;
    # the docs page must say so, with the numbers.
    annual_doc = (ROOT / "docs" / "schemes" / "dazehu-annual-2021.md").read_text(encoding="utf-8")
    review_doc = (ROOT / "docs" / "schemes" / "dazehu-review-2021.md").read_text(encoding="utf-8")
    for text in ("2022-01-07", "2022-01-17", "1 day", "2000", "50%", "40%", "30%"):
        assert text in annual_doc, text
    for text in ("2022-01-14", "2022-01-21", "好 / 较好 / 一般 / 差"):
        assert text in review_doc, text


@pytest.mark.skipif(not SEED.is_file(), reason="the seed documents are not next to the repository")
def test_the_plan_states_these_numbers() -> None:
    # Guard against misreading the source: the clauses quoted by the scheme are there.
    text = SEED.read_text(encoding="utf-8")
    for phrase in (
        "撰写不过2000字的述职报告",
        "评定为“一类”的个数不得超过街道村(社区)总数的50%",
        "其中评定为“优秀”的个数不得超过总人数的40%",
        "评定为“优秀”的个数原则上不超过总人数的30%",
        "评定为“优秀”的个数不得超过街道总队(人)数的40%",
        "述职评议考核综合评价未达到“好”的,其年度考核不得评定为“优秀”等次",
        "按“好、较好、一般、差”四个等次作出总体评价",
    ):
        assert phrase in text, phrase
    assert re.search(r"时间不超过1天", text)


# --- the annual demo, by hand -------------------------------------------------------------------

# subject → (final grade, quota/cap adjustments in order, flags)
ANNUAL_DEMO = {
    # villages: 8 → floor(0.5 × 8) = 4; 一类 proposed for ranks 1, 2, 3, 4, 4;
    # the cut between the two rank-4 units: dongma (kept by id) and xitang (demoted)
    "nantang-village": ("一类", [], []),
    "huilong-village": ("一类", [], []),
    "taoyuan-village": ("一类", [], []),
    "dongma-village": ("一类", [], ["quota_tie:village_first_class"]),
    "xitang-village": ("二类", ["village_first_class"], ["quota_tie:village_first_class"]),
    "qingshan-village": ("二类", [], []),
    "fenglin-village": ("二类", [], []),
    "baihe-village": ("三类", [], []),
    # secretaries: 8 → floor(0.4 × 8) = floor(3.2) = 3; 优秀 proposed for ranks 1–5;
    # xitang (review 较好) capped first; 4 holders left → rank 5 (taoyuan) demoted
    "nantang-secretary": ("优秀", [], []),
    "huilong-secretary": ("优秀", [], []),
    "xitang-secretary": ("称职", ["review_below_good"], ["cap:review_below_good"]),
    "dongma-secretary": ("优秀", [], []),
    "taoyuan-secretary": ("称职", ["secretary_excellent"], []),
    "qingshan-secretary": ("称职", [], ["cap:review_below_good"]),  # review 一般, already 称职
    "fenglin-secretary": ("称职", [], []),
    "baihe-secretary": ("基本称职", [], ["cap:review_below_good"]),  # review 差
    # cadres: 16 → floor(0.3 × 16) = floor(4.8) = 4; six 优秀 → soft: warned, unchanged
    "nantang-cadre-1": ("优秀", [], []),
    "huilong-cadre-1": ("优秀", [], []),
    "xitang-cadre-1": ("优秀", [], []),
    "dongma-cadre-1": ("优秀", [], []),
    "taoyuan-cadre-1": ("优秀", [], []),
    "qingshan-cadre-2": ("优秀", [], []),
    "qingshan-cadre-1": ("基本称职", [], []),
    "baihe-cadre-2": ("不称职", [], []),
    # work teams: 5 → floor(0.4 × 5) = 2; 优秀 for ranks 1, 2, 2 → nantang/taoyuan tied
    "huilong-work-team": ("优秀", [], []),
    "nantang-work-team": ("优秀", [], ["quota_tie:work_team_excellent"]),
    "taoyuan-work-team": ("称职", ["work_team_excellent"], ["quota_tie:work_team_excellent"]),
    "xitang-work-team": ("称职", [], []),
    "qingshan-work-team": ("称职", [], []),
}


def test_annual_demo_outcomes(annual_demo: Any) -> None:
    for sid, (grade, adjustments, flags) in ANNUAL_DEMO.items():
        o = annual_demo.outcome(sid)
        assert o.status == "graded", sid
        assert o.final_grade == grade, sid
        assert [a.rule for a in o.adjustments] == adjustments, sid
        assert sorted(o.flags) == sorted(flags), sid
    # the seven cadres not listed are 称职; fenglin-cadre-2 was not appraised
    others = [
        o
        for o in annual_demo.outcomes
        if o.role == "cadre" and o.subject_id not in ANNUAL_DEMO and o.subject_id != "fenglin-cadre-2"
    ]
    assert len(others) == 7
    assert {o.final_grade for o in others} == {"称职"}
    missing = annual_demo.outcome("fenglin-cadre-2")
    assert (missing.status, [r.code for r in missing.reasons]) == ("insufficient_evidence", ["missing_evidence"])


def test_annual_demo_populations(annual_demo: Any) -> None:
    # quota → (size, limit, before, after, moved, ties, status), by hand as above
    want = {
        "village_first_class": (8, 4, 5, 4, ("xitang-village",), ("dongma-village", "xitang-village"), "demoted"),
        "secretary_excellent": (8, 3, 4, 3, ("taoyuan-secretary",), (), "demoted"),
        # 16 includes the ungraded fenglin-cadre-2 (base = all)
        "cadre_excellent": (16, 4, 6, 6, (), (), "warned"),
        "work_team_excellent": (
            5,
            2,
            3,
            2,
            ("taoyuan-work-team",),
            ("nantang-work-team", "taoyuan-work-team"),
            "demoted",
        ),
    }
    got = {
        p.quota: (p.size, p.limit, p.holders_before, p.holders_after, tuple(p.moved), tuple(sorted(p.ties)), p.status)
        for p in annual_demo.populations
    }
    assert got == want
    # three warnings: the village tie, the cadres' soft quota, the work-team tie
    assert len(annual_demo.warnings) == 3
    assert sum("soft (原则上)" in w for w in annual_demo.warnings) == 1


def test_annual_demo_consequences(annual_demo: Any) -> None:
    by_role = {
        "village": ["determined"],
        "cadre": ["determined"],
        "secretary": ["secretary_proposal"],
        "work_team": ["work_team_proposal"],
    }
    for o in annual_demo.outcomes:
        if o.status == "graded":
            assert [c.rule for c in o.consequences] == by_role[o.role], o.subject_id


def test_report_findings(annual_demo: Any) -> None:
    # 三、(一)1(1) "不过2000字": 2150 and 2001 are over; 2000 (huilong-village,
    # xitang-work-team) and less are within.
    long = sorted(o.subject_id for o in annual_demo.outcomes if any(f.rule == "report_too_long" for f in o.findings))
    assert long == ["qingshan-work-team", "xitang-village"]


def test_report_edge_with_parameter(annual: Any) -> None:
    # The limit is a parameter: at 1800, a 1801-character report is over and 1800 is not.
    strict = ve.load_scheme(ANNUAL_DIR, parameters={"report_max_chars": 1800})

    def village(sid: str, chars: int) -> dict[str, Any]:
        return {
            "id": sid,
            "role": "village",
            "evidence": {"verification": {"value": 80}, "committee_village": {"tier": "二类"}},
            "facts": {"committee_rank": 1, "report_chars": chars},
        }

    cohort = ve.cohort_from_dict({"format": 1, "subjects": [village("a", 1800), village("b", 1801)]})
    for scheme, over in ((annual, []), (strict, ["b"])):
        result = ve.evaluate(scheme, cohort)
        assert [o.subject_id for o in result.outcomes if o.findings] == over
        assert {o.final_grade for o in result.outcomes} == {"二类"}  # a finding never changes a grade


def test_annual_demo_obeys_the_scheme(annual: Any, annual_demo: Any) -> None:
    cohort = ve.load_cohort(ANNUAL_DIR / "demo.json")
    assert check_outcomes(annual, cohort, annual_demo) == []


# --- the review demo and the link between the two schemes -----------------------------------------

REVIEW_DEMO = {
    # subject → (grade, consequences beyond feedback/commendation_basis/rectification_list)
    "nantang-secretary": ("好", []),
    "huilong-secretary": ("好", []),
    "dongma-secretary": ("好", []),
    "taoyuan-secretary": ("好", []),
    "fenglin-secretary": ("好", []),
    "xitang-secretary": ("较好", ["no_excellent_annual"]),
    "qingshan-secretary": ("一般", ["no_excellent_annual", "talk_rectify"]),
    "baihe-secretary": ("差", ["no_excellent_annual", "talk_rectify", "accountability"]),
    "lx-1-secretary": ("好", ["subsidy_basis"]),
    "lx-2-secretary": ("较好", ["subsidy_basis", "no_excellent_annual"]),
    "lx-3-secretary": ("一般", ["subsidy_basis", "no_excellent_annual", "talk_rectify"]),
}
ALWAYS = ["feedback", "commendation_basis", "rectification_list"]


def test_review_demo_outcomes(review_demo: Any) -> None:
    assert {o.subject_id for o in review_demo.outcomes} == set(REVIEW_DEMO)
    for sid, (grade, extra) in REVIEW_DEMO.items():
        o = review_demo.outcome(sid)
        assert (o.status, o.raw_grade, o.final_grade) == ("graded", grade, grade), sid
        assert sorted(c.rule for c in o.consequences) == sorted(ALWAYS + extra), sid
    # 三、(二)1(2): the two reports without the 意识形态 part
    lacking = sorted(o.subject_id for o in review_demo.outcomes if o.findings)
    assert lacking == ["baihe-secretary", "lx-2-secretary"]
    assert {f.rule for sid in lacking for f in review_demo.outcome(sid).findings} == {"report_lacks_ideology"}


def test_review_outcomes_feed_the_annual_demo(annual: Any, review_demo: Any) -> None:
    """The annual demo's `outcomes` are the review demo's final grades, and feeding the
    review's result in afresh gives the same annual result."""
    data = json.loads((ANNUAL_DIR / "demo.json").read_text(encoding="utf-8"), parse_float=Decimal)
    review_grades = {o.subject_id: o.final_grade for o in review_demo.outcomes}
    secretaries = [s for s in data["subjects"] if s["role"] == "secretary"]
    assert len(secretaries) == 8
    for s in secretaries:
        assert s["outcomes"] == {"dazehu-review-2021": review_grades[s["id"]]}, s["id"]
        s["outcomes"] = {review_demo.scheme_id: review_grades[s["id"]]}
    fed = ve.evaluate(annual, ve.cohort_from_dict(data))
    capped = sorted(o.subject_id for o in fed.outcomes if "cap:review_below_good" in o.flags)
    # review 较好 (xitang), 一般 (qingshan), 差 (baihe)
    assert capped == ["baihe-secretary", "qingshan-secretary", "xitang-secretary"]
    assert (
        ve.result_to_dict(fed, trace=False)["outcomes"]
        == ve.result_to_dict(ve.evaluate(annual, ve.load_cohort(ANNUAL_DIR / "demo.json")), trace=False)["outcomes"]
    )


def test_cap_is_not_skipped_without_the_review(annual: Any) -> None:
    # A secretary proposed 优秀 with no 述职评议 outcome is not graded at all.
    s = {
        "id": "s",
        "role": "secretary",
        "evidence": {
            "appraisal": {"tallies": {"优秀": 30}},
            "verification": {"value": 95},
            "committee_secretary": {"tier": "优秀"},
        },
        "facts": {"committee_rank": 1},
    }
    o = ve.evaluate(annual, ve.cohort_from_dict({"format": 1, "subjects": [s]})).outcome("s")
    assert o.status == "insufficient_evidence"
    assert [r.code for r in o.reasons] == ["missing_outcome"]
