"""The week plan: caps, days, strength, pain gates, cards, ICS and the comeback week."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from click.testing import CliRunner

from runaudit.advice.exercises import load_catalog
from runaudit.advice.plan import (
    MAX_EXERCISES_PER_DAY,
    WeekPlan,
    build_plan,
    finding_exercises,
    plan_week_start,
)
from runaudit.audit import load_export
from runaudit.cli import cli
from runaudit.rules import analyze
from runaudit.thresholds import Thresholds
from runaudit.training.pain import with_weekly_pain
from runaudit.training.weekly import weekly_table

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
FIRST = date(2026, 1, 5)  # a Monday
#: Tuesday, Thursday, Saturday easy, Sunday long.
DAYS = (1, 3, 5, 6)


def runs(weekly_km: list[float], days: tuple[int, ...] = DAYS, long_share: float = 0.4, **cols):
    """An activities table: each week's distance over ``days``, the last day the long run."""
    rows = []
    for week, km in enumerate(weekly_km):
        if km <= 0:
            continue
        easy = km * (1 - long_share) / max(1, len(days) - 1)
        for day in days:
            start = pd.Timestamp(FIRST + timedelta(weeks=week, days=day)) + pd.Timedelta(hours=7)
            dist = km * long_share if day == days[-1] else easy
            rows.append(
                {
                    "activity_id": f"{week}-{day}",
                    "start_local": start,
                    "week_start": pd.Timestamp(FIRST + timedelta(weeks=week)),
                    "distance_km": dist,
                    "moving_time_s": dist * 330.0,
                    "ascent_m": cols.get("climb", 5.0) * dist,
                    "descent_m": cols.get("climb", 5.0) * dist,
                    "downhill_km": dist / 3,
                    "run_cadence_spm": cols.get("cadence", 172.0),
                    "surface": "road",
                    "date_known": True,
                }
            )
    frame = pd.DataFrame(rows)
    frame["week_start"] = frame["week_start"].astype("datetime64[ns]")
    frame["start_local"] = frame["start_local"].astype("datetime64[ns]")
    return frame


def diary(scores: list[tuple[int, float]]) -> pd.DataFrame:
    """Diary entries: (week index, score) on that week's Wednesday."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime([FIRST + timedelta(weeks=w, days=2) for w, _ in scores]),
            "pain": [float(p) for _, p in scores],
        }
    )


def plan_for(weekly_km, *, pain=None, as_of=None, t=None, **cols) -> tuple[WeekPlan, list]:
    t = t or Thresholds()
    acts = runs(weekly_km, **cols)
    weekly = with_weekly_pain(weekly_table(acts, chronic_weeks=t.chronic_weeks), pain)
    findings = analyze(weekly, acts, t)
    as_of = as_of or FIRST + timedelta(weeks=len(weekly_km) - 1, days=6)
    return build_plan(acts, weekly, findings, pain, t, as_of=as_of), findings


HISTORIES = [
    [30.0] * 10,
    [20, 22, 24, 26, 28, 30, 33, 36, 40, 44],
    [40, 42, 44, 46, 30, 30, 31, 32, 60, 30],  # a ramp-up and a long run spike at the end
    [10, 12, 8, 5, 4, 3, 6, 8, 12, 14],
    [80, 85, 90, 70, 95, 100, 80, 90, 100, 110],
]


@pytest.mark.parametrize("history", HISTORIES)
def test_runs_stay_within_both_caps_with_a_rest_day_and_four_exercises_at_most(history):
    plan, _ = plan_for(history)
    total = sum(d.run_km for d in plan.days)
    assert 0 < total <= plan.cap_km + 1e-9
    assert max(d.run_km for d in plan.days) <= plan.long_run_cap_km + 1e-9
    assert any(d.run_km == 0 for d in plan.days)
    assert all(len(d.strength) <= MAX_EXERCISES_PER_DAY for d in plan.days)
    assert 2 <= sum(1 for d in plan.days if d.strength) <= 4
    assert [d.date for d in plan.days] == [plan.week_start + timedelta(days=i) for i in range(7)]


def test_runs_fall_on_the_usual_days_in_the_usual_number_and_the_long_run_on_its_day():
    plan, _ = plan_for([30.0] * 10)
    ran = [d.date.weekday() for d in plan.days if d.run_km]
    assert ran == list(DAYS)
    assert [d.date.weekday() for d in plan.days if d.long_run] == [6]
    # 1.3 x the 4-week mean of 30 km; long run 1.1 x the 30-day longest (12 km)
    assert plan.cap_km == pytest.approx(39.0)
    assert plan.long_run_cap_km == pytest.approx(13.2)
    assert plan.days[6].run_km == pytest.approx(13.2)
    assert sum(d.run_km for d in plan.days) == pytest.approx(13.2 + 3 * 8.6)


def test_long_run_cap_ratio_both_ways():
    loose, _ = plan_for([30.0] * 10, t=Thresholds(long_run_cap_ratio=1.3))
    tight, _ = plan_for([30.0] * 10, t=Thresholds(long_run_cap_ratio=1.0))
    assert loose.long_run_cap_km == pytest.approx(15.6)
    assert tight.long_run_cap_km == pytest.approx(12.0)
    assert max(d.run_km for d in tight.days) <= 12.0


def test_cap_uses_the_raising_week_when_it_is_lower_than_the_ramp_limit():
    # weeks of 30 then a 45-km week: ramp_up alert (1.5x); then two 45s keep the mean high
    history = [30.0] * 6 + [45.0, 45.0, 45.0, 45.0]
    t = Thresholds(acwr_warning=1.3)
    plan, findings = plan_for(history, t=t)
    ramp = [f for f in findings if f.rule == "ramp_up"]
    assert ramp and ramp[0].evidence["distance_km"] == 45.0
    assert plan.cap_km == pytest.approx(45.0)  # not 1.3 x 45 = 58.5
    assert "raised the open ramp-up" in plan.cap_reason


def test_no_pogo_hops_while_pain_stayed_above_pain_easy_and_back_once_low_two_weeks():
    low_cadence = dict(cadence=150.0)
    sore = diary([(8, 3.0), (9, 1.0)])  # 3/10 in the week before the last: not yet
    plan, findings = plan_for([30.0] * 10, pain=sore, **low_cadence)
    assert any(f.rule == "low_cadence" for f in findings)
    ids = {i for d in plan.days for i in d.strength}
    assert "pogo_hops_metronome" not in ids and ids
    assert any("No hopping yet" in n for n in plan.notes)
    calm = diary([(8, 2.0), (9, 1.0)])
    plan, _ = plan_for([30.0] * 10, pain=calm, **low_cadence)
    assert "pogo_hops_metronome" in {i for d in plan.days for i in d.strength}
    # the cadence drill is advice for runs, never a strength exercise
    assert all("cadence_drill" not in d.strength for d in plan.days)
    assert any("Cadence" in n or "cadence" in n for d in plan.days for n in d.notes)


def test_regressions_while_pain_is_above_pain_warning_and_two_exercises_only():
    plan, _ = plan_for([30.0] * 10, pain=diary([(8, 4.0), (9, 6.0)]))
    assert plan.pain_state == "high"
    assert len(plan.exercises) == 2
    assert all(p.version == "easier" and p.how == p.exercise.regression for p in plan.exercises)
    assert plan.cap_km == pytest.approx(0.85 * 30.0)


def test_the_first_weeks_start_with_three_exercises_and_load_management_is_a_note():
    plan, _ = plan_for([30.0] * 8 + [44.0, 30.0])
    assert len(plan.exercises) == 3
    assert "load_management" not in {i for d in plan.days for i in d.strength}
    assert any(n.startswith("Load management") for n in plan.notes)
    # each exercise is on as many days as its dose asks for, up to the strength days
    strength_days = sum(1 for d in plan.days if d.strength)
    for item in plan.exercises:
        on = sum(item.exercise.id in d.strength for d in plan.days)
        assert on == item.days_per_week <= strength_days


def test_every_exercise_a_card_names_is_in_the_plan():
    audit = load_export(SAMPLE, as_of=date(2026, 9, 21), use_cache=False, jobs=1)
    plan = audit.plan
    in_plan = set(plan.exercise_ids)
    cards = finding_exercises(plan, audit.findings)
    assert set(cards) == set(audit.findings)
    assert all(set(ids) <= in_plan for ids in cards.values())
    assert any(cards.values())
    # strength days hold only the plan's exercises
    assert {i for d in plan.days for i in d.strength} == in_plan
    assert all(i in load_catalog().exercises for i in in_plan)


def test_ics_parses_and_holds_one_event_per_session():
    plan, _ = plan_for([30.0] * 10)
    cal = icalendar.Calendar.from_ical(plan.to_ics())
    events = list(cal.walk("VEVENT"))
    sessions = sum(1 for d in plan.days if d.run_km) + sum(1 for d in plan.days if d.strength)
    assert len(events) == sessions == 4 + sum(1 for d in plan.days if d.strength)
    runs_ = [e for e in events if str(e["SUMMARY"]).startswith("Run ")]
    assert [e.decoded("DTSTART") for e in runs_] == [d.date for d in plan.days if d.run_km]
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_json_and_frame_shape():
    plan, _ = plan_for([30.0] * 10)
    data = json.loads(json.dumps(plan.to_dict()))
    assert list(data)[:4] == ["week_start", "cap_km", "long_run_cap_km", "days"]
    assert len(data["days"]) == 7
    assert set(data["days"][0]) == {"date", "run_km", "strength", "notes"}
    assert all(isinstance(d["strength"], list) for d in data["days"])
    frame = plan.to_frame()
    assert str(frame["date"].dtype) == "datetime64[ns]"
    assert isinstance(frame["strength"].iloc[0], list)
    assert "run at most" in repr(plan) and "<table" in plan._repr_html_()
    assert "catalog" not in repr(plan).lower()


def test_plan_week_starts_the_monday_after_as_of():
    assert plan_week_start(date(2026, 9, 20)) == date(2026, 9, 21)  # Sunday
    assert plan_week_start(date(2026, 9, 21)) == date(2026, 9, 28)  # Monday


def test_comeback_gap_days_both_ways():
    ends = FIRST + timedelta(weeks=9, days=6)  # the last Sunday run
    near, _ = plan_for([30.0] * 10, as_of=ends + timedelta(days=20))
    far, _ = plan_for([30.0] * 10, as_of=ends + timedelta(days=40))
    assert not near.comeback and far.comeback
    assert far.cap_km <= 25.0 and far.findings == ()
    assert any("assumes you have not run since" in n for n in far.notes)
    wider, _ = plan_for(
        [30.0] * 10, as_of=ends + timedelta(days=40), t=Thresholds(comeback_gap_days=60)
    )
    assert not wider.comeback


def test_as_of_a_year_after_the_data_gives_a_comeback_plan_and_the_data_ends_line():
    result = CliRunner().invoke(
        cli,
        ["plan", str(SAMPLE), "--as-of", "2027-09-21", "--format", "json", "--no-cache"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["comeback"] is True and data["week_start"] == "2027-09-27"
    assert data["data_ends"] == "2026-09-20" and data["days_since_data"] == 366
    assert sum(d["run_km"] for d in data["days"]) <= data["cap_km"] <= 25.0
    assert "Data ends 20 Sep 2026, 366 days before 21 Sep 2027" in result.stderr
    table = CliRunner().invoke(cli, ["plan", str(SAMPLE), "--as-of", "2027-09-21", "-q"])
    assert table.stdout.startswith("Data ends 20 Sep 2026, 366 days before 21 Sep 2027")
    assert "comeback week" in table.stdout and "Mon 2027-09-27" in table.stdout


def test_as_of_leaves_out_later_runs_and_pain():
    audit = load_export(SAMPLE, as_of=date(2026, 7, 1), use_cache=False, jobs=1)
    assert audit.data_ends is not None and audit.data_ends <= date(2026, 7, 1)
    assert audit.weekly["week_start"].max() <= pd.Timestamp("2026-06-29")
    assert audit.days_since_data == (date(2026, 7, 1) - audit.data_ends).days
    assert all(f.week_start <= date(2026, 7, 1) for f in audit.findings)


def test_no_runs_gives_a_week_of_rest():
    empty = runs([30.0]).iloc[0:0]
    plan = build_plan(empty, weekly_table(empty), [], as_of=date(2026, 1, 1))
    assert plan.cap_km == 0 and all(d.run_km == 0 and not d.strength for d in plan.days)


# --- the coach's Monday -------------------------------------------------------------


def write_weeks(folder: Path, first_monday: date, weekly_km: list[float]) -> None:
    """Three GPX runs a week (Tue, Thu, Sun), the Sunday run the longest."""
    from datetime import UTC, datetime

    from runaudit_demo.synth import make_run, write_gpx

    folder.mkdir(parents=True)
    for week, km in enumerate(weekly_km):
        for k, (day, share) in enumerate(((1, 0.3), (3, 0.3), (6, 0.4))):
            start = datetime.combine(
                first_monday + timedelta(weeks=week, days=day), datetime.min.time()
            )
            run = make_run(
                start.replace(hour=7, tzinfo=UTC), km * share, interval_s=10.0, seed=week * 3 + k
            )
            write_gpx(run, folder / f"{start:%Y-%m-%d}-{k}.gpx")


def test_roster_ranks_the_current_alert_first_and_an_old_alert_last(tmp_path):
    from runaudit.cohort import load_roster, monday_frame, monday_rows

    as_of = date(2026, 9, 21)
    recent = as_of - timedelta(days=as_of.weekday(), weeks=6)  # six weeks ending last week
    write_weeks(tmp_path / "a_stale", date(2020, 6, 1), [20, 20, 20, 20, 20, 45])
    write_weeks(tmp_path / "b_calm", recent, [20, 21, 22, 20, 21, 22])
    write_weeks(tmp_path / "c_now", recent, [20, 20, 20, 20, 20, 45])
    (tmp_path / "b_calm" / "pain.csv").write_text("date,pain\n2026-09-09,3\n2026-09-16,2\n")
    roster = load_roster(tmp_path, jobs=1, use_cache=False, as_of=as_of, tz="UTC")
    stale = roster.audits["a_stale"]
    assert any(f.severity == "alert" for f in stale.findings)  # an alert... six years ago
    rows = monday_rows(roster)
    assert [r.name for r in rows] == ["c_now", "b_calm", "a_stale"]
    now, calm, old = rows
    assert now.worst == "alert" and old.open_findings == () and old.worst is None
    assert old.days_since_run > 2000 and now.days_since_run == 1
    assert now.last_run == date(2026, 9, 20)
    assert now.weeks_km[-1] == pytest.approx(45.0, rel=0.02) and len(now.weeks_km) == 8
    assert now.sparkline[-1] == "▇" and now.sparkline[0] == "▁"
    assert calm.pain == 2.0 and calm.pain_trend == "falling"
    assert 0 < now.cap_km <= 45.0
    frame = monday_frame(rows)
    assert frame["athlete"].tolist() == ["c_now", "b_calm", "a_stale"]


def test_athlete_toml_sets_zone_thresholds_and_run_types_and_is_validated(tmp_path):
    from runaudit.cohort import load_roster, parse_athlete_toml
    from runaudit.errors import ConfigError

    config = parse_athlete_toml(
        'time_zone = "America/Denver"\nrun_types = ["Hardloop"]\n'
        "[thresholds]\nlow_cadence_spm = 150\n"
    )
    assert config.time_zone == "America/Denver" and config.run_types == ("Hardloop",)
    assert config.thresholds == {"low_cadence_spm": 150}
    for text, message in (
        ('time_zone = "Mars/Olympus"', "unknown time zone"),
        ("run_types = 'Hardloop'", "run_types must be a list of activity type names"),
        ("[thresholds]\nacwr_warnin = 1.2", "unknown threshold(s) acwr_warnin"),
        ("pace = 3", "unknown key(s) pace"),
        ("time_zone = ", "not valid TOML"),
    ):
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_athlete_toml(text, "x/athlete.toml")
    write_weeks(tmp_path / "ana", date(2026, 3, 2), [20, 20])
    write_weeks(tmp_path / "bo", date(2026, 3, 2), [20, 20])
    (tmp_path / "ana" / "athlete.toml").write_text('time_zone = "Pacific/Auckland"\n')
    (tmp_path / "bo" / "athlete.toml").write_text('time_zone = "Nowhere/Never"\n')
    roster = load_roster(tmp_path, jobs=1, use_cache=False, as_of=date(2026, 3, 20))
    assert "unknown time zone" in roster.errors["bo"]
    ana = roster.audits["ana"].activities
    # 07:00 UTC is 20:00 in Auckland (UTC+13 in March)
    assert ana["start_local"].dt.hour.unique().tolist() == [20]


def test_unreadable_run_files_are_counted_and_mark_their_week_incomplete(tmp_path):
    write_weeks(tmp_path / "export", date(2026, 3, 2), [20, 20, 20])
    (tmp_path / "export" / "2026-03-12-07-00-00.fit").write_bytes(b"\x0e\x10garbage" * 4)
    (tmp_path / "export" / "track.gpx").write_text("<gpx><trk>", encoding="utf-8")
    audit = load_export(tmp_path / "export", use_cache=False, jobs=1, as_of=date(2026, 3, 23))
    unread = audit.unread
    assert len(unread) == 2
    assert unread["date"].dropna().tolist() == [pd.Timestamp("2026-03-12")]
    weekly = audit.weekly.set_index("week_start")["incomplete"]
    assert weekly.dtype == bool
    assert weekly.to_dict() == {
        pd.Timestamp("2026-03-02"): False,
        pd.Timestamp("2026-03-09"): True,
        pd.Timestamp("2026-03-16"): False,
    }
    assert audit.unread_share == pytest.approx(2 / 11)
    lines = audit.data_lines()
    assert lines[0] == "Data ends 22 Mar 2026, 1 day before 23 Mar 2026 (the date of this audit)."
    assert lines[1].startswith("2 files that look like runs could not be read or dated (18% of")
    result = CliRunner().invoke(
        cli, ["weekly", str(tmp_path / "export"), "--as-of", "2026-03-23", "--no-cache"]
    )
    assert "2 files that look like runs could not be read or dated (18%" in result.stderr


def test_a_comeback_week_is_spread_and_bounded_even_after_odd_histories():
    ends = FIRST + timedelta(weeks=9, days=6)
    # one 30-km run a week before a long break: two runs, no single 25-km run
    single, _ = plan_for([30.0] * 10, as_of=ends + timedelta(days=200), days=(6,), long_share=1.0)
    ran = [d.run_km for d in single.days if d.run_km]
    assert single.comeback and len(ran) >= 2 and max(ran) <= single.cap_km / 2 + 0.1
    # a few hundred metres a week (test recordings): 5 km at most, runs of at least 3 km
    tiny, _ = plan_for([0.3] * 10, as_of=ends + timedelta(days=200))
    assert tiny.cap_km == 5.0 and "averaged under 5 km" in tiny.cap_reason
    assert [d.run_km for d in tiny.days if d.run_km] == [3.0]
