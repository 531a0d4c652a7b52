"""Tests for runaudit_demo.synth: read the written files back with independent readers."""

from __future__ import annotations

import gzip
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import fitdecode
import gpxpy
import numpy as np
import pytest

from runaudit_demo import synth

START = datetime(2026, 5, 5, 4, 30, 0, tzinfo=UTC)
TCX = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
TPX = "{http://www.garmin.com/xmlschemas/ActivityExtension/v2}"
GPXTPX = "{http://www.garmin.com/xmlschemas/TrackPointExtension/v1}"


def read_fit(path: Path) -> dict[str, list[fitdecode.FitDataMessage]]:
    """All data messages by name; a CRC mismatch raises."""
    out: dict[str, list[fitdecode.FitDataMessage]] = {}
    with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.setdefault(frame.name, []).append(frame)
    return out


@pytest.fixture(scope="module")
def run171() -> synth.SyntheticRun:
    return synth.make_run(
        START,
        6.0,
        cadence_spm=171.0,
        cadence_sd=0.0,
        climb_m=40.0,
        alt_noise_m=2.0,
        interval_s="smart",
        pauses=[(600.0, 45.0)],
        utc_offset_s=7200,
        seed=7,
    )


@pytest.fixture(scope="module")
def run172() -> synth.SyntheticRun:
    return synth.make_run(START, 3.0, cadence_spm=172.0, cadence_sd=0.0, seed=3)


def test_make_run_truth(run171: synth.SyntheticRun) -> None:
    s = run171.samples
    assert list(s.columns) == list(synth.SYNTH_COLUMNS)
    assert run171.distance_m == pytest.approx(6000.0, abs=1e-6)
    assert np.all(np.diff(s["distance_m"]) >= 0)
    assert run171.ascent_m == pytest.approx(40.0, abs=0.01)
    assert run171.descent_m == pytest.approx(40.0, abs=0.01)
    assert run171.timer_time_s == pytest.approx(run171.duration_s - 45.0)
    assert run171.cadence_spm == pytest.approx(171.0)
    gaps = np.diff(s["elapsed_s"])
    assert set(np.unique(gaps)) <= {*range(1, 9), 45.0}
    # no samples inside the pause, one as it stops and one as it resumes
    t = s["elapsed_s"].to_numpy()
    assert not np.any((t > 600) & (t < 645))
    assert {600.0, 645.0} <= set(t)


def test_fit_record_cadence_and_crc(run171: synth.SyntheticRun, tmp_path: Path) -> None:
    msgs = read_fit(synth.write_fit(run171, tmp_path / "a.fit"))
    records = msgs["record"]
    assert len(records) == len(run171.samples)
    assert {r.get_value("cadence") for r in records} == {85}
    assert {r.get_value("fractional_cadence") for r in records} == {0.5}
    lat0 = float(run171.samples["lat_deg"].iloc[0])
    lon0 = float(run171.samples["lon_deg"].iloc[0])
    assert records[0].get_value("position_lat") == round(lat0 * 2**31 / 180)
    assert records[0].get_value("position_long") == round(lon0 * 2**31 / 180)
    file_id = msgs["file_id"][0]
    assert file_id.get_value("type") == "activity"
    assert file_id.get_value("manufacturer") == "garmin"


def test_fit_session_and_activity(run171: synth.SyntheticRun, tmp_path: Path) -> None:
    msgs = read_fit(synth.write_fit(run171, tmp_path / "a.fit"))
    session = msgs["session"][0]
    assert round(session.get_value("total_distance")) == round(run171.distance_m)
    assert session.get_value("sport") == "running"
    assert session.get_value("total_timer_time") == pytest.approx(run171.timer_time_s)
    assert session.get_value("total_elapsed_time") == pytest.approx(run171.duration_s)
    assert session.get_value("total_descent") == 40
    activity = msgs["activity"][0]
    local = activity.get_field("local_timestamp").raw_value
    utc = activity.get_field("timestamp").raw_value
    assert local - utc == run171.utc_offset_s == 7200
    assert activity.get_value("num_sessions") == 1
    events = [(e.get_value("event_type"), e.get_value("timestamp")) for e in msgs["event"]]
    assert [kind for kind, _ in events] == ["start", "stop_all", "start", "stop_all"]


def test_fit_treadmill_has_no_positions(tmp_path: Path) -> None:
    run = synth.make_run(START, 5.0, gps=False, base_altitude_m=None, sub_sport="treadmill", seed=2)
    msgs = read_fit(synth.write_fit(run, tmp_path / "t.fit"))
    assert not any(r.has_field("position_lat") for r in msgs["record"])
    assert msgs["record"][-1].get_value("distance") == pytest.approx(5000.0)
    assert msgs["session"][0].get_value("sub_sport") == "treadmill"


def test_fit_truncated_is_shorter(run171: synth.SyntheticRun, tmp_path: Path) -> None:
    full = synth.write_fit(run171, tmp_path / "full.fit")
    cut = synth.write_fit(run171, tmp_path / "cut.fit", truncate_at_byte=full.stat().st_size // 2)
    assert cut.stat().st_size == full.stat().st_size // 2 < full.stat().st_size
    assert cut.read_bytes() == full.read_bytes()[: cut.stat().st_size]
    records = 0
    with (
        pytest.raises(fitdecode.FitError),
        fitdecode.FitReader(str(cut), check_crc=fitdecode.CrcCheck.DISABLED) as reader,
    ):
        for frame in reader:
            records += isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
    assert 0 < records < len(run171.samples)


def test_fit_non_activity(tmp_path: Path) -> None:
    expected = {"monitoring": "monitoring_b", "settings": "settings", "sleep": "monitoring_daily"}
    for kind, file_type in expected.items():
        msgs = read_fit(synth.write_fit_non_activity(tmp_path / f"{kind}.fit", kind))
        assert msgs["file_id"][0].get_value("type") == file_type
        assert "record" not in msgs and "session" not in msgs
    with pytest.raises(ValueError):
        synth.write_fit_non_activity(tmp_path / "x.fit", "weight")


def test_gpx_cadence_extension_and_type(run172: synth.SyntheticRun, tmp_path: Path) -> None:
    path = synth.write_gpx(run172, tmp_path / "a.gpx")
    gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
    assert gpx.creator == "StravaGPX"
    track = gpx.tracks[0]
    assert track.type == "running"
    points = track.segments[0].points
    assert len(points) == len(run172.samples)
    cads = {
        child.text
        for p in points
        for ext in p.extensions
        for child in ext
        if child.tag == f"{GPXTPX}cad"
    }
    assert cads == {"86"}
    assert points[0].time == run172.start_utc
    assert "<type>running</type>" in path.read_text(encoding="utf-8")


def test_gpx_type_variants(run172: synth.SyntheticRun, tmp_path: Path) -> None:
    numeric = synth.write_gpx(run172, tmp_path / "9.gpx", activity_type="9").read_text()
    assert "<type>9</type>" in numeric
    untyped = synth.write_gpx(run172, tmp_path / "n.gpx", activity_type=None).read_text()
    assert "<type>" not in untyped
    packed = synth.write_gpx(run172, tmp_path / "a.gpx.gz", gzip=True)
    plain = synth.write_gpx(run172, tmp_path / "a.gpx")
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


def test_tcx_leading_whitespace_and_cadence(run172: synth.SyntheticRun, tmp_path: Path) -> None:
    data = synth.write_tcx(run172, tmp_path / "a.tcx").read_bytes()
    assert data.startswith(b"\n  <?xml")
    with pytest.raises(ET.ParseError):
        ET.fromstring(data)
    root = ET.fromstring(data.lstrip())
    activity = root.find(f"{TCX}Activities/{TCX}Activity")
    assert activity is not None and activity.get("Sport") == "Running"
    lap = activity.find(f"{TCX}Lap")
    assert lap is not None
    assert float(lap.findtext(f"{TCX}DistanceMeters", "nan")) == pytest.approx(3000.0)
    points = lap.findall(f"{TCX}Track/{TCX}Trackpoint")
    assert len(points) == len(run172.samples)
    assert {p.findtext(f"{TCX}Extensions/{TPX}TPX/{TPX}RunCadence") for p in points} == {"86"}
    plain = synth.write_tcx(run172, tmp_path / "b.tcx", leading_whitespace=False).read_bytes()
    assert plain.startswith(b"<?xml") and plain == data.lstrip()


def test_deterministic(tmp_path: Path) -> None:
    def build(folder: Path) -> list[bytes]:
        run = synth.make_run(START, 4.0, climb_m=30.0, alt_noise_m=2.0, interval_s="smart", seed=11)
        return [
            synth.write_fit(run, folder / "a.fit").read_bytes(),
            synth.write_fit(run, folder / "a.fit.gz", gzip=True).read_bytes(),
            synth.write_gpx(run, folder / "a.gpx").read_bytes(),
            synth.write_tcx(run, folder / "a.tcx.gz", gzip=True).read_bytes(),
        ]

    assert build(tmp_path / "one") == build(tmp_path / "two")


def test_importable_without_fit_sdk() -> None:
    code = (
        "import sys; sys.modules['garmin_fit_sdk'] = None\n"
        "from datetime import datetime, timezone\n"
        "from runaudit_demo import synth\n"
        "run = synth.make_run(datetime(2026, 5, 5, tzinfo=timezone.utc), 1.0)\n"
        "try:\n    synth.fit_bytes(run)\nexcept ImportError:\n    print('ok')\n"
    )
    src = str(Path(synth.__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src},
        check=True,
    )
    assert result.stdout.strip() == "ok"


def test_fit_writers_without_the_sdk_name_the_extra(tmp_path: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "garmin_fit_sdk", None)  # as if not installed
    run = synth.make_run(START, 1.0, seed=1)
    with pytest.raises(ImportError, match=r"pip install 'runaudit\[demo\]'"):
        synth.write_fit(run, tmp_path / "a.fit")
    with pytest.raises(ImportError, match="garmin-fit-sdk"):
        synth.write_fit_non_activity(tmp_path / "m.fit", "monitoring")
    assert synth.write_gpx(run, tmp_path / "a.gpx").stat().st_size > 0  # GPX needs no SDK
