"""Engines timed in turns within one process, on one level: the comparison a noisy machine allows.

    .bench/bin/python benchmarks/alternate.py province
    .bench/bin/python benchmarks/alternate.py township --engines "villageeval (columnar),zen-engine"

``run.py`` times each engine in a process of its own, one after another, so a slow
spell can land on one engine and not the next. Here every engine grades the same
cohort in the same process, taking turns, five rounds; each figure is CPU µs/subject
for one round (the mean of enough gradings to fill it). An engine that is ahead in
every round is ahead; one that is ahead in some is level. Results are not checked
here: ``run.py`` does that.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cohorts
import engines

DEFAULT = "villageeval (columnar),openfisca (columns),zen-engine,villageeval"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("level", choices=["township", "county", "province"])
    p.add_argument("--engines", default=DEFAULT, help=f"comma-separated (default: {DEFAULT})")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    dicts = cohorts.cohort_dicts(args.level)
    n = len(dicts)
    forms: dict[str, Any] = {}
    adapters = []
    for name in args.engines.split(","):
        adapter = engines.load(name.strip())
        if isinstance(adapter, str):
            print(f"{name}: {adapter}")
            continue
        adapter.prepare()
        form = engines.form(adapter)
        if form not in forms:
            forms[form] = {"subjects": cohorts.to_subjects, "columns": cohorts.to_columns}.get(form, list)(dicts)
        adapter.run(forms[form])  # a first grading: compiles what the engine compiles lazily
        adapters.append((adapter, forms[form]))
    reps = max(1, min(50, 20_000 // n))
    rounds: dict[str, list[float]] = {a.name: [] for a, _ in adapters}
    for _ in range(args.rounds):
        for adapter, data in adapters:
            gc.collect()
            t = time.process_time()
            for _ in range(reps):
                adapter.run(data)
            rounds[adapter.name].append((time.process_time() - t) / reps / n * 1e6)
    print(f"{args.level}: {n:,} subjects, {args.rounds} rounds of {reps} grading(s) each, CPU µs/subject")
    for name, xs in rounds.items():
        print(f"  {name:26s} " + "  ".join(f"{x:6.1f}" for x in xs))


if __name__ == "__main__":
    main()
