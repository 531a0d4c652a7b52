"""Polar Flow session JSON read as records."""

from __future__ import annotations

import json
import math

import pytest

from runaudit.errors import ParseError
from runaudit.reading.records.polar import read_session


def _session(**extra: object) -> bytes:
    route = [
        {"dateTime": f"2021-01-30T13:{24 + i // 60:02d}:{i % 60:02d}.000", "latitude": 60.0,
         "longitude": 24.0 + i * 1e-4, "altitude": 100.0 - i * 0.1}
        for i in range(0, 1200)
    ]  # fmt: skip
    doc = {
        "exportVersion": "1.3",
        "name": "Running",
        "startTime": "2021-01-30T13:24:11.000",
        "stopTime": "2021-01-30T14:10:04.875",
        "timeZoneOffset": 120,
        "distance": 8123.4,
        "duration": "PT2753.875S",
        "exercises": [
            {
                "sport": "RUNNING",
                "heartRate": {"min": 90, "avg": 148, "max": 171},
                "samples": {"recordedRoute": route},
            }
        ],
    }
    doc.update(extra)
    return json.dumps(doc).encode()


def test_session_distance_duration_local_time() -> None:
    (rec,) = read_session(_session()).records
    assert rec.sport == "running" and rec.activity_type == "RUNNING"
    assert rec.distance_km == pytest.approx(8.1234)
    assert rec.elapsed_time_s == pytest.approx(2753.875)
    assert rec.utc_offset_s == 7200
    # 13:24:11 local at UTC+2 is 11:24:11 UTC
    assert rec.start_utc == 1612005851.0
    assert rec.heart_rate_bpm == 148
    # the route drops 119.9 m steadily: descent from the smoothed altitudes
    assert rec.descent_m == pytest.approx(119.9, abs=3.0)


def test_nan_tokens_and_newer_shape() -> None:
    text = _session().replace(b'"avg": 148', b'"avg": NaN')
    (rec,) = read_session(text).records
    assert math.isnan(rec.heart_rate_bpm)
    newer = {
        "name": "Running",
        "startTime": "2025-08-16T17:12:22",
        "durationMillis": 1_800_000,
        "distanceMeters": 5000,
        "timezoneOffsetMinutes": -420,
        "hrAvg": 140,
        "exercises": [{"sport": {"id": "1"}}],
    }
    (rec,) = read_session(json.dumps(newer).encode()).records
    assert rec.sport == "running"
    assert rec.distance_km == 5.0 and rec.elapsed_time_s == 1800.0
    assert rec.utc_offset_s == -25200 and rec.heart_rate_bpm == 140
    # Flow's label in the account's language is an unknown type until --run-type names it
    german = read_session(json.dumps(dict(newer, name="Laufen")).encode())
    assert german.records[0].sport is None
    assert german.unknown_types == (("Laufen", 1),)


def test_not_a_session_names_what_is_missing() -> None:
    with pytest.raises(ParseError, match="'startTime'"):
        read_session(b'{"exercises": [{}]}', name="x.json")
    with pytest.raises(ParseError, match="not valid JSON"):
        read_session(b"{", name="x.json")
