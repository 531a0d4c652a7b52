"""Sports and indoor runs from names: GPX track names, TCX creators, FIT manufacturers."""

from __future__ import annotations

import pytest

from runaudit.reading.parsers import parse_bytes
from runaudit.reading.parsers.fit import _device_name
from runaudit.reading.parsers.gpx import parse_gpx_with_gpxpy
from runaudit.reading.parsers.gpxfast import parse_gpx_fast
from runaudit.reading.parsers.tcx import parse_tcx_with_etree
from runaudit.reading.parsers.tcxfast import parse_tcx_fast
from runaudit.reading.sports import indoor_sub_sport, refine_sub_sport, sport_from_track_name

RUNKEEPER_GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="{version}" creator="Runkeeper - http://www.runkeeper.com"
  xmlns="http://www.topografix.com/GPX/1/{ns}">
<trk>
  <name><![CDATA[{name}]]></name>
  <time>2014-10-08T18:24:54Z</time>
  <trkseg>
    <trkpt lat="46.920356" lon="7.486769"><ele>507.0</ele><time>2014-10-08T18:24:54Z</time></trkpt>
    <trkpt lat="46.921356" lon="7.486769"><ele>508.0</ele><time>2014-10-08T18:25:24Z</time></trkpt>
    <trkpt lat="46.922356" lon="7.486769"><ele>509.0</ele><time>2014-10-08T18:25:54Z</time></trkpt>
  </trkseg>
</trk>
</gpx>
"""


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("Running 10/8/14 8:24 pm", "running"),
        ("Cycling 7/31/13 7:52 am", "cycling"),
        ("Walking 1/2/15", "walking"),
        ("Morning Run", None),
        ("Mountain Biking 1/2/15", None),
    ],
)
@pytest.mark.parametrize(("version", "ns"), [("1.1", "1"), ("1.0", "0")])
def test_gpx_track_name_sport_both_readers(name: str, sport: str | None, version: str, ns: str):
    data = RUNKEEPER_GPX.format(name=name, version=version, ns=ns).encode()
    slow = parse_gpx_with_gpxpy(data).activities[0]
    assert slow.sport == sport
    if version == "1.1":
        assert parse_gpx_fast(data).activities[0].sport == sport


def test_gpx_type_wins_over_track_name():
    data = RUNKEEPER_GPX.format(name="Cycling 1/1/15", version="1.1", ns="1").replace(
        "<trkseg>", "<type>running</type>\n  <trkseg>"
    )
    assert parse_gpx_fast(data.encode()).activities[0].sport == "running"
    assert parse_gpx_with_gpxpy(data.encode()).activities[0].sport == "running"


TCX = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
 <Activities><Activity Sport="Running"><Id>2020-04-21T10:00:00Z</Id>
  <Lap StartTime="2020-04-21T10:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds>
   <DistanceMeters>200</DistanceMeters><Track>
    <Trackpoint><Time>2020-04-21T10:00:00Z</Time><DistanceMeters>0</DistanceMeters></Trackpoint>
    <Trackpoint><Time>2020-04-21T10:01:00Z</Time><DistanceMeters>200</DistanceMeters></Trackpoint>
   </Track></Lap>
  <Creator><Name>PELOTON</Name></Creator>
 </Activity></Activities>
</TrainingCenterDatabase>
"""


def test_peloton_creator_both_tcx_readers_and_treadmill():
    data = TCX.encode()
    assert parse_tcx_fast(data).activities[0].device == "PELOTON"
    assert parse_tcx_with_etree(data).activities[0].device == "PELOTON"
    run = parse_bytes(data).activities[0]
    assert (run.sport, run.sub_sport) == ("running", "treadmill")


def test_zwift_fit_manufacturer_is_a_virtual_run():
    # fitdecode names FIT manufacturer 260 "zwift"; the FIT reader joins maker and product.
    device = _device_name({"manufacturer": "zwift", "product": 3288})
    assert device == "zwift 3288"
    assert refine_sub_sport("running", "generic", device) == "virtual_activity"
    assert refine_sub_sport("running", "trail", device) == "trail"
    assert refine_sub_sport("running", None, _device_name({"manufacturer": "garmin"})) is None


def test_names():
    assert sport_from_track_name("  ") == (None, None)
    assert indoor_sub_sport("Technogym Run") == "treadmill"
    assert indoor_sub_sport("pelotonic") is None  # whole words only
