"""shoe_change: a week in which a shoe never used before carries most of the running.

New shoes are new load (004 seed, "Dealing With Runner’s Knee? Feel Better with
These PT-Approved Tips and Exercises": new running surfaces or shoes may cause
issues if you don't ease into them). A week is flagged when a shoe first seen
that week carries more than ``new_shoe_share`` (half) of the week's running
distance; bringing a new pair in with one short run a week raises nothing.
Shoes already in use in the first week with any shoe recorded are not new.
Severity is ``"warning"``. New pairs in consecutive weeks are one episode.
"""

from __future__ import annotations

import pandas as pd

from runaudit.rules._common import (
    episodes,
    make_finding,
    merge_episode,
    require_columns,
    resolve,
    to_date,
)
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_distance
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds
from runaudit.training.shoes import new_shoe_weeks


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
        One per new shoe over the share, in week order; new shoes in
        consecutive weeks are one episode (``weeks`` lists them, ``evidence`` is
        the last week's). ``evidence``: ``shoe``,
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
    found: list[Finding] = []
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
        measures = [
            Measure("shoe", shoe, "", "shoe"),
            Measure("shoe_km", round(shoe_km, 2), "km", "in the new shoe"),
            Measure("week_km", round(week_km, 2), "km", "the week's distance"),
            Measure("share", round(share, 2), "fraction", "share of the week"),
        ]
        found.append(make_finding(RULE, "warning", week, message, measures))
    return [part[0] if len(part) == 1 else _episode(part) for part in episodes(found)]


def _episode(parts: list[Finding]) -> Finding:
    """One finding for new shoes in consecutive weeks."""
    shoes = ", ".join(dict.fromkeys(str(f.evidence["shoe"]) for f in parts))
    shares = " → ".join(f"{f.evidence['share']:.0%}" for f in parts)
    message = (
        f"Since the week of {format_date(parts[0].week_start)}: new shoes ({shoes}) carried "
        f"most of {len(parts)} weeks in a row ({shares} of each week); ease new shoes in over "
        "a few weeks, a short run or two at first."
    )
    return merge_episode(parts, message, key=parts[-1])


RULE = Rule(
    id="shoe_change",
    label="new shoes",
    find=find_shoe_changes,
    table="activities",
    inputs=("week_start", "shoe", "distance_km"),
    thresholds=("new_shoe_share",),
    exercises=(
        "load_management",
        "single_leg_calf_raise",
        "bent_knee_calf_raise",
        "glute_bridge",
    ),
    evidence=Evidence(
        kind="clinical guidance",
        summary=(
            "Physical therapists name new shoes as load to ease into; no study has measured "
            "how much of a week a new pair may carry, so the half-the-week line is our choice."
        ),
        references=(
            "Dealing With Runner’s Knee? Feel Better with These PT-Approved Tips and "
            "Exercises (004 seed)",
        ),
    ),
    description=(
        "A new pair of shoes took over most of a week at once instead of being brought in "
        "over a few weeks."
    ),
    rank=60,
)
