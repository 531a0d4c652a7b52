"""The one-pass GPX reader gives the numbers of the gpxpy-based reader.

Differential over every real GPX file of the shared corpus and over
generated ones; plus the cases that must fall back to gpxpy.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from runaudit import synth
from runaudit.errors import ParseError
from runaudit.models import ParsedFile
from runaudit.parsers import gpx
from runaudit.parsers.gpxfast import Unusual, parse_gpx_fast

from .conftest import realdata_manifest

_REAL_GPX = [e["path"] for e in realdata_manifest() if e["format"] == "gpx"]


def _assert_same(fast: ParsedFile, slow: ParsedFile) -> None:
    assert len(fast.activities) == len(slow.activities) == 1
    a, b = fast.activities[0], slow.activities[0]
    assert (a.sport, a.sub_sport, a.device) == (b.sport, b.sub_sport, b.device)
    assert a.start_utc == pytest.approx(b.start_utc, abs=1e-6)
    assert a.elapsed_time_s == pytest.approx(b.elapsed_time_s, abs=1e-6)
    assert a.distance_m == pytest.approx(b.distance_m, rel=1e-12, abs=1e-9)
    assert set(a.samples) == set(b.samples)
    for name, values in b.samples.items():
        np.testing.assert_allclose(
            a.samples[name], values, rtol=1e-12, atol=1e-6, equal_nan=True, err_msg=name
        )


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.parametrize("name", _REAL_GPX or ["(no corpus)"])
def test_fast_gpx_matches_gpxpy_on_real_files(realdata: Path, name: str) -> None:
    data = _read(realdata / name)
    try:
        slow = gpx.parse_gpx_with_gpxpy(data)
    except ParseError:
        with pytest.raises((ParseError, Unusual)):
            parse_gpx_fast(data)
        return
    try:
        fast = parse_gpx_fast(data)
    except Unusual as why:
        pytest.skip(f"fast path falls back to gpxpy for this file: {why}")
    _assert_same(fast, slow)


def test_fast_path_reads_most_real_gpx(realdata: Path) -> None:
    """The fast path is not silently a no-op on the real exports."""
    readable = fast = 0
    for name in _REAL_GPX:
        data = _read(realdata / name)
        try:
            gpx.parse_gpx_with_gpxpy(data)
        except ParseError:
            continue
        readable += 1
        try:
            parse_gpx_fast(data)
            fast += 1
        except Unusual:
            pass
    assert readable and fast >= readable - 1


@pytest.mark.parametrize(
    ("kind", "cadence", "heart_rate", "climb"),
    [("running", True, True, 40.0), ("9", False, True, 0.0), (None, True, False, 120.0)],
)
def test_fast_gpx_matches_gpxpy_on_generated(
    tmp_path: Path, kind: str | None, cadence: bool, heart_rate: bool, climb: float
) -> None:
    run = synth.make_run(
        datetime(2024, 5, 4, 7, 30, tzinfo=UTC),
        6.0,
        climb_m=climb,
        alt_noise_m=0.5,
        pauses=[(600.0, 60.0)],
        seed=3,
    )
    path = synth.write_gpx(
        run, tmp_path / "run.gpx", activity_type=kind, cadence=cadence, heart_rate=heart_rate
    )
    data = path.read_bytes()
    fast = parse_gpx_fast(data)
    _assert_same(fast, gpx.parse_gpx_with_gpxpy(data))
    assert fast.activities[0].distance_m == pytest.approx(6000.0, abs=1.0)
    assert gpx.parse_gpx(data).activities[0].distance_m == fast.activities[0].distance_m


_POINTS = (
    '<trkpt lat="47.0" lon="7.0"><ele>410.5</ele><time>{t1}</time>'
    "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr>"
    "<gpxtpx:cad>84</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
    '<trkpt lat="47.001" lon="7.0"><ele>junk</ele><time>{t2}</time></trkpt>'
)


def _doc(t1: str, t2: str, version: str = "1.1", extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{extra}<gpx version="{version}" creator="x"'
        ' xmlns="http://www.topografix.com/GPX/1/1"'
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        "<trk><type>running</type><trkseg>" + _POINTS.format(t1=t1, t2=t2) + "</trkseg></trk></gpx>"
    ).encode()


def test_gpx_1_0_has_no_extensions_or_type_either_way() -> None:
    data = _doc("2024-05-04T07:30:00Z", "2024-05-04T07:30:10Z", version="1.0")
    fast = parse_gpx_fast(data)
    _assert_same(fast, gpx.parse_gpx_with_gpxpy(data))
    assert fast.activities[0].sport is None
    assert np.isnan(fast.activities[0].samples["heart_rate_bpm"]).all()


def test_point_without_time_is_skipped_either_way() -> None:
    data = _doc("2024-05-04T07:30:00Z", "")
    fast = parse_gpx_fast(data)
    _assert_same(fast, gpx.parse_gpx_with_gpxpy(data))
    assert fast.activities[0].samples["time_s"].size == 1


@pytest.mark.parametrize(
    ("t1", "t2"),
    [
        ("2024-05-04T07:30:00Z", "2024-05-04T07:30:10Z"),
        ("2024-05-04T09:30:00.250+02:00", "2024-05-04T07:30:10.5Z"),
        ("2024-05-04T07:30:00", "2024-05-04T02:30:10-05:00"),
    ],
)
def test_fast_gpx_times_offsets_fractions(t1: str, t2: str) -> None:
    data = _doc(t1, t2)
    fast = parse_gpx_fast(data)
    _assert_same(fast, gpx.parse_gpx_with_gpxpy(data))
    act = fast.activities[0]
    assert act.start_utc == datetime(2024, 5, 4, 7, 30, tzinfo=UTC).timestamp() + (
        0.25 if ".250" in t1 else 0.0
    )
    assert act.samples["heart_rate_bpm"][0] == 140.0
    assert act.samples["cadence_spm"][0] == 168.0
    assert np.isnan(act.samples["altitude_m"][1])  # <ele>junk</ele> costs that value only
    assert act.distance_m == pytest.approx(111.19, abs=0.5)


@pytest.mark.parametrize(
    "data",
    [
        _doc("2024-05-04 07:30:00Z", "2024-05-04T07:30:10Z"),  # gpxpy's own time forms
        _doc("", ""),  # no point with a time
        _doc("2024-13-04T07:30:00Z", "2024-05-04T07:30:10Z"),  # month 13
        _doc("9999-05-04T07:30:00Z", "2024-05-04T07:30:10Z"),  # beyond pandas' range
        _doc("2024-05-04T07:30:00Z", "2024-05-04T07:30:10Z", extra="<!DOCTYPE gpx []>"),
        b"<gpx version='1.1'><trk><trkseg><trkpt lat='1' lon='1'><time>x",  # truncated
    ],
    ids=["space-time", "no-time", "month-13", "year-9999", "doctype", "truncated"],
)
def test_unusual_gpx_falls_back_to_gpxpy(data: bytes) -> None:
    with pytest.raises(Unusual):
        parse_gpx_fast(data)
    try:
        expected: ParsedFile | str = gpx.parse_gpx_with_gpxpy(data)
    except ParseError as err:
        expected = str(err)
    try:
        got: ParsedFile | str = gpx.parse_gpx(data)
    except ParseError as err:
        got = str(err)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert isinstance(got, ParsedFile)
        _assert_same(got, expected)


def test_entity_declaration_is_refused_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<gpx version="1.1"><trk><name>&b;</name></trk></gpx>'
    )
    with pytest.raises(Unusual):
        parse_gpx_fast(bomb)
    with pytest.raises(ParseError, match="refused for safety"):
        gpx.parse_gpx(bomb)
