"""villageeval agrees with the benchmark's floor, a second implementation written by hand.

``benchmarks/floor.py`` is huining-bench (the bundled 会宁县 scheme plus a hard quota:
at most floor(40% × subjects) of a township keep 好) written out in plain Python with
integers only: its own evidence checks (四、2–四、6), its own weighted total, half-up
rounding, bands, the six vetoes and an integer-keyed quota. It shares no code with the
engine, so agreeing with it on thousands of seeded subjects (among them totals built to
land exactly on 85, 84.5 and 65.5, some through thirds that cancel) is a check of the
engine that does not come from the engine. ``benchmarks/run.py`` relies on the same
agreement to count the peers' mismatches.

Both paths of the engine are compared: ``trace=False`` (the quick path for plainly valid
subjects) and ``trace=True`` (the careful path for every subject).
"""

from __future__ import annotations

import json
import random
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

import villageeval as ve

ROOT = Path(__file__).parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import cohorts  # noqa: E402
import floor  # noqa: E402

SCHEME = BENCH / "scheme" / "scheme.toml"


@pytest.fixture(scope="module")
def bench() -> ve.Scheme:
    return ve.load_scheme(SCHEME)


@pytest.fixture(scope="module")
def county() -> list[dict[str, Any]]:
    """The seeded county: 300 villages, 2,100 subjects, townships of 15–25 villages."""
    return cohorts.cohort_dicts("county")


def disagreements(result: ve.Result, reference: dict[str, floor.Row]) -> list[tuple[str, Any, Any]]:
    out = []
    for o in result.outcomes:
        status, total, rounded, raw, final = reference[o.subject_id]
        got = (o.status, o.score, o.rounded_score, o.raw_grade, o.final_grade)
        want = (status, total, None if rounded is None else Fraction(rounded), raw, final)
        if got != want:
            out.append((o.subject_id, got, want))
    return out


@pytest.mark.parametrize("trace", [False, True])
def test_county(bench: ve.Scheme, county: list[dict[str, Any]], trace: bool) -> None:
    reference = floor.evaluate(county)
    result = ve.evaluate(bench, ve.Cohort(cohorts.to_subjects(county)), trace=trace)
    assert disagreements(result, reference) == []
    # The cohort exercises what it is meant to: exact band edges, vetoes and the quota.
    totals = [o.score for o in result.outcomes]
    assert {Fraction(85), Fraction(169, 2), Fraction(131, 2)} <= set(totals)
    assert any(a.kind == "veto" for o in result.outcomes for a in o.adjustments)
    assert any(a.kind == "quota" for o in result.outcomes for a in o.adjustments)


def test_input_order(bench: ve.Scheme, county: list[dict[str, Any]]) -> None:
    subjects = cohorts.to_subjects(county)
    random.Random(6).shuffle(subjects)
    result = ve.evaluate(bench, ve.Cohort(subjects), trace=False)
    assert disagreements(result, floor.evaluate(county)) == []


def _broken(d: dict[str, Any], how: int) -> dict[str, Any]:
    """The subject with one defect the notice's rules reject (四、2–四、6, the facts)."""
    d = json.loads(json.dumps(d, default=str))  # a deep copy; the committee score becomes a string
    d["evidence"]["party_committee"]["value"] = Decimal(d["evidence"]["party_committee"]["value"])
    ev = d["evidence"]
    if how == 0:  # 四、2: fewer than 20 appraisal ballots
        ev["appraisal"]["tallies"] = {"好": 19}
    elif how == 1:  # 四、3: one 村干部 not interviewed
        cov = ev["interview"]["coverage"]["村干部"]
        cov["count"] = cov["of"] - 1
    elif how == 2:  # 四、5: a natural village with 2 households
        strata = ev["household_visit"]["strata"]
        first = next(iter(strata))
        ev["household_visit"]["tallies"]["差"] += 2 - strata[first]
        strata[first] = 2
    elif how == 3:  # 四、4: a must-see site not seen
        ev["site_inspection"]["coverage"]["集体经济项目"] = 0
    elif how == 4:  # 四、6: a committee score that is not exact
        ev["party_committee"]["value"] = 87.5
    elif how == 5:  # a veto fact not recorded
        del d["facts"]["absentee"]
    else:  # a count that is not a whole number
        ev["appraisal"]["tallies"]["好"] = True
    return d


@pytest.mark.parametrize("trace", [False, True])
def test_broken_evidence(bench: ve.Scheme, trace: bool) -> None:
    """Every defect makes the subject insufficient for both; the rest of the township is unchanged."""
    dicts = cohorts.cohort_dicts("township")
    broken = [_broken(d, i % 7) if i % 5 == 0 else d for i, d in enumerate(dicts)]
    reference = floor.evaluate(broken)
    assert sum(row[0] == "insufficient_evidence" for row in reference.values()) == len(range(0, len(dicts), 5))
    result = ve.evaluate(bench, ve.Cohort(cohorts.to_subjects(broken)), trace=trace)
    assert disagreements(result, reference) == []


def test_bundled_demo(bench: ve.Scheme) -> None:
    """The bundled demo cohort, with its five insufficient subjects, under huining-bench."""
    data = json.loads((ROOT / "schemes/huining-midterm-2023/demo.json").read_text("utf-8"), parse_float=Decimal)
    result = ve.evaluate(bench, ve.cohort_from_dict(data), trace=False)
    assert sum(o.status == "insufficient_evidence" for o in result.outcomes) == 5
    assert disagreements(result, floor.evaluate(data["subjects"])) == []


def test_floor_rejects_what_the_engine_rejects_as_a_float(bench: ve.Scheme) -> None:
    """A float committee score equal to a valid int one: both refuse it (exact numbers only)."""
    d = cohorts.cohort_dicts("township")[0]
    exact = attrs.evolve(cohorts.to_subject(d), id="exact")
    as_float = attrs.evolve(
        exact,
        id="float",
        evidence={**exact.evidence, "party_committee": ve.ScoreEvidence(87.0)},
    )
    result = ve.evaluate(bench, ve.Cohort([exact, as_float]), trace=False)
    assert result.outcome("float").status == "insufficient_evidence"
    float_dict = {**d, "id": "float", "evidence": {**d["evidence"], "party_committee": {"value": 87.0}}}
    assert floor.evaluate([float_dict])["float"][0] == "insufficient_evidence"
