"""Seeded cohorts under huining-midterm-2023 (and its benchmark variant), at four scales.

=========  =========================================================  ============
level      what                                                       subjects
=========  =========================================================  ============
township   one township of 11 villages                                77
county     300 villages, townships of 15–25 villages                  2,100
province   25,000 villages, townships of 15–25 (about 20) villages    175,000
nation     490,000 villages, streamed township by township            3,430,000
=========  =========================================================  ============

Every village has one team (村“两委”班子) and six members (the secretary and five
others): 7 subjects, each in ``groups = {"township": ...}``. A *slice* of a level
(``villages=2000``) is its first townships up to that many villages, the last one cut.

Each subject carries realistic evidence for all five instruments of the scheme:

- 述职测评 (appraisal): the village's 20–45 raters, every ballot valid;
- 个别谈话 (interview): 15–24 interviews, every 包村干部, 村干部 and 驻村工作队员
  covered (``{"count": n, "of": n}``);
- 入户访谈 (household_visit): 2–6 natural villages of 3–5 households each, the tallies
  adding up to the households;
- 实地查看 (site_inspection): a tier with the three must-see items covered;
- 乡镇党委评价 (party_committee): an exact decimal (``Decimal("87.5")``), most of them
  whole, some with one or two decimals;
- all seven facts given; about 2% of subjects have one veto fact true (a third of those
  also ``serious_problems``).

About 0.6% of subjects are built to land *exactly* on a band edge: a total of 85, 84.5
or 65.5 (their committee score is solved for it), half of them through means that
are not finite decimals (thirds that cancel). Those are the subjects where an engine
computing in floats or in 28-digit decimals can fall on the wrong side of the edge.

The generator is deterministic: each township has its own ``random.Random`` seeded from
``(seed, level, township index)``, so a township is the same whether it is generated
alone, in a slice, or in a whole province, and the nation can be streamed in constant
memory.

Two forms of the same subjects:

- :func:`townships` yields ``(township_id, [subject dict, ...])``: the cohort JSON
  interchange form of a subject (``docs/interchange.md``), with the committee score a
  :class:`~decimal.Decimal` as ``villageeval.loads_cohort`` reads it. The floor and the
  peers take this form.
- :func:`to_subject` turns one dict into a ``villageeval.Subject`` (no validation,
  no copying beyond what ``Subject`` itself does).

Command line: ``python benchmarks/cohorts.py LEVEL [--villages N] [--seed S] [--out FILE]``
prints a summary, or writes the cohort JSON that ``villageeval evaluate`` reads.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

SEED = 20230614  # the notice's date

TIERS = ("好", "一般", "差")
POINTS = {"好": 90, "一般": 70, "差": 40}
VETO_FACTS = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee")
FACTS = (*VETO_FACTS, "serious_problems")
SITE_ITEMS = ("乡村建设项目", "人居环境整治", "集体经济项目")
INTERVIEWED = ("包村干部", "村干部", "驻村工作队员")
MEMBERS_PER_VILLAGE = 6

# Natural-village names are built from these (上庄, 后沟, 阳洼, ...).
_NV_FIRST = "上下中前后东西南北阳阴大小新老"
_NV_LAST = ("庄", "沟", "湾", "岔", "川", "山", "坪", "洼", "台", "河", "岘", "塬")

LEVELS: dict[str, dict[str, Any]] = {
    "township": {"code": "TW", "villages": 11, "per_township": (11, 11)},
    "county": {"code": "C", "villages": 300, "per_township": (15, 25)},
    "province": {"code": "P", "villages": 25_000, "per_township": (15, 25)},
    "nation": {"code": "N", "villages": 490_000, "per_township": (15, 25)},
}

# Share of subjects built to land exactly on a band edge, and the edges.
EDGE_SHARE = 0.016  # about 40% of the tries succeed: some 0.6% of subjects
EDGE_TOTALS = (Fraction(85), Fraction(169, 2), Fraction(131, 2))
VETO_SHARE = 0.02


# --- layout -----------------------------------------------------------------------------


def layout(level: str, seed: int = SEED, villages: int | None = None) -> Iterator[tuple[int, str, int]]:
    """``(index, township_id, villages in it)`` for each township of ``level``, in order."""
    spec = LEVELS[level]
    total = spec["villages"] if villages is None else min(villages, spec["villages"])
    low, high = spec["per_township"]
    rng = random.Random(f"{seed}/{level}/layout")
    done = 0
    index = 0
    width = len(str(spec["villages"] // low + 1))
    while done < total:
        # Sizes are drawn for the whole level, so a slice has the same townships.
        n = min(rng.randint(low, high), spec["villages"] - done)
        n = min(n, total - done)
        yield index, f"{spec['code']}{index + 1:0{width}d}", n
        done += n
        index += 1


# --- evidence ------------------------------------------------------------------------------


def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _tallies(rng: random.Random, n: int, q: float) -> dict[str, int]:
    """n ballots split into 好/一般/差 for a subject of quality q (0–1), roughly binomial."""
    sd = (n * q * (1 - q)) ** 0.5
    good = int(_clamp(round(n * q + rng.gauss(0, sd)), 0, n))
    rest = n - good
    poor_share = _clamp((1 - q) ** 1.5 * 0.8 + rng.gauss(0, 0.05), 0, 1)
    poor = int(_clamp(round(rest * poor_share), 0, rest))
    return {"好": good, "一般": rest - poor, "差": poor}


def _committee(rng: random.Random, q: float) -> Decimal:
    value = _clamp(58 + 40 * q + rng.gauss(0, 4), 40, 100)
    r = rng.random()
    if r < 0.6:
        return Decimal(round(value))
    if r < 0.9:
        return Decimal(round(value * 10)) / 10
    return Decimal(round(value * 4)) * 25 / 100  # .25, .5, .75


def _site_tier(rng: random.Random, q: float) -> str:
    x = q + rng.gauss(0, 0.08)
    return "好" if x > 0.74 else "一般" if x > 0.45 else "差"


# Every split of n ballots into (好, 一般, 差) with its exact mean points, sorted by
# mean, and the means as floats to search by (choosing a window needs no exactness).
_SPLITS: dict[int, tuple[list[float], list[tuple[Fraction, tuple[int, int, int]]]]] = {}


def _near(n: int, mean: float, width: float = 3) -> list[tuple[Fraction, tuple[int, int, int]]]:
    """The splits of n ballots whose mean is within ``width`` points of ``mean``."""
    found = _SPLITS.get(n)
    if found is None:
        splits = sorted(
            ((90 * g + 70 * f + 40 * (n - g - f)) / n, (g, f, n - g - f))
            for g in range(n + 1)
            for f in range(n - g + 1)
        )
        found = _SPLITS[n] = (
            [m for m, _ in splits],
            [(Fraction(90 * g + 70 * f + 40 * p, n), (g, f, p)) for _, (g, f, p) in splits],
        )
    keys, entries = found
    lo = bisect.bisect_left(keys, mean - width)
    hi = bisect.bisect_right(keys, mean + width)
    return entries[lo:hi] or entries[max(0, lo - 3) : lo + 3]


def _edge_evidence(
    rng: random.Random, n_a: int, n_i: int, n_h: int, target: Fraction
) -> tuple[dict[str, int], dict[str, int], dict[str, int], str, Decimal] | None:
    """Tallies, site tier and committee score whose exact total is ``target``, or None.

    The committee score has at most two decimals, so the other four contributions must
    add up to a whole number of thousandths. They need not each be one: the means of
    the appraisal and the household visits are drawn freely (1690/21 is fine), and an
    interview split is searched that makes the sum come out, which it can when the
    denominators share a factor (thirds cancelling thirds). Those are the totals that
    are exact on paper and inexact in floats or 28-digit decimals.
    """
    site = "好" if target > 80 else "一般"
    site_part = Fraction(POINTS[site], 10)
    for _ in range(30):
        committee_guess = _clamp(float(target) + rng.gauss(2, 4), 60, 100)
        mean = (float(target) - committee_guess / 10 - POINTS[site] / 10) / 0.8
        ma, a = rng.choice(_near(n_a, mean + rng.gauss(0, 1.5)))
        mh, h = rng.choice(_near(n_h, mean + rng.gauss(0, 1.5)))
        partial = ma * Fraction(2, 5) + mh * Fraction(1, 5) + site_part
        # partial + (interview points / n_i) / 5 must be a whole number of thousandths:
        # with partial × 1000 = p/q, (p·n_i + 200·points·q) must divide by q·n_i.
        p, q = (partial * 1000).as_integer_ratio()
        fits = [
            (mi, i)
            for mi, i in _near(n_i, mean)
            if (p * n_i + 200 * (90 * i[0] + 70 * i[1] + 40 * i[2]) * q) % (q * n_i) == 0
        ]
        if not fits:
            continue
        mi, i = rng.choice(fits)
        committee = (target - partial - mi * Fraction(1, 5)) * 10
        if 0 <= committee <= 100:
            value = Decimal(committee.numerator) / committee.denominator
            tallies = [dict(zip(TIERS, split, strict=True)) for split in (a, i, h)]
            return tallies[0], tallies[1], tallies[2], site, value
    return None


# --- one township ------------------------------------------------------------------------


def township(level: str, index: int, tid: str, n_villages: int, seed: int = SEED) -> list[dict[str, Any]]:
    """The subject dicts of one township (7 per village), in id order."""
    rng = random.Random(f"{seed}/{level}/{index}")
    groups = {"township": tid}
    township_q = rng.uniform(-0.08, 0.08)
    subjects: list[dict[str, Any]] = []
    for v in range(1, n_villages + 1):
        vid = f"{tid}-v{v:02d}"
        unit = f"{vid}村"
        weak = rng.random() < 0.08  # a weak village (软弱涣散村)
        village_q = _clamp((rng.uniform(0.1, 0.45) if weak else rng.uniform(0.5, 0.92)) + township_q, 0.08, 0.97)
        n_a = rng.randint(20, 45)
        n_i = rng.randint(15, 24)
        cover = {
            "包村干部": rng.randint(1, 3),
            "村干部": rng.randint(5, 7),
            "驻村工作队员": rng.randint(2, 4),
        }
        coverage = {k: {"count": c, "of": c} for k, c in cover.items()}
        names = rng.sample([a + b for a in _NV_FIRST for b in _NV_LAST], rng.randint(2, 6))
        strata = {name: rng.randint(3, 5) for name in names}
        n_h = sum(strata.values())
        site_cover = {item: rng.randint(1, 3) for item in SITE_ITEMS}
        for k in range(MEMBERS_PER_VILLAGE + 1):
            sid = f"{vid}-team" if k == 0 else f"{vid}-m{k}"
            q = _clamp(village_q + rng.gauss(0, 0.06), 0.2, 0.99)
            edge = None
            if rng.random() < EDGE_SHARE:
                edge = _edge_evidence(rng, n_a, n_i, n_h, rng.choice(EDGE_TOTALS))
            if edge is not None:
                appraisal, interview, household, tier, committee = edge
            else:
                appraisal = _tallies(rng, n_a, q)
                interview = _tallies(rng, n_i, q)
                household = _tallies(rng, n_h, q)
                tier = _site_tier(rng, q)
                committee = _committee(rng, q)
            facts = dict.fromkeys(FACTS, False)
            if rng.random() < VETO_SHARE:
                facts[rng.choice(VETO_FACTS)] = True
                facts["serious_problems"] = rng.random() < 1 / 3
            subjects.append(
                {
                    "id": sid,
                    "role": "team" if k == 0 else "member",
                    "unit": unit,
                    "groups": groups,
                    "evidence": {
                        "appraisal": {"tallies": appraisal},
                        "interview": {"tallies": interview, "coverage": coverage},
                        "household_visit": {"tallies": household, "strata": strata},
                        "site_inspection": {"tier": tier, "coverage": site_cover},
                        "party_committee": {"value": committee},
                    },
                    "facts": facts,
                }
            )
    return subjects


def townships(level: str, seed: int = SEED, villages: int | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Stream ``(township_id, subject dicts)`` for a level (or its first ``villages``)."""
    for index, tid, n in layout(level, seed, villages):
        yield tid, township(level, index, tid, n, seed)


def cohort_dicts(level: str, seed: int = SEED, villages: int | None = None) -> list[dict[str, Any]]:
    """All subject dicts of a level (or slice) in one list: do not use for the nation."""
    out: list[dict[str, Any]] = []
    for _, subjects in townships(level, seed, villages):
        out.extend(subjects)
    return out


# --- villageeval form --------------------------------------------------------------------


def to_subject(d: dict[str, Any]) -> Any:
    """A ``villageeval.Subject`` from a subject dict of this module."""
    from villageeval import BallotEvidence, RatingEvidence, ScoreEvidence, Subject

    ev = d["evidence"]
    a, i, h, s, c = (
        ev["appraisal"],
        ev["interview"],
        ev["household_visit"],
        ev["site_inspection"],
        ev["party_committee"],
    )
    return Subject(
        id=d["id"],
        role=d["role"],
        unit=d.get("unit", ""),
        groups=d["groups"],
        evidence={
            "appraisal": BallotEvidence(a["tallies"]),
            "interview": BallotEvidence(i["tallies"], coverage=i["coverage"]),
            "household_visit": BallotEvidence(h["tallies"], strata=h["strata"]),
            "site_inspection": RatingEvidence(s["tier"], coverage=s["coverage"]),
            "party_committee": ScoreEvidence(c["value"]),
        },
        facts=d["facts"],
    )


def to_subjects(dicts: list[dict[str, Any]]) -> list[Any]:
    return [to_subject(d) for d in dicts]


def to_columns(dicts: list[dict[str, Any]]) -> dict[str, Any]:
    """The table of ``villageeval.columnar``: one column per field, numpy arrays where they fit.

    What a database query hands an integrator: whole numbers and flags as integer and
    boolean arrays, exact scores as fixed-point integers (``Fixed``), the strata as a
    child table's rows (``Ragged``), texts as lists. The columnar OpenFisca adapter
    reads the same columns.
    """
    import numpy as np

    cols: dict[str, list[Any]] = {}

    def put(name: str, value: Any) -> None:
        cols.setdefault(name, []).append(value)

    for d in dicts:
        ev = d["evidence"]
        put("id", d["id"])
        put("role", d["role"])
        put("groups.township", d["groups"]["township"])
        for iid in ("appraisal", "interview", "household_visit"):
            for label, k in ev[iid]["tallies"].items():
                put(f"evidence.{iid}.tallies.{label}", k)
        for cat, c in ev["interview"]["coverage"].items():
            put(f"evidence.interview.coverage.{cat}.count", c["count"])
            put(f"evidence.interview.coverage.{cat}.of", c["of"])
        put("evidence.household_visit.strata", ev["household_visit"]["strata"])
        put("evidence.site_inspection.tier", ev["site_inspection"]["tier"])
        for item, c in ev["site_inspection"]["coverage"].items():
            put(f"evidence.site_inspection.coverage.{item}", c)
        put("evidence.party_committee.value", ev["party_committee"]["value"])
        for name, v in d["facts"].items():
            put(f"facts.{name}", v)
    from villageeval.columnar import Fixed, Ragged

    out: dict[str, Any] = {}
    # Households per natural village: a child table's rows, one after another.
    strata = cols.pop("evidence.household_visit.strata")
    out["evidence.household_visit.strata"] = Ragged(
        np.array([len(m) for m in strata], np.int64),
        np.array([k for m in strata for k in m.values()], np.int64),
        [name for m in strata for name in m],
    )
    # Committee scores have at most two decimals: fixed-point hundredths, as a DECIMAL(5, 2).
    scores = cols.pop("evidence.party_committee.value")
    out["evidence.party_committee.value"] = Fixed(np.array([int(v.scaleb(2)) for v in scores], np.int64), 2)
    for name, values in cols.items():
        kinds = set(map(type, values))
        out[name] = np.array(values, dtype=np.int64 if kinds == {int} else bool) if kinds in ({int}, {bool}) else values
    return out


def to_json(dicts: list[dict[str, Any]], scheme: str = "huining-bench") -> str:
    """The cohort interchange JSON of these subjects.

    Committee scores have at most two decimals, so a float's shortest repr is the
    decimal's own text ("87.25") and ``loads_cohort`` reads it back exactly.
    """
    import json

    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        raise TypeError(f"not JSON serialisable: {o!r}")

    return json.dumps(
        {"format": 1, "scheme": scheme, "period": "2023", "subjects": dicts},
        ensure_ascii=False,
        indent=1,
        default=default,
    )


def main(argv: list[str] | None = None) -> None:
    import argparse
    from collections import Counter

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("level", choices=list(LEVELS))
    p.add_argument("--villages", type=int, default=None, help="only the first N villages")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--out", help="write the cohort JSON here (not for the nation)")
    args = p.parse_args(argv)
    if args.out:
        dicts = cohort_dicts(args.level, args.seed, args.villages)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(to_json(dicts))
        print(f"wrote {len(dicts)} subjects to {args.out}")
        return
    n_t = n_s = vetoed = 0
    sizes: Counter[int] = Counter()
    for _, subjects in townships(args.level, args.seed, args.villages):
        n_t += 1
        n_s += len(subjects)
        sizes[len(subjects) // 7] += 1
        vetoed += sum(any(s["facts"][f] for f in VETO_FACTS) for s in subjects)
    print(f"{args.level}: {n_t} townships, {n_s // 7} villages, {n_s} subjects, {vetoed} with a veto fact")


if __name__ == "__main__":
    main()
