"""JsonLogic (``json-logic-qubit``, the fork of ``json-logic`` that runs on Python 3).

``json-logic`` 0.6.3 itself fails on Python 3 at the first operator
(``tests.keys()[0]``: dict_keys is not subscriptable), so the benchmark uses the
``json-logic-qubit`` 0.9.1 fork, imported under the same name ``json_logic``.

In JsonLogic: the weighted total (one rule: the three ballot means, the site
points, the weights) and the grade (a second rule: the six vetoes, rounding half-up
as ``y - y % 1`` with ``y = total + 0.5`` since JsonLogic has no floor, the bands).
Its arithmetic is Python int/float.

Around it, in plain Python: the 40% quota per township (JsonLogic evaluates one
rule on one data object).
"""

from __future__ import annotations

from typing import Any

from ._common import VETOES, Adapter, flat, python_quota


def _var(name: str) -> dict[str, str]:
    return {"var": name}


def _mean(p: str) -> dict[str, Any]:
    return {
        "/": [
            {"+": [{"*": [_var(f"{p}_good"), 90]}, {"*": [_var(f"{p}_fair"), 70]}, {"*": [_var(f"{p}_poor"), 40]}]},
            {"+": [_var(f"{p}_good"), _var(f"{p}_fair"), _var(f"{p}_poor")]},
        ]
    }


TOTAL = {
    "+": [
        {"*": [_mean("a"), 0.4]},
        {"*": [_mean("i"), 0.2]},
        {"*": [_mean("h"), 0.2]},
        {"*": [{"if": [{"==": [_var("site"), "好"]}, 90, {"==": [_var("site"), "一般"]}, 70, 40]}, 0.1]},
        {"*": [_var("committee"), 0.1]},
    ]
}
_HALF_UP = {"-": [{"+": [_var("total"), 0.5]}, {"%": [{"+": [_var("total"), 0.5]}, 1]}]}
GRADE = {
    "if": [
        {"or": [_var(v) for v in VETOES]},
        "差",
        {">=": [_HALF_UP, 85]},
        "好",
        {">=": [_HALF_UP, 66]},
        "一般",
        "差",
    ]
}


class JsonLogic(Adapter):
    name = "json-logic"
    package = "json-logic-qubit"
    number = "float"
    does = "two JsonLogic rules: total; vetoes + rounding + bands. Quota in Python"

    def prepare(self) -> None:
        from json_logic import jsonLogic

        self.logic = jsonLogic

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        logic = self.logic
        rows = []
        for d in subjects:
            r = flat(d)
            r["total"] = t = logic(TOTAL, r)
            rows.append((r["id"], r["township"], t, logic(GRADE, r)))
        return python_quota(rows)
