"""The command line as a subprocess (issue #16): peak memory with traces, time without.

Two targets, measured here and reported in docs/performance.md (never asserted in tests):

1. ``villageeval evaluate SCHEME COHORT --format json`` on 100,000 subjects, traces
   included, in under 1 GiB of peak memory (the peak resident set of the process);
2. ``... --format json --no-trace`` within 1.5x of loading the scheme and the cohort and
   ``evaluate(..., trace=False)`` in Python on the same file.

Run by hand (Linux: a child's peak memory is read with ``os.wait4``)::

    python benchmarks/cli.py                      # writes a 100,100-subject province slice first
    python benchmarks/cli.py --cohort FILE --runs 5
    python benchmarks/cli.py --villages 2000      # a quick look

The cohort is made by ``benchmarks/cohorts.py province --villages N`` (7 subjects a
village) under ``benchmarks/scheme`` (huining-bench). Each measurement runs in a fresh
process; the figures printed are the median of ``--runs`` runs, with the range.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEME = HERE / "scheme"
GiB = 1 << 30

# What the command does, done in Python: the baseline of target 2, timed inside the process.
BASELINE = """
import sys, time
t0 = time.perf_counter()
import villageeval as ve
scheme = ve.load_scheme(sys.argv[1])
cohort = ve.load_cohort(sys.argv[2])
result = ve.evaluate(scheme, cohort, trace=False)
print(time.perf_counter() - t0)
"""


def run(argv: list[str], *, stdout: int | None = subprocess.DEVNULL) -> tuple[float, int, str]:
    """``(wall seconds, peak resident set in bytes, stdout)`` of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE if stdout is None else stdout, text=True)
    out = ""
    if stdout is None:
        assert child.stdout is not None
        out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {child.returncode}")
    return wall, usage.ru_maxrss * 1024, out  # ru_maxrss is in KiB on Linux


def spread(values: list[float], unit: str, scale: float = 1.0) -> str:
    v = [x / scale for x in values]
    if len(v) == 1:
        return f"{v[0]:.2f} {unit}"
    return f"{statistics.median(v):.2f} {unit} (from {min(v):.2f} to {max(v):.2f})"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cohort", type=Path, help="a cohort JSON file for huining-bench (default: made here)")
    p.add_argument(
        "--villages", type=int, default=14_300, help="villages of the province slice to make (7 subjects each)"
    )
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="ve-cli-") as tmp:
        cohort = args.cohort
        if cohort is None:
            cohort = Path(tmp) / "province.json"
            subprocess.run(
                [python, str(HERE / "cohorts.py"), "province", "--villages", str(args.villages), "--out", str(cohort)],
                check=True,
            )
        out = Path(tmp) / "result.json"
        size = cohort.stat().st_size
        print(f"cohort {cohort} ({size / 1e6:.0f} MB); python {sys.version.split()[0]}")

        command = [python, "-m", "villageeval", "evaluate", str(SCHEME), str(cohort), "--format", "json"]
        traced = [run([*command, "-o", str(out)]) for _ in range(args.runs)]
        subjects = _subjects(out)
        print(f"subjects {subjects:,}; result with traces {out.stat().st_size / 1e6:.0f} MB")
        peaks = [float(peak) for _, peak, _ in traced]
        walls = [w for w, _, _ in traced]
        print(f"1. with traces: peak memory {spread(peaks, 'MiB', 1 << 20)}; wall {spread(walls, 's')}")
        worst = max(peaks)
        print(f"   target < 1 GiB: {'met' if worst < GiB else 'NOT met'} ({worst / GiB:.3f} GiB at worst)")

        untraced: list[float] = []
        bases: list[float] = []
        for _ in range(args.runs):  # taking turns, so that a slow spell of the machine falls on both
            untraced.append(run([*command, "--no-trace", "-o", str(out)])[0])
            bases.append(float(run([python, "-c", BASELINE, str(SCHEME), str(cohort)], stdout=None)[2]))
        ratio = statistics.median(untraced) / statistics.median(bases)
        print(f"2. without traces: the command {spread(untraced, 's')}")
        print(f"   load_scheme + load_cohort + evaluate(trace=False) in Python: {spread(bases, 's')}")
        print(f"   ratio {ratio:.2f} (target <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")


def _subjects(result: Path) -> int:
    """The outcomes in a result file, counted without reading it whole."""
    with result.open(encoding="utf-8") as f:
        return sum(1 for line in f if line.startswith('      "subject": '))


if __name__ == "__main__":
    main()
