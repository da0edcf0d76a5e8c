"""Two versions of villageeval, A and B, each against the floor, in alternating processes.

    python benchmarks/compare.py HEAD~1 HEAD                 # two commits
    python benchmarks/compare.py main WORKTREE --rounds 10   # a commit and the working tree

On a shared machine a figure moves by a third from one minute to the next, so two
versions timed one after the other cannot be told apart when they differ by 5%. Here
each round starts one process per version; each process grades the same province slice
with villageeval and with the floor, alternately, and keeps its median ratio
villageeval/floor. A slow spell slows both engines of a process alike, so the ratio
holds still where the times do not; and A and B take turns, so a spell hits both. The
medians over the rounds are printed, with their spread.

A version is a git revision (its ``src/`` is taken with ``git archive``) or
``WORKTREE`` (``src/`` as it is). Run it with an interpreter that has villageeval's
dependencies (``.bench/bin/python``); the villageeval installed there is not used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = """
import sys, time
sys.path.insert(0, {here!r})
import cohorts, engines
ve, fl = engines.load("villageeval"), engines.load("floor")
ve.prepare(); fl.prepare()
dicts = cohorts.cohort_dicts("province", villages={villages})
subjects = cohorts.to_subjects(dicts)
ve.run(subjects); fl.run(dicts)
ratios = []
for _ in range(5):
    t = time.process_time(); ve.run(subjects); a = time.process_time() - t
    t = time.process_time(); fl.run(dicts); b = time.process_time() - t
    ratios.append(a / b)
ratios.sort()
print(ratios[2])
"""


def source(version: str, into: Path) -> Path:
    """A directory holding the ``villageeval`` package of ``version`` (and the bundled schemes)."""
    if version == "WORKTREE":
        package = ROOT / "src" / "villageeval"
        (into / "villageeval").symlink_to(package)
        return into
    archive = subprocess.run(["git", "archive", version, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "src" / "villageeval" / "schemes").symlink_to(ROOT / "schemes")
    return into / "src"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("a", help="a git revision, or WORKTREE")
    p.add_argument("b", help="a git revision, or WORKTREE")
    p.add_argument("--rounds", type=int, default=6, help="processes per version (default 6)")
    p.add_argument("--villages", type=int, default=500, help="province slice (default 500 villages)")
    args = p.parse_args(argv)
    code = CHILD.format(here=str(HERE), villages=args.villages)
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, version in (("A", args.a), ("B", args.b)):
            d = Path(tmp) / name
            d.mkdir()
            paths[name] = source(version, d)
        got: dict[str, list[float]] = {"A": [], "B": []}
        for _ in range(args.rounds):
            for name in ("A", "B"):
                env = {**os.environ, "PYTHONPATH": str(paths[name])}
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
                if out.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{out.stderr[-2000:]}")
                got[name].append(float(out.stdout))
    for name, version in (("A", args.a), ("B", args.b)):
        xs = sorted(got[name])
        spread = f"rounds: {xs[0]:.2f}–{xs[-1]:.2f}"
        print(f"{name} {version:>12}: villageeval/floor median {statistics.median(xs):.3f}  ({spread})")
    change = statistics.median(got["B"]) / statistics.median(got["A"]) - 1
    print(f"B against A: {change:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
