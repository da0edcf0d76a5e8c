"""What a loaded scheme is bound to, held beside it: its registry, its Python rules, its plan.

A :class:`~villageeval.Scheme` is plain frozen data: two schemes with the same rules
compare equal and serialise alike, however they were made. What loading adds — the
registry the scheme was loaded through (its plugins' predicates, instrument kinds and
outcome adjusters), the ids of the schemes it extends, the file it came from — is a
:class:`Binding`, and what evaluating needs is the compiled plan; both are kept here,
keyed by the scheme object, for as long as the scheme lives. A scheme built in Python,
or changed with :func:`attrs.evolve`, has no binding of its own: it is evaluated with
the built-in kinds and no plugins.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:
    from ._context import PredicateFunction
    from ._kinds.spec import Kind
    from ._model import Scheme
    from ._plan import Plan
    from ._plugins import Registry

__all__ = ["Binding", "bind", "binding_of", "plan_of", "scheme_origin"]


@frozen
class Binding:
    """How one scheme was loaded.

    Attributes:
        registry: the registry it was loaded through (None: built-in kinds only, no plugins).
        predicates: the Python predicates its ``{ rule = "..." }`` may name, by name.
        kinds: every instrument kind the registry knows, built-in ones included, by name.
        lineage: its id and the ids of the schemes it extends, nearest first.
        origin: the ``scheme.toml`` it was read from, if any.
    """

    registry: Registry | None
    predicates: Mapping[str, PredicateFunction]
    kinds: Mapping[str, Kind]
    lineage: tuple[str, ...]
    origin: str | None = None


class _Entry:
    __slots__ = ("binding", "plan")

    def __init__(self, binding: Binding) -> None:
        self.binding = binding
        self.plan: Plan | None = None


# id(scheme) → its entry. Each entry is dropped by a finaliser when its scheme is
# collected, so an id is never reused while its entry lives; nothing here holds the
# scheme itself (a plan refers to it weakly), or it would never be collected.
_entries: dict[int, _Entry] = {}
_lock = threading.Lock()


def bind(scheme: Scheme, binding: Binding) -> Scheme:
    """Record how ``scheme`` was loaded; returns it."""
    key = id(scheme)
    with _lock:
        fresh = key not in _entries
        _entries[key] = _Entry(binding)
    if fresh:
        weakref.finalize(scheme, _entries.pop, key, None)
    return scheme


_builtin_binding: Binding | None = None


def _unbound(scheme: Scheme) -> Binding:
    """The binding of a scheme that was not loaded: built-in kinds, no plugins."""
    global _builtin_binding
    if _builtin_binding is None:
        from ._plugins import builtin_kinds

        _builtin_binding = Binding(None, {}, builtin_kinds(), ())
    lineage = (scheme.id, *((scheme.extends,) if scheme.extends else ()))
    return Binding(None, {}, _builtin_binding.kinds, lineage)


def binding_of(scheme: Scheme) -> Binding:
    """How ``scheme`` was loaded (built-in kinds and no plugins, if it was not)."""
    entry = _entries.get(id(scheme))
    return entry.binding if entry is not None else _unbound(scheme)


def plan_of(scheme: Scheme) -> Plan:
    """The compiled plan of ``scheme``, built on first use and kept while the scheme lives."""
    entry = _entries.get(id(scheme))
    if entry is not None and entry.plan is not None:
        return entry.plan
    from ._plan import Plan

    with _lock:
        entry = _entries.get(id(scheme))
        if entry is None:
            entry = _Entry(_unbound(scheme))
            _entries[id(scheme)] = entry
            weakref.finalize(scheme, _entries.pop, id(scheme), None)
        if entry.plan is None:
            entry.plan = Plan(scheme, entry.binding)
        return entry.plan


def scheme_origin(scheme: Scheme) -> str | None:
    """The ``scheme.toml`` a scheme was loaded from; None for one built in Python or from data."""
    return binding_of(scheme).origin
