"""Did-you-mean suggestions, with difflib imported only when a suggestion is needed.

Suggestions are made on error paths; keeping difflib off the import path keeps
``import villageeval`` and a clean evaluation cheap.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["close_hint", "close_matches", "known_hint"]


def close_matches(word: str, options: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The options closest to ``word`` (``difflib.get_close_matches``)."""
    import difflib

    return difflib.get_close_matches(word, list(options), n=n, cutoff=cutoff)


def known_hint(name: str, known: Iterable[str], none: str = "none are declared") -> str:
    """``; did you mean 'x'?``, else the names that are known, else ``none``: for messages
    about a name that is not declared (a scale, an instrument, a role)."""
    names = list(dict.fromkeys(known))  # a duplicated tier is listed once
    close = close_matches(name, names, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    if names:
        return f" (known: {', '.join(names)})"
    return f" ({none})"


def close_hint(name: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` when one of ``known`` is close to ``name``, else nothing."""
    close = close_matches(name, known, n=1)
    if not close:
        return ""
    from ._catalogue import said  # a hint inside a reason is shown in the reason's language

    return said("hint.did_you_mean", close=repr(close[0]))
