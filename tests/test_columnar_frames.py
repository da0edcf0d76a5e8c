"""ColumnarCohort.from_arrow and from_pandas: the same outcomes as the engine, and no copy where the memory allows.

The contract is the columnar path's (tests/test_columnar.py): a table made from an Arrow
table or a DataFrame is graded by ``evaluate_columnar`` as ``evaluate(scheme,
table.to_cohort(), trace=False)`` grades it, and, since every cell is converted exactly,
as the engine grades the cohort the frame was made from. Properties build generated
cohorts' columns into Arrow tables (typed, dictionary-encoded, chunked) and DataFrames
(numpy, nullable, string, categorical and object dtypes); examples check each type's
conversion, the copies that are not made, and the errors. The number of examples comes
from the hypothesis profile (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_columnar import _QUOTA_SCHEME, _QUOTA_TOML, assert_same, huining_table, tables

import villageeval as ve
from villageeval.testing.strategies import schemes

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
from villageeval.columnar import ColumnarCohort, ColumnarResult, Fixed, Ragged, evaluate_columnar  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INT64 = (-(2**63), 2**63 - 1)
# pandas 3's default string dtype is "str"; before 3, dtype=str writes None as the text "None".
STRING_DTYPES = [object, "string", "category", *(["str"] if int(pd.__version__.split(".")[0]) >= 3 else [])]


# --- building frames from a table's columns ----------------------------------------------


def _exact_decimal(v: Any) -> Decimal | None:
    """``v`` (an int, Decimal or Fraction) as a finite Decimal, exactly, or None if it has no finite one."""
    if isinstance(v, Decimal):
        return v if v.is_finite() else None
    f = Fraction(v)
    d = f.denominator
    twos = fives = 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        return None
    places = max(twos, fives)
    return Decimal(f.numerator * 10**places // f.denominator).scaleb(-places)


def _numbers_column(cells: list[Any]) -> Any:
    """A column of exact numbers as Arrow holds them: decimal128 if every value fits, else their exact texts."""
    exact = [None if v is None else _exact_decimal(v) for v in cells]
    present = [d for d in exact if d is not None]
    if len(present) == sum(v is not None for v in cells):
        places = max([-int(d.as_tuple().exponent) for d in present] + [0])
        if max([d.adjusted() + 1 + places for d in present] + [1]) <= 38:
            q = Decimal(1).scaleb(-places)
            return pa.array([None if d is None else d.quantize(q) for d in exact], pa.decimal128(38, places))
    # "1690/19": the score kind reads such a text exactly (the columnar path hands it to the engine).
    return pa.array([None if v is None else str(Fraction(v)) for v in cells], pa.string())


def arrow_array(cells: list[Any], draw: st.DrawFn) -> Any:
    """One column of valid cells as an Arrow array of its type, as a database would type it (None: no one type)."""
    present = [v for v in cells if v is not None]
    types = set(map(type, present))
    if not present:
        return pa.nulls(len(cells))
    if types == {bool}:
        return pa.array(cells, pa.bool_())
    if types == {int} and INT64[0] <= min(present) and max(present) <= INT64[1]:
        narrow = min(present) >= 0 and max(present) < 2**31
        return pa.array(cells, draw(st.sampled_from([pa.int64(), pa.int32(), pa.uint32()])) if narrow else pa.int64())
    if types == {str}:
        array = pa.array(cells, draw(st.sampled_from([pa.string(), pa.large_string()])))
        return array.dictionary_encode() if draw(st.booleans()) else array
    if types == {dict}:
        return pa.array([None if m is None else list(m.items()) for m in cells], pa.map_(pa.string(), pa.int64()))
    if types <= {int, Decimal, Fraction}:
        return _numbers_column(cells)
    return None  # mixed cells (a coverage given as a count in one row and as {"count": n} in another)


def arrow_of(table: ColumnarCohort, draw: st.DrawFn) -> tuple[Any, ColumnarCohort]:
    """The table's columns as an Arrow table, in one to three chunks (record batches), and the
    table of the columns it holds (a column whose cells have no one Arrow type is left out)."""
    arrays = {name: arrow_array(list(col), draw) for name, col in table.columns.items()}
    kept = {name: table.columns[name] for name, array in arrays.items() if array is not None}
    whole = pa.table({name: array for name, array in arrays.items() if array is not None})
    n = whole.num_rows
    cuts = sorted(set(draw(st.lists(st.integers(1, max(n - 1, 1)), max_size=2)))) if n > 1 else []
    parts = [whole.slice(a, b - a).combine_chunks() for a, b in itertools.pairwise([0, *cuts, n])]
    return pa.concat_tables(parts), ColumnarCohort(kept, period=table.period)


def pandas_series(cells: list[Any], draw: st.DrawFn) -> Any:
    """One column as a pandas Series of the dtype a loader would give it (object when its cells are mixed)."""
    present = [v for v in cells if v is not None]
    types = set(map(type, present))
    missing = len(present) < len(cells)
    if present and types == {int} and INT64[0] <= min(present) and max(present) <= INT64[1]:
        if not missing:
            return pd.Series(cells, dtype=draw(st.sampled_from(["int64", "Int64"])))
        return pd.Series(cells, dtype="Int64")
    if present and types == {bool}:
        return pd.Series(cells, dtype="boolean" if missing else draw(st.sampled_from(["bool", "boolean"])))
    if present and types == {str}:
        return pd.Series(cells, dtype=draw(st.sampled_from(STRING_DTYPES)))
    out = np.empty(len(cells), dtype=object)
    out[:] = cells
    return pd.Series(out, dtype=object)


def pandas_of(table: ColumnarCohort, draw: st.DrawFn) -> Any:
    return pd.DataFrame({name: pandas_series(list(col), draw) for name, col in table.columns.items()})


def assert_outcomes(got: ColumnarResult, scheme: ve.Scheme, cohort: ve.Cohort) -> None:
    """The columnar result has every subject's outcome, quota usage and warnings of ``evaluate(cohort)``."""
    want = ve.evaluate(scheme, cohort, trace=False)
    by_id = {o.subject_id: o for o in want.outcomes}
    assert sorted(got.subject_ids) == sorted(by_id)
    for i, sid in enumerate(got.subject_ids):
        o = by_id[sid]
        assert (got.statuses[i], got.raw_grades[i], got.final_grades[i]) == (o.status, o.raw_grade, o.final_grade), sid
        assert (got.scores()[i], got.rounded_scores[i], got.score_displays[i]) == (
            o.score,
            o.rounded_score,
            o.score_display,
        ), sid
    assert got.populations == want.populations
    assert got.warnings == want.warnings


# --- the contract, on generated schemes and cohorts --------------------------------------

#: Typed damage: a cell of the column's own type that is wrong (as a database's rows can be).
WRONG_OF_TYPE: dict[type, Any] = {
    int: st.sampled_from([None, -1, 0, 10**12 + 1, 2**62]),
    bool: st.sampled_from([None, True, False]),
    str: st.sampled_from([None, "", "不是等次", "好"]),
    Decimal: st.sampled_from([None, Decimal("-1"), Decimal("1E+3"), Decimal("0.001")]),
}


@st.composite
def typed_damage(draw: st.DrawFn, table: ColumnarCohort) -> ColumnarCohort:
    """The table with a few evidence and fact cells set to wrong values of their column's type."""
    cols = {name: list(col) for name, col in table.columns.items()}
    names = sorted(n for n in cols if n.startswith(("evidence.", "facts.")) and cols[n])
    for _ in range(draw(st.integers(0, 4)) if names else 0):
        name = draw(st.sampled_from(names))
        kinds = {type(v) for v in cols[name] if v is not None}
        if len(kinds) == 1 and (kind := next(iter(kinds))) in WRONG_OF_TYPE:
            cols[name][draw(st.integers(0, len(cols[name]) - 1))] = draw(WRONG_OF_TYPE[kind])
    return ColumnarCohort(cols, period=table.period)


SCHEMES = st.one_of(schemes(), st.just(_QUOTA_SCHEME))


class TestSameAsTheEngine:
    @given(st.data())
    def test_arrow(self, data: st.DataObject) -> None:
        """A generated cohort as a typed Arrow table (decimals, maps, dictionaries, chunks): the engine's outcomes."""
        scheme = data.draw(SCHEMES)
        arrow, table = arrow_of(data.draw(tables(scheme, max_size=12)), data.draw)
        got = assert_same(scheme, ColumnarCohort.from_arrow(arrow, period=table.period))
        assert_outcomes(got, scheme, table.to_cohort())

    @given(st.data())
    def test_arrow_with_wrong_cells(self, data: st.DataObject) -> None:
        """Wrong values of each column's own type (a negative tally, an unknown tier, a null): still the engine's."""
        scheme = data.draw(SCHEMES)
        arrow, table = arrow_of(data.draw(typed_damage(data.draw(tables(scheme, max_size=10)))), data.draw)
        got = assert_same(scheme, ColumnarCohort.from_arrow(arrow, period=table.period))
        assert_outcomes(got, scheme, table.to_cohort())

    @given(st.data())
    def test_pandas(self, data: st.DataObject) -> None:
        """A generated cohort, broken cells and all, as a DataFrame: the same cohort, and the engine's outcomes."""
        scheme = data.draw(SCHEMES)
        table = data.draw(tables(scheme, max_size=10, damage=data.draw(st.booleans())))
        frame = pandas_of(table, data.draw)
        from_frame = ColumnarCohort.from_pandas(frame, period=table.period)
        assert from_frame.to_cohort() == table.to_cohort()  # every cell exactly as it was
        got = assert_same(scheme, from_frame)
        assert_outcomes(got, scheme, table.to_cohort())


# --- each column type ----------------------------------------------------------------------


def _huining_columns() -> dict[str, list[Any]]:
    return {name: list(col) for name, col in huining_table().columns.items()}


def _same_as_lists(cohort: ColumnarCohort, cells: dict[str, list[Any]]) -> ColumnarResult:
    """The converted table is the table of these cells, and is graded as the engine grades them."""
    plain = ColumnarCohort(cells, period=cohort.period)
    assert cohort.to_cohort() == plain.to_cohort()
    got = assert_same(_QUOTA_SCHEME, cohort)
    assert_outcomes(got, _QUOTA_SCHEME, plain.to_cohort())
    return got


def _arrow_table(cells: dict[str, list[Any]], **types: Any) -> Any:
    """Columns as Arrow arrays, typed by name where given (``types`` keys use ``__`` for ``.``)."""
    typed = {k.replace("__", "."): t for k, t in types.items()}
    arrays = {}
    for name, col in cells.items():
        if name in typed:
            arrays[name] = pa.array(col, typed[name])
        elif name == "evidence.household_visit.strata":
            arrays[name] = pa.array(
                [None if m is None else list(m.items()) for m in col], pa.map_(pa.string(), pa.int64())
            )
        elif name == "evidence.party_committee.value":
            arrays[name] = pa.array([None if v is None else Decimal(v) for v in col], pa.decimal128(5, 2))
        else:
            arrays[name] = pa.array(col)
    return pa.table(arrays)


class TestColumnTypes:
    def test_nulls(self) -> None:
        """A null is a key left out, in an integer, a boolean, a decimal, a string and a map column."""
        cells = _huining_columns()
        cells["evidence.appraisal.tallies.差"][0] = None  # a tier left out counts 0: still graded
        cells["evidence.appraisal.tallies.一般"][1] = None
        cells["facts.extortion"][2] = None  # a fact not given
        cells["evidence.party_committee.value"][3] = None  # the score not given
        cells["evidence.site_inspection.tier"][4] = None
        cells["evidence.household_visit.strata"][5] = None
        nullable = {"evidence.appraisal.tallies.差": "Int64", "evidence.appraisal.tallies.一般": "Int64"}
        frame = pd.DataFrame(
            {
                k: pd.Series(v, dtype=nullable.get(k, "boolean" if k.startswith("facts.") else object))
                for k, v in cells.items()
            }
        )
        assert frame["facts.extortion"].isna().sum() == 1
        for table in (
            ColumnarCohort.from_arrow(_arrow_table(cells), period="2023"),
            ColumnarCohort.from_pandas(frame, period="2023"),
        ):
            for name in ("evidence.appraisal.tallies.差", "facts.extortion", "evidence.household_visit.strata"):
                assert table.columns[name] == cells[name]  # a list of Python values, None for the null
            got = _same_as_lists(table, cells)
            assert ("graded", "graded") == got.statuses[:2]
            assert "insufficient_evidence" == got.statuses[3]  # no committee score: missing_evidence

    def test_decimals(self) -> None:
        """decimal128 becomes a Fixed over Arrow's own integers; with nulls or past 64 bits, exact Decimals."""
        cells = _huining_columns()
        cells["evidence.party_committee.value"] = [Decimal(x) for x in ("90", "100.00", "85.5", "80.25", "70", "99.99")]
        arrow = _arrow_table(cells)
        table = ColumnarCohort.from_arrow(arrow, period="2023")
        fixed = table.columns["evidence.party_committee.value"]
        assert isinstance(fixed, Fixed)
        assert (fixed.places, fixed.values.tolist()) == (2, [9000, 10000, 8550, 8025, 7000, 9999])
        chunk = arrow.column("evidence.party_committee.value").chunk(0)
        assert np.shares_memory(fixed.values, np.frombuffer(chunk.buffers()[1], dtype="<i8"))  # no copy
        # by hand (test_columnar's huining_table): v4 is 33.6 + 45 + 0.1 × 80.25 = 86.625
        assert Fraction("86.625") == _same_as_lists(table, cells).scores()[3]
        # A decimal128(38, 30): not 64 bits; a decimal with a null: Decimal cells, exactly.
        wide = pa.array([Decimal("1.000000000000000000000000000001"), Decimal("-2")], pa.decimal128(38, 30))
        nulls = pa.array([Decimal("85.50"), None], pa.decimal128(5, 2))
        got = ColumnarCohort.from_arrow(
            pa.table({"id": ["a", "b"], "role": ["team"] * 2, "facts.x": wide, "facts.y": nulls})
        )
        assert [Decimal("1.000000000000000000000000000001"), Decimal("-2")] == got.columns["facts.x"]
        assert [Decimal("85.50"), None] == got.columns["facts.y"]
        if hasattr(pa, "decimal64"):
            d64 = ColumnarCohort.from_arrow(
                pa.table({"id": ["a"], "role": ["team"], "facts.x": pa.array([Decimal("-1.25")], pa.decimal64(5, 2))})
            )
            assert Decimal("-1.25") == d64.columns["facts.x"][0]
        # pandas: an object column of Decimals (as read_sql gives a NUMERIC) keeps the very objects.
        scores = cells["evidence.party_committee.value"]
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cells.items()})
        from_frame = ColumnarCohort.from_pandas(frame, period="2023")
        assert all(a is b for a, b in zip(from_frame.columns["evidence.party_committee.value"], scores, strict=True))
        _same_as_lists(from_frame, cells)

    def test_decimal_low_words_only_where_they_are_the_value(self) -> None:
        """A decimal128 beyond 64 bits among small ones is read as Decimals, not as its low word."""
        big = Decimal(2**64 + 5)
        got = ColumnarCohort.from_arrow(
            pa.table(
                {"id": ["a", "b"], "role": ["team"] * 2, "facts.x": pa.array([Decimal(5), big], pa.decimal128(38, 0))}
            )
        )
        assert [Decimal(5), big] == got.columns["facts.x"]

    def test_strings_in_chinese(self) -> None:
        """Ids, townships and tiers in Chinese, as string, large_string and pandas' string dtypes."""
        cells = _huining_columns()
        cells["id"] = ["西岔村", "东岔村", "上庄村", "下庄村", "中川村", "郭城村"]
        cells["groups.township"] = ["甲乡", "甲乡", "乙镇", "乙镇", "乙镇", "甲乡"]
        cells["evidence.site_inspection.tier"] = ["好", "一般", "差", "好", "好", "一般"]
        arrow = _arrow_table(cells, id=pa.large_string(), groups__township=pa.string())
        for table in (
            ColumnarCohort.from_arrow(arrow, period="2023"),
            *(
                [
                    ColumnarCohort.from_arrow(
                        _arrow_table(cells, evidence__site_inspection__tier=pa.string_view()), period="2023"
                    )
                ]
                if hasattr(pa, "string_view")
                else []
            ),
            # pyarrow's own conversion (maps as dicts: by default it makes them lists of pairs)
            ColumnarCohort.from_pandas(arrow.to_pandas(maps_as_pydicts="strict"), period="2023"),
            ColumnarCohort.from_pandas(
                pd.DataFrame(
                    {k: pd.Series(v, dtype="string" if k in ("id", "role") else None) for k, v in cells.items()}
                ),
                period="2023",
            ),
        ):
            assert table.columns["id"] == cells["id"]
            got = _same_as_lists(table, cells)
            assert {u.group for u in got.populations} == {"甲乡", "乙镇"}

    def test_a_float_score(self) -> None:
        """A float score is not what was typed: each row goes to the engine, which says invalid_evidence.

        As for a float cell in any column of ColumnarCohort: the floats are passed on as
        they are, never turned into decimals.
        """
        cells = _huining_columns()
        cells["evidence.party_committee.value"] = [90.0, 100.0, 85.5, 80.0, 70.0, 99.99]
        arrow = _arrow_table(cells, evidence__party_committee__value=pa.float64())
        frame = pd.DataFrame(
            {k: pd.Series(v, dtype=float if isinstance(v[0], float) else object) for k, v in cells.items()}
        )
        for table in (
            ColumnarCohort.from_arrow(arrow, period="2023"),
            ColumnarCohort.from_pandas(frame, period="2023"),
        ):
            assert table.columns["evidence.party_committee.value"].dtype == np.float64
            got = _same_as_lists(table, cells)
            assert {"insufficient_evidence"} == set(got.statuses)
            outcome = ve.evaluate(_QUOTA_SCHEME, table.to_cohort()).outcomes[0]
            assert ["invalid_evidence"] == [r.code for r in outcome.reasons]
            assert (
                "must be exact (an integer, a decimal string or a Fraction), not a float" in outcome.reasons[0].message
            )

    def test_nan_is_missing_in_pandas_and_a_float_in_arrow(self) -> None:
        """pandas' NaN is its missing value (None); Arrow's NaN is a float (a null is its missing value)."""
        frame = pd.DataFrame({"id": ["a", "b"], "role": ["team", "team"], "facts.x": [1.5, np.nan]})
        assert [1.5, None] == ColumnarCohort.from_pandas(frame).columns["facts.x"]
        arrow = pa.table({"id": ["a", "b", "c"], "role": ["team"] * 3, "facts.x": pa.array([1.5, float("nan"), None])})
        got = ColumnarCohort.from_arrow(arrow).columns["facts.x"]
        assert 1.5 == got[0]
        assert got[1] != got[1]  # NaN
        assert got[2] is None
        # an object column: None, NaN, NA and NaT are missing; Decimal("NaN") is a value (the engine refuses it)
        odd = pd.Series([None, np.nan, pd.NA, pd.NaT, Decimal("NaN"), np.int64(3)], dtype=object)
        cells = ColumnarCohort.from_pandas(
            pd.DataFrame({"id": list("abcdef"), "role": ["team"] * 6, "facts.x": odd})
        ).columns["facts.x"]
        assert [None] * 4 == cells[:4]
        assert cells[4].is_nan()
        assert (3, int) == (cells[5], type(cells[5]))

    def test_dictionary_and_categorical(self) -> None:
        """Dictionary-encoded (Arrow) and categorical (pandas) texts are decoded, nulls included."""
        cells = _huining_columns()
        cells["evidence.site_inspection.tier"] = ["好", "一般", None, "好", "差", "一般"]
        arrow = _arrow_table(cells)
        arrow = arrow.set_column(
            arrow.column_names.index("groups.township"),
            "groups.township",
            arrow.column("groups.township").dictionary_encode(),
        )
        arrow = arrow.set_column(
            arrow.column_names.index("evidence.site_inspection.tier"),
            "evidence.site_inspection.tier",
            arrow.column("evidence.site_inspection.tier").dictionary_encode(),
        )
        assert pa.types.is_dictionary(arrow.schema.field("groups.township").type)
        frame = pd.DataFrame(
            {
                k: pd.Categorical(v)
                if k in ("groups.township", "evidence.site_inspection.tier", "role")
                else pd.Series(v, dtype=object)
                for k, v in cells.items()
            }
        )
        for table in (
            ColumnarCohort.from_arrow(arrow, period="2023"),
            ColumnarCohort.from_pandas(frame, period="2023"),
        ):
            assert table.columns["evidence.site_inspection.tier"] == cells["evidence.site_inspection.tier"]
            _same_as_lists(table, cells)
        # categories that are numbers decode to Python ints
        ints = ColumnarCohort.from_pandas(
            pd.DataFrame({"id": ["a", "b"], "role": ["t", "t"], "facts.n": pd.Categorical([3, None])})
        )
        assert [3, None] == ints.columns["facts.n"]
        assert int is type(ints.columns["facts.n"][0])

    def test_chunked_arrays(self) -> None:
        """A table of several record batches (chunks): one copy to join them, the same outcomes."""
        cells = _huining_columns()
        whole = _arrow_table(cells)
        chunked = pa.Table.from_batches(
            [whole.slice(0, 2).to_batches()[0], whole.slice(2, 3).to_batches()[0], whole.slice(5).to_batches()[0]]
        )
        assert chunked.column("evidence.appraisal.tallies.好").num_chunks == 3
        table = ColumnarCohort.from_arrow(chunked, period="2023")
        tallies = table.columns["evidence.appraisal.tallies.好"]
        assert np.int64 == tallies.dtype
        assert cells["evidence.appraisal.tallies.好"] == tallies.tolist()
        assert isinstance(table.columns["evidence.party_committee.value"], Fixed)
        assert isinstance(table.columns["evidence.household_visit.strata"], Ragged)
        _same_as_lists(table, cells)
        # and a slice of a table (an offset into its buffers), without a copy
        part = ColumnarCohort.from_arrow(whole.slice(2), period="2023")
        assert part.columns["evidence.party_committee.value"][0] == Decimal("85.00")
        assert part.columns["evidence.household_visit.strata"].cells() == cells["evidence.household_visit.strata"][2:]
        assert_same(_QUOTA_SCHEME, part)

    def test_zero_copy(self) -> None:
        """int64 and bool columns without nulls are the frame's own memory; read-only arrays grade as any."""
        cells = _huining_columns()
        arrow = _arrow_table(cells)
        name = "evidence.appraisal.tallies.好"
        table = ColumnarCohort.from_arrow(arrow, period="2023")
        assert np.shares_memory(table.columns[name], arrow.column(name).chunk(0).to_numpy(zero_copy_only=True))
        assert not table.columns[name].flags.writeable
        strata = table.columns["evidence.household_visit.strata"]
        assert np.shares_memory(
            strata.values, arrow.column("evidence.household_visit.strata").chunk(0).items.to_numpy()
        )
        frame = pd.DataFrame(
            {k: pd.Series(v, dtype=object) if isinstance(v[0], str | dict | Decimal) else v for k, v in cells.items()}
        )
        frame["evidence.interview.tallies.好"] = frame["evidence.interview.tallies.好"].astype(
            "Int64"
        )  # nullable, no NA
        from_frame = ColumnarCohort.from_pandas(frame, period="2023")
        for k, dtype in ((name, "int64"), ("facts.extortion", bool), ("evidence.interview.tallies.好", "int64")):
            assert np.shares_memory(from_frame.columns[k], frame[k].to_numpy(dtype=dtype)), k
        assert from_frame.columns["facts.extortion"].dtype == bool
        _same_as_lists(table, cells)
        _same_as_lists(from_frame, cells)

    def test_strata_as_a_map(self) -> None:
        """A map<string, int64> is a Ragged column; a null map is None; a key twice in a row is refused."""
        maps = pa.array([[("上庄", 3), ("下庄", 4)], None, []], pa.map_(pa.string(), pa.int64()))
        table = ColumnarCohort.from_arrow(
            pa.table({"id": ["a", "b", "c"], "role": ["team"] * 3, "evidence.v.strata": maps})
        )
        assert [{"上庄": 3, "下庄": 4}, None, {}] == table.columns["evidence.v.strata"]
        twice = pa.array([[("上庄", 3)], [("下庄", 1), ("上庄", 2), ("下庄", 4)]], pa.map_(pa.string(), pa.int64()))
        with pytest.raises(ve.CohortError, match=r"column 'evidence\.v\.strata': row 1 names the key '下庄' twice"):
            ColumnarCohort.from_arrow(pa.table({"id": ["a", "b"], "role": ["team"] * 2, "evidence.v.strata": twice}))
        long = pa.array([[(str(i), 1) for i in range(20)] + [("3", 1)]], pa.map_(pa.string(), pa.int64()))
        with pytest.raises(ve.CohortError, match="row 0 names the key '3' twice"):
            ColumnarCohort.from_arrow(pa.table({"id": ["a"], "role": ["team"], "evidence.v.strata": long}))

    def test_structs_are_dotted_names(self) -> None:
        """A struct column's fields are columns named with dots, as pyarrow's flatten names them."""
        cells = _huining_columns()
        flat = _arrow_table(cells)
        tallies = pa.StructArray.from_arrays(
            [flat.column(f"evidence.appraisal.tallies.{t}").combine_chunks() for t in ("好", "一般", "差")],
            ["好", "一般", "差"],
        )
        nested = flat.drop_columns([f"evidence.appraisal.tallies.{t}" for t in ("好", "一般", "差")]).append_column(
            "evidence", pa.StructArray.from_arrays([pa.StructArray.from_arrays([tallies], ["tallies"])], ["appraisal"])
        )
        table = ColumnarCohort.from_arrow(nested, period="2023")
        assert "evidence.appraisal.tallies.好" in table.columns
        _same_as_lists(table, {k: cells[k] for k in table.columns})

    def test_pyarrow_backed_pandas_and_record_batches(self) -> None:
        """pandas columns backed by Arrow go through from_arrow's conversions; a RecordBatch or a stream is a table."""
        cells = _huining_columns()
        arrow = _arrow_table(cells)
        frame = arrow.to_pandas(types_mapper=pd.ArrowDtype)
        assert isinstance(frame["evidence.party_committee.value"].dtype, pd.ArrowDtype)
        from_frame = ColumnarCohort.from_pandas(frame, period="2023")
        assert isinstance(from_frame.columns["evidence.party_committee.value"], Fixed)
        assert from_frame.columns["evidence.appraisal.tallies.好"].dtype == np.int64
        _same_as_lists(from_frame, cells)

        class Stream:  # another library's table, offered through the Arrow PyCapsule interface
            def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
                return arrow.__arrow_c_stream__(requested_schema)

        for source in (arrow.to_batches()[0], Stream()):
            _same_as_lists(ColumnarCohort.from_arrow(source, period="2023"), cells)

    def test_the_index_is_not_read(self) -> None:
        """Rows are read by position: an index (here not in row order) changes nothing."""
        cells = _huining_columns()
        frame = pd.DataFrame(
            {k: pd.Series(v, dtype=object).to_numpy() for k, v in cells.items()}, index=[9, 3, 7, 1, 5, 0]
        )
        _same_as_lists(ColumnarCohort.from_pandas(frame, period="2023"), cells)


class TestRefused:
    def test_types_villageeval_does_not_read(self) -> None:
        """Dates, lists and bytes name their column and type, every one at once."""
        arrow = pa.table(
            {
                "id": ["a"],
                "role": ["team"],
                "history.2022": pa.array([0], pa.timestamp("s")),
                "evidence.v.tallies.好": pa.array([[1]]),
                "notes.x": pa.array([b"x"]),
            }
        )
        with pytest.raises(ve.CohortError) as e:
            ColumnarCohort.from_arrow(arrow)
        text = str(e.value)
        assert "column 'history.2022': Arrow type timestamp[s] holds nothing villageeval reads" in text
        assert "column 'evidence.v.tallies.好': Arrow type list<item: int64>" in text
        assert "column 'notes.x': Arrow type binary" in text
        assert 3 == len(e.value.problems)
        frame = pd.DataFrame({"id": ["a"], "role": ["team"], "history.2022": pd.to_datetime(["2022-06-30"])})
        with pytest.raises(ve.CohortError, match=r"column 'history.2022': pandas dtype datetime64\[.*\] holds nothing"):
            ColumnarCohort.from_pandas(frame)

    def test_strata_as_a_struct(self) -> None:
        """pyarrow makes a struct of dict cells (pa.Table.from_pandas): for strata, the error says to give a map."""
        frame = pd.DataFrame({"id": ["a"], "role": ["team"], "evidence.v.strata": [{"上庄": 3}]})
        with pytest.raises(ve.CohortError, match=r"column 'evidence\.v\.strata' is a struct .*: give strata as a map"):
            ColumnarCohort.from_arrow(pa.Table.from_pandas(frame))
        assert [{"上庄": 3}] == ColumnarCohort.from_pandas(frame).columns["evidence.v.strata"]

    def test_column_names(self) -> None:
        twice = pa.table({"id": ["a"], "role": ["team"], "facts.x": [1]}).rename_columns(["id", "role", "id"])
        with pytest.raises(ve.CohortError, match="two columns are named 'id'"):
            ColumnarCohort.from_arrow(twice)
        frame = pd.DataFrame([["a", "team", 1]], columns=["id", "role", "id"])
        with pytest.raises(ve.CohortError, match="two columns are named 'id'"):
            ColumnarCohort.from_pandas(frame)
        multi = pd.DataFrame([["a", 1]], columns=pd.MultiIndex.from_tuples([("id", ""), ("facts", "x")]))
        with pytest.raises(ve.CohortError, match=r"column name \('facts', 'x'\) is not a string; join the levels"):
            ColumnarCohort.from_pandas(multi)

    def test_what_the_constructor_refuses(self) -> None:
        """The table is checked as ColumnarCohort(columns) checks it: ids, texts, names."""
        with pytest.raises(ve.CohortError, match="column 'score' is not one of"):
            ColumnarCohort.from_arrow(pa.table({"id": ["a"], "role": ["team"], "score": [1]}))
        with pytest.raises(ve.CohortError, match="duplicate subject id 'a'"):
            ColumnarCohort.from_pandas(pd.DataFrame({"id": ["a", "a"], "role": ["team", "team"]}))

    def test_the_wrong_kind_of_table(self) -> None:
        frame = pd.DataFrame({"id": ["a"], "role": ["team"]})
        with pytest.raises(TypeError, match=r"'table' is a pandas object: use ColumnarCohort.from_pandas\(frame\)"):
            ColumnarCohort.from_arrow(frame)
        with pytest.raises(TypeError, match=r"'table' must be a pyarrow\.Table, a pyarrow\.RecordBatch or an object"):
            ColumnarCohort.from_arrow({"id": ["a"]})
        with pytest.raises(TypeError, match=r"'frame' must be a pandas.DataFrame \(got a Table\)"):
            ColumnarCohort.from_pandas(pa.table(frame))


# --- optional: neither is imported with villageeval -----------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_not_imported_by_villageeval() -> None:
    done = _run(
        "import sys, villageeval, villageeval.columnar\n"
        "from villageeval.columnar import ColumnarCohort\n"
        "print(sorted(n for n in ('pyarrow', 'pandas') if n in sys.modules))"
    )
    assert done.returncode == 0, done.stderr
    assert "[]" == done.stdout.strip()


@pytest.mark.parametrize(
    ("module", "call", "message"),
    [
        ("pyarrow", "from_arrow(None)", "ColumnarCohort.from_arrow needs pyarrow: pip install 'villageeval[arrow]'"),
        ("pandas", "from_pandas(None)", "ColumnarCohort.from_pandas needs pandas: pip install 'villageeval[pandas]'"),
    ],
)
def test_the_extra_is_named(module: str, call: str, message: str) -> None:
    done = _run(
        f"import sys; sys.modules[{module!r}] = None\n"
        "from villageeval.columnar import ColumnarCohort\n"
        f"ColumnarCohort.{call}"
    )
    assert done.returncode != 0
    assert f"ImportError: {message}" in done.stderr


def test_the_documented_example() -> None:
    """docs/columnar.md's example of from_arrow and from_pandas prints what the page says."""
    section = (ROOT / "docs" / "columnar.md").read_text(encoding="utf-8").split("## From Arrow and pandas", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/columnar.md", "exec"), {})
    assert out.getvalue() == shown


# --- docs/distributed.md ----------------------------------------------------------------------

DISTRIBUTED = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    """The ```python block of docs/distributed.md whose first line is ``# <marker>``."""
    for block in DISTRIBUTED.split("```python\n")[1:]:
        code = block.split("```", 1)[0]
        if code.startswith(f"# {marker}"):
            return code
    raise AssertionError(f"no python block starting '# {marker}' in docs/distributed.md")


def _province() -> Any:
    """Three townships of huining's teams, as a loader would give them (one row per subject), rows mixed."""
    cells = _huining_columns()
    rows = []
    for t, township in enumerate(("甲乡", "乙镇", "丙乡")):
        for i in range(6):
            row = {k: v[i] for k, v in cells.items()}
            row["id"], row["groups.township"] = f"{township}-{row['id']}", township
            row["evidence.party_committee.value"] -= t  # 90 → 89 → 88...
            rows.append(row)
    rows = rows[::2] + rows[1::2]
    return pd.DataFrame(rows).astype({"evidence.party_committee.value": object})


def _recipe(scheme: ve.Scheme | None = None) -> dict[str, Any]:
    """grade.py of docs/distributed.md, with ``scheme`` in place of loading one by id."""
    space: dict[str, Any] = {"__name__": "grade"}
    exec(compile(_block("grade.py"), "docs/distributed.md", "exec"), space)
    if scheme is not None:
        space["scheme"] = lambda: scheme
    space["province"] = _province()
    return space


def _at_once(province: Any) -> dict[str, tuple[Any, ...]]:
    """Each subject's outcome when the whole province is graded in one call."""
    r = evaluate_columnar(_QUOTA_SCHEME, ColumnarCohort.from_pandas(province, period="2023"))
    return {
        sid: (s, g, d) for sid, s, g, d in zip(r.subject_ids, r.statuses, r.final_grades, r.score_displays, strict=True)
    }


def _by_id(graded: Any) -> dict[str, tuple[Any, ...]]:
    return {r.id: (r.status, r.final_grade, r.score) for r in graded.itertuples()}


def test_distributed_blocks_compile() -> None:
    """Every Python block of docs/distributed.md is valid Python, the Dask and Spark ones too."""
    blocks = [b.split("```", 1)[0] for b in DISTRIBUTED.split("```python\n")[1:]]
    assert [b.splitlines()[0].split(":")[0] for b in blocks] == [
        "# grade.py",
        "# pandas",
        "# dask",
        "# spark 4.0 or later (not run by the tests)",
    ]
    for code in blocks:
        compile(code, "docs/distributed.md", "exec")


def test_distributed_recipe_with_pandas() -> None:
    """By township, with a quota per township: each subject's outcome of the whole province at once."""
    space = _recipe(_QUOTA_SCHEME)
    exec(compile(_block("pandas"), "docs/distributed.md", "exec"), space)
    graded = space["graded"]
    assert len(graded) == 18
    want = _at_once(space["province"])
    assert _by_id(graded) == want
    # the quota acts in every township (four 好 over a limit of two), so splitting is what is tested
    assert sum(g == "好" for _, g, _ in want.values()) == 6
    # Spark's form of the function, on one township as an Arrow table
    rows = space["province"][space["province"]["groups.township"] == "乙镇"]
    strata = "evidence.household_visit.strata"
    township = pa.Table.from_pandas(rows.drop(columns=strata), preserve_index=False).append_column(
        strata, pa.array([list(m.items()) for m in rows[strata]], pa.map_(pa.string(), pa.int64()))
    )
    arrow = space["grade_arrow"](township)
    assert {i: (s, g, d) for i, s, g, d in zip(*arrow.to_pydict().values(), strict=True)} == {
        k: v for k, v in want.items() if k.startswith("乙镇")
    }


def test_distributed_recipe_refuses_quotas_across_townships(tmp_path: Path) -> None:
    """The recipe loads its scheme by id, and refuses one whose quota counts the whole cohort."""
    space = _recipe()
    assert "huining-midterm-2023" == space["scheme"]().id
    across = tmp_path / "scheme.toml"
    across.write_text(
        _QUOTA_TOML.replace('per = "township"\n', "").replace('id = "huining-quota"', 'id = "huining-across"'),
        encoding="utf-8",
    )
    space = _recipe()
    space["SCHEME"] = across
    with pytest.raises(ValueError, match=r"quotas \['good_share'\] count across townships"):
        space["scheme"]()


def test_distributed_recipe_with_dask() -> None:
    """The Dask block on Dask's local synchronous scheduler (only where Dask is installed)."""
    dask = pytest.importorskip("dask")
    pytest.importorskip("dask.dataframe")
    space = _recipe(_QUOTA_SCHEME)
    with dask.config.set(scheduler="synchronous"):
        exec(compile(_block("dask"), "docs/distributed.md", "exec"), space)
    want = _at_once(space["province"])
    assert _by_id(space["graded"]) == want
    assert _by_id(space["graded_faster"]) == want
