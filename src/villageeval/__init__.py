"""villageeval: a locality's rules for evaluating village leadership, as code.

Load a scheme (TOML written from a 工作方案), hand it a cohort of subjects with
their evidence, and get exact, explained, reproducible outcomes::

    import villageeval as ve

    scheme = ve.load_scheme("huining-midterm-2023")
    result = ve.evaluate(scheme, ve.load_cohort("demo.json"))
    print(result.outcome("beiguan-team").final_grade)
"""

from __future__ import annotations

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
from ._engine import evaluate
from ._errors import (
    CohortError,
    PluginError,
    Problem,
    SchemeError,
    UnknownSchemeError,
    VillageevalError,
)
from ._interchange import RESULT_FORMAT, result_from_dict, result_to_dict, result_to_json
from ._load import load_scheme, loads_scheme, scheme_from_dict, scheme_hash, scheme_to_dict
from ._model import Scheme
from ._plugins import (
    EvidenceProblem,
    InstrumentKind,
    OutcomeAdjustment,
    PluginInfo,
    Registry,
    default_registry,
    make_plugin_manager,
)
from ._predicates import PredicateFunction, RuleContext
from ._result import (
    Adjustment,
    ConsequenceOutcome,
    FindingOutcome,
    Outcome,
    PopulationUsage,
    Reason,
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
    "PluginError",
    "PluginInfo",
    "PointsEvidence",
    "PopulationUsage",
    "PredicateFunction",
    "Problem",
    "RatingEvidence",
    "Reason",
    "Registry",
    "Result",
    "RuleContext",
    "Scheme",
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
    "evaluate",
    "hookimpl",
    "load_cohort",
    "load_scheme",
    "loads_cohort",
    "loads_scheme",
    "make_plugin_manager",
    "result_from_dict",
    "result_to_dict",
    "result_to_json",
    "scheme_from_dict",
    "scheme_hash",
    "scheme_to_dict",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("villageeval")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


__version__ = _version()

# Public classes say where users import them from.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("villageeval._"):
        _obj.__module__ = "villageeval"
del _name, _obj
