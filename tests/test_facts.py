"""Declared facts: ``[facts.<name>]`` checked at load time, required or defaulted at evaluation.

Every scheme here has one instrument, the committee's direct score out of 100 with
weight 100, and no rounding, so a subject's total *is* its committee score. The grade
bands are 优秀 ≥ 90; 称职 60 ≤ t < 90; 不称职 < 60. Each test appends the facts and rules
it needs to that base; a problem's line is the line of the text it names, found by
``line_of`` in the scheme text the test built.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

import villageeval as ve

BASE = """\
id = "facts-test"
title = "事实声明测试"

[locality]
name = "某县某乡"

[source]
document = "某组发〔2024〕1号"

[roles.secretary]
label = "村党组织书记"

[roles.team]
label = "村“两委”班子"

[scales.grade]
tiers = ["优秀", "称职", "不称职"]

[instruments.committee]
kind = "score"
title = "乡党委评价"
clause = "三、1"
max = 100

[weightings.main]
clause = "三、2"
total = 100
weights = { committee = 100 }

[gradings.main]
clause = "三、3"
scale = "grade"
bands = [
  { grade = "优秀", at_least = 90 },
  { grade = "称职", at_least = 60, below = 90 },
  { grade = "不称职", below = 60 },
]
"""

#: A required bool fact (no default).
DISCIPLINED = """
[facts.disciplined]
label = "受到党纪处分"
source = "乡纪委"
clause = "四、1"
"""

#: A required number fact (no default).
COMPLAINTS = """
[facts.complaints]
label = "群众投诉件数"
type = "number"
"""


def veto(when: str = '{ fact = "disciplined" }', roles: str = "") -> str:
    """A veto to 不称职 on ``when``."""
    return f"""
[vetoes.discipline]
clause = "四、1"
text = "受到党纪处分的"
when = {when}
grade = "不称职"
{roles}
"""


def top_quota(rank_by: str) -> str:
    """At most half of the population 优秀 (floor), ranked by ``rank_by``."""
    return f"""
[quotas.top]
clause = "五、1"
text = "优秀不超过50%"
grade = "优秀"
share = 0.5
bound = "at_most"
count = "floor"
rank_by = {rank_by}
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of ``text`` containing ``needle``."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert 1 == len(lines), needle
    return lines[0]


def problems(text: str) -> list[ve.Problem]:
    """The problems ``loads_scheme`` raises for ``text``."""
    with pytest.raises(ve.SchemeError) as info:
        ve.loads_scheme(text)
    return list(info.value.problems)


def sub(sid: str, score: int, role: str = "secretary", **facts: Any) -> ve.Subject:
    """A subject whose committee score is ``score``, with ``facts``."""
    return ve.Subject(id=sid, role=role, evidence={"committee": ve.ScoreEvidence(score)}, facts=facts)


def run(scheme: ve.Scheme, *subjects: ve.Subject) -> ve.Result:
    return ve.evaluate(scheme, ve.Cohort(subjects))


def reasons(o: ve.Outcome) -> list[tuple[str, str]]:
    return [(r.code, r.message) for r in o.reasons]


class TestUndeclared:
    """A fact a rule reads must be declared under [facts.<name>]."""

    def test_veto_names_a_misspelt_fact(self) -> None:
        """An undeclared fact in a veto: its path, its line and a did-you-mean to the declared one."""
        text = BASE + DISCIPLINED + veto('{ fact = "disciplind" }')
        message = "unknown fact 'disciplind': declare it under [facts.disciplind]; did you mean 'disciplined'?"
        path = ("vetoes", "discipline", "when", "fact")
        assert [ve.Problem(path, message, None, line_of(text, "disciplind"))] == problems(text)

    def test_printed_with_dotted_path(self) -> None:
        """The problem prints as ``<scheme>:LINE: vetoes.discipline.when.fact: ...``."""
        text = BASE + DISCIPLINED + veto('{ fact = "disciplind" }')
        line = line_of(text, "disciplind")
        expected = (
            f"<scheme>:{line}: vetoes.discipline.when.fact: unknown fact 'disciplind': "
            "declare it under [facts.disciplind]; did you mean 'disciplined'?"
        )
        assert [expected] == [str(p) for p in problems(text)]

    def test_nested_in_not_and_any(self) -> None:
        """Inside ``not`` and ``any`` the path goes down to the fact that is unknown."""
        text = BASE + DISCIPLINED + veto('{ not = { any = [{ fact = "disciplined" }, { fact = "absent" }] } }')
        path = ("vetoes", "discipline", "when", "not", "any", 1, "fact")
        message = "unknown fact 'absent': declare it under [facts.absent] (known: disciplined)"
        assert [(path, message)] == [(p.path, p.message) for p in problems(text)]

    def test_none_declared(self) -> None:
        """With no [facts] at all the message says none are declared."""
        text = BASE + veto()
        message = "unknown fact 'disciplined': declare it under [facts.disciplined] (none are declared)"
        assert [message] == [p.message for p in problems(text)]

    def test_rank_key(self) -> None:
        """An undeclared ``{ fact = "<name>" }`` ranking key, at its rank_by entry, with a did-you-mean."""
        text = BASE + COMPLAINTS + top_quota('[{ score = "total" }, { fact = "complaint" }]')
        path = ("quotas", "top", "rank_by", 1, "fact")
        message = "unknown fact 'complaint': declare it under [facts.complaint]; did you mean 'complaints'?"
        assert [ve.Problem(path, message, None, line_of(text, 'fact = "complaint"'))] == problems(text)

    def test_declared_facts_load(self) -> None:
        """Declared, a fact loads with its label, type, default, source and clause."""
        scheme = ve.loads_scheme(BASE + DISCIPLINED + veto())
        fact = scheme.facts["disciplined"]
        assert ("受到党纪处分", "bool", None, "乡纪委", "四、1") == (
            fact.label,
            fact.type,
            fact.default,
            fact.source,
            fact.clause,
        )


class TestTypes:
    """A fact is read as the type it is declared with."""

    def test_bool_fact_compared(self) -> None:
        """A bool fact with a comparison is a load error at the fact."""
        text = BASE + DISCIPLINED + veto('{ fact = "disciplined", at_least = 1 }')
        message = "fact 'disciplined' is declared as a bool, read here as a number: test it alone"
        path = ("vetoes", "discipline", "when", "fact")
        assert [ve.Problem(path, message, None, line_of(text, "at_least = 1"))] == problems(text)

    def test_number_fact_tested_alone(self) -> None:
        """A number fact without a comparison is a load error at the fact."""
        text = BASE + COMPLAINTS + veto('{ fact = "complaints" }')
        message = (
            "fact 'complaints' is declared as a number, read here as a bool: "
            "compare it with at_least/above/at_most/below/equals"
        )
        path = ("vetoes", "discipline", "when", "fact")
        assert [ve.Problem(path, message, None, line_of(text, '{ fact = "complaints" }'))] == problems(text)

    def test_number_default_that_is_a_bool(self) -> None:
        """``default = true`` on a number fact is a load error at the default."""
        text = BASE + COMPLAINTS + "default = true\n" + veto('{ fact = "complaints", above = 3 }')
        message = "a number fact needs a number default (got true)"
        path = ("facts", "complaints", "default")
        assert [ve.Problem(path, message, None, line_of(text, "default = true"))] == problems(text)

    def test_bool_default_that_is_a_number(self) -> None:
        """``default = 0`` on a bool fact is a load error at the default."""
        text = BASE + DISCIPLINED + "default = 0\n" + veto()
        path = ("facts", "disciplined", "default")
        assert [(path, line_of(text, "default = 0"))] == [(p.path, p.line) for p in problems(text)]
        assert "a bool fact needs a bool default (got 0)" == problems(text)[0].message

    def test_number_default_is_exact(self) -> None:
        """A number default is read exactly, like every number of a scheme."""
        text = BASE + COMPLAINTS + 'default = "1/3"\n' + veto('{ fact = "complaints", above = 3 }')
        assert Fraction(1, 3) == ve.loads_scheme(text).facts["complaints"].default


class TestRequired:
    """A declared fact without a default must be given by every subject whose rules read it."""

    @pytest.fixture
    def scheme(self) -> ve.Scheme:
        return ve.loads_scheme(BASE + DISCIPLINED + veto())

    def test_missing(self, scheme: ve.Scheme) -> None:
        """No ``disciplined``: insufficient_evidence with missing_fact, naming the fact's label."""
        o = run(scheme, sub("a", 95)).outcome("a")
        message = "fact 'disciplined' (受到党纪处分) is not given and the scheme has no default for it"
        assert ("insufficient_evidence", None, [("missing_fact", message)]) == (o.status, o.final_grade, reasons(o))

    def test_misspelt_key_gets_a_did_you_mean(self, scheme: ve.Scheme) -> None:
        """``diciplined: true`` is not the fact: unknown (did you mean the declared one?), and still missing."""
        o = run(scheme, sub("a", 95, diciplined=True)).outcome("a")
        unknown = (
            "fact 'diciplined' is not declared by the scheme; did you mean 'disciplined'?; "
            "a fact nobody reads is a misspelt one"
        )
        missing = (
            "fact 'disciplined' (受到党纪处分) is not given and the scheme has no default for it; "
            "did you mean 'diciplined'?"
        )
        assert ("insufficient_evidence", [("unknown_fact", unknown), ("missing_fact", missing)]) == (
            o.status,
            reasons(o),
        )

    def test_given_false(self, scheme: ve.Scheme) -> None:
        """Given false: graded by the score, no veto."""
        o = run(scheme, sub("a", 95, disciplined=False)).outcome("a")
        assert ("graded", "优秀", ()) == (o.status, o.final_grade, o.flags)

    def test_given_true(self, scheme: ve.Scheme) -> None:
        """Given true: 95 → 优秀, vetoed to 不称职."""
        o = run(scheme, sub("a", 95, disciplined=True)).outcome("a")
        assert ("graded", "优秀", "不称职", ("veto:discipline",)) == (o.status, o.raw_grade, o.final_grade, o.flags)

    def test_wrong_type(self, scheme: ve.Scheme) -> None:
        """The string "false" is not a bool: invalid_fact."""
        o = run(scheme, sub("a", 95, disciplined="false")).outcome("a")
        message = "fact 'disciplined' must be true or false (got 'false')"
        assert ("insufficient_evidence", [("invalid_fact", message)]) == (o.status, reasons(o))

    def test_ineligible_wins(self) -> None:
        """A subject an eligibility rule takes out is ineligible, whatever facts it lacks."""
        eligibility = """
[facts.new_in_office]
label = "任职不满半年"

[eligibility.new_in_office]
clause = "二、1"
text = "任职不满半年的,不参加本次考核"
when = { fact = "new_in_office" }
"""
        scheme = ve.loads_scheme(BASE + DISCIPLINED + veto() + eligibility)
        o = run(scheme, sub("a", 95, new_in_office=True)).outcome("a")
        assert ("ineligible", ["ineligible"]) == (o.status, [r.code for r in o.reasons])

    def test_rank_fact(self) -> None:
        """A required number fact read only by a quota's rank_by is required too."""
        scheme = ve.loads_scheme(BASE + COMPLAINTS + top_quota('[{ fact = "complaints", better = "lower" }]'))
        o = run(scheme, sub("a", 95, complaints=1), sub("b", 95)).outcome("b")
        message = "fact 'complaints' (群众投诉件数) is not given and the scheme has no default for it"
        assert ("insufficient_evidence", [("missing_fact", message)]) == (o.status, reasons(o))


class TestDefault:
    """A declared default fills in for a subject that does not give the fact."""

    def test_bool_default_in_a_veto(self) -> None:
        """``default = false``: a subject without the fact is graded as if it gave false."""
        scheme = ve.loads_scheme(BASE + DISCIPLINED + "default = false\n" + veto())
        implicit = run(scheme, sub("a", 95), sub("b", 95, disciplined=True))
        explicit = run(scheme, sub("a", 95, disciplined=False), sub("b", 95, disciplined=True))
        assert _graded(explicit) == _graded(implicit)
        assert [("a", "优秀"), ("b", "不称职")] == [(o.subject_id, o.final_grade) for o in implicit]

    def test_number_default_in_a_ranking(self) -> None:
        """``default = 0`` complaints: b ranks first among the tied 95s, as if it gave 0.

        Four subjects, floor(50% × 4) = 2 may stay 优秀. a, b and c all have 95, so
        complaints (fewer is better) decide: b 0 (the default), c 1, a 2 → a is demoted.
        Without the default, b would have no value and rank last.
        """
        rank_by = '[{ score = "total" }, { fact = "complaints", better = "lower" }]'
        scheme = ve.loads_scheme(BASE + COMPLAINTS + "default = 0\n" + top_quota(rank_by))
        others = (sub("a", 95, complaints=2), sub("c", 95, complaints=1), sub("d", 70, complaints=5))
        implicit = run(scheme, sub("b", 95), *others)
        explicit = run(scheme, sub("b", 95, complaints=0), *others)
        assert _graded(explicit) == _graded(implicit)
        assert {"a": "称职", "b": "优秀", "c": "优秀", "d": "称职"} == {o.subject_id: o.final_grade for o in implicit}
        assert [("a",)] == [p.moved for p in implicit.populations]

    def test_given_value_wins(self) -> None:
        """A value the subject gives is used, not the default."""
        scheme = ve.loads_scheme(BASE + DISCIPLINED + "default = false\n" + veto())
        assert "不称职" == run(scheme, sub("a", 95, disciplined=True)).outcome("a").final_grade

    def test_default_does_not_excuse_a_wrong_type(self) -> None:
        """With a default, a given value of the wrong type is still invalid_fact."""
        scheme = ve.loads_scheme(BASE + DISCIPLINED + "default = false\n" + veto())
        o = run(scheme, sub("a", 95, disciplined=0)).outcome("a")
        assert ("insufficient_evidence", ["invalid_fact"]) == (o.status, [r.code for r in o.reasons])


class TestOtherRoles:
    """A fact is required only of the roles whose rules read it."""

    @pytest.fixture
    def scheme(self) -> ve.Scheme:
        return ve.loads_scheme(BASE + DISCIPLINED + veto(roles='roles = ["secretary"]'))

    def test_not_required_of_another_role(self, scheme: ve.Scheme) -> None:
        """The veto is the secretaries': a team without ``disciplined`` is graded."""
        o = run(scheme, sub("t", 95, role="team")).outcome("t")
        assert ("graded", "优秀", ()) == (o.status, o.final_grade, o.reasons)

    def test_required_of_its_role(self, scheme: ve.Scheme) -> None:
        """A secretary without ``disciplined`` in the same cohort is missing it."""
        r = run(scheme, sub("s", 95), sub("t", 95, role="team"))
        assert [("s", "insufficient_evidence"), ("t", "graded")] == [(o.subject_id, o.status) for o in r]
        assert ["missing_fact"] == [x.code for x in r.outcome("s").reasons]

    def test_rank_fact_of_another_role(self) -> None:
        """A quota over teams ranks by a fact: secretaries need not give it."""
        quota = top_quota('[{ fact = "complaints", better = "lower" }]') + 'roles = ["team"]\n'
        scheme = ve.loads_scheme(BASE + COMPLAINTS + quota)
        o = run(scheme, sub("s", 95), sub("t", 95, role="team", complaints=0)).outcome("s")
        assert ("graded", "优秀") == (o.status, o.final_grade)


def _graded(result: ve.Result, *, trace: bool = True) -> dict[str, Any]:
    """A result's JSON without what identifies the evaluation (decision id, time) and the
    cohort (its hash): what two evaluations of differently ordered cohorts share."""
    data = ve.result_to_dict(result, trace=trace)
    for key in ("decision_id", "evaluated_at", "cohort_hash"):
        del data["audit"][key]
    return data
