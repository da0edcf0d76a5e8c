"""A hard floor and a hard ceiling on one grade ("优秀不低于10%、不超过30%")."""

from __future__ import annotations

from fractions import Fraction

import villageeval as ve

SCHEME = """
id = "both-ways"
title = "t"
locality = { name = "某乡" }
[roles.secretary]
label = "书记"
[scales.grade]
tiers = ["优秀", "称职", "基本称职"]
[instruments.committee]
kind = "score"
title = "评价"
clause = "一"
max = 100
[weightings.main]
clause = "二"
total = 100
weights = { committee = 100 }
[gradings.main]
clause = "三"
scale = "grade"
bands = [
  { grade = "优秀", at_least = 90 },
  { grade = "称职", at_least = 60, below = 90 },
  { grade = "基本称职", below = 60 },
]
[quotas.top]
clause = "四、1"
text = "优秀不超过30%"
grade = "优秀"
share = 0.3
bound = "at_most"
count = "floor"
[quotas.min_top]
clause = "四、2"
text = "优秀不低于10%"
grade = "优秀"
share = 0.1
bound = "at_least"
count = "ceil"
"""


def run(*scores: int) -> ve.Result:
    cohort = ve.Cohort(
        [
            ve.Subject(id=f"s{i}", role="secretary", evidence={"committee": ve.ScoreEvidence(v)})
            for i, v in enumerate(scores)
        ]
    )
    return ve.evaluate(ve.loads_scheme(SCHEME), cohort)


def test_floor_never_breaks_the_ceiling() -> None:
    """3 subjects: at most floor(0.9) = 0 优秀, at least ceil(0.3) = 1; the ceiling wins, the floor is unmet."""
    result = run(95, 80, 70)
    assert {"s0": "称职", "s1": "称职", "s2": "称职"} == {o.subject_id: o.final_grade for o in result}
    status = {p.quota: (p.limit, p.holders_after, p.status) for p in result.populations}
    assert {"top": (0, 0, "demoted"), "min_top": (1, 0, "unmet")} == status
    assert any("min_top" in w and "only 0 could hold it" in w for w in result.warnings)


def test_both_met_when_they_agree() -> None:
    """10 subjects: at most 3, at least 1; nobody scores 90, so the best-ranked 称职 is promoted."""
    result = run(85, 80, 75, 70, 65, 64, 63, 62, 61, 60)
    assert ["s0"] == [o.subject_id for o in result if o.final_grade == "优秀"]


def test_rational_fact_round_trips() -> None:
    """A fact of 16/3 written to JSON as "16/3" reads back as the same exact number."""
    from villageeval._predicates import number_of

    assert Fraction(16, 3) == number_of("16/3")
    assert None is number_of("3")
