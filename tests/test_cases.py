"""Scheme cases: every bundled scheme's cases pass, and the case runner itself.

The unit tests use a small scheme written into ``tmp_path`` (``MINI``): one ballot
instrument (好 90 / 一般 70 / 差 40, at least ``$min_raters`` ballots, 3 by default)
and the committee's direct score, weighted 50/50, the total rounded half-up to a
whole point and banded 好 ≥ 85, 一般 60–84, 差 < 60. Two facts (default false)
drive a veto to 一般, a cap at 差 and a finding, so that one subject can carry two
adjustments in a known order. Every expected number is worked out in a comment next
to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import villageeval as ve
from villageeval._cli import main
from villageeval.testing._cases import (
    EXPECTED_KEYS,
    CaseFormatError,
    CaseResult,
    Mismatch,
    find_cases,
    load_case,
    run_case,
    summary,
)

MINI = """
id = "mini"
title = "村“两委”班子考核(测试)"
period = "2024"

[locality]
name = "某县某乡"

[source]
document = "某组发〔2024〕1号"

[parameters.min_raters]
value = 3
label = "测评人数不少于3人"
clause = "三、1"

[roles.team]
label = "村“两委”班子"

[scales.ballot]
tiers = [{ label = "好", points = 90 }, { label = "一般", points = 70 }, { label = "差", points = 40 }]

[scales.grade]
tiers = ["好", "一般", "差"]

[instruments.appraisal]
kind = "ballot"
title = "民主测评"
clause = "三、1"
scale = "ballot"
min_respondents = "$min_raters"

[instruments.committee]
kind = "score"
title = "乡党委评价"
clause = "三、2"
min = 0
max = 100

[weightings.main]
clause = "三、3"
total = 100
weights = { appraisal = 50, committee = 50 }

[gradings.main]
kind = "bands"
clause = "三、3"
scale = "grade"
round = { digits = 0, mode = "half_up" }
bands = [
  { grade = "好", at_least = 85 },
  { grade = "一般", at_least = 60, below = 85 },
  { grade = "差", below = 60 },
]

[facts.warned]
label = "受到诫勉"
type = "bool"
default = false

[facts.absent]
label = "长期不在岗"
type = "bool"
default = false

[vetoes.soft]
clause = "三、4"
text = "受到诫勉的,不得评为好"
when = { fact = "warned" }
grade = "一般"

[caps.absent]
clause = "三、5"
text = "长期不在岗的,评为差"
when = { fact = "absent" }
at_most = "差"

[findings.long_absence]
clause = "三、6"
text = "长期不在岗"
when = { fact = "absent" }

[consequences.praise]
clause = "四、1"
text = "通报表扬"
when = { grade = "好" }

[consequences.talk]
clause = "四、2"
text = "约谈"
when = { grade = ["一般", "差"] }
"""

# appraisal 3 好: 3×90/3 = 90 → × 50/100 = 45; committee 80 → × 50/100 = 40
# total 85 → 85 → 好; warned: vetoed to 一般 (soft); absent: capped at 差 (absent)
# final 差, adjustments [soft, absent] in that order (vetoes before caps), talk;
# the finding long_absence (absent) is listed
SUBJECT_A = """
[[subjects]]
id = "a"
role = "team"
evidence.appraisal.tallies = { "好" = 3 }
evidence.committee.value = 80
facts = { warned = true, absent = true }
"""

# appraisal (2×90 + 1×70)/3 = 250/3 → × 1/2 = 125/3; committee 80 → 40
# total 125/3 + 120/3 = 245/3 ≈ 81.67 → 82 → 一般; talk
SUBJECT_B = """
[[subjects]]
id = "b"
role = "team"
evidence.appraisal.tallies = { "好" = 2, "一般" = 1 }
evidence.committee.value = 80
"""

# 2 ballots (2 好): fewer than the default 3 → insufficient_evidence.
# With min_raters = 2: appraisal 90 → 45; committee 90 → 45; total 90 → 好; praise
SUBJECT_C = """
[[subjects]]
id = "c"
role = "team"
evidence.appraisal.tallies = { "好" = 2 }
evidence.committee.value = 90
"""


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """The MINI scheme directory, with an empty cases/."""
    d = tmp_path / "mini"
    (d / "cases").mkdir(parents=True)
    (d / "scheme.toml").write_text(MINI, encoding="utf-8")
    return d


def write_case(scheme_dir: Path, name: str, text: str) -> Path:
    path = scheme_dir / "cases" / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rows(result: CaseResult) -> list[tuple[str, str, str, str]]:
    assert result.error is None, result.error
    return [(m.subject, m.key, m.expected, m.actual) for m in result.mismatches]


class TestBundledCases:
    def test_every_bundled_scheme_passes(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``villageeval test`` with no path runs every bundled scheme's cases: all pass."""
        cases = [c for path in ve.Registry().schemes().values() for c in sorted((path.parent / "cases").glob("*.toml"))]
        assert len(cases) >= 4  # huining-midterm-2023 has bands, consequences, evidence, vetoes
        code = main(["test"])
        out = capsys.readouterr().out
        assert 0 == code, out
        assert f"{len(cases)} passed, 0 failed" == out.splitlines()[-1]
        assert len(cases) == sum(line.startswith("PASS ") for line in out.splitlines())

    def test_by_scheme_id(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``villageeval test huining-midterm-2023`` runs that scheme's cases."""
        code = main(["test", "huining-midterm-2023"])
        out = capsys.readouterr().out
        assert 0 == code, out
        assert re.fullmatch(r"[1-9]\d* passed, 0 failed", out.splitlines()[-1])
        for name in ("bands", "consequences", "evidence", "vetoes"):
            assert re.search(rf"^PASS .*huining-midterm-2023/cases/{name}\.toml \(\d+ subjects\)$", out, re.M)


YUGONG = Path(__file__).resolve().parent.parent / "schemes" / "yugong-pledge-2023"


class TestRankExpected:
    """``rank = { <ranking> = <place> }``: places compared per ranking named, "none" for no place.

    The bundled case yugong-pledge-2023/cases/ranking.toml derives its places by hand
    (r-top 1 with 100; r-barred has no total); here it is copied with wrong places.
    """

    def _copy(self, tmp_path: Path, old: str, new: str) -> Path:
        text = (YUGONG / "cases" / "ranking.toml").read_text(encoding="utf-8")
        assert old in text
        path = tmp_path / "ranking.toml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    def test_wrong_places_are_mismatches(self, tmp_path: Path) -> None:
        path = self._copy(tmp_path, "rank = { composite = 1 }", "rank = { composite = 2 }")
        text = path.read_text(encoding="utf-8").replace('rank = { composite = "none" }', "rank = { composite = 7 }")
        path.write_text(text, encoding="utf-8")
        result = run_case(path, scheme=YUGONG)
        # Subjects in order of id, as every mismatch table.
        assert [("r-barred", "rank.composite", "7", "none"), ("r-top", "rank.composite", "2", "1")] == rows(result)

    def test_unknown_ranking_and_bad_place_are_case_errors(self, tmp_path: Path) -> None:
        path = self._copy(tmp_path, "rank = { composite = 1 }", "rank = { compsite = 1 }")
        result = run_case(path, scheme=YUGONG)
        assert result.error is not None
        assert "the scheme has no ranking 'compsite'; did you mean 'composite'?" in result.error
        path = self._copy(tmp_path, "rank = { composite = 1 }", "rank = { composite = 0 }")
        result = run_case(path, scheme=YUGONG)
        assert result.error is not None
        assert 'expected.r-top.rank.composite: must be a place (1, 2, …) or "none" for no place (got 0' in result.error


class TestMismatches:
    """A failing case reports one Mismatch row per expected value that did not come out."""

    def test_every_key_kind(self, mini: Path) -> None:
        """status, reasons, score, rounded_score, raw_grade, final_grade, adjustments, consequences, findings, flags."""
        case = write_case(
            mini,
            "wrong",
            SUBJECT_A
            + """
[expected.a]
status = "insufficient_evidence"
reasons = ["too_few_respondents"]
score = "85.5"
rounded_score = 84
raw_grade = "一般"
final_grade = "好"
adjustments = ["absent", "soft"]
consequences = ["praise"]
findings = []
flags = ["veto:soft"]
""",
        )
        result = run_case(case)
        assert not result.passed
        assert [
            ("a", "status", "insufficient_evidence", "graded"),
            ("a", "reasons", "[too_few_respondents]", "[]"),
            ("a", "score", "85.5", "85"),
            ("a", "rounded_score", "84", "85"),
            ("a", "raw_grade", "一般", "好"),
            ("a", "final_grade", "好", "差"),
            ("a", "adjustments", "[absent, soft]", "[soft, absent]"),
            ("a", "consequences", "[praise]", "[talk]"),
            ("a", "findings", "[]", "[long_absence]"),
            ("a", "flags", "[veto:soft]", "[cap:absent, veto:soft]"),
        ] == rows(result)
        # Every key but rank, which names rankings (this scheme has none: TestRankExpected).
        assert [k for k in EXPECTED_KEYS if k != "rank"] == [m.key for m in result.mismatches]

    def test_right_values_pass(self, mini: Path) -> None:
        """The same subject with the values derived above: no mismatch (lists compared as sets but adjustments)."""
        case = write_case(
            mini,
            "right",
            SUBJECT_A
            + """
[expected.a]
status = "graded"
reasons = []
score = "85"
rounded_score = 85
raw_grade = "好"
final_grade = "差"
adjustments = ["soft", "absent"]
consequences = ["talk"]
findings = ["long_absence"]
flags = ["veto:soft", "cap:absent"]
""",
        )
        result = run_case(case)
        assert result.passed, result.report()
        assert (1, "") == (result.subjects, result.description)

    @pytest.mark.parametrize(
        ("written", "ok"),
        [
            ('"245/3"', True),  # the exact fraction, as the result JSON writes it
            ('"490/6"', True),  # the same number, not the same text: compared as numbers
            ('"81.67"', False),  # the display rounding is not the score
            ("81.67", False),  # a TOML float is read as the exact decimal 81.67
            ("82", False),  # nor is the rounded score
        ],
    )
    def test_score_exact(self, mini: Path, written: str, ok: bool) -> None:
        """b's total is 245/3 exactly (see SUBJECT_B): only an exact spelling of it matches."""
        result = run_case(write_case(mini, "score", SUBJECT_B + f"\n[expected.b]\nscore = {written}\n"))
        if ok:
            assert result.passed, result.report()
        else:
            expected = written.strip('"')
            assert [("b", "score", expected, "245/3")] == rows(result)

    def test_score_as_number(self, mini: Path) -> None:
        """A score written as a TOML number is compared exactly: 85 and 85.0 match a's 85, 84.99 does not."""
        for written in ("85", "85.0", '"85"', '"85.00"'):
            result = run_case(write_case(mini, "n", SUBJECT_A + f"\n[expected.a]\nscore = {written}\n"))
            assert result.passed, (written, result.report())
        result = run_case(write_case(mini, "n", SUBJECT_A + "\n[expected.a]\nscore = 84.99\n"))
        assert [("a", "score", "84.99", "85")] == rows(result)

    def test_ungraded_subject_has_no_score(self, mini: Path) -> None:
        """c has 2 ballots (< 3): expecting a score or grade shows '-' as the actual value."""
        result = run_case(
            write_case(mini, "c", SUBJECT_C + '\n[expected.c]\nscore = "90"\nrounded_score = 90\nfinal_grade = "好"\n')
        )
        assert [
            ("c", "score", "90", "-"),
            ("c", "rounded_score", "90", "-"),
            ("c", "final_grade", "好", "-"),
        ] == rows(result)

    def test_report_is_a_per_subject_table(self, mini: Path) -> None:
        """report() is a table: subject, key, expected, actual; subjects in id order."""
        case = write_case(
            mini,
            "two",
            SUBJECT_A + SUBJECT_B + '\n[expected.b]\nfinal_grade = "好"\n\n[expected.a]\nfinal_grade = "一般"\n',
        )
        result = run_case(case)
        lines = result.report().splitlines()
        assert ["subject", "key", "expected", "actual"] == lines[0].split()
        assert ["a", "final_grade", "一般", "差"] == lines[2].split()
        assert ["b", "final_grade", "好", "一般"] == lines[3].split()
        assert 4 == len(lines)

    def test_summary(self) -> None:
        p = Path("x.toml")
        results = [
            CaseResult(p, "", 1),
            CaseResult(p, "", 1, (Mismatch("a", "status", "x", "y"),)),
            CaseResult(p, "", 0, error="e"),
        ]
        assert "1 passed, 2 failed" == summary(results)
        assert "0 passed, 0 failed" == summary([])


class TestParameters:
    """``[parameters]`` in a case overrides the scheme's ``[parameters.<name>]`` for that case."""

    def test_override_changes_the_outcome(self, mini: Path) -> None:
        # Without the override: 2 ballots < min_raters 3 → insufficient_evidence.
        default = write_case(
            mini,
            "default",
            SUBJECT_C + '\n[expected.c]\nstatus = "insufficient_evidence"\nreasons = ["too_few_respondents"]\n',
        )
        # With min_raters = 2: graded; total 90 → 好 (see SUBJECT_C).
        lowered = write_case(
            mini,
            "lowered",
            "[parameters]\nmin_raters = 2\n"
            + SUBJECT_C
            + '\n[expected.c]\nstatus = "graded"\nscore = "90"\nfinal_grade = "好"\nconsequences = ["praise"]\n',
        )
        assert run_case(default).passed, run_case(default).report()
        assert run_case(lowered).passed, run_case(lowered).report()
        assert {"min_raters": 2} == dict(load_case(lowered).parameters)

    def test_override_does_not_leak(self, mini: Path) -> None:
        """Each case loads the scheme afresh: the default holds again in the next case."""
        write_case(
            mini, "a_lowered", "[parameters]\nmin_raters = 2\n" + SUBJECT_C + '\n[expected.c]\nstatus = "graded"\n'
        )
        write_case(mini, "b_default", SUBJECT_C + '\n[expected.c]\nstatus = "insufficient_evidence"\n')
        results = [run_case(c) for c in find_cases([mini])]
        assert [True, True] == [r.passed for r in results], [r.report() for r in results]

    def test_without_override_the_lowered_expectation_fails(self, mini: Path) -> None:
        result = run_case(write_case(mini, "x", SUBJECT_C + '\n[expected.c]\nstatus = "graded"\n'))
        assert [("c", "status", "graded", "insufficient_evidence")] == rows(result)

    def test_unknown_parameter_is_an_error(self, mini: Path) -> None:
        result = run_case(write_case(mini, "x", "[parameters]\nmin_rater = 2\n" + SUBJECT_C))
        assert not result.passed
        assert result.error is not None
        assert "cannot override unknown parameter 'min_rater'" in result.error
        assert "did you mean 'min_raters'?" in result.error

    def test_override_of_another_type_is_an_error(self, mini: Path) -> None:
        result = run_case(write_case(mini, "x", "[parameters]\nmin_raters = true\n" + SUBJECT_C))
        assert result.error is not None
        assert "does not fit parameter 'min_raters'" in result.error


class TestBadCaseFiles:
    """A bad case file gives a result with an error, never an exception."""

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            # SUBJECT_B is lines 1-6 (a blank line, then [[subjects]] on line 2); what follows starts on line 7
            (
                'descripton = "typo"\n' + SUBJECT_B,
                ":1: descripton: unknown case key 'descripton'; did you mean 'description'?",
            ),
            (
                SUBJECT_B + '\n[expected.b]\nfinal = "好"\n',
                ":9: expected.b.final: unknown expected key 'final'; did you mean",
            ),
            (SUBJECT_B + "\n[expected]\nb = 1\n", ":9: expected.b: must be a table of expected values"),
            (
                SUBJECT_B + '\n[expected.z]\nfinal_grade = "好"\n',
                ":8: expected.z: no subject 'z' in the case (known: b)",
            ),
            ("expected = 3\n" + SUBJECT_B, ":1: expected: must hold one [expected.<subject id>] table per subject"),
            # a key after [[subjects]] belongs to the subject: the cohort reader says so
            (SUBJECT_B + "expected = 3\n", ":7: subjects[0].expected: unknown subject key 'expected'"),
            (
                '[[subjects]]\nid = "b"\nrole = "team"\nrole = "team"\n',
                ":4: subjects[0].role: TOML syntax error: duplicate key 'role' (first set on line 3)",
            ),
            ("description = \n", ":1: TOML syntax error"),
            (
                "parameters = 3\n" + SUBJECT_B,
                ":1: parameters: must be a table of parameter name = value (got 3 (a number))",
            ),
            ('subjects = "b"\n', "subjects: must be an array of subjects"),
            ('[[subjects]]\nid = "b"\nrole = "nobody"\n', "unknown role 'nobody'"),
        ],
    )
    def test_error_result(self, mini: Path, text: str, message: str) -> None:
        result = run_case(write_case(mini, "bad", text))
        assert not result.passed
        assert () == result.mismatches
        assert result.error is not None
        assert message in result.error
        assert result.error == result.report()

    def test_not_utf8(self, mini: Path) -> None:
        path = mini / "cases" / "latin1.toml"
        path.write_bytes('description = "村"\n'.encode("gb18030"))
        result = run_case(path)
        assert result.error is not None
        assert "not UTF-8" in result.error

    def test_missing_file(self, mini: Path) -> None:
        result = run_case(mini / "cases" / "absent.toml")
        assert result.error is not None
        assert "cannot be read" in result.error

    def test_load_case_raises(self, mini: Path) -> None:
        """load_case itself raises CaseFormatError (a VillageevalError and a ValueError)."""
        path = write_case(mini, "bad", "nonsense = 1\n")
        with pytest.raises(CaseFormatError, match="unknown case key"):
            load_case(path)
        assert issubclass(CaseFormatError, ve.VillageevalError)
        assert issubclass(CaseFormatError, ValueError)

    def test_scheme_that_does_not_load(self, tmp_path: Path) -> None:
        """A broken scheme beside the case: the scheme's problems are the error."""
        d = tmp_path / "broken"
        (d / "cases").mkdir(parents=True)
        (d / "scheme.toml").write_text(MINI.replace("min_respondents", "min_respondent"), encoding="utf-8")
        result = run_case(write_case(d, "x", SUBJECT_B))
        assert result.error is not None
        assert "instruments.appraisal.min_respondent" in result.error

    def test_relative_path_inside_cases(self, mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A bare file name given from inside cases/ still finds the scheme above it."""
        write_case(mini, "b", SUBJECT_B + '\n[expected.b]\nfinal_grade = "一般"\n')
        monkeypatch.chdir(mini / "cases")
        result = run_case("b.toml")
        assert result.passed, result.report()


class TestFindCases:
    @pytest.fixture
    def tree(self, tmp_path: Path) -> Path:
        """root/{one,nested/two}/scheme.toml with cases; a cases/ without a scheme beside it."""
        for rel in ("one", "nested/two"):
            d = tmp_path / rel
            (d / "cases").mkdir(parents=True)
            (d / "scheme.toml").write_text(MINI.replace('id = "mini"', f'id = "{d.name}"'), encoding="utf-8")
            write_case(d, "x", SUBJECT_B)
            write_case(d, "a", SUBJECT_B)
        (tmp_path / "stray" / "cases").mkdir(parents=True)
        (tmp_path / "stray" / "cases" / "x.toml").write_text(SUBJECT_B, encoding="utf-8")
        return tmp_path

    def test_file(self, tree: Path) -> None:
        path = tree / "one" / "cases" / "x.toml"
        assert [path] == find_cases([path])
        assert [path] == find_cases([str(path)])

    def test_scheme_directory_and_scheme_file(self, tree: Path) -> None:
        cases = [tree / "one" / "cases" / "a.toml", tree / "one" / "cases" / "x.toml"]
        assert cases == find_cases([tree / "one"])
        assert cases == find_cases([tree / "one" / "scheme.toml"])

    def test_cases_directory(self, tree: Path) -> None:
        cases = [tree / "one" / "cases" / "a.toml", tree / "one" / "cases" / "x.toml"]
        assert cases == find_cases([tree / "one" / "cases"])

    def test_tree(self, tree: Path) -> None:
        """Every cases/*.toml under the tree that has a scheme.toml beside its cases/, sorted."""
        found = find_cases([tree])
        assert [
            tree / "nested" / "two" / "cases" / "a.toml",
            tree / "nested" / "two" / "cases" / "x.toml",
            tree / "one" / "cases" / "a.toml",
            tree / "one" / "cases" / "x.toml",
        ] == found

    def test_scheme_id(self, tree: Path) -> None:
        registry = ve.Registry()
        registry.add_scheme_directory(tree / "one")
        cases = find_cases(["one", "huining-midterm-2023"], registry)
        assert [tree / "one" / "cases" / "a.toml", tree / "one" / "cases" / "x.toml"] == cases[:2]
        assert {"bands.toml", "consequences.toml", "evidence.toml", "vetoes.toml"} <= {c.name for c in cases[2:]}
        assert all(c.parent.parent.name == "huining-midterm-2023" for c in cases[2:])

    def test_unknown(self, tree: Path) -> None:
        with pytest.raises(CaseFormatError, match="not a case file, a scheme directory or a scheme id"):
            find_cases([tree / "nowhere"])
        with pytest.raises(CaseFormatError):
            find_cases(["no-such-scheme"], ve.Registry())

    def test_empty(self, tmp_path: Path) -> None:
        assert [] == find_cases([tmp_path])
        assert [] == find_cases([])


class TestCommand:
    def test_pass_and_fail(self, mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """One passing and one failing case: FAIL with the diff table, exit 1, '1 passed, 1 failed'."""
        write_case(mini, "good", SUBJECT_B + '\n[expected.b]\nfinal_grade = "一般"\n')
        write_case(mini, "wrong", SUBJECT_B + '\n[expected.b]\nfinal_grade = "好"\n')
        code = main(["test", str(mini)])
        out = capsys.readouterr().out
        assert 1 == code
        lines = out.splitlines()
        assert f"PASS {mini / 'cases' / 'good.toml'} (1 subjects)" == lines[0]
        assert f"FAIL {mini / 'cases' / 'wrong.toml'}" == lines[1]
        assert ["subject", "key", "expected", "actual"] == lines[2].split()
        assert ["b", "final_grade", "好", "一般"] == lines[4].split()
        assert "1 passed, 1 failed" == lines[-1]

    def test_no_cases(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code = main(["test", str(tmp_path)])
        assert 1 == code
        assert ["no cases found", "0 passed, 0 failed"] == capsys.readouterr().out.splitlines()

    def test_unknown_path(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code = main(["test", str(tmp_path / "nowhere")])
        assert 2 == code
        assert "not a case file, a scheme directory or a scheme id" in capsys.readouterr().err
