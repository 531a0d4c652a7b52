"""Strava's activities.csv of every vintage and language, and the records' checks.

Every file here is built by the test (headers as the public importers cited in
:mod:`runaudit.reading.records.strava` show them; values invented).
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import UTC, datetime

import pandas as pd
import pytest
from click.testing import CliRunner

from runaudit.audit import load_export
from runaudit.cli import cli
from runaudit.reading.records import read_metadata
from runaudit.reading.records.garmin import read_summaries
from runaudit.reading.records.strava import (
    header_key,
    number,
    parse_date,
    read_activities,
    read_activities_csv,
)
from runaudit_demo.strava import HEADER_86 as MODERN

assert len(MODERN) == 86


def modern_row(
    aid: str, date: str, kind: str, km: str, *, metres: str = "", elapsed: str = "1800",
    filename: str = "", gear: str = "", gain: str = "", loss: str = "", dirt: str = ""
) -> list[str]:  # fmt: skip
    row = [""] * len(MODERN)
    row[0], row[1], row[2], row[3], row[5], row[6] = aid, date, "Run", kind, elapsed, km
    row[11], row[12], row[15], row[16], row[17] = gear, filename, elapsed, elapsed, metres
    row[20], row[21], row[81] = gain, loss, dirt
    return row


def write_csv(rows: list[list[str]], header: list[str] = MODERN, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


# --- vintages ---------------------------------------------------------------------------


def test_2018_ten_columns_distance_in_metres():
    text = (
        "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        "1,2014-09-12 16:54:28,Marathon,Run,,14400,43057.4,false,Blue,\n"
    )
    parsed = read_activities_csv(text, name="activities.csv")
    (row,) = parsed.records
    assert round(row.distance_km, 2) == 43.06
    assert row.start_utc == ts(2014, 9, 12, 16, 54, 28)
    assert row.elapsed_time_s == 14400 and row.gear == "Blue" and row.sport == "running"
    assert any("metres" in n for n in parsed.notes)


def test_2018_form_in_the_weekly_table(tmp_path):
    (tmp_path / "activities.csv").write_text(
        "id,date,name,type,description,elapsed_time,distance,commute,gear,filename\n"
        "1,2014-09-12 16:54:28,Marathon,Run,,14400,43057.4,false,Blue,\n"
    )
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    week = audit.weekly.iloc[0]
    assert str(week["week_start"].date()) == "2014-09-08"
    assert round(float(week["distance_km"]), 2) == 43.06


def test_horton_and_html_names_and_en_gb_dates():
    horton = "translation missing: en-GB.lib.export.portability_exporter.activities.horton_values"
    span = '<span class="translation_missing" title="translation missing: x.dirt_distance">'
    assert header_key(f"{horton}.start_time") == "start time"
    assert header_key(f"{span}Dirt Distance</span>") == "dirt distance"
    header = [*MODERN]
    header[44] = f"{horton}.type"
    header[81] = f"{span}Dirt Distance</span>"
    text = write_csv(
        [
            modern_row(
                "5", "22 May 2024, 08:19:26", "Trail Run", "12.5", metres="12500", dirt="9000"
            )
        ],
        header,
    )
    (row,) = read_activities_csv(text).records
    assert row.start_utc == ts(2024, 5, 22, 8, 19, 26)
    assert (row.distance_km, row.trail_km, row.sub_sport) == (12.5, 9.0, "trail")


# --- languages --------------------------------------------------------------------------

ITALIAN = (
    "ID attività,Data dell’attività,Nome attività,Tipo attività,Descrizione dell’attività,"
    "Tempo trascorso,Distanza,Attrezzatura attività,Nome del file\n"
)


def test_italian_by_name_decimal_comma_and_month_names():
    text = (
        ITALIAN + '1,"27 dic 2014, 16:27:28",Corsa serale,Corsa,,3000,"9,62",Scarpa,\n'
        '2,"11 ago 2014, 16:27:28",Giro,Camminata,,3000,"4,10",,\n'
    )
    run, walk = read_activities_csv(text).records
    assert run.distance_km == pytest.approx(9.62)
    assert run.start_utc == ts(2014, 12, 27, 16, 27, 28)
    assert (run.sport, run.gear, walk.sport) == ("running", "Scarpa", "walking")
    assert walk.start_utc == ts(2014, 8, 11, 16, 27, 28)


def test_italian_run_in_its_week(tmp_path):
    (tmp_path / "activities.csv").write_text(
        ITALIAN + '1,"27 dic 2014, 16:27:28",Corsa serale,Corsa,,3000,"9,62",Scarpa,\n',
        encoding="utf-8",
    )
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    (week,) = audit.weekly.to_dict("records")
    assert str(week["week_start"].date()) == "2014-12-22"  # the Monday before 27 Dec 2014
    assert week["distance_km"] == pytest.approx(9.62)
    assert audit.activities.iloc[0]["shoe"] == "Scarpa"


def test_localised_numbers():
    assert number("9,62") == 9.62 and number("1,073") == 1073.0
    assert number("1.050", ",") == 1050.0 and number("1.050,5", ",") == 1050.5
    assert number("1,050.5", ".") == 1050.5 and math.isnan(number("abc"))
    assert parse_date("7 Jan. 2025, 07:00:00") == parse_date("07.01.2025, 07:00:00")
    assert parse_date("Jan 7, 2025, 7:00:00 PM") == ts(2025, 1, 7, 19)
    assert math.isnan(parse_date("31 feb 2014, 10:00:00")) and math.isnan(parse_date("soon"))


UNKNOWN_HEADER = [f"Kolumn {i}" for i in range(len(MODERN))]  # names runaudit has no table for


def test_unknown_language_read_by_column_order_and_run_type(tmp_path):
    rows = [
        modern_row("1", "2 mar 2024, 07:00:00", "Sport 9", "10,00", metres="10000,0"),
        modern_row("2", "9 mar 2024, 07:00:00", "Sport 9", "12,00", metres="12000,0"),
        modern_row(
            "3", "9 mar 2024, 09:00:00", "Sport 1", "30,00", metres="30000,0", elapsed="10800"
        ),
    ]
    (tmp_path / "activities.csv").write_text(write_csv(rows, UNKNOWN_HEADER), encoding="utf-8")
    parsed = read_activities((tmp_path / "activities.csv").read_bytes(), "activities.csv")
    assert [r.distance_km for r in parsed.records] == [10.0, 12.0, 30.0]
    assert dict(parsed.unknown_types) == {"Sport 9": 2, "Sport 1": 1}
    assert any("column order" in n for n in parsed.notes)

    runner = CliRunner()
    plain = runner.invoke(cli, ["weekly", str(tmp_path), "--no-cache", "-j", "1"])
    assert plain.exit_code == 1  # no runs: the types are unknown
    unknown = [line for line in plain.output.splitlines() if "does not know" in line]
    assert len(unknown) == 1 and "'Sport 9' ×2" in unknown[0] and "--run-type" in unknown[0]
    declared = runner.invoke(
        cli, ["weekly", str(tmp_path), "--no-cache", "-j", "1", "--format", "csv",
               "--run-type", "Sport 9"],
    )  # fmt: skip
    assert declared.exit_code == 0, declared.output
    weekly = pd.read_csv(io.StringIO(declared.stdout))
    assert weekly["distance_km"].tolist() == [10.0, 12.0]
    config = tmp_path / "runaudit.toml"
    config.write_text('run_types = ["Sport 9", "Sport 1"]\n')
    both = runner.invoke(
        cli, ["weekly", str(tmp_path), "--no-cache", "-j", "1", "--format", "csv",
               "--config", str(config)],
    )  # fmt: skip
    assert pd.read_csv(io.StringIO(both.stdout))["distance_km"].tolist() == [10.0, 42.0]


def test_header_that_cannot_be_mapped_names_the_missing_columns():
    parsed = read_activities_csv("Kolumn 1,Kolumn 2\n1,2\n", name="a.csv")
    (line,) = parsed.problems.lines("a.csv")
    assert "start_utc, activity_type, distance_km, filename" in line and "2 columns" in line


def test_utf16_tab_separated_excel_unicode_text(tmp_path):
    text = write_csv([modern_row("1", "Jan 7, 2025, 7:00:00 AM", "Run", "6.20")], delimiter="\t")
    data = b"\xff\xfe" + text.encode("utf-16-le")
    (row,) = read_activities(data, "activities.csv").records
    assert (row.distance_km, row.start_utc) == (6.2, ts(2025, 1, 7, 7))
    bom8 = read_activities(
        ("\ufeff" + write_csv([modern_row("1", "x", "Run", "6.2")])).encode(), "a"
    )
    assert bom8.records[0].distance_km == 6.2


# --- checks -----------------------------------------------------------------------------


def _seven_runs() -> list[list[str]]:
    return [
        modern_row(str(i), f"Mar {i + 1}, 2024, 7:00:00 AM", "Run", "10.00", elapsed="3000")
        for i in range(1, 8)
    ]


def test_duplicates_counted_once(tmp_path):
    rows = _seven_runs()
    text = write_csv([*rows, rows[2], modern_row("4", "Mar 9, 2024, 7:00:00 AM", "Run", "9.0")])
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "activities.csv").write_text(text)
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert len(audit.activities) == 7
    assert audit.activities["distance_km"].sum() == pytest.approx(70.0)
    said = "\n".join(audit.ingest.metadata.problems)
    assert "read twice" in said and "activity ids listed twice" in said


def test_garmin_duplicates_and_year_3000(tmp_path):
    def entry(aid: int, day: int, year: int = 2024) -> dict[str, object]:
        start = ts(year, 3, day, 7) * 1000
        return {"activityId": aid, "activityType": "running", "startTimeGmt": start,
                "startTimeLocal": start + 3_600_000, "distance": 1_000_000.0,
                "duration": 3_000_000.0}  # fmt: skip

    doc = [{"summarizedActivitiesExport": [entry(i, i) for i in range(1, 8)]}]
    doc[0]["summarizedActivitiesExport"] += [entry(3, 3), entry(99, 20, year=3000)]
    folder = tmp_path / "DI_CONNECT" / "DI-Connect-Fitness"
    folder.mkdir(parents=True)
    for part in ("me_0_summarizedActivities.json", "me_1001_summarizedActivities.json"):
        (folder / part).write_text(json.dumps(doc))
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert len(audit.activities) == 7
    assert audit.activities["distance_km"].sum() == pytest.approx(70.0)
    assert audit.weekly["week_start"].astype(str).tolist() == ["2024-02-26", "2024-03-04"]
    said = "\n".join(audit.ingest.metadata.problems)
    assert "date before 1980 or after 2099" in said
    weeks = audit.ingest.metadata.service_weeks
    assert weeks["week_start"].dt.year.max() == 2024 and weeks["service_km"].sum() == 70.0


def test_out_of_range_dates_are_named_never_stretch_the_table(tmp_path):
    rows = [
        *_seven_runs(),
        modern_row("20", "Jan 1, 1970, 12:00:00 AM", "Run", "5.0"),
        modern_row("21", "Jan 1, 0001, 7:00:00 AM", "Run", "5.0"),
        modern_row("22", "Dec 31, 9999, 7:00:00 AM", "Run", "5.0"),
    ]
    (tmp_path / "activities.csv").write_text(write_csv(rows))
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert len(audit.activities) == 7 and len(audit.weekly) == 2
    said = "\n".join(audit.ingest.metadata.problems)
    assert "dates outside 1980-2099 (row used for sport only): 3" in said
    assert "'Jan 1, 1970, 12:00:00 AM'" in said


def test_absurd_numbers_set_aside_and_counted(tmp_path):
    rows = [
        *_seven_runs(),
        modern_row("30", "Mar 20, 2024, 7:00:00 AM", "Run", "1e308"),
        modern_row("31", "Mar 21, 2024, 7:00:00 AM", "Run", "1000000"),
        modern_row("32", "Mar 22, 2024, 7:00:00 AM", "Run", "-5"),
        modern_row("33", "Mar 23, 2024, 7:00:00 AM", "Run", "nan"),
    ]
    (tmp_path / "activities.csv").write_text(write_csv(rows))
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert len(audit.activities) == 7
    assert audit.weekly["distance_km"].max() < 100
    (line,) = [p for p in audit.ingest.metadata.problems if "set aside" in p]
    assert ": 4 (e.g." in line
    ledger = audit.ingest.ledger_frame()
    assert (ledger["bucket"] == "record").sum() == 4


def test_metres_read_as_km_detected_and_converted(tmp_path):
    rows = [
        modern_row(str(i), f"Mar {i}, 2024, 7:00:00 AM", "Run", str(7401 + i), elapsed="2400")
        for i in range(1, 6)
    ]
    (tmp_path / "activities.csv").write_text(write_csv(rows))
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert audit.activities["distance_km"].round(3).tolist() == [7.402, 7.403, 7.404, 7.405, 7.406]
    (note,) = [n for n in audit.ingest.metadata.notes if "metres read as km" in n]
    assert "5 runs" in note


def test_descent_no_run_can_hold_is_dropped(tmp_path):
    rows = [
        modern_row("1", "Mar 4, 2024, 7:00:00 AM", "Run", "5.30", gain="61", loss="495"),
        modern_row("2", "Mar 5, 2024, 7:00:00 AM", "Run", "5.30", gain="61", loss="80"),
    ]
    (tmp_path / "activities.csv").write_text(write_csv(rows))
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    assert math.isnan(audit.activities.iloc[0]["descent_m"])
    assert audit.activities.iloc[1]["descent_m"] == 80.0
    assert len(audit.activities) == 2


def test_400_missing_files_make_a_handful_of_lines(tmp_path):
    rows = [
        modern_row(str(i), f"Mar {1 + i % 28}, 2024, {1 + i % 12}:00:00 AM", "Run", "5.0",
                   filename=f"activities/{i}.fit.gz", elapsed=str(1800 + i))
        for i in range(400)
    ]  # fmt: skip
    (tmp_path / "activities.csv").write_text(write_csv(rows))
    result = CliRunner().invoke(cli, ["weekly", str(tmp_path), "--no-cache", "-j", "1"])
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) <= 5, lines
    assert any("file is not in the export, counted from the row: 400" in line for line in lines)


def test_garmin_reader_counts_bad_entries():
    doc = [{"summarizedActivitiesExport": [{"activityId": 1}, "x"]}]
    parsed = read_summaries(json.dumps(doc).encode(), "s.json")
    assert not parsed.records and sum(parsed.problems.counts.values()) == 2


def test_records_file_over_the_size_limit_is_named(tmp_path):
    (tmp_path / "activities.csv").write_text(write_csv(_seven_runs()))
    meta = read_metadata([tmp_path], max_bytes=100)
    assert not meta.records
    (line,) = meta.problems
    assert "activities.csv" in line and "limit" in line


def test_oversize_records_file_is_named_on_stderr(tmp_path):
    (tmp_path / "activities.csv").write_text(write_csv(_seven_runs()) + "x" * 2**20)
    result = CliRunner().invoke(
        cli, ["weekly", str(tmp_path), "--no-cache", "-j", "1", "--max-file-mb", "0.5"]
    )
    assert result.exit_code == 1  # no runs: the only records file was not read
    (line,) = [x for x in result.stderr.splitlines() if "activities.csv" in x]
    assert "1 MiB, over the 0.5 MiB limit for service records; not read" in line
