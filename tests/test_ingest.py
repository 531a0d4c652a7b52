"""Ingest end to end on files written in the test with Garmin's FIT SDK encoder,
gpxpy and ElementTree (via runaudit_demo.synth)."""

from __future__ import annotations

import gzip
import io
import zipfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from runaudit import ingest, weekly_table
from runaudit_demo.synth import make_run, write_fit, write_fit_non_activity, write_gpx, write_tcx

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday


def _one(result):
    assert len(result.activities) == 1, result.summary_lines()
    return result.activities.iloc[0]


def test_fit_cadence_85_and_a_half_is_171_spm(tmp_path):
    run = make_run(T0, 5.0, cadence_spm=171.0, cadence_sd=0.0)
    row = _one(ingest([write_fit(run, tmp_path / "a.fit")], use_cache=False, jobs=1))
    assert row["cadence_spm"] == pytest.approx(171.0, abs=0.01)
    assert row["distance_km"] * 1000 == pytest.approx(5000.0, abs=1.0)
    assert row["sport"] == "running"


def test_gpx_cad_86_is_172_spm_and_distance_from_positions(tmp_path):
    run = make_run(T0, 8.0, cadence_spm=172.0, cadence_sd=0.0)
    path = write_gpx(run, tmp_path / "b.gpx")
    assert "<gpxtpx:cad>86</gpxtpx:cad>" in path.read_text()
    row = _one(ingest([path], use_cache=False, jobs=1))
    assert row["cadence_spm"] == pytest.approx(172.0, abs=0.01)
    assert row["distance_km"] == pytest.approx(8.0, rel=0.005)
    assert row["format"] == "gpx"


def test_tcx_with_leading_whitespace_gzipped(tmp_path):
    run = make_run(T0, 6.0, cadence_spm=176.0, cadence_sd=0.0)
    path = write_tcx(run, tmp_path / "c.tcx.gz", gzip=True)
    assert gzip.decompress(path.read_bytes()).startswith(b"\n")
    row = _one(ingest([path], use_cache=False, jobs=1))
    assert row["distance_km"] == pytest.approx(6.0, abs=0.001)
    assert row["cadence_spm"] == pytest.approx(176.0, abs=0.01)


def test_monday_0600_at_utc_plus_11_lands_in_that_mondays_week(tmp_path):
    # Monday 2026-03-02 06:00 in Sydney is Sunday 2026-03-01 19:00 UTC
    start = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    run = make_run(start, 10.0, utc_offset_s=11 * 3600)
    row = _one(ingest([write_fit(run, tmp_path / "syd.fit")], use_cache=False, jobs=1))
    assert row["start_local"] == pd.Timestamp("2026-03-02 06:00")
    assert row["week_start"] == pd.Timestamp("2026-03-02")
    assert row["tz_source"] == "file"


def test_gpx_borrows_the_offset_of_the_nearest_fit_file_and_tz_overrides(tmp_path):
    fit_run = make_run(T0, 5.0, utc_offset_s=3600)
    gpx_run = make_run(T0 + timedelta(days=2), 5.0)
    write_fit(fit_run, tmp_path / "a.fit")
    write_gpx(gpx_run, tmp_path / "b.gpx")
    acts = ingest([tmp_path], use_cache=False, jobs=1).activities
    gpx_row = acts[acts["format"] == "gpx"].iloc[0]
    assert gpx_row["utc_offset_s"] == 3600
    assert gpx_row["tz_source"] == "nearest FIT file"
    acts = ingest([tmp_path], use_cache=False, jobs=1, tz="America/New_York").activities
    assert set(acts["utc_offset_s"]) == {-5 * 3600}
    assert set(acts["tz_source"]) == {"--tz"}


def test_same_run_as_fit_and_gpx_counts_once_keeping_the_fit(tmp_path):
    run = make_run(T0, 10.0)
    write_fit(run, tmp_path / "run.fit")
    write_gpx(run, tmp_path / "run.gpx", cadence=False)
    result = ingest([tmp_path], use_cache=False, jobs=1)
    assert len(result.activities) == 1
    assert result.activities.iloc[0]["format"] == "fit"
    buckets = {e.source.rsplit("/", 1)[-1]: e for e in result.ledger}
    assert buckets["run.gpx"].bucket == "duplicate"
    assert "run.fit" in buckets["run.gpx"].reason


def test_partial_save_beside_full_file_keeps_the_full_one(tmp_path):
    full = make_run(T0, 12.0)
    part = make_run(T0, 7.0)  # same start, stopped early
    write_fit(full, tmp_path / "full.fit")
    write_fit(part, tmp_path / "part.fit")
    result = ingest([tmp_path], use_cache=False, jobs=1)
    assert _one(result)["distance_km"] == pytest.approx(12.0, abs=0.001)
    assert {e.bucket for e in result.ledger} == {"run", "duplicate"}


def test_truncated_fit_keeps_records_before_the_break(tmp_path):
    run = make_run(T0, 10.0, interval_s=1.0)
    full = write_fit(run, tmp_path / "full.fit").read_bytes()
    cut = tmp_path / "cut.fit"
    cut.write_bytes(full[: len(full) // 2])
    result = ingest([cut], use_cache=False, jobs=1)
    row = _one(result)
    entry = result.ledger[0]
    assert entry.bucket == "run"
    assert "truncated at byte" in entry.reason and "records kept" in entry.reason
    # about half the run survives, measured from the records
    assert 4.0 < row["distance_km"] < 6.0


def test_junk_file_is_skipped_with_a_reason_and_others_still_read(tmp_path):
    (tmp_path / "notes.fit").write_text("shopping list: eggs, milk")
    (tmp_path / "empty.gpx").write_bytes(b"")
    write_fit(make_run(T0, 5.0), tmp_path / "ok.fit")
    result = ingest([tmp_path], use_cache=False, jobs=1)
    reasons = {e.source.rsplit("/", 1)[-1]: (e.bucket, e.reason) for e in result.ledger}
    assert reasons["notes.fit"] == ("skipped", "not a FIT file (no FIT header)")
    assert reasons["empty.gpx"] == ("skipped", "empty file")
    assert reasons["ok.fit"][0] == "run"


def test_ride_and_non_activity_files_are_set_aside(tmp_path):
    write_fit(make_run(T0, 30.0, sport="cycling", pace_s_per_km=120), tmp_path / "ride.fit")
    write_fit_non_activity(tmp_path / "mon.fit", "monitoring")
    write_fit(make_run(T0 + timedelta(days=1), 5.0), tmp_path / "run.fit")
    result = ingest([tmp_path], use_cache=False, jobs=1)
    assert result.counts() == {
        "run": 1,
        "duplicate": 0,
        "other_sport": 1,
        "not_activity": 1,
        "skipped": 0,
    }


def test_treadmill_run_keeps_its_device_distance(tmp_path):
    run = make_run(T0, 8.0, gps=False, sub_sport="treadmill", base_altitude_m=None)
    row = _one(ingest([write_fit(run, tmp_path / "tm.fit")], use_cache=False, jobs=1))
    assert row["distance_km"] == pytest.approx(8.0, abs=0.001)
    assert row["sub_sport"] == "treadmill"
    assert np.isnan(row["descent_m"]) or row["descent_m"] == 0


def _strava_zip(tmp_path, runs):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        lines = ["Activity ID,Activity Date,Activity Name,Activity Type,Filename"]
        for i, (run, kind, typ) in enumerate(runs):
            local = tmp_path / f"{i}.{kind}"
            if kind == "gpx":
                write_gpx(run, local, activity_type=None)
            else:
                write_fit(run, local)
            data = gzip.compress(local.read_bytes(), mtime=0)
            zf.writestr(f"activities/{i}.{kind}.gz", data)
            lines.append(f"{i},x,x,{typ},activities/{i}.{kind}.gz")
        zf.writestr("activities.csv", "\n".join(lines) + "\n")
        zf.writestr("profile.csv", "a,b\n")
    path = tmp_path / "export_123.zip"
    path.write_bytes(buf.getvalue())
    return path


def test_strava_zip_read_in_place_with_activity_types_from_csv(tmp_path):
    runs = [
        (make_run(T0, 5.0), "gpx", "Run"),
        (make_run(T0 + timedelta(days=1), 20.0, pace_s_per_km=330), "gpx", "Ride"),
        (make_run(T0 + timedelta(days=2), 7.0), "fit", "Run"),
    ]
    path = _strava_zip(tmp_path, runs)
    for f in tmp_path.glob("[0-9].*"):
        f.unlink()
    before = sorted(p.name for p in tmp_path.iterdir())
    result = ingest([path], use_cache=False, jobs=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted
    assert result.counts()["run"] == 2
    assert result.counts()["other_sport"] == 1
    assert sorted(result.activities["distance_km"].round(1)) == [5.0, 7.0]
    assert all("export_123.zip!activities/" in e.source for e in result.ledger)


def test_garmin_nested_zip_with_non_activity_files(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a_run.fit", write_fit(make_run(T0, 9.0), tmp_path / "r.fit").read_bytes())
        zf.writestr(
            "mon.fit", write_fit_non_activity(tmp_path / "m.fit", "monitoring").read_bytes()
        )
        zf.writestr(
            "settings.fit", write_fit_non_activity(tmp_path / "s.fit", "settings").read_bytes()
        )
    outer = tmp_path / "garmin.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/x_summarizedActivities.json", "[]")
    result = ingest([outer], use_cache=False, jobs=1)
    assert result.counts()["run"] == 1
    assert result.counts()["not_activity"] == 2
    assert _one(result)["distance_km"] == pytest.approx(9.0, abs=0.001)


def test_weekly_table_has_every_week_and_the_contract_columns(tmp_path):
    write_fit(make_run(T0, 10.0, cadence_spm=170, cadence_sd=0), tmp_path / "w1.fit")
    write_fit(
        make_run(T0 + timedelta(days=2), 6.0, cadence_spm=160, cadence_sd=0), tmp_path / "w1b.fit"
    )
    write_fit(make_run(T0 + timedelta(days=21), 8.0), tmp_path / "w4.fit")
    result = ingest([tmp_path], use_cache=False, jobs=1)
    weekly = weekly_table(result.activities, result.cadence_hist)
    assert weekly["week_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
    ]
    assert weekly["runs"].tolist() == [2, 0, 0, 1]
    assert weekly["distance_km"].round(3).tolist() == [16.0, 0.0, 0.0, 8.0]
    assert weekly["long_run_km"].round(3).tolist() == [10.0, 0.0, 0.0, 8.0]
    # time-weighted median over running samples: the 10 km run has more time at 170
    assert weekly["cadence_spm"].iloc[0] == 170.0
    assert np.isnan(weekly["cadence_spm"].iloc[1])


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_nested_zip_is_read_through_a_window_or_a_spool(tmp_path, monkeypatch, compression):
    from runaudit.reading.sources import zipguard

    monkeypatch.setattr(zipguard, "SPOOL_BYTES", 1024)  # force the temp-file path when deflated
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            run = make_run(T0 + timedelta(days=i), 5.0 + i, interval_s=5.0, seed=i)
            zf.writestr(f"run{i}.fit", write_fit(run, tmp_path / f"{i}.fit").read_bytes())
    outer = tmp_path / "export.zip"
    with zipfile.ZipFile(outer, "w", compression=compression) as zf:
        zf.writestr("nested/parts.zip", inner.getvalue())
    for i in range(3):
        (tmp_path / f"{i}.fit").unlink()
    result = ingest([outer], use_cache=False, jobs=1)
    assert sorted(result.activities["distance_km"].round(3)) == [5.0, 6.0, 7.0]
    assert all(e.bucket == "run" for e in result.ledger)


def test_zip_without_activity_files_is_skipped_with_a_reason(tmp_path):
    path = tmp_path / "holiday.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("photo.jpg", b"\xff\xd8\xff" + b"0" * 100)
    result = ingest([path], use_cache=False, jobs=1)
    assert [(e.bucket, e.reason) for e in result.ledger] == [
        ("skipped", "zip holds no FIT, GPX or TCX files (1 other file passed over)")
    ]


def test_a_zip_rewritten_in_place_is_read_again(tmp_path):
    path = tmp_path / "export.zip"
    for km in (5.0, 8.0):
        run = make_run(T0, km, interval_s=5.0)
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(
                "inner.zip", _zip_bytes({"a.fit": write_fit(run, tmp_path / "a.fit").read_bytes()})
            )
        assert _one(ingest([path], use_cache=False, jobs=1))["distance_km"] == pytest.approx(km)


def _zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()
