"""Finding an instrument's kind, and the kind's strategies object.

The kind of an instrument is the one the scheme was loaded with (its binding: the
built-in kinds, and those of the plugins of its registry); its strategies are the
object its spec names in ``strategies`` ("module:name"), imported once. Nothing here
knows a kind by its name, and no kind stands in for another.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, TypeVar

from hypothesis.errors import InvalidArgument

from ..._bound import binding_of
from ..._errors import PluginError
from ..._kinds.spec import Kind
from ..._model import Scheme
from ..._plugins import builtin_kinds
from ._protocol import EvidenceStrategies, KindStrategies

__all__ = ["BUILTIN_KINDS", "INSTRUMENT_KINDS", "config_as", "config_of", "generating", "kind_of", "strategies_of"]

C = TypeVar("C")

#: The built-in kinds, by name: the ones generated schemes are made of.
BUILTIN_KINDS: dict[str, Kind] = builtin_kinds()

#: The built-in instrument kinds :func:`schemes` can generate: those whose spec names strategies.
INSTRUMENT_KINDS: tuple[str, ...] = tuple(name for name, kind in BUILTIN_KINDS.items() if kind.declared.strategies)


@functools.cache
def _imported(target: str) -> object:
    module, _, name = target.partition(":")
    if not module or not name:
        raise ValueError(f"{target!r} is not of the form 'module:name'")
    return getattr(importlib.import_module(module), name)


def strategies_of(kind: Kind) -> EvidenceStrategies | None:
    """The strategies object ``kind`` declares, imported once; None when it declares none.

    Raises:
        PluginError: the object cannot be imported, or lacks ``codes``, ``evidence``
            or ``invalid_evidence``; the message names the kind and its plugin.
    """
    target = kind.declared.strategies
    if target is None:
        return None
    try:
        found = _imported(target)
    except Exception as e:
        raise PluginError(
            f"instrument kind {kind.name!r} (plugin {kind.plugin!r}) names strategies {target!r}, "
            f"which cannot be imported: {type(e).__name__}: {e}"
        ) from e
    if not isinstance(found, EvidenceStrategies):
        raise PluginError(
            f"instrument kind {kind.name!r} (plugin {kind.plugin!r}) names strategies {target!r}, "
            "which lacks codes, evidence(scheme, instrument_id, level) or invalid_evidence(scheme, instrument_id)"
        )
    return found


def generating(name: str) -> KindStrategies:
    """The strategies of a built-in kind that generated schemes use."""
    found = strategies_of(BUILTIN_KINDS[name])
    if not isinstance(found, KindStrategies):
        raise PluginError(f"the strategies of the built-in kind {name!r} cannot draw instruments (no instrument())")
    return found


def config_of(scheme: Scheme, instrument_id: str) -> Any:
    """The config of one instrument.

    Raises:
        InvalidArgument: the scheme has no such instrument.
    """
    try:
        return scheme.instruments[instrument_id]
    except KeyError:
        raise InvalidArgument(f"scheme {scheme.id!r} has no instrument {instrument_id!r}") from None


def config_as(scheme: Scheme, instrument_id: str, cls: type[C]) -> C:
    """The config of one instrument, which a kind's strategies expect to be of their kind's class.

    Raises:
        InvalidArgument: no such instrument, or its config is of another class.
    """
    found = config_of(scheme, instrument_id)
    if not isinstance(found, cls):
        raise InvalidArgument(
            f"instrument {instrument_id!r} is a {type(found).__name__}, "
            f"not the {cls.__name__} these strategies draw evidence for"
        )
    return found


def kind_of(scheme: Scheme, instrument_id: str) -> Kind:
    """The kind of one instrument, as the scheme was loaded with it.

    Raises:
        InvalidArgument: no such instrument, or a kind its registry does not know.
    """
    name = config_of(scheme, instrument_id).kind
    kind = binding_of(scheme).kinds.get(name)
    if kind is None:
        raise InvalidArgument(
            f"instrument {instrument_id!r} is of kind {name!r}, which the scheme {scheme.id!r} was not loaded with: "
            "load it through a registry with the plugin that registers the kind"
        )
    return kind
