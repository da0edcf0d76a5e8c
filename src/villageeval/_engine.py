"""The evaluation of one cohort under one scheme.

evidence checks → eligibility → instrument scores → weighted total → rounding
→ grade → vetoes and caps → quotas per population → rankings → findings and consequences.

The scheme's compiled plan (:mod:`villageeval._plan`) has resolved every name;
each instrument's kind (:mod:`villageeval._kinds`) reads and checks its evidence and
gives the sub-score; the kernel (:mod:`villageeval._kernel`) rounds and bands; quotas
(:mod:`villageeval._quotas`) act on whole populations. All arithmetic is on integers
and :class:`fractions.Fraction`. Subjects are processed in order of id, so the input
order never changes an outcome. This module alone writes a subject's
:class:`~villageeval._context.State`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from fractions import Fraction
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

from . import _kernel as k
from . import _model as m
from ._bound import binding_of, plan_of
from ._catalogue import Join, said
from ._cohort import Cohort, MalformedEvidence
from ._context import State, reason, step
from ._errors import CohortError, PluginError, Problem, VillageevalError
from ._hints import close_hint
from ._kinds.spec import MEMO_BOUND
from ._numbers import decimal_text, exact_text, fixed, show
from ._plan import HistoryNeeds, Plan, QuickTerm, RolePlan, Rule
from ._predicates import number_of
from ._quotas import apply_quotas
from ._rankings import apply_rankings
from ._result import (
    Adjustment,
    ConsequenceOutcome,
    FindingOutcome,
    Outcome,
    PopulationUsage,
    Reason,
    Result,
)
from ._result import ReasonCode as RC

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["check_cohort", "consequences_under", "evaluate", "evaluate_carefully", "plan_of"]


# --- one subject -------------------------------------------------------------------------


#: The size of cohort from which ``evaluate`` pauses the garbage collector during the call.
#: What the pause saves grows with the objects alive in the process: nothing on a
#: township's 77 subjects, a twelfth of the time on 3,500 next to another engine's data
#: (benchmarks/compare.py), a third on 35,000 (benchmarks/collector.py pause); see
#: docs/performance.md, *the garbage collector*. Below it, a call never touches the switch.
PAUSE_AT = 1_000

# Bound of the memo of shown totals kept on a role's plan: shown with two decimals, a
# total takes about 10,000 values.
_SHOWN_MEMO = 16384


def _check_facts(plan: Plan, rp: RolePlan, ctx: State) -> None:
    facts = ctx.subject.facts
    for name in sorted(facts):
        if name not in plan.declared_facts:
            reason(
                ctx,
                RC.UNKNOWN_FACT,
                said("fact.unknown", name=repr(name), hint=close_hint(name, sorted(plan.declared_facts))),
            )
    missing = [name for name in rp.facts if name not in facts]
    if missing and rp.defaults:
        ctx.facts = {**{n: rp.defaults[n] for n in missing if n in rp.defaults}, **facts}
    for name, fact in rp.facts.items():
        if name not in facts:
            if name not in rp.defaults:
                others = sorted(key for key in facts if key not in rp.facts)
                reason(
                    ctx,
                    RC.MISSING_FACT,
                    said("fact.missing", name=repr(name), label=fact.label, hint=close_hint(name, others)),
                )
            continue
        v = facts[name]
        if fact.type == "bool" and not isinstance(v, bool):
            reason(ctx, RC.INVALID_FACT, said("fact.not_bool", name=repr(name), got=repr(v)))
        elif fact.type == "number" and number_of(v) is None:
            reason(ctx, RC.INVALID_FACT, said("fact.not_number", name=repr(name), got=repr(v)))
    for assessment, labels in rp.linked.items():
        g = ctx.subject.outcomes.get(assessment)
        if g is None:
            reason(ctx, RC.MISSING_OUTCOME, said("outcome.missing", assessment=repr(assessment)))
        elif g not in labels:
            reason(
                ctx,
                RC.INVALID_OUTCOME,
                said("outcome.invalid", assessment=repr(assessment), got=repr(g), labels=labels),
            )
    if rp.history is not None:
        for code, message in _history_problems(rp.history, ctx):
            reason(ctx, code, message)


def _history_problems(needs: HistoryNeeds, ctx: State) -> list[tuple[str, str]]:
    """What is wrong with a subject's history for the role's streak rules (empty: nothing).

    Every entry must be a grade of the role's scale in a period the scheme can place on
    its time line (a misspelt grade would silently break a 连续两年 streak); a required
    streak needs every period it looks back on.
    """
    history = ctx.subject.history
    out: list[tuple[str, str]] = []
    calendar, order = needs.calendar, needs.order
    for period, grade in sorted(history.items()):
        if k.period_index(period, calendar, order) is None:
            hint = close_hint(period, order)
            off = (
                said("history.off_order", period=repr(period), order=order, hint=hint)
                if order
                else said("history.off_calendar", period=repr(period), calendar=calendar, hint=hint)
            )
            out.append((RC.INVALID_HISTORY, off))
        if grade not in needs.labels:
            labels = sorted(needs.labels)
            hint = close_hint(grade, needs.labels)
            out.append(
                (
                    RC.INVALID_HISTORY,
                    said("history.not_grade", period=repr(period), grade=repr(grade), labels=labels, hint=hint),
                )
            )
    if needs.required and k.previous_periods(ctx.period, history, needs.required, calendar, order) is None:
        now = k.period_index(ctx.period, calendar, order)
        missing: str = ""
        if now is not None:
            have = {k.period_index(p, calendar, order) for p in history}
            back = [i for i in range(1, needs.required + 1) if now - i not in have]
            missing = said("history.missing_count", back=len(back), required=needs.required, period=repr(ctx.period))
        out.append(
            (
                RC.MISSING_HISTORY,
                said("history.missing", required=needs.required, period=repr(ctx.period), missing=missing),
            )
        )
    return out


def _grade_by_score(rp: RolePlan, value: Fraction) -> str | None:
    for band in rp.bands:
        if band.contains(value):
            return band.grade
    return None


def evaluate_carefully(plan: Plan, rp: RolePlan, ctx: State) -> None:
    """The careful path: every check explained, every step traced when asked.

    Also what the columnar path runs for the rows its arrays cannot grade.
    """
    skipped = _careful_scores(plan, rp, ctx)
    if skipped is not None:
        _grade(plan, rp, ctx, skipped)


def _quick_evaluate(plan: Plan, rp: RolePlan, ctx: State, scorers: tuple[QuickTerm, ...]) -> bool:
    """Evaluate a subject whose facts and evidence are plainly valid; False if they are not.

    The common case, without explanations, and with the same outcome as the careful
    path: a quick scorer accepts only evidence its careful scorer accepts, with the
    same value. A subject it turns down is evaluated again, carefully, from the start.
    """
    facts = ctx.subject.facts
    if ctx.subject.decision:  # the committee's decision is checked, and explained, carefully
        return False
    if rp.history is not None and _history_problems(rp.history, ctx):
        return False
    some_true = False
    for name in rp.bool_facts:
        v = facts.get(name)
        if v is True:
            some_true = True
        elif v is not False:
            return False
    for name in rp.number_facts:
        if number_of(facts.get(name)) is None:
            return False
    # Every fact the role reads is given (checked above): if there are no others, none is
    # undeclared; else the careful path says which are not declared.
    if len(facts) != rp.facts_read and not plan.declared_facts.issuperset(facts):
        return False
    evidence = ctx.subject.evidence
    scores = ctx.scores
    # The weighted total, Σ weight × score / out_of, added up as the scores come:
    # kernel.weighted_total's loop, written out because a list of terms and a call cost
    # a twentieth of a subject's time (tests/test_engine_properties.py TestExactTotal).
    num, den = 0, 1
    for iid, read, quick, fn, fd in scorers:
        ev = evidence.get(iid)
        if ev is None:
            return False
        if type(ev) is dict:  # as read from JSON: the instrument's kind reads it
            ev = read(ev)
        scored = quick(ev, ctx, iid)
        if scored is None:
            return False
        value, n, d = scored
        if value is not None:
            scores[iid] = value
            if fd:
                td = fd * d
                num, den = num * td + fn * n * den, den * td
    if rp.eligibility and _ineligible(rp, ctx):
        return True
    memo = rp.graded_memo
    if memo is None:  # graded by conditions, or not rounded: the general steps
        _grade(plan, rp, ctx, [])
        return True
    ctx.total = Fraction(num, den)
    rounding = rp.rounding
    assert rounding is not None
    scaled = k.round_scaled(num, den, rounding.digits, rounding.mode)
    shown = k.round_scaled(num, den, rp.display_digits, "half_up")
    display = rp.display_memo.get(shown)
    if display is None:
        display = decimal_text(shown, rp.display_digits)
        if len(rp.display_memo) < _SHOWN_MEMO:
            rp.display_memo[shown] = display
    ctx.display = display
    graded = memo.get(scaled)
    if graded is None:
        grade = k.band_of(rp.grid, scaled)
        if grade is None:
            return False  # no band: the careful path raises the error
        graded = (Fraction(scaled, 10**rounding.digits), grade)
        if len(memo) < MEMO_BOUND:
            memo[scaled] = graded
    ctx.rounded, ctx.grade = graded
    ctx.raw_grade = ctx.grade
    limits = rp.limits if some_true else rp.limits_always
    if limits:
        _apply_limits(rp, ctx, limits)
    return True


def _careful_scores(plan: Plan, rp: RolePlan, ctx: State) -> list[str] | None:
    """Check facts and evidence, explaining every problem; the instruments that did not apply.

    Returns None when the subject's status is settled here (insufficient evidence).
    """
    subject = ctx.subject
    # Facts first, since an instrument's applies_when may read them; their
    # problems are listed after the evidence's, in the order of the pipeline.
    _check_facts(plan, rp, ctx)
    fact_reasons, ctx.reasons = ctx.reasons, ()
    skipped: list[str] = []
    # 1. evidence checks (and sub-scores, which are computed by the same pass)
    for ins in rp.instruments:
        iid = ins.id
        applies = rp.applies.get(iid)
        if applies is not None and not applies(ctx):
            skipped.append(iid)
            step(ctx, "evidence", "step.not_applicable", iid, ins.clause, instrument=iid, title=ins.title)
            continue
        ev = subject.evidence.get(iid)
        if ev is None and not getattr(ins.config, "required", True):
            step(ctx, "evidence", "step.optional_absent", iid, ins.clause, instrument=iid, title=ins.title)
            continue
        if ev is None:
            others = sorted(key for key in subject.evidence if key not in {i.id for i in rp.instruments})
            hint = close_hint(iid, others)
            reason(ctx, RC.MISSING_EVIDENCE, said("evidence.missing", instrument=iid, title=ins.title, hint=hint), iid)
            continue
        ev = ins.read(ev)  # by the instrument's kind: JSON as read, or evidence built in Python
        if isinstance(ev, MalformedEvidence):
            # Say what was wrong with its shape (with the reader's did-you-mean), not
            # just which shape this instrument expects.
            reason(
                ctx,
                RC.INVALID_EVIDENCE,
                said("evidence.problem", instrument=iid, title=ins.title, problem=ev.problem),
                iid,
            )
            continue
        value = ins.score(ev, ctx)
        if value is not None:
            ctx.scores[iid] = value
    ctx.reasons += fact_reasons
    # 2. eligibility: an ineligible subject is not graded, whatever its evidence
    if _ineligible(rp, ctx):
        return None
    if ctx.reasons:
        ctx.status = "insufficient_evidence"
        step(ctx, "status", "step.insufficient", count=len(ctx.reasons))
        return None
    return skipped


def _ineligible(rp: RolePlan, ctx: State) -> bool:
    for rule in rp.eligibility:
        if rule.test(ctx):
            if rule.target == "insufficient_evidence":
                # Too little to grade on, by the scheme's own rule: evidence problems found
                # too are listed with it, as for any subject with insufficient evidence.
                ctx.status = "insufficient_evidence"
                ctx.reasons += (Reason(str(RC.RULED_INSUFFICIENT), rule.text, None, rule.id, rule.clause),)
                step(ctx, "eligibility", "step.ruled_insufficient", rule.id, rule.clause, text=rule.text)
                return True
            ctx.status = "ineligible"
            ctx.reasons = (Reason(str(RC.INELIGIBLE), rule.text, None, rule.id, rule.clause),)
            step(ctx, "eligibility", "step.ineligible", rule.id, rule.clause, text=rule.text, why=_why(rule, ctx))
            return True
    return False


def _grade(plan: Plan, rp: RolePlan, ctx: State, skipped: list[str]) -> None:
    """Total, rounding, grade, vetoes and caps of a subject whose evidence holds."""
    # 3. total (a role without a weighting is graded on ratings and facts alone)
    g = rp.grading
    assert g is not None
    tr = ctx.trace is not None
    scaled: int | None = None  # the rounded total × 10**digits, when the grading rounds
    if rp.weighting_id and skipped and any(iid in skipped for iid, _, _ in rp.terms):
        missing_terms = [iid for iid, _, _ in rp.terms if iid in skipped]
        step(ctx, "total", "step.no_total", rp.weighting_id, missing=missing_terms)
    elif rp.weighting_id:
        # Σ weight × score / out_of over a common denominator: integers, one Fraction.
        scores = ctx.scores
        num, den = k.weighted_total(
            (fn, fd, scores[iid].numerator, scores[iid].denominator) for iid, fn, fd in rp.terms
        )
        total = ctx.total = Fraction(num, den)
        ctx.display = decimal_text(k.round_scaled(num, den, rp.display_digits, "half_up"), rp.display_digits)
        if tr:
            titles = rp.titles
            terms = [
                said(
                    "step.total.term",
                    instrument=iid,
                    title=titles[iid],
                    score=exact_text(scores[iid]),
                    weight=rp.weight_texts[iid],
                )
                for iid, _, _ in rp.terms
            ]
            step(
                ctx,
                "total",
                "step.total",
                rp.weighting_id,
                plan.scheme.weightings[rp.weighting_id].clause,
                terms=Join(terms, " + ", " + "),
                total=show(total),
            )
        rounding = rp.rounding
        if rounding is not None:
            scaled = k.round_scaled(num, den, rounding.digits, rounding.mode)
            ctx.rounded = Fraction(scaled, 10**rounding.digits)
            if tr:
                step(
                    ctx,
                    "round",
                    "step.round",
                    rp.grading_id,
                    g.clause,
                    total=show(total),
                    mode=said(f"word.rounding.{rounding.mode}"),
                    digits=rounding.digits,
                    rounded=exact_text(ctx.rounded),
                )
    graded = ctx.rounded if ctx.rounded is not None else ctx.total
    # 4. grade
    grade: str | None
    if rp.fallback is not None:  # graded by conditions (whose rules may be none: the fallback)
        grade = rp.fallback
        for i, (label, test, clause, wording, when) in enumerate(rp.conditions):
            if test(ctx):
                grade = label
                if tr:
                    from ._explain import why as compared

                    # Rule numbers from 1, as a document counts them; the rule id is the key path.
                    key = "step.rule_matches_text" if wording else "step.rule_matches"
                    rule_id = f"{rp.grading_id}.rules[{i}]"
                    numbers = compared(when, ctx, ctx.scheme)
                    step(ctx, "grade", key, rule_id, clause, index=i + 1, grade=label, text=wording, why=numbers)
                break
        else:
            if tr:
                step(ctx, "grade", "step.no_rule", rp.grading_id, g.clause, grade=grade)
    elif graded is None:
        grade = None  # an instrument did not apply: only a veto or cap can grade this subject
    else:
        # Bands as ranges of the rounded grid (integer comparisons only), or by their bounds.
        grade = k.band_of(rp.grid, scaled) if scaled is not None else _grade_by_score(rp, graded)
        if grade is None:  # validation proves bands cover every total; a plugin kind may not
            raise VillageevalError(
                f"subject {ctx.subject.id!r}: total {exact_text(graded)} falls in no band of grading "
                f"{rp.grading_id!r}; an instrument scored outside its declared range"
            )
        if tr:
            step(ctx, "grade", "step.band", rp.grading_id, g.clause, total=exact_text(graded), grade=grade)
    ctx.grade = ctx.raw_grade = grade
    # 5. vetoes and caps
    _apply_limits(rp, ctx, rp.limits)
    # 6. referral to the committee: the grade the rules give is only proposed
    if ctx.grade is not None:
        for rule in rp.referrals:
            if rule.test(ctx):
                ctx.status = "referred"
                ctx.reasons += (Reason(str(RC.REFERRED), rule.text, None, rule.id, rule.clause),)
                why = _why(rule, ctx)
                step(ctx, "referral", "step.referred", rule.id, rule.clause, grade=ctx.grade, text=rule.text, why=why)
                break
    # 7. the committee's decision, where it took one: checked against the vetoes and caps
    if ctx.grade is not None and ctx.subject.decision:
        _decide(rp, ctx)
    if ctx.grade is None:
        ctx.status = "insufficient_evidence"
        missing = [i.id for i in rp.instruments if i.factor is not None and i.id in skipped]
        reason(ctx, RC.NO_TOTAL, said("grade.no_total", missing=missing))


def _why(rule: Rule, ctx: State) -> str:
    """What the rule's predicate compared, for its step: only when the trace is kept."""
    if ctx.trace is None:
        return ""
    from ._explain import why

    return why(rule.when, ctx, ctx.scheme)


def _decide(rp: RolePlan, ctx: State) -> None:
    """The committee's decision as the grade, shown next to the proposed one; a decision
    the scheme's rules forbid (a grade off the scale, better than a veto or cap allows)
    refers the subject back to the committee with the conflict as its reason."""
    decision = ctx.subject.decision
    decided = decision.get("grade", "")
    proposed = ctx.grade
    assert proposed is not None
    referral = next((r for r in ctx.reasons if r.code == RC.REFERRED), None)
    clause = referral.clause or "" if referral is not None else ""
    if decided not in rp.rank:
        problem = said("decision.unknown_grade", grade=repr(decided), labels=list(rp.labels))
    elif rp.rank[decided] < ctx.ceiling:
        limit = rp.labels[ctx.ceiling]
        held = [f.split(":", 1)[1] for f in ctx.flags if f.startswith(("veto:", "cap:"))]
        problem = said("decision.above_limit", grade=decided, limit=limit, rules=held)
    else:
        note = said(
            "decision.note",
            reason=decision.get("reason", ""),
            by=decision.get("by", ""),
            date=decision.get("date", ""),
        )
        ctx.adjustments += (Adjustment("decision", "decision", clause, proposed, decided, note),)
        ctx.flags += ("decision",)
        step(ctx, "decision", "step.decision", "decision", clause or None, before=proposed, after=decided, note=note)
        ctx.grade = decided
        ctx.status = "graded"
        ctx.reasons = tuple(r for r in ctx.reasons if r.code != RC.REFERRED)
        return
    ctx.status = "referred"
    ctx.reasons = (*(r for r in ctx.reasons if r.code != RC.REFERRED), Reason(str(RC.DECISION_CONFLICT), problem))
    step(ctx, "decision", "step.decision_refused", "decision", clause or None, problem=problem)


def _apply_limits(rp: RolePlan, ctx: State, limits: tuple[Rule, ...]) -> None:
    """Vetoes and caps, in the scheme's order: each may only lower the grade."""
    for rule in limits:
        if rule.test(ctx):
            ctx.flags += (f"{rule.kind}:{rule.id}",)
            ctx.ceiling = max(ctx.ceiling, rule.grade_rank)
            current = rp.rank[ctx.grade] if ctx.grade is not None else -1
            if rule.grade_rank > current:
                assert rule.target is not None
                before = ctx.grade or ""
                kind: Literal["veto", "cap"] = "veto" if rule.kind == "veto" else "cap"
                ctx.adjustments += (Adjustment(rule.id, kind, rule.clause, before, rule.target, rule.text),)
                shown_before = ctx.grade or said("word.no_grade")
                step(
                    ctx,
                    rule.kind,
                    f"step.{kind}",
                    rule.id,
                    rule.clause,
                    before=shown_before,
                    after=rule.target,
                    text=rule.text,
                    why=_why(rule, ctx),
                )
                ctx.grade = rule.target
            else:
                step(
                    ctx,
                    rule.kind,
                    "step.limit_held",
                    rule.id,
                    rule.clause,
                    text=rule.text,
                    grade=ctx.grade,
                    target=rule.target,
                    why=_why(rule, ctx),
                )


# --- the cohort -------------------------------------------------------------------------


def check_cohort(plan: Plan, cohort: Cohort) -> None:
    """Problems that make the cohort as a whole unfit for the scheme: unknown roles, missing groups."""
    problems = []
    scheme = plan.scheme
    # Per role, the groups its quotas and rankings count by (sorted: problems in a stable order).
    needs = {role: rp.counted_by for role, rp in plan.roles.items()}
    for i, s in enumerate(cohort.subjects):
        pers = needs.get(s.role)
        if pers is None:
            problems.append(
                Problem(
                    ("subjects", i, "role"),
                    f"subject {s.id!r} has unknown role {s.role!r}{close_hint(s.role, plan.roles)}",
                    code="unknown_role",
                )
            )
            continue
        for per, rules in pers.items():
            if per not in s.groups:
                which = "a quota counts by" if any(r in scheme.quotas for r in rules) else "a ranking ranks by"
                problems.append(
                    Problem(
                        ("subjects", i, "groups"),
                        f"subject {s.id!r} has no {per!r} group, which {which}",
                        code="missing_group",
                    )
                )
        for kind, value in s.groups.items():
            allowed = plan.group_values.get(kind)
            if allowed is not None and value not in allowed:
                problems.append(
                    Problem(
                        ("subjects", i, "groups", kind),
                        f"subject {s.id!r} is in {kind} {value!r}, which the scheme does not declare"
                        f"{close_hint(value, sorted(allowed))} (declared: {', '.join(scheme.groups[kind].values)})",
                        code="undeclared_group",
                    )
                )
    if cohort.period and any(rp.history is not None for rp in plan.roles.values()):
        periods = scheme.periods
        if k.period_index(cohort.period, periods.calendar, periods.order) is None:
            place = (
                f"the periods the scheme orders ({', '.join(periods.order)})"
                if periods.order
                else (f"the {periods.calendar} calendar")
            )
            problems.append(
                Problem(
                    ("period",),
                    f"the cohort's period {cohort.period!r} is not on {place}, which streak rules read",
                    code="invalid_value",
                )
            )
    if problems:
        raise CohortError(problems)


def _outcome(
    ctx: State,
    rp: RolePlan,
    consequences: tuple[ConsequenceOutcome, ...],
    findings: tuple[FindingOutcome, ...] = (),
) -> Outcome:
    subject = ctx.subject
    graded = ctx.status == "graded"
    display = ctx.display
    if display is None and ctx.total is not None:  # a plugin kind's total, set by hand
        display = fixed(ctx.total, rp.display_digits)
    # Positional, in field order: an outcome is built for every subject.
    return Outcome(
        subject.id,
        ctx.role,
        ctx.status,  # type: ignore[arg-type]
        subject.name,
        subject.unit,
        ctx.reasons,
        ctx.total,
        ctx.rounded,
        display,
        ctx.scores if graded else {},  # the context is not used again: no copy
        ctx.raw_grade,
        ctx.grade if graded else None,
        ctx.adjustments,
        consequences,
        findings,
        # By heading, so that the order of the cohort's JSON keys never shows in a result.
        subject.notes if len(subject.notes) < 2 else dict(sorted(subject.notes.items())),
        ctx.flags,
        tuple(ctx.trace) if ctx.trace else (),
        ctx.grade if ctx.status == "referred" else None,
        ctx.places,
    )


def _plugin_adjust(ctx: State, rp: RolePlan, scheme: m.Scheme, adjusters: list[tuple[str, Callable[..., Any]]]) -> None:
    """Give each plugin its last word on a graded outcome, checking what it returns."""
    from ._plugins import OutcomeAdjustment

    for plugin, fn in adjusters:
        try:
            answer = fn(outcome=_outcome(ctx, rp, ()), scheme=scheme, context=ctx.context())
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
            step(
                ctx,
                "plugin",
                "step.plugin_keeps",
                answer.rule,
                answer.clause or None,
                plugin=plugin,
                grade=ctx.grade,
                note=answer.note,
            )
            continue
        rule = f"{plugin}:{answer.rule}"
        ctx.adjustments += (Adjustment(rule, "plugin", answer.clause, ctx.grade or "", answer.grade, answer.note),)
        step(
            ctx,
            "plugin",
            "step.plugin",
            rule,
            answer.clause or None,
            before=ctx.grade,
            after=answer.grade,
            note=answer.note,
        )
        ctx.grade = answer.grade


def _under(
    by_grade: dict[str | None, list[tuple[Rule, Any]]], rules: list[Rule], grade: str | None
) -> list[tuple[Rule, Any]]:
    """The rules that may hold under ``grade``, with what is left to test (see ``_plan._by_grade``)."""
    found = by_grade.get(grade)
    return found if found is not None else [(rule, rule.test) for rule in rules]


def _findings(ctx: State, under: list[tuple[Rule, Any]]) -> tuple[FindingOutcome, ...]:
    found = []
    for rule, rest in under:
        if rest is None or rest(ctx):
            detail = ctx.subject.notes.get(rule.target, "") if rule.target else ""
            found.append(FindingOutcome(rule.id, rule.clause, rule.text, detail))
            step(ctx, "finding", "step.finding", rule.id, rule.clause, text=rule.text, why=_why(rule, ctx))
    return tuple(found)


def _consequences(ctx: State, under: list[tuple[Rule, Any]]) -> tuple[ConsequenceOutcome, ...]:
    found = []
    for rule, rest in under:
        if rest is None or rest(ctx):
            found.append(rule.outcome)
            if ctx.trace is not None:
                step(ctx, "consequence", "step.consequence", rule.id, rule.clause, text=rule.text, why=_why(rule, ctx))
    return tuple(found)


def consequences_under(
    scheme: m.Scheme, cohort: Cohort, grades: Mapping[str, str]
) -> tuple[dict[str, list[Rule]], dict[str, Mapping[str, Any]]]:
    """The consequence rules that hold for each subject if it had the given final grade,
    and every subject's places in the scheme's rankings under those grades.

    Used to check outcomes claimed elsewhere: every subject is evaluated as usual
    (scores, facts, history), then its grade is set to the one given (the others keep
    theirs); the rankings are made over them all, as ``evaluate`` makes them, since a
    ranking's ``when`` may read grades and a consequence may read a place.
    """
    plan = plan_of(scheme)
    period = cohort.period or scheme.period
    subjects = tuple(sorted(cohort.subjects, key=attrgetter("id")))
    contexts = []
    for subject in subjects:
        ctx = State(subject, scheme, period, False, subjects)  # rules may compare subjects, as in evaluate
        evaluate_carefully(plan, plan.roles[subject.role], ctx)
        if subject.id in grades:
            ctx.grade = grades[subject.id]
        contexts.append(ctx)
    if scheme.rankings:
        apply_rankings(plan, contexts)
    out = {
        ctx.subject.id: [rule for rule in plan.roles[ctx.role].consequences if rule.test(ctx)]
        for ctx in contexts
        if ctx.subject.id in grades
    }
    return out, {ctx.subject.id: ctx.places for ctx in contexts}


def evaluate(
    scheme: m.Scheme,
    cohort: Cohort,
    *,
    trace: bool = True,
    decision_id: str | None = None,
    evaluated_at: datetime | str | None = None,
) -> Result:
    """Grade every subject of ``cohort`` under ``scheme``.

    Args:
        scheme: a loaded scheme. Plugins of the registry it was loaded through
            have their last word on each outcome (``villageeval_adjust_outcome``).
        cohort: the subjects with their evidence.
        trace: keep the step-by-step explanation of each outcome (a little slower).
        decision_id: the result's decision id, a UUID in its canonical text form;
            by default a fresh UUID4. Give one for a reproducible result.
        evaluated_at: the result's time, a timezone-aware ``datetime`` or ISO 8601 UTC
            text to the second (``"2026-12-04T21:58:33Z"``); by default now.

    The result's audit record (``Result.cohort_hash``, ``decision_id``, ``evaluated_at``,
    ``plugins``) is described in :mod:`villageeval._audit`.

    A call of :data:`PAUSE_AT` subjects or more (1,000) pauses Python's cyclic garbage
    collector while it runs: evaluation builds many small objects that hold no cycles,
    and collecting them again and again took a third of the time of a province's
    evaluation; a township's cohort, or a service's request for one, leaves the collector
    alone, as it gains nothing from the pause. The collector is one switch
    for the whole interpreter: while a large call runs, no other thread's cycles are
    collected either (their memory is freed by reference counting as usual; cycles wait
    until the call ends), and if two large calls overlap, the first to end switches the
    collector back on for the other. At the end of such a call the two young generations
    are collected once, so that the outcomes are walked once rather than twice. A
    collector you switched off, or tuned off with a threshold of 0, is left as it is.

    Raises:
        CohortError: a subject has a role the scheme does not grade, or lacks a
            group that a quota counts by.
        PluginError: a plugin's predicate or adjustment misbehaved; the message
            names the plugin and the subject.
        TypeError: ``scheme`` is not a Scheme, ``cohort`` not a Cohort (a path, the two
            swapped), or ``trace`` not a bool; the message says which and what came.
        ValueError: ``decision_id`` is not a UUID's canonical text, or ``evaluated_at``
            not a timezone-aware time or not of the form above.
    """
    from ._audit import audit_of
    from ._types import expect_cohort, expect_flag, expect_scheme

    expect_scheme(scheme)
    expect_cohort(cohort)
    expect_flag(trace, "trace")
    audit = audit_of(scheme, cohort, decision_id, evaluated_at)
    if len(cohort.subjects) < PAUSE_AT:
        return _evaluate(scheme, cohort, trace, audit)
    # Evaluation allocates many small, acyclic objects; the cyclic garbage
    # collector would scan them again and again for nothing (a third of the time
    # on a province), so it is paused for the call and restored after.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(scheme, cohort, trace, audit)
    finally:
        if paused:
            _collect_backlog()
            gc.enable()


def _collect_backlog() -> None:
    """Walk the objects that outlive a paused call once, not twice.

    The outcomes outlive the call. Left to the collector, the first allocation
    after the pause would walk them all as the youngest generation, and a middle
    collection soon after would walk them again, both times out of the CPU's caches
    (about 3 µs a subject on a province). A collection of the two young generations,
    once the pause let through more than a middle collection would have seen, walks
    them once. A collector the caller has tuned off (a threshold of 0) is left alone.
    """
    young, middle = gc.get_threshold()[:2]
    if young and gc.get_count()[0] > young * max(middle, 1):
        gc.collect(1)


def _evaluate(scheme: m.Scheme, cohort: Cohort, trace: bool, audit: Mapping[str, Any]) -> Result:
    from . import __version__

    plan = plan_of(scheme)
    check_cohort(plan, cohort)
    period = cohort.period or scheme.period
    registry = binding_of(scheme).registry
    adjusters = registry.adjusters(scheme) if registry is not None else []
    contexts: list[State] = []
    subjects = tuple(sorted(cohort.subjects, key=attrgetter("id")))
    roles = plan.roles
    for subject in subjects:
        rp = roles[subject.role]
        if trace or rp.quick is None:
            ctx = State(subject, scheme, period, trace, subjects)
            evaluate_carefully(plan, rp, ctx)
        else:
            # Adjusters get the context: for them, tallies and tiers are recorded.
            scorers = rp.quick_keeping if adjusters else rp.quick
            assert scorers is not None  # built together with rp.quick
            ctx = State(subject, scheme, period, False, subjects)
            if not _quick_evaluate(plan, rp, ctx, scorers):
                # Not plainly valid: start again on the careful path, which says why.
                ctx = State(subject, scheme, period, False, subjects)
                evaluate_carefully(plan, rp, ctx)
        contexts.append(ctx)
    populations: list[PopulationUsage] = []
    warnings: list[str] = []
    apply_quotas(plan, contexts, populations, warnings)
    if adjusters:
        for ctx in contexts:
            if ctx.status == "graded":
                _plugin_adjust(ctx, roles[ctx.role], scheme, adjusters)
    if scheme.rankings:  # once every grade stands, before what reads a place
        apply_rankings(plan, contexts)
    outcomes = []
    for ctx in contexts:
        rp = roles[ctx.role]
        consequences: tuple[ConsequenceOutcome, ...] = ()
        findings: tuple[FindingOutcome, ...] = ()
        if ctx.status == "graded":
            under = rp.findings_for.get(ctx.grade)
            if under is None or under:
                findings = _findings(ctx, _under(rp.findings_for, rp.findings, ctx.grade))
            settled = rp.consequences_settled.get(ctx.grade)
            if settled is not None and not trace:
                consequences = settled
            else:
                consequences = _consequences(ctx, _under(rp.consequences_for, rp.consequences, ctx.grade))
            if trace:
                step(ctx, "final", "step.final", grade=ctx.grade)
        elif ctx.status == "referred":
            # The committee decides the grade: what follows from a grade waits for it; what
            # does not (a finding, a consequence of the facts alone) applies now.
            proposed, ctx.grade = ctx.grade, None
            findings = _findings(ctx, _under(rp.findings_for, rp.findings, None))
            consequences = _consequences(ctx, _under(rp.consequences_for, rp.consequences, None))
            ctx.grade = proposed
        outcomes.append(_outcome(ctx, rp, consequences, findings))
    return Result(
        scheme_id=scheme.id,
        scheme_hash=plan.hash,
        version=__version__,
        period=period,
        outcomes=tuple(outcomes),
        populations=tuple(populations),
        warnings=tuple(warnings),
        **audit,
    )
