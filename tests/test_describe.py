"""``villageeval describe``: what a scheme needs as input, read from its compiled plan.

The expectations for huining are read by hand from its ``scheme.toml`` (five
instruments weighted 40/20/20/10/10, at least 20 raters, three categories every member
of which must be interviewed, 3–5 households per 自然村, seven required facts); the
second scheme has a quota per township, a required streak and a linked assessment.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import villageeval as ve
from villageeval import _schema
from villageeval._cli import main
from villageeval._describe import describe_text

ROOT = Path(__file__).resolve().parent.parent
DESCRIBE = jsonschema.Draft202012Validator(_schema.shipped("describe"))
BUNDLED = sorted(p.name for p in (ROOT / "schemes").iterdir() if (p / "scheme.toml").is_file())

SCHEME = """
id = "quota-streak"
title = "承诺考评"
period = "2024"
locality = { name = "某县" }
[roles.secretary]
label = "村党支部书记"
[roles.director]
label = "村委会主任"
[scales.grade]
tiers = ["合格", "不合格"]
[scales.vote]
tiers = [{ label = "满意", points = 100 }, { label = "不满意", points = 0 }]
[scales.shuzhi]
tiers = ["好", "一般", "差"]
[groups.township]
label = "乡镇"
values = ["石门镇", "河畔乡"]
[facts.pledges]
label = "承诺事项件数"
type = "number"
[facts.overlap]
label = "交叉件数"
type = "number"
default = 0
[instruments.vote]
kind = "ballot"
title = "民主测评"
clause = "三"
scale = "vote"
min_respondents = 20
quorum = "2/3"
[instruments.jury]
kind = "points"
title = "评委团打分"
clause = "三"
items = { report = { label = "述职", max = 60 }, progress = { label = "进度", max = 40, mode = "deduct" } }
bonus = { label = "加分", max = 5 }
[weightings.main]
clause = "三"
total = 100
weights = { vote = 50, jury = 50 }
[gradings.main]
clause = "三"
scale = "grade"
round = { digits = 0, mode = "half_up" }
bands = [{ grade = "合格", at_least = 60 }, { grade = "不合格", below = 60 }]
[eligibility.few_pledges]
clause = "二"
text = "承诺事项少于3件的，不参加考评"
when = { fact = "pledges", below = 3 }
roles = ["secretary"]
[caps.overlap]
clause = "四"
text = "承诺事项交叉的，不得评为合格"
when = { fact = "overlap", above = 0 }
at_most = "不合格"
[caps.shuzhi]
clause = "四"
text = "述职评议为差的，不得评为合格"
when = { outcome = "shuzhi-2024", scale = "shuzhi", in = ["差"] }
at_most = "不合格"
roles = ["secretary"]
[quotas.fail]
clause = "五"
text = "不合格比例不低于5%"
grade = "不合格"
share = 0.05
bound = "at_least"
count = "ceil"
per = "township"
roles = ["secretary"]
[consequences.dismissal]
clause = "六"
text = "连续两年不合格的，予以调整"
when = { streak = "不合格", periods = 2, required = true }
roles = ["secretary"]
"""


@pytest.fixture(scope="module")
def quota_streak() -> ve.Scheme:
    return ve.loads_scheme(SCHEME, predicates={})


def role(data: dict[str, Any], role_id: str) -> dict[str, Any]:
    [found] = [r for r in data["roles"] if r["id"] == role_id]
    return found


class TestHuining:
    def test_top(self, huining: ve.Scheme) -> None:
        """Id, title, period, the time line and the hash results carry."""
        data = ve.describe_scheme(huining)
        assert 1 == data["format"]
        assert ("huining-midterm-2023", "村“两委”班子届中履职分析(2023)", "2023") == (
            data["id"],
            data["title"],
            data["period"],
        )
        assert {"calendar": "years", "order": []} == data["periods"]
        assert ve.scheme_hash(huining) == data["scheme_hash"]
        assert ["team", "member"] == [r["id"] for r in data["roles"]]
        assert ["村“两委”班子", "班子成员"] == [r["label"] for r in data["roles"]]

    @pytest.mark.parametrize("role_id", ["team", "member"])
    def test_instruments(self, huining: ve.Scheme, role_id: str) -> None:
        """Both roles need all five instruments, weighted 40/20/20/10/10 of 100, with their rules."""
        r = role(ve.describe_scheme(huining), role_id)
        assert ["好", "一般", "差"] == r["grades"]
        ins = {i["id"]: i for i in r["instruments"]}
        assert ["appraisal", "interview", "household_visit", "site_inspection", "party_committee"] == list(ins)
        assert ["ballot", "ballot", "ballot", "rating", "score"] == [i["kind"] for i in ins.values()]
        assert ["40", "20", "20", "10", "10"] == [i["weight"] for i in ins.values()]
        assert {"100"} == {i["out_of"] for i in ins.values()}
        assert not any(i["conditional"] for i in ins.values())
        assert ["四、2", "四、3", "四、5", "四、4", "四、6"] == [i["clause"] for i in ins.values()]
        three = {
            "id": "three",
            "title": "测评等次",
            "tiers": [
                {"label": "好", "points": "90"},
                {"label": "一般", "points": "70"},
                {"label": "差", "points": "40"},
            ],
        }
        assert all(ins[i]["scale"] == three for i in ("appraisal", "interview", "household_visit", "site_inspection"))
        assert (20, [], None) == (
            ins["appraisal"]["min_respondents"],
            ins["appraisal"]["must_cover"],
            ins["appraisal"]["per_stratum"],
        )
        assert 15 == ins["interview"]["min_respondents"]
        assert (["包村干部", "村干部", "驻村工作队员"], "every_member") == (
            ins["interview"]["must_cover"],
            ins["interview"]["cover"],
        )
        assert {"label": "自然村", "min": 3, "max": 5} == ins["household_visit"]["per_stratum"]
        assert (["乡村建设项目", "人居环境整治", "集体经济项目"], "at_least_one") == (
            ins["site_inspection"]["must_cover"],
            ins["site_inspection"]["cover"],
        )
        assert ("0", "100", None) == (
            ins["party_committee"]["min"],
            ins["party_committee"]["max"],
            ins["party_committee"]["scale"],
        )
        for ballot in ("appraisal", "interview", "household_visit"):
            assert (None, None, False) == (
                ins[ballot]["quorum"],
                ins[ballot]["max_respondents"],
                ins[ballot]["allow_empty"],
            )

    def test_facts(self, huining: ve.Scheme) -> None:
        """The seven facts of 四、6 and 四、7, each a required bool, for both roles."""
        for r in ve.describe_scheme(huining)["roles"]:
            facts = {f["name"]: f for f in r["facts"]}
            assert {
                "clan_interference",
                "extortion",
                "favouritism",
                "incompetence",
                "evasion",
                "absentee",
                "serious_problems",
            } == set(facts)
            assert all(f["type"] == "bool" and f["required"] and f["default"] is None for f in facts.values())
            assert "任职不到村，“遥控指挥”" == facts["absentee"]["label"]
            assert ("研判工作组", "四、7") == (facts["serious_problems"]["source"], facts["serious_problems"]["clause"])
            assert ([], None, []) == (r["groups"], r["history"], r["outcomes"])

    def test_text(self, huining: ve.Scheme) -> None:
        """The summary for people says the same, in English with the scheme's labels."""
        text = describe_text(huining)
        for line in (
            "huining-midterm-2023 — 村“两委”班子届中履职分析(2023)",
            "role team (村“两委”班子)",
            "  grades, best first: 好, 一般, 差",
            "    appraisal (述职测评, 四、2): ballot, weight 40 (sub-score out of 100)",
            "      scale three (测评等次): 好 = 90, 一般 = 70, 差 = 40",
            "      min_respondents: 20",
            "      must cover: 包村干部, 村干部, 驻村工作队员 (every member of each)",
            "      must cover: 乡村建设项目, 人居环境整治, 集体经济项目 (at least one of each)",
            "      per_stratum: {label: 自然村, min: 3, max: 5}",
            "    absentee (任职不到村，“遥控指挥”): bool, required",
        ):
            assert line in text.splitlines()


class TestQuotaAndStreak:
    def test_groups(self, quota_streak: ve.Scheme) -> None:
        """The township a quota counts by is required of the quota's role, with its declared values."""
        data = ve.describe_scheme(quota_streak)
        township = {
            "kind": "township",
            "label": "乡镇",
            "values": ["石门镇", "河畔乡"],
            "required": True,
            "quotas": ["fail"],
            "rankings": [],
        }
        assert [township] == role(data, "secretary")["groups"]
        assert [{**township, "required": False, "quotas": []}] == role(data, "director")["groups"]

    def test_a_ranking_per_group_requires_it(self, quota_streak: ve.Scheme) -> None:
        """A ranking per township requires the group of the roles it ranks, as a quota does;
        describe and the engine say the same."""
        data = ve.scheme_to_dict(quota_streak)
        data["rankings"] = {
            "order": {
                "clause": "六",
                "text": "各乡镇排名",
                "roles": ["director"],
                "per": "township",
                "rank_by": [{"score": "total"}],
            }
        }
        scheme = ve.scheme_from_dict(data)
        director = role(ve.describe_scheme(scheme), "director")["groups"]
        assert [
            {
                "kind": "township",
                "label": "乡镇",
                "values": ["石门镇", "河畔乡"],
                "required": True,
                "quotas": [],
                "rankings": ["order"],
            }
        ] == director
        with pytest.raises(ve.CohortError, match="has no 'township' group, which a ranking ranks by"):
            ve.evaluate(scheme, ve.Cohort([ve.Subject("b", "director")]))

    def test_the_engine_agrees_on_groups(self, quota_streak: ve.Scheme) -> None:
        """What describe calls required, the engine refuses to do without."""
        subject = ve.Subject("a", "secretary")
        with pytest.raises(ve.CohortError, match="has no 'township' group"):
            ve.evaluate(quota_streak, ve.Cohort([subject]))
        ve.evaluate(quota_streak, ve.Cohort([ve.Subject("b", "director")]))

    def test_history(self, quota_streak: ve.Scheme) -> None:
        """The secretary's streak reads one period back, required; the director's history is not read."""
        data = ve.describe_scheme(quota_streak)
        assert {
            "grades": ["合格", "不合格"],
            "required_periods": 1,
            "streaks": [
                {
                    "rule": "consequences.dismissal",
                    "clause": "六",
                    "grades": ["不合格"],
                    "periods": 2,
                    "required": True,
                }
            ],
        } == role(data, "secretary")["history"]
        assert role(data, "director")["history"] is None

    def test_outcomes_and_facts(self, quota_streak: ve.Scheme) -> None:
        """The linked assessment with its tiers; facts with their types, defaults and whether required."""
        data = ve.describe_scheme(quota_streak)
        secretary, director = role(data, "secretary"), role(data, "director")
        assert [{"assessment": "shuzhi-2024", "tiers": ["好", "一般", "差"]}] == secretary["outcomes"]
        assert [] == director["outcomes"]
        facts = {f["name"]: (f["type"], f["default"], f["required"]) for f in secretary["facts"]}
        assert {"pledges": ("number", None, True), "overlap": ("number", "0", False)} == facts
        # The director's rules read only the overlap (the eligibility rule is the secretary's).
        assert ["overlap"] == [f["name"] for f in director["facts"]]

    def test_instrument_keys_of_their_kinds(self, quota_streak: ve.Scheme) -> None:
        """A ballot's quorum, a points instrument's items (max and mode) and bonus, as exact text."""
        ins = {i["id"]: i for i in role(ve.describe_scheme(quota_streak), "secretary")["instruments"]}
        assert "2/3" == ins["vote"]["quorum"]
        assert {
            "report": {"label": "述职", "max": "60", "mode": "award"},
            "progress": {"label": "进度", "max": "40", "mode": "deduct"},
        } == ins["jury"]["items"]
        assert {"label": "加分", "max": "5"} == ins["jury"]["bonus"]
        assert ins["jury"]["scale"] is None

    def test_text(self, quota_streak: ve.Scheme) -> None:
        """The summary names the group, the streak and the linked assessment."""
        lines = describe_text(quota_streak).splitlines()
        for line in (
            "  group township (乡镇): required by quota fail; one of 石门镇, 河畔乡",
            "  history (earlier period → grade, one of 合格, 不合格): "
            "the 1 period(s) before the current one are required",
            "    consequences.dismissal (六): 不合格 2 periods in a row, history required",
            "  outcome of shuzhi-2024: one of 好, 一般, 差",
            "    overlap (交叉件数): number, default 0",
        ):
            assert line in lines


class TestSchema:
    @pytest.mark.parametrize("scheme_id", BUNDLED)
    def test_bundled_fit_the_schema(self, scheme_id: str) -> None:
        """The description of every bundled scheme fits describe-1.schema.json."""
        data = json.loads(json.dumps(ve.describe_scheme(ve.load_scheme(scheme_id)), ensure_ascii=False))
        assert [] == [f"{e.json_path}: {e.message}" for e in DESCRIBE.iter_errors(data)]

    def test_keys_are_the_schema_properties(self, quota_streak: ve.Scheme) -> None:
        """Each object of a description has exactly its schema's properties (a key added fails here)."""
        data = ve.describe_scheme(quota_streak)
        assert [] == list(DESCRIBE.iter_errors(data))
        defs = _schema.shipped("describe")["$defs"]
        secretary = role(data, "secretary")
        ins = {i["id"]: i for i in secretary["instruments"]}
        pairs = [
            (data, _schema.shipped("describe")),
            (secretary, defs["Role"]),
            (ins["vote"], defs["BallotInstrument"]),
            (ins["jury"], defs["PointsInstrument"]),
            (ins["vote"]["scale"], defs["Scale"]),
            (ins["vote"]["scale"]["tiers"][0], defs["Tier"]),
            (secretary["facts"][0], defs["Fact"]),
            (secretary["groups"][0], defs["Group"]),
            (secretary["history"], defs["History"]),
            (secretary["history"]["streaks"][0], defs["Streak"]),
            (secretary["outcomes"][0], defs["LinkedOutcome"]),
        ]
        for obj, schema in pairs:
            assert sorted(obj) == sorted(schema["properties"])

    def test_instruments_are_discriminated_by_kind(self) -> None:
        """Each built-in kind's instrument schema has its name as the const of ``kind``."""
        defs = _schema.shipped("describe")["$defs"]
        mapping = defs["Instrument"]["discriminator"]["mapping"]
        assert ["ballot", "rating", "score", "points", "item_ballot", "ledger"] == list(mapping)
        for name, ref in mapping.items():
            assert name == defs[ref.removeprefix("#/$defs/")]["properties"]["kind"]["const"]


class TestCommand:
    def test_json(self, capsys: pytest.CaptureFixture[str], huining: ve.Scheme) -> None:
        """``--format json`` prints describe_scheme's document."""
        assert 0 == main(["describe", "huining-midterm-2023", "--format", "json"])
        assert ve.describe_scheme(huining) == json.loads(capsys.readouterr().out)

    def test_text_by_default(self, capsys: pytest.CaptureFixture[str], huining: ve.Scheme) -> None:
        """Without ``--format`` it prints the summary."""
        assert 0 == main(["describe", "huining-midterm-2023"])
        assert describe_text(huining) == capsys.readouterr().out

    def test_unknown_scheme(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown scheme is bad input (2), with a did-you-mean."""
        assert 2 == main(["describe", "huining-midterm-2022"])
        assert "did you mean 'huining-midterm-2023'?" in capsys.readouterr().err

    def test_type_error(self) -> None:
        """A scheme id instead of a loaded scheme is a TypeError saying what to do."""
        with pytest.raises(TypeError, match=r"villageeval\.Scheme"):
            ve.describe_scheme("huining-midterm-2023")  # type: ignore[arg-type]
