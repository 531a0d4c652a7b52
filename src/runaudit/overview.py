"""What a finished audit comes to, in a few numbers: the summary printed after a report.

:func:`overview` turns an :class:`~runaudit.audit.Audit` into a frozen
:class:`Overview`; :meth:`Overview.lines` renders it as the short text the
command line prints. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .analyzers.messages import format_distance
from .findings import Finding, severity_counts

if TYPE_CHECKING:
    from .audit import Audit

URGENT_SHOWN = 5  # findings listed by name before "… and N more"


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
