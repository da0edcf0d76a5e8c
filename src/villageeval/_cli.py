"""The ``villageeval`` command.

Verbs: ``schemes``, ``plugins``, ``check``, ``evaluate``, ``explain``, ``schema``,
``describe``, ``test``, ``init``; ``--with-rules DIR`` registers a scheme directory and its
``rules.py`` on purpose. Output that other programs read (``schemes``, ``check``,
``evaluate --format json``) is kept stable; problems go to stderr in the compiler format
editors jump to (``path:line: key.path: message``), or with ``--errors json`` as one JSON
object a line (``file``, ``line``, ``path``, ``code``, ``message``, ``severity``).

For programs that call it as a subprocess (``docs/integrating.md``): ``COHORT`` may be
``-`` (the cohort JSON on stdin); ``-o FILE`` writes the output to ``FILE`` atomically;
output is UTF-8 whatever the locale; ``evaluate --format json`` streams the result subject
by subject (``--no-trace`` leaves the traces out); progress goes to stderr for large
cohorts when stderr is a terminal. See :mod:`villageeval._cli_io`.

Exit codes (also in ``villageeval --help``), so that a script can tell a scheme with
problems from a file it could not read, and both from a bug:

- 0: fine.
- 1: problems found: ``check`` found problems in a scheme, the scheme to ``evaluate`` or
  ``explain`` has problems, or a ``test`` case failed (or none was found).
- 2: bad input or usage: a file that cannot be read, a malformed cohort or case, an unknown
  scheme or subject, ``init`` into a directory that has a scheme or with an id that is not
  a slug, a plugin that misbehaved, or a command line argparse rejects.
- 3: an internal error, a bug in villageeval: one line says so, with the exception, and
  where to report it; ``--debug`` prints the traceback too.

With ``--errors json`` every one of them comes with its problems as JSON lines on stderr:
a usage error has the code ``usage``, an internal error ``internal_error``, a file that
cannot be read ``unreadable`` (the codes are in ``docs/interchange.md``, *Problems*).

Everything printed that comes from a file (ids, names, labels, paths, messages) has its
control characters shown as escapes (:func:`villageeval._table.printable`), so a newline
or a terminal escape in an id cannot forge a row or rewrite the screen.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import attrs

from . import _init
from ._bound import scheme_origin
from ._catalogue import english_only
from ._cli_io import PROGRESS_AT, AtomicOutput, Progress, errors_json, read_cohort, report, utf8
from ._cohort import Cohort
from ._engine import evaluate
from ._errors import (
    CohortError,
    PluginError,
    Problem,
    SchemeDeprecationWarning,
    SchemeError,
    UnknownSchemeError,
    VillageevalError,
)
from ._interchange import write_result
from ._load import load_scheme, scheme_file
from ._model import Scheme
from ._plugins import Registry
from ._result import Outcome, Result
from ._table import printable, render_table

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_PROBLEMS", "main"]

#: The command did what it was asked.
EXIT_OK = 0
#: Problems found: in a scheme (``check``, or the scheme to evaluate), or a failing case.
EXIT_PROBLEMS = 1
#: Bad input or usage: a file that cannot be read, a bad cohort, an unknown scheme, argparse.
EXIT_INPUT = 2
#: An internal error: a bug in villageeval.
EXIT_INTERNAL = 3

#: Where a bug is reported, named in the message of an internal error.
REPORT_BUGS_TO = "the villageeval issue tracker"

EXIT_CODES_HELP = f"""\
exit codes:
  {EXIT_OK}  fine
  {EXIT_PROBLEMS}  problems found: check found problems in a scheme, the scheme to evaluate
     has problems, or a test case failed
  {EXIT_INPUT}  bad input or usage: a file that cannot be read, a malformed cohort or case,
     an unknown scheme or subject, a usage error
  {EXIT_INTERNAL}  an internal error (a bug in villageeval); --debug shows its traceback
with --errors json, every problem is one JSON object a line on stderr
(file, line, path, code, message, severity); -o FILE is written only on 0 or 1
"""


def _say(stream: TextIO, *lines: str) -> None:
    """Write ``lines`` with their control characters escaped: each stays one line.

    On stderr with ``--errors json``, each line becomes a problem object instead (code
    ``usage``): the commands report their own problems with :func:`_report`.
    """
    if stream is sys.stderr and errors_json.get():
        report(Problem((), line.removeprefix("error: "), code="usage") for line in lines)
        return
    for line in lines:
        stream.write(printable(line) + "\n")


def _report(problems: Sequence[Problem], *text: str) -> None:
    """Problems on stderr: ``text`` (by default each problem's ``file:line: key: message``),
    or with ``--errors json`` each problem as a JSON line."""
    report(problems, text or None)


def _os_problem(error: OSError, code: str = "unreadable") -> Problem:
    """A file that cannot be read (or written) as a problem naming it."""
    file = error.filename if isinstance(error.filename, str) else None
    return Problem((), error.strerror or str(error), file, code=code)


def _scheme_label(scheme: Scheme) -> str:
    return scheme.title or scheme.id


def _registry(args: argparse.Namespace) -> Registry:
    """A fresh registry for this command, with the directories given on purpose."""
    registry: Registry | None = getattr(args, "_registry", None)
    if registry is None:
        registry = Registry()
        for directory in args.with_rules or ():
            registry.add_scheme_directory(directory)
        args._registry = registry
    return registry


def _load(args: argparse.Namespace, name: str) -> Scheme:
    return load_scheme(name, registry=_registry(args))


def _cmd_schemes(args: argparse.Namespace, out: TextIO) -> int:
    for scheme_id, path in _registry(args).schemes().items():
        title = ""
        try:
            title = _load(args, str(path)).title
        except (VillageevalError, OSError, UnicodeDecodeError):  # one bad file does not hide the others
            title = "(does not load: run villageeval check)"
        out.write(f"{printable(scheme_id)}\t{printable(title)}\n")  # the tab separates: not escaped
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """Check every scheme named; the exit code is the worst: a scheme that cannot be found
    or read (2) is worse than one with problems (1)."""
    status = EXIT_OK
    for name in args.schemes:
        try:
            scheme = _load(args, name)
        except SchemeError as e:
            _report(e.problems)
            status = max(status, EXIT_PROBLEMS)
            continue
        except UnknownSchemeError as e:
            _report([Problem((), str(e), name, code="unknown_scheme")], f"{name}: {e}")
            status = max(status, EXIT_INPUT)
            continue
        except OSError as e:
            _report([_os_problem(e)], f"{name}: {e}")
            status = max(status, EXIT_INPUT)
            continue
        where = scheme_origin(scheme) or name
        rankings = f", {len(scheme.rankings)} rankings" if scheme.rankings else ""
        _say(
            out,
            f"{where}: ok ({scheme.id}: {len(scheme.roles)} roles, {len(scheme.instruments)} instruments, "
            f"{len(scheme.vetoes)} vetoes, {len(scheme.caps)} caps, {len(scheme.quotas)} quotas{rankings})",
        )
    return status


class _UsageError(VillageevalError):
    """Options that do not go together (a workbook to stdout): exit code 2, problem code ``usage``."""


COHORT_HELP = "the cohort: a JSON file, - for JSON on stdin, or a filled 汇总表 (.xlsx, .csv: the excel extra)"

#: Cohorts read from a township's workbook or its CSV (``villageeval.office``).
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")


def _lang_option(parser: argparse.ArgumentParser, default: str, help: str) -> None:
    from ._catalogue import LANGS

    parser.add_argument("--lang", choices=LANGS, default=None, help=help)
    parser.set_defaults(lang_default=default)


def _lang(args: argparse.Namespace, default: str | None = None) -> str:
    """``--lang`` as given, else the verb's (or the output format's) default."""
    return str(args.lang or default or args.lang_default)


def _read_sheets(scheme: Scheme, name: str) -> Cohort:
    """A cohort from a filled 汇总表: its cell problems said on stderr, the encoding of a CSV too."""
    office = _office()
    read = office.read_sheets(scheme, name)
    if read.encoding is not None and read.encoding not in ("utf-8", "utf-8-sig"):
        note = f"read {name} as {read.encoding.upper()} (not UTF-8: Chinese Excel's default)"
        _report([Problem((), note, name, severity="warning", code="encoding")], f"note: {note}")
    if read.warnings:
        _report(list(read.warnings))
    cohort: Cohort = read.cohort
    return cohort


def _office() -> Any:
    try:
        from . import office
    except ImportError as e:
        raise VillageevalError(f"{e}") from None
    return office


def _load_pair(args: argparse.Namespace, progress: Progress | None = None) -> tuple[Scheme, Cohort]:
    scheme = _load(args, args.scheme)
    where = "stdin" if args.cohort == "-" else args.cohort
    with progress.stage(f"reading {where}") if progress is not None else contextlib.nullcontext():
        cohort: Cohort
        if args.cohort != "-" and Path(args.cohort).suffix.lower() in SHEET_SUFFIXES:
            cohort = _read_sheets(scheme, args.cohort)
        else:
            cohort = read_cohort(args.cohort)
    if cohort.scheme and cohort.scheme != scheme.id:
        message = f"the cohort names scheme {cohort.scheme!r}, evaluating under {scheme.id!r}"
        file = None if args.cohort == "-" else args.cohort
        _report(
            [Problem(("scheme",), message, file, severity="warning", code="scheme_mismatch")], f"warning: {message}"
        )
    return scheme, cohort


def _grade_cell(o: Outcome) -> str:
    if o.status == "graded":
        return o.final_grade or ""
    return "—"


def _place_cell(o: Outcome, ranking: str) -> str:
    """A subject's place in a ranking as the table shows it: ``3``, ``2=`` when shared, or nothing."""
    placing = o.rank.get(ranking)
    if placing is None:
        return ""
    return f"{placing.place}=" if placing.tied_with else str(placing.place)


def _table(result: Result, scheme: Scheme, lang: str = "en") -> str:
    from ._catalogue import code_name, render_text, text

    def say(key: str, **params: Any) -> str:
        return text(key, lang, **params)

    columns = ("subject", "name", "role", "status", "score", "rounded", "raw", "final", "adjusted", "reasons")
    headers = [say(f"cli.header.{c}") for c in columns]
    # A column per ranking of the scheme (名次), "2=" for a shared place: the place is what
    # a township reads a 综合排名 for.
    rankings = list(scheme.rankings)
    headers += [say("cli.header.rank", ranking=rid) for rid in rankings]
    with_consequences = any(o.consequences for o in result.outcomes)
    if with_consequences:  # for 温江 and 巴东 the consequence is the point
        headers.append(say("cli.header.consequences"))
    rows = []
    for o in result.outcomes:
        status = say(f"cli.status.{o.status}") if lang != "en" else o.status
        codes = [render_text(code_name(r.code), lang) for r in o.reasons]
        row = [
            o.subject_id,
            o.name,
            o.role,
            status,
            o.score_display or "",
            "" if o.rounded_score is None else _num(o.rounded_score),
            o.raw_grade or "",
            _grade_cell(o),
            ", ".join(a.rule for a in o.adjustments),
            "; ".join(codes),
        ]
        row += [_place_cell(o, rid) for rid in rankings]
        if with_consequences:
            row.append(", ".join(c.rule for c in o.consequences))
        rows.append(row)
    lines = [
        f"{scheme.id} — {_scheme_label(scheme)}",
        "",
        *render_table(headers, rows, right=(4, 5, *range(len(columns), len(columns) + len(rankings)))).split("\n"),
    ]
    counts: dict[str, int] = {}
    for o in result.outcomes:
        key = o.final_grade if o.status == "graded" and o.final_grade else o.status
        counts[key] = counts.get(key, 0) + 1
    order = _total_order(scheme)
    ranked = sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order)))
    shown = [
        say("cli.count", label=say(f"cli.status.{k}") if lang != "en" and k in _STATUSES else k, n=v) for k, v in ranked
    ]
    lines += ["", say("cli.totals", counts=", ".join(shown) if lang == "en" else "、".join(shown))]
    found = [o for o in result.outcomes if o.findings]
    if found:
        lines.append(say("cli.findings"))
        for o in found:
            lines.append(f"  {o.subject_id}: " + "; ".join(f.text for f in o.findings))
    for p in result.populations:
        group = f" [{p.group}]" if p.group else ""
        lines.append(
            say(
                "cli.quota",
                quota=p.quota,
                group=group,
                grade=p.grade,
                bound=say(f"cli.bound.{p.bound}"),
                limit=p.limit,
                size=p.size,
                before=p.holders_before,
                after=p.holders_after,
                status=p.status,
            )
        )
    lines += [say("cli.warning", text=render_text(w, lang)) for w in result.warnings]
    lines.append(say("cli.stamp", hash=result.scheme_hash, version=result.version))
    # Each line made printable (the table's are already): one line each, whatever ids hold.
    return "\n".join(printable(line) for line in lines) + "\n"


_STATUSES = ("graded", "insufficient_evidence", "ineligible", "referred")


def _total_order(scheme: Scheme) -> dict[str, int]:
    """Grades in the order of the scales the roles are graded on (best first, the scheme's
    roles in order), then the statuses: how the totals line is printed."""
    order: dict[str, int] = {}
    for role in scheme.roles:
        for grading in scheme.gradings.values():
            if role in scheme.role_ids(grading.roles):
                for label in scheme.scales[grading.scale].labels:
                    order.setdefault(label, len(order))
    for status in _STATUSES:
        order.setdefault(status, len(order))
    return order


def _num(v: object) -> str:
    from fractions import Fraction

    from ._numbers import exact_text

    return exact_text(v) if isinstance(v, Fraction) else str(v)


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    """Grade the cohort; ``--format json`` streams the result as it is written, outcome by
    outcome, so that a province's result with its traces is never held as one text."""
    if args.format == "xlsx" and (args.output is None or args.output == "-"):
        raise _UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    scheme, cohort = _load_pair(args, _reading_progress(args.cohort))
    progress = Progress(len(cohort.subjects))
    trace = (args.format == "json" and not args.no_trace) or args.format == "xlsx"
    # JSON is written in English: its traces need no catalogue keys (half their memory)
    english = english_only() if args.format == "json" else contextlib.nullcontext()
    with progress.stage(f"grading {len(cohort.subjects):,} subjects"), english:
        result = _evaluate(args, scheme, cohort, trace)
    del cohort  # the result keeps it until its hash is written, and no longer
    if args.format == "json":
        progress.start("writing", len(result.outcomes))
        with _collector_paused(len(result.outcomes)):
            write_result(result, out, trace=trace, progress=progress.advance)
        out.write("\n")
        progress.finish()
    elif args.format == "xlsx":
        office = _office()
        lang = _lang(args, "zh")
        _write_file(args.output, lambda path: office.write_result_workbook(result, scheme, path, lang=lang))
    elif args.format == "csv":
        _office().write_result_csv(result, scheme, out, lang=_lang(args, "zh"))
    else:
        out.write(_table(result, scheme, _lang(args)))
    return 0


def _write_file(target: str, write: Callable[[Path], None]) -> None:
    """A file a library writes by its path (a workbook), whole or not at all: written
    beside ``target`` and renamed over it."""
    path = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(name))
        try:
            mode = path.stat().st_mode & 0o7777  # of the file it replaces
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # of a new file
        os.chmod(name, mode)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def _cmd_template(args: argparse.Namespace, out: TextIO) -> int:
    if args.output is None or args.output == "-":
        raise _UsageError("template writes a workbook: give -o FILE.xlsx")
    office = _office()
    scheme = _load(args, args.scheme)
    _write_file(args.output, lambda path: office.write_template(scheme, path, lang=_lang(args)))
    return 0


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    try:
        from .report import render_report
    except ImportError as e:
        raise VillageevalError(f"{e}") from None
    scheme, cohort = _load_pair(args, _reading_progress(args.cohort))
    result = _evaluate(args, scheme, cohort, True)
    out.write(render_report(scheme, result, lang=_lang(args)))
    return 0


@contextlib.contextmanager
def _collector_paused(subjects: int) -> Iterator[None]:
    """Python's cyclic garbage collector paused while a large result is hashed and written,
    as ``evaluate`` pauses it (``villageeval._engine.PAUSE_AT``): what is made then holds no
    cycles, and a full collection would walk the whole cohort and result for nothing (0.7 s
    on 100,000 subjects). A collector already off is left off."""
    from ._engine import PAUSE_AT

    if subjects < PAUSE_AT or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _evaluate(args: argparse.Namespace, scheme: Scheme, cohort: Cohort, trace: bool) -> Result:
    """``evaluate``, whose cohort errors (an unknown role, a missing group) name the file."""
    try:
        return evaluate(scheme, cohort, trace=trace)
    except CohortError as e:
        if args.cohort == "-":
            raise
        raise CohortError(
            attrs.evolve(p, file=args.cohort) if p.file == "<cohort>" else p for p in e.problems
        ) from None


def _reading_progress(cohort: str) -> Progress:
    """The progress of reading a cohort, before its size is known: shown for stdin and for
    a file of a megabyte or more (a subject's JSON takes about a kilobyte)."""
    try:
        large = cohort == "-" or Path(cohort).stat().st_size >= 1_000_000
    except OSError:
        large = False
    return Progress(PROGRESS_AT if large else 0)


def explain_outcome(o: Outcome, scheme: Scheme, lang: str = "en") -> str:
    """The explanation of one outcome, step by step, citing rules and clauses, in ``lang``."""
    from ._catalogue import code_name, render_text, show, text

    def say(key: str, **params: Any) -> str:
        return text(key, lang, **params)

    head = f"{o.subject_id}"
    if o.name:
        head += f" {o.name}"
    role = scheme.roles[o.role].label if o.role in scheme.roles else o.role
    lines = [
        head,
        say("cli.explain.role", role=o.role, label=role),
        say("cli.explain.scheme", scheme=scheme.id, title=_scheme_label(scheme)),
        "",
    ]
    for i, t in enumerate(o.trace, 1):
        cite = ""
        if t.rule or t.clause:
            cite = f"  [{t.rule or ''}{' § ' + t.clause if t.clause else ''}]"
        lines.append(f"  {i:>2}. {t.step:<12} {render_text(t.message, lang)}{cite}")
    lines.append("")
    if o.status == "graded":
        if o.score_display is not None:
            raw = o.raw_grade or text("word.no_grade", lang)
            lines.append(say("cli.explain.score", score=o.score_display, raw=raw, final=o.final_grade))
        else:
            raw = o.raw_grade or text("cli.explain.by_limit", lang)
            lines.append(say("cli.explain.no_total", raw=raw, final=o.final_grade))
        for found in o.findings:
            detail = f" — {found.detail}" if found.detail else ""
            lines.append(
                say("cli.explain.finding", rule=found.rule, clause=found.clause, text=found.text, detail=detail)
            )
        for a in o.adjustments:
            kind = text(f"cli.kind.{a.kind}", lang) if lang != "en" else a.kind
            lines.append(
                say(
                    "cli.explain.adjusted",
                    kind=kind,
                    rule=a.rule,
                    clause=a.clause,
                    before=a.from_grade,
                    after=a.to_grade,
                )
            )
        for c in o.consequences:
            lines.append(say("cli.explain.consequence", rule=c.rule, clause=c.clause, text=c.text))
    else:
        lines.append(say("cli.explain.status", status=say(f"cli.status.{o.status}")))
        for r in o.reasons:
            cite = f" ({r.rule} § {r.clause})" if r.rule else ""
            code = show(code_name(r.code), "zh") if lang == "zh" else r.code
            lines.append(say("cli.explain.reason", code=code, message=render_text(r.message, lang), cite=cite))
    for rid, placing in o.rank.items():
        where = f" [{placing.group}]" if placing.group else ""
        tied = say("cli.explain.tied", others=", ".join(placing.tied_with)) if placing.tied_with else ""
        lines.append(say("cli.explain.rank", ranking=rid, place=placing.place, of=placing.of, where=where, tied=tied))
    for f in o.flags:
        if f.startswith("quota_tie:"):
            lines.append(say("cli.explain.tie", quota=f.split(":", 1)[1]))
    # Every line holds ids, names, labels or texts from files: one line each, whatever they hold.
    return "\n".join(printable(line) for line in lines) + "\n"


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    scheme, cohort = _load_pair(args, _reading_progress(args.cohort))
    with Progress(len(cohort.subjects)).stage(f"grading {len(cohort.subjects):,} subjects"):
        result = _evaluate(args, scheme, cohort, True)
    try:
        o = result.outcome(args.subject)
    except KeyError:
        from ._hints import close_matches

        ids = [x.subject_id for x in result.outcomes]
        close = close_matches(args.subject, ids, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = f"no subject {args.subject!r} in the cohort{hint}"
        _report([Problem((), message, code="unknown_subject")], f"error: {message}")
        return EXIT_INPUT
    out.write(explain_outcome(o, scheme, _lang(args)))
    return 0


def _cmd_plugins(args: argparse.Namespace, out: TextIO) -> int:
    for info in _registry(args).plugins():
        out.write(f"{printable(info.name)}\t{printable(f'{info.distribution} {info.version}')}\n")
        _say(out, f"  hooks: {', '.join(info.hooks) or '-'}")
        if info.schemes:
            _say(out, f"  schemes: {', '.join(info.schemes)}")
        if info.predicates:
            _say(out, f"  predicates: {', '.join(info.predicates)}")
        if info.instrument_kinds:
            _say(out, f"  instrument kinds: {', '.join(info.instrument_kinds)}")
    return 0


def _cmd_test(args: argparse.Namespace, out: TextIO) -> int:
    from .testing._cases import find_cases, run_case, summary

    registry = _registry(args)
    if args.paths:
        cases = find_cases(args.paths, registry)
    else:
        cases = find_cases([str(path) for path in registry.schemes().values()], registry)
    results = []
    for case in cases:
        result = run_case(case, registry=registry)
        results.append(result)
        if result.passed:
            _say(out, f"PASS {case} ({result.subjects} subjects)")
        else:
            _say(out, f"FAIL {case}")
            _say(out, *(f"    {line}" for line in result.report().splitlines()))
    if not cases:
        out.write("no cases found\n")
    out.write(summary(results) + "\n")
    return EXIT_OK if results and all(r.passed for r in results) else EXIT_PROBLEMS


def _cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.directory)
    try:
        written = _init.write_skeleton(target, scheme_id=args.id)
    except (FileExistsError, _init.SchemeIdError) as e:
        _report([Problem((), str(e), code="usage")], f"error: {e}")
        return EXIT_INPUT
    for path in written:
        _say(out, f"wrote {path}")
    _say(out, f"next: villageeval check {scheme_file(target)}")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    """Print a JSON Schema of the interchange as the package ships it, or with ``--scheme``
    the cohort schema of one scheme."""
    from . import _schema

    if args.scheme is None:
        out.write(_schema.shipped_text(args.name))
        return EXIT_OK
    if args.name != "cohort":
        _say(sys.stderr, f"error: --scheme gives one scheme's cohort schema; the {args.name} schema is one for all")
        return EXIT_INPUT
    out.write(_schema.schema_text(_schema.cohort_schema_for(_load(args, args.scheme))))
    return EXIT_OK


def _cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    """Print what a scheme needs as input, per role: as text for people, or as JSON."""
    import json

    from ._describe import describe_scheme, describe_text

    scheme = _load(args, args.scheme)
    if args.format == "json":
        out.write(json.dumps(describe_scheme(scheme), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(describe_text(scheme))
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Run the HTTP service until interrupted (the ``server`` extra: Starlette on uvicorn)."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401

        from ._server import ServiceConfig, serve
    except ImportError:
        message = "villageeval serve needs the server extra: pip install 'villageeval[server]'"
        _report([Problem((), message, code="usage")], f"error: {message}")
        return EXIT_INPUT
    token = None
    if args.token_file is not None:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            message = f"cannot read the token file {args.token_file}: {e}"
            _report([Problem((), message, code="unreadable")], f"error: {message}")
            return EXIT_INPUT
        if not token:
            message = f"the token file {args.token_file} is empty"
            _report([Problem((), message, code="usage")], f"error: {message}")
            return EXIT_INPUT
    config = ServiceConfig(with_rules=args.with_rules or (), max_body=args.max_body, token=token)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        _say(sys.stderr, f"warning: serving on {args.host}, beyond this machine; set --token-file")
    serve(config, host=args.host, port=args.port)
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = _Parser(
        prog="villageeval",
        description="Evaluate village leadership under a locality's scheme, exactly and with explanations.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"villageeval {__version__}")
    p.add_argument(
        "--with-rules",
        action="append",
        metavar="DIR",
        help="register a scheme directory on purpose, importing its rules.py as that scheme's plugin (repeatable)",
    )
    p.add_argument("--debug", action="store_true", help="print the traceback of an error (for a bug report)")
    p.add_argument(
        "--errors",
        choices=("text", "json"),
        default="text",
        help="problems on stderr as path:line: key: message (text), or as one JSON object a line (json)",
    )
    # --debug and --errors after the verb too (villageeval evaluate ... --debug); SUPPRESS
    # keeps the value given before the verb when it is not repeated after it.
    debug = _Parser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    debug.add_argument("--errors", choices=("text", "json"), default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    output = _Parser(add_help=False)
    output.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help="write the output to FILE (UTF-8), whole or not at all: only when the command ends with 0 or 1",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def verb(name: str, help: str, *, writes: bool = True) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            parents=[debug, output] if writes else [debug],
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    s = verb("schemes", "list the registered schemes: id, then title")
    s.set_defaults(func=_cmd_schemes)

    s = verb("plugins", "list plugins: distribution and version, hooks, schemes, predicates")
    s.set_defaults(func=_cmd_plugins)

    s = verb("check", "validate scheme files; problems as path:line: key: message")
    s.add_argument("schemes", nargs="+", metavar="SCHEME_OR_PATH")
    s.set_defaults(func=_cmd_check)

    s = verb("evaluate", "grade a cohort")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("cohort", metavar="COHORT", help=COHORT_HELP)
    s.add_argument(
        "--format",
        choices=("table", "json", "xlsx", "csv"),
        default="table",
        help="table (the terminal), json (the result interchange), xlsx (a workbook for the township: "
        "needs -o FILE.xlsx and the excel extra), csv (the outcomes, UTF-8 with a BOM for Excel)",
    )
    s.add_argument("--no-trace", action="store_true", help="with --format json: leave each outcome's trace out")
    _lang_option(s, "en", "the language of the table's and the workbook's texts (xlsx and csv: zh by default)")
    s.set_defaults(func=_cmd_evaluate)

    s = verb("explain", "show how one subject's outcome was reached")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("cohort", metavar="COHORT", help=COHORT_HELP)
    s.add_argument("subject", metavar="SUBJECT_ID")
    _lang_option(s, "en", "the language of the explanation (en, or zh for a committee's minutes)")
    s.set_defaults(func=_cmd_explain)

    s = verb("template", "write a scheme's 汇总表 workbook to fill in (the excel extra)")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    _lang_option(s, "zh", "the language of the workbook's headings and instructions (default zh)")
    s.set_defaults(func=_cmd_template, writes_itself=True)

    s = verb("report", "write a printable HTML report of a cohort's outcomes (the report extra)")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("cohort", metavar="COHORT", help=COHORT_HELP)
    _lang_option(s, "zh", "the language of the report (default zh)")
    s.set_defaults(func=_cmd_report)

    from ._schema import SCHEMA_NAMES

    s = verb("schema", "print a JSON Schema (draft 2020-12): cohort, result, problem or describe")
    s.add_argument("name", choices=SCHEMA_NAMES, metavar="{" + ",".join(SCHEMA_NAMES) + "}")
    s.add_argument(
        "--scheme",
        metavar="SCHEME_OR_PATH",
        default=None,
        help="the cohort schema of this scheme: its roles, instruments and tiers, facts, groups",
    )
    s.set_defaults(func=_cmd_schema)

    s = verb("describe", "what a scheme needs as input, per role: instruments, tiers, facts, groups, history")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=_cmd_describe)

    s = verb(
        "serve", "run the HTTP service (the server extra), on 127.0.0.1 unless --host says otherwise", writes=False
    )
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine)")
    s.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    s.add_argument(
        "--max-body",
        type=int,
        default=64 * 1024 * 1024,
        metavar="BYTES",
        help="the largest request body accepted (default 64 MiB); larger is 413",
    )
    s.add_argument(
        "--token-file",
        default=None,
        metavar="FILE",
        help="require 'Authorization: Bearer <the token in FILE>' on every request but /health",
    )
    s.set_defaults(func=_cmd_serve)

    s = verb("test", "run scheme cases (cases/*.toml): all registered schemes by default")
    s.add_argument("paths", nargs="*", metavar="PATH", help="case files, scheme directories or ids, or trees of them")
    s.set_defaults(func=_cmd_test)

    s = verb("init", "write a commented skeleton scheme, demo cohort and case")
    s.add_argument("directory", metavar="DIR")
    s.add_argument("--id", default=None, help="scheme id, a lowercase slug (default: from the directory name)")
    s.set_defaults(func=_cmd_init)
    return p


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are a problem object (code ``usage``) with ``--errors json``."""

    def error(self, message: str) -> NoReturn:
        if not errors_json.get():
            super().error(message)
        report([Problem((), f"{self.prog}: {message}", code="usage")])
        self.exit(EXIT_INPUT)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace | int:
    """The parsed command line, or the exit code argparse chose: 0 after ``--help`` or
    ``--version``, 2 for a usage error (its message is already on stderr)."""
    try:
        return _parser().parse_args(argv)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or EXIT_OK
        return EXIT_INPUT


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for ``--errors json``, looked for before it is parsed,
    so that a usage error is reported as JSON too."""
    wanted = False
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--errors" and i + 1 < len(argv):
            wanted = argv[i + 1] == "json"
        elif arg.startswith("--errors="):
            wanted = arg == "--errors=json"
    return wanted


def _debug_traceback(error: BaseException, debug: bool) -> None:
    """With ``--debug``, where an error that ended the command was raised."""
    if debug:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)


def _internal_error(error: Exception, debug: bool) -> int:
    """Say, on one line, that ``error`` is a bug in villageeval and where to report it;
    the traceback only with ``--debug`` (a clerk needs the line, a developer the rest)."""
    _debug_traceback(error, debug)
    try:
        what = f"{type(error).__name__}: {error}"
    except Exception:  # an exception whose str() fails is still reported
        what = type(error).__name__
    again = "" if debug else "; run again with --debug for the traceback"
    message = (
        f"internal error: a bug in villageeval, not a problem of your files: {what}; "
        f"please report it to {REPORT_BUGS_TO} with the command and its input files{again}"
    )
    _report([Problem((), message, code="internal_error")], message)
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``EXIT_OK`` ... ``EXIT_INTERNAL``).

    Output and problems are written in UTF-8 whatever the locale: ``sys.stdout`` and
    ``sys.stderr`` are UTF-8 wrappers of their bytes while the command runs.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    token = errors_json.set(_wants_json(argv))
    try:
        with utf8(sys.stdout) as stdout, utf8(sys.stderr, write_through=True) as stderr, _streams(stdout, stderr):
            return _main(argv)
    finally:
        errors_json.reset(token)


@contextlib.contextmanager
def _streams(stdout: TextIO, stderr: TextIO) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: Sequence[str]) -> int:
    try:
        args = _parse(argv)
    except Exception as e:  # a bug while parsing is still one line
        return _internal_error(e, "--debug" in argv)
    if isinstance(args, int):
        return args
    errors_json.set(args.errors == "json")
    debug = bool(getattr(args, "debug", False))
    output = getattr(args, "output", None)
    target = None
    writes_itself = getattr(args, "writes_itself", False) or getattr(args, "format", None) == "xlsx"
    if output is not None and output != "-" and not writes_itself:
        try:
            target = AtomicOutput(output)
        except OSError as e:
            _report([_os_problem(e, code="unwritable")], f"error: cannot write {output}: {e.strerror or e}")
            return EXIT_INPUT
    code = _run(args, target.stream if target is not None else sys.stdout, debug)
    if target is not None:
        if code not in (EXIT_OK, EXIT_PROBLEMS):
            target.abort()
            return code
        try:
            target.commit()
        except OSError as e:
            target.abort()
            _report([_os_problem(e, code="unwritable")], f"error: cannot write {output}: {e.strerror or e}")
            return EXIT_INPUT
    return code


def _run(args: argparse.Namespace, out: TextIO, debug: bool) -> int:
    """The command's exit code; every error that ends it reported on stderr."""
    try:
        with _warnings_as_problems():
            code: int = args.func(args, out)
    except SchemeError as e:
        _debug_traceback(e, debug)
        _report(e.problems)
        return EXIT_PROBLEMS
    except CohortError as e:
        _debug_traceback(e, debug)
        _report(e.problems)
        return EXIT_INPUT
    except (VillageevalError, OSError) as e:
        _debug_traceback(e, debug)
        _report(_error_problems(e), f"error: {e}")
        return EXIT_INPUT
    except Exception as e:
        return _internal_error(e, debug)
    return code


def _error_problems(error: VillageevalError | OSError) -> list[Problem]:
    """An error that ended a command, as the problems it stands for."""
    if isinstance(error, OSError):
        return [_os_problem(error)]
    problems: Any = getattr(error, "problems", None)  # a case file's (CaseFormatError)
    if problems and all(isinstance(p, Problem) for p in problems):
        return list(problems)
    code = "unknown_scheme" if isinstance(error, UnknownSchemeError) else "invalid_value"
    if isinstance(error, _UsageError):
        code = "usage"
    if isinstance(error, PluginError):
        code = "plugin_error"
    return [Problem((), str(error), code=code)]


@contextlib.contextmanager
def _warnings_as_problems() -> Iterator[None]:
    """With ``--errors json``, a scheme's deprecation warning is a problem object too
    (severity ``warning``, code ``deprecated``); other warnings are shown as usual."""
    if not errors_json.get():
        yield
        return
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *rest: Any, **more: Any) -> None:
            if isinstance(message, SchemeDeprecationWarning):
                found = message.problem
                report([found or Problem((), str(message), severity="warning", code="deprecated")])
            else:
                shown(message, category, *rest, **more)

        warnings.showwarning = show
        yield


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
