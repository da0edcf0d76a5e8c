"""Benchmarks of villageeval against the floor and its peers (issue #6).

    python benchmarks/run.py --quick     # township + county + a 2,000-village province slice, < 2 min
    python benchmarks/run.py             # township + county + province (25,000 villages) + nation
    python benchmarks/run.py --no-nation # the same without the nation (490,000 villages, ~20 min)

Every engine grades the same seeded cohorts (``cohorts.py``) under huining-bench
(``scheme/scheme.toml``: huining-midterm-2023 + a 40% quota of 好 per township), each
in a process of its own. Every result is checked against the floor (``floor.py``,
exact): a subject mismatches if its final grade differs, or its total shown with two
decimals (half-up, as the scheme displays it) differs. Mismatches are counted and
explained, never hidden.

Figures: CPU µs per subject (median of the runs; wall time is shown too: on a shared
machine it is the noisier one), ratio to the floor, resident memory needed above the
inputs, time to compile each engine's rules, time to load the scheme, ``import
villageeval`` next to importing its dependencies alone, trace on vs off, and the
scaling of the quota with the size of one population (fit exponent of time vs n).

villageeval runs twice: on ``Subject`` objects (``evaluate``), and on the cohort's
columns (``villageeval.columnar``), next to OpenFisca given the same columns.

The last lines are one per engine, ``engine µs/subject ratio-to-floor mismatches
peak-MiB``, and then ``villageeval/floor = X.XX``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import engines  # noqa: E402

PY = sys.executable
ORDER = [
    "floor",
    "villageeval",
    "villageeval (columnar)",
    "openfisca",
    "openfisca (columns)",
    "zen-engine",
    "zen-engine (JDM graph)",
    "business-rules",
    "durable-rules",
    "json-logic",
    "rule-engine",
]
PEER_PACKAGES = {
    "openfisca": "openfisca-core",
    "openfisca (columns)": "openfisca-core",
    "zen-engine": "zen-engine",
    "zen-engine (JDM graph)": "zen-engine",
    "business-rules": "business-rules",
    "durable-rules": "durable-rules",
    "json-logic": "json-logic-qubit",
    "rule-engine": "rule-engine",
    "villageeval": "villageeval",
    "villageeval (columnar)": "villageeval",
}

MODES: dict[str, dict[str, Any]] = {
    "quick": {
        "levels": [["township", None], ["county", None], ["province", 2000]],
        "headline": "province[:2000]",
        # villageeval and the floor: the ratio needs medians; the peers: as many runs as
        # fit in the budget (at least one), so --quick stays under 2 minutes.
        "runs": {"main": (3, 5, 2.0), "peer": (1, 3, 1.5)},
        "scaling": [15, 143, 1429],  # villages: ~100, 1k, 10k subjects in one township
        "scaling_openfisca": [15, 143, 1429],
        "trace_level": ["county", None],
        "nation": False,
    },
    "full": {
        "levels": [["township", None], ["county", None], ["province", None]],
        "headline": "province",
        "runs": {"main": (5, 5, 1e9), "peer": (3, 5, 60.0)},
        "scaling": [15, 143, 1429, 14286],  # ~100, 1k, 10k, 100k
        "scaling_openfisca": [15, 143, 1429],  # its rank is quadratic: 100k would take hours
        "trace_level": ["province", 2000],
        "nation": True,
    },
}


# --- helpers ---------------------------------------------------------------------------


def say(*a: Any) -> None:
    print(*a, flush=True)


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as f:
        out = f.name
    try:
        proc = subprocess.run([PY, str(HERE / "_worker.py"), json.dumps(spec), out], cwd=ROOT)
        if proc.returncode != 0:
            return {"engine": spec["engine"], "failed": f"worker exited with {proc.returncode}"}
        report: dict[str, Any] = pickle.loads(Path(out).read_bytes())
        return report
    finally:
        os.unlink(out)


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def shown(x: Any) -> str | None:
    """A total as the scheme shows it: two decimals, half-up, from its exact value."""
    if x is None:
        return None
    f = exact_value(x)
    q = (2 * f.numerator * 100 + f.denominator) // (2 * f.denominator)
    sign = "-" if q < 0 else ""
    q = abs(q)
    return f"{sign}{q // 100}.{q % 100:02d}"


def exact_value(x: Any) -> Fraction:
    """An engine's total as a Fraction: an exact (numerator, denominator) pair is one too."""
    if isinstance(x, tuple):
        return Fraction(*x)
    return x if isinstance(x, Fraction) else Fraction(x)


def exact(x: Any) -> str:
    """A number as it really is: a float's binary value, not its short repr."""
    if isinstance(x, float):
        from decimal import Decimal

        return f"float {format(Decimal(x), '.20g')}…"
    return f"{type(x).__name__} {x}"


def half_up(x: Any) -> int:
    f = exact_value(x)
    return (2 * f.numerator + f.denominator) // (2 * f.denominator)


def band(rounded: int) -> str:
    return "好" if rounded >= 85 else "一般" if rounded >= 66 else "差"


def check(reference: dict[str, tuple[Any, ...]], got: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
    """Mismatches of ``got`` against the floor's results, with a cause for each.

    ``reference`` holds the floor's (exact total, final grade, grade before the quota).
    """
    grade = total = missing = subjects = 0
    causes: dict[str, int] = {}
    examples: list[str] = []
    grade_examples: list[str] = []
    for sid, (exact_total, want, before) in reference.items():
        if sid not in got:
            missing += 1
            continue
        t, g = got[sid][:2]
        if exact_total is not None and t is not None:
            bad_total = shown(t) != shown(exact_total)
        else:
            bad_total = (t is None) != (exact_total is None)
        bad_grade = g != want
        total += bad_total
        grade += bad_grade
        if not (bad_grade or bad_total):
            continue
        subjects += 1
        if bad_grade:
            on_edge = exact_total is not None and (2 * exact_total).denominator == 1 and (2 * exact_total) % 2 == 1
            own_band = band(half_up(t)) if t is not None else None
            if {g, want} == {"好", "一般"} and before == "好" and own_band == "好":
                # both hold 好 before the quota; the engine kept another subject at the cut
                cause = "quota: a different 好 holder kept at a township's cut"
            elif on_edge and want == band(half_up(exact_total)):
                # an exact x.5 total, graded a band off: the engine's own arithmetic (floats,
                # 28-digit decimals) put it just under the edge, whatever total it returns
                cause = "band: exact total on a .5 edge, the engine's arithmetic fell below it"
            elif exact_total is not None and own_band != band(half_up(exact_total)):
                cause = "band: the computed total rounds to another band than the exact one"
            else:
                cause = "grade: other"
        else:
            cause = "total: shown differently at two decimals"
        causes[cause] = causes.get(cause, 0) + 1
        text = f"{sid}: exact {exact_total} ({shown(exact_total)}, {want}); got {exact(t)} ({shown(t)}, {g})"
        if bad_grade and len(grade_examples) < 3:
            grade_examples.append(text)
        elif not bad_grade and len(examples) < 2:
            examples.append(text)
    return {
        "subjects": subjects + missing,
        "grade": grade,
        "total": total,
        "missing": missing,
        "causes": causes,
        "examples": examples,
        "grade_examples": grade_examples,
    }


def machine() -> dict[str, str]:
    info = {"python": platform.python_version(), "implementation": platform.python_implementation()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in lscpu.splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "Hypervisor vendor"):
                info[k.strip()] = v.strip()
    except OSError:
        pass
    info["cores (os.cpu_count)"] = str(os.cpu_count())
    try:
        info["memory"] = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
        info["load average at start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (OSError, ValueError, AttributeError):
        pass
    info["platform"] = platform.platform()
    return info


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in sorted(set(PEER_PACKAGES.values()) | {"numpy", "attrs", "cattrs", "pluggy", "tomli"}):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_head() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return head + (" (src/ has uncommitted changes)" if dirty else "")


def installed_matches_source() -> str:
    """Whether the villageeval that runs is the one in src/ (the engine changes often)."""
    code = "import villageeval, pathlib; print(pathlib.Path(villageeval.__file__).parent)"
    where = Path(subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd="/").stdout.strip())
    src = ROOT / "src" / "villageeval"
    if where.resolve() == src.resolve():
        return f"{where} (the source tree)"
    differ = [
        p.name
        for p in sorted(src.glob("*.py"))
        if not (where / p.name).is_file() or (where / p.name).read_bytes() != p.read_bytes()
    ]
    if differ:
        return f"{where} — DIFFERS from src/ in {', '.join(differ[:5])}: reinstall (pip install .) to measure the tree"
    return f"{where} (same as src/)"


# --- measurements in fresh processes ---------------------------------------------------------

IMPORT_SNIPPET = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
IMPORTS = {
    # its four dependencies, nothing else
    "deps": "import attrs, cattrs, pluggy, tomli",
    # villageeval loads its modules lazily, on first use of a name
    "villageeval": "import villageeval",
    # every public name resolved: all of villageeval's modules and their imports
    "villageeval_all": "import villageeval as v; [getattr(v, n) for n in v.__all__]",
}


def import_times(n: int) -> dict[str, Any]:
    def one(code: str) -> float:
        out = subprocess.run([PY, "-c", IMPORT_SNIPPET.format(code=code)], capture_output=True, text=True, cwd="/")
        return float(out.stdout.strip())

    times: dict[str, Any] = {k: [] for k in IMPORTS}
    for _ in range(n):  # interleaved, so a burst of load hits all of them
        for k, code in IMPORTS.items():
            times[k].append(one(code))
    # Where the time goes: -X importtime of everything, own (self) time, top modules.
    prof = subprocess.run(
        [PY, "-X", "importtime", "-c", IMPORTS["villageeval_all"]], capture_output=True, text=True, cwd="/"
    )
    rows = []
    for line in prof.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:") :].split("|")
        rows.append((int(self_us), int(cum_us), name.strip()))
    times["top_self_us"] = sorted(rows, reverse=True)[:10]
    return times


LOAD_SNIPPET = """
import json, statistics, sys, time
t = time.perf_counter(); import villageeval as ve; t_import = time.perf_counter() - t
path = sys.argv[1]
t = time.perf_counter(); s = ve.load_scheme(path); cold = time.perf_counter() - t
warm = []
for _ in range(20):
    t = time.perf_counter(); s = ve.load_scheme(path); warm.append(time.perf_counter() - t)
bundled = []
for _ in range(20):
    t = time.perf_counter(); ve.load_scheme("huining-midterm-2023"); bundled.append(time.perf_counter() - t)
sys.path.insert(0, sys.argv[2]); import cohorts
one = ve.Cohort(cohorts.to_subjects(cohorts.township("township", 0, "X", 1)))
t = time.perf_counter(); ve.evaluate(s, one, trace=False); first = time.perf_counter() - t
t = time.perf_counter(); ve.evaluate(s, one, trace=False); second = time.perf_counter() - t
print(json.dumps({"cold": cold, "warm": warm, "bundled": bundled, "first_evaluate": first, "second_evaluate": second}))
"""


def load_times() -> dict[str, Any]:
    out = subprocess.run(
        [PY, "-c", LOAD_SNIPPET, str(engines.SCHEME), str(HERE)], capture_output=True, text=True, cwd=ROOT
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def demo_check() -> str:
    """The floor against villageeval on the bundled demo (which has insufficient subjects)."""
    code = f"""
import json, sys
from decimal import Decimal
sys.path.insert(0, {str(HERE)!r})
import villageeval as ve, floor
data = json.loads(open({str(ROOT / "schemes/huining-midterm-2023/demo.json")!r}).read(), parse_float=Decimal)
r = ve.evaluate(ve.load_scheme({str(engines.SCHEME)!r}), ve.cohort_from_dict(data), trace=False)
f = floor.evaluate(data["subjects"])
def same(o):
    status, total, _, raw, final = f[o.subject_id]
    return (o.status, o.score, o.raw_grade, o.final_grade) == (status, total, raw, final)
bad = [o.subject_id for o in r.outcomes if not same(o)]
print(len(r.outcomes), sum(o.status != "graded" for o in r.outcomes), len(bad), " ".join(bad[:5]))
"""
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        return f"could not run: {out.stderr.strip().splitlines()[-1] if out.stderr else '?'}"
    n, insufficient, bad, first = [*out.stdout.split(" ", 3), ""][:4]
    if bad == "0":
        return f"floor = villageeval on the bundled demo ({n} subjects, {insufficient} insufficient): ok"
    return f"floor ≠ villageeval on the bundled demo: {bad} of {n} differ ({first.strip()})"


def fit_exponent(points: list[tuple[int, float]]) -> float:
    """b in time = a·n^b, least squares on logs."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else math.nan


def profile(villages: int, top: int) -> None:
    """cProfile of villageeval on a province slice: the functions with the most own time."""
    import cProfile
    import pstats

    import cohorts

    import villageeval as ve

    scheme = ve.load_scheme(engines.SCHEME)
    cohort = ve.Cohort(cohorts.to_subjects(cohorts.cohort_dicts("province", villages=villages)))
    ve.evaluate(scheme, cohort, trace=False)  # warm: the plan is compiled once
    prof = cProfile.Profile()
    prof.enable()
    ve.evaluate(scheme, cohort, trace=False)
    prof.disable()
    say(f"cProfile: villageeval.evaluate on province[:{villages}] ({len(cohort.subjects)} subjects), by own time")
    pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(top)


# --- the run ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="township, county, a 2,000-village province slice (< 2 min)")
    p.add_argument("--no-nation", action="store_true", help="full run without the nation")
    p.add_argument("--nation-villages", type=int, default=None, help="stream only the first N villages of the nation")
    p.add_argument(
        "--nation-engines",
        default="villageeval,floor",
        help="engines streamed over the nation (comma-separated; default villageeval,floor)",
    )
    p.add_argument("--engines", default=None, help=f"comma-separated subset of: {', '.join(ORDER)}")
    p.add_argument("--no-extras", action="store_true", help="skip load, import, trace and scaling measurements")
    p.add_argument("--json", default=None, help="also write every figure (no per-subject results) to this file")
    p.add_argument("--profile", action="store_true", help="only cProfile villageeval on a province slice, then exit")
    p.add_argument("--profile-villages", type=int, default=2000)
    args = p.parse_args(argv)

    if args.profile:
        profile(args.profile_villages, 15)
        return 0

    mode = MODES["quick" if args.quick else "full"]
    names = ORDER if args.engines is None else [n.strip() for n in args.engines.split(",")]
    if "floor" not in names:
        names = ["floor", *names]
    unknown = [n for n in names if n not in engines.ENGINES]
    if unknown:
        p.error(f"unknown engine(s): {', '.join(unknown)}")
    started = time.perf_counter()
    record: dict[str, Any] = {"mode": "quick" if args.quick else "full", "started": time.strftime("%Y-%m-%d %H:%M:%S")}

    say(f"villageeval benchmarks ({record['mode']}), scheme huining-bench ({engines.SCHEME.relative_to(ROOT)})")
    record["machine"] = machine()
    for k, v in record["machine"].items():
        say(f"  {k}: {v}")
    record["versions"] = versions()
    say("  versions: " + ", ".join(f"{k} {v}" for k, v in record["versions"].items()))
    record["git"] = git_head()
    say(f"  repository at: {record['git']}")
    record["villageeval_at"] = installed_matches_source()
    say(f"  villageeval from: {record['villageeval_at']}")
    record["demo_check"] = demo_check()
    say(f"  {record['demo_check']}")

    # 1. every engine on the same cohorts
    say("\nengines (CPU time, median of the runs; each engine in its own process):")
    reports: dict[str, dict[str, Any]] = {}
    for name in names:
        kind = "main" if name in ("floor", "villageeval") else "peer"
        lo, hi, budget = mode["runs"][kind]
        spec = {"engine": name, "levels": mode["levels"], "min_runs": lo, "max_runs": hi, "budget": budget}
        reports[name] = worker(spec)
        if "skipped" in reports[name] or "failed" in reports[name]:
            say(f"  {name:26s} {reports[name].get('skipped') or reports[name].get('failed')}")

    floor_levels = reports["floor"].get("levels", {})
    level_keys = list(floor_levels)
    results: dict[str, Any] = {}
    for name in names:
        rep = reports[name]
        if "levels" not in rep:
            results[name] = {k: v for k, v in rep.items() if k != "levels"}
            continue
        entry: dict[str, Any] = {k: rep[k] for k in ("number", "quota", "does", "prepare_s")}
        entry["levels"] = {}
        for key, r in rep["levels"].items():
            n = r["subjects"]
            mm = check(floor_levels[key]["results"], r["results"]) if name != "floor" else None
            entry["levels"][key] = {
                "subjects": n,
                "runs": len(r["cpu"]),
                "cpu_us": median(r["cpu"]) / n * 1e6,
                "wall_us": median(r["wall"]) / n * 1e6,
                "cpu_runs_s": r["cpu"],
                "peak_mib": None if r["peak_bytes"] is None else r["peak_bytes"] / 2**20,
                "mismatches": mm,
            }
        results[name] = entry
    record["engines"] = results

    record["sections_s"] = {"engines": time.perf_counter() - started}
    say("\nper level: µs/subject CPU (wall) ×floor  mismatches (grade/total)  peak MiB above inputs")
    for key in level_keys:
        f_us = results["floor"]["levels"][key]["cpu_us"]
        say(f"  {key} ({floor_levels[key]['subjects']} subjects)")
        for name in names:
            lv = results[name].get("levels", {}).get(key)
            if lv is None:
                continue
            mm = lv["mismatches"]
            mms = "—" if mm is None else f"{mm['subjects']} ({mm['grade']}/{mm['total']})"
            peak = "?" if lv["peak_mib"] is None else f"{lv['peak_mib']:.1f}"
            say(
                f"    {name:26s} {lv['cpu_us']:9.1f} ({lv['wall_us']:9.1f})  ×{lv['cpu_us'] / f_us:6.2f}"
                f"  {mms:>12s}  {peak:>8s}  [{lv['runs']} run(s)]"
            )
    say("\nmismatches against the floor, by cause:")
    for name in names:
        levels = results[name].get("levels")
        if not levels or name == "floor":
            continue
        causes: dict[str, int] = {}
        grade_ex: list[str] = []
        total_ex: list[str] = []
        for lv in levels.values():
            for c, k in lv["mismatches"]["causes"].items():
                causes[c] = causes.get(c, 0) + k
            grade_ex += lv["mismatches"]["grade_examples"]
            total_ex += lv["mismatches"]["examples"]
        if not causes:
            say(f"  {name:26s} none")
            continue
        say(f"  {name:26s} " + "; ".join(f"{k} × {c}" for c, k in causes.items()))
        for e in grade_ex[:2] + total_ex[: 3 - min(2, len(grade_ex))]:
            say(f"  {'':26s}   e.g. {e}")
    say("\nrules compiled once per process (prepare, CPU):")
    for name in names:
        if "prepare_s" in results[name]:
            say(f"  {name:26s} {results[name]['prepare_s'] * 1e3:8.1f} ms   {results[name]['does']}")

    # 2. extras
    t_extras = time.perf_counter()
    if not args.no_extras:
        say("\nscheme loading (villageeval.load_scheme, fresh process):")
        lt = load_times()
        record["load"] = lt
        if "error" in lt:
            say(f"  failed: {lt['error']}")
        else:
            say(f"  first load in a process (cold)     {lt['cold'] * 1e3:7.1f} ms")
            say(f"  huining-bench, median of 20        {median(lt['warm']) * 1e3:7.1f} ms   (target < 20 ms)")
            say(f"  huining-midterm-2023, median of 20 {median(lt['bundled']) * 1e3:7.1f} ms")
            say(f"  first evaluate (compiles the plan) {lt['first_evaluate'] * 1e3:7.1f} ms for 7 subjects")
            say(f"  second evaluate                    {lt['second_evaluate'] * 1e3:7.1f} ms")

        say("\nimport time (fresh process each, median of 10):")
        it = import_times(10)
        record["import"] = it
        d, lazy, full = median(it["deps"]), median(it["villageeval"]), median(it["villageeval_all"])
        say(f"  import attrs, cattrs, pluggy, tomli          {d * 1e3:7.1f} ms")
        say(f"  import villageeval (names load on first use) {lazy * 1e3:7.1f} ms")
        say(f"  import villageeval + every public name       {full * 1e3:7.1f} ms")
        say(f"  villageeval adds {(full - d) * 1e3:.1f} ms to importing its dependencies (target < 30 ms)")
        say("  largest own import times, everything loaded (-X importtime, µs self / cumulative):")
        for self_us, cum_us, mod in it["top_self_us"][:6]:
            say(f"    {self_us:7d} {cum_us:8d}  {mod}")

        lvl, vil = mode["trace_level"]
        say(f"\ntrace on vs off (villageeval, {lvl}{'' if vil is None else f'[:{vil}]'}):")
        trace_report = {}
        for name in ("villageeval", "villageeval (trace=True)"):
            trace_report[name] = worker(
                {"engine": name, "levels": [mode["trace_level"]], "min_runs": 3, "max_runs": 3, "budget": 0}
            )
        tr = {}
        for name, rep in trace_report.items():
            if "levels" in rep:
                (r,) = rep["levels"].values()
                tr[name] = {
                    "cpu_us": median(r["cpu"]) / r["subjects"] * 1e6,
                    "peak_mib": None if r["peak_bytes"] is None else r["peak_bytes"] / 2**20,
                }
                say(f"  {name:26s} {tr[name]['cpu_us']:8.1f} µs/subject, peak {tr[name]['peak_mib'] or 0:7.1f} MiB")
        if len(tr) == 2:
            off, on = tr["villageeval"]["cpu_us"], tr["villageeval (trace=True)"]["cpu_us"]
            say(f"  the trace costs {on - off:.1f} µs/subject (×{on / off:.2f})")
        record["trace"] = tr

        say("\nquota scaling: one township of n subjects (one quota population), µs/subject:")
        scaling: dict[str, Any] = {}
        for name, sizes in (
            ("villageeval", mode["scaling"]),
            ("villageeval (columnar)", mode["scaling"]),
            ("floor", mode["scaling"]),
            ("openfisca", mode["scaling_openfisca"]),
        ):
            if name not in names:
                continue
            rep = worker({"engine": name, "scaling": sizes, "min_runs": 1, "max_runs": 3, "budget": 3.0})
            if "scaling" not in rep:
                continue
            pts = [(n, median(r["cpu"])) for n, r in rep["scaling"].items()]
            b = fit_exponent(pts)
            scaling[name] = {"points": pts, "exponent": b}
            cells = "  ".join(f"n={n}: {t / n * 1e6:7.1f}" for n, t in pts)
            say(f"  {name:22s} {cells}   time ∝ n^{b:.2f}")
        record["scaling"] = scaling

    record["sections_s"]["extras"] = time.perf_counter() - t_extras
    t_nation = time.perf_counter()

    # 3. the nation, streamed
    if mode["nation"] and not args.no_nation:
        say("\nnation: 490,000 villages streamed township by township, one process per engine:")
        nation: dict[str, Any] = {}
        for name in [n.strip() for n in args.nation_engines.split(",")]:
            rep = worker({"engine": name, "nation": args.nation_villages})
            if "nation" not in rep:
                say(f"  {name}: {rep.get('skipped') or rep.get('failed')}")
                continue
            nr = rep["nation"]
            nation[name] = {k: v for k, v in nr.items() if k != "digests"}
            nation[name]["digests"] = nr["digests"]
            say(
                f"  {name:12s} {nr['subjects']} subjects in {nr['townships']} townships: "
                f"{nr['cpu'] / nr['subjects'] * 1e6:7.1f} µs/subject CPU, "
                f"process peak {nr['peak_bytes_process'] / 2**20:7.1f} MiB, {nr['elapsed'] / 60:.1f} min in all"
            )
        if "floor" in nation:
            for name, nr in nation.items():
                if name == "floor":
                    continue
                differ = sum(a != b for a, b in zip(nr["digests"], nation["floor"]["digests"], strict=True))
                nr["townships_differing"] = differ
                say(f"  {name}: townships whose results differ from the floor's: {differ}")
                say(f"  {name}/floor = {nr['cpu'] / nation['floor']['cpu']:.2f} (nation)")
        for nr in nation.values():
            nr.pop("digests")
        record["nation"] = nation

    record["sections_s"]["nation"] = time.perf_counter() - t_nation

    # 4. the summary: one line per engine, then the ratio
    head = mode["headline"]
    record["elapsed_s"] = time.perf_counter() - started
    if args.json:
        Path(args.json).write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    say(f"\nsummary on {head} (CPU µs/subject, median; mismatches over all levels; peak MiB above inputs)")
    say(f"{'engine':26s} {'µs/subject':>11s} {'ratio-to-floor':>15s} {'mismatches':>11s} {'peak-MiB':>9s}")
    f_us = results["floor"]["levels"][head]["cpu_us"]
    for name in names:
        lv = results[name].get("levels", {}).get(head)
        if lv is None:
            why = results[name].get("skipped") or results[name].get("failed") or "not run"
            say(f"{name:26s} {why}")
            continue
        mm = sum(x["mismatches"]["subjects"] for x in results[name]["levels"].values()) if name != "floor" else 0
        peak = "?" if lv["peak_mib"] is None else f"{lv['peak_mib']:.1f}"
        say(f"{name:26s} {lv['cpu_us']:11.1f} {lv['cpu_us'] / f_us:15.2f} {mm:11d} {peak:>9s}")
    sections = ", ".join(f"{k} {v:.0f} s" for k, v in record["sections_s"].items() if v >= 0.5)
    say(f"(total time {record['elapsed_s']:.0f} s: {sections})")
    ve = results.get("villageeval", {}).get("levels", {}).get(head)
    if ve is None:
        say("villageeval/floor = n/a")
        return 1
    say(f"villageeval/floor = {ve['cpu_us'] / f_us:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
