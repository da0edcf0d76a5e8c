"""The instrument kind ``item_ballot``: a ballot on each item, the items confirmed counted.

002 三、(一)3 "由群众对每个人的承诺事项表决，‘不满意’票超过半数的，不得列为承诺内容": each item a
person puts to the meeting is voted on by itself; more than half 不满意 of the item's own
ballots rejects it. Every expected value below is worked out by hand from that rule and
the tallies written next to it (7 of 13 is above half, 6 of 12 is not), never copied
from the program's output. The bundled scheme yugong-pledge-2023 uses the kind
(tests/test_scheme_yugong.py); here it is tested on its own, on a small scheme.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import villageeval as ve
from villageeval._catalogue import render_step
from villageeval._catalogue.kinds import MESSAGES
from villageeval._kinds.item_ballot import ItemBallotEvidence, share_text

SCHEME = """
id = "pledge-test"
title = "逐项表决"

[locality]
name = "甲乡"

[roles.person]
label = "村干部"

[scales.satisfaction]
tiers = ["满意", "基本满意", "不满意"]

[scales.grade]
tiers = ["合格", "不合格"]

[instruments.pledge_vote]
kind = "item_ballot"
title = "承诺事项表决"
clause = "三、(一)3"
scale = "satisfaction"
reject_when = { tiers = ["不满意"], above = "50%" }

[gradings.result]
kind = "conditions"
clause = "三、(一)2"
scale = "grade"
fallback = "合格"
rules = [{ grade = "不合格", when = { score = "pledge_vote", below = 3 } }]
"""


def scheme(old: str = "", new: str = "") -> ve.Scheme:
    """The test scheme, with ``old`` replaced by ``new``."""
    return ve.loads_scheme(SCHEME.replace(old, new) if old else SCHEME)


def grade(s: ve.Scheme, votes: dict[str, Any], **extra: Any) -> ve.Outcome:
    subject = {"id": "p", "role": "person", "evidence": {"pledge_vote": {"votes": votes, **extra}}}
    return ve.evaluate(s, ve.cohort_from_dict({"subjects": [subject]})).outcome("p")


def tally(satisfied: int, basic: int, dissatisfied: int) -> dict[str, Any]:
    return {"tallies": {"满意": satisfied, "基本满意": basic, "不满意": dissatisfied}}


def problems(toml: str) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ve.SchemeError) as e:
        ve.loads_scheme(toml)
    return [(p.path, p.message) for p in e.value.problems]


class TestVerdicts:
    """Each item by its own ballots: rejected when the share of 不满意 passes the bound."""

    def test_above_half_is_strict(self) -> None:
        """7 of 13 不满意 (7/13 > 1/2) rejects; 6 of 12 (= 1/2) does not; 3 of 10 does not."""
        o = grade(scheme(), {"甲": tally(4, 2, 7), "乙": tally(4, 2, 6), "丙": tally(5, 2, 3)})
        assert o.instrument_scores["pledge_vote"] == 2  # 乙 and 丙 confirmed
        assert o.final_grade == "不合格"  # 2 < 3

    def test_at_least_half_includes_half(self) -> None:
        """``at_least = "50%"`` (达到半数): 6 of 12 rejects as well."""
        s = scheme('above = "50%"', 'at_least = "50%"')
        o = grade(s, {"甲": tally(4, 2, 7), "乙": tally(4, 2, 6), "丙": tally(5, 2, 3)})
        assert o.instrument_scores["pledge_vote"] == 1  # only 丙

    def test_several_tiers_reject_together(self) -> None:
        """tiers = ["基本满意", "不满意"] over 1/2: 甲 3 + 4 = 7 of 10 rejects, 乙 2 + 3 = 5 of 10 does not."""
        s = scheme('tiers = ["不满意"], above', 'tiers = ["基本满意", "不满意"], above')
        o = grade(s, {"甲": tally(3, 3, 4), "乙": tally(5, 2, 3)})
        assert o.instrument_scores["pledge_vote"] == 1

    def test_measure_rejected(self) -> None:
        """``measure = "rejected"`` counts the other way: 1 of the 3 items above."""
        s = scheme(
            'reject_when = { tiers = ["不满意"], above = "50%" }',
            'reject_when = { tiers = ["不满意"], above = "50%" }\nmeasure = "rejected"',
        )
        o = grade(s, {"甲": tally(4, 2, 7), "乙": tally(4, 2, 6), "丙": tally(5, 2, 3)})
        assert o.instrument_scores["pledge_vote"] == 1

    def test_nothing_put_to_the_vote(self) -> None:
        """No items at all is valid evidence: 0 confirmed (and the rule over it then holds)."""
        o = grade(scheme(), {})
        assert (o.status, o.instrument_scores["pledge_vote"], o.final_grade) == ("graded", 0, "不合格")

    def test_a_tier_left_out_counts_zero(self) -> None:
        """{"满意": 10} alone: 不满意 0 of 10, confirmed."""
        o = grade(
            scheme(),
            {"甲": {"tallies": {"满意": 10}}, "乙": {"tallies": {"满意": 10}}, "丙": {"tallies": {"满意": 10}}},
        )
        assert (o.instrument_scores["pledge_vote"], o.final_grade) == (3, "合格")


class TestTrace:
    def test_each_item_then_the_count(self) -> None:
        """Each item's tally, its share of 不满意 against the bound, its verdict; then the count."""
        o = grade(
            scheme(), {"修村道": {"tallies": {"满意": 10, "不满意": 3}}, "建桥": {"tallies": {"满意": 6, "不满意": 7}}}
        )
        steps = [s for s in o.trace if s.rule == "pledge_vote"]
        assert [s.message for s in steps] == [
            "pledge_vote (承诺事项表决): item 修村道: 满意 10, 不满意 3 (13 ballots); 不满意 "
            "3/13 is not above 50%: confirmed",
            "pledge_vote (承诺事项表决): item 建桥: 满意 6, 不满意 7 (13 ballots); 不满意 7/13 is above 50%: rejected",
            "pledge_vote (承诺事项表决): 1 of 2 items confirmed, 1 rejected; items confirmed: 1",
        ]
        assert {s.clause for s in steps} == {"三、(一)3"}
        assert render_step(steps[1], "zh") == (
            "承诺事项表决(pledge_vote):事项 建桥:满意 6、不满意 7(共 13 票);不满意 7/13,超过 50%:不予确认"
        )

    def test_the_bound_as_written(self) -> None:
        """A share shows as a percentage when it is one, else exactly: 50%, 62.5%, 2/3."""
        assert [share_text(Fraction(1, 2)), share_text(Fraction(5, 8)), share_text(Fraction(2, 3))] == [
            "50%",
            "62.5%",
            "2/3",
        ]


class TestEvidence:
    """Problems are reported for the item they are in, all of them at once."""

    def test_problems_item_by_item(self) -> None:
        votes = {
            "甲": {"tallies": {"满意": 8, "很满意": 2}},
            "乙": {"tallies": {"满意": 2.5}},
            "丙": {"tallies": {}},
            "丁": {"tally": {"满意": 3}},
            "戊": 12,
            "己": tally(10, 0, 0),
        }
        o = grade(scheme(), votes)
        assert o.status == "insufficient_evidence"
        assert [(r.code, r.message) for r in o.reasons] == [
            (
                "unknown_tier",
                "pledge_vote: item '甲': unknown tier '很满意'; did you mean '满意'? (scale: 满意, 基本满意, 不满意)",
            ),
            (
                "invalid_count",
                "pledge_vote: item '乙': the count for '满意' must be a whole number from 0 to 10^12 (got 2.5)",
            ),
            ("too_few_respondents", "pledge_vote: item '丙': 0 ballots, at least 1 required"),
            ("invalid_evidence", "pledge_vote: item '丁': expected {\"tallies\": {...}} (got {'tally': {'满意': 3}})"),
            ("invalid_evidence", "pledge_vote: item '戊': expected {\"tallies\": {...}} (got 12)"),
        ]

    def test_an_unknown_key_beside_the_tallies(self) -> None:
        o = grade(scheme(), {"甲": {"tallies": {"满意": 3}, "talies": {}}})
        assert [r.message for r in o.reasons] == [
            "pledge_vote: item '甲': unknown key 'talies'; did you mean 'tallies'?"
        ]

    def test_min_respondents_per_item(self) -> None:
        """min_respondents = 5: 4 ballots on one item is too few for that item."""
        s = scheme('scale = "satisfaction"\nreject', 'scale = "satisfaction"\nmin_respondents = 5\nreject')
        o = grade(s, {"甲": tally(3, 1, 0), "乙": tally(5, 0, 0)})
        assert [r.message for r in o.reasons] == ["pledge_vote: item '甲': 4 ballots, at least 5 required"]

    def test_expected_bounds_every_item(self) -> None:
        """expected 12: 13 ballots on one item cannot be; expected must be a count."""
        o = grade(scheme(), {"甲": tally(10, 0, 3), "乙": tally(10, 0, 2)}, expected=12)
        assert [r.message for r in o.reasons] == ["pledge_vote: item '甲': 13 ballots but only 12 could vote"]
        o = grade(scheme(), {"甲": tally(10, 0, 2)}, expected="12")
        assert [r.code for r in o.reasons] == ["invalid_evidence"]

    def test_the_shape_of_another_kind(self) -> None:
        """A ballot's tallies where the votes per item go: the shape the instrument expects, named."""
        subject = {"id": "p", "role": "person", "evidence": {"pledge_vote": {"tallies": {"满意": 3}}}}
        o = ve.evaluate(scheme(), ve.cohort_from_dict({"subjects": [subject]})).outcome("p")
        assert [r.code for r in o.reasons] == ["invalid_evidence"]
        assert "'votes'" in o.reasons[0].message

    def test_the_kind_key_is_read(self) -> None:
        o = grade(scheme(), {}, kind="item_ballot")
        assert o.status == "graded"


class TestValidation:
    def test_scale_and_tiers(self) -> None:
        toml = SCHEME.replace(
            'scale = "satisfaction"\nreject_when = { tiers = ["不满意"]',
            'scale = "satisfaction"\nreject_when = { tiers = ["不满意意"]',
        )
        assert problems(toml) == [
            (
                ("instruments", "pledge_vote", "reject_when", "tiers", 0),
                "unknown tier '不满意意': not a tier of scale 'satisfaction'; did you mean '不满意'?",
            )
        ]

    def test_exactly_one_bound(self) -> None:
        both = SCHEME.replace('above = "50%" }', 'above = "50%", at_least = "50%" }')
        neither = SCHEME.replace(', above = "50%" }', " }")
        message = "give exactly one of above (超过) and at_least (达到): the share that rejects an item"
        assert problems(both) == [(("instruments", "pledge_vote", "reject_when"), message)]
        assert problems(neither) == [(("instruments", "pledge_vote", "reject_when"), message)]

    def test_bounds_that_cannot_decide(self) -> None:
        """above = 1 rejects nothing, at_least = 0 everything; 50 is a percentage written wrong."""
        assert problems(SCHEME.replace('above = "50%"', "above = 1")) == [
            (("instruments", "pledge_vote", "reject_when", "above"), "above = 1: no item can be rejected")
        ]
        assert problems(SCHEME.replace('above = "50%"', "at_least = 0")) == [
            (("instruments", "pledge_vote", "reject_when", "at_least"), "at_least = 0: every item is rejected")
        ]
        [(path, message)] = problems(SCHEME.replace('above = "50%"', "above = 50"))
        assert path == ("instruments", "pledge_vote", "reject_when", "above")
        assert 'for 50% write 0.5 or "50%"' in message

    def test_percent_and_number_are_one_scheme(self) -> None:
        assert ve.scheme_hash(scheme()) == ve.scheme_hash(scheme('above = "50%"', "above = 0.5"))

    def test_it_records_no_shares(self) -> None:
        """A share predicate cannot read it: its counts are of items, not of tallies."""
        toml = SCHEME + (
            '\n[findings.f]\nclause = "x"\ntext = "x"\nwhen = { share = '
            '"pledge_vote", tiers = ["不满意"], above = 0.5 }\n'
        )
        [(path, message)] = problems(toml)
        assert path == ("findings", "f", "when", "share")
        assert "not a ballot: it has no shares" in message

    def test_it_is_not_weighted(self) -> None:
        """A count of items has no maximum: weighting it is refused."""
        toml = SCHEME.replace(
            '[gradings.result]\nkind = "conditions"',
            '[weightings.w]\nclause = "x"\ntotal = 100\nweights = { pledge_vote = 100 '
            '}\n\n[gradings.result]\nkind = "conditions"',
        )
        assert [path for path, _ in problems(toml)] == [("weightings", "w", "weights", "pledge_vote")]


class TestCatalogue:
    def test_both_languages_take_the_same_parameters(self) -> None:
        """Every entry of the kinds' area has an English and a Chinese template over the same names."""
        names = re.compile(r"(?<!\{)\{(\w+)\}")
        for key, (en, zh) in MESSAGES.items():
            assert key.startswith(("kinds.item_ballot.", "kinds.ledger.")), key
            assert set(names.findall(en)) == set(names.findall(zh)), key
            assert re.search(r"[\u4e00-\u9fff]", zh), key


# --- invariants --------------------------------------------------------------------------------

ITEM = st.fixed_dictionaries(
    {"满意": st.integers(0, 40), "基本满意": st.integers(0, 40), "不满意": st.integers(0, 40)}
).filter(lambda t: sum(t.values()) > 0)
VOTES = st.dictionaries(st.text("甲乙丙丁戊己庚辛", min_size=1, max_size=3), ITEM, max_size=8)
S = scheme()
REJECTED = scheme(
    'reject_when = { tiers = ["不满意"], above = "50%" }',
    'reject_when = { tiers = ["不满意"], above = "50%" }\nmeasure = "rejected"',
)


def confirmed(s: ve.Scheme, votes: dict[str, dict[str, int]]) -> Fraction:
    o = grade(s, {item: {"tallies": t} for item, t in votes.items()})
    value = o.instrument_scores["pledge_vote"]
    assert value is not None
    return value


@given(VOTES)
def test_confirmed_and_rejected_make_up_the_items(votes: dict[str, dict[str, int]]) -> None:
    """Every item is confirmed or rejected, never both, never neither."""
    assert confirmed(S, votes) + confirmed(REJECTED, votes) == len(votes)


@given(VOTES, st.randoms(use_true_random=False))
def test_the_order_of_the_items_does_not_matter(votes: dict[str, dict[str, int]], rnd: Any) -> None:
    shuffled = list(votes.items())
    rnd.shuffle(shuffled)
    assert confirmed(S, votes) == confirmed(S, dict(shuffled))


@given(ITEM, st.integers(2, 5))
def test_a_verdict_is_a_share_and_survives_scaling(t: dict[str, int], k: int) -> None:
    """The verdict reads the share only: every count of an item times k gives the same verdict."""
    assert confirmed(S, {"甲": t}) == confirmed(S, {"甲": {tier: n * k for tier, n in t.items()}})


def test_the_evidence_class_keeps_what_it_is_given() -> None:
    ev = ItemBallotEvidence({"甲": {"tallies": {"满意": 3}}})
    assert (dict(ev.votes), ev.expected) == ({"甲": {"tallies": {"满意": 3}}}, None)
