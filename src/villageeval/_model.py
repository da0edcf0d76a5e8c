"""The scheme model: one frozen attrs class per concept of a locality's rules.

A scheme is data. Everything a document states in numbers lives here, and every
rule carries the clause of the document it comes from so that outcomes can cite
it. The classes are deliberately permissive in ``__init__``: checks that relate
one part of a scheme to another (a weighting naming an unknown instrument, bands
leaving a gap) are done by :mod:`villageeval._validate`, which reports all
problems at once with their key paths instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, Literal, NewType, Protocol, Union

import attrs
from attrs import field, frozen

from . import _kernel
from ._annotations import resolve_annotations

__all__ = [
    "AllOf",
    "AnyOf",
    "Band",
    "BandGrading",
    "Cap",
    "Comparison",
    "ConditionGrading",
    "ConditionRule",
    "Consequence",
    "Eligibility",
    "Fact",
    "FactKey",
    "FactTest",
    "Finding",
    "GradeIs",
    "Grading",
    "GroupKind",
    "Instrument",
    "InstrumentConfig",
    "Locality",
    "NamedRule",
    "Not",
    "OutcomeTest",
    "Parameter",
    "Periods",
    "Predicate",
    "Quota",
    "RankKey",
    "RankTest",
    "Ranking",
    "RatingIs",
    "Role",
    "RoleIs",
    "Rounding",
    "Scale",
    "Scheme",
    "ScoreKey",
    "ScoreTest",
    "ShareKey",
    "ShareTest",
    "Source",
    "Streak",
    "Tier",
    "Veto",
    "Weighting",
]

#: A share of a population or of ballots, in [0, 1]: written as a number (``0.4``) or,
#: as documents write it, a percent literal (``"40%"``), wherever a share goes.
Share = NewType("Share", Fraction)
RoundingMode = Literal["half_up", "half_even", "half_down", "down", "up", "floor", "ceiling"]
CoverMode = Literal["every_member", "at_least_one"]


def str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    """A converter to a tuple that type checkers accept for arrays of labels."""
    return tuple(value)


# --- identity -----------------------------------------------------------------


@frozen
class Locality:
    """Where the scheme applies: a name and, optionally, its GB/T 2260 code."""

    name: str
    code: str | None = None


@frozen
class Source:
    """The document a scheme encodes, so every outcome can be traced to it."""

    document: str = ""
    title: str = ""
    date: str = ""
    issuer: str = ""
    section: str = ""


@frozen
class Role:
    """Something the scheme grades: a team (班子), a secretary, a village."""

    label: str


@frozen
class Tier:
    """One tier of a scale; ``points`` is what a ballot in this tier is worth."""

    label: str
    points: Fraction | None = None


@frozen
class Scale:
    """Ordered tiers, best first (好 / 一般 / 差; 优秀 / 称职 / 基本称职 / 不称职)."""

    tiers: tuple[Tier, ...] = field(converter=tuple)
    title: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """The tier labels, best first."""
        return tuple(t.label for t in self.tiers)

    def rank(self, label: str) -> int:
        """0 for the best tier, growing towards the worst."""
        return self.labels.index(label)


# --- instruments ------------------------------------------------------------------


class InstrumentConfig(Protocol):
    """What every instrument's config has, whatever its kind.

    Each kind defines its own config class (``villageeval._kinds``: ``Ballot``,
    ``Rating``, ``DirectScore``, ``Points``; a plugin's kind, its own); the scheme holds
    them by instrument id. ``roles``, ``applies_when``, ``must_cover`` and ``cover``
    are read where a config has them.
    """

    @property
    def title(self) -> str: ...

    @property
    def clause(self) -> str: ...

    @property
    def kind(self) -> str: ...


#: An instrument of a scheme: the config of one of the registered kinds.
Instrument = InstrumentConfig


# --- predicates -------------------------------------------------------------------


@frozen
class Comparison:
    """A threshold test; exactly one bound in practice, more are all required."""

    at_least: Fraction | None = None
    above: Fraction | None = None
    at_most: Fraction | None = None
    below: Fraction | None = None
    equals: Fraction | None = None

    @property
    def interval(self) -> _kernel.Interval:
        """The values that pass every bound (see :func:`villageeval._kernel.interval`)."""
        return _kernel.interval(self.at_least, self.above, self.at_most, self.below, self.equals)

    def test(self, value: Fraction) -> bool:
        """Whether ``value`` passes every bound given."""
        return _kernel.in_interval(self.interval, value)

    def describe(self) -> str:
        """Human wording, e.g. ``>= 85``."""
        parts = []
        for name, sym in (
            ("at_least", ">="),
            ("above", ">"),
            ("at_most", "<="),
            ("below", "<"),
            ("equals", "=="),
        ):
            v = getattr(self, name)
            if v is not None:
                parts.append(f"{sym} {fmt(v)}")
        return " and ".join(parts)


def fmt(v: Fraction) -> str:
    """A number as a scheme author writes it: ``85``, ``84.5``, ``1690/19``."""
    if v.denominator == 1:
        return str(v.numerator)
    from decimal import Decimal

    d = Decimal(v.numerator) / Decimal(v.denominator)
    if Fraction(d) == v:
        return str(d)
    return f"{v.numerator}/{v.denominator}"


@frozen
class FactTest:
    """A fact of the subject: true (no comparison) or a number passing one."""

    fact: str
    compare: Comparison | None = None


@frozen
class ScoreTest:
    """A sub-score (instrument id) or ``total`` passing a comparison."""

    score: str
    compare: Comparison


@frozen
class ShareTest:
    """The share of some tiers among an instrument's ballots passing a comparison."""

    share: str
    tiers: tuple[str, ...] = field(converter=str_tuple)
    compare: Comparison = Comparison()


@frozen
class GradeIs:
    """The subject's current grade is one of ``grades``."""

    grade: tuple[str, ...] = field(converter=str_tuple)


@frozen
class Streak:
    """The current grade and the ``periods - 1`` previous ones all in ``grade`` (连续两年).

    ``required``: the history of those previous periods must be given; a subject without
    it is ``insufficient_evidence`` (``missing_history``) rather than "no streak".
    """

    streak: tuple[str, ...] = field(converter=str_tuple)
    periods: int = 2
    required: bool = False


@frozen
class OutcomeTest:
    """Another assessment's grade for this subject, compared on that scale."""

    outcome: str
    scale: str
    worse_than: str | None = None
    is_in: tuple[str, ...] = field(default=(), converter=str_tuple)


@frozen
class RatingIs:
    """The tier a group gave on a rating instrument is one of ``is_in``."""

    rating: str
    is_in: tuple[str, ...] = field(converter=str_tuple)


@frozen
class Present:
    """Evidence for an instrument was given: for one with ``required = false`` (a year-end
    score that only one consequence reads), whose evidence may be left out."""

    present: str


@frozen
class RankTest:
    """The subject's place in one of the scheme's rankings passing a comparison
    (前三名: ``{ rank = "total", at_most = 3 }``); a subject without a place never passes.

    Places are known only once every subject is graded, so only findings and
    consequences read them.
    """

    rank: str
    compare: Comparison


@frozen
class RoleIs:
    """The subject's role is one of ``roles``."""

    role: tuple[str, ...] = field(converter=str_tuple)


@frozen
class NamedRule:
    """A predicate registered in Python by a plugin, named by the scheme."""

    rule: str


def _predicates(value: Iterable[Predicate]) -> tuple[Predicate, ...]:
    return tuple(value)


@frozen
class AllOf:
    """Every predicate holds."""

    all: tuple[Predicate, ...] = field(converter=_predicates)


@frozen
class AnyOf:
    """At least one predicate holds."""

    any: tuple[Predicate, ...] = field(converter=_predicates)


@frozen
class Not:
    """The predicate does not hold."""

    not_: Predicate


Predicate = Union[
    FactTest,
    ScoreTest,
    ShareTest,
    GradeIs,
    Streak,
    OutcomeTest,
    RatingIs,
    Present,
    RankTest,
    RoleIs,
    NamedRule,
    AllOf,
    AnyOf,
    Not,
]


# --- parameters ---------------------------------------------------------------------------


@frozen
class Parameter:
    """A number (or text) the document states once and rules use by name.

    A scheme writes ``"$name"`` wherever the value goes, so a figure masked in
    the source document (002's "每人承诺事项原则上不少于a件") has one visible
    default that a case or an integrator can override when loading.
    """

    value: Any
    label: str
    clause: str = ""
    note: str = ""


# --- facts ----------------------------------------------------------------------------


@frozen
class Fact:
    """A fact recorded about each subject, which predicates read.

    Declaring facts lets ``check`` catch a misspelt fact name in a rule, and lets
    the engine tell a fact that was not recorded from one that is false: a
    declared fact without a ``default`` must be given for every subject whose
    rules read it, or the subject has ``insufficient_evidence``.
    """

    label: str
    type: Literal["bool", "number"] = "bool"
    default: bool | Fraction | None = None
    source: str = ""
    clause: str = ""


# --- weighting and grading -------------------------------------------------------------


@frozen
class Weighting:
    """Instrument → weight, with the declared total (40/20/20/10/10 of 100)."""

    clause: str
    total: Fraction
    weights: Mapping[str, Fraction]
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)


@frozen
class Rounding:
    """How the total is rounded, once, before it is graded."""

    digits: int = 0
    mode: RoundingMode = "half_up"


@frozen
class Band:
    """A grade for totals within bounds; each bound says whether it includes its edge.

    ``at_least`` / ``above`` bound from below, ``at_most`` / ``below`` from
    above. 及以上 and 及以下 include their edge and 不足 excludes it; a bare 以上
    or 以下 is read either way in practice, so the scheme must say which.
    """

    grade: str
    at_least: Fraction | None = None
    above: Fraction | None = None
    at_most: Fraction | None = None
    below: Fraction | None = None

    @property
    def interval(self) -> _kernel.Interval:
        """The totals this band holds (see :func:`villageeval._kernel.interval`)."""
        return _kernel.interval(self.at_least, self.above, self.at_most, self.below)

    def contains(self, value: Fraction) -> bool:
        """Whether ``value`` lies in this band."""
        return _kernel.in_interval(self.interval, value)


@frozen
class BandGrading:
    """Grade by the band the (rounded) total falls in."""

    clause: str
    scale: str
    bands: tuple[Band, ...] = field(converter=tuple)
    kind: Literal["bands"] = "bands"
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)
    round: Rounding | None = None
    display_digits: int | None = None


@frozen
class ConditionRule:
    """``grade`` when ``when`` holds; the first matching rule wins.

    ``text`` is the document's wording of the rule (shown in the trace, as a veto's is).
    """

    grade: str
    when: Predicate
    clause: str = ""
    text: str = ""


@frozen
class ConditionGrading:
    """Ordered conditions, the first match wins, else ``fallback``."""

    clause: str
    scale: str
    rules: tuple[ConditionRule, ...] = field(converter=tuple)
    fallback: str
    kind: Literal["conditions"] = "conditions"
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)
    round: Rounding | None = None
    display_digits: int | None = None


Grading = Union[BandGrading, ConditionGrading]


# --- rules over graded subjects -------------------------------------------------------------


@frozen
class Eligibility:
    """A subject for whom ``when`` holds is not evaluated: ``ineligible`` (任职不满6个月,
    不确定等次), or with ``status = "insufficient_evidence"`` when what the rule finds is
    too little evidence to grade on (承诺事项少于3件), not a subject outside the assessment.
    """

    clause: str
    text: str
    when: Predicate
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)
    status: Literal["ineligible", "insufficient_evidence"] = "ineligible"


@frozen
class Referral:
    """A case the document leaves to people: when ``when`` holds, the subject is referred
    to the committee (status ``referred``, shown 待研究) with the grade the rules propose.

    "优秀票加合格票超过60%的为合格 … 低于60%的免职" says nothing of exactly 60%; a work
    group that only proposes a grade (建议等次) refers every subject. Tested after vetoes
    and caps, so ``when`` may read the proposed grade and the total.
    """

    clause: str
    text: str
    when: Predicate
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)


@frozen
class Veto:
    """一票否决: when ``when`` holds, the grade is ``grade`` whatever the score."""

    clause: str
    text: str
    when: Predicate
    grade: str
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)


@frozen
class Cap:
    """When ``when`` holds, the grade can be no better than ``at_most``."""

    clause: str
    text: str
    when: Predicate
    at_most: str
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)


@frozen
class ScoreKey:
    """Rank by the total (``{ score = "total" }``, the default) or an instrument's sub-score."""

    score: str = "total"
    better: Literal["higher", "lower"] = "higher"


@frozen
class ShareKey:
    """Rank by the share of some tiers among a ballot's ballots (``{ share = "appraisal", tiers = ["好"] }``)."""

    share: str
    tiers: tuple[str, ...] = field(converter=str_tuple)
    better: Literal["higher", "lower"] = "higher"


@frozen
class FactKey:
    """Rank by a number fact (``{ fact = "rank_2014", better = "lower" }``: a committee's order)."""

    fact: str
    better: Literal["higher", "lower"] = "higher"


#: One key of a quota's ranking, tried in order; the subject id settles what they leave tied.
RankKey = Union[ScoreKey, ShareKey, FactKey]


@frozen
class Quota:
    """At most (or at least) a share, or a number, of a population may hold ``grade``.

    ``per`` names the subject group that splits the population (``township``);
    without it the whole cohort of ``roles`` is one population. A quota gives either
    a ``share`` ("不超过30%"), with ``count`` saying how the share becomes a number of
    subjects (不得超过 → floor, 不低于 → ceil), or a ``number`` of subjects ("每个乡镇
    推荐2名"), the same for every population whatever its size.
    A ``soft`` quota (原则上) only warns. Overflow of ``at_most`` moves the lowest
    ranked holders to the next worse grade; a shortfall of ``at_least`` moves the
    next in line from ``fill_from`` into ``grade``.
    """

    clause: str
    text: str
    grade: str
    bound: Literal["at_most", "at_least"]
    share: Share | None = None
    count: Literal["floor", "ceil"] | None = None
    number: int | None = None
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)
    per: str | None = None
    enforce: Literal["hard", "soft"] = "hard"
    base: Literal["all", "graded"] = "all"
    rank_by: tuple[RankKey, ...] = field(default=(ScoreKey(),), converter=tuple)
    fill_from: str | None = None


@frozen
class Ranking:
    """A ranking of a population, best first (综合排名, 前N名): each subject's place in
    it is its outcome's ``rank``, and ``{ rank = "<id>", at_most = N }`` reads it.

    Subjects are compared by ``rank_by``, key after key (the declared tie-break);
    those still equal after the last key share a place (并列: 1, 2, 2, 4) and are
    flagged ``rank_tie:<id>``, never split by something the scheme did not say. A
    subject is ranked when it is graded or referred, ``when`` holds for it (read
    after quotas: ``{ not = { grade = "不合格" } }``), and it has a value for the
    first key. ``per`` ranks each group (``township``) apart, as quotas count.
    """

    clause: str
    text: str
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)
    per: str | None = None
    rank_by: tuple[RankKey, ...] = field(default=(ScoreKey(),), converter=tuple)
    when: Predicate | None = None


@frozen
class Finding:
    """Something found about a subject, listed in its outcome when ``when`` holds.

    Findings record what a screening found (软弱涣散's eight problem types)
    without changing the grade; consequences say what follows from it.
    ``note`` names a heading of the subject's ``notes`` whose text describes
    what was found (type 8, "其他情形", exists only in words).
    """

    clause: str
    text: str
    when: Predicate
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)
    note: str = ""


@frozen
class Consequence:
    """What follows for a subject for whom ``when`` holds (usually a final grade)."""

    clause: str
    text: str
    when: Predicate
    roles: tuple[str, ...] = field(default=(), converter=str_tuple)


# --- periods and groups ------------------------------------------------------------------


@frozen
class Periods:
    """How the periods of a scheme (its ``period``, a cohort's, a subject's history) are ordered.

    A streak (连续两年) looks back from the current period to the ones before it, so
    they must be placed on a time line: ``years`` (``2023``, the default), ``months``
    (ISO ``2024-09``), or, for anything else (``第一次``, ``2024上半年``), ``order``, every
    period named oldest first. A period that cannot be placed is an error, never
    compared as text.
    """

    calendar: Literal["years", "months"] = "years"
    order: tuple[str, ...] = field(default=(), converter=str_tuple)


@frozen
class GroupKind:
    """A kind of group that splits quota populations (``per = "township"``), with its values.

    Declaring ``values`` makes a misspelt group of a subject an error instead of a
    population of one.
    """

    label: str = ""
    values: tuple[str, ...] = field(default=(), converter=str_tuple)


# --- the scheme ----------------------------------------------------------------------


@frozen
class Scheme:
    """One locality's rules for one assessment."""

    id: str
    title: str
    locality: Locality
    roles: Mapping[str, Role]
    scales: Mapping[str, Scale]
    gradings: Mapping[str, Grading]
    instruments: Mapping[str, Instrument] = attrs.Factory(dict)
    weightings: Mapping[str, Weighting] = attrs.Factory(dict)
    source: Source = Source()
    period: str = ""
    extends: str | None = None
    description: str = ""
    parameters: Mapping[str, Parameter] = attrs.Factory(dict)
    facts: Mapping[str, Fact] = attrs.Factory(dict)
    periods: Periods = Periods()
    groups: Mapping[str, GroupKind] = attrs.Factory(dict)
    eligibility: Mapping[str, Eligibility] = attrs.Factory(dict)
    vetoes: Mapping[str, Veto] = attrs.Factory(dict)
    caps: Mapping[str, Cap] = attrs.Factory(dict)
    referrals: Mapping[str, Referral] = attrs.Factory(dict)
    quotas: Mapping[str, Quota] = attrs.Factory(dict)
    rankings: Mapping[str, Ranking] = attrs.Factory(dict)
    findings: Mapping[str, Finding] = attrs.Factory(dict)
    consequences: Mapping[str, Consequence] = attrs.Factory(dict)

    def role_ids(self, roles: tuple[str, ...]) -> tuple[str, ...]:
        """The roles a rule applies to: its own list, or every role when empty."""
        return roles or tuple(self.roles)


resolve_annotations(globals())  # the converter and the docs' checks read real types
