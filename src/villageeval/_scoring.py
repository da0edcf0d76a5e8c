"""Evidence checks and sub-scores: one scorer per instrument kind.

Each scorer validates the evidence an instrument needs (counts, tiers,
sampling rules) and, if it holds, returns the exact sub-score. Bad evidence is
never an exception: it becomes a :class:`~villageeval.Reason` on the subject,
which is then ``insufficient_evidence``. The common, valid case is checked
first so a clean cohort pays for little more than the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from math import ceil, gcd
from typing import Any

from . import _model as m
from ._cohort import BallotEvidence, MalformedEvidence, PointsEvidence, RatingEvidence, ScoreEvidence
from ._convert import Invalid, to_fraction
from ._errors import PluginError
from ._hints import close_matches
from ._numbers import exact_text, fixed
from ._predicates import RuleContext
from ._result import Reason, TraceStep

#: ``score(evidence, context, instrument id) -> sub-score or None``.
Scorer = Callable[[Any, RuleContext, str], "Fraction | None"]


def _reason(ctx: RuleContext, code: str, message: str, instrument: str | None = None) -> None:
    ctx.reasons += (Reason(code, message, instrument),)
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
    point_texts = {label: exact_text(p) for label, p in points.items()}  # for the trace

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
                close = close_matches(label, labels, n=1)
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
            terms = " + ".join(f"{label} {n} × {point_texts[label]}" for label, n in counts.items() if n)
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
        if not isinstance(ev.tier, str) or ev.tier not in points:  # a list or an object is no tier either
            close = close_matches(str(ev.tier), scale.labels, n=1)
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


# --- quick scorers: the valid, common case without a word of explanation -------------------

#: What a quick scorer returns when the evidence is not plainly valid.
FAIL: Any = object()

#: ``quick(evidence, context, instrument id) -> (sub-score, numerator, denominator)``,
#: ``(None, 0, 1)`` for an unscored instrument, or FAIL. A quick scorer accepts only
#: evidence its careful scorer accepts, and gives the same value; on anything else it
#: returns :data:`FAIL` and the engine takes the careful path for the whole subject,
#: which explains what is wrong. The integers spare the engine the Fraction's
#: properties when it adds up the total.
QuickScorer = Callable[[Any, RuleContext, str], Any]
_UNSCORED = (None, 0, 1)


def _triple(value: Fraction | None) -> tuple[Fraction | None, int, int]:
    return _UNSCORED if value is None else (value, value.numerator, value.denominator)


# Sub-scores repeat a great deal (a mean of 30 ballots over three tiers takes few
# values), so each quick scorer keeps the Fractions it has built, up to this many.
_MEMO = 4096


def _quick_scorer(ins: m.Instrument, scheme: m.Scheme, careful: Scorer, keep: bool = True) -> QuickScorer:
    """The quick scorer of an instrument; ``keep=False``: it does not record tallies or tiers.

    Nothing may read them then: the plan builds such scorers only for roles whose
    rules, quotas and plugins never look at ``RuleContext.tallies`` or ``.tiers``
    (not recording them saves two dicts and three tuples per subject).
    """
    if ins.kind not in scheme._kinds:
        if isinstance(ins, m.Ballot) and all(t.points is not None for t in scheme.scales[ins.scale].tiers):
            return _quick_ballot(ins, scheme, keep)
        if isinstance(ins, m.Rating):
            return _quick_rating(ins, scheme, keep)
        if isinstance(ins, m.DirectScore):
            return _quick_score(ins)

    def quick(ev: Any, ctx: RuleContext, iid: str) -> Any:
        if type(ev) is MalformedEvidence:
            return FAIL
        before = len(ctx.reasons)
        value = careful(ev, ctx, iid)
        return FAIL if len(ctx.reasons) != before else _triple(value)

    return quick


def _quick_coverage(ins: m.Instrument) -> Callable[[Mapping[str, Any]], bool] | None:
    """Whether coverage is plainly complete (the forms :func:`_coverage` accepts first)."""
    categories = ins.must_cover
    if not categories:
        return None
    if getattr(ins, "cover", "at_least_one") == "every_member":

        def every(coverage: Mapping[str, Any]) -> bool:
            for category in categories:
                raw = coverage.get(category)
                if type(raw) is not dict or len(raw) != 2:
                    return False
                count, of = raw.get("count"), raw.get("of")
                if type(count) is not int or type(of) is not int or count < 0 or count != of:
                    return False
            return True

        return every

    def at_least_one(coverage: Mapping[str, Any]) -> bool:
        for category in categories:
            raw = coverage.get(category)
            if type(raw) is not int or raw < 1:
                return False
        return True

    return at_least_one


def _quick_ballot(ins: m.Ballot, scheme: m.Scheme, keep: bool) -> QuickScorer:
    points = {t.label: t.points or Fraction(0) for t in scheme.scales[ins.scale].tiers}
    scale_den = 1
    for p in points.values():
        scale_den = scale_den * p.denominator // gcd(scale_den, p.denominator)
    int_points = {label: int(p * scale_den) for label, p in points.items()}
    minimum = max(ins.min_respondents, 1)
    quorum = ins.quorum
    covered = _quick_coverage(ins)
    st = ins.per_stratum
    low, high = (st.min, st.max) if st is not None else (0, None)
    memo: dict[tuple[int, int], tuple[Fraction | None, int, int]] = {}

    def quick(ev: Any, ctx: RuleContext, iid: str) -> Any:
        if type(ev) is not BallotEvidence:
            return FAIL
        total = acc = 0
        for label, raw in ev.tallies.items():
            p = int_points.get(label)
            if p is None or type(raw) is not int or raw < 0:
                return FAIL
            total += raw
            acc += p * raw
        if total < minimum:
            return FAIL
        if quorum is not None:
            expected = ev.expected
            if type(expected) is not int or expected < 1 or total > expected or total < ceil(quorum * expected):
                return FAIL
        if covered is not None and not covered(ev.coverage):
            return FAIL
        if st is not None:
            strata = ev.strata
            if not strata:
                return FAIL
            in_strata = 0
            for raw in strata.values():
                if type(raw) is not int or raw < low or (high is not None and raw > high):
                    return FAIL
                in_strata += raw
            if in_strata != total:
                return FAIL
        if keep:
            ctx.tallies[iid] = (ev.tallies, total)
        key = (acc, total)
        scored = memo.get(key)
        if scored is None:
            scored = _triple(Fraction(acc, total * scale_den))
            if len(memo) < _MEMO:
                memo[key] = scored
        return scored

    return quick


def _quick_rating(ins: m.Rating, scheme: m.Scheme, keep: bool) -> QuickScorer:
    points = {t.label: _triple(t.points) for t in scheme.scales[ins.scale].tiers}
    covered = _quick_coverage(ins)

    def quick(ev: Any, ctx: RuleContext, iid: str) -> Any:
        if type(ev) is not RatingEvidence:
            return FAIL
        tier = ev.tier
        if type(tier) is not str or tier not in points:
            return FAIL
        if covered is not None and not covered(ev.coverage):
            return FAIL
        if keep:
            ctx.tiers[iid] = tier
        return points[tier]

    return quick


def _quick_score(ins: m.DirectScore) -> QuickScorer:
    low, high = ins.min, ins.max
    covered = _quick_coverage(ins)
    # Valid scores seen so far, by value: int, Decimal and Fraction keys that are
    # equal hash alike and stand for the same number, so one entry serves them all.
    memo: dict[Any, tuple[Fraction | None, int, int]] = {}

    def quick(ev: Any, ctx: RuleContext, iid: str) -> Any:
        if type(ev) is not ScoreEvidence:
            return FAIL
        v = ev.value
        t = type(v)
        if t is not int and t is not Fraction and not (t is Decimal and v.is_finite()):
            return FAIL  # strings, floats, bools, NaN: the careful path says why
        scored = memo.get(v)
        if scored is None:
            value = Fraction(v)
            if not low <= value <= high:
                return FAIL
            scored = _triple(value)
            if len(memo) < _MEMO:
                memo[v] = scored
        if covered is not None and not covered(ev.coverage):
            return FAIL
        return scored

    return quick


def _show(value: Fraction) -> str:
    """Exact text, with a rounded reading when it is not a finite decimal (1690/19 ≈ 88.95)."""
    text = exact_text(value)
    return f"{text} (≈ {fixed(value, 2)})" if "/" in text else text


def _close(name: str, known: Mapping[str, Any]) -> str:
    close = close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _step(ctx: RuleContext, step: str, message: str, rule: str | None = None, clause: str | None = None) -> None:
    if ctx.trace is not None:
        ctx.trace.append(TraceStep(step, message, rule, clause))
