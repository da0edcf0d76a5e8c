"""``business-rules`` (venmo): conditions as JSON over variables defined in Python.

business-rules has no arithmetic: its variables are Python methods, its rules
compare them with operators. So the weighted total and its rounding half-up
(``math.floor(total + 0.5)``) are Python float arithmetic in the variables class;
in the engine's own language (JSON rules, run in order, first hit wins): the six
vetoes (``is_true``) and the bands on the rounded total. Numeric variables are cast
to ``Decimal`` by the engine and compared with an epsilon of 1e-6.

Around it, in plain Python: the 40% quota per township.
"""

from __future__ import annotations

import math
from typing import Any

from ._common import SITE_POINTS, VETOES, Adapter, flat, python_quota


def _rule(conditions: dict[str, Any], grade: str) -> dict[str, Any]:
    return {"conditions": conditions, "actions": [{"name": "set_grade", "params": {"grade": grade}}]}


RULES = [
    _rule({"any": [{"name": v, "operator": "is_true", "value": True} for v in VETOES]}, "差"),
    _rule({"all": [{"name": "rounded_total", "operator": "greater_than_or_equal_to", "value": 85}]}, "好"),
    _rule(
        {
            "all": [
                {"name": "rounded_total", "operator": "greater_than_or_equal_to", "value": 66},
                {"name": "rounded_total", "operator": "less_than_or_equal_to", "value": 84},
            ]
        },
        "一般",
    ),
    _rule({"all": [{"name": "rounded_total", "operator": "less_than_or_equal_to", "value": 65}]}, "差"),
]


def _mean(good: int, fair: int, poor: int) -> float:
    return (good * 90 + fair * 70 + poor * 40) / (good + fair + poor)


class BusinessRules(Adapter):
    name = "business-rules"
    package = "business-rules"
    number = "float (cast to Decimal for comparisons)"
    does = "JSON rules: vetoes, bands. Total and rounding in Python variables; quota in Python"

    def prepare(self) -> None:
        from business_rules import run_all
        from business_rules.actions import BaseActions, rule_action
        from business_rules.fields import FIELD_TEXT
        from business_rules.variables import BaseVariables, boolean_rule_variable, numeric_rule_variable

        class Subject(BaseVariables):
            def __init__(self, r: dict[str, Any]) -> None:
                self.r = r
                self.total = (
                    _mean(r["a_good"], r["a_fair"], r["a_poor"]) * 0.4
                    + _mean(r["i_good"], r["i_fair"], r["i_poor"]) * 0.2
                    + _mean(r["h_good"], r["h_fair"], r["h_poor"]) * 0.2
                    + SITE_POINTS[r["site"]] * 0.1
                    + r["committee"] * 0.1
                )

            @numeric_rule_variable
            def rounded_total(self) -> int:
                return math.floor(self.total + 0.5)

        for v in VETOES:
            setattr(Subject, v, boolean_rule_variable(lambda self, v=v: self.r[v]))

        class Grade(BaseActions):
            def __init__(self) -> None:
                self.grade = ""

            @rule_action(params={"grade": FIELD_TEXT})
            def set_grade(self, grade: str) -> None:
                self.grade = grade

        self.run_all = run_all
        self.Subject = Subject
        self.Grade = Grade

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        run_all, Subject, Grade = self.run_all, self.Subject, self.Grade
        rows = []
        for d in subjects:
            r = flat(d)
            variables, actions = Subject(r), Grade()
            run_all(RULES, variables, actions, stop_on_first_trigger=True)
            rows.append((r["id"], r["township"], variables.total, actions.grade))
        return python_quota(rows)
