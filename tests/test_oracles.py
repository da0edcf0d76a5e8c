"""Oracles that need no second implementation: what every outcome must satisfy by definition.

Tests that compare one path of the engine with another pass when both share a mistake
(they share the kernel). These do not: each states what the format reference defines
and checks the engine's outcomes against that statement alone.

- The raw grade of a subject graded by bands is the grade of the one band whose
  declared bounds (at_least / above / at_most / below, read here as plain comparisons)
  contain the rounded total.
- The rounded total is the rounding mode's definition (``tests/test_numbers.oracle``)
  applied to the exact total.
- Every default the format reference documents is the default the loader applies.
- The quick path (``trace=False``) grades a subject exactly as the careful one does,
  on the example that a quick path skipping every ``all`` veto would get wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.test_docs import SCHEME_SECTIONS
from tests.test_numbers import oracle

import villageeval as ve
from villageeval import _model as m
from villageeval.testing.strategies import cohorts, schemes

ROOT = Path(__file__).resolve().parent.parent
SCHEME_FORMAT = (ROOT / "docs" / "scheme-format.md").read_text(encoding="utf-8")


def _within(band: m.Band, value: Fraction) -> bool:
    """The band's declared bounds as the format reference words them: 及以上, 超过, 及以下, 不足."""
    return (
        (band.at_least is None or value >= band.at_least)
        and (band.above is None or value > band.above)
        and (band.at_most is None or value <= band.at_most)
        and (band.below is None or value < band.below)
    )


def _band_grading(scheme: ve.Scheme, role: str) -> m.BandGrading | None:
    for g in scheme.gradings.values():
        if role in scheme.role_ids(g.roles):
            return g if isinstance(g, m.BandGrading) else None
    return None


@st.composite
def graded(draw: st.DrawFn) -> tuple[ve.Scheme, ve.Result]:
    """A generated scheme graded by bands, a cohort of it, and the result (trace or not)."""
    scheme = draw(schemes(gradings=("bands",)))
    cohort = draw(cohorts(scheme, max_size=12))
    return scheme, ve.evaluate(scheme, cohort, trace=draw(st.booleans()))


class TestBandsAndRounding:
    @given(graded())
    def test_raw_grade_is_the_band_holding_the_rounded_total(self, case: tuple[ve.Scheme, ve.Result]) -> None:
        """Exactly one band's declared bounds hold the rounded total (unrounded: the total); it is the raw grade."""
        scheme, result = case
        for o in result:
            grading = _band_grading(scheme, o.role)
            if o.status != "graded" or grading is None or o.score is None:
                continue
            value = o.rounded_score if grading.round is not None else o.score
            assert value is not None
            holding = [b.grade for b in grading.bands if _within(b, value)]
            assert [o.raw_grade] == holding, (o.subject_id, value)

    @given(graded())
    def test_rounded_total_is_the_modes_definition(self, case: tuple[ve.Scheme, ve.Result]) -> None:
        """The rounded total is the declared mode's definition applied to the exact total, once."""
        scheme, result = case
        for o in result:
            grading = _band_grading(scheme, o.role)
            if o.status != "graded" or grading is None or grading.round is None or o.score is None:
                continue
            digits, mode = grading.round.digits, grading.round.mode
            assert Fraction(oracle(o.score, digits, mode), 10**digits) == o.rounded_score


# --- documented defaults ------------------------------------------------------------------------


def _documented_defaults(heading: str) -> dict[str, str]:
    """``key → default`` cell of the ``| key | type | default | meaning |`` table under ``heading``."""
    out: dict[str, str] = {}
    section = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#{{1,3}} )", SCHEME_FORMAT + "\n# end", re.S | re.M)
    assert section is not None, heading
    for line in section.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = re.fullmatch(r"`([^`]+)`", cells[0]) if len(cells) >= 3 else None
        if key:
            out[key.group(1)] = cells[2]
    return out


def _documented_value(cell: str) -> Any:
    """A default cell as data: ``"half_up"`` → "half_up", ``100`` → 100, ``[]`` → (), ``none`` → None.

    Cells that say in words what the default is (``required``, a sentence) are None too,
    and are only checked to be absent or required in the model.
    """
    text = cell.split(" (")[0].strip()
    if re.fullmatch(r"`[^`]+`", text):
        literal = text.strip("`")
        if literal.startswith('"') and literal.endswith('"'):
            return literal[1:-1]
        if literal in ("true", "false"):
            return literal == "true"
        if literal == "[]":
            return ()
        if literal == "{}":
            return {}
        if re.fullmatch(r"-?\d+", literal):
            return int(literal)
        if literal.startswith("[{"):
            return literal
        return literal
    return None


@pytest.mark.parametrize("heading", sorted(SCHEME_SECTIONS))
def test_every_documented_default_is_the_loaders(heading: str) -> None:
    """Each default written in the format reference is what the model gives a key left out."""
    cls = SCHEME_SECTIONS[heading]
    defaults = {f.name.rstrip("_"): f for f in attrs.fields(cls) if f.init}
    for key, cell in _documented_defaults(heading).items():
        if key == "kind":
            continue  # chosen by the tagged union, not by the class: test_kinds_are_required_but_bands
        field = defaults.get(key) or defaults.get("is_in" if key == "in" else key)
        assert field is not None, (heading, key)
        expected = _documented_value(cell)
        if cell == "required":
            assert field.default is attrs.NOTHING, (heading, key)
            continue
        if expected is None:
            continue
        actual = field.default
        if isinstance(actual, attrs.Factory):  # type: ignore[arg-type]
            actual = actual.factory()
        if isinstance(expected, str) and expected.startswith("[{"):
            actual = "[" + ", ".join(_toml(k) for k in actual) + "]"
        elif isinstance(actual, (Fraction, Decimal)):
            actual = int(actual) if actual == int(actual) else actual
        if expected == {} and attrs.has(type(actual)):
            expected = type(actual)()  # an empty table: the class with every key left out
        if isinstance(actual, dict) and expected == {}:
            actual = {}
        if isinstance(expected, str) and expected in defaults:
            continue  # "the value of that key": test_out_of_defaults_to_max
        assert expected == (tuple(actual) if isinstance(actual, tuple) else actual), (heading, key)


def test_out_of_defaults_to_max() -> None:
    """A score's out_of left out is its max (a score of max earns the full weight), as documented."""
    from villageeval._kinds.score import DirectScore
    from villageeval._plugins import builtin_kinds

    assert Fraction(20) == builtin_kinds()["score"].out_of(DirectScore("t", "c", Fraction(20)))


def test_kinds_are_required_but_bands() -> None:
    """An instrument must say its kind; a grading without one is a band grading, as documented."""
    from villageeval._convert import make_converter
    from villageeval._plugins import builtin_kinds

    converter = make_converter({name: kind.config for name, kind in builtin_kinds().items()})
    grading = converter.structure({"clause": "一", "scale": "grade", "bands": []}, m.Grading)
    assert isinstance(grading, m.BandGrading)
    from villageeval._convert import Invalid

    with pytest.raises(Invalid, match="missing key 'kind'"):
        converter.structure({"title": "t", "clause": "c", "scale": "s"}, m.InstrumentConfig)


def _toml(key: object) -> str:
    from villageeval._convert import unstructure_rank_key

    d = unstructure_rank_key(key)  # type: ignore[arg-type]
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in d.items()) + " }"


def test_the_rounding_default_is_half_up() -> None:
    """round = { digits = 0 } rounds 84.5 half-up, to 85 (好 in 000 四、6), as the reference says."""
    scheme = ve.loads_scheme(
        """
id = "default-mode"
title = "届中分析"
locality = { name = "会宁县" }
[roles.team]
label = "村“两委”班子"
[scales.grade]
tiers = ["好", "一般", "差"]
[instruments.committee]
kind = "score"
title = "乡镇党委评价"
clause = "四、6"
max = 100
[weightings.main]
clause = "四、6"
total = 100
weights = { committee = 100 }
[gradings.main]
clause = "四、6"
scale = "grade"
round = { digits = 0 }
bands = [
  { grade = "好", at_least = 85 },
  { grade = "一般", at_least = 66, at_most = 84 },
  { grade = "差", at_most = 65 },
]
"""
    )
    cohort = ve.cohort_from_dict(
        {"subjects": [{"id": "a", "role": "team", "evidence": {"committee": {"value": "84.5"}}}]}
    )
    for trace in (True, False):
        o = ve.evaluate(scheme, cohort, trace=trace).outcome("a")
        assert (Fraction(85), "好") == (o.rounded_score, o.raw_grade)


# --- the quick path and vetoes of several conditions --------------------------------------------

ALL_VETO = """
id = "all-veto"
title = "年度考核"
locality = { name = "某县" }
[roles.team]
label = "村“两委”班子"
[scales.grade]
tiers = ["好", "一般", "差"]
[scales.votes]
tiers = [{ label = "满意", points = 100 }, { label = "不满意", points = 0 }]
[instruments.satisfaction]
kind = "ballot"
title = "群众满意度测评"
clause = "三"
scale = "votes"
[weightings.main]
clause = "三"
total = 100
weights = { satisfaction = 100 }
[gradings.main]
clause = "三"
scale = "grade"
round = { digits = 0 }
bands = [{ grade = "好", at_least = 40 }, { grade = "一般", at_least = 20, below = 40 }, { grade = "差", below = 20 }]
[facts.rectified]
label = "已整改到位"
type = "bool"
default = false
[vetoes.dissatisfied]
clause = "三"
text = "不满意票超过半数且未整改到位的"
when = { all = [{ share = "satisfaction", tiers = ["不满意"], above = 0.5 }, { not = { fact = "rectified" } }] }
grade = "差"
"""


@pytest.mark.parametrize("facts", [{"rectified": False}, {}], ids=["given", "by default"])
@pytest.mark.parametrize("trace", [True, False])
def test_a_veto_of_all_conditions_without_a_true_fact(trace: bool, facts: dict[str, bool]) -> None:
    """8 of 15 不满意 (53.3% > 50%), not rectified (no fact true): 7/15 × 100 = 46.67 → 47 好, vetoed to 差."""
    scheme = ve.loads_scheme(ALL_VETO)
    subject = {
        "id": "a",
        "role": "team",
        "facts": facts,
        "evidence": {"satisfaction": {"tallies": {"满意": 7, "不满意": 8}}},
    }
    o = ve.evaluate(scheme, ve.cohort_from_dict({"subjects": [subject]}), trace=trace).outcome("a")
    assert ("好", "差", ("dissatisfied",)) == (o.raw_grade, o.final_grade, tuple(a.rule for a in o.adjustments))
