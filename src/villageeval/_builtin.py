"""The built-in plugin: villageeval's own schemes come through the plugin door too.

Registering the bundled schemes the same way an installed locality package
registers its own means there is one path for every scheme: listing, loading
by id, ``extends`` and the ``villageeval plugins`` report treat them alike.
"""

from __future__ import annotations

from pathlib import Path

from ._bundled import bundled_schemes
from .hookspecs import hookimpl


@hookimpl
def villageeval_register_schemes() -> list[Path]:
    """The bundled scheme directories."""
    return [path.parent for path in bundled_schemes().values()]
