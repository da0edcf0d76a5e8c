"""Python's cyclic garbage collector: its share of a grading, and the time without it.

    .bench/bin/python benchmarks/collector.py generations province --engine villageeval
    .bench/bin/python benchmarks/collector.py generations province --engine floor
    .bench/bin/python benchmarks/collector.py without province
    .bench/bin/python benchmarks/collector.py backlog province
    .bench/bin/python benchmarks/collector.py pause province

``generations`` sets a process up as ``_worker.py`` does (only the engine's own input
alive, ``gc.collect()`` before each timed grading) and reports, per grading, the CPU
µs/subject and, through ``gc.callbacks``, how many collections of each generation
(young / middle / full) ran in it and the CPU µs/subject they took. The collector's own
time depends far less on the machine's neighbours than the total does.

``without`` switches the collector off and grades with the floor and villageeval in
turns in one process, several rounds: the ratio of their arithmetic and checks alone.

``backlog`` grades with villageeval in one process, in turns with and without the
collection of the young generations that ends a large ``evaluate`` call (replaced by a
no-op for the turns without it), and reports the total and the collector's time.

``pause`` grades with villageeval in one process, in turns through ``evaluate`` (which
pauses the collector for the call) and through the engine underneath it without the
pause, the collector on as an application leaves it: what the pause is worth.

All four are read in ``docs/performance.md`` (*the garbage collector*).
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
from _worker import _inputs


def _prepared(name: str, dicts: list[dict[str, Any]]) -> tuple[Any, Any]:
    """An engine ready to grade, and the cohort in its form, as the worker gives it."""
    adapter = engines.load(name)
    if isinstance(adapter, str):
        raise SystemExit(f"{name}: {adapter}")
    adapter.prepare()
    return adapter, _inputs(adapter, dicts)


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


def backlog(level: str, villages: int | None, rounds: int) -> None:
    from villageeval import _engine

    dicts = cohorts.cohort_dicts(level, villages=villages)
    n = len(dicts)
    adapter, inputs = _prepared("villageeval", dicts)
    del dicts
    adapter.run(inputs)
    spent = [0.0]
    started = [0.0]

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            spent[0] += time.process_time() - started[0]

    closing = _engine._collect_backlog
    got: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    gc.callbacks.append(watch)
    kept: list[Any] = [None]
    try:
        for _ in range(rounds):
            for mode in got:
                _engine._collect_backlog = closing if mode == "with" else (lambda: None)
                kept[0] = None
                gc.collect()
                spent[0] = 0.0
                t = time.process_time()
                kept[0] = adapter.run(inputs)
                got[mode].append(((time.process_time() - t) / n * 1e6, spent[0] / n * 1e6))
    finally:
        _engine._collect_backlog = closing
        gc.callbacks.remove(watch)
    print(f"{level} ({n} subjects), µs/subject by round: total (collector)")
    for mode, xs in got.items():
        print(f"  {mode + ' the closing collection':32s} " + " ".join(f"{a:5.1f} ({b:4.2f})" for a, b in xs))


def pause(level: str, villages: int | None, rounds: int) -> None:
    from villageeval import _engine

    dicts = cohorts.cohort_dicts(level, villages=villages)
    n = len(dicts)
    adapter, inputs = _prepared("villageeval", dicts)
    del dicts
    adapter.run(inputs)
    paused = _engine.evaluate
    scheme = adapter.scheme

    def unpaused(scheme_: Any, cohort: Any, *, trace: bool = True) -> Any:
        return _engine._evaluate(scheme_, cohort, trace)

    got: dict[str, list[float]] = {"paused": [], "unpaused": []}
    kept: list[Any] = [None]
    try:
        for _ in range(rounds):
            for mode in got:
                adapter.ve.evaluate = paused if mode == "paused" else unpaused
                kept[0] = None
                gc.collect()
                t = time.process_time()
                kept[0] = adapter.run(inputs)
                got[mode].append((time.process_time() - t) / n * 1e6)
    finally:
        adapter.ve.evaluate = paused
    print(f"{level} ({n} subjects, scheme {scheme.id}), µs/subject by round:")
    for mode, xs in got.items():
        print(f"  {mode:9s} " + " ".join(f"{x:6.1f}" for x in xs))
    ratios = sorted(b / a for a, b in zip(got["paused"], got["unpaused"], strict=True))
    median = ratios[len(ratios) // 2]
    print(f"  unpaused/paused, median of {rounds}: {median:.2f} (spread {ratios[0]:.2f}–{ratios[-1]:.2f})")


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
    b = sub.add_parser("backlog", help="villageeval with and without its closing young collection, in turns")
    b.add_argument("level", choices=["township", "county", "province"])
    b.add_argument("--villages", type=int, default=None, help="only the first N villages")
    b.add_argument("--rounds", type=int, default=6)
    q = sub.add_parser("pause", help="villageeval through evaluate (collector paused) and without the pause, in turns")
    q.add_argument("level", choices=["township", "county", "province"])
    q.add_argument("--villages", type=int, default=None, help="only the first N villages")
    q.add_argument("--rounds", type=int, default=6)
    args = p.parse_args(argv)
    if args.command == "pause":
        pause(args.level, args.villages, args.rounds)
    elif args.command == "generations":
        generations(args.level, args.engine, args.runs)
    elif args.command == "without":
        without(args.level, args.rounds)
    else:
        backlog(args.level, args.villages, args.rounds)


if __name__ == "__main__":
    main()
