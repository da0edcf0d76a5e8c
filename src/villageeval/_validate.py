"""Checks that relate one part of a scheme to another.

Structure (types, known keys) is checked by the converter; this module checks
meaning: names that must exist, weights that must add up to the declared
total, bands that must cover every rounded score exactly once, rules that can
never match. It never stops at the first problem: a scheme author fixing a
file wants the whole list.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from fractions import Fraction

from . import _kernel as k
from . import _model as m
from ._convert import Path, RawProblem, share_problem
from ._hints import known_hint as _hint
from ._kinds.spec import Kind
from ._text import forbidden_character

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: The most decimal places a total is rounded to or shown with: scores are given to a
#: point or two; a grid of 10**-12 is already finer than any document.
MOST_DIGITS = 12

_RULE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def validate(
    scheme: m.Scheme,
    predicates: Collection[str] = (),
    kinds: Mapping[str, Kind] | None = None,
    lineage: tuple[str, ...] = (),
) -> list[RawProblem]:
    """Every semantic problem of ``scheme``.

    ``predicates`` are the names of the known Python predicates, ``kinds`` every
    instrument kind the scheme may use (name → :class:`~villageeval._kinds.spec.Kind`,
    the built-in ones by default), ``lineage`` the ids whose ``rules.py`` speak for it.
    """
    if kinds is None:
        from ._plugins import builtin_kinds

        kinds = builtin_kinds()
    return list(_Validator(scheme, predicates, kinds, lineage or (scheme.id,)).run())


def roles_of(scheme: m.Scheme, roles: tuple[str, ...]) -> tuple[str, ...]:
    """The roles a rule applies to: its own list, or every role when empty."""
    return roles or tuple(scheme.roles)


def grading_for(scheme: m.Scheme, role: str) -> tuple[str, m.Grading] | None:
    """The grading that applies to ``role``."""
    for gid, g in scheme.gradings.items():
        if role in roles_of(scheme, g.roles):
            return gid, g
    return None


def weighting_for(scheme: m.Scheme, role: str) -> tuple[str, m.Weighting] | None:
    """The weighting that applies to ``role``."""
    for wid, w in scheme.weightings.items():
        if role in roles_of(scheme, w.roles):
            return wid, w
    return None


class _Validator:
    def __init__(
        self, scheme: m.Scheme, predicates: Collection[str], kinds: Mapping[str, Kind], lineage: tuple[str, ...]
    ) -> None:
        self.s = scheme
        self.predicates = predicates
        self.kinds = kinds
        self.lineage = lineage

    def _scale_of(self, iid: str) -> tuple[str, tuple[str, ...]] | None:
        """The scale an instrument's tiers are on, and its labels, for a kind whose config names one."""
        scale_id = getattr(self.s.instruments.get(iid), "scale", None)
        if isinstance(scale_id, str) and scale_id in self.s.scales:
            return scale_id, self.s.scales[scale_id].labels
        return None

    def _records(self, iid: str) -> str | None:
        """What an instrument's kind records for rules: ``tallies``, ``tier`` or nothing."""
        ins = self.s.instruments.get(iid)
        kind = self.kinds.get(ins.kind) if ins is not None else None
        return kind.records if kind is not None else None

    def run(self) -> Iterator[RawProblem]:
        s = self.s
        if not _ID.match(s.id):
            yield RawProblem(("id",), f"must be a lowercase slug like 'huining-midterm-2023' (got {s.id!r})")
        if not s.roles:
            yield RawProblem(("roles",), "a scheme grades at least one role")
        yield from self._scales()
        yield from self._instruments()
        yield from self._weightings()
        yield from self._gradings()
        yield from self._facts()
        yield from self._periods()
        yield from self._groups()
        yield from self._rules()

    # -- helpers -----------------------------------------------------------------

    def _roles(self, path: Path, roles: tuple[str, ...]) -> Iterator[RawProblem]:
        for i, r in enumerate(roles):
            if r not in self.s.roles:
                yield RawProblem((*path, "roles", i), f"unknown role {r!r}{_hint(r, self.s.roles)}")

    def _scale(self, path: Path, name: str) -> Iterator[RawProblem]:
        if name not in self.s.scales:
            yield RawProblem(path, f"unknown scale {name!r}{_hint(name, self.s.scales)}")

    def _grade_scales(self, roles: tuple[str, ...]) -> list[tuple[str, m.Scale]]:
        out = []
        for role in roles_of(self.s, roles):
            found = grading_for(self.s, role)
            if found and found[1].scale in self.s.scales:
                out.append((found[1].scale, self.s.scales[found[1].scale]))
        return out

    def _grade(self, path: Path, label: str, roles: tuple[str, ...]) -> Iterator[RawProblem]:
        for scale_id, scale in self._grade_scales(roles):
            if label not in scale.labels:
                yield RawProblem(
                    path, f"unknown grade {label!r}: not a tier of scale {scale_id!r}{_hint(label, scale.labels)}"
                )
                return

    # -- sections -------------------------------------------------------------------

    def _printable(self) -> Iterator[RawProblem]:
        """Labels and ids that outcomes print are free of control characters (a newline in a
        tier would forge a row of the table a committee reads)."""
        s = self.s
        named: list[tuple[Path, str]] = [(("roles", r), r) for r in s.roles]
        named += [(("roles", r, "label"), role.label) for r, role in s.roles.items()]
        for sid, scale in s.scales.items():
            named += [(("scales", sid, "tiers", i), t.label) for i, t in enumerate(scale.tiers)]
        for iid, ins in s.instruments.items():
            named += [(("instruments", iid, "must_cover", i), c) for i, c in enumerate(getattr(ins, "must_cover", ()))]
        for kind, g in s.groups.items():
            named += [(("groups", kind, "values", i), v) for i, v in enumerate(g.values)]
        named += [(("periods", "order", i), p) for i, p in enumerate(s.periods.order)]
        for path, text in named:
            char = forbidden_character(text)
            if char is not None:
                yield RawProblem(path, f"must not hold a control character ({char!r}): it would forge what is printed")

    def _scales(self) -> Iterator[RawProblem]:
        yield from self._printable()
        for sid, scale in self.s.scales.items():
            path: Path = ("scales", sid)
            if not scale.tiers:
                yield RawProblem((*path, "tiers"), "a scale needs at least one tier")
            seen: dict[str, int] = {}
            for i, t in enumerate(scale.tiers):
                if t.label in seen:
                    yield RawProblem((*path, "tiers", i), f"duplicate tier {t.label!r} (also tiers[{seen[t.label]}])")
                seen.setdefault(t.label, i)
            with_points = [t.points is not None for t in scale.tiers]
            if any(with_points) and not all(with_points):
                yield RawProblem((*path, "tiers"), "either every tier has points or none has")

    def _instruments(self) -> Iterator[RawProblem]:
        for iid, ins in self.s.instruments.items():
            path: Path = ("instruments", iid)
            if not _RULE_ID.match(iid):
                yield RawProblem(path, f"instrument ids are ASCII identifiers (got {iid!r})")
            # A plugin kind's config may lack roles and must_cover (InstrumentKind says "may").
            yield from self._roles(path, getattr(ins, "roles", ()))
            condition = getattr(ins, "applies_when", None)
            if condition is not None:
                yield from self._predicate((*path, "applies_when"), condition, getattr(ins, "roles", ()), "facts")
                earlier = list(self.s.instruments)[: list(self.s.instruments).index(iid)]
                for ref in _instrument_refs(condition):
                    if ref in self.s.instruments and ref not in earlier:
                        yield RawProblem(
                            (*path, "applies_when"),
                            f"reads instrument {ref!r}, which is not declared above {iid!r}: "
                            "instruments are checked in the order they are written",
                        )
            kind = self.kinds[ins.kind]  # the converter knows only registered kinds
            if kind.out_of(ins) <= 0:
                yield RawProblem((*path, "out_of"), "must be greater than 0")
            if len(set(getattr(ins, "must_cover", ()))) != len(getattr(ins, "must_cover", ())):
                yield RawProblem((*path, "must_cover"), "lists a category twice")
            for where, message in kind.validate(ins, self.s, iid):
                yield RawProblem(where, message)

    def _weightings(self) -> Iterator[RawProblem]:
        s = self.s
        # A role without a weighting has no total: fine for conditions over
        # ratings and facts (a qualitative 好/正常/较差); bands and total tests need one.
        yield from self._cover_roles("weightings", s.weightings, require=False)
        for wid, w in s.weightings.items():
            path: Path = ("weightings", wid)
            yield from self._roles(path, w.roles)
            roles = roles_of(s, w.roles)
            for name, weight in w.weights.items():
                wpath = (*path, "weights", name)
                if name not in s.instruments:
                    yield RawProblem(wpath, f"unknown instrument {name!r}{_hint(name, s.instruments)}")
                    continue
                if weight < 0:
                    # 0 as documents write it (占0%): the instrument is checked and shown, not weighted.
                    yield RawProblem(wpath, f"a weight is 0 or more (got {m.fmt(weight)})")
                ins = s.instruments[name]
                if not getattr(ins, "required", True):
                    yield RawProblem(
                        wpath,
                        f"instrument {name!r} has required = false, but a weighted instrument is part of "
                        "every total: its evidence is required",
                    )
                missing = [r for r in roles if r not in roles_of(s, getattr(ins, "roles", ()))]
                if missing:
                    yield RawProblem(wpath, f"instrument {name!r} does not apply to role {missing[0]!r}")
                scale = getattr(ins, "scale", None)  # where a kind's scores come from a scale, name it
                if (scale is None or scale in s.scales) and self.kinds[ins.kind].score_range(ins, s) is None:
                    why = f"scale {scale!r} has no points" if scale is not None else "it gives no score"
                    yield RawProblem(wpath, f"instrument {name!r} is weighted but {why}")
            total = sum(w.weights.values(), Fraction(0))
            if total != w.total:
                listing = " + ".join(m.fmt(v) for v in w.weights.values()) or "0"
                yield RawProblem(
                    (*path, "weights"),
                    f"weights add up to {m.fmt(total)} ({listing}), not the declared total {m.fmt(w.total)}",
                )
            if w.total <= 0:
                yield RawProblem((*path, "total"), "must be greater than 0")

    def _cover_roles(
        self, section: str, items: Mapping[str, m.Weighting] | Mapping[str, m.Grading], *, require: bool = True
    ) -> Iterator[RawProblem]:
        owner: dict[str, str] = {}
        for key, item in items.items():
            for role in roles_of(self.s, item.roles):
                if role in owner:
                    yield RawProblem(
                        (section, key, "roles"),
                        f"role {role!r} is already covered by {section}.{owner[role]}",
                    )
                else:
                    owner[role] = key
        if items and require:
            for role in self.s.roles:
                if role not in owner:
                    yield RawProblem((section,), f"no {section[:-1]} covers role {role!r}")

    def _untotalled(self, roles: tuple[str, ...]) -> list[str]:
        """The roles among ``roles`` that no weighting gives a total."""
        return [r for r in roles_of(self.s, roles) if r in self.s.roles and weighting_for(self.s, r) is None]

    def _gradings(self) -> Iterator[RawProblem]:
        s = self.s
        if not s.gradings:
            yield RawProblem(("gradings",), "a scheme needs a grading")
        yield from self._cover_roles("gradings", s.gradings)
        for gid, g in s.gradings.items():
            path: Path = ("gradings", gid)
            yield from self._roles(path, g.roles)
            yield from self._scale((*path, "scale"), g.scale)
            labels = s.scales[g.scale].labels if g.scale in s.scales else None
            digits_ok = True
            for where, digits in (
                (("round", "digits"), g.round.digits if g.round is not None else None),
                (("display_digits",), g.display_digits),
            ):
                if digits is not None and not 0 <= digits <= MOST_DIGITS:
                    digits_ok = False
                    yield RawProblem((*path, *where), f"must be from 0 to {MOST_DIGITS} decimal places (got {digits})")
            if isinstance(g, m.BandGrading):
                if digits_ok:  # the band grid is built on the rounding's digits
                    yield from self._bands(path, g, labels)
            else:
                yield from self._conditions(path, g, labels)

    def _label(self, path: Path, label: str, labels: tuple[str, ...] | None, scale: str) -> Iterator[RawProblem]:
        if labels is not None and label not in labels:
            yield RawProblem(path, f"unknown grade {label!r}: not a tier of scale {scale!r}{_hint(label, labels)}")

    def _domain(self, g: m.Grading) -> tuple[Fraction, Fraction]:
        """The totals this grading may receive: from 0 to the weighting total, or
        beyond when an instrument can score below 0 or above what earns its weight."""
        bottom, top = Fraction(0), Fraction(0)
        for role in roles_of(self.s, g.roles):
            found = weighting_for(self.s, role)
            if found is None:
                continue
            span = total_range(self.s, found[1], self.kinds)
            low, high = span if span is not None else (Fraction(0), found[1].total)
            bottom, top = min(bottom, low), max(top, high, found[1].total)
        return bottom, top or Fraction(100)

    def _bands(self, path: Path, g: m.BandGrading, labels: tuple[str, ...] | None) -> Iterator[RawProblem]:
        for role in self._untotalled(g.roles):
            yield RawProblem((*path, "bands"), f"bands grade a total, but no weighting covers role {role!r}")
        if not g.bands:
            yield RawProblem((*path, "bands"), "a band grading needs at least one band")
            return
        ok = True
        for i, b in enumerate(g.bands):
            bpath = (*path, "bands", i)
            yield from self._label((*bpath, "grade"), b.grade, labels, g.scale)
            if b.at_least is not None and b.above is not None:
                ok = False
                yield RawProblem(bpath, "a band has one lower bound: at_least or above, not both")
            if b.at_most is not None and b.below is not None:
                ok = False
                yield RawProblem(bpath, "a band has one upper bound: at_most or below, not both")
        if ok:
            yield from _band_coverage(path, g, *self._domain(g))

    def _conditions(self, path: Path, g: m.ConditionGrading, labels: tuple[str, ...] | None) -> Iterator[RawProblem]:
        yield from self._label((*path, "fallback"), g.fallback, labels, g.scale)
        seen: list[m.Predicate] = []
        covered: list[tuple[k.Interval, int]] = []
        for i, rule in enumerate(g.rules):
            rpath = (*path, "rules", i)
            yield from self._label((*rpath, "grade"), rule.grade, labels, g.scale)
            yield from self._predicate((*rpath, "when"), rule.when, g.roles, stage="grade")
            if rule.when in seen:
                yield RawProblem(rpath, f"can never match: rule {seen.index(rule.when)} has the same condition")
            elif _impossible(rule.when):
                yield RawProblem((*rpath, "when"), "can never match: its bounds exclude every value")
            elif isinstance(rule.when, m.ScoreTest) and rule.when.score == "total":
                iv = rule.when.compare.interval
                earlier = next((j for c, j in covered if _contains(c, iv)), None)
                if earlier is not None:
                    yield RawProblem(
                        rpath, f"can never match: rules[{earlier}] already catches every total this rule tests"
                    )
                covered.append((iv, i))
            seen.append(rule.when)

    # -- rules -------------------------------------------------------------------------

    def _rules(self) -> Iterator[RawProblem]:
        s = self.s
        seen: dict[str, str] = {}
        sections: list[
            tuple[
                str,
                Mapping[
                    str, m.Eligibility | m.Veto | m.Cap | m.Referral | m.Quota | m.Ranking | m.Finding | m.Consequence
                ],
            ]
        ] = [
            ("eligibility", s.eligibility),
            ("vetoes", s.vetoes),
            ("caps", s.caps),
            ("referrals", s.referrals),
            ("quotas", s.quotas),
            ("rankings", s.rankings),
            ("findings", s.findings),
            ("consequences", s.consequences),
        ]
        for section, rules in sections:
            for rid, rule in rules.items():
                path: Path = (section, rid)
                if not _RULE_ID.match(rid):
                    yield RawProblem(path, f"rule ids are ASCII identifiers (got {rid!r})")
                if rid in seen:
                    yield RawProblem(path, f"duplicate rule id {rid!r}: also {seen[rid]}.{rid}")
                seen[rid] = section
                if not rule.clause.strip():
                    yield RawProblem((*path, "clause"), "cite the clause of the document this rule comes from")
                yield from self._roles(path, rule.roles)
                if isinstance(rule, m.Quota):
                    yield from self._quota(path, rule)
                    continue
                if isinstance(rule, m.Ranking):
                    if not rule.rank_by:
                        yield RawProblem(
                            (*path, "rank_by"), 'a ranking needs at least one key, such as [{ score = "total" }]'
                        )
                    yield from self._rank_by((*path, "rank_by"), rule.rank_by, rule.roles)
                    if rule.when is not None:
                        yield from self._predicate((*path, "when"), rule.when, rule.roles, stage="ranking")
                    continue
                stage = {"eligibility": "facts", "consequences": "final", "findings": "final"}.get(section, "grade")
                yield from self._predicate((*path, "when"), rule.when, rule.roles, stage=stage)
                if isinstance(rule, m.Veto):
                    yield from self._grade((*path, "grade"), rule.grade, rule.roles)
                elif isinstance(rule, m.Cap):
                    yield from self._grade((*path, "at_most"), rule.at_most, rule.roles)

    def _quota(self, path: Path, q: m.Quota) -> Iterator[RawProblem]:
        if q.share is None and q.number is None:
            yield RawProblem(path, "a quota needs a share (share = 0.3) or a number of subjects (number = 3)")
        elif q.share is not None and q.number is not None:
            yield RawProblem((*path, "number"), "a quota has a share or a number of subjects, not both")
        elif q.share is not None:
            if not (0 <= q.share <= 1):
                yield RawProblem((*path, "share"), share_problem(q.share))
            if q.count is None:
                yield RawProblem(
                    (*path, "count"),
                    'a share needs its count rule: how share × size becomes a number of subjects ("floor" or "ceil")',
                )
        else:
            if q.number is not None and q.number < 0:
                yield RawProblem((*path, "number"), f"must be a whole number of subjects, 0 or more (got {q.number})")
            if q.count is not None:
                yield RawProblem((*path, "count"), "a number of subjects needs no count rule: count goes with a share")
        yield from self._grade((*path, "grade"), q.grade, q.roles)
        scales = self._grade_scales(q.roles)
        if len({sid for sid, _ in scales}) > 1:
            yield RawProblem((*path, "roles"), "a quota's roles must share one grade scale")
        if q.fill_from is not None:
            yield from self._grade((*path, "fill_from"), q.fill_from, q.roles)
            if q.fill_from == q.grade:
                yield RawProblem((*path, "fill_from"), "must differ from the quota's grade")
            if q.bound == "at_most":
                yield RawProblem((*path, "fill_from"), "only an at_least quota fills from another grade")
        if q.bound == "at_most" and q.enforce == "hard":
            for _, scale in scales[:1]:
                if q.grade in scale.labels and scale.rank(q.grade) == len(scale.labels) - 1:
                    yield RawProblem(
                        (*path, "grade"), f"{q.grade!r} is the worst grade: there is no grade to demote an overflow to"
                    )
        yield from self._rank_by((*path, "rank_by"), q.rank_by, q.roles)

    def _rank_by(self, path: Path, rank_by: tuple[m.RankKey, ...], roles: tuple[str, ...]) -> Iterator[RawProblem]:
        """The ranking keys of a quota or a ranking, at ``path`` (``quotas.<id>.rank_by``)."""
        for i, key in enumerate(rank_by):
            kpath: Path = (*path, i)
            if isinstance(key, m.FactKey):
                fact = self.s.facts.get(key.fact)
                if fact is not None and fact.type != "number":
                    yield RawProblem(
                        (*kpath, "fact"), f"fact {key.fact!r} is a {fact.type}: a ranking needs a number fact"
                    )
                else:
                    yield from self._fact((*kpath, "fact"), key.fact, "number")
            elif isinstance(key, m.ShareKey):
                ballots = [n for n in self.s.instruments if self._records(n) == "tallies"]
                if key.share not in ballots:
                    yield RawProblem(
                        (*kpath, "share"),
                        f"{key.share!r}: a share ranking key reads a ballot instrument{_hint(key.share, ballots)}",
                    )
                else:
                    found = self._scale_of(key.share)
                    scale_id, labels = found if found is not None else ("", None)
                    if not key.tiers:
                        yield RawProblem((*kpath, "tiers"), "a share ranking key needs the tiers it counts")
                    for j, tier in enumerate(key.tiers):
                        if labels is not None and tier not in labels:
                            yield RawProblem(
                                (*kpath, "tiers", j),
                                f"unknown tier {tier!r}: not a tier of scale {scale_id!r}{_hint(tier, labels)}",
                            )
            elif key.score == "total":
                for role in self._untotalled(roles):
                    yield RawProblem(
                        path,
                        f"ranks by the total, but no weighting gives role {role!r} one: "
                        "rank by an instrument's score or a number fact",
                    )
            elif key.score not in self.s.instruments:
                yield RawProblem(
                    (*kpath, "score"),
                    f"unknown ranking key {key.score!r}: use 'total' or an instrument id"
                    f"{_hint(key.score, ['total', *self.s.instruments])}",
                )

    def _periods(self) -> Iterator[RawProblem]:
        s = self.s
        order = s.periods.order
        seen: dict[str, int] = {}
        for i, name in enumerate(order):
            if name in seen:
                yield RawProblem(("periods", "order", i), f"period {name!r} is listed twice (also order[{seen[name]}])")
            seen.setdefault(name, i)
        if s.period and k.period_index(s.period, s.periods.calendar, order) is None:
            place = (
                f"not in [periods] order ({', '.join(order)})"
                if order
                else f"not a period of the {s.periods.calendar} calendar "
                "(declare [periods] order = [...], oldest first, for periods of other names)"
            )
            yield RawProblem(("period",), f"period {s.period!r} is {place}")

    def _groups(self) -> Iterator[RawProblem]:
        for kind, g in self.s.groups.items():
            path: Path = ("groups", kind)
            if not _RULE_ID.match(kind):
                yield RawProblem(path, f"group kinds are ASCII identifiers (got {kind!r})")
            if not g.values:
                yield RawProblem((*path, "values"), "declare the values a subject's group may take")
            seen: dict[str, int] = {}
            for i, value in enumerate(g.values):
                if value in seen:
                    yield RawProblem(
                        (*path, "values", i), f"value {value!r} is listed twice (also values[{seen[value]}])"
                    )
                seen.setdefault(value, i)

    def _facts(self) -> Iterator[RawProblem]:
        for name, fact in self.s.facts.items():
            path: Path = ("facts", name)
            if not _RULE_ID.match(name):
                yield RawProblem(path, f"fact names are ASCII identifiers (got {name!r})")
            d = fact.default
            if d is not None and (fact.type == "bool") != isinstance(d, bool):
                shown = ("true" if d else "false") if isinstance(d, bool) else m.fmt(d)
                yield RawProblem((*path, "default"), f"a {fact.type} fact needs a {fact.type} default (got {shown})")

    def _fact(self, path: Path, name: str, kind: str) -> Iterator[RawProblem]:
        fact = self.s.facts.get(name)
        if fact is None:
            yield RawProblem(path, f"unknown fact {name!r}: declare it under [facts.{name}]{_hint(name, self.s.facts)}")
        elif fact.type != kind:
            use = "compare it with at_least/above/at_most/below/equals" if fact.type == "number" else "test it alone"
            yield RawProblem(path, f"fact {name!r} is declared as a {fact.type}, read here as a {kind}: {use}")

    def _predicate(self, path: Path, p: m.Predicate, roles: tuple[str, ...], stage: str) -> Iterator[RawProblem]:
        s = self.s
        if isinstance(p, m.FactTest):
            yield from self._fact((*path, "fact"), p.fact, "bool" if p.compare is None else "number")
        if isinstance(p, m.ScoreTest):
            if p.score == "total":
                for role in self._untotalled(roles):
                    yield RawProblem((*path, "score"), f"no weighting gives role {role!r} a total")
            if p.score != "total" and p.score not in s.instruments:
                yield RawProblem(
                    (*path, "score"),
                    f"unknown score {p.score!r}: use 'total' or an instrument id"
                    f"{_hint(p.score, ['total', *s.instruments])}",
                )
            if stage == "facts":
                yield RawProblem(path, "eligibility is decided before scoring: it cannot test a score")
        elif isinstance(p, m.ShareTest):
            ins = s.instruments.get(p.share)
            if ins is None:
                yield RawProblem((*path, "share"), f"unknown instrument {p.share!r}{_hint(p.share, s.instruments)}")
            elif self._records(p.share) != "tallies":
                yield RawProblem(
                    (*path, "share"), f"instrument {p.share!r} is a {ins.kind}, not a ballot: it has no shares"
                )
            elif (found := self._scale_of(p.share)) is not None:
                scale_id, labels = found
                for i, t in enumerate(p.tiers):
                    if t not in labels:
                        yield RawProblem(
                            (*path, "tiers", i),
                            f"unknown tier {t!r}: not a tier of scale {scale_id!r}{_hint(t, labels)}",
                        )
        elif isinstance(p, (m.GradeIs, m.Streak)):
            labels_ = p.grade if isinstance(p, m.GradeIs) else p.streak
            key = "grade" if isinstance(p, m.GradeIs) else "streak"
            if stage == "facts":
                yield RawProblem(path, "eligibility is decided before grading: it cannot test a grade")
            for i, label in enumerate(labels_):
                yield from self._grade((*path, key, i) if len(labels_) > 1 else (*path, key), label, roles)
            if isinstance(p, m.Streak) and not s.period:
                yield RawProblem(
                    (*path, "streak"),
                    'a streak looks back from the current period: set period = "..." at the top of the scheme '
                    "(a cohort's period overrides it)",
                )
        elif isinstance(p, m.OutcomeTest):
            yield from self._scale((*path, "scale"), p.scale)
            if p.scale in s.scales:
                labels = s.scales[p.scale].labels
                for key, label in ([("worse_than", p.worse_than)] if p.worse_than else []) + [
                    ("in", x) for x in p.is_in
                ]:
                    if label not in labels:
                        yield RawProblem(
                            (*path, key),
                            f"unknown tier {label!r}: not a tier of scale {p.scale!r}{_hint(label, labels)}",
                        )
        elif isinstance(p, m.RatingIs):
            ins = s.instruments.get(p.rating)
            if ins is None:
                yield RawProblem((*path, "rating"), f"unknown instrument {p.rating!r}{_hint(p.rating, s.instruments)}")
            elif self._records(p.rating) != "tier":
                yield RawProblem((*path, "rating"), f"instrument {p.rating!r} is a {ins.kind}, not a rating")
            elif (found := self._scale_of(p.rating)) is not None:
                scale_id, labels = found
                for i, t in enumerate(p.is_in):
                    if t not in labels:
                        yield RawProblem(
                            (*path, "in", i), f"unknown tier {t!r}: not a tier of scale {scale_id!r}{_hint(t, labels)}"
                        )
        elif isinstance(p, m.Present):
            if p.present not in s.instruments:
                yield RawProblem(
                    (*path, "present"), f"unknown instrument {p.present!r}{_hint(p.present, s.instruments)}"
                )
            elif getattr(s.instruments[p.present], "required", True):
                yield RawProblem(
                    (*path, "present"),
                    f"instrument {p.present!r} is required, so its evidence is always given: "
                    "set required = false on it, or drop this test",
                )
        elif isinstance(p, m.RankTest):
            if p.rank not in s.rankings:
                none = "the scheme declares no [rankings]"
                yield RawProblem((*path, "rank"), f"unknown ranking {p.rank!r}{_hint(p.rank, s.rankings, none)}")
            if stage != "final":
                yield RawProblem(
                    path,
                    "a place in a ranking is known only once every subject is graded: "
                    "only findings and consequences can test it",
                )
        elif isinstance(p, m.RoleIs):
            for r in p.role:
                if r not in s.roles:
                    yield RawProblem((*path, "role"), f"unknown role {r!r}{_hint(r, s.roles)}")
        elif isinstance(p, m.NamedRule):
            known = set(self.predicates)
            scoped = {f"{owner}:{p.rule}" for owner in self.lineage}
            if p.rule not in known and not scoped & known:
                # Suggest only what this scheme may name: global predicates and those
                # of its own (or an extended scheme's) rules.py, without the prefix.
                visible = {n for n in known if ":" not in n} | {
                    n.split(":", 1)[1] for n in known if n.split(":", 1)[0] in self.lineage
                }
                yield RawProblem(
                    (*path, "rule"),
                    f"no plugin provides a predicate named {p.rule!r}"
                    f"{_hint(p.rule, sorted(visible), 'no predicates are registered')}",
                )
        elif isinstance(p, m.AllOf):
            for i, sub in enumerate(p.all):
                yield from self._predicate((*path, "all", i), sub, roles, stage)
        elif isinstance(p, m.AnyOf):
            for i, sub in enumerate(p.any):
                yield from self._predicate((*path, "any", i), sub, roles, stage)
        elif isinstance(p, m.Not):
            yield from self._predicate((*path, "not"), p.not_, roles, stage)
        if _impossible(p) and not isinstance(p, (m.AllOf, m.AnyOf, m.Not)):
            yield RawProblem(path, "can never hold: its bounds exclude every value")


# --- intervals ---------------------------------------------------------------------------

_interval = k.interval
_empty = k.interval_empty
_contains = k.interval_within


def _impossible(p: m.Predicate) -> bool:
    if isinstance(p, (m.ScoreTest, m.ShareTest)):
        iv = p.compare.interval
        if isinstance(p, m.ShareTest):  # a share lies in [0, 1]
            iv = k.intersect(iv, k.interval(at_least=Fraction(0), at_most=Fraction(1)))
        return _empty(iv)
    if isinstance(p, m.FactTest) and p.compare is not None:
        return _empty(p.compare.interval)
    return False


def _band_coverage(path: Path, g: m.BandGrading, bottom: Fraction, top: Fraction) -> Iterator[RawProblem]:
    """Every possible graded total lies in exactly one band.

    ``[bottom, top]`` is the range of totals the weighting can produce. With
    rounding to ``d`` digits the graded totals are the multiples of ``10**-d``
    between the rounded ends: we check index ranges on that grid exactly.
    Without rounding every rational in the range is possible, so band edges
    must meet with exactly one side inclusive.
    """
    if g.round is not None:
        digits = g.round.digits
        step = Fraction(1, 10**digits)
        first = k.round_scaled(bottom.numerator, bottom.denominator, digits, g.round.mode)
        last = k.round_scaled(top.numerator, top.denominator, digits, g.round.mode)
        ranges: list[tuple[int, int, int]] = []
        for i, b in enumerate(g.bands):
            low_, high_ = k.grid_range(b.interval, digits)
            low = first if low_ is None else max(low_, first)
            high = last if high_ is None else min(high_, last)
            if low > high:
                yield RawProblem(
                    (*path, "bands", i), f"can never match: no total rounded to {_places(digits)} lies in it"
                )
                continue
            ranges.append((low, high, i))
        ranges.sort()
        expect = first
        owner = 0  # the band reaching furthest so far: an overlap is with it
        for low, high, i in ranges:
            if low > expect:
                yield RawProblem(
                    (*path, "bands"),
                    f"gap: rounded totals from {_show(expect * step)} to {_show((low - 1) * step)} fall in no band",
                )
            elif low < expect:
                yield RawProblem(
                    (*path, "bands", i),
                    f"overlap: {_totals('rounded total', low * step, min(high, expect - 1) * step)} "
                    f"also in bands[{owner}] ({g.bands[owner].grade!r})",
                )
            if high + 1 > expect:
                expect, owner = high + 1, i
        if expect <= last and ranges:
            yield RawProblem(
                (*path, "bands"),
                f"gap: rounded totals from {_show(expect * step)} to {_show(last * step)} fall in no band",
            )
        return
    # Continuous: sort by lower edge and walk.
    edges: list[tuple[Fraction, bool, Fraction, bool, int]] = []
    domain = k.interval(at_least=bottom, at_most=top)
    for i, b in enumerate(g.bands):
        within = k.intersect(b.interval, domain)
        if k.interval_empty(within):
            yield RawProblem((*path, "bands", i), "can never match: its bounds exclude every possible total")
            continue
        lo_v, lo_in, hi_v, hi_in = within
        assert lo_v is not None  # the domain bounds both sides
        assert hi_v is not None
        edges.append((lo_v, not lo_in, hi_v, hi_in, i))
    edges.sort()
    reach: Fraction | None = None
    reach_in = False
    owner = 0
    for lo_v, lo_ex, hi_v, hi_in, i in edges:
        lo_in = not lo_ex
        if reach is None:
            if lo_v > bottom or not lo_in:
                yield RawProblem(
                    (*path, "bands"), f"gap: totals from {_show(bottom)} up to {_show(lo_v)} fall in no band"
                )
        elif lo_v > reach or (lo_v == reach and not reach_in and not lo_in):
            yield RawProblem(
                (*path, "bands"),
                f"gap: totals between {_show(reach)} and {_show(lo_v)} fall in no band "
                "(declare a rounding, or make the edges meet)",
            )
        elif lo_v < reach or (lo_v == reach and reach_in and lo_in):
            yield RawProblem(
                (*path, "bands", i),
                f"overlap: {_totals('total', lo_v, min(hi_v, reach))} "
                f"also in bands[{owner}] ({g.bands[owner].grade!r})",
            )
        if reach is None or hi_v > reach or (hi_v == reach and hi_in):
            reach, reach_in, owner = hi_v, hi_in, i
    if reach is not None and (reach < top or not reach_in):
        yield RawProblem((*path, "bands"), f"gap: totals from {_show(reach)} to {_show(top)} fall in no band")


def _instrument_refs(p: m.Predicate) -> Iterator[str]:
    """The instruments a predicate reads (shares, ratings, sub-scores)."""
    if isinstance(p, m.ShareTest):
        yield p.share
    elif isinstance(p, m.RatingIs):
        yield p.rating
    elif isinstance(p, m.Present):
        yield p.present
    elif isinstance(p, m.ScoreTest) and p.score != "total":
        yield p.score
    elif isinstance(p, (m.AllOf, m.AnyOf)):
        for sub in p.all if isinstance(p, m.AllOf) else p.any:
            yield from _instrument_refs(sub)
    elif isinstance(p, m.Not):
        yield from _instrument_refs(p.not_)


def score_range(
    scheme: m.Scheme, instrument: m.Instrument, kinds: Mapping[str, Kind]
) -> tuple[Fraction, Fraction] | None:
    """The lowest and highest sub-score an instrument can give (None if unknown), by its kind."""
    kind = kinds.get(instrument.kind)
    span = kind.score_range(instrument, scheme) if kind is not None else None
    return None if span is None else (Fraction(span[0]), Fraction(span[1]))


def total_range(
    scheme: m.Scheme, weighting: m.Weighting, kinds: Mapping[str, Kind]
) -> tuple[Fraction, Fraction] | None:
    """The range of weighted totals a weighting can produce (None if unknown)."""
    low = high = Fraction(0)
    for name, weight in weighting.weights.items():
        ins = scheme.instruments.get(name)
        if ins is None:
            return None
        span = score_range(scheme, ins, kinds)
        out_of = kinds[ins.kind].out_of(ins) if ins.kind in kinds else Fraction(0)
        if span is None or out_of <= 0:
            return None
        low += weight * span[0] / out_of
        high += weight * span[1] / out_of
    return low, high


def _show(v: Fraction) -> str:
    return m.fmt(v)


def _totals(what: str, lo: Fraction, hi: Fraction) -> str:
    """``the rounded total 85 is`` or ``rounded totals from 80 to 85 are``."""
    if lo == hi:
        return f"the {what} {_show(lo)} is"
    return f"{what}s from {_show(lo)} to {_show(hi)} are"


def _places(digits: int) -> str:
    if digits == 0:
        return "a whole number"
    return f"{digits} decimal place{'s' if digits != 1 else ''}"
