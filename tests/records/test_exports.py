"""Every kind of export, built small here, read end to end into runs, weeks and shoes."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from runaudit.audit import load_export
from runaudit.cli import cli
from runaudit_demo import synth

MONDAY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def _run(when: datetime, km: float, **kw: object) -> synth.SyntheticRun:
    return synth.make_run(when, km, interval_s=5.0, seed=3, **kw)  # type: ignore[arg-type]


def _gpx(path: Path, run: synth.SyntheticRun, *, track_name: str | None, creator: str) -> Path:
    synth.write_gpx(run, path, activity_type=None, creator=creator)
    if track_name is not None:
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("<trk>", f"<trk>\n<name><![CDATA[{track_name}]]></name>", 1),
            encoding="utf-8",
        )
    return path


def _summary(aid: int, when: datetime, cm: float, kind: str) -> dict[str, object]:
    ms = when.timestamp() * 1000.0
    return {
        "activityId": aid,
        "name": "x",
        "activityType": kind,
        "startTimeGmt": ms,
        "startTimeLocal": ms + 3_600_000,
        "distance": cm,
        "duration": cm / 100 * 330.0,
        "elevationLoss": 0.0,
    }


def test_garmin_shoes_from_gear_links_and_parts_merged(tmp_path: Path) -> None:
    day2 = MONDAY + timedelta(days=2)
    parts = {
        "_0_": [_summary(1001, MONDAY, 800_000.0, "running"),
                _summary(1002, day2, 600_000.0, "running")],
        "_1001_": [_summary(1002, day2, 600_000.0, "running"),
                   _summary(1003, MONDAY + timedelta(days=4), 1_000_000.0, "running")],
    }  # fmt: skip
    gear = [
        {
            "gearDTOS": [
                {"gearPk": 7, "displayName": None, "customMakeModel": "Asics Novablast 4"},
                {"gearPk": 9, "displayName": "Old Pegasus", "customMakeModel": "Nike"},
            ],
            "gearActivityDTOs": {"7": [{"activityId": 1001}, {"activityId": 1003}]},
            "gearActivityTypeDTOS": [],
        }
    ]
    path = tmp_path / "garmin.zip"
    with zipfile.ZipFile(path, "w") as z:
        for part, items in parts.items():
            z.writestr(
                f"DI_CONNECT/DI-Connect-Fitness/me{part}summarizedActivities.json",
                json.dumps([{"summarizedActivitiesExport": items}]),
            )
        z.writestr("DI_CONNECT/DI-Connect-Fitness/me_gear.json", json.dumps(gear))
    audit = load_export(path, use_cache=False, jobs=1)
    acts = audit.activities
    # 1002 once, though in both parts
    assert list(acts["distance_km"]) == pytest.approx([8.0, 6.0, 10.0])
    assert list(acts["shoe"]) == ["Asics Novablast 4", "", "Asics Novablast 4"]
    assert audit.weekly.iloc[0]["distance_km"] == pytest.approx(24.0)
    assert "Old Pegasus" in audit.ingest.metadata.listed_shoes


def test_runkeeper_rows_with_and_without_gpx(tmp_path: Path) -> None:
    ran = MONDAY + timedelta(days=1)
    rode = MONDAY + timedelta(days=2)
    _gpx(tmp_path / "2026-01-06-0700.gpx", _run(ran, 5.0), track_name="Running 1/6/26 7:00 am",
         creator="Runkeeper - http://www.runkeeper.com")  # fmt: skip
    _gpx(
        tmp_path / "2026-01-07-0700.gpx",
        _run(rode, 20.0, sport="cycling", pace_s_per_km=120.0, cadence_spm=85.0),
        track_name="Cycling 1/7/26 7:00 am",
        creator="Runkeeper - http://www.runkeeper.com",
    )
    (tmp_path / "cardioActivities.csv").write_text(
        "Activity Id,Date,Type,Route Name,Distance (mi),Duration,Average Pace,"
        "Average Speed (mph),Calories Burned,Climb (ft),Average Heart Rate (bpm),"
        "Friend's Tagged,Notes,GPX File\n"
        "a1,2026-01-06 07:00:00,Running,,3.11,27:30,8:50,6.8,350,0,,,,2026-01-06-0700.gpx\n"
        "a2,2026-01-07 07:00:00,Cycling,,12.43,40:00,3:13,18.6,600,0,,,,2026-01-07-0700.gpx\n"
        "a3,2026-01-11 23:30:00,Running,,4.00,36:00,9:00,6.67,400,0,,,,\n",
        encoding="utf-8",
    )
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    acts = audit.activities
    assert len(acts) == 2  # the ride stays a ride (its track name), not a run
    manual = acts[acts["origin"] == "runkeeper_manual"].iloc[0]
    assert manual["distance_km"] == pytest.approx(6.437, abs=1e-3)
    # Sunday 23:30 local stays in the week of Monday 5 January
    assert str(manual["week_start"])[:10] == "2026-01-05"
    week = audit.weekly.iloc[0]
    assert week["runs"] == 2
    assert week["distance_km"] == pytest.approx(5.0 + 6.437, abs=0.01)


@pytest.mark.parametrize("as_zip", [False, True])
def test_polar_sessions_in_a_folder_or_the_zip(tmp_path: Path, as_zip: bool) -> None:
    doc = {
        "exportVersion": "1.3",
        "startTime": "2026-01-06T08:00:00.000",
        "timeZoneOffset": 60,
        "distance": 10000.0,
        "duration": "PT3000S",
        "exercises": [{"sport": "RUNNING", "heartRate": {"avg": 150}}],
    }
    (tmp_path / "training-session-2026-01-06-1-abc.json").write_text(json.dumps(doc))
    ride = dict(doc, exercises=[{"sport": "CYCLING"}], startTime="2026-01-07T08:00:00.000")
    (tmp_path / "training-session-2026-01-07-2-def.json").write_text(json.dumps(ride))
    where = tmp_path
    if as_zip:
        where = tmp_path / "polar-user-data-export_1a2b.zip"
        with zipfile.ZipFile(where, "w") as z:
            for session in tmp_path.glob("training-session-*.json"):
                z.write(session, f"polar-user-data-export_1a2b/{session.name}")
    audit = load_export(where, use_cache=False, jobs=1)
    (run,) = audit.activities.itertuples()
    assert run.distance_km == 10.0 and run.moving_time_s == 3000.0
    assert run.origin == "polar_summary" and run.utc_offset_s == 3600


APPLE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-02-01 10:00:00 +0000"/>
 <Me/>
 <Record type="HKQuantityTypeIdentifierStepCount" unit="count" value="10" \
startDate="2026-01-06 07:00:00 +0000" endDate="2026-01-06 07:01:00 +0000"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min" \
totalDistance="6.0" totalDistanceUnit="km" sourceName="Watch" \
startDate="2026-01-06 07:00:00 +0000" endDate="2026-01-06 07:30:00 +0000">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
  <WorkoutRoute sourceName="Watch">
   <FileReference path="/workout-routes/route_2026-01-06_7.00am.gpx"/>
  </WorkoutRoute>
 </Workout>
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="40" durationUnit="min" \
sourceName="Watch" startDate="2026-01-08 18:00:00 +0100" endDate="2026-01-08 18:40:00 +0100">
  <MetadataEntry key="HKIndoorWorkout" value="1"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" sum="7.5" unit="km"/>
 </Workout>
</HealthData>
"""


def test_apple_health_route_descent_and_treadmill(tmp_path: Path) -> None:
    hill = _run(MONDAY + timedelta(days=1), 6.0, climb_m=150.0)
    route = _gpx(tmp_path / "route.gpx", hill, track_name=None, creator="Apple Health Export")
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("apple_health_export/export.xml", APPLE)
        z.write(route, "apple_health_export/workout-routes/route_2026-01-06_7.00am.gpx")
        z.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
    audit = load_export(path, use_cache=False, jobs=1)
    outdoor, indoor = audit.activities.itertuples()
    assert outdoor.origin == "file" and outdoor.surface == "road"
    assert outdoor.descent_m == pytest.approx(150.0, rel=0.05)  # from the route's altitudes
    assert indoor.origin == "apple_health_manual" and indoor.surface == "treadmill"
    assert indoor.distance_km == 7.5 and indoor.utc_offset_s == 3600
    assert audit.weekly.iloc[0]["treadmill_km"] == pytest.approx(7.5)


def test_apple_health_without_workouts_says_so(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    body = APPLE.split(" <Workout")[0] + "</HealthData>\n"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("apple_health_export/export.xml", body)
    result = CliRunner().invoke(cli, ["weekly", str(path), "-q", "--no-cache"])
    assert result.exit_code == 1
    (line,) = [x for x in result.output.splitlines() if x.startswith("Error:")]
    assert "holds no workouts" in line


def test_peloton_tcx_is_a_treadmill_run(tmp_path: Path) -> None:
    run = _run(MONDAY, 5.0, device="PELOTON")  # <Creator><Name>PELOTON</Name>
    path = synth.write_tcx(run, tmp_path / "peloton.tcx", leading_whitespace=False)
    audit = load_export(path, use_cache=False, jobs=1)
    (row,) = audit.activities.itertuples()
    assert row.device == "PELOTON"
    assert row.surface == "treadmill" and row.sub_sport == "treadmill"


def test_overlapping_recordings_garmin_lists_separately_are_two_runs(tmp_path: Path) -> None:
    first, second = MONDAY, MONDAY + timedelta(minutes=3)
    fits = {
        "a.fit": synth.fit_bytes(_run(first, 10.0)),
        "b.fit": synth.fit_bytes(_run(second, 9.0)),
    }

    def export(path: Path, listed: bool) -> Path:
        with zipfile.ZipFile(path, "w") as z:
            for name, data in fits.items():
                z.writestr(f"DI_CONNECT/DI-Connect-Uploaded-Files/{name}", data)
            items = [
                _summary(1, first, 1_000_000.0, "running"),
                _summary(2, second, 900_000.0, "running"),
            ]
            z.writestr(
                "DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json",
                json.dumps([{"summarizedActivitiesExport": items if listed else []}]),
            )
        return path

    both = load_export(export(tmp_path / "listed.zip", True), use_cache=False, jobs=1)
    assert sorted(both.activities["distance_km"].round(1)) == [9.0, 10.0]
    assert set(both.activities["origin"]) == {"file"}  # each with its samples
    # Without the summaries saying so, the overlap is one run (the richer file kept).
    one = load_export(export(tmp_path / "unlisted.zip", False), use_cache=False, jobs=1)
    assert len(one.activities) == 1


@pytest.mark.parametrize(("device", "flagged"), [("PELOTON", False), ("Forerunner 265", True)])
def test_peloton_after_treadmill_weeks_raises_no_surface_change(
    tmp_path: Path, device: str, flagged: bool
) -> None:
    for week in range(8):
        for day in (0, 3):
            when = MONDAY + timedelta(weeks=week, days=day)
            if week < 6:  # a watch's treadmill runs
                run = _run(when, 6.0, sub_sport="treadmill", gps=False)
                (tmp_path / f"w{week}d{day}.fit").write_bytes(synth.fit_bytes(run))
            else:  # then runs on the Peloton Tread, TCX with <Creator><Name>
                run = _run(when, 6.0, device=device)
                synth.write_tcx(run, tmp_path / f"w{week}d{day}.tcx", leading_whitespace=False)
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert len(audit.activities) == 16
    changes = [f for f in audit.findings if f.rule == "surface_change"]
    assert bool(changes) is flagged
