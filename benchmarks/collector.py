"""Python's cyclic garbage collector: its share of a grading, and the time without it.

    .bench/bin/python benchmarks/collector.py generations province --engine villageeval
    .bench/bin/python benchmarks/collector.py generations province --engine floor
    .bench/bin/python benchmarks/collector.py without province

``generations`` sets a process up as ``_worker.py`` does (only the engine's own input
alive, ``gc.collect()`` before each timed grading) and reports, per grading, the CPU
µs/subject and, through ``gc.callbacks``, how many collections of each generation
(young / middle / full) ran in it and the CPU µs/subject they took. The collector's own
time depends far less on the machine's neighbours than the total does.

``without`` switches the collector off and grades with the floor and villageeval in
turns in one process, several rounds: the ratio of their arithmetic and checks alone.

Both are read in ``docs/performance.md`` (*the garbage collector*).
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


def _prepared(name: str, dicts: list[dict[str, Any]]) -> tuple[Any, Any]:
    adapter = engines.load(name)
    if isinstance(adapter, str):
        raise SystemExit(f"{name}: {adapter}")
    adapter.prepare()
    form = engines.form(adapter)
    if form == "columns":
        return adapter, cohorts.to_columns(dicts)
    return adapter, cohorts.to_subjects(dicts) if form == "subjects" else list(dicts)


def generations(level: str, name: str, runs: int) -> None:
    dicts = cohorts.cohort_dicts(level)
    n = len(dicts)
    adapter, inputs = _prepared(name, dicts)
    del dicts
    adapter.run(inputs)
    gc.collect()
    print(f"{name}, {level}: {len(gc.get_objects()) / n:.1f} tracked objects per subject alive before grading")
    log: list[tuple[int, float]] = []
    started = [0.0]

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            log.append((info["generation"], time.process_time() - started[0]))

    gc.callbacks.append(watch)
    kept: list[Any] = [None]  # the last result, freed before the next grading, untimed
    for _ in range(runs):
        kept[0] = None
        gc.collect()
        log.clear()
        t = time.process_time()
        kept[0] = adapter.run(inputs)
        elapsed = time.process_time() - t
        count, spent = [0, 0, 0], [0.0, 0.0, 0.0]
        for g, d in log:
            count[g] += 1
            spent[g] += d
        per = " / ".join(f"{s / n * 1e6:.2f}" for s in spent)
        print(
            f"  {elapsed / n * 1e6:6.1f} µs/subject; collections {count[0]} / {count[1]} / {count[2]}, "
            f"taking {per} µs/subject"
        )
    gc.callbacks.remove(watch)


def without(level: str, rounds: int) -> None:
    dicts = cohorts.cohort_dicts(level)
    n = len(dicts)
    pair = [_prepared("floor", dicts), _prepared("villageeval", dicts)]
    for adapter, inputs in pair:
        adapter.run(inputs)
    reps = max(1, 20_000 // n)
    gc.collect()
    gc.disable()
    times: dict[str, list[float]] = {"floor": [], "villageeval": []}
    for _ in range(rounds):
        for adapter, inputs in pair:
            t = time.process_time()
            for _ in range(reps):
                adapter.run(inputs)
            times[adapter.name].append((time.process_time() - t) / reps / n * 1e6)
    gc.enable()
    floor, ve = times["floor"], times["villageeval"]
    print(f"{level}, collector off, µs/subject by round:")
    print("  floor       " + " ".join(f"{x:6.1f}" for x in floor))
    print("  villageeval " + " ".join(f"{x:6.1f}" for x in ve))
    print("  ratio       " + " ".join(f"{b / a:6.2f}" for a, b in zip(floor, ve, strict=True)))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generations", help="the collector's share of each grading, by generation")
    g.add_argument("level", choices=["township", "county", "province"])
    g.add_argument("--engine", default="villageeval")
    g.add_argument("--runs", type=int, default=4)
    w = sub.add_parser("without", help="floor and villageeval in turns with the collector off")
    w.add_argument("level", choices=["township", "county", "province"])
    w.add_argument("--rounds", type=int, default=5)
    args = p.parse_args(argv)
    if args.command == "generations":
        generations(args.level, args.engine, args.runs)
    else:
        without(args.level, args.rounds)


if __name__ == "__main__":
    main()
