"""Instruments that apply only to some subjects (``applies_when``)."""

from __future__ import annotations

from fractions import Fraction

import pytest

import villageeval as ve

# A village vote (满意/不满意, unweighted) decides whether the township jury scores the
# person at all: more than half 不满意 bars them (002 三、(二)1) and forces 不合格.
SCHEME = """
id = "pledge"
title = "承诺考评"
locality = { name = "某乡" }
[roles.secretary]
label = "村党支部书记"
[scales.vote]
tiers = ["满意", "不满意"]
[scales.grade]
tiers = ["合格", "不合格"]
[instruments.vote]
kind = "ballot"
title = "村民测评"
clause = "三、(二)1"
scale = "vote"
[instruments.jury]
kind = "score"
title = "评委团打分"
clause = "三、(二)1"
max = 100
applies_when = { not = { share = "vote", tiers = ["不满意"], above = 0.5 } }
[weightings.main]
clause = "三、(二)2"
total = 100
weights = { jury = 100 }
[gradings.main]
clause = "三、(二)2"
scale = "grade"
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
[vetoes.barred]
clause = "三、(二)1"
text = "“不满意”票超过半数的视为不合格"
when = { share = "vote", tiers = ["不满意"], above = 0.5 }
grade = "不合格"
"""


def run(*subjects: dict[str, object], text: str = SCHEME) -> ve.Result:
    scheme = ve.loads_scheme(text)
    return ve.evaluate(scheme, ve.cohort_from_dict({"subjects": list(subjects)}))


def secretary(sid: str, yes: int, no: int, jury: int | None) -> dict[str, object]:
    evidence: dict[str, object] = {"vote": {"tallies": {"满意": yes, "不满意": no}}}
    if jury is not None:
        evidence["jury"] = {"value": jury}
    return {"id": sid, "role": "secretary", "evidence": evidence}


class TestAppliesWhen:
    def test_barred_subject_needs_no_jury_score(self) -> None:
        """6 of 10 不满意 > half: no jury score needed; the veto grades 不合格 with no total."""
        o = run(secretary("a", 4, 6, None)).outcome("a")
        assert ("graded", None, None, "不合格") == (o.status, o.score, o.raw_grade, o.final_grade)
        assert [("barred", "veto", "", "不合格")] == [(a.rule, a.kind, a.from_grade, a.to_grade) for a in o.adjustments]

    def test_applying_instrument_still_required(self) -> None:
        """5 of 10 不满意 is not more than half: the jury score applies and must be given."""
        o = run(secretary("a", 5, 5, None)).outcome("a")
        assert ("insufficient_evidence", ["missing_evidence"]) == (o.status, [r.code for r in o.reasons])

    def test_applying_instrument_scores(self) -> None:
        """With the jury score given, 72 × 100/100 = 72 ≥ 60: 合格."""
        o = run(secretary("a", 9, 1, 72)).outcome("a")
        assert (Fraction(72), "合格") == (o.score, o.final_grade)

    def test_no_total_and_no_veto_is_insufficient(self) -> None:
        """Without the veto, a skipped weighted instrument leaves nothing to grade: no_total."""
        text = SCHEME.split("[vetoes.barred]")[0]
        o = run(secretary("a", 4, 6, None), text=text).outcome("a")
        assert ("insufficient_evidence", ["no_total"]) == (o.status, [r.code for r in o.reasons])

    def test_condition_must_read_earlier_instruments(self) -> None:
        """An applies_when reading an instrument declared below it is a load error."""
        text = SCHEME.replace(
            "[instruments.jury]",
            '[instruments.jury0]\nkind = "score"\ntitle = "x"\nclause = "x"\n'
            'max = 1\napplies_when = { share = "vote2", tiers = ["不满意"], above = 0.5 }\n'
            '[instruments.vote2]\nkind = "ballot"\ntitle = "v"\nclause = "x"\nscale = "vote"\n'
            "[instruments.jury]",
        )
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        assert [("instruments", "jury0", "applies_when")] == [p.path for p in info.value.problems]
