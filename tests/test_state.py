"""State with one owner: a scheme is plain data, what loading adds is held beside it, rules get a read-only view.

A :class:`~villageeval.Scheme` has no hidden fields: two schemes with the same rules
compare equal and serialise alike whatever they were loaded through, and ``evolve``
copies everything. The registry, Python rules and plan of a loaded scheme live beside
it for as long as it lives, and no longer. Predicates, adjusters and plugin scorers see
a :class:`~villageeval.RuleContext` that they cannot write to.
"""

from __future__ import annotations

import gc
import types
import weakref
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

import villageeval as ve
from villageeval import _bound

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
DEMO = HUINING / "demo.json"


class TestSchemeIsPlainData:
    def test_every_field_is_written_by_its_author(self) -> None:
        """Every field of Scheme is an __init__ field without a leading underscore: nothing hidden."""
        fields = attrs.fields(ve.Scheme)
        assert [] == [f.name for f in fields if not f.init or f.name.startswith("_")]

    def test_evolve_copies_everything(self) -> None:
        """A copy made with evolve equals the original, and grades the demo alike (it has no plugins)."""
        loaded = ve.load_scheme(HUINING)
        copy = attrs.evolve(loaded)
        cohort = ve.load_cohort(DEMO)
        assert loaded == copy
        same = {"decision_id": "00000000-0000-4000-8000-000000000000", "evaluated_at": "2026-12-04T00:00:00Z"}
        assert ve.result_to_dict(ve.evaluate(loaded, cohort, **same)) == ve.result_to_dict(
            ve.evaluate(copy, cohort, **same)
        )

    def test_the_plan_is_kept_beside_the_scheme(self) -> None:
        """The compiled plan is built once per scheme object, and two equal schemes have a plan each."""
        a, b = ve.load_scheme(HUINING), ve.load_scheme(HUINING)
        assert (a, True, False) == (b, _bound.plan_of(a) is _bound.plan_of(a), _bound.plan_of(a) is _bound.plan_of(b))

    def test_nothing_outlives_the_scheme(self) -> None:
        """Once a graded scheme is dropped, it is collected, and what was held beside it goes with it."""
        scheme = ve.load_scheme(HUINING)
        ve.evaluate(scheme, ve.load_cohort(DEMO))
        ref, key = weakref.ref(scheme), id(scheme)
        assert key in _bound._entries
        del scheme
        gc.collect()
        assert (None, False) == (ref(), key in _bound._entries)


def _plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, ve.hookimpl(fn))
    return module


SCHEME = """
id = "view-test"
title = "测试"
locality = { name = "某县" }
[roles.team]
label = "班子"
[scales.grade]
tiers = ["好", "一般", "差"]
[instruments.committee]
kind = "score"
title = "乡镇党委评价"
clause = "一"
max = 100
[weightings.main]
clause = "一"
total = 100
weights = { committee = 100 }
[gradings.main]
clause = "二"
scale = "grade"
round = { digits = 0 }
bands = [{ grade = "好", at_least = 85 }, { grade = "一般", at_least = 60, below = 85 }, { grade = "差", below = 60 }]
[vetoes.probe]
clause = "三"
text = "探针"
when = { rule = "probe" }
grade = "差"
"""


def _graded_with(probe: Callable[[ve.RuleContext], bool]) -> ve.Outcome:
    pm = ve.make_plugin_manager(
        autoload=False, plugins=[_plugin("probes", villageeval_register_predicates=lambda: {"probe": probe})]
    )
    scheme = ve.loads_scheme(SCHEME, registry=ve.Registry(pm))
    cohort = ve.cohort_from_dict({"subjects": [{"id": "a", "role": "team", "evidence": {"committee": {"value": 90}}}]})
    return ve.evaluate(scheme, cohort).outcome("a")


class TestRulesSeeAReadOnlyView:
    def test_what_a_predicate_sees(self) -> None:
        """The view shows the subject as graded so far: its score 90, total, rounded total and band 好."""
        seen: dict[str, object] = {}

        def probe(ctx: ve.RuleContext) -> bool:
            seen.update(
                grade=ctx.grade, total=ctx.total, rounded=ctx.rounded, scores=dict(ctx.scores), id=ctx.subject.id
            )
            return False

        assert "好" == _graded_with(probe).final_grade
        expected = {
            "grade": "好",
            "total": Fraction(90),
            "rounded": Fraction(90),
            "scores": {"committee": 90},
            "id": "a",
        }
        assert expected == seen

    @pytest.mark.parametrize(
        "write",
        [
            lambda ctx: setattr(ctx, "grade", "好"),
            lambda ctx: ctx.scores.__setitem__("committee", Fraction(100)),
            lambda ctx: ctx.facts.__setitem__("x", True),
            lambda ctx: ctx.tallies.clear(),  # type: ignore[attr-defined]
        ],
        ids=["grade", "scores", "facts", "tallies"],
    )
    def test_a_write_fails_and_names_the_predicate(self, write: Callable[[ve.RuleContext], object]) -> None:
        """A predicate that tries to change what it reads gets an error, reported as a PluginError naming it."""

        def probe(ctx: ve.RuleContext) -> bool:
            write(ctx)
            return False

        with pytest.raises(ve.PluginError, match="predicate 'probe'"):
            _graded_with(probe)

    def test_adjusters_get_the_view(self) -> None:
        """villageeval_adjust_outcome gets a RuleContext too, not the engine's working state."""
        got: list[object] = []

        def adjust(outcome: ve.Outcome, scheme: ve.Scheme, context: ve.RuleContext) -> None:
            got.append(type(context))

        pm = ve.make_plugin_manager(
            autoload=False,
            plugins=[
                _plugin("probes", villageeval_register_predicates=lambda: {"probe": lambda ctx: False}),
                _plugin("adjust", villageeval_adjust_outcome=adjust),
            ],
        )
        scheme = ve.loads_scheme(SCHEME, registry=ve.Registry(pm))
        cohort = ve.cohort_from_dict(
            {"subjects": [{"id": "a", "role": "team", "evidence": {"committee": {"value": 90}}}]}
        )
        ve.evaluate(scheme, cohort, trace=False)
        assert [ve.RuleContext] == got
