"""The pytest plugin (entry point ``villageeval`` in ``pytest11``): cases/*.toml become tests.

Runs pytest in-process with ``pytester`` on a scheme directory holding a passing and a
failing case. The scheme (``MINI`` of tests/test_cases.py) weights one ballot and the
committee's score 50/50 and bands the rounded total 好 ≥ 85, 一般 60–84, 差 < 60.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.test_cases import MINI, SUBJECT_B

pytest_plugins = ["pytester"]

# SUBJECT_B: appraisal (2×90 + 1×70)/3 = 250/3 → × 1/2 = 125/3; committee 80 → 40;
# total 245/3 ≈ 81.67 → 82 → 一般
GOOD = SUBJECT_B + '\n[expected.b]\nscore = "245/3"\nfinal_grade = "一般"\n'
WRONG = 'description = "b claimed 好"\n' + SUBJECT_B + '\n[expected.b]\nrounded_score = 85\nfinal_grade = "好"\n'


@pytest.fixture
def scheme_dir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """schemes/mini with cases/good.toml (passes) and cases/wrong.toml (fails)."""
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    d = pytester.path / "schemes" / "mini"
    (d / "cases").mkdir(parents=True)
    (d / "scheme.toml").write_text(MINI, encoding="utf-8")
    (d / "cases" / "good.toml").write_text(GOOD, encoding="utf-8")
    (d / "cases" / "wrong.toml").write_text(WRONG, encoding="utf-8")
    return d


def test_one_passed_one_failed(pytester: pytest.Pytester, scheme_dir: Path) -> None:
    """Each case file is one test; the failing one shows the per-subject diff table."""
    result = pytester.runpytest("schemes", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*case *wrong.toml: b claimed 好",
            "subject*key*expected*actual",
            "b*rounded_score*85*82",
            "b*final_grade*好*一般",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED schemes/mini/cases/wrong.toml::wrong*"])
    assert "good.toml::good" not in result.stdout.str().split("short test summary")[-1]


def test_collects_only_cases_beside_a_scheme(pytester: pytest.Pytester, scheme_dir: Path) -> None:
    """scheme.toml itself and a cases/ with no scheme.toml beside it are not collected."""
    stray = pytester.path / "stray" / "cases"
    stray.mkdir(parents=True)
    (stray / "x.toml").write_text(WRONG, encoding="utf-8")
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["schemes/mini/cases/good.toml::good", "schemes/mini/cases/wrong.toml::wrong"])
    assert "stray" not in result.stdout.str()
    assert "scheme.toml" not in result.stdout.str()


def test_error_case_fails_with_its_error(pytester: pytest.Pytester, scheme_dir: Path) -> None:
    """A bad case file is a failing test whose text is the error, not a crash of the run."""
    (scheme_dir / "cases" / "bad.toml").write_text("nonsense = 1\n", encoding="utf-8")
    result = pytester.runpytest("schemes", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*bad.toml:1: nonsense: unknown case key 'nonsense'*"])


def test_disabled_with_no_villageeval(pytester: pytest.Pytester, scheme_dir: Path) -> None:
    """``-p no:villageeval`` turns collection off: nothing is collected."""
    result = pytester.runpytest("schemes", "-p", "no:villageeval", "-p", "no:cacheprovider")
    assert pytest.ExitCode.NO_TESTS_COLLECTED == result.ret
    result.assert_outcomes()
