"""The cost of the trace: ``evaluate`` with and without it, on a slice of the province.

Run by hand, never in tests (docs/performance.md, "Trace")::

    python benchmarks/trace.py                  # 2,000 villages (14,000 subjects), 3 runs
    python benchmarks/trace.py --villages 500 --runs 5

Each run grades the same cohort untraced, then traced, in this process (the plan is
compiled by a first, untimed call); the figures are wall seconds, the median and the range.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cohorts  # noqa: E402  (benchmarks/cohorts.py, beside this file)

import villageeval as ve  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--villages", type=int, default=2000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    scheme = ve.load_scheme(HERE / "scheme")
    data = {"format": 1, "subjects": cohorts.cohort_dicts("province", villages=args.villages)}
    cohort = ve.cohort_from_dict(data)
    ve.evaluate(scheme, cohort, trace=False)  # the plan, compiled once
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.runs):
        for trace in (False, True):
            t = time.perf_counter()
            ve.evaluate(scheme, cohort, trace=trace)
            times[trace].append(time.perf_counter() - t)
    print(f"{len(cohort.subjects):,} subjects, {args.runs} runs, python {sys.version.split()[0]}")
    for trace, ts in times.items():
        print(f"trace={trace!s:<5}  median {statistics.median(ts):.2f} s  (range {min(ts):.2f}–{max(ts):.2f})")


if __name__ == "__main__":
    main()
