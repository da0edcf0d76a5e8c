"""GoRules ZEN engine (``zen-engine``), evaluated in Rust, two ways.

``zen-engine``: two compiled ZEN expressions (``zen.compile_expression``), the
fastest way to use it from Python: one for the weighted total (the three ballot
means, the site points, the weights), one for the grade (the six vetoes, rounding
half-up as ``floor(total + 0.5)``, the bands).

``zen-engine (JDM graph)``: the same rules as a JSON Decision Model, the engine's
own format: an expression node (means, total, rounding, vetoes) and a decision
table (veto first, then the bands; hit policy ``first``). Every ``evaluate`` of a
decision costs about 0.2 ms of binding overhead here, however small the graph.

ZEN computes in decimals (28 significant digits), not binary floats; results come
back to Python as floats. Around it, in plain Python: the 40% quota per township
(both forms grade one record; ranking a population is outside what they do).
"""

from __future__ import annotations

import json
from typing import Any

from ._common import VETOES, Adapter, flat, python_quota


def _node(nid: str, kind: str, name: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    n: dict[str, Any] = {"id": nid, "type": kind, "name": name, "position": {"x": 0, "y": 0}}
    if content is not None:
        options = {"passThrough": True, "inputField": None, "outputPath": None, "executionMode": "single"}
        n["content"] = {**content, **options}
    return n


def _mean(p: str) -> str:
    return f"({p}_good * 90 + {p}_fair * 70 + {p}_poor * 40) / ({p}_good + {p}_fair + {p}_poor)"


EXPRESSIONS = [
    ("appraisal", _mean("a")),
    ("interview", _mean("i")),
    ("household", _mean("h")),
    ("site_points", 'site == "好" ? 90 : (site == "一般" ? 70 : 40)'),
    (
        "total",
        "$.appraisal * 0.4 + $.interview * 0.2 + $.household * 0.2 + $.site_points * 0.1 + committee * 0.1",
    ),
    ("rounded", "floor($.total + 0.5)"),
    ("vetoed", " or ".join(VETOES)),
]

GRAPH: dict[str, Any] = {
    "contentType": "application/vnd.gorules.decision",
    "nodes": [
        _node("request", "inputNode", "Request"),
        _node(
            "score",
            "expressionNode",
            "四、6 weighted total",
            {"expressions": [{"id": k, "key": k, "value": v} for k, v in EXPRESSIONS]},
        ),
        _node(
            "grade",
            "decisionTableNode",
            "四、6 bands and vetoes",
            {
                "hitPolicy": "first",
                "inputs": [
                    {"id": "in_vetoed", "name": "vetoed", "field": "vetoed"},
                    {"id": "in_rounded", "name": "rounded", "field": "rounded"},
                ],
                "outputs": [{"id": "out_grade", "name": "grade", "field": "grade"}],
                "rules": [
                    {"_id": "veto", "in_vetoed": "true", "in_rounded": "", "out_grade": '"差"'},
                    {"_id": "good", "in_vetoed": "", "in_rounded": ">= 85", "out_grade": '"好"'},
                    {"_id": "fair", "in_vetoed": "", "in_rounded": "[66..84]", "out_grade": '"一般"'},
                    {"_id": "poor", "in_vetoed": "", "in_rounded": "<= 65", "out_grade": '"差"'},
                ],
            },
        ),
        _node("response", "outputNode", "Response"),
    ],
    "edges": [
        {"id": "e1", "sourceId": "request", "targetId": "score", "type": "edge"},
        {"id": "e2", "sourceId": "score", "targetId": "grade", "type": "edge"},
        {"id": "e3", "sourceId": "grade", "targetId": "response", "type": "edge"},
    ],
}


TOTAL = (
    " + ".join(f"{_mean(p)} * {w}" for p, w in (("a", "0.4"), ("i", "0.2"), ("h", "0.2")))
    + ' + (site == "好" ? 90 : (site == "一般" ? 70 : 40)) * 0.1 + committee * 0.1'
)
GRADE = (
    f'({" or ".join(VETOES)}) ? "差" : (floor(total + 0.5) >= 85 ? "好" : (floor(total + 0.5) >= 66 ? "一般" : "差"))'
)


class Zen(Adapter):
    name = "zen-engine"
    package = "zen-engine"
    number = "decimal (rust_decimal, 28 digits), returned as float"
    does = "two compiled ZEN expressions: total; vetoes + rounding + bands. Quota in Python"

    def prepare(self) -> None:
        import zen

        self.total = zen.compile_expression(TOTAL)
        self.grade = zen.compile_expression(GRADE)

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        total, grade = self.total.evaluate, self.grade.evaluate
        rows = []
        for d in subjects:
            r = flat(d)
            r["total"] = t = total(r)
            rows.append((r["id"], r["township"], t, grade(r)))
        return python_quota(rows)


class ZenGraph(Adapter):
    name = "zen-engine (JDM graph)"
    package = "zen-engine"
    number = "decimal (rust_decimal, 28 digits), returned as float"
    does = "JDM decision graph: expression node + decision table. Quota in Python"

    def prepare(self) -> None:
        import zen

        self.engine = zen.ZenEngine()
        self.decision = self.engine.create_decision(json.dumps(GRAPH, ensure_ascii=False))

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        evaluate = self.decision.evaluate
        rows = []
        for d in subjects:
            r = evaluate(flat(d))["result"]
            rows.append((r["id"], r["township"], r["total"], r["grade"]))
        return python_quota(rows)
