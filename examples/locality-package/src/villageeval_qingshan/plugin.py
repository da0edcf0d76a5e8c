"""青山县's villageeval plugin: its scheme, its Python rule, its own checks and adjustment.

villageeval loads this module through the entry point the package declares::

    [project.entry-points.villageeval]
    qingshan = "villageeval_qingshan.plugin"

Each function marked ``@hookimpl`` implements one hook of
``villageeval.hookspecs``. The scheme, the predicate and the thresholds all come
from one document, 青山组发〔2024〕21号; the clause of each is in its docstring.
The check and the adjustment concern 青山县's scheme only: for any other scheme
they return nothing.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from villageeval import Outcome, OutcomeAdjustment, PredicateFunction, RuleContext, Scheme, hookimpl

from . import SCHEME_ID

__all__ = [
    "SCHEME_ID",
    "per_household_income",
    "strong_collective_economy",
    "villageeval_adjust_outcome",
    "villageeval_register_predicates",
    "villageeval_register_schemes",
    "villageeval_validate_scheme",
    "weak_collective_economy",
]


#: The package's scheme directories, each with a scheme.toml (shipped in the wheel).
SCHEMES = Path(__file__).parent / "schemes"

#: 五、2: a 集体经济薄弱村 has an operating income under 5 万元, or under 100 元 per household.
WEAK_INCOME = Fraction(5)  # 万元
WEAK_PER_HOUSEHOLD = Fraction(100)  # 元
#: 五、3: a 集体经济强村 has an operating income of 500 元 per household or more.
STRONG_PER_HOUSEHOLD = Fraction(500)  # 元
YUAN_PER_WAN = 10_000

#: The facts the Python below reads; the scheme must declare each as a number.
READS = ("collective_income", "households")


def _number(context: RuleContext, name: str) -> Fraction:
    """A fact as an exact number (the cohort gives integers or decimals)."""
    value = context.facts.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Fraction)):
        raise TypeError(f"fact {name!r} must be a number (got {value!r})")
    return Fraction(value)


def per_household_income(context: RuleContext) -> Fraction:
    """The village collective's operating income per registered household, in 元."""
    households = _number(context, "households")
    if households <= 0:
        raise ValueError(f"fact 'households' must be above 0 (got {households})")
    return _number(context, "collective_income") * YUAN_PER_WAN / households


def weak_collective_economy(context: RuleContext) -> bool:
    """五、2: 年经营性收入不足5万元，或户均不足100元 ("不足": strictly below)."""
    return _number(context, "collective_income") < WEAK_INCOME or per_household_income(context) < WEAK_PER_HOUSEHOLD


def strong_collective_economy(context: RuleContext) -> bool:
    """五、3: 户均经营性收入500元以上 ("以上": the edge included)."""
    return per_household_income(context) >= STRONG_PER_HOUSEHOLD


def _ours(scheme: Scheme) -> bool:
    """This package's scheme, or a township's scheme that extends it."""
    return SCHEME_ID in (scheme.id, scheme.extends)


@hookimpl
def villageeval_register_schemes() -> list[Path]:
    """Every scheme directory the package ships."""
    return sorted(path for path in SCHEMES.iterdir() if (path / "scheme.toml").is_file())


@hookimpl
def villageeval_register_predicates() -> dict[str, PredicateFunction]:
    """The predicates a scheme may name with ``{ rule = "..." }``."""
    return {"weak_collective_economy": weak_collective_economy}


@hookimpl
def villageeval_validate_scheme(scheme: Scheme) -> list[tuple[tuple[str | int, ...], str]]:
    """The facts the Python reads must be declared, as numbers, in 青山县's scheme."""
    if not _ours(scheme):
        return []
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for name in READS:
        fact = scheme.facts.get(name)
        if fact is None:
            problems.append(
                (("facts",), f"the rules of 五、2 and 五、3 read fact {name!r}: declare it under [facts.{name}]")
            )
        elif fact.type != "number":
            problems.append(
                (
                    ("facts", name, "type"),
                    f'the rules of 五、2 and 五、3 read {name!r} as a number: write type = "number"',
                )
            )
    return problems


@hookimpl
def villageeval_adjust_outcome(outcome: Outcome, scheme: Scheme, context: RuleContext) -> OutcomeAdjustment | None:
    """五、3: a 基本称职 subject of a 集体经济强村 is raised to 称职, unless vetoed, capped or demoted."""
    if not _ours(scheme) or outcome.final_grade != "基本称职":
        return None
    if outcome.adjustments or any(f.startswith(("veto:", "cap:")) for f in outcome.flags):
        return None  # "受到否决或限制的除外"
    if not strong_collective_economy(context):
        return None
    yuan = per_household_income(context)
    return OutcomeAdjustment(
        grade="称职",
        rule="strong_economy",
        note=f"集体经济强村(户均经营性收入 {float(yuan):.2f} 元, 500元以上)，“基本称职”上调为“称职”",
        clause="五、3",
    )
