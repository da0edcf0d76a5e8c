"""Cross-subject rules of yugong-pledge-2023 (村官承诺考评, 愚公乡).

Both rules compare a subject with the other subjects of its village (``unit``), which
no TOML predicate can do: TOML reads one subject at a time.

- ``items_overlap`` (三、(一)2 “村党支部书记与村委会主任承诺事项不能交叉”): the overlap is a
  property of the pair, recorded by the township as the number fact
  ``overlapping_items`` on either post-holder (or both); the rule holds for both.
- ``post_held_twice`` (三、(一)1 “一人兼的可一并进行承诺”): one person, one pledge, one
  evaluation; a village must not have two subjects holding the same post.

Facts of *other* subjects are read as the cohort gives them (no defaults filled in,
not type-checked); a missing or non-numeric count reads as 0 here, and the other
subject's own evaluation reports it (``invalid_fact``). A subject under an open case
(三、(一)1 “立案未结案的不参与承诺”) makes no pledge, so it counts for neither rule.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from villageeval import PredicateFunction, RuleContext, Subject, hookimpl

#: The posts each role holds.
POSTS = {"secretary": {"secretary"}, "director": {"director"}, "both": {"secretary", "director"}}

#: The other post-holder of a village, by role.
COUNTERPART = {"secretary": "director", "director": "secretary"}


def _count(value: object) -> Fraction:
    """A recorded count, exactly; anything that is not a number counts as none."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Fraction)):
        return Fraction(0)
    return Fraction(value)


def _pledges(subject: Subject) -> bool:
    """Whether a subject is a 承诺主体: 立案未结案的不参与承诺 (三、(一)1)."""
    return not (subject.facts.get("judicial_case_open") is True or subject.facts.get("discipline_case_open") is True)


def items_overlap(context: RuleContext) -> bool:
    """三、(一)2: this subject's items overlap the other post-holder's of the same village.

    True when the township recorded an overlap (``overlapping_items`` > 0) on this
    subject or on the village's other post-holder (the director for a secretary and
    the reverse). A 一人兼 person has no other post-holder.
    """
    if _count(context.facts.get("overlapping_items")) > 0:
        return True
    other = COUNTERPART.get(context.role)
    unit = context.subject.unit
    if other is None or not unit:
        return False
    return any(
        s.unit == unit and s.role == other and _pledges(s) and _count(s.facts.get("overlapping_items")) > 0
        for s in context.cohort
        if s.id != context.subject.id
    )


def post_held_twice(context: RuleContext) -> bool:
    """三、(一)1: another subject of the same village holds a post this subject holds.

    A holder under an open case does not pledge (三、(一)1), so an acting holder of the
    same post beside them is not a second pledge.
    """
    unit = context.subject.unit
    mine = POSTS.get(context.role, set())
    if not unit:
        return False
    return any(
        s.unit == unit and POSTS.get(s.role, set()) & mine and _pledges(s)
        for s in context.cohort
        if s.id != context.subject.id
    )


@hookimpl
def villageeval_register_predicates() -> dict[str, PredicateFunction]:
    return {"items_overlap": items_overlap, "post_held_twice": post_held_twice}
