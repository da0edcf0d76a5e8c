"""The ``villageeval`` command.

Verbs: ``schemes``, ``plugins``, ``check``, ``evaluate``, ``explain``, ``test``, ``init``;
``--with-rules DIR`` registers a scheme directory and its ``rules.py`` on purpose. Output that
other programs read (``schemes``, ``check``, ``evaluate --format json``) is kept
stable; problems go to stderr in the compiler format editors jump to
(``path:line: key.path: message``). Exit codes: 0 fine, 1 problems found,
2 usage or input error.
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
from ._table import render_table

__all__ = ["main"]


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
        except VillageevalError:
            title = "(does not load: run villageeval check)"
        out.write(f"{scheme_id}\t{title}\n")
    return 0


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    status = 0
    for name in args.schemes:
        try:
            scheme = _load(args, name)
        except SchemeError as e:
            for p in e.problems:
                sys.stderr.write(f"{p}\n")
            status = 1
            continue
        except (UnknownSchemeError, OSError) as e:
            sys.stderr.write(f"{name}: {e}\n")
            status = 1
            continue
        where = scheme_origin(scheme) or name
        out.write(
            f"{where}: ok ({scheme.id}: {len(scheme.roles)} roles, {len(scheme.instruments)} instruments, "
            f"{len(scheme.vetoes)} vetoes, {len(scheme.caps)} caps, {len(scheme.quotas)} quotas)\n"
        )
    return status


def _load_pair(args: argparse.Namespace) -> tuple[Scheme, Cohort]:
    scheme = _load(args, args.scheme)
    cohort = load_cohort(args.cohort)
    if cohort.scheme and cohort.scheme != scheme.id:
        sys.stderr.write(f"warning: the cohort names scheme {cohort.scheme!r}, evaluating under {scheme.id!r}\n")
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
    text = [f"{scheme.id} — {_scheme_label(scheme)}", "", render_table(headers, rows, right=(4, 5))]
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
    return "\n".join(text) + "\n"


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
    return "\n".join(lines) + "\n"


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
        sys.stderr.write(f"error: no subject {args.subject!r} in the cohort{hint}\n")
        return 2
    out.write(explain_outcome(o, scheme))
    return 0


def _cmd_plugins(args: argparse.Namespace, out: TextIO) -> int:
    for info in _registry(args).plugins():
        out.write(f"{info.name}\t{info.distribution} {info.version}\n")
        out.write(f"  hooks: {', '.join(info.hooks) or '-'}\n")
        if info.schemes:
            out.write(f"  schemes: {', '.join(info.schemes)}\n")
        if info.predicates:
            out.write(f"  predicates: {', '.join(info.predicates)}\n")
        if info.instrument_kinds:
            out.write(f"  instrument kinds: {', '.join(info.instrument_kinds)}\n")
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
            out.write(f"PASS {case} ({result.subjects} subjects)\n")
        else:
            out.write(f"FAIL {case}\n")
            for line in result.report().splitlines():
                out.write(f"    {line}\n")
    if not cases:
        out.write("no cases found\n")
    out.write(summary(results) + "\n")
    return 0 if results and all(r.passed for r in results) else 1


def _cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.directory)
    try:
        written = _init.write_skeleton(target, scheme_id=args.id)
    except FileExistsError as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    for path in written:
        out.write(f"wrote {path}\n")
    out.write(f"next: villageeval check {scheme_file(target)}\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="villageeval",
        description="Evaluate village leadership under a locality's scheme, exactly and with explanations.",
    )
    p.add_argument("--version", action="version", version=f"villageeval {__version__}")
    p.add_argument(
        "--with-rules",
        action="append",
        metavar="DIR",
        help="register a scheme directory on purpose, importing its rules.py as that scheme's plugin (repeatable)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("schemes", help="list the registered schemes: id, then title")
    s.set_defaults(func=_cmd_schemes)

    s = sub.add_parser("plugins", help="list plugins: distribution and version, hooks, schemes, predicates")
    s.set_defaults(func=_cmd_plugins)

    s = sub.add_parser("check", help="validate scheme files; problems as path:line: key: message")
    s.add_argument("schemes", nargs="+", metavar="SCHEME_OR_PATH")
    s.set_defaults(func=_cmd_check)

    s = sub.add_parser("evaluate", help="grade a cohort")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("cohort", metavar="COHORT")
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.set_defaults(func=_cmd_evaluate)

    s = sub.add_parser("explain", help="show how one subject's outcome was reached")
    s.add_argument("scheme", metavar="SCHEME_OR_PATH")
    s.add_argument("cohort", metavar="COHORT")
    s.add_argument("subject", metavar="SUBJECT_ID")
    s.set_defaults(func=_cmd_explain)

    s = sub.add_parser("test", help="run scheme cases (cases/*.toml): all registered schemes by default")
    s.add_argument("paths", nargs="*", metavar="PATH", help="case files, scheme directories or ids, or trees of them")
    s.set_defaults(func=_cmd_test)

    s = sub.add_parser("init", help="write a commented skeleton scheme, demo cohort and case")
    s.add_argument("directory", metavar="DIR")
    s.add_argument("--id", default=None, help="scheme id (default: the directory name)")
    s.set_defaults(func=_cmd_init)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        code: int = args.func(args, out)
    except SchemeError as e:
        for problem in e.problems:
            sys.stderr.write(f"{problem}\n")
        return 1
    except CohortError as e:
        for problem in e.problems:
            sys.stderr.write(f"{problem}\n")
        return 2
    except (VillageevalError, OSError) as e:
        sys.stderr.write(f"error: {e}\n")
        return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
