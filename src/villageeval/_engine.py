"""The evaluation of one cohort under one scheme.

evidence checks → eligibility → instrument scores → weighted total → rounding
→ grade → vetoes and caps → quotas per population → consequences.

A scheme is compiled once into a plan (per role: the instruments with their
weight factors, the grading, the rules as closures) so that evaluating a
subject does no name look-ups. All arithmetic is on :class:`fractions.Fraction`
and integers. Subjects are processed in order of id, so the input order never
changes an outcome.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from fractions import Fraction
from math import ceil, floor, gcd
from typing import Any, Literal

from . import _model as m
from ._cohort import (
    BallotEvidence,
    Cohort,
    MalformedEvidence,
    PointsEvidence,
    RatingEvidence,
    ScoreEvidence,
)
from ._convert import Invalid, to_fraction
from ._errors import CohortError, PluginError, Problem, VillageevalError
from ._numbers import exact_text, fixed, round_scaled
from ._predicates import (
    Compiled,
    RuleContext,
    compile_predicate,
    facts_used,
    number_of,
    outcomes_used,
)
from ._result import (
    Adjustment,
    ConsequenceOutcome,
    FindingOutcome,
    Outcome,
    PopulationUsage,
    Reason,
    Result,
    TraceStep,
)

__all__ = ["evaluate"]

Scorer = Callable[[Any, RuleContext, str], "Fraction | None"]


# --- the plan ------------------------------------------------------------------------


class _Rule:
    __slots__ = ("clause", "grade_rank", "id", "kind", "target", "test", "text")

    def __init__(
        self,
        rid: str,
        kind: str,
        clause: str,
        text: str,
        test: Compiled,
        target: str | None = None,
        grade_rank: int = 0,
    ) -> None:
        self.id = rid
        self.kind = kind
        self.clause = clause
        self.text = text
        self.test = test
        self.target = target
        self.grade_rank = grade_rank


class _RolePlan:
    __slots__ = (
        "applies",
        "bands",
        "grid",
        "limits",
        "terms",
        "caps",
        "conditions",
        "consequences",
        "defaults",
        "display_digits",
        "eligibility",
        "facts",
        "fallback",
        "findings",
        "grading",
        "grading_id",
        "instruments",
        "labels",
        "linked",
        "rank",
        "rounding",
        "vetoes",
        "weighting_id",
    )

    def __init__(self) -> None:
        self.instruments: list[tuple[str, m.Instrument, Fraction | None, Scorer]] = []
        self.eligibility: list[_Rule] = []
        self.vetoes: list[_Rule] = []
        self.caps: list[_Rule] = []
        self.consequences: list[_Rule] = []
        self.findings: list[_Rule] = []
        self.applies: dict[str, Compiled] = {}
        self.terms: list[tuple[str, int, int]] = []
        self.limits: tuple[_Rule, ...] = ()
        self.grid: list[tuple[int, int, str]] = []
        self.bands: list[m.Band] = []
        self.conditions: list[tuple[str, Compiled, str]] = []
        self.fallback: str | None = None
        self.labels: tuple[str, ...] = ()
        self.rank: dict[str, int] = {}
        self.rounding: m.Rounding | None = None
        self.display_digits = 2
        self.grading: m.Grading | None = None
        self.grading_id = ""
        self.weighting_id = ""
        self.facts: dict[str, m.Fact] = {}
        self.defaults: dict[str, bool | Fraction] = {}
        self.linked: dict[str, tuple[str, ...]] = {}


class Plan:
    """A scheme compiled for evaluation; built once and cached on the scheme."""

    def __init__(self, scheme: m.Scheme) -> None:
        self.scheme = scheme
        rules: Mapping[str, Any] = scheme._rules
        self.roles: dict[str, _RolePlan] = {}
        linked_used: dict[str, tuple[str, ...]] = {}

        used: dict[str, str] = {}

        def comp(p: m.Predicate) -> Compiled:
            facts_used(p, used)
            linked: dict[str, str] = {}
            outcomes_used(p, linked)
            for k, v in linked.items():
                linked_used.setdefault(k, scheme.scales[v].labels)
            return compile_predicate(p, scheme, rules)

        for role in scheme.roles:
            used.clear()
            linked_used.clear()
            for quota in scheme.quotas.values():
                if role in scheme.role_ids(quota.roles):
                    for key in quota.rank_by:
                        if key.key.startswith("fact:"):
                            used.setdefault(key.key[5:], "number")
            rp = _RolePlan()
            weights: Mapping[str, Fraction] = {}
            for wid, w in scheme.weightings.items():
                if role in scheme.role_ids(w.roles):
                    weights, rp.weighting_id = w.weights, wid
                    break
            for iid, ins in scheme.instruments.items():
                if role in scheme.role_ids(getattr(ins, "roles", ())):  # a plugin kind may have no roles
                    factor = weights[iid] / m.instrument_out_of(ins) if iid in weights else None
                    rp.instruments.append((iid, ins, factor, _scorer(ins, scheme)))
                    if factor is not None:
                        rp.terms.append((iid, factor.numerator, factor.denominator))
                    condition = getattr(ins, "applies_when", None)
                    if condition is not None:
                        rp.applies[iid] = comp(condition)
            for gid, g in scheme.gradings.items():
                if role in scheme.role_ids(g.roles):
                    rp.grading, rp.grading_id = g, gid
                    rp.labels = scheme.scales[g.scale].labels
                    rp.rank = {label: i for i, label in enumerate(rp.labels)}
                    rp.rounding = g.round
                    rp.display_digits = (
                        g.display_digits if g.display_digits is not None else (g.round.digits if g.round else 2)
                    )
                    if isinstance(g, m.BandGrading):
                        rp.bands = list(g.bands)
                        if g.round is not None:
                            rp.grid = [(*_grid_range(b, g.round.digits), b.grade) for b in g.bands]
                    else:
                        rp.conditions = [(r.grade, comp(r.when), r.clause or g.clause) for r in g.rules]
                        rp.fallback = g.fallback
                    break
            for rid, e in scheme.eligibility.items():
                if role in scheme.role_ids(e.roles):
                    rp.eligibility.append(_Rule(rid, "eligibility", e.clause, e.text, comp(e.when)))
            for rid, v in scheme.vetoes.items():
                if role in scheme.role_ids(v.roles):
                    rp.vetoes.append(_Rule(rid, "veto", v.clause, v.text, comp(v.when), v.grade, rp.rank[v.grade]))
            for rid, c in scheme.caps.items():
                if role in scheme.role_ids(c.roles):
                    rp.caps.append(_Rule(rid, "cap", c.clause, c.text, comp(c.when), c.at_most, rp.rank[c.at_most]))
            for rid, f in scheme.findings.items():
                if role in scheme.role_ids(f.roles):
                    rp.findings.append(_Rule(rid, "finding", f.clause, f.text, comp(f.when), f.note or None))
            for rid, q in scheme.consequences.items():
                if role in scheme.role_ids(q.roles):
                    rp.consequences.append(_Rule(rid, "consequence", q.clause, q.text, comp(q.when)))
            rp.limits = (*rp.vetoes, *rp.caps)
            # The facts this role's rules read: each must be given, or have a default.
            rp.facts = {name: scheme.facts[name] for name in sorted(used) if name in scheme.facts}
            rp.defaults = {n: f.default for n, f in rp.facts.items() if f.default is not None}
            rp.linked = dict(sorted(linked_used.items()))
            self.roles[role] = rp
        # At-most quotas from the best grade down, so a demotion can cascade into
        # the next grade's quota; then at-least quotas in the scheme's order.
        self.quotas = sorted(
            scheme.quotas.items(),
            key=lambda kv: (
                kv[1].bound != "at_most",
                self._grade_rank(kv[1]) if kv[1].bound == "at_most" else 0,
            ),
        )

        self._hash: str | None = None

    @property
    def hash(self) -> str:
        """The scheme's content hash, computed once."""
        if self._hash is None:
            from ._load import scheme_hash

            self._hash = scheme_hash(self.scheme)
        return self._hash

    def _grade_rank(self, q: m.Quota) -> int:
        role = self.scheme.role_ids(q.roles)[0]
        return self.roles[role].rank.get(q.grade, 0)


def _grid_range(band: m.Band, digits: int) -> tuple[int, int]:
    """The band as an inclusive range of totals × 10**digits (rounded totals are integers there)."""
    scale = 10**digits
    low, high = -(10**30), 10**30
    if band.at_least is not None:
        low = ceil(band.at_least * scale)
    elif band.above is not None:
        low = floor(band.above * scale) + 1
    if band.at_most is not None:
        high = floor(band.at_most * scale)
    elif band.below is not None:
        high = ceil(band.below * scale) - 1
    return low, high


def plan_of(scheme: m.Scheme) -> Plan:
    """The compiled plan of ``scheme``, built on first use."""
    plan = scheme._plan
    if not isinstance(plan, Plan):
        plan = Plan(scheme)
        object.__setattr__(scheme, "_plan", plan)
    return plan


# --- evidence checks and scores -------------------------------------------------------


def _reason(ctx: RuleContext, code: str, message: str, instrument: str | None = None) -> None:
    ctx.reasons.append(Reason(code, message, instrument))
    if ctx.trace is not None:
        ctx.trace.append(TraceStep("evidence", f"{code}: {message}", instrument))


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _coverage(ins: m.Instrument, coverage: Mapping[str, Any], iid: str, ctx: RuleContext) -> bool:
    ok = True
    every = getattr(ins, "cover", "at_least_one") == "every_member"  # a plugin kind may have no cover
    for category in ins.must_cover:
        raw = coverage.get(category)
        # The usual, valid evidence first; anything else takes the careful path below.
        if every:
            if type(raw) is dict and len(raw) == 2:
                count = raw.get("count")
                if type(count) is int and count >= 0 and count == raw.get("of") and type(raw.get("of")) is int:
                    continue
        elif type(raw) is int and raw >= 1:
            continue
        if raw is None:
            unknown = {k: None for k in coverage if k not in ins.must_cover}
            _reason(
                ctx,
                "coverage_incomplete",
                f"{iid}: no {category} was covered (required: {', '.join(ins.must_cover)}){_close(category, unknown)}",
                iid,
            )
            ok = False
            continue
        if isinstance(raw, dict):
            count, of = _count(raw.get("count")), raw.get("of")
            of_n = _count(of) if of is not None else None
            if count is None or (of is not None and of_n is None) or set(raw) - {"count", "of"}:
                _reason(
                    ctx,
                    "invalid_evidence",
                    f'{iid}: coverage of {category} must be {{"count": n, "of": m}} with whole numbers (got {raw!r})',
                    iid,
                )
                ok = False
                continue
        else:
            count, of_n = _count(raw), None
            if count is None:
                _reason(
                    ctx,
                    "invalid_evidence",
                    f"{iid}: coverage of {category} must be a whole number >= 0 (got {raw!r})",
                    iid,
                )
                ok = False
                continue
        if of_n is not None and count > of_n:
            _reason(ctx, "invalid_evidence", f"{iid}: {count} {category} covered out of only {of_n}", iid)
            ok = False
        elif getattr(ins, "cover", "at_least_one") == "every_member":  # a plugin kind may have no cover
            if of_n is None:
                _reason(
                    ctx,
                    "coverage_incomplete",
                    f"{iid}: every {category} must be covered, but the evidence does not say how many there are "
                    '(give {"count": n, "of": m})',
                    iid,
                )
                ok = False
            elif count < of_n:
                _reason(
                    ctx,
                    "coverage_incomplete",
                    f"{iid}: only {count} of {of_n} {category} covered; every one must be",
                    iid,
                )
                ok = False
        elif count < 1:
            _reason(ctx, "coverage_incomplete", f"{iid}: no {category} was covered", iid)
            ok = False
    return ok


def _scorer(ins: m.Instrument, scheme: m.Scheme) -> Scorer:
    kinds: Mapping[str, Any] = scheme._kinds
    if ins.kind in kinds:
        return _plugin_scorer(ins, kinds[ins.kind])
    if isinstance(ins, m.Ballot):
        return _ballot_scorer(ins, scheme)
    if isinstance(ins, m.Rating):
        return _rating_scorer(ins, scheme)
    if isinstance(ins, m.DirectScore):
        return _score_scorer(ins)
    return _points_scorer(ins)


def _plugin_scorer(ins: Any, kind: Any) -> Scorer:
    """A plugin kind's scorer, held to the same rules as the built-in ones."""
    from ._plugins import EvidenceProblem

    def score(ev: Any, ctx: RuleContext, iid: str) -> Fraction | None:
        if isinstance(ev, MalformedEvidence):
            _reason(ctx, "invalid_evidence", f"{iid}: {ev.problem}", iid)
            return None
        if getattr(ins, "must_cover", ()) and not _coverage(ins, getattr(ev, "coverage", {}), iid, ctx):
            return None
        try:
            value = kind.score(ins, ev, ctx)
        except EvidenceProblem as e:
            _reason(ctx, e.code, f"{iid}: {e.message}", iid)
            return None
        except Exception as e:
            raise PluginError(
                f"instrument kind {kind.name!r} failed to score {iid!r} for subject {ctx.subject.id!r}: "
                f"{type(e).__name__}: {e}"
            ) from e
        if not isinstance(value, (int, Fraction)) or isinstance(value, bool):
            raise PluginError(
                f"instrument kind {kind.name!r} returned {value!r} for {iid!r} of subject {ctx.subject.id!r}; "
                "expected an exact Fraction or int"
            )
        low, high = kind.score_range(ins)
        if not low <= value <= high:
            raise PluginError(
                f"instrument kind {kind.name!r} scored {iid!r} of subject {ctx.subject.id!r} at {value}, "
                f"outside its declared range {low}–{high}"
            )
        value = Fraction(value)
        _step(ctx, "score", f"{iid} ({ins.title}): {_show(value)}", iid, ins.clause)
        return value

    return score


def _ballot_scorer(ins: m.Ballot, scheme: m.Scheme) -> Scorer:
    scale = scheme.scales[ins.scale]
    points = {t.label: t.points or Fraction(0) for t in scale.tiers}
    scored = all(t.points is not None for t in scale.tiers)
    labels = scale.labels
    # Points over a common denominator, so a mean is one integer sum and one Fraction.
    scale_den = 1
    for p in points.values():
        scale_den = scale_den * p.denominator // gcd(scale_den, p.denominator)
    int_points = {label: int(p * scale_den) for label, p in points.items()}

    def score(ev: Any, ctx: RuleContext, iid: str) -> Fraction | None:
        if not isinstance(ev, BallotEvidence):
            _reason(ctx, "invalid_evidence", f'{iid}: expected ballot tallies {{"tallies": {{...}}}}', iid)
            return None
        ok = True
        counts: dict[str, int] = {}
        total = acc = 0
        for label, raw in ev.tallies.items():
            if type(raw) is int and raw >= 0 and label in points:
                counts[label] = raw  # the common case, checked first
                total += raw
                acc += int_points[label] * raw
                continue
            if label not in points:
                close = difflib.get_close_matches(label, labels, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                _reason(ctx, "unknown_tier", f"{iid}: unknown tier {label!r}{hint} (scale: {', '.join(labels)})", iid)
                ok = False
                continue
            n = _count(raw)
            if n is None:
                _reason(
                    ctx,
                    "invalid_count",
                    f"{iid}: the count for {label!r} must be a whole number >= 0 (got {raw!r})",
                    iid,
                )
                ok = False
                continue
            counts[label] = n
        if not ok:
            return None
        if total < ins.min_respondents:
            _reason(
                ctx, "too_few_respondents", f"{iid}: {total} respondents, at least {ins.min_respondents} required", iid
            )
            ok = False
        if ins.quorum is not None:
            expected = _count(ev.expected)
            if expected is None or expected == 0:
                _reason(
                    ctx,
                    "invalid_evidence",
                    f"{iid}: a quorum needs 'expected', the number expected to respond (got {ev.expected!r})",
                    iid,
                )
                ok = False
            elif total > expected:
                _reason(
                    ctx, "invalid_evidence", f"{iid}: {total} ballots but only {expected} were expected to respond", iid
                )
                ok = False
            elif total < ceil(ins.quorum * expected):
                _reason(
                    ctx,
                    "below_quorum",
                    f"{iid}: {total} of {expected} expected responded; the quorum is {ceil(ins.quorum * expected)}",
                    iid,
                )
                ok = False
        if ins.must_cover and not _coverage(ins, ev.coverage, iid, ctx):
            ok = False
        st = ins.per_stratum
        if st is not None:
            label = st.label or "stratum"
            if not ev.strata:
                _reason(ctx, "strata_missing", f"{iid}: respondents per {label} are required", iid)
                ok = False
            else:
                in_strata = 0
                low, high = st.min, st.max
                for name, raw in ev.strata.items():
                    if type(raw) is int and low <= raw and (high is None or raw <= high):
                        in_strata += raw  # the usual case: a count within the rule
                        continue
                    n = _count(raw)
                    if n is None:
                        _reason(
                            ctx,
                            "invalid_count",
                            f"{iid}: respondents in {label} {name!r} must be a whole number >= 0 (got {raw!r})",
                            iid,
                        )
                        ok = False
                        continue
                    in_strata += n
                    if n < st.min or (st.max is not None and n > st.max):
                        span = f"{st.min}–{st.max}" if st.max is not None else f"at least {st.min}"
                        _reason(
                            ctx,
                            "stratum_out_of_range",
                            f"{iid}: {n} respondents in {label} {name!r}, {span} required",
                            iid,
                        )
                        ok = False
                if ok and in_strata != total:
                    _reason(
                        ctx,
                        "strata_mismatch",
                        f"{iid}: strata add up to {in_strata} respondents but the tallies to {total}",
                        iid,
                    )
                    ok = False
        if not ok:
            return None
        ctx.tallies[iid] = (counts, total)
        if not scored:
            if ctx.trace is not None:
                listing = ", ".join(f"{label} {n}" for label, n in counts.items())
                ctx.trace.append(
                    TraceStep("score", f"{iid} ({ins.title}): {listing} ({total} ballots)", iid, ins.clause)
                )
            return None
        if total == 0:
            _reason(ctx, "too_few_respondents", f"{iid}: no ballots to average", iid)
            return None
        value = Fraction(acc, total * scale_den)
        if ctx.trace is not None:
            terms = " + ".join(f"{label} {n} × {exact_text(points[label])}" for label, n in counts.items() if n)
            ctx.trace.append(
                TraceStep("score", f"{iid} ({ins.title}): ({terms}) / {total} = {_show(value)}", iid, ins.clause)
            )
        return value

    return score


def _rating_scorer(ins: m.Rating, scheme: m.Scheme) -> Scorer:
    scale = scheme.scales[ins.scale]
    points = {t.label: t.points for t in scale.tiers}

    def score(ev: Any, ctx: RuleContext, iid: str) -> Fraction | None:
        if not isinstance(ev, RatingEvidence):
            _reason(ctx, "invalid_evidence", f'{iid}: expected a rating {{"tier": ...}}', iid)
            return None
        if ev.tier not in points:
            close = difflib.get_close_matches(str(ev.tier), scale.labels, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            _reason(
                ctx, "unknown_tier", f"{iid}: unknown tier {ev.tier!r}{hint} (scale: {', '.join(scale.labels)})", iid
            )
            return None
        if ins.must_cover and not _coverage(ins, ev.coverage, iid, ctx):
            return None
        value = points[ev.tier]
        ctx.tiers[iid] = ev.tier
        if ctx.trace is not None and value is None:
            ctx.trace.append(TraceStep("score", f"{iid} ({ins.title}): {ev.tier}", iid, ins.clause))
        if ctx.trace is not None and value is not None:
            ctx.trace.append(
                TraceStep("score", f"{iid} ({ins.title}): {ev.tier} = {exact_text(value)}", iid, ins.clause)
            )
        return value

    return score


def _number(ev_value: object, what: str, iid: str, ctx: RuleContext) -> Fraction | None:
    if isinstance(ev_value, float):
        _reason(
            ctx,
            "invalid_evidence",
            f"{iid}: {what} must be exact (an integer, a decimal string or a Fraction), not a float",
            iid,
        )
        return None
    try:
        return to_fraction(ev_value)
    except Invalid as e:
        _reason(ctx, "invalid_evidence", f"{iid}: {what} {e.message}", iid)
        return None


def _score_scorer(ins: m.DirectScore) -> Scorer:
    def score(ev: Any, ctx: RuleContext, iid: str) -> Fraction | None:
        if not isinstance(ev, ScoreEvidence):
            _reason(ctx, "invalid_evidence", f'{iid}: expected a score {{"value": ...}}', iid)
            return None
        value = _number(ev.value, "the score", iid, ctx)
        if value is None:
            return None
        if not (ins.min <= value <= ins.max):
            _reason(
                ctx,
                "out_of_range",
                f"{iid}: score {exact_text(value)} is outside {exact_text(ins.min)}–{exact_text(ins.max)}",
                iid,
            )
            return None
        if ins.must_cover and not _coverage(ins, ev.coverage, iid, ctx):
            return None
        if ctx.trace is not None:
            ctx.trace.append(TraceStep("score", f"{iid} ({ins.title}): {exact_text(value)}", iid, ins.clause))
        return value

    return score


def _points_scorer(ins: m.Points) -> Scorer:
    def score(ev: Any, ctx: RuleContext, iid: str) -> Fraction | None:
        if not isinstance(ev, PointsEvidence):
            _reason(ctx, "invalid_evidence", f'{iid}: expected itemised points {{"items": {{...}}}}', iid)
            return None
        ok = True
        for key in ev.items:
            if key not in ins.items:
                _reason(ctx, "invalid_evidence", f"{iid}: unknown item {key!r}{_close(key, ins.items)}", iid)
                ok = False
        total = Fraction(0)
        parts = []
        for item_id, item in ins.items.items():
            if item_id not in ev.items:
                _reason(ctx, "missing_evidence", f"{iid}: no points for item {item_id!r} ({item.label})", iid)
                ok = False
                continue
            v = _number(ev.items[item_id], f"item {item_id!r}", iid, ctx)
            if v is None:
                ok = False
                continue
            if v < 0:
                _reason(ctx, "out_of_range", f"{iid}: item {item_id!r} is negative ({exact_text(v)})", iid)
                ok = False
                continue
            if item.mode == "award":
                if v > item.max:
                    _reason(
                        ctx,
                        "out_of_range",
                        f"{iid}: item {item_id!r} has {exact_text(v)} points, at most {exact_text(item.max)}",
                        iid,
                    )
                    ok = False
                    continue
                earned = v
            else:
                earned = max(Fraction(0), item.max - v)  # 扣完为止: deductions stop at zero
            total += earned
            parts.append(f"{item_id} {exact_text(earned)}")
        if ev.bonus is not None:
            b = _number(ev.bonus, "the bonus", iid, ctx)
            if b is None or b < 0:
                if b is not None:
                    _reason(ctx, "out_of_range", f"{iid}: the bonus is negative ({exact_text(b)})", iid)
                ok = False
            elif ins.bonus is None:
                _reason(ctx, "invalid_evidence", f"{iid}: this instrument has no bonus", iid)
                ok = False
            else:
                earned = min(b, ins.bonus.max)
                total += earned
                parts.append(
                    f"bonus {exact_text(earned)}"
                    + (f" (capped at {exact_text(ins.bonus.max)})" if b > ins.bonus.max else "")
                )
        if ins.must_cover and not _coverage(ins, ev.coverage, iid, ctx):
            ok = False
        if not ok:
            return None
        if ctx.trace is not None:
            ctx.trace.append(
                TraceStep("score", f"{iid} ({ins.title}): {' + '.join(parts)} = {exact_text(total)}", iid, ins.clause)
            )
        return total

    return score


def _show(value: Fraction) -> str:
    """Exact text, with a rounded reading when it is not a finite decimal (1690/19 ≈ 88.95)."""
    text = exact_text(value)
    return f"{text} (≈ {fixed(value, 2)})" if "/" in text else text


def _close(name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- one subject -------------------------------------------------------------------------


_Ctx = RuleContext


def _step(ctx: RuleContext, step: str, message: str, rule: str | None = None, clause: str | None = None) -> None:
    if ctx.trace is not None:
        ctx.trace.append(TraceStep(step, message, rule, clause))


def _check_facts(plan: Plan, rp: _RolePlan, ctx: RuleContext) -> None:
    facts = ctx.subject.facts
    missing = [name for name in rp.facts if name not in facts]
    if missing and rp.defaults:
        ctx.facts = {**{n: rp.defaults[n] for n in missing if n in rp.defaults}, **facts}
    for name, fact in rp.facts.items():
        if name not in facts:
            if name not in rp.defaults:
                others = {k: None for k in facts if k not in rp.facts}
                _reason(
                    ctx,
                    "missing_fact",
                    f"fact {name!r} ({fact.label}) is not given and the scheme has no default for it"
                    f"{_close(name, others)}",
                )
            continue
        v = facts[name]
        if fact.type == "bool" and not isinstance(v, bool):
            _reason(ctx, "invalid_fact", f"fact {name!r} must be true or false (got {v!r})")
        elif fact.type == "number" and number_of(v) is None:
            _reason(ctx, "invalid_fact", f"fact {name!r} must be a number (got {v!r})")
    for assessment, labels in rp.linked.items():
        g = ctx.subject.outcomes.get(assessment)
        if g is None:
            _reason(
                ctx,
                "missing_outcome",
                f"the outcome of assessment {assessment!r}, which a rule of this role reads, is not given",
            )
        elif g not in labels:
            _reason(ctx, "invalid_outcome", f"outcome of {assessment!r} is {g!r}, not one of {', '.join(labels)}")


def _grade_by_score(rp: _RolePlan, value: Fraction) -> str | None:
    for band in rp.bands:
        if band.contains(value):
            return band.grade
    return None


def _evaluate_subject(plan: Plan, rp: _RolePlan, ctx: _Ctx) -> None:
    subject = ctx.subject
    # Facts first, since an instrument's applies_when may read them; their
    # problems are listed after the evidence's, in the order of the pipeline.
    _check_facts(plan, rp, ctx)
    fact_reasons, ctx.reasons = ctx.reasons, []
    skipped: list[str] = []
    # 1. evidence checks (and sub-scores, which are computed by the same pass)
    for iid, ins, _factor, scorer in rp.instruments:
        applies = rp.applies.get(iid)
        if applies is not None and not applies(ctx):
            skipped.append(iid)
            _step(
                ctx,
                "evidence",
                f"{iid} ({ins.title}) does not apply to this subject: no evidence needed",
                iid,
                ins.clause,
            )
            continue
        ev = subject.evidence.get(iid)
        if ev is None:
            others = [k for k in subject.evidence if k not in {i for i, *_ in rp.instruments}]
            hint = _close(iid, dict.fromkeys(others))
            _reason(ctx, "missing_evidence", f"no evidence for {iid} ({ins.title}){hint}", iid)
            continue
        if isinstance(ev, MalformedEvidence):
            # Say what was wrong with its shape (with the cohort reader's did-you-mean),
            # not just which shape this instrument expects.
            _reason(ctx, "invalid_evidence", f"{iid}: {ev.problem}", iid)
            continue
        value = scorer(ev, ctx, iid)
        if value is not None:
            ctx.scores[iid] = value
    ctx.reasons.extend(fact_reasons)
    # 2. eligibility
    for rule in rp.eligibility:
        if rule.test(ctx):
            ctx.status = "ineligible"
            ctx.reasons = [Reason("ineligible", rule.text, None, rule.id, rule.clause)]
            _step(ctx, "eligibility", f"not evaluated: {rule.text}", rule.id, rule.clause)
            return
    if ctx.reasons:
        ctx.status = "insufficient_evidence"
        _step(ctx, "status", f"insufficient evidence: {len(ctx.reasons)} problem(s); no score is given")
        return
    # 3. total (a role without a weighting is graded on ratings and facts alone)
    g = rp.grading
    assert g is not None
    tr = ctx.trace is not None
    scaled: int | None = None  # the rounded total × 10**digits, when the grading rounds
    if rp.weighting_id and skipped and any(iid in skipped for iid, _, _ in rp.terms):
        missing_terms = [iid for iid, _, _ in rp.terms if iid in skipped]
        _step(ctx, "total", f"no total: {', '.join(missing_terms)} did not apply", rp.weighting_id)
    elif rp.weighting_id:
        # Σ weight × score / out_of over a common denominator: integers, one Fraction.
        num, den = 0, 1
        scores = ctx.scores
        for iid, fn, fd in rp.terms:
            s = scores[iid]
            tn, td = fn * s.numerator, fd * s.denominator
            num, den = num * td + tn * den, den * td
        total = ctx.total = Fraction(num, den)
        if tr:
            terms = []
            for iid, ins, factor, _ in rp.instruments:
                if factor is not None:
                    out_of = m.instrument_out_of(ins)
                    terms.append(
                        f"{iid} {exact_text(scores[iid])} × {exact_text(factor * out_of)}/{exact_text(out_of)}"
                    )
            _step(
                ctx,
                "total",
                f"{' + '.join(terms)} = {_show(total)}",
                rp.weighting_id,
                plan.scheme.weightings[rp.weighting_id].clause,
            )
        rounding = rp.rounding
        if rounding is not None:
            scaled = round_scaled(num, den, rounding.digits, rounding.mode)
            ctx.rounded = Fraction(scaled, 10**rounding.digits)
            if tr:
                _step(
                    ctx,
                    "round",
                    f"{_show(total)} rounded {rounding.mode} to {rounding.digits} digits = {exact_text(ctx.rounded)}",
                    rp.grading_id,
                    g.clause,
                )
    graded = ctx.rounded if ctx.rounded is not None else ctx.total
    # 4. grade
    grade: str | None
    if rp.conditions:
        grade = rp.fallback
        for i, (label, test, clause) in enumerate(rp.conditions):
            if test(ctx):
                grade = label
                if tr:
                    _step(ctx, "grade", f"rule {i} matches: {label}", f"{rp.grading_id}.rules[{i}]", clause)
                break
        else:
            if tr:
                _step(ctx, "grade", f"no rule matches: fallback {grade}", rp.grading_id, g.clause)
    elif graded is None:
        grade = None  # an instrument did not apply: only a veto or cap can grade this subject
    else:
        if scaled is not None:
            # Bands as ranges of the rounded grid: integer comparisons only.
            grade = next((label for low, high, label in rp.grid if low <= scaled <= high), None)
        else:
            grade = _grade_by_score(rp, graded)
        if grade is None:  # validation proves bands cover every total; a plugin kind may not
            raise VillageevalError(
                f"subject {ctx.subject.id!r}: total {exact_text(graded)} falls in no band of grading "
                f"{rp.grading_id!r}; an instrument scored outside its declared range"
            )
        if tr:
            _step(ctx, "grade", f"{exact_text(graded)} is in the band of {grade}", rp.grading_id, g.clause)
    ctx.grade = ctx.raw_grade = grade
    # 5. vetoes and caps
    for rule in rp.limits:
        if rule.test(ctx):
            ctx.flags.append(f"{rule.kind}:{rule.id}")
            ctx.ceiling = max(ctx.ceiling, rule.grade_rank)
            current = rp.rank[ctx.grade] if ctx.grade is not None else -1
            if rule.grade_rank > current:
                assert rule.target is not None
                before = ctx.grade or ""
                kind: Literal["veto", "cap"] = "veto" if rule.kind == "veto" else "cap"
                ctx.adjustments.append(Adjustment(rule.id, kind, rule.clause, before, rule.target, rule.text))
                _step(ctx, rule.kind, f"{ctx.grade or 'no grade'} → {rule.target}: {rule.text}", rule.id, rule.clause)
                ctx.grade = rule.target
            else:
                _step(
                    ctx,
                    rule.kind,
                    f"applies ({rule.text}); {ctx.grade} is already no better than {rule.target}",
                    rule.id,
                    rule.clause,
                )
    if ctx.grade is None:
        ctx.status = "insufficient_evidence"
        missing = ", ".join(iid for iid, _ins, factor, _ in rp.instruments if factor is not None and iid in skipped)
        _reason(ctx, "no_total", f"{missing} did not apply, so there is no total to grade, and no veto or cap decided")


# --- quotas ---------------------------------------------------------------------------


def _rank_key(q: m.Quota) -> Callable[[RuleContext], tuple[Any, ...]]:
    getters: list[tuple[Callable[[RuleContext], Fraction | None], int]] = []
    for key in q.rank_by:
        sign = -1 if key.better == "higher" else 1
        k = key.key
        if k == "total":
            getters.append((lambda ctx: ctx.total, sign))
        elif k.startswith("share:"):
            iid, _, tiers_text = k[6:].partition(":")
            tiers = frozenset(tiers_text.split("|"))

            def share(ctx: RuleContext, iid: str = iid, tiers: frozenset[str] = tiers) -> Fraction | None:
                t = ctx.tallies.get(iid)
                if t is None or t[1] == 0:
                    return None
                return Fraction(sum(n for label, n in t[0].items() if label in tiers), t[1])

            getters.append((share, sign))
        elif k.startswith("fact:"):
            name = k[5:]
            getters.append((lambda ctx, name=name: number_of(ctx.facts.get(name)), sign))  # type: ignore[misc]
        else:
            getters.append((lambda ctx, k=k: ctx.scores.get(k), sign))  # type: ignore[misc]

    def rank(ctx: RuleContext) -> tuple[Any, ...]:
        out: list[Any] = []
        for get, sign in getters:
            v = get(ctx)
            out.append((1, 0) if v is None else (0, sign * v))
        return tuple(out)

    return rank


def _apply_quotas(plan: Plan, contexts: list[_Ctx], populations: list[PopulationUsage], warnings: list[str]) -> None:
    for qid, q in plan.quotas:
        roles = set(plan.scheme.role_ids(q.roles))
        rp = plan.roles[next(iter(sorted(roles)))]
        rank = rp.rank
        labels = rp.labels
        g_rank = rank[q.grade]
        groups: dict[str | None, list[_Ctx]] = {}
        for ctx in contexts:
            if ctx.role in roles:
                groups.setdefault(ctx.subject.groups.get(q.per) if q.per else None, []).append(ctx)
        key = _rank_key(q)
        for group in sorted(groups, key=lambda g: (g is not None, g or "")):
            members = groups[group]
            graded = [c for c in members if c.status == "graded"]
            size = len(members) if q.base == "all" else len(graded)
            exact = q.share * size
            limit = floor(exact) if q.count == "floor" else ceil(exact)
            holders = sorted((c for c in graded if c.grade == q.grade), key=lambda c: (key(c), c.subject.id))
            before = len(holders)
            where = f" in {q.per} {group}" if q.per else ""
            moved: list[str] = []
            ties: list[str] = []
            status: Literal["ok", "demoted", "promoted", "warned", "unmet"] = "ok"
            if q.bound == "at_most" and before > limit:
                keep, over = holders[:limit], holders[limit:]
                if keep and key(keep[-1]) == key(over[0]):
                    tied = [c for c in holders if key(c) == key(over[0])]
                    ties = [c.subject.id for c in tied]
                if q.enforce == "soft":
                    status = "warned"
                    warnings.append(
                        f"quota {qid} ({q.clause}): {before} of {size} hold {q.grade}{where}, "
                        f"above the limit of {limit} "
                        f"({q.text}); the quota is soft (原则上), so nothing was changed"
                    )
                else:
                    status = "demoted"
                    to = labels[g_rank + 1]
                    for c in over:
                        note = f"{q.grade} limited to {limit} of {size}{where}; ranked below the cut"
                        c.adjustments.append(Adjustment(qid, "quota", q.clause, q.grade, to, note))
                        _step(c, "quota", f"{q.grade} → {to}: {note}", qid, q.clause)
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
                take, rest = pool[:need], pool[need:]
                if take and rest and key(take[-1]) == key(rest[0]):
                    ties = [c.subject.id for c in pool if key(c) == key(rest[0])]
                if q.enforce == "soft":
                    status = "warned"
                    warnings.append(
                        f"quota {qid} ({q.clause}): {before} of {size} hold {q.grade}{where}, "
                        f"below the minimum of {limit} "
                        f"({q.text}); the quota is soft (原则上), so nothing was changed"
                    )
                else:
                    status = "promoted"
                    for c in take:
                        note = f"{q.grade} needs at least {limit} of {size}{where}; next in line from {source}"
                        c.adjustments.append(Adjustment(qid, "quota", q.clause, source, q.grade, note))
                        _step(c, "quota", f"{source} → {q.grade}: {note}", qid, q.clause)
                        c.grade = q.grade
                        moved.append(c.subject.id)
                    if len(take) < need:
                        status = "unmet"
                        warnings.append(
                            f"quota {qid} ({q.clause}): {q.grade}{where} needs at least {limit} of {size}, "
                            f"but only {before + len(take)} could hold it"
                        )
            after = sum(1 for c in graded if c.grade == q.grade)
            if ties and q.enforce == "soft":
                ties = []  # nothing was cut, so nothing was settled by the tie-break
            if ties:
                for c in members:
                    if c.subject.id in ties:
                        c.flags.append(f"quota_tie:{qid}")
                        _step(
                            c,
                            "quota",
                            f"tied at the cut of quota {qid}{where}: settled by subject id; "
                            "for the committee to confirm",
                            qid,
                            q.clause,
                        )
                warnings.append(
                    f"quota {qid} ({q.clause}){where}: tie at the cut between {', '.join(ties)}; "
                    "settled by subject id, to be confirmed by the committee"
                )
            populations.append(
                PopulationUsage(
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
                )
            )


# --- the cohort -------------------------------------------------------------------------


def _check_cohort(plan: Plan, cohort: Cohort) -> None:
    problems = []
    per_keys = sorted({q.per for q in plan.scheme.quotas.values() if q.per})  # sorted: problems in a stable order
    for i, s in enumerate(cohort.subjects):
        if s.role not in plan.roles:
            problems.append(
                Problem(
                    ("subjects", i, "role"), f"subject {s.id!r} has unknown role {s.role!r}{_close(s.role, plan.roles)}"
                )
            )
            continue
        for per in per_keys:
            roles = {r for q in plan.scheme.quotas.values() if q.per == per for r in plan.scheme.role_ids(q.roles)}
            if s.role in roles and per not in s.groups:
                problems.append(
                    Problem(
                        ("subjects", i, "groups"), f"subject {s.id!r} has no {per!r} group, which a quota counts by"
                    )
                )
    if problems:
        raise CohortError(problems)


def _outcome(
    ctx: RuleContext,
    rp: _RolePlan,
    consequences: tuple[ConsequenceOutcome, ...],
    findings: tuple[FindingOutcome, ...] = (),
) -> Outcome:
    return Outcome(
        subject_id=ctx.subject.id,
        role=ctx.role,
        status=ctx.status,  # type: ignore[arg-type]
        name=ctx.subject.name,
        unit=ctx.subject.unit,
        reasons=tuple(ctx.reasons),
        score=ctx.total,
        rounded_score=ctx.rounded,
        score_display=fixed(ctx.total, rp.display_digits) if ctx.total is not None else None,
        instrument_scores=dict(ctx.scores) if ctx.status == "graded" else {},
        raw_grade=ctx.raw_grade,
        final_grade=ctx.grade if ctx.status == "graded" else None,
        adjustments=tuple(ctx.adjustments),
        consequences=consequences,
        findings=findings,
        notes=ctx.subject.notes,
        flags=tuple(ctx.flags),
        trace=tuple(ctx.trace or ()),
    )


def _plugin_adjust(
    ctx: RuleContext, rp: _RolePlan, scheme: m.Scheme, adjusters: list[tuple[str, Callable[..., Any]]]
) -> None:
    """Give each plugin its last word on a graded outcome, checking what it returns."""
    from ._plugins import OutcomeAdjustment

    for plugin, fn in adjusters:
        try:
            answer = fn(outcome=_outcome(ctx, rp, ()), scheme=scheme, context=ctx)
        except Exception as e:
            raise PluginError(
                f"plugin {plugin!r} failed in villageeval_adjust_outcome for subject {ctx.subject.id!r}: "
                f"{type(e).__name__}: {e}"
            ) from e
        if answer is None:
            continue
        if not isinstance(answer, OutcomeAdjustment):
            raise PluginError(
                f"plugin {plugin!r} returned {answer!r} from villageeval_adjust_outcome for subject "
                f"{ctx.subject.id!r}; expected None or villageeval.OutcomeAdjustment"
            )
        if answer.grade not in rp.rank:
            raise PluginError(
                f"plugin {plugin!r} set subject {ctx.subject.id!r} to {answer.grade!r}, "
                f"which is not a grade of this scheme ({', '.join(rp.labels)})"
            )
        if answer.grade == ctx.grade:
            _step(ctx, "plugin", f"{plugin}: keeps {ctx.grade}: {answer.note}", answer.rule, answer.clause or None)
            continue
        rule = f"{plugin}:{answer.rule}"
        ctx.adjustments.append(Adjustment(rule, "plugin", answer.clause, ctx.grade or "", answer.grade, answer.note))
        _step(ctx, "plugin", f"{ctx.grade} → {answer.grade}: {answer.note}", rule, answer.clause or None)
        ctx.grade = answer.grade


def consequences_under(scheme: m.Scheme, cohort: Cohort, grades: Mapping[str, str]) -> dict[str, list[_Rule]]:
    """The consequence rules that hold for each subject if it had the given final grade.

    Used to check consequences claimed elsewhere: the subject is evaluated as
    usual (scores, facts, history), then its grade is set to the one given.
    """
    plan = plan_of(scheme)
    period = cohort.period or scheme.period
    out: dict[str, list[_Rule]] = {}
    for subject in sorted(cohort.subjects, key=lambda s: s.id):
        if subject.id not in grades:
            continue
        rp = plan.roles[subject.role]
        ctx = _Ctx(subject, scheme, period, False)
        _evaluate_subject(plan, rp, ctx)
        ctx.grade = grades[subject.id]
        out[subject.id] = [rule for rule in rp.consequences if rule.test(ctx)]
    return out


def evaluate(scheme: m.Scheme, cohort: Cohort, *, trace: bool = True) -> Result:
    """Grade every subject of ``cohort`` under ``scheme``.

    Args:
        scheme: a loaded scheme. Plugins of the registry it was loaded through
            have their last word on each outcome (``villageeval_adjust_outcome``).
        cohort: the subjects with their evidence.
        trace: keep the step-by-step explanation of each outcome (a little slower).

    Raises:
        CohortError: a subject has a role the scheme does not grade, or lacks a
            group that a quota counts by.
        PluginError: a plugin's predicate or adjustment misbehaved; the message
            names the plugin and the subject.
    """
    from . import __version__

    plan = plan_of(scheme)
    _check_cohort(plan, cohort)
    period = cohort.period or scheme.period
    contexts: list[_Ctx] = []
    subjects = tuple(sorted(cohort.subjects, key=lambda s: s.id))
    for subject in subjects:
        rp = plan.roles[subject.role]
        ctx = _Ctx(subject, scheme, period, trace)
        ctx.cohort = subjects
        _evaluate_subject(plan, rp, ctx)
        contexts.append(ctx)
    populations: list[PopulationUsage] = []
    warnings: list[str] = []
    _apply_quotas(plan, contexts, populations, warnings)
    registry: Any = scheme._registry
    adjusters = registry.adjusters(scheme) if registry is not None else []
    outcomes = []
    for ctx in contexts:
        rp = plan.roles[ctx.role]
        consequences = []
        findings = []
        if ctx.status == "graded":
            if adjusters:
                _plugin_adjust(ctx, rp, scheme, adjusters)
            for rule in rp.findings:
                if rule.test(ctx):
                    detail = ctx.subject.notes.get(rule.target, "") if rule.target else ""
                    findings.append(FindingOutcome(rule.id, rule.clause, rule.text, detail))
                    _step(ctx, "finding", rule.text, rule.id, rule.clause)
            for rule in rp.consequences:
                if rule.test(ctx):
                    consequences.append(ConsequenceOutcome(rule.id, rule.clause, rule.text))
                    _step(ctx, "consequence", rule.text, rule.id, rule.clause)
            _step(ctx, "final", f"final grade {ctx.grade}")
        outcomes.append(_outcome(ctx, rp, tuple(consequences), tuple(findings)))
    return Result(
        scheme_id=scheme.id,
        scheme_hash=plan.hash,
        version=__version__,
        period=period,
        outcomes=tuple(outcomes),
        populations=tuple(populations),
        warnings=tuple(warnings),
    )
