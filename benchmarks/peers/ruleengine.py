"""``rule-engine``: expressions in its own grammar, interpreted in Python.

In the engine's language: the weighted total (one rule, the three ballot means, the
site points, the weights) and the grade (a second rule: the six vetoes, rounding
half-up as ``(total + 0.5).floor``, the bands). rule-engine computes in
``decimal.Decimal`` with the default context (28 significant digits), so a mean such
as 1690/19 is cut at 28 digits.

Around it, in plain Python: the 40% quota per township (a rule matches or computes
over one object; it has no ranking of a population).
"""

from __future__ import annotations

from typing import Any

from ._common import VETOES, Adapter, flat, python_quota


def _mean(p: str) -> str:
    return f"({p}_good * 90 + {p}_fair * 70 + {p}_poor * 40) / ({p}_good + {p}_fair + {p}_poor)"


TOTAL = (
    " + ".join(f"{_mean(p)} * {w}" for p, w in (("a", "0.4"), ("i", "0.2"), ("h", "0.2")))
    + " + (site == '好' ? 90 : (site == '一般' ? 70 : 40)) * 0.1 + committee * 0.1"
)
GRADE = (
    f"({' or '.join(VETOES)}) ? '差' : ((total + 0.5).floor >= 85 ? '好' : ((total + 0.5).floor >= 66 ? '一般' : '差'))"
)


class RuleEngine(Adapter):
    name = "rule-engine"
    package = "rule-engine"
    number = "decimal.Decimal (28 digits)"
    does = "two rules in its grammar: total; vetoes + rounding + bands. Quota in Python"

    def prepare(self) -> None:
        import rule_engine

        self.total = rule_engine.Rule(TOTAL)
        self.grade = rule_engine.Rule(GRADE)

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        total, grade = self.total.evaluate, self.grade.evaluate
        rows = []
        for d in subjects:
            r = flat(d)
            r["total"] = t = total(r)
            rows.append((r["id"], r["township"], t, grade(r)))
        return python_quota(rows)
