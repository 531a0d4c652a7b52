"""Shoes: which pair each run was in, the shoes table and each shoe's first week (pure).

The ``shoe`` column of the activities table comes from Strava's
``Activity Gear`` (older exports ``Gear``) or the gear Garmin Connect linked
to the activity (``*_gear.json``, ``gearActivityDTOs``); empty when unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SHOE_COLUMNS: tuple[str, ...] = ("shoe", "first_run", "last_run", "runs", "distance_km")
NEW_SHOE_COLUMNS: tuple[str, ...] = ("week_start", "shoe", "shoe_km", "week_km", "share")


def _with_shoe(activities: pd.DataFrame) -> pd.DataFrame:
    if activities.empty or "shoe" not in activities.columns:
        return activities.iloc[0:0]
    shoe = activities["shoe"].fillna("").astype(str).str.strip()
    return activities[shoe != ""].assign(shoe=shoe[shoe != ""])


def shoes_table(activities: pd.DataFrame, listed: Sequence[str] = ()) -> pd.DataFrame:
    """One row per shoe: first and last run, runs, km.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table (``shoe``, ``start_local``, ``distance_km`` [km]).
    listed : sequence of str
        Shoes the export lists (``shoes.csv``); those never run in appear with 0 runs.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SHOE_COLUMNS` (``first_run``/``last_run`` local dates as
        ``YYYY-MM-DD``, empty for unused shoes), most recently used first.
    """
    shod = _with_shoe(activities)
    rows = []
    for shoe, group in shod.groupby("shoe", sort=False):
        rows.append(
            {
                "shoe": shoe,
                "first_run": f"{group['start_local'].min():%Y-%m-%d}",
                "last_run": f"{group['start_local'].max():%Y-%m-%d}",
                "runs": len(group),
                "distance_km": round(float(group["distance_km"].fillna(0).sum()), 2),
            }
        )
    used = {r["shoe"] for r in rows}
    rows.sort(key=lambda r: (r["last_run"], r["shoe"]), reverse=True)
    for shoe in listed:
        if shoe not in used:
            rows.append(
                {"shoe": shoe, "first_run": "", "last_run": "", "runs": 0, "distance_km": 0.0}
            )
            used.add(shoe)
    return pd.DataFrame(rows, columns=list(SHOE_COLUMNS)).astype(
        {"runs": "int64", "distance_km": "float64"}
    )


def new_shoe_weeks(activities: pd.DataFrame) -> pd.DataFrame:
    """Each shoe's first week in use and its share of that week's running distance.

    A shoe in use from the very first week that has any shoe recorded is left
    out (nothing says it was new then).

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table (``week_start``, ``shoe``, ``distance_km`` [km]).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NEW_SHOE_COLUMNS`: ``week_start`` (Monday), ``shoe``,
        ``shoe_km`` [km] run in it that week, ``week_km`` [km] all running that
        week, ``share`` = shoe_km / week_km [0-1]; one row per new shoe, by week.
    """
    shod = _with_shoe(activities)
    if shod.empty:
        return pd.DataFrame(columns=list(NEW_SHOE_COLUMNS))
    week_km = activities.groupby("week_start")["distance_km"].sum()
    first_week = shod["week_start"].min()
    debut = shod.groupby("shoe")["week_start"].min()
    rows = []
    for shoe, week in debut.items():
        if week == first_week:
            continue
        km = float(
            shod.loc[(shod["shoe"] == shoe) & (shod["week_start"] == week), "distance_km"].sum()
        )
        total = float(week_km.get(week, 0.0))
        rows.append(
            {
                "week_start": week,
                "shoe": shoe,
                "shoe_km": km,
                "week_km": total,
                "share": km / total if total > 0 else 0.0,
            }
        )
    frame = pd.DataFrame(rows, columns=list(NEW_SHOE_COLUMNS))
    return frame.sort_values(["week_start", "shoe"]).reset_index(drop=True)
