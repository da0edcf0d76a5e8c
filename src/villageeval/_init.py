"""``villageeval init DIR``: a commented skeleton a county can grow its scheme from.

The skeleton is a small but complete scheme (two instruments, bands with a
declared rounding, a declared fact, a veto, a quota, consequences), a demo
cohort and one case, so that ``villageeval check`` passes from the first minute
and every later edit can be checked.

What comes from the command line is written safely: the scheme id must be a slug (the
form ``check`` requires of an id, so the skeleton checks clean), and is written as an
escaped TOML string all the same; the directory, shown in a comment, has its control
characters escaped, as a comment cannot hold a newline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ._table import printable

__all__ = ["SchemeIdError", "toml_string", "write_skeleton"]

#: A scheme id, as the validator requires it (``_validate``): a lowercase slug.
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class SchemeIdError(ValueError):
    """The id given for a skeleton is not a lowercase slug."""


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string, quoted, with ``"``, ``\\`` and every control
    character escaped (TOML allows none of them raw in a one-line string)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _check_id(scheme_id: str) -> None:
    """Refuse an id ``check`` would reject, before anything is written."""
    if not _SLUG.fullmatch(scheme_id):
        raise SchemeIdError(
            f"scheme id {scheme_id!r} is not a lowercase slug: lowercase letters a-z, digits and '-', "
            "starting with a letter or digit, such as 'dongxiang-annual-2024'"
        )


SCHEME_TEMPLATE = """\
# {scheme_comment}: the scheme of one assessment, written from the locality's 工作方案.
# Every number of the document goes here, and every rule cites its clause
# ("四、6") so that each outcome can show where it comes from.
# Reference of every key: docs/scheme-format.md. Check with:
#   villageeval check {directory}

id = {scheme_id}                      # lowercase slug, unique among schemes
title = "村“两委”班子年度考核（示例）"     # the document's own title
period = "2024"                          # the period assessed
description = "Skeleton written by villageeval init; replace with the real scheme."

[locality]
name = "某县某乡"                         # the township or county
# code = "000000"                        # optional GB/T 2260 division code

[source]
document = "某组发〔2024〕1号"             # document number
date = "2024-01-01"
issuer = "中共某乡委员会"

# What is graded. Rules, instruments and quotas can be limited to roles.
[roles.team]
label = "村“两委”班子"

[roles.secretary]
label = "村党组织书记"

# Scales: ordered tiers, best first. Points make a ballot scale scorable.
[scales.ballot]
tiers = [{{ label = "好", points = 90 }}, {{ label = "一般", points = 70 }}, {{ label = "差", points = 40 }}]

[scales.grade]
tiers = ["好", "一般", "差"]

# Instruments: how evidence becomes a sub-score.
[instruments.appraisal]
kind = "ballot"                          # ballots tallied over a scale: mean of points
title = "民主测评"
clause = "三、1"
scale = "ballot"
min_respondents = 20                     # fewer raters → insufficient_evidence

[instruments.committee]
kind = "score"                           # a score given directly, within [min, max]
title = "乡党委评价"
clause = "三、2"
min = 0
max = 100

# Weighting: instrument → weight; the weights must add up to the total.
[weightings.main]
clause = "三、3"
total = 100
weights = {{ appraisal = 60, committee = 40 }}

# Grading: bands over the total, rounded once first. Bands must cover every
# rounded total exactly once; `check` reports gaps and overlaps.
[gradings.main]
kind = "bands"
clause = "三、3"
scale = "grade"
round = {{ digits = 0, mode = "half_up" }}
display_digits = 2
bands = [
  {{ grade = "好", at_least = 85 }},
  {{ grade = "一般", at_least = 60, below = 85 }},
  {{ grade = "差", below = 60 }},
]

# Facts: what is recorded about each subject, for rules to read. Every fact a
# rule names must be declared here, so `check` catches a misspelt name.
# Without a `default` a fact is required: a subject whose rules read it and
# whose record lacks it has insufficient_evidence (missing_fact), so a veto is
# never skipped because nobody asked. This one has `default = false` because
# sanctions are a matter of record at the 乡纪委: only the disciplined are
# listed (the demo gives it for one secretary), and no entry means none.
[facts.disciplined]
label = "受到党纪政务处分"
type = "bool"                            # "bool", or "number" (compared with at_least, …)
default = false                          # drop this line to require the fact for everyone
source = "乡纪委"                          # who records it
clause = "三、4"

# 一票否决: a fact about the subject forces a grade whatever the score.
[vetoes.discipline]
clause = "三、4"
text = "受到党纪政务处分的"
when = {{ fact = "disciplined" }}
grade = "差"

# At most a share of a population may hold a grade; overflow is demoted.
[quotas.top_share]
clause = "三、5"
text = "评定为“好”的不超过参评总数的40%"
grade = "好"
share = 0.4
bound = "at_most"
count = "floor"                          # 不得超过 → floor
roles = ["team"]

# What each final grade leads to.
[consequences.praise]
clause = "四、1"
text = "通报表扬"
when = {{ grade = "好" }}

[consequences.talk]
clause = "四、2"
text = "约谈，限期整改"
when = {{ grade = ["一般", "差"] }}
"""


def _subject(
    sid: str, role: str, unit: str, name: str, good: int, fair: int, poor: int, committee: str, **facts: bool
) -> dict[str, object]:
    """One demo subject; the village (``unit``) is given whole, never cut out of the name."""
    return {
        "id": sid,
        "name": name,
        "role": role,
        "unit": unit,
        "evidence": {
            "appraisal": {"tallies": {"好": good, "一般": fair, "差": poor}},
            "committee": {"value": committee},
        },
        "facts": dict(facts),
    }


def demo_cohort(scheme_id: str) -> dict[str, object]:
    """A small cohort that shows a quota, a veto and insufficient evidence."""
    return {
        "format": 1,
        "scheme": scheme_id,
        "period": "2024",
        "subjects": [
            # appraisal (20×90)/20 = 90; total 90×0.6 + 92×0.4 = 90.8 → 91 → 好
            _subject("dongcun-team", "team", "东村", "东村“两委”班子", 20, 0, 0, "92"),
            # appraisal (18×90 + 2×70)/20 = 88; total 88×0.6 + 90×0.4 = 88.8 → 89 → 好
            _subject("xicun-team", "team", "西村", "西村“两委”班子", 18, 2, 0, "90"),
            # appraisal 88; total 88×0.6 + 80×0.4 = 84.8 → 85 → 好, but the quota
            # allows floor(40% × 3) = 1 好 among teams: the two lower ones are demoted.
            _subject("nancun-team", "team", "南村", "南村“两委”班子", 18, 2, 0, "80"),
            # appraisal 90; total 90.8 → 好, vetoed to 差 by the disciplinary fact
            _subject("dongcun-secretary", "secretary", "东村", "东村党组织书记", 20, 0, 0, "92", disciplined=True),
            # only 19 raters: insufficient evidence
            _subject("xicun-secretary", "secretary", "西村", "西村党组织书记", 19, 0, 0, "90"),
        ],
    }


CASE_TEMPLATE = """\
# A case: a cohort in, the outcomes expected out, derived by hand from the
# document's numbers (write the arithmetic next to each expectation).
# Run it with: villageeval test <scheme directory>

description = "Quota: floor(40% × 3 teams) = 1 好; a secretary is not counted by it"
period = "2024"

# appraisal (20×90)/20 = 90; total 90×0.6 + 92×0.4 = 90.8 → rounds to 91 → 好,
# the best of the three teams, so it keeps 好.
[[subjects]]
id = "dongcun-team"
role = "team"
evidence.appraisal.tallies = {{ "好" = 20 }}
evidence.committee.value = 92

# appraisal (18×90 + 2×70)/20 = 88; total 88×0.6 + 90×0.4 = 88.8 → 89 → 好 by
# score, but only one team may be 好: ranked second, it becomes 一般.
[[subjects]]
id = "xicun-team"
role = "team"
evidence.appraisal.tallies = {{ "好" = 18, "一般" = 2 }}
evidence.committee.value = 90

# appraisal 88; total 88×0.6 + 60×0.4 = 76.8 → 77 → 一般.
[[subjects]]
id = "nancun-team"
role = "team"
evidence.appraisal.tallies = {{ "好" = 18, "一般" = 2 }}
evidence.committee.value = 60

# The same numbers as dongcun-team: 90.8 → 好; the quota only counts teams.
[[subjects]]
id = "dongcun-secretary"
role = "secretary"
evidence.appraisal.tallies = {{ "好" = 20 }}
evidence.committee.value = 92

[expected.dongcun-team]
status = "graded"
score = "90.8"
final_grade = "好"
consequences = ["praise"]

[expected.xicun-team]
score = "88.8"
raw_grade = "好"
final_grade = "一般"
adjustments = ["top_share"]
consequences = ["talk"]

[expected.nancun-team]
score = "76.8"
final_grade = "一般"

[expected.dongcun-secretary]
final_grade = "好"
"""


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "my-scheme"


def write_skeleton(directory: Path, scheme_id: str | None = None) -> list[Path]:
    """Write ``scheme.toml``, ``demo.json`` and ``cases/example.toml`` into ``directory``.

    Raises:
        FileExistsError: if ``directory`` already holds a ``scheme.toml``.
        SchemeIdError: if ``scheme_id`` is not a lowercase slug; nothing is written.
    """
    scheme_id = _slug(directory.resolve().name) if scheme_id is None else scheme_id
    _check_id(scheme_id)
    scheme_path = directory / "scheme.toml"
    if scheme_path.exists():
        raise FileExistsError(f"{scheme_path} already exists; not overwriting it")
    (directory / "cases").mkdir(parents=True, exist_ok=True)
    text = SCHEME_TEMPLATE.format(
        scheme_id=toml_string(scheme_id), scheme_comment=printable(scheme_id), directory=printable(str(directory))
    )
    scheme_path.write_text(text, encoding="utf-8")
    demo_path = directory / "demo.json"
    demo_path.write_text(json.dumps(demo_cohort(scheme_id), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    case_path = directory / "cases" / "example.toml"
    case_path.write_text(CASE_TEMPLATE.format(), encoding="utf-8")
    return [scheme_path, demo_path, case_path]
