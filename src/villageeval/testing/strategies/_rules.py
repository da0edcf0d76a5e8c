"""The rules of a generated scheme: eligibility, vetoes, caps, quotas, rankings, findings and consequences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._exact import toml_number
from ._predicates import lower_half, predicate, rare
from ._sketch import Sketch
from ._vocabulary import PER_KEYS, RULE_TEXTS, SHARES

__all__ = ["rules"]


def rules(s: Sketch) -> dict[str, dict[str, Any]]:
    """Each section of rules the options allow, with a few rules each (none now and then)."""
    o = s.o
    sections: tuple[tuple[str, Callable[[Sketch], dict[str, Any] | None], int], ...] = (
        ("eligibility", _eligibility, int(o.with_facts and s.one_in(2))),  # rarely holds
        ("vetoes", _veto, 2 * o.with_vetoes),
        ("caps", _cap, 2 * o.with_caps),
        ("quotas", _quota, 3 * o.with_quotas),
        ("rankings", _ranking, 2 * o.with_quotas),
        ("findings", _finding, 2),
        ("consequences", _consequence, 3),
    )
    out: dict[str, dict[str, Any]] = {}
    for section, make, most in sections:
        drawn: dict[str, Any] = {}
        for _ in range(s.between(0, most)):
            rule = make(s)
            if rule is not None:
                rid = s.rule_id(section)
                drawn[rid] = rule
                if section == "rankings":
                    s.rankings[rid] = list(rule.pop("_ranked"))
        if drawn:
            out[section] = drawn
    return out


def _scope(s: Sketch) -> tuple[str, list[str], dict[str, Any]]:
    """A grade scale, the roles of a rule graded on it, and its ``roles`` key."""
    sid = s.pick(sorted(s.scale_groups))
    group = s.scale_groups[sid]
    roles = list(group) if s.one_in(2) else s.subset(group)
    key = s.roles_key(roles)
    return sid, roles, ({} if key is None else {"roles": key})


def _base(s: Sketch, section: str) -> dict[str, Any]:
    return {"clause": s.clause(), "text": s.pick(RULE_TEXTS[section])}


def _eligibility(s: Sketch) -> dict[str, Any] | None:
    roles = list(s.roles) if s.one_in(2) else s.subset(s.roles)
    if not (s.bool_facts or s.number_facts or s.assessments or s.tallied_for(roles)):
        return None
    key = s.roles_key(roles)
    when = predicate(s, "facts", roles, ())
    return {**_base(s, "eligibility"), "when": when, **({} if key is None else {"roles": key})}


def _veto(s: Sketch) -> dict[str, Any]:
    sid, roles, key = _scope(s)
    labels = s.labels[sid]
    grade = labels[-1] if s.one_in(2) else s.pick(labels)
    return {**_base(s, "vetoes"), "when": rare(s, roles, labels), "grade": grade, **key}


def _cap(s: Sketch) -> dict[str, Any]:
    sid, roles, key = _scope(s)
    labels = s.labels[sid]
    if s.assessments and s.one_in(2):  # 上一年度述职评议为“一般”或“差”的，不得评为“优秀”
        assessment, scale = s.pick(s.assessments)
        when: dict[str, Any] = {"outcome": assessment, "scale": scale, "worse_than": lower_half(s, scale)}
    else:
        when = rare(s, roles, labels)
    at_most = s.pick(labels[1:]) if len(labels) > 1 else labels[0]
    return {**_base(s, "caps"), "when": when, "at_most": at_most, **key}


def _quota(s: Sketch) -> dict[str, Any] | None:
    sid, roles, key = _scope(s)
    labels = s.labels[sid]
    bound = s.pick(("at_most", "at_least"))
    enforce = s.pick(("hard", "hard", "soft"))
    other = "at_least" if bound == "at_most" else "at_most"
    # An at_least quota runs after the at_most ones and could push a grade back
    # over its at_most limit: generated schemes never aim both at one grade.
    allowed = [g for g in labels if (sid, g) not in s.quota_grades[other]]
    if bound == "at_most" and enforce == "hard":
        allowed = [g for g in allowed if g != labels[-1]]  # no worse grade to demote to
    if not allowed:
        return None
    grade = allowed[0] if bound == "at_most" and s.one_in(2) else s.pick(allowed)  # 优秀 ≤ 30%
    s.quota_grades[bound].add((sid, grade))
    limit: dict[str, Any]
    if s.one_in(4):  # 每个乡镇推荐2名: a number of subjects, 0 now and then
        limit = {"number": s.between(0, 4)}
    else:  # edges 0, 1/10 and 1 now and then
        limit = {
            "share": toml_number(s.pick(SHARES if s.one_in(4) else SHARES[2:-1])),
            "count": s.pick(("floor", "ceil")),
        }
    d: dict[str, Any] = {**_base(s, "quotas"), "grade": grade, **limit, "bound": bound, **key}
    if enforce == "soft" or s.one_in(3):
        d["enforce"] = enforce
    if s.one_in(2):
        d["per"] = s.pick(PER_KEYS)
    if s.one_in(3):
        d["base"] = s.pick(("all", "graded"))
    if bound == "at_least" and s.one_in(2):
        d["fill_from"] = s.pick([g for g in labels if g != grade])
    if s.one_in(2):
        d["rank_by"] = _rank_by(s, roles)
    return d


def _rank_by(s: Sketch, roles: list[str]) -> list[dict[str, Any]]:
    """Up to three ranking keys of a quota or a ranking: the total, sub-scores, number facts."""
    keys: list[dict[str, Any]] = [
        {"score": "total"},
        *({"score": i} for i in s.scored_for(roles)),
        *({"fact": f} for f in s.number_facts),
    ]
    rank_by = []
    for k in s.subset(keys, max_size=3):
        entry: dict[str, Any] = dict(k)
        better = s.pick((None, "higher", "lower"))
        if better is not None:
            entry["better"] = better
        rank_by.append(entry)
    return rank_by


def _ranking(s: Sketch) -> dict[str, Any]:
    """A ranking (综合排名), its keys drawn as a quota's; ``_ranked`` (the roles) is for the sketch."""
    sid, roles, key = _scope(s)
    d: dict[str, Any] = {**_base(s, "rankings"), **key, "_ranked": roles}
    if s.one_in(2):
        d["rank_by"] = _rank_by(s, roles)
    if s.one_in(2):
        d["per"] = s.pick(PER_KEYS)
    if s.one_in(3):  # who enters: read after quotas, never a place
        d["when"] = {"not": {"grade": [s.labels[sid][-1]]}}
    return d


def _finding(s: Sketch) -> dict[str, Any]:
    sid, roles, key = _scope(s)
    return {**_base(s, "findings"), "when": predicate(s, "final", roles, s.labels[sid]), **key}


def _consequence(s: Sketch) -> dict[str, Any]:
    sid, roles, key = _scope(s)
    labels = s.labels[sid]
    form = s.pick(("grade", "streak", "with_fact", "rank", "any"))
    when: dict[str, Any]
    ranked = [rid for rid, of in s.rankings.items() if set(roles) & set(of)]
    if form == "rank" and ranked:  # 前N名
        when = {"rank": s.pick(ranked), "at_most": s.between(1, 3)}
    elif form == "grade":
        when = {"grade": s.subset(labels, max_size=2)}
    elif form == "streak":
        when = {"streak": [labels[-1]], "periods": s.between(2, 3)}
    elif form == "with_fact" and s.bool_facts:
        when = {"all": [{"grade": [labels[-1]]}, {"fact": s.pick(s.bool_facts)}]}
    else:
        when = predicate(s, "final", roles, labels)
    return {**_base(s, "consequences"), "when": when, **key}
