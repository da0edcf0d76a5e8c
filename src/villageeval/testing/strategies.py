"""Hypothesis strategies for villageeval: valid schemes, cohorts and evidence.

Property-test code that reads or grades under a scheme against *every* scheme
the format allows, and against every cohort such a scheme accepts::

    from hypothesis import given, strategies as st
    import villageeval as ve
    from villageeval.testing.strategies import cohorts, schemes

    @given(st.data())
    def test_my_report_never_crashes(data):
        scheme = data.draw(schemes())
        cohort = data.draw(cohorts(scheme))
        my_report(ve.evaluate(scheme, cohort))

Everything is valid *by construction*, not by filtering: :func:`schemes`
draws the plain TOML-shaped data of a scheme (weights that add up, bands that
partition every possible rounded total, non-redundant condition rules, declared
facts, quotas that the validator accepts ...) and loads it with
:func:`villageeval.scheme_from_dict`; :func:`cohorts` reads a loaded scheme (a
generated one, a bundled one or your own) and draws evidence that meets each
instrument's sampling rules, the facts and linked outcomes each role's rules
read, and the groups each quota counts by. So every subject of a generated
cohort is ``graded`` or ``ineligible``, never ``insufficient_evidence``; use
:func:`invalid_evidence` for the other side.

All numbers are exact (``int``, :class:`~fractions.Fraction`,
:class:`~decimal.Decimal`), as the engine requires. The strategies lean towards
the cases where bugs live: respondent counts exactly at ``min_respondents``,
strata at their ``min`` and ``max``, scores at their bounds, band edges that are
inclusive on one side only, and several subjects with identical evidence so
that quotas meet ties at their cut.

This module needs hypothesis (``pip install 'villageeval[testing]'``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor
from typing import Any, Literal, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .. import _model as m
from .._cohort import (
    BallotEvidence,
    Cohort,
    Evidence,
    MalformedEvidence,
    PointsEvidence,
    RatingEvidence,
    ScoreEvidence,
    Subject,
)
from .._convert import structure_predicate, unstructure_number
from .._errors import SchemeError
from .._kernel import round_fraction
from .._kinds.ballot import Ballot, StratumRule
from .._kinds.points import PointItem, Points
from .._kinds.rating import Rating
from .._kinds.score import DirectScore
from .._load import scheme_from_dict
from .._plugins import Registry, make_plugin_manager
from .._predicates import leaves

__all__ = [
    "GRADING_KINDS",
    "INSTRUMENT_KINDS",
    "INVALID_EVIDENCE_CODES",
    "PluginEvidence",
    "cohorts",
    "evidence",
    "invalid_evidence",
    "scheme_data",
    "schemes",
    "subjects",
]

T = TypeVar("T")

#: The built-in instrument kinds :func:`schemes` can generate.
INSTRUMENT_KINDS: tuple[str, ...] = ("ballot", "rating", "score", "points")
#: The grading kinds :func:`schemes` can generate.
GRADING_KINDS: tuple[str, ...] = ("bands", "conditions")

#: Every reason code that evidence from :func:`invalid_evidence` can produce.
#: Which ones an instrument can produce depends on its kind and sampling rules:
#:
#: - any kind: ``invalid_evidence`` (evidence of another kind's shape, or
#:   evidence whose shape the cohort reader did not recognise);
#: - ballot: ``unknown_tier``, ``invalid_count``, ``too_few_respondents``,
#:   ``below_quorum`` and ``invalid_evidence`` (with a ``quorum``),
#:   ``coverage_incomplete`` and ``invalid_evidence`` (with ``must_cover``),
#:   ``strata_missing``, ``stratum_out_of_range``, ``strata_mismatch`` and
#:   ``invalid_count`` (with ``per_stratum``);
#: - rating: ``unknown_tier``;
#: - score: ``out_of_range``, ``invalid_evidence`` (a float or a non-number);
#: - points: ``missing_evidence`` (an item without points), ``invalid_evidence``
#:   (an unknown item, a float, a bonus the instrument does not have),
#:   ``out_of_range`` (a negative item or bonus, an award item above its max);
#: - any kind with ``must_cover``: ``coverage_incomplete`` (a category missing or
#:   not covered enough) and ``invalid_evidence`` (malformed coverage, or more
#:   covered than there are).
INVALID_EVIDENCE_CODES: frozenset[str] = frozenset(
    {
        "below_quorum",
        "coverage_incomplete",
        "invalid_count",
        "invalid_evidence",
        "missing_evidence",
        "out_of_range",
        "strata_mismatch",
        "strata_missing",
        "stratum_out_of_range",
        "too_few_respondents",
        "unknown_tier",
    }
)

#: For instrument kinds that plugins register: kind name → a function from the
#: instrument's config to a strategy of valid evidence for it.
PluginEvidence = Mapping[str, Callable[[Any], SearchStrategy[Any]]]


@functools.lru_cache(maxsize=4096)
def _ints(lo: int, hi: int) -> SearchStrategy[int]:
    return st.integers(lo, hi)


@functools.lru_cache(maxsize=1024)
def _index_sets(n: int, min_size: int, max_size: int) -> SearchStrategy[list[int]]:
    return st.lists(st.integers(0, n - 1), unique=True, min_size=min_size, max_size=max_size)


#: A boolean fact that is mostly false: vetoes and eligibility rules hold now and then.
_MOSTLY_FALSE = st.integers(0, 3).map(lambda n: n == 0)


@functools.cache
def _registry() -> Registry:
    """Built-ins only: installed plugins never influence what is generated."""
    return Registry(make_plugin_manager(autoload=False))


# --- vocabulary -------------------------------------------------------------------------

_ROLE_POOL: tuple[tuple[str, str], ...] = (
    ("team", "村“两委”班子"),
    ("secretary", "村党组织书记"),
    ("member", "班子成员"),
    ("director", "村委会主任"),
    ("workteam", "驻村工作队"),
)
_GRADE_TIERS: tuple[tuple[str, ...], ...] = (
    ("优秀", "称职", "基本称职", "不称职"),
    ("好", "较好", "一般", "差"),
    ("优秀", "良好", "合格", "不合格"),
    ("好", "一般", "差"),
    ("优秀", "合格", "基本合格", "不合格"),
    ("合格", "不合格"),
)
_BALLOT_TIERS: tuple[tuple[str, ...], ...] = (
    ("好", "较好", "一般", "差"),
    ("优秀", "称职", "基本称职", "不称职"),
    ("满意", "基本满意", "不满意"),
    ("好", "一般", "差"),
    ("优秀", "良好", "一般", "较差"),
)
_ALL_TIERS = tuple(sorted({t for tiers in (*_GRADE_TIERS, *_BALLOT_TIERS) for t in tiers}))
_PEOPLE = ("包村干部", "村干部", "驻村工作队员", "党员代表", "村民代表")
_SITES = ("乡村建设项目", "人居环境整治", "集体经济项目", "党群服务中心")
_STRATUM_LABELS = ("自然村", "村民小组", "")
_STRATUM_NAMES = ("王家庄", "李家湾", "上庄", "下庄", "河口", "沟门", "岔口", "新村")
_VILLAGES = ("北关村", "西岔村", "东风村", "新庄村", "王家岔村", "杨集村", "红星村", "郭城村", "大沟村", "柳树湾村")
_BOOL_FACTS: tuple[tuple[str, str], ...] = (
    ("disciplined", "受到党纪政务处分"),
    ("admonished", "受到诫勉谈话"),
    ("absentee", "任职不到村，“遥控指挥”"),
    ("serious_problems", "发现问题严重，需组织处理"),
    ("on_leave", "长期病休"),
    ("training_missed", "未完成年度培训"),
)
_NUMBER_FACTS: tuple[tuple[str, str, int, int], ...] = (
    ("months_in_office", "任现职月数", 0, 60),
    ("complaints", "有效信访投诉件数", 0, 10),
    ("years_in_office", "任村党组织书记年数", 0, 30),
    ("training_hours", "年度培训学时", 0, 80),
)
_ITEMS: tuple[tuple[str, str], ...] = (
    ("party", "党的建设"),
    ("economy", "产业发展"),
    ("safety", "安全稳定"),
    ("environment", "人居环境整治"),
    ("petition", "信访维稳"),
    ("services", "为民服务"),
)
_INSTRUMENT_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "ballot": (
        ("appraisal", "民主测评"),
        ("interview", "个别谈话"),
        ("household_visit", "入户访谈"),
        ("satisfaction", "群众满意度测评"),
    ),
    "rating": (("site_inspection", "实地查看"), ("work_check", "工作实绩核查")),
    "score": (
        ("party_committee", "乡镇党委评价"),
        ("daily_work", "日常工作评价"),
        ("township_score", "乡镇考核组评分"),
    ),
    "points": (("targets", "目标责任考核"), ("duties", "履职尽责考核"), ("tasks", "重点任务考核")),
}
_GIVEN_BY = ("乡党委", "研判工作组", "乡镇考核组")
_ROUNDING_MODES = ("half_up", "half_even", "half_down", "down", "up", "floor", "ceiling")
_SHARES = tuple(Fraction(x) for x in ("0", "1/10", "1/5", "1/4", "3/10", "1/3", "2/5", "1/2", "1"))
_PER_KEYS = ("township", "area")
_ASSESSMENTS = ("shuzhi-2023", "review-2023")
_LOCALITIES: tuple[tuple[str, str | None], ...] = (
    ("会宁县", "620422"),
    ("青石县", None),
    ("某县", None),
    ("东乡", None),
)
_PERIODS = ("2024", "2023", "2024下半年", "")
_SCHEME_IDS = ("generated-2024", "qingshi-annual-2024", "mouxian-shuzhi-2023", "test-scheme")
_RULE_NAMES: dict[str, tuple[str, ...]] = {
    "eligibility": ("new_in_office", "on_leave"),
    "vetoes": ("discipline", "absentee", "dissatisfied", "extortion"),
    "caps": ("last_review", "admonished", "weak_appraisal"),
    "quotas": ("top_share", "excellent_cap", "rectify", "min_fair"),
    "findings": ("weak_appraisal_found", "lax_records", "petitions"),
    "consequences": ("praise", "talk", "adjust", "referral"),
}
_RULE_TEXTS: dict[str, tuple[str, ...]] = {
    "eligibility": ("任现职不满6个月的，参加考核但不确定等次", "因病休假超过半年的，不确定等次"),
    "vetoes": ("受到党纪政务处分的", "任职不到村，“遥控指挥”的", "群众满意度测评“不满意”超过半数的"),
    "caps": ("上一年度述职评议为“一般”或“差”的，不得评为“优秀”", "受到诫勉谈话的，不得评为优秀"),
    "quotas": ("评定为优秀的不超过参评总数的30%", "确定为不合格的村原则上不低于参评村总数的5%"),
    "findings": ("民主测评满意率偏低", "组织生活不规范", "信访问题突出"),
    "consequences": ("通报表扬", "约谈，限期整改", "连续两年“不合格”的，按程序予以调整"),
}


def _n(v: Fraction) -> int | Decimal | str:
    """An exact number as TOML writes it (int, decimal, or ``"a/b"``)."""
    return unstructure_number(v)


def _check_choice(name: str, given: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    if isinstance(given, str) or not given or any(k not in allowed for k in given):
        raise InvalidArgument(f"{name} must be a non-empty sequence of {', '.join(map(repr, allowed))} (got {given!r})")
    return tuple(dict.fromkeys(given))


# --- schemes ------------------------------------------------------------------------------


@attrs.frozen
class _Options:
    kinds: tuple[str, ...]
    gradings: tuple[str, ...]
    max_roles: int
    with_quotas: bool
    with_vetoes: bool
    with_caps: bool
    with_facts: bool


def _interval(cmp: Mapping[str, Any]) -> tuple[Fraction | None, bool, Fraction | None, bool]:
    """The interval a comparison (TOML form) admits: (low, inclusive, high, inclusive)."""
    lo: Fraction | None = None
    hi: Fraction | None = None
    lo_in = hi_in = True
    for key, inclusive in (("at_least", True), ("above", False), ("equals", True)):
        if key in cmp:
            v = Fraction(cmp[key])
            if lo is None or v > lo or (v == lo and not inclusive):
                lo, lo_in = v, inclusive
    for key, inclusive in (("at_most", True), ("below", False), ("equals", True)):
        if key in cmp:
            v = Fraction(cmp[key])
            if hi is None or v < hi or (v == hi and not inclusive):
                hi, hi_in = v, inclusive
    return lo, lo_in, hi, hi_in


def _within(
    inner: tuple[Fraction | None, bool, Fraction | None, bool],
    outer: tuple[Fraction | None, bool, Fraction | None, bool],
) -> bool:
    """Whether every value of ``inner`` is in ``outer``."""
    ilo, ilo_in, ihi, ihi_in = inner
    olo, olo_in, ohi, ohi_in = outer
    if olo is not None and (ilo is None or ilo < olo or (ilo == olo and ilo_in and not olo_in)):
        return False
    return not (ohi is not None and (ihi is None or ihi > ohi or (ihi == ohi and ihi_in and not ohi_in)))


class _SchemeBuilder:
    """Draws one scheme as plain TOML-shaped data, valid by construction.

    The order matters: roles, then scales, instruments and weightings (which fix
    the range of each role's total), then gradings over that range, then facts,
    linked assessments and the rules that read them.
    """

    def __init__(self, draw: st.DrawFn, options: _Options) -> None:
        self.draw = draw
        self.o = options
        self.roles: list[str] = []
        self.scales: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, tuple[str, ...]] = {}
        self.points: dict[str, list[Fraction] | None] = {}
        self.point_scales: list[str] = []
        self.count_scales: list[str] = []
        self.instruments: dict[str, dict[str, Any]] = {}
        self.applies: dict[str, frozenset[str]] = {}
        #: scored instrument → (lowest sub-score, highest sub-score, out_of)
        self.ranges: dict[str, tuple[Fraction, Fraction, Fraction]] = {}
        self.ballots: dict[str, tuple[str, ...]] = {}
        self.ratings: dict[str, tuple[str, ...]] = {}
        self.conditional: set[str] = set()
        self.dedicated: list[str] = []
        #: role → (lowest total, highest total, weighting total)
        self.span: dict[str, tuple[Fraction, Fraction, Fraction]] = {}
        #: grade scale id → the roles graded on it
        self.scale_groups: dict[str, list[str]] = {}
        self.bool_facts: list[str] = []
        self.number_facts: dict[str, tuple[Fraction, Fraction]] = {}
        self.assessments: list[tuple[str, str]] = []
        self.rule_ids: set[str] = set()
        #: (grade scale, grade) of quotas, per bound: at_least never targets an at_most grade
        self.quota_grades: dict[str, set[tuple[str, str]]] = {"at_most": set(), "at_least": set()}
        self._clause = itertools.count(1)

    # -- small draws ------------------------------------------------------------------

    # Strategies are cached (_ints): building one per draw costs more than the draw.

    def pick(self, options: Sequence[T]) -> T:
        return options[self.draw(_ints(0, len(options) - 1))]

    def one_in(self, n: int) -> bool:
        """True with probability 1/n."""
        return self.draw(_ints(0, n - 1)) == 0

    def between(self, lo: int, hi: int) -> int:
        return self.draw(_ints(lo, hi))

    def subset(self, items: Sequence[T], min_size: int = 1, max_size: int | None = None) -> list[T]:
        """A subset of ``items``, in their order."""
        top = len(items) if max_size is None else min(max_size, len(items))
        idx = self.draw(_index_sets(len(items), min_size, top))
        return [items[i] for i in sorted(idx)]

    def cuts(self, lo: int, hi: int, n: int) -> list[int]:
        """``n`` distinct integers in [lo, hi], ascending."""
        if n == 0:
            return []
        return sorted(self.draw(st.lists(_ints(lo, hi), unique=True, min_size=n, max_size=n)))

    def clause(self) -> str:
        n = next(self._clause)
        return f"{'一二三四五六七八九十'[(n - 1) // 3 % 10]}、{(n - 1) % 3 + 1}"

    def value_in(self, lo: Fraction, hi: Fraction) -> Fraction:
        """A value in [lo, hi]: a whole number when there is room, else a twentieth of the way."""
        if hi - lo >= 2 and self.one_in(2):
            return Fraction(self.between(ceil(lo), floor(hi)))
        return lo + (hi - lo) * Fraction(self.between(0, 20), 20)

    def roles_key(self, roles: Sequence[str]) -> list[str] | None:
        """What to write as ``roles``: nothing (all roles) or the list."""
        if set(roles) == set(self.roles) and not self.one_in(4):
            return None
        return list(roles)

    def rule_id(self, section: str) -> str:
        base = self.pick(_RULE_NAMES[section])
        rid = base
        while rid in self.rule_ids:
            rid = f"{base}_{len(self.rule_ids)}"
        self.rule_ids.add(rid)
        return rid

    # -- the scheme ----------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        n_roles = self.between(1, self.o.max_roles)
        pool = list(_ROLE_POOL) + [(f"role{i}", f"角色{i}") for i in range(len(_ROLE_POOL), n_roles)]
        chosen = self.draw(st.permutations(pool))[:n_roles]
        self.roles = [r for r, _ in chosen]
        locality, code = self.pick(_LOCALITIES)
        data: dict[str, Any] = {
            "id": self.pick(_SCHEME_IDS),
            "title": "村“两委”班子年度考核（生成）",
            "period": self.pick(_PERIODS),
            "locality": {"name": locality} if code is None else {"name": locality, "code": code},
            "source": {"document": "某组发〔2024〕1号", "date": "2024-01-01"} if self.one_in(2) else {},
            "roles": {r: {"label": label} for r, label in chosen},
        }
        grade_groups = self._grade_scales(self._partition())
        self._point_scales()
        if self.o.with_facts:
            data["facts"] = self._facts()
        self._assessments()
        weight_groups = self._partition()
        self._instruments(weight_groups)
        data["weightings"] = self._weightings(weight_groups)
        data["gradings"] = self._gradings(grade_groups)
        data["scales"] = self.scales
        data["instruments"] = self.instruments
        for section, make, most in (
            ("eligibility", self._eligibility, int(self.o.with_facts and self.one_in(2))),  # rarely holds
            ("vetoes", self._veto, 2 * self.o.with_vetoes),
            ("caps", self._cap, 2 * self.o.with_caps),
            ("quotas", self._quota, 3 * self.o.with_quotas),
            ("findings", self._finding, 2),
            ("consequences", self._consequence, 3),
        ):
            rules: dict[str, Any] = {}
            for _ in range(self.between(0, most)):
                rule = make()
                if rule is not None:
                    rules[self.rule_id(section)] = rule
            if rules:
                data[section] = rules
        return data

    def _partition(self) -> list[list[str]]:
        """The roles split into groups (each gets its own weighting or grading)."""
        if len(self.roles) == 1 or self.one_in(2):
            return [list(self.roles)]
        marks = self.draw(
            st.lists(st.integers(0, len(self.roles) - 1), min_size=len(self.roles), max_size=len(self.roles))
        )
        groups: dict[int, list[str]] = {}
        for role, mark in zip(self.roles, marks, strict=True):
            groups.setdefault(mark, []).append(role)
        return list(groups.values())

    # -- scales ------------------------------------------------------------------------

    def _tiers(self, sets: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
        tiers = self.pick(sets)
        if len(tiers) > 2 and self.one_in(3):
            return tuple(self.subset(tiers, min_size=2))
        return tiers

    def _add_scale(self, sid: str, labels: Sequence[str], points: list[Fraction] | None, title: str) -> None:
        tiers: list[Any]
        if points is not None:
            tiers = [{"label": t, "points": _n(p)} for t, p in zip(labels, points, strict=True)]
        elif self.one_in(4):
            tiers = [{"label": t} for t in labels]
        else:
            tiers = list(labels)
        scale: dict[str, Any] = {"tiers": tiers}
        if self.one_in(2):
            scale["title"] = title
        self.scales[sid] = scale
        self.labels[sid] = tuple(labels)
        self.points[sid] = points

    def _grade_scales(self, groups: list[list[str]]) -> list[tuple[list[str], str]]:
        out = []
        for i, group in enumerate(groups):
            sid = "grade" if i == 0 or self.one_in(2) else f"grade{i + 1}"
            if sid not in self.scales:
                self._add_scale(sid, self._tiers(_GRADE_TIERS), None, "综合评定等次")
            self.scale_groups.setdefault(sid, []).extend(group)
            out.append((group, sid))
        return out

    def _tier_points(self, k: int) -> list[Fraction]:
        """Strictly decreasing points for ``k`` tiers, best first."""
        style = self.pick(("classic", "whole", "halves", "thirds"))
        classic = {2: (100, 60), 3: (90, 70, 40), 4: (100, 80, 60, 40)}
        if style == "classic" and k in classic:
            return [Fraction(p) for p in classic[k]]
        values = self.draw(st.lists(st.integers(0, 100), unique=True, min_size=k, max_size=k))
        div = {"halves": 2, "thirds": 3}.get(style, 1)
        return [Fraction(v, div) for v in sorted(values, reverse=True)]

    def _point_scales(self) -> None:
        for i in range(self.between(1, 2)):
            sid = "ballot" if i == 0 else "ballot2"
            labels = self._tiers(_BALLOT_TIERS)
            self._add_scale(sid, labels, self._tier_points(len(labels)), "测评等次")
            self.point_scales.append(sid)
        if ("ballot" in self.o.kinds or "rating" in self.o.kinds) and self.one_in(3):
            self._add_scale("counted", self._tiers(_BALLOT_TIERS), None, "满意度")
            self.count_scales.append("counted")

    def _assessments(self) -> None:
        """Another assessment's grades that ``outcome`` predicates read, on a declared scale."""
        if not self.one_in(2):
            return
        if self.one_in(2):
            sid = self.pick(sorted(self.scales))
        else:
            sid = "review"
            self._add_scale(sid, self._tiers(_BALLOT_TIERS), None, "述职评议等次")
        self.assessments.append((self.pick(_ASSESSMENTS), sid))

    # -- instruments -------------------------------------------------------------------------

    def _instruments(self, weight_groups: list[list[str]]) -> None:
        # Each weighting gets one instrument that applies to all of its roles and can
        # be weighted; then a few more, for any roles, weighted or not.
        for group in weight_groups:
            self.dedicated.append(self._instrument(self.pick(self.o.kinds), group, weighted=True))
        for _ in range(self.between(0, 3)):
            roles = self.roles if self.one_in(2) else self.subset(self.roles)
            self._instrument(self.pick(self.o.kinds), roles, weighted=False)

    def _instrument(self, kind: str, roles: Sequence[str], weighted: bool) -> str:
        names = _INSTRUMENT_NAMES[kind]
        free = [x for x in names if x[0] not in self.instruments]
        if free:
            iid, title = self.pick(free)
        else:
            base, title = self.pick(names)
            iid = f"{base}_{len(self.instruments)}"
        d: dict[str, Any] = {"kind": kind, "title": title, "clause": self.clause()}
        key = self.roles_key(roles)
        if key is not None:
            d["roles"] = key
        if not weighted and self.one_in(4) and self._readable_before(roles):
            # Read before this instrument is registered: it may only read instruments above it.
            d["applies_when"] = self._predicate("facts", roles, ())
            self.conditional.add(iid)  # never weighted: a subject it skips would have no total
        self.applies[iid] = frozenset(roles)
        if kind in ("ballot", "rating"):
            scored = weighted or not self.count_scales or self.one_in(2)
            sid = self.pick(self.point_scales if scored else self.count_scales)
            d["scale"] = sid
            points = self.points[sid]
            if points is not None:
                out_of = self._out_of(d, Fraction(100), max(points))
                self.ranges[iid] = (min(points), max(points), out_of)
            if kind == "ballot":
                self.ballots[iid] = self.labels[sid]
                self._ballot(d)
            else:
                self.ratings[iid] = self.labels[sid]
                if self.one_in(2):
                    d["given_by"] = self.pick(_GIVEN_BY)
                self._must_cover(d, _SITES)
        elif kind == "score":
            low = self.pick((Fraction(0), Fraction(0), Fraction(-10), Fraction(60)))
            high = low + self.pick((Fraction(10), Fraction(20), Fraction(100), Fraction(15, 2), Fraction(40)))
            if low != 0 or self.one_in(2):
                d["min"] = _n(low)
            d["max"] = _n(high)
            if high <= 0:  # out_of defaults to max, which must be positive
                out_of = high - low
                d["out_of"] = _n(out_of)
            else:
                out_of = self._out_of(d, high, Fraction(100))
            self.ranges[iid] = (low, high, out_of)
            if self.one_in(2):
                d["given_by"] = self.pick(_GIVEN_BY)
            self._must_cover(d, _SITES)
        else:
            items: dict[str, Any] = {}
            full = Fraction(0)
            for item_id, label in self.subset(_ITEMS, max_size=4):
                top = self.pick((Fraction(5), Fraction(10), Fraction(15), Fraction(20), Fraction(40), Fraction(15, 2)))
                item: dict[str, Any] = {"label": label, "max": _n(top)}
                mode = self.pick(("award", "deduct"))
                if mode == "deduct" or self.one_in(3):
                    item["mode"] = mode
                items[item_id] = item
                full += top
            d["items"] = items
            bonus = Fraction(0)
            if self.one_in(3):
                bonus = self.pick((Fraction(1), Fraction(3), Fraction(5), Fraction(1, 2)))
                d["bonus"] = {"label": "创新工作加分", "max": _n(bonus)}
            if bonus:
                # Whether the default out_of counts the bonus is not settled (scheme-format.md
                # says it does, the model does not): a generated scheme always says which.
                out_of = self.pick((full, full + bonus, Fraction(100)))
                d["out_of"] = _n(out_of)
            else:
                out_of = self._out_of(d, full, Fraction(100))
            self.ranges[iid] = (Fraction(0), full + bonus, out_of)
            if self.one_in(2):
                d["given_by"] = self.pick(_GIVEN_BY)
            self._must_cover(d, _SITES)
        self.instruments[iid] = d
        return iid

    def _out_of(self, d: dict[str, Any], default: Fraction, other: Fraction) -> Fraction:
        """Leave ``out_of`` at its default, write the default, or write another positive value."""
        choice = self.between(0, 2)
        if choice == 1:
            d["out_of"] = _n(default)
        elif choice == 2 and other > 0:
            d["out_of"] = _n(other)
            return other
        return default

    def _must_cover(self, d: dict[str, Any], pool: Sequence[str]) -> None:
        if self.one_in(3):
            d["must_cover"] = self.subset(pool, max_size=3)
            cover = self.pick((None, "every_member", "at_least_one"))
            if cover is not None:
                d["cover"] = cover

    def _ballot(self, d: dict[str, Any]) -> None:
        min_respondents = self.pick((0, 0, 1, 3, 5, 10, 15, 20))
        if self.one_in(3):
            d["quorum"] = _n(self.pick((Fraction(1, 2), Fraction(2, 3), Fraction(4, 5), Fraction(1))))
        self._must_cover(d, _PEOPLE)
        if self.one_in(3):
            low = self.between(0, 3)
            stratum: dict[str, Any] = {"min": low}
            if not self.one_in(3):
                high = self.between(max(low, 1), max(low, 1) + 3)
                stratum["max"] = high
                min_respondents = min(min_respondents, 4 * high)  # at most a few strata needed
            label = self.pick(_STRATUM_LABELS)
            if label:
                stratum["label"] = label
            d["per_stratum"] = stratum
        if min_respondents or self.one_in(4):
            d["min_respondents"] = min_respondents

    # -- weightings and gradings ---------------------------------------------------------------

    def _weights(self, n: int) -> tuple[list[int], int]:
        total = self.pick((100, 100, 10, 1000, 0))
        if total >= n and self.one_in(2):
            cuts = self.cuts(1, total - 1, n - 1)
            return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)], total
        weights = [self.between(1, 50) for _ in range(n)]
        return weights, sum(weights)

    def _weightings(self, groups: list[list[str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, (group, first) in enumerate(zip(groups, self.dedicated, strict=True)):
            others = [
                iid
                for iid in self.ranges
                if iid != first and iid not in self.conditional and set(group) <= self.applies[iid]
            ]
            chosen = [first, *(iid for iid in others if self.one_in(2))]
            weights, total = self._weights(len(chosen))
            d: dict[str, Any] = {
                "clause": self.clause(),
                "total": total,
                "weights": dict(zip(chosen, weights, strict=True)),
            }
            key = self.roles_key(group)
            if key is not None:
                d["roles"] = key
            out["main" if i == 0 else f"main{i + 1}"] = d
            low = sum(
                (w * self.ranges[iid][0] / self.ranges[iid][2] for iid, w in zip(chosen, weights, strict=True)),
                Fraction(0),
            )
            high = sum(
                (w * self.ranges[iid][1] / self.ranges[iid][2] for iid, w in zip(chosen, weights, strict=True)),
                Fraction(0),
            )
            for role in group:
                self.span[role] = (low, high, Fraction(total))
        return out

    def _domain(self, roles: Sequence[str]) -> tuple[Fraction, Fraction]:
        """The totals a grading over ``roles`` must cover: as ``check`` computes them."""
        bottom = min([Fraction(0), *(self.span[r][0] for r in roles)])
        top = max([*(self.span[r][1] for r in roles), *(self.span[r][2] for r in roles)])
        return bottom, top

    def _gradings(self, groups: list[tuple[list[str], str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, (group, sid) in enumerate(groups):
            kind = self.pick(self.o.gradings)
            d: dict[str, Any] = {"clause": self.clause(), "scale": sid}
            if kind == "conditions" or self.one_in(3):
                d["kind"] = kind
            key = self.roles_key(group)
            if key is not None:
                d["roles"] = key
            rounding: tuple[int, str] | None = None
            if self.one_in(3) if kind == "conditions" else not self.one_in(3):
                rounding = (self.between(0, 2), self.pick(_ROUNDING_MODES))
                written: dict[str, Any] = {}
                if rounding[0] or self.one_in(2):
                    written["digits"] = rounding[0]
                if rounding[1] != "half_up" or self.one_in(2):
                    written["mode"] = rounding[1]
                d["round"] = written
            if self.one_in(4):
                d["display_digits"] = self.between(0, 3)
            bottom, top = self._domain(group)
            labels = self.labels[sid]
            if kind == "bands":
                d["bands"] = self._bands(labels, bottom, top, rounding)
            else:
                d["rules"], d["fallback"] = self._conditions(group, labels, bottom, top)
            out["main" if i == 0 else f"main{i + 1}"] = d
        return out

    def _grades(self, labels: Sequence[str], k: int) -> list[str]:
        """``k`` grades, best first; usually with the best grade at the top, as documents have it."""
        if self.one_in(4):
            return self.subset(labels, min_size=k, max_size=k)
        return [labels[0], *self.subset(labels[1:], min_size=k - 1, max_size=k - 1)] if k > 1 else [labels[0]]

    def _band_count(self, most: int) -> int:
        """How many bands: one band (every total the same grade) only now and then."""
        return self.between(1, most) if most < 2 or self.one_in(6) else self.between(2, most)

    def _bands(
        self, labels: Sequence[str], bottom: Fraction, top: Fraction, rounding: tuple[int, str] | None
    ) -> list[dict[str, Any]]:
        """Bands that partition every total in [bottom, top] (after rounding, if any)."""
        lower: list[dict[str, Any]] = []  # lower bound of each band, lowest band first
        upper: list[dict[str, Any]] = []
        if rounding is not None:
            digits, mode = rounding
            step = Fraction(1, 10**digits)
            first = int(round_fraction(bottom, digits, mode) / step)
            last = int(round_fraction(top, digits, mode) / step)
            k = self._band_count(min(len(labels), last - first + 1))
            # A cut c: the band above starts at the grid point c × step.
            cuts = self.cuts(first + 1, last, k - 1)
            lower.append({"at_least": _n(first * step)} if self.one_in(4) else {})
            for c in cuts:
                v = c * step
                below, above = self.pick(
                    (
                        ({"below": v}, {"at_least": v}),  # 不足 v / v 及以上
                        ({"at_most": v - step}, {"at_least": v}),  # 66-84 next to 85 at whole points
                        ({"at_most": v - step}, {"above": v - step}),
                        ({"below": v - step / 2}, {"at_least": v - step / 2}),  # edges between grid points
                        ({"at_most": v - step / 2}, {"above": v - step / 2}),
                    )
                )
                upper.append({k_: _n(x) for k_, x in below.items()})
                lower.append({k_: _n(x) for k_, x in above.items()})
            upper.append({"at_most": _n(last * step)} if self.one_in(4) else {})
        else:
            q = self.pick((1, 2, 4, 10, 3))
            lo_n, hi_n = floor(bottom * q) + 1, ceil(top * q) - 1  # cuts strictly inside
            k = self._band_count(min(len(labels), max(0, hi_n - lo_n + 1) + 1))
            cuts_n = self.cuts(lo_n, hi_n, k - 1)
            lower.append({"at_least": _n(bottom)} if self.one_in(4) else {})
            for c in cuts_n:
                edge = _n(Fraction(c, q))
                if self.one_in(2):
                    upper.append({"below": edge})
                    lower.append({"at_least": edge})
                else:
                    upper.append({"at_most": edge})
                    lower.append({"above": edge})
            upper.append({"at_most": _n(top)} if self.one_in(4) else {})
        grades = self._grades(labels, k)
        bands = [{"grade": grades[k - 1 - j], **lower[j], **upper[j]} for j in range(k)]
        return bands if self.one_in(3) else bands[::-1]

    def _conditions(
        self, roles: Sequence[str], labels: Sequence[str], bottom: Fraction, top: Fraction
    ) -> tuple[list[dict[str, Any]], str]:
        """Ordered rules, none of which ``check`` reports as unreachable, and a fallback."""
        rules: list[dict[str, Any]] = []
        seen: list[m.Predicate] = []
        totals: list[tuple[Fraction | None, bool, Fraction | None, bool]] = []
        thresholds = sorted({self.value_in(bottom, top) for _ in range(self.between(1, len(labels)))}, reverse=True)
        for i in range(self.between(1, len(labels) + 1)):
            grade = labels[i] if i < len(labels) else self.pick(labels)
            form = self.pick(("threshold", "threshold", "combined", "any"))
            when: dict[str, Any]
            if form == "threshold" and i < len(thresholds):
                when = {"score": "total", "at_least": _n(thresholds[i])}
            elif form == "combined" and i < len(thresholds) and self._ballots_for(roles):
                ballot = self.pick(self._ballots_for(roles))
                share = {
                    "share": ballot,
                    "tiers": [self.ballots[ballot][0]],
                    **self._compare(Fraction(0), Fraction(1), share=True),
                }
                when = {"all": [{"score": "total", "at_least": _n(thresholds[i])}, share]}
            else:
                when = self._predicate("conditions", roles, labels)
            p = structure_predicate(when)
            if p in seen:
                continue
            if isinstance(p, m.ScoreTest) and p.score == "total":
                iv = _interval(when)
                if any(_within(iv, earlier) for earlier in totals):
                    continue
                totals.append(iv)
            seen.append(p)
            rule: dict[str, Any] = {"grade": grade, "when": when}
            if self.one_in(4):
                rule["clause"] = self.clause()
            rules.append(rule)
        return rules, labels[-1] if self.one_in(2) else self.pick(labels)

    # -- facts and predicates -----------------------------------------------------------------

    def _facts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        bools = self.subset(_BOOL_FACTS, max_size=3)
        numbers = self.subset(_NUMBER_FACTS, min_size=0, max_size=2)
        for name, label in bools:
            d: dict[str, Any] = {"label": label}
            if self.one_in(3):
                d["type"] = "bool"
            if self.one_in(2):
                d["default"] = self.one_in(4)  # usually false: recorded only when it happened
            if self.one_in(3):
                d["source"] = self.pick(_GIVEN_BY)
                d["clause"] = self.clause()
            out[name] = d
            self.bool_facts.append(name)
        for name, label, lo, hi in numbers:
            d = {"label": label, "type": "number"}
            if self.one_in(2):
                d["default"] = self.between(lo, hi)
            out[name] = d
            self.number_facts[name] = (Fraction(lo), Fraction(hi))
        return out

    def _compare(self, lo: Fraction, hi: Fraction, share: bool = False) -> dict[str, Any]:
        """Comparison keys admitting at least one value in [lo, hi] (for a share, in [0, 1])."""
        form = self.pick(("at_least", "above", "at_most", "below", "range", "equals"))
        v = self.value_in(lo, hi)
        if form == "range":
            w = self.value_in(lo, hi)
            if v != w:
                a, b = min(v, w), max(v, w)
                return {"at_least": _n(a), "below": _n(b)} if self.one_in(2) else {"above": _n(a), "at_most": _n(b)}
            form = "at_least"
        if share and ((form == "above" and v >= 1) or (form == "below" and v <= 0)):
            v = Fraction(1, 2)
        return {form: _n(v)}

    def _ballots_for(self, roles: Sequence[str]) -> list[str]:
        return [b for b in self.ballots if self.applies[b] & set(roles)]

    def _ratings_for(self, roles: Sequence[str]) -> list[str]:
        return [r for r in self.ratings if self.applies[r] & set(roles)]

    def _readable_before(self, roles: Sequence[str]) -> bool:
        """Whether an ``applies_when`` over ``roles`` has something to read."""
        return bool(self.bool_facts or self.number_facts or self._ballots_for(roles) or self._ratings_for(roles))

    def _scored_for(self, roles: Sequence[str]) -> list[str]:
        return [i for i in self.ranges if self.applies[i] & set(roles)]

    def _predicate(self, stage: str, roles: Sequence[str], labels: Sequence[str], depth: int = 0) -> dict[str, Any]:
        """A predicate in TOML form that ``check`` accepts at ``stage``.

        Stages: ``facts`` (eligibility: no scores, no grades), ``conditions`` (no
        grade yet), ``grade`` (vetoes, caps) and ``final`` (consequences: streaks).
        """
        kinds: list[str] = []
        if self.bool_facts:
            kinds += ["fact", "fact"]
        if self.number_facts:
            kinds.append("number")
        if self._ballots_for(roles):
            kinds.append("share")
        if self._ratings_for(roles):
            kinds.append("rating")
        if stage != "facts":
            kinds.append("total")
            if self._scored_for(roles):
                kinds.append("score")
        if self.assessments:
            kinds.append("outcome")
        if stage in ("grade", "final"):
            kinds.append("grade")
        if stage == "final":
            kinds.append("streak")
        if depth > 0 or not kinds:
            kinds.append("role")
        if depth < 2 and self.one_in(5):
            combinator = self.pick(("all", "any", "not"))
            if combinator == "not":
                return {"not": self._predicate(stage, roles, labels, depth + 1)}
            return {combinator: [self._predicate(stage, roles, labels, depth + 1) for _ in range(self.between(1, 3))]}
        kind = self.pick(kinds)
        if kind == "fact":
            return {"fact": self.pick(self.bool_facts)}
        if kind == "number":
            name = self.pick(sorted(self.number_facts))
            return {"fact": name, **self._compare(*self.number_facts[name])}
        if kind == "share":
            ballot = self.pick(self._ballots_for(roles))
            tiers = self.ballots[ballot]
            counted = self.pick(([tiers[-1]], [tiers[0]], self.subset(tiers)))
            return {"share": ballot, "tiers": counted, **self._compare(Fraction(0), Fraction(1), share=True)}
        if kind == "rating":
            rating = self.pick(self._ratings_for(roles))
            return {"rating": rating, "in": self.subset(self.ratings[rating])}
        if kind == "total":
            return {"score": "total", **self._compare(*self._domain(roles))}
        if kind == "score":
            iid = self.pick(self._scored_for(roles))
            low, high, _ = self.ranges[iid]
            return {"score": iid, **self._compare(low, high)}
        if kind == "outcome":
            assessment, sid = self.pick(self.assessments)
            tiers = self.labels[sid]
            if self.one_in(2):
                return {"outcome": assessment, "scale": sid, "worse_than": self.pick(tiers)}
            return {"outcome": assessment, "scale": sid, "in": self.subset(tiers)}
        if kind == "grade":
            grades = self.subset(labels)
            return {"grade": grades[0] if len(grades) == 1 and self.one_in(2) else grades}
        if kind == "streak":
            p: dict[str, Any] = {"streak": self.subset(labels, max_size=2)}
            periods = self.between(1, 3)
            if periods != 2 or self.one_in(2):
                p["periods"] = periods
            return p
        return {"role": self.subset(self.roles)}

    # -- rules ---------------------------------------------------------------------------------

    def _rule_scope(self) -> tuple[str, list[str], dict[str, Any]]:
        """A grade scale, the roles of a rule graded on it, and its ``roles`` key."""
        sid = self.pick(sorted(self.scale_groups))
        group = self.scale_groups[sid]
        roles = list(group) if self.one_in(2) else self.subset(group)
        key = self.roles_key(roles)
        return sid, roles, ({} if key is None else {"roles": key})

    def _base(self, section: str) -> dict[str, Any]:
        return {"clause": self.clause(), "text": self.pick(_RULE_TEXTS[section])}

    def _eligibility(self) -> dict[str, Any] | None:
        roles = list(self.roles) if self.one_in(2) else self.subset(self.roles)
        if not (self.bool_facts or self.number_facts or self.assessments or self._ballots_for(roles)):
            return None
        key = self.roles_key(roles)
        when = self._predicate("facts", roles, ())
        return {**self._base("eligibility"), "when": when, **({} if key is None else {"roles": key})}

    def _rare(self, roles: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
        """A condition that holds for few subjects, as a veto's or cap's usually does."""
        forms = ["any"]
        if self.bool_facts:
            forms += ["fact", "fact"]
        if self._ballots_for(roles):
            forms.append("majority")
        if self._scored_for(roles):
            forms.append("low")
        if self.assessments:
            forms.append("outcome")
        form = self.pick(forms)
        if form == "fact":
            return {"fact": self.pick(self.bool_facts)}
        if form == "majority":  # 不满意 over half
            ballot = self.pick(self._ballots_for(roles))
            return {"share": ballot, "tiers": [self.ballots[ballot][-1]], "above": _n(Fraction(1, 2))}
        if form == "low":
            iid = self.pick(self._scored_for(roles))
            low, high, _ = self.ranges[iid]
            return {"score": iid, "below": _n(low + (high - low) / 5)}
        if form == "outcome":
            assessment, scale = self.pick(self.assessments)
            return {"outcome": assessment, "scale": scale, "worse_than": self._lower_half(scale)}
        return self._predicate("grade", roles, labels)

    def _lower_half(self, scale: str) -> str:
        """A tier of the lower half: ``worse_than`` it holds for the worst outcomes only."""
        tiers = self.labels[scale]
        return self.pick(tiers[len(tiers) // 2 : -1] or tiers)

    def _veto(self) -> dict[str, Any]:
        sid, roles, key = self._rule_scope()
        labels = self.labels[sid]
        grade = labels[-1] if self.one_in(2) else self.pick(labels)
        return {**self._base("vetoes"), "when": self._rare(roles, labels), "grade": grade, **key}

    def _cap(self) -> dict[str, Any]:
        sid, roles, key = self._rule_scope()
        labels = self.labels[sid]
        if self.assessments and self.one_in(2):  # 上一年度述职评议为“一般”或“差”的，不得评为“优秀”
            assessment, scale = self.pick(self.assessments)
            when: dict[str, Any] = {"outcome": assessment, "scale": scale, "worse_than": self._lower_half(scale)}
        else:
            when = self._rare(roles, labels)
        at_most = self.pick(labels[1:]) if len(labels) > 1 else labels[0]
        return {**self._base("caps"), "when": when, "at_most": at_most, **key}

    def _quota(self) -> dict[str, Any] | None:
        sid, roles, key = self._rule_scope()
        labels = self.labels[sid]
        bound = self.pick(("at_most", "at_least"))
        enforce = self.pick(("hard", "hard", "soft"))
        other = "at_least" if bound == "at_most" else "at_most"
        # An at_least quota runs after the at_most ones and could push a grade back
        # over its at_most limit: generated schemes never aim both at one grade.
        allowed = [g for g in labels if (sid, g) not in self.quota_grades[other]]
        if bound == "at_most" and enforce == "hard":
            allowed = [g for g in allowed if g != labels[-1]]  # no worse grade to demote to
        if not allowed:
            return None
        grade = allowed[0] if bound == "at_most" and self.one_in(2) else self.pick(allowed)  # 优秀 ≤ 30%
        self.quota_grades[bound].add((sid, grade))
        d: dict[str, Any] = {
            **self._base("quotas"),
            "grade": grade,
            "share": _n(self.pick(_SHARES if self.one_in(4) else _SHARES[2:-1])),  # edges 0, 1/10 and 1 now and then
            "bound": bound,
            "count": self.pick(("floor", "ceil")),
            **key,
        }
        if enforce == "soft" or self.one_in(3):
            d["enforce"] = enforce
        if self.one_in(2):
            d["per"] = self.pick(_PER_KEYS)
        if self.one_in(3):
            d["base"] = self.pick(("all", "graded"))
        if bound == "at_least" and self.one_in(2):
            d["fill_from"] = self.pick([g for g in labels if g != grade])
        if self.one_in(2):
            keys: list[dict[str, Any]] = [
                {"score": "total"},
                *({"score": i} for i in self._scored_for(roles)),
                *({"fact": f} for f in self.number_facts),
            ]
            rank_by = []
            for k in self.subset(keys, max_size=3):
                entry: dict[str, Any] = dict(k)
                better = self.pick((None, "higher", "lower"))
                if better is not None:
                    entry["better"] = better
                rank_by.append(entry)
            d["rank_by"] = rank_by
        return d

    def _finding(self) -> dict[str, Any]:
        sid, roles, key = self._rule_scope()
        return {**self._base("findings"), "when": self._predicate("final", roles, self.labels[sid]), **key}

    def _consequence(self) -> dict[str, Any]:
        sid, roles, key = self._rule_scope()
        labels = self.labels[sid]
        form = self.pick(("grade", "streak", "with_fact", "any"))
        when: dict[str, Any]
        if form == "grade":
            when = {"grade": self.subset(labels, max_size=2)}
        elif form == "streak":
            when = {"streak": [labels[-1]], "periods": self.between(2, 3)}
        elif form == "with_fact" and self.bool_facts:
            when = {"all": [{"grade": [labels[-1]]}, {"fact": self.pick(self.bool_facts)}]}
        else:
            when = self._predicate("final", roles, labels)
        return {**self._base("consequences"), "when": when, **key}


def _check_options(kinds: Sequence[str], gradings: Sequence[str], max_roles: int, flags: Sequence[bool]) -> _Options:
    k = _check_choice("kinds", kinds, INSTRUMENT_KINDS)
    g = _check_choice("gradings", gradings, GRADING_KINDS)
    if isinstance(max_roles, bool) or not isinstance(max_roles, int) or max_roles < 1:
        raise InvalidArgument(f"max_roles must be an integer >= 1 (got {max_roles!r})")
    for flag in flags:
        if not isinstance(flag, bool):
            raise InvalidArgument(f"the with_* options are booleans (got {flag!r})")
    return _Options(k, g, max_roles, *flags)


@st.composite
def _scheme_data(draw: st.DrawFn, options: _Options) -> dict[str, Any]:
    return _SchemeBuilder(draw, options).build()


def scheme_data(
    *,
    kinds: Sequence[str] = INSTRUMENT_KINDS,
    gradings: Sequence[str] = GRADING_KINDS,
    max_roles: int = 3,
    with_quotas: bool = True,
    with_vetoes: bool = True,
    with_caps: bool = True,
    with_facts: bool = True,
) -> SearchStrategy[dict[str, Any]]:
    """The plain data of valid schemes: what ``tomli`` gives for a ``scheme.toml``.

    The same schemes as :func:`schemes` (same arguments), before loading: for
    testing code that writes, transforms or loads scheme data (a TOML writer, a
    migration, an editor). Numbers are written the TOML way: ``int``,
    :class:`~decimal.Decimal`, or a string ``"a/b"`` for a rational such as 1/3.
    Every dict loads with :func:`villageeval.scheme_from_dict`.

    Example::

        @given(scheme_data(kinds=("ballot",)))
        def test_my_writer(data):
            text = my_toml_writer(data)
            assert villageeval.loads_scheme(text) == villageeval.scheme_from_dict(data)
    """
    options = _check_options(kinds, gradings, max_roles, (with_quotas, with_vetoes, with_caps, with_facts))
    return _scheme_data(options)


def _load(data: dict[str, Any]) -> m.Scheme:
    try:
        return scheme_from_dict(data, registry=_registry())
    except SchemeError as e:  # pragma: no cover - a bug in this module or in the validator
        raise AssertionError(
            f"villageeval.testing generated a scheme that does not load; this is a bug in the "
            f"strategies or in the validator:\n{e}\n\ndata = {data!r}"
        ) from None


def schemes(
    *,
    kinds: Sequence[str] = INSTRUMENT_KINDS,
    gradings: Sequence[str] = GRADING_KINDS,
    max_roles: int = 3,
    with_quotas: bool = True,
    with_vetoes: bool = True,
    with_caps: bool = True,
    with_facts: bool = True,
) -> SearchStrategy[m.Scheme]:
    """Valid, loaded schemes of every instrument and grading kind.

    Why: code that consumes villageeval results (reports, exports, a committee's
    review tool) should work for any locality's scheme, not only the bundled one.
    Each scheme is drawn as plain data and loaded with
    :func:`villageeval.scheme_from_dict` through a registry of the built-in
    plugins only, so installed plugins never change what is generated. What
    varies:

    - 1 to ``max_roles`` roles, split between one or more weightings and gradings;
    - ballot and rating scales with Chinese tiers (好/较好/一般/差,
      优秀/称职/基本称职/不称职, ...) and strictly decreasing points; grade scales;
    - instruments of the ``kinds`` given: ballots with ``min_respondents``,
      ``quorum``, ``must_cover`` (both ``cover`` modes) and ``per_stratum``;
      ratings; scores with their ``min``/``max``; itemised points with ``award``
      and ``deduct`` items and a capped bonus; with or without ``out_of``;
    - weights that are positive integers adding up to the declared ``total``;
    - gradings of the ``gradings`` kinds: bands that partition the exact range
      of totals the weighting can produce, after a rounding (0–2 digits, every
      mode) or without one, each edge inclusive on exactly one side; or ordered
      condition rules over the total, sub-scores and tier shares, none of them
      unreachable, with a fallback;
    - with ``with_facts``: declared ``bool`` and ``number`` facts (some with a
      ``default``) and eligibility rules; with ``with_vetoes`` / ``with_caps``:
      vetoes and caps, among them caps on another assessment's ``outcome`` on a
      declared scale; with ``with_quotas``: ``at_most`` / ``at_least`` quotas,
      ``floor`` / ``ceil``, ``hard`` / ``soft``, ``per`` a group, ``base``,
      ``fill_from`` and ``rank_by`` keys (``total``, instruments,
      ``fact:<name>``); findings and consequences, ``streak`` ones included;
    - predicates of every form (``fact``, ``score``, ``share``, ``rating``,
      ``grade``, ``streak``, ``outcome``, ``role``, ``all`` / ``any`` / ``not``)
      where ``check`` allows each, and ``applies_when`` on some instruments
      that are not weighted.

    Vetoes and caps mostly test conditions that hold for few subjects (a
    ``bool`` fact, 不满意 over half, a very low sub-score), as documents write
    them. Generated schemes never have an ``at_least`` quota and an
    ``at_most`` quota on the same grade of the same scale: the ``at_least``
    quota runs later and can undo the other (``check`` does not forbid it), so
    a hard ``at_most`` quota holds in every result. No ``[parameters]`` and no
    ``{ rule = ... }`` predicates are generated: they need a TOML file or a
    plugin.

    Example::

        from hypothesis import given
        import villageeval as ve
        from villageeval.testing.strategies import schemes

        @given(schemes(kinds=("ballot", "score"), gradings=("bands",), with_quotas=False))
        def test_round_trip(scheme):
            assert ve.scheme_from_dict(ve.scheme_to_dict(scheme)) == scheme
    """
    return scheme_data(
        kinds=kinds,
        gradings=gradings,
        max_roles=max_roles,
        with_quotas=with_quotas,
        with_vetoes=with_vetoes,
        with_caps=with_caps,
        with_facts=with_facts,
    ).map(_load)


# --- reading a scheme for its cohorts -----------------------------------------------------


def _role_predicates(scheme: m.Scheme, role: str) -> list[m.Predicate]:
    """The predicates of the rules that apply to ``role``, in the engine's order."""
    out: list[m.Predicate] = []
    for ins in scheme.instruments.values():
        condition = getattr(ins, "applies_when", None)
        if condition is not None and role in scheme.role_ids(getattr(ins, "roles", ())):
            out.append(condition)
    for g in scheme.gradings.values():
        if role in scheme.role_ids(g.roles):
            if isinstance(g, m.ConditionGrading):
                out.extend(r.when for r in g.rules)
            break
    sections: list[Mapping[str, m.Eligibility | m.Veto | m.Cap | m.Finding | m.Consequence]] = [
        scheme.eligibility,
        scheme.vetoes,
        scheme.caps,
        scheme.findings,
        scheme.consequences,
    ]
    for rules in sections:
        out.extend(r.when for r in rules.values() if role in scheme.role_ids(r.roles))
    return out


@attrs.frozen
class _RoleInfo:
    label: str
    instruments: tuple[tuple[str, Mapping[Level, SearchStrategy[Any]]], ...]
    facts: frozenset[str]  # declared facts the role's rules read
    outcomes: Mapping[str, tuple[str, ...]]  # linked assessment → the grades it may give
    streak: int  # the longest streak a rule of the role reads
    streak_grades: tuple[str, ...]
    grades: tuple[str, ...]


class _Info:
    """What valid subjects of a scheme need, computed once per scheme."""

    def __init__(self, scheme: m.Scheme, plugin_evidence: PluginEvidence | None) -> None:
        self.scheme = scheme
        self.per_keys = tuple(sorted({q.per for q in scheme.quotas.values() if q.per}))
        bounds: dict[str, set[Fraction]] = {}
        all_outcomes: dict[str, tuple[str, ...]] = {}
        self.roles: dict[str, _RoleInfo] = {}
        for role, spec in scheme.roles.items():
            facts: set[str] = set()
            outcomes: dict[str, tuple[str, ...]] = {}
            streak = 0
            streak_grades: set[str] = set()
            for p in _role_predicates(scheme, role):
                for leaf in leaves(p):
                    if isinstance(leaf, m.FactTest) and leaf.fact in scheme.facts:
                        facts.add(leaf.fact)
                        if leaf.compare is not None:
                            bounds.setdefault(leaf.fact, set()).update(
                                v for v in attrs.astuple(leaf.compare) if v is not None
                            )
                    elif isinstance(leaf, m.OutcomeTest) and leaf.scale in scheme.scales:
                        labels = scheme.scales[leaf.scale].labels
                        # The engine checks against the first scale read; keep grades valid on every one.
                        known = outcomes.get(leaf.outcome, labels)
                        both = tuple(g for g in known if g in labels)
                        outcomes[leaf.outcome] = both or known
                    elif isinstance(leaf, m.Streak):
                        streak = max(streak, leaf.periods)
                        streak_grades.update(leaf.streak)
            for q in scheme.quotas.values():
                if role in scheme.role_ids(q.roles):
                    facts.update(k.fact for k in q.rank_by if isinstance(k, m.FactKey) and k.fact in scheme.facts)
            for k, v in outcomes.items():
                all_outcomes.setdefault(k, v)
            grades: tuple[str, ...] = ()
            for g in scheme.gradings.values():
                if role in scheme.role_ids(g.roles):
                    grades = scheme.scales[g.scale].labels
                    break
            instruments = tuple(
                (iid, {level: _valid_evidence(scheme, iid, plugin_evidence, level) for level in _LEVELS})
                for iid, ins in scheme.instruments.items()
                if role in scheme.role_ids(getattr(ins, "roles", ()))
            )
            self.roles[role] = _RoleInfo(
                spec.label,
                instruments,
                frozenset(facts),
                outcomes,
                streak,
                tuple(sorted(streak_grades)),
                grades,
            )
        self.outcomes = all_outcomes
        self.fact_values: dict[str, SearchStrategy[Any]] = {}
        for name, fact in scheme.facts.items():
            if fact.type == "bool":
                self.fact_values[name] = _MOSTLY_FALSE
            else:
                near = sorted({b + d for b in bounds.get(name, ()) for d in (-1, 0, Fraction(1, 2), 1)} | {Fraction(0)})
                self.fact_values[name] = st.one_of(st.sampled_from(near), st.integers(0, 40).map(Fraction)).flatmap(
                    _exact
                )


def _exact(v: Fraction) -> SearchStrategy[Any]:
    """``v`` as one of the exact types a cohort may carry: int, Fraction or Decimal."""
    forms: list[Any] = [v]
    if v.denominator == 1:
        forms.append(int(v))
    written = unstructure_number(v)
    if isinstance(written, Decimal):
        forms.append(written)
    return st.sampled_from(forms)


# --- valid evidence ----------------------------------------------------------------------


def _coverage(ins: Any) -> SearchStrategy[dict[str, Any]]:
    """Coverage that meets ``must_cover`` in the instrument's ``cover`` mode."""
    every = getattr(ins, "cover", "at_least_one") == "every_member"
    parts: dict[str, SearchStrategy[Any]] = {}
    for category in getattr(ins, "must_cover", ()):
        if every:
            # {"count": 0, "of": 0}: a category with no members is fully covered.
            parts[category] = st.integers(0, 6).map(lambda n: {"count": n, "of": n})
        else:
            parts[category] = st.integers(1, 5).flatmap(
                lambda c: st.sampled_from((c, {"count": c}, {"count": c, "of": c}, {"count": c, "of": c + 2}))
            )
    return st.fixed_dictionaries(parts)


#: How good a subject's evidence is: drawn at random, or the best (or worst) the
#: instrument can give, so that several subjects reach the top (or bottom) total.
Level = Literal["random", "best", "worst"]
_LEVELS: tuple[Level, ...] = ("random", "best", "worst")


def _draw_split(draw: st.DrawFn, total: int, labels: Sequence[str], level: Level) -> dict[str, int]:
    """``total`` ballots over ``labels``: all in one tier, spread evenly, or at random."""
    k = len(labels)
    mode = 0 if level != "random" else draw(_ints(0, 3))
    if mode == 0:
        counts = [0] * k
        at = {"best": 0, "worst": k - 1}.get(level)
        counts[at if at is not None else draw(_ints(0, k - 1))] = total
    elif mode == 1:
        counts = [total // k + (1 if i < total % k else 0) for i in range(k)]
    else:
        cuts = sorted(draw(_ints(0, total)) for _ in range(k - 1))
        counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    keep_zeros = draw(st.booleans())
    return {label: n for label, n in zip(labels, counts, strict=True) if n or keep_zeros}


# Composites are defined once, at module level: hypothesis reads a composite's source
# when it is defined, which is slow enough to matter if done per draw.


@st.composite
def _split(draw: st.DrawFn, total: int, labels: tuple[str, ...], level: Level = "random") -> dict[str, int]:
    return _draw_split(draw, total, labels, level)


def _ballot_needs(scheme: m.Scheme, ins: Ballot) -> int:
    """The fewest ballots valid evidence may have."""
    scale = scheme.scales[ins.scale]
    scored = bool(scale.tiers) and all(t.points is not None for t in scale.tiers)
    return max(ins.min_respondents, 1 if scored or ins.quorum is not None else 0)


def _stratum_name(i: int) -> str:
    name = _STRATUM_NAMES[i % len(_STRATUM_NAMES)]
    return name if i < len(_STRATUM_NAMES) else f"{name}{i // len(_STRATUM_NAMES)}"


def _draw_strata(draw: st.DrawFn, rule: StratumRule, need: int) -> dict[str, int]:
    """Respondents per stratum, each within [min, max] (often at them), adding up to at least ``need``."""
    low, high = rule.min, rule.max
    soft_high = high if high is not None else low + 4
    k_min = 1 if high is None else max(1, ceil(need / high))
    counts = [
        draw(_ints(low, soft_high)) if draw(st.booleans()) else (low, soft_high)[draw(_ints(0, 1))]
        for _ in range(draw(_ints(k_min, k_min + 3)))
    ]
    deficit, i = need - sum(counts), 0
    while deficit > 0:  # fill up to ``need``, stratum by stratum, never past max
        add = deficit if high is None else min(high - counts[i], deficit)
        counts[i] += add
        deficit -= add
        i += 1
    return {_stratum_name(i): n for i, n in enumerate(counts)}


_EXTRA_BALLOTS = st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 30))  # often exactly min_respondents


@st.composite
def _ballot(
    draw: st.DrawFn,
    labels: tuple[str, ...],
    need: int,
    rule: StratumRule | None,
    quorum: Fraction | None,
    coverage: SearchStrategy[dict[str, Any]],
    level: Level,
) -> BallotEvidence:
    strata: dict[str, int] = {}
    if rule is not None:
        strata = _draw_strata(draw, rule, need)
        total = sum(strata.values())
    else:
        total = need + draw(_EXTRA_BALLOTS)
    tallies = _draw_split(draw, total, labels, level)
    expected = None
    if quorum is not None:
        most = floor(total / quorum)  # the most expected for which ``total`` still meets the quorum
        expected = (total, most, draw(_ints(total, most)))[draw(_ints(0, 2))]
    return BallotEvidence(tallies, draw(coverage), strata, expected)


def _ballot_evidence(scheme: m.Scheme, ins: Ballot, iid: str, level: Level) -> SearchStrategy[BallotEvidence]:
    need = _ballot_needs(scheme, ins)
    rule = ins.per_stratum
    if rule is not None and rule.max is not None and rule.max == 0 and need > 0:
        raise InvalidArgument(
            f"instrument {iid!r}: no evidence can meet per_stratum max = 0 with {need} ballots needed"
        )
    return _ballot(scheme.scales[ins.scale].labels, need, rule, ins.quorum, _coverage(ins), level)


def _fraction_of(top: Fraction, steps: int, most: int) -> SearchStrategy[Any]:
    """``top × i / steps`` for i in [0, most], often 0 or ``top``, as an exact value."""
    i = st.one_of(st.sampled_from((0, steps)), st.integers(0, most))
    return i.flatmap(lambda k: _exact(top * Fraction(k, steps)))


def _score_evidence(ins: DirectScore, level: Level) -> SearchStrategy[ScoreEvidence]:
    if level != "random":
        value = _exact(ins.max if level == "best" else ins.min)
    else:
        span = ins.max - ins.min
        value = st.sampled_from((1, 2, 10, 20, 100)).flatmap(
            lambda n: st.one_of(st.sampled_from((0, n)), st.integers(0, n)).flatmap(
                lambda i: _exact(ins.min + span * Fraction(i, n))
            )
        )
    return st.builds(ScoreEvidence, value, _coverage(ins))


def _points_evidence(ins: Points, level: Level) -> SearchStrategy[PointsEvidence]:
    def item(it: PointItem) -> SearchStrategy[Any]:
        if level == "random":
            return _fraction_of(it.max, 20, 20 if it.mode == "award" else 30)  # deductions may pass max
        full = (level == "best") == (it.mode == "award")
        return _exact(it.max) if full else _exact(Fraction(0))

    items = st.fixed_dictionaries({item_id: item(it) for item_id, it in ins.items.items()})
    if ins.bonus is None:
        bonus: SearchStrategy[Any] = st.none()
    elif level == "random":
        bonus = st.one_of(st.none(), _fraction_of(ins.bonus.max, 10, 15))  # above max is capped
    else:
        bonus = _exact(ins.bonus.max) if level == "best" else st.sampled_from((None, 0))
    return st.builds(PointsEvidence, items, bonus, _coverage(ins))


def _valid_evidence(
    scheme: m.Scheme, iid: str, plugin_evidence: PluginEvidence | None, level: Level = "random"
) -> SearchStrategy[Any]:
    try:
        ins = scheme.instruments[iid]
    except KeyError:
        raise InvalidArgument(f"scheme {scheme.id!r} has no instrument {iid!r}") from None
    kind = getattr(ins, "kind", None)
    if plugin_evidence and isinstance(kind, str) and kind in plugin_evidence:
        return plugin_evidence[kind](ins)
    if isinstance(ins, Ballot):
        return _ballot_evidence(scheme, ins, iid, level)
    if isinstance(ins, Rating):
        labels = scheme.scales[ins.scale].labels
        tier = st.sampled_from(labels) if level == "random" else st.just(labels[0 if level == "best" else -1])
        return st.builds(RatingEvidence, tier, _coverage(ins))
    if isinstance(ins, DirectScore):
        return _score_evidence(ins, level)
    if isinstance(ins, Points):
        return _points_evidence(ins, level)
    raise InvalidArgument(
        f"instrument {iid!r} is of the plugin kind {kind!r}: pass plugin_evidence={{{kind!r}: ...}} "
        "with a strategy of valid evidence for it (CustomEvidence, say)"
    )


def evidence(
    scheme: m.Scheme, instrument_id: str, *, plugin_evidence: PluginEvidence | None = None
) -> SearchStrategy[Evidence]:
    """Valid evidence for one instrument of ``scheme``: it never makes a subject insufficient.

    Why: the building block of :func:`subjects` and :func:`cohorts`, and what to
    draw when testing code that collects or checks one kind of evidence.

    - ballot: tallies over the scale's tiers (all in one tier, spread evenly, or
      at random, zero tiers sometimes written out) with at least
      ``min_respondents`` ballots (often exactly that many) and at least one on
      a scale with points; ``strata`` within ``per_stratum``'s ``min`` and
      ``max`` (often at them) adding up to the tallies; ``expected`` that meets
      the ``quorum`` (often exactly); ``coverage`` of every ``must_cover``
      category in the ``cover`` mode;
    - rating: a tier of the scale, with coverage;
    - score: a value in ``[min, max]`` (often at a bound) as ``int``,
      :class:`~fractions.Fraction` or :class:`~decimal.Decimal`, with coverage;
    - points: every item within its maximum (deductions sometimes beyond it:
      they stop at zero), a bonus only if the instrument has one (sometimes
      above its cap, which is capped), with coverage;
    - a plugin kind: what ``plugin_evidence[kind](instrument)`` draws.

    Example::

        @given(evidence(huining, "household_visit"))
        def test_collector_accepts(ev):
            assert sum(ev.strata.values()) == sum(ev.tallies.values())
    """
    return _valid_evidence(scheme, instrument_id, plugin_evidence)


# --- subjects and cohorts -----------------------------------------------------------------


def _history_keys(period: str, n: int) -> list[str]:
    """The ``n`` periods before ``period`` that a streak reads, most recent first."""
    if period.isdigit():
        return [str(int(period) - i) for i in range(1, n + 1)]
    # Otherwise the most recent keys that sort before the period are read.
    if period and period[0] <= "0":
        return []
    return [f"0{n - i}" for i in range(n)]


@st.composite
def _subject(draw: st.DrawFn, info: _Info, role: str, sid: str, groups: tuple[str, ...]) -> Subject:
    scheme = info.scheme
    ri = info.roles[role]
    # A third of the subjects bring the best evidence on every instrument (a sixth the
    # worst): equal top totals, so that at_most quotas on the best grade overflow, with
    # ties at the cut.
    level = _LEVELS[(0, 0, 0, 1, 1, 2)[draw(_ints(0, 5))]]
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
        keys = _history_keys(scheme.period, ri.streak - 1)
        likely = ri.streak_grades or ri.grades
        for key in keys:
            if draw(st.integers(0, 5)):  # now and then a period is missing, breaking the streak
                history[key] = draw(st.one_of(st.sampled_from(likely), st.sampled_from(ri.grades)))
    unit = draw(st.sampled_from(_VILLAGES))
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


def _check_groups(info: _Info, groups: Sequence[str]) -> tuple[str, ...]:
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
      ``applies_when``, a quota's ``fact:`` key), of
      the declared type, left out now and then when it has a default; number
      facts often at or next to the bounds the scheme compares them with.
      Facts only other roles read are sometimes given, sometimes not;
    - ``outcomes`` for every linked assessment its rules read, with a tier of the
      scale they read it on;
    - ``history`` for the longest ``streak`` its rules read (the periods before
      the scheme's ``period``), sometimes with a period missing;
    - ``groups`` for every key a quota counts ``per``, drawn from ``groups``.

    Python predicates that plugins register (``{ rule = "..." }``) are not
    looked into: give what they read yourself.

    Example::

        @given(subjects(huining, role="member", id="xicha-member-1"))
        def test_one(subject):
            outcome = ve.evaluate(huining, ve.Cohort([subject])).outcome(subject.id)
            assert outcome.status == "graded"
    """
    info = _Info(scheme, plugin_evidence)
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
def _cohort(draw: st.DrawFn, info: _Info, min_size: int, max_size: int, groups: tuple[str, ...]) -> Cohort:
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
    info = _Info(scheme, plugin_evidence)
    group_values = _check_groups(info, groups)
    return _cohort(info, min_size, max_size, group_values)


# --- invalid evidence -----------------------------------------------------------------------


def _unknown_tier(labels: Sequence[str]) -> SearchStrategy[str]:
    return st.sampled_from([t for t in (*_ALL_TIERS, "未评") if t not in labels])


_BAD_COUNTS: tuple[Any, ...] = (-1, True, Decimal("2.5"), "3", None, 1.0)
_BAD_NUMBERS: tuple[Any, ...] = (85.5, "八十五", None, True, "", [1])


def _broken_coverage(ins: Any) -> SearchStrategy[dict[str, Any]] | None:
    """Coverage that fails ``must_cover``; None if the instrument has none."""
    required = tuple(getattr(ins, "must_cover", ()))
    if not required:
        return None
    every = getattr(ins, "cover", "at_least_one") == "every_member"
    wrong: list[Any] = [{"count": -1}, {"count": 3, "of": 2}, {"count": "2"}, {"count": 1, "of": 1, "extra": 1}, -1]
    wrong += [{"count": 1, "of": 2}, 3] if every else [0, {"count": 0}]
    return _broken(_coverage(ins), required, tuple(wrong))


@st.composite
def _broken(
    draw: st.DrawFn, valid: SearchStrategy[dict[str, Any]], required: tuple[str, ...], wrong: tuple[Any, ...]
) -> dict[str, Any]:
    coverage = dict(draw(valid))
    category = draw(st.sampled_from(required))
    if draw(st.booleans()):
        del coverage[category]
    else:
        coverage[category] = draw(st.sampled_from(wrong))
    return coverage


def _wrong_shapes(labels: Sequence[str], not_kind: type | None) -> SearchStrategy[Any]:
    """Evidence of another kind's shape, or of no shape the cohort reader knows."""
    tier = labels[0] if labels else "好"
    shapes: list[Any] = [
        MalformedEvidence({"talies": {tier: 1}}, "evidence needs exactly one of tallies, tier, value, items")
    ]
    if not_kind is not None:
        shapes += [BallotEvidence({tier: 1}), RatingEvidence(tier), ScoreEvidence(1), PointsEvidence({"x": 1})]
    return st.sampled_from([e for e in shapes if not_kind is None or not isinstance(e, not_kind)])


def invalid_evidence(scheme: m.Scheme, instrument_id: str) -> SearchStrategy[Evidence]:
    """Evidence for one instrument that makes a subject ``insufficient_evidence``.

    Why: to test that code never grades a subject on thin or broken evidence,
    and handles the explicit status instead. Each value has at least one defect,
    chosen among those the instrument's rules make possible (a ``quorum``
    defect only for an instrument with a quorum, and so on); the rest is valid.
    The reason codes it can produce are :data:`INVALID_EVIDENCE_CODES` (the list
    there says which for each kind); every defect gives at least one of them.

    A subject is ``ineligible`` rather than insufficient when an eligibility
    rule holds for it, whatever its evidence: test this on subjects no
    eligibility rule applies to.

    Example::

        @given(subjects(huining, role="team"), invalid_evidence(huining, "appraisal"))
        def test_never_graded(subject, broken):
            subject = attrs.evolve(subject, evidence={**subject.evidence, "appraisal": broken})
            outcome = ve.evaluate(huining, ve.Cohort([subject])).outcome(subject.id)
            assert outcome.status == "insufficient_evidence"
            assert {r.code for r in outcome.reasons} <= INVALID_EVIDENCE_CODES
    """
    try:
        ins = scheme.instruments[instrument_id]
    except KeyError:
        raise InvalidArgument(f"scheme {scheme.id!r} has no instrument {instrument_id!r}") from None
    if isinstance(ins, Ballot):
        return st.one_of(_broken_ballot(scheme, ins, instrument_id))
    if isinstance(ins, Rating):
        labels = scheme.scales[ins.scale].labels
        options = [
            st.builds(RatingEvidence, _unknown_tier(labels), _coverage(ins)),
            _wrong_shapes(labels, RatingEvidence),
        ]
        broken = _broken_coverage(ins)
        if broken is not None:
            options.append(st.builds(RatingEvidence, st.sampled_from(labels), broken))
        return st.one_of(options)
    if isinstance(ins, DirectScore):
        span = ins.max - ins.min
        outside = st.integers(1, 100).flatmap(
            lambda k: st.sampled_from((ins.max + span * Fraction(k, 100), ins.min - span * Fraction(k, 100)))
        )
        options = [
            st.builds(ScoreEvidence, outside.flatmap(_exact), _coverage(ins)),
            st.builds(ScoreEvidence, st.sampled_from(_BAD_NUMBERS), _coverage(ins)),
            _wrong_shapes(("好",), ScoreEvidence),
        ]
        broken = _broken_coverage(ins)
        if broken is not None:
            options.append(
                _score_evidence(ins, "random").flatmap(lambda e: broken.map(lambda c: attrs.evolve(e, coverage=c)))
            )
        return st.one_of(options)
    if isinstance(ins, Points):
        return st.one_of(_broken_points(ins))
    # A plugin kind decides itself what its evidence may be: only an unreadable shape is sure to fail.
    return _wrong_shapes((), None)


def _broken_ballot(scheme: m.Scheme, ins: Ballot, iid: str) -> list[SearchStrategy[Any]]:
    labels = scheme.scales[ins.scale].labels
    valid = _ballot_evidence(scheme, ins, iid, "random")
    need = _ballot_needs(scheme, ins)
    options: list[SearchStrategy[Any]] = [
        st.tuples(valid, _unknown_tier(labels), st.integers(0, 5)).map(
            lambda t: attrs.evolve(t[0], tallies={**t[0].tallies, t[1]: t[2]})
        ),
        st.tuples(valid, st.sampled_from(labels), st.sampled_from(_BAD_COUNTS)).map(
            lambda t: attrs.evolve(t[0], tallies={**t[0].tallies, t[1]: t[2]})
        ),
        _wrong_shapes(labels, BallotEvidence),
    ]
    if need > 0:
        fewer = ins.min_respondents - 1 if ins.min_respondents > 0 else 0
        options.append(st.tuples(valid, _split(fewer, labels)).map(lambda t: attrs.evolve(t[0], tallies=t[1])))
    quorum = ins.quorum
    if quorum is not None:

        def bad_expected(e: BallotEvidence) -> SearchStrategy[BallotEvidence]:
            total = sum(e.tallies.values())
            wrong = (None, total - 1, floor(total / quorum) + 1, "20", -3)
            return st.sampled_from(wrong).map(lambda x: attrs.evolve(e, expected=x))

        options.append(valid.flatmap(bad_expected))
    broken = _broken_coverage(ins)
    if broken is not None:
        options.append(st.tuples(valid, broken).map(lambda t: attrs.evolve(t[0], coverage=t[1])))
    rule = ins.per_stratum
    if rule is not None:
        wrong_counts = [-1, "3", rule.max + 1 if rule.max is not None else -2, rule.min - 1 if rule.min > 0 else -2]

        def bad_strata(e: BallotEvidence) -> SearchStrategy[BallotEvidence]:
            first = next(iter(e.strata))
            extra = max(rule.min, 1)
            return st.sampled_from(
                (
                    attrs.evolve(e, strata={}),
                    attrs.evolve(e, strata={**e.strata, "外来户": extra}),  # no longer adds up (or out of range)
                    *(attrs.evolve(e, strata={**e.strata, first: c}) for c in wrong_counts),
                )
            )

        options.append(valid.flatmap(bad_strata))
    return options


def _broken_points(ins: Points) -> list[SearchStrategy[Any]]:
    valid = _points_evidence(ins, "random")
    ids = sorted(ins.items)
    options: list[SearchStrategy[Any]] = [
        st.tuples(valid, st.sampled_from(ids)).map(
            lambda t: attrs.evolve(t[0], items={k: v for k, v in t[0].items.items() if k != t[1]})
        ),
        valid.map(lambda e: attrs.evolve(e, items={**e.items, "not_an_item": 1})),
        st.tuples(valid, st.sampled_from(ids), st.sampled_from((-1, Fraction(-1, 2), 1.5, "五", None))).map(
            lambda t: attrs.evolve(t[0], items={**t[0].items, t[1]: t[2]})
        ),
        valid.map(lambda e: attrs.evolve(e, bonus=-1)),
        _wrong_shapes(("好",), PointsEvidence),
    ]
    award = [k for k in ids if ins.items[k].mode == "award"]
    if award:
        options.append(
            st.tuples(valid, st.sampled_from(award), st.integers(1, 10)).map(
                lambda t: attrs.evolve(t[0], items={**t[0].items, t[1]: ins.items[t[1]].max + t[2]})
            )
        )
    if ins.bonus is None:
        options.append(valid.map(lambda e: attrs.evolve(e, bonus=1)))
    broken = _broken_coverage(ins)
    if broken is not None:
        options.append(st.tuples(valid, broken).map(lambda t: attrs.evolve(t[0], coverage=t[1])))
    return options
