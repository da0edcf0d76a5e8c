"""Shared fixtures and the hypothesis profiles.

Profiles (choose with the environment variable ``HYPOTHESIS_PROFILE``):

- ``dev`` (default): 50 examples per property, for the edit-test loop;
- ``ci``: 100 examples, derandomized (the same examples on every run), no deadline,
  and a reproduction blob printed on failure;
- ``thorough``: 1000 examples, for a search before a release.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import villageeval as ve

settings.register_profile("dev", max_examples=50)
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
SOURCE = ROOT / "src" / "villageeval"


def pytest_configure(config: pytest.Config) -> None:
    """Tests test the source: stop at once if ``villageeval`` was imported from elsewhere.

    A non-editable ``pip install .`` puts a copy in site-packages, and pytest's plugin
    entry point imports that copy before any test runs: the suite would then test the
    copy, and a change to ``src/`` (deleting every veto, say) would pass unseen.
    """
    imported = Path(ve.__file__).resolve().parent
    if imported != SOURCE:
        raise pytest.UsageError(
            f"villageeval is imported from {imported}, not from {SOURCE}: the tests must test the source. "
            "Install it editable (pip install -e '.[test]'), as README.md says."
        )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every result the suite's evaluations return is checked against the result schema
    (``VILLAGEEVAL_TEST_RESULT_SCHEMA=0`` turns it off, to measure what it costs)."""
    if os.environ.get("VILLAGEEVAL_TEST_RESULT_SCHEMA", "1") != "0":
        _validate_every_result()


# --- every result the suite produces, against the result JSON Schema ---------------------------
#
# The engine's ``_evaluate`` (which ``evaluate`` calls for every cohort, whatever the test
# imported) is wrapped: its result's JSON form is validated before the test sees it, and a
# result that does not fit fails the test that produced it, saying where. Each outcome of the
# same shape as one already validated (the same status, reason codes, keys left out, trace
# steps ...) is skipped, and ``cohort_hash`` is not read (it is computed on first reading, and
# reading it would change what tests measure): the suite makes about 4,000 results with
# 70,000 outcomes, and validating them all would take half a minute; this takes about two
# seconds. tests/test_schema.py validates whole results, with their real cohort hashes.

_SEEN_SHAPES: set[object] = set()
#: What ``cohort_hash`` is while the hook validates a result (the real one is tested apart).
_SOME_HASH = "sha256:" + "0" * 64


def _shape(o: ve.Outcome) -> object:
    """What decides which keys and patterns of an outcome's JSON the schema checks."""
    return (
        o.role == "",
        o.status,
        tuple((r.code, r.instrument is None, r.rule is None, r.clause is None) for r in o.reasons),
        None if o.score is None else (o.score < 0, o.score.denominator == 1),
        o.rounded_score is None,
        o.score_display is None,
        bool(o.instrument_scores),
        o.raw_grade is None,
        o.final_grade is None,
        tuple(a.kind for a in o.adjustments),
        bool(o.consequences),
        tuple(bool(f.detail) for f in o.findings),
        bool(o.notes),
        tuple(sorted(f.split(":", 1)[0] for f in o.flags)),
        frozenset((t.step, t.rule is None, t.clause is None) for t in o.trace),
    )


def _validate_every_result() -> None:
    import attrs
    import jsonschema

    from villageeval import _engine, _schema

    validator = jsonschema.Draft202012Validator(_schema.shipped("result"))
    evaluate = _engine._evaluate

    def validated(*args: object, **kwargs: object) -> ve.Result:
        result = evaluate(*args, **kwargs)  # type: ignore[arg-type]
        new = []
        for o in result.outcomes:
            shape = _shape(o)
            if shape not in _SEEN_SHAPES:
                _SEEN_SHAPES.add(shape)
                new.append(o)
        data = ve.result_to_dict(attrs.evolve(result, outcomes=tuple(new), cohort_hash=_SOME_HASH))
        errors = sorted(validator.iter_errors(data), key=lambda e: e.json_path)
        if errors:
            for o in new:
                _SEEN_SHAPES.discard(_shape(o))  # so that the next result with them fails too
            where = "; ".join(f"{e.json_path}: {e.message}" for e in errors[:5])
            raise AssertionError(f"a result does not fit docs/schemas/result-1.schema.json: {where}")
        return result

    _engine._evaluate = validated


@pytest.fixture(scope="session")
def huining() -> ve.Scheme:
    """The bundled scheme huining-midterm-2023, loaded from the source tree."""
    return ve.load_scheme(SCHEMES / "huining-midterm-2023")
