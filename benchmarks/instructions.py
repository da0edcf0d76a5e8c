"""Instructions per subject, counted by valgrind: a figure that a busy machine cannot move.

On a shared machine CPU time moves by ±30% between runs, and by more when neighbours
compete for memory (pure Python slows more than a compiled peer does). The number of
machine instructions an engine executes per subject does not move: it is the figure
to compare two versions of the engine with, while ``run.py`` gives the time.

    python benchmarks/instructions.py                  # floor and villageeval, 100 villages
    python benchmarks/instructions.py --villages 300 --engines floor,villageeval,zen-engine
    python benchmarks/instructions.py --villages 2000 --engines "villageeval (columnar),openfisca (columns)"

For each engine, valgrind's cachegrind (``--cache-sim=no``) counts the instructions of
a process that prepares the engine and the cohort and grades it once (warm-up), and of
the same process grading it ``--runs`` times more; the difference over those gradings
and the number of subjects is the count per subject. The runs default to enough
gradings for 14,000 subjects (at least two): what the garbage collector does depends on
how much was allocated, and a full collection that falls in one process and not the
other would otherwise swamp a small cohort's count. Both processes use one hash seed.
Needs ``valgrind`` on the PATH; each engine takes a minute or two of valgrind time.

It counts instructions, not time: cache misses and memory traffic do not show, and
they are where pure Python loses most to compiled code. Read it next to ``run.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The child: prepare, warm up, then grade ``runs`` more times.
CHILD = """
import sys
sys.path.insert(0, {here!r})
import cohorts, engines
adapter = engines.load({engine!r})
adapter.prepare()
dicts = cohorts.cohort_dicts("province", villages={villages})
form = engines.form(adapter)
data = {{"subjects": cohorts.to_subjects, "columns": cohorts.to_columns}}.get(form, list)(dicts)
adapter.run(data)
for _ in range({runs}):
    adapter.run(data)
"""


def count(engine: str, villages: int, runs: int) -> int:
    """Instructions executed by a child process that grades the cohort ``1 + runs`` times."""
    code = CHILD.format(here=str(HERE), engine=engine, villages=villages, runs=runs)
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    out = subprocess.run(
        [*valgrind, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        # One hash seed: with Python's random one, the set-up's count moves by more than a
        # small cohort's gradings cost, and the difference between the two processes with it.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    match = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if out.returncode != 0 or match is None:
        raise SystemExit(f"valgrind failed for {engine}:\n{out.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--villages", type=int, default=100, help="province slice to grade (7 subjects per village)")
    p.add_argument("--engines", default="floor,villageeval", help="comma-separated engine names (see engines.py)")
    p.add_argument("--runs", type=int, default=None, help="gradings counted (default: 14,000 subjects, at least 2)")
    args = p.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: this figure needs it (apt install valgrind)", file=sys.stderr)
        return 2
    subjects = args.villages * 7
    runs = args.runs or max(2, 14_000 // subjects)
    per: dict[str, float] = {}
    for engine in [e.strip() for e in args.engines.split(",")]:
        once, more = count(engine, args.villages, 0), count(engine, args.villages, runs)
        per[engine] = (more - once) / runs / subjects
        print(f"{engine:26s} {per[engine]:>10,.0f} instructions/subject")
    if "floor" in per and "villageeval" in per:
        print(f"villageeval/floor = {per['villageeval'] / per['floor']:.2f} (instructions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
