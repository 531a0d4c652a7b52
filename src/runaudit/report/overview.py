"""What a finished audit comes to, in a few numbers: the summary printed after a report.

:func:`overview` turns an :class:`~runaudit.audit.Audit` into a frozen
:class:`Overview`; :meth:`Overview.lines` renders it as the short text the
command line prints. :func:`athlete_numbers` gives the headline numbers of one
athlete (the roster row, the PDF cover) as a frozen :class:`AthleteNumbers`.
Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from runaudit.report.text import format_duration
from runaudit.rules.findings import SEVERITIES, Finding, severity_counts
from runaudit.rules.messages import format_distance
from runaudit.training.pain import latest_pain

if TYPE_CHECKING:
    from runaudit.audit import Audit

URGENT_SHOWN = 5  # findings listed by name before "… and N more"
#: Findings of the latest this-many weeks count as "open" (roster, report cover).
OPEN_FINDING_WEEKS = 4


@dataclass(frozen=True)
class Overview:
    """The audit in a few numbers.

    Attributes
    ----------
    first_day, last_day : datetime.date
        Monday of the first week and Sunday of the last week of the weekly table.
    runs : int
        Kept runs with a known date.
    distance_km : float
        Their total distance [km].
    weeks : int
        Rows of the weekly table.
    severity_counts : dict of str to int
        Findings per severity, ``"alert"``, ``"warning"``, ``"info"`` in that order.
    urgent : tuple of Finding
        Warnings and alerts, newest week first (alerts before warnings within a week).
    """

    first_day: date
    last_day: date
    runs: int
    distance_km: float
    weeks: int
    severity_counts: dict[str, int]
    urgent: tuple[Finding, ...]

    def lines(self, units: str = "km") -> list[str]:
        """The summary as lines of text; distances in ``units`` ("km" or "mi")."""
        counts = self.severity_counts
        out = [
            f"{self.first_day.isoformat()} to {self.last_day.isoformat()}: {self.runs} runs, "
            f"{format_distance(self.distance_km, units)} over {self.weeks} weeks.",
            f"Findings: {counts['alert']} alert, {counts['warning']} warning,"
            f" {counts['info']} info.",
        ]
        out.extend(f"  [{f.severity}] {f.message}" for f in self.urgent[:URGENT_SHOWN])
        if len(self.urgent) > URGENT_SHOWN:
            out.append(f"  … and {len(self.urgent) - URGENT_SHOWN} more in the report.")
        return out


def overview(audit: Audit) -> Overview:
    """Summarise an audit (see :class:`Overview`).

    Raises
    ------
    ValueError
        If the audit has an empty weekly table (no dated run).
    """
    weekly = audit.weekly
    if weekly.empty:
        raise ValueError("an audit without weeks has no overview")
    urgent = sorted(
        (f for f in audit.findings if f.severity != "info"),
        key=lambda f: (f.week_start, f.severity_rank),
        reverse=True,
    )
    return Overview(
        first_day=weekly["week_start"].min().date(),
        last_day=(weekly["week_start"].max() + timedelta(days=6)).date(),
        runs=len(audit.activities),
        distance_km=float(audit.activities["distance_km"].sum()),
        weeks=len(weekly),
        severity_counts=severity_counts(audit.findings),
        urgent=tuple(urgent),
    )


@dataclass(frozen=True)
class AthleteNumbers:
    """Headline numbers of one athlete: their latest week and what is still open.

    Attributes
    ----------
    last_week : datetime.date or None
        Monday of the latest week of the weekly table (None without weeks).
    last_week_km : float
        That week's distance [km] (NaN without weeks).
    acwr : float
        That week's acute:chronic distance ratio (NaN when undefined).
    cadence_spm : float
        That week's median running cadence [steps/min] (NaN without cadence).
    pain : (pandas.Timestamp, float) or None
        Date and 0-10 score of the latest pain-diary entry.
    open_findings : tuple of Finding
        Findings of the latest :data:`OPEN_FINDING_WEEKS` weeks.
    worst : str or None
        The worst severity among them.
    runs : int
        Kept runs with a known date.
    moving_time : str
        Their total moving time, as ``H:MM:SS`` ("" without runs).
    """

    last_week: date | None
    last_week_km: float
    acwr: float
    cadence_spm: float
    pain: tuple[pd.Timestamp, float] | None
    open_findings: tuple[Finding, ...]
    worst: str | None
    runs: int
    moving_time: str

    @property
    def urgency(self) -> tuple[int, int, float]:
        """Sort key: worst open severity, number of open findings, load ratio."""
        rank = SEVERITIES.index(self.worst) if self.worst else -1
        acwr = self.acwr if math.isfinite(self.acwr) else 0.0
        return (rank, len(self.open_findings), acwr)


def athlete_numbers(audit: Audit) -> AthleteNumbers:
    """The headline numbers of one audit (see :class:`AthleteNumbers`)."""
    weekly = audit.weekly
    last = weekly.iloc[-1] if not weekly.empty else None
    week = last["week_start"].date() if last is not None else None
    recent = tuple(
        f
        for f in audit.findings
        if week is not None and (week - f.last_week).days < 7 * OPEN_FINDING_WEEKS
    )
    worst = max((f.severity for f in recent), key=SEVERITIES.index, default=None)
    return AthleteNumbers(
        last_week=week,
        last_week_km=float(last["distance_km"]) if last is not None else math.nan,
        acwr=float(last["acwr"]) if last is not None else math.nan,
        cadence_spm=float(last["cadence_spm"]) if last is not None else math.nan,
        pain=latest_pain(audit.pain.entries if audit.pain is not None else None),
        open_findings=recent,
        worst=worst,
        runs=len(audit.activities),
        moving_time=format_duration(float(audit.activities["moving_time_s"].sum()))
        if not audit.activities.empty
        else "",
    )
