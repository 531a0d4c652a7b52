"""Knee-pain diary, weekly pain, the knee_pain rule, its triggers and the plan."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from runaudit.advice.plan import build_plan
from runaudit.audit import load_export
from runaudit.cli import cli
from runaudit.errors import InputError
from runaudit.rules import find_knee_pain, find_ramp_ups
from runaudit.thresholds import Thresholds
from runaudit.training.pain import parse_diary, read_diary, with_weekly_pain
from runaudit.training.triggers import find_triggers

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
WEEKS = pd.date_range("2026-01-05", periods=10, freq="7D")


def steady(**changes: list[float]) -> pd.DataFrame:
    """Ten steady weeks (30 km, 3 h, 4 runs, 12 km long run, 200 m down), some changed."""
    frame = pd.DataFrame(
        {
            "week_start": WEEKS,
            "runs": [4] * 10,
            "distance_km": [30.0] * 10,
            "moving_time_s": [10800.0] * 10,
            "long_run_km": [12.0] * 10,
            "descent_m": [200.0] * 10,
            "downhill_km": [2.0] * 10,
            "cadence_spm": [170.0] * 10,
        }
    )
    for col, values in changes.items():
        frame[col] = values
    return frame


def runs_of(weekly: pd.DataFrame) -> pd.DataFrame:
    """Four runs a week (Tue, Thu, Sat, Sun) adding up to each week's distance,
    the Sunday run the week's long run."""
    rows = []
    for week in weekly.itertuples():
        long_km = float(week.long_run_km)
        easy = (float(week.distance_km) - long_km) / 3
        for offset, km in ((1, easy), (3, easy), (5, easy), (6, long_km)):
            rows.append(
                {
                    "start_local": week.week_start + pd.Timedelta(days=offset, hours=7),
                    "distance_km": km,
                }
            )
    return pd.DataFrame(rows)


def with_pain(weekly: pd.DataFrame, scores: list[float]) -> pd.DataFrame:
    out = weekly.copy()
    out["pain_max"] = scores
    out["pain_mean"] = scores
    return out


def test_weekly_pain_from_several_entries_a_day():
    text = (
        "date,time,pain,side,note\n"
        "2026-01-05,07:00,2,left,\n"
        "2026-01-05,21:00,6,left,stairs\n"
        "2026-01-07,20:00,4,left,\n"
        "2026-01-19,08:00,1,,\n"
    )
    diary = parse_diary(text)
    weekly = with_weekly_pain(steady().head(3), diary.entries)
    assert weekly["pain_max"].tolist()[0] == 6.0
    assert weekly["pain_mean"].tolist()[0] == pytest.approx(4.0)
    assert np.isnan(weekly["pain_max"].iloc[1]) and np.isnan(weekly["pain_mean"].iloc[1])
    assert weekly["pain_max"].iloc[2] == 1.0


def test_bad_rows_named_with_line_number_and_skipped():
    text = "date,pain\n2026-01-05,3\n2026-13-40,4\n2026-01-06,11\n2026-01-07,sore\n2026-01-08,5\n"
    diary = parse_diary(text, "diary.csv")
    assert diary.entries["pain"].tolist() == [3.0, 5.0]
    assert diary.entries["line"].tolist() == [2, 6]
    assert len(diary.problems) == 3
    assert diary.problems[0].startswith("line 3: date '2026-13-40'")
    assert diary.problems[1].startswith("line 4: pain '11'")
    assert diary.problems[2].startswith("line 5: pain 'sore'")
    assert diary.ledger_reason == "pain diary, 2 entries (3 bad rows skipped)"


def test_missing_columns_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="needs the column"):
        parse_diary("day,score\n2026-01-05,3\n")
    with pytest.raises(InputError, match="no such pain diary"):
        read_diary(tmp_path / "nope.csv")


def test_knee_pain_exactly_the_weeks_above_5():
    weekly = with_pain(steady(), [1, 2, 5, 6, 3, np.nan, 8, 2, 6, 6])
    found = {(f.week_start.isoformat(), len(f.weeks), f.severity) for f in find_knee_pain(weekly)}
    starts = [d.date().isoformat() for d in WEEKS]
    assert found == {
        (starts[3], 1, "warning"),
        (starts[6], 1, "alert"),  # 8 >= 7
        (starts[8], 2, "alert"),  # two weeks in a row above 5: one episode, an alert
    }


def test_knee_pain_never_when_pain_stays_at_3_or_below():
    weekly = with_pain(steady(), [3, 3, 2, 3, 1, 0, 3, 3, 2, 3])
    assert find_knee_pain(weekly) == []
    assert find_knee_pain(steady()) == []  # no diary at all


def test_trigger_after_a_descent_spike():
    weekly = with_pain(steady(descent_m=[200.0] * 7 + [900.0, 200.0, 200.0]), [1] * 8 + [6, 2])
    (finding,) = find_knee_pain(weekly)
    triggers = finding.evidence["triggers"]
    assert [t["dimension"] for t in triggers] == ["descent_m"]
    assert triggers[0]["week_start"] == WEEKS[7].date().isoformat()
    assert triggers[0]["ratio"] == 4.5
    assert "came after a rise in descent (4.5×" in finding.message
    assert "caused" not in finding.message


def test_trigger_after_a_distance_ramp():
    km = [30.0] * 6 + [36.0, 42.0, 45.0, 30.0]
    weekly = with_pain(steady(distance_km=km), [1] * 8 + [7, 2])
    (finding,) = find_knee_pain(weekly)
    dims = [t["dimension"] for t in finding.evidence["triggers"]]
    assert dims == ["distance_km"]
    assert finding.evidence["triggers"][0]["ratio"] == 1.5
    assert finding.severity == "alert"


def test_trigger_after_a_new_shoe():
    weekly = steady()
    acts = pd.DataFrame(
        {
            "week_start": list(WEEKS) * 2,
            "distance_km": [15.0] * 20,
            "shoe": ["Pegasus"] * 10 + ["Pegasus"] * 7 + ["Vaporfly"] * 3,
        }
    )
    report = find_triggers(weekly, WEEKS[8], acts)
    assert report.triggers == ()  # half of each week is not more than half: eased in
    acts.loc[acts.index[17:], "distance_km"] = 25.0  # the new shoe carries most of a week
    report = find_triggers(weekly, WEEKS[8], acts)
    assert [(t.dimension, t.shoe) for t in report.triggers] == [("new_shoe", "Vaporfly")]
    weekly_pain = with_pain(weekly, [1] * 8 + [6, 1])
    (finding,) = find_knee_pain(weekly_pain, acts)
    assert "a new shoe, Vaporfly" in finding.message


def test_nothing_unusual_says_so_and_trail_share_is_skipped_without_its_column():
    (finding,) = find_knee_pain(with_pain(steady(), [1] * 8 + [6, 1]))
    assert finding.evidence["triggers"] == []
    assert "Nothing unusual came before it" in finding.message
    assert "trail_share" in finding.evidence["not_compared"]


def test_trail_share_compared_when_trail_km_exists():
    weekly = steady(trail_km=[0.0] * 7 + [24.0, 0.0, 0.0])
    report = find_triggers(weekly, WEEKS[8])
    assert [t.dimension for t in report.triggers] == ["trail_share"]


def test_plan_lists_each_exercise_once_and_caps_lower_while_pain_is_high():
    weekly = with_pain(steady(descent_m=[200.0] * 7 + [900.0, 200.0, 200.0]), [1] * 8 + [6, 6])
    t = Thresholds()
    findings = [*find_knee_pain(weekly, thresholds=t)]
    from runaudit.rules import find_downhill_spikes

    findings += find_downhill_spikes(weekly, t)
    entries = pd.DataFrame({"date": [WEEKS[8], WEEKS[9]], "pain": [6.0, 6.0]})
    as_of = (WEEKS[9] + pd.Timedelta(days=6)).date()
    plan = build_plan(runs_of(weekly), weekly, findings, entries, t, as_of=as_of)
    ids = [p.exercise.id for p in plan.exercises]
    assert len(ids) == len(set(ids)) == 2  # two exercises while pain is high
    assert plan.pain_state == "high"
    assert plan.cap_km == pytest.approx(0.85 * 30.0)
    assert plan.scale_back[0] == "descent_m"
    assert all(p.version == "easier" for p in plan.exercises)
    # the most urgent finding's exercises come first: the knee-pain alert (two weeks
    # above 5) before the downhill alert; load management is a note, not an exercise
    assert ids == ["straight_leg_raise", "short_arc_quads"]
    assert any(n.startswith("Load management") for n in plan.notes)
    calm = pd.DataFrame({"date": [WEEKS[8], WEEKS[9]], "pain": [2.0, 1.0]})
    easy = build_plan(runs_of(steady()), steady(), [], calm, t, as_of=as_of)
    assert easy.pain_state == "low" and easy.cap_km == pytest.approx(39.0)
    assert len(easy.exercises) == 4  # one more once pain stayed low two weeks
    assert all(p.version == "harder" for p in easy.exercises)


def test_ramp_up_by_running_time():
    weekly = steady(moving_time_s=[10800.0] * 9 + [17000.0])
    assert find_ramp_ups(weekly) == []
    (finding,) = find_ramp_ups(weekly, Thresholds(ramp_by_time=1))
    assert finding.evidence["load"] == "time" and finding.evidence["acwr_time"] == 1.57
    assert "of running" in finding.message


def test_set_ramp_by_time_on_the_cli():
    runner = CliRunner()
    bad = runner.invoke(cli, ["weekly", str(SAMPLE), "--set", "ramp_by_time=2", "-q"])
    assert bad.exit_code == 1 and "ramp_by_time must be 0" in bad.output


def test_findings_picks_up_pain_csv_by_itself(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(SAMPLE / "garmin", export / "garmin")
    shutil.copy(SAMPLE / "pain.csv", export / "pain.csv")
    runner = CliRunner()
    result = runner.invoke(cli, ["findings", str(export), "--no-cache", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "knee_pain" in result.output
    missing = runner.invoke(cli, ["findings", str(export), "--pain", str(tmp_path / "x.csv")])
    assert missing.exit_code == 1 and "Error:" in missing.output


def test_report_shows_pain_plan_and_finding(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["report", str(SAMPLE), "--out", str(tmp_path / "r"), "-q", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert 'id="plan"' in page and "Run at most" in page
    assert 'data-rule="knee_pain"' in page and "came after a rise in" in page
    assert "descent (3.61× the weeks before" in page
    assert "Latest knee pain" in page
    plan_part = page[page.index('id="plan"') : page.index('id="findings"')]
    ids = [p.split('"')[0] for p in plan_part.split('data-exercise="')[1:]]
    assert len(ids) == len(set(ids)) > 0
    assert page.count('class="ex"') == len(ids)  # exercises shown once, in the plan only


def test_sample_data_pain_finding_names_descent_and_ledger_holds_the_diary():
    audit = load_export(SAMPLE, use_cache=False, jobs=1, as_of=date(2026, 9, 21))
    (finding,) = [f for f in audit.findings if f.rule == "knee_pain"]
    assert finding.week_start.isoformat() == "2026-08-31"
    # the race week was a trail race: its trail share and its descent both rose
    dims = [t["dimension"] for t in finding.evidence["triggers"]]
    assert "descent_m" in dims[:2] and "trail_share" in dims
    ledger = audit.ingest.ledger_frame().set_index("source")
    assert ledger.loc[str(SAMPLE / "pain.csv"), "bucket"] == "not_activity"
    assert ledger.loc[str(SAMPLE / "pain.csv"), "reason"] == "pain diary, 27 entries"
    # pain.csv moved from "passed over" into the ledger, the three service files are
    # read as records: only MANIFEST.json is passed over
    assert audit.ingest.ignored == 1
    assert "descent_m" in audit.plan.scale_back


def test_pain_after_the_last_run_still_has_its_weeks(tmp_path):
    """A runner who stopped running because the knee hurt: the weeks after the last
    run are in the table (zero distance) and the pain in them is a finding."""
    from datetime import UTC, datetime, timedelta

    from runaudit_demo.synth import make_run, write_gpx

    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # a Monday
    for week in range(6):
        run = make_run(start + timedelta(weeks=week), distance_km=8.0, seed=week)
        write_gpx(run, tmp_path / f"run{week}.gpx")
    last_run_week = pd.Timestamp("2026-04-06")
    (tmp_path / "pain.csv").write_text(
        "date,pain\n2026-04-21,7\n2026-04-22,6\n2026-04-29,3\n", encoding="utf-8"
    )
    audit = load_export(tmp_path, use_cache=False, jobs=1)
    weekly = audit.weekly.set_index("week_start")
    assert weekly.index.max() == pd.Timestamp("2026-04-27")
    assert weekly.loc[last_run_week + pd.Timedelta(weeks=1), "distance_km"] == 0.0
    assert weekly.loc[pd.Timestamp("2026-04-20"), "pain_max"] == 7.0
    pain = [f for f in audit.findings if f.rule == "knee_pain"]
    assert [(f.week_start.isoformat(), f.severity) for f in pain] == [("2026-04-20", "alert")]


def test_load_roster_reads_each_athletes_own_pain_csv(tmp_path):
    from datetime import UTC, datetime, timedelta

    from runaudit.cohort import load_roster
    from runaudit_demo.synth import make_run, write_gpx

    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    for athlete in ("ana", "bo"):
        folder = tmp_path / athlete
        folder.mkdir()
        for week in range(5):
            run = make_run(start + timedelta(weeks=week), distance_km=6.0, seed=week)
            write_gpx(run, folder / f"{week}.gpx")
    (tmp_path / "ana" / "pain.csv").write_text("date,pain\n2026-03-25,6\n", encoding="utf-8")
    roster = load_roster(tmp_path, jobs=1, use_cache=False)
    pain = {
        n: [f.week_start.isoformat() for f in a.findings if f.rule == "knee_pain"]
        for n, a in roster.audits.items()
    }
    assert pain == {"ana": ["2026-03-23"], "bo": []}
