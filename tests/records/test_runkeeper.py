"""Runkeeper's cardioActivities.csv read as records."""

from __future__ import annotations

import math

import pytest

from runaudit.reading.records.runkeeper import duration_s, read_cardio_activities

HEADER = (
    "Activity Id,Date,Type,Route Name,Distance (mi),Duration,Average Pace,"
    "Average Speed (mph),Calories Burned,Climb (ft),Average Heart Rate (bpm),"
    "Friend's Tagged,Notes,GPX File\n"
)


def test_rows_in_km_local_time_and_gpx_link() -> None:
    text = HEADER + (
        "a1,2019-05-04 16:35:09,Running,,3.10,28:30,9:11,6.53,350,120,151,,"
        '"Easy, with ""strides""",2019-05-04-163509.gpx\n'
        "a2,2019-05-07 18:00:00,Cycling,,20.5,1:05:12,3:10,18.9,900,800,,,,\n"
        "a3,2019-05-09 07:00:00,Running,,5.00,45:00,9:00,6.67,500,,,,,\n"
    )
    out = read_cardio_activities(text)
    assert not out.problems.counts
    run, ride, manual = out.records
    assert run.distance_km == pytest.approx(3.10 * 1.609344)
    assert run.elapsed_time_s == 28 * 60 + 30
    assert run.ascent_m == pytest.approx(120 * 0.3048)
    assert run.heart_rate_bpm == 151
    assert run.filename == "2019-05-04-163509.gpx"
    assert run.sport == "running" and ride.sport == "cycling"
    assert ride.elapsed_time_s == 3912.0
    # Local wall clock: 2019-05-04 16:35:09 read as UTC, offset 0 (its local week).
    assert run.start_utc == 1556987709.0 and run.utc_offset_s == 0
    assert manual.filename == "" and manual.distance_km == pytest.approx(8.04672)
    assert out.notes


def test_older_header_without_activity_id() -> None:
    text = (
        "Date,Type,Route Name,Distance (mi),Duration,Average Pace,Average Speed (mph),"
        "Calories Burned,Climb (ft),Average Heart Rate (bpm),Notes,GPX File\n"
        "2016-10-21 15:27:52,Running,,1.41,24:49,17:40,3.40,120.0,12.36,,,2016-10-21-1527.gpx\n"
    )
    (row,) = read_cardio_activities(text).records
    assert row.distance_km == pytest.approx(2.2692, abs=1e-4)
    assert row.elapsed_time_s == 1489.0


def test_missing_columns_and_bad_rows_are_named() -> None:
    out = read_cardio_activities(
        "Date,Type,Distance (km),Duration\n2019-01-01 10:00:00,Running,5,25:00\n"
    )
    assert not out.records
    (line,) = out.problems.lines("cardioActivities.csv")
    assert "Distance (mi)" in line and "Distance (km)" in line
    bad = read_cardio_activities(HEADER + "a1,04/05/2019,Running,,3,20:00,,,,,,,,\n")
    assert math.isnan(bad.records[0].start_utc)
    assert bad.problems.counts


def test_duration_forms() -> None:
    assert duration_s("5:07") == 307.0
    assert duration_s("10:00:00") == 36000.0
    assert math.isnan(duration_s("abc"))
