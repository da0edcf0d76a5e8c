"""The kernel against the definitions it encodes, by hand from the documents and by brute force.

Every path that grades (careful, quick, columnar), the validator, the outcome checker
and the strategies read these functions; an error here would be shared by all of them,
so nothing here is checked against another implementation. The oracles are the
definitions themselves: a band holds the rounded totals that lie within its declared
bounds (checked by trying every total in a window), a share of a population becomes a
count by ``math.floor`` / ``math.ceil`` of the exact product, and so on. The rounding
modes have their own oracle in ``tests/test_numbers.py``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from villageeval import _kernel as k

# --- intervals --------------------------------------------------------------------------------


class TestIntervals:
    """以上 / 及以上 / 以下 / 不足, as a scheme declares them (scheme-format.md, band bounds)."""

    @pytest.mark.parametrize(
        ("bounds", "value", "expected"),
        [
            ({"at_least": Fraction(85)}, Fraction(85), True),  # 85分以上 (及以上): 85 is in
            ({"above": Fraction(84)}, Fraction(84), False),  # 超过84: 84 is not
            ({"above": Fraction(84)}, Fraction(8401, 100), True),
            ({"at_most": Fraction(65)}, Fraction(65), True),  # 65分及以下: 65 is in
            ({"below": Fraction(60)}, Fraction(60), False),  # 不足60: 60 is not
            ({"below": Fraction(60)}, Fraction(5999, 100), True),
            ({"at_least": Fraction(66), "at_most": Fraction(84)}, Fraction(169, 2), False),  # 84.5: in no 000 band
            ({"equals": Fraction(1, 2)}, Fraction(1, 2), True),
            ({}, Fraction(-(10**9)), True),
        ],
    )
    def test_bounds(self, bounds: dict[str, Fraction], value: Fraction, expected: bool) -> None:
        """Each bound includes or excludes its edge as its word says."""
        assert expected is k.in_interval(k.interval(**bounds), value)

    def test_tightest_bound_wins(self) -> None:
        """at_least 60 and above 60 together: 60 is out (the exclusive bound is the tighter one)."""
        assert (Fraction(60), False, None, True) == k.interval(at_least=Fraction(60), above=Fraction(60))

    @pytest.mark.parametrize(
        ("bounds", "empty"),
        [
            ({"above": Fraction(5), "below": Fraction(5)}, True),
            ({"at_least": Fraction(5), "at_most": Fraction(5)}, False),
            ({"at_least": Fraction(6), "at_most": Fraction(5)}, True),
            ({"above": Fraction(5)}, False),
        ],
    )
    def test_empty(self, bounds: dict[str, Fraction], empty: bool) -> None:
        """An interval is empty only when its bounds exclude each other."""
        assert empty is k.interval_empty(k.interval(**bounds))


_EDGES = st.fractions(min_value=-50, max_value=150, max_denominator=8)
_BOUNDS = st.dictionaries(st.sampled_from(["at_least", "above", "at_most", "below"]), _EDGES, max_size=2)


@given(a=_BOUNDS, b=_BOUNDS, x=_EDGES)
def test_intersect_is_both(a: dict[str, Fraction], b: dict[str, Fraction], x: Fraction) -> None:
    """A value is in the intersection of two intervals exactly when it is in both."""
    ia, ib = k.interval(**a), k.interval(**b)
    assert (k.in_interval(ia, x) and k.in_interval(ib, x)) == k.in_interval(k.intersect(ia, ib), x)
    for edge in (*a.values(), *b.values()):
        assert (k.in_interval(ia, edge) and k.in_interval(ib, edge)) == k.in_interval(k.intersect(ia, ib), edge)
_SIDE = st.sampled_from(["at_least", "above", None])
_TOP = st.sampled_from(["at_most", "below", None])


class TestGrid:
    """A band on the grid of rounded totals holds exactly the multiples of 10**-d that lie in it."""

    @given(low=_EDGES, high=_EDGES, lower=_SIDE, upper=_TOP, digits=st.integers(0, 2))
    def test_grid_range_is_the_bounds_on_the_grid(
        self, low: Fraction, high: Fraction, lower: str | None, upper: str | None, digits: int
    ) -> None:
        """For every total k/10**d near an edge and far out: k in grid_range ⇔ k/10**d within the bounds.

        Membership changes only at the edges, so the totals within a few steps of each edge,
        and two far beyond both, are every case there is.
        """
        bounds = {name: v for name, v in ((lower, low), (upper, high)) if name is not None}
        iv = k.interval(**bounds)
        first, last = k.grid_range(iv, digits)
        power = 10**digits
        near = {math.floor(edge * power) + step for edge in (low, high) for step in range(-3, 4)}
        for n in sorted(near | {-1000 * power, 1000 * power}):
            on_grid = (first is None or first <= n) and (last is None or n <= last)
            assert k.in_interval(iv, Fraction(n, power)) == on_grid, n

    def test_the_documents_bands(self) -> None:
        """000 四、6 with half-up to a whole point: 好 ≥ 85, 一般 66–84, 差 ≤ 65, by hand."""
        grid = [
            (*k.grid_range(k.interval(at_least=Fraction(85)), 0), "好"),
            (*k.grid_range(k.interval(at_least=Fraction(66), at_most=Fraction(84)), 0), "一般"),
            (*k.grid_range(k.interval(at_most=Fraction(65)), 0), "差"),
        ]
        assert [(85, None, "好"), (66, 84, "一般"), (None, 65, "差")] == grid
        assert ["好", "一般", "一般", "差"] == [k.band_of(grid, n) for n in (85, 84, 66, 65)]

    def test_above_on_the_grid(self) -> None:
        """above 84 rounded to whole points starts at 85, not 84; to one place, at 84.1."""
        assert (85, None) == k.grid_range(k.interval(above=Fraction(84)), 0)
        assert (841, None) == k.grid_range(k.interval(above=Fraction(84)), 1)

    def test_below_on_the_grid(self) -> None:
        """below 60 rounded to whole points ends at 59; to two places, at 59.99."""
        assert (None, 59) == k.grid_range(k.interval(below=Fraction(60)), 0)
        assert (None, 5999) == k.grid_range(k.interval(below=Fraction(60)), 2)


class TestCounts:
    @given(share=st.fractions(0, 1, max_denominator=20), size=st.integers(0, 500))
    def test_count_for_share(self, share: Fraction, size: int) -> None:
        """floor and ceil of the exact product share × size."""
        assert (math.floor(share * size), math.ceil(share * size)) == (
            k.count_for_share(share, size, "floor"),
            k.count_for_share(share, size, "ceil"),
        )

    def test_the_documents_quotas(self) -> None:
        """001: 优秀 ≤ 40% of 11 secretaries → 4; 003: 不低于10% of 23 villages → 3."""
        assert (4, 3) == (
            k.count_for_share(Fraction(2, 5), 11, "floor"),
            k.count_for_share(Fraction(1, 10), 23, "ceil"),
        )

    def test_unknown_rule(self) -> None:
        """A count rule other than floor or ceil is an error, not a default."""
        with pytest.raises(ValueError, match="unknown count rule 'round'"):
            k.count_for_share(Fraction(1, 2), 3, "round")


class TestBallots:
    def test_least_ballots(self) -> None:
        """000 四、2: at least 20 raters; with no minimum, one ballot, or none where the scheme allows it."""
        assert (20, 1, 0) == (k.least_ballots(20), k.least_ballots(0), k.least_ballots(0, allow_empty=True))

    def test_quorum(self) -> None:
        """实到不少于应到的三分之二: of 30 expected, 20; of 31, 21 (ceil of 62/3)."""
        assert (20, 21) == (k.quorum_count(Fraction(2, 3), 30), k.quorum_count(Fraction(2, 3), 31))
        assert [None, "below_quorum", "over_expected", "no_expected"] == [
            k.quorum_shortfall(Fraction(2, 3), 20, 30),
            k.quorum_shortfall(Fraction(2, 3), 19, 30),
            k.quorum_shortfall(Fraction(2, 3), 31, 30),
            k.quorum_shortfall(Fraction(2, 3), 20, None),
        ]

    @pytest.mark.parametrize(
        ("count", "of", "every", "expected"),
        [
            (3, 3, True, None),  # every 驻村工作队员 interviewed
            (2, 3, True, "incomplete"),
            (2, None, True, "unknown_size"),
            (4, 3, True, "over"),
            (1, None, False, None),  # at least one site inspected
            (0, None, False, "incomplete"),
            (4, 3, False, "over"),
        ],
    )
    def test_coverage(self, count: int, of: int | None, every: bool, expected: str | None) -> None:
        """应全覆盖 (every member) and at least one, by hand."""
        assert expected == k.coverage_shortfall(count, of, every)

    def test_stratum(self) -> None:
        """000 四、5: 3 to 5 households per natural village."""
        assert [False, True, True, False] == [k.stratum_fits(n, 3, 5) for n in (2, 3, 5, 6)]
        assert k.stratum_fits(50, 3, None)


class TestTotals:
    def test_the_documents_weights(self) -> None:
        """000 四、6: 民主测评 40, 个别谈话 20, 入户访谈 20, 实地查看 10, 乡镇党委评价 10 (of 100 each):
        86 × 0.4 + 86 × 0.2 + 85 × 0.2 + 90 × 0.1 + 74 × 0.1 = 34.4 + 17.2 + 17 + 9 + 7.4 = 85."""
        terms = [(40, 100, 86, 1), (20, 100, 86, 1), (20, 100, 85, 1), (10, 100, 90, 1), (10, 100, 74, 1)]
        num, den = k.weighted_total(terms)
        assert Fraction(85) == Fraction(num, den)

    @given(st.lists(st.tuples(st.fractions(0, 1), st.fractions(0, 100)), max_size=6))
    def test_weighted_total_is_the_sum_of_fractions(self, terms: list[tuple[Fraction, Fraction]]) -> None:
        """Σ factor × score in integers is the sum of the Fractions."""
        as_ints = [(f.numerator, f.denominator, s.numerator, s.denominator) for f, s in terms]
        num, den = k.weighted_total(as_ints)
        assert sum((f * s for f, s in terms), Fraction(0)) == Fraction(num, den)

    def test_points_over_a_common_denominator(self) -> None:
        """好 90, 一般 70, 差 40 are already whole; 1/2 and 1/3 share 6."""
        assert ({"好": 90, "一般": 70, "差": 40}, 1) == k.points_over_common_denominator(
            {"好": Fraction(90), "一般": Fraction(70), "差": Fraction(40)}
        )
        assert ({"a": 3, "b": 2, "c": 0}, 6) == k.points_over_common_denominator(
            {"a": Fraction(1, 2), "b": Fraction(1, 3), "c": None}
        )


class TestHistory:
    def test_years_back_one_by_one(self) -> None:
        """连续两年 in 2024: 2023 is the year before; a history of 2022 alone does not reach."""
        assert ["2023"] == k.previous_periods("2024", ["2023", "2021"], 1)
        assert None is k.previous_periods("2024", ["2022"], 1)
        assert ["2023", "2022"] == k.previous_periods("2024", ["2022", "2023"], 2)

    def test_declared_order(self) -> None:
        """Periods of other names are ordered as the scheme lists them, never as text."""
        order = ("2023上半年", "2023下半年", "2024上半年", "2024下半年")
        assert ["2024上半年", "2023下半年"] == k.previous_periods(
            "2024下半年", ["2023下半年", "2024上半年"], 2, order=order
        )
        # as text "第三次" sorts before "第二次"; in the order given it comes after
        assert ["第二次"] == k.previous_periods("第三次", ["第二次"], 1, order=("第一次", "第二次", "第三次"))
        assert None is k.previous_periods("2024下半年", ["2024上半年"], 1)  # years cannot place them

    def test_months(self) -> None:
        """ISO months: 2024-10 comes after 2024-09 (as text "2024-10" < "2024-9"); 2025-01 after 2024-12."""
        assert ["2024-09"] == k.previous_periods("2024-10", ["2024-09", "2024-8"], 1, "months")
        assert ["2024-12"] == k.previous_periods("2025-01", ["2024-12"], 1, "months")
        assert [None, None, 2024 * 12 + 9] == [
            k.period_index(p, "months") for p in ("2024-9", "2024-13", "2024-10")
        ]

    def test_years_only_plain(self) -> None:
        """A year is four ASCII digits: not "２０２４" (full-width), not "24"."""
        assert [2024, None, None] == [k.period_index(p) for p in ("2024", "２０２４", "24")]


class TestQuickForms:
    """The quick path's written-out checks accept exactly what the kernel's definitions accept."""

    @given(count=st.integers(-2, 8), of=st.integers(-2, 8), most=st.one_of(st.none(), st.integers(0, 8)))
    def test_every_member(self, count: int, of: int, most: int | None) -> None:
        """{"count": n, "of": m} for 应全覆盖, of ``most`` ballots: plainly complete ⇔ no shortfall in the kernel."""
        from types import SimpleNamespace

        from villageeval._kinds.evidence import quick_coverage

        covered = quick_coverage(SimpleNamespace(must_cover=("村干部",), cover="every_member"))
        assert covered is not None
        expected = count >= 0 and of >= 0 and k.coverage_shortfall(count, of, True, most) is None
        assert expected == covered({"村干部": {"count": count, "of": of}}, most)

    @given(count=st.integers(-2, 8), most=st.one_of(st.none(), st.integers(0, 8)))
    def test_at_least_one(self, count: int, most: int | None) -> None:
        """A count for at least one, of ``most`` ballots: plainly complete ⇔ no shortfall in the kernel."""
        from types import SimpleNamespace

        from villageeval._kinds.evidence import quick_coverage

        covered = quick_coverage(SimpleNamespace(must_cover=("集体经济项目",), cover="at_least_one"))
        assert covered is not None
        expected = count >= 0 and k.coverage_shortfall(count, None, False, most) is None
        assert expected == covered({"集体经济项目": count}, most)

    @given(strata=st.lists(st.integers(-1, 8), min_size=1, max_size=5))
    def test_strata(self, strata: list[int]) -> None:
        """Households per 自然村 (3–5): the quick scorer takes them ⇔ each stratum fits by the kernel."""
        import villageeval as ve
        from villageeval._bound import plan_of

        scheme = ve.loads_scheme(STRATA_SCHEME)
        [(iid, read, quick, *_)] = plan_of(scheme).roles["team"].quick or ()
        total = sum(strata)
        evidence = read({"tallies": {"好": max(total, 0)}, "strata": {f"村{i}": n for i, n in enumerate(strata)}})
        from villageeval._context import State

        state = State(ve.Subject("a", "team"), scheme, "", False)
        expected = total >= 1 and all(k.stratum_fits(n, 3, 5) for n in strata)
        assert expected == (quick(evidence, state, iid) is not None)


STRATA_SCHEME = """
id = "strata"
title = "入户访谈"
locality = { name = "会宁县" }
[roles.team]
label = "村“两委”班子"
[scales.three]
tiers = [{ label = "好", points = 90 }, { label = "一般", points = 70 }, { label = "差", points = 40 }]
[instruments.household_visit]
kind = "ballot"
title = "入户访谈"
clause = "四、5"
scale = "three"
per_stratum = { label = "自然村", min = 3, max = 5 }
[weightings.main]
clause = "四、6"
total = 100
weights = { household_visit = 100 }
[gradings.main]
clause = "四、6"
scale = "three"
round = { digits = 0 }
bands = [
  { grade = "好", at_least = 85 },
  { grade = "一般", at_least = 66, at_most = 84 },
  { grade = "差", at_most = 65 },
]
"""
