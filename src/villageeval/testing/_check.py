"""Checking grading outcomes produced elsewhere against a scheme.

A system that grades by its own code (or by hand, in a committee's table) can
ask: does this set of grades obey the scheme? :func:`check_outcomes` answers
with every violation, each naming the rule and the clause it breaks and the
subjects concerned — not just "differs from villageeval". It allows what the
scheme allows: where a quota's cut falls between tied subjects, any choice
among them that keeps the count is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen

from .._bound import plan_of
from .._cohort import Cohort
from .._engine import consequences_under, evaluate
from .._model import Scheme
from .._plan import Plan
from .._quotas import population_limit
from .._result import Outcome, Result
from .._table import render_table

__all__ = ["Violation", "assert_outcomes", "check_outcomes"]


@frozen
class Violation:
    """One way claimed outcomes break a scheme.

    Attributes:
        kind: ``status`` (graded though ineligible or without sufficient
            evidence), ``missing`` (no grade for a graded subject),
            ``unknown_subject``, ``unknown_grade``, ``grade`` (inconsistent
            with the score and bands or conditions), ``veto``, ``cap``,
            ``quota``, ``plugin``, ``consequence``, ``rank`` (a place in a ranking that
            is not the scheme's), ``audit``.
        rule: the rule id (a veto, cap, quota, grading, ranking or consequence id).
        clause: the clause of the source document the rule cites.
        subjects: the subject ids concerned.
        message: what is wrong, with the numbers.
        claimed: the grade claimed (for a single subject), if any.
        expected: the grade the scheme gives, if one can be named.
    """

    kind: str
    rule: str
    clause: str
    subjects: tuple[str, ...]
    message: str
    claimed: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        who = ", ".join(self.subjects)
        cite = f"{self.rule} ({self.clause})" if self.clause else self.rule
        return f"{who}: {self.kind} {cite}: {self.message}"


def _claims(claimed: Mapping[str, str | None] | Result) -> tuple[dict[str, str | None], dict[str, set[str]] | None]:
    if isinstance(claimed, Result):
        grades = {o.subject_id: (o.final_grade if o.status == "graded" else None) for o in claimed.outcomes}
        consequences = {o.subject_id: {c.rule for c in o.consequences} for o in claimed.outcomes}
        return grades, consequences
    return dict(claimed), None


def check_outcomes(
    scheme: Scheme,
    cohort: Cohort,
    claimed: Mapping[str, str | None] | Result,
) -> list[Violation]:
    """Every violation of ``scheme`` in outcomes produced elsewhere.

    Args:
        scheme: the scheme the outcomes should obey.
        cohort: the subjects and evidence they were graded on.
        claimed: subject id → final grade label (``None`` for a subject not
            graded), or a whole :class:`~villageeval.Result` (then its
            consequences are checked too, and its audit stamp).

    Returns:
        The violations, in a stable order (by subject, then rule); empty when
        the outcomes obey the scheme.
    """
    from .._types import expect_claims

    expect_claims(scheme, cohort, claimed)
    reference = evaluate(scheme, cohort, trace=False)
    plan = plan_of(scheme)
    grades, consequences = _claims(claimed)
    out: list[Violation] = []
    known = {o.subject_id for o in reference.outcomes}
    for sid in sorted(set(grades) - known):
        out.append(Violation("unknown_subject", "-", "", (sid,), "not a subject of the cohort", grades[sid]))
    tied: dict[str, set[str]] = {}
    for p in reference.populations:
        for sid in p.ties:
            tied.setdefault(sid, set()).add(p.quota)
    for o in reference.outcomes:
        c = grades.get(o.subject_id)
        if o.subject_id not in grades and isinstance(claimed, Mapping) and o.status != "graded":
            continue
        out.extend(_subject(plan, o, c, o.subject_id in grades or isinstance(claimed, Result), tied))
    out.extend(_quotas(plan, reference, grades, {s.id: s.groups for s in cohort.subjects}))
    if consequences is not None:
        assert isinstance(claimed, Result)
        out.extend(_consequences(scheme, cohort, reference, grades, consequences, claimed))
        if claimed.scheme_hash and claimed.scheme_hash != reference.scheme_hash:
            out.append(
                Violation(
                    "audit",
                    scheme.id,
                    "",
                    (),
                    f"the result was produced under scheme hash {claimed.scheme_hash}, "
                    f"not {reference.scheme_hash} (scheme {claimed.scheme_id!r})",
                )
            )
    return sorted(out, key=lambda v: (v.subjects, v.kind, v.rule))


def _subject(plan: Plan, o: Outcome, c: str | None, present: bool, tied: Mapping[str, set[str]]) -> list[Violation]:
    sid = (o.subject_id,)
    scheme = plan.scheme
    if o.status != "graded":
        if c is None:
            return []
        r = o.reasons[0] if o.reasons else None
        if o.status == "referred" and r is not None:
            # Counted apart: the grade is the committee's to give, not the scheme's.
            message = f"referred to the committee ({r.message}) with {o.proposed_grade} proposed, but graded {c}"
            return [Violation("status", r.rule or "referral", r.clause or "", sid, message, c, None)]
        if o.status == "ineligible" and r is not None:
            return [
                Violation(
                    "status",
                    r.rule or "eligibility",
                    r.clause or "",
                    sid,
                    f"not evaluated ({r.message}) but graded {c}",
                    c,
                    None,
                )
            ]
        codes = ", ".join(sorted({x.code for x in o.reasons}))
        ins = next((x.instrument for x in o.reasons if x.instrument), None)
        clause = scheme.instruments[ins].clause if ins is not None and ins in scheme.instruments else ""
        return [
            Violation(
                "status",
                ins or "evidence",
                clause,
                sid,
                f"graded {c} though the evidence is insufficient ({codes})",
                c,
                None,
            )
        ]
    rp = plan.roles[o.role]
    if c is None:
        message = "has no grade" if present else "is missing from the claimed outcomes"
        clause = scheme.gradings[rp.grading_id].clause
        what = f"graded under the scheme but {message}"
        return [Violation("missing", rp.grading_id, clause, sid, what, None, o.final_grade)]
    if c not in rp.rank:
        return [
            Violation(
                "unknown_grade",
                rp.grading_id,
                "",
                sid,
                f"{c!r} is not a grade of this scheme ({', '.join(rp.labels)})",
                c,
                o.final_grade,
            )
        ]
    if c == o.final_grade:
        return []
    out: list[Violation] = []
    rank = rp.rank
    # A veto or cap that applies sets a ceiling no claimed grade may pass.
    for rule in (*rp.vetoes, *rp.caps):
        if f"{rule.kind}:{rule.id}" in o.flags and rank[c] < rule.grade_rank:
            out.append(
                Violation(
                    rule.kind,
                    rule.id,
                    rule.clause,
                    sid,
                    f"applies ({rule.text}): no better than {rule.target}, claimed {c}",
                    c,
                    o.final_grade,
                )
            )
    if out:
        return out
    for qid in sorted(tied.get(o.subject_id, ())):
        # Tied at a quota's cut: either side of the cut is the scheme's answer;
        # the population check decides whether the claimed choice keeps the count.
        q = scheme.quotas[qid]
        other = [a.from_grade if a.to_grade == q.grade else a.to_grade for a in o.adjustments if a.rule == qid]
        sides = {q.grade, *other, rp.labels[min(rank[q.grade] + 1, len(rp.labels) - 1)]}
        if c in sides and o.final_grade in sides:
            return []
    for a in o.adjustments:
        if c == a.from_grade and a.kind in ("quota", "plugin"):
            why = a.note or "the scheme moves it"
            return [
                Violation(
                    a.kind,
                    a.rule,
                    a.clause,
                    sid,
                    f"{a.from_grade} → {a.to_grade}: {why}; claimed {c}",
                    c,
                    o.final_grade,
                )
            ]
    grading = scheme.gradings[rp.grading_id]
    score = f"total {o.score_display}"
    if o.rounded_score is not None:
        from .._numbers import exact_text

        score += f" (rounded {exact_text(o.rounded_score)})"
    steps = "".join(f", then {a.kind} {a.rule}: {a.from_grade} → {a.to_grade}" for a in o.adjustments)
    return [
        Violation(
            "grade",
            rp.grading_id,
            grading.clause,
            sid,
            f"{score} gives {o.raw_grade}{steps}; the grade is {o.final_grade}, not {c}",
            c,
            o.final_grade,
        )
    ]


def _quotas(
    plan: Plan, reference: Result, grades: Mapping[str, str | None], groups: Mapping[str, Mapping[str, str]]
) -> list[Violation]:
    out: list[Violation] = []
    status = {o.subject_id: o for o in reference.outcomes}
    for qid, q in plan.quotas:
        roles = set(plan.scheme.role_ids(q.roles))
        usage = [p for p in reference.populations if p.quota == qid]
        for p in usage:
            members = [
                o
                for o in reference.outcomes
                if o.role in roles and (q.per is None or groups[o.subject_id].get(q.per) == p.group)
            ]
            holders = sorted(
                o.subject_id for o in members if o.status == "graded" and grades.get(o.subject_id) == q.grade
            )
            # The limit from the population itself, by the one definition the engine uses.
            limit = population_limit(q, len(members), sum(1 for o in members if o.status == "graded"))
            where = f" in {q.per} {p.group}" if q.per else ""
            if p.ties:
                want = sum(1 for sid in p.ties if status[sid].final_grade == q.grade)
                got = sum(1 for sid in p.ties if grades.get(sid) == q.grade)
                if want != got and q.enforce == "hard":
                    out.append(
                        Violation(
                            "quota",
                            qid,
                            q.clause,
                            tuple(sorted(p.ties)),
                            f"tied at the cut{where}: {want} of them hold {q.grade} under the quota, "
                            f"{got} in the claimed outcomes",
                        )
                    )
            if q.enforce != "hard":
                continue
            if q.bound == "at_most" and len(holders) > limit:
                out.append(
                    Violation(
                        "quota",
                        qid,
                        q.clause,
                        tuple(holders),
                        f"{len(holders)} hold {q.grade}{where}, more than the {limit} allowed ({q.text})",
                    )
                )
            if q.bound == "at_least" and len(holders) < min(limit, p.holders_after):
                out.append(
                    Violation(
                        "quota",
                        qid,
                        q.clause,
                        tuple(holders),
                        f"only {len(holders)} hold {q.grade}{where}, fewer than the {min(limit, p.holders_after)} "
                        f"required ({q.text})",
                    )
                )
    return out


def _consequences(
    scheme: Scheme,
    cohort: Cohort,
    reference: Result,
    grades: Mapping[str, str | None],
    claimed: Mapping[str, set[str]],
    result: Result,
) -> list[Violation]:
    """The consequences a claimed result must have under its own grades, and its places:
    a ranking's ``when`` may read grades, so both are worked out under the claimed ones."""
    out: list[Violation] = []
    plan = plan_of(scheme)
    # A grade that is not a grade of the role is reported as unknown_grade; what would
    # follow from it means nothing.
    graded = {
        o.subject_id: o
        for o in reference.outcomes
        if o.status == "graded" and grades.get(o.subject_id) in plan.roles[o.role].rank
    }
    wanted, places = consequences_under(
        scheme, cohort, {sid: g for sid, g in grades.items() if sid in graded and g is not None}
    )
    for o in result.outcomes:
        for rid in sorted({*o.rank, *places.get(o.subject_id, {})}):
            got, want = o.rank.get(rid), places.get(o.subject_id, {}).get(rid)
            got_place, want_place = (None if p is None else p.place for p in (got, want))
            if got_place != want_place:
                ranking = scheme.rankings.get(rid)
                out.append(
                    Violation(
                        "rank",
                        rid,
                        ranking.clause if ranking is not None else "",
                        (o.subject_id,),
                        f"claimed {_place_words(got_place)}, but the scheme gives {_place_words(want_place)}",
                    )
                )
    for sid, rules in sorted(wanted.items()):
        have = claimed.get(sid, set())
        for rule in rules:
            if rule.id not in have:
                out.append(
                    Violation(
                        "consequence", rule.id, rule.clause, (sid,), f"{grades[sid]} requires: {rule.text}", grades[sid]
                    )
                )
        for extra in sorted(have - {r.id for r in rules}):
            c = scheme.consequences.get(extra)
            out.append(
                Violation(
                    "consequence",
                    extra,
                    c.clause if c else "",
                    (sid,),
                    f"does not apply to a subject graded {grades[sid]}",
                    grades[sid],
                )
            )
    return out


def _place_words(place: int | None) -> str:
    return "no place" if place is None else f"place {place}"


def assert_outcomes(
    scheme: Scheme,
    cohort: Cohort,
    claimed: Mapping[str, str | None] | Result,
) -> None:
    """Fail with a readable per-subject diff if ``claimed`` breaks ``scheme``.

    Raises:
        AssertionError: listing every violation as a table of subject, claimed
            grade, the scheme's grade, rule (clause) and what is wrong.
    """
    from .._types import expect_claims

    expect_claims(scheme, cohort, claimed)
    violations = check_outcomes(scheme, cohort, claimed)
    if violations:
        raise AssertionError(format_violations(violations))


def format_violations(violations: Iterable[Violation]) -> str:
    """The violations as a table, one row per violation."""
    rows = []
    items = list(violations)
    for v in items:
        rows.append(
            [
                ", ".join(v.subjects) or "-",
                v.claimed or "-",
                v.expected or "-",
                f"{v.kind} {v.rule}" + (f" ({v.clause})" if v.clause else ""),
                v.message,
            ]
        )
    head = f"{len(items)} violation{'s' if len(items) != 1 else ''} of the scheme:"
    return head + "\n" + render_table(["subject", "claimed", "scheme", "rule", "problem"], rows)
