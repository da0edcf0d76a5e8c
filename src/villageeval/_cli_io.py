"""What the command line needs to be called by other programs: UTF-8 streams, an output
file written atomically, problems as JSON lines, a cohort from stdin, progress.

- Output is UTF-8 whatever the locale (``LC_ALL=C``, ``PYTHONIOENCODING=ascii``): the
  command writes to a UTF-8 wrapper of ``sys.stdout.buffer`` (and of ``sys.stderr``'s),
  with ``\\n`` line ends on every platform.
- ``-o FILE`` is written to a temporary file in the same directory and renamed over
  ``FILE`` when the command ends with exit code 0 or 1, so a reader never sees half a
  file, and a failed command leaves an earlier ``FILE`` as it was.
- ``--errors json`` writes every problem to stderr as one JSON object a line
  (:meth:`villageeval.Problem.to_dict`).
- Progress goes to stderr for cohorts of :data:`PROGRESS_AT` subjects or more, when
  stderr is a terminal (and problems are not JSON); with tqdm if it is installed.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, TextIO

from ._errors import CohortError, Problem
from ._table import printable

__all__ = [
    "PROGRESS_AT",
    "AtomicOutput",
    "Progress",
    "errors_json",
    "read_cohort",
    "report",
    "utf8",
]

#: From this many subjects, a command shows its progress on a terminal.
PROGRESS_AT = 5_000

#: Whether problems go to stderr as JSON lines (``--errors json``), for this command.
errors_json: ContextVar[bool] = ContextVar("errors_json", default=False)


def report(problems: Iterable[Problem], text: Iterable[str] | None = None) -> None:
    """Put problems on stderr: as JSON lines with ``--errors json``, else as ``text`` (by
    default each problem's ``file:line: key.path: message``), one line each."""
    problems = list(problems)
    stream = sys.stderr
    if errors_json.get():
        for p in problems:
            stream.write(json.dumps(p.to_dict(), ensure_ascii=False) + "\n")
    else:
        for line in text if text is not None else (str(p) for p in problems):
            stream.write(printable(line) + "\n")
    stream.flush()


@contextlib.contextmanager
def utf8(stream: TextIO, *, write_through: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text stream over ``stream``'s bytes (``stream`` itself if it has none),
    flushed and let go of (not closed) at the end."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        yield stream
        return
    stream.flush()
    wrapper = io.TextIOWrapper(
        buffer, encoding="utf-8", errors="backslashreplace", newline="\n", write_through=write_through
    )
    try:
        yield wrapper
    finally:
        try:
            wrapper.flush()
        finally:
            wrapper.detach()


class AtomicOutput:
    """``FILE`` written whole or not at all: a temporary file beside it, renamed over it."""

    def __init__(self, target: str) -> None:
        self.target = Path(target)
        directory = self.target.parent
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".part", dir=directory)
        self._temp = Path(name)
        self.stream: TextIO = io.TextIOWrapper(
            io.FileIO(fd, "w", closefd=True), encoding="utf-8", errors="backslashreplace", newline="\n"
        )

    def commit(self) -> None:
        """Flush the file to disk and put it in place of ``FILE``, with the permissions a
        new file gets (or those of the ``FILE`` it replaces)."""
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        try:
            mode = self.target.stat().st_mode & 0o7777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(self._temp, mode)
        os.replace(self._temp, self.target)

    def abort(self) -> None:
        """Drop the temporary file; ``FILE`` stays as it was."""
        with contextlib.suppress(OSError):
            self.stream.close()
        with contextlib.suppress(OSError):
            self._temp.unlink()


def read_cohort(name: str) -> Any:
    """The cohort in the file ``name``, or on stdin for ``-`` (its bytes, read by the same
    rules as a file: UTF-8, with or without a byte order mark)."""
    from ._cohort import load_cohort, loads_cohort
    from ._reading import NotText, decode_text

    if name != "-":
        return load_cohort(name)
    stdin = sys.stdin
    if stdin is None:
        raise CohortError([Problem((), "no standard input to read the cohort from", code="unreadable")])
    buffer = getattr(stdin, "buffer", None)
    data: bytes = buffer.read() if buffer is not None else stdin.read().encode("utf-8", "surrogateescape")
    try:
        text = decode_text(data)
    except NotText as e:
        raise CohortError([Problem((), e.message, None, e.line, code="not_text")]) from None
    del data
    return loads_cohort(text)


class Progress:
    """Progress of one command on stderr, or nothing (off the terminal, small cohorts)."""

    def __init__(self, subjects: int, *, force: bool | None = None) -> None:
        shown = force
        if shown is None:
            isatty = getattr(sys.stderr, "isatty", None)
            shown = subjects >= PROGRESS_AT and not errors_json.get() and bool(isatty and isatty())
        self.shown = shown
        self._line = ""
        self._bar: Any = None
        self._done = 0
        self._total = 0
        self._label = ""
        self._started = 0.0
        self._last = 0.0
        self._last_shown = -1
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    # -- a stage without counts: an elapsed-time line, rewritten twice a second ----------

    @contextlib.contextmanager
    def stage(self, label: str) -> Iterator[None]:
        if not self.shown:
            yield
            return
        self._label, self._started = label, time.monotonic()
        self._stop.clear()
        self._show(f"{label} …")
        self._ticker = threading.Thread(target=self._tick, name="villageeval-progress", daemon=True)
        self._ticker.start()
        try:
            yield
        finally:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
            self._show(f"{label}: {time.monotonic() - self._started:.1f} s")
            self._end_line()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._show(f"{self._label} … {int(time.monotonic() - self._started)} s")

    # -- a stage with counts ------------------------------------------------------------------

    def start(self, label: str, total: int) -> None:
        if not self.shown:
            return
        self._label, self._total, self._done = label, total, 0
        self._started = self._last = time.monotonic()
        try:
            tqdm = importlib.import_module("tqdm").tqdm  # an optional nicety, never a dependency
        except ImportError:
            self._show(self._counted())
        else:
            self._bar = tqdm(total=total, desc=label, unit=" subjects", file=sys.stderr, leave=True)

    def advance(self, n: int) -> None:
        if not self.shown:
            return
        self._done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= 0.1 or self._done >= self._total:
            self._last = now
            self._show(self._counted())
            self._last_shown = self._done

    def finish(self) -> None:
        if not self.shown:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        else:
            if self._last_shown != self._done:
                self._show(self._counted())
            self._end_line()

    def _counted(self) -> str:
        share = f" ({100 * self._done // self._total}%)" if self._total else ""
        return f"{self._label}: {self._done:,}/{self._total:,}{share} {time.monotonic() - self._started:.1f} s"

    # -- the line ----------------------------------------------------------------------------

    def _show(self, text: str) -> None:
        pad = " " * max(0, len(self._line) - len(text))
        self._line = text
        stream: IO[str] = sys.stderr
        stream.write("\r" + text + pad)
        stream.flush()

    def _end_line(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()
        self._line = ""
