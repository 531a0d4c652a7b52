"""Hostile and unlucky inputs beyond the activity files (issue 19): the pain diary,
the cache index, CSV outputs, symlinks, options and config files.

Every input is built here in ``tmp_path``. Each test names the reproduction of
issue 19 it pins down.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from runaudit.advice.plan import plan_week_start
from runaudit.audit import load_export
from runaudit.cli import cli
from runaudit.errors import InputError
from runaudit.intake.pipeline import ingest
from runaudit.reading.cache import Cache
from runaudit.report import text as text_mod
from runaudit.thresholds import Thresholds
from runaudit.training.pain import diary_from_frame, parse_diary, read_diary
from runaudit_demo.synth import make_run, write_gpx

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
WEEKS = 4


def _export(folder: Path, weeks: int = WEEKS, km: float = 6.0) -> Path:
    """One GPX run each Monday from 2 Mar 2026 (the last in the week of 23 Mar for 4 weeks)."""
    folder.mkdir(parents=True, exist_ok=True)
    for week in range(weeks):
        run = make_run(MONDAY + timedelta(weeks=week), km, interval_s=10.0, seed=week)
        write_gpx(run, folder / f"run{week}.gpx")
    return folder


def _invoke(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def _one_error_line(result) -> str:
    """The single ``Error:`` line of a failed run (exit 1, no traceback)."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


# --------------------------------------------------------------------------- the diary (19.1)


def test_diary_date_that_is_not_iso_is_refused_with_its_line_not_guessed():
    diary = parse_diary("date,pain\n02/03/2026,4\n2026-03-02,3\n03.02.2026,2\n20260302,1\n")
    assert diary.entries["pain"].tolist() == [3.0]
    assert diary.problems == (
        "line 2: date '02/03/2026' is not an ISO date (YYYY-MM-DD); row skipped.",
        "line 4: date '03.02.2026' is not an ISO date (YYYY-MM-DD); row skipped.",
        "line 5: date '20260302' is not an ISO date (YYYY-MM-DD); row skipped.",
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("9999-01-01", "outside the years 1980 to 2099"),
        ("0001-01-01", "outside the years 1980 to 2099"),
        ("2262-04-12", "outside the years 1980 to 2099"),  # past pandas' nanosecond range
        ("1979-12-31", "outside the years 1980 to 2099"),
        ("2100-01-01", "outside the years 1980 to 2099"),
        ("2026-02-30", "not a day of the calendar"),
    ],
)
def test_diary_date_outside_the_activity_years_is_refused(text, why):
    diary = parse_diary(f"date,pain\n{text},5\n2026-03-02,3\n")
    assert diary.entries["date"].tolist() == [pd.Timestamp("2026-03-02")]
    assert diary.problems == (f"line 2: date {text!r} is {why}; row skipped.",)


def test_diary_years_at_the_bounds_are_kept():
    diary = parse_diary("date,pain\n1980-01-01,1\n2099-12-31,2\n2026-03-02T07:30,3\n")
    assert diary.problems == ()
    assert diary.entries["pain"].tolist() == [1.0, 3.0, 2.0]


@pytest.mark.parametrize("score", ["inf", "-inf", "nan", "1e308", "-0.5", "10.01", "", "1e-400x"])
def test_diary_score_must_be_finite_from_0_to_10(score):
    diary = parse_diary(f"date,pain\n2026-03-02,{score}\n2026-03-03,10\n2026-03-04,0\n")
    assert diary.entries["pain"].tolist() == [10.0, 0.0]
    assert len(diary.problems) == 1 and diary.problems[0].startswith("line 2: pain ")


def test_diary_frame_with_year_9999_objects_never_raises():
    frame = pd.DataFrame(
        {"date": [date(9999, 1, 1), datetime(2026, 3, 2, 8, 0), "2026-03-03"], "pain": [5, 3, 2]}
    )
    diary = diary_from_frame(frame)
    assert diary.entries["pain"].tolist() == [3.0, 2.0]
    assert diary.problems == (
        "line 2: date '9999-01-01' is outside the years 1980 to 2099; row skipped.",
    )


def test_diary_entry_in_9999_is_named_and_the_report_runs(tmp_path):
    export = _export(tmp_path / "export")
    (export / "pain.csv").write_text("date,pain\n9999-01-01,5\n2026-03-10,3\n", encoding="utf-8")
    result = _invoke("weekly", str(export), "--no-cache", "--jobs", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "line 2: date '9999-01-01' is outside the years 1980 to 2099" in result.stderr
    weekly = pd.read_csv(io.StringIO(result.stdout))
    assert weekly["week_start"].tolist() == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    assert weekly["pain_max"].tolist()[1] == 3.0


def test_outlying_diary_entry_is_named_and_never_stretches_the_table_or_the_plan(tmp_path):
    export = _export(tmp_path / "export")
    (export / "pain.csv").write_text(
        "date,pain\n2026-03-10,3\n2099-01-05,6\n2026-03-18,2\n", encoding="utf-8"
    )
    audit = load_export(export, use_cache=False, jobs=1)
    assert audit.weekly["week_start"].max() == pd.Timestamp("2026-03-23")
    assert len(audit.weekly) == WEEKS
    # the plan is the week after the audit's day (--as-of, today), never the diary's 2099
    assert audit.plan.week_start == plan_week_start(date.today())
    assert audit.pain.entries["pain"].tolist() == [3.0, 2.0]
    assert audit.pain.problems == (
        "line 3: 2099-01-05 is more than 26 weeks from every run (2026-03-02 to 2026-03-29);"
        " entry not counted.",
    )
    ledger = audit.ingest.ledger_frame().set_index("source")
    assert ledger.loc[str(export / "pain.csv"), "reason"] == (
        "pain diary, 2 entries (1 bad row skipped)"
    )
    result = _invoke("weekly", str(export), "--no-cache", "--jobs", "1", "--format", "csv")
    assert result.exit_code == 0
    assert "line 3: 2099-01-05 is more than 26 weeks from every run" in result.stderr
    assert result.stdout.count("\n") == 1 + WEEKS


@pytest.mark.parametrize(("weeks_after", "counted"), [(26, True), (27, False)])
def test_pain_gap_weeks_calibration_both_ways(tmp_path, weeks_after, counted):
    """A diary entry on the Sunday 26 weeks after the last run's week counts; a week later not."""
    export = _export(tmp_path / "export")
    last_week = pd.Timestamp("2026-03-23")
    day = last_week + pd.Timedelta(weeks=weeks_after, days=6)
    (export / "pain.csv").write_text(f"date,pain\n{day:%Y-%m-%d},4\n", encoding="utf-8")
    audit = load_export(export, use_cache=False, jobs=1)
    assert (len(audit.pain.entries) == 1) is counted
    expected_last = last_week + pd.Timedelta(weeks=weeks_after) if counted else last_week
    assert audit.weekly["week_start"].max() == expected_last
    # and before the first run, the same distance
    start = pd.Timestamp("2026-03-02") - pd.Timedelta(weeks=weeks_after)
    before = start if counted else start - pd.Timedelta(days=1)
    (export / "pain.csv").write_text(f"date,pain\n{before:%Y-%m-%d},4\n", encoding="utf-8")
    audit = load_export(export, use_cache=False, jobs=1)
    assert (len(audit.pain.entries) == 1) is counted


def test_pain_gap_weeks_is_a_threshold():
    assert Thresholds().pain_gap_weeks == 26
    assert Thresholds().replace(pain_gap_weeks=52.0).pain_gap_weeks == 52


def test_diary_with_wrong_headers_names_the_file_and_the_missing_columns(tmp_path):
    path = tmp_path / "pain.csv"
    path.write_text("day,score\n2026-03-02,3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_diary(path)
    message = str(info.value)
    assert message.startswith(f"{path}: a pain diary needs the column(s) date, pain")
    assert "day" not in message and "score" not in message  # the file's content is not echoed


def test_diary_error_never_echoes_the_file_content(tmp_path):
    """A pain.csv linked to a file of secrets (/proc/self/environ in the issue)."""
    secret = tmp_path / "environ"
    secret.write_bytes(b"AWS_SECRET=hunter2\x00HOME=/root\x00")
    export = _export(tmp_path / "export", weeks=1)
    result = _invoke("weekly", str(export), "--no-cache", "--pain", str(secret))
    line = _one_error_line(result)
    assert "hunter2" not in result.output and "AWS_SECRET" not in result.output
    assert str(secret) in line


# --------------------------------------------------------------------------- the cache (19.1, 19.7)


def _rewrite_index(cache_dir: Path, change) -> None:
    index = Cache(cache_dir).index_path
    rows = pq.read_table(index).to_pylist()
    for row in rows:
        summaries = json.loads(row["summaries"])
        for summary in summaries:
            change(summary)
        row["summaries"] = json.dumps(summaries)
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(index)), index)


@pytest.mark.parametrize("start", [253_402_300_800.0, -62_135_596_800.0, 1e300])
def test_out_of_range_rows_in_the_cache_index_never_raise(tmp_path, start):
    export = _export(tmp_path / "export", weeks=2)
    cache_dir = tmp_path / "cache"
    first = ingest([export], cache_dir=cache_dir, jobs=1)

    def shift(summary):
        summary["start_utc"], summary["end_utc"] = start, start + 1800

    _rewrite_index(cache_dir, shift)
    again = ingest([export], cache_dir=cache_dir, jobs=1)
    assert again.parsed == 2  # the row was not trusted: parsed again
    pd.testing.assert_frame_equal(first.activities, again.activities)


def test_cache_files_follow_the_umask(tmp_path):
    export = _export(tmp_path / "export", weeks=1)
    old = os.umask(0o022)
    try:
        ingest([export], cache_dir=tmp_path / "cache", jobs=1)
    finally:
        os.umask(old)
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_cache_folder_that_cannot_be_written_is_named_once_and_the_run_completes(tmp_path):
    export = _export(tmp_path / "export", weeks=2)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = _invoke(
        "weekly", str(export), "--cache-dir", str(blocker / "cache"), "--jobs", "1", "--format",
        "csv",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 3
    warnings = [line for line in result.stderr.splitlines() if "cannot be written" in line]
    assert warnings == [
        f"warning: {blocker / 'cache'}: the cache folder cannot be written (Not a directory);"
        " nothing parsed in this run is kept for the next."
    ]


def test_full_cache_folder_is_named_once_and_the_run_completes(tmp_path, monkeypatch):
    import errno

    import runaudit.reading.cache as cache_mod

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(cache_mod.pq, "write_table", full)
    export = _export(tmp_path / "export", weeks=3)
    result = ingest([export], cache_dir=tmp_path / "cache", jobs=1)
    assert len(result.activities) == 3
    lines = [line for line in result.summary_lines() if "cannot be written" in line]
    assert lines == [
        f"warning: {tmp_path / 'cache'}: the cache folder cannot be written"
        " (No space left on device); nothing parsed in this run is kept for the next."
    ]


# --------------------------------------------------------------------------- CSV injection (19.4)

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\tTAB", "\rCR"]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_cell_prefixes_a_quote(value):
    assert text_mod.neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-3.5", "+7", "-1e3", -2.0, 5, None, "Pegasus", "", "a=b"])
def test_neutralise_cell_leaves_numbers_and_plain_text(value):
    assert text_mod.neutralise_cell(value) == value


def test_to_csv_neutralises_text_cells_and_leaves_negative_numbers():
    frame = pd.DataFrame({"shoe": HOSTILE, "descent_m": [-1.0, 2.0, -3.0, 4.0, 5.0, 6.0]})
    lines = text_mod.to_csv(frame).split("\n")  # Python 3.11's csv leaves a lone \r unquoted
    assert lines[0] == "shoe,descent_m" and lines[-1] == ""
    cells = [line.rsplit(",", 1) for line in lines[1:-1]]
    assert [c[0].strip('"').replace('""', '"') for c in cells] == ["'" + t for t in HOSTILE]
    assert [c[1] for c in cells] == ["-1.0", "2.0", "-3.0", "4.0", "5.0", "6.0"]
    assert not any(c[0].startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


def _strava_export(folder: Path, gear: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "activities").mkdir()
    write_gpx(make_run(MONDAY, 8.0, interval_s=10.0), folder / "activities" / "1.gpx")
    header = "Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename,Distance"
    when = MONDAY.strftime("%b %-d, %Y, %-I:%M:%S %p")
    rows = [
        header,
        f'1,"{when}",Morning,Run,"{gear}",activities/1.gpx,8.0',
        f'2,"{(MONDAY + timedelta(days=2)).strftime("%b %-d, %Y, %-I:%M:%S %p")}",Manual,Run,'
        f'"{gear}",,5.0',
    ]
    (folder / "activities.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_activities_csv_on_stdout_neutralises_a_formula_shoe_and_file_name(tmp_path):
    export = _strava_export(tmp_path / "export", "=HYPERLINK(1)")
    (tmp_path / "=cmd.gpx").write_bytes((export / "activities" / "1.gpx").read_bytes())
    result = _invoke(
        "activities",
        "export",
        "=cmd.gpx",
        "--no-cache",
        "--jobs",
        "1",
        "--format",
        "csv",
        cwd=tmp_path,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["shoe"] for r in rows} == {"'=HYPERLINK(1)"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row


def test_report_csv_files_neutralise_formula_cells(tmp_path):
    export = _strava_export(tmp_path / "export", "+cmd|' /C calc'!A0")
    (tmp_path / "@evil.gpx").write_bytes((export / "activities" / "1.gpx").read_bytes())
    out = tmp_path / "out"
    result = _invoke(
        "report",
        "export",
        "@evil.gpx",
        "--no-cache",
        "--jobs",
        "1",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert result.exit_code == 0, result.output
    for name in ("activities.csv", "ingest.csv", "weekly.csv"):
        for row in csv.reader(io.StringIO((out / name).read_text(encoding="utf-8"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, row)
                if cell.startswith("-"):
                    float(cell)  # only numbers may start with a minus
    text = (out / "activities.csv").read_text(encoding="utf-8")
    assert "'+cmd|' /C calc'!A0" in text
    assert "'@evil.gpx" in (out / "ingest.csv").read_text(encoding="utf-8")


# ------------------------------------------------------------------ options and config (19.7)

SAMPLE = str(Path(__file__).resolve().parent.parent / "sample_data")


def _config(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"[thresholds]\nx = " + b"[" * 50_000 + b"]" * 50_000 + b"\n", "nested too deeply"),
        (b"a = " + b"{b = " * 50_000 + b"1" + b"}" * 50_000 + b"\n", "nested too deeply"),
        ("[thresholds]\nacwr_warning = 1.2 # café\n".encode("latin-1"), "not UTF-8 text"),
        (b"[thresholds]\n" + b"#" * (2**20 + 10) + b"\n", "larger than 1 MB"),
        (b"[thresholds]\nacwr_warning = " + b"9" * 500 + b"\n", "a number of 500 digits"),
    ],
    ids=["arrays-50000-deep", "tables-50000-deep", "latin-1", "over-1-MB", "500-digit-int"],
)
def test_hostile_config_file_gives_one_error_line(tmp_path, data, why):
    path = _config(tmp_path, data)
    line = _one_error_line(_invoke("weekly", SAMPLE, "-q", "--no-cache", "--config", path))
    assert line.startswith(f"Error: {path}: ") and why in line


def test_config_that_never_ends_is_refused_without_reading_it_all():
    line = _one_error_line(_invoke("weekly", SAMPLE, "-q", "--no-cache", "--config", "/dev/zero"))
    assert line == (
        "Error: /dev/zero: the config file is larger than 1 MB;"
        " a [thresholds] table is a few lines."
    )


@pytest.mark.parametrize("name", ["A" * 5000, "Europe/" + "x" * 300, "../../etc/passwd", "a\x00b"])
def test_hostile_time_zone_gives_one_short_error_line(name):
    line = _one_error_line(_invoke("weekly", SAMPLE, "-q", "--no-cache", "--tz", name))
    assert line.startswith("Error: unknown time zone ") and len(line) < 200


@pytest.mark.parametrize(
    "setting", ["long_run_window_days=1e18", "pain_gap_weeks=1e9", "chronic_weeks=1e400"]
)
def test_huge_whole_number_threshold_gives_one_error_line(setting):
    line = _one_error_line(_invoke("weekly", SAMPLE, "-q", "--no-cache", "--set", setting))
    assert setting.split("=")[0] in line


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_pain_diary_that_is_not_a_regular_file_is_refused(tmp_path, target):
    if target == "fifo":
        target = str(tmp_path / "fifo")
        os.mkfifo(target)
    line = _one_error_line(_invoke("weekly", SAMPLE, "-q", "--no-cache", "--pain", target))
    assert line == f"Error: {target}: is not a regular file, so not a pain diary CSV."


@pytest.mark.parametrize(
    "option",
    [
        ("--max-file-mb", "inf"),
        ("--max-file-mb", "nan"),
        ("--max-total-gb", "1e308"),
        ("--max-member-mb", "nan"),
        ("--file-timeout", "inf"),
        ("--max-zip-ratio", "nan"),
    ],
)
def test_limit_options_refuse_infinite_and_nan(option):
    result = _invoke("weekly", SAMPLE, "-q", "--no-cache", *option)
    assert result.exit_code == 2, result.output  # click's usage error, before any reading
    assert f"Invalid value for '{option[0]}'" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ roster isolation (19.2)


def _roster(tmp_path: Path) -> Path:
    athletes = tmp_path / "athletes"
    for name in ("ana", "bo", "cy", "dee"):
        _export(athletes / name, weeks=2)
    (athletes / "bo" / "pain.csv").write_text("day,score\n2026-03-03,4\n", encoding="utf-8")
    (athletes / "cy" / "pain.csv").write_text(
        "date,pain\n9999-01-01,6\n2026-03-03,4\n", encoding="utf-8"
    )
    (athletes / "dee.zip").write_bytes(b"PK\x03\x04 not a zip at all")
    return athletes


def test_roster_athlete_with_a_bad_diary_fails_alone(tmp_path):
    athletes = _roster(tmp_path)
    out = tmp_path / "out"
    result = _invoke(
        "report", str(athletes), "--roster", "--out", str(out), "--no-cache", "-j", "1"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"bo: failed: {athletes / 'bo' / 'pain.csv'}: a pain diary needs the column(s)" in (
        result.stdout
    )
    for name in ("ana", "cy", "dee"):
        assert (out / name / "index.html").exists(), name
    assert not (out / "bo").exists()
    assert "dee.zip: no runs" in lines  # beside the folder dee/, under its full name
    assert "line 2: date '9999-01-01' is outside the years 1980 to 2099" in result.stderr
    assert "== bo\nwarning: " in result.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "a pain diary needs the column(s) date, pain" in page
    assert "zip could not be opened" in result.stderr or "not a zip" in result.stderr


def test_roster_athlete_whose_audit_breaks_fails_alone(tmp_path, monkeypatch):
    """Any error met in one athlete's data (here a bug forced in the audit) is that
    athlete's line; the others are audited and written."""
    import runaudit.cohort as cohort

    real = cohort.audit_ingest

    def audit_ingest(result, *args, **kwargs):
        if any("/cy/" in entry.source for entry in result.ledger):
            raise OverflowError("Out of bounds nanosecond timestamp: 9999-01-01 00:00:00")
        return real(result, *args, **kwargs)

    monkeypatch.setattr(cohort, "audit_ingest", audit_ingest)
    athletes = tmp_path / "athletes"
    for name in ("ana", "cy"):
        _export(athletes / name, weeks=2)
    roster = cohort.load_roster(athletes, jobs=1, use_cache=False)
    assert list(roster.audits) == ["ana"]
    assert roster.errors == {
        "cy": "could not be audited (OverflowError: Out of bounds nanosecond timestamp:"
        " 9999-01-01 00:00:00)"
    }
    from runaudit.report.roster_page import write_roster

    page, rows = write_roster(roster, tmp_path / "out")
    assert [(r.name, r.failed) for r in rows] == [("ana", False), ("cy", True)]
    assert (tmp_path / "out" / "ana" / "index.html").exists()
    assert "could not be audited (OverflowError" in page.read_text(encoding="utf-8")


def test_roster_athlete_whose_report_cannot_be_written_fails_alone(tmp_path, monkeypatch):
    import runaudit.report.roster_page as roster_page
    from runaudit.cohort import load_roster

    real = roster_page.write_report

    def write_report(audit, out, **kwargs):
        if Path(out).name == "ana":
            raise TypeError("float() argument must be a string or a real number, not 'NoneType'")
        return real(audit, out, **kwargs)

    monkeypatch.setattr(roster_page, "write_report", write_report)
    athletes = tmp_path / "athletes"
    for name in ("ana", "bo"):
        _export(athletes / name, weeks=2)
    page, rows = roster_page.write_roster(
        load_roster(athletes, jobs=1, use_cache=False), tmp_path / "out"
    )
    assert {r.name: r.failed for r in rows} == {"ana": True, "bo": False}
    assert (tmp_path / "out" / "bo" / "index.html").exists()
    assert "report not written: could not be audited (TypeError" in page.read_text(encoding="utf-8")


# ------------------------------------------------------------------ symlinks (19.5)


def test_symlinks_leaving_the_export_are_named_and_not_followed(tmp_path):
    export = _export(tmp_path / "export", weeks=1)
    elsewhere = _export(tmp_path / "elsewhere", weeks=3)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "environ").write_bytes(b"AWS_SECRET=hunter2\x00")
    (export / "linked_run.gpx").symlink_to(elsewhere / "run1.gpx")
    (export / "linked_folder").symlink_to(elsewhere, target_is_directory=True)
    (export / "pain.csv").symlink_to(secrets / "environ")
    (export / "inside.gpx").symlink_to(export / "run0.gpx")  # stays inside: read (a duplicate)
    result = _invoke("weekly", str(export), "--no-cache", "-j", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 2  # one week, the export's own run
    refused = [line for line in result.stderr.splitlines() if "symbolic link" in line]
    assert refused == [
        f"skipped: {export / name}: symbolic link leading outside the export; not followed"
        " (--follow-symlinks)"
        for name in ("linked_folder", "linked_run.gpx", "pain.csv")
    ]
    assert "hunter2" not in result.output and "AWS_SECRET" not in result.output


def test_follow_symlinks_reads_a_coachs_folder_of_links(tmp_path):
    """A coach's roster of links to each athlete's export, and inside an athlete's folder
    a link to a folder of runs kept elsewhere (silently skipped before)."""
    store = tmp_path / "store"
    _export(store / "ana-export", weeks=2)
    _export(store / "ana-more", weeks=4)
    (store / "ana-export" / "more").symlink_to(store / "ana-more", target_is_directory=True)
    _export(store / "bo-export", weeks=3)
    (store / "bo-export" / "pain.csv").write_text("date,pain\n2026-03-04,6\n", encoding="utf-8")
    coach = tmp_path / "coach"
    coach.mkdir()
    (coach / "ana").symlink_to(store / "ana-export", target_is_directory=True)
    (coach / "bo").symlink_to(store / "bo-export", target_is_directory=True)
    out = tmp_path / "out"
    args = ["report", str(coach), "--roster", "--out", str(out), "--no-cache", "-j", "1"]
    plain = _invoke(*args)
    assert plain.exit_code == 0, plain.output
    assert "more: symbolic link leading outside the export" in plain.stderr
    followed = _invoke(*args, "--follow-symlinks")
    assert followed.exit_code == 0, followed.output
    assert "symbolic link" not in followed.stderr
    weekly = pd.read_csv(out / "ana" / "weekly.csv")
    assert weekly["runs"].tolist() == [1, 1, 1, 1]  # weeks 3 and 4 come through the link only
    assert weekly["distance_km"].round(1).tolist() == [6.0, 6.0, 6.0, 6.0]
    assert pd.read_csv(out / "bo" / "weekly.csv")["pain_max"].tolist()[0] == 6.0


def test_symlinked_files_inside_the_export_are_read_once(tmp_path):
    export = _export(tmp_path / "export", weeks=2)
    (export / "sub").mkdir()
    (export / "sub" / "again.gpx").symlink_to(export / "run1.gpx")
    (export / "loop").symlink_to(export, target_is_directory=True)  # a loop: entered once
    result = ingest([export], use_cache=False, jobs=1)
    assert len(result.activities) == 2
    assert sum(result.counts().values()) == 2
