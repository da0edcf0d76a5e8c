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
        (三、(二)3). With a text, the step that decides says it, numbered from 1, and the
        rating it read (the committee's 好, which the rule asks for)."""
        worded = self.RULE.replace("} },", '}, text = "综合评定为好的" },')
        scheme = _variant(tmp_path, "dazehu-review-2021", self.RULE, worded)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "dazehu-review-2021" / "demo.json"))
        good = [o for o in result.outcomes if o.raw_grade == "好"]
        assert good, "the demo has a subject rated 好"
        (step,) = [s for s in good[0].trace if s.step == "grade"]
        assert "rule 1 matches: 好 (综合评定为好的) (overall: 好)" == step.message
        assert step.rule is not None
        assert step.rule.endswith(".rules[0]")  # the key path keeps TOML's index
        assert "第 1 条成立:好(综合评定为好的)(overall:好)" == ve.render_step(step, "zh")

    def test_without_a_text(self) -> None:
        scheme = ve.load_scheme("dazehu-review-2021")
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "dazehu-review-2021" / "demo.json"))
        good = next(o for o in result.outcomes if o.raw_grade == "好")
        (step,) = [s for s in good.trace if s.step == "grade"]
        assert "rule 1 matches: 好 (overall: 好)" == step.message


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
        # the numbers it compared, in the order of its all = [...]: the rounded total, the fact
        assert "待研究:建议等次为 差,提请党委研究:得分85分以上但被否决的，提请党委研究(总分 87 ≥ 85;absentee:是)" == (
            ve.render_step(step, "zh")
        )
        assert step.message.endswith("(total 87 ≥ 85; absentee: true)")

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


class TestDecision:
    """The committee's decision as input: the final grade follows it, vetoes and hard quotas still hold."""

    def cohort(self, decisions: dict[str, dict[str, str]]) -> ve.Cohort:
        import attrs

        demo = ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json")
        return ve.Cohort(
            tuple(attrs.evolve(s, decision=decisions[s.id]) if s.id in decisions else s for s in demo.subjects)
        )

    def test_a_referred_subject_decided(self, tmp_path: Path) -> None:
        """xicha-secretary is referred with 差 proposed (TestReferral); the committee keeps 差."""
        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, REFERRAL + "\n" + anchor)
        decision = {"grade": "差", "reason": "任职不到村属实", "by": "乡党委", "date": "2023-07-10"}
        outcome = ve.evaluate(scheme, self.cohort({"xicha-secretary": decision})).outcome("xicha-secretary")
        assert ("graded", "差") == (outcome.status, outcome.final_grade)
        assert [] == [r.code for r in outcome.reasons]
        decided = [a for a in outcome.adjustments if a.kind == "decision"]
        assert [("差", "差", "任职不到村属实 (乡党委, 2023-07-10)")] == [
            (a.from_grade, a.to_grade, a.note) for a in decided
        ]
        # what follows from 差 now applies: huining 四、7's consequence of 差
        assert ["poor"] == [c.rule for c in outcome.consequences]

    def test_a_decision_above_a_veto_is_not_taken(self) -> None:
        """The absentee veto (四、6) makes xicha-secretary 差 at best; a decision of 好 goes back."""
        scheme = ve.load_scheme("huining-midterm-2023")
        outcome = ve.evaluate(scheme, self.cohort({"xicha-secretary": {"grade": "好"}})).outcome("xicha-secretary")
        assert ("referred", None, "差") == (outcome.status, outcome.final_grade, outcome.proposed_grade)
        (reason,) = outcome.reasons
        assert "decision_conflict" == reason.code
        assert "the committee's decision 好 is better than 差, the best that absentee allow" == reason.message

    def test_a_decision_below_the_rules_is_taken(self) -> None:
        """beiguan-team: 23453/275 → 好 (docs/interchange.md); the committee may grade it lower."""
        scheme = ve.load_scheme("huining-midterm-2023")
        outcome = ve.evaluate(scheme, self.cohort({"beiguan-team": {"grade": "一般"}})).outcome("beiguan-team")
        assert ("graded", "好", "一般") == (outcome.status, outcome.raw_grade, outcome.final_grade)

    def test_off_the_scale(self) -> None:
        scheme = ve.load_scheme("huining-midterm-2023")
        outcome = ve.evaluate(scheme, self.cohort({"beiguan-team": {"grade": "优秀"}})).outcome("beiguan-team")
        assert "referred" == outcome.status
        assert ["decision_conflict"] == [r.code for r in outcome.reasons]

    def test_past_a_hard_quota(self) -> None:
        """dazehu: at most 40% of its 8 secretaries 优秀, floor(8 × 0.4) = 3 (三、(一)2(3)); three
        secretaries are capped below 优秀 (docs/schemes/dazehu-annual-2021.md). Decide 优秀 for all
        eight: the three capped go back (better than the cap allows), three of the other five
        are kept, in the quota's order, and two go back as past the quota."""
        import attrs

        scheme = ve.load_scheme("dazehu-annual-2021")
        cohort = ve.load_cohort(SCHEMES / "dazehu-annual-2021" / "demo.json")
        everyone = ve.Cohort(
            tuple(attrs.evolve(s, decision={"grade": "优秀"}) if s.role == "secretary" else s for s in cohort.subjects),
            period=cohort.period,
        )
        result = ve.evaluate(scheme, everyone)
        secretaries = [o for o in result.outcomes if o.role == "secretary"]
        kept = [o for o in secretaries if o.final_grade == "优秀"]
        refused = [r.message for o in secretaries for r in o.reasons if r.code == "decision_conflict"]
        assert 3 == len(kept)
        assert 3 == len([m for m in refused if "is better than" in m])
        assert 2 == len([m for m in refused if "goes past quota secretary_excellent" in m])
        (usage,) = [p for p in result.populations if p.quota == "secretary_excellent"]
        assert 3 == usage.holders_after

    def test_a_decision_in_the_cohort_json(self) -> None:
        data = {
            "subjects": [
                {"id": "a", "role": "team", "decision": {"grade": "好", "reasn": "x"}},
                {"id": "b", "role": "team", "decision": {"reason": "x"}},
            ]
        }
        with pytest.raises(ve.CohortError) as raised:
            ve.cohort_from_dict(data)
        messages = [p.message for p in raised.value.problems]
        assert "unknown decision key 'reasn'; did you mean 'reason'?" in messages
        assert "a decision gives the grade the committee decided on: 'grade' is missing" in messages


SHARE_VETO = """
[vetoes.many_poor]
clause = "test"
text = "述职测评“差”票超过10%的"
when = { any = [{ fact = "clan_interference" }, { share = "appraisal", tiers = ["差"], above = "10%" }] }
grade = "差"
"""


class TestDecidingNumbers:
    """A rule's step shows the numbers it compared and the branch of ``any`` that held."""

    def test_a_share_in_an_any(self, tmp_path: Path) -> None:
        """yangzhuang-team's appraisal: 好 4, 一般 12, 差 14 (demo.json), so 差 is 14/30 = 46.7%,
        above 10%; its total 57.2 is 差 already, so the veto holds without lowering it."""
        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, SHARE_VETO + "\n" + anchor)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json"))
        (step,) = [s for s in result.outcome("yangzhuang-team").trace if s.rule == "many_poor"]
        assert (
            "applies (述职测评“差”票超过10%的) (any: 差 14/30 = 46.7% > 10%); 差 is already no better than 差"
            == step.message
        )
        assert "适用(述职测评“差”票超过10%的)(其中:差 14/30 = 46.7% > 10%);差 已不高于 差" == ve.render_step(step, "zh")

    def test_no_numbers_without_a_trace(self, tmp_path: Path) -> None:
        anchor = "[consequences.good]"
        scheme = _variant(tmp_path, "huining-midterm-2023", anchor, SHARE_VETO + "\n" + anchor)
        result = ve.evaluate(scheme, ve.load_cohort(SCHEMES / "huining-midterm-2023" / "demo.json"), trace=False)
        assert () == result.outcome("yangzhuang-team").trace


POINTS = """
id = "itemised"
title = "分项计分"
period = "2024"
locality = { name = "某县" }
[roles.secretary]
label = "村党支部书记"
[scales.grade]
tiers = ["合格", "不合格"]
[instruments.work]
kind = "points"
title = "工作实绩"
clause = "三"
items = { tasks = { label = "重点任务", max = 95 }, petition = { label = "信访稳定", max = 5, mode = "deduct" } }
bonus = { label = "加分", max = 5 }
[weightings.main]
clause = "三"
total = 100
weights = { work = 100 }
[gradings.main]
clause = "三"
scale = "grade"
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
"""


class TestItemisedEntries:
    """Deductions and bonuses as entries, each in the trace, the stop at zero and the cap shown.

    The items add up to 95 + 5 = 100, the instrument's out_of, weighted 100 of 100: the total
    is the points themselves.
    """

    def outcome(self, items: dict[str, object], bonus: object) -> ve.Outcome:
        cohort = ve.cohort_from_dict(
            {"subjects": [{"id": "a", "role": "secretary", "evidence": {"work": {"items": items, "bonus": bonus}}}]}
        )
        return ve.evaluate(ve.loads_scheme(POINTS), cohort).outcome("a")

    def test_deductions_stop_at_zero_and_the_bonus_is_capped(self) -> None:
        """petition: 上访 县 2 + 4 + 10 = 16 deducted from 5 → 0 (扣完为止); tasks 80; the bonus
        claimed 3 + 表彰 4 = 7, capped at 5: 80 + 0 + 5 = 85."""
        entries = [{"amount": 2, "note": "上访 县"}, 4, 10]
        outcome = self.outcome({"tasks": 80, "petition": entries}, [3, {"amount": 4, "note": "表彰"}])
        assert Fraction(85) == outcome.score
        (step,) = [s for s in outcome.trace if s.step == "score"]
        assert (
            "work (工作实绩): tasks 80 + petition 5 − (上访 县 2 + 4 + 10 = 16) → 0 (deductions stop at zero)"
            " + bonus (3 + 表彰 4 = 7) → 5 (capped at 5) = 85" == step.message
        )
        assert "扣完为止" in ve.render_step(step, "zh")
        assert "封顶 5" in ve.render_step(step, "zh")

    def test_a_deduction_within_the_item(self) -> None:
        """petition 5 − 3 = 2; tasks 70; no bonus: 72."""
        outcome = self.outcome({"tasks": 70, "petition": [1, 2]}, 0)
        assert Fraction(72) == outcome.score

    def test_a_bad_entry_is_named(self) -> None:
        outcome = self.outcome({"tasks": 70, "petition": [1, {"amnt": 2}]}, 0)
        assert "insufficient_evidence" == outcome.status
        (reason,) = outcome.reasons
        assert reason.message.startswith("work: item 'petition', entry 2: an entry is a number or")


def test_a_conditions_grading_without_rules_gives_its_fallback() -> None:
    """A document whose only rule is its default (“其余为合格”): no rules, the fallback for all."""
    toml = """
id = "fallback-only"
title = "其余为合格"
locality = { name = "某县" }
[roles.team]
label = "班子"
[scales.grade]
tiers = ["合格", "不合格"]
[gradings.main]
kind = "conditions"
clause = "三"
scale = "grade"
rules = []
fallback = "合格"
"""
    cohort = ve.cohort_from_dict({"subjects": [{"id": "a", "role": "team"}]})
    outcome = ve.evaluate(ve.loads_scheme(toml), cohort).outcome("a")
    assert ("graded", "合格") == (outcome.status, outcome.final_grade)


class TestTutorialNumberAndRanking:
    """docs/tutorial.md, "A number instead of a share, and a ranking": the diff it shows,
    applied to the tutorial's complete scheme, on the four secretaries of its section-15 case.

    By hand, from the case's own comments: 石门 97.8 优秀, 河头 96.9 优秀, 刘家 100 capped to
    合格 (五、2), 新庄 ineligible (五、3). 优秀 at most 2 名: 2 holders, none demoted. Ranked by
    total: 刘家 100 (1), 石门 97.8 (2), 河头 96.9 (3) of 3; 前2名 → 刘家 and 石门 recommended.
    """

    @staticmethod
    def _scheme_and_case() -> tuple[ve.Scheme, ve.Cohort]:
        import re

        import tomli
        from tests.test_docs import TUTORIAL, code_blocks

        section = TUTORIAL.split("### A number instead of a share, and a ranking")[1].split("\n## ")[0]
        (diff,) = code_blocks(section, "diff")
        removed = [line[1:] for line in diff.splitlines() if line.startswith("-")]
        added = [line[1:] for line in diff.splitlines() if line.startswith("+")]
        (complete,) = [b for b in code_blocks(TUTORIAL, "toml") if b.startswith("# 青石县")]
        start = complete.index("[quotas.secretary_excellent]")
        end = complete.index("\n[", start + 1)
        quota = complete[start:end]
        assert "\n".join(removed) in quota
        quota = quota.replace("\n".join(removed), added[0] + "\n" + added[1])
        toml = complete[:start] + quota + complete[end:] + "\n" + "\n".join(added[2:]) + "\n"
        scheme = ve.loads_scheme(toml)
        (case,) = [b for b in code_blocks(TUTORIAL, "toml") if "Four secretaries of 石门镇" in b]
        data = tomli.loads(case)
        assert re.search(r"\bshimen-secretary\b", case)
        cohort = ve.cohort_from_dict({"format": 1, "period": data["period"], "subjects": data["subjects"]})
        return scheme, cohort

    def test_places_and_recommendations(self) -> None:
        scheme, cohort = self._scheme_and_case()
        result = ve.evaluate(scheme, cohort)
        grades = {o.subject_id: o.final_grade for o in result}
        assert grades == {
            "shimen-secretary": "优秀",
            "hetou-secretary": "优秀",
            "liujia-secretary": "合格",
            "xinzhuang-secretary": None,
        }
        places = {o.subject_id: (p.place, p.of) for o in result for p in o.rank.values()}
        assert places == {"liujia-secretary": (1, 3), "shimen-secretary": (2, 3), "hetou-secretary": (3, 3)}
        recommended = {o.subject_id for o in result if any(c.rule == "recommend" for c in o.consequences)}
        assert recommended == {"liujia-secretary", "shimen-secretary"}
        (usage,) = [p for p in result.populations if p.quota == "secretary_excellent"]
        assert (usage.limit, usage.holders_before, usage.holders_after) == (2, 2, 2)
