"""Plugins: the manager, the typed hook wrappers, ``rules.py`` directories and the CLI.

Every test builds its own manager with exactly the plugins it needs
(``make_plugin_manager(autoload=False, plugins=[...])``): installed packages never
leak in. Plugins are small modules built by :func:`plugin`, so that each has a name
the errors can be checked against.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pluggy
import pytest

import villageeval as ve
from villageeval._cli import main
from villageeval._plugins import AUTOLOAD_ENV, ENTRY_POINT_GROUP

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"

#: A small complete scheme: one role, one direct score, bands, a number fact and a
#: veto by a Python predicate. ``{id}`` and ``{rule}`` are filled in by :func:`scheme`.
SCHEME = """\
id = "{id}"
title = "测试方案"
{extra_top}
[locality]
name = "测试县"

[roles.team]
label = "村“两委”班子"

[scales.grade]
tiers = ["好", "一般", "差"]

[instruments.committee]
title = "乡镇党委评价"
kind = "{kind}"
clause = "一"
{instrument}

[weightings.main]
clause = "一"
total = 100
weights = {{ committee = 100 }}

[gradings.main]
clause = "二"
scale = "grade"
bands = [
  {{ grade = "好", at_least = 85 }},
  {{ grade = "一般", at_least = 60, below = 85 }},
  {{ grade = "差", below = 60 }},
]

[facts.income]
label = "村集体经济收入(万元)"
type = "number"
clause = "三"

[vetoes.weak]
clause = "三"
text = "集体经济薄弱的"
when = {{ all = [{{ fact = "income", at_least = 0 }}, {{ rule = "{rule}" }}] }}
grade = "差"
"""


def scheme(
    id: str = "test-x",
    rule: str = "weak",
    kind: str = "score",
    instrument: str = "max = 100",
    extra_top: str = "",
) -> str:
    """The text of :data:`SCHEME` with its blanks filled."""
    return SCHEME.format(id=id, rule=rule, kind=kind, instrument=instrument, extra_top=extra_top)


def line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of ``text`` that starts with ``start``."""
    return next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(start))


def write_scheme(directory: Path, text: str, rules: str | None = None) -> Path:
    """A scheme directory: ``scheme.toml`` and, if given, ``rules.py``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scheme.toml").write_text(text, encoding="utf-8")
    if rules is not None:
        (directory / "rules.py").write_text(rules, encoding="utf-8")
    return directory


def plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """A plugin module called ``name`` implementing the given hooks."""
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, ve.hookimpl(fn))
    return module


def registry(*plugins: object) -> ve.Registry:
    """A registry of the built-ins and ``plugins``, no installed packages."""
    return ve.Registry(ve.make_plugin_manager(autoload=False, plugins=plugins))


def weak(ctx: ve.RuleContext) -> bool:
    """A village collective earning under 5 (万元) is weak."""
    return bool(ctx.facts["income"] < 5)


def predicates(**fns: Callable[[ve.RuleContext], object]) -> types.ModuleType:
    """A plugin called ``preds`` registering ``fns`` as predicates."""
    return plugin("preds", villageeval_register_predicates=lambda: fns)


def cohort(*subjects: tuple[str, int, int]) -> ve.Cohort:
    """Teams as (id, committee score, income)."""
    return ve.cohort_from_dict(
        {
            "format": 1,
            "subjects": [
                {"id": sid, "role": "team", "evidence": {"committee": {"value": value}}, "facts": {"income": income}}
                for sid, value, income in subjects
            ],
        }
    )


class TestMakePluginManager:
    def test_builtins_and_given_plugins(self) -> None:
        """The built-in plugin comes first, then the given ones, and a Registry sees their answers."""
        pm = ve.make_plugin_manager(autoload=False, plugins=[predicates(weak=weak)])
        reg = ve.Registry(pm)
        assert ["villageeval._builtin", "preds"] == [name for name, _ in pm.list_name_plugin()]
        assert {"weak": weak} == {
            k: v for k, v in reg.predicates().items() if reg.predicate_owner(k) != "villageeval._builtin"
        }
        assert "huining-midterm-2023" in reg.schemes()

    def test_misspelt_hook_is_an_error(self) -> None:
        """A hook name with a typo fails check_pending, and the message names it."""
        typo = plugin("typo", villageeval_register_predicate=lambda: {"weak": weak})
        with pytest.raises(ve.PluginError, match="villageeval_register_predicate'") as e:
            ve.make_plugin_manager(autoload=False, plugins=[typo])
        assert "villageeval_register_predicates" in str(e.value)  # the real hooks are listed

    def test_misspelt_hook_registered_later(self) -> None:
        """Registry.register checks pending hooks too."""
        reg = registry()
        with pytest.raises(ve.PluginError, match="villageeval_validate_schemes"):
            reg.register(plugin("typo", villageeval_validate_schemes=lambda scheme: []))

    def test_argument_not_in_hookspec(self) -> None:
        """An implementation taking an argument the hook does not have is a PluginError naming it."""
        bad = plugin("bad-args", villageeval_adjust_outcome=lambda outcome, grade: None)
        with pytest.raises(ve.PluginError, match=r"(?s)cannot register plugin 'bad-args'.*\{'grade'\}"):
            ve.make_plugin_manager(autoload=False, plugins=[bad])

    def test_instance_named_by_its_class(self) -> None:
        """A plugin object without __name__ is named by its class, not by a number."""

        class County:
            @ve.hookimpl
            def villageeval_validate_scheme(self, scheme: ve.Scheme) -> list[Any]:
                return []

        reg = registry(County(), County())
        base = f"{County.__module__}.{County.__qualname__}"
        assert [base, f"{base}#2"] == [p.name for p in reg.plugins()][1:]


class TestAutoload:
    @pytest.fixture
    def calls(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Entry-point groups pluggy was asked to load (nothing is really loaded)."""
        seen: list[str] = []

        def record(self: pluggy.PluginManager, group: str, name: str | None = None) -> int:
            seen.append(group)
            return 0

        monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", record)
        return seen

    def test_loads_entry_points_by_default(self, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """Without the environment variable, the villageeval entry-point group is loaded."""
        monkeypatch.delenv(AUTOLOAD_ENV, raising=False)
        ve.make_plugin_manager()
        assert ["villageeval"] == calls == [ENTRY_POINT_GROUP]

    def test_env_var_turns_autoload_off(self, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD stops entry-point loading, for a Registry() too."""
        monkeypatch.setenv(AUTOLOAD_ENV, "1")
        pm = ve.make_plugin_manager()
        reg = ve.Registry()
        assert [] == calls
        assert ["villageeval._builtin"] == [name for name, _ in pm.list_name_plugin()]
        assert ["villageeval._builtin"] == [p.name for p in reg.plugins()]

    def test_empty_env_var_does_not_count(self, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """An empty VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD leaves autoloading on."""
        monkeypatch.setenv(AUTOLOAD_ENV, "")
        ve.make_plugin_manager()
        assert ["villageeval"] == calls

    def test_explicit_argument_wins(self, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """autoload=False and autoload=True override the environment."""
        monkeypatch.delenv(AUTOLOAD_ENV, raising=False)
        ve.make_plugin_manager(autoload=False)
        monkeypatch.setenv(AUTOLOAD_ENV, "1")
        ve.make_plugin_manager(autoload=True)
        assert ["villageeval"] == calls

    def test_broken_entry_point_is_a_plugin_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A package whose plugin fails to import gives a PluginError, not a bare traceback."""

        def broken(self: pluggy.PluginManager, group: str, name: str | None = None) -> int:
            raise ImportError("No module named 'villageeval_nowhere'")

        monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", broken)
        with pytest.raises(ve.PluginError, match="villageeval_nowhere"):
            ve.make_plugin_manager(autoload=True)


class TestRegisterSchemes:
    def test_scheme_found_by_id(self, tmp_path: Path) -> None:
        """A plugin's scheme directory loads by its id."""
        d = write_scheme(tmp_path / "a", scheme(id="county-a"))
        reg = registry(plugin("county_a", villageeval_register_schemes=lambda: [d]), predicates(weak=weak))
        assert d / "scheme.toml" == reg.schemes()["county-a"]
        assert "county-a" == ve.load_scheme("county-a", registry=reg).id

    def test_one_id_from_two_plugins(self, tmp_path: Path) -> None:
        """Two plugins registering one scheme id is an error naming both, with both files."""
        a = write_scheme(tmp_path / "a", scheme(id="same-id"))
        b = write_scheme(tmp_path / "b", scheme(id="same-id"))
        reg = registry(
            plugin("county_a", villageeval_register_schemes=lambda: [a]),
            plugin("county_b", villageeval_register_schemes=lambda: [str(b / "scheme.toml")]),
        )
        with pytest.raises(ve.PluginError) as e:
            reg.schemes()
        message = str(e.value)
        assert "two plugins register scheme 'same-id'" in message
        for part in ("'county_a'", "'county_b'", str(a / "scheme.toml"), str(b / "scheme.toml")):
            assert part in message

    def test_same_file_twice_is_fine(self, tmp_path: Path) -> None:
        """The same file registered twice (a directory and its scheme.toml) is one scheme."""
        a = write_scheme(tmp_path / "a", scheme(id="county-a"))
        reg = registry(plugin("county_a", villageeval_register_schemes=lambda: [a, a / "scheme.toml"]))
        assert a / "scheme.toml" == reg.schemes()["county-a"]

    def test_path_without_scheme(self, tmp_path: Path) -> None:
        """A registered path with no scheme.toml names the plugin."""
        reg = registry(plugin("county_a", villageeval_register_schemes=lambda: [tmp_path]))
        with pytest.raises(ve.PluginError, match=r"plugin 'county_a' registered .* no scheme\.toml"):
            reg.schemes()

    def test_not_a_list(self) -> None:
        """A single string instead of a list is refused, naming the plugin."""
        reg = registry(plugin("county_a", villageeval_register_schemes=lambda: "schemes/a"))
        with pytest.raises(ve.PluginError, match=r"plugin 'county_a' returned 'schemes/a'.*expected a list"):
            reg.schemes()


class TestRegisterPredicates:
    def test_one_name_from_two_plugins(self) -> None:
        """Two plugins registering one predicate name is an error naming both."""
        reg = registry(
            plugin("county_a", villageeval_register_predicates=lambda: {"weak": weak}),
            plugin("county_b", villageeval_register_predicates=lambda: {"weak": weak}),
        )
        with pytest.raises(ve.PluginError) as e:
            reg.predicates()
        assert str(e.value).startswith("two plugins register predicate 'weak': ")
        assert {"'county_a'", "'county_b'"} <= set(str(e.value).replace(" and ", " ").split())

    def test_not_a_mapping(self) -> None:
        """A list of functions instead of a name → function mapping names the plugin."""
        reg = registry(plugin("county_a", villageeval_register_predicates=lambda: [weak]))
        with pytest.raises(ve.PluginError, match="plugin 'county_a' returned list"):
            reg.predicates()

    def test_predicate_decides_a_veto(self) -> None:
        """A named predicate is called with the subject's context and its answer applies."""
        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=weak)))
        result = ve.evaluate(s, cohort(("poor", 90, 3), ("rich", 90, 8)))
        assert ("差", ["veto:weak"]) == (result.outcome("poor").final_grade, list(result.outcome("poor").flags))
        assert ("好", []) == (result.outcome("rich").final_grade, list(result.outcome("rich").flags))

    def test_predicate_that_raises(self) -> None:
        """A raising predicate is a PluginError naming the predicate, its module and the subject."""

        def broken(ctx: ve.RuleContext) -> bool:
            raise ZeroDivisionError("division by zero")

        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=broken)))
        with pytest.raises(ve.PluginError) as e:
            ve.evaluate(s, cohort(("poor", 90, 3)))
        expected = f"predicate 'weak' (from {__name__}) raised ZeroDivisionError: division by zero for subject 'poor'"
        assert expected == str(e.value)

    def test_predicate_returning_a_non_bool(self) -> None:
        """A predicate answering 1 instead of True is a PluginError naming it, its module and the subject."""
        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=lambda ctx: 1)))
        with pytest.raises(ve.PluginError) as e:
            ve.evaluate(s, cohort(("poor", 90, 3)))
        assert f"predicate 'weak' (from {__name__}) returned 1, not a bool, for subject 'poor'" == str(e.value)

    def test_unknown_predicate_at_load(self, tmp_path: Path) -> None:
        """A scheme naming a predicate nobody provides fails to load, at its line, with a did-you-mean."""
        text = scheme(rule="waek")
        path = write_scheme(tmp_path / "x", text) / "scheme.toml"
        with pytest.raises(ve.SchemeError) as e:
            ve.load_scheme(path, registry=registry(predicates(weak=weak)))
        expected = (
            f"{path}:{line_of(text, 'when = ')}: vetoes.weak.when.all[1].rule: "
            "no plugin provides a predicate named 'waek'; did you mean 'weak'?"
        )
        assert [expected] == [str(p) for p in e.value.problems]


#: A rules.py that leaves a mark when imported, so a test can tell whether it was.
RULES = """\
from pathlib import Path

from villageeval import hookimpl

Path(__file__).with_name("imported").write_text("yes", encoding="utf-8")


def weak(ctx):
    return ctx.facts["income"] < 5


@hookimpl
def villageeval_register_predicates():
    return {"weak": weak}


@hookimpl
def villageeval_validate_scheme(scheme):
    if scheme.id not in ("rules-a", "rules-child"):
        raise AssertionError(f"called for {scheme.id}")
    return []
"""


class TestSchemeDirectoryRules:
    def test_load_scheme_does_not_import_rules(self, tmp_path: Path) -> None:
        """load_scheme(dir) never imports rules.py; the error says how to register it on purpose."""
        d = write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES)
        with pytest.raises(ve.SchemeError) as e:
            ve.load_scheme(d, registry=registry())
        assert not (d / "imported").exists()
        (problem,) = e.value.problems
        assert str(d / "rules.py") in problem.message
        assert f"villageeval --with-rules {d}" in problem.message
        assert "Registry.add_scheme_directory" in problem.message

    def test_add_scheme_directory_imports_rules(self, tmp_path: Path) -> None:
        """After add_scheme_directory the rules load, namespaced by the scheme id, and apply."""
        d = write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES)
        reg = registry()
        assert "rules-a" == reg.add_scheme_directory(d)
        assert (d / "imported").exists()
        assert ["rules-a:weak"] == [k for k in reg.predicates() if reg.predicate_owner(k) != "villageeval._builtin"]
        assert "rules:rules-a" == reg.predicate_owner("rules-a:weak")
        assert d / "scheme.toml" == reg.schemes()["rules-a"]
        s = ve.load_scheme("rules-a", registry=reg)
        assert "差" == ve.evaluate(s, cohort(("poor", 90, 3))).outcome("poor").final_grade

    def test_other_scheme_cannot_use_unprefixed(self, tmp_path: Path) -> None:
        """Another scheme naming the predicate without the prefix gets a SchemeError."""
        reg = registry()
        reg.add_scheme_directory(write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES))
        with pytest.raises(ve.SchemeError, match="no plugin provides a predicate named 'weak'"):
            ve.loads_scheme(scheme(id="other-b"), registry=reg)

    def test_rules_checks_skip_other_schemes(self, tmp_path: Path) -> None:
        """A rules.py villageeval_validate_scheme is not called for another scheme."""
        reg = registry(predicates(weak=weak))
        reg.add_scheme_directory(write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES))
        assert "other-b" == ve.loads_scheme(scheme(id="other-b"), registry=reg).id

    def test_scheme_extending_sees_rules(self, tmp_path: Path) -> None:
        """A scheme extending the directory's scheme uses its predicates unprefixed, when loading and evaluating."""
        reg = registry()
        reg.add_scheme_directory(write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES))
        child = ve.loads_scheme('id = "rules-child"\nextends = "rules-a"\ntitle = "乡镇方案"\n', registry=reg)
        assert "差" == ve.evaluate(child, cohort(("poor", 90, 3))).outcome("poor").final_grade

    def test_registering_twice(self, tmp_path: Path) -> None:
        """Adding the same directory twice registers its rules once."""
        d = write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES)
        reg = registry()
        reg.add_scheme_directory(d)
        reg.add_scheme_directory(d / "scheme.toml")
        assert ["villageeval._builtin", "rules:rules-a"] == [p.name for p in reg.plugins()]


class TestValidateScheme:
    def test_problems_have_file_and_line(self, tmp_path: Path) -> None:
        """A plugin's problems are reported like built-in ones: file, line, key path, message."""

        def check(scheme: ve.Scheme) -> list[tuple[tuple[str | int, ...], str]]:
            return [(("vetoes", "weak", "grade"), "a veto must give the lowest grade")] if scheme.id == "x" else []

        text = scheme(id="x")
        path = write_scheme(tmp_path / "x", text) / "scheme.toml"
        reg = registry(predicates(weak=weak), plugin("county_a", villageeval_validate_scheme=check))
        with pytest.raises(ve.SchemeError) as e:
            ve.load_scheme(path, registry=reg)
        line = line_of(text, 'grade = "差"')
        expected = f"{path}:{line}: vetoes.weak.grade: a veto must give the lowest grade (check by plugin 'county_a')"
        assert [expected] == [str(p) for p in e.value.problems]

    def test_scheme_from_dict_runs_them_too(self) -> None:
        """A scheme built from plain data gets the plugins' checks, like one loaded from TOML."""
        check = plugin("county_a", villageeval_validate_scheme=lambda scheme: [(("title",), "not the document's")])
        data = ve.scheme_to_dict(ve.loads_scheme(scheme(), registry=registry(predicates(weak=weak))))
        with pytest.raises(ve.SchemeError) as e:
            ve.scheme_from_dict(data, registry=registry(predicates(weak=weak), check))
        assert ["<scheme>: title: not the document's (check by plugin 'county_a')"] == [
            str(p) for p in e.value.problems
        ]

    def test_not_called_when_builtin_checks_fail(self) -> None:
        """The plugins' checks run only on a scheme that passes the built-in ones."""
        seen: list[str] = []
        reg = registry(plugin("county_a", villageeval_validate_scheme=lambda scheme: seen.append(scheme.id)))
        with pytest.raises(ve.SchemeError):
            ve.loads_scheme(scheme(id="x"), registry=reg)  # no plugin provides 'weak'
        assert [] == seen

    def test_malformed_problem(self) -> None:
        """A problem that is not a (key path, message) pair names the plugin."""
        reg = registry(predicates(weak=weak), plugin("county_a", villageeval_validate_scheme=lambda scheme: ["bad"]))
        with pytest.raises(ve.PluginError, match=r"plugin 'county_a' returned 'bad'.*\(key path, message\)"):
            ve.loads_scheme(scheme(), registry=reg)


class TestAdjustOutcome:
    def test_adjustment_is_recorded(self) -> None:
        """A plugin's new grade is an Adjustment of kind plugin, in the trace with its rule and clause."""

        def adjust(outcome: ve.Outcome, scheme: ve.Scheme, context: ve.RuleContext) -> ve.OutcomeAdjustment | None:
            if outcome.final_grade == "一般" and context.facts["income"] >= 50:
                return ve.OutcomeAdjustment(grade="好", rule="strong", note="集体经济强村", clause="五、3")
            return None

        reg = registry(predicates(weak=weak), plugin("county_a", villageeval_adjust_outcome=adjust))
        s = ve.loads_scheme(scheme(), registry=reg)
        result = ve.evaluate(s, cohort(("rich", 70, 60), ("fair", 70, 20)))
        rich = result.outcome("rich")
        assert ("一般", "好") == (rich.raw_grade, rich.final_grade)
        assert (ve.Adjustment("county_a:strong", "plugin", "五、3", "一般", "好", "集体经济强村"),) == rich.adjustments
        assert ve.TraceStep("plugin", "一般 → 好: 集体经济强村", "county_a:strong", "五、3") in rich.trace
        assert ("一般", ()) == (result.outcome("fair").final_grade, result.outcome("fair").adjustments)

    def test_subset_of_arguments(self) -> None:
        """An implementation may take only some of the hook's arguments, as pluggy allows."""
        adjust = plugin(
            "county_a",
            villageeval_adjust_outcome=lambda outcome: ve.OutcomeAdjustment(grade="差", rule="all_poor"),
        )
        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=weak), adjust))
        assert "差" == ve.evaluate(s, cohort(("rich", 90, 60))).outcome("rich").final_grade

    def test_grade_not_of_the_scheme(self) -> None:
        """A grade the scheme does not have is a PluginError naming the plugin, the subject and the grades."""
        adjust = plugin(
            "county_a", villageeval_adjust_outcome=lambda outcome: ve.OutcomeAdjustment(grade="优秀", rule="r")
        )
        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=weak), adjust))
        with pytest.raises(ve.PluginError) as e:
            ve.evaluate(s, cohort(("rich", 90, 60)))
        expected = "plugin 'county_a' set subject 'rich' to '优秀', which is not a grade of this scheme (好, 一般, 差)"
        assert expected == str(e.value)

    def test_wrong_return_type(self) -> None:
        """Returning a bare grade instead of an OutcomeAdjustment names the plugin."""
        adjust = plugin("county_a", villageeval_adjust_outcome=lambda outcome: "差")
        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=weak), adjust))
        with pytest.raises(ve.PluginError, match=r"plugin 'county_a' returned '差'.*OutcomeAdjustment"):
            ve.evaluate(s, cohort(("rich", 90, 60)))

    def test_not_called_for_ungraded(self) -> None:
        """Subjects without a grade are not offered to the plugins."""
        seen: list[str] = []
        adjust = plugin("county_a", villageeval_adjust_outcome=lambda outcome: seen.append(outcome.subject_id))
        s = ve.loads_scheme(scheme(), registry=registry(predicates(weak=weak), adjust))
        data = {"format": 1, "subjects": [{"id": "none", "role": "team", "facts": {"income": 9}}]}
        assert "insufficient_evidence" == ve.evaluate(s, ve.cohort_from_dict(data)).outcome("none").status
        assert [] == seen


@attrs.frozen
class Attendance:
    """A plugin instrument: meetings attended out of those held, scored out of 100."""

    title: str
    clause: str
    held: int
    kind: str = "attendance"


def attendance_score(config: Attendance, evidence: object, context: ve.RuleContext) -> Fraction:
    """Meetings attended × 100 / meetings held."""
    if not isinstance(evidence, ve.ScoreEvidence):
        raise ve.EvidenceProblem("invalid_evidence", 'expected {"value": meetings attended}')
    attended = Fraction(evidence.value)
    if attended > config.held:
        raise ve.EvidenceProblem("out_of_range", f"{attended} meetings attended, only {config.held} held")
    return attended * 100 / config.held


ATTENDANCE = ve.InstrumentKind(
    name="attendance",
    config=Attendance,
    score=attendance_score,
    score_range=lambda config: (Fraction(0), Fraction(100)),
    evidence=ve.ScoreEvidence,
)


def kinds(*kinds: ve.InstrumentKind, name: str = "county_a") -> types.ModuleType:
    """A plugin registering instrument kinds."""
    return plugin(name, villageeval_register_instrument_kinds=lambda: list(kinds))


class TestInstrumentKinds:
    def test_end_to_end(self) -> None:
        """A scheme uses a plugin kind with its own keys; it is scored, weighted and graded."""
        reg = registry(predicates(weak=weak), kinds(ATTENDANCE))
        s = ve.loads_scheme(scheme(kind="attendance", instrument="held = 12"), registry=reg)
        instrument: Any = s.instruments["committee"]  # a plugin kind, outside the model's union
        assert Attendance(title="乡镇党委评价", clause="一", held=12) == instrument
        outcome = ve.evaluate(s, cohort(("a", 11, 9))).outcome("a")
        assert (Fraction(275, 3), "好") == (outcome.score, outcome.final_grade)
        assert ve.TraceStep("score", "committee (乡镇党委评价): 275/3 (≈ 91.67)", "committee", "一") in outcome.trace

    def test_unknown_key_of_a_plugin_kind(self) -> None:
        """The plugin's config class is strict like the built-in ones: a misspelt key is a problem."""
        reg = registry(predicates(weak=weak), kinds(ATTENDANCE))
        with pytest.raises(ve.SchemeError, match=r"unknown key 'hled'; did you mean 'held'\?"):
            ve.loads_scheme(scheme(kind="attendance", instrument="hled = 12"), registry=reg)

    def test_evidence_problem(self) -> None:
        """EvidenceProblem gives insufficient_evidence with the plugin's code and message."""
        reg = registry(predicates(weak=weak), kinds(ATTENDANCE))
        s = ve.loads_scheme(scheme(kind="attendance", instrument="held = 12"), registry=reg)
        outcome = ve.evaluate(s, cohort(("a", 13, 9))).outcome("a")
        assert "insufficient_evidence" == outcome.status
        assert [("out_of_range", "committee: 13 meetings attended, only 12 held")] == [
            (r.code, r.message) for r in outcome.reasons
        ]

    def test_wrong_type_returned(self) -> None:
        """A float score is a PluginError naming the kind, the instrument and the subject."""

        def floaty_score(config: Any, evidence: Any, context: Any) -> Any:
            return 91.5  # a float, not an exact number

        floaty = attrs.evolve(ATTENDANCE, score=floaty_score)
        reg = registry(predicates(weak=weak), kinds(floaty))
        s = ve.loads_scheme(scheme(kind="attendance", instrument="held = 12"), registry=reg)
        with pytest.raises(ve.PluginError) as e:
            ve.evaluate(s, cohort(("a", 11, 9)))
        expected = (
            "instrument kind 'attendance' returned 91.5 for 'committee' of subject 'a'; "
            "expected an exact Fraction or int"
        )
        assert expected == str(e.value)

    def test_score_outside_declared_range(self) -> None:
        """A score outside the kind's score_range is a PluginError."""
        wild = attrs.evolve(ATTENDANCE, score=lambda config, evidence, context: Fraction(101))
        reg = registry(predicates(weak=weak), kinds(wild))
        s = ve.loads_scheme(scheme(kind="attendance", instrument="held = 12"), registry=reg)
        with pytest.raises(ve.PluginError, match="outside its declared range 0–100"):
            ve.evaluate(s, cohort(("a", 11, 9)))

    def test_shadowing_a_builtin_kind(self) -> None:
        """A plugin kind may not take a built-in kind's name."""
        reg = registry(kinds(attrs.evolve(ATTENDANCE, name="ballot")))
        with pytest.raises(ve.PluginError, match="plugin 'county_a' registers kind 'ballot', which is built in"):
            reg.instrument_kinds()

    def test_one_kind_from_two_plugins(self) -> None:
        """Two plugins registering one kind is an error naming both."""
        reg = registry(kinds(ATTENDANCE, name="county_a"), kinds(ATTENDANCE, name="county_b"))
        with pytest.raises(ve.PluginError, match="two plugins register instrument kind 'attendance'") as e:
            reg.instrument_kinds()
        assert "'county_a'" in str(e.value)
        assert "'county_b'" in str(e.value)

    def test_config_without_required_fields(self) -> None:
        """A config class without title, clause and kind is refused, naming what lacks."""

        @attrs.frozen
        class Bare:
            held: int

        reg = registry(kinds(attrs.evolve(ATTENDANCE, config=Bare)))
        with pytest.raises(ve.PluginError, match=r"lacks the field\(s\) clause, kind, title"):
            reg.instrument_kinds()


class TestPluginsCommand:
    def test_lists_builtin(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        """`villageeval plugins` lists the built-in plugin, its distribution, version, hooks and scheme."""
        monkeypatch.setenv(AUTOLOAD_ENV, "1")
        assert 0 == main(["plugins"])
        name, hooks, *rest = capsys.readouterr().out.splitlines()
        assert f"villageeval._builtin\tvillageeval {ve.__version__}" == name
        assert "villageeval_register_schemes" in hooks.removeprefix("  hooks: ").split(", ")
        schemes = next(line for line in rest if line.startswith("  schemes: "))
        assert "huining-midterm-2023" in schemes.removeprefix("  schemes: ").split(", ")

    def test_lists_rules_of_a_directory(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """With --with-rules, the directory's rules.py is listed with its namespaced predicates."""
        monkeypatch.setenv(AUTOLOAD_ENV, "1")
        d = write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES)
        assert 0 == main(["--with-rules", str(d), "plugins"])
        out = capsys.readouterr().out
        expected = (
            "rules:rules-a\trules.py of rules-a -\n"
            "  hooks: villageeval_register_predicates, villageeval_validate_scheme\n"
            "  predicates: rules-a:weak\n"
        )
        assert out.endswith(expected)


class TestWithRules:
    def test_check_needs_the_flag(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Without --with-rules, check fails and says how; with it, the scheme is ok."""
        monkeypatch.setenv(AUTOLOAD_ENV, "1")
        d = write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES)
        assert 1 == main(["check", str(d)])
        assert f"--with-rules {d}" in capsys.readouterr().err
        assert not (d / "imported").exists()
        assert 0 == main(["--with-rules", str(d), "check", str(d)])
        out, err = capsys.readouterr()
        assert ("", True) == (err, out.startswith(f"{d / 'scheme.toml'}: ok (rules-a:"))

    def test_evaluate_by_id(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A directory given with --with-rules is known by its id, and its predicate applies."""
        monkeypatch.setenv(AUTOLOAD_ENV, "1")
        d = write_scheme(tmp_path / "rules-a", scheme(id="rules-a"), RULES)
        cohort_file = tmp_path / "cohort.json"
        cohort_file.write_text(json.dumps(ve.cohort_to_dict(cohort(("poor", 90, 3)))), encoding="utf-8")
        assert 0 == main(["--with-rules", str(d), "evaluate", "rules-a", str(cohort_file), "--format", "json"])
        (outcome,) = json.loads(capsys.readouterr().out)["outcomes"]
        assert ("差", ["veto:weak"]) == (outcome["final_grade"], outcome["flags"])
