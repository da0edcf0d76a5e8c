"""Every engine of the benchmark behind one interface (see ``peers/_common.py``).

``ENGINES`` maps a name to ``(module, class)``; :func:`load` imports one, or returns
the reason it cannot (a peer whose package is not installed is skipped, not an error).
villageeval takes ``villageeval.Subject`` objects (``form = "subjects"``); its columnar
path and OpenFisca's columnar adapter take the columns of ``cohorts.to_columns``
(``form = "columns"``); the floor and the peers take the subject dicts of :mod:`cohorts`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from peers._common import Adapter, Columns

HERE = Path(__file__).resolve().parent
SCHEME = HERE / "scheme" / "scheme.toml"


class Villageeval(Adapter):
    name = "villageeval"
    package = "villageeval"
    quota = "engine"
    number = "fractions.Fraction"
    does = "the scheme TOML as written; evaluate(scheme, Cohort(subjects), trace=False)"
    form = "subjects"
    trace = False

    def prepare(self) -> None:
        import villageeval

        self.ve = villageeval
        self.scheme = villageeval.load_scheme(SCHEME)

    def run(self, subjects: list[Any]) -> dict[str, tuple[Any, str]]:
        ve = self.ve
        result = ve.evaluate(self.scheme, ve.Cohort(subjects), trace=self.trace)
        return {o.subject_id: (o.score, o.final_grade) for o in result.outcomes}


class VillageevalColumnar(Adapter):
    name = "villageeval (columnar)"
    package = "villageeval[numpy]"
    quota = "engine"
    number = "int64 numerator/denominator"
    does = "villageeval.columnar.evaluate_columnar on the cohort's columns (cohorts.to_columns)"
    form = "columns"

    def prepare(self) -> None:
        from villageeval import columnar

        self.columnar = columnar
        self.scheme = villageeval_scheme()

    def run(self, columns: dict[str, Any]) -> Columns:  # type: ignore[override]
        c = self.columnar
        result = c.evaluate_columnar(self.scheme, c.ColumnarCohort(columns))
        totals = (result.score_numerators.tolist(), result.score_denominators.tolist())
        return Columns(result.subject_ids, totals, result.final_grades)


def villageeval_scheme() -> Any:
    import villageeval

    return villageeval.load_scheme(SCHEME)


class VillageevalTrace(Villageeval):
    name = "villageeval (trace=True)"
    does = "as villageeval, keeping the step-by-step trace of every outcome"
    trace = True


class Floor(Adapter):
    name = "floor"
    package = ""
    quota = "engine"
    number = "int (Fraction for the result)"
    does = "hand-written exact pure Python, this scheme only (benchmarks/floor.py)"

    def prepare(self) -> None:
        import floor

        self.evaluate = floor.evaluate

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
        # (total, final grade, grade before the quota): the third says, when an engine
        # disagrees on 好/一般, whether the quota's cut is where it happened
        out = {}
        for sid, (_, total, _, raw, final) in self.evaluate(subjects).items():
            before = final if final is None or final == "差" or raw != "好" else "好"
            out[sid] = (total, final, before)
        return out


ENGINES: dict[str, tuple[str, str]] = {
    "villageeval": ("engines", "Villageeval"),
    "villageeval (columnar)": ("engines", "VillageevalColumnar"),
    "floor": ("engines", "Floor"),
    "openfisca": ("peers.openfisca", "OpenFisca"),
    "openfisca (columns)": ("peers.openfisca", "OpenFiscaColumns"),
    "zen-engine": ("peers.zen_engine", "Zen"),
    "zen-engine (JDM graph)": ("peers.zen_engine", "ZenGraph"),
    "business-rules": ("peers.businessrules", "BusinessRules"),
    "durable-rules": ("peers.durablerules", "DurableRules"),
    "json-logic": ("peers.jsonlogic", "JsonLogic"),
    "rule-engine": ("peers.ruleengine", "RuleEngine"),
}
EXTRA: dict[str, tuple[str, str]] = {
    "villageeval (trace=True)": ("engines", "VillageevalTrace"),
}
# The Python module each one needs, to say what is missing.
NEEDS = {
    "villageeval": "villageeval",
    "villageeval (trace=True)": "villageeval",
    "villageeval (columnar)": "numpy",
    "openfisca": "openfisca_core",
    "openfisca (columns)": "openfisca_core",
    "zen-engine": "zen",
    "zen-engine (JDM graph)": "zen",
    "business-rules": "business_rules",
    "durable-rules": "durable",
    "json-logic": "json_logic",
    "rule-engine": "rule_engine",
}


def load(name: str) -> Adapter | str:
    """An adapter instance, or why it cannot run here."""
    module, cls = {**ENGINES, **EXTRA}[name]
    need = NEEDS.get(name)
    if need is not None:
        try:
            importlib.import_module(need)
        except ImportError as e:
            pkg = getattr(getattr(importlib.import_module(module), cls), "package", need)
            return f"skipped: {need} is not importable ({e.msg}); pip install {pkg} (see benchmarks/requirements.txt)"
    adapter: Adapter = getattr(importlib.import_module(module), cls)()
    return adapter


def form(adapter: Adapter) -> str:
    return getattr(adapter, "form", "dicts")
