"""runaudit against the plain library loops and the floor, GPX and FIT, side by side.

Usage::

    python benchmarks/bench_floor.py --gpx 200 --fit 200 [--jobs 2] [--data-dir DIR]

Writes (or reuses, in ``benchmarks/.data/``) 1 Hz running activities of one to
two hours made with :mod:`runaudit_demo.synth`: Strava-style GPX 1.1 with heart-rate
and cadence extensions, and Garmin FIT written with the FIT SDK encoder. Then,
in one process, for each format:

- the plain library loop: ``gpxpy.parse`` of every GPX file / iterating every
  frame of every FIT file with fitdecode's defaults;
- the floor: expat with no handlers over the same bytes / the compiled FIT
  decoder alone (``fitfast.records`` + ``fitfast.parse``), when installed;
- runaudit cold (empty cache) and warm, files to weekly table;

and prints the ratios to the plain loop, and the peak memory (the larger
resident set of this process and of its reaped workers).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.parsers import expat

import fitdecode
import gpxpy

from runaudit import ingest, weekly_table
from runaudit_demo.synth import make_run, write_fit, write_gpx

HERE = Path(__file__).resolve().parent


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


def make_files(folder: Path, n: int, kind: str) -> list[Path]:
    """Write (or reuse) ``n`` activities of ``kind`` ("gpx" or "fit") in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"run_{i:05d}.{kind}"
        if not path.exists():
            if kind == "gpx":
                write_gpx(_run(i), path)
            else:
                write_fit(_run(i), path)
        paths.append(path)
    return paths


def gpxpy_loop(blobs: list[bytes]) -> None:
    for data in blobs:
        gpxpy.parse(data.decode("utf-8"))


def expat_floor(blobs: list[bytes]) -> None:
    for data in blobs:
        expat.ParserCreate().Parse(data, True)


def fitdecode_loop(blobs: list[bytes]) -> None:
    for data in blobs:
        with fitdecode.FitReader(data) as reader:
            for _ in reader:
                pass


def fitfast_floor(blobs: list[bytes]) -> None:
    import fitfast

    for data in blobs:
        fitfast.records(data, "record", degrees=False)
        fitfast.parse(data)


def peak_mb() -> float:
    """Peak resident set size of this process and of its reaped children [MB]."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def _timed(what: Callable[[], object]) -> float:
    t = time.perf_counter()
    what()
    return time.perf_counter() - t


def bench(kind: str, paths: list[Path], jobs: int | None) -> dict[str, float]:
    blobs = [p.read_bytes() for p in paths]
    mb = sum(map(len, blobs)) / 2**20
    print(f"\n{kind.upper()}: {len(paths)} files, {mb:.0f} MB")
    out: dict[str, float] = {}
    if kind == "gpx":
        out["plain"] = _timed(lambda: gpxpy_loop(blobs))
        out["floor"] = _timed(lambda: expat_floor(blobs))
    else:
        out["plain"] = _timed(lambda: fitdecode_loop(blobs))
        try:
            out["floor"] = _timed(lambda: fitfast_floor(blobs))
        except ImportError:
            out["floor"] = float("nan")
    cache_dir = Path(tempfile.mkdtemp(prefix="runaudit-bench-cache-"))
    try:

        def run() -> None:
            result = ingest(paths, cache_dir=cache_dir, jobs=jobs)
            weekly_table(result.activities, result.cadence_hist)

        out["cold"] = _timed(run)
        out["warm"] = _timed(run)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    plain = out["plain"]
    for name in ("plain", "floor", "cold", "warm"):
        print(f"  {name:6s} {out[name]:8.2f} s   {out[name] / plain:7.4f} x plain")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpx", type=int, default=200, help="GPX files (0: skip)")
    parser.add_argument("--fit", type=int, default=200, help="FIT files (0: skip)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    args = parser.parse_args(argv)
    for kind, n in (("gpx", args.gpx), ("fit", args.fit)):
        if n:
            t = time.perf_counter()
            paths = make_files(args.data_dir / f"floor_{kind}", n, kind)
            print(f"{kind}: {n} files ready in {time.perf_counter() - t:.1f} s")
            bench(kind, paths, args.jobs)
    print(f"\npeak memory {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
