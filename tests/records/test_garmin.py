"""Garmin's gear links and the Garmin Connect web-API JSON read as records."""

from __future__ import annotations

import json

import pytest

from runaudit.errors import ParseError
from runaudit.reading.records.garmin_api import read_api_json
from runaudit.reading.records.garmin_gear import read_gear


def _gear() -> bytes:
    return json.dumps(
        [
            {
                "gearDTOS": [
                    {"gearPk": 7, "displayName": None, "customMakeModel": "Asics Novablast 4",
                     "gearTypeName": "Shoes"},
                    {"gearPk": 9, "displayName": "Trail shoes",
                     "customMakeModel": "Hoka Speedgoat"},
                ],
                "gearActivityDTOs": {
                    "7": [{"activityId": 1001, "gearPk": 7}, {"activityId": 1002, "gearPk": 7}],
                    "9": [{"activityId": 1003, "gearPk": 9}],
                    "12": [{"activityId": 1004, "gearPk": 12}],
                },
                "gearActivityTypeDTOS": [],
            }
        ]
    ).encode()  # fmt: skip


def test_gear_links_from_gear_activity_dtos() -> None:
    gear = read_gear(_gear())
    assert gear.by_activity == {
        "1001": "Asics Novablast 4",
        "1002": "Asics Novablast 4",
        "1003": "Trail shoes",
    }
    assert gear.names == ("Asics Novablast 4", "Trail shoes")
    assert gear.problems.counts == {"gear links naming no gear of gearDTOS": 1}


def test_gear_file_of_another_shape_is_refused() -> None:
    with pytest.raises(ParseError, match="gearDTOS"):
        read_gear(b'[{"something": []}]', name="me_gear.json")


def test_web_api_json_as_records() -> None:
    doc = [
        {
            "activityId": 123,
            "activityName": "Morning Run",
            "startTimeLocal": "2026-07-12 07:01:00",
            "startTimeGMT": "2026-07-12 11:01:00",
            "activityType": {"typeId": 1, "typeKey": "running", "parentTypeId": 17},
            "distance": 8046.7,
            "duration": 2705.2,
            "movingDuration": 2650.0,
            "elevationGain": 45.0,
            "elevationLoss": 44.0,
            "averageHR": 152.0,
            "averageRunningCadenceInStepsPerMinute": 172.0,
        },
        {
            "activityId": 124,
            "startTimeLocal": "2026-07-13 18:00:00",
            "startTimeGMT": "2026-07-13 22:00:00",
            "activityType": {"typeKey": "treadmill_running"},
            "distance": 5000,
            "duration": 1500,
        },
        {"activityId": 125, "activityType": {"typeKey": "running"}},
    ]
    out = read_api_json(json.dumps(doc).encode())
    run, tread = out.records
    assert run.distance_km == pytest.approx(8.0467)
    assert run.elapsed_time_s == pytest.approx(2705.2) and run.moving_time_s == 2650.0
    assert run.utc_offset_s == -4 * 3600
    assert run.start_utc == 1783854060.0  # 2026-07-12 11:01:00 UTC
    assert (run.descent_m, run.cadence_spm, run.heart_rate_bpm) == (44.0, 172.0, 152.0)
    assert tread.sport == "running" and tread.sub_sport == "treadmill"
    assert out.problems.counts == {"activities without startTimeGMT or activityType.typeKey": 1}


def test_web_api_json_without_activities_is_refused() -> None:
    with pytest.raises(ParseError, match="startTimeGMT"):
        read_api_json(b'[{"foo": 1}]')
