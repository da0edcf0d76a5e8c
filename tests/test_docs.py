"""The documentation against the code: a key the model has and the docs lack, or the
reverse, fails here (in the spirit of datasette's ``tests/test_docs.py``).

- ``docs/scheme-format.md``: one ``### <heading>`` per model class, with a
  ``| key | type | default | meaning |`` table whose keys are exactly the class's fields
  (predicates: exactly their TOML keys). Complete example schemes load.
- ``docs/interchange.md``: ``| field | type | meaning |`` tables for the cohort in and the
  result out, checked against ``_cohort.py`` and ``result_to_dict``; the reason codes the
  engine emits; the Python example prints what the page shows.
- ``docs/tutorial.md``: its scheme loads, its fragments are parts of it, its cases hold.
"""

from __future__ import annotations

import contextlib
import io
import re
import typing
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli
from tests.full_result import full_result

import villageeval as ve
from villageeval import _cohort, _convert
from villageeval import _model as m
from villageeval._kinds import BUILTIN_KINDS
from villageeval._kinds.ballot import Ballot, StratumRule
from villageeval._kinds.evidence import DISCRIMINATOR
from villageeval._kinds.item_ballot import ItemBallot, RejectRule
from villageeval._kinds.ledger import Ledger
from villageeval._kinds.points import Bonus, PointItem, Points
from villageeval._kinds.rating import Rating
from villageeval._kinds.score import DirectScore
from villageeval._numbers import exact_text

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCHEME_FORMAT = (DOCS / "scheme-format.md").read_text(encoding="utf-8")
INTERCHANGE = (DOCS / "interchange.md").read_text(encoding="utf-8")
TUTORIAL = (DOCS / "tutorial.md").read_text(encoding="utf-8")
DEMO = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"

KEY_TABLE = ("key", "type", "default", "meaning")
FIELD_TABLE = ("field", "type", "meaning")


# --- reading the Markdown ----------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def tables(text: str, header: tuple[str, ...]) -> dict[str, list[str]]:
    """``### heading`` → the backticked first cells of its tables with ``header``.

    A section runs from its ``###`` heading to the next heading of level 1–3; fenced
    code is skipped so that ``# comments`` in examples are not taken for headings.
    """
    out: dict[str, list[str]] = {}
    heading: str | None = None
    in_table = in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        level = len(line) - len(line.lstrip("#"))
        if 1 <= level <= 3 and line[level : level + 1] == " ":
            heading = line[level:].strip() if level == 3 else None
            in_table = False
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if tuple(c.lower() for c in cells) == header:
            in_table = True
            if heading is not None:
                out.setdefault(heading, [])
            continue
        if in_table and heading is not None:
            key = re.fullmatch(r"`([^`]+)`", cells[0])
            if key:
                out[heading].append(key.group(1))
    return out


def code_blocks(text: str, lang: str) -> list[str]:
    """The contents of the fenced blocks of one language, in order."""
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)


# --- the scheme format -----------------------------------------------------------------------

#: Heading in docs/scheme-format.md → the model class whose fields it documents.
SCHEME_SECTIONS: dict[str, type] = {
    "top level": m.Scheme,
    "[locality]": m.Locality,
    "[source]": m.Source,
    "[roles.<id>]": m.Role,
    "[scales.<id>]": m.Scale,
    "[scales.<id>] tiers": m.Tier,
    '[instruments.<id>] kind = "ballot"': Ballot,
    "[instruments.<id>] per_stratum": StratumRule,
    '[instruments.<id>] kind = "rating"': Rating,
    '[instruments.<id>] kind = "score"': DirectScore,
    '[instruments.<id>] kind = "points"': Points,
    "[instruments.<id>.items.<item>]": PointItem,
    "[instruments.<id>] bonus": Bonus,
    '[instruments.<id>] kind = "item_ballot"': ItemBallot,
    "[instruments.<id>] reject_when": RejectRule,
    '[instruments.<id>] kind = "ledger"': Ledger,
    "[weightings.<id>]": m.Weighting,
    '[gradings.<id>] kind = "bands"': m.BandGrading,
    "[gradings.<id>] round": m.Rounding,
    "[gradings.<id>] bands": m.Band,
    '[gradings.<id>] kind = "conditions"': m.ConditionGrading,
    "[gradings.<id>] rules": m.ConditionRule,
    "comparison keys": m.Comparison,
    "[facts.<name>]": m.Fact,
    "[periods]": m.Periods,
    "[groups.<kind>]": m.GroupKind,
    "[parameters.<name>]": m.Parameter,
    "[eligibility.<id>]": m.Eligibility,
    "[vetoes.<id>]": m.Veto,
    "[caps.<id>]": m.Cap,
    "[referrals.<id>]": m.Referral,
    "[quotas.<id>]": m.Quota,
    "[quotas.<id>] rank_by: score": m.ScoreKey,
    "[quotas.<id>] rank_by: share": m.ShareKey,
    "[quotas.<id>] rank_by: fact": m.FactKey,
    "[rankings.<id>]": m.Ranking,
    "[findings.<id>]": m.Finding,
    "[consequences.<id>]": m.Consequence,
}

#: Heading → (the predicate's head key in TOML, its model class).
PREDICATE_SECTIONS: dict[str, tuple[str, type]] = {
    "predicate: fact": ("fact", m.FactTest),
    "predicate: score": ("score", m.ScoreTest),
    "predicate: share": ("share", m.ShareTest),
    "predicate: grade": ("grade", m.GradeIs),
    "predicate: streak": ("streak", m.Streak),
    "predicate: outcome": ("outcome", m.OutcomeTest),
    "predicate: rating": ("rating", m.RatingIs),
    "predicate: present": ("present", m.Present),
    "predicate: rank": ("rank", m.RankTest),
    "predicate: role": ("role", m.RoleIs),
    "predicate: rule": ("rule", m.NamedRule),
    "predicate: all": ("all", m.AllOf),
    "predicate: any": ("any", m.AnyOf),
    "predicate: not": ("not", m.Not),
}

#: Predicate attributes whose TOML spelling differs (see ``_convert.structure_predicate``).
PREDICATE_TOML_KEYS: dict[str, tuple[str, ...]] = {
    "compare": _convert._COMPARE_KEYS,
    "is_in": ("in",),
    "not_": ("not",),
}

SCHEME_TABLES = tables(SCHEME_FORMAT, KEY_TABLE)


def _classes_in(tp: Any) -> Iterator[type]:
    if isinstance(tp, type) and attrs.has(tp):
        yield tp
        return
    for arg in typing.get_args(tp):
        yield from _classes_in(arg)


def reachable(root: type) -> set[type]:
    """Every attrs class reachable from ``root`` through the types of its init fields."""
    seen: set[type] = set()
    stack = [root]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for f in attrs.fields(cls):
            if f.init:
                stack.extend(_classes_in(f.type))
    return seen


def public_fields(cls: type) -> set[str]:
    """The fields a scheme author writes (not ``origin``, ``_plan``, ``_rules``)."""
    return {f.name for f in attrs.fields(cls) if f.init and not f.name.startswith("_")}


class TestSchemeFormat:
    def test_every_model_class_is_mapped(self) -> None:
        """Every class reachable from Scheme, and from each built-in kind's config, has a section above."""
        mapped = set(SCHEME_SECTIONS.values()) | {cls for _, cls in PREDICATE_SECTIONS.values()}
        roots = [m.Scheme, *(kind.config for kind in BUILTIN_KINDS)]
        assert set().union(*(reachable(root) for root in roots)) == mapped

    def test_every_kind_is_mapped_under_its_name(self) -> None:
        """Each built-in instrument kind, and each grading kind, is documented under ``kind = "<its name>"``."""
        instruments = {kind.name: kind.config for kind in BUILTIN_KINDS}
        for section, kinds in (("instruments", instruments), ("gradings", _convert.GRADING_KINDS)):
            for name, cls in kinds.items():
                assert cls is SCHEME_SECTIONS[f'[{section}.<id>] kind = "{name}"']

    def test_every_predicate_head_is_mapped(self) -> None:
        """Each predicate form the converter reads has a section."""
        assert set(_convert._PREDICATE_KEYS) == {head for head, _ in PREDICATE_SECTIONS.values()}

    def test_sections_are_exactly_the_mapped_ones(self) -> None:
        """Every key table in the page is a mapped section, and every mapped section has one."""
        assert set(SCHEME_TABLES) == set(SCHEME_SECTIONS) | set(PREDICATE_SECTIONS)

    @pytest.mark.parametrize("heading", list(SCHEME_SECTIONS))
    def test_keys_are_the_fields(self, heading: str) -> None:
        """A section documents each field of its class once, and nothing else."""
        documented = SCHEME_TABLES[heading]
        assert sorted(set(documented)) == sorted(documented), "a key is listed twice"
        assert sorted(public_fields(SCHEME_SECTIONS[heading])) == sorted(documented)

    @pytest.mark.parametrize("heading", list(PREDICATE_SECTIONS))
    def test_predicate_keys(self, heading: str) -> None:
        """A predicate section documents exactly the TOML keys its form accepts."""
        head, cls = PREDICATE_SECTIONS[heading]
        documented = SCHEME_TABLES[heading]
        assert sorted(_convert._PREDICATE_KEYS[head]) == sorted(documented)
        as_toml = {k for f in public_fields(cls) for k in PREDICATE_TOML_KEYS.get(f, (f,))}
        assert as_toml <= set(documented)

    def test_comparison_keys(self) -> None:
        """The comparison section lists the keys the converter reads as bounds."""
        assert sorted(_convert._COMPARE_KEYS) == sorted(SCHEME_TABLES["comparison keys"])

    @pytest.mark.parametrize("block", code_blocks(SCHEME_FORMAT, "toml"))
    def test_examples_are_toml(self, block: str) -> None:
        """Every TOML example parses."""
        tomli.loads(block, parse_float=Decimal)


def _complete_schemes(text: str) -> list[str]:
    return [b for b in code_blocks(text, "toml") if "id" in tomli.loads(b, parse_float=Decimal)]


@pytest.mark.parametrize(
    "block", [*_complete_schemes(SCHEME_FORMAT), *_complete_schemes(TUTORIAL)], ids=lambda b: tomli.loads(b)["id"]
)
def test_complete_example_schemes_load(block: str) -> None:
    """Every example that is a whole scheme (it has a top-level ``id``) loads and validates."""
    scheme = ve.loads_scheme(block, predicates={})
    assert scheme.id


def test_format_page_has_complete_examples() -> None:
    """The page shows at least a plain scheme and one that extends another."""
    blocks = _complete_schemes(SCHEME_FORMAT)
    assert any("extends" in tomli.loads(b) for b in blocks)
    assert any("extends" not in tomli.loads(b) for b in blocks)


# --- the interchange ----------------------------------------------------------------------------

COHORT_TABLES = tables(INTERCHANGE.split("## Result JSON")[0], FIELD_TABLE)
RESULT_TABLES = tables(INTERCHANGE.split("## Result JSON")[1].split("## Python")[0], FIELD_TABLE)

EVIDENCE_SECTIONS = {
    "ballot": "evidence: tallies (ballot)",
    "rating": "evidence: tier (rating)",
    "score": "evidence: value (score)",
    "points": "evidence: items (points)",
    "item_ballot": "evidence: votes (item_ballot)",
    "ledger": "evidence: entries (ledger)",
}


def _full_cohort() -> ve.Cohort:
    subject = ve.Subject(
        "a",
        "team",
        name="n",
        unit="u",
        groups={"township": "t"},
        evidence={"x": ve.RatingEvidence("好")},
        facts={"f": True},
        history={"2023": "好"},
        outcomes={"o": "好"},
    )
    return ve.Cohort([subject], period="2024", scheme="s")


class TestCohortTables:
    def test_top_level(self) -> None:
        """The cohort's top-level keys are the ones ``cohort_to_dict`` writes and the reader accepts."""
        assert sorted(ve.cohort_to_dict(_full_cohort())) == sorted(COHORT_TABLES["cohort"])

    def test_subject_keys(self) -> None:
        """Every subject key the reader accepts is documented, and only those."""
        assert sorted(_cohort._SUBJECT_KEYS) == sorted(COHORT_TABLES["subjects[]"])

    @pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda k: k.name)
    def test_evidence_keys(self, kind: ve.InstrumentKind) -> None:
        """Each built-in kind's evidence documents exactly the keys its reader accepts: the
        fields of its evidence class, and the optional discriminator ``kind``, which the
        reader checks and drops (it is not a field: the class is the kind's already)."""
        assert kind.evidence is not None
        allowed = [a.name for a in attrs.fields(kind.evidence)]
        assert DISCRIMINATOR not in allowed
        assert sorted([*allowed, DISCRIMINATOR]) == sorted(COHORT_TABLES[EVIDENCE_SECTIONS[kind.name]])

    @pytest.mark.parametrize("kind", BUILTIN_KINDS, ids=lambda k: k.name)
    def test_evidence_discriminator_is_read(self, kind: ve.InstrumentKind) -> None:
        """The reader of each kind takes its own name as ``kind``, and refuses another, saying both."""
        from villageeval._plugins import builtin_kinds

        read = builtin_kinds()[kind.name].read
        assert kind.evidence is not None
        # Each required key with a value of the shape the reader checks (an object for mappings).
        required = {
            a.name: {} if "Mapping" in str(a.type) else "x"
            for a in attrs.fields(kind.evidence)
            if a.default is attrs.NOTHING
        }
        assert isinstance(read({DISCRIMINATOR: kind.name, **required}), kind.evidence)
        other = "rating" if kind.name != "rating" else "ballot"
        wrong = read({DISCRIMINATOR: other, **required})
        assert isinstance(wrong, ve.MalformedEvidence)
        assert repr(other) in wrong.problem
        assert repr(kind.name) in wrong.problem

    def test_coverage_keys(self) -> None:
        """The ``{"count": n, "of": m}`` form of coverage read by the engine."""
        assert sorted(COHORT_TABLES["coverage"]) == ["count", "of"]

    def test_reason_codes(self) -> None:
        """Every reason code of the enum is in the table, and every code there is a member."""
        documented = tables(INTERCHANGE, ("code", "status", "meaning"))["reason codes"]
        assert sorted(c.value for c in ve.ReasonCode) == sorted(documented)

    def test_reason_codes_come_from_the_enum(self) -> None:
        """The engine and the kinds give reasons by enum member, never by a literal string."""
        src = ROOT / "src" / "villageeval"
        source = "".join(p.read_text(encoding="utf-8") for p in (src / "_engine.py", *(src / "_kinds").glob("*.py")))
        literal = re.findall(r'(?:problem|reason|Reason)\(\s*(?:ctx,\s*)?"(\w+)"', source)
        assert [] == literal


def _keys_by_object(data: Mapping[str, Any]) -> dict[str, set[str]]:
    """Result JSON keys grouped by the table that documents them."""
    out: dict[str, set[str]] = {"result": set(data), "audit": set(data["audit"])}
    out["audit.plugins[]"] = {k for plugin in data["audit"].get("plugins", []) for k in plugin}
    for name, items in (("outcomes[]", data["outcomes"]), ("populations[]", data["populations"])):
        out.setdefault(name, set()).update(k for item in items for k in item)
    for o in data["outcomes"]:
        for part in ("reasons", "adjustments", "consequences", "findings", "trace"):
            out.setdefault(f"outcomes[].{part}[]", set()).update(k for item in o.get(part, []) for k in item)
        for placing in o.get("rank", {}).values():
            out.setdefault("outcomes[].rank.\\<id\\>", set()).update(placing)
    return out


class TestResultTables:
    def test_demo_keys_are_documented(self) -> None:
        """Every key of the bundled demo's result JSON is in the table of its object."""
        scheme = ve.load_scheme(ROOT / "schemes" / "huining-midterm-2023")
        data = ve.result_to_dict(ve.evaluate(scheme, ve.load_cohort(DEMO)))
        for name, keys in _keys_by_object(data).items():
            assert keys <= set(RESULT_TABLES[name]), name

    def test_tables_are_exactly_the_keys(self) -> None:
        """The result tables document exactly the keys of a result with every field present."""
        data = ve.result_to_dict(full_result())
        documented = {name: set(keys) for name, keys in RESULT_TABLES.items()}
        assert {k: sorted(v) for k, v in _keys_by_object(data).items()} == {k: sorted(v) for k, v in documented.items()}


def test_python_example_prints_what_the_page_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python example of docs/interchange.md, run, prints the text block after it."""
    section = INTERCHANGE.split("## Python")[1]
    code = code_blocks(section, "python")[0]
    shown = code_blocks(section, "text")[0]
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/interchange.md", "exec"), {})
    assert shown == out.getvalue()


# --- the tutorial ----------------------------------------------------------------------------------


def _tutorial_parts() -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The tutorial's complete scheme, its scheme fragments and its case files."""
    blocks = [tomli.loads(b, parse_float=Decimal) for b in code_blocks(TUTORIAL, "toml")]
    schemes = [b for b in blocks if "id" in b]
    assert len(schemes) == 1
    cases = [b for b in blocks if "expected" in b]
    fragments = [b for b in blocks if "id" not in b and "expected" not in b]
    return schemes[0], fragments, cases


def _is_part(part: Any, whole: Any) -> bool:
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and _is_part(v, whole[k]) for k, v in part.items())
    return bool(part == whole)


def test_tutorial_fragments_are_parts_of_its_scheme() -> None:
    """Each TOML fragment the tutorial builds the scheme from is in the complete file it ends with."""
    scheme, fragments, _ = _tutorial_parts()
    assert fragments
    for fragment in fragments:
        assert _is_part(fragment, scheme), fragment


def test_tutorial_cases_hold() -> None:
    """The tutorial's hand-derived expectations are what the engine gives.

    A stand-in for ``villageeval test`` until the testing toolkit lands.
    """
    scheme_data, _, cases = _tutorial_parts()
    scheme = ve.scheme_from_dict(scheme_data)
    assert cases
    for case in cases:
        cohort = ve.cohort_from_dict({"format": 1, "period": case.get("period", ""), "subjects": case["subjects"]})
        result = ve.evaluate(scheme, cohort)
        for sid, expected in case["expected"].items():
            o = result.outcome(sid)
            actual = {
                "status": o.status,
                "score": None if o.score is None else exact_text(o.score),
                "raw_grade": o.raw_grade,
                "final_grade": o.final_grade,
                "adjustments": [a.rule for a in o.adjustments],
                "consequences": [c.rule for c in o.consequences],
                "flags": list(o.flags),
                "reasons": [r.code for r in o.reasons],
            }
            assert expected == {k: actual[k] for k in expected}, sid
