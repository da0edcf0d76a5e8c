"""The ``villageeval`` command.

Verbs: ``schemes``, ``plugins``, ``check``, ``evaluate``, ``explain``, ``test``, ``init``;
``--with-rules DIR`` registers a scheme directory and its ``rules.py`` on purpose. Output that
other programs read (``schemes``, ``check``, ``evaluate --format json``) is kept
stable; problems go to stderr in the compiler format editors jump to
(``path:line: key.path: message``).

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

Everything printed that comes from a file (ids, names, labels, paths, messages) has its
control characters shown as escapes (:func:`villageeval._table.printable`), so a newline
or a terminal escape in an id cannot forge a row or rewrite the screen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import _init
from ._bound import scheme_origin
from ._cohort import Cohort, load_cohort
from ._engine import evaluate
from ._errors import CohortError, SchemeError, UnknownSchemeError, VillageevalError
from ._interchange import result_to_json
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
"""


def _say(stream: TextIO, *lines: str) -> None:
    """Write ``lines`` with their control characters escaped: each stays one line."""
    for line in lines:
        stream.write(printable(line) + "\n")


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
            _say(sys.stderr, *(str(p) for p in e.problems))
            status = max(status, EXIT_PROBLEMS)
            continue
        except (UnknownSchemeError, OSError) as e:
            _say(sys.stderr, f"{name}: {e}")
            status = max(status, EXIT_INPUT)
            continue
        where = scheme_origin(scheme) or name
        _say(
            out,
            f"{where}: ok ({scheme.id}: {len(scheme.roles)} roles, {len(scheme.instruments)} instruments, "
            f"{len(scheme.vetoes)} vetoes, {len(scheme.caps)} caps, {len(scheme.quotas)} quotas)",
        )
    return status


def _load_pair(args: argparse.Namespace) -> tuple[Scheme, Cohort]:
    scheme = _load(args, args.scheme)
    cohort = load_cohort(args.cohort)
    if cohort.scheme and cohort.scheme != scheme.id:
        _say(sys.stderr, f"warning: the cohort names scheme {cohort.scheme!r}, evaluating under {scheme.id!r}")
    return scheme, cohort


def _grade_cell(o: Outcome) -> str:
    if o.status == "graded":
        return o.final_grade or ""
    return "—"


def _table(result: Result, scheme: Scheme) -> str:
    headers = ["subject", "name", "role", "status", "score", "rounded", "raw", "final", "adjusted by"]
    rows = []
    for o in result.outcomes:
        rows.append(
            [
                o.subject_id,
                o.name,
                o.role,
                o.status,
                o.score_display or "",
                "" if o.rounded_score is None else _num(o.rounded_score),
                o.raw_grade or "",
                _grade_cell(o),
                ", ".join(a.rule for a in o.adjustments) or ("; ".join(r.code for r in o.reasons)),
            ]
        )
    text = [f"{scheme.id} — {_scheme_label(scheme)}", "", *render_table(headers, rows, right=(4, 5)).split("\n")]
    counts: dict[str, int] = {}
    for o in result.outcomes:
        key = o.final_grade if o.status == "graded" and o.final_grade else o.status
        counts[key] = counts.get(key, 0) + 1
    text += ["", "totals: " + ", ".join(f"{k} {v}" for k, v in counts.items())]
    found = [o for o in result.outcomes if o.findings]
    if found:
        text.append("findings:")
        for o in found:
            text.append(f"  {o.subject_id}: " + "; ".join(f.text for f in o.findings))
    for p in result.populations:
        group = f" [{p.group}]" if p.group else ""
        text.append(
            f"quota {p.quota}{group}: {p.grade} {p.bound.replace('_', ' ')} {p.limit} of {p.size}: "
            f"{p.holders_before} → {p.holders_after} ({p.status})"
        )
    text += [f"warning: {w}" for w in result.warnings]
    text.append(f"scheme hash {result.scheme_hash}, villageeval {result.version}")
    # Each line made printable (the table's are already): one line each, whatever ids hold.
    return "\n".join(printable(line) for line in text) + "\n"


def _num(v: object) -> str:
    from fractions import Fraction

    from ._numbers import exact_text

    return exact_text(v) if isinstance(v, Fraction) else str(v)


def _cmd_evaluate(args: argparse.Namespace, out: TextIO) -> int:
    scheme, cohort = _load_pair(args)
    result = evaluate(scheme, cohort, trace=args.format == "json")
    if args.format == "json":
        out.write(result_to_json(result) + "\n")
    else:
        out.write(_table(result, scheme))
    return 0


def explain_outcome(o: Outcome, scheme: Scheme) -> str:
    """The explanation of one outcome, step by step, citing rules and clauses."""
    head = f"{o.subject_id}"
    if o.name:
        head += f" {o.name}"
    role = scheme.roles[o.role].label if o.role in scheme.roles else o.role
    lines = [head, f"  role: {o.role} ({role})", f"  scheme: {scheme.id} — {_scheme_label(scheme)}", ""]
    for i, t in enumerate(o.trace, 1):
        cite = ""
        if t.rule or t.clause:
            cite = f"  [{t.rule or ''}{' § ' + t.clause if t.clause else ''}]"
        lines.append(f"  {i:>2}. {t.step:<12} {t.message}{cite}")
    lines.append("")
    if o.status == "graded":
        if o.score_display is not None:
            lines.append(f"  score {o.score_display} → {o.raw_grade or 'no grade'} → final {o.final_grade}")
        else:
            lines.append(f"  no total; graded {o.raw_grade or 'by a veto or cap'} → final {o.final_grade}")
        for found in o.findings:
            detail = f" — {found.detail}" if found.detail else ""
            lines.append(f"  finding {found.rule} ({found.clause}): {found.text}{detail}")
        for a in o.adjustments:
            lines.append(f"  adjusted by {a.kind} {a.rule} ({a.clause}): {a.from_grade} → {a.to_grade}")
        for c in o.consequences:
            lines.append(f"  consequence {c.rule} ({c.clause}): {c.text}")
    else:
        lines.append(f"  status: {o.status}")
        for r in o.reasons:
            cite = f" ({r.rule} § {r.clause})" if r.rule else ""
            lines.append(f"  - {r.code}: {r.message}{cite}")
    for f in o.flags:
        if f.startswith("quota_tie:"):
            lines.append(f"  note: tied at the cut of quota {f.split(':', 1)[1]}; for the committee to confirm")
    # Every line holds ids, names, labels or texts from files: one line each, whatever they hold.
    return "\n".join(printable(line) for line in lines) + "\n"


def _cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    scheme, cohort = _load_pair(args)
    result = evaluate(scheme, cohort, trace=True)
    try:
        o = result.outcome(args.subject)
    except KeyError:
        from ._hints import close_matches

        ids = [x.subject_id for x in result.outcomes]
        close = close_matches(args.subject, ids, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        _say(sys.stderr, f"error: no subject {args.subject!r} in the cohort{hint}")
        return EXIT_INPUT
    out.write(explain_outcome(o, scheme))
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
        _say(sys.stderr, f"error: {e}")
        return EXIT_INPUT
    for path in written:
        _say(out, f"wrote {path}")
    _say(out, f"next: villageeval check {scheme_file(target)}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
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
    # --debug after the verb too (villageeval evaluate ... --debug); SUPPRESS keeps the
    # value given before the verb when it is not repeated after it.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def verb(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            parents=[debug],
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
    s.add_argument("cohort", metavar="COHORT")
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.set_defaults(func=_cmd_evaluate)

    s = verb("explain", "show how one subject's outcome was reached")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("cohort", metavar="COHORT")
    s.add_argument("subject", metavar="SUBJECT_ID")
    s.set_defaults(func=_cmd_explain)

    s = verb("test", "run scheme cases (cases/*.toml): all registered schemes by default")
    s.add_argument("paths", nargs="*", metavar="PATH", help="case files, scheme directories or ids, or trees of them")
    s.set_defaults(func=_cmd_test)

    s = verb("init", "write a commented skeleton scheme, demo cohort and case")
    s.add_argument("directory", metavar="DIR")
    s.add_argument("--id", default=None, help="scheme id, a lowercase slug (default: from the directory name)")
    s.set_defaults(func=_cmd_init)
    return p


def _parse(argv: Sequence[str] | None) -> argparse.Namespace | int:
    """The parsed command line, or the exit code argparse chose: 0 after ``--help`` or
    ``--version``, 2 for a usage error (its message is already on stderr)."""
    try:
        return _parser().parse_args(argv)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or EXIT_OK
        return EXIT_INPUT


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
    _say(
        sys.stderr,
        f"internal error: a bug in villageeval, not a problem of your files: {what}; "
        f"please report it to {REPORT_BUGS_TO} with the command and its input files{again}",
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``EXIT_OK`` ... ``EXIT_INTERNAL``)."""
    args = _parse(argv)
    if isinstance(args, int):
        return args
    debug = bool(getattr(args, "debug", False))
    try:
        code: int = args.func(args, sys.stdout)
    except SchemeError as e:
        _debug_traceback(e, debug)
        _say(sys.stderr, *(str(problem) for problem in e.problems))
        return EXIT_PROBLEMS
    except CohortError as e:
        _debug_traceback(e, debug)
        _say(sys.stderr, *(str(problem) for problem in e.problems))
        return EXIT_INPUT
    except (VillageevalError, OSError) as e:
        _debug_traceback(e, debug)
        _say(sys.stderr, f"error: {e}")
        return EXIT_INPUT
    except Exception as e:
        return _internal_error(e, debug)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
