"""Hand-derived examples for the bundled scheme yugong-pledge-2023 (document 002).

The cases in ``schemes/yugong-pledge-2023/cases/`` cover the grades, the veto, the
eligibility rule, the consequences and the findings. This module adds what cases cannot
say: the outcome of a barred subject that has no total (no score, no raw grade), every
number of the document against the scheme, the demo and its ranking; and it tests the
findings of the pledge stage (三、(一)) once more in Python.

Every expected number is worked out by hand from the scheme's defaults, never copied
from the program's output:

- 三、(一)3 vote on each pledge item: an item is rejected when 不满意 is more than half of
  its own ballots (7 of 13 yes, 6 of 12 no); the sub-score counts the items confirmed.
- 三、(二)1 village vote: 满意 100, 基本满意 60, 不满意 0; the sub-score is the mean.
- 三、(二)1 jury: a direct score 0–100. 三、(二)2 inspection: 进展情况 0–50 + 群众认可程度 0–50.
- 三、(二)2 total = village × 30/100 + jury × 30/100 + inspection × 40/100, exact.
- 三、(二)3 合格 when total ≥ 60, else 不合格.

BASE evidence, used wherever the numbers do not matter: three pledge items, each 满意 10
of 10 → 3 confirmed; village 满意 10 of 10 → 100 → 30; jury 80 → 24; inspection 40 + 40
= 80 → 32; total 86 → 合格.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import villageeval as ve
from villageeval import _model as m

SCHEME_DIR = Path(__file__).parent.parent / "schemes" / "yugong-pledge-2023"
TOML = (SCHEME_DIR / "scheme.toml").read_text(encoding="utf-8")


def items(n: int) -> dict[str, Any]:
    """The vote on ``n`` pledge items, each 满意 10 of 10: all confirmed."""
    return {"votes": {f"事项{i}": {"tallies": {"满意": 10}} for i in range(1, n + 1)}}


BASE: dict[str, Any] = {
    "pledge_vote": items(3),
    "village_vote": {"tallies": {"满意": 10}},
    "jury": {"value": 80},
    "inspection": {"items": {"progress": 40, "recognition": 40}},
}


def person(sid: str, role: str, unit: str, pledge: dict[str, Any] | None = None, **facts: Any) -> dict[str, Any]:
    """A subject with BASE evidence (``pledge``: another vote on its pledge items) and no
    open case; ``facts`` add to or replace the defaults."""
    return {
        "id": sid,
        "role": role,
        "unit": unit,
        "evidence": BASE if pledge is None else {**BASE, "pledge_vote": pledge},
        "facts": {"judicial_case_open": False, "discipline_case_open": False, **facts},
    }


def run(*subjects: dict[str, Any], **parameters: Any) -> ve.Result:
    scheme = ve.load_scheme("yugong-pledge-2023", parameters=parameters or None)
    return ve.evaluate(scheme, ve.cohort_from_dict({"period": "2023", "subjects": list(subjects)}))


def findings(result: ve.Result, sid: str) -> list[str]:
    return [f.rule for f in result.outcome(sid).findings]


# --- every number of the document -------------------------------------------------------------


class TestDocumentNumbers:
    """Each figure of the document, masked or not, and where the scheme holds it."""

    scheme = ve.load_scheme("yugong-pledge-2023")

    def test_more_than_half_dissatisfied_in_the_village_vote(self) -> None:
        """三、(二)1 “‘不满意’票超过半数的视为不合格”: share > 1/2, strict, forcing 不合格."""
        veto = self.scheme.vetoes["village_majority_dissatisfied"]
        assert veto.clause == "三、(二)1"
        assert veto.grade == "不合格"
        assert isinstance(veto.when, m.ShareTest)
        assert (veto.when.share, veto.when.tiers) == ("village_vote", ("不满意",))
        assert veto.when.compare == m.Comparison(above=Fraction(1, 2))

    def test_the_same_half_lifts_the_township_report(self) -> None:
        """三、(二)1 “取消到乡述职资格”: the jury applies unless that same share exceeds 1/2."""
        jury = self.scheme.instruments["jury"]
        assert jury.clause == "三、(二)1"
        assert jury.applies_when == m.Not(self.scheme.vetoes["village_majority_dissatisfied"].when)

    def test_more_than_half_dissatisfied_in_the_pledge_vote(self) -> None:
        """三、(一)3 “由群众对每个人的承诺事项表决，‘不满意’票超过半数的，不得列为承诺内容”:
        a ballot on each item, rejected when the share of 不满意 is above 1/2 (strict);
        the re-draft that must follow (必须重新征求意见) is recorded per person as a count."""
        vote = self.scheme.instruments["pledge_vote"]
        assert (vote.kind, vote.clause, vote.scale, vote.measure) == (
            "item_ballot",
            "三、(一)3",
            "satisfaction",
            "confirmed",
        )
        assert vote.reject_when.tiers == ("不满意",)
        assert (vote.reject_when.above, vote.reject_when.at_least) == (Fraction(1, 2), None)
        fact = self.scheme.facts["rejected_not_redrafted"]
        assert (fact.clause, fact.type) == ("三、(一)3", "number")
        assert "超过半数" in fact.label
        finding = self.scheme.findings["rejected_item_not_redrafted"]
        assert finding.clause == "三、(一)3"
        assert finding.when == m.FactTest("rejected_not_redrafted", m.Comparison(above=Fraction(0)))

    def test_two_years_in_a_row(self) -> None:
        """三、(二)3 “连续两年认定不合格的”: a streak of 2 periods of 不合格."""
        rule = self.scheme.consequences["dismissal"]
        assert rule.clause == "三、(二)3"
        assert rule.when == m.Streak(("不合格",), 2)

    def test_masked_minimum_of_pledge_items(self) -> None:
        """三、(一)2 “每人承诺事项原则上不少于a件”: masked, a parameter (3) read by a finding."""
        p = self.scheme.parameters["min_items"]
        assert (p.value, p.clause) == (3, "三、(一)2")
        assert "Masked" in p.note
        assert self.scheme.findings["too_few_items"].when == m.ScoreTest("pledge_vote", m.Comparison(below=3))

    def test_masked_figures_no_rule_needs_are_named(self) -> None:
        """三、(一)1 the pledge deadline and 五、1 the 联系村 per leader: masked, unused, noted."""
        assert "“aaaa年承诺时间为a月aa日以前”" in TOML
        assert "“乡每名党政领导落实a—a个联系村”" in TOML

    def test_figures_the_document_does_not_give_are_parameters(self) -> None:
        """三、(二)1–3: weights, vote points, criteria maxima and the pass mark, each noted."""
        expected = {
            "weight_village": (30, "三、(二)2"),
            "weight_jury": (30, "三、(二)2"),
            "weight_inspection": (40, "三、(二)2"),
            "points_satisfied": (100, "三、(二)1"),
            "points_basically_satisfied": (60, "三、(二)1"),
            "points_dissatisfied": (0, "三、(二)1"),
            "progress_max": (50, "三、(二)2"),
            "recognition_max": (50, "三、(二)2"),
            "pass_mark": (60, "三、(二)3"),
            "commended": (3, "三、(二)3"),
        }
        for name, (value, clause) in expected.items():
            p = self.scheme.parameters[name]
            assert (p.value, p.clause) == (value, clause), name
            assert p.note.startswith("Not given"), name
        assert set(self.scheme.parameters) == {*expected, "min_items"}

    def test_year_and_township(self) -> None:
        """The title's 2023 and 四's 愚公乡."""
        assert (self.scheme.period, self.scheme.locality.name) == ("2023", "愚公乡")

    def test_every_rule_cites_a_clause_of_the_document(self) -> None:
        clauses = {"三、(一)1", "三、(一)2", "三、(一)3", "三、(二)1", "三、(二)2", "三、(二)3"}
        rules = [
            *self.scheme.eligibility.values(),
            *self.scheme.vetoes.values(),
            *self.scheme.findings.values(),
            *self.scheme.consequences.values(),
            *self.scheme.instruments.values(),
            *self.scheme.weightings.values(),
            *self.scheme.gradings.values(),
        ]
        assert {r.clause for r in rules} <= clauses


# --- findings of the pledge stage (三、(一)) ---------------------------------------------------------


class TestTooFewItems:
    """三、(一)2 “每人承诺事项原则上不少于a件”, a = 3: 2 confirmed is too few, 3 is enough;
    “原则上”: no grade change."""

    def test_boundary(self) -> None:
        r = run(person("two", "secretary", "甲村", items(2)), person("three", "director", "甲村"))
        assert findings(r, "two") == ["too_few_items"]
        assert findings(r, "three") == []
        # BASE total 86 → 合格 either way
        assert [r.outcome(s).final_grade for s in ("two", "three")] == ["合格", "合格"]

    def test_a_rejected_item_does_not_count(self) -> None:
        """Three items put to the vote, one of them 不满意 7 of 13 > 1/2: 2 confirmed, too few."""
        votes = items(3)["votes"] | {"事项3": {"tallies": {"满意": 4, "基本满意": 2, "不满意": 7}}}
        r = run(person("p", "secretary", "甲村", {"votes": votes}))
        assert r.outcome("p").instrument_scores["pledge_vote"] == 2
        assert findings(r, "p") == ["too_few_items"]

    def test_exactly_half_dissatisfied_stands(self) -> None:
        """不满意 6 of 12 is half, not more than half: the item is confirmed, 3 items."""
        votes = items(3)["votes"] | {"事项3": {"tallies": {"满意": 4, "基本满意": 2, "不满意": 6}}}
        r = run(person("p", "secretary", "甲村", {"votes": votes}))
        assert r.outcome("p").instrument_scores["pledge_vote"] == 3
        assert findings(r, "p") == []

    def test_one_person_holding_both_posts_needs_n_not_2n(self) -> None:
        """“每人”: the 一人兼 person pledges once, so 3 items are enough."""
        r = run(person("both", "both", "甲村", items(3)))
        assert findings(r, "both") == []

    def test_override(self) -> None:
        """A township that unmasks a = 5: 4 is too few, 5 is enough."""
        r = run(
            person("four", "secretary", "甲村", items(4)),
            person("five", "director", "甲村", items(5)),
            min_items=5,
        )
        assert (findings(r, "four"), findings(r, "five")) == (["too_few_items"], [])


class TestPledgeVote:
    """三、(一)3: the ballot on each item, as the trace explains it and as the evidence is checked."""

    def test_each_item_is_explained(self) -> None:
        """Each item's tally, its share of 不满意 against half, its verdict; then the count."""
        votes = {"修村道": {"tallies": {"满意": 10, "不满意": 3}}, "建桥": {"tallies": {"满意": 6, "不满意": 7}}}
        o = run(person("p", "secretary", "甲村", {"votes": votes})).outcome("p")
        steps = [s.message for s in o.trace if s.rule == "pledge_vote"]
        assert steps == [
            "pledge_vote (承诺事项逐项表决): item 修村道: 满意 10, 不满意 3 (13 ballots); "
            "不满意 3/13 is not above 50%: confirmed",
            "pledge_vote (承诺事项逐项表决): item 建桥: 满意 6, 不满意 7 (13 ballots); 不满意 "
            "7/13 is above 50%: rejected",
            "pledge_vote (承诺事项逐项表决): 1 of 2 items confirmed, 1 rejected; items confirmed: 1",
        ]

    def test_no_vote_for_a_person_under_an_open_case(self) -> None:
        """三、(一)1 “立案未结案的不参与承诺”: no pledge, so no vote is asked for."""
        s = {
            "id": "p",
            "role": "secretary",
            "unit": "甲村",
            "facts": {"judicial_case_open": True, "discipline_case_open": False},
        }
        assert run(s).outcome("p").status == "ineligible"

    def test_problems_item_by_item(self) -> None:
        """An unknown tier on one item, a count that is not a whole number on another: both, by item."""
        votes = {
            "修村道": {"tallies": {"满意": 8, "比较满意": 2}},
            "建桥": {"tallies": {"满意": -1}},
            "修渠": {"tallies": {"满意": 10}},
        }
        o = run(person("p", "secretary", "甲村", {"votes": votes})).outcome("p")
        assert o.status == "insufficient_evidence"
        assert [(r.code, r.message) for r in o.reasons] == [
            (
                "unknown_tier",
                "pledge_vote: item '修村道': unknown tier '比较满意'; did you mean "
                "'满意'? (scale: 满意, 基本满意, 不满意)",
            ),
            (
                "invalid_count",
                "pledge_vote: item '建桥': the count for '满意' must be a whole number from 0 to 10^12 (got -1)",
            ),
        ]


class TestItemsOverlap:
    """三、(一)2 “村党支部书记与村委会主任承诺事项不能交叉”: a pair rule over the same village."""

    def test_recorded_on_the_secretary_only(self) -> None:
        r = run(
            person("sec", "secretary", "甲村", overlapping_items=1),
            person("dir", "director", "甲村"),
            person("other", "director", "乙村"),
        )
        assert findings(r, "sec") == ["items_overlap"]
        assert findings(r, "dir") == ["items_overlap"]  # its counterpart's record
        assert findings(r, "other") == []  # another village

    def test_recorded_on_the_director_only(self) -> None:
        r = run(person("sec", "secretary", "甲村"), person("dir", "director", "甲村", overlapping_items=2))
        assert (findings(r, "sec"), findings(r, "dir")) == (["items_overlap"], ["items_overlap"])

    def test_none_recorded(self) -> None:
        r = run(person("sec", "secretary", "甲村"), person("dir", "director", "甲村", overlapping_items=0))
        assert (findings(r, "sec"), findings(r, "dir")) == ([], [])

    def test_one_person_holding_both_posts_has_no_counterpart(self) -> None:
        r = run(person("both", "both", "甲村", overlapping_items=1))
        assert findings(r, "both") == []

    def test_counterpart_under_an_open_case_makes_no_pledge(self) -> None:
        """三、(一)1: the director does not pledge, so nothing of theirs can overlap."""
        ineligible = person("dir", "director", "甲村", discipline_case_open=True, overlapping_items=1)
        r = run(person("sec", "secretary", "甲村"), ineligible)
        assert findings(r, "sec") == []
        assert r.outcome("dir").status == "ineligible"

    def test_count_must_be_a_number(self) -> None:
        r = run(person("sec", "secretary", "甲村", overlapping_items="一件"))
        assert [x.code for x in r.outcome("sec").reasons] == ["invalid_fact"]


class TestRejectedItems:
    """三、(一)3: an item voted down (不满意 over half) must be re-drafted; 0 outstanding is fine."""

    def test_boundary(self) -> None:
        r = run(
            person("none", "secretary", "甲村", rejected_not_redrafted=0),
            person("one", "director", "甲村", rejected_not_redrafted=1),
            person("unrecorded", "both", "乙村"),
        )
        assert findings(r, "none") == []
        assert findings(r, "one") == ["rejected_item_not_redrafted"]
        assert findings(r, "unrecorded") == []  # default 0: recorded only when found
        assert r.outcome("one").final_grade == "合格"  # no grade effect


class TestPostHeldTwice:
    """三、(一)1 “一人兼的可一并进行承诺”: one post, one pledge subject per village."""

    def test_both_and_secretary_in_one_village(self) -> None:
        r = run(person("both", "both", "甲村"), person("sec", "secretary", "甲村"), person("dir", "director", "乙村"))
        assert findings(r, "both") == ["post_held_twice"]
        assert findings(r, "sec") == ["post_held_twice"]
        assert findings(r, "dir") == []

    def test_secretary_and_director_are_two_posts(self) -> None:
        r = run(person("sec", "secretary", "甲村"), person("dir", "director", "甲村"))
        assert (findings(r, "sec"), findings(r, "dir")) == ([], [])

    def test_two_secretaries(self) -> None:
        r = run(person("a", "secretary", "甲村"), person("b", "secretary", "甲村"))
        assert (findings(r, "a"), findings(r, "b")) == (["post_held_twice"], ["post_held_twice"])

    def test_acting_holder_beside_one_under_an_open_case(self) -> None:
        r = run(person("acting", "secretary", "甲村"), person("held", "secretary", "甲村", judicial_case_open=True))
        assert findings(r, "acting") == []


# --- a subject barred from the township report ----------------------------------------------------


class TestBarred:
    """三、(二)1: 不满意 6 of 10 = 3/5 > 1/2: no jury score, no total, 不合格 by the veto."""

    def test_outcome(self) -> None:
        s = person("s", "secretary", "甲村")
        s["evidence"] = {
            "pledge_vote": items(3),
            "village_vote": {"tallies": {"满意": 2, "基本满意": 2, "不满意": 6}},
            "inspection": {"items": {"progress": 30, "recognition": 30}},
        }
        o = run(s).outcome("s")
        assert (o.status, o.score, o.raw_grade, o.final_grade) == ("graded", None, None, "不合格")
        assert [(a.rule, a.from_grade, a.to_grade) for a in o.adjustments] == [
            ("village_majority_dissatisfied", "", "不合格")
        ]
        # 3 items confirmed; village (2×100 + 2×60 + 6×0)/10 = 32; inspection 30 + 30 = 60; no jury
        assert o.instrument_scores == {"pledge_vote": 3, "village_vote": Fraction(32), "inspection": Fraction(60)}
        assert [c.rule for c in o.consequences] == ["admonition"]

    def test_a_jury_score_given_anyway_is_not_used(self) -> None:
        s = person("s", "secretary", "甲村")
        s["evidence"] = {**BASE, "village_vote": {"tallies": {"满意": 4, "不满意": 5}}}  # 5 of 9 > 1/2
        o = run(s).outcome("s")
        assert (o.score, o.final_grade) == (None, "不合格")
        assert "jury" not in o.instrument_scores


# --- the demo -------------------------------------------------------------------------------------------

# subject: (status, exact total, final grade, consequences, findings), each worked out by hand
DEMO: dict[str, tuple[str, Fraction | None, str | None, list[str], list[str]]] = {
    # village (30×100 + 8×60)/40 = 87 → 26.1; jury 88 → 26.4; 45 + 42 = 87 → 34.8; 87.3
    "dongling-secretary": ("graded", Fraction("87.3"), "合格", [], ["items_overlap"]),
    # (25×100 + 12×60)/40 = 80.5 → 24.15; 82 → 24.6; 80 → 32; 80.75; overlap from the secretary
    "dongling-director": ("graded", Fraction("80.75"), "合格", [], ["items_overlap"]),
    # (20×100 + 10×60)/35 = 520/7 → 156/7; 79 → 23.7; 75 → 30; 156/7 + 53.7 = 5319/70
    "xihe-both": ("graded", Fraction(5319, 70), "合格", [], []),
    # 不满意 16 of 30 > 1/2: barred, no total; 2022 合格 → admonition only
    "nanping-secretary": ("graded", None, "不合格", ["admonition"], []),
    # (18×100 + 10×60)/30 = 80 → 24; 75 → 22.5; 70 → 28; 74.5
    "nanping-director": ("graded", Fraction("74.5"), "合格", [], []),
    # 不满意 12 of 24 = 1/2, not barred; (5×100 + 7×60)/24 = 115/3 → 11.5; 70 → 21; 58 → 23.2
    # 55.7 < 60 → 不合格 → admonition
    "beishan-secretary": ("graded", Fraction("55.7"), "不合格", ["admonition"], []),
    # (20×100 + 4×60)/24 = 280/3 → 28; 90 → 27; 90 → 36; 91; 2 items < 3; 2022 不合格 but 2023 合格
    "beishan-director": ("graded", Fraction(91), "合格", ["commendation"], ["too_few_items"]),
    # 不满意 16 of 31 > 1/2: barred; 2022 不合格 → two years in a row
    "shiqiao-both": ("graded", None, "不合格", ["admonition", "dismissal"], []),
    # open disciplinary case
    "liugou-secretary": ("ineligible", None, None, [], []),
    # (22×100 + 6×60)/30 = 256/3 → 25.6; 84 → 25.2; 82 → 32.8; 83.6; one rejected item outstanding
    "liugou-director": ("graded", Fraction("83.6"), "合格", [], ["rejected_item_not_redrafted"]),
    # (10×100 + 10×60)/20 = 80 → 24; 60 → 18; 45 → 18; 60 exactly → 合格
    "xingyuan-secretary": ("graded", Fraction(60), "合格", [], []),
    # (15×100 + 5×60)/20 = 90 → 27; 86 → 25.8; 87 → 34.8; 87.6
    "xingyuan-director": ("graded", Fraction("87.6"), "合格", ["commendation"], []),
    # (28×100 + 7×60)/36 = 805/9 → 161/6; 93 → 27.9; 94 → 37.6; 161/6 + 65.5 = 277/3
    "wangzhuang-both": ("graded", Fraction(277, 3), "合格", ["commendation"], []),
}
# 评选表彰 (parameter commended = 3): the three best places of the composite ranking, all
# 合格 — 277/3 ≈ 92.33, 91 and 87.6 (see TestDemo.test_ranking).


class TestDemo:
    result = ve.evaluate(
        ve.load_scheme("yugong-pledge-2023"),
        ve.load_cohort(SCHEME_DIR / "demo.json"),
    )

    @pytest.mark.parametrize("sid", sorted(DEMO))
    def test_outcome(self, sid: str) -> None:
        o = self.result.outcome(sid)
        status, score, grade, consequences, found = DEMO[sid]
        assert (o.status, o.score, o.final_grade) == (status, score, grade)
        assert sorted(c.rule for c in o.consequences) == consequences
        assert [f.rule for f in o.findings] == found

    def test_items_confirmed(self) -> None:
        """三、(一)3 on the demo's votes: 不满意 above half of an item's ballots rejects it."""
        confirmed = {o.subject_id: o.instrument_scores.get("pledge_vote") for o in self.result.outcomes}
        assert confirmed == {
            "dongling-secretary": 4,  # 光伏电站 不满意 20 of 40, exactly half: stands
            "dongling-director": 3,
            "xihe-both": 4,  # 加工企业 19 of 35 > 1/2 rejected; the re-drafted 冷库 5 of 35 confirmed
            "nanping-secretary": 3,
            "nanping-director": 3,
            "beishan-secretary": 3,
            "beishan-director": 2,  # two items only → too_few_items
            "shiqiao-both": 3,
            "liugou-secretary": None,  # open case: no pledge, no vote
            "liugou-director": 3,  # 拓宽村口道路 17 of 30 > 1/2 rejected, not re-drafted (recorded)
            "xingyuan-secretary": 3,
            "xingyuan-director": 3,
            "wangzhuang-both": 5,
        }

    def test_every_subject_is_expected(self) -> None:
        data = json.loads((SCHEME_DIR / "demo.json").read_text(encoding="utf-8"))
        assert {s["id"] for s in data["subjects"]} == set(DEMO)

    def test_ranking(self) -> None:
        """三、(二)2 综合排名: by the exact composite total (the hand totals of DEMO), best first.

        The two barred subjects have no total and the ineligible one is not evaluated:
        none of them is ranked, so 10 are. No two totals are equal, so no tie-break is read.
        """
        by_hand = [
            "wangzhuang-both",  # 277/3 ≈ 92.33
            "beishan-director",  # 91
            "xingyuan-director",  # 87.6
            "dongling-secretary",  # 87.3
            "liugou-director",  # 83.6
            "dongling-director",  # 80.75
            "xihe-both",  # 5319/70 ≈ 75.99
            "nanping-director",  # 74.5
            "xingyuan-secretary",  # 60
            "beishan-secretary",  # 55.7, 不合格: ranked, last
        ]
        placed = {o.subject_id: o.rank["composite"] for o in self.result.outcomes if "composite" in o.rank}
        assert placed == {sid: ve.Placing(i, 10, None, ()) for i, sid in enumerate(by_hand, start=1)}
        for sid in ("nanping-secretary", "shiqiao-both", "liugou-secretary"):
            assert self.result.outcome(sid).rank == {}
        assert not any(f.startswith("rank_tie:") for o in self.result.outcomes for f in o.flags)
