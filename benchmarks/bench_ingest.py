"""Benchmark ingest on N realistic 60-minute running FIT files.

Usage::

    python benchmarks/bench_ingest.py --files 200 [--jobs 2] [--data-dir DIR]

Writes N 1 Hz, 60-minute running FIT files with Garmin's FIT SDK encoder
(kept in ``benchmarks/.data/`` between runs), then in one process measures:

a. a bare sequential loop iterating every file with fitdecode's defaults;
b. runaudit cold (empty cache): files → weekly table;
c. the same warm (cache filled by b);
d. peak memory (resident set size of this process and its workers).

and prints the ratios b/a and c/a and the peak in MB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fitdecode

from runaudit import ingest, weekly_table
from runaudit_demo.synth import make_run, write_fit

HERE = Path(__file__).resolve().parent


def make_files(folder: Path, n: int) -> list[Path]:
    """Write (or reuse) ``n`` 60-minute 1 Hz running FIT files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2016, 1, 4, 6, 30, tzinfo=UTC)
    paths = []
    for i in range(n):
        path = folder / f"run_{i:05d}.fit"
        if not path.exists():
            run = make_run(
                start + timedelta(days=2 * i, hours=i % 3),
                10.0 + (i % 7),
                pace_s_per_km=3600.0 / (10.0 + (i % 7)),
                climb_m=40.0 + 10 * (i % 5),
                alt_noise_m=2.0,
                utc_offset_s=3600,
                seed=i,
            )
            write_fit(run, path)
        paths.append(path)
    return paths


def naive_loop(paths: list[Path]) -> int:
    """Iterate every frame of every file with fitdecode's defaults."""
    frames = 0
    for path in paths:
        with fitdecode.FitReader(path) as reader:
            for _ in reader:
                frames += 1
    return frames


def peak_mb() -> float:
    """Peak resident set size of this process and of its reaped children [MB]."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    parser.add_argument("--skip-naive", action="store_true", help="skip (a); ratios not printed")
    args = parser.parse_args(argv)

    t = time.perf_counter()
    paths = make_files(args.data_dir / "fit60", args.files)
    print(f"files: {len(paths)} ready in {time.perf_counter() - t:.1f} s ({args.data_dir})")

    a = float("nan")
    if not args.skip_naive:
        t = time.perf_counter()
        naive_loop(paths)
        a = time.perf_counter() - t
        print(f"(a) naive fitdecode loop : {a:8.2f} s  ({a / len(paths) * 1000:.0f} ms/file)")

    cache_dir = Path(tempfile.mkdtemp(prefix="runaudit-bench-cache-"))
    try:
        t = time.perf_counter()
        cold = ingest(paths, cache_dir=cache_dir, jobs=args.jobs)
        weekly_table(cold.activities, cold.cadence_hist)
        b = time.perf_counter() - t
        print(f"(b) runaudit cold        : {b:8.2f} s  ({cold.parsed} parsed)")

        t = time.perf_counter()
        warm = ingest(paths, cache_dir=cache_dir, jobs=args.jobs)
        weekly_table(warm.activities, warm.cadence_hist)
        c = time.perf_counter() - t
        print(
            f"(c) runaudit warm        : {c:8.2f} s  ({warm.parsed} parsed, {warm.cached} cached)"
        )
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    print(f"(d) peak memory          : {peak_mb():8.0f} MB")
    if not args.skip_naive:
        print(f"b/a = {b / a:.3f}   c/a = {c / a:.4f}   peak = {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
