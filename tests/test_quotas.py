"""Quotas, caps from other assessments and streaks, on small inline schemes.

Every scheme here has one instrument, the committee's direct score out of 100 with
weight 100, and no rounding, so a subject's total *is* its committee score
(total = score × 100/100). The grade bands are:

    优秀 ≥ 90;  称职 70 ≤ t < 90;  基本称职 60 ≤ t < 70;  不称职 < 60

Each test adds the rules it needs to that base, and every expected number is
worked out by hand in a comment next to it.
"""

from __future__ import annotations

from typing import Any

import pytest

import villageeval as ve

BASE = """
id = "quota-test"
title = "村党组织书记年度考核(测试)"
period = "2024"

[locality]
name = "某县某乡"

[source]
document = "某组发〔2024〕1号"

[roles.secretary]
label = "村党组织书记"

[scales.grade]
tiers = ["优秀", "称职", "基本称职", "不称职"]

[instruments.committee]
kind = "score"
title = "乡党委评价"
clause = "三、1"
min = 0
max = 100

[weightings.main]
clause = "三、2"
total = 100
weights = { committee = 100 }

[gradings.main]
kind = "bands"
clause = "三、3"
scale = "grade"
bands = [
  { grade = "优秀", at_least = 90 },
  { grade = "称职", at_least = 70, below = 90 },
  { grade = "基本称职", at_least = 60, below = 70 },
  { grade = "不称职", below = 60 },
]
"""


#: A number fact, required (no default): every subject ranked by it must give it.
COMPLAINTS = """
[facts.complaints]
label = "群众投诉件数"
type = "number"
source = "乡信访办"
"""


def scheme(*rules: str) -> ve.Scheme:
    """The base scheme with the given TOML rules appended."""
    return ve.loads_scheme(BASE + "\n".join(rules))


def quota(
    qid: str = "top",
    *,
    grade: str = "优秀",
    share: str = "0.4",
    bound: str = "at_most",
    count: str = "floor",
    clause: str = "四、1",
    extra: str = "",
) -> str:
    """One [quotas.<qid>] table."""
    return f"""
[quotas.{qid}]
clause = "{clause}"
text = "{grade} {bound} {share}"
grade = "{grade}"
share = {share}
bound = "{bound}"
count = "{count}"
{extra}
"""


def sub(
    sid: str,
    score: int | None,
    *,
    township: str | None = None,
    facts: dict[str, Any] | None = None,
    history: dict[str, str] | None = None,
    outcomes: dict[str, str] | None = None,
) -> ve.Subject:
    """A secretary whose committee score is ``score`` (None: no evidence at all)."""
    return ve.Subject(
        id=sid,
        role="secretary",
        groups={"township": township} if township else {},
        evidence={"committee": ve.ScoreEvidence(score)} if score is not None else {},
        facts=facts or {},
        history=history or {},
        outcomes=outcomes or {},
    )


def run(s: ve.Scheme, *subjects: ve.Subject, period: str = "") -> ve.Result:
    return ve.evaluate(s, ve.Cohort(subjects, period=period))


def grades(result: ve.Result) -> dict[str, str | None]:
    return {o.subject_id: o.final_grade for o in result}


def adjustments(o: ve.Outcome) -> list[tuple[str, str, str, str, str]]:
    return [(a.rule, a.kind, a.clause, a.from_grade, a.to_grade) for a in o.adjustments]


def usage(result: ve.Result, qid: str) -> list[tuple[Any, ...]]:
    """(group, size, limit, before, after, moved, ties, status) per population of a quota."""
    return [
        (p.group, p.size, p.limit, p.holders_before, p.holders_after, p.moved, p.ties, p.status)
        for p in result.populations
        if p.quota == qid
    ]


class TestAtMostFloor:
    """An at_most quota counted with floor (不得超过)."""

    def test_overflow_demoted(self) -> None:
        """40% of 7 = 2.8 → floor 2: of five 优秀 (99 97 95 93 91) the top two stay."""
        r = run(
            scheme(quota()),
            sub("a", 99),
            sub("b", 97),
            sub("c", 95),
            sub("d", 93),
            sub("e", 91),
            sub("f", 80),
            sub("g", 75),
        )
        assert {
            "a": "优秀",
            "b": "优秀",
            "c": "称职",
            "d": "称职",
            "e": "称职",
            "f": "称职",
            "g": "称职",
        } == grades(r)
        # size 7, limit 2, 5 held 优秀 before and 2 after; c d e moved, no tie.
        assert [(None, 7, 2, 5, 2, ("c", "d", "e"), (), "demoted")] == usage(r, "top")

    def test_adjustment_cites_rule_and_clause(self) -> None:
        """The demoted subject's adjustment names the quota, its clause and both grades."""
        r = run(scheme(quota()), sub("a", 99), sub("b", 97), sub("c", 95), sub("d", 50), sub("e", 50))
        # 40% of 5 = 2 → a (99) and b (97) keep 优秀; c (95) drops to the next grade, 称职.
        o = r.outcome("c")
        assert ("优秀", "称职") == (o.raw_grade, o.final_grade)
        assert [("top", "quota", "四、1", "优秀", "称职")] == adjustments(o)
        assert any(s.step == "quota" and s.rule == "top" and s.clause == "四、1" for s in o.trace)
        assert [] == adjustments(r.outcome("a"))

    def test_within_limit_is_ok(self) -> None:
        """40% of 5 = 2 and only 2 hold 优秀: nothing moves."""
        r = run(scheme(quota()), sub("a", 99), sub("b", 90), sub("c", 89), sub("d", 70), sub("e", 10))
        assert [(None, 5, 2, 2, 2, (), (), "ok")] == usage(r, "top")
        assert () == r.warnings

    def test_exact_share_is_not_rounded_down_further(self) -> None:
        """50% of 6 = 3 exactly: floor(3) = 3, so three of four 优秀 keep it."""
        r = run(
            scheme(quota(share="0.5")),
            sub("a", 99),
            sub("b", 98),
            sub("c", 97),
            sub("d", 96),
            sub("e", 50),
            sub("f", 50),
        )
        assert [(None, 6, 3, 4, 3, ("d",), (), "demoted")] == usage(r, "top")


class TestTie:
    """A tie at the cut is settled by subject id and flagged for the committee."""

    SUBJECTS = (
        # 40% of 7 = 2.8 → 2. 99 is first; b, c and d tie on 95 for the one place left.
        ("a", 99),
        ("b", 95),
        ("c", 95),
        ("d", 95),
        ("e", 80),
        ("f", 75),
        ("g", 70),
    )

    def test_settled_by_id(self) -> None:
        """Of b, c, d (all 95) b keeps 优秀 by id; c and d are demoted."""
        r = run(scheme(quota()), *(sub(i, v) for i, v in self.SUBJECTS))
        assert ("优秀", "优秀", "称职", "称职") == tuple(grades(r)[k] for k in "abcd")
        assert [(None, 7, 2, 4, 2, ("c", "d"), ("b", "c", "d"), "demoted")] == usage(r, "top")

    def test_flagged(self) -> None:
        """Each tied subject (and only they) carries quota_tie:top; one warning names them."""
        r = run(scheme(quota()), *(sub(i, v) for i, v in self.SUBJECTS))
        flagged = {o.subject_id for o in r if "quota_tie:top" in o.flags}
        assert {"b", "c", "d"} == flagged
        tie_warnings = [w for w in r.warnings if "tie at the cut" in w]
        assert 1 == len(tie_warnings)
        assert "b, c, d" in tie_warnings[0]

    def test_input_order_does_not_matter(self) -> None:
        """Reversed input: still b keeps 优秀 (the id decides, not the position)."""
        s = scheme(quota())
        forward = run(s, *(sub(i, v) for i, v in self.SUBJECTS))
        backward = run(s, *(sub(i, v) for i, v in reversed(self.SUBJECTS)))
        assert _graded(forward) == _graded(backward)
        assert "优秀" == backward.outcome("b").final_grade

    def test_no_tie_when_scores_differ_at_the_cut(self) -> None:
        """99, 96, 95: the cut after 96 separates different scores; no flag."""
        r = run(scheme(quota()), sub("a", 99), sub("b", 96), sub("c", 95), sub("d", 10), sub("e", 10))
        # 40% of 5 = 2: a, b keep; c demoted; nobody tied.
        assert [(None, 5, 2, 3, 2, ("c",), (), "demoted")] == usage(r, "top")
        assert not any(f.startswith("quota_tie") for o in r for f in o.flags)


class TestAtMostCeil:
    """An at_most quota counted with ceil."""

    def test_ceil(self) -> None:
        """40% of 7 = 2.8 → ceil 3: of five 优秀 the top three stay."""
        r = run(
            scheme(quota(count="ceil")),
            sub("a", 99),
            sub("b", 97),
            sub("c", 95),
            sub("d", 93),
            sub("e", 91),
            sub("f", 80),
            sub("g", 75),
        )
        assert [(None, 7, 3, 5, 3, ("d", "e"), (), "demoted")] == usage(r, "top")
        assert ("优秀", "称职") == (r.outcome("c").final_grade, r.outcome("d").final_grade)


class TestPer:
    """A ``per`` quota counts each township separately."""

    def test_each_township_its_own_limit(self) -> None:
        """甲乡 5 subjects: 40% of 5 = 2; 乙乡 3 subjects: 40% of 3 = 1.2 → 1."""
        s = scheme(quota(extra='per = "township"'))
        r = run(
            s,
            # 甲乡: all five 优秀 (99 98 97 96 95); a1, a2 keep.
            sub("a1", 99, township="甲乡"),
            sub("a2", 98, township="甲乡"),
            sub("a3", 97, township="甲乡"),
            sub("a4", 96, township="甲乡"),
            sub("a5", 95, township="甲乡"),
            # 乙乡: all three 优秀 but lower than every 甲乡 score (93 92 91); b1 keeps.
            sub("b1", 93, township="乙乡"),
            sub("b2", 92, township="乙乡"),
            sub("b3", 91, township="乙乡"),
        )
        assert [
            ("乙乡", 3, 1, 3, 1, ("b2", "b3"), (), "demoted"),
            ("甲乡", 5, 2, 5, 2, ("a3", "a4", "a5"), (), "demoted"),
        ] == sorted(usage(r, "top"))
        # b1 (93) keeps 优秀 though a3 (97) in the other township loses it.
        assert ("优秀", "称职") == (r.outcome("b1").final_grade, r.outcome("a3").final_grade)

    def test_note_names_the_township(self) -> None:
        """The demotion note says which population it was counted in."""
        s = scheme(quota(extra='per = "township"'))
        r = run(s, sub("a1", 99, township="甲乡"), sub("a2", 98, township="甲乡"))
        # 40% of 2 = 0.8 → 0: both are demoted, a1 too.
        assert ("称职", "称职") == (r.outcome("a1").final_grade, r.outcome("a2").final_grade)
        assert "甲乡" in r.outcome("a1").adjustments[0].note


class TestBase:
    """``base`` says whether subjects without a grade count in the population."""

    SUBJECTS = (("a", 99), ("b", 98), ("c", 97), ("d", 96), ("e", 95), ("x", None), ("y", None), ("z", None))

    def test_all(self) -> None:
        """base = all: 8 subjects, 40% of 8 = 3.2 → 3 of the five 优秀 stay."""
        r = run(scheme(quota(extra='base = "all"')), *(sub(i, v) for i, v in self.SUBJECTS))
        assert [(None, 8, 3, 5, 3, ("d", "e"), (), "demoted")] == usage(r, "top")

    def test_graded(self) -> None:
        """base = graded: x, y, z have no evidence, so 5 count; 40% of 5 = 2 stay."""
        r = run(scheme(quota(extra='base = "graded"')), *(sub(i, v) for i, v in self.SUBJECTS))
        assert [(None, 5, 2, 5, 2, ("c", "d", "e"), (), "demoted")] == usage(r, "top")
        assert {"insufficient_evidence"} == {r.outcome(k).status for k in "xyz"}
        assert {None} == {r.outcome(k).final_grade for k in "xyz"}

    def test_default_is_all(self) -> None:
        """No base given: the same as base = all (3 stay)."""
        r = run(scheme(quota()), *(sub(i, v) for i, v in self.SUBJECTS))
        assert 3 == usage(r, "top")[0][2]


class TestSoft:
    """A soft quota (原则上) warns and changes nothing."""

    def test_warns_only(self) -> None:
        """40% of 5 = 2 but four hold 优秀: status warned, grades kept, no adjustments."""
        r = run(
            scheme(quota(extra='enforce = "soft"')),
            sub("a", 99),
            sub("b", 97),
            sub("c", 95),
            sub("d", 93),
            sub("e", 50),
        )
        assert {"a": "优秀", "b": "优秀", "c": "优秀", "d": "优秀", "e": "不称职"} == grades(r)
        assert [(None, 5, 2, 4, 4, (), (), "warned")] == usage(r, "top")
        assert all(o.adjustments == () for o in r)
        assert 1 == len(r.warnings)
        assert "soft" in r.warnings[0]

    def test_soft_at_least_warns_only(self) -> None:
        """At least 20% of 5 = 1 不称职 (ceil), none hold it: warned, nobody moved."""
        q = quota(
            "bottom",
            grade="不称职",
            share="0.2",
            bound="at_least",
            count="ceil",
            extra='enforce = "soft"\nfill_from = "基本称职"',
        )
        r = run(scheme(q), sub("a", 99), sub("b", 80), sub("c", 65), sub("d", 62), sub("e", 61))
        assert [(None, 5, 1, 0, 0, (), (), "warned")] == usage(r, "bottom")
        assert "基本称职" == r.outcome("e").final_grade
        assert 1 == len(r.warnings)


class TestCascade:
    """Demotion into a grade with its own at_most quota cascades."""

    def test_two_quotas(self) -> None:
        """优秀 ≤ 20%, 称职 ≤ 40% of 5; the 称职 quota is listed first in the file.

        优秀: 20% of 5 = 1 → a (99) keeps; b (98), c (97), d (96) drop to 称职.
        称职 now holds b, c, d and e (80): 40% of 5 = 2 → b, c keep (ranked by total);
        d (96) and e (80) drop to 基本称职. d was demoted twice.
        """
        s = scheme(
            quota("mid", grade="称职", share="0.4", clause="四、2"),
            quota("top", grade="优秀", share="0.2", clause="四、1"),
        )
        r = run(s, sub("a", 99), sub("b", 98), sub("c", 97), sub("d", 96), sub("e", 80))
        assert {"a": "优秀", "b": "称职", "c": "称职", "d": "基本称职", "e": "基本称职"} == grades(r)
        assert [("top", "quota", "四、1", "优秀", "称职"), ("mid", "quota", "四、2", "称职", "基本称职")] == (
            adjustments(r.outcome("d"))
        )
        assert [("mid", "quota", "四、2", "称职", "基本称职")] == adjustments(r.outcome("e"))
        assert [(None, 5, 1, 4, 1, ("b", "c", "d"), (), "demoted")] == usage(r, "top")
        assert [(None, 5, 2, 4, 2, ("d", "e"), (), "demoted")] == usage(r, "mid")
        # The 优秀 quota is applied first, whatever the file order.
        assert ["top", "mid"] == [p.quota for p in r.populations]


class TestAtLeast:
    """An at_least quota fills its grade from the next in line."""

    @staticmethod
    def worst(extra: str = "") -> str:
        # 确定不少于10%的村为重点整顿村: at least 10%, counted with ceil.
        return quota(
            "rectify",
            grade="不称职",
            share="0.1",
            bound="at_least",
            count="ceil",
            clause="五、1",
            extra='fill_from = "基本称职"\n' + extra,
        )

    ELEVEN = (
        # 11 subjects; 10% of 11 = 1.1 → ceil 2 must hold 不称职. Only k (50) does.
        ("a", 99),
        ("b", 95),
        ("c", 88),
        ("d", 85),
        ("e", 80),
        ("f", 75),
        ("g", 68),
        ("h", 65),
        ("i", 62),
        ("j", 61),
        ("k", 50),
    )

    def test_fill_worse_grade_worst_first(self) -> None:
        """One more 不称职 is needed: the worst 基本称职, j (61), not g (68)."""
        r = run(scheme(self.worst()), *(sub(i, v) for i, v in self.ELEVEN))
        assert [(None, 11, 2, 1, 2, ("j",), (), "promoted")] == usage(r, "rectify")
        o = r.outcome("j")
        assert ("基本称职", "不称职") == (o.raw_grade, o.final_grade)
        assert [("rectify", "quota", "五、1", "基本称职", "不称职")] == adjustments(o)
        assert "基本称职" == r.outcome("i").final_grade

    def test_fill_worse_grade_two_needed(self) -> None:
        """Without k: 10% of 10 = 1 (ceil of exactly 1 is 1); j (61) is taken."""
        r = run(scheme(self.worst()), *(sub(i, v) for i, v in self.ELEVEN[:-1]))
        assert [(None, 10, 1, 0, 1, ("j",), (), "promoted")] == usage(r, "rectify")

    def test_fill_better_grade_best_first(self) -> None:
        """At least 20% of 5 = 1 优秀, from 称职: the best 称职, b (88), goes up."""
        q = quota("excellent", grade="优秀", share="0.2", bound="at_least", count="ceil", extra='fill_from = "称职"')
        r = run(scheme(q), sub("a", 75), sub("b", 88), sub("c", 85), sub("d", 72), sub("e", 50))
        assert [(None, 5, 1, 0, 1, ("b",), (), "promoted")] == usage(r, "excellent")
        assert [("excellent", "quota", "四、1", "称职", "优秀")] == adjustments(r.outcome("b"))

    def test_rank_by_fact_lower_is_better(self) -> None:
        """Ranked by complaints (fewer is better): the one with most complaints is taken.

        10% of 11 → 2 不称职; k holds it; of 基本称职 g (68, 9 complaints), h (65, 1),
        i (62, 0), j (61, 3) the worst ranked is g with 9 complaints, despite its score.
        """
        extra = 'rank_by = [{ fact = "complaints", better = "lower" }]'
        complaints = {"g": 9, "h": 1, "i": 0, "j": 3}
        r = run(
            scheme(self.worst(extra), COMPLAINTS),
            *(sub(i, v, facts={"complaints": complaints.get(i, 0)}) for i, v in self.ELEVEN),
        )
        assert [(None, 11, 2, 1, 2, ("g",), (), "promoted")] == usage(r, "rectify")
        assert "基本称职" == r.outcome("j").final_grade

    def test_rank_fact_not_a_number(self) -> None:
        """complaints = "none" cannot be ranked: that subject is bad evidence, not silently last.

        h is left out of the quota (insufficient evidence); base all still counts it:
        10% of 11 → 2; k holds 不称职; of g (68, 9), i (62, 0), j (61, 3) g goes.
        """
        extra = 'rank_by = [{ fact = "complaints", better = "lower" }]'
        complaints: dict[str, Any] = {"g": 9, "h": "none", "i": 0, "j": 3}
        r = run(
            scheme(self.worst(extra), COMPLAINTS),
            *(sub(i, v, facts={"complaints": complaints.get(i, 0)}) for i, v in self.ELEVEN),
        )
        o = r.outcome("h")
        assert ("insufficient_evidence", ["invalid_fact"]) == (o.status, [x.code for x in o.reasons])
        assert [(None, 11, 2, 1, 2, ("g",), (), "promoted")] == usage(r, "rectify")

    def test_tie_at_the_fill_cut(self) -> None:
        """i and j both 61 (tied worst): settled by id, i first; both flagged."""
        subjects = [(k, 61 if k in "ij" else v) for k, v in self.ELEVEN]
        r = run(scheme(self.worst()), *(sub(i, v) for i, v in subjects))
        assert [(None, 11, 2, 1, 2, ("i",), ("i", "j"), "promoted")] == usage(r, "rectify")
        assert {"i", "j"} == {o.subject_id for o in r if "quota_tie:rectify" in o.flags}

    def test_ceiling_respected(self) -> None:
        """b (88) is capped at 称职, so the next in line, c (85), is promoted to 优秀."""
        cap = """
[facts.admonished]
label = "受到诫勉"
default = false   # only b records it: the others were not admonished

[caps.warned]
clause = "四、3"
text = "受到诫勉的,不得评为优秀"
when = { fact = "admonished" }
at_most = "称职"
"""
        q = quota("excellent", grade="优秀", share="0.2", bound="at_least", count="ceil", extra='fill_from = "称职"')
        r = run(
            scheme(q, cap),
            sub("a", 75),
            sub("b", 88, facts={"admonished": True}),
            sub("c", 85),
            sub("d", 72),
            sub("e", 50),
        )
        # 20% of 5 = 1 → one 优秀 needed; b is skipped, c goes up.
        assert [(None, 5, 1, 0, 1, ("c",), (), "promoted")] == usage(r, "excellent")
        assert ("称职", ("cap:warned",)) == (r.outcome("b").final_grade, r.outcome("b").flags)

    def test_vetoed_never_promoted(self) -> None:
        """A veto to 基本称职 is a ceiling: the vetoed subject is not filled into 称职."""
        veto = """
[facts.disciplined]
label = "受到党纪处分"
default = false   # only z records it: the others were not disciplined

[vetoes.discipline]
clause = "四、4"
text = "受到党纪处分的"
when = { fact = "disciplined" }
grade = "基本称职"
"""
        q = quota("fair", grade="称职", share="0.4", bound="at_least", count="ceil", extra='fill_from = "基本称职"')
        # z (95) is vetoed to 基本称职; 40% of 5 = 2 称职 are needed, none hold it.
        # Pool (基本称职, ceiling allows 称职): y (69), x (65), w (60); z is not in it.
        r = run(
            scheme(q, veto),
            sub("z", 95, facts={"disciplined": True}),
            sub("y", 69),
            sub("x", 65),
            sub("w", 60),
            sub("v", 10),
        )
        assert [(None, 5, 2, 0, 2, ("y", "x"), (), "promoted")] == usage(r, "fair")
        assert "基本称职" == r.outcome("z").final_grade

    def test_unmet(self) -> None:
        """At least 40% of 5 = 2 优秀, only one 称职 to fill from: status unmet, warning."""
        q = quota("excellent", grade="优秀", share="0.4", bound="at_least", count="ceil", extra='fill_from = "称职"')
        r = run(scheme(q), sub("a", 80), sub("b", 65), sub("c", 60), sub("d", 50), sub("e", 40))
        # a (80) is the only 称职: promoted; one 优秀 is still missing.
        assert [(None, 5, 2, 0, 1, ("a",), (), "unmet")] == usage(r, "excellent")
        assert 1 == len(r.warnings)
        assert "needs at least 2 of 5" in r.warnings[0]


class TestStreak:
    """A consequence on two 不称职 years in a row (连续两年不称职)."""

    RULE = """
[consequences.dismiss]
clause = "六、1"
text = "连续两年考核为不称职的,按程序劝其辞职"
when = { streak = "不称职", periods = 2 }
"""

    def run(self, *subjects: ve.Subject) -> ve.Result:
        return run(scheme(self.RULE), *subjects, period="2024")

    @staticmethod
    def fired(o: ve.Outcome) -> bool:
        return [("dismiss", "六、1")] == [(c.rule, c.clause) for c in o.consequences]

    def test_two_years(self) -> None:
        """2024: 50 → 不称职; 2023: 不称职 → the consequence applies."""
        r = self.run(sub("a", 50, history={"2023": "不称职"}))
        assert self.fired(r.outcome("a"))

    def test_gap_breaks_the_streak(self) -> None:
        """2024 不称职, 2023 missing, 2022 不称职: not two years in a row."""
        r = self.run(sub("a", 50, history={"2022": "不称职"}))
        assert () == r.outcome("a").consequences

    def test_previous_year_better(self) -> None:
        """2023 基本称职, 2024 不称职: no streak."""
        r = self.run(sub("a", 50, history={"2023": "基本称职", "2022": "不称职"}))
        assert () == r.outcome("a").consequences

    def test_current_year_better(self) -> None:
        """2023 不称职 but 2024 is 65 → 基本称职: no streak."""
        r = self.run(sub("a", 65, history={"2023": "不称职"}))
        assert () == r.outcome("a").consequences

    def test_streak_sees_the_final_grade(self) -> None:
        """A quota demotion into 不称职 counts for the streak (consequences follow quotas).

        10% of 2 = 0.2 → ceil 1 不称职 needed; b (61) is the worse of the two 基本称职.
        """
        q = quota(
            "rectify", grade="不称职", share="0.1", bound="at_least", count="ceil", extra='fill_from = "基本称职"'
        )
        r = run(
            scheme(self.RULE, q),
            sub("a", 65, history={"2023": "不称职"}),
            sub("b", 61, history={"2023": "不称职"}),
            period="2024",
        )
        assert (False, True) == (self.fired(r.outcome("a")), self.fired(r.outcome("b")))


class TestOutcomeCap:
    """A cap from another assessment's outcome: review worse than 好 → at most 称职."""

    RULES = """
[scales.four]
tiers = ["好", "较好", "一般", "差"]

[caps.review]
clause = "四、5"
text = "述职评议未达到“好”的,不得评为优秀"
when = { outcome = "review", scale = "four", worse_than = "好" }
at_most = "称职"
"""

    def test_capped(self) -> None:
        """95 → 优秀, review 较好 (worse than 好) → 称职, with a cap adjustment."""
        r = run(scheme(self.RULES), sub("a", 95, outcomes={"review": "较好"}))
        o = r.outcome("a")
        assert ("优秀", "称职") == (o.raw_grade, o.final_grade)
        assert [("review", "cap", "四、5", "优秀", "称职")] == adjustments(o)
        assert ("cap:review",) == o.flags

    def test_review_good_not_capped(self) -> None:
        """Review 好 is not worse than 好: 95 stays 优秀."""
        r = run(scheme(self.RULES), sub("a", 95, outcomes={"review": "好"}))
        assert ("优秀", ()) == (r.outcome("a").final_grade, r.outcome("a").adjustments)

    def test_already_below_the_cap(self) -> None:
        """80 → 称职 with review 差: the cap applies (flag) but changes nothing."""
        r = run(scheme(self.RULES), sub("a", 80, outcomes={"review": "差"}))
        o = r.outcome("a")
        assert ("称职", (), ("cap:review",)) == (o.final_grade, o.adjustments, o.flags)

    def test_unknown_review_grade_is_insufficient(self) -> None:
        """A review grade not on the four-tier scale is bad evidence, not a pass."""
        r = run(scheme(self.RULES), sub("a", 95, outcomes={"review": "优秀"}))
        o = r.outcome("a")
        assert ("insufficient_evidence", ["invalid_outcome"]) == (o.status, [x.code for x in o.reasons])


@pytest.mark.parametrize("count", ["floor", "ceil"])
def test_quota_table_round_trip(count: str) -> None:
    """The quota as written is the quota as loaded (share exact, count as given)."""
    from fractions import Fraction

    q = scheme(quota(count=count)).quotas["top"]
    assert ("优秀", Fraction(2, 5), "at_most", count, "hard", "all") == (
        q.grade,
        q.share,
        q.bound,
        q.count,
        q.enforce,
        q.base,
    )


def _graded(result: ve.Result, *, trace: bool = True) -> dict[str, Any]:
    """A result's JSON without what identifies the evaluation (decision id, time) and the
    cohort (its hash): what two evaluations of differently ordered cohorts share."""
    data = ve.result_to_dict(result, trace=trace)
    for key in ("decision_id", "evaluated_at", "cohort_hash"):
        del data["audit"][key]
    return data
