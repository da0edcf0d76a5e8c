"""One role's plainly valid rows, graded in arrays: the engine's quick path, vectorised.

Checks, sub-scores, the weighted total over one denominator per row, rounding in
integer division, bands as integer ranges, eligibility, vetoes and caps, with the
rules' predicates as boolean arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np

from .. import _model as m
from .._plan import _RolePlan, _Rule
from .._predicates import leaves, number_of
from ._read import _SAFE, _Arrays


class _Block:
    """The rows of one role that the arrays can grade, with everything read for them.

    ``rows`` index the table; ``ok`` says which of them are still plainly
    valid. Scores are (numerator, denominator) pairs of integer arrays. ``take``
    selects the block's rows from a column: ``rows`` itself, or, when the block is
    every row of a table of ``n``, a slice, which reads a column without copying it
    (what is read from a column is never written to).
    """

    def __init__(self, rows: Any, n: int) -> None:
        self.rows = rows
        self.take: Any = slice(None) if len(rows) == n else rows  # ``rows`` are sorted and distinct
        self.ok = np.ones(len(rows), bool)
        self.scores: dict[str, tuple[Any, Any]] = {}
        self.tallies: dict[str, tuple[dict[str, Any], Any]] = {}
        self.tiers: dict[str, tuple[Any, tuple[str, ...]]] = {}
        self.facts: dict[str, Any] = {}
        self.numbers: dict[str, list[Fraction | None]] = {}
        self.num: Any = None
        self.den: Any = None
        self.scaled: Any = None
        self.shown: Any = None
        self.grade: Any = None
        self.raw: Any = None
        self.ineligible: Any = None
        self.power = 1  # 10 ** the rounding's digits


_Vector = Callable[[_Block], Any]  # a predicate over a block: a bool array


def _vector_predicate(p: m.Predicate, rp: _Facts, role: str, stage: str) -> _Vector | None:
    """A predicate as a function of a block, or None if the arrays cannot test it.

    ``stage`` is ``"eligibility"`` (no total yet: total tests are false, as in the
    engine) or ``"limits"``.
    """
    if isinstance(p, m.FactTest):
        name = p.fact
        if p.compare is None:
            if name not in rp.bool_facts:
                return None
            return lambda b: b.facts[name]
        if name not in rp.number_facts:
            return None
        test = p.compare.test
        return lambda b: np.array([v is not None and test(v) for v in b.numbers[name]], dtype=bool)
    if isinstance(p, m.ScoreTest):
        test = p.compare.test
        if p.score == "total":
            if stage == "eligibility":
                return lambda b: np.zeros(len(b.rows), bool)
            return lambda b: _memo_test(b.scaled, lambda s: test(Fraction(s, b.power)))
        iid = p.score
        if iid not in rp.terms_and_scores:
            return None
        return lambda b: _pair_test(b.scores[iid], test)
    if isinstance(p, m.ShareTest):
        iid, tiers, test = p.share, frozenset(p.tiers), p.compare.test

        def share(b: _Block) -> Any:
            counts, total = b.tallies[iid]
            part = sum((counts[t] for t in tiers if t in counts), np.zeros(len(b.rows), np.int64))
            return _pair_test((part, total), test)

        return share if iid in rp.ballots else None
    if isinstance(p, m.RatingIs):
        iid, allowed = p.rating, frozenset(p.is_in)
        if iid not in rp.ratings:
            return None

        def rating(b: _Block) -> Any:
            codes, labels = b.tiers[iid]
            wanted = np.array([label in allowed for label in labels], dtype=bool)
            return wanted[codes]

        return rating
    if isinstance(p, m.RoleIs):
        holds = role in p.role
        return lambda b: np.full(len(b.rows), holds)
    if isinstance(p, (m.AllOf, m.AnyOf)):
        parts = [_vector_predicate(x, rp, role, stage) for x in (p.all if isinstance(p, m.AllOf) else p.any)]
        if any(f is None for f in parts):
            return None
        fs = [f for f in parts if f is not None]
        both = np.logical_and if isinstance(p, m.AllOf) else np.logical_or
        start = isinstance(p, m.AllOf)
        return lambda b: _fold(both, [f(b) for f in fs], np.full(len(b.rows), start))
    if isinstance(p, m.Not):
        inner = _vector_predicate(p.not_, rp, role, stage)
        return None if inner is None else (lambda b: ~inner(b))
    return None  # grades, history, linked outcomes, Python predicates


def _fold(op: Any, parts: list[Any], start: Any) -> Any:
    out = start
    for part in parts:
        out = op(out, part)
    return out


def _memo_test(values: Any, test: Callable[[int], bool]) -> Any:
    """``test`` of each value, computed once per distinct value."""
    uniques, inverse = np.unique(values, return_inverse=True)
    return np.array([test(int(u)) for u in uniques.tolist()], dtype=bool)[inverse]


def _pair_test(pair: tuple[Any, Any], test: Callable[[Fraction], bool]) -> Any:
    num, den = pair
    memo: dict[tuple[int, int], bool] = {}
    out = []
    for n, d in zip(num.tolist(), den.tolist(), strict=True):
        key = (n, d)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = d != 0 and test(Fraction(n, d))
        out.append(hit)
    return np.array(out, dtype=bool)


class _Vectorised:
    """What the arrays need of a role's plan, built once per plan; or why they cannot grade it."""

    def __init__(self, scheme: m.Scheme, rp: _RolePlan, role: str) -> None:
        self.why: str | None = None
        self.signature: Any = role
        self.eligibility: list[tuple[_Rule, _Vector]] = []
        self.limits: list[tuple[_Rule, _Vector]] = []
        # ballot → (tier label → its points over the scale's common denominator, that denominator)
        self.ballots: dict[str, tuple[dict[str, int], int]] = {}
        # rating → each tier's points as numerators and denominators (0: a tier without points)
        self.ratings: dict[str, tuple[tuple[str, ...], Any, Any]] = {}
        if rp.quick is None or rp.graded_memo is None or rp.rounding is None:
            self.why = "its rules need the pure-Python engine (applies_when, linked outcomes or grading by conditions)"
            return
        for iid, ins, _factor, _ in rp.instruments:
            if ins.kind in scheme._kinds or isinstance(ins, m.Points):
                self.why = f"instrument {iid} is of kind {ins.kind!r}"
                return
            tiers = scheme.scales[getattr(ins, "scale", "")].tiers if hasattr(ins, "scale") else ()
            if isinstance(ins, m.Ballot):
                if any(t.points is None for t in tiers):
                    self.why = f"ballot {iid} is on a scale without points"
                    return
                scale_den = 1
                for t in tiers:
                    assert t.points is not None
                    scale_den = scale_den * t.points.denominator // gcd(scale_den, t.points.denominator)
                self.ballots[iid] = ({t.label: int((t.points or 0) * scale_den) for t in tiers}, scale_den)
            elif isinstance(ins, m.Rating):
                points = [t.points for t in tiers]
                self.ratings[iid] = (
                    tuple(t.label for t in tiers),
                    np.array([p.numerator if p is not None else 0 for p in points], dtype=np.int64),
                    np.array([p.denominator if p is not None else 0 for p in points], dtype=np.int64),
                )
        for rule in rp.eligibility:
            f = _vector_predicate(rule_predicate(scheme, "eligibility", rule.id), _Facts(rp), role, "eligibility")
            if f is None:
                self.why = f"eligibility rule {rule.id} reads what the arrays do not hold"
                return
            self.eligibility.append((rule, f))
        for rule in rp.limits:
            f = _vector_predicate(rule_predicate(scheme, rule.kind, rule.id), _Facts(rp), role, "limits")
            if f is None:
                self.why = f"{rule.kind} {rule.id} reads what the arrays do not hold"
                return
            self.limits.append((rule, f))
        # Roles that would be graded alike are graded in one block (fewer, longer arrays):
        # the same instruments, facts, rounding, bands and rules, none of which names a role.
        predicates = [rule_predicate(scheme, r.kind, r.id) for r in (*rp.eligibility, *rp.limits)]
        names_a_role = any(isinstance(leaf, m.RoleIs) for p in predicates for leaf in leaves(p))
        self.signature = (
            tuple((iid, id(ins), factor) for iid, ins, factor, _ in rp.instruments),
            rp.bool_facts,
            rp.number_facts,
            rp.rounding,
            rp.display_digits,
            tuple(rp.grid),
            rp.labels,
            tuple((r.kind, r.id) for r in (*rp.eligibility, *rp.limits)),
            role if names_a_role else None,
        )


class _Facts:
    """A role plan seen by :func:`_vector_predicate`: what its blocks hold."""

    def __init__(self, rp: _RolePlan) -> None:
        self.bool_facts = rp.bool_facts
        self.number_facts = rp.number_facts
        self.terms_and_scores = {iid for iid, *_ in rp.instruments}
        self.ballots = {iid for iid, ins, *_ in rp.instruments if isinstance(ins, m.Ballot)}
        self.ratings = {iid for iid, ins, *_ in rp.instruments if isinstance(ins, m.Rating)}


def rule_predicate(scheme: m.Scheme, kind: str, rid: str) -> m.Predicate:
    """The predicate of a rule of the scheme, by kind and id."""
    rules: Mapping[str, Any] = {
        "eligibility": scheme.eligibility,
        "veto": scheme.vetoes,
        "cap": scheme.caps,
    }[kind]
    return rules[rid].when  # type: ignore[no-any-return]


def _round(num: Any, den: Any, digits: int, mode: str) -> Any:
    """:func:`villageeval._numbers.round_scaled` over arrays (``den > 0``)."""
    scaled = num * 10**digits
    if mode == "floor":
        return scaled // den
    if mode == "ceiling":
        return -(-scaled // den)
    negative = scaled < 0
    whole, rest = np.divmod(np.where(negative, -scaled, scaled), den)
    if mode == "down":
        up = np.zeros(len(num), bool)
    elif mode == "up":
        up = rest > 0
    elif mode == "half_up":
        up = 2 * rest >= den
    elif mode == "half_down":
        up = 2 * rest > den
    else:  # half_even
        up = (2 * rest > den) | ((2 * rest == den) & (whole % 2 == 1))
    out = whole + up.astype(np.int64)
    return np.where(negative, -out, out)


def _most(values: Any) -> int:
    """The largest magnitude in an array (rows that are not valid hold 0 or 1 by then)."""
    return int(np.abs(values).max()) if len(values) else 0


def _grade_block(a: _Arrays, scheme: m.Scheme, rp: _RolePlan, vec: _Vectorised, b: _Block) -> None:
    """Check, score, total, round, band, and apply eligibility, vetoes and caps to a block.

    The steps of ``_engine._quick_evaluate``, in its order. ``b.ok`` ends up saying which
    rows the arrays graded; the others go to the pure-Python engine.
    """
    _read_facts(a, rp, b)
    terms: list[tuple[int, int, Any, Any]] = []
    for iid, ins, factor, _ in rp.instruments:
        # No check that the evidence is there: a plainly valid row has tallies (at
        # least one ballot), a tier of the scale or an exact value, so it is.
        pre = f"evidence.{iid}."
        b.ok &= _covered(a, ins, pre, b)
        if isinstance(ins, m.Ballot):
            n, d = _ballot(a, vec, ins, iid, b)
        elif isinstance(ins, m.Rating):
            n, d = _rating(a, vec, iid, b)
        else:
            assert isinstance(ins, m.DirectScore)
            n, d = _score(a, ins, pre, b)
        n, d = np.where(b.ok, n, 0), np.where(b.ok, d, 1)
        b.scores[iid] = (n, d)  # a denominator of 0: no sub-score
        if factor is not None:
            # an unscored tier adds nothing to the total, as in the engine
            terms.append((factor.numerator, factor.denominator, np.where(d == 0, 0, n), np.where(d == 0, 1, d)))
    # eligibility: an ineligible subject is not graded
    b.ineligible = np.zeros(len(b.rows), bool)
    for _rule, test in vec.eligibility:
        b.ineligible |= test(b) & b.ok & ~b.ineligible
    exact_ints = _total(rp, terms, b)
    # bands, then vetoes and caps in the scheme's order (each may only lower the grade)
    grade = np.full(len(b.rows), -1, np.int64)
    for low, high, label in rp.grid:
        # int64 totals stay below 2**62: bounds beyond it compare as it does
        lo, hi = (max(low, -_SAFE), min(high, _SAFE)) if exact_ints else (low, high)
        inside = (grade < 0) & (b.scaled >= lo).astype(bool) & (b.scaled <= hi).astype(bool)
        grade = np.where(inside, rp.rank[label], grade)
    b.ok &= grade >= 0  # no band: the pure-Python engine raises the scheme's error
    b.raw = grade.copy()
    for rule, test in vec.limits:
        hit = test(b) & b.ok & ~b.ineligible
        grade = np.where(hit & (rule.grade_rank > grade), rule.grade_rank, grade)
    b.grade = grade


def _read_facts(a: _Arrays, rp: _RolePlan, b: _Block) -> None:
    """The facts the role's rules read: booleans as bool arrays, numbers as Fractions."""
    for name in rp.bool_facts:
        values, is_bool = a.bools(f"facts.{name}")
        if is_bool is not a.everywhere:
            b.ok &= is_bool[b.take]
        b.facts[name] = values[b.take]
    for name in rp.number_facts:
        cells = a.cells(f"facts.{name}")
        numbers = [number_of(cells[i]) if cells is not None else None for i in b.rows.tolist()]
        b.ok &= np.array([v is not None for v in numbers], dtype=bool)
        b.numbers[name] = numbers


def _covered(a: _Arrays, ins: m.Instrument, pre: str, b: _Block) -> Any:
    """Rows whose coverage is plainly complete (the forms the quick path accepts)."""
    take = b.take
    ok = np.ones(len(b.rows), bool)
    every = getattr(ins, "cover", "at_least_one") == "every_member"
    for cat in getattr(ins, "must_cover", ()):
        if every:
            c, c_int, _ = a.ints(f"{pre}coverage.{cat}.count")
            o, o_int, _ = a.ints(f"{pre}coverage.{cat}.of")
            c = c[take]
            ok &= (c >= 0) & (c == o[take])
            if not (c_int is o_int is a.everywhere):
                ok &= (c_int & o_int)[take]
        else:
            c, c_int, _ = a.ints(f"{pre}coverage.{cat}")
            ok &= c[take] >= 1
            if c_int is not a.everywhere:
                ok &= c_int[take]
    return ok


def _ballot(a: _Arrays, vec: _Vectorised, ins: m.Ballot, iid: str, b: _Block) -> tuple[Any, Any]:
    """The mean of the tiers' points over the ballots, as ``(Σ points × count, ballots)``."""
    pre = f"evidence.{iid}."
    rows, take, ok = b.rows, b.take, b.ok
    weights, scale_den = vec.ballots[iid]
    # A row whose counts could take the sums past 64 bits goes to the pure-Python engine.
    cap = _SAFE // (len(weights) * max(scale_den, *map(abs, weights.values()), 1))
    counts: dict[str, Any] = {}
    total = np.zeros(len(rows), np.int64)
    acc = np.zeros(len(rows), np.int64)
    for label in weights:
        v, is_int, cell_given = a.ints(f"{pre}tallies.{label}")
        v = v[take]
        if is_int is cell_given is a.everywhere:  # an integer array: every cell given, and an int
            ok &= (v >= 0) & (v < cap)
        else:
            ok &= ~cell_given[take] | (is_int[take] & (v >= 0) & (v < cap))  # a tier left out counts 0
        counts[label] = v
    for label, weight in weights.items():
        v = counts[label] = np.where(ok, counts[label], 0)
        total += v
        acc += weight * v
    ok &= total >= max(ins.min_respondents, 1)
    if ins.quorum is not None:
        e, e_int, _ = a.ints(f"{pre}expected")
        e = e[take]
        qn, qd = ins.quorum.numerator, ins.quorum.denominator
        ok &= e_int[take] & (e >= 1) & (e < _SAFE // max(qn, 1)) & (total <= e)
        ok &= total >= -((-qn * np.where(ok, e, 0)) // qd)  # ceil(quorum × expected)
    st = ins.per_stratum
    if st is not None:
        k, lo, hi, sm, shape = a.strata(f"{pre}strata")
        ok &= shape[take] & (k[take] > 0) & (lo[take] >= st.min) & (sm[take] == total)
        if st.max is not None:
            ok &= hi[take] <= st.max
    b.tallies[iid] = (counts, total)
    return acc, total * scale_den


def _rating(a: _Arrays, vec: _Vectorised, iid: str, b: _Block) -> tuple[Any, Any]:
    """The points of the tier given; a tier without points gives no sub-score (denominator 0)."""
    labels, numerators, denominators = vec.ratings[iid]
    codes = a.codes(f"evidence.{iid}.tier", labels)[b.take]
    b.ok &= codes >= 0
    codes = np.where(b.ok, codes, 0)
    b.tiers[iid] = (codes, labels)
    return numerators[codes], denominators[codes]


def _score(a: _Arrays, ins: m.DirectScore, pre: str, b: _Block) -> tuple[Any, Any]:
    """The exact score given, within the instrument's range."""
    vn, vd, exact = a.exacts(f"{pre}value")
    low, high = ins.min, ins.max
    # low ≤ n/d ≤ high in integers (d > 0); a row whose products could pass 64 bits
    # goes to the pure-Python engine.
    cap = _SAFE // (2 * max(abs(low.numerator), low.denominator, abs(high.numerator), high.denominator, 1))
    n, d = vn[b.take], vd[b.take]
    b.ok &= exact[b.take] & (np.abs(n) < cap) & (d < cap)
    n, d = np.where(b.ok, n, 0), np.where(b.ok, d, 1)
    b.ok &= (n * low.denominator >= low.numerator * d) & (n * high.denominator <= high.numerator * d)
    return n, d


def _total(rp: _RolePlan, terms: list[tuple[int, int, Any, Any]], b: _Block) -> bool:
    """The weighted total Σ factor × n / d over one denominator per row, rounded and shown.

    In int64 when a bound from the columns' largest values says every intermediate value
    fits (returns True), else in Python integers.
    """
    rounding = rp.rounding
    assert rounding is not None
    common = 1  # the factors' common denominator
    for _, fd, _, _ in terms:
        common = common * fd // gcd(common, fd)
    maxima = [(_most(n), max(_most(d), 1)) for _, _, n, d in terms]
    den_bound = common
    for _, md in maxima:
        den_bound *= md
    num_bound = sum(
        abs(fn) * (common // fd) * mn * (den_bound // (common * md))
        for (fn, fd, _, _), (mn, md) in zip(terms, maxima, strict=True)
    )
    digits = max(rounding.digits, rp.display_digits)
    exact_ints = bool(2 * num_bound * 10**digits + den_bound < _SAFE)
    size = len(b.rows)
    num: Any = np.zeros(size, np.int64 if exact_ints else object)
    den: Any = np.full(size, common, np.int64 if exact_ints else object)
    for fn, fd, n, d in terms:
        if not exact_ints:
            n, d = n.astype(object), d.astype(object)
        num = num * d + (fn * (common // fd)) * n * (den // common)
        den = den * d
    b.num, b.den = num, den
    b.power = 10**rounding.digits
    b.scaled = _round(num, den, rounding.digits, rounding.mode)
    b.shown = _round(num, den, rp.display_digits, "half_up")
    return exact_ints
