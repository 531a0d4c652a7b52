"""The command line: exact outputs, exit codes, stdout/stderr separation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from runaudit.cli import cli
from runaudit_demo.synth import make_run, write_fit

SAMPLE = str(Path(__file__).resolve().parent.parent / "sample_data")
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_weekly_csv():
    return invoke("weekly", SAMPLE, "--format", "csv", "--no-cache")


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help, name
        result = invoke(name, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_weekly_csv_prints_only_the_table_on_stdout(sample_weekly_csv):
    result = sample_weekly_csv
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "week_start,runs,distance_km,moving_time_s,long_run_km,ascent_m,descent_m,downhill_km,cadence_spm"
    )
    assert len(lines) == 21  # header + 20 weeks
    assert lines[1].startswith("2026-05-04,4,")
    # the summary and the skipped junk file go to stderr
    assert "notes.fit: not a FIT file" in result.stderr
    assert "1 skipped" in result.stderr


def test_activities_json_is_pure_data():
    result = invoke("activities", SAMPLE, "--format", "json", "--no-cache", "-q")
    rows = json.loads(result.stdout)
    assert len(rows) == 77
    assert rows[0]["distance_km"] == pytest.approx(5.7, abs=0.001)
    assert result.stderr == ""


def test_findings_json_has_exactly_the_finding_fields():
    result = invoke("findings", SAMPLE, "--format", "json", "--no-cache", "-q")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    assert {f["rule"] for f in findings} == {
        "ramp_up",
        "missing_deload",
        "downhill_volume",
        "low_cadence",
        "long_run_spike",
        "knee_pain",  # sample_data/pain.csv is picked up by itself
        "shoe_change",  # shoes from sample_data/strava/activities.csv
        "surface_change",  # the runs it marks Trail Run
    }
    for f in findings:
        assert list(f) == [
            "rule",
            "severity",
            "week_start",
            "weeks",
            "message",
            "evidence",
            "evidence_strength",
            "exercises",
        ]
        assert len(f["week_start"]) == 10 and f["evidence"] and f["exercises"]
        assert f["weeks"][0] == f["week_start"]
        assert set(f["evidence_strength"]) == {"kind", "summary", "references"}
    ramp = next(f for f in findings if f["rule"] == "ramp_up")
    assert (ramp["week_start"], ramp["severity"]) == ("2026-06-22", "alert")


def test_thresholds_from_set_and_config(tmp_path):
    base = json.loads(invoke("findings", SAMPLE, "--format", "json", "--no-cache", "-q").stdout)
    strict = json.loads(
        invoke(
            "findings",
            SAMPLE,
            "--format",
            "json",
            "--no-cache",
            "-q",
            "--set",
            "low_cadence_spm=150",
        ).stdout
    )
    assert any(f["rule"] == "low_cadence" for f in base)
    assert not any(f["rule"] == "low_cadence" for f in strict)
    config = tmp_path / "runaudit.toml"
    config.write_text("[thresholds]\nlong_run_ratio = 1.5\n")
    relaxed = json.loads(
        invoke(
            "findings", SAMPLE, "--format", "json", "--no-cache", "-q", "--config", str(config)
        ).stdout
    )
    assert not any(f["rule"] == "long_run_spike" for f in relaxed)


def test_bad_threshold_and_bad_config_are_one_line_errors(tmp_path):
    result = invoke("findings", SAMPLE, "--set", "nonsense=1")
    assert result.exit_code != 0
    assert "unknown threshold(s) nonsense" in result.output
    config = tmp_path / "bad.toml"
    config.write_text("[thresholds\n")
    result = invoke("findings", SAMPLE, "--config", str(config))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {config}: not valid TOML")
    assert "Traceback" not in result.output


def test_junk_file_is_named_on_stderr_and_exit_is_0(tmp_path):
    (tmp_path / "junk.gpx").write_text("<html>not a gpx</html>")
    write_fit(make_run(T0, 5.0), tmp_path / "run.fit")
    result = invoke("weekly", str(tmp_path), "--format", "json", "--no-cache")
    assert result.exit_code == 0
    assert "skipped: " in result.stderr and "junk.gpx: not a GPX file" in result.stderr
    assert json.loads(result.stdout)[0]["distance_km"] == pytest.approx(5.0)


def test_strict_exits_3_when_a_file_was_skipped(tmp_path):
    (tmp_path / "junk.fit").write_bytes(b"\x00" * 40)
    write_fit(make_run(T0, 5.0), tmp_path / "run.fit")
    result = invoke("weekly", str(tmp_path), "--no-cache", "--strict")
    assert result.exit_code == 3


def test_nothing_usable_exits_1_with_one_line(tmp_path):
    (tmp_path / "junk.fit").write_text("nope")
    result = invoke("weekly", str(tmp_path), "--no-cache")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: no runs found in")


def test_missing_path_and_bad_zone_are_clear_errors(tmp_path):
    result = invoke("weekly", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope'}: no such file or folder."
    result = invoke("weekly", SAMPLE, "--tz", "Mars/Olympus", "--no-cache")
    assert result.exit_code == 1
    assert "unknown time zone 'Mars/Olympus'" in result.stderr


def test_units_mi_changes_human_output_only():
    km = invoke("weekly", SAMPLE, "--no-cache", "-q")
    mi = invoke("weekly", SAMPLE, "--no-cache", "-q", "--units", "mi")
    assert "distance_km" in km.stdout and "distance_mi" in mi.stdout
    csv_mi = invoke("weekly", SAMPLE, "--no-cache", "-q", "--units", "mi", "--format", "csv")
    assert csv_mi.stdout.startswith("week_start,runs,distance_km")


def test_exercises_command():
    result = invoke("exercises", "low_cadence")
    assert result.exit_code == 0
    assert "1. Single-leg pogo hops to a metronome" in result.output
    assert invoke("exercises").output.count("ramp_up") >= 1
    bad = invoke("exercises", "bogus")
    # a rule name outside the catalog is a usage error: click lists the choices, exit 2
    assert bad.exit_code == 2
    assert "'bogus' is not one of" in bad.output and "downhill_volume" in bad.output


def test_thresholds_round_trip_through_toml(tmp_path):
    from runaudit.thresholds import Thresholds, load_thresholds, thresholds_to_toml

    custom = Thresholds(acwr_warning=1.25, acwr_alert=1.6, long_run_window_days=28)
    path = tmp_path / "t.toml"
    path.write_text(thresholds_to_toml(custom))
    assert load_thresholds(path) == custom


def test_log_pain_creates_the_diary_then_appends_and_refuses_bad_input(tmp_path):
    path = tmp_path / "pain.csv"
    first = invoke(
        "log-pain", "4", "--date", "2026-03-02", "--note", "stairs, down", "--diary", str(path)
    )
    assert first.exit_code == 0, first.output
    second = invoke(
        "log-pain", "6.5", "--date", "2026-03-04", "--side", "left", "--diary", str(path)
    )
    assert second.exit_code == 0
    assert path.read_text(encoding="utf-8") == (
        'date,pain,side,note\n2026-03-02,4,,"stairs, down"\n2026-03-04,6.5,left,\n'
    )
    for args, message in (
        (["11"], "pain '11' is not a number from 0 to 10."),
        (["10.5"], "pain '10.5' is not a number from 0 to 10."),
        (["x"], "pain 'x' is not a number from 0 to 10."),
        (["3", "--date", "04/03/2026"], "date '04/03/2026' is not a YYYY-MM-DD date."),
        (["3", "--date", "2026-02-30"], "date '2026-02-30' is not a day of the calendar"),
    ):
        bad = CliRunner().invoke(cli, ["log-pain", *args, "--diary", str(path)])
        assert bad.exit_code == 1, args
        assert bad.output.count("Error:") == 1 and message in bad.output, bad.output
    assert path.read_text(encoding="utf-8").count("\n") == 3  # nothing appended
    from runaudit.training.pain import read_diary

    assert read_diary(path).entries["pain"].tolist() == [4.0, 6.5]


def test_log_pain_follows_an_existing_header_and_its_default_is_pain_csv_here(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pain.csv").write_text("date,time,pain\n2026-03-01,08:00,2", encoding="utf-8")
    result = invoke("log-pain", "3", "--date", "2026-03-02")
    assert result.exit_code == 0
    assert (
        tmp_path / "pain.csv"
    ).read_text() == "date,time,pain\n2026-03-01,08:00,2\n2026-03-02,,3\n"
    (tmp_path / "other.csv").write_text("day,score\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["log-pain", "3", "--diary", "other.csv"])
    assert bad.exit_code == 1 and "needs the column(s) date, pain" in bad.output


def test_as_of_cuts_activities_and_says_when_the_data_ends():
    result = invoke("activities", SAMPLE, "--format", "csv", "--as-of", "2026-06-01", "--no-cache")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()[1:]
    assert lines and all(",2026-05-" in line or ",2026-06-01" in line for line in lines)
    weekly = invoke("weekly", SAMPLE, "--as-of", "2026-09-21", "--no-cache")
    assert "Data ends 20 Sep 2026, 1 day before 21 Sep 2026" in weekly.stderr
    bad = CliRunner().invoke(cli, ["weekly", SAMPLE, "--as-of", "21.09.2026"])
    assert bad.exit_code == 2 and "--as-of" in bad.output


def test_plan_ics_on_stdout():
    result = invoke("plan", SAMPLE, "--as-of", "2026-09-21", "--format", "ics", "-q", "--no-cache")
    assert result.exit_code == 0
    assert result.stdout.startswith("BEGIN:VCALENDAR") and result.stdout.count("BEGIN:VEVENT") >= 6
