"""Speed and memory of the services' records readers (issue 21 item 4).

Writes a Strava ``activities.csv`` of N rows in the 86-column English layout
(runs, rides and walks, a few manual entries, values as Strava writes them) and
a Garmin ``*_summarizedActivities.json`` of M entries into
``benchmarks/.data/records/`` (kept between runs, git-ignored), then reads each
in a fresh process through :func:`runaudit.reading.records.read_metadata` and
reports wall and CPU seconds (imports included), rows per CPU second and the
peak resident set against the file's size. CPU seconds are the fair figure on a
shared machine; wall time is what one user waits on an idle one.

    .venv/bin/python benchmarks/bench_records.py --rows 1000000 --summaries 200000

Target: at least 100,000 rows a second, peak memory at most 10x the file size.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runaudit_demo.strava import HEADER_86

DATA = Path(__file__).parent / ".data" / "records"


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(7)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER_86)
        for i in range(rows):
            kind = rng.choice(("Run", "Run", "Ride", "Walk"))
            km = rng.uniform(3, 25) if kind != "Ride" else rng.uniform(15, 90)
            secs = int(km * rng.uniform(280, 420) if kind == "Run" else km * 150)
            when = start + timedelta(minutes=7 * i)
            row = [""] * len(HEADER_86)
            row[0] = str(10_000_000_000 + i)
            row[1] = f"{when:%b} {when.day}, {when.year}, {when:%I:%M:%S %p}".replace(" 0", " ")
            row[2], row[3], row[5], row[6] = f"{kind} {i}", kind, str(secs), f"{km:.2f}"
            row[7], row[9], row[11] = "158.0", "false", "Pegasus 41" if kind == "Run" else ""
            row[12] = "" if i % 50 == 0 else f"activities/{10_000_000_000 + i}.fit.gz"
            row[15], row[16], row[17] = f"{secs}.0", f"{secs * 0.97:.1f}", f"{km * 1000:.1f}"
            row[19], row[20], row[21] = f"{km * 1000 / secs:.3f}", "42.0", "41.0"
            row[29], row[31], row[34] = "84.5", "143.2", "512.0"
            row[81] = "0.0"
            out.writerow(row)


def write_json(path: Path, entries: int) -> None:
    rng = random.Random(11)
    t0 = datetime(2015, 1, 1, tzinfo=UTC).timestamp() * 1000
    items = []
    for i in range(entries):
        km = rng.uniform(3, 25)
        gmt = t0 + i * 420_000.0
        items.append(
            {
                "activityId": 5_000_000_000 + i,
                "name": f"Run {i}",
                "activityType": rng.choice(("running", "trail_running", "cycling")),
                "startTimeGmt": gmt,
                "startTimeLocal": gmt + 3_600_000.0,
                "distance": km * 100_000.0,
                "duration": km * 330_000.0,
                "movingDuration": km * 320_000.0,
                "elevationGain": 4200.0,
                "elevationLoss": 4100.0,
                "avgDoubleCadence": 168.0,
                "avgHr": 144.0,
            }
        )
    path.write_text(json.dumps([{"summarizedActivitiesExport": items}]))


def measure(path: Path) -> dict[str, float]:
    """Read ``path`` in a fresh interpreter; its seconds, records and peak RSS."""
    code = (
        "import json,resource,sys,time\n"
        "t=time.perf_counter()\n"
        "c=time.process_time()\n"
        "from runaudit.reading.records import read_metadata\n"
        "m=read_metadata([sys.argv[1]],max_bytes=2**31)\n"
        "s=time.perf_counter()-t\n"
        "cpu=time.process_time()-c\n"
        "print(json.dumps({'seconds':s,'cpu':cpu,'records':len(m.records),'problems':len(m.problems),"
        "'peak_kib':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def bare_csv(path: Path) -> dict[str, float]:
    """The floor: a bare ``csv.reader`` pass over the file in a fresh interpreter."""
    code = (
        "import csv,json,sys,time\n"
        "c=time.process_time()\n"
        "n=sum(1 for _ in csv.reader(open(sys.argv[1],newline='',encoding='utf-8')))\n"
        "print(json.dumps({'cpu':time.process_time()-c,'rows':n-1}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--summaries", type=int, default=200_000)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / f"strava_{args.rows}" / "activities.csv"
    json_path = DATA / f"garmin_{args.summaries}" / "me_0_summarizedActivities.json"
    for path, write, n in (
        (csv_path, write_csv, args.rows),
        (json_path, write_json, args.summaries),
    ):
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            t = time.perf_counter()
            write(path, n)
            print(f"wrote {path} ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    print("| file | rows | records | size | wall | CPU | rows/s (CPU) | peak RSS | peak / size |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path, n in ((csv_path, args.rows), (json_path, args.summaries)):
        size = path.stat().st_size
        r = measure(path)
        peak = r["peak_kib"] * 1024
        if path == csv_path:
            floor = bare_csv(path)
            print(
                f"| (bare csv.reader pass) | {floor['rows']:,} | | | | {floor['cpu']:.1f} s"
                f" | {floor['rows'] / floor['cpu']:,.0f} | | |"
            )
        print(
            f"| {path.name} | {n:,} | {r['records']:,} | {size / 2**20:,.0f} MiB"
            f" | {r['seconds']:.1f} s | {r['cpu']:.1f} s | {n / r['cpu']:,.0f}"
            f" | {peak / 2**20:,.0f} MiB | {peak / size:.1f}x |"
        )


if __name__ == "__main__":
    main()
