"""Peak memory and time of reading a ~1 GB Apple Health ``export.xml`` (issue 18: < 300 MB).

Usage::

    python benchmarks/bench_apple_health.py [--gb 1.0] [--data-dir DIR] [--zip]

Writes (once, reused) ``DIR/apple_health/export.xml``: Apple's internal DTD,
then mostly ``<Record>`` elements (heart rate, steps, distance samples with a
``MetadataEntry`` child now and then, as the Health app writes them) and one
running ``<Workout>`` every 3,000 records, in both shapes (``totalDistance``
attributes and ``WorkoutStatistics`` children). With ``--zip`` it is also
packed into ``export.zip`` (``apple_health_export/export.xml``) and the zip
is read, as a user would point runaudit at it.

The reading runs in a child process (``runaudit.reading.records.read_metadata``
on the file), so the printed peak resident set (``ru_maxrss`` of the reaped
child) is that of reading alone; the wall time is the child's.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED
  sourceName CDATA #REQUIRED sourceVersion CDATA #IMPLIED device CDATA #IMPLIED
  creationDate CDATA #IMPLIED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry key CDATA #REQUIRED value CDATA #REQUIRED>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout workoutActivityType CDATA #REQUIRED duration CDATA #IMPLIED
  durationUnit CDATA #IMPLIED totalDistance CDATA #IMPLIED totalDistanceUnit CDATA #IMPLIED
  sourceName CDATA #REQUIRED startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
]>
"""
KINDS = (
    ("HKQuantityTypeIdentifierHeartRate", "count/min", "72"),
    ("HKQuantityTypeIdentifierStepCount", "count", "153"),
    ("HKQuantityTypeIdentifierDistanceWalkingRunning", "km", "0.1042"),
    ("HKQuantityTypeIdentifierActiveEnergyBurned", "kcal", "4.217"),
)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S -0400")


def write_export(path: Path, gb: float) -> tuple[int, int]:
    """Write the synthetic export; returns (records, workouts)."""
    target = int(gb * 2**30)
    start = datetime(2018, 1, 1, 6, 0, tzinfo=UTC)
    records = workouts = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + DTD)
        out.write('<HealthData locale="en_US">\n <ExportDate value="2024-01-01 10:00:00 -0400"/>\n')
        out.write(' <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>\n')
        written = 0
        while written < target:
            chunk = []
            for _ in range(3000):
                when = start + timedelta(seconds=20 * records)
                kind, unit, value = KINDS[records % len(KINDS)]
                meta = (
                    '>\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="1"/>\n'
                    " </Record>\n"
                    if records % 7 == 0
                    else "/>\n"
                )
                chunk.append(
                    f' <Record type="{kind}" sourceName="Apple Watch" sourceVersion="9.1"'
                    f' device="&lt;&lt;HKDevice: 0x0&gt;, name:Apple Watch&gt;" unit="{unit}"'
                    f' creationDate="{_stamp(when)}" startDate="{_stamp(when)}"'
                    f' endDate="{_stamp(when + timedelta(seconds=5))}" value="{value}"{meta}'
                )
                records += 1
            day = start + timedelta(days=workouts)
            if workouts % 2:
                chunk.append(
                    f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="45"'
                    f' durationUnit="min" totalDistance="8.2" totalDistanceUnit="km"'
                    f' sourceName="Apple Watch" startDate="{_stamp(day)}"'
                    f' endDate="{_stamp(day + timedelta(minutes=45))}">\n'
                    '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n'
                    '  <MetadataEntry key="HKElevationAscended" value="4200 cm"/>\n'
                    " </Workout>\n"
                )
            else:
                chunk.append(
                    f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30"'
                    f' durationUnit="min" sourceName="Apple Watch" startDate="{_stamp(day)}"'
                    f' endDate="{_stamp(day + timedelta(minutes=30))}">\n'
                    '  <MetadataEntry key="HKIndoorWorkout" value="1"/>\n'
                    '  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning"'
                    ' sum="3.1" unit="mi"/>\n'
                    " </Workout>\n"
                )
            workouts += 1
            text = "".join(chunk)
            out.write(text)
            written += len(text)
        out.write("</HealthData>\n")
    return records, workouts


CHILD = """
import sys, time
from runaudit.reading.records import read_metadata
t0 = time.perf_counter()
meta = read_metadata([sys.argv[1]])
wall = time.perf_counter() - t0
runs = sum(1 for r in meta.records if r.sport == "running")
km = sum(r.distance_km for r in meta.records if r.sport == "running")
print(f"{wall:.1f} {len(meta.records)} {runs} {km:.1f} {len(meta.problems)}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gb", type=float, default=1.0, help="size of export.xml [GiB]")
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    parser.add_argument("--zip", action="store_true", help="read it from export.zip")
    args = parser.parse_args()
    folder = args.data_dir / "apple_health"
    folder.mkdir(parents=True, exist_ok=True)
    xml = folder / "export.xml"
    if not xml.exists() or abs(xml.stat().st_size - args.gb * 2**30) > 0.05 * args.gb * 2**30:
        t0 = time.perf_counter()
        n_records, n_workouts = write_export(xml, args.gb)
        print(
            f"wrote {xml} ({xml.stat().st_size / 2**20:,.0f} MiB, {n_records:,} records,"
            f" {n_workouts:,} workouts) in {time.perf_counter() - t0:.0f} s"
        )
    target = xml
    if args.zip:
        target = folder / "export.zip"
        if not target.exists() or target.stat().st_mtime < xml.stat().st_mtime:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
                z.write(xml, "apple_health_export/export.xml")
    src = str(HERE.parent / "src")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(target)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
    )
    wall, n, runs, km, problems = out.stdout.split()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = target.stat().st_size / 2**20
    print(f"read {target.name} ({size:,.0f} MiB): {wall} s, peak RSS {peak:,.0f} MiB")
    print(f"  {n} workouts read, {runs} runs, {km} km, {problems} problem lines")


if __name__ == "__main__":
    main()
