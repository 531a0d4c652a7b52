"""Local process pool vs a 2-worker Dask LocalCluster on a synthetic cohort (cold, no cache).

    PYTHONPATH=src python benchmarks/bench_cluster.py --athletes 20 --weeks 25

``--weeks 25`` × 4 runs a week = 100 FIT files per athlete, written once with
``runaudit_demo.synth`` into ``benchmarks/.data/cohort_<athletes>x<weeks>/`` and kept.
Each engine runs :func:`runaudit.cohort.load_roster` once, cold (no cache), in this
one process run; the script checks that every engine gives the same cohort tables.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from runaudit.cohort import Roster, load_roster
from runaudit_demo.synth import write_training_block

DATA = Path(__file__).resolve().parent / ".data"


def cohort(athletes: int, weeks: int) -> Path:
    """The cohort folder, written on first use (one sub-folder per athlete)."""
    root = DATA / f"cohort_{athletes}x{weeks}"
    done = root / ".complete"
    if not done.exists():
        for i in range(athletes):
            write_training_block(root / f"a{i:03d}", datetime(2026, 1, 5), [30.0] * weeks, seed=i)
        done.write_text("ok\n")
    return root


def same(a: Roster, b: Roster) -> bool:
    """Whether two rosters hold the same weekly rows and findings."""
    try:
        pd.testing.assert_frame_equal(a.weekly, b.weekly)
        pd.testing.assert_frame_equal(a.findings, b.findings)
    except AssertionError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=25)
    args = parser.parse_args()
    import distributed

    root = cohort(args.athletes, args.weeks)
    files = sum(1 for _ in root.rglob("*.fit"))
    mb = sum(p.stat().st_size for p in root.rglob("*.fit")) / 2**20
    print(f"{args.athletes} athletes, {files} files, {mb:.0f} MB; load {os.getloadavg()[0]:.2f}")
    rows = []
    results = []
    for jobs in (1, 2):
        t0 = time.perf_counter()
        results.append(load_roster(root, use_cache=False, jobs=jobs))
        rows.append((f"local, {jobs} process{'es' if jobs > 1 else ''}", time.perf_counter() - t0))
    t0 = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        start_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        results.append(load_roster(root, use_cache=False, client=client))
        rows.append(("LocalCluster, 2 workers", time.perf_counter() - t0))
    equal = all(same(results[0], r) for r in results[1:])
    print(f"cluster start-up {start_s:.1f} s (not counted); outputs equal: {equal}")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    base = rows[0][1]
    print("| engine | wall s | files/s | vs 1 process |\n|---|---|---|---|")
    for name, secs in rows:
        print(f"| {name} | {secs:.1f} | {files / secs:.1f} | {base / secs:.2f}× |")


if __name__ == "__main__":
    main()
