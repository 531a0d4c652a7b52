"""ramp_up: a week much longer than the weeks before it (acute:chronic distance ratio).

Acute load is the week's distance, chronic load the mean distance of the
``chronic_weeks`` weeks before it, uncoupled (the week itself is not part of its
own baseline; Lolli et al. 2019). Above ``acwr_warning`` (1.3, the top of
Gabbett's 2016 "sweet spot") the week warns, above ``acwr_alert`` (1.5) it
alerts. A week is judged only once ``chronic_weeks`` weeks of history exist.

After a break the ratio says more about the weeks off than about the week
itself, so:

* when the chronic load is below ``comeback_chronic_km`` (or 0) the ratio is not
  computed at all; a week longer than ``comeback_min_km`` warns as a jump after
  a break, shorter weeks pass;
* when the chronic window holds at least one week without running, a week of at
  most ``comeback_min_km`` is not flagged either (a first 10 km week back is
  fine whatever you ran before the break); longer weeks are judged by the ratio.
"""

from __future__ import annotations

import math
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
from runaudit.rules.messages import (
    check_units,
    format_date,
    format_distances,
    format_ratio,
    format_ratio_against,
)
from runaudit.rules.rule import Evidence, Measure, Rule
from runaudit.thresholds import Thresholds
from runaudit.training.load import acwr_rolling


def find_ramp_ups(
    weekly: pd.DataFrame, thresholds: Thresholds | None = None, *, units: str = "km"
) -> list[Finding]:
    """Flag weeks whose distance jumps above the previous weeks' average.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table; uses ``week_start`` (Monday) and ``distance_km`` [km].
        The ``chronic_km``/``acwr`` columns are ignored and recomputed so that
        ``thresholds.chronic_weeks`` is honoured. Not modified.
    thresholds : Thresholds, optional
        Uses ``ramp_by_time`` (1: judge the ratio on ``moving_time_s`` [s]
        instead of distance), ``chronic_weeks`` [weeks], ``acwr_warning``, ``acwr_alert`` [ratio],
        ``comeback_chronic_km`` [km/week] and ``comeback_min_km`` [km]. Defaults
        to ``Thresholds()``.
    units : {"km", "mi"}, default "km"
        Distance unit of the messages; ``evidence`` stays in km.

    Returns
    -------
    list of Finding
        One per episode of consecutive flagged weeks, in week order (``weeks``
        lists them). A week's ``severity`` is ``"alert"`` above ``acwr_alert``,
        otherwise ``"warning"`` (also for a long week straight after a break);
        an episode takes its worst week's. ``evidence`` (the worst week's, the
        latest among equals): ``distance_km`` [km], ``chronic_km``
        [km/week], ``acwr`` [ratio, None when not computed], ``chronic_weeks``
        [weeks], ``after_break`` [bool]; with ``moving_time_s`` in the table also
        ``acwr_time`` [ratio on running time]; judged by time also
        ``moving_time_s``, ``chronic_time_s`` [s] and ``load`` = ``"time"``.

    Raises
    ------
    ValueError
        If ``units`` is neither ``"km"`` nor ``"mi"``, or the table lacks a
        column, lists a week twice, or has week starts not whole weeks apart.

    Examples
    --------
    >>> weekly = pd.DataFrame({
    ...     "week_start": pd.date_range("2026-01-05", periods=5, freq="7D"),
    ...     "distance_km": [30.0, 30.0, 30.0, 30.0, 48.0],
    ... })
    >>> [(f.severity, f.evidence["acwr"]) for f in find_ramp_ups(weekly)]
    [('alert', 1.6)]
    >>> find_ramp_ups(weekly, units="mi")[0].message.split(";")[0]
    'Week of 2 Feb 2026: 30 mi, 1.6× your previous 4-week average of 19 mi'
    """
    check_units(units)
    t = resolve(thresholds)
    if weekly.empty:
        return []
    by_time = t.ramp_by_time == 1
    has_time = "moving_time_s" in weekly.columns
    if by_time and not has_time:
        raise ValueError("the weekly table lacks column(s) moving_time_s (ramp_by_time=1)")
    weeks = complete_weeks(weekly, ["distance_km", *(["moving_time_s"] if has_time else [])])
    distance = weeks["distance_km"].to_numpy()
    seconds = weeks["moving_time_s"].to_numpy() if has_time else None
    n = t.chronic_weeks
    load = acwr_rolling(weeks["distance_km"], n)
    chronic_km, ratio = load["chronic_km"].to_numpy(), load["acwr"].to_numpy()
    # the same ratio on running time (one definition: acwr_rolling)
    time_acwr = acwr_rolling(weeks["moving_time_s"], n)["acwr"].to_numpy() if has_time else None
    found: list[Finding] = []
    for i in range(n, len(distance)):
        acute = float(distance[i])
        chronic = float(chronic_km[i])
        after_break = bool((distance[i - n : i] <= 0).any())
        week = to_date(weeks.index[i])
        time_ratio = _finite_or_none(time_acwr[i]) if time_acwr is not None else None
        if chronic <= 0 or chronic < t.comeback_chronic_km:
            if acute > t.comeback_min_km:
                found.append(_comeback(week, acute, chronic, n, t, units, time_ratio))
            continue
        acwr = float(ratio[i])
        judged = time_ratio if by_time else acwr
        if judged is None or judged <= t.acwr_warning:
            continue
        if after_break and acute <= t.comeback_min_km:
            continue
        severity = "alert" if judged > t.acwr_alert else "warning"
        finding = _ratio(week, acute, chronic, acwr, n, after_break, severity, t, units, time_ratio)
        if by_time and seconds is not None:
            finding = _by_time(finding, float(seconds[i]), float(seconds[i - n : i].mean()), t)
        found.append(finding)
    return [part[0] if len(part) == 1 else _episode(part, t, by_time) for part in episodes(found)]


def _episode(parts: list[Finding], t: Thresholds, by_time: bool) -> Finding:
    """One finding for consecutive ramp-up weeks: since when, the ratios, the peak."""
    key = "acwr_time" if by_time else "acwr"
    ratios = [f.evidence.get(key) for f in parts]
    judged = [(r, f) for r, f in zip(ratios, parts, strict=True) if r is not None]
    shown = " → ".join("after a break" if r is None else f"{format_ratio(r)}×" for r in ratios)
    what = "running time" if by_time else "distance"
    head = (
        f"Since the week of {format_date(parts[0].week_start)}: {len(parts)} weeks in a row "
        f"of {what} well above your previous {t.chronic_weeks}-week average ({shown})"
    )
    if judged:
        peak, peak_week = max(judged, key=lambda rf: rf[0])
        when = format_date(peak_week.week_start, year=False)
        head += f", peak {format_ratio(peak)}× in the week of {when}"
        key_finding = peak_week
    else:
        key_finding = parts[-1]
    alert = any(f.severity == "alert" for f in parts)
    risk = (
        f"jumps above {format_ratio(t.acwr_alert)}× raise the injury risk most"
        if alert
        else "each is a quick step up"
    )
    message = (
        f"{head}; {risk}, so hold the next weeks at or below your recent average and add "
        f"at most {format_ratio(t.acwr_warning)}× of it in any one week."
    )
    return merge_episode(parts, message, key=key_finding)


def _finite_or_none(value: float) -> float | None:
    """``value`` as a float, None where it is NaN (no chronic running time)."""
    return None if math.isnan(value) else float(value)


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _by_time(finding: Finding, acute_s: float, chronic_s: float, t: Thresholds) -> Finding:
    """The finding of a week judged on running time (``ramp_by_time=1``)."""
    ratio = acute_s / chronic_s
    n = finding.evidence["chronic_weeks"]
    head = (
        f"Week of {format_date(finding.week_start)}: {_hours(acute_s)} of running, "
        f"{format_ratio_against(ratio, t.acwr_warning)}× your previous {n}-week average "
        f"of {_hours(chronic_s)}"
    )
    risk = (
        f"jumps above {format_ratio(t.acwr_alert)}× raise the injury risk most"
        if finding.severity == "alert"
        else "that is a quick step up"
    )
    message = (
        f"{head}; {risk}, so aim for at most {format_ratio(t.acwr_warning)}× "
        f"({_hours(t.acwr_warning * chronic_s)})."
    )
    evidence = finding.evidence.with_(
        Measure("moving_time_s", round(acute_s), "s", "running time"),
        Measure("chronic_time_s", round(chronic_s), "s", "average running time before"),
        Measure("load", "time", "", "load judged on"),
    )
    return make_finding(RULE, finding.severity, finding.week_start, message, evidence.all)


def _evidence(
    acute: float,
    chronic: float,
    acwr: float | None,
    n: int,
    after_break: bool,
    time_ratio: float | None,
) -> list[Measure]:
    measures = [
        Measure("distance_km", round(acute, 1), "km", "distance"),
        Measure("chronic_km", round(chronic, 1), "km", f"average of the {n} weeks before"),
        Measure("acwr", None if acwr is None else round(acwr, 2), "ratio", "ratio to that average"),
        Measure("chronic_weeks", n, "weeks", "weeks averaged", shown=False),
        Measure("after_break", after_break, "", "after a break", shown=after_break),
    ]
    if time_ratio is not None:
        measures.append(
            Measure("acwr_time", round(time_ratio, 2), "ratio", "ratio on running time")
        )
    return measures


def _ratio(
    week: date,
    acute: float,
    chronic: float,
    acwr: float,
    n: int,
    after_break: bool,
    severity: str,
    t: Thresholds,
    units: str,
    time_ratio: float | None = None,
) -> Finding:
    cap = t.acwr_warning * chronic
    acute_text, chronic_text, cap_text = format_distances(acute, chronic, cap, units=units)
    head = (
        f"Week of {format_date(week)}: {acute_text}, {format_ratio_against(acwr, t.acwr_warning)}× "
        f"your previous {n}-week average of {chronic_text}"
    )
    if after_break:
        message = (
            f"{head}, which includes weeks without running; after time off, build back "
            "up over a few weeks rather than in one jump."
        )
    else:
        risk = (
            f"jumps above {format_ratio(t.acwr_alert)}× raise the injury risk most"
            if severity == "alert"
            else "that is a quick step up"
        )
        message = (
            f"{head}; {risk}, so aim for at most {format_ratio(t.acwr_warning)}× ({cap_text})."
        )
    return make_finding(
        RULE, severity, week, message, _evidence(acute, chronic, acwr, n, after_break, time_ratio)
    )


def _comeback(
    week: date,
    acute: float,
    chronic: float,
    n: int,
    t: Thresholds,
    units: str,
    time_ratio: float | None = None,
) -> Finding:
    acute_text, chronic_text, limit_text = format_distances(
        acute, chronic, t.comeback_min_km, units=units
    )
    message = (
        f"Week of {format_date(week)}: {acute_text} after a break "
        f"(your previous {n} weeks averaged {chronic_text}); more than "
        f"{limit_text} straight after time off is a big jump, "
        "so build back up over a few weeks."
    )
    return make_finding(
        RULE, "warning", week, message, _evidence(acute, chronic, None, n, True, time_ratio)
    )


RULE = Rule(
    id="ramp_up",
    label="ramp-up",
    find=find_ramp_ups,
    table="weekly",
    inputs=("week_start", "distance_km", "moving_time_s"),
    thresholds=(
        "chronic_weeks",
        "acwr_warning",
        "acwr_alert",
        "comeback_min_km",
        "comeback_chronic_km",
        "ramp_by_time",
    ),
    exercises=("load_management", "single_leg_calf_raise", "wall_sit", "glute_bridge"),
    evidence=Evidence(
        kind="prospective cohort",
        summary=(
            "The evidence for weekly ratios in runners is mixed. The 1.3 and 1.5 cut-offs "
            "come from team sports (Gabbett 2016); in 5,205 runners the weekly acute:chronic "
            "ratio showed no positive association with injury (Frandsen et al. 2025), and a "
            "randomised trial of the 10 % rule (n = 532) found no benefit: 20.8 % injured "
            "against 20.3 % (Buist et al. 2008). Read this flag as a prompt to build up "
            "gradually, not as a measured risk."
        ),
        references=(
            "Gabbett 2016, Br J Sports Med (team sports)",
            "Lolli et al. 2019, Br J Sports Med (uncoupled ratio)",
            "Frandsen et al. 2025, Br J Sports Med",
            "Buist et al. 2008, Am J Sports Med (randomised trial)",
        ),
    ),
    description="Weekly running volume is climbing faster than tissues can comfortably adapt.",
    rank=10,
)
