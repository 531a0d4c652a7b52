"""surface_change: a week that moves onto a surface the runner is not used to.

New running surfaces are load to ease into (004 seed, "Dealing With Runner’s
Knee? Feel Better with These PT-Approved Tips and Exercises"). Two shares are
watched: the trail share of the week's distance, and the outdoor share
(everything but the treadmill). A week is flagged when either is at least
``surface_min_share`` (0.5) and at least ``surface_share_jump`` (0.4) above
its highest weekly share in the previous ``surface_lookback_weeks`` (4) weeks
(so staying on the new surface is flagged once, in the week of the move), judged once
that many weeks of history hold some running. A runner half on trails every
week is never flagged; a road runner who runs three quarters of a week on
trails is, and so is road running after weeks only on a treadmill.
Severity is ``"warning"``. Consecutive flagged weeks are one episode.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from runaudit.rules._common import (
    complete_weeks,
    episodes,
    make_finding,
    merge_episode,
    resolve,
    to_date,
)
from runaudit.rules.findings import Finding
from runaudit.rules.messages import check_units, format_date, format_distance
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds


def find_surface_changes(
    weekly: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag weeks whose trail or outdoor share jumps above the recent share.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start``, ``distance_km``, ``trail_km`` and
        ``treadmill_km`` [km]. Without ``trail_km`` nothing is flagged. Not modified.
    thresholds : Thresholds, optional
        Uses ``surface_share_jump``, ``surface_min_share`` [fraction] and
        ``surface_lookback_weeks`` [weeks].
    units : {"km", "mi"}, default "km"

    Returns
    -------
    list of Finding
        At most one per week, in week order; consecutive weeks are one episode
        (``weeks`` lists them, ``evidence`` is the first week's). ``evidence``: ``surface``
        ("trail" or "road after treadmill"), ``share`` and ``recent_share``
        [fraction], ``surface_km`` and ``distance_km`` [km], ``lookback_weeks``.

    Examples
    --------
    >>> weekly = pd.DataFrame({
    ...     "week_start": pd.date_range("2026-01-05", periods=5, freq="7D"),
    ...     "distance_km": [30.0] * 5, "trail_km": [0, 0, 0, 0, 22.5],
    ...     "treadmill_km": [0.0] * 5})
    >>> [(f.week_start.isoformat(), f.evidence["share"]) for f in find_surface_changes(weekly)]
    [('2026-02-02', 0.75)]
    """
    check_units(units)
    t = resolve(thresholds)
    if weekly.empty or "trail_km" not in weekly.columns:
        return []
    weeks = complete_weeks(weekly, ["distance_km", "trail_km", "treadmill_km"])
    dist = weeks["distance_km"].to_numpy()
    shares = {
        "trail": weeks["trail_km"].to_numpy(),
        "road after treadmill": dist - weeks["treadmill_km"].to_numpy(),
    }
    n = t.surface_lookback_weeks
    found: list[Finding] = []
    for i in range(n, len(dist)):
        if dist[i] <= 0:
            continue
        before = float(dist[i - n : i].sum())
        if before <= 0:
            continue
        for surface, km in shares.items():
            share = float(km[i]) / float(dist[i])
            ran = dist[i - n : i] > 0
            recent = float((km[i - n : i][ran] / dist[i - n : i][ran]).max())
            if share >= t.surface_min_share and share - recent >= t.surface_share_jump:
                found.append(
                    _finding(
                        to_date(weeks.index[i]),
                        surface,
                        share,
                        recent,
                        float(km[i]),
                        float(dist[i]),
                        n,
                        units,
                    )
                )
                break
    return [part[0] if len(part) == 1 else _episode(part) for part in episodes(found)]


def _episode(parts: list[Finding]) -> Finding:
    """One finding for consecutive weeks that each moved onto a new surface."""
    shares = " → ".join(f"{f.evidence['share']:.0%}" for f in parts)
    message = (
        f"Since the week of {format_date(parts[0].week_start)}: {len(parts)} weeks in a row "
        f"moved onto a surface you were not used to ({shares} of each week); a new surface "
        "is new load, so move onto it over a few weeks with shorter runs first."
    )
    return merge_episode(parts, message, key=parts[0])


def _finding(
    week: date,
    surface: str,
    share: float,
    recent: float,
    km: float,
    total: float,
    n: int,
    units: str,
) -> Finding:
    where = "on trails" if surface == "trail" else "off the treadmill"
    what = (
        f"{share:.0%} of the week {where} ({format_distance(km, units)}),"
        f" after {recent:.0%} in the previous {n} weeks"
    )
    message = (
        f"Week of {format_date(week)}: {what}; a new surface is new load, so move onto it"
        " over a few weeks with shorter runs first."
    )
    measures = [
        Measure("surface", surface, "", "surface"),
        Measure("share", round(share, 2), "fraction", "share of the week"),
        Measure(
            "recent_share", round(recent, 2), "fraction", f"highest share of the {n} weeks before"
        ),
        Measure("surface_km", round(km, 2), "km", "on that surface"),
        Measure("distance_km", round(total, 2), "km", "the week's distance"),
        Measure("lookback_weeks", n, "weeks", "weeks looked back", shown=False),
    ]
    return make_finding(RULE, "warning", week, message, measures)


RULE = Rule(
    id="surface_change",
    label="new surface",
    find=find_surface_changes,
    table="weekly",
    inputs=("week_start", "distance_km", "trail_km", "treadmill_km"),
    thresholds=("surface_share_jump", "surface_min_share", "surface_lookback_weeks"),
    exercises=(
        "load_management",
        "single_leg_calf_raise",
        "clamshell",
        "monster_walk",
        "forward_step_down",
    ),
    evidence=Evidence(
        kind="clinical guidance",
        summary=(
            "Physical therapists name new running surfaces as load to ease into; the share "
            "cut-offs (a 40-point jump to at least half the week) are our choice, untested."
        ),
        references=(
            "Dealing With Runner’s Knee? Feel Better with These PT-Approved Tips and "
            "Exercises (004 seed)",
        ),
    ),
    description=(
        "Most of a week moved onto a surface the legs are not used to (trails, or the road "
        "after the treadmill)."
    ),
    rank=70,
)
