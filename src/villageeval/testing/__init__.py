"""Test helpers for systems that grade under a villageeval scheme.

Importable without hypothesis: :func:`check_outcomes` and
:func:`assert_outcomes` validate grading outcomes produced elsewhere against a
scheme, naming the rule and clause each one breaks. The hypothesis strategies
(:func:`schemes`, :func:`cohorts`, ...) live in
:mod:`villageeval.testing.strategies` and are re-exported here lazily, so that
only code that uses them needs ``pip install villageeval[testing]``.
"""

from __future__ import annotations

from typing import Any

from ._check import Violation, assert_outcomes, check_outcomes

__all__ = [
    "Violation",
    "assert_outcomes",
    "check_outcomes",
    "cohorts",
    "evidence",
    "schemes",
    "subjects",
]

_STRATEGIES = ("cohorts", "evidence", "schemes", "subjects")


def __getattr__(name: str) -> Any:
    if name in _STRATEGIES:
        try:
            from . import strategies
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(f"villageeval.testing.{name} needs hypothesis: pip install 'villageeval[testing]'") from e
        return getattr(strategies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
