"""Apple Health's export.xml streamed into records."""

from __future__ import annotations

import io
import math

import pytest

from runaudit.errors import ParseError
from runaudit.reading.records.apple_health import read_export_bytes, read_export_xml

DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout workoutActivityType CDATA #REQUIRED duration CDATA #IMPLIED>
]>
"""

OLD = """ <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30.5" \
durationUnit="min" totalDistance="5.2" totalDistanceUnit="km" sourceName="Watch" \
startDate="2019-05-14 18:52:09 -0400" endDate="2019-05-14 19:22:39 -0400">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
  <MetadataEntry key="HKElevationAscended" value="500 cm"/>
  <WorkoutRoute sourceName="Watch">
   <FileReference path="/workout-routes/route_2019-05-14_6.52pm.gpx"/>
  </WorkoutRoute>
 </Workout>
"""
NEW = """ <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="40" \
durationUnit="min" sourceName="Watch" startDate="2023-01-10 07:00:00 +0000" \
endDate="2023-01-10 07:40:00 +0000">
  <MetadataEntry key="HKIndoorWorkout" value="1"/>
  <MetadataEntry key="HKTimeZone" value="America/Toronto"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" \
startDate="2023-01-10 07:00:00 +0000" endDate="2023-01-10 07:40:00 +0000" sum="4.5" unit="mi"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="150.4" \
minimum="90" maximum="180" unit="count/min"/>
 </Workout>
"""
RIDE = """ <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="60" \
durationUnit="min" totalDistance="20" totalDistanceUnit="km" \
startDate="2023-01-11 07:00:00 +0000" endDate="2023-01-11 08:00:00 +0000"/>
"""


def _export(body: str, dtd: str = DTD) -> bytes:
    records = "".join(
        f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min"'
        f' startDate="2019-05-14 18:{i % 60:02d}:00 -0400" endDate="2019-05-14 18:{i % 60:02d}:00'
        f' -0400" value="{70 + i % 30}"><MetadataEntry key="x" value="y"/></Record>\n'
        for i in range(200)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + dtd + '<HealthData locale="en_US">\n'
        ' <ExportDate value="2023-02-01 10:00:00 +0000"/>\n <Me/>\n' + records + body
        + "</HealthData>\n"
    ).encode()  # fmt: skip


def test_both_shapes_treadmill_and_zone() -> None:
    out = read_export_bytes(_export(OLD + NEW + RIDE), "export.xml")
    old, new, ride = out.records
    assert not out.problems.counts
    # attributes (old shape)
    assert old.sport == "running" and old.sub_sport is None
    assert old.distance_km == 5.2 and old.elapsed_time_s == 1830.0
    assert old.start_utc == 1557874329.0 and old.utc_offset_s == -4 * 3600
    assert old.ascent_m == 5.0
    assert old.filename == "workout-routes/route_2019-05-14_6.52pm.gpx"
    # WorkoutStatistics children (iOS 16 on), indoor, its own zone
    assert new.distance_km == pytest.approx(4.5 * 1.609344)
    assert new.sub_sport == "treadmill"
    assert new.utc_offset_s == -5 * 3600  # Toronto in January, not the export's +0000
    assert new.heart_rate_bpm == 150.4 and math.isnan(new.ascent_m)
    assert ride.sport == "cycling"


def test_streams_from_a_file_object() -> None:
    stream = io.BufferedReader(io.BytesIO(_export(NEW)), buffer_size=64)
    (rec,) = read_export_xml(stream, name="export.zip!apple_health_export/export.xml").records
    assert rec.source_file.endswith("export.xml")


def test_no_workouts_says_so() -> None:
    with pytest.raises(ParseError, match="holds no workouts"):
        read_export_bytes(_export(""), "export.xml")


@pytest.mark.parametrize(
    "dtd",
    [
        '<!DOCTYPE HealthData [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n',
        '<!DOCTYPE HealthData SYSTEM "http://example.com/x.dtd">\n',
        '<!DOCTYPE HealthData [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n',
        "<!DOCTYPE Other [<!ELEMENT Other ANY>]>\n",
        '<!DOCTYPE HealthData [<!-- ]> --><!ENTITY a "x">]>\n',
    ],
)
def test_unsafe_doctype_refused(dtd: str) -> None:
    with pytest.raises(ParseError, match="refused"):
        read_export_bytes(_export(OLD, dtd), "export.xml")


def test_malformed_and_foreign_documents() -> None:
    with pytest.raises(ParseError, match="malformed"):
        read_export_bytes(_export(OLD)[:-40], "export.xml")
    with pytest.raises(ParseError, match="malformed"):  # a DTD never closed
        read_export_bytes(_export(OLD, "<!DOCTYPE HealthData [<!ELEMENT HealthData ANY>\n"), "x")
    with pytest.raises(ParseError, match="Apple Health"):
        read_export_bytes(b"<gpx><trk/></gpx>", "export.xml")


def test_foreign_root_with_records_is_refused() -> None:
    with pytest.raises(ParseError, match="not Apple's <HealthData>"):
        read_export_bytes(b'<Other><Record type="x"/><Workout/></Other>', "export.xml")


def test_streamed_export_past_the_total_limit_is_named(tmp_path) -> None:
    from runaudit.reading.records import read_metadata
    from runaudit.reading.sources.limits import Limits

    path = tmp_path / "export.xml"
    path.write_bytes(_export(OLD))
    meta = read_metadata([path], limits=Limits(max_total_bytes=10_000))
    assert not meta.records
    assert any("Limits.max_total_bytes" in p for p in meta.problems)
    assert len(read_metadata([path]).records) == 1


def test_inline_route_of_older_exports_gives_descent() -> None:
    # iOS 10-11 wrote the route inline: <WorkoutRoute><Location date= altitude= .../>
    locations = "".join(
        f'<Location date="2016-11-14 07:{25 + i // 60:02d}:{i % 60:02d} -0700"'
        f' latitude="37.7777" longitude="-122.426" altitude="{100 - i * 0.1:.2f}"/>'
        for i in range(600)
    )
    body = (
        ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="10"'
        ' durationUnit="min" totalDistance="1.2" totalDistanceUnit="mi"'
        ' startDate="2016-11-14 07:25:00 -0700" endDate="2016-11-14 07:35:00 -0700">'
        '<MetadataEntry key="HKTimeZone" value="America/Los_Angeles"/>'
        f"<WorkoutRoute>{locations}</WorkoutRoute></Workout>\n"
    )
    (rec,) = read_export_bytes(_export(body), "export.xml").records
    assert rec.descent_m == pytest.approx(59.9, abs=2.0)
    assert rec.utc_offset_s == -8 * 3600  # PST in November, though the export wrote -0700
    assert rec.filename == ""
