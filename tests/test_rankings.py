"""Rankings (``[rankings.<id>]``, the ``rank`` predicate) and quotas by number, on small inline schemes.

The base is tests/test_quotas.py's: one committee score out of 100, weight 100, no
rounding, so a subject's total *is* its committee score; 优秀 ≥ 90, 称职 70–90,
基本称职 60–70, 不称职 < 60. Every expected place is worked out by hand in a comment:
places count from 1 for the highest total, subjects equal on every key share a place
and the next place skips as many (90, 85, 85, 70 → 1, 2, 2, 4).
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_quotas import COMPLAINTS, quota, run, scheme, sub

import villageeval as ve

RANK_TOTAL = """
[rankings.order]
clause = "五"
text = "综合排名"
"""

RANK_PER_TOWNSHIP = """
[rankings.town_order]
clause = "五"
text = "各乡镇分别排名"
per = "township"
"""


def places(result: ve.Result, rid: str) -> dict[str, tuple[int, int, tuple[str, ...]]]:
    """Subject → (place, of, tied_with) in ranking ``rid``, for the subjects it placed."""
    return {o.subject_id: (p.place, p.of, p.tied_with) for o in result for rid_, p in o.rank.items() if rid_ == rid}


class TestPlaces:
    def test_shared_place_skips(self) -> None:
        """90, 85, 85, 70, 55 → 1, 2, 2, 4, 5 of 5; the two 85s are tied and flagged."""
        result = run(scheme(RANK_TOTAL), sub("a", 90), sub("b", 85), sub("c", 85), sub("d", 70), sub("e", 55))
        assert {
            "a": (1, 5, ()),
            "b": (2, 5, ("c",)),
            "c": (2, 5, ("b",)),
            "d": (4, 5, ()),
            "e": (5, 5, ()),
        } == places(result, "order")
        assert [o.subject_id for o in result if "rank_tie:order" in o.flags] == ["b", "c"]

    def test_grades_are_unchanged(self) -> None:
        """A ranking changes no grade: 90 优秀, 85 称职 with and without it."""
        subjects = (sub("a", 90), sub("b", 85))
        with_ranking = run(scheme(RANK_TOTAL), *subjects)
        without = run(scheme(), *subjects)
        assert [o.final_grade for o in with_ranking] == [o.final_grade for o in without] == ["优秀", "称职"]

    def test_declared_tie_break(self) -> None:
        """Totals 80, 80, 80; the tie-break is complaints, fewer first: 0, 2, 2 → 1, 2, 2."""
        s = scheme(
            COMPLAINTS,
            RANK_TOTAL,
            'rank_by = [{ score = "total" }, { fact = "complaints", better = "lower" }]',
        )
        result = run(
            s,
            sub("a", 80, facts={"complaints": 2}),
            sub("b", 80, facts={"complaints": 0}),
            sub("c", 80, facts={"complaints": 2}),
        )
        assert {"b": (1, 3, ()), "a": (2, 3, ("c",)), "c": (2, 3, ("a",))} == places(result, "order")

    def test_lower_is_better(self) -> None:
        """better = "lower": 55 first, then 70, then 90."""
        s = scheme(RANK_TOTAL, 'rank_by = [{ score = "total", better = "lower" }]')
        result = run(s, sub("a", 90), sub("b", 55), sub("c", 70))
        assert {"b": (1, 3, ()), "c": (2, 3, ()), "a": (3, 3, ())} == places(result, "order")

    def test_per_group(self) -> None:
        """Each township apart: 东 90, 80 → 1, 2 of 2; 西 85 → 1 of 1."""
        s = scheme(RANK_PER_TOWNSHIP)
        result = run(s, sub("a", 90, township="东"), sub("b", 80, township="东"), sub("c", 85, township="西"))
        assert {"a": (1, 2, ()), "b": (2, 2, ()), "c": (1, 1, ())} == places(result, "town_order")
        assert result.outcome("c").rank["town_order"].group == "西"

    def test_a_missing_group_is_a_cohort_error(self) -> None:
        with pytest.raises(ve.CohortError, match="has no 'township' group, which a ranking ranks by"):
            run(scheme(RANK_PER_TOWNSHIP), sub("a", 90))

    def test_not_graded_is_not_ranked(self) -> None:
        """A subject without evidence is insufficient_evidence: not ranked, so 90, 70 → 1, 2 of 2."""
        result = run(scheme(RANK_TOTAL), sub("a", 90), sub("b", None), sub("c", 70))
        assert {"a": (1, 2, ()), "c": (2, 2, ())} == places(result, "order")
        assert result.outcome("b").rank == {}

    def test_when_selects_who_is_ranked(self) -> None:
        """when = not 不称职: 90, 55, 70 → the 55 is left out; 90, 70 → 1, 2 of 2."""
        s = scheme(RANK_TOTAL, 'when = { not = { grade = "不称职" } }')
        result = run(s, sub("a", 90), sub("b", 55), sub("c", 70))
        assert {"a": (1, 2, ()), "c": (2, 2, ())} == places(result, "order")
        assert any("not in ranking order" in str(t.message) for t in result.outcome("b").trace)

    def test_when_reads_the_grade_after_quotas(self) -> None:
        """优秀 at most 40% of 3 = floor(1.2) = 1: 95 stays 优秀, 92 becomes 称职. A ranking of
        the 优秀 only then holds the 95 alone."""
        s = scheme(quota(), RANK_TOTAL, 'when = { grade = "优秀" }')
        result = run(s, sub("a", 95), sub("b", 92), sub("c", 70))
        assert {"a": (1, 1, ())} == places(result, "order")

    def test_a_referred_subject_is_ranked_without_a_grade(self) -> None:
        """A total of exactly 80 is referred (待研究): it keeps its total and is ranked (90, 80,
        70 → 1, 2, 3), but a ranking of those not 不称职 tests it without a grade, as its
        consequences are — here it passes (no grade is not 不称职)."""
        referral = """
[referrals.exactly_80]
clause = "四"
text = "恰为80分的提请研究"
when = { score = "total", equals = 80 }
"""
        result = run(scheme(referral, RANK_TOTAL), sub("a", 90), sub("b", 80), sub("c", 70))
        assert result.outcome("b").status == "referred"
        assert {"a": (1, 3, ()), "b": (2, 3, ()), "c": (3, 3, ())} == places(result, "order")
        only_good = scheme(referral, RANK_TOTAL, 'when = { grade = ["优秀", "称职"] }')
        result = run(only_good, sub("a", 90), sub("b", 80), sub("c", 70))
        # b's proposed grade is 称职, but it has no grade until the committee decides: not ranked.
        assert {"a": (1, 2, ()), "c": (2, 2, ())} == places(result, "order")

    def test_by_a_sub_score(self) -> None:
        """Ranked by the committee's sub-score: 70, 90 → 2, 1. (A subject graded without a
        value for the first key is not ranked: yugong-pledge-2023/cases/ranking.toml, r-barred.)"""
        s = scheme(RANK_TOTAL, 'rank_by = [{ score = "committee" }]')
        result = run(s, sub("a", 70), sub("b", 90))
        assert {"b": (1, 2, ()), "a": (2, 2, ())} == places(result, "order")

    def test_trace_shows_the_numbers(self) -> None:
        """The trace says the place and the values compared."""
        result = run(scheme(RANK_TOTAL), sub("a", 90), sub("b", 85), sub("c", 85))
        steps = [str(t.message) for t in result.outcome("b").trace if t.step == "rank"]
        assert steps == [
            "place 2 of 3 in ranking order, by total 85",
            "equal to c on every key of ranking order: they share place 2",
        ]
        zh = [ve.render_step(t, "zh") for t in result.outcome("b").trace if t.step == "rank"]
        assert zh[0] == "排名 order:第 2 名(共 3 名),依据 总分 85"


class TestRankPredicate:
    TOP_TWO = """
[consequences.top_two]
clause = "五"
text = "综合排名前2名的，予以表彰"
when = { rank = "order", at_most = 2 }
"""

    def test_top_two(self) -> None:
        """90, 85, 70 → places 1, 2, 3: the top_two consequence for the 90 and the 85."""
        result = run(scheme(RANK_TOTAL, self.TOP_TWO), sub("a", 90), sub("b", 85), sub("c", 70))
        assert {o.subject_id: [c.rule for c in o.consequences] for o in result} == {
            "a": ["top_two"],
            "b": ["top_two"],
            "c": [],
        }

    def test_a_tie_at_the_last_place_keeps_every_tied_subject(self) -> None:
        """90, 85, 85 → 1, 2, 2: all three are in the top two places (three subjects for two)."""
        result = run(scheme(RANK_TOTAL, self.TOP_TWO), sub("a", 90), sub("b", 85), sub("c", 85))
        assert all([c.rule for c in o.consequences] == ["top_two"] for o in result)

    def test_explained(self) -> None:
        result = run(scheme(RANK_TOTAL, self.TOP_TWO), sub("a", 90), sub("b", 85))
        step = next(t for t in result.outcome("b").trace if t.step == "consequence")
        assert "(place in order: 2 of 2 ≤ 2)" in str(step.message)

    def test_unranked_never_passes(self) -> None:
        """when = 优秀 only: the 85 has no place, so no top_two, although it is second."""
        s = scheme(RANK_TOTAL, 'when = { grade = "优秀" }', self.TOP_TWO)
        result = run(s, sub("a", 95), sub("b", 85))
        assert [c.rule for c in result.outcome("b").consequences] == []


class TestRankingProblems:
    def test_every_problem_at_once(self) -> None:
        """A rank predicate in a veto, an unknown ranking, a bad key: all reported, with lines."""
        text = "\n".join(
            [
                RANK_TOTAL,
                'rank_by = [{ score = "comittee" }]',
                """
[vetoes.top]
clause = "五"
text = "x"
grade = "不称职"
when = { rank = "order", at_most = 1 }

[consequences.best]
clause = "五"
text = "y"
when = { rank = "ordre", at_most = 1 }
""",
            ]
        )
        with pytest.raises(ve.SchemeError) as info:
            scheme(text)
        got = {(p.path, p.message.split(":")[0]) for p in info.value.problems}
        assert {
            (("rankings", "order", "rank_by", 0, "score"), "unknown ranking key 'comittee'"),
            (("vetoes", "top", "when"), "a place in a ranking is known only once every subject is graded"),
            (("consequences", "best", "when", "rank"), "unknown ranking 'ordre'; did you mean 'order'?"),
        } == got
        assert all(p.line is not None for p in info.value.problems)

    def test_a_ranking_needs_a_key(self) -> None:
        with pytest.raises(ve.SchemeError, match="a ranking needs at least one key"):
            scheme(RANK_TOTAL, "rank_by = []")

    def test_when_cannot_read_a_place(self) -> None:
        with pytest.raises(ve.SchemeError, match="only findings and consequences can test it"):
            scheme(RANK_TOTAL, 'when = { rank = "order", at_most = 3 }')


class TestQuotaByNumber:
    NUMBER = """
[quotas.two]
clause = "四、1"
text = "每个乡镇优秀不超过2名"
grade = "优秀"
number = 2
bound = "at_most"
per = "township"
"""

    def test_at_most_two_per_township(self) -> None:
        """东: 98, 95, 91 优秀 → 2 allowed, the 91 → 称职; 西: 93 alone stays 优秀."""
        result = run(
            scheme(self.NUMBER),
            sub("a", 98, township="东"),
            sub("b", 95, township="东"),
            sub("c", 91, township="东"),
            sub("d", 93, township="西"),
        )
        assert {o.subject_id: o.final_grade for o in result} == {"a": "优秀", "b": "优秀", "c": "称职", "d": "优秀"}
        usage = {p.group: (p.size, p.limit, p.holders_before, p.holders_after, p.status) for p in result.populations}
        assert usage == {"东": (3, 2, 3, 2, "demoted"), "西": (1, 2, 1, 1, "ok")}

    def test_at_least_more_than_there_are(self) -> None:
        """至少 3 名 不称职 among 2 subjects: both are moved, and the quota is unmet."""
        text = """
[quotas.three_weak]
clause = "四、2"
text = "不称职不少于3名"
grade = "不称职"
number = 3
bound = "at_least"
"""
        result = run(scheme(text), sub("a", 65), sub("b", 62))
        assert [p.status for p in result.populations] == ["unmet"]
        assert {o.final_grade for o in result} == {"不称职"}

    @pytest.mark.parametrize(
        ("keys", "path", "message"),
        [
            ("", ("quotas", "q"), "a quota needs a share (share = 0.3) or a number of subjects (number = 3)"),
            (
                'share = 0.3\ncount = "floor"\nnumber = 2',
                ("quotas", "q", "number"),
                "a quota has a share or a number of subjects, not both",
            ),
            ("share = 0.3", ("quotas", "q", "count"), "a share needs its count rule"),
            ('number = 2\ncount = "floor"', ("quotas", "q", "count"), "a number of subjects needs no count rule"),
            ("number = -1", ("quotas", "q", "number"), "must be a whole number of subjects, 0 or more (got -1)"),
        ],
    )
    def test_share_or_number(self, keys: str, path: tuple[str, ...], message: str) -> None:
        text = f'\n[quotas.q]\nclause = "四"\ntext = "t"\ngrade = "优秀"\nbound = "at_most"\n{keys}\n'
        with pytest.raises(ve.SchemeError) as info:
            scheme(text)
        assert [(p.path, p.message[: len(message)]) for p in info.value.problems] == [(path, message)]


class TestInterchange:
    def test_round_trip(self) -> None:
        """rank is written only where a ranking placed the subject, and read back equal."""
        result = run(scheme(RANK_TOTAL), sub("a", 90), sub("b", 90), sub("c", None))
        data = ve.result_to_dict(result)
        by_id = {o["subject"]: o for o in data["outcomes"]}
        assert by_id["a"]["rank"] == {"order": {"place": 1, "of": 2, "group": None, "tied_with": ["b"]}}
        assert "rank" not in by_id["c"]
        assert ve.result_from_dict(data) == result


# --- properties ----------------------------------------------------------------------------------

scores = st.lists(st.integers(0, 100), min_size=1, max_size=25)


@given(scores, st.randoms(use_true_random=False))
def test_places_are_standard_competition_ranks(values: list[int], rnd: random.Random) -> None:
    """Each place is 1 + the number of subjects with a strictly higher total; those with the
    same total are exactly the tied; and the cohort's order never changes a place."""
    subjects = [sub(f"s{i:02}", v) for i, v in enumerate(values)]
    s = scheme(RANK_TOTAL)
    result = run(s, *subjects)
    placed = places(result, "order")
    for i, v in enumerate(values):
        sid = f"s{i:02}"
        place, of, tied = placed[sid]
        assert place == 1 + sum(1 for w in values if w > v)
        assert of == len(values)
        assert set(tied) == {f"s{j:02}" for j, w in enumerate(values) if w == v and j != i}
        assert list(tied) == sorted(tied)
    shuffled = subjects[:]
    rnd.shuffle(shuffled)
    assert run(s, *shuffled).outcomes == result.outcomes


@given(st.lists(st.fractions(0, 100, max_denominator=7), min_size=2, max_size=12))
def test_exact_totals_are_never_merged(values: list[Fraction]) -> None:
    """Totals that differ by a sliver (100/7 against 14.2857) never share a place: the
    comparison is exact. Places are distinct exactly where the totals are."""
    from villageeval._model import Ranking
    from villageeval._quotas import rank_getters, rank_keys

    class Row:
        def __init__(self, i: int, v: Fraction) -> None:
            self.total, self.scores, self.tallies, self.facts = v, {}, {}, {}
            self.subject = ve.Subject(f"s{i}", "secretary")

    rows = [Row(i, v) for i, v in enumerate(values)]
    keys = rank_keys(rank_getters(Ranking("c", "t")), rows)
    for a in rows:
        for b in rows:
            assert (keys[a.subject.id] == keys[b.subject.id]) == (a.total == b.total)
            assert (keys[a.subject.id] < keys[b.subject.id]) == (a.total > b.total)


class TestCheckOutcomes:
    """check_outcomes on a claimed result of yugong-pledge-2023's demo (places by hand in
    tests/test_scheme_yugong.py: 王庄 1, 北山 director 2, 杏园 director 3, 东岭 secretary 4)."""

    @staticmethod
    def _pair() -> tuple[ve.Scheme, ve.Cohort, ve.Result]:
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent / "schemes" / "yugong-pledge-2023"
        scheme = ve.load_scheme(root)
        cohort = ve.load_cohort(root / "demo.json")
        return scheme, cohort, ve.evaluate(scheme, cohort, trace=False)

    def test_the_engines_own_result_obeys(self) -> None:
        from villageeval.testing import check_outcomes

        scheme, cohort, result = self._pair()
        assert [] == check_outcomes(scheme, cohort, result)

    def test_a_wrong_place_and_a_missing_commendation(self) -> None:
        import attrs

        from villageeval.testing import check_outcomes

        scheme, cohort, result = self._pair()
        swapped = []
        for o in result.outcomes:
            if o.subject_id == "xingyuan-director":  # 3rd, claimed 4th and not commended
                o = attrs.evolve(o, rank={"composite": ve.Placing(4, 10)}, consequences=())
            swapped.append(o)
        claimed = attrs.evolve(result, outcomes=tuple(swapped))
        got = [(v.kind, v.rule, v.subjects, v.message) for v in check_outcomes(scheme, cohort, claimed)]
        assert got == [
            (
                "consequence",
                "commendation",
                ("xingyuan-director",),
                "合格 requires: 乡党委、政府每年进行一次评选表彰",
            ),
            ("rank", "composite", ("xingyuan-director",), "claimed place 4, but the scheme gives place 3"),
        ]


@given(st.data())
def test_generated_rankings_are_competition_ranks(data: st.DataObject) -> None:
    """On generated schemes and cohorts: in each ranking's population, a place is 1 + the
    number of subjects placed before it, tied subjects share a place and list each other,
    and ``of`` is the population's size."""
    from villageeval.testing.strategies import cohorts, schemes

    scheme = data.draw(schemes().filter(lambda s: bool(s.rankings)))
    result = ve.evaluate(scheme, data.draw(cohorts(scheme, min_size=2, max_size=12)), trace=False)
    for rid in scheme.rankings:
        populations: dict[str | None, list[tuple[str, ve.Placing]]] = {}
        for o in result:
            if rid in o.rank:
                populations.setdefault(o.rank[rid].group, []).append((o.subject_id, o.rank[rid]))
        for members in populations.values():
            for sid, p in members:
                assert p.of == len(members)
                assert p.place == 1 + sum(1 for _, q in members if q.place < p.place)
                same = {other for other, q in members if q.place == p.place and other != sid}
                assert set(p.tied_with) == same
                assert (f"rank_tie:{rid}" in result.outcome(sid).flags) == bool(same)
