"""villageeval: a locality's rules for evaluating village leadership, as code.

Load a scheme (TOML written from a 工作方案), hand it a cohort of subjects with
their evidence, and get exact, explained, reproducible outcomes::

    import villageeval as ve

    scheme = ve.load_scheme("huining-midterm-2023")
    result = ve.evaluate(scheme, ve.load_cohort("demo.json"))
    print(result.outcome("beiguan-team").final_grade)

A whole table of subjects (one row each, one column per tally) is graded in exact
integer arrays by :mod:`villageeval.columnar`, with the same outcomes; it needs numpy
(``pip install 'villageeval[numpy]'``), so it is imported on its own and is not among
the names below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load on first use
    from ._bound import scheme_origin
    from ._catalogue import render_reason, render_step, render_text
    from ._cohort import (
        BallotEvidence,
        Cohort,
        CustomEvidence,
        Evidence,
        MalformedEvidence,
        PointsEvidence,
        RatingEvidence,
        ScoreEvidence,
        Subject,
        cohort_from_dict,
        cohort_to_dict,
        load_cohort,
        loads_cohort,
    )
    from ._context import PredicateFunction, RuleContext
    from ._describe import describe_scheme
    from ._engine import evaluate
    from ._errors import (
        CohortError,
        PluginError,
        Problem,
        SchemeDeprecationWarning,
        SchemeError,
        UnknownSchemeError,
        VillageevalError,
    )
    from ._interchange import RESULT_FORMAT, result_from_dict, result_to_dict, result_to_json, write_result
    from ._kinds.spec import EvidenceProblem, InstrumentKind
    from ._load import load_scheme, loads_scheme, scheme_from_dict, scheme_hash, scheme_to_dict
    from ._model import Scheme
    from ._plugins import (
        OutcomeAdjustment,
        PluginInfo,
        Registry,
        default_registry,
        make_plugin_manager,
    )
    from ._result import (
        Adjustment,
        ConsequenceOutcome,
        FindingOutcome,
        Outcome,
        Placing,
        PluginStamp,
        PopulationUsage,
        Reason,
        ReasonCode,
        Result,
        TraceStep,
    )
    from .hookspecs import hookimpl

__all__ = [
    "RESULT_FORMAT",
    "Adjustment",
    "BallotEvidence",
    "Cohort",
    "CohortError",
    "ConsequenceOutcome",
    "CustomEvidence",
    "Evidence",
    "EvidenceProblem",
    "FindingOutcome",
    "InstrumentKind",
    "MalformedEvidence",
    "Outcome",
    "OutcomeAdjustment",
    "Placing",
    "PluginError",
    "PluginInfo",
    "PluginStamp",
    "PointsEvidence",
    "PopulationUsage",
    "PredicateFunction",
    "Problem",
    "RatingEvidence",
    "Reason",
    "ReasonCode",
    "Registry",
    "Result",
    "RuleContext",
    "Scheme",
    "SchemeDeprecationWarning",
    "SchemeError",
    "ScoreEvidence",
    "Subject",
    "TraceStep",
    "UnknownSchemeError",
    "VillageevalError",
    "__version__",
    "cohort_from_dict",
    "cohort_to_dict",
    "default_registry",
    "describe_scheme",
    "evaluate",
    "hookimpl",
    "load_cohort",
    "load_scheme",
    "loads_cohort",
    "loads_scheme",
    "make_plugin_manager",
    "render_reason",
    "render_step",
    "render_text",
    "result_from_dict",
    "result_to_dict",
    "result_to_json",
    "scheme_from_dict",
    "scheme_hash",
    "scheme_origin",
    "scheme_to_dict",
    "write_result",
]

# Where each public name lives. ``import villageeval`` stays cheap: a module is
# imported the first time one of its names is used (PEP 562), as attrs serves
# its ``__version__``.
_LAZY: dict[str, str] = {
    "BallotEvidence": "._cohort",
    "Cohort": "._cohort",
    "CustomEvidence": "._cohort",
    "Evidence": "._cohort",
    "MalformedEvidence": "._cohort",
    "PointsEvidence": "._cohort",
    "RatingEvidence": "._cohort",
    "ScoreEvidence": "._cohort",
    "Subject": "._cohort",
    "cohort_from_dict": "._cohort",
    "cohort_to_dict": "._cohort",
    "load_cohort": "._cohort",
    "loads_cohort": "._cohort",
    "scheme_origin": "._bound",
    "render_reason": "._catalogue",
    "render_step": "._catalogue",
    "render_text": "._catalogue",
    "PredicateFunction": "._context",
    "RuleContext": "._context",
    "describe_scheme": "._describe",
    "evaluate": "._engine",
    "CohortError": "._errors",
    "PluginError": "._errors",
    "Problem": "._errors",
    "SchemeDeprecationWarning": "._errors",
    "SchemeError": "._errors",
    "UnknownSchemeError": "._errors",
    "VillageevalError": "._errors",
    "RESULT_FORMAT": "._interchange",
    "result_from_dict": "._interchange",
    "result_to_dict": "._interchange",
    "result_to_json": "._interchange",
    "write_result": "._interchange",
    "load_scheme": "._load",
    "loads_scheme": "._load",
    "scheme_from_dict": "._load",
    "scheme_hash": "._load",
    "scheme_to_dict": "._load",
    "Scheme": "._model",
    "EvidenceProblem": "._kinds.spec",
    "InstrumentKind": "._kinds.spec",
    "OutcomeAdjustment": "._plugins",
    "PluginInfo": "._plugins",
    "Registry": "._plugins",
    "default_registry": "._plugins",
    "make_plugin_manager": "._plugins",
    "Adjustment": "._result",
    "ConsequenceOutcome": "._result",
    "FindingOutcome": "._result",
    "Outcome": "._result",
    "Placing": "._result",
    "PluginStamp": "._result",
    "PopulationUsage": "._result",
    "Reason": "._result",
    "ReasonCode": "._result",
    "Result": "._result",
    "TraceStep": "._result",
    "hookimpl": ".hookspecs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'villageeval' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    if isinstance(value, type) and value.__module__.startswith("villageeval._"):
        value.__module__ = "villageeval"  # say where users import it from
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
