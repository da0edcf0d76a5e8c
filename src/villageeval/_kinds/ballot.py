"""``kind = "ballot"``: ballots tallied over a scale; the sub-score is the mean of their points.

The democratic appraisal (民主测评, 述职测评), the individual interviews (个别谈话)
and the household visits (入户访谈) of the documents. The sampling rules belong to
the instrument: at least ``min_respondents`` ballots (测评人数不少于20人), a quorum of
those expected (实到不少于应到的三分之二), categories of respondent that must be
covered, and respondents per stratum (每个自然村3至5户).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from attrs import field, frozen

from .. import _kernel as k
from .. import _model as m
from .._annotations import resolve_annotations
from .._catalogue import Join, said
from .._cohort import BallotEvidence
from .._hints import close_hint as hint
from .._hints import known_hint
from .._numbers import exact_text, show
from .._result import ReasonCode as RC
from .evidence import MOST_COUNT, check_coverage, quick_coverage, whole_count
from .evidence import shown_value as _shown
from .spec import MEMO_BOUND, InstrumentKind, QuickScorer, Scoring

if TYPE_CHECKING:
    from .._context import State

__all__ = ["BALLOT", "Ballot", "StratumRule"]


@frozen
class StratumRule:
    """How many respondents each stratum must give (3–5 households per 自然村)."""

    label: str = ""
    min: int = 0
    max: int | None = None


@frozen
class Ballot:
    """Ballots tallied over a scale; the sub-score is the mean of their points."""

    title: str
    clause: str
    scale: str
    kind: Literal["ballot"] = "ballot"
    roles: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    out_of: Fraction = Fraction(100)
    min_respondents: int = 0
    quorum: m.Share | None = None
    must_cover: tuple[str, ...] = field(default=(), converter=m.str_tuple)
    applies_when: m.Predicate | None = None
    required: bool = True
    cover: m.CoverMode = "every_member"
    per_stratum: StratumRule | None = None
    allow_empty: bool = False
    max_respondents: int | None = None


def validate(ins: Ballot, scheme: m.Scheme, iid: str) -> list[tuple[tuple[str | int, ...], str]]:
    """The scale exists; counts and shares are within their ranges."""
    path: tuple[str | int, ...] = ("instruments", iid)
    out: list[tuple[tuple[str | int, ...], str]] = []
    if ins.scale not in scheme.scales:
        out.append(((*path, "scale"), f"unknown scale {ins.scale!r}{known_hint(ins.scale, scheme.scales)}"))
    if ins.min_respondents < 0:
        out.append(((*path, "min_respondents"), "must be 0 or more"))
    if ins.max_respondents is not None and ins.max_respondents < max(ins.min_respondents, 1):
        out.append(((*path, "max_respondents"), f"must be at least min_respondents and 1 (got {ins.max_respondents})"))
    scale = scheme.scales.get(ins.scale)
    if ins.allow_empty and scale is not None and all(t.points is not None for t in scale.tiers):
        out.append(((*path, "allow_empty"), f"scale {ins.scale!r} has points: a mean of no ballots is no score"))
    if ins.quorum is not None and not (0 < ins.quorum <= 1):
        out.append(((*path, "quorum"), f"a quorum is a share in (0, 1] (got {m.fmt(ins.quorum)})"))
    st = ins.per_stratum
    if st is not None:
        if st.min < 0:
            out.append(((*path, "per_stratum", "min"), "must be 0 or more"))
        if st.max is not None and st.max < st.min:
            out.append(((*path, "per_stratum", "max"), f"max {st.max} is below min {st.min}"))
    return out


def score_range(ins: Ballot, scheme: m.Scheme) -> tuple[Fraction, Fraction] | None:
    """From the worst tier's points to the best's; None on a scale without points."""
    scale = scheme.scales.get(ins.scale)
    points = [t.points for t in scale.tiers] if scale else []
    if not points or any(p is None for p in points):
        return None
    known = [p for p in points if p is not None]
    return min(known), max(known)


class BoundBallot:
    """A ballot instrument compiled for its scheme: points over one denominator, the rules as numbers."""

    def __init__(self, ins: Ballot, scheme: m.Scheme, iid: str) -> None:
        self.ins = ins
        scale = scheme.scales[ins.scale]
        self.labels = scale.labels
        points = {t.label: t.points for t in scale.tiers}
        self.scored = all(p is not None for p in points.values())
        self.int_points, self.scale_den = k.points_over_common_denominator(points)
        self.point_texts = {label: exact_text(p or Fraction(0)) for label, p in points.items()}  # for the trace
        self.least = k.least_ballots(ins.min_respondents, ins.allow_empty)

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        """Check the tallies and the sampling rules, explaining every shortfall; the mean."""
        ins = self.ins
        if not isinstance(ev, BallotEvidence):
            scoring.problem(RC.INVALID_EVIDENCE, said("ballot.shape"))
            return None
        ok = True
        counts: dict[str, int] = {}
        int_points = self.int_points
        total = acc = 0
        tallies = ev.tallies
        # In the scale's order, then unknown labels sorted: the trace and the reasons read
        # the same whatever order the cohort's JSON keys came in.
        ordered = [label for label in self.labels if label in tallies]
        if len(ordered) != len(tallies):
            ordered += sorted(label for label in tallies if label not in int_points)
        for label in ordered:
            raw = tallies[label]
            if type(raw) is int and 0 <= raw <= MOST_COUNT and label in int_points:
                counts[label] = raw  # the common case, checked first
                total += raw
                acc += int_points[label] * raw
                continue
            if label not in int_points:
                scoring.problem(
                    RC.UNKNOWN_TIER,
                    said("ballot.unknown_tier", tier=repr(label), hint=hint(label, self.labels), labels=self.labels),
                )
                ok = False
                continue
            n = whole_count(raw)
            if n is None:
                scoring.problem(RC.INVALID_COUNT, said("ballot.invalid_count", tier=repr(label), got=_shown(raw)))
                ok = False
                continue
            counts[label] = n
        if not ok:
            return None
        if total < ins.min_respondents:
            scoring.problem(RC.TOO_FEW_RESPONDENTS, said("ballot.too_few", total=total, least=ins.min_respondents))
            ok = False
        elif total < self.least:
            scoring.problem(RC.TOO_FEW_RESPONDENTS, said("ballot.none"))
            ok = False
        if ins.max_respondents is not None and total > ins.max_respondents:
            scoring.problem(RC.TOO_MANY_RESPONDENTS, said("ballot.too_many", total=total, most=ins.max_respondents))
            ok = False
        if ins.quorum is None and ev.expected is not None:
            # Without a quorum, what was expected still bounds the ballots cast.
            expected_ = whole_count(ev.expected)
            if expected_ is None:
                scoring.problem(RC.INVALID_EVIDENCE, said("ballot.expected_invalid", got=_shown(ev.expected)))
                ok = False
            elif total > expected_:
                scoring.problem(RC.INVALID_EVIDENCE, said("ballot.over_expected", total=total, expected=expected_))
                ok = False
        if ins.quorum is not None:
            expected = whole_count(ev.expected)
            short = k.quorum_shortfall(ins.quorum, total, expected)
            if short == "no_expected":
                scoring.problem(RC.INVALID_EVIDENCE, said("ballot.quorum_needs_expected", got=repr(ev.expected)))
            elif short == "over_expected":
                scoring.problem(RC.INVALID_EVIDENCE, said("ballot.over_expected", total=total, expected=expected))
            elif short == "below_quorum":
                assert expected is not None
                needed = k.quorum_count(ins.quorum, expected)
                scoring.problem(
                    RC.BELOW_QUORUM, said("ballot.below_quorum", total=total, expected=expected, needed=needed)
                )
            ok = ok and short is None
        if ins.must_cover and not check_coverage(ins, ev.coverage, scoring, total):
            ok = False
        if ins.per_stratum is not None and not self._strata(ev.strata, total, scoring):
            ok = False
        if not ok:
            return None
        scoring.record_tallies(counts, total)
        if not self.scored:
            tallied = Join([said("ballot.count", tier=label, n=n) for label, n in counts.items()])
            scoring.explain(said("step.score.ballots", counts=tallied, total=total))
            return None
        value = Fraction(acc, total * self.scale_den)
        if scoring.tracing:
            texts = self.point_texts
            terms = " + ".join(f"{label} {n} × {texts[label]}" for label, n in counts.items() if n)
            scoring.explain(said("step.score.ballot_mean", terms=terms, total=total, value=show(value)))
        return value

    def _strata(self, strata: Mapping[str, Any], total: int, scoring: Scoring) -> bool:
        st = self.ins.per_stratum
        assert st is not None
        label = st.label or "stratum"
        if not strata:
            scoring.problem(RC.STRATA_MISSING, said("ballot.strata_missing", label=label))
            return False
        ok = True
        in_strata = 0
        for name, raw in sorted(strata.items()):
            n = whole_count(raw)
            if n is None:
                scoring.problem(
                    RC.INVALID_COUNT, said("ballot.stratum_invalid", label=label, name=repr(name), got=_shown(raw))
                )
                ok = False
                continue
            in_strata += n
            if not k.stratum_fits(n, st.min, st.max):
                span = (
                    said("word.span", least=st.min, most=st.max)
                    if st.max is not None
                    else said("word.at_least", least=st.min)
                )
                scoring.problem(
                    RC.STRATUM_OUT_OF_RANGE, said("ballot.stratum_range", n=n, label=label, name=repr(name), span=span)
                )
                ok = False
        if ok and in_strata != total:
            scoring.problem(RC.STRATA_MISMATCH, said("ballot.strata_mismatch", in_strata=in_strata, total=total))
            ok = False
        return ok

    def quick(self, keep: bool) -> QuickScorer | None:
        """The quick scorer: plainly valid tallies only, the mean memoised by its integers."""
        if not self.scored:
            return None
        ins = self.ins
        int_points, scale_den, least = self.int_points, self.scale_den, self.least
        quorum = ins.quorum
        most = MOST_COUNT if ins.max_respondents is None else min(ins.max_respondents, MOST_COUNT)
        covered = quick_coverage(ins)
        st = ins.per_stratum
        low, high = (st.min, st.max) if st is not None else (0, None)
        quorum_short = k.quorum_shortfall
        memo: dict[tuple[int, int], tuple[Fraction | None, int, int]] = {}
        most = MEMO_BOUND

        def quick(ev: Any, state: State, iid: str) -> tuple[Fraction | None, int, int] | None:
            if type(ev) is not BallotEvidence:
                return None
            total = acc = 0
            for label, raw in ev.tallies.items():
                p = int_points.get(label)
                if p is None or type(raw) is not int or raw < 0:
                    return None
                total += raw
                acc += p * raw
            # No count past evidence.MOST_COUNT, nor past max_respondents: with every tally
            # ≥ 0, bounding their total bounds each (a total past it takes the careful path).
            if total < least or total > most:
                return None
            expected = ev.expected
            if quorum is not None:
                if type(expected) is not int or quorum_short(quorum, total, expected) is not None:
                    return None
            elif expected is not None and (type(expected) is not int or total > expected):
                return None
            if covered is not None and not covered(ev.coverage, total):
                return None
            if st is not None:
                strata = ev.strata
                if not strata:
                    return None
                in_strata = 0
                for raw in strata.values():
                    # kernel.stratum_fits, written out: it runs for every stratum of every subject
                    # (tests/test_kernel.py holds the two together)
                    if type(raw) is not int or raw < low or (high is not None and raw > high):
                        return None
                    in_strata += raw
                if in_strata != total:
                    return None
            if keep:
                state.tallies[iid] = (ev.tallies, total)
            key = (acc, total)
            scored = memo.get(key)
            if scored is None:
                value = Fraction(acc, total * scale_den)
                scored = (value, value.numerator, value.denominator)
                if len(memo) < most:
                    memo[key] = scored
            return scored

        return quick


BALLOT = InstrumentKind(
    name="ballot",
    config=Ballot,
    score=None,
    score_range=score_range,
    evidence=BallotEvidence,
    validate=validate,
    records="tallies",
    bind=BoundBallot,
    vectorised="villageeval.columnar._kinds:BALLOT",
    strategies="villageeval.testing.strategies._kinds:BALLOT",
)

resolve_annotations(globals())  # the converter and the docs' checks read real types
