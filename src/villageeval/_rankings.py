"""Rankings over populations: each subject's place, best first (综合排名, 前N名).

A ranking changes no grade. It runs once every grade stands (after quotas and
plugins' adjustments), so that its ``when`` may read the final grade, and before
findings and consequences, which read places through ``{ rank = "<id>", ... }``.
Subjects are compared with the quotas' own ranking keys (:func:`_quotas.rank_keys`,
exact integers), so a ranking and a quota over the same keys never disagree; where
a quota settles a tie at its cut by subject id, a ranking does not: subjects equal on
every declared key share a place (并列, 1, 2, 2, 4), as a document's 并列第二 does.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import _model as m
from ._catalogue import Join, said
from ._context import State, step
from ._explain import percent
from ._numbers import exact_text
from ._plan import Plan
from ._quotas import Getter, group_order, rank_getters, rank_keys
from ._result import Placing

__all__ = ["apply_rankings"]

#: The statuses that are ranked: a referred subject has its scores and a proposed grade.
_RANKED = frozenset({"graded", "referred"})


def apply_rankings(plan: Plan, contexts: list[State]) -> None:
    """Give each subject its place in every ranking of its role (``State.places``)."""
    scheme = plan.scheme
    for rid, ranking in scheme.rankings.items():
        getters = rank_getters(ranking)
        first = getters[0][0] if getters else None
        groups: dict[str | None, list[State]] = {}
        for ctx in contexts:
            ranked = plan.roles[ctx.role].ranked
            if rid not in ranked or ctx.status not in _RANKED:
                continue
            when = ranked[rid]
            if when is not None and not _holds(when, ctx):
                step(ctx, "rank", "step.unranked_when", rid, ranking.clause, ranking=rid)
                continue
            if first is not None and first(ctx) is None:
                if ctx.trace is not None:
                    key = _key_name(ranking.rank_by[0])
                    step(ctx, "rank", "step.unranked_value", rid, ranking.clause, ranking=rid, key=key)
                continue
            groups.setdefault(ctx.subject.groups.get(ranking.per) if ranking.per else None, []).append(ctx)
        for group in sorted(groups, key=group_order):
            _place(rid, ranking, getters, group, groups[group])


def _holds(when: Any, ctx: State) -> bool:
    """``when`` for a subject; a referred one is tested without a grade, as its consequences are."""
    if ctx.status != "referred":
        return bool(when(ctx))
    proposed, ctx.grade = ctx.grade, None
    try:
        return bool(when(ctx))
    finally:
        ctx.grade = proposed


def _place(
    rid: str, ranking: m.Ranking, getters: list[tuple[Getter, int]], group: str | None, members: list[State]
) -> None:
    keys = rank_keys(getters, members)
    # Sorted as (key, id, subject): ids are unique, so subjects are never compared, and
    # the order of the tied (listed in ``tied_with``) never depends on the cohort's order.
    ordered = [c for _, _, c in sorted((keys[c.subject.id], c.subject.id, c) for c in members)]
    of = len(ordered)
    where: str = said("word.in_group", per=ranking.per, group=group) if ranking.per else ""
    flag = f"rank_tie:{rid}"
    start = 0
    while start < of:
        key = keys[ordered[start].subject.id]
        end = start + 1
        while end < of and keys[ordered[end].subject.id] == key:
            end += 1
        tied = ordered[start:end]
        ids = [c.subject.id for c in tied]
        for c in tied:
            others = tuple(i for i in ids if i != c.subject.id)
            placing = Placing(start + 1, of, group, others)
            c.places = {**c.places, rid: placing}
            if others:
                c.flags += (flag,)
            if c.trace is not None:
                step(
                    c,
                    "rank",
                    "step.rank",
                    rid,
                    ranking.clause,
                    ranking=rid,
                    place=start + 1,
                    of=of,
                    where=where,
                    keys=Join([_key_value(k, get(c)) for k, (get, _) in zip(ranking.rank_by, getters, strict=True)]),
                )
                if others:
                    tie = {"ranking": rid, "place": start + 1, "others": Join(others)}
                    step(c, "rank", "step.rank_tie", rid, ranking.clause, **tie)
        start = end


def _key_name(key: m.RankKey) -> str:
    if isinstance(key, m.ShareKey):
        return said("rank.key_share", tiers=Join(key.tiers, "+", "+"), instrument=key.share)
    if isinstance(key, m.FactKey):
        return key.fact
    return said("word.total") if key.score == "total" else key.score


def _key_value(key: m.RankKey, value: Fraction | None) -> str:
    if value is None:
        return said("rank.key_value", key=_key_name(key), value="—")
    shown = percent(value) if isinstance(key, m.ShareKey) else exact_text(value)
    return said("rank.key_value", key=_key_name(key), value=shown)
