"""Wrong types to the public functions raise ``TypeError`` at once, naming the parameter,
what was expected and what came (in the style of attrs' validators), with what to do
instead, rather than an AttributeError deep inside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import villageeval as ve
from villageeval.testing import assert_outcomes, check_outcomes

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
DEMO = HUINING / "demo.json"


@pytest.fixture(scope="module")
def scheme() -> ve.Scheme:
    return ve.load_scheme(HUINING)


@pytest.fixture(scope="module")
def cohort() -> ve.Cohort:
    return ve.load_cohort(DEMO)


@pytest.fixture(scope="module")
def result(scheme: ve.Scheme, cohort: ve.Cohort) -> ve.Result:
    return ve.evaluate(scheme, cohort)


def raises(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the TypeError that ``call(*args, **kwargs)`` raises."""
    with pytest.raises(TypeError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def path_type(p: Path) -> str:
    return type(p).__name__  # PosixPath or WindowsPath


class TestEvaluate:
    def test_two_strings(self) -> None:
        """``evaluate("id", "file.json")``: the scheme is named first, with how to load it."""
        assert (
            "'scheme' must be a villageeval.Scheme (got 'huining-midterm-2023' that is a str); "
            "load it with villageeval.load_scheme(path or scheme id)"
        ) == raises(ve.evaluate, "huining-midterm-2023", "demo.json")

    def test_a_path_for_the_cohort(self, scheme: ve.Scheme) -> None:
        """The example of the issue, word for word; a Path reads the same."""
        assert (
            "'cohort' must be a villageeval.Cohort (got 'file.json' that is a str); "
            "load it with villageeval.load_cohort(path)"
        ) == raises(ve.evaluate, scheme, "file.json")
        file = Path("file.json")
        assert (
            f"'cohort' must be a villageeval.Cohort (got {file!r} that is a {path_type(file)}); "
            "load it with villageeval.load_cohort(path)"
        ) == raises(ve.evaluate, scheme, file)

    def test_the_arguments_swapped(self, scheme: ve.Scheme, cohort: ve.Cohort) -> None:
        assert (
            "'scheme' must be a villageeval.Scheme (got a villageeval.Cohort of 50 subjects); "
            "the arguments look swapped: the scheme comes first, then the cohort"
        ) == raises(ve.evaluate, cohort, scheme)

    def test_a_dict_or_a_list_for_the_cohort(self, scheme: ve.Scheme) -> None:
        assert (
            "'cohort' must be a villageeval.Cohort (got {'subjects': []} that is a dict); "
            "build it with villageeval.cohort_from_dict(data)"
        ) == raises(ve.evaluate, scheme, {"subjects": []})
        subject = ve.Subject("a", "team")
        assert raises(ve.evaluate, scheme, [subject]).endswith(
            "that is a list); wrap the subjects: villageeval.Cohort(subjects)"
        )
        assert raises(ve.evaluate, scheme, subject).endswith(
            "that is a villageeval.Subject); wrap it: villageeval.Cohort([subject])"
        )

    def test_trace_is_a_bool(self, scheme: ve.Scheme, cohort: ve.Cohort) -> None:
        """``trace="no"`` would be true: refused."""
        assert "'trace' must be True or False (got 'no' that is a str)" == raises(
            ve.evaluate, scheme, cohort, trace="no"
        )


class TestSubject:
    def test_a_non_string_id(self) -> None:
        assert "Subject 'id' must be a non-empty string (got 5 that is an int)" == raises(ve.Subject, 5, "team")

    def test_an_empty_id_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match=r"^Subject 'id' must be a non-empty string \(got '' that is a str\)$"):
            ve.Subject("", "team")

    def test_a_none_role(self) -> None:
        assert "Subject 'role' must be a non-empty string (one of the scheme's role ids) (got None)" == raises(
            ve.Subject, "a", None
        )
        with pytest.raises(ValueError, match="'role' must be a non-empty string"):
            ve.Subject("a", "")

    def test_name_and_unit_are_strings(self) -> None:
        assert "Subject 'name' must be a string (got None)" == raises(ve.Subject, "a", "team", name=None)
        assert "Subject 'unit' must be a string (got 3 that is an int)" == raises(ve.Subject, "a", "team", unit=3)

    @pytest.mark.parametrize("field", ["groups", "evidence", "facts", "history", "outcomes", "notes"])
    def test_a_non_mapping_where_a_mapping_goes(self, field: str) -> None:
        assert f"Subject {field!r} must be a mapping (a dict) or None (got 'x' that is a str)" == raises(
            ve.Subject, "a", "team", **{field: "x"}
        )
        assert raises(ve.Subject, "a", "team", **{field: [("k", "v")]}).endswith("that is a list)")

    def test_what_was_accepted_still_is(self) -> None:
        """None for a mapping is empty; a str subclass and any Mapping are accepted."""

        class Text(str):
            pass

        from types import MappingProxyType

        s = ve.Subject(Text("a"), Text("team"), facts=None, groups=MappingProxyType({"township": "x"}))
        assert ({}, {"township": "x"}) == (s.facts, s.groups)
        assert isinstance(s.groups, dict)


class TestCohort:
    def test_a_dict_where_a_subject_goes(self) -> None:
        assert (
            "Cohort 'subjects[1]' must be a villageeval.Subject (got {'id': 'b', 'role': 'team'} that is a dict); "
            "a subject's JSON form is read by villageeval.cohort_from_dict({'subjects': [...]})"
        ) == raises(ve.Cohort, [ve.Subject("a", "team"), {"id": "b", "role": "team"}])

    def test_a_path_or_text_for_the_subjects(self) -> None:
        assert (
            "Cohort 'subjects' must be an iterable of villageeval.Subject (got 'demo.json' that is a str); "
            "load a cohort file with villageeval.load_cohort(path)"
        ) == raises(ve.Cohort, "demo.json")
        assert raises(ve.Cohort, DEMO).endswith("load a cohort file with villageeval.load_cohort(path)")

    def test_a_mapping_or_a_number_for_the_subjects(self) -> None:
        assert raises(ve.Cohort, {"subjects": []}).endswith(
            "build a cohort from its JSON form with villageeval.cohort_from_dict(data)"
        )
        assert "Cohort 'subjects' must be an iterable of villageeval.Subject (got 5 that is an int)" == raises(
            ve.Cohort, 5
        )

    def test_period_and_scheme(self) -> None:
        assert "Cohort 'period' must be a string (got 2024 that is an int)" == raises(ve.Cohort, [], period=2024)
        assert "Cohort 'scheme' must be a string or None (got 1 that is an int)" == raises(ve.Cohort, [], scheme=1)

    def test_duplicate_ids_are_still_a_cohort_error(self) -> None:
        with pytest.raises(ve.CohortError, match="duplicate subject id 'a'"):
            ve.Cohort([ve.Subject("a", "team"), ve.Subject("a", "team")])

    def test_a_generator_of_subjects_is_fine(self) -> None:
        assert 2 == len(ve.Cohort(ve.Subject(i, "team") for i in "ab").subjects)


class TestLoading:
    def test_load_scheme(self, scheme: ve.Scheme) -> None:
        assert "'path' must be a path (a str or os.PathLike) or a scheme id (got 5 that is an int)" == raises(
            ve.load_scheme, 5
        )
        assert raises(ve.load_scheme, scheme).endswith(
            "(got the villageeval.Scheme 'huining-midterm-2023'); it is already loaded"
        )
        assert "'registry' must be a villageeval.Registry or None (got 'default' that is a str)" == raises(
            ve.load_scheme, HUINING, registry="default"
        )
        assert (
            "'parameters' must be a mapping of parameter name → value or None (got [('a', 1)] that is a list)"
            == raises(ve.load_scheme, HUINING, parameters=[("a", 1)])
        )
        assert raises(ve.load_scheme, HUINING, schemes="x").startswith("'schemes' must be a mapping")
        assert raises(ve.load_scheme, HUINING, predicates=print).startswith("'predicates' must be a mapping")

    def test_loads_scheme(self) -> None:
        assert (
            "'text' must be the TOML text of a scheme (a str) (got b'id = 1' that is a bytes); "
            "decode it first: villageeval.loads_scheme(data.decode('utf-8'))"
        ) == raises(ve.loads_scheme, b"id = 1")
        assert raises(ve.loads_scheme, HUINING / "scheme.toml").endswith(
            "read a file with villageeval.load_scheme(path)"
        )
        assert "'file' must be a string or None (got 1 that is an int)" == raises(ve.loads_scheme, "", file=1)

    def test_scheme_from_dict(self, scheme: ve.Scheme) -> None:
        assert (
            "'data' must be a mapping (the form scheme_to_dict gives) "
            "(got the villageeval.Scheme 'huining-midterm-2023'); it is already a villageeval.Scheme"
        ) == raises(ve.scheme_from_dict, scheme)
        assert (
            "'data' must be a mapping (the form scheme_to_dict gives) (got 'id = 1' that is a str); TOML text is "
            "read by villageeval.loads_scheme(text), a file by villageeval.load_scheme(path)"
        ) == raises(ve.scheme_from_dict, "id = 1")
        assert raises(ve.scheme_from_dict, ve.scheme_to_dict(scheme), registry={}).startswith("'registry'")

    def test_scheme_to_dict_and_scheme_hash(self, cohort: ve.Cohort) -> None:
        assert (
            "'scheme' must be a villageeval.Scheme (got {'id': 'x'} that is a dict); "
            "build it with villageeval.scheme_from_dict(data)"
        ) == raises(ve.scheme_to_dict, {"id": "x"})
        assert raises(ve.scheme_hash, "huining-midterm-2023").endswith(
            "load it with villageeval.load_scheme(path or scheme id)"
        )
        assert raises(ve.scheme_hash, cohort).endswith(
            "the arguments look swapped: the scheme comes first, then the cohort"
        )


class TestCohortInterchange:
    def test_cohort_from_dict_refuses_what_is_not_parsed_json(self, cohort: ve.Cohort) -> None:
        """Bytes, a path or a cohort are never what JSON gives: the call is wrong."""
        assert (
            "'data' must be the data read from JSON (a dict) (got b'{}' that is a bytes); "
            "parse it first: villageeval.cohort_from_dict(json.loads(data))"
        ) == raises(ve.cohort_from_dict, b"{}")
        assert raises(ve.cohort_from_dict, DEMO).endswith("read a file with villageeval.load_cohort(path)")
        assert (
            "'data' must be the data read from JSON (a dict) (got a villageeval.Cohort of 50 subjects); "
            "it is already a villageeval.Cohort"
        ) == raises(ve.cohort_from_dict, cohort)
        assert "'source' must be a string or None (got 5 that is an int)" == raises(
            ve.cohort_from_dict, {"subjects": []}, source=5
        )

    @pytest.mark.parametrize("data", [[], "2024", 5, None], ids=["array", "text", "number", "null"])
    def test_other_json_values_stay_cohort_errors(self, data: object) -> None:
        """A JSON array, text or number is what a file held: the data is wrong, not the call."""
        with pytest.raises(ve.CohortError, match="a cohort is a JSON object"):
            ve.cohort_from_dict(data)

    def test_cohort_to_dict(self) -> None:
        assert raises(ve.cohort_to_dict, {"subjects": []}).startswith(
            "'cohort' must be a villageeval.Cohort (got {'subjects': []} that is a dict)"
        )


class TestResultInterchange:
    def test_result_to_dict_and_json(self, result: ve.Result) -> None:
        data = ve.result_to_dict(result)
        message = raises(ve.result_to_dict, data)
        assert message.startswith("'result' must be a villageeval.Result (got {'audit': {'cohort_hash': ")
        assert "… that is a dict); read it with" in message  # a long value is cut short
        assert raises(ve.result_to_dict, data).endswith("read it with villageeval.result_from_dict(data)")
        assert "'trace' must be True or False (got 'yes' that is a str)" == raises(
            ve.result_to_dict, result, trace="yes"
        )
        assert raises(ve.result_to_json, result.outcomes[0]).endswith(
            "pass the whole result; an outcome is one of result.outcomes"
        )
        assert "'indent' must be a number of spaces (an int) or None (got '2' that is a str)" == raises(
            ve.result_to_json, result, indent="2"
        )

    def test_result_from_dict(self, result: ve.Result) -> None:
        text = ve.result_to_json(result)
        with pytest.raises(ve.CohortError, match=r"a text\? parse it first: result_from_dict\(json.loads\(text\)\)"):
            ve.result_from_dict(text)
        assert raises(ve.result_from_dict, Path("result.json")).endswith(
            "read a file with villageeval.result_from_dict(json.loads(path.read_text(encoding='utf-8')))"
        )
        assert raises(ve.result_from_dict, result).endswith("it is already a villageeval.Result")
        assert result == ve.result_from_dict(json.loads(text))

    def test_a_malformed_result_names_the_part(self, result: ve.Result) -> None:
        """A result that lacks a key or holds a wrong shape is a CohortError naming where."""
        data = ve.result_to_dict(result)
        del data["outcomes"][3]["status"]
        data["outcomes"][5]["score"] = "not a number"
        with pytest.raises(ve.CohortError) as caught:
            ve.result_from_dict(data)
        paths = [p.path for p in caught.value.problems]
        assert [("outcomes", 3, "status"), ("outcomes", 5)] == paths
        with pytest.raises(ve.CohortError, match="not a villageeval result"):
            ve.result_from_dict([])


class TestChecking:
    @pytest.mark.parametrize("check", [check_outcomes, assert_outcomes])
    def test_swapped_and_wrong_claims(self, check: Any, scheme: ve.Scheme, cohort: ve.Cohort) -> None:
        assert raises(check, cohort, scheme, {}).endswith(
            "the arguments look swapped: the scheme comes first, then the cohort"
        )
        assert raises(check, scheme, DEMO, {}).endswith("load it with villageeval.load_cohort(path)")
        assert (
            "'claimed' must be a mapping of subject id → grade label (or None), or a villageeval.Result "
            "(got ['好'] that is a list); give the grades by subject id: "
            "{outcome.subject_id: outcome.final_grade for outcome in ...}"
        ) == raises(check, scheme, cohort, ["好"])

    def test_a_result_is_a_claim(self, scheme: ve.Scheme, cohort: ve.Cohort, result: ve.Result) -> None:
        assert [] == check_outcomes(scheme, cohort, result)


class TestColumnar:
    def test_evaluate_columnar(self, scheme: ve.Scheme, cohort: ve.Cohort) -> None:
        pytest.importorskip("numpy")
        from villageeval.columnar import ColumnarCohort, evaluate_columnar

        table = ColumnarCohort({"id": ["a"], "role": ["team"]})
        assert (
            "'table' must be a villageeval.columnar.ColumnarCohort (got a villageeval.Cohort of 50 subjects); "
            "grade a Cohort with villageeval.evaluate(scheme, cohort)"
        ) == raises(evaluate_columnar, scheme, cohort)
        assert (
            "'scheme' must be a villageeval.Scheme (got a villageeval.columnar.ColumnarCohort of 1 row); "
            "the arguments look swapped: the scheme comes first, then the cohort"
        ) == raises(evaluate_columnar, table, scheme)
        assert (
            "'table' must be a villageeval.columnar.ColumnarCohort (got {'id': ['a'], 'role': ['team']} "
            "that is a dict); wrap the columns: villageeval.columnar.ColumnarCohort(columns)"
        ) == raises(evaluate_columnar, scheme, {"id": ["a"], "role": ["team"]})
        assert raises(ve.evaluate, scheme, table).endswith(
            "grade a table with villageeval.columnar.evaluate_columnar, or pass table.to_cohort()"
        )
