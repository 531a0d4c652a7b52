"""The one-pass TCX reader gives the numbers of the ElementTree reader.

Differential over every real TCX file of the shared corpus, over files
written by runaudit_demo.synth and over layout variants; plus the cases that must
fall back.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from runaudit.errors import ParseError
from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers import tcx
from runaudit.reading.parsers.tcxfast import Unusual, parse_tcx_fast
from runaudit_demo import synth

from .conftest import realdata_manifest

_REAL_TCX = [e["path"] for e in realdata_manifest() if e["format"] == "tcx"]


def _assert_same(fast: ParsedFile, slow: ParsedFile) -> None:
    assert (fast.format, fast.kind, fast.problems) == (slow.format, slow.kind, slow.problems)
    assert len(fast.activities) == len(slow.activities) >= 1
    for a, b in zip(fast.activities, slow.activities, strict=True):
        for name in ("sport", "sub_sport", "device", "start_utc", "elapsed_time_s"):
            assert getattr(a, name) == getattr(b, name), name
        for name in ("distance_m", "timer_time_s"):  # the same sums, in the same order
            assert getattr(a, name) == getattr(b, name), name
        assert set(a.samples) == set(b.samples)
        for name, values in b.samples.items():
            np.testing.assert_allclose(
                a.samples[name], values, rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=name
            )


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.parametrize("name", _REAL_TCX or ["(no corpus)"])
def test_fast_tcx_matches_the_etree_reader_on_real_files(realdata: Path, name: str) -> None:
    data = _read(realdata / name)
    slow = tcx.parse_tcx_with_etree(data)
    fast = parse_tcx_fast(data)  # every real TCX has the common layout
    _assert_same(fast, slow)
    _assert_same(tcx.parse_tcx(data), slow)


def _run(**kw: object) -> synth.SyntheticRun:
    return synth.make_run(
        datetime(2024, 5, 4, 7, 30, tzinfo=UTC), 3.0, alt_noise_m=0.5, pauses=[(300.0, 40.0)], **kw
    )


@pytest.mark.parametrize(
    ("sport", "kw"),
    [
        ("Running", {}),
        ("Running", {"gps": False}),
        ("Biking", {"sport": "cycling", "pace_s_per_km": 120.0, "seed": 3}),
        ("Other", {"interval_s": "smart", "seed": 5}),
    ],
)
def test_fast_tcx_matches_on_generated_files(tmp_path: Path, sport: str, kw: dict) -> None:
    data = synth.write_tcx(_run(**kw), tmp_path / "a.tcx", sport=sport).read_bytes()
    fast = parse_tcx_fast(data)
    _assert_same(fast, tcx.parse_tcx_with_etree(data))
    act = fast.activities[0]
    assert act.distance_m == pytest.approx(3000.0, abs=1.0)
    if sport == "Running":
        assert float(np.nanmedian(act.samples["cadence_spm"])) == pytest.approx(170.0, abs=3.0)


@pytest.fixture(scope="module")
def seed_tcx(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("tcx") / "seed.tcx"
    return synth.write_tcx(_run(interval_s=5), path).read_text()


_SAME_LAYOUT = {
    "no position in some points": lambda t: re.sub(
        r"<Position>.*?</Position>", "", t, count=4, flags=re.S
    ),
    "no altitude in some points": lambda t: re.sub(
        r"<AltitudeMeters>[^<]*</AltitudeMeters>", "", t, count=3
    ),
    "no heart rate in some points": lambda t: re.sub(
        r"<HeartRateBpm>\s*<Value>[^<]*</Value>\s*</HeartRateBpm>", "", t, count=5
    ),
    "a second lap": lambda t: t.replace(
        "</Lap>",
        "</Lap><Lap><TotalTimeSeconds>5</TotalTimeSeconds><DistanceMeters>10</DistanceMeters>"
        "<Track><Trackpoint><Time>2024-05-04T09:00:00Z</Time><DistanceMeters>3010</DistanceMeters>"
        "</Trackpoint></Track></Lap>",
        1,
    ),
    "a second activity": lambda t: t.replace(
        "</Activity>",
        "</Activity><Activity Sport='Biking'><Id>x</Id><Lap><Track><Trackpoint>"
        "<Time>2024-05-04T10:00:00Z</Time><Cadence>90</Cadence></Trackpoint></Track></Lap></Activity>",
        1,
    ),
    "impossible and odd times": lambda t: re.sub(
        r"<Time>[^<]*</Time>", "<Time>2024-13-04T07:30:00Z</Time>", t, count=1
    ).replace("Z</Time>", "+01:00</Time>", 2),
    "junk values": lambda t: t.replace("<AltitudeMeters>", "<AltitudeMeters>x", 2).replace(
        "<LatitudeDegrees>", "<LatitudeDegrees>1e999", 1
    ),
    "a comment": lambda t: t.replace("<Trackpoint>", "<Trackpoint><!-- c -->", 3),
}


@pytest.mark.parametrize("change", list(_SAME_LAYOUT), ids=list(_SAME_LAYOUT))
def test_fast_tcx_reads_variants_of_the_layout(seed_tcx: str, change: str) -> None:
    data = _SAME_LAYOUT[change](seed_tcx).encode()
    _assert_same(parse_tcx_fast(data), tcx.parse_tcx_with_etree(data))


_OTHER_LAYOUT = {
    "two heart-rate values": lambda t: t.replace(
        "<HeartRateBpm>", "<HeartRateBpm><Value>1</Value>", 1
    ),
    "Cadence and RunCadence": lambda t: t.replace("</Time>", "</Time><Cadence>80</Cadence>", 2),
    "a value outside its place": lambda t: t.replace(
        "</Trackpoint>", "<X><LatitudeDegrees>1</LatitudeDegrees></X></Trackpoint>", 1
    ),
    "a speed in another namespace": lambda t: t.replace(
        "<Extensions>", "<Extensions><Speed>9</Speed>", 1
    ),
    "a trackpoint outside a track": lambda t: t.replace(
        "<Track>", "<Trackpoint><Time>2024-05-04T06:00:00Z</Time></Trackpoint><Track>", 1
    ),
}


@pytest.mark.parametrize("change", list(_OTHER_LAYOUT), ids=list(_OTHER_LAYOUT))
def test_other_layouts_fall_back_to_the_etree_reader(seed_tcx: str, change: str) -> None:
    data = _OTHER_LAYOUT[change](seed_tcx).encode()
    with pytest.raises(Unusual):
        parse_tcx_fast(data)
    _assert_same(tcx.parse_tcx(data), tcx.parse_tcx_with_etree(data))


def test_a_dtd_is_refused_before_libxml2_reads_it(seed_tcx: str) -> None:
    body = seed_tcx.split("<TrainingCenterDatabase", 1)[1]
    bomb = (
        '<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<TrainingCenterDatabase" + body.replace("<Id>", "<Id>&b;", 1)
    ).encode()
    with pytest.raises(Unusual, match="DOCTYPE"):
        parse_tcx_fast(bomb)
    with pytest.raises(ParseError, match="refused for safety"):
        tcx.parse_tcx(bomb)


def test_a_course_without_activity_is_worded_by_the_etree_reader(seed_tcx: str) -> None:
    course = seed_tcx.replace("<Activities>", "<Courses>").replace("</Activities>", "</Courses>")
    course = course.replace("<Activity ", "<Course ").replace("</Activity>", "</Course>")
    with pytest.raises(Unusual):
        parse_tcx_fast(course.encode())
    with pytest.raises(ParseError, match="course"):
        tcx.parse_tcx(course.encode())
