"""The round trip: template → filled with a demo cohort's numbers → read back → the demo JSON's outcomes.

For every bundled scheme with a demo cohort (``schemes/*/demo*.json``) the test writes the
template, fills it itself with openpyxl, cell by cell, going by the hidden row of keys
(the dotted names of the cohort JSON that docs/columnar.md and office/_layout.py define),
reads it back and evaluates it; every outcome's status, score, grades and reasons must be
those of evaluating the demo JSON directly. An item ballot's items and a ledger's entries
go into the instrument's list sheet (keys ``evidence.<id>.votes[].…`` and
``evidence.<id>.entries[].…``), a row each, the subject's id in its ``id`` column; a
ledger's dates are typed as dates (as Excel makes them), ``verified`` as 是/否. A tier the JSON leaves out of a ballot's
tallies counts 0 there (docs/interchange.md), so the test writes 0 for it. Groups,
history periods and notes the template has no column for are left out: none of them is
read by these schemes' rules (the outcomes show it).
"""

from __future__ import annotations

import csv
import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import villageeval as ve
from villageeval.office import read_sheets, write_template

ROOT = Path(__file__).resolve().parent.parent
DEMOS = sorted((ROOT / "schemes").glob("*/demo*.json"))


def subjects_of(demo: Path) -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(demo.read_text(encoding="utf-8"), parse_float=Decimal)
    return list(data["subjects"])


def value_for(subject: dict[str, Any], key: str) -> Any:
    """What the subject's JSON gives for a column (None: the cell stays empty)."""
    head, _, rest = key.partition(".")
    if not rest:
        return None if key == "role" else subject.get(key)  # the template fills the role in
    if head != "evidence":
        value = (subject.get(head) or {}).get(rest)
        if isinstance(value, bool):
            return "是" if value else "否"
        return value
    instrument, *path = rest.split(".")  # no label of the bundled schemes has a dot
    evidence = (subject.get("evidence") or {}).get(instrument)
    if evidence is None:
        return None
    if path[0] == "strata":  # pairs of columns: the n-th stratum's name and count
        pairs = list((evidence.get("strata") or {}).items())
        n = int(path[1])
        return None if n > len(pairs) else pairs[n - 1][0 if path[2] == "name" else 1]
    value: Any = evidence
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if value is None and path[0] == "tallies" and "tallies" in evidence:
        return 0  # a tier left out of tallies counts 0
    return value


def list_rows(subject: dict[str, Any], keys: list[str]) -> list[list[Any]]:
    """The rows a list sheet (keys ``id``, ``evidence.<id>.votes[].…`` or ``.entries[].…``) holds for a subject."""
    [instrument] = {key.split(".")[1] for key in keys if "[]" in key}
    evidence = (subject.get("evidence") or {}).get(instrument)
    if evidence is None:
        return []
    if "votes" in evidence:
        records = [{"item": item, **entry} for item, entry in evidence["votes"].items()]
    else:
        records = list(evidence["entries"])
    out = []
    for record in records:
        cells: list[Any] = []
        for key in keys:
            if key == "id":
                cells.append(subject["id"])
                continue
            value: Any = record
            for part in key.partition("[].")[2].split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, str) and key.endswith(("found", "deadline", "closed")):
                value = datetime.date.fromisoformat(value)  # typed as a date
            cells.append(value)
        out.append(cells)
    return out


def filled(scheme: ve.Scheme, subjects: list[dict[str, Any]], path: Path) -> Path:
    """The scheme's template with every subject in its role's sheet and its items or entries in
    each list sheet, written by the test."""
    write_template(scheme, path)
    book = openpyxl.load_workbook(path)
    sheet_of = {}
    lists = []
    for ws in book.worksheets[1:]:
        keys = [ws.cell(row=3, column=c).value for c in range(1, ws.max_column + 1)]
        if "role" not in keys:
            lists.append((ws, keys))
            continue
        [role] = [rid for rid, r in scheme.roles.items() if r.label == ws["C4"].value]  # the role column, filled in
        sheet_of[role] = ws
    rows = dict.fromkeys(sheet_of, 4)
    for subject in subjects:
        ws = sheet_of[subject["role"]]
        for column in range(1, ws.max_column + 1):
            value = value_for(subject, ws.cell(row=3, column=column).value)
            if value is not None:
                ws.cell(row=rows[subject["role"]], column=column).value = value
        rows[subject["role"]] += 1
    for ws, keys in lists:
        number = 4
        for subject in subjects:
            for cells in list_rows(subject, keys):
                for column, value in enumerate(cells, start=1):
                    if value is not None:
                        ws.cell(row=number, column=column).value = value
                number += 1
    book.save(path)
    return path


def without_nulls(evidence: Any) -> Any:
    """Evidence with a ledger entry's null keys left out: an empty cell says the same (not closed)."""
    if "entries" not in evidence:
        return evidence
    return {**evidence, "entries": [{k: v for k, v in e.items() if v is not None} for e in evidence["entries"]]}


def outcomes(scheme: ve.Scheme, cohort: ve.Cohort) -> dict[str, tuple[Any, ...]]:
    return {
        o.subject_id: (o.status, o.score, o.raw_grade, o.final_grade, [(r.code, r.instrument) for r in o.reasons])
        for o in ve.evaluate(scheme, cohort).outcomes
    }


@pytest.mark.parametrize("demo", DEMOS, ids=[f"{d.parent.name}/{d.name}" for d in DEMOS])
def test_every_demo_round_trips(tmp_path: Path, demo: Path) -> None:
    """Filled by the test from the demo's numbers, the workbook reads as the demo and grades as it."""
    cohort = ve.load_cohort(demo)
    scheme = ve.load_scheme(cohort.scheme or "")
    subjects = subjects_of(demo)
    read = read_sheets(scheme, filled(scheme, subjects, tmp_path / "filled.xlsx"))
    assert () == read.warnings
    assert outcomes(scheme, cohort) == outcomes(scheme, read.cohort)
    by_id = {s.id: s for s in read.cohort.subjects}
    assert sorted(s["id"] for s in subjects) == sorted(by_id)
    for subject in subjects:
        got = by_id[subject["id"]]
        assert (subject["role"], subject.get("name", ""), subject.get("unit", "")) == (got.role, got.name, got.unit)
        assert (subject.get("facts") or {}) == dict(got.facts)
        expected = subject.get("evidence") or {}
        for iid, evidence in expected.items():
            given = dict(got.evidence[iid])
            if "tallies" in evidence:  # a tier left out of the JSON's tallies is the sheet's 0
                given["tallies"] = {tier: n for tier, n in given["tallies"].items() if n or tier in evidence["tallies"]}
            assert without_nulls(evidence) == given, (subject["id"], iid)


def test_a_cohort_written_in_round_trips(tmp_path: Path) -> None:
    """The writer's own filling (``cohort=``) reads back as the demo too (huining: 50 subjects, two roles)."""
    demo = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"
    cohort = ve.load_cohort(demo)
    scheme = ve.load_scheme("huining-midterm-2023")
    write_template(scheme, tmp_path / "t.xlsx", cohort=cohort)
    read = read_sheets(scheme, tmp_path / "t.xlsx")
    assert outcomes(scheme, cohort) == outcomes(scheme, read.cohort)
    assert {s.id: dict(s.groups) for s in cohort.subjects} == {s.id: dict(s.groups) for s in read.cohort.subjects}


@pytest.mark.parametrize("demo", DEMOS, ids=[f"{d.parent.name}/{d.name}" for d in DEMOS])
def test_every_demo_written_in_round_trips(tmp_path: Path, demo: Path) -> None:
    """The writer's own filling of every demo, list sheets included (yugong's items, tianxing's
    ledgers, the village with no entries), reads back as the demo and grades as it."""
    cohort = ve.load_cohort(demo)
    scheme = ve.load_scheme(cohort.scheme or "")
    write_template(scheme, tmp_path / "t.xlsx", cohort=cohort)
    read = read_sheets(scheme, tmp_path / "t.xlsx")
    assert () == read.warnings
    assert outcomes(scheme, cohort) == outcomes(scheme, read.cohort)
    by_id = {s.id: s for s in read.cohort.subjects}
    for subject in subjects_of(demo):
        for iid, evidence in (subject.get("evidence") or {}).items():
            if "votes" in evidence or "entries" in evidence:
                assert without_nulls(evidence) == dict(by_id[subject["id"]].evidence[iid]), (subject["id"], iid)


def test_each_sheet_as_a_gbk_csv(tmp_path: Path) -> None:
    """Each role sheet saved as a GBK CSV (Chinese Excel's default), read one by one: the demo's outcomes."""
    demo = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"
    cohort = ve.load_cohort(demo)
    scheme = ve.load_scheme("huining-midterm-2023")
    book = openpyxl.load_workbook(filled(scheme, subjects_of(demo), tmp_path / "filled.xlsx"))
    got: dict[str, tuple[Any, ...]] = {}
    for ws in book.worksheets[1:]:
        path = tmp_path / f"{ws.title}.csv"
        with path.open("w", encoding="gbk", newline="") as f:
            writer = csv.writer(f)
            for row in ws.iter_rows(values_only=True):
                writer.writerow(["" if v is None else v for v in row])
        read = read_sheets(scheme, path)
        assert "gbk" == read.encoding
        got.update(outcomes(scheme, read.cohort))  # huining has no quota: each role grades alone
    assert outcomes(scheme, cohort) == got
