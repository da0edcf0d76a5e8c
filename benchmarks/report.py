"""Markdown tables from a ``run.py --json`` record, for ``docs/performance.md``.

python benchmarks/run.py --json results.json && python benchmarks/report.py results.json
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any


def _f(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def tables(r: dict[str, Any]) -> str:
    out: list[str] = []
    engines: dict[str, Any] = r["engines"]
    levels = list(engines["floor"]["levels"])
    for key in reversed(levels):
        floor_us = engines["floor"]["levels"][key]["cpu_us"]
        n = engines["floor"]["levels"][key]["subjects"]
        out.append(f"**{key}** ({n:,} subjects)\n")
        out.append("| engine | µs/subject (CPU) | wall | ×floor | mismatches (grade / shown total) | peak MiB | runs |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, e in engines.items():
            lv = e.get("levels", {}).get(key)
            if lv is None:
                continue
            mm = lv["mismatches"]
            mms = "reference" if mm is None else f"{mm['subjects']:,} ({mm['grade']} / {mm['total']})"
            out.append(
                f"| {name} | {_f(lv['cpu_us'])} | {_f(lv['wall_us'])} | {lv['cpu_us'] / floor_us:.2f} | {mms} "
                f"| {_f(lv['peak_mib'])} | {lv['runs']} |"
            )
        out.append("")
    out.append("**What each engine does, and its rules' compile time** (once per process, CPU)\n")
    out.append("| engine | number type | quota | in the engine's own language | compile |")
    out.append("|---|---|---|---|---:|")
    for name, e in engines.items():
        if "does" in e:
            out.append(f"| {name} | {e['number']} | {e['quota']} | {e['does']} | {e['prepare_s'] * 1e3:.1f} ms |")
    out.append("")
    out.append("**Mismatches against the floor, by cause** (all levels)\n")
    out.append("| engine | cause | subjects |")
    out.append("|---|---|---:|")
    for name, e in engines.items():
        causes: dict[str, int] = {}
        for lv in e.get("levels", {}).values():
            for c, k in ((lv["mismatches"] or {}).get("causes") or {}).items():
                causes[c] = causes.get(c, 0) + k
        if name == "floor":
            continue
        if not causes:
            out.append(f"| {name} | none | 0 |")
        for c, k in causes.items():
            out.append(f"| {name} | {c} | {k:,} |")
    out.append("")
    if "load" in r and "warm" in r["load"]:
        ld = r["load"]
        out.append("| scheme loading (`villageeval.load_scheme`) | ms |")
        out.append("|---|---:|")
        out.append(f"| first load in a fresh process (imports villageeval's modules) | {ld['cold'] * 1e3:.1f} |")
        out.append(
            f"| huining-bench (extends the bundled scheme), median of 20 | {statistics.median(ld['warm']) * 1e3:.1f} |"
        )
        out.append(f"| huining-midterm-2023 (bundled), median of 20 | {statistics.median(ld['bundled']) * 1e3:.1f} |")
        out.append(f"| first `evaluate` (compiles the plan), 7 subjects | {ld['first_evaluate'] * 1e3:.1f} |")
        out.append(f"| second `evaluate`, 7 subjects | {ld['second_evaluate'] * 1e3:.1f} |")
        out.append("")
    if "import" in r:
        it = r["import"]
        d, lazy, full = (statistics.median(it[k]) * 1e3 for k in ("deps", "villageeval", "villageeval_all"))
        out.append("| import, fresh process, median of 10 | ms |")
        out.append("|---|---:|")
        out.append(f"| `import attrs, cattrs, pluggy, tomli` | {d:.1f} |")
        out.append(f"| `import villageeval` (its names load on first use) | {lazy:.1f} |")
        out.append(f"| `import villageeval` + every public name resolved | {full:.1f} |")
        out.append(f"| **villageeval adds** | **{full - d:.1f}** |")
        out.append("")
        out.append("| largest own import times, everything loaded (`-X importtime`) | self µs | cumulative µs |")
        out.append("|---|---:|---:|")
        for self_us, cum_us, mod in it["top_self_us"][:6]:
            out.append(f"| `{mod}` | {self_us:,} | {cum_us:,} |")
        out.append("")
    if r.get("trace"):
        out.append("| trace | µs/subject | peak MiB |")
        out.append("|---|---:|---:|")
        for name, t in r["trace"].items():
            out.append(f"| {name} | {t['cpu_us']:.1f} | {_f(t['peak_mib'])} |")
        out.append("")
    if r.get("scaling"):
        sizes = sorted({n for s in r["scaling"].values() for n, _ in s["points"]})
        out.append(
            "| one quota population of n subjects, µs/subject | "
            + " | ".join(f"n = {n:,}" for n in sizes)
            + " | time ∝ n^b |"
        )
        out.append("|---|" + "---:|" * (len(sizes) + 1))
        for name, s in r["scaling"].items():
            pts = dict(s["points"])
            cells = " | ".join(_f(pts[n] / n * 1e6) if n in pts else "—" for n in sizes)
            out.append(f"| {name} | {cells} | {s['exponent']:.2f} |")
        out.append("")
    if r.get("nation"):
        out.append(
            "| nation, streamed township by township | subjects | townships | µs/subject (CPU) "
            "| process peak MiB | minutes | townships ≠ floor |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, nr in r["nation"].items():
            out.append(
                f"| {name} | {nr['subjects']:,} | {nr['townships']:,} | {nr['cpu'] / nr['subjects'] * 1e6:.1f} "
                f"| {nr['peak_bytes_process'] / 2**20:.1f} | {nr['elapsed'] / 60:.1f} "
                f"| {nr.get('townships_differing', '—')} |"
            )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    from pathlib import Path

    record = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(tables(record))
