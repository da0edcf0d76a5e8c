"""``extends``: a township adapting its county's template."""

from __future__ import annotations

from pathlib import Path

import pytest

import villageeval as ve

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "schemes" / "huining-midterm-2023" / "scheme.toml").read_text(encoding="utf-8")


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """The bundled 会宁 scheme re-published as a county template with id ``county-x``."""
    d = tmp_path / "county-x"
    d.mkdir()
    text = TEMPLATE.replace('id = "huining-midterm-2023"', 'id = "county-x"', 1)
    assert text != TEMPLATE
    (d / "scheme.toml").write_text(text, encoding="utf-8")
    return d


def township(tmp_path: Path, body: str) -> Path:
    d = tmp_path / "town-x"
    d.mkdir()
    (d / "scheme.toml").write_text('id = "town-x"\ntitle = "某乡"\nextends = "county-x"\n' + body, encoding="utf-8")
    return d


class TestRemove:
    def test_removes_inherited_rules(self, tmp_path: Path, county: Path) -> None:
        """``remove`` drops a veto and its fact from the template; the rest is inherited."""
        town = township(tmp_path, 'remove = ["vetoes.absentee", "facts.absentee"]\n')
        scheme = ve.load_scheme(town)
        assert "absentee" not in scheme.vetoes
        assert "absentee" not in scheme.facts
        assert 5 == len(scheme.vetoes)
        assert ve.load_scheme(county).instruments == scheme.instruments

    def test_nothing_to_remove(self, tmp_path: Path, county: Path) -> None:
        """Removing a key the template does not have is reported at that array item's line."""
        town = township(tmp_path, 'remove = [\n  "vetoes.absentee",\n  "vetoes.absentees",\n]\n')
        with pytest.raises(ve.SchemeError) as info:
            ve.load_scheme(town)
        [problem] = info.value.problems
        assert (("remove", 1), 6) == (problem.path, problem.line)
        assert "nothing to remove at 'vetoes.absentees'" in problem.message

    def test_remove_needs_extends(self) -> None:
        """``remove`` in a scheme that extends nothing is an error, not ignored."""
        text = TEMPLATE.replace('id = "huining-midterm-2023"', 'id = "x"\nremove = ["vetoes.absentee"]', 1)
        with pytest.raises(ve.SchemeError) as info:
            ve.loads_scheme(text)
        assert ["remove only applies to a scheme that extends another"] == [p.message for p in info.value.problems]


class TestKindChange:
    def test_changed_kind_replaces_the_table(self, tmp_path: Path, county: Path) -> None:
        """An instrument that becomes a rating does not inherit the score's min/max."""
        town = township(
            tmp_path,
            '[instruments.party_committee]\nkind = "rating"\ntitle = "乡镇党委评价"\n'
            'clause = "四、6"\nscale = "three"\n',
        )
        scheme = ve.load_scheme(town)
        ins = scheme.instruments["party_committee"]
        assert ("rating", "three") == (ins.kind, getattr(ins, "scale", None))

    def test_same_kind_merges(self, tmp_path: Path, county: Path) -> None:
        """Overriding one key of an inherited instrument keeps the others."""
        town = township(tmp_path, "[instruments.appraisal]\nmin_respondents = 30\n")
        ins = ve.load_scheme(town).instruments["appraisal"]
        assert (30, "three", "四、2") == (ins.min_respondents, getattr(ins, "scale", None), ins.clause)
