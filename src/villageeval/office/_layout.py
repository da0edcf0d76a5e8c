"""The columns of a scheme's 汇总表, shared by the template that writes them and the reader.

A sheet per role, as the documents' own forms go (a 班子 table, a 成员 table): a row per
subject, and columns in the scheme's order — who the subject is, its groups, each
instrument that applies to the role with a column per figure of its evidence, the facts
the role's rules read, earlier grades, grades of linked assessments, notes.

Every column has a **key**, the dotted path of its value in the subject's cohort JSON
(docs/interchange.md), as the columnar path names its columns (docs/columnar.md):
``id``, ``role``, ``name``, ``unit``, ``groups.township``, ``facts.absentee``,
``history.2022``, ``outcomes.<assessment>``, ``notes.<heading>``, and per instrument

- ballot: ``evidence.<id>.tallies.<tier>`` (each tier of its scale), ``evidence.<id>.expected``
  (with a quorum), and for a ballot counted per stratum, pairs of columns
  ``evidence.<id>.strata.<n>.name`` and ``evidence.<id>.strata.<n>.count`` (n = 1, 2...):
  the strata of each village have their own names (上庄, 下庄...), so a column per name
  cannot be laid out in advance;
- rating: ``evidence.<id>.tier``; score: ``evidence.<id>.value``;
- points: ``evidence.<id>.items.<item>`` and ``evidence.<id>.bonus`` (with a bonus);
- item_ballot: ``evidence.<id>.expected``; ledger: ``evidence.<id>.as_of`` (their lists
  are in list sheets, below);
- any of them with ``must_cover``: ``evidence.<id>.coverage.<category>`` (``at_least_one``)
  or ``evidence.<id>.coverage.<category>.count`` and ``.of`` (``every_member``).

Keys are what the reader goes by, never the headers people read: two instruments with one
title, or a header a clerk retyped, cannot be mistaken. The template writes them in a
hidden row (:data:`KEY_ROW`) under two visible rows of headers (the instrument's title over
its columns, then the tier, category or item), and a CSV saved from a sheet keeps it.
Instruments of a kind a plugin registers have no columns: :func:`sheet_layouts` refuses a
role that needs one (its evidence goes in the cohort JSON).

An instrument whose evidence is a list of varying length (an item ballot's items, a
ledger's entries) does not fit a row: as the documents' own forms do (承诺事项表决表,
问题清单台账), it has a **list sheet** of its own, named after its title, in long form —
a row per item or entry, the subject's ``id`` in its first column — after the role
sheets. Its keys name the list with ``[]``:

- item_ballot: ``evidence.<id>.votes[].item`` (the item as worded) and
  ``evidence.<id>.votes[].tallies.<tier>`` (each tier of its scale); the number who could
  vote, ``evidence.<id>.expected``, is once per subject, in its role sheet;
- ledger: ``evidence.<id>.entries[].problem``, ``.found``, ``.deadline``, ``.closed``
  (dates) and ``.verified`` (是/否); the ledger's date, ``evidence.<id>.as_of``, is once
  per subject, in its role sheet.

A list sheet holds ``id`` and the list keys of one instrument, nothing else; its rows are
the subject's items or entries in their order. The instrument's evidence is there when
any of its cells is filled, in the role sheet or the list sheet: a subject with no rows
and an empty ``expected`` or ``as_of`` has none (``missing_evidence``); one with an
``as_of`` and no rows has a ledger of no entries.

A role sheet has a role column, filled in by the template with the role's label (or its
id, when two roles share a label), so that a CSV of one sheet still says whose rows it
holds; the reader takes a role's id or its label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from typing import Any, Literal

from attrs import frozen

from .. import _kernel
from .. import _model as m
from .._catalogue import text
from .._describe import describe_scheme
from .._hints import close_matches
from .._kinds.ballot import Ballot
from .._kinds.item_ballot import ItemBallot
from .._kinds.ledger import Ledger
from .._kinds.points import Points
from .._kinds.rating import Rating
from .._kinds.score import DirectScore
from .._numbers import exact_text

__all__ = [
    "FIRST_ROW",
    "KEY_ROW",
    "STRATA_SLOTS",
    "Column",
    "Field",
    "SheetLayout",
    "ValueKind",
    "key_reader",
    "role_of",
    "role_texts",
    "sheet_layouts",
    "stratum_label",
]

#: The hidden row of keys; the two rows above it are the headers people read.
KEY_ROW = 3
#: The first row of subjects.
FIRST_ROW = KEY_ROW + 1
#: Pairs of stratum columns a template offers, or more if a cohort given to it needs them.
STRATA_SLOTS = 8

#: What a column's cells hold: text; a role (id or label); a whole number of people or
#: ballots; an exact score (a fraction as text too, as the engine reads one); a number
#: fact; a yes/no value; a date (a ledger's).
ValueKind = Literal["text", "role", "count", "score", "number", "bool", "date"]

_BASE = ("id", "name", "role", "unit")
_OPEN = ("groups", "history", "outcomes", "notes")
_STRATUM = re.compile(r"evidence\.([^.]+)\.strata\.([1-9][0-9]{0,3})\.(name|count)")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
#: Excel's limit on a sheet's name.
_SHEET_NAME_MAX = 31


@frozen
class Field:
    """Where a column's values go in a subject's cohort JSON, and what its cells hold.

    ``path``: the keys from the subject down (``("evidence", "appraisal", "tallies", "好")``);
    ``slot``: for a stratum column, its pair's number and part (the path ends at ``strata``);
    ``choices``, ``low``, ``high``: what the template's data validation allows;
    ``part``: for a column of a list sheet, the keys within one item or entry (``("item",)``,
    ``("tallies", "满意")``, ``("deadline",)``; the path ends at ``votes`` or ``entries``).
    """

    path: tuple[str, ...]
    kind: ValueKind
    choices: tuple[str, ...] = ()
    low: Fraction | None = None
    high: Fraction | None = None
    slot: tuple[int, Literal["name", "count"]] | None = None
    part: tuple[str, ...] | None = None

    @property
    def instrument(self) -> str | None:
        """The instrument whose evidence the column holds, if it holds evidence."""
        return self.path[1] if self.path[0] == "evidence" else None


@frozen
class Column:
    """One column of a role sheet: its key, its field and its two header rows.

    Consecutive columns of one ``section`` share the first header row's cell.
    """

    key: str
    field: Field
    section: str
    heading: str
    label: str


@frozen
class SheetLayout:
    """The sheet of one role (or, with ``listed``, an instrument's list sheet): its name,
    what its role column holds, and its columns.

    ``listed``: the instrument whose items or entries a list sheet holds (``role`` and
    ``role_text`` are then empty), or ``""`` for a role sheet.
    """

    role: str
    name: str
    role_text: str
    columns: tuple[Column, ...]
    listed: str = ""


# --- roles ------------------------------------------------------------------------------------


def role_texts(scheme: m.Scheme) -> dict[str, str]:
    """Role id → what a role column holds: the label, or the id when labels do not tell roles apart."""
    labels = [r.label for r in scheme.roles.values()]
    clear = len(set(labels)) == len(labels) and not set(labels) & set(scheme.roles) and all(labels)
    return {rid: (r.label if clear else rid) for rid, r in scheme.roles.items()}


def role_of(scheme: m.Scheme, written: str) -> str | None:
    """The role a role cell names, by id or by label (when the label is one role's), or None."""
    if written in scheme.roles:
        return written
    by_label = [rid for rid, r in scheme.roles.items() if r.label == written]
    return by_label[0] if len(by_label) == 1 else None


# --- keys -----------------------------------------------------------------------------------------


def _coverage(iid: str, config: Any, lang: str) -> Iterator[tuple[str, Field, str]]:
    for category in config.must_cover:
        path = ("evidence", iid, "coverage", category)
        key = f"evidence.{iid}.coverage.{category}"
        if config.cover == "every_member":
            covered = text("sheets.header.coverage_count", lang, category=category)
            yield f"{key}.count", Field((*path, "count"), "count"), covered
            whole = text("sheets.header.coverage_of", lang, category=category)
            yield f"{key}.of", Field((*path, "of"), "count"), whole
        else:
            yield key, Field(path, "count"), category


def _instrument(
    scheme: m.Scheme, iid: str, config: Any, lang: str, slots: int
) -> Iterator[tuple[str, Field, str]] | None:
    """(key, field, second header) of each column of an instrument, or None for a plugin's kind."""
    if isinstance(config, Ballot):
        return _ballot(scheme, iid, config, lang, slots)
    if isinstance(config, Rating):
        return _rating(scheme, iid, config, lang)
    if isinstance(config, DirectScore):
        return _score(iid, config, lang)
    if isinstance(config, Points):
        return _points(iid, config, lang)
    if isinstance(config, ItemBallot):
        return iter(
            [
                (
                    f"evidence.{iid}.expected",
                    Field(("evidence", iid, "expected"), "count"),
                    text("sheets.header.expected", lang),
                )
            ]
        )
    if isinstance(config, Ledger):
        return iter(
            [(f"evidence.{iid}.as_of", Field(("evidence", iid, "as_of"), "date"), text("sheets.header.as_of", lang))]
        )
    return None


#: The parts of a ledger entry, in a list sheet's order, and what their cells hold.
_ENTRY_PARTS: tuple[tuple[str, ValueKind], ...] = (
    ("problem", "text"),
    ("found", "date"),
    ("deadline", "date"),
    ("closed", "date"),
    ("verified", "bool"),
)


def _listed(scheme: m.Scheme, iid: str, config: Any, lang: str) -> list[tuple[str, Field, str]] | None:
    """(key, field, second header) of each list column of an instrument's list sheet, or None
    when its evidence fits a row."""
    if isinstance(config, ItemBallot):
        path = ("evidence", iid, "votes")
        out = [
            (f"evidence.{iid}.votes[].item", Field(path, "text", part=("item",)), text("sheets.header.pledge", lang))
        ]
        for label in scheme.scales[config.scale].labels:
            field = Field(path, "count", part=("tallies", label))
            out.append((f"evidence.{iid}.votes[].tallies.{label}", field, label))
        return out
    if isinstance(config, Ledger):
        path = ("evidence", iid, "entries")
        return [
            (f"evidence.{iid}.entries[].{part}", Field(path, kind, part=(part,)), text(f"sheets.header.{part}", lang))
            for part, kind in _ENTRY_PARTS
        ]
    return None


def _ballot(scheme: m.Scheme, iid: str, config: Ballot, lang: str, slots: int) -> Iterator[tuple[str, Field, str]]:
    for label in scheme.scales[config.scale].labels:
        yield f"evidence.{iid}.tallies.{label}", Field(("evidence", iid, "tallies", label), "count"), label
    if config.quorum is not None:
        yield (
            f"evidence.{iid}.expected",
            Field(("evidence", iid, "expected"), "count"),
            text("sheets.header.expected", lang),
        )
    yield from _coverage(iid, config, lang)
    if config.per_stratum is not None:
        stratum = stratum_label(config, lang)
        for n in range(1, slots + 1):
            path = ("evidence", iid, "strata")
            yield (
                f"evidence.{iid}.strata.{n}.name",
                Field(path, "text", slot=(n, "name")),
                text("sheets.header.stratum_name", lang, stratum=stratum, n=n),
            )
            yield (
                f"evidence.{iid}.strata.{n}.count",
                Field(path, "count", slot=(n, "count")),
                text("sheets.header.stratum_count", lang, stratum=stratum, n=n),
            )


def stratum_label(config: Ballot, lang: str) -> str:
    """What a ballot's strata are (自然村), as its scheme names them, or the catalogue's word."""
    rule = config.per_stratum
    return rule.label if rule is not None and rule.label else text("sheets.word.stratum", lang)


def _rating(scheme: m.Scheme, iid: str, config: Rating, lang: str) -> Iterator[tuple[str, Field, str]]:
    labels = scheme.scales[config.scale].labels
    yield (
        f"evidence.{iid}.tier",
        Field(("evidence", iid, "tier"), "text", choices=labels),
        text("sheets.header.tier", lang),
    )
    yield from _coverage(iid, config, lang)


def _score(iid: str, config: DirectScore, lang: str) -> Iterator[tuple[str, Field, str]]:
    field = Field(("evidence", iid, "value"), "score", low=config.min, high=config.max)
    yield f"evidence.{iid}.value", field, text("sheets.header.value", lang)
    yield from _coverage(iid, config, lang)


def _points(iid: str, config: Points, lang: str) -> Iterator[tuple[str, Field, str]]:
    for item_id, item in config.items.items():
        path = ("evidence", iid, "items", item_id)
        if item.mode == "award":
            label = text("sheets.header.item", lang, label=item.label, max=item.max)
            yield f"evidence.{iid}.items.{item_id}", Field(path, "score", low=Fraction(0), high=item.max), label
        else:
            label = text("sheets.header.deduction", lang, label=item.label)
            yield f"evidence.{iid}.items.{item_id}", Field(path, "score", low=Fraction(0)), label
    if config.bonus is not None:
        label = text("sheets.header.bonus", lang, label=config.bonus.label, max=config.bonus.max)
        yield f"evidence.{iid}.bonus", Field(("evidence", iid, "bonus"), "score", low=Fraction(0)), label
    yield from _coverage(iid, config, lang)


def _fixed_keys(scheme: m.Scheme) -> dict[str, Field]:
    """Every key of the scheme but the open ones (groups, history, outcomes, notes, strata)."""
    keys = {key: Field((key,), "role" if key == "role" else "text") for key in _BASE}
    for iid, config in scheme.instruments.items():
        for key, field, _ in _instrument(scheme, iid, config, "en", 0) or ():
            keys[key] = field
        for key, field, _ in _listed(scheme, iid, config, "en") or ():
            keys[key] = field
    for name, fact in scheme.facts.items():
        keys[f"facts.{name}"] = Field(("facts", name), "bool" if fact.type == "bool" else "number")
    return keys


def key_reader(scheme: m.Scheme) -> Callable[[str], Field | str]:
    """A function from a column's key to its field, or to why the scheme has no such column
    (with a did-you-mean)."""
    keys = _fixed_keys(scheme)

    def field_of(key: str) -> Field | str:
        if key in keys:
            return keys[key]
        head, _, rest = key.partition(".")
        if head in _OPEN and rest:
            return Field((head, rest), "text")
        stratum = _STRATUM.fullmatch(key)
        if stratum is not None:
            iid, n, part = stratum.groups()
            config = scheme.instruments.get(iid)
            if isinstance(config, Ballot) and config.per_stratum is not None:
                slot: tuple[int, Literal["name", "count"]] = (int(n), "name" if part == "name" else "count")
                return Field(("evidence", iid, "strata"), "text" if part == "name" else "count", slot=slot)
        close = close_matches(key, list(keys), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{key!r} is no column of scheme {scheme.id!r}{hint}"

    return field_of


# --- the sheets ------------------------------------------------------------------------------------


def _sheet_name(label: str, taken: set[str]) -> str:
    """An Excel sheet name from a role's label: no ``[]:*?/\\``, 31 characters, not taken."""
    base = _SHEET_NAME_BAD.sub("_", label).strip("'") or "sheet"
    name, n = base[:_SHEET_NAME_MAX], 1
    while name.casefold() in taken:
        n += 1
        name = base[: _SHEET_NAME_MAX - len(str(n))] + str(n)
    taken.add(name.casefold())
    return name


def _earlier(scheme: m.Scheme, current: str, n: int) -> list[str]:
    """The ``n`` periods before ``current`` on the scheme's time line, oldest first."""
    calendar, order = scheme.periods.calendar, scheme.periods.order
    now = _kernel.period_index(current, calendar, order)
    if now is None:
        return []
    out = []
    for i in range(n, 0, -1):
        index = now - i
        if order:
            if index >= 0:
                out.append(order[index])
        elif calendar == "months":
            year, month = divmod(index, 12)
            out.append(f"{year:04d}-{month + 1:02d}")
        elif index >= 1000:
            out.append(str(index))
    return out


def _given(subjects: Iterable[Mapping[str, Any]], part: str) -> list[str]:
    """The keys of ``part`` (groups, history, notes...) the subjects give, in first-seen order."""
    return list(dict.fromkeys(key for s in subjects for key in s.get(part) or {}))


def _strata_needed(subjects: Iterable[Mapping[str, Any]], iid: str) -> int:
    sizes = [0]
    for s in subjects:
        evidence = (s.get("evidence") or {}).get(iid)
        strata = evidence.get("strata") if isinstance(evidence, Mapping) else None
        if isinstance(strata, Mapping):
            sizes.append(len(strata))
    return max(STRATA_SLOTS, *sizes)


def sheet_layouts(
    scheme: m.Scheme, lang: str, subjects: Iterable[Mapping[str, Any]] = (), period: str = ""
) -> tuple[SheetLayout, ...]:
    """The sheets of the scheme's 汇总表, a role each, in the scheme's order.

    ``subjects`` (cohort JSON, optional): columns they need beyond the scheme's (their
    groups, history periods and notes, more strata); ``period``: the period assessed, if
    not the scheme's, from which the history columns count back.

    Raises:
        ValueError: a role needs an instrument of a kind a workbook cannot hold.
    """
    described = describe_scheme(scheme)
    given = list(subjects)
    current = period or scheme.period
    roles = role_texts(scheme)
    taken = {text("sheets.cover.sheet", lang).casefold()}
    sheets = []
    for role in described["roles"]:
        rid = role["id"]
        mine = [s for s in given if s.get("role") == rid]
        columns = _who(roles[rid], lang)
        columns += _groups(scheme, role, mine, lang)
        for info in role["instruments"]:
            columns += _instrument_columns(scheme, info, mine, lang)
        columns += _facts(scheme, role, lang)
        columns += _history(scheme, role, mine, current, lang)
        columns += _linked(role, lang)
        columns += _notes(scheme, rid, mine, lang)
        sheets.append(SheetLayout(rid, _sheet_name(role["label"] or rid, taken), roles[rid], tuple(columns)))
    used = {c.field.instrument for sheet in sheets for c in sheet.columns}
    for iid, config in scheme.instruments.items():
        listed = _listed(scheme, iid, config, lang) if iid in used else None
        if listed is None:
            continue
        heading = _instrument_heading(config, iid, lang)
        columns = [
            Column(
                "id",
                Field(("id",), "text"),
                "subject",
                text("sheets.group.subject", lang),
                text("sheets.header.id_of", lang),
            )
        ]
        columns += [Column(key, field, f"evidence.{iid}", heading, label) for key, field, label in listed]
        sheets.append(SheetLayout("", _sheet_name(config.title or iid, taken), "", tuple(columns), listed=iid))
    return tuple(sheets)


def _instrument_heading(config: Any, iid: str, lang: str) -> str:
    title = config.title or iid
    return text("sheets.group.instrument", lang, title=title, clause=config.clause) if config.clause else title


def _who(role_text: str, lang: str) -> list[Column]:
    """Who the subject is: id, name, role (filled in with ``role_text``), village."""
    heading = text("sheets.group.subject", lang)
    fields = (
        ("id", Field(("id",), "text")),
        ("name", Field(("name",), "text")),
        ("role", Field(("role",), "role", choices=(role_text,))),
        ("unit", Field(("unit",), "text")),
    )
    return [Column(key, field, "subject", heading, text(f"sheets.header.{key}", lang)) for key, field in fields]


def _linked(role: Mapping[str, Any], lang: str) -> list[Column]:
    """The grades of the linked assessments the role's rules read, each from its scale."""
    heading = text("sheets.group.outcomes", lang)
    out = []
    for linked in role["outcomes"]:
        assessment = linked["assessment"]
        field = Field(("outcomes", assessment), "text", choices=tuple(linked["tiers"]))
        out.append(Column(f"outcomes.{assessment}", field, "outcomes", heading, assessment))
    return out


def _notes(scheme: m.Scheme, rid: str, mine: list[Mapping[str, Any]], lang: str) -> list[Column]:
    """The notes the role's findings name, and those the subjects give."""
    named = [f.note for f in scheme.findings.values() if f.note and rid in scheme.role_ids(f.roles)]
    heading = text("sheets.group.notes", lang)
    return [
        Column(f"notes.{note}", Field(("notes", note), "text"), "notes", heading, note)
        for note in dict.fromkeys([*named, *_given(mine, "notes")])
    ]


def _groups(scheme: m.Scheme, role: Mapping[str, Any], mine: list[Mapping[str, Any]], lang: str) -> list[Column]:
    heading = text("sheets.group.groups", lang)
    kinds = dict.fromkeys([g["kind"] for g in role["groups"]] + _given(mine, "groups"))
    out = []
    for kind in kinds:
        declared = scheme.groups.get(kind)
        field = Field(("groups", kind), "text", choices=declared.values if declared else ())
        label = declared.label if declared and declared.label else kind
        out.append(Column(f"groups.{kind}", field, "groups", heading, label))
    return out


def _instrument_columns(
    scheme: m.Scheme, info: Mapping[str, Any], mine: list[Mapping[str, Any]], lang: str
) -> list[Column]:
    iid = info["id"]
    config = scheme.instruments[iid]
    made = _instrument(scheme, iid, config, lang, _strata_needed(mine, iid))
    if made is None:
        raise ValueError(
            f"instrument {iid!r} is of kind {info['kind']!r}, which a workbook cannot hold (it holds ballot, "
            "rating, score, points, item_ballot and ledger instruments): give its evidence in the cohort JSON"
        )
    heading = _instrument_heading(config, iid, lang)
    return [Column(key, field, f"evidence.{iid}", heading, label) for key, field, label in made]


def _facts(scheme: m.Scheme, role: Mapping[str, Any], lang: str) -> list[Column]:
    heading = text("sheets.group.facts", lang)
    read = {f["name"] for f in role["facts"]}
    out = []
    for name, fact in scheme.facts.items():  # the scheme's order, not describe's sorted one
        if name not in read:
            continue
        label = fact.label or name
        if fact.default is not None:
            if isinstance(fact.default, bool):
                default = text("sheets.value.yes" if fact.default else "sheets.value.no", lang)
            else:
                default = exact_text(fact.default)
            label = text("sheets.header.fact_default", lang, label=label, default=default)
        kind: ValueKind = "bool" if fact.type == "bool" else "number"
        out.append(Column(f"facts.{name}", Field(("facts", name), kind), "facts", heading, label))
    return out


def _history(
    scheme: m.Scheme, role: Mapping[str, Any], mine: list[Mapping[str, Any]], current: str, lang: str
) -> list[Column]:
    history = role["history"]
    if history is None:
        return []
    back = max((s["periods"] for s in history["streaks"]), default=1) - 1
    periods = list(
        dict.fromkeys([*_earlier(scheme, current, max(back, history["required_periods"])), *_given(mine, "history")])
    )
    calendar, order = scheme.periods.calendar, scheme.periods.order

    def when(period: str) -> tuple[int, int]:
        index = _kernel.period_index(period, calendar, order)
        return (0, index) if index is not None else (1, 0)

    heading = text("sheets.group.history", lang)
    grades = tuple(history["grades"])
    return [
        Column(f"history.{p}", Field(("history", p), "text", choices=grades), "history", heading, p)
        for p in sorted(periods, key=when)
    ]
