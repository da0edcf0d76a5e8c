"""The schemes that ship with villageeval.

In a wheel they live in ``villageeval/schemes/``; in a source checkout (an
editable install, or tests run against ``src/``) in the repository's top-level
``schemes/`` directory. Each is a directory holding a ``scheme.toml``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["bundled_root", "bundled_schemes"]


def bundled_root() -> Path | None:
    """The directory holding the bundled scheme directories, if any."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "schemes", here.parent.parent / "schemes"):
        if candidate.is_dir():
            return candidate
    return None


@cache
def bundled_schemes() -> dict[str, Path]:
    """Bundled scheme id → its ``scheme.toml``, sorted by id.

    The id is the directory name; loading checks it matches the file's ``id``.
    """
    root = bundled_root()
    if root is None:
        return {}
    return {d.name: d / "scheme.toml" for d in sorted(root.iterdir()) if d.is_dir() and (d / "scheme.toml").is_file()}
