"""check_outcomes / assert_outcomes: outcomes produced elsewhere, checked against a scheme.

Most tests claim grades for the bundled huining demo cohort (its subjects are described
in docs/schemes/huining-midterm-2023.md); quotas, caps and eligibility use the small
inline schemes of tests/test_quotas.py (one committee score = the total; bands
优秀 ≥ 90, 称职 70–89, 基本称职 60–69, 不称职 < 60).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_quotas import quota, scheme, sub

import villageeval as ve
from villageeval.testing import Violation, assert_outcomes, check_outcomes
from villageeval.testing._check import format_violations

DEMO = Path(__file__).resolve().parent.parent / "schemes" / "huining-midterm-2023" / "demo.json"


@pytest.fixture(scope="module")
def demo() -> ve.Cohort:
    return ve.load_cohort(DEMO)


@pytest.fixture(scope="module")
def result(huining: ve.Scheme, demo: ve.Cohort) -> ve.Result:
    return ve.evaluate(huining, demo)


def grades_of(result: ve.Result) -> dict[str, str | None]:
    return {o.subject_id: o.final_grade for o in result}


def brief(violations: list[Violation]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(v.kind, v.rule, v.clause, v.subjects) for v in violations]


def claim(result: ve.Result, **grades: str | None) -> dict[str, str | None]:
    """The engine's own grades with some replaced (keyword names use _ for -)."""
    out = grades_of(result)
    for k, g in grades.items():
        out[k.replace("_", "-")] = g
    return out


def evolve_outcome(result: ve.Result, sid: str, **changes: object) -> ve.Result:
    outcomes = tuple(attrs.evolve(o, **changes) if o.subject_id == sid else o for o in result.outcomes)
    return attrs.evolve(result, outcomes=outcomes)


class TestEngineResult:
    def test_result_has_no_violations(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        assert [] == check_outcomes(huining, demo, result)

    def test_mapping_has_no_violations(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """subject → final grade, with None for the 5 subjects without sufficient evidence."""
        claimed = grades_of(result)
        assert 5 == sum(g is None for g in claimed.values())
        assert [] == check_outcomes(huining, demo, claimed)

    def test_ungraded_may_be_left_out(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        claimed = {sid: g for sid, g in grades_of(result).items() if g is not None}
        assert [] == check_outcomes(huining, demo, claimed)

    def test_result_from_json(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """A result that went through the interchange JSON and back is still accepted."""
        assert [] == check_outcomes(huining, demo, ve.result_from_dict(ve.result_to_dict(result)))


class TestSubjectViolations:
    def test_vetoed_subject_claimed_better(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """xicha-secretary: 87.44 → 好 by score, but 六是 (absentee, 四、6) makes it 差."""
        for better in ("好", "一般"):
            (v,) = check_outcomes(huining, demo, claim(result, xicha_secretary=better))
            assert ("veto", "absentee", "四、6", ("xicha-secretary",)) == (v.kind, v.rule, v.clause, v.subjects)
            assert (better, "差") == (v.claimed, v.expected)
            assert "no better than 差" in v.message

    def test_insufficient_evidence_claimed_graded(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """hongxian-team: 2 of 3 驻村工作队员 interviewed (四、3); tuanzhuang-member-3: 18 ballots (四、2)."""
        claimed = claim(result, hongxian_team="一般", tuanzhuang_member_3="好")
        assert [
            ("status", "interview", "四、3", ("hongxian-team",)),
            ("status", "appraisal", "四、2", ("tuanzhuang-member-3",)),
        ] == brief(check_outcomes(huining, demo, claimed))
        v = check_outcomes(huining, demo, claimed)[0]
        assert ("一般", None) == (v.claimed, v.expected)
        assert "coverage_incomplete" in v.message

    @pytest.mark.parametrize(
        ("sid", "claimed", "expected"),
        [
            ("beiguan-team", "一般", "好"),  # 23453/275 ≈ 85.28 → 85 → 好
            ("nanchuan-secretary", "一般", "好"),  # 84.5 → 85 → 好
            ("lijiahe-member-2", "好", "一般"),  # 84.4 → 84 → 一般
            ("macha-team", "差", "一般"),  # 65.5 → 66 → 一般
            ("yangzhuang-team", "一般", "差"),  # 57.2 → 57 → 差
        ],
    )
    def test_grade_its_band_does_not_give(
        self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result, sid: str, claimed: str, expected: str
    ) -> None:
        (v,) = check_outcomes(huining, demo, {**grades_of(result), sid: claimed})
        assert ("grade", "main", "四、6", (sid,)) == (v.kind, v.rule, v.clause, v.subjects)
        assert (claimed, expected) == (v.claimed, v.expected)
        assert f"gives {expected}" in v.message

    def test_unknown_subject(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        (v,) = check_outcomes(huining, demo, {**grades_of(result), "nobody": "好"})
        assert ("unknown_subject", ("nobody",), "好") == (v.kind, v.subjects, v.claimed)

    def test_unknown_grade(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """优秀 is not a grade of 四、6 (好, 一般, 差)."""
        (v,) = check_outcomes(huining, demo, claim(result, beiguan_team="优秀"))
        assert ("unknown_grade", "main", ("beiguan-team",)) == (v.kind, v.rule, v.subjects)
        assert ("优秀", "好") == (v.claimed, v.expected)
        assert "好, 一般, 差" in v.message

    def test_missing_grade(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """A graded subject given None, or left out of the mapping."""
        (v,) = check_outcomes(huining, demo, claim(result, dongping_team=None))
        assert ("missing", "main", "四、6", ("dongping-team",)) == (v.kind, v.rule, v.clause, v.subjects)
        assert (None, "好") == (v.claimed, v.expected)
        assert "has no grade" in v.message
        left_out = {k: g for k, g in grades_of(result).items() if k != "dongping-team"}
        (v,) = check_outcomes(huining, demo, left_out)
        assert ("missing", ("dongping-team",)) == (v.kind, v.subjects)
        assert "missing from the claimed outcomes" in v.message

    def test_all_at_once_in_stable_order(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """Every violation is reported, sorted by subject."""
        claimed = claim(result, xicha_secretary="好", hongxian_team="好", beiguan_team="差", dongping_team=None)
        claimed["nobody"] = "好"
        assert ["beiguan-team", "dongping-team", "hongxian-team", "nobody", "xicha-secretary"] == [
            v.subjects[0] for v in check_outcomes(huining, demo, claimed)
        ]


class TestQuotas:
    """A hard at_most / at_least quota of 40% 优秀, counted with floor: 40% × 5 = 2."""

    def test_at_most_exceeded(self) -> None:
        """99, 97, 95, 50, 50: a and b keep 优秀, c (95 → 优秀 by band) is demoted to 称职."""
        s = scheme(quota())
        subjects = (sub("a", 99), sub("b", 97), sub("c", 95), sub("d", 50), sub("e", 50))
        cohort = ve.Cohort(subjects)
        claimed = {**grades_of(ve.evaluate(s, cohort)), "c": "优秀"}
        assert [
            ("quota", "top", "四、1", ("a", "b", "c")),  # 3 hold 优秀, 2 allowed
            ("quota", "top", "四、1", ("c",)),  # c's own demotion ignored
        ] == brief(check_outcomes(s, cohort, claimed))
        assert "3 hold 优秀, more than the 2 allowed" in check_outcomes(s, cohort, claimed)[0].message

    def test_at_least_unmet(self) -> None:
        """99, 85, 80, 50, 50: only a is 优秀 by band; at least 2 → b (85, next in line) is promoted."""
        s = scheme(quota(bound="at_least"))
        subjects = (sub("a", 99), sub("b", 85), sub("c", 80), sub("d", 50), sub("e", 50))
        cohort = ve.Cohort(subjects)
        claimed = {**grades_of(ve.evaluate(s, cohort)), "b": "称职"}
        assert [
            ("quota", "top", "四、1", ("a",)),  # only a holds 优秀, 2 required
            ("quota", "top", "四、1", ("b",)),  # b's promotion ignored
        ] == brief(check_outcomes(s, cohort, claimed))
        assert "only 1 hold 优秀, fewer than the 2 required" in check_outcomes(s, cohort, claimed)[0].message

    TIED = (sub("a", 99), sub("b", 95), sub("c", 95), sub("d", 50), sub("e", 50))

    def test_tie_engine_choice(self) -> None:
        """99, 95, 95: one place left for b and c, tied on 95; the engine keeps b (by id)."""
        s = scheme(quota())
        r = ve.evaluate(s, ve.Cohort(self.TIED))
        assert ("优秀", "优秀", "称职") == (
            r.outcome("a").final_grade,
            r.outcome("b").final_grade,
            r.outcome("c").final_grade,
        )
        assert [] == check_outcomes(s, ve.Cohort(self.TIED), r)

    def test_tie_valid_swap(self) -> None:
        """c instead of b holding 优秀 is as much the scheme's answer: accepted."""
        s = scheme(quota())
        claimed = {"a": "优秀", "b": "称职", "c": "优秀", "d": "不称职", "e": "不称职"}
        assert [] == check_outcomes(s, ve.Cohort(self.TIED), claimed)

    def test_tie_invalid_neither(self) -> None:
        """Neither b nor c holding 优秀 leaves the place empty: a tie violation naming both."""
        s = scheme(quota())
        claimed = {"a": "优秀", "b": "称职", "c": "称职", "d": "不称职", "e": "不称职"}
        (v,) = check_outcomes(s, ve.Cohort(self.TIED), claimed)
        assert ("quota", "top", "四、1", ("b", "c")) == (v.kind, v.rule, v.clause, v.subjects)
        assert "1 of them hold 优秀 under the quota, 0 in the claimed outcomes" in v.message

    def test_tie_invalid_both(self) -> None:
        """Both b and c holding 优秀: 3 > 2, and the tie settled wrongly."""
        s = scheme(quota())
        claimed = {"a": "优秀", "b": "优秀", "c": "优秀", "d": "不称职", "e": "不称职"}
        assert [
            ("quota", "top", "四、1", ("a", "b", "c")),
            ("quota", "top", "四、1", ("b", "c")),
        ] == brief(check_outcomes(s, ve.Cohort(self.TIED), claimed))

    def test_tie_swap_is_not_a_licence_for_other_grades(self) -> None:
        """A tied subject claimed two grades down (基本称职) is still a grade violation."""
        s = scheme(quota())
        claimed = {"a": "优秀", "b": "优秀", "c": "基本称职", "d": "不称职", "e": "不称职"}
        assert [("grade", "main", "三、3", ("c",))] == brief(check_outcomes(s, ve.Cohort(self.TIED), claimed))


CAP = """
[facts.complaints_upheld]
label = "群众投诉查实"
type = "bool"
default = false

[caps.complaints]
clause = "五、2"
text = "群众投诉查实的,不得评为优秀"
when = { fact = "complaints_upheld" }
at_most = "称职"
"""

ELIGIBILITY = """
[facts.months_in_office]
label = "任现职月数"
type = "number"
default = 12

[eligibility.new_in_office]
clause = "五、3"
text = "任现职不满6个月的，参加考核但不确定等次"
when = { fact = "months_in_office", below = 6 }
"""


class TestCapAndEligibility:
    def test_capped_subject_claimed_better(self) -> None:
        """95 → 优秀 by band, capped at 称职 (五、2)."""
        s = scheme(CAP)
        cohort = ve.Cohort((sub("a", 95, facts={"complaints_upheld": True}),))
        (v,) = check_outcomes(s, cohort, {"a": "优秀"})
        assert ("cap", "complaints", "五、2", ("a",), "称职") == (v.kind, v.rule, v.clause, v.subjects, v.expected)
        assert [] == check_outcomes(s, cohort, {"a": "称职"})

    def test_ineligible_subject_graded(self) -> None:
        """4 months in office (< 6, 五、3): not graded, so any grade is a status violation."""
        s = scheme(ELIGIBILITY)
        cohort = ve.Cohort((sub("a", 95, facts={"months_in_office": 4}), sub("b", 95)))
        assert [] == check_outcomes(s, cohort, {"a": None, "b": "优秀"})
        (v,) = check_outcomes(s, cohort, {"a": "优秀", "b": "优秀"})
        assert ("status", "new_in_office", "五、3", ("a",)) == (v.kind, v.rule, v.clause, v.subjects)
        assert ("优秀", None) == (v.claimed, v.expected)
        assert "not evaluated" in v.message


class TestWholeResult:
    """A whole Result claimed: its consequences (四、7) and audit stamp are checked too."""

    def test_consequence_missing(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """yangzhuang-secretary is 差 with serious_problems: poor and referral; referral dropped."""
        o = result.outcome("yangzhuang-secretary")
        assert ["poor", "referral"] == [c.rule for c in o.consequences]
        edited = evolve_outcome(result, o.subject_id, consequences=o.consequences[:1])
        (v,) = check_outcomes(huining, demo, edited)
        assert ("consequence", "referral", "四、7", ("yangzhuang-secretary",)) == (v.kind, v.rule, v.clause, v.subjects)
        assert "差 requires" in v.message

    def test_consequence_extra(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """beiguan-team is 好 (good); a claimed poor does not apply to a 好."""
        o = result.outcome("beiguan-team")
        extra = ve.ConsequenceOutcome("poor", "四、7", "整顿")
        (v,) = check_outcomes(
            huining, demo, evolve_outcome(result, o.subject_id, consequences=(*o.consequences, extra))
        )
        assert ("consequence", "poor", "四、7", ("beiguan-team",)) == (v.kind, v.rule, v.clause, v.subjects)
        assert "does not apply to a subject graded 好" in v.message

    def test_consequences_follow_the_claimed_grade(
        self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result
    ) -> None:
        """beiguan-team claimed 一般 with fair: one grade violation, no consequence violation."""
        fair = ve.ConsequenceOutcome("fair", "四、7", "谈心谈话")
        edited = evolve_outcome(result, "beiguan-team", final_grade="一般", consequences=(fair,))
        assert [("grade", "main", "四、6", ("beiguan-team",))] == brief(check_outcomes(huining, demo, edited))

    def test_unknown_grade_is_not_also_a_consequence_problem(
        self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result
    ) -> None:
        edited = evolve_outcome(result, "beiguan-team", final_grade="优秀")
        assert ["unknown_grade"] == [v.kind for v in check_outcomes(huining, demo, edited)]

    def test_grade_in_result(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        """xicha-secretary claimed 好 but left with the 差 consequence: the veto, and the
        consequences judged against the claimed 好 (good missing, poor extra)."""
        edited = evolve_outcome(result, "xicha-secretary", final_grade="好")
        assert [
            ("consequence", "good", "四、7", ("xicha-secretary",)),
            ("consequence", "poor", "四、7", ("xicha-secretary",)),
            ("veto", "absentee", "四、6", ("xicha-secretary",)),
        ] == brief(check_outcomes(huining, demo, edited))

    def test_audit_stamp(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        (v,) = check_outcomes(huining, demo, attrs.evolve(result, scheme_hash="sha256:0"))
        assert ("audit", "huining-midterm-2023", ()) == (v.kind, v.rule, v.subjects)
        assert "sha256:0" in v.message


class TestAssertOutcomes:
    def test_passes_silently(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        assert_outcomes(huining, demo, result)
        assert_outcomes(huining, demo, grades_of(result))

    def test_message_is_the_table(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        claimed = claim(result, xicha_secretary="好", beiguan_team="一般")
        with pytest.raises(AssertionError) as e:
            assert_outcomes(huining, demo, claimed)
        message = str(e.value)
        assert format_violations(check_outcomes(huining, demo, claimed)) == message
        lines = message.splitlines()
        assert "2 violations of the scheme:" == lines[0]
        assert ["subject", "claimed", "scheme", "rule", "problem"] == lines[1].split()
        assert lines[3].split()[:5] == ["beiguan-team", "一般", "好", "grade", "main"]
        assert lines[4].split()[:5] == ["xicha-secretary", "好", "差", "veto", "absentee"]
        assert "(四、6)" in lines[4]

    def test_one_violation_singular(self, huining: ve.Scheme, demo: ve.Cohort, result: ve.Result) -> None:
        with pytest.raises(AssertionError, match=r"^1 violation of the scheme:\n"):
            assert_outcomes(huining, demo, claim(result, beiguan_team="差"))

    def test_violation_str(self) -> None:
        v = Violation("veto", "absentee", "四、6", ("x",), "applies", "好", "差")
        assert "x: veto absentee (四、6): applies" == str(v)


def _graded(result: ve.Result) -> list[str]:
    return sorted(o.subject_id for o in result if o.status == "graded")


@pytest.fixture(scope="module")
def demo_grades(result: ve.Result) -> Mapping[str, str | None]:
    return grades_of(result)


@given(data=st.data())
def test_any_changed_grade_is_caught(
    huining: ve.Scheme, demo: ve.Cohort, result: ve.Result, demo_grades: Mapping[str, str | None], data: st.DataObject
) -> None:
    """Changing any one graded subject's final grade to any other label is caught, naming that subject."""
    sid = data.draw(st.sampled_from(_graded(result)), label="subject")
    labels = [g for g in ("好", "一般", "差") if g != demo_grades[sid]]
    other = data.draw(st.sampled_from(labels), label="claimed")
    violations = check_outcomes(huining, demo, {**demo_grades, sid: other})
    assert violations
    assert any(sid in v.subjects for v in violations), format_violations(violations)
    # the same change in a whole Result is caught too
    edited = evolve_outcome(result, sid, final_grade=other)
    assert any(sid in v.subjects and v.kind != "consequence" for v in check_outcomes(huining, demo, edited))


class TestRulesThatReadTheCohort:
    def test_consequence_on_other_subjects(self) -> None:
        """A consequence whose Python predicate reads other subjects is checked with the whole cohort.

        ``paired`` holds when another subject of the cohort has the same committee score
        (here both have 75, 称职): the engine gives both the consequence, so the checker
        must find it holds for both, not judge each subject as if it were alone.
        """
        import types

        from tests.test_quotas import BASE

        def paired(ctx: ve.RuleContext) -> bool:
            mine = ctx.subject.evidence["committee"]
            return any(s.id != ctx.subject.id and s.evidence.get("committee") == mine for s in ctx.cohort)

        module = types.ModuleType("county_pairs")
        module.villageeval_register_predicates = ve.hookimpl(lambda: {"paired": paired})  # type: ignore[attr-defined]
        registry = ve.Registry(ve.make_plugin_manager(autoload=False, plugins=[module]))
        s = ve.loads_scheme(
            BASE + '\n[consequences.pair]\nclause = "五"\ntext = "结对"\nwhen = { rule = "paired" }\n',
            registry=registry,
        )
        cohort = ve.Cohort([sub("a", 75), sub("b", 75), sub("c", 95)])
        result = ve.evaluate(s, cohort, trace=False)
        assert [c.rule for c in result.outcome("a").consequences] == ["pair"]
        assert [c.rule for c in result.outcome("c").consequences] == []
        assert check_outcomes(s, cohort, result) == []
