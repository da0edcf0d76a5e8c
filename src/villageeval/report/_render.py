"""A result as one self-contained, printable HTML page: what ``villageeval report`` writes.

Everything the committee reads is decided here, in Python, as a view model of strings and
integers (:class:`ReportView`); the Jinja2 template only loops over it. So the rules of the
page (which statuses go to the committee, the order of villages and roles, the chart's
geometry) are type-checked and tested like the rest of villageeval, scores stay exact
until they are the outcome's ``score_display``, and autoescaping covers every value that
comes from a cohort (names, notes), which may hold markup.
"""

from __future__ import annotations

import functools
import os
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from attrs import frozen
from jinja2 import Environment, PackageLoader, StrictUndefined

from .._catalogue import Lang, check_lang, render_reason, render_step, render_text, show, text
from .._catalogue.report import MESSAGES
from .._describe import describe_scheme
from .._model import Scheme
from .._result import Outcome, PopulationUsage, Result

__all__ = ["render_report", "write_report"]

#: Shown where a value is absent (no score, an audit field of a result built by hand).
DASH = "—"
#: The statuses other than ``graded``, in the order the totals show them; any other
#: status (one a later format brings) follows, by name.
STATUS_ORDER = ("insufficient_evidence", "ineligible", "referred")
#: The statuses the committee must decide on: their subjects are listed under 待研究.
COMMITTEE_STATUSES = ("referred",)

# The chart's geometry, in CSS pixels: whole numbers, so that no score or count ever
# passes through a float on its way to the page.
BAR_WIDTH = 56
BAR_GAP = 16
PLOT_HEIGHT = 120
MARGIN = 16
TOP = 24  # room for the count above the tallest bar
BOTTOM = 28  # room for the grade under the bars


# --- the view model ------------------------------------------------------------------------


@frozen
class Row:
    """A label and its value (the scheme's header, a subject's facts, the audit stamp)."""

    label: str
    value: str


@frozen
class Link:
    """A subject named in a list, pointing at its section of the page."""

    anchor: str
    label: str


@frozen
class Bar:
    """One grade's bar of a chart, with where its count and its grade are written."""

    grade: str
    count: int
    x: int
    y: int
    width: int
    height: int
    middle: int
    count_y: int
    label_y: int


@frozen
class Chart:
    """The grade distribution of one role as an SVG bar chart, best grade first."""

    label: str
    width: int
    height: int
    baseline: int
    bars: tuple[Bar, ...]


@frozen
class RoleTotals:
    """How many subjects of one role got each grade, then each other status."""

    role: str
    columns: tuple[str, ...]
    counts: tuple[int, ...]
    chart: Chart


@frozen
class QuotaRow:
    """How one quota stood in one population."""

    quota: str
    text: str
    clause: str
    grade: str
    group: str
    limit: str
    enforce: str
    before: int
    after: int
    moved: str
    status: str


@frozen
class Tie:
    """Subjects tied at a quota's cut, settled by id, for the committee to confirm."""

    text: str
    subjects: tuple[Link, ...]


@frozen
class Referred:
    """A subject whose status leaves the decision to the committee, and why."""

    subject: Link
    reasons: tuple[str, ...]


@frozen
class Entry:
    """An adjustment, consequence, finding or reason: its text and the rule and clause behind it."""

    text: str
    detail: str
    rule: str
    clause: str


@frozen
class Step:
    """One step of a subject's explanation."""

    kind: str
    text: str
    rule: str
    clause: str


@frozen
class SubjectView:
    """One subject's outcome, as its section of the page shows it."""

    anchor: str
    id: str
    title: str
    status: str
    facts: tuple[Row, ...]
    adjustments: tuple[Entry, ...]
    consequences: tuple[Entry, ...]
    findings: tuple[Entry, ...]
    reasons: tuple[Entry, ...]
    notes: tuple[Row, ...]
    trace: tuple[Step, ...]


@frozen
class UnitView:
    """A village (or community) and its subjects: the team first, then its members."""

    anchor: str
    name: str
    count: str
    subjects: tuple[SubjectView, ...]


@frozen
class PluginRow:
    """A plugin that took part, as the audit stamp lists it."""

    name: str
    distribution: str
    version: str
    code_hash: str


@frozen
class ReportView:
    """Everything the template shows, already in the report's language."""

    lang: str
    title: str
    scheme_title: str
    labels: Mapping[str, str]
    header: tuple[Row, ...]
    totals: tuple[RoleTotals, ...]
    quotas: tuple[QuotaRow, ...]
    ties: tuple[Tie, ...]
    warnings: tuple[str, ...]
    referred: tuple[Referred, ...]
    units: tuple[UnitView, ...]
    audit: tuple[Row, ...]
    plugins: tuple[PluginRow, ...]
    footer: str


# --- building it -----------------------------------------------------------------------------


def _coded(area: str, code: str, lang: Lang, **params: object) -> str:
    """The label of a code (a status, a step, a flag's kind), or the code itself when the
    catalogue has none: a plugin's own step or a status of a later format is still shown."""
    key = f"report.{area}.{code}"
    return text(key, lang, **params) if key in MESSAGES else code


def _labels(lang: Lang) -> dict[str, str]:
    """Every label of the area that takes no parameter, keyed without ``report.``."""
    parse = string.Formatter().parse
    return {
        key.removeprefix("report."): text(key, lang)
        for key, (english, _) in MESSAGES.items()
        if all(name is None for _, name, _, _ in parse(english))
    }


def _or_dash(value: str | None) -> str:
    return value if value else DASH


def _short_hash(value: str) -> str:
    """``sha256:`` and the first 12 hex digits: enough to tell versions apart on paper."""
    algorithm, _, digest = value.partition(":")
    return f"{algorithm}:{digest[:12]}" if digest else _or_dash(value)


def _header(scheme: Scheme, result: Result, lang: Lang) -> tuple[Row, ...]:
    source = scheme.source
    rows = [
        ("scheme_id", scheme.id),
        ("version", _short_hash(result.scheme_hash)),
        ("locality", scheme.locality.name),
        ("period", result.period),
        ("document", source.document),
        ("source_title", source.title),
        ("issuer", source.issuer),
        ("date", source.date),
        ("section", source.section),
    ]
    return tuple(Row(text(f"report.field.{key}", lang), value) for key, value in rows if value)


def _chart(role_label: str, counts: Sequence[tuple[str, int]], lang: Lang) -> Chart:
    """Bars in integer geometry, the tallest ``PLOT_HEIGHT`` high, the others in proportion."""
    most = max((n for _, n in counts), default=0)
    baseline = TOP + PLOT_HEIGHT
    bars = []
    for i, (grade, n) in enumerate(counts):
        x = MARGIN + i * (BAR_WIDTH + BAR_GAP)
        height = n * PLOT_HEIGHT // most if most else 0
        y = baseline - height
        bars.append(Bar(grade, n, x, y, BAR_WIDTH, height, x + BAR_WIDTH // 2, y - 6, baseline + 18))
    width = 2 * MARGIN + len(counts) * (BAR_WIDTH + BAR_GAP) - BAR_GAP
    return Chart(text("report.chart.label", lang, role=role_label), width, baseline + BOTTOM, baseline, tuple(bars))


def _status_rank(status: str) -> tuple[int, str]:
    return (STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER), status)


def _totals(scheme: Scheme, result: Result, lang: Lang) -> tuple[RoleTotals, ...]:
    """Per role with subjects, in the scheme's order: its grades best first, then the other statuses."""
    grades_of = {role["id"]: tuple(role["grades"]) for role in describe_scheme(scheme)["roles"]}
    totals = []
    for role_id, role in scheme.roles.items():
        mine = [o for o in result.outcomes if o.role == role_id]
        if not mine:
            continue
        graded = Counter(o.final_grade for o in mine if o.status == "graded" and o.final_grade is not None)
        # A grade outside the role's scale (a plugin's adjustment) is counted, never dropped.
        grades = grades_of[role_id] + tuple(sorted(set(graded) - set(grades_of[role_id])))
        others = Counter(o.status for o in mine if o.status != "graded")
        statuses = sorted(others, key=_status_rank)
        per_grade = [(g, graded[g]) for g in grades]
        totals.append(
            RoleTotals(
                role=role.label,
                columns=(*grades, *(_coded("status", s, lang) for s in statuses), text("report.header.total", lang)),
                counts=(*(n for _, n in per_grade), *(others[s] for s in statuses), len(mine)),
                chart=_chart(role.label, per_grade, lang),
            )
        )
    return tuple(totals)


def _names(ids: Iterable[str], names: Mapping[str, str], lang: Lang) -> str:
    return show([names[i] for i in ids], lang) or DASH


def _quotas(
    scheme: Scheme, usage: Sequence[PopulationUsage], names: Mapping[str, str], lang: Lang
) -> tuple[QuotaRow, ...]:
    return tuple(
        QuotaRow(
            quota=p.quota,
            text=scheme.quotas[p.quota].text if p.quota in scheme.quotas else "",
            clause=p.clause,
            grade=p.grade,
            group=p.group or text("report.quota.group.all", lang),
            limit=text(f"report.quota.limit.{p.bound}", lang, limit=p.limit, size=p.size),
            enforce=text(f"report.quota.enforce.{p.enforce}", lang),
            before=p.holders_before,
            after=p.holders_after,
            moved=_names(p.moved, names, lang),
            status=_coded("quota.status", p.status, lang),
        )
        for p in usage
    )


def _ties(usage: Sequence[PopulationUsage], links: Mapping[str, Link], lang: Lang) -> tuple[Tie, ...]:
    return tuple(
        Tie(
            text(
                "report.ties.entry",
                lang,
                quota=p.quota,
                clause=p.clause,
                grade=p.grade,
                group=p.group or text("report.quota.group.all", lang),
            ),
            tuple(links[s] for s in p.ties),
        )
        for p in usage
        if p.ties
    )


def _flag(flag: str, lang: Lang) -> str:
    """``veto:absentee`` as the catalogue says it; a flag of unknown kind as written."""
    kind, _, rule = flag.partition(":")
    key = f"report.flag.{kind}"
    return text(key, lang, rule=rule) if rule and key in MESSAGES else flag


def _subject(scheme: Scheme, o: Outcome, anchor: str, lang: Lang) -> SubjectView:
    facts = [
        ("subject", o.subject_id),
        ("role", scheme.roles[o.role].label),
        ("status", _coded("status", o.status, lang)),
        ("score", _or_dash(o.score_display)),
        ("raw_grade", _or_dash(o.raw_grade)),
        ("final_grade", _or_dash(o.final_grade)),
    ]
    if o.flags:
        facts.append(("flags", show([_flag(f, lang) for f in o.flags], lang)))
    rows = [Row(text(f"report.field.{key}", lang), value) for key, value in facts]
    for rid, placing in o.rank.items():  # 名次, after the grades, in the scheme's order of rankings
        ranking = scheme.rankings.get(rid)
        where = text("report.field.rank", lang, text=ranking.text if ranking is not None else rid)
        if placing.tied_with:
            others = show(list(placing.tied_with), lang)
            place = text("report.rank.shared", lang, place=placing.place, of=placing.of, others=others)
        else:
            place = text("report.rank.place", lang, place=placing.place, of=placing.of)
        rows.insert(len(rows) - (1 if o.flags else 0), Row(where, place))
    return SubjectView(
        anchor=anchor,
        id=o.subject_id,
        title=o.name or o.subject_id,
        status=o.status,
        facts=tuple(rows),
        adjustments=tuple(
            Entry(
                text("report.adjustment", lang, kind=_coded("adjust", a.kind, lang), old=a.from_grade, new=a.to_grade),
                render_text(a.note, lang),
                a.rule,
                a.clause,
            )
            for a in o.adjustments
        ),
        consequences=tuple(Entry(c.text, "", c.rule, c.clause) for c in o.consequences),
        findings=tuple(Entry(f.text, f.detail, f.rule, f.clause) for f in o.findings),
        reasons=tuple(
            Entry(render_reason(r, lang), "", r.rule or r.instrument or "", r.clause or "") for r in o.reasons
        ),
        notes=tuple(Row(heading, note) for heading, note in sorted(o.notes.items())),
        trace=tuple(
            Step(_coded("step", s.step, lang), render_step(s, lang), s.rule or "", s.clause or "") for s in o.trace
        ),
    )


def _units(scheme: Scheme, result: Result, anchors: Mapping[str, str], lang: Lang) -> tuple[UnitView, ...]:
    """One section per village by name (those without one last), its subjects in role order, then by id."""
    role_order = {role: i for i, role in enumerate(scheme.roles)}
    by_unit: dict[str, list[Outcome]] = {}
    for o in result.outcomes:
        by_unit.setdefault(o.unit, []).append(o)
    units = []
    for n, unit in enumerate(sorted(by_unit, key=lambda u: (u == "", u))):
        outcomes = sorted(by_unit[unit], key=lambda o: (role_order[o.role], o.subject_id))
        units.append(
            UnitView(
                anchor=f"unit-{n + 1}",
                name=unit or text("report.unit.none", lang),
                count=text("report.unit.count", lang, count=len(outcomes)),
                subjects=tuple(_subject(scheme, o, anchors[o.subject_id], lang) for o in outcomes),
            )
        )
    return tuple(units)


def _audit(result: Result, lang: Lang) -> tuple[Row, ...]:
    rows = [
        ("scheme_hash", result.scheme_hash),
        ("cohort_hash", result.cohort_hash),
        ("decision_id", result.decision_id),
        ("evaluated_at", result.evaluated_at),
        ("villageeval", result.version),
    ]
    return tuple(Row(text(f"report.field.{key}", lang), _or_dash(value)) for key, value in rows)


def _check_pair(scheme: Scheme, result: Result) -> None:
    """The result must come from this scheme: the page names the scheme's roles and quotas."""
    if result.scheme_id != scheme.id:
        raise ValueError(f"the result was evaluated under scheme {result.scheme_id!r}, not {scheme.id!r}")
    for o in result.outcomes:
        if o.role not in scheme.roles:
            raise ValueError(
                f"subject {o.subject_id!r} has role {o.role!r}, which scheme {scheme.id!r} does not define"
            )


def build_view(scheme: Scheme, result: Result, lang: Lang) -> ReportView:
    """The report's view model: every text in ``lang``, every list in the order it is printed."""
    anchors = {o.subject_id: f"subject-{i + 1}" for i, o in enumerate(result.outcomes)}
    names = {o.subject_id: o.name or o.subject_id for o in result.outcomes}
    links = {sid: Link(anchors[sid], names[sid]) for sid in anchors}
    return ReportView(
        lang="zh-CN" if lang == "zh" else lang,
        title=text("report.doc_title", lang, title=scheme.title),
        scheme_title=scheme.title,
        labels=_labels(lang),
        header=_header(scheme, result, lang),
        totals=_totals(scheme, result, lang),
        quotas=_quotas(scheme, result.populations, names, lang),
        ties=_ties(result.populations, links, lang),
        warnings=tuple(render_text(w, lang) for w in result.warnings),
        referred=tuple(
            Referred(links[o.subject_id], tuple(render_reason(r, lang) for r in o.reasons))
            for o in result.outcomes
            if o.status in COMMITTEE_STATUSES
        ),
        units=_units(scheme, result, anchors, lang),
        audit=_audit(result, lang),
        plugins=tuple(PluginRow(p.name, p.distribution, p.version, _or_dash(p.code_hash)) for p in result.plugins),
        footer=text("report.footer", lang, version=result.version),
    )


# --- rendering -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    """One environment for the process: it caches the compiled template."""
    return Environment(
        loader=PackageLoader("villageeval.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(scheme: Scheme, result: Result, *, lang: str = "zh") -> str:
    """The printable report of ``result`` as one self-contained HTML page.

    The page needs nothing at view time (inline CSS and SVG, no script, no URL) and
    prints on A4. Every value from the cohort is escaped.

    Args:
        scheme: the scheme the result was evaluated under.
        result: what :func:`villageeval.evaluate` returned (or :func:`villageeval.result_from_dict`).
        lang: ``"zh"`` (the default: what a township committee reads) or ``"en"``.

    Raises:
        TypeError: ``scheme`` is not a Scheme or ``result`` not a Result.
        ValueError: an unknown ``lang``, or a result evaluated under another scheme.
    """
    from .._types import expect_result, expect_scheme

    expect_scheme(scheme)
    expect_result(result)
    language = check_lang(lang)
    _check_pair(scheme, result)
    return _environment().get_template("report.html.j2").render(view=build_view(scheme, result, language))


def write_report(scheme: Scheme, result: Result, path: str | os.PathLike[str], *, lang: str = "zh") -> None:
    """Write :func:`render_report`'s page to ``path`` in UTF-8, whole or not at all.

    The page is written to a temporary file beside ``path`` and renamed over it, so a
    reader never sees half a report and a failure leaves an earlier file as it was.

    Raises:
        TypeError: as :func:`render_report`, or ``path`` is not a str or os.PathLike.
        ValueError: as :func:`render_report`.
        OSError: the file cannot be written.
    """
    from .._cli_io import AtomicOutput
    from .._types import type_error

    if not isinstance(path, (str, os.PathLike)):
        raise type_error("path", "a path (a str or os.PathLike)", path)
    page = render_report(scheme, result, lang=lang)
    out = AtomicOutput(os.fspath(path))
    try:
        out.stream.write(page)
    except BaseException:
        out.abort()
        raise
    out.commit()
