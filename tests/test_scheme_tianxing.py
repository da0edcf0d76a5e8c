"""Hand-derived examples for the bundled scheme tianxing-rectification-2015 (document 003).

The scheme screens every village of 天兴乡 against the eight problem types of 三、(一)
(one recorded yes/no fact each): a village with any type is 重点整顿, the others
一般整顿; at least ceil(10% × villages) must be 重点整顿 (五、(一) "不低于10%"), topped up
with the villages ranked worst in the 2014 assessment (rank_2014, larger is worse).

Cases in schemes/tianxing-rectification-2015/cases/ check grades, adjustments, flags,
consequences and findings (cases/findings.toml), and the year-end acceptance against the
ledger (cases/ledger.toml, cases/ledger_evidence.toml). The problem lists (findings) and
the notes carried to the result are checked here too, together with the quota's
arithmetic, the acceptance demo (demo-acceptance.json) entry by entry, and a check that
every number of the document is in the scheme under its clause. Every expected value is
worked out by hand from the document, never copied from the output.
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


# --- the year-end acceptance against the ledger (五、(二), 五、(五)) ------------------------------


def with_ledger(v: dict[str, Any], as_of: str, *entries: dict[str, Any], view: str | None = "满意") -> dict[str, Any]:
    """The village at the acceptance: its ledger on ``as_of`` and the villagers' evaluation."""
    evidence: dict[str, Any] = {"ledger": {"as_of": as_of, "entries": list(entries)}}
    if view is not None:
        evidence["villager_evaluation"] = {"tier": view}
    return {**v, "evidence": evidence}


def test_demo_acceptance() -> None:
    """demo-acceptance.json: the plan's three villages at the acceptance, 2015-11-20.

    qingliu (重点整顿): 补齐支委 closed 06-05 and verified → closed; 三会一课 closed 09-25,
    verified → closed; 征地补偿 rectified 07-30 but not verified, deadline 07-31 → overdue;
    办公用房 not closed, deadline 08-31 → overdue; 集体经济 not closed, deadline 12-31 →
    open. Not closed 3 (1 open + 2 overdue) → key_overdue and accountability, no 销号.
    shazhou (一般整顿): 补选 closed and verified; 公开账目 not closed, deadline 09-30 →
    overdue → general_overdue. taohua: an empty ledger → nothing more.
    """
    result = ve.evaluate(ve.load_scheme(SCHEME_ID), ve.load_cohort(SCHEME_DIR / "demo-acceptance.json"))
    outcomes = {o.subject_id: o for o in result}
    assert {sid: o.instrument_scores.get("ledger") for sid, o in outcomes.items()} == {
        "qingliu": 3,
        "shazhou": 1,
        "taohua": 0,
    }
    assert {c.rule for c in outcomes["qingliu"].consequences} == KEY | {
        "secretary_replaced",
        "key_overdue",
        "accountability",
    }
    assert {c.rule for c in outcomes["shazhou"].consequences} == GENERAL | {"complaint_reply", "general_overdue"}
    assert {c.rule for c in outcomes["taohua"].consequences} == GENERAL
    steps = [s.message for s in outcomes["qingliu"].trace if s.rule == "ledger"]
    assert steps == [
        "ledger (整顿工作台账(问题清单)): 1. 支委缺额2人:补齐支部委员会: deadline 2015-06-10, closed "
        "2015-06-05 and verified: closed",
        "ledger (整顿工作台账(问题清单)): 2. “三会一课”不落实:每月召开支部党员大会,每季度讲一次党课: "
        "deadline 2015-09-30, "
        "closed 2015-09-25 and verified: closed",
        "ledger (整顿工作台账(问题清单)): 3. 征地补偿分配不公开:张榜公布分配方案和名册: deadline 2015-07-31, "
        "closed 2015-07-30, not verified: overdue",
        "ledger (整顿工作台账(问题清单)): 4. 村委会办公用房出租:收回并恢复便民服务场所: deadline "
        "2015-08-31, not closed: overdue",
        "ledger (整顿工作台账(问题清单)): 5. 空壳村:发展村集体经济,年收入达到5万元: deadline "
        "2015-12-31, not closed: open",
        "ledger (整顿工作台账(问题清单)): as of 2015-11-20: 5 entries, 2 closed, 1 open, 2 overdue; not closed: 3",
    ]


def test_the_deadline_day_is_in_time(scheme: ve.Scheme) -> None:
    """五、(二) 限时销号: not closed on its deadline day is still open; the day after, overdue."""
    problem = {"problem": "补齐支委班子", "deadline": "2015-06-10"}
    result = run(
        scheme,
        with_ledger(village("on-the-day", 1, "team_incomplete"), "2015-06-10", problem),
        with_ledger(village("day-after", 2, "team_incomplete"), "2015-06-11", problem),
    )
    assert "key_overdue" not in {c.rule for c in result.outcome("on-the-day").consequences}
    assert "key_overdue" in {c.rule for c in result.outcome("day-after").consequences}
    # open or overdue, it is not closed: no 销号 at an acceptance held on either day
    for sid in ("on-the-day", "day-after"):
        assert result.outcome(sid).instrument_scores["ledger"] == 1
        assert "accountability" in {c.rule for c in result.outcome(sid).consequences}


def test_struck_off_only_when_every_problem_is_closed(scheme: ve.Scheme) -> None:
    """五、(五) "验收通过后即可销号": two problems closed and verified → 销号; one of them
    rectified but not verified → not 销号, and those responsible answer for it."""
    done = {"problem": "补齐支委班子", "deadline": "2015-06-10", "closed": "2015-06-01", "verified": True}
    unverified = {"problem": "清理三资", "deadline": "2015-12-31", "closed": "2015-11-01"}
    result = run(
        scheme,
        with_ledger(village("all-closed", 1, "assets_disorder"), "2015-11-20", done, {**unverified, "verified": True}),
        with_ledger(village("one-unverified", 2, "assets_disorder"), "2015-11-20", done, unverified),
    )
    assert {c.rule for c in result.outcome("all-closed").consequences} == KEY | {"struck_off"}
    assert {c.rule for c in result.outcome("one-unverified").consequences} == KEY | {"accountability"}


def test_acceptance_rules_read_the_ledger() -> None:
    """The consequences of 五、(二) and 五、(五) are written over the ledger's tallies and sub-score."""
    raw = _raw()
    ledger = raw["instruments"]["ledger"]
    assert (ledger["kind"], ledger["clause"], ledger["measure"], ledger["required"]) == (
        "ledger",
        "五、(二)",
        "not_closed",
        False,
    )
    overdue = {"share": "ledger", "tiers": ["overdue"], "above": 0}
    assert raw["consequences"]["key_overdue"]["when"] == {"all": [{"grade": "重点整顿"}, overdue]}
    assert raw["consequences"]["general_overdue"]["when"] == {"all": [{"grade": "一般整顿"}, overdue]}
    assert {"score": "ledger", "equals": 0} in raw["consequences"]["struck_off"]["when"]["all"]
    assert "验收通过后即可销号" in raw["consequences"]["struck_off"]["text"]
    assert "倒排工期、限时销号" in raw["consequences"]["key_overdue"]["text"]
    assert raw["consequences"]["accountability"]["text"] == "对问题未转化、群众不满意的，追究相关责任人责任"


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
