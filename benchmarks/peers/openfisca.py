"""OpenFisca (``openfisca-core``): vectorised formulas over the whole cohort, in numpy.

A tax-benefit system with a person entity ``subject`` and a group entity
``township``; inputs are set as arrays (one per tally, the site tier as a code, the
committee score, the six veto facts), and every rule is an OpenFisca variable with a
vectorised formula:

- the three ballot means, the site points, the weighted total (``float`` variables,
  which OpenFisca stores as **float32**);
- rounding half-up (``floor(total + 0.5)``), the bands and the vetoes;
- the quota, in the engine: ``quota_limit`` on the township (floor(0.4 × members)),
  the 好 holders ranked within their township with OpenFisca's own
  ``Population.get_rank`` (its rank matrix is built with one pass per position in the
  largest group: quadratic in the group size), the ones ranked at or past the limit
  demoted to 一般.

Nothing is done in plain Python but turning the dicts into arrays and the grade
codes back into labels.
"""

from __future__ import annotations

from typing import Any

from ._common import VETOES, Adapter, Columns

PERIOD = "2023"
GRADES = ("好", "一般", "差")
TIER_CODE = {"好": 0, "一般": 1, "差": 2}
INPUTS = ("a_good", "a_fair", "a_poor", "i_good", "i_fair", "i_poor", "h_good", "h_fair", "h_poor")


def _system() -> Any:
    import numpy as np
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    Subject = build_entity(key="subject", plural="subjects", label="被考核对象", is_person=True)
    Township = build_entity(
        key="township", plural="townships", label="乡镇", roles=[{"key": "member", "plural": "members"}]
    )
    system = TaxBenefitSystem([Subject, Township])
    year = DateUnit.YEAR

    def var(name: str, vtype: type, entity: Any = Subject, formula: Any = None) -> None:
        attrs: dict[str, Any] = {"value_type": vtype, "entity": entity, "definition_period": year, "label": name}
        if formula is not None:
            attrs["formula"] = formula
        system.add_variable(type(name, (Variable,), attrs))

    for name in INPUTS:
        var(name, int)
    var("site_tier", int)
    var("committee", float)
    for v in VETOES:
        var(v, bool)

    def mean(p: str) -> Any:
        def formula(subject: Any, period: Any) -> Any:
            g, f, q = subject(f"{p}_good", period), subject(f"{p}_fair", period), subject(f"{p}_poor", period)
            return (g * 90 + f * 70 + q * 40) / (g + f + q)

        return formula

    var("appraisal", float, formula=mean("a"))
    var("interview", float, formula=mean("i"))
    var("household_visit", float, formula=mean("h"))
    var(
        "site_inspection",
        float,
        formula=lambda subject, period: np.choose(subject("site_tier", period), [90, 70, 40]),
    )
    var(
        "total",
        float,
        formula=lambda subject, period: (
            subject("appraisal", period) * 0.4
            + subject("interview", period) * 0.2
            + subject("household_visit", period) * 0.2
            + subject("site_inspection", period) * 0.1
            + subject("committee", period) * 0.1
        ),
    )
    var("rounded_total", int, formula=lambda subject, period: np.floor(subject("total", period) + 0.5))

    def vetoed(subject: Any, period: Any) -> Any:
        out = subject(VETOES[0], period)
        for v in VETOES[1:]:
            out = out | subject(v, period)
        return out

    var("vetoed", bool, formula=vetoed)

    def grade_before_quota(subject: Any, period: Any) -> Any:
        r = subject("rounded_total", period)
        banded = np.select([r >= 85, r >= 66], [0, 1], 2)
        return np.where(subject("vetoed", period), 2, banded)

    var("grade_before_quota", int, formula=grade_before_quota)
    var(
        "quota_limit",
        int,
        entity=Township,
        formula=lambda township, period: np.floor(0.4 * township.nb_persons()),
    )

    def grade(subject: Any, period: Any) -> Any:
        before = subject("grade_before_quota", period)
        holder = before == 0
        rank = subject.get_rank(subject.township, -subject("total", period), condition=holder)
        over = holder & (rank >= subject.township("quota_limit", period))
        return np.where(over, 1, before)

    var("grade", int, formula=grade)
    return system


class OpenFisca(Adapter):
    name = "openfisca"
    package = "openfisca-core"
    quota = "engine"
    number = "float32 (OpenFisca's float)"
    does = "vectorised numpy formulas: means, total, rounding, bands, vetoes, quota (get_rank)"

    def prepare(self) -> None:
        import numpy as np
        from openfisca_core.simulations import SimulationBuilder

        self.np = np
        self.Builder = SimulationBuilder
        self.system = _system()

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:
        np = self.np
        n = len(subjects)
        ids = [d["id"] for d in subjects]
        towns: dict[str, int] = {}
        town_of = np.fromiter(
            (towns.setdefault(d["groups"]["township"], len(towns)) for d in subjects), dtype=np.int32, count=n
        )
        columns: dict[str, list[Any]] = {k: [] for k in (*INPUTS, "site_tier", "committee", *VETOES)}
        for d in subjects:
            ev, facts = d["evidence"], d["facts"]
            for p, iid in (("a", "appraisal"), ("i", "interview"), ("h", "household_visit")):
                t = ev[iid]["tallies"]
                columns[f"{p}_good"].append(t["好"])
                columns[f"{p}_fair"].append(t["一般"])
                columns[f"{p}_poor"].append(t["差"])
            columns["site_tier"].append(TIER_CODE[ev["site_inspection"]["tier"]])
            columns["committee"].append(float(ev["party_committee"]["value"]))
            for v in VETOES:
                columns[v].append(facts[v])
        grades, totals = self.simulate(ids, list(towns), town_of, {k: np.array(v) for k, v in columns.items()})
        return {sid: (t, GRADES[g]) for sid, t, g in zip(ids, totals, grades.tolist(), strict=True)}

    def simulate(self, ids: list[str], towns: list[str], town_of: Any, arrays: dict[str, Any]) -> tuple[Any, Any]:
        """Grade codes and float32 totals (as Python floats), from the input arrays."""
        builder = self.Builder()
        builder.create_entities(self.system)
        builder.declare_person_entity("subject", ids)
        township = builder.declare_entity("township", towns)
        builder.join_with_persons(township, town_of, ["member"] * len(ids))
        sim = builder.build(self.system)
        for name, values in arrays.items():
            sim.set_input(name, PERIOD, values)
        grades = sim.calculate("grade", PERIOD)
        totals = sim.calculate("total", PERIOD).tolist()  # float32 values, as exact Python floats
        return grades, totals


class OpenFiscaColumns(OpenFisca):
    """OpenFisca given the cohort as columns (``cohorts.to_columns``), as villageeval's columnar path is.

    Only what OpenFisca needs of them is turned into its input arrays: the tier texts
    into codes, the fixed-point committee scores into floats, the townships into codes.
    """

    name = "openfisca (columns)"
    form = "columns"
    does = "as openfisca, reading the integer and boolean columns as they are"

    def run(self, columns: dict[str, Any]) -> Columns:  # type: ignore[override]
        np = self.np
        ids = columns["id"]
        towns: dict[str, int] = {}
        town_of = np.fromiter(
            (towns.setdefault(t, len(towns)) for t in columns["groups.township"]), dtype=np.int32, count=len(ids)
        )
        arrays: dict[str, Any] = {}
        for p, iid in (("a", "appraisal"), ("i", "interview"), ("h", "household_visit")):
            for suffix, label in (("good", "好"), ("fair", "一般"), ("poor", "差")):
                arrays[f"{p}_{suffix}"] = columns[f"evidence.{iid}.tallies.{label}"]
        arrays["site_tier"] = np.fromiter(
            map(TIER_CODE.__getitem__, columns["evidence.site_inspection.tier"]), dtype=np.int64, count=len(ids)
        )
        committee = columns["evidence.party_committee.value"]
        arrays["committee"] = committee.values / 10**committee.places
        for v in VETOES:
            arrays[v] = columns[f"facts.{v}"]
        grades, totals = self.simulate(ids, list(towns), town_of, arrays)
        return Columns(ids, totals, np.array(GRADES, dtype=object)[grades].tolist())
