"""One definition per quantity: the table, the rule and the chart agree."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from runaudit.intake.activities import activities_frame
from runaudit.report.plots import DELOAD_COLOR, plot_long_runs, plot_weekly_distance
from runaudit.report.text import display_frame
from runaudit.rules.long_run import find_long_run_spikes
from runaudit.rules.messages import format_distance
from runaudit.rules.missing_deload import find_missing_deloads
from runaudit.rules.ramp_up import find_ramp_ups
from runaudit.thresholds import Thresholds
from runaudit.training.weekly import weekly_table
from runaudit.units import KM_PER_MILE, km_to

# Weekly distances with deloads (week 3 light, week 8 empty) and ramp-ups.
KM = [30.0, 32.0, 24.0, 31.0, 33.0, 35.0, 50.0, 0.0, 20.0, 45.0, 46.0, 47.0, 49.0, 51.0, 70.0]


def _activities() -> pd.DataFrame:
    rows = []
    monday = pd.Timestamp("2026-01-05 07:00", tz="UTC")
    for week, km in enumerate(KM):
        if km <= 0:
            continue
        for day, share in ((0, 0.3), (3, 0.7)):
            start = monday + pd.Timedelta(weeks=week, days=day)
            rows.append(
                {
                    "activity_id": f"w{week}d{day}",
                    "start_utc": start.timestamp(),
                    "utc_offset_s": 0,
                    "distance_km": km * share,
                    "moving_time_s": km * share * 330,
                }
            )
    return activities_frame(rows)


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    acts = _activities()
    return acts, weekly_table(acts)


def test_chart_hatches_exactly_the_rules_deload_weeks(tables):
    _, weekly = tables
    t = Thresholds(deload_max_streak=3)
    ax = plot_weekly_distance(weekly, thresholds=t)
    hatched = sorted(
        round(p.get_x() + p.get_width() / 2, 3)
        for p in ax.patches
        if p.get_hatch() and p.get_facecolor()[:3] == pytest.approx(_rgb(DELOAD_COLOR))
    )
    # The rule resets its streak exactly on deload weeks: the week after a
    # finding's "last_deload_week" evidence, and the evidence itself, agree.
    findings = find_missing_deloads(weekly, t)
    assert findings
    rule_deloads = {f.evidence["last_deload_week"] for f in findings} - {None}
    starts = pd.to_datetime(weekly["week_start"])
    mid = np.round(mdates.date2num(starts + pd.Timedelta(days=3.5)), 3)
    chart_weeks = {starts[i].date().isoformat() for i, x in enumerate(mid) if x in hatched}
    assert rule_deloads <= chart_weeks
    # Every hatched week resets the rule's streak: no finding counts across it
    # (an episode's evidence is its last week's).
    for f in findings:
        first = pd.Timestamp(f.last_week) - pd.Timedelta(weeks=f.evidence["weeks_without_deload"])
        inside = {w for w in chart_weeks if first < pd.Timestamp(w) <= pd.Timestamp(f.last_week)}
        assert not inside, (f.week_start, inside)
    # 24 km in week 3 comes before 3 weeks of history: a loading week for both.
    assert chart_weeks == {"2026-02-23", "2026-03-02"} == rule_deloads | {"2026-02-23"}


def _rgb(color: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(color)


def test_weekly_acwr_column_is_what_ramp_up_reports(tables):
    _, weekly = tables
    findings = [f for f in find_ramp_ups(weekly) if f.evidence["acwr"] is not None]
    assert len(findings) >= 2
    by_week = weekly.set_index(weekly["week_start"].dt.date)
    for f in findings:
        row = by_week.loc[f.week_start]
        assert f.evidence["acwr"] == round(float(row["acwr"]), 2)
        assert f.evidence["chronic_km"] == round(float(row["chronic_km"]), 1)


def test_long_run_chart_line_is_the_rules_window_value():
    days = ["2026-01-05", "2026-01-12", "2026-01-20", "2026-02-03", "2026-02-10", "2026-02-24"]
    km = [10.0, 12.0, 8.0, 11.0, 20.0, 27.0]
    acts = activities_frame(
        [
            {
                "activity_id": str(i),
                "start_utc": pd.Timestamp(d, tz="UTC").timestamp(),
                "utc_offset_s": 0,
                "distance_km": k,
            }
            for i, (d, k) in enumerate(zip(days, km, strict=True))
        ]
    )
    findings = find_long_run_spikes(acts)
    assert [f.evidence["run_date"] for f in findings] == ["2026-02-10", "2026-02-24"]
    ax = plot_long_runs(acts, findings)
    (line,) = [ln for ln in ax.get_lines() if ln.get_label().startswith("longest run")]
    assert line.get_drawstyle() == "steps-pre"
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    for f in findings:
        at = mdates.date2num(pd.Timestamp(f.evidence["run_date"]))
        (i,) = np.flatnonzero(np.isclose(x, at))
        assert round(y[i], 1) == f.evidence["previous_longest_km"]


def test_km_to_mi_is_the_same_in_messages_and_tables(tables):
    _, weekly = tables
    shown = display_frame(weekly, "mi")
    np.testing.assert_array_equal(
        shown["distance_mi"].to_numpy(), km_to(weekly["distance_km"], "mi").round(2).to_numpy()
    )
    assert format_distance(48.27, "mi") == f"{round(km_to(48.27, 'mi'))} mi" == "30 mi"
    assert km_to(KM_PER_MILE, "mi") == 1.0
    finding = find_ramp_ups(weekly, units="mi")[0]
    km_finding = find_ramp_ups(weekly)[0]
    acute = km_finding.evidence["distance_km"]
    assert format_distance(km_to(acute, "mi") * KM_PER_MILE, "mi") in finding.message
    with pytest.raises(ValueError, match="units must be"):
        km_to(1.0, "miles")
