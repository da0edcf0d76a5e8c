"""The built-in plugin: villageeval's own schemes and instrument kinds come through the plugin door too.

Registering the bundled schemes and the built-in kinds the same way an installed
locality package registers its own means there is one path for every scheme and
every kind: listing, loading by id, ``extends``, the engine and the ``villageeval
plugins`` report treat them alike (datasette's default plugins are the model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._bundled import bundled_schemes
from .hookspecs import hookimpl


@hookimpl
def villageeval_register_schemes() -> list[Path]:
    """The bundled scheme directories."""
    return [path.parent for path in bundled_schemes().values()]


def _bundled_rules() -> list[tuple[str, Any]]:
    """(scheme id, module) for each bundled scheme that ships a ``rules.py``.

    Shipping them inside villageeval is the "on purpose" registration: they are
    part of this package, reviewed with it, like the schemes themselves.
    """
    # Private helpers of the plugin host, shared with the one plugin that is part of it.
    from ._plugins import _import_rules, _scheme_id_of

    out = []
    for file in bundled_schemes().values():
        rules = file.parent / "rules.py"
        if rules.is_file():
            scheme_id = _scheme_id_of(file)
            out.append((scheme_id, _import_rules(scheme_id, rules)))
    return out


@hookimpl
def villageeval_register_predicates() -> Mapping[str, Callable[..., bool]]:
    """The bundled schemes' Python predicates, each namespaced by its scheme id."""
    found: dict[str, Callable[..., bool]] = {}
    for scheme_id, module in _bundled_rules():
        register = getattr(module, "villageeval_register_predicates", None)
        for name, fn in (register() if register else {}).items():
            found[f"{scheme_id}:{name}"] = fn
    return found


@hookimpl
def villageeval_register_instrument_kinds() -> list[Any]:
    """The built-in kinds (ballot, rating, score, points), then the bundled schemes' own, if any."""
    from ._kinds import BUILTIN_KINDS

    kinds: list[Any] = list(BUILTIN_KINDS)
    for _, module in _bundled_rules():
        register = getattr(module, "villageeval_register_instrument_kinds", None)
        kinds.extend(register() if register else ())
    return kinds
