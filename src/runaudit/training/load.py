"""Training load: acute:chronic ratios, deload weeks and the previous longest run.

The one definition of each quantity: the ``weekly`` table, the rules and the
report's charts all call these functions, with defaults from
:class:`~runaudit.thresholds.Thresholds`. Pure functions; the weekly ones take
one value per consecutive week (the ``weekly`` table lists every week, empty
weeks with 0 km); nothing is modified in place.

Two ways of computing the chronic load are offered:

* :func:`acwr_rolling` — the mean of the ``N`` weeks *before* the week
  (uncoupled, Lolli et al. 2019), as used by the ``ramp_up`` rule and the
  ``weekly`` table;
* :func:`acwr_ewma` — an exponentially weighted moving average of the weeks
  before (Williams et al. 2017), which lets older weeks fade out instead of
  dropping off a cliff after ``N`` weeks.

Examples
--------
>>> km = pd.Series([30.0, 30.0, 30.0, 30.0, 48.0])
>>> acwr_rolling(km)["acwr"].tolist()
[nan, nan, nan, nan, 1.6]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from runaudit.thresholds import Thresholds

__all__ = ["acwr_ewma", "acwr_rolling", "deload_weeks", "longest_run_before"]

_WEEK = pd.Timedelta(days=7)


def _ratio(acute: pd.Series, chronic: pd.Series) -> pd.Series:
    """``acute / chronic`` where chronic is positive, NaN elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(chronic > 0, acute / chronic, np.nan)
    return pd.Series(values, index=acute.index, dtype="float64")


def _check_weeks(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a whole number of weeks ≥ 1, got {value!r}")


def acwr_rolling(
    distance_km: pd.Series, chronic_weeks: int = Thresholds.chronic_weeks
) -> pd.DataFrame:
    """Acute:chronic workload ratio with a rolling-mean chronic load (uncoupled).

    For week ``t`` with distance ``d[t]``::

        chronic_km[t] = mean(d[t-N], ..., d[t-1])        (N = chronic_weeks)
        acwr[t]       = d[t] / chronic_km[t]

    The week itself is not part of its own baseline (uncoupled, Lolli et al.
    2019). The ``chronic_km`` and ``acwr`` columns of
    :func:`runaudit.training.weekly.weekly_table`, the ``ramp_up`` rule and the weekly
    distance chart all take their numbers from here.

    Parameters
    ----------
    distance_km : pandas.Series
        Distance of each week [km], one row per consecutive week, oldest first.
        Not modified.
    chronic_weeks : int, default ``Thresholds.chronic_weeks`` (4)
        Weeks averaged for the chronic load ``N`` [weeks].

    Returns
    -------
    pandas.DataFrame
        Same index as ``distance_km``, float columns ``chronic_km`` [km/week]
        (NaN until ``N`` earlier weeks exist) and ``acwr`` [ratio] (NaN where
        ``chronic_km`` is NaN or 0).

    Raises
    ------
    ValueError
        If ``chronic_weeks`` is not a whole number ≥ 1.

    Examples
    --------
    >>> acwr_rolling(pd.Series([10.0, 20.0, 30.0, 45.0]), chronic_weeks=3).round(2)
       chronic_km  acwr
    0         NaN   NaN
    1         NaN   NaN
    2         NaN   NaN
    3        20.0  2.25
    """
    _check_weeks("chronic_weeks", chronic_weeks)
    km = distance_km.astype("float64")
    chronic = km.shift(1).rolling(chronic_weeks, min_periods=chronic_weeks).mean()
    return pd.DataFrame({"chronic_km": chronic, "acwr": _ratio(km, chronic)}, index=km.index)


def acwr_ewma(
    distance_km: pd.Series, chronic_weeks: int = Thresholds.chronic_weeks, acute_weeks: int = 1
) -> pd.DataFrame:
    """Acute:chronic workload ratio with exponentially weighted loads.

    Williams et al. (2017, BJSM 51:209) replace rolling means by exponentially
    weighted moving averages (EWMA), so that a load fades out gradually
    instead of leaving the window all at once. Over weeks, with decay
    ``λ = 2 / (N + 1)``::

        E[0] = d[0]
        E[t] = λ · d[t] + (1 − λ) · E[t-1]

        chronic_km[t] = E_c[t-1]                 λ_c = 2 / (chronic_weeks + 1)
        acute_km[t]   = E_a[t]                   λ_a = 2 / (acute_weeks + 1)
        acwr[t]       = acute_km[t] / chronic_km[t]

    The chronic load of week ``t`` is computed from the weeks *before* ``t``
    only (uncoupled, as in :func:`acwr_rolling`). With the default
    ``acute_weeks=1``, ``λ_a = 1`` and the acute load is the week's own
    distance, the same acute load as :func:`acwr_rolling`. A constant weekly
    distance gives a ratio of exactly 1.

    Parameters
    ----------
    distance_km : pandas.Series
        Distance of each week [km], one row per consecutive week, oldest first.
        Not modified. NaN weeks are skipped by the averages (pass 0 for a week
        without running).
    chronic_weeks : int, default ``Thresholds.chronic_weeks`` (4)
        Span ``N`` of the chronic EWMA [weeks]; ``λ_c = 2 / (N + 1)`` (0.4 for 4).
    acute_weeks : int, default 1
        Span of the acute EWMA [weeks]; 1 means the week's own distance.

    Returns
    -------
    pandas.DataFrame
        Same index as ``distance_km``, float columns ``acute_km`` [km/week],
        ``chronic_km`` [km/week] (NaN until ``chronic_weeks`` earlier weeks exist,
        as for the rolling ratio) and ``acwr`` [ratio] (NaN where ``chronic_km``
        is NaN or 0).

    Raises
    ------
    ValueError
        If a span is not a whole number ≥ 1.

    Examples
    --------
    >>> acwr_ewma(pd.Series([30.0] * 5 + [45.0]))["acwr"].round(2).tolist()
    [nan, nan, nan, nan, 1.0, 1.5]
    """
    _check_weeks("chronic_weeks", chronic_weeks)
    _check_weeks("acute_weeks", acute_weeks)
    km = distance_km.astype("float64")
    acute = km.ewm(alpha=2.0 / (acute_weeks + 1), adjust=False).mean()
    smoothed = km.ewm(alpha=2.0 / (chronic_weeks + 1), adjust=False).mean()
    history = km.notna().cumsum().shift(1, fill_value=0)
    chronic = smoothed.shift(1).where(history >= chronic_weeks)
    return pd.DataFrame(
        {"acute_km": acute, "chronic_km": chronic, "acwr": _ratio(acute, chronic)},
        index=km.index,
    )


def deload_weeks(
    weekly: pd.DataFrame,
    ratio: float = Thresholds.deload_ratio,
    lookback_weeks: int = Thresholds.deload_lookback_weeks,
) -> pd.Series:
    """Mark the lighter recovery (deload) weeks.

    A week is a deload week when its distance is at most ``ratio`` × the
    highest distance of the ``lookback_weeks`` weeks before it, or when it has
    no running at all (0 km). The ratio test needs ``lookback_weeks`` earlier
    weeks: before that, a week with running is never a deload. The
    ``missing_deload`` rule counts its streaks with this function and the weekly
    distance chart hatches the weeks it marks.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``distance_km`` [km] and, when present,
        ``week_start`` (Mondays). Weeks absent from a hand-built table count as
        weeks without running. Without ``week_start`` the rows are taken as
        consecutive weeks in order. Not modified.
    ratio : float, default ``Thresholds.deload_ratio`` (0.85)
        Largest share of the recent peak a deload week may reach [fraction].
    lookback_weeks : int, default ``Thresholds.deload_lookback_weeks`` (3)
        Weeks looked back for the recent peak [weeks].

    Returns
    -------
    pandas.Series of bool
        Named ``deload``, same index as ``weekly``.

    Raises
    ------
    ValueError
        If ``distance_km`` is missing, ``week_start`` lists a week twice or
        has a missing value, or
        ``lookback_weeks`` is not a whole number ≥ 1.

    Examples
    --------
    >>> weekly = pd.DataFrame({"distance_km": [30.0, 32.0, 34.0, 28.0, 0.0, 36.0]})
    >>> deload_weeks(weekly).tolist()
    [False, False, False, True, True, False]
    """
    _check_weeks("lookback_weeks", lookback_weeks)
    if "distance_km" not in weekly.columns:
        raise ValueError("the weekly table lacks column distance_km")
    km = pd.Series(
        pd.to_numeric(weekly["distance_km"], errors="coerce").to_numpy(dtype=float),
        index=weekly.index,
    )
    if km.empty:
        return pd.Series(False, index=weekly.index, dtype=bool, name="deload")
    if "week_start" in weekly.columns:
        starts = pd.DatetimeIndex(pd.to_datetime(weekly["week_start"]))
        if starts.has_duplicates or starts.hasnans:
            raise ValueError("the weekly table lists a week twice or has no week_start")
        ordered = starts.sort_values()
        full = pd.date_range(ordered[0], ordered[-1], freq=_WEEK).union(ordered)
        series = pd.Series(km.to_numpy(), index=starts).reindex(full).fillna(0.0)
    else:
        series = km.fillna(0.0).reset_index(drop=True)
    previous_peak = series.shift(1).rolling(lookback_weeks, min_periods=lookback_weeks).max()
    flags = (series <= 0) | (series <= ratio * previous_peak)
    values = flags.loc[starts].to_numpy() if "week_start" in weekly.columns else flags.to_numpy()
    return pd.Series(values, index=weekly.index, dtype=bool, name="deload")


def longest_run_before(
    starts: np.ndarray,
    km: np.ndarray,
    at: np.ndarray,
    window_days: int = Thresholds.long_run_window_days,
) -> np.ndarray:
    """The longest run that started in the ``window_days`` before each time.

    For a time ``t`` the window is ``[t - window_days, t)``: its start inclusive,
    a run starting at ``t`` itself excluded. The ``long_run_spike`` rule compares
    each run with the value at its own start, and the long-run chart draws the
    value at every time as its step line.

    Parameters
    ----------
    starts : numpy.ndarray of datetime64
        Run starts, sorted ascending, none missing.
    km : numpy.ndarray of float
        Distance of each run [km], same order, finite.
    at : numpy.ndarray of datetime64
        The times to look back from.
    window_days : int, default ``Thresholds.long_run_window_days`` (30)
        Length of the look-back window [days].

    Returns
    -------
    numpy.ndarray of int
        For each time in ``at``, the position in ``starts`` of the longest run in
        its window (the earliest of equally long ones), ``-1`` when the window
        holds no run.

    Examples
    --------
    >>> starts = pd.to_datetime(["2026-02-01", "2026-02-20", "2026-03-10"]).to_numpy()
    >>> longest_run_before(starts, np.array([16.0, 12.0, 23.0]), starts).tolist()
    [-1, 0, 1]
    """
    window = np.timedelta64(pd.Timedelta(days=window_days))
    first = np.searchsorted(starts, at - window, side="left")
    before = np.searchsorted(starts, at, side="left")
    out = np.full(len(at), -1, dtype=np.int64)
    for i, (lo, hi) in enumerate(zip(first, before, strict=True)):
        if hi > lo:
            out[i] = lo + int(np.argmax(km[lo:hi]))
    return out
