"""What the peer adapters share: the flat input record, the Python quota, the interface.

Every adapter takes the subject dicts of :mod:`cohorts` (the cohort interchange form)
and returns ``{subject id: (total, final grade)}`` with the total in the peer's own
number type (float, numpy.float32, Decimal). The conversion into the peer's input is
part of what is timed: an integrator has to do it too.

The two columnar adapters (``form = "columns"``) take the table of
``cohorts.to_columns`` and return it as columns, :class:`Columns`, which the worker
turns into that dict after the clock stops: a columnar engine's result is columns.

None of the peers checks the evidence (minimum respondents, coverage, strata): each
could be taught to, at a cost, but none does it by itself, and the generated cohorts
are all valid, so skipping it changes no grade. The floor and villageeval do check it,
so the peers are timed doing *less* work than they are compared with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

VETOES = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee")
SITE_POINTS = {"好": 90, "一般": 70, "差": 40}
SHARE = 0.4  # 好 ≤ 40% per township, floor(share × size)


def flat(d: Mapping[str, Any], number: Callable[[Any], Any] = float) -> dict[str, Any]:
    """The flat record a rules engine reads: tallies, tier, committee score, veto facts.

    ``number`` converts the committee score (a Decimal in the cohort dicts): ``float``
    is what an integrator gets from ``json.load``.
    """
    ev = d["evidence"]
    a = ev["appraisal"]["tallies"]
    i = ev["interview"]["tallies"]
    h = ev["household_visit"]["tallies"]
    f = d["facts"]
    return {
        "id": d["id"],
        "township": d["groups"]["township"],
        "a_good": a["好"],
        "a_fair": a["一般"],
        "a_poor": a["差"],
        "i_good": i["好"],
        "i_fair": i["一般"],
        "i_poor": i["差"],
        "h_good": h["好"],
        "h_fair": h["一般"],
        "h_poor": h["差"],
        "site": ev["site_inspection"]["tier"],
        "committee": number(ev["party_committee"]["value"]),
        "clan_interference": f["clan_interference"],
        "extortion": f["extortion"],
        "favouritism": f["favouritism"],
        "incompetence": f["incompetence"],
        "evasion": f["evasion"],
        "absentee": f["absentee"],
    }


def python_quota(rows: Iterable[tuple[str, str, Any, str]]) -> dict[str, tuple[Any, str]]:
    """The township quota, in plain Python, for engines that cannot rank a population.

    ``rows`` are ``(id, township, total, grade before the quota)``. Per township, at most
    floor(40% × subjects) keep 好; the others, lowest total first (ties: the larger id
    first), become 一般. The totals are compared in the engine's own number type.
    """
    out: dict[str, tuple[Any, str]] = {}
    towns: dict[str, list[Any]] = {}
    for sid, town, total, grade in rows:
        out[sid] = (total, grade)
        t = towns.get(town)
        if t is None:
            t = towns[town] = [0, []]
        t[0] += 1
        if grade == "好":
            t[1].append((sid, total))
    for size, holders in towns.values():
        limit = int(SHARE * size)  # floor for positive numbers
        if len(holders) > limit:
            holders.sort()  # by id, so the stable sort below keeps the smaller id first on ties
            holders.sort(key=lambda h: -h[1])
            for sid, total in holders[limit:]:
                out[sid] = (total, "一般")
    return out


class Columns(NamedTuple):
    """A columnar adapter's result: ids, totals (numbers, or exact (numerators, denominators)), grades."""

    ids: Sequence[str]
    totals: Any
    grades: Sequence[str | None]

    def as_dict(self) -> dict[str, tuple[Any, str | None]]:
        totals = self.totals
        if isinstance(totals, tuple):  # exact: numerators and denominators
            totals = [(n, d) if d else None for n, d in zip(totals[0], totals[1], strict=True)]
        return dict(zip(self.ids, zip(totals, self.grades, strict=True), strict=True))


class Adapter:
    """One peer: ``prepare()`` compiles its rules once (timed separately), ``run()`` grades."""

    name = ""
    package = ""  # the pip name, for messages
    quota = "python"  # "engine" if the engine applies the quota itself
    number = ""  # the number type it computes in
    does = ""  # one line: what is in the peer's own language, what is Python around it

    def prepare(self) -> None:  # pragma: no cover - overridden
        pass

    def run(self, subjects: list[dict[str, Any]]) -> dict[str, tuple[Any, str]]:  # pragma: no cover
        raise NotImplementedError
