"""The printable HTML report (``villageeval.report``): its content, escaping and language,
then the page in a real browser (headless system Chromium, skipped where there is none).

Expected figures are derived by hand from the demo cohorts and the scheme documents
(docs/schemes/*.md), never read back from the engine's output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.browser import chromium, missing, open_page, screenshot

import villageeval as ve
from villageeval.report import render_report, write_report

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"
DAZEHU = ROOT / "schemes" / "dazehu-annual-2021" / "demo.json"
DECISION = "1b4e28ba-2fa1-4d2b-883f-0016d3cca427"
WHEN = "2024-05-06T07:08:09Z"
HAN = re.compile(r"[\u3400-\u9fff]")


# --- what the demo should give, by hand ------------------------------------------------------

# docs/schemes/huining-midterm-2023.md, "The demo cohort": these five are insufficient
# (红岘村: only 2 of 3 驻村工作队员 interviewed; tuanzhuang-member-3: 18 valid ballots).
INSUFFICIENT = {"hongxian-team", "hongxian-member-2", "hongxian-member-3", "hongxian-secretary", "tuanzhuang-member-3"}
# 四、6: the six situations of the one-vote veto (serious_problems only adds a referral).
VETOES = ("clan_interference", "extortion", "favouritism", "incompetence", "evasion", "absentee")
POINTS = {"好": 90, "一般": 70, "差": 40}  # 四、2


def _demo(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f, parse_float=Decimal)
    return data


def _mean(tallies: dict[str, int]) -> Fraction:
    return Fraction(sum(POINTS[t] * n for t, n in tallies.items()), sum(tallies.values()))


def _huining_grade(subject: dict[str, Any]) -> str:
    """The notice's own arithmetic (四、2–6): weights 40/20/20/10/10, half-up to a whole
    number, 85 及以上 好, 66–84 一般, 65 及以下 差; a veto makes it 差."""
    if subject["id"] in INSUFFICIENT:
        return "insufficient_evidence"
    e = subject["evidence"]
    total = (
        _mean(e["appraisal"]["tallies"]) * Fraction(40, 100)
        + _mean(e["interview"]["tallies"]) * Fraction(20, 100)
        + _mean(e["household_visit"]["tallies"]) * Fraction(20, 100)
        + POINTS[e["site_inspection"]["tier"]] * Fraction(10, 100)
        + Fraction(e["party_committee"]["value"]) * Fraction(10, 100)
    )
    rounded = int(total + Fraction(1, 2))  # half up, for a positive total
    if any(subject["facts"][f] for f in VETOES):
        return "差"
    return "好" if rounded >= 85 else "一般" if rounded >= 66 else "差"


def _huining_by_hand() -> dict[str, Counter[str]]:
    """role → grade (or insufficient_evidence) → how many, from demo.json."""
    counts: dict[str, Counter[str]] = {"team": Counter(), "member": Counter()}
    for subject in _demo(HUINING)["subjects"]:
        counts[subject["role"]][_huining_grade(subject)] += 1
    return counts


def test_hand_derivation_matches_the_documented_totals() -> None:
    """The hand derivation above gives the totals `villageeval evaluate` prints for the demo
    (一般 28, 好 10, 差 7, insufficient_evidence 5), so the figures below can be trusted."""
    by_hand = _huining_by_hand()
    assert {"一般": 28, "好": 10, "差": 7, "insufficient_evidence": 5} == by_hand["team"] + by_hand["member"]


# --- reading the page ---------------------------------------------------------------------------


@dataclass
class Element:
    """An element of the page: its tag, attributes, text (its descendants' too) and ancestors."""

    index: int
    tag: str
    attrs: dict[str, str]
    ancestors: tuple[int, ...]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class Page(HTMLParser):
    """The HTML as the tests read it, with html.parser: elements in document order."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "wbr"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[int] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(len(self.elements), tag, {k: v or "" for k, v in attrs}, tuple(self._open))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element.index)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(len(self.elements), tag, {k: v or "" for k, v in attrs}, tuple(self._open)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self.elements[self._open[depth]].tag == tag:
                del self._open[depth:]
                break

    def handle_data(self, data: str) -> None:
        for i in self._open:
            self.elements[i].parts.append(data)

    def find(self, tag: str, class_: str = "", within: Element | None = None, **attrs: str) -> list[Element]:
        """Each ``tag`` with the class and attributes given, inside ``within`` if given."""
        return [
            e
            for e in self.elements
            if e.tag == tag
            and (not class_ or e.has_class(class_))
            and all(e.attrs.get(k) == v for k, v in attrs.items())
            and (within is None or within.index in e.ancestors)
        ]

    def texts(self, tag: str, class_: str = "", within: Element | None = None, **attrs: str) -> list[str]:
        return [e.text for e in self.find(tag, class_, within, **attrs)]

    def one(self, tag: str, class_: str = "", within: Element | None = None, **attrs: str) -> Element:
        (found,) = self.find(tag, class_, within, **attrs)
        return found

    def fields(self, within: Element) -> dict[str, str]:
        """A label/value list inside ``within``: each <dt> → the <dd> after it."""
        return dict(zip(self.texts("dt", within=within), self.texts("dd", within=within), strict=True))

    def rows(self, within: Element) -> list[list[str]]:
        """Every body row of the tables inside ``within``, as its cells' texts."""
        rows = [self.texts("td", within=tr) for tr in self.find("tr", within=within)]
        return [r for r in rows if r]

    def card(self, subject_id: str) -> Element:
        return self.one("article", "subject", **{"data-subject": subject_id})


def _totals(page: Page) -> dict[str, dict[str, int]]:
    """Role label → column → count, from the totals tables."""
    return {
        page.one("caption", within=t).text: dict(
            zip(page.texts("th", within=t), (int(n) for n in page.texts("td", within=t)), strict=True)
        )
        for t in page.find("table", "totals")
    }


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huining() -> tuple[ve.Scheme, ve.Result]:
    scheme = ve.load_scheme("huining-midterm-2023")
    return scheme, ve.evaluate(scheme, ve.load_cohort(HUINING), decision_id=DECISION, evaluated_at=WHEN)


@pytest.fixture(scope="module")
def dazehu() -> tuple[ve.Scheme, ve.Result]:
    scheme = ve.load_scheme("dazehu-annual-2021")
    return scheme, ve.evaluate(scheme, ve.load_cohort(DAZEHU))


@pytest.fixture(scope="module")
def zh_page(huining: tuple[ve.Scheme, ve.Result]) -> str:
    return render_report(*huining)


@pytest.fixture(scope="module")
def en_page(huining: tuple[ve.Scheme, ve.Result]) -> str:
    return render_report(*huining, lang="en")


# --- content ---------------------------------------------------------------------------------------


class TestContent:
    def test_every_subject_has_its_section(self, zh_page: str) -> None:
        """Each of the demo's 50 subjects (its ids read from demo.json) has one card."""
        ids = [s["id"] for s in _demo(HUINING)["subjects"]]
        cards = [e.attrs["data-subject"] for e in Page(zh_page).find("article", "subject")]
        assert 50 == len(ids)
        assert sorted(ids) == sorted(cards)

    def test_self_contained(self, zh_page: str) -> None:
        """No script, stylesheet link, image or URL: every link is to a part of the page."""
        page = Page(zh_page)
        assert "http://" not in zh_page
        assert "https://" not in zh_page
        assert [] == [e.tag for e in page.elements if e.tag in {"script", "link", "img", "iframe", "object", "embed"}]
        assert [] == [e.attrs for e in page.elements if "src" in e.attrs or "xlink:href" in e.attrs]
        hrefs = [e.attrs["href"] for e in page.elements if "href" in e.attrs]
        assert hrefs
        assert [] == [h for h in hrefs if not h.startswith("#")]
        anchors = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
        assert {h[1:] for h in hrefs} <= anchors

    def test_totals_per_role_by_hand(self, zh_page: str) -> None:
        """Totals per role, the scale's order (好 一般 差), then 证据不足, from the hand derivation."""
        by_hand = _huining_by_hand()
        expected = {
            label: {
                "好": by_hand[role]["好"],
                "一般": by_hand[role]["一般"],
                "差": by_hand[role]["差"],
                "证据不足": by_hand[role]["insufficient_evidence"],
                "合计": sum(by_hand[role].values()),
            }
            for role, label in (("team", "村“两委”班子"), ("member", "班子成员"))
        }
        totals = _totals(Page(zh_page))
        assert expected == totals
        assert ["好", "一般", "差", "证据不足", "合计"] == list(totals["班子成员"])
        assert 11 == totals["村“两委”班子"]["合计"]  # one team per village

    def test_chart_bar_per_grade_with_counts(self, zh_page: str) -> None:
        """One chart per role, a bar per grade in the scale's order, labelled with its count."""
        by_hand = _huining_by_hand()
        page = Page(zh_page)
        charts = page.find("svg", "grade-chart")
        assert ["村“两委”班子各等次数量", "班子成员各等次数量"] == [c.attrs["aria-label"] for c in charts]
        for chart, role in zip(charts, ("team", "member"), strict=True):
            expected = [(g, by_hand[role][g]) for g in ("好", "一般", "差")]
            bars = page.find("g", "bar-group", within=chart)
            assert expected == [(b.attrs["data-grade"], int(b.attrs["data-count"])) for b in bars]
            assert [str(n) for _, n in expected] == page.texts("text", "count", within=chart)
            assert [g for g, _ in expected] == page.texts("text", "grade", within=chart)

    def test_chart_geometry_is_proportional(self, zh_page: str) -> None:
        """The tallest bar is the largest count, the others in proportion, in whole pixels."""
        page = Page(zh_page)
        bars = [(int(e.attrs["height"]), int(e.attrs["y"])) for e in page.find("rect", "bar")]
        # Members: 好 6, 一般 24, 差 5 (by hand): 120 px for 24, so 6 → 30 and 5 → 25.
        assert [30, 120, 25] == [h for h, _ in bars[3:]]
        assert 1 == len({h + y for h, y in bars})  # every bar stands on the same baseline

    def test_scheme_and_source(self, zh_page: str) -> None:
        """The header names the scheme, its source document (scheme.toml's [source]) and the period."""
        page = Page(zh_page)
        assert ["村“两委”班子届中履职分析(2023)"] == page.texts("h1")
        fields = page.fields(page.one("section", id="scheme"))
        assert "huining-midterm-2023" == fields["方案标识"]
        assert "会组发〔2023〕60号" == fields["依据文件"]
        assert "关于开展村“两委”班子届中履职分析的通知" == fields["文件标题"]
        assert "2023" == fields["评定期间"]
        assert "2023-06-14" == fields["日期"]
        assert "会宁县" == fields["地区"]

    def test_veto_explained_with_rule_and_clause(self, zh_page: str) -> None:
        """xicha-secretary (README): 87.44 gives 好, the absentee veto of 四、6 makes it 差."""
        page = Page(zh_page)
        card = page.card("xicha-secretary")
        facts = page.fields(card)
        assert ("87.44", "好", "差", "已评定") == (
            facts["综合得分"],
            facts["计分等次"],
            facts["评定等次"],
            facts["状态"],
        )
        assert "一票否决情形：absentee" == facts["标记"]
        adjustment = page.rows(card)[0]
        assert adjustment[0].startswith("一票否决：好 → 差")
        assert "任职不到村" in adjustment[0]  # the veto's text, as scheme.toml writes it
        assert ["absentee", "四、6"] == adjustment[1:]
        # The explanation: every step with its rule and clause; the appraisal (四、2) first.
        trace = page.rows(page.one("table", "trace", within=card))
        assert ["计分", "appraisal", "四、2"] == [trace[0][0], *trace[0][2:]]
        assert ["absentee", "四、6"] in [r[2:] for r in trace]

    def test_insufficient_subject_gives_its_reasons(self, zh_page: str) -> None:
        """hongxian-team: not graded, no score, the interview coverage shortfall as its reason."""
        page = Page(zh_page)
        card = page.card("hongxian-team")
        facts = page.fields(card)
        assert ("证据不足", "—", "—") == (facts["状态"], facts["综合得分"], facts["评定等次"])
        assert "未评定原因" in page.texts("h5", within=card)
        reasons = page.rows(page.one("table", "entries", within=card))
        assert ["interview"] == [r[1] for r in reasons]

    def test_ineligible_status_in_the_documents_words(self) -> None:
        """zhen-midterm-2023: u4-member-3 (an open police case, docs/schemes) 不参加评定."""
        scheme = ve.load_scheme("zhen-midterm-2023")
        result = ve.evaluate(scheme, ve.load_cohort(ROOT / "schemes" / "zhen-midterm-2023" / "demo.json"))
        page = Page(render_report(scheme, result))
        assert "不参加评定" == page.fields(page.card("u4-member-3"))["状态"]

    def test_units_by_name_team_first(self, zh_page: str) -> None:
        """A section per village, by name; in each the team, then the members by id."""
        subjects = _demo(HUINING)["subjects"]
        units = sorted({s["unit"] for s in subjects})
        page = Page(zh_page)
        sections = page.find("section", "unit")
        assert 11 == len(units)
        assert units == [page.find("h3", within=s)[0].text for s in sections]
        beiguan = next(s for s in sections if page.find("h3", within=s)[0].text == "北关村")
        members = sorted(s["id"] for s in subjects if s["unit"] == "北关村" and s["role"] == "member")
        assert ["beiguan-team", *members] == [e.attrs["data-subject"] for e in page.find("article", within=beiguan)]

    def test_no_quota_no_tie_no_referral(self, zh_page: str) -> None:
        """huining-midterm-2023 has no quotas: the page says so, and shows no 待研究 section."""
        committee = Page(zh_page)
        assert ["本方案未设名额比例。"] == committee.texts("p", within=committee.one("section", id="quotas"))
        assert "无并列情形。" in committee.texts("p", within=committee.one("section", id="committee"))
        assert [] == committee.find("section", id="referred")

    def test_audit_stamp(self, huining: tuple[ve.Scheme, ve.Result], zh_page: str) -> None:
        """The audit stamp: hashes, the decision id and time given to evaluate, version, plugins."""
        scheme, _ = huining
        page = Page(zh_page)
        audit = page.one("section", id="audit")
        fields = page.fields(audit)
        assert ve.scheme_hash(scheme) == fields["方案哈希"]
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", fields["数据哈希"])
        assert DECISION == fields["评定编号"]
        assert WHEN == fields["评定时间（UTC）"]
        assert ve.__version__ == fields["villageeval 版本"]
        plugins = page.rows(audit)
        assert [["villageeval._builtin", "villageeval", ve.__version__]] == [r[:3] for r in plugins]


class TestCommittee:
    def test_quota_usage(self, dazehu: tuple[ve.Scheme, ve.Result]) -> None:
        """dazehu-annual-2021 (docs/schemes): four quotas of 三、(一)2(3), each with its limit."""
        page = Page(render_report(*dazehu))
        table = page.one("table", "quotas")
        rows = page.rows(table)
        assert ["village_first_class", "secretary_excellent", "cadre_excellent", "work_team_excellent"] == page.texts(
            "span", "code", within=table
        )
        assert {"三、(一)2(3)"} == {r[1] for r in rows}
        # 一类 ≤ 50% of the 8 villages and communities: 4; 优秀 ≤ 30% of 16 cadres, floored: 4,
        # soft (原则上): 6 hold it and stay (docs/schemes/dazehu-annual-2021.md).
        assert rows[0][4].startswith("8个中不超过4个")
        assert rows[2][4].startswith("16个中不超过4个")
        assert "原则上" in rows[2][4]
        assert ("6", "6") == (rows[2][5], rows[2][6])

    def test_ties_for_the_committee(self, dazehu: tuple[ve.Scheme, ve.Result]) -> None:
        """The demo's two ties (docs/schemes/dazehu-annual-2021.md), each linked to its subjects' cards."""
        page = Page(render_report(*dazehu))
        names = {s["id"]: s["name"] for s in _demo(DAZEHU)["subjects"]}
        ties = page.find("li", within=page.one("ul", "ties"))
        assert 2 == len(ties)
        cards = {e.attrs["id"]: e.attrs["data-subject"] for e in page.find("article", "subject")}
        linked = [[cards[a.attrs["href"][1:]] for a in page.find("a", within=t)] for t in ties]
        assert [["dongma-village", "xitang-village"], ["nantang-work-team", "taoyuan-work-team"]] == linked
        assert [names[s] for s in linked[0]] == page.texts("a", within=ties[0])
        # Three warnings: the two ties and the cadres' soft quota.
        assert 3 == len(page.find("li", within=page.one("ul", "warnings")))

    def test_referred_section_only_when_referred(self, huining: tuple[ve.Scheme, ve.Result]) -> None:
        """A status "referred" (a later issue's) is listed under 待研究 and counted on its own."""
        scheme, result = huining
        outcomes = tuple(
            attrs.evolve(o, status="referred") if o.subject_id == "yangzhuang-secretary" else o for o in result.outcomes
        )
        page = Page(render_report(scheme, attrs.evolve(result, outcomes=outcomes)))
        referred = page.one("section", id="referred")
        assert ["待研究"] == page.texts("h3", within=referred)
        (link,) = page.find("a", within=referred)
        assert "杨某(杨庄村党支部书记、村委会主任)" == link.text
        assert "yangzhuang-secretary" == page.one("article", id=link.attrs["href"][1:]).attrs["data-subject"]
        assert "待研究" == page.fields(page.card("yangzhuang-secretary"))["状态"]
        members = _totals(page)["班子成员"]
        # 差 5 by hand, one of them (yangzhuang-secretary) now referred instead.
        assert (4, 1) == (members["差"], members["待研究"])


class TestLanguage:
    def test_english_headings(self, en_page: str) -> None:
        """lang="en": every heading the report writes is English; the scheme's labels as written."""
        page = Page(en_page)
        headings = page.texts("h2") + page.texts("h5")
        assert {"Contents", "The scheme", "Totals", "Grade distribution", "Quota usage", "For the committee"} <= set(
            headings
        )
        assert {"Villages", "Audit stamp", "Explanation", "Consequences", "Why it is not graded"} <= set(headings)
        assert [] == [h for h in headings if HAN.search(h)]
        assert "insufficient evidence" == page.fields(page.card("hongxian-team"))["Status"]
        assert ["好", "一般", "差", "insufficient evidence", "Total"] == list(_totals(page)["村“两委”班子"])
        assert "en" == page.one("html").attrs["lang"]

    def test_chinese_by_default(self, zh_page: str) -> None:
        """The default is Chinese: every section heading is Chinese, and the page says zh-CN."""
        page = Page(zh_page)
        assert all(HAN.search(h) for h in page.texts("h2") + page.texts("h5"))
        assert {"评定结果汇总", "等次分布", "提请党委会研究", "各村评定情况", "审计信息"} <= set(page.texts("h2"))
        assert "zh-CN" == page.one("html").attrs["lang"]

    def test_unknown_language(self, huining: tuple[ve.Scheme, ve.Result]) -> None:
        with pytest.raises(ValueError, match="'fr'"):
            render_report(*huining, lang="fr")


def _hostile() -> dict[str, Any]:
    """The demo with markup in a subject's id, name, unit and notes (a cohort may hold anything)."""
    data = _demo(HUINING)
    first = data["subjects"][0]
    first["id"] = 'x"><script>alert(2)</script>'
    first["name"] = "<script>alert(1)</script>"
    first["unit"] = "<b>北关村</b>"
    first["notes"] = {"存在问题": "<img src=x onerror=alert(3)>"}
    return data


class TestEscaping:
    def test_markup_from_the_cohort_is_text(self) -> None:
        """Every value from the cohort is escaped: the markup is shown, never parsed."""
        scheme = ve.load_scheme("huining-midterm-2023")
        html = render_report(scheme, ve.evaluate(scheme, ve.cohort_from_dict(_hostile())))
        assert "<script" not in html
        assert "<img" not in html
        assert "<b>" not in html
        page = Page(html)
        card = page.card('x"><script>alert(2)</script>')
        assert ["<script>alert(1)</script>"] == page.texts("h4", within=card)
        assert "<img src=x onerror=alert(3)>" == page.fields(card)["存在问题"]
        assert "<b>北关村</b>" in page.texts("h3")


class TestApi:
    def test_result_of_another_scheme(self, huining: tuple[ve.Scheme, ve.Result]) -> None:
        with pytest.raises(ValueError, match="'huining-midterm-2023', not 'dazehu-annual-2021'"):
            render_report(ve.load_scheme("dazehu-annual-2021"), huining[1])

    def test_not_a_result(self, huining: tuple[ve.Scheme, ve.Result]) -> None:
        with pytest.raises(TypeError, match="result"):
            render_report(huining[0], ve.result_to_dict(huining[1]))  # type: ignore[arg-type]

    def test_write_report_utf8_replacing_whole(self, huining: tuple[ve.Scheme, ve.Result], tmp_path: Path) -> None:
        """The file holds the page in UTF-8; an earlier file is replaced; no temporary is left."""
        target = tmp_path / "报告.html"
        target.write_text("old", encoding="utf-8")
        write_report(*huining, target)
        assert render_report(*huining) == target.read_bytes().decode("utf-8")
        assert ["报告.html"] == [p.name for p in tmp_path.iterdir()]

    def test_failed_write_leaves_the_old_file(self, huining: tuple[ve.Scheme, ve.Result], tmp_path: Path) -> None:
        target = tmp_path / "report.html"
        target.write_text("old", encoding="utf-8")
        with pytest.raises(ValueError, match="unknown language"):
            write_report(*huining, target, lang="xx")
        with pytest.raises(TypeError, match="path"):
            write_report(*huining, 42)  # type: ignore[arg-type]
        assert "old" == target.read_text(encoding="utf-8")
        assert ["report.html"] == [p.name for p in tmp_path.iterdir()]

    def test_import_villageeval_needs_no_jinja2(self) -> None:
        """Grading imports neither Jinja2 nor openpyxl: only villageeval.report needs Jinja2."""
        code = (
            "import sys, villageeval as ve\n"
            "s = ve.load_scheme('huining-midterm-2023')\n"
            f"ve.evaluate(s, ve.load_cohort({str(HUINING)!r}))\n"
            "print(sorted(m for m in ('jinja2', 'openpyxl') if m in sys.modules))\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert "[]" == out.stdout.strip()


# --- in a real browser --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Any:
    reason = missing()
    if reason is not None:
        pytest.skip(f"browser tests skipped: {reason}")
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def report_file(huining: tuple[ve.Scheme, ve.Result], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "huining.html"
    write_report(*huining, path)
    return path


class TestInBrowser:
    def test_loads_offline_without_errors(self, browser: Any, report_file: Path) -> None:
        """The only request is the file itself; no console error, page error or failed request."""
        with open_page(browser, report_file) as loaded:
            assert [] == loaded.problems
            assert [report_file.resolve().as_uri()] == loaded.requests
            assert "村“两委”班子届中履职分析(2023)评定结果报告" == loaded.page.title()

    def test_the_guard_sees_network_and_errors(self, browser: Any, tmp_path: Path) -> None:
        """The checks above can fail: a page that fetches, throws or alerts is reported, never fetched."""
        path = tmp_path / "bad.html"
        path.write_text(
            '<!DOCTYPE html><img src="https://example.invalid/x.png"><script>alert("hi"); null.x</script>',
            encoding="utf-8",
        )
        with open_page(browser, path) as loaded:
            assert ["https://example.invalid/x.png"] == loaded.refused
            assert ["hi"] == loaded.dialogs
            assert 1 == len(loaded.page_errors)
            assert [] == loaded.failed

    def test_chart_and_every_subject(self, browser: Any, report_file: Path) -> None:
        """The charts are drawn with a visible bar per grade and its count; every name is shown."""
        by_hand = _huining_by_hand()
        with open_page(browser, report_file) as loaded:
            page = loaded.page
            charts = page.locator("svg.grade-chart")
            assert 2 == charts.count()
            for i, role in enumerate(("team", "member")):
                groups = charts.nth(i).locator("g.bar-group")
                shown = [
                    (groups.nth(j).get_attribute("data-grade"), groups.nth(j).locator("text.count").text_content())
                    for j in range(groups.count())
                ]
                assert [(g, str(by_hand[role][g])) for g in ("好", "一般", "差")] == shown
                for j in range(groups.count()):
                    box = groups.nth(j).locator("rect.bar").bounding_box()
                    assert box is not None
                    assert box["height"] > 0
            body = page.inner_text("body")
            for subject in _demo(HUINING)["subjects"]:
                assert subject["name"] in body

    def test_prints_on_a4(self, browser: Any, report_file: Path, tmp_path: Path) -> None:
        """Print media: villages start a page, subjects are not split; the A4 PDF is saved."""
        with open_page(browser, report_file) as loaded:
            page = loaded.page
            page.emulate_media(media="print")
            assert page.evaluate("matchMedia('print').matches")
            assert "page" == page.evaluate("getComputedStyle(document.querySelector('section.unit')).breakBefore")
            assert "avoid" == page.evaluate("getComputedStyle(document.querySelector('article.subject')).breakInside")
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF")
            (tmp_path / "report.pdf").write_bytes(pdf)
            assert [] == loaded.problems

    def test_markup_does_not_run(self, browser: Any, tmp_path: Path) -> None:
        """The hostile cohort's markup is shown as text: nothing runs, nothing is fetched."""
        scheme = ve.load_scheme("huining-midterm-2023")
        path = tmp_path / "hostile.html"
        write_report(scheme, ve.evaluate(scheme, ve.cohort_from_dict(_hostile())), path)
        with open_page(browser, path) as loaded:
            assert [] == loaded.problems  # no alert() dialog, no request for the <img>
            assert "<script>alert(1)</script>" in loaded.page.inner_text("body")
            assert 0 == loaded.page.locator("script, img").count()

    def test_screenshot_helper(self, browser: Any, report_file: Path, tmp_path: Path) -> None:
        """tests.browser.screenshot (reusable for the docs): the full-page PNG, saved under tmp_path."""
        png = tmp_path / "report.png"
        screenshot(report_file, png, browser=browser)
        assert png.read_bytes().startswith(b"\x89PNG")


def test_places_in_the_subject_sections() -> None:
    """Each ranked subject's section shows its place in yugong-pledge-2023's 综合排名 (三、(二)2):
    王庄's 一人兼 is first of 10 (277/3, tests/test_scheme_yugong.py TestDemo.test_ranking);
    a barred subject (石桥) has no place and no such row."""
    scheme = ve.load_scheme(ROOT / "schemes" / "yugong-pledge-2023")
    result = ve.evaluate(scheme, ve.load_cohort(ROOT / "schemes" / "yugong-pledge-2023" / "demo.json"))
    page = render_report(scheme, result)
    sections = {
        m.group(1): m.group(2) for m in re.finditer(r'<section[^>]*id="([^"]+)".*?>(.*?)</section>', page, re.S)
    }
    wang = next(body for anchor, body in sections.items() if "wangzhuang-both" in body)
    assert "名次:对村干部考评情况进行综合排名</dt><dd>第 1 名(共 10 名)" in wang
    shiqiao = next(body for anchor, body in sections.items() if "shiqiao-both" in body)
    assert "名次" not in shiqiao
