"""The floor: huining-bench written out by hand, exactly, with no library.

This is the reference every engine of the benchmark is checked against, and the
speed that a pure-Python evaluator of this one scheme can reach: what villageeval is
measured against (``villageeval/floor``). It reads the subject dicts of
:mod:`cohorts` (the cohort JSON interchange form) and does what the scheme says,
including the evidence checks, so that it does the same work villageeval does:

1. evidence checks (四、2–四、6): ≥ 20 appraisal ballots; ≥ 15 interviews covering every
   包村干部, 村干部 and 驻村工作队员 (count = of); 3–5 households per natural village,
   adding up to the household tallies; the three must-see site items; a committee
   score from 0 to 100, exact (never a float); all seven facts given as booleans.
   A subject that fails any of them is ``insufficient_evidence``, with no score.
2. the weighted total (四、6), exact: appraisal × 40/100 + interview × 20/100 +
   household_visit × 20/100 + site_inspection × 10/100 + party_committee × 10/100,
   each ballot instrument's sub-score being the mean of 90/70/40 points;
3. rounding half-up to a whole point, then the bands: ≥ 85 好, 66–84 一般, ≤ 65 差;
4. the six vetoes: any of the six facts true makes the grade 差;
5. the quota (huining-bench): per township, at most floor(40% × subjects of the
   township) keep 好; the rest of the 好 holders, lowest exact total first, become
   一般. Ties at the cut keep the smaller subject id.

Arithmetic is on ints only: a total is kept as numerator/denominator over the
product of the respondent counts, and the quota ranks by an exact integer key (each
total brought to the township's common denominator), so its sort is
O(n log n) int comparisons. Only the returned totals are :class:`fractions.Fraction`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Any

POINTS = {"好": 90, "一般": 70, "差": 40}
VETOES = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee")
FACTS = (*VETOES, "serious_problems")
INTERVIEWED = ("包村干部", "村干部", "驻村工作队员")
SITE_ITEMS = ("乡村建设项目", "人居环境整治", "集体经济项目")
QUOTA_NUM, QUOTA_DEN = 2, 5  # 好 ≤ 40% per township, floor

# result: subject id -> (status, exact total or None, rounded or None, raw grade, final grade)
Row = tuple[str, "Fraction | None", "int | None", "str | None", "str | None"]


def _ballots(tallies: Any, minimum: int) -> tuple[int, int] | None:
    """(sum of points, ballots) of a tally, or None if it is not valid."""
    if type(tallies) is not dict:
        return None
    s = n = 0
    for label, k in tallies.items():
        p = POINTS.get(label)
        if p is None or type(k) is not int or k < 0:
            return None
        s += p * k
        n += k
    if n < minimum or n == 0:
        return None
    return s, n


def _subject(d: Mapping[str, Any]) -> tuple[int, int, bool] | None:
    """(numerator, denominator, vetoed) of a valid subject's exact total, else None."""
    ev = d.get("evidence")
    if type(ev) is not dict:
        return None
    appraisal, interview, household = ev.get("appraisal"), ev.get("interview"), ev.get("household_visit")
    site, committee = ev.get("site_inspection"), ev.get("party_committee")
    if not (
        type(appraisal) is dict
        and type(interview) is dict
        and type(household) is dict
        and type(site) is dict
        and type(committee) is dict
    ):
        return None
    # 四、2 述职测评: at least 20 valid ballots
    a = _ballots(appraisal.get("tallies"), 20)
    if a is None:
        return None
    # 四、3 个别谈话: at least 15, every member of each category covered ({"count": n, "of": n})
    i = _ballots(interview.get("tallies"), 15)
    if i is None:
        return None
    cov = interview.get("coverage")
    if type(cov) is not dict:
        return None
    for cat in INTERVIEWED:
        c = cov.get(cat)
        if type(c) is not dict or len(c) != 2:
            return None
        count, of = c.get("count"), c.get("of")
        if type(count) is not int or type(of) is not int or count < 0 or count != of:
            return None
    # 四、5 入户访谈: 3–5 households per natural village, adding up to the tallies
    h = _ballots(household.get("tallies"), 0)
    if h is None:
        return None
    strata = household.get("strata")
    if type(strata) is not dict or not strata:
        return None
    in_strata = 0
    for k in strata.values():
        if type(k) is not int or k < 3 or k > 5:
            return None
        in_strata += k
    if in_strata != h[1]:
        return None
    # 四、4 实地查看: a tier, each must-see item seen at least once
    sp = POINTS.get(site.get("tier"))  # type: ignore[arg-type]
    scov = site.get("coverage")
    if sp is None or type(scov) is not dict:
        return None
    for item in SITE_ITEMS:
        c = scov.get(item)
        if type(c) is not int:
            if type(c) is not dict:  # {"count": n} or {"count": n, "of": m}
                return None
            count, of = c.get("count"), c.get("of", 0)
            if (
                len(c) != 1 + ("of" in c)
                or "count" not in c
                or type(count) is not int
                or type(of) is not int
                or count < 0
                or of < 0
                or ("of" in c and count > of)
            ):
                return None
            c = count
        if c < 1:
            return None
    # 四、6 乡镇党委评价: an exact score 0–100 (floats are not exact)
    v = committee.get("value")
    tv = type(v)
    if tv is Decimal and v.is_finite():
        cn, cd = v.as_integer_ratio()
    elif tv is int:
        cn, cd = v, 1
    elif tv is Fraction:
        cn, cd = v.numerator, v.denominator
    elif tv is str:
        try:
            dv = Decimal(v)
        except ArithmeticError:
            return None
        if not dv.is_finite():
            return None
        cn, cd = dv.as_integer_ratio()
    else:
        return None
    if cn < 0 or cn > 100 * cd:
        return None
    # facts: all seven given, booleans
    facts = d.get("facts")
    if type(facts) is not dict:
        return None
    vetoed = False
    for name in VETOES:
        f = facts.get(name)
        if f is True:
            vetoed = True
        elif f is not False:
            return None
    if type(facts.get("serious_problems")) is not bool:
        return None
    (sa, na), (si, ni), (sh, nh) = a, i, h
    # total = 40/100·sa/na + 20/100·si/ni + 20/100·sh/nh + 10/100·sp + 10/100·cn/cd
    #       = (4·sa·ni·nh·cd + 2·si·na·nh·cd + 2·sh·na·ni·cd + sp·na·ni·nh·cd + cn·na·ni·nh) / (10·na·ni·nh·cd)
    nnn = na * ni * nh
    num = (4 * sa * ni * nh + 2 * si * na * nh + 2 * sh * na * ni + sp * nnn) * cd + cn * nnn
    return num, 10 * nnn * cd, vetoed


def evaluate(subjects: Iterable[Mapping[str, Any]]) -> dict[str, Row]:
    """Grade one cohort: every subject dict, quotas per township within it."""
    out: dict[str, Row] = {}
    # township -> [size, [(num, den, id), ...] holding 好 before the quota]
    towns: dict[Any, list[Any]] = {}
    for d in sorted(subjects, key=lambda d: d["id"]):
        sid = d["id"]
        town = towns.get(d["groups"]["township"])
        if town is None:
            town = towns[d["groups"]["township"]] = [0, []]
        town[0] += 1
        r = _subject(d)
        if r is None:
            out[sid] = ("insufficient_evidence", None, None, None, None)
            continue
        num, den, vetoed = r
        rounded = (2 * num + den) // (2 * den)  # half-up; totals are never negative
        raw = "好" if rounded >= 85 else "一般" if rounded >= 66 else "差"
        final = "差" if vetoed else raw
        if final == "好":
            town[1].append((num, den, sid))
        # the Fraction is built once, for the result (it reduces by gcd)
        out[sid] = ("graded", Fraction(num, den), rounded, raw, final)
    for size, holders in towns.values():
        limit = QUOTA_NUM * size // QUOTA_DEN
        if len(holders) <= limit:
            continue
        # Exact integer keys over the common denominator; holders are in id order and
        # the sort is stable, so equal totals keep the smaller id first.
        common = lcm(*{den for _, den, _ in holders})
        holders.sort(key=lambda h: -h[0] * (common // h[1]))
        for _, _, sid in holders[limit:]:
            status, total, rounded, raw, _ = out[sid]
            out[sid] = (status, total, rounded, raw, "一般")
    return out
