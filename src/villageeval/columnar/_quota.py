"""At-most quotas over the rows: counted in arrays, ranked exactly where they act."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise
from typing import Any

import numpy as np

from .. import _model as m
from .._catalogue import said
from .._plan import Plan
from .._quotas import (
    QuotaStatus,
    group_order,
    lonely_populations,
    over_limit,
    rank_getters,
    rank_keys,
    tie_at_cut,
    usage,
)
from .._result import PopulationUsage
from ._grade import Block
from ._read import Arrays


class RowView:
    """What a quota's ranking keys read of a row graded in arrays (see ``_quotas.rank_getters``):
    ``total``, ``scores``, ``tallies``, ``facts`` and ``subject.id``.

    Only the total is read eagerly; sub-scores, tallies and facts when a key asks.
    """

    __slots__ = ("_a", "_b", "_i", "_pos", "id", "subject", "total")

    def __init__(self, a: Arrays, i: int, b: Block, pos: int) -> None:
        self._a, self._i, self._b, self._pos = a, i, b, pos
        self.id = a.ids[i]
        self.subject = self
        self.total = Fraction(int(b.num[pos]), int(b.den[pos]))

    @property
    def scores(self) -> dict[str, Fraction]:
        pos = self._pos
        return {iid: Fraction(int(n[pos]), int(d[pos])) for iid, (n, d) in self._b.scores.items() if d[pos]}

    @property
    def tallies(self) -> dict[str, tuple[dict[str, int], int]]:
        pos = self._pos
        return {
            iid: ({label: int(v[pos]) for label, v in counts.items()}, int(total[pos]))
            for iid, (counts, total) in self._b.tallies.items()
        }

    @property
    def facts(self) -> dict[str, Any]:
        a, i = self._a, self._i
        return {name[6:]: (a.cells(name) or [None] * a.n)[i] for name in a.table.columns if name.startswith("facts.")}


def at_most(
    plan: Plan,
    a: Arrays,
    qid: str,
    q: m.Quota,
    role_of: Any,
    role_ids: dict[str, int],
    is_graded: Any,
    final: Any,
    code: Callable[[str], int],
    view: Callable[[int], Any],
    totals: tuple[Any, Any],
    populations: list[PopulationUsage],
    warnings: list[str],
) -> None:
    """An at-most quota, as ``_quotas.apply_quotas`` applies it, counting in arrays.

    Only the populations where the quota acts are ranked, exactly, by the same keys.
    """
    roles = set(plan.scheme.role_ids(q.roles))
    rp = plan.roles[sorted(roles)[0]]
    wanted = np.zeros(len(role_ids), bool)
    wanted[[role_ids[r] for r in roles if r in role_ids]] = True
    member = wanted[role_of]
    if q.per:
        groups, gcode = a.groups(q.per)
    else:
        groups, gcode = {None: 0}, np.zeros(a.n, np.int64)
    ng = len(groups)
    members = np.bincount(gcode[member], minlength=ng)
    size = members if q.base == "all" else np.bincount(gcode[member & is_graded], minlength=ng)
    limit = _limits(q, size)
    holder = member & is_graded & (final == code(q.grade))
    before = np.bincount(gcode[holder], minlength=ng)
    acting_codes = np.nonzero(before > limit)[0]
    acting = set(acting_codes.tolist())
    getters = rank_getters(q)
    # The holders of each population where the quota acts, ranked: by the total alone
    # (the usual quota) in arrays, by other keys as the engine ranks them.
    ranked: dict[int, list[int]] = {}
    exact: dict[int, tuple[Any, Any]] = {}  # in the same order: rows tie where both are equal
    if acting:
        acts = np.zeros(ng, bool)
        acts[acting_codes] = True
        rows = np.nonzero(holder & acts[gcode])[0]
        num, den = totals
        sign = _total_sign(q)
        if sign and num.dtype != object and bool((den[rows] > 0).all()):
            ranked, exact = _ranked_by_total(rows, gcode, num, den, sign, a.ids)
        else:
            rows = rows[np.argsort(gcode[rows], kind="stable")]
            for chunk in np.split(rows, np.flatnonzero(np.diff(gcode[rows])) + 1):
                held = chunk.tolist()
                keys = rank_keys(getters, [view(i) for i in held])
                by_key = sorted((keys[a.ids[i]], a.ids[i], i) for i in held)
                ranked[int(gcode[chunk[0]])] = [i for _, _, i in by_key]
                dense = {k: j for j, k in enumerate(dict.fromkeys(k for k, _, _ in by_key))}
                codes = np.array([dense[k] for k, _, _ in by_key], dtype=np.int64)
                exact[int(gcode[chunk[0]])] = (codes, np.zeros(len(codes), np.int64))
    # Python ints for the loop over the populations: quicker to index than numpy's scalars.
    members_of, size_of, limit_of, before_of = members.tolist(), size.tolist(), limit.tolist(), before.tolist()
    demoted: list[int] = []  # rows, set to the grade below at the end (holders were found before)
    sizes = {g: members_of[c] for g, c in groups.items() if members_of[c] > 0}
    warnings.extend(lonely_populations(plan, qid, q, sizes))
    for group in sorted((g for g, c in groups.items() if members_of[c] > 0), key=group_order):
        c = groups[group]
        where: str = said("word.in_group", per=q.per, group=group) if q.per else ""
        s, lim, bef = size_of[c], limit_of[c], before_of[c]
        moved: list[str] = []
        ties: list[str] = []
        status: QuotaStatus = "ok"
        if c in acting:
            order, (first, second) = ranked[c], exact[c]
            keep, over = order[:lim], order[lim:]
            if keep and first[lim - 1] == first[lim] and second[lim - 1] == second[lim]:
                tied = np.flatnonzero((first == first[lim]) & (second == second[lim]))
                ties = [a.ids[order[j]] for j in tied.tolist()]
            if q.enforce == "soft":
                status = "warned"
                warnings.append(over_limit(qid, q, bef, s, lim, where))
                ties = []  # nothing was cut, so nothing was settled by the tie-break
            else:
                status = "demoted"
                demoted += over
                moved = [a.ids[i] for i in over]
            if ties:
                warnings.append(tie_at_cut(qid, q, where, ties))
        populations.append(usage(qid, q, group, s, lim, bef, bef - len(moved), moved, ties, status))
    if demoted:
        final[demoted] = code(rp.labels[rp.rank[q.grade] + 1])


def _limits(q: m.Quota, size: Any) -> Any:
    """:func:`villageeval._kernel.count_for_share` of each population's size, over an array:
    ``floor(share × size)`` as ``(n × size) // d``, ``ceil`` as ``−((−n × size) // d)``.

    ``size`` is the population's members or graded subjects, as the quota's ``base``
    says (see ``_quotas.population_limit``); ``tests/test_columnar.py`` checks both.
    """
    if q.number is not None:  # a number of subjects, whatever the population's size
        return size * 0 + q.number
    assert q.share is not None  # validation: a quota has a share or a number
    n, d = q.share.numerator, q.share.denominator
    if q.count == "floor":
        return (n * size) // d
    if q.count == "ceil":
        return -((-n * size) // d)
    raise ValueError(f"unknown count rule {q.count!r} (known: floor, ceil)")


def _total_sign(q: m.Quota) -> int:
    """−1 (higher first) or 1 when the quota ranks by the total alone, as the arrays can; else 0.

    Keys after the first that rank by the total again cannot break a tie the first leaves.
    """
    keys = q.rank_by
    if not keys or not all(isinstance(key, m.ScoreKey) and key.score == "total" for key in keys):
        return 0
    return -1 if keys[0].better == "higher" else 1


def _ranked_by_total(
    rows: Any, gcode: Any, num: Any, den: Any, sign: int, ids: list[str]
) -> tuple[dict[int, list[int]], dict[int, tuple[Any, Any]]]:
    """Each population's rows ranked by total (``sign`` −1: higher first), ties by id.

    The order ``_quotas`` gives, in integers: each total is reduced as a Fraction is,
    a coarse key ``floor(total × 2**shift)`` (the largest shift that stays in 64 bits)
    sorts them in arrays, and only rows whose coarse keys are equal are ordered
    exactly, by their Fractions and then their ids. Also, in the same order, each
    row's reduced total (numerators, denominators): two rows tie if both are equal.
    """
    g = np.gcd(num[rows], den[rows])
    n, d = num[rows] // g, den[rows] // g
    shift = max(0, 61 - int(np.abs(n).max()).bit_length())
    key = sign * ((n << shift) // d)
    order = np.lexsort((key, gcode[rows]))
    rows, key, groups, n, d = rows[order], key[order], gcode[rows][order], n[order], d[order]
    # Runs of equal coarse keys within a population: reordered exactly, in Python.
    same = (key[1:] == key[:-1]) & (groups[1:] == groups[:-1])
    if same.any():
        starts = np.flatnonzero(same & ~np.concatenate(([False], same[:-1])))
        for start in starts.tolist():
            end = start + 1
            while end < len(key) and same[end - 1]:
                end += 1
            run_n, run_d = n[start:end].tolist(), d[start:end].tolist()
            run_ids = [ids[i] for i in rows[start:end].tolist()]
            if len(set(zip(run_n, run_d, strict=True))) == 1:  # one total (reduced), as most runs are: by id alone
                run = sorted(range(end - start), key=run_ids.__getitem__)
            else:
                run = sorted(range(end - start), key=lambda j: (sign * Fraction(run_n[j], run_d[j]), run_ids[j]))
            at = np.array(run, dtype=np.int64) + start
            rows[start:end], n[start:end], d[start:end] = rows[at], n[at], d[at]
    ranked: dict[int, list[int]] = {}
    exact: dict[int, tuple[Any, Any]] = {}
    cuts = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    bounds = [0, *cuts.tolist(), len(rows)]
    for start, end in pairwise(bounds):
        if start < end:
            c = int(groups[start])
            ranked[c] = rows[start:end].tolist()
            exact[c] = (n[start:end], d[start:end])
    return ranked, exact
