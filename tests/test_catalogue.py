"""The message catalogue: English and Chinese both complete, every message the engine writes in it.

The engine writes each reason, trace step, quota note and quota warning as a ``Said``
(the English text, remembering its catalogue key and parameters); ``render_text`` shows
it in Chinese. These tests hold the catalogue to three things: every entry has both
languages with the same parameters, every key the source names exists (and every engine
entry is used), and the Chinese a committee reads is what the demo's numbers say.
"""

from __future__ import annotations

import pickle
import re
import string
import typing
from pathlib import Path

import pytest

import villageeval as ve
from villageeval import _catalogue as cat
from villageeval import _model as m
from villageeval._catalogue import engine as engine_messages

SRC = Path(ve.__file__).resolve().parent
HUINING = Path(__file__).resolve().parent.parent / "schemes" / "huining-midterm-2023" / "demo.json"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _catalogue() -> dict[str, tuple[str, str]]:
    cat.text("code.ineligible")  # merges the area modules on first use
    return cat.CATALOGUE


class TestEntries:
    def test_every_entry_has_both_languages_with_the_same_parameters(self) -> None:
        """The same parameters in both, but where Chinese names an instrument by its title
        (述职测评) and English by its id (appraisal), or leaves out the kind of a group."""
        for key, (en, zh) in _catalogue().items():
            assert en.strip(), key
            assert zh.strip(), key
            english, chinese = _fields(en), _fields(zh)
            if english - chinese == {"instrument"} and chinese - english == {"title"}:
                english, chinese = english - {"instrument"}, chinese - {"title"}
            assert english - {"per"} == chinese, key

    def test_chinese_is_chinese(self) -> None:
        """A Chinese template holds Chinese, unless the entry is only numbers and labels
        (``{tier} {n}``) or a code's English name is the code itself."""
        for key, (en, zh) in _catalogue().items():
            letters = re.sub(r"\{[^}]*\}", "", en)
            if re.search(r"[A-Za-z]{2,}", letters):
                assert CJK.search(zh), f"{key}: {zh!r} is not Chinese"

    def test_templates_render(self) -> None:
        for key, (en, zh) in _catalogue().items():
            params = dict.fromkeys(_fields(en) | _fields(zh), "x")
            for lang in cat.LANGS:
                assert cat.text(key, lang, **params)

    def test_unknown_language_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown language 'fr'"):
            cat.text("code.ineligible", "fr")


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if "_catalogue" not in p.parts)


class TestCoverage:
    def test_every_key_the_source_names_is_in_the_catalogue(self) -> None:
        source = _source()
        named = set(re.findall(r"""said_?\(\s*"([a-z_.]+)\"""", source))
        named |= set(re.findall(r"""step\(\s*\w+,\s*[^,]+,\s*"(step\.[a-z_.]+)\"""", source))
        assert named, "the scan found no keys: it is broken"
        missing = sorted(key for key in named if key not in _catalogue())
        assert not missing

    def test_every_engine_entry_is_used(self) -> None:
        source = _source()
        dynamic = ("code.", "word.rounding.", "step.veto", "step.cap")  # built from a code, a mode, a kind
        unused = [key for key in engine_messages.MESSAGES if f'"{key}"' not in source and not key.startswith(dynamic)]
        assert not unused

    def test_every_reason_code_has_a_name(self) -> None:
        for code in ve.ReasonCode:
            assert f"code.{code.value}" in _catalogue()
            assert cat.text(f"code.{code.value}", "en") == code.value

    def test_every_rounding_mode_has_a_name(self) -> None:
        for mode in typing.get_args(m.RoundingMode):
            assert f"word.rounding.{mode}" in _catalogue()


@pytest.fixture(scope="module")
def huining() -> ve.Result:
    return ve.evaluate(ve.load_scheme("huining-midterm-2023"), ve.load_cohort(HUINING))


class TestRendering:
    def test_a_coverage_reason_as_the_issue_writes_it(self, huining: ve.Result) -> None:
        """hongxian's interview covered 2 of its 3 驻村工作队员 (demo.json), and 四、3 wants
        every one: the issue's own wording of this reason in Chinese."""
        (reason,) = huining.outcome("hongxian-team").reasons
        assert reason.message == "interview: only 2 of 3 驻村工作队员 covered; every one must be"
        assert ve.render_reason(reason, "zh") == "个别谈话:驻村工作队员应全部参与,实际 2/3"
        assert ve.render_reason(reason) == reason.message

    def test_too_few_respondents(self, huining: ve.Result) -> None:
        """tuanzhuang-member-3's appraisal has 12 + 5 + 1 = 18 ballots; the scheme asks for 20."""
        (reason,) = huining.outcome("tuanzhuang-member-3").reasons
        assert ve.render_reason(reason, "zh") == "述职测评:参评 18 人,至少应有 20 人"

    def test_the_veto_step_names_the_grades_and_the_clause_text(self, huining: ve.Result) -> None:
        """xicha-secretary: 87.44 rounds to 87, 好; the absentee veto (四、6) makes it 差."""
        outcome = huining.outcome("xicha-secretary")
        steps = {s.step: ve.render_step(s, "zh") for s in outcome.trace}
        assert steps["round"] == "87.44 按四舍五入保留 0 位小数 = 87"
        assert steps["grade"] == "87 在“好”的分数段内"
        assert steps["veto"].startswith("否决 好 → 差:")
        assert steps["final"] == "最终等次:差"
        # The total names the instruments by their titles in Chinese, by their ids in English;
        # the appraisal's sub-score is (22 × 90 + 3 × 70) / 25 = 87.6, weighted 40 of 100.
        total = next(s for s in outcome.trace if s.step == "total")
        assert ve.render_step(total, "zh").startswith("述职测评 87.6 × 40/100 + 个别谈话 ")
        assert total.message.startswith("appraisal 87.6 × 40/100 + interview ")

    def test_every_step_and_reason_of_the_demo_renders_in_chinese(self, huining: ve.Result) -> None:
        for outcome in huining.outcomes:
            for item in (*outcome.reasons, *outcome.trace):
                zh = ve.render_text(item.message, "zh")
                assert CJK.search(zh) or not re.search(r"[A-Za-z]{3,}", zh.replace(outcome.subject_id, "")), zh

    def test_a_plain_text_is_shown_as_it_is(self) -> None:
        """A plugin's own message, or a result read back from JSON, has no entry."""
        assert ve.render_text("a plugin's note", "zh") == "a plugin's note"

    def test_a_message_survives_pickling(self, huining: ve.Result) -> None:
        (reason,) = huining.outcome("hongxian-team").reasons
        again = pickle.loads(pickle.dumps(reason))
        assert ve.render_reason(again, "zh") == "个别谈话:驻村工作队员应全部参与,实际 2/3"

    def test_the_result_json_carries_english(self, huining: ve.Result) -> None:
        text = ve.result_to_json(huining)
        assert "interview: only 2 of 3 驻村工作队员 covered; every one must be" in text
        assert "实际 2/3" not in text
