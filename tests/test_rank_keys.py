"""Quota ranking by a ballot's share of tiers (``share:<ballot>:<tier>``)."""

from __future__ import annotations

import pytest

import villageeval as ve

# Three secretaries graded by the committee's rating; at most floor(40% × 3) = 1 优秀,
# and the lowest share of 优秀 votes gives way (001 三、(一)2(3), ranking by the appraisal).
SCHEME = """
id = "share-rank"
title = "年度考核"
locality = { name = "某街道" }
[roles.secretary]
label = "村党组织书记"
[scales.grade]
tiers = ["优秀", "称职", "基本称职", "不称职"]
[instruments.appraisal]
kind = "ballot"
title = "民主测评"
clause = "三、(一)2(1)"
scale = "grade"
[instruments.committee]
kind = "rating"
title = "党工委建议等次"
clause = "三、(一)2(3)"
scale = "grade"
[gradings.main]
kind = "conditions"
clause = "三、(一)2(3)"
scale = "grade"
rules = [{ grade = "优秀", when = { rating = "committee", in = ["优秀"] } }]
fallback = "称职"
[quotas.excellent]
clause = "三、(一)2(3)"
text = "评定为“优秀”的个数不得超过总人数的40%"
grade = "优秀"
share = 0.4
bound = "at_most"
count = "floor"
rank_by = [{ key = "share:appraisal:优秀" }]
"""


def secretary(sid: str, excellent: int, fair: int) -> dict[str, object]:
    return {
        "id": sid,
        "role": "secretary",
        "evidence": {
            "appraisal": {"tallies": {"优秀": excellent, "称职": fair}},
            "committee": {"tier": "优秀"},
        },
    }


def test_lowest_share_gives_way() -> None:
    """Shares 30/40 = 0.75, 27/30 = 0.9, 10/20 = 0.5: only b (0.9) keeps 优秀."""
    result = ve.evaluate(
        ve.loads_scheme(SCHEME),
        ve.cohort_from_dict({"subjects": [secretary("a", 30, 10), secretary("b", 27, 3), secretary("c", 10, 10)]}),
    )
    assert {"a": "称职", "b": "优秀", "c": "称职"} == {o.subject_id: o.final_grade for o in result}


def test_unweighted_ballot_is_traced() -> None:
    """A ballot without points still shows its tallies in the explanation."""
    result = ve.evaluate(ve.loads_scheme(SCHEME), ve.cohort_from_dict({"subjects": [secretary("a", 30, 10)]}))
    assert "appraisal (民主测评): 优秀 30, 称职 10 (40 ballots)" in [t.message for t in result.outcome("a").trace]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("share:committee:优秀", "a share ranking key is 'share:<ballot instrument>:<tier>|<tier>'"),
        ("share:appraisal:优", "unknown tier '优' in 'share:appraisal:优'"),
    ],
)
def test_bad_share_keys(key: str, message: str) -> None:
    """A share key must name a ballot and tiers of its scale."""
    with pytest.raises(ve.SchemeError) as info:
        ve.loads_scheme(SCHEME.replace("share:appraisal:优秀", key))
    assert message in info.value.problems[0].message
