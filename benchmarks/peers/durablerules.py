"""``durable-rules``: a Rete engine in C, rules declared in its Python DSL.

durable_rules matches events against conditions; it has no arithmetic over one
event's fields on the left-hand side. So the weighted total and its rounding half-up
(``math.floor(total + 0.5)``) are Python float arithmetic before each event is posted;
in the engine's own language: the six vetoes and the bands (four rules, each
consuming the event, the three bands guarded by "no veto"). Events cross into the C
engine as JSON.

Around it, in plain Python: the 40% quota per township (Rete can join a fact with
others, but "the best floor(40% × n) of each township" is no pattern it matches).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ._common import SITE_POINTS, VETOES, Adapter, flat, python_quota

_count = itertools.count()


def _mean(good: int, fair: int, poor: int) -> float:
    return (good * 90 + fair * 70 + poor * 40) / (good + fair + poor)


class DurableRules(Adapter):
    name = "durable-rules"
    package = "durable-rules"
    number = "float"
    does = "Rete rules: vetoes, bands. Total and rounding in Python; quota in Python"

    def prepare(self) -> None:
        from durable.lang import m, post, ruleset, when_all

        grades: dict[str, str] = {}
        self.grades = grades
        self.ruleset = f"huining_bench_{next(_count)}"
        no_veto = None
        any_veto = None
        for v in VETOES:
            yes, no = getattr(m, v) == True, getattr(m, v) == False  # noqa: E712 - durable's DSL
            any_veto = yes if any_veto is None else any_veto | yes
            no_veto = no if no_veto is None else no_veto & no

        with ruleset(self.ruleset):

            @when_all(any_veto)
            def veto(c: Any) -> None:
                grades[c.m.sid_] = "差"

            @when_all(no_veto & (m.rounded >= 85))
            def good(c: Any) -> None:
                grades[c.m.sid_] = "好"

            @when_all(no_veto & (m.rounded >= 66) & (m.rounded <= 84))
            def fair(c: Any) -> None:
                grades[c.m.sid_] = "一般"

            @when_all(no_veto & (m.rounded <= 65))
            def poor(c: Any) -> None:
                grades[c.m.sid_] = "差"

        self.post = post

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        post, name, grades = self.post, self.ruleset, self.grades
        grades.clear()
        rows = []
        for d in subjects:
            r = flat(d)
            total = (
                _mean(r["a_good"], r["a_fair"], r["a_poor"]) * 0.4
                + _mean(r["i_good"], r["i_fair"], r["i_poor"]) * 0.2
                + _mean(r["h_good"], r["h_fair"], r["h_poor"]) * 0.2
                + SITE_POINTS[r["site"]] * 0.1
                + r["committee"] * 0.1
            )
            event = {v: r[v] for v in VETOES}
            event["sid_"] = r["id"]
            event["rounded"] = math.floor(total + 0.5)
            post(name, event)
            rows.append((r["id"], r["township"], total, grades[r["id"]]))
        return python_quota(rows)
