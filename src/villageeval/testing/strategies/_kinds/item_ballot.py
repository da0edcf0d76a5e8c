"""Strategies for ``kind = "item_ballot"``: its instruments, votes item by item, and votes it refuses.

Each item's ballots are checked as the kind checks them: at least the kernel's
:func:`~villageeval._kernel.least_ballots` of ``min_respondents`` (at least one), no
more than ``expected`` could cast, tiers of the scale, whole counts. Whether an item
is rejected is the kernel's comparison of its share of the rejecting tiers with the
bound (:func:`~villageeval._kernel.in_interval` over ``reject_when``'s interval), so
valid evidence is often an item exactly at the bound, on either side of it.

The sub-score is a count of items (confirmed, or rejected with ``measure =
"rejected"``), which has no maximum: an item ballot is never weighted, but generated
rules compare its count (``{ score = "pledge_vote", below = 3 }``) within the counts
drawn here, ``0`` to :data:`MOST_ITEMS`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .... import _kernel as kernel
from ...._kinds.item_ballot import ItemBallot, ItemBallotEvidence, share_text
from ...._model import Scheme
from ...._result import ReasonCode as RC
from .._dispatch import config_as, kind_of
from .._draws import ints
from .._exact import toml_number
from .._invalid import BAD_COUNTS, unknown_tier, wrong_shapes
from .._protocol import Level
from .._vocabulary import PLEDGES
from .ballot import draw_split

if TYPE_CHECKING:
    from .._instruments import InstrumentDraw

__all__ = ["ITEM_BALLOT", "MOST_ITEMS", "ItemBallotStrategies"]

#: The most items valid evidence puts to the vote (the count at ``best``).
MOST_ITEMS = 5

_ABOVE = (Fraction(1, 2), Fraction(1, 2), Fraction(1, 3), Fraction(2, 3), Fraction(0), Fraction(3, 10))
_AT_LEAST = (Fraction(1, 2), Fraction(2, 3), Fraction(1), Fraction(1, 5))
_MIN_RESPONDENTS = (0, 0, 1, 3, 5, 10)
#: Ballots on an item beyond the fewest: often none, so that an item is exactly at ``min_respondents``.
_EXTRA_BALLOTS = st.one_of(st.just(0), st.integers(0, 3), st.integers(0, 30))
#: An item no valid evidence names: the one broken evidence adds.
_BROKEN_ITEM = "新增承诺事项"
#: Entries that are no item's ``{"tallies": {...}}``.
_BAD_ENTRIES: tuple[Any, ...] = (12, "满意", None, ["满意", 3], {"tally": {"满意": 3}}, {"tallies": [3, 1]})
#: Counts of people that could vote that are no whole count.
_BAD_EXPECTED: tuple[Any, ...] = ("12", -1, 12.0, True)


@attrs.frozen
class _Rule:
    """What drawing one instrument's votes needs: its tiers, which reject, the bound, the fewest ballots."""

    labels: tuple[str, ...]
    rejecting: tuple[str, ...]
    interval: kernel.Interval
    least: int
    counts_confirmed: bool


def _rule(scheme: Scheme, instrument_id: str) -> _Rule:
    ins = config_as(scheme, instrument_id, ItemBallot)
    labels = scheme.scales[ins.scale].labels
    return _Rule(
        labels,
        tuple(t for t in labels if t in ins.reject_when.tiers),
        ins.reject_when.interval,
        kernel.least_ballots(ins.min_respondents),
        ins.measure == "confirmed",
    )


@functools.lru_cache(maxsize=4096)
def _against(interval: kernel.Interval, total: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The ballots in the rejecting tiers, of ``total``, that confirm the item and those that
    reject it, by the kernel's comparison."""
    confirm: list[int] = []
    reject: list[int] = []
    for n in range(total + 1):
        (reject if kernel.in_interval(interval, Fraction(n, total)) else confirm).append(n)
    if not confirm or not reject:
        raise AssertionError(f"with {total} ballots no item is both confirmable and rejectable by {interval}")
    return tuple(confirm), tuple(reject)


def _split(draw: st.DrawFn, total: int, labels: Sequence[str]) -> dict[str, int]:
    """``total`` ballots over ``labels``, as a ballot's are drawn (one tier, even, or at random)."""
    return draw_split(draw, total, labels, "random")


# Composites are defined once, at module level: hypothesis reads a composite's source
# when it is defined, which is slow enough to matter if done per draw.


@st.composite
def _item(draw: st.DrawFn, rule: _Rule, rejected: bool | None) -> dict[str, Any]:
    """One item's entry, confirmed or rejected (either when None), often exactly at the bound."""
    total = rule.least + draw(_EXTRA_BALLOTS)
    others = tuple(t for t in rule.labels if t not in rule.rejecting)
    if not others:  # every tier rejects (a scheme may say so): every item is rejected
        return {"tallies": _split(draw, total, rule.rejecting)}
    confirm, reject = _against(rule.interval, total)
    if rejected is None:
        rejected = draw(st.booleans())
    pool = reject if rejected else confirm
    edge = reject[0] if rejected else confirm[-1]  # the bound, from the side of the verdict
    against = edge if draw(st.booleans()) else draw(st.sampled_from(pool))
    tallies = {**_split(draw, against, rule.rejecting), **_split(draw, total - against, others)}
    ordered = {t: tallies[t] for t in rule.labels if t in tallies}
    return {"tallies": ordered}


def _total(entry: dict[str, Any]) -> int:
    return sum(entry["tallies"].values())


@st.composite
def _votes(draw: st.DrawFn, rule: _Rule, level: Level) -> ItemBallotEvidence:
    """Items with their tallies (``MOST_ITEMS`` all counted at best, none counted at worst),
    and now and then how many could vote: at least any item's ballots, often exactly."""
    counted_verdict = not rule.counts_confirmed  # the verdict ``measure`` counts: rejected or not
    if level == "best":
        verdicts: list[bool | None] = [counted_verdict] * MOST_ITEMS
    elif level == "worst":
        verdicts = [not counted_verdict] * draw(ints(0, 3))
    else:
        verdicts = [None] * draw(ints(0, MOST_ITEMS))
    names = draw(st.permutations(PLEDGES))[: len(verdicts)]
    votes: Any = {name: draw(_item(rule, verdict)) for name, verdict in zip(names, verdicts, strict=True)}
    expected: int | None = None
    if draw(st.booleans()):
        most = max((_total(e) for e in votes.values()), default=0)
        expected = most + draw(st.one_of(st.just(0), st.integers(0, 10)))
    return ItemBallotEvidence(votes, expected)


@st.composite
def _with_item(draw: st.DrawFn, rule: _Rule, valid: SearchStrategy[ItemBallotEvidence], how: str) -> tuple[Any, str]:
    """Valid votes with one more item, broken ``how``; the reason code the kind gives for it."""
    ev = draw(valid)
    entry: Any = draw(_item(rule, None))
    code = RC.INVALID_EVIDENCE
    name = _BROKEN_ITEM
    if how == "unknown_tier":
        entry = {"tallies": {**entry["tallies"], draw(unknown_tier(rule.labels)): draw(ints(0, 5))}}
        code = RC.UNKNOWN_TIER
    elif how == "invalid_count":
        entry = {"tallies": {**entry["tallies"], draw(st.sampled_from(rule.labels)): draw(st.sampled_from(BAD_COUNTS))}}
        code = RC.INVALID_COUNT
    elif how == "too_few":
        entry = {"tallies": _split(draw, rule.least - 1, rule.labels)}
        code = RC.TOO_FEW_RESPONDENTS
    elif how == "entry":
        entry = draw(st.sampled_from(_BAD_ENTRIES))
    elif how == "key":
        entry = {**entry, draw(st.sampled_from(("talies", "note", "expected"))): {}}
    elif how == "name":
        name = draw(st.sampled_from(("", " ", "\u3000")))
    elif how == "over_expected":
        ev = attrs.evolve(ev, expected=_total(entry) - 1)  # one fewer could vote than voted on it
    expected = ev.expected
    if how != "over_expected" and isinstance(expected, int) and isinstance(entry, dict):
        tallies = entry.get("tallies")
        if isinstance(tallies, dict) and all(type(n) is int for n in tallies.values()):
            expected = max(expected, sum(tallies.values()))  # the item is broken, not past expected
    votes: Any = {**ev.votes, name: entry}
    return ItemBallotEvidence(votes, expected), code


class ItemBallotStrategies:
    """Item ballots (a vote on each pledge item, 不满意 over a share rejecting it) and their votes."""

    weighable = False
    names: tuple[tuple[str, str], ...] = (("pledge_vote", "承诺事项表决"), ("pledge_items", "承诺事项逐项表决"))
    codes: frozenset[RC] = frozenset({RC.UNKNOWN_TIER, RC.INVALID_COUNT, RC.TOO_FEW_RESPONDENTS, RC.INVALID_EVIDENCE})

    def instrument(self, draw: InstrumentDraw) -> None:
        """A scale, the rejecting tiers (the worst, or several of the lower ones) over
        ``above`` or ``at_least`` a share, now and then ``measure``, ``min_respondents``,
        who votes and ``required = false``."""
        d = draw.config
        labels = draw.labels(draw.scale())
        tiers = draw.subset(labels[1:]) if draw.one_in(3) else [labels[-1]]  # the best tier never rejects
        key, bounds = ("at_least", _AT_LEAST) if draw.one_in(3) else ("above", _ABOVE)
        bound = draw.pick(bounds)
        d["reject_when"] = {"tiers": tiers, key: share_text(bound) if draw.one_in(2) else toml_number(bound)}
        measure = draw.pick(("confirmed", "rejected"))
        if measure == "rejected" or draw.one_in(3):
            d["measure"] = measure
        min_respondents = draw.pick(_MIN_RESPONDENTS)
        if min_respondents or draw.one_in(4):
            d["min_respondents"] = min_respondents
        draw.given_by()
        if not draw.weighted and draw.one_in(5):
            d["required"] = False
        draw.reach = (Fraction(0), Fraction(MOST_ITEMS))

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[ItemBallotEvidence]:
        """Up to ``MOST_ITEMS`` items, each with at least the fewest ballots (often exactly),
        confirmed or rejected (often exactly at the bound); at best ``MOST_ITEMS`` items all
        of the verdict ``measure`` counts, at worst a few all of the other; ``expected`` now
        and then, at least any item's ballots (often exactly)."""
        return _votes(_rule(scheme, instrument_id), level)

    def invalid_cases(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[tuple[Any, str]]:
        """Invalid evidence with the one reason code the kind gives for it: an item with an
        unknown tier (``unknown_tier``), a count that is no whole number (``invalid_count``),
        one ballot fewer than the fewest (``too_few_respondents``); an entry of the wrong
        shape, an unknown key beside the tallies, an item with no name, more ballots on an
        item than could vote, ``expected`` that is no count, or the wrong shape
        (``invalid_evidence``)."""
        rule = _rule(scheme, instrument_id)
        valid = _votes(rule, "random")
        hows = ["unknown_tier", "invalid_count", "entry", "key", "name", "over_expected"]
        if rule.least > 0:
            hows.append("too_few")
        options: list[SearchStrategy[tuple[Any, str]]] = [_with_item(rule, valid, how) for how in hows]
        options.append(
            st.tuples(valid, st.sampled_from(_BAD_EXPECTED)).map(
                lambda t: (attrs.evolve(t[0], expected=t[1]), RC.INVALID_EVIDENCE)
            )
        )
        shapes = wrong_shapes(kind_of(scheme, instrument_id), {"vots": {PLEDGES[0]: {"tallies": {rule.labels[0]: 1}}}})
        options.append(shapes.map(lambda e: (e, RC.INVALID_EVIDENCE)))
        return st.one_of(options)

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """The evidence of :meth:`invalid_cases`, each with one defect."""
        return self.invalid_cases(scheme, instrument_id).map(lambda case: case[0])


ITEM_BALLOT = ItemBallotStrategies()
