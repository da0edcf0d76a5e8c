"""``kind = "item_ballot"``: a ballot on each item; the sub-score counts the items confirmed.

002 三、(一)3: "由群众对每个人的承诺事项表决，‘不满意’票超过半数的，不得列为承诺内容". Each
item a person puts to the meeting is voted on by itself, on the instrument's scale; an
item whose ballots pass ``reject_when`` (the share of the ``不满意`` tiers above half) is
rejected, every other one is confirmed. How many items there are is the person's: the
evidence names them. The sub-score is a count (``measure``: the items confirmed, or those
rejected), for rules such as "每人承诺事项不少于3件" to read with a ``score`` predicate;
the trace gives each item's tally, its share of the rejecting tiers, and its verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Literal

from attrs import field, frozen

from .. import _kernel as k
from .. import _model as m
from .._annotations import resolve_annotations
from .._catalogue import Join, Said, said
from .._convert import share_problem
from .._hints import close_hint as hint
from .._hints import known_hint
from .._numbers import exact_text
from .._result import ReasonCode as RC
from .evidence import shown_value as _shown
from .evidence import whole_count
from .spec import InstrumentKind, QuickScorer, Scoring

__all__ = ["ITEM_BALLOT", "ItemBallot", "ItemBallotEvidence", "RejectRule", "share_text"]

#: The keys of one item's entry in the evidence.
_ITEM_KEYS = ("tallies",)


@frozen
class RejectRule:
    """When an item's vote rejects it: the share of ``tiers`` among its ballots passes the bound.

    "‘不满意’票超过半数的，不得列为承诺内容" is ``{ tiers = ["不满意"], above = "50%" }``;
    exactly one of ``above`` (超过) and ``at_least`` (达到, 及以上) is given.
    """

    tiers: tuple[str, ...] = field(converter=m.str_tuple)
    above: m.Share | None = None
    at_least: m.Share | None = None

    @property
    def interval(self) -> k.Interval:
        """The shares that reject an item (see :func:`villageeval._kernel.interval`)."""
        return k.interval(at_least=self.at_least, above=self.above)


@frozen
class ItemBallot:
    """A ballot on each item, on one scale; the sub-score counts the items confirmed (or rejected)."""

    title: str
    clause: str
    scale: str
    reject_when: RejectRule
    kind: Literal["item_ballot"] = "item_ballot"
    roles: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    measure: Literal["confirmed", "rejected"] = "confirmed"
    min_respondents: int = 0
    given_by: str = ""
    applies_when: m.Predicate | None = None
    required: bool = True


@frozen
class ItemBallotEvidence:
    """Ballots per item: item → ``{"tallies": {tier: ballots}}``, and how many could vote.

    Attributes:
        votes: item (its name, as the pledge words it) → its entry, an object whose
            ``tallies`` map tier labels to ballots. Kept as given; each item is checked
            when the subject is graded.
        expected: how many could vote at the meeting (应到人数), which no item's ballots
            may pass; optional.
    """

    votes: Mapping[str, Any] = field(converter=dict)
    expected: Any = None


def share_text(value: Fraction) -> str:
    """A share as documents write it: ``50%`` when a finite percentage, else exact (``2/3``)."""
    percent = exact_text(value * 100)
    return f"{percent}%" if "/" not in percent else exact_text(value)


def validate(ins: ItemBallot, scheme: m.Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
    """The scale exists and holds the rejecting tiers; the bound is one share that can decide."""
    path: tuple[str | int, ...] = ("instruments", iid)
    out: list[tuple[tuple[str | int, ...], str]] = []
    scale = scheme.scales.get(ins.scale)
    if scale is None:
        out.append(((*path, "scale"), f"unknown scale {ins.scale!r}{known_hint(ins.scale, scheme.scales)}"))
    rule = ins.reject_when
    rpath = (*path, "reject_when")
    if not rule.tiers:
        out.append(((*rpath, "tiers"), 'name the tiers whose share rejects an item (tiers = ["不满意"])'))
    if scale is not None:
        for i, tier in enumerate(rule.tiers):
            if tier not in scale.labels:
                out.append(
                    (
                        (*rpath, "tiers", i),
                        f"unknown tier {tier!r}: not a tier of scale {ins.scale!r}{known_hint(tier, scale.labels)}",
                    )
                )
    if (rule.above is None) == (rule.at_least is None):
        out.append((rpath, "give exactly one of above (超过) and at_least (达到): the share that rejects an item"))
    for key, bound in (("above", rule.above), ("at_least", rule.at_least)):
        if bound is None:
            continue
        if not 0 <= bound <= 1:
            out.append(((*rpath, key), share_problem(bound)))
        elif (key == "above" and bound == 1) or (key == "at_least" and bound == 0):
            what = "no item can be rejected" if key == "above" else "every item is rejected"
            out.append(((*rpath, key), f"{key} = {m.fmt(bound)}: {what}"))
    if ins.min_respondents < 0:
        out.append(((*path, "min_respondents"), "must be 0 or more"))
    return out


def score_range(ins: ItemBallot, scheme: m.Scheme) -> tuple[Fraction, Fraction] | None:
    """None: the sub-score is a count of items, which has no maximum, so it is never weighted."""
    return None


class BoundItemBallot:
    """An item ballot compiled for its scheme: the scale's labels and the rejecting share."""

    def __init__(self, ins: ItemBallot, scheme: m.Scheme, iid: str) -> None:
        self.ins = ins
        self.labels = scheme.scales[ins.scale].labels
        self.known = frozenset(self.labels)
        self.rejecting = frozenset(ins.reject_when.tiers)
        self.interval = ins.reject_when.interval
        self.least = k.least_ballots(ins.min_respondents)
        rule = ins.reject_when
        bound = rule.above if rule.above is not None else rule.at_least
        assert bound is not None  # validation gives exactly one
        kind = "above" if rule.above is not None else "at_least"
        self.passed: Said = said(f"kinds.item_ballot.test.{kind}", bound=share_text(bound))
        self.failed: Said = said(f"kinds.item_ballot.test.not_{kind}", bound=share_text(bound))
        self.tiers = Join(list(rule.tiers), " + ", " + ")

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        """Check each item's tallies; count the items confirmed (or rejected), explaining each verdict."""
        if not isinstance(ev, ItemBallotEvidence):
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.item_ballot.shape"))
            return None
        ok = True
        expected: int | None = None
        if ev.expected is not None:
            expected = whole_count(ev.expected)
            if expected is None:
                scoring.problem(
                    RC.INVALID_EVIDENCE, said("kinds.item_ballot.expected_invalid", got=_shown(ev.expected))
                )
                ok = False
        verdicts: list[tuple[str, dict[str, int], int, int, bool]] = []
        for item, entry in ev.votes.items():
            checked = self._item(item, entry, expected, scoring)
            if checked is None:
                ok = False
                continue
            verdicts.append((item, *checked))
        if not ok:
            return None
        confirmed = sum(1 for *_, rejected in verdicts if not rejected)
        rejected_ = len(verdicts) - confirmed
        value = Fraction(confirmed if self.ins.measure == "confirmed" else rejected_)
        if scoring.tracing:
            for item, counts, total, against, rejected in verdicts:
                tallied = Join([said("ballot.count", tier=label, n=n) for label, n in counts.items()])
                scoring.explain(
                    said(
                        "kinds.item_ballot.item",
                        item=item,
                        counts=tallied,
                        total=total,
                        tiers=self.tiers,
                        against=against,
                        test=self.failed if not rejected else self.passed,
                        verdict=said("kinds.item_ballot.rejected" if rejected else "kinds.item_ballot.confirmed"),
                    )
                )
            scoring.explain(
                said(
                    "kinds.item_ballot.summary",
                    items=len(verdicts),
                    confirmed=confirmed,
                    rejected=rejected_,
                    measure=said(f"kinds.item_ballot.measure.{self.ins.measure}"),
                    value=exact_text(value),
                )
            )
        return value

    def _item(
        self, item: str, entry: Any, expected: int | None, scoring: Scoring
    ) -> tuple[dict[str, int], int, int, bool] | None:
        """One item's tallies, checked: (counts in the scale's order, ballots, rejecting ballots, rejected)."""
        name = repr(item)
        if not isinstance(item, str) or not item.strip():
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.item_ballot.item_name", item=name))
            return None
        if not isinstance(entry, Mapping) or "tallies" not in entry:
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.item_ballot.item_shape", item=name, got=_shown(entry)))
            return None
        ok = True
        for key in entry:
            if key not in _ITEM_KEYS:
                scoring.problem(
                    RC.INVALID_EVIDENCE,
                    said("kinds.item_ballot.item_key", item=name, key=repr(key), hint=hint(str(key), _ITEM_KEYS)),
                )
                ok = False
        tallies = entry["tallies"]
        if not isinstance(tallies, Mapping):
            scoring.problem(RC.INVALID_EVIDENCE, said("kinds.item_ballot.item_shape", item=name, got=_shown(entry)))
            return None
        # In the scale's order, then unknown labels sorted: the trace and the reasons read
        # the same whatever order the JSON keys came in.
        ordered = [label for label in self.labels if label in tallies]
        ordered += sorted(str(label) for label in tallies if label not in self.known)
        counts: dict[str, int] = {}
        for label in ordered:
            if label not in self.known:
                scoring.problem(
                    RC.UNKNOWN_TIER,
                    said(
                        "kinds.item_ballot.unknown_tier",
                        item=name,
                        tier=repr(label),
                        hint=hint(label, self.labels),
                        labels=self.labels,
                    ),
                )
                ok = False
                continue
            n = whole_count(tallies[label])
            if n is None:
                scoring.problem(
                    RC.INVALID_COUNT,
                    said("kinds.item_ballot.invalid_count", item=name, tier=repr(label), got=_shown(tallies[label])),
                )
                ok = False
                continue
            counts[label] = n
        if not ok:
            return None
        total = sum(counts.values())
        if total < self.least:
            scoring.problem(
                RC.TOO_FEW_RESPONDENTS, said("kinds.item_ballot.too_few", item=name, total=total, least=self.least)
            )
            return None
        if expected is not None and total > expected:
            scoring.problem(
                RC.INVALID_EVIDENCE,
                said("kinds.item_ballot.over_expected", item=name, total=total, expected=expected),
            )
            return None
        against = sum(n for label, n in counts.items() if label in self.rejecting)
        return counts, total, against, k.in_interval(self.interval, Fraction(against, total))

    def quick(self, keep: bool) -> QuickScorer | None:
        """None: item ballots are scored carefully every time (they are few, and each is explained)."""
        return None


ITEM_BALLOT = InstrumentKind(
    name="item_ballot",
    config=ItemBallot,
    score=None,
    score_range=score_range,
    evidence=ItemBallotEvidence,
    validate=validate,
    bind=BoundItemBallot,
    strategies="villageeval.testing.strategies._kinds:ITEM_BALLOT",
)

resolve_annotations(globals())  # the converter and the docs' checks read real types
