"""shoe_change: a week in which a shoe never used before carries most of the running.

New shoes are new load (004 seed, "Dealing With Runner’s Knee? Feel Better with
These PT-Approved Tips and Exercises": new running surfaces or shoes may cause
issues if you don't ease into them). A week is flagged when a shoe first seen
that week carries more than ``new_shoe_share`` (half) of the week's running
distance; bringing a new pair in with one short run a week raises nothing.
Shoes already in use in the first week with any shoe recorded are not new.
Severity is ``"warning"``.
"""

from __future__ import annotations

import pandas as pd

from runaudit.rules._common import require_columns, resolve, to_date
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_distance
from runaudit.thresholds import Thresholds
from runaudit.training.shoes import new_shoe_weeks

RULE = "shoe_change"
#: Catalog exercise ids for this rule, most relevant first.
EXERCISES: tuple[str, ...] = (
    "load_management",
    "single_leg_calf_raise",
    "bent_knee_calf_raise",
    "glute_bridge",
)


def find_shoe_changes(
    activities: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag weeks where a never-used shoe carries most of the distance.

    Parameters
    ----------
    activities : pandas.DataFrame
        The activities table; uses ``week_start``, ``shoe`` and ``distance_km``
        [km]. Without a ``shoe`` column nothing is flagged. Not modified.
    thresholds : Thresholds, optional
        Uses ``new_shoe_share`` [fraction].
    units : {"km", "mi"}, default "km"

    Returns
    -------
    list of Finding
        One per new shoe over the share, in week order. ``evidence``: ``shoe``,
        ``shoe_km`` [km], ``week_km`` [km], ``share`` [fraction].

    Examples
    --------
    >>> acts = pd.DataFrame({
    ...     "week_start": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-12"]),
    ...     "shoe": ["Old", "New", "Old"], "distance_km": [10.0, 8.0, 2.0]})
    >>> [(f.evidence["shoe"], f.evidence["share"]) for f in find_shoe_changes(acts)]
    [('New', 0.8)]
    """
    check_units(units)
    t = resolve(thresholds)
    if activities.empty or "shoe" not in activities.columns:
        return []
    require_columns(activities, ["week_start", "distance_km"], "activities")
    findings = []
    for rec in new_shoe_weeks(activities).to_dict("records"):
        share, shoe_km, week_km = float(rec["share"]), float(rec["shoe_km"]), float(rec["week_km"])
        if share <= t.new_shoe_share:
            continue
        week, shoe = to_date(rec["week_start"]), str(rec["shoe"])
        message = (
            f"Week of {format_date(week)}: a new pair, {shoe}, carried"
            f" {share:.0%} of the week ({format_distance(shoe_km, units)} of"
            f" {format_distance(week_km, units)}); ease new shoes in over a few weeks,"
            " a short run or two at first."
        )
        findings.append(
            Finding(
                rule=RULE,
                severity="warning",
                week_start=week,
                message=message,
                evidence={
                    "shoe": shoe,
                    "shoe_km": round(shoe_km, 2),
                    "week_km": round(week_km, 2),
                    "share": round(share, 2),
                },
                exercises=EXERCISES,
            )
        )
    return findings
