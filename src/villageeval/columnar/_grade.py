"""One role's plainly valid rows, graded in arrays: the engine's quick path, vectorised.

Sub-scores by each instrument's kind, through the form over arrays its spec names
(``InstrumentKind.vectorised``, the built-in ones in :mod:`._kinds`); then the weighted
total over one denominator per row, the kernel's rounding in integer division, the
kernel's bands as integer ranges, eligibility, vetoes and caps, with the rules'
predicates as boolean arrays over the kernel's intervals. Nothing here knows a kind:
one without a form is not graded in arrays.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np

from .. import _kernel as k
from .. import _model as m
from .._errors import PluginError
from .._kinds.spec import Kind
from .._plan import PlannedInstrument, RolePlan, Rule
from .._predicates import leaves, number_of
from ._kinds import NotVectorised, VectorisedKind
from ._read import SAFE, Arrays


class Block:
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


_Vector = Callable[[Block], Any]  # a predicate over a block: a bool array


def _vector_predicate(p: m.Predicate, rp: _Facts, role: str, stage: str) -> _Vector | None:
    """A predicate as a function of a block, or None if the arrays cannot test it.

    ``stage`` is ``"eligibility"`` (no total yet: total tests are false, as in the
    engine) or ``"limits"``.
    """
    inside = k.in_interval
    if isinstance(p, m.FactTest):
        name = p.fact
        if p.compare is None:
            if name not in rp.bool_facts:
                return None
            return lambda b: b.facts[name]
        if name not in rp.number_facts:
            return None
        iv = p.compare.interval
        return lambda b: np.array([v is not None and inside(iv, v) for v in b.numbers[name]], dtype=bool)
    if isinstance(p, m.ScoreTest):
        iv = p.compare.interval
        if p.score == "total":
            if stage == "eligibility":
                return lambda b: np.zeros(len(b.rows), bool)
            return lambda b: _memo_test(b.scaled, lambda s: inside(iv, Fraction(s, b.power)))
        iid = p.score
        if iid not in rp.terms_and_scores:
            return None
        return lambda b: _pair_test(b.scores[iid], lambda v: inside(iv, v))
    if isinstance(p, m.ShareTest):
        iid, tiers, iv = p.share, frozenset(p.tiers), p.compare.interval

        def share(b: Block) -> Any:
            counts, total = b.tallies[iid]
            part = sum((counts[t] for t in tiers if t in counts), np.zeros(len(b.rows), np.int64))
            return _pair_test((part, total), lambda v: inside(iv, v))

        return share if iid in rp.ballots else None
    if isinstance(p, m.RatingIs):
        iid, allowed = p.rating, frozenset(p.is_in)
        if iid not in rp.ratings:
            return None

        def rating(b: Block) -> Any:
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


#: Each form over arrays by its spec's "module:name" (``InstrumentKind.vectorised``), imported once.
_FORMS: dict[str, VectorisedKind] = {}


def form_of(kind: Kind) -> VectorisedKind | None:
    """The kind's form over arrays, imported by the name its spec gives; None if it has none.

    Raises:
        PluginError: the name cannot be imported, or is not a form (the message names the plugin).
    """
    spec = kind.declared.vectorised
    if spec is None:
        return None
    form = _FORMS.get(spec)
    if form is None:
        module, _, name = spec.partition(":")
        try:
            got = getattr(importlib.import_module(module), name)
        except Exception as e:  # a module that is not there, or fails as it is imported
            raise PluginError(
                f"plugin {kind.plugin!r}: instrument kind {kind.name!r} names {spec!r} as its columnar form, "
                f"which cannot be imported: {type(e).__name__}: {e}"
            ) from e
        if not isinstance(got, VectorisedKind):
            raise PluginError(
                f"plugin {kind.plugin!r}: instrument kind {kind.name!r} names {spec!r} as its columnar form, "
                f"which is a {type(got).__name__}, not a villageeval.columnar form"
            )
        form = _FORMS[spec] = got
    return form


def evidence_columns(scheme: m.Scheme, kinds: Mapping[str, Kind]) -> dict[str, list[str] | None]:
    """Per instrument of the scheme, the columns its evidence takes (None: its kind has no form over arrays)."""
    out: dict[str, list[str] | None] = {}
    for iid, ins in scheme.instruments.items():
        kind = kinds.get(ins.kind)
        form = form_of(kind) if kind is not None else None
        out[iid] = None if form is None else [f"evidence.{iid}.{tail}" for tail in form.columns(ins, scheme)]
    return out


class Vectorised:
    """What the arrays need of a role's plan, built once per plan; or why they cannot grade it."""

    def __init__(self, scheme: m.Scheme, rp: RolePlan, role: str) -> None:
        self.why: str | None = None
        self.signature: Any = role
        self.eligibility: list[tuple[Rule, _Vector]] = []
        self.limits: list[tuple[Rule, _Vector]] = []
        # Each instrument with its kind's form and what the form prepared for it.
        self.instruments: list[tuple[PlannedInstrument, VectorisedKind, Any]] = []
        if rp.quick is None or rp.graded_memo is None or rp.rounding is None:
            self.why = (
                "its rules need the pure-Python engine "
                "(applies_when, linked outcomes, grading by conditions, or a total that is not rounded)"
            )
            return
        for pi in rp.instruments:
            form = form_of(pi.kind)
            if form is None:
                self.why = f"instrument {pi.id} is of kind {pi.kind.name!r}, which has no form over arrays"
                return
            try:
                self.instruments.append((pi, form, form.prepare(pi)))
            except NotVectorised as e:
                self.why = str(e)
                return
        facts = _Facts(rp)
        for rule in rp.eligibility:
            if rule.target == "insufficient_evidence":
                self.why = f"eligibility rule {rule.id} makes a subject insufficient_evidence, with its reasons"
                return
            f = _vector_predicate(rule_predicate(scheme, "eligibility", rule.id), facts, role, "eligibility")
            if f is None:
                self.why = f"eligibility rule {rule.id} reads what the arrays do not hold"
                return
            self.eligibility.append((rule, f))
        for rule in rp.limits:
            f = _vector_predicate(rule_predicate(scheme, rule.kind, rule.id), facts, role, "limits")
            if f is None:
                self.why = f"{rule.kind} {rule.id} reads what the arrays do not hold"
                return
            self.limits.append((rule, f))
        # Roles that would be graded alike are graded in one block (fewer, longer arrays):
        # the same instruments, facts, rounding, bands and rules, none of which names a role.
        predicates = [rule_predicate(scheme, r.kind, r.id) for r in (*rp.eligibility, *rp.limits)]
        names_a_role = any(isinstance(leaf, m.RoleIs) for p in predicates for leaf in leaves(p))
        self.signature = (
            tuple((pi.id, id(pi.config), pi.factor) for pi in rp.instruments),
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
    """A role plan seen by :func:`_vector_predicate`: what its blocks hold.

    What a kind's spec says it records (tallies, tiers) is what its form fills in.
    """

    def __init__(self, rp: RolePlan) -> None:
        self.bool_facts = rp.bool_facts
        self.number_facts = rp.number_facts
        self.terms_and_scores = {pi.id for pi in rp.instruments}
        self.ballots = {pi.id for pi in rp.instruments if pi.kind.records == "tallies"}
        self.ratings = {pi.id for pi in rp.instruments if pi.kind.records == "tier"}


def rule_predicate(scheme: m.Scheme, kind: str, rid: str) -> m.Predicate:
    """The predicate of a rule of the scheme, by kind and id."""
    rules: Mapping[str, Any] = {
        "eligibility": scheme.eligibility,
        "veto": scheme.vetoes,
        "cap": scheme.caps,
    }[kind]
    return rules[rid].when  # type: ignore[no-any-return]


def _round(num: Any, den: Any, digits: int, mode: str) -> Any:
    """:func:`villageeval._kernel.round_scaled` over arrays (``den > 0``), case for case.

    The kernel's definition on ``x = value × 10**digits``, each case as an array
    expression: ``floor`` and ``ceiling`` by integer division; ``half_up`` on totals
    none of which is negative (the usual case) as ``floor(x + 1/2)``; every other case
    from the magnitude's whole part and remainder, rounded up or not as the mode says,
    and the sign put back. ``tests/test_columnar.py`` checks it against the kernel.
    """
    scaled = num * 10**digits
    if mode == "floor":
        return scaled // den
    if mode == "ceiling":
        return -(-scaled // den)
    negative = scaled < 0
    if mode == "half_up" and not negative.any():
        return (2 * scaled + den) // (2 * den)
    magnitude = np.where(negative, -scaled, scaled)
    if magnitude.dtype == object:  # Python integers: numpy has no divmod for them
        whole, rest = magnitude // den, magnitude % den
    else:
        whole, rest = np.divmod(magnitude, den)
    if mode == "down":
        out = whole
    else:
        if mode == "up":
            up = rest > 0
        elif mode == "half_up":
            up = 2 * rest >= den
        elif mode == "half_down":
            up = 2 * rest > den
        elif mode == "half_even":
            up = (2 * rest > den) | ((2 * rest == den) & (whole % 2 == 1))
        else:
            raise ValueError(f"unknown rounding mode {mode!r} (known: {', '.join(k.ROUNDING_MODES)})")
        out = whole + up.astype(np.int64)
    return np.where(negative, -out, out)


def _most(values: Any) -> int:
    """The largest magnitude in an array (rows that are not valid hold 0 or 1 by then)."""
    return int(np.abs(values).max()) if len(values) else 0


def grade_block(a: Arrays, rp: RolePlan, vec: Vectorised, b: Block) -> None:
    """Check, score, total, round, band, and apply eligibility, vetoes and caps to a block.

    The steps of ``_engine._quick_evaluate``, in its order. ``b.ok`` ends up saying which
    rows the arrays graded; the others go to the pure-Python engine.
    """
    _read_facts(a, rp, b)
    terms: list[tuple[int, int, Any, Any]] = []
    for pi, form, prepared in vec.instruments:
        # No check that the evidence is there: a plainly valid row has tallies (at
        # least one ballot), a tier of the scale or an exact value, so it is.
        n, d = form.score(a, prepared, b)
        n, d = np.where(b.ok, n, 0), np.where(b.ok, d, 1)
        b.scores[pi.id] = (n, d)  # a denominator of 0: no sub-score
        factor = pi.factor
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
    for low, high, label in rp.grid:  # the kernel's grid_range of each band; None: unbounded
        inside = grade < 0
        # int64 totals lie within ±2**62: bounds beyond it (and no bound) compare as it does
        if low is not None:
            inside = inside & (b.scaled >= (max(low, -SAFE) if exact_ints else low)).astype(bool)
        if high is not None:
            inside = inside & (b.scaled <= (min(high, SAFE) if exact_ints else high)).astype(bool)
        grade = np.where(inside, rp.rank[label], grade)
    b.ok &= grade >= 0  # no band: the pure-Python engine raises the scheme's error
    b.raw = grade.copy()
    for rule, test in vec.limits:
        hit = test(b) & b.ok & ~b.ineligible
        grade = np.where(hit & (rule.grade_rank > grade), rule.grade_rank, grade)
    b.grade = grade


def _read_facts(a: Arrays, rp: RolePlan, b: Block) -> None:
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


def _total(rp: RolePlan, terms: list[tuple[int, int, Any, Any]], b: Block) -> bool:
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
    exact_ints = bool(2 * num_bound * 10**digits + den_bound < SAFE)
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
