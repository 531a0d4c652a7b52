"""Plots of the weekly and activities tables, with the findings marked.

Every ``plot_*`` function draws into ``ax`` (or, when ``ax`` is None, into a
new :class:`matplotlib.figure.Figure` made without pyplot) and returns the
Axes; nothing here shows or saves a figure. :func:`report_figures` builds the
report's five figures.

Colours come from the Okabe–Ito palette, which stays distinct for the common
colour-vision deficiencies. A flagged week or run is marked in its severity's
colour *and* shape (:data:`SEVERITY_MARKERS`), and the legend names rule and
severity in words, so the plots read without colour too.

Examples
--------
>>> import pandas as pd
>>> weekly = pd.DataFrame({
...     "week_start": pd.date_range("2026-01-05", periods=3, freq="7D"),
...     "distance_km": [20.0, 24.0, 30.0],
... })
>>> ax = plot_weekly_distance(weekly, units="mi")
>>> ax.get_ylabel()
'distance [mi]'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import blended_transform_factory

from runaudit.rules.findings import SEVERITIES, Finding
from runaudit.rules.registry import RULE_LIST
from runaudit.thresholds import Thresholds
from runaudit.training.load import acwr_ewma, acwr_rolling, deload_weeks, longest_run_before
from runaudit.units import KM_PER_MILE, check_units, km_to

__all__ = [
    "ACWR_BAND_LOW",
    "BAND_COLOR",
    "DATA_COLOR",
    "DELOAD_COLOR",
    "FIGSIZE",
    "KM_PER_MILE",
    "LINE_COLOR",
    "OKABE_ITO",
    "RULE_LABELS",
    "SEVERITY_COLORS",
    "SEVERITY_MARKERS",
    "plot_acwr_methods",
    "plot_cadence",
    "plot_cadence_distribution",
    "plot_descent",
    "plot_history",
    "plot_long_runs",
    "plot_weekly_distance",
    "report_figures",
]

#: The Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Colour of each finding severity.
SEVERITY_COLORS: dict[str, str] = {
    "info": OKABE_ITO["blue"],
    "warning": OKABE_ITO["orange"],
    "alert": OKABE_ITO["vermillion"],
}
#: Marker of each finding severity, so severity reads without colour.
SEVERITY_MARKERS: dict[str, str] = {"info": "o", "warning": "^", "alert": "D"}
#: Words for each rule in legends: the rule records' labels (the cards use the same).
RULE_LABELS: dict[str, str] = {rule.id: rule.label for rule in RULE_LIST}
#: Bars and points of the data itself.
DATA_COLOR = OKABE_ITO["sky_blue"]
#: Deload-week bars (lighter than :data:`DATA_COLOR`, and hatched).
DELOAD_COLOR = "#C6E5F7"
#: Lines of derived values (ACWR, downhill distance, cadence).
LINE_COLOR = OKABE_ITO["black"]
#: Shading of target ranges (ACWR 0.8–1.3, cadence 165–180 spm).
BAND_COLOR = OKABE_ITO["bluish_green"]
#: Lower end of Gabbett's (2016) ACWR "sweet spot" [ratio].
ACWR_BAND_LOW = 0.8
#: Size of each report figure [in]: a web page's content width.
FIGSIZE: tuple[float, float] = (10.0, 4.0)

_BAR_DAYS = 6.0  # bar width [days]; a week's bar spans Monday to Sunday
_BAND_ALPHA = 0.15
_MARKER_SIZE = 46.0  # [points²]


def _axes(ax: Axes | None) -> Axes:
    """``ax``, or the Axes of a new pyplot-free Figure."""
    if ax is not None:
        return ax
    return Figure(figsize=FIGSIZE, layout="constrained").add_subplot()


def _week_starts(weekly: pd.DataFrame) -> pd.DatetimeIndex:
    starts = pd.DatetimeIndex(pd.to_datetime(weekly["week_start"]))
    return starts.tz_localize(None) if starts.tz is not None else starts


def _week_x(starts: pd.DatetimeIndex) -> np.ndarray:
    """Matplotlib date numbers of the middle of each week (Monday + 3.5 days)."""
    return np.asarray(mdates.date2num(starts + pd.Timedelta(days=3.5)), dtype=float)


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _no_data(ax: Axes, text: str, *, x_ticks: bool = False, y_ticks: bool = False) -> None:
    """Say there is nothing to plot; drop ticks that would mean nothing."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.4")
    if not x_ticks:
        ax.xaxis.set_major_locator(NullLocator())
    if not y_ticks:
        ax.yaxis.set_major_locator(NullLocator())


def _time_xlim(ax: Axes, first: float, last: float, pad: float = 3.5) -> None:
    """Show ``first``–``last`` [date numbers] padded, over at least four weeks."""
    pad = max(pad, (28.0 - (last - first)) / 2)
    ax.set_xlim(first - pad, last + pad)


def _week_xlim(ax: Axes, starts: pd.DatetimeIndex) -> None:
    x = _week_x(starts)
    _time_xlim(ax, float(x.min()), float(x.max()))


def _worst(findings: Iterable[Finding], rule: str) -> dict[pd.Timestamp, str]:
    """Week start → the most severe severity among the rule's findings.

    An episode marks every week it covers (``Finding.weeks``) with its severity.
    """
    out: dict[pd.Timestamp, str] = {}
    for f in findings:
        if f.rule != rule:
            continue
        for day in f.weeks:
            week = pd.Timestamp(day).normalize()
            if week not in out or _rank(f.severity) > _rank(out[week]):
                out[week] = f.severity
    return out


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _mark(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    rule: str,
    severity: str,
    *,
    hollow: bool = False,
    size: float = _MARKER_SIZE,
) -> PathCollection:
    """Flag markers: severity colour and shape; gid ``"<rule>:<severity>"``."""
    colour = SEVERITY_COLORS.get(severity, OKABE_ITO["reddish_purple"])
    marker = SEVERITY_MARKERS.get(severity, "s")
    style: dict[str, Any] = (
        {"facecolors": "white", "edgecolors": colour, "linewidths": 1.8}
        if hollow
        else {"color": colour, "edgecolors": "black", "linewidths": 0.6}
    )
    art = ax.scatter(
        x,
        y,
        s=size,
        marker=marker,
        zorder=5,
        clip_on=False,
        label=f"{RULE_LABELS.get(rule, rule)}: {severity}",
        **style,
    )
    art.set_gid(f"{rule}:{severity}")
    return art


def _mark_weeks(
    ax: Axes,
    starts: pd.DatetimeIndex,
    y: np.ndarray,
    findings: Iterable[Finding],
    rule: str,
    *,
    hollow: bool = False,
) -> list[PathCollection]:
    """Mark the weeks of ``starts`` a rule flagged, at height ``y`` of that week."""
    worst = _worst(findings, rule)
    row = {week: i for i, week in enumerate(starts)}
    x = _week_x(starts)
    arts = []
    for severity in ("info", "warning", "alert"):
        rows = [row[w] for w, s in worst.items() if s == severity and w in row]
        keep = [i for i in sorted(rows) if np.isfinite(y[i])]
        if keep:
            arts.append(_mark(ax, x[keep], y[keep], rule, severity, hollow=hollow))
    return arts


def _legend(ax: Axes, extra: Iterable[Axes] = (), ncols: int = 4) -> None:
    """One legend above the plot for ``ax`` and its twins, flags last."""
    handles, labels = ax.get_legend_handles_labels()
    for other in extra:
        h, lab = other.get_legend_handles_labels()
        handles += h
        labels += lab
    if not handles:
        return
    pairs = sorted(zip(handles, labels, strict=True), key=lambda p: _is_flag(p[0]))
    ax.legend(
        [h for h, _ in pairs],
        [lab for _, lab in pairs],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncols=min(ncols, len(pairs)),
        frameon=False,
        fontsize="small",
        borderaxespad=0.0,
        handlelength=1.6,
        columnspacing=1.2,
    )


def _is_flag(artist: Any) -> bool:
    gid = artist.get_gid() if hasattr(artist, "get_gid") else None
    return isinstance(gid, str) and ":" in gid


def _shown(rows: int, weeks: int | None) -> slice:
    """The rows of a weekly table a chart of the latest ``weeks`` weeks shows."""
    return slice(max(0, rows - weeks) if weeks is not None else 0, None)


def _headroom(ax: Axes, values: np.ndarray, share: float = 0.15) -> None:
    finite = values[np.isfinite(values)]
    if finite.size and finite.max() > 0:
        ax.set_ylim(0, float(finite.max()) * (1 + share))


def plot_weekly_distance(
    weekly: pd.DataFrame,
    findings: Iterable[Finding] = (),
    *,
    thresholds: Thresholds | None = None,
    ax: Axes | None = None,
    units: str = "km",
    weeks: int | None = None,
) -> Axes:
    """Weekly distance bars with the acute:chronic ratio on a twin axis.

    Deload weeks (:func:`runaudit.training.load.deload_weeks`) are lighter and hatched.
    The ratio (:func:`runaudit.training.load.acwr_rolling`) is drawn on a twin y axis,
    with the 0.8–``acwr_warning`` band shaded and the ``acwr_alert`` line
    dashed. ``ramp_up`` weeks are marked on the ratio line, ``missing_deload``
    weeks by a hollow marker above the bar, both in severity colour and shape.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` and ``distance_km`` [km].
    findings : iterable of Finding, optional
        Only ``ramp_up`` and ``missing_deload`` findings are drawn.
    thresholds : Thresholds, optional
        Uses ``chronic_weeks``, ``acwr_warning``, ``acwr_alert``,
        ``deload_ratio`` and ``deload_lookback_weeks``. Defaults to ``Thresholds()``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.
    units : {"km", "mi"}, default "km"
        Display unit of the distances.
    weeks : int, optional
        Show only the latest ``weeks`` weeks (ratios and deloads still computed from
        the whole table); all weeks when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` (the distance axis); the ratio's twin is ``ax`` 's only twin.
    """
    t = thresholds or Thresholds()
    check_units(units)
    findings = tuple(findings)
    ax = _axes(ax)
    ax.set_ylabel(f"distance [{units}]")
    _date_axis(ax)
    if weekly.empty:
        _no_data(ax, "no runs")
        return ax
    km_all = np.nan_to_num(_values(weekly, "distance_km"))
    deload_all = deload_weeks(weekly, t.deload_ratio, t.deload_lookback_weeks).to_numpy()
    acwr_all = acwr_rolling(pd.Series(km_all), t.chronic_weeks)["acwr"].to_numpy()
    time_all = (
        acwr_rolling(pd.Series(np.nan_to_num(_values(weekly, "moving_time_s"))), t.chronic_weeks)[
            "acwr"
        ].to_numpy()
        if "moving_time_s" in weekly.columns
        else None
    )
    shown = _shown(len(weekly), weeks)
    weekly = weekly.iloc[shown]
    starts = _week_starts(weekly)
    x = _week_x(starts)
    km, deload, acwr = km_all[shown], deload_all[shown], acwr_all[shown]
    dist = km_to(km, units)
    _week_xlim(ax, starts)
    ax.bar(x[~deload], dist[~deload], width=_BAR_DAYS, color=DATA_COLOR, label="weekly distance")
    if deload.any():
        ax.bar(
            x[deload],
            dist[deload],
            width=_BAR_DAYS,
            color=DELOAD_COLOR,
            edgecolor=DATA_COLOR,
            hatch="///",
            linewidth=0.8,
            label=(
                f"deload week (≤ {t.deload_ratio:.0%} of the "
                f"{t.deload_lookback_weeks} weeks before)"
            ),
        )
    _headroom(ax, dist, 0.18)
    offset = 0.05 * ax.get_ylim()[1]
    _mark_weeks(ax, starts, dist + offset, findings, "missing_deload", hollow=True)

    twin = ax.twinx()
    finite = acwr[np.isfinite(acwr)]
    ceiling = max(3.0, 2.0 * t.acwr_alert)
    top = min(max(1.2 * t.acwr_alert, float(finite.max()) * 1.1 if finite.size else 0.0), ceiling)
    # The band lives on the distance axis, behind the bars, in the ratio's units.
    band = Rectangle(
        (0.0, ACWR_BAND_LOW),
        1.0,
        t.acwr_warning - ACWR_BAND_LOW,
        transform=blended_transform_factory(ax.transAxes, twin.transData),
        color=BAND_COLOR,
        alpha=_BAND_ALPHA,
        linewidth=0,
        zorder=0,
        label=f"ACWR {ACWR_BAND_LOW:g}–{t.acwr_warning:g} (target)",
    )
    ax.add_artist(band)
    twin.axhline(
        t.acwr_alert,
        color=OKABE_ITO["vermillion"],
        linestyle="--",
        linewidth=1.0,
        label=f"ACWR {t.acwr_alert:g} (high risk)",
    )
    twin.plot(
        x,
        acwr,
        color=LINE_COLOR,
        marker="o",
        markersize=3,
        linewidth=1.2,
        label=f"ACWR (week ÷ mean of {t.chronic_weeks} before)",
    )
    if time_all is not None:
        twin.plot(
            x,
            np.minimum(time_all[shown], top),
            color=LINE_COLOR,
            linestyle=":",
            linewidth=1.2,
            label="ACWR by running time",
        )
    twin.set_ylim(0, top)
    twin.set_ylabel("ACWR [ratio]")
    at_ratio = np.where(np.isfinite(acwr), np.minimum(acwr, 0.97 * top), 0.97 * top)
    _mark_weeks(twin, starts, at_ratio, findings, "ramp_up")
    extra = [twin]
    if "pain_max" in weekly.columns and np.isfinite(_values(weekly, "pain_max")).any():
        extra.append(_plot_pain(ax, x, weekly, t))
    _legend(ax, extra)
    return ax


def _plot_pain(ax: Axes, x: np.ndarray, weekly: pd.DataFrame, t: Thresholds) -> Axes:
    """Weekly highest and mean knee pain on a third y axis (0–10), right of the ratio's."""
    pain = ax.twinx()
    pain.spines["right"].set_position(("axes", 1.09))
    high = _values(weekly, "pain_max")
    mean = _values(weekly, "pain_mean")
    pain.axhline(t.pain_warning, color=OKABE_ITO["reddish_purple"], linewidth=0.8, alpha=0.6)
    pain.plot(
        x,
        high,
        color=OKABE_ITO["reddish_purple"],
        marker="D",
        markersize=5,
        linestyle="none",
        label="knee pain: week's highest",
    )
    pain.plot(
        x,
        mean,
        color=OKABE_ITO["reddish_purple"],
        marker="o",
        markersize=3,
        markerfacecolor="none",
        linestyle="none",
        label="knee pain: mean",
    )
    pain.set_ylim(0, 10.5)
    pain.set_ylabel(f"knee pain [0–10], line at {t.pain_warning:g}")
    return pain


def plot_descent(
    weekly: pd.DataFrame,
    findings: Iterable[Finding] = (),
    *,
    ax: Axes | None = None,
    units: str = "km",
    weeks: int | None = None,
) -> Axes:
    """Weekly descent bars [m] with the downhill distance on a twin axis.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start``, ``descent_m`` [m] and
        ``downhill_km`` [km].
    findings : iterable of Finding, optional
        ``downhill_volume`` findings are marked above their week's bar.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.
    units : {"km", "mi"}, default "km"
        Display unit of the downhill distance (descent stays in metres).
    weeks : int, optional
        Show only the latest ``weeks`` weeks; all weeks when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` (the descent axis).
    """
    check_units(units)
    findings = tuple(findings)
    ax = _axes(ax)
    ax.set_ylabel("descent [m]")
    _date_axis(ax)
    weekly = weekly.iloc[_shown(len(weekly), weeks)]
    if weekly.empty:
        _no_data(ax, "no runs")
        return ax
    starts = _week_starts(weekly)
    x = _week_x(starts)
    descent = np.nan_to_num(_values(weekly, "descent_m"))
    _week_xlim(ax, starts)
    ax.bar(x, descent, width=_BAR_DAYS, color=DATA_COLOR, label="weekly descent")
    _headroom(ax, descent, 0.18)
    _mark_weeks(ax, starts, descent + 0.05 * ax.get_ylim()[1], findings, "downhill_volume")
    twin = ax.twinx()
    downhill = km_to(_values(weekly, "downhill_km"), units)
    twin.plot(
        x,
        downhill,
        color=LINE_COLOR,
        marker="s",
        markersize=3,
        linewidth=1.2,
        label="downhill distance",
    )
    twin.set_ylabel(f"downhill distance [{units}]")
    _headroom(twin, downhill, 0.18)
    _legend(ax, [twin])
    return ax


def _cadence_references(ax: Axes, t: Thresholds, *, vertical: bool = False) -> None:
    span: Callable[..., Any] = ax.axvspan if vertical else ax.axhspan
    line: Callable[..., Any] = ax.axvline if vertical else ax.axhline
    span(
        t.target_cadence_low_spm,
        t.target_cadence_high_spm,
        color=BAND_COLOR,
        alpha=_BAND_ALPHA,
        linewidth=0,
        label=f"target {t.target_cadence_low_spm:g}–{t.target_cadence_high_spm:g} spm",
    )
    line(
        t.low_cadence_spm,
        color=OKABE_ITO["vermillion"],
        linestyle="--",
        linewidth=1.0,
        label=f"low-cadence line {t.low_cadence_spm:g} spm",
    )


def _cadence_limits(values: np.ndarray, t: Thresholds) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    low = min(t.low_cadence_spm, t.target_cadence_low_spm)
    high = t.target_cadence_high_spm
    if finite.size:
        low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return low - 6.0, high + 6.0


def plot_cadence(
    weekly: pd.DataFrame,
    findings: Iterable[Finding] = (),
    *,
    thresholds: Thresholds | None = None,
    ax: Axes | None = None,
    weeks: int | None = None,
) -> Axes:
    """Weekly running cadence [steps/min] with the target band and the low line.

    Weeks without cadence data are gaps in the line, never zeros.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` and ``cadence_spm`` [steps/min].
    findings : iterable of Finding, optional
        ``low_cadence`` findings are marked on their week's point.
    thresholds : Thresholds, optional
        Uses ``low_cadence_spm``, ``target_cadence_low_spm`` and
        ``target_cadence_high_spm``. Defaults to ``Thresholds()``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.
    weeks : int, optional
        Show only the latest ``weeks`` weeks; all weeks when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    t = thresholds or Thresholds()
    findings = tuple(findings)
    weekly = weekly.iloc[_shown(len(weekly), weeks)]
    ax = _axes(ax)
    ax.set_ylabel("cadence [steps/min]")
    _date_axis(ax)
    cadence = _values(weekly, "cadence_spm")
    _cadence_references(ax, t)
    ax.set_ylim(*_cadence_limits(cadence, t))
    if weekly.empty:
        _no_data(ax, "no runs", y_ticks=True)
        _legend(ax)
        return ax
    starts = _week_starts(weekly)
    x = _week_x(starts)
    _week_xlim(ax, starts)
    if not np.isfinite(cadence).any():
        _no_data(ax, "no cadence data", x_ticks=True, y_ticks=True)
        _legend(ax)
        return ax
    ax.plot(
        x,
        cadence,
        color=LINE_COLOR,
        marker="o",
        markersize=4,
        linewidth=1.2,
        label="weekly cadence (median)",
    )
    _mark_weeks(ax, starts, cadence, findings, "low_cadence")
    _legend(ax)
    return ax


def plot_cadence_distribution(
    activities: pd.DataFrame,
    *,
    thresholds: Thresholds | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of each run's cadence [steps/min] with the reference lines.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table; uses ``run_cadence_spm`` (cadence while running),
        falling back per run to ``cadence_spm``. Runs without either are left out.
    thresholds : Thresholds, optional
        Uses ``low_cadence_spm``, ``target_cadence_low_spm`` and
        ``target_cadence_high_spm``. Defaults to ``Thresholds()``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    t = thresholds or Thresholds()
    ax = _axes(ax)
    ax.set_xlabel("cadence per run [steps/min]")
    ax.set_ylabel("runs")
    running = _values(activities, "run_cadence_spm")
    cadence = np.where(np.isfinite(running), running, _values(activities, "cadence_spm"))
    cadence = cadence[np.isfinite(cadence)]
    _cadence_references(ax, t, vertical=True)
    ax.set_xlim(*_cadence_limits(cadence, t))
    if not cadence.size:
        _no_data(ax, "no cadence data", x_ticks=True)
        _legend(ax)
        return ax
    lo, hi = np.floor(cadence.min() / 2) * 2, np.floor(cadence.max() / 2) * 2 + 2
    ax.hist(
        cadence,
        bins=np.arange(lo, hi + 1, 2.0).tolist(),
        color=DATA_COLOR,
        edgecolor="white",
        linewidth=0.8,
        label="runs per 2-spm bin",
    )
    median = float(np.median(cadence))
    ax.axvline(median, color=LINE_COLOR, linewidth=1.2, label=f"median {median:.0f} spm")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(ax)
    return ax


def _previous_longest(
    starts: np.ndarray, km: np.ndarray, window_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Step line (``where="pre"``) of the longest run of the previous ``window_days``.

    The value at each change time (a run's start, or the moment a run leaves
    the window, up to the last run) holds on the interval that ends there, and
    is :func:`runaudit.training.load.longest_run_before` at that time [km; NaN
    with no run in the window]: at a run's start the line shows exactly what the
    ``long_run_spike`` rule compares that run with.
    """
    window = np.timedelta64(pd.Timedelta(days=window_days))
    times = np.unique(np.concatenate([starts, starts + window]))
    times = times[times <= starts.max()]
    index = longest_run_before(starts, km, times, window_days)
    return times, np.where(index >= 0, km[index], np.nan)


def _spike_rows(activities: pd.DataFrame, findings: Iterable[Finding]) -> list[tuple[int, Finding]]:
    """Row positions in ``activities`` of the runs ``long_run_spike`` findings are about."""
    ids = activities["activity_id"].astype(str).tolist() if "activity_id" in activities else []
    days = pd.to_datetime(activities["start_local"]).dt.strftime("%Y-%m-%d").tolist()
    km = _values(activities, "distance_km")
    out: list[tuple[int, Finding]] = []
    for f in findings:
        if f.rule != "long_run_spike":
            continue
        ev: Mapping[str, Any] = f.evidence
        rows = [i for i, a in enumerate(ids) if ev.get("activity_id") and a == ev["activity_id"]]
        if not rows and ev.get("run_date"):
            rows = [i for i, d in enumerate(days) if d == ev["run_date"]]
            if "distance_km" in ev and len(rows) > 1:
                rows = [min(rows, key=lambda i: abs(km[i] - float(ev["distance_km"])))]
        if rows:
            out.append((rows[0], f))
    return out


def plot_long_runs(
    activities: pd.DataFrame,
    findings: Iterable[Finding] = (),
    *,
    thresholds: Thresholds | None = None,
    ax: Axes | None = None,
    units: str = "km",
    since: pd.Timestamp | None = None,
) -> Axes:
    """Each run's distance by date against the longest run of the previous 30 days.

    The longest run that started in the previous ``long_run_window_days`` is a
    step line, ``long_run_ratio`` × that line is dashed: a run above the dashed
    line just before it is a spike. Runs with a ``long_run_spike`` finding are
    marked in severity colour and shape and labelled with their ratio.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table; uses ``start_local``, ``distance_km`` [km] and
        ``activity_id``.
    findings : iterable of Finding, optional
        ``long_run_spike`` findings, matched to runs by ``evidence["activity_id"]``
        or else ``evidence["run_date"]``.
    thresholds : Thresholds, optional
        Uses ``long_run_ratio`` and ``long_run_window_days``. Defaults to ``Thresholds()``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.
    units : {"km", "mi"}, default "km"
        Display unit of the distances.
    since : pandas.Timestamp, optional
        Show only runs from this day on (the line still counts the runs before).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    t = thresholds or Thresholds()
    check_units(units)
    ax = _axes(ax)
    ax.set_ylabel(f"run distance [{units}]")
    _date_axis(ax)
    if activities.empty:
        _no_data(ax, "no runs")
        return ax
    runs = pd.DataFrame(
        {
            "start": pd.to_datetime(activities["start_local"]).to_numpy(),
            "km": _values(activities, "distance_km"),
        }
    ).reset_index(drop=True)
    valid = runs["start"].notna() & np.isfinite(runs["km"])
    if not valid.any():
        _no_data(ax, "no runs")
        return ax
    ordered = runs[valid].sort_values("start", kind="stable")
    starts = ordered["start"].to_numpy(dtype="datetime64[ns]")
    km = ordered["km"].to_numpy(dtype=float)
    times, longest = _previous_longest(starts, km, t.long_run_window_days)
    if since is not None:
        valid &= runs["start"] >= since
        keep = times >= np.datetime64(since)
        times, longest = times[keep], longest[keep]
        if not valid.any() or not times.size:
            _no_data(ax, "no runs in these weeks")
            return ax
    tx = np.asarray(mdates.date2num(times), dtype=float)
    first = float(tx.min()) if since is None else float(mdates.date2num(since))
    _time_xlim(ax, first, float(tx.max()), pad=3.0)
    ax.step(
        tx,
        km_to(longest, units),
        where="pre",
        color=LINE_COLOR,
        linewidth=1.2,
        label=f"longest run of the previous {t.long_run_window_days} days",
    )
    ax.step(
        tx,
        km_to(t.long_run_ratio * longest, units),
        where="pre",
        color=OKABE_ITO["vermillion"],
        linestyle="--",
        linewidth=1.0,
        label=f"{t.long_run_ratio:g} × that (spike threshold)",
    )
    x = np.asarray(mdates.date2num(runs["start"].to_numpy()), dtype=float)
    dist = km_to(runs["km"].to_numpy(dtype=float), units)
    ax.scatter(
        x[valid], dist[valid], s=16, color=DATA_COLOR, edgecolors="none", label="run", zorder=3
    )
    by_severity: dict[str, list[int]] = {}
    for row, f in _spike_rows(activities, findings):
        if not valid.iloc[row]:
            continue
        by_severity.setdefault(f.severity, []).append(row)
        ratio = f.evidence.get("ratio")
        if ratio is not None:
            ax.annotate(
                f"×{float(ratio):.2f}",
                (x[row], dist[row]),
                xytext=(-7, 5),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize="small",
            )
    for severity in ("info", "warning", "alert"):
        rows = sorted(set(by_severity.get(severity, [])))
        if rows:
            _mark(ax, x[rows], dist[rows], "long_run_spike", severity, size=70.0)
    _headroom(ax, np.concatenate([dist[valid], km_to(t.long_run_ratio * longest, units)]), 0.12)
    _legend(ax)
    return ax


def plot_acwr_methods(
    weekly: pd.DataFrame,
    *,
    chronic_weeks: int | None = None,
    thresholds: Thresholds | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Rolling-mean and EWMA acute:chronic ratios of weekly distance, side by side.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` and ``distance_km`` [km].
    chronic_weeks : int, optional
        Chronic window of both methods [weeks] (see :mod:`runaudit.training.load`);
        ``thresholds.chronic_weeks`` when None.
    thresholds : Thresholds, optional
        Uses ``chronic_weeks`` (unless given), ``acwr_warning`` and ``acwr_alert``
        for the band and line. Defaults to ``Thresholds()``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    t = thresholds or Thresholds()
    if chronic_weeks is None:
        chronic_weeks = t.chronic_weeks
    ax = _axes(ax)
    ax.set_ylabel("ACWR [ratio]")
    _date_axis(ax)
    ax.axhspan(
        ACWR_BAND_LOW,
        t.acwr_warning,
        color=BAND_COLOR,
        alpha=_BAND_ALPHA,
        linewidth=0,
        label=f"{ACWR_BAND_LOW:g}–{t.acwr_warning:g} (target)",
    )
    ax.axhline(
        t.acwr_alert,
        color=OKABE_ITO["vermillion"],
        linestyle="--",
        linewidth=1.0,
        label=f"{t.acwr_alert:g} (high risk)",
    )
    if weekly.empty:
        _no_data(ax, "no runs", y_ticks=True)
        ax.set_ylim(0, 1.2 * t.acwr_alert)
        _legend(ax)
        return ax
    km = pd.Series(np.nan_to_num(_values(weekly, "distance_km")))
    starts = _week_starts(weekly)
    x = _week_x(starts)
    _week_xlim(ax, starts)
    rolling = acwr_rolling(km, chronic_weeks)["acwr"].to_numpy()
    ewma = acwr_ewma(km, chronic_weeks)["acwr"].to_numpy()
    ax.plot(
        x,
        rolling,
        color=LINE_COLOR,
        marker="o",
        markersize=3,
        linewidth=1.2,
        label=f"rolling mean of {chronic_weeks} weeks",
    )
    ax.plot(
        x,
        ewma,
        color=OKABE_ITO["blue"],
        marker="s",
        markersize=3,
        linewidth=1.2,
        linestyle="--",
        label=f"EWMA, λ = 2/({chronic_weeks}+1)",
    )
    both = np.concatenate([rolling, ewma])
    finite = both[np.isfinite(both)]
    ax.set_ylim(0, max(1.2 * t.acwr_alert, float(finite.max()) * 1.1 if finite.size else 0.0))
    _legend(ax)
    return ax


def plot_history(weekly: pd.DataFrame, *, ax: Axes | None = None, units: str = "km") -> Axes:
    """Every week's distance as thin bars: the whole history at a glance.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` and ``distance_km`` [km].
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new pyplot-free Figure's Axes when None.
    units : {"km", "mi"}, default "km"
        Display unit of the distances.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    check_units(units)
    ax = _axes(ax)
    ax.set_ylabel(f"[{units}]")
    _date_axis(ax)
    if weekly.empty:
        _no_data(ax, "no runs")
        return ax
    starts = _week_starts(weekly)
    dist = km_to(np.nan_to_num(_values(weekly, "distance_km")), units)
    _week_xlim(ax, starts)
    ax.bar(_week_x(starts), dist, width=_BAR_DAYS, color=DATA_COLOR, label="weekly distance")
    _headroom(ax, dist, 0.1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3))
    return ax


#: Size of the compact whole-history chart [in].
HISTORY_FIGSIZE: tuple[float, float] = (10.0, 1.8)


def report_figures(
    weekly: pd.DataFrame,
    activities: pd.DataFrame,
    findings: Iterable[Finding],
    *,
    thresholds: Thresholds | None = None,
    units: str = "km",
    weeks: int | None = None,
    names: Iterable[str] | None = None,
) -> dict[str, Figure]:
    """The report's figures, each a pyplot-free constrained-layout Figure.

    Parameters
    ----------
    weekly, activities : pandas.DataFrame
        The weekly and activities tables.
    findings : iterable of Finding
        All findings; each plot draws the rules it is about.
    thresholds : Thresholds, optional
        Defaults to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Display unit of distances.
    weeks : int, optional
        The time charts show the latest ``weeks`` weeks (all when None); with more
        weeks than that, ``"history"`` shows them all in one compact chart.
    names : iterable of str, optional
        Draw only these figures (the report leaves out charts without data).

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        Keys ``"weekly_distance"``, ``"history"`` (only when ``weeks`` cuts the
        table), ``"descent"``, ``"cadence"``, ``"cadence_distribution"`` and
        ``"long_runs"``, each :data:`FIGSIZE` (10 × 4 in; the history
        :data:`HISTORY_FIGSIZE`). Saving them is the report writer's job.
    """
    check_units(units)
    found = tuple(findings)
    t = thresholds or Thresholds()
    windowed = weeks is not None and len(weekly) > weeks
    since = (
        pd.Timestamp(_week_starts(weekly.iloc[_shown(len(weekly), weeks)]).min())
        if windowed
        else None
    )
    span = f", last {weeks} weeks" if windowed else ""
    draw: dict[str, tuple[str, Callable[[Axes], Axes]]] = {
        "weekly_distance": (
            f"Weekly distance and acute:chronic ratio (ACWR){span}",
            lambda ax: plot_weekly_distance(
                weekly, found, thresholds=t, ax=ax, units=units, weeks=weeks
            ),
        ),
        "history": (
            f"Weekly distance, all {len(weekly)} weeks",
            lambda ax: plot_history(weekly, ax=ax, units=units),
        ),
        "descent": (
            f"Weekly descent and downhill distance{span}",
            lambda ax: plot_descent(weekly, found, ax=ax, units=units, weeks=weeks),
        ),
        "cadence": (
            f"Weekly running cadence{span}",
            lambda ax: plot_cadence(weekly, found, thresholds=t, ax=ax, weeks=weeks),
        ),
        "cadence_distribution": (
            "Cadence of each run",
            lambda ax: plot_cadence_distribution(activities, thresholds=t, ax=ax),
        ),
        "long_runs": (
            f"Each run against the longest of the previous {t.long_run_window_days} days{span}",
            lambda ax: plot_long_runs(
                activities, found, thresholds=t, ax=ax, units=units, since=since
            ),
        ),
    }
    if not windowed:
        del draw["history"]
    wanted = set(draw) if names is None else set(names)
    figures: dict[str, Figure] = {}
    for key, (title, plot) in draw.items():
        if key not in wanted:
            continue
        size = HISTORY_FIGSIZE if key == "history" else FIGSIZE
        fig = Figure(figsize=size, layout="constrained")
        plot(fig.add_subplot())
        fig.suptitle(title, x=0.01, ha="left", fontsize="large" if key != "history" else "medium")
        figures[key] = fig
    return figures
