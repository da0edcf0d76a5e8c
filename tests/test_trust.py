"""No silent wrong outcome: input that would have been graded quietly wrong gets a status or an error.

Each class of issue #14's "silent wrong outcomes", with our own hostile cases: an empty
ballot, history that cannot be read, a misspelt fact, a misspelt group, counts past the
ballots, ids that only look alike or hold control characters; and the determinism of the
result whatever the order of the cohort's JSON keys. Expected values are worked out by
hand from the small schemes below.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import villageeval as ve

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"

# A satisfaction vote without points (满意 / 不满意) read only by a veto, and a committee
# score that gives the total: 90 → 好 unless more than half are 不满意.
VOTE = """
id = "trust-vote"
title = "满意度测评"
period = "2024"
locality = {{ name = "某乡" }}
[roles.team]
label = "村“两委”班子"
[scales.grade]
tiers = ["好", "一般", "差"]
[scales.votes]
tiers = ["满意", "不满意"]
[instruments.satisfaction]
kind = "ballot"
title = "群众满意度测评"
clause = "三"
scale = "votes"
{ballot}
[instruments.committee]
kind = "score"
title = "乡镇党委评价"
clause = "四"
max = 100
[weightings.main]
clause = "四"
total = 100
weights = {{ committee = 100 }}
[gradings.main]
clause = "四"
scale = "grade"
round = {{ digits = 0 }}
bands = [
  {{ grade = "好", at_least = 85 }},
  {{ grade = "一般", at_least = 60, below = 85 }},
  {{ grade = "差", below = 60 }},
]
{extra}
[vetoes.dissatisfied]
clause = "三"
text = "不满意票超过半数的"
when = {{ share = "satisfaction", tiers = ["不满意"], above = 0.5 }}
grade = "差"
"""


def vote_scheme(ballot: str = "", extra: str = "") -> ve.Scheme:
    return ve.loads_scheme(VOTE.format(ballot=ballot, extra=extra))


def team(sid: str = "a", *, votes: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    evidence = {"satisfaction": {"tallies": {} if votes is None else votes}, "committee": {"value": 90}}
    return {"id": sid, "role": "team", "evidence": evidence, **more}


def graded(scheme: ve.Scheme, *subjects: dict[str, Any], trace: bool = True, period: str = "") -> ve.Result:
    data: dict[str, Any] = {"subjects": list(subjects)}
    if period:
        data["period"] = period
    return ve.evaluate(scheme, ve.cohort_from_dict(data), trace=trace)


def codes(o: ve.Outcome) -> list[tuple[str, str | None]]:
    return [(r.code, r.instrument) for r in o.reasons]


class TestEmptyBallots:
    @pytest.mark.parametrize("trace", [True, False])
    def test_no_ballots_is_too_few(self, trace: bool) -> None:
        """tallies = {}: no ballots, so no share of 不满意 either; the subject is not graded 好 silently."""
        o = graded(vote_scheme(), team(), trace=trace).outcome("a")
        assert ("insufficient_evidence", [("too_few_respondents", "satisfaction")]) == (o.status, codes(o))

    def test_the_scheme_may_allow_an_empty_ballot(self) -> None:
        """allow_empty = true: no ballots is valid, the veto does not hold, 90 → 好."""
        o = graded(vote_scheme("allow_empty = true"), team()).outcome("a")
        assert ("graded", "好") == (o.status, o.final_grade)

    def test_the_veto_still_fires_with_ballots(self) -> None:
        """8 of 15 不满意 (> 1/2): 差, whatever the committee's 90."""
        o = graded(vote_scheme(), team(votes={"满意": 7, "不满意": 8})).outcome("a")
        assert ("好", "差") == (o.raw_grade, o.final_grade)

    def test_an_empty_ballot_with_points_is_refused(self) -> None:
        """allow_empty on a scale with points: a mean of no ballots is no score (a load error)."""
        text = VOTE.format(ballot="allow_empty = true", extra="").replace(
            'tiers = ["满意", "不满意"]', 'tiers = [{ label = "满意", points = 100 }, { label = "不满意", points = 0 }]'
        )
        with pytest.raises(ve.SchemeError, match="allow_empty: scale 'votes' has points"):
            ve.loads_scheme(text)


class TestCounts:
    def test_coverage_past_the_ballots(self) -> None:
        """5 村干部 covered by 3 ballots: the coverage counts respondents, so it cannot pass them."""
        scheme = vote_scheme('must_cover = ["村干部"]\ncover = "at_least_one"')
        subject = team(votes={"满意": 3})
        subject["evidence"]["satisfaction"]["coverage"] = {"村干部": 5}
        o = graded(scheme, subject).outcome("a")
        assert [("invalid_evidence", "satisfaction: 5 村干部 covered, but only 3 ballots were cast")] == [
            (r.code, r.message) for r in o.reasons
        ]

    @pytest.mark.parametrize("trace", [True, False])
    def test_more_than_can_vote(self, trace: bool) -> None:
        """max_respondents = 40 (the village's 党员 and 代表): 41 ballots cannot have been cast."""
        o = graded(vote_scheme("max_respondents = 40"), team(votes={"满意": 41}), trace=trace).outcome("a")
        assert [("too_many_respondents", "satisfaction")] == codes(o)

    def test_more_than_expected(self) -> None:
        """expected = 20 given without a quorum still bounds the ballots: 21 is invalid."""
        subject = team(votes={"满意": 21})
        subject["evidence"]["satisfaction"]["expected"] = 20
        o = graded(vote_scheme(), subject).outcome("a")
        assert [("invalid_evidence", "satisfaction: 21 ballots but only 20 were expected to respond")] == [
            (r.code, r.message) for r in o.reasons
        ]


class TestFacts:
    FACT = """
[facts.disciplined]
label = "受到党纪处分"
type = "bool"
default = false
[vetoes.discipline]
clause = "五"
text = "受到党纪处分的"
when = { fact = "disciplined" }
grade = "差"
"""

    @pytest.mark.parametrize("trace", [True, False])
    def test_a_misspelt_fact_is_not_ignored(self, trace: bool) -> None:
        """disciplind: true for the declared disciplined (default false): not read as false, but reported."""
        scheme = vote_scheme(extra=self.FACT)
        o = graded(scheme, team(votes={"满意": 9}, facts={"disciplind": True}), trace=trace).outcome("a")
        assert "insufficient_evidence" == o.status
        assert [("unknown_fact", None)] == codes(o)
        assert "did you mean 'disciplined'?" in o.reasons[0].message


class TestGroups:
    QUOTA = """
[quotas.good]
clause = "六"
text = "好不超过一半"
grade = "好"
share = 0.5
bound = "at_most"
count = "floor"
per = "area"
"""

    def test_a_declared_group_must_be_one_of_its_values(self) -> None:
        """其它片区 for the declared 其他片区: a cohort error with a did-you-mean, not a population of one."""
        scheme = vote_scheme(extra=self.QUOTA + '[groups.area]\nvalues = ["其他片区", "东片区"]\n')
        with pytest.raises(ve.CohortError) as e:
            graded(scheme, team("a", votes={"满意": 9}, groups={"area": "其它片区"}))
        [problem] = e.value.problems
        assert ("subjects", 0, "groups", "area") == problem.path
        assert "did you mean '其他片区'?" in problem.message

    @pytest.mark.parametrize("trace", [True, False])
    def test_a_population_of_one_is_warned_about(self, trace: bool) -> None:
        """Undeclared values: b alone in 其它片区 is a population where the quota is always met; said."""
        scheme = vote_scheme(extra=self.QUOTA)
        result = graded(
            scheme,
            team("a", votes={"满意": 9}, groups={"area": "其他片区"}),
            team("b", votes={"满意": 9}, groups={"area": "其它片区"}),
            team("c", votes={"满意": 9}, groups={"area": "其他片区"}),
            trace=trace,
        )
        lonely = [w for w in result.warnings if "single subject" in w]
        assert 1 == len(lonely)
        assert "area '其它片区' has a single subject; did you mean '其他片区'?" in lonely[0]


STREAK = """
[consequences.adjust]
clause = "七"
text = "连续两年“差”的，予以调整"
when = { streak = "差", periods = 2 }
"""


class TestHistory:
    def scheme(self, extra: str = STREAK, period: str = 'period = "2024"') -> ve.Scheme:
        return ve.loads_scheme(VOTE.format(ballot="", extra=extra).replace('period = "2024"', period))

    @pytest.mark.parametrize("grade", ["差 ", "极差", "cha"])
    def test_a_grade_that_is_not_of_the_scale(self, grade: str) -> None:
        """A history grade the scale does not have would silently break the 连续两年 streak: invalid_history."""
        o = graded(self.scheme(), team(votes={"不满意": 9}, history={"2023": grade})).outcome("a")
        assert [("invalid_history", None)] == codes(o)

    def test_the_streak_holds_on_good_history(self) -> None:
        """差 in 2023 and 差 (vetoed) in 2024: the consequence follows."""
        o = graded(self.scheme(), team(votes={"不满意": 9}, history={"2023": "差"})).outcome("a")
        assert ("差", ["adjust"]) == (o.final_grade, [c.rule for c in o.consequences])

    def test_a_period_off_the_calendar(self) -> None:
        """History "2023年" on the default years calendar cannot be placed: invalid_history."""
        o = graded(self.scheme(), team(votes={"不满意": 9}, history={"2023年": "差"})).outcome("a")
        assert [("invalid_history", None)] == codes(o)
        assert "'2023年' is not on the years calendar" in o.reasons[0].message

    def test_a_streak_needs_a_period(self) -> None:
        """A scheme with a streak and no period cannot say which period is the previous one: a load error."""
        with pytest.raises(ve.SchemeError, match="a streak looks back from the current period"):
            self.scheme(period="")

    def test_the_period_must_be_on_the_calendar(self) -> None:
        """period = "2024下半年" without an order: refused at load, not compared as text."""
        with pytest.raises(ve.SchemeError, match="period '2024下半年' is not a period of the years calendar"):
            self.scheme(period='period = "2024下半年"')

    def test_an_order_places_named_periods(self) -> None:
        """第三次 after 第二次 (as text it sorts before): the streak reads 第二次."""
        scheme = self.scheme(period='period = "第三次"\nperiods = { order = ["第一次", "第二次", "第三次"] }')
        o = graded(scheme, team(votes={"不满意": 9}, history={"第二次": "差", "第一次": "好"})).outcome("a")
        assert ["adjust"] == [c.rule for c in o.consequences]

    def test_months(self) -> None:
        """2024-10 follows 2024-09 on the months calendar (as text "2024-10" < "2024-9")."""
        scheme = self.scheme(period='period = "2024-10"\nperiods = { calendar = "months" }')
        o = graded(scheme, team(votes={"不满意": 9}, history={"2024-09": "差"})).outcome("a")
        assert ["adjust"] == [c.rule for c in o.consequences]
        bad = graded(scheme, team(votes={"不满意": 9}, history={"2024-9": "差"})).outcome("a")
        assert [("invalid_history", None)] == codes(bad)

    @pytest.mark.parametrize("trace", [True, False])
    def test_required_history(self, trace: bool) -> None:
        """required = true: without 2023 the subject is insufficient, not "no streak"."""
        scheme = self.scheme(STREAK.replace("periods = 2 }", "periods = 2, required = true }"))
        o = graded(scheme, team(votes={"满意": 9}, history={"2022": "差"}), trace=trace).outcome("a")
        assert [("missing_history", None)] == codes(o)
        ok = graded(scheme, team(votes={"满意": 9}, history={"2023": "好"}), trace=trace).outcome("a")
        assert ("graded", []) == (ok.status, codes(ok))

    def test_a_cohort_period_off_the_calendar(self) -> None:
        """A cohort's period the scheme cannot place is a cohort error, where streaks read it."""
        with pytest.raises(ve.CohortError, match="the cohort's period '2024年' is not on the years calendar"):
            graded(self.scheme(), team(votes={"满意": 9}), period="2024年")


class TestIdentity:
    def test_nfc_and_nfd_are_one_id(self) -> None:
        """é composed and decomposed are the same text: two subjects with them are one id twice."""
        composed = "乡甲é"  # é as one code point
        decomposed = unicodedata.normalize("NFD", composed)
        assert composed != decomposed
        with pytest.raises(ve.CohortError, match="duplicate subject id"):
            ve.cohort_from_dict({"subjects": [team(composed), team(decomposed)]})

    def test_labels_are_normalised_too(self) -> None:
        """A tally label in NFD is the scheme's NFC tier."""
        nfd = unicodedata.normalize("NFD", "满意é")
        text = VOTE.format(ballot="", extra="").replace('"满意"', '"满意é"')
        s = ve.loads_scheme(text)
        o = graded(s, team(votes={nfd: 9})).outcome("a")
        assert "graded" == o.status

    @pytest.mark.parametrize("bad", ["a\nb", "a\x1b[2Jb", "a\u202eb"])
    def test_control_characters_in_an_id(self, bad: str) -> None:
        """A newline, a terminal escape or a bidi override in an id would forge a printed row: refused."""
        with pytest.raises(ve.CohortError, match="must not hold a control character"):
            ve.cohort_from_dict({"subjects": [team(bad)]})

    def test_control_characters_in_a_tier(self) -> None:
        """A tier label with a newline is refused at load, at its key path."""
        text = VOTE.format(ballot="", extra="").replace(
            'tiers = ["好", "一般", "差"]', 'tiers = ["好\\n", "一般", "差"]'
        )
        with pytest.raises(ve.SchemeError, match=r"scales\.grade\.tiers\[0\]: must not hold a control character"):
            ve.loads_scheme(text)


def _shuffled(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffled(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


def _raw_demo() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(DEMO.read_text(encoding="utf-8"))
    # a subject with problems in several places, so reasons are ordered too
    raw["subjects"][0]["evidence"]["appraisal"]["tallies"] = {"好": 3, "很好": 1, "不好": 2, "差": 1}
    raw["subjects"][0]["facts"]["absentt"] = True
    raw["subjects"][0]["notes"] = {"运行情况": "正常", "存在问题": "无", "下一步打算": "整改"}
    return raw


# one decision id and time for both: the cohort hash is the same too (keys are sorted)
_SAME = {"decision_id": "00000000-0000-4000-8000-000000000000", "evaluated_at": "2026-12-04T00:00:00Z"}


@pytest.fixture(scope="module")
def in_order(huining: ve.Scheme) -> str:
    """The result of the demo as written, once: each example compares a shuffled one with it."""
    return ve.result_to_json(
        ve.evaluate(huining, ve.loads_cohort(json.dumps(_raw_demo(), ensure_ascii=False)), **_SAME)
    )


class TestDeterminism:
    # One drawn seed shuffles every object of the cohort: thousands of permutations from one
    # draw (a draw per object, or per call of a Random, made it the slowest test of the suite).
    @given(st.randoms(use_true_random=True))
    def test_key_order_never_shows(self, huining: ve.Scheme, in_order: str, rnd: random.Random) -> None:
        """The demo cohort with every object's keys in another order: a byte-identical result, traces included."""
        raw, same, first = _raw_demo(), _SAME, in_order
        again = ve.result_to_json(
            ve.evaluate(huining, ve.loads_cohort(json.dumps(_shuffled(raw, rnd), ensure_ascii=False)), **same)
        )
        assert first == again


class TestSchemeLimits:
    """Values that would make loading or grading fail deep inside, or run for ever, refused at load."""

    @pytest.mark.parametrize(
        ("old", "new", "path"),
        [
            ("round = {{ digits = 0 }}", "round = {{ digits = -1 }}", "gradings.main.round.digits"),
            ("round = {{ digits = 0 }}", "round = {{ digits = 1000000 }}", "gradings.main.round.digits"),
            (
                "round = {{ digits = 0 }}",
                "round = {{ digits = 0 }}\ndisplay_digits = -2",
                "gradings.main.display_digits",
            ),
        ],
    )
    def test_digits_out_of_range(self, old: str, new: str, path: str) -> None:
        """Negative digits (a TypeError or "0.0." before), or a million (a grid of 10**-1000000): a problem."""
        text = VOTE.replace(old, new).format(ballot="", extra="")
        with pytest.raises(ve.SchemeError) as e:
            ve.loads_scheme(text)
        assert [f"{path}: must be from 0 to 12 decimal places"] == [
            f"{p.path[0]}.{p.path[1]}.{'.'.join(map(str, p.path[2:]))}: {p.message.split(' (got')[0]}"
            for p in e.value.problems
        ]

    @pytest.mark.parametrize("periods", ["1000000000", "0", "true"])
    def test_streak_periods_out_of_range(self, periods: str) -> None:
        """periods = 1e9 (a MemoryError when counting back), 0, or not a number: a problem at the key."""
        text = VOTE.format(ballot="", extra=STREAK.replace("periods = 2", f"periods = {periods}"))
        with pytest.raises(ve.SchemeError, match="periods: must be a whole number of periods from 1 to 100"):
            ve.loads_scheme(text)


class TestNumberLimits:
    """Numbers built in Python, past what any evidence means, never hang a grading nor print as a traceback."""

    @pytest.mark.parametrize("trace", [True, False])
    def test_a_huge_score(self, trace: bool) -> None:
        """Decimal("1e999999999") as a committee score (a billion-digit integer as a Fraction): insufficient."""
        from decimal import Decimal

        subject = team(votes={"满意": 9})
        subject["evidence"]["committee"] = ve.ScoreEvidence(Decimal("1e999999999"))
        scheme = vote_scheme()
        o = ve.evaluate(scheme, ve.Cohort([ve.cohort_from_dict({"subjects": [subject]}).subjects[0]]), trace=trace)
        outcome = o.outcome("a")
        assert [("invalid_evidence", "committee")] == codes(outcome)
        assert "too large" in outcome.reasons[0].message

    @pytest.mark.parametrize("trace", [True, False])
    def test_a_count_past_any_meeting(self, trace: bool) -> None:
        """10^13 votes: no count of people is that large (10^12 at most): invalid_count, the number quoted by size."""
        o = graded(vote_scheme(), team(votes={"满意": 10**13}), trace=trace).outcome("a")
        assert [("invalid_count", "satisfaction")] == codes(o)
        big = graded(vote_scheme(), team(votes={"满意": 10**5000}), trace=trace).outcome("a")
        assert "an integer of about" in big.reasons[0].message

    def test_a_huge_number_fact(self) -> None:
        """A number fact of Decimal("1e999999999") is no number: invalid_fact, not a hang."""
        from decimal import Decimal

        extra = """
[facts.months]
label = "任职月数"
type = "number"
[vetoes.short]
clause = "五"
text = "任职不满6个月的"
when = { fact = "months", below = 6 }
grade = "差"
"""
        o = graded(vote_scheme(extra=extra), team(votes={"满意": 9}, facts={"months": Decimal("1e999999999")}))
        assert [("invalid_fact", None)] == codes(o.outcome("a"))
