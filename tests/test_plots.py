"""Tests of runaudit.training.load (training load numbers) and runaudit.report.plots."""

from __future__ import annotations

import ast
import io
from datetime import date
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from runaudit.intake.activities import activities_frame
from runaudit.report import plots
from runaudit.report.plots import (
    KM_PER_MILE,
    SEVERITY_COLORS,
    SEVERITY_MARKERS,
    plot_acwr_methods,
    plot_cadence,
    plot_cadence_distribution,
    plot_descent,
    plot_long_runs,
    plot_weekly_distance,
    report_figures,
)
from runaudit.rules.findings import Finding
from runaudit.training.load import acwr_ewma, acwr_rolling, deload_weeks
from runaudit.training.weekly import WEEKLY_COLUMNS, weekly_table

MONDAY = pd.Timestamp("2026-01-05")
DISTANCE = [20.0, 22.0, 24.0, 26.0, 40.0, 20.0, 30.0, 36.0]
CADENCE = [158.0, np.nan, 162.0, 165.0, np.nan, 170.0, 171.0, 172.0]
DESCENT = [200.0, 220.0, 180.0, 240.0, 900.0, 150.0, 260.0, 280.0]
DOWNHILL = [2.0, 2.2, 1.8, 2.4, 8.0, 1.5, 2.6, 2.8]


def week(i: int) -> date:
    return (MONDAY + pd.Timedelta(weeks=i)).date()


def mid_week_x(i: int) -> float:
    """Where the plots put week ``i``: its middle (Monday + 3.5 days)."""
    return float(mdates.date2num(MONDAY + pd.Timedelta(weeks=i) + pd.Timedelta(days=3.5)))


def finding(rule: str, severity: str, i: int, **evidence: object) -> Finding:
    return Finding(rule, severity, week(i), f"{rule} in week {i}", dict(evidence))


@pytest.fixture
def weekly() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "week_start": pd.date_range(MONDAY, periods=len(DISTANCE), freq="7D"),
            "runs": 4,
            "distance_km": DISTANCE,
            "moving_time_s": [d * 330 for d in DISTANCE],
            "long_run_km": [d / 3 for d in DISTANCE],
            "ascent_m": DESCENT,
            "descent_m": DESCENT,
            "downhill_km": DOWNHILL,
            "cadence_spm": CADENCE,
        }
    )
    frame[["chronic_km", "acwr"]] = acwr_rolling(frame["distance_km"])
    frame["acwr_time"] = acwr_rolling(frame["moving_time_s"].astype(float))["acwr"]
    frame["trail_km"] = frame["treadmill_km"] = 0.0
    frame["incomplete"] = False
    return frame[list(WEEKLY_COLUMNS)]


def run_row(day: str, km: float, ident: str, run_spm: float, spm: float) -> dict[str, object]:
    return {
        "activity_id": ident,
        "start_utc": pd.Timestamp(day, tz="UTC").timestamp(),
        "utc_offset_s": 0,
        "distance_km": km,
        "moving_time_s": km * 330,
        "run_cadence_spm": run_spm,
        "cadence_spm": spm,
    }


@pytest.fixture
def activities() -> pd.DataFrame:
    return activities_frame(
        [
            run_row("2026-01-05 07:00", 10.0, "a", 160.0, 158.0),
            run_row("2026-01-12 07:00", 12.0, "b", np.nan, 166.0),
            run_row("2026-01-20 07:00", 8.0, "c", np.nan, np.nan),
            run_row("2026-02-10 07:00", 20.0, "d", 170.0, 169.0),
            run_row("2026-02-14 07:00", 6.0, "e", 171.0, 171.0),
        ]
    )


def empty_weekly() -> pd.DataFrame:
    return weekly_table(activities_frame([]))


def empty_activities() -> pd.DataFrame:
    return activities_frame([])


def all_axes(ax: Axes) -> list[Axes]:
    """``ax`` and its twins."""
    return [ax, *ax.get_shared_x_axes().get_siblings(ax)]


def flags(ax: Axes, gid: str) -> list[Collection]:
    """Flag markers drawn with ``gid`` ("<rule>:<severity>") on ``ax`` or its twins."""
    seen: dict[int, Collection] = {}
    for each in all_axes(ax):
        for art in each.collections:
            if art.get_gid() == gid:
                seen[id(art)] = art
    return list(seen.values())


def bar_heights(ax: Axes) -> list[float]:
    """Heights of all bars, in x order."""
    bars = [p for c in ax.containers for p in c]
    return [b.get_height() for b in sorted(bars, key=lambda b: b.get_x())]


def xs(artist: Line2D) -> np.ndarray:
    return np.asarray(artist.get_xdata(), dtype=float)


def ys(artist: Line2D) -> np.ndarray:
    return np.asarray(artist.get_ydata(), dtype=float)


def offsets(art: Collection) -> np.ndarray:
    return np.asarray(art.get_offsets(), dtype=float)


def lines(ax: Axes, prefix: str) -> list[Line2D]:
    return [ln for ln in ax.get_lines() if str(ln.get_label()).startswith(prefix)]


def hex_of(colors: object) -> str:
    """The first colour of a collection's face or edge colours, as ``#rrggbb``."""
    return to_hex(tuple(np.asarray(colors, dtype=float).reshape(-1, 4)[0]))


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def no_pyplot_figures() -> bool:
    return plt.get_fignums() == []


PLOTTERS = {
    "weekly_distance": lambda w, a, **kw: plot_weekly_distance(w, **kw),
    "descent": lambda w, a, **kw: plot_descent(w, **kw),
    "cadence": lambda w, a, **kw: plot_cadence(w, **kw),
    "cadence_distribution": lambda w, a, **kw: plot_cadence_distribution(a, **kw),
    "long_runs": lambda w, a, **kw: plot_long_runs(a, **kw),
    "acwr_methods": lambda w, a, **kw: plot_acwr_methods(w, **kw),
}


# --- runaudit.training.load ----------------------------------------------------------


def test_acwr_rolling_matches_weekly_table() -> None:
    days = pd.date_range("2026-01-05 07:00", periods=9, freq="7D")
    km = [30.0, 32.0, 28.0, 0.0, 35.0, 40.0, 52.0, 20.0, 44.0]
    rows = [
        run_row(str(d), k, f"r{i}", 170.0, 170.0)
        for i, (d, k) in enumerate(zip(days, km, strict=True))
        if k
    ]
    table = weekly_table(activities_frame(rows))
    got = acwr_rolling(table["distance_km"])
    pd.testing.assert_series_equal(got["chronic_km"], table["chronic_km"], check_names=False)
    pd.testing.assert_series_equal(got["acwr"], table["acwr"], check_names=False)
    assert got["chronic_km"].iloc[4] == pytest.approx(22.5)
    assert got["acwr"].iloc[6] == pytest.approx(52.0 / ((28.0 + 0.0 + 35.0 + 40.0) / 4))


def test_acwr_rolling_nan_early_and_when_chronic_is_zero() -> None:
    got = acwr_rolling(pd.Series([0.0, 0.0, 0.0, 0.0, 10.0, 10.0]), chronic_weeks=4)
    assert got["chronic_km"].isna().tolist() == [True] * 4 + [False, False]
    assert np.isnan(got["acwr"].iloc[4])
    assert got["acwr"].iloc[5] == pytest.approx(10.0 / 2.5)


def test_acwr_ewma_constant_series_is_one() -> None:
    got = acwr_ewma(pd.Series([25.0] * 10), chronic_weeks=4)
    assert got["acwr"].iloc[:4].isna().all()
    np.testing.assert_allclose(got["acwr"].iloc[4:], 1.0)
    np.testing.assert_allclose(got["chronic_km"].iloc[4:], 25.0)


def test_acwr_ewma_follows_williams_recursion() -> None:
    km = [10.0, 20.0, 30.0, 40.0, 50.0]
    lam = 2 / (3 + 1)
    e = [km[0]]
    for k in km[1:]:
        e.append(lam * k + (1 - lam) * e[-1])
    got = acwr_ewma(pd.Series(km), chronic_weeks=3)
    assert got["chronic_km"].iloc[3] == pytest.approx(e[2])
    assert got["chronic_km"].iloc[4] == pytest.approx(e[3])
    assert got["acwr"].iloc[4] == pytest.approx(50.0 / e[3])
    assert got["acute_km"].tolist() == km


def test_acwr_rejects_bad_window() -> None:
    with pytest.raises(ValueError, match="chronic_weeks"):
        acwr_rolling(pd.Series([1.0]), chronic_weeks=0)
    with pytest.raises(ValueError, match="acute_weeks"):
        acwr_ewma(pd.Series([1.0]), acute_weeks=0)


def test_deload_weeks_exact() -> None:
    frame = pd.DataFrame(
        {
            "week_start": pd.date_range(MONDAY, periods=9, freq="7D"),
            # 3rd week 0 km: a deload even before 3 weeks of history exist.
            "distance_km": [30.0, 20.0, 0.0, 40.0, 34.0, 34.1, 30.0, 10.0, 40.0],
        }
    )
    got = deload_weeks(frame)
    # 34.0 = 0.85 × 40 exactly: "at most" counts it; 34.1 does not.
    assert got.tolist() == [False, False, True, False, True, False, True, True, False]
    assert got.dtype == bool
    assert got.index.equals(frame.index)
    assert deload_weeks(frame, ratio=0.5, lookback_weeks=1).tolist() == [
        False,
        False,
        True,
        False,
        False,
        False,
        False,
        True,
        False,
    ]


def test_deload_weeks_counts_missing_weeks_as_empty() -> None:
    frame = pd.DataFrame(
        {
            "week_start": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-26", "2026-02-02"]),
            "distance_km": [30.0, 30.0, 30.0, 24.0],
        }
    )
    # The missing week of 19 Jan is a 0 km week: the next two weeks have 3 weeks of history.
    assert deload_weeks(frame).tolist() == [False, False, False, True]


def test_deload_weeks_empty() -> None:
    got = deload_weeks(empty_weekly())
    assert got.empty and got.dtype == bool


# --- plots: Axes in, Axes out ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PLOTTERS))
def test_returns_axes_of_a_pyplot_free_figure(name, weekly, activities) -> None:
    ax = PLOTTERS[name](weekly, activities)
    assert isinstance(ax, Axes)
    assert isinstance(ax.figure, Figure)
    assert no_pyplot_figures()


@pytest.mark.parametrize("name", sorted(PLOTTERS))
def test_draws_into_the_given_axes(name, weekly, activities) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert PLOTTERS[name](weekly, activities, ax=ax) is ax
    assert ax.has_data()
    assert no_pyplot_figures()


@pytest.mark.parametrize("name", sorted(PLOTTERS))
def test_empty_tables_work(name) -> None:
    fig = Figure()
    ax = PLOTTERS[name](empty_weekly(), empty_activities(), ax=fig.add_subplot())
    assert isinstance(ax, Axes)
    fig.savefig(io.BytesIO(), format="png")


def test_invalid_units_raise(weekly, activities) -> None:
    with pytest.raises(ValueError, match="units"):
        plot_weekly_distance(weekly, units="furlongs")
    with pytest.raises(ValueError, match="units"):
        report_figures(weekly, activities, [], units="m")


# --- weekly distance -------------------------------------------------------------------------


def test_weekly_distance_bars_in_km_and_mi(weekly) -> None:
    km_ax = plot_weekly_distance(weekly)
    mi_ax = plot_weekly_distance(weekly, units="mi")
    assert km_ax.get_ylabel() == "distance [km]"
    assert mi_ax.get_ylabel() == "distance [mi]"
    np.testing.assert_allclose(bar_heights(km_ax), DISTANCE)
    np.testing.assert_allclose(bar_heights(mi_ax), [d / 1.609344 for d in DISTANCE])
    assert KM_PER_MILE == 1.609344


def test_weekly_distance_deload_bars_are_hatched_and_in_legend(weekly) -> None:
    ax = plot_weekly_distance(weekly)
    # Weeks 5 (20 km) and 6 (30 km) are ≤ 85% of 40; week 7 (36 km) is 90%.
    deload = deload_weeks(weekly).to_numpy()
    assert deload.tolist() == [False, False, False, False, False, True, True, False]
    bars = sorted((p for c in ax.containers for p in c), key=lambda b: b.get_x())
    assert [bool(b.get_hatch()) for b in bars] == deload.tolist()
    labels = legend_texts(ax)
    assert any(label.startswith("deload week") for label in labels)


def test_weekly_distance_ratio_on_twin_axis(weekly) -> None:
    ax = plot_weekly_distance(weekly)
    twins = [a for a in all_axes(ax) if a is not ax]
    assert len(twins) == 1
    twin = twins[0]
    assert twin.get_ylabel() == "ACWR [ratio]"
    (line,) = lines(twin, "ACWR (")
    np.testing.assert_allclose(ys(line), weekly["acwr"], equal_nan=True)
    np.testing.assert_allclose(xs(line), [mid_week_x(i) for i in range(len(DISTANCE))])
    (alert,) = lines(twin, "ACWR 1.5")
    assert ys(alert)[0] == 1.5
    band = [
        p
        for p in ax.patches
        if isinstance(p, Rectangle) and str(p.get_label()).startswith("ACWR 0.8")
    ]
    assert [(b.get_y(), b.get_y() + b.get_height()) for b in band] == [(0.8, 1.3)]


def test_weekly_distance_marks_flagged_weeks(weekly) -> None:
    found = [
        finding("ramp_up", "alert", 4, acwr=1.74),
        finding("missing_deload", "warning", 7),
        finding("low_cadence", "warning", 0),  # not this plot's rule
    ]
    ax = plot_weekly_distance(weekly, found, units="mi")
    (ramp,) = flags(ax, "ramp_up:alert")
    (x, y), *_ = offsets(ramp)
    assert x == pytest.approx(mid_week_x(4))
    assert y == pytest.approx(weekly["acwr"].iloc[4])
    assert hex_of(ramp.get_facecolor()) == SEVERITY_COLORS["alert"].lower()
    (deload,) = flags(ax, "missing_deload:warning")
    (x, y), *_ = offsets(deload)
    assert x == pytest.approx(mid_week_x(7))
    assert y > DISTANCE[7] / KM_PER_MILE
    assert hex_of(deload.get_edgecolor()) == SEVERITY_COLORS["warning"].lower()
    assert not flags(ax, "low_cadence:warning")
    labels = legend_texts(ax)
    assert "ramp-up: alert" in labels and "no deload: warning" in labels


def test_most_severe_finding_of_a_week_wins(weekly) -> None:
    found = [finding("ramp_up", "warning", 4), finding("ramp_up", "alert", 4)]
    ax = plot_weekly_distance(weekly, found)
    assert flags(ax, "ramp_up:alert") and not flags(ax, "ramp_up:warning")


def test_severity_shapes_differ() -> None:
    assert len(set(SEVERITY_MARKERS.values())) == 3
    assert len(set(SEVERITY_COLORS.values())) == 3


# --- descent ---------------------------------------------------------------------------------


def test_descent_bars_twin_and_flag(weekly) -> None:
    ax = plot_descent(weekly, [finding("downhill_volume", "alert", 4)], units="mi")
    assert ax.get_ylabel() == "descent [m]"
    np.testing.assert_allclose(bar_heights(ax), DESCENT)
    (twin,) = [a for a in all_axes(ax) if a is not ax]
    assert twin.get_ylabel() == "downhill distance [mi]"
    np.testing.assert_allclose(ys(twin.get_lines()[0]), np.array(DOWNHILL) / KM_PER_MILE)
    (mark,) = flags(ax, "downhill_volume:alert")
    (x, y), *_ = offsets(mark)
    assert x == pytest.approx(mid_week_x(4))
    assert y > DESCENT[4]


# --- cadence ---------------------------------------------------------------------------------


def test_cadence_gaps_not_zeros(weekly) -> None:
    ax = plot_cadence(weekly, [finding("low_cadence", "warning", 0)])
    assert ax.get_ylabel() == "cadence [steps/min]"
    (line,) = lines(ax, "weekly cadence")
    y = ys(line)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(CADENCE))
    assert not (y == 0).any()
    assert ax.get_ylim()[0] > 100
    (mark,) = flags(ax, "low_cadence:warning")
    np.testing.assert_allclose(offsets(mark), [[mid_week_x(0), 158.0]])


def test_cadence_reference_lines(weekly) -> None:
    ax = plot_cadence(weekly)
    (low,) = lines(ax, "low-cadence line")
    assert ys(low)[0] == 160
    labels = legend_texts(ax)
    assert "target 165–180 spm" in labels


def test_cadence_all_nan_says_so(weekly) -> None:
    ax = plot_cadence(weekly.assign(cadence_spm=np.nan))
    assert "no cadence data" in [t.get_text() for t in ax.texts]


def test_cadence_distribution_falls_back_to_cadence_spm(activities) -> None:
    ax = plot_cadence_distribution(activities)
    # 4 runs have a cadence (run "b" through the cadence_spm fallback), run "c" none.
    bars = [p for c in ax.containers for p in c]
    assert sum(b.get_height() for b in bars) == 4
    assert ax.get_xlabel() == "cadence per run [steps/min]"
    (median,) = lines(ax, "median")
    assert xs(median)[0] == pytest.approx(np.median([160.0, 166.0, 170.0, 171.0]))


# --- long runs -------------------------------------------------------------------------------


def test_long_runs_points_step_line_and_spike(activities) -> None:
    spike = Finding(
        "long_run_spike",
        "warning",
        date(2026, 2, 9),
        "long run",
        {"activity_id": "d", "ratio": 1.67, "run_date": "2026-02-10"},
    )
    ax = plot_long_runs(activities, [spike], units="mi")
    assert ax.get_ylabel() == "run distance [mi]"
    (runs,) = [c for c in ax.collections if c.get_label() == "run"]
    np.testing.assert_allclose(
        offsets(runs)[:, 1], np.array([10.0, 12.0, 8.0, 20.0, 6.0]) / KM_PER_MILE
    )
    (mark,) = flags(ax, "long_run_spike:warning")
    (x, y), *_ = offsets(mark)
    assert x == pytest.approx(mdates.date2num(pd.Timestamp("2026-02-10 07:00")))
    assert y == pytest.approx(20.0 / KM_PER_MILE)
    assert "×1.67" in [t.get_text() for t in ax.texts]
    (step,) = lines(ax, "longest run")
    # Just before run "d" (10 Feb) the window holds runs b (12 km, 12 Jan) and c (8 km).
    # The line is drawn where="pre": each value holds on the interval ending at its x.
    assert step.get_drawstyle() == "steps-pre"
    step_x, step_y = xs(step), ys(step)
    before = mdates.date2num(pd.Timestamp("2026-02-09 12:00"))
    assert step_y[np.searchsorted(step_x, before, side="left")] == pytest.approx(12.0 / KM_PER_MILE)


def test_long_runs_spike_matched_by_date_without_id(activities) -> None:
    spike = Finding("long_run_spike", "alert", date(2026, 2, 9), "", {"run_date": "2026-02-10"})
    ax = plot_long_runs(activities.drop(columns="activity_id"), [spike])
    (mark,) = flags(ax, "long_run_spike:alert")
    assert offsets(mark)[0][1] == pytest.approx(20.0)


# --- ACWR methods ----------------------------------------------------------------------------


def test_acwr_methods_lines(weekly) -> None:
    ax = plot_acwr_methods(weekly, chronic_weeks=3)
    rolling, ewma = ax.get_lines()[-2:]
    np.testing.assert_allclose(
        ys(rolling), acwr_rolling(weekly["distance_km"], 3)["acwr"], equal_nan=True
    )
    np.testing.assert_allclose(
        ys(ewma), acwr_ewma(weekly["distance_km"], 3)["acwr"], equal_nan=True
    )
    assert rolling.get_linestyle() != ewma.get_linestyle()


# --- report_figures --------------------------------------------------------------------------


def test_report_figures(weekly, activities) -> None:
    found = [finding("ramp_up", "alert", 4), finding("low_cadence", "info", 2)]
    figures = report_figures(weekly, activities, found, units="mi")
    assert list(figures) == [
        "weekly_distance",
        "descent",
        "cadence",
        "cadence_distribution",
        "long_runs",
    ]
    for fig in figures.values():
        assert isinstance(fig, Figure)
        assert tuple(fig.get_size_inches()) == pytest.approx((10.0, 4.0))
        assert fig.get_layout_engine() is not None
        fig.savefig(io.BytesIO(), format="png")
    assert figures["weekly_distance"].axes[0].get_ylabel() == "distance [mi]"
    assert no_pyplot_figures()


def test_report_figures_empty_and_one_week(activities) -> None:
    for acts in (empty_activities(), activities.iloc[:1]):
        table = weekly_table(acts)
        figures = report_figures(table, acts, [])
        assert len(figures) == 5
        for fig in figures.values():
            fig.savefig(io.BytesIO(), format="png")
    assert no_pyplot_figures()


def test_plots_module_never_imports_pyplot() -> None:
    tree = ast.parse(Path(plots.__file__).read_text(encoding="utf-8"))
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [
        f"{n.module}.{a.name}"
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module
        for a in n.names
    ]
    assert not [name for name in imported if "pyplot" in name]
