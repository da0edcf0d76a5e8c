"""Valid subjects and cohorts of a scheme: graded or ineligible, never insufficient_evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ... import _kernel as kernel
from ... import _model as m
from ..._cohort import Cohort, Subject
from ._draws import ints
from ._needs import SchemeNeeds
from ._protocol import LEVELS, PluginEvidence
from ._vocabulary import VILLAGES

__all__ = ["cohorts", "history_keys", "subjects"]


def history_keys(period: str, n: int, calendar: str = "years", order: tuple[str, ...] = ()) -> list[str]:
    """The ``n`` periods before ``period`` that a streak looks back on, most recent first
    (none when no history can reach that far).

    A few more periods than needed are offered, years when the period is a year and the
    scheme's ordered periods otherwise, and the kernel's previous_periods chooses among
    them: the history is what the engine will read.
    """
    if n < 1:
        return []
    offered = list(order) if order else [str(int(period) - i) for i in range(1, n + 2)] if period.isdigit() else []
    return kernel.previous_periods(period, offered, n, calendar, order) or []


@st.composite
def _subject(draw: st.DrawFn, info: SchemeNeeds, role: str, sid: str, groups: tuple[str, ...]) -> Subject:
    scheme = info.scheme
    ri = info.roles[role]
    # A third of the subjects bring the best evidence on every instrument (a sixth the
    # worst): equal top totals, so that at_most quotas on the best grade overflow, with
    # ties at the cut.
    level = LEVELS[(0, 0, 0, 1, 1, 2)[draw(ints(0, 5))]]
    ev = {iid: draw(strategies[level]) for iid, strategies in ri.instruments}
    facts: dict[str, Any] = {}
    for name, fact in scheme.facts.items():
        if name in ri.facts:
            if fact.default is not None and draw(st.booleans()):
                continue  # the default applies
        elif draw(st.booleans()):
            continue  # not read by this role's rules: not required
        facts[name] = draw(info.fact_values[name])
    outcomes = {k: draw(st.sampled_from(v)) for k, v in ri.outcomes.items()}
    for k, v in info.outcomes.items():
        if k not in outcomes and draw(st.booleans()):
            outcomes[k] = draw(st.sampled_from(v))
    history: dict[str, str] = {}
    if ri.streak > 1 and ri.grades:
        likely = ri.streak_grades or ri.grades
        for key in history_keys(scheme.period, ri.streak - 1, scheme.periods.calendar, scheme.periods.order):
            if draw(st.integers(0, 5)):  # now and then a period is missing, breaking the streak
                history[key] = draw(st.one_of(st.sampled_from(likely), st.sampled_from(ri.grades)))
    unit = draw(st.sampled_from(VILLAGES))
    return Subject(
        id=sid,
        role=role,
        name=f"{unit}{ri.label}",
        unit=unit,
        groups={per: draw(st.sampled_from(groups)) for per in info.per_keys},
        evidence=ev,
        facts=facts,
        history=history,
        outcomes=outcomes,
    )


def _check_groups(info: SchemeNeeds, groups: Sequence[str]) -> tuple[str, ...]:
    out = (groups,) if isinstance(groups, str) else tuple(groups)
    if info.per_keys and not out:
        raise InvalidArgument(f"scheme {info.scheme.id!r} has quotas per {', '.join(info.per_keys)}: groups is empty")
    return out


def subjects(
    scheme: m.Scheme,
    role: str | None = None,
    id: str | SearchStrategy[str] | None = None,
    *,
    groups: Sequence[str] = ("甲乡", "乙乡"),
    plugin_evidence: PluginEvidence | None = None,
) -> SearchStrategy[Subject]:
    """One valid subject of ``scheme``: graded or ineligible, never insufficient_evidence.

    Why: the unit :func:`cohorts` is made of, and enough on its own to test code
    that handles one outcome. The subject has:

    - ``role``, or one of the scheme's roles; ``id``, or a drawn ``s<number>``;
    - :func:`evidence` for every instrument of the role (one whose
      ``applies_when`` does not hold just leaves it unread);
    - every declared fact that a rule of the role reads (eligibility, a
      condition grading, vetoes, caps, findings, consequences, an instrument's
      ``applies_when``, a quota's ``{ fact = ... }`` ranking key), of
      the declared type, left out now and then when it has a default; number
      facts often at or next to the bounds the scheme compares them with.
      Facts only other roles read are sometimes given, sometimes not;
    - ``outcomes`` for every linked assessment its rules read, with a tier of the
      scale they read it on;
    - ``history`` for the longest ``streak`` its rules read (the periods before
      the scheme's ``period`` that a streak looks back on), sometimes with a
      period missing;
    - ``groups`` for every key a quota counts ``per``, drawn from ``groups``.

    Python predicates that plugins register (``{ rule = "..." }``) are not
    looked into: give what they read yourself.

    Example::

        @given(subjects(huining, role="member", id="xicha-member-1"))
        def test_one(subject):
            outcome = ve.evaluate(huining, ve.Cohort([subject])).outcome(subject.id)
            assert outcome.status == "graded"
    """
    info = SchemeNeeds(scheme, plugin_evidence)
    group_values = _check_groups(info, groups)
    if role is not None and role not in scheme.roles:
        raise InvalidArgument(f"scheme {scheme.id!r} has no role {role!r} (roles: {', '.join(scheme.roles)})")
    roles = st.just(role) if role is not None else st.sampled_from(sorted(scheme.roles))
    if id is None:
        ids: SearchStrategy[str] = st.integers(0, 999).map(lambda k: f"s{k:03d}")
    elif isinstance(id, str):
        ids = st.just(id)
    else:
        ids = id
    return st.tuples(roles, ids).flatmap(lambda rs: _subject(info, rs[0], rs[1], group_values))


@st.composite
def _cohort(draw: st.DrawFn, info: SchemeNeeds, min_size: int, max_size: int, groups: tuple[str, ...]) -> Cohort:
    n = draw(st.integers(min_size, max_size))
    numbers = draw(st.lists(st.integers(0, 10 * max_size + 9), unique=True, min_size=n, max_size=n))
    roles = sorted(info.scheme.roles)
    out: list[Subject] = []
    by_role: dict[str, list[Subject]] = {}
    for k in numbers:
        sid = f"v{k:03d}"
        role = draw(st.sampled_from(roles))
        earlier = by_role.get(role, [])
        twin_now: bool = draw(st.booleans()) if earlier else False
        if twin_now:
            # A twin: the same evidence and facts as an earlier subject, so that
            # quotas meet ties at their cut; in the same group or another one.
            twin = draw(st.sampled_from(earlier))
            same_group = draw(st.booleans())
            subject = attrs.evolve(
                twin,
                id=sid,
                groups=twin.groups if same_group else {per: draw(st.sampled_from(groups)) for per in info.per_keys},
            )
        else:
            subject = draw(_subject(info, role, sid, groups))
        by_role.setdefault(role, []).append(subject)
        out.append(subject)
    return Cohort(out, scheme=info.scheme.id)


def cohorts(
    scheme: m.Scheme,
    *,
    min_size: int = 0,
    max_size: int = 30,
    groups: Sequence[str] = ("甲乡", "乙乡"),
    plugin_evidence: PluginEvidence | None = None,
) -> SearchStrategy[Cohort]:
    """Valid cohorts for ``scheme``: every subject ``graded`` or ``ineligible``.

    Why: to test, for any scheme, what must hold of every evaluation (order
    independence, quotas respected, exports that never fail), the subjects must
    get past the evidence checks. Works for any loaded scheme: generated by
    :func:`schemes`, bundled (``huining-midterm-2023``) or your own.

    ``min_size`` to ``max_size`` subjects (see :func:`subjects`) with unique ids
    (``v<number>``, in an order that is not their sorted order), roles drawn from
    the scheme, and a group from ``groups`` for every key a quota counts
    ``per``. About half of the subjects are twins of an earlier subject of
    their role (same evidence, facts and history, sometimes another group),
    and a third bring the best evidence every instrument allows, so equal
    totals, full ``at_most`` quotas and ties at their cut are common.

    Two things of a scheme are not steered: a predicate a plugin registers
    (``{ rule = ... }``), whose facts this module cannot see, and an
    ``applies_when`` on a *weighted* instrument, for which a subject it does
    not apply to has no total and is ``insufficient_evidence`` (``no_total``)
    unless a veto or cap grades it, as the scheme says. Neither occurs in
    generated schemes.

    Example::

        from hypothesis import given, strategies as st
        import villageeval as ve
        from villageeval.testing.strategies import cohorts, schemes

        @given(st.data())
        def test_order_does_not_matter(data):
            scheme = data.draw(schemes())
            cohort = data.draw(cohorts(scheme, max_size=10))
            shuffled = ve.Cohort(data.draw(st.permutations(cohort.subjects)))
            assert ve.result_to_dict(ve.evaluate(scheme, cohort)) == ve.result_to_dict(
                ve.evaluate(scheme, shuffled)
            )
    """
    if min_size < 0 or max_size < min_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size (got {min_size}, {max_size})")
    info = SchemeNeeds(scheme, plugin_evidence)
    group_values = _check_groups(info, groups)
    return _cohort(info, min_size, max_size, group_values)
