"""The quick path gives exactly the outcomes of the careful path.

``evaluate(..., trace=False)`` takes a quick path for subjects whose facts and evidence
are plainly valid (no explanations, memoised sub-scores, grades looked up by rounded
total, vetoes on boolean facts skipped when no fact is true). ``trace=True`` always
takes the careful path, which explains every step. The two must agree on everything
but the trace, for every scheme and every cohort, valid or not: these properties
compare them on generated schemes and cohorts, with broken evidence and facts mixed
in, and on every bundled scheme's demo cohort.

The number of examples comes from the hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_engine_properties import huining_subject

import villageeval as ve
from villageeval.testing.strategies import cohorts, invalid_evidence, schemes

SCHEMES = Path(__file__).parent.parent / "schemes"
# The least evidence huining accepts, every ballot and the site 好 (四、2–四、5); no committee score.
LEAST = {
    "appraisal": (20, 0, 0),
    "interview": (15, 0, 0),
    "household_visit": (3, 0, 0),
    "strata": {"庄": 3},
    "site_inspection": "好",
}
BUNDLED = sorted(p.name for p in SCHEMES.iterdir() if (p / "demo.json").is_file())


def without_trace(result: ve.Result) -> ve.Result:
    return attrs.evolve(result, outcomes=tuple(attrs.evolve(o, trace=()) for o in result.outcomes))


#: A fixed decision id and time (issue #16's audit record): two evaluations compare equal.
SAME_DECISION = {"decision_id": "00000000-0000-4000-8000-000000000000", "evaluated_at": "2026-12-04T00:00:00Z"}


def assert_same(scheme: ve.Scheme, cohort: ve.Cohort) -> None:
    quick = ve.evaluate(scheme, cohort, trace=False, **SAME_DECISION)
    careful = ve.evaluate(scheme, cohort, trace=True, **SAME_DECISION)
    assert all(o.trace == () for o in quick.outcomes)
    assert quick == without_trace(careful)


# Values a fact can wrongly hold: each must send the subject down the careful path.
WRONG_FACTS = st.sampled_from([None, 0, 1, "true", "yes", 1.0, Decimal("NaN"), "x/y", [True]])


@st.composite
def damaged(draw: st.DrawFn, scheme: ve.Scheme, cohort: ve.Cohort) -> ve.Cohort:
    """The cohort with some subjects' evidence or facts broken (or removed)."""
    subjects = list(cohort.subjects)
    for i in draw(st.sets(st.integers(0, max(len(subjects) - 1, 0)), max_size=3)) if subjects else ():
        s = subjects[i]
        what = draw(st.sampled_from(["evidence", "missing", "fact", "no-fact"]))
        if what in ("evidence", "missing"):
            iids = sorted(iid for iid, ins in scheme.instruments.items() if s.role in scheme.role_ids(ins.roles))
            if not iids:
                continue
            iid = draw(st.sampled_from(iids))
            evidence: dict[str, Any] = dict(s.evidence)
            if what == "missing":
                evidence.pop(iid, None)
            else:
                evidence[iid] = draw(invalid_evidence(scheme, iid))
            subjects[i] = attrs.evolve(s, evidence=evidence)
        elif s.facts or scheme.facts:
            name = draw(st.sampled_from(sorted({*s.facts, *scheme.facts})))
            facts = dict(s.facts)
            if what == "no-fact":
                facts.pop(name, None)
            else:
                facts[name] = draw(WRONG_FACTS)
            subjects[i] = attrs.evolve(s, facts=facts)
    return ve.Cohort(subjects, period=cohort.period)


class TestSameOutcomes:
    @given(st.data())
    def test_generated_valid(self, data: st.DataObject) -> None:
        """Valid cohorts of generated schemes: quotas, vetoes, caps, findings, consequences."""
        scheme = data.draw(schemes())
        assert_same(scheme, data.draw(cohorts(scheme, max_size=12)))

    @given(st.data())
    def test_generated_damaged(self, data: st.DataObject) -> None:
        """With broken, missing or wrongly typed evidence and facts mixed in."""
        scheme = data.draw(schemes())
        cohort = data.draw(cohorts(scheme, max_size=8))
        assert_same(scheme, data.draw(damaged(scheme, cohort)))

    @pytest.mark.parametrize("scheme_id", BUNDLED)
    def test_bundled_demo(self, scheme_id: str) -> None:
        """Each bundled scheme's demo cohort, which has insufficient subjects on purpose."""
        scheme = ve.load_scheme(SCHEMES / scheme_id)
        assert_same(scheme, ve.load_cohort(SCHEMES / scheme_id / "demo.json"))

    @given(st.data())
    def test_huining_damaged(self, huining: ve.Scheme, data: st.DataObject) -> None:
        cohort = data.draw(cohorts(huining, max_size=8))
        assert_same(huining, data.draw(damaged(huining, cohort)))


class TestMemoisedValues:
    """Sub-scores are memoised by value: equal numbers of another type stay apart where they must."""

    def test_float_committee_score_is_never_taken_for_an_int(self, huining: ve.Scheme) -> None:
        e = {**LEAST, "party_committee": 87}
        exact = huining_subject("a", e)
        as_float = huining_subject("b", {**e, "party_committee": 87.0})
        result = ve.evaluate(huining, ve.Cohort([exact, as_float]), trace=False)
        assert result.outcome("a").status == "graded"
        # the int 87 is memoised first; 87.0 == 87 and hashes alike, yet it is a float
        assert result.outcome("b").status == "insufficient_evidence"
        assert [r.code for r in result.outcome("b").reasons] == ["invalid_evidence"]

    def test_fraction_and_decimal_scores_agree(self, huining: ve.Scheme) -> None:
        e = LEAST
        # 四、6: 90 × 40% + 90 × 20% + 90 × 20% + 90 × 10% + 87.5 × 10% = 81 + 8.75 = 89.75
        subjects = [
            huining_subject("a", {**e, "party_committee": Decimal("87.5")}),
            huining_subject("b", {**e, "party_committee": Fraction(175, 2)}),
        ]
        result = ve.evaluate(huining, ve.Cohort(subjects), trace=False)
        assert result.outcome("a").score == result.outcome("b").score == Fraction(359, 4)


class TestTalliesForPlugins:
    """The quick path records tallies and tiers only when something may read them.

    huining's own rules read neither, so a plain evaluation does not record them; a
    plugin's outcome adjuster gets the context, and must see them all the same.
    """

    def test_adjusters_see_tallies_and_tiers(self) -> None:
        import types

        seen: dict[str, Any] = {}

        def adjust(outcome: ve.Outcome, context: ve.RuleContext) -> None:
            seen[outcome.subject_id] = (dict(context.tallies), dict(context.tiers))

        module = types.ModuleType("county_tallies")
        module.villageeval_adjust_outcome = ve.hookimpl(adjust)  # type: ignore[attr-defined]
        registry = ve.Registry(ve.make_plugin_manager(autoload=False, plugins=[module]))
        scheme = ve.load_scheme(SCHEMES / "huining-midterm-2023", registry=registry)
        e = {**LEAST, "appraisal": (15, 5, 0), "site_inspection": "一般", "party_committee": 80}
        ve.evaluate(scheme, ve.Cohort([huining_subject("a", e)]), trace=False)
        tallies, tiers = seen["a"]
        assert tallies["appraisal"] == ({"好": 15, "一般": 5, "差": 0}, 20)
        assert tallies["household_visit"][1] == 3
        assert tiers == {"site_inspection": "一般"}
