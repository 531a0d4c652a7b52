"""What an export's own records added to the runs: the account shown beside the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: A week whose service total differs from runaudit's by more than this is named [%].
DIFF_PCT = 2.0


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
        Garmin running summaries matched to a known run / added as summary-only runs.
    problems, notes : tuple of str
    listed_shoes : tuple of str
        Shoes the export lists (Strava's ``shoes.csv``), used or not.
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
    service_weeks: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def differing_weeks(self) -> pd.DataFrame:
        """Rows of :attr:`service_weeks` that differ by more than :data:`DIFF_PCT`."""
        if self.service_weeks.empty:
            return self.service_weeks
        return self.service_weeks[self.service_weeks["diff_pct"].abs() > DIFF_PCT]

    def lines(self) -> list[str]:
        """The account as lines for the ingest summary (empty without metadata)."""
        if not self.files:
            return []
        out = [
            f"service records ({len(self.files)} files): {self.matched} rows matched to a file,"
            f" {self.manual_added} manual runs added, {self.file_failed} rows whose file failed"
            f" counted from the row, {self.other_sport} rows of other sports"
            + (
                f"; Garmin summaries: {self.garmin_matched} matched to a file,"
                f" {self.garmin_added} summary-only runs added"
                if self.garmin_matched or self.garmin_added
                else ""
            )
        ]
        for row in self.differing_weeks().itertuples():
            out.append(
                f"week of {row.week_start:%Y-%m-%d}: {row.service} says {row.service_km:.2f} km,"
                f" runaudit {row.runaudit_km:.2f} km ({row.diff_pct:+.1f} %)"
            )
        out.extend(self.problems)
        out.extend(self.notes)
        return out
