"""Properties of the engine that hold for every cohort, checked with hypothesis.

The number of examples comes from the hypothesis profile (tests/conftest.py), never
from the tests themselves.

Two schemes are used: the bundled huining scheme (ballots over 好 90 / 一般 70 / 差 40,
weights 40/20/20/10/10, half-up rounding to a whole point, bands ≥ 85 好, 66–84 一般,
≤ 65 差, six vetoes to 差) and small inline schemes whose total is a committee score
out of 100 with weight 100 (so total = score), graded 优秀 ≥ 90, 称职 ≥ 70, 基本称职 ≥ 60,
else 不称职, to which quotas, a veto and a cap are added.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache
from math import ceil, floor
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st
from tests.test_quotas import BASE as QUOTA_BASE

import villageeval as ve

# --- the huining scheme: valid subjects ---------------------------------------------------

TIERS = ("好", "一般", "差")
POINTS = {"好": Fraction(90), "一般": Fraction(70), "差": Fraction(40)}  # 四、2
WEIGHTS = {  # 四、6
    "appraisal": Fraction(40),
    "interview": Fraction(20),
    "household_visit": Fraction(20),
    "site_inspection": Fraction(10),
    "party_committee": Fraction(10),
}
HUINING_GRADES = ("好", "一般", "差")
VETOES = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee")


def tallies(minimum: int) -> st.SearchStrategy[tuple[int, int, int]]:
    """Counts for 好, 一般, 差 adding up to at least ``minimum``."""
    return st.tuples(*(st.integers(0, 30) for _ in TIERS)).filter(lambda t: sum(t) >= minimum)


@st.composite
def households(draw: st.DrawFn) -> tuple[tuple[int, int, int], dict[str, int]]:
    """Household tallies and 3–5 households per 自然村 adding up to them."""
    strata = draw(st.lists(st.integers(3, 5), min_size=1, max_size=4))
    total = sum(strata)
    a = draw(st.integers(0, total))
    b = draw(st.integers(0, total - a))
    return (a, b, total - a - b), {f"庄{i}": n for i, n in enumerate(strata)}


@st.composite
def huining_evidence(draw: st.DrawFn) -> dict[str, Any]:
    """Valid evidence for all five instruments, as plain values."""
    hv, strata = draw(households())
    return {
        "appraisal": draw(tallies(20)),
        "interview": draw(tallies(15)),
        "household_visit": hv,
        "strata": strata,
        "site_inspection": draw(st.sampled_from(TIERS)),
        # 0.0 to 100.0 in steps of 0.1, exact
        "party_committee": Decimal(draw(st.integers(0, 1000))) / 10,
    }


def huining_subject(
    sid: str, e: dict[str, Any], role: str = "team", facts: dict[str, bool] | None = None
) -> ve.Subject:
    def t(counts: tuple[int, int, int]) -> dict[str, int]:
        return dict(zip(TIERS, counts, strict=True))

    full = {"count": 3, "of": 3}
    return ve.Subject(
        id=sid,
        role=role,
        evidence={
            "appraisal": ve.BallotEvidence(t(e["appraisal"])),
            "interview": ve.BallotEvidence(
                t(e["interview"]), coverage={"包村干部": full, "村干部": full, "驻村工作队员": full}
            ),
            "household_visit": ve.BallotEvidence(t(e["household_visit"]), strata=e["strata"]),
            "site_inspection": ve.RatingEvidence(
                e["site_inspection"], coverage={"乡村建设项目": 1, "人居环境整治": 1, "集体经济项目": 1}
            ),
            "party_committee": ve.ScoreEvidence(e["party_committee"]),
        },
        facts={**dict.fromkeys((*VETOES, "serious_problems"), False), **(facts or {})},
    )


def mean(counts: tuple[int, int, int]) -> Fraction:
    """Σ points × count / Σ count, written out again for the test."""
    return sum((POINTS[t] * n for t, n in zip(TIERS, counts, strict=True)), Fraction(0)) / sum(counts)


def expected_total(e: dict[str, Any]) -> Fraction:
    """Σ weight × sub-score / 100, each sub-score out of 100."""
    sub = {
        "appraisal": mean(e["appraisal"]),
        "interview": mean(e["interview"]),
        "household_visit": mean(e["household_visit"]),
        "site_inspection": POINTS[e["site_inspection"]],
        "party_committee": Fraction(e["party_committee"]),
    }
    return sum((WEIGHTS[k] * sub[k] / 100 for k in WEIGHTS), Fraction(0))


@st.composite
def huining_subjects(draw: st.DrawFn) -> list[ve.Subject]:
    """A few subjects; some vetoed, some with broken evidence (19 raters)."""
    out = []
    for i in range(draw(st.integers(1, 8))):
        e = draw(huining_evidence())
        if draw(st.booleans()) and draw(st.booleans()):
            e["appraisal"] = (19, 0, 0)  # too few raters
        vetoed = draw(st.sampled_from((None, *VETOES))) if draw(st.booleans()) else None
        facts = {vetoed: True} if vetoed else {}
        out.append(huining_subject(f"s{i:02d}", e, draw(st.sampled_from(("team", "member"))), facts))
    return out


# --- the inline schemes: quotas, a veto, a cap --------------------------------------------

GRADES = ("优秀", "称职", "基本称职", "不称职")

BASE = (
    QUOTA_BASE.replace('id = "quota-test"', 'id = "property-test"', 1)
    + """
# Required facts (no default): every drawn secretary records both.
[facts.disciplined]
label = "受到党纪处分"

[facts.admonished]
label = "受到诫勉"

[vetoes.discipline]
clause = "四、1"
text = "受到党纪处分的"
when = { fact = "disciplined" }
grade = "基本称职"

[caps.admonished]
clause = "四、2"
text = "受到诫勉的,不得评为优秀"
when = { fact = "admonished" }
at_most = "称职"
"""
)

SHARES = {"0.2": Fraction(1, 5), "0.3": Fraction(3, 10), "0.4": Fraction(2, 5), "0.5": Fraction(1, 2)}


def at_most(qid: str, grade: str, share: str, count: str, per: bool, base: str) -> str:
    return f"""
[quotas.{qid}]
clause = "五、1"
text = "{grade} at most {share}"
grade = "{grade}"
share = {share}
bound = "at_most"
count = "{count}"
base = "{base}"
{'per = "township"' if per else ""}
"""


@cache
def quota_scheme(top: tuple[str, str, bool, str], mid: tuple[str, str, bool, str]) -> ve.Scheme:
    """Hard at_most quotas on 优秀 and on 称职 (a demotion can cascade)."""
    return ve.loads_scheme(BASE + at_most("top", "优秀", *top) + at_most("mid", "称职", *mid))


@cache
def promoting_scheme() -> ve.Scheme:
    """Hard at_least quotas filling better grades, after a hard at_most on 优秀."""
    return ve.loads_scheme(
        BASE
        + at_most("top", "优秀", "0.2", "floor", False, "all")
        + """
[quotas.fair]
clause = "五、2"
text = "称职 at least 50%"
grade = "称职"
share = 0.5
bound = "at_least"
count = "ceil"
fill_from = "基本称职"

[quotas.excellent]
clause = "五、3"
text = "优秀 at least 20%"
grade = "优秀"
share = 0.2
bound = "at_least"
count = "ceil"
fill_from = "称职"
"""
    )


quota_params = st.tuples(
    st.sampled_from(sorted(SHARES)),
    st.sampled_from(("floor", "ceil")),
    st.booleans(),
    st.sampled_from(("all", "graded")),
)


@st.composite
def secretaries(draw: st.DrawFn, max_size: int = 14) -> list[ve.Subject]:
    """Secretaries in two townships; scores from a small set so ties are common."""
    out = []
    for i in range(draw(st.integers(0, max_size))):
        score = draw(st.one_of(st.none(), st.sampled_from((50, 62, 65, 70, 75, 80, 88, 90, 92, 95, 99))))
        out.append(
            ve.Subject(
                id=f"v{i:02d}",
                role="secretary",
                groups={"township": draw(st.sampled_from(("甲乡", "乙乡")))},
                evidence={"committee": ve.ScoreEvidence(score)} if score is not None else {},
                facts={"disciplined": draw(st.booleans()), "admonished": draw(st.booleans())},
            )
        )
    return out


# --- (a) order ------------------------------------------------------------------------------


class TestOrder:
    """The order of the cohort's subjects never changes the result."""

    @given(data=st.data())
    def test_huining(self, huining: ve.Scheme, data: st.DataObject) -> None:
        """Shuffled huining cohorts (with vetoes and broken evidence) give the same result."""
        subjects = data.draw(huining_subjects())
        other = data.draw(st.permutations(subjects))
        a = ve.evaluate(huining, ve.Cohort(subjects))
        b = ve.evaluate(huining, ve.Cohort(other))
        assert _graded(a) == _graded(b)

    @given(data=st.data(), top=quota_params, mid=quota_params)
    def test_quotas(
        self, data: st.DataObject, top: tuple[str, str, bool, str], mid: tuple[str, str, bool, str]
    ) -> None:
        """Shuffled cohorts under cascading quotas (ties settled by id) give the same result."""
        s = quota_scheme(top, mid)
        subjects = data.draw(secretaries())
        other = data.draw(st.permutations(subjects))
        assert _graded(ve.evaluate(s, ve.Cohort(subjects))) == _graded(ve.evaluate(s, ve.Cohort(other)))

    @given(data=st.data())
    def test_promotions(self, data: st.DataObject) -> None:
        """The same for at_least quotas that promote the next in line."""
        s = promoting_scheme()
        subjects = data.draw(secretaries())
        other = data.draw(st.permutations(subjects))
        assert _graded(ve.evaluate(s, ve.Cohort(subjects))) == _graded(ve.evaluate(s, ve.Cohort(other)))


# --- (b) monotonicity ------------------------------------------------------------------------


class TestMonotone:
    """One ballot moved to a better tier never lowers the score nor the grade."""

    @given(
        e=huining_evidence(),
        instrument=st.sampled_from(("appraisal", "interview", "household_visit")),
        pair=st.sampled_from(((1, 0), (2, 0), (2, 1))),  # (from, to): 一般→好, 差→好, 差→一般
    )
    def test_better_ballot(self, huining: ve.Scheme, e: dict[str, Any], instrument: str, pair: tuple[int, int]) -> None:
        """Score and final grade are no worse after moving one ballot up (no quota, no veto)."""
        src, dst = pair
        counts = list(e[instrument])
        assume(counts[src] > 0)
        before = e
        counts[src] -= 1
        counts[dst] += 1
        after = {**e, instrument: tuple(counts)}
        result = ve.evaluate(huining, ve.Cohort([huining_subject("a", before)]), trace=False)
        o1 = result.outcome("a")
        o2 = ve.evaluate(huining, ve.Cohort([huining_subject("a", after)]), trace=False).outcome("a")
        assert ("graded", "graded") == (o1.status, o2.status)
        assert () == result.populations  # no quota acts
        assert o1.adjustments == o2.adjustments == ()  # no veto acts
        assert o2.score >= o1.score  # type: ignore[operator]
        assert HUINING_GRADES.index(o2.final_grade) <= HUINING_GRADES.index(o1.final_grade)

    @given(e=huining_evidence())
    def test_better_site_tier(self, huining: ve.Scheme, e: dict[str, Any]) -> None:
        """The same for the site inspection's rating moved one tier up."""
        i = TIERS.index(e["site_inspection"])
        better = {**e, "site_inspection": TIERS[max(i - 1, 0)]}
        o1 = ve.evaluate(huining, ve.Cohort([huining_subject("a", e)]), trace=False).outcome("a")
        o2 = ve.evaluate(huining, ve.Cohort([huining_subject("a", better)]), trace=False).outcome("a")
        assert o2.score >= o1.score  # type: ignore[operator]
        assert HUINING_GRADES.index(o2.final_grade) <= HUINING_GRADES.index(o1.final_grade)


# --- (c) exact arithmetic ----------------------------------------------------------------------


class TestExactTotal:
    """The engine's total equals Σ weight × mean points / 100 computed here."""

    @given(e=huining_evidence())
    def test_total(self, huining: ve.Scheme, e: dict[str, Any]) -> None:
        """Total, rounded total (half-up to a whole point) and band, recomputed independently."""
        o = ve.evaluate(huining, ve.Cohort([huining_subject("a", e)]), trace=False).outcome("a")
        total = expected_total(e)
        rounded = floor(total + Fraction(1, 2))  # half-up; totals are never negative
        grade = "好" if rounded >= 85 else "一般" if rounded >= 66 else "差"
        assert (total, Fraction(rounded), grade) == (o.score, o.rounded_score, o.final_grade)

    @given(e=huining_evidence())
    def test_sub_scores(self, huining: ve.Scheme, e: dict[str, Any]) -> None:
        """Each ballot sub-score is the exact mean of its ballots' points."""
        o = ve.evaluate(huining, ve.Cohort([huining_subject("a", e)]), trace=False).outcome("a")
        assert {
            "appraisal": mean(e["appraisal"]),
            "interview": mean(e["interview"]),
            "household_visit": mean(e["household_visit"]),
            "site_inspection": POINTS[e["site_inspection"]],
            "party_committee": Fraction(e["party_committee"]),
        } == dict(o.instrument_scores)


# --- (d) hard at_most quotas ---------------------------------------------------------------------


class TestAtMost:
    """A hard at_most quota is never exceeded in any population."""

    @given(subjects=secretaries(), top=quota_params, mid=quota_params)
    def test_never_exceeded(
        self, subjects: list[ve.Subject], top: tuple[str, str, bool, str], mid: tuple[str, str, bool, str]
    ) -> None:
        """For each quota and township (or the whole cohort): holders ≤ share × size, floored or ceiled."""
        result = ve.evaluate(quota_scheme(top, mid), ve.Cohort(subjects), trace=False)
        outcomes = {o.subject_id: o for o in result}
        for grade, (share, count, per, base) in (("优秀", top), ("称职", mid)):
            groups: dict[str | None, list[ve.Subject]] = {}
            for s in subjects:
                groups.setdefault(s.groups["township"] if per else None, []).append(s)
            for members in groups.values():
                graded = [outcomes[s.id] for s in members if outcomes[s.id].status == "graded"]
                size = len(members) if base == "all" else len(graded)
                exact = SHARES[share] * size
                limit = floor(exact) if count == "floor" else ceil(exact)
                holders = sum(1 for o in graded if o.final_grade == grade)
                assert holders <= limit, (grade, share, count, per, base)

    @given(subjects=secretaries(), top=quota_params, mid=quota_params)
    def test_only_demotes(
        self, subjects: list[ve.Subject], top: tuple[str, str, bool, str], mid: tuple[str, str, bool, str]
    ) -> None:
        """At_most quotas never improve a grade: final is no better than after vetoes and caps."""
        result = ve.evaluate(quota_scheme(top, mid), ve.Cohort(subjects), trace=False)
        for o in result:
            for a in o.adjustments:
                if a.kind == "quota":
                    assert GRADES.index(a.to_grade) == GRADES.index(a.from_grade) + 1


# --- (e) vetoes -------------------------------------------------------------------------------------


class TestVeto:
    """A vetoed subject is never better than the veto's grade; a capped one than its cap."""

    @given(subjects=secretaries())
    def test_with_promoting_quotas(self, subjects: list[ve.Subject]) -> None:
        """at_least quotas fill 称职 and 优秀 from below; the vetoed stay at 基本称职 or worse."""
        result = ve.evaluate(promoting_scheme(), ve.Cohort(subjects), trace=False)
        facts = {s.id: s.facts for s in subjects}
        for o in result:
            if o.status != "graded":
                continue
            rank = GRADES.index(o.final_grade)
            if facts[o.subject_id]["disciplined"]:
                assert rank >= GRADES.index("基本称职")
            if facts[o.subject_id]["admonished"]:
                assert rank >= GRADES.index("称职")

    @given(subjects=secretaries(), top=quota_params, mid=quota_params)
    def test_with_demoting_quotas(
        self, subjects: list[ve.Subject], top: tuple[str, str, bool, str], mid: tuple[str, str, bool, str]
    ) -> None:
        """The same under at_most quotas."""
        result = ve.evaluate(quota_scheme(top, mid), ve.Cohort(subjects), trace=False)
        facts = {s.id: s.facts for s in subjects}
        for o in result:
            if o.status == "graded" and facts[o.subject_id]["disciplined"]:
                assert GRADES.index(o.final_grade) >= GRADES.index("基本称职")

    @given(e=huining_evidence(), veto=st.sampled_from(VETOES))
    def test_huining(self, huining: ve.Scheme, e: dict[str, Any], veto: str) -> None:
        """Under huining every veto gives 差, whatever the score."""
        o = ve.evaluate(huining, ve.Cohort([huining_subject("a", e, facts={veto: True})]), trace=False).outcome("a")
        assert ("graded", "差") == (o.status, o.final_grade)


def _graded(result: ve.Result, *, trace: bool = True) -> dict[str, Any]:
    """A result's JSON without what identifies the evaluation (decision id, time) and the
    cohort (its hash): what two evaluations of differently ordered cohorts share."""
    data = ve.result_to_dict(result, trace=trace)
    for key in ("decision_id", "evaluated_at", "cohort_hash"):
        del data["audit"][key]
    return data
