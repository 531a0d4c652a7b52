"""The one-pass GPX reader gives the numbers of the gpxpy-based reader.

Differential over every real GPX file of the shared corpus and over
generated ones; plus the cases that must fall back to gpxpy.
"""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from runaudit.errors import ParseError
from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers import gpx
from runaudit.reading.parsers.gpxfast import Unusual, parse_gpx_fast
from runaudit_demo import synth

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
    ("t1", "t2"),
    [
        ("1970-01-01T00:00:00Z", "2024-05-04T07:30:10Z"),  # a GPS receiver without the time
        ("2024-05-04T07:30:00Z", "2100-01-01T00:00:00Z"),  # the first instant out of range
        ("1979-12-31T23:59:59.5Z", "2024-05-04T07:30:10+02:00"),
    ],
)
def test_impossible_times_are_dropped_on_the_fast_path_as_by_gpxpy(t1: str, t2: str) -> None:
    data = _doc(t1, t2)
    fast = parse_gpx_fast(data)
    _assert_same(fast, gpx.parse_gpx_with_gpxpy(data))
    assert fast.activities[0].samples["time_s"].size == 1


def test_every_time_impossible_falls_back_and_gpxpy_words_it() -> None:
    data = _doc("1970-01-01T00:00:00Z", "1970-01-01T00:00:10Z")
    with pytest.raises(Unusual):
        parse_gpx_fast(data)
    with pytest.raises(ParseError, match="no valid timestamps"):
        gpx.parse_gpx(data)


def test_sport_first_reads_another_sport_without_elevation_or_rates() -> None:
    ride = _doc("2024-05-04T07:30:00Z", "2024-05-04T07:30:10Z").replace(
        b"<type>running</type>", b"<type>cycling</type>"
    )
    full, light = parse_gpx_fast(ride), parse_gpx_fast(ride, sport_first=True)
    a, b = full.activities[0], light.activities[0]
    assert (b.sport, b.start_utc, b.elapsed_time_s) == ("cycling", a.start_utc, 10.0)
    assert b.distance_m == a.distance_m == pytest.approx(111.19, abs=0.5)
    assert a.samples["heart_rate_bpm"][0] == 140.0
    for name in ("altitude_m", "heart_rate_bpm", "cadence_spm"):
        assert np.isnan(b.samples[name]).all(), name
    run = _doc("2024-05-04T07:30:00Z", "2024-05-04T07:30:10Z")  # a run: read in full either way
    _assert_same(parse_gpx_fast(run, sport_first=True), parse_gpx_fast(run))


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


# --------------------------------------------------------------------------- varied layouts

_TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def _varied_gpx(rng: random.Random) -> bytes:
    """A GPX track in one of the layouts apps write, with gaps and odd values."""
    ns = rng.random() < 0.85
    version = rng.choice(["1.1", "1.1", "1.1", "1.0"])
    layout = rng.choice(["tpx", "flat", "deep", "power"])
    cad_tag, hr_tag = {
        "tpx": ("gpxtpx:cad", "gpxtpx:hr"),
        "flat": (rng.choice(["cadence", "RunCadence", "cad"]), rng.choice(["hr", "HeartRate"])),
        "deep": ("x:Cad", "x:HR"),
        "power": ("gpxtpx:cad", "gpxtpx:hr"),
    }[layout]
    hr_gaps, ele_gaps, cad_gaps = (rng.choice([0.0, 0.0, 0.2, 1.0]) for _ in range(3))
    comment = rng.random() < 0.15
    lines = [
        f'<?xml version="1.0" encoding="UTF-8"?><gpx version="{version}" creator="app"'
        + (' xmlns="http://www.topografix.com/GPX/1/1"' if ns else "")
        + f' xmlns:gpxtpx="{_TPX}" xmlns:x="urn:x">'
    ]
    if rng.random() < 0.3:
        lines.append("<metadata><time>2024-05-04T06:00:00Z</time></metadata>")
    t = 0
    for _ in range(rng.choice([1, 1, 2])):
        lines.append(f"<trk><type>{rng.choice(['running', '9', 'cycling', ''])}</type>")
        for _ in range(rng.choice([1, 1, 2])):
            lines.append("<trkseg>")
            for _ in range(rng.randint(1, 25)):
                t += rng.choice([1, 1, 1, 4, -2])
                stamp = f"2024-05-04T07:{t // 60 % 60:02d}:{t % 60:02d}"
                stamp += rng.choices(["Z", "", ".25Z", "+00:00"], [70, 10, 10, 10])[0]
                kids = []
                if rng.random() >= ele_gaps:
                    kids.append(
                        f"<ele>{rng.choice([f'{400 + t / 10:.1f}', ' 401.5 ', 'junk'])}</ele>"
                    )
                if rng.random() < 0.03:
                    kids.append(f"<time>{stamp}<b/></time>")
                else:
                    kids.append(f"<time>{stamp}</time>")
                inner = ""
                if rng.random() >= hr_gaps:
                    inner += f"<{hr_tag}>{rng.choice([140, 151, ' 150 '])}</{hr_tag}>"
                if rng.random() >= cad_gaps:
                    inner += f"<{cad_tag}>{rng.choice([84, 85, 170])}</{cad_tag}>"
                if inner:
                    body = {
                        "tpx": f"<gpxtpx:TrackPointExtension>{inner}</gpxtpx:TrackPointExtension>",
                        "flat": inner,
                        "deep": f"<x:a><x:b>{inner}</x:b></x:a>",
                        "power": f"<power>210</power><gpxtpx:TrackPointExtension>{inner}"
                        "</gpxtpx:TrackPointExtension>",
                    }[layout]
                    kids.append(f"<extensions>{body}</extensions>")
                if comment and rng.random() < 0.1:
                    kids.append("<!-- lap -->")
                lat, lon = 47.0 + t * 1e-4, 7.0 + t * 5e-5
                lines.append(
                    f'<trkpt lat="{lat:.7f}" lon="{lon:.7f}">' + "".join(kids) + "</trkpt>"
                )
            lines.append("</trkseg>")
        lines.append("</trk>")
    lines.append("</gpx>")
    return ("\n  " if rng.random() < 0.5 else "").join(lines).encode()


def test_fast_gpx_matches_gpxpy_on_varied_layouts() -> None:
    """Gaps, layouts and odd values: the fast path agrees with gpxpy or falls back."""
    rng = random.Random(20261202)
    fast_count = 0
    for _ in range(300):
        data = _varied_gpx(rng)
        slow = gpx.parse_gpx_with_gpxpy(data)
        try:
            fast = parse_gpx_fast(data)
        except Unusual:
            _assert_same(gpx.parse_gpx(data), slow)
            continue
        fast_count += 1
        _assert_same(fast, slow)
    assert fast_count >= 250


def _tpx_doc(points: list[str]) -> bytes:
    return (
        '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"'
        f' xmlns:gpxtpx="{_TPX}"><trk><trkseg>' + "".join(points) + "</trkseg></trk></gpx>"
    ).encode()


def _point(second: int, ext: str = "", ele: str = "<ele>400</ele>") -> str:
    return (
        f'<trkpt lat="47.{second:04d}" lon="7.0">{ele}<time>2024-05-04T07:00:{second:02d}Z</time>'
        + (
            f"<extensions><gpxtpx:TrackPointExtension>{ext}</gpxtpx:TrackPointExtension>"
            "</extensions>"
            if ext
            else ""
        )
        + "</trkpt>"
    )


def test_heart_rate_gaps_and_missing_elevation_stay_in_their_points() -> None:
    data = _tpx_doc(
        [
            _point(0, "<gpxtpx:hr>140</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"),
            _point(1, "<gpxtpx:cad>86</gpxtpx:cad>", ele=""),
            _point(2, "<gpxtpx:hr>142</gpxtpx:hr><gpxtpx:cad>87</gpxtpx:cad>"),
        ]
    )
    act = parse_gpx_fast(data).activities[0]
    _assert_same(parse_gpx_fast(data), gpx.parse_gpx_with_gpxpy(data))
    np.testing.assert_array_equal(act.samples["heart_rate_bpm"], [140.0, np.nan, 142.0])
    np.testing.assert_array_equal(act.samples["cadence_spm"], [170.0, 172.0, 174.0])
    np.testing.assert_array_equal(act.samples["altitude_m"], [400.0, np.nan, 400.0])


@pytest.mark.parametrize(
    ("points", "why"),
    [
        ([_point(0, "<gpxtpx:hr>140</gpxtpx:hr><gpxtpx:hr>141</gpxtpx:hr>")], "two"),
        (
            [_point(0, "<gpxtpx:cad>80</gpxtpx:cad><gpxtpx:RunCadence>81</gpxtpx:RunCadence>")],
            "two",
        ),
    ],
)
def test_two_values_in_one_point_fall_back_to_gpxpy(points: list[str], why: str) -> None:
    data = _tpx_doc(points)
    with pytest.raises(Unusual, match=why):
        parse_gpx_fast(data)
    _assert_same(gpx.parse_gpx(data), gpx.parse_gpx_with_gpxpy(data))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # a name expat refuses and libxml2 accepts (U+FFFD, a name character since 5th ed.)
        (_tpx_doc([_point(0)]).replace(b' lon="', ' l\ufffdon="'.encode(), 1), "malformed GPX"),
        (_tpx_doc([_point(0)]).replace(b"<ele>", b"<q:ele>", 1), "malformed GPX"),  # unbound prefix
        (_tpx_doc([_point(0)]).replace(b"<ele>400", b"<ele>&x;400", 1), "malformed GPX"),
    ],
    ids=["non-ascii-name", "unbound-prefix", "undefined-entity"],
)
def test_what_expat_refuses_the_fast_path_refuses_too(data: bytes, message: str) -> None:
    with pytest.raises(Unusual):
        parse_gpx_fast(data)
    with pytest.raises(ParseError, match=message):
        gpx.parse_gpx(data)


def test_white_space_is_kept_where_comments_or_children_need_it() -> None:
    # A <time> of white space and a child: gpxpy refuses the time, so the file falls back.
    blank = _tpx_doc([_point(0), _point(1).replace("<time>2024-05-04T07:00:01Z", "<time> <b/>")])
    with pytest.raises(Unusual):
        parse_gpx_fast(blank)
    # An empty one with a child is a point without a time (skipped) either way.
    empty = _tpx_doc([_point(0), _point(1).replace("<time>2024-05-04T07:00:01Z", "<time><b/>")])
    _assert_same(parse_gpx_fast(empty), gpx.parse_gpx_with_gpxpy(empty))
    assert parse_gpx_fast(empty).activities[0].samples["time_s"].size == 1
    # A comment inside a value: its text on both sides counts, as in expat.
    split = _tpx_doc([_point(0).replace("<ele>400</ele>", "<ele>4<!-- x -->00.5</ele>")])
    assert parse_gpx_fast(split).activities[0].samples["altitude_m"][0] == 400.5
    _assert_same(parse_gpx_fast(split), gpx.parse_gpx_with_gpxpy(split))


def test_non_ascii_text_and_attribute_values_stay_on_the_fast_path() -> None:
    data = (
        _tpx_doc([_point(0), _point(1)])
        .replace(b'creator="x"', 'creator="Läufer 🏃"'.encode())
        .replace(b"<trk>", "<trk><name>Morgenlauf 朝 🏃</name>".encode())
    )
    fast = parse_gpx_fast(data)
    assert fast.activities[0].device == "Läufer 🏃"
    _assert_same(fast, gpx.parse_gpx_with_gpxpy(data))
