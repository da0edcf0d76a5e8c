"""Did-you-mean suggestions, with difflib imported only when a suggestion is needed.

Suggestions are made on error paths; keeping difflib off the import path keeps
``import villageeval`` and a clean evaluation cheap.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["close_matches"]


def close_matches(word: str, options: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The options closest to ``word`` (``difflib.get_close_matches``)."""
    import difflib

    return difflib.get_close_matches(word, list(options), n=n, cutoff=cutoff)
