"""Quota ranking keys: a ballot's share of tiers (``{ share = "<ballot>", tiers = [...] }``); the old form."""

from __future__ import annotations

import pytest

import villageeval as ve
from villageeval import _model as m

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
rank_by = [{ share = "appraisal", tiers = ["优秀"] }]
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
    ("key", "path", "message"),
    [
        (
            '{ share = "committee", tiers = ["优秀"] }',
            ("quotas", "excellent", "rank_by", 0, "share"),
            "'committee': a share ranking key reads a ballot instrument (known: appraisal)",
        ),
        (
            '{ share = "appraisal", tiers = ["优"] }',
            ("quotas", "excellent", "rank_by", 0, "tiers", 0),
            "unknown tier '优': not a tier of scale 'grade'; did you mean '优秀'?",
        ),
        (
            '{ shares = "appraisal", tiers = ["优秀"] }',
            ("quotas", "excellent", "rank_by", 0),
            'a ranking key is { score = "total" }',
        ),
        (
            '{ share = "appraisal", score = "total" }',
            ("quotas", "excellent", "rank_by", 0),
            "a ranking key has exactly one of score, share",
        ),
    ],
)
def test_bad_share_keys(key: str, path: tuple[str | int, ...], message: str) -> None:
    """A share key must name a ballot and tiers of its scale; a key has exactly one head."""
    with pytest.raises(ve.SchemeError) as info:
        ve.loads_scheme(SCHEME.replace('{ share = "appraisal", tiers = ["优秀"] }', key))
    problem = info.value.problems[0]
    assert (path, True) == (problem.path, message.replace('\\"', '"') in problem.message)


class TestOldStringForm:
    """``{ key = "share:appraisal:优秀" }``, the form of earlier schemes, is read for one release, with a warning."""

    OLD = SCHEME.replace('{ share = "appraisal", tiers = ["优秀"] }', '{ key = "share:appraisal:优秀" }')

    def test_read_with_a_warning_naming_the_line(self) -> None:
        """The warning names the file, the line and the key path, and shows the table to write instead."""
        line = 1 + self.OLD[: self.OLD.index("rank_by = [{ key")].count("\n")
        with pytest.warns(ve.SchemeDeprecationWarning) as caught:
            scheme = ve.loads_scheme(self.OLD, file="old.toml")
        expected = (
            f"old.toml:{line}: quotas.excellent.rank_by[0].key: warning: a ranking key written as one string "
            '(\'share:appraisal:优秀\') is read for one more release; write { share = "appraisal", tiers = ["优秀"] }'
        )
        assert [expected] == [str(w.message) for w in caught]
        assert (m.ShareKey("appraisal", ("优秀",)),) == scheme.quotas["excellent"].rank_by

    def test_same_outcomes_as_the_structured_form(self) -> None:
        """The old form grades exactly as the new one: only b (27/30 = 0.9) keeps 优秀."""
        with pytest.warns(ve.SchemeDeprecationWarning):
            old = ve.loads_scheme(self.OLD)
        cohort = ve.cohort_from_dict(
            {"subjects": [secretary("a", 30, 10), secretary("b", 27, 3), secretary("c", 10, 10)]}
        )
        assert {"a": "称职", "b": "优秀", "c": "称职"} == {
            o.subject_id: o.final_grade for o in ve.evaluate(old, cohort)
        }

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ("appraisal", m.ScoreKey("appraisal")),
            ("fact:committee_rank", m.FactKey("committee_rank")),
            ("share:appraisal:优秀|称职", m.ShareKey("appraisal", ("优秀", "称职"))),
        ],
    )
    def test_every_old_form(self, old: str, new: m.RankKey) -> None:
        """Each old string reads as the structured key it meant (by hand, from the old format reference)."""
        text = self.OLD.replace('"share:appraisal:优秀"', f'"{old}"').replace(
            "[quotas.excellent]",
            '[facts.committee_rank]\nlabel = "名次"\ntype = "number"\ndefault = 0\n\n[quotas.excellent]',
        )
        with pytest.warns(ve.SchemeDeprecationWarning):
            scheme = ve.loads_scheme(text)
        assert (new,) == scheme.quotas["excellent"].rank_by

    def test_total(self) -> None:
        """``total``, the old default, is ``{ score = "total" }`` (this scheme has no total to load it with)."""
        from villageeval._convert import rank_key_from_string

        assert {"score": "total"} == rank_key_from_string("total")
