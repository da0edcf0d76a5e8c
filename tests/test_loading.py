"""Loading schemes: problems with lines, paths and ids, ``extends``, exact numbers, hashes.

Line numbers asserted below were counted by hand in the texts of this module (each
text's first line is line 1).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import attrs
import pytest

import villageeval as ve
from villageeval._model import Band

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
VALID = ROOT / "tests" / "broken" / "_valid.toml"

#: A county template that township schemes extend (``schemes={"county-x": path}``).
COUNTY = """\
id = "county-x"
title = "县级模板"

[locality]
name = "测试县"

[source]
document = "测组发〔2023〕1号"

[roles.team]
label = "村“两委”班子"

[scales.three]
tiers = [
  { label = "好", points = 90 },
  { label = "一般", points = 70 },
  { label = "差", points = 40 },
]

[scales.grade]
tiers = ["好", "一般", "差"]

[instruments.appraisal]
title = "述职测评"
kind = "ballot"
clause = "四、2"
scale = "three"

[instruments.interview]
title = "个别谈话"
kind = "ballot"
clause = "四、3"
scale = "three"

[instruments.committee]
title = "乡镇党委评价"
kind = "score"
clause = "四、6"
max = 100

[weightings.main]
clause = "四、6"
total = 100
weights = { appraisal = 40, interview = 20, committee = 40 }

[gradings.main]
clause = "四、6"
scale = "grade"
round = { digits = 0, mode = "half_up" }
bands = [
  { grade = "好", at_least = 85 },
  { grade = "一般", at_least = 66, at_most = 84 },
  { grade = "差", at_most = 65 },
]

[vetoes.extortion]
clause = "四、6"
text = "吃拿卡要、索取群众财物的"
when = { fact = "extortion" }
grade = "差"

[facts.extortion]
label = "吃拿卡要、索取群众财物"
clause = "四、6"
"""

#: A township scheme: one weight pair and the bands overridden, everything else inherited.
TOWNSHIP = """\
id = "township-y"
extends = "county-x"
title = "乡镇方案"

[weightings.main.weights]
appraisal = 30
interview = 30

[gradings.main]
bands = [
  { grade = "好", at_least = 90 },
  { grade = "一般", at_least = 66, at_most = 89 },
  { grade = "差", at_most = 65 },
]
"""


def _valid_text(*edits: tuple[str, str]) -> str:
    text = VALID.read_text(encoding="utf-8")
    for old, new in edits:
        assert 1 == text.count(old)
        text = text.replace(old, new)
    return text


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class TestLoadsSchemeErrors:
    """``loads_scheme`` on text: problems carry no file but do carry lines."""

    def test_structural_problem(self) -> None:
        """A misspelt key is one problem with file None and the key's line."""
        text = _valid_text(("min_respondents = 20", "min_respondent = 20"))
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        path = ("instruments", "appraisal", "min_respondent")
        message = "unknown key 'min_respondent'; did you mean 'min_respondents'?"
        assert (ve.Problem(path, message, None, 30),) == info.value.problems

    def test_semantic_problems_all_at_once(self) -> None:
        """Two semantic problems are both reported, each with its own line."""
        text = _valid_text(("committee = 40 }", "committee = 30 }"), ('grade = "差"\n\n[caps', 'grade = "坏"\n\n[caps'))
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        expected = [
            (None, 41, ("weightings", "main", "weights")),
            (None, 57, ("vetoes", "extortion", "grade")),
        ]
        assert expected == [(p.file, p.line, p.path) for p in info.value.problems]

    def test_syntax_error(self) -> None:
        """A TOML syntax error has the line tomli found, and prints with ``<scheme>``."""
        text = _valid_text(('title = "测试方案"', 'title = "测试方案'))
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        expected = (
            "<scheme>:4: (top level): TOML syntax error: a string is not closed on this line "
            "(expected a closing quote, found the end of the line)"
        )
        assert [expected] == [str(p) for p in info.value.problems]

    def test_file_label(self) -> None:
        """``file=`` only labels the problems."""
        text = _valid_text(("min_respondents = 20", "min_respondents = 20.5"))
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text, file="x.toml")
        assert [("x.toml", 30)] == [(p.file, p.line) for p in info.value.problems]

    def test_duplicate_key_with_multiline_value(self) -> None:
        """A key set twice is reported where it is written, not where its value ends."""
        text = _valid_text(('tiers = ["好", "一般", "差"]\n', 'tiers = ["好", "一般", "差"]\ntiers = [\n  "好",\n]\n'))
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        message = "TOML syntax error: duplicate key 'tiers' (first set on line 23)"
        assert (ve.Problem(("scales", "grade", "tiers"), message, None, 24),) == info.value.problems

    def test_table_declared_twice(self) -> None:
        """A table header written twice names the table."""
        text = _valid_text(("[consequences.poor]", "[vetoes.extortion]"))
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        message = "TOML syntax error: table [vetoes.extortion] is declared twice"
        assert (ve.Problem(("vetoes", "extortion"), message, None, 73),) == info.value.problems


class TestLoadScheme:
    """``load_scheme`` by directory, file or id."""

    def test_directory_file_and_id_give_the_same_scheme(self) -> None:
        """A scheme directory, its scheme.toml and its bundled id load equal schemes."""
        by_dir = ve.load_scheme(HUINING)
        by_file = ve.load_scheme(HUINING / "scheme.toml")
        by_id = ve.load_scheme("huining-midterm-2023")
        assert (by_dir, by_dir) == (by_file, by_id)

    def test_origin(self) -> None:
        """``scheme_origin`` is the scheme.toml that was read, however it was named."""
        origins = [ve.scheme_origin(ve.load_scheme(p)) for p in (HUINING, HUINING / "scheme.toml")]
        assert [str(HUINING / "scheme.toml")] * 2 == origins
        by_id = Path(str(ve.scheme_origin(ve.load_scheme("huining-midterm-2023"))))
        assert ("huining-midterm-2023", "scheme.toml") == by_id.parts[-2:]

    def test_origin_is_not_part_of_the_scheme(self) -> None:
        """Where a scheme was read from is held beside it: the same rules from data compare equal, with no origin."""
        loaded = ve.load_scheme(HUINING)
        rebuilt = ve.scheme_from_dict(ve.scheme_to_dict(loaded))
        assert (loaded, None) == (rebuilt, ve.scheme_origin(rebuilt))

    def test_unknown_id_suggests_a_close_one(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unknown id is an UnknownSchemeError (a LookupError) with a did-you-mean."""
        monkeypatch.chdir(tmp_path)
        with pytest.raises(ve.UnknownSchemeError) as info:
            ve.load_scheme("huining-midterm-2024")
        expected = (
            "no scheme 'huining-midterm-2024': not a file or directory, and no scheme has that id; "
            "did you mean 'huining-midterm-2023'?"
        )
        assert expected == str(info.value)
        assert isinstance(info.value, LookupError)

    def test_id_from_schemes_argument(self, tmp_path: Path) -> None:
        """An id given in ``schemes=`` loads that file."""
        county = _write(tmp_path / "county.toml", COUNTY)
        assert "county-x" == ve.load_scheme("county-x", schemes={"county-x": county}).id


class TestExtends:
    """A township scheme extending a county template."""

    def test_overrides_and_inherits(self, tmp_path: Path) -> None:
        """Tables merge key by key (one weight pair), arrays are replaced whole (the bands)."""
        county = _write(tmp_path / "templates" / "county.toml", COUNTY)
        township = _write(tmp_path / "township" / "scheme.toml", TOWNSHIP)
        scheme = ve.load_scheme(township, schemes={"county-x": county})
        parent = ve.load_scheme(county)
        weights = {"appraisal": Fraction(30), "interview": Fraction(30), "committee": Fraction(40)}
        assert weights == dict(scheme.weightings["main"].weights)
        bands = (
            Band("好", at_least=Fraction(90)),
            Band("一般", at_least=Fraction(66), at_most=Fraction(89)),
            Band("差", at_most=Fraction(65)),
        )
        assert bands == scheme.gradings["main"].bands

        def inherited(s: ve.Scheme) -> tuple[object, ...]:
            return (s.instruments, s.scales, s.roles, s.vetoes, s.gradings["main"].round, s.gradings["main"].clause)

        assert inherited(parent) == inherited(scheme)
        assert ("township-y", "乡镇方案", "county-x") == (scheme.id, scheme.title, scheme.extends)

    def test_equals_the_flattened_scheme(self, tmp_path: Path) -> None:
        """The merged scheme equals the county text edited by hand, apart from ``extends``."""
        county = _write(tmp_path / "county.toml", COUNTY)
        township = _write(tmp_path / "township.toml", TOWNSHIP)
        flat = COUNTY
        for old, new in [
            ('id = "county-x"\ntitle = "县级模板"', 'id = "township-y"\ntitle = "乡镇方案"'),
            ("appraisal = 40, interview = 20", "appraisal = 30, interview = 30"),
            ("at_least = 85 }", "at_least = 90 }"),
            ("at_most = 84 }", "at_most = 89 }"),
        ]:
            assert 1 == flat.count(old)
            flat = flat.replace(old, new)
        expected = attrs.evolve(ve.loads_scheme(flat), extends="county-x")
        assert expected == ve.load_scheme(township, schemes={"county-x": county})

    def test_problem_in_an_inherited_key_is_reported_in_the_parent(self, tmp_path: Path) -> None:
        """A county veto grade the township's new scale lacks is reported at the county's line."""
        county = _write(tmp_path / "county.toml", COUNTY)
        new_scale = '[scales.grade]\ntiers = ["优秀", "合格", "不合格"]\n\n'
        text = TOWNSHIP.replace("[gradings.main]", new_scale + "[gradings.main]")
        text = text.replace('"好"', '"优秀"').replace('"一般"', '"合格"').replace('"差"', '"不合格"')
        township = _write(tmp_path / "township.toml", text)
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(township, schemes={"county-x": county})
        message = "unknown grade '差': not a tier of scale 'grade' (known: 优秀, 合格, 不合格)"
        assert (ve.Problem(("vetoes", "extortion", "grade"), message, str(county), 60),) == info.value.problems

    def test_missing_key_in_an_inherited_table_is_reported_in_the_parent(self, tmp_path: Path) -> None:
        """A key missing from a table only the county writes points at that table in the county."""
        county = _write(tmp_path / "county.toml", COUNTY.replace('clause = "四、3"\n', ""))
        text = TOWNSHIP + '\n[instruments.committee]\ntitle = "党委评价"\n'
        township = _write(tmp_path / "township.toml", text)
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(township, schemes={"county-x": county})
        path = ("instruments", "interview", "clause")
        message = "required key 'clause' is missing (expected a string)"
        assert (ve.Problem(path, message, str(county), 29),) == info.value.problems

    def test_unknown_parent(self, tmp_path: Path) -> None:
        """Extending an id nobody provides is reported at the ``extends`` line."""
        township = _write(tmp_path / "township.toml", TOWNSHIP)
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(township)
        expected = ve.Problem(("extends",), "no scheme 'county-x' to extend", str(township), 2)
        assert (expected,) == info.value.problems


class TestExtendsCycles:
    """Cyclic ``extends`` is a problem, never an endless recursion."""

    def test_cycle_through_schemes_argument(self, tmp_path: Path) -> None:
        """a.toml ↔ b.toml given by ``schemes=``: reported at the extends that closes the cycle."""
        a = _write(tmp_path / "a.toml", 'id = "a"\nextends = "b"\n')
        b = _write(tmp_path / "b.toml", '# b\nid = "b"\nextends = "a"\n')
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(a, schemes={"a": a, "b": b})
        assert (ve.Problem(("extends",), "cyclic extends: a → b → a", str(b), 3),) == info.value.problems

    def test_cycle_when_ids_differ_from_names(self, tmp_path: Path) -> None:
        """Sibling directories whose files carry other ids: the cycle is found by file."""
        a = _write(tmp_path / "a" / "scheme.toml", 'id = "alpha"\nextends = "b"\n')
        b = _write(tmp_path / "b" / "scheme.toml", 'id = "beta"\nextends = "a"\n')
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(a)
        message = f"cyclic extends: alpha → beta → a ({a} is already being loaded)"
        assert (ve.Problem(("extends",), message, str(b), 2),) == info.value.problems

    def test_extends_itself(self) -> None:
        """A scheme extending its own id."""
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme('id = "a"\n\nextends = "a"\n')
        assert (ve.Problem(("extends",), "cyclic extends: a → a", None, 3),) == info.value.problems


class TestExactNumbers:
    """Numbers from TOML are exact fractions, never floats."""

    def test_decimal_is_exact(self) -> None:
        """``share = 0.1`` is exactly one tenth."""
        scheme = ve.loads_scheme(_valid_text(("share = 0.3", "share = 0.1")))
        share = scheme.quotas["good_share"].share
        assert (Fraction, Fraction(1, 10)) == (type(share), share)
        assert Fraction(0.1) != share  # what a float would have given: 3602879701896397/2**55

    def test_fraction_string_is_exact(self) -> None:
        """``above = "1/3"`` is exactly one third."""
        scheme = ve.loads_scheme(VALID.read_text(encoding="utf-8"))
        assert Fraction(1, 3) == scheme.caps["weak_appraisal"].when.compare.above  # type: ignore[union-attr]


class TestSchemeHash:
    """``scheme_hash`` identifies the rules, not the file."""

    def test_equal_schemes_hash_equal(self) -> None:
        """The same rules written differently (0.30 for 0.3, from text or file) hash the same."""
        from_file = ve.scheme_hash(ve.load_scheme(VALID))
        from_text = ve.scheme_hash(ve.loads_scheme(_valid_text(("share = 0.3", "share = 0.30"))))
        assert from_file == from_text
        assert from_file.startswith("sha256:")

    def test_one_number_changes_the_hash(self) -> None:
        """Changing one number changes the hash."""
        before = ve.scheme_hash(ve.load_scheme(VALID))
        after = ve.scheme_hash(ve.loads_scheme(_valid_text(("share = 0.3", "share = 0.31"))))
        assert before != after


class TestDictRoundTrip:
    """``scheme_to_dict`` and ``scheme_from_dict`` are inverses."""

    @pytest.mark.parametrize("source", [VALID, HUINING])
    def test_round_trip(self, source: Path) -> None:
        """to_dict then from_dict gives an equal scheme with the same hash."""
        scheme = ve.load_scheme(source)
        again = ve.scheme_from_dict(ve.scheme_to_dict(scheme))
        assert (scheme, ve.scheme_hash(scheme)) == (again, ve.scheme_hash(again))

    def test_from_dict_reports_problems_without_lines(self) -> None:
        """Problems in plain data have paths but no file or line."""
        data = ve.scheme_to_dict(ve.load_scheme(VALID))
        data["quotas"]["good_share"]["share"] = 2
        with pytest.raises(ve.SchemeError) as info:
            ve.scheme_from_dict(data)
        message = "a share is between 0 and 1 (got 2); for 2% write 0.02 or \"2%\""
        assert (ve.Problem(("quotas", "good_share", "share"), message),) == info.value.problems
