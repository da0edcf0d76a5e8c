"""One exception tree for the whole library.

Each error is also the builtin it resembles (a bad scheme is a ``ValueError``,
an unknown scheme id a ``LookupError``) so callers that do not know villageeval
still catch it sensibly. Messages are built in ``__str__`` from structured
attributes, which integrators can read to show a clerk what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from attrs import evolve, field, frozen

__all__ = [
    "CohortError",
    "PluginError",
    "Problem",
    "SchemeDeprecationWarning",
    "SchemeError",
    "UnknownSchemeError",
    "VillageevalError",
    "format_path",
]


def format_path(path: Sequence[str | int]) -> str:
    """``("gradings", "main", "bands", 2)`` → ``gradings.main.bands[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _is_bare(part) else '"' + part.replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out or "(top level)"


def _is_bare(key: str) -> bool:
    return bool(key) and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)


@frozen
class Problem:
    """One thing wrong with a scheme or a cohort, where it is and why.

    Attributes:
        path: key path inside the document, e.g. ``("instruments", "x", "weight")``.
        message: what was expected and what came.
        file: the file the key comes from, when known.
        line: 1-based line of the key in ``file``, when known.
        severity: ``error`` (the scheme is rejected) or ``warning``.
        code: a stable code for the kind of problem (``unknown_key``, ``not_text``,
            ``duplicate_id`` ...), for programs: the table of codes is in
            ``docs/interchange.md`` (*Problems*). Left out of comparisons.
    """

    path: tuple[str | int, ...]
    message: str
    file: str | None = None
    line: int | None = None
    severity: str = "error"
    # Not compared: a problem is the same problem at the same place with the same message
    # (and problems written before codes existed still compare equal).
    code: str = field(default="invalid_value", eq=False)

    def to_dict(self) -> dict[str, str | int | None]:
        """The problem as one JSON object, as ``--errors json`` and the HTTP service give it:
        ``file``, ``line``, ``path`` (``""`` for the top level), ``code``, ``message``,
        ``severity``."""
        return {
            "file": self.file,
            "line": self.line,
            "path": format_path(self.path) if self.path else "",
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }

    def __str__(self) -> str:
        where = self.file or "<scheme>"
        if self.line is not None:
            where += f":{self.line}"
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {format_path(self.path)}: {prefix}{self.message}"


class VillageevalError(Exception):
    """Base of every error villageeval raises on purpose."""


class _ProblemsError(VillageevalError, ValueError):
    """Every problem found in one input, raised together."""

    #: What the problems are in, for the message ("scheme", "cohort").
    subject = "input"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in {self.subject}"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)


class SchemeError(_ProblemsError):
    """A scheme could not be loaded; ``problems`` lists every reason at once."""

    subject = "scheme"


class CohortError(_ProblemsError):
    """A cohort is malformed as a whole (duplicate ids, unknown roles, not JSON)."""

    subject = "cohort"

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(p if p.file else evolve(p, file="<cohort>") for p in problems)


class UnknownSchemeError(VillageevalError, LookupError):
    """No scheme with this id is registered and no file is at this path."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(name)

    def __str__(self) -> str:
        from ._hints import close_matches

        msg = f"no scheme {self.name!r}: not a file or directory, and no scheme has that id"
        close = close_matches(self.name, self.known, n=1)
        if close:
            msg += f"; did you mean {close[0]!r}?"
        elif self.known:
            msg += f" (known: {', '.join(self.known)})"
        return msg


class SchemeDeprecationWarning(FutureWarning):
    """A scheme uses a form that is still read, for one more release, and then no longer.

    A ``FutureWarning`` (shown by default) rather than a ``DeprecationWarning``: the one
    who must act is the scheme's author, not a developer running tests. The message is
    the problem in the compiler format, ``file:line: key.path: warning: ...``, and
    ``problem`` the :class:`Problem` itself when the warning was made from one.
    """

    def __init__(self, message: str | Problem) -> None:
        self.problem = message if isinstance(message, Problem) else None
        super().__init__(str(message))


class PluginError(VillageevalError, RuntimeError):
    """A plugin or a Python rule misbehaved; the message names the culprit."""
