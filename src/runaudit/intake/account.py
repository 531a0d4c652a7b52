"""What an export's own records added to the runs: the account shown beside the ledger."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from runaudit.reading.records import service_labels
from runaudit.words import plural

#: A week whose service total differs from runaudit's by more than this is named [%].
DIFF_PCT = 2.0
#: Service key in :attr:`MetadataAccount.service_weeks` → the name people know
#: (from the readers' table, :data:`runaudit.reading.records.READERS`).
SERVICE_NAMES: dict[str, str] = service_labels()


def format_pct(pct: float) -> str:
    """A difference in percent for people, ``"–"`` when there is none.

    >>> format_pct(36.36), format_pct(-0.0004), format_pct(float("nan"))
    ('+36.4 %', '0.0 %', '–')
    """
    if not math.isfinite(pct):
        return "–"
    return "0.0 %" if round(pct, 1) == 0 else f"{pct:+.1f} %"


@dataclass(frozen=True)
class MetadataAccount:
    """How the service records were used.

    Attributes
    ----------
    files : tuple of str
        Metadata files read.
    matched : int
        Strava rows matched to a file that was read (its numbers used).
    manual_added : int
        Strava rows without a file, added as runs.
    file_failed : int
        Strava run rows whose file was missing or unreadable, counted from the row.
    other_sport : int
        Rows and summaries of other sports.
    garmin_matched, garmin_added : int
        Running summaries (records of services whose records name no file: Garmin
        Connect's and the like) matched to a known run / added as summary-only runs.
    problems, notes : tuple of str
    listed_shoes : tuple of str
        Shoes the export lists (Strava's ``shoes.csv``), used or not.
    summary_labels : tuple of str
        The names of the services whose summaries were read (``"Garmin Connect"``).
    rows : tuple of (str, str)
        Every record row refused or set aside: ``("activities.csv line 12",
        reason)``; ``problems`` counts them by kind, ``ingest.csv`` lists each.
    service_weeks : pandas.DataFrame
        ``service`` ("strava" | "garmin"), ``week_start``, ``service_km`` [km],
        ``runaudit_km`` [km], ``diff_pct`` [%] (runaudit vs the service).
    """

    files: tuple[str, ...] = ()
    matched: int = 0
    manual_added: int = 0
    file_failed: int = 0
    other_sport: int = 0
    garmin_matched: int = 0
    garmin_added: int = 0
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    listed_shoes: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()
    summary_labels: tuple[str, ...] = ()
    service_weeks: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def differing_weeks(self) -> pd.DataFrame:
        """Rows of :attr:`service_weeks` that differ by more than :data:`DIFF_PCT`."""
        if self.service_weeks.empty:
            return self.service_weeks
        return self.service_weeks[self.service_weeks["diff_pct"].abs() > DIFF_PCT]

    def summary_line(self) -> str:
        """What the records added, in one line (empty without metadata)."""
        if not self.files:
            return ""
        return (
            f"service records ({plural(len(self.files), 'file')}):"
            f" {plural(self.matched, 'row')} matched to a file,"
            f" {plural(self.manual_added, 'manual run')} added,"
            f" {plural(self.file_failed, 'row')} whose file is missing or unreadable counted"
            " from the row,"
            f" {plural(self.other_sport, 'row')} of other sports"
            + (
                f"; {' and '.join(self.summary_labels) or 'Garmin'} summaries:"
                f" {self.garmin_matched} matched to a file,"
                f" {plural(self.garmin_added, 'summary-only run')} added"
                if self.garmin_matched or self.garmin_added
                else ""
            )
        )

    def week_lines(self) -> list[str]:
        """One line per week and service more than :data:`DIFF_PCT` from runaudit's total."""
        out = []
        for row in self.differing_weeks().to_dict("records"):
            service = str(row["service"])
            out.append(
                f"week of {row['week_start']:%Y-%m-%d}: {SERVICE_NAMES.get(service, service)}"
                f" says {float(row['service_km']):.2f} km, runaudit"
                f" {float(row['runaudit_km']):.2f} km ({format_pct(float(row['diff_pct']))})"
            )
        return out

    def weeks_side_by_side(self) -> pd.DataFrame:
        """Each week's total as every service reported it beside runaudit's.

        Returns
        -------
        pandas.DataFrame
            One row per week a service reported: ``week_start``, ``runaudit_km``
            [km], then ``<service>_km`` [km] and ``<service>_diff_pct`` [%]
            (runaudit vs that service, NaN where it reported nothing that week)
            for each service in :data:`SERVICE_NAMES` order, and ``differs``
            (tuple of the services more than :data:`DIFF_PCT` apart).
        """
        weeks = self.service_weeks
        services = [s for s in SERVICE_NAMES if not weeks.empty and s in set(weeks["service"])]
        columns = ["week_start", "runaudit_km"]
        for service in services:
            columns += [f"{service}_km", f"{service}_diff_pct"]
        if weeks.empty:
            return pd.DataFrame(columns=[*columns, "differs"])
        out = weeks.groupby("week_start", sort=True)["runaudit_km"].first().to_frame()
        for service in services:
            mine = weeks[weeks["service"] == service].set_index("week_start")
            out[f"{service}_km"] = mine["service_km"]
            out[f"{service}_diff_pct"] = mine["diff_pct"]
        far = {s: (out[f"{s}_diff_pct"].abs() > DIFF_PCT).tolist() for s in services}
        out["differs"] = [tuple(s for s in services if far[s][k]) for k in range(len(out))]
        return out.reset_index()[[*columns, "differs"]]

    def lines(self) -> list[str]:
        """The account as lines for the ingest summary (empty without metadata).

        A records file refused whole (over its size limit, say) is named even when
        no other records file was read.
        """
        if not self.files:
            return [*self.problems, *self.notes]
        return [self.summary_line(), *self.week_lines(), *self.problems, *self.notes]
