"""The JSON Schemas of the interchange: generated from its definitions, shipped, and right.

- The shipped and published files are what ``villageeval._schema`` generates (drift).
- Every key the code reads or writes is in its schema, and nothing else: a field added in
  code and not in the schema (or not documented, which the generator needs) fails here.
- Every bundled demo cohort fits the generic cohort schema and its scheme's own; the
  results of evaluating them fit the result schema, with and without traces (every other
  result the suite produces is checked by the hook in ``conftest.py``).
- Broken cohorts do not fit; the evidence union is discriminated by ``kind``.
"""

from __future__ import annotations

import copy
import functools
import json
import types
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from tests.full_result import full_result

import villageeval as ve
from villageeval import _cohort, _schema
from villageeval._cli import main
from villageeval._kinds.evidence import DISCRIMINATOR
from villageeval._plugins import builtin_kinds
from villageeval._reading import load_json

ROOT = Path(__file__).resolve().parent.parent
DEMOS = sorted((ROOT / "schemes").glob("*/demo*.json"))
REGENERATE = "python scripts/generate_schemas.py"

GENERATED = _schema.generate(ROOT / "docs")


def validator(schema: Mapping[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


COHORT = validator(_schema.shipped("cohort"))
RESULT = validator(_schema.shipped("result"))


def part(schema: Mapping[str, Any], ref: str) -> jsonschema.Draft202012Validator:
    """A validator of one definition of ``schema`` (``#/$defs/Count``)."""
    return validator({"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": ref})


def errors(v: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in v.iter_errors(data)]


def as_json(data: Any) -> Any:
    """What a JSON reader of another language would see: the data through JSON text."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def demo_data(path: Path) -> Any:
    """A demo cohort as villageeval reads JSON (decimals exact), as plain JSON values."""
    return json.loads(path.read_text(encoding="utf-8"))


def demo_scheme(path: Path) -> ve.Scheme:
    return ve.load_scheme(path.parent.name)


# --- drift -----------------------------------------------------------------------------------


class TestDrift:
    @pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
    @pytest.mark.parametrize("where", ["src/villageeval/schemas", "docs/schemas"])
    def test_files_are_what_is_generated(self, name: str, where: str) -> None:
        """The shipped and the published file are the generated schema, byte for byte."""
        path = ROOT / where / _schema.schema_file(name)
        expected = _schema.schema_text(GENERATED[name])
        actual = path.read_text(encoding="utf-8") if path.is_file() else None
        assert expected == actual, f"{path.relative_to(ROOT)} is out of date: run {REGENERATE}"

    @pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
    def test_the_package_ships_them(self, name: str) -> None:
        """The package finds its schemas as package data (what an installed wheel reads)."""
        assert GENERATED[name] == _schema.shipped(name)

    @pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
    def test_valid_draft_2020_12(self, name: str) -> None:
        """Each is a valid draft 2020-12 schema with an id, and says what it is."""
        schema = GENERATED[name]
        assert _schema.DIALECT == schema["$schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith(f"{name}-1")
        assert schema["title"]
        assert schema["description"]

    @pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
    def test_every_key_is_described(self, name: str) -> None:
        """Every property of every object has a description (from the docs' tables)."""
        for where, props in _properties(GENERATED[name]):
            for key, value in props.items():
                assert value.get("description"), f"{where}.{key}"

    def test_every_documented_key_is_in_a_schema(self) -> None:
        """The tables documenting only what the schemas describe list no key the code lacks."""
        from villageeval import _describe

        tables = _schema.doc_tables((ROOT / "docs" / "interchange.md").read_text(encoding="utf-8"))
        describe = GENERATED["describe"]
        names = {_describe.SchemeInfo: None, _describe.InstrumentInfo: "PluginInstrument"}
        for cls, heading in _describe.SECTIONS.items():
            name = names.get(cls, "Scheme" if cls is _describe.SchemeInfo else cls.__name__.removesuffix("Info"))
            assert set(tables[heading]) == _props(describe, name), heading
        assert set(tables["problem"]) == _props(GENERATED["problem"])
        assert set(tables["audit.plugins[]"]) == _props(GENERATED["result"], "Plugin")

    def test_an_undocumented_key_is_an_error(self, tmp_path: Path) -> None:
        """A key the code has and the docs' table does not: the generator refuses, naming it."""
        docs = tmp_path / "docs"
        docs.mkdir()
        text = (ROOT / "docs" / "interchange.md").read_text(encoding="utf-8")
        row = next(line for line in text.splitlines() if line.startswith("| `unit` |"))
        (docs / "interchange.md").write_text(text.replace(row + "\n", "", 1), encoding="utf-8")
        (docs / "scheme-format.md").write_text(
            (ROOT / "docs" / "scheme-format.md").read_text(encoding="utf-8"), encoding="utf-8"
        )
        with pytest.raises(_schema.SchemaSourceError, match=r"subjects\[\]\.unit: no documented meaning"):
            _schema.generate(docs)

    def test_an_evidence_key_without_a_json_type_is_an_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An evidence class's field is kept as given (Any): its JSON type must be said."""
        values = dict(_schema.EVIDENCE_VALUES)
        del values["strata"]
        monkeypatch.setattr(_schema, "EVIDENCE_VALUES", values)
        with pytest.raises(_schema.SchemaSourceError, match="no JSON type for strata"):
            _schema.generate(ROOT / "docs")


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            yield where or "(root)", props
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}/{i}")


def _props(schema: Mapping[str, Any], name: str | None = None) -> set[str]:
    node = schema if name is None else schema["$defs"][name]
    return set(node["properties"])


# --- the keys of the code ------------------------------------------------------------------------


class TestKeysOfTheCode:
    def test_result_keys_are_the_schema_properties(self) -> None:
        """Each object of a result with every key written has exactly its schema's properties."""
        data = ve.result_to_dict(full_result())
        schema = GENERATED["result"]
        outcome = data["outcomes"][0]
        pairs = [
            (data, None),
            (data["audit"], "Audit"),
            (data["audit"]["plugins"][0], "Plugin"),
            (outcome, "Outcome"),
            (outcome["reasons"][0], "Reason"),
            (outcome["adjustments"][0], "Adjustment"),
            (outcome["consequences"][0], "Consequence"),
            (outcome["findings"][0], "Finding"),
            (outcome["trace"][0], "TraceStep"),
            (outcome["rank"]["r"], "Placing"),
            (data["populations"][0], "Population"),
        ]
        for obj, name in pairs:
            assert sorted(obj) == sorted(_props(schema, name)), name or "result"
        assert [] == errors(RESULT, data)

    def test_cohort_keys_are_the_schema_properties(self) -> None:
        """The reader's cohort and subject keys are the schema's, and nothing else."""
        schema = GENERATED["cohort"]
        assert {"format", "scheme", "period", "subjects"} == _props(schema)
        assert set(_cohort._SUBJECT_KEYS) == _props(schema, "Subject")

    @pytest.mark.parametrize("name", list(builtin_kinds()))
    def test_evidence_keys_are_the_class_fields_and_kind(self, name: str) -> None:
        """Each kind's evidence schema has the fields of its evidence class, and the discriminator."""
        kind = builtin_kinds()[name]
        cls = kind.declared.evidence
        assert cls is not None
        fields = {a.name for a in attrs.fields(cls)}
        assert fields | {DISCRIMINATOR} == _props(GENERATED["cohort"], cls.__name__)
        required = {a.name for a in attrs.fields(cls) if a.default is attrs.NOTHING}
        assert required == set(GENERATED["cohort"]["$defs"][cls.__name__]["required"])

    def test_problem_keys(self) -> None:
        """A problem's JSON form has exactly the schema's keys, and fits it."""
        problem = ve.Problem(("subjects", 3, "evidence"), "m", "<cohort>", 4)
        data = as_json(problem.to_dict())
        schema = GENERATED["problem"]
        assert sorted(data) == sorted(_props(schema))
        assert [] == errors(validator(schema), data)
        top = as_json(ve.Problem((), "not JSON").to_dict())
        assert [] == errors(validator(schema), top)

    def test_reason_codes_are_the_enum(self) -> None:
        """The result schema's ReasonCode is the enum of the code."""
        assert [c.value for c in ve.ReasonCode] == GENERATED["result"]["$defs"]["ReasonCode"]["enum"]

    def test_literals_are_enums(self) -> None:
        """Statuses and quota fields are enums taken from the model's Literal types."""
        defs = GENERATED["result"]["$defs"]
        statuses = ["graded", "insufficient_evidence", "ineligible", "referred"]
        assert statuses == defs["Outcome"]["properties"]["status"]["enum"]
        assert ["at_most", "at_least"] == defs["Population"]["properties"]["bound"]["enum"]


# --- the demos and their results ---------------------------------------------------------------


@pytest.mark.parametrize("path", DEMOS, ids=lambda p: f"{p.parent.name}/{p.name}")
class TestDemos:
    def test_fits_the_cohort_schema(self, path: Path) -> None:
        """The demo cohort fits the generic cohort schema."""
        assert [] == errors(COHORT, demo_data(path))

    def test_fits_its_schemes_schema(self, path: Path) -> None:
        """The demo cohort fits its scheme's own cohort schema, which is a valid schema."""
        schema = _schema.cohort_schema_for(demo_scheme(path))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert [] == errors(validator(schema), demo_data(path))

    @pytest.mark.parametrize("trace", [True, False])
    def test_result_fits_the_result_schema(self, path: Path, trace: bool) -> None:
        """The result of evaluating it fits the result schema, audit stamp and cohort hash included."""
        result = ve.evaluate(demo_scheme(path), ve.load_cohort(path), trace=trace)
        data = as_json(ve.result_to_dict(result, trace=trace))
        assert [] == errors(RESULT, data)
        assert ("trace" in data["outcomes"][0]) is trace

    def test_with_kinds_it_still_fits_and_grades_alike(self, path: Path) -> None:
        """With ``kind`` in every evidence object, the cohort fits both schemas and grades the same."""
        scheme = demo_scheme(path)
        data, plain = load_json(path.read_text(encoding="utf-8")), demo_data(path)
        for cohort in (data, plain):
            for subject in cohort["subjects"]:
                for iid, evidence in subject.get("evidence", {}).items():
                    if iid in scheme.instruments:
                        evidence[DISCRIMINATOR] = scheme.instruments[iid].kind
        assert [] == errors(COHORT, plain)
        assert [] == errors(validator(_schema.cohort_schema_for(scheme)), plain)
        with_kinds = ve.evaluate(scheme, ve.cohort_from_dict(data), trace=False)
        without = ve.evaluate(scheme, ve.load_cohort(path), trace=False)
        assert without.outcomes == with_kinds.outcomes


def test_a_result_without_the_audit_stamp_still_fits() -> None:
    """A format-1 result written before the audit stamp (no cohort hash, decision, plugins) fits."""
    data = as_json(ve.result_to_dict(full_result()))
    for key in ("cohort_hash", "decision_id", "evaluated_at", "plugins"):
        del data["audit"][key]
    assert [] == errors(RESULT, data)
    data["audit"]["decision_id"] = "not a uuid"
    assert errors(RESULT, data)


# --- broken cohorts ------------------------------------------------------------------------------


def huining_demo() -> dict[str, Any]:
    """The first subjects of huining's demo (a team and a member), as plain JSON."""
    data: dict[str, Any] = demo_data(ROOT / "schemes" / "huining-midterm-2023" / "demo.json")
    data["subjects"] = data["subjects"][:2]
    return data


@functools.cache
def huining_schema() -> jsonschema.Draft202012Validator:
    return validator(_schema.cohort_schema_for(ve.load_scheme("huining-midterm-2023")))


class TestBroken:
    def test_a_string_where_tallies_go(self) -> None:
        """Tallies given as a string fit neither schema; the reader takes it and reports it for the subject."""
        data = huining_demo()
        data["subjects"][0]["evidence"]["appraisal"]["tallies"] = "好 20, 一般 4"
        assert errors(COHORT, data)
        assert errors(huining_schema(), data)
        result = ve.evaluate(ve.load_scheme("huining-midterm-2023"), ve.cohort_from_dict(data))
        assert "invalid_evidence" in {r.code for r in result.outcome(data["subjects"][0]["id"]).reasons}

    @pytest.mark.parametrize(
        ("where", "value"),
        [
            (("evidence", "appraisal", "tallies", "好"), -3),
            (("evidence", "appraisal", "tallies", "好"), "20"),
            (("evidence", "party_committee", "value"), "eighty"),
            (("evidence", "party_committee", "value"), "1/0"),
            (("evidence", "interview", "coverage", "村干部"), {"count": 5, "of": 5, "extra": 1}),
            (("evidence", "appraisal", "talies"), {}),
            (("facts", "absentee"), "false"),
            (("id",), ""),
            (("evidence", "appraisal", DISCRIMINATOR), "rating"),
        ],
    )
    def test_malformed_fits_neither(self, where: tuple[str, ...], value: Any) -> None:
        """What the engine would call malformed fits neither the generic nor the scheme's schema."""
        data = huining_demo()
        node = data["subjects"][0]
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = value
        assert errors(COHORT, data)
        assert errors(huining_schema(), data)

    @pytest.mark.parametrize(
        ("where", "value"),
        [
            (("evidence", "appraisal", "tallies", "优"), 3),  # unknown_tier
            (("evidence", "site_inspection", "tier"), "较好"),  # unknown_tier
            (("evidence", "appraisel"), {"tallies": {"好": 20}}),  # not an instrument of the scheme
            (("facts", "absent"), True),  # unknown_fact
            (("facts", "absentee"), 0),  # invalid_fact: a bool fact
            (("role",), "secretary"),  # not a role of the scheme
        ],
    )
    def test_what_only_the_scheme_knows(self, where: tuple[str, ...], value: Any) -> None:
        """Tiers, instruments, facts and roles the scheme does not have: only its own schema refuses them."""
        data = huining_demo()
        node = data["subjects"][0]
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = value
        assert [] == errors(COHORT, data)
        assert errors(huining_schema(), data)

    def test_shortfalls_are_for_the_engine(self) -> None:
        """Too few ballots and an uncovered category are well-formed: the schema takes them, the engine says why."""
        data = huining_demo()
        data["subjects"][0]["evidence"]["appraisal"]["tallies"] = {"好": 3}
        del data["subjects"][0]["evidence"]["interview"]["coverage"]["村干部"]
        assert [] == errors(huining_schema(), data)

    def test_exact_numbers(self) -> None:
        """A score is a JSON number or a decimal or fraction as text; counts are integers of 0 or more."""
        number = part(GENERATED["cohort"], "#/$defs/ExactNumber")
        for ok in (86.5, 88, "86.5", "1690/19", "-2", "1e2"):
            assert [] == errors(number, ok), ok
        for bad in ("eighty", "1/0", "", True, None, "8 6"):
            assert errors(number, bad), bad
        count = part(GENERATED["cohort"], "#/$defs/Count")
        for bad in (-1, 1.5, "20", 10**12 + 1):
            assert errors(count, bad), bad


# --- the discriminator ------------------------------------------------------------------------------


class TestDiscriminator:
    def test_each_evidence_names_its_kind(self) -> None:
        """Every kind's evidence schema has ``kind`` as a const of its name, and the mapping says which."""
        defs = GENERATED["cohort"]["$defs"]
        union = defs["Evidence"]
        assert {"propertyName": DISCRIMINATOR, "mapping": union["discriminator"]["mapping"]} == union["discriminator"]
        mapping = union["discriminator"]["mapping"]
        assert list(builtin_kinds()) == list(mapping)
        for name, ref in mapping.items():
            target = defs[ref.removeprefix("#/$defs/")]
            assert {"const": name} == {k: v for k, v in target["properties"][DISCRIMINATOR].items() if k == "const"}
            assert {"$ref": ref} in union["oneOf"]

    def test_exactly_one_shape_holds(self) -> None:
        """With or without ``kind``, exactly one alternative of the union takes a valid evidence object."""
        defs = GENERATED["cohort"]["$defs"]
        samples = {
            "ballot": {"tallies": {"好": 3}},
            "rating": {"tier": "好"},
            "score": {"value": "86.5"},
            "points": {"items": {"a": 3}},
        }
        for name, sample in samples.items():
            for given in (sample, {DISCRIMINATOR: name, **sample}):
                fits = [
                    ref
                    for ref in defs["Evidence"]["oneOf"]
                    if not errors(part(GENERATED["cohort"], ref["$ref"]), given)
                ]
                assert [{"$ref": defs["Evidence"]["discriminator"]["mapping"][name]}] == fits

    def test_a_plugin_kind_names_itself(self) -> None:
        """Evidence of a kind the generic schema does not know fits only when it says its kind."""
        evidence = part(GENERATED["cohort"], "#/$defs/Evidence")
        assert [] == errors(evidence, {DISCRIMINATOR: "pledges", "items": {"修路": {"满意": 3}}})
        assert errors(evidence, {"items": {"修路": {"满意": 3}}})

    def test_the_reader_checks_it(self) -> None:
        """The engine refuses a kind other than the instrument's, saying both."""
        data = huining_demo()
        data["subjects"][0]["evidence"]["appraisal"][DISCRIMINATOR] = "rating"
        result = ve.evaluate(ve.load_scheme("huining-midterm-2023"), ve.cohort_from_dict(data))
        [reason] = [r for r in result.outcome(data["subjects"][0]["id"]).reasons if r.instrument == "appraisal"]
        assert "invalid_evidence" == reason.code
        assert "appraisal: the evidence says kind 'rating', but the instrument is of kind 'ballot'" == reason.message


# --- one scheme's cohort schema ------------------------------------------------------------------------


class TestSchemeSchema:
    def test_huining(self) -> None:
        """Roles, instruments by kind, tiers and facts of huining are in its cohort schema."""
        schema = _schema.cohort_schema_for(ve.load_scheme("huining-midterm-2023"))
        defs = schema["$defs"]
        subject = defs["Subject"]["properties"]
        assert ["team", "member"] == subject["role"]["enum"]
        assert {
            "appraisal",
            "interview",
            "household_visit",
            "site_inspection",
            "party_committee",
        } == set(subject["evidence"]["properties"])
        appraisal = defs["Evidence_appraisal"]["properties"]
        assert {"const": "ballot"}.items() <= appraisal[DISCRIMINATOR].items()
        assert ["好", "一般", "差"] == appraisal["tallies"]["propertyNames"]["enum"]
        assert ["好", "一般", "差"] == defs["Evidence_site_inspection"]["properties"]["tier"]["enum"]
        assert "boolean" == subject["facts"]["properties"]["absentee"]["type"]
        assert 7 == len(subject["facts"]["properties"])
        assert "huining-midterm-2023" == schema["properties"]["scheme"]["const"]

    def test_groups_history_and_outcomes(self) -> None:
        """A quota's group is required of its roles; history and linked outcomes hold the scale's grades."""
        scheme = ve.loads_scheme(QUOTA_STREAK_SCHEME, predicates={})
        v = validator(_schema.cohort_schema_for(scheme))
        subject = {
            "id": "a",
            "role": "secretary",
            "groups": {"township": "石门镇"},
            "evidence": {"vote": {"tallies": {"满意": 30}}},
            "history": {"2023": "不合格"},
            "outcomes": {"shuzhi-2024": "好"},
        }
        cohort = {"format": 1, "period": "2024", "subjects": [subject]}
        assert [] == errors(v, cohort)
        for change in (
            {"groups": {}},  # the quota counts by township
            {"groups": {"township": "石门"}},  # not a declared township
            {"history": {"2023": "优秀"}},  # not a grade of the role
            {"history": {"23": "合格"}},  # not a year
            {"outcomes": {"shuzhi-2024": "优秀"}},  # not a tier of the linked scale
        ):
            assert errors(v, as_json({**cohort, "subjects": [{**subject, **change}]})), change
        assert errors(v, {**cohort, "period": "2024年"})  # streak rules read the period

    def test_a_plugin_kind(self) -> None:
        """An instrument of a plugin's kind gets the keys of its evidence class and its kind."""
        scheme = ve.loads_scheme(PLEDGE_SCHEME, registry=pledges_registry())
        schema = _schema.cohort_schema_for(scheme)
        pledges = schema["$defs"]["Evidence_pledges"]
        assert {"const": "pledges"} == pledges["properties"][DISCRIMINATOR]
        assert ["items"] == pledges["required"]
        data = {"subjects": [{"id": "a", "role": "secretary", "evidence": {"pledges": {"items": {"修路": {}}}}}]}
        assert [] == errors(validator(schema), data)
        # The plugin kind's reader takes its own name as kind, and refuses another.
        for given, status in (("pledges", "graded"), ("points", "insufficient_evidence")):
            data["subjects"][0]["evidence"]["pledges"][DISCRIMINATOR] = given
            assert status == ve.evaluate(scheme, ve.cohort_from_dict(data)).outcome("a").status

    def test_copies_are_independent(self) -> None:
        """Building a scheme's schema does not change the shipped one."""
        before = copy.deepcopy(_schema.shipped("cohort"))
        _schema.cohort_schema_for(ve.load_scheme("huining-midterm-2023"))
        assert before == _schema.shipped("cohort")

    def test_type_error(self) -> None:
        """A path instead of a scheme is a TypeError saying so."""
        with pytest.raises(TypeError, match=r"villageeval\.Scheme"):
            _schema.cohort_schema_for("huining-midterm-2023")


QUOTA_STREAK_SCHEME = """
id = "quota-streak"
title = "承诺考评"
period = "2024"
locality = { name = "某县" }
[roles.secretary]
label = "村党支部书记"
[scales.grade]
tiers = ["合格", "不合格"]
[scales.vote]
tiers = [{ label = "满意", points = 100 }, { label = "不满意", points = 0 }]
[scales.shuzhi]
tiers = ["好", "一般", "差"]
[groups.township]
label = "乡镇"
values = ["石门镇", "河畔乡"]
[instruments.vote]
kind = "ballot"
title = "民主测评"
clause = "三"
scale = "vote"
min_respondents = 20
[weightings.main]
clause = "三"
total = 100
weights = { vote = 100 }
[gradings.main]
clause = "三"
scale = "grade"
round = { digits = 0, mode = "half_up" }
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
[caps.shuzhi]
clause = "四"
text = "述职评议为差的，不得评为合格"
when = { outcome = "shuzhi-2024", scale = "shuzhi", in = ["差"] }
at_most = "不合格"
[quotas.fail]
clause = "五"
text = "不合格比例不低于5%"
grade = "不合格"
share = 0.05
bound = "at_least"
count = "ceil"
per = "township"
[consequences.dismissal]
clause = "六"
text = "连续两年不合格的，予以调整"
when = { streak = "不合格", periods = 2, required = true }
"""


@attrs.frozen
class Pledges:
    """A plugin kind's config: pledge items voted on by villagers."""

    title: str
    clause: str
    kind: str = "pledges"
    roles: tuple[str, ...] = ()


@attrs.frozen
class PledgeVotes:
    """A plugin kind's evidence: per pledge item, the votes."""

    items: Mapping[str, Any]


def pledges_registry() -> ve.Registry:
    kind = ve.InstrumentKind(
        name="pledges",
        config=Pledges,
        score=lambda config, evidence, context: Fraction(100),
        score_range=lambda config: (Fraction(0), Fraction(100)),
        evidence=PledgeVotes,
    )
    module = types.ModuleType("county_pledges")
    module.villageeval_register_instrument_kinds = ve.hookimpl(lambda: [kind])  # type: ignore[attr-defined]
    return ve.Registry(ve.make_plugin_manager(autoload=False, plugins=[module]))


PLEDGE_SCHEME = """
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
clause = "三"
[weightings.main]
clause = "三"
total = 100
weights = { pledges = 100 }
[gradings.main]
clause = "三"
scale = "grade"
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
"""


# --- the command line --------------------------------------------------------------------------------


class TestCommand:
    @pytest.mark.parametrize("name", _schema.SCHEMA_NAMES)
    def test_prints_the_shipped_schema(self, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        """``villageeval schema NAME`` prints the shipped file, exit 0."""
        assert 0 == main(["schema", name])
        assert _schema.shipped_text(name) == capsys.readouterr().out

    def test_a_schemes_cohort_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``--scheme`` prints that scheme's cohort schema, which its demo fits."""
        assert 0 == main(["schema", "cohort", "--scheme", "huining-midterm-2023"])
        schema = json.loads(capsys.readouterr().out)
        assert [] == errors(validator(schema), huining_demo())

    def test_scheme_only_for_the_cohort(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``--scheme`` with another schema is a usage error (2), said on stderr."""
        assert 2 == main(["schema", "result", "--scheme", "huining-midterm-2023"])
        assert "--scheme gives one scheme's cohort schema" in capsys.readouterr().err

    def test_unknown_name(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown schema name is refused by argparse (2), listing the names."""
        assert 2 == main(["schema", "cohorts"])
        assert "cohort,result,problem,describe" in capsys.readouterr().err
