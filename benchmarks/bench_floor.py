"""runaudit against the plain library loops and the floor, on a real-shaped export and on FIT.

Usage::

    python benchmarks/bench_floor.py [--export 2000] [--fit 200] [--jobs 2] [--data-dir DIR]

Two sets, written once and kept in ``benchmarks/.data/``:

- **export**: :mod:`make_export`'s real-shaped Strava history (GPX; half rides
  and walks... a tenth empty files, a few impossible timestamps, runs with and
  without extensions, ``activities.csv`` and Garmin summaries beside them);
- **fit**: one- to two-hour 1 Hz runs written with Garmin's FIT SDK encoder.

For each set, in this one process and one after the other (so the machine's
load hits every column alike):

1. **cold**: runaudit, empty cache, files → weekly table, in this process
   (``ingest`` + ``weekly_table``, ``--jobs`` workers); then the peak resident
   set of this process and of its reaped workers (for the first set,
   runaudit's own peak: no plain loop has run yet);
2. **warm**: the same again, everything cached, in this process;
3. **warm CLI**: ``runaudit weekly SET --format csv`` in a new process (the
   interpreter, the imports, the index read and the tables: what a user waits);
4. **plain**: ``gpxpy.parse`` of every GPX file / every frame of every FIT
   file with fitdecode's defaults (sequential, one core);
5. **floor**: expat with no handlers over the same bytes / the compiled FIT
   decoder alone (``fitfast.records`` + ``fitfast.parse``), sequential.

Every column reads the files itself. Prints the wall times and their ratios
to the plain loop and the floor, and the CPU times (user + system, the
workers' included; the last warm CLI run's) and their ratio to the plain
loop's, which a busy machine disturbs less; with the load average before and
after.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.parsers import expat

import fitdecode
import fitfast
import gpxpy

from runaudit import ingest, weekly_table
from runaudit_demo.synth import make_run, write_fit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_export import make_export  # noqa: E402


def _run(i: int):
    km = 10.0 + (i % 11)
    return make_run(
        datetime(2016, 1, 4, 6, 30, tzinfo=UTC) + timedelta(days=2 * i, hours=i % 3),
        km,
        pace_s_per_km=3600.0 / 10.0 + 6 * (i % 5),
        climb_m=40.0 + 10 * (i % 5),
        alt_noise_m=2.0,
        utc_offset_s=3600,
        seed=i,
    )


def make_fit_files(folder: Path, n: int) -> list[Path]:
    """Write (or reuse) ``n`` FIT runs in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"run_{i:05d}.fit"
        if not path.exists():
            write_fit(_run(i), path)
        paths.append(path)
    return paths


def gpxpy_loop(paths: list[Path]) -> None:
    for path in paths:
        data = path.read_bytes()
        try:
            gpxpy.parse(data.decode("utf-8"))
        except Exception:  # an empty file, as a plain script would skip it
            continue


def expat_floor(paths: list[Path]) -> None:
    for path in paths:
        data = path.read_bytes()
        try:
            expat.ParserCreate().Parse(data, True)
        except expat.ExpatError:  # an empty file
            continue


def fitdecode_loop(paths: list[Path]) -> None:
    for path in paths:
        with fitdecode.FitReader(path.read_bytes()) as reader:
            for _ in reader:
                pass


def fitfast_floor(paths: list[Path]) -> None:
    for path in paths:
        data = path.read_bytes()
        fitfast.records(data, "record", degrees=False)
        fitfast.parse(data)


def peak_mb() -> float:
    """Peak resident set size of this process and of its reaped children [MB]."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[str, float] = {}


def _timed(what: Callable[[], object], name: str = "") -> float:
    """Wall seconds of ``what()``; its CPU seconds (workers included) go to ``CPU[name]``."""
    c, t = _cpu(), time.perf_counter()
    what()
    wall = time.perf_counter() - t
    if name:
        CPU[name] = _cpu() - c
    return wall


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench(kind: str, root: Path, paths: list[Path], jobs: int | None) -> dict[str, float]:
    mb = sum(p.stat().st_size for p in paths) / 2**20
    print(f"\n{kind}: {len(paths)} files, {mb:.0f} MB; load average {_load()}", flush=True)
    out: dict[str, float] = {}
    cache_dir = Path(tempfile.mkdtemp(prefix="runaudit-bench-cache-"))
    try:

        def run() -> None:
            result = ingest([root], cache_dir=cache_dir, jobs=jobs)
            weekly_table(result.activities, result.cadence_hist)

        out["cold"] = _timed(run, "cold")
        out["peak_mb"] = peak_mb()
        out["warm"] = _timed(run, "warm")
        cli = [sys.executable, "-m", "runaudit", "weekly", str(root), "--format", "csv", "-q"]
        env = {**os.environ, "RUNAUDIT_CACHE_DIR": str(cache_dir)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python caches its bytecode
        subprocess.run(cli, env=env, check=True, capture_output=True)  # bytecode written
        out["warm_cli"] = min(
            _timed(lambda: subprocess.run(cli, env=env, check=True, capture_output=True), "cli")
            for _ in range(3)
        )
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    if kind == "export":
        out["plain"] = _timed(lambda: gpxpy_loop(paths), "plain")
        out["floor"] = _timed(lambda: expat_floor(paths), "floor")
    else:
        out["plain"] = _timed(lambda: fitdecode_loop(paths), "plain")
        out["floor"] = _timed(lambda: fitfast_floor(paths), "floor")
    plain, floor = out["plain"], out["floor"]
    print("  column     wall s   / plain  / floor    CPU s   / plain (CPU, workers included)")
    for name in ("plain", "floor", "cold", "warm", "warm_cli"):
        cpu = CPU["cli" if name == "warm_cli" else name]
        print(
            f"  {name:8s} {out[name]:8.2f} {out[name] / plain:8.4f} {out[name] / floor:7.2f}"
            f" {cpu:8.2f} {cpu / CPU['plain']:8.4f}"
        )
    print(f"  peak memory so far (this process and its workers): {out['peak_mb']:.0f} MB")
    print(f"  load average after: {_load()}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=int, default=2000, help="export files (0: skip)")
    parser.add_argument("--fit", type=int, default=200, help="FIT files (0: skip)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    args = parser.parse_args(argv)
    print(f"runaudit bench_floor, Python {sys.version.split()[0]}")
    if args.export:
        t = time.perf_counter()
        root = args.data_dir / f"export{args.export}"
        paths = make_export(root, args.export)
        print(f"export: {args.export} files ready in {time.perf_counter() - t:.1f} s")
        bench("export", root, paths, args.jobs)
    if args.fit:
        root = args.data_dir / f"fit{args.fit}"
        paths = make_fit_files(root, args.fit)
        bench("fit", root, paths, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
