"""Tests for runaudit.rules: every rule on hand-built weekly/activities tables."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from runaudit.advice.exercises import load_catalog
from runaudit.intake.activities import activities_frame
from runaudit.rules import (
    analyze,
    find_downhill_spikes,
    find_long_run_spikes,
    find_low_cadence,
    find_missing_deloads,
    find_ramp_ups,
    format_date,
    format_distance,
    format_metres,
    format_ratio,
    suggested_cadence,
)
from runaudit.rules.findings import RULES, SEVERITIES, Finding
from runaudit.thresholds import Thresholds
from runaudit.training.weekly import WEEKLY_COLUMNS, weekly_table

FIRST_MONDAY = date(2026, 1, 5)
MILE_KM = 1.609344
NAN = float("nan")


def week(i: int) -> date:
    """Monday of the i-th week of the test tables (0 = 5 Jan 2026)."""
    return FIRST_MONDAY + timedelta(weeks=i)


def weekly_frame(
    km: Sequence[float],
    descent: Sequence[float] | None = None,
    cadence: Sequence[float] | None = None,
) -> pd.DataFrame:
    """A weekly table (all contract columns) from weekly distances [km].

    Descent defaults to 10 m per km, cadence to 170 spm in weeks with running
    (NaN in weeks without); chronic_km/acwr are filled like ``weekly_table`` does.
    """
    n = len(km)
    dist = np.asarray(km, dtype=float)
    desc = np.asarray(descent if descent is not None else dist * 10.0, dtype=float)
    cad = np.asarray(
        cadence if cadence is not None else np.where(dist > 0, 170.0, NAN), dtype=float
    )
    chronic = pd.Series(dist).shift(1).rolling(4, min_periods=4).mean()
    frame = pd.DataFrame(
        {
            "week_start": pd.date_range(pd.Timestamp(FIRST_MONDAY), periods=n, freq="7D"),
            "runs": np.where(dist > 0, 3, 0).astype("int64"),
            "distance_km": dist,
            "moving_time_s": dist * 330.0,
            "long_run_km": dist * 0.4,
            "ascent_m": desc,
            "descent_m": desc,
            "downhill_km": desc / 100.0,
            "cadence_spm": cad,
            "chronic_km": chronic.to_numpy(),
            "acwr": np.where(chronic > 0, dist / chronic, NAN),
            "acwr_time": np.where(chronic > 0, dist / chronic, NAN),
            "trail_km": np.zeros(n),
            "treadmill_km": np.zeros(n),
            "incomplete": np.zeros(n, dtype=bool),
        }
    )[list(WEEKLY_COLUMNS)]
    assert tuple(frame.columns) == WEEKLY_COLUMNS
    return frame


def activities(runs: Sequence[tuple[str, float]]) -> pd.DataFrame:
    """An activities table from (local start ``YYYY-MM-DD HH:MM``, distance [km]) pairs."""
    rows = [
        {
            "activity_id": f"run{i}",
            "start_utc": datetime.fromisoformat(start + "+00:00").timestamp(),
            "utc_offset_s": 0,
            "distance_km": km,
        }
        for i, (start, km) in enumerate(runs)
    ]
    return activities_frame(rows)


def weeks_of(findings: Sequence[Finding]) -> list[date]:
    return [f.week_start for f in findings]


def every_rule_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables that trigger each of the five rules at least once."""
    weekly = weekly_frame(
        [30.0] * 8 + [48.0],
        descent=[300.0] * 8 + [1200.0],
        cadence=[170.0] * 8 + [155.0],
    )
    acts = activities(
        [("2026-02-01 08:00", 8.0), ("2026-02-21 08:00", 16.0), ("2026-03-07 08:00", 23.0)]
    )  # the spike is in week 8
    return weekly, acts


# --------------------------------------------------------------------------------------------
# Calibration (DESIGN.md): the 001 seed's own progression
# --------------------------------------------------------------------------------------------


SEED_MILES = [10, 12, 14, 16, 12, 14, 16, 18, 14, 16, 18, 20]


def test_seed_progression_raises_no_ramp_up_and_no_missing_deload() -> None:
    weekly = weekly_frame([m * MILE_KM for m in SEED_MILES])
    assert find_ramp_ups(weekly) == []
    assert [f for f in find_missing_deloads(weekly) if f.severity_rank >= 1] == []
    assert find_missing_deloads(weekly) == []
    assert analyze(weekly) == []


# --------------------------------------------------------------------------------------------
# ramp_up
# --------------------------------------------------------------------------------------------


def test_sixty_percent_jump_after_six_steady_weeks_is_an_alert_in_that_week() -> None:
    findings = find_ramp_ups(weekly_frame([30.0] * 6 + [48.0]))
    assert weeks_of(findings) == [week(6)]
    (f,) = findings
    assert f.rule == "ramp_up"
    assert f.severity == "alert"
    assert f.evidence == {
        "distance_km": 48.0,
        "chronic_km": 30.0,
        "acwr": 1.6,
        "chronic_weeks": 4,
        "after_break": False,
        "acwr_time": 1.6,
    }
    assert f.message == (
        "Week of 16 Feb 2026: 48 km, 1.6× your previous 4-week average of 30 km; jumps "
        "above 1.5× raise the injury risk most, so aim for at most 1.3× (39 km)."
    )


@pytest.mark.parametrize(
    ("last_km", "severity"),
    [(39.0, None), (39.3, "warning"), (45.0, "warning"), (45.3, "alert")],
)
def test_ramp_up_bands_are_exclusive_above_the_thresholds(
    last_km: float, severity: str | None
) -> None:
    findings = find_ramp_ups(weekly_frame([30.0] * 4 + [last_km]))
    assert [f.severity for f in findings] == ([severity] if severity else [])


def test_steady_build_of_two_km_a_week_is_no_ramp_up() -> None:
    assert find_ramp_ups(weekly_frame([20.0 + 2 * i for i in range(10)])) == []


def test_fewer_than_four_weeks_of_history_judges_nothing() -> None:
    weekly = weekly_frame([10.0, 30.0, 60.0], descent=[0.0, 0.0, 2000.0])
    assert find_ramp_ups(weekly) == []
    assert find_downhill_spikes(weekly) == []
    four = weekly_frame([10.0, 30.0, 60.0, 90.0], descent=[0.0, 0.0, 2000.0, 3000.0])
    assert find_ramp_ups(four) == []
    assert find_downhill_spikes(four) == []


def test_empty_weeks_count_in_the_chronic_average() -> None:
    findings = find_ramp_ups(weekly_frame([20.0, 20.0, 20.0, 20.0, 0.0, 0.0, 20.0, 45.0]))
    # Week 6 (20 km, 2.0x a baseline of 10 km that holds weeks off) is a short week back.
    assert weeks_of(findings) == [week(7)]
    (f,) = findings
    assert f.severity == "alert"
    assert f.evidence["chronic_km"] == 10.0
    assert f.evidence["acwr"] == 4.5
    assert f.evidence["after_break"] is True
    assert "which includes weeks without running" in f.message


def test_missing_rows_are_weeks_without_running() -> None:
    full = weekly_frame([20.0, 20.0, 20.0, 20.0, 0.0, 0.0, 20.0, 45.0])
    gappy = full[full["distance_km"] > 0].reset_index(drop=True)
    assert analyze(gappy) == analyze(full)
    assert weeks_of(find_ramp_ups(gappy)) == [week(7)]


def test_first_short_week_after_three_weeks_off_is_not_flagged() -> None:
    for before in (15.0, 20.0, 30.0, 40.0):
        weekly = weekly_frame([before] * 4 + [0.0, 0.0, 0.0, 10.0])
        assert find_ramp_ups(weekly) == [], before


def test_rebuilding_after_a_break_is_not_flagged() -> None:
    weekly = weekly_frame([30.0] * 4 + [0.0, 0.0, 0.0, 10.0, 15.0, 20.0, 24.0])
    assert find_ramp_ups(weekly) == []


def test_long_week_straight_after_a_break_is_flagged() -> None:
    weekly = weekly_frame([30.0] * 4 + [0.0, 0.0, 0.0, 40.0])
    (f,) = find_ramp_ups(weekly)
    assert f.week_start == week(7)
    assert f.severity == "alert"
    assert f.evidence["acwr"] == 5.33
    assert f.evidence["chronic_km"] == 7.5


def test_comeback_below_the_chronic_floor_warns_without_a_ratio() -> None:
    weekly = weekly_frame([15.0] * 4 + [0.0, 0.0, 0.0, 40.0])
    (f,) = find_ramp_ups(weekly)
    assert f.week_start == week(7)
    assert f.severity == "warning"
    assert f.evidence == {
        "distance_km": 40.0,
        "chronic_km": 3.8,
        "acwr": None,
        "chronic_weeks": 4,
        "after_break": True,
        "acwr_time": 10.67,
    }
    assert f.message.startswith("Week of 23 Feb 2026: 40 km after a break")
    assert "25 km" in f.message


def test_comeback_floor_of_zero_never_divides_by_zero() -> None:
    weekly = weekly_frame([20.0] * 4 + [0.0] * 4 + [30.0])
    (f,) = find_ramp_ups(weekly, Thresholds(comeback_chronic_km=0.0))
    assert (f.week_start, f.severity, f.evidence["acwr"]) == (week(8), "warning", None)


def test_ramp_up_recomputes_chronic_with_the_configured_weeks() -> None:
    weekly = weekly_frame([30.0, 30.0, 48.0])
    weekly["acwr"] = 9.9  # stale column: ignored
    assert find_ramp_ups(weekly) == []
    (f,) = find_ramp_ups(weekly, Thresholds(chronic_weeks=2))
    assert f.week_start == week(2)
    assert f.evidence["chronic_weeks"] == 2


def test_ramp_up_does_not_trust_the_acwr_column() -> None:
    weekly = weekly_frame([30.0] * 5)
    weekly["acwr"] = 3.0
    assert find_ramp_ups(weekly) == []


# --------------------------------------------------------------------------------------------
# missing_deload
# --------------------------------------------------------------------------------------------


def test_ten_weeks_building_without_recovery_flag_the_seventh_week() -> None:
    weekly = weekly_frame([20.0 + 2 * i for i in range(10)])
    findings = find_missing_deloads(weekly)
    assert weeks_of(findings) == [week(6), week(9)]
    assert [f.severity for f in findings] == ["warning", "alert"]
    first = findings[0]
    assert first.evidence == {
        "weeks_without_deload": 7,
        "last_deload_week": None,
        "distance_km": 32.0,
        "deload_target_km": 27.2,
    }
    assert first.message == (
        "Week of 16 Feb 2026: 7th week in a row without a lighter week (none since your "
        "records begin); plan a recovery week of 27 km or less (85% of your recent peak) "
        "to let your knees adapt."
    )
    assert find_ramp_ups(weekly) == []


def test_a_long_streak_repeats_every_three_weeks_and_escalates() -> None:
    findings = find_missing_deloads(weekly_frame([30.0] * 17))
    assert weeks_of(findings) == [week(6), week(9), week(12), week(15)]
    assert [f.severity for f in findings] == ["warning", "alert", "alert", "alert"]
    assert [f.evidence["weeks_without_deload"] for f in findings] == [7, 10, 13, 16]


def test_a_lighter_week_resets_the_streak() -> None:
    # Week 5 is 25.5 km = exactly 85% of the 30 km peak: a deload.
    weekly = weekly_frame([30.0] * 5 + [25.5] + [30.0] * 7)
    (f,) = find_missing_deloads(weekly)
    assert f.week_start == week(12)
    assert f.evidence["last_deload_week"] == "2026-02-09"
    assert "the last was the week of 9 Feb" in f.message


def test_a_week_at_86_percent_is_not_a_deload() -> None:
    weekly = weekly_frame([30.0] * 5 + [25.8] + [30.0])
    (f,) = find_missing_deloads(weekly)
    assert f.week_start == week(6)


def test_a_week_without_running_is_a_deload() -> None:
    weekly = weekly_frame([30.0] * 5 + [0.0] + [30.0] * 6)
    assert find_missing_deloads(weekly) == []
    weekly = weekly_frame([30.0] * 5 + [0.0] + [30.0] * 7)
    (f,) = find_missing_deloads(weekly)
    assert f.week_start == week(12)
    assert f.evidence["last_deload_week"] == week(5).isoformat()


def test_weeks_before_enough_history_count_toward_the_streak_but_never_as_deloads() -> None:
    # Week 1 is light but has no 3-week history to be judged against.
    weekly = weekly_frame([30.0, 10.0, 30.0, 30.0, 30.0, 30.0, 30.0])
    assert weeks_of(find_missing_deloads(weekly)) == [week(6)]


def test_missing_deload_honours_thresholds() -> None:
    weekly = weekly_frame([30.0] * 6)
    t = Thresholds(deload_max_streak=4)
    findings = find_missing_deloads(weekly, t)
    assert weeks_of(findings) == [week(3)]


# --------------------------------------------------------------------------------------------
# downhill_volume
# --------------------------------------------------------------------------------------------


def test_steady_hilly_runner_is_not_flagged() -> None:
    weekly = weekly_frame([40.0] * 12, descent=[800.0] * 12)
    assert find_downhill_spikes(weekly) == []


def test_downhill_spike_after_four_flat_weeks() -> None:
    weekly = weekly_frame([30.0] * 5, descent=[300.0, 310.0, 290.0, 300.0, 1200.0])
    (f,) = find_downhill_spikes(weekly)
    assert f.week_start == week(4)
    assert f.rule == "downhill_volume"
    assert f.severity == "alert"
    assert f.evidence == {
        "descent_m": 1200,
        "downhill_km": 12.0,
        "chronic_descent_m": 300,
        "ratio": 4.0,
        "chronic_weeks": 4,
    }
    assert f.message.startswith(
        "Week of 2 Feb 2026: 1,200 m of descent over 12 km of downhill, 4× your previous "
        "4-week average of 300 m;"
    )


def test_moderate_downhill_spike_is_a_warning() -> None:
    (f,) = find_downhill_spikes(weekly_frame([30.0] * 5, descent=[400.0] * 4 + [700.0]))
    assert (f.severity, f.evidence["ratio"]) == ("warning", 1.75)


def test_downhill_below_the_minimum_is_not_flagged() -> None:
    assert find_downhill_spikes(weekly_frame([30.0] * 5, descent=[100.0] * 4 + [450.0])) == []


def test_downhill_after_flat_weeks_has_no_ratio() -> None:
    (f,) = find_downhill_spikes(weekly_frame([30.0] * 5, descent=[0.0] * 4 + [600.0]))
    assert f.severity == "alert"
    assert f.evidence["ratio"] is None
    assert "after 4 weeks with none" in f.message


# --------------------------------------------------------------------------------------------
# low_cadence
# --------------------------------------------------------------------------------------------


def test_week_without_cadence_data_is_not_flagged() -> None:
    weekly = weekly_frame([30.0] * 4, cadence=[170.0, NAN, NAN, 170.0])
    assert find_low_cadence(weekly) == []


def test_low_cadence_week_is_flagged_with_the_target_range() -> None:
    weekly = weekly_frame([30.0] * 4, cadence=[170.0, NAN, 170.0, 155.0])
    (f,) = find_low_cadence(weekly)
    assert f.week_start == week(3)
    assert f.severity == "info"
    assert "165–180 spm" in f.message
    assert "try 163–171 spm first" in f.message
    assert f.evidence["cadence_spm"] == 155.0
    assert (f.evidence["target_low_spm"], f.evidence["target_high_spm"]) == (165.0, 180.0)
    assert (f.evidence["suggested_low_spm"], f.evidence["suggested_high_spm"]) == (163, 171)


def test_three_consecutive_low_weeks_warn_and_gaps_do_not_break_the_streak() -> None:
    weekly = weekly_frame([30.0] * 7, cadence=[155.0, 158.0, NAN, 150.0, 170.0, 150.0, 160.0])
    findings = find_low_cadence(weekly)
    assert weeks_of(findings) == [week(0), week(1), week(3), week(5)]
    assert [f.severity for f in findings] == ["info", "info", "warning", "info"]
    assert [f.evidence["consecutive_low_weeks"] for f in findings] == [1, 2, 3, 1]
    assert "the 3rd week in a row below 160" in findings[2].message


def test_cadence_just_below_the_threshold_does_not_read_as_the_threshold() -> None:
    (f,) = find_low_cadence(weekly_frame([30.0], cadence=[159.6]))
    assert "159.6 spm, below 160" in f.message


def test_suggested_cadence_is_capped_at_the_top_of_the_target() -> None:
    assert suggested_cadence(155.0) == (163, 171)
    assert suggested_cadence(168.0) == (176, 180)


# --------------------------------------------------------------------------------------------
# long_run_spike
# --------------------------------------------------------------------------------------------


def test_long_run_spike_is_flagged_in_the_runs_week() -> None:
    acts = activities(
        [
            ("2026-02-22 08:00", 16.0),
            ("2026-03-01 08:00", 12.0),
            ("2026-03-10 07:00", 8.0),
            ("2026-03-15 09:00", 23.0),  # a Sunday: week of Monday 9 Mar
        ]
    )
    (f,) = find_long_run_spikes(acts)
    assert f.rule == "long_run_spike"
    assert f.week_start == date(2026, 3, 9)
    assert f.severity == "warning"
    assert f.evidence["ratio"] == pytest.approx(1.44)
    assert f.evidence["distance_km"] == 23.0
    assert f.evidence["previous_longest_km"] == 16.0
    assert f.evidence["run_date"] == "2026-03-15"
    assert f.evidence["previous_longest_date"] == "2026-02-22"
    assert f.evidence["activity_id"] == "run3"
    assert f.message.startswith(
        "Run on 15 Mar 2026: 23 km, 1.44× the longest run of your previous 30 days "
        "(16 km on 22 Feb);"
    )


def test_a_run_within_the_ratio_is_not_flagged() -> None:
    acts = activities([("2026-02-22 08:00", 16.0), ("2026-03-15 09:00", 20.0)])
    assert find_long_run_spikes(acts) == []


def test_a_longest_run_outside_the_window_does_not_count() -> None:
    acts = activities([("2026-02-01 08:00", 16.0), ("2026-03-08 08:00", 23.0)])  # 35 days
    assert find_long_run_spikes(acts) == []
    acts = activities(
        [("2026-02-01 08:00", 16.0), ("2026-02-25 08:00", 6.0), ("2026-03-08 08:00", 23.0)]
    )
    (f,) = find_long_run_spikes(acts)
    assert f.evidence["previous_longest_km"] == 6.0
    assert f.severity == "alert"  # 3.83x: more than double


def test_the_window_start_is_inclusive() -> None:
    acts = activities([("2026-02-13 08:00", 16.0), ("2026-03-15 08:00", 23.0)])  # 30 days
    assert weeks_of(find_long_run_spikes(acts)) == [date(2026, 3, 9)]


def test_short_runs_never_spike() -> None:
    acts = activities([("2026-03-01 08:00", 2.0), ("2026-03-03 08:00", 4.9)])
    assert find_long_run_spikes(acts) == []


def test_long_run_input_order_does_not_matter() -> None:
    acts = activities([("2026-02-22 08:00", 16.0), ("2026-03-15 09:00", 23.0)])
    reversed_acts = acts.iloc[::-1].reset_index(drop=True)
    assert find_long_run_spikes(reversed_acts) == find_long_run_spikes(acts)


def test_long_run_without_week_start_or_id_columns() -> None:
    acts = activities([("2026-02-22 08:00", 16.0), ("2026-03-15 09:00", 23.0)])
    (f,) = find_long_run_spikes(acts[["start_local", "distance_km"]])
    assert f.week_start == date(2026, 3, 9)
    assert f.evidence["activity_id"] is None


# --------------------------------------------------------------------------------------------
# analyze() and the Finding contract
# --------------------------------------------------------------------------------------------


def test_finding_is_frozen() -> None:
    (f,) = find_ramp_ups(weekly_frame([30.0] * 4 + [48.0]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.severity = "info"  # type: ignore[misc]


def test_analyze_runs_every_rule_in_order_with_catalog_exercises() -> None:
    weekly, acts = every_rule_frames()
    findings = analyze(weekly, acts)
    # knee_pain needs a diary (pain_max) and shoe_change/surface_change the shoe and
    # surface columns; they are tested in test_pain.py and test_export_metadata.py
    assert {f.rule for f in findings} == set(RULES) - {"knee_pain", "shoe_change", "surface_change"}
    keys = [(f.week_start, RULES.index(f.rule)) for f in findings]
    assert keys == sorted(keys)
    catalog = load_catalog()
    for f in findings:
        assert f.exercises == catalog.rules[f.rule]
        assert all(ex in catalog.exercises for ex in f.exercises)
        assert f.severity in SEVERITIES
        assert f.week_start.weekday() == 0
        json.dumps(f.to_dict())  # evidence holds plain JSON values


def test_analyze_skips_long_runs_without_activities() -> None:
    weekly, _ = every_rule_frames()
    assert "long_run_spike" not in {f.rule for f in analyze(weekly)}


def test_analyzers_never_mutate_their_inputs() -> None:
    weekly, acts = every_rule_frames()
    weekly_before, acts_before = weekly.copy(deep=True), acts.copy(deep=True)
    analyze(weekly, acts, Thresholds(chronic_weeks=2))
    pd.testing.assert_frame_equal(weekly, weekly_before)
    pd.testing.assert_frame_equal(acts, acts_before)


def test_analyze_on_empty_tables_returns_nothing() -> None:
    empty_weekly = weekly_table(activities_frame([]))
    assert list(empty_weekly.columns) == list(WEEKLY_COLUMNS)
    assert analyze(empty_weekly) == []
    assert analyze(empty_weekly, activities_frame([])) == []
    assert analyze(pd.DataFrame()) == []
    assert find_long_run_spikes(activities_frame([])) == []


def test_analyze_on_a_real_weekly_table() -> None:
    runs = [(f"{(week(i) + timedelta(days=2)).isoformat()} 07:00", 10.0) for i in range(6)]
    runs.append(((week(6) + timedelta(days=5)).isoformat() + " 07:00", 16.0))
    acts = activities(runs)
    findings = analyze(weekly_table(acts), acts)
    assert [(f.rule, f.week_start) for f in findings] == [
        ("ramp_up", week(6)),
        ("missing_deload", week(6)),
        ("long_run_spike", week(6)),
    ]


def test_malformed_weekly_tables_are_rejected() -> None:
    weekly = weekly_frame([30.0] * 5)
    with pytest.raises(ValueError, match="distance_km"):
        find_ramp_ups(weekly.drop(columns="distance_km"))
    with pytest.raises(ValueError, match="twice"):
        find_ramp_ups(pd.concat([weekly, weekly.iloc[[2]]]))
    shifted = weekly.copy()
    shifted["week_start"] = shifted["week_start"].where(
        shifted.index != 2, shifted["week_start"] + pd.Timedelta(days=1)
    )
    with pytest.raises(ValueError, match="whole weeks"):
        find_ramp_ups(shifted)


# --------------------------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("km", "units", "text"),
    [
        (48.27, "km", "48 km"),
        (9.96, "km", "10 km"),
        (4.54, "km", "4.5 km"),
        (5.0, "km", "5 km"),
        (1234.0, "km", "1,234 km"),
        (16.0934, "mi", "10 mi"),
        (8.0, "mi", "5 mi"),
        (NAN, "km", "n/a"),
    ],
)
def test_format_distance(km: float, units: str, text: str) -> None:
    assert format_distance(km, units) == text


def test_format_distance_rejects_unknown_units() -> None:
    with pytest.raises(ValueError, match="units"):
        format_distance(10.0, "yd")


def test_other_formats() -> None:
    assert format_date(date(2026, 3, 3)) == "3 Mar 2026"
    assert format_date(date(2026, 12, 25), year=False) == "25 Dec"
    assert format_ratio(1.6) == "1.6"
    assert format_ratio(1.333) == "1.33"
    assert format_metres(1200.4) == "1,200 m"


# --------------------------------------------------------------------------------------------
# units: messages in miles, evidence in km
# --------------------------------------------------------------------------------------------


def ramp_up_weekly() -> pd.DataFrame:
    return weekly_frame([30.0] * 4 + [48.0])


def comeback_weekly() -> pd.DataFrame:
    return weekly_frame([15.0] * 4 + [0.0, 0.0, 0.0, 40.0])


def after_break_weekly() -> pd.DataFrame:
    return weekly_frame([30.0] * 4 + [0.0, 0.0, 0.0, 40.0])


def deload_weekly() -> pd.DataFrame:
    return weekly_frame([20.0 + 2 * i for i in range(10)])


def downhill_weekly() -> pd.DataFrame:
    return weekly_frame([30.0] * 5, descent=[300.0] * 4 + [1200.0])


def long_run_activities() -> pd.DataFrame:
    return activities([("2026-02-22 08:00", 16.0), ("2026-03-15 09:00", 23.0)])


DISTANCE_RULES = [
    pytest.param(find_ramp_ups, ramp_up_weekly, id="ramp_up"),
    pytest.param(find_ramp_ups, comeback_weekly, id="ramp_up-comeback"),
    pytest.param(find_ramp_ups, after_break_weekly, id="ramp_up-after-break"),
    pytest.param(find_missing_deloads, deload_weekly, id="missing_deload"),
    pytest.param(find_downhill_spikes, downhill_weekly, id="downhill_volume"),
    pytest.param(find_long_run_spikes, long_run_activities, id="long_run_spike"),
]


@pytest.mark.parametrize(("find", "table"), DISTANCE_RULES)
def test_miles_change_the_message_but_not_the_evidence(
    find: Callable[..., list[Finding]], table: Callable[[], pd.DataFrame]
) -> None:
    in_km = find(table())
    in_mi = find(table(), units="mi")
    assert in_km, "the table must trigger the rule"
    assert find(table(), units="km") == in_km  # "km" is the default
    assert len(in_mi) == len(in_km)
    for km_finding, mi_finding in zip(in_km, in_mi, strict=True):
        assert " km" in km_finding.message
        assert " mi" in mi_finding.message
        assert " km" not in mi_finding.message
        assert mi_finding.evidence == km_finding.evidence
        assert dataclasses.replace(mi_finding, message=km_finding.message) == km_finding


def test_ramp_up_message_in_miles() -> None:
    weekly = weekly_frame([m * MILE_KM for m in (19.0, 19.0, 19.0, 19.0, 30.0)])
    (f,) = find_ramp_ups(weekly, units="mi")
    assert f.message.startswith(
        "Week of 2 Feb 2026: 30 mi, 1.58× your previous 4-week average of 19 mi;"
    )
    assert f.evidence["distance_km"] == round(30.0 * MILE_KM, 1)


def test_long_run_message_in_miles() -> None:
    (f,) = find_long_run_spikes(long_run_activities(), units="mi")
    assert f.message.startswith(
        "Run on 15 Mar 2026: 14 mi, 1.44× the longest run of your previous 30 days "
        "(9.9 mi on 22 Feb); keep single runs within 1.3× (13 mi)"
    )


def test_analyze_passes_units_to_every_rule() -> None:
    weekly, acts = every_rule_frames()
    in_km = analyze(weekly, acts)
    in_mi = analyze(weekly, acts, units="mi")
    assert [(f.rule, f.week_start, f.evidence) for f in in_mi] == [
        (f.rule, f.week_start, f.evidence) for f in in_km
    ]
    by_rule = {f.rule: f.message for f in in_mi}
    for rule in ("ramp_up", "missing_deload", "downhill_volume", "long_run_spike"):
        assert " mi" in by_rule[rule]
    assert all(" km" not in f.message for f in in_mi)
    assert [f.message for f in in_mi if f.rule == "low_cadence"] == [
        f.message for f in in_km if f.rule == "low_cadence"
    ]


@pytest.mark.parametrize("units", ["miles", "KM", "", "m"])
def test_unknown_units_are_rejected(units: str) -> None:
    weekly, acts = every_rule_frames()
    with pytest.raises(ValueError, match="units"):
        analyze(weekly, acts, units=units)
    with pytest.raises(ValueError, match="units"):
        analyze(pd.DataFrame(), units=units)  # validated even when nothing is flagged
    for find in (find_ramp_ups, find_missing_deloads, find_downhill_spikes, find_low_cadence):
        with pytest.raises(ValueError, match="units"):
            find(weekly, units=units)
        with pytest.raises(ValueError, match="units"):
            find(pd.DataFrame(), units=units)
    with pytest.raises(ValueError, match="units"):
        find_long_run_spikes(acts, units=units)
    with pytest.raises(ValueError, match="units"):
        find_long_run_spikes(pd.DataFrame(), units=units)


def test_low_cadence_streak_ends_with_weeks_without_running():
    from runaudit.rules import find_low_cadence

    weeks = pd.date_range("2026-01-05", periods=12, freq="7D")
    runs = [3, 3, 3] + [0] * 8 + [3]
    cadence = [150.0, 151.0, 152.0] + [float("nan")] * 8 + [153.0]
    weekly = pd.DataFrame({"week_start": weeks, "runs": runs, "cadence_spm": cadence})
    found = find_low_cadence(weekly)
    assert [f.evidence["consecutive_low_weeks"] for f in found] == [1, 2, 3, 1]
    assert found[-1].severity == "info"
    assert "in a row" not in found[-1].message


def test_long_run_spike_needs_half_a_window_of_history():
    from runaudit.rules import find_long_run_spikes

    runs = pd.DataFrame(
        {
            "start_local": pd.to_datetime(["2026-06-02 08:00", "2026-06-07 08:00"]),
            "distance_km": [10.0, 16.0],
        }
    )
    assert find_long_run_spikes(runs) == []  # five days into the data: unknown baseline
