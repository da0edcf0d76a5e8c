"""Resolving the string annotations of a module's attrs classes, once, when it is imported.

Every module here says ``from __future__ import annotations``, so its classes' field
types are strings until resolved. The converter (cattrs), the schema generator and the
docs' checks read real types, and public classes are later re-homed to ``villageeval``
for display, after which their module's names could no longer be found: each module
that defines attrs classes therefore ends with ``resolve_annotations(globals())``.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["resolve_annotations"]


def resolve_annotations(namespace: dict[str, Any]) -> None:
    """Resolve the field types of every attrs class defined in the module of ``namespace``
    (its ``globals()``), against that module's names."""
    module = namespace["__name__"]
    for value in list(namespace.values()):
        if isinstance(value, type) and attrs.has(value) and value.__module__ == module:
            attrs.resolve_types(value, namespace)
