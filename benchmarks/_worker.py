"""One engine, in a process of its own: its imports, its memory and its timings are its own.

Run by ``run.py`` as ``python benchmarks/_worker.py SPEC_JSON OUT_PICKLE``. SPEC is one of

- ``{"engine": name, "levels": [[level, villages|null], ...], "min_runs": m, "max_runs": n,
  "budget": seconds}``: for each level, generate the cohort (not timed), then time
  ``run`` at least ``min_runs`` and at most ``max_runs`` times, stopping once
  ``budget`` CPU seconds are spent; the peak is the resident memory above the inputs;
- ``{"engine": name, "nation": villages|null}``: stream the nation township by
  township, one cohort per township (the quota counts per township, so this is the
  same grading as one national cohort), keeping only a digest of each township's
  results; the peak is the whole process's;
- ``{"engine": name, "scaling": [villages, ...], "min_runs": m, "max_runs": n, "budget": s}``:
  one single township of each size (a quota population of 7 × villages subjects).

Times are CPU time of the process (``time.process_time``), the primary figure, and
wall time. Progress goes to stderr.
"""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
import re
import sys
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cohorts  # noqa: E402
import engines  # noqa: E402
from peers._common import Columns  # noqa: E402


def _status(key: str) -> int:
    """A /proc/self/status figure (VmRSS, VmHWM), in bytes; 0 where there is no /proc."""
    try:
        with open("/proc/self/status") as f:
            m = re.search(rf"^{key}:\s+(\d+) kB", f.read(), re.M)
    except OSError:
        return 0
    return int(m.group(1)) * 1024 if m else 0


def _reset_peak() -> bool:
    """Reset the peak resident set size (Linux ≥ 4.0); False where it cannot be."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak() -> int:
    hwm = _status("VmHWM")
    if hwm:
        return hwm
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _inputs(adapter: Any, dicts: list[dict[str, Any]]) -> list[Any]:
    form = engines.form(adapter)
    if form == "subjects":
        return cohorts.to_subjects(dicts)
    if form == "columns":
        return cohorts.to_columns(dicts)  # type: ignore[return-value]
    return dicts


def _count(inputs: Any) -> int:
    """Subjects in an engine's input: a list of them, or a table of columns."""
    return len(inputs["id"]) if isinstance(inputs, dict) else len(inputs)


def _timed(adapter: Any, inputs: list[Any], min_runs: int, max_runs: int, budget: float) -> dict[str, Any]:
    cpu: list[float] = []
    wall: list[float] = []
    out: Any = None
    gc.collect()
    resettable = _reset_peak()
    base = _status("VmRSS")
    for _ in range(max_runs):
        out = None
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        out = adapter.run(inputs)
        w1, c1 = time.perf_counter(), time.process_time()
        cpu.append(c1 - c0)
        wall.append(w1 - w0)
        if len(cpu) >= min_runs and sum(cpu) >= budget:
            break
    peak = (_peak() - base) if resettable and base else None
    return {"cpu": cpu, "wall": wall, "peak_bytes": peak, "results": _as_dict(out)}


def _as_dict(out: Any) -> Any:
    """An adapter's result as ``{subject id: (total, grade)}`` (columns are turned into it untimed)."""
    return out.as_dict() if isinstance(out, Columns) else out


def _digest(results: dict[str, tuple[Any, str]]) -> bytes:
    h = hashlib.blake2b(digest_size=8)
    for sid in sorted(results):
        total, grade = results[sid][:2]
        if isinstance(total, tuple):  # an exact (numerator, denominator) pair: as the Fraction reads
            total = Fraction(*total)
        h.update(f"{sid}|{total}|{grade}\n".encode())
    return h.digest()


def main() -> None:
    spec = json.loads(sys.argv[1])
    out_path = sys.argv[2]
    name = spec["engine"]
    adapter = engines.load(name)
    report: dict[str, Any] = {"engine": name}
    if isinstance(adapter, str):
        report["skipped"] = adapter
        Path(out_path).write_bytes(pickle.dumps(report))
        return
    report.update(number=adapter.number, quota=adapter.quota, does=adapter.does)
    c0 = time.process_time()
    adapter.prepare()
    report["prepare_s"] = time.process_time() - c0

    if "levels" in spec:
        report["levels"] = {}
        for level, villages in spec["levels"]:
            key = level if villages is None else f"{level}[:{villages}]"
            dicts = cohorts.cohort_dicts(level, villages=villages)
            inputs = _inputs(adapter, dicts)
            del dicts
            r = _timed(adapter, inputs, spec["min_runs"], spec["max_runs"], spec["budget"])
            r["subjects"] = _count(inputs)
            report["levels"][key] = r
            med = sorted(r["cpu"])[len(r["cpu"]) // 2] / _count(inputs) * 1e6
            print(f"  {name:26s} {key:18s} {len(r['cpu'])} run(s), {med:8.1f} µs/subject", file=sys.stderr)
            del inputs
    elif "scaling" in spec:
        report["scaling"] = {}
        for i, villages in enumerate(spec["scaling"]):
            dicts = cohorts.township("scaling", i, f"S{villages}", villages)
            inputs = _inputs(adapter, dicts)
            r = _timed(adapter, inputs, spec["min_runs"], spec["max_runs"], spec["budget"])
            r.pop("results")
            r["subjects"] = _count(inputs)
            report["scaling"][_count(inputs)] = r
            med = sorted(r["cpu"])[len(r["cpu"]) // 2] / _count(inputs) * 1e6
            print(f"  {name:26s} one group of {_count(inputs):7d}: {med:8.1f} µs/subject", file=sys.stderr)
    else:
        villages = spec["nation"]
        cpu = wall = 0.0
        n = t = 0
        digests: list[bytes] = []
        grades: Counter[str] = Counter()
        expected = villages or cohorts.LEVELS["nation"]["villages"]
        start = time.perf_counter()
        done_villages = 0
        gc.collect()
        for index, tid, n_villages in cohorts.layout("nation", villages=villages):
            inputs = _inputs(adapter, cohorts.township("nation", index, tid, n_villages))
            c0, w0 = time.process_time(), time.perf_counter()
            results = adapter.run(inputs)
            w1, c1 = time.perf_counter(), time.process_time()
            results = _as_dict(results)
            cpu += c1 - c0
            wall += w1 - w0
            n += _count(inputs)
            t += 1
            done_villages += n_villages
            digests.append(_digest(results))
            grades.update(r[1] for r in results.values())
            if t % 2000 == 0:
                el = time.perf_counter() - start
                eta = el / done_villages * (expected - done_villages)
                print(
                    f"  {name:26s} nation: {done_villages:7d}/{expected} villages, "
                    f"{cpu / n * 1e6:6.1f} µs/subject, peak {_peak() / 2**20:6.0f} MiB, ~{eta / 60:4.1f} min left",
                    file=sys.stderr,
                )
        report["nation"] = {
            "subjects": n,
            "townships": t,
            "cpu": cpu,
            "wall": wall,
            "peak_bytes_process": _peak(),
            "digests": digests,
            "grades": dict(grades),
            "elapsed": time.perf_counter() - start,
        }
    Path(out_path).write_bytes(pickle.dumps(report))


if __name__ == "__main__":
    main()
