"""The report's view model: captions from the thresholds in force, the chart window,
the plan partial, the roster page."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from runaudit.audit import load_export
from runaudit.cli import cli
from runaudit.report import plots
from runaudit.report.html import render_html
from runaudit.report.view import build_view, chart_views, plan_view
from runaudit.thresholds import Thresholds

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def audit():
    return load_export(SAMPLE, use_cache=False, jobs=1)


def _captions(view) -> dict[str, str]:
    return {c.name: c.caption for cs in view.charts.values() for c in cs}


def test_set_low_cadence_shows_in_the_caption_and_the_chart_line(tmp_path):
    """Issue 17's done-when: --set low_cadence_spm=150 is the caption's and the line's."""
    out = tmp_path / "r"
    result = CliRunner().invoke(
        cli,
        ["report", str(SAMPLE), "--set", "low_cadence_spm=150", "--out", str(out), "-q"],
    )
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    assert "<figcaption>Weekly running cadence over every week, with the 150 spm" in html
    assert "160 spm" not in html
    audit = load_export(SAMPLE, use_cache=False, jobs=1, thresholds=Thresholds(low_cadence_spm=150))
    figures = plots.report_figures(
        audit.weekly,
        audit.activities,
        audit.findings,
        thresholds=audit.thresholds,
        names=["cadence"],
    )
    (ax,) = figures["cadence"].axes
    (line,) = [x for x in ax.get_lines() if x.get_label().startswith("low-cadence line")]
    assert line.get_label() == "low-cadence line 150 spm"
    assert list(line.get_ydata()) == [150, 150]


def test_every_caption_reads_the_thresholds_in_force(audit):
    t = Thresholds(
        acwr_warning=1.2,
        acwr_alert=1.6,
        pain_warning=4,
        long_run_ratio=1.1,
        target_cadence_low_spm=168,
        long_run_window_days=42,
    )
    default = _captions(build_view(audit))
    changed = _captions(build_view(dataclasses.replace(audit, thresholds=t)))
    assert "0.8–1.3 target band and its 1.5 high-risk line" in default["weekly_distance"]
    assert "its line at 5/10" in default["weekly_distance"]
    assert "0.8–1.2 target band and its 1.6 high-risk line" in changed["weekly_distance"]
    assert "its line at 4/10" in changed["weekly_distance"]
    assert "168–180 spm target band" in changed["cadence"]
    assert "previous 42 days; a run above 1.1× that" in changed["long_runs"]


def test_the_easier_version_names_the_pain_threshold_and_keeps_the_dose(audit):
    plan = dataclasses.replace(
        audit.plan,
        exercises=tuple(
            dataclasses.replace(p, version="easier", how=p.exercise.regression)
            for p in audit.plan.exercises
        ),
    )
    view = plan_view(plan, Thresholds(pain_warning=3), "km")
    first = view.exercises[0]
    assert first.version_label == "Make it easier (knee pain is above 3/10)"
    assert first.how == audit.plan.exercises[0].exercise.regression
    assert first.dose == audit.plan.exercises[0].exercise.dose_text and first.short_dose


def _long_history(weeks: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    starts = pd.date_range("2025-01-06", periods=weeks, freq="7D")
    km = 20 + 10 * np.sin(np.arange(weeks) / 3)
    weekly = pd.DataFrame(
        {
            "week_start": starts,
            "runs": 3,
            "distance_km": km,
            "moving_time_s": km * 330,
            "descent_m": km * 8,
            "downhill_km": km / 3,
            "cadence_spm": np.full(weeks, 170.0),
            "acwr": np.nan,
        }
    )
    acts = pd.DataFrame(
        {
            "activity_id": [f"a{i}" for i in range(weeks)],
            "start_local": starts + pd.Timedelta(days=6, hours=8),
            "distance_km": km / 2,
            "run_cadence_spm": 170.0,
        }
    )
    return weekly, acts


def test_weekly_charts_show_the_last_weeks_and_the_history_all(tmp_path):
    weekly, acts = _long_history(60)
    figures = plots.report_figures(weekly, acts, [], weeks=26)
    assert set(figures) == {
        "weekly_distance",
        "history",
        "descent",
        "cadence",
        "cadence_distribution",
        "long_runs",
    }
    first_shown = weekly["week_start"].iloc[-26]
    for name in ("weekly_distance", "descent", "cadence", "long_runs"):
        ax = figures[name].axes[0]
        left = pd.Timestamp(plots.mdates.num2date(ax.get_xlim()[0])).tz_localize(None)
        assert first_shown - pd.Timedelta(days=7) < left <= first_shown, name
    bars = figures["weekly_distance"].axes[0].patches
    assert len([b for b in bars if b.get_width() == 6.0]) == 26
    history = figures["history"].axes[0]
    assert len(history.patches) == 60
    left = pd.Timestamp(plots.mdates.num2date(history.get_xlim()[0])).tz_localize(None)
    assert left <= weekly["week_start"].iloc[0]
    everything = plots.report_figures(weekly, acts, [], weeks=None)
    assert "history" not in everything
    assert len(everything["weekly_distance"].axes[0].patches) >= 60
    view = chart_views(
        SimpleNamespace(thresholds=Thresholds(), weekly=weekly, activities=acts), weeks=26
    )
    names = [c.name for c in view["load"]]
    assert names == ["weekly_distance", "history"]
    assert "over the last 26 weeks" in view["load"][0].caption
    assert "all 60 weeks" in view["load"][1].caption


def test_report_weeks_option(tmp_path):
    out = tmp_path / "r"
    result = CliRunner().invoke(
        cli, ["report", str(SAMPLE), "--weeks", "8", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    assert 'id="fig-history"' in html and (out / "history.png").exists()
    assert "over the last 8 weeks" in html and "all 20 weeks" in html


def test_a_day_by_day_plan_renders_in_its_partial(audit):
    """The coming day-by-day week (``days``: date, run_km, strength ids, notes) shows as
    a table in the plan partial without other changes."""
    days = [
        {
            "date": "2026-09-21",
            "run_km": 8.0,
            "strength": ["forward_step_down", "clamshell"],
            "notes": ["easy"],
        },
        {"date": "2026-09-22", "run_km": 0.0, "strength": [], "notes": []},
    ]
    plan = SimpleNamespace(**{**vars(audit.plan), "days": days})
    view = dataclasses.replace(build_view(audit), plan=plan_view(plan, audit.thresholds, "mi"))
    html = render_html(view, {})
    table = html.split('id="plan-days"')[1].split("</table>")[0]
    assert '<td>Mon 21 Sep 2026</td><td class="run">5 mi</td>' in table
    assert "Forward step-down, Clamshell" in table and "<td>easy</td>" in table
    assert '<td>Tue 22 Sep 2026</td><td class="run">rest</td>' in table


def test_roster_page_comes_from_its_template_and_escapes_names():
    from runaudit.report.roster_page import RosterRow, render_roster

    page = render_roster(
        [RosterRow("<b>Ann</b> & co", "Ann", None, "could not be read: bad zip")],
        generated="today",
    )
    assert "<td>&lt;b&gt;Ann&lt;/b&gt; &amp; co</td>" in page and "<b>Ann" not in page
    assert "could not be read: bad zip" in page and "<style>" in page
