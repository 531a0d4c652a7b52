"""Local process pool vs a 2-worker Dask LocalCluster on a synthetic cohort (cold, no cache).

    PYTHONPATH=src python benchmarks/bench_cluster.py --athletes 20 --weeks 25
(``--weeks 25`` × 4 runs a week = 100 files per athlete.)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

from runaudit.roster import load_roster
from runaudit.synth import write_training_block


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=25)
    args = parser.parse_args()
    import distributed

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i in range(args.athletes):
            write_training_block(
                root / f"a{i:03d}", datetime(2026, 1, 5), [30.0] * args.weeks, seed=i
            )
        files = sum(1 for _ in root.rglob("*.fit"))
        rows = []
        for jobs in (1, 2):
            t0 = time.perf_counter()
            load_roster(root, use_cache=False, jobs=jobs)
            rows.append((f"local, {jobs} process(es)", time.perf_counter() - t0))
        with (
            distributed.LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            t0 = time.perf_counter()
            load_roster(root, use_cache=False, client=client)
            rows.append(("LocalCluster, 2 workers", time.perf_counter() - t0))
        print(f"{args.athletes} athletes, {files} files")
        print("| engine | wall s | files/s |\n|---|---|---|")
        for name, secs in rows:
            print(f"| {name} | {secs:.1f} | {files / secs:.1f} |")


if __name__ == "__main__":
    main()
