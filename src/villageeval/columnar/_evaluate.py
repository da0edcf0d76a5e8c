"""evaluate_columnar: every row graded, in arrays where it can be, and the result in columns."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
from attrs import field, frozen

from .. import _model as m
from .._bound import plan_of
from .._context import State
from .._engine import check_cohort, evaluate, evaluate_carefully
from .._kinds.spec import MEMO_BOUND
from .._numbers import decimal_text, fixed
from .._plan import Plan
from .._predicates import leaves
from .._result import PopulationUsage, Result
from ._cohort import ColumnarCohort
from ._grade import Block, Vectorised, evidence_columns, grade_block
from ._quota import RowView, at_most
from ._read import SAFE, Arrays, check_columns

_STATUSES = ("graded", "ineligible", "insufficient_evidence")


@frozen
class ColumnarResult:
    """Each row's outcome, row for row with the table, with the names of :class:`~villageeval.Outcome`.

    Row ``i`` of the result is row ``i`` of the table, so results join back to the
    rows they came from; ``evaluate`` lists the same outcomes sorted by subject id.

    Attributes:
        subject_ids: the rows' ids, in the table's order.
        statuses: ``graded``, ``insufficient_evidence`` or ``ineligible``.
        raw_grades: the grade the total earned, before vetoes, caps and quotas.
        final_grades: the grade after them (None unless graded).
        rounded_scores: the total after the scheme's rounding.
        score_displays: the total as shown, with the scheme's decimal places.
        populations: quota usage per population, as in :class:`~villageeval.Result`.
        warnings: soft quotas exceeded, ties at a cut.
        score_numerators, score_denominators: the exact totals as integer arrays
            (``int64``, or Python ints where 64 bits do not hold them; denominator 0:
            no total). :meth:`scores` gives them as Fractions.
    """

    scheme_id: str
    scheme_hash: str
    version: str
    period: str
    subject_ids: tuple[str, ...]
    statuses: tuple[str, ...]
    raw_grades: tuple[str | None, ...]
    final_grades: tuple[str | None, ...]
    rounded_scores: tuple[Fraction | None, ...]
    populations: tuple[PopulationUsage, ...]
    warnings: tuple[str, ...]
    score_numerators: Any = field(eq=False, repr=False)
    score_denominators: Any = field(eq=False, repr=False)
    # Shown totals, scaled to their places (or the text itself), turned into text when read.
    _shown: Any = field(eq=False, repr=False, alias="shown")
    _places: Any = field(eq=False, repr=False, alias="places")

    @property
    def score_displays(self) -> tuple[str | None, ...]:
        """The totals as shown, with the scheme's decimal places (built when read)."""
        texts: dict[tuple[int, int], str] = {}
        out: list[str | None] = []
        for shown, places in zip(self._shown.tolist(), self._places.tolist(), strict=True):
            if shown is None or type(shown) is str:
                out.append(shown)
                continue
            text = texts.get((shown, places))
            if text is None:
                text = texts[shown, places] = decimal_text(shown, places)
            out.append(text)
        return tuple(out)

    def scores(self) -> tuple[Fraction | None, ...]:
        """The exact totals, as :attr:`villageeval.Outcome.score` holds them (None: no total)."""
        return tuple(
            Fraction(n, d) if d else None
            for n, d in zip(self.score_numerators.tolist(), self.score_denominators.tolist(), strict=True)
        )


class _Prepared:
    """What the arrays need of a plan, built on first use and kept while the plan is."""

    def __init__(self, plan: Plan) -> None:
        self.roles: dict[str, Vectorised] = {}
        self.blocks: dict[str, int] = {}  # role → its block: roles graded alike share one
        self.signatures: dict[Any, int] = {}
        self.rounded: dict[tuple[int, int], Fraction] = {}  # (scaled total, 10**digits) → the Fraction
        self.columns_checked: set[frozenset[str]] = set()  # column sets already found readable
        self.reads_python = _reads_python(plan.scheme)
        # Per instrument, the columns its evidence takes (None: its kind has no form over arrays).
        self.evidence = evidence_columns(plan.scheme, plan.binding.kinds)


_PREPARED: WeakKeyDictionary[Plan, _Prepared] = WeakKeyDictionary()


def _prepared(plan: Plan) -> _Prepared:
    got = _PREPARED.get(plan)
    if got is None:
        got = _PREPARED[plan] = _Prepared(plan)
    return got


def _vectorised(plan: Plan, role: str) -> Vectorised:
    roles = _prepared(plan).roles
    vec = roles.get(role)
    if vec is None:
        vec = roles[role] = Vectorised(plan.scheme, plan.roles[role], role)
    return vec


def _block(plan: Plan, role: str) -> int:
    """The block of a role's rows: roles graded alike share one (their signatures are equal).

    Kept per role, since a signature (bands, rules, rounding) is slow to hash on every call.
    """
    prepared = _prepared(plan)
    got = prepared.blocks.get(role)
    if got is None:
        vec = _vectorised(plan, role)
        signature = vec.signature if vec.why is None else ("alone", role)
        got = prepared.blocks[role] = prepared.signatures.setdefault(signature, len(prepared.signatures))
    return got


def _rounded(prepared: _Prepared, scaled: list[int], power: int) -> list[Fraction]:
    """The Fractions of rounded totals (``scaled / power``), each built once per plan."""
    memo = prepared.rounded
    out = []
    for v in scaled:
        got = memo.get((v, power))
        if got is None:
            got = Fraction(v, power)
            if len(memo) < MEMO_BOUND:
                memo[v, power] = got
        out.append(got)
    return out


def _reads_python(scheme: m.Scheme) -> bool:
    """Whether a rule evaluated before the quotas is a Python predicate (it may read the cohort)."""
    predicates: list[m.Predicate] = [e.when for e in scheme.eligibility.values()]
    predicates += [v.when for v in scheme.vetoes.values()]
    predicates += [c.when for c in scheme.caps.values()]
    predicates += [w for ins in scheme.instruments.values() if (w := getattr(ins, "applies_when", None)) is not None]
    for g in scheme.gradings.values():
        predicates += [r.when for r in getattr(g, "rules", ())]
    return any(isinstance(leaf, m.NamedRule) for p in predicates for leaf in leaves(p))


def _needs_check(plan: Plan, a: Arrays, role_index: dict[str, int], role_code: Any) -> bool:
    """Whether a row has a role the scheme does not grade, or lacks a group a quota counts by."""
    if not set(role_index) <= set(plan.roles):
        return True
    for _, q in plan.quotas:
        if q.per:
            if f"groups.{q.per}" not in a.table.columns:
                return True
            groups, gcode = a.groups(q.per)
            if None in groups:
                wanted = set(plan.scheme.role_ids(q.roles))
                counted = [k for role, k in role_index.items() if role in wanted]
                if np.isin(role_code[gcode == groups[None]], counted).any():
                    return True
    return False


def evaluate_columnar(scheme: m.Scheme, table: ColumnarCohort) -> ColumnarResult:
    """Grade every row of ``table`` under ``scheme``, in arrays where the rows allow it.

    The same statuses, totals, grades, quota usage and warnings as
    ``villageeval.evaluate(scheme, table.to_cohort(), trace=False)``.

    Raises:
        CohortError: a column the scheme does not read (every one is listed, with
            did-you-mean), a role the scheme does not grade, or a row without a group
            that a quota counts by.
    """
    from .. import __version__
    from .._types import expect_scheme, expect_table

    expect_scheme(scheme)
    expect_table(table, ColumnarCohort)

    plan = plan_of(scheme)
    prepared = _prepared(plan)
    column_names = frozenset(table.columns)
    if column_names not in prepared.columns_checked:
        check_columns(scheme, table, prepared.evidence)  # raises, listing every column the scheme does not read
        if len(prepared.columns_checked) >= 64:  # tables of many shapes: keep the memory small
            prepared.columns_checked.clear()
        prepared.columns_checked.add(column_names)
    a = Arrays(table)
    role_index, role_code = a.texts("role")
    if _needs_check(plan, a, role_index, role_code):
        check_cohort(plan, table.to_cohort())  # raises, with the engine's words
    registry = plan.binding.registry
    adjusters = registry.adjusters(scheme) if registry is not None else []
    referring = bool(scheme.referrals)  # a referred row keeps its proposed grade apart: the engine's
    if adjusters or prepared.reads_python or referring or any(q.bound != "at_most" for _, q in plan.quotas):
        # Outside what the arrays do: the pure-Python engine, for every row.
        return _from_result(evaluate(scheme, table.to_cohort(), trace=False), a.ids)
    period = table.period or scheme.period
    n = a.n
    by_role = {role: np.flatnonzero(role_code == k) for role, k in role_index.items()}
    labels: dict[str, int] = {}  # grade label → code; −1: no grade (the last of ``names``)
    names: list[str | None] = []

    def code(label: str) -> int:
        got = labels.get(label)
        if got is None:
            got = labels[label] = len(names)
            names.append(label)
        return got

    # One array per field of the result, filled a block at a time: codes where the
    # values are few (statuses, grades), else Python objects.
    status = np.zeros(n, np.int8)  # index in _STATUSES
    raw = np.full(n, -1, np.int64)  # grade codes, as ``final``
    rounded = np.full(n, None, dtype=object)
    displays = np.full(n, None, dtype=object)  # scaled shown totals, or texts
    places = np.zeros(n, np.int64)
    final = np.full(n, -1, np.int64)
    careful: dict[int, State] = {}
    blocks: list[Block] = []
    block_of = np.full(n, -1, np.int64)
    pos_of = np.zeros(n, np.int64)
    totals: list[tuple[Any, Any, Any]] = []  # (rows, numerators, denominators)
    # Roles graded alike share a block; a role the arrays cannot grade goes row by row.
    alike: dict[int, list[str]] = {}
    for role in sorted(by_role):
        alike.setdefault(_block(plan, role), []).append(role)
    for roles_alike in alike.values():
        rp = plan.roles[roles_alike[0]]
        vec = _vectorised(plan, roles_alike[0])
        rows = np.sort(np.concatenate([by_role[r] for r in roles_alike]))
        if vec.why is not None:
            fallback = rows.tolist()
        else:
            b = Block(rows, n)
            grade_block(a, rp, vec, b)
            fallback = rows[~b.ok].tolist()
            block_of[rows] = len(blocks)
            pos_of[rows] = np.arange(len(rows))
            blocks.append(b)
            status[rows[b.ok & b.ineligible]] = _STATUSES.index("ineligible")
            graded = b.ok & ~b.ineligible
            g_rows = rows[graded]
            codes = np.array([code(label) for label in rp.labels], dtype=np.int64)
            final[g_rows] = codes[b.grade[graded]]
            raw[g_rows] = codes[b.raw[graded]]
            # Few distinct rounded and shown totals: each one's Fraction and text built once.
            values, inverse = np.unique(b.scaled[graded], return_inverse=True)
            built = np.empty(len(values), dtype=object)
            built[:] = _rounded(prepared, values.tolist(), b.power)
            rounded[g_rows] = built[inverse]
            displays[g_rows] = b.shown[graded]
            places[g_rows] = rp.display_digits
            totals.append((g_rows, b.num[graded], b.den[graded]))
        for i in fallback:
            ctx = State(table.subject(i), scheme, period, False, ())
            rp = plan.roles[ctx.role]
            evaluate_carefully(plan, rp, ctx)
            careful[i] = ctx
            status[i] = _STATUSES.index(ctx.status)
            if ctx.raw_grade is not None:
                raw[i] = code(ctx.raw_grade)
            if ctx.status == "graded" and ctx.grade is not None:
                final[i] = code(ctx.grade)
            rounded[i] = ctx.rounded
            display = ctx.display
            if display is None and ctx.total is not None:
                display = fixed(ctx.total, rp.display_digits)
            displays[i] = display
    # exact totals: int64 if every one fits, else Python ints
    wide = any(arr.dtype == object for _, arr, _ in totals) or any(
        c.total is not None and not (abs(c.total.numerator) < SAFE and c.total.denominator < SAFE)
        for c in careful.values()
    )
    numerators = np.zeros(n, object if wide else np.int64)
    denominators = np.zeros(n, object if wide else np.int64)
    for rows, num, den in totals:
        numerators[rows] = num
        denominators[rows] = den
    for i, ctx in careful.items():
        if ctx.total is not None:
            numerators[i], denominators[i] = ctx.total.numerator, ctx.total.denominator
    populations: list[PopulationUsage] = []
    warnings: list[str] = []
    if plan.quotas:
        is_graded = status == _STATUSES.index("graded")
        role_ids = {role: k for k, role in enumerate(sorted(by_role))}
        role_of = np.zeros(n, dtype=np.int64)
        for role, rows_of in by_role.items():
            role_of[rows_of] = role_ids[role]

        def view(i: int) -> Any:
            ctx = careful.get(i)
            if ctx is not None:
                return ctx
            return RowView(a, i, blocks[int(block_of[i])], int(pos_of[i]))

        for qid, q in plan.quotas:
            at_most(
                plan,
                a,
                qid,
                q,
                role_of,
                role_ids,
                is_graded,
                final,
                code,
                view,
                (numerators, denominators),
                populations,
                warnings,
            )
    names.append(None)  # code −1
    grade_of = np.array(names, dtype=object)
    return ColumnarResult(
        scheme_id=scheme.id,
        scheme_hash=plan.hash,
        version=__version__,
        period=period,
        subject_ids=tuple(a.ids),
        statuses=tuple(np.array(_STATUSES, dtype=object)[status].tolist()),
        raw_grades=tuple(grade_of[raw].tolist()),
        final_grades=tuple(grade_of[final].tolist()),
        rounded_scores=tuple(rounded.tolist()),
        populations=tuple(populations),
        warnings=tuple(warnings),
        score_numerators=numerators,
        score_denominators=denominators,
        shown=displays,
        places=places,
    )


def _from_result(result: Result, ids: Sequence[str]) -> ColumnarResult:
    """A pure-Python result in columns."""
    by_id = {o.subject_id: o for o in result.outcomes}
    outcomes = [by_id[sid] for sid in ids]
    wide = any(
        o.score is not None and not (abs(o.score.numerator) < SAFE and o.score.denominator < SAFE) for o in outcomes
    )
    dtype: Any = object if wide else np.int64
    return ColumnarResult(
        scheme_id=result.scheme_id,
        scheme_hash=result.scheme_hash,
        version=result.version,
        period=result.period,
        subject_ids=tuple(ids),
        statuses=tuple(o.status for o in outcomes),
        raw_grades=tuple(o.raw_grade for o in outcomes),
        final_grades=tuple(o.final_grade for o in outcomes),
        rounded_scores=tuple(o.rounded_score for o in outcomes),
        populations=result.populations,
        warnings=result.warnings,
        score_numerators=np.array([o.score.numerator if o.score is not None else 0 for o in outcomes], dtype=dtype),
        score_denominators=np.array([o.score.denominator if o.score is not None else 0 for o in outcomes], dtype=dtype),
        shown=np.array([o.score_display for o in outcomes] + [None], dtype=object)[:-1],
        places=np.zeros(len(outcomes), np.int64),
    )
