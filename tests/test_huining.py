"""Hand-derived examples for the bundled scheme huining-midterm-2023 (document 000).

Every expected number below is worked out by hand from the notice's numbers, never
copied from the program's output:

- 四、2: a ballot counts 好 = 90, 一般 = 70, 差 = 40 points; an instrument's sub-score
  is the mean of its ballots (out of 100).
- 四、6: total = appraisal × 40/100 + interview × 20/100 + household_visit × 20/100
  + site_inspection × 10/100 + party_committee × 10/100.
- 四、6 bands, as the scheme reads them: round the exact total once, half-up to a whole
  point; ≥ 85 → 好, 66–84 → 一般, ≤ 65 → 差.

Two hand-built baselines serve the band edges; only the committee's direct score
(any exact decimal in 0..100) changes, so each target total is easy to hit exactly:

HIGH: appraisal 16/4/0 of 20: (16×90 + 4×70)/20 = 1720/20 = 86 → × 40/100 = 34.4
      interview 12/3/0 of 15: (12×90 + 3×70)/15 = 1290/15 = 86 → × 20/100 = 17.2
      households 9/3/0 of 12: (9×90 + 3×70)/12 = 1020/12 = 85 → × 20/100 = 17
      site 好: 90 → × 10/100 = 9
      without the committee: 34.4 + 17.2 + 17 + 9 = 77.6; total = 77.6 + P/10.
LOW:  appraisal 4/10/6 of 20: (360 + 700 + 240)/20 = 1300/20 = 65 → 26
      interview 3/9/3 of 15: (270 + 630 + 120)/15 = 1020/15 = 68 → 13.6
      households 3/6/3 of 12: (270 + 420 + 120)/12 = 810/12 = 67.5 → 13.5
      site 一般: 70 → 7
      without the committee: 26 + 13.6 + 13.5 + 7 = 60.1; total = 60.1 + P/10.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import villageeval as ve

SCHEME_DIR = Path(__file__).parent.parent / "schemes" / "huining-midterm-2023"
DEMO = SCHEME_DIR / "demo.json"

VETOES = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee")
FACTS = (*VETOES, "serious_problems")

HIGH: dict[str, Any] = {
    "appraisal": (16, 4, 0),
    "interview": (12, 3, 0),
    "households": (9, 3, 0),
    "site": "好",
}
LOW: dict[str, Any] = {
    "appraisal": (4, 10, 6),
    "interview": (3, 9, 3),
    "households": (3, 6, 3),
    "site": "一般",
}


def _tallies(t: tuple[int, int, int]) -> dict[str, int]:
    return {"好": t[0], "一般": t[1], "差": t[2]}


def subject(
    sid: str = "s",
    role: str = "team",
    *,
    appraisal: tuple[int, int, int] = HIGH["appraisal"],
    interview: tuple[int, int, int] = HIGH["interview"],
    households: tuple[int, int, int] = HIGH["households"],
    strata: dict[str, int] | None = None,
    site: str = HIGH["site"],
    committee: int | str | None = 74,
    interview_coverage: dict[str, tuple[int, int]] | None = None,
    site_coverage: dict[str, int] | None = None,
    facts: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """One subject in the cohort JSON shape; ``committee`` None leaves the score out."""
    cov = {"包村干部": (2, 2), "村干部": (5, 5), "驻村工作队员": (3, 3)}
    cov.update(interview_coverage or {})
    site_cov = {"乡村建设项目": 1, "人居环境整治": 1, "集体经济项目": 1}
    site_cov.update(site_coverage or {})
    evidence: dict[str, Any] = {
        "appraisal": {"tallies": _tallies(appraisal)},
        "interview": {
            "tallies": _tallies(interview),
            "coverage": {k: {"count": c, "of": n} for k, (c, n) in cov.items()},
        },
        "household_visit": {
            "tallies": _tallies(households),
            "strata": strata if strata is not None else {"甲庄": 4, "乙庄": 4, "丙庄": 4},
        },
        "site_inspection": {"tier": site, "coverage": site_cov},
    }
    if committee is not None:
        # Decimal, as json.loads(..., parse_float=Decimal) would give for 68.95.
        evidence["party_committee"] = {"value": Decimal(str(committee))}
    all_facts = dict.fromkeys(FACTS, False)
    all_facts.update(facts or {})
    return {
        "id": sid,
        "name": f"测试对象 {sid}",
        "role": role,
        "unit": "测试村",
        "groups": {"township": "test-township"},
        "evidence": evidence,
        "facts": all_facts,
        "history": {},
    }


def cohort(*subjects: dict[str, Any]) -> Any:
    """A cohort of the given subjects for this scheme."""
    return ve.cohort_from_dict(
        {"format": 1, "scheme": "huining-midterm-2023", "period": "2023", "subjects": list(subjects)}
    )


@pytest.fixture(scope="module")
def scheme() -> Any:
    return ve.load_scheme(SCHEME_DIR)


def one(scheme: Any, **kwargs: Any) -> Any:
    """Evaluate a single-subject cohort and return its outcome."""
    s = subject(**kwargs)
    return ve.evaluate(scheme, cohort(s)).outcome(s["id"])


def reasons(o: Any) -> set[tuple[str, str | None]]:
    return {(r.code, r.instrument) for r in o.reasons}


class TestScheme:
    """The scheme file carries the notice's numbers."""

    def test_weights(self, scheme: Any) -> None:
        """四、6: 40/20/20/10/10 out of 100."""
        w = scheme.weightings["main"]
        assert {
            "appraisal": 40,
            "interview": 20,
            "household_visit": 20,
            "site_inspection": 10,
            "party_committee": 10,
        } == dict(w.weights)
        assert Fraction(100) == w.total == sum(w.weights.values())

    def test_points(self, scheme: Any) -> None:
        """四、2: 好 90, 一般 70, 差 40."""
        assert [("好", 90), ("一般", 70), ("差", 40)] == [(t.label, t.points) for t in scheme.scales["three"].tiers]

    def test_sampling_rules(self, scheme: Any) -> None:
        """四、2/3/5: at least 20 raters, 15 interviewees, 3–5 households per 自然村."""
        ins = scheme.instruments
        assert 20 == ins["appraisal"].min_respondents
        assert 15 == ins["interview"].min_respondents
        assert ("包村干部", "村干部", "驻村工作队员") == ins["interview"].must_cover
        assert (3, 5) == (ins["household_visit"].per_stratum.min, ins["household_visit"].per_stratum.max)
        assert ("乡村建设项目", "人居环境整治", "集体经济项目") == ins["site_inspection"].must_cover

    def test_six_vetoes(self, scheme: Any) -> None:
        """四、6 lists six veto situations, each forcing 差."""
        assert set(VETOES) == set(scheme.vetoes)
        assert {("四、6", "差")} == {(v.clause, v.grade) for v in scheme.vetoes.values()}


class TestHighEdges:
    """The 好 / 一般 edge: 77.6 + P/10 (see the module docstring)."""

    def test_exactly_85(self, scheme: Any) -> None:
        """P = 74: 77.6 + 7.4 = 85 → 85 → 好."""
        o = one(scheme, committee=74)
        assert ("graded", Fraction(85), Fraction(85), "好") == (o.status, o.score, o.rounded_score, o.final_grade)
        assert "85.00" == o.score_display

    def test_84_5_rounds_up(self, scheme: Any) -> None:
        """P = 69: 77.6 + 6.9 = 84.5 → half-up 85 → 好."""
        o = one(scheme, committee=69)
        assert (Fraction(169, 2), Fraction(85), "好") == (o.score, o.rounded_score, o.final_grade)
        assert "84.50" == o.score_display

    def test_just_below_84_5(self, scheme: Any) -> None:
        """P = 68.95: 77.6 + 6.895 = 84.495 → 84 → 一般 (exact, no float drift)."""
        o = one(scheme, committee="68.95")
        assert (Fraction(16899, 200), Fraction(84), "一般") == (o.score, o.rounded_score, o.final_grade)

    def test_84_49(self, scheme: Any) -> None:
        """P = 68.9: 77.6 + 6.89 = 84.49 → 84 → 一般."""
        o = one(scheme, committee="68.9")
        assert (Fraction(8449, 100), Fraction(84), "一般") == (o.score, o.rounded_score, o.final_grade)
        assert "84.49" == o.score_display

    def test_exactly_84(self, scheme: Any) -> None:
        """P = 64: 77.6 + 6.4 = 84 → 一般 (the top of 66-84)."""
        o = one(scheme, committee=64)
        assert (Fraction(84), "一般") == (o.score, o.final_grade)


class TestLowEdges:
    """The 一般 / 差 edge: 60.1 + P/10 (see the module docstring)."""

    def test_exactly_66(self, scheme: Any) -> None:
        """P = 59: 60.1 + 5.9 = 66 → 一般."""
        o = one(scheme, **LOW, committee=59)
        assert (Fraction(66), Fraction(66), "一般") == (o.score, o.rounded_score, o.final_grade)

    def test_65_5_rounds_up(self, scheme: Any) -> None:
        """P = 54: 60.1 + 5.4 = 65.5 → half-up 66 → 一般."""
        o = one(scheme, **LOW, committee=54)
        assert (Fraction(131, 2), Fraction(66), "一般") == (o.score, o.rounded_score, o.final_grade)
        assert "65.50" == o.score_display

    def test_65_49(self, scheme: Any) -> None:
        """P = 53.9: 60.1 + 5.39 = 65.49 → 65 → 差."""
        o = one(scheme, **LOW, committee="53.9")
        assert (Fraction(6549, 100), Fraction(65), "差") == (o.score, o.rounded_score, o.final_grade)

    def test_65_4(self, scheme: Any) -> None:
        """P = 53: 60.1 + 5.3 = 65.4 → 65 → 差."""
        o = one(scheme, **LOW, committee=53)
        assert (Fraction(327, 5), Fraction(65), "差") == (o.score, o.rounded_score, o.final_grade)

    def test_exactly_65(self, scheme: Any) -> None:
        """P = 49: 60.1 + 4.9 = 65 → 差 (65分及以下)."""
        o = one(scheme, **LOW, committee=49)
        assert (Fraction(65), "差") == (o.score, o.final_grade)


class TestInstrumentScores:
    """Sub-scores are exact means of the ballots' points."""

    def test_high_baseline(self, scheme: Any) -> None:
        """HIGH with P = 74: 86, 86, 85, 90, 74 (module docstring)."""
        o = one(scheme, committee=74)
        assert {
            "appraisal": Fraction(86),
            "interview": Fraction(86),
            "household_visit": Fraction(85),
            "site_inspection": Fraction(90),
            "party_committee": Fraction(74),
        } == dict(o.instrument_scores)

    def test_non_terminating_mean(self, scheme: Any) -> None:
        """Appraisal 15/4/2 of 21: (1350 + 280 + 80)/21 = 1710/21 = 570/7, kept exact."""
        o = one(scheme, appraisal=(15, 4, 2), committee=74)
        assert Fraction(570, 7) == o.instrument_scores["appraisal"]
        # total = 570/7 × 2/5 + 17.2 + 17 + 9 + 7.4 = 228/7 + 253/5 = (1140 + 1771)/35
        assert Fraction(2911, 35) == o.score  # = 83.17… → 83 → 一般
        assert "一般" == o.final_grade

    def test_member_uses_the_same_weighting(self, scheme: Any) -> None:
        """四、6 weights 班子 and 班子成员 alike: a member with HIGH, P = 69 is 84.5 → 好."""
        o = one(scheme, role="member", committee=69)
        assert (Fraction(169, 2), "好") == (o.score, o.final_grade)


class TestVetoes:
    """四、6 定性评价: any of the six situations forces 差 whatever the score."""

    @pytest.mark.parametrize("rule", VETOES)
    def test_forces_poor_on_a_high_score(self, scheme: Any, rule: str) -> None:
        """HIGH with P = 90: 77.6 + 9 = 86.6 → 87 → 好 by score, 差 by veto."""
        o = one(scheme, committee=90, facts={rule: True})
        assert ("graded", Fraction(433, 5), "好", "差") == (o.status, o.score, o.raw_grade, o.final_grade)
        assert [(rule, "veto", "四、6", "好", "差")] == [
            (a.rule, a.kind, a.clause, a.from_grade, a.to_grade) for a in o.adjustments
        ]
        assert [("poor", "四、7")] == [(c.rule, c.clause) for c in o.consequences]

    def test_veto_in_trace(self, scheme: Any) -> None:
        """The veto step names its rule and clause."""
        o = one(scheme, committee=90, facts={"absentee": True})
        assert any(s.rule == "absentee" and s.clause == "四、6" for s in o.trace)

    def test_no_fact_no_veto(self, scheme: Any) -> None:
        """All six facts false: the score's grade stands, no adjustment."""
        o = one(scheme, committee=90)
        assert ("好", "好", ()) == (o.raw_grade, o.final_grade, tuple(o.adjustments))

    def test_serious_problems_alone_is_no_veto(self, scheme: Any) -> None:
        """serious_problems is not one of the six situations; 86.6 stays 好."""
        o = one(scheme, committee=90, facts={"serious_problems": True})
        assert "好" == o.final_grade
        assert [("good", "四、7")] == [(c.rule, c.clause) for c in o.consequences]


class TestConsequences:
    """四、7 分类整改, one consequence per final grade, plus referral."""

    def test_good(self, scheme: Any) -> None:
        """85 → 好 → publicise."""
        o = one(scheme, committee=74)
        assert [("good", "四、7")] == [(c.rule, c.clause) for c in o.consequences]

    def test_fair(self, scheme: Any) -> None:
        """84 → 一般 → talks and rectification."""
        o = one(scheme, committee=64)
        assert [("fair", "四、7")] == [(c.rule, c.clause) for c in o.consequences]

    def test_poor(self, scheme: Any) -> None:
        """65 → 差 → 集中整顿."""
        o = one(scheme, **LOW, committee=49)
        assert [("poor", "四、7")] == [(c.rule, c.clause) for c in o.consequences]

    def test_poor_and_serious(self, scheme: Any) -> None:
        """65 → 差 with serious problems → 集中整顿 and referral."""
        o = one(scheme, **LOW, committee=49, facts={"serious_problems": True})
        assert {("poor", "四、7"), ("referral", "四、7")} == {(c.rule, c.clause) for c in o.consequences}


class TestInsufficientEvidence:
    """Short evidence gives a status and a reason, never a score."""

    def check(self, o: Any, expected: set[tuple[str, str | None]]) -> None:
        assert "insufficient_evidence" == o.status
        assert expected == reasons(o)
        assert (None, None, ()) == (o.score, o.final_grade, tuple(o.consequences))

    def test_19_raters(self, scheme: Any) -> None:
        """四、2: 15/4/0 is 19 ballots, below 20."""
        self.check(one(scheme, appraisal=(15, 4, 0)), {("too_few_respondents", "appraisal")})

    def test_20_raters_is_enough(self, scheme: Any) -> None:
        """四、2: exactly 20 ballots (the HIGH baseline) is graded."""
        assert "graded" == one(scheme, appraisal=(16, 4, 0)).status

    def test_14_interviewees(self, scheme: Any) -> None:
        """四、3: 11/3/0 is 14 interviews, below 15."""
        self.check(one(scheme, interview=(11, 3, 0)), {("too_few_respondents", "interview")})

    def test_work_team_member_not_interviewed(self, scheme: Any) -> None:
        """四、3: 2 of 3 驻村工作队员 interviewed is not 全覆盖."""
        o = one(scheme, interview_coverage={"驻村工作队员": (2, 3)})
        self.check(o, {("coverage_incomplete", "interview")})

    def test_required_site_not_inspected(self, scheme: Any) -> None:
        """四、4: no 集体经济项目 inspected."""
        o = one(scheme, site_coverage={"集体经济项目": 0})
        self.check(o, {("coverage_incomplete", "site_inspection")})

    def test_stratum_of_two(self, scheme: Any) -> None:
        """四、5: 2 households in one 自然村 (4 + 4 + 2 = 10 = 7 + 3 + 0)."""
        o = one(scheme, households=(7, 3, 0), strata={"甲庄": 4, "乙庄": 4, "丙庄": 2})
        self.check(o, {("stratum_out_of_range", "household_visit")})

    def test_stratum_of_six(self, scheme: Any) -> None:
        """四、5: 6 households in one 自然村 (6 + 3 + 3 = 12 = 9 + 3 + 0)."""
        o = one(scheme, households=(9, 3, 0), strata={"甲庄": 6, "乙庄": 3, "丙庄": 3})
        self.check(o, {("stratum_out_of_range", "household_visit")})

    def test_strata_three_and_five_are_enough(self, scheme: Any) -> None:
        """四、5: 3 + 5 + 4 = 12 households is graded, still 85 with P = 74."""
        o = one(scheme, strata={"甲庄": 3, "乙庄": 5, "丙庄": 4})
        assert ("graded", Fraction(85)) == (o.status, o.score)

    def test_strata_do_not_add_up(self, scheme: Any) -> None:
        """4 + 4 + 4 = 12 households listed, 10 + 3 + 0 = 13 ballots tallied."""
        o = one(scheme, households=(10, 3, 0))
        self.check(o, {("strata_mismatch", "household_visit")})

    def test_committee_score_missing(self, scheme: Any) -> None:
        """四、6: no 乡镇党委评价."""
        self.check(one(scheme, committee=None), {("missing_evidence", "party_committee")})

    def test_committee_score_out_of_range(self, scheme: Any) -> None:
        """The committee's score is out of 100; 101 is not a valid score."""
        self.check(one(scheme, committee=101), {("out_of_range", "party_committee")})


def _demo() -> dict[str, Any]:
    return json.loads(DEMO.read_text(encoding="utf-8"), parse_float=Decimal)


class TestDemoData:
    """The demo cohort is well formed (needs no engine)."""

    def test_eleven_villages(self) -> None:
        """一、: 11 administrative villages, each one team and 3–5 members."""
        subjects = _demo()["subjects"]
        units = {s["unit"] for s in subjects}
        assert 11 == len(units)
        for unit in units:
            roles = [s["role"] for s in subjects if s["unit"] == unit]
            assert 1 == roles.count("team")
            assert 3 <= roles.count("member") <= 5
            assert any(s["id"].endswith("-secretary") for s in subjects if s["unit"] == unit)

    def test_strata_add_up(self) -> None:
        """Each household visit lists 3–5 households per 自然村, adding up to the tally."""
        for s in _demo()["subjects"]:
            hv = s["evidence"]["household_visit"]
            assert sum(hv["tallies"].values()) == sum(hv["strata"].values()), s["id"]
            assert all(3 <= n <= 5 for n in hv["strata"].values()), s["id"]


@pytest.fixture(scope="module")
def demo(scheme: Any) -> Any:
    return ve.evaluate(scheme, ve.load_cohort(DEMO))


class TestDemo:
    """The demo cohort's grades, worked out by hand."""

    def test_beiguan_team(self, demo: Any) -> None:
        """好: 33.92 + 17.2 + 180/11 + 9 + 8.8 = 23453/275 ≈ 85.28 → 85.

        appraisal 20/4/1: (1800 + 280 + 40)/25 = 84.8 → × 0.4 = 33.92
        interview 12/3/0: (1080 + 210)/15 = 86 → × 0.2 = 17.2
        households 8/2/1: (720 + 140 + 40)/11 = 900/11 → × 0.2 = 180/11
        site 好 90 → 9; committee 88 → 8.8
        68.92 + 180/11 = (18953 + 4500)/275 = 23453/275
        """
        o = demo.outcome("beiguan-team")
        assert (Fraction(23453, 275), Fraction(85), "好") == (o.score, o.rounded_score, o.final_grade)
        assert "85.28" == o.score_display

    def test_nanchuan_secretary_84_5(self, demo: Any) -> None:
        """好: 33.6 + 17 + 17 + 9 + 7.9 = 84.5 → 85.

        appraisal 19/5/1: (1710 + 350 + 40)/25 = 84 → 33.6
        interview 12/4/0: (1080 + 280)/16 = 85 → 17
        households 9/3/0: (810 + 210)/12 = 85 → 17
        site 好 → 9; committee 79 → 7.9
        """
        o = demo.outcome("nanchuan-secretary")
        assert (Fraction(169, 2), Fraction(85), "好") == (o.score, o.rounded_score, o.final_grade)

    def test_dongping_team_85(self, demo: Any) -> None:
        """好: 34 + 17.2 + 17 + 9 + 7.8 = 85.

        appraisal 24/5/1: (2160 + 350 + 40)/30 = 85 → 34
        interview 12/3/0: 1290/15 = 86 → 17.2
        households 12/4/0: (1080 + 280)/16 = 85 → 17
        site 好 → 9; committee 78 → 7.8
        """
        o = demo.outcome("dongping-team")
        assert (Fraction(85), "好") == (o.score, o.final_grade)

    def test_macha_team_65_5(self, demo: Any) -> None:
        """一般: 26.8 + 13.6 + 12.4 + 7 + 5.7 = 65.5 → 66.

        appraisal 6/8/6: (540 + 560 + 240)/20 = 67 → 26.8
        interview 3/9/3: (270 + 630 + 120)/15 = 68 → 13.6
        households 3/6/6: (270 + 420 + 240)/15 = 62 → 12.4
        site 一般 → 7; committee 57 → 5.7
        """
        o = demo.outcome("macha-team")
        assert (Fraction(131, 2), Fraction(66), "一般") == (o.score, o.rounded_score, o.final_grade)

    def test_lijiahe_member_84_4(self, demo: Any) -> None:
        """一般: 199/6 + 248/15 + 17.2 + 9 + 8.5 = 84.4 → 84.

        appraisal 17/6/1: (1530 + 420 + 40)/24 = 1990/24 → × 0.4 = 199/6
        interview 11/3/1: (990 + 210 + 40)/15 = 1240/15 → × 0.2 = 248/15
        households 8/2/0: (720 + 140)/10 = 86 → 17.2
        site 好 → 9; committee 85 → 8.5
        199/6 + 248/15 = (995 + 496)/30 = 1491/30; + 34.7 = 2532/30 = 84.4
        """
        o = demo.outcome("lijiahe-member-2")
        assert (Fraction(422, 5), Fraction(84), "一般") == (o.score, o.rounded_score, o.final_grade)

    def test_xicha_secretary_vetoed(self, demo: Any) -> None:
        """差 by veto (absentee) on 35.04 + 17.2 + 17.2 + 9 + 9 = 87.44 → 87 → 好.

        appraisal 22/3/0: (1980 + 210)/25 = 87.6 → 35.04
        interview 12/3/0 and households 12/3/0 (of 15): 86 → 17.2 each
        site 好 → 9; committee 90 → 9
        """
        o = demo.outcome("xicha-secretary")
        assert (Fraction(2186, 25), "好", "差") == (o.score, o.raw_grade, o.final_grade)
        assert [("absentee", "veto", "四、6")] == [(a.rule, a.kind, a.clause) for a in o.adjustments]

    def test_yangzhuang_team_poor_by_score(self, demo: Any) -> None:
        """差: 352/15 + 37/3 + 11.9 + 4 + 5.5 = 57.2 → 57.

        appraisal 4/12/14: (360 + 840 + 560)/30 = 1760/30 → × 0.4 = 352/15
        interview 3/8/7: (270 + 560 + 280)/18 = 1110/18 → × 0.2 = 37/3
        households 3/8/9: (270 + 560 + 360)/20 = 59.5 → 11.9
        site 差 40 → 4; committee 55 → 5.5
        352/15 + 185/15 = 35.8; + 21.4 = 57.2
        """
        o = demo.outcome("yangzhuang-team")
        assert (Fraction(286, 5), "差", ()) == (o.score, o.final_grade, tuple(o.adjustments))
        assert [("poor", "四、7")] == [(c.rule, c.clause) for c in o.consequences]

    def test_yangzhuang_secretary_serious(self, demo: Any) -> None:
        """差 with serious problems: 64/3 + 103/9 + 11.1 + 4 + 4.5 = 2357/45 ≈ 52.38 → 52.

        appraisal 2/10/18: (180 + 700 + 720)/30 = 160/3 → × 0.4 = 64/3
        interview 2/7/9: (180 + 490 + 360)/18 = 515/9 → × 0.2 = 103/9
        households 2/7/11: (180 + 490 + 440)/20 = 55.5 → 11.1
        site 差 → 4; committee 45 → 4.5
        295/9 + 98/5 = (1475 + 882)/45 = 2357/45
        """
        o = demo.outcome("yangzhuang-secretary")
        assert (Fraction(2357, 45), "差") == (o.score, o.final_grade)
        assert {"poor", "referral"} == {c.rule for c in o.consequences}

    def test_hongxian_interview_incomplete(self, demo: Any) -> None:
        """Only 2 of 3 驻村工作队员 interviewed in 红岘村: the team and all members."""
        for sid in ("hongxian-team", "hongxian-secretary", "hongxian-member-2", "hongxian-member-3"):
            o = demo.outcome(sid)
            assert ("insufficient_evidence", {("coverage_incomplete", "interview")}) == (o.status, reasons(o))

    def test_tuanzhuang_member_18_ballots(self, demo: Any) -> None:
        """12/5/1 = 18 valid ballots for this member, below 20."""
        o = demo.outcome("tuanzhuang-member-3")
        assert ("insufficient_evidence", {("too_few_respondents", "appraisal")}) == (o.status, reasons(o))

    def test_unknown_subject(self, demo: Any) -> None:
        """An id not in the cohort is a KeyError."""
        with pytest.raises(KeyError):
            demo.outcome("no-such-village-team")

    def test_order_does_not_matter(self, scheme: Any, demo: Any) -> None:
        """The same cohort reversed gives the same outcomes."""
        data = _demo()
        data["subjects"].reverse()
        reversed_result = ve.evaluate(scheme, ve.cohort_from_dict(data))
        for s in data["subjects"]:
            a, b = demo.outcome(s["id"]), reversed_result.outcome(s["id"])
            assert (a.status, a.score, a.final_grade) == (b.status, b.score, b.final_grade)
