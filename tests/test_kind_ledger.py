"""The instrument kind ``ledger``: problems with deadlines, closed (销号) once verified.

003 五、(二) "逐个建立‘问题清单’，实行‘倒排工期、限时销号’管理", 五、(五) "对照整顿工作台账 …
验收通过后即可销号". Each entry's status on the ledger's date (as_of): closed when closed
by then and verified; otherwise overdue when as_of is after its deadline, open until then.
Every expected value below is worked out by hand from that rule and the dates written
next to it, never copied from the program's output. The bundled scheme
tianxing-rectification-2015 uses the kind (tests/test_scheme_tianxing.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import villageeval as ve
from villageeval._catalogue import render_step
from villageeval._kinds.ledger import LedgerEvidence, entry_status, read_date

SCHEME = """
id = "ledger-test"
title = "台账"

[locality]
name = "甲乡"

[roles.village]
label = "村"

[scales.grade]
tiers = ["整顿", "重点整顿"]

[instruments.ledger]
kind = "ledger"
title = "整顿工作台账"
clause = "五、(二)"

[gradings.screening]
kind = "conditions"
clause = "三、(二)"
scale = "grade"
fallback = "整顿"
rules = [{ grade = "重点整顿", when = { score = "ledger", above = 10 } }]

[consequences.overdue]
clause = "五、(二)"
text = "限时销号"
when = { share = "ledger", tiers = ["overdue"], above = 0 }

[consequences.struck_off]
clause = "五、(五)"
text = "验收通过后即可销号"
when = { score = "ledger", equals = 0 }

[consequences.nothing_overdue]
clause = "五、(二)"
text = "无逾期"
when = { not = { share = "ledger", tiers = ["overdue"], above = 0 } }
"""

DONE = {"problem": "补齐支委班子", "deadline": "2015-06-10", "closed": "2015-06-05", "verified": True}
LATE = {"problem": "清理三资", "deadline": "2015-09-30"}
DUE = {"problem": "发展集体经济", "deadline": "2015-12-31"}


def scheme(old: str = "", new: str = "") -> ve.Scheme:
    return ve.loads_scheme(SCHEME.replace(old, new) if old else SCHEME)


def grade(s: ve.Scheme, evidence: Any) -> ve.Outcome:
    subject = {"id": "v", "role": "village", "evidence": {"ledger": evidence}}
    return ve.evaluate(s, ve.cohort_from_dict({"subjects": [subject]})).outcome("v")


def ledger(*entries: Any, as_of: Any = "2015-11-20") -> dict[str, Any]:
    return {"as_of": as_of, "entries": list(entries)}


def consequences(o: ve.Outcome) -> list[str]:
    return sorted(c.rule for c in o.consequences)


def problems(toml: str) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ve.SchemeError) as e:
        ve.loads_scheme(toml)
    return [(p.path, p.message) for p in e.value.problems]


class TestStatus:
    """The rule, on dates: 销号 needs the closure verified; the deadline day is still in time."""

    def test_each_status(self) -> None:
        d = date(2015, 6, 10)
        assert entry_status(d, date(2015, 6, 5), True, date(2015, 11, 20)) == "closed"
        assert entry_status(d, date(2015, 7, 1), True, date(2015, 11, 20)) == "closed"  # late, but closed now
        assert entry_status(d, date(2015, 6, 5), False, date(2015, 11, 20)) == "overdue"  # not verified
        assert entry_status(d, date(2015, 6, 5), False, date(2015, 6, 10)) == "open"  # the deadline day
        assert entry_status(d, None, False, date(2015, 6, 10)) == "open"
        assert entry_status(d, None, False, date(2015, 6, 11)) == "overdue"  # the day after

    def test_dates_as_written(self) -> None:
        """YYYY-MM-DD text or a date; nothing else (no date-time, no other spelling, no 30 February)."""
        assert read_date("2015-06-10") == date(2015, 6, 10)
        assert read_date(date(2015, 6, 10)) == date(2015, 6, 10)
        for wrong in ("2015-6-10", "20150610", "2015-02-30", "2015年6月10日", datetime(2015, 6, 10), 20150610, None):
            assert read_date(wrong) is None, wrong


class TestScore:
    def test_counts_and_rules(self) -> None:
        """DONE closed; LATE (deadline 09-30 < 11-20) overdue; DUE (12-31) open: not closed 2."""
        o = grade(scheme(), ledger(DONE, LATE, DUE))
        assert o.instrument_scores["ledger"] == 2
        assert consequences(o) == ["overdue"]

    def test_all_closed(self) -> None:
        o = grade(scheme(), ledger(DONE, {**DUE, "closed": "2015-11-01", "verified": True}))
        assert o.instrument_scores["ledger"] == 0
        assert consequences(o) == ["nothing_overdue", "struck_off"]

    def test_an_empty_ledger(self) -> None:
        """Nothing on the ledger: nothing open (struck off), and no share to be above 0."""
        o = grade(scheme(), ledger())
        assert (o.status, o.instrument_scores["ledger"]) == ("graded", 0)
        assert consequences(o) == ["nothing_overdue", "struck_off"]

    @pytest.mark.parametrize(
        ("measure", "value"),
        [("not_closed", 2), ("overdue", 1), ("open", 1), ("closed", 1), ("entries", 3)],
    )
    def test_measures(self, measure: str, value: int) -> None:
        """DONE, LATE, DUE on 2015-11-20: one entry of each status."""
        s = scheme('clause = "五、(二)"\n\n[gradings', f'clause = "五、(二)"\nmeasure = "{measure}"\n\n[gradings')
        assert grade(s, ledger(DONE, LATE, DUE)).instrument_scores["ledger"] == value

    def test_dates_from_python_or_toml(self) -> None:
        """datetime.date values (a TOML case's dates) read as the text does."""
        entry = {"problem": "清理三资", "deadline": date(2015, 9, 30), "closed": None}
        assert grade(scheme(), ledger(entry, as_of=date(2015, 11, 20))).instrument_scores["ledger"] == 1

    def test_a_problem_found_later(self) -> None:
        """二 "对新出现的软弱涣散村组织，及时纳入": found 08-15, deadline 10-31, closed 10-25, verified."""
        entry = {
            "problem": "宗族干扰",
            "found": "2015-08-15",
            "deadline": "2015-10-31",
            "closed": "2015-10-25",
            "verified": True,
        }
        assert grade(scheme(), ledger(entry)).instrument_scores["ledger"] == 0


class TestTrace:
    def test_each_entry_then_the_counts(self) -> None:
        o = grade(scheme(), ledger(DONE, {**LATE, "closed": "2015-09-01"}, DUE))
        steps = [s for s in o.trace if s.rule == "ledger"]
        assert [s.message for s in steps] == [
            "ledger (整顿工作台账): 1. 补齐支委班子: deadline 2015-06-10, closed 2015-06-05 and verified: closed",
            "ledger (整顿工作台账): 2. 清理三资: deadline 2015-09-30, closed 2015-09-01, not verified: overdue",
            "ledger (整顿工作台账): 3. 发展集体经济: deadline 2015-12-31, not closed: open",
            "ledger (整顿工作台账): as of 2015-11-20: 3 entries, 1 closed, 1 open, 1 overdue; not closed: 2",
        ]
        assert (
            render_step(steps[1], "zh")
            == "整顿工作台账(ledger):2. 清理三资:时限 2015-09-30,2015-09-01 整改完成,未经验收:逾期未销号"
        )


class TestEvidence:
    """Every problem at once, each naming its entry (from 1)."""

    def test_entry_by_entry(self) -> None:
        entries = [
            {"problem": "", "deadline": "2015-6-10"},
            {"problem": "甲", "deadline": "2015-06-10", "verified": "是"},
            {"problem": "乙", "deadlne": "2015-06-10"},
            {"problem": "丙", "deadline": "2015-06-10", "verified": True},
            {"problem": "丁", "found": "2015-07-01", "deadline": "2015-06-30", "closed": "2015-06-20"},
            {"problem": "戊", "deadline": "2015-12-31", "closed": "2015-11-25", "verified": True},
            "己",
        ]
        o = grade(scheme(), ledger(*entries))
        assert o.status == "insufficient_evidence"
        assert {r.code for r in o.reasons} == {"invalid_evidence"}
        assert [r.message for r in o.reasons] == [
            "ledger: entry 1: 'problem' must be the problem in words (got '')",
            "ledger: entry 1: 'deadline' must be a date written YYYY-MM-DD (got '2015-6-10')",
            "ledger: entry 2: 'verified' must be true or false (got '是')",
            "ledger: entry 3: unknown key 'deadlne'; did you mean 'deadline'?",
            "ledger: entry 3: no 'deadline'",
            "ledger: entry 4: verified, but not closed (no 'closed' date)",
            "ledger: entry 5: 'deadline' 2015-06-30 is before the problem was found (2015-07-01)",
            "ledger: entry 5: 'closed' 2015-06-20 is before the problem was found (2015-07-01)",
            "ledger: entry 6: 'closed' 2015-11-25 is after the ledger's date 2015-11-20",
            'ledger: entry 7: expected an object {"problem": ..., "deadline": ...} (got \'己\')',
        ]

    def test_the_ledger_itself(self) -> None:
        """A date that is not one, and entries that are not an array: both said."""
        o = grade(scheme(), {"as_of": "2015-11-31", "entries": {"problem": "甲"}})
        assert [r.message for r in o.reasons] == [
            "ledger: 'as_of', the date the ledger is read on, must be a date written YYYY-MM-DD (got '2015-11-31')",
            "ledger: 'entries' must be an array of the problems on the ledger (got {'problem': '甲'})",
        ]

    def test_entries_checked_without_a_date(self) -> None:
        """A bad as_of does not hide the entries' own problems."""
        o = grade(scheme(), ledger({"problem": "甲"}, as_of=None))
        assert [r.message for r in o.reasons] == [
            "ledger: 'as_of', the date the ledger is read on, must be a date written YYYY-MM-DD (got None)",
            "ledger: entry 1: no 'deadline'",
        ]

    def test_keys_of_the_ledger(self) -> None:
        """as_of is required; a misspelt key has a did-you-mean; the kind key is read."""
        assert [r.code for r in grade(scheme(), {"entries": []}).reasons] == ["invalid_evidence"]
        o = grade(scheme(), {"as_of": "2015-11-20", "entries": [], "asof": "x"})
        assert "did you mean 'as_of'?" in o.reasons[0].message
        assert grade(scheme(), {"kind": "ledger", "as_of": "2015-11-20", "entries": []}).status == "graded"


class TestValidation:
    def test_share_tiers_are_statuses(self) -> None:
        """A share of a ledger counts statuses: a misspelt one is refused where it is written."""
        toml = SCHEME.replace(
            'when = { share = "ledger", tiers = ["overdue"], above = 0 }',
            'when = { share = "ledger", tiers = ["overdu"], above = 0 }',
        )
        assert problems(toml) == [
            (
                ("consequences", "overdue", "when", "tiers", 0),
                "unknown status 'overdu' of ledger 'ledger'; did you mean 'overdue'?",
            )
        ]

    def test_inside_not_and_in_a_ranking_key(self) -> None:
        toml = SCHEME.replace(
            'when = { not = { share = "ledger", tiers = ["overdue"]',
            'when = { not = { share = "ledger", tiers = ["late"]',
        )
        toml += (
            '\n[quotas.q]\nclause = "x"\ntext = "x"\ngrade = "整顿"\nshare = 0.5\nbound = "at_most"\ncount = '
            '"floor"\nrank_by = [{ share = "ledger", tiers = ["closd"] }]\n'
        )
        assert problems(toml) == [
            (
                ("consequences", "nothing_overdue", "when", "not", "tiers", 0),
                "unknown status 'late' of ledger 'ledger' (known: closed, open, overdue)",
            ),
            (
                ("quotas", "q", "rank_by", 0, "tiers", 0),
                "unknown status 'closd' of ledger 'ledger'; did you mean 'closed'?",
            ),
        ]

    def test_measure_is_one_of_five(self) -> None:
        [(path, message)] = problems(
            SCHEME.replace('clause = "五、(二)"\n\n[gradings', 'clause = "五、(二)"\nmeasure = "overdu"\n\n[gradings')
        )
        assert path == ("instruments", "ledger", "measure")
        assert "did you mean 'overdue'?" in message


# --- invariants --------------------------------------------------------------------------------

DAY = st.integers(0, 365).map(lambda n: date(2015, 1, 1) + timedelta(days=n))


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    deadline = draw(DAY)
    entry: dict[str, Any] = {"problem": "问题", "deadline": deadline.isoformat()}
    if draw(st.booleans()):
        entry["closed"] = draw(DAY.filter(lambda d: d <= date(2015, 12, 31))).isoformat()
        entry["verified"] = draw(st.booleans())
    return entry


S = {
    m: scheme('clause = "五、(二)"\n\n[gradings', f'clause = "五、(二)"\nmeasure = "{m}"\n\n[gradings')
    for m in ("not_closed", "overdue", "open", "closed", "entries")
}


def counted(measure: str, given: list[dict[str, Any]], as_of: str = "2015-12-31") -> int:
    value = grade(S[measure], ledger(*given, as_of=as_of)).instrument_scores["ledger"]
    assert value is not None
    return int(value)


@given(st.lists(entries(), max_size=6))
def test_the_statuses_partition_the_entries(given_: list[dict[str, Any]]) -> None:
    """closed + open + overdue = every entry, and not closed = open + overdue."""
    closed, open_, overdue = (counted(m, given_) for m in ("closed", "open", "overdue"))
    assert closed + open_ + overdue == counted("entries", given_) == len(given_)
    assert counted("not_closed", given_) == open_ + overdue


@given(entries(), DAY, DAY)
def test_time_only_moves_forward(entry: dict[str, Any], a: date, b: date) -> None:
    """Read later, an entry closed stays closed and an overdue one never becomes open again."""
    early, late = sorted((a, b))
    closed = entry.get("closed")
    if closed is not None and closed > early.isoformat():
        return  # a closure after the earlier date is not on the ledger then
    before = {m: counted(m, [entry], early.isoformat()) for m in ("closed", "overdue")}
    after = {m: counted(m, [entry], late.isoformat()) for m in ("closed", "overdue", "open")}
    assert after["closed"] >= before["closed"]
    if before["overdue"]:
        assert after["open"] == 0


def test_the_evidence_class_keeps_what_it_is_given() -> None:
    ev = LedgerEvidence([DONE], "2015-11-20")
    assert (ev.entries, ev.as_of) == ([DONE], "2015-11-20")
