"""What changed in the running before a pain week (pure functions over the tables).

For a week of knee pain, each load dimension of that week and the two before
it (the *recent* weeks) is compared with the mean of the four weeks before
those (the *baseline*). A dimension whose highest recent week is above
``trigger_ratio`` × its baseline is a candidate; candidates are ranked by that
ratio. A shoe first worn in the recent weeks that carried more than
``trigger_shoe_share`` of a week's distance, and a cadence that fell by
``cadence_drop_spm`` or more, are candidates too (listed after the ratios).

This is association, not cause: the runner reads "the pain came after a rise
in descent", never "descent caused the pain".

Examples
--------
>>> import pandas as pd
>>> weekly = pd.DataFrame({
...     "week_start": pd.date_range("2026-01-05", periods=8, freq="7D"),
...     "distance_km": [30.0] * 8, "moving_time_s": [10800.0] * 8, "runs": [4] * 8,
...     "long_run_km": [12.0] * 8, "descent_m": [200.0] * 6 + [900.0, 200.0],
...     "downhill_km": [2.0] * 8, "cadence_spm": [170.0] * 8,
... })
>>> report = find_triggers(weekly, pd.Timestamp("2026-02-23"))
>>> [(t.dimension, t.week_start.isoformat(), t.ratio) for t in report.triggers]
[('descent_m', '2026-02-16', 4.5)]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from runaudit.thresholds import Thresholds

__all__ = ["DIMENSIONS", "Trigger", "TriggerReport", "dimension_label", "find_triggers"]

#: Ratio dimensions: weekly column → (words for a runner, smallest baseline used).
#: The floor keeps a near-empty baseline from turning a small week into a huge ratio.
DIMENSIONS: dict[str, tuple[str, float]] = {
    "distance_km": ("distance", 5.0),
    "moving_time_s": ("running time", 1800.0),
    "runs": ("runs per week", 1.0),
    "long_run_km": ("longest run", 3.0),
    "descent_m": ("descent", 100.0),
    "downhill_km": ("downhill distance", 1.0),
    "trail_share": ("share of distance on trails", 0.1),
}
_LABELS = {**{k: v[0] for k, v in DIMENSIONS.items()}, "new_shoe": "a new shoe"}
_LABELS["cadence_spm"] = "a drop in cadence"
RECENT_WEEKS = 3
BASELINE_WEEKS = 4
#: Fewest baseline weeks needed to judge at all.
MIN_BASELINE_WEEKS = 2


def dimension_label(dimension: str) -> str:
    """Plain words for a dimension (``"descent_m"`` → ``"descent"``)."""
    return _LABELS.get(dimension, dimension.replace("_", " "))


@dataclass(frozen=True)
class Trigger:
    """One dimension that rose before a pain week.

    Attributes
    ----------
    dimension : str
        A key of :data:`DIMENSIONS`, ``"new_shoe"`` or ``"cadence_spm"``.
    week_start : datetime.date
        The recent week where it peaked (first worn, for a shoe).
    ratio : float or None
        That week's value ÷ the baseline (for a cadence drop: below 1; None for a shoe).
    value, baseline : float
        The week's value and the baseline mean, in the dimension's unit (for a
        shoe: its share of the week's distance, and 0).
    shoe : str
        The shoe's name (``"new_shoe"`` only).
    """

    dimension: str
    week_start: date
    ratio: float | None
    value: float
    baseline: float
    shoe: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Evidence form: ``{"dimension", "week_start", "ratio", "value", "baseline"}`` (+ shoe)."""
        out: dict[str, Any] = {
            "dimension": self.dimension,
            "week_start": self.week_start.isoformat(),
            "ratio": self.ratio,
            "value": self.value,
            "baseline": self.baseline,
        }
        if self.shoe:
            out["shoe"] = self.shoe
        return out


@dataclass(frozen=True)
class TriggerReport:
    """The comparison for one pain week.

    Attributes
    ----------
    week_start : datetime.date
        The pain week.
    triggers : tuple of Trigger
        Ranked: ratio dimensions by ratio (highest first), then a new shoe, then a
        cadence drop. Empty when nothing stood out.
    judged : bool
        False when fewer than :data:`MIN_BASELINE_WEEKS` baseline weeks exist.
    baseline_weeks : int
        Baseline weeks used (at most :data:`BASELINE_WEEKS`).
    not_compared : tuple of str
        Dimensions left out because the tables lack their column (``trail_share``
        without ``trail_km``, ``new_shoe`` without ``shoe``).
    """

    week_start: date
    triggers: tuple[Trigger, ...]
    judged: bool
    baseline_weeks: int
    not_compared: tuple[str, ...] = ()


def _weeks(weekly: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    starts = pd.DatetimeIndex(pd.to_datetime(weekly["week_start"]))
    if starts.tz is not None:
        starts = starts.tz_localize(None)
    data = pd.DataFrame(
        {c: pd.to_numeric(weekly[c], errors="coerce").to_numpy(float) for c in columns},
        index=starts,
    ).sort_index()
    data = data[~data.index.duplicated()]
    if data.empty:
        return data
    full = pd.date_range(data.index[0], data.index[-1], freq="7D")
    return data.reindex(full)


def find_triggers(
    weekly: pd.DataFrame,
    week_start: Any,
    activities: pd.DataFrame | None = None,
    thresholds: Thresholds | None = None,
) -> TriggerReport:
    """Compare a pain week and the two before it with the four weeks before those.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` and whichever of ``distance_km``
        [km], ``moving_time_s`` [s], ``runs``, ``long_run_km`` [km],
        ``descent_m`` [m], ``downhill_km`` [km], ``trail_km`` [km] and
        ``cadence_spm`` [steps/min] it has. Not modified.
    week_start : date-like
        Monday of the pain week.
    activities : pandas.DataFrame, optional
        The activities table; with a ``shoe`` column (and ``week_start``,
        ``distance_km``) new shoes are compared too.
    thresholds : Thresholds, optional
        Uses ``trigger_ratio``, ``trigger_shoe_share`` and ``cadence_drop_spm``.

    Returns
    -------
    TriggerReport
    """
    t = thresholds or Thresholds()
    week = pd.Timestamp(week_start).normalize()
    if week.tzinfo is not None:
        week = week.tz_localize(None)
    not_compared: list[str] = []
    columns = [c for c in DIMENSIONS if c in weekly.columns]
    if "trail_km" in weekly.columns and "distance_km" in weekly.columns:
        columns.append("trail_km")
    else:
        not_compared.append("trail_share")
    has_cadence = "cadence_spm" in weekly.columns
    if has_cadence:
        columns.append("cadence_spm")
    if activities is None or "shoe" not in activities.columns:
        not_compared.append("new_shoe")
    if weekly.empty or not columns:
        return TriggerReport(week.date(), (), False, 0, tuple(not_compared))
    data = _weeks(weekly, columns)
    if week not in data.index:
        return TriggerReport(week.date(), (), False, 0, tuple(not_compared))
    i = int(data.index.searchsorted(week))
    recent = data.iloc[max(0, i - RECENT_WEEKS + 1) : i + 1]
    base = data.iloc[max(0, i - RECENT_WEEKS + 1 - BASELINE_WEEKS) : max(0, i - RECENT_WEEKS + 1)]
    n_base = len(base)
    if n_base < MIN_BASELINE_WEEKS:
        return TriggerReport(week.date(), (), False, n_base, tuple(not_compared))
    loads = {c: c for c in DIMENSIONS if c in data.columns}
    if "trail_km" in data.columns:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = data["trail_km"].fillna(0) / data["distance_km"].where(data["distance_km"] > 0)
        data = data.assign(trail_share=share)
        recent = data.loc[recent.index]
        base = data.loc[base.index]
        loads["trail_share"] = "trail_share"
    rising: list[Trigger] = []
    for dim, col in loads.items():
        values = recent[col].fillna(0.0)
        baseline = float(base[col].fillna(0.0).mean())
        pos = int(np.argmax(values.to_numpy()))
        peak_at = pd.Timestamp(values.index[pos])
        peak = float(values.iloc[pos])
        ratio = peak / max(baseline, DIMENSIONS[dim][1])
        if ratio > t.trigger_ratio and peak > baseline:
            rising.append(
                Trigger(dim, peak_at.date(), round(ratio, 2), round(peak, 2), round(baseline, 2))
            )
    rising.sort(key=lambda tr: (-(tr.ratio or 0.0), list(DIMENSIONS).index(tr.dimension)))
    extra: list[Trigger] = []
    if "new_shoe" not in not_compared and activities is not None:
        extra.extend(_new_shoes(activities, pd.DatetimeIndex(recent.index), t))
    if has_cadence:
        base_cad = base["cadence_spm"].dropna()
        rec_cad = recent["cadence_spm"].dropna()
        if len(base_cad) and len(rec_cad):
            ref = float(base_cad.median())
            pos = int(np.argmin(rec_cad.to_numpy()))
            low_at = pd.Timestamp(rec_cad.index[pos])
            low = float(rec_cad.iloc[pos])
            if ref - low >= t.cadence_drop_spm:
                extra.append(
                    Trigger("cadence_spm", low_at.date(), round(low / ref, 3), round(low, 1), ref)
                )
    return TriggerReport(week.date(), (*rising, *extra), True, n_base, tuple(not_compared))


def _new_shoes(
    activities: pd.DataFrame,
    recent: pd.DatetimeIndex,
    t: Thresholds,
) -> list[Trigger]:
    acts = activities[["week_start", "distance_km", "shoe"]].copy()
    acts["week_start"] = pd.to_datetime(acts["week_start"])
    if acts["week_start"].dt.tz is not None:
        acts["week_start"] = acts["week_start"].dt.tz_localize(None)
    acts["shoe"] = acts["shoe"].fillna("").astype(str).str.strip()
    if not (acts["week_start"] < recent[0]).any():
        return []  # no earlier running: every shoe is "new"
    first = acts[acts["shoe"] != ""].groupby("shoe")["week_start"].min()
    new = first[(first >= recent[0]) & (first <= recent[-1])]
    out: list[Trigger] = []
    for shoe in new.index:
        in_recent = acts[acts["week_start"].isin(recent)]
        totals = in_recent.groupby("week_start")["distance_km"].sum()
        on = in_recent[in_recent["shoe"] == shoe].groupby("week_start")["distance_km"].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (on / totals.reindex(on.index)).fillna(0.0)
        if share.empty:
            continue
        pos = int(np.argmax(share.to_numpy()))
        at = pd.Timestamp(share.index[pos])
        if float(share.iloc[pos]) > t.trigger_shoe_share:
            out.append(
                Trigger("new_shoe", at.date(), None, round(float(share.iloc[pos]), 2), 0.0, shoe)
            )
    return sorted(out, key=lambda tr: -tr.value)
