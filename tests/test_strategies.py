"""The hypothesis strategies of ``villageeval.testing.strategies``, and what they find.

The strategies promise valid data by construction: every generated scheme loads and
round-trips, every generated cohort gets past the evidence checks, and
``invalid_evidence`` never does. The properties below check those promises and, through
them, the engine: results independent of cohort order, hard quotas respected.

Evidence comes per instrument kind, from the strategies object the kind's spec names;
the tests of that dispatch use a plugin kind of their own (:data:`ATTENDANCE`), whose
strategies live in this module. The limits the strategies draw at come from the kernel:
one test changes a kernel rule and sees the strategies follow.

The number of examples comes from the hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample
from hypothesis.strategies import SearchStrategy

import villageeval as ve
from villageeval import _convert
from villageeval import _kernel as kernel
from villageeval import _model as m
from villageeval._kinds.ballot import Ballot
from villageeval._kinds.item_ballot import ItemBallot
from villageeval._plugins import builtin_kinds
from villageeval._result import EVIDENCE_CODES, ReasonCode
from villageeval.testing.strategies import (
    GRADING_KINDS,
    INSTRUMENT_KINDS,
    INVALID_EVIDENCE_CODES,
    cohorts,
    evidence,
    invalid_evidence,
    scheme_data,
    schemes,
    subjects,
)
from villageeval.testing.strategies._cohorts import history_keys
from villageeval.testing.strategies._dispatch import generating, kind_of, strategies_of
from villageeval.testing.strategies._kinds import ITEM_BALLOT, LEDGER
from villageeval.testing.strategies._kinds.item_ballot import MOST_ITEMS
from villageeval.testing.strategies._kinds.ledger import MOST_ENTRIES
from villageeval.testing.strategies._vocabulary import PERIODS

REGISTRY = ve.Registry(ve.make_plugin_manager(autoload=False))
CONVERTER = _convert.make_converter({name: kind.config for name, kind in builtin_kinds().items()})
HUINING = Path(__file__).parent.parent / "schemes" / "huining-midterm-2023"
BUNDLED = sorted(p for p in HUINING.parent.iterdir() if (p / "scheme.toml").is_file() and p != HUINING)

#: Cohorts for the properties: big enough for quotas per township and ties, small enough to be quick.
SIZE = 10


@pytest.fixture(scope="module")
def huining() -> ve.Scheme:
    """The bundled huining scheme, loaded from the source tree."""
    return ve.load_scheme(HUINING)


@functools.cache
def _bundled(path: Path) -> ve.Scheme:
    return ve.load_scheme(path)


def reasons(result: ve.Result) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Who is not graded or ineligible, and why: for assertion messages."""
    return [(o.subject_id, o.status, [(r.code, r.message) for r in o.reasons]) for o in result]


# --- schemes ------------------------------------------------------------------------------


class TestSchemes:
    """Every generated scheme is valid, and the generator reaches every kind."""

    @given(schemes())
    def test_round_trip(self, scheme: ve.Scheme) -> None:
        """A scheme loads back from its plain data unchanged."""
        assert ve.scheme_from_dict(ve.scheme_to_dict(scheme), registry=REGISTRY) == scheme

    @given(scheme_data())
    def test_structure_unstructure(self, data: dict[str, Any]) -> None:
        """Structure → unstructure → structure gives the same scheme, predicates included."""
        first = CONVERTER.structure(data, m.Scheme)
        again = CONVERTER.structure(CONVERTER.unstructure(first), m.Scheme)
        assert first == again
        for p in _predicates(first):
            assert _convert.structure_predicate(_convert.unstructure_predicate(p)) == p

    @given(
        schemes(
            kinds=("points", "rating"),
            gradings=("conditions",),
            max_roles=1,
            with_quotas=False,
            with_vetoes=False,
            with_caps=False,
            with_facts=False,
        )
    )
    def test_options(self, scheme: ve.Scheme) -> None:
        """What the options leave out is left out."""
        assert {i.kind for i in scheme.instruments.values()} <= {"points", "rating"}
        assert {g.kind for g in scheme.gradings.values()} == {"conditions"}
        assert len(scheme.roles) == 1
        assert not any((scheme.quotas, scheme.vetoes, scheme.caps, scheme.facts, scheme.eligibility))

    @pytest.mark.parametrize("kind", INSTRUMENT_KINDS)
    def test_every_instrument_kind(self, kind: str) -> None:
        """Each instrument kind is generated: weighted if it can be, else read by a rule (a count)."""
        if generating(kind).weighable:
            found = find(
                schemes(),
                lambda s: any(i.kind == kind for w in s.weightings.values() for i in map(s.instruments.get, w.weights)),
                settings=FIND,
            )
        else:
            found = find(schemes(), lambda s: kind in {s.instruments[i].kind for i in _read_scores(s)}, settings=FIND)
            assert not any(found.instruments[i].kind == kind for w in found.weightings.values() for i in w.weights)
        assert any(i.kind == kind for i in found.instruments.values())

    def test_count_kinds_need_a_weighable_one(self) -> None:
        """Every generated role has a total: kinds of counts alone are refused, with the kinds that can be weighted."""
        with pytest.raises(InvalidArgument, match=r"'ballot', 'rating', 'score', 'points'.*'item_ballot', 'ledger'"):
            schemes(kinds=("item_ballot", "ledger"))
        assert find(
            schemes(kinds=("score", "ledger")),
            lambda s: {i.kind for i in s.instruments.values()} == {"score", "ledger"},
            settings=FIND,
        )

    @pytest.mark.parametrize("kind", GRADING_KINDS)
    def test_every_grading_kind(self, kind: str) -> None:
        """Both grading kinds are generated."""
        assert find(schemes(), lambda s: any(g.kind == kind for g in s.gradings.values()), settings=FIND)

    @pytest.mark.parametrize(
        "what",
        [
            "bands without rounding",
            "bands rounded to decimals",
            "a ballot with quorum, coverage and strata",
            "a cap on another assessment's outcome",
            "a streak",
            "a hard at_least quota per township",
            "a rank_by fact",
            "a number fact with a default",
            "two gradings",
            "a share of a ledger's statuses",
            "an item ballot with at_least and measure rejected",
        ],
    )
    def test_features(self, what: str) -> None:
        """The corners of the format are reached too."""
        assert find(schemes(), FEATURES[what], settings=FIND)


#: Existence checks generate only: no shrinking towards a minimal example, no database. The
#: budget is an upper bound, not a cost: the search stops at the first example found (after
#: a few dozen at most for every feature here), so it only keeps a rare miss from failing.
FIND = settings(phases=[Phase.generate], database=None, max_examples=1000)


def _predicates(s: m.Scheme) -> list[m.Predicate]:
    found: list[m.Predicate] = [
        r.when for g in s.gradings.values() if isinstance(g, m.ConditionGrading) for r in g.rules
    ]
    for section in (s.eligibility, s.vetoes, s.caps, s.findings, s.consequences):
        found += [r.when for r in section.values()]
    found += [i.applies_when for i in s.instruments.values() if getattr(i, "applies_when", None) is not None]
    return found


def _leaves(p: m.Predicate) -> list[m.Predicate]:
    if isinstance(p, (m.AllOf, m.AnyOf)):
        return [x for sub in (p.all if isinstance(p, m.AllOf) else p.any) for x in _leaves(sub)]
    if isinstance(p, m.Not):
        return _leaves(p.not_)
    return [p]


def _bands(s: m.Scheme) -> list[m.BandGrading]:
    return [g for g in s.gradings.values() if isinstance(g, m.BandGrading)]


FEATURES: dict[str, Callable[[m.Scheme], bool]] = {
    "bands without rounding": lambda s: any(g.round is None and len(g.bands) > 1 for g in _bands(s)),
    "bands rounded to decimals": lambda s: any(g.round and g.round.digits and len(g.bands) > 1 for g in _bands(s)),
    "a ballot with quorum, coverage and strata": lambda s: any(
        isinstance(i, Ballot) and (i.quorum or i.must_cover or i.per_stratum) for i in s.instruments.values()
    ),
    "a cap on another assessment's outcome": lambda s: any(
        isinstance(x, m.OutcomeTest) for c in s.caps.values() for x in _leaves(c.when)
    ),
    "a streak": lambda s: any(isinstance(x, m.Streak) for p in _predicates(s) for x in _leaves(p)),
    "a hard at_least quota per township": lambda s: any(
        q.bound == "at_least" and q.enforce == "hard" and q.per for q in s.quotas.values()
    ),
    "a rank_by fact": lambda s: any(isinstance(k, m.FactKey) for q in s.quotas.values() for k in q.rank_by),
    "a number fact with a default": lambda s: any(
        f.type == "number" and f.default is not None for f in s.facts.values()
    ),
    "two gradings": lambda s: len(s.gradings) > 1,
    "a share of a ledger's statuses": lambda s: any(
        isinstance(x, m.ShareTest) and s.instruments[x.share].kind == "ledger"
        for p in _predicates(s)
        for x in _leaves(p)
    ),
    "an item ballot with at_least and measure rejected": lambda s: any(
        isinstance(i, ItemBallot) and i.reject_when.at_least is not None and i.measure == "rejected"
        for i in s.instruments.values()
    ),
}


def _read_scores(s: m.Scheme) -> set[str]:
    """The instruments whose sub-score a rule of the scheme compares (``{ score = "<id>", ... }``) or ranks by."""
    found = {x.score for p in _predicates(s) for x in _leaves(p) if isinstance(x, m.ScoreTest) and x.score != "total"}
    return found | {
        k.score for q in s.quotas.values() for k in q.rank_by if isinstance(k, m.ScoreKey) and k.score != "total"
    }


# --- cohorts ---------------------------------------------------------------------------------


class TestCohorts:
    """Generated evidence passes every check: subjects are graded or ineligible."""

    @given(data=st.data())
    def test_generated(self, data: st.DataObject) -> None:
        """For generated schemes of every kind."""
        scheme = data.draw(schemes())
        result = ve.evaluate(scheme, data.draw(cohorts(scheme, max_size=SIZE)), trace=False)
        assert all(o.status in ("graded", "ineligible") for o in result), reasons(result)
        for o in result:
            event(o.status)
        for p in result.populations:
            event(f"quota {p.bound} {p.status}" + (" tie" if p.ties else ""))

    @given(data=st.data())
    def test_huining(self, huining: ve.Scheme, data: st.DataObject) -> None:
        """For the bundled huining scheme (strata, every-member coverage, required facts)."""
        result = ve.evaluate(huining, data.draw(cohorts(huining, max_size=SIZE)), trace=False)
        assert all(o.status == "graded" for o in result), reasons(result)

    @given(data=st.data())
    def test_bundled(self, data: st.DataObject) -> None:
        """For the other schemes in schemes/: applies_when, rating predicates, rules.py predicates,
        item ballots (yugong) and a ledger (tianxing), by their kinds' own strategies."""
        scheme = _bundled(data.draw(st.sampled_from(BUNDLED)))
        result = ve.evaluate(scheme, data.draw(cohorts(scheme, max_size=5)), trace=False)
        assert all(o.status in ("graded", "ineligible") for o in result), reasons(result)

    @given(data=st.data())
    def test_subjects_and_evidence(self, huining: ve.Scheme, data: st.DataObject) -> None:
        """The building blocks on their own: one subject, and evidence for one instrument."""
        subject = data.draw(subjects(huining, role="member", id="xicha-member"))
        visit = data.draw(evidence(huining, "household_visit"))
        assert isinstance(visit, ve.BallotEvidence)
        assert sum(visit.strata.values()) == sum(visit.tallies.values())
        subject = attrs.evolve(subject, evidence={**subject.evidence, "household_visit": visit})
        outcome = ve.evaluate(huining, ve.Cohort([subject]), trace=False).outcome("xicha-member")
        assert ("xicha-member", "member", "graded") == (outcome.subject_id, outcome.role, outcome.status)

    @given(data=st.data())
    def test_exact(self, data: st.DataObject) -> None:
        """Scores, points and number facts are exact: never a float."""
        scheme = data.draw(schemes())
        for s in data.draw(cohorts(scheme, max_size=3)).subjects:
            assert not _floats(s), s
            assert all(isinstance(v, (bool, int, Fraction, Decimal)) for v in s.facts.values()), s.facts

    @given(data=st.data())
    def test_order(self, data: st.DataObject) -> None:
        """The result does not depend on the order of the subjects."""
        scheme = data.draw(schemes())
        cohort = data.draw(cohorts(scheme, max_size=SIZE))
        shuffled = ve.Cohort(data.draw(st.permutations(cohort.subjects)))
        a = ve.evaluate(scheme, cohort, trace=False)
        b = ve.evaluate(scheme, shuffled, trace=False)
        assert _graded(a, trace=False) == _graded(b, trace=False)


def _floats(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_floats(v) for v in value.values())
    if attrs.has(type(value)):
        return any(_floats(v) for v in attrs.asdict(value, recurse=False).values())
    return False


# --- invalid evidence --------------------------------------------------------------------------


def _without_eligibility(scheme: ve.Scheme) -> ve.Scheme:
    """The scheme without its eligibility rules: an ineligible subject is never insufficient."""
    data = ve.scheme_to_dict(scheme)
    data.pop("eligibility", None)
    return ve.scheme_from_dict(data, registry=REGISTRY)


def _break_one(scheme: ve.Scheme, data: st.DataObject) -> tuple[str, ve.Outcome]:
    """A valid subject with one instrument's evidence replaced by invalid evidence."""
    subject = data.draw(subjects(scheme))
    applying = sorted(
        iid
        for iid, ins in scheme.instruments.items()
        if subject.role in scheme.role_ids(ins.roles) and ins.applies_when is None
    )
    iid = data.draw(st.sampled_from(applying))
    broken = data.draw(invalid_evidence(scheme, iid))
    subject = attrs.evolve(subject, evidence={**subject.evidence, iid: broken})
    return iid, ve.evaluate(scheme, ve.Cohort([subject]), trace=False).outcome(subject.id)


class TestInvalidEvidence:
    """Invalid evidence always makes the subject insufficient, with a documented code."""

    @given(data=st.data())
    def test_generated(self, data: st.DataObject) -> None:
        """For generated schemes (without eligibility, which would take precedence)."""
        scheme = _without_eligibility(data.draw(schemes()))
        iid, outcome = _break_one(scheme, data)
        assert outcome.status == "insufficient_evidence", outcome
        assert {r.code for r in outcome.reasons} <= INVALID_EVIDENCE_CODES, outcome.reasons
        assert any(r.instrument == iid for r in outcome.reasons), outcome.reasons
        declared = strategies_of(kind_of(scheme, iid))
        assert declared is not None
        assert {r.code for r in outcome.reasons if r.instrument == iid} <= declared.codes, outcome.reasons
        for r in outcome.reasons:
            event(r.code)

    @given(data=st.data())
    def test_huining(self, huining: ve.Scheme, data: st.DataObject) -> None:
        """For the bundled huining scheme."""
        iid, outcome = _break_one(huining, data)
        assert outcome.status == "insufficient_evidence", outcome
        assert {r.code for r in outcome.reasons} <= INVALID_EVIDENCE_CODES, outcome.reasons
        assert any(r.instrument == iid for r in outcome.reasons), outcome.reasons


# --- quotas ------------------------------------------------------------------------------------


def _populations(scheme: ve.Scheme, cohort: ve.Cohort, q: m.Quota) -> dict[str | None, list[str]]:
    """The ids of each population the quota counts, by group."""
    roles = scheme.role_ids(q.roles)
    out: dict[str | None, list[str]] = {}
    for s in cohort.subjects:
        if s.role in roles:
            out.setdefault(s.groups[q.per] if q.per else None, []).append(s.id)
    return out


def _limit(q: m.Quota, outcomes: list[ve.Outcome]) -> int:
    if q.number is not None:  # 每个乡镇推荐2名: the number itself, whatever the size
        return q.number
    size = len(outcomes) if q.base == "all" else sum(o.status == "graded" for o in outcomes)
    assert q.share is not None
    exact = q.share * size
    return floor(exact) if q.count == "floor" else ceil(exact)


def _labels(scheme: ve.Scheme, q: m.Quota) -> tuple[str, ...]:
    role = scheme.role_ids(q.roles)[0]
    grading = next(g for g in scheme.gradings.values() if role in scheme.role_ids(g.roles))
    return scheme.scales[grading.scale].labels


def _grade_around(o: ve.Outcome, order: list[str], qid: str, *, after: bool) -> str | None:
    """The grade just before (or just after) quota ``qid`` ran, replayed from the adjustments."""
    pos = {q: i for i, q in enumerate(order)}
    grade = o.raw_grade
    for a in o.adjustments:
        if a.kind == "quota" and (pos[a.rule] > pos[qid] or (pos[a.rule] == pos[qid] and not after)):
            break
        grade = a.to_grade
    return grade


def _ceiling(scheme: ve.Scheme, o: ve.Outcome, labels: tuple[str, ...]) -> int:
    """The best grade (as a rank) the vetoes and caps that held allow."""
    ranks = [0]
    for flag in o.flags:
        kind, _, rid = flag.partition(":")
        if kind == "veto":
            ranks.append(labels.index(scheme.vetoes[rid].grade))
        elif kind == "cap":
            ranks.append(labels.index(scheme.caps[rid].at_most))
    return max(ranks)


class TestQuotas:
    """Hard quotas hold in every population of every generated scheme."""

    @given(data=st.data())
    def test_at_most_never_exceeded(self, data: st.DataObject) -> None:
        """Holders of a hard at_most quota's grade never exceed floor/ceil(share × size)."""
        scheme = data.draw(schemes())
        cohort = data.draw(cohorts(scheme, max_size=SIZE))
        result = ve.evaluate(scheme, cohort, trace=False)
        for qid, q in scheme.quotas.items():
            if q.bound != "at_most" or q.enforce != "hard":
                continue
            for group, ids in _populations(scheme, cohort, q).items():
                outcomes = [result.outcome(i) for i in ids]
                holders = sum(o.status == "graded" and o.final_grade == q.grade for o in outcomes)
                assert holders <= _limit(q, outcomes), (qid, group, reasons(result))

    @given(data=st.data())
    def test_at_least_met(self, data: st.DataObject) -> None:
        """A hard at_least quota is met whenever its fill_from pool is big enough.

        The pool is who, just before the quota ran, held ``fill_from`` (or the default
        source grade) and was allowed ``grade`` by every veto and cap that held.
        """
        scheme = data.draw(schemes())
        cohort = data.draw(cohorts(scheme, max_size=SIZE))
        result = ve.evaluate(scheme, cohort, trace=False)
        order = list(dict.fromkeys(p.quota for p in result.populations))
        for qid, q in scheme.quotas.items():
            if q.bound != "at_least" or q.enforce != "hard":
                continue
            labels = _labels(scheme, q)
            rank = labels.index(q.grade)
            source = q.fill_from or (labels[rank + 1] if rank + 1 < len(labels) else labels[rank - 1])
            for group, ids in _populations(scheme, cohort, q).items():
                graded = [o for o in (result.outcome(i) for i in ids) if o.status == "graded"]
                limit = _limit(q, [result.outcome(i) for i in ids])
                before = sum(_grade_around(o, order, qid, after=False) == q.grade for o in graded)
                after = sum(_grade_around(o, order, qid, after=True) == q.grade for o in graded)
                pool = [
                    o
                    for o in graded
                    if _grade_around(o, order, qid, after=False) == source and _ceiling(scheme, o, labels) <= rank
                ]
                assert after >= min(limit, before + len(pool)), (qid, group, before, after, limit, len(pool))
                assert after <= max(before, limit), (qid, group, before, after, limit)
                event(f"at_least {'filled' if after > before else 'met' if before >= limit else 'unmet'}")


def test_ties_at_the_cut_happen() -> None:
    """Identical evidence makes quota ties at the cut common enough to be found."""

    def tie(pair: tuple[ve.Scheme, ve.Cohort]) -> bool:
        result = ve.evaluate(*pair, trace=False)
        return any(p.ties and p.enforce == "hard" for p in result.populations)

    pairs = schemes().flatmap(lambda s: st.tuples(st.just(s), cohorts(s, min_size=4, max_size=SIZE)))
    scheme, cohort = find(pairs, tie, settings=FIND)
    assert any(any(f.startswith("quota_tie:") for f in o.flags) for o in ve.evaluate(scheme, cohort))


# --- per kind, through the specs -------------------------------------------------------------


class TestPerKind:
    """The strategies of each kind come from the strategies object its spec names."""

    def test_instrument_kinds_from_specs(self) -> None:
        """Every built-in kind names its strategies, and schemes() generates each of them."""
        assert ("ballot", "rating", "score", "points", "item_ballot", "ledger") == INSTRUMENT_KINDS
        assert tuple(builtin_kinds()) == INSTRUMENT_KINDS
        assert all(kind.declared.strategies for kind in builtin_kinds().values())
        assert (generating("item_ballot"), generating("ledger")) == (ITEM_BALLOT, LEDGER)

    def test_codes(self) -> None:
        """The codes are the engine's evidence codes; the built-in kinds' declared codes make up all of them."""
        assert {c.value for c in EVIDENCE_CODES} == INVALID_EVIDENCE_CODES
        assert all(isinstance(code, str) and type(code) is str for code in INVALID_EVIDENCE_CODES)
        declared = [strategies_of(kind) for kind in builtin_kinds().values()]
        assert all(d is not None and all(isinstance(c, ReasonCode) for c in d.codes) for d in declared)
        assert INVALID_EVIDENCE_CODES == set().union(*(d.codes for d in declared if d is not None))

    @given(data=st.data())
    def test_plugin_kind_with_strategies(self, data: st.DataObject) -> None:
        """A plugin kind's own strategies draw its evidence: valid evidence grades, invalid does not."""
        scheme = attendance_scheme(ATTENDANCE)
        result = ve.evaluate(scheme, data.draw(cohorts(scheme, max_size=5)), trace=False)
        assert all(o.status == "graded" for o in result), reasons(result)
        subject = data.draw(subjects(scheme))
        broken = data.draw(invalid_evidence(scheme, "meetings"))
        subject = attrs.evolve(subject, evidence={"meetings": broken})
        outcome = ve.evaluate(scheme, ve.Cohort([subject]), trace=False).outcome(subject.id)
        assert outcome.status == "insufficient_evidence"
        assert {r.code for r in outcome.reasons} <= ATTENDANCE_STRATEGIES.codes

    def test_plugin_kind_without_strategies(self) -> None:
        """A kind without strategies needs plugin_evidence; without it the error names the kind."""
        scheme = attendance_scheme(attrs.evolve(ATTENDANCE, strategies=None))
        with pytest.raises(InvalidArgument, match=r"'meetings' is of the kind 'attendance'.*plugin_evidence"):
            cohorts(scheme)
        given_here = {"attendance": lambda config: st.builds(ve.ScoreEvidence, st.integers(0, config.held))}
        found = find(evidence(scheme, "meetings", plugin_evidence=given_here), lambda ev: True, settings=FIND)
        assert isinstance(found, ve.ScoreEvidence)
        assert isinstance(find(invalid_evidence(scheme, "meetings"), lambda ev: True), ve.MalformedEvidence)

    def test_broken_strategies(self) -> None:
        """Strategies that cannot be imported, or lack the protocol, are a PluginError naming the kind."""
        for target in ("tests.no_such_module:X", "tests.test_strategies:FIND"):
            scheme = attendance_scheme(attrs.evolve(ATTENDANCE, strategies=target))
            with pytest.raises(ve.PluginError, match=rf"kind 'attendance' \(plugin 'county_a'\).*{target}"):
                evidence(scheme, "meetings")


#: The built-in kinds whose sub-score is a count, never weighted: their strategies, and the
#: count their evidence reaches at best.
COUNT_KINDS: dict[str, tuple[Any, int]] = {"item_ballot": (ITEM_BALLOT, MOST_ITEMS), "ledger": (LEDGER, MOST_ENTRIES)}


def _count_scheme(data: st.DataObject, kind: str) -> tuple[ve.Scheme, ve.Subject, str]:
    """A generated scheme with an instrument of ``kind`` (without eligibility), a valid subject, and the
    instrument, one that applies to the subject unconditionally."""

    def unconditional(s: ve.Scheme) -> list[str]:
        return sorted(i for i, ins in s.instruments.items() if ins.kind == kind and _condition(ins) is None)

    drawn = schemes(kinds=(data.draw(st.sampled_from(("ballot", "score"))), kind))
    scheme = _without_eligibility(data.draw(drawn.filter(lambda s: bool(unconditional(s)))))
    iid = data.draw(st.sampled_from(unconditional(scheme)))
    roles = scheme.role_ids(getattr(scheme.instruments[iid], "roles", ()))
    subject = data.draw(subjects(scheme, role=data.draw(st.sampled_from(sorted(roles)))))
    return scheme, subject, iid


def _condition(ins: Any) -> Any:
    """An instrument's ``applies_when`` (None: it always applies)."""
    return getattr(ins, "applies_when", None)


def _gives(code: str, case: tuple[Any, str]) -> bool:
    return case[1] == code


@pytest.mark.parametrize("kind", sorted(COUNT_KINDS))
class TestCountKinds:
    """item_ballot and ledger: their sub-score is a count, read by rules and never weighted."""

    @given(data=st.data())
    def test_valid_evidence_grades(self, kind: str, data: st.DataObject) -> None:
        """Evidence at every level grades the subject; at best the count is the most drawn, at worst 0."""
        scheme, subject, iid = _count_scheme(data, kind)
        strategies, most = COUNT_KINDS[kind]
        for level in ("random", "best", "worst"):
            ev = data.draw(strategies.evidence(scheme, iid, level))
            broken = attrs.evolve(subject, evidence={**subject.evidence, iid: ev})
            outcome = ve.evaluate(scheme, ve.Cohort([broken]), trace=False).outcome(subject.id)
            assert outcome.status == "graded", (level, ev, outcome.reasons)
            count = outcome.instrument_scores[iid]
            assert count is not None, (level, ev)
            assert 0 <= count <= most, (level, ev, count)
            assert count == {"random": count, "best": most, "worst": 0}[level], (level, ev)

    @given(data=st.data())
    def test_invalid_evidence_gives_its_code(self, kind: str, data: st.DataObject) -> None:
        """Each invalid evidence makes the subject insufficient with exactly the code drawn with it."""
        scheme, subject, iid = _count_scheme(data, kind)
        strategies, _ = COUNT_KINDS[kind]
        ev, code = data.draw(strategies.invalid_cases(scheme, iid))
        subject = attrs.evolve(subject, evidence={**subject.evidence, iid: ev})
        outcome = ve.evaluate(scheme, ve.Cohort([subject]), trace=False).outcome(subject.id)
        assert outcome.status == "insufficient_evidence", (ev, outcome)
        assert {(r.code, r.instrument) for r in outcome.reasons} == {(code, iid)}, (ev, outcome.reasons)
        assert code in strategies.codes
        event(code)

    def test_every_code_is_drawn(self, kind: str) -> None:
        """Every code the kind's strategies declare comes with some invalid evidence they draw."""
        strategies, _ = COUNT_KINDS[kind]
        scheme = _bundled(
            HUINING.parent / ("yugong-pledge-2023" if kind == "item_ballot" else "tianxing-rectification-2015")
        )
        iid = next(i for i, ins in scheme.instruments.items() if ins.kind == kind)
        for code in strategies.codes:
            assert find(strategies.invalid_cases(scheme, iid), functools.partial(_gives, code), settings=FIND)
        found = find(invalid_evidence(scheme, iid), lambda ev: True, settings=FIND)
        assert found is not None


@attrs.frozen
class Attendance:
    """A plugin instrument: meetings attended out of those held, scored out of 100."""

    title: str
    clause: str
    held: int
    kind: str = "attendance"


def attendance_score(config: Attendance, ev: object, context: ve.RuleContext) -> Fraction:
    assert isinstance(ev, ve.ScoreEvidence)
    attended = Fraction(ev.value)
    if not 0 <= attended <= config.held:
        raise ve.EvidenceProblem("attendance_out_of_range", f"{attended} meetings attended, {config.held} held")
    return attended * 100 / config.held


class AttendanceStrategies:
    """The strategies a plugin ships for its kind, as docs/testing.md describes them."""

    codes = frozenset({"attendance_out_of_range", ReasonCode.INVALID_EVIDENCE})

    def evidence(self, scheme: ve.Scheme, instrument_id: str, level: str) -> SearchStrategy[Any]:
        held = scheme.instruments[instrument_id].held  # type: ignore[attr-defined]
        attended = {"best": st.just(held), "worst": st.just(0)}.get(level, st.integers(0, held))
        return st.builds(ve.ScoreEvidence, attended)

    def invalid_evidence(self, scheme: ve.Scheme, instrument_id: str) -> SearchStrategy[Any]:
        held = scheme.instruments[instrument_id].held  # type: ignore[attr-defined]
        return st.builds(ve.ScoreEvidence, st.integers(held + 1, held + 10))


ATTENDANCE_STRATEGIES = AttendanceStrategies()

ATTENDANCE = ve.InstrumentKind(
    name="attendance",
    config=Attendance,
    score=attendance_score,
    score_range=lambda config: (Fraction(0), Fraction(100)),
    evidence=ve.ScoreEvidence,
    strategies="tests.test_strategies:ATTENDANCE_STRATEGIES",
)


def attendance_scheme(kind: ve.InstrumentKind) -> ve.Scheme:
    """A one-instrument scheme of the plugin kind ``kind``, loaded through a registry with it."""
    plugin = types.ModuleType("county_a")
    plugin.villageeval_register_instrument_kinds = ve.hookimpl(lambda: [kind])  # type: ignore[attr-defined]
    data = {
        "id": "attendance-test",
        "title": "出勤考核",
        "locality": {"name": "某县"},
        "roles": {"team": {"label": "村“两委”班子"}},
        "scales": {"grade": {"tiers": ["好", "差"]}},
        "instruments": {"meetings": {"kind": "attendance", "title": "会议出勤", "clause": "一", "held": 12}},
        "weightings": {"main": {"clause": "二", "total": 100, "weights": {"meetings": 100}}},
        "gradings": {
            "main": {
                "clause": "三",
                "scale": "grade",
                "bands": [{"grade": "好", "at_least": 60}, {"grade": "差", "below": 60}],
            }
        },
    }
    return ve.scheme_from_dict(data, registry=ve.Registry(ve.make_plugin_manager(autoload=False, plugins=[plugin])))


# --- the kernel's limits ------------------------------------------------------------------------


def test_history_is_what_a_streak_reads() -> None:
    """The history keys drawn are the periods the kernel's previous_periods looks back on."""
    for period in (*PERIODS, "2024上半年", "0"):
        for n in range(1, 4):
            keys = history_keys(period, n)
            assert keys == (kernel.previous_periods(period, keys, n) or []), (period, n, keys)
            assert len(keys) in (0, n)
    assert ["2023", "2022"] == history_keys("2024", 2)


def _ballots(ev: Any) -> int:
    """The ballots of evidence with whole counts; -1 for any other."""
    if not isinstance(ev, ve.BallotEvidence) or not all(type(n) is int for n in ev.tallies.values()):
        return -1
    return sum(ev.tallies.values())


def test_the_fewest_ballots_follow_the_kernel(huining: ve.Scheme, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed kernel rule changes the strategies: three more ballots needed, three more drawn."""
    assert find(evidence(huining, "appraisal"), lambda ev: _ballots(ev) == 20, settings=FIND)
    least = kernel.least_ballots
    monkeypatch.setattr(kernel, "least_ballots", lambda n, empty=False: least(n, empty) + 3)
    assert find(evidence(huining, "appraisal"), lambda ev: _ballots(ev) == 23, settings=FIND)
    with pytest.raises(NoSuchExample):
        find(evidence(huining, "appraisal"), lambda ev: _ballots(ev) < 23, settings=FIND)
    assert find(invalid_evidence(huining, "appraisal"), lambda ev: _ballots(ev) == 22, settings=FIND)


def _graded(result: ve.Result, *, trace: bool = True) -> dict[str, Any]:
    """A result's JSON without what identifies the evaluation (decision id, time) and the
    cohort (its hash): what two evaluations of differently ordered cohorts share."""
    data = ve.result_to_dict(result, trace=trace)
    for key in ("decision_id", "evaluated_at", "cohort_hash"):
        del data["audit"][key]
    return data
