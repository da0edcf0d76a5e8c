"""Python rules of the scheme zhen-midterm-2023 (seed 004, a town's 2023 mid-term analysis).

villageeval registers the predicates below as ``zhen-midterm-2023:<name>``. The scheme's
TOML names them ``{ rule = "<name>" }``. Only what TOML cannot say is here: a rule that
looks at other subjects of the cohort.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from villageeval import RuleContext, hookimpl

__all__ = ["CONFIRMED_RECORDS", "member_on_record", "villageeval_register_predicates"]

#: 一、(一): the confirmed records of the three offices (镇纪委, 镇综治办, 镇派出所), the
#: facts behind the scheme's vetoes. Open cases and pending petitions are not findings.
CONFIRMED_RECORDS = ("discipline_violation", "petition_substantiated", "law_violation")


def member_on_record(ctx: RuleContext) -> bool:
    """一、(一): a member of this team has a confirmed record from one of the three offices.

    The members of a team are the cohort's ``member`` subjects with the team's ``unit``.
    Only a record given as ``true`` counts. A member whose fact is missing or of the wrong
    type is reported for that member (``missing_fact`` / ``invalid_fact``) by the member's
    own vetoes, so it is not guessed at here. A team without a ``unit`` has no members
    this rule can find (the scheme's documentation asks for ``unit`` on every subject).
    """
    unit = ctx.subject.unit
    if not unit:
        return False
    return any(
        other.role == "member" and other.unit == unit and any(other.facts.get(f) is True for f in CONFIRMED_RECORDS)
        for other in ctx.cohort
    )


@hookimpl
def villageeval_register_predicates() -> Mapping[str, Callable[[RuleContext], bool]]:
    """The scheme's named predicates."""
    return {"member_on_record": member_on_record}
