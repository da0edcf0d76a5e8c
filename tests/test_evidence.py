"""Bad evidence never gives a silent score; a malformed cohort lists all its problems.

Per-subject problems become ``insufficient_evidence`` with a reason code (and no score,
no grade); problems that make the cohort itself unusable raise one
:class:`~villageeval.CohortError` listing every problem.

Most tests start from one valid subject under the bundled huining scheme and spoil one
piece of its evidence. The valid subject (the HIGH baseline of test_huining.py):

    appraisal 16/4/0 of 20: (16×90 + 4×70)/20 = 86   → × 40/100 = 34.4
    interview 12/3/0 of 15: (12×90 + 3×70)/15 = 86   → × 20/100 = 17.2
    households 9/3/0 of 12: (9×90 + 3×70)/12 = 85    → × 20/100 = 17
    site 好 = 90                                      → × 10/100 = 9
    committee 74                                      → × 10/100 = 7.4
    total 34.4 + 17.2 + 17 + 9 + 7.4 = 85 → 好
"""

from __future__ import annotations

import copy
import json
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import villageeval as ve

FACTS = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee", "serious_problems")


def valid(sid: str = "s", role: str = "team") -> dict[str, Any]:
    """The valid HIGH subject in the cohort JSON shape (plain JSON values only)."""
    return {
        "id": sid,
        "role": role,
        "groups": {"township": "t"},
        "evidence": {
            "appraisal": {"tallies": {"好": 16, "一般": 4, "差": 0}},
            "interview": {
                "tallies": {"好": 12, "一般": 3, "差": 0},
                "coverage": {
                    "包村干部": {"count": 2, "of": 2},
                    "村干部": {"count": 5, "of": 5},
                    "驻村工作队员": {"count": 3, "of": 3},
                },
            },
            "household_visit": {"tallies": {"好": 9, "一般": 3, "差": 0}, "strata": {"甲庄": 4, "乙庄": 4, "丙庄": 4}},
            "site_inspection": {
                "tier": "好",
                "coverage": {"乡村建设项目": 1, "人居环境整治": 1, "集体经济项目": 1},
            },
            "party_committee": {"value": 74},
        },
        "facts": dict.fromkeys(FACTS, False),
    }


def from_json(*subjects: dict[str, Any], **top: Any) -> ve.Cohort:
    """The cohort as a file would give it: through JSON text (2.5 is read as a Decimal)."""
    data = {"format": 1, "period": "2023", "subjects": list(subjects), **top}
    return ve.loads_cohort(json.dumps(data, ensure_ascii=False))


def outcome(scheme: ve.Scheme, subject: dict[str, Any]) -> ve.Outcome:
    return ve.evaluate(scheme, from_json(subject)).outcome(subject["id"])


def spoilt(scheme: ve.Scheme, path: tuple[str, ...], value: Any) -> ve.Outcome:
    """The valid subject with the value at ``path`` replaced (``...`` deletes it)."""
    s = valid()
    node = s
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return outcome(scheme, s)


def reasons(o: ve.Outcome) -> set[tuple[str, str | None]]:
    return {(r.code, r.instrument) for r in o.reasons}


def check(o: ve.Outcome, expected: set[tuple[str, str | None]]) -> str:
    """No score and no grade, exactly the expected reasons; returns the joined messages."""
    assert ("insufficient_evidence", None, None, None, {}, ()) == (
        o.status,
        o.score,
        o.rounded_score,
        o.final_grade,
        dict(o.instrument_scores),
        o.consequences,
    )
    assert expected == reasons(o)
    return "\n".join(r.message for r in o.reasons)


class TestBaseline:
    """The unspoilt subject is graded (so each spoilt one differs by one thing only)."""

    def test_graded(self, huining: ve.Scheme) -> None:
        """34.4 + 17.2 + 17 + 9 + 7.4 = 85 → 好."""
        o = outcome(huining, valid())
        assert ("graded", Fraction(85), "好", ()) == (o.status, o.score, o.final_grade, o.reasons)


class TestCounts:
    """Ballot counts must be whole numbers ≥ 0."""

    def test_negative(self, huining: ve.Scheme) -> None:
        """一般 = -1 (21 - 1 would still make 20 ballots: no silent netting)."""
        msg = check(
            spoilt(huining, ("evidence", "appraisal", "tallies"), {"好": 21, "一般": -1, "差": 0}),
            {("invalid_count", "appraisal")},
        )
        assert "-1" in msg

    def test_fraction_from_json(self, huining: ve.Scheme) -> None:
        """一般 = 2.5 in the JSON text."""
        msg = check(
            spoilt(huining, ("evidence", "appraisal", "tallies"), {"好": 16, "一般": 2.5, "差": 1.5}),
            {("invalid_count", "appraisal")},
        )
        assert "2.5" in msg
        assert "1.5" in msg

    def test_whole_decimal_from_json(self, huining: ve.Scheme) -> None:
        """一般 = 4.0 in the JSON text is not an integer count either."""
        check(
            spoilt(huining, ("evidence", "appraisal", "tallies"), {"好": 16, "一般": 4.0, "差": 0}),
            {("invalid_count", "appraisal")},
        )

    def test_bool(self, huining: ve.Scheme) -> None:
        """差 = true: a bool is not a count, though Python calls it an int."""
        check(
            spoilt(huining, ("evidence", "appraisal", "tallies"), {"好": 16, "一般": 4, "差": True}),
            {("invalid_count", "appraisal")},
        )

    def test_bool_from_python(self, huining: ve.Scheme) -> None:
        """The same from the Python constructors."""
        data = valid()
        del data["evidence"]["appraisal"]
        c = ve.cohort_from_dict({"subjects": [data]})
        s = c.subjects[0]
        ev = {**s.evidence, "appraisal": ve.BallotEvidence({"好": 16, "一般": 4, "差": True})}
        s2 = ve.Subject(id=s.id, role=s.role, groups=s.groups, evidence=ev, facts=s.facts)
        o = ve.evaluate(huining, ve.Cohort([s2])).outcome("s")
        check(o, {("invalid_count", "appraisal")})


class TestTiers:
    """A tier not on the scale is rejected with a suggestion."""

    def test_ballot_tier(self, huining: ve.Scheme) -> None:
        """ "一般般" is not a tier; the closest is 一般."""
        msg = check(
            spoilt(huining, ("evidence", "appraisal", "tallies"), {"好": 16, "一般般": 4, "差": 0}),
            {("unknown_tier", "appraisal")},
        )
        assert "did you mean '一般'?" in msg

    def test_rating_tier(self, huining: ve.Scheme) -> None:
        """ "好的" for the site inspection; the closest is 好."""
        msg = check(
            spoilt(huining, ("evidence", "site_inspection", "tier"), "好的"), {("unknown_tier", "site_inspection")}
        )
        assert "did you mean '好'?" in msg

    def test_rating_tier_not_a_string(self, huining: ve.Scheme) -> None:
        """A number where a tier is expected (90 is the tier's points, not the tier)."""
        check(spoilt(huining, ("evidence", "site_inspection", "tier"), 90), {("unknown_tier", "site_inspection")})

    @pytest.mark.parametrize("tier", [["好"], {"好": 1}])
    def test_rating_tier_a_list_or_an_object(self, huining: ve.Scheme, tier: Any) -> None:
        """A JSON array or object where a tier is expected: a reason, not a crash (it was a TypeError)."""
        check(spoilt(huining, ("evidence", "site_inspection", "tier"), tier), {("unknown_tier", "site_inspection")})


class TestRespondents:
    """Minimum raters (四、2: 20, 四、3: 15)."""

    def test_too_few(self, huining: ve.Scheme) -> None:
        """15 + 4 + 0 = 19 ballots, below 20."""
        msg = check(
            spoilt(huining, ("evidence", "appraisal", "tallies"), {"好": 15, "一般": 4, "差": 0}),
            {("too_few_respondents", "appraisal")},
        )
        assert "19" in msg
        assert "20" in msg

    def test_several_instruments_all_reported(self, huining: ve.Scheme) -> None:
        """19 appraisal ballots and 14 interviews (11 + 3): both reported at once."""
        s = valid()
        s["evidence"]["appraisal"]["tallies"] = {"好": 15, "一般": 4, "差": 0}
        s["evidence"]["interview"]["tallies"] = {"好": 11, "一般": 3, "差": 0}
        check(outcome(huining, s), {("too_few_respondents", "appraisal"), ("too_few_respondents", "interview")})


class TestCoverage:
    """四、3 every_member coverage and 四、4 at_least_one coverage."""

    COV = ("evidence", "interview", "coverage")

    def test_every_member_short(self, huining: ve.Scheme) -> None:
        """4 of 5 村干部 interviewed is not 全覆盖."""
        msg = check(
            spoilt(huining, (*self.COV, "村干部"), {"count": 4, "of": 5}), {("coverage_incomplete", "interview")}
        )
        assert "4 of 5" in msg

    def test_every_member_bare_number(self, huining: ve.Scheme) -> None:
        """村干部: 5 says how many were interviewed, not out of how many: cannot show 全覆盖."""
        msg = check(spoilt(huining, (*self.COV, "村干部"), 5), {("coverage_incomplete", "interview")})
        assert '"of"' in msg

    def test_count_above_of(self, huining: ve.Scheme) -> None:
        """6 of 5 is impossible."""
        check(spoilt(huining, (*self.COV, "村干部"), {"count": 6, "of": 5}), {("invalid_evidence", "interview")})

    def test_bad_count_in_coverage(self, huining: ve.Scheme) -> None:
        """A count of 4.5 (from JSON) is not a whole number."""
        check(spoilt(huining, (*self.COV, "村干部"), {"count": 4.5, "of": 5}), {("invalid_evidence", "interview")})

    def test_extra_key_in_coverage(self, huining: ve.Scheme) -> None:
        """{"count", "of", "total"}: an unknown key is not ignored."""
        check(
            spoilt(huining, (*self.COV, "村干部"), {"count": 5, "of": 5, "total": 5}),
            {("invalid_evidence", "interview")},
        )

    def test_missing_category(self, huining: ve.Scheme) -> None:
        """No 驻村工作队员 entry at all."""
        msg = check(spoilt(huining, (*self.COV, "驻村工作队员"), ...), {("coverage_incomplete", "interview")})
        assert "驻村工作队员" in msg

    def test_at_least_one_zero(self, huining: ve.Scheme) -> None:
        """四、4: 0 集体经济项目 inspected."""
        check(
            spoilt(huining, ("evidence", "site_inspection", "coverage", "集体经济项目"), 0),
            {("coverage_incomplete", "site_inspection")},
        )


class TestStrata:
    """四、5: 3–5 households per 自然村, adding up to the tallies."""

    ST = ("evidence", "household_visit", "strata")

    def test_below_min(self, huining: ve.Scheme) -> None:
        """甲庄 2: below 3 (the other two 5 + 5 keep the sum at 12 = 9 + 3 + 0)."""
        msg = check(
            spoilt(huining, self.ST, {"甲庄": 2, "乙庄": 5, "丙庄": 5}), {("stratum_out_of_range", "household_visit")}
        )
        assert "甲庄" in msg

    def test_above_max(self, huining: ve.Scheme) -> None:
        """甲庄 6: above 5 (6 + 3 + 3 = 12)."""
        check(
            spoilt(huining, self.ST, {"甲庄": 6, "乙庄": 3, "丙庄": 3}), {("stratum_out_of_range", "household_visit")}
        )

    def test_do_not_add_up(self, huining: ve.Scheme) -> None:
        """4 + 4 + 3 = 11 households, 12 ballots tallied."""
        msg = check(
            spoilt(huining, self.ST, {"甲庄": 4, "乙庄": 4, "丙庄": 3}), {("strata_mismatch", "household_visit")}
        )
        assert "11" in msg
        assert "12" in msg

    def test_missing(self, huining: ve.Scheme) -> None:
        """No strata given."""
        check(spoilt(huining, self.ST, ...), {("strata_missing", "household_visit")})

    def test_empty(self, huining: ve.Scheme) -> None:
        """Strata given as an empty object."""
        check(spoilt(huining, self.ST, {}), {("strata_missing", "household_visit")})

    def test_bad_count(self, huining: ve.Scheme) -> None:
        """A stratum of -4."""
        check(spoilt(huining, self.ST, {"甲庄": -4, "乙庄": 4, "丙庄": 4}), {("invalid_count", "household_visit")})


class TestScore:
    """The committee's direct score: exact, within 0–100."""

    def python_subject(self, value: Any) -> ve.Cohort:
        data = valid()
        del data["evidence"]["party_committee"]
        s = ve.cohort_from_dict({"subjects": [data]}).subjects[0]
        ev = {**s.evidence, "party_committee": ve.ScoreEvidence(value)}
        return ve.Cohort([ve.Subject(id=s.id, role=s.role, groups=s.groups, evidence=ev, facts=s.facts)])

    def test_float_from_python(self, huining: ve.Scheme) -> None:
        """ScoreEvidence(87.5) as a float is refused, not turned into a score."""
        o = ve.evaluate(huining, self.python_subject(87.5)).outcome("s")
        msg = check(o, {("invalid_evidence", "party_committee")})
        assert "float" in msg

    def test_decimal_from_python(self, huining: ve.Scheme) -> None:
        """Decimal("87.5") is exact: 77.6 + 8.75 = 86.35 → 86 → 好."""
        o = ve.evaluate(huining, self.python_subject(Decimal("87.5"))).outcome("s")
        assert ("graded", Fraction(8635, 100), "好") == (o.status, o.score, o.final_grade)

    def test_bool_from_python(self, huining: ve.Scheme) -> None:
        """True is not a score of 1."""
        check(ve.evaluate(huining, self.python_subject(True)).outcome("s"), {("invalid_evidence", "party_committee")})

    def test_not_a_number(self, huining: ve.Scheme) -> None:
        """ "eighty" is not a number."""
        check(
            spoilt(huining, ("evidence", "party_committee", "value"), "eighty"),
            {("invalid_evidence", "party_committee")},
        )

    @pytest.mark.parametrize("value", [101, -1, 100.5])
    def test_out_of_range(self, huining: ve.Scheme, value: Any) -> None:
        """101, -1 and 100.5 (a Decimal from JSON) are outside 0–100."""
        check(spoilt(huining, ("evidence", "party_committee", "value"), value), {("out_of_range", "party_committee")})

    @pytest.mark.parametrize(("value", "total"), [(0, Fraction(776, 10)), (100, Fraction(876, 10))])
    def test_bounds_included(self, huining: ve.Scheme, value: int, total: Fraction) -> None:
        """0 and 100 are valid: 77.6 + 0 = 77.6; 77.6 + 10 = 87.6."""
        o = spoilt(huining, ("evidence", "party_committee", "value"), value)
        assert ("graded", total) == (o.status, o.score)


class TestShapes:
    """Evidence is read by its instrument's kind; what does not fit is kept and reported with its problem."""

    EV = ("evidence", "appraisal")

    def test_no_head(self, huining: ve.Scheme) -> None:
        """{"talies": ...} for a ballot: the shape it expects, and the key it may have meant."""
        msg = check(spoilt(huining, self.EV, {"talies": {"好": 20}}), {("invalid_evidence", "appraisal")})
        assert 'expected ballot tallies {"tallies": {...}}' in msg
        assert "did you mean 'tallies'?" in msg

    def test_two_heads(self, huining: ve.Scheme) -> None:
        """{"tallies": ..., "tier": ...} for a ballot: the rating's key is not one of a ballot's."""
        msg = check(
            spoilt(huining, self.EV, {"tallies": {"好": 20}, "tier": "好"}), {("invalid_evidence", "appraisal")}
        )
        assert "unknown evidence key 'tier'" in msg

    def test_unknown_key(self, huining: ve.Scheme) -> None:
        """{"tallies": ..., "coverge": ...}: a misspelt key, with a suggestion."""
        msg = check(
            spoilt(huining, self.EV, {"tallies": {"好": 16, "一般": 4, "差": 0}, "coverge": {}}),
            {("invalid_evidence", "appraisal")},
        )
        assert "did you mean 'coverage'?" in msg

    def test_not_an_object(self, huining: ve.Scheme) -> None:
        """A bare number where the evidence object belongs."""
        msg = check(spoilt(huining, self.EV, 86), {("invalid_evidence", "appraisal")})
        assert "must be an object" in msg

    def test_tallies_not_an_object(self, huining: ve.Scheme) -> None:
        """{"tallies": [16, 4, 0]}."""
        msg = check(spoilt(huining, self.EV, {"tallies": [16, 4, 0]}), {("invalid_evidence", "appraisal")})
        assert "'tallies' must be an object" in msg

    def test_wrong_kind(self, huining: ve.Scheme) -> None:
        """A rating ({"tier": ...}) given for a ballot instrument: the ballot's shape is named."""
        msg = check(spoilt(huining, self.EV, {"tier": "好"}), {("invalid_evidence", "appraisal")})
        assert """expected ballot tallies {"tallies": {...}} (got 'tier')""" in msg

    def test_all_malformed_reported(self, huining: ve.Scheme) -> None:
        """Two malformed instruments: one reason each, in one outcome."""
        s = valid()
        s["evidence"]["appraisal"] = {"talies": {}}
        s["evidence"]["party_committee"] = {"value": 74, "tier": "好"}
        check(outcome(huining, s), {("invalid_evidence", "appraisal"), ("invalid_evidence", "party_committee")})


class TestFactsAndMissing:
    """Facts of the wrong type and evidence that is not there."""

    def test_bool_fact_as_string(self, huining: ve.Scheme) -> None:
        """extortion = "false" (a string) is not false: no veto silently skipped."""
        o = spoilt(huining, ("facts", "extortion"), "false")
        msg = check(o, {("invalid_fact", None)})
        assert "extortion" in msg

    def test_bool_fact_as_number(self, huining: ve.Scheme) -> None:
        """absentee = 0 is not false either."""
        check(spoilt(huining, ("facts", "absentee"), 0), {("invalid_fact", None)})

    def test_missing_instrument(self, huining: ve.Scheme) -> None:
        """No party_committee evidence."""
        msg = check(spoilt(huining, ("evidence", "party_committee"), ...), {("missing_evidence", "party_committee")})
        assert "乡镇党委评价" in msg

    def test_misspelt_instrument(self, huining: ve.Scheme) -> None:
        """The evidence is under "party_comittee": missing, with a suggestion."""
        s = valid()
        s["evidence"]["party_comittee"] = s["evidence"].pop("party_committee")
        msg = check(outcome(huining, s), {("missing_evidence", "party_committee")})
        assert "did you mean 'party_comittee'?" in msg

    def test_no_evidence_at_all(self, huining: ve.Scheme) -> None:
        """A subject with no evidence: one missing_evidence per instrument (five)."""
        s = valid()
        del s["evidence"]
        check(
            outcome(huining, s),
            {
                ("missing_evidence", i)
                for i in ("appraisal", "interview", "household_visit", "site_inspection", "party_committee")
            },
        )

    def test_one_bad_subject_does_not_spoil_the_others(self, huining: ve.Scheme) -> None:
        """In a cohort of two, the valid subject is still graded 85."""
        bad = valid("bad")
        bad["evidence"]["appraisal"]["tallies"]["差"] = -1
        r = ve.evaluate(huining, from_json(valid("good"), bad))
        assert ("graded", Fraction(85)) == (r.outcome("good").status, r.outcome("good").score)
        assert "insufficient_evidence" == r.outcome("bad").status


SMALL = """
id = "evidence-test"
title = "测试方案"
period = "2024"

[locality]
name = "某县某乡"

[source]
document = "某组发〔2024〕1号"

[roles.team]
label = "村“两委”班子"

[roles.secretary]
label = "村党组织书记"

[scales.three]
tiers = [{ label = "好", points = 90 }, { label = "一般", points = 70 }, { label = "差", points = 40 }]

[scales.grade]
tiers = ["好", "一般", "差"]

# 党员大会: at least 80% of the expected party members must vote.
[instruments.meeting]
kind = "ballot"
title = "党员大会测评"
clause = "三、1"
scale = "three"
quorum = 0.8

[weightings.main]
clause = "三、2"
total = 100
weights = { meeting = 100 }

[gradings.main]
kind = "bands"
clause = "三、3"
scale = "grade"
bands = [
  { grade = "好", at_least = 85 },
  { grade = "一般", at_least = 60, below = 85 },
  { grade = "差", below = 60 },
]

[facts.new_in_office]
label = "任职不满半年"
default = false   # recorded only for those new in office: absent means not new

[eligibility.new_in_office]
clause = "二、1"
text = "任职不满半年的,不参加本次考核"
when = { fact = "new_in_office" }

[quotas.top]
clause = "四、1"
text = "评定为“好”的班子不超过本乡镇的30%"
grade = "好"
share = 0.3
bound = "at_most"
count = "floor"
roles = ["team"]
per = "township"
"""


@pytest.fixture(scope="module")
def small() -> ve.Scheme:
    return ve.loads_scheme(SMALL)


def meeting(sid: str, tallies: dict[str, Any], expected: Any = 25, **extra: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {"tallies": tallies}
    if expected is not None:
        ev["expected"] = expected
    return {"id": sid, "role": "secretary", "evidence": {"meeting": ev}, **extra}


class TestQuorum:
    """quorum = 0.8 of ``expected``: 80% of 25 = 20 voters needed."""

    def test_met(self, small: ve.Scheme) -> None:
        """20 of 25 (all 好): exactly the quorum; mean 90 → 好."""
        o = ve.evaluate(small, from_json(meeting("s", {"好": 20}))).outcome("s")
        assert ("graded", Fraction(90), "好") == (o.status, o.score, o.final_grade)

    def test_not_met(self, small: ve.Scheme) -> None:
        """19 of 25: below 20."""
        o = ve.evaluate(small, from_json(meeting("s", {"好": 19}))).outcome("s")
        msg = check(o, {("below_quorum", "meeting")})
        assert "19 of 25" in msg

    def test_rounds_up(self, small: ve.Scheme) -> None:
        """80% of 24 = 19.2 → 20 needed: 19 is short."""
        o = ve.evaluate(small, from_json(meeting("s", {"好": 19}, expected=24))).outcome("s")
        check(o, {("below_quorum", "meeting")})

    @pytest.mark.parametrize("expected", [None, 0, -25, 25.5, "25"])
    def test_expected_missing_or_bad(self, small: ve.Scheme, expected: Any) -> None:
        """Without a whole positive ``expected`` the quorum cannot be checked."""
        o = ve.evaluate(small, from_json(meeting("s", {"好": 20}, expected=expected))).outcome("s")
        check(o, {("invalid_evidence", "meeting")})


class TestEligibility:
    """An ineligible subject is not evaluated, whatever its evidence."""

    def test_ineligible_without_evidence(self, small: ve.Scheme) -> None:
        """new_in_office and no evidence at all: ineligible, with the rule, not insufficient."""
        c = from_json({"id": "s", "role": "secretary", "facts": {"new_in_office": True}})
        o = ve.evaluate(small, c).outcome("s")
        assert ("ineligible", None, None) == (o.status, o.score, o.final_grade)
        assert [("ineligible", "new_in_office", "二、1")] == [(r.code, r.rule, r.clause) for r in o.reasons]

    def test_eligible_without_evidence(self, small: ve.Scheme) -> None:
        """new_in_office false and no evidence: insufficient evidence."""
        c = from_json({"id": "s", "role": "secretary", "facts": {"new_in_office": False}})
        check(ve.evaluate(small, c).outcome("s"), {("missing_evidence", "meeting")})


def problems(e: pytest.ExceptionInfo[ve.CohortError]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(p.path, p.message) for p in e.value.problems]


class TestCohortErrors:
    """A cohort that cannot be evaluated raises one CohortError listing every problem."""

    def test_duplicate_ids_json(self) -> None:
        """subjects[2] repeats subjects[0], subjects[3] repeats subjects[1]: two problems."""
        with pytest.raises(ve.CohortError) as e:
            from_json(valid("a"), valid("b"), valid("a"), valid("b"))
        assert [
            (("subjects", 2, "id"), "duplicate subject id 'a' (also subjects[0])"),
            (("subjects", 3, "id"), "duplicate subject id 'b' (also subjects[1])"),
        ] == problems(e)

    def test_duplicate_ids_constructor(self) -> None:
        """The same from Cohort(...): subjects[1] and subjects[2] both repeat 'a'."""
        with pytest.raises(ve.CohortError) as e:
            ve.Cohort([ve.Subject("a", "team"), ve.Subject("a", "team"), ve.Subject("a", "team")])
        assert [("subjects", 1, "id"), ("subjects", 2, "id")] == [p for p, _ in problems(e)]
        assert all("also subjects[0]" in msg for _, msg in problems(e))

    def test_no_id_no_role(self) -> None:
        """subjects[0] lacks an id, subjects[1] a role, subjects[2] has an empty id."""
        a, b, c = valid("a"), valid("b"), valid("")
        del a["id"]
        del b["role"]
        with pytest.raises(ve.CohortError) as e:
            from_json(a, b, c)
        assert [("subjects", 0, "id"), ("subjects", 1, "role"), ("subjects", 2, "id")] == [p for p, _ in problems(e)]

    def test_unknown_subject_key(self) -> None:
        """ "evidnce" is not a subject key; did you mean evidence?"""
        s = valid()
        s["evidnce"] = s.pop("evidence")
        with pytest.raises(ve.CohortError) as e:
            from_json(s)
        assert [(("subjects", 0, "evidnce"), "unknown subject key 'evidnce'; did you mean 'evidence'?")] == problems(e)

    def test_all_at_once(self) -> None:
        """A misspelt key, a missing role, a duplicate id and a bad format: four problems, one error."""
        a, b, c = valid("a"), valid("b"), valid("a")
        a["evidnce"] = a.pop("evidence")
        del b["role"]
        with pytest.raises(ve.CohortError) as e:
            from_json(a, b, c, format=2)
        assert [("format",), ("subjects", 0, "evidnce"), ("subjects", 1, "role"), ("subjects", 2, "id")] == [
            p for p, _ in problems(e)
        ]
        assert str(e.value).startswith("4 problems in cohort")

    def test_wrong_format(self) -> None:
        """format 2 is not read by this version."""
        with pytest.raises(ve.CohortError) as e:
            from_json(valid(), format=2)
        assert [("format",)] == [p for p, _ in problems(e)]
        assert "unsupported cohort format 2" in problems(e)[0][1]

    def test_invalid_json_has_line(self) -> None:
        """A trailing comma after line 3's subject, reported where the JSON reader sees it.

        Up to Python 3.12 that is the "]" on line 4; from 3.13 the reader names the
        trailing comma itself, on line 3.
        """
        text = '{"format": 1,\n "subjects": [\n  {"id": "a", "role": "team"},\n ]\n}'
        with pytest.raises(ve.CohortError) as e:
            ve.loads_cohort(text, source="cohort.json")
        (p,) = e.value.problems
        assert ("cohort.json", 3 if sys.version_info >= (3, 13) else 4) == (p.file, p.line)
        assert p.message.startswith("not valid JSON")

    def test_unknown_role_at_evaluate(self, small: ve.Scheme) -> None:
        """Roles 'secretery' and 'tema' are reported together, each with a suggestion."""
        c = from_json(meeting("a", {"好": 20}, role="secretery"), meeting("b", {"好": 20}, role="tema"))
        with pytest.raises(ve.CohortError) as e:
            ve.evaluate(small, c)
        assert [
            (("subjects", 0, "role"), "subject 'a' has unknown role 'secretery'; did you mean 'secretary'?"),
            (("subjects", 1, "role"), "subject 'b' has unknown role 'tema'; did you mean 'team'?"),
        ] == problems(e)

    def test_missing_group_for_per_quota(self, small: ve.Scheme) -> None:
        """The top quota counts teams per township: a team without one is an error, a secretary is not."""
        c = from_json(
            meeting("team-a", {"好": 20}, role="team"),
            meeting("sec-a", {"好": 20}),
            meeting("team-b", {"好": 20}, role="team", groups={"township": "甲乡"}),
            meeting("c", {"好": 20}, role="tema", groups={"township": "甲乡"}),
        )
        with pytest.raises(ve.CohortError) as e:
            ve.evaluate(small, c)
        assert [("subjects", 0, "groups"), ("subjects", 3, "role")] == [p for p, _ in problems(e)]
        assert "no 'township' group" in problems(e)[0][1]

    def test_missing_groups_in_a_stable_order(self) -> None:
        """Two quotas count by county and by township: both missing groups, county first (sorted)."""
        county = """
[quotas.county_top]
clause = "四、2"
text = "评定为“好”的班子不超过全县的20%"
grade = "好"
share = 0.2
bound = "at_most"
count = "floor"
roles = ["team"]
per = "county"
"""
        c = from_json(meeting("team-a", {"好": 20}, role="team"))
        with pytest.raises(ve.CohortError) as e:
            ve.evaluate(ve.loads_scheme(SMALL + county), c)
        assert [
            (("subjects", 0, "groups"), "subject 'team-a' has no 'county' group, which a quota counts by"),
            (("subjects", 0, "groups"), "subject 'team-a' has no 'township' group, which a quota counts by"),
        ] == problems(e)

    def test_cohort_error_is_a_value_error(self) -> None:
        """Callers that know nothing of villageeval can catch ValueError."""
        with pytest.raises(ValueError, match="1 problem in cohort"):
            from_json(valid(), format=2)


def test_meeting_helper_is_valid(small: ve.Scheme) -> None:
    """The helper's shape is a valid subject (so the errors above come from what they change)."""
    c = from_json(meeting("a", {"好": 17, "一般": 3}))
    # (17×90 + 3×70)/20 = (1530 + 210)/20 = 87 → 好
    assert (Fraction(87), "好") == (
        ve.evaluate(small, c).outcome("a").score,
        ve.evaluate(small, c).outcome("a").final_grade,
    )


def test_spoilt_helper_copies(huining: ve.Scheme) -> None:
    """Spoiling one subject leaves the template untouched."""
    before = copy.deepcopy(valid())
    spoilt(huining, ("evidence", "appraisal"), ...)
    assert before == valid()


@pytest.mark.parametrize(
    "path",
    [("evidence", "site_inspection", "coverage", "乡村建设项目"), ("evidence", "interview", "coverage", "村干部")],
)
def test_a_coverage_past_the_bound_on_both_paths(huining: ve.Scheme, path: tuple[str, ...]) -> None:
    """A coverage count past 10^12 is not a count on the quick path either (it took it once)."""
    s = valid()
    node = s
    for key in path[:-1]:
        node = node[key]
    huge = 2**70
    node[path[-1]] = huge if path[1] == "site_inspection" else {"count": huge, "of": huge}
    cohort = ve.cohort_from_dict({"subjects": [s]})
    for trace in (False, True):
        o = ve.evaluate(huining, cohort, trace=trace).outcome("s")
        assert ("insufficient_evidence", ["invalid_evidence"]) == (o.status, [r.code for r in o.reasons])
