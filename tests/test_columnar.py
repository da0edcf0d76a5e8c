"""villageeval.columnar grades a table exactly as the engine grades its subjects.

The contract: ``evaluate_columnar(scheme, table)`` gives every row the status, totals
and grades that ``evaluate(scheme, table.to_cohort(), trace=False)`` gives its subject,
with the same quota usage and warnings. Properties check it on generated schemes and
tables (broken cells included), on every bundled demo, and on the benchmark's quota
variant of 会宁县's scheme; example tests work the document's numbers out by hand.

The number of examples comes from the hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tests.test_plugins import ATTENDANCE, kinds, predicates, registry, weak
from tests.test_plugins import scheme as plugin_scheme
from tests.test_quick_path import damaged

import villageeval as ve
from villageeval import _kernel as k
from villageeval import _model as m
from villageeval._bound import binding_of, plan_of
from villageeval._cohort import BallotEvidence, RatingEvidence, ScoreEvidence
from villageeval._quotas import population_limit
from villageeval.testing.strategies import cohorts, schemes

np = pytest.importorskip("numpy")  # the numpy extra; installed with the test extra
from villageeval.columnar import ColumnarCohort, ColumnarResult, Fixed, Ragged, evaluate_columnar  # noqa: E402
from villageeval.columnar._evaluate import _block, _vectorised  # noqa: E402
from villageeval.columnar._grade import _round, form_of  # noqa: E402
from villageeval.columnar._kinds import BALLOT, RATING, SCORE, _quorum_counts  # noqa: E402
from villageeval.columnar._quota import _limits  # noqa: E402

SCHEMES = Path(__file__).parent.parent / "schemes"
BUNDLED = sorted(p.name for p in SCHEMES.iterdir() if (p / "demo.json").is_file())
_QUOTA_TOML = """
extends = "huining-midterm-2023"
id = "huining-quota"
title = "村“两委”班子届中履职分析 — with a 40% quota of 好 per township (the benchmark's variant)"

[quotas.good_share]
clause = "bench"
text = "每个乡镇评定为“好”等次的不超过参评总数的40%"
roles = ["team", "member"]
per = "township"
grade = "好"
share = "2/5"
bound = "at_most"
count = "floor"
rank_by = [{ score = "total" }]
"""
_QUOTA_SCHEME = ve.loads_scheme(_QUOTA_TOML)
# The quota scheme, plus a veto that only a team can incur.
_ROLE_VETO_SCHEME = ve.loads_scheme(
    _QUOTA_TOML.replace('id = "huining-quota"', 'id = "huining-role-veto"')
    + """
[vetoes.team_absentee]
clause = "test"
text = "a veto that names a role"
when = { all = [{ role = ["team"] }, { fact = "absentee" }] }
grade = "一般"
"""
)

MAPPINGS = ("groups", "facts", "history", "outcomes", "notes")


def columns_of(scheme: ve.Scheme, subjects: Iterable[ve.Subject]) -> dict[str, list[Any]]:
    """A table holding these subjects as far as columns can: each field of each evidence a column.

    Evidence the columns cannot hold (another kind's shape, an unknown tally label, a
    coverage form the instrument does not take, an undeclared fact) is left out; the
    tests compare a table with its own ``to_cohort()``, so nothing needs to survive.
    """
    subjects = list(subjects)
    n = len(subjects)
    cols: dict[str, list[Any]] = {}

    def put(name: str, i: int, value: Any) -> None:
        cols.setdefault(name, [None] * n)[i] = value

    for i, s in enumerate(subjects):
        put("id", i, s.id)
        put("role", i, s.role)
        for h in MAPPINGS:
            values: Mapping[str, Any] = getattr(s, h)
            for key, v in values.items():
                if h != "facts" or key in scheme.facts:
                    put(f"{h}.{key}", i, v)
        for iid, ev in s.evidence.items():
            ins = scheme.instruments.get(iid)
            if ins is None:
                continue
            pre = f"evidence.{iid}."
            every = getattr(ins, "cover", "") == "every_member"
            coverage = {}
            for cat, c in getattr(ev, "coverage", {}).items():
                if cat not in getattr(ins, "must_cover", ()):
                    continue
                if every and isinstance(c, dict) and set(c) <= {"count", "of"}:
                    coverage.update({f"{pre}coverage.{cat}.{k}": v for k, v in c.items()})
                elif not every:
                    coverage[f"{pre}coverage.{cat}"] = c
            if isinstance(ev, BallotEvidence) and ins.kind == "ballot":
                labels = scheme.scales[ins.scale].labels  # type: ignore[union-attr]
                for label, v in ev.tallies.items():
                    if label in labels:
                        put(f"{pre}tallies.{label}", i, v)
                if ev.strata:
                    put(f"{pre}strata", i, dict(ev.strata))
                if ev.expected is not None:
                    put(f"{pre}expected", i, ev.expected)
            elif isinstance(ev, RatingEvidence) and ins.kind == "rating":
                put(f"{pre}tier", i, ev.tier)
            elif isinstance(ev, ScoreEvidence) and ins.kind == "score":
                put(f"{pre}value", i, ev.value)
            else:
                continue
            for name, v in coverage.items():
                put(name, i, v)
    return cols


def assert_same(scheme: ve.Scheme, table: ColumnarCohort) -> ColumnarResult:
    """The columnar result agrees with the engine's on ``table.to_cohort()``, subject by subject."""
    got = evaluate_columnar(scheme, table)
    want = ve.evaluate(scheme, table.to_cohort(), trace=False)
    assert got.subject_ids == tuple(table.columns["id"])  # row for row with the table
    rows = zip(
        got.subject_ids,
        got.statuses,
        got.raw_grades,
        got.final_grades,
        got.scores(),
        got.rounded_scores,
        got.score_displays,
        strict=True,
    )
    by_id = {o.subject_id: o for o in want.outcomes}
    for sid, status, raw, final, score, rounded, display in rows:
        o = by_id[sid]
        assert (sid, status, raw, final) == (sid, o.status, o.raw_grade, o.final_grade)
        assert (score, rounded, display) == (o.score, o.rounded_score, o.score_display), sid
    assert got.populations == want.populations
    assert got.warnings == want.warnings
    assert (got.scheme_id, got.scheme_hash, got.period) == (want.scheme_id, want.scheme_hash, want.period)
    return got


# Values a cell can wrongly hold: each must send its row to the pure-Python engine.
BAD_CELLS = st.sampled_from(
    [
        None,
        -1,
        0,
        10**12 + 1,  # past any count of people (evidence.MOST_COUNT)
        True,
        False,
        1.5,
        "3",
        "好",
        2**70,
        -(2**70),
        Decimal("NaN"),
        Decimal("1E+30"),
        Fraction(7, 3),
        [1],
        {},
    ]
)


@st.composite
def tables(draw: st.DrawFn, scheme: ve.Scheme, max_size: int = 10, damage: bool = False) -> ColumnarCohort:
    """A table of a valid cohort of ``scheme``, with some cells broken when ``damage``."""
    cohort = draw(cohorts(scheme, max_size=max_size))
    if damage:
        cohort = draw(damaged(scheme, cohort))
    cols = columns_of(scheme, cohort.subjects)
    if damage and any(n.startswith(("evidence.", "facts.")) for n in cols):
        for _ in range(draw(st.integers(0, 4))):
            # Evidence and facts: what is checked per subject (ids, roles, groups and
            # other texts are checked for the whole table, as the cohort reader does).
            name = draw(st.sampled_from(sorted(n for n in cols if n.startswith(("evidence.", "facts.")))))
            if cols[name]:
                cols[name][draw(st.integers(0, len(cols[name]) - 1))] = draw(BAD_CELLS)
    if not cols:
        cols = {"id": [], "role": []}
    return ColumnarCohort(cols, period=cohort.period)


class TestSameAsTheEngine:
    @given(st.data())
    def test_generated_valid(self, data: st.DataObject) -> None:
        """Generated schemes (every kind, quotas, vetoes, caps) and valid cohorts."""
        scheme = data.draw(schemes())
        assert_same(scheme, data.draw(tables(scheme)))

    @given(st.data())
    def test_generated_damaged(self, data: st.DataObject) -> None:
        """With broken evidence and facts, and cells that are not what their column holds."""
        scheme = data.draw(schemes())
        assert_same(scheme, data.draw(tables(scheme, max_size=8, damage=True)))

    @given(st.data())
    def test_generated_in_arrays(self, data: st.DataObject) -> None:
        """Generated schemes with a role the arrays grade (kinds with a form, banded and rounded), damaged or not."""
        scheme = data.draw(schemes(kinds=("ballot", "rating", "score"), gradings=("bands",)))
        plan = plan_of(scheme)
        assume(any(_vectorised(plan, role).why is None for role in plan.roles))
        assert_same(scheme, data.draw(tables(scheme, max_size=10, damage=data.draw(st.booleans()))))

    @given(st.data())
    def test_huining_damaged(self, huining: ve.Scheme, data: st.DataObject) -> None:
        assert_same(huining, data.draw(tables(huining, max_size=8, damage=True)))

    @given(st.data())
    def test_huining_with_quota(self, data: st.DataObject) -> None:
        """The benchmark's quota per township, where twins tie at the cut."""
        scheme = huining_with_quota()
        assert_same(scheme, data.draw(tables(scheme, max_size=14)))

    @given(st.data())
    def test_roles_in_blocks_of_their_own(self, data: st.DataObject) -> None:
        """A veto that names a role grades teams and members in separate blocks (each a subset of the rows)."""
        scheme = _ROLE_VETO_SCHEME
        assert _block(plan_of(scheme), "team") != _block(plan_of(scheme), "member")
        assert_same(scheme, data.draw(tables(scheme, max_size=14, damage=True)))

    @pytest.mark.parametrize("scheme_id", BUNDLED)
    def test_bundled_demo(self, scheme_id: str) -> None:
        scheme = ve.load_scheme(SCHEMES / scheme_id)
        cohort = ve.load_cohort(SCHEMES / scheme_id / "demo.json")
        assert_same(scheme, ColumnarCohort(columns_of(scheme, cohort.subjects), period=cohort.period))


class TestInputForms:
    """Numpy arrays, Fixed, Ragged and the row order change nothing but speed."""

    @given(st.data())
    def test_numpy_columns(self, data: st.DataObject) -> None:
        scheme = huining_with_quota()
        table = data.draw(tables(scheme, max_size=10))
        arrays = {}
        for name, col in table.columns.items():
            kinds = set(map(type, col))
            arrays[name] = (
                np.array(col, dtype=np.int64 if kinds == {int} else bool) if kinds in ({int}, {bool}) else col
            )
        as_lists = evaluate_columnar(scheme, table)
        as_arrays = assert_same(scheme, ColumnarCohort(arrays, period=table.period))
        assert as_arrays == as_lists
        assert as_arrays.scores() == as_lists.scores()

    @given(st.data())
    def test_row_order(self, data: st.DataObject) -> None:
        """A permuted table: the same outcome for every subject, row for row with its own order."""
        scheme = huining_with_quota()
        table = data.draw(tables(scheme, max_size=10))
        n = len(table)
        perm = data.draw(st.permutations(range(n)))
        shuffled = ColumnarCohort({k: [v[i] for i in perm] for k, v in table.columns.items()}, period=table.period)
        a, b = evaluate_columnar(scheme, table), evaluate_columnar(scheme, shuffled)

        def by_id(r: ColumnarResult) -> dict[str, Any]:
            return dict(
                zip(
                    r.subject_ids,
                    zip(r.statuses, r.final_grades, r.scores(), r.score_displays, strict=True),
                    strict=True,
                )
            )

        assert by_id(a) == by_id(b)
        assert (a.populations, a.warnings) == (b.populations, b.warnings)

    def test_fixed_and_ragged(self, huining: ve.Scheme) -> None:
        """Fixed-point scores and flat strata read as the Decimal and mapping cells they stand for."""
        plain = huining_table()
        cells = dict(plain.columns)
        cells["evidence.party_committee.value"] = Fixed(
            np.array([int(v * 100) for v in cells["evidence.party_committee.value"]]), 2
        )
        strata = cells.pop("evidence.household_visit.strata")
        cells["evidence.household_visit.strata"] = Ragged(
            np.array([len(m) for m in strata]),
            np.array([k for m in strata for k in m.values()]),
            [k for m in strata for k in m],
        )
        packed = ColumnarCohort(cells, period="2023")
        assert packed.subject(2) == plain.subject(2)
        assert packed.to_cohort() == plain.to_cohort()
        assert Fixed(np.array([8750, 9025]), 2)[1] == Decimal("90.25")
        assert Ragged([2, 1], [4, 3, 5])[1] == {"1": 5}
        scheme = huining_with_quota()
        assert assert_same(scheme, packed).final_grades == evaluate_columnar(scheme, plain).final_grades

    def test_fixed_places_must_not_be_negative(self) -> None:
        with pytest.raises(ValueError, match="'places' must be >= 0"):
            Fixed([1], -1)

    def test_ragged_must_hold_together(self) -> None:
        with pytest.raises(ValueError, match="sizes add up to 3, but there are 2 values"):
            Ragged([1, 2], [4, 5])
        with pytest.raises(ValueError, match="2 keys for 3 values"):
            Ragged([1, 2], [4, 5, 6], ["a", "b"])
        with pytest.raises(ValueError, match="whole numbers >= 0"):
            Ragged([2, -1], [4])


# --- the document's numbers, by hand --------------------------------------------------
#
# 会宁县 (四、2–四、6): appraisal 40, interview 20, household visit 20, site inspection 10,
# party committee 10, of 100; ballots are the mean of 好 90 / 一般 70 / 差 40; the total is
# rounded half-up to a whole point; 好 ≥ 85, 一般 66–84, 差 ≤ 65; any of six facts is a veto
# to 差. The benchmark's variant adds: at most floor(40% × subjects) hold 好 per township.


def huining_with_quota() -> ve.Scheme:
    return _QUOTA_SCHEME


def _row(sid: str, appraisal: tuple[int, int, int], committee: Any, veto: bool = False) -> dict[str, Any]:
    """A team of 甲乡 whose interview, household visit and site are all 好 (90 points each)."""
    good, fair, poor = appraisal
    row = {
        "id": sid,
        "role": "team",
        "groups.township": "甲乡",
        "evidence.appraisal.tallies.好": good,
        "evidence.appraisal.tallies.一般": fair,
        "evidence.appraisal.tallies.差": poor,
        "evidence.interview.tallies.好": 15,
        "evidence.household_visit.tallies.好": 3,
        "evidence.household_visit.strata": {"上庄": 3},
        "evidence.site_inspection.tier": "好",
        "evidence.party_committee.value": committee,
    }
    for cat in ("包村干部", "村干部", "驻村工作队员"):
        row[f"evidence.interview.coverage.{cat}.count"] = row[f"evidence.interview.coverage.{cat}.of"] = 2
    for item in ("乡村建设项目", "人居环境整治", "集体经济项目"):
        row[f"evidence.site_inspection.coverage.{item}"] = 1
    for fact in ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee"):
        row[f"facts.{fact}"] = veto and fact == "extortion"
    row["facts.serious_problems"] = False
    return row


def huining_table(*rows: dict[str, Any]) -> ColumnarCohort:
    rows = rows or (
        # appraisal ballots (好, 一般, 差) and the committee's score; by hand, with the
        # interview, household visit and site at 90 (0.2·90 + 0.2·90 + 0.1·90 = 45):
        _row("v1", (20, 0, 0), 90),  # 0.4·90 + 45 + 0.1·90 = 90 → 好
        _row("v2", (20, 0, 0), 100),  # 36 + 45 + 10 = 91 → 好
        _row("v3", (18, 2, 0), Decimal("85")),  # appraisal (18·90 + 2·70)/20 = 88: 35.2 + 45 + 8.5 = 88.7 → 89 → 好
        _row("v4", (14, 6, 0), 80),  # appraisal 84: 33.6 + 45 + 8 = 86.6 → 87 → 好
        _row("v5", (0, 20, 0), 70),  # appraisal 70: 28 + 45 + 7 = 80 → 一般
        _row("v6", (20, 0, 0), 100, veto=True),  # 91 → 好, extortion → 差 (veto)
    )
    names = list(dict.fromkeys(k for r in rows for k in r))
    return ColumnarCohort({k: [r.get(k) for r in rows] for k in names}, period="2023")


class TestDocumentNumbers:
    def test_bands_vetoes_and_the_quota(self) -> None:
        """Six teams of one township: limit floor(40% × 6) = 2.

        Before the quota 好: v2 (91), v1 (90), v3 (88.7), v4 (86.6); v6 (91) is vetoed to
        差 and holds no 好. Four holders over a limit of two: v2 and v1 keep 好, v3 and v4
        (lowest exact totals) become 一般.
        """
        result = assert_same(huining_with_quota(), huining_table())
        assert result.raw_grades == ("好", "好", "好", "好", "一般", "好")
        assert result.final_grades == ("好", "好", "一般", "一般", "一般", "差")
        assert result.scores() == (90, 91, Fraction(887, 10), Fraction(433, 5), 80, 91)
        assert result.rounded_scores == (90, 91, 89, 87, 80, 91)
        # shown with two decimals (the scheme's display), from the exact total
        assert result.score_displays == ("90.00", "91.00", "88.70", "86.60", "80.00", "91.00")
        (usage,) = result.populations
        assert (usage.group, usage.size, usage.limit, usage.holders_before, usage.holders_after) == ("甲乡", 6, 2, 4, 2)
        assert usage.moved == ("v3", "v4")  # in ranked order: 88.7, then 86.6

    def test_tie_at_the_cut(self) -> None:
        """Five teams, limit floor(2) = 2: v1 91, then v2 and v3 both 90, tied at the cut.

        The smaller id, v2, keeps 好; the tie is flagged for the committee.
        """
        table = huining_table(
            _row("v1", (20, 0, 0), 100),
            _row("v3", (20, 0, 0), 90),
            _row("v2", (20, 0, 0), 90),
            _row("v4", (0, 20, 0), 70),
            _row("v5", (0, 20, 0), 70),
        )
        result = assert_same(huining_with_quota(), table)
        assert result.final_grades == ("好", "一般", "好", "一般", "一般")
        assert result.populations[0].ties == ("v2", "v3")
        assert "tie at the cut between v2, v3" in result.warnings[0]

    def test_totals_beyond_64_bits(self) -> None:
        """Tallies of 10**12 ballots (the most a count may be): totals past 64 bits, in Python integers."""
        cols = {k: list(v) for k, v in huining_table().columns.items()}
        cols["evidence.appraisal.tallies.好"] = [10**12 - 10 + i for i in range(6)]
        cols["evidence.interview.tallies.一般"] = [10**12 - 7] * 6
        result = assert_same(huining_with_quota(), ColumnarCohort(cols, period="2023"))
        assert object == result.score_numerators.dtype
        # By hand: the interview is 70 + 300/(10**12 + 8), the appraisal 90 less (its other
        # tiers' ballots) × 20/(10**15 + …); with household 90 and site 90 (27 points), v1
        # (committee 90) is 86 + ε → 86 好; v3 (85) 85.5 + ε → 86 好; v4 (80) 85 + ε → 85 好;
        # v5 (70, 20 ballots 一般) 84 − ε → 84 一般.
        assert ("好", "好", "好", "好", "一般", "好") == result.raw_grades
        assert (86, 87, 86, 85, 84, 87) == result.rounded_scores

    def test_a_count_past_any_meeting(self) -> None:
        """A tally of 10**12 + 1 is no count of people: the row goes to the engine, which says invalid_count."""
        cols = {k: list(v) for k, v in huining_table().columns.items()}
        cols["evidence.appraisal.tallies.好"][0] = 10**12 + 1
        result = assert_same(huining_with_quota(), ColumnarCohort(cols, period="2023"))
        assert "insufficient_evidence" == result.statuses[0]

    def test_bad_cells_are_graded_by_the_engine(self) -> None:
        """A float score and a negative tally: insufficient evidence, never a silent score."""
        table = huining_table()
        cols = {k: list(v) for k, v in table.columns.items()}
        cols["evidence.party_committee.value"][0] = 90.0
        cols["evidence.appraisal.tallies.差"][1] = -1
        result = assert_same(huining_with_quota(), ColumnarCohort(cols))
        assert result.statuses[:2] == ("insufficient_evidence", "insufficient_evidence")
        assert result.scores()[:2] == (None, None)
        outcome = ve.evaluate(huining_with_quota(), ColumnarCohort(cols).to_cohort()).outcomes[0]
        assert [r.code for r in outcome.reasons] == ["invalid_evidence"]


def test_the_documented_example() -> None:
    """docs/columnar.md's example prints what the page says (its numbers are worked out there)."""
    text = (Path(__file__).parent.parent / "docs" / "columnar.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    shown = text.split("```text\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/columnar.md", "exec"), {})
    assert out.getvalue() == shown


class TestBadTables:
    def test_every_problem_at_once(self, huining: ve.Scheme) -> None:
        cols = dict(huining_table().columns)
        cols["evidence.apraisal.tallies.好"] = cols.pop("evidence.appraisal.tallies.好")
        cols["facts.extorsion"] = cols.pop("facts.extortion")
        with pytest.raises(ve.CohortError) as e:
            evaluate_columnar(huining, ColumnarCohort(cols))
        text = str(e.value)
        assert "column 'evidence.apraisal.tallies.好' is not evidence the scheme reads" in text
        assert "did you mean 'evidence.appraisal.tallies.好'" in text
        assert "the scheme declares no fact 'extorsion'; did you mean 'facts.extortion'" in text

    def test_shape(self) -> None:
        with pytest.raises(ve.CohortError) as e:
            ColumnarCohort({"id": ["a", "a"], "role": ["team"], "score": [1, 2]})
        text = str(e.value)
        assert "column 'role' has 1 cells, 'id' has 2" in text
        assert "column 'score' is not one of" in text
        with pytest.raises(ve.CohortError, match="duplicate subject id 'a'"):
            ColumnarCohort({"id": ["a", "a"], "role": ["team", "team"]})
        with pytest.raises(ve.CohortError, match="no 'role' column"):
            ColumnarCohort({"id": ["a"]})

    def test_texts(self) -> None:
        """Ids, roles and groups are texts, as in a cohort file."""
        cols = {k: list(v) for k, v in huining_table().columns.items()}
        cols["id"][3] = 4
        cols["groups.township"][0] = 1
        with pytest.raises(ve.CohortError) as e:
            ColumnarCohort(cols)
        assert "column 'id': every cell must be a non-empty string (row 3: 4)" in str(e.value)
        assert "column 'groups.township': every cell must be a string, or None for no value (row 0: 1)" in str(e.value)
        cols["id"][3] = ""
        with pytest.raises(ve.CohortError, match=r"column 'id': every cell must be a non-empty string \(row 3: ''\)"):
            ColumnarCohort(cols)
        cols["id"][3] = ["x"]  # unhashable: the column is read cell by cell
        with pytest.raises(ve.CohortError, match=r"every cell must be a non-empty string \(row 3: \['x'\]\)"):
            ColumnarCohort(cols)

    def test_numpy_strings_are_texts(self) -> None:
        """numpy's ``str_`` cells (``list(array)``) are texts, as ``isinstance`` says in the cohort reader."""
        table = huining_table()
        texts = ("id", "role", "groups.township", "evidence.site_inspection.tier")
        cols = {k: list(np.array(v)) if k in texts else v for k, v in table.columns.items()}
        assert type(cols["id"][0]) is np.str_
        got = evaluate_columnar(huining_with_quota(), ColumnarCohort(cols))
        want = evaluate_columnar(huining_with_quota(), table)
        assert (got.subject_ids, got.statuses, got.final_grades) == (want.subject_ids, want.statuses, want.final_grades)
        assert got.populations == want.populations

    def test_roles_and_groups_as_the_engine_says(self) -> None:
        scheme = huining_with_quota()
        cols = {k: list(v) for k, v in huining_table().columns.items()}
        cols["role"][0] = "teem"
        cols["groups.township"][1] = None
        with pytest.raises(ve.CohortError) as e:
            evaluate_columnar(scheme, ColumnarCohort(cols))
        with pytest.raises(ve.CohortError) as engine:
            ve.evaluate(scheme, ColumnarCohort(cols).to_cohort())
        assert str(e.value) == str(engine.value)
        assert "unknown role 'teem'" in str(e.value)
        assert "no 'township' group" in str(e.value)


# --- the array forms of the kernel's definitions ----------------------------------------

# Denominators that make ties (a half at 0, 1, 2 or 3 places) likely, and any others.
DENOMINATORS = st.one_of(st.sampled_from([1, 2, 4, 8, 20, 200, 2000]), st.integers(1, 2**20))


class TestTheKernelsDefinitions:
    """Each array form gives what the kernel's function gives, value for value."""

    @given(
        st.lists(st.tuples(st.integers(-(2**40), 2**40), DENOMINATORS), max_size=12),
        st.integers(0, 6),
        st.sampled_from(k.ROUNDING_MODES),
        st.booleans(),
    )
    def test_rounding_in_int64(self, pairs: list[tuple[int, int]], digits: int, mode: str, non_negative: bool) -> None:
        """The rounding of int64 totals is kernel.round_scaled, in every mode (all totals ≥ 0 or not)."""
        if non_negative:
            pairs = [(abs(n), d) for n, d in pairs]
        num = np.array([n for n, _ in pairs], dtype=np.int64)
        den = np.array([d for _, d in pairs], dtype=np.int64)
        expected = [k.round_scaled(n, d, digits, mode) for n, d in pairs]
        assert expected == _round(num, den, digits, mode).tolist()

    @given(
        st.lists(st.tuples(st.integers(-(2**90), 2**90), st.one_of(DENOMINATORS, st.integers(1, 2**70))), max_size=8),
        st.integers(0, 20),
        st.sampled_from(k.ROUNDING_MODES),
        st.booleans(),
    )
    def test_rounding_in_python_integers(
        self, pairs: list[tuple[int, int]], digits: int, mode: str, non_negative: bool
    ) -> None:
        """The rounding of totals beyond 64 bits (object arrays) is kernel.round_scaled too."""
        if non_negative:
            pairs = [(abs(n), d) for n, d in pairs]
        num = np.array([n for n, _ in pairs] + [None], dtype=object)[:-1]
        den = np.array([d for _, d in pairs] + [None], dtype=object)[:-1]
        expected = [k.round_scaled(n, d, digits, mode) for n, d in pairs]
        assert expected == _round(num, den, digits, mode).tolist()

    def test_unknown_rounding_mode(self) -> None:
        """An unknown mode is refused, as the kernel refuses it."""
        with pytest.raises(ValueError, match="unknown rounding mode 'nearest'"):
            _round(np.array([-1], np.int64), np.array([2], np.int64), 0, "nearest")

    @given(
        st.fractions(0, 1, max_denominator=1000),
        st.sampled_from(["floor", "ceil"]),
        st.sampled_from(["all", "graded"]),
        st.lists(st.integers(0, 10**6), max_size=12),
    )
    def test_quota_limit(self, share: Fraction, count: str, base: str, sizes: list[int]) -> None:
        """The limit per population is _quotas.population_limit, which is kernel.count_for_share of its size."""
        q = m.Quota("test", "test", "好", "at_most", share, count, base=base)  # type: ignore[arg-type]
        got = _limits(q, np.array(sizes, dtype=np.int64)).tolist()
        assert [population_limit(q, size, size) for size in sizes] == got
        assert [k.count_for_share(share, size, count) for size in sizes] == got

    @given(st.integers(0, 50), st.lists(st.integers(0, 10**6), max_size=12))
    def test_quota_limit_by_number(self, number: int, sizes: list[int]) -> None:
        """A quota by number ("每个乡镇推荐2名") has that limit in every population, whatever its size."""
        q = m.Quota("test", "test", "好", "at_most", number=number)
        got = _limits(q, np.array(sizes, dtype=np.int64)).tolist()
        assert [population_limit(q, size, size) for size in sizes] == got == [number] * len(sizes)

    @given(
        st.fractions(0, 1, max_denominator=100).filter(lambda q: q > 0),
        st.lists(st.integers(0, 10**9), max_size=12),
    )
    def test_quorum_count(self, quorum: Fraction, expected: list[int]) -> None:
        """The ballots a quorum needs, per row, are kernel.quorum_count's."""
        got = _quorum_counts(quorum, np.array(expected, dtype=np.int64)).tolist()
        assert [k.quorum_count(quorum, e) for e in expected] == got


# --- kinds and their forms over arrays --------------------------------------------------

_POINTS_SCHEME = ve.loads_scheme(
    """
extends = "huining-midterm-2023"
id = "huining-points"
title = "会宁县's scheme, with itemised points for members"

[instruments.duties]
kind = "points"
title = "履职尽责考核"
clause = "test"
roles = ["member"]

[instruments.duties.items]
party = { label = "党的建设", max = 50 }
"""
)


def rounded_plugin_scheme() -> str:
    """tests/test_plugins.py's scheme with an instrument of its plugin kind, its total rounded (as arrays need)."""
    text = plugin_scheme(kind="attendance", instrument="held = 12")
    return text.replace('scale = "grade"\n', 'scale = "grade"\nround = { digits = 0, mode = "half_up" }\n', 1)


class TestKindsOverArrays:
    def test_the_built_in_forms(self, huining: ve.Scheme) -> None:
        """Each built-in kind's form is the object its spec names; points has none."""
        by_kind = binding_of(huining).kinds
        assert "villageeval.columnar._kinds:BALLOT" == by_kind["ballot"].declared.vectorised
        assert (BALLOT, RATING, SCORE, None) == tuple(
            form_of(by_kind[name]) for name in ("ballot", "rating", "score", "points")
        )

    def test_a_role_with_points(self) -> None:
        """A role with a points instrument is not graded in arrays: the reason names the instrument and its kind."""
        plan = plan_of(_POINTS_SCHEME)
        assert _vectorised(plan, "team").why is None
        assert "instrument duties is of kind 'points', which has no form over arrays" == _vectorised(plan, "member").why

    @given(st.data())
    def test_a_role_with_points_as_the_engine_grades_it(self, data: st.DataObject) -> None:
        """Teams in arrays, members (whose points have no columns) by the engine: the engine's outcomes."""
        assert_same(_POINTS_SCHEME, data.draw(tables(_POINTS_SCHEME, max_size=10, damage=True)))

    def test_points_have_no_columns(self) -> None:
        """A column for a points instrument is refused, naming its kind."""
        cols = dict(huining_table().columns)
        cols["evidence.duties.items.party"] = [40] * len(cols["id"])
        with pytest.raises(ve.CohortError) as e:
            evaluate_columnar(_POINTS_SCHEME, ColumnarCohort(cols))
        assert "instrument 'duties' is of kind 'points', which has no columns" in str(e.value)

    def test_a_plugin_kind(self) -> None:
        """A plugin's kind without a form, or with one it is not bound for, is not graded in arrays."""
        text = rounded_plugin_scheme()
        plain = ve.loads_scheme(text, registry=registry(predicates(weak=weak), kinds(ATTENDANCE)))
        borrowing = ve.loads_scheme(
            text,
            registry=registry(
                predicates(weak=weak), kinds(attrs.evolve(ATTENDANCE, vectorised="villageeval.columnar._kinds:SCORE"))
            ),
        )
        assert "instrument committee is of kind 'attendance', which has no form over arrays" == (
            _vectorised(plan_of(plain), "team").why
        )
        assert "instrument committee of kind 'attendance' is not bound as a score" == (
            _vectorised(plan_of(borrowing), "team").why
        )

    def test_a_form_that_cannot_be_imported(self) -> None:
        """A spec naming a form that does not exist is a PluginError naming the plugin."""
        broken = attrs.evolve(ATTENDANCE, vectorised="villageeval.columnar._kinds:ATTENDANCE")
        scheme = ve.loads_scheme(
            plugin_scheme(kind="attendance", instrument="held = 12"),
            registry=registry(predicates(weak=weak), kinds(broken)),
        )
        table = ColumnarCohort({"id": ["a"], "role": ["team"], "evidence.committee.value": [11]})
        with pytest.raises(ve.PluginError) as e:
            evaluate_columnar(scheme, table)
        assert str(e.value).startswith(
            "plugin 'county_a': instrument kind 'attendance' names 'villageeval.columnar._kinds:ATTENDANCE' "
            "as its columnar form, which cannot be imported: AttributeError"
        )
