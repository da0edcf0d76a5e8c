"""What a scheme needs as input, for an integrator to build the form or the query for it.

:func:`describe_scheme` reads the scheme's compiled plan (:func:`villageeval._bound.plan_of`),
so that what it says is what the engine checks: per role, the instruments that apply
(with their kind's own keys: minimum respondents, categories to cover, strata, score
range, items), the scales of their evidence, the facts the role's rules read (and
whether each must be given), the groups quotas count by, whether history is read and
which linked assessments' grades. ``villageeval describe SCHEME`` prints it; the HTTP
service answers ``GET /schemes/{id}`` with it; its JSON Schema is
``describe-1.schema.json`` (:mod:`villageeval._schema`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any, Literal

import attrs
from attrs import frozen

from . import _model as m
from ._numbers import exact_text

__all__ = [
    "CONFIG_SKIPPED",
    "DESCRIBE_FORMAT",
    "SECTIONS",
    "FactInfo",
    "GroupInfo",
    "HistoryInfo",
    "InstrumentInfo",
    "LinkedOutcomeInfo",
    "RoleInfo",
    "ScaleInfo",
    "SchemeInfo",
    "StreakInfo",
    "describe_scheme",
    "describe_text",
]

#: Version of the description's layout.
DESCRIBE_FORMAT = 1

#: Keys of an instrument's config a description leaves out: ``roles`` (it is listed under
#: each role it applies to) and ``applies_when`` (a predicate: ``conditional`` says it has one).
CONFIG_SKIPPED = ("roles", "applies_when")


@frozen
class ScaleInfo:
    """The scale an instrument's evidence is given on: its tiers, best first."""

    id: str
    title: str
    tiers: tuple[m.Tier, ...]


@frozen
class InstrumentInfo:
    """An instrument that applies to the role; its kind's own keys follow the common ones."""

    id: str
    kind: str
    title: str
    clause: str
    weight: Fraction | None
    out_of: Fraction
    conditional: bool
    scale: ScaleInfo | None
    config: Any


@frozen
class FactInfo:
    """A fact the role's rules read."""

    name: str
    type: Literal["bool", "number"]
    label: str
    default: bool | Fraction | None
    required: bool
    source: str
    clause: str


@frozen
class GroupInfo:
    """A kind of group a subject of the role is in."""

    kind: str
    label: str
    values: tuple[str, ...]
    required: bool
    quotas: tuple[str, ...]
    rankings: tuple[str, ...] = ()


@frozen
class StreakInfo:
    """A rule of the role over a streak of grades (连续两年)."""

    rule: str
    clause: str
    grades: tuple[str, ...]
    periods: int
    required: bool


@frozen
class HistoryInfo:
    """What the role's streak rules read of a subject's history."""

    grades: tuple[str, ...]
    required_periods: int
    streaks: tuple[StreakInfo, ...]


@frozen
class LinkedOutcomeInfo:
    """Another assessment whose grade the role's rules read."""

    assessment: str
    tiers: tuple[str, ...]


@frozen
class RoleInfo:
    """What a subject of one role needs."""

    id: str
    label: str
    grades: tuple[str, ...]
    instruments: tuple[InstrumentInfo, ...]
    facts: tuple[FactInfo, ...]
    groups: tuple[GroupInfo, ...]
    history: HistoryInfo | None
    outcomes: tuple[LinkedOutcomeInfo, ...]


@frozen
class SchemeInfo:
    """What a scheme needs as input, per role."""

    format: int
    id: str
    title: str
    period: str
    scheme_hash: str
    periods: m.Periods
    roles: tuple[RoleInfo, ...]


#: Each class of the description → the table of docs/interchange.md documenting its keys.
SECTIONS: Mapping[type, str] = {
    SchemeInfo: "describe",
    RoleInfo: "describe: roles[]",
    InstrumentInfo: "describe: roles[].instruments[]",
    ScaleInfo: "describe: roles[].instruments[].scale",
    FactInfo: "describe: roles[].facts[]",
    GroupInfo: "describe: roles[].groups[]",
    HistoryInfo: "describe: roles[].history",
    StreakInfo: "describe: roles[].history.streaks[]",
    LinkedOutcomeInfo: "describe: roles[].outcomes[]",
}


def _rule_predicates(scheme: m.Scheme, role: str) -> Iterator[tuple[str, str, m.Predicate]]:
    """(rule, clause, predicate) of every rule of the scheme that applies to ``role``."""
    sections: tuple[tuple[str, Mapping[str, Any]], ...] = (
        ("eligibility", scheme.eligibility),
        ("referrals", scheme.referrals),
        ("vetoes", scheme.vetoes),
        ("caps", scheme.caps),
        ("findings", scheme.findings),
        ("consequences", scheme.consequences),
    )
    for section, rules in sections:
        for rid, rule in rules.items():
            if role in scheme.role_ids(rule.roles):
                yield f"{section}.{rid}", rule.clause, rule.when
    for gid, g in scheme.gradings.items():
        if role in scheme.role_ids(g.roles) and isinstance(g, m.ConditionGrading):
            for i, r in enumerate(g.rules):
                yield f"gradings.{gid}.rules[{i}]", r.clause or g.clause, r.when
    for iid, ins in scheme.instruments.items():
        condition = getattr(ins, "applies_when", None)
        if condition is not None and role in scheme.role_ids(getattr(ins, "roles", ())):
            yield f"instruments.{iid}.applies_when", ins.clause, condition


def _info(scheme: m.Scheme) -> SchemeInfo:
    from ._bound import plan_of
    from ._predicates import leaves

    plan = plan_of(scheme)
    roles = []
    for role_id, role in scheme.roles.items():
        rp = plan.roles[role_id]
        instruments = []
        for pi in rp.instruments:
            config = pi.config
            scale_id = getattr(config, "scale", None)
            scale = scheme.scales.get(scale_id) if isinstance(scale_id, str) else None
            instruments.append(
                InstrumentInfo(
                    id=pi.id,
                    kind=pi.kind.name,
                    title=pi.title,
                    clause=pi.clause,
                    weight=None if pi.factor is None else pi.factor * pi.kind.out_of(config),
                    out_of=pi.kind.out_of(config),
                    conditional=pi.id in rp.applies,
                    scale=None if scale is None or scale_id is None else ScaleInfo(scale_id, scale.title, scale.tiers),
                    config=config,
                )
            )
        facts = tuple(
            FactInfo(name, f.type, f.label, f.default, name not in rp.defaults, f.source, f.clause)
            for name, f in rp.facts.items()
        )
        # The groups the role's quotas and rankings count by (a cohort error without one, as
        # _engine.check_cohort says), then the other declared kinds (their values are checked).
        counted = rp.counted_by
        groups = []
        for kind in [*sorted(counted), *(k for k in scheme.groups if k not in counted)]:
            declared = scheme.groups.get(kind)
            groups.append(
                GroupInfo(
                    kind,
                    declared.label if declared else "",
                    declared.values if declared else (),
                    kind in counted,
                    tuple(r for r in counted.get(kind, ()) if r in scheme.quotas),
                    tuple(r for r in counted.get(kind, ()) if r in scheme.rankings),
                )
            )
        history = None
        if rp.history is not None:
            streaks = tuple(
                StreakInfo(rule, clause, leaf.streak, leaf.periods, leaf.required)
                for rule, clause, p in _rule_predicates(scheme, role_id)
                for leaf in leaves(p)
                if isinstance(leaf, m.Streak)
            )
            history = HistoryInfo(rp.labels, rp.history.required, streaks)
        roles.append(
            RoleInfo(
                id=role_id,
                label=role.label,
                grades=rp.labels,
                instruments=tuple(instruments),
                facts=facts,
                groups=tuple(groups),
                history=history,
                outcomes=tuple(LinkedOutcomeInfo(a, tiers) for a, tiers in rp.linked.items()),
            )
        )
    return SchemeInfo(DESCRIBE_FORMAT, scheme.id, scheme.title, scheme.period, plan.hash, scheme.periods, tuple(roles))


def _plain(value: Any) -> Any:
    """The JSON form of a description's value: exact numbers as text, tuples as arrays."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, Fraction):
        return exact_text(value)
    if isinstance(value, InstrumentInfo):
        out = {a.name: _plain(getattr(value, a.name)) for a in attrs.fields(InstrumentInfo) if a.name != "config"}
        config = value.config
        if attrs.has(type(config)):
            for a in attrs.fields(type(config)):
                if a.name not in out and a.name not in CONFIG_SKIPPED and not a.name.startswith("_"):
                    out[a.name] = _plain(getattr(config, a.name))
        return out
    if attrs.has(type(value)):
        return {a.name: _plain(getattr(value, a.name)) for a in attrs.fields(type(value)) if not a.name.startswith("_")}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(v) for v in value]
    return str(value)


def describe_scheme(scheme: m.Scheme) -> dict[str, Any]:
    """What ``scheme`` needs as input, per role, as JSON data (``docs/interchange.md``,
    *Scheme description*); its JSON Schema is ``villageeval schema describe``.

    Raises:
        TypeError: ``scheme`` is not a loaded :class:`~villageeval.Scheme`.
    """
    from ._types import expect_scheme

    expect_scheme(scheme)
    data: dict[str, Any] = _plain(_info(scheme))
    return data


# --- as text --------------------------------------------------------------------------------


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    return "none" if value is None else str(value)


def _defaults(kind_config: type | None) -> dict[str, Any]:
    if kind_config is None or not attrs.has(kind_config):
        return {}
    out = {}
    for a in attrs.fields(kind_config):
        default = a.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        if default is not attrs.NOTHING:
            out[a.name] = _plain(default)
    return out


def describe_text(scheme: m.Scheme) -> str:
    """The description as a summary for people: English, with the scheme's own labels."""
    data = describe_scheme(scheme)
    info = _info(scheme)
    configs = {ins.id: type(ins.config) for role in info.roles for ins in role.instruments}
    lines = [f"{data['id']} — {data['title']}"]
    periods = data["periods"]
    line = f"period {data['period'] or '(none: the cohort gives it)'}"
    if periods["order"]:
        line += f"; periods in order: {', '.join(periods['order'])}"
    else:
        line += f"; calendar: {periods['calendar']}"
    lines += [line, f"scheme hash {data['scheme_hash']}"]
    common = {a.name for a in attrs.fields(InstrumentInfo)}
    for role in data["roles"]:
        lines += ["", f"role {role['id']} ({role['label']})"]
        lines.append(f"  grades, best first: {', '.join(role['grades']) or 'none'}")
        if role["instruments"]:
            lines.append("  evidence, one entry per instrument:")
        for ins in role["instruments"]:
            weight = (
                f", weight {ins['weight']} (sub-score out of {ins['out_of']})" if ins["weight"] else ", not weighted"
            )
            when = "; only where its condition holds" if ins["conditional"] else ""
            lines.append(f"    {ins['id']} ({ins['title']}, {ins['clause']}): {ins['kind']}{weight}{when}")
            scale = ins.get("scale")
            if scale:
                tiers = ", ".join(
                    t["label"] + (f" = {t['points']}" if t["points"] is not None else "") for t in scale["tiers"]
                )
                lines.append(
                    f"      scale {scale['id']}{' (' + scale['title'] + ')' if scale['title'] else ''}: {tiers}"
                )
            defaults = _defaults(configs.get(ins["id"]))
            for key, value in ins.items():
                if key in common or key == "cover" or (key in defaults and defaults[key] == value):
                    continue
                if key == "must_cover" and value:
                    mode = "every member of each" if ins.get("cover") == "every_member" else "at least one of each"
                    lines.append(f"      must cover: {_value_text(value)} ({mode})")
                    continue
                lines.append(f"      {key}: {_value_text(value)}")
        if role["facts"]:
            lines.append("  facts:")
        for fact in role["facts"]:
            need = "required" if fact["required"] else f"default {_value_text(fact['default'])}"
            lines.append(f"    {fact['name']} ({fact['label']}): {fact['type']}, {need}")
        for group in role["groups"]:
            by = [f"quota {', '.join(group['quotas'])}"] if group["quotas"] else []
            by += [f"ranking {', '.join(group['rankings'])}"] if group.get("rankings") else []
            need = f"required by {' and '.join(by)}" if group["required"] else "optional"
            values = f"; one of {', '.join(group['values'])}" if group["values"] else ""
            label = f" ({group['label']})" if group["label"] else ""
            lines.append(f"  group {group['kind']}{label}: {need}{values}")
        history = role["history"]
        if history is not None:
            need = (
                f"the {history['required_periods']} period(s) before the current one are required"
                if history["required_periods"]
                else "optional"
            )
            lines.append(f"  history (earlier period → grade, one of {', '.join(history['grades'])}): {need}")
            for s in history["streaks"]:
                lines.append(
                    f"    {s['rule']} ({s['clause']}): {' or '.join(s['grades'])} {s['periods']} periods in a row"
                    + (", history required" if s["required"] else "")
                )
        for linked in role["outcomes"]:
            lines.append(f"  outcome of {linked['assessment']}: one of {', '.join(linked['tiers'])}")
    from ._table import printable

    return "\n".join(printable(line) for line in lines) + "\n"
