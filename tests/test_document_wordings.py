"""Scheme wordings as documents write them (issue #15): weight 0 and percent literals.

Each expectation is derived by hand from the huining demo (demo.json's tallies and the
weights of 会组发〔2023〕60号 四、6) or from the dazehu and yugong schemes' own numbers.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest

import villageeval as ve

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
HUINING_WEIGHTS = (
    "weights = { appraisal = 40, interview = 20, household_visit = 20, site_inspection = 10, party_committee = 10 }"
)


def _variant(tmp_path: Path, scheme: str, old: str, new: str) -> ve.Scheme:
    """A bundled scheme with one line of its TOML written another way."""
    target = tmp_path / scheme
    shutil.copytree(SCHEMES / scheme, target)
    toml = (target / "scheme.toml").read_text(encoding="utf-8")
    assert old in toml
    (target / "scheme.toml").write_text(toml.replace(old, new), encoding="utf-8")
    return ve.load_scheme(target)


class TestWeightZero:
    """“乡镇党委评价 占0%”: the instrument is checked and shown, not weighted."""

    def scheme(self, tmp_path: Path) -> ve.Scheme:
        zero = HUINING_WEIGHTS.replace("appraisal = 40", "appraisal = 50").replace(
            "party_committee = 10", "party_committee = 0"
        )
        return _variant(tmp_path, "huining-midterm-2023", HUINING_WEIGHTS, zero)

    def test_not_weighted_but_shown(self, tmp_path: Path) -> None:
        """xicha-secretary: appraisal (22×90 + 3×70)/25 = 87.6, interview and visit 86, site 90,
        committee 90. 87.6×50/100 + 86×20/100 + 86×20/100 + 90×10/100 + 90×0/100
        = 43.8 + 17.2 + 17.2 + 9 = 87.2."""
        scheme = self.scheme(tmp_path)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json"))
        outcome = result.outcome("xicha-secretary")
        assert Fraction("87.2") == outcome.score
        (total,) = [s.message for s in outcome.trace if s.step == "total"]
        assert "party_committee 90 × 0/100" in total

    def test_still_checked(self, tmp_path: Path) -> None:
        """A weight of 0 is not a missing instrument: its evidence is still required and checked."""
        scheme = self.scheme(tmp_path)
        cohort = ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json")
        subject = next(s for s in cohort.subjects if s.id == "xicha-secretary")
        evidence = {k: v for k, v in subject.evidence.items() if k != "party_committee"}
        import attrs

        lacking = attrs.evolve(subject, evidence=evidence)
        outcome = ve.evaluate(scheme, ve.Cohort((lacking,))).outcome("xicha-secretary")
        assert "insufficient_evidence" == outcome.status
        assert ["missing_evidence"] == [r.code for r in outcome.reasons]

    def test_a_negative_weight_is_refused(self, tmp_path: Path) -> None:
        negative = HUINING_WEIGHTS.replace("party_committee = 10", "party_committee = -10").replace(
            "appraisal = 40", "appraisal = 60"
        )
        with pytest.raises(ve.SchemeError, match=r"weights\.party_committee: a weight is 0 or more \(got -10\)"):
            _variant(tmp_path, "huining-midterm-2023", HUINING_WEIGHTS, negative)


class TestPercentLiterals:
    """“优秀比例不超过40%”: a share may be written "40%" wherever a share goes."""

    def test_a_quota_share(self, tmp_path: Path) -> None:
        """dazehu's first quota is 0.5 of its population: "50%" is the same scheme, hash and all."""
        percent = _variant(tmp_path, "dazehu-annual-2021", "share = 0.5", 'share = "50%"')
        assert ve.scheme_hash(ve.load_scheme("dazehu-annual-2021")) == ve.scheme_hash(percent)

    def test_a_share_predicate(self, tmp_path: Path) -> None:
        """yugong's jury applies unless more than half (0.5) of the village vote is 不满意."""
        old = 'applies_when = { not = { share = "village_vote", tiers = ["不满意"], above = 0.5 } }'
        percent = _variant(tmp_path, "yugong-pledge-2023", old, old.replace("0.5", '"50%"'))
        assert ve.scheme_hash(ve.load_scheme("yugong-pledge-2023")) == ve.scheme_hash(percent)

    def test_decimals_and_full_width(self, tmp_path: Path) -> None:
        """62.5% is 5/8; the full-width ％ of a Chinese keyboard reads the same."""
        for i, written in enumerate(('"62.5%"', '"62.5 ％"')):
            scheme = _variant(tmp_path / str(i), "dazehu-annual-2021", "share = 0.5", f"share = {written}")
            assert Fraction(5, 8) == next(iter(scheme.quotas.values())).share

    @pytest.mark.parametrize(
        ("written", "message"),
        [
            ('"150%"', r"a share is between 0% and 100% \(got '150%'\)"),
            ('"half%"', r"a percent literal is a decimal number followed by % \(got 'half%'\)"),
        ],
    )
    def test_refused_once_at_its_key(self, tmp_path: Path, written: str, message: str) -> None:
        with pytest.raises(ve.SchemeError, match=message) as raised:
            _variant(tmp_path, "dazehu-annual-2021", "share = 0.5", f"share = {written}")
        assert 1 == len(raised.value.problems)

    def test_not_where_a_score_goes(self, tmp_path: Path) -> None:
        """A band bound is a score, not a share: "85%" there is refused, not read as 0.85."""
        scheme = SCHEMES / "huining-midterm-2023" / "scheme.toml"
        toml = scheme.read_text(encoding="utf-8")
        bound = next(line for line in toml.splitlines() if line.strip().startswith("{ grade = ") and "at_least" in line)
        with pytest.raises(ve.SchemeError, match="must be a number"):
            _variant(tmp_path, "huining-midterm-2023", bound, bound.replace("at_least = 85", 'at_least = "85%"'))


class TestConditionRuleText:
    """A condition rule carries the document's wording, shown in the trace like a veto's."""

    RULE = '{ grade = "好", when = { rating = "overall", in = ["好"] } },'

    def test_the_trace_quotes_the_rule(self, tmp_path: Path) -> None:
        """dazehu-review grades by the committee's overall rating; its first rule gives 好 for 好
        (三、(二)3). With a text, the step that decides says it, numbered from 1."""
        worded = self.RULE.replace("} },", '}, text = "综合评定为好的" },')
        scheme = _variant(tmp_path, "dazehu-review-2021", self.RULE, worded)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "dazehu-review-2021" / "demo.json"))
        good = [o for o in result.outcomes if o.raw_grade == "好"]
        assert good, "the demo has a subject rated 好"
        (step,) = [s for s in good[0].trace if s.step == "grade"]
        assert "rule 1 matches: 好 (综合评定为好的)" == step.message
        assert step.rule is not None
        assert step.rule.endswith(".rules[0]")  # the key path keeps TOML's index
        assert "第 1 条成立:好(综合评定为好的)" == ve.render_step(step, "zh")

    def test_without_a_text(self) -> None:
        scheme = ve.load_scheme("dazehu-review-2021")
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "dazehu-review-2021" / "demo.json"))
        good = next(o for o in result.outcomes if o.raw_grade == "好")
        (step,) = [s for s in good.trace if s.step == "grade"]
        assert "rule 1 matches: 好" == step.message


OPTIONAL = """
[instruments.year_end]
title = "年度考核得分"
kind = "score"
clause = "test"
min = 0
max = 100
required = false

[consequences.reserve]
clause = "test"
text = "年度考核得分90分以上的，列入后备干部人选"
when = { all = [{ present = "year_end" }, { score = "year_end", at_least = 90 }] }
"""


class TestOptionalEvidence:
    """An instrument only one consequence reads: its evidence may be left out (required = false)."""

    def scheme(self, tmp_path: Path, extra: str = OPTIONAL) -> ve.Scheme:
        anchor = "[consequences.good]"
        return _variant(tmp_path, "huining-midterm-2023", anchor, extra + "\n" + anchor)

    def cohort(self, given: dict[str, int]) -> ve.Cohort:
        """The demo, with a year-end score for the subjects named."""
        import attrs

        demo = ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json")
        return ve.Cohort(
            tuple(
                attrs.evolve(s, evidence={**s.evidence, "year_end": {"value": given[s.id]}}) if s.id in given else s
                for s in demo.subjects
            )
        )

    def test_left_out_it_changes_nothing(self, tmp_path: Path) -> None:
        """Nobody gives it: every outcome is the bundled scheme's, and the trace says it was not given."""
        plain = ve.evaluate(ve.load_scheme("huining-midterm-2023"), self.cohort({}))
        optional = ve.evaluate(self.scheme(tmp_path), self.cohort({}))
        assert [(o.status, o.score, o.final_grade) for o in plain.outcomes] == [
            (o.status, o.score, o.final_grade) for o in optional.outcomes
        ]
        steps = [s.message for s in optional.outcome("beiguan-team").trace if s.step == "evidence"]
        assert "year_end (年度考核得分) is not given; it is optional (required = false)" in steps

    def test_given_it_is_read(self, tmp_path: Path) -> None:
        """beiguan-team 95 ≥ 90: on the reserve list; nanchuan-team 80: not; xicha-team not given."""
        result = ve.evaluate(self.scheme(tmp_path), self.cohort({"beiguan-team": 95, "nanchuan-team": 80}))
        reserve = {o.subject_id for o in result.outcomes if any(c.rule == "reserve" for c in o.consequences)}
        assert {"beiguan-team"} == reserve

    def test_given_and_wrong_it_is_checked(self, tmp_path: Path) -> None:
        """101 is outside 0–100: given evidence is checked as a required one's is."""
        outcome = ve.evaluate(self.scheme(tmp_path), self.cohort({"beiguan-team": 101})).outcome("beiguan-team")
        assert "insufficient_evidence" == outcome.status
        assert ["out_of_range"] == [r.code for r in outcome.reasons]

    def test_a_weighted_instrument_is_required(self, tmp_path: Path) -> None:
        target = self.scheme(tmp_path / "a")  # loadable while the instrument is not weighted
        assert not target.instruments["year_end"].required
        toml = (tmp_path / "a" / "huining-midterm-2023" / "scheme.toml").read_text(encoding="utf-8")
        old = "household_visit = 20, site_inspection = 10, party_committee = 10 }"
        (tmp_path / "a" / "huining-midterm-2023" / "scheme.toml").write_text(
            toml.replace(old, "household_visit = 20, site_inspection = 10, party_committee = 0, year_end = 10 }"),
            encoding="utf-8",
        )
        with pytest.raises(ve.SchemeError, match=r"weights\.year_end: instrument 'year_end' has required = false"):
            ve.load_scheme(tmp_path / "a" / "huining-midterm-2023")

    def test_present_names_an_optional_instrument(self, tmp_path: Path) -> None:
        wrong = OPTIONAL.replace('{ present = "year_end" }', '{ present = "appraisal" }')
        with pytest.raises(ve.SchemeError, match="instrument 'appraisal' is required, so its evidence is always given"):
            self.scheme(tmp_path, wrong)

    def test_the_columnar_path_agrees(self, tmp_path: Path) -> None:
        pytest.importorskip("numpy")
        from tests.test_columnar import columns_of

        from villageeval.columnar import ColumnarCohort, evaluate_columnar

        scheme = self.scheme(tmp_path)
        cohort = self.cohort({"beiguan-team": 95})
        table = ColumnarCohort(columns_of(scheme, cohort.subjects))
        engine = ve.evaluate(scheme, table.to_cohort(), trace=False)
        arrays = evaluate_columnar(scheme, table)
        assert [(o.status, o.final_grade) for o in engine.outcomes] == list(
            zip(arrays.statuses, arrays.final_grades, strict=True)
        )


RULED = """
[eligibility.absent_from_village]
clause = "test"
text = "任职不到村的，材料不足以评定"
when = { fact = "absentee" }
status = "insufficient_evidence"
"""


class TestRuledInsufficient:
    """A rule of the scheme that finds too little to grade on: insufficient_evidence, not ineligible."""

    def test_status_and_reason(self, tmp_path: Path) -> None:
        """xicha-secretary is the demo's one absentee (its veto 四、6 in the bundled scheme)."""
        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, RULED + "\n" + anchor)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json"))
        outcome = result.outcome("xicha-secretary")
        assert "insufficient_evidence" == outcome.status
        assert [("ruled_insufficient", "absent_from_village", "test")] == [
            (r.code, r.rule, r.clause) for r in outcome.reasons
        ]
        assert outcome.final_grade is None
        (step,) = [s for s in outcome.trace if s.step == "eligibility"]
        assert "证据不足,不予评定:任职不到村的，材料不足以评定" == ve.render_step(step, "zh")

    def test_the_columnar_path_agrees(self, tmp_path: Path) -> None:
        pytest.importorskip("numpy")
        from tests.test_columnar import columns_of

        from villageeval.columnar import ColumnarCohort, evaluate_columnar

        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, RULED + "\n" + anchor)
        cohort = ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json")
        table = ColumnarCohort(columns_of(scheme, cohort.subjects))
        engine = ve.evaluate(scheme, table.to_cohort(), trace=False)
        arrays = evaluate_columnar(scheme, table)
        assert [(o.status, o.final_grade) for o in engine.outcomes] == list(
            zip(arrays.statuses, arrays.final_grades, strict=True)
        )


REFERRAL = """
[referrals.borderline]
clause = "test"
text = "得分85分以上但被否决的，提请党委研究"
when = { all = [{ score = "total", at_least = 85 }, { fact = "absentee" }] }
"""


class TestReferral:
    """A case left to the committee: status referred (待研究), the proposed grade kept, no final grade."""

    def result(self, tmp_path: Path) -> ve.Result:
        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, REFERRAL + "\n" + anchor)
        return ve.evaluate(scheme, ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json"))

    def test_the_referred_subject(self, tmp_path: Path) -> None:
        """xicha-secretary, the demo's one absentee: 2186/25 = 87.44 rounds to 87 ≥ 85 (README):
        referred. Its rules give 好 from the bands and 差 from the absentee veto (四、6): 差 is
        the proposed grade.
        huining's consequences all read the grade (四、7), so none applies yet."""
        outcome = self.result(tmp_path).outcome("xicha-secretary")
        assert ("referred", None, "差", "好") == (
            outcome.status,
            outcome.final_grade,
            outcome.proposed_grade,
            outcome.raw_grade,
        )
        assert Fraction(2186, 25) == outcome.score
        assert [("referred", "borderline", "test")] == [(r.code, r.rule, r.clause) for r in outcome.reasons]
        assert () == outcome.consequences
        (step,) = [s for s in outcome.trace if s.step == "referral"]
        assert "待研究:建议等次为 差,提请党委研究:得分85分以上但被否决的，提请党委研究" == ve.render_step(step, "zh")

    def test_others_are_unchanged(self, tmp_path: Path) -> None:
        plain = ve.evaluate(
            ve.load_scheme("huining-midterm-2023"), ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json")
        )
        referred = self.result(tmp_path)
        changed = [
            a.subject_id
            for a, b in zip(plain.outcomes, referred.outcomes, strict=True)
            if (a.status, a.final_grade) != (b.status, b.final_grade)
        ]
        assert ["xicha-secretary"] == changed

    def test_the_result_json_and_back(self, tmp_path: Path) -> None:
        result = self.result(tmp_path)
        data = ve.result_to_dict(result)
        (entry,) = [o for o in data["outcomes"] if o["subject"] == "xicha-secretary"]
        assert ("referred", None, "差") == (entry["status"], entry["final_grade"], entry["proposed_grade"])
        assert all("proposed_grade" not in o for o in data["outcomes"] if o["subject"] != "xicha-secretary")
        again = ve.result_from_dict(data).outcome("xicha-secretary")
        assert "差" == again.proposed_grade

    def test_check_outcomes_counts_it_apart(self, tmp_path: Path) -> None:
        """Another system that grades xicha-secretary 差 has taken the committee's decision."""
        from villageeval.testing import check_outcomes

        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, REFERRAL + "\n" + anchor)
        cohort = ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json")
        claimed = {o.subject_id: o.final_grade for o in self.result(tmp_path / "r").outcomes}
        claimed["xicha-secretary"] = "差"
        violations = check_outcomes(scheme, cohort, claimed)
        assert [("xicha-secretary",)] == [v.subjects for v in violations]
        assert "referred to the committee" in violations[0].message

    def test_a_quota_counts_it_apart(self, tmp_path: Path) -> None:
        """dazehu's quotas over secretaries: refer every secretary graded 优秀; each population
        lists its referred members, and none of them is a holder of 优秀."""
        anchor = "[consequences.determined]"
        referral = (
            '[referrals.top]\nclause = "test"\ntext = "拟评优秀的，提请党委研究"\nroles = ["secretary"]\n'
            'when = { grade = "优秀" }\n\n'
        )
        scheme = _variant(tmp_path, "dazehu-annual-2021", anchor, referral + anchor)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "dazehu-annual-2021" / "demo.json"))
        referred = {o.subject_id for o in result.outcomes if o.status == "referred"}
        assert referred, "the demo has subjects the rules grade 优秀"
        listed = {sid for p in result.populations for sid in p.referred}
        assert listed == referred
        for p in result.populations:
            holders = {o.subject_id for o in result.outcomes if o.final_grade == p.grade}
            assert not holders & set(p.referred)
