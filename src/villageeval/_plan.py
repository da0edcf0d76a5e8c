"""A scheme compiled for evaluation: per role, everything resolved once.

Building the plan resolves every name a scheme uses (instruments with their kinds'
scorers, weights, grading, the rules as closures, the facts each role's rules read),
so that evaluating a subject does no look-ups by name. It is built on first use and
kept beside the scheme (:func:`villageeval._bound.plan_of`), never on it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from . import _kernel as k
from . import _model as m
from ._cohort import MalformedEvidence
from ._kinds.spec import Bound, Kind, QuickScorer, Scoring
from ._numbers import exact_text
from ._predicates import Compiled, compile_predicate, facts_used, leaves, outcomes_used
from ._result import ConsequenceOutcome

if TYPE_CHECKING:
    from ._bound import Binding
    from ._context import State

__all__ = ["UNSCORED", "HistoryNeeds", "Plan", "PlannedInstrument", "RolePlan", "Rule"]

#: What a quick scorer returns for valid evidence that gives no sub-score.
UNSCORED: tuple[Fraction | None, int, int] = (None, 0, 1)


class Rule:
    """A rule of the scheme compiled for one role: its id, clause, wording and test."""

    __slots__ = ("clause", "grade_rank", "id", "kind", "outcome", "target", "test", "text", "when")

    def __init__(
        self,
        rid: str,
        kind: str,
        clause: str,
        text: str,
        test: Compiled,
        target: str | None = None,
        grade_rank: int = 0,
        when: m.Predicate | None = None,
    ) -> None:
        self.id = rid
        #: The rule's predicate, which the trace explains (villageeval._explain).
        self.when = when
        self.kind = kind
        self.clause = clause
        self.text = text
        self.test = test
        self.target = target
        self.grade_rank = grade_rank
        # A consequence's outcome is the same for every subject: built once.
        self.outcome = ConsequenceOutcome(rid, clause, text)  # used for consequences only


class RolePlan:
    """Everything the engine needs to grade one role, resolved."""

    __slots__ = (
        "applies",
        "bands",
        "bool_facts",
        "caps",
        "conditions",
        "consequences",
        "consequences_for",
        "consequences_settled",
        "counted_by",
        "defaults",
        "display_digits",
        "display_memo",
        "eligibility",
        "facts",
        "facts_read",
        "fallback",
        "findings",
        "findings_for",
        "graded_memo",
        "grading",
        "grading_id",
        "grid",
        "history",
        "instruments",
        "keep_tallies",
        "labels",
        "limits",
        "limits_always",
        "linked",
        "number_facts",
        "quick",
        "quick_keeping",
        "rank",
        "ranked",
        "referrals",
        "rounding",
        "terms",
        "titles",
        "vetoes",
        "weight_texts",
        "weighting_id",
    )

    def __init__(self) -> None:
        self.instruments: list[PlannedInstrument] = []
        self.eligibility: list[Rule] = []
        self.vetoes: list[Rule] = []
        self.caps: list[Rule] = []
        self.referrals: list[Rule] = []
        self.consequences: list[Rule] = []
        self.findings: list[Rule] = []
        self.applies: dict[str, Compiled] = {}
        self.terms: list[tuple[str, int, int]] = []
        self.limits: tuple[Rule, ...] = ()
        self.grid: list[tuple[int | None, int | None, str]] = []
        self.bands: list[m.Band] = []
        # Each condition rule: (grade, its test, clause, the document's wording, its predicate
        # for the trace's numbers).
        self.conditions: list[tuple[str, Compiled, str, str, m.Predicate]] = []
        self.fallback: str | None = None
        self.labels: tuple[str, ...] = ()
        self.rank: dict[str, int] = {}
        # Group kind → the quotas and rankings over the role that count by it (sorted by
        # kind): a subject of the role without that group cannot be placed.
        self.counted_by: dict[str, tuple[str, ...]] = {}
        # Ranking id → who of the role enters it (its ``when``, compiled; None: everyone),
        # for the rankings that rank the role.
        self.ranked: dict[str, Compiled | None] = {}
        self.rounding: m.Rounding | None = None
        self.display_digits = 2
        self.grading: m.Grading | None = None
        self.grading_id = ""
        self.weighting_id = ""
        # Instrument id → its weight in the total as the trace shows it ("40/100").
        self.weight_texts: dict[str, str] = {}
        # Instrument id → its title (民主测评), for the trace in Chinese.
        self.titles: dict[str, str] = {}
        self.facts: dict[str, m.Fact] = {}
        self.defaults: dict[str, bool | Fraction] = {}
        self.linked: dict[str, tuple[str, ...]] = {}
        # When a rule of the role reads history (a streak): the grades a history entry may
        # hold, and how many periods back it must be given (0: none is required).
        self.history: HistoryNeeds | None = None
        # The quick path (valid evidence, no trace): a quick scorer per instrument,
        # or None when the role needs the careful path for every subject.
        # Each with the instrument's factor in the total (weight / out_of) as integers,
        # 0/0 when it is not weighted.
        self.quick: tuple[QuickTerm, ...] | None = None
        # The same scorers, recording tallies and tiers whatever the rules read: for
        # evaluations with plugin adjusters, which see the context.
        self.quick_keeping: tuple[QuickTerm, ...] | None = None
        self.bool_facts: tuple[str, ...] = ()
        # How many facts the role's rules read: a subject giving exactly these gives none undeclared.
        self.facts_read = 0
        self.number_facts: tuple[str, ...] = ()
        # The vetoes and caps that may hold even when every boolean fact is false:
        # the only ones the quick path tests for a subject with no fact true.
        self.limits_always: tuple[Rule, ...] = ()
        # Scaled rounded total → (rounded total, band), filled as totals are seen.
        self.graded_memo: dict[int, tuple[Fraction, str]] | None = None
        # (numerator, denominator) → the scaled rounded total, and the shown one.
        # The shown total (scaled) → its text: there are few of them.
        self.display_memo: dict[int, str] = {}
        # Whether the quick scorers record tallies and tiers (see _reads_tallies).
        self.keep_tallies = True
        # Grade → the consequences (findings) that may hold under it, each with what
        # is left to test once the grade is known (None: nothing, it holds).
        self.consequences_for: dict[str | None, list[tuple[Rule, Compiled | None]]] = {}
        self.findings_for: dict[str | None, list[tuple[Rule, Compiled | None]]] = {}
        # Grade → its consequences, where the grade alone decides them (nothing left to test).
        self.consequences_settled: dict[str | None, tuple[ConsequenceOutcome, ...]] = {}


class HistoryNeeds:
    """What a role's streak rules need of a subject's history (see ``_engine._check_history``)."""

    __slots__ = ("calendar", "labels", "order", "required")

    def __init__(self, labels: frozenset[str], required: int, calendar: str, order: tuple[str, ...]) -> None:
        self.labels = labels
        self.required = required
        self.calendar = calendar
        self.order = order


class PlannedInstrument:
    """One instrument of a role: its config, its kind, its scorers and its weight."""

    __slots__ = ("bound", "clause", "config", "factor", "id", "kind", "read", "title")

    def __init__(self, iid: str, config: Any, kind: Kind, bound: Bound, factor: Fraction | None) -> None:
        self.id = iid
        self.config = config
        self.kind = kind
        self.bound = bound
        self.read = kind.read
        self.factor = factor
        self.title: str = config.title
        self.clause: str = config.clause

    def score(self, evidence: Any, state: State) -> Fraction | None:
        """The careful scorer: every problem reported, every step explained when traced."""
        return self.bound.score(evidence, Scoring(state, self.id, self.title, self.clause))

    def quick(self, keep: bool) -> QuickScorer:
        """The kind's quick scorer, or the careful one run silently where the kind has none."""
        quick = self.bound.quick(keep)
        if quick is not None:
            return quick
        score = self.score

        def careful(ev: Any, state: State, iid: str) -> tuple[Fraction | None, int, int] | None:
            if type(ev) is MalformedEvidence:
                return None
            before = len(state.reasons)
            value = score(ev, state)
            if len(state.reasons) != before:
                return None
            return UNSCORED if value is None else (value, value.numerator, value.denominator)

        return careful


#: A quick-path term: (instrument id, evidence reader, quick scorer, factor numerator,
#: factor denominator); the factor is 0/0 for an instrument that is not weighted.
QuickTerm = tuple[str, Callable[[Any], Any], QuickScorer, int, int]


class Plan:
    """A scheme compiled for evaluation; built once and kept beside the scheme."""

    def __init__(self, scheme: m.Scheme, binding: Binding) -> None:
        # Weakly: the plan is kept for as long as the scheme lives, and must not keep it alive.
        self.scheme: m.Scheme = weakref.proxy(scheme)
        self.binding = binding
        rules = binding.predicates
        lineage = binding.lineage
        kinds = binding.kinds
        rule_predicates: dict[tuple[str, str], m.Predicate] = {}
        self.roles: dict[str, RolePlan] = {}
        linked_used: dict[str, tuple[str, ...]] = {}

        used: dict[str, str] = {}
        role_predicates: list[m.Predicate] = []  # every predicate of the role being planned

        def comp(p: m.Predicate) -> Compiled:
            role_predicates.append(p)
            facts_used(p, used)
            linked: dict[str, str] = {}
            outcomes_used(p, linked)
            for assessment, scale in linked.items():
                linked_used.setdefault(assessment, scheme.scales[scale].labels)
            return compile_predicate(p, scheme, rules, lineage)

        for role in scheme.roles:
            used.clear()
            role_predicates.clear()
            linked_used.clear()
            ranking_rules: list[m.Quota | m.Ranking] = [*scheme.quotas.values(), *scheme.rankings.values()]
            for ranked in ranking_rules:
                if role in scheme.role_ids(ranked.roles):
                    for key in ranked.rank_by:
                        if isinstance(key, m.FactKey):
                            used.setdefault(key.fact, "number")
            rp = RolePlan()
            weights: Mapping[str, Fraction] = {}
            for wid, w in scheme.weightings.items():
                if role in scheme.role_ids(w.roles):
                    weights, rp.weighting_id = w.weights, wid
                    break
            for iid, ins in scheme.instruments.items():
                if role in scheme.role_ids(getattr(ins, "roles", ())):  # a plugin kind may have no roles
                    kind = kinds[ins.kind]  # validation made sure every kind is registered
                    out_of = kind.out_of(ins)
                    factor = weights[iid] / out_of if iid in weights else None
                    rp.instruments.append(PlannedInstrument(iid, ins, kind, kind.bind(ins, scheme, iid), factor))
                    rp.titles[iid] = getattr(ins, "title", "") or iid
                    if factor is not None:
                        rp.terms.append((iid, factor.numerator, factor.denominator))
                        rp.weight_texts[iid] = f"{exact_text(factor * out_of)}/{exact_text(out_of)}"
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
                            rp.grid = [(*k.grid_range(b.interval, g.round.digits), b.grade) for b in g.bands]
                    else:
                        rp.conditions = [(r.grade, comp(r.when), r.clause or g.clause, r.text, r.when) for r in g.rules]
                        rp.fallback = g.fallback
                    break
            for rid, e in scheme.eligibility.items():
                if role in scheme.role_ids(e.roles):
                    rp.eligibility.append(
                        Rule(rid, "eligibility", e.clause, e.text, comp(e.when), e.status, when=e.when)
                    )
            for rid, v in scheme.vetoes.items():
                if role in scheme.role_ids(v.roles):
                    rp.vetoes.append(
                        Rule(rid, "veto", v.clause, v.text, comp(v.when), v.grade, rp.rank[v.grade], when=v.when)
                    )
                    rule_predicates["veto", rid] = v.when
            for rid, c in scheme.caps.items():
                if role in scheme.role_ids(c.roles):
                    rp.caps.append(
                        Rule(rid, "cap", c.clause, c.text, comp(c.when), c.at_most, rp.rank[c.at_most], when=c.when)
                    )
                    rule_predicates["cap", rid] = c.when
            for rid, f in scheme.findings.items():
                if role in scheme.role_ids(f.roles):
                    rp.findings.append(
                        Rule(rid, "finding", f.clause, f.text, comp(f.when), f.note or None, when=f.when)
                    )
                    rule_predicates["finding", rid] = f.when
            for rid, q in scheme.consequences.items():
                if role in scheme.role_ids(q.roles):
                    rp.consequences.append(Rule(rid, "consequence", q.clause, q.text, comp(q.when), when=q.when))
                    rule_predicates["consequence", rid] = q.when
            for rid, r in scheme.referrals.items():
                if role in scheme.role_ids(r.roles):
                    rp.referrals.append(Rule(rid, "referral", r.clause, r.text, comp(r.when), when=r.when))
                    rule_predicates["referral", rid] = r.when
            for rid, ranking in scheme.rankings.items():
                if role in scheme.role_ids(ranking.roles):
                    rp.ranked[rid] = None if ranking.when is None else comp(ranking.when)
            counted: dict[str, list[str]] = {}
            counting_rules: list[tuple[str, m.Quota | m.Ranking]] = [*scheme.quotas.items(), *scheme.rankings.items()]
            for rid, counting in counting_rules:
                if counting.per and role in scheme.role_ids(counting.roles):
                    counted.setdefault(counting.per, []).append(rid)
            rp.counted_by = {per: tuple(ids) for per, ids in sorted(counted.items())}
            rp.limits = (*rp.vetoes, *rp.caps)
            # The facts this role's rules read: each must be given, or have a default.
            rp.facts = {name: scheme.facts[name] for name in sorted(used) if name in scheme.facts}
            rp.defaults = {n: f.default for n, f in rp.facts.items() if f.default is not None}
            rp.linked = dict(sorted(linked_used.items()))
            streaks = [leaf for p in role_predicates for leaf in leaves(p) if isinstance(leaf, m.Streak)]
            if streaks:
                rp.history = HistoryNeeds(
                    frozenset(rp.labels),
                    max((s.periods - 1 for s in streaks if s.required), default=0),
                    scheme.periods.calendar,
                    scheme.periods.order,
                )
            rp.bool_facts = tuple(n for n, f in rp.facts.items() if f.type == "bool")
            rp.number_facts = tuple(n for n, f in rp.facts.items() if f.type == "number")
            rp.facts_read = len(rp.bool_facts) + len(rp.number_facts)
            # A referral is tested on the careful path only (it is rare, and explained).
            if not rp.applies and not rp.linked and not rp.referrals:
                rp.keep_tallies = _reads_tallies(scheme, role, role_predicates, rp.instruments)
                rp.quick, rp.quick_keeping = (
                    tuple(
                        (
                            ins.id,
                            ins.read,
                            ins.quick(keep),
                            ins.factor.numerator if ins.factor is not None else 0,
                            ins.factor.denominator if ins.factor is not None else 0,
                        )
                        for ins in rp.instruments
                    )
                    for keep in (rp.keep_tallies, True)
                )
                if rp.weighting_id and rp.grid and rp.rounding is not None:
                    rp.graded_memo = {}
            bool_facts = frozenset(rp.bool_facts)
            rp.limits_always = tuple(
                rule for rule in rp.limits if not _needs_a_true_fact(rule_predicates[rule.kind, rule.id], bool_facts)
            )
            for rules_for, role_rules, section in (
                (rp.consequences_for, rp.consequences, "consequence"),
                (rp.findings_for, rp.findings, "finding"),
            ):
                for grade in (*rp.labels, None):
                    rules_for[grade] = []
                for rule in role_rules:
                    grades, rest = _by_grade(rule_predicates[section, rule.id])
                    test = compile_predicate(rest, scheme, rules, lineage) if rest is not None else None
                    for grade in rules_for:
                        if grades is None or grade in grades:
                            rules_for[grade].append((rule, test))
            rp.consequences_settled = {
                grade: tuple(rule.outcome for rule, _ in under)
                for grade, under in rp.consequences_for.items()
                if all(rest is None for _, rest in under)
            }
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
        #: Every fact the scheme declares: a subject giving another is told so (a misspelt
        #: fact would otherwise be ignored, and its rule silently never hold).
        self.declared_facts = frozenset(scheme.facts)
        #: Group kinds with declared values: a subject's group must be one of them.
        self.group_values = {kind: frozenset(g.values) for kind, g in scheme.groups.items() if g.values}

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


def _reads_tallies(
    scheme: m.Scheme, role: str, predicates: list[m.Predicate], instruments: list[PlannedInstrument]
) -> bool:
    """Whether anything may read a subject's tallies or tiers.

    A share or rating test in one of the role's rules, a share ranking key of a quota
    or a ranking over the role, a Python predicate, or an instrument of a kind scored by a plugin's
    ``score`` function (it gets the context) may; built-in rules that read neither may
    not. Plugins' outcome adjusters also get the context: the engine keeps recording
    for them.
    """
    if any(ins.kind.declared.bind is None for ins in instruments):
        return True
    if any(isinstance(leaf, (m.ShareTest, m.RatingIs, m.NamedRule)) for p in predicates for leaf in leaves(p)):
        return True
    ranking_rules: list[m.Quota | m.Ranking] = [*scheme.quotas.values(), *scheme.rankings.values()]
    return any(
        isinstance(key, m.ShareKey)
        for ranked in ranking_rules
        if role in scheme.role_ids(ranked.roles)
        for key in ranked.rank_by
    )


def _needs_a_true_fact(p: m.Predicate, bool_facts: frozenset[str]) -> bool:
    """Whether ``p`` can hold only if one of the boolean facts is true.

    True for a test of a declared boolean fact, and for ``all`` / ``any`` of such
    tests: with every one of those facts false (the quick path has checked they
    are all given, as booleans) the predicate is false without being evaluated.
    """
    if isinstance(p, m.FactTest):
        return p.compare is None and p.fact in bool_facts
    if isinstance(p, m.AnyOf):
        return all(_needs_a_true_fact(x, bool_facts) for x in p.any)
    if isinstance(p, m.AllOf):
        return any(_needs_a_true_fact(x, bool_facts) for x in p.all)
    return False


def _by_grade(p: m.Predicate) -> tuple[frozenset[str] | None, m.Predicate | None]:
    """The grades under which ``p`` can hold (None: any), and what is left to test then.

    ``{ grade = "差" }`` holds exactly under 差, with nothing left to test;
    ``{ all = [{ grade = "差" }, { fact = "serious_problems" }] }`` only under 差,
    and then only if the fact is true. Anything else is tested as it is.
    """
    if isinstance(p, m.GradeIs):
        return frozenset(p.grade), None
    if isinstance(p, m.AllOf):
        grades: frozenset[str] | None = None
        rest: list[m.Predicate] = []
        for x in p.all:
            if isinstance(x, m.GradeIs):
                grades = frozenset(x.grade) if grades is None else grades & frozenset(x.grade)
            else:
                rest.append(x)
        if grades is not None:
            return grades, (None if not rest else rest[0] if len(rest) == 1 else m.AllOf(tuple(rest)))
    return None, p
