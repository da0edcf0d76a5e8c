"""Instrument kinds are registered specs: the built-in ones through the plugin hook, each reading its own evidence.

The built-in kinds come from villageeval's built-in plugin exactly as a plugin's kind
comes from the plugin; a kind that is not registered is an error wherever it is looked
up; and the evidence of an instrument is read by its kind, whatever keys it has (a
kind may use ``items``, the key the ``points`` kind reads, for evidence of its own).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs
import pytest

import villageeval as ve
from villageeval._kinds.spec import KindDeprecationWarning


def registry(*plugins: object) -> ve.Registry:
    """The built-ins and ``plugins``, no installed packages."""
    return ve.Registry(ve.make_plugin_manager(autoload=False, plugins=plugins))


def kinds_plugin(*kinds: ve.InstrumentKind, name: str = "county_a") -> types.ModuleType:
    module = types.ModuleType(name)
    module.villageeval_register_instrument_kinds = ve.hookimpl(lambda: list(kinds))  # type: ignore[attr-defined]
    return module


class TestBuiltinKindsAreRegistered:
    def test_through_the_hook(self) -> None:
        """ballot, rating, score and points come from the built-in plugin's hook, in the documented order."""
        kinds = registry().kinds()
        assert ["ballot", "rating", "score", "points", "item_ballot", "ledger"] == list(kinds)
        assert {"villageeval._builtin"} == {kind.plugin for kind in kinds.values()}

    def test_listed_by_the_plugins_report(self) -> None:
        """``villageeval plugins`` shows the built-in kinds under the built-in plugin, like any plugin's."""
        builtin = next(p for p in registry().plugins() if p.name == "villageeval._builtin")
        assert ("ballot", "item_ballot", "ledger", "points", "rating", "score") == builtin.instrument_kinds

    def test_plugin_kinds_after_the_builtin_ones(self) -> None:
        """A plugin's kind is added to the built-in ones, not instead of them."""
        extra = ve.InstrumentKind("attendance", Attendance, attendance, lambda config: (0, 100), ve.ScoreEvidence)
        assert ["ballot", "rating", "score", "points", "item_ballot", "ledger", "attendance"] == list(
            registry(kinds_plugin(extra)).kinds()
        )

    def test_unknown_kind_is_an_error(self) -> None:
        """A scheme naming a kind nobody registers is refused, with the kinds there are."""
        text = SCHEME.replace('kind = "pledges"', 'kind = "pledge"')
        with pytest.raises(ve.SchemeError) as e:
            ve.loads_scheme(text, registry=registry(kinds_plugin(PLEDGES)))
        [problem] = e.value.problems
        assert ("instruments", "pledges", "kind") == problem.path
        assert (
            "unknown instrument kind 'pledge'; did you mean 'pledges'? "
            "(known: ballot, rating, score, points, item_ballot, ledger, pledges)" == problem.message
        )

    def test_a_kind_needs_a_score_or_a_bind(self) -> None:
        """A kind that cannot score is refused when it is registered, naming the plugin."""
        bare = ve.InstrumentKind("nothing", Attendance, None, lambda config: (0, 100), ve.ScoreEvidence)
        with pytest.raises(ve.PluginError, match="plugin 'county_a': instrument kind 'nothing' needs a score"):
            registry(kinds_plugin(bare)).kinds()


@attrs.frozen
class Attendance:
    title: str
    clause: str
    kind: str = "attendance"


def attendance(config: Attendance, evidence: Any, context: ve.RuleContext) -> Fraction:
    return Fraction(evidence.value)


# --- a kind that reads ``items`` as evidence of its own ------------------------------------


@attrs.frozen
class Pledges:
    """Pledge items voted on by villagers; the sub-score is the share confirmed (of 100)."""

    title: str
    clause: str
    kind: str = "pledges"
    roles: tuple[str, ...] = ()


@attrs.frozen
class PledgeVotes:
    """Per pledge item, the votes: ``{"items": {"修路": {"满意": 30, "不满意": 5}}}``."""

    items: Mapping[str, Any]


def pledges_score(config: Pledges, evidence: PledgeVotes, context: ve.RuleContext) -> Fraction:
    """An item is confirmed unless more than half its votes are 不满意 (002 三、(一)3)."""
    if not evidence.items:
        raise ve.EvidenceProblem("missing_evidence", "no pledge items")
    confirmed = sum(1 for votes in evidence.items.values() if 2 * votes.get("不满意", 0) <= sum(votes.values()))
    return Fraction(100 * confirmed, len(evidence.items))


PLEDGES = ve.InstrumentKind(
    name="pledges",
    config=Pledges,
    score=pledges_score,
    score_range=lambda config: (Fraction(0), Fraction(100)),
    evidence=PledgeVotes,
)

SCHEME = """
id = "pledge-items"
title = "承诺考评"
locality = { name = "某乡" }
[roles.secretary]
label = "村党支部书记"
[scales.grade]
tiers = ["合格", "不合格"]
[instruments.pledges]
kind = "pledges"
title = "承诺事项"
clause = "三、(一)3"
[instruments.jury]
kind = "points"
title = "现场评分"
clause = "三、(二)2"
items = { report = { label = "述职", max = 60 }, progress = { label = "进度", max = 40 } }
[weightings.main]
clause = "三、(二)"
total = 100
weights = { pledges = 50, jury = 50 }
[gradings.main]
clause = "三、(二)"
scale = "grade"
round = { digits = 0 }
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
"""


class TestEvidenceIsReadByTheInstrumentsKind:
    def scheme(self) -> ve.Scheme:
        return ve.loads_scheme(SCHEME, registry=registry(kinds_plugin(PLEDGES)))

    def cohort(self, pledge_items: object) -> ve.Cohort:
        return ve.cohort_from_dict(
            {
                "subjects": [
                    {
                        "id": "a",
                        "role": "secretary",
                        "evidence": {
                            "pledges": {"items": pledge_items},
                            "jury": {"items": {"report": 48, "progress": 30}},
                        },
                    }
                ]
            }
        )

    @pytest.mark.parametrize("trace", [True, False])
    def test_two_kinds_both_reading_items(self, trace: bool) -> None:
        """One of 2 items rejected (6 of 10 不满意) → 50; jury 48 + 30 = 78; total 50 × 50/100 + 78 × 50/100 = 64."""
        votes = {"修路": {"满意": 30, "不满意": 5}, "建活动室": {"满意": 4, "不满意": 6}}
        o = ve.evaluate(self.scheme(), self.cohort(votes), trace=trace).outcome("a")
        assert ("graded", {"pledges": Fraction(50), "jury": Fraction(78)}, Fraction(64), "合格") == (
            o.status,
            dict(o.instrument_scores),
            o.score,
            o.final_grade,
        )

    def test_the_kinds_own_problem(self) -> None:
        """The plugin's reader and scorer decide what is wrong, with the plugin's code."""
        o = ve.evaluate(self.scheme(), self.cohort({})).outcome("a")
        assert [("missing_evidence", "pledges: no pledge items")] == [(r.code, r.message) for r in o.reasons]

    def test_a_key_the_kind_does_not_have(self) -> None:
        """A misspelt key is named against the kind's own evidence class, with a did-you-mean."""
        cohort = ve.cohort_from_dict(
            {
                "subjects": [
                    {
                        "id": "a",
                        "role": "secretary",
                        "evidence": {"pledges": {"itmes": {}}, "jury": {"items": {"report": 48, "progress": 30}}},
                    }
                ]
            }
        )
        o = ve.evaluate(self.scheme(), cohort).outcome("a")
        assert [("invalid_evidence", "pledges")] == [(r.code, r.instrument) for r in o.reasons]
        assert "did you mean 'items'?" in o.reasons[0].message


class TestLegacyKinds:
    def test_a_kind_without_evidence_is_deprecated(self) -> None:
        """A kind that does not say which evidence it reads is warned about when registered, and still reads by head."""
        legacy = ve.InstrumentKind("attendance", Attendance, attendance, lambda config: (0, 100))
        with pytest.warns(KindDeprecationWarning, match="does not say which evidence it reads"):
            kind = registry(kinds_plugin(legacy)).kinds()["attendance"]
        assert ve.ScoreEvidence("7") == kind.read({"value": "7"})

    def test_score_range_may_take_the_scheme(self) -> None:
        """``score_range(config, scheme)`` is called with the scheme; ``score_range(config)`` without."""
        seen: list[object] = []

        def two(config: Any, scheme: Any) -> tuple[Fraction, Fraction]:
            seen.append(scheme)
            return Fraction(0), Fraction(100)

        kind = registry(
            kinds_plugin(ve.InstrumentKind("attendance", Attendance, attendance, two, ve.ScoreEvidence))
        ).kinds()["attendance"]
        assert (Fraction(0), Fraction(100)) == kind.score_range(Attendance("t", "c"), "the scheme")
        assert ["the scheme"] == seen
