"""Quotas over populations: at most / at least a share of them may hold a grade.

Applied after every subject has its grade from the score, vetoes and caps.
Ranking is a sort (O(n log n) per population) with the subject id as the last
key, so the outcome never depends on input order; subjects tied at a cut are
flagged for the committee.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import lcm
from typing import Any, Literal

from . import _kernel as k
from . import _model as m
from ._catalogue import said
from ._context import State, step
from ._hints import close_hint
from ._plan import Plan
from ._predicates import number_of
from ._result import Adjustment, PopulationUsage, Reason
from ._result import ReasonCode as RC

__all__ = [
    "QuotaStatus",
    "apply_quotas",
    "group_order",
    "lonely_populations",
    "over_limit",
    "population_limit",
    "rank_getters",
    "rank_keys",
    "tie_at_cut",
    "usage",
]

#: What a quota did in a population (``PopulationUsage.status``).
QuotaStatus = Literal["ok", "demoted", "promoted", "warned", "unmet"]


def population_limit(q: m.Quota, members: int, graded: int) -> int:
    """How many subjects of a population of ``members`` (``graded`` of them graded) the
    quota lets hold its grade (at most) or requires to (at least): the one definition."""
    if q.number is not None:
        return q.number
    assert q.share is not None  # validation: a quota has a share or a number,
    assert q.count is not None  # and a share its count rule
    return k.count_for_share(q.share, members if q.base == "all" else graded, q.count)


#: How a ranking key reads its value from a subject (None: it has none, and ranks last).
Getter = Callable[[Any], "Fraction | None"]


def rank_getters(q: m.Quota | m.Ranking) -> list[tuple[Getter, int]]:
    """Per ranking key of a quota or a ranking: how to read it from a subject, and its sign (−1: higher is better).

    A getter reads ``total``, ``scores``, ``tallies`` and ``facts`` of what it is given:
    the engine's state of a subject, or the columnar path's view of a row.
    """
    getters: list[tuple[Getter, int]] = []
    for key in q.rank_by:
        sign = -1 if key.better == "higher" else 1
        getters.append((_getter(key), sign))
    return getters


def _getter(key: m.RankKey) -> Getter:
    if isinstance(key, m.ShareKey):
        iid, tiers = key.share, frozenset(key.tiers)

        def share(ctx: Any) -> Fraction | None:
            t = ctx.tallies.get(iid)
            if t is None or t[1] == 0:
                return None
            return Fraction(sum(n for label, n in t[0].items() if label in tiers), t[1])

        return share
    if isinstance(key, m.FactKey):
        name = key.fact
        return lambda ctx: number_of(ctx.facts.get(name))
    if key.score == "total":
        return lambda ctx: ctx.total
    iid = key.score
    return lambda ctx: ctx.scores.get(iid)


_Key = tuple[tuple[int, int], ...]


def rank_keys(getters: list[tuple[Getter, int]], members: list[Any]) -> dict[str, _Key]:
    """Each member's ranking key, smaller first, as integers.

    A key is one ``(0, value)`` per ranking key, or ``(1, 0)`` when the subject has
    no value (it ranks last). Values are brought to one common denominator per key
    and population, so the sort compares integers, exactly as the Fractions would
    compare, at a fraction of the cost.
    """
    columns: list[list[tuple[int, int]]] = []
    for get, sign in getters:
        values = [get(c) for c in members]
        common = lcm(*{v.denominator for v in values if v is not None})
        columns.append([(1, 0) if v is None else (0, sign * v.numerator * (common // v.denominator)) for v in values])
    ids = [c.subject.id for c in members]
    if not columns:  # no ranking keys: every subject ties, the id decides
        return dict.fromkeys(ids, ())
    return dict(zip(ids, zip(*columns, strict=True), strict=True))


# The words of an at-most quota's outcome, shared with villageeval.columnar.


def over_limit(qid: str, q: m.Quota, before: int, size: int, limit: int, where: str) -> str:
    return said(
        "quota.over_soft",
        quota=qid,
        clause=q.clause,
        before=before,
        size=size,
        grade=q.grade,
        where=where,
        limit=limit,
        text=q.text,
    )


def below_cut(q: m.Quota, limit: int, size: int, where: str) -> str:
    return said("quota.below_cut", grade=q.grade, limit=limit, size=size, where=where)


def tie_at_cut(qid: str, q: m.Quota, where: str, ties: list[str]) -> str:
    return said("quota.tie", quota=qid, clause=q.clause, where=where, ties=ties)


def usage(
    qid: str,
    q: m.Quota,
    group: str | None,
    size: int,
    limit: int,
    before: int,
    after: int,
    moved: list[str],
    ties: list[str],
    status: QuotaStatus,
    referred: tuple[str, ...] = (),
) -> PopulationUsage:
    """What a quota did in one population, for the result (``referred``: its members
    referred to the committee, whose grades are not decided yet)."""
    return PopulationUsage(
        qid,
        q.clause,
        q.grade,
        q.bound,
        q.enforce,
        group,
        size,
        limit,
        before,
        after,
        tuple(moved),
        tuple(ties),
        status,
        referred,
    )


def lonely_populations(plan: Plan, qid: str, q: m.Quota, sizes: dict[str | None, int]) -> list[str]:
    """A warning for each population of one where the scheme does not declare the group's values.

    A misspelt group (其它人员 for 其他人员) forms a population of its own, where any quota
    is met: declared values make it an error (``[groups.<kind>] values``); without them
    it is at least said.
    """
    if not q.per or q.per in plan.group_values or len(sizes) < 2:
        return []
    others = [g for g in sizes if g is not None]
    out = []
    for group in sorted((g for g, n in sizes.items() if n == 1 and g is not None), key=group_order):
        close = [g for g in others if g != group]
        out.append(
            f"quota {qid} ({q.clause}): {q.per} {group!r} has a single subject{close_hint(group, close)}; "
            f"declare the values of [groups.{q.per}] to catch a misspelt one"
        )
    return out


def group_order(group: str | None) -> tuple[bool, str]:
    """Populations in a stable order: the ungrouped one, then groups by name."""
    return (group is not None, group or "")


def apply_quotas(plan: Plan, contexts: list[State], populations: list[PopulationUsage], warnings: list[str]) -> None:
    for qid, q in plan.quotas:
        roles = set(plan.scheme.role_ids(q.roles))
        rp = plan.roles[next(iter(sorted(roles)))]
        rank = rp.rank
        labels = rp.labels
        g_rank = rank[q.grade]
        groups: dict[str | None, list[State]] = {}
        for ctx in contexts:
            if ctx.role in roles:
                groups.setdefault(ctx.subject.groups.get(q.per) if q.per else None, []).append(ctx)
        getters = rank_getters(q)
        warnings.extend(lonely_populations(plan, qid, q, {g: len(members) for g, members in groups.items()}))
        for group in sorted(groups, key=group_order):
            members = groups[group]
            graded = [c for c in members if c.status == "graded"]
            size = len(members) if q.base == "all" else len(graded)
            limit = population_limit(q, len(members), len(graded))
            holders = [c for c in graded if c.grade == q.grade]
            before = len(holders)
            acts = before > limit if q.bound == "at_most" else before < limit
            # Ranking keys only where the quota acts: an at-most quota ranks the
            # holders, an at-least quota the subjects it may promote.
            keys = rank_keys(getters, holders if q.bound == "at_most" else graded) if acts else {}

            def key(c: State, keys: dict[str, _Key] = keys) -> _Key:
                return keys[c.subject.id]

            if acts:
                # Sorted as (key, id, subject) tuples: ids are unique, so subjects are never compared.
                ids = [c.subject.id for c in holders]
                ranked = sorted(zip([keys[i] for i in ids], ids, holders, strict=True))
                holders = [c for _, _, c in ranked]
            where: str = said("word.in_group", per=q.per, group=group) if q.per else ""
            moved: list[str] = []
            ties: list[str] = []
            status: QuotaStatus = "ok"
            if q.bound == "at_most" and before > limit:
                if q.enforce == "hard" and any("decision" in c.flags for c in holders):
                    holders = _decided_first(holders, limit, q, qid, size, where)
                keep, over = holders[:limit], holders[limit:]
                if keep and over and key(keep[-1]) == key(over[0]):
                    tied = [c for c in holders if key(c) == key(over[0])]
                    ties = [c.subject.id for c in tied]
                if q.enforce == "soft":
                    status = "warned"
                    warnings.append(over_limit(qid, q, before, size, limit, where))
                elif over:  # (none left over when only decisions past the limit were: refused above)
                    status = "demoted"
                    to = labels[g_rank + 1]
                    note = below_cut(q, limit, size, where)
                    demotion = Adjustment(qid, "quota", q.clause, q.grade, to, note)  # the same for each
                    for c in over:
                        c.adjustments += (demotion,)
                        if c.trace is not None:
                            step(c, "quota", "step.quota", qid, q.clause, before=q.grade, after=to, note=note)
                        c.grade = to
                        moved.append(c.subject.id)
            elif q.bound == "at_least" and before < limit:
                source = q.fill_from or (labels[g_rank + 1] if g_rank + 1 < len(labels) else labels[g_rank - 1])
                towards_better = g_rank < rank[source]
                pool = [c for c in graded if c.grade == source and c.ceiling <= g_rank]
                if towards_better:
                    pool.sort(key=lambda c: (key(c), c.subject.id))
                else:
                    # Worst ranked first; the id tie-break stays ascending either way.
                    pool.sort(key=lambda c: (tuple((-a, -b) for a, b in key(c)), c.subject.id))
                need = limit - before
                if q.enforce == "hard":
                    # A hard at-most quota on the same grade is never pushed past its
                    # limit to fill this one: the shortfall is reported instead.
                    pool = _within_limits(plan, contexts, pool, q.grade, need)
                take, rest = pool[:need], pool[need:]
                if take and rest and key(take[-1]) == key(rest[0]):
                    ties = [c.subject.id for c in pool if key(c) == key(rest[0])]
                if q.enforce == "soft":
                    status = "warned"
                    warnings.append(
                        said(
                            "quota.under_soft",
                            quota=qid,
                            clause=q.clause,
                            before=before,
                            size=size,
                            grade=q.grade,
                            where=where,
                            limit=limit,
                            text=q.text,
                        )
                    )
                else:
                    status = "promoted"
                    note = said("quota.promoted", grade=q.grade, limit=limit, size=size, where=where, source=source)
                    promotion = Adjustment(qid, "quota", q.clause, source, q.grade, note)  # the same for each
                    for c in take:
                        c.adjustments += (promotion,)
                        step(c, "quota", "step.quota", qid, q.clause, before=source, after=q.grade, note=note)
                        c.grade = q.grade
                        moved.append(c.subject.id)
                    if len(take) < need:
                        status = "unmet"
                        warnings.append(
                            said(
                                "quota.unmet",
                                quota=qid,
                                clause=q.clause,
                                grade=q.grade,
                                where=where,
                                limit=limit,
                                size=size,
                                held=before + len(take),
                            )
                        )
            after = len([c for c in graded if c.grade == q.grade and c.status == "graded"])
            if ties and q.enforce == "soft":
                ties = []  # nothing was cut, so nothing was settled by the tie-break
            if ties:
                for c in members:
                    if c.subject.id in ties:
                        c.flags += (f"quota_tie:{qid}",)
                        step(c, "quota", "step.quota_tie", qid, q.clause, quota=qid, where=where)
                warnings.append(tie_at_cut(qid, q, where, ties))
            referred = tuple(sorted(c.subject.id for c in members if c.status == "referred"))
            populations.append(usage(qid, q, group, size, limit, before, after, moved, ties, status, referred))


def _decided_first(holders: list[State], limit: int, q: m.Quota, qid: str, size: int, where: str) -> list[State]:
    """The holders of a hard at-most quota, ranked with the committee's decisions first:
    a decided grade is not moved by the cut. Decisions past the limit are not taken: those
    subjects go back to the committee (``referred``, ``decision_conflict``) and out of the
    holders."""
    decided = [c for c in holders if "decision" in c.flags]
    others = [c for c in holders if "decision" not in c.flags]
    for c in decided[limit:]:
        problem = said("decision.over_quota", grade=q.grade, quota=qid, limit=limit, size=size, where=where)
        proposed = next(a.from_grade for a in c.adjustments if a.kind == "decision")
        c.adjustments = tuple(a for a in c.adjustments if a.kind != "decision")
        c.flags = tuple(f for f in c.flags if f != "decision")
        c.grade = proposed
        c.status = "referred"
        c.reasons += (Reason(str(RC.DECISION_CONFLICT), problem),)
        step(c, "decision", "step.decision_refused", "decision", q.clause, problem=problem)
    return decided[:limit] + others


def _within_limits(plan: Plan, contexts: list[State], pool: list[State], grade: str, need: int) -> list[State]:
    """The candidates, in order, that can take ``grade`` without breaking a hard at-most quota.

    Each hard at-most quota on ``grade`` counts its populations' holders once; then every
    candidate is tried in order against the counts of its own populations, which grow as
    candidates are taken: O(n) for the counts and O(candidates × quotas) for the rest.
    """
    caps = [q for _, q in plan.quotas if q.bound == "at_most" and q.enforce == "hard" and q.grade == grade]
    if not caps:
        return pool
    # Per quota: the roles it counts, and per population (its group) the room left.
    room: list[tuple[m.Quota, frozenset[str], dict[str | None, int]]] = []
    for q in caps:
        roles = frozenset(plan.scheme.role_ids(q.roles))
        members: dict[str | None, int] = {}
        graded: dict[str | None, int] = {}
        holders: dict[str | None, int] = {}
        for x in contexts:
            if x.role not in roles:
                continue
            group = x.subject.groups.get(q.per) if q.per else None
            members[group] = members.get(group, 0) + 1
            if x.status == "graded":
                graded[group] = graded.get(group, 0) + 1
                if x.grade == grade:
                    holders[group] = holders.get(group, 0) + 1
        left = {
            group: population_limit(q, n, graded.get(group, 0)) - holders.get(group, 0) for group, n in members.items()
        }
        room.append((q, roles, left))
    out: list[State] = []
    for c in pool:
        if len(out) == need:
            out.append(c)  # kept after the needed ones, so a tie at the cut is still seen
            continue
        places = [(left, c.subject.groups.get(q.per) if q.per else None) for q, roles, left in room if c.role in roles]
        if all(left.get(group, 0) > 0 for left, group in places):
            for left, group in places:
                left[group] -= 1
            out.append(c)
    return out
