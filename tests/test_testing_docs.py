"""docs/testing.md against the code: its examples run and print what the page shows,
its tables list exactly the case keys and violation kinds, and its strategy examples
work with the signatures of villageeval.testing.strategies."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import villageeval as ve
from villageeval._cli import main
from villageeval.testing import Violation
from villageeval.testing._cases import EXPECTED_KEYS

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")


def _fences() -> list[tuple[str, str]]:
    """(language, body) of every fenced block of the page."""
    out: list[tuple[str, str]] = []
    lang: str | None = None
    body: list[str] = []
    for line in PAGE.splitlines(keepends=True):
        if line.startswith("```"):
            if lang is None:
                lang, body = line[3:].strip(), []
            else:
                out.append((lang, "".join(body)))
                lang = None
        elif lang is not None:
            body.append(line)
    return out


def blocks(lang: str) -> list[str]:
    return [body for kind, body in _fences() if kind == lang]


def section(heading: str) -> str:
    start = PAGE.index(heading)
    end = PAGE.find("\n#", start + len(heading))
    return PAGE[start : end if end != -1 else None]


def first_cells(text: str, header: str) -> list[str]:
    """The first cells of the table whose header row starts with ``| header |``."""
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(f"| {header} |"))
    out = []
    for line in lines[i + 2 :]:
        if not line.startswith("|"):
            break
        out.append(line.split("|")[1].strip().strip("`"))
    return out


def test_check_example_prints_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    code = next(b for b in blocks("python") if "import villageeval as ve" in b and "check_outcomes(" in b)
    shown = blocks("")[0]
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(AssertionError) as e:
        exec(compile(code, "<docs/testing.md>", "exec"), {})
    assert shown == out.getvalue() + f"AssertionError: {e.value}\n"


def test_violation_fields_and_kinds() -> None:
    fields = first_cells(section("### Violation"), "field")
    assert [f.name for f in Violation.__attrs_attrs__] == fields
    kinds = first_cells(section("### Kinds"), "kind")
    documented = Violation.__doc__ or ""
    for kind in kinds:
        assert f"``{kind}``" in documented
    assert len(kinds) == len(re.findall(r"``([a-z_]+)``", documented.split("kind:")[1].split("rule:")[0]))


def test_case_keys() -> None:
    text = section("### Case format")
    top = first_cells(text, "key")
    assert ["description", "period", "[parameters]", "[[subjects]]", "[expected.<subject id>]"] == top
    expected = first_cells(text.split("In `[expected.<subject id>]`:")[1], "key")
    assert list(EXPECTED_KEYS) == expected


def test_case_example_passes(tmp_path: Path) -> None:
    """The case shown on the page, beside the bundled scheme, passes."""
    case = next(b for b in blocks("toml") if "[[subjects]]" in b)
    (tmp_path / "cases").mkdir()
    (tmp_path / "scheme.toml").write_text(
        (ROOT / "schemes" / "huining-midterm-2023" / "scheme.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "cases" / "doc.toml").write_text(case, encoding="utf-8")
    from villageeval.testing._cases import run_case

    result = run_case(tmp_path / "cases" / "doc.toml")
    assert result.passed, result.report()


def test_villageeval_test_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    shown = next(b for b in blocks("") if b.startswith("PASS "))
    monkeypatch.chdir(ROOT)
    assert 0 == main(["test", "schemes/huining-midterm-2023"])
    assert shown == capsys.readouterr().out


def test_profiles_match_conftest() -> None:
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    snippet = next(b for b in blocks("python") if "register_profile" in b)
    for line in snippet.splitlines():
        if line.startswith("settings."):
            assert line in conftest


def test_strategy_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The property tests of the page, with the engine standing in for the integrator's code."""
    huining = ve.load_scheme("huining-midterm-2023")

    def grade_all(cohort: ve.Cohort) -> dict[str, str | None]:
        return {o.subject_id: o.final_grade for o in ve.evaluate(huining, cohort)}

    grading = types.ModuleType("ourcounty.grading")
    grading.grade_all = grade_all  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ourcounty", types.ModuleType("ourcounty"))
    monkeypatch.setitem(sys.modules, "ourcounty.grading", grading)
    imports = next(b for b in blocks("python") if b.startswith("from villageeval.testing import schemes"))
    code = [b for b in blocks("python") if "@given" in b]
    assert 3 == len(code)
    namespace: dict[str, Any] = {"render_report": lambda result: ve.result_to_json(result)}
    for b in (imports, *code):
        exec(compile(b, "<docs/testing.md>", "exec"), namespace)
    quick = settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
    for name in ("test_our_grades_obey_the_scheme", "test_thin_evidence_is_not_graded", "test_report_never_fails"):
        quick(namespace[name])()
