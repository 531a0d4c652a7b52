"""Write a synthetic export shaped like one runner's real Strava history.

Usage::

    python benchmarks/make_export.py OUT_DIR --files 2000 [--seed 0]

The shape follows the real history issue 21 measured (2,035 GPX files: 274
runs, 1,029 rides, 716 walks, 248 empty files, 53 with impossible timestamps):

- a tenth of the files are empty (0 bytes, as Strava exports files it lost);
- of the rest about 15 % runs, 50 % rides and 35 % walks, one every 1.6 days
  from 2015 on, 30 to 150 minutes long, recorded like a watch does (Garmin
  smart recording: a point every 1 to 8 s), with positions and elevation;
- every other run carries heart rate and cadence extensions, the others none;
  rides and walks carry heart rate, rides cadence in rpm;
- one file in forty has impossible timestamps: its first points are dated
  1970-01-01 (a GPS receiver that had not found the time yet);
- beside them, as in the exports: ``activities.csv`` (Strava's columns, one row
  per file, the file's name in ``Filename``) and a Garmin Connect
  ``DI_CONNECT/DI-Connect-Fitness/bench_0_summarizedActivities.json`` with one
  summary per activity.

Files are written once and kept (``--force`` rewrites them); the layout is
``OUT_DIR/activities/<id>.gpx``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runaudit_demo.synth import make_run, write_gpx

#: Strava's activities.csv columns the records reader uses (the same header the tests write).
CSV_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Gear,Filename,Elapsed Time,"
    "Moving Time,Distance,Elevation Gain,Elevation Loss,Average Cadence,Dirt Distance"
)
FIRST = datetime(2015, 3, 2, 6, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Planned:
    """One file of the export: what it holds."""

    index: int
    kind: str  # "run", "ride", "walk" or "empty"
    start: datetime
    km: float
    extensions: bool
    impossible: bool

    @property
    def name(self) -> str:
        return f"activities/{1_000_000 + self.index}.gpx"


def plan(n: int) -> list[Planned]:
    """The files of an ``n``-file export, deterministic in ``n``."""
    out = []
    for i in range(n):
        start = FIRST + timedelta(hours=38.5 * i + (i % 5))
        if i % 10 == 9:
            kind = "empty"
        else:
            slot = (i * 7) % 20  # 3 runs, 10 rides, 7 walks in every 20
            kind = "run" if slot < 3 else "ride" if slot < 13 else "walk"
        km = {"run": 6.0 + i % 15, "ride": 20.0 + i % 60, "walk": 2.0 + i % 8, "empty": 0.0}[kind]
        extensions = kind != "run" or i % 2 == 0
        impossible = i % 40 == 17 and kind != "empty"
        out.append(Planned(i, kind, start, km, extensions, impossible))
    return out


_FIRST_TIMES = re.compile(rb"<time>[^<]*</time>")


def write_one(item: Planned, folder: Path) -> Path:
    path = folder / item.name
    path.parent.mkdir(parents=True, exist_ok=True)
    if item.kind == "empty":
        path.write_bytes(b"")
        return path
    sport = {"run": "running", "ride": "cycling", "walk": "walking"}[item.kind]
    pace = {"run": 330.0 + 5 * (item.index % 9), "ride": 130.0, "walk": 720.0}[item.kind]
    run = make_run(
        item.start,
        item.km,
        pace_s_per_km=pace,
        cadence_spm={"run": 168.0, "ride": 85.0, "walk": 110.0}[item.kind],
        climb_m=15.0 + item.index % 40,
        alt_noise_m=2.0,
        interval_s="smart",
        sport=sport,
        utc_offset_s=3600,
        seed=item.index,
    )
    write_gpx(
        run,
        path,
        activity_type=sport,
        cadence=item.extensions and item.kind != "walk",
        heart_rate=item.extensions,
    )
    if item.impossible:  # the metadata time, then the first three points: 1970
        data = path.read_bytes()
        data = _FIRST_TIMES.sub(b"<time>1970-01-01T00:00:00Z</time>", data, count=4)
        path.write_bytes(data)
    return path


def _csv_row(item: Planned) -> str:
    kind = {"run": "Run", "ride": "Ride", "walk": "Walk", "empty": "Ride"}[item.kind]
    date = item.start.strftime("%b %-d, %Y, %-I:%M:%S %p")
    secs = int(item.km * {"run": 340, "ride": 130, "walk": 720, "empty": 130}[item.kind])
    return (
        f'{1_000_000 + item.index},"{date}",{kind},{kind},,{secs},"{item.km:.2f}",,,false,,'
        f"{item.name},{secs}.0,{secs}.0,{item.km * 1000:.1f},20,20,,0.0"
    )


def _summary(item: Planned) -> dict[str, object]:
    ms = int(item.start.timestamp() * 1000)
    kind = {"run": "running", "ride": "cycling", "walk": "walking", "empty": "cycling"}
    secs = item.km * {"run": 340, "ride": 130, "walk": 720, "empty": 130}[item.kind]
    return {
        "activityId": 1_000_000 + item.index,
        "name": item.kind.title(),
        "activityType": kind[item.kind],
        "startTimeGmt": ms,
        "startTimeLocal": ms + 3600_000,
        "distance": item.km * 100_000.0,  # centimetres, as Garmin writes it
        "duration": secs * 1000.0,  # milliseconds
        "movingDuration": secs * 990.0,
    }


def make_export(folder: Path, n: int, *, force: bool = False) -> list[Path]:
    """Write (or reuse) the ``n``-file export in ``folder``; the activity files' paths."""
    items = plan(n)
    paths = []
    for item in items:
        path = folder / item.name
        paths.append(path if path.exists() and not force else write_one(item, folder))
    (folder / "activities.csv").write_text(
        "\n".join([CSV_HEADER, *map(_csv_row, items)]) + "\n", encoding="utf-8"
    )
    fitness = folder / "DI_CONNECT" / "DI-Connect-Fitness"
    fitness.mkdir(parents=True, exist_ok=True)
    doc = [{"summarizedActivitiesExport": [_summary(i) for i in items if i.kind != "empty"]}]
    (fitness / "bench_0_summarizedActivities.json").write_text(json.dumps(doc), encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--force", action="store_true", help="rewrite files that exist")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = make_export(args.folder, args.files, force=args.force)
    size = sum(p.stat().st_size for p in paths) / 2**20
    kinds: dict[str, int] = {}
    for item in plan(args.files):
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    took = time.perf_counter() - started
    print(
        f"{len(paths)} files, {size:.0f} MB in {args.folder} ({took:.0f} s): {kinds},"
        f" {sum(i.impossible for i in plan(args.files))} with impossible timestamps"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
