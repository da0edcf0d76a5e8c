"""The hooks through which plugins extend villageeval.

A plugin is any module or object with functions named after these hooks and
marked with :data:`villageeval.hookimpl`. Installed packages are found through
the ``villageeval`` entry-point group; a scheme directory's ``rules.py`` is a
plugin of that scheme when the directory is registered on purpose
(:meth:`villageeval.Registry.add_scheme_directory`, ``--with-rules``). The
bundled schemes come through the same door: ``villageeval._builtin`` is a
plugin too.

Every hook's results are checked by a typed wrapper in
:mod:`villageeval._plugins`; a plugin returning the wrong thing gets an error
that names it. ``docs/hooks.md`` documents each hook; a test fails when one is
missing there.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ._context import PredicateFunction, RuleContext
    from ._kinds.spec import InstrumentKind
    from ._model import Scheme
    from ._plugins import OutcomeAdjustment
    from ._result import Outcome

__all__ = [
    "hookimpl",
    "hookspec",
    "villageeval_adjust_outcome",
    "villageeval_register_instrument_kinds",
    "villageeval_register_predicates",
    "villageeval_register_schemes",
    "villageeval_validate_scheme",
]

#: The project name pluggy uses to match hooks with their implementations.
PROJECT = "villageeval"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Mark a plugin's function as the implementation of a villageeval hook.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def villageeval_register_schemes() -> Iterable[str | os.PathLike[str]]:
    """Scheme files this plugin provides.

    Called once per :class:`~villageeval.Registry`, the first time schemes are
    listed or one is loaded by id. Return paths to ``scheme.toml`` files or to
    directories holding one. Every plugin's results are collected; two
    plugins providing the same scheme id is an error naming both.
    """


@hookspec
def villageeval_register_predicates() -> Mapping[str, PredicateFunction]:
    """Named Python predicates, by the name a scheme's TOML uses: ``{ rule = "name" }``.

    Each predicate is called as ``fn(context)`` with a
    :class:`~villageeval.RuleContext` and must return a ``bool``. Called once
    per registry; all results are collected. Names from a scheme directory's
    ``rules.py`` are namespaced by that scheme's id (``"<scheme id>:<name>"``)
    and only that scheme (or one extending it) sees them without the prefix.
    Two plugins registering one name is an error naming both.
    """


@hookspec
def villageeval_register_instrument_kinds() -> Iterable[InstrumentKind]:
    """New ways to score evidence, each an :class:`~villageeval.InstrumentKind`.

    Called once per registry; all results are collected. A kind's name is what
    a scheme writes as ``kind = "..."``; it may not shadow a built-in kind or
    another plugin's kind.
    """


@hookspec
def villageeval_validate_scheme(scheme: Scheme) -> Iterable[tuple[Sequence[str | int], str]]:
    """Extra load-time checks: return ``(key path, message)`` pairs for each problem.

    Called for every scheme loaded through a registry, after the built-in
    checks pass. All results are collected and reported together with the
    file and line of each key path, exactly like the built-in problems.
    """


@hookspec
def villageeval_adjust_outcome(outcome: Outcome, scheme: Scheme, context: RuleContext) -> OutcomeAdjustment | None:
    """A locality's last word on one graded outcome.

    Called once per graded subject after quotas, before consequences. Return
    ``None`` to leave the outcome alone, or an
    :class:`~villageeval.OutcomeAdjustment` naming the new grade, the rule and
    why; it is recorded as an adjustment (kind ``plugin``) and in the trace.
    Every implementation is called in turn (the last registered first, as
    pluggy orders them), each seeing the grade the previous ones left. A
    ``rules.py`` implementation is only called for its own scheme.
    """
