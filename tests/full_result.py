"""A result with every key written: what the schema and the interchange tables are checked against.

Shared by tests/test_schema.py (each object has exactly its schema's properties) and
tests/test_docs.py (the tables of docs/interchange.md document exactly these keys), so
that a field added to the result is added here once and both checks see it.
"""

from __future__ import annotations

from fractions import Fraction

import villageeval as ve
from villageeval._result import PluginStamp


def full_result() -> ve.Result:
    """A result with every optional field present, audit stamp included."""
    outcome = ve.Outcome(
        subject_id="a",
        role="team",
        status="graded",
        name="n",
        unit="u",
        reasons=(ve.Reason("ineligible", "m", "i", "r", "c"),),
        score=Fraction(1690, 19),
        rounded_score=Fraction(89),
        score_display="88.95",
        instrument_scores={"x": Fraction(90)},
        raw_grade="好",
        final_grade="一般",
        adjustments=(ve.Adjustment("q", "quota", "六", "好", "一般", "note"),),
        consequences=(ve.ConsequenceOutcome("c", "七", "text"),),
        flags=("quota_tie:q", "rank_tie:r"),
        findings=(ve.FindingOutcome("f", "三", "text", "detail"),),
        notes={"存在问题": "text"},
        trace=(ve.TraceStep("grade", "m", "r", "c"),),
        proposed_grade="好",
        rank={"r": ve.Placing(2, 11, "t", ("b",))},
    )
    usage = ve.PopulationUsage("q", "六", "好", "at_most", "hard", "t", 4, 1, 2, 1, ("a",), ("a",), "demoted", ("b",))
    return ve.Result(
        "s",
        "sha256:" + "1" * 64,
        "0.1.0",
        "2024",
        (outcome,),
        (usage,),
        ("w",),
        cohort_hash="sha256:" + "2" * 64,
        decision_id="2f1b5d0e-8c1a-4b7e-9f3d-0a6c2e4b8d10",
        evaluated_at="2024-05-06T07:08:09Z",
        plugins=(PluginStamp("rules:s", "rules.py of s", "-", "sha256:" + "3" * 64),),
    )
