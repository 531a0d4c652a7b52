"""Service records of an export: Strava activities.csv, Garmin summaries, shoes, surfaces."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from runaudit.audit import load_export
from runaudit.reading.records.garmin import read_summaries
from runaudit.reading.records.strava import parse_strava_csv, read_activities_csv
from runaudit.rules import find_shoe_changes, find_surface_changes
from runaudit_demo import synth

HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Gear,Filename,Elapsed Time,"
    "Moving Time,Distance,Elevation Gain,Elevation Loss,Average Cadence,Dirt Distance"
)
MONDAY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def _row(aid, when, name, kind, km, gear, filename, loss="", cadence=""):
    date = when.strftime("%b %-d, %Y, %-I:%M:%S %p")
    secs = int(km * 330)
    return (
        f'{aid},"{date}",{name},{kind},,{secs},"{km:.2f}",,,false,{gear},{filename},'
        f"{secs}.0,{secs}.0,{km * 1000:.1f},10,{loss},{cadence},0.0"
    )


def _fit(when, km, sub="generic"):
    return synth.fit_bytes(synth.make_run(when, km, interval_s=5.0, sub_sport=sub, seed=1))


@pytest.fixture
def strava_zip(tmp_path):
    path = tmp_path / "export_1.zip"
    rows = [HEADER]
    with zipfile.ZipFile(path, "w") as z:
        for i, day in enumerate((1, 3)):
            when = MONDAY + timedelta(days=day)
            z.writestr(f"activities/{i}.fit", _fit(when, 8.0))
            rows.append(_row(i, when, "Run", "Run", 8.0, "Pegasus", f"activities/{i}.fit"))
        rows.append(
            _row(
                7,
                MONDAY + timedelta(days=4),
                "Treadmill",
                "Virtual Run",
                6.2,
                "Pegasus",
                "",
                loss="0",
                cadence="85",
            )
        )
        z.writestr("activities/9.fit", b"\x0e\x10garbage-not-a-fit-file" * 4)
        rows.append(
            _row(9, MONDAY + timedelta(days=5), "Broken", "Run", 10.0, "Nova", "activities/9.fit")
        )
        rows.append(_row(11, MONDAY + timedelta(days=6), "Ride", "Ride", 40.0, "", ""))
        z.writestr("activities.csv", "\n".join(rows) + "\n")
    return path


def test_strava_manual_and_failed_file_runs_count(strava_zip):
    audit = load_export(strava_zip, use_cache=False, jobs=1)
    acts = audit.activities
    assert len(acts) == 4
    week = audit.weekly.iloc[0]
    assert week["runs"] == 4
    assert week["distance_km"] == pytest.approx(8.0 + 8.0 + 6.2 + 10.0, abs=0.01)
    assert week["treadmill_km"] == pytest.approx(6.2)
    manual = acts[acts["origin"] == "strava_manual"].iloc[0]
    assert manual["distance_km"] == pytest.approx(6.2)
    assert manual["surface"] == "treadmill"
    assert acts[acts["origin"] == "strava_row"].iloc[0]["distance_km"] == pytest.approx(10.0)
    assert list(acts["shoe"]) == ["Pegasus", "Pegasus", "Pegasus", "Nova"]
    # cadence median from the two FIT files only (170 spm), not the manual 170 either way
    assert week["cadence_spm"] == pytest.approx(170, abs=2)
    account = audit.ingest.metadata
    assert (account.matched, account.manual_added, account.file_failed, account.other_sport) == (
        2,
        1,
        1,
        1,
    )
    broken = next(e for e in audit.ingest.ledger if e.source.endswith("9.fit"))
    assert broken.bucket == "skipped" and "still counted as a run" in broken.reason


def test_shoes_table_in_the_library_and_the_report(strava_zip, tmp_path):
    with zipfile.ZipFile(strava_zip, "a") as z:
        z.writestr(
            "shoes.csv",
            "Shoe Name,Shoe Brand,Shoe Model,Shoe Default Sport Types\n"
            "Pegasus,Nike,Pegasus 40,Run\nNova,Brooks,Nova,\nSpare <b>pair</b>,,,\n",
        )
    audit = load_export(strava_zip, use_cache=False, jobs=1)
    shoes = audit.shoes
    assert list(shoes["shoe"]) == ["Nova", "Pegasus", "Spare <b>pair</b>"]
    nova, pegasus, spare = (shoes.iloc[i] for i in range(3))
    assert (nova["runs"], nova["distance_km"]) == (1, 10.0)
    assert (pegasus["runs"], pegasus["first_run"]) == (3, f"{MONDAY + timedelta(days=1):%Y-%m-%d}")
    assert pegasus["distance_km"] == pytest.approx(22.2)
    assert (spare["runs"], spare["first_run"]) == (0, "")
    from runaudit.report.writer import write_report

    files = write_report(audit, tmp_path / "out", title="shoes")
    page = files.index.read_text()
    assert "<td>Spare &lt;b&gt;pair&lt;/b&gt;</td>" in page and "<b>pair</b>" not in page


def test_cli_columns(strava_zip):
    from click.testing import CliRunner

    from runaudit.cli import cli

    out = CliRunner().invoke(cli, ["activities", str(strava_zip), "--format", "csv", "--no-cache"])
    header = out.stdout.splitlines()[0].split(",")
    assert {"shoe", "surface", "origin"} <= set(header)
    out = CliRunner().invoke(cli, ["weekly", str(strava_zip), "--format", "csv", "--no-cache"])
    assert {"trail_km", "treadmill_km"} <= set(out.stdout.splitlines()[0].split(","))


def _summary(aid, when, cm, kind):
    ms = int(when.timestamp() * 1000)
    return {
        "activityId": aid,
        "name": "Run",
        "activityType": kind,
        "startTimeGmt": ms,
        "startTimeLocal": ms + 3600_000,
        "distance": cm,
        "duration": 1800_000.0,
        "movingDuration": 1790_000.0,
        "elevationLoss": 1234.0,
        "avgDoubleCadence": 172.0,
    }


def test_garmin_summaries_matched_once_and_summary_only(tmp_path):
    fit_start = MONDAY + timedelta(days=1)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("me_1.fit", _fit(fit_start, 7.0))
    doc = [
        {
            "summarizedActivitiesExport": [
                _summary(1, fit_start + timedelta(seconds=20), 700_000.0, "running"),
                _summary(2, MONDAY + timedelta(days=3), 620_000.0, "trail_running"),
                _summary(3, MONDAY + timedelta(days=4), 2_000_000.0, "cycling"),
            ]
        }
    ]
    path = tmp_path / "garmin.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
        z.writestr("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json", json.dumps(doc))
        z.writestr("DI_CONNECT/DI-Connect-Fitness/me_gear.json", "[]")
    audit = load_export(path, use_cache=False, jobs=1)
    assert len(audit.activities) == 2
    only = audit.activities[audit.activities["origin"] == "garmin_summary"].iloc[0]
    assert only["distance_km"] == pytest.approx(6.2)
    assert only["descent_m"] == pytest.approx(12.34)
    assert only["utc_offset_s"] == 3600
    assert audit.weekly.iloc[0]["trail_km"] == pytest.approx(6.2)
    assert audit.weekly.iloc[0]["distance_km"] == pytest.approx(13.2, abs=0.01)
    m = audit.ingest.metadata
    assert (m.garmin_matched, m.garmin_added, m.other_sport) == (1, 1, 1)
    assert any("gear" in line for line in m.lines())


def test_hostile_metadata():
    deep = read_summaries(b"[" * 5000 + b"]" * 5000, "deep.json")
    assert not deep.records and "nested more than 32" in deep.problems.lines("deep.json")[0]
    cut = read_summaries(b'[{"summarizedActivitiesExport": [', "cut.json")
    assert "not valid JSON" in cut.problems.lines("cut.json")[0]
    text = (
        HEADER + "\n" + _row(1, MONDAY, "ok", "Run", 5.0, "A", "") + '\n1,"' + "x" * 200_000 + '"\n'
    )
    parsed = read_activities_csv(text + _row(2, MONDAY, "ok2", "Run", 6.0, "A", "") + "\n")
    assert [r.distance_km for r in parsed.records] == [5.0, 6.0]
    assert parsed.problems.counts
    assert parse_strava_csv("Activity ID,Activity Type,Filename\n1,Run,activities/1.fit.gz\n") == {
        "1.fit": "Run"
    }


def test_german_headers_decimal_commas():
    text = (
        "Aktivitäts-ID,Aktivitätsdatum,Aktivitätsname,Aktivitätsart,Distanz,Dateiname\n"
        '1,"07.01.2025, 07:00:00",Lauf,Lauf,"6,2",\n'
    )
    row = read_activities_csv(text).records[0]
    assert row.distance_km == pytest.approx(6.2)
    assert row.start_utc == datetime(2025, 1, 7, 7, tzinfo=UTC).timestamp()


def _acts(weeks):
    rows = []
    for w, runs in enumerate(weeks):
        for shoe, km in runs:
            rows.append(
                {
                    "week_start": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=w),
                    "shoe": shoe,
                    "distance_km": km,
                }
            )
    return pd.DataFrame(rows)


def test_shoe_change_calibration():
    sudden = _acts([[("Old", 10), ("Old", 10)]] * 3 + [[("New", 15), ("Old", 5)]])
    found = find_shoe_changes(sudden)
    assert [(f.week_start.isoformat(), f.evidence["shoe"], f.evidence["share"]) for f in found] == [
        ("2026-01-26", "New", 0.75)
    ]
    gradual = _acts(
        [[("Old", 10), ("Old", 10)]] * 3
        + [[("New", 4), ("Old", 16)]]
        + [[("New", 10), ("Old", 10)]] * 2
    )
    assert find_shoe_changes(gradual) == []


def _weekly(trail, treadmill=None, km=40.0):
    n = len(trail)
    return pd.DataFrame(
        {
            "week_start": pd.date_range("2026-01-05", periods=n, freq="7D"),
            "distance_km": [km] * n,
            "trail_km": [km * s for s in trail],
            "treadmill_km": [km * s for s in (treadmill or [0.0] * n)],
        }
    )


def test_surface_change_calibration():
    assert find_surface_changes(_weekly([0.5] * 10)) == []
    jump = find_surface_changes(_weekly([0.0] * 6 + [0.75, 0.75, 0.75]))
    assert [f.week_start.isoformat() for f in jump] == ["2026-02-16"]
    assert jump[0].evidence["share"] == 0.75
    back = find_surface_changes(_weekly([0.0] * 7, treadmill=[1.0] * 5 + [0.0, 0.0]))
    assert [(f.week_start.isoformat(), f.evidence["surface"]) for f in back] == [
        ("2026-02-09", "road after treadmill")
    ]


def test_strava_row_whose_file_is_elsewhere_counts_once(tmp_path):
    """A Strava row naming an upload that is not in the folder, while the watch's copy
    of the same run is: one run, with the row's shoe and Trail Run surface; a Garmin
    summary that only says "running" does not turn it back into road."""
    when = MONDAY + timedelta(days=1)
    (tmp_path / "watch").mkdir()
    (tmp_path / "watch" / "2026-01-06-07-00-00.fit").write_bytes(_fit(when, 8.0))
    rows = [
        HEADER,
        _row(5, when + timedelta(seconds=40), "Trails", "Trail Run", 8.0, "Speedgoat",
             "activities/5.fit.gz"),
        _row(6, when + timedelta(days=2), "Far away", "Run", 9.0, "Speedgoat",
             "activities/6.fit.gz"),
    ]  # fmt: skip
    (tmp_path / "activities.csv").write_text("\n".join(rows) + "\n")
    doc = [{"summarizedActivitiesExport": [_summary(1, when, 800_000.0, "running")]}]
    (tmp_path / "x_0_summarizedActivities.json").write_text(json.dumps(doc))
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    acts = audit.activities
    assert acts["origin"].tolist() == ["file", "strava_row"]
    assert acts["distance_km"].round(1).tolist() == [8.0, 9.0]
    assert acts["shoe"].tolist() == ["Speedgoat", "Speedgoat"]
    assert acts["surface"].tolist() == ["trail", "road"]
    m = audit.ingest.metadata
    assert (m.matched, m.file_failed, m.garmin_matched, m.garmin_added) == (1, 1, 1, 0)
    assert audit.weekly.iloc[0]["distance_km"] == pytest.approx(17.0, abs=0.05)
    assert audit.weekly.iloc[0]["trail_km"] == pytest.approx(8.0, abs=0.05)


def test_metadata_in_zips_passes_the_zip_guards(tmp_path):
    """Service files in an export zip meet the same guards as activity files: a zip
    bomb, a zip-slip name and an oversized member are refused with a reason, the good
    activities.csv beside them is read; a zip listing too many members is not opened."""
    from runaudit.reading.records import read_metadata
    from runaudit.reading.sources import Limits

    good = HEADER + "\n" + _row(1, MONDAY, "ok", "Run", 5.0, "A", "") + "\n"
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/activities.csv", good)
        z.writestr("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json", b" " * 2**23)
        z.writestr("../../shoes.csv", "Shoe Name\nEvil\n")
        z.writestr("big/shoes.csv", "Shoe Name\n" + "x" * 3000 + "\n")
    meta = read_metadata([path], limits=Limits(max_file_bytes=2000, max_ratio=200))
    assert [row.name for row in meta.records] == ["ok"]
    assert meta.shoes == []
    problems = "\n".join(meta.problems)
    assert "me_0_summarizedActivities.json declares 8 MiB compressed" in problems
    assert "zip bomb pattern" in problems
    assert "../../shoes.csv: zip member name points outside the archive (zip-slip)" in problems
    assert "big/shoes.csv declares 0 MiB, over the 0 MiB file limit" in problems
    assert len(meta.problems) == 3
    # more members than allowed: refused before zipfile reads the directory
    assert read_metadata([path], limits=Limits(max_zip_members=3)).records == []


def test_samples_of_a_manual_run_say_why_there_are_none(strava_zip):
    audit = load_export(strava_zip, use_cache=False, jobs=1)
    manual = audit.activities[audit.activities["origin"] == "strava_manual"].iloc[0]
    with pytest.raises(KeyError, match="no samples: it comes from the export's own records"):
        audit.ingest.samples(manual["activity_id"])
    with pytest.raises(KeyError, match="unknown activity_id"):
        audit.ingest.samples("nope")
