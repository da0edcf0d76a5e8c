"""``check`` reports every problem in one run, structural and semantic together."""

from __future__ import annotations

from pathlib import Path

import pytest

import villageeval as ve

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "schemes" / "huining-midterm-2023" / "scheme.toml").read_text(encoding="utf-8")


def line_of(text: str, start: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(start))


def test_typos_do_not_hide_meaning_problems() -> None:
    """Two misspelt keys and a wrong weight sum are reported together, each at its line."""
    text = TEMPLATE.replace("min_respondents = 20", "min_respondent = 20", 1)
    text = text.replace("appraisal = 40,", "appraisal = 45,", 1)
    text = text.replace('[roles.team]\nlabel = "', '[roles.team]\nlable = "', 1)
    assert text.count("min_respondent = 20") == 1
    with pytest.raises(ve.SchemeError) as info:
        ve.loads_scheme(text, file="s.toml")
    got = [(p.line, ve._errors.format_path(p.path), p.message) for p in info.value.problems]
    # 40 → 45 makes the weights 45 + 20 + 20 + 10 + 10 = 105 against the declared 100.
    assert [
        (line_of(text, "lable"), "roles.team.lable", "unknown key 'lable'; did you mean 'label'?"),
        (
            line_of(text, "min_respondent ="),
            "instruments.appraisal.min_respondent",
            "unknown key 'min_respondent'; did you mean 'min_respondents'?",
        ),
        (
            line_of(text, "weights = {"),
            "weightings.main.weights",
            "weights add up to 105 (45 + 20 + 20 + 10 + 10), not the declared total 100",
        ),
    ] == got


def test_wrong_type_stops_before_meaning() -> None:
    """A wrong-typed value is not guessed at: only the structural problem is reported."""
    text = TEMPLATE.replace("min_respondents = 20", 'min_respondents = "twenty"', 1)
    text = text.replace("appraisal = 40,", "appraisal = 45,", 1)
    with pytest.raises(ve.SchemeError) as info:
        ve.loads_scheme(text)
    assert [("instruments", "appraisal", "min_respondents")] == [p.path for p in info.value.problems]


def test_outcome_predicate_takes_one_test() -> None:
    """An outcome predicate with both worse_than and in is rejected, not half-read."""
    text = TEMPLATE + (
        '\n[scales.review]\ntiers = ["好", "较好", "一般", "差"]\n'
        '[caps.review]\nclause = "x"\ntext = "t"\nat_most = "一般"\n'
        'when = { outcome = "r", scale = "review", worse_than = "好", in = ["差"] }\n'
    )
    with pytest.raises(ve.SchemeError) as info:
        ve.loads_scheme(text)
    assert ["an outcome predicate takes worse_than or in, not both; split it with all = [...]"] == [
        p.message for p in info.value.problems
    ]
