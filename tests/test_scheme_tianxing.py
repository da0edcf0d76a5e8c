"""Hand-derived examples for the bundled scheme tianxing-rectification-2015 (document 003).

The scheme screens every village of 天兴乡 against the eight problem types of 三、(一)
(one recorded yes/no fact each): a village with any type is 重点整顿, the others
一般整顿; at least ceil(10% × villages) must be 重点整顿 (五、(一) "不低于10%"), topped up
with the villages ranked worst in the 2014 assessment (rank_2014, larger is worse).

Cases in schemes/tianxing-rectification-2015/cases/ check grades, adjustments, flags,
consequences and findings (cases/findings.toml). The problem lists (findings) and the
notes carried to the result are checked here too, together with the quota's arithmetic and
a check that every number of the document is in the scheme under its clause. Every
expected value is worked out by hand from the document, never copied from the output.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import tomli

import villageeval as ve

SCHEME_ID = "tianxing-rectification-2015"
SCHEME_DIR = Path(__file__).parent.parent / "schemes" / SCHEME_ID
TYPES = (
    "team_incomplete",  # 三、(一)1
    "org_life_lax",  # 三、(一)2
    "bodies_ineffective",  # 三、(一)3
    "cadre_misconduct",  # 三、(一)4
    "members_unmanaged",  # 三、(一)5
    "assets_disorder",  # 三、(一)6
    "clan_interference",  # 三、(一)7
    "other_situation",  # 三、(一)8
)
KEY = {
    "work_team",
    "funding",
    "key_register",
    "one_village_one_plan",
    "key_problem_list",
    "midyear_review",
    "look_back",
    "acceptance",
}
GENERAL = {"work_team", "funding", "general_problem_list"}


@pytest.fixture(scope="module")
def scheme() -> ve.Scheme:
    return ve.load_scheme(SCHEME_ID)


def village(sid: str, rank: int, *types: str, reported: bool = False, **extra: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {t: t in types for t in TYPES}
    facts.update(reported_issues=reported, rank_2014=rank, **extra)
    return {"id": sid, "role": "village", "facts": facts}


def run(scheme: ve.Scheme, *subjects: dict[str, Any]) -> ve.Result:
    return ve.evaluate(scheme, ve.cohort_from_dict({"format": 1, "period": "2015", "subjects": list(subjects)}))


def findings(o: ve.Outcome) -> list[tuple[str, str]]:
    return [(f.rule, f.clause) for f in o.findings]


# --- the problem list (findings) --------------------------------------------------------


def test_demo_problem_lists_and_notes() -> None:
    """demo.json: the three villages of 三、(二), each with its problem list.

    qingliu: types 1, 2, 6, 8 and the 2014 feedback → five findings, in file order
    (三、(一)1, 2, 6, 8, then 三、(一) for the feedback); 重点整顿 (any type);
    limit ceil(0.1 × 3) = 1, holders 1 → no fill. shazhou: the feedback only → one
    finding, 一般整顿. taohua: nothing → no finding, 一般整顿.
    """
    scheme = ve.load_scheme(SCHEME_ID)
    result = ve.evaluate(scheme, ve.load_cohort(SCHEME_DIR / "demo.json"))
    q, s, t = (result.outcome(x) for x in ("qingliu", "shazhou", "taohua"))
    assert findings(q) == [
        ("team_incomplete", "三、(一)1"),
        ("org_life_lax", "三、(一)2"),
        ("assets_disorder", "三、(一)6"),
        ("other_situation", "三、(一)8"),
        ("reported_issues", "三、(一)"),
    ]
    assert findings(s) == [("reported_issues", "三、(一)")]
    assert findings(t) == []
    assert (q.final_grade, s.final_grade, t.final_grade) == ("重点整顿", "一般整顿", "一般整顿")
    # KEY + 四、1 (its secretary rated 不合格); GENERAL + 四、4 (a report came in); GENERAL
    assert {c.rule for c in q.consequences} == KEY | {"secretary_replaced"}
    assert {c.rule for c in s.consequences} == GENERAL | {"complaint_reply"}
    assert {c.rule for c in t.consequences} == GENERAL
    # type 8 is a judgement: its description travels in the notes, unchanged
    assert q.notes["其他需要整顿的情形"] == "村委会办公用房长期出租给私人作仓库,群众办事无固定场所。"
    (pop,) = result.populations
    assert (pop.size, pop.limit, pop.holders_before, pop.holders_after, pop.status) == (3, 1, 1, 1, "ok")


@pytest.mark.parametrize("n", range(1, 9))
def test_each_type_is_listed_with_its_clause(scheme: ve.Scheme, n: int) -> None:
    """三、(一)n alone: the village is 重点整顿 and its list holds exactly that type."""
    t = TYPES[n - 1]
    result = run(scheme, village("a", 1, t), village("b", 2))
    o = result.outcome("a")
    assert findings(o) == [(t, f"三、(一){n}")]
    assert o.raw_grade == o.final_grade == "重点整顿"
    # b: nothing found, ranked worse, but limit ceil(0.1 × 2) = 1 is already held by a
    assert findings(result.outcome("b")) == []
    assert result.outcome("b").final_grade == "一般整顿"


def test_demo_23_fill_from_ranking_with_tie() -> None:
    """demo-23.json, a larger township (23 villages; the plan's copy says 3).

    Only dongyuan (rank 5) shows a type (7). limit = ceil(0.1 × 23) = ceil(2.3) = 3,
    holders 1 → 2 more, worst of 2014 first: nanzui (23) moves; beihu and xiwan tie at
    21 for the last place → beihu (the smaller id) moves, both flagged.
    The added villages carry no type: their problem list is the 2014 feedback only.
    """
    scheme = ve.load_scheme(SCHEME_ID)
    result = ve.evaluate(scheme, ve.load_cohort(SCHEME_DIR / "demo-23.json"))
    key = sorted(o.subject_id for o in result.outcomes if o.final_grade == "重点整顿")
    assert key == ["beihu", "dongyuan", "nanzui"]
    assert findings(result.outcome("dongyuan")) == [("clan_interference", "三、(一)7"), ("reported_issues", "三、(一)")]
    for sid in ("nanzui", "beihu", "xiwan"):
        assert findings(result.outcome(sid)) == [("reported_issues", "三、(一)")]
    assert [a.rule for a in result.outcome("nanzui").adjustments] == ["key_targets"]
    assert result.outcome("beihu").flags == ("quota_tie:key_targets",)
    assert result.outcome("xiwan").flags == ("quota_tie:key_targets",)
    assert result.outcome("xiwan").final_grade == "一般整顿"
    assert result.outcome("nanzui").flags == ()
    (pop,) = result.populations
    assert (pop.size, pop.limit, pop.holders_before, pop.holders_after) == (23, 3, 1, 3)
    assert set(pop.moved) == {"nanzui", "beihu"}
    assert set(pop.ties) == {"beihu", "xiwan"}
    assert any("tie at the cut between beihu, xiwan" in w for w in result.warnings)
    # every village, key or not, gets the 3-person work team and the funding (每个村)
    for o in result.outcomes:
        assert {"work_team", "funding"} <= {c.rule for c in o.consequences}


# --- the quota's arithmetic (五、(一)) -----------------------------------------------------


@pytest.mark.parametrize(
    ("villages", "limit"),
    [
        (1, 1),  # ceil(0.1) = 1
        (3, 1),  # ceil(0.3) = 1: the plan's 全乡3个村
        (9, 1),  # ceil(0.9) = 1
        (10, 1),  # ceil(1.0) = 1: exactly 10% is 1, not 2
        (11, 2),  # ceil(1.1) = 2
        (20, 2),  # ceil(2.0) = 2
        (21, 3),  # ceil(2.1) = 3
        (23, 3),  # ceil(2.3) = 3
    ],
)
def test_floor_of_ten_percent_rounds_up(scheme: ve.Scheme, villages: int, limit: int) -> None:
    """None matches: exactly `limit` villages are added, the worst ranked (largest ranks)."""
    assert limit == math.ceil(villages / 10)  # the same count, stated another way
    result = run(scheme, *(village(f"v{i:02d}", i) for i in range(1, villages + 1)))
    key = sorted(o.subject_id for o in result.outcomes if o.final_grade == "重点整顿")
    assert key == [f"v{i:02d}" for i in range(villages - limit + 1, villages + 1)]
    (pop,) = result.populations
    assert (pop.limit, pop.holders_before, pop.holders_after) == (limit, 0, limit)


def test_unmet_when_too_few_villages_are_graded(scheme: ve.Scheme) -> None:
    """11 villages, 10 without a screening record: limit ceil(1.1) = 2 counts all 11, but
    only one village is graded and can be added → the quota is unmet, with a warning."""
    incomplete = [{"id": f"x{i:02d}", "role": "village", "facts": {"rank_2014": i}} for i in range(1, 11)]
    result = run(scheme, village("a", 11), *incomplete)
    assert result.outcome("a").final_grade == "重点整顿"
    (pop,) = result.populations
    assert (pop.size, pop.limit, pop.holders_after, pop.status) == (11, 2, 1, "unmet")
    assert any("needs at least 2 of 11" in w for w in result.warnings)


def test_defaults_of_the_side_facts(scheme: ve.Scheme) -> None:
    """四、1 and 四、4 facts default to false (on file only when they happened)."""
    result = run(
        scheme,
        village("a", 1, "org_life_lax"),
        village("b", 2, secretary_unqualified=True),
        village("c", 3, complaint_received=True),
    )
    assert {c.rule for c in result.outcome("a").consequences} == KEY
    assert {c.rule for c in result.outcome("b").consequences} == GENERAL | {"secretary_replaced"}
    assert {c.rule for c in result.outcome("c").consequences} == GENERAL | {"complaint_reply"}


# --- every number of the document is in the scheme ------------------------------------------


def _raw() -> dict[str, Any]:
    with (SCHEME_DIR / "scheme.toml").open("rb") as f:
        return tomli.load(f)


def test_every_number_of_the_document_is_in_the_scheme() -> None:
    """The plan's figures and where the scheme must carry them, under their clause."""
    raw = _raw()
    rules = {**raw["consequences"], **raw["findings"], **raw["quotas"]}

    def rule(rid: str, clause: str, *needles: str) -> None:
        assert rules[rid]["clause"] == clause, rid
        for needle in needles:
            assert needle in rules[rid]["text"], (rid, needle)

    # 三、(一) "主要包括8个方面类型": eight findings, 三、(一)1 … 三、(一)8, each on its own fact
    for n, t in enumerate(TYPES, 1):
        assert raw["findings"][t]["clause"] == f"三、(一){n}"
        assert raw["findings"][t]["when"] == {"fact": t}
        assert raw["facts"][t]["clause"] == f"三、(一){n}"
    # 三、(一)/(二) "2014年度": the feedback finding and the ranking fact
    rule("reported_issues", "三、(一)", "2014年度")
    assert raw["facts"]["rank_2014"]["clause"] == "三、(二)"
    assert "2014年度" in raw["facts"]["rank_2014"]["label"]
    # 三、(二) "全乡3个村": the demo has the plan's three villages
    assert "全乡3个村" in (SCHEME_DIR / "scheme.toml").read_text(encoding="utf-8")
    assert len(ve.load_cohort(SCHEME_DIR / "demo.json").subjects) == 3
    # 五、(一) "不低于10%": the parameter and the quota that reads it
    assert str(raw["parameters"]["key_share"]["value"]) == "0.1"
    assert raw["parameters"]["key_share"]["clause"] == "五、(一)"
    q = raw["quotas"]["key_targets"]
    assert (q["share"], q["bound"], q["count"]) == ("$key_share", "at_least", "ceil")
    rule("key_targets", "五、(一)", "不低于10%")
    # 五、(一) "不少于3人的整顿工作组"
    rule("work_team", "五、(一)", "不少于3人")
    # 四、3 "每个村每年5万元" and "5万元村级惠民项目资金"
    assert raw["consequences"]["funding"]["text"].count("5万元") == 2
    rule("funding", "四、3", "每个村每年5万元")
    # 四、4 "3个工作日", "100%"
    rule("complaint_reply", "四、4", "3个工作日", "100%")
    # 五 the timetable: 4月底—6月上旬, 6月中旬, 7月—10月, 11月; 4月 to 12月底 overall
    rule("one_village_one_plan", "五、(二)", "4月底—6月上旬")
    rule("midyear_review", "五、(三)", "6月中旬")
    rule("look_back", "五、(四)", "7月—10月")
    rule("acceptance", "五、(五)", "11月")
    assert "April to the end of December" in raw["description"]
    # the plan's date
    assert raw["source"]["date"] == "2015-04-24"
